/* test_s7comm.c - the ISO-on-TCP dissector with hand-made PDUs: SZL 0x0011, 0x001C and 0x0424
 * identity (also segmented over two responses), jobs (write var, download, PLC stop, cold start,
 * delete) and their errors, the S7 password, TSAP names, S7comm-plus sessions (client and CPU
 * identity, stop/run, block create/delete, V3 integrity part), MMS recognition, malformed and
 * truncated PDUs, and a PDU split over segments out of order. */
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

static const struct dtest_attr *attr_from(enum attr_field f, const char *source_prefix)
{
    for (int i = 0; i < T.nattr; i++)
        if (T.attrs[i].field == f &&
            !strncmp(T.attrs[i].source, source_prefix, strlen(source_prefix)))
            return &T.attrs[i];
    return NULL;
}

static size_t szl_0011_answer(uint8_t *p)
{
    size_t o = 0;
    static const uint8_t hdr[] = {0x32, 7,  0,    0,    0, 2, 0, 12, 0, 96, 0,    1,
                                  0x12, 8,  0x12, 0x84, 1, 1, 0, 0,  0, 0,  0xff, 9,
                                  0,    92, 0,    0x11, 0, 0, 0, 28, 0, 3};
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
    assert_string_equal(dtest_attr(&T, F_VENDOR), "Siemens");
    assert_true(dtest_has_role(&T, "plc"));
    assert_int_equal(T.nmalformed, 0);
}

/* a 0x001C answer: records {index, 32-byte text}, and the manufacturer record */
static size_t szl_001c_records(uint8_t *p)
{
    const char *t[3] = {"PLC_LINE4", "CPU 315-2 PN/DP", "S C-C2UR28922012"};
    const uint8_t idx[3] = {1, 2, 5};
    size_t o = 0;
    for (int i = 0; i < 3; i++) {
        p[o++] = 0;
        p[o++] = idx[i];
        memset(p + o, 0, 32);
        memcpy(p + o, t[i], strlen(t[i]));
        o += 32;
    }
    p[o++] = 0;
    p[o++] = 9;
    memset(p + o, 0, 32);
    p[o + 1] = 0x2a;
    return o + 32;
}

/* a userdata SZL response: dur/last in the parameter, data 'd' of n bytes after the
 * return code, transport size and length */
static size_t szl_rsp(uint8_t *s7, uint8_t dur, uint8_t last, const uint8_t *d, size_t n)
{
    static const uint8_t hdr[] = {0x32, 7,    0, 0,    0,    3, 0, 12, 0, 0, 0,
                                  1,    0x12, 8, 0x12, 0x84, 1, 1, 0,  0, 0, 0};
    memcpy(s7, hdr, sizeof hdr);
    s7[18] = dur;
    s7[19] = last;
    size_t o = sizeof hdr;
    s7[o++] = 0xff;
    s7[o++] = 9;
    s7[o++] = (uint8_t)(n >> 8);
    s7[o++] = (uint8_t)n;
    memcpy(s7 + o, d, n);
    o += n;
    s7[8] = (uint8_t)((o - 22) >> 8);
    s7[9] = (uint8_t)(o - 22);
    return o;
}

static void szl_001c_identity(void **st)
{
    (void)st;
    uint8_t d[256] = {0, 0x1c, 0, 0, 0, 34, 0, 4}, s7[512];
    size_t n = 8 + szl_001c_records(d + 8);
    dtest_pdu(&T, 1, buf, wrap(s7, szl_rsp(s7, 0, 0, d, n)));
    assert_string_equal(dtest_attr(&T, F_NAME), "PLC_LINE4");
    assert_string_equal(dtest_attr(&T, F_MODULE_NAME), "CPU 315-2 PN/DP");
    assert_string_equal(dtest_attr(&T, F_SERIAL), "S C-C2UR28922012");
    assert_string_equal(dtest_attr(&T, F_VENDOR_ID), "0x002a");
    assert_string_equal(dtest_attr(&T, F_VENDOR), "Siemens");
}

/* the 0x001C answer in two segments cut inside the serial-number record; the client's
 * continuation request is not a new read */
