/* test_opcua.c - OPC UA binary dissector: Hello/OpenSecureChannel/GetEndpoints/CreateSession
 * identity, ActivateSession credentials, Write/Call/AddNodes/DeleteNodes operations and their
 * errors, secured channels left alone, chunked and split messages, hostile lengths.  Messages are
 * built with the Part 6 binary encoding by the small builder below. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "dtest.h"

extern const struct dissector dissector_opcua;

struct ub {
    uint8_t b[4096];
    size_t n;
};
static void u8(struct ub *u, uint8_t v)
{
    u->b[u->n++] = v;
}
static void u16(struct ub *u, uint16_t v)
{
    u8(u, (uint8_t)v);
    u8(u, (uint8_t)(v >> 8));
}
static void u32(struct ub *u, uint32_t v)
{
    u16(u, (uint16_t)v);
    u16(u, (uint16_t)(v >> 16));
}
static void raw(struct ub *u, const void *p, size_t n)
{
    memcpy(u->b + u->n, p, n);
    u->n += n;
}
static void str(struct ub *u, const char *s) /* NULL = null string */
{
    if (!s) {
        u32(u, 0xffffffffu);
        return;
    }
    u32(u, (uint32_t)strlen(s));
    raw(u, s, strlen(s));
}
static void nid4(struct ub *u, uint16_t id) /* four-byte NodeId, ns 0 */
{
    u8(u, 0x01);
    u8(u, 0);
    u16(u, id);
}
static void nid_str(struct ub *u, uint16_t ns, const char *s)
{
    u8(u, 0x03);
    u16(u, ns);
    str(u, s);
}
static void req_header(struct ub *u)
{
    u8(u, 0x00);
    u8(u, 0x00);        /* auth token: two-byte null */
    raw(u, "\0\0\0\0\0\0\0\0", 8);
    u32(u, 1);          /* request handle */
    u32(u, 0);
    str(u, NULL);
    u32(u, 10000);
    u8(u, 0);           /* additional header: null extension object */
    u8(u, 0);
    u8(u, 0);
}
static void resp_header(struct ub *u, uint32_t status)
{
    raw(u, "\0\0\0\0\0\0\0\0", 8);
    u32(u, 1);
    u32(u, status);
    u8(u, 0);           /* diagnostics */
    u32(u, 0);          /* string table */
    u8(u, 0);
    u8(u, 0);
    u8(u, 0);
}
/* a chunk: 3-letter type + chunk type + size; MSG/CLO get the symmetric headers */
static void begin(struct ub *u, const char *type, char chunk, uint32_t req_id)
{
    u->n = 0;
    raw(u, type, 3);
    u8(u, (uint8_t)chunk);
    u32(u, 0);
    if (!strcmp(type, "MSG") || !strcmp(type, "CLO")) {
        u32(u, 7);      /* channel */
        u32(u, 1);      /* token */
        u32(u, req_id + 50);
        u32(u, req_id);
    }
}
static void end(struct ub *u)
{
    u->b[4] = (uint8_t)u->n;
    u->b[5] = (uint8_t)(u->n >> 8);
    u->b[6] = (uint8_t)(u->n >> 16);
    u->b[7] = 0;
}
static void app_desc(struct ub *u, const char *uri, const char *product, const char *name,
                     uint32_t type)
{
    str(u, uri);
    str(u, product);
    u8(u, 0x02);
    str(u, name);
    u32(u, type);
    str(u, NULL);
    str(u, NULL);
    u32(u, 1);
    str(u, "opc.tcp://plc1:4840");
}

static struct dtest T;

static int setup(void **state)
{
    (void)state;
    dtest_init(&T, &dissector_opcua, 0);
    return 0;
}
static int teardown(void **state)
{
    (void)state;
    dtest_done(&T);
    return 0;
}

