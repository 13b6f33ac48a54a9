/* match.c - does an advisory's product row describe this asset?  Vendors through an alias
 * table, order numbers first (they tell hardware apart that names do not), exact normalised
 * names, CPU families from order numbers and CPU names, part-number patterns; then the version
 * in the product name, the range, and the certainty (../shared/vulndata/README.md "Product
 * matching" and "Certainty"). */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "vuln/vuln.h"

#define BOX "\xe2\x96\xa1" /* "□": one character in Omron names */

/* ---- vendors ---- */

/* alnum-only forms; left: as written (advisories, OUI table, CPE), right: canonical */
static const struct {
    const char *from, *to;
} vendor_alias[] = {
    {"allenbradley", "rockwellautomation"},
    {"rockwell", "rockwellautomation"},
    {"rockwellautomationallenbradley", "rockwellautomation"},
    {"schneiderelectricsoftware", "schneiderelectric"},
    {"schneider", "schneiderelectric"},
    {"innominatesecuritytechnologies", "phoenixcontact"},
    {"innominate", "phoenixcontact"},
    {"phoenixcontactsoftware", "phoenixcontact"},
    {"mitsubishi", "mitsubishielectric"},
    {"mitsubishielectriciconicsdigitalsolutions", "mitsubishielectric"},
    {"jci", "johnsoncontrols"},
    {"wagokontakttechnik", "wago"},
    {"yokogawaelectric", "yokogawa"},
    {"generalelectric", "ge"},
    {"gedigital", "ge"},
    {"beckhoffautomation", "beckhoff"},
    {"hitachiabbpowergrids", "hitachienergy"},
    {"moxainc", "moxa"},
};

/* company-form words dropped before comparing */
static bool company_word(const char *w)
{
    static const char *const words[] = {
        "inc",  "inc.", "incorporated", "corporation", "corp", "corp.", "co",  "co.",     "ltd",
        "ltd.", "llc",  "gmbh",         "ag",          "sa",   "s.a.",  "plc", "limited", "company",
        "kg",   "se",   "bv",           "b.v.",        "oy",   "ab",    "spa"};
    for (size_t i = 0; i < sizeof words / sizeof *words; i++)
        if (!strcmp(w, words[i]))
            return true;
    return false;
}

/* one vendor part ("Mitsubishi Electric Corporation") -> "mitsubishielectric" */
static void vendor_part_key(const char *s, size_t len, char *out, size_t n)
{
    size_t o = 0;
    char word[48];
    size_t wl = 0;
    for (size_t i = 0; i <= len; i++) {
        char c = i < len ? (char)tolower((unsigned char)s[i]) : ' ';
        if (c == ' ' || c == '\t' || c == ',') {
            word[wl] = '\0';
            if (wl && !company_word(word))
                for (size_t k = 0; k < wl && o + 1 < n; k++)
                    if (isalnum((unsigned char)word[k]))
                        out[o++] = word[k];
            wl = 0;
        } else if (wl + 1 < sizeof word) {
            word[wl++] = c;
        }
    }
    out[o] = '\0';
    for (size_t i = 0; i < sizeof vendor_alias / sizeof *vendor_alias; i++)
        if (!strcmp(out, vendor_alias[i].from)) {
            snprintf(out, n, "%s", vendor_alias[i].to);
            break;
        }
}

static size_t add_key(char keys[][64], size_t nk, size_t max, const char *k)
{
    if (!*k || nk >= max)
        return nk;
    for (size_t i = 0; i < nk; i++)
        if (!strcmp(keys[i], k))
            return nk;
    snprintf(keys[nk], 64, "%s", k);
    return nk + 1;
}

/* the separator at s: ",", "/", ";", "&", " and " (length, 0 if none) */
static size_t vendor_sep(const char *s)
{
    if (*s == ',' || *s == '/' || *s == ';' || *s == '&')
        return 1;
    if (!strncasecmp(s, " and ", 5))
        return 5;
    return 0;
}

