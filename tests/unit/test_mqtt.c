/* test_mqtt.c - MQTT dissector: CONNECT identity (client id, protocol level) and credentials
 * (present, never stored), CONNACK refusals, PUBLISH topics reported once per flow, SUBSCRIBE
 * filters and SUBACK failures, MQTT 5 properties, TLS on 8883 noted and left alone, several
 * packets per segment and a packet split and reordered over segments, hostile packets. */
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

extern const struct dissector dissector_mqtt;

#define PASSWORD "s3cr3t-Pa55"
#define USERNAME "plant-user"

struct buf {
    uint8_t b[2048];
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
static void put_be16(struct buf *b, uint16_t v)
{
    put8(b, (uint8_t)(v >> 8));
    put8(b, (uint8_t)v);
}
static void put_str(struct buf *b, const char *s)
{
    put_be16(b, (uint16_t)strlen(s));
    put(b, s, strlen(s));
}
static void put_varint(struct buf *b, uint32_t v)
{
    do {
        uint8_t d = v & 0x7f;
        v >>= 7;
        put8(b, (uint8_t)(d | (v ? 0x80 : 0)));
    } while (v);
}
/* a packet: fixed header + body */
static void packet(struct buf *out, uint8_t b0, const struct buf *body)
{
    put8(out, b0);
    put_varint(out, (uint32_t)body->n);
    put(out, body->b, body->n);
}

static void connect(struct buf *out, uint8_t level, const char *client_id, bool user, bool pass,
                    bool will)
{
    struct buf v = {{0}, 0};
    put_str(&v, level == 3 ? "MQIsdp" : "MQTT");
    put8(&v, level);
    put8(&v, (uint8_t)((user ? 0x80 : 0) | (pass ? 0x40 : 0) | (will ? 0x0c : 0) | 0x02));
    put_be16(&v, 60);
    if (level == 5)
        put(&v, (const uint8_t[]){5, 0x11, 0, 0, 0x0e, 0x10}, 6); /* session expiry */
    put_str(&v, client_id);
    if (will) {
        if (level == 5)
            put8(&v, 0);
        put_str(&v, "plant/status");
        put_str(&v, "offline");
    }
    if (user)
        put_str(&v, USERNAME);
    if (pass)
        put_str(&v, PASSWORD);
    packet(out, 0x10, &v);
}

static void publish(struct buf *out, const char *topic, uint8_t qos, bool v5, const char *payload)
{
    struct buf v = {{0}, 0};
    put_str(&v, topic);
    if (qos)
        put_be16(&v, 17);
    if (v5)
        put(&v, (const uint8_t[]){2, 0x01, 0x01}, 3); /* payload format indicator */
    put(&v, payload, strlen(payload));
    packet(out, (uint8_t)(0x30 | qos << 1), &v);
}

static struct dtest T;

static int setup(void **state)
{
    (void)state;
    dtest_init(&T, &dissector_mqtt, 0);
    return 0;
}
static int teardown(void **state)
{
    (void)state;
    dtest_done(&T);
    return 0;
}

static void send_buf(int dir, const struct buf *b)
{
    dtest_pdu(&T, dir, b->b, b->n);
}

/* nothing recorded may contain the credentials */
static void assert_no_secret(void)
{
    for (int i = 0; i < T.nattr; i++) {
        assert_null(strstr(T.attrs[i].value, PASSWORD));
        assert_null(strstr(T.attrs[i].value, USERNAME));
    }
    for (int i = 0; i < T.nop; i++) {
        assert_null(strstr(T.ops[i].target, PASSWORD));
        assert_null(strstr(T.ops[i].target, USERNAME));
    }
    for (int i = 0; i < T.nfinding; i++) {
        assert_null(strstr(T.findings[i].b, PASSWORD));
        assert_null(strstr(T.findings[i].b, USERNAME));
    }
}

static void test_connect_credentials(void **state)
{
    (void)state;
    struct buf b = {{0}, 0};
    connect(&b, 4, "sensor-0042", true, true, true);
    send_buf(0, &b);
    assert_int_equal(T.nmalformed, 0);
    assert_string_equal(dtest_attr(&T, F_MQTT_CLIENT_ID), "sensor-0042");
    assert_string_equal(dtest_attr(&T, F_PROTOCOL_VERSION), "MQTT 3.1.1");
    for (int i = 0; i < T.nattr; i++) {
        assert_false(T.attrs[i].is_server);
        assert_string_equal(T.attrs[i].source, "mqtt connect");
    }
    assert_true(dtest_has_finding(&T, "cleartext-credentials"));
    assert_string_equal(T.findings[0].b, "mqtt connect with username and password over plain tcp");
    assert_false(T.findings[0].is_server);
    const struct dtest_op *op = dtest_op_find(&T, OP_AUTH);
    assert_non_null(op);
    assert_string_equal(op->function, "connect (1)");
    assert_string_equal(op->target, "username and password");
    assert_no_secret();
    /* refused: bad user name or password */
    static const uint8_t connack[] = {0x20, 0x02, 0x00, 0x04};
    dtest_pdu(&T, 1, connack, sizeof connack);
    assert_int_equal(dtest_op_count(&T, OP_AUTH), 2);
    assert_string_equal(T.ops[1].result, "refused: bad user name or password (4)");
    assert_true(dtest_has_role(&T, "broker"));
    assert_true(T.roles[0].is_server);
    assert_no_secret();
}

static void test_connect_anonymous(void **state)
{
    (void)state;
    struct buf b = {{0}, 0};
    connect(&b, 3, "cbaabcbabacbbbbbaaaaab", false, false, false);
    send_buf(0, &b);
    assert_string_equal(dtest_attr(&T, F_PROTOCOL_VERSION), "MQTT 3.1");
    assert_false(dtest_has_finding(&T, "cleartext-credentials"));
    assert_string_equal(dtest_op_find(&T, OP_SESSION)->target, "no credentials");
    static const uint8_t connack[] = {0x20, 0x02, 0x00, 0x00};
    dtest_pdu(&T, 1, connack, sizeof connack);
    assert_int_equal(T.nop, 1);
    assert_true(dtest_has_role(&T, "broker"));
    /* username only: a credential too (tokens travel as user names) */
    b.n = 0;
    connect(&b, 4, "", true, false, false);
    send_buf(0, &b);
    assert_true(dtest_has_finding(&T, "cleartext-credentials"));
    assert_string_equal(T.findings[0].b, "mqtt connect with username over plain tcp");
    assert_int_equal(dtest_attr_count(&T, F_MQTT_CLIENT_ID), 1); /* empty id: none */
    assert_no_secret();
    assert_int_equal(T.nmalformed, 0);
}

static void test_mqtt5(void **state)
{
    (void)state;
    struct buf b = {{0}, 0};
    connect(&b, 5, "edge-gw-7", true, true, true);
    send_buf(0, &b);
    assert_int_equal(T.nmalformed, 0);
    assert_string_equal(dtest_attr(&T, F_PROTOCOL_VERSION), "MQTT 5.0");
    assert_string_equal(dtest_attr(&T, F_MQTT_CLIENT_ID), "edge-gw-7");
    assert_true(dtest_has_finding(&T, "cleartext-credentials"));
    /* CONNACK with properties, refused "not authorized" (0x87) */
    static const uint8_t connack[] = {0x20, 0x05, 0x00, 0x87, 0x02, 0x24, 0x01};
    dtest_pdu(&T, 1, connack, sizeof connack);
    assert_string_equal(T.ops[T.nop - 1].result, "refused: not authorized (135)");
    b.n = 0;
    publish(&b, "plant/line1/temp", 1, true, "{\"t\":21.5}");
    send_buf(0, &b);
    assert_string_equal(T.ops[T.nop - 1].target, "plant/line1/temp");
    /* SUBSCRIBE with properties and options */
    struct buf v = {{0}, 0};
    put_be16(&v, 9);
    put(&v, (const uint8_t[]){2, 0x0b, 0x05}, 3);
    put_str(&v, "plant/+/cmd");
    put8(&v, 0x01);
    b.n = 0;
    packet(&b, 0x82, &v);
    send_buf(0, &b);
    assert_string_equal(dtest_op_find(&T, OP_READ)->target, "plant/+/cmd");
    assert_int_equal(T.nmalformed, 0);
    assert_no_secret();
}

static void test_publish_once_per_topic(void **state)
{
    (void)state;
    struct buf b = {{0}, 0};
    publish(&b, "astr/s720/99", 0, false, "x");
    publish(&b, "astr/s720/99", 1, false, "y");
    publish(&b, "astr/admin/otaupd8", 0, false, "z");
    dtest_tcp(&T, 0, b.b, b.n); /* three packets in one segment */
    assert_int_equal(dtest_op_count(&T, OP_OTHER), 2);
    assert_string_equal(T.ops[0].function, "publish (3)");
    assert_string_equal(T.ops[0].target, "astr/s720/99");
    assert_string_equal(T.ops[1].target, "astr/admin/otaupd8");
    /* the broker delivering the same topic is another direction */
    b.n = 0;
    publish(&b, "astr/s720/99", 0, false, "x");
    dtest_tcp(&T, 1, b.b, b.n);
    assert_int_equal(dtest_op_count(&T, OP_OTHER), 3);
    assert_false(T.ops[2].src_is_client);
    /* many topics: the table bounds memory, later repeats may be reported again, never lost */
    for (int i = 0; i < 200; i++) {
        char t[32];
        snprintf(t, sizeof t, "plant/tag/%d", i);
        b.n = 0;
        publish(&b, t, 0, false, "1");
        dtest_tcp(&T, 0, b.b, b.n);
    }
    assert_true(dtest_op_count(&T, OP_OTHER) >= 203);
    assert_int_equal(dtest_flow_proto(&T), PROTO_MQTT);
    assert_int_equal(T.nmalformed, 0);
}

static void test_subscribe_and_suback(void **state)
{
    (void)state;
    struct buf v = {{0}, 0}, b = {{0}, 0};
    put_be16(&v, 1);
    put_str(&v, "astr/s720/02D5050223D3/99");
    put8(&v, 0);
    put_str(&v, "astr/#");
    put8(&v, 1);
    packet(&b, 0x82, &v);
    send_buf(0, &b);
    assert_int_equal(dtest_op_count(&T, OP_READ), 2);
    assert_string_equal(T.ops[0].function, "subscribe (8)");
    assert_string_equal(T.ops[0].target, "astr/s720/02D5050223D3/99");
    assert_string_equal(T.ops[1].target, "astr/#");
    static const uint8_t suback[] = {0x90, 0x04, 0x00, 0x01, 0x80, 0x01};
    dtest_pdu(&T, 1, suback, sizeof suback);
    assert_int_equal(dtest_op_count(&T, OP_READ), 3);
    assert_string_equal(T.ops[2].target, "astr/s720/02D5050223D3/99");
    assert_string_equal(T.ops[2].result, "failure (0x80)");
    assert_true(dtest_has_role(&T, "broker"));
    /* unsubscribe */
    v.n = 0;
    b.n = 0;
    put_be16(&v, 2);
    put_str(&v, "astr/#");
    packet(&b, 0xa2, &v);
    send_buf(0, &b);
    assert_string_equal(T.ops[T.nop - 1].function, "unsubscribe (10)");
    assert_int_equal(T.nmalformed, 0);
}

static void test_split_out_of_order(void **state)
{
    (void)state;
    struct buf b = {{0}, 0};
    connect(&b, 4, "P47775ID170W2120", true, true, false);
    publish(&b, "dev/P47775/state", 0, false, "{\"on\":true}");
    size_t cut = 17;
    dtest_tcp_at(&T, 0, (uint32_t)cut, b.b + cut, b.n - cut);
    assert_int_equal(T.nattr, 0);
    dtest_tcp_at(&T, 0, 0, b.b, cut);
    assert_string_equal(dtest_attr(&T, F_MQTT_CLIENT_ID), "P47775ID170W2120");
    assert_int_equal(dtest_op_count(&T, OP_OTHER), 1);
    assert_true(dtest_has_finding(&T, "cleartext-credentials"));
    /* a large PUBLISH (two-byte remaining length) over three segments */
    char payload[700];
    memset(payload, 'a', sizeof payload - 1);
    payload[sizeof payload - 1] = '\0';
    b.n = 0;
    publish(&b, "dev/P47775/blob", 0, false, payload);
    dtest_tcp(&T, 0, b.b, 1);
    dtest_tcp(&T, 0, b.b + 1, 300);
    dtest_tcp(&T, 0, b.b + 301, b.n - 301);
    assert_int_equal(dtest_op_count(&T, OP_OTHER), 2);
    assert_string_equal(T.ops[T.nop - 1].target, "dev/P47775/blob");
    assert_int_equal(T.nmalformed, 0);
    assert_no_secret();
}

static void test_tls_port(void **state)
{
    (void)state;
    dtest_done(&T);
    dtest_init(&T, &dissector_mqtt, 8883);
    /* a TLS ClientHello record (content only partly meaningful) split in two segments */
    uint8_t rec[5 + 64] = {0x16, 0x03, 0x01, 0x00, 64, 0x01, 0x00, 0x00, 60, 0x03, 0x03};
    dtest_tcp(&T, 0, rec, 20);
    dtest_tcp(&T, 0, rec + 20, sizeof rec - 20);
    static const uint8_t server_hello[] = {0x16, 0x03, 0x03, 0x00, 0x04, 0x02, 0, 0, 0};
    dtest_tcp(&T, 1, server_hello, sizeof server_hello);
    static const uint8_t appdata[] = {0x17, 0x03, 0x03, 0x00, 0x03, 0x10, 0x0e, 0x00};
    dtest_tcp(&T, 0, appdata, sizeof appdata);
    assert_int_equal(T.nop, 1);
    assert_string_equal(T.ops[0].function, "mqtt over tls");
    assert_int_equal(T.ops[0].kind, OP_SESSION);
    assert_int_equal(T.nfinding, 0);
    assert_int_equal(T.nattr, 0);
    assert_int_equal(T.nmalformed, 0);
    assert_int_equal(dtest_flow_proto(&T), PROTO_MQTT);
}

static void test_malformed(void **state)
{
    (void)state;
    static const uint8_t long_varint[] = {0x30, 0xff, 0xff, 0xff, 0xff, 0x01};
    dtest_pdu(&T, 0, long_varint, sizeof long_varint);
    assert_string_equal(T.last_malformed, "mqtt: bad fixed header");
    struct buf v = {{0}, 0}, b = {{0}, 0};
    put_str(&v, "MQTX");
    put8(&v, 4);
    put8(&v, 0);
    put_be16(&v, 60);
    put_str(&v, "id");
    packet(&b, 0x10, &v);
    send_buf(0, &b);
    assert_string_equal(T.last_malformed, "mqtt: bad connect header");
    b.n = 0;
    connect(&b, 4, "truncated-client", true, true, false);
    b.b[1] = (uint8_t)(b.b[1] - 4); /* remaining length short of the password */
    dtest_pdu(&T, 0, b.b, b.n - 4);
    assert_string_equal(T.last_malformed, "mqtt: truncated connect");
    static const uint8_t reserved[] = {0x00, 0x00};
    dtest_pdu(&T, 0, reserved, sizeof reserved);
    assert_string_equal(T.last_malformed, "mqtt: reserved packet type");
    static const uint8_t qos3[] = {0x36, 0x05, 0x00, 0x01, 'a', 0x00, 0x01};
    dtest_pdu(&T, 0, qos3, sizeof qos3);
    assert_string_equal(T.last_malformed, "mqtt: bad publish header");
    static const uint8_t sub_flags[] = {0x80, 0x02, 0x00, 0x01};
    dtest_pdu(&T, 0, sub_flags, sizeof sub_flags);
    assert_string_equal(T.last_malformed, "mqtt: bad subscribe flags");
    assert_int_equal(T.nmalformed, 6);
    assert_int_equal(T.nop, 0);
    /* every truncation of a CONNECT: reported, no identity invented */
    b.n = 0;
    connect(&b, 4, "sensor-1", true, true, true);
    for (size_t cut = 1; cut < b.n; cut++) {
        int before = T.nmalformed;
        dtest_pdu(&T, 0, b.b, cut);
        assert_int_equal(T.nmalformed, before + 1);
    }
    assert_int_equal(T.nattr, 0);
}

static void test_frame_and_probe(void **state)
{
    (void)state;
    const struct dissector *d = &dissector_mqtt;
    struct buf b = {{0}, 0};
    connect(&b, 4, "sensor-1", false, false, false);
    struct rd r = rd_init(b.b, b.n);
    assert_int_equal(d->frame(&r), (long)b.n);
    assert_true(d->probe(&r, L4_TCP));
    assert_false(d->probe(&r, L4_UDP));
    r = rd_init(b.b, 1);
    assert_int_equal(d->frame(&r), FRAME_NEED_MORE);
    static const uint8_t big[] = {0x30, 0x80, 0x80};
    r = rd_init(big, sizeof big);
    assert_int_equal(d->frame(&r), FRAME_NEED_MORE);
    static const uint8_t four[] = {0x30, 0xff, 0xff, 0xff, 0x7f};
    r = rd_init(four, sizeof four);
    assert_int_equal(d->frame(&r), 5 + 268435455l);
    static const uint8_t five[] = {0x30, 0xff, 0xff, 0xff, 0xff, 0x01};
    r = rd_init(five, sizeof five);
    assert_int_equal(d->frame(&r), FRAME_NOT_OURS);
    static const uint8_t zero[] = {0x00, 0x00};
    r = rd_init(zero, sizeof zero);
    assert_int_equal(d->frame(&r), FRAME_NOT_OURS);
    static const uint8_t tls[] = {0x16, 0x03, 0x01, 0x02, 0x00};
    r = rd_init(tls, sizeof tls);
    assert_int_equal(d->frame(&r), 5 + 512);
    assert_false(d->probe(&r, L4_TCP));
    static const uint8_t ping[] = {0xc0, 0x00};
    r = rd_init(ping, sizeof ping);
    assert_int_equal(d->frame(&r), 2);
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
    struct buf tmpl[3] = {{{0}, 0}};
    connect(&tmpl[0], 5, "fuzz-client", true, true, true);
    publish(&tmpl[1], "a/b/c", 1, true, "payload");
    struct buf v = {{0}, 0};
    put_be16(&v, 1);
    put(&v, (const uint8_t[]){0}, 1);
    put_str(&v, "x/#");
    put8(&v, 2);
    packet(&tmpl[2], 0x82, &v);
    uint64_t x = 0xdeadbeefcafef00dull;
    for (int round = 0; round < 6000; round++) {
        struct buf b = tmpl[round % 3];
        for (int k = 0; k < 1 + round % 3; k++) {
            x = xorshift(x);
            b.b[x % b.n] = (uint8_t)(x >> 40);
        }
        x = xorshift(x);
        dtest_pdu(&T, (int)(x & 1), b.b, 1 + (size_t)(x >> 8) % b.n);
    }
    assert_true(T.nmalformed > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_connect_credentials, setup, teardown),
        cmocka_unit_test_setup_teardown(test_connect_anonymous, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mqtt5, setup, teardown),
        cmocka_unit_test_setup_teardown(test_publish_once_per_topic, setup, teardown),
        cmocka_unit_test_setup_teardown(test_subscribe_and_suback, setup, teardown),
        cmocka_unit_test_setup_teardown(test_split_out_of_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tls_port, setup, teardown),
        cmocka_unit_test_setup_teardown(test_malformed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_frame_and_probe, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mutations, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
