/* gen_dnp3.c - a DNP3 session on tcp/20000 between a SCADA master (cli) and an RTU outstation
 * (srv), as IEEE 1815-2012 lays it out: link frames with CRCs every 16 octets, transport
 * segments of at most 249 application octets, application fragments.  The outstation starts
 * with a restart indication; the master disables unsolicited reporting, clears the restart,
 * synchronises time, reads the device attributes (g0v254: the identity, more than one transport
 * segment), polls, operates a breaker (select/operate) and a set-point.  'ops' adds event polls
 * and unsolicited reports. */
#include <string.h>

#include "gen.h"

#define DNP3_PORT   20000
#define MASTER_ADDR 1
#define TP_MAX      249 /* application octets per transport segment (clause 8) */

struct dnp3_identity {
    uint16_t addr;
    const char *vendor, *product, *firmware, *hardware, *serial, *name, *location;
};

/* product lines that speak DNP3 as outstations */
static const struct dnp3_identity dnp3_devices[] = {
    {10, "ABB", "RTU560 560CMD11", "12.7.2", "R0004", "1KGT024510R0001-0457", "SS-NORTH RTU1",
     "Substation North, relay room"},
    {20, "Schweitzer Engineering Laboratories", "SEL-3530 RTAC", "R150-V2", "3530-A1", "1183620215",
     "RTAC-FEEDER-12", "Feeder 12 control house"},
    {30, "Schneider Electric", "SCADAPack 474", "9.2.1", "Rev C", "474-1234-5678", "PUMP-STN-3",
     "Pump station 3"},
    {40, "Siemens", "SICAM A8000 CP-8050", "V05.30", "6MF2805-0AA00", "BF2208123456", "WTG-SUB-A8K",
     "Wind farm collector substation"},
};

struct dnp3_conn {
    struct gen *g;
    struct gen_tcp s;
    uint16_t out_addr;
    uint8_t tseq[2];    /* transport sequence per direction */
    uint8_t mseq, useq; /* master and unsolicited application sequence */
};

static uint16_t dnp3_crc(const uint8_t *p, size_t n)
{
    uint16_t crc = 0;
    for (size_t i = 0; i < n; i++) {
        crc ^= p[i];
        for (int b = 0; b < 8; b++)
            crc = (crc & 1) ? (uint16_t)((crc >> 1) ^ 0xA6BC) : (uint16_t)(crc >> 1);
    }
    return (uint16_t)~crc;
}

/* one link frame (unconfirmed user data) around transport + application octets */
static void dnp3_link(struct gen_buf *out, int dir, uint16_t dst, uint16_t src, const uint8_t *ud,
                      size_t n)
{
    uint8_t h[8] = {0x05,
                    0x64,
                    (uint8_t)(n + 5),
                    dir ? 0x44 : 0xc4,
                    (uint8_t)dst,
                    (uint8_t)(dst >> 8),
                    (uint8_t)src,
                    (uint8_t)(src >> 8)};
    gb_bytes(out, h, 8);
    gb_le16(out, dnp3_crc(h, 8));
    for (size_t off = 0; off < n; off += 16) {
        size_t k = n - off < 16 ? n - off : 16;
        gb_bytes(out, ud + off, k);
        gb_le16(out, dnp3_crc(ud + off, k));
    }
}

/* an application fragment from dir, cut into transport segments, one TCP segment */
static void dnp3_send(struct dnp3_conn *c, int dir, const struct gen_buf *app)
{
    static struct gen_buf out;
    out.n = 0;
    uint16_t dst = dir ? MASTER_ADDR : c->out_addr, src = dir ? c->out_addr : MASTER_ADDR;
    for (size_t off = 0; off < app->n; off += TP_MAX) {
        size_t k = app->n - off < TP_MAX ? app->n - off : TP_MAX;
        uint8_t ud[TP_MAX + 1];
        ud[0] = (uint8_t)((off == 0 ? 0x40 : 0) | (off + k == app->n ? 0x80 : 0) |
                          (c->tseq[dir] & 0x3f));
        c->tseq[dir]++;
        memcpy(ud + 1, app->b + off, k);
        dnp3_link(&out, dir, dst, src, ud, k + 1);
    }
    gen_tcp_send(c->g, &c->s, dir, out.b, out.n);
    gen_advance(c->g, dir ? 20000000 : 3000000 + (int64_t)gen_range(c->g, 2000000));
}

static void app_request(struct gen_buf *a, struct dnp3_conn *c, uint8_t fc)
{
    a->n = 0;
    gb_u8(a, (uint8_t)(0xc0 | (c->mseq & 0x0f)));
    gb_u8(a, fc);
}

static void app_response(struct gen_buf *a, uint8_t seq, uint8_t iin1, uint8_t iin2)
{
    a->n = 0;
    gb_u8(a, (uint8_t)(0xc0 | (seq & 0x0f)));
    gb_u8(a, 0x81);
    gb_u8(a, iin1);
    gb_u8(a, iin2);
}

