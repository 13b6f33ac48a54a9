/* tls.c - TLS 1.0-1.3 and SSL 3.0 record layer (RFC 5246 §6.2, RFC 8446 §5) on tcp/443, 8443
 * and 4843 (OPC UA over HTTPS), found elsewhere by its ClientHello.  What is in clear is the
 * hello exchange (SNI, JA3/JA4 and JA3S fingerprints, the negotiated version) and, up to TLS
 * 1.2, the server's certificate.  A PDU is one record; a handshake message longer than its
 * record is followed into the next records only to be skipped (the certificate is read when
 * it lies within the record that starts its message). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dissect/dissect.h"
#include "util/md5.h"
#include "util/sha256.h"
#include "util/str.h"
#include "util/x509.h"

#define TLS_PORT       443
#define TLS_ALT_PORT   8443
#define OPCUA_TLS_PORT 4843

#define TLS_RECORD_MAX (16384 + 2048) /* TLSCiphertext.length bound (RFC 5246 §6.2.3) */

/* content types (RFC 8446 §5.1) */
enum { CT_CCS = 20, CT_ALERT = 21, CT_HANDSHAKE = 22, CT_APPDATA = 23, CT_HEARTBEAT = 24 };
/* handshake types (RFC 8446 §4) */
enum { HS_CLIENT_HELLO = 1, HS_SERVER_HELLO = 2, HS_CERTIFICATE = 11 };
/* extension types (IANA TLS ExtensionType values) */
enum {
    EXT_SNI = 0,
    EXT_GROUPS = 10,
    EXT_POINT_FORMATS = 11,
    EXT_SIG_ALGS = 13,
    EXT_ALPN = 16,
    EXT_SUPPORTED_VERSIONS = 43,
};

/* list bounds for one ClientHello; longer lists make the fingerprints unreliable */
#define MAX_CIPHERS 160
#define MAX_EXTS    64
#define MAX_GROUPS  64
#define MAX_FORMATS 16
#define MAX_SIGALGS 64

struct tls_side {
    uint32_t hs_skip; /* bytes of a handshake message still to come in later records */
    uint8_t opaque;   /* encrypted from here on (after ChangeCipherSpec) or lost */
};

struct tls_state {
    struct tls_side side[2];
    uint16_t version; /* negotiated, from the ServerHello */
    uint8_t cert_done, version_done;
    char sni[128];
};
_Static_assert(sizeof(struct tls_state) <= DISSECT_STATE_MAX, "tls state too large");

/* RFC 8701: GREASE values are 0x?a?a with equal bytes */
static bool grease(uint16_t v)
{
    return (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff);
}

static const char *version_name(uint16_t v)
{
    switch (v) {
    case 0x0300:
        return "SSL 3.0";
    case 0x0301:
        return "TLS 1.0";
    case 0x0302:
        return "TLS 1.1";
    case 0x0303:
        return "TLS 1.2";
    case 0x0304:
        return "TLS 1.3";
    default:
        return "unknown version";
    }
}

/* ---- ClientHello ---- */

struct hello {
    uint16_t version; /* legacy_version */
    uint16_t ciphers[MAX_CIPHERS];
    uint16_t exts[MAX_EXTS];
    uint16_t groups[MAX_GROUPS];
    uint8_t formats[MAX_FORMATS];
    uint16_t sigalgs[MAX_SIGALGS];
    int nciphers, nexts, ngroups, nformats, nsigalgs;
    bool has_sni, overflow;
    uint16_t max_supported; /* highest supported_versions entry, 0 if none */
    char sni[128];
    uint8_t alpn[64];
    size_t alpn_len;
};

static void push16(uint16_t *a, int *n, int max, uint16_t v, bool *overflow)
{
    if (grease(v))
        return;
    if (*n >= max) {
        *overflow = true;
        return;
    }
    a[(*n)++] = v;
}

static void ext_sni(struct hello *h, struct rd *e)
{
    /* ServerNameList (RFC 6066 §3): list length, then type 0 host_name entries */
    struct rd list = rd_sub(e, rd_be16(e));
    while (rd_left(&list) >= 3) {
        uint8_t type = rd_u8(&list);
        uint16_t n = rd_be16(&list);
        if (type == 0 && !h->sni[0]) {
            rd_str(&list, n, h->sni, sizeof h->sni);
            return;
        }
        rd_skip(&list, n);
    }
}