static void hello(struct ub *u, const char *url)
{
    begin(u, "HEL", 'F', 0);
    u32(u, 0);
    u32(u, 65535);
    u32(u, 65535);
    u32(u, 0);
    u32(u, 0);
    str(u, url);
    end(u);
}

static void open_none(struct ub *u, bool request)
{
    begin(u, "OPN", 'F', 0);
    u32(u, request ? 0 : 5);
    str(u, "http://opcfoundation.org/UA/SecurityPolicy#None");
    str(u, NULL);
    str(u, NULL);
    u32(u, 1);
    u32(u, 1);
    if (request) {
        nid4(u, 446);
        req_header(u);
        u32(u, 0);
        u32(u, 0);
        u32(u, 1); /* mode None */
        str(u, "");
        u32(u, 600000);
    } else {
        nid4(u, 449);
        resp_header(u, 0);
        u32(u, 0);
        u32(u, 5);
        u32(u, 1);
        raw(u, "\0\0\0\0\0\0\0\0", 8);
        u32(u, 600000);
        str(u, "");
    }
    end(u);
}

/* a small self-made X.509 DER with subject CN=srv, O=ACME */
static const uint8_t cert_der[] = {
    0x30, 0x2f, 0x30, 0x2d, 0xa0, 0x03, 0x02, 0x01, 0x02, 0x02, 0x01, 0x01, 0x30, 0x00, 0x30,
    0x00, 0x30, 0x00, 0x30, 0x1d, 0x31, 0x0c, 0x30, 0x0a, 0x06, 0x03, 0x55, 0x04, 0x03, 0x0c,
    0x03, 's', 'r', 'v', 0x31, 0x0d, 0x30, 0x0b, 0x06, 0x03, 0x55, 0x04, 0x0a, 0x0c, 0x04,
    'A', 'C', 'M', 'E',
};

static void endpoint(struct ub *u, const char *policy, uint32_t mode, bool cert)
{
    str(u, "opc.tcp://plc1:4840");
    app_desc(u, "urn:acme:plc1", "urn:acme:ua-sdk", "ACME PLC1 Server", 0);
    if (cert) {
        u32(u, sizeof cert_der);
        raw(u, cert_der, sizeof cert_der);
    } else {
        str(u, NULL);
    }
    u32(u, mode);
    str(u, policy);
    u32(u, 2); /* user token policies */
    str(u, "anon");
    u32(u, 0);
    str(u, NULL);
    str(u, NULL);
    str(u, NULL);
    str(u, "user");
    u32(u, 1);
    str(u, NULL);
    str(u, NULL);
    str(u, NULL);
    str(u, "http://opcfoundation.org/UA-Profile/Transport/uatcp-uasc-uabinary");
    u8(u, mode == 3 ? 100 : 0);
}

static void get_endpoints_response(struct ub *u)
{
    begin(u, "MSG", 'F', 3);
    nid4(u, 431);
    resp_header(u, 0);
    u32(u, 2);
    endpoint(u, "http://opcfoundation.org/UA/SecurityPolicy#None", 1, false);
    endpoint(u, "http://opcfoundation.org/UA/SecurityPolicy#Basic256Sha256", 3, true);
    end(u);
}

static int attr_count_value(enum attr_field f, const char *v)
{
    int n = 0;
    for (int i = 0; i < T.nattr; i++)
        n += T.attrs[i].field == f && strcmp(T.attrs[i].value, v) == 0;
    return n;
}

