/* test_reasm.c - TCP reassembly through the real flow table and dispatcher, with a toy
 * length-prefixed protocol: in order, split, out of order, retransmitted, overlapping, lost
 * (gap), sequence wrap-around, oversize PDUs and too much disorder. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "dissect/dissect.h"
#include "flow/flow.h"

/* toy protocol: 2-byte big-endian length, then that many bytes; first byte of body 'A'..'Z' */
static char seen[64][8];
static int nseen, ngap;

static long toy_frame(const struct rd *s)
{
    if (rd_left(s) < 2)
        return FRAME_NEED_MORE;
    uint16_t len = rd_peek_be16(s, 0);
    if (len == 0xffff)
        return FRAME_NOT_OURS;
    return 2 + (long)len;
}

static void toy_parse(struct pctx *c, void *state, int dir, struct rd *pdu)
{
    (void)c, (void)state, (void)dir;
    uint16_t len = rd_be16(pdu);
    char tag[8] = "";
    if (len)
        rd_str(pdu, len < 7 ? len : 7, tag, sizeof tag);
    if (nseen < 64)
        memcpy(seen[nseen++], tag, sizeof tag);
}

static void toy_gap(void *state, int dir)
{
    (void)state, (void)dir;
    ngap++;
}

static const struct dissector toy = {
    .name = "toy", .proto = PROTO_MODBUS, .state_size = 8,
    .frame = toy_frame, .parse = toy_parse, .gap = toy_gap,
};

struct ctx {
    struct flow_table *ft;
    struct dispatch *d;
    uint32_t isn[2];
    uint64_t frame;
};

static struct ctx C;

static int setup(void **st)
{
    (void)st;
    dissect_init();
    struct flow_config cfg;
    flow_config_default(&cfg);
    cfg.max_flows = 16;
    cfg.max_states = 4;
    cfg.reasm_side_max = 4096;
    C.ft = flow_table_new(&cfg, NULL, NULL);
    C.d = dispatch_new(C.ft, NULL, NULL);
    dispatch_force_dissector(C.d, &toy);
    C.frame = 0;
    nseen = ngap = 0;
    return 0;
}

static int teardown(void **st)
{
    (void)st;
    dispatch_free(C.d);
    flow_table_free(C.ft);
    return 0;
}

static void send(int dir, uint32_t rel, uint8_t flags, const void *data, size_t n, uint32_t ack)
{
    struct pkt p;
    memset(&p, 0, sizeof p);
    p.frame = ++C.frame;
    p.ts_ns = (int64_t)C.frame * 1000;
    p.src.family = p.dst.family = 4;
    p.src.b[0] = p.dst.b[0] = 10;
    p.src.b[3] = dir ? 2 : 1;
    p.dst.b[3] = dir ? 1 : 2;
    p.l4 = L4_TCP;
    p.sport = dir ? 502 : 40000;
    p.dport = dir ? 40000 : 502;
    p.seq = C.isn[dir] + rel;
    p.ack = ack;
    p.tcp_flags = flags;
    p.payload = rd_init(data, n);
    dispatch_packet(C.d, &p);
}

static void open_conn(uint32_t isn_c, uint32_t isn_s)
{
    C.isn[0] = isn_c;
    C.isn[1] = isn_s;
    send(0, 0, TCP_SYN, NULL, 0, 0);
    send(1, 0, TCP_SYN | TCP_ACK, NULL, 0, isn_c + 1);
    send(0, 1, TCP_ACK, NULL, 0, isn_s + 1);
}

/* client data at byte offset off of its stream (0 = first data byte) */
static void cdata(uint32_t off, const char *s, size_t n)
{
    send(0, 1 + off, TCP_ACK | TCP_PSH, s, n, C.isn[1] + 1);
}

static const struct flow_stats *stats(void)
{
    return flow_table_stats(C.ft);
}

static void in_order_two_pdus_one_segment(void **st)
{
    (void)st;
    open_conn(1000, 9000);
    cdata(0, "\0\2AB\0\1C", 7);
    assert_int_equal(nseen, 2);
    assert_string_equal(seen[0], "AB");
    assert_string_equal(seen[1], "C");
}

static void pdu_split_over_three_segments(void **st)
{
    (void)st;
    open_conn(1000, 9000);
    cdata(0, "\0", 1);
    cdata(1, "\5HE", 3);
    assert_int_equal(nseen, 0);
    cdata(4, "LLO\0\1X", 6);
    assert_int_equal(nseen, 2);
    assert_string_equal(seen[0], "HELLO");
    assert_string_equal(seen[1], "X");
}

static void out_of_order_is_delivered_in_order(void **st)
{
    (void)st;
    open_conn(1000, 9000);
    cdata(4, "\0\1B", 3); /* second PDU first */
    assert_int_equal(nseen, 0);
    cdata(0, "\0\2AA", 4);
    assert_int_equal(nseen, 2);
    assert_string_equal(seen[0], "AA");
    assert_string_equal(seen[1], "B");
    assert_true(stats()->ooo_segments >= 1);
    assert_int_equal(ngap, 0);
}

