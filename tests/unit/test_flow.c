/* test_flow.c - the flow table: one flow for both directions, who the client is, idle expiry with
 * per-transport timeouts, the hard bound on concurrent flows with LRU eviction, port reuse after
 * a closed connection, and the VLAN in the key.  The done callback must see every flow exactly
 * once, whatever removed it (expiry, eviction, port reuse, flush). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "dissect/dissect.h"
#include "flow/flow.h"

#define SEC 1000000000ll

/* ---- the done-callback recorder: flows are told apart by the client-side port ---- */
#define MAXREC 512
static struct {
    int calls;
    int per_port[65536]; /* done calls per key.port[0] */
    uint16_t order[MAXREC];
    int64_t last_ns[MAXREC];
} R;

static void on_done(void *arg, struct flow *f)
{
    assert_ptr_equal(arg, &R);
    /* the flow is intact during the call */
    assert_true(f->key.l4 == L4_TCP || f->key.l4 == L4_UDP);
    assert_true(f->key.ip[0].family == 4 || f->key.ip[0].family == 6);
    if (R.calls < MAXREC) {
        R.order[R.calls] = f->key.port[0];
        R.last_ns[R.calls] = f->last_ns;
    }
    R.calls++;
    R.per_port[f->key.port[0]]++;
}

static struct flow_table *T;
static struct flow_config CFG;

static int setup(void **st)
{
    (void)st;
    dissect_init();
    memset(&R, 0, sizeof R);
    flow_config_default(&CFG);
    CFG.max_flows = 64;
    CFG.max_states = 16;
    T = flow_table_new(&CFG, on_done, &R);
    return T ? 0 : -1;
}

static int teardown(void **st)
{
    (void)st;
    flow_table_free(T);
    T = NULL;
    return 0;
}

static struct pkt mk(uint8_t l4, const char *src, uint16_t sp, const char *dst, uint16_t dp,
                     uint8_t flags, int64_t ts)
{
    struct pkt p;
    memset(&p, 0, sizeof p);
    assert_true(ip_parse(src, &p.src));
    assert_true(ip_parse(dst, &p.dst));
    p.l4 = l4;
    p.sport = sp;
    p.dport = dp;
    p.tcp_flags = flags;
    p.ts_ns = ts;
    return p;
}

static struct flow *look(const struct pkt *p, int *side)
{
    int s = -1;
    struct flow *f = flow_lookup(T, p, &s);
    assert_non_null(f);
    assert_true(s == 0 || s == 1);
    if (side)
        *side = s;
    return f;
}

static const struct flow_stats *stats(void)
{
    return flow_table_stats(T);
}

/* ---- tests ---- */