static void test_hello_and_channel(void **state)
{
    (void)state;
    struct ub u;
    hello(&u, "opc.tcp://plc1:4840/ua");
    dtest_tcp(&T, 0, u.b, u.n);
    begin(&u, "ACK", 'F', 0);
    for (int i = 0; i < 5; i++)
        u32(&u, i == 0 ? 0 : 65535);
    end(&u);
    dtest_tcp(&T, 1, u.b, u.n);
    open_none(&u, true);
    dtest_tcp(&T, 0, u.b, u.n);
    open_none(&u, false);
    dtest_tcp(&T, 1, u.b, u.n);
    assert_int_equal(dtest_flow_proto(&T), PROTO_OPCUA);
    assert_string_equal(dtest_attr(&T, F_ENDPOINT_URL), "opc.tcp://plc1:4840/ua");
    assert_true(T.attrs[0].is_server);
    assert_string_equal(dtest_attr(&T, F_SECURITY_POLICY),
                        "http://opcfoundation.org/UA/SecurityPolicy#None");
    assert_string_equal(dtest_attr(&T, F_SECURITY_MODE), "None");
    assert_true(dtest_has_role(&T, "opc-server"));
    for (int i = 0; i < T.nattr; i++)
        assert_true(T.attrs[i].is_server);
    /* a discovery-only channel without security is not yet a finding */
    assert_false(dtest_has_finding(&T, "insecure-protocol"));
    assert_int_equal(T.nmalformed, 0);
}

static void test_get_endpoints(void **state)
{
    (void)state;
    struct ub u;
    get_endpoints_response(&u);
    dtest_pdu(&T, 1, u.b, u.n);
    assert_string_equal(dtest_attr(&T, F_APPLICATION_URI), "urn:acme:plc1");
    assert_string_equal(dtest_attr(&T, F_PRODUCT_URI), "urn:acme:ua-sdk");
    assert_string_equal(dtest_attr(&T, F_APPLICATION_NAME), "ACME PLC1 Server");
    assert_string_equal(dtest_attr(&T, F_ENDPOINT_URL), "opc.tcp://plc1:4840");
    assert_int_equal(dtest_attr_count(&T, F_ENDPOINT_URL), 1);
    assert_int_equal(dtest_attr_count(&T, F_SECURITY_POLICY), 2);
    assert_int_equal(
        attr_count_value(F_SECURITY_POLICY,
                         "http://opcfoundation.org/UA/SecurityPolicy#Basic256Sha256"), 1);
    assert_int_equal(attr_count_value(F_SECURITY_MODE, "SignAndEncrypt"), 1);
    assert_string_equal(dtest_attr(&T, F_DESCRIPTION), "cert subject CN=srv, O=ACME");
    assert_true(dtest_has_finding(&T, "insecure-protocol"));
    assert_true(dtest_has_role(&T, "opc-server"));
    assert_int_equal(T.nmalformed, 0);
}

static void test_create_session(void **state)
{
    (void)state;
    struct ub u;
    open_none(&u, true);
    dtest_pdu(&T, 0, u.b, u.n);
    begin(&u, "MSG", 'F', 4);
    nid4(&u, 461);
    req_header(&u);
    app_desc(&u, "urn:hmi:client", "urn:vendor:hmi", "HMI Panel", 1);
    str(&u, NULL);
    str(&u, "opc.tcp://plc1:4840");
    str(&u, "session1");
    str(&u, "");
    str(&u, NULL);
    raw(&u, "\0\0\0\0\0\0\0\0", 8);
    u32(&u, 0);
    end(&u);
    dtest_pdu(&T, 0, u.b, u.n);
    const struct dtest_attr *a = NULL;
    for (int i = 0; i < T.nattr; i++)
        if (T.attrs[i].field == F_APPLICATION_URI)
            a = &T.attrs[i];
    assert_non_null(a);
    assert_string_equal(a->value, "urn:hmi:client");
    assert_false(a->is_server);
    assert_string_equal(a->source, "opcua create session request");
    assert_true(dtest_has_finding(&T, "insecure-protocol"));
    assert_int_equal(T.nmalformed, 0);
}

