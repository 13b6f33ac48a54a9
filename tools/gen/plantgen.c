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
        opcua, broker, sensor, router, corp_pc, internet, sw, hist;
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
    p->hist = host(0x001422, 0x6e0140, 10, 30, 1, 40, 0); /* the process historian */
    p->sw = host(0x008063, 0x2a0002, 10, 10, 1, 2, 10); /* Hirschmann managed switch */
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
    gen_scn_opcua(g, &p->bms, &p->opcua, (variant + 1) % 4, ops); /* Beckhoff */
    gen_scn_mqtt(g, &p->sensor, &p->broker, variant, ops);
}

/* the IT side: router ARP, infrastructure protocols, and the paths that break segmentation:
 * office PCs reaching the OPC UA server (allowed in docs/policy-example.yaml), an office
 * laptop talking S7 straight to a cell PLC, and an internet host reaching the OPC UA server */
static void plant_it(struct gen *g, const struct plant *p)
{
    static const uint8_t any[4] = {10, 30, 1, 1};
    gen_arp(g, &p->router, any, true);
    struct gen_host office = p->corp_pc, office2 = p->corp_pc, laptop = p->corp_pc;
    office2.ip[3] = 26;
    laptop.ip[3] = 77;
    struct gen_host froms[3] = {office, p->internet, office2};
    for (int i = 0; i < 3; i++) {
        struct gen_tcp s;
        gen_tcp_open(g, &s, &froms[i], (uint16_t)(40000 + i), &p->opcua, 4840);
        gen_tcp_close(g, &s);
    }
    gen_scn_s7comm(g, &laptop, &p->s7, 0, 0);
    /* the historian announces itself (NetBIOS browser comment "PI historian"), collects from
     * the OPC UA server, and office users read trends from it (PI, tcp 5450) */
    gen_scn_nbns(g, &p->hist, &p->hist, 2, 0);
    struct gen_tcp hs;
    gen_tcp_open(g, &hs, &p->hist, 41000, &p->opcua, 4840);
    gen_tcp_close(g, &hs);
    gen_tcp_open(g, &hs, &office2, 41001, &p->hist, 5450);
    gen_tcp_close(g, &hs);
    /* infrastructure: a managed switch, DHCP, DNS, SNMP polling, remote administration */
    gen_scn_lldp(g, &p->sw, &p->sw, 0, 0);
    gen_scn_cdp(g, &p->sw, &p->sw, 0, 0);
    gen_scn_snmp(g, &p->scada, &p->sw, 0, 0);
    gen_scn_telnet(g, &p->ews, &p->sw, 0, 0);
    gen_scn_dhcp(g, &p->hmi, &p->router, 0, 0);
    gen_scn_dns(g, &p->ews, &p->router, 0, 0);
    gen_scn_nbns(g, &p->hmi, &p->hmi, 0, 0);
    gen_scn_http(g, &p->hmi, &p->modbus, 0, 0);
    gen_scn_ssh(g, &p->scada, &p->rtu_dnp3, 0, 0);
    gen_scn_tls(g, &office, &p->opcua, 0, 0);
    gen_scn_ftp(g, &p->ews, &p->enip, 0, 0);
    gen_scn_vnc(g, &p->ews, &p->hmi, 0, 0);
    gen_scn_rdp(g, &office, &p->ews, 0, 0);
    gen_scn_smb(g, &p->ews, &p->scada, 0, 0);
}

/* ---- the core scenario: frames the session helpers cannot write (QinQ, IPv6 with extension
 * headers, IP fragments, ICMP) are built here byte by byte and written with gen_raw().  All
 * checksums are computed, so that tshark accepts every frame. ---- */

static uint32_t core_sum(uint32_t sum, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i + 1 < n; i += 2)
        sum += (uint32_t)(p[i] << 8 | p[i + 1]);
    if (n & 1)
        sum += (uint32_t)(p[n - 1] << 8);
    return sum;
}

