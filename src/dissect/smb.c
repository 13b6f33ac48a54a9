/* smb.c - SMB1 (MS-CIFS) and SMB2/3 (MS-SMB2) over direct TCP on tcp/445 and over the NetBIOS
 * session service (RFC 1002 §4.3) on tcp/139.  Identity comes from the negotiation (dialect,
 * signing), the NetBIOS session request names, and the NTLMSSP messages (MS-NLMP §2.2) inside
 * session setup: the server's names and OS version from the CHALLENGE, the client's
 * workstation name and OS version from the AUTHENTICATE.  A user name is never kept.  SMB1,
 * guest sessions, NTLMv1 and unsigned sessions are findings; tree connects and file opens are
 * operations, with an error status of the matching response as their result. */
#include <stdio.h>
#include <string.h>

#include "dissect/dissect.h"
#include "util/str.h"

#define SMB_PORT     445
#define NETBIOS_PORT 139

/* NetBIOS session packet types (RFC 1002 §4.3.1) */
#define NB_MESSAGE   0x00
#define NB_REQUEST   0x81
#define NB_POSITIVE  0x82
#define NB_NEGATIVE  0x83
#define NB_RETARGET  0x84
#define NB_KEEPALIVE 0x85

/* SMB2 commands (MS-SMB2 §2.2.1) */
#define SMB2_NEGOTIATE        0
#define SMB2_SESSION_SETUP    1
#define SMB2_TREE_CONNECT     3
#define SMB2_CREATE           5
#define SMB2_FLAGS_RESPONSE   0x00000001
#define SMB2_SIGNING_REQUIRED 0x0002
#define SMB2_SESSION_GUEST    0x0001
#define SMB2_SESSION_NULL     0x0002

/* SMB1 (MS-CIFS §2.2.4) */
#define SMB1_NEGOTIATE      0x72
#define SMB1_SESSION_SETUP  0x73
#define SMB1_FLAGS_REPLY    0x80
#define SMB1_FLAGS2_UNICODE 0x8000

/* NTSTATUS values (MS-ERREF §2.3.1) */
#define STATUS_SUCCESS         0x00000000u
#define STATUS_MORE_PROCESSING 0xc0000016u

/* NTLMSSP (MS-NLMP §2.2.2.5) */
#define NTLM_UNICODE 0x00000001u
#define NTLM_VERSION 0x02000000u

#define SMB_PENDING 4
#define SMB_TARGET  80

struct smb_pending {
    uint64_t mid;
    uint8_t used, kind;
    char fn[20];
    char target[SMB_TARGET];
};

struct smb_state {
    uint8_t service_done, smb1_done, signing_done, ntlmv1_done, guest_done;
    uint8_t next; /* round-robin slot */
    struct smb_pending pend[SMB_PENDING];
};
_Static_assert(sizeof(struct smb_state) <= DISSECT_STATE_MAX, "smb state too large");

/* ---- small helpers ---- */

/* UTF-16LE text of n bytes at cursor r (ASCII kept, others as '?') */
static void utf16_text(struct rd *r, size_t n, char *dst, size_t dstsz)
{
    uint8_t tmp[256];
    size_t o = 0;
    for (size_t i = 0; i + 1 < n && rd_left(r) >= 2; i += 2) {
        uint16_t u = rd_le16(r);
        if (o < sizeof tmp)
            tmp[o++] = u < 0x80 ? (uint8_t)u : '?';
    }
    str_sanitize(dst, dstsz, tmp, o);
}

/* the field at [off, off+len) of a message starting at 'base' (a copy of its cursor) */
static struct rd field_at(const struct rd *base, size_t off, size_t len)
{
    struct rd r = *base;
    rd_skip(&r, off);
    return rd_sub(&r, len);
}

static void pend_add(struct smb_state *s, uint64_t mid, enum op_kind k, const char *fn,
                     const char *target)
{
    struct smb_pending *p = &s->pend[s->next++ % SMB_PENDING];
    p->used = 1;
    p->mid = mid;
    p->kind = (uint8_t)k;
    str_copy(p->fn, sizeof p->fn, fn);
    str_copy(p->target, sizeof p->target, target ? target : "");
}

