/* test_tls.c - TLS dissector: SNI and the JA3 / JA4 client fingerprints (the JA4 example of
 * the FoxIO specification, GREASE ignored), JA3S, a deprecated version negotiated, the server
 * certificate (subject, issuer, validity; self-signed and expired findings), a fatal alert as
 * an operation result, a handshake message continuing over records, a ClientHello split over
 * segments that arrive out of order, and hostile records. */
/* clang-format off */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
/* clang-format on */

#include "dtest.h"

extern const struct dissector dissector_tls;

struct buf {
    uint8_t b[4096];
    size_t n;
};
static void put(struct buf *b, const void *p, size_t n)
{
    memcpy(b->b + b->n, p, n);
    b->n += n;
}
static void u8(struct buf *b, uint8_t v)
{
    b->b[b->n++] = v;
}
static void be16(struct buf *b, uint16_t v)
{
    u8(b, (uint8_t)(v >> 8));
    u8(b, (uint8_t)v);
}
static void be24(struct buf *b, uint32_t v)
{
    u8(b, (uint8_t)(v >> 16));
    be16(b, (uint16_t)v);
}

/* ---- ClientHello with the JA4 specification's example lists ---- */
static const uint16_t ciphers[] = {0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9,
                                   0xcca8, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035};
static const uint16_t exts[] = {0x001b, 0x0000, 0x0033, 0x0010, 0x4469, 0x0017, 0x002d, 0x000d,
                                0x0005, 0x0023, 0x0012, 0x002b, 0xff01, 0x000b, 0x000a, 0x0015};
static const uint16_t sigalgs[] = {0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601};

static void ext_body(struct buf *e, uint16_t type)
{
    switch (type) {
    case 0x0000: /* SNI */
        be16(e, 1 + 2 + 18);
        u8(e, 0);
        be16(e, 18);
        put(e, "hmi-01.plant.local", 18);
        break;
    case 0x0010: /* ALPN h2, http/1.1 */
        be16(e, 3 + 9);
        u8(e, 2);
        put(e, "h2", 2);
        u8(e, 8);
        put(e, "http/1.1", 8);
        break;
    case 0x000d:
        be16(e, (uint16_t)(sizeof sigalgs));
        for (size_t i = 0; i < sizeof sigalgs / 2; i++)
            be16(e, sigalgs[i]);
        break;
    case 0x000a: /* groups, a GREASE one first */
        be16(e, 8);
        be16(e, 0x3a3a);
        be16(e, 29);
        be16(e, 23);
        be16(e, 24);
        break;
    case 0x000b:
        u8(e, 1);
        u8(e, 0);
        break;
    case 0x002b: /* supported_versions: GREASE, 1.3, 1.2 */
        u8(e, 6);
        be16(e, 0x7a7a);
        be16(e, 0x0304);
        be16(e, 0x0303);
        break;
    default:
        break;
    }
}

static void client_hello(struct buf *rec)
{
    struct buf h = {{0}, 0}, el = {{0}, 0};
    be16(&h, 0x0303);
    for (int i = 0; i < 32; i++)
        u8(&h, (uint8_t)i);
    u8(&h, 32);
    for (int i = 0; i < 32; i++)
        u8(&h, 0xee);
    be16(&h, (uint16_t)(2 + sizeof ciphers)); /* with one GREASE cipher first */
    be16(&h, 0x0a0a);
    for (size_t i = 0; i < sizeof ciphers / 2; i++)
        be16(&h, ciphers[i]);
    u8(&h, 1);
    u8(&h, 0);
    be16(&el, 0x2a2a); /* a GREASE extension */
    be16(&el, 0);
    for (size_t i = 0; i < sizeof exts / 2; i++) {
        struct buf e = {{0}, 0};
        ext_body(&e, exts[i]);
        be16(&el, exts[i]);
        be16(&el, (uint16_t)e.n);
        put(&el, e.b, e.n);
    }
    be16(&h, (uint16_t)el.n);
    put(&h, el.b, el.n);
    u8(rec, 0x16);
    be16(rec, 0x0301);
    be16(rec, (uint16_t)(h.n + 4));
    u8(rec, 1);
    be24(rec, (uint32_t)h.n);
    put(rec, h.b, h.n);
}

