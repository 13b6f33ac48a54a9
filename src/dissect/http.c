/* http.c - HTTP/1.0 and 1.1 (RFC 9112) on tcp/80, 8080, 8000 and 8081, and wherever a first
 * payload is a strict request or status line.  Identity: Server (about the server), User-Agent
 * and Host (about the client, like a TLS SNI).  Findings: plain HTTP itself, and credentials in
 * clear (Basic auth, a bearer token, a login form), reported with the user name only.
 *
 * Framing (stateless, one PDU per call): a message is its header block plus a Content-Length
 * body of at most HTTP_BODY_MAX bytes.  A chunked body is framed chunk by chunk (a chunk-size
 * line says its own length).  A longer body, or one that runs to the end of the connection,
 * is not framed: the header block is a PDU and the body bytes that follow, which start with
 * neither a start line nor a chunk-size line, are taken as opaque PDUs of whatever has
 * arrived, and ignored.  Framing is back in step at the next segment that starts a message. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dissect/dissect.h"
#include "util/str.h"

#define HTTP_PORT      80
#define HTTP_ALT_PORT  8080
#define HTTP_PORT_8000 8000
#define HTTP_PORT_8081 8081

#define HTTP_HDR_MAX     16384 /* a header block longer than this is cut into an opaque PDU */
#define HTTP_BODY_MAX    49152 /* bodies up to this are framed with their message */
#define HTTP_LINE_MAX    8192  /* request/status line */
#define HTTP_TARGET_KEEP 96    /* path kept for an operation target */

struct http_state {
    uint8_t insecure_done;
    uint8_t pend, pend_kind; /* a request whose error status becomes an op result */
    char pend_fn[24];
    char pend_target[HTTP_TARGET_KEEP + 8];
    uint32_t h_ua, h_host, h_server, h_auth; /* last values reported (FNV-1a): report changes */
};
_Static_assert(sizeof(struct http_state) <= DISSECT_STATE_MAX, "http state too large");

static const char *const http_methods[] = {"GET",     "POST",  "HEAD",  "PUT",    "DELETE",
                                           "OPTIONS", "PATCH", "TRACE", "CONNECT"};
#define NMETHODS (sizeof http_methods / sizeof *http_methods)

/* ---- byte-level helpers on a cursor (no copies) ---- */