static void activate(struct ub *u, uint16_t token, const char *user, const char *alg)
{
    begin(u, "MSG", 'F', 5);
    nid4(u, 467);
    req_header(u);
    str(u, NULL);
    str(u, NULL);
    u32(u, 0);
    u32(u, 0);
    nid4(u, token);
    u8(u, 1);
    struct ub body = {.n = 0};
    if (token == 324) {
        str(&body, "user");
        str(&body, user);
        str(&body, "hunter2");
        str(&body, alg);
    } else {
        str(&body, "anon");
    }
    u32(u, (uint32_t)body.n);
    raw(u, body.b, body.n);
    str(u, NULL);
    str(u, NULL);
    end(u);
}

static void test_activate_session_username(void **state)
{
    (void)state;
    struct ub u;
    activate(&u, 324, "operator", NULL);
    dtest_pdu(&T, 0, u.b, u.n);
    const struct dtest_op *op = dtest_op_find(&T, OP_AUTH);
    assert_non_null(op);
    assert_string_equal(op->target, "user 'operator'");
    assert_true(dtest_has_finding(&T, "cleartext-credentials"));
    /* the server rejects it: the op comes back with the status */
    begin(&u, "MSG", 'F', 5);
    nid4(&u, 397);
    resp_header(&u, 0x80210000);
    end(&u);
    dtest_pdu(&T, 1, u.b, u.n);
    assert_int_equal(dtest_op_count(&T, OP_AUTH), 2);
    assert_string_equal(T.ops[T.nop - 1].result, "BadIdentityTokenRejected (0x80210000)");
    assert_int_equal(T.nmalformed, 0);
}

static void test_activate_session_encrypted_password(void **state)
{
    (void)state;
    struct ub u;
    activate(&u, 324, "operator", "http://www.w3.org/2001/04/xmlenc#rsa-oaep");
    dtest_pdu(&T, 0, u.b, u.n);
    assert_int_equal(dtest_op_count(&T, OP_AUTH), 1);
    assert_false(dtest_has_finding(&T, "cleartext-credentials"));
    activate(&u, 321, NULL, NULL);
    dtest_pdu(&T, 0, u.b, u.n);
    assert_string_equal(dtest_op_find(&T, OP_SESSION)->target, "anonymous");
}

static void test_write_and_error(void **state)
{
    (void)state;
    struct ub u;
    begin(&u, "MSG", 'F', 9);
    nid4(&u, 673);
    req_header(&u);
    u32(&u, 2);
    nid_str(&u, 2, "Pump1.Speed");
    u32(&u, 13);
    str(&u, NULL);
    u8(&u, 0x01);     /* DataValue with a Variant */
    u8(&u, 11);       /* Double 42.5 */
    raw(&u, "\0\0\0\0\0\x40\x45\x40", 8);
    nid_str(&u, 2, "Pump1");
    u32(&u, 4);       /* DisplayName */
    str(&u, NULL);
    u8(&u, 0x01);
    u8(&u, 21);
    u8(&u, 0x02);
    str(&u, "Pump one");
    end(&u);
    dtest_pdu(&T, 0, u.b, u.n);
    const struct dtest_op *op = dtest_op_find(&T, OP_PROCESS_WRITE);
    assert_non_null(op);
    assert_string_equal(op->function, "write (673)");
    assert_string_equal(op->target, "ns=2;s=Pump1.Speed = 42.5");
    op = dtest_op_find(&T, OP_CONFIG_WRITE);
    assert_non_null(op);
    assert_string_equal(op->target, "ns=2;s=Pump1 DisplayName = 'Pump one'");
    begin(&u, "MSG", 'F', 9);
    nid4(&u, 676);
    resp_header(&u, 0);
    u32(&u, 2);
    u32(&u, 0x801f0000);
    u32(&u, 0);
    u32(&u, 0);
    end(&u);
    dtest_pdu(&T, 1, u.b, u.n);
    assert_int_equal(dtest_op_count(&T, OP_PROCESS_WRITE), 2);
    assert_string_equal(T.ops[T.nop - 1].result, "BadUserAccessDenied (0x801f0000)");
    assert_int_equal(T.nmalformed, 0);
}

