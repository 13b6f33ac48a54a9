/* test_slmp.c - the Mitsubishi SLMP / MC protocol dissector with hand-made 3E and 4E binary
 * frames: Read Type Name identity (vendor, model, model code, plc role), device operations and
 * their targets, remote RUN/STOP state, the password unlock finding (never the password), file
 * writes of program files as downloads, end codes matched to requests (4E by serial, 3E in
 * order), routed requests, framing, frames split over segments, truncated frames, length lies,
 * unknown commands and the probe. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "dtest.h"

extern const struct dissector dissector_slmp;

static struct dtest T;

static int setup(void **st)
{
    (void)st;
    dtest_init(&T, &dissector_slmp, 5007);
    return 0;
}

static int teardown(void **st)
{
    (void)st;
    dtest_done(&T);
    return 0;
}

/* a 3E (serial < 0) or 4E request: header, monitoring timer, command, subcommand, data */
static size_t req(uint8_t *out, int serial, uint16_t cmd, uint16_t sub, const uint8_t *data,
                  size_t n)
{
    size_t k = 0;
    out[k++] = serial < 0 ? 0x50 : 0x54;
    out[k++] = 0x00;
    if (serial >= 0) {
        out[k++] = (uint8_t)serial;
        out[k++] = (uint8_t)(serial >> 8);
        out[k++] = 0;
        out[k++] = 0;
    }
    static const uint8_t route[] = {0x00, 0xff, 0xff, 0x03, 0x00};
    memcpy(out + k, route, sizeof route);
    k += sizeof route;
    size_t len = 6 + n;
    out[k++] = (uint8_t)len;
    out[k++] = (uint8_t)(len >> 8);
    const uint8_t t[6] = {
        0x10, 0x00, (uint8_t)cmd, (uint8_t)(cmd >> 8), (uint8_t)sub, (uint8_t)(sub >> 8)};
    memcpy(out + k, t, sizeof t);
    k += sizeof t;
    if (n)
        memcpy(out + k, data, n);
    return k + n;
}

/* a response: header, end code, data */
static size_t rsp(uint8_t *out, int serial, uint16_t end, const uint8_t *data, size_t n)
{
    size_t k = 0;
    out[k++] = serial < 0 ? 0xd0 : 0xd4;
    out[k++] = 0x00;
    if (serial >= 0) {
        out[k++] = (uint8_t)serial;
        out[k++] = (uint8_t)(serial >> 8);
        out[k++] = 0;
        out[k++] = 0;
    }
    static const uint8_t route[] = {0x00, 0xff, 0xff, 0x03, 0x00};
    memcpy(out + k, route, sizeof route);
    k += sizeof route;
    size_t len = 2 + n;
    out[k++] = (uint8_t)len;
    out[k++] = (uint8_t)(len >> 8);
    out[k++] = (uint8_t)end;
    out[k++] = (uint8_t)(end >> 8);
    if (n)
        memcpy(out + k, data, n);
    return k + n;
}

static void request(int serial, uint16_t cmd, uint16_t sub, const uint8_t *d, size_t n)
{
    uint8_t b[512];
    dtest_pdu(&T, 0, b, req(b, serial, cmd, sub, d, n));
}

static void response(int serial, uint16_t end, const uint8_t *d, size_t n)
{
    uint8_t b[512];
    dtest_pdu(&T, 1, b, rsp(b, serial, end, d, n));
}

