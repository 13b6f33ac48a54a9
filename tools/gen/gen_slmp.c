/* gen_slmp.c - Mitsubishi SLMP / MC protocol binary sessions on TCP 5007: an HMI on 3E frames
 * reads the CPU type name, polls D registers, writes words and bits, reads M relays bit by bit
 * and provokes a device-range end code (C056); then an engineering tool on 4E frames (serial
 * numbers) unlocks the remote password, stops the PLC, writes a program file (one block split
 * over TCP segments), clears the error and runs the PLC again.  Variants carry real CPU models
 * (model codes as the SLMP manual's Read Type Name table lists them). */
#include <string.h>

#include "gen.h"

#define SLMP_PORT 5007

static const struct {
    const char *model;
    uint16_t code;
} cpus[] = {
    {"Q03UDVCPU", 0x0366},
    {"R04CPU", 0x4800},
    {"L02CPU", 0x0543},
    {"FX5U-32MR/ES", 0x4a21},
};

struct slmp_peer {
    bool four; /* 4E frames (serial numbers) */
    uint16_t serial;
};

/* subheader and routing fields (own station: network 0, PC FF, I/O 03FF, station 0); returns
 * the offset of the data length, patched by finish() */
static size_t head(struct gen_buf *b, bool four, bool response, uint16_t serial)
{
    b->n = 0;
    gb_u8(b, (uint8_t)((four ? 0x54 : 0x50) | (response ? 0x80 : 0)));
    gb_u8(b, 0x00);
    if (four) {
        gb_le16(b, serial);
        gb_le16(b, 0);
    }
    gb_u8(b, 0x00);     /* network no. */
    gb_u8(b, 0xff);     /* PC no. */
    gb_le16(b, 0x03ff); /* request destination module I/O no. */
    gb_u8(b, 0x00);     /* station no. */
    size_t at = b->n;
    gb_le16(b, 0);
    return at;
}

static void finish(struct gen_buf *b, size_t at)
{
    gb_put_le16(b, at, (uint16_t)(b->n - at - 2));
}

/* a request and its response: end code, then data (or error information) */
struct exch {
    uint16_t cmd, sub;
    const uint8_t *req;
    size_t nreq;
    uint16_t end;
    const uint8_t *rsp;
    size_t nrsp;
};

static void exchange(struct gen *g, struct gen_tcp *s, struct slmp_peer *p, const struct exch *e,
                     size_t mss)
{
    struct gen_buf b;
    uint16_t serial = p->serial++;
    size_t at = head(&b, p->four, false, serial);
    gb_le16(&b, 0x0010); /* monitoring timer: 4 s */
    gb_le16(&b, e->cmd);
    gb_le16(&b, e->sub);
    gb_bytes(&b, e->req, e->nreq);
    finish(&b, at);
    if (mss)
        gen_tcp_send_split(g, s, 0, b.b, b.n, mss);
    else
        gen_tcp_send(g, s, 0, b.b, b.n);
    gen_advance(g, 3000000);
    at = head(&b, p->four, true, serial);
    gb_le16(&b, e->end);
    if (e->end) { /* error information: the failing station, command and subcommand */
        gb_u8(&b, 0x00);
        gb_u8(&b, 0xff);
        gb_le16(&b, 0x03ff);
        gb_u8(&b, 0x00);
        gb_le16(&b, e->cmd);
        gb_le16(&b, e->sub);
    } else {
        gb_bytes(&b, e->rsp, e->nrsp);
    }
    finish(&b, at);
    gen_tcp_send(g, s, 1, b.b, b.n);
    gen_advance(g, 30000000);
}

static size_t type_name(uint8_t *out, int v)
{
    size_t n = strlen(cpus[v].model);
    memset(out, ' ', 16);
    memcpy(out, cpus[v].model, n < 16 ? n : 16);
    out[16] = (uint8_t)cpus[v].code;
    out[17] = (uint8_t)(cpus[v].code >> 8);
    return 18;
}