size_t vuln_vendor_keys(const char *vendor, char keys[][64], size_t max)
{
    if (!vendor || !*vendor || !max)
        return 0;
    char whole[64];
    vendor_part_key(vendor, strlen(vendor), whole, sizeof whole);
    for (size_t i = 0; i < sizeof vendor_alias / sizeof *vendor_alias; i++)
        if (!strcmp(whole, vendor_alias[i].to) || !strcmp(whole, vendor_alias[i].from))
            return add_key(keys, 0, max, whole);
    /* multi-vendor and "Vendor, Subsidiary" strings: every part is a vendor */
    size_t nk = 0;
    const char *s = vendor, *start = vendor;
    for (;; s++) {
        size_t sep = *s ? vendor_sep(s) : 1;
        if (!sep)
            continue;
        char k[64];
        vendor_part_key(start, (size_t)(s - start), k, sizeof k);
        nk = add_key(keys, nk, max, k);
        if (!*s)
            break;
        s += sep - 1;
        start = s + 1;
    }
    return nk ? nk : add_key(keys, 0, max, whole);
}

/* a likely vendor for order-number forms when no vendor is known */
static const char *vendor_from_order(const char *order)
{
    static const char *const siemens[] = {"6ES", "6AG", "6GK", "6AV", "6GT", "6SL", "6SE", "6ED",
                                          "6EP", "7KM", "7KG", "6MF", "6MD", "6NH", "6GF"};
    for (size_t i = 0; i < sizeof siemens / sizeof *siemens; i++)
        if (!strncmp(order, siemens[i], 3))
            return "siemens";
    if (!strncmp(order, "1756-", 5) || !strncmp(order, "1769-", 5) || !strncmp(order, "5069-", 5) ||
        !strncmp(order, "1783-", 5))
        return "rockwellautomation";
    return NULL;
}

/* ---- names and order numbers ---- */

/* an order number (MLFB-like: "6ES7315-2EH14-0AB0", "6GK5328-4TS01-2EC2") */
static bool looks_like_order(const char *s, size_t len)
{
    if (len < 9 || len > 24 || !isdigit((unsigned char)s[0]))
        return false;
    size_t letters = 0, dashes = 0;
    for (size_t i = 0; i < len; i++) {
        char c = (char)toupper((unsigned char)s[i]);
        if (c == '-')
            dashes++;
        else if (isalpha((unsigned char)c))
            letters += i < 4;
        else if (!isdigit((unsigned char)c))
            return false;
    }
    return dashes >= 1 && letters >= 2;
}

/* upper case without blanks; false (and "") when empty or too long */
static bool order_compact(const char *in, char *out, size_t n)
{
    size_t o = 0;
    out[0] = '\0';
    if (!in)
        return false;
    for (const char *p = in; *p; p++) {
        if (*p == ' ' || *p == '\t')
            continue;
        if (o + 1 >= n) {
            out[0] = '\0';
            return false;
        }
        out[o++] = (char)toupper((unsigned char)*p);
    }
    out[o] = '\0';
    return o > 0;
}

bool vuln_order_norm(const char *in, char *out, size_t n)
{
    if (order_compact(in, out, n) && looks_like_order(out, strlen(out)))
        return true;
    out[0] = '\0';
    return false;
}

/* lower case, NBSP and runs of blanks as one space, trimmed */
static void lower_collapse(const char *in, char *out, size_t n)
{
    size_t o = 0;
    bool space = true;
    for (const unsigned char *p = (const unsigned char *)in; *p && o + 1 < n; p++) {
        unsigned char c = *p;
        if (c == 0xc2 && p[1] == 0xa0) {
            c = ' ';
            p++;
        }
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
            if (!space)
                out[o++] = ' ';
            space = true;
            continue;
        }
        out[o++] = (char)tolower(c);
        space = false;
    }
    while (o && out[o - 1] == ' ')
        o--;
    out[o] = '\0';
}

/* is the parenthesised text (without the parentheses) one to drop from names? */
static bool droppable_paren(const char *s, size_t len)
{
    if (len >= 4 && !strncmp(s, "incl", 4))
        return true;
    /* a list of order numbers */
    size_t i = 0;
    while (i < len) {
        while (i < len && (s[i] == ' ' || s[i] == ',' || s[i] == ';'))
            i++;
        size_t b = i;
        while (i < len && s[i] != ',' && s[i] != ';' && s[i] != ' ')
            i++;
        if (i > b && !looks_like_order(s + b, i - b))
            return false;
    }
    return true;
}

