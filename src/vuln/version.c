/* version.c - ICS firmware versions and the ranges advisories write them in (CSAF 2.0 §3.1.3.4
 * "vers:" ranges as CISA uses them, free comparator text, bare versions and lists), after the
 * rules in ../shared/vulndata/README.md.  What does not fit the rules is VR_UNKNOWN: callers turn
 * it into a "possible" match, never into a guess. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "vuln/vuln.h"

#define VTEXT_MAX 256

/* ---- small text helpers (input is untrusted: everything is bounded) ---- */

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* copy s into out (size n) with blanks trimmed at both ends and non-breaking spaces as blanks;
 * false when it does not fit */
static bool trimmed_copy(const char *s, char *out, size_t n)
{
    size_t o = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        char c = (char)*p;
        if (p[0] == 0xc2 && p[1] == 0xa0) {
            c = ' ';
            p++;
        }
        if (o + 1 >= n)
            return false;
        out[o++] = c;
    }
    out[o] = '\0';
    size_t b = 0;
    while (is_blank(out[b]))
        b++;
    while (o > b && is_blank(out[o - 1]))
        o--;
    memmove(out, out + b, o - b);
    out[o - b] = '\0';
    return true;
}

static bool prefix_ci(const char *s, const char *p)
{
    return strncasecmp(s, p, strlen(p)) == 0;
}

static bool is_wild(char c)
{
    return c == 'x' || c == 'X' || c == '*';
}

/* ---- one version ---- */

/* rule 1: strip "V", "v.", "SV", "R", "FW", "Version ", "firmware ", "Ver." when a number (or an
 * X wildcard) follows */
static const char *strip_prefixes(const char *s)
{
    static const char *const pre[] = {"version ", "firmware ", "ver.", "ver ", "fw ", "fw",
                                      "v. ",      "v.",        "sv",   "v ",   "v",   "r"};
    for (int round = 0; round < 3; round++) {
        bool any = false;
        for (size_t i = 0; i < sizeof pre / sizeof *pre; i++) {
            size_t l = strlen(pre[i]);
            if (!prefix_ci(s, pre[i]))
                continue;
            char next = s[l];
            bool num = isdigit((unsigned char)next) || (pre[i][0] == 'v' && is_wild(next)) ||
                       (l > 2 && (next == 'V' || next == 'v'));
            if (!num)
                continue;
            s += l;
            any = true;
            break;
        }
        if (!any)
            break;
    }
    return s;
}

static bool parse_uint(const char **sp, uint32_t *out)
{
    const char *s = *sp;
    if (!isdigit((unsigned char)*s))
        return false;
    uint64_t v = 0;
    while (isdigit((unsigned char)*s)) {
        v = v * 10 + (uint64_t)(*s - '0');
        if (v > 0xffffffffu)
            return false;
        s++;
    }
    *out = (uint32_t)v;
    *sp = s;
    return true;
}

/* rule 2 and 5: dotted components, X wildcards */
static bool parse_components(const char **sp, struct vver *v)
{
    const char *s = *sp;
    for (;;) {
        if (v->n >= VER_MAXC)
            return false;
        if (is_wild(*s)) {
            v->wild |= (uint8_t)(1u << v->n);
            v->c[v->n++] = 0;
            s++;
        } else if (!parse_uint(&s, &v->c[v->n++])) {
            return false;
        }
        if (s[0] == '.' && (isdigit((unsigned char)s[1]) || is_wild(s[1])))
            s++;
        else
            break;
    }
    v->trail_wild = (v->wild >> (v->n - 1)) & 1u;
    *sp = s;
    return true;
}

/* rule 4: WAGO "02.07.07(10)", the firmware index as the last component */
static bool parse_paren_index(const char **sp, struct vver *v)
{
    const char *s = *sp;
    if (*s != '(')
        return true;
    s++;
    uint32_t idx;
    if (!parse_uint(&s, &idx) || *s != ')' || v->n >= VER_MAXC || v->trail_wild)
        return false;
    v->c[v->n++] = idx;
    *sp = s + 1;
    return true;
}

