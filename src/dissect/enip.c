/* enip.c - EtherNet/IP encapsulation (ODVA "The CIP Networks Library" Vol. 2, chapter 2) on
 * tcp/udp 44818 and CIP class 0/1 I/O on udp 2222.  The 24-byte little-endian header frames
 * every PDU; List Identity replies (often to a UDP broadcast) state the replying host's identity,
 * and SendRRData/SendUnitData carry CIP messages, decoded by cip.c. */
#include <stdio.h>
#include <string.h>

#include "dissect/cip.h"
#include "dissect/dissect.h"
#include "util/str.h"

#define ENIP_PORT      44818
#define ENIP_IO_PORT   2222
#define ENIP_HDR_LEN   24
#define ENIP_ITEMS_MAX 16 /* common packet format items looked at */

/* encapsulation commands (Vol. 2 §2-3.2) */
enum {
    ENIP_NOP = 0x0000,
    ENIP_LIST_SERVICES = 0x0004,
    ENIP_LIST_IDENTITY = 0x0063,
    ENIP_LIST_INTERFACES = 0x0064,
    ENIP_REGISTER_SESSION = 0x0065,
    ENIP_UNREGISTER_SESSION = 0x0066,
    ENIP_SEND_RR_DATA = 0x006f,
    ENIP_SEND_UNIT_DATA = 0x0070,
    ENIP_INDICATE_STATUS = 0x0072,
    ENIP_CANCEL = 0x0073,
};

/* common packet format item types (Vol. 2 §2-6) */
enum {
    CPF_NULL_ADDRESS = 0x0000,
    CPF_LIST_IDENTITY = 0x000c,
    CPF_CONNECTED_ADDRESS = 0x00a1,
    CPF_CONNECTED_DATA = 0x00b1,
    CPF_UNCONNECTED_DATA = 0x00b2,
    CPF_LIST_SERVICES = 0x0100,
    CPF_SOCKADDR_OT = 0x8000,
    CPF_SOCKADDR_TO = 0x8001,
    CPF_SEQUENCED_ADDRESS = 0x8002,
};

struct enip_state {
    struct cip_flow cip;
};
_Static_assert(sizeof(struct enip_state) <= DISSECT_STATE_MAX, "enip state too large");

static bool enip_command_known(uint16_t cmd)
{
    switch (cmd) {
    case ENIP_NOP:
    case ENIP_LIST_SERVICES:
    case ENIP_LIST_IDENTITY:
    case ENIP_LIST_INTERFACES:
    case ENIP_REGISTER_SESSION:
    case ENIP_UNREGISTER_SESSION:
    case ENIP_SEND_RR_DATA:
    case ENIP_SEND_UNIT_DATA:
    case ENIP_INDICATE_STATUS:
    case ENIP_CANCEL:
        return true;
    default:
        return false;
    }
}

/* encapsulation status codes (Vol. 2 §2-3.3) */
static const char *enip_status_name(uint32_t status)
{
    switch (status) {
    case 0x0001:
        return "invalid or unsupported command";
    case 0x0002:
        return "insufficient memory";
    case 0x0003:
        return "incorrect data";
    case 0x0064:
        return "invalid session handle";
    case 0x0065:
        return "invalid length";
    case 0x0069:
        return "unsupported protocol revision";
    default:
        return "error";
    }
}

static long frame(const struct rd *s)
{
    if (rd_left(s) >= 2 && !enip_command_known(rd_peek_le16(s, 0)))
        return FRAME_NOT_OURS;
    if (rd_left(s) < ENIP_HDR_LEN)
        return FRAME_NEED_MORE;
    return ENIP_HDR_LEN + (long)rd_peek_le16(s, 2);
}

/* strict: the first payload is exactly one well-formed encapsulation PDU of a session opener,
 * a List* request/reply, or a CIP carrier with interface handle 0 */
