/* gen_modbus.c - a Modbus/TCP session: an HMI reads the device identification of a controller
 * (basic, regular and extended objects) and its server id, polls holding registers, writes a
 * register, several registers and a coil, provokes an illegal-data-address exception, and
 * (variant 3) forces listen-only mode.  For the Schneider variants (0, 1) an engineering tool
 * then talks UMAS: reads the CPU id, reserves the PLC, (variant 1) writes a program into it and
 * stops it.  Variants carry real product identities. */
#include <string.h>

#include "gen.h"

static const struct {
    const char *vendor, *code, *rev, *url, *product, *model, *app, *cpu;
} ids[] = {
    {"Schneider Electric", "BMX P34 2020", "V3.20", "www.se.com", "Modicon M340", "BMX P34 2020",
     "Line4_Filling", "BMX P34 2020"},
    {"Schneider Electric", "BMEP582040", "V4.10", "www.se.com", "Modicon M580", "BMEP582040",
     "Boiler_House", "BME P58 2040"},
    {"WAGO", "750-881", "01.07.13(10)", "www.wago.com", "ETHERNET Controller", "750-881", "Pumps",
     NULL},
    {"Phoenix Contact", "2700527", "4.42", "www.phoenixcontact.com", "ILC 191 ETH 2TX",
     "ILC 191 ETH 2TX", "HVAC", NULL},
};

static void mbap(struct gen_buf *b, uint16_t tid, uint8_t unit)
{
    b->n = 0;
    gb_be16(b, tid);
    gb_be16(b, 0);
    gb_be16(b, 0); /* length, patched by done() */
    gb_u8(b, unit);
}

static void done(struct gen_buf *b)
{
    gb_put_be16(b, 4, (uint16_t)(b->n - 6));
}

static void device_id(struct gen *g, struct gen_tcp *s, uint16_t tid, int v, uint8_t code,
                      uint8_t first, uint8_t last)
{
    struct gen_buf b;
    mbap(&b, tid, 1);
    gb_u8(&b, 43);
    gb_u8(&b, 0x0e);
    gb_u8(&b, code);
    gb_u8(&b, first);
    done(&b);
    gen_tcp_send(g, s, 0, b.b, b.n);
    const char *objs[] = {ids[v].vendor,  ids[v].code,  ids[v].rev, ids[v].url,
                          ids[v].product, ids[v].model, ids[v].app};
    mbap(&b, tid, 1);
    gb_u8(&b, 43);
    gb_u8(&b, 0x0e);
    gb_u8(&b, code);
    gb_u8(&b, 0x83); /* conformity: extended, individual access */
    gb_u8(&b, 0);    /* no more follows */
    gb_u8(&b, 0);
    gb_u8(&b, (uint8_t)(last - first + 1));
    for (uint8_t o = first; o <= last; o++) {
        gb_u8(&b, o);
        gb_u8(&b, (uint8_t)strlen(objs[o]));
        gb_str(&b, objs[o]);
    }
    done(&b);
    gen_tcp_send(g, s, 1, b.b, b.n);
}

static void exchange(struct gen *g, struct gen_tcp *s, uint16_t tid, const uint8_t *req, size_t rn,
                     const uint8_t *rsp, size_t sn)
{
    struct gen_buf b;
    mbap(&b, tid, 1);
    gb_bytes(&b, req, rn);
    done(&b);
    gen_tcp_send(g, s, 0, b.b, b.n);
    mbap(&b, tid, 1);
    gb_bytes(&b, rsp, sn);
    done(&b);
    gen_tcp_send(g, s, 1, b.b, b.n);
}

/* Report Server ID: a one-byte server id, run indicator on, then the product text */
static void server_id(struct gen *g, struct gen_tcp *s, uint16_t tid, int v)
{
    static const uint8_t rq[] = {17};
    struct gen_buf r;
    r.n = 0;
    gb_u8(&r, 17);
    gb_u8(&r, (uint8_t)(2 + strlen(ids[v].product)));
    gb_u8(&r, 0x01);
    gb_u8(&r, 0xff);
    gb_str(&r, ids[v].product);
    exchange(g, s, tid, rq, sizeof rq, r.b, r.n);
}

/* UMAS (function 90) from an engineering tool: read id (the CPU's name 22 bytes into the
 * answer), reservation, optionally a program written into the PLC, and a stop */