static void type_name_identity(void **st)
{
    (void)st;
    uint8_t b[128];
    dtest_tcp(&T, 0, b, req(b, -1, 0x0101, 0, NULL, 0));
    static const uint8_t name[] = {'Q', '0', '3', 'U', 'D', 'V', 'C', 'P',  'U',
                                   ' ', ' ', ' ', ' ', ' ', ' ', ' ', 0x66, 0x03};
    dtest_tcp(&T, 1, b, rsp(b, -1, 0, name, sizeof name));
    assert_int_equal(T.nmalformed, 0);
    assert_int_equal(dtest_flow_proto(&T), PROTO_SLMP);
    assert_string_equal(dtest_attr(&T, F_VENDOR), "Mitsubishi Electric");
    assert_string_equal(dtest_attr(&T, F_PRODUCT), "Q03UDVCPU");
    assert_string_equal(dtest_attr(&T, F_MODEL), "Q03UDVCPU");
    assert_string_equal(dtest_attr(&T, F_PRODUCT_CODE), "0x0366");
    assert_string_equal(dtest_attr(&T, F_PROTOCOL_VERSION), "MC 3E binary");
    assert_true(dtest_has_role(&T, "plc"));
    for (int i = 0; i < T.nattr; i++)
        assert_true(T.attrs[i].is_server);
    const struct dtest_op *o = dtest_op_find(&T, OP_READ);
    assert_non_null(o);
    assert_string_equal(o->function, "read type name (0101/0000)");
    assert_true(o->src_is_client);
    /* a short answer names nothing */
    dtest_done(&T);
    dtest_init(&T, &dissector_slmp, 5007);
    request(-1, 0x0101, 0, NULL, 0);
    static const uint8_t shortr[] = {'Q', '0'};
    response(-1, 0, shortr, sizeof shortr);
    assert_null(dtest_attr(&T, F_MODEL));
    assert_false(dtest_has_role(&T, "plc"));
}

static void operations_and_targets(void **st)
{
    (void)st;
    static const uint8_t d100[] = {0x64, 0x00, 0x00, 0xa8, 0x0a, 0x00};
    static const uint8_t m0[] = {0x00, 0x00, 0x00, 0x90, 0x10, 0x00};
    static const uint8_t x1f[] = {0x1f, 0x00, 0x00, 0x9c, 0x02, 0x00};
    static const uint8_t wr[] = {0xc8, 0x00, 0x00, 0xa8, 0x01, 0x00, 0x2a, 0x00};
    static const uint8_t wide[] = {0x40, 0x42, 0x0f, 0x00, 0xb0, 0x00, 0x04, 0x00};
    static const uint8_t rnd[] = {0x01, 0x01, 0x0a, 0x00, 0x00, 0xa8, 0x14, 0x00, 0x00, 0xa8};
    static const uint8_t rwbit[] = {0x01, 0x05, 0x00, 0x00, 0x9d, 0x01};
    static const uint8_t blk[] = {0x01, 0x01, 0x00, 0x00, 0x00, 0xa8, 0x0a,
                                  0x00, 0x00, 0x00, 0x00, 0x90, 0x01, 0x00};
    static const uint8_t run[] = {0x03, 0x00, 0x02, 0x00};
    static const uint8_t one[] = {0x01, 0x00};
    static const uint8_t pause[] = {0x03, 0x00};
    static const uint8_t buf[] = {0x00, 0x01, 0x00, 0x00, 0x08, 0x00};
    static const uint8_t del[] = {' ',  ' ', ' ', ' ', 0x00, 0x00, 0x05,
                                  0x00, 'A', '.', 'Q', 'P',  'A'};
    struct {
        uint16_t cmd, sub;
        const uint8_t *p;
        size_t n;
        enum op_kind kind;
        const char *function, *target;
    } cases[] = {
        {0x0401, 0, d100, sizeof d100, OP_READ, "device read (0401/0000)", "D100 x10"},
        {0x0401, 1, m0, sizeof m0, OP_READ, "device read (0401/0001)", "M0 x16 bits"},
        {0x0401, 0, x1f, sizeof x1f, OP_READ, "device read (0401/0000)", "X1F x2 words"},
        {0x1401, 0, wr, sizeof wr, OP_PROCESS_WRITE, "device write (1401/0000)", "D200 x1"},
        {0x0401, 2, wide, sizeof wide, OP_READ, "device read (0401/0002)", "ZRF4240 x4"},
        {0x0403, 0, rnd, sizeof rnd, OP_READ, "device read random (0403/0000)", "D10 (+1 more)"},
        {0x1402, 1, rwbit, sizeof rwbit, OP_PROCESS_WRITE, "device write random (1402/0001)", "Y5"},
        {0x0406, 0, blk, sizeof blk, OP_READ, "device read block (0406/0000)",
         "D0 x10 (+1 more blocks)"},
        {0x0801, 0, rnd, sizeof rnd, OP_READ, "monitor device registration (0801/0000)",
         "D10 (+1 more)"},
        {0x1001, 0, run, sizeof run, OP_PLC_START, "remote run (1001/0000)", "forced, clear all"},
        {0x1002, 0, one, sizeof one, OP_PLC_STOP, "remote stop (1002/0000)", ""},
        {0x1003, 0, pause, sizeof pause, OP_PLC_STOP, "remote pause (1003/0000)", "forced"},
        {0x1005, 0, one, sizeof one, OP_PROCESS_WRITE, "remote latch clear (1005/0000)", ""},
        {0x1006, 0, one, sizeof one, OP_RESTART, "remote reset (1006/0000)", ""},
        {0x1617, 0, NULL, 0, OP_DIAGNOSTIC, "clear error (1617/0000)", ""},
        {0x0613, 0, buf, sizeof buf, OP_READ, "buffer memory read (0613/0000)", "address 0x100 x8"},
        {0x1822, 0, del, sizeof del, OP_FILE_TRANSFER, "delete file (1822/0000)", "drive 0 A.QPA"},
    };
    int n = (int)(sizeof cases / sizeof *cases);
    for (int i = 0; i < n; i++)
        request(-1, cases[i].cmd, cases[i].sub, cases[i].p, cases[i].n);
    assert_int_equal(T.nmalformed, 0);
    assert_int_equal(T.nop, n);
    for (int i = 0; i < n; i++) {
        assert_int_equal(T.ops[i].kind, cases[i].kind);
        assert_string_equal(T.ops[i].function, cases[i].function);
        assert_string_equal(T.ops[i].target, cases[i].target);
        assert_string_equal(T.ops[i].result, "");
    }
}

