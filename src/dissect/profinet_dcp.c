/* profinet_dcp.c - PROFINET on ethertype 0x8892 (IEC 61158-6-10): DCP, the Discovery and basic
 * Configuration Protocol (§4.3), and the presence of cyclic RT / alarm frames.  A layer-2
 * dissector: no flow and no state, every value is about the frame's sender.  Identity comes from
 * Identify/Get responses and Hello; a NameOfStation in an Identify *request* is a filter naming
 * the device sought, not the sender, so it is only an operation target. */
#include <stdio.h>
#include <string.h>

#include "dissect/dissect.h"
#include "util/str.h"


/* FrameID ranges (IEC 61158-6-10, "FrameID") */
#define FID_RT_FIRST    0x0100 /* RT_CLASS_3 .. RT_CLASS_1 cyclic data up to 0xfbff */
#define FID_RT_LAST     0xfbff
#define FID_ALARM_HIGH  0xfc01
#define FID_ALARM_LOW   0xfe01
#define FID_DCP_HELLO   0xfefc
#define FID_DCP_GET_SET 0xfefd
#define FID_DCP_IDENT   0xfefe
#define FID_DCP_RESP    0xfeff

/* DCP services and service types (§4.3.1) */
enum { DCP_GET = 3, DCP_SET = 4, DCP_IDENTIFY = 5, DCP_HELLO = 6 };
enum { DCP_REQUEST = 0, DCP_RESPONSE_OK = 1 };

/* options / suboptions */
enum {
    OPT_IP = 1,
    OPT_DEVICE = 2,
    OPT_DHCP = 3,
    OPT_CONTROL = 5,
    OPT_INITIATIVE = 6,
    OPT_ALL = 0xff
};
enum { IP_MAC = 1, IP_PARAMETER = 2, IP_FULL_SUITE = 3 };
enum {
    DEV_VENDOR = 1,
    DEV_NAME = 2,
    DEV_ID = 3,
    DEV_ROLE = 4,
    DEV_OPTIONS = 5,
    DEV_ALIAS = 6,
    DEV_INSTANCE = 7,
    DEV_OEM_ID = 8
};
enum {
    CTL_START = 1,
    CTL_STOP = 2,
    CTL_SIGNAL = 3,
    CTL_RESPONSE = 4,
    CTL_FACTORY_RESET = 5,
    CTL_RESET_TO_FACTORY = 6
};

#define DCP_BLOCKS_MAX 32

static const char *const pn_vendors[] = {
#define V(id, name) [id] = name,
#define P(v, d, name)
#include "../../data/profinet_vendors.inc"
#undef P
#undef V
};

static const struct {
    uint16_t vendor, device;
    const char *family;
} pn_devices[] = {
#define V(id, name)
#define P(v, d, name) {v, d, name},
#include "../../data/profinet_vendors.inc"
#undef P
#undef V
};

static const char *pn_vendor_name(uint16_t v)
{
    return v < NELEM(pn_vendors) ? pn_vendors[v] : NULL;
}

static const char *pn_device_family(uint16_t v, uint16_t d)
{
    for (size_t i = 0; i < NELEM(pn_devices); i++)
        if (pn_devices[i].vendor == v && pn_devices[i].device == d)
            return pn_devices[i].family;
    return NULL;
}

static void ip_text(const uint8_t b[4], char *out, size_t n)
{
    str_fmt(out, n, "%u.%u.%u.%u", b[0], b[1], b[2], b[3]);
}

/* ---- identity blocks (responses and Hello: data after a 2-byte BlockInfo) ---- */
static void device_role(struct pctx *c, uint8_t role, const char *src)
{
    static const char *const names[] = {"IO-Device", "IO-Controller", "IO-Multidevice",
                                        "PN-Supervisor"};
    char text[80] = "", raw[8];
    size_t n = 0;
    for (unsigned b = 0; b < NELEM(names); b++)
        if (role & (1u << b))
            n += (size_t)str_fmt(text + n, sizeof text - n, "%s%s", n ? ", " : "", names[b]);
    if (!n)
        str_fmt(text, sizeof text, "role 0x%02x", role);
    str_fmt(raw, sizeof raw, "0x%02x", role);
    emit_attr_raw(c, WHO_SRC, F_DEVICE_ROLE, text, raw, src);
    if (role & 0x02)
        emit_role(c, WHO_SRC, "plc", src);
    else if (role & 0x01)
        emit_role(c, WHO_SRC, "io-device", src);
}

