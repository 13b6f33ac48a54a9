/* nbns.c - NetBIOS over TCP/IP (RFC 1001/1002): the name service on udp 137 and the datagram
 * service on udp 138, which carries the browser's host announcements (MS-BRWS).  A name is the
 * sender's only when the sender registers it, answers for it with its own address, lists it in
 * a node status answer, or sends a datagram from it; a name query names someone else.  Names
 * are shown as tshark shows them: the 15 characters trimmed, then the suffix, "HOST<20>". */
#include <stdio.h>
#include <string.h>

#include "dissect/dissect.h"
#include "util/str.h"

#define NBNS_PORT 137
#define NBDS_PORT 138

#define NB_NAME_TEXT 96 /* 15 characters, each up to "<xx>", plus the suffix */

/* RFC 1002 §4.2.1.1 opcodes */
enum {
    NB_OP_QUERY = 0,
    NB_OP_REGISTRATION = 5,
    NB_OP_RELEASE = 6,
    NB_OP_WACK = 7,
    NB_OP_REFRESH = 8,
    NB_OP_REFRESH_ALT = 9,
    NB_OP_MULTIHOMED = 15,
};
/* RFC 1002 §4.2.1.3 record types */
#define NB_TYPE_NB     0x0020
#define NB_TYPE_NBSTAT 0x0021
#define NB_FLAG_GROUP  0x8000 /* NB_FLAGS G bit (§4.2.1.3), also in NAME_FLAGS (§4.2.18) */

/* RFC 1002 §4.4.1 datagram message types */
enum { DGM_DIRECT_UNIQUE = 0x10, DGM_DIRECT_GROUP = 0x11, DGM_BROADCAST = 0x12 };

/* MS-BRWS §2.2 browser commands used here */
enum { BRW_HOST_ANNOUNCE = 0x01, BRW_DOMAIN_ANNOUNCE = 0x0c, BRW_LOCAL_MASTER = 0x0f };

struct nb_name {
    uint8_t b[16]; /* decoded: 15 name bytes and the suffix */
};

/* ---- names ---- */

/* "NAME<xx>": trailing blanks trimmed, unprintable bytes as <xx> (lowercase hex) */
static void nb_format(const struct nb_name *n, char *out, size_t outsz, bool with_suffix)
{
    int end = 15;
    while (end > 0 && n->b[end - 1] == ' ')
        end--;
    size_t o = 0;
    out[0] = '\0';
    for (int i = 0; i < end && o + 5 < outsz; i++) {
        uint8_t ch = n->b[i];
        if (ch >= 0x21 && ch < 0x7f && ch != '<' && ch != '>')
            out[o++] = (char)ch;
        else if (ch == ' ')
            out[o++] = ' ';
        else
            o += (size_t)str_fmt(out + o, outsz - o, "<%02x>", ch);
    }
    out[o] = '\0';
    if (with_suffix && o + 5 < outsz)
        str_fmt(out + o, outsz - o, "<%02x>", n->b[15]);
}

/* RFC 1001 §14.1 first-level encoding: 32 bytes 'A'..'P', two per name byte */
static bool nb_decode32(struct rd *r, struct nb_name *n)
{
    for (int i = 0; i < 16; i++) {
        uint8_t hi = (uint8_t)(rd_u8(r) - 'A'), lo = (uint8_t)(rd_u8(r) - 'A');
        if (hi > 15 || lo > 15)
            rd_fail(r);
        n->b[i] = (uint8_t)(hi << 4 | lo);
    }
    return rd_ok(r);
}

/* An encoded name: length 32, the encoded bytes, then scope labels up to a zero (RFC 1002
 * §4.1); a scope that ends in a pointer is skipped, not followed */
static bool nb_name_plain(struct rd *r, struct nb_name *n)
{
    if (rd_u8(r) != 32) {
        rd_fail(r);
        return false;
    }
    if (!nb_decode32(r, n))
        return false;
    for (int labels = 0; labels < 64; labels++) {
        uint8_t len = rd_u8(r);
        if (len == 0 || !rd_ok(r))
            return rd_ok(r);
        if ((len & 0xc0) == 0xc0) {
            rd_skip(r, 1);
            return rd_ok(r);
        }
        rd_skip(r, len & 0x3f);
    }
    rd_fail(r);
    return false;
}

/* the same, or a compression pointer back to one (a response repeating its question);
 * msg is the whole message, the base of pointers */
static bool nb_name_at(const struct rd *msg, struct rd *r, struct nb_name *n)
{
    uint8_t len = rd_peek_u8(r, 0);
    if ((len & 0xc0) != 0xc0)
        return nb_name_plain(r, n);
    size_t at = rd_pos(r);
    uint16_t ptr = rd_be16(r) & 0x3fff;
    if (!rd_ok(r) || ptr >= at) {
        rd_fail(r);
        return false;
    }
    struct rd cur = *msg;
    rd_skip(&cur, ptr);
    return nb_name_plain(&cur, n);
}

