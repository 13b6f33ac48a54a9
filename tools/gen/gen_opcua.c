/* gen_opcua.c - OPC UA binary sessions between a client (cli) and a server (srv) on tcp/4840:
 * a discovery connection (Hello, OpenSecureChannel with SecurityPolicy#None, GetEndpoints with a
 * #None and a Basic256Sha256 endpoint, the response split over TCP segments), then a session
 * (CreateSession, ActivateSession anonymous or user name, Read polling, a Write, a Call, a
 * rejected Write).  Encodings follow IEC 62541-6 §5.2; 'ops' adds Read polling cycles. */
#include <string.h>

#include "gen.h"

#define OPCUA_PORT 4840

struct ua_identity {
    const char *app_uri, *product_uri, *app_name, *cert_cn, *cert_o, *path, *user;
    const char *manufacturer, *product, *version; /* the Server object's BuildInfo */
};

/* real OPC UA server products and the application descriptions they announce */
static const struct ua_identity ua_servers[] = {
    {"urn:SIMATIC.S7-1500.OPC-UA.Application:PLC_1", "https://www.siemens.com/s7-1500",
     "SIMATIC.S7-1500.OPC-UA.Application:PLC_1", "PLC_1", "Siemens", "", NULL, "Siemens AG",
     "SIMATIC S7-1500", "V2.9.4"},
    {"urn:CX-4F2A10:BECKHOFF:TcOpcUaServer", "http://www.beckhoff.com/TwinCAT/OpcUaServer",
     "TcOpcUaServer@CX-4F2A10", "TcOpcUaServer@CX-4F2A10", "Beckhoff Automation", "",
     "operator", "Beckhoff Automation", "TwinCAT OPC UA Server", "4.3.1.0"},
    {"urn:uaserver01:UnifiedAutomation:UaServerCpp", "urn:UnifiedAutomation:UaServerCpp",
     "UaServerCpp@uaserver01", "UaServerCpp@uaserver01", "Unified Automation GmbH", "", NULL,
     "Unified Automation GmbH", "C++ SDK OPC UA Demo Server", "1.7.6"},
    {"urn:open62541.server.application", "http://open62541.org",
     "open62541-based OPC UA Application", "open62541Server@line3", "open62541", "/line3",
     "engineer", "open62541", "open62541 OPC UA Server", "1.3.5"},
};

/* ---- binary encoding (Part 6 §5.2.2) ---- */

static void ua_str(struct gen_buf *b, const char *s)
{
    if (!s) {
        gb_le32(b, 0xffffffffu);
        return;
    }
    gb_le32(b, (uint32_t)strlen(s));
    gb_str(b, s);
}

static void ua_bytes(struct gen_buf *b, const void *p, size_t n)
{
    gb_le32(b, (uint32_t)n);
    gb_bytes(b, p, n);
}

static void ua_nid4(struct gen_buf *b, uint16_t id)
{
    gb_u8(b, 0x01);
    gb_u8(b, 0);
    gb_le16(b, id);
}

static void ua_nid_str(struct gen_buf *b, uint16_t ns, const char *s)
{
    gb_u8(b, 0x03);
    gb_le16(b, ns);
    ua_str(b, s);
}

static void ua_datetime(struct gen *g, struct gen_buf *b)
{
    /* 100 ns ticks since 1601-01-01 */
    uint64_t t = (uint64_t)(g->t_ns / 100) + 116444736000000000ull;
    gb_le32(b, (uint32_t)t);
    gb_le32(b, (uint32_t)(t >> 32));
}

static void ua_double(struct gen_buf *b, double d)
{
    uint64_t bits;
    memcpy(&bits, &d, sizeof bits);
    gb_le32(b, (uint32_t)bits);
    gb_le32(b, (uint32_t)(bits >> 32));
}

static void ua_null_ext(struct gen_buf *b)
{
    gb_u8(b, 0);
    gb_u8(b, 0);
    gb_u8(b, 0);
}