static void both_directions_find_the_same_flow(void **st)
{
    (void)st;
    struct pkt a = mk(L4_TCP, "10.0.0.9", 40000, "10.0.0.2", 8000, TCP_ACK, 1 * SEC);
    struct pkt b = mk(L4_TCP, "10.0.0.2", 8000, "10.0.0.9", 40000, TCP_ACK, 2 * SEC);
    int sa, sb;
    struct flow *fa = look(&a, &sa);
    struct flow *fb = look(&b, &sb);
    assert_ptr_equal(fa, fb);
    assert_int_equal(sa, 1 - sb);
    /* the key is normalised: side 0 is the smaller address */
    char ip[IP_STRLEN];
    ip_format(&fa->key.ip[0], ip);
    assert_string_equal(ip, "10.0.0.2");
    assert_int_equal(fa->key.port[0], 8000);
    assert_int_equal(fa->key.port[1], 40000);
    assert_int_equal(sa, 1);
    assert_true(fa->first_ns == 1 * SEC);
    assert_true(fa->last_ns == 2 * SEC);
    assert_int_equal(stats()->created, 1);
    assert_int_equal(stats()->active, 1);

    /* IPv6, and a connection between two ports of the same address */
    struct pkt c = mk(L4_UDP, "2001:db8::b", 2000, "2001:db8::a", 1000, 0, 3 * SEC);
    struct pkt d = mk(L4_UDP, "2001:db8::a", 1000, "2001:db8::b", 2000, 0, 3 * SEC);
    assert_ptr_equal(look(&c, NULL), look(&d, NULL));
    struct pkt e = mk(L4_UDP, "127.0.0.1", 2000, "127.0.0.1", 1000, 0, 3 * SEC);
    struct pkt g = mk(L4_UDP, "127.0.0.1", 1000, "127.0.0.1", 2000, 0, 3 * SEC);
    int se, sg;
    assert_ptr_equal(look(&e, &se), look(&g, &sg));
    assert_int_equal(se, 1 - sg);
    /* TCP and UDP on the same ports are different flows */
    struct pkt u = mk(L4_UDP, "10.0.0.9", 40000, "10.0.0.2", 8000, 0, 4 * SEC);
    assert_ptr_not_equal(look(&u, NULL), fa);
    assert_int_equal(stats()->created, 4);

    /* not a flow */
    struct pkt icmp = mk(L4_ICMP, "10.0.0.9", 0, "10.0.0.2", 0, 0, 5 * SEC);
    int s;
    assert_null(flow_lookup(T, &icmp, &s));
    assert_int_equal(stats()->created, 4);
}

static void client_from_the_syn(void **st)
{
    (void)st;
    /* the client has the larger address and the lower port: only the SYN can tell */
    struct pkt syn = mk(L4_TCP, "10.0.0.9", 1025, "10.0.0.2", 40000, TCP_SYN, SEC);
    int side;
    struct flow *f = look(&syn, &side);
    assert_int_equal(side, 1);
    assert_int_equal(f->client, 1);
    assert_int_equal(flow_dir(f, side), 0);
    struct pkt synack = mk(L4_TCP, "10.0.0.2", 40000, "10.0.0.9", 1025, TCP_SYN | TCP_ACK, SEC);
    struct flow *g = look(&synack, &side);
    assert_ptr_equal(f, g);
    assert_int_equal(flow_dir(f, side), 1);
    assert_int_equal(f->client, 1); /* unchanged by the reply */

    /* capture started after the SYN: the SYN+ACK names the server */
    struct pkt sa = mk(L4_TCP, "10.0.0.3", 1026, "10.0.0.20", 40001, TCP_SYN | TCP_ACK, SEC);
    f = look(&sa, &side);
    assert_int_equal(side, 0);
    assert_int_equal(f->client, 1);
    assert_int_equal(flow_dir(f, side), 1);

    flow_set_server_side(f, 1);
    assert_int_equal(f->client, 0);
    assert_true(f->server_fixed);
}

/* the first registered TCP/UDP server port, and a lower port nobody registered */
static bool registered_port(bool tcp, uint16_t *srv, uint16_t *other)
{
    for (size_t i = 0; dissect_at(i); i++) {
        const struct dissector *d = dissect_at(i);
        uint16_t p = tcp ? d->tcp_ports[0] : d->udp_ports[0];
        if (p < 3)
            continue;
        for (uint16_t q = 1; q < p; q++) {
            if (!(tcp ? dissect_by_tcp_port(q) : dissect_by_udp_port(q))) {
                *srv = p;
                *other = q;
                return true;
            }
        }
    }
    return false;
}

