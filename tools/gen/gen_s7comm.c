/* gen_s7comm.c - ISO-on-TCP sessions with Siemens CPUs.  Variants 0-3: S7comm between an
 * engineering workstation and an S7-300/400 CPU: COTP connect to rack 0 slot 2, setup
 * communication, SZL 0x0011, 0x001C (segmented over two answers when the PDU size is 240) and
 * 0x0424 reads with the CPU's real identity, cyclic variable reads, a variable write, a block
 * download with its activation, and (variants 1 and 3) PLC stop and hot restart.  Variants 4-7:
 * S7comm-plus with an S7-1200/1500: an HMI session (CreateObject with the CPU's order number and
 * firmware in the answer, DB reads and a write) and, for odd variants, an engineering session
 * that stops and restarts the CPU. */
#include <string.h>

#include "gen.h"

static const struct {
    const char *mlfb, *name, *module, *serial, *type;
    uint8_t hw, fw[3];
    uint16_t pdu;
} cpus[] = {
    {"6ES7 315-2EH14-0AB0",
     "PLC_LINE4",
     "CPU 315-2 PN/DP",
     "S C-X4U421302009",
     "CPU 315-2 PN/DP",
     4,
     {3, 2, 6},
     480},
    {"6ES7 317-2EK14-0AB0",
     "PLC_BOILER",
     "CPU 317-2 PN/DP",
     "S C-B1T377112018",
     "CPU 317-2 PN/DP",
     3,
     {3, 2, 8},
     480},
    {"6ES7 412-2EK06-0AB0",
     "PLC_TURBINE",
     "CPU 412-2 PN",
     "S C-V7P100232015",
     "CPU 412-2 PN",
     2,
     {6, 0, 3},
     240},
    {"6ES7 151-8AB01-0AB0",
     "ET200_PACK",
     "IM151-8 PN/DP CPU",
     "S C-H6N211882011",
     "IM151-8 PN/DP CPU",
     1,
     {3, 2, 10},
     240},
};

/* S7-1200/1500 identities as their ServerSessionVersion PAOM string shows them */
static const char *const plus_cpus[] = {
    "1;6ES7 516-3AN01-0AB0 ;V2.9", /* CPU 1516-3 PN/DP */
    "1;6ES7 511-1AK02-0AB0 ;V2.8", /* CPU 1511-1 PN */
    "1;6ES7 214-1AG40-0XB0 ;V4.4", /* CPU 1214C DC/DC/DC */
    "1;6ES7 215-1AG40-0XB0 ;V4.5", /* CPU 1215C DC/DC/DC */
};

static void tpkt(struct gen_buf *b)
{
    b->n = 0;
    gb_u8(b, 3);
    gb_u8(b, 0);
    gb_be16(b, 0);
    gb_u8(b, 2);    /* COTP LI */
    gb_u8(b, 0xf0); /* DT */
    gb_u8(b, 0x80); /* EOT */
}

static void fix(struct gen_buf *b)
{
    gb_put_be16(b, 2, (uint16_t)b->n);
}

static void s7hdr(struct gen_buf *b, uint8_t rosctr, uint16_t ref, uint16_t plen, uint16_t dlen)
{
    gb_u8(b, 0x32);
    gb_u8(b, rosctr);
    gb_be16(b, 0);
    gb_be16(b, ref);
    gb_be16(b, plen);
    gb_be16(b, dlen);
    if (rosctr == 2 || rosctr == 3)
        gb_be16(b, 0); /* error class, code */
}

static void send_s7(struct gen *g, struct gen_tcp *s, int dir, struct gen_buf *b)
{
    fix(b);
    gen_tcp_send(g, s, dir, b->b, b->n);
}

