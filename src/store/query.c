/* query.c - the read side: assets, flows and operations as the JSON documents of SPEC.md.  The
 * table and CSV views in cmd/ are rendered from these same documents, so the three formats can
 * never disagree. */
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "store/store.h"
#include "inventory/classify.h"
#include "util/timefmt.h"

static json_t *jstr_or_null(sqlite3_stmt *st, int i)
{
    if (sqlite3_column_type(st, i) == SQLITE_NULL)
        return json_null();
    const char *t = (const char *)sqlite3_column_text(st, i);
    return t && *t ? json_string(t) : json_null();
}

static json_t *jtime(sqlite3_stmt *st, int i)
{
    if (sqlite3_column_type(st, i) == SQLITE_NULL)
        return json_null();
    char buf[TIME_STRLEN];
    time_format(sqlite3_column_int64(st, i), buf);
    return json_string(buf);
}

static json_t *jint_or_null(sqlite3_stmt *st, int i)
{
    if (sqlite3_column_type(st, i) == SQLITE_NULL)
        return json_null();
    return json_integer(sqlite3_column_int64(st, i));
}

static sqlite3_stmt *prep(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return NULL;
    return st;
}

static void asset_evidence(sqlite3 *db, json_t *a, const char *id)
{
    json_t *ev = json_array(), *attrs = json_object();
    sqlite3_stmt *st = prep(
        db, "SELECT x.field, x.value, x.raw, x.source, x.frame, f.path, x.last_ns FROM attributes x"
            " JOIN endpoint_asset ea ON ea.site=x.site AND ea.mac=x.mac AND ea.ip=x.ip"
            " LEFT JOIN files f ON f.id=x.file_id WHERE ea.asset_id=?"
            " ORDER BY x.field, x.last_ns DESC, x.count DESC, x.value");
    sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *field = (const char *)sqlite3_column_text(st, 0);
        json_t *e = json_object();
        json_object_set_new(e, "field", json_string(field));
        json_object_set_new(e, "value", json_string((const char *)sqlite3_column_text(st, 1)));
        const char *raw = (const char *)sqlite3_column_text(st, 2);
        if (raw && *raw)
            json_object_set_new(e, "raw", json_string(raw));
        json_object_set_new(e, "source", json_string((const char *)sqlite3_column_text(st, 3)));
        json_object_set_new(e, "frame", jint_or_null(st, 4));
        json_object_set_new(e, "file", jstr_or_null(st, 5));
        json_array_append_new(ev, e);
        /* identity fields are top-level; the others are listed under "attributes" */
        if (!json_object_get(a, field) && !json_object_get(attrs, field))
            json_object_set_new(attrs, field,
                                json_string((const char *)sqlite3_column_text(st, 1)));
    }
    sqlite3_finalize(st);
    /* where the MAC and IPs were first seen */
    st = prep(db, "SELECT s.mac, s.ip, s.frame, f.path, s.arp FROM sightings s JOIN endpoint_asset"
                  " ea ON ea.site=s.site AND ea.mac=s.mac AND ea.ip=s.ip LEFT JOIN files f ON"
                  " f.id=s.file_id WHERE ea.asset_id=? ORDER BY s.first_ns");
    sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
    json_t *mac = json_object_get(a, "mac");
    bool mac_done = false;
    json_t *seen_ips = json_object();
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *m = (const char *)sqlite3_column_text(st, 0);
        const char *ip = (const char *)sqlite3_column_text(st, 1);
        const char *src = sqlite3_column_int(st, 4) ? "arp claim" : "frame source address";
        if (!mac_done && json_is_string(mac) && !strcmp(m, json_string_value(mac))) {
            json_t *e = json_object();
            json_object_set_new(e, "field", json_string("mac"));
            json_object_set_new(e, "value", json_string(m));
            json_object_set_new(e, "source", json_string(src));
            json_object_set_new(e, "frame", jint_or_null(st, 2));
            json_object_set_new(e, "file", jstr_or_null(st, 3));
            json_array_append_new(ev, e);
            mac_done = true;
        }
        if (*ip && !json_object_get(seen_ips, ip)) {
            json_object_set_new(seen_ips, ip, json_true());
            json_t *e = json_object();
            json_object_set_new(e, "field", json_string("ip"));
            json_object_set_new(e, "value", json_string(ip));
            json_object_set_new(e, "source", json_string(src));
            json_object_set_new(e, "frame", jint_or_null(st, 2));
            json_object_set_new(e, "file", jstr_or_null(st, 3));
            json_array_append_new(ev, e);
        }
    }
    json_decref(seen_ips);
    sqlite3_finalize(st);
    st = prep(db, "SELECT field, value, reason FROM asset_class WHERE asset_id=? ORDER BY field");
    sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
    while (sqlite3_step(st) == SQLITE_ROW) {
        json_t *e = json_object();
        json_object_set_new(e, "field", json_string((const char *)sqlite3_column_text(st, 0)));
        json_object_set_new(e, "value", json_string((const char *)sqlite3_column_text(st, 1)));
        json_object_set_new(e, "source", json_string((const char *)sqlite3_column_text(st, 2)));
        json_object_set_new(e, "frame", json_null());
        json_array_append_new(ev, e);
    }
    sqlite3_finalize(st);
    json_object_set_new(a, "attributes", attrs);
    json_object_set_new(a, "evidence", ev);
    json_t *hist = json_array();
    st = prep(db, "SELECT h.field, h.old_value, h.new_value, h.time_ns, h.frame, f.path, h.source"
                  " FROM asset_history h LEFT JOIN files f ON f.id=h.file_id WHERE h.asset_id=?"
                  " ORDER BY h.time_ns, h.field, h.new_value");
    sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
    while (sqlite3_step(st) == SQLITE_ROW) {
        json_t *e = json_object();
        json_object_set_new(e, "time", jtime(st, 3));
        json_object_set_new(e, "field", jstr_or_null(st, 0));
        json_object_set_new(e, "from", jstr_or_null(st, 1));
        json_object_set_new(e, "to", jstr_or_null(st, 2));
        json_object_set_new(e, "source", jstr_or_null(st, 6));
        json_object_set_new(e, "frame", jint_or_null(st, 4));
        json_object_set_new(e, "file", jstr_or_null(st, 5));
        json_array_append_new(hist, e);
    }
    sqlite3_finalize(st);
    json_object_set_new(a, "history", hist);
}