static void remote_state_and_password(void **st)
{
    (void)st;
    static const uint8_t one[] = {0x01, 0x00};
    request(1, 0x1002, 0, one, sizeof one);
    response(1, 0, NULL, 0);
    assert_string_equal(dtest_attr(&T, F_STATE), "STOP (remote STOP)");
    static const uint8_t pw[] = {0x06, 0x00, 's', 'e', 'c', 'r', 'e', 't'};
    request(2, 0x1630, 0, pw, sizeof pw);
    assert_true(dtest_has_finding(&T, "cleartext-credentials"));
    const struct dtest_op *o = dtest_op_find(&T, OP_AUTH);
    assert_non_null(o);
    assert_string_equal(o->target, "password (6 characters)");
    /* the password itself appears nowhere */
    for (int i = 0; i < T.nop; i++)
        assert_null(strstr(T.ops[i].target, "secret"));
    for (int i = 0; i < T.nfinding; i++)
        assert_null(strstr(T.findings[i].b, "secret"));
    for (int i = 0; i < T.nattr; i++)
        assert_null(strstr(T.attrs[i].value, "secret"));
    /* a failed RUN leaves the state alone */
    static const uint8_t run[] = {0x01, 0x00, 0x00, 0x00};
    request(3, 0x1001, 0, run, sizeof run);
    response(3, 0x4013, NULL, 0);
    assert_int_equal(dtest_attr_count(&T, F_STATE), 1);
    assert_string_equal(T.ops[T.nop - 1].result,
                        "end code 0x4013 (not possible unless the CPU is stopped)");
    assert_int_equal(T.ops[T.nop - 1].kind, OP_PLC_START);
}