static bool is_hex(uint8_t c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static int hexval(uint8_t c)
{
    return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}

/* offset of the first "\n" at or after 'from' within 'limit' bytes, or -1 */
static long find_lf(const struct rd *s, size_t from, size_t limit)
{
    size_t n = rd_left(s) < limit ? rd_left(s) : limit;
    for (size_t i = from; i < n; i++)
        if (rd_peek_u8(s, i) == '\n')
            return (long)i;
    return -1;
}

/* case-insensitive match of text at offset 'at' */
static bool peek_ci(const struct rd *s, size_t at, const char *text)
{
    size_t n = strlen(text);
    if (!rd_peek_ok(s, at, n))
        return false;
    for (size_t i = 0; i < n; i++) {
        uint8_t c = rd_peek_u8(s, at + i);
        if ((c | 0x20) != ((uint8_t)text[i] | 0x20))
            return false;
    }
    return true;
}

static bool peek_eq(const struct rd *s, size_t at, const char *text)
{
    size_t n = strlen(text);
    if (!rd_peek_ok(s, at, n))
        return false;
    for (size_t i = 0; i < n; i++)
        if (rd_peek_u8(s, at + i) != (uint8_t)text[i])
            return false;
    return true;
}

/* ---- start lines ---- */

enum start { START_NO, START_PARTIAL, START_REQUEST, START_RESPONSE };

/* the bytes available could still become 'text' */
static bool prefix_of(const struct rd *s, const char *text)
{
    size_t n = rd_left(s), t = strlen(text);
    for (size_t i = 0; i < n && i < t; i++)
        if (rd_peek_u8(s, i) != (uint8_t)text[i])
            return false;
    return n < t;
}

/* "METHOD SP target SP HTTP/1.x CRLF" or "HTTP/1.x SP ddd ...": which, or partial, or no */
static enum start start_line(const struct rd *s)
{
    if (peek_eq(s, 0, "HTTP/1.")) {
        if (!rd_peek_ok(s, 0, 13))
            return START_PARTIAL;
        uint8_t v = rd_peek_u8(s, 7), d0 = rd_peek_u8(s, 9);
        if ((v != '0' && v != '1') || rd_peek_u8(s, 8) != ' ' || d0 < '1' || d0 > '5' ||
            rd_peek_u8(s, 10) < '0' || rd_peek_u8(s, 10) > '9' || rd_peek_u8(s, 11) < '0' ||
            rd_peek_u8(s, 11) > '9' || (rd_peek_u8(s, 12) != ' ' && rd_peek_u8(s, 12) != '\r'))
            return START_NO;
        return START_RESPONSE;
    }
    if (prefix_of(s, "HTTP/1."))
        return START_PARTIAL;
    for (size_t m = 0; m < NMETHODS; m++) {
        char word[16];
        str_fmt(word, sizeof word, "%s ", http_methods[m]);
        if (prefix_of(s, word))
            return START_PARTIAL;
        if (!peek_eq(s, 0, word))
            continue;
        size_t at = strlen(word);
        uint8_t t0 = rd_peek_u8(s, at);
        if (rd_left(s) > at && t0 != '/' && t0 != '*' && t0 != 'h' && t0 != 'H' &&
            !(m == 8 && t0 > ' ')) /* CONNECT host:port */
            return START_NO;
        long lf = find_lf(s, at, HTTP_LINE_MAX);
        if (lf < 0)
            return rd_left(s) < HTTP_LINE_MAX ? START_PARTIAL : START_NO;
        /* the line ends in " HTTP/1.0" or " HTTP/1.1", then CR LF */
        size_t end = (size_t)lf;
        if (end < at + 10 || rd_peek_u8(s, end - 1) != '\r' || !peek_eq(s, end - 10, " HTTP/1.") ||
            (rd_peek_u8(s, end - 2) != '0' && rd_peek_u8(s, end - 2) != '1'))
            return START_NO;
        return START_REQUEST;
    }
    return START_NO;
}

/* ---- header block ---- */

/* length of the header block including the empty line, 0 if not complete within 'limit' */
static size_t header_end(const struct rd *s, size_t limit)
{
    size_t from = 0;
    for (;;) {
        long lf = find_lf(s, from, limit);
        if (lf < 0)
            return 0;
        size_t line = (size_t)lf - from; /* bytes before LF */
        if (line == 0 || (line == 1 && rd_peek_u8(s, from) == '\r'))
            return (size_t)lf + 1;
        from = (size_t)lf + 1;
    }
}

struct hdr_scan {
    long content_length; /* -1 = none, -2 = invalid */
    bool chunked;
    int status; /* response status, 0 for a request */
};

/* decimal value at 'at' up to CR/LF; -2 when not a plain number */
static long number_at(const struct rd *s, size_t at, size_t end)
{
    long v = 0;
    bool any = false;
    for (size_t i = at; i < end; i++) {
        uint8_t c = rd_peek_u8(s, i);
        if (c == ' ' || c == '\t' || c == '\r')
            continue;
        if (c < '0' || c > '9' || v > 100000000L)
            return -2;
        v = v * 10 + (c - '0');
        any = true;
    }
    return any ? v : -2;
}

/* the framing headers of the block [0, hend) */
static void scan_headers(const struct rd *s, size_t hend, struct hdr_scan *h)
{
    h->content_length = -1;
    h->chunked = false;
    h->status = 0;
    if (peek_eq(s, 0, "HTTP/1."))
        h->status = (rd_peek_u8(s, 9) - '0') * 100 + (rd_peek_u8(s, 10) - '0') * 10 +
                    (rd_peek_u8(s, 11) - '0');
    size_t from = 0;
    for (;;) {
        long lf = find_lf(s, from, hend);
        if (lf < 0)
            return;
        if (peek_ci(s, from, "content-length:"))
            h->content_length = number_at(s, from + 15, (size_t)lf);
        else if (peek_ci(s, from, "transfer-encoding:")) {
            for (size_t i = from + 18; i + 7 <= (size_t)lf; i++)
                if (peek_ci(s, i, "chunked"))
                    h->chunked = true;
        }
        from = (size_t)lf + 1;
    }
}

/* a chunk-size line (RFC 9112 §7.1): hex digits, optional extensions, CRLF.  Returns the
 * chunk's PDU length, FRAME_NEED_MORE, or FRAME_NOT_OURS when this is not a chunk line */
static long chunk_frame(const struct rd *s)
{
    size_t i = 0;
    uint64_t size = 0;
    while (i < rd_left(s) && i < 16 && is_hex(rd_peek_u8(s, i)))
        size = size << 4 | (uint64_t)hexval(rd_peek_u8(s, i++));
    if (i == 0 || i > 8)
        return FRAME_NOT_OURS;
    if (i == rd_left(s))
        return FRAME_NEED_MORE;
    uint8_t c = rd_peek_u8(s, i);
    if (c != '\r' && c != ';' && c != ' ')
        return FRAME_NOT_OURS;
    long lf = find_lf(s, i, 1024);
    if (lf < 0)
        return rd_left(s) < 1024 ? FRAME_NEED_MORE : FRAME_NOT_OURS;
    size_t line = (size_t)lf + 1;
    if (size > 0)
        return (long)(line + size + 2);
    /* last chunk: trailer fields up to an empty line */
    struct rd t = *s;
    rd_skip(&t, line);
    size_t tend = header_end(&t, HTTP_HDR_MAX);
    if (!tend)
        return rd_left(&t) < HTTP_HDR_MAX ? FRAME_NEED_MORE : FRAME_NOT_OURS;
    return (long)(line + tend);
}

static long frame(const struct rd *stream)
{
    size_t left = rd_left(stream);
    /* empty lines between messages (RFC 9112 §2.2 asks to ignore them) */
    size_t blank = 0;
    while (blank < left && (rd_peek_u8(stream, blank) == '\r' || rd_peek_u8(stream, blank) == '\n'))
        blank++;
    if (blank)
        return (long)blank;
    switch (start_line(stream)) {
    case START_PARTIAL:
        return FRAME_NEED_MORE;
    case START_NO: {
        long ch = chunk_frame(stream);
        if (ch != FRAME_NOT_OURS)
            return ch;
        return (long)left; /* body bytes we do not follow, or garbage: opaque */
    }
    default:
        break;
    }
    size_t hend = header_end(stream, HTTP_HDR_MAX);
    if (!hend)
        return left < HTTP_HDR_MAX ? FRAME_NEED_MORE : HTTP_HDR_MAX;
    struct hdr_scan h;
    scan_headers(stream, hend, &h);
    bool no_body = (h.status >= 100 && h.status < 200) || h.status == 204 || h.status == 304;
    if (no_body || h.chunked || h.content_length <= 0 || h.content_length > HTTP_BODY_MAX)
        return (long)hend;
    return (long)hend + h.content_length;
}

/* ---- parse ---- */

static uint32_t fnv1a(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (uint8_t)*s) * 16777619u;
    return h ? h : 1;
}