static void client_from_the_well_known_port(void **st)
{
    (void)st;
    uint16_t srv, cli;
    int side;
    struct flow *f;
    /* neither port known: the lower one is taken as the server */
    struct pkt p = mk(L4_TCP, "10.0.0.2", 61001, "10.0.0.9", 9999, TCP_ACK, SEC);
    assert_null(dissect_by_tcp_port(61001));
    assert_null(dissect_by_tcp_port(9999));
    assert_null(dissect_by_udp_port(61001));
    assert_null(dissect_by_udp_port(9999));
    f = look(&p, &side);
    assert_int_equal(flow_dir(f, side), 0);
    p = mk(L4_UDP, "10.0.0.2", 9999, "10.0.0.9", 61001, 0, SEC);
    f = look(&p, &side);
    assert_int_equal(flow_dir(f, side), 1);

    /* a registered server port wins over "lower port": the first packet is the reply */
    if (registered_port(true, &srv, &cli)) {
        p = mk(L4_TCP, "10.0.0.2", srv, "10.0.0.9", cli, TCP_ACK | TCP_PSH, SEC);
        f = look(&p, &side);
        assert_int_equal(flow_dir(f, side), 1); /* sent by the server */
        assert_int_equal(f->key.port[1 - f->client], srv);
        p = mk(L4_TCP, "10.0.0.9", cli, "10.0.0.2", srv, TCP_ACK, SEC);
        assert_ptr_equal(look(&p, &side), f);
        assert_int_equal(flow_dir(f, side), 0);
    } else {
        print_message("no registered TCP port: port guess not tested\n");
    }
    if (registered_port(false, &srv, &cli)) {
        p = mk(L4_UDP, "10.0.0.9", cli, "10.0.0.2", srv, 0, SEC);
        f = look(&p, &side);
        assert_int_equal(flow_dir(f, side), 0);
        assert_int_equal(f->key.port[1 - f->client], srv);
        p = mk(L4_UDP, "10.0.0.2", srv, "10.0.0.3", cli, 0, SEC);
        f = look(&p, &side);
        assert_int_equal(flow_dir(f, side), 1);
    } else {
        print_message("no registered UDP port: port guess not tested\n");
    }
}

static void idle_expiry_per_transport(void **st)
{
    (void)st;
    /* U: UDP at t=0; T: TCP at t=1 s; X: UDP kept busy */
    struct pkt u = mk(L4_UDP, "10.0.0.1", 1001, "10.0.0.2", 53, 0, 0);
    struct pkt t = mk(L4_TCP, "10.0.0.1", 1002, "10.0.0.2", 80, TCP_SYN, 1 * SEC);
    struct pkt x = mk(L4_UDP, "10.0.0.1", 1003, "10.0.0.2", 123, 0, 2 * SEC);
    look(&u, NULL);
    look(&t, NULL);
    look(&x, NULL);
    x.ts_ns = 120 * SEC; /* U idle exactly 120 s: not yet */
    look(&x, NULL);
    assert_int_equal(stats()->expired, 0);
    assert_int_equal(R.calls, 0);
    x.ts_ns = 121 * SEC; /* U idle 121 s > 120: expired; T (120 s of 600) stays */
    look(&x, NULL);
    assert_int_equal(stats()->expired, 1);
    assert_int_equal(R.calls, 1);
    assert_int_equal(R.per_port[1001], 1);
    assert_true(R.last_ns[0] == 0);
    assert_int_equal(stats()->active, 2);

    /* the same 5-tuple later is a new flow */
    u.ts_ns = 122 * SEC;
    struct flow *f = look(&u, NULL);
    assert_true(f->first_ns == 122 * SEC);
    assert_int_equal(stats()->created, 4);
    assert_int_equal(R.per_port[1001], 1);

    /* TCP: 600 s */
    x.ts_ns = 601 * SEC; /* T idle 600 s: not yet; U again idle 479 s: but behind T */
    look(&x, NULL);
    assert_int_equal(R.per_port[1002], 0);
    x.ts_ns = 602 * SEC;
    look(&x, NULL);
    assert_int_equal(R.per_port[1002], 1);
    assert_int_equal(R.per_port[1001], 2); /* the second U flow, now at the head */
    assert_int_equal(R.per_port[1003], 0);
    assert_int_equal(stats()->expired, 3);
    assert_int_equal(stats()->active, 1);

    flow_table_flush(T);
    assert_int_equal(R.per_port[1003], 1);
    assert_int_equal(R.calls, 4);
    assert_int_equal(stats()->active, 0);
    /* flushing an empty table calls nothing */
    flow_table_flush(T);
    assert_int_equal(R.calls, 4);
}