/* rule 3: SP, Update/Upd, HF/Hotfix, P; '_' and blanks separate */
static bool parse_qualifiers(const char *s, struct vver *v)
{
    static const struct {
        const char *word;
        int q;
    } kw[] = {{"update", VQ_UPDATE}, {"upd", VQ_UPDATE}, {"sp", VQ_SP},
              {"hotfix", VQ_HF},     {"hf", VQ_HF},      {"p", VQ_PATCH}};
    bool seen[VQ_N] = {false};
    for (;;) {
        while (*s == ' ' || *s == '_')
            s++;
        if (!*s)
            return true;
        size_t i;
        for (i = 0; i < sizeof kw / sizeof *kw; i++)
            if (prefix_ci(s, kw[i].word))
                break;
        if (i == sizeof kw / sizeof *kw || seen[kw[i].q])
            return false;
        s += strlen(kw[i].word);
        while (*s == ' ' || *s == '_')
            s++;
        uint32_t num;
        if (!parse_uint(&s, &num))
            return false;
        /* "Update 3a" and the like: a letter glued to the number is not a qualifier */
        if (isalpha((unsigned char)*s))
            return false;
        v->q[kw[i].q] = num;
        seen[kw[i].q] = true;
    }
}

bool vuln_ver_parse(const char *text, struct vver *v)
{
    memset(v, 0, sizeof *v);
    char buf[VTEXT_MAX];
    if (!text || !trimmed_copy(text, buf, sizeof buf) || !buf[0])
        return false;
    const char *s = strip_prefixes(buf);
    if (!parse_components(&s, v) || !parse_paren_index(&s, v))
        return false;
    if (*s && *s != ' ' && *s != '_')
        return false; /* "1.53F", "4.4u3", "1.00-06" */
    return parse_qualifiers(s, v);
}

int vuln_ver_cmp(const struct vver *a, const struct vver *b)
{
    size_t n = a->n > b->n ? a->n : b->n;
    for (size_t i = 0; i < n; i++) {
        if (i < b->n && ((b->wild >> i) & 1u))
            continue;
        if (i < a->n && ((a->wild >> i) & 1u))
            continue;
        if (b->trail_wild && i >= b->n)
            return 0;
        uint32_t x = i < a->n ? a->c[i] : 0, y = i < b->n ? b->c[i] : 0;
        if (x != y)
            return x < y ? -1 : 1;
    }
    if (b->trail_wild || a->trail_wild)
        return 0;
    for (int q = 0; q < VQ_N; q++)
        if (a->q[q] != b->q[q])
            return a->q[q] < b->q[q] ? -1 : 1;
    return 0;
}

/* ---- ranges ---- */

static bool op_holds(enum vop op, int c)
{
    switch (op) {
    case VOP_LT:
        return c < 0;
    case VOP_LE:
        return c <= 0;
    case VOP_GT:
        return c > 0;
    case VOP_GE:
        return c >= 0;
    case VOP_EQ:
        return c == 0;
    }
    return false;
}

static const char *op_text(enum vop op)
{
    static const char *const t[] = {"<", "<=", ">", ">=", "="};
    return t[op];
}

static bool is_op_char(char c)
{
    return c == '<' || c == '>' || c == '=';
}

static const char *parse_op(const char *s, enum vop *op)
{
    if (s[0] == '<' && s[1] == '=')
        *op = VOP_LE;
    else if (s[0] == '>' && s[1] == '=')
        *op = VOP_GE;
    else if (s[0] == '=' && s[1] == '<')
        *op = VOP_LE;
    else if (s[0] == '=' && s[1] == '>')
        *op = VOP_GE;
    else if (s[0] == '=' && s[1] == '=')
        *op = VOP_EQ;
    else if (s[0] == '<')
        return *op = VOP_LT, s + 1;
    else if (s[0] == '>')
        return *op = VOP_GT, s + 1;
    else if (s[0] == '=')
        return *op = VOP_EQ, s + 1;
    else
        return NULL;
    return s + 2;
}