/* COTP connection request and confirm; tsap is two bytes or a name */
static void cotp_connect(struct gen *g, struct gen_tcp *s, const void *tsap, size_t tn,
                         uint16_t src_tsap)
{
    for (int dir = 0; dir < 2; dir++) {
        struct gen_buf b;
        b.n = 0;
        gb_u8(&b, 3);
        gb_u8(&b, 0);
        gb_be16(&b, 0);
        gb_u8(&b, 0); /* LI, patched */
        gb_u8(&b, dir ? 0xd0 : 0xe0);
        gb_be16(&b, dir ? 0x0001 : 0x0000); /* dst ref */
        gb_be16(&b, dir ? 0x0009 : 0x0001); /* src ref */
        gb_u8(&b, 0);
        static const uint8_t size[] = {0xc0, 1, 0x0a};
        gb_bytes(&b, size, sizeof size);
        gb_u8(&b, 0xc1);
        gb_u8(&b, 2);
        gb_be16(&b, src_tsap);
        gb_u8(&b, 0xc2);
        gb_u8(&b, (uint8_t)tn);
        gb_bytes(&b, tsap, tn);
        b.b[4] = (uint8_t)(b.n - 5);
        fix(&b);
        gen_tcp_send(g, s, dir, b.b, b.n);
    }
}

static void szl_req(struct gen *g, struct gen_tcp *s, uint16_t ref, uint16_t id, uint8_t seq)
{
    struct gen_buf b;
    tpkt(&b);
    s7hdr(&b, 7, ref, 8, 8);
    const uint8_t p[] = {0x00, 0x01, 0x12, 0x04, 0x11, 0x44, 0x01, seq};
    gb_bytes(&b, p, sizeof p);
    gb_u8(&b, 0xff);
    gb_u8(&b, 0x09);
    gb_be16(&b, 4);
    gb_be16(&b, id);
    gb_be16(&b, 0);
    send_s7(g, s, 0, &b);
}

/* one userdata SZL answer segment: dur/last in the parameter, then 'n' data bytes */
static void szl_segment(struct gen *g, struct gen_tcp *s, uint16_t ref, uint8_t seq, uint8_t dur,
                        uint8_t last, const uint8_t *d, size_t n)
{
    struct gen_buf b;
    tpkt(&b);
    s7hdr(&b, 7, ref, 12, (uint16_t)(4 + n));
    const uint8_t p[] = {0x00, 0x01, 0x12, 0x08, 0x12, 0x84, 0x01, seq, dur, last, 0, 0};
    gb_bytes(&b, p, sizeof p);
    gb_u8(&b, 0xff);
    gb_u8(&b, 0x09);
    gb_be16(&b, (uint16_t)n);
    gb_bytes(&b, d, n);
    send_s7(g, s, 1, &b);
}

/* the whole answer (SZL header + records); split in two segments when it exceeds what fits in
 * the negotiated PDU, with the client's continuation request in between */
static void szl_rsp(struct gen *g, struct gen_tcp *s, uint16_t ref, uint8_t seq, uint16_t id,
                    const struct gen_buf *recs, uint16_t len, uint16_t count, uint16_t pdu)
{
    struct gen_buf d;
    d.n = 0;
    gb_be16(&d, id);
    gb_be16(&d, 0);
    gb_be16(&d, len);
    gb_be16(&d, count);
    gb_bytes(&d, recs->b, recs->n);
    size_t room = (size_t)pdu - 10 - 12 - 4;
    if (d.n <= room) {
        szl_segment(g, s, ref, seq, 0, 0, d.b, d.n);
        return;
    }
    const uint8_t dur = 0x2a;
    szl_segment(g, s, ref, seq, dur, 1, d.b, room);
    struct gen_buf b;
    tpkt(&b);
    s7hdr(&b, 7, (uint16_t)(ref + 1), 12, 4);
    const uint8_t p[] = {0x00, 0x01, 0x12, 0x08, 0x12, 0x44, 0x01, (uint8_t)(seq + 1),
                         dur,  0,    0,    0};
    gb_bytes(&b, p, sizeof p);
    static const uint8_t none[] = {0x0a, 0x00, 0x00, 0x00};
    gb_bytes(&b, none, sizeof none);
    send_s7(g, s, 0, &b);
    szl_segment(g, s, (uint16_t)(ref + 1), (uint8_t)(seq + 1), dur, 0, d.b + room, d.n - room);
}

static void padded(struct gen_buf *b, const char *s, size_t n)
{
    size_t l = strlen(s);
    gb_bytes(b, s, l < n ? l : n);
    gb_pad(b, ' ', l < n ? n - l : 0);
}

static void zero_padded(struct gen_buf *b, const char *s, size_t n)
{
    size_t l = strlen(s);
    gb_bytes(b, s, l < n ? l : n);
    gb_pad(b, 0, l < n ? n - l : 0);
}

