/* test_dnp3.c - DNP3 dissector: link CRCs, addresses, request functions and their operations,
 * control echoes and IIN errors, device attributes (g0) reassembled over transport segments,
 * split and reordered TCP segments, UDP, hostile frames.  Frames are built by the small link
 * layer writer below, whose CRC is checked against the CRC-16/DNP check value first. */
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

extern const struct dissector dissector_dnp3;

#define MASTER     3
#define OUTSTATION 4

static uint16_t crc_dnp(const uint8_t *p, size_t n)
{
    uint16_t crc = 0;
    for (size_t i = 0; i < n; i++) {
        crc ^= p[i];
        for (int b = 0; b < 8; b++)
            crc = (crc & 1) ? (uint16_t)((crc >> 1) ^ 0xA6BC) : (uint16_t)(crc >> 1);
    }
    return (uint16_t)~crc;
}

struct buf {
    uint8_t b[1024];
    size_t n;
};
static void put(struct buf *b, const void *p, size_t n)
{
    memcpy(b->b + b->n, p, n);
    b->n += n;
}
static void put8(struct buf *b, uint8_t v)
{
    b->b[b->n++] = v;
}
static void put_le16(struct buf *b, uint16_t v)
{
    put8(b, (uint8_t)v);
    put8(b, (uint8_t)(v >> 8));
}
static void put_le32(struct buf *b, uint32_t v)
{
    put_le16(b, (uint16_t)v);
    put_le16(b, (uint16_t)(v >> 16));
}

/* one link frame carrying user data ud (transport header included) */
static void link_frame(struct buf *out, uint8_t ctrl, uint16_t dst, uint16_t src, const uint8_t *ud,
                       size_t n)
{
    uint8_t h[8] = {0x05,
                    0x64,
                    (uint8_t)(n + 5),
                    ctrl,
                    (uint8_t)dst,
                    (uint8_t)(dst >> 8),
                    (uint8_t)src,
                    (uint8_t)(src >> 8)};
    put(out, h, 8);
    put_le16(out, crc_dnp(h, 8));
    for (size_t off = 0; off < n; off += 16) {
        size_t k = n - off < 16 ? n - off : 16;
        put(out, ud + off, k);
        put_le16(out, crc_dnp(ud + off, k));
    }
}

/* a request from the master (dir 0) or a response from the outstation, in one segment */
static void app_frame(struct buf *out, int from_outstation, const uint8_t *app, size_t n)
{
    uint8_t ud[256];
    ud[0] = 0xc0; /* FIR FIN seq 0 */
    memcpy(ud + 1, app, n);
    if (from_outstation)
        link_frame(out, 0x44, MASTER, OUTSTATION, ud, n + 1);
    else
        link_frame(out, 0xc4, OUTSTATION, MASTER, ud, n + 1);
}

static struct dtest T;

static int setup(void **state)
{
    (void)state;
    dtest_init(&T, &dissector_dnp3, 0);
    return 0;
}
static int teardown(void **state)
{
    (void)state;
    dtest_done(&T);
    return 0;
}

static void send_app(int dir, const uint8_t *app, size_t n)
{
    struct buf b = {{0}, 0};
    app_frame(&b, dir, app, n);
    dtest_pdu(&T, dir, b.b, b.n);
}

static const struct dtest_op *op_kind_nth(enum op_kind k, int nth)
{
    for (int i = 0; i < T.nop; i++)
        if (T.ops[i].kind == k && nth-- == 0)
            return &T.ops[i];
    return NULL;
}

static void test_crc(void **state)
{
    (void)state;
    assert_int_equal(crc_dnp((const uint8_t *)"123456789", 9), 0xEA82); /* CRC-16/DNP check */
}

