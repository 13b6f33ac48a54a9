/* sqlite.c - the SQLite store (see store.h).  One connection, prepared statements for the
 * merge, WAL journal so readers never block a writer and a crash loses at most the transaction
 * in flight.  Derived tables (assets*, endpoint_asset, asset_class) are rebuilt from facts. */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "central/mirror.h"
#include "inventory/classify.h"
#include "inventory/oui.h"
#include "store/schema.h"
#include "store/store.h"
#include "util/hmap.h"
#include "util/str.h"
#include "util/timefmt.h"

struct store {
    sqlite3 *db;
    char err[512];
};

static int fail(struct store *s, const char *what)
{
    snprintf(s->err, sizeof s->err, "%s: %s", what, sqlite3_errmsg(s->db));
    return -1;
}

const char *store_error(const struct store *s)
{
    return s->err;
}

sqlite3 *store_db(struct store *s)
{
    return s->db;
}

static int exec(struct store *s, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        snprintf(s->err, sizeof s->err, "%s", msg ? msg : sqlite3_errmsg(s->db));
        sqlite3_free(msg);
        return -1;
    }
    return 0;
}

static int user_version(struct store *s)
{
    sqlite3_stmt *st;
    int v = -1;
    if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return v;
}

static int migrate(struct store *s)
{
    int v = user_version(s);
    int latest = (int)(sizeof store_migrations / sizeof *store_migrations);
    if (v < 0)
        return fail(s, "reading schema version");
    if (v > latest) {
        snprintf(s->err, sizeof s->err,
                 "database schema version %d is newer than this otscope (%d)", v, latest);
        return -1;
    }
    for (; v < latest; v++) {
        char pragma[64];
        snprintf(pragma, sizeof pragma, "PRAGMA user_version=%d;", v + 1);
        if (exec(s, "BEGIN IMMEDIATE") || exec(s, store_migrations[v]) || exec(s, pragma) ||
            exec(s, "COMMIT")) {
            char keep[600];
            snprintf(keep, sizeof keep, "migration to schema %d: %.500s", v + 1, s->err);
            exec(s, "ROLLBACK");
            snprintf(s->err, sizeof s->err, "%.500s", keep);
            return -1;
        }
    }
    return 0;
}

struct store *store_open(const char *path, bool create, char *err, size_t errlen)
{
    if (central_is_uri(path)) /* postgresql://: all sites, materialised (central/mirror.h) */
        return central_store_open(path, create, err, errlen);
    struct store *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0);
    if (sqlite3_open_v2(path, &s->db, flags, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "%s", s->db ? sqlite3_errmsg(s->db) : "cannot open");
        store_close(s);
        return NULL;
    }
    sqlite3_busy_timeout(s->db, 5000);
    if (exec(s, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
                "PRAGMA cache_size=-16384; PRAGMA temp_store=MEMORY;") ||
        migrate(s)) {
        snprintf(err, errlen, "%s", s->err);
        store_close(s);
        return NULL;
    }
    return s;
}

void store_close(struct store *s)
{
    if (!s)
        return;
    void *central = central_store_closing(s); /* pushes a central store's changes back */
    if (s->db)
        sqlite3_close_v2(s->db);
    free(s);
    central_store_closed(central);
}

/* ---- small statement helpers ---- */

static sqlite3_stmt *prep(struct store *s, const char *sql)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
        fail(s, "prepare");
        return NULL;
    }
    return st;
}

static void bind_text(sqlite3_stmt *st, int i, const char *v)
{
    sqlite3_bind_text(st, i, v ? v : "", -1, SQLITE_TRANSIENT);
}

static int step_done(struct store *s, sqlite3_stmt *st, const char *what)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        return fail(s, what);
    return 0;
}

/* ---- runs and files ---- */

int64_t store_run_begin(struct store *s, const char *site, int64_t now_ns)
{
    sqlite3_stmt *st =
        prep(s, "INSERT INTO runs(site, started_ns, status) VALUES(?, ?, 'running')");
    if (!st)
        return -1;
    bind_text(st, 1, site);
    sqlite3_bind_int64(st, 2, now_ns);
    int rc = step_done(s, st, "starting a run");
    sqlite3_finalize(st);
    return rc ? -1 : sqlite3_last_insert_rowid(s->db);
}

