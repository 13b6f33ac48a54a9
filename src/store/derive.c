/* derive.c - assets from facts.  Each endpoint (MAC, IP) seen is mapped to an asset:
 *  - a MAC that stands in front of many IPs it never claimed by ARP/DCP (3+ IPv4 or 4+ global
 *    IPv6 addresses) is a router: it is one gateway asset, owning only the addresses it
 *    claimed, and every other IP seen behind it becomes an asset of its own without a MAC;
 *  - any other unicast MAC is one asset with all its IPs;
 *  - an IP without a usable MAC (raw-IP or loopback captures) is an asset of its own.
 * Then identity fields (latest evidence wins), first/last seen, VLANs and classification. */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inventory/classify.h"
#include "inventory/oui.h"
#include "store/store.h"
#include "util/hmap.h"
#include "util/str.h"

struct mac_info {
    int v4, v6; /* distinct unclaimed addresses */
    bool gateway;
};

struct asset_info {
    char id[96];
    char site[64];
    char mac[MAC_STRLEN];
    char gateway_mac[MAC_STRLEN];
};

static int run(sqlite3 *db, const char *sql)
{
    return sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

static const char *txt(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return t ? (const char *)t : "";
}

static bool ipv6_global(const char *ip)
{
    return strchr(ip, ':') && strncmp(ip, "fe80", 4) != 0;
}

static void asset_id(char *out, size_t n, const char *site, const char *kind, const char *val)
{
    char v[64];
    size_t o = 0;
    for (const char *p = val; *p && o + 1 < sizeof v; p++)
        if (*p != ':' || kind[0] == 'i')
            v[o++] = *p;
    v[o] = '\0';
    if (!strcmp(site, "default"))
        snprintf(out, n, "%s-%s", kind, v);
    else
        snprintf(out, n, "%s:%s-%s", site, kind, v);
}

static int find_gateways(sqlite3 *db, struct hmap *macs)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db,
                           "SELECT site, mac, ip, max(arp) FROM sightings WHERE mac<>'' AND ip<>''"
                           " GROUP BY site, mac, ip",
                           -1, &st, NULL) != SQLITE_OK)
        return -1;
    while (sqlite3_step(st) == SQLITE_ROW) {
        struct keybuf k;
        kb_reset(&k);
        kb_str(&k, txt(st, 0));
        kb_str(&k, txt(st, 1));
        struct mac_info *m = hmap_get(macs, k.b, k.n, NULL);
        if (!m || sqlite3_column_int(st, 3))
            continue; /* claimed addresses are the MAC's own */
        const char *ip = txt(st, 2);
        if (strchr(ip, ':'))
            m->v6 += ipv6_global(ip);
        else
            m->v4++;
    }
    sqlite3_finalize(st);
    for (struct hmap_entry *e = hmap_first(macs); e; e = hmap_next(e)) {
        struct mac_info *m = hmap_value(e);
        m->gateway = m->v4 >= 3 || m->v6 >= 4;
    }
    return 0;
}

static bool claimed(sqlite3_stmt *q, const char *site, const char *mac, const char *ip)
{
    sqlite3_bind_text(q, 1, site, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, mac, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 3, ip, -1, SQLITE_STATIC);
    bool yes = sqlite3_step(q) == SQLITE_ROW;
    sqlite3_reset(q);
    return yes;
}

