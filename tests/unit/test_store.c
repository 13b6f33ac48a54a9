/* test_store.c - the SQLite store: schema creation (user_version, WAL), reopening, refusing a
 * database from a newer otscope, and the path collector -> store_merge -> store_rebuild_assets ->
 * store_assets_json on a small hand-made plant: a router MAC carrying five remote addresses, an
 * address claimed by ARP, hosts whose frames carry an all-zero MAC, and merging twice. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "inventory/collect.h"
#include "inventory/oui.h"
#include "store/schema.h"
#include "store/store.h"

static char DIR_[64];
static char DB[128];

static int setup(void **st)
{
    (void)st;
    snprintf(DIR_, sizeof DIR_, "/tmp/otscope-test-store-XXXXXX");
    if (!mkdtemp(DIR_))
        return -1;
    snprintf(DB, sizeof DB, "%s/test.db", DIR_);
    return 0;
}

static int teardown(void **st)
{
    (void)st;
    static const char *const sfx[] = {"", "-wal", "-shm", "-journal"};
    for (size_t i = 0; i < sizeof sfx / sizeof *sfx; i++) {
        char p[160];
        snprintf(p, sizeof p, "%s%s", DB, sfx[i]);
        unlink(p);
    }
    rmdir(DIR_);
    return 0;
}

static struct store *open_ok(bool create)
{
    char err[256] = "";
    struct store *s = store_open(DB, create, err, sizeof err);
    if (!s)
        fail_msg("store_open: %s", err);
    return s;
}

static long long q_int(struct store *s, const char *sql)
{
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(store_db(s), sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    long long v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

static void q_text(struct store *s, const char *sql, char *out, size_t n)
{
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(store_db(s), sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    snprintf(out, n, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
}

/* ---- schema ---- */

static void new_file_gets_the_schema_in_wal_mode(void **st)
{
    (void)st;
    struct store *s = open_ok(true);
    assert_int_equal(q_int(s, "PRAGMA user_version"), STORE_SCHEMA_VERSION);
    assert_int_equal(STORE_SCHEMA_VERSION,
                     (int)(sizeof store_migrations / sizeof *store_migrations));
    char mode[16];
    q_text(s, "PRAGMA journal_mode", mode, sizeof mode);
    assert_string_equal(mode, "wal");
    /* the tables the merge and the derivation use exist and are empty */
    static const char *const tables[] = {
        "runs",     "files",      "sightings",     "attributes", "protocols", "role_hints",
        "findings", "operations", "conversations", "assets",     "asset_ips", "endpoint_asset"};
    for (size_t i = 0; i < sizeof tables / sizeof *tables; i++) {
        char sql[128];
        snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", tables[i]);
        assert_int_equal(q_int(s, sql), 0);
    }
    assert_true(store_run_begin(s, "default", 1000) > 0);
    store_close(s);
    assert_int_equal(access(DB, F_OK), 0);
}

static void reopening_keeps_data_and_version(void **st)
{
    (void)st;
    struct store *s = open_ok(true);
    int64_t run = store_run_begin(s, "plant-a", 1000);
    assert_true(run > 0);
    int64_t file = store_file_begin(s, run, "/x/a.pcap", "123:abc");
    assert_true(file > 0);
    store_file_end(s, file, 42, "ok", NULL);
    store_run_end(s, run, 2000, 42, 4200, "ok");
    store_close(s);

    s = open_ok(false); /* no create: must exist, must not migrate again */
    assert_int_equal(q_int(s, "PRAGMA user_version"), STORE_SCHEMA_VERSION);
    assert_int_equal(q_int(s, "SELECT count(*) FROM runs"), 1);
    assert_int_equal(q_int(s, "SELECT packets FROM files"), 42);
    assert_true(store_file_seen(s, "plant-a", "123:abc"));
    assert_false(store_file_seen(s, "plant-b", "123:abc"));
    assert_false(store_file_seen(s, "plant-a", "999:abc"));
    store_close(s);

    /* and again with create: nothing is recreated */
    s = open_ok(true);
    assert_int_equal(q_int(s, "SELECT count(*) FROM runs"), 1);
    store_close(s);
}

static void missing_file_without_create_fails(void **st)
{
    (void)st;
    char err[256] = "";
    struct store *s = store_open(DB, false, err, sizeof err);
    assert_null(s);
    assert_true(err[0] != '\0');
    assert_int_not_equal(access(DB, F_OK), 0); /* and nothing was created */
}

