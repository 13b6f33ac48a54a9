/* alert.c - see alert.h.  Alerts are derived with SQL from the facts, like assets: the rules are
 * the kind -> type table below and one statement per kind of evidence.  Two SQL functions are
 * registered for them: ots_id() (a stable 64-bit FNV-1a id of its arguments) and ots_public()
 * (is this IP a public, routable address). */
#include "alert/alert.h"

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "decode/packet.h"
#include "policy/segment.h"
#include "util/timefmt.h"

void alert_config_default(struct alert_config *c)
{
    c->learning_ns = 3600ll * 1000000000ll; /* one hour of capture time */
    c->scan_targets = 16;
    c->scan_ports = 16;
}

static void fn_id(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    uint64_t h = 1469598103934665603ull;
    for (int i = 0; i < argc; i++) {
        const unsigned char *t = sqlite3_value_text(argv[i]);
        for (; t && *t; t++)
            h = (h ^ *t) * 1099511628211ull;
        h = (h ^ 0x1f) * 1099511628211ull;
    }
    char out[24];
    snprintf(out, sizeof out, "al-%016llx", (unsigned long long)h);
    sqlite3_result_text(ctx, out, -1, SQLITE_TRANSIENT);
}

static void fn_public(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    const unsigned char *t = sqlite3_value_text(argv[0]);
    struct ipaddr a;
    bool pub = t && ip_parse((const char *)t, &a) && ip_is_unicast_host(&a) && !ip_is_private(&a);
    if (pub && a.family == 4 && a.b[0] >= 240)
        pub = false; /* reserved, not routable */
    sqlite3_result_int(ctx, pub);
}

/* operation kind -> alert type, severity, ATT&CK for ICS techniques, wording */
static const char *const op_rules =
    "INSERT INTO alert_map VALUES"
    " ('plc-stop','plc-stop','critical','[\"T0858\",\"T0881\"]','stopped'),"
    " ('restart','plc-stop','high','[\"T0816\"]','restarted'),"
    " ('plc-start','plc-start','high','[\"T0858\"]','started'),"
    " ('program-download','program-download','critical','[\"T0843\"]','downloaded a program to'),"
    " ('program-delete','program-download','critical','[\"T0843\",\"T0809\"]',"
    "  'deleted program blocks on'),"
    " ('program-upload','program-upload','medium','[\"T0845\"]','uploaded the program of'),"
    " ('firmware-update','firmware-change','critical','[\"T0857\"]','updated the firmware of'),"
    " ('config-write','config-write','medium','[\"T0836\"]','changed the configuration of'),"
    " ('comm-control','config-write','high','[\"T0814\",\"T0803\"]',"
    "  'changed the communication of'),"
    " ('diagnostic','config-write','medium','[\"T0814\"]','ran diagnostics on'),"
    " ('file-transfer','config-write','medium','[\"T0867\"]','transferred files to'),"
    " ('process-write','process-write','low','[\"T0831\"]','wrote process values to'),"
    " ('command','process-write','medium','[\"T0831\",\"T0855\"]','sent control commands to')";

#define OT_ROLES "('plc','rtu','ied','io-device','hmi','engineering-workstation','scada-server'," \
                 "'historian','opc-server','broker')"
#define EP(ip, mac) "coalesce(nullif(" ip ",''), " mac ")"
#define ASSET(alias, m, i)                                                                       \
    "(SELECT asset_id FROM endpoint_asset ea WHERE ea.site=" alias ".site AND ea.mac=" alias    \
    "." m " AND ea.ip=" alias "." i ")"

static int run(sqlite3 *db, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        fprintf(stderr, "otscope: alerts: %s\n", msg ? msg : "?");
        sqlite3_free(msg);
        return -1;
    }
    return 0;
}