static void job(struct gen *g, struct gen_tcp *s, uint16_t ref, const uint8_t *param, size_t pn,
                const uint8_t *data, size_t dn)
{
    struct gen_buf b;
    tpkt(&b);
    s7hdr(&b, 1, ref, (uint16_t)pn, (uint16_t)dn);
    gb_bytes(&b, param, pn);
    gb_bytes(&b, data, dn);
    send_s7(g, s, 0, &b);
    /* the ack-data echoes what the job needs: the setup parameters, or the item count and a
     * return code per item for variable services */
    tpkt(&b);
    if (param[0] == 0xf0) {
        s7hdr(&b, 3, ref, (uint16_t)pn, 0);
        gb_bytes(&b, param, pn);
    } else if (param[0] == 0x04) {
        s7hdr(&b, 3, ref, 2, 6);
        gb_u8(&b, 0x04);
        gb_u8(&b, 1);
        static const uint8_t item[] = {0xff, 0x04, 0, 16, 0x12, 0x34};
        gb_bytes(&b, item, sizeof item);
    } else if (param[0] == 0x05) {
        s7hdr(&b, 3, ref, 2, 1);
        gb_u8(&b, 0x05);
        gb_u8(&b, 1);
        gb_u8(&b, 0xff);
    } else {
        s7hdr(&b, 3, ref, 1, 0);
        gb_u8(&b, param[0]);
    }
    send_s7(g, s, 1, &b);
}

static void s7_classic(struct gen *g, const struct gen_host *cli, const struct gen_host *srv, int v,
                       int ops)
{
    struct gen_tcp s;
    gen_tcp_open(g, &s, cli, (uint16_t)(49152 + gen_range(g, 16000)), srv, 102);
    static const uint8_t tsap[] = {0x01, 0x02}; /* PG connection, rack 0 slot 2 */
    cotp_connect(g, &s, tsap, sizeof tsap, 0x0100);
    const uint8_t setup[] = {
        0xf0, 0, 0, 1, 0, 1, (uint8_t)(cpus[v].pdu >> 8), (uint8_t)cpus[v].pdu};
    job(g, &s, 1, setup, sizeof setup, NULL, 0);
    /* SZL 0x0011: module, basic hardware, basic firmware */
    struct gen_buf r;
    r.n = 0;
    gb_be16(&r, 1);
    padded(&r, cpus[v].mlfb, 20);
    gb_be16(&r, 0);
    gb_be16(&r, cpus[v].hw);
    gb_be16(&r, 1);
    gb_be16(&r, 6);
    padded(&r, cpus[v].mlfb, 20);
    gb_be16(&r, 0);
    gb_be16(&r, cpus[v].hw);
    gb_be16(&r, 1);
    gb_be16(&r, 7);
    padded(&r, "", 20);
    gb_be16(&r, 0);
    gb_be16(&r, (uint16_t)('V' << 8 | cpus[v].fw[0]));
    gb_be16(&r, (uint16_t)(cpus[v].fw[1] << 8 | cpus[v].fw[2]));
    szl_req(g, &s, 2, 0x0011, 1);
    szl_rsp(g, &s, 2, 1, 0x0011, &r, 28, 3, cpus[v].pdu);
    /* SZL 0x001C: names, serial, module type, manufacturer, memory card serial */
    r.n = 0;
    const char *texts[] = {
        cpus[v].name,   cpus[v].module, "Plant 1",    "Original Siemens Equipment",
        cpus[v].serial, NULL,           cpus[v].type, "MMC 2A7C51E3"};
    for (int i = 0; i < 8; i++) {
        if (!texts[i])
            continue;
        gb_be16(&r, (uint16_t)(i + 1));
        zero_padded(&r, texts[i], 32);
    }
    gb_be16(&r, 9);
    gb_be16(&r, 0x002a);
    gb_pad(&r, 0, 30);
    szl_req(g, &s, 3, 0x001c, 2);
    szl_rsp(g, &s, 3, 2, 0x001c, &r, 34, 8, cpus[v].pdu);
    /* SZL 0x0424: the CPU is in RUN */
    r.n = 0;
    static const uint8_t run[] = {0x43, 0x02, 0xff, 0x68, 0,    0,    0,    0,    0,    0,
                                  0,    0,    0x24, 0x05, 0x14, 0x10, 0x31, 0x22, 0x50, 0x07};
    gb_bytes(&r, run, sizeof run);
    szl_req(g, &s, 5, 0x0424, 4);
    szl_rsp(g, &s, 5, 4, 0x0424, &r, 20, 1, cpus[v].pdu);
    for (int i = 0; i < ops + 1; i++) {
        static const uint8_t rd[] = {0x04, 1, 0x12, 0x0a, 0x10, 2, 0, 16, 0, 1, 0x84, 0, 0, 0};
        job(g, &s, (uint16_t)(10 + i), rd, sizeof rd, NULL, 0);
        gen_advance(g, 100000000);
    }
    static const uint8_t wr[] = {0x05, 1, 0x12, 0x0a, 0x10, 2, 0, 2, 0, 5, 0x84, 0, 0, 0x50};
    static const uint8_t wrd[] = {0, 4, 0, 16, 0x12, 0x34};
    job(g, &s, 100, wr, sizeof wr, wrd, sizeof wrd);
    /* block download of DB 1, then activation (_INSE) */
    static const uint8_t dl[] = {0x1a, 0,   1,   0,   0,   0,   0,   0,   9,
                                 '_',  '0', 'A', '0', '0', '0', '0', '1', 'P'};
    job(g, &s, 101, dl, sizeof dl, NULL, 0);
    static const uint8_t inse[] = {0x28, 0,   0, 0,   0,   0,   0,   0xfd, 0,
                                   0x0a, 1,   0, '0', 'A', '0', '0', '0',  '0',
                                   '1',  'P', 5, '_', 'I', 'N', 'S', 'E'};
    job(g, &s, 102, inse, sizeof inse, NULL, 0);
    if (v == 1 || v == 3) {
        static const uint8_t stop[] = {0x29, 0,   0,   0,   0,   0,   9,   'P',
                                       '_',  'P', 'R', 'O', 'G', 'R', 'A', 'M'};
        job(g, &s, 103, stop, sizeof stop, NULL, 0);
        static const uint8_t start[] = {0x28, 0,   0,   0,   0,   0,   0,   0xfd, 0,   0,
                                        9,    'P', '_', 'P', 'R', 'O', 'G', 'R',  'A', 'M'};
        job(g, &s, 104, start, sizeof start, NULL, 0);
    }
    gen_tcp_close(g, &s);
}

