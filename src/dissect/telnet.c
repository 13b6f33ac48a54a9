/* telnet.c - Telnet (RFC 854/855) on tcp/23.  Telnet has no message boundaries: each delivery
 * of bytes is one PDU, option negotiation (IAC ...) is stripped with a small per-direction
 * state machine that survives segment boundaries, and the server's text is read line by line
 * for a banner and for login/password prompts.  What a client types after a password prompt
 * is a credential in clear: it is reported as a finding and never looked at, let alone kept. */
#include <stdio.h>
#include <string.h>

#include "dissect/dissect.h"
#include "util/str.h"

#define TELNET_PORT 23
#define TELNET_LINE 96 /* server text kept for prompt and banner detection */

/* RFC 854 command codes */
#define IAC  255
#define DONT 254
#define DO   253
#define WONT 252
#define WILL 251
#define SB   250
#define SE   240

enum iac_state { IS_DATA, IS_IAC, IS_OPT, IS_SB, IS_SB_IAC };
enum prompt { PROMPT_NONE, PROMPT_USER, PROMPT_PASSWORD };

struct telnet_state {
    uint8_t iac[2]; /* enum iac_state per direction */
    uint8_t service_done, banner_done, cred_done, login_done, prompted;
    uint8_t prompt; /* the prompt the server's current line shows (enum prompt) */
    uint8_t line_len;
    char line[TELNET_LINE]; /* the server's current text line */
};
_Static_assert(sizeof(struct telnet_state) <= DISSECT_STATE_MAX, "telnet state too large");

/* strip IAC sequences from r into out (application bytes only); returns their count */
static size_t strip_iac(uint8_t *st, struct rd *r, uint8_t *out, size_t cap)
{
    size_t n = 0;
    while (rd_left(r) && n < cap) {
        uint8_t b = rd_u8(r);
        switch (*st) {
        case IS_DATA:
            if (b == IAC)
                *st = IS_IAC;
            else
                out[n++] = b;
            break;
        case IS_IAC:
            if (b == IAC) {
                out[n++] = b; /* an escaped 255 */
                *st = IS_DATA;
            } else if (b >= WILL && b <= DONT) {
                *st = IS_OPT;
            } else if (b == SB) {
                *st = IS_SB;
            } else {
                *st = IS_DATA; /* a two-byte command (NOP, GA, AYT, ...) */
            }
            break;
        case IS_OPT:
            *st = IS_DATA;
            break;
        case IS_SB:
            if (b == IAC)
                *st = IS_SB_IAC;
            break;
        default: /* IS_SB_IAC */
            *st = b == SE ? IS_DATA : IS_SB;
            break;
        }
    }
    return n;
}

static bool ends_with_ci(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    if (n < k)
        return false;
    for (size_t i = 0; i < k; i++) {
        char a = s[n - k + i];
        if (a >= 'A' && a <= 'Z')
            a = (char)(a | 0x20);
        if (a != suffix[i])
            return false;
    }
    return true;
}

/* the server's current line, trimmed: a login or password prompt? */
static enum prompt prompt_of(const char *line)
{
    char t[TELNET_LINE + 1];
    str_copy(t, sizeof t, line);
    size_t n = strlen(t);
    while (n && (t[n - 1] == ' ' || t[n - 1] == '\t'))
        t[--n] = 0;
    if (ends_with_ci(t, "password:") || ends_with_ci(t, "passcode:") ||
        ends_with_ci(t, "password :"))
        return PROMPT_PASSWORD;
    if (ends_with_ci(t, "login:") || ends_with_ci(t, "username:") ||
        ends_with_ci(t, "user name:") || ends_with_ci(t, "user:") || ends_with_ci(t, "login :"))
        return PROMPT_USER;
    return PROMPT_NONE;
}

/* a completed server line: the first non-empty one that is not a prompt is the banner */
static void server_line(struct pctx *c, struct telnet_state *s)
{
    char text[TELNET_LINE * 4 + 1];
    str_sanitize(text, sizeof text, (const uint8_t *)s->line, s->line_len);
    s->line_len = 0;
    if (!text[0] || s->banner_done || s->prompted || prompt_of(text) != PROMPT_NONE)
        return;
    s->banner_done = 1;
    emit_attr(c, WHO_SRC, F_TELNET_BANNER, text, "telnet server greeting");
}

static void server_text(struct pctx *c, struct telnet_state *s, const uint8_t *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (b[i] == '\n' || b[i] == '\r') {
            if (s->line_len)
                server_line(c, s);
            continue;
        }
        if (b[i] == 0)
            continue;
        if (s->line_len < TELNET_LINE - 1)
            s->line[s->line_len++] = (char)b[i];
    }
    /* a prompt is the unfinished last line */
    char t[TELNET_LINE];
    memcpy(t, s->line, s->line_len);
    t[s->line_len] = 0;
    s->prompt = (uint8_t)prompt_of(t);
    if (s->prompt != PROMPT_NONE)
        s->prompted = 1;
}

static void client_text(struct pctx *c, struct telnet_state *s, size_t n)
{
    if (!n)
        return;
    if (s->prompt != PROMPT_NONE && !s->login_done) {
        s->login_done = 1;
        emit_op(c, OP_AUTH, "telnet login", NULL, NULL);
    }
    if (s->prompt == PROMPT_PASSWORD && !s->cred_done) {
        s->cred_done = 1;
        emit_finding(c, WHO_CLIENT, "cleartext-credentials",
                     "telnet login (password typed in clear)");
    }
}

static void parse(struct pctx *c, void *state, int dir, struct rd *pdu)
{
    struct telnet_state *s = state;
    if (!s)
        return;
    if (!s->service_done) {
        s->service_done = 1;
        emit_finding(c, WHO_SERVER, "insecure-protocol", "telnet service");
    }
    uint8_t buf[512];
    while (rd_left(pdu)) {
        size_t n = strip_iac(&s->iac[dir & 1], pdu, buf, sizeof buf);
        if (dir == 1)
            server_text(c, s, buf, n);
        else
            client_text(c, s, n);
    }
}

static void gap(void *state, int dir)
{
    struct telnet_state *s = state;
    s->iac[dir & 1] = IS_DATA;
    if (dir == 1)
        s->line_len = 0;
}

/* every PDU is what has arrived: Telnet has no framing */
static long frame(const struct rd *stream)
{
    return (long)rd_left(stream);
}

/* a first payload made only of option negotiation: IAC WILL/WONT/DO/DONT opt triples */
static bool probe(const struct rd *payload, uint8_t l4)
{
    size_t n = rd_left(payload);
    if (l4 != L4_TCP || n < 3 || n % 3 || n > 60)
        return false;
    for (size_t i = 0; i < n; i += 3) {
        uint8_t cmd = rd_peek_u8(payload, i + 1);
        if (rd_peek_u8(payload, i) != IAC || cmd < WILL || cmd > DONT ||
            rd_peek_u8(payload, i + 2) > 50)
            return false;
    }
    return true;
}

const struct dissector dissector_telnet = {
    .name = "telnet",
    .proto = PROTO_TELNET,
    .tcp_ports = {TELNET_PORT},
    .probe = probe,
    .state_size = sizeof(struct telnet_state),
    .frame = frame,
    .parse = parse,
    .gap = gap,
};