static void ext_alpn(struct hello *h, struct rd *e)
{
    /* ProtocolNameList (RFC 7301 §3.1): the first name only */
    struct rd list = rd_sub(e, rd_be16(e));
    uint8_t n = rd_u8(&list);
    if (!rd_ok(&list) || n > rd_left(&list) || n > sizeof h->alpn)
        return;
    rd_bytes(&list, h->alpn, n);
    h->alpn_len = n;
}

static void ext_list16(struct rd *e, size_t lenbytes, uint16_t *a, int *n, int max, bool *of)
{
    size_t len = lenbytes == 1 ? rd_u8(e) : rd_be16(e);
    struct rd l = rd_sub(e, len);
    while (rd_left(&l) >= 2)
        push16(a, n, max, rd_be16(&l), of);
}

static void hello_ext(struct hello *h, uint16_t type, struct rd *e)
{
    switch (type) {
    case EXT_SNI:
        h->has_sni = true;
        ext_sni(h, e);
        break;
    case EXT_GROUPS:
        ext_list16(e, 2, h->groups, &h->ngroups, MAX_GROUPS, &h->overflow);
        break;
    case EXT_POINT_FORMATS: {
        struct rd l = rd_sub(e, rd_u8(e));
        while (rd_left(&l) && h->nformats < MAX_FORMATS)
            h->formats[h->nformats++] = rd_u8(&l);
        break;
    }
    case EXT_SIG_ALGS:
        ext_list16(e, 2, h->sigalgs, &h->nsigalgs, MAX_SIGALGS, &h->overflow);
        break;
    case EXT_ALPN:
        ext_alpn(h, e);
        break;
    case EXT_SUPPORTED_VERSIONS: {
        uint16_t v[16];
        int n = 0;
        bool of = false;
        ext_list16(e, 1, v, &n, 16, &of);
        for (int i = 0; i < n; i++)
            if (v[i] > h->max_supported)
                h->max_supported = v[i];
        break;
    }
    default:
        break;
    }
}

static bool client_hello_read(struct rd *m, struct hello *h)
{
    memset(h, 0, sizeof *h);
    h->version = rd_be16(m);
    rd_skip(m, 32);       /* random */
    rd_skip(m, rd_u8(m)); /* legacy_session_id */
    uint16_t clen = rd_be16(m);
    if (clen & 1)
        return false;
    struct rd cs = rd_sub(m, clen);
    while (rd_left(&cs) >= 2)
        push16(h->ciphers, &h->nciphers, MAX_CIPHERS, rd_be16(&cs), &h->overflow);
    rd_skip(m, rd_u8(m)); /* compression methods */
    if (!rd_ok(m))
        return false;
    if (!rd_left(m))
        return true; /* no extensions (SSL 3.0 style) */
    struct rd exts = rd_sub(m, rd_be16(m));
    while (rd_left(&exts) >= 4) {
        uint16_t type = rd_be16(&exts);
        struct rd e = rd_sub(&exts, rd_be16(&exts));
        push16(h->exts, &h->nexts, MAX_EXTS, type, &h->overflow);
        if (!grease(type))
            hello_ext(h, type, &e);
    }
    return rd_ok(m) && rd_ok(&exts) && rd_left(&exts) == 0;
}

/* appends "a-b-c" (decimal) */
static size_t join_dec(char *dst, size_t cap, const uint16_t *a, int n)
{
    size_t o = 0;
    for (int i = 0; i < n && o < cap; i++) {
        int w = str_fmt(dst + o, cap - o, "%s%u", i ? "-" : "", a[i]);
        if (w < 0)
            break;
        o += (size_t)w;
    }
    return o < cap ? o : cap - 1;
}

/* JA3 (salesforce/ja3): SSLVersion,Ciphers,Extensions,EllipticCurves,EllipticCurvePointFormats
 * in decimal, GREASE left out */
