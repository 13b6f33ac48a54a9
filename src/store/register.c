/* register.c - the ISMS asset register: CSV import, matching register rows to the assets seen on
 * the wire, and the gaps the board asks about (unmanaged, stale, mismatched).  A match says how it
 * was made and how sure it is: MAC 1.0, serial 0.95, IP and name 0.9, IP alone 0.6 (addresses
 * are reassigned), name alone 0.5.  Matching is re-run after every import and every analysis. */
#include <ctype.h>
#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/register.h"
#include "util/csv.h"
#include "util/hmap.h"
#include "util/str.h"
#include "util/timefmt.h"

enum col {
    C_REF,
    C_NAME,
    C_MAC,
    C_IP,
    C_SERIAL,
    C_VENDOR,
    C_MODEL,
    C_FIRMWARE,
    C_OWNER,
    C_CRIT,
    C_ZONE,
    C_COUNT
};

/* header synonyms seen in real registers */
static const struct {
    const char *alias;
    enum col c;
} synonyms[] = {
    {"asset id", C_REF},
    {"asset_id", C_REF},
    {"id", C_REF},
    {"asset", C_REF},
    {"inventory number", C_REF},
    {"name", C_NAME},
    {"hostname", C_NAME},
    {"host name", C_NAME},
    {"device name", C_NAME},
    {"mac", C_MAC},
    {"mac address", C_MAC},
    {"mac_address", C_MAC},
    {"ip", C_IP},
    {"ip address", C_IP},
    {"ip_address", C_IP},
    {"ipv4", C_IP},
    {"serial", C_SERIAL},
    {"serial number", C_SERIAL},
    {"serial_number", C_SERIAL},
    {"vendor", C_VENDOR},
    {"manufacturer", C_VENDOR},
    {"model", C_MODEL},
    {"product", C_MODEL},
    {"type", C_MODEL},
    {"firmware", C_FIRMWARE},
    {"firmware version", C_FIRMWARE},
    {"firmware_version", C_FIRMWARE},
    {"version", C_FIRMWARE},
    {"owner", C_OWNER},
    {"responsible", C_OWNER},
    {"criticality", C_CRIT},
    {"zone", C_ZONE},
    {"segment", C_ZONE},
};

static void lower(char *dst, size_t n, const char *s)
{
    size_t i = 0;
    for (; s[i] && i + 1 < n; i++)
        dst[i] = (char)tolower((unsigned char)s[i]);
    dst[i] = '\0';
    while (i && dst[i - 1] == ' ')
        dst[--i] = '\0';
}

static int map_header(const struct csv_row *h, int idx[C_COUNT], char *err, size_t errlen)
{
    for (int c = 0; c < C_COUNT; c++)
        idx[c] = -1;
    for (size_t i = 0; i < h->n; i++) {
        char l[CSV_FIELD_MAX];
        lower(l, sizeof l, h->f[i]);
        for (size_t k = 0; k < sizeof synonyms / sizeof *synonyms; k++)
            if (!strcmp(l, synonyms[k].alias) && idx[synonyms[k].c] < 0)
                idx[synonyms[k].c] = (int)i;
    }
    if (idx[C_REF] < 0) {
        snprintf(err, errlen, "line 1: no asset id column (asset_id, asset id, id)");
        return -1;
    }
    if (idx[C_MAC] < 0 && idx[C_IP] < 0 && idx[C_SERIAL] < 0 && idx[C_NAME] < 0) {
        snprintf(err, errlen, "line 1: none of the columns mac, ip, serial, name to match by");
        return -1;
    }
    return 0;
}

static void normalise_mac(char *s)
{
    uint8_t m[6];
    char tmp[CSV_FIELD_MAX];
    str_copy(tmp, sizeof tmp, s);
    for (char *p = tmp; *p; p++)
        if (*p == '-' || *p == '.')
            *p = ':';
    if (strlen(tmp) == 12) { /* 001b1b123456 */
        char c[18];
        snprintf(c, sizeof c, "%.2s:%.2s:%.2s:%.2s:%.2s:%.2s", tmp, tmp + 2, tmp + 4, tmp + 6,
                 tmp + 8, tmp + 10);
        str_copy(tmp, sizeof tmp, c);
    }
    if (mac_parse(tmp, m)) {
        char out[MAC_STRLEN];
        mac_format(m, out);
        strcpy(s, out);
    }
}

