/* segment.c - see segment.h. */
#include "policy/segment.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "util/hmap.h"
#include "util/str.h"

#define OT_ROLES_SQL "('plc','rtu','ied','io-device','hmi','engineering-workstation'," \
                     "'scada-server','historian','opc-server','broker')"

static bool is_ot_role(const char *r)
{
    static const char *const ot[] = {"plc", "rtu", "ied", "io-device", "hmi",
                                     "engineering-workstation", "scada-server", "historian",
                                     "opc-server", "broker"};
    for (size_t i = 0; r && i < sizeof ot / sizeof *ot; i++)
        if (!strcmp(ot[i], r))
            return true;
    return false;
}

static const char *txt(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return t ? (const char *)t : "";
}

/* the subnet a proposal groups an address into */
static void subnet_of(const struct ipaddr *ip, struct cidr *c)
{
    c->net = *ip;
    c->bits = ip->family == 4 ? 24 : 64;
    for (int i = c->bits / 8; i < 16; i++)
        c->net.b[i] = 0;
}

static void zone_name_for(const struct cidr *c, char *out, size_t n)
{
    if (c->net.family == 6) { /* the /64 prefix as four groups */
        const uint8_t *b = c->net.b;
        snprintf(out, n, "ot-v6-%x-%x-%x-%x", b[0] << 8 | b[1], b[2] << 8 | b[3], b[4] << 8 | b[5],
                 b[6] << 8 | b[7]);
        return;
    }
    char ip[IP_STRLEN];
    ip_format(&c->net, ip);
    for (char *p = ip; *p; p++)
        if (*p == '.' || *p == ':')
            *p = '-';
    snprintf(out, n, "ot-%s", ip);
}

static struct zone *find_zone(struct policy *p, const char *name)
{
    for (int i = 0; i < p->nzone; i++)
        if (!strcmp(p->zones[i].name, name))
            return &p->zones[i];
    return NULL;
}

static int purdue_of_role(const char *r)
{
    if (!strcmp(r, "io-device"))
        return 0;
    if (!strcmp(r, "plc") || !strcmp(r, "rtu") || !strcmp(r, "ied"))
        return 1;
    if (!strcmp(r, "historian") || !strcmp(r, "broker"))
        return 3;
    return 2;
}

int segment_propose(struct store *s, struct policy *p)
{
    policy_init(p);
    str_copy(p->corporate, sizeof p->corporate, "corporate");
    sqlite3 *db = store_db(s);
    sqlite3_stmt *st;
    /* subnets with OT assets first, with the lowest Purdue level of their members */
    if (sqlite3_prepare_v2(db, "SELECT i.ip, a.role FROM asset_ips i JOIN assets a ON"
                               " a.id=i.asset_id ORDER BY a.role IN " OT_ROLES_SQL " DESC, i.ip",
                           -1, &st, NULL) != SQLITE_OK)
        return -1;
    struct zone *corp = NULL;
    while (sqlite3_step(st) == SQLITE_ROW) {
        struct ipaddr ip;
        if (!ip_parse(txt(st, 0), &ip) || !ip_is_private(&ip) ||
            (ip.family == 6 && ip.b[0] == 0xfe))
            continue; /* public addresses are the internet; link-local says nothing */
        struct cidr c;
        subnet_of(&ip, &c);
        const char *role = txt(st, 1);
        char name[64];
        zone_name_for(&c, name, sizeof name);
        struct zone *z = find_zone(p, name);
        bool covered = false;
        for (int i = 0; i < p->nzone && !covered; i++)
            for (int k = 0; k < p->zones[i].ncidr; k++)
                covered |= cidr_contains(&p->zones[i].cidrs[k], &ip);
        if (is_ot_role(role)) {
            if (!z && !covered && p->nzone < POLICY_MAX_ZONES) {
                z = &p->zones[p->nzone++];
                memset(z, 0, sizeof *z);
                str_copy(z->name, sizeof z->name, name);
                z->purdue = purdue_of_role(role);
                z->security_level = 2;
                z->cidrs[z->ncidr++] = c;
                snprintf(z->description, sizeof z->description, "proposed: OT assets seen");
            }
            if (z && purdue_of_role(role) < z->purdue)
                z->purdue = purdue_of_role(role);
        } else if (!covered) {
            if (!corp && p->nzone < POLICY_MAX_ZONES) {
                corp = &p->zones[p->nzone++];
                memset(corp, 0, sizeof *corp);
                str_copy(corp->name, sizeof corp->name, "corporate");
                corp->purdue = 4;
                corp->security_level = 1;
                snprintf(corp->description, sizeof corp->description,
                         "proposed: private subnets without OT assets");
            }
            if (corp && corp->ncidr < POLICY_MAX_ITEMS)
                corp->cidrs[corp->ncidr++] = c;
        }
    }
    sqlite3_finalize(st);
    if (!corp)
        p->corporate[0] = '\0';
    /* a conduit for each flow seen between two OT zones */
    if (sqlite3_prepare_v2(db, "SELECT DISTINCT client_ip, server_ip, proto, port, vlan FROM"
                               " conversations WHERE client_ip<>'' AND server_ip<>''",
                           -1, &st, NULL) != SQLITE_OK)
        return -1;
    while (sqlite3_step(st) == SQLITE_ROW) {
        struct ipaddr a, b;
        if (!ip_parse(txt(st, 0), &a) || !ip_parse(txt(st, 1), &b))
            continue;
        const char *za, *zb;
        policy_zone_of(p, &a, 0, NULL, &za);
        policy_zone_of(p, &b, 0, NULL, &zb);
        if (!za || !zb || !strcmp(za, zb) || strncmp(za, "ot-", 3) || strncmp(zb, "ot-", 3))
            continue;
        const char *proto = txt(st, 2);
        uint16_t port = (uint16_t)sqlite3_column_int(st, 3);
        if (policy_allows(p, za, zb, *proto ? proto : NULL, port))
            continue;
        if (p->nconduit == POLICY_MAX_CONDUITS)
            break;
        struct conduit *c = &p->conduits[p->nconduit++];
        memset(c, 0, sizeof *c);
        str_copy(c->from, sizeof c->from, za);
        str_copy(c->to, sizeof c->to, zb);
        if (*proto)
            str_copy(c->protocols[c->nproto++], sizeof c->protocols[0], proto);
        c->ports[c->nport++] = port;
        snprintf(c->description, sizeof c->description, "proposed: seen %s -> %s", txt(st, 0),
                 txt(st, 1));
    }
    sqlite3_finalize(st);
    return 0;
}