static void test_read_and_addresses(void **state)
{
    (void)state;
    static const uint8_t read[] = {0xc1, 0x01, 0x3c, 0x02, 0x06, 0x3c, 0x03,
                                   0x06, 0x3c, 0x04, 0x06, 0x3c, 0x01, 0x06};
    send_app(0, read, sizeof read);
    assert_int_equal(T.nmalformed, 0);
    const struct dtest_op *op = dtest_op_find(&T, OP_READ);
    assert_non_null(op);
    assert_string_equal(op->function, "read (1)");
    assert_string_equal(op->target, "class 1, class 2, class 3, class 0");
    assert_string_equal(op->result, "");
    assert_int_equal(dtest_attr_count(&T, F_DNP3_ADDRESS), 2);
    for (int i = 0; i < T.nattr; i++) {
        if (T.attrs[i].field != F_DNP3_ADDRESS)
            continue;
        assert_string_equal(T.attrs[i].value, T.attrs[i].is_server ? "4" : "3");
        assert_string_equal(T.attrs[i].source, "dnp3 link header");
    }
    assert_true(dtest_has_role(&T, "rtu"));
    assert_true(T.roles[0].is_server);
    /* the same addresses again: nothing new */
    send_app(0, read, sizeof read);
    assert_int_equal(dtest_attr_count(&T, F_DNP3_ADDRESS), 2);
    /* an indexed read (qualifier 0x28) and a range read */
    static const uint8_t read2[] = {0xc2, 0x01, 0x01, 0x02, 0x00, 0x00, 0x0f, 0x1e,
                                    0x01, 0x28, 0x02, 0x00, 0x05, 0x00, 0x07, 0x00};
    send_app(0, read2, sizeof read2);
    op = op_kind_nth(OP_READ, 2);
    assert_non_null(op);
    assert_string_equal(op->target, "g1v2 binary input 0-15, g30v1 analog input count 2");
    assert_int_equal(T.nmalformed, 0);
}

static void crob(uint8_t *app, uint8_t seq, uint8_t fc, uint16_t index, uint8_t code,
                 uint8_t status)
{
    uint8_t a[] = {(uint8_t)(0xc0 | seq),
                   fc,
                   0x0c,
                   0x01,
                   0x28,
                   0x01,
                   0x00,
                   (uint8_t)index,
                   (uint8_t)(index >> 8),
                   code,
                   0x01,
                   0x64,
                   0,
                   0,
                   0,
                   0x64,
                   0,
                   0,
                   0,
                   status};
    memcpy(app, a, sizeof a);
}

static void test_crob_select_operate(void **state)
{
    (void)state;
    uint8_t app[20];
    crob(app, 3, 3, 3, 0x03, 0);
    send_app(0, app, sizeof app);
    const struct dtest_op *op = dtest_op_find(&T, OP_COMMAND);
    assert_non_null(op);
    assert_string_equal(op->function, "select (3)");
    assert_string_equal(op->target, "g12v1 CROB index 3 latch on");
    /* the echo with status 0: no error */
    uint8_t rsp[22] = {0xc3, 0x81, 0x00, 0x00};
    crob(app, 3, 3, 3, 0x03, 0);
    memcpy(rsp + 4, app + 2, 18);
    send_app(1, rsp, sizeof rsp);
    assert_int_equal(dtest_op_count(&T, OP_COMMAND), 1);
    /* operate, trip/close pulse, answered "not supported" */
    crob(app, 4, 4, 7, 0x81, 0);
    send_app(0, app, sizeof app);
    op = op_kind_nth(OP_COMMAND, 1);
    assert_string_equal(op->function, "operate (4)");
    assert_string_equal(op->target, "g12v1 CROB index 7 pulse on trip");
    crob(app, 4, 4, 7, 0x81, 4);
    rsp[0] = 0xc4;
    memcpy(rsp + 4, app + 2, 18);
    send_app(1, rsp, sizeof rsp);
    op = op_kind_nth(OP_COMMAND, 2);
    assert_non_null(op);
    assert_string_equal(op->function, "operate (4)");
    assert_string_equal(op->target, "g12v1 CROB index 7 pulse on trip");
    assert_string_equal(op->result, "status 4 (not supported)");
    assert_false(op->src_is_client);
    /* a response with another sequence number is not the answer */
    crob(app, 5, 5, 1, 0x04, 0);
    send_app(0, app, sizeof app);
    assert_string_equal(op_kind_nth(OP_COMMAND, 3)->function, "direct operate (5)");
    rsp[0] = 0xc9;
    rsp[3] = 0x02; /* object unknown */
    send_app(1, rsp, sizeof rsp);
    assert_int_equal(dtest_op_count(&T, OP_COMMAND), 4);
    assert_int_equal(T.nmalformed, 0);
}