static void closed_tcp_waits_only_for_stragglers(void **st)
{
    (void)st;
    struct dispatch *d = dispatch_new(T, NULL, NULL);
    assert_non_null(d);
    struct pkt a = mk(L4_TCP, "10.0.0.1", 2001, "10.0.0.2", 80, TCP_SYN, 0);
    struct pkt b = mk(L4_TCP, "10.0.0.2", 80, "10.0.0.1", 2001, TCP_SYN | TCP_ACK, 0);
    dispatch_packet(d, &a);
    dispatch_packet(d, &b);
    a.tcp_flags = TCP_FIN | TCP_ACK;
    a.ts_ns = 1 * SEC;
    dispatch_packet(d, &a);
    b.tcp_flags = TCP_FIN | TCP_ACK;
    b.ts_ns = 2 * SEC;
    dispatch_packet(d, &b);
    a.ts_ns = 2 * SEC;
    int side;
    a.tcp_flags = TCP_ACK;
    struct flow *f = look(&a, &side); /* the last ACK, at 2 s */
    assert_true(f->tcp[0].closed && f->tcp[1].closed);
    assert_int_equal(f->pkts[0] + f->pkts[1], 4);
    struct pkt x = mk(L4_UDP, "10.0.0.1", 2002, "10.0.0.2", 53, 0, 12 * SEC);
    look(&x, NULL); /* 10 s after the last packet: kept */
    assert_int_equal(R.calls, 0);
    x.ts_ns = 13 * SEC;
    look(&x, NULL);
    assert_int_equal(R.calls, 1);
    assert_int_equal(R.per_port[2001], 1);
    dispatch_free(d);
}

static void hard_bound_evicts_and_every_flow_is_done_once(void **st)
{
    (void)st;
    flow_table_free(T);
    CFG.max_flows = 16;
    T = flow_table_new(&CFG, on_done, &R);
    assert_non_null(T);
    for (int i = 0; i < 100; i++) {
        struct pkt p =
            mk(L4_UDP, "10.0.0.1", (uint16_t)(1000 + i), "10.0.0.2", 9999, 0, (int64_t)i * 1000);
        int side;
        struct flow *f = look(&p, &side);
        assert_int_equal(f->key.port[0], 1000 + i);
        assert_true(stats()->active <= 16);
        /* touch the first flow often: it is never the least recently used */
        p = mk(L4_UDP, "10.0.0.2", 9999, "10.0.0.1", 1000, 0, (int64_t)i * 1000 + 1);
        look(&p, NULL);
    }
    assert_int_equal(stats()->created, 100);
    assert_int_equal(stats()->evicted, 84);
    assert_int_equal(stats()->active, 16);
    assert_int_equal(stats()->peak_active, 16);
    assert_int_equal(stats()->expired, 0);
    assert_int_equal(R.calls, 84);
    /* eviction is least-recently-used: 1001, 1002, ... went first; 1000 survived */
    assert_int_equal(R.order[0], 1001);
    assert_int_equal(R.order[1], 1002);
    assert_int_equal(R.per_port[1000], 0);
    flow_table_flush(T);
    assert_int_equal(stats()->active, 0);
    assert_int_equal(R.calls, 100);
    for (int i = 0; i < 100; i++)
        assert_int_equal(R.per_port[1000 + i], 1);

    /* the table is usable after a flush, with the same bound */
    for (int i = 0; i < 40; i++) {
        struct pkt p =
            mk(L4_TCP, "10.0.0.3", (uint16_t)(3000 + i), "10.0.0.4", 80, TCP_SYN, SEC + i);
        look(&p, NULL);
        assert_true(stats()->active <= 16);
    }
    flow_table_flush(T);
    assert_int_equal(R.calls, 140);
    for (int i = 0; i < 40; i++)
        assert_int_equal(R.per_port[3000 + i], 1);
    assert_true(flow_table_memory(T) > 16 * sizeof(struct flow));
}