void store_run_end(struct store *s, int64_t run_id, int64_t now_ns, uint64_t packets,
                   uint64_t bytes, const char *status)
{
    sqlite3_stmt *st = prep(s, "UPDATE runs SET finished_ns=?, packets=?, bytes=?, status=? "
                               "WHERE id=?");
    if (!st)
        return;
    sqlite3_bind_int64(st, 1, now_ns);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)packets);
    sqlite3_bind_int64(st, 3, (sqlite3_int64)bytes);
    bind_text(st, 4, status);
    sqlite3_bind_int64(st, 5, run_id);
    step_done(s, st, "finishing a run");
    sqlite3_finalize(st);
}

bool store_file_seen(struct store *s, const char *site, const char *fingerprint)
{
    sqlite3_stmt *st = prep(s, "SELECT 1 FROM files f JOIN runs r ON r.id=f.run_id WHERE"
                               " f.fingerprint=? AND r.site=? AND f.status='ok' LIMIT 1");
    if (!st)
        return false;
    bind_text(st, 1, fingerprint);
    bind_text(st, 2, site);
    bool seen = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    return seen;
}

int64_t store_file_begin(struct store *s, int64_t run_id, const char *path, const char *fingerprint)
{
    sqlite3_stmt *st = prep(s, "INSERT INTO files(run_id, path, fingerprint, status)"
                               " VALUES(?, ?, ?, 'reading')");
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, run_id);
    bind_text(st, 2, path);
    bind_text(st, 3, fingerprint);
    int rc = step_done(s, st, "recording a file");
    sqlite3_finalize(st);
    return rc ? -1 : sqlite3_last_insert_rowid(s->db);
}

void store_file_end(struct store *s, int64_t file_id, uint64_t packets, const char *status,
                    const char *error)
{
    sqlite3_stmt *st = prep(s, "UPDATE files SET packets=?, status=?, error=? WHERE id=?");
    if (!st)
        return;
    sqlite3_bind_int64(st, 1, (sqlite3_int64)packets);
    bind_text(st, 2, status);
    if (error)
        bind_text(st, 3, error);
    else
        sqlite3_bind_null(st, 3);
    sqlite3_bind_int64(st, 4, file_id);
    step_done(s, st, "recording a file");
    sqlite3_finalize(st);
}

/* ---- merge ---- */

/* split a packed key: endpoint(s) first, then NUL-terminated strings */
struct keyrd {
    const uint8_t *k;
    size_t n, off;
};

static void kr_ep(struct keyrd *r, char mac[MAC_STRLEN], char ip[IP_STRLEN])
{
    struct ep e;
    ep_from_key(r->k + r->off, &e);
    r->off += EP_KEY_LEN;
    ep_format(&e, mac, ip);
}

static uint8_t kr_u8(struct keyrd *r)
{
    return r->off < r->n ? r->k[r->off++] : 0;
}

static const char *kr_str(struct keyrd *r)
{
    const char *s = (const char *)r->k + r->off;
    size_t len = strnlen(s, r->n - r->off);
    r->off += len + 1;
    return s;
}

static void bind_fact(sqlite3_stmt *st, int i, const struct fact_count *f)
{
    sqlite3_bind_int64(st, i, (sqlite3_int64)f->count);
    sqlite3_bind_int64(st, i + 1, f->first_ns);
    sqlite3_bind_int64(st, i + 2, f->last_ns);
    sqlite3_bind_int64(st, i + 3, f->file_id);
    sqlite3_bind_int64(st, i + 4, (sqlite3_int64)f->frame);
}

/* upsert tail shared by the counted fact tables */
#define FACT_UPDATE                                                                                \
    " DO UPDATE SET count=count+excluded.count, last_ns=max(last_ns, excluded.last_ns),"           \
    " file_id=CASE WHEN excluded.first_ns < first_ns THEN excluded.file_id ELSE file_id END,"      \
    " frame=CASE WHEN excluded.first_ns < first_ns THEN excluded.frame ELSE frame END,"            \
    " first_ns=min(first_ns, excluded.first_ns)"

