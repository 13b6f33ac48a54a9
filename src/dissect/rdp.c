/* rdp.c - the clear-text start of RDP (MS-RDPBCGR §1.3.1.1) on tcp/3389: TPKT (RFC 1006) and
 * X.224 connection request/confirm with the security negotiation (§2.2.1.1-2.2.1.2), the client
 * core data of an MCS Connect Initial when standard RDP security leaves it in clear
 * (§2.2.1.3.2), and the server's TLS certificate, whose subject names the Windows host.
 * The user name of a "mstshash" cookie is only noted as present.  Remote access to a plant
 * asset is a finding, and so is a server that selects no TLS or no NLA. */
#include <stdio.h>
#include <string.h>

#include "dissect/dissect.h"
#include "util/str.h"
#include "util/x509.h"

#define RDP_PORT 3389

/* X.224 TPDU codes (ITU-T X.224 §13) */
#define X224_CR 0xe0
#define X224_CC 0xd0
#define X224_DT 0xf0

/* RDP_NEG types and protocol flags (§2.2.1.1.1, §2.2.1.2.1) */
#define NEG_REQ         1
#define NEG_RSP         2
#define NEG_FAILURE     3
#define PROTO_SSL       0x01
#define PROTO_HYBRID    0x02
#define PROTO_RDSTLS    0x04
#define PROTO_HYBRID_EX 0x08
#define PROTO_RDSAAD    0x10

/* TS_UD_CS_CORE (§2.2.1.3.2) */
#define CS_CORE      0xc001
#define SAS_SEQUENCE 0xaa03

struct rdp_state {
    uint8_t remote_done, cert_done, core_done;
    uint8_t opaque[2];
    uint32_t hs_skip[2]; /* TLS handshake bytes continuing in later records */
};
_Static_assert(sizeof(struct rdp_state) <= DISSECT_STATE_MAX, "rdp state too large");

static void protocols_text(uint32_t p, char *dst, size_t n)
{
    static const struct {
        uint32_t bit;
        const char *name;
    } t[] = {{PROTO_SSL, "tls"},
             {PROTO_HYBRID, "credssp"},
             {PROTO_RDSTLS, "rdstls"},
             {PROTO_HYBRID_EX, "credssp-ex"},
             {PROTO_RDSAAD, "rdsaad"}};
    size_t o = (size_t)str_fmt(dst, n, "%s", p ? "" : "standard rdp security");
    for (size_t i = 0; i < sizeof t / sizeof *t && o < n; i++)
        if (p & t[i].bit)
            o += (size_t)str_fmt(dst + o, n - o, "%s%s", o ? "," : "", t[i].name);
}

static const char *failure_text(uint32_t code)
{
    switch (code) {
    case 1:
        return "SSL_REQUIRED_BY_SERVER";
    case 2:
        return "SSL_NOT_ALLOWED_BY_SERVER";
    case 3:
        return "SSL_CERT_NOT_ON_SERVER";
    case 4:
        return "INCONSISTENT_FLAGS";
    case 5:
        return "HYBRID_REQUIRED_BY_SERVER";
    case 6:
        return "SSL_WITH_USER_AUTH_REQUIRED_BY_SERVER";
    default:
        return "failure";
    }
}

/* "Cookie: mstshash=USER\r\n" or a routing token "Cookie: msts=...\r\n" (§2.2.1.1) */
static const char *cookie(struct rd *r)
{
    const char *what = NULL;
    if (rd_match(r, "Cookie: mstshash=", 17))
        what = "user cookie present";
    else if (rd_match(r, "Cookie: msts=", 13))
        what = "routing token";
    else
        return NULL;
    size_t n = rd_left(r) < 256 ? rd_left(r) : 256;
    for (size_t i = 0; i + 1 < n; i++)
        if (rd_peek_u8(r, i) == '\r' && rd_peek_u8(r, i + 1) == '\n') {
            rd_skip(r, i + 2);
            return what;
        }
    rd_skip(r, rd_left(r));
    return what;
}

