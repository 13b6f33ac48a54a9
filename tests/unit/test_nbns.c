/* test_nbns.c - NetBIOS dissector: names the sender registers, answers for with its own address
 * or lists in a node status answer (group names as workgroup), nothing from queries or answers
 * about other addresses, tshark's "NAME<xx>" form, browser host announcements over the datagram
 * service (OS version, server type, comment, workgroup), and hostile messages. */
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

extern const struct dissector dissector_nbns;

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
static void le16(struct pb *p, uint16_t v)
{
    PUT(p, (uint8_t)v, (uint8_t)(v >> 8));
}

static const uint8_t ip_cli[4] = {10, 0, 0, 1}, ip_srv[4] = {10, 0, 0, 2};

/* RFC 1001 §14.1: blank-padded to 15, suffix, first-level encoded, empty scope */
static void nb_name(struct pb *p, const char *n, uint8_t suffix)
{
    uint8_t raw[16];
    memset(raw, ' ', 15);
    memcpy(raw, n, strlen(n) < 15 ? strlen(n) : 15);
    raw[15] = suffix;
    PUT(p, 32);
    for (int i = 0; i < 16; i++)
        PUT(p, (uint8_t)('A' + (raw[i] >> 4)), (uint8_t)('A' + (raw[i] & 15)));
    PUT(p, 0);
}
static void header(struct pb *p, uint16_t flags, uint16_t qd, uint16_t an, uint16_t ar)
{
    p->n = 0;
    be16(p, 0x8486);
    be16(p, flags);
    be16(p, qd);
    be16(p, an);
    be16(p, 0);
    be16(p, ar);
}
/* an NB record: name (pointer to the question when ptr), type NB, IN, TTL, flags, address */
static void nb_rr(struct pb *p, bool ptr, const char *n, uint8_t suffix, uint16_t flags,
                  const uint8_t ip[4])
{
    if (ptr)
        PUT(p, 0xc0, 12);
    else
        nb_name(p, n, suffix);
    PUT(p, 0, 0x20, 0, 1, 0, 4, 0x93, 0xe0, 0, 6);
    be16(p, flags);
    put(p, ip, 4);
}

/* a registration request (opcode 5, RD, broadcast) from the client */
static void registration(struct pb *p, const char *n, uint8_t suffix, uint16_t nbflags,
                         const uint8_t ip[4])
{
    header(p, 0x2910, 1, 0, 1);
    nb_name(p, n, suffix);
    PUT(p, 0, 0x20, 0, 1);
    nb_rr(p, true, NULL, 0, nbflags, ip);
}

static struct dtest T;

static int setup(void **state)
{
    (void)state;
    dtest_init(&T, &dissector_nbns, 137);
    return 0;
}
static int setup_dgm(void **state)
{
    (void)state;
    dtest_init(&T, &dissector_nbns, 138);
    return 0;
}
static int teardown(void **state)
{
    (void)state;
    dtest_done(&T);
    return 0;
}

static bool has_attr(enum attr_field f, const char *value)
{
    for (int i = 0; i < T.nattr; i++)
        if (T.attrs[i].field == f && !strcmp(T.attrs[i].value, value))
            return true;
    return false;
}

static void test_registration(void **state)
{
    (void)state;
    struct pb p;
    registration(&p, "KW-VLIPC", 0x00, 0x0000, ip_cli);
    dtest_pdu(&T, 0, p.b, p.n);
    registration(&p, "KW-VLIPC", 0x20, 0x0000, ip_cli);
    dtest_pdu(&T, 0, p.b, p.n);
    registration(&p, "WORKGROUP", 0x00, 0x8000, ip_cli);
    dtest_pdu(&T, 0, p.b, p.n);
    assert_int_equal(T.nmalformed, 0);
    assert_true(has_attr(F_NETBIOS_NAME, "KW-VLIPC<00>"));
    assert_true(has_attr(F_NETBIOS_NAME, "KW-VLIPC<20>"));
    assert_string_equal(dtest_attr(&T, F_WORKGROUP), "WORKGROUP");
    assert_int_equal(dtest_attr_count(&T, F_NETBIOS_NAME), 2);
    assert_string_equal(T.attrs[0].source, "nbns registration");
    for (int i = 0; i < T.nattr; i++)
        assert_true(T.attrs[i].is_src);
}

