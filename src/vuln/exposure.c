/* exposure.c - the read side: which advisories apply to an asset or a query, with CVEs, CVSS,
 * KEV, EPSS, the fixed version and the remediation (SPEC.md "vuln lookup" and "vulns").
 * Candidate product rows come from the store by index keys; every row is then judged by
 * match.c.  Per-CVE facts and whole answers for identical identities are cached, so an
 * inventory of thousands of identical PLCs costs one evaluation per identity. */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/hmap.h"
#include "vuln/vuln.h"

enum { Q_CAND, Q_STATUS, Q_SCORE, Q_NVDSCORE, Q_KEV, Q_EPSS, Q_REM, Q_N };

static const char *const qsql[Q_N] = {
    [Q_CAND] = "SELECT p.id, p.advisory, p.product_id, p.name, p.range_text, p.platform,"
               " p.vendors, p.name_norm, p.orders, p.cpu_family, p.catalog_family, p.patterns,"
               " p.name_version, p.flags, a.tracking_id, a.title, a.url, a.source"
               " FROM vuln_products p JOIN vuln_advisories a ON a.id=p.advisory"
               " WHERE p.id IN (SELECT product FROM vuln_product_keys WHERE key IN"
               " (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16))"
               " ORDER BY p.advisory, p.id",
    [Q_STATUS] = "SELECT cve, status FROM vuln_product_status WHERE product=?",
    [Q_SCORE] = "SELECT cvss, cvss_vector FROM vuln_cves WHERE advisory=? AND cve=?",
    [Q_NVDSCORE] = "SELECT c.cvss, c.cvss_vector FROM vuln_cves c JOIN vuln_advisories a ON"
                   " a.id=c.advisory WHERE c.cve=?1 AND a.source='nvd' AND c.cvss IS NOT NULL"
                   " LIMIT 1",
    [Q_KEV] = "SELECT date_added FROM vuln_kev WHERE cve=?",
    [Q_EPSS] = "SELECT epss FROM vuln_epss WHERE cve=?",
    [Q_REM] = "SELECT r.category, r.details, r.fixed_in FROM vuln_remediation_products rp"
              " JOIN vuln_remediations r ON r.id=rp.remediation WHERE rp.advisory=?"
              " AND rp.product_id=? ORDER BY r.id",
};

struct cve_info {
    bool loaded, kev, has_epss, has_nvd;
    char kev_date[16];
    double epss, nvd_cvss;
    char nvd_vector[160];
};

struct score {
    bool loaded, has;
    double cvss;
    char vector[160];
};

struct xctx {
    sqlite3 *db;
    sqlite3_stmt *q[Q_N];
    struct hmap cves;    /* cve -> struct cve_info */
    struct hmap scores;  /* advisory id + cve -> struct score */
    struct hmap answers; /* identity -> json_t * (matches array) */
};

/* matches aggregated per advisory */
struct amatch {
    int64_t adv;
    enum vcert cert;
    json_t *info; /* advisory, title, url, source */
    char reason[512], product[256], range[256];
    json_t *certain, *possible; /* CVE sets (object keys) */
    json_t *pids_certain, *pids_possible;
    char fix_bound[48]; /* "<" bound of a matched row: fallback fixed version */
};

static const char *col(sqlite3_stmt *st, int i)
{
    const char *t = (const char *)sqlite3_column_text(st, i);
    return t ? t : "";
}

static int xctx_open(struct xctx *x, sqlite3 *db)
{
    memset(x, 0, sizeof *x);
    x->db = db;
    hmap_init(&x->cves, sizeof(struct cve_info));
    hmap_init(&x->scores, sizeof(struct score));
    hmap_init(&x->answers, sizeof(json_t *));
    for (int i = 0; i < Q_N; i++)
        if (sqlite3_prepare_v2(db, qsql[i], -1, &x->q[i], NULL) != SQLITE_OK)
            return -1;
    return 0;
}

static void xctx_close(struct xctx *x)
{
    for (int i = 0; i < Q_N; i++)
        sqlite3_finalize(x->q[i]);
    for (struct hmap_entry *e = hmap_first(&x->answers); e; e = hmap_next(e))
        json_decref(*(json_t **)hmap_value(e));
    hmap_clear(&x->cves);
    hmap_clear(&x->scores);
    hmap_clear(&x->answers);
}

