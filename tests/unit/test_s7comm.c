/* test_s7comm.c - the ISO-on-TCP dissector with hand-made PDUs: SZL 0x0011 and 0x001C identity,
 * jobs (write var, download, PLC stop, cold start, delete), job errors, S7comm-plus and MMS
 * recognition, malformed and truncated PDUs, and a PDU split over segments out of order. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "dtest.h"

extern const struct dissector dissector_s7comm;

static struct dtest T;
static uint8_t buf[1024];

static int setup(void **st)
{
    (void)st;
    dtest_init(&T, &dissector_s7comm, 102);
    return 0;
}

static int teardown(void **st)
{
    (void)st;
    dtest_done(&T);
    return 0;
}

/* TPKT + COTP DT around an S7 PDU; returns the total length */
static size_t wrap(const uint8_t *s7, size_t n)
{
    size_t len = 7 + n;
    uint8_t h[7] = {3, 0, (uint8_t)(len >> 8), (uint8_t)len, 2, 0xf0, 0x80};
    memcpy(buf, h, 7);
    memcpy(buf + 7, s7, n);
    return len;
}

static size_t szl_0011_answer(uint8_t *p)
{
    size_t o = 0;
    static const uint8_t hdr[] = {0x32, 7, 0, 0, 0, 2, 0, 12, 0, 96,
                                  0, 1, 0x12, 8, 0x12, 0x84, 1, 1, 0, 0, 0, 0,
                                  0xff, 9, 0, 92, 0, 0x11, 0, 0, 0, 28, 0, 3};
    memcpy(p, hdr, sizeof hdr);
    o = sizeof hdr;
    const char *mlfb = "6ES7 315-2EH14-0AB0 ";
    const uint16_t idx[3] = {1, 6, 7}, g[3] = {4, 4, 0x5603}, e[3] = {1, 1, 0x0206};
    for (int i = 0; i < 3; i++) {
        p[o++] = 0;
        p[o++] = (uint8_t)idx[i];
        memcpy(p + o, i == 2 ? "                    " : mlfb, 20);
        o += 20;
        p[o++] = 0;
        p[o++] = 0;
        p[o++] = (uint8_t)(g[i] >> 8);
        p[o++] = (uint8_t)g[i];
        p[o++] = (uint8_t)(e[i] >> 8);
        p[o++] = (uint8_t)e[i];
    }
    return o;
}

static void szl_0011_identity(void **st)
{
    (void)st;
    uint8_t s7[256];
    size_t n = wrap(s7, szl_0011_answer(s7));
    dtest_pdu(&T, 1, buf, n);
    assert_string_equal(dtest_attr(&T, F_ORDER_NUMBER), "6ES7 315-2EH14-0AB0");
    assert_string_equal(dtest_attr(&T, F_FIRMWARE), "V3.2.6");
    assert_string_equal(dtest_attr(&T, F_HARDWARE), "4");
    assert_true(dtest_has_role(&T, "plc"));
}

static void szl_001c_identity(void **st)
{
    (void)st;
    uint8_t s7[512];
    static const uint8_t hdr[] = {0x32, 7, 0, 0, 0, 3, 0, 12, 0, 0,
                                  0, 1, 0x12, 8, 0x12, 0x84, 1, 1, 0, 0, 0, 0,
                                  0xff, 9, 0, 0, 0, 0x1c, 0, 0, 0, 34, 0, 3};
    size_t o = sizeof hdr;
    memcpy(s7, hdr, o);
    const char *t[2] = {"SNAP7-SERVER", "S C-C2UR28922012"};
    const uint8_t idx[2] = {1, 5};
    for (int i = 0; i < 2; i++) {
        s7[o++] = 0;
        s7[o++] = idx[i];
        memset(s7 + o, 0, 32);
        memcpy(s7 + o, t[i], strlen(t[i]));
        o += 32;
    }
    s7[o++] = 0;
    s7[o++] = 9;
    memset(s7 + o, 0, 32);
    s7[o + 1] = 0x2a;
    o += 32;
    size_t dlen = o - 22;
    s7[8] = (uint8_t)(dlen >> 8);
    s7[9] = (uint8_t)dlen;
    s7[24] = (uint8_t)((dlen - 4) >> 8);
    s7[25] = (uint8_t)(dlen - 4);
    dtest_pdu(&T, 1, buf, wrap(s7, o));
    assert_string_equal(dtest_attr(&T, F_NAME), "SNAP7-SERVER");
    assert_string_equal(dtest_attr(&T, F_SERIAL), "S C-C2UR28922012");
    assert_string_equal(dtest_attr(&T, F_VENDOR_ID), "0x002a");
    assert_string_equal(dtest_attr(&T, F_VENDOR), "Siemens");
}