static void report_once(struct pctx *c, uint32_t *last, enum attr_field f, const char *v,
                        const char *source)
{
    uint32_t h = fnv1a(v);
    if (!v[0] || *last == h)
        return;
    *last = h;
    emit_attr(c, WHO_SRC, f, v, source);
}

/* one header line split into a lower-case name and its value (sanitised, trimmed) */
struct header {
    char name[32];
    char value[512];
};

static bool next_header(struct rd *r, struct header *h)
{
    long lf = find_lf(r, 0, rd_left(r));
    if (lf <= 0 || (lf == 1 && rd_peek_u8(r, 0) == '\r'))
        return false;
    size_t n = (size_t)lf, colon = 0;
    while (colon < n && rd_peek_u8(r, colon) != ':')
        colon++;
    if (colon == n || colon >= sizeof h->name) {
        h->name[0] = 0;
        h->value[0] = 0;
        rd_skip(r, n + 1);
        return true;
    }
    for (size_t i = 0; i < colon; i++) {
        uint8_t ch = rd_peek_u8(r, i);
        h->name[i] = (char)(ch >= 'A' && ch <= 'Z' ? ch | 0x20 : ch);
    }
    h->name[colon] = 0;
    rd_skip(r, colon + 1);
    size_t vlen = n - colon - 1;
    if (vlen && rd_peek_u8(r, vlen - 1) == '\r')
        vlen--;
    rd_str(r, vlen, h->value, sizeof h->value);
    rd_skip(r, rd_peek_u8(r, 0) == '\r' ? 2 : 1);
    return true;
}

