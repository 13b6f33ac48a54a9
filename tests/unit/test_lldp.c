/* test_lldp.c - LLDP dissector: a switch's name, description, chassis/port ids, capabilities
 * (network-device role, not for phones or stations), management address, port VLAN and LLDP-MED
 * inventory; a PROFINET device's NameOfStation from its chassis id and its chassis MAC, whose
 * management address is not bound to a port MAC; hostile frames. */
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

extern const struct dissector dissector_lldp;

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

static void tlv(struct pb *p, uint8_t type, const void *v, size_t n)
{
    PUT(p, (uint8_t)(type << 1 | n >> 8), (uint8_t)n);
    put(p, v, n);
}
static void tlv_sub_str(struct pb *p, uint8_t type, uint8_t sub, const char *s)
{
    uint8_t v[256];
    v[0] = sub;
    memcpy(v + 1, s, strlen(s));
    tlv(p, type, v, 1 + strlen(s));
}
static void tlv_str(struct pb *p, uint8_t type, const char *s)
{
    tlv(p, type, s, strlen(s));
}
static void org_str(struct pb *p, uint32_t oui, uint8_t sub, const char *s)
{
    uint8_t v[256] = {(uint8_t)(oui >> 16), (uint8_t)(oui >> 8), (uint8_t)oui, sub};
    memcpy(v + 4, s, strlen(s));
    tlv(p, 127, v, 4 + strlen(s));
}
static void caps(struct pb *p, uint16_t have, uint16_t enabled)
{
    tlv(p, 7,
        (const uint8_t[]){(uint8_t)(have >> 8), (uint8_t)have, (uint8_t)(enabled >> 8),
                          (uint8_t)enabled},
        4);
}
static void mgmt_v4(struct pb *p, uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
    tlv(p, 8, (const uint8_t[]){5, 1, a, b, c, d, 2, 0, 0, 0, 5, 0}, 12);
}
static void ttl(struct pb *p, uint16_t s)
{
    tlv(p, 3, (const uint8_t[]){(uint8_t)(s >> 8), (uint8_t)s}, 2);
}
static void end(struct pb *p)
{
    PUT(p, 0, 0);
}

static const uint8_t mac_src[6] = {2, 0, 0, 0, 0, 1}; /* dtest_l2's sender */

static struct dtest T;

static int setup(void **state)
{
    (void)state;
    dtest_init(&T, &dissector_lldp, 0);
    return 0;
}
static int teardown(void **state)
{
    (void)state;
    dtest_done(&T);
    return 0;
}

static void switch_frame(struct pb *p)
{
    p->n = 0;
    tlv(p, 1, (const uint8_t[]){4, 0x00, 0x0e, 0x8c, 0xaa, 0xbb, 0xcc}, 7);
    tlv_sub_str(p, 2, 5, "GigabitEthernet1/0/5");
    ttl(p, 120);
    tlv_str(p, 4, "uplink to cell 1");
    tlv_str(p, 5, "SW-CELL1");
    tlv_str(p, 6, "Siemens, SIMATIC NET, SCALANCE XC208, 6GK5 208-0BA00-2AC2, FW: V04.02.00");
    caps(p, 0x0014, 0x0014);
    mgmt_v4(p, 10, 0, 0, 254);
    tlv(p, 127, (const uint8_t[]){0x00, 0x80, 0xc2, 1, 0, 10}, 6);
    org_str(p, 0x0012bb, 6, "V04.02.00");
    org_str(p, 0x0012bb, 8, "VPK7123456");
    org_str(p, 0x0012bb, 9, "Siemens AG");
    org_str(p, 0x0012bb, 10, "SCALANCE XC208");
    end(p);
    for (int i = 0; i < 10; i++)
        PUT(p, 0); /* Ethernet padding */
}

static void test_switch(void **state)
{
    (void)state;
    struct pb p;
    switch_frame(&p);
    dtest_l2(&T, p.b, p.n);
    assert_int_equal(T.nmalformed, 0);
    assert_string_equal(dtest_attr(&T, F_CHASSIS_ID), "00:0e:8c:aa:bb:cc");
    assert_string_equal(dtest_attr(&T, F_PORT_ID), "GigabitEthernet1/0/5");
    assert_string_equal(dtest_attr(&T, F_PORT_DESCRIPTION), "uplink to cell 1");
    assert_string_equal(dtest_attr(&T, F_NAME), "SW-CELL1");
    assert_string_equal(dtest_attr(&T, F_DESCRIPTION),
                        "Siemens, SIMATIC NET, SCALANCE XC208, 6GK5 208-0BA00-2AC2, FW: V04.02.00");
    assert_string_equal(dtest_attr(&T, F_CAPABILITIES), "bridge,router");
    assert_string_equal(dtest_attr(&T, F_MGMT_ADDRESS), "10.0.0.254");
    assert_null(dtest_attr(&T, F_IP_ADDRESS)); /* sent from a port MAC, not the chassis MAC */
    assert_string_equal(dtest_attr(&T, F_NATIVE_VLAN), "10");
    assert_string_equal(dtest_attr(&T, F_FIRMWARE), "V04.02.00");
    assert_string_equal(dtest_attr(&T, F_SERIAL), "VPK7123456");
    assert_string_equal(dtest_attr(&T, F_VENDOR), "Siemens AG");
    assert_string_equal(dtest_attr(&T, F_PRODUCT), "SCALANCE XC208");
    assert_true(dtest_has_role(&T, "network-device"));
    assert_int_equal(T.nprotocol, 1);
    assert_string_equal(T.protocols[0].a, "lldp");
    assert_string_equal(T.protocols[0].b, "sender");
    for (int i = 0; i < T.nattr; i++)
        assert_true(T.attrs[i].is_src);
}