/* ---- S7comm-plus ---- */

static void vlq(struct gen_buf *b, uint32_t v)
{
    uint8_t t[5];
    int n = 0;
    do {
        t[n++] = (uint8_t)(v & 0x7f);
        v >>= 7;
    } while (v && n < 5);
    while (n--)
        gb_u8(b, (uint8_t)(t[n] | (n ? 0x80 : 0)));
}

/* an attribute: element 0xa3, id, flags 0, WString */
static void wstring_attr(struct gen_buf *b, uint32_t id, const char *s)
{
    gb_u8(b, 0xa3);
    vlq(b, id);
    gb_u8(b, 0);
    gb_u8(b, 0x15);
    vlq(b, (uint32_t)strlen(s));
    gb_str(b, s);
}

/* send one S7comm-plus data part d as a PDU of protocol version ver */
static void plus_send(struct gen *g, struct gen_tcp *s, int dir, uint8_t ver,
                      const struct gen_buf *d)
{
    struct gen_buf b;
    tpkt(&b);
    gb_u8(&b, 0x72);
    gb_u8(&b, ver);
    gb_be16(&b, (uint16_t)d->n);
    gb_bytes(&b, d->b, d->n);
    gb_u8(&b, 0x72);
    gb_u8(&b, ver);
    gb_be16(&b, 0);
    send_s7(g, s, dir, &b);
}

static void plus_req(struct gen_buf *d, uint16_t fn, uint16_t seq, uint32_t session)
{
    d->n = 0;
    gb_u8(d, 0x31);
    gb_be16(d, 0);
    gb_be16(d, fn);
    gb_be16(d, 0);
    gb_be16(d, seq);
    gb_be32(d, session);
    gb_u8(d, 0x34); /* transport flags */
}