static void hmi(struct gen *g, const struct gen_host *cli, const struct gen_host *srv, int v,
                int ops)
{
    struct gen_tcp s;
    gen_tcp_open(g, &s, cli, (uint16_t)(49152 + gen_range(g, 16000)), srv, SLMP_PORT);
    struct slmp_peer p = {false, 0};
    uint8_t data[256];
    struct exch e = {0x0101, 0x0000, NULL, 0, 0, data, type_name(data, v)};
    exchange(g, &s, &p, &e, 0);
    for (int i = 0; i < ops + 2; i++) {
        static const uint8_t rd[] = {0x64, 0x00, 0x00, 0xa8, 0x0a, 0x00}; /* D100 x10 */
        uint8_t words[20];
        for (int k = 0; k < 20; k++)
            words[k] = (uint8_t)(k & 1 ? 0 : i + k);
        e = (struct exch){0x0401, 0x0000, rd, sizeof rd, 0, words, sizeof words};
        exchange(g, &s, &p, &e, 0);
        gen_advance(g, 100000000);
    }
    /* M0 x16 bits: two bits per byte in the response */
    static const uint8_t bits[] = {0x00, 0x00, 0x00, 0x90, 0x10, 0x00};
    static const uint8_t bits_rsp[] = {0x10, 0x00, 0x01, 0x00, 0x00, 0x00, 0x11, 0x00};
    e = (struct exch){0x0401, 0x0001, bits, sizeof bits, 0, bits_rsp, sizeof bits_rsp};
    exchange(g, &s, &p, &e, 0);
    /* D200 x2 := 1234, 42 */
    static const uint8_t wr[] = {0xc8, 0x00, 0x00, 0xa8, 0x02, 0x00, 0xd2, 0x04, 0x2a, 0x00};
    e = (struct exch){0x1401, 0x0000, wr, sizeof wr, 0, NULL, 0};
    exchange(g, &s, &p, &e, 0);
    /* Y10 x1 bit := ON */
    static const uint8_t wbit[] = {0x10, 0x00, 0x00, 0x9d, 0x01, 0x00, 0x10};
    e = (struct exch){0x1401, 0x0001, wbit, sizeof wbit, 0, NULL, 0};
    exchange(g, &s, &p, &e, 0);
    /* random read: D10, D20 (words), D30 (double word) */
    static const uint8_t rnd[] = {0x02, 0x01, 0x0a, 0x00, 0x00, 0xa8, 0x14,
                                  0x00, 0x00, 0xa8, 0x1e, 0x00, 0x00, 0xa8};
    static const uint8_t rnd_rsp[] = {0x01, 0x00, 0x02, 0x00, 0x03, 0x00, 0x00, 0x00};
    e = (struct exch){0x0403, 0x0000, rnd, sizeof rnd, 0, rnd_rsp, sizeof rnd_rsp};
    exchange(g, &s, &p, &e, 0);
    /* D99999 is past the device range: C056 */
    static const uint8_t bad[] = {0x9f, 0x86, 0x01, 0xa8, 0x01, 0x00};
    e = (struct exch){0x0401, 0x0000, bad, sizeof bad, 0xc056, NULL, 0};
    exchange(g, &s, &p, &e, 0);
    gen_tcp_close(g, &s);
}

static void engineering(struct gen *g, const struct gen_host *cli, const struct gen_host *srv,
                        int v)
{
    struct gen_tcp s;
    struct gen_host ews = *cli;
    ews.mac[5] ^= 0x40;
    ews.ip[3] = (uint8_t)(ews.ip[3] + 20);
    gen_tcp_open(g, &s, &ews, (uint16_t)(49152 + gen_range(g, 16000)), srv, SLMP_PORT);
    struct slmp_peer p = {true, 0x0100};
    uint8_t data[256];
    struct exch e = {0x0101, 0x0000, NULL, 0, 0, data, type_name(data, v)};
    exchange(g, &s, &p, &e, 0);
    static const uint8_t pw[] = {0x04, 0x00, 'm', 'e', 'l', '1'}; /* remote password */
    e = (struct exch){0x1630, 0x0000, pw, sizeof pw, 0, NULL, 0};
    exchange(g, &s, &p, &e, 0);
    static const uint8_t stop[] = {0x01, 0x00};
    e = (struct exch){0x1002, 0x0000, stop, sizeof stop, 0, NULL, 0};
    exchange(g, &s, &p, &e, 0);
    /* open MAIN.QPG on drive 0 (program memory) for writing: password, mode, drive, name */
    static const uint8_t open[] = {' ',  ' ', ' ', ' ', 0x00, 0x01, 0x00, 0x00, 0x08,
                                   0x00, 'M', 'A', 'I', 'N',  '.',  'Q',  'P',  'G'};
    static const uint8_t fp[] = {0x01, 0x00};
    e = (struct exch){0x1827, 0x0000, open, sizeof open, 0, fp, sizeof fp};
    exchange(g, &s, &p, &e, 0);
    for (uint32_t blk = 0; blk < 2; blk++) {
        uint8_t w[8 + 128];
        uint32_t off = blk * 128;
        w[0] = 0x01; /* file pointer */
        w[1] = 0x00;
        w[2] = (uint8_t)off;
        w[3] = (uint8_t)(off >> 8);
        w[4] = (uint8_t)(off >> 16);
        w[5] = (uint8_t)(off >> 24);
        w[6] = 128;
        w[7] = 0;
        for (int k = 0; k < 128; k++)
            w[8 + k] = (uint8_t)(blk * 29 + k * 5);
        static const uint8_t written[] = {128, 0};
        e = (struct exch){0x1829, 0x0000, w, sizeof w, 0, written, sizeof written};
        exchange(g, &s, &p, &e, blk == 0 ? 60 : 0);
    }
    static const uint8_t close[] = {0x01, 0x00, 0x00, 0x00};
    e = (struct exch){0x182a, 0x0000, close, sizeof close, 0, NULL, 0};
    exchange(g, &s, &p, &e, 0);
    e = (struct exch){0x1617, 0x0000, NULL, 0, 0, NULL, 0};
    exchange(g, &s, &p, &e, 0);
    static const uint8_t run[] = {0x01, 0x00, 0x00, 0x00}; /* not forced, no clear */
    e = (struct exch){0x1001, 0x0000, run, sizeof run, 0, NULL, 0};
    exchange(g, &s, &p, &e, 0);
    gen_tcp_close(g, &s);
}

void gen_scn_slmp(struct gen *g, const struct gen_host *cli, const struct gen_host *srv,
                  int variant, int ops)
{
    int v = variant & 3;
    hmi(g, cli, srv, v, ops);
    engineering(g, cli, srv, v);
}
