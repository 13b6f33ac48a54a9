/* dhcp.c - DHCPv4 (RFC 2131/2132, udp 67/68) and DHCPv6 (RFC 8415, udp 546/547): what a client
 * says about itself (host name, vendor class, client id, FQDN, and the option request list that
 * fingerprints its DHCP stack).  Only client messages sent by the client itself are used: a
 * DHCPv4 client often has no address yet, so the evidence is about the frame's source MAC, and
 * only when chaddr is that MAC (a relay agent forwarding for the client is not the client). */
#include <stdio.h>
#include <string.h>

#include "dissect/dissect.h"
#include "util/str.h"

#define DHCP_SERVER_PORT  67
#define DHCP_CLIENT_PORT  68
#define DHCP6_CLIENT_PORT 546
#define DHCP6_SERVER_PORT 547

#define DHCP_MAGIC     0x63825363u /* RFC 2131 §3 magic cookie */
#define BOOTREQUEST    1
#define BOOTREPLY      2
#define HTYPE_ETHERNET 1

/* RFC 2132 option codes */
enum {
    OPT_PAD = 0,
    OPT_HOSTNAME = 12,
    OPT_OVERLOAD = 52,
    OPT_MSG_TYPE = 53,
    OPT_PRL = 55,
    OPT_VENDOR_CLASS = 60,
    OPT_CLIENT_ID = 61,
    OPT_FQDN = 81, /* RFC 4702 */
    OPT_END = 255,
};

/* RFC 8415 §7.3 message types and §21 option codes */
enum {
    V6_SOLICIT = 1,
    V6_ADVERTISE = 2,
    V6_REQUEST = 3,
    V6_CONFIRM = 4,
    V6_RENEW = 5,
    V6_REBIND = 6,
    V6_REPLY = 7,
    V6_RELEASE = 8,
    V6_DECLINE = 9,
    V6_RECONFIGURE = 10,
    V6_INFO_REQUEST = 11,
    V6_RELAY_FORW = 12,
    V6_RELAY_REPL = 13,
};
enum {
    V6_OPT_CLIENTID = 1,
    V6_OPT_ORO = 6,
    V6_OPT_RELAY_MSG = 9,
    V6_OPT_VENDOR_CLASS = 16,
    V6_OPT_CLIENT_FQDN = 39, /* RFC 4704 */
};

#define NAME_MAX_TEXT 256
#define FP_MAX        512 /* "1,3,6,..." for up to 255 codes */
#define HEX_MAX       (3 * 64 + 1)

/* what one client message said, collected before anything is emitted */
struct dhcp_client {
    char hostname[NAME_MAX_TEXT];
    char vendor_class[NAME_MAX_TEXT];
    char vendor_raw[32];
    char fqdn[NAME_MAX_TEXT];
    char client_id[HEX_MAX];
    char fingerprint[FP_MAX];
};

/* ---- small formatting helpers (on copied bytes, never on the packet) ---- */

static void hex_bytes(struct rd *r, size_t n, char *out, size_t outsz)
{
    size_t o = 0;
    out[0] = '\0';
    for (size_t i = 0; i < n && rd_ok(r); i++) {
        uint8_t b = rd_u8(r);
        if (!rd_ok(r) || o + 4 > outsz)
            break;
        o += (size_t)str_fmt(out + o, outsz - o, i ? ":%02x" : "%02x", b);
    }
}

/* append one option code to a comma-separated list */
static void fp_append(char *fp, size_t fpsz, unsigned code)
{
    size_t o = strlen(fp);
    if (o + 7 < fpsz)
        str_fmt(fp + o, fpsz - o, o ? ",%u" : "%u", code);
}

/* RFC 1035 §3.1 uncompressed domain name (DHCP FQDN options forbid compression) */
static void wire_name(struct rd *r, char *out, size_t outsz)
{
    size_t o = 0;
    out[0] = '\0';
    for (int labels = 0; labels < 128 && rd_left(r); labels++) {
        uint8_t len = rd_u8(r);
        if (len == 0 || len > 63) {
            if (len > 63)
                rd_fail(r);
            break;
        }
        char label[64 * 4 + 1];
        rd_str(r, len, label, sizeof label);
        if (!rd_ok(r))
            break;
        int k = str_fmt(out + o, outsz - o, o ? ".%s" : "%s", label);
        if (k < 0 || (size_t)k >= outsz - o)
            break;
        o += (size_t)k;
    }
}

/* ---- DHCPv4 ---- */

static const char *dhcp4_type_name(uint8_t t)
{
    static const char *const names[] = {"bootp", "discover", "offer",   "request", "decline",
                                        "ack",   "nak",      "release", "inform"};
    return t < sizeof names / sizeof *names ? names[t] : "message";
}

