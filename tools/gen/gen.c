/* gen.c - a deterministic pcap writer with TCP/UDP/layer-2 helpers (see gen.h).  Checksums are
 * computed so that tshark, the oracle, accepts every frame. */
#include "gen.h"

#include <string.h>

static void put32le(FILE *f, uint32_t v)
{
    uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    fwrite(b, 1, 4, f);
}

static void put16le(FILE *f, uint16_t v)
{
    uint8_t b[2] = {(uint8_t)v, (uint8_t)(v >> 8)};
    fwrite(b, 1, 2, f);
}

int gen_open(struct gen *g, const char *path, uint64_t seed, int64_t start_ns)
{
    bool ns = g->nanosecond;
    memset(g, 0, sizeof *g);
    g->nanosecond = ns;
    g->out = fopen(path, "wb");
    if (!g->out)
        return -1;
    g->rng = seed ? seed : 0x9e3779b97f4a7c15ull;
    g->t_ns = start_ns;
    /* classic pcap, microsecond (0xa1b2c3d4) or nanosecond (0xa1b23c4d) */
    put32le(g->out, g->nanosecond ? 0xa1b23c4du : 0xa1b2c3d4u);
    put16le(g->out, 2);
    put16le(g->out, 4);
    put32le(g->out, 0);
    put32le(g->out, 0);
    put32le(g->out, 65535);
    put32le(g->out, 1); /* Ethernet */
    return 0;
}

int gen_close(struct gen *g)
{
    return g->out && fclose(g->out) == 0 ? 0 : -1;
}

uint64_t gen_rand(struct gen *g)
{
    g->rng ^= g->rng >> 12;
    g->rng ^= g->rng << 25;
    g->rng ^= g->rng >> 27;
    return g->rng * 2685821657736338717ull;
}

uint32_t gen_range(struct gen *g, uint32_t n)
{
    return n ? (uint32_t)(gen_rand(g) % n) : 0;
}

void gen_advance(struct gen *g, int64_t ns)
{
    g->t_ns += ns;
}

static void write_frame(struct gen *g, const uint8_t *data, size_t n)
{
    int64_t sec = g->t_ns / 1000000000ll, frac = g->t_ns % 1000000000ll;
    put32le(g->out, (uint32_t)sec);
    put32le(g->out, (uint32_t)(g->nanosecond ? frac : frac / 1000));
    put32le(g->out, (uint32_t)n);
    put32le(g->out, (uint32_t)n);
    fwrite(data, 1, n, g->out);
    g->packets++;
    g->bytes += n;
    g->t_ns += 1000 + (int64_t)gen_range(g, 20000); /* 1-21 us between frames */
}

void gen_raw(struct gen *g, const uint8_t *frame, size_t n)
{
    write_frame(g, frame, n);
}

/* ---- byte builder ---- */
void gb_u8(struct gen_buf *b, uint8_t v)
{
    if (b->n < sizeof b->b)
        b->b[b->n++] = v;
}
void gb_be16(struct gen_buf *b, uint16_t v)
{
    gb_u8(b, (uint8_t)(v >> 8));
    gb_u8(b, (uint8_t)v);
}
void gb_le16(struct gen_buf *b, uint16_t v)
{
    gb_u8(b, (uint8_t)v);
    gb_u8(b, (uint8_t)(v >> 8));
}
void gb_be32(struct gen_buf *b, uint32_t v)
{
    gb_be16(b, (uint16_t)(v >> 16));
    gb_be16(b, (uint16_t)v);
}
void gb_le32(struct gen_buf *b, uint32_t v)
{
    gb_le16(b, (uint16_t)v);
    gb_le16(b, (uint16_t)(v >> 16));
}
void gb_bytes(struct gen_buf *b, const void *p, size_t n)
{
    const uint8_t *s = p;
    for (size_t i = 0; i < n; i++)
        gb_u8(b, s[i]);
}
void gb_str(struct gen_buf *b, const char *s)
{
    gb_bytes(b, s, strlen(s));
}
void gb_pad(struct gen_buf *b, uint8_t v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        gb_u8(b, v);
}
void gb_put_be16(struct gen_buf *b, size_t at, uint16_t v)
{
    if (at + 2 <= b->n) {
        b->b[at] = (uint8_t)(v >> 8);
        b->b[at + 1] = (uint8_t)v;
    }
}
void gb_put_le16(struct gen_buf *b, size_t at, uint16_t v)
{
    if (at + 2 <= b->n) {
        b->b[at] = (uint8_t)v;
        b->b[at + 1] = (uint8_t)(v >> 8);
    }
}

