/* test_fins.c - the Omron FINS dissector with hand-made frames: controller data and status
 * (identity, state, plc role), memory/parameter/program operations and their targets, end codes
 * matched to commands by SID, the UDP server side taken from the ICF bit, FINS/TCP node address
 * exchange, framing, frames split over segments, truncated frames, length lies, unknown commands
 * and the probe. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "dtest.h"

extern const struct dissector dissector_fins;

static struct dtest T;

static int setup(void **st)
{
    (void)st;
    dtest_init(&T, &dissector_fins, 9600);
    return 0;
}

static int teardown(void **st)
{
    (void)st;
    dtest_done(&T);
    return 0;
}

/* a FINS frame: header (ICF, RSV, GCT, DNA, DA1, DA2, SNA, SA1, SA2, SID), MRC, SRC, body */
static size_t fins(uint8_t *out, bool response, uint8_t sid, uint8_t mrc, uint8_t src,
                   const uint8_t *body, size_t n)
{
    uint8_t icf = response ? 0xc0 : 0x80, da1 = response ? 100 : 10, sa1 = response ? 10 : 100;
    const uint8_t h[12] = {icf, 0, 2, 0, da1, 0, 0, sa1, 0, sid, mrc, src};
    memcpy(out, h, sizeof h);
    if (n)
        memcpy(out + sizeof h, body, n);
    return sizeof h + n;
}

/* the same inside a FINS/TCP "frame send" (command 2) */
static size_t fins_tcp(uint8_t *out, bool response, uint8_t sid, uint8_t mrc, uint8_t src,
                       const uint8_t *body, size_t n)
{
    size_t f = fins(out + 16, response, sid, mrc, src, body, n);
    const uint8_t h[16] = {'F', 'I', 'N', 'S', 0, 0, 0, (uint8_t)(8 + f), 0, 0, 0, 2, 0, 0, 0, 0};
    memcpy(out, h, sizeof h);
    return 16 + f;
}

static void udp(int dir, bool response, uint8_t sid, uint8_t mrc, uint8_t src, const uint8_t *body,
                size_t n)
{
    uint8_t b[512];
    dtest_udp(&T, dir, b, fins(b, response, sid, mrc, src, body, n));
}

static void controller_data_identity(void **st)
{
    (void)st;
    static const uint8_t par[] = {0x00};
    udp(0, false, 1, 0x05, 0x01, par, sizeof par);
    uint8_t rsp[2 + 20 + 20 + 40 + 12] = {0};
    memcpy(rsp + 2, "CJ2M-CPU31          ", 20);
    memcpy(rsp + 22, "02.01", 5); /* NUL padded, as the CP1L in the corpus does */
    static const uint8_t area[12] = {0, 10, 23, 0x80, 0x00, 8, 4, 0, 0, 0, 0, 0};
    memcpy(rsp + 82, area, sizeof area);
    udp(1, true, 1, 0x05, 0x01, rsp, sizeof rsp);
    assert_int_equal(T.nmalformed, 0);
    assert_string_equal(dtest_attr(&T, F_VENDOR), "OMRON");
    assert_string_equal(dtest_attr(&T, F_PRODUCT), "CJ2M-CPU31");
    assert_string_equal(dtest_attr(&T, F_MODEL), "CJ2M-CPU31");
    assert_string_equal(dtest_attr(&T, F_FIRMWARE), "02.01");
    assert_non_null(strstr(dtest_attr(&T, F_DESCRIPTION), "DM 32768 words"));
    assert_non_null(strstr(dtest_attr(&T, F_DESCRIPTION), "EM 4 banks"));
    assert_true(dtest_has_role(&T, "plc"));
    for (int i = 0; i < T.nattr; i++)
        if (T.attrs[i].field == F_MODEL)
            assert_true(T.attrs[i].is_server);
    const struct dtest_op *o = dtest_op_find(&T, OP_READ);
    assert_non_null(o);
    assert_string_equal(o->function, "controller data read (05 01)");
    assert_true(o->src_is_client);
    /* a short answer names no model and proves nothing */
    dtest_done(&T);
    dtest_init(&T, &dissector_fins, 9600);
    static const uint8_t shortr[] = {0, 0, 'C', 'J'};
    udp(1, true, 1, 0x05, 0x01, shortr, sizeof shortr);
    assert_null(dtest_attr(&T, F_MODEL));
    assert_false(dtest_has_role(&T, "plc"));
}

