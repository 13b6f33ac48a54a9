/* gen_lldp.c - LLDP (IEEE 802.1AB) in a PROFINET cell: an industrial switch (srv) advertising on
 * two ports from per-port MACs (system name and description, bridge capability, management
 * address, port VLAN, LLDP-MED inventory for some), and a PROFINET controller next to it (cli's
 * neighbour) whose LLDPDU carries its NameOfStation as chassis id and the PROFINET port status
 * and chassis MAC TLVs (IEC 61158-6-10).  'variant' picks the switch; 'ops' adds 30 s rounds. */
#include <stdio.h>
#include <string.h>

#include "gen.h"

#define LLDP_ETHERTYPE 0x88cc

struct lldp_switch {
    uint8_t oui[3];                        /* the maker's IEEE OUI */
    const char *name, *desc, *port_prefix; /* port id = prefix + number */
    uint16_t caps;
    const char *med_vendor, *med_model, *med_fw, *med_serial; /* NULL: no LLDP-MED */
};

static const struct lldp_switch lldp_switches[] = {
    {{0x00, 0x1b, 0x1b},
     "sw-cell1",
     "Siemens, SIMATIC NET, SCALANCE XC208, 6GK5 208-0BA00-2AC2, HW: Version 1, "
     "FW: Version V04.02.00, SVPL6147130",
     "port-00",
     0x0004,
     NULL,
     NULL,
     NULL,
     NULL},
    {{0x00, 0x00, 0x0c},
     "ie3400-line2",
     "Cisco IOS Software [Amsterdam], IE3x00 Software (IE3x00-UNIVERSALK9-M), "
     "Version 17.3.4, RELEASE SOFTWARE (fc3)",
     "Gi1/",
     0x0014,
     "Cisco Systems, Inc.",
     "IE-3400-8T2S",
     "17.3.4",
     "FDO2412X0AB"},
    {{0x00, 0x80, 0x63},
     "rsp-substation",
     "Hirschmann Railswitch RSP35 HiOS-3S-08.7.03",
     "1/",
     0x0004,
     "Hirschmann Automation and Control GmbH",
     "RSP35-08033O6TT-SK9V9HHSE2S",
     "08.7.03",
     "942053999000123"},
    {{0x00, 0x90, 0xe8}, "eds-408a-pump", "EDS-408A-T", "", 0x0004, NULL, NULL, NULL, NULL},
};

static const uint8_t lldp_mcast[6] = {0x01, 0x80, 0xc2, 0x00, 0x00, 0x0e};

static void tlv(struct gen_buf *b, uint8_t type, const void *v, size_t n)
{
    gb_be16(b, (uint16_t)(type << 9 | n));
    gb_bytes(b, v, n);
}
static void tlv_sub_str(struct gen_buf *b, uint8_t type, uint8_t sub, const char *s)
{
    gb_be16(b, (uint16_t)(type << 9 | (1 + strlen(s))));
    gb_u8(b, sub);
    gb_str(b, s);
}
static void tlv_str(struct gen_buf *b, uint8_t type, const char *s)
{
    tlv(b, type, s, strlen(s));
}
static void org(struct gen_buf *b, uint32_t oui, uint8_t sub, const void *v, size_t n)
{
    gb_be16(b, (uint16_t)(127 << 9 | (4 + n)));
    gb_u8(b, (uint8_t)(oui >> 16));
    gb_u8(b, (uint8_t)(oui >> 8));
    gb_u8(b, (uint8_t)oui);
    gb_u8(b, sub);
    gb_bytes(b, v, n);
}
static void ttl(struct gen_buf *b, uint16_t s)
{
    gb_be16(b, 3 << 9 | 2);
    gb_be16(b, s);
}
static void caps(struct gen_buf *b, uint16_t have, uint16_t enabled)
{
    gb_be16(b, 7 << 9 | 4);
    gb_be16(b, have);
    gb_be16(b, enabled);
}
/* §8.5.9: IPv4, ifIndex numbering, no OID */
static void mgmt_v4(struct gen_buf *b, const uint8_t ip[4], uint32_t ifindex)
{
    gb_be16(b, 8 << 9 | 12);
    gb_u8(b, 5);
    gb_u8(b, 1);
    gb_bytes(b, ip, 4);
    gb_u8(b, 2);
    gb_be32(b, ifindex);
    gb_u8(b, 0);
}
/* 802.3 MAC/PHY: autoneg on, 100BASE-TX full duplex operational */
static void macphy(struct gen_buf *b)
{
    org(b, 0x00120f, 1, (const uint8_t[]){0x03, 0x6c, 0x00, 0x00, 0x10}, 5);
}