static void szl_segmented(void **st)
{
    (void)st;
    uint8_t d[256] = {0, 0x1c, 0, 0, 0, 34, 0, 4}, s7[512];
    size_t n = 8 + szl_001c_records(d + 8), cut = 8 + 34 * 2 + 10;
    dtest_pdu(&T, 1, buf, wrap(s7, szl_rsp(s7, 0x15, 1, d, cut)));
    assert_string_equal(dtest_attr(&T, F_MODULE_NAME), "CPU 315-2 PN/DP");
    assert_null(dtest_attr(&T, F_SERIAL));
    static const uint8_t more[] = {0x32, 7,    0,    0, 0, 4,    0, 12, 0, 4,    0, 1, 0x12,
                                   8,    0x12, 0x44, 1, 1, 0x15, 0, 0,  0, 0x0a, 0, 0, 0};
    dtest_pdu(&T, 0, buf, wrap(more, sizeof more));
    assert_int_equal(dtest_op_count(&T, OP_READ), 0);
    dtest_pdu(&T, 1, buf, wrap(s7, szl_rsp(s7, 0x15, 0, d + cut, n - cut)));
    assert_string_equal(dtest_attr(&T, F_SERIAL), "S C-C2UR28922012");
    assert_string_equal(dtest_attr(&T, F_VENDOR_ID), "0x002a");
    /* a later unsegmented answer with another dur is parsed from its header again */
    uint8_t s7b[256];
    dtest_pdu(&T, 1, buf, wrap(s7b, szl_0011_answer(s7b)));
    assert_string_equal(dtest_attr(&T, F_FIRMWARE), "V3.2.6");
    assert_int_equal(T.nmalformed, 0);
}

static void szl_0424_mode(void **st)
{
    (void)st;
    uint8_t d[] = {4, 0x24, 0, 0, 0, 20, 0, 1, 0x43, 0x02, 0xff, 0x68, 0, 0, 0,
                   0, 0,    0, 0, 0, 0,  0, 0, 0,    0,    0,    0,    0, 0, 0},
            s7[256];
    dtest_pdu(&T, 1, buf, wrap(s7, szl_rsp(s7, 0, 0, d, sizeof d)));
    assert_string_equal(dtest_attr(&T, F_STATE), "RUN");
}