static int map_endpoints(sqlite3 *db, struct hmap *macs, struct hmap *assets)
{
    sqlite3_stmt *st, *ins, *ip_ins, *q;
    if (sqlite3_prepare_v2(
            db,
            "SELECT DISTINCT site, mac, ip FROM (SELECT site, mac, ip FROM sightings"
            " UNION SELECT site, mac, ip FROM attributes UNION SELECT site, mac, ip FROM protocols"
            " UNION SELECT site, mac, ip FROM role_hints UNION SELECT site, mac, ip FROM findings)"
            " ORDER BY site, mac, ip",
            -1, &st, NULL) != SQLITE_OK)
        return -1;
    sqlite3_prepare_v2(db, "INSERT INTO endpoint_asset(site, mac, ip, asset_id) VALUES(?,?,?,?)",
                       -1, &ins, NULL);
    sqlite3_prepare_v2(db, "INSERT OR IGNORE INTO asset_ips(asset_id, ip) VALUES(?,?)", -1, &ip_ins,
                       NULL);
    sqlite3_prepare_v2(db, "SELECT 1 FROM sightings WHERE site=? AND mac=? AND ip=? AND arp=1", -1,
                       &q, NULL);
    int rc = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *site = txt(st, 0), *mac = txt(st, 1), *ip = txt(st, 2);
        struct asset_info a;
        memset(&a, 0, sizeof a);
        str_copy(a.site, sizeof a.site, site);
        bool own_ip = true;
        if (*mac) {
            struct keybuf k;
            kb_reset(&k);
            kb_str(&k, site);
            kb_str(&k, mac);
            struct mac_info *m = hmap_find(macs, k.b, k.n);
            if (m && m->gateway && *ip && !claimed(q, site, mac, ip)) {
                asset_id(a.id, sizeof a.id, site, "ip", ip);
                str_copy(a.gateway_mac, sizeof a.gateway_mac, mac);
                /* the router itself is an asset even when it never shows an address of its own */
                struct asset_info g;
                memset(&g, 0, sizeof g);
                str_copy(g.site, sizeof g.site, site);
                str_copy(g.mac, sizeof g.mac, mac);
                asset_id(g.id, sizeof g.id, site, "m", mac);
                bool gnew;
                struct asset_info *gi = hmap_get(assets, g.id, strlen(g.id), &gnew);
                if (gi && gnew)
                    *gi = g;
            } else {
                asset_id(a.id, sizeof a.id, site, "m", mac);
                str_copy(a.mac, sizeof a.mac, mac);
            }
        } else if (*ip) {
            asset_id(a.id, sizeof a.id, site, "ip", ip);
        } else {
            continue;
        }
        bool created;
        struct asset_info *ai = hmap_get(assets, a.id, strlen(a.id), &created);
        if (!ai)
            return -1;
        if (created)
            *ai = a;
        sqlite3_bind_text(ins, 1, site, -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, 2, mac, -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, 3, ip, -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, 4, a.id, -1, SQLITE_STATIC);
        if (sqlite3_step(ins) != SQLITE_DONE)
            rc = -1;
        sqlite3_reset(ins);
        if (*ip && own_ip) {
            sqlite3_bind_text(ip_ins, 1, a.id, -1, SQLITE_STATIC);
            sqlite3_bind_text(ip_ins, 2, ip, -1, SQLITE_STATIC);
            if (sqlite3_step(ip_ins) != SQLITE_DONE)
                rc = -1;
            sqlite3_reset(ip_ins);
        }
    }
    sqlite3_finalize(st);
    sqlite3_finalize(ins);
    sqlite3_finalize(ip_ins);
    sqlite3_finalize(q);
    return rc;
}

static int write_assets(sqlite3 *db, struct hmap *assets)
{
    sqlite3_stmt *ins;
    if (sqlite3_prepare_v2(db,
                           "INSERT INTO assets(id, site, mac, gateway_mac, mac_vendor)"
                           " VALUES(?,?,?,?,?)",
                           -1, &ins, NULL) != SQLITE_OK)
        return -1;
    int rc = 0;
    for (struct hmap_entry *e = hmap_first(assets); e; e = hmap_next(e)) {
        const struct asset_info *a = hmap_value(e);
        sqlite3_bind_text(ins, 1, a->id, -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, 2, a->site, -1, SQLITE_STATIC);
        const char *vendor = NULL;
        uint8_t m[6];
        if (a->mac[0]) {
            sqlite3_bind_text(ins, 3, a->mac, -1, SQLITE_STATIC);
            if (mac_parse(a->mac, m))
                vendor = oui_lookup(m);
        }
        if (a->gateway_mac[0])
            sqlite3_bind_text(ins, 4, a->gateway_mac, -1, SQLITE_STATIC);
        if (vendor)
            sqlite3_bind_text(ins, 5, vendor, -1, SQLITE_STATIC);
        if (sqlite3_step(ins) != SQLITE_DONE)
            rc = -1;
        sqlite3_reset(ins);
        sqlite3_clear_bindings(ins);
    }
    sqlite3_finalize(ins);
    return rc;
}