int register_import(struct store *s, const char *path, int64_t now_ns, int *rows, char *err,
                    size_t errlen)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        snprintf(err, errlen, "cannot open: %s", strerror(errno));
        return 3;
    }
    /* the whole file in memory (registers of a million rows are ~100 MB), bounded at 1 GiB */
    if (fseek(fp, 0, SEEK_END) != 0) {
        fclose(fp);
        snprintf(err, errlen, "cannot seek (not a regular file?)");
        return 3;
    }
    long fsize = ftell(fp);
    rewind(fp);
    if (fsize < 0 || fsize > (1l << 30)) {
        fclose(fp);
        snprintf(err, errlen, "larger than 1 GiB");
        return 3;
    }
    char *data = malloc((size_t)fsize + 1);
    size_t n = data ? fread(data, 1, (size_t)fsize, fp) : 0;
    fclose(fp);
    if (!data || n != (size_t)fsize) {
        free(data);
        snprintf(err, errlen, "cannot read");
        return 3;
    }
    struct rd r = rd_init(data, n);
    static struct csv_row row;
    unsigned line = 0;
    if (!csv_next(&r, &row, &line) || row.n < 2) {
        free(data);
        snprintf(err, errlen, "not a CSV register with a header row");
        return 3;
    }
    int idx[C_COUNT];
    if (map_header(&row, idx, err, errlen)) {
        free(data);
        return 3;
    }
    struct hmap ids; /* asset id -> first line, for duplicates */
    hmap_init(&ids, sizeof(unsigned));
    static struct csv_row header;
    header = row;
    sqlite3 *db = store_db(s);
    sqlite3_stmt *ins;
    if (sqlite3_exec(db, "BEGIN IMMEDIATE; DELETE FROM register; DELETE FROM register_match;", NULL,
                     NULL, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db,
                           "INSERT INTO register(asset_ref, name, mac, ip, serial, vendor,"
                           " model, firmware, owner, criticality, zone, extra, imported_ns,"
                           " source) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                           -1, &ins, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "%s", sqlite3_errmsg(db));
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
        free(data);
        hmap_clear(&ids);
        return 1;
    }
    int count = 0, rc = 0;
    while (csv_next(&r, &row, &line)) {
        if (row.n == 1 && !row.f[0][0])
            continue; /* blank line */
        if (row.truncated) {
            snprintf(err, errlen, "line %u: a field or the field count is too long", line);
            rc = 3;
            break;
        }
        const char *ref = (size_t)idx[C_REF] < row.n ? row.f[idx[C_REF]] : "";
        if (!*ref) {
            snprintf(err, errlen, "line %u: empty asset id", line);
            rc = 3;
            break;
        }
        bool created;
        unsigned *first = hmap_get(&ids, ref, strlen(ref), &created);
        if (first && !created) {
            snprintf(err, errlen, "line %u: asset id '%s' already on line %u", line, ref, *first);
            rc = 3;
            break;
        }
        if (first)
            *first = line;
        for (size_t k = 0; k < row.n; k++)
            if (strstr(row.f[k], "\\x"))
                fprintf(stderr, "otscope: %s: line %u: warning: column %zu has bytes that are not"
                                " UTF-8 (kept escaped as \\xHH)\n", path, line, k + 1);
        for (int c = 0; c < C_COUNT; c++) {
            if (idx[c] < 0 || (size_t)idx[c] >= row.n || !row.f[idx[c]][0]) {
                sqlite3_bind_null(ins, c + 1);
                continue;
            }
            if (c == C_MAC)
                normalise_mac(row.f[idx[c]]);
            sqlite3_bind_text(ins, c + 1, row.f[idx[c]], -1, SQLITE_TRANSIENT);
        }
        /* columns we do not know are kept as a JSON object */
        json_t *extra = json_object();
        for (size_t i = 0; i < row.n && i < header.n; i++) {
            bool known = false;
            for (int c = 0; c < C_COUNT; c++)
                known |= idx[c] == (int)i;
            if (!known && header.f[i][0])
                json_object_set_new(extra, header.f[i], json_string(row.f[i]));
        }
        char *ej = json_dumps(extra, JSON_COMPACT | JSON_SORT_KEYS);
        sqlite3_bind_text(ins, 12, ej, -1, SQLITE_TRANSIENT);
        free(ej);
        json_decref(extra);
        sqlite3_bind_int64(ins, 13, now_ns);
        sqlite3_bind_text(ins, 14, path, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(ins) != SQLITE_DONE) {
            snprintf(err, errlen, "line %u: %s", line, sqlite3_errmsg(db));
            rc = 1;
            break;
        }
        sqlite3_reset(ins);
        count++;
    }
    sqlite3_finalize(ins);
    free(data);
    hmap_clear(&ids);
    if (rc) {
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
        return rc;
    }
    if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "%s", sqlite3_errmsg(db));
        return 1;
    }
    *rows = count;
    return register_match(s) ? 1 : 0;
}

