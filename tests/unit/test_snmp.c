/* test_snmp.c - SNMP dissector: system group identity from a response (about the agent), the
 * sysObjectID enterprise as vendor, a Siemens sysDescr, requests as operations and an error
 * response as their result, the community as a hashed finding (and never in clear anywhere),
 * SNMPv3 engine id and noAuthNoPriv, traps, long-form lengths, and hostile BER. */
/* clang-format off */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
/* clang-format on */

#include "dtest.h"

extern const struct dissector dissector_snmp;

#define COMMUNITY "s3cret-c0mmunity"

struct buf {
    uint8_t b[1024];
    size_t n;
};

static void put(struct buf *b, const void *p, size_t n)
{
    memcpy(b->b + b->n, p, n);
    b->n += n;
}

/* tag + definite length (short form, or long form when 'longform') + contents */
static void tlv_ex(struct buf *out, uint8_t tag, const struct buf *v, bool longform)
{
    out->b[out->n++] = tag;
    if (v->n < 128 && !longform) {
        out->b[out->n++] = (uint8_t)v->n;
    } else {
        out->b[out->n++] = 0x82;
        out->b[out->n++] = (uint8_t)(v->n >> 8);
        out->b[out->n++] = (uint8_t)v->n;
    }
    put(out, v->b, v->n);
}
static void tlv(struct buf *out, uint8_t tag, const struct buf *v)
{
    tlv_ex(out, tag, v, false);
}
static void raw_tlv(struct buf *out, uint8_t tag, const void *p, size_t n)
{
    struct buf v = {{0}, 0};
    put(&v, p, n);
    tlv(out, tag, &v);
}
static void integer(struct buf *out, uint32_t x)
{
    uint8_t b[5];
    size_t n = 0;
    if (x >= 0x800000)
        b[n++] = (uint8_t)(x >> 24);
    if (x >= 0x8000)
        b[n++] = (uint8_t)(x >> 16);
    if (x >= 0x80)
        b[n++] = (uint8_t)(x >> 8);
    b[n++] = (uint8_t)x;
    raw_tlv(out, 0x02, b, n);
}
/* dotted OID text -> BER contents */
static void oid(struct buf *out, const char *text)
{
    unsigned arcs[32] = {0};
    int n = 0;
    for (const char *p = text; *p && n < 32;) {
        arcs[n++] = (unsigned)strtoul(p, (char **)&p, 10);
        if (*p == '.')
            p++;
    }
    struct buf v = {{0}, 0};
    v.b[v.n++] = (uint8_t)(arcs[0] * 40 + arcs[1]);
    for (int i = 2; i < n; i++) {
        uint8_t tmp[5];
        int k = 0;
        unsigned a = arcs[i];
        do {
            tmp[k++] = a & 0x7f;
            a >>= 7;
        } while (a);
        while (k--)
            v.b[v.n++] = (uint8_t)(tmp[k] | (k ? 0x80 : 0));
    }
    tlv(out, 0x06, &v);
}

/* one varbind: OID and a value element already encoded */
static void varbind(struct buf *list, const char *name, const struct buf *value)
{
    struct buf vb = {{0}, 0};
    oid(&vb, name);
    put(&vb, value->b, value->n);
    tlv(list, 0x30, &vb);
}
static void vb_string(struct buf *list, const char *name, const char *s)
{
    struct buf v = {{0}, 0};
    raw_tlv(&v, 0x04, s, strlen(s));
    varbind(list, name, &v);
}
static void vb_null(struct buf *list, const char *name)
{
    struct buf v = {{0}, 0};
    raw_tlv(&v, 0x05, "", 0);
    varbind(list, name, &v);
}
static void vb_oid(struct buf *list, const char *name, const char *value)
{
    struct buf v = {{0}, 0};
    oid(&v, value);
    varbind(list, name, &v);
}