static void drop_parens(char *s)
{
    char *w = s;
    for (char *p = s; *p;) {
        if (*p == '(') {
            char *e = strchr(p, ')');
            size_t len = e ? (size_t)(e - p - 1) : strlen(p + 1);
            if (droppable_paren(p + 1, len)) {
                p = e ? e + 1 : p + 1 + len;
                continue;
            }
        }
        *w++ = *p++;
    }
    *w = '\0';
}

/* "1756- EN2T/D" -> "1756-en2t/d" */
static void tighten_joins(char *s)
{
    char *w = s;
    for (char *p = s; *p; p++) {
        if (*p == ' ' && (p[1] == '-' || p[1] == '/' || (w > s && (w[-1] == '-' || w[-1] == '/'))))
            continue;
        *w++ = *p;
    }
    *w = '\0';
}

static void strip_prefix(char *s, const char *p)
{
    size_t l = strlen(p);
    if (!strncmp(s, p, l) && s[l])
        memmove(s, s + l, strlen(s + l) + 1);
}

/* "simatic s7-300 cpu 315-2 pn/dp" -> "cpu 315-2 pn/dp" (not for family rows) */
static void strip_family_prefix(char *s)
{
    static const char *const brands[] = {"simatic s7-", "siplus s7-"};
    if (strstr(s, "family"))
        return;
    for (size_t i = 0; i < 2; i++) {
        size_t l = strlen(brands[i]);
        if (strncmp(s, brands[i], l) != 0)
            continue;
        const char *p = s + l;
        while (isdigit((unsigned char)*p))
            p++;
        if (!strncmp(p, " cpu ", 5))
            memmove(s, p + 1, strlen(p + 1) + 1);
        return;
    }
}

void vuln_name_norm(const char *name, char *out, size_t n)
{
    char buf[512];
    lower_collapse(name ? name : "", buf, sizeof buf);
    drop_parens(buf);
    tighten_joins(buf);
    static const char *const brands[] = {"allen-bradley ",      "rockwell automation ",
                                         "johnson controls ",   "mitsubishi electric ",
                                         "schneider electric ", "siemens "};
    for (size_t i = 0; i < sizeof brands / sizeof *brands; i++)
        strip_prefix(buf, brands[i]);
    strip_family_prefix(buf);
    lower_collapse(buf, out, n);
}

/* ---- families ---- */

/* an S7 family from a Siemens order number ("6ES7315-..." -> s7-300) */
static const char *family_from_order(const char *o)
{
    if (strncmp(o, "6ES7", 4) && strncmp(o, "6AG1", 4) && strncmp(o, "6AG2", 4))
        return NULL;
    const char *d = o + 4;
    if (!isdigit((unsigned char)d[0]) || !isdigit((unsigned char)d[1]) ||
        !isdigit((unsigned char)d[2]))
        return NULL;
    if (d[0] == '3' && d[1] == '1')
        return "s7-300";
    if (d[0] == '4' && d[1] == '1')
        return d[2] == '0' ? "s7-410" : "s7-400";
    if (d[0] == '5' && d[1] == '1')
        return "s7-1500";
    if (d[0] == '2' && d[1] == '1') {
        /* 6ES7 21x-xxx2x is an S7-200 CPU; generations 3 and 4 are S7-1200 */
        const char *dash = strchr(o, '-');
        if (dash && strlen(dash) > 4 && dash[4] <= '2')
            return NULL;
        return "s7-1200";
    }
    if (!strncmp(d, "151-8", 5) || !strncmp(d, "154-8", 5) || !strncmp(d, "151-7", 5))
        return "s7-300"; /* ET 200 CPUs of the S7-300 family */
    return NULL;
}