static void ua_request_header(struct gen *g, struct gen_buf *b, uint32_t handle, bool session)
{
    if (session) { /* the authentication token of the session */
        gb_u8(b, 0x05);
        gb_le16(b, 1);
        ua_bytes(b, "\x6a\x1f\x09\x33\x8c\x21\x4b\x10\x9e\x77\x12\xc4\x05\x5d\xb2\x80", 16);
    } else {
        gb_u8(b, 0);
        gb_u8(b, 0);
    }
    ua_datetime(g, b);
    gb_le32(b, handle);
    gb_le32(b, 0);
    ua_str(b, NULL);
    gb_le32(b, 10000);
    ua_null_ext(b);
}

static void ua_response_header(struct gen *g, struct gen_buf *b, uint32_t handle,
                               uint32_t status)
{
    ua_datetime(g, b);
    gb_le32(b, handle);
    gb_le32(b, status);
    gb_u8(b, 0);          /* no diagnostics */
    gb_le32(b, 0);        /* string table */
    ua_null_ext(b);
}

/* ---- chunks ---- */

struct ua_conn {
    struct gen_tcp tcp;
    uint32_t channel, token, seq[2], req_id;
};

static void ua_begin(struct gen_buf *b, const char *type)
{
    b->n = 0;
    gb_bytes(b, type, 3);
    gb_u8(b, 'F');
    gb_le32(b, 0);
}

static void ua_send(struct gen *g, struct ua_conn *c, int dir, struct gen_buf *b, size_t mss)
{
    gb_put_le16(b, 4, (uint16_t)b->n);
    gb_put_le16(b, 6, (uint16_t)(b->n >> 16));
    if (mss)
        gen_tcp_send_split(g, &c->tcp, dir, b->b, b->n, mss);
    else
        gen_tcp_send(g, &c->tcp, dir, b->b, b->n);
    gen_advance(g, 300000 + (int64_t)gen_range(g, 700000));
}

/* MSG/CLO headers: channel, token, sequence number, request id, then the service type id */
static void ua_msg(struct gen_buf *b, struct ua_conn *c, const char *type, int dir,
                   uint16_t service)
{
    ua_begin(b, type);
    gb_le32(b, c->channel);
    gb_le32(b, c->token);
    gb_le32(b, ++c->seq[dir]);
    gb_le32(b, c->req_id);
    ua_nid4(b, service);
}

static void ua_connect(struct gen *g, struct ua_conn *c, const struct gen_host *cli,
                       const struct gen_host *srv, uint16_t cport, const char *url)
{
    struct gen_buf b;
    memset(c, 0, sizeof *c);
    gen_tcp_open(g, &c->tcp, cli, cport, srv, OPCUA_PORT);
    ua_begin(&b, "HEL");
    gb_le32(&b, 0);
    gb_le32(&b, 65536);
    gb_le32(&b, 65536);
    gb_le32(&b, 0);
    gb_le32(&b, 0);
    ua_str(&b, url);
    ua_send(g, c, 0, &b, 0);
    ua_begin(&b, "ACK");
    gb_le32(&b, 0);
    gb_le32(&b, 65536);
    gb_le32(&b, 65536);
    gb_le32(&b, 2097152);
    gb_le32(&b, 32);
    ua_send(g, c, 1, &b, 0);

    /* OpenSecureChannel Issue, SecurityPolicy#None, mode None */
    static const char none[] = "http://opcfoundation.org/UA/SecurityPolicy#None";
    c->seq[0] = c->seq[1] = 50 + gen_range(g, 1000);
    c->req_id = 1;
    c->channel = 0x20 + (uint32_t)gen_range(g, 100);
    c->token = 1;
    for (int dir = 0; dir < 2; dir++) {
        ua_begin(&b, "OPN");
        gb_le32(&b, dir ? c->channel : 0);
        ua_str(&b, none);
        ua_str(&b, NULL);
        ua_str(&b, NULL);
        gb_le32(&b, ++c->seq[dir]);
        gb_le32(&b, c->req_id);
        ua_nid4(&b, dir ? 449 : 446);
        if (dir == 0) {
            ua_request_header(g, &b, 1, false);
            gb_le32(&b, 0);   /* protocol version */
            gb_le32(&b, 0);   /* Issue */
            gb_le32(&b, 1);   /* MessageSecurityMode None */
            ua_bytes(&b, "", 0);
            gb_le32(&b, 3600000);
        } else {
            ua_response_header(g, &b, 1, 0);
            gb_le32(&b, 0);
            gb_le32(&b, c->channel);
            gb_le32(&b, c->token);
            ua_datetime(g, &b);
            gb_le32(&b, 3600000);
            ua_bytes(&b, "", 0);
        }
        ua_send(g, c, dir, &b, 0);
    }
}

