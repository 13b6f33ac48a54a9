/* test_iec104.c - IEC 60870-5-104 dissector: U/S/I frames, control-direction activations as
 * operations with common address, object address and value, negative and "unknown" mirrors as
 * their error results, the station's role and common address, several APDUs per segment and an
 * APDU split and reordered over segments, and hostile APDUs. */
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

extern const struct dissector dissector_iec104;

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
static void put_ioa(struct buf *b, uint32_t ioa)
{
    put_le16(b, (uint16_t)ioa);
    put8(b, (uint8_t)(ioa >> 16));
}

/* an I-format APDU around an ASDU header + objects (elements already laid out) */
static void apdu_i(struct buf *out, uint8_t type, uint8_t vsq, uint8_t cot, uint16_t ca,
                   const void *objs, size_t n)
{
    put8(out, 0x68);
    put8(out, (uint8_t)(4 + 6 + n));
    put(out, (const uint8_t[]){0x02, 0x00, 0x04, 0x00}, 4);
    put8(out, type);
    put8(out, vsq);
    put8(out, cot);
    put8(out, 0); /* originator */
    put_le16(out, ca);
    put(out, objs, n);
}

static void apdu_u(struct buf *out, uint8_t cf1)
{
    put(out, (const uint8_t[]){0x68, 0x04, cf1, 0, 0, 0}, 6);
}

static struct dtest T;

static int setup(void **state)
{
    (void)state;
    dtest_init(&T, &dissector_iec104, 0);
    return 0;
}
static int teardown(void **state)
{
    (void)state;
    dtest_done(&T);
    return 0;
}

/* one object: IOA + element bytes, as an activation from the controlling station */
static void act(uint8_t type, uint8_t cot, uint16_t ca, uint32_t ioa, const void *el, size_t n)
{
    struct buf o = {{0}, 0}, a = {{0}, 0};
    put_ioa(&o, ioa);
    put(&o, el, n);
    apdu_i(&a, type, 1, cot, ca, o.b, o.n);
    dtest_pdu(&T, 0, a.b, a.n);
}

static const struct dtest_op *last_op(void)
{
    return T.nop ? &T.ops[T.nop - 1] : NULL;
}

static void test_startdt_and_station(void **state)
{
    (void)state;
    struct buf b = {{0}, 0};
    apdu_u(&b, 0x07);
    dtest_pdu(&T, 0, b.b, b.n);
    assert_int_equal(T.nop, 1);
    assert_int_equal(T.ops[0].kind, OP_SESSION);
    assert_string_equal(T.ops[0].function, "startdt act");
    assert_true(dtest_has_role(&T, "rtu"));
    assert_true(T.roles[0].is_server);
    b.n = 0;
    apdu_u(&b, 0x0b);
    apdu_u(&b, 0x43);
    apdu_u(&b, 0x83);
    put(&b, (const uint8_t[]){0x68, 0x04, 0x01, 0x00, 0x0a, 0x00}, 6); /* S frame */
    for (size_t off = 0; off < b.n; off += 6)
        dtest_pdu(&T, 1, b.b + off, 6);
    assert_int_equal(T.nop, 1);
    assert_int_equal(T.nrole, 1);
    assert_int_equal(T.nmalformed, 0);
}

