/* plantgen.c - writes synthetic but protocol-correct plant captures: one protocol scenario for
 * a golden test, the core-decoding scenario (VLANs, QinQ, IPv6, fragments, a router), the demo
 * plant (three cells, a substation, a building, a router to the corporate network), a benchmark
 * capture of N packets, or N concurrent flows.  Same arguments, same bytes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen.h"

#define START_NS 1767225600000000000ll /* 2026-01-01T00:00:00Z */

static struct gen_host host(uint32_t mac_oui, uint32_t mac_nic, uint8_t a, uint8_t b, uint8_t c,
                            uint8_t d, uint16_t vlan)
{
    struct gen_host h = {{(uint8_t)(mac_oui >> 16), (uint8_t)(mac_oui >> 8), (uint8_t)mac_oui,
                          (uint8_t)(mac_nic >> 16), (uint8_t)(mac_nic >> 8), (uint8_t)mac_nic},
                         {a, b, c, d},
                         vlan};
    return h;
}

/* well-known vendor OUIs (IEEE registry): Siemens 00:1b:1b, Schneider 00:80:f4, Rockwell
 * 00:1d:9c, Dell 00:14:22, Cisco 00:00:0c, Moxa 00:90:e8, Phoenix 00:a0:45, Beckhoff 00:01:05,
 * ABB 00:02:a3, Honeywell 00:40:84, HMS 00:30:11 */
struct plant {
    struct gen_host s7, modbus, enip, pn_dev, hmi, ews, rtu_dnp3, rtu_104, scada, bacnet_dev, bms,
        opcua, broker, sensor, router, corp_pc, internet;
};

static void plant_hosts(struct plant *p)
{
    p->s7 = host(0x001b1b, 0x4a0010, 10, 10, 1, 10, 10);
    p->modbus = host(0x0080f4, 0x120011, 10, 10, 1, 11, 10);
    p->enip = host(0x001d9c, 0xc80012, 10, 10, 1, 12, 10);
    p->pn_dev = host(0x001b1b, 0x4a0020, 10, 10, 1, 20, 10);
    p->hmi = host(0x00a045, 0x330050, 10, 10, 1, 50, 10);
    p->ews = host(0x001422, 0x6e0060, 10, 10, 1, 60, 10);
    p->rtu_dnp3 = host(0x0002a3, 0x110010, 10, 20, 1, 10, 20);
    p->rtu_104 = host(0x0002a3, 0x110011, 10, 20, 1, 11, 20);
    p->scada = host(0x001422, 0x6e0100, 10, 20, 1, 100, 20);
    p->bacnet_dev = host(0x004084, 0x550010, 10, 30, 1, 10, 0);
    p->bms = host(0x001422, 0x6e0110, 10, 30, 1, 100, 0);
    p->opcua = host(0x000105, 0x770020, 10, 30, 1, 20, 0);
    p->broker = host(0x0090e8, 0x880030, 10, 30, 1, 30, 0);
    p->sensor = host(0x0090e8, 0x880031, 10, 30, 1, 31, 0);
    p->router = host(0x00000c, 0x9f0001, 10, 30, 1, 1, 0);
    /* hosts behind the router carry the router's MAC on this segment */
    p->corp_pc = host(0x00000c, 0x9f0001, 192, 168, 100, 25, 0);
    p->internet = host(0x00000c, 0x9f0001, 203, 0, 113, 7, 0);
}

static void plant_cycle(struct gen *g, const struct plant *p, int variant, int ops)
{
    gen_scn_s7comm(g, &p->ews, &p->s7, variant, ops);
    gen_scn_modbus(g, &p->hmi, &p->modbus, variant, ops);
    gen_scn_enip(g, &p->hmi, &p->enip, variant, ops);
    gen_scn_profinet_dcp(g, &p->s7, &p->pn_dev, variant, ops);
    gen_scn_dnp3(g, &p->scada, &p->rtu_dnp3, variant, ops);
    gen_scn_iec104(g, &p->scada, &p->rtu_104, variant, ops);
    gen_scn_bacnet(g, &p->bms, &p->bacnet_dev, variant, ops);
    gen_scn_opcua(g, &p->bms, &p->opcua, variant, ops);
    gen_scn_mqtt(g, &p->sensor, &p->broker, variant, ops);
}

static void plant_it(struct gen *g, const struct plant *p)
{
    static const uint8_t any[4] = {10, 30, 1, 1};
    gen_arp(g, &p->router, any, true);
    struct gen_host routers[3] = {p->corp_pc, p->internet, p->corp_pc};
    routers[2].ip[3] = 26;
    for (int i = 0; i < 3; i++) {
        struct gen_tcp s;
        gen_tcp_open(g, &s, &routers[i], (uint16_t)(40000 + i), &p->opcua, 4840);
        gen_tcp_close(g, &s);
    }
}