static void pend_result(struct pctx *c, struct smb_state *s, uint64_t mid, uint32_t status,
                        const char *result)
{
    for (int i = 0; i < SMB_PENDING; i++) {
        struct smb_pending *p = &s->pend[i];
        if (!p->used || p->mid != mid)
            continue;
        if (status == STATUS_MORE_PROCESSING)
            return;
        p->used = 0;
        char res[48];
        if (!result && status != STATUS_SUCCESS) {
            str_fmt(res, sizeof res, "status 0x%08x", status);
            result = res;
        }
        if (result)
            emit_op(c, (enum op_kind)p->kind, p->fn, p->target[0] ? p->target : NULL, result);
        return;
    }
}

/* ---- NTLMSSP ---- */

/* "Windows 10 / Server 2016 or later (build 19041)" from the VERSION structure (§2.2.2.10) */
static void ntlm_version(struct pctx *c, enum obs_who who, struct rd *v, const char *source)
{
    uint8_t major = rd_u8(v), minor = rd_u8(v);
    uint16_t build = rd_le16(v);
    if (!rd_ok(v) || major == 0)
        return;
    static const struct {
        uint8_t major, minor;
        const char *name;
    } t[] = {{5, 0, "Windows 2000"},
             {5, 1, "Windows XP"},
             {5, 2, "Windows Server 2003"},
             {6, 0, "Windows Vista / Server 2008"},
             {6, 1, "Windows 7 / Server 2008 R2"},
             {6, 2, "Windows 8 / Server 2012"},
             {6, 3, "Windows 8.1 / Server 2012 R2"},
             {10, 0, "Windows 10 / Server 2016 or later"}};
    const char *name = NULL;
    for (size_t i = 0; i < sizeof t / sizeof *t; i++)
        if (t[i].major == major && t[i].minor == minor)
            name = t[i].name;
    char raw[24], text[80];
    str_fmt(raw, sizeof raw, "%u.%u.%u", major, minor, build);
    if (name)
        str_fmt(text, sizeof text, "%s (build %u)", name, build);
    else
        str_fmt(text, sizeof text, "%s", raw);
    emit_attr_raw(c, who, F_OS_VERSION, text, raw, source);
}

/* a string field (len, maxlen, offset from the message start) */
static void ntlm_string(const struct rd *msg, struct rd *fields, bool unicode, char *dst,
                        size_t dstsz)
{
    uint16_t len = rd_le16(fields);
    rd_skip(fields, 2);
    uint32_t off = rd_le32(fields);
    dst[0] = 0;
    if (!rd_ok(fields) || !len)
        return;
    struct rd f = field_at(msg, off, len);
    if (!rd_ok(&f))
        return;
    if (unicode)
        utf16_text(&f, len, dst, dstsz);
    else
        rd_str(&f, len, dst, dstsz);
}

/* CHALLENGE target info (§2.2.2.1 AV_PAIRs): the server's own names */
static void av_pairs(struct pctx *c, struct rd *ti)
{
    static const char src[] = "ntlmssp challenge";
    for (int guard = 0; rd_left(ti) >= 4 && guard < 32; guard++) {
        uint16_t id = rd_le16(ti), len = rd_le16(ti);
        struct rd v = rd_sub(ti, len);
        if (id == 0 || !rd_ok(ti))
            return;
        char text[128];
        if (id < 1 || id > 3)
            continue;
        utf16_text(&v, len, text, sizeof text);
        if (id == 1)
            emit_attr(c, WHO_SRC, F_HOSTNAME, text, src);
        else if (id == 2)
            emit_attr(c, WHO_SRC, F_WORKGROUP, text, src);
        else if (strchr(text, '.'))
            emit_attr(c, WHO_SRC, F_FQDN, text, src);
    }
}

static void ntlm_challenge(struct pctx *c, const struct rd *msg)
{
    struct rd r = *msg;
    rd_skip(&r, 20);
    uint32_t flags = rd_le32(&r);
    rd_skip(&r, 16); /* challenge, reserved */
    uint16_t tlen = rd_le16(&r);
    rd_skip(&r, 2);
    uint32_t toff = rd_le32(&r);
    if (!rd_ok(&r))
        return;
    struct rd ti = field_at(msg, toff, tlen);
    av_pairs(c, &ti);
    if (flags & NTLM_VERSION)
        ntlm_version(c, WHO_SRC, &r, "ntlmssp challenge");
}

