/* gen_fins.c - Omron FINS sessions: an HMI on FINS/UDP (both ends on port 9600, as Omron
 * devices do) reads the controller data and status, polls and writes DM words, reads several
 * areas at once and provokes an address-range end code; then an engineering tool on FINS/TCP
 * exchanges node addresses, acquires the access right, stops the PLC, writes a program area
 * (one block split over TCP segments), sets the clock, runs the PLC again and reads its status.
 * Variants carry real CPU models. */
#include <string.h>

#include "gen.h"

#define PLC_NODE 10
#define HMI_NODE 100

static const struct {
    const char *model, *version;
    uint16_t prog_kw, dm_words;
    uint8_t iom, tc, em;
} cpus[] = {
    {"CJ2M-CPU31", "02.01", 10, 32768, 23, 8, 4},
    {"CS1H-CPU67H", "04.00", 250, 32768, 23, 8, 13},
    {"CP1L-EL20DR-D", "01.00", 10, 10768, 23, 8, 0},
    {"NJ501-1300", "01.10", 20, 32768, 23, 8, 25},
};

struct fins_peer {
    uint8_t src_node, dst_node;
    uint8_t sid;
};

/* the 10-byte FINS header and the command code (W227 §3-2) */
static void header(struct gen_buf *b, bool response, const struct fins_peer *p, uint8_t sid,
                   uint8_t mrc, uint8_t src)
{
    gb_u8(b, response ? 0xc0 : 0x80); /* ICF: gateway, command/response, response required */
    gb_u8(b, 0);                      /* RSV */
    gb_u8(b, 0x02);                   /* GCT */
    gb_u8(b, 0);                      /* DNA: local network */
    gb_u8(b, response ? p->src_node : p->dst_node);
    gb_u8(b, 0); /* DA2: CPU unit */
    gb_u8(b, 0); /* SNA */
    gb_u8(b, response ? p->dst_node : p->src_node);
    gb_u8(b, 0); /* SA2 */
    gb_u8(b, sid);
    gb_u8(b, mrc);
    gb_u8(b, src);
}

/* a command with parameters and its response (end code, then data) */
struct exch {
    uint8_t mrc, src;
    const uint8_t *par;
    size_t npar;
    uint16_t end;
    const uint8_t *data;
    size_t ndata;
};

static void build(struct gen_buf *q, struct gen_buf *r, struct fins_peer *p, const struct exch *e)
{
    uint8_t sid = p->sid++;
    header(q, false, p, sid, e->mrc, e->src);
    gb_bytes(q, e->par, e->npar);
    header(r, true, p, sid, e->mrc, e->src);
    gb_be16(r, e->end);
    gb_bytes(r, e->data, e->ndata);
}

/* text padded with blanks to a fixed field width */
static void padded(struct gen_buf *b, const char *s, size_t width)
{
    size_t n = strlen(s);
    gb_bytes(b, s, n < width ? n : width);
    if (n < width)
        gb_pad(b, ' ', width - n);
}

/* Controller Data Read response data: model, version, system use, area data */
static size_t controller_data(uint8_t *out, int v)
{
    struct gen_buf b;
    b.n = 0;
    padded(&b, cpus[v].model, 20);
    padded(&b, cpus[v].version, 20);
    gb_pad(&b, ' ', 40); /* for system use */
    gb_be16(&b, cpus[v].prog_kw);
    gb_u8(&b, cpus[v].iom);
    gb_be16(&b, cpus[v].dm_words);
    gb_u8(&b, cpus[v].tc);
    gb_u8(&b, cpus[v].em);
    gb_be16(&b, 0); /* steps/transitions */
    gb_u8(&b, 0);   /* no memory card */
    gb_be16(&b, 0);
    memcpy(out, b.b, b.n);
    return b.n;
}

/* Controller Status Read response data: status, mode, errors, messages, FAL, error message */
static size_t controller_status(uint8_t *out, bool run)
{
    struct gen_buf b;
    b.n = 0;
    gb_u8(&b, run ? 0x01 : 0x00);
    gb_u8(&b, run ? 0x02 : 0x00); /* MONITOR / PROGRAM mode */
    gb_be16(&b, 0);
    gb_be16(&b, 0);
    gb_be16(&b, 0);
    gb_be16(&b, 0);
    gb_pad(&b, ' ', 16);
    memcpy(out, b.b, b.n);
    return b.n;
}