json_t *store_assets_json(struct store *s)
{
    sqlite3 *db = store_db(s);
    json_t *list = json_array();
    sqlite3_stmt *st = prep(
        db,
        "SELECT id, site, mac, gateway_mac, mac_vendor, vendor, product, order_number, firmware,"
        " hardware, serial, name, role, purdue_level, criticality, zone, first_ns, last_ns,"
        " packets FROM assets ORDER BY site, id");
    sqlite3_stmt *ips = prep(db, "SELECT ip FROM asset_ips WHERE asset_id=? ORDER BY"
                                 " instr(ip, ':') > 0, length(ip), ip");
    sqlite3_stmt *vl = prep(db, "SELECT vlan FROM asset_vlans WHERE asset_id=? ORDER BY vlan");
    sqlite3_stmt *pr =
        prep(db, "SELECT p.proto, p.role, sum(p.packets) FROM protocols p JOIN endpoint_asset ea ON"
                 " ea.site=p.site AND ea.mac=p.mac AND ea.ip=p.ip WHERE ea.asset_id=?"
                 " GROUP BY p.proto, p.role ORDER BY p.proto, p.role");
    if (!st || !ips || !vl || !pr) {
        sqlite3_finalize(st);
        sqlite3_finalize(ips);
        sqlite3_finalize(vl);
        sqlite3_finalize(pr);
        json_decref(list);
        return NULL;
    }
    static const char *const names[] = {"id",         "site",     "mac",     "gateway_mac",
                                        "mac_vendor", "vendor",   "product", "order_number",
                                        "firmware",   "hardware", "serial",  "name"};
    while (sqlite3_step(st) == SQLITE_ROW) {
        json_t *a = json_object();
        const char *id = (const char *)sqlite3_column_text(st, 0);
        json_object_set_new(a, "id", json_string(id));
        json_object_set_new(a, "mac", jstr_or_null(st, 2));
        json_t *ipl = json_array();
        sqlite3_bind_text(ips, 1, id, -1, SQLITE_TRANSIENT);
        while (sqlite3_step(ips) == SQLITE_ROW)
            json_array_append_new(ipl, json_string((const char *)sqlite3_column_text(ips, 0)));
        sqlite3_reset(ips);
        json_object_set_new(a, "ips", ipl);
        for (int i = 4; i < 12; i++)
            json_object_set_new(a, names[i], jstr_or_null(st, i));
        json_object_set_new(a, "role", jstr_or_null(st, 12));
        json_object_set_new(a, "purdue_level", jint_or_null(st, 13));
        json_object_set_new(a, "criticality", jstr_or_null(st, 14));
        json_object_set_new(a, "zone", jstr_or_null(st, 15));
        json_t *pl = json_array();
        sqlite3_bind_text(pr, 1, id, -1, SQLITE_TRANSIENT);
        while (sqlite3_step(pr) == SQLITE_ROW) {
            json_t *p = json_object();
            json_object_set_new(p, "name", json_string((const char *)sqlite3_column_text(pr, 0)));
            json_object_set_new(p, "as", json_string((const char *)sqlite3_column_text(pr, 1)));
            json_object_set_new(p, "packets", json_integer(sqlite3_column_int64(pr, 2)));
            json_array_append_new(pl, p);
        }
        sqlite3_reset(pr);
        json_object_set_new(a, "protocols", pl);
        bool industrial = false;
        size_t pi;
        json_t *pv;
        json_array_foreach(pl, pi, pv)
            industrial |= proto_name_is_industrial(json_string_value(json_object_get(pv, "name")));
        json_object_set_new(a, "first_seen", jtime(st, 16));
        json_object_set_new(a, "last_seen", jtime(st, 17));
        /* beyond SPEC's minimum: documented in README "JSON extensions" */
        json_object_set_new(a, "site", jstr_or_null(st, 1));
        json_object_set_new(a, "gateway_mac", jstr_or_null(st, 3));
        json_t *vlans = json_array();
        sqlite3_bind_text(vl, 1, id, -1, SQLITE_TRANSIENT);
        while (sqlite3_step(vl) == SQLITE_ROW)
            json_array_append_new(vlans, json_integer(sqlite3_column_int(vl, 0)));
        sqlite3_reset(vl);
        json_object_set_new(a, "vlans", vlans);
        json_object_set_new(a, "packets", json_integer(sqlite3_column_int64(st, 18)));
        json_object_set_new(a, "domain",
                            json_string(asset_domain((const char *)sqlite3_column_text(st, 12),
                                                     industrial)));
        asset_evidence(db, a, id);
        json_array_append_new(list, a);
    }
    sqlite3_finalize(st);
    sqlite3_finalize(ips);
    sqlite3_finalize(vl);
    sqlite3_finalize(pr);
    return json_pack("{s:s, s:o}", "schema", "otscope.assets/1", "assets", list);
}