static bool probe(const struct rd *p, uint8_t l4)
{
    (void)l4;
    if (rd_left(p) < ENIP_HDR_LEN)
        return false;
    uint16_t cmd = rd_peek_le16(p, 0), len = rd_peek_le16(p, 2);
    if ((size_t)ENIP_HDR_LEN + len != rd_left(p))
        return false;
    for (size_t at = 8; at < 12; at++) /* status 0 */
        if (rd_peek_u8(p, at))
            return false;
    for (size_t at = 20; at < 24; at++) /* options 0 */
        if (rd_peek_u8(p, at))
            return false;
    switch (cmd) {
    case ENIP_LIST_IDENTITY:
    case ENIP_LIST_SERVICES:
    case ENIP_LIST_INTERFACES:
        return len == 0 || (len >= 2 && rd_peek_le16(p, 24) >= 1 && rd_peek_le16(p, 24) <= 4);
    case ENIP_REGISTER_SESSION:
        return len == 4 && rd_peek_le16(p, 24) == 1;
    case ENIP_SEND_RR_DATA:
    case ENIP_SEND_UNIT_DATA:
        return len >= 10 && rd_peek_be16(p, 24) == 0 && rd_peek_be16(p, 26) == 0 &&
               rd_peek_le16(p, 30) >= 1 && rd_peek_le16(p, 30) <= 4;
    default:
        return false;
    }
}

/* List Identity item (Vol. 2 §2-4.2.3): version, a big-endian sockaddr, the Identity object's
 * attributes 1-7 and its state */
static void list_identity_item(struct pctx *c, struct rd *it)
{
    const char *src = "enip list identity";
    rd_skip(it, 2);     /* encapsulation protocol version */
    rd_skip(it, 2 + 2); /* sin_family, sin_port */
    uint8_t ip[4];
    rd_bytes(it, ip, 4);
    rd_skip(it, 8); /* sin_zero */
    struct cip_identity id;
    if (!cip_identity_read(it, &id)) {
        emit_malformed(c, "enip: short list identity item");
        return;
    }
    id.state = rd_u8(it);
    id.has_state = rd_ok(it);
    cip_identity_emit(c, &id, src);
    if (ip[0] | ip[1] | ip[2] | ip[3]) {
        char s[16];
        str_fmt(s, sizeof s, "%u.%u.%u.%u", ip[0], ip[1], ip[2], ip[3]);
        emit_attr(c, WHO_SRC, F_IP_ADDRESS, s, src);
    }
}

/* List Identity / List Services / List Interfaces: a request has no data, a reply CPF items */
static void list_reply(struct pctx *c, uint16_t cmd, struct rd *d)
{
    uint16_t n = rd_le16(d);
    for (unsigned i = 0; i < n && i < ENIP_ITEMS_MAX; i++) {
        uint16_t type = rd_le16(d), len = rd_le16(d);
        struct rd it = rd_sub(d, len);
        if (!rd_ok(d))
            break;
        if (cmd == ENIP_LIST_IDENTITY && type == CPF_LIST_IDENTITY)
            list_identity_item(c, &it);
    }
    if (!rd_ok(d))
        emit_malformed(c, "enip: truncated list reply");
}

static void list_command(struct pctx *c, uint16_t cmd, struct rd *d)
{
    static const char *const names[] = {"list services", "list identity", "list interfaces"};
    const char *name = cmd == ENIP_LIST_SERVICES   ? names[0]
                       : cmd == ENIP_LIST_IDENTITY ? names[1]
                                                   : names[2];
    if (rd_left(d) == 0)
        emit_op(c, OP_READ, name, NULL, NULL);
    else
        list_reply(c, cmd, d);
}

/* the key that pairs a response with its request: the sender context for SendRRData (echoed by
 * the target, Vol. 2 §2-3.1), the CIP sequence count for connected messages */
static uint32_t rr_key(uint32_t ctx_lo, uint32_t ctx_hi)
{
    return (ctx_lo * 0x9e3779b1u ^ ctx_hi) | 0x80000000u;
}

/* SendRRData / SendUnitData (Vol. 2 §2-4.7/8): interface handle, timeout, CPF items */
static void send_data(struct pctx *c, struct enip_state *st, uint16_t cmd, uint32_t key,
                      struct rd *d)
{
    rd_skip(d, 4 + 2);
    uint16_t n = rd_le16(d);
    struct rd msg = rd_init(NULL, 0);
    bool have = false;
    for (unsigned i = 0; i < n && i < ENIP_ITEMS_MAX; i++) {
        uint16_t type = rd_le16(d), len = rd_le16(d);
        struct rd it = rd_sub(d, len);
        if (!rd_ok(d))
            break;
        if (type == CPF_UNCONNECTED_DATA && !have) {
            msg = it;
            have = true;
        } else if (type == CPF_CONNECTED_DATA && !have) {
            uint16_t seq = rd_le16(&it);
            msg = rd_rest(&it);
            have = rd_ok(&it);
            if (cmd == ENIP_SEND_UNIT_DATA)
                key = 0x00010000u | seq;
        }
    }
    if (!rd_ok(d)) {
        emit_malformed(c, "enip: truncated common packet format");
        return;
    }
    if (!have || !rd_left(&msg))
        return;
    emit_protocol(c, PROTO_CIP);
    if (!st)
        return;
    /* the operations are CIP's: name them so, while the flow stays EtherNet/IP */
    enum proto saved = c->proto;
    c->proto = PROTO_CIP;
    if (rd_peek_u8(&msg, 0) & 0x80)
        cip_response(c, &st->cip, key, &msg);
    else
        cip_request(c, &st->cip, key, &msg);
    c->proto = saved;
}

