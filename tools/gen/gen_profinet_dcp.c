/* gen_profinet_dcp.c - PROFINET commissioning and operation between an IO-Controller (cli) and
 * an IO-Device (srv) on ethertype 0x8892 (IEC 61158-6-10): DCP Identify All (or Identify by
 * name) answered by the device, the engineering Set of NameOfStation and IP parameter with their
 * responses, a Get, per variant a Hello at power-on, an LED flash or a reset to factory settings,
 * then cyclic RT_CLASS_1 frames both ways ('ops' adds cycles). */
#include <string.h>

#include "gen.h"

#define PN_ETHERTYPE 0x8892

struct pn_device {
    uint16_t vendor, device;
    uint8_t role;
    const char *vendor_value, *name;
};

/* device identities as their GSDML files state them (vendor 0x002a Siemens, 0x010c HMS) */
static const struct pn_device pn_devices[] = {
    {0x002a, 0x0313, 0x01, "ET200SP", "et200sp-line1"},
    {0x002a, 0x0301, 0x01, "ET200S", "et200s-conveyor"},
    {0x002a, 0x0507, 0x01, "SINAMICS G120D", "g120d-pump3"},
    {0x010c, 0x0010, 0x01, "ABCC40-PIR", "anybus-weigher"},
};

static const uint8_t mc_identify[6] = {0x01, 0x0e, 0xcf, 0x00, 0x00, 0x00};
static const uint8_t mc_hello[6] = {0x01, 0x0e, 0xcf, 0x00, 0x00, 0x01};

struct pn_ctx {
    struct gen *g;
    const struct gen_host *ctl, *dev;
    const struct pn_device *id;
    uint32_t xid;
};

/* FrameID, ServiceID, ServiceType, Xid, ResponseDelay/reserved, DCPDataLength (patched) */
static void dcp_begin(struct gen_buf *b, uint16_t frame_id, uint8_t service, uint8_t type,
                      uint32_t xid, uint16_t delay)
{
    b->n = 0;
    gb_be16(b, frame_id);
    gb_u8(b, service);
    gb_u8(b, type);
    gb_be32(b, xid);
    gb_be16(b, delay);
    gb_be16(b, 0);
}

static void dcp_end(struct gen_buf *b)
{
    gb_put_be16(b, 10, (uint16_t)(b->n - 12));
}

/* a block: option, suboption, length, [BlockInfo/BlockQualifier], data, pad to even */
static void block(struct gen_buf *b, uint8_t opt, uint8_t sub, bool info, uint16_t infoval,
                  const void *data, size_t n)
{
    gb_u8(b, opt);
    gb_u8(b, sub);
    gb_be16(b, (uint16_t)(n + (info ? 2 : 0)));
    if (info)
        gb_be16(b, infoval);
    gb_bytes(b, data, n);
    if ((n + (info ? 2 : 0)) & 1)
        gb_u8(b, 0);
}

static void ip_block(struct gen_buf *b, const uint8_t ip[4], bool info, uint16_t infoval)
{
    uint8_t a[12] = {ip[0], ip[1], ip[2], ip[3], 255, 255, 255, 0, ip[0], ip[1], ip[2], 1};
    block(b, 1, 2, info, infoval, a, sizeof a);
}

static void send_l2(struct pn_ctx *c, const struct gen_host *src, const uint8_t dst[6],
                    struct gen_buf *b)
{
    gen_l2(c->g, src, dst, PN_ETHERTYPE, b->b, b->n);
    gen_advance(c->g, 400000 + (int64_t)gen_range(c->g, 600000));
}

/* the device's identity blocks, as Identify/Get responses and Hello carry them */
static void identity_blocks(struct gen_buf *b, const struct pn_ctx *c)
{
    const struct pn_device *id = c->id;
    block(b, 2, 2, true, 0, id->name, strlen(id->name));
    static const uint8_t options[] = {1, 2, 2, 1, 2, 2, 2, 3, 2, 4, 2, 7};
    block(b, 2, 5, true, 0, options, sizeof options);
    block(b, 2, 1, true, 0, id->vendor_value, strlen(id->vendor_value));
    uint8_t did[4] = {(uint8_t)(id->vendor >> 8), (uint8_t)id->vendor, (uint8_t)(id->device >> 8),
                      (uint8_t)id->device};
    block(b, 2, 3, true, 0, did, sizeof did);
    uint8_t role[2] = {id->role, 0};
    block(b, 2, 4, true, 0, role, sizeof role);
    uint8_t inst[2] = {0, 1};
    block(b, 2, 7, true, 0, inst, sizeof inst);
    ip_block(b, c->dev->ip, true, 1);
}