static int op_alerts(sqlite3 *db)
{
    /* writes by anyone but an engineering workstation are unauthorized; HMIs and SCADA servers
     * writing process values, SCADA masters or IO controllers managing communication or
     * diagnostics of their devices, and an IO controller naming or addressing its PROFINET
     * devices (DCP Set), is operation as usual */
    return run(db,
        "INSERT OR REPLACE INTO alerts SELECT ots_id('op', o.site, o.src_mac, o.src_ip, o.dst_mac,"
        " o.dst_ip, o.proto, x.type), x.type,"
        " CASE WHEN x.type='unauthorized-write' THEN 'high' ELSE x.severity END, o.site,"
        " " EP("o.src_ip", "o.src_mac") ", " EP("o.dst_ip", "o.dst_mac") ","
        " " ASSET("o", "dst_mac", "dst_ip") ", o.proto,"
        " printf('%s %s %s (%s) %d time%s', " EP("o.src_ip", "o.src_mac") ", x.verb,"
        "  " EP("o.dst_ip", "o.dst_mac") ", group_concat(DISTINCT o.function), sum(o.count),"
        "  CASE WHEN sum(o.count)>1 THEN 's' ELSE '' END),"
        " CASE WHEN x.type='unauthorized-write' THEN '[\"T0855\",\"T0836\"]' ELSE x.mitre END,"
        " sum(o.count), min(o.first_ns), max(o.last_ns),"
        " json_object('file', f.path, 'frame', o.frame, 'writer_role', x.writer_role,"
        "  'functions', group_concat(DISTINCT o.function), 'targets',"
        "  substr(group_concat(DISTINCT o.target), 1, 400))"
        " FROM operations o JOIN (SELECT o2.rowid AS rid, CASE"
        "   WHEN m.kind IN ('config-write','process-write','command','comm-control','diagnostic')"
        "    AND coalesce(w.role,'unknown') <> 'engineering-workstation'"
        "    AND NOT (m.kind IN ('process-write','command') AND w.role IN ('hmi','scada-server'))"
        "    AND NOT (m.kind IN ('comm-control','diagnostic') AND w.role IN ('scada-server','plc'))"
        "    AND NOT (m.kind='config-write' AND o2.proto='profinet-dcp' AND w.role='plc')"
        "   THEN 'unauthorized-write' ELSE m.type END AS type, m.severity, m.mitre, m.verb,"
        "   coalesce(w.role,'unknown') AS writer_role"
        "  FROM operations o2 JOIN alert_map m ON m.kind=o2.kind LEFT JOIN assets w ON w.id="
        "  " ASSET("o2", "src_mac", "src_ip") ") x ON x.rid=o.rowid"
        " LEFT JOIN files f ON f.id=o.file_id"
        " GROUP BY o.site, o.src_mac, o.src_ip, o.dst_mac, o.dst_ip, o.proto, x.type");
}

static int finding_alerts(sqlite3 *db)
{
    return run(db,
        "INSERT OR REPLACE INTO alerts SELECT ots_id('finding', x.site, x.mac, x.ip, x.kind,"
        " x.proto), x.kind,"
        " CASE WHEN x.kind='cleartext-credentials' THEN 'high'"
        "  WHEN a.role IN " OT_ROLES " THEN 'high' ELSE 'medium' END,"
        " x.site, " EP("x.ip", "x.mac") ", NULL, a.id, x.proto,"
        " printf('%s on %s%s: %s', x.kind, " EP("x.ip", "x.mac") ","
        "  CASE WHEN a.role IN " OT_ROLES " THEN ' (' || a.role || ')' ELSE '' END,"
        "  group_concat(DISTINCT x.detail)),"
        " CASE x.kind WHEN 'cleartext-credentials' THEN '[\"T0859\"]'"
        "  WHEN 'malformed-traffic' THEN '[\"T0866\"]' ELSE '[\"T0886\"]' END,"
        " sum(x.count), min(x.first_ns), max(x.last_ns),"
        " json_object('file', f.path, 'frame', x.frame, 'details',"
        "  substr(group_concat(DISTINCT x.detail), 1, 400))"
        " FROM findings x LEFT JOIN assets a ON a.id=" ASSET("x", "mac", "ip")
        " LEFT JOIN files f ON f.id=x.file_id"
        " WHERE x.kind IN ('insecure-protocol','cleartext-credentials','malformed-traffic')"
        " GROUP BY x.site, x.mac, x.ip, x.kind, x.proto");
}

static int firmware_alerts(sqlite3 *db)
{
    return run(db,
        "INSERT OR REPLACE INTO alerts SELECT ots_id('fw', a.site, h.asset_id, h.old_value,"
        " h.new_value), 'firmware-change', 'critical', a.site, NULL, NULL, h.asset_id, NULL,"
        " printf('firmware of %s changed from %s to %s', h.asset_id, h.old_value, h.new_value),"
        " '[\"T0857\"]', 1, h.time_ns, h.time_ns,"
        " json_object('file', f.path, 'frame', h.frame, 'source', h.source)"
        " FROM asset_history h JOIN assets a ON a.id=h.asset_id LEFT JOIN files f ON"
        " f.id=h.file_id WHERE h.field='firmware'");
}