static void jobs_are_operations(void **st)
{
    (void)st;
    static const uint8_t wr[] = {0x32, 1, 0, 0, 0, 9,    0, 14, 0,    6, 0x05, 1, 0x12, 0x0a, 0x10,
                                 2,    0, 2, 0, 5, 0x84, 0, 0,  0x50, 0, 4,    0, 16,   0x12, 0x34};
    dtest_pdu(&T, 0, buf, wrap(wr, sizeof wr));
    const struct dtest_op *w = dtest_op_find(&T, OP_PROCESS_WRITE);
    assert_non_null(w);
    assert_string_equal(w->target, "DB5.DBX 10.0 (2)");
    /* the CPU refuses the write: the error is the write's result */
    static const uint8_t err[] = {0x32, 3, 0, 0, 0, 9, 0, 0, 0, 0, 0x81, 0x04};
    dtest_pdu(&T, 1, buf, wrap(err, sizeof err));
    assert_int_equal(dtest_op_count(&T, OP_PROCESS_WRITE), 2);
    assert_string_equal(T.ops[T.nop - 1].result, "error class 0x81 code 0x04");
    assert_string_equal(T.ops[T.nop - 1].target, "DB5.DBX 10.0 (2)");
    static const uint8_t dl[] = {0x32, 1, 0, 0, 0, 10,  0,   18,  0,   0,   0x1a, 0,   1,   0,
                                 0,    0, 0, 0, 9, '_', '0', '8', '0', '0', '0',  '0', '1', 'P'};
    dtest_pdu(&T, 0, buf, wrap(dl, sizeof dl));
    assert_string_equal(dtest_op_find(&T, OP_PROGRAM_DOWNLOAD)->target, "OB 1");
    static const uint8_t stop[] = {0x32, 1, 0, 0, 0,   11,  0,   16,  0,   0,   0x29, 0,   0,
                                   0,    0, 0, 9, 'P', '_', 'P', 'R', 'O', 'G', 'R',  'A', 'M'};
    dtest_pdu(&T, 0, buf, wrap(stop, sizeof stop));
    assert_int_equal(dtest_op_count(&T, OP_PLC_STOP), 1);
    static const uint8_t cold[] = {0x32, 1,   0,   0,   0,   12,  0,    22,  0,   0,   0x28,
                                   0,    0,   0,   0,   0,   0,   0xfd, 0,   2,   'C', ' ',
                                   9,    'P', '_', 'P', 'R', 'O', 'G',  'R', 'A', 'M'};
    dtest_pdu(&T, 0, buf, wrap(cold, sizeof cold));
    assert_string_equal(dtest_op_find(&T, OP_PLC_START)->function, "plc cold start (P_PROGRAM)");
    static const uint8_t hot[] = {0x32, 1,   0,   0,   0,   14,  0,   20,   0,   0,
                                  0x28, 0,   0,   0,   0,   0,   0,   0xfd, 0,   0,
                                  9,    'P', '_', 'P', 'R', 'O', 'G', 'R',  'A', 'M'};
    dtest_pdu(&T, 0, buf, wrap(hot, sizeof hot));
    assert_string_equal(T.ops[T.nop - 1].function, "plc hot/warm start (P_PROGRAM)");
    static const uint8_t del[] = {0x32, 1,   0,   0,   0,   13,   0, 26,  0,   0,   0x28, 0,
                                  0,    0,   0,   0,   0,   0xfd, 0, 10,  1,   0,   '0',  'E',
                                  '0',  '0', '0', '1', '2', 'P',  5, '_', 'D', 'E', 'L',  'E'};
    dtest_pdu(&T, 0, buf, wrap(del, sizeof del));
    assert_string_equal(dtest_op_find(&T, OP_PROGRAM_DELETE)->target, "FB 12");
    /* a job sent by the server (the PLC's download-block requests) is not an operation */
    int before = T.nop;
    dtest_pdu(&T, 1, buf, wrap(stop, sizeof stop));
    assert_int_equal(T.nop, before);
}

static void password_and_tsap(void **st)
{
    (void)st;
    static const uint8_t pw[] = {0x32, 7, 0,    0,    0,    5,    0,    8,    0,    12,
                                 0,    1, 0x12, 4,    0x11, 0x45, 1,    0,    0xff, 9,
                                 0,    8, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5a, 0x5b, 0x5c};
    dtest_pdu(&T, 0, buf, wrap(pw, sizeof pw));
    assert_int_equal(dtest_op_count(&T, OP_AUTH), 1);
    assert_true(dtest_has_finding(&T, "cleartext-credentials"));
    static const uint8_t cr[] = {3,   0,    0,    35,  30,  0xe0, 0,    0,   0,   1,   0,   0xc0,
                                 1,   0x0a, 0xc1, 2,   6,   0,    0xc2, 15,  'S', 'I', 'M', 'A',
                                 'T', 'I',  'C',  '-', 'R', 'O',  'O',  'T', '-', 'E', 'S'};
    dtest_pdu(&T, 0, cr, sizeof cr);
    assert_true(dtest_has_role(&T, "engineering-workstation"));
    assert_string_equal(T.ops[T.nop - 1].target, "tsap SIMATIC-ROOT-ES");
    static const uint8_t cr2[] = {3,    0, 0,    22,   17, 0xe0, 0, 0,    0, 1, 0,
                                  0xc0, 1, 0x0a, 0xc1, 2,  1,    0, 0xc2, 2, 1, 2};
    dtest_pdu(&T, 0, cr2, sizeof cr2);
    assert_string_equal(T.ops[T.nop - 1].target, "tsap 0x0102 (pg, rack 0 slot 2)");
}

/* an S7comm-plus PDU: header (version), data, trailer; V3 adds the integrity digest */
static size_t plus(uint8_t ver, const uint8_t *d, size_t n)
{
    uint8_t p[512];
    size_t o = 0;
    p[o++] = 0x72;
    p[o++] = ver;
    size_t len = n + (ver == 3 ? 33 : 0);
    p[o++] = (uint8_t)(len >> 8);
    p[o++] = (uint8_t)len;
    if (ver == 3) {
        p[o++] = 0x20;
        memset(p + o, 0xa5, 32);
        o += 32;
    }
    memcpy(p + o, d, n);
    o += n;
    const uint8_t trailer[4] = {0x72, ver, 0, 0};
    memcpy(p + o, trailer, 4);
    return wrap(p, o + 4);
}

