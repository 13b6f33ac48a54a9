/* gen_bacnet.c - a BACnet/IP session between a building management station (cli) and a
 * building controller (srv), both on udp/47808: Who-Is/I-Am broadcasts, a ReadPropertyMultiple
 * of the Device object's identity, and operator actions (writes, a password-protected
 * reinitialize that fails once, communication control, a backup, time synchronization).  The
 * encodings follow ASHRAE 135 Clause 20; 'ops' adds present-value polling cycles. */
#include <string.h>

#include "gen.h"

#define BACNET_PORT 47808

struct bn_identity {
    uint16_t vendor;
    uint32_t instance;
    const char *vendor_name, *model, *firmware, *software, *name, *location, *description;
};

/* real product lines of BACnet vendors (ASHRAE vendor ids 7, 5, 8, 10) */
static const struct bn_identity bn_devices[] = {
    {7, 2098177, "Siemens Building Technologies", "PXC36.1-E.D", "FW=02.20.110", "V6.1 SP",
     "AS01-AHU1", "Building 1, plant room", "Desigo PX automation station AHU 1"},
    {5, 3001, "Johnson Controls, Inc.", "MS-FEC2611-0", "10.1.0.3000", "FEC_AHU_CAV_7",
     "FEC-17 AHU-2", "Level 2 mechanical", "Metasys field equipment controller"},
    {8, 100, "Delta Controls", "DSC-1616EX", "V3.40", "4.12.0 build 12", "DSC-1616 Boiler",
     "Basement boiler room", "eBCON boiler sequence"},
    {10, 4194, "Schneider Electric", "SmartX AS-P", "3.2.1.1010", "EBO 2022", "AS-P-Chillers",
     "Roof, chiller yard", "EcoStruxure automation server"},
};

static void bvlc_begin(struct gen_buf *b, uint8_t func, bool expect_reply)
{
    b->n = 0;
    gb_u8(b, 0x81);
    gb_u8(b, func);
    gb_be16(b, 0);
    gb_u8(b, 0x01);                     /* NPDU version */
    gb_u8(b, expect_reply ? 0x04 : 0x00);
}

static void bvlc_send(struct gen *g, struct gen_buf *b, const struct gen_host *src,
                      const struct gen_host *dst)
{
    gb_put_be16(b, 2, (uint16_t)b->n);
    gen_udp(g, src, BACNET_PORT, dst, BACNET_PORT, b->b, b->n);
    gen_advance(g, 2000000 + (int64_t)gen_range(g, 3000000));
}

/* ---- tags (Clause 20.2) ---- */

static void tag(struct gen_buf *b, uint8_t num, bool ctx, uint32_t len)
{
    uint8_t cls = ctx ? 0x08 : 0x00;
    if (len < 5) {
        gb_u8(b, (uint8_t)(num << 4 | cls | len));
    } else {
        gb_u8(b, (uint8_t)(num << 4 | cls | 5));
        if (len < 254) {
            gb_u8(b, (uint8_t)len);
        } else {
            gb_u8(b, 254);
            gb_be16(b, (uint16_t)len);
        }
    }
}

static void uint_val(struct gen_buf *b, uint8_t num, bool ctx, uint32_t v)
{
    uint32_t len = v < 0x100 ? 1 : v < 0x10000 ? 2 : v < 0x1000000 ? 3 : 4;
    tag(b, num, ctx, len);
    for (uint32_t i = len; i-- > 0;)
        gb_u8(b, (uint8_t)(v >> (8 * i)));
}

static void objid(struct gen_buf *b, uint8_t num, bool ctx, uint32_t type, uint32_t inst)
{
    tag(b, num, ctx, 4);
    gb_be32(b, type << 22 | (inst & 0x3fffff));
}

static void charstring(struct gen_buf *b, const char *s)
{
    size_t n = strlen(s);
    tag(b, 7, false, (uint32_t)n + 1);
    gb_u8(b, 0); /* UTF-8 */
    gb_str(b, s);
}

