/* test_goose.c - IEC 61850-8-1 GOOSE on ethertype 0x88b8: every header and goosePdu field of a
 * hand-made frame decoded, the publisher's identity and role, optional/DEFAULT elements left
 * out, the simulation bit and test flag, and hostile frames: truncations at every length, a
 * header length lie, nested lengths reaching past their container or the frame, fields out of
 * order or missing, a data count lie, nesting too deep, and random mutations. */
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

#include "dissect/goose.h"
#include "dtest.h"

extern const struct dissector dissector_goose;

struct buf {
    uint8_t b[1600];
    size_t n;
};
static void put(struct buf *b, const void *p, size_t n)
{
    if (n)
        memcpy(b->b + b->n, p, n);
    b->n += n;
}
static void put8(struct buf *b, uint8_t v)
{
    b->b[b->n++] = v;
}
static void put_be16(struct buf *b, uint16_t v)
{
    put8(b, (uint8_t)(v >> 8));
    put8(b, (uint8_t)v);
}
/* a BER element with a short or 0x81 length */
static void tlv(struct buf *b, uint8_t tag, const void *p, size_t n)
{
    put8(b, tag);
    if (n >= 128)
        put8(b, 0x81);
    put8(b, (uint8_t)n);
    put(b, p, n);
}
static void tlv_s(struct buf *b, uint8_t tag, const char *s)
{
    tlv(b, tag, s, strlen(s));
}

/* the pieces of a goosePdu, so that tests can leave out or break one */
struct parts {
    bool no_go_id, no_test, no_nds_com, swap;
    uint8_t test;
    uint8_t entries; /* numDatSetEntries written */
    uint16_t reserved1;
};

/* allData: boolean, quality bit-string, utc-time, structure {bit-string, float} = 4 entries */
static void all_data(struct buf *d)
{
    d->n = 0;
    tlv(d, 0x83, "\x01", 1);
    tlv(d, 0x84, "\x03\x00\x00", 3);
    tlv(d, 0x91, "\x69\x55\xb9\x00\x80\x00\x00\x0a", 8);
    struct buf s = {.n = 0};
    tlv(&s, 0x84, "\x06\x40", 2);
    tlv(&s, 0x87, "\x08\x41\x48\x00\x00", 5);
    tlv(d, 0xa2, s.b, s.n);
}

static void goose_frame(struct buf *f, const struct parts *p)
{
    struct buf pdu = {.n = 0}, d;
    tlv_s(&pdu, 0x80, "IED1CTRL/LLN0$GO$gcb01");
    tlv(&pdu, 0x81, "\x07\xd0", 2); /* 2000 ms */
    tlv_s(&pdu, 0x82, "IED1CTRL/LLN0$dsTrip");
    if (!p->no_go_id)
        tlv_s(&pdu, 0x83, "IED1_TRIP");
    tlv(&pdu, 0x84, "\x69\x55\xb9\x00\x80\x00\x00\x0a", 8); /* 2026-01-01 00:00:00.5 */
    if (p->swap) {                                          /* sqNum before stNum */
        tlv(&pdu, 0x86, "\x05", 1);
        tlv(&pdu, 0x85, "\x00\x80\x00\x00\x01", 5);
    } else {
        tlv(&pdu, 0x85, "\x00\x80\x00\x00\x01", 5); /* 2^31 + 1: needs the leading zero */
        tlv(&pdu, 0x86, "\x05", 1);
    }
    if (!p->no_test)
        tlv(&pdu, 0x87, &p->test, 1);
    tlv(&pdu, 0x88, "\x03", 1);
    if (!p->no_nds_com)
        tlv(&pdu, 0x89, "\x00", 1);
    tlv(&pdu, 0x8a, &p->entries, 1);
    all_data(&d);
    tlv(&pdu, 0xab, d.b, d.n);
    struct buf apdu = {.n = 0};
    tlv(&apdu, 0x61, pdu.b, pdu.n);
    f->n = 0;
    put_be16(f, 0x0001);
    put_be16(f, (uint16_t)(8 + apdu.n));
    put_be16(f, p->reserved1);
    put_be16(f, 0);
    put(f, apdu.b, apdu.n);
}

static const struct parts normal = {.entries = 4};

static struct dtest T;

static int setup(void **state)
{
    (void)state;
    dtest_init(&T, &dissector_goose, 0);
    return 0;
}
static int teardown(void **state)
{
    (void)state;
    dtest_done(&T);
    return 0;
}