static void program_file_write(void **st)
{
    (void)st;
    static const uint8_t open[] = {' ',  ' ', ' ', ' ', 0x00, 0x01, 0x00, 0x00, 0x08,
                                   0x00, 'M', 'A', 'I', 'N',  '.',  'Q',  'P',  'G'};
    static const uint8_t fp[] = {0x02, 0x00};
    request(7, 0x1827, 0, open, sizeof open);
    response(7, 0, fp, sizeof fp);
    static const uint8_t w[] = {0x02, 0x00, 0x00, 0x01, 0x00, 0x00, 0x02, 0x00, 0xaa, 0xbb};
    request(8, 0x1829, 0, w, sizeof w);
    assert_int_equal(T.nop, 2);
    assert_int_equal(T.ops[0].kind, OP_FILE_TRANSFER);
    assert_string_equal(T.ops[0].target, "drive 0 MAIN.QPG (write)");
    assert_int_equal(T.ops[1].kind, OP_PROGRAM_DOWNLOAD);
    assert_string_equal(T.ops[1].target, "MAIN.QPG offset 256 x2 bytes");
    /* another file pointer is a plain file transfer */
    static const uint8_t w2[] = {0x05, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0xaa};
    request(9, 0x1829, 0, w2, sizeof w2);
    assert_int_equal(T.ops[2].kind, OP_FILE_TRANSFER);
    assert_string_equal(T.ops[2].target, "file pointer 5 offset 0 x1 bytes");
    assert_int_equal(T.nmalformed, 0);
}

static void end_codes_matched(void **st)
{
    (void)st;
    /* 4E: answered out of order, matched by serial */
    static const uint8_t a[] = {0x9f, 0x86, 0x01, 0xa8, 0x01, 0x00};
    static const uint8_t b[] = {0x00, 0x00, 0x00, 0x90, 0x10, 0x00};
    request(0x21, 0x0401, 0, a, sizeof a);
    request(0x22, 0x0401, 1, b, sizeof b);
    static const uint8_t ok[] = {0x00, 0x00};
    response(0x22, 0, ok, sizeof ok);
    response(0x21, 0xc056, NULL, 0);
    assert_int_equal(T.nop, 3);
    assert_string_equal(T.ops[2].target, "D99999 x1");
    assert_string_equal(T.ops[2].result, "end code 0xc056 (device address out of range)");
    assert_false(T.ops[2].src_is_client); /* emitted on the response; the sink turns it round */
    /* 3E: no serial, the oldest request is answered */
    dtest_done(&T);
    dtest_init(&T, &dissector_slmp, 5007);
    request(-1, 0x0401, 0, a, sizeof a);
    request(-1, 0x0401, 1, b, sizeof b);
    response(-1, 0x4031, NULL, 0);
    assert_string_equal(T.ops[2].target, "D99999 x1");
    assert_string_equal(T.ops[2].result, "end code 0x4031 (device number out of range)");
    response(-1, 0xc051, NULL, 0);
    assert_string_equal(T.ops[3].target, "M0 x16 bits");
    /* an end code for a request not seen: the error information names the command */
    static const uint8_t info[] = {0x00, 0xff, 0xff, 0x03, 0x00, 0x02, 0x10, 0x00, 0x00};
    response(-1, 0xc059, info, sizeof info);
    assert_int_equal(T.nop, 5);
    assert_int_equal(T.ops[4].kind, OP_PLC_STOP);
    assert_string_equal(T.ops[4].function, "remote stop (1002/0000)");
    assert_string_equal(T.ops[4].result, "end code 0xc059 (command or subcommand not supported)");
    assert_int_equal(T.nmalformed, 0);
}

