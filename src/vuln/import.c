/* import.c - `vuln import`: walk files and folder trees, recognise each file by its content
 * (CSAF 2.0, NVD CVE API 2.0 response or bare cve object, CISA KEV catalog, FIRST EPSS CSV),
 * and write it to the store in one transaction with a savepoint per file, so a bad file is
 * rolled back alone.  A newer revision of an advisory (same tracking id without the update
 * letter, newer tracking.version or current_release_date) replaces the stored one. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util/log.h"
#include "vuln/vuln.h"

#define MAX_FILE_BYTES (1024L * 1024 * 1024)
#define MAX_DEPTH      32

enum {
    S_SEL_ADV,
    S_DEL_KEYS,
    S_DEL_STATUS,
    S_DEL_PRODUCTS,
    S_DEL_CVES,
    S_DEL_REMPROD,
    S_DEL_REMS,
    S_DEL_ADV,
    S_INS_ADV,
    S_INS_PRODUCT,
    S_INS_KEY,
    S_INS_STATUS,
    S_INS_CVE,
    S_INS_REM,
    S_INS_REMPROD,
    S_INS_KEV,
    S_INS_EPSS,
    S_HW_AMBIGUOUS,
    S_N
};

static const char *const sql[S_N] = {
    [S_SEL_ADV] = "SELECT id, version, release_date FROM vuln_advisories WHERE key=?",
    [S_DEL_KEYS] = "DELETE FROM vuln_product_keys WHERE product IN (SELECT id FROM vuln_products"
                   " WHERE advisory=?1)",
    [S_DEL_STATUS] = "DELETE FROM vuln_product_status WHERE product IN (SELECT id FROM"
                     " vuln_products WHERE advisory=?1)",
    [S_DEL_PRODUCTS] = "DELETE FROM vuln_products WHERE advisory=?1",
    [S_DEL_CVES] = "DELETE FROM vuln_cves WHERE advisory=?1",
    [S_DEL_REMPROD] = "DELETE FROM vuln_remediation_products WHERE advisory=?1",
    [S_DEL_REMS] = "DELETE FROM vuln_remediations WHERE advisory=?1",
    [S_DEL_ADV] = "DELETE FROM vuln_advisories WHERE id=?1",
    [S_INS_ADV] = "INSERT INTO vuln_advisories(key, tracking_id, source, version, release_date,"
                  " title, url, path, imported_ns) VALUES(?,?,?,?,?,?,?,?,"
                  " CAST((julianday('now') - 2440587.5) * 86400000000000 AS INTEGER))",
    [S_INS_PRODUCT] = "INSERT INTO vuln_products(advisory, product_id, vendor, family, name,"
                      " full_name, range_text, range_kind, platform, vendors, name_norm, orders,"
                      " cpu_family, catalog_family, patterns, name_version, flags)"
                      " VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
    [S_INS_KEY] = "INSERT OR IGNORE INTO vuln_product_keys(key, product) VALUES(?,?)",
    [S_INS_STATUS] = "INSERT OR IGNORE INTO vuln_product_status(product, cve, status)"
                     " VALUES(?,?,?)",
    [S_INS_CVE] = "INSERT INTO vuln_cves(advisory, cve, title, cwe, cvss, cvss_vector,"
                  " cvss_version) VALUES(?1,?2,?3,?4,?5,?6,?7) ON CONFLICT(advisory, cve) DO"
                  " UPDATE SET cvss=excluded.cvss, cvss_vector=excluded.cvss_vector,"
                  " cvss_version=excluded.cvss_version WHERE excluded.cvss >"
                  " coalesce(vuln_cves.cvss, -1)",
    [S_INS_REM] = "INSERT INTO vuln_remediations(advisory, category, details, url, fixed_in)"
                  " VALUES(?,?,?,?,?)",
    [S_INS_REMPROD] = "INSERT OR IGNORE INTO vuln_remediation_products(advisory, product_id,"
                      " remediation) VALUES(?,?,?)",
    [S_INS_KEV] = "INSERT OR REPLACE INTO vuln_kev(cve, date_added, due_date, ransomware,"
                  " vendor, product, name, required_action, catalog_version)"
                  " VALUES(?,?,?,?,?,?,?,?,?)",
    [S_INS_EPSS] = "INSERT OR REPLACE INTO vuln_epss(cve, epss, percentile, score_date)"
                   " VALUES(?,?,?,?)",
    /* rows whose name the advisory uses for several order numbers that it treats
     * differently (other ranges or CVEs): without an order number such a row is possible */
    [S_HW_AMBIGUOUS] =
        "WITH rs AS (SELECT p.name_norm, p.orders, p.range_text || '#' || coalesce((SELECT"
        "   group_concat(x, ',') FROM (SELECT s.cve || ':' || s.status AS x FROM"
        "   vuln_product_status s WHERE s.product=p.id ORDER BY x)), '') AS sig"
        "   FROM vuln_products p WHERE p.advisory=?1 AND p.orders != ''),"
        " os AS (SELECT name_norm, orders, group_concat(sig, ';') AS osig FROM"
        "   (SELECT * FROM rs ORDER BY sig) GROUP BY name_norm, orders),"
        " amb AS (SELECT name_norm FROM os GROUP BY name_norm"
        "   HAVING count(*) > 1 AND count(DISTINCT osig) > 1)"
        " UPDATE vuln_products SET flags = flags | 16 WHERE advisory=?1 AND orders != ''"
        " AND name_norm IN (SELECT name_norm FROM amb)",
};