static void test_call_add_delete(void **state)
{
    (void)state;
    struct ub u;
    begin(&u, "MSG", 'F', 11);
    nid4(&u, 712);
    req_header(&u);
    u32(&u, 1);
    nid_str(&u, 2, "Line1");
    nid_str(&u, 2, "Line1.Start");
    u32(&u, 1);
    u8(&u, 6);
    u32(&u, 3);
    end(&u);
    dtest_pdu(&T, 0, u.b, u.n);
    const struct dtest_op *op = dtest_op_find(&T, OP_COMMAND);
    assert_non_null(op);
    assert_string_equal(op->target, "method ns=2;s=Line1.Start on ns=2;s=Line1 (1 args)");

    begin(&u, "MSG", 'F', 12);
    nid4(&u, 488);
    req_header(&u);
    u32(&u, 1);
    nid4(&u, 85);                   /* parent: Objects folder */
    nid4(&u, 35);
    u8(&u, 0);
    u8(&u, 0);                      /* requested id: null */
    u16(&u, 2);
    str(&u, "Backdoor");
    u32(&u, 1);
    u8(&u, 0);
    u8(&u, 0);
    u8(&u, 0);                      /* attributes: null extension object */
    u8(&u, 0);
    u8(&u, 58);
    end(&u);
    dtest_pdu(&T, 0, u.b, u.n);
    op = dtest_op_find(&T, OP_CONFIG_WRITE);
    assert_non_null(op);
    assert_string_equal(op->function, "add nodes (488)");
    assert_string_equal(op->target, "'Backdoor' under i=85");

    begin(&u, "MSG", 'F', 13);
    nid4(&u, 500);
    req_header(&u);
    u32(&u, 2);
    nid_str(&u, 2, "Old");
    u8(&u, 1);
    nid_str(&u, 2, "Older");
    u8(&u, 1);
    end(&u);
    dtest_pdu(&T, 0, u.b, u.n);
    assert_int_equal(dtest_op_count(&T, OP_CONFIG_WRITE), 2);
    assert_string_equal(T.ops[T.nop - 1].target, "ns=2;s=Old (+1 more)");
    assert_int_equal(T.nmalformed, 0);
}

static void test_read_server_build_info(void **state)
{
    (void)state;
    struct ub u;
    open_none(&u, true);
    dtest_pdu(&T, 0, u.b, u.n);
    begin(&u, "MSG", 'F', 60); /* Read ServerStatus (i=2256) and ProductName (i=2261) */
    nid4(&u, 631);
    req_header(&u);
    raw(&u, "\0\0\0\0\0\0\0\0", 8);
    u32(&u, 3);
    u32(&u, 2);
    nid4(&u, 2256);
    u32(&u, 13);
    str(&u, NULL);
    u16(&u, 0);
    str(&u, NULL);
    nid4(&u, 2261);
    u32(&u, 13);
    str(&u, NULL);
    u16(&u, 0);
    str(&u, NULL);
    end(&u);
    dtest_pdu(&T, 0, u.b, u.n);
    assert_int_equal(dtest_op_count(&T, OP_READ), 1);
    assert_string_equal(dtest_op_find(&T, OP_READ)->target, "i=2256 (+1 more)");
    begin(&u, "MSG", 'F', 60);
    nid4(&u, 634);
    resp_header(&u, 0);
    u32(&u, 2);
    u8(&u, 0x01);
    u8(&u, 22);          /* ExtensionObject ServerStatusDataType */
    nid4(&u, 864);
    u8(&u, 1);
    struct ub body = {.n = 0};
    raw(&body, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 16);
    u32(&body, 0);       /* Running */
    str(&body, "urn:acme:ua-sdk");
    str(&body, "ACME Automation");
    str(&body, "ACME PLC 5000");
    str(&body, "V4.2.1");
    str(&body, "1234");
    raw(&body, "\0\0\0\0\0\0\0\0", 8);
    u32(&body, 0);
    u8(&body, 0);
    u32(&u, (uint32_t)body.n);
    raw(&u, body.b, body.n);
    u8(&u, 0x01);
    u8(&u, 21);
    u8(&u, 0x02);
    str(&u, "ACME PLC 5000 (LocalizedText)");
    u32(&u, 0);
    end(&u);
    dtest_pdu(&T, 1, u.b, u.n);
    assert_string_equal(dtest_attr(&T, F_VENDOR), "ACME Automation");
    assert_string_equal(dtest_attr(&T, F_PRODUCT), "ACME PLC 5000");
    assert_int_equal(dtest_attr_count(&T, F_PRODUCT), 2);
    assert_string_equal(dtest_attr(&T, F_FIRMWARE), "V4.2.1");
    assert_string_equal(dtest_attr(&T, F_PRODUCT_URI), "urn:acme:ua-sdk");
    for (int i = 0; i < T.nattr; i++)
        if (T.attrs[i].field == F_VENDOR)
            assert_true(T.attrs[i].is_server);
    /* a ReadResponse nobody asked for identity in is not read as identity */
    begin(&u, "MSG", 'F', 61);
    nid4(&u, 634);
    resp_header(&u, 0);
    u32(&u, 1);
    u8(&u, 0x01);
    u8(&u, 12);
    str(&u, "Not A Vendor");
    u32(&u, 0);
    end(&u);
    dtest_pdu(&T, 1, u.b, u.n);
    assert_int_equal(dtest_attr_count(&T, F_VENDOR), 1);
    assert_int_equal(T.nmalformed, 0);
}

