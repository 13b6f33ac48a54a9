/* gen_rdp.c - the start of an RDP connection (MS-RDPBCGR §1.3.1.1) from an office or
 * engineering host (cli) to a Windows station (srv) on tcp/3389: X.224 connection request with
 * an mstshash cookie and the requested protocols, the server's confirm, then either TLS (the
 * server's self-signed certificate names the host; CredSSP follows encrypted) or, with standard
 * RDP security, the MCS Connect Initial carrying the client core data (its computer name).
 * 'ops' adds rounds of encrypted session traffic.  Variants: NLA, TLS without NLA, standard
 * security, a refused request followed by one with NLA. */
#include <stdio.h>
#include <string.h>

#include "gen.h"

#define RDP_PORT 3389

struct rdp_case {
    const char *user;        /* cookie user name, NULL for none */
    uint32_t requested;      /* RDP_NEG_REQ protocols; 0xffffffff: no negotiation request */
    uint32_t selected;       /* 0xff000000 | code: negotiation failure */
    const char *server_cn;   /* TLS certificate subject */
    const char *client_name; /* standard security: client core data */
};

static const struct rdp_case rdp_cases[] = {
    {"operator", 0x0b, 0x02, "EWS-TIA01.eng.plant.local", NULL},
    {"eng", 0x03, 0x01, "HMI-LINE1", NULL},
    {"maint", 0xffffffff, 0x00, NULL, "OPS-LAPTOP7"},
    {NULL, 0x00, 0xff000005, "SCADA-WINCC7", NULL},
};

struct rdp_conn {
    struct gen *g;
    struct gen_tcp s;
};

static void rnd(struct gen *g, struct gen_buf *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        gb_u8(b, (uint8_t)gen_rand(g));
}

static void send(struct rdp_conn *c, int dir, const struct gen_buf *b)
{
    gen_tcp_send_split(c->g, &c->s, dir, b->b, b->n, 1460);
    gen_advance(c->g, dir ? 2000000 : 6000000);
}

/* TPKT (RFC 1006 §6) around an X.224 connection request/confirm (X.224 §13.3/13.4) */
static void x224_connect(struct gen_buf *out, uint8_t code, const char *cookie, uint8_t neg_type,
                         uint32_t value)
{
    struct gen_buf x = {{0}, 0};
    gb_u8(&x, code);
    gb_be16(&x, 0);
    gb_be16(&x, code == 0xd0 ? 0x1234 : 0);
    gb_u8(&x, 0);
    if (cookie)
        gb_str(&x, cookie);
    if (neg_type) {
        gb_u8(&x, neg_type);
        gb_u8(&x, neg_type == 2 ? 0x1f : 0); /* response flags: extended client data etc. */
        gb_le16(&x, 8);
        gb_le32(&x, value);
    }
    gb_u8(out, 3);
    gb_u8(out, 0);
    gb_be16(out, (uint16_t)(4 + 1 + x.n));
    gb_u8(out, (uint8_t)x.n);
    gb_bytes(out, x.b, x.n);
}

/* ---- MCS Connect Initial (T.125) with a GCC Conference Create Request (T.124), laid out as
 * in MS-RDPBCGR §4.1.3 ---- */
static void ber_len(struct gen_buf *b, size_t n)
{
    if (n < 128) {
        gb_u8(b, (uint8_t)n);
    } else {
        gb_u8(b, 0x82);
        gb_be16(b, (uint16_t)n);
    }
}
static void domain_params(struct gen_buf *b, const uint32_t v[8])
{
    struct gen_buf p = {{0}, 0};
    for (int i = 0; i < 8; i++) {
        gb_u8(&p, 0x02);
        if (v[i] > 0x7fff) {
            gb_u8(&p, 3);
            gb_u8(&p, 0);
            gb_be16(&p, (uint16_t)v[i]);
        } else if (v[i] > 0x7f) {
            gb_u8(&p, 2);
            gb_be16(&p, (uint16_t)v[i]);
        } else {
            gb_u8(&p, 1);
            gb_u8(&p, (uint8_t)v[i]);
        }
    }
    gb_u8(b, 0x30);
    ber_len(b, p.n);
    gb_bytes(b, p.b, p.n);
}