/* base64 (RFC 4648 §4) of "user:password": the user only; the buffer is wiped */
static void basic_user(const char *b64, char *user, size_t usersz)
{
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    uint8_t out[192];
    size_t o = 0;
    uint32_t acc = 0;
    int bits = 0;
    for (const char *p = b64; *p && *p != '=' && o < sizeof out; p++) {
        const char *q = strchr(alphabet, *p);
        if (!q || !*p)
            break;
        acc = acc << 6 | (uint32_t)(q - alphabet);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (uint8_t)(acc >> bits);
        }
    }
    size_t ulen = 0;
    while (ulen < o && out[ulen] != ':')
        ulen++;
    str_sanitize(user, usersz, out, ulen);
    memset(out, 0, sizeof out);
}

static bool ip_literal(const char *host)
{
    if (host[0] == '[')
        return true;
    for (const char *p = host; *p && *p != ':'; p++)
        if ((*p < '0' || *p > '9') && *p != '.')
            return false;
    return true;
}

/* application/x-www-form-urlencoded (WHATWG URL §5): a password field, and a user field */
static bool form_field_is(const char *name, const char *const *names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strstr(name, names[i]))
            return true;
    return false;
}

static void url_decode(const char *in, size_t n, char *out, size_t outsz)
{
    uint8_t tmp[128];
    size_t o = 0;
    for (size_t i = 0; i < n && o < sizeof tmp; i++) {
        if (in[i] == '+')
            tmp[o++] = ' ';
        else if (in[i] == '%' && i + 2 < n && is_hex((uint8_t)in[i + 1]) &&
                 is_hex((uint8_t)in[i + 2])) {
            tmp[o++] = (uint8_t)(hexval((uint8_t)in[i + 1]) << 4 | hexval((uint8_t)in[i + 2]));
            i += 2;
        } else
            tmp[o++] = (uint8_t)in[i];
    }
    str_sanitize(out, outsz, tmp, o);
}

/* true when the form has a password field; the user name (if any) in 'user' */
static bool login_form(struct rd *body, char *user, size_t usersz)
{
    static const char *const pass_names[] = {"pass", "pwd"};
    static const char *const user_names[] = {"user", "login", "uname", "usr", "account"};
    char form[2048];
    size_t n = rd_left(body) < sizeof form - 1 ? rd_left(body) : sizeof form - 1;
    rd_bytes(body, form, n);
    form[n] = 0;
    bool pass = false;
    user[0] = 0;
    for (char *f = form, *next; f && *f; f = next) {
        next = strchr(f, '&');
        if (next)
            *next++ = 0;
        char *eq = strchr(f, '=');
        if (!eq)
            continue;
        *eq = 0;
        char name[48];
        size_t k = 0;
        for (; f[k] && k + 1 < sizeof name; k++)
            name[k] = (char)(f[k] >= 'A' && f[k] <= 'Z' ? f[k] | 0x20 : f[k]);
        name[k] = 0;
        if (form_field_is(name, pass_names, 2))
            pass = true;
        else if (!user[0] && form_field_is(name, user_names, 5))
            url_decode(eq + 1, strlen(eq + 1), user, usersz);
    }
    memset(form, 0, sizeof form);
    return pass;
}

