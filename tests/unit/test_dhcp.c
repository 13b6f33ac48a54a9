/* test_dhcp.c - DHCP dissector: DHCPv4 client identity (host name, vendor class, option 55
 * fingerprint, client id, FQDN) about the sending MAC only when chaddr is that MAC, nothing from
 * server replies or relayed requests, option overload, DHCPv6 client options, and truncated or
 * lying messages.  Messages are built by hand as RFC 2131 / RFC 8415 lay them out. */
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

extern const struct dissector dissector_dhcp;

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
static void zero(struct pb *p, size_t n)
{
    memset(p->b + p->n, 0, n);
    p->n += n;
}
static void opt(struct pb *p, uint8_t code, const void *d, size_t n)
{
    PUT(p, code, (uint8_t)n);
    put(p, d, n);
}
static void opt_str(struct pb *p, uint8_t code, const char *s)
{
    opt(p, code, s, strlen(s));
}

static const uint8_t mac_cli[6] = {2, 0, 0, 0, 0, 1}; /* dtest's client MAC */

/* BOOTP header (RFC 2131 §2) up to and including the magic cookie */
static void bootp(struct pb *p, uint8_t op, const uint8_t chaddr[6], uint32_t giaddr)
{
    p->n = 0;
    PUT(p, op, 1, 6, 0, 0x3c, 0xfe, 0xf3, 0xb6, 0, 0, 0x80, 0);
    zero(p, 12); /* ciaddr yiaddr siaddr */
    PUT(p, (uint8_t)(giaddr >> 24), (uint8_t)(giaddr >> 16), (uint8_t)(giaddr >> 8),
        (uint8_t)giaddr);
    put(p, chaddr, 6);
    zero(p, 10 + 64 + 128);
    PUT(p, 0x63, 0x82, 0x53, 0x63);
}

static void discover(struct pb *p, const uint8_t chaddr[6], uint32_t giaddr)
{
    bootp(p, 1, chaddr, giaddr);
    PUT(p, 53, 1, 1);
    PUT(p, 61, 7, 1, 2, 0, 0, 0, 0, 1);
    opt_str(p, 12, "HMI-LINE1");
    PUT(p, 81, 20, 0x05, 0, 0, 9, 'H', 'M', 'I', '-', 'L', 'I', 'N', 'E', '1', 5, 'p', 'l', 'a',
        'n', 't', 0);
    opt_str(p, 60, "MSFT 5.0");
    PUT(p, 55, 14, 1, 3, 6, 15, 31, 33, 43, 44, 46, 47, 119, 121, 249, 252);
    PUT(p, 255);
    zero(p, 8); /* padding after END */
}

static struct dtest T;

static int setup(void **state)
{
    (void)state;
    dtest_init(&T, &dissector_dhcp, 0);
    return 0;
}
static int setup_v6(void **state)
{
    (void)state;
    dtest_init(&T, &dissector_dhcp, 547);
    return 0;
}
static int teardown(void **state)
{
    (void)state;
    dtest_done(&T);
    return 0;
}

static const struct dtest_attr *find_attr(enum attr_field f)
{
    for (int i = 0; i < T.nattr; i++)
        if (T.attrs[i].field == f)
            return &T.attrs[i];
    return NULL;
}

static void test_discover_identity(void **state)
{
    (void)state;
    struct pb p;
    discover(&p, mac_cli, 0);
    dtest_pdu(&T, 0, p.b, p.n);
    assert_int_equal(T.nmalformed, 0);
    assert_string_equal(dtest_attr(&T, F_HOSTNAME), "HMI-LINE1");
    assert_string_equal(dtest_attr(&T, F_VENDOR_CLASS), "MSFT 5.0");
    assert_string_equal(dtest_attr(&T, F_DHCP_FINGERPRINT),
                        "1,3,6,15,31,33,43,44,46,47,119,121,249,252");
    assert_string_equal(dtest_attr(&T, F_CLIENT_ID), "01:02:00:00:00:00:01");
    assert_string_equal(dtest_attr(&T, F_FQDN), "HMI-LINE1.plant");
    for (int i = 0; i < T.nattr; i++) {
        assert_true(T.attrs[i].is_src);
        assert_string_equal(T.attrs[i].source, "dhcp discover");
    }
}