static void syn_on_a_closed_flow_starts_a_new_one(void **st)
{
    (void)st;
    struct pkt syn = mk(L4_TCP, "10.0.0.1", 4000, "10.0.0.2", 502, TCP_SYN, 1 * SEC);
    struct flow *f = look(&syn, NULL);
    /* a retransmitted SYN on an open connection is the same flow */
    syn.ts_ns = 2 * SEC;
    assert_ptr_equal(look(&syn, NULL), f);
    assert_int_equal(stats()->created, 1);
    /* closed on one side (FIN seen): a SYN+ACK or ACK is still the old connection */
    f->tcp[0].closed = true;
    struct pkt ack = mk(L4_TCP, "10.0.0.2", 502, "10.0.0.1", 4000, TCP_SYN | TCP_ACK, 3 * SEC);
    assert_ptr_equal(look(&ack, NULL), f);
    assert_int_equal(stats()->created, 1);
    assert_int_equal(R.calls, 0);
    /* a fresh SYN: the old flow is done, a new one begins */
    syn.ts_ns = 4 * SEC;
    struct flow *g = look(&syn, NULL);
    assert_int_equal(R.calls, 1);
    assert_int_equal(R.per_port[4000], 1);
    assert_true(R.last_ns[0] == 3 * SEC);
    assert_int_equal(stats()->created, 2);
    assert_int_equal(stats()->active, 1);
    assert_true(g->first_ns == 4 * SEC);
    assert_false(g->tcp[0].closed || g->tcp[1].closed);
    /* and it is found both ways */
    ack.ts_ns = 5 * SEC;
    assert_ptr_equal(look(&ack, NULL), g);
    flow_table_flush(T);
    assert_int_equal(R.per_port[4000], 2);
}

static void vlan_is_part_of_the_key(void **st)
{
    (void)st;
    struct pkt p = mk(L4_UDP, "10.0.0.1", 5000, "10.0.0.2", 502, 0, SEC);
    struct flow *untagged = look(&p, NULL);
    p.nvlan = 1;
    p.vlan[0] = 10;
    struct flow *v10 = look(&p, NULL);
    p.vlan[0] = 20;
    struct flow *v20 = look(&p, NULL);
    assert_ptr_not_equal(untagged, v10);
    assert_ptr_not_equal(untagged, v20);
    assert_ptr_not_equal(v10, v20);
    assert_int_equal(v10->key.vlan, 10);
    assert_int_equal(v20->key.vlan, 20);
    assert_int_equal(untagged->key.vlan, 0);
    assert_int_equal(stats()->created, 3);
    /* the reply on VLAN 10 finds the VLAN 10 flow */
    struct pkt r = mk(L4_UDP, "10.0.0.2", 502, "10.0.0.1", 5000, 0, SEC);
    r.nvlan = 1;
    r.vlan[0] = 10;
    assert_ptr_equal(look(&r, NULL), v10);
    /* QinQ: the outer id is the key (the inner one is a customer's) */
    r.nvlan = 2;
    r.vlan[0] = 10;
    r.vlan[1] = 99;
    assert_ptr_equal(look(&r, NULL), v10);
    assert_int_equal(stats()->created, 3);
}

#define T_(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T_(both_directions_find_the_same_flow),
        T_(client_from_the_syn),
        T_(client_from_the_well_known_port),
        T_(idle_expiry_per_transport),
        T_(closed_tcp_waits_only_for_stragglers),
        T_(hard_bound_evicts_and_every_flow_is_done_once),
        T_(syn_on_a_closed_flow_starts_a_new_one),
        T_(vlan_is_part_of_the_key),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
