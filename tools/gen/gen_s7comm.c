/* gen_s7comm.c - an S7comm session between an engineering workstation and an S7-300/400
 * CPU: COTP connect to rack 0 slot 2, setup communication, SZL 0x0011 and 0x001C reads with
 * the CPU's real identity, cyclic variable reads, a variable write, a block download with its
 * activation, and (variants 1 and 3) PLC stop and hot restart. */
#include <string.h>

#include "gen.h"

static const struct {
    const char *mlfb, *name, *module, *serial, *type;
    uint8_t hw, fw[3];
} cpus[] = {
    {"6ES7 315-2EH14-0AB0", "PLC_LINE4", "CPU 315-2 PN/DP", "S C-X4U421302009", "CPU 315-2 PN/DP",
     4, {3, 2, 6}},
    {"6ES7 317-2EK14-0AB0", "PLC_BOILER", "CPU 317-2 PN/DP", "S C-B1T377112018", "CPU 317-2 PN/DP",
     3, {3, 2, 8}},
    {"6ES7 412-2EK06-0AB0", "PLC_TURBINE", "CPU 412-2 PN", "S C-V7P100232015", "CPU 412-2 PN",
     2, {6, 0, 3}},
    {"6ES7 151-8AB01-0AB0", "ET200_PACK", "IM151-8 PN/DP CPU", "S C-H6N211882011",
     "IM151-8 PN/DP CPU", 1, {3, 2, 10}},
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

/* S7 header; plen/dlen patched by the caller through the returned offsets */
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

static void szl_req(struct gen *g, struct gen_tcp *s, uint16_t ref, uint16_t id)
{
    struct gen_buf b;
    tpkt(&b);
    s7hdr(&b, 7, ref, 8, 8);
    static const uint8_t p[] = {0x00, 0x01, 0x12, 0x04, 0x11, 0x44, 0x01, 0x00};
    gb_bytes(&b, p, sizeof p);
    gb_u8(&b, 0xff);
    gb_u8(&b, 0x09);
    gb_be16(&b, 4);
    gb_be16(&b, id);
    gb_be16(&b, 0);
    send_s7(g, s, 0, &b);
}

static void szl_rsp(struct gen *g, struct gen_tcp *s, uint16_t ref, uint16_t id,
                    const struct gen_buf *recs, uint16_t len, uint16_t count)
{
    struct gen_buf b;
    tpkt(&b);
    s7hdr(&b, 7, ref, 12, (uint16_t)(4 + 8 + recs->n));
    static const uint8_t p[] = {0x00, 0x01, 0x12, 0x08, 0x12, 0x84, 0x01, 0x01,
                                0x00, 0x00, 0x00, 0x00};
    gb_bytes(&b, p, sizeof p);
    gb_u8(&b, 0xff);
    gb_u8(&b, 0x09);
    gb_be16(&b, (uint16_t)(8 + recs->n));
    gb_be16(&b, id);
    gb_be16(&b, 0);
    gb_be16(&b, len);
    gb_be16(&b, count);
    gb_bytes(&b, recs->b, recs->n);
    send_s7(g, s, 1, &b);
}

static void padded(struct gen_buf *b, const char *s, size_t n)
{
    size_t l = strlen(s);
    gb_bytes(b, s, l < n ? l : n);
    gb_pad(b, ' ', l < n ? n - l : 0);
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

void gen_scn_s7comm(struct gen *g, const struct gen_host *cli, const struct gen_host *srv,
                    int variant, int ops)
{
    int v = variant & 3;
    struct gen_tcp s;
    gen_tcp_open(g, &s, cli, (uint16_t)(49152 + gen_range(g, 16000)), srv, 102);
    static const uint8_t cr[] = {3, 0, 0, 22, 17, 0xe0, 0, 0, 0, 1, 0, 0xc0, 1, 0x0a,
                                 0xc1, 2, 1, 0, 0xc2, 2, 1, 2};
    gen_tcp_send(g, &s, 0, cr, sizeof cr);
    static const uint8_t cc[] = {3, 0, 0, 22, 17, 0xd0, 0, 1, 0, 1, 0, 0xc0, 1, 0x0a,
                                 0xc1, 2, 1, 0, 0xc2, 2, 1, 2};
    gen_tcp_send(g, &s, 1, cc, sizeof cc);
    static const uint8_t setup[] = {0xf0, 0, 0, 1, 0, 1, 1, 0xe0};
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
    szl_req(g, &s, 2, 0x0011);
    szl_rsp(g, &s, 2, 0x0011, &r, 28, 3);
    /* SZL 0x001C: names, serial, module type, manufacturer */
    r.n = 0;
    const char *texts[] = {cpus[v].name, cpus[v].module, "Plant 1", "Original Siemens Equipment",
                           cpus[v].serial, NULL, cpus[v].type};
    for (int i = 0; i < 7; i++) {
        if (!texts[i])
            continue;
        gb_be16(&r, (uint16_t)(i + 1));
        padded(&r, texts[i], 32);
    }
    gb_be16(&r, 9);
    gb_be16(&r, 0x002a);
    gb_pad(&r, 0, 30);
    szl_req(g, &s, 3, 0x001c);
    szl_rsp(g, &s, 3, 0x001c, &r, 34, 7);
    for (int i = 0; i < ops + 1; i++) {
        static const uint8_t rd[] = {0x04, 1, 0x12, 0x0a, 0x10, 2, 0, 16, 0, 1, 0x84, 0, 0, 0};
        job(g, &s, (uint16_t)(10 + i), rd, sizeof rd, NULL, 0);
        gen_advance(g, 100000000);
    }
    static const uint8_t wr[] = {0x05, 1, 0x12, 0x0a, 0x10, 2, 0, 2, 0, 5, 0x84, 0, 0, 0x50};
    static const uint8_t wrd[] = {0, 4, 0, 16, 0x12, 0x34};
    job(g, &s, 100, wr, sizeof wr, wrd, sizeof wrd);
    /* block download of DB 1, then activation (_INSE) */
    static const uint8_t dl[] = {0x1a, 0, 1, 0, 0, 0, 0, 0, 9, '_', '0', 'A', '0', '0', '0',
                                 '0', '1', 'P'};
    job(g, &s, 101, dl, sizeof dl, NULL, 0);
    static const uint8_t inse[] = {0x28, 0, 0, 0, 0, 0, 0, 0xfd, 0, 0x0a, 1, 0, '0', 'A', '0',
                                   '0', '0', '0', '1', 'P', 5, '_', 'I', 'N', 'S', 'E'};
    job(g, &s, 102, inse, sizeof inse, NULL, 0);
    if (v == 1 || v == 3) {
        static const uint8_t stop[] = {0x29, 0, 0, 0, 0, 0, 9, 'P', '_', 'P', 'R', 'O', 'G',
                                       'R', 'A', 'M'};
        job(g, &s, 103, stop, sizeof stop, NULL, 0);
        static const uint8_t start[] = {0x28, 0, 0, 0, 0, 0, 0, 0xfd, 0, 0, 9, 'P', '_', 'P',
                                        'R', 'O', 'G', 'R', 'A', 'M'};
        job(g, &s, 104, start, sizeof start, NULL, 0);
    }
    gen_tcp_close(g, &s);
}
