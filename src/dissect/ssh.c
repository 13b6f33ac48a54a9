/* ssh.c - SSH transport (RFC 4253) on tcp/22 or wherever a first payload starts "SSH-2.0-".
 * In clear are each side's version banner (§4.2) and the KEXINIT algorithm lists (§7.1), which
 * give the HASSH fingerprints; after a side's NEWKEYS everything it sends is encrypted and is
 * taken as opaque.  Framing is stateless: a text line, a cleartext binary packet whose header
 * is consistent (§6), or otherwise whatever has arrived, as one opaque PDU. */
#include <stdio.h>
#include <string.h>

#include "dissect/dissect.h"
#include "util/md5.h"
#include "util/str.h"

#define SSH_PORT       22
#define SSH_LINE_MAX   255   /* banner including CR LF (§4.2) */
#define SSH_PACKET_MAX 35000 /* packet_length bound implementations must accept (§6.1) */

/* message numbers (RFC 4250 §4.1.2) */
#define SSH_MSG_KEXINIT 20
#define SSH_MSG_NEWKEYS 21

struct ssh_side {
    uint8_t banner, kexinit, opaque;
};
struct ssh_state {
    struct ssh_side side[2];
};
_Static_assert(sizeof(struct ssh_state) <= DISSECT_STATE_MAX, "ssh state too large");

static bool printable(uint8_t c)
{
    return c >= 0x20 && c < 0x7f;
}

static long frame(const struct rd *stream)
{
    size_t left = rd_left(stream);
    uint8_t b0 = rd_peek_u8(stream, 0);
    if (printable(b0)) {
        /* the banner, or a line a server may send before it (§4.2) */
        size_t n = left < SSH_LINE_MAX ? left : SSH_LINE_MAX;
        for (size_t i = 0; i < n; i++)
            if (rd_peek_u8(stream, i) == '\n')
                return (long)i + 1;
        return left < SSH_LINE_MAX ? FRAME_NEED_MORE : (long)left;
    }
    if (b0 == 0) {
        if (left < 5)
            return FRAME_NEED_MORE;
        uint32_t len = rd_peek_be32(stream, 0);
        uint8_t pad = rd_peek_u8(stream, 4);
        if (len >= 12 && len <= SSH_PACKET_MAX && pad >= 4 && pad < len && (len + 4) % 8 == 0)
            return 4 + (long)len;
    }
    return (long)left; /* encrypted, or not a packet we can delimit */
}

/* one name-list (RFC 4251 §5), appended to dst after a ';' when keep: 1 done, 0 the text
 * does not fit (the list is stepped over), -1 the list is cut */
static int name_list(struct rd *r, char *dst, size_t cap, size_t *o, bool keep)
{
    uint32_t n = rd_be32(r);
    if (!rd_ok(r) || n > rd_left(r))
        return -1;
    if (!keep) {
        rd_skip(r, n);
        return 1;
    }
    if (*o + n + 2 > cap) {
        rd_skip(r, n);
        return 0;
    }
    if (*o)
        dst[(*o)++] = ';';
    rd_bytes(r, dst + *o, n);
    *o += n;
    dst[*o] = 0;
    return 1;
}

/* HASSH / HASSHServer (salesforce/hassh): md5 of "kex;enc;mac;cmp" for the sender's direction */
static void kexinit(struct pctx *c, int dir, struct rd *p)
{
    rd_skip(p, 16); /* cookie */
    /* kex, host key, enc c2s, enc s2c, mac c2s, mac s2c, comp c2s, comp s2c */
    static const bool client_lists[8] = {1, 0, 1, 0, 1, 0, 1, 0};
    static const bool server_lists[8] = {1, 0, 0, 1, 0, 1, 0, 1};
    const bool *keep = dir == 0 ? client_lists : server_lists;
    char text[2048];
    size_t o = 0;
    text[0] = 0;
    bool fits = true;
    for (int i = 0; i < 8; i++) {
        int k = name_list(p, text, sizeof text, &o, keep[i]);
        if (k < 0) {
            emit_malformed(c, "ssh: bad kexinit");
            return;
        }
        fits = fits && k > 0;
    }
    if (!fits)
        return;
    /* the lists are ASCII names by definition (§7.1); anything else is not a fingerprint */
    for (size_t i = 0; i < o; i++)
        if (!printable((uint8_t)text[i]))
            return;
    char md5[33];
    md5_hex(text, o, md5);
    emit_attr_raw(c, WHO_SRC, dir == 0 ? F_HASSH : F_HASSH_SERVER, md5, o <= 400 ? text : NULL,
                  "ssh kexinit");
}

static void banner(struct pctx *c, struct ssh_side *side, struct rd *pdu)
{
    char line[SSH_LINE_MAX + 1];
    size_t n = rd_left(pdu);
    while (n && (rd_peek_u8(pdu, n - 1) == '\n' || rd_peek_u8(pdu, n - 1) == '\r'))
        n--;
    rd_str(pdu, n, line, sizeof line);
    if (strncmp(line, "SSH-", 4) != 0)
        return; /* another line before the banner */
    side->banner = 1;
    emit_attr(c, WHO_SRC, F_SSH_BANNER, line, "ssh protocol banner");
    /* protoversion "1.x" is SSH-1; "1.99" speaks SSH-2 but still accepts SSH-1 (§5.1) */
    if (!strncmp(line + 4, "1.99-", 5))
        emit_finding(c, WHO_SRC, "insecure-protocol", "ssh protocol 1 still accepted (1.99)");
    else if (!strncmp(line + 4, "1.", 2))
        emit_finding(c, WHO_SRC, "insecure-protocol", "ssh protocol version 1");
}

static void parse(struct pctx *c, void *state, int dir, struct rd *pdu)
{
    struct ssh_state *s = state;
    if (!s)
        return;
    struct ssh_side *side = &s->side[dir & 1];
    if (side->opaque)
        return;
    uint8_t b0 = rd_peek_u8(pdu, 0);
    if (!side->banner) {
        if (printable(b0))
            banner(c, side, pdu);
        return;
    }
    if (b0 != 0 || rd_left(pdu) < 6)
        return;
    uint32_t len = rd_be32(pdu);
    uint8_t pad = rd_u8(pdu);
    if (len < (uint32_t)pad + 1 || len - 1 > rd_left(pdu))
        return;
    struct rd payload = rd_sub(pdu, len - 1 - pad);
    uint8_t msg = rd_u8(&payload);
    if (msg == SSH_MSG_KEXINIT && !side->kexinit) {
        side->kexinit = 1;
        kexinit(c, dir & 1, &payload);
    } else if (msg == SSH_MSG_NEWKEYS) {
        side->opaque = 1;
    }
}

static void gap(void *state, int dir)
{
    struct ssh_state *s = state;
    s->side[dir & 1].opaque = 1;
}

/* "SSH-2.0-" or "SSH-1.99-" at the start of a first payload */
static bool probe(const struct rd *payload, uint8_t l4)
{
    return l4 == L4_TCP && (rd_match(payload, "SSH-2.0-", 8) || rd_match(payload, "SSH-1.99-", 9));
}

const struct dissector dissector_ssh = {
    .name = "ssh",
    .proto = PROTO_SSH,
    .tcp_ports = {SSH_PORT},
    .probe = probe,
    .state_size = sizeof(struct ssh_state),
    .frame = frame,
    .parse = parse,
    .gap = gap,
};
