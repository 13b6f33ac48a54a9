/* test_profinet_dcp.c - PROFINET DCP and RT presence on ethertype 0x8892: an Identify response
 * as a real VersaMax scanner sent it (identity of the sender), an Identify request whose name
 * filter is not the sender's name, Set of name, IP, signal and factory reset as operations, Get,
 * Hello, the Siemens device family table, cyclic RT vs PTCP frames, and hostile frames. */
/* cmocka needs these first, in this order */
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

extern const struct dissector dissector_profinet_dcp;

struct buf {
    uint8_t b[1600];
    size_t n;
};
static void put(struct buf *b, const void *p, size_t n)
{
    if (n)
        memcpy(b->b + b->n, p, n);
    b->n += n;
}
static void put8(struct buf *b, uint8_t v)
{
    b->b[b->n++] = v;
}
static void put_be16(struct buf *b, uint16_t v)
{
    put8(b, (uint8_t)(v >> 8));
    put8(b, (uint8_t)v);
}

/* FrameID, service, type, xid, delay, length (patched by dcp_done) */
static void dcp(struct buf *b, uint16_t fid, uint8_t service, uint8_t type)
{
    b->n = 0;
    put_be16(b, fid);
    put8(b, service);
    put8(b, type);
    put(b, (const uint8_t[]){0, 0, 0, 9}, 4);
    put_be16(b, 1);
    put_be16(b, 0);
}
static void dcp_done(struct buf *b)
{
    b->b[10] = (uint8_t)((b->n - 12) >> 8);
    b->b[11] = (uint8_t)(b->n - 12);
}
/* a block with a 2-byte BlockInfo/BlockQualifier (when q >= 0) and padding */
static void block(struct buf *b, uint8_t opt, uint8_t sub, int q, const void *data, size_t n)
{
    size_t len = n + (q >= 0 ? 2 : 0);
    put8(b, opt);
    put8(b, sub);
    put_be16(b, (uint16_t)len);
    if (q >= 0)
        put_be16(b, (uint16_t)q);
    put(b, data, n);
    if (len & 1)
        put8(b, 0);
}

/* frame 466 of icsnpp-profinet-profinet_io_cm_mixed_1.pcap after the ethertype */
static const uint8_t versamax_ident_ok[] = {
    0xfe, 0xff, 0x05, 0x01, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x64, 0x02, 0x02, 0x00, 0x10,
    0x00, 0x00, 0x76, 0x65, 0x72, 0x73, 0x61, 0x6d, 0x61, 0x78, 0x2d, 0x70, 0x6e, 0x73, 0x31, 0x31,
    0x02, 0x05, 0x00, 0x0e, 0x00, 0x00, 0x01, 0x02, 0x02, 0x01, 0x02, 0x02, 0x02, 0x03, 0x02, 0x04,
    0x06, 0x01, 0x02, 0x01, 0x00, 0x0d, 0x00, 0x00, 0x49, 0x43, 0x32, 0x30, 0x30, 0x50, 0x4e, 0x53,
    0x30, 0x30, 0x31, 0x00, 0x02, 0x03, 0x00, 0x06, 0x00, 0x00, 0x01, 0x5a, 0x00, 0x03, 0x02, 0x04,
    0x00, 0x04, 0x00, 0x00, 0x01, 0x00, 0x01, 0x02, 0x00, 0x0e, 0x00, 0x01, 0xc0, 0xa8, 0x01, 0x02,
    0xff, 0xff, 0xff, 0x00, 0xc0, 0xa8, 0x01, 0x02, 0x06, 0x01, 0x00, 0x04, 0x00, 0x00, 0x00, 0x01};

static struct dtest T;

static int setup(void **state)
{
    (void)state;
    dtest_init(&T, &dissector_profinet_dcp, 0);
    return 0;
}
static int teardown(void **state)
{
    (void)state;
    dtest_done(&T);
    return 0;
}

static bool has_protocol(const char *name)
{
    for (int i = 0; i < T.nprotocol; i++)
        if (!strcmp(T.protocols[i].a, name) && !strcmp(T.protocols[i].b, "sender"))
            return true;
    return false;
}

static const struct dtest_op *last_op(void)
{
    return T.nop ? &T.ops[T.nop - 1] : NULL;
}