struct request {
    char method[12];
    char path[HTTP_TARGET_KEEP + 8];
    char auth_scheme[16];
    char user[64];
    bool form, basic_ok;
};

static void set_pending(struct http_state *s, enum op_kind k, const char *fn, const char *target)
{
    s->pend = 1;
    s->pend_kind = (uint8_t)k;
    str_copy(s->pend_fn, sizeof s->pend_fn, fn);
    str_copy(s->pend_target, sizeof s->pend_target, target);
}

/* Credentials are a finding on every request that carries new ones (browsers resend Basic
 * credentials with each request, so each distinct user is reported once per flow).  The first
 * authenticated request of a flow is a login operation; a write is a configuration write
 * whether or not it carries credentials; any of them refused with 401/403 gets that result. */
static void request_ops(struct pctx *c, struct http_state *s, const struct request *q,
                        bool has_password)
{
    char fn[40], detail[160];
    const char *target = q->path[0] ? q->path : NULL;
    bool write = !strcmp(q->method, "POST") || !strcmp(q->method, "PUT") ||
                 !strcmp(q->method, "PATCH") || !strcmp(q->method, "DELETE");
    s->pend = 0;
    if (has_password) {
        str_fmt(detail, sizeof detail,
                 q->user[0] ? "http form login user %s" : "http form login (password field)%s",
                 q->user);
        emit_finding(c, WHO_CLIENT, "cleartext-credentials", detail);
        emit_op(c, OP_AUTH, "form login", target, NULL);
        set_pending(s, OP_AUTH, "form login", q->path);
        return;
    }
    if (q->auth_scheme[0]) {
        if (!strcmp(q->auth_scheme, "basic"))
            str_fmt(detail, sizeof detail, "http basic auth user %s",
                     q->user[0] ? q->user : "(empty)");
        else if (!strcmp(q->auth_scheme, "bearer"))
            str_fmt(detail, sizeof detail, "http bearer token");
        else
            detail[0] = 0; /* digest, NTLM, negotiate: no secret in clear */
        uint32_t h = fnv1a(detail[0] ? detail : q->auth_scheme);
        if (h != s->h_auth) {
            s->h_auth = h;
            if (detail[0])
                emit_finding(c, WHO_CLIENT, "cleartext-credentials", detail);
            if (!write) {
                str_fmt(fn, sizeof fn, "%s auth", q->auth_scheme);
                emit_op(c, OP_AUTH, fn, target, NULL);
            }
        }
        str_fmt(fn, sizeof fn, "%s auth", q->auth_scheme);
        set_pending(s, OP_AUTH, fn, q->path);
    }
    if (write) {
        emit_op(c, OP_CONFIG_WRITE, q->method, target, NULL);
        set_pending(s, OP_CONFIG_WRITE, q->method, q->path);
    }
}

/* "GET /path?query HTTP/1.1": method and path (the query is never kept: it can hold secrets) */
static void request_line(struct rd *r, struct request *q)
{
    long lf = find_lf(r, 0, rd_left(r));
    size_t n = lf < 0 ? rd_left(r) : (size_t)lf + 1;
    char line[HTTP_TARGET_KEEP * 2 + 48];
    size_t k = n < sizeof line - 1 ? n : sizeof line - 1;
    struct rd l = rd_sub(r, n);
    rd_str(&l, k, line, sizeof line);
    char *sp = strchr(line, ' ');
    if (!sp)
        return;
    *sp = 0;
    str_copy(q->method, sizeof q->method, line);
    char *path = sp + 1;
    path[strcspn(path, " ?#")] = 0;
    if (strlen(path) > HTTP_TARGET_KEEP)
        memcpy(path + HTTP_TARGET_KEEP - 3, "...", 4);
    str_copy(q->path, sizeof q->path, path);
}