static void connection_request(struct pctx *c, struct rd *r)
{
    const char *ck = cookie(r);
    char req[64] = "standard rdp security", target[128];
    if (rd_left(r) >= 8 && rd_peek_u8(r, 0) == NEG_REQ) {
        rd_skip(r, 4); /* type, flags, length */
        protocols_text(rd_le32(r), req, sizeof req);
    }
    str_fmt(target, sizeof target, "requested %s%s%s", req, ck ? "; " : "", ck ? ck : "");
    emit_op(c, OP_SESSION, "rdp connection request", target, NULL);
}

static void connection_confirm(struct pctx *c, struct rd *r)
{
    uint32_t selected = 0;
    if (rd_left(r) >= 8 && rd_peek_u8(r, 0) == NEG_FAILURE) {
        rd_skip(r, 4);
        uint32_t code = rd_le32(r);
        char res[64];
        str_fmt(res, sizeof res, "negotiation failure %s (%u)", failure_text(code), code);
        emit_op(c, OP_SESSION, "rdp connection request", NULL, res);
        return;
    }
    if (rd_left(r) >= 8 && rd_peek_u8(r, 0) == NEG_RSP) {
        rd_skip(r, 4);
        selected = rd_le32(r);
    }
    if (selected == 0)
        emit_finding(c, WHO_SRC, "insecure-protocol",
                     "rdp standard security selected (no tls, no nla)");
    else if (!(selected & (PROTO_HYBRID | PROTO_HYBRID_EX | PROTO_RDSAAD)))
        emit_finding(c, WHO_SRC, "insecure-protocol", "rdp without network level authentication");
}

/* the client core data in an MCS Connect Initial: found by its header, then checked */
static void client_core(struct pctx *c, struct rdp_state *s, struct rd *r)
{
    size_t n = rd_left(r);
    for (size_t i = 0; i + 56 <= n; i++) {
        if (rd_peek_le16(r, i) != CS_CORE || rd_peek_le16(r, i + 2) < 56 + 8 ||
            rd_peek_u8(r, i + 6) != 0x08 || rd_peek_u8(r, i + 7) != 0x00 ||
            rd_peek_le16(r, i + 14) != SAS_SEQUENCE)
            continue;
        struct rd core = *r;
        rd_skip(&core, i + 24);
        uint8_t b[32], name[16];
        rd_bytes(&core, b, 32);
        size_t k = 0;
        for (; k < 15 && (b[2 * k] | b[2 * k + 1]); k++)
            name[k] = b[2 * k + 1] ? '?' : b[2 * k]; /* UTF-16LE, host names are ASCII */
        char text[64];
        str_sanitize(text, sizeof text, name, k);
        if (rd_ok(&core) && text[0]) {
            s->core_done = 1;
            emit_attr(c, WHO_SRC, F_HOSTNAME, text, "rdp client core data");
        }
        return;
    }
}

static void tpkt(struct pctx *c, struct rdp_state *s, int dir, struct rd *r)
{
    rd_skip(r, 4);
    uint8_t li = rd_u8(r), code = rd_u8(r) & 0xf0;
    if (!rd_ok(r) || li < 2) {
        emit_malformed(c, "rdp: bad x.224 header");
        return;
    }
    if (code == X224_CR || code == X224_CC) {
        rd_skip(r, 5); /* dst-ref, src-ref, class */
        if (!rd_ok(r)) {
            emit_malformed(c, "rdp: truncated x.224 connection tpdu");
            return;
        }
        if (code == X224_CR && dir == 0)
            connection_request(c, r);
        else if (code == X224_CC && dir == 1)
            connection_confirm(c, r);
    } else if (code == X224_DT && dir == 0 && !s->core_done) {
        rd_skip(r, 1);                  /* EOT */
        if (rd_match(r, "\x7f\x65", 2)) /* MCS Connect-Initial (T.125 BER application 101) */
            client_core(c, s, r);
    }
}