struct vuln_importer {
    sqlite3 *db;
    sqlite3_stmt *st[S_N];
    struct vuln_import_stats *stats;
    bool quiet;
    char err[512];
};

/* ---- statements ---- */

static int db_fail(struct vuln_importer *im, const char *what)
{
    snprintf(im->err, sizeof im->err, "%s: %s", what, sqlite3_errmsg(im->db));
    return -1;
}

static void bind_str(sqlite3_stmt *st, int i, const char *v)
{
    if (v)
        sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, i);
}

/* step a write statement to completion and reset it */
static int run(struct vuln_importer *im, int which, const char *what)
{
    sqlite3_stmt *st = im->st[which];
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : db_fail(im, what);
}

static int exec(struct vuln_importer *im, const char *s)
{
    char *msg = NULL;
    if (sqlite3_exec(im->db, s, NULL, NULL, &msg) != SQLITE_OK) {
        snprintf(im->err, sizeof im->err, "%s", msg ? msg : sqlite3_errmsg(im->db));
        sqlite3_free(msg);
        return -1;
    }
    return 0;
}

static int importer_open(struct vuln_importer *im, sqlite3 *db)
{
    im->db = db;
    for (int i = 0; i < S_N; i++)
        if (sqlite3_prepare_v2(db, sql[i], -1, &im->st[i], NULL) != SQLITE_OK)
            return db_fail(im, "preparing the import");
    return 0;
}

static void importer_close(struct vuln_importer *im)
{
    for (int i = 0; i < S_N; i++)
        sqlite3_finalize(im->st[i]);
}

struct vuln_import_stats *vuln_importer_stats(struct vuln_importer *im)
{
    return im->stats;
}

const char *vuln_importer_error(struct vuln_importer *im)
{
    return im->err;
}

/* ---- advisories and their rows ---- */

/* "2" vs "10", "1.0.1" vs "1.0.0": versions compare numerically; dates as ISO text */
static int revision_cmp(const char *v1, const char *d1, const char *v2, const char *d2)
{
    struct vver a, b;
    if (vuln_ver_parse(v1 ? v1 : "", &a) && vuln_ver_parse(v2 ? v2 : "", &b)) {
        int c = vuln_ver_cmp(&a, &b);
        if (c)
            return c;
    } else if (v1 && v2 && strcmp(v1, v2)) {
        return strcmp(v1, v2);
    }
    int c = strcmp(d1 ? d1 : "", d2 ? d2 : "");
    return c < 0 ? -1 : c > 0;
}