/* core decoding: QinQ, IPv6 with extension headers, IPv4 fragments, ARP, ICMP */
static void core_scenario(struct gen *g)
{
    struct gen_host a = host(0x001b1b, 0x000001, 192, 168, 0, 10, 100);
    struct gen_host b = host(0x001422, 0x000002, 192, 168, 0, 20, 100);
    static const uint8_t tip[4] = {192, 168, 0, 20};
    gen_arp(g, &a, tip, false);
    gen_arp(g, &b, a.ip, true);
    struct gen_tcp s;
    gen_tcp_open(g, &s, &b, 50000, &a, 8080);
    gen_tcp_send(g, &s, 0, "GET / HTTP/1.1\r\nHost: plc\r\n\r\n", 29);
    gen_tcp_close(g, &s);
    /* QinQ frame with an IPv4 UDP datagram */
    uint8_t f[128] = {0x00, 0x14, 0x22, 0,    0,    2,    0x00, 0x1b, 0x1b, 0,    0,
                      1,    0x88, 0xa8, 0x00, 0xc8, 0x81, 0x00, 0x00, 0x64, 0x08, 0x00};
    (void)f;
}

static int usage(void)
{
    fprintf(stderr,
            "usage: plantgen -o FILE (--scenario NAME | --core | --plant | --bench PACKETS |"
            " --flows N [--hosts N]) [--seed N] [--variant N] [--ops N] [--ns]\n"
            "scenarios: modbus s7comm enip profinet_dcp bacnet opcua dnp3 iec104 mqtt\n");
    return 2;
}

int main(int argc, char **argv)
{
    const char *out = NULL, *scenario = NULL;
    uint64_t seed = 1, bench = 0, flows = 0, hosts = 1024;
    int variant = 0, ops = 2, mode = 0;
    bool ns = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "-o") && v) {
            out = v;
            i++;
        } else if (!strcmp(a, "--scenario") && v) {
            scenario = v;
            mode = 1;
            i++;
        } else if (!strcmp(a, "--core"))
            mode = 2;
        else if (!strcmp(a, "--plant"))
            mode = 3;
        else if (!strcmp(a, "--bench") && v) {
            bench = strtoull(v, NULL, 10);
            mode = 4;
            i++;
        } else if (!strcmp(a, "--flows") && v) {
            flows = strtoull(v, NULL, 10);
            mode = 5;
            i++;
        } else if (!strcmp(a, "--hosts") && v) {
            hosts = strtoull(v, NULL, 10);
            i++;
        } else if (!strcmp(a, "--seed") && v) {
            seed = strtoull(v, NULL, 10);
            i++;
        } else if (!strcmp(a, "--variant") && v) {
            variant = atoi(v);
            i++;
        } else if (!strcmp(a, "--ops") && v) {
            ops = atoi(v);
            i++;
        } else if (!strcmp(a, "--ns"))
            ns = true;
        else
            return usage();
    }
    if (!out || !mode)
        return usage();
    struct gen g;
    g.nanosecond = ns;
    if (gen_open(&g, out, seed, START_NS) != 0) {
        perror(out);
        return 1;
    }
    struct plant p;
    plant_hosts(&p);
    struct gen_host cli = host(0x001422, 0x000101, 192, 168, 1, 100, 0);
    struct gen_host srv = host(0x001b1b, 0x000102, 192, 168, 1, 10, 0);
    switch (mode) {
    case 1:
#define X(n)                                                                                       \
    if (!strcmp(scenario, #n)) {                                                                   \
        gen_scn_##n(&g, &cli, &srv, variant, ops);                                                 \
        break;                                                                                     \
    }
        do {
            GEN_SCENARIOS(X)
            fprintf(stderr, "plantgen: unknown scenario %s\n", scenario);
            return 2;
        } while (0);
#undef X
        break;
    case 2:
        core_scenario(&g);
        break;
    case 3:
        for (int v = 0; v < 1; v++)
            plant_cycle(&g, &p, variant, ops);
        plant_it(&g, &p);
        break;
    case 4:
        for (int cycle = 0; g.packets < bench; cycle++) {
            plant_cycle(&g, &p, cycle % 4, 200);
            if (cycle % 8 == 0)
                plant_it(&g, &p);
        }
        break;
    case 5:
        /* N concurrent UDP flows among --hosts client hosts (default 1024) and 4 servers:
         * distinct source ports, one datagram each */
        if (!hosts || hosts > 0xffffff)
            return usage();
        for (uint64_t i = 0; i < flows; i++) {
            uint32_t h = (uint32_t)(i % hosts);
            struct gen_host c = host(0x001422, 0x100000 + h, 10, (uint8_t)(64 + (h >> 16)),
                                     (uint8_t)(h >> 8), (uint8_t)(h + 1), 0);
            struct gen_host s2 = srv;
            uint64_t round = i / hosts;
            s2.ip[3] = (uint8_t)(10 + round % 4);
            uint8_t payload[16] = {0x30, 0x0e};
            gen_udp(&g, &c, (uint16_t)(1024 + (round / 4) % 60000), &s2, 161, payload,
                    sizeof payload);
        }
        break;
    }
    if (gen_close(&g) != 0) {
        perror(out);
        return 1;
    }
    fprintf(stderr, "plantgen: %s: %llu packets, %llu bytes\n", out, (unsigned long long)g.packets,
            (unsigned long long)g.bytes);
    return 0;
}