static void ctx_charstring(struct gen_buf *b, uint8_t num, const char *s)
{
    size_t n = strlen(s);
    tag(b, num, true, (uint32_t)n + 1);
    gb_u8(b, 0);
    gb_str(b, s);
}

static void real_val(struct gen_buf *b, float f)
{
    uint32_t bits;
    memcpy(&bits, &f, sizeof bits);
    tag(b, 4, false, 4);
    gb_be32(b, bits);
}

static void open_tag(struct gen_buf *b, uint8_t num)
{
    gb_u8(b, (uint8_t)(num << 4 | 0x0e));
}

static void close_tag(struct gen_buf *b, uint8_t num)
{
    gb_u8(b, (uint8_t)(num << 4 | 0x0f));
}

static void confirmed(struct gen_buf *b, uint8_t invoke, uint8_t service)
{
    gb_u8(b, 0x00);
    gb_u8(b, 0x05); /* max APDU 1476 */
    gb_u8(b, invoke);
    gb_u8(b, service);
}

static void simple_ack(struct gen *g, const struct gen_host *srv, const struct gen_host *cli,
                       uint8_t invoke, uint8_t service)
{
    struct gen_buf b;
    bvlc_begin(&b, 0x0a, false);
    gb_u8(&b, 0x20);
    gb_u8(&b, invoke);
    gb_u8(&b, service);
    bvlc_send(g, &b, srv, cli);
}

/* ---- the session ---- */

static void who_is_i_am(struct gen *g, const struct gen_host *cli, const struct gen_host *srv,
                        const struct bn_identity *id)
{
    struct gen_host bcast = *srv;
    memset(bcast.mac, 0xff, 6);
    bcast.ip[3] = 255;
    struct gen_buf b;
    bvlc_begin(&b, 0x0b, false);
    gb_u8(&b, 0x10);
    gb_u8(&b, 0x08); /* who-is, no range */
    bvlc_send(g, &b, cli, &bcast);
    bvlc_begin(&b, 0x0b, false);
    gb_u8(&b, 0x10);
    gb_u8(&b, 0x00); /* i-am */
    objid(&b, 12, false, 8, id->instance);
    uint_val(&b, 2, false, 1476);
    tag(&b, 9, false, 1);
    gb_u8(&b, 0); /* segmented-both */
    uint_val(&b, 2, false, id->vendor);
    bvlc_send(g, &b, srv, &bcast);
}

static void rpm_item(struct gen_buf *b, uint32_t prop, const char *s, uint32_t u)
{
    uint_val(b, 2, true, prop);
    open_tag(b, 4);
    if (s)
        charstring(b, s);
    else if (prop == 112) {
        tag(b, 9, false, 1);
        gb_u8(b, (uint8_t)u);
    } else {
        uint_val(b, 2, false, u);
    }
    close_tag(b, 4);
}

static void read_identity(struct gen *g, const struct gen_host *cli, const struct gen_host *srv,
                          const struct bn_identity *id, uint8_t invoke)
{
    static const uint32_t props[] = {77, 121, 120, 70, 44, 12, 58, 28, 139, 112};
    struct gen_buf b;
    bvlc_begin(&b, 0x0a, true);
    confirmed(&b, invoke, 14);
    objid(&b, 0, true, 8, id->instance);
    open_tag(&b, 1);
    for (size_t i = 0; i < sizeof props / sizeof props[0]; i++)
        uint_val(&b, 0, true, props[i]);
    close_tag(&b, 1);
    bvlc_send(g, &b, cli, srv);

    bvlc_begin(&b, 0x0a, false);
    gb_u8(&b, 0x30);
    gb_u8(&b, invoke);
    gb_u8(&b, 14);
    objid(&b, 0, true, 8, id->instance);
    open_tag(&b, 1);
    rpm_item(&b, 77, id->name, 0);
    rpm_item(&b, 121, id->vendor_name, 0);
    rpm_item(&b, 120, NULL, id->vendor);
    rpm_item(&b, 70, id->model, 0);
    rpm_item(&b, 44, id->firmware, 0);
    rpm_item(&b, 12, id->software, 0);
    rpm_item(&b, 58, id->location, 0);
    rpm_item(&b, 28, id->description, 0);
    rpm_item(&b, 139, NULL, 14);
    rpm_item(&b, 112, NULL, 0);
    close_tag(&b, 1);
    bvlc_send(g, &b, srv, cli);
}