static void retransmission_and_overlap_deliver_once(void **st)
{
    (void)st;
    open_conn(1000, 9000);
    cdata(0, "\0\3ABC", 5);
    cdata(0, "\0\3ABC", 5);          /* full retransmission */
    cdata(3, "BC\0\2DE", 6);         /* overlaps the first PDU's tail */
    assert_int_equal(nseen, 2);
    assert_string_equal(seen[0], "ABC");
    assert_string_equal(seen[1], "DE");
    assert_true(stats()->retrans_bytes >= 7);
}

static void first_copy_wins_on_conflicting_overlap(void **st)
{
    (void)st;
    open_conn(1000, 9000);
    cdata(0, "\0\4", 2);
    cdata(4, "ZZ", 2);   /* ahead of a hole */
    cdata(4, "QQ", 2);   /* conflicting retransmission of the same bytes */
    cdata(2, "AB", 2);   /* fills the hole */
    assert_int_equal(nseen, 1);
    assert_string_equal(seen[0], "ABZZ");
}

static void lost_segment_is_a_gap_and_parsing_resumes(void **st)
{
    (void)st;
    open_conn(1000, 9000);
    cdata(0, "\0\2AB", 4);
    /* bytes 4..8 ("\0\3CDE") never captured; the server acknowledges them */
    send(1, 1, TCP_ACK, NULL, 0, 1000 + 1 + 9);
    cdata(9, "\0\1F", 3);
    assert_int_equal(ngap, 1);
    assert_int_equal(stats()->reasm_gaps, 1);
    assert_int_equal(nseen, 2);
    assert_string_equal(seen[1], "F");
}

static void sequence_numbers_wrap_around(void **st)
{
    (void)st;
    open_conn(0xfffffffau, 0x7fffffffu); /* first data byte at 0xfffffffb */
    cdata(0, "\0\4", 2);
    cdata(2, "WR", 2);        /* crosses 2^32 */
    cdata(6, "\0\1Y", 3);     /* ahead */
    cdata(4, "AP", 2);
    assert_int_equal(nseen, 2);
    assert_string_equal(seen[0], "WRAP");
    assert_string_equal(seen[1], "Y");
    assert_int_equal(ngap, 0);
}

static void oversize_pdu_is_skipped_in_sync(void **st)
{
    (void)st;
    open_conn(1000, 9000);
    static char big[6002];
    big[0] = 0x17; /* 0x1770 = 6000 > 4096 per side */
    big[1] = 0x70;
    memset(big + 2, 'x', 6000);
    cdata(0, big, 3000);
    cdata(3000, big + 3000, 3002);
    cdata(6002, "\0\1K", 3);
    assert_int_equal(nseen, 1);
    assert_string_equal(seen[0], "K");
    assert_true(stats()->reasm_overflow >= 1);
}

static void garbage_resyncs_at_next_segment(void **st)
{
    (void)st;
    open_conn(1000, 9000);
    cdata(0, "\xff\xff junk", 7);
    cdata(7, "\0\1G", 3);
    assert_int_equal(nseen, 1);
    assert_string_equal(seen[0], "G");
}

static void too_many_holes_gives_up_the_first(void **st)
{
    (void)st;
    open_conn(1000, 9000);
    cdata(0, "\0\1A", 3);
    /* five islands ahead of a hole at 3..9: more than the buffer tracks */
    cdata(10, "\0\1B", 3);
    cdata(20, "\0\1C", 3);
    cdata(30, "\0\1D", 3);
    cdata(40, "\0\1E", 3);
    cdata(50, "\0\1F", 3);
    assert_true(ngap >= 1);
    assert_string_equal(seen[0], "A");
    assert_true(nseen >= 2); /* parsing went on after the first island */
}

static void midstream_pickup_without_handshake(void **st)
{
    (void)st;
    C.isn[0] = 5000;
    C.isn[1] = 7000;
    cdata(100, "\0\2MS", 4);
    assert_int_equal(nseen, 1);
    assert_string_equal(seen[0], "MS");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(in_order_two_pdus_one_segment, setup, teardown),
        cmocka_unit_test_setup_teardown(pdu_split_over_three_segments, setup, teardown),
        cmocka_unit_test_setup_teardown(out_of_order_is_delivered_in_order, setup, teardown),
        cmocka_unit_test_setup_teardown(retransmission_and_overlap_deliver_once, setup, teardown),
        cmocka_unit_test_setup_teardown(first_copy_wins_on_conflicting_overlap, setup, teardown),
        cmocka_unit_test_setup_teardown(lost_segment_is_a_gap_and_parsing_resumes, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(sequence_numbers_wrap_around, setup, teardown),
        cmocka_unit_test_setup_teardown(oversize_pdu_is_skipped_in_sync, setup, teardown),
        cmocka_unit_test_setup_teardown(garbage_resyncs_at_next_segment, setup, teardown),
        cmocka_unit_test_setup_teardown(too_many_holes_gives_up_the_first, setup, teardown),
        cmocka_unit_test_setup_teardown(midstream_pickup_without_handshake, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