/* an S7 family from a CPU name ("cpu 315-2 pn/dp", "cpu 1214c dc/dc/dc") */
static const char *family_from_name(const char *name)
{
    static const char *const fams[] = {"s7-1200", "s7-1500", "s7-300", "s7-410", "s7-400"};
    for (size_t i = 0; i < sizeof fams / sizeof *fams; i++) {
        const char *p = strstr(name, fams[i]);
        if (p && !isdigit((unsigned char)p[strlen(fams[i])]))
            return fams[i];
    }
    const char *p = strstr(name, "cpu ");
    if (!p)
        return NULL;
    p += 4;
    size_t nd = 0;
    while (isdigit((unsigned char)p[nd]))
        nd++;
    if (nd == 3 && p[0] == '3' && p[1] == '1')
        return "s7-300";
    if (nd == 3 && p[0] == '4' && p[1] == '1')
        return p[2] == '0' ? "s7-410" : "s7-400";
    if (nd == 4 && !strncmp(p, "121", 3))
        return "s7-1200";
    if (nd == 4 && !strncmp(p, "151", 3))
        return "s7-1500";
    return NULL;
}

/* an H (fault-tolerant) S7-400 CPU: "cpu 414-4h", order "6ES7414-4HM14-..." */
static bool is_h_cpu(const char *name, const char *order)
{
    const char *p = strstr(name, "cpu 41");
    if (p && strlen(p) >= 10 && p[7] == '-' && isdigit((unsigned char)p[8]) && p[9] == 'h')
        return true;
    const char *d = strchr(order, '-');
    return d && !strncmp(order + 4, "41", 2) && d[1] && d[2] == 'H';
}

/* Rockwell catalog numbers -> controller families (the names CISA rows use) */
static void rockwell_families(const char *compact, char alt[2][48])
{
    alt[0][0] = alt[1][0] = '\0';
    const char *p = strstr(compact, "1756-L");
    if (p && isdigit((unsigned char)p[6]) && isdigit((unsigned char)p[7])) {
        bool safety = p[8] == 'S' || (p[8] == 'E' && p[9] == 'S');
        const char *gen = p[6] == '6' ? "5560" : p[6] == '7' ? "5570" : p[6] == '8' ? "5580" : NULL;
        if (gen)
            snprintf(alt[0], 48, "%s %s", safety ? "guardlogix" : "controllogix", gen);
        return;
    }
    p = strstr(compact, "1769-L");
    if (p && isdigit((unsigned char)p[6]) && isdigit((unsigned char)p[7]) && p[8] == 'E' &&
        p[9] == 'R') {
        bool safety = strstr(p, "MS") != NULL;
        if (safety) {
            snprintf(alt[0], 48, "compact guardlogix 5370");
        } else if (p[6] >= '1' && p[6] <= '3') {
            snprintf(alt[0], 48, "compactlogix 5370 l%c", p[6]);
            snprintf(alt[1], 48, "compactlogix 5370");
        }
        return;
    }
    p = strstr(compact, "5069-L");
    if (p && isdigit((unsigned char)p[6])) {
        bool safety = strstr(p, "S2") != NULL;
        const char *gen = p[6] == '3' ? "5380" : p[6] == '4' ? "5480" : NULL;
        if (gen)
            snprintf(alt[0], 48, "%s %s", safety ? "compact guardlogix" : "compactlogix", gen);
    }
}

/* a row name as a catalog family ("Allen-Bradley CompactLogix 5370 L1 controllers" ->
 * "compactlogix 5370 l1") */
static void row_catalog_family(const char *norm, char *out, size_t n)
{
    static const char *const fams[] = {"controllogix 55", "guardlogix 55", "compactlogix 53",
                                       "compactlogix 54", "compact guardlogix 5"};
    out[0] = '\0';
    for (size_t i = 0; i < sizeof fams / sizeof *fams; i++) {
        if (strncmp(norm, fams[i], strlen(fams[i])) != 0)
            continue;
        snprintf(out, n, "%s", norm);
        static const char *const tails[] = {" controllers", " controller", " family", " series"};
        for (size_t t = 0; t < sizeof tails / sizeof *tails; t++) {
            size_t l = strlen(out), tl = strlen(tails[t]);
            if (l > tl && !strcmp(out + l - tl, tails[t]))
                out[l - tl] = '\0';
        }
        return;
    }
}

/* ---- idents (assets and queries) ---- */

static void compact_upper(const char *in, char *out, size_t n)
{
    size_t o = 0;
    for (const char *p = in; p && *p && o + 1 < n; p++)
        if (*p != ' ' && *p != '\t')
            out[o++] = (char)toupper((unsigned char)*p);
    out[o] = '\0';
}