static int merge_sightings(struct store *s, const struct collector *c, const char *site)
{
    sqlite3_stmt *st = prep(
        s,
        "INSERT INTO sightings(site, mac, ip, vlan, arp, packets, bytes, first_ns, last_ns,"
        " file_id, frame) VALUES(?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT(site, mac, ip, vlan) DO UPDATE"
        " SET arp=max(arp, excluded.arp), packets=packets+excluded.packets,"
        " bytes=bytes+excluded.bytes, last_ns=max(last_ns, excluded.last_ns),"
        " file_id=CASE WHEN excluded.first_ns < first_ns THEN excluded.file_id ELSE file_id END,"
        " frame=CASE WHEN excluded.first_ns < first_ns THEN excluded.frame ELSE frame END,"
        " first_ns=min(first_ns, excluded.first_ns)");
    if (!st)
        return -1;
    int rc = 0;
    for (struct hmap_entry *e = hmap_first(&c->sightings); e && !rc; e = hmap_next(e)) {
        const struct fact_sighting *f = hmap_value(e);
        char mac[MAC_STRLEN], ip[IP_STRLEN];
        ep_format(&f->ep, mac, ip);
        bind_text(st, 1, site);
        bind_text(st, 2, mac);
        bind_text(st, 3, ip);
        sqlite3_bind_int(st, 4, f->ep.vlan);
        sqlite3_bind_int(st, 5, f->arp);
        sqlite3_bind_int64(st, 6, (sqlite3_int64)f->packets);
        sqlite3_bind_int64(st, 7, (sqlite3_int64)f->bytes);
        sqlite3_bind_int64(st, 8, f->first_ns);
        sqlite3_bind_int64(st, 9, f->last_ns);
        sqlite3_bind_int64(st, 10, f->file_id);
        sqlite3_bind_int64(st, 11, (sqlite3_int64)f->frame);
        rc = step_done(s, st, "storing sightings");
    }
    sqlite3_finalize(st);
    return rc;
}

static int merge_attrs(struct store *s, const struct collector *c, const char *site)
{
    sqlite3_stmt *st =
        prep(s, "INSERT INTO attributes(site, mac, ip, field, value, raw, source, count, first_ns,"
                " last_ns, file_id, frame) VALUES(?,?,?,?,?,?,?,?,?,?,?,?)"
                " ON CONFLICT(site, mac, ip, field, value, raw, source)" FACT_UPDATE);
    if (!st)
        return -1;
    int rc = 0;
    for (struct hmap_entry *e = hmap_first(&c->attrs); e && !rc; e = hmap_next(e)) {
        struct keyrd r = {hmap_key(e), e->klen, 0};
        char mac[MAC_STRLEN], ip[IP_STRLEN];
        kr_ep(&r, mac, ip);
        enum attr_field f = (enum attr_field)kr_u8(&r);
        const char *value = kr_str(&r), *raw = kr_str(&r), *source = kr_str(&r);
        bind_text(st, 1, site);
        bind_text(st, 2, mac);
        bind_text(st, 3, ip);
        bind_text(st, 4, attr_name(f));
        bind_text(st, 5, value);
        bind_text(st, 6, raw);
        bind_text(st, 7, source);
        bind_fact(st, 8, hmap_value(e));
        rc = step_done(s, st, "storing attributes");
    }
    sqlite3_finalize(st);
    return rc;
}

static int merge_protocols(struct store *s, const struct collector *c, const char *site)
{
    sqlite3_stmt *st = prep(
        s, "INSERT INTO protocols(site, mac, ip, proto, role, packets, first_ns, last_ns, file_id,"
           " frame) VALUES(?,?,?,?,?,?,?,?,?,?) ON CONFLICT(site, mac, ip, proto, role) DO UPDATE"
           " SET packets=packets+excluded.packets, last_ns=max(last_ns, excluded.last_ns),"
           " first_ns=min(first_ns, excluded.first_ns)");
    if (!st)
        return -1;
    int rc = 0;
    for (struct hmap_entry *e = hmap_first(&c->protocols); e && !rc; e = hmap_next(e)) {
        struct keyrd r = {hmap_key(e), e->klen, 0};
        char mac[MAC_STRLEN], ip[IP_STRLEN];
        kr_ep(&r, mac, ip);
        enum proto p = (enum proto)kr_u8(&r);
        const char *as = kr_str(&r);
        bind_text(st, 1, site);
        bind_text(st, 2, mac);
        bind_text(st, 3, ip);
        bind_text(st, 4, proto_name(p));
        bind_text(st, 5, as);
        bind_fact(st, 6, hmap_value(e));
        rc = step_done(s, st, "storing protocols");
    }
    sqlite3_finalize(st);
    return rc;
}