/* class 0/1 I/O on udp/2222 (Vol. 2 §3-2.2): CPF with a sequenced address and connected data,
 * no encapsulation header.  It proves CIP I/O; the data is opaque without the assembly layout */
static void io_datagram(struct pctx *c, struct rd *pdu)
{
    uint16_t n = rd_le16(pdu);
    bool ok = n >= 1 && n <= 4;
    for (unsigned i = 0; ok && i < n; i++) {
        uint16_t type = rd_le16(pdu), len = rd_le16(pdu);
        rd_skip(pdu, len);
        ok = type == CPF_SEQUENCED_ADDRESS || type == CPF_CONNECTED_ADDRESS ||
             type == CPF_CONNECTED_DATA || type == CPF_SOCKADDR_OT || type == CPF_SOCKADDR_TO;
        if (type == CPF_SEQUENCED_ADDRESS && len != 8)
            ok = false;
    }
    if (!ok || !rd_ok(pdu)) {
        emit_malformed(c, "cip i/o: bad common packet format");
        return;
    }
    emit_set_protocol(c, PROTO_CIP);
}

static void register_session(struct pctx *c, int dir, uint32_t status)
{
    if (dir == 0) {
        emit_op(c, OP_SESSION, "register session", NULL, NULL);
    } else if (status) {
        char res[80];
        str_fmt(res, sizeof res, "encapsulation status 0x%04x (%s)", status,
                 enip_status_name(status));
        emit_op(c, OP_SESSION, "register session", NULL, res);
    }
}

static void parse(struct pctx *c, void *state, int dir, struct rd *pdu)
{
    struct enip_state *st = state;
    if (c->pkt->l4 == L4_UDP && (c->pkt->sport == ENIP_IO_PORT || c->pkt->dport == ENIP_IO_PORT)) {
        io_datagram(c, pdu);
        return;
    }
    uint16_t cmd = rd_le16(pdu), len = rd_le16(pdu);
    rd_skip(pdu, 4); /* session handle */
    uint32_t status = rd_le32(pdu);
    uint32_t ctx_lo = rd_le32(pdu), ctx_hi = rd_le32(pdu);
    rd_skip(pdu, 4); /* options */
    struct rd d = rd_sub(pdu, len);
    if (!rd_ok(pdu)) {
        emit_malformed(c, "enip: truncated encapsulation");
        return;
    }
    switch (cmd) {
    case ENIP_LIST_SERVICES:
    case ENIP_LIST_IDENTITY:
    case ENIP_LIST_INTERFACES:
        list_command(c, cmd, &d);
        break;
    case ENIP_REGISTER_SESSION:
        register_session(c, dir, status);
        break;
    case ENIP_UNREGISTER_SESSION:
        emit_op(c, OP_SESSION, "unregister session", NULL, NULL);
        break;
    case ENIP_SEND_RR_DATA:
    case ENIP_SEND_UNIT_DATA:
        if (!status)
            send_data(c, st, cmd, rr_key(ctx_lo, ctx_hi), &d);
        break;
    case ENIP_NOP:
    case ENIP_INDICATE_STATUS:
    case ENIP_CANCEL:
        break;
    default:
        emit_malformed(c, "enip: unknown command");
        break;
    }
}

static void gap(void *state, int dir)
{
    (void)dir;
    struct enip_state *st = state;
    cip_flow_reset(&st->cip);
}

const struct dissector dissector_enip = {
    .name = "enip",
    .proto = PROTO_ENIP,
    .tcp_ports = {ENIP_PORT},
    .udp_ports = {ENIP_PORT, ENIP_IO_PORT},
    .probe = probe,
    .state_size = sizeof(struct enip_state),
    .frame = frame,
    .parse = parse,
    .gap = gap,
};
