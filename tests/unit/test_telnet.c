/* test_telnet.c - Telnet dissector: the service as a finding, option negotiation stripped (also
 * when an IAC sequence is cut between segments), the server's greeting line as banner, a login
 * with a password typed after the prompt as a cleartext-credentials finding that never holds
 * what was typed, segments out of order, and the probe. */
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

extern const struct dissector dissector_telnet;

static struct dtest T;

static int setup(void **state)
{
    (void)state;
    dtest_init(&T, &dissector_telnet, 0);
    return 0;
}
static int teardown(void **state)
{
    (void)state;
    dtest_done(&T);
    return 0;
}

static void send_bytes(int dir, const void *p, size_t n)
{
    dtest_tcp(&T, dir, p, n);
}
static void send_str(int dir, const char *s)
{
    send_bytes(dir, s, strlen(s));
}

static void test_login(void **state)
{
    (void)state;
    /* IAC DO TERMINAL-TYPE, IAC WILL ECHO; a subnegotiation cut between segments */
    static const uint8_t neg1[] = {255, 253, 24, 255, 251, 1, 255, 250, 24};
    static const uint8_t neg2[] = {1, 255, 240, 255, 251, 3};
    send_bytes(1, neg1, sizeof neg1);
    send_bytes(1, neg2, sizeof neg2);
    assert_true(dtest_has_finding(&T, "insecure-protocol"));
    assert_string_equal(T.findings[0].b, "telnet service");
    assert_true(T.findings[0].is_server);
    send_str(1, "\r\n\r\nMoxa NPort 5150 (serial 1234)\r\n\r\nlogin: ");
    const char *b = dtest_attr(&T, F_TELNET_BANNER);
    assert_non_null(b);
    assert_string_equal(b, "Moxa NPort 5150 (serial 1234)");
    assert_true(T.attrs[0].is_server);
    /* the user name typed character by character, echoed by the server */
    send_str(0, "a");
    send_str(1, "a");
    send_str(0, "dmin\r\n");
    send_str(1, "dmin\r\n");
    assert_non_null(dtest_op_find(&T, OP_AUTH));
    assert_false(dtest_has_finding(&T, "cleartext-credentials"));
    send_str(1, "Password: ");
    send_str(0, "hunter2\r\n");
    assert_true(dtest_has_finding(&T, "cleartext-credentials"));
    for (int i = 0; i < T.nfinding; i++)
        assert_null(strstr(T.findings[i].b, "hunter2"));
    for (int i = 0; i < T.nattr; i++) {
        assert_null(strstr(T.attrs[i].value, "hunter2"));
        assert_null(strstr(T.attrs[i].value, "admin"));
    }
    /* reported once per flow */
    send_str(1, "\r\nLogin incorrect\r\nPassword: ");
    send_str(0, "again\r\n");
    assert_int_equal(T.nfinding, 2);
    assert_int_equal(dtest_attr_count(&T, F_TELNET_BANNER), 1);
    assert_int_equal(T.nmalformed, 0);
}

static void test_prompt_first_and_out_of_order(void **state)
{
    (void)state;
    /* no greeting: the prompt is not a banner; it arrives in two reordered parts */
    dtest_tcp_at(&T, 1, 4, "word: ", 6);
    dtest_tcp_at(&T, 1, 0, "Pass", 4);
    send_str(0, "x\r\n");
    assert_true(dtest_has_finding(&T, "cleartext-credentials"));
    assert_null(dtest_attr(&T, F_TELNET_BANNER));
    assert_int_equal(dtest_flow_proto(&T), PROTO_TELNET);
}

static void test_hostile(void **state)
{
    (void)state;
    uint8_t junk[600];
    for (size_t i = 0; i < sizeof junk; i++)
        junk[i] = (uint8_t)(i * 37 + 255);
    for (size_t n = 0; n < sizeof junk; n += 61)
        dtest_pdu(&T, (int)(n & 1), junk, n);
    /* a very long line and an IAC at the very end */
    char longline[400];
    memset(longline, 'x', sizeof longline);
    dtest_pdu(&T, 1, longline, sizeof longline);
    static const uint8_t iac[] = {'a', 255};
    dtest_pdu(&T, 1, iac, sizeof iac);
    assert_int_equal(T.nmalformed, 0);
}

static void test_probe(void **state)
{
    (void)state;
    static const uint8_t neg[] = {255, 253, 24, 255, 251, 1, 255, 253, 31};
    struct rd r = rd_init(neg, sizeof neg);
    assert_true(dissector_telnet.probe(&r, L4_TCP));
    assert_false(dissector_telnet.probe(&r, L4_UDP));
    r = rd_init(neg, 4);
    assert_false(dissector_telnet.probe(&r, L4_TCP));
    r = rd_init("login: ", 7);
    assert_false(dissector_telnet.probe(&r, L4_TCP));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_login, setup, teardown),
        cmocka_unit_test_setup_teardown(test_prompt_first_and_out_of_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hostile, setup, teardown),
        cmocka_unit_test_setup_teardown(test_probe, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