static int delete_advisory(struct vuln_importer *im, int64_t id)
{
    static const int order[] = {S_DEL_KEYS,    S_DEL_STATUS, S_DEL_PRODUCTS, S_DEL_CVES,
                                S_DEL_REMPROD, S_DEL_REMS,   S_DEL_ADV};
    for (size_t i = 0; i < sizeof order / sizeof *order; i++) {
        sqlite3_bind_int64(im->st[order[i]], 1, id);
        if (run(im, order[i], "replacing an advisory"))
            return -1;
    }
    return 0;
}

int64_t vuln_put_advisory(struct vuln_importer *im, const struct vuln_adv *a)
{
    sqlite3_stmt *st = im->st[S_SEL_ADV];
    bind_str(st, 1, a->key);
    int64_t old = 0;
    int cmp = 1;
    if (sqlite3_step(st) == SQLITE_ROW) {
        old = sqlite3_column_int64(st, 0);
        cmp = revision_cmp(a->version, a->date, (const char *)sqlite3_column_text(st, 1),
                           (const char *)sqlite3_column_text(st, 2));
    }
    sqlite3_reset(st);
    if (old && cmp <= 0) {
        if (cmp == 0)
            im->stats->unchanged++;
        else
            im->stats->older++;
        return 0;
    }
    if (old) {
        if (delete_advisory(im, old))
            return -1;
        im->stats->replaced++;
    } else {
        im->stats->advisories++;
    }
    st = im->st[S_INS_ADV];
    const char *v[] = {a->key,  a->tracking_id, a->source, a->version,
                       a->date, a->title,       a->url,    a->path};
    for (int i = 0; i < 8; i++)
        bind_str(st, i + 1, v[i]);
    if (run(im, S_INS_ADV, "storing an advisory"))
        return -1;
    return sqlite3_last_insert_rowid(im->db);
}

static const char *range_kind_name(enum vrange_kind k)
{
    static const char *const n[] = {"all", "interval", "list", "unknown"};
    return n[k];
}

static int put_keys(struct vuln_importer *im, int64_t product, const struct vuln_row *row)
{
    char keys[VKEYS_MAX][VKEY_MAX];
    size_t nk = vuln_row_keys(row, keys, VKEYS_MAX);
    for (size_t i = 0; i < nk; i++) {
        bind_str(im->st[S_INS_KEY], 1, keys[i]);
        sqlite3_bind_int64(im->st[S_INS_KEY], 2, product);
        if (run(im, S_INS_KEY, "storing a product key"))
            return -1;
    }
    return 0;
}

int64_t vuln_put_product(struct vuln_importer *im, int64_t adv, const struct vuln_prod *p)
{
    struct vuln_row row;
    vuln_row_analyse(p->vendor, p->name, p->models, p->nmodels, &row);
    struct vrange r;
    vuln_range_parse(p->range, &r);
    im->stats->products++;
    if (r.kind == VR_UNKNOWN)
        im->stats->unparsed_ranges++;
    char vendors[VVENDORS_MAX * 65] = "";
    for (size_t i = 0; i < row.nvendors; i++) {
        size_t l = strlen(vendors);
        snprintf(vendors + l, sizeof vendors - l, "%s%s", i ? "|" : "", row.vendors[i]);
    }
    int flags = (row.incl_siplus ? 1 : 0) | (row.need_h ? 2 : 0) | (row.need_pndp ? 4 : 0) |
                (row.hw_version ? 8 : 0);
    sqlite3_stmt *st = im->st[S_INS_PRODUCT];
    sqlite3_bind_int64(st, 1, adv);
    const char *v[] = {p->product_id,
                       p->vendor,
                       p->family,
                       p->name,
                       p->full_name,
                       p->range,
                       range_kind_name(r.kind),
                       p->platform,
                       vendors,
                       row.name,
                       row.orders,
                       row.family,
                       row.fam_alt,
                       row.patterns,
                       row.name_ver};
    for (int i = 0; i < 15; i++)
        bind_str(st, i + 2, v[i]);
    sqlite3_bind_int(st, 17, flags);
    if (run(im, S_INS_PRODUCT, "storing a product row"))
        return -1;
    int64_t id = sqlite3_last_insert_rowid(im->db);
    return put_keys(im, id, &row) ? -1 : id;
}

