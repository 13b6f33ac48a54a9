/* gen_tls.c - a TLS session (RFC 5246 / RFC 8446) between a client (cli) and a plant server
 * (srv) on tcp/443, or tcp/4843 for OPC UA over HTTPS: the ClientHello of a browser or an old
 * HMI runtime, the server's hello and, up to TLS 1.2, its certificate (DER written here; the
 * signature is random bytes, nothing verifies it), key exchange, ChangeCipherSpec, encrypted
 * Finished and 'ops' rounds of application data.  Variants: an OPC UA server's self-signed
 * certificate, TLS 1.3, a legacy TLS 1.0 panel with an expired certificate, a PLC web server
 * with a CA-issued certificate. */
#include <stdio.h>
#include <string.h>

#include "gen.h"

#define TLS_PORT  443
#define OPCUA_TLS 4843

struct tls_profile {
    uint16_t port;
    uint16_t client_version, server_version; /* server_version 0x0304: TLS 1.3 */
    uint16_t cipher;
    bool modern_client; /* browser ClientHello (GREASE, ALPN, key share); else a legacy one */
    const char *sni;
    const char *subject_cn, *subject_o, *issuer_cn, *issuer_o;
    const char *not_before, *not_after; /* UTCTime text */
};

static const struct tls_profile tls_profiles[] = {
    {OPCUA_TLS, 0x0303, 0x0303, 0xc02f, true, "cx-4a2b7c.plant.local", "TcOpcUaServer@CX-4A2B7C",
     "Beckhoff Automation GmbH & Co. KG", "TcOpcUaServer@CX-4A2B7C",
     "Beckhoff Automation GmbH & Co. KG", "230315080000Z", "330315080000Z"},
    {TLS_PORT, 0x0303, 0x0304, 0x1301, true, "scada-web.plant.local", NULL, NULL, NULL, NULL, NULL,
     NULL},
    {TLS_PORT, 0x0301, 0x0301, 0x002f, false, "hmi-panel3", "hmi-panel3.plant.local",
     "Plant Operations", "Plant Issuing CA 1", "Plant Operations", "180601000000Z",
     "230601000000Z"},
    {TLS_PORT, 0x0303, 0x0303, 0xc030, true, "plc-line1.plant.local", "plc-line1.plant.local",
     "Plant Operations", "Plant Issuing CA 1", "Plant Operations", "250110000000Z",
     "270110000000Z"},
};

static void rnd(struct gen *g, struct gen_buf *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        gb_u8(b, (uint8_t)gen_rand(g));
}
static void be24(struct gen_buf *b, uint32_t v)
{
    gb_u8(b, (uint8_t)(v >> 16));
    gb_be16(b, (uint16_t)v);
}

/* ---- DER ---- */
static void alg(struct gen_buf *out, const char *oid, size_t n)
{
    struct gen_buf a = {{0}, 0};
    gb_tlv_raw(&a, 0x06, oid, n);
    gb_tlv_raw(&a, 0x05, "", 0);
    gb_tlv(out, 0x30, &a);
}
static void rdn(struct gen_buf *name, const char *oid3, uint8_t stag, const char *s)
{
    struct gen_buf atv = {{0}, 0}, set = {{0}, 0};
    gb_tlv_raw(&atv, 0x06, oid3, 3);
    gb_tlv_raw(&atv, stag, s, strlen(s));
    gb_tlv(&set, 0x30, &atv);
    gb_tlv(name, 0x31, &set);
}
static void dn(struct gen_buf *out, const char *cn, const char *o)
{
    struct gen_buf n = {{0}, 0};
    rdn(&n, "\x55\x04\x06", 0x13, "DE");
    rdn(&n, "\x55\x04\x0a", 0x0c, o);
    rdn(&n, "\x55\x04\x03", 0x0c, cn);
    gb_tlv(out, 0x30, &n);
}

#define SHA256_RSA "\x2a\x86\x48\x86\xf7\x0d\x01\x01\x0b"
#define RSA_ENC    "\x2a\x86\x48\x86\xf7\x0d\x01\x01\x01"