/* ---- a certificate, DER by hand (no signature check is ever made) ---- */
static void tlv(struct buf *out, uint8_t tag, const struct buf *v)
{
    u8(out, tag);
    if (v->n < 128) {
        u8(out, (uint8_t)v->n);
    } else {
        u8(out, 0x82);
        be16(out, (uint16_t)v->n);
    }
    put(out, v->b, v->n);
}
static void raw(struct buf *out, uint8_t tag, const void *p, size_t n)
{
    struct buf v = {{0}, 0};
    put(&v, p, n);
    tlv(out, tag, &v);
}
static void rdn(struct buf *name, const char *oid_bytes, size_t oid_len, uint8_t stag,
                const char *s)
{
    struct buf atv = {{0}, 0}, set = {{0}, 0};
    raw(&atv, 0x06, oid_bytes, oid_len);
    raw(&atv, stag, s, strlen(s));
    tlv(&set, 0x30, &atv);
    tlv(name, 0x31, &set);
}
static void name(struct buf *out, const char *cn, const char *o)
{
    struct buf n = {{0}, 0};
    rdn(&n, "\x55\x04\x06", 3, 0x13, "DE");
    rdn(&n, "\x55\x04\x0a", 3, 0x0c, o);
    rdn(&n, "\x55\x04\x03", 3, 0x0c, cn);
    tlv(out, 0x30, &n);
}
static void certificate_der(struct buf *out, const char *subj, const char *iss,
                            const char *not_after)
{
    struct buf tbs = {{0}, 0}, v = {{0}, 0}, val = {{0}, 0}, cert = {{0}, 0}, alg = {{0}, 0};
    raw(&v, 0x02, "\x02", 1);
    tlv(&tbs, 0xa0, &v);
    raw(&tbs, 0x02, "\x01\x23\x45", 3);
    raw(&alg, 0x06, "\x2a\x86\x48\x86\xf7\x0d\x01\x01\x0b", 9);
    tlv(&tbs, 0x30, &alg);
    name(&tbs, iss, "Example Automation GmbH");
    raw(&val, 0x17, "240101000000Z", 13);
    raw(&val, strlen(not_after) == 13 ? 0x17 : 0x18, not_after, strlen(not_after));
    tlv(&tbs, 0x30, &val);
    name(&tbs, subj, "Example Automation GmbH");
    struct buf spki = {{0}, 0};
    tlv(&spki, 0x30, &alg);
    raw(&spki, 0x03, "\x00\x01\x02", 3);
    tlv(&tbs, 0x30, &spki);
    tlv(&cert, 0x30, &tbs);
    tlv(&cert, 0x30, &alg);
    raw(&cert, 0x03, "\x00\xaa\xbb", 3);
    tlv(out, 0x30, &cert);
}

/* ServerHello (given version, cipher 0x002f, renegotiation_info) + Certificate */
static void server_flight(struct buf *rec, uint16_t version, const struct buf *der)
{
    struct buf hs = {{0}, 0}, sh = {{0}, 0};
    be16(&sh, version);
    for (int i = 0; i < 32; i++)
        u8(&sh, 0x11);
    u8(&sh, 0);
    be16(&sh, 0x002f);
    u8(&sh, 0);
    be16(&sh, 5);
    be16(&sh, 0xff01);
    be16(&sh, 1);
    u8(&sh, 0);
    u8(&hs, 2);
    be24(&hs, (uint32_t)sh.n);
    put(&hs, sh.b, sh.n);
    if (der) {
        u8(&hs, 11);
        be24(&hs, (uint32_t)der->n + 6);
        be24(&hs, (uint32_t)der->n + 3);
        be24(&hs, (uint32_t)der->n);
        put(&hs, der->b, der->n);
    }
    u8(rec, 0x16);
    be16(rec, version);
    be16(rec, (uint16_t)hs.n);
    put(rec, hs.b, hs.n);
}

static struct dtest T;

static int setup(void **state)
{
    (void)state;
    dtest_init(&T, &dissector_tls, 0);
    return 0;
}
static int teardown(void **state)
{
    (void)state;
    dtest_done(&T);
    return 0;
}

static const struct dtest_attr *find_attr(enum attr_field f)
{
    for (int i = 0; i < T.nattr; i++)
        if (T.attrs[i].field == f)
            return &T.attrs[i];
    return NULL;
}

