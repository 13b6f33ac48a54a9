/* lldp.c - LLDP (IEEE 802.1AB-2016 §8), ethertype 0x88cc: a device's own name, description,
 * chassis/port ids, capabilities and management address, plus LLDP-MED inventory (ANSI/TIA-1057
 * §10.2.6) and the PROFINET chassis MAC (IEC 61158-6-10, OUI 00:0e:cf).  Everything is about the
 * sending MAC, which is often a per-port MAC rather than the device's interface MAC: the
 * management address is then kept as management_address, not claimed as that MAC's own IP. */
#include <stdio.h>
#include <string.h>

#include "dissect/dissect.h"
#include "util/str.h"

#define LLDP_ETHERTYPE 0x88cc

/* §8.4.1 TLV types */
enum {
    TLV_END = 0,
    TLV_CHASSIS_ID = 1,
    TLV_PORT_ID = 2,
    TLV_TTL = 3,
    TLV_PORT_DESC = 4,
    TLV_SYS_NAME = 5,
    TLV_SYS_DESC = 6,
    TLV_SYS_CAPS = 7,
    TLV_MGMT_ADDR = 8,
    TLV_ORG = 127,
};

/* §8.5.8.1 system capabilities bits */
#define CAP_REPEATER  0x0002
#define CAP_BRIDGE    0x0004
#define CAP_WLAN_AP   0x0008
#define CAP_ROUTER    0x0010
#define CAP_TELEPHONE 0x0020
#define CAP_STATION   0x0080

/* organizationally unique identifiers of org-specific TLVs (§8.6) */
#define OUI_IEEE_8021 0x0080c2
#define OUI_TIA_MED   0x0012bb
#define OUI_PROFINET  0x000ecf

#define TEXT_MAX 512

/* facts about the whole LLDPDU that change how single TLVs are read */
struct lldp_frame {
    bool has_sys_name;
    bool profinet;      /* PROFINET org TLVs present */
    bool port_of_other; /* the chassis MAC (id subtype 4, or PROFINET's) is not the sender */
    uint8_t chassis_subtype;
};