/* ---- per-CVE facts ---- */

static const struct cve_info *cve_info(struct xctx *x, const char *cve)
{
    bool created;
    struct cve_info *ci = hmap_get(&x->cves, cve, strlen(cve), &created);
    if (!ci || ci->loaded)
        return ci;
    ci->loaded = true;
    sqlite3_stmt *st = x->q[Q_KEV];
    sqlite3_bind_text(st, 1, cve, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(st) == SQLITE_ROW) {
        ci->kev = true;
        snprintf(ci->kev_date, sizeof ci->kev_date, "%s", col(st, 0));
    }
    sqlite3_reset(st);
    st = x->q[Q_EPSS];
    sqlite3_bind_text(st, 1, cve, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(st) == SQLITE_ROW) {
        ci->has_epss = true;
        ci->epss = sqlite3_column_double(st, 0);
    }
    sqlite3_reset(st);
    st = x->q[Q_NVDSCORE];
    sqlite3_bind_text(st, 1, cve, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(st) == SQLITE_ROW) {
        ci->has_nvd = true;
        ci->nvd_cvss = sqlite3_column_double(st, 0);
        snprintf(ci->nvd_vector, sizeof ci->nvd_vector, "%s", col(st, 1));
    }
    sqlite3_reset(st);
    return ci;
}

/* the advisory's score for the CVE, else the NVD's */
static const struct score *cve_score(struct xctx *x, int64_t adv, const char *cve)
{
    struct keybuf kb;
    kb_reset(&kb);
    kb_mem(&kb, &adv, sizeof adv);
    kb_str(&kb, cve);
    bool created;
    struct score *sc = hmap_get(&x->scores, kb.b, kb.n, &created);
    if (!sc || sc->loaded)
        return sc;
    sc->loaded = true;
    sqlite3_stmt *st = x->q[Q_SCORE];
    sqlite3_bind_int64(st, 1, adv);
    sqlite3_bind_text(st, 2, cve, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
        sc->has = true;
        sc->cvss = sqlite3_column_double(st, 0);
        snprintf(sc->vector, sizeof sc->vector, "%s", col(st, 1));
    }
    sqlite3_reset(st);
    if (!sc->has) {
        const struct cve_info *ci = cve_info(x, cve);
        if (ci && ci->has_nvd) {
            sc->has = true;
            sc->cvss = ci->nvd_cvss;
            snprintf(sc->vector, sizeof sc->vector, "%s", ci->nvd_vector);
        }
    }
    return sc;
}

/* ---- candidate rows ---- */

static void row_from_columns(sqlite3_stmt *st, struct vuln_row *row)
{
    memset(row, 0, sizeof *row);
    char vendors[VVENDORS_MAX * 65];
    snprintf(vendors, sizeof vendors, "%s", col(st, 6));
    for (char *save = NULL, *v = strtok_r(vendors, "|", &save); v && row->nvendors < VVENDORS_MAX;
         v = strtok_r(NULL, "|", &save))
        snprintf(row->vendors[row->nvendors++], sizeof row->vendors[0], "%s", v);
    snprintf(row->name, sizeof row->name, "%s", col(st, 7));
    snprintf(row->orders, sizeof row->orders, "%s", col(st, 8));
    snprintf(row->family, sizeof row->family, "%s", col(st, 9));
    snprintf(row->fam_alt, sizeof row->fam_alt, "%s", col(st, 10));
    snprintf(row->patterns, sizeof row->patterns, "%s", col(st, 11));
    snprintf(row->name_ver, sizeof row->name_ver, "%s", col(st, 12));
    int flags = sqlite3_column_int(st, 13);
    row->incl_siplus = flags & 1;
    row->need_h = flags & 2;
    row->need_pndp = flags & 4;
    row->hw_version = flags & 8;
    row->hw_ambiguous = flags & 16;
}