static int scan_alerts(sqlite3 *db, const struct alert_config *c)
{
    char sql[2048];
    /* many hosts on one port, or many ports on one host, each touched only briefly */
    snprintf(sql, sizeof sql,
        "INSERT OR REPLACE INTO alerts SELECT ots_id('scan-hosts', site, client_mac, client_ip,"
        " l4, port), 'scan', 'high', site, " EP("client_ip", "client_mac") ", NULL,"
        " " ASSET("conversations", "client_mac", "client_ip") ", proto,"
        " printf('%%s probed %%d hosts on %%s port %%d', " EP("client_ip", "client_mac") ","
        "  count(DISTINCT server_ip), CASE l4 WHEN 6 THEN 'tcp' ELSE 'udp' END, port),"
        " '[\"T0846\"]', count(DISTINCT server_ip), min(first_ns), max(last_ns),"
        " json_object('targets', count(DISTINCT server_ip), 'first_frame', min(frame))"
        " FROM conversations GROUP BY site, client_mac, client_ip, l4, port"
        " HAVING count(DISTINCT server_ip) >= %d AND avg(pkts_cs) <= 3;"
        "INSERT OR REPLACE INTO alerts SELECT ots_id('scan-ports', site, client_mac, client_ip,"
        " server_ip), 'scan', 'high', site, " EP("client_ip", "client_mac") ","
        " " EP("server_ip", "server_mac") ", " ASSET("conversations", "server_mac", "server_ip") ","
        " NULL, printf('%%s probed %%d ports of %%s', " EP("client_ip", "client_mac") ","
        "  count(DISTINCT port), " EP("server_ip", "server_mac") "),"
        " '[\"T0846\"]', count(DISTINCT port), min(first_ns), max(last_ns),"
        " json_object('ports', count(DISTINCT port), 'first_frame', min(frame))"
        " FROM conversations GROUP BY site, client_mac, client_ip, server_mac, server_ip"
        " HAVING count(DISTINCT port) >= %d AND avg(pkts_cs) <= 3",
        c->scan_targets, c->scan_ports);
    return run(db, sql);
}

static int external_alerts(sqlite3 *db)
{
    return run(db,
        "INSERT OR REPLACE INTO alerts SELECT ots_id('ext', c.site, c.client_ip, c.server_ip,"
        " c.port, c.proto), 'external-communication',"
        " CASE WHEN coalesce(ac.role, '') IN " OT_ROLES " OR coalesce(as_.role, '') IN " OT_ROLES
        "  THEN 'high' ELSE 'medium' END, c.site, " EP("c.client_ip", "c.client_mac") ","
        " " EP("c.server_ip", "c.server_mac") ", CASE WHEN ots_public(c.client_ip) THEN as_.id"
        "  ELSE ac.id END, nullif(c.proto, ''),"
        " printf('%s talks to public address %s (%s port %d%s)', CASE WHEN"
        "  ots_public(c.client_ip) THEN c.server_ip ELSE c.client_ip END, CASE WHEN"
        "  ots_public(c.client_ip) THEN c.client_ip ELSE c.server_ip END,"
        "  CASE c.l4 WHEN 6 THEN 'tcp' ELSE 'udp' END, c.port,"
        "  CASE WHEN c.proto<>'' THEN ', ' || c.proto ELSE '' END),"
        " '[\"T0883\"]', sum(c.flows), min(c.first_ns), max(c.last_ns),"
        " json_object('file', f.path, 'frame', c.frame, 'initiated_from_outside',"
        "  ots_public(c.client_ip))"
        " FROM conversations c LEFT JOIN assets ac ON ac.id=" ASSET("c", "client_mac", "client_ip")
        " LEFT JOIN assets as_ ON as_.id=" ASSET("c", "server_mac", "server_ip")
        " LEFT JOIN files f ON f.id=c.file_id"
        " WHERE (ots_public(c.client_ip) AND coalesce(as_.role, '') IN " OT_ROLES ")"
        "  OR (ots_public(c.server_ip) AND coalesce(ac.role, '') IN " OT_ROLES ")"
        " GROUP BY c.site, c.client_ip, c.server_ip, c.port, c.proto");
}