/* ---- emitting ---- */

static void nb_emit_name(struct pctx *c, const struct nb_name *n, bool group, const char *source)
{
    char text[NB_NAME_TEXT];
    if (!group) {
        nb_format(n, text, sizeof text, true);
        emit_attr(c, WHO_SRC, F_NETBIOS_NAME, text, source);
        return;
    }
    /* group names: <00> workgroup/domain members, <1c> domain controllers, <1e> browser
     * election (MS-BRWS §3.2); others (__MSBROWSE__<01>) are not a membership */
    uint8_t suffix = n->b[15];
    if (suffix != 0x00 && suffix != 0x1c && suffix != 0x1e)
        return;
    nb_format(n, text, sizeof text, false);
    emit_attr(c, WHO_SRC, F_WORKGROUP, text, source);
}

static bool addr_is_src(const struct pctx *c, const uint8_t ip[4])
{
    const struct ipaddr *s = &c->pkt->src;
    return s->family == 4 && memcmp(s->b, ip, 4) == 0;
}

/* ---- name service (udp 137) ---- */

/* NB rdata (§4.2.1.3): (flags, IPv4) pairs; the name is the sender's if it is one of them */
static void nb_rdata_nb(struct pctx *c, const struct nb_name *n, struct rd *rd, const char *source)
{
    for (int i = 0; i < 32 && rd_left(rd) >= 6; i++) {
        uint16_t flags = rd_be16(rd);
        uint8_t ip[4];
        rd_bytes(rd, ip, 4);
        if (addr_is_src(c, ip)) {
            nb_emit_name(c, n, flags & NB_FLAG_GROUP, source);
            return;
        }
    }
}

/* NBSTAT rdata (§4.2.18): the responder's own name table */
static void nb_rdata_nbstat(struct pctx *c, struct rd *rd)
{
    uint8_t count = rd_u8(rd);
    for (unsigned i = 0; i < count; i++) {
        struct nb_name n;
        rd_bytes(rd, n.b, 16);
        uint16_t flags = rd_be16(rd);
        if (!rd_ok(rd)) {
            emit_malformed(c, "nbns: node status name table truncated");
            return;
        }
        if (flags & 0x1000) /* being deregistered (DRG) */
            continue;
        nb_emit_name(c, &n, flags & NB_FLAG_GROUP, "nbns node status");
    }
}

static const char *nb_op_source(uint8_t opcode)
{
    switch (opcode) {
    case NB_OP_REGISTRATION:
    case NB_OP_MULTIHOMED:
        return "nbns registration";
    case NB_OP_REFRESH:
    case NB_OP_REFRESH_ALT:
        return "nbns refresh";
    case NB_OP_QUERY:
        return "nbns query response";
    }
    return NULL;
}

/* one resource record; own says whether NB/NBSTAT data may describe the sender */
static bool nb_record(struct pctx *c, const struct rd *msg, struct rd *r, const char *own)
{
    struct nb_name n;
    if (!nb_name_at(msg, r, &n))
        return false;
    uint16_t type = rd_be16(r);
    rd_skip(r, 2 + 4); /* class, ttl */
    uint16_t len = rd_be16(r);
    struct rd rd = rd_sub(r, len);
    if (!rd_ok(r))
        return false;
    if (!own)
        return true;
    if (type == NB_TYPE_NB)
        nb_rdata_nb(c, &n, &rd, own);
    else if (type == NB_TYPE_NBSTAT)
        nb_rdata_nbstat(c, &rd);
    return true;
}

static void nbns_parse(struct pctx *c, struct rd *pdu)
{
    struct rd msg = rd_rest(pdu), r = msg;
    rd_skip(&r, 2); /* transaction id */
    uint16_t flags = rd_be16(&r);
    uint16_t qd = rd_be16(&r), an = rd_be16(&r), ns = rd_be16(&r), ar = rd_be16(&r);
    if (!rd_ok(&r) || qd > 1 || an > 32 || ns > 32 || ar > 32) {
        emit_malformed(c, rd_ok(&r) ? "nbns: implausible record counts" : "nbns: truncated");
        return;
    }
    bool response = flags & 0x8000;
    uint8_t opcode = (flags >> 11) & 0x0f, rcode = flags & 0x0f;
    const char *own = nb_op_source(opcode);
    /* requests register/refresh names in their additional record; positive answers carry
     * the sender's own address (broadcast mode) or someone else's (a WINS server) */
    const char *own_an = response && rcode == 0 && opcode == NB_OP_QUERY ? own : NULL;
    const char *own_ar = !response && opcode != NB_OP_QUERY ? own : NULL;
    for (unsigned i = 0; i < qd; i++) {
        struct nb_name n;
        if (!nb_name_at(&msg, &r, &n))
            goto bad;
        rd_skip(&r, 4); /* type, class */
    }
    for (unsigned i = 0; i < an; i++)
        if (!nb_record(c, &msg, &r, own_an))
            goto bad;
    for (unsigned i = 0; i < ns; i++)
        if (!nb_record(c, &msg, &r, NULL))
            goto bad;
    for (unsigned i = 0; i < ar; i++)
        if (!nb_record(c, &msg, &r, own_ar))
            goto bad;
    if (rd_ok(&r))
        return;
bad:
    emit_malformed(c, "nbns: record runs past the message");
}

