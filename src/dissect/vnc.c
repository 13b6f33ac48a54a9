/* vnc.c - the RFB handshake of VNC (RFC 6143 §7.1-7.3) on tcp/5900-5903.  RFB has no length
 * fields until the session runs, so each delivery of bytes is one PDU and a per-direction
 * phase says which handshake message comes next; once both sides are past the handshake
 * (or it goes somewhere we do not follow, such as TLS security types) the rest is ignored.
 * Remote access to a plant asset is a finding; no authentication (security type None) too. */
#include <stdio.h>
#include <string.h>

#include "dissect/dissect.h"
#include "util/str.h"

#define VNC_PORT 5900

/* security types (RFC 6143 §7.2 and the IANA RFB registry) */
#define SEC_INVALID 0
#define SEC_NONE    1
#define SEC_VNC     2

/* SV_WAIT / CL_WAIT: the next message depends on what the other side says first */
enum server_phase { SV_VERSION, SV_TYPES, SV_WAIT, SV_CHALLENGE, SV_RESULT, SV_INIT, SV_DONE };
enum client_phase { CL_VERSION, CL_WAIT, CL_TYPE, CL_RESPONSE, CL_INIT, CL_DONE };

struct vnc_state {
    uint8_t sphase, cphase;
    uint8_t minor;   /* negotiated 3.x: the lower of both versions */
    uint8_t sectype; /* chosen (3.7+) or imposed (3.3) security type, 0 = not yet */
    uint8_t remote_done, none_done;
};
_Static_assert(sizeof(struct vnc_state) <= DISSECT_STATE_MAX, "vnc state too large");

static const char *sectype_name(uint8_t t)
{
    switch (t) {
    case SEC_NONE:
        return "none";
    case SEC_VNC:
        return "VNC authentication";
    case 5:
        return "RA2";
    case 6:
        return "RA2ne";
    case 16:
        return "Tight";
    case 17:
        return "Ultra";
    case 18:
        return "TLS";
    case 19:
        return "VeNCrypt";
    case 20:
        return "SASL";
    case 30:
        return "Apple remote desktop";
    default:
        return "other";
    }
}

/* "RFB 003.008\n" (§7.1.1): the minor version, or -1 */
static int version(struct pctx *c, struct rd *r, const char *source)
{
    char v[16];
    if (rd_left(r) < 12 || !rd_match(r, "RFB ", 4) || rd_peek_u8(r, 11) != '\n')
        return -1;
    rd_str(r, 11, v, sizeof v);
    rd_skip(r, 1);
    unsigned maj = 0, min = 0;
    if (sscanf(v, "RFB %3u.%3u", &maj, &min) != 2)
        return -1;
    char text[24];
    str_fmt(text, sizeof text, "RFB %u.%u", maj, min);
    emit_attr_raw(c, WHO_SRC, F_PROTOCOL_VERSION, text, v, source);
    return maj == 3 ? (int)min : 8; /* later majors speak at least 3.8 */
}

static void no_auth(struct pctx *c, struct vnc_state *s)
{
    if (s->none_done)
        return;
    s->none_done = 1;
    emit_finding(c, WHO_SERVER, "insecure-protocol",
                 "vnc without authentication (security type None)");
}

/* the op a security type choice stands for */
static void choice_op(struct pctx *c, uint8_t type, const char *result)
{
    char target[48];
    str_fmt(target, sizeof target, "security type %u (%s)", type, sectype_name(type));
    if (type == SEC_NONE)
        emit_op(c, OP_SESSION, "vnc session", target, result);
    else
        emit_op(c, OP_AUTH, "vnc authentication", target, result);
}

/* what follows a chosen security type, for both sides */
static void after_type(struct vnc_state *s)
{
    if (s->sectype == SEC_VNC) {
        s->sphase = SV_CHALLENGE;
        s->cphase = CL_RESPONSE;
    } else if (s->sectype == SEC_NONE) {
        s->sphase = s->minor >= 8 ? SV_RESULT : SV_INIT;
        s->cphase = CL_INIT;
    } else {
        s->sphase = SV_DONE; /* a type we do not follow */
        s->cphase = CL_DONE;
    }
}