/* a plain response: return value 0 and nothing else */
static void plus_ok(struct gen *g, struct gen_tcp *s, uint16_t fn, uint16_t seq)
{
    struct gen_buf d;
    d.n = 0;
    gb_u8(&d, 0x32);
    gb_be16(&d, 0);
    gb_be16(&d, fn);
    gb_be16(&d, 0);
    gb_be16(&d, seq);
    gb_u8(&d, 0x34);
    gb_u8(&d, 0); /* return value */
    gb_be32(&d, 0);
    plus_send(g, s, 1, 2, &d);
}

/* CreateObject of a ServerSession (V1) and its answer carrying the session id and the
 * ServerSessionVersion structure with the CPU's PAOM string; returns the session id */
static uint32_t plus_session(struct gen *g, struct gen_tcp *s, int v, bool hmi)
{
    struct gen_buf d;
    plus_req(&d, 0x04ca, 1, 288); /* ObjectNullServerSession */
    d.b[d.n - 1] = 0x36;
    gb_be32(&d, 285); /* ObjectServerSessionContainer */
    static const uint8_t udint0[] = {0x00, 0x04, 0x00, 0, 0, 0, 0};
    gb_bytes(&d, udint0, sizeof udint0);
    gb_u8(&d, 0xa1);
    gb_be32(&d, 211); /* GetNewRIDOnServer */
    vlq(&d, 287);     /* ClassServerSession */
    gb_u8(&d, 0);
    gb_u8(&d, 0);
    gb_u8(&d, 0xa3);
    vlq(&d, 300); /* ServerSessionClientRID */
    gb_u8(&d, 0);
    gb_u8(&d, 0x12);
    gb_be32(&d, 0x80c3c901);
    if (hmi) {
        wstring_attr(&d, 297, "SM@RT");
        wstring_attr(&d, 301, "OMS+ for SMART Runtime");
    }
    gb_u8(&d, 0xa2);
    gb_be32(&d, 0);
    plus_send(g, s, 0, 1, &d);
    uint32_t session = 0x3be + (uint32_t)v * 2 + (hmi ? 0 : 1);
    d.n = 0;
    gb_u8(&d, 0x32);
    gb_be16(&d, 0);
    gb_be16(&d, 0x04ca);
    gb_be16(&d, 0);
    gb_be16(&d, 1);
    gb_u8(&d, 0x36);
    gb_u8(&d, 0); /* return value */
    gb_u8(&d, 1); /* object ids */
    vlq(&d, session);
    gb_u8(&d, 0xa1);
    gb_be32(&d, 288);
    vlq(&d, 287);
    gb_u8(&d, 0);
    gb_u8(&d, 0);
    gb_u8(&d, 0xa3);
    vlq(&d, 306); /* ServerSessionVersion: a struct 314 */
    gb_u8(&d, 0);
    gb_u8(&d, 0x17);
    gb_be32(&d, 314);
    vlq(&d, 319);
    gb_u8(&d, 0);
    gb_u8(&d, 0x15);
    vlq(&d, (uint32_t)strlen(plus_cpus[v]));
    gb_str(&d, plus_cpus[v]);
    vlq(&d, 320);
    gb_u8(&d, 0);
    gb_u8(&d, 0x15);
    vlq(&d, 5);
    gb_str(&d, "2;288");
    gb_u8(&d, 0);    /* end of struct */
    gb_u8(&d, 0xa2); /* end of object */
    gb_be32(&d, 0);
    plus_send(g, s, 1, 1, &d);
    /* session setup: the client writes the ServerSessionVersion back to the session */
    plus_req(&d, 0x0542, 2, session);
    gb_be32(&d, session);
    gb_u8(&d, 1);
    gb_u8(&d, 1);
    vlq(&d, 306);
    gb_u8(&d, 1);
    gb_u8(&d, 0);
    gb_u8(&d, 0x17);
    gb_be32(&d, 314);
    vlq(&d, 319);
    gb_u8(&d, 0);
    gb_u8(&d, 0x15);
    vlq(&d, (uint32_t)strlen(plus_cpus[v]));
    gb_str(&d, plus_cpus[v]);
    gb_u8(&d, 0);
    gb_u8(&d, 0);
    gb_be32(&d, 0);
    plus_send(g, s, 0, 2, &d);
    plus_ok(g, s, 0x0542, 2);
    return session;
}

