/* ftp.c - the FTP control connection (RFC 959) on tcp/21: commands and replies are CRLF lines.
 * Identity: the 220 greeting.  USER/PASS in clear is a finding that names the user and never
 * the password; file transfers and deletions are operations, and an error reply (4xx/5xx) to
 * one becomes that operation's result.  After AUTH TLS (RFC 4217) is accepted the channel is
 * encrypted and is ignored. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dissect/dissect.h"
#include "util/str.h"

#define FTP_PORT     21
#define FTP_LINE_MAX 2048 /* longer "lines" are opaque (e.g. TLS after AUTH TLS) */

struct ftp_state {
    uint8_t service_done, banner_done, tls, auth_tls_pending;
    uint8_t pend, pend_kind; /* the last command that is an operation */
    char pend_fn[24];
    char pend_target[128];
    char user[64]; /* from USER, for the finding at PASS (a user name is not a secret) */
};
_Static_assert(sizeof(struct ftp_state) <= DISSECT_STATE_MAX, "ftp state too large");

/* commands that are operations (RFC 959 §4.1.3, RFC 3659) */
static const struct {
    const char *cmd;
    enum op_kind kind;
    const char *fn;
} ftp_ops[] = {
    {"RETR", OP_FILE_TRANSFER, "retrieve (RETR)"},
    {"STOR", OP_FILE_TRANSFER, "store (STOR)"},
    {"STOU", OP_FILE_TRANSFER, "store unique (STOU)"},
    {"APPE", OP_FILE_TRANSFER, "append (APPE)"},
    {"DELE", OP_FILE_TRANSFER, "delete (DELE)"},
    {"RNFR", OP_FILE_TRANSFER, "rename from (RNFR)"},
    {"RNTO", OP_FILE_TRANSFER, "rename to (RNTO)"},
    {"MKD", OP_FILE_TRANSFER, "make directory (MKD)"},
    {"RMD", OP_FILE_TRANSFER, "remove directory (RMD)"},
    {"SITE", OP_COMMAND, "site command (SITE)"},
};

static long frame(const struct rd *stream)
{
    size_t left = rd_left(stream), n = left < FTP_LINE_MAX ? left : FTP_LINE_MAX;
    for (size_t i = 0; i < n; i++)
        if (rd_peek_u8(stream, i) == '\n')
            return (long)i + 1;
    return left < FTP_LINE_MAX ? FRAME_NEED_MORE : (long)left;
}

/* the line without CR LF as sanitised text */
static void line_text(struct rd *pdu, char *dst, size_t dstsz)
{
    size_t n = rd_left(pdu);
    while (n && (rd_peek_u8(pdu, n - 1) == '\n' || rd_peek_u8(pdu, n - 1) == '\r'))
        n--;
    rd_str(pdu, n, dst, dstsz);
}

static void set_pending(struct ftp_state *s, enum op_kind k, const char *fn, const char *target)
{
    s->pend = 1;
    s->pend_kind = (uint8_t)k;
    str_copy(s->pend_fn, sizeof s->pend_fn, fn);
    str_copy(s->pend_target, sizeof s->pend_target, target ? target : "");
}

static void command(struct pctx *c, struct ftp_state *s, char *line)
{
    char verb[8];
    size_t k = strcspn(line, " ");
    if (k == 0 || k >= sizeof verb)
        return;
    for (size_t i = 0; i < k; i++)
        verb[i] = (char)(line[i] >= 'a' && line[i] <= 'z' ? line[i] - 32 : line[i]);
    verb[k] = 0;
    char *arg = line + k;
    while (*arg == ' ')
        arg++;
    s->pend = 0;
    if (!strcmp(verb, "USER")) {
        str_copy(s->user, sizeof s->user, arg);
        emit_op(c, OP_AUTH, "login (USER/PASS)", NULL, NULL);
        set_pending(s, OP_AUTH, "login (USER/PASS)", NULL);
        return;
    }
    if (!strcmp(verb, "PASS")) {
        memset(line, 0, strlen(line)); /* the password goes no further */
        char detail[96];
        str_fmt(detail, sizeof detail, "ftp login user %s", s->user[0] ? s->user : "(none)");
        emit_finding(c, WHO_CLIENT, "cleartext-credentials", detail);
        set_pending(s, OP_AUTH, "login (USER/PASS)", NULL);
        return;
    }
    if (!strcmp(verb, "AUTH")) {
        s->auth_tls_pending = 1;
        return;
    }
    for (size_t i = 0; i < sizeof ftp_ops / sizeof *ftp_ops; i++) {
        if (strcmp(verb, ftp_ops[i].cmd) != 0)
            continue;
        const char *target = *arg ? arg : NULL;
        char sub[32];
        if (ftp_ops[i].kind == OP_COMMAND && target) {
            /* SITE: the sub-command only, its arguments may be anything */
            str_fmt(sub, sizeof sub, "%.*s", (int)strcspn(target, " "), target);
            target = sub;
        }
        emit_op(c, ftp_ops[i].kind, ftp_ops[i].fn, target, NULL);
        set_pending(s, ftp_ops[i].kind, ftp_ops[i].fn, target);
        return;
    }
}