static void test_commands(void **state)
{
    (void)state;
    act(45, 6, 5, 1001, (const uint8_t[]){0x81}, 1);
    const struct dtest_op *op = last_op();
    assert_int_equal(op->kind, OP_COMMAND);
    assert_string_equal(op->function, "single command C_SC_NA_1 (45)");
    assert_string_equal(op->target, "ca 5 ioa 1001 on select");
    assert_string_equal(op->result, "");
    assert_true(op->src_is_client);
    act(45, 6, 5, 1001, (const uint8_t[]){0x05}, 1);
    assert_string_equal(last_op()->target, "ca 5 ioa 1001 on short pulse execute");
    act(46, 6, 5, 1002, (const uint8_t[]){0x01}, 1);
    assert_string_equal(last_op()->target, "ca 5 ioa 1002 off execute");
    act(47, 6, 5, 1003, (const uint8_t[]){0x82}, 1);
    assert_string_equal(last_op()->function, "regulating step command C_RC_NA_1 (47)");
    assert_string_equal(last_op()->target, "ca 5 ioa 1003 higher select");
    act(48, 6, 5, 2001, (const uint8_t[]){0x00, 0x40, 0x00}, 3);
    assert_string_equal(last_op()->target, "ca 5 ioa 2001 value 0.5 execute");
    act(49, 6, 5, 2002, (const uint8_t[]){0x18, 0xfc, 0x80}, 3);
    assert_string_equal(last_op()->target, "ca 5 ioa 2002 value -1000 select");
    act(50, 6, 5, 2003, (const uint8_t[]){0x00, 0x00, 0x48, 0x41, 0x00}, 5); /* 12.5f */
    assert_string_equal(last_op()->function, "set-point float C_SE_NC_1 (50)");
    assert_string_equal(last_op()->target, "ca 5 ioa 2003 value 12.5 execute");
    act(51, 6, 5, 3001, (const uint8_t[]){0x78, 0x56, 0x34, 0x12}, 4);
    assert_string_equal(last_op()->target, "ca 5 ioa 3001 bits 0x12345678");
    /* with CP56Time2a */
    act(58, 6, 5, 1001, (const uint8_t[]){0x00, 1, 2, 3, 4, 5, 6, 26}, 8);
    assert_string_equal(last_op()->function, "single command with time C_SC_TA_1 (58)");
    assert_string_equal(last_op()->target, "ca 5 ioa 1001 off execute");
    act(63, 6, 5, 2003, (const uint8_t[]){0x00, 0x00, 0x80, 0x3f, 0x00, 1, 2, 3, 4, 5, 6, 26}, 12);
    assert_string_equal(last_op()->target, "ca 5 ioa 2003 value 1 execute");
    /* deactivation and the test bit */
    act(45, 8, 5, 1001, (const uint8_t[]){0x81}, 1);
    assert_string_equal(last_op()->target, "ca 5 ioa 1001 on select deactivate");
    act(45, 0x86, 5, 1001, (const uint8_t[]){0x80}, 1);
    assert_string_equal(last_op()->target, "ca 5 ioa 1001 off select test");
    assert_int_equal(dtest_op_count(&T, OP_COMMAND), 12);
    /* the addressed station's common address, once */
    assert_int_equal(dtest_attr_count(&T, F_UNIT_ID), 1);
    assert_string_equal(dtest_attr(&T, F_UNIT_ID), "5");
    assert_true(T.attrs[0].is_server);
    assert_string_equal(T.attrs[0].source, "iec104 common address");
    assert_int_equal(T.nmalformed, 0);
}