static void ntlm_authenticate(struct pctx *c, struct smb_state *s, const struct rd *msg)
{
    static const char src[] = "ntlmssp authenticate";
    struct rd r = *msg;
    rd_skip(&r, 12);
    rd_skip(&r, 8); /* LmChallengeResponseFields */
    uint16_t ntlen = rd_le16(&r);
    rd_skip(&r, 6);
    struct rd domain_f = rd_sub(&r, 8), user_f = rd_sub(&r, 8), ws_f = rd_sub(&r, 8);
    rd_skip(&r, 8); /* EncryptedRandomSessionKeyFields */
    uint32_t flags = rd_le32(&r);
    if (!rd_ok(&r))
        return;
    bool uni = flags & NTLM_UNICODE;
    char ws[64];
    ntlm_string(msg, &ws_f, uni, ws, sizeof ws);
    /* the user name and its domain are not kept: a user is not an asset */
    (void)domain_f;
    (void)user_f;
    emit_attr(c, WHO_SRC, F_HOSTNAME, ws, src);
    if (flags & NTLM_VERSION)
        ntlm_version(c, WHO_SRC, &r, src);
    if (ntlen == 24 && !s->ntlmv1_done) {
        s->ntlmv1_done = 1;
        emit_finding(c, WHO_SRC, "insecure-protocol", "ntlmv1 authentication");
    }
}

/* find "NTLMSSP\0" in a security blob (SPNEGO wraps it, MS-SPNG) and handle the message */
static void security_blob(struct pctx *c, struct smb_state *s, struct rd *blob)
{
    size_t n = rd_left(blob);
    for (size_t i = 0; i + 12 <= n; i++) {
        if (rd_peek_u8(blob, i) != 'N')
            continue;
        struct rd m = *blob;
        rd_skip(&m, i);
        if (!rd_match(&m, "NTLMSSP\0", 8))
            continue;
        struct rd msg = rd_rest(&m);
        uint32_t type = (uint32_t)rd_peek_u8(&msg, 8) | (uint32_t)rd_peek_u8(&msg, 9) << 8;
        if (type == 2)
            ntlm_challenge(c, &msg);
        else if (type == 3)
            ntlm_authenticate(c, s, &msg);
        return;
    }
}

/* ---- SMB2 ---- */

static const char *dialect_name(uint16_t d)
{
    switch (d) {
    case 0x0202:
        return "SMB 2.0.2";
    case 0x0210:
        return "SMB 2.1";
    case 0x0300:
        return "SMB 3.0";
    case 0x0302:
        return "SMB 3.0.2";
    case 0x0311:
        return "SMB 3.1.1";
    default:
        return NULL;
    }
}

static void smb2_negotiate_response(struct pctx *c, struct smb_state *s, struct rd *b)
{
    rd_skip(b, 2); /* StructureSize */
    uint16_t mode = rd_le16(b), dialect = rd_le16(b);
    if (!rd_ok(b))
        return;
    const char *name = dialect_name(dialect);
    char raw[8];
    str_fmt(raw, sizeof raw, "0x%04x", dialect);
    if (name)
        emit_attr_raw(c, WHO_SRC, F_PROTOCOL_VERSION, name, raw, "smb2 negotiate response");
    if (!(mode & SMB2_SIGNING_REQUIRED) && !s->signing_done && name) {
        s->signing_done = 1;
        emit_finding(c, WHO_SRC, "insecure-protocol", "smb signing not required");
    }
}

static void smb2_session_setup(struct pctx *c, struct smb_state *s, const struct rd *hdr,
                               struct rd *b, bool response, uint64_t mid, uint32_t status)
{
    uint16_t off, len, flags = 0;
    if (response) {
        rd_skip(b, 2);
        flags = rd_le16(b);
        off = rd_le16(b);
        len = rd_le16(b);
    } else {
        rd_skip(b, 2 + 1 + 1 + 4 + 4);
        off = rd_le16(b);
        len = rd_le16(b);
    }
    if (!rd_ok(b))
        return;
    struct rd blob = field_at(hdr, off, len);
    if (rd_ok(&blob))
        security_blob(c, s, &blob);
    if (!response) {
        emit_op(c, OP_AUTH, "session setup", NULL, NULL);
        pend_add(s, mid, OP_AUTH, "session setup", NULL);
        return;
    }
    const char *res = NULL;
    if (status == STATUS_SUCCESS && (flags & (SMB2_SESSION_GUEST | SMB2_SESSION_NULL))) {
        res = flags & SMB2_SESSION_GUEST ? "guest session" : "anonymous session";
        if (!s->guest_done) {
            s->guest_done = 1;
            emit_finding(c, WHO_SRC, "insecure-protocol",
                         flags & SMB2_SESSION_GUEST ? "smb guest access" : "smb anonymous access");
        }
    }
    pend_result(c, s, mid, status, res);
}

