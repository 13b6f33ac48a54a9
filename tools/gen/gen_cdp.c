/* gen_cdp.c - Cisco Discovery Protocol v2 from a Cisco device (srv, with a Cisco MAC) on two
 * ports, each from its own port MAC, as 802.3 + LLC/SNAP (OUI 00:00:0c, PID 0x2000) frames to
 * 01:00:0c:cc:cc:cc: device id, addresses, port, capabilities, IOS banner, platform, VTP
 * domain, native VLAN, duplex.  'variant' picks the device; 'ops' adds 60 s rounds. */
#include <stdio.h>
#include <string.h>

#include "gen.h"

struct cdp_device {
    const char *device_id, *software, *platform, *port_prefix, *vtp;
    uint32_t caps;
};

static const struct cdp_device cdp_devices[] = {
    {"SW-CELL2.plant.local",
     "Cisco IOS Software, C2960X Software (C2960X-UNIVERSALK9-M), Version 15.2(7)E4, RELEASE "
     "SOFTWARE (fc2)\nTechnical Support: http://www.cisco.com/techsupport\nCopyright (c) "
     "1986-2021 by Cisco Systems, Inc.\nCompiled Tue 23-Mar-21 05:29 by mcpre",
     "cisco WS-C2960X-24TS-L", "GigabitEthernet1/0/", "PLANT", 0x28},
    {"IE4000-SUBST1",
     "Cisco IOS Software, IE4000  Software (IE4000-UNIVERSALK9-M), Version 15.2(7)E3, RELEASE "
     "SOFTWARE (fc3)\nTechnical Support: http://www.cisco.com/techsupport",
     "cisco IE-4000-8GT4G-E", "GigabitEthernet1/", "SUBSTATION", 0x29},
    {"RTR-OT-EDGE",
     "Cisco IOS XE Software, Version 16.09.05\nCisco IOS Software [Fuji], ISR Software "
     "(X86_64_LINUX_IOSD-UNIVERSALK9-M), Version 16.9.5, RELEASE SOFTWARE (fc1)",
     "cisco ISR4331/K9", "GigabitEthernet0/0/", NULL, 0x29},
    {"SW-CORE-01",
     "Cisco IOS XE Software, Version 17.06.04\nCisco IOS Software [Bengaluru], Catalyst L3 "
     "Switch Software (CAT9K_IOSXE), Version 17.6.4, RELEASE SOFTWARE (fc1)",
     "cisco C9300-48P", "GigabitEthernet1/0/", "CORP", 0x29},
};

static const uint8_t cdp_mcast[6] = {0x01, 0x00, 0x0c, 0xcc, 0xcc, 0xcc};

static void tlv(struct gen_buf *b, uint16_t type, const void *v, size_t n)
{
    gb_be16(b, type);
    gb_be16(b, (uint16_t)(4 + n));
    gb_bytes(b, v, n);
}
static void tlv_str(struct gen_buf *b, uint16_t type, const char *s)
{
    tlv(b, type, s, strlen(s));
}

/* RFC 1071 sum over the CDP PDU, except that Cisco adds an odd trailing byte as a sign-extended
 * low byte (Wireshark checks it the same way) */
static uint16_t cdp_checksum(const uint8_t *p, size_t n)
{
    uint32_t s = 0;
    for (size_t i = 0; i + 1 < n; i += 2)
        s += (uint32_t)(p[i] << 8 | p[i + 1]);
    if (n & 1)
        s += p[n - 1] & 0x80 ? 0xff00u | p[n - 1] : p[n - 1];
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return (uint16_t)~s;
}

static void cdp_port(struct gen *g, const struct gen_host *dev, const struct cdp_device *d,
                     unsigned port)
{
    struct gen_buf b = {.n = 0};
    gb_u8(&b, 2);
    gb_u8(&b, 180);
    gb_be16(&b, 0);
    tlv_str(&b, 0x0001, d->device_id);
    uint8_t addr[13] = {0, 0, 0, 1, 1, 1, 0xcc, 0, 4};
    memcpy(addr + 9, dev->ip, 4);
    tlv(&b, 0x0002, addr, sizeof addr);
    char pid[48];
    snprintf(pid, sizeof pid, "%s%u", d->port_prefix, port);
    tlv_str(&b, 0x0003, pid);
    tlv(&b, 0x0004,
        (const uint8_t[]){(uint8_t)(d->caps >> 24), (uint8_t)(d->caps >> 16),
                          (uint8_t)(d->caps >> 8), (uint8_t)d->caps},
        4);
    tlv_str(&b, 0x0005, d->software);
    tlv_str(&b, 0x0006, d->platform);
    if (d->vtp)
        tlv_str(&b, 0x0009, d->vtp);
    tlv(&b, 0x000a, (const uint8_t[]){0, 10}, 2);
    tlv(&b, 0x000b, (const uint8_t[]){1}, 1);
    tlv(&b, 0x0016, addr, sizeof addr);
    gb_put_be16(&b, 2, cdp_checksum(b.b, b.n));

    /* 802.3 length, then LLC (DSAP/SSAP 0xaa, UI) and SNAP (Cisco OUI, PID 0x2000) */
    struct gen_buf f = {.n = 0};
    gb_bytes(&f, (const uint8_t[]){0xaa, 0xaa, 0x03, 0x00, 0x00, 0x0c, 0x20, 0x00}, 8);
    gb_bytes(&f, b.b, b.n);
    struct gen_host src = *dev;
    src.mac[5] = (uint8_t)(dev->mac[5] + port); /* each port sends from its own MAC */
    gen_l2(g, &src, cdp_mcast, (uint16_t)f.n, f.b, f.n);
    gen_advance(g, 2000000 + (int64_t)gen_range(g, 3000000));
}

void gen_scn_cdp(struct gen *g, const struct gen_host *cli, const struct gen_host *srv, int variant,
                 int ops)
{
    (void)cli;
    const struct cdp_device *d =
        &cdp_devices[(unsigned)variant % (sizeof cdp_devices / sizeof *cdp_devices)];
    struct gen_host dev = *srv;
    static const uint8_t cisco[3] = {0x00, 0x00, 0x0c};
    memcpy(dev.mac, cisco, 3);
    dev.mac[3] ^= 0x20;
    for (int round = 0; round <= ops; round++) {
        cdp_port(g, &dev, d, 1);
        cdp_port(g, &dev, d, 2);
        gen_advance(g, 60000000000ll);
    }
}