static void newer_schema_is_refused(void **st)
{
    (void)st;
    struct store *s = open_ok(true);
    store_close(s);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(DB, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "PRAGMA user_version=99", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);

    char err[256] = "";
    s = store_open(DB, true, err, sizeof err);
    assert_null(s);
    assert_non_null(strstr(err, "99"));
    assert_non_null(strstr(err, "newer than this otscope"));

    /* the database was left as it was */
    assert_int_equal(sqlite3_open(DB, &db), SQLITE_OK);
    sqlite3_stmt *q;
    sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &q, NULL);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(q, 0), 99);
    sqlite3_finalize(q);
    sqlite3_close(db);
}

static void not_a_database_is_refused(void **st)
{
    (void)st;
    FILE *fp = fopen(DB, "wb");
    assert_non_null(fp);
    for (int i = 0; i < 512; i++)
        fputs("this is not an SQLite file ", fp);
    fclose(fp);
    char err[256] = "";
    assert_null(store_open(DB, true, err, sizeof err));
    assert_true(err[0] != '\0');
}

/* ---- a small plant, built through the collector's own entry points ---- */

#define T0  1767225600000000000ll /* 2026-01-01T00:00:00Z */
#define SEC 1000000000ll

static const uint8_t ROUTER[6] = {0x00, 0x00, 0x0c, 0x9f, 0x00, 0x01};
static const uint8_t SERVER[6] = {0x00, 0x1b, 0x1b, 0x00, 0x00, 0x10};
static const uint8_t PLC[6] = {0x00, 0x1b, 0x1b, 0x00, 0x00, 0x20};
static const uint8_t ZERO[6] = {0, 0, 0, 0, 0, 0};

struct host {
    const uint8_t *mac; /* NULL: no MAC */
    const char *ip;
};

/* a finished TCP flow client -> server:port, as the flow table hands it to collector_flow_done */
static void flow_done(struct collector *c, struct host cli, struct host srv, uint16_t port,
                      enum proto proto, uint64_t pc, uint64_t ps, int64_t t, uint32_t file)
{
    struct flow f;
    memset(&f, 0, sizeof f);
    assert_true(ip_parse(cli.ip, &f.key.ip[0]));
    assert_true(ip_parse(srv.ip, &f.key.ip[1]));
    f.key.port[0] = 40000;
    f.key.port[1] = port;
    f.key.l4 = L4_TCP;
    f.client = 0;
    if (cli.mac) {
        memcpy(f.mac[0], cli.mac, 6);
        f.has_mac[0] = true;
    }
    if (srv.mac) {
        memcpy(f.mac[1], srv.mac, 6);
        f.has_mac[1] = true;
    }
    f.pkts[0] = pc;
    f.pkts[1] = ps;
    f.bytes[0] = pc * 100;
    f.bytes[1] = ps * 100;
    f.first_ns = t;
    f.last_ns = t + SEC;
    f.first_frame = 1;
    f.file_id = file;
    if (proto) {
        f.proto = (uint8_t)proto;
        f.protos = 1ull << proto;
    }
    collector_flow_done(c, &f);
}

/* an ARP frame from mac claiming ip: what the engine and the ARP dissector do with it */
static void arp_claim(struct collector *c, const uint8_t mac[6], const char *ip, int64_t t,
                      uint32_t file)
{
    struct pkt p;
    memset(&p, 0, sizeof p);
    p.ts_ns = t;
    p.frame = 7;
    p.file_id = file;
    p.wirelen = 60;
    p.has_mac = true;
    memcpy(p.smac, mac, 6);
    memset(p.dmac, 0xff, 6);
    p.ethertype = 0x0806;
    collector_sighting(c, &p);
    struct pctx ctx = {&p, NULL, 0, PROTO_ARP, &collector_sink, c};
    collector_sink.attr(c, &ctx, WHO_SRC, F_IP_ADDRESS, ip, NULL, "arp reply");
}

/* an identity attribute of the server of a flow, as a dissector emits it */
static void server_attr(struct collector *c, struct host cli, struct host srv, enum attr_field fld,
                        const char *value, int64_t t, uint32_t file)
{
    struct pkt p;
    memset(&p, 0, sizeof p);
    p.ts_ns = t;
    p.frame = 3;
    p.file_id = file;
    p.has_mac = true;
    memcpy(p.smac, srv.mac, 6);
    memcpy(p.dmac, cli.mac, 6);
    assert_true(ip_parse(srv.ip, &p.src));
    assert_true(ip_parse(cli.ip, &p.dst));
    p.l4 = L4_TCP;
    struct flow f;
    memset(&f, 0, sizeof f);
    struct pctx ctx = {&p, &f, 1, PROTO_MODBUS, &collector_sink, c};
    collector_sink.attr(c, &ctx, WHO_SERVER, fld, value, NULL, "test identity");
}