static void test_system_commands(void **state)
{
    (void)state;
    static const struct {
        uint8_t type, cot;
        uint8_t el[16];
        size_t n;
        enum op_kind kind;
        const char *function, *target;
    } cases[] = {
        {100, 6, {20}, 1, OP_INTERROGATION, "interrogation C_IC_NA_1 (100)", "ca 7 station"},
        {100, 6, {22}, 1, OP_INTERROGATION, "interrogation C_IC_NA_1 (100)", "ca 7 group 2"},
        {101,
         6,
         {0x45},
         1,
         OP_INTERROGATION,
         "counter interrogation C_CI_NA_1 (101)",
         "ca 7 general freeze"},
        {102, 5, {0}, 0, OP_READ, "read C_RD_NA_1 (102)", "ca 7 ioa 4711"},
        {103,
         6,
         {1, 2, 3, 4, 5, 6, 26},
         7,
         OP_TIME_SYNC,
         "clock synchronization C_CS_NA_1 (103)",
         "ca 7"},
        {105, 6, {1}, 1, OP_RESTART, "reset process C_RP_NA_1 (105)", "ca 7 general reset"},
        {107,
         6,
         {0x55, 0xaa, 1, 2, 3, 4, 5, 6, 26},
         9,
         OP_DIAGNOSTIC,
         "test command with time C_TS_TA_1 (107)",
         "ca 7"},
        {110,
         6,
         {0x00, 0x20, 0x01},
         3,
         OP_CONFIG_WRITE,
         "parameter normalized P_ME_NA_1 (110)",
         "ca 7 ioa 4711 value 0.25 threshold"},
        {112,
         6,
         {0, 0, 0x20, 0x41, 0x04},
         5,
         OP_CONFIG_WRITE,
         "parameter float P_ME_NC_1 (112)",
         "ca 7 ioa 4711 value 10 high limit"},
        {113,
         6,
         {3},
         1,
         OP_CONFIG_WRITE,
         "parameter activation P_AC_NA_1 (113)",
         "ca 7 ioa 4711 qpa 3"},
        {122,
         13,
         {0x03, 0x00, 0x00, 0x02},
         4,
         OP_FILE_TRANSFER,
         "call file F_SC_NA_1 (122)",
         "ca 7 ioa 4711 file 3"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint32_t ioa =
            cases[i].type >= 100 && cases[i].type <= 107 && cases[i].type != 102 ? 0 : 4711;
        int before = dtest_op_count(&T, cases[i].kind);
        act(cases[i].type, cases[i].cot, 7, ioa, cases[i].el, cases[i].n);
        assert_int_equal(dtest_op_count(&T, cases[i].kind), before + 1);
        assert_string_equal(last_op()->function, cases[i].function);
        assert_string_equal(last_op()->target, cases[i].target);
    }
    assert_int_equal(T.nmalformed, 0);
    /* a file segment is a transfer step, not a new operation */
    int n = T.nop;
    act(125, 13, 7, 4711, (const uint8_t[]){0x03, 0x00, 0x01, 0x02, 0xaa, 0xbb}, 6);
    assert_int_equal(T.nop, n);
    assert_int_equal(T.nmalformed, 0);
}

static void test_negative_confirmation(void **state)
{
    (void)state;
    act(46, 6, 37133, 15000, (const uint8_t[]){0x82}, 1);
    struct buf o = {{0}, 0}, a = {{0}, 0};
    put_ioa(&o, 15000);
    put8(&o, 0x82);
    apdu_i(&a, 46, 1, 0x47, 37133, o.b, o.n);
    dtest_pdu(&T, 1, a.b, a.n);
    const struct dtest_op *op = last_op();
    assert_int_equal(dtest_op_count(&T, OP_COMMAND), 2);
    assert_string_equal(op->function, "double command C_DC_NA_1 (46)");
    assert_string_equal(op->target, "ca 37133 ioa 15000 on select");
    assert_string_equal(op->result, "negative activation confirmation");
    assert_false(op->src_is_client);
    /* a positive confirmation and the termination are no new operations */
    a.b[8] = 0x07;
    dtest_pdu(&T, 1, a.b, a.n);
    a.b[8] = 0x0a;
    dtest_pdu(&T, 1, a.b, a.n);
    assert_int_equal(T.nop, 2);
    /* unknown information object address (47) */
    a.b[8] = 47;
    dtest_pdu(&T, 1, a.b, a.n);
    assert_string_equal(last_op()->result, "unknown information object address (47)");
    /* one common address, about the station */
    assert_int_equal(dtest_attr_count(&T, F_UNIT_ID), 1);
    assert_string_equal(dtest_attr(&T, F_UNIT_ID), "37133");
    assert_int_equal(T.nmalformed, 0);
}

static void test_monitor_direction(void **state)
{
    (void)state;
    /* M_ME_TF_1 spontaneous from two common addresses; sequence of M_SP_NA_1 */
    struct buf o = {{0}, 0}, a = {{0}, 0};
    put_ioa(&o, 176843);
    put(&o, (const uint8_t[]){0, 0, 0x80, 0x3f, 0, 1, 2, 3, 4, 5, 6, 26}, 12);
    apdu_i(&a, 36, 1, 3, 10516, o.b, o.n);
    apdu_i(&a, 36, 1, 3, 10772, o.b, o.n);
    o.n = 0;
    put_ioa(&o, 10010);
    put(&o, (const uint8_t[]){1, 0, 1, 1}, 4);
    apdu_i(&a, 1, 0x84, 20, 10516, o.b, o.n);
    dtest_tcp(&T, 1, a.b, a.n); /* three APDUs in one segment */
    assert_int_equal(T.nop, 0);
    assert_int_equal(dtest_attr_count(&T, F_UNIT_ID), 2);
    for (int i = 0; i < T.nattr; i++)
        assert_true(T.attrs[i].is_server);
    assert_true(dtest_has_role(&T, "rtu"));
    assert_int_equal(dtest_flow_proto(&T), PROTO_IEC104);
    assert_int_equal(T.nmalformed, 0);
}

static void test_split_out_of_order(void **state)
{
    (void)state;
    struct buf a = {{0}, 0};
    apdu_u(&a, 0x07);
    struct buf o = {{0}, 0};
    put_ioa(&o, 0);
    put8(&o, 20);
    apdu_i(&a, 100, 1, 6, 1, o.b, o.n);
    o.n = 0;
    put_ioa(&o, 5000);
    put(&o, (const uint8_t[]){0, 0, 0x48, 0x41, 0}, 5);
    apdu_i(&a, 50, 1, 6, 1, o.b, o.n);
    size_t cut = 6 + 9;
    dtest_tcp_at(&T, 0, (uint32_t)cut, a.b + cut, a.n - cut);
    assert_int_equal(T.nop, 0);
    dtest_tcp_at(&T, 0, 0, a.b, cut);
    assert_int_equal(T.nop, 3);
    assert_int_equal(dtest_op_count(&T, OP_INTERROGATION), 1);
    assert_string_equal(dtest_op_find(&T, OP_COMMAND)->target, "ca 1 ioa 5000 value 12.5 execute");
    assert_int_equal(T.nmalformed, 0);
}

static void test_station_as_client(void **state)
{
    (void)state;
    /* the controlled station connected out (dir 0) and sends monitor data */
    struct buf o = {{0}, 0}, a = {{0}, 0};
    put_ioa(&o, 0);
    put8(&o, 0);
    apdu_i(&a, 70, 1, 4, 9, o.b, o.n);
    dtest_pdu(&T, 0, a.b, a.n);
    assert_int_equal(T.flow.client, 1);
    assert_true(dtest_has_role(&T, "rtu"));
    assert_string_equal(dtest_attr(&T, F_UNIT_ID), "9");
}

static void test_malformed(void **state)
{
    (void)state;
    static const uint8_t bad_len[] = {0x68, 0x05, 0x07, 0, 0, 0};
    dtest_pdu(&T, 0, bad_len, sizeof bad_len);
    assert_string_equal(T.last_malformed, "iec104: bad apci");
    static const uint8_t bad_u[] = {0x68, 0x04, 0x0f, 0, 0, 0};
    dtest_pdu(&T, 0, bad_u, sizeof bad_u);
    assert_string_equal(T.last_malformed, "iec104: bad u-frame function");
    static const uint8_t empty_i[] = {0x68, 0x04, 0x00, 0, 0, 0};
    dtest_pdu(&T, 0, empty_i, sizeof empty_i);
    assert_string_equal(T.last_malformed, "iec104: i-frame without asdu");
    static const uint8_t short_asdu[] = {0x68, 0x07, 0x00, 0, 0, 0, 45, 1, 6};
    dtest_pdu(&T, 0, short_asdu, sizeof short_asdu);
    assert_string_equal(T.last_malformed, "iec104: truncated asdu header");
    /* two objects announced, one present */
    struct buf o = {{0}, 0}, a = {{0}, 0};
    put_ioa(&o, 1);
    put8(&o, 1);
    apdu_i(&a, 45, 2, 6, 1, o.b, o.n);
    dtest_pdu(&T, 0, a.b, a.n);
    assert_string_equal(T.last_malformed, "iec104: asdu length does not match its objects");
    assert_int_equal(T.nmalformed, 5);
    assert_int_equal(T.nop, 0);
    /* every truncation of a valid APDU is reported, never read past */
    a.n = 0;
    apdu_i(&a, 45, 1, 6, 1, o.b, o.n);
    for (size_t cut = 1; cut < a.n; cut++) {
        int before = T.nmalformed;
        dtest_pdu(&T, 0, a.b, cut);
        assert_int_equal(T.nmalformed, before + 1);
    }
    assert_int_equal(T.nop, 0);
}

static void test_frame_and_probe(void **state)
{
    (void)state;
    const struct dissector *d = &dissector_iec104;
    static const uint8_t startdt[] = {0x68, 0x04, 0x07, 0, 0, 0};
    struct rd r = rd_init(startdt, sizeof startdt);
    assert_int_equal(d->frame(&r), 6);
    r = rd_init(startdt, 1);
    assert_int_equal(d->frame(&r), FRAME_NEED_MORE);
    static const uint8_t junk[] = {0x00, 0x68, 0x04};
    r = rd_init(junk, sizeof junk);
    assert_int_equal(d->frame(&r), FRAME_NOT_OURS);
    static const uint8_t tiny[] = {0x68, 0x03, 0x07};
    r = rd_init(tiny, sizeof tiny);
    assert_int_equal(d->frame(&r), FRAME_NOT_OURS);
    static const uint8_t big[] = {0x68, 0xfe};
    r = rd_init(big, sizeof big);
    assert_int_equal(d->frame(&r), FRAME_NOT_OURS);
    r = rd_init(startdt, sizeof startdt);
    assert_true(d->probe(&r, L4_TCP));
    assert_false(d->probe(&r, L4_UDP));
    static const uint8_t bad_u[] = {0x68, 0x04, 0x0f, 0, 0, 0};
    r = rd_init(bad_u, sizeof bad_u);
    assert_false(d->probe(&r, L4_TCP));
    struct buf a = {{0}, 0}, o = {{0}, 0};
    put_ioa(&o, 0);
    put8(&o, 20);
    apdu_i(&a, 100, 1, 6, 1, o.b, o.n);
    r = rd_init(a.b, a.n);
    assert_true(d->probe(&r, L4_TCP));
    a.b[6] = 0; /* type 0 */
    r = rd_init(a.b, a.n);
    assert_false(d->probe(&r, L4_TCP));
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
    uint64_t x = 0x2545F4914F6CDD1Dull;
    for (int round = 0; round < 4000; round++) {
        struct buf a = {{0}, 0}, o = {{0}, 0};
        for (int k = 0; k < 3; k++) {
            x = xorshift(x);
            put_ioa(&o, (uint32_t)x);
            put(&o, &x, 8);
        }
        x = xorshift(x);
        apdu_i(&a, (uint8_t)(40 + x % 90), (uint8_t)(x >> 8), (uint8_t)(x >> 16), 1, o.b,
               (size_t)(x >> 24) % o.n);
        for (int k = 0; k < round % 3; k++) {
            x = xorshift(x);
            a.b[x % a.n] = (uint8_t)(x >> 32);
        }
        dtest_pdu(&T, round & 1, a.b, a.n);
    }
    assert_true(T.nmalformed > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_startdt_and_station, setup, teardown),
        cmocka_unit_test_setup_teardown(test_commands, setup, teardown),
        cmocka_unit_test_setup_teardown(test_system_commands, setup, teardown),
        cmocka_unit_test_setup_teardown(test_negative_confirmation, setup, teardown),
        cmocka_unit_test_setup_teardown(test_monitor_direction, setup, teardown),
        cmocka_unit_test_setup_teardown(test_split_out_of_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_station_as_client, setup, teardown),
        cmocka_unit_test_setup_teardown(test_malformed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_frame_and_probe, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mutations, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