/* the row's CVEs: affected (known/first/last_affected) and under investigation */
static void row_cves(struct xctx *x, int64_t pid, json_t *affected, json_t *investigating)
{
    sqlite3_stmt *st = x->q[Q_STATUS];
    sqlite3_bind_int64(st, 1, pid);
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *cve = col(st, 0), *status = col(st, 1);
        if (!strcmp(status, "known_affected") || !strcmp(status, "first_affected") ||
            !strcmp(status, "last_affected"))
            json_object_set_new(affected, cve, json_true());
        else if (!strcmp(status, "under_investigation"))
            json_object_set_new(investigating, cve, json_true());
    }
    sqlite3_reset(st);
}

static struct amatch *find_amatch(struct amatch *ms, size_t *n, size_t cap, sqlite3_stmt *st)
{
    int64_t adv = sqlite3_column_int64(st, 1);
    for (size_t i = 0; i < *n; i++)
        if (ms[i].adv == adv)
            return &ms[i];
    if (*n == cap)
        return NULL;
    struct amatch *m = &ms[(*n)++];
    memset(m, 0, sizeof *m);
    m->adv = adv;
    m->info = json_object();
    json_object_set_new(m->info, "advisory", json_string(col(st, 14)));
    json_object_set_new(m->info, "title", json_string(col(st, 15)));
    json_object_set_new(m->info, "url",
                        sqlite3_column_type(st, 16) == SQLITE_NULL ? json_null()
                                                                   : json_string(col(st, 16)));
    json_object_set_new(m->info, "source", json_string(col(st, 17)));
    m->certain = json_object();
    m->possible = json_object();
    m->pids_certain = json_array();
    m->pids_possible = json_array();
    return m;
}

static void free_amatch(struct amatch *m)
{
    json_decref(m->info);
    json_decref(m->certain);
    json_decref(m->possible);
    json_decref(m->pids_certain);
    json_decref(m->pids_possible);
}

/* the "<" bound of a range: the first version that is not affected */
static void range_fix_bound(const char *range, char *out, size_t n)
{
    struct vrange r;
    vuln_range_parse(range, &r);
    for (size_t i = 0; r.kind == VR_INTERVAL && i < r.n; i++)
        if (r.c[i].op == VOP_LT)
            snprintf(out, n, "%s", r.c[i].text);
}

static void merge_row(struct amatch *m, sqlite3_stmt *st, enum vcert c, const char *reason,
                      json_t *affected, json_t *investigating)
{
    const char *pid = col(st, 2);
    if (c > m->cert) {
        m->cert = c;
        snprintf(m->reason, sizeof m->reason, "%s", reason);
        snprintf(m->product, sizeof m->product, "%s", col(st, 3));
        snprintf(m->range, sizeof m->range, "%s", col(st, 4));
    }
    if (!m->fix_bound[0])
        range_fix_bound(col(st, 4), m->fix_bound, sizeof m->fix_bound);
    json_object_update(c == VC_CERTAIN ? m->certain : m->possible, affected);
    json_object_update(m->possible, investigating);
    json_array_append_new(c == VC_CERTAIN ? m->pids_certain : m->pids_possible, json_string(pid));
}

/* judge one candidate row; merge it when it matches */
static void judge_row(struct xctx *x, sqlite3_stmt *st, const struct vuln_ident *id,
                      struct amatch *ms, size_t *n, size_t cap)
{
    struct vuln_row row;
    row_from_columns(st, &row);
    char reason[512];
    const char *platform = sqlite3_column_type(st, 5) == SQLITE_NULL ? NULL : col(st, 5);
    enum vcert c = vuln_row_match(&row, platform, col(st, 4), id, reason, sizeof reason);
    if (c == VC_NONE)
        return;
    json_t *affected = json_object(), *investigating = json_object();
    row_cves(x, sqlite3_column_int64(st, 0), affected, investigating);
    if (json_object_size(affected) == 0 && json_object_size(investigating) > 0) {
        c = VC_POSSIBLE;
        snprintf(reason + strlen(reason), sizeof reason - strlen(reason),
                 "; the vendor is still investigating");
    }
    if (json_object_size(affected) || json_object_size(investigating)) {
        struct amatch *m = find_amatch(ms, n, cap, st);
        if (m)
            merge_row(m, st, c, reason, affected, investigating);
    }
    json_decref(affected);
    json_decref(investigating);
}

/* ---- the match objects ---- */