static int new_alerts(sqlite3 *db, const struct alert_config *c)
{
    char sql[3072];
    snprintf(sql, sizeof sql,
        "CREATE TEMP TABLE site_start AS SELECT site, min(first_ns) AS t0 FROM assets"
        " GROUP BY site;"
        "INSERT OR REPLACE INTO alerts SELECT ots_id('new-asset', a.site, a.id), 'new-asset',"
        " CASE WHEN a.role IN " OT_ROLES " THEN 'high' ELSE 'medium' END, a.site,"
        " (SELECT ip FROM asset_ips WHERE asset_id=a.id LIMIT 1), NULL, a.id, NULL,"
        " printf('new %%s %%s appeared after the learning period', a.role, a.id),"
        " '[\"T0848\"]', 1, a.first_ns, a.last_ns, json_object('mac', a.mac, 'vendor',"
        "  coalesce(a.vendor, a.mac_vendor))"
        " FROM assets a JOIN site_start s ON s.site=a.site WHERE a.first_ns > s.t0 + %lld;"
        "INSERT OR REPLACE INTO alerts SELECT ots_id('new-conn', c.site, c.client_mac,"
        " c.client_ip, c.server_mac, c.server_ip, c.l4, c.port), 'new-connection',"
        " CASE WHEN c.proto IN ('modbus','s7comm','s7comm-plus','enip','cip','dnp3','iec104',"
        "  'opcua','bacnet','mms','fins','slmp') THEN 'medium' ELSE 'low' END, c.site,"
        " " EP("c.client_ip", "c.client_mac") ", " EP("c.server_ip", "c.server_mac") ","
        " " ASSET("c", "server_mac", "server_ip") ", nullif(c.proto, ''),"
        " printf('new connection %%s -> %%s %%s port %%d%%s after the learning period',"
        "  " EP("c.client_ip", "c.client_mac") ", " EP("c.server_ip", "c.server_mac") ","
        "  CASE c.l4 WHEN 6 THEN 'tcp' ELSE 'udp' END, c.port,"
        "  CASE WHEN c.proto<>'' THEN ' (' || c.proto || ')' ELSE '' END),"
        " '[\"T0886\"]', c.flows, c.first_ns, c.last_ns,"
        " json_object('file', f.path, 'frame', c.frame)"
        " FROM conversations c JOIN site_start s ON s.site=c.site LEFT JOIN files f ON"
        " f.id=c.file_id WHERE c.first_ns > s.t0 + %lld AND (c.client_ip<>'' OR"
        " c.client_mac<>'');"
        "DROP TABLE site_start;",
        (long long)c->learning_ns, (long long)c->learning_ns);
    return run(db, sql);
}