static void parse_request(struct pctx *c, struct http_state *s, struct rd *r)
{
    static const char src[] = "http request";
    struct request q;
    memset(&q, 0, sizeof q);
    request_line(r, &q);
    struct header h;
    bool urlencoded = false;
    while (next_header(r, &h)) {
        if (!strcmp(h.name, "user-agent")) {
            report_once(c, &s->h_ua, F_USER_AGENT, h.value, src);
        } else if (!strcmp(h.name, "host")) {
            if (!ip_literal(h.value))
                report_once(c, &s->h_host, F_HTTP_HOST, h.value, src);
        } else if (!strcmp(h.name, "authorization")) {
            char scheme[16];
            size_t k = strcspn(h.value, " ");
            str_fmt(scheme, sizeof scheme, "%.*s", (int)(k < 15 ? k : 15), h.value);
            for (char *p = scheme; *p; p++)
                *p = (char)(*p >= 'A' && *p <= 'Z' ? *p | 0x20 : *p);
            str_copy(q.auth_scheme, sizeof q.auth_scheme, scheme);
            if (!strcmp(scheme, "basic"))
                basic_user(h.value + k + (h.value[k] ? 1 : 0), q.user, sizeof q.user);
            memset(h.value, 0, sizeof h.value);
        } else if (!strcmp(h.name, "content-type")) {
            urlencoded = strstr(h.value, "x-www-form-urlencoded") != NULL;
        }
    }
    /* the body, when it was framed with the message */
    rd_skip(r, rd_peek_u8(r, 0) == '\r' ? 2 : 1);
    char form_user[64];
    bool pw = urlencoded && rd_left(r) && login_form(r, form_user, sizeof form_user);
    if (pw && !q.auth_scheme[0])
        str_copy(q.user, sizeof q.user, form_user);
    request_ops(c, s, &q, pw);
}

static void parse_response(struct pctx *c, struct http_state *s, struct rd *r)
{
    static const char src[] = "http response";
    long lf = find_lf(r, 0, rd_left(r));
    size_t n = lf < 0 ? rd_left(r) : (size_t)lf + 1;
    char line[128];
    struct rd l = rd_sub(r, n);
    size_t k = n;
    while (k && (rd_peek_u8(&l, k - 1) == '\n' || rd_peek_u8(&l, k - 1) == '\r'))
        k--;
    rd_str(&l, k < sizeof line - 1 ? k : sizeof line - 1, line, sizeof line);
    int status = atoi(line + 9);
    struct header h;
    while (next_header(r, &h))
        if (!strcmp(h.name, "server"))
            report_once(c, &s->h_server, F_HTTP_SERVER, h.value, src);
    if (s->pend && status >= 200) {
        s->pend = 0;
        if (status >= 400)
            emit_op(c, (enum op_kind)s->pend_kind, s->pend_fn,
                    s->pend_target[0] ? s->pend_target : NULL, line + 9);
    }
}

static void parse(struct pctx *c, void *state, int dir, struct rd *pdu)
{
    (void)dir;
    struct http_state *s = state;
    if (!s)
        return;
    enum start st = start_line(pdu);
    if (st != START_REQUEST && st != START_RESPONSE)
        return; /* a chunk or opaque body bytes */
    if (!s->insecure_done) {
        s->insecure_done = 1;
        emit_finding(c, WHO_SERVER, "insecure-protocol", "plain http web server");
    }
    if (!header_end(pdu, rd_left(pdu)))
        emit_malformed(c, "http: header block over 16 KiB"); /* parsed as far as it goes */
    if (st == START_REQUEST)
        parse_request(c, s, pdu);
    else
        parse_response(c, s, pdu);
}

/* a complete request line or status line in the first payload */
static bool probe(const struct rd *payload, uint8_t l4)
{
    if (l4 != L4_TCP)
        return false;
    enum start st = start_line(payload);
    if (st == START_RESPONSE)
        return find_lf(payload, 0, 256) > 0;
    return st == START_REQUEST;
}

const struct dissector dissector_http = {
    .name = "http",
    .proto = PROTO_HTTP,
    .tcp_ports = {HTTP_PORT, HTTP_ALT_PORT, HTTP_PORT_8000, HTTP_PORT_8081},
    .probe = probe,
    .state_size = sizeof(struct http_state),
    .frame = frame,
    .parse = parse,
};