static void controller_status_state(void **st)
{
    (void)st;
    uint8_t rsp[2 + 26] = {0, 0, 0x01, 0x04};
    udp(0, false, 7, 0x06, 0x01, NULL, 0);
    udp(1, true, 7, 0x06, 0x01, rsp, sizeof rsp);
    assert_string_equal(dtest_attr(&T, F_STATE), "run (RUN mode)");
    rsp[2] = 0x00;
    rsp[3] = 0x00;
    udp(1, true, 8, 0x06, 0x01, rsp, sizeof rsp);
    assert_int_equal(dtest_attr_count(&T, F_STATE), 2);
    assert_string_equal(T.attrs[T.nattr - 1].value, "stop (PROGRAM mode)");
}

static void operations_and_targets(void **st)
{
    (void)st;
    static const uint8_t rd_dm[] = {0x82, 0x00, 0x64, 0x00, 0x00, 0x0a};
    static const uint8_t wr_bit[] = {0x30, 0x00, 0x0a, 0x05, 0x00, 0x01, 0x01};
    static const uint8_t fill_em[] = {0xa3, 0x01, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00};
    static const uint8_t multi[] = {0x82, 0x00, 0x64, 0x00, 0xb1, 0x00,
                                    0x03, 0x00, 0xb2, 0x00, 0x05, 0x00};
    static const uint8_t xfer[] = {0x82, 0x00, 0x0a, 0x00, 0x82, 0x00, 0x14, 0x00, 0x00, 0x05};
    static const uint8_t param[] = {0x80, 0x10, 0x00, 0x00, 0x00, 0x10};
    static const uint8_t prog_rd[] = {0xff, 0xff, 0, 0, 0, 0, 0x00, 0x80};
    static const uint8_t prog_wr[] = {0xff, 0xff, 0, 0, 0, 0x40, 0x80, 0x04, 1, 2, 3, 4};
    static const uint8_t prog_clr[] = {0xff, 0xff, 0x00};
    static const uint8_t run[] = {0xff, 0xff, 0x04};
    static const uint8_t clock[] = {0x26, 0x11, 0x23, 0x12, 0x30, 0x15, 0x01};
    static const uint8_t err[] = {0xff, 0xff};
    static const uint8_t forced[] = {0x00, 0x02, 0x00, 0x01, 0x30, 0x00, 0x0a,
                                     0x03, 0x00, 0x00, 0x31, 0x00, 0x01, 0x00};
    static const uint8_t access[] = {0xff, 0xff};
    struct {
        uint8_t mrc, src;
        const uint8_t *p;
        size_t n;
        enum op_kind kind;
        const char *function, *target;
    } cases[] = {
        {1, 1, rd_dm, sizeof rd_dm, OP_READ, "memory area read (01 01)", "DM 100 x10"},
        {1, 2, wr_bit, sizeof wr_bit, OP_PROCESS_WRITE, "memory area write (01 02)",
         "CIO 10.05 x1"},
        {1, 3, fill_em, sizeof fill_em, OP_PROCESS_WRITE, "memory area fill (01 03)",
         "EM3 256 x16"},
        {1, 4, multi, sizeof multi, OP_READ, "multiple memory area read (01 04)",
         "DM 100 (+2 more)"},
        {1, 5, xfer, sizeof xfer, OP_PROCESS_WRITE, "memory area transfer (01 05)",
         "DM 10 -> DM 20 x5"},
        {2, 1, param, sizeof param, OP_READ, "parameter area read (02 01)", "PLC setup word 0 x16"},
        {2, 3, param, sizeof param, OP_CONFIG_WRITE, "parameter area clear (02 03)",
         "PLC setup word 0 x16"},
        {3, 6, prog_rd, sizeof prog_rd, OP_PROGRAM_UPLOAD, "program area read (03 06)",
         "program 0xffff word 0 x128"},
        {3, 7, prog_wr, sizeof prog_wr, OP_PROGRAM_DOWNLOAD, "program area write (03 07)",
         "program 0xffff word 64 x4 (last)"},
        {3, 8, prog_clr, sizeof prog_clr, OP_PROGRAM_DELETE, "program area clear (03 08)",
         "program 0xffff"},
        {4, 2, NULL, 0, OP_PLC_STOP, "stop (04 02)", ""},
        {4, 1, run, sizeof run, OP_PLC_START, "run (04 01)", "program 0xffff RUN mode"},
        {7, 2, clock, sizeof clock, OP_TIME_SYNC, "clock write (07 02)", "2026-11-23 12:30:15"},
        {0x21, 1, err, sizeof err, OP_DIAGNOSTIC, "error clear (21 01)", "current error"},
        {0x22, 0x0c, NULL, 0, OP_FILE_TRANSFER, "program area file transfer (22 0c)", ""},
        {0x23, 1, forced, sizeof forced, OP_PROCESS_WRITE, "forced set/reset (23 01)",
         "set CIO 10.03 (+1 more)"},
        {0x0c, 1, access, sizeof access, OP_AUTH, "access right acquire (0c 01)", "program 0xffff"},
    };
    int n = (int)(sizeof cases / sizeof *cases);
    for (int i = 0; i < n; i++)
        udp(0, false, (uint8_t)i, cases[i].mrc, cases[i].src, cases[i].p, cases[i].n);
    assert_int_equal(T.nmalformed, 0);
    assert_int_equal(T.nop, n);
    for (int i = 0; i < n; i++) {
        assert_int_equal(T.ops[i].kind, cases[i].kind);
        assert_string_equal(T.ops[i].function, cases[i].function);
        assert_string_equal(T.ops[i].target, cases[i].target);
        assert_string_equal(T.ops[i].result, "");
    }
}