static void device_id(struct pctx *c, struct rd *b, const char *src)
{
    uint16_t vendor = rd_be16(b), device = rd_be16(b);
    if (!rd_ok(b))
        return;
    char v[8], d[8], pair[16];
    str_fmt(v, sizeof v, "0x%04x", vendor);
    str_fmt(d, sizeof d, "0x%04x", device);
    str_fmt(pair, sizeof pair, "%s/%s", v, d);
    emit_attr(c, WHO_SRC, F_VENDOR_ID, v, src);
    emit_attr(c, WHO_SRC, F_DEVICE_ID, d, src);
    if (pn_vendor_name(vendor))
        emit_attr_raw(c, WHO_SRC, F_VENDOR, pn_vendor_name(vendor), v, src);
    if (pn_device_family(vendor, device))
        emit_attr_raw(c, WHO_SRC, F_MODEL, pn_device_family(vendor, device), pair, src);
}

/* IP parameter: address, mask, gateway; BlockInfo bit 0/1 says it is set (statically / DHCP) */
static void ip_parameter(struct pctx *c, uint16_t info, struct rd *b, const char *src)
{
    uint8_t ip[4];
    rd_bytes(b, ip, 4);
    rd_skip(b, 8);
    if (!rd_ok(b) || !(info & 0x03) || !(ip[0] | ip[1] | ip[2] | ip[3]))
        return;
    char s[16];
    ip_text(ip, s, sizeof s);
    emit_attr(c, WHO_SRC, F_IP_ADDRESS, s, src);
}

static void identity_block(struct pctx *c, uint8_t opt, uint8_t sub, struct rd *b, const char *src)
{
    uint16_t info = rd_be16(b);
    char text[256];
    if (opt == OPT_IP && (sub == IP_PARAMETER || sub == IP_FULL_SUITE)) {
        ip_parameter(c, info, b, src);
    } else if (opt != OPT_DEVICE) {
        return;
    } else if (sub == DEV_NAME || sub == DEV_VENDOR) {
        rd_str(b, rd_left(b), text, sizeof text);
        emit_attr(c, WHO_SRC, sub == DEV_NAME ? F_NAME : F_PRODUCT, text, src);
    } else if (sub == DEV_ID) {
        device_id(c, b, src);
    } else if (sub == DEV_ROLE) {
        uint8_t role = rd_u8(b);
        if (rd_ok(b))
            device_role(c, role, src);
    } else if (sub == DEV_INSTANCE) {
        uint8_t hi = rd_u8(b), lo = rd_u8(b);
        if (rd_ok(b))
            emit_attrf(c, WHO_SRC, F_DEVICE_INSTANCE, src, "%u.%u", hi, lo);
    }
}

/* ---- requests ---- */
struct dtxt {
    char s[160];
    size_t n;
};

static void dtxt_add(struct dtxt *t, const char *s)
{
    if (t->n < sizeof t->s - 1)
        t->n += (size_t)str_fmt(t->s + t->n, sizeof t->s - t->n, "%s%s", t->n ? ", " : "", s);
    if (t->n >= sizeof t->s)
        t->n = sizeof t->s - 1;
}

static const char *option_name(uint8_t opt, uint8_t sub)
{
    static const char *const ip[] = {NULL, "mac address", "ip parameter", "full ip suite"};
    static const char *const dev[] = {NULL,         "device vendor",   "name of station",
                                      "device id",  "device role",     "device options",
                                      "alias name", "device instance", "oem device id"};
    if (opt == OPT_IP && sub < NELEM(ip))
        return ip[sub];
    if (opt == OPT_DEVICE && sub < NELEM(dev))
        return dev[sub];
    if (opt == OPT_ALL && sub == 0xff)
        return "all";
    return NULL;
}

