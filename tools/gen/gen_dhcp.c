/* gen_dhcp.c - a DHCPv4 lease (RFC 2131 DISCOVER/OFFER/REQUEST/ACK, broadcast while the client
 * has no address) between a plant host (cli) and a DHCP server (srv), with the client's host
 * name, vendor class, client id, FQDN and its stack's parameter request list; Windows variants
 * also solicit over DHCPv6 (RFC 8415, link-local to ff02::1:2).  'ops' adds unicast renewals. */
#include <string.h>

#include "gen.h"

#define DHCP_SERVER_PORT  67
#define DHCP_CLIENT_PORT  68
#define DHCP6_CLIENT_PORT 546
#define DHCP6_SERVER_PORT 547

struct dhcp_client_id {
    const char *hostname, *vendor_class, *fqdn_domain;
    uint8_t prl[24];
    uint8_t nprl;
    bool dhcpv6;
};

/* parameter request lists as these stacks send them (fingerbank lists the same) */
static const struct dhcp_client_id dhcp_clients[] = {
    {"HMI-LINE1",
     "MSFT 5.0",
     "plant.local",
     {1, 3, 6, 15, 31, 33, 43, 44, 46, 47, 119, 121, 249, 252},
     14,
     true},
    {"ipc127e-edge01",
     "dhcpcd-9.4.1:Linux-5.10.0-cip:x86_64:GenuineIntel",
     NULL,
     {1, 121, 33, 3, 6, 12, 15, 26, 28, 42, 51, 54, 58, 59, 119},
     15,
     false},
    {"nport5150-0345", "udhcp 1.31.1", NULL, {1, 3, 6, 12, 15, 28, 42}, 7, false},
    {"EWS-TIA01",
     "MSFT 5.0",
     "eng.plant.local",
     {1, 3, 6, 15, 31, 33, 43, 44, 46, 47, 119, 121, 249, 252},
     14,
     true},
};

enum { DISCOVER = 1, OFFER = 2, REQUEST = 3, ACK = 5 };

static const uint8_t bcast_mac[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

/* RFC 2131 §2 fixed header and the magic cookie */
static void bootp(struct gen_buf *b, uint8_t op, uint32_t xid, const uint8_t ciaddr[4],
                  const uint8_t yiaddr[4], const uint8_t chaddr[6], bool broadcast)
{
    static const uint8_t zero4[4];
    b->n = 0;
    gb_u8(b, op);
    gb_u8(b, 1);
    gb_u8(b, 6);
    gb_u8(b, 0);
    gb_be32(b, xid);
    gb_be16(b, op == 1 ? 3 : 0);
    gb_be16(b, broadcast ? 0x8000 : 0);
    gb_bytes(b, ciaddr ? ciaddr : zero4, 4);
    gb_bytes(b, yiaddr ? yiaddr : zero4, 4);
    gb_pad(b, 0, 8); /* siaddr, giaddr */
    gb_bytes(b, chaddr, 6);
    gb_pad(b, 0, 10 + 64 + 128);
    gb_be32(b, 0x63825363);
}

static void opt(struct gen_buf *b, uint8_t code, const void *v, size_t n)
{
    gb_u8(b, code);
    gb_u8(b, (uint8_t)n);
    gb_bytes(b, v, n);
}
static void opt_str(struct gen_buf *b, uint8_t code, const char *s)
{
    opt(b, code, s, strlen(s));
}
static void opt_ip(struct gen_buf *b, uint8_t code, const uint8_t ip[4])
{
    opt(b, code, ip, 4);
}

/* host.domain as RFC 1035 labels with the root; returns the length */
static size_t wire_name(uint8_t *out, const char *host, const char *domain)
{
    size_t n = 0;
    const char *parts[2] = {host, domain};
    for (int k = 0; k < 2 && parts[k]; k++) {
        const char *d = parts[k];
        while (*d) {
            const char *dot = strchr(d, '.');
            size_t l = dot ? (size_t)(dot - d) : strlen(d);
            out[n++] = (uint8_t)l;
            memcpy(out + n, d, l);
            n += l;
            d += l + (dot ? 1 : 0);
        }
    }
    out[n++] = 0;
    return n;
}

/* the client's own options: type, client id, requested address, host name, FQDN, vendor class,
 * parameter request list */
static void client_opts(struct gen_buf *b, const struct dhcp_client_id *id, uint8_t type,
                        const uint8_t mac[6], const uint8_t *req_ip)
{
    opt(b, 53, &type, 1);
    uint8_t cid[7] = {1};
    memcpy(cid + 1, mac, 6);
    opt(b, 61, cid, sizeof cid);
    if (req_ip)
        opt_ip(b, 50, req_ip);
    opt_str(b, 12, id->hostname);
    if (id->fqdn_domain) {
        /* RFC 4702: flags S|E, rcodes, wire-format name */
        uint8_t f[128] = {0x05, 0, 0};
        opt(b, 81, f, 3 + wire_name(f + 3, id->hostname, id->fqdn_domain));
    }
    opt_str(b, 60, id->vendor_class);
    opt(b, 55, id->prl, id->nprl);
    gb_u8(b, 255);
}

static void server_opts(struct gen_buf *b, uint8_t type, const struct gen_host *srv)
{
    static const uint8_t mask[4] = {255, 255, 255, 0};
    uint8_t router[4];
    memcpy(router, srv->ip, 4);
    router[3] = 1;
    opt(b, 53, &type, 1);
    opt_ip(b, 54, srv->ip);
    opt(b, 51, (const uint8_t[]){0, 1, 0x51, 0x80}, 4); /* 86400 s */
    opt(b, 58, (const uint8_t[]){0, 0, 0xa8, 0xc0}, 4);
    opt_ip(b, 1, mask);
    opt_ip(b, 3, router);
    opt_ip(b, 6, srv->ip);
    opt_str(b, 15, "plant.local");
    gb_u8(b, 255);
}

static void send4(struct gen *g, struct gen_buf *b, const struct gen_host *src, uint16_t sport,
                  const struct gen_host *dst, uint16_t dport)
{
    gb_pad(b, 0, b->n < 300 ? 300 - b->n : 0); /* BOOTP minimum message size */
    gen_udp(g, src, sport, dst, dport, b->b, b->n);
    gen_advance(g, 1000000 + (int64_t)gen_range(g, 4000000));
}

/* ---- DHCPv6 over a hand-built IPv6 frame (gen.c writes IPv4 only) ---- */

static uint32_t sum16(uint32_t s, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i + 1 < n; i += 2)
        s += (uint32_t)(p[i] << 8 | p[i + 1]);
    if (n & 1)
        s += (uint32_t)p[n - 1] << 8;
    return s;
}

