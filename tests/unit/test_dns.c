/* test_dns.c - DNS dissector: mDNS responders' host names, DNS-SD services and TXT model keys
 * (with compressed names), mDNS probes vs. known answers, LLMNR responses over UDP and over TCP
 * split and reordered, unicast DNS giving no identity, and hostile names (pointer loops, forward
 * pointers, long chains) and truncated messages. */
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

extern const struct dissector dissector_dns;

struct pb {
    uint8_t b[1500];
    size_t n;
};
static void put(struct pb *p, const void *d, size_t n)
{
    memcpy(p->b + p->n, d, n);
    p->n += n;
}
#define PUT(p, ...) put((p), (const uint8_t[]){__VA_ARGS__}, sizeof((const uint8_t[]){__VA_ARGS__}))
static void be16(struct pb *p, uint16_t v)
{
    PUT(p, (uint8_t)(v >> 8), (uint8_t)v);
}

/* a dotted name as labels; "" is the root */
static void name(struct pb *p, const char *dotted)
{
    while (*dotted) {
        const char *dot = strchr(dotted, '.');
        size_t n = dot ? (size_t)(dot - dotted) : strlen(dotted);
        PUT(p, (uint8_t)n);
        put(p, dotted, n);
        dotted += n + (dot ? 1 : 0);
    }
    PUT(p, 0);
}
static void header(struct pb *p, uint16_t flags, uint16_t qd, uint16_t an, uint16_t ns, uint16_t ar)
{
    p->n = 0;
    be16(p, 0);
    be16(p, flags);
    be16(p, qd);
    be16(p, an);
    be16(p, ns);
    be16(p, ar);
}
/* record header after its name: type, class, ttl, rdlength */
static void rr(struct pb *p, uint16_t type, uint16_t rdlen)
{
    be16(p, type);
    be16(p, 0x8001); /* IN, cache flush */
    PUT(p, 0, 0, 0x11, 0x94);
    be16(p, rdlen);
}

static struct dtest T;

static int setup_mdns(void **state)
{
    (void)state;
    dtest_init(&T, &dissector_dns, 5353);
    return 0;
}
static int setup_llmnr(void **state)
{
    (void)state;
    dtest_init(&T, &dissector_dns, 5355);
    return 0;
}
static int setup_dns(void **state)
{
    (void)state;
    dtest_init(&T, &dissector_dns, 53);
    return 0;
}
static int teardown(void **state)
{
    (void)state;
    dtest_done(&T);
    return 0;
}

/* the protocol the dispatcher's UDP flow ended up with */
static enum proto udp_flow_proto(void)
{
    struct pkt p;
    memset(&p, 0, sizeof p);
    p.src.family = p.dst.family = 4;
    memcpy(p.src.b, (const uint8_t[]){10, 0, 0, 1}, 4);
    memcpy(p.dst.b, (const uint8_t[]){10, 0, 0, 2}, 4);
    p.l4 = L4_UDP;
    p.sport = 50000;
    p.dport = T.port;
    p.ts_ns = 1767225600000000000ll + 1000000;
    int side;
    struct flow *f = flow_lookup(T.ft, &p, &side);
    return f ? f->proto : PROTO_NONE;
}

static bool has_attr(enum attr_field f, const char *value)
{
    for (int i = 0; i < T.nattr; i++)
        if (T.attrs[i].field == f && !strcmp(T.attrs[i].value, value))
            return true;
    return false;
}

/* an mDNS announcement of a printer: A, PTR (compressed), SRV, TXT, and the meta PTR */
static void printer_response(struct pb *p)
{
    header(p, 0x8400, 0, 5, 0, 0);
    size_t host_at = p->n;
    name(p, "NPI3A2F1.local");
    rr(p, 1, 4);
    PUT(p, 10, 0, 0, 2);
    size_t type_at = p->n;
    PUT(p, 5, '_', 'h', 't', 't', 'p', 4, '_', 't', 'c', 'p', 0xc0, (uint8_t)(host_at + 9));
    rr(p, 12, 1 + 21 + 2);
    size_t inst_at = p->n;
    PUT(p, 21);
    put(p, "HP LaserJet Pro M404n", 21);
    PUT(p, 0xc0, (uint8_t)type_at);
    PUT(p, 0xc0, (uint8_t)inst_at); /* SRV owner: the instance */
    rr(p, 33, 6 + 2);
    PUT(p, 0, 0, 0, 0, 0, 80, 0xc0, (uint8_t)host_at);
    PUT(p, 0xc0, (uint8_t)inst_at); /* TXT */
    static const char *const txt[] = {"txtvers=1", "ty=HP LaserJet Pro M404-M405",
                                      "product=(HP LaserJet Pro M404-M405)", "usb_MFG=HP"};
    size_t len = 0;
    for (int i = 0; i < 4; i++)
        len += 1 + strlen(txt[i]);
    rr(p, 16, (uint16_t)len);
    for (int i = 0; i < 4; i++) {
        PUT(p, (uint8_t)strlen(txt[i]));
        put(p, txt[i], strlen(txt[i]));
    }
    name(p, "_services._dns-sd._udp.local");
    rr(p, 12, 2);
    PUT(p, 0xc0, (uint8_t)type_at);
}