static void build_plant(struct collector *c, uint32_t file)
{
    struct host server = {SERVER, "10.0.0.10"};
    /* five remote addresses, all behind the router's MAC, poll the server */
    for (int i = 1; i <= 5; i++) {
        char ip[32];
        snprintf(ip, sizeof ip, "203.0.113.%d", i);
        struct host remote = {ROUTER, ip};
        flow_done(c, remote, server, 502, PROTO_MODBUS, 4, 3, T0 + i * SEC, file);
    }
    /* the router's own address: claimed by ARP, and also used (SNMP polling) */
    arp_claim(c, ROUTER, "10.0.0.1", T0, file);
    flow_done(c, (struct host){ROUTER, "10.0.0.1"}, server, 161, PROTO_NONE, 1, 1, T0 + 9 * SEC,
              file);
    /* a PLC known only from its ARP claim */
    arp_claim(c, PLC, "10.0.0.20", T0 + 2 * SEC, file);
    /* identity of the server */
    server_attr(c, (struct host){ROUTER, "203.0.113.1"}, server, F_VENDOR, "Siemens", T0 + 3 * SEC,
                file);
    /* four hosts whose frames carry an all-zero MAC (a tap that rewrites MACs) */
    for (int i = 1; i <= 4; i++) {
        char ip[32];
        snprintf(ip, sizeof ip, "10.9.9.%d", i);
        flow_done(c, (struct host){ZERO, ip}, (struct host){ZERO, "10.9.9.100"}, 20000, PROTO_NONE,
                  2, 2, T0 + 20 * SEC, file);
    }
}

static json_t *find_asset(json_t *doc, const char *id)
{
    json_t *list = json_object_get(doc, "assets");
    assert_true(json_is_array(list));
    size_t i;
    json_t *a;
    json_array_foreach(list, i, a)
    {
        if (!strcmp(json_string_value(json_object_get(a, "id")), id))
            return a;
    }
    fail_msg("no asset %s", id);
    return NULL;
}

static const char *str_of(json_t *a, const char *key)
{
    json_t *v = json_object_get(a, key);
    assert_non_null(v);
    return json_is_null(v) ? NULL : json_string_value(v);
}

static void ips_are(json_t *a, const char *const *want, size_t n)
{
    json_t *ips = json_object_get(a, "ips");
    assert_true(json_is_array(ips));
    assert_int_equal(json_array_size(ips), n);
    for (size_t i = 0; i < n; i++)
        assert_string_equal(json_string_value(json_array_get(ips, i)), want[i]);
}

static long long int_of(json_t *a, const char *key)
{
    json_t *v = json_object_get(a, key);
    assert_true(json_is_integer(v));
    return (long long)json_integer_value(v);
}

static long long proto_packets(json_t *a, const char *name, const char *as)
{
    json_t *pl = json_object_get(a, "protocols");
    size_t i;
    json_t *p;
    json_array_foreach(pl, i, p)
    {
        if (!strcmp(json_string_value(json_object_get(p, "name")), name) &&
            !strcmp(json_string_value(json_object_get(p, "as")), as))
            return (long long)json_integer_value(json_object_get(p, "packets"));
    }
    return -1;
}