static const char *const identity_fields[] = {"vendor",   "product", "order_number", "firmware",
                                              "hardware", "serial",  "name"};

static int aggregate(sqlite3 *db)
{
    if (run(db, "UPDATE assets SET (first_ns, last_ns, packets) = (SELECT min(s.first_ns),"
                " max(s.last_ns), total(s.packets) FROM sightings s JOIN endpoint_asset ea"
                " ON ea.site=s.site AND ea.mac=s.mac AND ea.ip=s.ip WHERE ea.asset_id=assets.id)"))
        return -1;
    /* assets known only from observations about them */
    if (run(db, "UPDATE assets SET (first_ns, last_ns) = (SELECT min(a.first_ns), max(a.last_ns)"
                " FROM attributes a JOIN endpoint_asset ea ON ea.site=a.site AND ea.mac=a.mac"
                " AND ea.ip=a.ip WHERE ea.asset_id=assets.id) WHERE first_ns IS NULL"))
        return -1;
    /* a router known only from the traffic it forwards: every frame with its MAC */
    if (run(db, "UPDATE assets SET (first_ns, last_ns, packets) = (SELECT min(s.first_ns),"
                " max(s.last_ns), total(s.packets) FROM sightings s WHERE s.site=assets.site AND"
                " s.mac=assets.mac) WHERE first_ns IS NULL AND mac IS NOT NULL"))
        return -1;
    if (run(db, "UPDATE assets SET packets=0 WHERE packets IS NULL"))
        return -1;
    if (run(db, "INSERT OR IGNORE INTO asset_vlans SELECT ea.asset_id, s.vlan FROM sightings s"
                " JOIN endpoint_asset ea ON ea.site=s.site AND ea.mac=s.mac AND ea.ip=s.ip"
                " WHERE s.vlan<>0"))
        return -1;
    for (size_t i = 0; i < sizeof identity_fields / sizeof *identity_fields; i++) {
        char sql[512];
        snprintf(sql, sizeof sql,
                 "UPDATE assets SET %s = (SELECT a.value FROM attributes a JOIN endpoint_asset ea"
                 " ON ea.site=a.site AND ea.mac=a.mac AND ea.ip=a.ip WHERE ea.asset_id=assets.id"
                 " AND a.field='%s' ORDER BY a.last_ns DESC, a.count DESC, a.value LIMIT 1)",
                 identity_fields[i], identity_fields[i]);
        if (run(db, sql))
            return -1;
    }
    /* no configured name: the host name it announces (DHCP, mDNS, NetBIOS) */
    if (run(db, "UPDATE assets SET name = (SELECT CASE WHEN instr(a.value, '<') > 0 THEN"
                " substr(a.value, 1, instr(a.value, '<') - 1) ELSE a.value END FROM attributes a"
                " JOIN endpoint_asset ea ON ea.site=a.site AND ea.mac=a.mac AND ea.ip=a.ip WHERE"
                " ea.asset_id=assets.id AND a.field IN ('hostname', 'netbios_name')"
                " ORDER BY a.field='hostname' DESC, a.last_ns DESC LIMIT 1) WHERE name IS NULL"))
        return -1;
    return 0;
}

static const char *const program_kinds = "'program-download','program-upload','plc-stop',"
                                         "'plc-start','program-delete','firmware-update'";

