/* test_ftp.c - FTP dissector: the 220 greeting as banner (multi-line too), the service as a
 * finding, USER/PASS as a cleartext-credentials finding naming the user and never the password,
 * transfers and deletions as operations with a 4xx/5xx reply as their result, AUTH TLS ending
 * the clear-text part, lines split over reordered segments, and hostile input. */
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

extern const struct dissector dissector_ftp;

static struct dtest T;

static int setup(void **state)
{
    (void)state;
    dtest_init(&T, &dissector_ftp, 0);
    return 0;
}
static int teardown(void **state)
{
    (void)state;
    dtest_done(&T);
    return 0;
}

static void send_str(int dir, const char *s)
{
    dtest_tcp(&T, dir, s, strlen(s));
}

static void test_session(void **state)
{
    (void)state;
    send_str(1, "220-Welcome to the line 3 data logger\r\n220-Authorised use only\r\n"
                "220 VxWorks (5.5) FTP server ready\r\n");
    assert_string_equal(dtest_attr(&T, F_FTP_BANNER), "Welcome to the line 3 data logger");
    assert_int_equal(dtest_attr_count(&T, F_FTP_BANNER), 1);
    assert_true(T.attrs[0].is_server);
    assert_true(dtest_has_finding(&T, "insecure-protocol"));
    assert_string_equal(T.findings[0].b, "ftp service");
    assert_true(T.findings[0].is_server);
    send_str(0, "USER target\r\n");
    send_str(1, "331 Password required\r\n");
    send_str(0, "PASS pl4nt-Secr3t\r\n");
    send_str(1, "230 User logged in\r\n");
    assert_true(dtest_has_finding(&T, "cleartext-credentials"));
    assert_string_equal(T.findings[1].b, "ftp login user target");
    assert_false(T.findings[1].is_server);
    assert_int_equal(dtest_op_count(&T, OP_AUTH), 1);
    send_str(0, "TYPE I\r\nPASV\r\n");
    send_str(1, "200 Type set to I\r\n227 Entering Passive Mode (10,0,0,2,4,1)\r\n");
    send_str(0, "STOR /ata0/plc/app.bin\r\n");
    send_str(1, "150 Opening BINARY mode data connection\r\n226 Transfer complete\r\n");
    send_str(0, "RETR config.xml\r\n");
    send_str(1, "550 config.xml: No such file or directory\r\n");
    send_str(0, "DELE old.log\r\n");
    send_str(0, "SITE CHMOD 777 /etc\r\n");
    assert_int_equal(dtest_op_count(&T, OP_FILE_TRANSFER), 4);
    const struct dtest_op *op = dtest_op_find(&T, OP_FILE_TRANSFER);
    assert_string_equal(op->function, "store (STOR)");
    assert_string_equal(op->target, "/ata0/plc/app.bin");
    assert_string_equal(op->result, "");
    assert_string_equal(T.ops[2].function, "retrieve (RETR)");
    assert_string_equal(T.ops[3].result, "550 config.xml: No such file or directory");
    assert_string_equal(T.ops[4].function, "delete (DELE)");
    op = dtest_op_find(&T, OP_COMMAND);
    assert_non_null(op);
    assert_string_equal(op->target, "CHMOD");
    for (int i = 0; i < T.nfinding; i++)
        assert_null(strstr(T.findings[i].b, "pl4nt"));
    for (int i = 0; i < T.nop; i++) {
        assert_null(strstr(T.ops[i].target, "pl4nt"));
        assert_null(strstr(T.ops[i].result, "pl4nt"));
    }
    assert_int_equal(T.nmalformed, 0);
}

static void test_failed_login_and_tls(void **state)
{
    (void)state;
    send_str(1, "220 (vsFTPd 3.0.3)\r\n");
    assert_string_equal(dtest_attr(&T, F_FTP_BANNER), "(vsFTPd 3.0.3)");
    send_str(0, "USER hello\r\n");
    send_str(1, "530 This FTP server is anonymous only.\r\n");
    assert_int_equal(dtest_op_count(&T, OP_AUTH), 2);
    assert_string_equal(T.ops[1].result, "530 This FTP server is anonymous only.");
    assert_false(dtest_has_finding(&T, "cleartext-credentials")); /* no password sent */
    send_str(0, "AUTH TLS\r\n");
    send_str(1, "234 Proceed with negotiation.\r\n");
    /* TLS from here: nothing more is read, and nothing is malformed */
    static const uint8_t hello[] = {0x16, 0x03, 0x01, 0x00, 0x04, 0x01, 0x00, 0x00, 0x00, '\n'};
    dtest_tcp(&T, 0, hello, sizeof hello);
    send_str(0, "PASS not-parsed\r\n");
    assert_false(dtest_has_finding(&T, "cleartext-credentials"));
    assert_int_equal(T.nmalformed, 0);
}

static void test_split_out_of_order(void **state)
{
    (void)state;
    const char *l = "220 FileZilla Server 1.7.0\r\n";
    dtest_tcp_at(&T, 1, 8, l + 8, strlen(l) - 8);
    assert_null(dtest_attr(&T, F_FTP_BANNER));
    dtest_tcp_at(&T, 1, 0, l, 8);
    assert_string_equal(dtest_attr(&T, F_FTP_BANNER), "FileZilla Server 1.7.0");
    assert_int_equal(dtest_flow_proto(&T), PROTO_FTP);
}

static void test_hostile(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "\r\n",     "2",        "22",       "220",      "9999 x\r\n",
        "USER\r\n", "PASS\r\n", "RETR\r\n", "SITE\r\n", "\x01\x02\x03\n"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        dtest_pdu(&T, 0, bad[i], strlen(bad[i]));
        dtest_pdu(&T, 1, bad[i], strlen(bad[i]));
    }
    /* a line longer than the frame limit becomes one opaque PDU */
    static char longline[3000];
    memset(longline, 'A', sizeof longline);
    struct rd r = rd_init(longline, sizeof longline);
    assert_int_equal(dissector_ftp.frame(&r), (long)sizeof longline);
    r = rd_init(longline, 100);
    assert_int_equal(dissector_ftp.frame(&r), FRAME_NEED_MORE);
    assert_int_equal(T.nmalformed, 0);
}

static void test_probe(void **state)
{
    (void)state;
    struct rd r = rd_init("220 ProFTPD Server ready\r\n", 26);
    assert_true(dissector_ftp.probe(&r, L4_TCP));
    assert_false(dissector_ftp.probe(&r, L4_UDP));
    r = rd_init("220 mail.example.com ESMTP Postfix\r\n", 36);
    assert_false(dissector_ftp.probe(&r, L4_TCP));
    r = rd_init("220 ready\r\n", 11);
    assert_false(dissector_ftp.probe(&r, L4_TCP));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_session, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failed_login_and_tls, setup, teardown),
        cmocka_unit_test_setup_teardown(test_split_out_of_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hostile, setup, teardown),
        cmocka_unit_test_setup_teardown(test_probe, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