static void mac_text(const uint8_t m[6], char out[18])
{
    str_fmt(out, 18, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
}

/* an IANA address family number (RFC 3232) and address as text; false if not IPv4/IPv6 */
static bool addr_text(uint8_t family, struct rd *r, size_t len, char *out, size_t outsz)
{
    struct ipaddr a;
    memset(&a, 0, sizeof a);
    if (family == 1 && len == 4)
        a.family = 4;
    else if (family == 2 && len == 16)
        a.family = 6;
    else
        return false;
    rd_bytes(r, a.b, len);
    if (!rd_ok(r) || !ip_is_unicast_host(&a))
        return false;
    char ip[IP_STRLEN];
    ip_format(&a, ip);
    str_fmt(out, outsz, "%s", ip);
    return true;
}

/* chassis id (§8.5.2) / port id (§8.5.3): MAC and network address subtypes as addresses,
 * the rest (names, aliases, locally assigned) as text */
static void id_text(struct rd *v, bool chassis, char *out, size_t outsz)
{
    uint8_t sub = rd_u8(v);
    uint8_t mac_sub = chassis ? 4 : 3, net_sub = chassis ? 5 : 4;
    out[0] = '\0';
    if (sub == mac_sub && rd_left(v) == 6) {
        uint8_t m[6];
        rd_bytes(v, m, 6);
        mac_text(m, out);
    } else if (sub == net_sub) {
        uint8_t fam = rd_u8(v);
        if (!addr_text(fam, v, rd_left(v), out, outsz))
            out[0] = '\0';
    } else {
        rd_str(v, rd_left(v), out, outsz);
    }
}

static void caps_text(uint16_t caps, char *out, size_t outsz)
{
    static const char *const names[] = {
        "other",        "repeater", "bridge", "wlan-ap",           "router", "telephone", "docsis",
        "station-only", "c-vlan",   "s-vlan", "two-port-mac-relay"};
    size_t o = 0;
    out[0] = '\0';
    for (unsigned i = 0; i < sizeof names / sizeof *names; i++) {
        if (!(caps & (1u << i)))
            continue;
        int k = str_fmt(out + o, outsz - o, o ? ",%s" : "%s", names[i]);
        if (k < 0 || (size_t)k >= outsz - o)
            break;
        o += (size_t)k;
    }
}

static void lldp_caps(struct pctx *c, struct rd *v)
{
    uint16_t have = rd_be16(v), enabled = rd_be16(v);
    if (!rd_ok(v))
        return;
    char text[160], raw[24];
    caps_text(enabled, text, sizeof text);
    str_fmt(raw, sizeof raw, "0x%04x/0x%04x", have, enabled);
    emit_attr_raw(c, WHO_SRC, F_CAPABILITIES, text, raw, "lldp system capabilities");
    /* forwarding for others makes a network device; an IP phone's built-in bridge does not */
    if ((enabled & (CAP_BRIDGE | CAP_ROUTER | CAP_WLAN_AP | CAP_REPEATER)) &&
        !(enabled & (CAP_TELEPHONE | CAP_STATION)))
        emit_role(c, WHO_SRC, "network-device", "lldp system capabilities");
}

/* §8.5.9: address string length (subtype + address), subtype, address, interface, OID.  An
 * ip_address from a layer-2 frame binds the address to the sending MAC: only when the sender
 * is the chassis itself, not one of its ports (switches send LLDP from per-port MACs). */
static void lldp_mgmt(struct pctx *c, const struct lldp_frame *fr, struct rd *v)
{
    uint8_t len = rd_u8(v), fam = rd_u8(v);
    char ip[IP_STRLEN];
    if (len < 1 || !addr_text(fam, v, (size_t)len - 1, ip, sizeof ip))
        return;
    emit_attr(c, WHO_SRC, F_MGMT_ADDRESS, ip, "lldp management address");
    if (!fr->port_of_other)
        emit_attr(c, WHO_SRC, F_IP_ADDRESS, ip, "lldp management address");
}

static void lldp_med(struct pctx *c, uint8_t sub, struct rd *v)
{
    static const enum attr_field fields[] = {
        [5] = F_HARDWARE, [6] = F_FIRMWARE, [7] = F_SOFTWARE_VERSION,
        [8] = F_SERIAL,   [9] = F_VENDOR,   [10] = F_PRODUCT};
    if (sub < 5 || sub > 10)
        return;
    char text[256];
    rd_str(v, rd_left(v), text, sizeof text);
    emit_attr(c, WHO_SRC, fields[sub], text, "lldp-med inventory");
}

static void lldp_org(struct pctx *c, struct rd *v)
{
    uint32_t oui = rd_be24(v);
    uint8_t sub = rd_u8(v);
    if (!rd_ok(v))
        return;
    if (oui == OUI_IEEE_8021 && sub == 1) { /* port VLAN id, 802.1Q Annex D.2.1 */
        uint16_t vid = rd_be16(v);
        if (rd_ok(v) && vid)
            emit_attrf(c, WHO_SRC, F_NATIVE_VLAN, "lldp port vlan id", "%u", vid);
    } else if (oui == OUI_TIA_MED) {
        lldp_med(c, sub, v);
    } else if (oui == OUI_PROFINET && sub == 5 && rd_left(v) == 6) {
        uint8_t m[6];
        char text[18];
        rd_bytes(v, m, 6);
        mac_text(m, text);
        emit_attr(c, WHO_SRC, F_CHASSIS_MAC, text, "lldp profinet chassis mac");
    }
}

static void lldp_tlv(struct pctx *c, const struct lldp_frame *fr, uint8_t type, struct rd *v)
{
    char text[TEXT_MAX];
    switch (type) {
    case TLV_CHASSIS_ID:
        id_text(v, true, text, sizeof text);
        emit_attr(c, WHO_SRC, F_CHASSIS_ID, text, "lldp chassis id");
        /* IEC 61158-6-10: a PROFINET device's locally assigned chassis id is its
         * NameOfStation */
        if (fr->profinet && !fr->has_sys_name && fr->chassis_subtype == 7)
            emit_attr(c, WHO_SRC, F_NAME, text, "lldp profinet chassis id");
        break;
    case TLV_PORT_ID:
        id_text(v, false, text, sizeof text);
        emit_attr(c, WHO_SRC, F_PORT_ID, text, "lldp port id");
        break;
    case TLV_PORT_DESC:
        rd_str(v, rd_left(v), text, sizeof text);
        emit_attr(c, WHO_SRC, F_PORT_DESCRIPTION, text, "lldp port description");
        break;
    case TLV_SYS_NAME:
        rd_str(v, rd_left(v), text, sizeof text);
        emit_attr(c, WHO_SRC, F_NAME, text, "lldp system name");
        break;
    case TLV_SYS_DESC:
        rd_str(v, rd_left(v), text, sizeof text);
        emit_attr(c, WHO_SRC, F_DESCRIPTION, text, "lldp system description");
        break;
    case TLV_SYS_CAPS:
        lldp_caps(c, v);
        break;
    case TLV_MGMT_ADDR:
        lldp_mgmt(c, fr, v);
        break;
    case TLV_ORG:
        lldp_org(c, v);
        break;
    }
}

/* a first pass over a copy of the TLVs; errors are left to the second */
static void lldp_scan(const struct pctx *c, struct rd r, struct lldp_frame *fr)
{
    memset(fr, 0, sizeof *fr);
    while (rd_left(&r)) {
        uint16_t h = rd_be16(&r);
        uint8_t type = (uint8_t)(h >> 9);
        struct rd v = rd_sub(&r, h & 0x1ff);
        if (!rd_ok(&r) || type == TLV_END)
            return;
        if (type == TLV_CHASSIS_ID) {
            fr->chassis_subtype = rd_u8(&v);
            uint8_t m[6];
            if (fr->chassis_subtype == 4 && rd_left(&v) == 6) {
                rd_bytes(&v, m, 6);
                fr->port_of_other |= c->pkt->has_mac && memcmp(m, c->pkt->smac, 6) != 0;
            }
        } else if (type == TLV_SYS_NAME && rd_left(&v))
            fr->has_sys_name = true;
        else if (type == TLV_ORG && rd_be24(&v) == OUI_PROFINET) {
            fr->profinet = true;
            uint8_t m[6];
            if (rd_u8(&v) == 5 && rd_left(&v) == 6) {
                rd_bytes(&v, m, 6);
                fr->port_of_other |= c->pkt->has_mac && memcmp(m, c->pkt->smac, 6) != 0;
            }
        }
    }
}

static void parse(struct pctx *c, void *state, int dir, struct rd *pdu)
{
    (void)state;
    (void)dir;
    struct lldp_frame fr;
    lldp_scan(c, *pdu, &fr);
    /* §8.2: chassis id, port id and TTL come first, in that order */
    for (int i = 0; rd_left(pdu); i++) {
        uint16_t h = rd_be16(pdu);
        uint8_t type = (uint8_t)(h >> 9);
        struct rd v = rd_sub(pdu, h & 0x1ff);
        if (!rd_ok(pdu)) {
            emit_malformed(c, "lldp: TLV runs past the frame");
            return;
        }
        if (i < 3 && type != i + 1) {
            emit_malformed(c, "lldp: mandatory TLVs missing");
            return;
        }
        if (i == 0)
            emit_protocol(c, PROTO_LLDP);
        if (type == TLV_END)
            return;
        lldp_tlv(c, &fr, type, &v);
    }
}

const struct dissector dissector_lldp = {
    .name = "lldp",
    .proto = PROTO_LLDP,
    .ethertype = LLDP_ETHERTYPE,
    .parse = parse,
};