static uint16_t core_fold(uint32_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

static void core_put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

/* Ethernet header with up to two tags, given as (TPID, VLAN id) pairs; returns its length */
static size_t core_eth(uint8_t *f, const uint8_t dst[6], const uint8_t src[6],
                       const uint16_t tags[][2], int ntags, uint16_t type)
{
    size_t o = 12;
    memcpy(f, dst, 6);
    memcpy(f + 6, src, 6);
    for (int i = 0; i < ntags; i++) {
        core_put16(f + o, tags[i][0]);
        core_put16(f + o + 2, tags[i][1]);
        o += 4;
    }
    core_put16(f + o, type);
    return o + 2;
}

/* an IPv4 packet in f at o: header (checksummed) + body; 'frag' is flags|offset/8 as on the
 * wire; the body's L4 checksum, if any, is the caller's.  Writes the frame, padded to 60. */
static void core_ipv4(struct gen *g, uint8_t *f, size_t o, const struct gen_host *src,
                      const struct gen_host *dst, uint8_t proto, uint16_t id, uint16_t frag,
                      const uint8_t *body, size_t n)
{
    uint8_t *h = f + o;
    memset(h, 0, 20);
    h[0] = 0x45;
    core_put16(h + 2, (uint16_t)(20 + n));
    core_put16(h + 4, id);
    core_put16(h + 6, frag);
    h[8] = 64;
    h[9] = proto;
    memcpy(h + 12, src->ip, 4);
    memcpy(h + 16, dst->ip, 4);
    core_put16(h + 10, core_fold(core_sum(0, h, 20)));
    memcpy(h + 20, body, n);
    size_t len = o + 20 + n;
    while (len < 60)
        f[len++] = 0;
    gen_raw(g, f, len);
}

/* the TCP/UDP checksum over the IPv4 pseudo-header and l4[0..n), stored at l4[at] */
static void core_csum4(const struct gen_host *src, const struct gen_host *dst, uint8_t proto,
                       uint8_t *l4, size_t n, size_t at)
{
    uint8_t ph[12] = {0};
    memcpy(ph, src->ip, 4);
    memcpy(ph + 4, dst->ip, 4);
    ph[9] = proto;
    core_put16(ph + 10, (uint16_t)n);
    l4[at] = l4[at + 1] = 0;
    uint16_t c = core_fold(core_sum(core_sum(0, ph, 12), l4, n));
    core_put16(l4 + at, proto == 17 && c == 0 ? 0xffff : c);
}

static size_t core_udp(uint8_t *u, uint16_t sport, uint16_t dport, const void *data, size_t n)
{
    core_put16(u, sport);
    core_put16(u + 2, dport);
    core_put16(u + 4, (uint16_t)(8 + n));
    core_put16(u + 6, 0);
    memcpy(u + 8, data, n);
    return 8 + n;
}

/* IPv6 hosts, and one TCP connection between them with a hop-by-hop header in every packet */
struct core_host6 {
    uint8_t mac[6];
    uint8_t ip[16];
};

struct core_tcp6 {
    const struct core_host6 *h[2]; /* client, server */
    uint16_t port[2];
    uint32_t seq[2];
};

static void core_tcp6_segment(struct gen *g, struct core_tcp6 *s, int dir, uint8_t flags,
                              const void *data, size_t n)
{
    static uint8_t f[2048];
    const struct core_host6 *src = s->h[dir], *dst = s->h[1 - dir];
    size_t o = core_eth(f, dst->mac, src->mac, NULL, 0, 0x86dd);
    uint8_t *ip6 = f + o;
    uint8_t *hbh = ip6 + 40, *tcp = hbh + 8;
    size_t tcplen = 20 + n;
    memset(ip6, 0, 40);
    ip6[0] = 0x60;
    core_put16(ip6 + 4, (uint16_t)(8 + tcplen));
    ip6[6] = 0; /* next header: hop-by-hop options (RFC 8200 §4.3) */
    ip6[7] = 64;
    memcpy(ip6 + 8, src->ip, 16);
    memcpy(ip6 + 24, dst->ip, 16);
    /* hop-by-hop: next header TCP, length 0 (8 bytes), one PadN option of 4 bytes */
    static const uint8_t opts[8] = {6, 0, 1, 4, 0, 0, 0, 0};
    memcpy(hbh, opts, 8);
    uint32_t seq = s->seq[dir], ack = (flags & 0x10) ? s->seq[1 - dir] : 0;
    memset(tcp, 0, 20);
    core_put16(tcp, s->port[dir]);
    core_put16(tcp + 2, s->port[1 - dir]);
    core_put16(tcp + 4, (uint16_t)(seq >> 16));
    core_put16(tcp + 6, (uint16_t)seq);
    core_put16(tcp + 8, (uint16_t)(ack >> 16));
    core_put16(tcp + 10, (uint16_t)ack);
    tcp[12] = 0x50;
    tcp[13] = flags;
    core_put16(tcp + 14, 0xfaf0);
    if (n)
        memcpy(tcp + 20, data, n);
    /* checksum over the RFC 8200 §8.1 pseudo-header: the upper-layer length excludes the
     * extension headers */
    uint8_t ph[40] = {0};
    memcpy(ph, src->ip, 16);
    memcpy(ph + 16, dst->ip, 16);
    ph[34] = (uint8_t)(tcplen >> 8);
    ph[35] = (uint8_t)tcplen;
    ph[39] = 6;
    core_put16(tcp + 16, core_fold(core_sum(core_sum(0, ph, 40), tcp, tcplen)));
    gen_raw(g, f, o + 40 + 8 + tcplen);
    s->seq[dir] += (uint32_t)n + ((flags & 0x03) ? 1 : 0);
}

/* core decoding: ARP, VLANs and QinQ, TCP sessions, IPv6 with a hop-by-hop header, IPv4
 * fragments out of order, ICMP, a router carrying remote addresses.  Each part is what a
 * decoder test or a golden assertion looks for; see tests/unit/test_decode.c. */
static void core_scenario(struct gen *g)
{
    static uint8_t f[2048];
    const int64_t ms = 1000000;

    /* 1. ARP on VLAN 100: a asks for b, b answers and so claims 192.168.0.20 */
    struct gen_host a = host(0x001b1b, 0x000001, 192, 168, 0, 10, 100);
    struct gen_host b = host(0x001422, 0x000002, 192, 168, 0, 20, 100);
    static const uint8_t tip[4] = {192, 168, 0, 20};
    gen_arp(g, &a, tip, false);
    gen_arp(g, &b, a.ip, true);
    gen_advance(g, ms);

    /* 2. an HTTP request and response, b -> a:8080, on VLAN 100 */
    struct gen_tcp s;
    gen_tcp_open(g, &s, &b, 50000, &a, 8080);
    static const char req[] = "GET / HTTP/1.1\r\nHost: plc\r\n\r\n";
    static const char resp[] = "HTTP/1.1 200 OK\r\nServer: PLC-Web/1.0\r\n"
                               "Content-Type: text/plain\r\nContent-Length: 2\r\n\r\nok";
    gen_tcp_send(g, &s, 0, req, sizeof req - 1);
    gen_tcp_send(g, &s, 1, resp, sizeof resp - 1);
    gen_tcp_close(g, &s);
    gen_advance(g, ms);

    /* 3. QinQ: service tag 200 (802.1ad) outside customer tag 100, a syslog datagram */
    struct gen_host c = host(0x001d9c, 0x00000c, 10, 1, 1, 1, 0);
    struct gen_host d = host(0x0080f4, 0x00000d, 10, 1, 1, 2, 0);
    {
        static const uint16_t tags[2][2] = {{0x88a8, 200}, {0x8100, 100}};
        static const char msg[] = "<134>plc1: frame through a QinQ provider bridge";
        uint8_t u[128];
        size_t n = core_udp(u, 514, 514, msg, sizeof msg - 1);
        core_csum4(&c, &d, 17, u, n, 6);
        size_t o = core_eth(f, d.mac, c.mac, tags, 2, 0x0800);
        core_ipv4(g, f, o, &c, &d, 17, 0x0101, 0x4000, u, n);
    }
    gen_advance(g, ms);

    /* 4. IPv6 TCP session fd00::10 -> [fd00::20]:80, hop-by-hop header in every packet */
    {
        static const struct core_host6 e = {{0x00, 0x1b, 0x1b, 0x00, 0x00, 0x0a},
                                            {0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10}};
        static const struct core_host6 h = {{0x00, 0x14, 0x22, 0x00, 0x00, 0x0b},
                                            {0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x20}};
        struct core_tcp6 t = {{&e, &h}, {50001, 80}, {0x10000000u, 0x20000000u}};
        static const char req6[] = "GET /v6 HTTP/1.1\r\nHost: [fd00::20]\r\n\r\n";
        static const char resp6[] = "HTTP/1.1 204 No Content\r\n\r\n";
        core_tcp6_segment(g, &t, 0, 0x02, NULL, 0);
        core_tcp6_segment(g, &t, 1, 0x12, NULL, 0);
        core_tcp6_segment(g, &t, 0, 0x10, NULL, 0);
        core_tcp6_segment(g, &t, 0, 0x18, req6, sizeof req6 - 1);
        core_tcp6_segment(g, &t, 1, 0x18, resp6, sizeof resp6 - 1);
        core_tcp6_segment(g, &t, 0, 0x11, NULL, 0);
        core_tcp6_segment(g, &t, 1, 0x11, NULL, 0);
        core_tcp6_segment(g, &t, 0, 0x10, NULL, 0);
    }
    gen_advance(g, ms);

    /* 5. one UDP datagram (8 + 1200 bytes) in three IPv4 fragments, sent 2nd, 3rd, 1st */
    {
        static uint8_t dg[8 + 1200];
        char text[1201];
        int k = snprintf(text, sizeof text, "<134>historian: ");
        for (size_t i = (size_t)k; i < 1200; i++)
            text[i] = (char)('A' + i % 26);
        size_t n = core_udp(dg, 514, 514, text, 1200);
        core_csum4(&c, &d, 17, dg, n, 6);
        static const uint16_t off[3] = {0, 512, 1024}; /* bytes; multiples of 8 */
        static const int order[3] = {1, 2, 0};
        for (int i = 0; i < 3; i++) {
            int j = order[i];
            size_t len = j < 2 ? 512 : n - off[j];
            uint16_t frag = (uint16_t)((j < 2 ? 0x2000 : 0) | off[j] / 8);
            size_t o = core_eth(f, d.mac, c.mac, NULL, 0, 0x0800);
            core_ipv4(g, f, o, &c, &d, 17, 0x4242, frag, dg + off[j], len);
        }
    }
    gen_advance(g, ms);

    /* 6. ICMP echo request and reply (RFC 792), c <-> d */
    for (int dir = 0; dir < 2; dir++) {
        static const char data[] = "abcdefghijklmnopqrstuvwabcdefghi";
        uint8_t icmp[64];
        icmp[0] = dir ? 0 : 8; /* echo reply / echo request */
        icmp[1] = 0;
        core_put16(icmp + 2, 0);
        core_put16(icmp + 4, 0x0001); /* identifier */
        core_put16(icmp + 6, 0x0001); /* sequence */
        memcpy(icmp + 8, data, sizeof data - 1);
        size_t n = 8 + sizeof data - 1;
        core_put16(icmp + 2, core_fold(core_sum(0, icmp, n)));
        const struct gen_host *src = dir ? &d : &c, *dst = dir ? &c : &d;
        size_t o = core_eth(f, dst->mac, src->mac, NULL, 0, 0x0800);
        core_ipv4(g, f, o, src, dst, 1, (uint16_t)(0x0200 + dir), 0, icmp, n);
    }
    gen_advance(g, ms);

    /* 7. a router (Cisco MAC) in front of five remote addresses talking to a local server */
    struct gen_host web = host(0x001b1b, 0x000032, 10, 1, 1, 50, 0);
    for (uint8_t i = 1; i <= 5; i++) {
        struct gen_host remote = host(0x00000c, 0x9f0001, 203, 0, 113, i, 0);
        struct gen_tcp r;
        gen_tcp_open(g, &r, &remote, (uint16_t)(41000 + i), &web, 80);
        static const char get[] = "GET /status HTTP/1.1\r\nHost: 10.1.1.50\r\n\r\n";
        gen_tcp_send(g, &r, 0, get, sizeof get - 1);
        gen_tcp_close(g, &r);
    }
    gen_advance(g, ms);

    /* 8. a host known first by its ARP claim (gratuitous ARP), then talking */
    struct gen_host plc = host(0x001b1b, 0x000040, 10, 1, 1, 64, 0);
    gen_arp(g, &plc, plc.ip, true);
    gen_udp(g, &plc, 514, &d, 514, "<13>plc64: up", 13);
}

static int usage(void)
{
    fprintf(stderr,
            "usage: plantgen -o FILE (--scenario NAME | --core | --plant | --bench PACKETS |"
            " --flows N [--hosts N]) [--seed N] [--variant N] [--ops N] [--ns]\n"
            "scenarios: modbus s7comm enip profinet_dcp bacnet opcua dnp3 iec104 mqtt dhcp dns nbns"
            " goose"
            " lldp cdp snmp http tls ssh telnet ftp vnc rdp smb mms fins slmp\n");
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