static void smb2_tree_connect(struct pctx *c, struct smb_state *s, const struct rd *hdr,
                              struct rd *b, uint64_t mid)
{
    rd_skip(b, 4);
    uint16_t off = rd_le16(b), len = rd_le16(b);
    struct rd p = field_at(hdr, off, len);
    if (!rd_ok(b) || !rd_ok(&p))
        return;
    char path[SMB_TARGET];
    utf16_text(&p, len, path, sizeof path);
    emit_op(c, OP_SESSION, "tree connect", path[0] ? path : NULL, NULL);
    pend_add(s, mid, OP_SESSION, "tree connect", path);
}

/* DesiredAccess bits that write (MS-SMB2 §2.2.13.1.1) */
#define ACCESS_WRITE (0x00000002u | 0x00000004u | 0x00010000u | 0x40000000u | 0x10000000u)

static void smb2_create(struct pctx *c, struct smb_state *s, const struct rd *hdr, struct rd *b,
                        uint64_t mid)
{
    rd_skip(b, 2 + 1 + 1 + 4 + 8 + 8);
    uint32_t access = rd_le32(b);
    rd_skip(b, 4 + 4 + 4 + 4);
    uint16_t off = rd_le16(b), len = rd_le16(b);
    struct rd p = field_at(hdr, off, len);
    if (!rd_ok(b) || !rd_ok(&p) || !len)
        return; /* the share root */
    char name[SMB_TARGET];
    utf16_text(&p, len, name, sizeof name);
    const char *fn = access & ACCESS_WRITE ? "create (write)" : "create (read)";
    emit_op(c, OP_FILE_TRANSFER, fn, name, NULL);
    pend_add(s, mid, OP_FILE_TRANSFER, fn, name);
}

static void smb2(struct pctx *c, struct smb_state *s, struct rd *msg)
{
    for (int guard = 0; guard < 8 && rd_left(msg) >= 64; guard++) {
        struct rd hdr = *msg;
        rd_skip(msg, 4 + 2 + 2); /* ProtocolId, StructureSize, CreditCharge */
        uint32_t status = rd_le32(msg);
        uint16_t cmd = rd_le16(msg);
        rd_skip(msg, 2);
        uint32_t flags = rd_le32(msg), next = rd_le32(msg);
        uint64_t mid = rd_le64(msg);
        rd_skip(msg, 64 - 32);
        if (!rd_ok(msg)) {
            emit_malformed(c, "smb2: truncated header");
            return;
        }
        size_t body_len = next ? (next >= 64 ? next - 64 : 0) : rd_left(msg);
        struct rd b = rd_sub(msg, body_len < rd_left(msg) ? body_len : rd_left(msg));
        bool response = flags & SMB2_FLAGS_RESPONSE;
        struct rd whole = rd_sub(&hdr, 64 + rd_left(&b)); /* offsets count from the header */
        switch (cmd) {
        case SMB2_NEGOTIATE:
            if (response)
                smb2_negotiate_response(c, s, &b);
            break;
        case SMB2_SESSION_SETUP:
            smb2_session_setup(c, s, &whole, &b, response, mid, status);
            break;
        case SMB2_TREE_CONNECT:
        case SMB2_CREATE:
            if (response)
                pend_result(c, s, mid, status, NULL);
            else if (cmd == SMB2_TREE_CONNECT)
                smb2_tree_connect(c, s, &whole, &b, mid);
            else
                smb2_create(c, s, &whole, &b, mid);
            break;
        default:
            break;
        }
        if (!next)
            return;
        /* NextCommand is relative to this header (§2.2.1.2); we consumed 64 + body */
        if (next < 64 || !rd_ok(msg))
            return;
    }
}