static void udp_exchange(struct gen *g, const struct gen_host *cli, const struct gen_host *srv,
                         struct fins_peer *p, const struct exch *e)
{
    struct gen_buf q, r;
    q.n = r.n = 0;
    build(&q, &r, p, e);
    gen_udp(g, cli, 9600, srv, 9600, q.b, q.n);
    gen_advance(g, 2000000);
    gen_udp(g, srv, 9600, cli, 9600, r.b, r.n);
    gen_advance(g, 20000000);
}

/* FINS/TCP header (W421 §7-4): magic, length of what follows, command, error code */
static void tcp_head(struct gen_buf *b, uint32_t cmd, size_t after)
{
    b->n = 0;
    gb_str(b, "FINS");
    gb_be32(b, (uint32_t)(8 + after));
    gb_be32(b, cmd);
    gb_be32(b, 0);
}

static void tcp_exchange(struct gen *g, struct gen_tcp *s, struct fins_peer *p,
                         const struct exch *e, size_t mss)
{
    struct gen_buf q, r, f;
    q.n = r.n = 0;
    build(&q, &r, p, e);
    tcp_head(&f, 2, q.n);
    gb_bytes(&f, q.b, q.n);
    if (mss)
        gen_tcp_send_split(g, s, 0, f.b, f.n, mss);
    else
        gen_tcp_send(g, s, 0, f.b, f.n);
    gen_advance(g, 3000000);
    tcp_head(&f, 2, r.n);
    gb_bytes(&f, r.b, r.n);
    gen_tcp_send(g, s, 1, f.b, f.n);
    gen_advance(g, 30000000);
}

static void hmi_udp(struct gen *g, const struct gen_host *cli, const struct gen_host *srv, int v,
                    int ops)
{
    struct fins_peer p = {HMI_NODE, PLC_NODE, 1};
    uint8_t data[256];
    static const uint8_t model_version[] = {0x00}; /* model, version and area data */
    struct exch e = {0x05, 0x01, model_version, 1, 0, data, controller_data(data, v)};
    udp_exchange(g, cli, srv, &p, &e);
    e = (struct exch){0x06, 0x01, NULL, 0, 0, data, controller_status(data, true)};
    udp_exchange(g, cli, srv, &p, &e);
    for (int i = 0; i < ops + 2; i++) {
        static const uint8_t rd[] = {0x82, 0x00, 0x64, 0x00, 0x00, 0x0a}; /* DM 100 x10 */
        uint8_t words[20];
        for (int k = 0; k < 20; k++)
            words[k] = (uint8_t)(k & 1 ? i + k : 0);
        e = (struct exch){0x01, 0x01, rd, sizeof rd, 0, words, sizeof words};
        udp_exchange(g, cli, srv, &p, &e);
        gen_advance(g, 100000000);
    }
    static const uint8_t wr[] = {0x82, 0x00, 0xc8, 0x00, 0x00, 0x02, 0x04, 0xd2, 0x00, 0x2a};
    e = (struct exch){0x01, 0x02, wr, sizeof wr, 0, NULL, 0};
    udp_exchange(g, cli, srv, &p, &e);
    static const uint8_t bit[] = {0x30, 0x00, 0x0a, 0x05, 0x00, 0x01, 0x01}; /* CIO 10.05 */
    e = (struct exch){0x01, 0x02, bit, sizeof bit, 0, NULL, 0};
    udp_exchange(g, cli, srv, &p, &e);
    static const uint8_t multi[] = {0x82, 0x00, 0x64, 0x00, 0xb0, 0x00,
                                    0x0a, 0x00, 0xb2, 0x00, 0x05, 0x00};
    static const uint8_t multi_rsp[] = {0x82, 0x00, 0x01, 0xb0, 0x12, 0x34, 0xb2, 0x00, 0x00};
    e = (struct exch){0x01, 0x04, multi, sizeof multi, 0, multi_rsp, sizeof multi_rsp};
    udp_exchange(g, cli, srv, &p, &e);
    static const uint8_t bad[] = {0x82, 0xea, 0x60, 0x00, 0x00, 0x01}; /* DM 60000 */
    e = (struct exch){0x01, 0x01, bad, sizeof bad, 0x1103, NULL, 0};
    udp_exchange(g, cli, srv, &p, &e);
}