static void test_fqdn_ascii_and_request(void **state)
{
    (void)state;
    struct pb p;
    bootp(&p, 1, mac_cli, 0);
    PUT(&p, 53, 1, 3);
    PUT(&p, 81, 3 + 13, 0x01, 0, 0);
    put(&p, "ews01.example", 13);
    PUT(&p, 255);
    dtest_pdu(&T, 0, p.b, p.n);
    assert_string_equal(dtest_attr(&T, F_FQDN), "ews01.example");
    assert_string_equal(find_attr(F_FQDN)->source, "dhcp request");
    assert_null(dtest_attr(&T, F_HOSTNAME));
}

/* a server's OFFER describes the client at chaddr, not the sender: nothing is emitted */
static void test_server_reply_silent(void **state)
{
    (void)state;
    struct pb p;
    bootp(&p, 2, mac_cli, 0);
    PUT(&p, 53, 1, 2);
    opt_str(&p, 12, "HMI-LINE1");
    PUT(&p, 54, 4, 10, 0, 0, 2, 255);
    dtest_pdu(&T, 1, p.b, p.n);
    assert_int_equal(T.nattr, 0);
    assert_int_equal(T.nmalformed, 0);
}

/* a relay agent forwards the client's request from its own MAC: not the client */
static void test_relayed_request_silent(void **state)
{
    (void)state;
    static const uint8_t other[6] = {0x00, 0x1b, 0x1b, 0x12, 0x34, 0x56};
    struct pb p;
    discover(&p, other, 0x0a000001);
    dtest_pdu(&T, 0, p.b, p.n);
    assert_int_equal(T.nattr, 0);
    assert_int_equal(T.nmalformed, 0);
}

/* RFC 2132 §9.3: options continued in the file field */
static void test_option_overload(void **state)
{
    (void)state;
    struct pb p;
    bootp(&p, 1, mac_cli, 0);
    size_t file_at = 4 + 4 + 4 + 16 + 16 + 64;
    PUT(&p, 53, 1, 8, 52, 1, 1, 255);
    struct pb f = {{0}, 0};
    opt_str(&f, 12, "sensor-7");
    PUT(&f, 255);
    memcpy(p.b + file_at, f.b, f.n);
    dtest_pdu(&T, 0, p.b, p.n);
    assert_int_equal(T.nmalformed, 0);
    assert_string_equal(dtest_attr(&T, F_HOSTNAME), "sensor-7");
    assert_string_equal(find_attr(F_HOSTNAME)->source, "dhcp inform");
}

static void test_bootp_without_cookie(void **state)
{
    (void)state;
    struct pb p;
    bootp(&p, 1, mac_cli, 0);
    p.n -= 4; /* no magic cookie: plain BOOTP */
    dtest_pdu(&T, 0, p.b, p.n);
    assert_int_equal(T.nattr, 0);
    assert_int_equal(T.nmalformed, 0);
}

static void test_malformed(void **state)
{
    (void)state;
    struct pb p;
    discover(&p, mac_cli, 0);
    dtest_pdu(&T, 0, p.b, 100); /* header cut */
    assert_int_equal(T.nmalformed, 1);
    /* an option claiming more bytes than remain */
    bootp(&p, 1, mac_cli, 0);
    PUT(&p, 53, 1, 1, 12, 200, 'x', 'y');
    dtest_pdu(&T, 0, p.b, p.n);
    assert_int_equal(T.nmalformed, 2);
    assert_int_equal(T.nattr, 0);
    /* every prefix and a few byte flips: no crash, counts stay bounded */
    discover(&p, mac_cli, 0);
    for (size_t n = 0; n <= p.n; n++)
        dtest_pdu(&T, 0, p.b, n);
    for (size_t i = 236; i < p.n; i++) {
        struct pb q = p;
        q.b[i] ^= 0xff;
        dtest_pdu(&T, 0, q.b, q.n);
    }
    assert_true(T.nmalformed > 2);
}