static void test_mdns_response(void **state)
{
    (void)state;
    struct pb p;
    printer_response(&p);
    dtest_udp(&T, 1, p.b, p.n);
    assert_int_equal(T.nmalformed, 0);
    assert_string_equal(dtest_attr(&T, F_HOSTNAME), "NPI3A2F1");
    assert_int_equal(dtest_attr_count(&T, F_HOSTNAME), 1); /* A and SRV target: once */
    assert_string_equal(dtest_attr(&T, F_SERVICE), "_http._tcp HP LaserJet Pro M404n");
    assert_int_equal(dtest_attr_count(&T, F_SERVICE), 1);
    assert_true(has_attr(F_MODEL, "HP LaserJet Pro M404-M405"));
    assert_string_equal(dtest_attr(&T, F_VENDOR), "HP");
    for (int i = 0; i < T.nattr; i++)
        assert_true(T.attrs[i].is_src);
    assert_int_equal(udp_flow_proto(), PROTO_MDNS);
}

/* known answers in a query are the querier's cache; a probe's authority records are its own */
static void test_mdns_query_known_answers_and_probe(void **state)
{
    (void)state;
    struct pb p;
    header(&p, 0x0000, 1, 1, 0, 0);
    name(&p, "_ipp._tcp.local");
    be16(&p, 12);
    be16(&p, 1);
    PUT(&p, 0xc0, 12);
    rr(&p, 12, 10);
    PUT(&p, 7, 'O', 't', 'h', 'e', 'r', 'P', 'r', 0xc0, 12);
    dtest_udp(&T, 0, p.b, p.n);
    assert_int_equal(T.nattr, 0);
    assert_int_equal(T.nmalformed, 0);

    header(&p, 0x0000, 1, 0, 1, 0);
    name(&p, "cam-east.local");
    be16(&p, 255);
    be16(&p, 1);
    PUT(&p, 0xc0, 12);
    rr(&p, 28, 16);
    PUT(&p, 0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1);
    dtest_udp(&T, 0, p.b, p.n);
    assert_string_equal(dtest_attr(&T, F_HOSTNAME), "cam-east");
    assert_string_equal(T.attrs[0].source, "mdns aaaa record");
}

static void test_llmnr_udp(void **state)
{
    (void)state;
    struct pb p;
    header(&p, 0x0000, 1, 0, 0, 0); /* a query names someone else */
    name(&p, "kw-VLIPC");
    be16(&p, 1);
    be16(&p, 1);
    dtest_udp(&T, 0, p.b, p.n);
    assert_int_equal(T.nattr, 0);
    header(&p, 0x8000, 1, 1, 0, 0);
    name(&p, "kw-VLIPC");
    be16(&p, 1);
    be16(&p, 1);
    PUT(&p, 0xc0, 12);
    rr(&p, 1, 4);
    PUT(&p, 10, 0, 0, 2);
    dtest_udp(&T, 1, p.b, p.n);
    assert_string_equal(dtest_attr(&T, F_HOSTNAME), "kw-VLIPC");
    assert_string_equal(T.attrs[0].source, "llmnr a record");
    assert_int_equal(udp_flow_proto(), PROTO_LLMNR);
}