/* ---- SMB1 ---- */

static void smb1_negotiate(struct pctx *c, struct smb_state *s, bool reply, struct rd *words,
                           struct rd *bytes)
{
    if (!reply) {
        /* dialect strings: 0x02 then NUL-terminated text (MS-CIFS §2.2.4.52.1) */
        bool smb2 = false;
        while (rd_left(bytes) > 1) {
            if (rd_u8(bytes) != 0x02)
                return;
            char d[48];
            size_t n = 0;
            while (n < rd_left(bytes) && rd_peek_u8(bytes, n))
                n++;
            rd_str(bytes, n, d, sizeof d);
            rd_skip(bytes, 1);
            if (!strncmp(d, "SMB 2.", 6))
                smb2 = true;
        }
        if (!smb2)
            emit_finding(c, WHO_SRC, "insecure-protocol", "smb1 client (no smb2 dialect offered)");
        return;
    }
    uint16_t index = rd_le16(words);
    if (!rd_ok(words) || index == 0xffff || s->smb1_done)
        return;
    s->smb1_done = 1;
    emit_finding(c, WHO_SRC, "insecure-protocol", "smb1 negotiated");
    emit_attr(c, WHO_SRC, F_PROTOCOL_VERSION, "SMB 1", "smb1 negotiate response");
}

/* SESSION_SETUP_ANDX with extended security (MS-CIFS §2.2.4.53, MS-SMB §2.2.4.6): the blob
 * and, after it, NativeOS (the sender's operating system) */
static void smb1_session_setup(struct pctx *c, struct smb_state *s, bool reply, bool unicode,
                               size_t bytes_at, struct rd *words, struct rd *bytes)
{
    uint8_t wc = (uint8_t)(rd_left(words) / 2);
    uint16_t bloblen;
    if (!reply && wc == 12) {
        rd_skip(words, 14);
        bloblen = rd_le16(words);
    } else if (reply && wc == 4) {
        rd_skip(words, 6);
        bloblen = rd_le16(words);
    } else {
        return;
    }
    struct rd blob = rd_sub(bytes, bloblen);
    if (!rd_ok(words) || !rd_ok(bytes))
        return;
    security_blob(c, s, &blob);
    /* Unicode strings are aligned to 2 bytes from the SMB header start */
    if (unicode && (bytes_at + bloblen) % 2)
        rd_skip(bytes, 1);
    char os[96];
    size_t n = 0;
    if (unicode) {
        while (n + 1 < rd_left(bytes) && (rd_peek_u8(bytes, n) | rd_peek_u8(bytes, n + 1)))
            n += 2;
        utf16_text(bytes, n, os, sizeof os);
    } else {
        while (n < rd_left(bytes) && rd_peek_u8(bytes, n))
            n++;
        rd_str(bytes, n, os, sizeof os);
    }
    emit_attr(c, WHO_SRC, F_OS_VERSION, os,
              reply ? "smb1 session setup response" : "smb1 session setup request");
}

static void smb1(struct pctx *c, struct smb_state *s, struct rd *msg)
{
    rd_skip(msg, 4);
    uint8_t cmd = rd_u8(msg);
    rd_skip(msg, 4); /* status */
    uint8_t flags = rd_u8(msg);
    uint16_t flags2 = rd_le16(msg);
    rd_skip(msg, 32 - 12);
    uint8_t wc = rd_u8(msg);
    struct rd words = rd_sub(msg, (size_t)wc * 2);
    uint16_t bc = rd_le16(msg);
    size_t bytes_at = 32 + 1 + (size_t)wc * 2 + 2;
    struct rd bytes = rd_sub(msg, bc);
    if (!rd_ok(msg)) {
        emit_malformed(c, "smb1: truncated");
        return;
    }
    bool reply = flags & SMB1_FLAGS_REPLY;
    if (cmd == SMB1_NEGOTIATE)
        smb1_negotiate(c, s, reply, &words, &bytes);
    else if (cmd == SMB1_SESSION_SETUP)
        smb1_session_setup(c, s, reply, flags2 & SMB1_FLAGS2_UNICODE, bytes_at, &words, &bytes);
}