/* a TLS record: the server's certificate names the host */
static void tls_record(struct pctx *c, struct rdp_state *s, int dir, struct rd *r)
{
    uint8_t type = rd_u8(r);
    rd_skip(r, 2);
    struct rd body = rd_sub(r, rd_be16(r));
    if (type == 20)
        s->opaque[dir] = 1; /* ChangeCipherSpec: encrypted from here */
    if (type != 22 || s->opaque[dir] || dir != 1 || s->cert_done)
        return;
    uint32_t k = s->hs_skip[dir] < rd_left(&body) ? s->hs_skip[dir] : (uint32_t)rd_left(&body);
    rd_skip(&body, k);
    s->hs_skip[dir] -= k;
    while (rd_left(&body) >= 4) {
        uint8_t hs = rd_u8(&body);
        uint32_t len = rd_be24(&body);
        uint32_t avail = len < rd_left(&body) ? len : (uint32_t)rd_left(&body);
        struct rd m = rd_sub(&body, avail);
        s->hs_skip[dir] = len - avail;
        if (hs != 11)
            continue;
        rd_skip(&m, 3);
        uint32_t n = rd_be24(&m);
        if (!rd_ok(&m) || n > rd_left(&m))
            return;
        struct rd der = rd_sub(&m, n);
        struct x509_info x;
        if (!x509_parse(&der, &x))
            return;
        static const char src[] = "rdp tls certificate";
        s->cert_done = 1;
        emit_attr(c, WHO_SRC, F_CERT_SUBJECT, x.subject, src);
        emit_attr(c, WHO_SRC, F_CERT_ISSUER, x.issuer, src);
        /* RDP's own certificate is self-issued to the computer's name (DNS or NetBIOS) */
        if (x.self_issued && x.subject_cn[0] && !strchr(x.subject_cn, ' '))
            emit_attr(c, WHO_SRC, strchr(x.subject_cn, '.') ? F_FQDN : F_HOSTNAME, x.subject_cn,
                      src);
        return;
    }
}

static void parse(struct pctx *c, void *state, int dir, struct rd *pdu)
{
    struct rdp_state *s = state;
    if (!s)
        return;
    if (!s->remote_done) {
        s->remote_done = 1;
        emit_finding(c, WHO_SERVER, "insecure-protocol", "remote access: rdp");
    }
    uint8_t b0 = rd_peek_u8(pdu, 0);
    if (b0 == 3 && rd_peek_u8(pdu, 1) == 0)
        tpkt(c, s, dir & 1, pdu);
    else if (b0 >= 20 && b0 <= 23 && rd_peek_u8(pdu, 1) == 3)
        tls_record(c, s, dir & 1, pdu);
}

static void gap(void *state, int dir)
{
    struct rdp_state *s = state;
    s->opaque[dir & 1] = 1;
    s->hs_skip[dir & 1] = 0;
}

/* TPKT (RFC 1006 §6): version 3, reserved 0, length; or a TLS record; else (fast-path and
 * encrypted data) whatever has arrived */
static long frame(const struct rd *stream)
{
    size_t left = rd_left(stream);
    uint8_t b0 = rd_peek_u8(stream, 0);
    if ((b0 == 3 && (left < 2 || rd_peek_u8(stream, 1) == 0)) ||
        (b0 >= 20 && b0 <= 23 && (left < 2 || rd_peek_u8(stream, 1) == 3))) {
        if (left < 5)
            return FRAME_NEED_MORE;
        if (b0 == 3) {
            uint16_t len = rd_peek_be16(stream, 2);
            return len >= 7 ? (long)len : (long)left;
        }
        return 5 + (long)rd_peek_be16(stream, 3);
    }
    return (long)left;
}

/* a TPKT holding an X.224 connection request, with an RDP cookie or negotiation request */
static bool probe(const struct rd *payload, uint8_t l4)
{
    size_t n = rd_left(payload);
    if (l4 != L4_TCP || n < 11 || rd_peek_u8(payload, 0) != 3 || rd_peek_u8(payload, 1) != 0 ||
        rd_peek_be16(payload, 2) != n || rd_peek_u8(payload, 4) != n - 5 ||
        rd_peek_u8(payload, 5) != X224_CR)
        return false;
    struct rd r = *payload;
    rd_skip(&r, 11);
    return rd_match(&r, "Cookie: ", 8) ||
           (rd_left(&r) == 8 && rd_peek_u8(&r, 0) == NEG_REQ && rd_peek_u8(&r, 2) == 8);
}

const struct dissector dissector_rdp = {
    .name = "rdp",
    .proto = PROTO_RDP,
    .tcp_ports = {RDP_PORT},
    .probe = probe,
    .state_size = sizeof(struct rdp_state),
    .frame = frame,
    .parse = parse,
    .gap = gap,
};