static void end_code_matched_by_sid(void **st)
{
    (void)st;
    static const uint8_t a[] = {0x82, 0xea, 0x60, 0x00, 0x00, 0x01};
    static const uint8_t b[] = {0xb0, 0x00, 0x01, 0x00, 0x00, 0x01};
    udp(0, false, 0x21, 0x01, 0x01, a, sizeof a);
    udp(0, false, 0x22, 0x01, 0x01, b, sizeof b);
    static const uint8_t ok[] = {0x00, 0x00, 0x12, 0x34};
    static const uint8_t bad[] = {0x11, 0x03};
    udp(1, true, 0x22, 0x01, 0x01, ok, sizeof ok);
    udp(1, true, 0x21, 0x01, 0x01, bad, sizeof bad);
    assert_int_equal(T.nop, 3);
    assert_string_equal(T.ops[2].target, "DM 60000 x1");
    assert_string_equal(T.ops[2].result, "end code 0x1103 (address range error)");
    assert_false(T.ops[2].src_is_client); /* emitted on the response; the sink turns it round */
    /* the relay-error and CPU-error flag bits do not make a completion an error */
    udp(0, false, 0x23, 0x01, 0x01, b, sizeof b);
    static const uint8_t flagged[] = {0x80, 0xc0, 0x00, 0x00};
    udp(1, true, 0x23, 0x01, 0x01, flagged, sizeof flagged);
    assert_int_equal(T.nop, 4);
    /* an end code for a command not seen: the command code still names it */
    static const uint8_t busy[] = {0x22, 0x02};
    udp(1, true, 0x55, 0x04, 0x02, busy, sizeof busy);
    assert_int_equal(T.nop, 5);
    assert_int_equal(T.ops[4].kind, OP_PLC_STOP);
    assert_string_equal(T.ops[4].target, "");
    assert_string_equal(T.ops[4].result, "end code 0x2202 (not possible while running)");
}

/* FINS/UDP devices often talk 9600 <-> 9600: the first command's destination is the server */
static void udp_server_from_icf(void **st)
{
    (void)st;
    static const uint8_t rd_dm[] = {0x82, 0x00, 0x64, 0x00, 0x00, 0x01};
    udp(1, false, 1, 0x01, 0x01, rd_dm, sizeof rd_dm); /* the port side sends a command */
    assert_int_equal(T.nop, 1);
    assert_true(T.ops[0].src_is_client);
}

