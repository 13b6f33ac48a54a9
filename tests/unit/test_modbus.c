/* test_modbus.c - the Modbus/TCP dissector with hand-made PDUs: device identification,
 * report server id, reads and writes with their ranges, exceptions matched to requests (and the
 * gateway role they prove), diagnostics, UMAS (program transfer directions, errors, READ_ID, the
 * plc role, blocks beyond the Modbus size limit), malformed and truncated PDUs, and a PDU split
 * over segments sent out of order. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "dtest.h"

extern const struct dissector dissector_modbus;

static struct dtest T;

static int setup(void **st)
{
    (void)st;
    dtest_init(&T, &dissector_modbus, 502);
    return 0;
}

static int teardown(void **st)
{
    (void)st;
    dtest_done(&T);
    return 0;
}

static const uint8_t devid_rsp[] = {0,   9,   0,   0,   0,   0x31, 1,   43,  0x0e, 1,   0x83,
                                    0,   0,   3,   0,   18,  'S',  'c', 'h', 'n',  'e', 'i',
                                    'd', 'e', 'r', ' ', 'E', 'l',  'e', 'c', 't',  'r', 'i',
                                    'c', 1,   12,  'B', 'M', 'X',  ' ', 'P', '3',  '4', ' ',
                                    '2', '0', '2', '0', 2,   5,    'V', '3', '.',  '2', '0'};

static void device_identification_objects(void **st)
{
    (void)st;
    static const uint8_t req[] = {0, 9, 0, 0, 0, 5, 1, 43, 0x0e, 1, 0};
    dtest_pdu(&T, 0, req, sizeof req);
    dtest_pdu(&T, 1, devid_rsp, sizeof devid_rsp);
    assert_string_equal(dtest_attr(&T, F_VENDOR), "Schneider Electric");
    assert_string_equal(dtest_attr(&T, F_ORDER_NUMBER), "BMX P34 2020");
    assert_string_equal(dtest_attr(&T, F_FIRMWARE), "V3.20");
    assert_string_equal(dtest_attr(&T, F_UNIT_ID), "1");
    assert_int_equal(dtest_op_count(&T, OP_READ), 1);
}

static void writes_with_ranges(void **st)
{
    (void)st;
    static const uint8_t w16[] = {0, 1, 0, 0, 0, 11, 7, 16, 0, 200, 0, 2, 4, 0, 10, 0, 20};
    static const uint8_t w6[] = {0, 2, 0, 0, 0, 6, 7, 6, 0, 120, 4, 210};
    static const uint8_t w5[] = {0, 3, 0, 0, 0, 6, 7, 5, 0, 7, 0xff, 0};
    dtest_pdu(&T, 0, w16, sizeof w16);
    dtest_pdu(&T, 0, w6, sizeof w6);
    dtest_pdu(&T, 0, w5, sizeof w5);
    assert_int_equal(dtest_op_count(&T, OP_PROCESS_WRITE), 3);
    assert_string_equal(T.ops[0].target, "unit 7 holding 200-201");
    assert_string_equal(T.ops[0].function, "write multiple registers (16)");
    assert_string_equal(T.ops[1].target, "unit 7 holding 120 = 1234");
    assert_string_equal(T.ops[2].target, "unit 7 coil 7 = on");
}

static void exception_matches_request(void **st)
{
    (void)st;
    static const uint8_t req[] = {0, 5, 0, 0, 0, 6, 1, 6, 0x27, 0x10, 0, 1};
    static const uint8_t exc[] = {0, 5, 0, 0, 0, 3, 1, 0x86, 2};
    dtest_pdu(&T, 0, req, sizeof req);
    dtest_pdu(&T, 1, exc, sizeof exc);
    assert_int_equal(dtest_op_count(&T, OP_PROCESS_WRITE), 2);
    assert_string_equal(T.ops[1].result, "exception 2 (illegal data address)");
}

static void diagnostics_and_umas(void **st)
{
    (void)st;
    static const uint8_t listen_only[] = {0, 1, 0, 0, 0, 6, 1, 8, 0, 4, 0, 0};
    static const uint8_t restart[] = {0, 2, 0, 0, 0, 6, 1, 8, 0, 1, 0, 0};
    static const uint8_t echo[] = {0, 4, 0, 0, 0, 6, 1, 8, 0, 0, 0x12, 0x34};
    static const uint8_t stop[] = {0, 3, 0, 0, 0, 5, 1, 90, 0x9b, 0x41, 0xff};
    dtest_pdu(&T, 0, listen_only, sizeof listen_only);
    dtest_pdu(&T, 0, restart, sizeof restart);
    dtest_pdu(&T, 0, echo, sizeof echo);
    dtest_pdu(&T, 0, stop, sizeof stop);
    assert_non_null(dtest_op_find(&T, OP_COMM_CONTROL));
    assert_string_equal(dtest_op_find(&T, OP_COMM_CONTROL)->function,
                        "diagnostics: force listen only mode (8)");
    assert_int_equal(dtest_op_count(&T, OP_RESTART), 1);
    assert_string_equal(dtest_op_find(&T, OP_READ)->function, "diagnostics: return query data (8)");
    assert_int_equal(dtest_op_count(&T, OP_PLC_STOP), 1);
    /* the PLC refuses the stop */
    static const uint8_t refused[] = {0, 3, 0, 0, 0, 4, 1, 90, 0x9b, 0xfd};
    dtest_pdu(&T, 1, refused, sizeof refused);
    assert_int_equal(dtest_op_count(&T, OP_PLC_STOP), 2);
    assert_string_equal(T.ops[T.nop - 1].result, "umas error (0xfd)");
    assert_false(dtest_has_role(&T, "plc"));
}