static void profinet_frame(struct pb *p, const uint8_t chassis_mac[6])
{
    p->n = 0;
    tlv_sub_str(p, 1, 7, "plc-cell1");
    tlv_sub_str(p, 2, 7, "port-001");
    ttl(p, 20);
    caps(p, 0x0080, 0x0080);
    mgmt_v4(p, 192, 168, 0, 1);
    tlv(p, 127, (const uint8_t[]){0x00, 0x0e, 0xcf, 2, 0, 0, 0, 0}, 8);
    uint8_t v[10] = {0x00, 0x0e, 0xcf, 5};
    memcpy(v + 4, chassis_mac, 6);
    tlv(p, 127, v, 10);
    end(p);
}

static void test_profinet_port_mac(void **state)
{
    (void)state;
    static const uint8_t chassis[6] = {0x00, 0x1b, 0x1b, 0x4a, 0x00, 0x10};
    struct pb p;
    profinet_frame(&p, chassis);
    dtest_l2(&T, p.b, p.n);
    assert_int_equal(T.nmalformed, 0);
    assert_string_equal(dtest_attr(&T, F_NAME), "plc-cell1");
    assert_string_equal(dtest_attr(&T, F_CHASSIS_MAC), "00:1b:1b:4a:00:10");
    assert_string_equal(dtest_attr(&T, F_CAPABILITIES), "station-only");
    assert_null(dtest_attr(&T, F_IP_ADDRESS)); /* a port MAC: the address is the chassis's */
    assert_string_equal(dtest_attr(&T, F_MGMT_ADDRESS), "192.168.0.1");
    assert_false(dtest_has_role(&T, "network-device"));
    /* sent from the chassis MAC itself: the address is its own */
    profinet_frame(&p, mac_src);
    dtest_l2(&T, p.b, p.n);
    assert_string_equal(dtest_attr(&T, F_IP_ADDRESS), "192.168.0.1");
}

/* a host running lldpd: the chassis MAC is the sender, the address is its own */
static void test_host_claims_address(void **state)
{
    (void)state;
    struct pb p;
    p.n = 0;
    uint8_t chassis[7] = {4};
    memcpy(chassis + 1, mac_src, 6);
    tlv(&p, 1, chassis, 7);
    tlv(&p, 2, (const uint8_t[]){3, 2, 0, 0, 0, 0, 1}, 7);
    ttl(&p, 120);
    tlv_str(&p, 5, "hist-srv01");
    caps(&p, 0x0080, 0x0080);
    mgmt_v4(&p, 10, 0, 0, 1);
    end(&p);
    dtest_l2(&T, p.b, p.n);
    assert_string_equal(dtest_attr(&T, F_IP_ADDRESS), "10.0.0.1");
    assert_string_equal(dtest_attr(&T, F_PORT_ID), "02:00:00:00:00:01");
    assert_string_equal(dtest_attr(&T, F_NAME), "hist-srv01");
}

static void test_phone_not_network_device(void **state)
{
    (void)state;
    struct pb p;
    p.n = 0;
    tlv(&p, 1, (const uint8_t[]){5, 1, 10, 0, 0, 40}, 6);
    tlv(&p, 2, (const uint8_t[]){3, 0x00, 0x1b, 0x54, 1, 2, 3}, 7);
    ttl(&p, 180);
    caps(&p, 0x0024, 0x0024);
    end(&p);
    dtest_l2(&T, p.b, p.n);
    assert_string_equal(dtest_attr(&T, F_CHASSIS_ID), "10.0.0.40");
    assert_string_equal(dtest_attr(&T, F_PORT_ID), "00:1b:54:01:02:03");
    assert_string_equal(dtest_attr(&T, F_CAPABILITIES), "bridge,telephone");
    assert_false(dtest_has_role(&T, "network-device"));
}

static void test_malformed(void **state)
{
    (void)state;
    struct pb p;
    switch_frame(&p);
    dtest_l2(&T, p.b, 5); /* chassis id TLV cut */
    assert_int_equal(T.nmalformed, 1);
    p.n = 0;
    ttl(&p, 120); /* TTL first: chassis and port missing */
    end(&p);
    dtest_l2(&T, p.b, p.n);
    assert_int_equal(T.nmalformed, 2);
    assert_int_equal(T.nattr, 0);
    switch_frame(&p);
    for (size_t n = 0; n < p.n; n++)
        dtest_l2(&T, p.b, n);
    for (size_t i = 0; i < p.n; i++) {
        struct pb q = p;
        q.b[i] ^= 0x81;
        dtest_l2(&T, q.b, q.n);
    }
    assert_true(T.nmalformed > 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_switch, setup, teardown),
        cmocka_unit_test_setup_teardown(test_profinet_port_mac, setup, teardown),
        cmocka_unit_test_setup_teardown(test_host_claims_address, setup, teardown),
        cmocka_unit_test_setup_teardown(test_phone_not_network_device, setup, teardown),
        cmocka_unit_test_setup_teardown(test_malformed, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
