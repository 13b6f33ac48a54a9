/* gen_iec104.c - an IEC 60870-5-104 session on tcp/2404 between a SCADA controlling station
 * (cli) and a controlled station (srv): STARTDT, end of initialization, a station interrogation
 * answered with single points and floats, clock synchronization, a select-before-operate single
 * command, a double command (refused in some variants), a float set-point, a counter
 * interrogation; 'ops' adds spontaneous measurements, S-frame acknowledgements and TESTFR.  The
 * protocol carries no device identity: variants differ in common address and object layout.
 * Like real stations, the answer to an activation often shares a segment with the data. */
#include <string.h>

#include "gen.h"

#define IEC104_PORT 2404

struct iec_layout {
    uint16_t ca;
    uint32_t sp_base, me_base, cmd_sc, cmd_dc, cmd_se, it_base;
};
/* station layouts: common address and information object address plans */
static const struct iec_layout iec_layouts[] = {
    {1, 1001, 2001, 5001, 5101, 6001, 7001},
    {47, 100, 4000, 20000, 20100, 30000, 40000},
    {1201, 1, 1025, 3001, 3051, 3501, 4001},
    {10516, 176800, 176840, 180000, 180100, 181000, 182000},
};

struct iec_conn {
    struct gen *g;
    struct gen_tcp s;
    const struct iec_layout *lay;
    uint16_t ns[2], nr[2]; /* send/receive sequence numbers per side */
    struct gen_buf seg[2]; /* APDUs queued per direction, sent as one segment */
};

/* queue an I-format APDU from dir around the ASDU a */
static void i_frame(struct iec_conn *c, int dir, const struct gen_buf *a)
{
    struct gen_buf *o = &c->seg[dir];
    gb_u8(o, 0x68);
    gb_u8(o, (uint8_t)(4 + a->n));
    gb_le16(o, (uint16_t)(c->ns[dir] << 1));
    gb_le16(o, (uint16_t)(c->nr[dir] << 1));
    gb_bytes(o, a->b, a->n);
    c->ns[dir] = (uint16_t)((c->ns[dir] + 1) & 0x7fff);
    c->nr[1 - dir] = c->ns[dir];
}

static void u_frame(struct iec_conn *c, int dir, uint8_t f)
{
    gb_bytes(&c->seg[dir], (const uint8_t[]){0x68, 0x04, f, 0, 0, 0}, 6);
}

static void s_frame(struct iec_conn *c, int dir)
{
    struct gen_buf *o = &c->seg[dir];
    gb_bytes(o, (const uint8_t[]){0x68, 0x04, 0x01, 0x00}, 4);
    gb_le16(o, (uint16_t)(c->nr[dir] << 1));
}

static void flush(struct iec_conn *c, int dir)
{
    struct gen_buf *o = &c->seg[dir];
    if (!o->n)
        return;
    gen_tcp_send(c->g, &c->s, dir, o->b, o->n);
    o->n = 0;
    gen_advance(c->g, dir ? 15000000 : 2000000 + (int64_t)gen_range(c->g, 3000000));
}

static void asdu(struct gen_buf *a, uint8_t type, uint8_t vsq, uint8_t cot, uint16_t ca)
{
    a->n = 0;
    gb_u8(a, type);
    gb_u8(a, vsq);
    gb_u8(a, cot);
    gb_u8(a, 0); /* originator address */
    gb_le16(a, ca);
}

static void ioa(struct gen_buf *a, uint32_t v)
{
    gb_le16(a, (uint16_t)v);
    gb_u8(a, (uint8_t)(v >> 16));
}

/* CP56Time2a (IEC 60870-5-4 §6.8) from the capture clock */
static void cp56(struct gen_buf *a, const struct gen *g)
{
    int64_t s = g->t_ns / 1000000000ll;
    int64_t ms = (s % 60) * 1000 + (g->t_ns / 1000000) % 1000;
    int64_t days = s / 86400, rem = s % 86400;
    /* civil date from days since 1970-01-01 (H. Hinnant's algorithm) */
    int64_t z = days + 719468, era = z / 146097, doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
    int64_t d = doy - (153 * mp + 2) / 5 + 1, m = mp < 10 ? mp + 3 : mp - 9;
    int64_t y = yoe + era * 400 + (m <= 2);
    int64_t wday = (days + 3) % 7 + 1; /* 1 = Monday */
    gb_le16(a, (uint16_t)ms);
    gb_u8(a, (uint8_t)(rem / 60 % 60));
    gb_u8(a, (uint8_t)(rem / 3600));
    gb_u8(a, (uint8_t)(d | wday << 5));
    gb_u8(a, (uint8_t)m);
    gb_u8(a, (uint8_t)(y % 100));
}

static void float_le(struct gen_buf *a, float f)
{
    uint32_t bits;
    memcpy(&bits, &f, 4);
    gb_le32(a, bits);
}

/* activation from the controlling station, confirmation (and termination) from the station */
static void command(struct iec_conn *c, const struct gen_buf *act, bool negative, bool term)
{
    i_frame(c, 0, act);
    flush(c, 0);
    struct gen_buf con = *act;
    con.b[2] = (uint8_t)(7 | (negative ? 0x40 : 0));
    i_frame(c, 1, &con);
    if (term && !negative) {
        con.b[2] = 10;
        i_frame(c, 1, &con);
    }
    flush(c, 1);
}