static int strcmp_ptr(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* the keys of set (not in minus) as a sorted array */
static json_t *sorted_keys(json_t *set, const json_t *minus)
{
    size_t n = json_object_size(set), k = 0;
    const char **keys = calloc(n ? n : 1, sizeof *keys);
    json_t *arr = json_array();
    if (!keys)
        return arr;
    const char *key;
    json_t *v;
    json_object_foreach(set, key, v)
    {
        if (!minus || !json_object_get(minus, key))
            keys[k++] = key;
    }
    qsort(keys, k, sizeof *keys, strcmp_ptr);
    for (size_t i = 0; i < k; i++)
        json_array_append_new(arr, json_string(keys[i]));
    free(keys);
    return arr;
}

/* CVSS (the highest), KEV (with the earliest date added) and EPSS (the highest) over the CVEs */
static void add_scores(struct xctx *x, int64_t adv, const json_t *cves, json_t *o)
{
    double best = -1, epss = -1;
    char vector[160] = "", kev_date[16] = "";
    json_t *kev_cves = json_array();
    size_t i;
    json_t *c;
    json_array_foreach(cves, i, c)
    {
        const char *cve = json_string_value(c);
        const struct score *sc = cve_score(x, adv, cve);
        if (sc && sc->has && sc->cvss > best) {
            best = sc->cvss;
            snprintf(vector, sizeof vector, "%s", sc->vector);
        }
        const struct cve_info *ci = cve_info(x, cve);
        if (!ci)
            continue;
        if (ci->kev) {
            json_array_append_new(kev_cves, json_string(cve));
            if (!kev_date[0] || (ci->kev_date[0] && strcmp(ci->kev_date, kev_date) < 0))
                snprintf(kev_date, sizeof kev_date, "%s", ci->kev_date);
        }
        if (ci->has_epss && ci->epss > epss)
            epss = ci->epss;
    }
    json_object_set_new(o, "cvss", best >= 0 ? json_real(best) : json_null());
    json_object_set_new(o, "cvss_vector", vector[0] ? json_string(vector) : json_null());
    json_object_set_new(o, "kev", json_boolean(json_array_size(kev_cves) > 0));
    json_object_set_new(o, "kev_date_added", kev_date[0] ? json_string(kev_date) : json_null());
    json_object_set_new(o, "epss", epss >= 0 ? json_real(epss) : json_null());
    if (json_array_size(kev_cves))
        json_object_set_new(o, "kev_cves", kev_cves);
    else
        json_decref(kev_cves);
}

static int remediation_rank(const char *cat)
{
    static const char *const order[] = {"vendor_fix", "workaround", "mitigation", "no_fix_planned",
                                        "none_available"};
    for (int i = 0; i < 5; i++)
        if (!strcmp(cat, order[i]))
            return i;
    return 5;
}

struct fix {
    struct vver v;
    char fixed[64];
    char *text; /* the chosen remediation's details (owned) */
    int rank;
};

static void consider_remediation(struct fix *f, const char *cat, const char *details,
                                 const char *fixed)
{
    struct vver v;
    int rank = remediation_rank(cat);
    if (rank == 0 && *fixed && vuln_ver_parse(fixed, &v)) {
        /* the highest fixed version fixes every CVE of the match */
        if (f->fixed[0] && vuln_ver_cmp(&v, &f->v) <= 0)
            return;
        f->v = v;
        snprintf(f->fixed, sizeof f->fixed, "%s", fixed);
        rank = -1;
    }
    if (rank < f->rank && *details) {
        free(f->text);
        f->text = strdup(details);
        f->rank = rank;
    }
}

/* the fixed version and remediation text of the matched product ids */
static void add_remediation(struct xctx *x, const struct amatch *m, const json_t *pids,
                            const char *version, json_t *o)
{
    struct fix f;
    memset(&f, 0, sizeof f);
    f.rank = 99;
    sqlite3_stmt *st = x->q[Q_REM];
    size_t i;
    json_t *pid;
    json_array_foreach(pids, i, pid)
    {
        sqlite3_bind_int64(st, 1, m->adv);
        sqlite3_bind_text(st, 2, json_string_value(pid), -1, SQLITE_TRANSIENT);
        while (sqlite3_step(st) == SQLITE_ROW)
            consider_remediation(&f, col(st, 0), col(st, 1), col(st, 2));
        sqlite3_reset(st);
    }
    const char *fixed = f.fixed[0] ? f.fixed : m->fix_bound[0] ? m->fix_bound : NULL;
    char filled[64]; /* "Update to V3.X.14" for a V3.2.6 CPU is V3.2.14 */
    if (fixed && vuln_ver_fill(fixed, version, filled, sizeof filled))
        fixed = filled;
    json_object_set_new(o, "fixed_in", fixed ? json_string(fixed) : json_null());
    json_object_set_new(o, "remediation", f.text ? json_string(f.text) : json_null());
    free(f.text);
}

static json_t *match_json(struct xctx *x, const struct amatch *m, const char *version)
{
    bool certain = m->cert == VC_CERTAIN;
    json_t *o = json_object();
    json_t *cves = sorted_keys(certain ? m->certain : m->possible, NULL);
    json_object_set(o, "advisory", json_object_get(m->info, "advisory"));
    json_object_set(o, "title", json_object_get(m->info, "title"));
    json_object_set(o, "cves", cves);
    add_scores(x, m->adv, cves, o);
    json_object_set_new(o, "certainty", json_string(certain ? "certain" : "possible"));
    json_object_set_new(o, "reason", json_string(m->reason));
    add_remediation(x, m, certain ? m->pids_certain : m->pids_possible, version, o);
    json_object_set(o, "url", json_object_get(m->info, "url"));
    json_object_set(o, "source", json_object_get(m->info, "source"));
    json_object_set_new(o, "product", json_string(m->product));
    json_object_set_new(o, "range", json_string(m->range));
    if (certain) {
        json_t *other = sorted_keys(m->possible, m->certain);
        if (json_array_size(other))
            json_object_set_new(o, "possible_cves", other);
        else
            json_decref(other);
    }
    json_decref(cves);
    return o;
}

static double jnum(const json_t *o, const char *k)
{
    const json_t *v = json_object_get(o, k);
    return json_is_number(v) ? json_number_value(v) : -1;
}

/* certain first, then KEV, then the highest CVSS, then the advisory id */
static int match_order(const void *pa, const void *pb)
{
    const json_t *a = *(json_t *const *)pa, *b = *(json_t *const *)pb;
    const char *ca = json_string_value(json_object_get(a, "certainty"));
    const char *cb = json_string_value(json_object_get(b, "certainty"));
    int c = strcmp(ca, cb); /* "certain" < "possible" */
    if (c)
        return c;
    bool ka = json_is_true(json_object_get(a, "kev")), kb = json_is_true(json_object_get(b, "kev"));
    if (ka != kb)
        return ka ? -1 : 1;
    double sa = jnum(a, "cvss"), sb = jnum(b, "cvss");
    if (sa != sb)
        return sa > sb ? -1 : 1;
    return strcmp(json_string_value(json_object_get(a, "advisory")),
                  json_string_value(json_object_get(b, "advisory")));
}

static json_t *match_ident(struct xctx *x, const struct vuln_ident *id)
{
    char keys[VKEYS_MAX][VKEY_MAX];
    size_t nk = vuln_ident_keys(id, keys, VKEYS_MAX);
    sqlite3_stmt *st = x->q[Q_CAND];
    for (int i = 0; i < 16; i++) {
        if ((size_t)i < nk)
            sqlite3_bind_text(st, i + 1, keys[i], -1, SQLITE_TRANSIENT);
        else
            sqlite3_bind_null(st, i + 1);
    }
    size_t n = 0, cap = 0;
    struct amatch *ms = NULL;
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            struct amatch *nm = realloc(ms, ncap * sizeof *nm);
            if (!nm)
                break;
            ms = nm;
            cap = ncap;
        }
        judge_row(x, st, id, ms, &n, cap);
    }
    sqlite3_reset(st);
    json_t **objs = calloc(n ? n : 1, sizeof *objs);
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) {
        if (objs)
            objs[i] = match_json(x, &ms[i], id->version);
        free_amatch(&ms[i]);
    }
    if (objs) {
        qsort(objs, n, sizeof *objs, match_order);
        for (size_t i = 0; i < n; i++)
            json_array_append_new(arr, objs[i]);
    }
    free(objs);
    free(ms);
    return arr;
}

