/* test_vnc.c - VNC (RFB) dissector: versions of both sides, remote access as a finding, the
 * security type None as a finding, the type chosen as an operation and a failed authentication
 * as its result, the desktop name of ServerInit, RFB 3.3 where the server imposes the type,
 * messages split and reordered over segments, and hostile input. */
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

extern const struct dissector dissector_vnc;

static struct dtest T;

static int setup(void **state)
{
    (void)state;
    dtest_init(&T, &dissector_vnc, 0);
    return 0;
}
static int teardown(void **state)
{
    (void)state;
    dtest_done(&T);
    return 0;
}

static void send(int dir, const void *p, size_t n)
{
    dtest_tcp(&T, dir, p, n);
}

static const uint8_t server_init_hmi[] = {0x04, 0x00, 0x03, 0x00, /* 1024 x 768 */
                                          32,   24,   0,    1,    0,   255, 0,   255, 0,
                                          255,  16,   8,    0,    0,   0,   0, /* pixel format */
                                          0,    0,    0,    12,   'W', 'i', 'n', 'C', 'C',
                                          ' ',  'H',  'M',  'I',  '-', '0', '1'};

static bool finding(const char *detail)
{
    for (int i = 0; i < T.nfinding; i++)
        if (!strcmp(T.findings[i].b, detail))
            return true;
    return false;
}

static void test_none_38(void **state)
{
    (void)state;
    send(1, "RFB 003.008\n", 12);
    send(0, "RFB 003.008\n", 12);
    static const uint8_t types[] = {2, 1, 2};
    send(1, types, sizeof types);
    assert_true(finding("remote access: vnc"));
    assert_true(finding("vnc without authentication (security type None)"));
    for (int i = 0; i < T.nfinding; i++)
        assert_true(T.findings[i].is_server);
    static const uint8_t choose_none = 1;
    send(0, &choose_none, 1);
    const struct dtest_op *op = dtest_op_find(&T, OP_SESSION);
    assert_non_null(op);
    assert_string_equal(op->target, "security type 1 (none)");
    static const uint8_t ok[] = {0, 0, 0, 0};
    send(1, ok, sizeof ok);
    static const uint8_t shared = 1;
    send(0, &shared, 1);
    send(1, server_init_hmi, sizeof server_init_hmi);
    assert_string_equal(dtest_attr(&T, F_DESCRIPTION), "WinCC HMI-01");
    assert_int_equal(dtest_attr_count(&T, F_PROTOCOL_VERSION), 2);
    assert_string_equal(dtest_attr(&T, F_PROTOCOL_VERSION), "RFB 3.8");
    /* framebuffer traffic afterwards is not looked at */
    static const uint8_t fb[] = {0, 0, 0, 1, 0, 0, 0, 0, 0, 10, 0, 10, 0, 0, 0, 0};
    send(1, fb, sizeof fb);
    send(0, fb, sizeof fb);
    assert_int_equal(T.nmalformed, 0);
    assert_int_equal(T.nfinding, 2);
}

static void test_vnc_auth_failed(void **state)
{
    (void)state;
    /* server version and type list in one segment, the challenge split in two reordered */
    uint8_t s1[12 + 2];
    memcpy(s1, "RFB 003.008\n", 12);
    s1[12] = 1;
    s1[13] = 2;
    send(1, s1, sizeof s1);
    send(0, "RFB 003.008\n", 12);
    static const uint8_t vncauth = 2;
    send(0, &vncauth, 1);
    uint8_t chal[16];
    memset(chal, 0x5a, sizeof chal);
    dtest_tcp_at(&T, 1, sizeof s1 + 6, chal + 6, 10);
    dtest_tcp_at(&T, 1, sizeof s1, chal, 6);
    uint8_t resp[16];
    memset(resp, 0xa5, sizeof resp);
    send(0, resp, sizeof resp);
    static const uint8_t failed[] = {0,   0,   0,   1,   0,   0,   0,   17,  'a',
                                     'u', 't', 'h', 'e', 'n', 't', 'i', 'c', 'a',
                                     't', 'i', 'o', 'n', ' ', 'f', 'a'};
    send(1, failed, sizeof failed);
    assert_int_equal(dtest_op_count(&T, OP_AUTH), 2);
    assert_string_equal(T.ops[0].target, "security type 2 (VNC authentication)");
    assert_string_equal(T.ops[1].result, "failed: authentication fa");
    assert_false(finding("vnc without authentication (security type None)"));
    assert_true(finding("remote access: vnc"));
    assert_int_equal(T.nmalformed, 0);
    assert_int_equal(dtest_flow_proto(&T), PROTO_VNC);
}

static void test_rfb33(void **state)
{
    (void)state;
    send(1, "RFB 003.003\n", 12);
    send(0, "RFB 003.003\n", 12);
    static const uint8_t none[] = {0, 0, 0, 1}; /* the server imposes None */
    send(1, none, sizeof none);
    assert_true(finding("vnc without authentication (security type None)"));
    static const uint8_t shared = 0;
    send(0, &shared, 1);
    send(1, server_init_hmi, sizeof server_init_hmi);
    assert_string_equal(dtest_attr(&T, F_DESCRIPTION), "WinCC HMI-01");
    assert_string_equal(dtest_attr(&T, F_PROTOCOL_VERSION), "RFB 3.3");
}

static void test_hostile(void **state)
{
    (void)state;
    dtest_pdu(&T, 1, "RFB 00x.yyy\n", 12);
    dtest_pdu(&T, 0, "HELLO", 5);
    assert_int_equal(T.nmalformed, 2);
    /* huge name length, types count beyond the data, lying reason length */
    dtest_done(&T);
    dtest_init(&T, &dissector_vnc, 0);
    dtest_pdu(&T, 1, "RFB 003.008\n", 12);
    dtest_pdu(&T, 0, "RFB 003.008\n", 12);
    static const uint8_t types[] = {200, 1};
    dtest_pdu(&T, 1, types, sizeof types);
    static const uint8_t none = 1;
    dtest_pdu(&T, 0, &none, 1);
    static const uint8_t bad_result[] = {0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff};
    dtest_pdu(&T, 1, bad_result, sizeof bad_result);
    assert_string_equal(T.ops[T.nop - 1].result, "failed");
    static const uint8_t init[] = {0, 1, 0, 1, 0, 0, 0, 0,    0,    0,    0,    0,  0,
                                   0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 'x'};
    dtest_pdu(&T, 1, init, sizeof init);
    assert_null(dtest_attr(&T, F_DESCRIPTION));
}

static void test_probe(void **state)
{
    (void)state;
    struct rd r = rd_init("RFB 003.008\n", 12);
    assert_true(dissector_vnc.probe(&r, L4_TCP));
    assert_false(dissector_vnc.probe(&r, L4_UDP));
    r = rd_init("RFB 003.008\nx", 13);
    assert_false(dissector_vnc.probe(&r, L4_TCP));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_none_38, setup, teardown),
        cmocka_unit_test_setup_teardown(test_vnc_auth_failed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rfb33, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hostile, setup, teardown),
        cmocka_unit_test_setup_teardown(test_probe, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