/* ---- frames ---- */
static uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i + 1 < n; i += 2)
        sum += (uint32_t)(p[i] << 8 | p[i + 1]);
    if (n & 1)
        sum += (uint32_t)(p[n - 1] << 8);
    return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

static size_t eth_header(uint8_t *f, const uint8_t dst[6], const struct gen_host *src,
                         uint16_t type)
{
    size_t o = 0;
    memcpy(f, dst, 6);
    memcpy(f + 6, src->mac, 6);
    o = 12;
    if (src->vlan) {
        f[o++] = 0x81;
        f[o++] = 0x00;
        f[o++] = (uint8_t)(src->vlan >> 8 & 0x0f);
        f[o++] = (uint8_t)src->vlan;
    }
    f[o++] = (uint8_t)(type >> 8);
    f[o++] = (uint8_t)type;
    return o;
}

/* an IPv4 packet with an L4 header+payload already in l4[0..l4n) (checksum field patched) */
static void ip_frame(struct gen *g, const struct gen_host *src, const struct gen_host *dst,
                     uint8_t proto, uint8_t *l4, size_t l4n, size_t csum_at)
{
    uint8_t f[70000];
    size_t o = eth_header(f, dst->mac, src, 0x0800);
    size_t ip = o;
    uint16_t total = (uint16_t)(20 + l4n);
    uint8_t h[20] = {0x45, 0, (uint8_t)(total >> 8), (uint8_t)total, 0, 0, 0x40, 0, 64, proto,
                     0,    0};
    uint16_t id = (uint16_t)gen_range(g, 65536);
    h[4] = (uint8_t)(id >> 8);
    h[5] = (uint8_t)id;
    memcpy(h + 12, src->ip, 4);
    memcpy(h + 16, dst->ip, 4);
    uint16_t hc = csum_fold(csum_add(0, h, 20));
    h[10] = (uint8_t)(hc >> 8);
    h[11] = (uint8_t)hc;
    memcpy(f + ip, h, 20);
    /* pseudo-header checksum for TCP/UDP */
    uint8_t ph[12];
    memcpy(ph, src->ip, 4);
    memcpy(ph + 4, dst->ip, 4);
    ph[8] = 0;
    ph[9] = proto;
    ph[10] = (uint8_t)(l4n >> 8);
    ph[11] = (uint8_t)l4n;
    l4[csum_at] = l4[csum_at + 1] = 0;
    uint16_t c = csum_fold(csum_add(csum_add(0, ph, 12), l4, l4n));
    if (proto == 17 && c == 0)
        c = 0xffff;
    l4[csum_at] = (uint8_t)(c >> 8);
    l4[csum_at + 1] = (uint8_t)c;
    memcpy(f + ip + 20, l4, l4n);
    size_t n = ip + 20 + l4n;
    while (n < 60)
        f[n++] = 0;
    write_frame(g, f, n);
}

static void tcp_segment(struct gen *g, struct gen_tcp *s, int dir, uint8_t flags, const void *data,
                        size_t n)
{
    static uint8_t seg[66000];
    const struct gen_host *src = dir ? &s->srv : &s->cli, *dst = dir ? &s->cli : &s->srv;
    uint16_t sp = dir ? s->sport : s->cport, dp = dir ? s->cport : s->sport;
    uint32_t seq = s->seq[dir], ack = s->seq[1 - dir];
    uint8_t h[20] = {(uint8_t)(sp >> 8),
                     (uint8_t)sp,
                     (uint8_t)(dp >> 8),
                     (uint8_t)dp,
                     (uint8_t)(seq >> 24),
                     (uint8_t)(seq >> 16),
                     (uint8_t)(seq >> 8),
                     (uint8_t)seq,
                     (uint8_t)(ack >> 24),
                     (uint8_t)(ack >> 16),
                     (uint8_t)(ack >> 8),
                     (uint8_t)ack,
                     0x50,
                     flags,
                     0xfa,
                     0xf0,
                     0,
                     0,
                     0,
                     0};
    if (!(flags & 0x10))
        memset(h + 8, 0, 4);
    memcpy(seg, h, 20);
    if (n)
        memcpy(seg + 20, data, n);
    ip_frame(g, src, dst, 6, seg, 20 + n, 16);
    s->seq[dir] += (uint32_t)n + ((flags & 0x03) ? 1 : 0);
}