/* UMAS names transfers from the PLC's side: its upload (0x30-0x32) writes the program into
 * the PLC, its download (0x33-0x35) reads it out */
static void umas_transfer_direction(void **st)
{
    (void)st;
    static const uint8_t init_up[] = {0, 1, 0, 0, 0, 6, 1, 90, 0x9b, 0x30, 0, 1};
    static const uint8_t block[] = {0, 2, 0, 0, 0, 8, 1, 90, 0x9b, 0x31, 0, 1, 1, 0};
    static const uint8_t init_down[] = {0, 3, 0, 0, 0, 6, 1, 90, 0x9b, 0x33, 0, 1};
    dtest_pdu(&T, 0, init_up, sizeof init_up);
    dtest_pdu(&T, 0, block, sizeof block);
    dtest_pdu(&T, 0, init_down, sizeof init_down);
    assert_int_equal(dtest_op_count(&T, OP_PROGRAM_DOWNLOAD), 1);
    assert_int_equal(dtest_op_count(&T, OP_PROGRAM_UPLOAD), 1);
    assert_string_equal(dtest_op_find(&T, OP_PROGRAM_DOWNLOAD)->function,
                        "umas initialize upload (program to plc) (90/0x30)");
}

static void umas_read_id_and_role(void **st)
{
    (void)st;
    static const uint8_t req[] = {0, 7, 0, 0, 0, 4, 0, 90, 0, 0x02};
    uint8_t rsp[64] = {0, 7, 0, 0, 0, 0, 0, 90, 0, 0xfe};
    size_t n = 10 + 22;
    rsp[n++] = 12;
    memcpy(rsp + n, "BMX P34 2020", 12);
    n += 12;
    rsp[5] = (uint8_t)(n - 6);
    dtest_pdu(&T, 0, req, sizeof req);
    dtest_pdu(&T, 1, rsp, n);
    assert_string_equal(dtest_attr(&T, F_MODEL), "BMX P34 2020");
    assert_true(dtest_has_role(&T, "plc"));
    /* a name that runs past the PDU is not taken */
    dtest_done(&T);
    dtest_init(&T, &dissector_modbus, 502);
    rsp[32] = 40;
    dtest_pdu(&T, 0, req, sizeof req);
    dtest_pdu(&T, 1, rsp, n);
    assert_null(dtest_attr(&T, F_MODEL));
}

/* a UMAS upload block longer than a Modbus ADU, split over two segments */
static void umas_large_block(void **st)
{
    (void)st;
    static uint8_t big[7 + 1 + 600];
    memset(big, 0x11, sizeof big);
    const uint8_t hdr[] = {
        0, 9, 0, 0, (uint8_t)((sizeof big - 6) >> 8), (uint8_t)(sizeof big - 6), 1, 90, 0x9b, 0x30};
    memcpy(big, hdr, sizeof hdr);
    dtest_tcp(&T, 0, big, 300);
    dtest_tcp(&T, 0, big + 300, sizeof big - 300);
    static const uint8_t rd3[] = {0, 10, 0, 0, 0, 6, 1, 3, 0, 0, 0, 1};
    dtest_tcp(&T, 0, rd3, sizeof rd3);
    assert_int_equal(dtest_op_count(&T, OP_PROGRAM_DOWNLOAD), 1);
    assert_int_equal(dtest_op_count(&T, OP_READ), 1);
    assert_int_equal(dtest_flow_proto(&T), PROTO_MODBUS);
}