/* the same identity gives the same answer: computed once per run */
static json_t *match_cached(struct xctx *x, const struct vuln_ident *id, const char *vendor,
                            const char *product, const char *order, const char *version)
{
    struct keybuf kb;
    kb_reset(&kb);
    kb_str(&kb, vendor);
    kb_str(&kb, product);
    kb_str(&kb, order);
    kb_str(&kb, version);
    kb_mem(&kb, id->vendor_weak ? "w" : "s", 1);
    bool created;
    json_t **slot = hmap_get(&x->answers, kb.b, kb.n, &created);
    if (!slot)
        return match_ident(x, id);
    if (created)
        *slot = match_ident(x, id);
    return json_incref(*slot);
}

static json_t *jstr_or_null(const char *s)
{
    return s && *s ? json_string(s) : json_null();
}

json_t *vuln_lookup_json(struct store *s, const char *vendor, const char *product,
                         const char *order, const char *version)
{
    struct xctx x;
    if (xctx_open(&x, store_db(s))) {
        xctx_close(&x);
        return NULL;
    }
    struct vuln_ident id;
    vuln_ident_init(&id, vendor, product, order, version);
    json_t *doc = json_object(), *q = json_object();
    json_object_set_new(doc, "schema", json_string("otscope.vuln-lookup/1"));
    json_object_set_new(q, "vendor", jstr_or_null(vendor));
    json_object_set_new(q, "product", jstr_or_null(product));
    json_object_set_new(q, "version", jstr_or_null(version));
    json_object_set_new(q, "order_number", jstr_or_null(order));
    json_object_set_new(doc, "query", q);
    json_object_set_new(doc, "matches", match_ident(&x, &id));
    xctx_close(&x);
    return doc;
}