static bool dhcp4_is_client_type(uint8_t t)
{
    /* 0: no option 53 (plain BOOTP request) */
    return t == 0 || t == 1 || t == 3 || t == 4 || t == 7 || t == 8;
}

/* RFC 4702 §2: flags, two rcodes, then the name, canonical wire form when E (0x04) is set */
static void dhcp4_fqdn(struct rd *o, char *out, size_t outsz)
{
    uint8_t flags = rd_u8(o);
    rd_skip(o, 2);
    if (!rd_ok(o))
        return;
    if (flags & 0x04)
        wire_name(o, out, outsz);
    else
        rd_str(o, rd_left(o), out, outsz);
}

/* one option area (options field, or file/sname when overloaded); false when malformed */
static bool dhcp4_options(struct rd *r, struct dhcp_client *cl, uint8_t *type, uint8_t *overload)
{
    while (rd_left(r)) {
        uint8_t code = rd_u8(r);
        if (code == OPT_PAD)
            continue;
        if (code == OPT_END)
            return true;
        uint8_t len = rd_u8(r);
        struct rd o = rd_sub(r, len);
        if (!rd_ok(r))
            return false;
        switch (code) {
        case OPT_MSG_TYPE:
            *type = rd_u8(&o);
            break;
        case OPT_OVERLOAD:
            *overload = rd_u8(&o);
            break;
        case OPT_HOSTNAME:
            rd_str(&o, len, cl->hostname, sizeof cl->hostname);
            break;
        case OPT_VENDOR_CLASS:
            rd_str(&o, len, cl->vendor_class, sizeof cl->vendor_class);
            break;
        case OPT_CLIENT_ID:
            hex_bytes(&o, len, cl->client_id, sizeof cl->client_id);
            break;
        case OPT_FQDN:
            dhcp4_fqdn(&o, cl->fqdn, sizeof cl->fqdn);
            break;
        case OPT_PRL:
            cl->fingerprint[0] = '\0';
            for (uint8_t i = 0; i < len; i++)
                fp_append(cl->fingerprint, sizeof cl->fingerprint, rd_u8(&o));
            break;
        }
    }
    return true; /* no END option: tolerated, many stacks pad instead */
}

/* may this client message be told about the packet's source? */
static bool dhcp4_sender_is_client(const struct pctx *c, uint8_t htype, uint8_t hlen,
                                   const uint8_t chaddr[6], uint32_t giaddr)
{
    const struct pkt *p = c->pkt;
    if (p->has_mac)
        return htype == HTYPE_ETHERNET && hlen == 6 && memcmp(chaddr, p->smac, 6) == 0;
    return giaddr == 0; /* no link layer: a relayed message comes from the relay */
}

static void dhcp_emit_client(struct pctx *c, const struct dhcp_client *cl, const char *source)
{
    emit_attr(c, WHO_SRC, F_HOSTNAME, cl->hostname, source);
    emit_attr_raw(c, WHO_SRC, F_VENDOR_CLASS, cl->vendor_class, cl->vendor_raw, source);
    emit_attr(c, WHO_SRC, F_FQDN, cl->fqdn, source);
    emit_attr(c, WHO_SRC, F_CLIENT_ID, cl->client_id, source);
}

static void dhcp4_parse(struct pctx *c, struct rd *pdu)
{
    uint8_t op = rd_u8(pdu), htype = rd_u8(pdu), hlen = rd_u8(pdu);
    rd_skip(pdu, 1 + 4 + 2 + 2 + 4 * 3); /* hops xid secs flags ciaddr yiaddr siaddr */
    uint32_t giaddr = rd_be32(pdu);
    uint8_t chaddr[16];
    rd_bytes(pdu, chaddr, sizeof chaddr);
    struct rd sname = rd_sub(pdu, 64), file = rd_sub(pdu, 128);
    if (!rd_ok(pdu) || (op != BOOTREQUEST && op != BOOTREPLY)) {
        emit_malformed(c, !rd_ok(pdu) ? "dhcp: truncated header" : "dhcp: bad op");
        return;
    }
    if (rd_left(pdu) < 4 || rd_be32(pdu) != DHCP_MAGIC)
        return; /* plain BOOTP: no options to read */
    struct dhcp_client cl;
    memset(&cl, 0, sizeof cl);
    uint8_t type = 0, overload = 0;
    bool ok = dhcp4_options(pdu, &cl, &type, &overload);
    /* RFC 2132 §9.3: option overload continues in file (1), sname (2) or both (3) */
    if (ok && (overload & 1))
        ok = dhcp4_options(&file, &cl, &type, &overload);
    if (ok && (overload & 2))
        ok = dhcp4_options(&sname, &cl, &type, &overload);
    if (!ok) {
        emit_malformed(c, "dhcp: option runs past the message");
        return;
    }
    if (op != BOOTREQUEST || !dhcp4_is_client_type(type) ||
        !dhcp4_sender_is_client(c, htype, hlen, chaddr, giaddr))
        return;
    char source[48];
    str_fmt(source, sizeof source, "dhcp %s", dhcp4_type_name(type));
    dhcp_emit_client(c, &cl, source);
    emit_attr(c, WHO_SRC, F_DHCP_FINGERPRINT, cl.fingerprint, source);
}