static void switch_port(struct gen *g, const struct gen_host *sw, const struct lldp_switch *s,
                        unsigned port)
{
    struct gen_host src = *sw;
    src.mac[5] = (uint8_t)(sw->mac[5] + port); /* each port sends from its own MAC */
    char pid[32];
    snprintf(pid, sizeof pid, "%s%u", s->port_prefix, port);
    struct gen_buf b = {.n = 0};
    uint8_t chassis[7] = {4};
    memcpy(chassis + 1, sw->mac, 6);
    tlv(&b, 1, chassis, 7);
    tlv_sub_str(&b, 2, 7, pid);
    ttl(&b, 120);
    char pdesc[48];
    snprintf(pdesc, sizeof pdesc, "Port %u, 100 Mbit/s copper", port);
    tlv_str(&b, 4, pdesc);
    tlv_str(&b, 5, s->name);
    tlv_str(&b, 6, s->desc);
    caps(&b, (uint16_t)(s->caps | 0x0004), s->caps);
    mgmt_v4(&b, sw->ip, port);
    org(&b, 0x0080c2, 1, (const uint8_t[]){0, 10}, 2); /* port VLAN id 10 */
    macphy(&b);
    if (s->med_vendor) {
        org(&b, 0x0012bb, 1, (const uint8_t[]){0x00, 0x33, 0x04}, 3); /* network connectivity */
        org(&b, 0x0012bb, 6, s->med_fw, strlen(s->med_fw));
        org(&b, 0x0012bb, 8, s->med_serial, strlen(s->med_serial));
        org(&b, 0x0012bb, 9, s->med_vendor, strlen(s->med_vendor));
        org(&b, 0x0012bb, 10, s->med_model, strlen(s->med_model));
    }
    gb_be16(&b, 0);
    gen_l2(g, &src, lldp_mcast, LLDP_ETHERTYPE, b.b, b.n);
    gen_advance(g, 3000000 + (int64_t)gen_range(g, 2000000));
}

/* an S7-1500 PROFINET controller's LLDPDU from its port 1 MAC (interface MAC + 1) */
static void profinet_device(struct gen *g, const struct gen_host *dev)
{
    struct gen_host src = *dev;
    src.mac[5] = (uint8_t)(dev->mac[5] + 1);
    struct gen_buf b = {.n = 0};
    tlv_sub_str(&b, 1, 7, "plc-cell1");
    tlv_sub_str(&b, 2, 7, "port-001");
    ttl(&b, 20);
    tlv_str(&b, 6,
            "Siemens, SIMATIC S7, CPU 1516-3 PN/DP, 6ES7 516-3AN01-0AB0, HW: Version 3, FW: "
            "Version V2.9.4, S C-J4U123452019");
    mgmt_v4(&b, dev->ip, 1);
    org(&b, 0x000ecf, 2, (const uint8_t[]){0, 0, 0, 0}, 4); /* port status: RT class 2/3 off */
    org(&b, 0x000ecf, 5, dev->mac, 6);                      /* chassis MAC */
    macphy(&b);
    gb_be16(&b, 0);
    gen_l2(g, &src, lldp_mcast, LLDP_ETHERTYPE, b.b, b.n);
    gen_advance(g, 2000000 + (int64_t)gen_range(g, 2000000));
}

void gen_scn_lldp(struct gen *g, const struct gen_host *cli, const struct gen_host *srv,
                  int variant, int ops)
{
    const struct lldp_switch *s =
        &lldp_switches[(unsigned)variant % (sizeof lldp_switches / sizeof *lldp_switches)];
    /* the switch is srv with its maker's MAC; the controller sits beside cli, Siemens MAC */
    struct gen_host sw = *srv, plc = *cli;
    memcpy(sw.mac, s->oui, 3);
    static const uint8_t siemens[3] = {0x00, 0x1b, 0x1b};
    memcpy(plc.mac, siemens, 3);
    plc.mac[3] ^= 0x40;
    plc.ip[3] = (uint8_t)(cli->ip[3] + 1);
    for (int round = 0; round <= ops; round++) {
        switch_port(g, &sw, s, 1);
        switch_port(g, &sw, s, 2);
        profinet_device(g, &plc);
        gen_advance(g, 30000000000ll);
    }
}