/* ---- the inventory ---- */

struct risk {
    bool kev, certain, possible, unknown;
    double cvss, epss;
};

static const char *risk_level(const struct risk *r)
{
    if (r->certain)
        return r->kev || r->cvss >= 9.0 ? "critical"
               : r->cvss >= 7.0         ? "high"
               : r->cvss >= 4.0         ? "medium"
                                        : "low";
    return r->unknown ? "unknown" : r->possible ? "possible" : "none";
}

static json_t *risk_json(const json_t *matches, bool unknown, struct risk *r)
{
    memset(r, 0, sizeof *r);
    r->unknown = unknown;
    r->cvss = r->epss = -1;
    json_t *kev_cves = json_array();
    size_t i, certain = 0;
    json_t *m;
    json_array_foreach(matches, i, m)
    {
        if (strcmp(json_string_value(json_object_get(m, "certainty")), "certain") != 0) {
            r->possible = true;
            continue;
        }
        certain++;
        r->certain = true;
        r->kev |= json_is_true(json_object_get(m, "kev"));
        r->cvss = jnum(m, "cvss") > r->cvss ? jnum(m, "cvss") : r->cvss;
        r->epss = jnum(m, "epss") > r->epss ? jnum(m, "epss") : r->epss;
        size_t k;
        json_t *c;
        json_array_foreach(json_object_get(m, "kev_cves"), k, c) json_array_append(kev_cves, c);
    }
    json_t *o = json_object();
    json_object_set_new(o, "level", json_string(risk_level(r)));
    json_object_set_new(o, "kev", json_boolean(r->kev));
    json_object_set_new(o, "max_cvss", r->cvss >= 0 ? json_real(r->cvss) : json_null());
    json_object_set_new(o, "max_epss", r->epss >= 0 ? json_real(r->epss) : json_null());
    json_object_set_new(o, "certain_matches", json_integer((json_int_t)certain));
    json_object_set_new(o, "possible_matches",
                        json_integer((json_int_t)(json_array_size(matches) - certain)));
    json_object_set_new(o, "kev_cves", kev_cves);
    return o;
}

/* why an asset cannot be assessed, or NULL */
static const char *vague(const char *product, const char *order, const char *firmware)
{
    if ((!product || !*product) && (!order || !*order))
        return "no product or order number";
    if (!firmware || !*firmware)
        return "no firmware version";
    return NULL;
}