/* a registration for another address, a query, a release: nothing about the sender */
static void test_not_own(void **state)
{
    (void)state;
    static const uint8_t other[4] = {10, 9, 9, 9};
    struct pb p;
    registration(&p, "PLC-GW", 0x00, 0x0000, other);
    dtest_pdu(&T, 0, p.b, p.n);
    header(&p, 0x0110, 1, 0, 0);
    nb_name(&p, "HIST-SRV", 0x00);
    PUT(&p, 0, 0x20, 0, 1);
    dtest_pdu(&T, 0, p.b, p.n);
    registration(&p, "KW-VLIPC", 0x00, 0x0000, ip_cli);
    p.b[2] = 0x31; /* opcode 6: release */
    dtest_pdu(&T, 0, p.b, p.n);
    assert_int_equal(T.nattr, 0);
    assert_int_equal(T.nmalformed, 0);
}

/* a positive answer carrying the responder's own address (broadcast mode), and a WINS
 * server's answer carrying someone else's */
static void test_query_response(void **state)
{
    (void)state;
    struct pb p;
    header(&p, 0x8500, 0, 1, 0);
    nb_rr(&p, false, "GUNNAR", 0x00, 0x0000, ip_srv);
    dtest_pdu(&T, 1, p.b, p.n);
    assert_string_equal(dtest_attr(&T, F_NETBIOS_NAME), "GUNNAR<00>");
    assert_string_equal(T.attrs[0].source, "nbns query response");
    assert_true(T.attrs[0].is_src);
    header(&p, 0x8500, 0, 1, 0);
    nb_rr(&p, false, "FILESRV", 0x20, 0x0000, (const uint8_t[]){10, 0, 0, 77});
    dtest_pdu(&T, 1, p.b, p.n);
    assert_int_equal(T.nattr, 1);
}

static void test_node_status(void **state)
{
    (void)state;
    static const struct {
        const char *n;
        uint8_t suffix;
        uint16_t flags;
    } names[] = {{"GUNNAR", 0x00, 0x0400},
                 {"VIGILANT_GROUP", 0x00, 0x8400},
                 {"GUNNAR", 0x20, 0x0400},
                 {"VIGILANT_GROUP", 0x1e, 0x8400},
                 {"\x01\x02__MSBROWSE__\x02", 0x01, 0x8400},
                 {"OLDNAME", 0x00, 0x1400},
                 {"AB\x01", 0x03, 0x0400}};
    struct pb p;
    header(&p, 0x8400, 0, 1, 0);
    PUT(&p, 32, 'C', 'K');
    for (int i = 0; i < 30; i++)
        PUT(&p, 'A');
    PUT(&p, 0, 0, 0x21, 0, 1, 0, 0, 0, 0);
    size_t len_at = p.n;
    be16(&p, 0);
    size_t start = p.n;
    PUT(&p, 7);
    for (int i = 0; i < 7; i++) {
        uint8_t raw[16];
        memset(raw, ' ', 15);
        memcpy(raw, names[i].n, strlen(names[i].n));
        raw[15] = names[i].suffix;
        put(&p, raw, 16);
        be16(&p, names[i].flags);
    }
    PUT(&p, 0x00, 0x1c, 0xc4, 0x10, 0x79, 0x0f);
    for (int i = 0; i < 40; i++)
        PUT(&p, 0);
    p.b[len_at] = (uint8_t)((p.n - start) >> 8);
    p.b[len_at + 1] = (uint8_t)(p.n - start);
    dtest_pdu(&T, 1, p.b, p.n);
    assert_int_equal(T.nmalformed, 0);
    assert_true(has_attr(F_NETBIOS_NAME, "GUNNAR<00>"));
    assert_true(has_attr(F_NETBIOS_NAME, "GUNNAR<20>"));
    assert_true(has_attr(F_NETBIOS_NAME, "AB<01><03>"));
    assert_false(has_attr(F_NETBIOS_NAME, "OLDNAME<00>")); /* being deregistered */
    assert_int_equal(dtest_attr_count(&T, F_NETBIOS_NAME), 3);
    assert_int_equal(dtest_attr_count(&T, F_WORKGROUP), 2);
    assert_string_equal(dtest_attr(&T, F_WORKGROUP), "VIGILANT_GROUP");
    assert_string_equal(T.attrs[0].source, "nbns node status");
}

static void test_malformed(void **state)
{
    (void)state;
    struct pb p;
    registration(&p, "KW-VLIPC", 0x00, 0x0000, ip_cli);
    dtest_pdu(&T, 0, p.b, 10);
    assert_int_equal(T.nmalformed, 1);
    struct pb q = p;
    q.b[14] = 'Z'; /* not a first-level encoding character */
    dtest_pdu(&T, 0, q.b, q.n);
    assert_int_equal(T.nmalformed, 2);
    q = p;
    q.b[51] = 60; /* the additional record's pointer now points forward */
    dtest_pdu(&T, 0, q.b, q.n);
    assert_int_equal(T.nmalformed, 3);
    q = p;
    q.b[11] = 200; /* lying record count */
    dtest_pdu(&T, 0, q.b, q.n);
    assert_int_equal(T.nmalformed, 4);
    assert_int_equal(T.nattr, 0);
    for (size_t n = 0; n < p.n; n++)
        dtest_pdu(&T, 0, p.b, n);
    for (size_t i = 0; i < p.n; i++) {
        q = p;
        q.b[i] ^= 0x5a;
        dtest_pdu(&T, 0, q.b, q.n);
    }
}