static void test_secured_channel_is_left_alone(void **state)
{
    (void)state;
    struct ub u;
    begin(&u, "OPN", 'F', 0);
    u32(&u, 0);
    str(&u, "http://opcfoundation.org/UA/SecurityPolicy#Basic256Sha256");
    u32(&u, sizeof cert_der);
    raw(&u, cert_der, sizeof cert_der);
    str(&u, "0123456789abcdef0123");
    for (int i = 0; i < 64; i++)
        u8(&u, (uint8_t)(i * 37 + 11)); /* encrypted */
    end(&u);
    dtest_pdu(&T, 0, u.b, u.n);
    assert_string_equal(dtest_attr(&T, F_SECURITY_POLICY),
                        "http://opcfoundation.org/UA/SecurityPolicy#Basic256Sha256");
    assert_string_equal(dtest_attr(&T, F_DESCRIPTION), "cert subject CN=srv, O=ACME");
    begin(&u, "MSG", 'F', 20);
    for (int i = 0; i < 200; i++)
        u8(&u, (uint8_t)(i * 91 + 7));
    end(&u);
    dtest_pdu(&T, 0, u.b, u.n);
    /* even a body that happens to look like a Write is not trusted past its id */
    begin(&u, "MSG", 'F', 21);
    nid4(&u, 673);
    for (int i = 0; i < 40; i++)
        u8(&u, 0xff);
    end(&u);
    dtest_pdu(&T, 0, u.b, u.n);
    assert_int_equal(T.nop, 0);
    assert_int_equal(T.nmalformed, 0);
    assert_false(dtest_has_finding(&T, "insecure-protocol"));
}

static void test_chunks(void **state)
{
    (void)state;
    struct ub u;
    open_none(&u, true);
    dtest_pdu(&T, 0, u.b, u.n);
    /* first chunk of a long Write, cut mid-list; the next chunk continues the body */
    begin(&u, "MSG", 'C', 30);
    nid4(&u, 673);
    req_header(&u);
    u32(&u, 100);
    nid_str(&u, 2, "A");
    u32(&u, 13);
    str(&u, NULL);
    u8(&u, 0x01);
    u8(&u, 6);
    u32(&u, 1);
    nid_str(&u, 2, "B");
    end(&u);
    dtest_pdu(&T, 0, u.b, u.n);
    assert_int_equal(dtest_op_count(&T, OP_PROCESS_WRITE), 1);
    begin(&u, "MSG", 'F', 30);
    nid4(&u, 673); /* bytes that merely look like a type id: a continuation */
    u32(&u, 13);
    end(&u);
    dtest_pdu(&T, 0, u.b, u.n);
    assert_int_equal(dtest_op_count(&T, OP_PROCESS_WRITE), 1);
    assert_int_equal(T.nmalformed, 0);
}

