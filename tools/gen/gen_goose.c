/* gen_goose.c - a protection IED (srv) publishing two GOOSE control blocks on ethertype 0x88b8
 * (IEC 61850-8-1 Annex A and C): a trip data set inside an 802.1Q tag (VLAN 10) and a
 * measurement data set untagged.  Heartbeats every second, then a trip (stNum + 1 with the fast
 * retransmission 2, 4, 8, 16 ms, sqNum counting up), its reset, one test-mode burst (test =
 * TRUE) and one simulated frame (Ed.2: reserved1 S bit and simulation = TRUE).  'ops' adds
 * heartbeats; variants pick the IED name.  cli is not used: GOOSE goes to a multicast group. */
#include <string.h>

#include "gen.h"

#define GOOSE_ETHERTYPE 0x88b8
#define HEARTBEAT_NS    1000000000ll /* retransmission at the maximum interval */
#define TAL_MS          2000         /* timeAllowedtoLive: twice the heartbeat */

static const char *const ied_names[] = {"IED1", "AA1J1Q01A1", "Q01FDR7SJ82"};

/* one GOOSE control block and its state machine (8-1 §18.1: stNum/sqNum) */
struct gcb {
    char ref[80], dat_set[80], go_id[40];
    uint16_t appid;
    uint8_t dst[6];
    uint32_t conf_rev, st_num, sq_num;
    int64_t t_ns; /* time of the last state change */
    bool trip;    /* the published value */
    float power;  /* measurement */
    bool measurement;
    const struct gen_host *pub;
};

static void clear(struct gen_buf *b)
{
    b->n = 0;
}

/* DER INTEGER of an unsigned value: minimal octets, a leading zero when the top bit is set */
static void tlv_uint(struct gen_buf *out, uint8_t tag, uint32_t v)
{
    uint8_t o[5];
    size_t n = 0;
    int shift = 24;
    while (shift > 0 && ((v >> shift) & 0xff) == 0)
        shift -= 8;
    if ((v >> shift) & 0x80)
        o[n++] = 0;
    for (; shift >= 0; shift -= 8)
        o[n++] = (uint8_t)(v >> shift);
    gb_tlv_raw(out, tag, o, n);
}

static void tlv_str(struct gen_buf *out, uint8_t tag, const char *s)
{
    gb_tlv_raw(out, tag, s, strlen(s));
}

/* UtcTime: seconds, 24-bit fraction, TimeQuality 0x0a (synchronised, 10 bits accuracy) */
static void tlv_utc(struct gen_buf *out, uint8_t tag, int64_t ns)
{
    uint32_t sec = (uint32_t)(ns / 1000000000ll);
    uint32_t frac = (uint32_t)(((uint64_t)(ns % 1000000000ll) << 24) / 1000000000ull);
    uint8_t o[8] = {(uint8_t)(sec >> 24),  (uint8_t)(sec >> 16), (uint8_t)(sec >> 8), (uint8_t)sec,
                    (uint8_t)(frac >> 16), (uint8_t)(frac >> 8), (uint8_t)frac,       0x0a};
    gb_tlv_raw(out, tag, o, sizeof o);
}

/* Quality: 13-bit BIT STRING (3 unused bits), all good */
static void tlv_quality(struct gen_buf *out)
{
    gb_tlv_raw(out, 0x84, "\x03\x00\x00", 3);
}

/* the data set values (Data CHOICE: [3] boolean, [4] bit-string, [5] integer, [7] float,
 * [17] utc-time, [2] structure) and their count */
static uint32_t all_data(struct gen_buf *d, const struct gcb *c)
{
    clear(d);
    if (!c->measurement) {
        /* PTRC1.Tr.general, .q, .t; XCBR1.Pos {stVal (Dbpos), q, t} */
        gb_tlv_raw(d, 0x83, c->trip ? "\x01" : "\x00", 1);
        tlv_quality(d);
        tlv_utc(d, 0x91, c->t_ns);
        struct gen_buf pos;
        clear(&pos);
        gb_tlv_raw(&pos, 0x84, c->trip ? "\x06\x40" : "\x06\x80", 2); /* off (01) / on (10) */
        tlv_quality(&pos);
        tlv_utc(&pos, 0x91, c->t_ns);
        gb_tlv(d, 0xa2, &pos);
        return 4;
    }
    /* MMXU1.TotW.mag.f, .q; a counter (integer) */
    uint32_t bits;
    memcpy(&bits, &c->power, sizeof bits);
    uint8_t f[5] = {8, (uint8_t)(bits >> 24), (uint8_t)(bits >> 16), (uint8_t)(bits >> 8),
                    (uint8_t)bits};
    gb_tlv_raw(d, 0x87, f, sizeof f);
    tlv_quality(d);
    gb_tlv_raw(d, 0x85, "\x2a", 1);
    return 3;
}