int vuln_products_done(struct vuln_importer *im, int64_t adv)
{
    sqlite3_bind_int64(im->st[S_HW_AMBIGUOUS], 1, adv);
    return run(im, S_HW_AMBIGUOUS, "marking hardware variants");
}

int vuln_put_status(struct vuln_importer *im, int64_t product, const char *cve, const char *status)
{
    sqlite3_stmt *st = im->st[S_INS_STATUS];
    sqlite3_bind_int64(st, 1, product);
    bind_str(st, 2, cve);
    bind_str(st, 3, status);
    return run(im, S_INS_STATUS, "storing a product status");
}

int vuln_put_cve(struct vuln_importer *im, int64_t adv, const char *cve, const char *title,
                 const char *cwe, double cvss, const char *vector, const char *cvss_version)
{
    sqlite3_stmt *st = im->st[S_INS_CVE];
    sqlite3_bind_int64(st, 1, adv);
    bind_str(st, 2, cve);
    bind_str(st, 3, title);
    bind_str(st, 4, cwe);
    if (cvss >= 0)
        sqlite3_bind_double(st, 5, cvss);
    else
        sqlite3_bind_null(st, 5);
    bind_str(st, 6, vector);
    bind_str(st, 7, cvss_version);
    return run(im, S_INS_CVE, "storing a CVE");
}

int64_t vuln_put_remediation(struct vuln_importer *im, int64_t adv, const char *category,
                             const char *details, const char *url)
{
    char fixed[64];
    bool has_fix = category && !strcmp(category, "vendor_fix") &&
                   vuln_fixed_version(details, fixed, sizeof fixed);
    sqlite3_stmt *st = im->st[S_INS_REM];
    sqlite3_bind_int64(st, 1, adv);
    bind_str(st, 2, category);
    bind_str(st, 3, details);
    bind_str(st, 4, url);
    bind_str(st, 5, has_fix ? fixed : NULL);
    if (run(im, S_INS_REM, "storing a remediation"))
        return -1;
    return sqlite3_last_insert_rowid(im->db);
}

int vuln_put_remediation_product(struct vuln_importer *im, int64_t rem, int64_t adv,
                                 const char *product_id)
{
    sqlite3_stmt *st = im->st[S_INS_REMPROD];
    sqlite3_bind_int64(st, 1, adv);
    bind_str(st, 2, product_id);
    sqlite3_bind_int64(st, 3, rem);
    return run(im, S_INS_REMPROD, "storing a remediation");
}

