/* gen_dns.c - name resolution on a plant network: a workstation (cli) asking the site DNS server
 * (srv) over udp/53 and once over tcp/53 (a long TXT answer split in segments), an mDNS device
 * next to them announcing itself and its DNS-SD services (RFC 6762/6763) after a query, and the
 * workstation answering an LLMNR query for its own name (RFC 4795).  'variant' picks the mDNS
 * device; 'ops' adds unicast lookup cycles.  Names are compressed as real resolvers do. */
#include <string.h>

#include "gen.h"

#define DNS_PORT   53
#define MDNS_PORT  5353
#define LLMNR_PORT 5355

struct mdns_device {
    uint8_t oui[3];       /* the maker's IEEE OUI for the device's MAC */
    const char *host;     /* NAME.local */
    const char *service;  /* _type._tcp */
    const char *instance; /* instance label */
    uint16_t port;
    const char *txt[5];
};

/* devices that announce themselves over mDNS in plants and offices */
static const struct mdns_device mdns_devices[] = {
    {{0x3c, 0xd9, 0x2b},
     "NPI3A2F1C",
     "_ipp._tcp",
     "HP LaserJet Pro M404dn (3A2F1C)",
     631,
     {"txtvers=1", "ty=HP LaserJet Pro M404-M405", "product=(HP LaserJet Pro M404-M405)",
      "usb_MFG=HP", "usb_MDL=HP LaserJet Pro M404-M405"}},
    {{0xac, 0xcc, 0x8e},
     "axis-accc8e12ab34",
     "_axis-video._tcp",
     "AXIS P1448-LE - ACCC8E12AB34",
     80,
     {"macaddress=ACCC8E12AB34", NULL}},
    {{0x00, 0x14, 0x22},
     "opcua-gw01",
     "_opcua-tcp._tcp",
     "Kepware OPC UA gateway",
     49320,
     {"path=/", "caps=LDS", NULL}},
    {{0xf0, 0x18, 0x98},
     "Engineering-Mac",
     "_device-info._tcp",
     "Engineering-Mac",
     0,
     {"model=MacBookPro18,3", NULL}},
};

static const uint8_t mdns_mac[6] = {0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb};
static const uint8_t llmnr_mac[6] = {0x01, 0x00, 0x5e, 0x00, 0x00, 0xfc};

/* a message with name compression: remembers where whole suffixes were written */
struct dmsg {
    struct gen_buf b;
    char names[16][128];
    uint16_t at[16];
    int n;
};

static void msg_begin(struct dmsg *m, uint16_t id, uint16_t flags, uint16_t qd, uint16_t an,
                      uint16_t ns, uint16_t ar)
{
    m->b.n = 0;
    m->n = 0;
    gb_be16(&m->b, id);
    gb_be16(&m->b, flags);
    gb_be16(&m->b, qd);
    gb_be16(&m->b, an);
    gb_be16(&m->b, ns);
    gb_be16(&m->b, ar);
}

/* RFC 1035 §4.1.4: labels until a known suffix, then a pointer to it */
static void msg_name(struct dmsg *m, const char *name)
{
    while (*name) {
        for (int i = 0; i < m->n; i++) {
            if (!strcmp(m->names[i], name)) {
                gb_be16(&m->b, (uint16_t)(0xc000 | m->at[i]));
                return;
            }
        }
        if (m->n < 16 && m->b.n < 0x3fff) {
            strncpy(m->names[m->n], name, sizeof m->names[0] - 1);
            m->names[m->n][sizeof m->names[0] - 1] = '\0';
            m->at[m->n++] = (uint16_t)m->b.n;
        }
        const char *dot = strchr(name, '.');
        size_t l = dot ? (size_t)(dot - name) : strlen(name);
        gb_u8(&m->b, (uint8_t)l);
        gb_bytes(&m->b, name, l);
        name += l + (dot ? 1 : 0);
    }
    gb_u8(&m->b, 0);
}

static void msg_question(struct dmsg *m, const char *name, uint16_t type, uint16_t cls)
{
    msg_name(m, name);
    gb_be16(&m->b, type);
    gb_be16(&m->b, cls);
}