/* RFC 5280 §4.1 Certificate with a 2048-bit RSA key */
static void certificate(struct gen *g, struct gen_buf *out, const struct tls_profile *p)
{
    struct gen_buf tbs = {{0}, 0}, v = {{0}, 0}, val = {{0}, 0}, spki = {{0}, 0}, rsa = {{0}, 0},
                   bits = {{0}, 0}, cert = {{0}, 0}, mod = {{0}, 0}, sig = {{0}, 0};
    gb_tlv_raw(&v, 0x02, "\x02", 1);
    gb_tlv(&tbs, 0xa0, &v);
    uint8_t serial[8];
    for (int i = 0; i < 8; i++)
        serial[i] = (uint8_t)gen_rand(g);
    serial[0] &= 0x7f;
    gb_tlv_raw(&tbs, 0x02, serial, sizeof serial);
    alg(&tbs, SHA256_RSA, 9);
    dn(&tbs, p->issuer_cn, p->issuer_o);
    gb_tlv_raw(&val, 0x17, p->not_before, strlen(p->not_before));
    gb_tlv_raw(&val, 0x17, p->not_after, strlen(p->not_after));
    gb_tlv(&tbs, 0x30, &val);
    dn(&tbs, p->subject_cn, p->subject_o);
    alg(&spki, RSA_ENC, 9);
    gb_u8(&mod, 0x00);
    gb_u8(&mod, 0xc1);
    rnd(g, &mod, 255);
    gb_tlv(&rsa, 0x02, &mod);
    gb_tlv_raw(&rsa, 0x02, "\x01\x00\x01", 3);
    gb_u8(&bits, 0);
    gb_tlv(&bits, 0x30, &rsa);
    gb_tlv(&spki, 0x03, &bits);
    gb_tlv(&tbs, 0x30, &spki);
    gb_tlv(&cert, 0x30, &tbs);
    alg(&cert, SHA256_RSA, 9);
    gb_u8(&sig, 0);
    rnd(g, &sig, 256);
    gb_tlv(&cert, 0x03, &sig);
    gb_tlv(out, 0x30, &cert);
}

/* ---- handshake ---- */
static void handshake(struct gen_buf *out, uint8_t type, const struct gen_buf *body)
{
    gb_u8(out, type);
    be24(out, (uint32_t)body->n);
    gb_bytes(out, body->b, body->n);
}
static void record(struct gen_buf *out, uint8_t type, uint16_t version, const struct gen_buf *b)
{
    gb_u8(out, type);
    gb_be16(out, version);
    gb_be16(out, (uint16_t)b->n);
    gb_bytes(out, b->b, b->n);
}
static void ext(struct gen_buf *out, uint16_t type, const struct gen_buf *body)
{
    gb_be16(out, type);
    gb_be16(out, (uint16_t)body->n);
    gb_bytes(out, body->b, body->n);
}