static void routed_request(void **st)
{
    (void)st;
    uint8_t f[64];
    size_t n = req(f, -1, 0x0101, 0, NULL, 0);
    f[2] = 0x01; /* network 1 */
    f[3] = 0x03; /* PC 3 */
    dtest_pdu(&T, 0, f, n);
    assert_string_equal(T.ops[0].target, "@ network 1 pc 3 i/o 0x03ff station 0");
    static const uint8_t name[] = {'R', '0', '4', 'C', 'P', 'U', ' ', ' ',  ' ',
                                   ' ', ' ', ' ', ' ', ' ', ' ', ' ', 0x00, 0x48};
    n = rsp(f, -1, 0, name, sizeof name);
    f[2] = 0x01;
    f[3] = 0x03;
    dtest_pdu(&T, 1, f, n);
    /* the answer describes another station's CPU, not the connected one */
    assert_null(dtest_attr(&T, F_MODEL));
    assert_int_equal(T.nmalformed, 0);
}

static void split_over_segments(void **st)
{
    (void)st;
    uint8_t b[128];
    static const uint8_t one[] = {0x01, 0x00};
    size_t n = req(b, 5, 0x1002, 0, one, sizeof one);
    dtest_tcp(&T, 0, b, 3);
    dtest_tcp(&T, 0, b + 3, 10);
    assert_int_equal(dtest_op_count(&T, OP_PLC_STOP), 0);
    dtest_tcp(&T, 0, b + 13, n - 13);
    assert_int_equal(dtest_op_count(&T, OP_PLC_STOP), 1);
    /* two requests in one segment */
    static const uint8_t run[] = {0x01, 0x00, 0x00, 0x00};
    size_t m = req(b, 6, 0x1001, 0, run, sizeof run);
    m += req(b + m, 7, 0x0101, 0, NULL, 0);
    dtest_tcp(&T, 0, b, m);
    assert_int_equal(dtest_op_count(&T, OP_PLC_START), 1);
    assert_int_equal(dtest_op_count(&T, OP_READ), 1);
    assert_int_equal(T.nmalformed, 0);
}

static void framing(void **st)
{
    (void)st;
    uint8_t b[64];
    size_t n = req(b, -1, 0x0101, 0, NULL, 0);
    struct rd r = rd_init(b, 8);
    assert_int_equal(dissector_slmp.frame(&r), FRAME_NEED_MORE);
    r = rd_init(b, n);
    assert_int_equal(dissector_slmp.frame(&r), (long)n);
    n = req(b, 9, 0x0101, 0, NULL, 0);
    r = rd_init(b, 12);
    assert_int_equal(dissector_slmp.frame(&r), FRAME_NEED_MORE);
    r = rd_init(b, n);
    assert_int_equal(dissector_slmp.frame(&r), (long)n);
    static const uint8_t bad[] = {0x51, 0x00, 0, 0xff, 0xff, 0x03, 0, 6, 0};
    r = rd_init(bad, sizeof bad);
    assert_int_equal(dissector_slmp.frame(&r), FRAME_NOT_OURS);
    static const uint8_t huge[] = {0x50, 0x00, 0, 0xff, 0xff, 0x03, 0, 0xff, 0xff};
    r = rd_init(huge, sizeof huge);
    assert_int_equal(dissector_slmp.frame(&r), FRAME_NOT_OURS);
}