static void plus_session_identity(void **st)
{
    (void)st;
    /* CreateObject request for a ServerSession with application and comment attributes */
    static const uint8_t req[] = {
        0x31, 0,    0,    0x04, 0xca, 0,   0,    0,    1,    0,    0,    1,    0x20, 0x36,
        0,    0,    1,    0x1d, 0,    4,   0,    0,    0,    0,    0,    0xa1, 0,    0,
        0,    0xd3, 0x82, 0x1f, 0,    0,   0xa3, 0x82, 0x29, 0,    0x15, 9,    'T',  'I',
        'A',  ' ',  'V',  '1',  '8',  '.', '0',  0xa3, 0x82, 0x2d, 0,    0x15, 7,    'E',
        'S',  '-',  'P',  'C',  '0',  '1', 0xa2, 0,    0,    0,    0};
    dtest_tcp(&T, 0, buf, plus(1, req, sizeof req));
    assert_int_equal(dtest_flow_proto(&T), PROTO_S7COMM_PLUS);
    assert_string_equal(dtest_op_find(&T, OP_SESSION)->function, "create session (0x04ca)");
    assert_string_equal(dtest_attr(&T, F_APPLICATION_NAME), "TIA V18.0");
    assert_string_equal(dtest_attr(&T, F_DESCRIPTION), "ES-PC01");
    /* the response: session 0x3be, ServerSessionVersion struct with the PAOM string */
    static const uint8_t rsp[] = {
        0x32, 0,   0,   0x04, 0xca, 0,    0,    0,    1,   0x36, 0,    1,    0x87, 0x3e,
        0xa1, 0,   0,   1,    0x20, 0x82, 0x1f, 0,    0,   0xa3, 0x82, 0x32, 0,    0x17,
        0,    0,   1,   0x3a, 0x82, 0x3f, 0,    0x15, 27,  '1',  ';',  '6',  'E',  'S',
        '7',  ' ', '5', '1',  '6',  '-',  '3',  'A',  'N', '0',  '1',  '-',  '0',  'A',
        'B',  '0', ' ', ';',  'V',  '2',  '.',  '9',  0,   0xa2, 0,    0,    0,    0};
    dtest_tcp(&T, 1, buf, plus(1, rsp, sizeof rsp));
    const struct dtest_attr *on = attr_from(F_ORDER_NUMBER, "s7comm-plus");
    assert_non_null(on);
    assert_string_equal(on->value, "6ES7 516-3AN01-0AB0");
    assert_true(on->is_server);
    assert_string_equal(attr_from(F_FIRMWARE, "s7comm-plus")->value, "V2.9");
    assert_string_equal(dtest_attr(&T, F_VENDOR), "Siemens");
    assert_true(dtest_has_role(&T, "plc"));
    assert_string_equal(dtest_attr(&T, F_PROTOCOL_VERSION), "s7comm-plus V1");
    /* closing the session names it from the response's object id */
    static const uint8_t del[] = {0x31, 0,    0, 0x04, 0xd4, 0,    0, 0, 2, 0, 0, 3,
                                  0xbe, 0x34, 0, 0,    3,    0xbe, 0, 0, 0, 0, 0};
    dtest_tcp(&T, 0, buf, plus(2, del, sizeof del));
    assert_string_equal(T.ops[T.nop - 1].function, "delete session (0x04d4)");
    assert_string_equal(T.ops[T.nop - 1].target, "session 0x3be");
    assert_int_equal(T.nmalformed, 0);
}