static int merge_roles(struct store *s, const struct collector *c, const char *site)
{
    sqlite3_stmt *st = prep(
        s,
        "INSERT INTO role_hints(site, mac, ip, role, source, count, first_ns, last_ns, file_id,"
        " frame) VALUES(?,?,?,?,?,?,?,?,?,?) ON CONFLICT(site, mac, ip, role, source)" FACT_UPDATE);
    if (!st)
        return -1;
    int rc = 0;
    for (struct hmap_entry *e = hmap_first(&c->roles); e && !rc; e = hmap_next(e)) {
        struct keyrd r = {hmap_key(e), e->klen, 0};
        char mac[MAC_STRLEN], ip[IP_STRLEN];
        kr_ep(&r, mac, ip);
        const char *role = kr_str(&r), *source = kr_str(&r);
        bind_text(st, 1, site);
        bind_text(st, 2, mac);
        bind_text(st, 3, ip);
        bind_text(st, 4, role);
        bind_text(st, 5, source);
        bind_fact(st, 6, hmap_value(e));
        rc = step_done(s, st, "storing role hints");
    }
    sqlite3_finalize(st);
    return rc;
}

static int merge_findings(struct store *s, const struct collector *c, const char *site)
{
    sqlite3_stmt *st =
        prep(s, "INSERT INTO findings(site, mac, ip, kind, detail, proto, count, first_ns, last_ns,"
                " file_id, frame) VALUES(?,?,?,?,?,?,?,?,?,?,?)"
                " ON CONFLICT(site, mac, ip, kind, detail, proto)" FACT_UPDATE);
    if (!st)
        return -1;
    int rc = 0;
    for (struct hmap_entry *e = hmap_first(&c->findings); e && !rc; e = hmap_next(e)) {
        struct keyrd r = {hmap_key(e), e->klen, 0};
        char mac[MAC_STRLEN], ip[IP_STRLEN];
        kr_ep(&r, mac, ip);
        const char *kind = kr_str(&r), *detail = kr_str(&r);
        enum proto p = (enum proto)kr_u8(&r);
        bind_text(st, 1, site);
        bind_text(st, 2, mac);
        bind_text(st, 3, ip);
        bind_text(st, 4, kind);
        bind_text(st, 5, detail);
        bind_text(st, 6, proto_name(p));
        bind_fact(st, 7, hmap_value(e));
        rc = step_done(s, st, "storing findings");
    }
    sqlite3_finalize(st);
    return rc;
}

static int merge_ops(struct store *s, const struct collector *c, const char *site)
{
    sqlite3_stmt *st = prep(
        s, "INSERT INTO operations(site, src_mac, src_ip, dst_mac, dst_ip, proto, kind, function,"
           " target, result, count, first_ns, last_ns, file_id, frame)"
           " VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT(site, src_mac, src_ip, dst_mac,"
           " dst_ip, proto, kind, function, target, result)" FACT_UPDATE);
    if (!st)
        return -1;
    int rc = 0;
    for (struct hmap_entry *e = hmap_first(&c->ops); e && !rc; e = hmap_next(e)) {
        struct keyrd r = {hmap_key(e), e->klen, 0};
        char smac[MAC_STRLEN], sip[IP_STRLEN], dmac[MAC_STRLEN], dip[IP_STRLEN];
        kr_ep(&r, smac, sip);
        kr_ep(&r, dmac, dip);
        enum proto p = (enum proto)kr_u8(&r);
        enum op_kind k = (enum op_kind)kr_u8(&r);
        const char *function = kr_str(&r), *target = kr_str(&r), *result = kr_str(&r);
        bind_text(st, 1, site);
        bind_text(st, 2, smac);
        bind_text(st, 3, sip);
        bind_text(st, 4, dmac);
        bind_text(st, 5, dip);
        bind_text(st, 6, proto_name(p));
        bind_text(st, 7, op_kind_name(k));
        bind_text(st, 8, function);
        bind_text(st, 9, target);
        bind_text(st, 10, result);
        bind_fact(st, 11, hmap_value(e));
        rc = step_done(s, st, "storing operations");
    }
    sqlite3_finalize(st);
    return rc;
}