/* record header; returns where rdlength goes, to patch after the data */
static size_t msg_rr(struct dmsg *m, const char *name, uint16_t type, uint16_t cls, uint32_t ttl)
{
    msg_name(m, name);
    gb_be16(&m->b, type);
    gb_be16(&m->b, cls);
    gb_be32(&m->b, ttl);
    size_t at = m->b.n;
    gb_be16(&m->b, 0);
    return at;
}
static void msg_rr_end(struct dmsg *m, size_t at)
{
    gb_put_be16(&m->b, at, (uint16_t)(m->b.n - at - 2));
}

static void msg_a(struct dmsg *m, const char *name, uint16_t cls, const uint8_t ip[4])
{
    size_t at = msg_rr(m, name, 1, cls, 120);
    gb_bytes(&m->b, ip, 4);
    msg_rr_end(m, at);
}

/* ---- unicast DNS ---- */

static const char *const lookups[] = {"historian.plant.local", "wsus.corp.example",
                                      "plc-cell1.plant.local", "time.plant.local"};

static void dns_lookup(struct gen *g, const struct gen_host *cli, const struct gen_host *srv,
                       const char *name, uint16_t cport)
{
    struct dmsg m;
    uint16_t id = (uint16_t)gen_range(g, 65536);
    msg_begin(&m, id, 0x0100, 1, 0, 0, 0);
    msg_question(&m, name, 1, 1);
    gen_udp(g, cli, cport, srv, DNS_PORT, m.b.b, m.b.n);
    gen_advance(g, 800000 + (int64_t)gen_range(g, 2000000));
    msg_begin(&m, id, 0x8180, 1, 1, 0, 0);
    msg_question(&m, name, 1, 1);
    uint8_t ip[4] = {10, 10, 1, (uint8_t)(20 + gen_range(g, 200))};
    msg_a(&m, name, 1, ip);
    gen_udp(g, srv, DNS_PORT, cli, cport, m.b.b, m.b.n);
    gen_advance(g, 50000000 + (int64_t)gen_range(g, 200000000));
}

/* a TXT answer too long for comfort over UDP, asked again over TCP (RFC 7766) */
static void dns_tcp_lookup(struct gen *g, const struct gen_host *cli, const struct gen_host *srv)
{
    struct dmsg m;
    struct gen_buf out;
    struct gen_tcp s;
    gen_tcp_open(g, &s, cli, 50123, srv, DNS_PORT);
    msg_begin(&m, 0x4242, 0x0100, 1, 0, 0, 0);
    msg_question(&m, "_policy.plant.local", 16, 1);
    out.n = 0;
    gb_be16(&out, (uint16_t)m.b.n);
    gb_bytes(&out, m.b.b, m.b.n);
    gen_tcp_send(g, &s, 0, out.b, out.n);
    msg_begin(&m, 0x4242, 0x8580, 1, 4, 0, 0);
    msg_question(&m, "_policy.plant.local", 16, 1);
    for (int i = 0; i < 4; i++) {
        size_t at = msg_rr(&m, "_policy.plant.local", 16, 1, 3600);
        char txt[200];
        memset(txt, 'a' + i, sizeof txt);
        memcpy(txt, "zone=cell-", 10);
        gb_u8(&m.b, sizeof txt);
        gb_bytes(&m.b, txt, sizeof txt);
        msg_rr_end(&m, at);
    }
    out.n = 0;
    gb_be16(&out, (uint16_t)m.b.n);
    gb_bytes(&out, m.b.b, m.b.n);
    gen_tcp_send_split(g, &s, 1, out.b, out.n, 536);
    gen_tcp_close(g, &s);
}

/* ---- mDNS ---- */

