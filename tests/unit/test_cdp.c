/* test_cdp.c - CDP dissector: a switch's device id, addresses (IPv4 and IPv6), port, capabilities
 * (network-device role, not for phones), IOS release from the software banner, platform as
 * vendor and product, native VLAN and VTP domain; a phone's bare load name; hostile frames. */
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

extern const struct dissector dissector_cdp;

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

static void tlv(struct pb *p, uint16_t type, const void *v, size_t n)
{
    PUT(p, (uint8_t)(type >> 8), (uint8_t)type, (uint8_t)((n + 4) >> 8), (uint8_t)(n + 4));
    put(p, v, n);
}
static void tlv_str(struct pb *p, uint16_t type, const char *s)
{
    tlv(p, type, s, strlen(s));
}

#define IOS_BANNER                                                                                 \
    "Cisco IOS Software, C2960X Software (C2960X-UNIVERSALK9-M), Version 15.2(7)E4, RELEASE "      \
    "SOFTWARE (fc2)\nTechnical Support: http://www.cisco.com/techsupport\nCopyright (c) "          \
    "1986-2021 by Cisco Systems, Inc."

static void switch_frame(struct pb *p)
{
    p->n = 0;
    PUT(p, 2, 180, 0x12, 0x34);
    tlv_str(p, 0x0001, "SW-CORE-01.plant.example");
    tlv(p, 0x0002, (const uint8_t[]){0,    0,    0,    2, 1, 1, 0xcc, 0,    4, 10, 0,    0, 1, 2, 8,
                                     0xaa, 0xaa, 0x03, 0, 0, 0, 0x86, 0xdd, 0, 16, 0xfd, 0, 0, 0, 0,
                                     0,    0,    0,    0, 0, 0, 0,    0,    0, 0,  1},
        41);
    tlv_str(p, 0x0003, "GigabitEthernet1/0/24");
    tlv(p, 0x0004, (const uint8_t[]){0, 0, 0, 0x28}, 4);
    tlv_str(p, 0x0005, IOS_BANNER);
    tlv_str(p, 0x0006, "cisco WS-C2960X-24TS-L");
    tlv_str(p, 0x0009, "PLANT");
    tlv(p, 0x000a, (const uint8_t[]){0, 10}, 2);
    tlv(p, 0x000b, (const uint8_t[]){1}, 1);
}

static struct dtest T;

static int setup(void **state)
{
    (void)state;
    dtest_init(&T, &dissector_cdp, 0);
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

static void test_switch(void **state)
{
    (void)state;
    struct pb p;
    switch_frame(&p);
    dtest_l2(&T, p.b, p.n);
    assert_int_equal(T.nmalformed, 0);
    assert_string_equal(dtest_attr(&T, F_NAME), "SW-CORE-01.plant.example");
    assert_true(has_attr(F_MGMT_ADDRESS, "10.0.0.1"));
    assert_true(has_attr(F_MGMT_ADDRESS, "fd00::1"));
    assert_null(dtest_attr(&T, F_IP_ADDRESS)); /* a switch's port MAC does not own them */
    assert_string_equal(dtest_attr(&T, F_PORT_ID), "GigabitEthernet1/0/24");
    assert_string_equal(dtest_attr(&T, F_CAPABILITIES), "switch,igmp");
    assert_true(dtest_has_role(&T, "network-device"));
    assert_string_equal(dtest_attr(&T, F_FIRMWARE), "15.2(7)E4");
    assert_string_equal(dtest_attr(&T, F_DESCRIPTION),
                        "Cisco IOS Software, C2960X Software (C2960X-UNIVERSALK9-M), Version "
                        "15.2(7)E4, RELEASE SOFTWARE (fc2)");
    assert_string_equal(dtest_attr(&T, F_VENDOR), "Cisco");
    assert_string_equal(dtest_attr(&T, F_PRODUCT), "WS-C2960X-24TS-L");
    assert_string_equal(dtest_attr(&T, F_VTP_DOMAIN), "PLANT");
    assert_string_equal(dtest_attr(&T, F_NATIVE_VLAN), "10");
    assert_int_equal(T.nprotocol, 1);
    assert_string_equal(T.protocols[0].a, "cdp");
    for (int i = 0; i < T.nattr; i++)
        assert_true(T.attrs[i].is_src);
}

static void test_phone(void **state)
{
    (void)state;
    struct pb p;
    p.n = 0;
    PUT(&p, 2, 180, 0, 0);
    tlv_str(&p, 0x0001, "SEP00562B3C4D5E");
    tlv(&p, 0x0002, (const uint8_t[]){0, 0, 0, 1, 1, 1, 0xcc, 0, 4, 10, 0, 0, 50}, 13);
    tlv(&p, 0x0004, (const uint8_t[]){0, 0, 0x04, 0x98}, 4); /* phones with a PC port say switch */
    tlv_str(&p, 0x0005, "sip88xx.14-1-1-0001-136");
    tlv_str(&p, 0x0006, "Cisco IP Phone 8841");
    dtest_l2(&T, p.b, p.n);
    assert_string_equal(dtest_attr(&T, F_FIRMWARE), "sip88xx.14-1-1-0001-136");
    assert_string_equal(dtest_attr(&T, F_IP_ADDRESS), "10.0.0.50"); /* the phone's own */
    assert_string_equal(dtest_attr(&T, F_VENDOR), "Cisco");
    assert_string_equal(dtest_attr(&T, F_PRODUCT), "IP Phone 8841");
    assert_string_equal(dtest_attr(&T, F_CAPABILITIES), "switch,host,phone,two-port-mac-relay");
    assert_false(dtest_has_role(&T, "network-device"));
}

static void test_malformed(void **state)
{
    (void)state;
    struct pb p;
    switch_frame(&p);
    dtest_l2(&T, p.b, 3);
    assert_int_equal(T.nmalformed, 1);
    struct pb q = p;
    q.b[0] = 7; /* unknown version */
    dtest_l2(&T, q.b, q.n);
    assert_int_equal(T.nmalformed, 2);
    q = p;
    q.b[7] = 2; /* device id TLV length below its header */
    dtest_l2(&T, q.b, q.n);
    assert_int_equal(T.nmalformed, 3);
    assert_int_equal(T.nattr, 0);
    q = p;
    q.b[7] = 0xff; /* device id TLV longer than the frame */
    dtest_l2(&T, q.b, 40);
    assert_int_equal(T.nmalformed, 4);
    for (size_t n = 0; n < p.n; n++)
        dtest_l2(&T, p.b, n);
    for (size_t i = 0; i < p.n; i++) {
        q = p;
        q.b[i] ^= 0x3c;
        dtest_l2(&T, q.b, q.n);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_switch, setup, teardown),
        cmocka_unit_test_setup_teardown(test_phone, setup, teardown),
        cmocka_unit_test_setup_teardown(test_malformed, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