static void plus_stop_run_and_blocks(void **st)
{
    (void)st;
    /* SetVariable object 52 attribute 2167 (0x90 0x77) DInt 1 = STOP, then 3 = RUN; V3 */
    uint8_t sv[] = {0x31, 0, 0,    0x04, 0xf2, 0,    0, 0, 5, 0x70, 0, 0, 1, 0x34, 0,
                    0,    0, 0x34, 1,    0x90, 0x77, 0, 8, 1, 0,    0, 0, 0, 0};
    dtest_pdu(&T, 0, buf, plus(3, sv, sizeof sv));
    assert_int_equal(dtest_op_count(&T, OP_PLC_STOP), 1);
    sv[23] = 3;
    dtest_pdu(&T, 0, buf, plus(3, sv, sizeof sv));
    assert_int_equal(dtest_op_count(&T, OP_PLC_START), 1);
    /* CreateObject of an FB (class 2578 = 0x94 0x12) numbered 7 (Block.BlockNumber 2521) */
    static const uint8_t fb[] = {0x31, 0,    0, 0x04, 0xca, 0,    0,    0,    6, 0x70, 0,    0,
                                 1,    0x34, 0, 0,    0,    3,    0,    4,    0, 0,    0,    0,
                                 0,    0xa1, 0, 0,    0,    0xd3, 0x94, 0x12, 0, 0,    0xa3, 0x93,
                                 0x59, 0,    4, 7,    0xa2, 0,    0,    0,    0};
    dtest_pdu(&T, 0, buf, plus(3, fb, sizeof fb));
    assert_string_equal(dtest_op_find(&T, OP_PROGRAM_DOWNLOAD)->target, "FB 7");
    static const uint8_t del[] = {0x31, 0,    0,    0x04, 0xd4, 0, 0, 0, 7, 0x70, 0, 0,
                                  1,    0x34, 0x8a, 0x0e, 0,    4, 0, 0, 0, 0,    0};
    dtest_pdu(&T, 0, buf, plus(3, del, sizeof del));
    assert_string_equal(dtest_op_find(&T, OP_PROGRAM_DELETE)->target, "DB 4");
    /* a process write to DB3 (access area 0x8a0e0003 as VLQ 88 d0 b8 80 03) */
    static const uint8_t wr[] = {0x31, 0,    0,    0x05, 0x42, 0,    0,    0,    8,    0x70,
                                 0,    0,    1,    0x34, 0,    0,    0,    0,    1,    7,
                                 0x8e, 0xfa, 0xa6, 0xa8, 0x5c, 0x88, 0xd0, 0xb8, 0x80, 0x03,
                                 4,    0x93, 0x76, 0x0e, 0,    0,    0,    0,    0};
    dtest_pdu(&T, 0, buf, plus(3, wr, sizeof wr));
    assert_string_equal(dtest_op_find(&T, OP_PROCESS_WRITE)->target, "DB3 (1 item)");
    assert_int_equal(T.nmalformed, 0);
}

/* COTP: an empty DT without EOT, then the whole PDU (as TIA/WinCC send it); and a PDU whose
 * TSDU spans two DTs: the first parsed as far as it goes, the continuation skipped even when
 * its first byte looks like an ISO session header */
static void cotp_fragments(void **st)
{
    (void)st;
    static const uint8_t empty[] = {3, 0, 0, 7, 2, 0xf0, 0x00};
    static const uint8_t sv[] = {0x31, 0, 0,    0x04, 0xf2, 0,    0, 0, 5, 0x70, 0, 0, 1, 0x34, 0,
                                 0,    0, 0x34, 1,    0x90, 0x77, 0, 8, 1, 0,    0, 0, 0, 0};
    dtest_tcp(&T, 0, empty, sizeof empty);
    dtest_tcp(&T, 0, buf, plus(2, sv, sizeof sv));
    assert_int_equal(dtest_op_count(&T, OP_PLC_STOP), 1);
    /* a GetMultiVariables request whose header says 300 bytes: first DT without EOT */
    static const uint8_t first[] = {3,    0,    0,    27, 2, 0xf0, 0x00, 0x72, 2,
                                    0x01, 0x2c, 0x31, 0,  0, 0x05, 0x4c, 0,    0,
                                    0,    6,    0x70, 0,  0, 1,    0x34, 0,    0};
    static const uint8_t rest[] = {3, 0, 0, 12, 2, 0xf0, 0x80, 0x0d, 0x10, 0x05, 0x06, 0x13};
    dtest_tcp(&T, 0, first, sizeof first);
    dtest_tcp(&T, 0, rest, sizeof rest);
    assert_int_equal(dtest_op_count(&T, OP_READ), 1);
    assert_int_equal(dtest_flow_proto(&T), PROTO_S7COMM_PLUS);
    assert_int_equal(T.nmalformed, 0);
}