/* "SCALANCE XC224-4C G (6GK5224-4GS00-2AC2)": the order number in the product name */
static void order_in_name(const char *name, char *out, size_t n)
{
    const char *p = name ? strchr(name, '(') : NULL;
    for (; p; p = strchr(p + 1, '(')) {
        const char *e = strchr(p, ')');
        if (!e || (size_t)(e - p) > 40)
            continue;
        char tmp[48];
        snprintf(tmp, sizeof tmp, "%.*s", (int)(e - p - 1), p + 1);
        if (vuln_order_norm(tmp, out, n))
            return;
    }
    out[0] = '\0';
}

void vuln_ident_init(struct vuln_ident *id, const char *vendor, const char *product,
                     const char *order, const char *version)
{
    memset(id, 0, sizeof *id);
    id->nvendors = vuln_vendor_keys(vendor, id->vendors, VVENDORS_MAX);
    if (!order_compact(order, id->order, sizeof id->order))
        order_in_name(product, id->order, sizeof id->order);
    if (!id->order[0])
        vuln_order_norm(product, id->order, sizeof id->order);
    if (!id->nvendors && id->order[0]) {
        const char *v = vendor_from_order(id->order);
        if (v)
            id->nvendors = add_key(id->vendors, 0, VVENDORS_MAX, v);
    }
    vuln_name_norm(product, id->name, sizeof id->name);
    compact_upper(product, id->compact, sizeof id->compact);
    const char *fam = id->order[0] ? family_from_order(id->order) : NULL;
    if (!fam)
        fam = family_from_name(id->name);
    if (fam)
        snprintf(id->family, sizeof id->family, "%s", fam);
    id->siplus = !strncmp(id->order, "6AG", 3) || !strncmp(id->name, "siplus", 6);
    id->cpu_h = is_h_cpu(id->name, id->order);
    id->cpu_pndp = strstr(id->name, "pn/dp") != NULL;
    char cat[160];
    snprintf(cat, sizeof cat, "%s %s", id->order, id->compact);
    rockwell_families(cat, id->fam_alt);
    if (!id->fam_alt[0][0]) {
        char rf[48];
        row_catalog_family(id->name, rf, sizeof rf);
        snprintf(id->fam_alt[0], sizeof id->fam_alt[0], "%s", rf);
    }
    snprintf(id->version, sizeof id->version, "%s", version ? version : "");
}

/* ---- product rows ---- */

static void add_word(char *list, size_t n, const char *w, char sep)
{
    size_t l = strlen(list);
    snprintf(list + l, n - l, "%s%s", l ? (char[]){sep, '\0'} : "", w);
}

static bool in_list(const char *list, const char *w)
{
    size_t l = strlen(w);
    for (const char *p = strstr(list, w); p; p = strstr(p + 1, w))
        if ((p == list || p[-1] == ' ') && (p[l] == ' ' || p[l] == '\0'))
            return true;
    return false;
}

/* order numbers from model_numbers and from "(6ES7315-2EH14-0AB0)" in the name */
static void row_orders(const char *name, const char *const *models, size_t nmodels, char *out,
                       size_t n)
{
    out[0] = '\0';
    char o[64];
    for (size_t i = 0; i < nmodels; i++)
        if (models[i] && order_compact(models[i], o, sizeof o) && !in_list(out, o))
            add_word(out, n, o, ' ');
    for (const char *p = strchr(name, '('); p; p = strchr(p + 1, '(')) {
        const char *e = strchr(p, ')');
        if (!e)
            break;
        const char *s = p + 1;
        while (s < e) {
            while (s < e && (*s == ' ' || *s == ',' || *s == ';'))
                s++;
            const char *b = s;
            while (s < e && *s != ',' && *s != ';' && *s != ' ')
                s++;
            char tok[64];
            snprintf(tok, sizeof tok, "%.*s", (int)(s - b), b);
            if (s > b && vuln_order_norm(tok, o, sizeof o) && !in_list(out, o))
                add_word(out, n, o, ' ');
        }
    }
}

/* part-number patterns: "(part numbers BMXP34*)", and names written with wildcards
 * ("CJ2H-CPU**(-EIP)", "CJ1G-CPU □ □ P") */