static void ua_disconnect(struct gen *g, struct ua_conn *c)
{
    struct gen_buf b;
    c->req_id++;
    ua_msg(&b, c, "CLO", 0, 452);
    ua_request_header(g, &b, c->req_id, false);
    ua_send(g, c, 0, &b, 0);
    gen_tcp_close(g, &c->tcp);
}

/* a minimal DER certificate whose subject is CN=cn, O=o (self-signed shape, no real key) */
static void der_len(struct gen_buf *b, size_t n)
{
    if (n < 0x80) {
        gb_u8(b, (uint8_t)n);
    } else {
        gb_u8(b, 0x82);
        gb_be16(b, (uint16_t)n);
    }
}

static void der_tlv(struct gen_buf *b, uint8_t tag, const void *p, size_t n)
{
    gb_u8(b, tag);
    der_len(b, n);
    gb_bytes(b, p, n);
}

static void der_name(struct gen_buf *out, const char *cn, const char *o)
{
    struct gen_buf rdns = {.n = 0}, atv, set;
    const char *vals[2] = {o, cn};
    const uint8_t oids[2][3] = {{0x55, 0x04, 0x0a}, {0x55, 0x04, 0x03}};
    for (int i = 0; i < 2; i++) {
        atv.n = 0;
        der_tlv(&atv, 0x06, oids[i], 3);
        der_tlv(&atv, 0x0c, vals[i], strlen(vals[i]));
        set.n = 0;
        der_tlv(&set, 0x30, atv.b, atv.n);
        der_tlv(&rdns, 0x31, set.b, set.n);
    }
    der_tlv(out, 0x30, rdns.b, rdns.n);
}

static void ua_certificate(struct gen *g, struct gen_buf *out, const struct ua_identity *id)
{
    static const uint8_t version[] = {0x02, 0x01, 0x02};
    static const uint8_t sha256rsa[] = {0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d,
                                        0x01, 0x01, 0x0b, 0x05, 0x00};
    static const uint8_t validity[] = {
        0x17, 0x0d, '2', '5', '0', '1', '0', '1', '0', '0', '0', '0', '0', '0', 'Z',
        0x17, 0x0d, '3', '5', '0', '1', '0', '1', '0', '0', '0', '0', '0', '0', 'Z'};
    struct gen_buf tbs = {.n = 0}, cert = {.n = 0}, name = {.n = 0}, key = {.n = 0};
    uint8_t serial[8], sig[64];
    for (size_t i = 0; i < sizeof serial; i++)
        serial[i] = (uint8_t)(gen_range(g, 255) + 1) & 0x7f;
    for (size_t i = 0; i < sizeof sig; i++)
        sig[i] = (uint8_t)gen_range(g, 256);
    der_name(&name, id->cert_cn, id->cert_o);
    der_tlv(&tbs, 0xa0, version, sizeof version);
    der_tlv(&tbs, 0x02, serial, sizeof serial);
    der_tlv(&tbs, 0x30, sha256rsa, sizeof sha256rsa);
    gb_bytes(&tbs, name.b, name.n); /* issuer = subject */
    der_tlv(&tbs, 0x30, validity, sizeof validity);
    gb_bytes(&tbs, name.b, name.n);
    /* SubjectPublicKeyInfo: rsaEncryption with a placeholder (tiny) key */
    static const uint8_t rsa[] = {0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d,
                                  0x01, 0x01, 0x01, 0x05, 0x00};
    static const uint8_t pub[] = {0x00, 0x30, 0x06, 0x02, 0x01, 0x35, 0x02, 0x01, 0x03};
    der_tlv(&key, 0x30, rsa, sizeof rsa);
    der_tlv(&key, 0x03, pub, sizeof pub);
    der_tlv(&tbs, 0x30, key.b, key.n);
    der_tlv(&cert, 0x30, tbs.b, tbs.n);
    der_tlv(&cert, 0x30, sha256rsa, sizeof sha256rsa);
    gb_u8(&cert, 0x03);
    der_len(&cert, sizeof sig + 1);
    gb_u8(&cert, 0);
    gb_bytes(&cert, sig, sizeof sig);
    gb_u8(out, 0x30);
    der_len(out, cert.n);
    gb_bytes(out, cert.b, cert.n);
}

