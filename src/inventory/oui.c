/* oui.c - see oui.h.  ~46,000 assignments in one sorted array: (prefix << bits) keyed lookups by
 * binary search, three probes (36, 28, 24 bits) per MAC. */
#include "inventory/oui.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/str.h"

struct oui_entry {
    uint64_t key; /* assignment left-aligned in 48 bits, tagged with its bit length */
    char *name;
};

static struct oui_entry *entries;
static size_t nentries, cap;
static bool loaded;

static uint64_t make_key(uint64_t prefix48, unsigned bits)
{
    return prefix48 << 8 | bits;
}

static int cmp(const void *a, const void *b)
{
    uint64_t x = ((const struct oui_entry *)a)->key, y = ((const struct oui_entry *)b)->key;
    return x < y ? -1 : x > y;
}

/* one CSV field, honouring double quotes; returns the position after the separator */
static const char *csv_field(const char *p, char *out, size_t outsz)
{
    size_t o = 0;
    bool q = *p == '"';
    if (q)
        p++;
    for (; *p && *p != '\n' && *p != '\r'; p++) {
        if (q && *p == '"') {
            if (p[1] == '"') {
                p++;
            } else {
                q = false;
                continue;
            }
        } else if (!q && *p == ',') {
            p++;
            break;
        }
        if (o + 1 < outsz)
            out[o++] = *p;
    }
    out[o] = '\0';
    return p;
}

static void load_file(const char *dir, const char *file)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    FILE *fp = fopen(path, "r");
    if (!fp)
        return;
    char line[1024], reg[16], hex[16], name[256];
    while (fgets(line, sizeof line, fp)) {
        const char *p = csv_field(line, reg, sizeof reg);
        p = csv_field(p, hex, sizeof hex);
        csv_field(p, name, sizeof name);
        size_t n = strlen(hex);
        if (n != 6 && n != 7 && n != 9)
            continue;
        char *end;
        uint64_t v = strtoull(hex, &end, 16);
        if (*end || !name[0])
            continue;
        unsigned bits = (unsigned)n * 4;
        if (nentries == cap) {
            cap = cap ? cap * 2 : 65536;
            struct oui_entry *ne = realloc(entries, cap * sizeof *ne);
            if (!ne)
                break;
            entries = ne;
        }
        char clean[256];
        size_t len = str_sanitize(clean, sizeof clean, (const uint8_t *)name, strlen(name));
        /* the registry has stray separators ("Siemens AG,") */
        while (len && (clean[len - 1] == ',' || clean[len - 1] == ' '))
            clean[--len] = '\0';
        entries[nentries].key = make_key(v << (48 - bits), bits);
        entries[nentries].name = strdup(clean);
        if (entries[nentries].name)
            nentries++;
    }
    fclose(fp);
}

static void load(void)
{
    loaded = true;
    const char *dir = getenv("OTSCOPE_IEEE_DATA");
    if (!dir)
        dir = "/usr/share/ieee-data";
    load_file(dir, "oui.csv");
    load_file(dir, "mam.csv");
    load_file(dir, "oui36.csv");
    load_file(dir, "iab.csv");
    qsort(entries, nentries, sizeof *entries, cmp);
}

bool oui_available(void)
{
    if (!loaded)
        load();
    return nentries > 0;
}

const char *oui_lookup(const uint8_t mac[6])
{
    if (!loaded)
        load();
    if (!nentries || (mac[0] & 0x02))
        return NULL; /* locally administered addresses have no registered vendor */
    uint64_t m = 0;
    for (int i = 0; i < 6; i++)
        m = m << 8 | mac[i];
    static const unsigned lens[] = {36, 28, 24};
    for (size_t i = 0; i < 3; i++) {
        uint64_t prefix = m >> (48 - lens[i]) << (48 - lens[i]);
        struct oui_entry k = {make_key(prefix, lens[i]), NULL};
        struct oui_entry *e = bsearch(&k, entries, nentries, sizeof *entries, cmp);
        if (e && strcmp(e->name, "Private") != 0)
            return e->name;
    }
    return NULL;
}

void oui_unload(void)
{
    for (size_t i = 0; i < nentries; i++)
        free(entries[i].name);
    free(entries);
    entries = NULL;
    nentries = cap = 0;
    loaded = false;
}