static void poll_present_value(struct gen *g, const struct gen_host *cli,
                               const struct gen_host *srv, uint8_t invoke, uint32_t inst)
{
    struct gen_buf b;
    bvlc_begin(&b, 0x0a, true);
    confirmed(&b, invoke, 12);
    objid(&b, 0, true, 0, inst);
    uint_val(&b, 1, true, 85);
    bvlc_send(g, &b, cli, srv);
    bvlc_begin(&b, 0x0a, false);
    gb_u8(&b, 0x30);
    gb_u8(&b, invoke);
    gb_u8(&b, 12);
    objid(&b, 0, true, 0, inst);
    uint_val(&b, 1, true, 85);
    open_tag(&b, 3);
    real_val(&b, 18.0f + (float)gen_range(g, 80) / 10.0f);
    close_tag(&b, 3);
    bvlc_send(g, &b, srv, cli);
}

static void write_setpoint(struct gen *g, const struct gen_host *cli, const struct gen_host *srv,
                           uint8_t invoke, uint32_t type, uint32_t inst, float value)
{
    struct gen_buf b;
    bvlc_begin(&b, 0x0a, true);
    confirmed(&b, invoke, 15);
    objid(&b, 0, true, type, inst);
    uint_val(&b, 1, true, 85);
    open_tag(&b, 3);
    if (type == 4) { /* binary-output: enumerated active */
        tag(&b, 9, false, 1);
        gb_u8(&b, value > 0 ? 1 : 0);
    } else {
        real_val(&b, value);
    }
    close_tag(&b, 3);
    uint_val(&b, 4, true, 8); /* priority 8: manual operator */
    bvlc_send(g, &b, cli, srv);
    simple_ack(g, srv, cli, invoke, 15);
}

static void reinitialize(struct gen *g, const struct gen_host *cli, const struct gen_host *srv,
                         uint8_t invoke, uint8_t state, const char *password)
{
    struct gen_buf b;
    bvlc_begin(&b, 0x0a, true);
    confirmed(&b, invoke, 20);
    uint_val(&b, 0, true, state);
    if (password)
        ctx_charstring(&b, 1, password);
    bvlc_send(g, &b, cli, srv);
}