static void row_patterns(const char *name, char *out, size_t n)
{
    out[0] = '\0';
    const char *p = strstr(name, "part number");
    if (p) {
        p += 11;
        if (*p == 's')
            p++;
        while (*p == ' ' || *p == ':')
            p++;
        char pat[64];
        size_t l = 0;
        while (p[l] && p[l] != ')' && p[l] != ',' && l + 1 < sizeof pat)
            l++;
        snprintf(pat, sizeof pat, "%.*s", (int)l, p);
        char c[64];
        compact_upper(pat, c, sizeof c);
        if (strchr(c, '*'))
            add_word(out, n, c, '|');
        return;
    }
    if (strchr(name, '*') || strstr(name, BOX)) {
        char c[128];
        compact_upper(name, c, sizeof c);
        add_word(out, n, c, '|');
    }
}

static bool has_word(const char *s, const char *w)
{
    size_t l = strlen(w);
    for (const char *p = strstr(s, w); p; p = strstr(p + 1, w))
        if ((p == s || p[-1] == ' ') && (p[l] == ' ' || p[l] == '\0'))
            return true;
    return false;
}

void vuln_row_analyse(const char *vendor, const char *name, const char *const *models,
                      size_t nmodels, struct vuln_row *row)
{
    memset(row, 0, sizeof *row);
    row->nvendors = vuln_vendor_keys(vendor, row->vendors, VVENDORS_MAX);
    vuln_name_norm(name, row->name, sizeof row->name);
    row_orders(name ? name : "", models, nmodels, row->orders, sizeof row->orders);
    char low[512];
    lower_collapse(name ? name : "", low, sizeof low);
    const char *fam = family_from_name(low);
    size_t ll = strlen(low);
    bool ends_cpu = ll > 4 && !strcmp(low + ll - 4, " cpu");
    if (fam && ((strstr(low, "cpu") && strstr(low, "family")) || ends_cpu ||
                strstr(low, "cpu hardware version"))) {
        snprintf(row->family, sizeof row->family, "%s", fam);
        row->incl_siplus = strstr(low, "siplus") != NULL;
        row->need_h = !strcmp(fam, "s7-400") && has_word(low, "h");
        row->need_pndp = strstr(low, "pn/dp") != NULL;
        row->hw_version = strstr(low, "hardware version") != NULL;
    }
    row_catalog_family(row->name, row->fam_alt, sizeof row->fam_alt);
    row_patterns(name ? name : "", row->patterns, sizeof row->patterns);
    if (!vuln_name_version(name, row->name_ver, sizeof row->name_ver))
        row->name_ver[0] = '\0';
}

static size_t put_key(char keys[][VKEY_MAX], size_t nk, size_t max, const char *kind,
                      const char *vendor, const char *what)
{
    if (nk >= max || !*what)
        return nk;
    if (vendor)
        snprintf(keys[nk], VKEY_MAX, "%s:%s|%s", kind, vendor, what);
    else
        snprintf(keys[nk], VKEY_MAX, "%s:%s", kind, what);
    for (size_t i = 0; i < nk; i++)
        if (!strcmp(keys[i], keys[nk]))
            return nk;
    return nk + 1;
}

size_t vuln_row_keys(const struct vuln_row *row, char keys[][VKEY_MAX], size_t max)
{
    size_t nk = 0;
    for (size_t v = 0; v < row->nvendors; v++) {
        nk = put_key(keys, nk, max, "n", row->vendors[v], row->name);
        nk = put_key(keys, nk, max, "f", row->vendors[v], row->family);
        nk = put_key(keys, nk, max, "f", row->vendors[v], row->fam_alt);
        if (row->patterns[0])
            nk = put_key(keys, nk, max, "g", row->vendors[v], "*");
    }
    char tmp[sizeof row->orders];
    snprintf(tmp, sizeof tmp, "%s", row->orders);
    for (char *save = NULL, *o = strtok_r(tmp, " ", &save); o; o = strtok_r(NULL, " ", &save))
        nk = put_key(keys, nk, max, "o", NULL, o);
    return nk;
}