static void publish(struct gen *g, struct gcb *c, bool test, bool simulation)
{
    struct gen_buf d, pdu, apdu, frame;
    uint32_t entries = all_data(&d, c);
    clear(&pdu);
    tlv_str(&pdu, 0x80, c->ref);
    tlv_uint(&pdu, 0x81, TAL_MS);
    tlv_str(&pdu, 0x82, c->dat_set);
    tlv_str(&pdu, 0x83, c->go_id);
    tlv_utc(&pdu, 0x84, c->t_ns);
    tlv_uint(&pdu, 0x85, c->st_num);
    tlv_uint(&pdu, 0x86, c->sq_num);
    gb_tlv_raw(&pdu, 0x87, test ? "\xff" : "\x00", 1);
    tlv_uint(&pdu, 0x88, c->conf_rev);
    gb_tlv_raw(&pdu, 0x89, "\x00", 1);
    tlv_uint(&pdu, 0x8a, entries);
    gb_tlv(&pdu, 0xab, &d);
    clear(&apdu);
    gb_tlv(&apdu, 0x61, &pdu);
    /* APPID, Length (from APPID to the end of the APDU), reserved1 (bit 15 simulation),
     * reserved2 (Annex C.2.3) */
    clear(&frame);
    gb_be16(&frame, c->appid);
    gb_be16(&frame, (uint16_t)(8 + apdu.n));
    gb_be16(&frame, simulation ? 0x8000 : 0);
    gb_be16(&frame, 0);
    gb_bytes(&frame, apdu.b, apdu.n);
    gen_l2(g, c->pub, c->dst, GOOSE_ETHERTYPE, frame.b, frame.n);
    c->sq_num++;
}

/* a state change: new stNum, sqNum from 0, fast retransmissions at 2, 4, 8, 16 ms */
static void event(struct gen *g, struct gcb *c, bool trip, bool test)
{
    c->trip = trip;
    c->st_num++;
    c->sq_num = 0;
    c->t_ns = g->t_ns;
    int64_t gap = 2000000;
    for (int i = 0; i < 5; i++) {
        publish(g, c, test, false);
        gen_advance(g, gap);
        gap *= 2;
    }
}

static void init_gcb(struct gcb *c, const char *ied, const char *ld, const char *cb, const char *ds,
                     uint16_t appid, uint32_t conf_rev, int64_t now)
{
    memset(c, 0, sizeof *c);
    size_t n = strlen(ied);
    char ldn[48];
    memcpy(ldn, ied, n);
    memcpy(ldn + n, ld, strlen(ld) + 1);
    n = strlen(ldn);
    memcpy(c->ref, ldn, n);
    memcpy(c->ref + n, "/LLN0$GO$", 9);
    memcpy(c->ref + n + 9, cb, strlen(cb) + 1);
    memcpy(c->dat_set, ldn, n);
    memcpy(c->dat_set + n, "/LLN0$", 6);
    memcpy(c->dat_set + n + 6, ds, strlen(ds) + 1);
    memcpy(c->go_id, ldn, n);
    c->go_id[n] = '_';
    memcpy(c->go_id + n + 1, cb, strlen(cb) + 1);
    c->appid = appid;
    static const uint8_t mc[6] = {0x01, 0x0c, 0xcd, 0x01, 0x00, 0x00};
    memcpy(c->dst, mc, 6);
    c->dst[5] = (uint8_t)appid;
    c->conf_rev = conf_rev;
    c->st_num = 1;
    c->t_ns = now;
}

void gen_scn_goose(struct gen *g, const struct gen_host *cli, const struct gen_host *srv,
                   int variant, int ops)
{
    (void)cli;
    const char *ied = ied_names[(unsigned)variant % (sizeof ied_names / sizeof *ied_names)];
    struct gen_host tagged = *srv;
    tagged.vlan = 10;
    struct gcb trip, meas;
    init_gcb(&trip, ied, "CTRL", "gcb01", "dsTrip", 0x0001, 3, g->t_ns);
    trip.pub = &tagged;
    init_gcb(&meas, ied, "MEAS", "gcbMeas", "dsMeas", 0x0002, 1, g->t_ns);
    meas.pub = srv;
    meas.measurement = true;
    meas.power = 12.5f;
    int beats = 3 + (ops > 0 ? ops : 0);
    for (int i = 0; i < beats; i++) {
        publish(g, &trip, false, false);
        gen_advance(g, 1000000 + (int64_t)gen_range(g, 1000000));
        publish(g, &meas, false, false);
        gen_advance(g, HEARTBEAT_NS - 2000000);
        meas.power += 0.25f;
    }
    /* the trip and its reset, with measurement heartbeats in between */
    event(g, &trip, true, false);
    publish(g, &trip, false, false);
    publish(g, &meas, false, false);
    gen_advance(g, HEARTBEAT_NS);
    event(g, &trip, false, false);
    publish(g, &meas, false, false);
    gen_advance(g, HEARTBEAT_NS);
    /* a test-mode trip (commissioning: test = TRUE), then one simulated measurement frame */
    event(g, &trip, true, true);
    gen_advance(g, HEARTBEAT_NS);
    meas.st_num++;
    meas.sq_num = 0;
    meas.t_ns = g->t_ns;
    publish(g, &meas, true, true); /* Ed.2: the S bit goes with simulation = TRUE */
    gen_advance(g, 500000);
}