/* a v1/v2c message */
static void message(struct buf *out, int version, const char *community, uint8_t pdu, uint32_t id,
                    uint32_t err, uint32_t index, const struct buf *list, bool longform)
{
    struct buf p = {{0}, 0}, m = {{0}, 0};
    integer(&p, id);
    integer(&p, err);
    integer(&p, index);
    tlv_ex(&p, 0x30, list, longform);
    integer(&m, (uint32_t)version);
    raw_tlv(&m, 0x04, community, strlen(community));
    tlv_ex(&m, pdu, &p, longform);
    tlv_ex(out, 0x30, &m, longform);
}

static struct dtest T;

static int setup(void **state)
{
    (void)state;
    dtest_init(&T, &dissector_snmp, 0);
    return 0;
}
static int teardown(void **state)
{
    (void)state;
    dtest_done(&T);
    return 0;
}

/* the community may appear nowhere in what was recorded */
static void assert_no_community(void)
{
    for (int i = 0; i < T.nattr; i++) {
        assert_null(strstr(T.attrs[i].value, COMMUNITY));
        assert_null(strstr(T.attrs[i].source, COMMUNITY));
    }
    for (int i = 0; i < T.nop; i++) {
        assert_null(strstr(T.ops[i].function, COMMUNITY));
        assert_null(strstr(T.ops[i].target, COMMUNITY));
        assert_null(strstr(T.ops[i].result, COMMUNITY));
    }
    for (int i = 0; i < T.nfinding; i++)
        assert_null(strstr(T.findings[i].b, COMMUNITY));
    assert_null(strstr(T.last_malformed, COMMUNITY));
}

static const char *attr_about(enum attr_field f, bool server)
{
    for (int i = 0; i < T.nattr; i++)
        if (T.attrs[i].field == f && T.attrs[i].is_server == server)
            return T.attrs[i].value;
    return NULL;
}

static void test_get_and_response(void **state)
{
    (void)state;
    struct buf req = {{0}, 0}, list = {{0}, 0};
    vb_null(&list, "1.3.6.1.2.1.1.1.0");
    vb_null(&list, "1.3.6.1.2.1.1.5.0");
    message(&req, 1, COMMUNITY, 0xa0, 4711, 0, 0, &list, false);
    dtest_pdu(&T, 0, req.b, req.n);
    assert_int_equal(T.nmalformed, 0);
    const struct dtest_op *op = dtest_op_find(&T, OP_READ);
    assert_non_null(op);
    assert_string_equal(op->function, "get-request");
    assert_string_equal(op->target, "sysDescr.0 (1.3.6.1.2.1.1.1.0) (+1)");
    /* the community is a finding about the agent (the request's destination), hashed */
    assert_true(dtest_has_finding(&T, "cleartext-credentials"));
    assert_true(T.findings[0].is_server);
    assert_non_null(strstr(T.findings[0].b, "snmp v2c community sha256:"));
    assert_int_equal(strlen(T.findings[0].b), strlen("snmp v2c community sha256:") + 16);

    struct buf resp = {{0}, 0};
    list.n = 0;
    vb_string(&list, "1.3.6.1.2.1.1.1.0",
              "Siemens, SIMATIC NET, SCALANCE X208, 6GK5 208-0BA10-2AA3, HW: Version 7, "
              "FW: Version V4.03");
    vb_oid(&list, "1.3.6.1.2.1.1.2.0", "1.3.6.1.4.1.4329.6.1.2");
    vb_string(&list, "1.3.6.1.2.1.1.4.0", "ot-team@plant.example");
    vb_string(&list, "1.3.6.1.2.1.1.5.0", "SW-CELL-01");
    vb_string(&list, "1.3.6.1.2.1.1.6.0", "Hall 3, cabinet 12");
    vb_string(&list, "1.3.6.1.2.1.2.2.1.2.1", "not system group");
    message(&resp, 1, COMMUNITY, 0xa2, 4711, 0, 0, &list, false);
    dtest_pdu(&T, 1, resp.b, resp.n);
    assert_int_equal(T.nmalformed, 0);
    assert_string_equal(attr_about(F_NAME, true), "SW-CELL-01");
    assert_string_equal(attr_about(F_LOCATION, true), "Hall 3, cabinet 12");
    assert_string_equal(attr_about(F_CONTACT, true), "ot-team@plant.example");
    assert_string_equal(attr_about(F_SYS_OBJECT_ID, true), "1.3.6.1.4.1.4329.6.1.2");
    assert_string_equal(attr_about(F_VENDOR, true), "Siemens");
    assert_string_equal(attr_about(F_ORDER_NUMBER, true), "6GK5 208-0BA10-2AA3");
    assert_string_equal(attr_about(F_PRODUCT, true), "SCALANCE X208");
    assert_string_equal(attr_about(F_FIRMWARE, true), "V4.03");
    assert_string_equal(attr_about(F_HARDWARE, true), "7");
    assert_non_null(strstr(attr_about(F_DESCRIPTION, true), "SCALANCE X208"));
    for (int i = 0; i < T.nattr; i++)
        assert_true(T.attrs[i].is_server);
    /* the same community in the response: not reported twice for this flow */
    assert_int_equal(T.nfinding, 1);
    assert_int_equal(T.nop, 1); /* a response without error adds no operation */
    assert_no_community();
}