static void tcp_node_exchange_and_split(void **st)
{
    (void)st;
    static const uint8_t node_req[] = {'F', 'I', 'N', 'S', 0, 0, 0, 12, 0, 0,
                                       0,   0,   0,   0,   0, 0, 0, 0,  0, 0};
    static const uint8_t node_rsp[] = {'F', 'I', 'N', 'S', 0, 0, 0, 16, 0, 0, 0, 1,
                                       0,   0,   0,   0,   0, 0, 0, 33, 0, 0, 0, 10};
    dtest_tcp(&T, 0, node_req, sizeof node_req);
    dtest_tcp(&T, 1, node_rsp, sizeof node_rsp);
    assert_int_equal(dtest_flow_proto(&T), PROTO_FINS);
    assert_int_equal(dtest_attr_count(&T, F_UNIT_ID), 2);
    for (int i = 0; i < T.nattr; i++)
        if (T.attrs[i].field == F_UNIT_ID)
            assert_string_equal(T.attrs[i].value, T.attrs[i].is_server ? "10" : "33");
    const struct dtest_op *o = dtest_op_find(&T, OP_SESSION);
    assert_non_null(o);
    assert_string_equal(o->target, "client node automatic");
    /* a STOP split over three segments, and two frames in one segment */
    uint8_t b[128];
    size_t n = fins_tcp(b, false, 1, 0x04, 0x02, NULL, 0);
    dtest_tcp(&T, 0, b, 5);
    dtest_tcp(&T, 0, b + 5, 10);
    assert_int_equal(dtest_op_count(&T, OP_PLC_STOP), 0);
    dtest_tcp(&T, 0, b + 15, n - 15);
    assert_int_equal(dtest_op_count(&T, OP_PLC_STOP), 1);
    static const uint8_t run[] = {0xff, 0xff, 0x02};
    size_t m = fins_tcp(b, false, 2, 0x04, 0x01, run, sizeof run);
    m += fins_tcp(b + m, false, 3, 0x06, 0x01, NULL, 0);
    dtest_tcp(&T, 0, b, m);
    assert_int_equal(dtest_op_count(&T, OP_PLC_START), 1);
    assert_string_equal(dtest_op_find(&T, OP_PLC_START)->target, "program 0xffff MONITOR mode");
    assert_int_equal(T.nmalformed, 0);
    /* a FINS/TCP error on the node address answer is the result of the session */
    static const uint8_t refused[] = {'F', 'I', 'N', 'S',  0, 0, 0, 16, 0, 0, 0, 1,
                                      0,   0,   0,   0x21, 0, 0, 0, 0,  0, 0, 0, 0};
    dtest_pdu(&T, 1, refused, sizeof refused);
    assert_string_equal(T.ops[T.nop - 1].result, "fins/tcp error 0x21 (node already connected)");
}

static void framing(void **st)
{
    (void)st;
    static const uint8_t hdr[] = {'F', 'I', 'N', 'S', 0, 0, 0, 20, 0, 0, 0, 2};
    struct rd r = rd_init(hdr, 7);
    assert_int_equal(dissector_fins.frame(&r), FRAME_NEED_MORE);
    r = rd_init(hdr, sizeof hdr);
    assert_int_equal(dissector_fins.frame(&r), 28);
    static const uint8_t bad_magic[] = {'F', 'I', 'N', 'X', 0, 0, 0, 20};
    r = rd_init(bad_magic, sizeof bad_magic);
    assert_int_equal(dissector_fins.frame(&r), FRAME_NOT_OURS);
    static const uint8_t too_short[] = {'F', 'I', 'N', 'S', 0, 0, 0, 4};
    r = rd_init(too_short, sizeof too_short);
    assert_int_equal(dissector_fins.frame(&r), FRAME_NOT_OURS);
    static const uint8_t huge[] = {'F', 'I', 'N', 'S', 0x7f, 0xff, 0xff, 0xff};
    r = rd_init(huge, sizeof huge);
    assert_int_equal(dissector_fins.frame(&r), FRAME_NOT_OURS);
}