static int merge_convs(struct store *s, const struct collector *c, const char *site)
{
    sqlite3_stmt *st = prep(
        s, "INSERT INTO conversations(site, client_mac, client_ip, server_mac, server_ip, vlan, l4,"
           " port, proto, flows, pkts_cs, pkts_sc, bytes_cs, bytes_sc, first_ns, last_ns, file_id,"
           " frame, gaps, malformed) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
           " ON CONFLICT(site, client_mac, client_ip, server_mac, server_ip, vlan, l4, port, proto)"
           " DO UPDATE SET flows=flows+excluded.flows, pkts_cs=pkts_cs+excluded.pkts_cs,"
           " pkts_sc=pkts_sc+excluded.pkts_sc, bytes_cs=bytes_cs+excluded.bytes_cs,"
           " bytes_sc=bytes_sc+excluded.bytes_sc, last_ns=max(last_ns, excluded.last_ns),"
           " first_ns=min(first_ns, excluded.first_ns), gaps=gaps+excluded.gaps,"
           " malformed=malformed+excluded.malformed");
    if (!st)
        return -1;
    int rc = 0;
    for (struct hmap_entry *e = hmap_first(&c->convs); e && !rc; e = hmap_next(e)) {
        struct keyrd r = {hmap_key(e), e->klen, 0};
        char cmac[MAC_STRLEN], cip[IP_STRLEN], smac[MAC_STRLEN], sip[IP_STRLEN];
        kr_ep(&r, cmac, cip);
        kr_ep(&r, smac, sip);
        uint8_t l4 = kr_u8(&r);
        uint16_t port = (uint16_t)(kr_u8(&r) << 8);
        port |= kr_u8(&r);
        enum proto p = (enum proto)kr_u8(&r);
        uint16_t vlan = (uint16_t)(kr_u8(&r) << 8);
        vlan |= kr_u8(&r);
        const struct fact_conv *f = hmap_value(e);
        bind_text(st, 1, site);
        bind_text(st, 2, cmac);
        bind_text(st, 3, cip);
        bind_text(st, 4, smac);
        bind_text(st, 5, sip);
        sqlite3_bind_int(st, 6, vlan);
        sqlite3_bind_int(st, 7, l4);
        sqlite3_bind_int(st, 8, port);
        bind_text(st, 9, p == PROTO_NONE ? "" : proto_name(p));
        sqlite3_bind_int64(st, 10, (sqlite3_int64)f->flows);
        sqlite3_bind_int64(st, 11, (sqlite3_int64)f->pkts[0]);
        sqlite3_bind_int64(st, 12, (sqlite3_int64)f->pkts[1]);
        sqlite3_bind_int64(st, 13, (sqlite3_int64)f->bytes[0]);
        sqlite3_bind_int64(st, 14, (sqlite3_int64)f->bytes[1]);
        sqlite3_bind_int64(st, 15, f->first_ns);
        sqlite3_bind_int64(st, 16, f->last_ns);
        sqlite3_bind_int64(st, 17, f->file_id);
        sqlite3_bind_int64(st, 18, (sqlite3_int64)f->frame);
        sqlite3_bind_int(st, 19, (int)f->gaps);
        sqlite3_bind_int(st, 20, (int)f->malformed);
        rc = step_done(s, st, "storing conversations");
    }
    sqlite3_finalize(st);
    return rc;
}

int store_merge(struct store *s, const struct collector *c, const char *site)
{
    if (exec(s, "BEGIN IMMEDIATE"))
        return -1;
    if (merge_sightings(s, c, site) || merge_attrs(s, c, site) || merge_protocols(s, c, site) ||
        merge_roles(s, c, site) || merge_findings(s, c, site) || merge_ops(s, c, site) ||
        merge_convs(s, c, site)) {
        char keep[512];
        snprintf(keep, sizeof keep, "%s", s->err);
        exec(s, "ROLLBACK");
        snprintf(s->err, sizeof s->err, "%s", keep);
        return -1;
    }
    return exec(s, "COMMIT");
}

int store_set_meta_int(struct store *s, const char *key, int64_t v)
{
    sqlite3_stmt *st = prep(s, "INSERT OR REPLACE INTO meta(key, value) VALUES(?, ?)");
    if (!st)
        return -1;
    char buf[32];
    snprintf(buf, sizeof buf, "%lld", (long long)v);
    bind_text(st, 1, key);
    bind_text(st, 2, buf);
    int rc = step_done(s, st, "storing a setting");
    sqlite3_finalize(st);
    return rc;
}

bool store_get_meta_int(struct store *s, const char *key, int64_t *v)
{
    sqlite3_stmt *st = prep(s, "SELECT value FROM meta WHERE key=?");
    if (!st)
        return false;
    bind_text(st, 1, key);
    bool ok = sqlite3_step(st) == SQLITE_ROW;
    if (ok)
        *v = strtoll((const char *)sqlite3_column_text(st, 0), NULL, 10);
    sqlite3_finalize(st);
    return ok;
}