/* ---- DHCPv6 ---- */

static const char *dhcp6_type_name(uint8_t t)
{
    static const char *const names[] = {
        "message",       "solicit",    "advertise", "request", "confirm",     "renew",
        "rebind",        "reply",      "release",   "decline", "reconfigure", "information-request",
        "relay-forward", "relay-reply"};
    return t < sizeof names / sizeof *names ? names[t] : "message";
}

static bool dhcp6_is_client_type(uint8_t t)
{
    return t == V6_SOLICIT || t == V6_REQUEST || t == V6_CONFIRM || t == V6_RENEW ||
           t == V6_REBIND || t == V6_RELEASE || t == V6_DECLINE || t == V6_INFO_REQUEST;
}

/* RFC 8415 §21.16: enterprise number, then length-prefixed opaque strings; the first one */
static void dhcp6_vendor_class(struct rd *o, struct dhcp_client *cl)
{
    uint32_t enterprise = rd_be32(o);
    uint16_t n = rd_be16(o);
    rd_str(o, n, cl->vendor_class, sizeof cl->vendor_class);
    if (rd_ok(o))
        str_fmt(cl->vendor_raw, sizeof cl->vendor_raw, "enterprise %u", enterprise);
}

/* false when an option runs past the message */
static bool dhcp6_options(struct rd *r, struct dhcp_client *cl)
{
    while (rd_left(r)) {
        uint16_t code = rd_be16(r), len = rd_be16(r);
        struct rd o = rd_sub(r, len);
        if (!rd_ok(r))
            return false;
        switch (code) {
        case V6_OPT_CLIENTID:
            hex_bytes(&o, len, cl->client_id, sizeof cl->client_id);
            break;
        case V6_OPT_ORO:
            cl->fingerprint[0] = '\0';
            while (rd_left(&o) >= 2)
                fp_append(cl->fingerprint, sizeof cl->fingerprint, rd_be16(&o));
            break;
        case V6_OPT_VENDOR_CLASS:
            dhcp6_vendor_class(&o, cl);
            break;
        case V6_OPT_CLIENT_FQDN:
            rd_skip(&o, 1); /* flags, RFC 4704 §4.1 */
            wire_name(&o, cl->fqdn, sizeof cl->fqdn);
            break;
        }
    }
    return true;
}

static void dhcp6_parse(struct pctx *c, struct rd *pdu)
{
    uint8_t type = rd_u8(pdu);
    if (type == V6_RELAY_FORW || type == V6_RELAY_REPL) {
        /* hop count, link and peer address: the client is behind the relay, not addressable */
        rd_skip(pdu, 1 + 16 + 16);
    } else {
        rd_skip(pdu, 3); /* transaction id */
    }
    if (!rd_ok(pdu) || type == 0) {
        emit_malformed(c, "dhcpv6: truncated header");
        return;
    }
    struct dhcp_client cl;
    memset(&cl, 0, sizeof cl);
    if (!dhcp6_options(pdu, &cl)) {
        emit_malformed(c, "dhcpv6: option runs past the message");
        return;
    }
    if (type == V6_RELAY_FORW || type == V6_RELAY_REPL)
        return;
    /* 546 < 547 would make the client look like the server: say who serves */
    bool client_msg = dhcp6_is_client_type(type);
    emit_server(c, client_msg ? WHO_DST : WHO_SRC);
    if (!client_msg)
        return;
    char source[48];
    str_fmt(source, sizeof source, "dhcpv6 %s", dhcp6_type_name(type));
    dhcp_emit_client(c, &cl, source);
    emit_attr(c, WHO_SRC, F_DHCP6_FINGERPRINT, cl.fingerprint, source);
}

static bool dhcp_is_v6(const struct pkt *p)
{
    return p->sport == DHCP6_CLIENT_PORT || p->sport == DHCP6_SERVER_PORT ||
           p->dport == DHCP6_CLIENT_PORT || p->dport == DHCP6_SERVER_PORT;
}

static void parse(struct pctx *c, void *state, int dir, struct rd *pdu)
{
    (void)state;
    (void)dir;
    if (dhcp_is_v6(c->pkt))
        dhcp6_parse(c, pdu);
    else
        dhcp4_parse(c, pdu);
}

const struct dissector dissector_dhcp = {
    .name = "dhcp",
    .proto = PROTO_DHCP,
    .udp_ports = {DHCP_SERVER_PORT, DHCP_CLIENT_PORT, DHCP6_SERVER_PORT, DHCP6_CLIENT_PORT},
    .parse = parse,
};