static void ua_app_description(struct gen_buf *b, const struct ua_identity *id, const char *url)
{
    ua_str(b, id->app_uri);
    ua_str(b, id->product_uri);
    gb_u8(b, 0x03);
    ua_str(b, "en");
    ua_str(b, id->app_name);
    gb_le32(b, 0); /* Server */
    ua_str(b, NULL);
    ua_str(b, NULL);
    gb_le32(b, 1);
    ua_str(b, url);
}

static void ua_endpoint(struct gen_buf *b, const struct ua_identity *id, const char *url,
                        const struct gen_buf *cert, bool secure)
{
    ua_str(b, url);
    ua_app_description(b, id, url);
    ua_bytes(b, cert->b, cert->n);
    gb_le32(b, secure ? 3 : 1);
    ua_str(b, secure ? "http://opcfoundation.org/UA/SecurityPolicy#Basic256Sha256"
                     : "http://opcfoundation.org/UA/SecurityPolicy#None");
    gb_le32(b, 2); /* user token policies: anonymous and user name */
    ua_str(b, "anonymous");
    gb_le32(b, 0);
    ua_str(b, NULL);
    ua_str(b, NULL);
    ua_str(b, NULL);
    ua_str(b, "username");
    gb_le32(b, 1);
    ua_str(b, NULL);
    ua_str(b, NULL);
    ua_str(b, secure ? NULL : "http://opcfoundation.org/UA/SecurityPolicy#None");
    ua_str(b, "http://opcfoundation.org/UA-Profile/Transport/uatcp-uasc-uabinary");
    gb_u8(b, secure ? 110 : 0);
}

static void ua_endpoints(struct gen_buf *b, const struct ua_identity *id, const char *url,
                         const struct gen_buf *cert)
{
    gb_le32(b, 2);
    ua_endpoint(b, id, url, cert, false);
    ua_endpoint(b, id, url, cert, true);
}

static void ua_discovery(struct gen *g, const struct gen_host *cli, const struct gen_host *srv,
                         const struct ua_identity *id, const char *url,
                         const struct gen_buf *cert)
{
    static struct gen_buf b;
    struct ua_conn c;
    ua_connect(g, &c, cli, srv, (uint16_t)(49152 + gen_range(g, 10000)), url);
    c.req_id++;
    ua_msg(&b, &c, "MSG", 0, 428);
    ua_request_header(g, &b, c.req_id, false);
    ua_str(&b, url);
    gb_le32(&b, 0);
    gb_le32(&b, 0);
    ua_send(g, &c, 0, &b, 0);
    ua_msg(&b, &c, "MSG", 1, 431);
    ua_response_header(g, &b, c.req_id, 0);
    ua_endpoints(&b, id, url, cert);
    ua_send(g, &c, 1, &b, 536); /* larger than one segment */
    ua_disconnect(g, &c);
}

static void ua_read(struct gen *g, struct ua_conn *c, int item)
{
    static const char *const nodes[] = {"Line1.Temperature", "Line1.Pressure", "Line1.Speed"};
    struct gen_buf b;
    c->req_id++;
    ua_msg(&b, c, "MSG", 0, 631);
    ua_request_header(g, &b, c->req_id, true);
    ua_double(&b, 0);
    gb_le32(&b, 2); /* timestamps: both */
    gb_le32(&b, 1);
    ua_nid_str(&b, 3, nodes[item % 3]);
    gb_le32(&b, 13);
    ua_str(&b, NULL);
    gb_le16(&b, 0);
    ua_str(&b, NULL);
    ua_send(g, c, 0, &b, 0);
    ua_msg(&b, c, "MSG", 1, 634);
    ua_response_header(g, &b, c->req_id, 0);
    gb_le32(&b, 1);
    gb_u8(&b, 0x0d); /* value, source + server timestamps */
    gb_u8(&b, 11);
    ua_double(&b, 20.0 + gen_range(g, 500) / 10.0);
    ua_datetime(g, &b);
    ua_datetime(g, &b);
    gb_le32(&b, 0);
    ua_send(g, c, 1, &b, 0);
}