static void test_set_and_error(void **state)
{
    (void)state;
    struct buf req = {{0}, 0}, list = {{0}, 0};
    vb_string(&list, "1.3.6.1.2.1.1.5.0", "renamed");
    message(&req, 0, "private", 0xa3, 99, 0, 0, &list, false);
    dtest_pdu(&T, 0, req.b, req.n);
    const struct dtest_op *op = dtest_op_find(&T, OP_CONFIG_WRITE);
    assert_non_null(op);
    assert_string_equal(op->function, "set-request");
    assert_string_equal(op->target, "sysName.0 (1.3.6.1.2.1.1.5.0)");
    assert_string_equal(op->result, "");
    assert_non_null(strstr(T.findings[0].b, "snmp v1 community sha256:"));
    assert_non_null(strstr(T.findings[0].b, "(a well-known default)"));
    assert_null(strstr(T.findings[0].b, "private"));
    /* a set-request does not make the value identity */
    assert_null(dtest_attr(&T, F_NAME));
    struct buf resp = {{0}, 0};
    message(&resp, 0, "private", 0xa2, 99, 17, 1, &list, false);
    dtest_pdu(&T, 1, resp.b, resp.n);
    assert_int_equal(dtest_op_count(&T, OP_CONFIG_WRITE), 2);
    assert_string_equal(T.ops[1].result, "notWritable (17) at varbind 1");
    assert_null(dtest_attr(&T, F_NAME)); /* a refused set echoes the value: not identity */
    /* an unrelated response id changes nothing */
    message(&resp, 0, "private", 0xa2, 100, 5, 1, &list, false);
    dtest_pdu(&T, 1, resp.b, resp.n);
    assert_int_equal(T.nop, 2);
}

static void test_long_form_and_other_community(void **state)
{
    (void)state;
    struct buf m = {{0}, 0}, list = {{0}, 0};
    vb_string(&list, "1.3.6.1.2.1.1.5.0", "RTU-7");
    message(&m, 1, COMMUNITY, 0xa2, 1, 0, 0, &list, true);
    dtest_udp(&T, 1, m.b, m.n);
    assert_int_equal(T.nmalformed, 0);
    assert_string_equal(dtest_attr(&T, F_NAME), "RTU-7");
    m.n = 0;
    message(&m, 1, "another", 0xa2, 2, 0, 0, &list, false);
    dtest_udp(&T, 1, m.b, m.n);
    assert_int_equal(T.nfinding, 2); /* a second community is reported */
    assert_string_not_equal(T.findings[0].b, T.findings[1].b);
    assert_no_community();
}