static void link_local(const uint8_t mac[6], uint8_t ip[16])
{
    memset(ip, 0, 16);
    ip[0] = 0xfe;
    ip[1] = 0x80;
    ip[8] = mac[0] ^ 0x02; /* modified EUI-64, RFC 4291 Appendix A */
    ip[9] = mac[1];
    ip[10] = mac[2];
    ip[11] = 0xff;
    ip[12] = 0xfe;
    ip[13] = mac[3];
    ip[14] = mac[4];
    ip[15] = mac[5];
}

static void udp6(struct gen *g, const struct gen_host *src, const uint8_t dst_mac[6],
                 const uint8_t sip[16], const uint8_t dip[16], uint16_t sport, uint16_t dport,
                 const struct gen_buf *payload)
{
    struct gen_buf f = {.n = 0};
    uint16_t ulen = (uint16_t)(8 + payload->n);
    gb_be32(&f, 0x60000000);
    gb_be16(&f, ulen);
    gb_u8(&f, 17);
    gb_u8(&f, 1); /* hop limit 1: link-local multicast */
    gb_bytes(&f, sip, 16);
    gb_bytes(&f, dip, 16);
    size_t udp_at = f.n;
    gb_be16(&f, sport);
    gb_be16(&f, dport);
    gb_be16(&f, ulen);
    gb_be16(&f, 0);
    gb_bytes(&f, payload->b, payload->n);
    uint32_t s = sum16(0, sip, 16);
    s = sum16(s, dip, 16);
    s += ulen + 17u;
    s = sum16(s, f.b + udp_at, ulen);
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    uint16_t c = (uint16_t)~s;
    gb_put_be16(&f, udp_at + 6, c ? c : 0xffff);
    gen_l2(g, src, dst_mac, 0x86dd, f.b, f.n);
    gen_advance(g, 1000000 + (int64_t)gen_range(g, 4000000));
}

static void opt6(struct gen_buf *b, uint16_t code, const void *v, size_t n)
{
    gb_be16(b, code);
    gb_be16(b, (uint16_t)n);
    gb_bytes(b, v, n);
}