/* an Identify request's filter block (no BlockInfo) */
static void identify_filter(struct dtxt *t, uint8_t opt, uint8_t sub, struct rd *b)
{
    char s[200];
    if (opt == OPT_DEVICE && (sub == DEV_NAME || sub == DEV_ALIAS)) {
        char name[160];
        rd_str(b, rd_left(b), name, sizeof name);
        str_fmt(s, sizeof s, "%s %s", sub == DEV_NAME ? "name" : "alias", name);
    } else if (opt == OPT_DEVICE && sub == DEV_ID) {
        uint16_t v = rd_be16(b), d = rd_be16(b);
        str_fmt(s, sizeof s, "vendor 0x%04x device 0x%04x", v, d);
    } else if (option_name(opt, sub)) {
        str_fmt(s, sizeof s, "%s", option_name(opt, sub));
    } else {
        str_fmt(s, sizeof s, "option %u/%u", opt, sub);
    }
    dtxt_add(t, s);
}

/* ResetToFactory BlockQualifier modes (IEC 61158-6-10, DCP control option, bits 1..15) */
static const char *reset_mode(uint16_t q)
{
    switch (q >> 1) {
    case 1:
        return "application data";
    case 2:
        return "communication parameters";
    case 3:
    case 5:
        return "engineering parameters";
    case 4:
        return "all stored data";
    case 8:
        return "factory values";
    case 9:
        return "reset and restore";
    default:
        return NULL;
    }
}

static void set_ip(struct pctx *c, uint8_t sub, uint16_t qual, struct rd *b)
{
    uint8_t a[12];
    rd_bytes(b, a, 12);
    if (!rd_ok(b))
        return;
    char ip[16], mask[16], gw[16], target[96];
    ip_text(a, ip, sizeof ip);
    ip_text(a + 4, mask, sizeof mask);
    ip_text(a + 8, gw, sizeof gw);
    str_fmt(target, sizeof target, "%s mask %s gateway %s", ip, mask, gw);
    emit_op(
        c, OP_CONFIG_WRITE,
        sub == IP_FULL_SUITE
            ? (qual & 1 ? "dcp set full ip suite (permanent)" : "dcp set full ip suite (temporary)")
            : (qual & 1 ? "dcp set ip parameter (permanent)" : "dcp set ip parameter (temporary)"),
        target, NULL);
}

/* a Set request block: BlockQualifier, then the new value */
static void set_block(struct pctx *c, uint8_t opt, uint8_t sub, struct rd *b)
{
    uint16_t qual = rd_be16(b);
    char fn[96], target[200];
    if (opt == OPT_DEVICE && sub == DEV_NAME) {
        rd_str(b, rd_left(b), target, sizeof target);
        emit_op(c, OP_CONFIG_WRITE,
                qual & 1 ? "dcp set name of station (permanent)"
                         : "dcp set name of station (temporary)",
                target[0] ? target : "(empty: name removed)", NULL);
    } else if (opt == OPT_IP && (sub == IP_PARAMETER || sub == IP_FULL_SUITE)) {
        set_ip(c, sub, qual, b);
    } else if (opt == OPT_CONTROL && (sub == CTL_START || sub == CTL_STOP)) {
        return; /* transaction brackets */
    } else if (opt == OPT_CONTROL && sub == CTL_SIGNAL) {
        emit_op(c, OP_DIAGNOSTIC, "dcp set signal (flash led)", NULL, NULL);
    } else if (opt == OPT_CONTROL && (sub == CTL_FACTORY_RESET || sub == CTL_RESET_TO_FACTORY)) {
        const char *mode = sub == CTL_RESET_TO_FACTORY ? reset_mode(qual) : NULL;
        str_fmt(target, sizeof target, "%s", mode ? mode : "factory settings");
        emit_op(c, OP_RESTART,
                sub == CTL_FACTORY_RESET ? "dcp reset factory settings" : "dcp reset to factory",
                target, NULL);
    } else {
        const char *name = option_name(opt, sub);
        if (name)
            str_fmt(fn, sizeof fn, "dcp set %s", name);
        else
            str_fmt(fn, sizeof fn, "dcp set option %u/%u", opt, sub);
        emit_op(c, OP_CONFIG_WRITE, fn, NULL, NULL);
    }
}

/* ---- the DCP PDU ---- */
enum dcp_blocks { BLOCKS_INFO, BLOCKS_FILTER, BLOCKS_SET };