/* ---- matching ---- */

struct cand {
    char id[96];
};

static void key_of(struct keybuf *k, const char *kind, const char *v)
{
    char l[256];
    lower(l, sizeof l, v);
    kb_reset(k);
    kb_str(k, kind);
    kb_str(k, l);
}

static void index_put(struct hmap *m, const char *kind, const char *v, const char *id)
{
    if (!v || !*v)
        return;
    struct keybuf k;
    key_of(&k, kind, v);
    bool created;
    struct cand *c = hmap_get(m, k.b, k.n, &created);
    if (c && created)
        str_copy(c->id, sizeof c->id, id);
    else if (c && strcmp(c->id, id) != 0)
        c->id[0] = '\0'; /* ambiguous: two assets share it */
}

static const char *index_get(struct hmap *m, const char *kind, const char *v)
{
    if (!v || !*v)
        return NULL;
    struct keybuf k;
    key_of(&k, kind, v);
    struct cand *c = hmap_find(m, k.b, k.n);
    return c && c->id[0] ? c->id : NULL;
}

static const char *txt(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return t ? (const char *)t : NULL;
}

int register_match(struct store *s)
{
    sqlite3 *db = store_db(s);
    struct hmap idx;
    hmap_init(&idx, sizeof(struct cand));
    sqlite3_stmt *st;
    /* every name an asset goes by: identity name, hostname, NetBIOS name */
    sqlite3_prepare_v2(
        db,
        "SELECT a.id, a.mac, a.serial, a.name, NULL FROM assets a UNION ALL"
        " SELECT asset_id, NULL, NULL, NULL, ip FROM asset_ips UNION ALL"
        " SELECT ea.asset_id, NULL, NULL, x.value, NULL FROM attributes x JOIN endpoint_asset ea"
        " ON ea.site=x.site AND ea.mac=x.mac AND ea.ip=x.ip WHERE x.field IN ('hostname',"
        " 'netbios_name', 'name')",
        -1, &st, NULL);
    while (st && sqlite3_step(st) == SQLITE_ROW) {
        const char *id = txt(st, 0);
        index_put(&idx, "mac", txt(st, 1), id);
        index_put(&idx, "serial", txt(st, 2), id);
        const char *name = txt(st, 3);
        if (name) {
            char short_name[256];
            str_copy(short_name, sizeof short_name, name);
            char *angle = strchr(short_name, '<'); /* NetBIOS suffix */
            if (angle)
                *angle = '\0';
            index_put(&idx, "name", short_name, id);
        }
        index_put(&idx, "ip", txt(st, 4), id);
    }
    sqlite3_finalize(st);
    sqlite3_stmt *rows, *ins;
    int rc = 0;
    if (sqlite3_exec(db, "BEGIN IMMEDIATE; DELETE FROM register_match;", NULL, NULL, NULL) !=
            SQLITE_OK ||
        sqlite3_prepare_v2(db, "SELECT row, mac, serial, ip, name FROM register", -1, &rows,
                           NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db,
                           "INSERT INTO register_match(row, asset_id, confidence, method)"
                           " VALUES(?,?,?,?)",
                           -1, &ins, NULL) != SQLITE_OK) {
        hmap_clear(&idx);
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
        return -1;
    }
    while (sqlite3_step(rows) == SQLITE_ROW) {
        const char *mac = txt(rows, 1), *serial = txt(rows, 2), *ip = txt(rows, 3),
                   *name = txt(rows, 4);
        const char *by_ip = index_get(&idx, "ip", ip), *by_name = index_get(&idx, "name", name);
        const char *id = NULL, *method = NULL;
        double conf = 0;
        if ((id = index_get(&idx, "mac", mac))) {
            conf = 1.0;
            method = "mac";
        } else if ((id = index_get(&idx, "serial", serial))) {
            conf = 0.95;
            method = "serial";
        } else if (by_ip && by_name && !strcmp(by_ip, by_name)) {
            id = by_ip;
            conf = 0.9;
            method = "ip+name";
        } else if (by_ip) {
            id = by_ip;
            conf = 0.6;
            method = "ip";
        } else if (by_name) {
            id = by_name;
            conf = 0.5;
            method = "name";
        }
        if (!id)
            continue;
        sqlite3_bind_int64(ins, 1, sqlite3_column_int64(rows, 0));
        sqlite3_bind_text(ins, 2, id, -1, SQLITE_TRANSIENT);
        sqlite3_bind_double(ins, 3, conf);
        sqlite3_bind_text(ins, 4, method, -1, SQLITE_STATIC);
        if (sqlite3_step(ins) != SQLITE_DONE)
            rc = -1;
        sqlite3_reset(ins);
    }
    sqlite3_finalize(rows);
    sqlite3_finalize(ins);
    hmap_clear(&idx);
    sqlite3_exec(db, rc ? "ROLLBACK" : "COMMIT", NULL, NULL, NULL);
    return rc;
}