static bool decode(const struct buf *f, struct goose_pdu *g, const char **why)
{
    static char whybuf[128];
    struct rd r = rd_init(f->b, f->n);
    return goose_decode(&r, g, whybuf, sizeof whybuf, why);
}

static void test_normal_fields(void **state)
{
    (void)state;
    struct buf f;
    goose_frame(&f, &normal);
    struct goose_pdu g;
    const char *why;
    assert_true(decode(&f, &g, &why));
    assert_int_equal(g.appid, 1);
    assert_int_equal(g.length, f.n);
    assert_int_equal(g.reserved1, 0);
    assert_int_equal(g.reserved2, 0);
    assert_false(g.simulation_bit);
    assert_string_equal(g.gocb_ref, "IED1CTRL/LLN0$GO$gcb01");
    assert_int_equal(g.tal_ms, 2000);
    assert_string_equal(g.dat_set, "IED1CTRL/LLN0$dsTrip");
    assert_true(g.has_go_id);
    assert_string_equal(g.go_id, "IED1_TRIP");
    assert_int_equal(g.t_sec, 0x6955b900u);
    assert_int_equal(g.t_frac, 0x800000u);
    assert_int_equal(g.t_quality, 0x0a);
    assert_true(g.t_ns == 1767225600500000000ll);
    assert_int_equal(g.st_num, 0x80000001u);
    assert_int_equal(g.sq_num, 5);
    assert_false(g.test);
    assert_int_equal(g.conf_rev, 3);
    assert_false(g.nds_com);
    assert_int_equal(g.num_entries, 4);
    assert_int_equal(g.n_data, 4);
    assert_int_equal(g.n_values, 6);
    assert_int_equal(g.n_type[3], 1);
    assert_int_equal(g.n_type[4], 2);
    assert_int_equal(g.n_type[17], 1);
    assert_int_equal(g.n_type[2], 1);
    assert_int_equal(g.n_type[7], 1);
    assert_false(g.has_security);
    assert_string_equal(goose_data_type_name(17), "utc-time");
    assert_null(goose_data_type_name(40));
}

static bool has_protocol(const char *name)
{
    for (int i = 0; i < T.nprotocol; i++)
        if (!strcmp(T.protocols[i].a, name) && !strcmp(T.protocols[i].b, "sender"))
            return true;
    return false;
}

static void test_publisher_identity(void **state)
{
    (void)state;
    struct buf f;
    goose_frame(&f, &normal);
    put(&f, "\0\0\0\0\0\0", 6); /* Ethernet padding after the APDU */
    dtest_l2(&T, f.b, f.n);
    assert_int_equal(T.nmalformed, 0);
    assert_true(has_protocol("goose"));
    assert_true(dtest_has_role(&T, "ied"));
    assert_string_equal(dtest_attr(&T, F_MODULE_NAME), "IED1CTRL");
    assert_string_equal(dtest_attr(&T, F_GOOSE_GOCB_REF), "IED1CTRL/LLN0$GO$gcb01");
    assert_string_equal(dtest_attr(&T, F_GOOSE_DATASET), "IED1CTRL/LLN0$dsTrip");
    assert_string_equal(dtest_attr(&T, F_GOOSE_ID), "IED1_TRIP");
    assert_string_equal(dtest_attr(&T, F_GOOSE_APPID), "0x0001");
    assert_string_equal(dtest_attr(&T, F_GOOSE_CONF_REV), "3");
    assert_null(dtest_attr(&T, F_NAME));
    for (int i = 0; i < T.nattr; i++) {
        assert_true(T.attrs[i].is_src);
        assert_string_equal(T.attrs[i].source, "goose goosePdu");
    }
    assert_int_equal(T.nop, 0);
    assert_string_equal(attr_name(F_GOOSE_GOCB_REF), "goose_gocb_ref");
    assert_int_equal(attr_by_name("goose_conf_rev"), F_GOOSE_CONF_REV);
}