static void client_hello(struct gen *g, struct gen_buf *out, const struct tls_profile *p)
{
    struct gen_buf h = {{0}, 0}, el = {{0}, 0}, e = {{0}, 0};
    uint16_t grease = (uint16_t)(0x0a0a + 0x1010 * gen_range(g, 16));
    gb_be16(&h, p->client_version);
    rnd(g, &h, 32);
    gb_u8(&h, p->modern_client ? 32 : 0);
    if (p->modern_client)
        rnd(g, &h, 32);
    static const uint16_t modern[] = {0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f,
                                      0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc013,
                                      0xc014, 0x009c, 0x009d, 0x002f, 0x0035};
    static const uint16_t legacy[] = {0x002f, 0x0035, 0x000a, 0x0005, 0x0004, 0x00ff};
    const uint16_t *cs = p->modern_client ? modern : legacy;
    size_t ncs = p->modern_client ? sizeof modern / 2 : sizeof legacy / 2;
    gb_be16(&h, (uint16_t)(2 * (ncs + (p->modern_client ? 1 : 0))));
    if (p->modern_client)
        gb_be16(&h, grease);
    for (size_t i = 0; i < ncs; i++)
        gb_be16(&h, cs[i]);
    gb_u8(&h, 1);
    gb_u8(&h, 0);
    if (p->modern_client)
        ext(&el, grease, &e);
    /* server_name (RFC 6066 §3) */
    gb_be16(&e, (uint16_t)(3 + strlen(p->sni)));
    gb_u8(&e, 0);
    gb_be16(&e, (uint16_t)strlen(p->sni));
    gb_str(&e, p->sni);
    ext(&el, 0x0000, &e);
    e.n = 0;
    if (!p->modern_client) {
        gb_u8(&e, 0);
        ext(&el, 0xff01, &e);
        gb_be16(&h, (uint16_t)el.n);
        gb_bytes(&h, el.b, el.n);
        handshake(out, 1, &h);
        return;
    }
    ext(&el, 0x0017, &e); /* extended_master_secret */
    gb_u8(&e, 0);
    ext(&el, 0xff01, &e);
    e.n = 0;
    gb_be16(&e, 8);
    gb_be16(&e, grease);
    gb_be16(&e, 0x001d);
    gb_be16(&e, 0x0017);
    gb_be16(&e, 0x0018);
    ext(&el, 0x000a, &e);
    e.n = 0;
    gb_u8(&e, 1);
    gb_u8(&e, 0);
    ext(&el, 0x000b, &e);
    e.n = 0;
    ext(&el, 0x0023, &e); /* session_ticket */
    gb_be16(&e, 12);
    gb_u8(&e, 2);
    gb_str(&e, "h2");
    gb_u8(&e, 8);
    gb_str(&e, "http/1.1");
    ext(&el, 0x0010, &e);
    e.n = 0;
    static const uint16_t sigs[] = {0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601};
    gb_be16(&e, sizeof sigs);
    for (size_t i = 0; i < sizeof sigs / 2; i++)
        gb_be16(&e, sigs[i]);
    ext(&el, 0x000d, &e);
    e.n = 0;
    gb_be16(&e, 2 + 2 + 32); /* key_share: x25519 */
    gb_be16(&e, 0x001d);
    gb_be16(&e, 32);
    rnd(g, &e, 32);
    ext(&el, 0x0033, &e);
    e.n = 0;
    gb_u8(&e, 1);
    gb_u8(&e, 1);
    ext(&el, 0x002d, &e); /* psk_key_exchange_modes */
    e.n = 0;
    gb_u8(&e, 6);
    gb_be16(&e, grease);
    gb_be16(&e, 0x0304);
    gb_be16(&e, 0x0303);
    ext(&el, 0x002b, &e);
    e.n = 0;
    gb_be16(&h, (uint16_t)el.n);
    gb_bytes(&h, el.b, el.n);
    handshake(out, 1, &h);
}

static void server_hello(struct gen *g, struct gen_buf *out, const struct tls_profile *p)
{
    struct gen_buf h = {{0}, 0}, el = {{0}, 0}, e = {{0}, 0};
    bool v13 = p->server_version == 0x0304;
    gb_be16(&h, v13 ? 0x0303 : p->server_version);
    rnd(g, &h, 32);
    gb_u8(&h, 32);
    rnd(g, &h, 32);
    gb_be16(&h, p->cipher);
    gb_u8(&h, 0);
    if (v13) {
        gb_be16(&e, 0x0304);
        ext(&el, 0x002b, &e);
        e.n = 0;
        gb_be16(&e, 0x001d);
        gb_be16(&e, 32);
        rnd(g, &e, 32);
        ext(&el, 0x0033, &e);
    } else {
        gb_u8(&e, 0);
        ext(&el, 0xff01, &e);
        if (p->modern_client) {
            e.n = 0;
            ext(&el, 0x0017, &e);
        }
    }
    gb_be16(&h, (uint16_t)el.n);
    gb_bytes(&h, el.b, el.n);
    handshake(out, 2, &h);
}

static void send_records(struct gen *g, struct gen_tcp *s, int dir, const struct gen_buf *b)
{
    gen_tcp_send_split(g, s, dir, b->b, b->n, 1460);
    gen_advance(g, dir ? 1500000 : 3000000);
}