/* ---- gaps ---- */

#define OT_ROLES                                                                                   \
    "('plc','rtu','ied','io-device','hmi','engineering-workstation','scada-server',"               \
    "'historian','opc-server','broker')"

static json_t *rows_json(sqlite3 *db, const char *sql, int64_t a, int64_t b)
{
    json_t *arr = json_array();
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return arr;
    int np = sqlite3_bind_parameter_count(st);
    if (np >= 1)
        sqlite3_bind_int64(st, 1, a);
    if (np >= 2)
        sqlite3_bind_int64(st, 2, b);
    while (sqlite3_step(st) == SQLITE_ROW) {
        json_t *o = json_object();
        for (int i = 0; i < sqlite3_column_count(st); i++) {
            const char *name = sqlite3_column_name(st, i);
            json_t *v;
            switch (sqlite3_column_type(st, i)) {
            case SQLITE_INTEGER:
                v = json_integer(sqlite3_column_int64(st, i));
                break;
            case SQLITE_FLOAT:
                v = json_real(sqlite3_column_double(st, i));
                break;
            case SQLITE_NULL:
                v = json_null();
                break;
            default:
                v = json_string((const char *)sqlite3_column_text(st, i));
            }
            if (!strcmp(name, "last_seen_ns") && json_is_integer(v)) {
                char t[TIME_STRLEN];
                time_format(json_integer_value(v), t);
                json_decref(v);
                v = json_string(t);
                name = "last_seen";
            }
            json_object_set_new(o, name, v);
        }
        json_array_append_new(arr, o);
    }
    sqlite3_finalize(st);
    return arr;
}

/* version text for comparison: lower case, no 'v', no blanks */
static void vnorm(char *d, size_t n, const char *s)
{
    size_t o = 0;
    for (; *s && o + 1 < n; s++) {
        if (*s == ' ' || ((*s == 'v' || *s == 'V') && o == 0))
            continue;
        d[o++] = (char)tolower((unsigned char)*s);
    }
    d[o] = '\0';
}