static bool add_constraint(struct vrange *r, enum vop op, const char *tok, size_t len)
{
    if (r->n >= VRANGE_MAX || len == 0 || len >= sizeof r->c[0].text)
        return false;
    char t[sizeof r->c[0].text];
    memcpy(t, tok, len);
    t[len] = '\0';
    char trimmed[sizeof t];
    if (!trimmed_copy(t, trimmed, sizeof trimmed) || !vuln_ver_parse(trimmed, &r->c[r->n].v))
        return false;
    r->c[r->n].op = op;
    const char *shown = trimmed; /* "Version V4.4" reads as "V4.4" in reasons */
    if (prefix_ci(shown, "version ") && (shown[8] == 'V' || shown[8] == 'v'))
        shown += 8;
    snprintf(r->c[r->n].text, sizeof r->c[r->n].text, "%s", shown);
    r->n++;
    return true;
}

/* "< V4.1.0", ">= V6.2 < V7.1", ">=8.3.0 | <=8.4.2", ">=V4.5.0<V4.5.2": every comparator must
 * hold.  A token runs to the next comparator or '|'. */
static bool parse_comparators(const char *s, struct vrange *r)
{
    for (;;) {
        while (is_blank(*s) || *s == '|' || *s == ',')
            s++;
        if (r->n && !strncasecmp(s, "and ", 4)) /* ">= V2.0 and < V2.5" */
            s += 4;
        while (is_blank(*s))
            s++;
        if (!*s)
            return r->n > 0;
        enum vop op;
        s = parse_op(s, &op);
        if (!s)
            return false;
        while (is_blank(*s))
            s++;
        const char *t = s;
        while (*s && *s != '|' && !is_op_char(*s) &&
               !(is_blank(*s) && !strncasecmp(s + 1, "and ", 4)))
            s++;
        if (!add_constraint(r, op, t, (size_t)(s - t)))
            return false;
    }
}

/* "V4.5.0", "28.011 | 28.012", "R101 | R110": one of them exactly */
static bool parse_list(const char *s, struct vrange *r)
{
    for (;;) {
        const char *t = s;
        while (*s && *s != '|')
            s++;
        if (!add_constraint(r, VOP_EQ, t, (size_t)(s - t)))
            return false;
        if (!*s)
            return true;
        s++;
    }
}

static bool is_all(const char *s)
{
    return !strcmp(s, "*") || !strcasecmp(s, "all") || !strcasecmp(s, "all versions") ||
           !strcasecmp(s, "all firmware versions");
}

/* "All versions < V7.4 SP1", "All firmware versions < V6.00.320" -> the comparator text */
static const char *strip_all_versions(const char *s)
{
    static const char *const pre[] = {"all firmware versions", "all versions"};
    for (size_t i = 0; i < 2; i++) {
        size_t l = strlen(pre[i]);
        if (prefix_ci(s, pre[i]) && (is_blank(s[l]) || is_op_char(s[l]))) {
            s += l;
            while (is_blank(*s))
                s++;
            return s;
        }
    }
    return s;
}

void vuln_range_parse(const char *text, struct vrange *r)
{
    memset(r, 0, sizeof *r);
    r->kind = VR_UNKNOWN;
    char buf[VTEXT_MAX];
    if (!text || !trimmed_copy(text, buf, sizeof buf))
        return;
    const char *s = buf;
    bool vers = prefix_ci(s, "vers:");
    if (vers) { /* vers:all/..., vers:intdot/...: the scheme is ignored, ICS rules apply */
        const char *slash = strchr(s, '/');
        if (!slash)
            return;
        s = slash + 1;
        while (is_blank(*s))
            s++;
    } else {
        s = strip_all_versions(s);
    }
    if (is_all(s) || (!*s && (vers || s != buf))) {
        r->kind = VR_ALL;
        return;
    }
    if (!*s)
        return;
    bool ok = is_op_char(*s) ? parse_comparators(s, r) : parse_list(s, r);
    if (!ok) {
        r->n = 0;
        return;
    }
    r->kind = is_op_char(*s) ? VR_INTERVAL : VR_ANYOF;
}

static void join_reason(char *reason, size_t n, size_t *o, const char *ver, enum vop op,
                        const char *bound, bool first)
{
    if (!reason || *o >= n)
        return;
    int w = first ? snprintf(reason + *o, n - *o, "version %s %s %s", ver, op_text(op), bound)
                  : snprintf(reason + *o, n - *o, " and %s %s", op_text(op), bound);
    if (w > 0)
        *o += (size_t)w;
}