void gen_tcp_open(struct gen *g, struct gen_tcp *s, const struct gen_host *cli, uint16_t cport,
                  const struct gen_host *srv, uint16_t sport)
{
    s->cli = *cli;
    s->srv = *srv;
    s->cport = cport;
    s->sport = sport;
    s->seq[0] = (uint32_t)gen_rand(g);
    s->seq[1] = (uint32_t)gen_rand(g);
    tcp_segment(g, s, 0, 0x02, NULL, 0);
    tcp_segment(g, s, 1, 0x12, NULL, 0);
    tcp_segment(g, s, 0, 0x10, NULL, 0);
}

void gen_tcp_send(struct gen *g, struct gen_tcp *s, int dir, const void *data, size_t n)
{
    tcp_segment(g, s, dir, 0x18, data, n);
}

void gen_tcp_send_split(struct gen *g, struct gen_tcp *s, int dir, const void *data, size_t n,
                        size_t mss)
{
    const uint8_t *p = data;
    if (!mss)
        mss = 1460;
    for (size_t off = 0; off < n; off += mss)
        tcp_segment(g, s, dir, off + mss >= n ? 0x18 : 0x10, p + off,
                    n - off < mss ? n - off : mss);
}

void gen_tcp_close(struct gen *g, struct gen_tcp *s)
{
    tcp_segment(g, s, 0, 0x11, NULL, 0);
    tcp_segment(g, s, 1, 0x11, NULL, 0);
    tcp_segment(g, s, 0, 0x10, NULL, 0);
}

void gen_udp(struct gen *g, const struct gen_host *src, uint16_t sport, const struct gen_host *dst,
             uint16_t dport, const void *data, size_t n)
{
    static uint8_t dg[66000];
    uint16_t len = (uint16_t)(8 + n);
    uint8_t h[8] = {(uint8_t)(sport >> 8),
                    (uint8_t)sport,
                    (uint8_t)(dport >> 8),
                    (uint8_t)dport,
                    (uint8_t)(len >> 8),
                    (uint8_t)len,
                    0,
                    0};
    memcpy(dg, h, 8);
    if (n)
        memcpy(dg + 8, data, n);
    ip_frame(g, src, dst, 17, dg, 8 + n, 6);
}

void gen_l2(struct gen *g, const struct gen_host *src, const uint8_t dst[6], uint16_t ethertype,
            const void *data, size_t n)
{
    uint8_t f[2048];
    size_t o = eth_header(f, dst, src, ethertype);
    if (n > sizeof f - o)
        n = sizeof f - o;
    memcpy(f + o, data, n);
    o += n;
    while (o < 60)
        f[o++] = 0;
    write_frame(g, f, o);
}

void gen_arp(struct gen *g, const struct gen_host *src, const uint8_t target_ip[4], bool reply)
{
    static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    struct gen_buf b = {.n = 0};
    gb_be16(&b, 1);
    gb_be16(&b, 0x0800);
    gb_u8(&b, 6);
    gb_u8(&b, 4);
    gb_be16(&b, reply ? 2 : 1);
    gb_bytes(&b, src->mac, 6);
    gb_bytes(&b, src->ip, 4);
    gb_pad(&b, 0, 6);
    gb_bytes(&b, target_ip, 4);
    gen_l2(g, src, bcast, 0x0806, b.b, b.n);
}

void gb_tlv(struct gen_buf *out, uint8_t tag, const struct gen_buf *v)
{
    gb_u8(out, tag);
    if (v->n < 128) {
        gb_u8(out, (uint8_t)v->n);
    } else if (v->n < 256) {
        gb_u8(out, 0x81);
        gb_u8(out, (uint8_t)v->n);
    } else {
        gb_u8(out, 0x82);
        gb_be16(out, (uint16_t)v->n);
    }
    gb_bytes(out, v->b, v->n);
}

void gb_tlv_raw(struct gen_buf *out, uint8_t tag, const void *p, size_t n)
{
    struct gen_buf v = {{0}, 0};
    gb_bytes(&v, p, n);
    gb_tlv(out, tag, &v);
}