static void merged_plant_gives_the_expected_assets(void **st)
{
    (void)st;
    struct store *s = open_ok(true);
    int64_t run = store_run_begin(s, "default", T0);
    int64_t file = store_file_begin(s, run, "/captures/plant.pcap", "1:1");
    struct collector c;
    collector_init(&c);
    build_plant(&c, (uint32_t)file);
    assert_int_equal(store_merge(s, &c, "default"), 0);
    assert_int_equal(store_rebuild_assets(s), 0);
    json_t *doc = store_assets_json(s);
    assert_non_null(doc);
    assert_string_equal(json_string_value(json_object_get(doc, "schema")), "otscope.assets/1");

    /* 1 gateway + 5 remote + server + PLC + 5 zero-MAC hosts (4 clients, 1 server) */
    assert_int_equal(json_array_size(json_object_get(doc, "assets")), 13);

    /* the router: one gateway asset, keeping only the address it claimed by ARP */
    json_t *gw = find_asset(doc, "m-00000c9f0001");
    assert_string_equal(str_of(gw, "mac"), "00:00:0c:9f:00:01");
    assert_null(str_of(gw, "gateway_mac"));
    static const char *const gw_ips[] = {"10.0.0.1"};
    ips_are(gw, gw_ips, 1);
    assert_string_equal(str_of(gw, "role"), "gateway");
    if (oui_available()) /* the IEEE registry (ieee-data) is installed */
        assert_non_null(strstr(str_of(gw, "mac_vendor"), "Cisco"));

    /* every remote address is an asset of its own, without a MAC, behind the gateway */
    for (int i = 1; i <= 5; i++) {
        char id[64], ip[32];
        snprintf(ip, sizeof ip, "203.0.113.%d", i);
        snprintf(id, sizeof id, "ip-%s", ip);
        json_t *a = find_asset(doc, id);
        assert_null(str_of(a, "mac"));
        assert_string_equal(str_of(a, "gateway_mac"), "00:00:0c:9f:00:01");
        const char *want[] = {ip};
        ips_are(a, want, 1);
        assert_int_equal(int_of(a, "packets"), 4);
        assert_int_equal(proto_packets(a, "modbus", "client"), 4);
    }

    /* the server, with its identity and protocol */
    json_t *srv = find_asset(doc, "m-001b1b000010");
    assert_string_equal(str_of(srv, "mac"), "00:1b:1b:00:00:10");
    static const char *const srv_ips[] = {"10.0.0.10"};
    ips_are(srv, srv_ips, 1);
    assert_string_equal(str_of(srv, "vendor"), "Siemens");
    assert_int_equal(int_of(srv, "packets"), 5 * 3 + 1);
    assert_int_equal(proto_packets(srv, "modbus", "server"), 15);
    assert_string_equal(str_of(srv, "first_seen"), "2026-01-01T00:00:01.000000Z");

    /* the ARP-claimed address stays with its MAC */
    json_t *plc = find_asset(doc, "m-001b1b000020");
    static const char *const plc_ips[] = {"10.0.0.20"};
    ips_are(plc, plc_ips, 1);
    assert_null(str_of(plc, "gateway_mac"));

    /* all-zero MACs are no MAC: IP-only assets, and never one "gateway" */
    for (int i = 1; i <= 4; i++) {
        char id[64];
        snprintf(id, sizeof id, "ip-10.9.9.%d", i);
        json_t *a = find_asset(doc, id);
        assert_null(str_of(a, "mac"));
        assert_null(str_of(a, "gateway_mac"));
        assert_int_equal(int_of(a, "packets"), 2);
    }
    json_t *zs = find_asset(doc, "ip-10.9.9.100");
    assert_null(str_of(zs, "mac"));
    assert_int_equal(int_of(zs, "packets"), 8);
    assert_int_equal(q_int(s, "SELECT count(*) FROM assets WHERE mac='00:00:00:00:00:00'"), 0);
    assert_int_equal(q_int(s, "SELECT count(*) FROM sightings WHERE mac='00:00:00:00:00:00'"), 0);
    json_decref(doc);

    /* merging the same facts again adds the counts; the assets stay the same */
    assert_int_equal(store_merge(s, &c, "default"), 0);
    assert_int_equal(store_rebuild_assets(s), 0);
    doc = store_assets_json(s);
    assert_int_equal(json_array_size(json_object_get(doc, "assets")), 13);
    srv = find_asset(doc, "m-001b1b000010");
    assert_int_equal(int_of(srv, "packets"), 2 * (5 * 3 + 1));
    assert_int_equal(proto_packets(srv, "modbus", "server"), 30);
    assert_int_equal(int_of(find_asset(doc, "ip-203.0.113.3"), "packets"), 8);
    assert_string_equal(str_of(find_asset(doc, "ip-203.0.113.3"), "gateway_mac"),
                        "00:00:0c:9f:00:01");
    assert_int_equal(int_of(find_asset(doc, "ip-10.9.9.100"), "packets"), 16);
    json_decref(doc);
    assert_int_equal(q_int(s, "SELECT count FROM attributes WHERE field='vendor'"), 2);

    /* conversations add up too */
    json_t *flows = store_flows_json(s);
    size_t i;
    json_t *fl;
    int modbus = 0;
    json_array_foreach(json_object_get(flows, "flows"), i, fl)
    {
        if (json_integer_value(json_object_get(fl, "port")) != 502)
            continue;
        modbus++;
        assert_int_equal(json_integer_value(json_object_get(fl, "connections")), 2);
        json_t *pk = json_object_get(fl, "packets");
        assert_int_equal(json_integer_value(json_object_get(pk, "to_server")), 8);
        assert_int_equal(json_integer_value(json_object_get(pk, "to_client")), 6);
        json_t *server = json_object_get(fl, "server");
        assert_string_equal(json_string_value(json_object_get(server, "asset")), "m-001b1b000010");
        json_t *client = json_object_get(fl, "client");
        assert_non_null(
            strstr(json_string_value(json_object_get(client, "asset")), "ip-203.0.113."));
    }
    assert_int_equal(modbus, 5);
    json_decref(flows);

    collector_free(&c);
    store_close(s);
}