size_t vuln_ident_keys(const struct vuln_ident *id, char keys[][VKEY_MAX], size_t max)
{
    size_t nk = 0;
    for (size_t v = 0; v < id->nvendors; v++) {
        nk = put_key(keys, nk, max, "n", id->vendors[v], id->name);
        nk = put_key(keys, nk, max, "f", id->vendors[v], id->family);
        nk = put_key(keys, nk, max, "f", id->vendors[v], id->fam_alt[0]);
        nk = put_key(keys, nk, max, "f", id->vendors[v], id->fam_alt[1]);
        nk = put_key(keys, nk, max, "g", id->vendors[v], "*");
    }
    nk = put_key(keys, nk, max, "o", NULL, id->order);
    return nk;
}

/* ---- fitting a row to an ident ---- */

static bool vendor_fits(const struct vuln_row *row, const struct vuln_ident *id)
{
    for (size_t i = 0; i < row->nvendors; i++)
        for (size_t k = 0; k < id->nvendors; k++)
            if (!strcmp(row->vendors[i], id->vendors[k]))
                return true;
    return false;
}

/* '*' any run, "□" one character; iterative with one backtracking point, so a pattern of many
 * stars cannot explode */
static bool glob_plain(const char *p, const char *s)
{
    const char *star_p = NULL, *star_s = NULL;
    while (*s) {
        if (*p == '*') {
            star_p = ++p;
            star_s = s;
        } else if (!strncmp(p, BOX, 3)) {
            p += 3;
            s++;
        } else if (*p && *p == *s) {
            p++;
            s++;
        } else if (star_p) {
            p = star_p;
            s = ++star_s;
        } else {
            return false;
        }
    }
    while (*p == '*')
        p++;
    return !*p;
}

/* "(...)" groups are optional: tried with and without (at most 3 groups) */
static bool glob(const char *p, const char *s, int groups)
{
    const char *o = strchr(p, '('), *e = o ? strchr(o, ')') : NULL;
    if (!o || !e || groups >= 3)
        return glob_plain(p, s);
    char with[128], without[128];
    int a =
        snprintf(with, sizeof with, "%.*s%.*s%s", (int)(o - p), p, (int)(e - o - 1), o + 1, e + 1);
    int b = snprintf(without, sizeof without, "%.*s%s", (int)(o - p), p, e + 1);
    if (a < 0 || b < 0 || (size_t)a >= sizeof with || (size_t)b >= sizeof without)
        return false;
    return glob(with, s, groups + 1) || glob(without, s, groups + 1);
}

static bool pattern_fits(const char *patterns, const struct vuln_ident *id)
{
    char tmp[256];
    snprintf(tmp, sizeof tmp, "%s", patterns);
    for (char *save = NULL, *p = strtok_r(tmp, "|", &save); p; p = strtok_r(NULL, "|", &save)) {
        if (strlen(p) > 120)
            continue; /* bound the backtracking */
        if ((id->compact[0] && glob(p, id->compact, 0)) || (id->order[0] && glob(p, id->order, 0)))
            return true;
    }
    return false;
}

/* an NVD platform (hardware CPE names, '|'-separated): does the asset's product fit one? */
static enum vcert platform_fits(const char *platform, const struct vuln_ident *id)
{
    if (!platform || !*platform)
        return VC_CERTAIN;
    if (!id->name[0])
        return VC_POSSIBLE;
    char tmp[1024];
    snprintf(tmp, sizeof tmp, "%s", platform);
    for (char *save = NULL, *p = strtok_r(tmp, "|", &save); p; p = strtok_r(NULL, "|", &save)) {
        size_t l = strlen(p);
        if (!strncmp(id->name, p, l) && (id->name[l] == ' ' || id->name[l] == '\0'))
            return VC_CERTAIN;
    }
    return VC_NONE;
}

static enum vcert family_fit(const struct vuln_row *row, const struct vuln_ident *id, char *why,
                             size_t n)
{
    if (id->siplus && !row->incl_siplus) {
        snprintf(why, n, "SIPLUS part, family row without SIPLUS variants");
        return VC_POSSIBLE;
    }
    bool named = !strncmp(id->name, "cpu ", 4);
    if ((row->need_h && !id->cpu_h) || (row->need_pndp && !id->cpu_pndp)) {
        if (named)
            return VC_NONE;
        snprintf(why, n, "%s family row for %s CPUs; CPU type not known", row->family,
                 row->need_h ? "H" : "PN/DP");
        return VC_POSSIBLE;
    }
    if (row->hw_version) {
        snprintf(why, n, "%s family row by hardware version, which is not known", row->family);
        return VC_POSSIBLE;
    }
    bool by_order = id->order[0] && family_from_order(id->order) != NULL;
    snprintf(why, n, "%s CPU family (from %s)", row->family,
             by_order ? "order number" : "CPU name");
    return VC_CERTAIN;
}