static json_t *endpoint(sqlite3_stmt *st, int mac, int ip, int asset)
{
    return json_pack("{s:o, s:o, s:o}", "ip", jstr_or_null(st, ip), "mac", jstr_or_null(st, mac),
                     "asset", jstr_or_null(st, asset));
}

#define ASSET_OF(m, i, alias)                                                                      \
    "(SELECT asset_id FROM endpoint_asset ea WHERE ea.site=" alias ".site AND ea.mac=" alias "." m \
    " AND ea.ip=" alias "." i ")"

json_t *store_flows_json(struct store *s)
{
    sqlite3 *db = store_db(s);
    json_t *list = json_array();
    sqlite3_stmt *st = prep(
        db, "SELECT c.client_mac, c.client_ip, " ASSET_OF(
                "client_mac", "client_ip",
                "c") ","
                     " c.server_mac, c.server_ip, " ASSET_OF(
                         "server_mac", "server_ip",
                         "c") ", c.l4, c.port,"
                              " c.proto, c.vlan, c.flows, c.pkts_cs, c.pkts_sc, c.bytes_cs, "
                              "c.bytes_sc, c.first_ns,"
                              " c.last_ns, c.gaps, c.malformed, c.site FROM conversations c"
                              " ORDER BY c.site, c.first_ns, c.client_ip, c.server_ip, c.port");
    if (!st) {
        json_decref(list);
        return NULL;
    }
    while (sqlite3_step(st) == SQLITE_ROW) {
        int l4 = sqlite3_column_int(st, 6);
        const char *tr = l4 == 6 ? "tcp" : l4 == 17 ? "udp" : "other";
        json_t *f = json_object();
        json_object_set_new(f, "client", endpoint(st, 0, 1, 2));
        json_object_set_new(f, "server", endpoint(st, 3, 4, 5));
        json_object_set_new(f, "transport", json_string(tr));
        json_object_set_new(f, "port", json_integer(sqlite3_column_int(st, 7)));
        json_object_set_new(f, "protocol", jstr_or_null(st, 8));
        json_object_set_new(f, "vlan",
                            sqlite3_column_int(st, 9) ? json_integer(sqlite3_column_int(st, 9))
                                                      : json_null());
        json_object_set_new(f, "connections", json_integer(sqlite3_column_int64(st, 10)));
        json_object_set_new(f, "packets",
                            json_pack("{s:I, s:I}", "to_server",
                                      (json_int_t)sqlite3_column_int64(st, 11), "to_client",
                                      (json_int_t)sqlite3_column_int64(st, 12)));
        json_object_set_new(f, "bytes",
                            json_pack("{s:I, s:I}", "to_server",
                                      (json_int_t)sqlite3_column_int64(st, 13), "to_client",
                                      (json_int_t)sqlite3_column_int64(st, 14)));
        json_object_set_new(f, "first_seen", jtime(st, 15));
        json_object_set_new(f, "last_seen", jtime(st, 16));
        json_object_set_new(f, "stream_gaps", json_integer(sqlite3_column_int64(st, 17)));
        json_object_set_new(f, "malformed", json_integer(sqlite3_column_int64(st, 18)));
        json_object_set_new(f, "site", jstr_or_null(st, 19));
        json_array_append_new(list, f);
    }
    sqlite3_finalize(st);
    return json_pack("{s:s, s:o}", "schema", "otscope.flows/1", "flows", list);
}

