/* oui.c - see oui.h.  ~46,000 assignments in one sorted array: (prefix << bits) keyed lookups by
 * binary search, three probes (36, 28, 24 bits) per MAC.  Loading streams the registry files
 * through one small buffer and keeps only each assignment and where its line's name field starts;
 * a vendor name is read back, unquoted and cleaned the first time it is looked up, so a run that
 * resolves a few dozen MACs does not pay for 46,000 names (the load takes a few milliseconds). */
#include "inventory/oui.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/str.h"

struct oui_entry {
    uint64_t key; /* assignment left-aligned in 48 bits << 8 | its bit length */
    uint32_t off; /* where the name field starts in its file */
    uint32_t file;
};

static const char *const registry[] = {"oui.csv", "mam.csv", "oui36.csv", "iab.csv"};
#define NFILES (sizeof registry / sizeof *registry)

static struct oui_entry *entries;
static char **names; /* per entry, cleaned on first lookup; "" when it has none */
static size_t nentries, cap;
static int fds[NFILES] = {-1, -1, -1, -1};
static bool loaded;

static uint64_t make_key(uint64_t prefix48, unsigned bits)
{
    return prefix48 << 8 | bits;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = (char)(c | 0x20);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* one line, "Registry,Assignment,Organization Name,Address", starting at byte off of its file */
static void load_line(const char *line, size_t len, uint64_t off, uint32_t file)
{
    const char *c1 = memchr(line, ',', len);
    if (!c1)
        return;
    const char *hex = c1 + 1, *end = line + len;
    uint64_t v = 0;
    size_t n = 0;
    for (; hex + n < end && hex[n] != ','; n++) {
        int d = hexval(hex[n]);
        if (d < 0 || n >= 9)
            return;
        v = v << 4 | (unsigned)d;
    }
    if ((n != 6 && n != 7 && n != 9) || hex + n + 1 >= end)
        return;
    const char *name = hex + n + 1;
    if (*name == ',' || *name == '\r')
        return; /* no organization name */
    uint64_t noff = off + (uint64_t)(name - line);
    if (noff > UINT32_MAX)
        return;
    if (nentries == cap) {
        size_t ncap = cap ? cap * 2 : 65536;
        struct oui_entry *ne = realloc(entries, ncap * sizeof *ne);
        if (!ne)
            return;
        entries = ne;
        cap = ncap;
    }
    unsigned bits = (unsigned)n * 4;
    entries[nentries++] =
        (struct oui_entry){make_key(v << (48 - bits), bits), (uint32_t)noff, file};
}

static void load_file(const char *dir, uint32_t file)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, registry[file]);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return;
    fds[file] = fd;
    static char buf[1 << 16];
    size_t have = 0;
    uint64_t base = 0; /* file offset of buf[0] */
    for (;;) {
        ssize_t r = read(fd, buf + have, sizeof buf - have);
        if (r < 0)
            break;
        have += (size_t)r;
        size_t pos = 0;
        for (;;) {
            const char *nl = memchr(buf + pos, '\n', have - pos);
            if (!nl) {
                if (r == 0 || (pos == 0 && have == sizeof buf)) /* last line, or one too long */
                    nl = buf + have;
                else
                    break;
            }
            load_line(buf + pos, (size_t)(nl - (buf + pos)), base + pos, file);
            pos = (size_t)(nl - buf) + 1;
            if (pos >= have)
                break;
        }
        if (pos > have)
            pos = have;
        memmove(buf, buf + pos, have - pos);
        have -= pos;
        base += pos;
        if (r == 0)
            break;
    }
}

/* LSD radix sort on the 56-bit keys: 46,000 entries in a fraction of a millisecond */
static void sort_entries(void)
{
    struct oui_entry *tmp = malloc(nentries * sizeof *tmp);
    if (!tmp) {
        nentries = 0;
        return;
    }
    struct oui_entry *a = entries, *b = tmp;
    for (unsigned shift = 0; shift < 56; shift += 8) {
        size_t count[257] = {0};
        for (size_t i = 0; i < nentries; i++)
            count[(a[i].key >> shift & 0xff) + 1]++;
        for (size_t i = 0; i < 256; i++)
            count[i + 1] += count[i];
        for (size_t i = 0; i < nentries; i++)
            b[count[a[i].key >> shift & 0xff]++] = a[i];
        struct oui_entry *t = a;
        a = b;
        b = t;
    }
    /* seven passes: the sorted run ended in tmp */
    memcpy(entries, a, nentries * sizeof *entries);
    free(tmp);
}

static void load(void)
{
    loaded = true;
    const char *dir = getenv("OTSCOPE_IEEE_DATA");
    if (!dir)
        dir = "/usr/share/ieee-data";
    for (uint32_t i = 0; i < NFILES; i++)
        load_file(dir, i);
    sort_entries();
    names = calloc(nentries ? nentries : 1, sizeof *names);
    if (!names)
        nentries = 0;
}

/* the first CSV field of p[0..n), honouring double quotes, up to the end of the line */
static size_t csv_field(const char *p, size_t n, char *out, size_t outsz)
{
    size_t o = 0, i = 0;
    bool q = n && p[0] == '"';
    if (q)
        i++;
    for (; i < n && p[i] != '\n' && p[i] != '\r'; i++) {
        if (q && p[i] == '"') {
            if (i + 1 < n && p[i + 1] == '"')
                i++;
            else {
                q = false;
                continue;
            }
        } else if (!q && p[i] == ',')
            break;
        if (o + 1 < outsz)
            out[o++] = p[i];
    }
    out[o] = '\0';
    return o;
}

static const char *entry_name(size_t i)
{
    if (names[i])
        return names[i];
    const struct oui_entry *e = &entries[i];
    char raw[512], field[256], clean[256];
    ssize_t r = pread(fds[e->file], raw, sizeof raw, (off_t)e->off);
    size_t fl = csv_field(raw, r > 0 ? (size_t)r : 0, field, sizeof field);
    size_t len = str_sanitize(clean, sizeof clean, (const uint8_t *)field, fl);
    /* the registry has stray separators ("Siemens AG,") */
    while (len && (clean[len - 1] == ',' || clean[len - 1] == ' '))
        clean[--len] = '\0';
    names[i] = strdup(clean);
    return names[i];
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
    for (size_t l = 0; l < 3; l++) {
        uint64_t key = make_key(m >> (48 - lens[l]) << (48 - lens[l]), lens[l]);
        size_t lo = 0, hi = nentries;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (entries[mid].key < key)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo == nentries || entries[lo].key != key)
            continue;
        const char *name = entry_name(lo);
        if (name && name[0] && strcmp(name, "Private") != 0)
            return name;
    }
    return NULL;
}

void oui_unload(void)
{
    for (size_t i = 0; names && i < nentries; i++)
        free(names[i]);
    free(names);
    names = NULL;
    free(entries);
    entries = NULL;
    nentries = cap = 0;
    for (size_t i = 0; i < NFILES; i++) {
        if (fds[i] >= 0)
            close(fds[i]);
        fds[i] = -1;
    }
    loaded = false;
}