enum vcert vuln_product_fit(const struct vuln_row *row, const char *platform,
                            const struct vuln_ident *id, char *why, size_t n)
{
    why[0] = '\0';
    if (!vendor_fits(row, id))
        return VC_NONE;
    enum vcert c = VC_NONE;
    if (row->orders[0] && id->order[0]) {
        if (in_list(row->orders, id->order)) {
            snprintf(why, n, "order number %s", id->order);
            c = VC_CERTAIN;
        }
        /* a different order number is different hardware, whatever the name says */
    } else if (id->name[0] && !strcmp(row->name, id->name)) {
        if (row->hw_ambiguous) {
            snprintf(why, n,
                     "product name; the advisory tells hardware apart by order number"
                     " (this row: %.*s), the asset's is not known",
                     40, row->orders);
            c = VC_POSSIBLE;
        } else {
            snprintf(why, n, "product name");
            c = VC_CERTAIN;
        }
    }
    if (c == VC_NONE && row->family[0] && !strcmp(row->family, id->family))
        c = family_fit(row, id, why, n);
    if (c == VC_NONE && row->fam_alt[0] &&
        (!strcmp(row->fam_alt, id->fam_alt[0]) || !strcmp(row->fam_alt, id->fam_alt[1]))) {
        snprintf(why, n, "%s (catalog number)", row->fam_alt);
        c = VC_CERTAIN;
    }
    if (c == VC_NONE && row->patterns[0] && pattern_fits(row->patterns, id)) {
        snprintf(why, n, "part-number pattern %.60s", row->patterns);
        c = VC_CERTAIN;
    }
    if (c == VC_NONE)
        return VC_NONE;
    enum vcert pf = platform_fits(platform, id);
    if (pf == VC_NONE)
        return VC_NONE;
    if (pf == VC_POSSIBLE) {
        snprintf(why + strlen(why), n - strlen(why), "; hardware platform not known");
        c = VC_POSSIBLE;
    }
    if (id->vendor_weak && c == VC_CERTAIN) {
        snprintf(why + strlen(why), n - strlen(why), "; vendor only from the MAC address");
        c = VC_POSSIBLE;
    }
    return c;
}

static enum vcert min_cert(enum vcert a, enum vcert b)
{
    return a < b ? a : b;
}

enum vcert vuln_row_match(const struct vuln_row *row, const char *platform, const char *range,
                          const struct vuln_ident *id, char *reason, size_t n)
{
    char why[256], vr[256];
    enum vcert c = vuln_product_fit(row, platform, id, why, sizeof why);
    if (c == VC_NONE)
        return VC_NONE;
    bool exact_name = id->name[0] && !strcmp(row->name, id->name);
    if (row->name_ver[0]) {
        struct vrange nr;
        vuln_range_parse(row->name_ver, &nr);
        enum vres r = vuln_range_eval(&nr, id->version, NULL, 0);
        if (r == VRES_OUT && !exact_name)
            return VC_NONE; /* "S7-1200 CPU family < V4.x" is not about a V4.2.3 CPU */
        if (r != VRES_IN) {
            snprintf(why + strlen(why), sizeof why - strlen(why),
                     "; version %s does not fit the version in the product name (%s)", id->version,
                     row->name_ver);
            c = VC_POSSIBLE;
        }
    }
    struct vrange rr;
    vuln_range_parse(range, &rr);
    enum vres r = vuln_range_eval(&rr, id->version, vr, sizeof vr);
    if (r == VRES_OUT)
        return VC_NONE;
    if (r == VRES_UNKNOWN) {
        c = min_cert(c, VC_POSSIBLE);
        if (rr.kind == VR_UNKNOWN)
            snprintf(vr, sizeof vr, "range '%.80s' cannot be evaluated", range ? range : "");
    }
    snprintf(reason, n, "%s; %s", vr, why);
    return c;
}