static void truncated_and_length_lies(void **st)
{
    (void)st;
    /* FINS/TCP length says 100 bytes follow, 16 do */
    uint8_t b[128];
    size_t n = fins_tcp(b, false, 1, 0x05, 0x01, NULL, 0);
    b[7] = 100;
    dtest_pdu(&T, 0, b, n);
    assert_int_equal(T.nmalformed, 1);
    assert_int_equal(T.nop, 0);
    /* and one that claims fewer bytes than the command and error code need */
    b[7] = 4;
    dtest_pdu(&T, 0, b, n);
    assert_int_equal(T.nmalformed, 2);
    /* a FINS frame cut inside its header */
    n = fins_tcp(b, false, 1, 0x05, 0x01, NULL, 0);
    b[7] = 8 + 7;
    dtest_pdu(&T, 0, b, 16 + 7);
    assert_int_equal(T.nmalformed, 3);
    /* a memory area read with three parameter bytes */
    static const uint8_t cut[] = {0x82, 0x00, 0x64};
    udp(0, false, 1, 0x01, 0x01, cut, sizeof cut);
    assert_int_equal(T.nmalformed, 4);
    /* a response without an end code, a header with reserved ICF bits set */
    udp(1, true, 1, 0x01, 0x01, NULL, 0);
    assert_int_equal(T.nmalformed, 5);
    uint8_t f[32];
    size_t k = fins(f, false, 1, 0x01, 0x01, NULL, 0);
    f[0] = 0x86;
    dtest_udp(&T, 0, f, k);
    assert_int_equal(T.nmalformed, 6);
    /* node address request cut short; FINS/TCP without the magic */
    static const uint8_t node_cut[] = {'F', 'I', 'N', 'S', 0, 0, 0, 10, 0,
                                       0,   0,   0,   0,   0, 0, 0, 0,  0};
    dtest_pdu(&T, 0, node_cut, sizeof node_cut);
    assert_int_equal(T.nmalformed, 7);
    static const uint8_t nomagic[] = {0x80, 0, 2, 0, 0, 0, 0, 0, 0, 1, 5, 1};
    dtest_pdu(&T, 0, nomagic, sizeof nomagic);
    assert_int_equal(T.nmalformed, 8);
    assert_int_equal(T.nop, 0);
}

static void unknown_command(void **st)
{
    (void)st;
    static const uint8_t body[] = {1, 2, 3};
    udp(0, false, 9, 0x7f, 0x01, body, sizeof body);
    assert_int_equal(T.nop, 1);
    assert_int_equal(T.ops[0].kind, OP_OTHER);
    assert_string_equal(T.ops[0].function, "command (7f 01)");
    assert_string_equal(T.ops[0].target, "unknown command code 7f 01");
    static const uint8_t end[] = {0x04, 0x01};
    udp(1, true, 9, 0x7f, 0x01, end, sizeof end);
    assert_int_equal(T.nop, 2);
    assert_string_equal(T.ops[1].result, "end code 0x0401 (undefined command)");
    assert_int_equal(T.nmalformed, 0);
}

static void probe_is_strict(void **st)
{
    (void)st;
    static const uint8_t node_req[] = {'F', 'I', 'N', 'S', 0, 0, 0, 12, 0, 0,
                                       0,   0,   0,   0,   0, 0, 0, 0,  0, 0};
    struct rd r = rd_init(node_req, sizeof node_req);
    assert_true(dissector_fins.probe(&r, L4_TCP));
    r = rd_init(node_req, sizeof node_req - 1); /* length does not match the segment */
    assert_false(dissector_fins.probe(&r, L4_TCP));
    static const uint8_t udp_frame[] = {0x80, 0, 2, 0, 0, 0, 0, 0, 0, 1, 5, 1};
    r = rd_init(udp_frame, sizeof udp_frame);
    assert_false(dissector_fins.probe(&r, L4_UDP)); /* no magic: looks like RTP */
    static const uint8_t http[] = "GET / HTTP/1.1\r\n\r\n";
    r = rd_init(http, sizeof http - 1);
    assert_false(dissector_fins.probe(&r, L4_TCP));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(controller_data_identity, setup, teardown),
        cmocka_unit_test_setup_teardown(controller_status_state, setup, teardown),
        cmocka_unit_test_setup_teardown(operations_and_targets, setup, teardown),
        cmocka_unit_test_setup_teardown(end_code_matched_by_sid, setup, teardown),
        cmocka_unit_test_setup_teardown(udp_server_from_icf, setup, teardown),
        cmocka_unit_test_setup_teardown(tcp_node_exchange_and_split, setup, teardown),
        cmocka_unit_test_setup_teardown(framing, setup, teardown),
        cmocka_unit_test_setup_teardown(truncated_and_length_lies, setup, teardown),
        cmocka_unit_test_setup_teardown(unknown_command, setup, teardown),
        cmocka_unit_test_setup_teardown(probe_is_strict, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
