/* test_bacnet.c - BACnet/IP dissector: identity from I-Am and Device-object property acks (also
 * routed and segmented), operations with their error replies, and hostile datagrams.  PDUs are
 * built with a small builder: BVLC header + NPDU + APDU bytes as ASHRAE 135 encodes them. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "dtest.h"

extern const struct dissector dissector_bacnet;

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

/* BVLC Original-Unicast (0x0a) or -Broadcast (0x0b) + NPDU version 1 control ctrl */
static void bvlc(struct pb *p, uint8_t func, uint8_t ctrl)
{
    p->n = 0;
    PUT(p, 0x81, func, 0, 0, 0x01, ctrl);
}
static void fin(struct pb *p)
{
    p->b[2] = (uint8_t)(p->n >> 8);
    p->b[3] = (uint8_t)p->n;
}
/* application character string, UTF-8 */
static void app_str(struct pb *p, const char *s)
{
    size_t n = strlen(s) + 1;
    PUT(p, 0x75, (uint8_t)n, 0x00);
    put(p, s, n - 1);
}
/* context character string with tag number tag (password) */
static void ctx_str(struct pb *p, uint8_t tag, const char *s)
{
    size_t n = strlen(s) + 1;
    uint8_t h[] = {(uint8_t)(tag << 4 | 0x0d), (uint8_t)n, 0x00};
    put(p, h, 3);
    put(p, s, n - 1);
}

static struct dtest T;