static const char *jtext(const json_t *o, const char *k)
{
    const json_t *v = json_object_get(o, k);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

int vuln_put_kev(struct vuln_importer *im, const json_t *e, const char *catalog)
{
    sqlite3_stmt *st = im->st[S_INS_KEV];
    static const char *const f[] = {
        "cveID",         "dateAdded", "dueDate",           "knownRansomwareCampaignUse",
        "vendorProject", "product",   "vulnerabilityName", "requiredAction"};
    for (int i = 0; i < 8; i++)
        bind_str(st, i + 1, jtext(e, f[i]));
    bind_str(st, 9, catalog);
    im->stats->kev++;
    return run(im, S_INS_KEV, "storing a KEV entry");
}

int vuln_put_epss(struct vuln_importer *im, const char *cve, double epss, double pct,
                  const char *date)
{
    sqlite3_stmt *st = im->st[S_INS_EPSS];
    bind_str(st, 1, cve);
    sqlite3_bind_double(st, 2, epss);
    if (pct >= 0)
        sqlite3_bind_double(st, 3, pct);
    else
        sqlite3_bind_null(st, 3);
    bind_str(st, 4, date);
    im->stats->epss++;
    return run(im, S_INS_EPSS, "storing an EPSS score");
}

/* ---- recognising a file ---- */

enum kind { K_BAD, K_SKIP, K_CSAF, K_NVD, K_KEV, K_EPSS };

static enum kind json_kind(const json_t *doc, const char **what)
{
    *what = "not a CSAF 2.0, NVD CVE API 2.0 or CISA KEV document";
    if (!json_is_object(doc))
        return K_BAD;
    const json_t *d = json_object_get(doc, "document");
    if (json_is_object(d) && (json_object_get(d, "csaf_version") || json_object_get(d, "tracking")))
        return K_CSAF;
    if (json_object_get(doc, "feed")) {
        *what = "a ROLIE feed (an index of advisories), skipped";
        return K_SKIP;
    }
    if (json_object_get(doc, "metadata_version") && json_object_get(doc, "canonical_url")) {
        *what = "CSAF provider metadata, skipped";
        return K_SKIP;
    }
    const json_t *vulns = json_object_get(doc, "vulnerabilities");
    if (json_object_get(doc, "catalogVersion") && json_is_array(vulns))
        return K_KEV;
    if (json_is_array(vulns)) {
        const char *fmt = jtext(doc, "format");
        const json_t *first = json_array_get(vulns, 0);
        if ((fmt && !strcmp(fmt, "NVD_CVE")) || json_is_object(json_object_get(first, "cve")))
            return K_NVD;
    }
    const char *id = jtext(doc, "id");
    if (id && !strncmp(id, "CVE-", 4) &&
        (json_object_get(doc, "configurations") || json_object_get(doc, "metrics") ||
         json_object_get(doc, "descriptions")))
        return K_NVD;
    if (json_is_object(json_object_get(doc, "cve")))
        return K_NVD;
    return K_BAD;
}

/* the first line that is not a '#' comment */
static void first_data_line(const uint8_t *p, size_t len, char *out, size_t n)
{
    size_t i = 0;
    while (i < len && p[i] == '#') {
        while (i < len && p[i] != '\n')
            i++;
        i++;
    }
    size_t o = 0;
    while (i < len && p[i] != '\n' && p[i] != '\r' && o + 1 < n)
        out[o++] = (char)tolower(p[i++]);
    out[o] = '\0';
}

static enum kind text_kind(const uint8_t *p, size_t len, const char **what)
{
    char line[256];
    if (len >= 3 && p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf) {
        p += 3;
        len -= 3;
    }
    first_data_line(p, len, line, sizeof line);
    if (!strncmp(line, "cve,epss", 8))
        return K_EPSS;
    char *comma = strchr(line, ',');
    if (comma && comma - line > 5 && !strncmp(comma - 5, ".json", 5)) {
        *what = "a CSAF changes.csv index, skipped";
        return K_SKIP;
    }
    if (len >= 2 && p[0] == 0x1f && p[1] == 0x8b)
        *what = "compressed; decompress it first (gunzip)";
    else
        *what = "not a CSAF, NVD, KEV or EPSS file";
    return K_BAD;
}

/* ---- one file ---- */

static uint8_t *read_file(const char *path, size_t *len, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s", strerror(errno));
        return NULL;
    }
    uint8_t *buf = NULL;
    size_t cap = 0, n = 0;
    for (;;) {
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 1 << 16;
            if (ncap > (size_t)MAX_FILE_BYTES + 1) {
                snprintf(err, errlen, "larger than %ld bytes", MAX_FILE_BYTES);
                break;
            }
            uint8_t *nb = realloc(buf, ncap + 1);
            if (!nb) {
                snprintf(err, errlen, "out of memory");
                break;
            }
            buf = nb;
            cap = ncap;
        }
        size_t r = fread(buf + n, 1, cap - n, f);
        n += r;
        if (r == 0) {
            if (ferror(f)) {
                snprintf(err, errlen, "read error");
                break;
            }
            fclose(f);
            buf[n] = '\0';
            *len = n;
            return buf;
        }
    }
    fclose(f);
    free(buf);
    return NULL;
}