static void ja3_string(const struct hello *h, char *out, size_t cap)
{
    size_t o = (size_t)str_fmt(out, cap, "%u,", h->version);
    o += join_dec(out + o, cap - o, h->ciphers, h->nciphers);
    o += (size_t)str_fmt(out + o, cap - o, ",");
    o += join_dec(out + o, cap - o, h->exts, h->nexts);
    o += (size_t)str_fmt(out + o, cap - o, ",");
    o += join_dec(out + o, cap - o, h->groups, h->ngroups);
    o += (size_t)str_fmt(out + o, cap - o, ",");
    for (int i = 0; i < h->nformats && o < cap; i++)
        o += (size_t)str_fmt(out + o, cap - o, "%s%u", i ? "-" : "", h->formats[i]);
}

static int cmp16(const void *a, const void *b)
{
    return (int)*(const uint16_t *)a - (int)*(const uint16_t *)b;
}

/* "0a0b,0c0d" (lower-case hex) */
static size_t join_hex(char *dst, size_t cap, const uint16_t *a, int n)
{
    size_t o = 0;
    dst[0] = 0;
    for (int i = 0; i < n && o + 6 < cap; i++)
        o += (size_t)str_fmt(dst + o, cap - o, "%s%04x", i ? "," : "", a[i]);
    return o;
}

/* the first 12 hex digits of sha256(s), or twelve zeros for an empty list (JA4 spec) */
static void ja4_hash12(const char *s, size_t n, bool empty, char out[13])
{
    if (empty) {
        memcpy(out, "000000000000", 13);
        return;
    }
    char full[65];
    sha256_hex(s, n, full);
    memcpy(out, full, 12);
    out[12] = 0;
}