/* ---- datagram service (udp 138) and the browser protocol ---- */

/* MS-RAP / MS-SRVS §2.2.2.7 SV_TYPE bits, as short names */
static void server_type_text(uint32_t t, char *out, size_t outsz)
{
    static const char *const bits[] = {"workstation",
                                       "server",
                                       "sql-server",
                                       "domain-controller",
                                       "backup-dc",
                                       "time-source",
                                       "apple",
                                       "novell",
                                       "domain-member",
                                       "print-server",
                                       "dialin-server",
                                       "unix-server",
                                       "nt",
                                       "wfw",
                                       "mfpn",
                                       "nt-server",
                                       "potential-browser",
                                       "backup-browser",
                                       "master-browser",
                                       "domain-master-browser",
                                       "osf",
                                       "vms",
                                       "windows-95+",
                                       "dfs"};
    size_t o = 0;
    out[0] = '\0';
    for (unsigned i = 0; i < sizeof bits / sizeof *bits; i++) {
        if (!(t & (1u << i)))
            continue;
        int k = str_fmt(out + o, outsz - o, o ? ",%s" : "%s", bits[i]);
        if (k < 0 || (size_t)k >= outsz - o)
            break;
        o += (size_t)k;
    }
}

/* the Windows release an announced OS version stands for (MS-BRWS §2.2.1 notes) */
static const char *os_release(uint8_t major, uint8_t minor)
{
    static const struct {
        uint8_t major, minor;
        const char *name;
    } t[] = {{4, 0, "Windows NT 4.0"},
             {5, 0, "Windows 2000"},
             {5, 1, "Windows XP"},
             {5, 2, "Windows Server 2003"},
             {6, 0, "Windows Vista / Server 2008"},
             {6, 1, "Windows 7 / Server 2008 R2"},
             {6, 2, "Windows 8 / Server 2012"},
             {6, 3, "Windows 8.1 / Server 2012 R2"},
             {10, 0, "Windows 10 / Server 2016 or later"}};
    for (size_t i = 0; i < sizeof t / sizeof *t; i++)
        if (t[i].major == major && t[i].minor == minor)
            return t[i].name;
    return NULL;
}

/* a server comment that names a process historian: the word, or a historian product */
static bool historian_comment(const char *comment)
{
    static const char *const marks[] = {"historian", "pi data archive", "pi server",
                                        "infoplus.21", "uniformance phd", "process historian"};
    char low[128];
    size_t n = 0;
    for (; comment[n] && n + 1 < sizeof low; n++)
        low[n] = (char)(comment[n] >= 'A' && comment[n] <= 'Z' ? comment[n] + 32 : comment[n]);
    low[n] = '\0';
    for (size_t i = 0; i < sizeof marks / sizeof *marks; i++)
        if (strstr(low, marks[i]))
            return true;
    return false;
}

