/* test_rdp.c - RDP dissector: remote access as a finding, the connection request (requested
 * protocols; a user cookie only noted as present, its name never kept), the server's selection
 * (no NLA, standard security) as findings, a negotiation failure as the request's result, the
 * client name of an MCS Connect Initial, the host name in the server's TLS certificate, a
 * TPKT split over reordered segments, and hostile input. */
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

extern const struct dissector dissector_rdp;

struct buf {
    uint8_t b[2048];
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
static void le16(struct buf *b, uint16_t v)
{
    u8(b, (uint8_t)v);
    u8(b, (uint8_t)(v >> 8));
}
static void le32(struct buf *b, uint32_t v)
{
    le16(b, (uint16_t)v);
    le16(b, (uint16_t)(v >> 16));
}

/* TPKT + X.224 connection request/confirm with optional cookie and RDP_NEG structure */
static void x224(struct buf *out, uint8_t code, const char *cookie, uint8_t neg_type, uint32_t v)
{
    struct buf x = {{0}, 0};
    u8(&x, code);
    be16(&x, 0);
    be16(&x, 0x1234);
    u8(&x, 0);
    if (cookie)
        put(&x, cookie, strlen(cookie));
    if (neg_type) {
        u8(&x, neg_type);
        u8(&x, 0);
        le16(&x, 8);
        le32(&x, v);
    }
    u8(out, 3);
    u8(out, 0);
    be16(out, (uint16_t)(4 + 1 + x.n));
    u8(out, (uint8_t)x.n);
    put(out, x.b, x.n);
}

static void mcs_connect_initial(struct buf *out, const char *client)
{
    struct buf m = {{0}, 0}, core = {{0}, 0};
    put(&m, "\x02\xf0\x80\x7f\x65\x82\x01\x00", 8);
    put(&m, "\x04\x01\x01\x04\x01\x01\x01\x01\xff", 9); /* domain selectors, params... */
    le16(&core, 0xc001);
    le16(&core, 216);
    le32(&core, 0x00080004);
    le16(&core, 1920);
    le16(&core, 1080);
    le16(&core, 0xca01);
    le16(&core, 0xaa03);
    le32(&core, 0x409);
    le32(&core, 7601);
    for (size_t i = 0; i < 16; i++)
        le16(&core, i < strlen(client) ? (uint16_t)client[i] : 0);
    while (core.n < 216)
        u8(&core, 0);
    put(&m, core.b, core.n);
    u8(out, 3);
    u8(out, 0);
    be16(out, (uint16_t)(4 + m.n));
    put(out, m.b, m.n);
}

/* a minimal self-issued certificate for CN=name, in a TLS Certificate handshake record */
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
static void cn_name(struct buf *out, const char *cn)
{
    struct buf atv = {{0}, 0}, set = {{0}, 0}, seq = {{0}, 0};
    raw(&atv, 0x06, "\x55\x04\x03", 3);
    raw(&atv, 0x0c, cn, strlen(cn));
    tlv(&set, 0x30, &atv);
    tlv(&seq, 0x31, &set);
    tlv(out, 0x30, &seq);
}
static void cert_record(struct buf *out, const char *cn)
{
    struct buf tbs = {{0}, 0}, alg = {{0}, 0}, val = {{0}, 0}, cert = {{0}, 0}, der = {{0}, 0};
    raw(&tbs, 0x02, "\x01", 1);
    raw(&alg, 0x06, "\x2a\x86\x48\x86\xf7\x0d\x01\x01\x0b", 9);
    tlv(&tbs, 0x30, &alg);
    cn_name(&tbs, cn);
    raw(&val, 0x17, "250101000000Z", 13);
    raw(&val, 0x17, "350101000000Z", 13);
    tlv(&tbs, 0x30, &val);
    cn_name(&tbs, cn);
    tlv(&cert, 0x30, &tbs);
    tlv(&cert, 0x30, &alg);
    raw(&cert, 0x03, "\x00\x01", 2);
    tlv(&der, 0x30, &cert);
    struct buf hs = {{0}, 0};
    u8(&hs, 11);
    u8(&hs, 0);
    be16(&hs, (uint16_t)(der.n + 6));
    u8(&hs, 0);
    be16(&hs, (uint16_t)(der.n + 3));
    u8(&hs, 0);
    be16(&hs, (uint16_t)der.n);
    put(&hs, der.b, der.n);
    u8(out, 0x16);
    be16(out, 0x0303);
    be16(out, (uint16_t)hs.n);
    put(out, hs.b, hs.n);
}

static struct dtest T;

static int setup(void **state)
{
    (void)state;
    dtest_init(&T, &dissector_rdp, 0);
    return 0;
}
static int teardown(void **state)
{
    (void)state;
    dtest_done(&T);
    return 0;
}

static bool finding(const char *detail)
{
    for (int i = 0; i < T.nfinding; i++)
        if (!strcmp(T.findings[i].b, detail))
            return true;
    return false;
}

static void test_tls_session(void **state)
{
    (void)state;
    struct buf cr = {{0}, 0}, cc = {{0}, 0}, cert = {{0}, 0};
    x224(&cr, 0xe0, "Cookie: mstshash=operator\r\n", 1, 0x03);
    dtest_tcp(&T, 0, cr.b, cr.n);
    assert_true(finding("remote access: rdp"));
    assert_true(T.findings[0].is_server);
    const struct dtest_op *op = dtest_op_find(&T, OP_SESSION);
    assert_non_null(op);
    assert_string_equal(op->function, "rdp connection request");
    assert_string_equal(op->target, "requested tls,credssp; user cookie present");
    x224(&cc, 0xd0, NULL, 2, 0x01); /* the server picks TLS without CredSSP */
    dtest_tcp(&T, 1, cc.b, cc.n);
    assert_true(finding("rdp without network level authentication"));
    cert_record(&cert, "HMI-LINE3.plant.local");
    dtest_tcp(&T, 1, cert.b, cert.n);
    const char *h = dtest_attr(&T, F_FQDN);
    assert_non_null(h);
    assert_string_equal(h, "HMI-LINE3.plant.local");
    assert_true(T.attrs[T.nattr - 1].is_server);
    assert_string_equal(dtest_attr(&T, F_CERT_SUBJECT), "CN=HMI-LINE3.plant.local");
    for (int i = 0; i < T.nop; i++)
        assert_null(strstr(T.ops[i].target, "operator"));
    for (int i = 0; i < T.nattr; i++)
        assert_null(strstr(T.attrs[i].value, "operator"));
    /* encrypted records afterwards are not read */
    static const uint8_t app[] = {0x17, 0x03, 0x03, 0x00, 0x03, 1, 2, 3};
    dtest_tcp(&T, 1, app, sizeof app);
    assert_int_equal(T.nmalformed, 0);
}

static void test_standard_security(void **state)
{
    (void)state;
    struct buf cr = {{0}, 0}, cc = {{0}, 0}, mcs = {{0}, 0};
    x224(&cr, 0xe0, "Cookie: mstshash=eng\r\n", 0, 0); /* an old client: no negotiation */
    /* split in two segments, the second first */
    dtest_tcp_at(&T, 0, 7, cr.b + 7, cr.n - 7);
    assert_int_equal(T.nop, 0);
    dtest_tcp_at(&T, 0, 0, cr.b, 7);
    assert_string_equal(dtest_op_find(&T, OP_SESSION)->target,
                        "requested standard rdp security; user cookie present");
    x224(&cc, 0xd0, NULL, 0, 0);
    dtest_tcp(&T, 1, cc.b, cc.n);
    assert_true(finding("rdp standard security selected (no tls, no nla)"));
    mcs_connect_initial(&mcs, "EWS-LINE3");
    dtest_tcp(&T, 0, mcs.b, mcs.n);
    const char *h = dtest_attr(&T, F_HOSTNAME);
    assert_non_null(h);
    assert_string_equal(h, "EWS-LINE3");
    assert_false(T.attrs[T.nattr - 1].is_server);
    assert_int_equal(T.nmalformed, 0);
    assert_int_equal(dtest_flow_proto(&T), PROTO_RDP);
}

static void test_negotiation_failure(void **state)
{
    (void)state;
    struct buf cr = {{0}, 0}, cc = {{0}, 0};
    x224(&cr, 0xe0, NULL, 1, 0x00);
    dtest_tcp(&T, 0, cr.b, cr.n);
    x224(&cc, 0xd0, NULL, 3, 5);
    dtest_tcp(&T, 1, cc.b, cc.n);
    assert_int_equal(dtest_op_count(&T, OP_SESSION), 2);
    assert_string_equal(T.ops[1].result, "negotiation failure HYBRID_REQUIRED_BY_SERVER (5)");
    assert_false(finding("rdp standard security selected (no tls, no nla)"));
}

static void test_hostile(void **state)
{
    (void)state;
    static const uint8_t bad[][12] = {
        {3, 0, 0, 7, 0, 0xe0, 0},    /* li < 2 */
        {3, 0, 0, 8, 6, 0xe0, 0, 0}, /* cut connection request */
        {3, 0, 0, 10, 5, 0xf0, 0x80, 0x7f, 0x65, 0x82},
    };
    static const size_t lens[] = {7, 8, 10};
    for (size_t i = 0; i < 3; i++)
        dtest_pdu(&T, 0, bad[i], lens[i]);
    assert_int_equal(T.nmalformed, 2);
    /* every prefix of a connect initial and of a certificate record */
    struct buf mcs = {{0}, 0}, cert = {{0}, 0};
    mcs_connect_initial(&mcs, "X");
    cert_record(&cert, "Y");
    for (size_t n = 0; n < mcs.n; n++)
        dtest_pdu(&T, 0, mcs.b, n);
    for (size_t n = 0; n < cert.n; n++)
        dtest_pdu(&T, 1, cert.b, n);
    /* framing */
    struct rd r = rd_init(bad[0], 3);
    assert_int_equal(dissector_rdp.frame(&r), FRAME_NEED_MORE);
    static const uint8_t fastpath[] = {0x44, 0x10, 1, 2, 3, 4, 5};
    r = rd_init(fastpath, sizeof fastpath);
    assert_int_equal(dissector_rdp.frame(&r), (long)sizeof fastpath);
}

static void test_probe(void **state)
{
    (void)state;
    struct buf cr = {{0}, 0};
    x224(&cr, 0xe0, "Cookie: mstshash=a\r\n", 1, 3);
    struct rd r = rd_init(cr.b, cr.n);
    assert_true(dissector_rdp.probe(&r, L4_TCP));
    cr.n = 0;
    x224(&cr, 0xe0, NULL, 1, 3);
    r = rd_init(cr.b, cr.n);
    assert_true(dissector_rdp.probe(&r, L4_TCP));
    cr.n = 0;
    x224(&cr, 0xe0, "Cookie: mstshash=a\r\n", 0, 0);
    r = rd_init(cr.b, cr.n);
    assert_true(dissector_rdp.probe(&r, L4_TCP));
    /* an ISO-on-TCP connection request of S7comm is not RDP */
    static const uint8_t s7[] = {3,    0, 0,  22,   17, 0xe0, 0, 0,    0, 1, 0,
                                 0xc0, 1, 10, 0xc1, 2,  1,    0, 0xc2, 2, 1, 2};
    r = rd_init(s7, sizeof s7);
    assert_false(dissector_rdp.probe(&r, L4_TCP));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_tls_session, setup, teardown),
        cmocka_unit_test_setup_teardown(test_standard_security, setup, teardown),
        cmocka_unit_test_setup_teardown(test_negotiation_failure, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hostile, setup, teardown),
        cmocka_unit_test_setup_teardown(test_probe, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