/* ---- datagram service: a browser host announcement ---- */

static void announcement(struct pb *p, const uint8_t src_ip[4])
{
    struct pb brw = {{0}, 0};
    PUT(&brw, 0x01, 0, 0x60, 0xea, 0, 0);
    uint8_t host[16] = {0};
    memcpy(host, "EWS-TIA01", 9);
    put(&brw, host, 16);
    PUT(&brw, 10, 0, 0x03, 0x10, 0x01, 0x00, 15, 1, 0x55, 0xaa);
    put(&brw, "Engineering station", 20);

    static const char slot[] = "\\MAILSLOT\\BROWSE";
    struct pb smb = {{0}, 0};
    PUT(&smb, 0xff, 'S', 'M', 'B', 0x25);
    for (int i = 0; i < 27; i++)
        PUT(&smb, 0);
    PUT(&smb, 17);
    uint16_t data_off = (uint16_t)(32 + 1 + 17 * 2 + 2 + sizeof slot);
    uint16_t words[17] = {0, (uint16_t)brw.n, 0,        0, 0, 0, 1000, 0, 0, 0,
                          0, (uint16_t)brw.n, data_off, 3, 1, 1, 2};
    for (int i = 0; i < 17; i++)
        le16(&smb, words[i]);
    le16(&smb, (uint16_t)(sizeof slot + brw.n));
    put(&smb, slot, sizeof slot);
    put(&smb, brw.b, brw.n);

    p->n = 0;
    PUT(p, 0x11, 0x02, 0xc2, 0xf4);
    put(p, src_ip, 4);
    PUT(p, 0, 138);
    struct pb names = {{0}, 0};
    nb_name(&names, "EWS-TIA01", 0x20);
    nb_name(&names, "PLANT", 0x1d);
    be16(p, (uint16_t)(names.n + smb.n));
    be16(p, 0);
    put(p, names.b, names.n);
    put(p, smb.b, smb.n);
}

static void test_host_announcement(void **state)
{
    (void)state;
    struct pb p;
    announcement(&p, ip_cli);
    dtest_udp(&T, 0, p.b, p.n);
    assert_int_equal(T.nmalformed, 0);
    assert_string_equal(dtest_attr(&T, F_NETBIOS_NAME), "EWS-TIA01<20>");
    assert_string_equal(dtest_attr(&T, F_OS_VERSION), "Windows 10 / Server 2016 or later");
    assert_string_equal(dtest_attr(&T, F_SERVER_TYPE), "workstation,server,nt,potential-browser");
    assert_string_equal(dtest_attr(&T, F_DESCRIPTION), "Engineering station");
    assert_string_equal(dtest_attr(&T, F_WORKGROUP), "PLANT");
    for (int i = 0; i < T.nattr; i++)
        assert_true(T.attrs[i].is_src);
}

/* a datagram whose source IP field is not the sender (relayed by an NBDD) */
static void test_relayed_datagram(void **state)
{
    (void)state;
    struct pb p;
    announcement(&p, (const uint8_t[]){10, 7, 7, 7});
    dtest_udp(&T, 0, p.b, p.n);
    assert_int_equal(T.nattr, 0);
}

static void test_datagram_malformed(void **state)
{
    (void)state;
    struct pb p;
    announcement(&p, ip_cli);
    dtest_udp(&T, 0, p.b, 8);
    assert_int_equal(T.nmalformed, 1);
    for (size_t n = 0; n < p.n; n++)
        dtest_udp(&T, 0, p.b, n);
    for (size_t i = 0; i < p.n; i++) {
        struct pb q = p;
        q.b[i] ^= 0xc3;
        dtest_udp(&T, 0, q.b, q.n);
    }
    assert_true(T.nmalformed > 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_registration, setup, teardown),
        cmocka_unit_test_setup_teardown(test_not_own, setup, teardown),
        cmocka_unit_test_setup_teardown(test_query_response, setup, teardown),
        cmocka_unit_test_setup_teardown(test_node_status, setup, teardown),
        cmocka_unit_test_setup_teardown(test_malformed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_host_announcement, setup_dgm, teardown),
        cmocka_unit_test_setup_teardown(test_relayed_datagram, setup_dgm, teardown),
        cmocka_unit_test_setup_teardown(test_datagram_malformed, setup_dgm, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