static void engineering_tcp(struct gen *g, const struct gen_host *cli, const struct gen_host *srv,
                            int v)
{
    struct gen_tcp s;
    struct gen_host ews = *cli;
    ews.mac[5] ^= 0x40;
    ews.ip[3] = (uint8_t)(ews.ip[3] + 20);
    gen_tcp_open(g, &s, &ews, (uint16_t)(49152 + gen_range(g, 16000)), srv, 9600);
    struct gen_buf b;
    tcp_head(&b, 0, 4);
    gb_be32(&b, 0); /* ask for an automatically assigned node */
    gen_tcp_send(g, &s, 0, b.b, b.n);
    tcp_head(&b, 1, 8);
    gb_be32(&b, ews.ip[3]); /* the client node is the low byte of its IP address */
    gb_be32(&b, PLC_NODE);
    gen_tcp_send(g, &s, 1, b.b, b.n);
    gen_advance(g, 10000000);

    struct fins_peer p = {ews.ip[3], PLC_NODE, 0x10};
    uint8_t data[256];
    static const uint8_t model_version[] = {0x00};
    struct exch e = {0x05, 0x01, model_version, 1, 0, data, controller_data(data, v)};
    tcp_exchange(g, &s, &p, &e, 0);
    static const uint8_t prog[] = {0xff, 0xff};
    e = (struct exch){0x0c, 0x01, prog, sizeof prog, 0, NULL, 0};
    tcp_exchange(g, &s, &p, &e, 0);
    e = (struct exch){0x04, 0x02, NULL, 0, 0, NULL, 0}; /* STOP carries no parameters */
    tcp_exchange(g, &s, &p, &e, 0);
    e = (struct exch){0x06, 0x01, NULL, 0, 0, data, controller_status(data, false)};
    tcp_exchange(g, &s, &p, &e, 0);
    /* program area write: program FFFF, beginning word, byte count (bit 15 = last block) */
    for (uint32_t blk = 0; blk < 2; blk++) {
        uint8_t par[8 + 128];
        uint32_t word = blk * 64;
        uint16_t count = (uint16_t)(128 | (blk == 1 ? 0x8000 : 0));
        par[0] = 0xff;
        par[1] = 0xff;
        par[2] = (uint8_t)(word >> 24);
        par[3] = (uint8_t)(word >> 16);
        par[4] = (uint8_t)(word >> 8);
        par[5] = (uint8_t)word;
        par[6] = (uint8_t)(count >> 8);
        par[7] = (uint8_t)count;
        for (int k = 0; k < 128; k++)
            par[8 + k] = (uint8_t)(blk * 17 + k * 3);
        e = (struct exch){0x03, 0x07, par, sizeof par, 0, par, 8};
        tcp_exchange(g, &s, &p, &e, blk == 0 ? 60 : 0);
    }
    static const uint8_t clock[] = {0x26, 0x11, 0x23, 0x12, 0x30, 0x00, 0x01};
    e = (struct exch){0x07, 0x02, clock, sizeof clock, 0, NULL, 0};
    tcp_exchange(g, &s, &p, &e, 0);
    static const uint8_t run[] = {0xff, 0xff, 0x02}; /* MONITOR mode */
    e = (struct exch){0x04, 0x01, run, sizeof run, 0, NULL, 0};
    tcp_exchange(g, &s, &p, &e, 0);
    e = (struct exch){0x06, 0x01, NULL, 0, 0, data, controller_status(data, true)};
    tcp_exchange(g, &s, &p, &e, 0);
    gen_tcp_close(g, &s);
}

void gen_scn_fins(struct gen *g, const struct gen_host *cli, const struct gen_host *srv,
                  int variant, int ops)
{
    int v = variant & 3;
    hmi_udp(g, cli, srv, v, ops);
    engineering_tcp(g, cli, srv, v);
}