enum vres vuln_range_eval(const struct vrange *r, const char *version, char *reason, size_t n)
{
    if (reason && n)
        reason[0] = '\0';
    if (r->kind == VR_UNKNOWN) {
        if (reason)
            snprintf(reason, n, "range cannot be evaluated");
        return VRES_UNKNOWN;
    }
    if (r->kind == VR_ALL) {
        if (reason)
            snprintf(reason, n, "all versions");
        return VRES_IN;
    }
    struct vver v;
    if (!vuln_ver_parse(version, &v)) {
        if (reason)
            snprintf(reason, n, "version '%s' cannot be compared", version ? version : "");
        return VRES_UNKNOWN;
    }
    size_t o = 0;
    for (size_t i = 0; i < r->n; i++) {
        bool holds = op_holds(r->c[i].op, vuln_ver_cmp(&v, &r->c[i].v));
        if (r->kind == VR_ANYOF && holds) {
            o = 0;
            join_reason(reason, n, &o, version, VOP_EQ, r->c[i].text, true);
            return VRES_IN;
        }
        if (r->kind == VR_INTERVAL) {
            if (!holds) {
                if (reason)
                    snprintf(reason, n, "version %s not %s %s", version, op_text(r->c[i].op),
                             r->c[i].text);
                return VRES_OUT;
            }
            join_reason(reason, n, &o, version, r->c[i].op, r->c[i].text, i == 0);
        }
    }
    if (r->kind == VR_ANYOF) {
        if (reason)
            snprintf(reason, n, "version %s is none of the listed versions", version);
        return VRES_OUT;
    }
    return VRES_IN;
}

/* ---- versions inside product names ---- */

/* a "V4.7", "V4.x", "V18" word at s (after a blank or the start); its length, 0 if none */
static size_t name_version_word(const char *name, const char *s)
{
    if (s != name && !is_blank(s[-1]) && s[-1] != '(')
        return 0;
    if ((s[0] != 'V' && s[0] != 'v') || !isdigit((unsigned char)s[1]))
        return 0;
    const char *p = s + 1;
    for (;;) {
        while (isdigit((unsigned char)*p))
            p++;
        if (*p != '.' || !(isdigit((unsigned char)p[1]) || is_wild(p[1])))
            break;
        p++;
        if (is_wild(*p)) {
            p++;
            break;
        }
    }
    if (*p && !is_blank(*p) && *p != ')' && *p != ',' && *p != ':')
        return 0;
    return (size_t)(p - s);
}

/* the word before s, lower case, into w */
static void word_before(const char *name, const char *s, char *w, size_t n)
{
    const char *e = s;
    while (e > name && is_blank(e[-1]))
        e--;
    const char *b = e;
    while (b > name && !is_blank(b[-1]))
        b--;
    size_t l = (size_t)(e - b) < n - 1 ? (size_t)(e - b) : n - 1;
    for (size_t i = 0; i < l; i++)
        w[i] = (char)tolower((unsigned char)b[i]);
    w[l] = '\0';
}

static bool has_ci(const char *hay, const char *needle)
{
    size_t l = strlen(needle);
    for (const char *p = hay; *p; p++)
        if (!strncasecmp(p, needle, l))
            return true;
    return false;
}

/* "SINAMICS V20" is a drive, not version 20 */
static bool model_word(const char *prev)
{
    return !strcmp(prev, "sinamics") || !strcmp(prev, "simotics");
}