static int import_json(struct vuln_importer *im, const uint8_t *buf, size_t len, const char *path,
                       char *err, size_t errlen, enum kind *k)
{
    json_error_t je;
    json_t *doc = json_loadb((const char *)buf, len, 0, &je);
    if (!doc) {
        snprintf(err, errlen, "invalid JSON at line %d column %d: %s", je.line, je.column, je.text);
        *k = K_BAD;
        return -1;
    }
    const char *what;
    *k = json_kind(doc, &what);
    int rc = 0;
    if (*k == K_CSAF)
        rc = vuln_csaf_import(im, doc, path, err, errlen);
    else if (*k == K_NVD)
        rc = vuln_nvd_import(im, doc, err, errlen);
    else if (*k == K_KEV)
        rc = vuln_kev_import(im, doc, err, errlen);
    else {
        snprintf(err, errlen, "%s", what);
        rc = *k == K_SKIP ? 0 : -1;
    }
    json_decref(doc);
    return rc;
}

static int import_data(struct vuln_importer *im, const uint8_t *buf, size_t len,
                       const char *path);

/* 0 ok (or skipped), -1 bad file (reported), -2 store failure */
static int import_file(struct vuln_importer *im, const char *path)
{
    char err[512] = "";
    size_t len = 0;
    im->stats->files++;
    uint8_t *buf = read_file(path, &len, err, sizeof err);
    if (!buf) {
        log_error("%s: %s", path, err);
        im->stats->bad++;
        return -1;
    }
    int rc = import_data(im, buf, len, path);
    free(buf);
    return rc;
}

/* one file's bytes: detect the format, import it inside a savepoint */
static int import_data(struct vuln_importer *im, const uint8_t *buf, size_t len, const char *path)
{
    char err[512] = "";
    size_t i = 0;
    while (i < len && (buf[i] == ' ' || buf[i] == '\n' || buf[i] == '\r' || buf[i] == '\t'))
        i++;
    if (i + 3 <= len && buf[i] == 0xef && buf[i + 1] == 0xbb && buf[i + 2] == 0xbf)
        i += 3;
    im->err[0] = '\0';
    if (exec(im, "SAVEPOINT vuln_file"))
        return -2;
    enum kind k = K_BAD;
    int rc;
    if (i < len && (buf[i] == '{' || buf[i] == '[')) {
        rc = import_json(im, buf + i, len - i, path, err, sizeof err, &k);
    } else {
        const char *what = "";
        k = text_kind(buf, len, &what);
        if (k == K_EPSS) {
            rc = vuln_epss_import(im, buf, len, err, sizeof err);
        } else {
            snprintf(err, sizeof err, "%s", what);
            rc = k == K_SKIP ? 0 : -1;
        }
    }
    if (rc == 0) {
        if (k == K_SKIP) {
            im->stats->skipped++;
            if (!im->quiet)
                log_info("%s: %s", path, err);
        }
        return exec(im, "RELEASE vuln_file") ? -2 : 0;
    }
    if (im->err[0]) { /* a store failure, not the file's fault */
        snprintf(err, sizeof err, "%s", im->err);
        exec(im, "ROLLBACK TO vuln_file");
        exec(im, "RELEASE vuln_file");
        snprintf(im->err, sizeof im->err, "%s: %s", path, err);
        return -2;
    }
    exec(im, "ROLLBACK TO vuln_file");
    exec(im, "RELEASE vuln_file");
    log_error("%s: %s", path, err);
    im->stats->bad++;
    return -1;
}