/* HostAnnouncement / LocalMasterAnnouncement / DomainAnnouncement (MS-BRWS §2.2.2-2.2.9) */
static void browser(struct pctx *c, struct rd *r, const struct nb_name *dst)
{
    uint8_t cmd = rd_u8(r);
    if (cmd != BRW_HOST_ANNOUNCE && cmd != BRW_LOCAL_MASTER && cmd != BRW_DOMAIN_ANNOUNCE)
        return;
    rd_skip(r, 1 + 4); /* update count, periodicity */
    char name[32];
    rd_str(r, 16, name, sizeof name);
    uint8_t major = rd_u8(r), minor = rd_u8(r);
    uint32_t type = rd_le32(r);
    rd_skip(r, 2 + 2); /* browser version, signature */
    char comment[128] = "";
    size_t clen = 0;
    while (clen < rd_left(r) && clen < 64 && rd_peek_u8(r, clen))
        clen++;
    rd_str(r, clen, comment, sizeof comment);
    if (!rd_ok(r)) {
        emit_malformed(c, "browser: announcement truncated");
        return;
    }
    if (cmd == BRW_DOMAIN_ANNOUNCE) {
        emit_attr(c, WHO_SRC, F_WORKGROUP, name, "browser domain announcement");
        return;
    }
    const char *source = cmd == BRW_HOST_ANNOUNCE ? "browser host announcement"
                                                  : "browser local master announcement";
    char ver[8], types[320];
    str_fmt(ver, sizeof ver, "%u.%u", major, minor);
    const char *rel = os_release(major, minor);
    emit_attr_raw(c, WHO_SRC, F_OS_VERSION, rel ? rel : ver, rel ? ver : NULL, source);
    server_type_text(type, types, sizeof types);
    char raw[16];
    str_fmt(raw, sizeof raw, "0x%08x", type);
    emit_attr_raw(c, WHO_SRC, F_SERVER_TYPE, types, raw, source);
    emit_attr(c, WHO_SRC, F_DESCRIPTION, comment, source);
    if (historian_comment(comment))
        emit_role(c, WHO_SRC, "historian", "browser announcement comment names a historian");
    /* announcements go to WORKGROUP<1d> (master browser) or <1e> */
    if (dst->b[15] == 0x1d || dst->b[15] == 0x1e) {
        char wg[NB_NAME_TEXT];
        nb_format(dst, wg, sizeof wg, false);
        emit_attr(c, WHO_SRC, F_WORKGROUP, wg, source);
    }
}

/* SMB_COM_TRANSACTION to \MAILSLOT\BROWSE (MS-CIFS §2.2.4.33, MS-MAIL §2.2.1) */
static void mailslot(struct pctx *c, struct rd *smb_msg, const struct nb_name *dst)
{
    static const uint8_t smb_magic[4] = {0xff, 'S', 'M', 'B'};
    struct rd r = *smb_msg;
    if (!rd_match(&r, smb_magic, 4))
        return;
    rd_skip(&r, 4);
    uint8_t cmd = rd_u8(&r);
    rd_skip(&r, 27); /* rest of the 32-byte header */
    uint8_t words = rd_u8(&r);
    if (!rd_ok(&r) || cmd != 0x25 || words < 14)
        return;
    rd_skip(&r, 11 * 2); /* to DataCount (word 11) */
    uint16_t data_count = rd_le16(&r), data_off = rd_le16(&r);
    rd_skip(&r, (size_t)(words - 13) * 2);
    uint16_t bytes = rd_le16(&r);
    struct rd names = rd_sub(&r, bytes);
    static const char browse[] = "\\MAILSLOT\\BROWSE";
    if (!rd_ok(&r) || !rd_match(&names, browse, sizeof browse - 1))
        return;
    struct rd data = *smb_msg; /* offsets count from the SMB header */
    rd_skip(&data, data_off);
    struct rd payload = rd_sub(&data, data_count);
    if (!rd_ok(&data)) {
        emit_malformed(c, "browser: data past the datagram");
        return;
    }
    browser(c, &payload, dst);
}

static void nbds_parse(struct pctx *c, struct rd *pdu)
{
    uint8_t type = rd_u8(pdu), flags = rd_u8(pdu);
    rd_skip(pdu, 2); /* datagram id */
    uint8_t ip[4];
    rd_bytes(pdu, ip, 4);
    rd_skip(pdu, 2); /* source port */
    if (!rd_ok(pdu)) {
        emit_malformed(c, "nbds: truncated header");
        return;
    }
    if (type != DGM_DIRECT_UNIQUE && type != DGM_DIRECT_GROUP && type != DGM_BROADCAST)
        return;
    uint16_t dlen = rd_be16(pdu), offset = rd_be16(pdu);
    struct rd body = rd_sub(pdu, rd_left(pdu) < dlen ? rd_left(pdu) : dlen);
    struct nb_name src, dst;
    if (!rd_ok(pdu) || !nb_name_plain(&body, &src) || !nb_name_plain(&body, &dst)) {
        emit_malformed(c, "nbds: bad datagram names");
        return;
    }
    /* the source IP field names the sender; a datagram relayed by an NBDD is not its own */
    if (!addr_is_src(c, ip))
        return;
    nb_emit_name(c, &src, false, "nbds datagram");
    /* first fragment only (§4.4.1: F flag 0x02, offset 0) carries the SMB header */
    if ((flags & 0x02) && offset == 0)
        mailslot(c, &body, &dst);
}

static void parse(struct pctx *c, void *state, int dir, struct rd *pdu)
{
    (void)state;
    (void)dir;
    const struct pkt *p = c->pkt;
    if (p->sport == NBDS_PORT || p->dport == NBDS_PORT)
        nbds_parse(c, pdu);
    else
        nbns_parse(c, pdu);
}

const struct dissector dissector_nbns = {
    .name = "nbns",
    .proto = PROTO_NBNS,
    .udp_ports = {NBNS_PORT, NBDS_PORT},
    .parse = parse,
};