static void umas(struct gen *g, const struct gen_host *cli, const struct gen_host *srv, int v)
{
    struct gen_tcp e;
    struct gen_host ews = *cli;
    ews.mac[5] ^= 0x40;
    ews.ip[3] = (uint8_t)(ews.ip[3] + 20);
    gen_tcp_open(g, &e, &ews, 50100, srv, 502);
    static const uint8_t read_id[] = {90, 0, 0x02};
    struct gen_buf r;
    r.n = 0;
    static const uint8_t id_head[] = {90,   0,    0xfe, 0x1e, 0x00, 0x02, 0x01, 0x01, 0x03,
                                      0x01, 0x06, 0x01, 0x02, 0x02, 0x01, 0x00, 0x00, 0x00,
                                      0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00};
    gb_bytes(&r, id_head, sizeof id_head);
    gb_u8(&r, (uint8_t)strlen(ids[v].cpu));
    gb_str(&r, ids[v].cpu);
    gb_u8(&r, 0);
    uint16_t tid = 1;
    exchange(g, &e, tid++, read_id, sizeof read_id, r.b, r.n);
    static const uint8_t take[] = {90, 0, 0x10, 0x3c, 0, 0x45, 0x57, 0x53};
    static const uint8_t ok[] = {90, 0, 0xfe, 0x9b};
    exchange(g, &e, tid++, take, sizeof take, ok, sizeof ok);
    static const uint8_t ok2[] = {90, 0x9b, 0xfe};
    if (v == 1) {
        /* UMAS "upload" = the program goes from the engineering PC into the PLC */
        static const uint8_t init[] = {90, 0x9b, 0x30, 0x00, 0x01};
        exchange(g, &e, tid++, init, sizeof init, ok2, sizeof ok2);
        for (uint16_t blk = 1; blk <= 3; blk++) {
            struct gen_buf q;
            q.n = 0;
            gb_u8(&q, 90);
            gb_u8(&q, 0x9b);
            gb_u8(&q, 0x31);
            gb_be16(&q, 0x0001);
            gb_le16(&q, blk);
            gb_le16(&q, 64);
            for (int i = 0; i < 64; i++)
                gb_u8(&q, (uint8_t)(blk * 31 + i));
            exchange(g, &e, tid++, q.b, q.n, ok2, sizeof ok2);
        }
        static const uint8_t end[] = {90, 0x9b, 0x32, 0x00, 0x01, 0x03, 0x00};
        exchange(g, &e, tid++, end, sizeof end, ok2, sizeof ok2);
    }
    static const uint8_t stop[] = {90, 0x9b, 0x41, 0xff, 0};
    exchange(g, &e, tid++, stop, sizeof stop, ok2, sizeof ok2);
    gen_tcp_close(g, &e);
}

void gen_scn_modbus(struct gen *g, const struct gen_host *cli, const struct gen_host *srv,
                    int variant, int ops)
{
    int v = variant & 3;
    struct gen_tcp s;
    gen_tcp_open(g, &s, cli, (uint16_t)(49152 + gen_range(g, 16000)), srv, 502);
    uint16_t tid = 1;
    device_id(g, &s, tid++, v, 1, 0, 2);
    device_id(g, &s, tid++, v, 2, 3, 6);
    server_id(g, &s, tid++, v);
    for (int i = 0; i < ops + 1; i++) {
        static const uint8_t rq[] = {3, 0, 100, 0, 4};
        uint8_t rs[] = {3, 8, 0, 1, 0, 2, 0, 3, 0, (uint8_t)i};
        exchange(g, &s, tid++, rq, sizeof rq, rs, sizeof rs);
        gen_advance(g, 100000000); /* 100 ms polling cycle */
    }
    static const uint8_t w6[] = {6, 0, 120, 0x04, 0xd2};
    exchange(g, &s, tid++, w6, sizeof w6, w6, sizeof w6);
    static const uint8_t w16[] = {16, 0, 200, 0, 2, 4, 0, 10, 0, 20};
    static const uint8_t w16r[] = {16, 0, 200, 0, 2};
    exchange(g, &s, tid++, w16, sizeof w16, w16r, sizeof w16r);
    static const uint8_t w5[] = {5, 0, 7, 0xff, 0x00};
    exchange(g, &s, tid++, w5, sizeof w5, w5, sizeof w5);
    static const uint8_t bad[] = {3, 0x27, 0x10, 0, 1};
    static const uint8_t exc[] = {0x83, 2};
    exchange(g, &s, tid++, bad, sizeof bad, exc, sizeof exc);
    if (v == 3 || (variant & 4)) {
        static const uint8_t diag[] = {8, 0, 4, 0, 0}; /* force listen only: no answer */
        struct gen_buf b;
        mbap(&b, tid++, 1);
        gb_bytes(&b, diag, sizeof diag);
        done(&b);
        gen_tcp_send(g, &s, 0, b.b, b.n);
    }
    gen_tcp_close(g, &s);
    if (ids[v].cpu)
        umas(g, cli, srv, v);
}