static void test_split_out_of_order(void **state)
{
    (void)state;
    struct ub u;
    hello(&u, "opc.tcp://10.0.0.2:4840/line3");
    size_t half = 13;
    dtest_tcp_at(&T, 0, (uint32_t)half, u.b + half, u.n - half);
    assert_null(dtest_attr(&T, F_ENDPOINT_URL));
    dtest_tcp_at(&T, 0, 0, u.b, half);
    assert_string_equal(dtest_attr(&T, F_ENDPOINT_URL), "opc.tcp://10.0.0.2:4840/line3");
    assert_int_equal(dtest_attr_count(&T, F_ENDPOINT_URL), 1);
    /* two PDUs in one segment, the second split over the next */
    struct ub two = {.n = 0};
    open_none(&u, true);
    raw(&two, u.b, u.n);
    size_t first = u.n + 30;
    get_endpoints_response(&u);
    raw(&two, u.b, u.n);
    dtest_tcp(&T, 0, two.b, first);
    dtest_tcp(&T, 0, two.b + first, two.n - first);
    assert_string_equal(dtest_attr(&T, F_APPLICATION_URI), "urn:acme:plc1");
    assert_int_equal(T.nmalformed, 0);
}

static void test_odd_port(void **state)
{
    (void)state;
    struct ub u;
    dtest_done(&T);
    /* not 4840 (the harness attaches the dissector; the probe is tested below): the Hello's
     * destination is the server, the Acknowledge's sender too */
    dtest_init(&T, &dissector_opcua, 48010);
    hello(&u, "opc.tcp://gw:48010");
    dtest_tcp(&T, 0, u.b, u.n);
    begin(&u, "ACK", 'F', 0);
    for (int i = 0; i < 5; i++)
        u32(&u, 65535);
    end(&u);
    dtest_tcp(&T, 1, u.b, u.n);
    assert_string_equal(dtest_attr(&T, F_ENDPOINT_URL), "opc.tcp://gw:48010");
    assert_true(T.attrs[0].is_server);
    assert_true(T.roles[0].is_server);
    assert_string_equal(T.roles[0].a, "opc-server");
}

static void test_frame_and_probe(void **state)
{
    (void)state;
    struct ub u;
    hello(&u, "opc.tcp://x:4840");
    struct rd r = rd_init(u.b, 5);
    assert_int_equal(dissector_opcua.frame(&r), FRAME_NEED_MORE);
    r = rd_init(u.b, u.n);
    assert_int_equal(dissector_opcua.frame(&r), (long)u.n);
    assert_true(dissector_opcua.probe(&r, L4_TCP));
    assert_false(dissector_opcua.probe(&r, L4_UDP));
    static const char http[] = "GET / HTTP/1.1\r\n\r\n";
    r = rd_init(http, sizeof http - 1);
    assert_int_equal(dissector_opcua.frame(&r), FRAME_NOT_OURS);
    assert_false(dissector_opcua.probe(&r, L4_TCP));
    static const uint8_t bad_chunk[] = {'H', 'E', 'L', 'C', 40, 0, 0, 0};
    r = rd_init(bad_chunk, sizeof bad_chunk);
    assert_int_equal(dissector_opcua.frame(&r), FRAME_NOT_OURS);
    static const uint8_t huge[] = {'M', 'S', 'G', 'F', 0xff, 0xff, 0xff, 0x7f};
    r = rd_init(huge, sizeof huge);
    assert_int_equal(dissector_opcua.frame(&r), FRAME_NOT_OURS);
}