bool vuln_name_version(const char *name, char *out, size_t n)
{
    char buf[VTEXT_MAX];
    if (!name || !trimmed_copy(name, buf, sizeof buf))
        return false;
    for (const char *s = buf; *s; s++) {
        size_t l = name_version_word(buf, s);
        bool version_word = false;
        if (!l && !strncasecmp(s, "version ", 8) && isdigit((unsigned char)s[8]) &&
            (s == buf || is_blank(s[-1]))) {
            char prev[32];
            word_before(buf, s, prev, sizeof prev);
            if (!strcmp(prev, "hardware"))
                return false; /* a hardware version is not the firmware version */
            s += 8;
            for (l = 0; isdigit((unsigned char)s[l]) || s[l] == '.'; l++)
                ;
            version_word = true;
        }
        if (!l)
            continue;
        char prev[32];
        word_before(buf, version_word ? s - 8 : s, prev, sizeof prev);
        if (model_word(prev))
            continue;
        char ver[40];
        size_t vl = version_word ? l : l - 1;
        const char *vs = version_word ? s : s + 1;
        if (vl >= sizeof ver - 3)
            return false;
        memcpy(ver, vs, vl);
        ver[vl] = '\0';
        while (vl && ver[vl - 1] == '.')
            ver[--vl] = '\0';
        bool wild = vl && is_wild(ver[vl - 1]);
        const char *rest = s + l;
        if (!strcmp(prev, "<") || !strcmp(prev, "to") || !strcmp(prev, "before"))
            snprintf(out, n, "< %s", ver); /* "< V4.x", "prior to V4.7" */
        else if (has_ci(rest, " and below") || has_ci(rest, " and earlier") ||
                 has_ci(rest, " and prior") || has_ci(rest, " and older") ||
                 has_ci(rest, " or earlier"))
            snprintf(out, n, "<= %s%s", ver, wild ? "" : ".x");
        else
            snprintf(out, n, "%s%s", ver, wild ? "" : ".x");
        return true;
    }
    return false;
}

/* ---- wildcard bounds made concrete ---- */

bool vuln_ver_fill(const char *pattern, const char *version, char *out, size_t n)
{
    struct vver p, v;
    char buf[VTEXT_MAX];
    if (!vuln_ver_parse(pattern, &p) || !p.wild || !vuln_ver_parse(version, &v) ||
        !trimmed_copy(pattern, buf, sizeof buf))
        return false;
    const char *s = strip_prefixes(buf);
    size_t o = (size_t)(s - buf) < n ? (size_t)(s - buf) : 0;
    memcpy(out, buf, o);
    for (size_t comp = 0; *s && o + 12 < n; comp++) {
        if (is_wild(*s)) {
            o += (size_t)snprintf(out + o, n - o, "%u", comp < v.n ? v.c[comp] : 0);
            s++;
        } else {
            while (isdigit((unsigned char)*s) && o + 1 < n)
                out[o++] = *s++;
        }
        if (s[0] != '.' || !(isdigit((unsigned char)s[1]) || is_wild(s[1])))
            break;
        out[o++] = *s++;
    }
    snprintf(out + o, n - o, "%s", s);
    return true;
}

/* ---- fixed versions in remediation text ---- */

static const char *find_ci(const char *hay, const char *needle)
{
    size_t l = strlen(needle);
    for (const char *p = hay; *p; p++)
        if (!strncasecmp(p, needle, l))
            return p;
    return NULL;
}

/* the longest prefix of s (up to " or later", " -", ",", ";", a line end) that parses */
static bool longest_version(const char *s, char *out, size_t n)
{
    char buf[64];
    size_t l = 0;
    while (s[l] && l < sizeof buf - 1 && s[l] != '\n' && s[l] != ',' && s[l] != ';' && s[l] != '(')
        l++;
    memcpy(buf, s, l);
    buf[l] = '\0';
    for (;;) {
        while (l && (is_blank(buf[l - 1]) || buf[l - 1] == '.'))
            buf[--l] = '\0';
        if (!l)
            return false;
        struct vver v;
        if (vuln_ver_parse(buf, &v)) {
            snprintf(out, n, "%s", buf);
            return true;
        }
        while (l && !is_blank(buf[l - 1]))
            buf[--l] = '\0';
    }
}

bool vuln_fixed_version(const char *text, char *out, size_t n)
{
    static const char *const lead[] = {"update to version ",
                                       "upgrade to version ",
                                       "update to firmware version ",
                                       "updating to version ",
                                       "update to ",
                                       "upgrade to ",
                                       "updating to ",
                                       "install "};
    if (!text)
        return false;
    for (size_t i = 0; i < sizeof lead / sizeof *lead; i++) {
        const char *p = find_ci(text, lead[i]);
        if (p && longest_version(p + strlen(lead[i]), out, n))
            return true;
    }
    return false;
}