static void dhcpv6_solicit(struct gen *g, const struct gen_host *cli, const struct gen_host *srv,
                           const struct dhcp_client_id *id)
{
    static const uint8_t all_servers[16] = {0xff, 0x02, [13] = 0x01, [15] = 0x02};
    static const uint8_t all_servers_mac[6] = {0x33, 0x33, 0x00, 0x01, 0x00, 0x02};
    uint8_t cip[16], sip[16];
    link_local(cli->mac, cip);
    link_local(srv->mac, sip);
    uint8_t duid[14] = {0, 1, 0, 1, 0x2c, 0x4a, 0x61, 0x0e};
    memcpy(duid + 8, cli->mac, 6);
    uint32_t xid = (uint32_t)gen_range(g, 0x1000000);

    struct gen_buf b = {.n = 0};
    gb_u8(&b, 1); /* SOLICIT */
    gb_u8(&b, (uint8_t)(xid >> 16));
    gb_be16(&b, (uint16_t)xid);
    opt6(&b, 8, (const uint8_t[]){0, 0}, 2); /* elapsed time */
    opt6(&b, 1, duid, sizeof duid);
    opt6(&b, 3, (const uint8_t[]){0x0e, 0x00, 0x27, 0x10, 0, 0, 0, 0, 0, 0, 0, 0}, 12);
    uint8_t fqdn[128] = {0};
    size_t n = 1 + wire_name(fqdn + 1, id->hostname, id->fqdn_domain);
    opt6(&b, 39, fqdn, n);
    uint8_t vc[64] = {0, 0, 0x01, 0x37}; /* enterprise 311 (Microsoft) */
    size_t vl = strlen(id->vendor_class);
    vc[4] = (uint8_t)(vl >> 8);
    vc[5] = (uint8_t)vl;
    memcpy(vc + 6, id->vendor_class, vl);
    opt6(&b, 16, vc, 6 + vl);
    opt6(&b, 6, (const uint8_t[]){0, 17, 0, 23, 0, 24, 0, 39}, 8);
    udp6(g, cli, all_servers_mac, cip, all_servers, DHCP6_CLIENT_PORT, DHCP6_SERVER_PORT, &b);

    /* ADVERTISE from the server: status NoAddrsAvail, its server id and the client's id */
    uint8_t sduid[10] = {0, 3, 0, 1};
    memcpy(sduid + 4, srv->mac, 6);
    b.n = 0;
    gb_u8(&b, 2);
    gb_u8(&b, (uint8_t)(xid >> 16));
    gb_be16(&b, (uint16_t)xid);
    opt6(&b, 1, duid, sizeof duid);
    opt6(&b, 2, sduid, sizeof sduid);
    opt6(&b, 13,
         (const uint8_t[]){0, 2, 'n', 'o', ' ', 'a', 'd', 'd', 'r', 'e', 's', 's', 'e', 's'}, 14);
    udp6(g, srv, cli->mac, sip, cip, DHCP6_SERVER_PORT, DHCP6_CLIENT_PORT, &b);
}

void gen_scn_dhcp(struct gen *g, const struct gen_host *cli, const struct gen_host *srv,
                  int variant, int ops)
{
    const struct dhcp_client_id *id =
        &dhcp_clients[(unsigned)variant % (sizeof dhcp_clients / sizeof *dhcp_clients)];
    struct gen_host nobody = *cli, bcast = *srv;
    memset(nobody.ip, 0, 4);
    memcpy(bcast.mac, bcast_mac, 6);
    memset(bcast.ip, 0xff, 4);
    struct gen_buf b;
    uint32_t xid = (uint32_t)gen_rand(g);

    if (id->dhcpv6)
        dhcpv6_solicit(g, cli, srv, id);

    bootp(&b, 1, xid, NULL, NULL, cli->mac, true);
    client_opts(&b, id, DISCOVER, cli->mac, NULL);
    send4(g, &b, &nobody, DHCP_CLIENT_PORT, &bcast, DHCP_SERVER_PORT);

    bootp(&b, 2, xid, NULL, cli->ip, cli->mac, true);
    server_opts(&b, OFFER, srv);
    send4(g, &b, srv, DHCP_SERVER_PORT, &bcast, DHCP_CLIENT_PORT);

    bootp(&b, 1, xid, NULL, NULL, cli->mac, true);
    client_opts(&b, id, REQUEST, cli->mac, cli->ip);
    send4(g, &b, &nobody, DHCP_CLIENT_PORT, &bcast, DHCP_SERVER_PORT);

    bootp(&b, 2, xid, NULL, cli->ip, cli->mac, true);
    server_opts(&b, ACK, srv);
    send4(g, &b, srv, DHCP_SERVER_PORT, &bcast, DHCP_CLIENT_PORT);

    /* renewals at T1: unicast REQUEST with ciaddr set, unicast ACK */
    for (int i = 0; i < ops; i++) {
        gen_advance(g, 43200000000000ll / 100);
        xid = (uint32_t)gen_rand(g);
        bootp(&b, 1, xid, cli->ip, NULL, cli->mac, false);
        client_opts(&b, id, REQUEST, cli->mac, NULL);
        send4(g, &b, cli, DHCP_CLIENT_PORT, srv, DHCP_SERVER_PORT);
        bootp(&b, 2, xid, cli->ip, cli->ip, cli->mac, false);
        server_opts(&b, ACK, srv);
        send4(g, &b, srv, DHCP_SERVER_PORT, cli, DHCP_CLIENT_PORT);
    }
}