static void client_data(struct gen_buf *u, const char *name)
{
    /* TS_UD_CS_CORE (§2.2.1.3.2) */
    gb_le16(u, 0xc001);
    gb_le16(u, 216);
    gb_le32(u, 0x00080004);
    gb_le16(u, 1920);
    gb_le16(u, 1080);
    gb_le16(u, 0xca01);
    gb_le16(u, 0xaa03);
    gb_le32(u, 0x0409);
    gb_le32(u, 19041);
    for (size_t i = 0; i < 16; i++)
        gb_le16(u, i < strlen(name) ? (uint16_t)name[i] : 0);
    gb_le32(u, 4);
    gb_le32(u, 0);
    gb_le32(u, 12);
    gb_pad(u, 0, 64);
    gb_le16(u, 0xca01);
    gb_le16(u, 1);
    gb_le32(u, 0);
    gb_le16(u, 0x18);
    gb_le16(u, 0x0f);
    gb_le16(u, 0x0001);
    gb_pad(u, 0, 64);
    gb_u8(u, 0);
    gb_u8(u, 0);
    gb_le32(u, 0);
    /* TS_UD_CS_SEC (§2.2.1.3.3) */
    gb_le16(u, 0xc002);
    gb_le16(u, 12);
    gb_le32(u, 0x1b);
    gb_le32(u, 0);
    /* TS_UD_CS_NET (§2.2.1.3.4) */
    static const char *const ch[] = {"rdpdr", "cliprdr", "rdpsnd"};
    gb_le16(u, 0xc003);
    gb_le16(u, 8 + 3 * 12);
    gb_le32(u, 3);
    for (int i = 0; i < 3; i++) {
        char n8[8] = {0};
        memcpy(n8, ch[i], strlen(ch[i]));
        gb_bytes(u, n8, 8);
        gb_le32(u, 0x80800000);
    }
    /* TS_UD_CS_CLUSTER (§2.2.1.3.5) */
    gb_le16(u, 0xc004);
    gb_le16(u, 12);
    gb_le32(u, 0x0d);
    gb_le32(u, 0);
}

static void mcs_connect_initial(struct gen_buf *out, const char *name)
{
    struct gen_buf ud = {{0}, 0}, gcc = {{0}, 0}, ci = {{0}, 0};
    client_data(&ud, name);
    /* T.124 ConnectData: key (object id 0.0.20.124.0.1), ConnectGCCPDU (PER) */
    gb_bytes(&gcc, "\x00\x05\x00\x14\x7c\x00\x01", 7);
    gb_be16(&gcc, (uint16_t)(0x8000 | (14 + ud.n)));
    gb_bytes(&gcc, "\x00\x08\x00\x10\x00\x01\xc0\x00\x44\x75\x63\x61", 12);
    gb_be16(&gcc, (uint16_t)(0x8000 | ud.n));
    gb_bytes(&gcc, ud.b, ud.n);
    static const uint32_t target[8] = {34, 2, 0, 1, 0, 1, 0xffff, 2};
    static const uint32_t minimum[8] = {1, 1, 1, 1, 0, 1, 0x420, 2};
    static const uint32_t maximum[8] = {0xffff, 0xfc17, 0xffff, 1, 0, 1, 0xffff, 2};
    gb_bytes(&ci, "\x04\x01\x01\x04\x01\x01\x01\x01\xff", 9);
    domain_params(&ci, target);
    domain_params(&ci, minimum);
    domain_params(&ci, maximum);
    gb_u8(&ci, 0x04);
    ber_len(&ci, gcc.n);
    gb_bytes(&ci, gcc.b, gcc.n);
    struct gen_buf body = {{0}, 0};
    gb_bytes(&body, "\x02\xf0\x80\x7f\x65", 5);
    ber_len(&body, ci.n);
    gb_bytes(&body, ci.b, ci.n);
    gb_u8(out, 3);
    gb_u8(out, 0);
    gb_be16(out, (uint16_t)(4 + body.n));
    gb_bytes(out, body.b, body.n);
}