static int setup(void **state)
{
    (void)state;
    dtest_init(&T, &dissector_bacnet, 0);
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

static void i_am(struct pb *p)
{
    /* device,501, max APDU 1476, no segmentation, vendor 260 */
    PUT(p, 0x10, 0x00, 0xc4, 0x02, 0x00, 0x01, 0xf5, 0x22, 0x05, 0xc4, 0x91, 0x03, 0x22, 0x01,
        0x04);
}

static void test_i_am(void **state)
{
    (void)state;
    struct pb p;
    bvlc(&p, 0x0b, 0x00);
    i_am(&p);
    fin(&p);
    dtest_pdu(&T, 1, p.b, p.n);
    assert_string_equal(dtest_attr(&T, F_DEVICE_INSTANCE), "501");
    assert_string_equal(dtest_attr(&T, F_VENDOR_ID), "260");
    assert_string_equal(dtest_attr(&T, F_VENDOR), "BACnet Stack at SourceForge");
    const struct dtest_attr *a = find_attr(F_VENDOR);
    assert_true(a->is_src);
    assert_non_null(strstr(a->source, "bacnet i-am"));
    assert_non_null(strstr(a->source, "max-apdu 1476"));
    assert_non_null(strstr(a->source, "segmentation none"));
    assert_int_equal(T.nmalformed, 0);
}

static void test_i_am_routed(void **state)
{
    (void)state;
    struct pb p;
    bvlc(&p, 0x0b, 0x08); /* SNET 5, SLEN 1, SADR 0x0a */
    PUT(&p, 0x00, 0x05, 0x01, 0x0a);
    i_am(&p);
    fin(&p);
    dtest_pdu(&T, 1, p.b, p.n);
    const struct dtest_attr *a = find_attr(F_DEVICE_INSTANCE);
    assert_non_null(a);
    assert_true(a->is_src);
    assert_non_null(strstr(a->source, "via router net 5 addr 0x0a"));
    assert_int_equal(T.nmalformed, 0);
}

static void test_i_am_forwarded_for_other_host(void **state)
{
    (void)state;
    struct pb p;
    p.n = 0;
    PUT(&p, 0x81, 0x04, 0, 0, 10, 9, 9, 9, 0xba, 0xc0, 0x01, 0x00); /* from 10.9.9.9 */
    i_am(&p);
    fin(&p);
    dtest_udp(&T, 1, p.b, p.n);
    assert_null(dtest_attr(&T, F_DEVICE_INSTANCE)); /* not the BBMD's identity */
    assert_int_equal(T.nmalformed, 0);
}

static void test_read_property_ack_model(void **state)
{
    (void)state;
    struct pb p;
    bvlc(&p, 0x0a, 0x00);
    PUT(&p, 0x30, 0x07, 0x0c, 0x0c, 0x02, 0x00, 0x01, 0xf5, 0x19, 0x46, 0x3e);
    app_str(&p, "DSC-1616EX");
    PUT(&p, 0x3f);
    fin(&p);
    dtest_pdu(&T, 1, p.b, p.n);
    assert_string_equal(dtest_attr(&T, F_MODEL), "DSC-1616EX");
    assert_string_equal(dtest_attr(&T, F_PRODUCT), "DSC-1616EX");
    assert_string_equal(dtest_attr(&T, F_DEVICE_INSTANCE), "501");
    assert_string_equal(find_attr(F_MODEL)->source, "bacnet read property");
    assert_int_equal(T.nmalformed, 0);
}

static void test_read_property_ack_not_device(void **state)
{
    (void)state;
    struct pb p;
    bvlc(&p, 0x0a, 0x00); /* object-name of analog-input,1: not the device's name */
    PUT(&p, 0x30, 0x07, 0x0c, 0x0c, 0x00, 0x00, 0x00, 0x01, 0x19, 0x4d, 0x3e);
    app_str(&p, "Sensor_1");
    PUT(&p, 0x3f);
    fin(&p);
    dtest_pdu(&T, 1, p.b, p.n);
    assert_null(dtest_attr(&T, F_NAME));
    assert_int_equal(T.nmalformed, 0);
}

static void rpm_prop(struct pb *p, uint8_t prop, const char *s)
{
    PUT(p, 0x29, prop, 0x4e);
    app_str(p, s);
    PUT(p, 0x4f);
}

static void test_read_property_multiple_ack(void **state)
{
    (void)state;
    struct pb p;
    bvlc(&p, 0x0a, 0x00);
    PUT(&p, 0x30, 0x09, 0x0e, 0x0c, 0x02, 0x00, 0x00, 0x64, 0x1e);
    rpm_prop(&p, 121, "Delta Controls");
    rpm_prop(&p, 44, "V3.40");
    rpm_prop(&p, 12, "4.12.0");
    rpm_prop(&p, 77, "AHU-3 Controller");
    rpm_prop(&p, 58, "Building B, roof");
    rpm_prop(&p, 28, "air handler 3");
    PUT(&p, 0x29, 0x46, 0x5e, 0x91, 0x02, 0x91, 0x20, 0x5f); /* model-name: error */
    PUT(&p, 0x29, 0x78, 0x4e, 0x21, 0x08, 0x4f);              /* vendor-identifier 8 */
    PUT(&p, 0x1f);
    fin(&p);
    dtest_pdu(&T, 1, p.b, p.n);
    assert_string_equal(dtest_attr(&T, F_VENDOR), "Delta Controls");
    assert_string_equal(dtest_attr(&T, F_FIRMWARE), "V3.40");
    assert_string_equal(dtest_attr(&T, F_SOFTWARE_VERSION), "4.12.0");
    assert_string_equal(dtest_attr(&T, F_NAME), "AHU-3 Controller");
    assert_string_equal(dtest_attr(&T, F_LOCATION), "Building B, roof");
    assert_string_equal(dtest_attr(&T, F_DESCRIPTION), "air handler 3");
    assert_string_equal(dtest_attr(&T, F_VENDOR_ID), "8");
    assert_string_equal(dtest_attr(&T, F_DEVICE_INSTANCE), "100");
    assert_null(dtest_attr(&T, F_MODEL));
    assert_int_equal(T.nmalformed, 0);
}

static void test_latin1_and_ucs2_strings(void **state)
{
    (void)state;
    struct pb p;
    bvlc(&p, 0x0a, 0x00); /* location in ISO 8859-1: "Geb\xe4ude" */
    PUT(&p, 0x30, 0x07, 0x0c, 0x0c, 0x02, 0x00, 0x01, 0xf5, 0x19, 0x3a, 0x3e, 0x75, 0x08, 0x05,
        'G', 'e', 'b', 0xe4, 'u', 'd', 'e', 0x3f);
    fin(&p);
    dtest_pdu(&T, 1, p.b, p.n);
    assert_string_equal(dtest_attr(&T, F_LOCATION), "Geb\xc3\xa4ude");
    bvlc(&p, 0x0a, 0x00); /* object-name in UCS-2: "AB" */
    PUT(&p, 0x30, 0x08, 0x0c, 0x0c, 0x02, 0x00, 0x01, 0xf5, 0x19, 0x4d, 0x3e, 0x75, 0x05, 0x04,
        0x00, 'A', 0x00, 'B', 0x3f);
    fin(&p);
    dtest_pdu(&T, 1, p.b, p.n);
    assert_string_equal(dtest_attr(&T, F_NAME), "AB");
}

static void test_write_property_present_value(void **state)
{
    (void)state;
    struct pb p;
    bvlc(&p, 0x0a, 0x04); /* analog-output,1 present-value = 42.5 priority 8 */
    PUT(&p, 0x00, 0x05, 0x11, 0x0f, 0x0c, 0x00, 0x40, 0x00, 0x01, 0x19, 0x55, 0x3e, 0x44, 0x42,
        0x2a, 0x00, 0x00, 0x3f, 0x49, 0x08);
    fin(&p);
    dtest_pdu(&T, 0, p.b, p.n);
    const struct dtest_op *op = dtest_op_find(&T, OP_PROCESS_WRITE);
    assert_non_null(op);
    assert_string_equal(op->function, "write property (15)");
    assert_string_equal(op->target, "analog-output,1 present-value = 42.5 @8");
    assert_true(op->result[0] == '\0');
    /* the device refuses: the same op comes back with the error */
    bvlc(&p, 0x0a, 0x00);
    PUT(&p, 0x50, 0x11, 0x0f, 0x91, 0x02, 0x91, 0x28);
    fin(&p);
    dtest_pdu(&T, 1, p.b, p.n);
    assert_int_equal(dtest_op_count(&T, OP_PROCESS_WRITE), 2);
    assert_string_equal(T.ops[T.nop - 1].result, "error property/write-access-denied");
    assert_string_equal(T.ops[T.nop - 1].target, "analog-output,1 present-value = 42.5 @8");
    assert_int_equal(T.nmalformed, 0);
}

static void test_write_property_config(void **state)
{
    (void)state;
    struct pb p;
    bvlc(&p, 0x0a, 0x04); /* device,501 object-name = "X"; analog-input PV is config too */
    PUT(&p, 0x00, 0x05, 0x12, 0x0f, 0x0c, 0x02, 0x00, 0x01, 0xf5, 0x19, 0x4d, 0x3e);
    app_str(&p, "X");
    PUT(&p, 0x3f);
    fin(&p);
    dtest_pdu(&T, 0, p.b, p.n);
    assert_int_equal(dtest_op_count(&T, OP_CONFIG_WRITE), 1);
    assert_int_equal(dtest_op_count(&T, OP_PROCESS_WRITE), 0);
    assert_string_equal(dtest_op_find(&T, OP_CONFIG_WRITE)->target,
                        "device,501 object-name = X");
    /* a simple ack clears the pending request without another op */
    bvlc(&p, 0x0a, 0x00);
    PUT(&p, 0x20, 0x12, 0x0f);
    fin(&p);
    dtest_pdu(&T, 1, p.b, p.n);
    assert_int_equal(dtest_op_count(&T, OP_CONFIG_WRITE), 1);
}

static void test_write_property_multiple(void **state)
{
    (void)state;
    struct pb p;
    bvlc(&p, 0x0a, 0x04); /* binary-output,3: present-value active @16, description "x" */
    PUT(&p, 0x00, 0x05, 0x13, 0x10, 0x0c, 0x01, 0x00, 0x00, 0x03, 0x1e, 0x09, 0x55, 0x2e, 0x91,
        0x01, 0x2f, 0x39, 0x10, 0x09, 0x1c, 0x2e);
    app_str(&p, "x");
    PUT(&p, 0x2f, 0x1f);
    fin(&p);
    dtest_pdu(&T, 0, p.b, p.n);
    assert_int_equal(dtest_op_count(&T, OP_PROCESS_WRITE), 1);
    assert_int_equal(dtest_op_count(&T, OP_CONFIG_WRITE), 1);
    assert_string_equal(dtest_op_find(&T, OP_PROCESS_WRITE)->target,
                        "binary-output,3 present-value = 1 @16");
    assert_int_equal(T.nmalformed, 0);
}

static void test_reinitialize_with_password(void **state)
{
    (void)state;
    struct pb p;
    bvlc(&p, 0x0a, 0x04);
    PUT(&p, 0x00, 0x05, 0x21, 0x14, 0x09, 0x00);
    ctx_str(&p, 1, "secret");
    fin(&p);
    dtest_pdu(&T, 0, p.b, p.n);
    const struct dtest_op *op = dtest_op_find(&T, OP_RESTART);
    assert_non_null(op);
    assert_string_equal(op->function, "reinitialize device (20) coldstart");
    assert_string_equal(op->target, "(password)");
    assert_true(dtest_has_finding(&T, "cleartext-credentials"));
    /* password-failure comes back as the op's result */
    bvlc(&p, 0x0a, 0x00);
    PUT(&p, 0x50, 0x21, 0x14, 0x91, 0x04, 0x91, 0x1a);
    fin(&p);
    dtest_pdu(&T, 1, p.b, p.n);
    assert_int_equal(dtest_op_count(&T, OP_RESTART), 2);
    assert_string_equal(T.ops[T.nop - 1].result, "error security/password-failure");
}

static void test_dcc_and_reject(void **state)
{
    (void)state;
    struct pb p;
    bvlc(&p, 0x0a, 0x04);
    PUT(&p, 0x00, 0x05, 0x22, 0x11, 0x09, 0x3c, 0x19, 0x01);
    fin(&p);
    dtest_pdu(&T, 0, p.b, p.n);
    const struct dtest_op *op = dtest_op_find(&T, OP_COMM_CONTROL);
    assert_non_null(op);
    assert_string_equal(op->target, "disable for 60 min");
    assert_false(dtest_has_finding(&T, "cleartext-credentials"));
    bvlc(&p, 0x0a, 0x00);
    PUT(&p, 0x60, 0x22, 0x09);
    fin(&p);
    dtest_pdu(&T, 1, p.b, p.n);
    assert_string_equal(T.ops[T.nop - 1].result, "reject unrecognized-service");
}

static void atomic_write(struct pb *p, uint8_t invoke)
{
    bvlc(p, 0x0a, 0x04); /* file,2 stream at 0, 4 octets */
    PUT(p, 0x00, 0x05, invoke, 0x07, 0xc4, 0x02, 0x80, 0x00, 0x02, 0x0e, 0x31, 0x00, 0x64, 0xde,
        0xad, 0xbe, 0xef, 0x0f);
    fin(p);
}

static void test_atomic_write_file(void **state)
{
    (void)state;
    struct pb p;
    atomic_write(&p, 0x30);
    dtest_pdu(&T, 0, p.b, p.n);
    assert_int_equal(dtest_op_count(&T, OP_FILE_TRANSFER), 1);
    assert_string_equal(dtest_op_find(&T, OP_FILE_TRANSFER)->target, "file,2 at 0, 4 octets");
    /* inside a restore the same write is a configuration download */
    bvlc(&p, 0x0a, 0x04);
    PUT(&p, 0x00, 0x05, 0x31, 0x14, 0x09, 0x04);
    fin(&p);
    dtest_pdu(&T, 0, p.b, p.n);
    atomic_write(&p, 0x32);
    dtest_pdu(&T, 0, p.b, p.n);
    assert_int_equal(dtest_op_count(&T, OP_PROGRAM_DOWNLOAD), 2);
    assert_int_equal(dtest_op_count(&T, OP_FILE_TRANSFER), 1);
    assert_int_equal(T.nmalformed, 0);
}

static void test_time_sync_and_read(void **state)
{
    (void)state;
    struct pb p;
    bvlc(&p, 0x0b, 0x00);
    PUT(&p, 0x10, 0x06, 0xa4, 0x7c, 0x01, 0x02, 0x02, 0xb4, 0x0a, 0x0b, 0x0c, 0x00);
    fin(&p);
    dtest_pdu(&T, 0, p.b, p.n);
    const struct dtest_op *op = dtest_op_find(&T, OP_TIME_SYNC);
    assert_non_null(op);
    assert_string_equal(op->target, "2024-01-02 10:11:12");
    bvlc(&p, 0x0a, 0x04); /* readProperty device,4194303 object-identifier (a scan) */
    PUT(&p, 0x00, 0x05, 0x01, 0x0c, 0x0c, 0x02, 0x3f, 0xff, 0xff, 0x19, 0x4b);
    fin(&p);
    dtest_pdu(&T, 0, p.b, p.n);
    op = dtest_op_find(&T, OP_READ);
    assert_non_null(op);
    assert_string_equal(op->target, "device,4194303 object-identifier");
}

static void test_segmented_ack(void **state)
{
    (void)state;
    struct pb p;
    /* first segment of a segmented RPM ack, cut in the middle of the description */
    bvlc(&p, 0x0a, 0x04);
    PUT(&p, 0x3c, 0x05, 0x00, 0x03, 0x0e, 0x0c, 0x02, 0x00, 0x00, 0x64, 0x1e);
    rpm_prop(&p, 70, "PXC36");
    PUT(&p, 0x29, 0x1c, 0x4e, 0x75, 0x40, 0x00, 'l', 'o', 'n', 'g');
    fin(&p);
    dtest_pdu(&T, 1, p.b, p.n);
    assert_string_equal(dtest_attr(&T, F_MODEL), "PXC36");
    assert_null(dtest_attr(&T, F_DESCRIPTION));
    /* a later segment starts mid-data: ignored */
    bvlc(&p, 0x0a, 0x04);
    PUT(&p, 0x38, 0x05, 0x01, 0x03, 0x0e, 'x', 'y', 'z', 0xff, 0xff);
    fin(&p);
    dtest_pdu(&T, 1, p.b, p.n);
    assert_int_equal(T.nmalformed, 0);
    assert_int_equal(T.nattr, 3); /* model, product, instance */
}

static void test_malformed(void **state)
{
    (void)state;
    static const uint8_t bad_len[] = {0x81, 0x0a, 0x00, 0x02, 0x01, 0x00, 0x10, 0x08};
    dtest_pdu(&T, 0, bad_len, sizeof bad_len); /* BVLC length below its own header */
    assert_int_equal(T.nmalformed, 1);
    /* a BVLC length that disagrees with the datagram is read as the datagram (as tshark does) */
    static const uint8_t len_lies[] = {0x81, 0x0b, 0x00, 0x40, 0x01, 0x00, 0x10, 0x00, 0xc4,
                                       0x02, 0x00, 0x00, 0x07, 0x21, 0x80, 0x91, 0x00, 0x21,
                                       0x07};
    dtest_pdu(&T, 1, len_lies, sizeof len_lies);
    assert_int_equal(T.nmalformed, 1);
    assert_string_equal(dtest_attr(&T, F_DEVICE_INSTANCE), "7");
    static const uint8_t bad_ver[] = {0x81, 0x0a, 0x00, 0x08, 0x02, 0x00, 0x10, 0x08};
    dtest_pdu(&T, 0, bad_ver, sizeof bad_ver);
    assert_int_equal(T.nmalformed, 2);
    /* write property whose value runs past the end */
    static const uint8_t cut[] = {0x81, 0x0a, 0x00, 0x11, 0x01, 0x04, 0x00, 0x05, 0x01, 0x0f,
                                  0x0c, 0x00, 0x40, 0x00, 0x01, 0x19, 0x55};
    dtest_pdu(&T, 0, cut, sizeof cut);
    assert_int_equal(T.nmalformed, 3);
    /* a string claiming 4 GB */
    static const uint8_t huge[] = {0x81, 0x0a, 0x00, 0x16, 0x01, 0x00, 0x30, 0x01, 0x0c, 0x0c,
                                   0x02, 0x00, 0x00, 0x01, 0x19, 0x4d, 0x3e, 0x75, 0xff, 0xff,
                                   0xff, 0xff};
    dtest_pdu(&T, 1, huge, sizeof huge);
    assert_int_equal(T.nmalformed, 4);
    assert_null(dtest_attr(&T, F_NAME));
    dtest_pdu(&T, 0, bad_len, 2);
    assert_int_equal(T.nmalformed, 5);
}

/* every prefix and every single-byte corruption of valid datagrams: no crash, no overread */
static void test_mutations(void **state)
{
    (void)state;
    struct pb p, q;
    bvlc(&p, 0x0a, 0x0c);
    PUT(&p, 0x00, 0x05, 0x03, 0x00, 0x01, 0x0a, 0x30, 0x01, 0x0e, 0x0c, 0x02, 0x00, 0x00, 0x64,
        0x1e);
    rpm_prop(&p, 121, "Vendor");
    rpm_prop(&p, 70, "Model");
    PUT(&p, 0x1f);
    fin(&p);
    uint32_t rng = 12345;
    for (size_t cut = 0; cut <= p.n; cut++)
        dtest_pdu(&T, 1, p.b, cut);
    for (int round = 0; round < 3000; round++) {
        q = p;
        rng = rng * 1103515245u + 12345u;
        size_t at = (rng >> 8) % q.n;
        q.b[at] = (uint8_t)(rng >> 20);
        dtest_pdu(&T, round & 1, q.b, q.n);
    }
    assert_true(T.nmalformed > 0);
}

static void test_probe(void **state)
{
    (void)state;
    struct pb p;
    bvlc(&p, 0x0b, 0x00);
    i_am(&p);
    fin(&p);
    struct rd r = rd_init(p.b, p.n);
    assert_true(dissector_bacnet.probe(&r, L4_UDP));
    assert_false(dissector_bacnet.probe(&r, L4_TCP));
    r = rd_init(p.b, p.n - 1); /* BVLC length must match the datagram */
    assert_false(dissector_bacnet.probe(&r, L4_UDP));
    static const uint8_t dns[] = {0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00};
    r = rd_init(dns, sizeof dns);
    assert_false(dissector_bacnet.probe(&r, L4_UDP));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_i_am, setup, teardown),
        cmocka_unit_test_setup_teardown(test_i_am_routed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_i_am_forwarded_for_other_host, setup, teardown),
        cmocka_unit_test_setup_teardown(test_read_property_ack_model, setup, teardown),
        cmocka_unit_test_setup_teardown(test_read_property_ack_not_device, setup, teardown),
        cmocka_unit_test_setup_teardown(test_read_property_multiple_ack, setup, teardown),
        cmocka_unit_test_setup_teardown(test_latin1_and_ucs2_strings, setup, teardown),
        cmocka_unit_test_setup_teardown(test_write_property_present_value, setup, teardown),
        cmocka_unit_test_setup_teardown(test_write_property_config, setup, teardown),
        cmocka_unit_test_setup_teardown(test_write_property_multiple, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reinitialize_with_password, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dcc_and_reject, setup, teardown),
        cmocka_unit_test_setup_teardown(test_atomic_write_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_time_sync_and_read, setup, teardown),
        cmocka_unit_test_setup_teardown(test_segmented_ack, setup, teardown),
        cmocka_unit_test_setup_teardown(test_malformed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mutations, setup, teardown),
        cmocka_unit_test_setup_teardown(test_probe, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