static void test_client_hello_fingerprints(void **state)
{
    (void)state;
    struct buf rec = {{0}, 0};
    client_hello(&rec);
    dtest_pdu(&T, 0, rec.b, rec.n);
    assert_int_equal(T.nmalformed, 0);
    const struct dtest_attr *a = find_attr(F_TLS_SNI);
    assert_non_null(a);
    assert_string_equal(a->value, "hmi-01.plant.local");
    assert_false(a->is_server);
    /* FoxIO JA4.md example: t13d1516h2_8daaf6152771_e5627efa2ab1 */
    assert_string_equal(dtest_attr(&T, F_JA4), "t13d1516h2_8daaf6152771_e5627efa2ab1");
    /* md5("771,4865-...-53,27-0-51-...-21,29-23-24,0"), computed independently */
    assert_string_equal(dtest_attr(&T, F_JA3), "c000e2caf3a25423f9de6c8a4b12a975");
    const struct dtest_op *op = dtest_op_find(&T, OP_SESSION);
    assert_non_null(op);
    assert_string_equal(op->target, "hmi-01.plant.local");
}

static void test_server_tls10_self_signed(void **state)
{
    (void)state;
    struct buf der = {{0}, 0}, rec = {{0}, 0};
    certificate_der(&der, "S7-1500 PLC_1", "S7-1500 PLC_1", "20991231235959Z");
    server_flight(&rec, 0x0301, &der);
    dtest_pdu(&T, 1, rec.b, rec.n);
    assert_int_equal(T.nmalformed, 0);
    /* JA3S = md5("769,47,65281") */
    assert_string_equal(dtest_attr(&T, F_JA3S), "4192c0a946c5bd9b544b4656d9f624a4");
    const struct dtest_attr *s = find_attr(F_CERT_SUBJECT);
    assert_non_null(s);
    assert_true(s->is_server);
    assert_string_equal(s->value, "CN=S7-1500 PLC_1, O=Example Automation GmbH, C=DE");
    assert_string_equal(dtest_attr(&T, F_CERT_ISSUER),
                        "CN=S7-1500 PLC_1, O=Example Automation GmbH, C=DE");
    assert_string_equal(dtest_attr(&T, F_CERT_VALIDITY),
                        "2024-01-01T00:00:00Z to 2099-12-31T23:59:59Z");
    assert_int_equal(T.nfinding, 2);
    assert_string_equal(T.findings[0].b, "TLS 1.0 negotiated (deprecated, RFC 8996), cipher "
                                         "TLS_RSA_WITH_AES_128_CBC_SHA");
    assert_string_equal(T.findings[1].b, "tls self-signed certificate (CN=S7-1500 PLC_1, "
                                         "O=Example Automation GmbH, C=DE)");
    assert_true(T.findings[0].is_server && T.findings[1].is_server);
}

static void test_expired_and_alert(void **state)
{
    (void)state;
    struct buf ch = {{0}, 0}, der = {{0}, 0}, rec = {{0}, 0};
    client_hello(&ch);
    dtest_tcp(&T, 0, ch.b, ch.n);
    certificate_der(&der, "gw.plant.local", "Plant CA", "250101000000Z"); /* UTCTime 2025 */
    server_flight(&rec, 0x0303, &der);
    dtest_tcp(&T, 1, rec.b, rec.n);
    assert_int_equal(T.nfinding, 1); /* TLS 1.2 is fine; the certificate expired */
    assert_string_equal(T.findings[0].b, "tls certificate expired on 2025-01-01T00:00:00Z "
                                         "(CN=gw.plant.local, O=Example Automation GmbH, C=DE)");
    /* the client rejects it: a fatal alert is the handshake's result */
    static const uint8_t alert[] = {0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x30};
    dtest_tcp(&T, 0, alert, sizeof alert);
    assert_int_equal(dtest_op_count(&T, OP_SESSION), 2);
    assert_string_equal(T.ops[1].result, "fatal alert unknown_ca (48)");
    assert_string_equal(T.ops[1].target, "hmi-01.plant.local");
    /* after ChangeCipherSpec nothing is read any more */
    static const uint8_t ccs[] = {0x14, 0x03, 0x03, 0x00, 0x01, 0x01};
    dtest_tcp(&T, 0, ccs, sizeof ccs);
    dtest_tcp(&T, 0, alert, sizeof alert);
    assert_int_equal(dtest_op_count(&T, OP_SESSION), 2);
    assert_int_equal(T.nmalformed, 0);
}