/* ---- folders ---- */

static bool wanted_in_folder(const char *name)
{
    size_t l = strlen(name);
    return name[0] != '.' && l > 4 &&
           (!strcasecmp(name + l - 5, ".json") || !strcasecmp(name + l - 4, ".csv"));
}

static int import_path(struct vuln_importer *im, const char *path, int depth);

static int import_dir(struct vuln_importer *im, const char *path, int depth)
{
    struct dirent **ents = NULL;
    int n = scandir(path, &ents, NULL, alphasort);
    if (n < 0) {
        log_error("%s: %s", path, strerror(errno));
        im->stats->bad++;
        return 0;
    }
    int rc = 0;
    for (int i = 0; i < n; i++) {
        const char *name = ents[i]->d_name;
        if (rc != -2 && name[0] != '.') {
            char child[4096];
            int w = snprintf(child, sizeof child, "%s/%s", path, name);
            struct stat sb;
            if (w > 0 && (size_t)w < sizeof child && stat(child, &sb) == 0) {
                if (S_ISDIR(sb.st_mode))
                    rc = import_path(im, child, depth + 1) == -2 ? -2 : rc;
                else if (S_ISREG(sb.st_mode) && wanted_in_folder(name))
                    rc = import_file(im, child) == -2 ? -2 : rc;
            }
        }
        free(ents[i]);
    }
    free(ents);
    return rc;
}

static int import_path(struct vuln_importer *im, const char *path, int depth)
{
    struct stat sb;
    if (stat(path, &sb) != 0) {
        log_error("%s: %s", path, strerror(errno));
        im->stats->files++;
        im->stats->bad++;
        return -1;
    }
    if (S_ISDIR(sb.st_mode)) {
        if (depth >= MAX_DEPTH) {
            log_error("%s: folders nested deeper than %d, not read", path, MAX_DEPTH);
            return 0;
        }
        return import_dir(im, path, depth);
    }
    return import_file(im, path);
}

int vuln_import(struct store *s, char *const *paths, size_t npaths, bool quiet,
                struct vuln_import_stats *st, char *err, size_t errlen)
{
    struct vuln_importer im;
    memset(&im, 0, sizeof im);
    memset(st, 0, sizeof *st);
    im.stats = st;
    im.quiet = quiet;
    int rc = importer_open(&im, store_db(s));
    if (!rc)
        rc = exec(&im, "BEGIN IMMEDIATE");
    for (size_t i = 0; !rc && i < npaths; i++)
        if (import_path(&im, paths[i], 0) == -2)
            rc = -1;
    if (!rc)
        rc = exec(&im, "COMMIT");
    else
        sqlite3_exec(im.db, "ROLLBACK", NULL, NULL, NULL);
    if (rc)
        snprintf(err, errlen, "%s", im.err);
    importer_close(&im);
    return rc;
}

int vuln_import_buffer(struct store *s, const uint8_t *buf, size_t len, const char *name,
                       struct vuln_import_stats *st)
{
    struct vuln_importer im;
    memset(&im, 0, sizeof im);
    memset(st, 0, sizeof *st);
    im.stats = st;
    im.quiet = true;
    int rc = importer_open(&im, store_db(s));
    if (!rc)
        rc = exec(&im, "BEGIN IMMEDIATE");
    if (!rc) {
        st->files++;
        rc = import_data(&im, buf, len, name) == -2 ? -1 : 0;
    }
    if (!rc)
        rc = exec(&im, "COMMIT");
    else
        sqlite3_exec(im.db, "ROLLBACK", NULL, NULL, NULL);
    importer_close(&im);
    return rc;
}