static void test_identify_response(void **state)
{
    (void)state;
    dtest_l2(&T, versamax_ident_ok, sizeof versamax_ident_ok);
    assert_int_equal(T.nmalformed, 0);
    assert_true(has_protocol("profinet-dcp"));
    assert_string_equal(dtest_attr(&T, F_NAME), "versamax-pns11");
    assert_string_equal(dtest_attr(&T, F_PRODUCT), "IC200PNS001");
    assert_string_equal(dtest_attr(&T, F_VENDOR_ID), "0x015a");
    assert_string_equal(dtest_attr(&T, F_DEVICE_ID), "0x0003");
    assert_string_equal(dtest_attr(&T, F_VENDOR), "GE Intelligent Platforms");
    assert_string_equal(dtest_attr(&T, F_DEVICE_ROLE), "IO-Device");
    assert_string_equal(dtest_attr(&T, F_IP_ADDRESS), "192.168.1.2");
    assert_null(dtest_attr(&T, F_MODEL));
    for (int i = 0; i < T.nattr; i++) {
        assert_true(T.attrs[i].is_src);
        assert_string_equal(T.attrs[i].source, "profinet-dcp identify response");
    }
    assert_true(dtest_has_role(&T, "io-device"));
    assert_int_equal(T.nop, 0);
}

static void test_identify_request_filter(void **state)
{
    (void)state;
    struct buf b;
    dcp(&b, 0xfefe, 5, 0);
    block(&b, 2, 2, -1, "turck", 5);
    dcp_done(&b);
    dtest_l2(&T, b.b, b.n);
    assert_int_equal(T.nop, 1);
    assert_int_equal(T.ops[0].kind, OP_READ);
    assert_string_equal(T.ops[0].function, "dcp identify");
    assert_string_equal(T.ops[0].target, "name turck");
    /* the filter names the device sought: nothing about the sender */
    assert_int_equal(T.nattr, 0);
    dcp(&b, 0xfefe, 5, 0);
    block(&b, 0xff, 0xff, -1, NULL, 0);
    dcp_done(&b);
    dtest_l2(&T, b.b, b.n);
    assert_string_equal(last_op()->target, "all");
    assert_int_equal(T.nmalformed, 0);
}

static void test_set_requests(void **state)
{
    (void)state;
    struct buf b;
    dcp(&b, 0xfefd, 4, 0);
    block(&b, 5, 1, 0, NULL, 0); /* start transaction: no operation */
    block(&b, 2, 2, 1, "plc-mixer", 9);
    block(&b, 5, 2, 0, NULL, 0);
    dcp_done(&b);
    dtest_l2(&T, b.b, b.n);
    assert_int_equal(T.nop, 1);
    assert_int_equal(T.ops[0].kind, OP_CONFIG_WRITE);
    assert_string_equal(T.ops[0].function, "dcp set name of station (permanent)");
    assert_string_equal(T.ops[0].target, "plc-mixer");
    dcp(&b, 0xfefd, 4, 0);
    block(&b, 1, 2, 0, (const uint8_t[]){10, 1, 2, 3, 255, 255, 0, 0, 10, 1, 0, 1}, 12);
    dcp_done(&b);
    dtest_l2(&T, b.b, b.n);
    assert_int_equal(last_op()->kind, OP_CONFIG_WRITE);
    assert_string_equal(last_op()->function, "dcp set ip parameter (temporary)");
    assert_string_equal(last_op()->target, "10.1.2.3 mask 255.255.0.0 gateway 10.1.0.1");
    dcp(&b, 0xfefd, 4, 0);
    block(&b, 5, 3, 0, (const uint8_t[]){1, 0}, 2);
    dcp_done(&b);
    dtest_l2(&T, b.b, b.n);
    assert_int_equal(last_op()->kind, OP_DIAGNOSTIC);
    dcp(&b, 0xfefd, 4, 0);
    block(&b, 5, 6, 0x0010, NULL, 0);
    dcp_done(&b);
    dtest_l2(&T, b.b, b.n);
    assert_int_equal(last_op()->kind, OP_RESTART);
    assert_string_equal(last_op()->function, "dcp reset to factory");
    assert_string_equal(last_op()->target, "factory values");
    dcp(&b, 0xfefd, 4, 0);
    block(&b, 5, 5, 0, NULL, 0);
    dcp_done(&b);
    dtest_l2(&T, b.b, b.n);
    assert_int_equal(last_op()->kind, OP_RESTART);
    assert_string_equal(last_op()->function, "dcp reset factory settings");
    /* the device's answer (Control/Response) is no operation and no identity */
    dcp(&b, 0xfefd, 4, 1);
    block(&b, 5, 4, -1, (const uint8_t[]){2, 2, 0}, 3);
    dcp_done(&b);
    dtest_l2(&T, b.b, b.n);
    assert_int_equal(T.nop, 5);
    assert_int_equal(T.nattr, 0);
    assert_int_equal(T.nmalformed, 0);
}