/* RFC 4795 §2.4 over TCP, a message split in two and the second half sent first */
static void test_llmnr_tcp_split_reordered(void **state)
{
    (void)state;
    struct pb m, p;
    header(&m, 0x8000, 1, 1, 0, 0);
    name(&m, "hist-srv01");
    be16(&m, 28);
    be16(&m, 1);
    PUT(&m, 0xc0, 12);
    rr(&m, 28, 16);
    PUT(&m, 0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2);
    p.n = 0;
    be16(&p, (uint16_t)m.n);
    put(&p, m.b, m.n);
    size_t cut = 9;
    dtest_tcp_at(&T, 1, (uint32_t)cut, p.b + cut, p.n - cut);
    assert_int_equal(T.nattr, 0);
    dtest_tcp_at(&T, 1, 0, p.b, cut);
    assert_int_equal(T.nmalformed, 0);
    assert_int_equal(dtest_attr_count(&T, F_HOSTNAME), 1);
    assert_string_equal(dtest_attr(&T, F_HOSTNAME), "hist-srv01");
    /* two messages in one segment */
    struct pb two = p;
    put(&two, p.b, p.n);
    dtest_tcp(&T, 1, two.b, two.n);
    assert_int_equal(dtest_attr_count(&T, F_HOSTNAME), 3);
    assert_int_equal(dtest_flow_proto(&T), PROTO_LLMNR);
}

/* a unicast DNS answer is about other hosts: nothing, and no malformed */
static void test_unicast_dns_silent(void **state)
{
    (void)state;
    struct pb p;
    header(&p, 0x8180, 1, 2, 0, 0);
    name(&p, "historian.plant.example");
    be16(&p, 1);
    be16(&p, 1);
    for (int i = 0; i < 2; i++) {
        PUT(&p, 0xc0, 12);
        rr(&p, 1, 4);
        PUT(&p, 10, 1, 2, (uint8_t)(3 + i));
    }
    dtest_udp(&T, 1, p.b, p.n);
    assert_int_equal(T.nattr, 0);
    assert_int_equal(T.nmalformed, 0);
    assert_int_equal(udp_flow_proto(), PROTO_DNS);
}

static void test_hostile_names(void **state)
{
    (void)state;
    struct pb p;
    /* a name pointing at itself */
    header(&p, 0x8400, 0, 1, 0, 0);
    PUT(&p, 0xc0, 12);
    rr(&p, 1, 4);
    PUT(&p, 10, 0, 0, 2);
    dtest_udp(&T, 1, p.b, p.n);
    assert_int_equal(T.nmalformed, 1);
    /* a forward pointer */
    header(&p, 0x8400, 0, 1, 0, 0);
    PUT(&p, 0xc0, 14, 1, 'a', 0);
    dtest_udp(&T, 1, p.b, p.n);
    assert_int_equal(T.nmalformed, 2);
    /* a chain of 40 backward pointers (inside an opaque NULL record) and a record whose
     * name is its end: more hops than allowed */
    header(&p, 0x8400, 0, 2, 0, 0);
    PUT(&p, 0);
    rr(&p, 10, 3 + 80);
    size_t x_at = p.n;
    PUT(&p, 1, 'x', 0);
    size_t last = x_at;
    for (int i = 0; i < 40; i++) {
        size_t here = p.n;
        PUT(&p, 0xc0, (uint8_t)last);
        last = here;
    }
    PUT(&p, 0xc0, (uint8_t)last);
    rr(&p, 1, 4);
    PUT(&p, 10, 0, 0, 2);
    dtest_udp(&T, 1, p.b, p.n);
    assert_int_equal(T.nmalformed, 3);
    /* a label of the reserved 0x40 type */
    header(&p, 0x8400, 0, 1, 0, 0);
    PUT(&p, 0x41, 'a', 0);
    dtest_udp(&T, 1, p.b, p.n);
    assert_int_equal(T.nmalformed, 4);
    assert_int_equal(T.nattr, 0);
}

static void test_truncated(void **state)
{
    (void)state;
    struct pb p;
    printer_response(&p);
    dtest_udp(&T, 1, p.b, 7);
    assert_int_equal(T.nmalformed, 1);
    int before = T.nmalformed;
    for (size_t n = 12; n < p.n; n++)
        dtest_udp(&T, 1, p.b, n);
    assert_true(T.nmalformed > before);
    for (size_t i = 12; i < p.n; i++) {
        struct pb q = p;
        q.b[i] ^= 0xa5;
        dtest_udp(&T, 1, q.b, q.n);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_mdns_response, setup_mdns, teardown),
        cmocka_unit_test_setup_teardown(test_mdns_query_known_answers_and_probe, setup_mdns,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_llmnr_udp, setup_llmnr, teardown),
        cmocka_unit_test_setup_teardown(test_llmnr_tcp_split_reordered, setup_llmnr, teardown),
        cmocka_unit_test_setup_teardown(test_unicast_dns_silent, setup_dns, teardown),
        cmocka_unit_test_setup_teardown(test_hostile_names, setup_mdns, teardown),
        cmocka_unit_test_setup_teardown(test_truncated, setup_mdns, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