static void operator_actions(struct gen *g, const struct gen_host *cli,
                             const struct gen_host *srv, uint8_t *invoke)
{
    struct gen_buf b;
    write_setpoint(g, cli, srv, (*invoke)++, 1, 1, 21.5f); /* analog-output,1 */
    write_setpoint(g, cli, srv, (*invoke)++, 4, 2, 1.0f);  /* binary-output,2 */

    /* warm start: wrong password first (error security/password-failure), then accepted */
    reinitialize(g, cli, srv, *invoke, 1, "admin");
    bvlc_begin(&b, 0x0a, false);
    gb_u8(&b, 0x50);
    gb_u8(&b, *invoke);
    gb_u8(&b, 20);
    tag(&b, 9, false, 1);
    gb_u8(&b, 4);  /* security */
    tag(&b, 9, false, 1);
    gb_u8(&b, 26); /* password-failure */
    bvlc_send(g, &b, srv, cli);
    (*invoke)++;
    reinitialize(g, cli, srv, *invoke, 1, "bms2024!");
    simple_ack(g, srv, cli, (*invoke)++, 20);

    /* device communication control: silence for 5 minutes, then enable again */
    for (int k = 0; k < 2; k++) {
        bvlc_begin(&b, 0x0a, true);
        confirmed(&b, *invoke, 17);
        if (k == 0)
            uint_val(&b, 0, true, 5);
        uint_val(&b, 1, true, k == 0 ? 1 : 0);
        bvlc_send(g, &b, cli, srv);
        simple_ack(g, srv, cli, (*invoke)++, 17);
    }

    /* backup: start-backup, read the configuration file, end-backup */
    reinitialize(g, cli, srv, *invoke, 2, "bms2024!");
    simple_ack(g, srv, cli, (*invoke)++, 20);
    bvlc_begin(&b, 0x0a, true);
    confirmed(&b, *invoke, 6);
    objid(&b, 12, false, 10, 1);
    open_tag(&b, 0);
    tag(&b, 3, false, 1);
    gb_u8(&b, 0);
    uint_val(&b, 2, false, 480);
    close_tag(&b, 0);
    bvlc_send(g, &b, cli, srv);
    bvlc_begin(&b, 0x0a, false);
    gb_u8(&b, 0x30);
    gb_u8(&b, *invoke);
    gb_u8(&b, 6);
    tag(&b, 1, false, 1); /* end-of-file true */
    open_tag(&b, 0);
    tag(&b, 3, false, 1);
    gb_u8(&b, 0);
    tag(&b, 6, false, 64);
    for (int i = 0; i < 64; i++)
        gb_u8(&b, (uint8_t)gen_range(g, 256));
    close_tag(&b, 0);
    bvlc_send(g, &b, srv, cli);
    (*invoke)++;
    reinitialize(g, cli, srv, *invoke, 3, "bms2024!");
    simple_ack(g, srv, cli, (*invoke)++, 20);
}

static void time_sync(struct gen *g, const struct gen_host *cli, const struct gen_host *srv)
{
    struct gen_host bcast = *srv;
    memset(bcast.mac, 0xff, 6);
    bcast.ip[3] = 255;
    int64_t s = g->t_ns / 1000000000ll;
    int64_t days = s / 86400, secs = s % 86400;
    /* civil date from days since 1970-01-01 (Howard Hinnant's algorithm) */
    int64_t z = days + 719468, era = z / 146097, doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
    int64_t d = doy - (153 * mp + 2) / 5 + 1, m = mp < 10 ? mp + 3 : mp - 9;
    int64_t y = yoe + era * 400 + (m <= 2);
    struct gen_buf b;
    bvlc_begin(&b, 0x0b, false);
    gb_u8(&b, 0x10);
    gb_u8(&b, 0x06);
    tag(&b, 10, false, 4);
    gb_u8(&b, (uint8_t)(y - 1900));
    gb_u8(&b, (uint8_t)m);
    gb_u8(&b, (uint8_t)d);
    gb_u8(&b, (uint8_t)((days + 3) % 7 + 1)); /* 1970-01-01 was a Thursday; Monday = 1 */
    tag(&b, 11, false, 4);
    gb_u8(&b, (uint8_t)(secs / 3600));
    gb_u8(&b, (uint8_t)(secs / 60 % 60));
    gb_u8(&b, (uint8_t)(secs % 60));
    gb_u8(&b, 0);
    bvlc_send(g, &b, cli, &bcast);
}

void gen_scn_bacnet(struct gen *g, const struct gen_host *cli, const struct gen_host *srv,
                    int variant, int ops)
{
    const struct bn_identity *id =
        &bn_devices[(unsigned)variant % (sizeof bn_devices / sizeof bn_devices[0])];
    uint8_t invoke = (uint8_t)gen_range(g, 200);
    who_is_i_am(g, cli, srv, id);
    read_identity(g, cli, srv, id, invoke++);
    time_sync(g, cli, srv);
    for (int cycle = 0; cycle <= ops; cycle++) {
        for (uint32_t inst = 1; inst <= 3; inst++)
            poll_present_value(g, cli, srv, invoke++, inst);
        gen_advance(g, 1000000000ll);
        if (cycle == 0)
            operator_actions(g, cli, srv, &invoke);
    }
}