/* walk the blocks: option, suboption, length, body, a pad byte after an odd body */
static bool walk_blocks(struct pctx *c, struct rd *r, enum dcp_blocks kind, const char *src,
                        struct dtxt *t)
{
    for (int i = 0; rd_left(r) && i < DCP_BLOCKS_MAX; i++) {
        uint8_t opt = rd_u8(r), sub = rd_u8(r);
        uint16_t len = rd_be16(r);
        struct rd b = rd_sub(r, len);
        if (!rd_ok(r))
            return false;
        if ((len & 1) && rd_left(r))
            rd_skip(r, 1);
        if (kind == BLOCKS_INFO)
            identity_block(c, opt, sub, &b, src);
        else if (kind == BLOCKS_FILTER)
            identify_filter(t, opt, sub, &b);
        else
            set_block(c, opt, sub, &b);
    }
    return true;
}

/* a Get request: option/suboption pairs */
static void get_request(struct pctx *c, struct rd *r)
{
    struct dtxt t = {.n = 0};
    for (int i = 0; rd_left(r) >= 2 && i < DCP_BLOCKS_MAX; i++) {
        uint8_t opt = rd_u8(r), sub = rd_u8(r);
        char s[32];
        const char *name = option_name(opt, sub);
        if (!name)
            str_fmt(s, sizeof s, "option %u/%u", opt, sub);
        dtxt_add(&t, name ? name : s);
    }
    emit_op(c, OP_READ, "dcp get", t.n ? t.s : NULL, NULL);
}

static void dcp(struct pctx *c, uint16_t frame_id, struct rd *pdu)
{
    uint8_t service = rd_u8(pdu), type = rd_u8(pdu);
    rd_skip(pdu, 4 + 2); /* xid, response delay / reserved */
    uint16_t len = rd_be16(pdu);
    struct rd blocks = rd_sub(pdu, len);
    if (!rd_ok(pdu)) {
        emit_malformed(c, "profinet-dcp: truncated");
        return;
    }
    emit_protocol(c, PROTO_PROFINET_DCP);
    bool ok = true;
    struct dtxt t = {.n = 0};
    if (service == DCP_IDENTIFY && type == DCP_REQUEST && frame_id == FID_DCP_IDENT) {
        ok = walk_blocks(c, &blocks, BLOCKS_FILTER, NULL, &t);
        emit_op(c, OP_READ, "dcp identify", t.n ? t.s : NULL, NULL);
    } else if (service == DCP_IDENTIFY && type == DCP_RESPONSE_OK) {
        ok = walk_blocks(c, &blocks, BLOCKS_INFO, "profinet-dcp identify response", &t);
    } else if (service == DCP_HELLO && type == DCP_REQUEST) {
        ok = walk_blocks(c, &blocks, BLOCKS_INFO, "profinet-dcp hello", &t);
    } else if (service == DCP_GET && type == DCP_REQUEST) {
        get_request(c, &blocks);
    } else if (service == DCP_GET && type == DCP_RESPONSE_OK) {
        ok = walk_blocks(c, &blocks, BLOCKS_INFO, "profinet-dcp get response", &t);
    } else if (service == DCP_SET && type == DCP_REQUEST) {
        ok = walk_blocks(c, &blocks, BLOCKS_SET, NULL, &t);
    }
    if (!ok)
        emit_malformed(c, "profinet-dcp: truncated block");
}

static void parse(struct pctx *c, void *state, int dir, struct rd *pdu)
{
    (void)state;
    (void)dir;
    uint16_t frame_id = rd_be16(pdu);
    if (!rd_ok(pdu)) {
        emit_malformed(c, "profinet: no frame id");
        return;
    }
    if (frame_id >= FID_DCP_HELLO && frame_id <= FID_DCP_RESP)
        dcp(c, frame_id, pdu);
    else if ((frame_id >= FID_RT_FIRST && frame_id <= FID_RT_LAST) || frame_id == FID_ALARM_HIGH ||
             frame_id == FID_ALARM_LOW)
        emit_protocol(c, PROTO_PROFINET_RT);
    /* the rest is PTCP time synchronisation and fragmentation: no identity, no operation */
}

const struct dissector dissector_profinet_dcp = {
    .name = "profinet_dcp",
    .proto = PROTO_PROFINET_DCP,
    .ethertype = 0x8892,
    .parse = parse,
};