static int classify_all(sqlite3 *db, struct hmap *macs)
{
    sqlite3_stmt *assets, *protos, *hints, *polled, *progs, *writes, *peers, *upd, *cls;
    char sql[1024];
    sqlite3_prepare_v2(db, "SELECT id, site, gateway_mac, mac FROM assets", -1, &assets, NULL);
    sqlite3_prepare_v2(db,
                       "SELECT p.proto, p.role, sum(p.packets) FROM protocols p JOIN"
                       " endpoint_asset ea ON ea.site=p.site AND ea.mac=p.mac AND ea.ip=p.ip"
                       " WHERE ea.asset_id=? GROUP BY p.proto, p.role ORDER BY 3 DESC",
                       -1, &protos, NULL);
    sqlite3_prepare_v2(db,
                       "SELECT h.role, h.source FROM role_hints h JOIN endpoint_asset ea ON"
                       " ea.site=h.site AND ea.mac=h.mac AND ea.ip=h.ip WHERE ea.asset_id=?"
                       " ORDER BY h.count DESC",
                       -1, &hints, NULL);
    sqlite3_prepare_v2(db,
                       "SELECT count(DISTINCT c.server_ip || '/' || c.server_mac) FROM"
                       " conversations c JOIN endpoint_asset ea ON ea.site=c.site AND"
                       " ea.mac=c.client_mac AND ea.ip=c.client_ip WHERE ea.asset_id=? AND"
                       " c.proto IN ('modbus','s7comm','s7comm-plus','enip','cip','dnp3',"
                       "'iec104','opcua','bacnet','fins','slmp','mms','ads','hart-ip')",
                       -1, &polled, NULL);
    snprintf(sql, sizeof sql,
             "SELECT 1 FROM operations o JOIN endpoint_asset ea ON ea.site=o.site AND"
             " ea.mac=o.src_mac AND ea.ip=o.src_ip WHERE ea.asset_id=? AND o.kind IN (%s) LIMIT 1",
             program_kinds);
    sqlite3_prepare_v2(db, sql, -1, &progs, NULL);
    sqlite3_prepare_v2(db,
                       "SELECT 1 FROM operations o JOIN endpoint_asset ea ON ea.site=o.site AND"
                       " ea.mac=o.src_mac AND ea.ip=o.src_ip WHERE ea.asset_id=? AND o.kind IN"
                       " ('process-write','command') AND coalesce(o.result, '')='' LIMIT 1",
                       -1, &writes, NULL);
    sqlite3_prepare_v2(db,
                       "SELECT c.server_ip FROM conversations c JOIN endpoint_asset ea ON"
                       " ea.site=c.site AND ea.mac=c.client_mac AND ea.ip=c.client_ip WHERE"
                       " ea.asset_id=?1 UNION SELECT c.client_ip FROM conversations c JOIN"
                       " endpoint_asset ea ON ea.site=c.site AND ea.mac=c.server_mac AND"
                       " ea.ip=c.server_ip WHERE ea.asset_id=?1",
                       -1, &peers, NULL);
    sqlite3_prepare_v2(db, "UPDATE assets SET role=?, purdue_level=?, criticality=? WHERE id=?", -1,
                       &upd, NULL);
    sqlite3_prepare_v2(db,
                       "INSERT OR REPLACE INTO asset_class(asset_id, field, value, reason)"
                       " VALUES(?,?,?,?)",
                       -1, &cls, NULL);
    if (!assets || !protos || !hints || !polled || !progs || !writes || !peers || !upd || !cls)
        return -1;
    while (sqlite3_step(assets) == SQLITE_ROW) {
        const char *id = txt(assets, 0);
        struct class_input in;
        memset(&in, 0, sizeof in);
        if (*txt(assets, 3)) {
            struct keybuf k;
            kb_reset(&k);
            kb_str(&k, txt(assets, 1));
            kb_str(&k, txt(assets, 3));
            struct mac_info *m = hmap_find(macs, k.b, k.n);
            in.gateway = m && m->gateway;
        }
        /* strings must outlive the statement steps: copy them */
        char pbuf[CLASS_MAX_PROTOS][2][32], hbuf[CLASS_MAX_HINTS][2][128];
        sqlite3_bind_text(protos, 1, id, -1, SQLITE_TRANSIENT);
        while (sqlite3_step(protos) == SQLITE_ROW && in.nproto < CLASS_MAX_PROTOS) {
            str_copy(pbuf[in.nproto][0], 32, txt(protos, 0));
            str_copy(pbuf[in.nproto][1], 32, txt(protos, 1));
            in.protos[in.nproto].name = pbuf[in.nproto][0];
            in.protos[in.nproto].as = pbuf[in.nproto][1];
            in.protos[in.nproto].packets = (uint64_t)sqlite3_column_int64(protos, 2);
            in.nproto++;
        }
        sqlite3_reset(protos);
        sqlite3_bind_text(hints, 1, id, -1, SQLITE_TRANSIENT);
        while (sqlite3_step(hints) == SQLITE_ROW && in.nhint < CLASS_MAX_HINTS) {
            str_copy(hbuf[in.nhint][0], 128, txt(hints, 0));
            str_copy(hbuf[in.nhint][1], 128, txt(hints, 1));
            in.hints[in.nhint].role = hbuf[in.nhint][0];
            in.hints[in.nhint].source = hbuf[in.nhint][1];
            in.nhint++;
        }
        sqlite3_reset(hints);
        sqlite3_bind_text(polled, 1, id, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(polled) == SQLITE_ROW)
            in.industrial_servers_polled = sqlite3_column_int(polled, 0);
        sqlite3_reset(polled);
        sqlite3_bind_text(progs, 1, id, -1, SQLITE_TRANSIENT);
        in.sends_program_ops = sqlite3_step(progs) == SQLITE_ROW;
        sqlite3_reset(progs);
        sqlite3_bind_text(writes, 1, id, -1, SQLITE_TRANSIENT);
        in.sends_process_writes = sqlite3_step(writes) == SQLITE_ROW;
        sqlite3_reset(writes);
        sqlite3_bind_text(peers, 1, id, -1, SQLITE_TRANSIENT);
        while (!in.talks_public && sqlite3_step(peers) == SQLITE_ROW) {
            struct ipaddr a;
            in.talks_public = ip_parse(txt(peers, 0), &a) && ip_is_unicast_host(&a) &&
                              !ip_is_private(&a) && !(a.family == 4 && a.b[0] >= 240);
        }
        sqlite3_reset(peers);

        struct class_result r;
        classify(&in, &r);
        sqlite3_bind_text(upd, 1, r.role, -1, SQLITE_TRANSIENT);
        if (r.purdue >= 0)
            sqlite3_bind_int(upd, 2, r.purdue);
        else
            sqlite3_bind_null(upd, 2);
        sqlite3_bind_text(upd, 3, r.criticality, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(upd, 4, id, -1, SQLITE_TRANSIENT);
        sqlite3_step(upd);
        sqlite3_reset(upd);
        const char *rows[3][3] = {{"role", r.role, r.role_reason},
                                  {"purdue_level", NULL, r.purdue_reason},
                                  {"criticality", r.criticality, r.crit_reason}};
        char lvl[8];
        snprintf(lvl, sizeof lvl, "%d", r.purdue);
        rows[1][1] = r.purdue >= 0 ? lvl : "null";
        for (int i = 0; i < 3; i++) {
            sqlite3_bind_text(cls, 1, id, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(cls, 2, rows[i][0], -1, SQLITE_STATIC);
            sqlite3_bind_text(cls, 3, rows[i][1], -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(cls, 4, rows[i][2], -1, SQLITE_TRANSIENT);
            sqlite3_step(cls);
            sqlite3_reset(cls);
        }
    }
    sqlite3_finalize(assets);
    sqlite3_finalize(protos);
    sqlite3_finalize(hints);
    sqlite3_finalize(polled);
    sqlite3_finalize(progs);
    sqlite3_finalize(writes);
    sqlite3_finalize(peers);
    sqlite3_finalize(upd);
    sqlite3_finalize(cls);
    return 0;
}

/* Dated changes, from the facts: for each asset and field, the distinct values in the order they
 * first appeared; every value after the first is a change at the time it first appeared.  IPs
 * and protocols appearing after the asset was first seen are changes too.  The alert rules
 * (firmware-change) and the history view read this table. */
static int derive_history(sqlite3 *db)
{
    static const char *const fields = "'firmware','name','product','order_number','serial',"
                                      "'hardware','vendor','model','hostname'";
    char sql[2048];
    snprintf(sql, sizeof sql,
             "INSERT INTO asset_history(asset_id, field, old_value, new_value, time_ns, file_id,"
             " frame, source)"
             " SELECT asset_id, field, lag(value) OVER w, value, first_ns, file_id, frame, source"
             " FROM (SELECT ea.asset_id, a.field, a.value, min(a.first_ns) AS first_ns,"
             "   a.file_id, a.frame, a.source FROM attributes a JOIN endpoint_asset ea ON"
             "   ea.site=a.site AND ea.mac=a.mac AND ea.ip=a.ip WHERE a.field IN (%s)"
             "   GROUP BY ea.asset_id, a.field, a.value)"
             " WINDOW w AS (PARTITION BY asset_id, field ORDER BY first_ns, value)",
             fields);
    if (run(db, sql) || run(db, "DELETE FROM asset_history WHERE old_value IS NULL"))
        return -1;
    /* addresses and protocols that appeared later than the asset itself */
    if (run(db,
            "INSERT INTO asset_history(asset_id, field, old_value, new_value, time_ns,"
            " file_id, frame, source)"
            " SELECT ea.asset_id, 'ip', NULL, s.ip, min(s.first_ns), s.file_id, s.frame,"
            " 'first packet from the address' FROM sightings s JOIN endpoint_asset ea ON"
            " ea.site=s.site AND ea.mac=s.mac AND ea.ip=s.ip JOIN assets x ON x.id=ea.asset_id"
            " WHERE s.ip<>'' GROUP BY ea.asset_id, s.ip HAVING min(s.first_ns) > min(x.first_ns)"))
        return -1;
    return run(db, "INSERT INTO asset_history(asset_id, field, old_value, new_value, time_ns,"
                   " file_id, frame, source)"
                   " SELECT ea.asset_id, 'protocol', NULL, p.proto || ' ' || p.role,"
                   " min(p.first_ns), p.file_id, p.frame, 'first packet of the protocol'"
                   " FROM protocols p JOIN endpoint_asset ea ON ea.site=p.site AND ea.mac=p.mac"
                   " AND ea.ip=p.ip JOIN assets x ON x.id=ea.asset_id GROUP BY ea.asset_id,"
                   " p.proto, p.role HAVING min(p.first_ns) > min(x.first_ns) + 60000000000");
}

int store_rebuild_assets(struct store *s)
{
    sqlite3 *db = store_db(s);
    struct hmap macs, assets;
    hmap_init(&macs, sizeof(struct mac_info));
    hmap_init(&assets, sizeof(struct asset_info));
    int rc = run(db, "BEGIN IMMEDIATE");
    if (!rc)
        rc = run(db, "DELETE FROM endpoint_asset; DELETE FROM asset_ips; DELETE FROM asset_vlans;"
                     " DELETE FROM asset_class; DELETE FROM asset_history; DELETE FROM assets;");
    if (!rc)
        rc = find_gateways(db, &macs);
    if (!rc)
        rc = map_endpoints(db, &macs, &assets);
    if (!rc)
        rc = write_assets(db, &assets);
    if (!rc)
        rc = aggregate(db);
    if (!rc)
        rc = classify_all(db, &macs);
    if (!rc)
        rc = derive_history(db);
    if (!rc)
        rc = run(db, "COMMIT");
    if (rc)
        run(db, "ROLLBACK");
    hmap_clear(&macs);
    hmap_clear(&assets);
    return rc;
}