static void truncated_and_length_lies(void **st)
{
    (void)st;
    uint8_t b[64];
    /* data length says 40 bytes, 6 follow */
    size_t n = req(b, -1, 0x0101, 0, NULL, 0);
    b[7] = 40;
    dtest_pdu(&T, 0, b, n);
    assert_int_equal(T.nmalformed, 1);
    assert_int_equal(T.nop, 0);
    /* a header cut short */
    dtest_pdu(&T, 0, b, 6);
    assert_int_equal(T.nmalformed, 2);
    /* a request too short to hold the command */
    n = req(b, -1, 0x0101, 0, NULL, 0);
    b[7] = 4;
    dtest_pdu(&T, 0, b, n - 2);
    assert_int_equal(T.nmalformed, 3);
    /* a device read with three data bytes */
    static const uint8_t cut[] = {0x64, 0x00, 0x00};
    request(-1, 0x0401, 0, cut, sizeof cut);
    assert_int_equal(T.nmalformed, 4);
    /* a response without end code */
    n = rsp(b, -1, 0, NULL, 0);
    b[7] = 0;
    dtest_pdu(&T, 1, b, n - 2);
    assert_int_equal(T.nmalformed, 5);
    /* an unknown subheader; a password request without its length */
    static const uint8_t junk[] = {0x12, 0x34, 0, 0, 0, 0, 0, 0, 0};
    dtest_pdu(&T, 0, junk, sizeof junk);
    assert_int_equal(T.nmalformed, 6);
    request(-1, 0x1630, 0, NULL, 0);
    assert_int_equal(T.nmalformed, 7);
    assert_int_equal(T.nop, 0);
    assert_false(dtest_has_finding(&T, "cleartext-credentials"));
}

static void unknown_command(void **st)
{
    (void)st;
    static const uint8_t body[] = {1, 2, 3};
    request(3, 0x7777, 0x0000, body, sizeof body);
    assert_int_equal(T.nop, 1);
    assert_int_equal(T.ops[0].kind, OP_OTHER);
    assert_string_equal(T.ops[0].function, "command (7777/0000)");
    assert_string_equal(T.ops[0].target, "unknown command 0x7777");
    response(3, 0xc059, NULL, 0);
    assert_int_equal(T.nop, 2);
    assert_string_equal(T.ops[1].result, "end code 0xc059 (command or subcommand not supported)");
    assert_int_equal(T.nmalformed, 0);
}

static void probe_is_strict(void **st)
{
    (void)st;
    uint8_t b[64];
    size_t n = req(b, -1, 0x0401, 0, (const uint8_t[]){0x64, 0, 0, 0xa8, 1, 0}, 6);
    struct rd r = rd_init(b, n);
    assert_true(dissector_slmp.probe(&r, L4_TCP));
    assert_true(dissector_slmp.probe(&r, L4_UDP));
    r = rd_init(b, n - 1); /* length does not match the segment */
    assert_false(dissector_slmp.probe(&r, L4_TCP));
    n = req(b, 4, 0x0101, 0, NULL, 0);
    r = rd_init(b, n);
    assert_true(dissector_slmp.probe(&r, L4_TCP));
    b[4] = 1; /* 4E fixed bytes not zero */
    assert_false(dissector_slmp.probe(&r, L4_TCP));
    n = req(b, -1, 0x7777, 0, NULL, 0); /* unknown command */
    r = rd_init(b, n);
    assert_false(dissector_slmp.probe(&r, L4_TCP));
    n = rsp(b, -1, 0, NULL, 0);
    r = rd_init(b, n);
    assert_true(dissector_slmp.probe(&r, L4_TCP));
    static const uint8_t http[] = "GET / HTTP/1.1\r\n\r\n";
    r = rd_init(http, sizeof http - 1);
    assert_false(dissector_slmp.probe(&r, L4_TCP));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(type_name_identity, setup, teardown),
        cmocka_unit_test_setup_teardown(operations_and_targets, setup, teardown),
        cmocka_unit_test_setup_teardown(remote_state_and_password, setup, teardown),
        cmocka_unit_test_setup_teardown(program_file_write, setup, teardown),
        cmocka_unit_test_setup_teardown(end_codes_matched, setup, teardown),
        cmocka_unit_test_setup_teardown(routed_request, setup, teardown),
        cmocka_unit_test_setup_teardown(split_over_segments, setup, teardown),
        cmocka_unit_test_setup_teardown(framing, setup, teardown),
        cmocka_unit_test_setup_teardown(truncated_and_length_lies, setup, teardown),
        cmocka_unit_test_setup_teardown(unknown_command, setup, teardown),
        cmocka_unit_test_setup_teardown(probe_is_strict, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