json_t *store_operations_json(struct store *s)
{
    sqlite3 *db = store_db(s);
    json_t *list = json_array();
    sqlite3_stmt *st = prep(
        db,
        "SELECT o.id, o.first_ns, o.last_ns, o.count, o.src_mac, o.src_ip, " ASSET_OF(
            "src_mac", "src_ip",
            "o") ", o.dst_mac, o.dst_ip, " ASSET_OF("dst_mac", "dst_ip",
                                                    "o") ", o.proto, o.kind, o.function, o.target, "
                                                         "o.result,"
                                                         " o.frame, f.path, o.site FROM operations "
                                                         "o LEFT JOIN files f ON f.id=o.file_id"
                                                         " ORDER BY o.first_ns, o.id");
    if (!st) {
        json_decref(list);
        return NULL;
    }
    while (sqlite3_step(st) == SQLITE_ROW) {
        json_t *o = json_object();
        json_object_set_new(o, "id", json_integer(sqlite3_column_int64(st, 0)));
        json_object_set_new(o, "time", jtime(st, 1));
        json_object_set_new(o, "last_seen", jtime(st, 2));
        json_object_set_new(o, "count", json_integer(sqlite3_column_int64(st, 3)));
        json_object_set_new(o, "src", endpoint(st, 4, 5, 6));
        json_object_set_new(o, "dst", endpoint(st, 7, 8, 9));
        json_object_set_new(o, "protocol", jstr_or_null(st, 10));
        json_object_set_new(o, "kind", jstr_or_null(st, 11));
        json_object_set_new(o, "function", jstr_or_null(st, 12));
        json_object_set_new(o, "target", jstr_or_null(st, 13));
        json_object_set_new(o, "result", jstr_or_null(st, 14));
        json_object_set_new(
            o, "evidence",
            json_pack("{s:o, s:o}", "file", jstr_or_null(st, 16), "frame", jint_or_null(st, 15)));
        json_object_set_new(o, "site", jstr_or_null(st, 17));
        json_array_append_new(list, o);
    }
    sqlite3_finalize(st);
    return json_pack("{s:s, s:o}", "schema", "otscope.operations/1", "operations", list);
}

static json_int_t count_of(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = prep(db, sql);
    json_int_t n = 0;
    if (st && sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

json_t *store_summary_json(struct store *s)
{
    sqlite3 *db = store_db(s);
    json_t *roles = json_object(), *crit = json_object();
    sqlite3_stmt *st = prep(db, "SELECT role, count(*) FROM assets GROUP BY role ORDER BY 2 DESC");
    while (st && sqlite3_step(st) == SQLITE_ROW)
        json_object_set_new(roles, (const char *)sqlite3_column_text(st, 0),
                            json_integer(sqlite3_column_int64(st, 1)));
    sqlite3_finalize(st);
    st = prep(db, "SELECT criticality, count(*) FROM assets WHERE role NOT IN ('it-host',"
                  "'unknown','gateway','network-device') GROUP BY criticality");
    while (st && sqlite3_step(st) == SQLITE_ROW)
        json_object_set_new(crit, (const char *)sqlite3_column_text(st, 0),
                            json_integer(sqlite3_column_int64(st, 1)));
    sqlite3_finalize(st);
    return json_pack("{s:I, s:I, s:o, s:o, s:I, s:I, s:I, s:I}", "assets",
                     count_of(db, "SELECT count(*) FROM assets"), "ot_assets",
                     count_of(db, "SELECT count(*) FROM assets WHERE role NOT IN ('it-host',"
                                  "'unknown','gateway','network-device')"),
                     "by_role", roles, "ot_by_criticality", crit, "conversations",
                     count_of(db, "SELECT count(*) FROM conversations"), "operations",
                     count_of(db, "SELECT coalesce(sum(count),0) FROM operations"), "files",
                     count_of(db, "SELECT count(*) FROM files"), "packets",
                     count_of(db, "SELECT coalesce(sum(packets),0) FROM files"));
}