static void identify(struct pn_ctx *c, bool by_name)
{
    struct gen_buf b;
    c->xid++;
    dcp_begin(&b, 0xfefe, 5, 0, c->xid, by_name ? 1 : 255);
    if (by_name)
        block(&b, 2, 2, false, 0, c->id->name, strlen(c->id->name));
    else
        block(&b, 0xff, 0xff, false, 0, NULL, 0);
    dcp_end(&b);
    send_l2(c, c->ctl, mc_identify, &b);
    dcp_begin(&b, 0xfeff, 5, 1, c->xid, 0);
    identity_blocks(&b, c);
    dcp_end(&b);
    send_l2(c, c->dev, c->ctl->mac, &b);
}

static void hello(struct pn_ctx *c)
{
    struct gen_buf b;
    dcp_begin(&b, 0xfefc, 6, 0, 0x00010001, 0);
    identity_blocks(&b, c);
    dcp_end(&b);
    send_l2(c, c->dev, mc_hello, &b);
}

/* a Set request with one block, answered by a Control/Response block with error 0 */
static void set_one(struct pn_ctx *c, uint8_t opt, uint8_t sub, uint16_t qualifier,
                    const void *data, size_t n)
{
    struct gen_buf b;
    c->xid++;
    dcp_begin(&b, 0xfefd, 4, 0, c->xid, 0);
    block(&b, opt, sub, true, qualifier, data, n);
    dcp_end(&b);
    send_l2(c, c->ctl, c->dev->mac, &b);
    dcp_begin(&b, 0xfefd, 4, 1, c->xid, 0);
    uint8_t resp[3] = {opt, sub, 0};
    block(&b, 5, 4, false, 0, resp, sizeof resp);
    dcp_end(&b);
    send_l2(c, c->dev, c->ctl->mac, &b);
}

static void get_name_ip(struct pn_ctx *c)
{
    struct gen_buf b;
    c->xid++;
    dcp_begin(&b, 0xfefd, 3, 0, c->xid, 0);
    gb_bytes(&b, (const uint8_t[]){2, 2, 1, 2}, 4);
    dcp_end(&b);
    send_l2(c, c->ctl, c->dev->mac, &b);
    dcp_begin(&b, 0xfefd, 3, 1, c->xid, 0);
    block(&b, 2, 2, true, 0, c->id->name, strlen(c->id->name));
    ip_block(&b, c->dev->ip, true, 1);
    dcp_end(&b);
    send_l2(c, c->dev, c->ctl->mac, &b);
}

/* RT_CLASS_1 cyclic data: FrameID, IO data with provider status, cycle counter, data status,
 * transfer status (IEC 61158-6-10, "C_SDU") */
static void cyclic(struct pn_ctx *c, uint16_t cycle)
{
    struct gen_buf b = {.n = 0};
    gb_be16(&b, 0x8000);
    gb_pad(&b, 0x80, 40); /* outputs with IOPS good */
    gb_be16(&b, (uint16_t)(cycle * 32));
    gb_u8(&b, 0x35); /* data status: valid, primary, run, station ok */
    gb_u8(&b, 0);
    gen_l2(c->g, c->ctl, c->dev->mac, PN_ETHERTYPE, b.b, b.n);
    b.n = 0;
    gb_be16(&b, 0x8001);
    gb_pad(&b, 0x80, 40);
    gb_be16(&b, (uint16_t)(cycle * 32));
    gb_u8(&b, 0x35);
    gb_u8(&b, 0);
    gen_l2(c->g, c->dev, c->ctl->mac, PN_ETHERTYPE, b.b, b.n);
    gen_advance(c->g, 4000000);
}

void gen_scn_profinet_dcp(struct gen *g, const struct gen_host *cli, const struct gen_host *srv,
                          int variant, int ops)
{
    unsigned v = (unsigned)variant % (sizeof pn_devices / sizeof pn_devices[0]);
    struct pn_ctx c = {g, cli, srv, &pn_devices[v], (uint32_t)gen_range(g, 0x10000) << 8};
    if (v == 3)
        hello(&c);
    identify(&c, v == 1);
    set_one(&c, 2, 2, 1, c.id->name, strlen(c.id->name));
    uint8_t ip[12] = {srv->ip[0], srv->ip[1], srv->ip[2], srv->ip[3], 255,        255,
                      255,        0,          srv->ip[0], srv->ip[1], srv->ip[2], 1};
    set_one(&c, 1, 2, 1, ip, sizeof ip);
    get_name_ip(&c);
    if (v == 0)
        set_one(&c, 5, 3, 0, (const uint8_t[]){0x01, 0x00}, 2); /* signal: flash once */
    if (v == 2)
        set_one(&c, 5, 6, 0x0004, NULL, 0); /* reset communication parameters */
    for (int cycle = 0; cycle <= ops * 4 + 3; cycle++)
        cyclic(&c, (uint16_t)cycle);
}