static void jobs_are_operations(void **st)
{
    (void)st;
    static const uint8_t wr[] = {0x32, 1, 0, 0, 0, 9, 0, 14, 0, 6, 0x05, 1, 0x12, 0x0a, 0x10, 2, 0,
                                 2, 0, 5, 0x84, 0, 0, 0x50, 0, 4, 0, 16, 0x12, 0x34};
    dtest_pdu(&T, 0, buf, wrap(wr, sizeof wr));
    const struct dtest_op *w = dtest_op_find(&T, OP_PROCESS_WRITE);
    assert_non_null(w);
    assert_string_equal(w->target, "DB5.DBX 10.0 (2)");
    static const uint8_t dl[] = {0x32, 1, 0, 0, 0, 10, 0, 18, 0, 0, 0x1a, 0, 1, 0, 0, 0, 0, 0,
                                 9, '_', '0', '8', '0', '0', '0', '0', '1', 'P'};
    dtest_pdu(&T, 0, buf, wrap(dl, sizeof dl));
    assert_string_equal(dtest_op_find(&T, OP_PROGRAM_DOWNLOAD)->target, "OB 1");
    static const uint8_t stop[] = {0x32, 1, 0, 0, 0, 11, 0, 16, 0, 0, 0x29, 0, 0, 0, 0, 0, 9,
                                   'P', '_', 'P', 'R', 'O', 'G', 'R', 'A', 'M'};
    dtest_pdu(&T, 0, buf, wrap(stop, sizeof stop));
    assert_int_equal(dtest_op_count(&T, OP_PLC_STOP), 1);
    static const uint8_t cold[] = {0x32, 1, 0, 0, 0, 12, 0, 22, 0, 0, 0x28, 0, 0, 0, 0, 0, 0,
                                   0xfd, 0, 2, 'C', ' ', 9, 'P', '_', 'P', 'R', 'O', 'G', 'R',
                                   'A', 'M'};
    dtest_pdu(&T, 0, buf, wrap(cold, sizeof cold));
    assert_string_equal(dtest_op_find(&T, OP_PLC_START)->function, "plc cold start (P_PROGRAM)");
    static const uint8_t del[] = {0x32, 1, 0, 0, 0, 13, 0, 26, 0, 0, 0x28, 0, 0, 0, 0, 0, 0,
                                  0xfd, 0, 10, 1, 0, '0', 'E', '0', '0', '0', '1', '2', 'P', 5,
                                  '_', 'D', 'E', 'L', 'E'};
    dtest_pdu(&T, 0, buf, wrap(del, sizeof del));
    assert_string_equal(dtest_op_find(&T, OP_PROGRAM_DELETE)->target, "FB 12");
    /* the CPU refuses the write: the error is the write's result */
    static const uint8_t err[] = {0x32, 3, 0, 0, 0, 9, 0, 0, 0, 0, 0x81, 0x04};
    dtest_pdu(&T, 1, buf, wrap(err, sizeof err));
    assert_int_equal(dtest_op_count(&T, OP_PROCESS_WRITE), 2);
    assert_string_equal(T.ops[T.nop - 1].result, "error class 0x81 code 0x04");
}

static void plus_and_mms(void **st)
{
    (void)st;
    static const uint8_t plus[] = {0x72, 3, 0, 20, 0x32, 0, 0, 0x04, 0xca, 0, 0, 0, 0,
                                   '6', 'E', 'S', '7', ' ', '5', '1', '6', '-', '3', 'A', 'N',
                                   '0', '1', '-', '0', 'A', 'B', '0', 0, 0};
    dtest_tcp(&T, 1, buf, wrap(plus, sizeof plus));
    assert_string_equal(dtest_attr(&T, F_ORDER_NUMBER), "6ES7 516-3AN01-0AB0");
    assert_string_equal(dtest_attr(&T, F_PROTOCOL_VERSION), "s7comm-plus V3");
    assert_int_equal(dtest_flow_proto(&T), PROTO_S7COMM_PLUS);
}

static void malformed_and_split(void **st)
{
    (void)st;
    static const uint8_t liar[] = {0x32, 1, 0, 0, 0, 1, 0x10, 0, 0, 0};
    dtest_pdu(&T, 0, buf, wrap(liar, sizeof liar));
    assert_int_equal(T.nmalformed, 1);
    uint8_t s7[256];
    size_t n = wrap(s7, szl_0011_answer(s7));
    for (size_t k = 0; k < n; k++) /* every truncation: no crash */
        dtest_pdu(&T, 1, buf, k);
    /* the answer in three segments, the middle one last */
    dtest_tcp_at(&T, 1, 0, buf, 20);
    dtest_tcp_at(&T, 1, 60, buf + 60, n - 60);
    dtest_tcp_at(&T, 1, 20, buf + 20, 40);
    assert_string_equal(dtest_attr(&T, F_FIRMWARE), "V3.2.6");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(szl_0011_identity, setup, teardown),
        cmocka_unit_test_setup_teardown(szl_001c_identity, setup, teardown),
        cmocka_unit_test_setup_teardown(jobs_are_operations, setup, teardown),
        cmocka_unit_test_setup_teardown(plus_and_mms, setup, teardown),
        cmocka_unit_test_setup_teardown(malformed_and_split, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