static void test_get_hello_and_family(void **state)
{
    (void)state;
    struct buf b;
    dcp(&b, 0xfefd, 3, 0);
    put(&b, (const uint8_t[]){2, 2, 1, 2, 2, 9}, 6);
    dcp_done(&b);
    dtest_l2(&T, b.b, b.n);
    assert_int_equal(last_op()->kind, OP_READ);
    assert_string_equal(last_op()->target, "name of station, ip parameter, option 2/9");
    dcp(&b, 0xfefc, 6, 0);
    block(&b, 2, 2, 0, "et200sp-1", 9);
    block(&b, 2, 3, 0, (const uint8_t[]){0x00, 0x2a, 0x03, 0x13}, 4);
    block(&b, 2, 4, 0, (const uint8_t[]){0x02, 0x00}, 2);
    block(&b, 2, 7, 0, (const uint8_t[]){0x00, 0x05}, 2);
    block(&b, 1, 2, 0, (const uint8_t[]){0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, 12);
    dcp_done(&b);
    dtest_l2(&T, b.b, b.n);
    assert_string_equal(dtest_attr(&T, F_NAME), "et200sp-1");
    assert_string_equal(dtest_attr(&T, F_VENDOR), "Siemens AG");
    assert_string_equal(dtest_attr(&T, F_MODEL), "SIMATIC ET 200SP (IM 155-6 PN)");
    assert_string_equal(dtest_attr(&T, F_DEVICE_ROLE), "IO-Controller");
    assert_string_equal(dtest_attr(&T, F_DEVICE_INSTANCE), "0.5");
    assert_null(dtest_attr(&T, F_IP_ADDRESS)); /* IP not set */
    assert_string_equal(T.attrs[0].source, "profinet-dcp hello");
    assert_true(dtest_has_role(&T, "plc"));
    assert_int_equal(T.nmalformed, 0);
}

static void test_rt_frames(void **state)
{
    (void)state;
    static const uint8_t rt[] = {0xc0, 0x02, 0x80, 0x80, 0, 0, 0x20, 0x00, 0x15, 0x00};
    dtest_l2(&T, rt, sizeof rt);
    assert_true(has_protocol("profinet-rt"));
    assert_false(has_protocol("profinet-dcp"));
    int n = T.nprotocol;
    static const uint8_t ptcp[] = {0xff, 0x40, 0, 0, 0, 0, 0, 0};
    dtest_l2(&T, ptcp, sizeof ptcp);
    assert_int_equal(T.nprotocol, n);
    assert_int_equal(T.nmalformed, 0);
}

static void test_malformed(void **state)
{
    (void)state;
    /* every truncation of the real response is reported, never read past */
    for (size_t cut = 1; cut < sizeof versamax_ident_ok; cut++) {
        int before = T.nmalformed;
        dtest_l2(&T, versamax_ident_ok, cut);
        assert_int_equal(T.nmalformed, before + 1);
    }
    /* a block longer than the DCP data */
    struct buf b;
    dcp(&b, 0xfeff, 5, 1);
    put(&b, (const uint8_t[]){2, 2, 0x01, 0x00, 0, 0, 'x'}, 7);
    dcp_done(&b);
    dtest_l2(&T, b.b, b.n);
    assert_string_equal(T.last_malformed, "profinet-dcp: truncated block");
    /* a hostile name: control bytes are escaped, never stored raw */
    dcp(&b, 0xfeff, 5, 1);
    block(&b, 2, 2, 0, "plc\x1b[31m\x01", 9);
    dcp_done(&b);
    int before = T.nattr;
    dtest_l2(&T, b.b, b.n);
    assert_int_equal(T.nattr, before + 1);
    assert_string_equal(T.attrs[before].value, "plc\\x1b[31m\\x01");
}

static uint64_t xorshift(uint64_t x)
{
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return x;
}

static void test_mutations(void **state)
{
    (void)state;
    uint64_t x = 0x9E3779B97F4A7C15ull;
    for (int round = 0; round < 8000; round++) {
        struct buf a;
        memcpy(a.b, versamax_ident_ok, sizeof versamax_ident_ok);
        a.n = sizeof versamax_ident_ok;
        for (int k = 0; k < 1 + round % 5; k++) {
            x = xorshift(x);
            a.b[2 + x % (a.n - 2)] = (uint8_t)(x >> 32);
        }
        if (round % 3 == 0) {
            a.b[2] = (uint8_t)(3 + round % 4); /* every service */
            a.b[3] = (uint8_t)(round / 4 % 2);
        }
        dtest_l2(&T, a.b, a.n);
    }
    assert_true(T.nmalformed > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_identify_response, setup, teardown),
        cmocka_unit_test_setup_teardown(test_identify_request_filter, setup, teardown),
        cmocka_unit_test_setup_teardown(test_set_requests, setup, teardown),
        cmocka_unit_test_setup_teardown(test_get_hello_and_family, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rt_frames, setup, teardown),
        cmocka_unit_test_setup_teardown(test_malformed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mutations, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