static json_t *mismatches(sqlite3 *db)
{
    json_t *arr = json_array();
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(
            db,
            /* the hardware names a device gives itself: product names except an OPC UA
               server's build info (which names the server software, "TwinCAT OPC UA Server"
               on a CX5140), order number, model */
            "SELECT r.asset_ref, m.asset_id, r.firmware, a.firmware, r.model,"
            " (SELECT group_concat(x.value, '|') FROM attributes x JOIN endpoint_asset ea ON"
            " ea.site=x.site AND ea.mac=x.mac AND ea.ip=x.ip WHERE ea.asset_id=a.id AND"
            " x.field='product' AND x.source NOT LIKE 'opcua %'),"
            " a.order_number, (SELECT group_concat(x.value, '|') FROM attributes x JOIN"
            " endpoint_asset ea ON ea.site=x.site AND ea.mac=x.mac AND ea.ip=x.ip WHERE"
            " ea.asset_id=a.id AND x.field='model'), a.role, a.criticality FROM register r"
            " JOIN register_match m ON m.row=r.row JOIN assets a ON a.id=m.asset_id ORDER BY"
            " r.asset_ref",
            -1, &st, NULL) != SQLITE_OK)
        return arr;
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *ref = txt(st, 0), *id = txt(st, 1);
        const char *rf = txt(st, 2), *sf = txt(st, 3), *rm = txt(st, 4);
        char a[256], b[256];
        if (rf && sf) {
            vnorm(a, sizeof a, rf);
            vnorm(b, sizeof b, sf);
            if (strcmp(a, b) != 0)
                json_array_append_new(
                    arr, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s?, s:s?}", "asset_ref", ref,
                                   "asset", id, "field", "firmware", "registered", rf, "seen", sf,
                                   "role", txt(st, 8), "criticality", txt(st, 9)));
        }
        if (rm) {
            /* the registered model must be one of the names the device gives itself */
            const char *seen[3] = {txt(st, 5), txt(st, 6), txt(st, 7)};
            bool any = false, same = false;
            vnorm(a, sizeof a, rm);
            for (int i = 0; i < 3; i++) {
                if (!seen[i])
                    continue;
                any = true;
                char list[1024];
                str_copy(list, sizeof list, seen[i]);
                for (char *tok = strtok(list, "|"); tok; tok = strtok(NULL, "|")) {
                    vnorm(b, sizeof b, tok);
                    same |= strstr(b, a) != NULL || strstr(a, b) != NULL;
                }
            }
            if (any && !same) {
                char shown[256]; /* the first name seen */
                str_copy(shown, sizeof shown, seen[0] ? seen[0] : seen[1] ? seen[1] : seen[2]);
                shown[strcspn(shown, "|")] = '\0';
                json_array_append_new(
                    arr, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s?, s:s?}", "asset_ref", ref,
                                   "asset", id, "field", "model", "registered", rm, "seen",
                                   shown, "role", txt(st, 8), "criticality", txt(st, 9)));
            }
        }
    }
    sqlite3_finalize(st);
    return arr;
}

static const char *jstr_any(const json_t *o, const char *k)
{
    const json_t *v = json_object_get(o, k);
    return json_is_string(v) ? json_string_value(v) : "unknown";
}

static void breakdown(json_t *by, const char *key, const char *what)
{
    json_t *e = json_object_get(by, key);
    if (!e) {
        e = json_pack("{s:i, s:i, s:i}", "unmanaged", 0, "stale", 0, "mismatched", 0);
        json_object_set_new(by, key, e);
    }
    json_object_set_new(e, what, json_integer(json_integer_value(json_object_get(e, what)) + 1));
}