static void test_optional_and_flags(void **state)
{
    (void)state;
    struct buf f;
    struct goose_pdu g;
    const char *why;
    struct parts p = normal;
    p.no_go_id = p.no_test = p.no_nds_com = true; /* OPTIONAL and DEFAULT FALSE elements */
    goose_frame(&f, &p);
    assert_true(decode(&f, &g, &why));
    assert_false(g.has_go_id);
    assert_false(g.test);
    dtest_l2(&T, f.b, f.n);
    assert_null(dtest_attr(&T, F_GOOSE_ID));
    assert_string_equal(dtest_attr(&T, F_MODULE_NAME), "IED1CTRL");

    p = normal;
    p.test = 0xff;
    p.reserved1 = 0x8000;
    goose_frame(&f, &p);
    assert_true(decode(&f, &g, &why));
    assert_true(g.test);
    assert_true(g.simulation_bit);
    assert_int_equal(g.reserved1, 0x8000);
    assert_int_equal(T.nmalformed, 0);

    /* no logical device in a reference without '/' */
    char ld[16];
    assert_false(goose_logical_device("gcb01", ld, sizeof ld));
    assert_false(goose_logical_device("/LLN0", ld, sizeof ld));
    assert_true(goose_logical_device("A/B/C", ld, sizeof ld));
    assert_string_equal(ld, "A");
}

/* every prefix of a good frame is malformed and yields nothing */
static void test_truncated(void **state)
{
    (void)state;
    struct buf f;
    goose_frame(&f, &normal);
    for (size_t n = 0; n < f.n; n++) {
        int before = T.nmalformed;
        dtest_l2(&T, f.b, n);
        assert_int_equal(T.nmalformed, before + 1);
    }
    assert_int_equal(T.nattr, 0);
    assert_int_equal(T.nprotocol, 0);
    assert_int_equal(T.nrole, 0);
}

static void expect_malformed(const struct buf *f, const char *reason_start)
{
    int before = T.nmalformed;
    dtest_l2(&T, f->b, f->n);
    assert_int_equal(T.nmalformed, before + 1);
    if (strncmp(T.last_malformed, reason_start, strlen(reason_start)) != 0)
        fail_msg("malformed reason '%s' does not start with '%s'", T.last_malformed, reason_start);
    assert_int_equal(T.nattr, 0);
}

static void test_length_lies(void **state)
{
    (void)state;
    struct buf f;
    goose_frame(&f, &normal);
    f.b[2] = 0x01; /* Length 256+: more than the frame holds */
    expect_malformed(&f, "goose: length ");
    assert_non_null(strstr(T.last_malformed, "beyond the frame"));
    goose_frame(&f, &normal);
    f.b[2] = 0;
    f.b[3] = 7; /* below the header */
    expect_malformed(&f, "goose: length 7 below");
    goose_frame(&f, &normal);
    f.b[3] = (uint8_t)(f.b[3] - 10); /* APDU cut by the header length: goosePdu reaches past */
    expect_malformed(&f, "goose: goosePdu header cut or its length beyond the APDU");
}

static void test_nested_lengths(void **state)
{
    (void)state;
    struct buf f;
    /* goosePdu claims more than the APDU */
    goose_frame(&f, &normal);
    f.b[9] = (uint8_t)(f.b[9] + 1);
    expect_malformed(&f, "goose: goosePdu header cut");
    /* gocbRef claims more than the goosePdu holds */
    goose_frame(&f, &normal);
    assert_int_equal(f.b[10], 0x80);
    f.b[11] = 0x7f;
    expect_malformed(&f, "goose: goosePdu element after the start cut or too long");
    /* a long-form length of four octets far beyond everything */
    goose_frame(&f, &normal);
    memcpy(f.b + 11, (const uint8_t[]){0x84, 0xff, 0xff, 0xff, 0xf0}, 5);
    expect_malformed(&f, "goose: goosePdu element after the start cut or too long");
    /* the structure inside allData claims more than allData */
    goose_frame(&f, &normal);
    size_t at = f.n - 13; /* the tail: a2 0b {84 02 ..} {87 05 ....} */
    assert_int_equal(f.b[at], 0xa2);
    f.b[at + 1] = 0x20;
    expect_malformed(&f, "goose: allData element cut");
    /* an indefinite length (BER, not DER) */
    goose_frame(&f, &normal);
    f.b[9] = 0x80;
    expect_malformed(&f, "goose: goosePdu header cut");
}