static void test_analog_output(void **state)
{
    (void)state;
    struct buf a = {{0}, 0};
    put8(&a, 0xc1);
    put8(&a, 0x05);
    put(&a, (const uint8_t[]){0x29, 0x03, 0x17, 0x01, 0x02}, 5);
    float f = 12.5f;
    uint32_t bits;
    memcpy(&bits, &f, 4);
    put_le32(&a, bits);
    put8(&a, 0);
    send_app(0, a.b, a.n);
    const struct dtest_op *op = dtest_op_find(&T, OP_COMMAND);
    assert_non_null(op);
    assert_string_equal(op->target, "g41v3 analog output index 2 value 12.5");
    /* g41v2 int16, response "parameter error" via IIN2 */
    static const uint8_t ao2[] = {0xc2, 0x06, 0x29, 0x02, 0x28, 0x01,
                                  0x00, 0x09, 0x00, 0x18, 0xfc, 0x00};
    send_app(0, ao2, sizeof ao2);
    op = op_kind_nth(OP_COMMAND, 1);
    assert_string_equal(op->function, "direct operate no ack (6)");
    assert_string_equal(op->target, "g41v2 analog output index 9 value -1000");
    assert_int_equal(T.nmalformed, 0);
}

static void test_function_kinds(void **state)
{
    (void)state;
    static const struct {
        uint8_t fc;
        enum op_kind kind;
        const char *function;
    } cases[] = {
        {13, OP_RESTART, "cold restart (13)"},
        {14, OP_RESTART, "warm restart (14)"},
        {17, OP_PLC_START, "start application (17)"},
        {18, OP_PLC_STOP, "stop application (18)"},
        {19, OP_CONFIG_WRITE, "save configuration (19)"},
        {20, OP_COMM_CONTROL, "enable unsolicited (20)"},
        {21, OP_COMM_CONTROL, "disable unsolicited (21)"},
        {22, OP_CONFIG_WRITE, "assign class (22)"},
        {23, OP_TIME_SYNC, "delay measurement (23)"},
        {24, OP_TIME_SYNC, "record current time (24)"},
        {7, OP_OTHER, "immediate freeze (7)"},
        {26, OP_FILE_TRANSFER, "close file (26)"},
        {30, OP_FILE_TRANSFER, "abort file (30)"},
        {32, OP_AUTH, "authentication request (32)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint8_t app[2] = {0xc0, cases[i].fc};
        int before = dtest_op_count(&T, cases[i].kind);
        send_app(0, app, 2);
        assert_int_equal(dtest_op_count(&T, cases[i].kind), before + 1);
        assert_string_equal(T.ops[T.nop - 1].function, cases[i].function);
    }
    /* confirm is no operation; an undefined function is malformed */
    uint8_t confirm[2] = {0xc0, 0x00};
    int n = T.nop;
    send_app(0, confirm, 2);
    assert_int_equal(T.nop, n);
    uint8_t bad[2] = {0xc0, 0x50};
    send_app(0, bad, 2);
    assert_int_equal(T.nop, n);
    assert_int_equal(T.nmalformed, 1);
}

static void test_write_kinds(void **state)
{
    (void)state;
    static const uint8_t time_write[] = {0xc1, 0x02, 0x32, 0x01, 0x07, 0x01,
                                         0x10, 0x20, 0x30, 0x40, 0x50, 0x01};
    send_app(0, time_write, sizeof time_write);
    const struct dtest_op *op = dtest_op_find(&T, OP_TIME_SYNC);
    assert_non_null(op);
    assert_string_equal(op->function, "write (2)");
    assert_string_equal(op->target, "g50v1 time and date");
    static const uint8_t iin_clear[] = {0xc2, 0x02, 0x50, 0x01, 0x00, 0x07, 0x07, 0x00};
    send_app(0, iin_clear, sizeof iin_clear);
    op = dtest_op_find(&T, OP_OTHER);
    assert_non_null(op);
    assert_string_equal(op->target, "g80v1 IIN1.7 device restart");
    static const uint8_t deadband[] = {0xc3, 0x02, 0x22, 0x01, 0x17, 0x01, 0x04, 0x10, 0x00};
    send_app(0, deadband, sizeof deadband);
    op = dtest_op_find(&T, OP_CONFIG_WRITE);
    assert_non_null(op);
    assert_string_equal(op->target, "g34v1 analog deadband");
    assert_int_equal(T.nmalformed, 0);
}

static void test_open_file(void **state)
{
    (void)state;
    const char *name = "/cfg/settings.xml";
    struct buf a = {{0}, 0};
    put8(&a, 0xc1);
    put8(&a, 25);
    put(&a, (const uint8_t[]){70, 3, 0x5b, 0x01}, 4);
    put_le16(&a, (uint16_t)(26 + strlen(name)));
    put_le16(&a, 26);
    put_le16(&a, (uint16_t)strlen(name));
    for (int i = 0; i < 6; i++)
        put8(&a, 0); /* created */
    put_le16(&a, 0x1ff);
    put_le32(&a, 0);
    put_le32(&a, 1234);
    put_le16(&a, 2); /* write */
    put_le16(&a, 1024);
    put_le16(&a, 7);
    put(&a, name, strlen(name));
    send_app(0, a.b, a.n);
    const struct dtest_op *op = dtest_op_find(&T, OP_FILE_TRANSFER);
    assert_non_null(op);
    assert_string_equal(op->function, "open file (25)");
    assert_string_equal(op->target, "g70v3 file /cfg/settings.xml");
    assert_int_equal(T.nmalformed, 0);
}

static void test_iin_state(void **state)
{
    (void)state;
    static const uint8_t unsol[] = {0xf0, 0x82, 0x90, 0x00};
    send_app(1, unsol, sizeof unsol);
    assert_int_equal(dtest_attr_count(&T, F_STATE), 1);
    assert_string_equal(dtest_attr(&T, F_STATE), "device restart, need time");
    assert_true(T.attrs[T.nattr - 1].is_server);
    send_app(1, unsol, sizeof unsol);
    assert_int_equal(dtest_attr_count(&T, F_STATE), 1);
    static const uint8_t clean[] = {0xf1, 0x82, 0x02, 0x00}; /* class 1 events only */
    send_app(1, clean, sizeof clean);
    assert_int_equal(dtest_attr_count(&T, F_STATE), 2);
    assert_string_equal(T.attrs[T.nattr - 1].value, "normal");
    assert_true(dtest_has_role(&T, "rtu"));
    /* a request answered with "function code not supported" */
    static const uint8_t save[] = {0xc6, 19};
    send_app(0, save, sizeof save);
    static const uint8_t rsp[] = {0xc6, 0x81, 0x00, 0x01};
    send_app(1, rsp, sizeof rsp);
    const struct dtest_op *op = op_kind_nth(OP_CONFIG_WRITE, 1);
    assert_non_null(op);
    assert_string_equal(op->function, "save configuration (19)");
    assert_string_equal(op->result, "function code not supported (iin2.0)");
    assert_int_equal(T.nmalformed, 0);
}

/* a g0v254 answer: manufacturer, product, firmware, hardware, serial, name */
static void device_attributes(struct buf *a)
{
    static const struct {
        uint8_t var;
        const char *v;
    } attrs[] = {
        {252, "ABB"},   {250, "RTU560 560CMD11"}, {242, "12.6.3.0"},
        {243, "R0002"}, {248, "1KGT024500R0001"}, {247, "Substation 7 RTU"},
        {241, NULL},
    };
    put8(a, 0xc2);
    put8(a, 0x81);
    put8(a, 0x00);
    put8(a, 0x00);
    for (size_t i = 0; i < sizeof attrs / sizeof attrs[0]; i++) {
        put(a, (const uint8_t[]){0x00, attrs[i].var, 0x00, 0x00, 0x00}, 5);
        if (attrs[i].v) {
            put8(a, 1);
            put8(a, (uint8_t)strlen(attrs[i].v));
            put(a, attrs[i].v, strlen(attrs[i].v));
        } else {
            put(a, (const uint8_t[]){2, 2, 0x00, 0x08}, 4); /* UINT max rx fragment */
        }
    }
}

static void check_identity(void)
{
    assert_string_equal(dtest_attr(&T, F_VENDOR), "ABB");
    assert_string_equal(dtest_attr(&T, F_PRODUCT), "RTU560 560CMD11");
    assert_string_equal(dtest_attr(&T, F_FIRMWARE), "12.6.3.0");
    assert_string_equal(dtest_attr(&T, F_HARDWARE), "R0002");
    assert_string_equal(dtest_attr(&T, F_SERIAL), "1KGT024500R0001");
    assert_string_equal(dtest_attr(&T, F_NAME), "Substation 7 RTU");
    for (int i = 0; i < T.nattr; i++)
        if (T.attrs[i].field == F_VENDOR) {
            assert_true(T.attrs[i].is_server);
            assert_string_equal(T.attrs[i].source, "dnp3 device attribute g0v252");
        }
}

static void test_device_attributes(void **state)
{
    (void)state;
    static const uint8_t req[] = {0xc2, 0x01, 0x00, 0xfe, 0x06};
    send_app(0, req, sizeof req);
    assert_string_equal(dtest_op_find(&T, OP_READ)->target, "g0v254 device attribute all");
    struct buf a = {{0}, 0};
    device_attributes(&a);
    send_app(1, a.b, a.n);
    check_identity();
    assert_int_equal(T.nmalformed, 0);
}

/* the same answer cut into transport segments of 40 bytes, one link frame each */
static size_t segmented(struct buf *out, const struct buf *app, uint8_t first_seq)
{
    size_t frames = 0;
    uint8_t seq = first_seq;
    for (size_t off = 0; off < app->n; off += 40, frames++) {
        size_t k = app->n - off < 40 ? app->n - off : 40;
        uint8_t ud[64];
        ud[0] = (uint8_t)((off == 0 ? 0x40 : 0) | (off + k == app->n ? 0x80 : 0) | (seq & 0x3f));
        seq++;
        memcpy(ud + 1, app->b + off, k);
        link_frame(out, 0x44, MASTER, OUTSTATION, ud, k + 1);
    }
    return frames;
}

static void test_transport_reassembly(void **state)
{
    (void)state;
    struct buf a = {{0}, 0};
    device_attributes(&a);
    assert_true(a.n > 80);
    struct buf frames = {{0}, 0};
    size_t nf = segmented(&frames, &a, 62); /* sequence wraps 63 -> 0 */
    assert_true(nf >= 3);
    dtest_udp(&T, 1, frames.b, frames.n); /* several link frames in one datagram */
    check_identity();
    assert_int_equal(T.nmalformed, 0);
    /* a missing middle segment: the fragment is dropped, nothing is invented */
    int n = T.nattr;
    struct buf parts = {{0}, 0};
    segmented(&parts, &a, 10);
    size_t first = 10 + 41 + 2 * 3; /* header + 41 data bytes in 3 CRC blocks */
    struct buf cut = {{0}, 0};
    put(&cut, parts.b, first);
    put(&cut, parts.b + 2 * first, parts.n - 2 * first);
    dtest_udp(&T, 1, cut.b, cut.n);
    assert_int_equal(T.nattr, n);
}

static void test_bad_crc(void **state)
{
    (void)state;
    static const uint8_t cold[] = {0xc0, 13};
    struct buf b = {{0}, 0};
    app_frame(&b, 0, cold, sizeof cold);
    b.b[8] ^= 0xff; /* header CRC */
    dtest_pdu(&T, 0, b.b, b.n);
    assert_int_equal(T.nmalformed, 1);
    assert_string_equal(T.last_malformed, "dnp3: bad link header crc");
    b.b[8] ^= 0xff;
    b.b[b.n - 1] ^= 0x01; /* data CRC */
    dtest_pdu(&T, 0, b.b, b.n);
    assert_int_equal(T.nmalformed, 2);
    assert_string_equal(T.last_malformed, "dnp3: bad data crc");
    assert_int_equal(T.nop, 0);
    b.b[b.n - 1] ^= 0x01;
    dtest_pdu(&T, 0, b.b, b.n);
    assert_int_equal(dtest_op_count(&T, OP_RESTART), 1);
}

static void test_truncated(void **state)
{
    (void)state;
    uint8_t app[20];
    crob(app, 1, 5, 2, 0x41, 0);
    struct buf b = {{0}, 0};
    app_frame(&b, 0, app, sizeof app);
    for (size_t cut = 0; cut < b.n; cut++) {
        int before = T.nmalformed;
        dtest_pdu(&T, 0, b.b, cut);
        if (cut)
            assert_int_equal(T.nmalformed, before + 1);
    }
    assert_int_equal(T.nop, 0);
    /* a frame whose objects are cut short inside a valid link frame */
    send_app(0, app, 12);
    assert_int_equal(T.nop, 1);
    assert_string_equal(T.last_malformed, "dnp3: truncated object header");
}

static void test_split_out_of_order(void **state)
{
    (void)state;
    uint8_t app[20];
    crob(app, 1, 5, 3, 0x03, 0);
    struct buf b = {{0}, 0};
    app_frame(&b, 0, app, sizeof app);
    static const uint8_t read[] = {0xc2, 0x01, 0x3c, 0x01, 0x06};
    app_frame(&b, 0, read, sizeof read);
    size_t half = 13;
    dtest_tcp_at(&T, 0, (uint32_t)half, b.b + half, b.n - half);
    assert_int_equal(T.nop, 0);
    dtest_tcp_at(&T, 0, 0, b.b, half);
    assert_int_equal(dtest_op_count(&T, OP_COMMAND), 1);
    assert_string_equal(dtest_op_find(&T, OP_COMMAND)->target, "g12v1 CROB index 3 latch on");
    assert_int_equal(dtest_op_count(&T, OP_READ), 1);
    assert_int_equal(dtest_flow_proto(&T), PROTO_DNP3);
    assert_int_equal(T.nmalformed, 0);
}

static void test_outstation_as_client(void **state)
{
    (void)state;
    /* the outstation opened the connection (dir 0) and answers: it is the server */
    static const uint8_t unsol[] = {0xf0, 0x82, 0x00, 0x00};
    struct buf b = {{0}, 0};
    uint8_t ud[8] = {0xc0};
    memcpy(ud + 1, unsol, sizeof unsol);
    link_frame(&b, 0x44, MASTER, OUTSTATION, ud, 1 + sizeof unsol);
    dtest_pdu(&T, 0, b.b, b.n);
    assert_true(dtest_has_role(&T, "rtu"));
    assert_int_equal(T.flow.client, 1);
}

static void test_frame_and_probe(void **state)
{
    (void)state;
    const struct dissector *d = &dissector_dnp3;
    static const uint8_t cold[] = {0xc0, 13};
    struct buf b = {{0}, 0};
    app_frame(&b, 0, cold, sizeof cold);
    struct rd r = rd_init(b.b, b.n);
    assert_int_equal(d->frame(&r), (long)b.n);
    r = rd_init(b.b, 2);
    assert_int_equal(d->frame(&r), FRAME_NEED_MORE);
    r = rd_init("GET /", 5);
    assert_int_equal(d->frame(&r), FRAME_NOT_OURS);
    static const uint8_t short_len[] = {0x05, 0x64, 0x04, 0xc4};
    r = rd_init(short_len, sizeof short_len);
    assert_int_equal(d->frame(&r), FRAME_NOT_OURS);
    /* LEN 255: 10 + 250 + 2 * 16 CRC octets */
    static const uint8_t max[] = {0x05, 0x64, 0xff};
    r = rd_init(max, sizeof max);
    assert_int_equal(d->frame(&r), 292);
    r = rd_init(b.b, b.n);
    assert_true(d->probe(&r, L4_TCP));
    b.b[9] ^= 1;
    r = rd_init(b.b, b.n);
    assert_false(d->probe(&r, L4_TCP));
    r = rd_init("\x05\x64\x05", 3);
    assert_false(d->probe(&r, L4_UDP));
}

static uint64_t xorshift(uint64_t x)
{
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return x;
}

/* byte mutations of valid frames (CRCs fixed up): never a crash, never an out-of-bounds read */
static void test_mutations(void **state)
{
    (void)state;
    struct buf a = {{0}, 0};
    device_attributes(&a);
    uint64_t x = 0x9e3779b97f4a7c15ull;
    for (int round = 0; round < 3000; round++) {
        uint8_t app[200];
        size_t n = a.n < sizeof app ? a.n : sizeof app;
        memcpy(app, a.b, n);
        if (round % 3 == 1) {
            crob(app, 1, (uint8_t)(3 + round % 4), 1, 0x03, 0);
            n = 20;
        }
        for (int k = 0; k < 1 + round % 4; k++) {
            x = xorshift(x);
            app[x % n] = (uint8_t)(x >> 24);
        }
        x = xorshift(x);
        size_t len = 1 + (size_t)(x % n);
        struct buf b = {{0}, 0};
        app_frame(&b, round & 1, app, len);
        dtest_pdu(&T, round & 1, b.b, b.n);
    }
    assert_true(T.nop >= 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_crc),
        cmocka_unit_test_setup_teardown(test_read_and_addresses, setup, teardown),
        cmocka_unit_test_setup_teardown(test_crob_select_operate, setup, teardown),
        cmocka_unit_test_setup_teardown(test_analog_output, setup, teardown),
        cmocka_unit_test_setup_teardown(test_function_kinds, setup, teardown),
        cmocka_unit_test_setup_teardown(test_write_kinds, setup, teardown),
        cmocka_unit_test_setup_teardown(test_open_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_iin_state, setup, teardown),
        cmocka_unit_test_setup_teardown(test_device_attributes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_transport_reassembly, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_crc, setup, teardown),
        cmocka_unit_test_setup_teardown(test_truncated, setup, teardown),
        cmocka_unit_test_setup_teardown(test_split_out_of_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_outstation_as_client, setup, teardown),
        cmocka_unit_test_setup_teardown(test_frame_and_probe, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mutations, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