json_t *register_gaps_json(struct store *s, int stale_days, int64_t now_ns, bool all_assets)
{
    sqlite3 *db = store_db(s);
    if (now_ns == 0) {
        sqlite3_stmt *st;
        if (sqlite3_prepare_v2(db, "SELECT max(last_ns) FROM assets", -1, &st, NULL) == SQLITE_OK &&
            sqlite3_step(st) == SQLITE_ROW)
            now_ns = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
    }
    int64_t cutoff = now_ns - (int64_t)stale_days * 86400ll * 1000000000ll;
    char sql[2048];
    snprintf(sql, sizeof sql,
             "SELECT a.id AS asset, a.role, a.criticality, a.mac, (SELECT group_concat(ip, ' ')"
             " FROM asset_ips WHERE asset_id=a.id) AS ips, a.vendor, a.product, a.firmware,"
             " a.name, a.last_ns AS last_seen_ns FROM assets a WHERE %s AND a.id NOT IN"
             " (SELECT asset_id FROM register_match) ORDER BY CASE a.criticality WHEN 'high'"
             " THEN 0 WHEN 'medium' THEN 1 ELSE 2 END, a.id",
             all_assets ? "1" : "a.role IN " OT_ROLES);
    json_t *unmanaged = rows_json(db, sql, 0, 0);
    json_t *stale = rows_json(
        db,
        "SELECT r.asset_ref, r.name, r.ip, r.mac, r.criticality AS registered_criticality,"
        " m.asset_id AS asset, m.method, a.role, a.criticality, a.last_ns AS last_seen_ns,"
        " CASE WHEN m.asset_id IS NULL THEN 'never seen' ELSE 'not seen since the cutoff' END"
        " AS reason FROM register r LEFT JOIN register_match m ON m.row=r.row LEFT JOIN assets a"
        " ON a.id=m.asset_id WHERE m.asset_id IS NULL OR a.last_ns < ?1 ORDER BY r.asset_ref",
        cutoff, 0);
    json_t *mism = mismatches(db);
    json_t *matched = rows_json(db,
                                "SELECT r.asset_ref, m.asset_id AS asset, m.method,"
                                " m.confidence FROM register r JOIN register_match m ON"
                                " m.row=r.row ORDER BY r.asset_ref",
                                0, 0);
    json_t *bycrit = json_object(), *byrole = json_object();
    size_t i;
    json_t *v;
    json_array_foreach(unmanaged, i, v)
    {
        breakdown(bycrit, jstr_any(v, "criticality"), "unmanaged");
        breakdown(byrole, jstr_any(v, "role"), "unmanaged");
    }
    json_array_foreach(stale, i, v)
    {
        const char *c = json_is_string(json_object_get(v, "criticality"))
                            ? jstr_any(v, "criticality")
                            : jstr_any(v, "registered_criticality");
        breakdown(bycrit, c, "stale");
        breakdown(byrole, jstr_any(v, "role"), "stale");
    }
    json_array_foreach(mism, i, v)
    {
        breakdown(bycrit, jstr_any(v, "criticality"), "mismatched");
        breakdown(byrole, jstr_any(v, "role"), "mismatched");
    }
    snprintf(sql, sizeof sql, "SELECT count(*) AS n FROM assets WHERE %s",
             all_assets ? "1" : "role IN " OT_ROLES);
    json_t *seen = rows_json(db, sql, 0, 0);
    json_t *reg = rows_json(db, "SELECT count(*) AS n FROM register", 0, 0);
    json_int_t nseen = json_integer_value(json_object_get(json_array_get(seen, 0), "n"));
    json_int_t nreg = json_integer_value(json_object_get(json_array_get(reg, 0), "n"));
    json_decref(seen);
    json_decref(reg);
    char now[TIME_STRLEN];
    time_format(now_ns, now);
    json_t *counts = json_pack(
        "{s:I, s:I, s:I, s:I, s:I, s:I}", all_assets ? "assets_seen" : "ot_assets_seen", nseen,
        "registered", nreg, "matched", (json_int_t)json_array_size(matched), "unmanaged",
        (json_int_t)json_array_size(unmanaged), "stale", (json_int_t)json_array_size(stale),
        "mismatched", (json_int_t)json_array_size(mism));
    json_object_set_new(counts, "unmanaged_share",
                        json_real(nseen ? (double)json_array_size(unmanaged) / (double)nseen : 0));
    return json_pack("{s:s, s:s, s:i, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "schema",
                     "otscope.register-gaps/1", "now", now, "stale_days", stale_days, "scope",
                     all_assets ? "all" : "ot", "counts", counts, "by_criticality", bycrit,
                     "by_role", byrole, "unmanaged", unmanaged, "stale", stale, "mismatched", mism,
                     "matches", matched);
}