/* ---- DHCPv6 ---- */

static void opt6(struct pb *p, uint16_t code, const void *d, size_t n)
{
    PUT(p, (uint8_t)(code >> 8), (uint8_t)code, (uint8_t)(n >> 8), (uint8_t)n);
    put(p, d, n);
}

static void solicit(struct pb *p, uint8_t type)
{
    p->n = 0;
    PUT(p, type, 0x12, 0x34, 0x56);
    opt6(p, 1, (const uint8_t[]){0, 1, 0, 1, 0x18, 0xec, 0xed, 0x2c, 2, 0, 0, 0, 0, 1}, 14);
    opt6(p, 6, (const uint8_t[]){0, 24, 0, 23, 0, 17, 0, 39}, 8);
    opt6(p, 16, (const uint8_t[]){0, 0, 1, 0x37, 0, 8, 'M', 'S', 'F', 'T', ' ', '5', '.', '0'}, 14);
    opt6(p, 39, (const uint8_t[]){0, 8, 'k', 'w', '-', 'V', 'L', 'I', 'P', 'C', 0}, 11);
}

static void test_v6_solicit(void **state)
{
    (void)state;
    struct pb p;
    solicit(&p, 1);
    dtest_pdu(&T, 0, p.b, p.n);
    assert_int_equal(T.nmalformed, 0);
    assert_string_equal(dtest_attr(&T, F_CLIENT_ID), "00:01:00:01:18:ec:ed:2c:02:00:00:00:00:01");
    assert_string_equal(dtest_attr(&T, F_DHCP6_FINGERPRINT), "24,23,17,39");
    assert_string_equal(dtest_attr(&T, F_VENDOR_CLASS), "MSFT 5.0");
    assert_string_equal(dtest_attr(&T, F_FQDN), "kw-VLIPC");
    assert_string_equal(find_attr(F_FQDN)->source, "dhcpv6 solicit");
    assert_null(dtest_attr(&T, F_DHCP_FINGERPRINT));
}

static void test_v6_server_and_relay_silent(void **state)
{
    (void)state;
    struct pb p;
    solicit(&p, 7); /* REPLY echoes the client id: not about the server */
    dtest_pdu(&T, 1, p.b, p.n);
    assert_int_equal(T.nattr, 0);
    struct pb r = {{0}, 0};
    PUT(&r, 12, 0);
    zero(&r, 32);
    solicit(&p, 1);
    opt6(&r, 9, p.b, p.n);
    dtest_pdu(&T, 0, r.b, r.n);
    assert_int_equal(T.nattr, 0);
    assert_int_equal(T.nmalformed, 0);
}

static void test_v6_malformed(void **state)
{
    (void)state;
    struct pb p;
    solicit(&p, 1);
    dtest_pdu(&T, 0, p.b, 2);
    assert_int_equal(T.nmalformed, 1);
    p.b[7] = 0xff; /* client id length beyond the message */
    dtest_pdu(&T, 0, p.b, p.n);
    assert_int_equal(T.nmalformed, 2);
    assert_int_equal(T.nattr, 0);
    solicit(&p, 1);
    for (size_t n = 0; n <= p.n; n++)
        dtest_pdu(&T, 0, p.b, n);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_discover_identity, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fqdn_ascii_and_request, setup, teardown),
        cmocka_unit_test_setup_teardown(test_server_reply_silent, setup, teardown),
        cmocka_unit_test_setup_teardown(test_relayed_request_silent, setup, teardown),
        cmocka_unit_test_setup_teardown(test_option_overload, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bootp_without_cookie, setup, teardown),
        cmocka_unit_test_setup_teardown(test_malformed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_v6_solicit, setup_v6, teardown),
        cmocka_unit_test_setup_teardown(test_v6_server_and_relay_silent, setup_v6, teardown),
        cmocka_unit_test_setup_teardown(test_v6_malformed, setup_v6, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