void gen_scn_tls(struct gen *g, const struct gen_host *cli, const struct gen_host *srv, int variant,
                 int ops)
{
    const struct tls_profile *p =
        &tls_profiles[(unsigned)variant % (sizeof tls_profiles / sizeof *tls_profiles)];
    struct gen_tcp s;
    gen_tcp_open(g, &s, cli, (uint16_t)(50000 + gen_range(g, 10000)), srv, p->port);
    uint16_t rv = p->server_version == 0x0304 ? 0x0303 : p->server_version;
    struct gen_buf hs = {{0}, 0}, out = {{0}, 0}, tmp = {{0}, 0};
    client_hello(g, &hs, p);
    record(&out, 22, 0x0301, &hs);
    send_records(g, &s, 0, &out);

    hs.n = out.n = 0;
    server_hello(g, &hs, p);
    if (p->server_version == 0x0304) {
        record(&out, 22, rv, &hs);
        gb_u8(&tmp, 1);
        record(&out, 20, rv, &tmp);
        tmp.n = 0;
        rnd(g, &tmp, 900 + gen_range(g, 200)); /* encrypted extensions .. finished */
        record(&out, 23, rv, &tmp);
        send_records(g, &s, 1, &out);
        out.n = tmp.n = 0;
        gb_u8(&tmp, 1);
        record(&out, 20, rv, &tmp);
        tmp.n = 0;
        rnd(g, &tmp, 53);
        record(&out, 23, rv, &tmp);
        send_records(g, &s, 0, &out);
    } else {
        struct gen_buf cert = {{0}, 0}, list = {{0}, 0};
        certificate(g, &cert, p);
        be24(&list, (uint32_t)cert.n + 3);
        be24(&list, (uint32_t)cert.n);
        gb_bytes(&list, cert.b, cert.n);
        handshake(&hs, 11, &list);
        if (p->cipher >= 0xc000) { /* ECDHE: ServerKeyExchange (RFC 8422 §5.4) */
            tmp.n = 0;
            gb_u8(&tmp, 3);
            gb_be16(&tmp, 0x001d);
            gb_u8(&tmp, 32);
            rnd(g, &tmp, 32);
            gb_be16(&tmp, 0x0401);
            gb_be16(&tmp, 256);
            rnd(g, &tmp, 256);
            handshake(&hs, 12, &tmp);
        }
        tmp.n = 0;
        handshake(&hs, 14, &tmp); /* ServerHelloDone */
        record(&out, 22, rv, &hs);
        send_records(g, &s, 1, &out);
        /* ClientKeyExchange, ChangeCipherSpec, Finished (encrypted) */
        hs.n = out.n = tmp.n = 0;
        if (p->cipher >= 0xc000) {
            gb_u8(&tmp, 32);
            rnd(g, &tmp, 32);
        } else {
            gb_be16(&tmp, 256);
            rnd(g, &tmp, 256);
        }
        handshake(&hs, 16, &tmp);
        record(&out, 22, rv, &hs);
        tmp.n = 0;
        gb_u8(&tmp, 1);
        record(&out, 20, rv, &tmp);
        tmp.n = 0;
        rnd(g, &tmp, 40);
        record(&out, 22, rv, &tmp);
        send_records(g, &s, 0, &out);
        out.n = tmp.n = 0;
        gb_u8(&tmp, 1);
        record(&out, 20, rv, &tmp);
        tmp.n = 0;
        rnd(g, &tmp, 40);
        record(&out, 22, rv, &tmp);
        send_records(g, &s, 1, &out);
    }
    for (int i = 0; i <= ops; i++) {
        out.n = tmp.n = 0;
        rnd(g, &tmp, 200 + gen_range(g, 300));
        record(&out, 23, rv, &tmp);
        send_records(g, &s, 0, &out);
        out.n = tmp.n = 0;
        rnd(g, &tmp, 600 + gen_range(g, 2000));
        record(&out, 23, rv, &tmp);
        send_records(g, &s, 1, &out);
        gen_advance(g, 2000000000ll);
    }
    gen_tcp_close(g, &s);
}
