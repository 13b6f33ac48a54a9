/* test_enip.c - EtherNet/IP and CIP: List Identity over UDP (the replying host's identity),
 * Get_Attributes_All of the Identity object direct and routed to a backplane slot, Logix tag
 * writes in and out of a Multiple Service Packet with error results matched to their request,
 * resets, attribute writes, Stop through Unconnected Send, Forward Open, PCCC, class 1 I/O on
 * udp/2222, a PDU split and reordered over segments, and hostile PDUs. */
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

extern const struct dissector dissector_enip;

struct buf {
    uint8_t b[2048];
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
static void put_le16(struct buf *b, uint16_t v)
{
    put8(b, (uint8_t)v);
    put8(b, (uint8_t)(v >> 8));
}
static void put_le32(struct buf *b, uint32_t v)
{
    put_le16(b, (uint16_t)v);
    put_le16(b, (uint16_t)(v >> 16));
}
static void put_be16(struct buf *b, uint16_t v)
{
    put8(b, (uint8_t)(v >> 8));
    put8(b, (uint8_t)v);
}
static void patch_le16(struct buf *b, size_t at, uint16_t v)
{
    b->b[at] = (uint8_t)v;
    b->b[at + 1] = (uint8_t)(v >> 8);
}

/* encapsulation header; the length is patched by encap_done */
static void encap(struct buf *b, uint16_t cmd, uint32_t session, uint32_t ctx)
{
    b->n = 0;
    put_le16(b, cmd);
    put_le16(b, 0);
    put_le32(b, session);
    put_le32(b, 0);
    put_le32(b, ctx);
    put_le32(b, 0);
    put_le32(b, 0);
}
static void encap_done(struct buf *b)
{
    patch_le16(b, 2, (uint16_t)(b->n - 24));
}

/* SendRRData around a CIP message, keyed by the sender context */
static void rr(struct buf *out, uint32_t ctx, const struct buf *cip)
{
    encap(out, 0x006f, 0x1234, ctx);
    put_le32(out, 0);
    put_le16(out, 10);
    put_le16(out, 2);
    put_le16(out, 0x0000);
    put_le16(out, 0);
    put_le16(out, 0x00b2);
    put_le16(out, (uint16_t)cip->n);
    put(out, cip->b, cip->n);
    encap_done(out);
}

/* SendUnitData around a CIP message, keyed by the sequence count */
static void unit(struct buf *out, uint16_t seq, const struct buf *cip)
{
    encap(out, 0x0070, 0x1234, 0);
    put_le32(out, 0);
    put_le16(out, 0);
    put_le16(out, 2);
    put_le16(out, 0x00a1);
    put_le16(out, 4);
    put_le32(out, 0x7f001234);
    put_le16(out, 0x00b1);
    put_le16(out, (uint16_t)(cip->n + 2));
    put_le16(out, seq);
    put(out, cip->b, cip->n);
    encap_done(out);
}

static void cip_req(struct buf *m, uint8_t svc, const void *path, size_t pathlen)
{
    m->n = 0;
    put8(m, svc);
    put8(m, (uint8_t)(pathlen / 2));
    put(m, path, pathlen);
}
static void cip_rsp(struct buf *m, uint8_t svc, uint8_t status)
{
    m->n = 0;
    put8(m, (uint8_t)(svc | 0x80));
    put8(m, 0);
    put8(m, status);
    put8(m, 0);
}
/* ANSI extended symbol segment */
static void sym(struct buf *p, const char *s)
{
    size_t n = strlen(s);
    put8(p, 0x91);
    put8(p, (uint8_t)n);
    put(p, s, n);
    if (n & 1)
        put8(p, 0);
}

static const char product[] = "1756-L61/B LOGIX5561";
static void identity(struct buf *b)
{
    put_le16(b, 1);
    put_le16(b, 14);
    put_le16(b, 54);
    put8(b, 20);
    put8(b, 11);
    put_le16(b, 0x0060);
    put_le32(b, 0x00c0ffee);
    put8(b, (uint8_t)strlen(product));
    put(b, product, strlen(product));
}

static struct dtest T;

static int setup(void **state)
{
    (void)state;
    dtest_init(&T, &dissector_enip, 44818);
    return 0;
}
static int teardown(void **state)
{
    (void)state;
    dtest_done(&T);
    return 0;
}

static const struct dtest_op *last_op(void)
{
    return T.nop ? &T.ops[T.nop - 1] : NULL;
}

static const struct dtest_attr *find_attr(enum attr_field f)
{
    for (int i = 0; i < T.nattr; i++)
        if (T.attrs[i].field == f)
            return &T.attrs[i];
    return NULL;
}

static void test_list_identity_udp(void **state)
{
    (void)state;
    struct buf b;
    encap(&b, 0x0063, 0, 0x55);
    encap_done(&b);
    dtest_udp(&T, 0, b.b, b.n);
    assert_int_equal(T.nop, 1);
    assert_int_equal(T.ops[0].kind, OP_READ);
    assert_string_equal(T.ops[0].function, "list identity");
    encap(&b, 0x0063, 0, 0x55);
    put_le16(&b, 1);
    put_le16(&b, 0x000c);
    size_t len_at = b.n;
    put_le16(&b, 0);
    put_le16(&b, 1);
    put_be16(&b, 2);
    put_be16(&b, 44818);
    put(&b, (const uint8_t[]){192, 168, 1, 10}, 4);
    put(&b, (const uint8_t[8]){0}, 8);
    identity(&b);
    put8(&b, 3);
    patch_le16(&b, len_at, (uint16_t)(b.n - len_at - 2));
    encap_done(&b);
    dtest_udp(&T, 1, b.b, b.n);
    assert_int_equal(T.nmalformed, 0);
    assert_string_equal(dtest_attr(&T, F_VENDOR), "Rockwell Automation/Allen-Bradley");
    assert_string_equal(dtest_attr(&T, F_VENDOR_ID), "1");
    assert_string_equal(dtest_attr(&T, F_DEVICE_TYPE), "Programmable Logic Controller");
    assert_string_equal(dtest_attr(&T, F_PRODUCT_CODE), "54");
    assert_string_equal(dtest_attr(&T, F_FIRMWARE), "V20.011");
    assert_string_equal(dtest_attr(&T, F_SERIAL), "0x00c0ffee");
    assert_string_equal(dtest_attr(&T, F_PRODUCT), product);
    assert_string_equal(dtest_attr(&T, F_STATE), "operational");
    assert_string_equal(dtest_attr(&T, F_IP_ADDRESS), "192.168.1.10");
    const struct dtest_attr *a = find_attr(F_PRODUCT);
    assert_true(a->is_src);
    assert_true(a->is_server);
    assert_string_equal(a->source, "enip list identity");
    assert_true(dtest_has_role(&T, "plc"));
    assert_true(T.roles[0].is_server);
}

static void test_register_and_identity(void **state)
{
    (void)state;
    struct buf b, m;
    encap(&b, 0x0065, 0, 0);
    put_le16(&b, 1);
    put_le16(&b, 0);
    encap_done(&b);
    dtest_tcp(&T, 0, b.b, b.n);
    assert_string_equal(last_op()->function, "register session");
    dtest_tcp(&T, 1, b.b, b.n);
    assert_int_equal(T.nop, 1);
    cip_req(&m, 0x01, (const uint8_t[]){0x20, 0x01, 0x24, 0x01}, 4);
    rr(&b, 0x1111, &m);
    dtest_tcp(&T, 0, b.b, b.n);
    assert_int_equal(last_op()->kind, OP_READ);
    assert_string_equal(last_op()->function, "get attributes all (0x01)");
    assert_string_equal(last_op()->target, "identity instance 1");
    cip_rsp(&m, 0x01, 0);
    identity(&m);
    rr(&b, 0x1111, &m);
    dtest_tcp(&T, 1, b.b, b.n);
    assert_string_equal(dtest_attr(&T, F_PRODUCT), product);
    assert_string_equal(dtest_attr(&T, F_FIRMWARE), "V20.011");
    assert_string_equal(find_attr(F_PRODUCT)->source, "cip identity get_attributes_all");
    assert_true(find_attr(F_PRODUCT)->is_server);
    assert_int_equal(dtest_flow_proto(&T), PROTO_ENIP);

    /* the same request routed to slot 2 of the backplane: a module, not the host */
    struct buf u;
    cip_req(&u, 0x52, (const uint8_t[]){0x20, 0x06, 0x24, 0x01}, 4);
    put8(&u, 0x07);
    put8(&u, 0xe9);
    cip_req(&m, 0x01, (const uint8_t[]){0x20, 0x01, 0x24, 0x01}, 4);
    put_le16(&u, (uint16_t)m.n);
    put(&u, m.b, m.n);
    put(&u, (const uint8_t[]){1, 0, 0x01, 0x02}, 4);
    rr(&b, 0x2222, &u);
    dtest_tcp(&T, 0, b.b, b.n);
    assert_string_equal(last_op()->target, "identity instance 1 via port 1 slot 2");
    cip_rsp(&m, 0x01, 0);
    identity(&m);
    rr(&b, 0x2222, &m);
    dtest_tcp(&T, 1, b.b, b.n);
    assert_int_equal(dtest_attr_count(&T, F_PRODUCT), 1);
    assert_int_equal(dtest_attr_count(&T, F_FIRMWARE), 1);
    assert_string_equal(dtest_attr(&T, F_MODULE_NAME),
                        "Rockwell Automation/Allen-Bradley 1756-L61/B LOGIX5561 V20.011 serial "
                        "0x00c0ffee via port 1 slot 2");
    assert_int_equal(T.nmalformed, 0);
}

/* Write Tag "Program:Main.Motor[3]" = DINT */
static void write_motor(struct buf *m)
{
    struct buf p = {{0}, 0};
    sym(&p, "Program:Main");
    sym(&p, "Motor");
    put(&p, (const uint8_t[]){0x28, 0x03}, 2);
    cip_req(m, 0x4d, p.b, p.n);
    put_le16(m, 0x00c4);
    put_le16(m, 1);
    put_le32(m, 1500);
}

static void test_logix_write_error(void **state)
{
    (void)state;
    struct buf b, m;
    write_motor(&m);
    unit(&b, 7, &m);
    dtest_tcp(&T, 0, b.b, b.n);
    assert_int_equal(T.nop, 1);
    assert_int_equal(T.ops[0].kind, OP_PROCESS_WRITE);
    assert_string_equal(T.ops[0].function, "logix write tag (0x4d)");
    assert_string_equal(T.ops[0].target, "tag Program:Main.Motor[3], dint x1");
    assert_string_equal(T.ops[0].result, "");
    /* an answer to another request is not this one's result */
    cip_rsp(&m, 0x4d, 0x05);
    unit(&b, 8, &m);
    dtest_tcp(&T, 1, b.b, b.n);
    assert_int_equal(T.nop, 1);
    unit(&b, 7, &m);
    dtest_tcp(&T, 1, b.b, b.n);
    assert_int_equal(T.nop, 2);
    assert_int_equal(T.ops[1].kind, OP_PROCESS_WRITE);
    assert_string_equal(T.ops[1].function, "logix write tag (0x4d)");
    assert_string_equal(T.ops[1].target, "tag Program:Main.Motor[3], dint x1");
    assert_string_equal(T.ops[1].result, "status 0x05 (path destination unknown)");
    /* answered once: a repeat is not matched again */
    dtest_tcp(&T, 1, b.b, b.n);
    assert_int_equal(T.nop, 2);
    assert_int_equal(T.nmalformed, 0);
}

static void test_multiple_service_packet(void **state)
{
    (void)state;
    struct buf one[3], p, m, b;
    p.n = 0;
    sym(&p, "Tank_Level");
    cip_req(&one[0], 0x4c, p.b, p.n);
    put_le16(&one[0], 1);
    p.n = 0;
    sym(&p, "Valve_SP");
    cip_req(&one[1], 0x4d, p.b, p.n);
    put_le16(&one[1], 0x00c3);
    put_le16(&one[1], 1);
    put_le16(&one[1], 42);
    p.n = 0;
    sym(&p, "Flags");
    cip_req(&one[2], 0x4e, p.b, p.n);
    put_le16(&one[2], 2);
    put_le16(&one[2], 0x0001);
    put_le16(&one[2], 0xffff);
    cip_req(&m, 0x0a, (const uint8_t[]){0x20, 0x02, 0x24, 0x01}, 4);
    put_le16(&m, 3);
    uint16_t off = 8;
    for (int i = 0; i < 3; i++) {
        put_le16(&m, off);
        off = (uint16_t)(off + one[i].n);
    }
    for (int i = 0; i < 3; i++)
        put(&m, one[i].b, one[i].n);
    rr(&b, 0x3333, &m);
    dtest_tcp(&T, 0, b.b, b.n);
    assert_int_equal(T.nop, 3);
    assert_int_equal(T.ops[0].kind, OP_READ);
    assert_string_equal(T.ops[0].target, "tag Tank_Level");
    assert_int_equal(T.ops[1].kind, OP_PROCESS_WRITE);
    assert_string_equal(T.ops[1].target, "tag Valve_SP, int x1");
    assert_int_equal(T.ops[2].kind, OP_PROCESS_WRITE);
    assert_string_equal(T.ops[2].function, "logix read modify write tag (0x4e)");
    /* replies: ok (a REAL), privilege violation, ok */
    cip_rsp(&one[0], 0x4c, 0);
    put_le16(&one[0], 0x00ca);
    put_le32(&one[0], 0x42480000);
    cip_rsp(&one[1], 0x4d, 0x0f);
    cip_rsp(&one[2], 0x4e, 0);
    cip_rsp(&m, 0x0a, 0x1e);
    put_le16(&m, 3);
    off = 8;
    for (int i = 0; i < 3; i++) {
        put_le16(&m, off);
        off = (uint16_t)(off + one[i].n);
    }
    for (int i = 0; i < 3; i++)
        put(&m, one[i].b, one[i].n);
    rr(&b, 0x3333, &m);
    dtest_tcp(&T, 1, b.b, b.n);
    assert_int_equal(T.nop, 4);
    assert_int_equal(T.ops[3].kind, OP_PROCESS_WRITE);
    assert_string_equal(T.ops[3].target, "tag Valve_SP, int x1");
    assert_string_equal(T.ops[3].result, "status 0x0f (privilege violation)");
    /* a controller that serves tags by name is a Logix controller */
    assert_true(dtest_has_role(&T, "plc"));
    assert_true(T.roles[0].is_server);
    assert_int_equal(T.nmalformed, 0);
}

static void test_resets_and_attribute_writes(void **state)
{
    (void)state;
    struct buf b, m;
    cip_req(&m, 0x05, (const uint8_t[]){0x20, 0x01, 0x24, 0x01}, 4);
    put8(&m, 1);
    rr(&b, 1, &m);
    dtest_pdu(&T, 0, b.b, b.n);
    assert_int_equal(last_op()->kind, OP_RESTART);
    assert_string_equal(last_op()->function, "reset (0x05)");
    assert_string_equal(last_op()->target,
                        "identity instance 1, type 1 (return to factory defaults)");
    cip_rsp(&m, 0x05, 0x10);
    rr(&b, 1, &m);
    dtest_pdu(&T, 1, b.b, b.n);
    assert_string_equal(last_op()->result, "status 0x10 (device state conflict)");
    /* a truncated long target keeps its start and says it was cut */
    assert_string_equal(last_op()->target, "identity instance 1, type 1 (return to facto...");

    cip_req(&m, 0x10, (const uint8_t[]){0x20, 0xf5, 0x24, 0x01, 0x30, 0x05}, 6);
    put(&m, (const uint8_t[]){50, 1, 168, 192, 0, 255, 255, 255, 1, 1, 168, 192}, 12);
    rr(&b, 2, &m);
    dtest_pdu(&T, 0, b.b, b.n);
    assert_int_equal(last_op()->kind, OP_CONFIG_WRITE);
    assert_string_equal(last_op()->target, "tcp/ip interface instance 1 attribute 5, address "
                                           "192.168.1.50 mask 255.255.255.0");
    cip_req(&m, 0x10, (const uint8_t[]){0x20, 0x04, 0x24, 0x96, 0x30, 0x03}, 6);
    put(&m, (const uint8_t[]){1, 2, 3, 4}, 4);
    rr(&b, 3, &m);
    dtest_pdu(&T, 0, b.b, b.n);
    assert_int_equal(last_op()->kind, OP_PROCESS_WRITE);
    assert_string_equal(last_op()->target, "assembly instance 150 attribute 3");
    /* Stop sent on by Unconnected Send (the public "STOPCPU" request) */
    static const uint8_t stopcpu[] = {0x52, 0x02, 0x20, 0x06, 0x24, 0x01, 0x03, 0xf0, 0x0c,
                                      0x00, 0x07, 0x02, 0x20, 0x64, 0x24, 0x01, 0xde, 0xad,
                                      0xbe, 0xef, 0xca, 0xfe, 0x01, 0x00, 0x01, 0x00};
    m.n = 0;
    put(&m, stopcpu, sizeof stopcpu);
    rr(&b, 4, &m);
    dtest_pdu(&T, 0, b.b, b.n);
    assert_int_equal(last_op()->kind, OP_PLC_STOP);
    assert_string_equal(last_op()->function, "stop (0x07)");
    assert_string_equal(last_op()->target, "class 0x64 instance 1 via port 1 slot 0");
    /* a routing failure answers the embedded request */
    cip_rsp(&m, 0x52, 0x01);
    m.b[3] = 1;
    put_le16(&m, 0x0204);
    rr(&b, 4, &m);
    dtest_pdu(&T, 1, b.b, b.n);
    assert_int_equal(last_op()->kind, OP_PLC_STOP);
    assert_string_equal(last_op()->result, "status 0x01 (connection failure) extended 0x0204");
    cip_req(&m, 0x06, (const uint8_t[]){0x20, 0x8e, 0x24, 0x01}, 4);
    rr(&b, 5, &m);
    dtest_pdu(&T, 0, b.b, b.n);
    assert_int_equal(last_op()->kind, OP_PLC_START);
    assert_int_equal(T.nmalformed, 0);
}

static void test_forward_open(void **state)
{
    (void)state;
    struct buf b, m;
    cip_req(&m, 0x54, (const uint8_t[]){0x20, 0x06, 0x24, 0x01}, 4);
    put8(&m, 0x0a);
    put8(&m, 0x05);
    put_le32(&m, 0x20000001);
    put_le32(&m, 0x30000001);
    put_le16(&m, 0x1234);
    put_le16(&m, 1);
    put_le32(&m, 0x60c3a1d2);
    put8(&m, 1);
    put(&m, (const uint8_t[3]){0}, 3);
    put_le32(&m, 10000);
    put_le16(&m, 0x4814);
    put_le32(&m, 10000);
    put_le16(&m, 0x2818);
    put8(&m, 0x01);
    static const uint8_t path[] = {0x01, 0x03, 0x34, 0x04, 0x01, 0x00, 0x0c, 0x00, 0x8c, 0x00,
                                   0x83, 0x0c, 0x20, 0x04, 0x24, 0x66, 0x2c, 0x65, 0x2c, 0x64};
    put8(&m, sizeof path / 2);
    put(&m, path, sizeof path);
    rr(&b, 9, &m);
    dtest_pdu(&T, 0, b.b, b.n);
    assert_int_equal(T.nop, 1);
    assert_int_equal(T.ops[0].kind, OP_SESSION);
    assert_string_equal(T.ops[0].function, "forward open (0x54)");
    assert_string_equal(T.ops[0].target,
                        "class 1 rpi 10.0 ms path port 1 slot 3 assembly instance 102 "
                        "point 101/100");
    /* the originator of an I/O connection is a scanner */
    assert_true(dtest_has_role(&T, "plc"));
    assert_false(T.roles[0].is_server);
    dtest_pdu(&T, 0, b.b, b.n);
    assert_int_equal(T.nrole, 1);
    assert_int_equal(T.nmalformed, 0);
}

static void test_pccc(void **state)
{
    (void)state;
    struct buf b, m;
    static const uint8_t pccc_path[] = {0x20, 0x67, 0x24, 0x01};
    static const uint8_t requestor[] = {7, 0x4d, 0x00, 0x21, 0x43, 0x65, 0x87};
    cip_req(&m, 0x4b, pccc_path, 4);
    put(&m, requestor, sizeof requestor);
    put(&m, (const uint8_t[]){0x0f, 0x00, 0x01, 0x00, 0x80, 0x01}, 6);
    rr(&b, 20, &m);
    dtest_pdu(&T, 0, b.b, b.n);
    assert_int_equal(last_op()->kind, OP_PLC_STOP);
    assert_string_equal(last_op()->function, "pccc change cpu mode (0x0f/0x80) to remote program");
    cip_req(&m, 0x4b, pccc_path, 4);
    put(&m, requestor, sizeof requestor);
    put(&m,
        (const uint8_t[]){0x0f, 0x00, 0x02, 0x00, 0xaa, 0x02, 0x07, 0x89, 0x05, 0x00, 0x2a, 0x00},
        12);
    rr(&b, 21, &m);
    dtest_pdu(&T, 0, b.b, b.n);
    assert_int_equal(last_op()->kind, OP_PROCESS_WRITE);
    assert_string_equal(last_op()->function,
                        "pccc protected typed logical write (3 address fields) (0x0f/0xaa)");
    assert_string_equal(last_op()->target, "N7:5");
    cip_rsp(&m, 0x4b, 0);
    put(&m, requestor, sizeof requestor);
    put(&m, (const uint8_t[]){0x4f, 0x10, 0x02, 0x00}, 4);
    rr(&b, 21, &m);
    dtest_pdu(&T, 1, b.b, b.n);
    assert_string_equal(last_op()->result, "pccc status 0x10");
    assert_string_equal(last_op()->target, "N7:5");
    assert_int_equal(T.nmalformed, 0);
}

static struct flow *udp_flow(void)
{
    struct pkt p;
    memset(&p, 0, sizeof p);
    p.src.family = p.dst.family = 4;
    memcpy(p.src.b, (const uint8_t[]){10, 0, 0, 1}, 4);
    memcpy(p.dst.b, (const uint8_t[]){10, 0, 0, 2}, 4);
    p.l4 = L4_UDP;
    p.sport = 50000;
    p.dport = T.port;
    int side;
    return flow_lookup(T.ft, &p, &side);
}

static void test_io_udp(void **state)
{
    (void)state;
    dtest_done(&T);
    dtest_init(&T, &dissector_enip, 2222);
    struct buf b = {{0}, 0};
    put_le16(&b, 2);
    put_le16(&b, 0x8002);
    put_le16(&b, 8);
    put_le32(&b, 0x20000001);
    put_le32(&b, 17);
    put_le16(&b, 0x00b1);
    put_le16(&b, 8);
    put(&b, (const uint8_t[]){0x11, 0, 1, 0, 0, 0, 0xaa, 0x55}, 8);
    dtest_udp(&T, 0, b.b, b.n);
    assert_int_equal(T.nmalformed, 0);
    assert_int_equal(udp_flow()->proto, PROTO_CIP);
    b.b[2] = 0x34; /* item type 0x8034 */
    dtest_udp(&T, 1, b.b, b.n);
    assert_int_equal(T.nmalformed, 1);
    assert_string_equal(T.last_malformed, "cip i/o: bad common packet format");
}

static void test_split_out_of_order(void **state)
{
    (void)state;
    struct buf b, m;
    write_motor(&m);
    rr(&b, 0x77, &m);
    /* the second half first, then the first: one operation, once */
    size_t cut = 30;
    dtest_tcp_at(&T, 0, (uint32_t)cut, b.b + cut, b.n - cut);
    assert_int_equal(T.nop, 0);
    dtest_tcp_at(&T, 0, 0, b.b, cut);
    assert_int_equal(T.nop, 1);
    assert_string_equal(T.ops[0].target, "tag Program:Main.Motor[3], dint x1");
    /* the response split inside its header */
    cip_rsp(&m, 0x4d, 0x08);
    rr(&b, 0x77, &m);
    dtest_tcp_at(&T, 1, 0, b.b, 10);
    assert_int_equal(T.nop, 1);
    dtest_tcp_at(&T, 1, 10, b.b + 10, b.n - 10);
    assert_int_equal(T.nop, 2);
    assert_string_equal(T.ops[1].result, "status 0x08 (service not supported)");
    assert_int_equal(T.nmalformed, 0);
    assert_int_equal(dtest_flow_proto(&T), PROTO_ENIP);
}

static void test_malformed(void **state)
{
    (void)state;
    struct buf b, m;
    write_motor(&m);
    rr(&b, 0x88, &m);
    for (size_t cut = 1; cut < b.n; cut++) {
        int before = T.nmalformed;
        dtest_pdu(&T, 0, b.b, cut);
        assert_int_equal(T.nmalformed, before + 1);
    }
    assert_int_equal(T.nop, 0);
    /* a path longer than the message */
    m.n = 0;
    put(&m, (const uint8_t[]){0x4c, 0xff, 0x20, 0x01}, 4);
    rr(&b, 0x89, &m);
    dtest_pdu(&T, 0, b.b, b.n);
    assert_string_equal(T.last_malformed, "cip: truncated request");
    /* Multiple Service Packet offsets beyond the data */
    cip_req(&m, 0x0a, (const uint8_t[]){0x20, 0x02, 0x24, 0x01}, 4);
    put_le16(&m, 2);
    put_le16(&m, 6);
    put_le16(&m, 900);
    put(&m, (const uint8_t[]){0x0e, 0x01, 0x20, 0x01}, 4);
    rr(&b, 0x8a, &m);
    dtest_pdu(&T, 0, b.b, b.n);
    assert_string_equal(T.last_malformed, "cip: bad multiple service packet offsets");
    /* a List Identity product name longer than the item */
    encap(&b, 0x0063, 0, 0);
    put_le16(&b, 1);
    put_le16(&b, 0x000c);
    put_le16(&b, 2 + 16 + 15 + 4);
    put_le16(&b, 1);
    put(&b, (const uint8_t[16]){0, 2}, 16);
    put(&b, (const uint8_t[]){1, 0, 14, 0, 54, 0, 20, 11, 0, 0, 1, 2, 3, 4, 200}, 15);
    put(&b, "1756", 4);
    encap_done(&b);
    dtest_pdu(&T, 1, b.b, b.n);
    assert_string_equal(T.last_malformed, "enip: short list identity item");
    assert_null(dtest_attr(&T, F_PRODUCT));
    /* an unknown encapsulation command over UDP */
    encap(&b, 0x00aa, 0, 0);
    encap_done(&b);
    dtest_udp(&T, 0, b.b, b.n);
    assert_string_equal(T.last_malformed, "enip: unknown command");
}

static void test_frame_and_probe(void **state)
{
    (void)state;
    const struct dissector *d = &dissector_enip;
    struct buf b;
    encap(&b, 0x0065, 0, 0);
    put_le16(&b, 1);
    put_le16(&b, 0);
    encap_done(&b);
    struct rd r = rd_init(b.b, b.n);
    assert_int_equal(d->frame(&r), 28);
    r = rd_init(b.b, 10);
    assert_int_equal(d->frame(&r), FRAME_NEED_MORE);
    r = rd_init(b.b, 1);
    assert_int_equal(d->frame(&r), FRAME_NEED_MORE);
    static const uint8_t junk[] = {0x47, 0x45, 0x54, 0x20};
    r = rd_init(junk, sizeof junk);
    assert_int_equal(d->frame(&r), FRAME_NOT_OURS);
    r = rd_init(b.b, b.n);
    assert_true(d->probe(&r, L4_TCP));
    r = rd_init(b.b, b.n - 1);
    assert_false(d->probe(&r, L4_TCP));
    static const char http[] = "GET / HTTP/1.1\r\nHost: plc\r\nAccept: */*\r\n\r\n";
    r = rd_init(http, sizeof http - 1);
    assert_false(d->probe(&r, L4_TCP));
    struct buf m;
    cip_req(&m, 0x01, (const uint8_t[]){0x20, 0x01, 0x24, 0x01}, 4);
    rr(&b, 1, &m);
    r = rd_init(b.b, b.n);
    assert_true(d->probe(&r, L4_TCP));
    b.b[24] = 1; /* interface handle not CIP */
    r = rd_init(b.b, b.n);
    assert_false(d->probe(&r, L4_TCP));
    encap(&b, 0x0063, 0, 0);
    encap_done(&b);
    r = rd_init(b.b, b.n);
    assert_true(d->probe(&r, L4_UDP));
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
    struct buf seeds[4], m, p = {{0}, 0};
    write_motor(&m);
    rr(&seeds[0], 1, &m);
    sym(&p, "A");
    cip_req(&m, 0x0a, (const uint8_t[]){0x20, 0x02, 0x24, 0x01}, 4);
    put_le16(&m, 2);
    put_le16(&m, 6);
    put_le16(&m, 12);
    put(&m,
        (const uint8_t[]){0x4c, 0x02, 0x91, 0x01, 'A', 0, 0x0e, 0x03, 0x20, 0x01, 0x24, 0x01, 0x30,
                          0x07},
        14);
    unit(&seeds[1], 3, &m);
    cip_rsp(&m, 0x01, 0);
    identity(&m);
    rr(&seeds[2], 1, &m);
    cip_req(&m, 0x54, (const uint8_t[]){0x20, 0x06, 0x24, 0x01}, 4);
    put(&m, (const uint8_t[36]){0}, 36);
    put(&m, (const uint8_t[]){3, 0x01, 0x00, 0x20, 0x02, 0x24, 0x01}, 7);
    rr(&seeds[3], 1, &m);
    uint64_t x = 0x2545F4914F6CDD1Dull;
    for (int round = 0; round < 6000; round++) {
        struct buf a = seeds[round % 4];
        for (int k = 0; k < 1 + round % 4; k++) {
            x = xorshift(x);
            a.b[24 + x % (a.n - 24)] = (uint8_t)(x >> 32);
        }
        dtest_pdu(&T, (round >> 2) & 1, a.b, a.n);
    }
    assert_true(T.nmalformed > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_list_identity_udp, setup, teardown),
        cmocka_unit_test_setup_teardown(test_register_and_identity, setup, teardown),
        cmocka_unit_test_setup_teardown(test_logix_write_error, setup, teardown),
        cmocka_unit_test_setup_teardown(test_multiple_service_packet, setup, teardown),
        cmocka_unit_test_setup_teardown(test_resets_and_attribute_writes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_forward_open, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pccc, setup, teardown),
        cmocka_unit_test_setup_teardown(test_io_udp, setup, teardown),
        cmocka_unit_test_setup_teardown(test_split_out_of_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_malformed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_frame_and_probe, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mutations, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