/* a request and its response carrying the objects in rsp (may be empty) */
static void exchange(struct dnp3_conn *c, const struct gen_buf *req, const struct gen_buf *rsp_obj,
                     uint8_t iin1)
{
    dnp3_send(c, 0, req);
    struct gen_buf rsp;
    app_response(&rsp, c->mseq, iin1, 0);
    if (rsp_obj)
        gb_bytes(&rsp, rsp_obj->b, rsp_obj->n);
    dnp3_send(c, 1, &rsp);
    c->mseq++;
}

static void dnp3_time48(struct gen_buf *b, const struct gen *g)
{
    uint64_t ms = (uint64_t)(g->t_ns / 1000000);
    gb_le32(b, (uint32_t)ms);
    gb_le16(b, (uint16_t)(ms >> 32));
}

/* the device attribute set of a g0v254 answer (Annex A group 0) */
static void device_attributes(struct gen_buf *b, const struct dnp3_identity *id)
{
    const struct {
        uint8_t var;
        const char *text;
        uint16_t num;
    } attrs[] = {
        {252, id->vendor, 0},   {250, id->product, 0},
        {242, id->firmware, 0}, {243, id->hardware, 0},
        {248, id->serial, 0},   {247, id->name, 0},
        {245, id->location, 0}, {246, id->serial + strlen(id->serial) - 4, 0},
        {249, "2:2012", 0},     {241, NULL, 2048},
        {240, NULL, 2048},      {239, NULL, 16},
        {238, NULL, 15},        {233, NULL, 8},
        {232, NULL, 7},         {224, NULL, 4},
        {223, NULL, 3},         {221, NULL, 2},
        {220, NULL, 1},
    };
    for (size_t i = 0; i < sizeof attrs / sizeof attrs[0]; i++) {
        gb_u8(b, 0);
        gb_u8(b, attrs[i].var);
        gb_u8(b, 0x00); /* start-stop, 1 octet */
        gb_u8(b, 0);
        gb_u8(b, 0);
        if (attrs[i].text) {
            gb_u8(b, 1); /* VSTR */
            gb_u8(b, (uint8_t)strlen(attrs[i].text));
            gb_str(b, attrs[i].text);
        } else {
            gb_u8(b, 2); /* UINT */
            gb_u8(b, 2);
            gb_le16(b, attrs[i].num);
        }
    }
}

/* class 0 data: binary inputs, binary output status, analog inputs, analog output status */
static void static_data(struct gen *g, struct gen_buf *b)
{
    gb_bytes(b, (const uint8_t[]){1, 2, 0x00, 0, 15}, 5);
    for (int i = 0; i < 16; i++)
        gb_u8(b, (uint8_t)(0x01 | (gen_range(g, 3) == 0 ? 0x80 : 0)));
    gb_bytes(b, (const uint8_t[]){10, 2, 0x00, 0, 3}, 5);
    for (int i = 0; i < 4; i++)
        gb_u8(b, i == 3 ? 0x81 : 0x01);
    gb_bytes(b, (const uint8_t[]){30, 1, 0x00, 0, 7}, 5);
    for (int i = 0; i < 8; i++) {
        gb_u8(b, 0x01);
        gb_le32(b, 1000 + gen_range(g, 9000));
    }
    gb_bytes(b, (const uint8_t[]){40, 2, 0x00, 0, 1}, 5);
    for (int i = 0; i < 2; i++) {
        gb_u8(b, 0x01);
        gb_le16(b, (uint16_t)(500 * (i + 1)));
    }
}

/* a CROB on index idx (g12v1, 2-octet index prefix, 2-octet count) */
static void crob(struct gen_buf *b, uint16_t idx, uint8_t code, uint8_t status)
{
    gb_bytes(b, (const uint8_t[]){12, 1, 0x28}, 3);
    gb_le16(b, 1);
    gb_le16(b, idx);
    gb_u8(b, code);
    gb_u8(b, 1);
    gb_le32(b, 1000); /* on-time ms */
    gb_le32(b, 0);
    gb_u8(b, status);
}

static void unsolicited(struct dnp3_conn *c, const struct gen_buf *objs, uint8_t iin1)
{
    struct gen_buf a = {{0}, 0};
    gb_u8(&a, (uint8_t)(0xf0 | (c->useq & 0x0f)));
    gb_u8(&a, 0x82);
    gb_u8(&a, iin1);
    gb_u8(&a, 0);
    if (objs)
        gb_bytes(&a, objs->b, objs->n);
    dnp3_send(c, 1, &a);
    a.n = 0;
    gb_u8(&a, (uint8_t)(0xd0 | (c->useq & 0x0f))); /* confirm, UNS */
    gb_u8(&a, 0x00);
    dnp3_send(c, 0, &a);
    c->useq++;
}