static void test_v3(void **state)
{
    (void)state;
    /* a report from the agent carrying its engine id: Cisco (enterprise 9), MAC format */
    static const uint8_t eid[] = {0x80, 0, 0, 9, 3, 0x00, 0xaa, 0xbb, 0xcc, 0x00, 0x01, 0x00};
    for (int pass = 0; pass < 2; pass++) {
        struct buf g = {{0}, 0}, usm = {{0}, 0}, sp = {{0}, 0}, scoped = {{0}, 0}, pdu = {{0}, 0},
                   list = {{0}, 0}, m = {{0}, 0}, out = {{0}, 0};
        integer(&g, 1234);
        integer(&g, 65507);
        raw_tlv(&g, 0x04, pass ? "\x04" : "\x00", 1); /* reportable, no auth, no priv */
        integer(&g, 3);
        raw_tlv(&usm, 0x04, eid, sizeof eid);
        integer(&usm, 5);
        integer(&usm, 1000);
        raw_tlv(&usm, 0x04, pass ? "operator" : "", pass ? 8 : 0);
        raw_tlv(&usm, 0x04, "", 0);
        raw_tlv(&usm, 0x04, "", 0);
        tlv(&sp, 0x30, &usm);
        raw_tlv(&scoped, 0x04, eid, sizeof eid);
        raw_tlv(&scoped, 0x04, "", 0);
        integer(&pdu, 77);
        integer(&pdu, 0);
        integer(&pdu, 0);
        if (pass)
            vb_null(&list, "1.3.6.1.2.1.1.5.0");
        else
            vb_null(&list, "1.3.6.1.6.3.15.1.1.4.0");
        tlv(&pdu, 0x30, &list);
        tlv(&scoped, pass ? 0xa0 : 0xa8, &pdu);
        integer(&m, 3);
        tlv(&m, 0x30, &g);
        tlv(&m, 0x04, &sp);
        tlv(&m, 0x30, &scoped);
        tlv(&out, 0x30, &m);
        dtest_pdu(&T, pass ? 0 : 1, out.b, out.n);
    }
    assert_int_equal(T.nmalformed, 0);
    assert_string_equal(dtest_attr(&T, F_SNMP_ENGINE_ID), "800000090300aabbcc000100");
    assert_string_equal(dtest_attr(&T, F_VENDOR), "Cisco Systems");
    assert_int_equal(dtest_attr_count(&T, F_SNMP_ENGINE_ID), 1); /* not from the request */
    /* the discovery report is normal; the get with a user and no auth is a finding */
    assert_int_equal(T.nfinding, 1);
    assert_string_equal(T.findings[0].a, "insecure-protocol");
    assert_true(T.findings[0].is_server);
    assert_null(strstr(T.findings[0].b, "operator"));
    assert_non_null(dtest_op_find(&T, OP_READ));
}

static void test_trap(void **state)
{
    (void)state;
    /* v1 trap (RFC 1157 §4.1.6) to 162, from the agent */
    struct buf t = {{0}, 0}, list = {{0}, 0}, m = {{0}, 0}, out = {{0}, 0};
    dtest_done(&T);
    dtest_init(&T, &dissector_snmp, 162);
    oid(&t, "1.3.6.1.4.1.9.1.1");
    raw_tlv(&t, 0x40, "\x0a\x00\x00\x02", 4);
    integer(&t, 2);
    integer(&t, 0);
    raw_tlv(&t, 0x43, "\x01\x02", 2);
    vb_string(&list, "1.3.6.1.2.1.2.2.1.2.2", "Ethernet0/1");
    tlv(&t, 0x30, &list);
    integer(&m, 0);
    raw_tlv(&m, 0x04, COMMUNITY, strlen(COMMUNITY));
    tlv(&m, 0xa4, &t);
    tlv(&out, 0x30, &m);
    dtest_udp(&T, 0, out.b, out.n);
    assert_int_equal(T.nmalformed, 0);
    assert_int_equal(T.nop, 0);
    assert_true(dtest_has_finding(&T, "cleartext-credentials"));
    assert_false(T.findings[0].is_server); /* the trap sender is the agent, the flow's client */
    assert_no_community();
}