/* two MACs: fewer than three unclaimed addresses behind a MAC is not a router */
static void few_addresses_behind_a_mac_is_not_a_gateway(void **st)
{
    (void)st;
    struct store *s = open_ok(true);
    struct collector c;
    collector_init(&c);
    struct host server = {SERVER, "10.0.0.10"};
    flow_done(&c, (struct host){PLC, "10.0.0.20"}, server, 502, PROTO_MODBUS, 1, 1, T0, 0);
    flow_done(&c, (struct host){PLC, "10.0.0.21"}, server, 502, PROTO_MODBUS, 1, 1, T0, 0);
    assert_int_equal(store_merge(s, &c, "default"), 0);
    assert_int_equal(store_rebuild_assets(s), 0);
    json_t *doc = store_assets_json(s);
    assert_int_equal(json_array_size(json_object_get(doc, "assets")), 2);
    json_t *plc = find_asset(doc, "m-001b1b000020");
    static const char *const ips[] = {"10.0.0.20", "10.0.0.21"};
    ips_are(plc, ips, 2);
    assert_int_not_equal(strcmp(str_of(plc, "role"), "gateway"), 0);
    json_decref(doc);

    /* a third address makes it a gateway on the next rebuild: earlier conclusions change */
    collector_reset(&c);
    flow_done(&c, (struct host){PLC, "10.0.0.22"}, server, 502, PROTO_MODBUS, 1, 1, T0, 0);
    assert_int_equal(store_merge(s, &c, "default"), 0);
    assert_int_equal(store_rebuild_assets(s), 0);
    doc = store_assets_json(s);
    for (int i = 20; i <= 22; i++) {
        char id[32];
        snprintf(id, sizeof id, "ip-10.0.0.%d", i);
        json_t *a = find_asset(doc, id);
        assert_string_equal(str_of(a, "gateway_mac"), "00:1b:1b:00:00:20");
        assert_null(str_of(a, "mac"));
    }
    assert_int_equal(q_int(s, "SELECT count(*) FROM asset_ips WHERE asset_id='m-001b1b000020'"), 0);
    json_decref(doc);
    collector_free(&c);
    store_close(s);
}

/* A router seen only forwarding (no ARP, no frame without an IP: a SPAN of routed traffic) must
 * still be one gateway asset (derive.c: "it is one gateway asset"), so that the gateway_mac of
 * the remote assets names an asset. */
static void gateway_without_an_address_of_its_own_is_an_asset(void **st)
{
    (void)st;
    struct store *s = open_ok(true);
    struct collector c;
    collector_init(&c);
    struct host server = {SERVER, "10.0.0.10"};
    for (int i = 1; i <= 5; i++) {
        char ip[32];
        snprintf(ip, sizeof ip, "203.0.113.%d", i);
        flow_done(&c, (struct host){ROUTER, ip}, server, 502, PROTO_MODBUS, 4, 3, T0, 0);
    }
    assert_int_equal(store_merge(s, &c, "default"), 0);
    assert_int_equal(store_rebuild_assets(s), 0);
    json_t *doc = store_assets_json(s);
    assert_int_equal(json_array_size(json_object_get(doc, "assets")), 7);
    json_t *gw = find_asset(doc, "m-00000c9f0001");
    assert_string_equal(str_of(gw, "role"), "gateway");
    json_decref(doc);
    collector_free(&c);
    store_close(s);
}

#define T_(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T_(new_file_gets_the_schema_in_wal_mode),
        T_(reopening_keeps_data_and_version),
        T_(missing_file_without_create_fails),
        T_(newer_schema_is_refused),
        T_(not_a_database_is_refused),
        T_(merged_plant_gives_the_expected_assets),
        T_(few_addresses_behind_a_mac_is_not_a_gateway),
        T_(gateway_without_an_address_of_its_own_is_an_asset),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
