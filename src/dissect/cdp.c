/* cdp.c - Cisco Discovery Protocol v1/v2 (802.3 + LLC/SNAP, OUI 00:00:0c, PID 0x2000, to
 * 01:00:0c:cc:cc:cc): the sender's device id, addresses, port, capabilities, software version
 * and platform.  The decoder hands SNAP frames over with p->ethertype = the PID and drops the
 * OUI, so the version byte and TLV structure are checked before anything is believed. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "dissect/dissect.h"
#include "util/str.h"

#define CDP_PID 0x2000

/* TLV types (Cisco CDP specification; Wireshark packet-cdp.c lists the same numbers) */
enum {
    CDP_DEVICE_ID = 0x0001,
    CDP_ADDRESSES = 0x0002,
    CDP_PORT_ID = 0x0003,
    CDP_CAPABILITIES = 0x0004,
    CDP_SOFTWARE = 0x0005,
    CDP_PLATFORM = 0x0006,
    CDP_VTP_DOMAIN = 0x0009,
    CDP_NATIVE_VLAN = 0x000a,
    CDP_SYSTEM_NAME = 0x0014,
    CDP_MGMT_ADDRESSES = 0x0016,
};

/* capability bits */
#define CAP_ROUTER    0x0001
#define CAP_TB_BRIDGE 0x0002
#define CAP_SR_BRIDGE 0x0004
#define CAP_SWITCH    0x0008
#define CAP_PHONE     0x0080

#define TEXT_MAX 512

/* Addresses TLV: count, then (protocol type, protocol length, protocol, address length,
 * address); NLPID 0xcc is IPv4, an 802.2 SNAP header ending in 0x86dd is IPv6.  A switch sends
 * CDP from per-port MACs, so its addresses are not claimed as the sending MAC's own (claim). */
static void cdp_addresses(struct pctx *c, struct rd *v, const char *source, bool claim)
{
    uint32_t n = rd_be32(v);
    for (uint32_t i = 0; i < n && i < 16 && rd_left(v); i++) {
        uint8_t ptype = rd_u8(v), plen = rd_u8(v);
        struct rd proto = rd_sub(v, plen);
        uint16_t alen = rd_be16(v);
        struct rd addr = rd_sub(v, alen);
        if (!rd_ok(v)) {
            emit_malformed(c, "cdp: address runs past the TLV");
            return;
        }
        struct ipaddr a;
        memset(&a, 0, sizeof a);
        if (ptype == 1 && plen == 1 && rd_peek_u8(&proto, 0) == 0xcc && alen == 4)
            a.family = 4;
        else if (ptype == 2 && plen == 8 && rd_peek_be16(&proto, 6) == 0x86dd && alen == 16)
            a.family = 6;
        else
            continue;
        rd_bytes(&addr, a.b, alen);
        if (!ip_is_unicast_host(&a))
            continue;
        char ip[IP_STRLEN];
        ip_format(&a, ip);
        emit_attr(c, WHO_SRC, F_MGMT_ADDRESS, ip, source);
        if (claim)
            emit_attr(c, WHO_SRC, F_IP_ADDRESS, ip, source);
    }
}

static void cdp_caps(struct pctx *c, struct rd *v)
{
    static const char *const names[] = {"router",
                                        "trans-bridge",
                                        "source-route-bridge",
                                        "switch",
                                        "host",
                                        "igmp",
                                        "repeater",
                                        "phone",
                                        "remote",
                                        "cvta",
                                        "two-port-mac-relay"};
    uint32_t caps = rd_be32(v);
    if (!rd_ok(v))
        return;
    char text[200], raw[12];
    size_t o = 0;
    text[0] = '\0';
    for (unsigned i = 0; i < sizeof names / sizeof *names; i++) {
        if (!(caps & (1u << i)))
            continue;
        int k = str_fmt(text + o, sizeof text - o, o ? ",%s" : "%s", names[i]);
        if (k < 0 || (size_t)k >= sizeof text - o)
            break;
        o += (size_t)k;
    }
    str_fmt(raw, sizeof raw, "0x%08x", caps);
    emit_attr_raw(c, WHO_SRC, F_CAPABILITIES, text, raw, "cdp capabilities");
    /* a phone's built-in switch port does not make it a network device */
    if ((caps & (CAP_ROUTER | CAP_TB_BRIDGE | CAP_SR_BRIDGE | CAP_SWITCH)) && !(caps & CAP_PHONE))
        emit_role(c, WHO_SRC, "network-device", "cdp capabilities");
}

/* Software version: multi-line banner; its first line is the description, and the text after
 * "Version " up to a comma or blank is the release ("15.2(7)E4") */