static void interrogation(struct iec_conn *c)
{
    const struct iec_layout *l = c->lay;
    struct gen_buf a;
    asdu(&a, 100, 1, 6, l->ca);
    ioa(&a, 0);
    gb_u8(&a, 20);
    i_frame(c, 0, &a);
    flush(c, 0);
    a.b[2] = 7;
    i_frame(c, 1, &a);
    struct gen_buf d;
    asdu(&d, 1, 0x80 | 8, 20, l->ca); /* M_SP_NA_1, sequence of 8 */
    ioa(&d, l->sp_base);
    for (int i = 0; i < 8; i++)
        gb_u8(&d, (uint8_t)(gen_range(c->g, 2)));
    i_frame(c, 1, &d);
    asdu(&d, 13, 4, 20, l->ca); /* M_ME_NC_1, four addressed objects */
    for (int i = 0; i < 4; i++) {
        ioa(&d, l->me_base + (uint32_t)i);
        float_le(&d, 20.0f + (float)gen_range(c->g, 400) / 10.0f);
        gb_u8(&d, 0);
    }
    i_frame(c, 1, &d);
    a.b[2] = 10;
    i_frame(c, 1, &a);
    flush(c, 1);
    s_frame(c, 0);
    flush(c, 0);
}

static void counter_interrogation(struct iec_conn *c)
{
    const struct iec_layout *l = c->lay;
    struct gen_buf a, d;
    asdu(&a, 101, 1, 6, l->ca);
    ioa(&a, 0);
    gb_u8(&a, 0x05); /* general request, read */
    i_frame(c, 0, &a);
    flush(c, 0);
    a.b[2] = 7;
    i_frame(c, 1, &a);
    asdu(&d, 15, 2, 37, l->ca); /* M_IT_NA_1, requested by general counter request */
    for (uint32_t i = 0; i < 2; i++) {
        ioa(&d, l->it_base + i);
        gb_le32(&d, 100000 + gen_range(c->g, 50000));
        gb_u8(&d, (uint8_t)i);
    }
    i_frame(c, 1, &d);
    a.b[2] = 10;
    i_frame(c, 1, &a);
    flush(c, 1);
}

static void spontaneous(struct iec_conn *c, int cycle)
{
    const struct iec_layout *l = c->lay;
    struct gen_buf d;
    asdu(&d, 36, 1, 3, l->ca); /* M_ME_TF_1 */
    ioa(&d, l->me_base + (uint32_t)(cycle % 4));
    float_le(&d, 20.0f + (float)gen_range(c->g, 400) / 10.0f);
    gb_u8(&d, 0);
    cp56(&d, c->g);
    i_frame(c, 1, &d);
    if (cycle % 3 == 1) {
        asdu(&d, 30, 1, 3, l->ca); /* M_SP_TB_1 */
        ioa(&d, l->sp_base + (uint32_t)(cycle % 8));
        gb_u8(&d, (uint8_t)(cycle & 1));
        cp56(&d, c->g);
        i_frame(c, 1, &d);
    }
    flush(c, 1);
    s_frame(c, 0);
    flush(c, 0);
    if (cycle % 4 == 3) {
        u_frame(c, 0, 0x43); /* TESTFR act / con */
        flush(c, 0);
        u_frame(c, 1, 0x83);
        flush(c, 1);
    }
}

void gen_scn_iec104(struct gen *g, const struct gen_host *cli, const struct gen_host *srv,
                    int variant, int ops)
{
    struct iec_conn c;
    memset(&c, 0, sizeof c);
    c.g = g;
    c.lay = &iec_layouts[(unsigned)variant % (sizeof iec_layouts / sizeof iec_layouts[0])];
    const struct iec_layout *l = c.lay;
    gen_tcp_open(g, &c.s, cli, (uint16_t)(40000 + gen_range(g, 20000)), srv, IEC104_PORT);
    u_frame(&c, 0, 0x07);
    flush(&c, 0);
    u_frame(&c, 1, 0x0b);
    struct gen_buf a;
    asdu(&a, 70, 1, 4, l->ca); /* M_EI_NA_1 end of initialization, after local power on */
    ioa(&a, 0);
    gb_u8(&a, 0);
    i_frame(&c, 1, &a);
    flush(&c, 1);
    interrogation(&c);

    asdu(&a, 103, 1, 6, l->ca); /* clock synchronization */
    ioa(&a, 0);
    cp56(&a, g);
    command(&c, &a, false, false);

    /* select, then execute a single command (C_SC_NA_1), one APDU split over two segments */
    asdu(&a, 45, 1, 6, l->ca);
    ioa(&a, l->cmd_sc);
    gb_u8(&a, 0x81);
    i_frame(&c, 0, &a);
    gen_tcp_send_split(g, &c.s, 0, c.seg[0].b, c.seg[0].n, 7);
    c.seg[0].n = 0;
    a.b[2] = 7;
    i_frame(&c, 1, &a);
    flush(&c, 1);
    a.b[2] = 6;
    a.b[a.n - 1] = 0x01;
    command(&c, &a, false, true);

    /* a double command, refused by stations in local mode (variants 1 and 3) */
    asdu(&a, 46, 1, 6, l->ca);
    ioa(&a, l->cmd_dc);
    gb_u8(&a, 0x02);
    command(&c, &a, variant % 2 == 1, true);

    /* a float set-point with time tag (C_SE_TC_1) */
    asdu(&a, 63, 1, 6, l->ca);
    ioa(&a, l->cmd_se);
    float_le(&a, 47.5f + (float)variant);
    gb_u8(&a, 0);
    cp56(&a, g);
    command(&c, &a, false, true);

    counter_interrogation(&c);
    for (int i = 0; i < ops; i++)
        spontaneous(&c, i);
    u_frame(&c, 0, 0x13); /* STOPDT */
    flush(&c, 0);
    u_frame(&c, 1, 0x23);
    flush(&c, 1);
    gen_tcp_close(g, &c.s);
}