static void reply(struct pctx *c, struct ftp_state *s, const char *line)
{
    if (strlen(line) < 3 || line[0] < '1' || line[0] > '6')
        return;
    int code = atoi(line);
    bool last = line[3] != '-'; /* "220-" starts a multi-line reply (§4.2) */
    if (code == 220 && !s->banner_done) {
        s->banner_done = 1;
        const char *text = line + 3;
        while (*text == ' ' || *text == '-')
            text++;
        emit_attr(c, WHO_SRC, F_FTP_BANNER, text, "ftp greeting (220)");
    }
    if (s->auth_tls_pending && last) {
        s->auth_tls_pending = 0;
        if (code == 234) /* AUTH accepted: TLS starts now */
            s->tls = 1;
    }
    if (!last || !s->pend || code < 200)
        return;
    s->pend = 0;
    if (code >= 400)
        emit_op(c, (enum op_kind)s->pend_kind, s->pend_fn,
                s->pend_target[0] ? s->pend_target : NULL, line);
}

static void parse(struct pctx *c, void *state, int dir, struct rd *pdu)
{
    struct ftp_state *s = state;
    if (!s)
        return;
    if (!s->service_done) {
        s->service_done = 1;
        emit_finding(c, WHO_SERVER, "insecure-protocol", "ftp service");
    }
    if (s->tls)
        return;
    char line[256];
    line_text(pdu, line, sizeof line);
    if (dir == 0)
        command(c, s, line);
    else
        reply(c, s, line);
}

static void gap(void *state, int dir)
{
    struct ftp_state *s = state;
    (void)dir;
    s->pend = 0;
}

/* a first payload that is one 220 greeting line naming FTP (and not SMTP, whose greeting is
 * also a 220 line) */
static bool probe(const struct rd *payload, uint8_t l4)
{
    if (l4 != L4_TCP || !(rd_match(payload, "220 ", 4) || rd_match(payload, "220-", 4)))
        return false;
    size_t n = rd_left(payload) < 512 ? rd_left(payload) : 512;
    bool ftp = false;
    for (size_t i = 4; i < n; i++) {
        uint8_t b = rd_peek_u8(payload, i);
        if (b == '\n')
            return ftp && rd_peek_u8(payload, i - 1) == '\r';
        if (b < 0x20 && b != '\r' && b != '\t')
            return false;
        if ((b | 0x20) == 's' && (rd_peek_u8(payload, i + 1) | 0x20) == 'm' &&
            (rd_peek_u8(payload, i + 2) | 0x20) == 't' &&
            (rd_peek_u8(payload, i + 3) | 0x20) == 'p')
            return false;
        if ((b | 0x20) == 'f' && (rd_peek_u8(payload, i + 1) | 0x20) == 't' &&
            (rd_peek_u8(payload, i + 2) | 0x20) == 'p')
            ftp = true;
    }
    return false;
}

const struct dissector dissector_ftp = {
    .name = "ftp",
    .proto = PROTO_FTP,
    .tcp_ports = {FTP_PORT},
    .probe = probe,
    .state_size = sizeof(struct ftp_state),
    .frame = frame,
    .parse = parse,
    .gap = gap,
};