struct asset_z {
    char zone[64];
    char role[32];
    char crit[8];
    bool ot;
    bool to_corp, from_corp, to_inet, from_inet;
};

static void headline_add(json_t *h, const struct asset_z *a, const char *id, bool to, bool from)
{
    json_object_set_new(h, "total", json_integer(json_integer_value(json_object_get(h, "total")) + 1));
    if (to)
        json_object_set_new(h, "to", json_integer(json_integer_value(json_object_get(h, "to")) + 1));
    if (from)
        json_object_set_new(h, "from",
                            json_integer(json_integer_value(json_object_get(h, "from")) + 1));
    json_t *bc = json_object_get(h, "by_criticality");
    json_object_set_new(bc, a->crit,
                        json_integer(json_integer_value(json_object_get(bc, a->crit)) + 1));
    json_array_append_new(json_object_get(h, "assets"),
                          json_pack("{s:s, s:s, s:s, s:s, s:b, s:b}", "asset", id, "role",
                                    a->role, "criticality", a->crit, "zone", a->zone, "to",
                                    to, "from", from));
}

static json_t *new_headline(void)
{
    return json_pack("{s:i, s:i, s:i, s:{s:i, s:i, s:i}, s:[]}", "total", 0, "to", 0, "from", 0,
                     "by_criticality", "high", 0, "medium", 0, "low", 0, "assets");
}