static void test_malformed(void **state)
{
    (void)state;
    struct ub u;
    begin(&u, "HEL", 'F', 0); /* url length beyond the message */
    for (int i = 0; i < 5; i++)
        u32(&u, 0);
    u32(&u, 5000);
    raw(&u, "opc.tcp://", 10);
    end(&u);
    dtest_pdu(&T, 0, u.b, u.n);
    assert_int_equal(T.nmalformed, 1);
    assert_null(dtest_attr(&T, F_ENDPOINT_URL));
    open_none(&u, true);
    dtest_pdu(&T, 0, u.b, u.n);
    /* GetEndpoints response claiming 2^31 endpoints */
    begin(&u, "MSG", 'F', 40);
    nid4(&u, 431);
    resp_header(&u, 0);
    u32(&u, 0x7fffffff);
    str(&u, "opc.tcp://x");
    end(&u);
    dtest_pdu(&T, 1, u.b, u.n);
    assert_int_equal(T.nmalformed, 2);
    /* a Variant nested beyond the bound */
    begin(&u, "MSG", 'F', 41);
    nid4(&u, 673);
    req_header(&u);
    u32(&u, 1);
    nid4(&u, 2253);
    u32(&u, 13);
    str(&u, NULL);
    u8(&u, 0x01);
    for (int i = 0; i < 40; i++)
        u8(&u, 24); /* Variant of Variant of ... */
    end(&u);
    dtest_pdu(&T, 0, u.b, u.n);
    assert_int_equal(T.nmalformed, 3);
}

static void test_mutations(void **state)
{
    (void)state;
    static struct ub msgs[4], q;
    struct ub u;
    open_none(&u, true);
    dtest_pdu(&T, 0, u.b, u.n);
    get_endpoints_response(&msgs[0]);
    activate(&msgs[1], 324, "operator", NULL);
    hello(&msgs[2], "opc.tcp://x:4840");
    open_none(&msgs[3], true);
    uint32_t rng = 777;
    for (int k = 0; k < 4; k++) {
        for (size_t cut = 8; cut <= msgs[k].n; cut += 3) {
            q = msgs[k];
            q.n = cut;
            end(&q);
            dtest_pdu(&T, k & 1, q.b, q.n);
        }
        for (int round = 0; round < 2000; round++) {
            q = msgs[k];
            for (int flips = 0; flips < 1 + round % 3; flips++) {
                rng = rng * 1103515245u + 12345u;
                size_t at = 8 + (rng >> 8) % (q.n - 8);
                q.b[at] = (uint8_t)(rng >> 20);
            }
            dtest_pdu(&T, k & 1, q.b, q.n);
        }
        open_none(&u, true); /* back to a plain channel */
        dtest_pdu(&T, 0, u.b, u.n);
    }
    assert_true(T.nmalformed > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_hello_and_channel, setup, teardown),
        cmocka_unit_test_setup_teardown(test_get_endpoints, setup, teardown),
        cmocka_unit_test_setup_teardown(test_create_session, setup, teardown),
        cmocka_unit_test_setup_teardown(test_activate_session_username, setup, teardown),
        cmocka_unit_test_setup_teardown(test_activate_session_encrypted_password, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_write_and_error, setup, teardown),
        cmocka_unit_test_setup_teardown(test_call_add_delete, setup, teardown),
        cmocka_unit_test_setup_teardown(test_read_server_build_info, setup, teardown),
        cmocka_unit_test_setup_teardown(test_secured_channel_is_left_alone, setup, teardown),
        cmocka_unit_test_setup_teardown(test_chunks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_split_out_of_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_odd_port, setup, teardown),
        cmocka_unit_test_setup_teardown(test_frame_and_probe, setup, teardown),
        cmocka_unit_test_setup_teardown(test_malformed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mutations, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