/* ---- TLS: ClientHello, and the server's hello, certificate, key exchange, done ---- */
static void der(struct gen_buf *out, uint8_t tag, const struct gen_buf *v)
{
    gb_u8(out, tag);
    ber_len(out, v->n);
    gb_bytes(out, v->b, v->n);
}
static void der_raw(struct gen_buf *out, uint8_t tag, const void *p, size_t n)
{
    struct gen_buf v = {{0}, 0};
    gb_bytes(&v, p, n);
    der(out, tag, &v);
}
static void cn_name(struct gen_buf *out, const char *cn)
{
    struct gen_buf atv = {{0}, 0}, set = {{0}, 0}, seq = {{0}, 0};
    der_raw(&atv, 0x06, "\x55\x04\x03", 3);
    der_raw(&atv, 0x0c, cn, strlen(cn));
    der(&set, 0x30, &atv);
    der(&seq, 0x31, &set);
    der(out, 0x30, &seq);
}
static void alg_id(struct gen_buf *out, const char *oid9)
{
    struct gen_buf a = {{0}, 0};
    der_raw(&a, 0x06, oid9, 9);
    der_raw(&a, 0x05, "", 0);
    der(out, 0x30, &a);
}
static void certificate(struct gen *g, struct gen_buf *out, const char *cn)
{
    struct gen_buf tbs = {{0}, 0}, v = {{0}, 0}, val = {{0}, 0}, spki = {{0}, 0}, rsa = {{0}, 0},
                   mod = {{0}, 0}, bits = {{0}, 0}, cert = {{0}, 0}, sig = {{0}, 0};
    der_raw(&v, 0x02, "\x02", 1);
    der(&tbs, 0xa0, &v);
    der_raw(&tbs, 0x02, "\x15\x6a\x3f\x0e\x21\x9c\x4d\x97", 8);
    alg_id(&tbs, "\x2a\x86\x48\x86\xf7\x0d\x01\x01\x0b");
    cn_name(&tbs, cn);
    der_raw(&val, 0x17, "250301101500Z", 13);
    der_raw(&val, 0x17, "250831101500Z", 13);
    der(&tbs, 0x30, &val);
    cn_name(&tbs, cn);
    alg_id(&spki, "\x2a\x86\x48\x86\xf7\x0d\x01\x01\x01");
    gb_u8(&mod, 0);
    gb_u8(&mod, 0xb7);
    rnd(g, &mod, 255);
    der(&rsa, 0x02, &mod);
    der_raw(&rsa, 0x02, "\x01\x00\x01", 3);
    gb_u8(&bits, 0);
    der(&bits, 0x30, &rsa);
    der(&spki, 0x03, &bits);
    der(&tbs, 0x30, &spki);
    der(&cert, 0x30, &tbs);
    alg_id(&cert, "\x2a\x86\x48\x86\xf7\x0d\x01\x01\x0b");
    gb_u8(&sig, 0);
    rnd(g, &sig, 256);
    der(&cert, 0x03, &sig);
    der(out, 0x30, &cert);
}
static void hs(struct gen_buf *out, uint8_t type, const struct gen_buf *b)
{
    gb_u8(out, type);
    gb_u8(out, (uint8_t)(b->n >> 16));
    gb_be16(out, (uint16_t)b->n);
    gb_bytes(out, b->b, b->n);
}
static void rec(struct gen_buf *out, uint8_t type, const struct gen_buf *b)
{
    gb_u8(out, type);
    gb_be16(out, 0x0303);
    gb_be16(out, (uint16_t)b->n);
    gb_bytes(out, b->b, b->n);
}