/* what a client reads first: the Server object's BuildInfo (ns=0 nodes 2261-2264) */
static void ua_read_build_info(struct gen *g, struct ua_conn *c, const struct ua_identity *id)
{
    static const uint16_t nodes[] = {2263, 2261, 2264, 2262};
    const char *vals[] = {id->manufacturer, id->product, id->version, id->product_uri};
    struct gen_buf b;
    c->req_id++;
    ua_msg(&b, c, "MSG", 0, 631);
    ua_request_header(g, &b, c->req_id, true);
    ua_double(&b, 0);
    gb_le32(&b, 3); /* timestamps: neither */
    gb_le32(&b, 4);
    for (int i = 0; i < 4; i++) {
        ua_nid4(&b, nodes[i]);
        gb_le32(&b, 13);
        ua_str(&b, NULL);
        gb_le16(&b, 0);
        ua_str(&b, NULL);
    }
    ua_send(g, c, 0, &b, 0);
    ua_msg(&b, c, "MSG", 1, 634);
    ua_response_header(g, &b, c->req_id, 0);
    gb_le32(&b, 4);
    for (int i = 0; i < 4; i++) {
        gb_u8(&b, 0x01);
        gb_u8(&b, i == 1 ? 21 : 12); /* ProductName is a LocalizedText */
        if (i == 1)
            gb_u8(&b, 0x02);
        ua_str(&b, vals[i]);
    }
    gb_le32(&b, 0);
    ua_send(g, c, 1, &b, 0);
}

static void ua_write(struct gen *g, struct ua_conn *c, const char *node, double v,
                     uint32_t result)
{
    struct gen_buf b;
    c->req_id++;
    ua_msg(&b, c, "MSG", 0, 673);
    ua_request_header(g, &b, c->req_id, true);
    gb_le32(&b, 1);
    ua_nid_str(&b, 3, node);
    gb_le32(&b, 13);
    ua_str(&b, NULL);
    gb_u8(&b, 0x01);
    gb_u8(&b, 11);
    ua_double(&b, v);
    ua_send(g, c, 0, &b, 0);
    ua_msg(&b, c, "MSG", 1, 676);
    ua_response_header(g, &b, c->req_id, 0);
    gb_le32(&b, 1);
    gb_le32(&b, result);
    gb_le32(&b, 0);
    ua_send(g, c, 1, &b, 0);
}

static void ua_call(struct gen *g, struct ua_conn *c)
{
    struct gen_buf b;
    c->req_id++;
    ua_msg(&b, c, "MSG", 0, 712);
    ua_request_header(g, &b, c->req_id, true);
    gb_le32(&b, 1);
    ua_nid_str(&b, 3, "Line1");
    ua_nid_str(&b, 3, "Line1.StartBatch");
    gb_le32(&b, 1);
    gb_u8(&b, 7); /* UInt32 batch size */
    gb_le32(&b, 500);
    ua_send(g, c, 0, &b, 0);
    ua_msg(&b, c, "MSG", 1, 715);
    ua_response_header(g, &b, c->req_id, 0);
    gb_le32(&b, 1);
    gb_le32(&b, 0);
    gb_le32(&b, 1);
    gb_le32(&b, 0);
    gb_le32(&b, 0);
    gb_le32(&b, 0);
    gb_le32(&b, 0);
    ua_send(g, c, 1, &b, 0);
}