static void gateway_exception_and_server_id(void **st)
{
    (void)st;
    static const uint8_t req[] = {0, 5, 0, 0, 0, 6, 9, 3, 0, 0, 0, 2};
    static const uint8_t exc[] = {0, 5, 0, 0, 0, 3, 9, 0x83, 0x0b};
    dtest_pdu(&T, 0, req, sizeof req);
    dtest_pdu(&T, 1, exc, sizeof exc);
    assert_true(dtest_has_role(&T, "gateway"));
    assert_string_equal(T.ops[T.nop - 1].result,
                        "exception 11 (gateway target device failed to respond)");
    assert_int_equal(T.ops[T.nop - 1].kind, OP_READ);
    /* report server id: the text as server id with the run indicator last, then a binary
     * server id and run indicator before the text */
    static const uint8_t sid1[] = {0,   6,   0,   0,   0,   13,  1,   17,  10,  'P',
                                   'M', '5', '5', '6', '0', ' ', 'V', '2', 0xff};
    dtest_pdu(&T, 1, sid1, sizeof sid1);
    assert_string_equal(dtest_attr(&T, F_DESCRIPTION), "PM5560 V2");
    assert_string_equal(dtest_attr(&T, F_STATE), "run");
    static const uint8_t sid2[] = {0,    7,    0,   0,   0,   11,  1,   17, 8,
                                   0x42, 0x00, 'A', 'C', 'M', 'E', '-', '1'};
    dtest_pdu(&T, 1, sid2, sizeof sid2);
    assert_string_equal(T.attrs[T.nattr - 2].value, "ACME-1");
    assert_string_equal(T.attrs[T.nattr - 1].value, "stop");
    /* binary only: no description */
    static const uint8_t sid3[] = {0, 8, 0, 0, 0, 6, 1, 17, 3, 0x01, 0xff, 0x02};
    int before = dtest_attr_count(&T, F_DESCRIPTION);
    dtest_pdu(&T, 1, sid3, sizeof sid3);
    assert_int_equal(dtest_attr_count(&T, F_DESCRIPTION), before);
}

static void malformed_and_truncated(void **st)
{
    (void)st;
    static const uint8_t bad_proto[] = {0, 1, 0, 7, 0, 6, 1, 3, 0, 0, 0, 1};
    dtest_pdu(&T, 0, bad_proto, sizeof bad_proto);
    assert_int_equal(T.nmalformed, 1);
    static const uint8_t short_read[] = {0, 1, 0, 0, 0, 3, 1, 3, 0};
    dtest_pdu(&T, 0, short_read, sizeof short_read);
    assert_int_equal(T.nmalformed, 2);
    /* every prefix of a valid response: no crash, no identity from garbage */
    for (size_t n = 0; n < sizeof devid_rsp; n++)
        dtest_pdu(&T, 1, devid_rsp, n);
    assert_true(dtest_attr_count(&T, F_FIRMWARE) <= 1);
}

static void split_and_out_of_order(void **st)
{
    (void)st;
    /* the device-id response in three segments, the last two swapped */
    dtest_tcp(&T, 0, (const uint8_t[]){0, 9, 0, 0, 0, 5, 1, 43, 0x0e, 1, 0}, 11);
    dtest_tcp_at(&T, 1, 0, devid_rsp, 10);
    dtest_tcp_at(&T, 1, 30, devid_rsp + 30, sizeof devid_rsp - 30);
    assert_null(dtest_attr(&T, F_VENDOR));
    dtest_tcp_at(&T, 1, 10, devid_rsp + 10, 20);
    assert_string_equal(dtest_attr(&T, F_VENDOR), "Schneider Electric");
    assert_string_equal(dtest_attr(&T, F_FIRMWARE), "V3.20");
    /* two PDUs in one segment */
    static const uint8_t two[] = {0, 2, 0, 0, 0, 6, 1, 3, 0, 0, 0, 10,
                                  0, 3, 0, 0, 0, 6, 1, 4, 0, 5, 0, 2};
    dtest_tcp(&T, 0, two, sizeof two);
    assert_int_equal(dtest_op_count(&T, OP_READ), 3);
    assert_int_equal(dtest_flow_proto(&T), PROTO_MODBUS);
}

static void probe_is_strict(void **st)
{
    (void)st;
    static const uint8_t good[] = {0, 1, 0, 0, 0, 6, 1, 3, 0, 0, 0, 1};
    static const uint8_t http[] = "GET / HTTP/1.1\r\n";
    struct rd r = rd_init(good, sizeof good);
    assert_true(dissector_modbus.probe(&r, L4_TCP));
    r = rd_init(http, sizeof http - 1);
    assert_false(dissector_modbus.probe(&r, L4_TCP));
    r = rd_init(good, sizeof good - 1); /* length field disagrees with the segment */
    assert_false(dissector_modbus.probe(&r, L4_TCP));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(device_identification_objects, setup, teardown),
        cmocka_unit_test_setup_teardown(writes_with_ranges, setup, teardown),
        cmocka_unit_test_setup_teardown(exception_matches_request, setup, teardown),
        cmocka_unit_test_setup_teardown(diagnostics_and_umas, setup, teardown),
        cmocka_unit_test_setup_teardown(umas_transfer_direction, setup, teardown),
        cmocka_unit_test_setup_teardown(umas_read_id_and_role, setup, teardown),
        cmocka_unit_test_setup_teardown(umas_large_block, setup, teardown),
        cmocka_unit_test_setup_teardown(gateway_exception_and_server_id, setup, teardown),
        cmocka_unit_test_setup_teardown(malformed_and_truncated, setup, teardown),
        cmocka_unit_test_setup_teardown(split_and_out_of_order, setup, teardown),
        cmocka_unit_test_setup_teardown(probe_is_strict, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