static void mms_on_port_102(void **st)
{
    (void)st;
    /* an ISO 8327 CONNECT SPDU (0x0d) in the COTP data */
    static const uint8_t cn[] = {0x0d, 0x10, 0x05, 0x06, 0x13, 0x01, 0x00, 0x16, 0x01,
                                 0x02, 0x14, 0x02, 0x00, 0x02, 0x33, 0x02, 0x00, 0x01};
    dtest_tcp(&T, 0, buf, wrap(cn, sizeof cn));
    assert_int_equal(dtest_flow_proto(&T), PROTO_MMS);
}

static void malformed_and_split(void **st)
{
    (void)st;
    static const uint8_t liar[] = {0x32, 1, 0, 0, 0, 1, 0x10, 0, 0, 0};
    dtest_pdu(&T, 0, buf, wrap(liar, sizeof liar));
    assert_int_equal(T.nmalformed, 1);
    static const uint8_t short_plus[] = {0x72, 1, 0x01, 0x00, 0x31, 0};
    dtest_pdu(&T, 0, buf, wrap(short_plus, sizeof short_plus));
    assert_int_equal(T.nmalformed, 2);
    uint8_t s7[256];
    size_t n = wrap(s7, szl_0011_answer(s7));
    uint8_t copy[256];
    memcpy(copy, buf, n);
    for (size_t k = 0; k < n; k++) /* every truncation: no crash, no firmware from garbage */
        dtest_pdu(&T, 1, copy, k);
    assert_null(dtest_attr(&T, F_FIRMWARE));
    /* the answer in three segments, the middle one last */
    dtest_tcp_at(&T, 1, 0, copy, 20);
    dtest_tcp_at(&T, 1, 60, copy + 60, n - 60);
    assert_null(dtest_attr(&T, F_FIRMWARE));
    dtest_tcp_at(&T, 1, 20, copy + 20, 40);
    assert_string_equal(dtest_attr(&T, F_FIRMWARE), "V3.2.6");
}

static void probe_is_strict(void **st)
{
    (void)st;
    static const uint8_t cr[] = {3,    0, 0,    22,   17, 0xe0, 0, 0,    0, 1, 0,
                                 0xc0, 1, 0x0a, 0xc1, 2,  1,    0, 0xc2, 2, 1, 2};
    static const uint8_t http[] = "GET / HTTP/1.1\r\n\r\n";
    struct rd r = rd_init(cr, sizeof cr);
    assert_true(dissector_s7comm.probe(&r, L4_TCP));
    r = rd_init(http, sizeof http - 1);
    assert_false(dissector_s7comm.probe(&r, L4_TCP));
    r = rd_init(cr, sizeof cr - 1);
    assert_false(dissector_s7comm.probe(&r, L4_TCP));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(szl_0011_identity, setup, teardown),
        cmocka_unit_test_setup_teardown(szl_001c_identity, setup, teardown),
        cmocka_unit_test_setup_teardown(szl_segmented, setup, teardown),
        cmocka_unit_test_setup_teardown(szl_0424_mode, setup, teardown),
        cmocka_unit_test_setup_teardown(jobs_are_operations, setup, teardown),
        cmocka_unit_test_setup_teardown(password_and_tsap, setup, teardown),
        cmocka_unit_test_setup_teardown(plus_session_identity, setup, teardown),
        cmocka_unit_test_setup_teardown(plus_stop_run_and_blocks, setup, teardown),
        cmocka_unit_test_setup_teardown(cotp_fragments, setup, teardown),
        cmocka_unit_test_setup_teardown(mms_on_port_102, setup, teardown),
        cmocka_unit_test_setup_teardown(malformed_and_split, setup, teardown),
        cmocka_unit_test_setup_teardown(probe_is_strict, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