static void server(struct pctx *c, struct vnc_state *s, struct rd *r)
{
    while (rd_left(r) && s->sphase != SV_DONE) {
        switch (s->sphase) {
        case SV_VERSION: {
            int minor = version(c, r, "vnc server version");
            if (minor < 0) {
                emit_malformed(c, "vnc: bad server version");
                s->sphase = SV_DONE;
                return;
            }
            s->minor = (uint8_t)minor;
            s->sphase = SV_TYPES;
            break;
        }
        case SV_TYPES:
            if (s->minor < 7) { /* 3.3: the server decides (§7.2, 3.3 note) */
                uint32_t t = rd_be32(r);
                if (!rd_ok(r) || t > 255) {
                    s->sphase = SV_DONE;
                    return;
                }
                s->sectype = (uint8_t)t;
                if (t == SEC_NONE)
                    no_auth(c, s);
                if (t == SEC_INVALID) {
                    s->sphase = SV_DONE;
                    return;
                }
                choice_op(c, s->sectype, NULL);
                after_type(s);
                if (t == SEC_NONE)
                    s->sphase = SV_INIT; /* 3.3 sends no SecurityResult for None */
                break;
            }
            {
                uint8_t n = rd_u8(r);
                for (uint8_t i = 0; i < n && rd_left(r); i++)
                    if (rd_u8(r) == SEC_NONE)
                        no_auth(c, s);
                s->sphase = n ? SV_WAIT : SV_DONE; /* n = 0: a failure reason follows */
                return;
            }
        case SV_CHALLENGE:
            rd_skip(r, 16);
            s->sphase = SV_RESULT;
            break;
        case SV_RESULT: {
            uint32_t res = rd_be32(r);
            if (!rd_ok(r))
                return;
            if (res != 0) {
                char why[96] = "failed";
                uint32_t n = rd_be32(r);
                if (rd_ok(r) && n && n <= rd_left(r) && s->minor >= 8) {
                    char reason[80];
                    rd_str(r, n, reason, sizeof reason);
                    str_fmt(why, sizeof why, "failed: %s", reason);
                }
                choice_op(c, s->sectype, why);
                s->sphase = SV_DONE;
                return;
            }
            s->sphase = SV_INIT;
            break;
        }
        case SV_INIT: {
            /* ServerInit (§7.3.2): size, pixel format, name */
            rd_skip(r, 2 + 2 + 16);
            uint32_t n = rd_be32(r);
            if (rd_ok(r) && n <= rd_left(r)) {
                char name[128];
                rd_str(r, n, name, sizeof name);
                emit_attr(c, WHO_SRC, F_DESCRIPTION, name, "vnc server init");
            }
            s->sphase = SV_DONE;
            return;
        }
        default: /* SV_WAIT: the client's choice comes first */
            return;
        }
    }
}

static void client(struct pctx *c, struct vnc_state *s, struct rd *r)
{
    while (rd_left(r) && s->cphase != CL_DONE) {
        switch (s->cphase) {
        case CL_VERSION: {
            int minor = version(c, r, "vnc client version");
            if (minor < 0) {
                emit_malformed(c, "vnc: bad client version");
                s->cphase = CL_DONE;
                return;
            }
            if (minor < s->minor || !s->minor)
                s->minor = (uint8_t)minor;
            /* 3.3: the server imposes the type, and the client waits for it */
            s->cphase = s->minor >= 7 ? CL_TYPE : CL_WAIT;
            break;
        }
        case CL_TYPE:
            s->sectype = rd_u8(r);
            choice_op(c, s->sectype, NULL);
            after_type(s);
            break;
        case CL_RESPONSE:
            rd_skip(r, 16);
            s->cphase = CL_INIT;
            break;
        case CL_WAIT:
            return;
        default: /* ClientInit: the shared flag, then normal messages */
            rd_skip(r, 1);
            s->cphase = CL_DONE;
            return;
        }
    }
}

static void parse(struct pctx *c, void *state, int dir, struct rd *pdu)
{
    struct vnc_state *s = state;
    if (!s)
        return;
    if (!s->remote_done) {
        s->remote_done = 1;
        emit_finding(c, WHO_SERVER, "insecure-protocol", "remote access: vnc");
    }
    if (dir == 1)
        server(c, s, pdu);
    else
        client(c, s, pdu);
}

static void gap(void *state, int dir)
{
    struct vnc_state *s = state;
    (void)dir;
    s->sphase = SV_DONE;
    s->cphase = CL_DONE;
}

static long frame(const struct rd *stream)
{
    return (long)rd_left(stream);
}

/* "RFB 003.00x\n" alone in a first payload */
static bool probe(const struct rd *payload, uint8_t l4)
{
    return l4 == L4_TCP && rd_left(payload) == 12 && rd_match(payload, "RFB 00", 6) &&
           rd_peek_u8(payload, 7) == '.' && rd_peek_u8(payload, 11) == '\n';
}

const struct dissector dissector_vnc = {
    .name = "vnc",
    .proto = PROTO_VNC,
    .tcp_ports = {VNC_PORT, VNC_PORT + 1, VNC_PORT + 2, VNC_PORT + 3},
    .probe = probe,
    .state_size = sizeof(struct vnc_state),
    .frame = frame,
    .parse = parse,
    .gap = gap,
};