static void mdns_announce(struct gen *g, const struct gen_host *dev, const struct mdns_device *d)
{
    static const struct gen_host group = {{0}, {224, 0, 0, 251}, 0};
    struct gen_host dst = group;
    memcpy(dst.mac, mdns_mac, 6);
    char host[80], type[80], inst[160];
    strcpy(host, d->host);
    strcat(host, ".local");
    strcpy(type, d->service);
    strcat(type, ".local");
    strcpy(inst, d->instance);
    strcat(inst, ".");
    strcat(inst, type);
    int ntxt = 0;
    while (ntxt < 5 && d->txt[ntxt])
        ntxt++;
    struct dmsg m;
    /* PTR, SRV, TXT, A; no SRV for the device-info pseudo service (no port) */
    bool srv = d->port != 0;
    msg_begin(&m, 0, 0x8400, 0, (uint16_t)(srv ? 4 : 3), 0, 0);
    size_t at = msg_rr(&m, type, 12, 1, 4500);
    msg_name(&m, inst);
    msg_rr_end(&m, at);
    if (srv) {
        at = msg_rr(&m, inst, 33, 0x8001, 120);
        gb_be16(&m.b, 0);
        gb_be16(&m.b, 0);
        gb_be16(&m.b, d->port);
        msg_name(&m, host);
        msg_rr_end(&m, at);
    }
    at = msg_rr(&m, inst, 16, 0x8001, 4500);
    for (int i = 0; i < ntxt; i++) {
        gb_u8(&m.b, (uint8_t)strlen(d->txt[i]));
        gb_str(&m.b, d->txt[i]);
    }
    msg_rr_end(&m, at);
    msg_a(&m, host, 0x8001, dev->ip);
    gen_udp(g, dev, MDNS_PORT, &dst, MDNS_PORT, m.b.b, m.b.n);
    gen_advance(g, 20000000 + (int64_t)gen_range(g, 20000000));
}

static void mdns_query(struct gen *g, const struct gen_host *cli, const char *service)
{
    struct gen_host dst = {{0}, {224, 0, 0, 251}, 0};
    memcpy(dst.mac, mdns_mac, 6);
    char type[80];
    strcpy(type, service);
    strcat(type, ".local");
    struct dmsg m;
    msg_begin(&m, 0, 0x0000, 1, 0, 0, 0);
    msg_question(&m, type, 12, 1);
    gen_udp(g, cli, MDNS_PORT, &dst, MDNS_PORT, m.b.b, m.b.n);
    gen_advance(g, 100000000 + (int64_t)gen_range(g, 20000000));
}

/* ---- LLMNR: srv asks for the workstation by name, the workstation answers ---- */

static void llmnr_exchange(struct gen *g, const struct gen_host *asker,
                           const struct gen_host *owner, const char *name)
{
    struct gen_host dst = {{0}, {224, 0, 0, 252}, 0};
    memcpy(dst.mac, llmnr_mac, 6);
    uint16_t id = (uint16_t)gen_range(g, 65536), port = (uint16_t)(49152 + gen_range(g, 16000));
    struct dmsg m;
    msg_begin(&m, id, 0x0000, 1, 0, 0, 0);
    msg_question(&m, name, 1, 1);
    gen_udp(g, asker, port, &dst, LLMNR_PORT, m.b.b, m.b.n);
    gen_advance(g, 500000 + (int64_t)gen_range(g, 1000000));
    msg_begin(&m, id, 0x8000, 1, 1, 0, 0);
    msg_question(&m, name, 1, 1);
    msg_a(&m, name, 1, owner->ip);
    gen_udp(g, owner, LLMNR_PORT, asker, port, m.b.b, m.b.n);
    gen_advance(g, 100000000);
}

void gen_scn_dns(struct gen *g, const struct gen_host *cli, const struct gen_host *srv, int variant,
                 int ops)
{
    const struct mdns_device *d =
        &mdns_devices[(unsigned)variant % (sizeof mdns_devices / sizeof *mdns_devices)];
    /* the mDNS device sits next to the server, with its maker's MAC */
    struct gen_host dev = *srv;
    memcpy(dev.mac, d->oui, 3);
    dev.mac[5] = (uint8_t)(dev.mac[5] + 0x20);
    dev.ip[3] = (uint8_t)(dev.ip[3] + 20);

    for (size_t i = 0; i < sizeof lookups / sizeof *lookups; i++)
        dns_lookup(g, cli, srv, lookups[i], (uint16_t)(51000 + i));
    dns_tcp_lookup(g, cli, srv);
    mdns_query(g, cli, d->service);
    mdns_announce(g, &dev, d);
    llmnr_exchange(g, srv, cli, "ews-tia01");
    for (int k = 0; k < ops; k++) {
        gen_advance(g, 30000000000ll);
        dns_lookup(g, cli, srv, lookups[(unsigned)k % 4], (uint16_t)(52000 + k % 1000));
        if (k % 4 == 3)
            mdns_announce(g, &dev, d);
    }
}