static bool alnum(uint8_t ch)
{
    return (ch >= '0' && ch <= '9') || (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z');
}

static const char *ja4_version(uint16_t v)
{
    switch (v) {
    case 0x0304:
        return "13";
    case 0x0303:
        return "12";
    case 0x0302:
        return "11";
    case 0x0301:
        return "10";
    case 0x0300:
        return "s3";
    case 0x0002:
        return "s2";
    default:
        return "00";
    }
}

/* JA4 (FoxIO, technical_details/JA4.md): t<ver><d|i><nciphers><nexts><alpn>_<b>_<c> */
static void ja4(const struct hello *h, char out[40])
{
    static const char hx[] = "0123456789abcdef";
    char alpn[3] = "00";
    if (h->alpn_len) {
        uint8_t first = h->alpn[0], last = h->alpn[h->alpn_len - 1];
        if (alnum(first) && alnum(last)) {
            alpn[0] = (char)first;
            alpn[1] = (char)last;
        } else { /* the first and last characters of the value's hex form */
            alpn[0] = hx[first >> 4];
            alpn[1] = hx[last & 15];
        }
    }
    uint16_t v = h->max_supported ? h->max_supported : h->version;
    char a[16];
    str_fmt(a, sizeof a, "t%s%c%02d%02d%s", ja4_version(v), h->has_sni ? 'd' : 'i',
             h->nciphers > 99 ? 99 : h->nciphers, h->nexts > 99 ? 99 : h->nexts, alpn);

    uint16_t sorted[MAX_CIPHERS > MAX_EXTS ? MAX_CIPHERS : MAX_EXTS];
    char list[MAX_CIPHERS * 5 + MAX_SIGALGS * 5 + 8];
    memcpy(sorted, h->ciphers, (size_t)h->nciphers * 2);
    qsort(sorted, (size_t)h->nciphers, 2, cmp16);
    size_t n = join_hex(list, sizeof list, sorted, h->nciphers);
    char b[13], cc[13];
    ja4_hash12(list, n, h->nciphers == 0, b);

    int ne = 0;
    for (int i = 0; i < h->nexts; i++)
        if (h->exts[i] != EXT_SNI && h->exts[i] != EXT_ALPN)
            sorted[ne++] = h->exts[i];
    qsort(sorted, (size_t)ne, 2, cmp16);
    n = join_hex(list, sizeof list, sorted, ne);
    if (h->nsigalgs) {
        list[n++] = '_';
        n += join_hex(list + n, sizeof list - n, h->sigalgs, h->nsigalgs);
    }
    ja4_hash12(list, n, ne == 0, cc);
    str_fmt(out, 40, "%s_%s_%s", a, b, cc);
}

static void client_hello(struct pctx *c, struct tls_state *s, struct rd *m)
{
    static const char src[] = "tls client hello";
    struct hello h;
    if (!client_hello_read(m, &h)) {
        emit_malformed(c, "tls: bad client hello");
        return;
    }
    if (h.sni[0]) {
        emit_attr(c, WHO_SRC, F_TLS_SNI, h.sni, src);
        str_copy(s->sni, sizeof s->sni, h.sni);
    }
    emit_op(c, OP_SESSION, "tls client hello", h.sni[0] ? h.sni : NULL, NULL);
    if (h.overflow)
        return; /* a list beyond our bounds: no fingerprint rather than a wrong one */
    char ja3s[2048], md5[33], j4[40];
    ja3_string(&h, ja3s, sizeof ja3s);
    md5_hex(ja3s, strlen(ja3s), md5);
    emit_attr_raw(c, WHO_SRC, F_JA3, md5, strlen(ja3s) <= 400 ? ja3s : NULL, src);
    ja4(&h, j4);
    emit_attr(c, WHO_SRC, F_JA4, j4, src);
}

/* ---- ServerHello ---- */

static const char *cipher_name(uint16_t cs)
{
    /* IANA TLS Cipher Suites registry, the suites servers commonly pick */
    static const struct {
        uint16_t id;
        const char *name;
    } t[] = {
        {0x0004, "TLS_RSA_WITH_RC4_128_MD5"},
        {0x0005, "TLS_RSA_WITH_RC4_128_SHA"},
        {0x000a, "TLS_RSA_WITH_3DES_EDE_CBC_SHA"},
        {0x002f, "TLS_RSA_WITH_AES_128_CBC_SHA"},
        {0x0035, "TLS_RSA_WITH_AES_256_CBC_SHA"},
        {0x003c, "TLS_RSA_WITH_AES_128_CBC_SHA256"},
        {0x009c, "TLS_RSA_WITH_AES_128_GCM_SHA256"},
        {0x009d, "TLS_RSA_WITH_AES_256_GCM_SHA384"},
        {0x1301, "TLS_AES_128_GCM_SHA256"},
        {0x1302, "TLS_AES_256_GCM_SHA384"},
        {0x1303, "TLS_CHACHA20_POLY1305_SHA256"},
        {0xc009, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA"},
        {0xc013, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"},
        {0xc014, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA"},
        {0xc023, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256"},
        {0xc027, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256"},
        {0xc028, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384"},
        {0xc02b, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"},
        {0xc02c, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"},
        {0xc02f, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"},
        {0xc030, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"},
        {0xcca8, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"},
        {0xcca9, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"},
    };
    for (size_t i = 0; i < sizeof t / sizeof *t; i++)
        if (t[i].id == cs)
            return t[i].name;
    return NULL;
}

static void server_hello(struct pctx *c, struct tls_state *s, struct rd *m)
{
    static const char src[] = "tls server hello";
    uint16_t version = rd_be16(m);
    rd_skip(m, 32);
    rd_skip(m, rd_u8(m));
    uint16_t cipher = rd_be16(m);
    rd_skip(m, 1); /* compression */
    uint16_t exts[MAX_EXTS];
    int nexts = 0;
    bool of = false;
    uint16_t selected = version;
    if (rd_ok(m) && rd_left(m)) {
        struct rd el = rd_sub(m, rd_be16(m));
        while (rd_left(&el) >= 4) {
            uint16_t type = rd_be16(&el);
            struct rd e = rd_sub(&el, rd_be16(&el));
            push16(exts, &nexts, MAX_EXTS, type, &of);
            if (type == EXT_SUPPORTED_VERSIONS && rd_left(&e) == 2)
                selected = rd_be16(&e);
        }
    }
    if (!rd_ok(m)) {
        emit_malformed(c, "tls: bad server hello");
        return;
    }
    /* JA3S: SSLVersion,Cipher,SSLExtension */
    char ja3s[512], md5[33];
    size_t o = (size_t)str_fmt(ja3s, sizeof ja3s, "%u,%u,", version, cipher);
    join_dec(ja3s + o, sizeof ja3s - o, exts, nexts);
    md5_hex(ja3s, strlen(ja3s), md5);
    emit_attr_raw(c, WHO_SRC, F_JA3S, md5, ja3s, src);
    s->version = selected;
    if (selected <= 0x0302 && !s->version_done) {
        s->version_done = 1;
        char detail[128], cs[48];
        const char *cn = cipher_name(cipher);
        if (cn)
            str_copy(cs, sizeof cs, cn);
        else
            str_fmt(cs, sizeof cs, "0x%04x", cipher);
        str_fmt(detail, sizeof detail, "%s negotiated (deprecated, RFC 8996), cipher %s",
                 version_name(selected), cs);
        emit_finding(c, WHO_SRC, "insecure-protocol", detail);
    }
}

/* ---- Certificate (TLS <= 1.2, RFC 5246 §7.4.2) ---- */

static void certificate(struct pctx *c, struct tls_state *s, struct rd *m)
{
    static const char src[] = "tls certificate";
    if (s->cert_done || s->version == 0x0304)
        return;
    rd_skip(m, 3); /* certificate_list length: the first entry is the server's own */
    uint32_t n = rd_be24(m);
    if (!rd_ok(m) || n > rd_left(m))
        return; /* the first certificate continues in a later record */
    struct rd der = rd_sub(m, n);
    struct x509_info x;
    if (!x509_parse(&der, &x)) {
        emit_malformed(c, "tls: bad certificate");
        return;
    }
    s->cert_done = 1;
    emit_attr(c, WHO_SRC, F_CERT_SUBJECT, x.subject, src);
    emit_attr(c, WHO_SRC, F_CERT_ISSUER, x.issuer, src);
    if (x.not_before[0] && x.not_after[0]) {
        char v[64];
        str_fmt(v, sizeof v, "%s to %s", x.not_before, x.not_after);
        emit_attr(c, WHO_SRC, F_CERT_VALIDITY, v, src);
    }
    char detail[200];
    int64_t now = c->pkt->ts_ns / 1000000000;
    if (x.not_after_s != X509_TIME_NONE && now > x.not_after_s) {
        str_fmt(detail, sizeof detail, "tls certificate expired on %s (%s)", x.not_after,
                 x.subject);
        emit_finding(c, WHO_SRC, "insecure-protocol", detail);
    } else if (x.not_before_s != X509_TIME_NONE && now < x.not_before_s) {
        str_fmt(detail, sizeof detail, "tls certificate not valid before %s (%s)", x.not_before,
                 x.subject);
        emit_finding(c, WHO_SRC, "insecure-protocol", detail);
    }
    if (x.self_issued) {
        str_fmt(detail, sizeof detail, "tls self-signed certificate (%s)", x.subject);
        emit_finding(c, WHO_SRC, "insecure-protocol", detail);
    }
}

/* ---- records ---- */

static void handshake(struct pctx *c, struct tls_state *s, int dir, struct rd *r)
{
    struct tls_side *side = &s->side[dir];
    if (side->hs_skip) {
        uint32_t k = side->hs_skip < rd_left(r) ? side->hs_skip : (uint32_t)rd_left(r);
        rd_skip(r, k);
        side->hs_skip -= k;
    }
    while (rd_left(r)) {
        if (rd_left(r) < 4) {
            side->opaque = 1; /* a message header split over records: give up on this side */
            return;
        }
        uint8_t type = rd_u8(r);
        uint32_t len = rd_be24(r);
        uint32_t avail = len < rd_left(r) ? len : (uint32_t)rd_left(r);
        struct rd m = rd_sub(r, avail);
        side->hs_skip = len - avail;
        bool whole = side->hs_skip == 0;
        if (type == HS_CLIENT_HELLO && dir == 0 && whole)
            client_hello(c, s, &m);
        else if (type == HS_SERVER_HELLO && dir == 1 && whole)
            server_hello(c, s, &m);
        else if (type == HS_CERTIFICATE && dir == 1)
            certificate(c, s, &m);
    }
}

static const char *alert_name(uint8_t d)
{
    switch (d) {
    case 0:
        return "close_notify";
    case 10:
        return "unexpected_message";
    case 20:
        return "bad_record_mac";
    case 40:
        return "handshake_failure";
    case 42:
        return "bad_certificate";
    case 43:
        return "unsupported_certificate";
    case 44:
        return "certificate_revoked";
    case 45:
        return "certificate_expired";
    case 46:
        return "certificate_unknown";
    case 47:
        return "illegal_parameter";
    case 48:
        return "unknown_ca";
    case 50:
        return "decode_error";
    case 51:
        return "decrypt_error";
    case 70:
        return "protocol_version";
    case 71:
        return "insufficient_security";
    case 80:
        return "internal_error";
    case 112:
        return "unrecognized_name";
    case 116:
        return "certificate_required";
    case 120:
        return "no_application_protocol";
    default:
        return "alert";
    }
}

static void alert(struct pctx *c, struct tls_state *s, struct rd *r)
{
    uint8_t level = rd_u8(r), desc = rd_u8(r);
    if (!rd_ok(r) || rd_left(r) || level != 2)
        return; /* warnings, or an encrypted alert */
    char res[64];
    str_fmt(res, sizeof res, "fatal alert %s (%u)", alert_name(desc), desc);
    emit_op(c, OP_SESSION, "tls client hello", s->sni[0] ? s->sni : NULL, res);
}

static void parse(struct pctx *c, void *state, int dir, struct rd *pdu)
{
    struct tls_state *s = state;
    uint8_t type = rd_u8(pdu);
    rd_skip(pdu, 2);
    uint16_t len = rd_be16(pdu);
    struct rd body = rd_sub(pdu, len);
    if (!rd_ok(pdu) || !s) {
        emit_malformed(c, "tls: truncated record");
        return;
    }
    struct tls_side *side = &s->side[dir & 1];
    switch (type) {
    case CT_CCS:
        side->opaque = 1;
        break;
    case CT_ALERT:
        if (!side->opaque)
            alert(c, s, &body);
        break;
    case CT_HANDSHAKE:
        if (!side->opaque)
            handshake(c, s, dir & 1, &body);
        break;
    default:
        break;
    }
}

static void gap(void *state, int dir)
{
    struct tls_state *s = state;
    s->side[dir & 1].hs_skip = 0;
    s->side[dir & 1].opaque = 1;
}

/* a record header: content type 20..24, version 3.0..3.4, a length within bounds */
static long frame(const struct rd *stream)
{
    uint8_t type = rd_peek_u8(stream, 0);
    if (type < CT_CCS || type > CT_HEARTBEAT)
        return FRAME_NOT_OURS;
    if (rd_left(stream) >= 2 && rd_peek_u8(stream, 1) != 3)
        return FRAME_NOT_OURS;
    if (rd_left(stream) >= 3 && rd_peek_u8(stream, 2) > 4)
        return FRAME_NOT_OURS;
    if (rd_left(stream) < 5)
        return FRAME_NEED_MORE;
    uint16_t len = rd_peek_be16(stream, 3);
    if (len > TLS_RECORD_MAX)
        return FRAME_NOT_OURS;
    return 5 + (long)len;
}

/* a first payload that is a handshake record holding a ClientHello or ServerHello whose
 * length fits the record */
static bool probe(const struct rd *payload, uint8_t l4)
{
    if (l4 != L4_TCP || rd_left(payload) < 9)
        return false;
    uint16_t rlen = rd_peek_be16(payload, 3);
    uint8_t hs = rd_peek_u8(payload, 5);
    uint32_t hlen = (uint32_t)rd_peek_u8(payload, 6) << 16 | rd_peek_be16(payload, 7);
    return rd_peek_u8(payload, 0) == CT_HANDSHAKE && rd_peek_u8(payload, 1) == 3 &&
           rd_peek_u8(payload, 2) <= 4 && (hs == HS_CLIENT_HELLO || hs == HS_SERVER_HELLO) &&
           rlen >= 4 + 38 && rlen <= TLS_RECORD_MAX && hlen + 4 <= rlen && hlen >= 38 &&
           rd_peek_u8(payload, 9) == 3;
}

const struct dissector dissector_tls = {
    .name = "tls",
    .proto = PROTO_TLS,
    .tcp_ports = {TLS_PORT, TLS_ALT_PORT, OPCUA_TLS_PORT},
    .probe = probe,
    .state_size = sizeof(struct tls_state),
    .frame = frame,
    .parse = parse,
    .gap = gap,
};