static void ua_session(struct gen *g, const struct gen_host *cli, const struct gen_host *srv,
                       const struct ua_identity *id, const char *url,
                       const struct gen_buf *cert, int ops)
{
    static struct gen_buf b;
    struct ua_conn c;
    ua_connect(g, &c, cli, srv, (uint16_t)(49152 + gen_range(g, 10000)), url);

    c.req_id++;
    ua_msg(&b, &c, "MSG", 0, 461);
    ua_request_header(g, &b, c.req_id, false);
    ua_str(&b, "urn:bms01:ScadaVendor:HmiClient");
    ua_str(&b, "urn:ScadaVendor:HmiClient");
    gb_u8(&b, 0x02);
    ua_str(&b, "BMS HMI client");
    gb_le32(&b, 1); /* Client */
    ua_str(&b, NULL);
    ua_str(&b, NULL);
    gb_le32(&b, 0);
    ua_str(&b, id->app_uri);
    ua_str(&b, url);
    ua_str(&b, "HmiClient session 1");
    ua_bytes(&b, "0123456789abcdef0123456789abcdef", 32);
    ua_str(&b, NULL);
    ua_double(&b, 1200000);
    gb_le32(&b, 0);
    ua_send(g, &c, 0, &b, 0);

    ua_msg(&b, &c, "MSG", 1, 464);
    ua_response_header(g, &b, c.req_id, 0);
    gb_u8(&b, 0x02);
    gb_le16(&b, 1);
    gb_le32(&b, 0x10000 + gen_range(g, 1000)); /* session id */
    gb_u8(&b, 0x05);
    gb_le16(&b, 1);
    ua_bytes(&b, "\x6a\x1f\x09\x33\x8c\x21\x4b\x10\x9e\x77\x12\xc4\x05\x5d\xb2\x80", 16);
    ua_double(&b, 1200000);
    ua_bytes(&b, "fedcba9876543210fedcba9876543210", 32);
    ua_bytes(&b, cert->b, cert->n);
    ua_endpoints(&b, id, url, cert);
    gb_le32(&b, 0);  /* software certificates */
    ua_str(&b, NULL);
    ua_str(&b, NULL);
    gb_le32(&b, 0);
    ua_send(g, &c, 1, &b, 536);

    c.req_id++;
    ua_msg(&b, &c, "MSG", 0, 467);
    ua_request_header(g, &b, c.req_id, true);
    ua_str(&b, NULL);
    ua_str(&b, NULL);
    gb_le32(&b, 0);
    gb_le32(&b, 1);
    ua_str(&b, "en");
    struct gen_buf tok = {.n = 0};
    if (id->user) {
        ua_nid4(&b, 324);
        ua_str(&tok, "username");
        ua_str(&tok, id->user);
        ua_str(&tok, "Plant#2025");
        ua_str(&tok, NULL);
    } else {
        ua_nid4(&b, 321);
        ua_str(&tok, "anonymous");
    }
    gb_u8(&b, 1);
    ua_bytes(&b, tok.b, tok.n);
    ua_str(&b, NULL);
    ua_str(&b, NULL);
    ua_send(g, &c, 0, &b, 0);
    ua_msg(&b, &c, "MSG", 1, 470);
    ua_response_header(g, &b, c.req_id, 0);
    ua_bytes(&b, "00112233445566778899aabbccddeeff", 32);
    gb_le32(&b, 0);
    gb_le32(&b, 0);
    ua_send(g, &c, 1, &b, 0);

    ua_read_build_info(g, &c, id);
    for (int cycle = 0; cycle <= ops; cycle++) {
        for (int i = 0; i < 3; i++)
            ua_read(g, &c, i);
        gen_advance(g, 1000000000ll);
        if (cycle == 0) {
            ua_write(g, &c, "Line1.SpeedSetpoint", 1450.0, 0);
            ua_call(g, &c);
            ua_write(g, &c, "Line1.Recipe", 7.0, 0x801f0000u); /* BadUserAccessDenied */
        }
    }
    c.req_id++;
    ua_msg(&b, &c, "MSG", 0, 473);
    ua_request_header(g, &b, c.req_id, true);
    gb_u8(&b, 1); /* delete subscriptions */
    ua_send(g, &c, 0, &b, 0);
    ua_msg(&b, &c, "MSG", 1, 476);
    ua_response_header(g, &b, c.req_id, 0);
    ua_send(g, &c, 1, &b, 0);
    ua_disconnect(g, &c);
}

void gen_scn_opcua(struct gen *g, const struct gen_host *cli, const struct gen_host *srv,
                   int variant, int ops)
{
    const struct ua_identity *id =
        &ua_servers[(unsigned)variant % (sizeof ua_servers / sizeof ua_servers[0])];
    char url[96];
    static struct gen_buf cert;
    cert.n = 0;
    ua_certificate(g, &cert, id);
    snprintf(url, sizeof url, "opc.tcp://%u.%u.%u.%u:%u%s", srv->ip[0], srv->ip[1], srv->ip[2],
             srv->ip[3], OPCUA_PORT, id->path);
    ua_discovery(g, cli, srv, id, url, &cert);
    gen_advance(g, 50000000);
    ua_session(g, cli, srv, id, url, &cert, ops);
}