static void event_poll(struct dnp3_conn *c, int cycle)
{
    struct gen_buf req, ev = {{0}, 0};
    app_request(&req, c, 1);
    gb_bytes(&req, (const uint8_t[]){60, 2, 0x06, 60, 3, 0x06, 60, 4, 0x06}, 9);
    if (cycle % 3 == 2) {
        /* a binary input change with time (g2v2), 2-octet count and index prefix */
        gb_bytes(&ev, (const uint8_t[]){2, 2, 0x28}, 3);
        gb_le16(&ev, 1);
        gb_le16(&ev, (uint16_t)(cycle % 16));
        gb_u8(&ev, 0x81);
        dnp3_time48(&ev, c->g);
    }
    exchange(c, &req, ev.n ? &ev : NULL, 0);
    if (cycle % 4 == 3) {
        struct gen_buf ai = {{0}, 0};
        gb_bytes(&ai, (const uint8_t[]){32, 1, 0x28}, 3); /* analog change, no time */
        gb_le16(&ai, 1);
        gb_le16(&ai, 2);
        gb_u8(&ai, 0x01);
        gb_le32(&ai, 4000 + gen_range(c->g, 1000));
        unsolicited(c, &ai, 0x02);
    }
}

void gen_scn_dnp3(struct gen *g, const struct gen_host *cli, const struct gen_host *srv,
                  int variant, int ops)
{
    const struct dnp3_identity *id =
        &dnp3_devices[(unsigned)variant % (sizeof dnp3_devices / sizeof dnp3_devices[0])];
    struct dnp3_conn c;
    memset(&c, 0, sizeof c);
    c.g = g;
    c.out_addr = id->addr;
    gen_tcp_open(g, &c.s, cli, (uint16_t)(40000 + gen_range(g, 20000)), srv, DNP3_PORT);

    /* the outstation announces its restart (IIN1.7) and that it needs time (IIN1.4) */
    unsolicited(&c, NULL, 0x90);
    struct gen_buf req, obj;
    app_request(&req, &c, 21); /* disable unsolicited, classes 1-3 */
    gb_bytes(&req, (const uint8_t[]){60, 2, 0x06, 60, 3, 0x06, 60, 4, 0x06}, 9);
    exchange(&c, &req, NULL, 0x90);
    app_request(&req, &c, 2); /* write g80v1 index 7 = 0: clear device restart */
    gb_bytes(&req, (const uint8_t[]){80, 1, 0x00, 7, 7, 0x00}, 6);
    exchange(&c, &req, NULL, 0x10);
    app_request(&req, &c, 2); /* write g50v1 time and date */
    gb_bytes(&req, (const uint8_t[]){50, 1, 0x07, 1}, 4);
    dnp3_time48(&req, g);
    exchange(&c, &req, NULL, 0x00);

    /* identity: all device attributes; the answer spans two transport segments */
    app_request(&req, &c, 1);
    gb_bytes(&req, (const uint8_t[]){0, 254, 0x06}, 3);
    obj.n = 0;
    device_attributes(&obj, id);
    exchange(&c, &req, &obj, 0x00);

    /* integrity poll */
    app_request(&req, &c, 1);
    gb_bytes(&req, (const uint8_t[]){60, 2, 0x06, 60, 3, 0x06, 60, 4, 0x06, 60, 1, 0x06}, 12);
    obj.n = 0;
    static_data(g, &obj);
    exchange(&c, &req, &obj, 0x00);
    app_request(&req, &c, 20); /* enable unsolicited */
    gb_bytes(&req, (const uint8_t[]){60, 2, 0x06, 60, 3, 0x06, 60, 4, 0x06}, 9);
    exchange(&c, &req, NULL, 0x00);

    /* operator: close breaker 3 (select before operate), the echo carries the status */
    app_request(&req, &c, 3);
    crob(&req, 3, 0x41, 0); /* pulse on, close */
    obj.n = 0;
    crob(&obj, 3, 0x41, 0);
    exchange(&c, &req, &obj, 0x00);
    app_request(&req, &c, 4);
    crob(&req, 3, 0x41, 0);
    obj.n = 0;
    crob(&obj, 3, 0x41, variant == 2 ? 7 : 0); /* variant 2: the RTU is in local control */
    exchange(&c, &req, &obj, variant == 2 ? 0x20 : 0x00);
    /* a set-point: direct operate g41v2 index 1 */
    app_request(&req, &c, 5);
    gb_bytes(&req, (const uint8_t[]){41, 2, 0x17, 1, 1}, 5);
    gb_le16(&req, (uint16_t)(1200 + 100 * variant));
    gb_u8(&req, 0);
    obj.n = 0;
    gb_bytes(&obj, req.b + 2, req.n - 2);
    exchange(&c, &req, &obj, 0x00);

    for (int i = 0; i < ops; i++)
        event_poll(&c, i);
    if (variant == 3) { /* a maintenance restart */
        app_request(&req, &c, 13);
        obj.n = 0;
        gb_bytes(&obj, (const uint8_t[]){52, 2, 0x07, 1, 0x88, 0x13}, 6); /* delay 5000 ms */
        exchange(&c, &req, &obj, 0x00);
    }
    gen_tcp_close(g, &c.s);
}