static void test_hostile(void **state)
{
    (void)state;
    static const uint8_t cases[][24] = {
        {0x30, 0x84, 0xff, 0xff, 0xff, 0xff, 0x02, 0x01, 0x01},      /* length beyond data */
        {0x30, 0x80, 0x02, 0x01, 0x01, 0x00, 0x00},                  /* indefinite length */
        {0x30, 0x85, 0x01, 0x01, 0x01, 0x01, 0x01},                  /* 5 length octets */
        {0x30, 0x05, 0x02, 0x01, 0x09, 0x04, 0x00},                  /* version 9 */
        {0x30, 0x09, 0x02, 0x01, 0x01, 0x04, 0x01, 'x', 0xa0, 0x10}, /* pdu longer than msg */
        {0x1f, 0x30, 0x01, 0x00},                                    /* high tag number */
        {0x30, 0x0c, 0x02, 0x01, 0x01, 0x04, 0x00, 0xa2, 0x06, 0x02,
         0x09, 1,    2,    3,    4,    5,    6,    7,    8,    9}, /* 9-octet integer */
    };
    static const size_t lens[] = {9, 7, 7, 7, 10, 4, 20};
    for (size_t i = 0; i < sizeof lens / sizeof *lens; i++)
        dtest_pdu(&T, 1, cases[i], lens[i]);
    assert_int_equal(T.nmalformed, (int)(sizeof lens / sizeof *lens));
    assert_int_equal(T.nattr, 0);
    /* an OID sub-identifier beyond 32 bits, and one cut mid-way */
    struct buf list = {{0}, 0}, m = {{0}, 0};
    struct buf vb = {{0}, 0};
    raw_tlv(&vb, 0x06, "\x2b\x90\x80\x80\x80\x00", 6); /* 2^32 */
    raw_tlv(&vb, 0x04, "x", 1);
    tlv(&list, 0x30, &vb);
    message(&m, 1, "c", 0xa2, 1, 0, 0, &list, false);
    dtest_pdu(&T, 1, m.b, m.n);
    list.n = vb.n = m.n = 0;
    raw_tlv(&vb, 0x06, "\x2b\x06\x81", 3);
    raw_tlv(&vb, 0x04, "x", 1);
    tlv(&list, 0x30, &vb);
    message(&m, 1, "c", 0xa2, 1, 0, 0, &list, false);
    dtest_pdu(&T, 1, m.b, m.n);
    assert_int_equal(T.nmalformed, (int)(sizeof lens / sizeof *lens) + 2);
    /* every prefix of a good message: no crash, nothing but malformed counts */
    struct buf good = {{0}, 0};
    list.n = 0;
    vb_string(&list, "1.3.6.1.2.1.1.5.0", "X");
    message(&good, 1, "c", 0xa2, 1, 0, 0, &list, false);
    for (size_t n = 0; n < good.n; n++)
        dtest_pdu(&T, 1, good.b, n);
    assert_null(dtest_attr(&T, F_NAME));
}

static void test_probe(void **state)
{
    (void)state;
    struct buf m = {{0}, 0}, list = {{0}, 0};
    vb_null(&list, "1.3.6.1.2.1.1.5.0");
    message(&m, 1, "public", 0xa0, 1, 0, 0, &list, false);
    struct rd r = rd_init(m.b, m.n);
    assert_true(dissector_snmp.probe(&r, L4_UDP));
    assert_false(dissector_snmp.probe(&r, L4_TCP));
    r = rd_init(m.b, m.n - 1);
    assert_false(dissector_snmp.probe(&r, L4_UDP));
    static const uint8_t dns[] = {0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0};
    r = rd_init(dns, sizeof dns);
    assert_false(dissector_snmp.probe(&r, L4_UDP));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_get_and_response, setup, teardown),
        cmocka_unit_test_setup_teardown(test_set_and_error, setup, teardown),
        cmocka_unit_test_setup_teardown(test_long_form_and_other_community, setup, teardown),
        cmocka_unit_test_setup_teardown(test_v3, setup, teardown),
        cmocka_unit_test_setup_teardown(test_trap, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hostile, setup, teardown),
        cmocka_unit_test_setup_teardown(test_probe, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