/* flows between zones that no conduit allows, under the stored policy */
static int zone_alerts(struct store *s)
{
    static struct policy p;
    if (!segment_stored_policy(s, &p))
        return 0;
    json_t *doc = segment_evaluate(s, &p, "stored");
    if (!doc)
        return -1;
    sqlite3 *db = store_db(s);
    sqlite3_stmt *ins;
    if (sqlite3_prepare_v2(db,
            "INSERT OR REPLACE INTO alerts SELECT ots_id('zone', c.site, ?1, ?2, ?3, ?4, ?10), "
            "'cross-zone-flow', CASE WHEN ?7 IN ('internet', ?8) OR ?6 IN ('internet', ?8) THEN"
            " 'high' ELSE 'medium' END, c.site, ?1, ?2, ?9, nullif(?4, ''),"
            " printf('%s (%s) -> %s (%s) %s port %d%s: no conduit allows it', ?1, ?5, ?2, ?6,"
            "  CASE ?10 WHEN 6 THEN 'tcp' ELSE 'udp' END, ?3,"
            "  CASE WHEN ?4<>'' THEN ' ' || ?4 ELSE '' END), '[\"T0886\"]', sum(c.flows),"
            " min(c.first_ns), max(c.last_ns), json_object('client_zone', ?5, 'server_zone', ?6,"
            "  'file', min(f.path), 'frame', min(c.frame))"
            " FROM conversations c LEFT JOIN files f ON f.id=c.file_id WHERE (c.client_ip=?1 OR c.client_mac=?1) AND"
            " (c.server_ip=?2 OR c.server_mac=?2) AND c.port=?3 AND c.proto=?4 AND c.l4=?10"
            " GROUP BY c.site",
            -1, &ins, NULL) != SQLITE_OK) {
        fprintf(stderr, "otscope: alerts: %s\n", sqlite3_errmsg(db));
        json_decref(doc);
        return -1;
    }
    size_t i;
    json_t *f;
    json_array_foreach(json_object_get(doc, "flows"), i, f) {
        if (strcmp(json_string_value(json_object_get(f, "verdict")), "violation") != 0)
            continue;
        const char *proto = json_string_value(json_object_get(f, "protocol"));
        const char *asset = json_string_value(json_object_get(f, "server_asset"));
        sqlite3_bind_text(ins, 1, json_string_value(json_object_get(f, "client")), -1,
                          SQLITE_TRANSIENT);
        sqlite3_bind_text(ins, 2, json_string_value(json_object_get(f, "server")), -1,
                          SQLITE_TRANSIENT);
        sqlite3_bind_int(ins, 3, (int)json_integer_value(json_object_get(f, "port")));
        sqlite3_bind_text(ins, 4, proto ? proto : "", -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(ins, 5, json_string_value(json_object_get(f, "client_zone")), -1,
                          SQLITE_TRANSIENT);
        sqlite3_bind_text(ins, 6, json_string_value(json_object_get(f, "server_zone")), -1,
                          SQLITE_TRANSIENT);
        sqlite3_bind_text(ins, 7, json_string_value(json_object_get(f, "client_zone")), -1,
                          SQLITE_TRANSIENT);
        sqlite3_bind_text(ins, 8, p.corporate, -1, SQLITE_TRANSIENT);
        const char *l4 = json_string_value(json_object_get(f, "transport"));
        sqlite3_bind_int(ins, 10, l4 && !strcmp(l4, "tcp") ? 6 : 17);
        if (asset)
            sqlite3_bind_text(ins, 9, asset, -1, SQLITE_TRANSIENT);
        else
            sqlite3_bind_null(ins, 9);
        sqlite3_step(ins);
        sqlite3_reset(ins);
        sqlite3_clear_bindings(ins);
    }
    sqlite3_finalize(ins);
    json_decref(doc);
    return 0;
}

int alerts_rebuild(struct store *s, const struct alert_config *c)
{
    sqlite3 *db = store_db(s);
    sqlite3_create_function(db, "ots_id", -1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL, fn_id,
                            NULL, NULL);
    sqlite3_create_function(db, "ots_public", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL,
                            fn_public, NULL, NULL);
    if (run(db, "BEGIN IMMEDIATE; DELETE FROM alerts;"
                "CREATE TEMP TABLE alert_map(kind TEXT PRIMARY KEY, type TEXT, severity TEXT,"
                " mitre TEXT, verb TEXT);") ||
        run(db, op_rules) || op_alerts(db) || finding_alerts(db) || firmware_alerts(db) ||
        scan_alerts(db, c) || external_alerts(db) || new_alerts(db, c) || zone_alerts(s) ||
        run(db, "DROP TABLE alert_map; COMMIT;")) {
        run(db, "ROLLBACK");
        sqlite3_exec(db, "DROP TABLE IF EXISTS temp.alert_map; DROP TABLE IF EXISTS"
                         " temp.site_start;", NULL, NULL, NULL);
        return -1;
    }
    return 0;
}

static json_t *col(sqlite3_stmt *st, int i)
{
    if (sqlite3_column_type(st, i) == SQLITE_NULL)
        return json_null();
    return json_string((const char *)sqlite3_column_text(st, i));
}

json_t *alerts_json(struct store *s)
{
    sqlite3 *db = store_db(s);
    json_t *list = json_array();
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db,
            "SELECT id, first_ns, last_ns, severity, type, src, dst, asset, protocol, summary,"
            " mitre, count, evidence, site FROM alerts ORDER BY first_ns, id", -1, &st,
            NULL) != SQLITE_OK) {
        json_decref(list);
        return NULL;
    }
    while (sqlite3_step(st) == SQLITE_ROW) {
        char t0[TIME_STRLEN], t1[TIME_STRLEN];
        time_format(sqlite3_column_int64(st, 1), t0);
        time_format(sqlite3_column_int64(st, 2), t1);
        json_t *mitre = json_loads((const char *)sqlite3_column_text(st, 10), 0, NULL);
        json_t *ev = json_loads((const char *)sqlite3_column_text(st, 12), 0, NULL);
        json_t *a = json_object();
        json_object_set_new(a, "id", col(st, 0));
        json_object_set_new(a, "time", json_string(t0));
        json_object_set_new(a, "last_seen", json_string(t1));
        json_object_set_new(a, "count", json_integer(sqlite3_column_int64(st, 11)));
        json_object_set_new(a, "severity", col(st, 3));
        json_object_set_new(a, "type", col(st, 4));
        json_object_set_new(a, "src", col(st, 5));
        json_object_set_new(a, "dst", col(st, 6));
        json_object_set_new(a, "asset", col(st, 7));
        json_object_set_new(a, "protocol", col(st, 8));
        json_object_set_new(a, "summary", col(st, 9));
        json_object_set_new(a, "mitre_ics", mitre ? mitre : json_array());
        json_object_set_new(a, "evidence", ev ? ev : json_object());
        json_object_set_new(a, "site", col(st, 13));
        json_array_append_new(list, a);
    }
    sqlite3_finalize(st);
    return json_pack("{s:s, s:o}", "schema", "otscope.alerts/1", "alerts", list);
}