static void cdp_software(struct pctx *c, struct rd *v)
{
    size_t n = 0, left = rd_left(v);
    while (n < left && rd_peek_u8(v, n) != '\n' && rd_peek_u8(v, n) != '\r')
        n++;
    char line[TEXT_MAX];
    rd_str(v, n, line, sizeof line);
    emit_attr(c, WHO_SRC, F_DESCRIPTION, line, "cdp software version");
    const char *ver = strstr(line, "Version ");
    if (!ver) {
        /* phones send the bare load name, "sip88xx.14-1-1-0001-136" */
        if (line[0] && !strchr(line, ' '))
            emit_attr(c, WHO_SRC, F_FIRMWARE, line, "cdp software version");
        return;
    }
    ver += 8;
    char release[64];
    size_t k = 0;
    while (ver[k] && ver[k] != ',' && ver[k] != ' ' && k + 1 < sizeof release) {
        release[k] = ver[k];
        k++;
    }
    release[k] = '\0';
    emit_attr_raw(c, WHO_SRC, F_FIRMWARE, release, line, "cdp software version");
}

/* Platform: "cisco WS-C2960X-24TS-L" names vendor and model; other vendors' CDP says
 * whatever it says, kept whole as the product */
static void cdp_platform(struct pctx *c, struct rd *v)
{
    char text[TEXT_MAX];
    rd_str(v, rd_left(v), text, sizeof text);
    if (!strncasecmp(text, "cisco ", 6) && text[6]) {
        emit_attr_raw(c, WHO_SRC, F_VENDOR, "Cisco", text, "cdp platform");
        emit_attr_raw(c, WHO_SRC, F_PRODUCT, text + 6, text, "cdp platform");
    } else {
        emit_attr(c, WHO_SRC, F_PRODUCT, text, "cdp platform");
    }
}

static void cdp_tlv(struct pctx *c, uint16_t type, struct rd *v, bool claim)
{
    char text[TEXT_MAX];
    switch (type) {
    case CDP_DEVICE_ID:
        rd_str(v, rd_left(v), text, sizeof text);
        emit_attr(c, WHO_SRC, F_NAME, text, "cdp device id");
        break;
    case CDP_SYSTEM_NAME:
        rd_str(v, rd_left(v), text, sizeof text);
        emit_attr(c, WHO_SRC, F_HOSTNAME, text, "cdp system name");
        break;
    case CDP_ADDRESSES:
        cdp_addresses(c, v, "cdp addresses", claim);
        break;
    case CDP_MGMT_ADDRESSES:
        cdp_addresses(c, v, "cdp management addresses", claim);
        break;
    case CDP_PORT_ID:
        rd_str(v, rd_left(v), text, sizeof text);
        emit_attr(c, WHO_SRC, F_PORT_ID, text, "cdp port id");
        break;
    case CDP_CAPABILITIES:
        cdp_caps(c, v);
        break;
    case CDP_SOFTWARE:
        cdp_software(c, v);
        break;
    case CDP_PLATFORM:
        cdp_platform(c, v);
        break;
    case CDP_VTP_DOMAIN:
        rd_str(v, rd_left(v), text, sizeof text);
        emit_attr(c, WHO_SRC, F_VTP_DOMAIN, text, "cdp vtp domain");
        break;
    case CDP_NATIVE_VLAN: {
        uint16_t vlan = rd_be16(v);
        if (rd_ok(v))
            emit_attrf(c, WHO_SRC, F_NATIVE_VLAN, "cdp native vlan", "%u", vlan);
        break;
    }
    }
}

/* the capabilities TLV, wherever it is (0 if absent), from a copy of the TLV list */
static uint32_t cdp_scan_caps(struct rd r)
{
    while (rd_left(&r) >= 4) {
        uint16_t type = rd_be16(&r), len = rd_be16(&r);
        if (len < 4)
            break;
        struct rd v = rd_sub(&r, (size_t)len - 4);
        if (type == CDP_CAPABILITIES)
            return rd_be32(&v);
    }
    return 0;
}

static void parse(struct pctx *c, void *state, int dir, struct rd *pdu)
{
    (void)state;
    (void)dir;
    uint8_t version = rd_u8(pdu);
    rd_skip(pdu, 1 + 2); /* ttl, checksum */
    if (!rd_ok(pdu) || (version != 1 && version != 2)) {
        emit_malformed(c, rd_ok(pdu) ? "cdp: unknown version" : "cdp: truncated header");
        return;
    }
    emit_protocol(c, PROTO_CDP);
    uint32_t caps = cdp_scan_caps(*pdu);
    bool port_mac = (caps & (CAP_TB_BRIDGE | CAP_SR_BRIDGE | CAP_SWITCH)) && !(caps & CAP_PHONE);
    while (rd_left(pdu)) {
        uint16_t type = rd_be16(pdu), len = rd_be16(pdu);
        if (!rd_ok(pdu) || len < 4) {
            emit_malformed(c, "cdp: bad TLV length");
            return;
        }
        struct rd v = rd_sub(pdu, (size_t)len - 4); /* the length counts the TLV header */
        if (!rd_ok(pdu)) {
            emit_malformed(c, "cdp: TLV runs past the frame");
            return;
        }
        cdp_tlv(c, type, &v, !port_mac);
    }
}

const struct dissector dissector_cdp = {
    .name = "cdp",
    .proto = PROTO_CDP,
    .ethertype = CDP_PID,
    .parse = parse,
};