static void test_structure_faults(void **state)
{
    (void)state;
    struct buf f;
    struct parts p = normal;
    p.swap = true;
    goose_frame(&f, &p);
    expect_malformed(&f, "goose: unexpected element 0x85 after sqNum");
    p = normal;
    p.entries = 5;
    goose_frame(&f, &p);
    expect_malformed(&f, "goose: numDatSetEntries 5 but allData holds 4");
    /* not a goosePdu: GSE management tag */
    goose_frame(&f, &normal);
    f.b[8] = 0x62;
    expect_malformed(&f, "goose: APDU tag 0x62");
    /* utc-time of 7 octets: shorten t and every enclosing length */
    goose_frame(&f, &normal);
    struct buf s = {.n = 0};
    size_t t_at = 0;
    for (size_t i = 10; i + 1 < f.n; i++)
        if (f.b[i] == 0x84 && f.b[i + 1] == 8) {
            t_at = i;
            break;
        }
    assert_true(t_at > 0);
    put(&s, f.b, t_at + 1);
    put8(&s, 7);
    put(&s, f.b + t_at + 2, 7);
    put(&s, f.b + t_at + 10, f.n - t_at - 10);
    s.b[3] = (uint8_t)(s.b[3] - 1);
    s.b[9] = (uint8_t)(s.b[9] - 1);
    expect_malformed(&s, "goose: invalid t");
    /* a missing mandatory element: drop confRev (3 octets) */
    goose_frame(&f, &normal);
    size_t c_at = 0;
    for (size_t i = 10; i + 2 < f.n; i++)
        if (f.b[i] == 0x88 && f.b[i + 1] == 1 && f.b[i + 2] == 3) {
            c_at = i;
            break;
        }
    assert_true(c_at > 0);
    s.n = 0;
    put(&s, f.b, c_at);
    put(&s, f.b + c_at + 3, f.n - c_at - 3);
    s.b[3] = (uint8_t)(s.b[3] - 3);
    s.b[9] = (uint8_t)(s.b[9] - 3);
    expect_malformed(&s, "goose: goosePdu without confRev");
}

/* structures nested deeper than GOOSE_DEPTH_MAX are refused, just inside it accepted */
static void nested_frame(struct buf *f, int depth)
{
    struct buf in = {.n = 0}, tmp;
    tlv(&in, 0x83, "\x01", 1);
    for (int i = 0; i < depth; i++) {
        tmp.n = 0;
        tlv(&tmp, 0xa2, in.b, in.n);
        in = tmp;
    }
    struct buf pdu = {.n = 0};
    tlv_s(&pdu, 0x80, "LD/LLN0$GO$g");
    tlv(&pdu, 0x81, "\x01", 1);
    tlv_s(&pdu, 0x82, "LD/LLN0$ds");
    tlv(&pdu, 0x84, "\0\0\0\0\0\0\0\0", 8);
    tlv(&pdu, 0x85, "\x01", 1);
    tlv(&pdu, 0x86, "\x00", 1);
    tlv(&pdu, 0x88, "\x01", 1);
    tlv(&pdu, 0x8a, "\x01", 1);
    tlv(&pdu, 0xab, in.b, in.n);
    struct buf apdu = {.n = 0};
    tlv(&apdu, 0x61, pdu.b, pdu.n);
    f->n = 0;
    put_be16(f, 0x3fff);
    put_be16(f, (uint16_t)(8 + apdu.n));
    put_be16(f, 0);
    put_be16(f, 0);
    put(f, apdu.b, apdu.n);
}

static void test_depth(void **state)
{
    (void)state;
    struct buf f;
    struct goose_pdu g;
    const char *why;
    nested_frame(&f, GOOSE_DEPTH_MAX - 1);
    assert_true(decode(&f, &g, &why));
    assert_int_equal(g.n_data, 1);
    assert_int_equal(g.n_values, GOOSE_DEPTH_MAX);
    nested_frame(&f, GOOSE_DEPTH_MAX);
    assert_false(decode(&f, &g, &why));
    assert_string_equal(why, "goose: allData nested too deep");
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
    uint64_t x = 0x9E3779B97F4A7C15ull;
    struct buf base;
    goose_frame(&base, &normal);
    for (int round = 0; round < 20000; round++) {
        struct buf a = base;
        for (int k = 0; k < 1 + round % 4; k++) {
            x = xorshift(x);
            a.b[x % a.n] = (uint8_t)(x >> 32);
        }
        x = xorshift(x);
        if (round % 5 == 0)
            a.n = x % (a.n + 1);
        dtest_l2(&T, a.b, a.n);
    }
    assert_true(T.nmalformed > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_normal_fields, setup, teardown),
        cmocka_unit_test_setup_teardown(test_publisher_identity, setup, teardown),
        cmocka_unit_test_setup_teardown(test_optional_and_flags, setup, teardown),
        cmocka_unit_test_setup_teardown(test_truncated, setup, teardown),
        cmocka_unit_test_setup_teardown(test_length_lies, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nested_lengths, setup, teardown),
        cmocka_unit_test_setup_teardown(test_structure_faults, setup, teardown),
        cmocka_unit_test_setup_teardown(test_depth, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mutations, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