/* CEF escaping: '|' and '\' in the header; '=' and '\' (and newlines) in extension values */
static size_t cef_put(char *out, size_t o, size_t n, const char *s, bool ext)
{
    for (; s && *s && o + 3 < n; s++) {
        if (*s == '\\' || (ext ? *s == '=' : *s == '|'))
            out[o++] = '\\';
        if (*s == '\n' || *s == '\r') {
            out[o++] = '\\';
            out[o++] = *s == '\n' ? 'n' : 'r';
            continue;
        }
        out[o++] = *s;
    }
    out[o] = '\0';
    return o;
}

static int cef_severity(const char *s)
{
    return !strcmp(s, "critical") ? 10 : !strcmp(s, "high") ? 8 : !strcmp(s, "medium") ? 5 : 3;
}

void alert_cef(const json_t *a, char *out, size_t n)
{
    const char *sev = json_string_value(json_object_get(a, "severity"));
    size_t o = (size_t)snprintf(out, n, "CEF:0|otscope|otscope|" OTSCOPE_VERSION "|");
    if (o >= n)
        return;
    o = cef_put(out, o, n, json_string_value(json_object_get(a, "type")), false);
    if (o + 1 < n) {
        out[o++] = '|';
        out[o] = '\0';
    }
    o = cef_put(out, o, n, json_string_value(json_object_get(a, "summary")), false);
    o += (size_t)snprintf(out + o, n - o, "|%d|", cef_severity(sev ? sev : "low"));
    struct {
        const char *key, *field;
    } ext[] = {{"externalId", "id"},   {"src", "src"},    {"dst", "dst"},
               {"app", "protocol"},    {"cs1", "asset"},  {"cs2", "mitre"},
               {"cs3", "site"},        {"cnt", "count"},  {"start", "time"},
               {"end", "last_seen"},   {"rt", "last_seen"}};
    for (size_t i = 0; i < sizeof ext / sizeof *ext && o + 8 < n; i++) {
        const json_t *v = json_object_get(a, ext[i].field);
        char buf[256];
        if (!strcmp(ext[i].field, "mitre")) {
            size_t k, bo = 0;
            const json_t *t;
            buf[0] = '\0';
            json_array_foreach(json_object_get(a, "mitre_ics"), k, t)
                bo += (size_t)snprintf(buf + bo, sizeof buf - bo, "%s%s", k ? "," : "",
                                       json_string_value(t));
        } else if (!strcmp(ext[i].key, "start") || !strcmp(ext[i].key, "end") ||
                   !strcmp(ext[i].key, "rt")) {
            /* CEF dates are milliseconds since the epoch */
            int64_t ns;
            if (!json_is_string(v) || !time_parse(json_string_value(v), &ns))
                continue;
            snprintf(buf, sizeof buf, "%lld", (long long)(ns / 1000000));
        } else if (json_is_integer(v)) {
            snprintf(buf, sizeof buf, "%lld", (long long)json_integer_value(v));
        } else if (json_is_string(v)) {
            snprintf(buf, sizeof buf, "%s", json_string_value(v));
        } else {
            continue;
        }
        /* CEF src/dst must be addresses; a MAC goes to smac/dmac instead */
        const char *key = ext[i].key;
        if ((!strcmp(key, "src") || !strcmp(key, "dst")) && strchr(buf, ':') &&
            strlen(buf) == 17)
            key = !strcmp(key, "src") ? "smac" : "dmac";
        o += (size_t)snprintf(out + o, n - o, "%s%s=", o && out[o - 1] != '|' ? " " : "", key);
        o = cef_put(out, o, n, buf, true);
        if (!strcmp(key, "cs1") || !strcmp(key, "cs2") || !strcmp(key, "cs3")) {
            const char *label = !strcmp(key, "cs1") ? "asset" : !strcmp(key, "cs2")
                                                                    ? "mitreAttackIcs"
                                                                    : "site";
            o += (size_t)snprintf(out + o, n - o, " %sLabel=%s", key, label);
        }
    }
}