json_t *segment_evaluate(struct store *s, const struct policy *given, const char *policy_name)
{
    sqlite3 *db = store_db(s);
    static struct policy proposed;
    const struct policy *p = given;
    if (!p) {
        if (segment_propose(s, &proposed))
            return NULL;
        proposed.nconduit = 0; /* nothing is allowed until a policy says so */
        p = &proposed;
    }
    struct hmap assets;
    hmap_init(&assets, sizeof(struct asset_z));
    json_t *zones = json_object();
    sqlite3_stmt *st, *upd = NULL;
    sqlite3_prepare_v2(db, "SELECT a.id, a.role, a.criticality, (SELECT ip FROM asset_ips WHERE"
                           " asset_id=a.id ORDER BY instr(ip, ':') > 0, ip LIMIT 1), (SELECT"
                           " min(vlan) FROM asset_vlans WHERE asset_id=a.id) FROM assets a"
                           " ORDER BY a.id", -1, &st, NULL);
    if (given) {
        sqlite3_exec(db, "SAVEPOINT zones", NULL, NULL, NULL); /* nests inside a transaction */
        sqlite3_prepare_v2(db, "UPDATE assets SET zone=? WHERE id=?", -1, &upd, NULL);
    }
    while (st && sqlite3_step(st) == SQLITE_ROW) {
        const char *id = txt(st, 0);
        struct asset_z *a = hmap_get(&assets, id, strlen(id), NULL);
        if (!a)
            break;
        str_copy(a->role, sizeof a->role, txt(st, 1));
        str_copy(a->crit, sizeof a->crit, *txt(st, 2) ? txt(st, 2) : "low");
        a->ot = is_ot_role(a->role);
        struct ipaddr ip;
        bool has_ip = ip_parse(txt(st, 3), &ip);
        const char *zn = NULL;
        policy_zone_of(p, has_ip ? &ip : NULL, (uint16_t)sqlite3_column_int(st, 4), a->role, &zn);
        str_copy(a->zone, sizeof a->zone, zn ? zn : "unzoned");
        json_t *z = json_object_get(zones, a->zone);
        if (!z) {
            z = json_pack("{s:[], s:i}", "assets", "ot_assets", 0);
            json_object_set_new(zones, a->zone, z);
        }
        json_array_append_new(json_object_get(z, "assets"), json_string(id));
        if (a->ot)
            json_object_set_new(z, "ot_assets",
                                json_integer(json_integer_value(json_object_get(z, "ot_assets")) + 1));
        if (upd) {
            if (zn)
                sqlite3_bind_text(upd, 1, zn, -1, SQLITE_TRANSIENT);
            else
                sqlite3_bind_null(upd, 1);
            sqlite3_bind_text(upd, 2, id, -1, SQLITE_TRANSIENT);
            sqlite3_step(upd);
            sqlite3_reset(upd);
        }
    }
    sqlite3_finalize(st);
    if (upd) {
        sqlite3_finalize(upd);
        sqlite3_exec(db, "RELEASE zones", NULL, NULL, NULL);
    }
    /* zone attributes from the policy */
    for (int i = 0; i < p->nzone; i++) {
        json_t *z = json_object_get(zones, p->zones[i].name);
        if (!z) {
            z = json_pack("{s:[], s:i}", "assets", "ot_assets", 0);
            json_object_set_new(zones, p->zones[i].name, z);
        }
        json_object_set_new(z, "purdue_level", p->zones[i].purdue >= 0
                                                   ? json_integer(p->zones[i].purdue)
                                                   : json_null());
        json_object_set_new(z, "security_level", p->zones[i].security_level >= 0
                                                     ? json_integer(p->zones[i].security_level)
                                                     : json_null());
    }
    /* flows */
    json_t *flows = json_array();
    int violations = 0;
    sqlite3_prepare_v2(db,
        /* a routed flow is seen once on each segment it crosses (client MAC on one side, the
         * router's on the other): one logical flow per addresses, port and protocol */
        "SELECT client_ip, max(client_mac), server_ip, max(server_mac), l4, port, proto,"
        " max(vlan), max(flows), max(pkts), max(cid), max(sid) FROM ("
        "SELECT c.site, c.client_ip, c.client_mac, c.server_ip, c.server_mac, c.l4, c.port,"
        " c.proto, c.vlan, c.flows, c.pkts_cs + c.pkts_sc AS pkts, c.first_ns,"
        " (SELECT asset_id FROM endpoint_asset ea WHERE ea.site=c.site AND ea.mac=c.client_mac"
        "  AND ea.ip=c.client_ip) AS cid, (SELECT asset_id FROM endpoint_asset ea WHERE"
        "  ea.site=c.site AND ea.mac=c.server_mac AND ea.ip=c.server_ip) AS sid"
        " FROM conversations c)"
        " GROUP BY site, CASE WHEN client_ip<>'' THEN client_ip ELSE client_mac END,"
        "  CASE WHEN server_ip<>'' THEN server_ip ELSE server_mac END, l4, port, proto"
        " ORDER BY min(first_ns)", -1, &st, NULL);
    while (st && sqlite3_step(st) == SQLITE_ROW) {
        const char *cid = txt(st, 10), *sid = txt(st, 11);
        /* broadcast and multicast destinations are not hosts in a zone */
        if ((!*sid && !*txt(st, 2)) || (!*cid && !*txt(st, 0)))
            continue;
        struct asset_z *ca = *cid ? hmap_find(&assets, cid, strlen(cid)) : NULL;
        struct asset_z *sa = *sid ? hmap_find(&assets, sid, strlen(sid)) : NULL;
        struct ipaddr cip, sip;
        const char *cz = ca ? ca->zone : NULL, *sz = sa ? sa->zone : NULL;
        uint16_t vlan = (uint16_t)sqlite3_column_int(st, 7);
        if (!cz && ip_parse(txt(st, 0), &cip))
            policy_zone_of(p, &cip, vlan, NULL, &cz);
        if (!sz && ip_parse(txt(st, 2), &sip))
            policy_zone_of(p, &sip, vlan, NULL, &sz);
        cz = cz ? cz : "unzoned";
        sz = sz ? sz : "unzoned";
        if (!strcmp(cz, sz))
            continue; /* inside a zone: not a segmentation question */
        const char *proto = txt(st, 6);
        uint16_t port = (uint16_t)sqlite3_column_int(st, 5);
        const struct conduit *cd = policy_allows(p, cz, sz, *proto ? proto : NULL, port);
        if (!cd)
            violations++;
        bool corp_c = p->corporate[0] && !strcmp(cz, p->corporate);
        bool corp_s = p->corporate[0] && !strcmp(sz, p->corporate);
        bool inet_c = !strcmp(cz, p->internet), inet_s = !strcmp(sz, p->internet);
        if (!cd && ca && ca->ot) {
            ca->to_corp |= corp_s;
            ca->to_inet |= inet_s;
        }
        if (!cd && sa && sa->ot) {
            sa->from_corp |= corp_c;
            sa->from_inet |= inet_c;
        }
        int l4 = sqlite3_column_int(st, 4);
        json_array_append_new(flows, json_pack(
            "{s:s, s:s, s:s?, s:s?, s:s, s:s, s:s, s:i, s:s?, s:I, s:I, s:s, s:s?}",
            "client", *txt(st, 0) ? txt(st, 0) : txt(st, 1),
            "server", *txt(st, 2) ? txt(st, 2) : txt(st, 3), "client_asset", *cid ? cid : NULL,
            "server_asset", *sid ? sid : NULL, "client_zone", cz, "server_zone", sz,
            "transport", l4 == 6 ? "tcp" : l4 == 17 ? "udp" : "other", "port", port, "protocol",
            *proto ? proto : NULL, "connections", (json_int_t)sqlite3_column_int64(st, 8),
            "packets", (json_int_t)sqlite3_column_int64(st, 9), "verdict",
            cd ? "allowed" : "violation", "conduit", cd && cd->description[0] ? cd->description
                                                                              : NULL));
    }
    sqlite3_finalize(st);
    json_t *corp = new_headline(), *inet = new_headline();
    for (struct hmap_entry *e = hmap_first(&assets); e; e = hmap_next(e)) {
        const struct asset_z *a = hmap_value(e);
        char id[128];
        size_t n = e->klen < sizeof id - 1 ? e->klen : sizeof id - 1;
        memcpy(id, hmap_key(e), n);
        id[n] = '\0';
        if (!a->ot)
            continue;
        if (a->to_corp || a->from_corp)
            headline_add(corp, a, id, a->to_corp, a->from_corp);
        if (a->to_inet || a->from_inet)
            headline_add(inet, a, id, a->to_inet, a->from_inet);
    }
    hmap_clear(&assets);
    json_t *zl = json_array();
    const char *zk;
    json_t *zv;
    json_object_foreach(zones, zk, zv) {
        json_object_set_new(zv, "name", json_string(zk));
        json_object_set_new(zv, "corporate", json_boolean(p->corporate[0] &&
                                                          !strcmp(zk, p->corporate)));
        json_object_set_new(zv, "internet", json_boolean(!strcmp(zk, p->internet)));
        json_array_append(zl, zv);
    }
    json_decref(zones);
    return json_pack("{s:s, s:s, s:s?, s:o, s:{s:o, s:o, s:i}, s:o}",
                     "schema", "otscope.segmentation/1", "policy", policy_name,
                     "corporate_zone", p->corporate[0] ? p->corporate : NULL, "zones", zl,
                     "headline", "ot_assets_with_corporate_access", corp,
                     "ot_assets_with_internet_access", inet, "violations", violations,
                     "flows", flows);
}

bool segment_stored_policy(struct store *s, struct policy *p)
{
    sqlite3_stmt *st;
    bool ok = false;
    if (sqlite3_prepare_v2(store_db(s), "SELECT value FROM meta WHERE key='policy_yaml'", -1, &st,
                           NULL) != SQLITE_OK)
        return false;
    if (sqlite3_step(st) == SQLITE_ROW) {
        char err[256];
        const char *y = (const char *)sqlite3_column_text(st, 0);
        ok = y && policy_parse(p, y, strlen(y), err, sizeof err) == 0;
    }
    sqlite3_finalize(st);
    return ok;
}

int segment_store_policy(struct store *s, const char *yaml, size_t len)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(store_db(s), "INSERT OR REPLACE INTO meta(key, value)"
                                        " VALUES('policy_yaml', ?)", -1, &st, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_text(st, 1, yaml, (int)len, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
    sqlite3_finalize(st);
    return rc;
}