/* ---- NetBIOS session request (RFC 1002 §4.3.2) ---- */

/* one first-level encoded name (RFC 1001 §14.1): 0x20, 32 letters, 0x00 */
static bool nb_name(struct rd *r, char *out, size_t outsz)
{
    if (rd_u8(r) != 0x20)
        return false;
    uint8_t b[16];
    for (int i = 0; i < 16; i++) {
        uint8_t hi = rd_u8(r) - 'A', lo = rd_u8(r) - 'A';
        if (hi > 15 || lo > 15)
            return false;
        b[i] = (uint8_t)(hi << 4 | lo);
    }
    if (rd_u8(r) != 0 || !rd_ok(r))
        return false;
    int end = 15;
    while (end > 0 && b[end - 1] == ' ')
        end--;
    char name[32];
    str_sanitize(name, sizeof name, b, (size_t)end);
    str_fmt(out, outsz, "%s<%02x>", name, b[15]);
    return name[0] != 0 && name[0] != '*';
}

static void session_request(struct pctx *c, struct rd *r)
{
    char called[48], calling[48];
    if (!nb_name(r, called, sizeof called) || !nb_name(r, calling, sizeof calling))
        return;
    emit_attr(c, WHO_DST, F_NETBIOS_NAME, called, "netbios session request");
    emit_attr(c, WHO_SRC, F_NETBIOS_NAME, calling, "netbios session request");
}

static void parse(struct pctx *c, void *state, int dir, struct rd *pdu)
{
    (void)dir;
    struct smb_state *s = state;
    if (!s)
        return;
    if (!s->service_done) {
        s->service_done = 1;
        emit_finding(c, WHO_SERVER, "insecure-protocol", "smb service");
    }
    uint8_t type = rd_u8(pdu);
    rd_skip(pdu, 3);
    if (!rd_ok(pdu))
        return;
    if (type == NB_REQUEST) {
        session_request(c, pdu);
        return;
    }
    if (type != NB_MESSAGE || rd_left(pdu) < 4)
        return;
    if (rd_match(pdu, "\xfeSMB", 4))
        smb2(c, s, pdu);
    else if (rd_match(pdu, "\xffSMB", 4))
        smb1(c, s, pdu);
    /* 0xfd (encrypted transform) and 0xfc (compressed): nothing readable */
}

/* a session service header: type, then a 24-bit (direct TCP) or 17-bit (NetBIOS) length */
static long frame(const struct rd *stream)
{
    uint8_t type = rd_peek_u8(stream, 0);
    if (type != NB_MESSAGE && (type < NB_REQUEST || type > NB_KEEPALIVE))
        return FRAME_NOT_OURS;
    if (rd_left(stream) < 4)
        return FRAME_NEED_MORE;
    uint32_t len = (uint32_t)rd_peek_u8(stream, 1) << 16 | rd_peek_be16(stream, 2);
    if (type != NB_MESSAGE && len > 0x1ffff)
        return FRAME_NOT_OURS;
    return 4 + (long)len;
}

/* an SMB negotiate in a session message, or a NetBIOS session request */
static bool probe(const struct rd *payload, uint8_t l4)
{
    if (l4 != L4_TCP || rd_left(payload) < 8)
        return false;
    uint8_t type = rd_peek_u8(payload, 0);
    uint32_t len = (uint32_t)rd_peek_u8(payload, 1) << 16 | rd_peek_be16(payload, 2);
    if (type == NB_REQUEST)
        return len == 68 && rd_peek_u8(payload, 4) == 0x20;
    if (type != NB_MESSAGE || len + 4 < rd_left(payload))
        return false;
    struct rd r = *payload;
    rd_skip(&r, 4);
    return rd_match(&r, "\xffSMB\x72", 5) ||
           (rd_match(&r, "\xfeSMB", 4) && rd_peek_u8(&r, 12) == SMB2_NEGOTIATE &&
            rd_peek_u8(&r, 13) == 0);
}

const struct dissector dissector_smb = {
    .name = "smb",
    .proto = PROTO_SMB,
    .tcp_ports = {SMB_PORT, NETBIOS_PORT},
    .probe = probe,
    .state_size = sizeof(struct smb_state),
    .frame = frame,
    .parse = parse,
};