static void test_split_and_continued(void **state)
{
    (void)state;
    /* the ClientHello in two segments, the second sent first */
    struct buf ch = {{0}, 0};
    client_hello(&ch);
    size_t cut = ch.n / 3;
    dtest_tcp_at(&T, 0, (uint32_t)cut, ch.b + cut, ch.n - cut);
    assert_null(dtest_attr(&T, F_JA4));
    dtest_tcp_at(&T, 0, 0, ch.b, cut);
    assert_string_equal(dtest_attr(&T, F_JA4), "t13d1516h2_8daaf6152771_e5627efa2ab1");
    assert_int_equal(dtest_attr_count(&T, F_JA3), 1);
    assert_int_equal(dtest_flow_proto(&T), PROTO_TLS);
    /* a Certificate message whose first certificate continues in the next record: skipped,
     * and the ServerHelloDone after the continuation is read as a message */
    struct buf der = {{0}, 0}, hs = {{0}, 0}, r1 = {{0}, 0}, r2 = {{0}, 0};
    certificate_der(&der, "long.example", "CA", "20991231235959Z");
    u8(&hs, 11);
    be24(&hs, (uint32_t)der.n + 6);
    be24(&hs, (uint32_t)der.n + 3);
    be24(&hs, (uint32_t)der.n);
    put(&hs, der.b, der.n);
    u8(&hs, 14); /* ServerHelloDone */
    be24(&hs, 0);
    size_t first = 40;
    u8(&r1, 0x16);
    be16(&r1, 0x0303);
    be16(&r1, (uint16_t)first);
    put(&r1, hs.b, first);
    u8(&r2, 0x16);
    be16(&r2, 0x0303);
    be16(&r2, (uint16_t)(hs.n - first));
    put(&r2, hs.b + first, hs.n - first);
    dtest_tcp(&T, 1, r1.b, r1.n);
    dtest_tcp(&T, 1, r2.b, r2.n);
    assert_null(dtest_attr(&T, F_CERT_SUBJECT));
    assert_int_equal(T.nmalformed, 0);
}

static void test_hostile(void **state)
{
    (void)state;
    /* cut ClientHellos, lying lengths: no crash */
    struct buf ch = {{0}, 0};
    client_hello(&ch);
    for (size_t n = 0; n < ch.n; n++) {
        struct buf r = {{0}, 0};
        put(&r, ch.b, n);
        if (n >= 5) {
            r.b[3] = (uint8_t)((n - 5) >> 8);
            r.b[4] = (uint8_t)(n - 5);
        }
        dtest_pdu(&T, 0, r.b, r.n);
    }
    assert_true(T.nmalformed > 0);
    assert_null(dtest_attr(&T, F_JA3));
    /* a bad certificate: counted */
    int before = T.nmalformed;
    struct buf junk = {{0}, 0}, rec = {{0}, 0};
    raw(&junk, 0x30, "\x02\x01", 2);
    server_flight(&rec, 0x0303, &junk);
    dtest_pdu(&T, 1, rec.b, rec.n);
    assert_int_equal(T.nmalformed, before + 1);
    /* framing: not a record */
    static const uint8_t http[] = "GET / HTTP/1.1\r\n\r\n";
    struct rd r = rd_init(http, sizeof http - 1);
    assert_int_equal(dissector_tls.frame(&r), FRAME_NOT_OURS);
    static const uint8_t big[] = {0x17, 0x03, 0x03, 0xff, 0xff};
    r = rd_init(big, sizeof big);
    assert_int_equal(dissector_tls.frame(&r), FRAME_NOT_OURS);
    r = rd_init(big, 3);
    assert_int_equal(dissector_tls.frame(&r), FRAME_NEED_MORE);
}

static void test_probe(void **state)
{
    (void)state;
    struct buf ch = {{0}, 0};
    client_hello(&ch);
    struct rd r = rd_init(ch.b, ch.n);
    assert_true(dissector_tls.probe(&r, L4_TCP));
    assert_false(dissector_tls.probe(&r, L4_UDP));
    ch.b[5] = 4; /* not a hello */
    r = rd_init(ch.b, ch.n);
    assert_false(dissector_tls.probe(&r, L4_TCP));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_client_hello_fingerprints, setup, teardown),
        cmocka_unit_test_setup_teardown(test_server_tls10_self_signed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_expired_and_alert, setup, teardown),
        cmocka_unit_test_setup_teardown(test_split_and_continued, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hostile, setup, teardown),
        cmocka_unit_test_setup_teardown(test_probe, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