/* one item address of DB 'db': symbol crc, access area, LIDs */
static void db_item(struct gen_buf *d, uint16_t db)
{
    vlq(d, 0);
    vlq(d, 0x8a0e0000u + db);
    vlq(d, 3);
    vlq(d, 2550); /* DB.ValueActual */
    vlq(d, 1);
    vlq(d, 4);
}

static void s7_plus(struct gen *g, const struct gen_host *cli, const struct gen_host *srv, int v,
                    int ops)
{
    struct gen_tcp s;
    gen_tcp_open(g, &s, cli, (uint16_t)(49152 + gen_range(g, 16000)), srv, 102);
    cotp_connect(g, &s, "SIMATIC-ROOT-HMI", 16, 0x0600);
    uint32_t session = plus_session(g, &s, v, true);
    uint16_t seq = 3;
    struct gen_buf d;
    for (int i = 0; i < ops + 1; i++, seq++) {
        plus_req(&d, 0x054c, seq, session);
        gb_be32(&d, 0); /* link id */
        gb_u8(&d, 1);
        gb_u8(&d, 3);
        db_item(&d, 3);
        gb_be32(&d, 0);
        plus_send(g, &s, 0, 2, &d);
        d.n = 0;
        gb_u8(&d, 0x32);
        gb_be16(&d, 0);
        gb_be16(&d, 0x054c);
        gb_be16(&d, 0);
        gb_be16(&d, seq);
        gb_u8(&d, 0x34);
        static const uint8_t val[] = {0, 1, 0, 0x0a, 0x03, 0x02, 0x10, 0x02, 0, 0, 0, 0, 0};
        gb_bytes(&d, val, sizeof val);
        plus_send(g, &s, 1, 2, &d);
        gen_advance(g, 500000000);
    }
    plus_req(&d, 0x0542, seq, session);
    gb_be32(&d, 0);
    gb_u8(&d, 1);
    gb_u8(&d, 3);
    db_item(&d, 3);
    static const uint8_t val[] = {1, 0, 0x03, 0x00, 0x2a, 0, 0, 0, 0, 0};
    gb_bytes(&d, val, sizeof val);
    plus_send(g, &s, 0, 2, &d);
    plus_ok(g, &s, 0x0542, seq++);
    plus_req(&d, 0x04d4, seq, session);
    gb_be32(&d, session);
    gb_pad(&d, 0, 5);
    plus_send(g, &s, 0, 2, &d);
    plus_ok(g, &s, 0x04d4, seq);
    gen_tcp_close(g, &s);
    if (!(v & 1))
        return;
    /* an engineering station stops and restarts the CPU */
    struct gen_host es = *cli;
    es.mac[5] ^= 0x20;
    es.ip[3] = (uint8_t)(es.ip[3] + 10);
    gen_tcp_open(g, &s, &es, (uint16_t)(49152 + gen_range(g, 16000)), srv, 102);
    cotp_connect(g, &s, "SIMATIC-ROOT-ES", 15, 0x0600);
    session = plus_session(g, &s, v, false);
    for (int state = 1; state <= 3; state += 2) {
        plus_req(&d, 0x04f2, (uint16_t)(10 + state), session);
        gb_be32(&d, 52); /* NativeObjects.theCPUexecUnit_Rid */
        gb_u8(&d, 1);
        vlq(&d, 2167); /* CPUexecUnit.OperatingStateREQ */
        gb_u8(&d, 0);
        gb_u8(&d, 0x08);
        gb_u8(&d, (uint8_t)state); /* DInt 1 STOP, 3 RUN */
        gb_pad(&d, 0, 6);
        plus_send(g, &s, 0, 2, &d);
        plus_ok(g, &s, 0x04f2, (uint16_t)(10 + state));
        gen_advance(g, 2000000000);
    }
    gen_tcp_close(g, &s);
}

void gen_scn_s7comm(struct gen *g, const struct gen_host *cli, const struct gen_host *srv,
                    int variant, int ops)
{
    if (variant & 4)
        s7_plus(g, cli, srv, variant & 3, ops);
    else
        s7_classic(g, cli, srv, variant & 3, ops);
}