static void tls(struct rdp_conn *c, const char *cn, int ops)
{
    struct gen_buf h = {{0}, 0}, m = {{0}, 0}, out = {{0}, 0};
    /* ClientHello as Windows' schannel sends it: TLS 1.2, no SNI, a few extensions */
    gb_be16(&h, 0x0303);
    rnd(c->g, &h, 32);
    gb_u8(&h, 0);
    static const uint16_t cs[] = {0xc02c, 0xc02b, 0xc030, 0xc02f, 0x009f, 0x009e, 0xc024,
                                  0xc023, 0xc028, 0xc027, 0xc00a, 0xc009, 0xc014, 0xc013,
                                  0x009d, 0x009c, 0x003d, 0x003c, 0x0035, 0x002f, 0x000a};
    gb_be16(&h, sizeof cs);
    for (size_t i = 0; i < sizeof cs / 2; i++)
        gb_be16(&h, cs[i]);
    gb_u8(&h, 1);
    gb_u8(&h, 0);
    struct gen_buf el = {{0}, 0};
    gb_bytes(&el, "\x00\x0a\x00\x08\x00\x06\x00\x1d\x00\x17\x00\x18", 12); /* groups */
    gb_bytes(&el, "\x00\x0b\x00\x02\x01\x00", 6);                          /* point formats */
    gb_bytes(&el, "\x00\x0d\x00\x0a\x00\x08\x04\x01\x05\x01\x02\x01\x04\x03", 14); /* sigalgs */
    gb_bytes(&el, "\x00\x17\x00\x00\xff\x01\x00\x01\x00", 9); /* ems, renegotiation_info */
    gb_be16(&h, (uint16_t)el.n);
    gb_bytes(&h, el.b, el.n);
    hs(&m, 1, &h);
    rec(&out, 22, &m);
    send(c, 0, &out);
    /* ServerHello (ECDHE-RSA-AES256-GCM), Certificate, ServerKeyExchange, ServerHelloDone */
    h.n = m.n = out.n = 0;
    gb_be16(&h, 0x0303);
    rnd(c->g, &h, 32);
    gb_u8(&h, 32);
    rnd(c->g, &h, 32);
    gb_be16(&h, 0xc030);
    gb_u8(&h, 0);
    gb_bytes(&h, "\x00\x09\x00\x17\x00\x00\xff\x01\x00\x01\x00", 11);
    hs(&m, 2, &h);
    struct gen_buf crt = {{0}, 0}, list = {{0}, 0};
    certificate(c->g, &crt, cn);
    gb_u8(&list, 0);
    gb_be16(&list, (uint16_t)(crt.n + 3));
    gb_u8(&list, 0);
    gb_be16(&list, (uint16_t)crt.n);
    gb_bytes(&list, crt.b, crt.n);
    hs(&m, 11, &list);
    h.n = 0;
    gb_u8(&h, 3);
    gb_be16(&h, 0x0017);
    gb_u8(&h, 65);
    gb_u8(&h, 4);
    rnd(c->g, &h, 64);
    gb_be16(&h, 0x0401);
    gb_be16(&h, 256);
    rnd(c->g, &h, 256);
    hs(&m, 12, &h);
    h.n = 0;
    hs(&m, 14, &h);
    rec(&out, 22, &m);
    send(c, 1, &out);
    /* ClientKeyExchange, ChangeCipherSpec, Finished; the server's CCS and Finished */
    h.n = m.n = out.n = 0;
    gb_u8(&h, 65);
    gb_u8(&h, 4);
    rnd(c->g, &h, 64);
    hs(&m, 16, &h);
    rec(&out, 22, &m);
    h.n = 0;
    gb_u8(&h, 1);
    rec(&out, 20, &h);
    h.n = 0;
    rnd(c->g, &h, 40);
    rec(&out, 22, &h);
    send(c, 0, &out);
    out.n = h.n = 0;
    gb_u8(&h, 1);
    rec(&out, 20, &h);
    h.n = 0;
    rnd(c->g, &h, 40);
    rec(&out, 22, &h);
    send(c, 1, &out);
    /* CredSSP and the RDP session, encrypted */
    for (int i = 0; i <= ops + 1; i++) {
        out.n = h.n = 0;
        rnd(c->g, &h, 60 + gen_range(c->g, 400));
        rec(&out, 23, &h);
        send(c, 0, &out);
        out.n = h.n = 0;
        rnd(c->g, &h, 100 + gen_range(c->g, 1200));
        rec(&out, 23, &h);
        send(c, 1, &out);
    }
}

void gen_scn_rdp(struct gen *g, const struct gen_host *cli, const struct gen_host *srv, int variant,
                 int ops)
{
    const struct rdp_case *r =
        &rdp_cases[(unsigned)variant % (sizeof rdp_cases / sizeof *rdp_cases)];
    struct rdp_conn c;
    c.g = g;
    uint32_t requested = r->requested, selected = r->selected;
    for (int attempt = 0; attempt < 2; attempt++) {
        gen_tcp_open(g, &c.s, cli, (uint16_t)(50000 + gen_range(g, 10000)), srv, RDP_PORT);
        struct gen_buf b = {{0}, 0};
        char cookie[64];
        if (r->user)
            snprintf(cookie, sizeof cookie, "Cookie: mstshash=%s\r\n", r->user);
        x224_connect(&b, 0xe0, r->user ? cookie : NULL, requested == 0xffffffff ? 0 : 1, requested);
        send(&c, 0, &b);
        b.n = 0;
        if ((selected & 0xff000000) == 0xff000000) {
            x224_connect(&b, 0xd0, NULL, 3, selected & 0xff);
            send(&c, 1, &b);
            gen_tcp_close(g, &c.s);
            gen_advance(g, 1000000000);
            requested = 0x03; /* the client retries with CredSSP */
            selected = 0x02;
            continue;
        }
        x224_connect(&b, 0xd0, NULL, requested == 0xffffffff ? 0 : 2, selected);
        send(&c, 1, &b);
        if (selected == 0) {
            b.n = 0;
            mcs_connect_initial(&b, r->client_name);
            send(&c, 0, &b);
        } else {
            tls(&c, r->server_cn, ops);
        }
        gen_tcp_close(g, &c.s);
        break;
    }
}