struct ranked {
    json_t *entry;
    struct risk r;
    const char *id;
};

/* KEV first, then certain matches by CVSS, then unknown exposure, then possible matches only,
 * then assets with nothing known */
static int asset_order(const void *pa, const void *pb)
{
    const struct ranked *a = pa, *b = pb;
    int ra = a->r.kev ? 0 : a->r.certain ? 1 : a->r.unknown ? 2 : a->r.possible ? 3 : 4;
    int rb = b->r.kev ? 0 : b->r.certain ? 1 : b->r.unknown ? 2 : b->r.possible ? 3 : 4;
    if (ra != rb)
        return ra - rb;
    if (a->r.cvss != b->r.cvss)
        return a->r.cvss > b->r.cvss ? -1 : 1;
    return strcmp(a->id, b->id);
}

static json_t *asset_entry(struct xctx *x, sqlite3_stmt *st, struct risk *r)
{
    const char *id = col(st, 0), *vendor = col(st, 1), *product = col(st, 2);
    const char *order = col(st, 3), *fw = col(st, 4), *macv = col(st, 5);
    json_t *e = json_object();
    json_object_set_new(e, "asset", json_string(id));
    json_object_set_new(e, "vendor", jstr_or_null(vendor));
    json_object_set_new(e, "product", jstr_or_null(product));
    json_object_set_new(e, "order_number", jstr_or_null(order));
    json_object_set_new(e, "firmware", jstr_or_null(fw));
    const char *why = vague(product, order, fw);
    struct vuln_ident ident;
    json_t *matches = NULL;
    /* without firmware the product's advisories are still listed (possible, or certain for
     * "all versions" rows); without a product there is nothing to match */
    if (!why || (*fw == '\0' && (*product || *order))) {
        /* no vendor from a protocol: the MAC OUI vendor is a weaker hint (at most possible) */
        bool weak = !*vendor && *macv;
        vuln_ident_init(&ident, weak ? macv : vendor, product, order, fw);
        ident.vendor_weak = weak;
        if (!ident.nvendors)
            why = why ? why : "no vendor";
        else
            matches = match_cached(x, &ident, weak ? macv : vendor, product, order, fw);
    }
    if (!matches)
        matches = json_array();
    json_object_set_new(e, "matches", matches);
    json_object_set_new(e, "unknown_exposure", json_boolean(why != NULL));
    if (why)
        json_object_set_new(e, "unknown_reason", json_string(why));
    json_object_set_new(e, "risk", risk_json(matches, why != NULL, r));
    return e;
}

json_t *vuln_assets_json(struct store *s)
{
    struct xctx x;
    sqlite3_stmt *st = NULL;
    if (xctx_open(&x, store_db(s)) ||
        sqlite3_prepare_v2(store_db(s),
                           "SELECT id, vendor, product, order_number, firmware, mac_vendor"
                           " FROM assets ORDER BY id",
                           -1, &st, NULL) != SQLITE_OK) {
        xctx_close(&x);
        return NULL;
    }
    size_t n = 0, cap = 0;
    struct ranked *rs = NULL;
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 64;
            struct ranked *nr = realloc(rs, ncap * sizeof *nr);
            if (!nr)
                break;
            rs = nr;
            cap = ncap;
        }
        rs[n].entry = asset_entry(&x, st, &rs[n].r);
        rs[n].id = json_string_value(json_object_get(rs[n].entry, "asset"));
        n++;
    }
    sqlite3_finalize(st);
    qsort(rs, n, sizeof *rs, asset_order);
    json_t *doc = json_object(), *assets = json_array();
    json_object_set_new(doc, "schema", json_string("otscope.vulns/1"));
    for (size_t i = 0; i < n; i++)
        json_array_append_new(assets, rs[i].entry);
    json_object_set_new(doc, "assets", assets);
    free(rs);
    xctx_close(&x);
    return doc;
}

int64_t vuln_advisory_count(struct store *s)
{
    sqlite3_stmt *st = NULL;
    int64_t n = 0;
    if (sqlite3_prepare_v2(store_db(s), "SELECT count(*) FROM vuln_advisories", -1, &st, NULL) ==
            SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}
