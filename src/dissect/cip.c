/* cip.c - CIP messages under EtherNet/IP (ODVA "The CIP Networks Library" Vol. 1; see cip.h):
 * the request path says what a service acts on, and a response says nothing of it, so every
 * leaf request (inside Multiple Service Packet and Unconnected Send too) is remembered, in order,
 * for its response.  Object-specific service codes (0x4b-0x63) mean different things per class:
 * 0x4e is Forward Close on the Connection Manager but Read-Modify-Write on a Logix tag. */
#include "dissect/cip.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "util/str.h"


#define CIP_DEPTH_MAX 3  /* Unconnected Send / Multiple Service Packet nesting we follow */
#define CIP_MSP_MAX   64 /* services of one Multiple Service Packet we look at */

/* common services (Vol. 1 Appendix A-3) */
enum {
    SVC_GET_ALL = 0x01,
    SVC_SET_ALL = 0x02,
    SVC_GET_LIST = 0x03,
    SVC_SET_LIST = 0x04,
    SVC_RESET = 0x05,
    SVC_START = 0x06,
    SVC_STOP = 0x07,
    SVC_MSP = 0x0a,
    SVC_GET_SINGLE = 0x0e,
    SVC_SET_SINGLE = 0x10,
    SVC_NOP = 0x17,
};
/* Connection Manager (class 0x06) services (Vol. 1 §3-5.5) */
enum {
    CM_FORWARD_CLOSE = 0x4e,
    CM_UNCONNECTED_SEND = 0x52,
    CM_FORWARD_OPEN = 0x54,
    CM_LARGE_FORWARD_OPEN = 0x5b,
};
/* Logix tag services (Rockwell "Logix 5000 Controllers Data Access", 1756-PM020) */
enum {
    LGX_READ_TAG = 0x4c,
    LGX_WRITE_TAG = 0x4d,
    LGX_RMW_TAG = 0x4e,
    LGX_READ_FRAG = 0x52,
    LGX_WRITE_FRAG = 0x53,
    LGX_GET_INSTANCE_ATTRS = 0x55,
};
#define PCCC_EXECUTE 0x4b

enum {
    CLS_IDENTITY = 0x01,
    CLS_ASSEMBLY = 0x04,
    CLS_CONN_MGR = 0x06,
    CLS_PCCC = 0x67,
    CLS_SYMBOL = 0x6b,
    CLS_TEMPLATE = 0x6c,
    CLS_TCPIP = 0xf5,
};

/* ---- a bounded text builder ---- */
struct ctxt {
    char s[192];
    size_t n;
};

__attribute__((format(printf, 2, 3))) static void tadd(struct ctxt *t, const char *fmt, ...)
{
    if (t->n >= sizeof t->s - 1)
        return;
    va_list ap;
    va_start(ap, fmt);
    int k = str_vfmt(t->s + t->n, sizeof t->s - t->n, fmt, ap);
    va_end(ap);
    if (k > 0)
        t->n += (size_t)k < sizeof t->s - t->n ? (size_t)k : sizeof t->s - t->n - 1;
}

/* ---- tables ---- */
static const char *const cip_vendors[] = {
#define V(id, name) [id] = name,
#include "../../data/cip_vendors.inc"
#undef V
};

static const char *const cip_device_types[] = {
#define D(id, name) [id] = name,
#include "../../data/cip_device_types.inc"
#undef D
};

const char *cip_vendor_name(uint16_t vendor)
{
    return vendor < NELEM(cip_vendors) ? cip_vendors[vendor] : NULL;
}

const char *cip_device_type_name(uint16_t type)
{
    return type < NELEM(cip_device_types) ? cip_device_types[type] : NULL;
}

void cip_revision_format(uint8_t major, uint8_t minor, char *out, size_t n)
{
    str_fmt(out, n, "V%u.%03u", major, minor);
}

/* general status codes (Vol. 1 Appendix B-1) */
static const char *const cip_status_names[] = {
    "success",
    "connection failure",
    "resource unavailable",
    "invalid parameter value",
    "path segment error",
    "path destination unknown",
    "partial transfer",
    "connection lost",
    "service not supported",
    "invalid attribute value",
    "attribute list error",
    "already in requested mode/state",
    "object state conflict",
    "object already exists",
    "attribute not settable",
    "privilege violation",
    "device state conflict",
    "reply data too large",
    "fragmentation of a primitive value",
    "not enough data",
    "attribute not supported",
    "too much data",
    "object does not exist",
    "service fragmentation sequence not in progress",
    "no stored attribute data",
    "store operation failure",
    "routing failure, request packet too large",
    "routing failure, response packet too large",
    "missing attribute list entry data",
    "invalid attribute value list",
    "embedded service error",
    "vendor specific error",
    "invalid parameter",
    "write-once value or medium already written",
    "invalid reply received",
    "buffer overflow",
    "invalid message format",
    "key failure in path",
    "path size invalid",
    "unexpected attribute in list",
    "invalid member id",
    "member not settable",
};

static const struct code_text cip_classes[] = {
    {0x01, "identity"},
    {0x02, "message router"},
    {0x04, "assembly"},
    {0x05, "connection"},
    {0x06, "connection manager"},
    {0x0f, "parameter"},
    {0x37, "file"},
    {0x43, "time sync"},
    {0x47, "dlr"},
    {0x48, "qos"},
    {0x67, "pccc"},
    {0x6b, "logix symbol"},
    {0x6c, "logix template"},
    {0xf4, "port"},
    {0xf5, "tcp/ip interface"},
    {0xf6, "ethernet link"},
};

static const char *cip_class_name(uint16_t cls)
{
    return code_text(cip_classes, NELEM(cip_classes), cls, NULL);
}

/* ---- paths (Vol. 1 Appendix C) ---- */
struct cip_path {
    uint8_t flags; /* CIP_SUB_CLASS/INST/ATTR/SYMBOLIC */
    bool bad;      /* truncated: the request is malformed */
    bool partial;  /* a segment we do not decode: what came before it still counts */
    bool has_member, has_key;
    uint16_t cls, attr;
    uint32_t inst;
    uint8_t ncp;
    uint32_t cp[3]; /* connection points (Forward Open paths) */
    struct {
        uint16_t vendor, type, product;
        uint8_t major, minor;
    } key;
    struct ctxt tag;   /* symbolic segments joined with '.', elements as [n] */
    struct ctxt route; /* port segments: "port 1 slot 0" */
};

/* one logical value of format fmt (0: 8-bit, 1: 16-bit after a pad byte, 2: 32-bit) */
static uint32_t path_logical_value(struct rd *r, unsigned fmt)
{
    if (fmt == 0)
        return rd_u8(r);
    rd_skip(r, 1);
    return fmt == 1 ? rd_le16(r) : rd_le32(r);
}

/* port segment (Vol. 1 §C-1.4.1): port id in the low nibble (15: a 16-bit port follows), bit 4
 * says the link address is longer than one byte and its size follows; padded to even */
static void path_port(struct rd *r, uint8_t seg, struct cip_path *p)
{
    size_t start = rd_pos(r) - 1;
    uint8_t linklen = 1;
    if (seg & 0x10)
        linklen = rd_u8(r);
    uint16_t port = seg & 0x0f;
    if (port == 15)
        port = rd_le16(r);
    char link[48];
    if (linklen == 1) {
        str_fmt(link, sizeof link, "slot %u", rd_u8(r));
    } else {
        char addr[40];
        rd_str(r, linklen, addr, sizeof addr);
        str_fmt(link, sizeof link, "address %s", addr);
    }
    if ((rd_pos(r) - start) & 1)
        rd_skip(r, 1);
    tadd(&p->route, "%sport %u %s", p->route.n ? " > " : "", port, link);
}

static void path_logical(struct rd *r, uint8_t seg, struct cip_path *p)
{
    unsigned type = seg >> 2 & 7, fmt = seg & 3;
    if (type == 5) { /* electronic key (§C-1.4.2) */
        if (fmt != 0 || rd_peek_u8(r, 0) != 4) {
            p->partial = true;
            return;
        }
        rd_skip(r, 1);
        p->has_key = true;
        p->key.vendor = rd_le16(r);
        p->key.type = rd_le16(r);
        p->key.product = rd_le16(r);
        p->key.major = rd_u8(r) & 0x7f; /* bit 7: compatibility */
        p->key.minor = rd_u8(r);
        return;
    }
    if (type == 7 || fmt == 3) { /* extended logical, reserved format */
        p->partial = true;
        return;
    }
    uint32_t v = path_logical_value(r, fmt);
    switch (type) {
    case 0:
        if (!(p->flags & CIP_SUB_CLASS)) {
            p->cls = (uint16_t)v;
            p->flags |= CIP_SUB_CLASS;
        }
        break;
    case 1:
        if (!(p->flags & CIP_SUB_INST)) {
            p->inst = v;
            p->flags |= CIP_SUB_INST;
        }
        break;
    case 2: /* member: an array element after a symbol */
        p->has_member = true;
        if (p->flags & CIP_SUB_SYMBOLIC)
            tadd(&p->tag, "[%u]", v);
        break;
    case 3:
        if (p->ncp < NELEM(p->cp))
            p->cp[p->ncp++] = v;
        break;
    case 4:
        if (!(p->flags & CIP_SUB_ATTR)) {
            p->attr = (uint16_t)v;
            p->flags |= CIP_SUB_ATTR;
        }
        break;
    default: /* 6: service id */
        break;
    }
}

/* ANSI extended symbol segment 0x91: length, characters, pad to even */
static void path_symbol(struct rd *r, struct cip_path *p)
{
    uint8_t n = rd_u8(r);
    char sym[256];
    rd_str(r, n, sym, sizeof sym);
    if (n & 1)
        rd_skip(r, 1);
    tadd(&p->tag, "%s%s", p->tag.n ? "." : "", sym);
    p->flags |= CIP_SUB_SYMBOLIC;
}

static void path_parse(struct rd *r, struct cip_path *p)
{
    for (int guard = 0; rd_left(r) && !p->partial && guard < 64; guard++) {
        uint8_t seg = rd_u8(r);
        switch (seg >> 5) {
        case 0:
            path_port(r, seg, p);
            break;
        case 1:
            path_logical(r, seg, p);
            break;
        case 2: /* network segments (§C-1.4.3): one byte, or a word count and words */
            if (seg & 0x10)
                rd_skip(r, 2u * rd_u8(r));
            else
                rd_skip(r, 1);
            break;
        case 4: /* data segments (§C-1.4.5) */
            if (seg == 0x91)
                path_symbol(r, p);
            else if (seg == 0x80)
                rd_skip(r, 2u * rd_u8(r));
            else
                p->partial = true;
            break;
        default: /* symbolic (0x60) and data type segments do not occur in the paths we read */
            p->partial = true;
            break;
        }
    }
    if (!rd_ok(r))
        p->bad = true;
}

/* "identity instance 1 attribute 7", "class 0x72 instance 0": short, because the target of a
 * request is kept (CIP_TARGET_MAX) to name it again in an error result */
static void path_text(struct ctxt *t, const struct cip_path *p)
{
    if (p->flags & CIP_SUB_SYMBOLIC) {
        tadd(t, "tag %s", p->tag.s);
        return;
    }
    if (p->flags & CIP_SUB_CLASS) {
        const char *name = cip_class_name(p->cls);
        if (name)
            tadd(t, "%s", name);
        else
            tadd(t, "class 0x%02x", p->cls);
    }
    if (p->flags & CIP_SUB_INST)
        tadd(t, "%sinstance %u", t->n ? " " : "", p->inst);
    if (p->flags & CIP_SUB_ATTR)
        tadd(t, "%sattribute %u", t->n ? " " : "", p->attr);
    for (unsigned i = 0; i < p->ncp; i++)
        tadd(t, "%s%u", i ? "/" : (t->n ? " point " : "point "), p->cp[i]);
}

/* ---- PCCC (Rockwell DF1 protocol and command set, 1770-6.5.16, carried by class 0x67) ---- */
struct pccc_fn {
    uint8_t fnc, kind;
    const char *name;
};
static const struct pccc_fn pccc_0f[] = {
    {0x00, OP_PROCESS_WRITE, "word range write"},
    {0x01, OP_READ, "word range read"},
    {0x02, OP_PROCESS_WRITE, "bit write"},
    {0x03, OP_PROCESS_WRITE, "file write"},
    {0x04, OP_READ, "file read"},
    {0x05, OP_PROGRAM_DOWNLOAD, "download request"},
    {0x06, OP_PROGRAM_UPLOAD, "upload"},
    {0x07, OP_PLC_STOP, "shutdown"},
    {0x08, OP_PROCESS_WRITE, "physical write"},
    {0x09, OP_READ, "physical read"},
    {0x0a, OP_RESTART, "restart request"},
    {0x11, OP_OTHER, "get edit resource"},
    {0x12, OP_OTHER, "return edit resource"},
    {0x17, OP_READ, "read bytes physical"},
    {0x18, OP_PROCESS_WRITE, "write bytes physical"},
    {0x26, OP_PROCESS_WRITE, "read-modify-write"},
    {0x29, OP_READ, "read section size"},
    {0x3a, OP_COMMAND, "set cpu mode"},
    {0x41, OP_COMMAND, "disable forces"},
    {0x50, OP_PROGRAM_DOWNLOAD, "download all request"},
    {0x52, OP_PROGRAM_DOWNLOAD, "download completed"},
    {0x53, OP_PROGRAM_UPLOAD, "upload all request"},
    {0x55, OP_PROGRAM_UPLOAD, "upload completed"},
    {0x57, OP_PROGRAM_DELETE, "initialize memory"},
    {0x5e, OP_CONFIG_WRITE, "modify plc-2 compatibility file"},
    {0x67, OP_PROCESS_WRITE, "typed write"},
    {0x68, OP_READ, "typed read"},
    {0x79, OP_PROCESS_WRITE, "read-modify-write n"},
    {0x80, OP_COMMAND, "change cpu mode"},
    {0x81, OP_FILE_TRANSFER, "open file"},
    {0x82, OP_FILE_TRANSFER, "close file"},
    {0x88, OP_OTHER, "execute multiple commands"},
    {0x8f, OP_CONFIG_WRITE, "apply port configuration"},
    {0xa1, OP_READ, "protected typed logical read (2 address fields)"},
    {0xa2, OP_READ, "protected typed logical read (3 address fields)"},
    {0xa7, OP_READ, "protected typed file read"},
    {0xa9, OP_PROCESS_WRITE, "protected typed logical write (2 address fields)"},
    {0xaa, OP_PROCESS_WRITE, "protected typed logical write (3 address fields)"},
    {0xab, OP_PROCESS_WRITE, "protected typed logical masked write (3 address fields)"},
    {0xaf, OP_PROCESS_WRITE, "protected typed file write"},
};
static const struct pccc_fn pccc_07[] = {
    {0, OP_COMMAND, "disable outputs"},         {1, OP_COMMAND, "enable outputs"},
    {3, OP_PLC_START, "enable plc scanning"},   {4, OP_PROGRAM_DOWNLOAD, "enter download mode"},
    {5, OP_OTHER, "exit download/upload mode"}, {6, OP_PROGRAM_UPLOAD, "enter upload mode"},
};
static const struct pccc_fn pccc_06[] = {
    {0, OP_DIAGNOSTIC, "echo"},
    {1, OP_DIAGNOSTIC, "read diagnostic counters"},
    {2, OP_CONFIG_WRITE, "set variables"},
    {3, OP_READ, "diagnostic status"},
    {4, OP_CONFIG_WRITE, "set timeout"},
    {5, OP_CONFIG_WRITE, "set naks"},
    {6, OP_CONFIG_WRITE, "set enqs"},
    {7, OP_DIAGNOSTIC, "reset diagnostic counters"},
    {8, OP_CONFIG_WRITE, "set data table size"},
    {9, OP_READ, "read link parameters"},
    {10, OP_CONFIG_WRITE, "set link parameters"},
};
/* basic commands without a function code */
static const struct pccc_fn pccc_basic[] = {
    {0x00, OP_PROCESS_WRITE, "protected write"},
    {0x01, OP_READ, "unprotected read"},
    {0x02, OP_PROCESS_WRITE, "protected bit write"},
    {0x05, OP_PROCESS_WRITE, "unprotected bit write"},
    {0x08, OP_PROCESS_WRITE, "unprotected write"},
};

static bool pccc_has_fnc(uint8_t cmd)
{
    return cmd == 0x06 || cmd == 0x07 || cmd == 0x0f;
}

static const struct pccc_fn *pccc_find(const struct pccc_fn *t, size_t n, uint8_t v)
{
    for (size_t i = 0; i < n; i++)
        if (t[i].fnc == v)
            return &t[i];
    return NULL;
}

/* the operation of PCCC command cmd/fnc; mode is the CPU mode byte of "change cpu mode" */
static uint8_t pccc_function(uint8_t cmd, uint8_t fnc, uint32_t mode, struct ctxt *fn)
{
    const struct pccc_fn *f = NULL;
    if (cmd == 0x0f)
        f = pccc_find(pccc_0f, NELEM(pccc_0f), fnc);
    else if (cmd == 0x07)
        f = pccc_find(pccc_07, NELEM(pccc_07), fnc);
    else if (cmd == 0x06)
        f = pccc_find(pccc_06, NELEM(pccc_06), fnc);
    else
        f = pccc_find(pccc_basic, NELEM(pccc_basic), cmd);
    if (!f) {
        if (pccc_has_fnc(cmd))
            tadd(fn, "pccc command 0x%02x function 0x%02x", cmd, fnc);
        else
            tadd(fn, "pccc command 0x%02x", cmd);
        return OP_OTHER;
    }
    if (pccc_has_fnc(cmd))
        tadd(fn, "pccc %s (0x%02x/0x%02x)", f->name, cmd, fnc);
    else
        tadd(fn, "pccc %s (0x%02x)", f->name, cmd);
    if (cmd == 0x0f && fnc == 0x80) {
        /* CPU modes as MicroLogix/SLC 500 define them (Wireshark's cip.pccc.cpu.mode_80) */
        if (mode == 1) {
            tadd(fn, " to remote program");
            return OP_PLC_STOP;
        }
        if (mode == 6) {
            tadd(fn, " to remote run");
            return OP_PLC_START;
        }
        tadd(fn, " to mode %u", mode);
    }
    return f->kind;
}

/* PCCC logical address fields: one byte, or 0xff and a 16-bit value */
static uint16_t pccc_addr_field(struct rd *r)
{
    uint8_t v = rd_u8(r);
    return v == 0xff ? rd_le16(r) : v;
}

/* SLC/MicroLogix file type letters (DF1 manual, "file type" codes) */
static const char *pccc_file_letter(uint8_t type)
{
    static const struct {
        uint8_t type;
        const char *letter;
    } t[] = {{0x82, "O"}, {0x83, "I"}, {0x84, "S"}, {0x85, "B"},  {0x86, "T"}, {0x87, "C"},
             {0x88, "R"}, {0x89, "N"}, {0x8a, "F"}, {0x8d, "ST"}, {0x8e, "A"}, {0x91, "L"}};
    for (size_t i = 0; i < NELEM(t); i++)
        if (t[i].type == type)
            return t[i].letter;
    return NULL;
}

/* Execute PCCC request data (after the path): requestor id, then the PCCC command */
static void pccc_request(struct rd *d, struct cip_sub *s, struct ctxt *detail)
{
    uint8_t idlen = rd_u8(d);
    if (idlen < 7) {
        rd_fail(d);
        return;
    }
    rd_skip(d, idlen - 1u); /* vendor, serial, other: the length counts itself */
    uint8_t cmd = rd_u8(d);
    rd_skip(d, 3); /* status, transaction number */
    uint8_t fnc = pccc_has_fnc(cmd) ? rd_u8(d) : 0;
    s->attr = (uint16_t)(cmd << 8 | fnc);
    if (cmd != 0x0f)
        return;
    if (fnc == 0x80 || fnc == 0x3a) {
        s->inst = rd_u8(d);
        return;
    }
    bool three = fnc == 0xa2 || fnc == 0xaa || fnc == 0xab;
    if (fnc != 0xa1 && fnc != 0xa7 && fnc != 0xa9 && fnc != 0xaf && !three)
        return;
    rd_skip(d, 1); /* byte size */
    uint16_t file = pccc_addr_field(d);
    uint8_t type = rd_u8(d);
    uint16_t elem = pccc_addr_field(d);
    uint16_t sub = three ? pccc_addr_field(d) : 0;
    if (!rd_ok(d))
        return;
    const char *letter = pccc_file_letter(type);
    if (letter)
        tadd(detail, "%s%u:%u", letter, file, elem);
    else
        tadd(detail, "file %u type 0x%02x element %u", file, type, elem);
    if (sub)
        tadd(detail, ".%u", sub);
}

/* ---- service names and operation kinds ---- */
struct cip_svc {
    uint8_t code, kind;
    const char *name;
};
#define KIND_SET 0xfe /* config write, or process write on the Assembly object */
static const struct cip_svc cip_common[] = {
    {0x01, OP_READ, "get attributes all"},
    {0x02, KIND_SET, "set attributes all"},
    {0x03, OP_READ, "get attribute list"},
    {0x04, KIND_SET, "set attribute list"},
    {0x05, OP_RESTART, "reset"},
    {0x06, OP_PLC_START, "start"},
    {0x07, OP_PLC_STOP, "stop"},
    {0x08, OP_CONFIG_WRITE, "create"},
    {0x09, OP_CONFIG_WRITE, "delete"},
    {0x0d, OP_CONFIG_WRITE, "apply attributes"},
    {0x0e, OP_READ, "get attribute single"},
    {0x10, KIND_SET, "set attribute single"},
    {0x11, OP_READ, "find next object instance"},
    {0x15, OP_CONFIG_WRITE, "restore"},
    {0x16, OP_CONFIG_WRITE, "save"},
    {0x18, OP_READ, "get member"},
    {0x19, KIND_SET, "set member"},
    {0x1a, OP_CONFIG_WRITE, "insert member"},
    {0x1b, OP_CONFIG_WRITE, "remove member"},
    {0x1c, OP_OTHER, "group sync"},
};
static const struct cip_svc cip_cm[] = {
    {CM_FORWARD_CLOSE, OP_SESSION, "forward close"},
    {CM_UNCONNECTED_SEND, OP_OTHER, "unconnected send"},
    {CM_FORWARD_OPEN, OP_SESSION, "forward open"},
    {0x56, OP_READ, "get connection data"},
    {0x57, OP_READ, "search connection data"},
    {0x5a, OP_READ, "get connection owner"},
    {CM_LARGE_FORWARD_OPEN, OP_SESSION, "large forward open"},
};
static const struct cip_svc cip_logix[] = {
    {LGX_READ_TAG, OP_READ, "logix read tag"},
    {LGX_WRITE_TAG, OP_PROCESS_WRITE, "logix write tag"},
    {LGX_RMW_TAG, OP_PROCESS_WRITE, "logix read modify write tag"},
    {LGX_READ_FRAG, OP_READ, "logix read tag fragmented"},
    {LGX_WRITE_FRAG, OP_PROCESS_WRITE, "logix write tag fragmented"},
    {LGX_GET_INSTANCE_ATTRS, OP_READ, "logix get instance attribute list"},
};

static const struct cip_svc *svc_find(const struct cip_svc *t, size_t n, uint8_t code)
{
    for (size_t i = 0; i < n; i++)
        if (t[i].code == code)
            return &t[i];
    return NULL;
}

static bool is_logix(const struct cip_sub *s)
{
    return (s->flags & CIP_SUB_SYMBOLIC) ||
           ((s->flags & CIP_SUB_CLASS) && (s->cls == CLS_SYMBOL || s->cls == CLS_TEMPLATE));
}

/* the function text and operation kind of a remembered request (the same at request and
 * response time, so that an error result names the operation exactly as the request did) */
static uint8_t cip_function(const struct cip_sub *s, struct ctxt *fn)
{
    uint8_t svc = s->service;
    bool cls = s->flags & CIP_SUB_CLASS;
    const struct cip_svc *e = NULL;
    if (svc == SVC_NOP || svc == SVC_MSP)
        return CIP_NO_OP;
    if (svc == PCCC_EXECUTE && cls && s->cls == CLS_PCCC)
        return pccc_function((uint8_t)(s->attr >> 8), (uint8_t)s->attr, s->inst, fn);
    if (svc < 0x4b)
        e = svc_find(cip_common, NELEM(cip_common), svc);
    else if (cls && s->cls == CLS_CONN_MGR)
        e = svc_find(cip_cm, NELEM(cip_cm), svc);
    else if (cls && s->cls == CLS_TEMPLATE && svc == LGX_READ_TAG) {
        tadd(fn, "logix read template (0x4c)");
        return OP_READ;
    } else if (is_logix(s))
        e = svc_find(cip_logix, NELEM(cip_logix), svc);
    if (!e) {
        tadd(fn, "service 0x%02x", svc);
        return OP_OTHER;
    }
    tadd(fn, "%s (0x%02x)", e->name, svc);
    if (e->kind == KIND_SET)
        return cls && s->cls == CLS_ASSEMBLY ? OP_PROCESS_WRITE : OP_CONFIG_WRITE;
    return e->kind;
}

/* ---- Multiple Service Packet (Vol. 1 §A-4.10) ----
 * count, then offsets counted from the count field, then the services in offset order; the same
 * layout for the request and the reply */
struct msp {
    struct rd all, offs; /* the whole data; the offset table being read */
    size_t total;
    uint16_t n, prev;
    unsigned i;
    bool bad;
};

static void msp_begin(struct msp *m, struct rd *data)
{
    memset(m, 0, sizeof *m);
    m->all = *data;
    m->total = rd_left(data);
    m->n = rd_le16(data);
    m->offs = *data;
    m->bad = !rd_ok(data);
}

/* the next service as a sub-cursor; false at the end or on an offset outside the data */
static bool msp_next(struct msp *m, struct rd *out)
{
    if (m->bad || m->i >= m->n || m->i >= CIP_MSP_MAX)
        return false;
    uint16_t off = rd_le16(&m->offs);
    size_t end = m->i + 1 < m->n ? rd_peek_le16(&m->offs, 0) : m->total;
    if (!rd_ok(&m->offs) || off < m->prev || off > end || end > m->total) {
        m->bad = true;
        return false;
    }
    m->prev = off;
    m->i++;
    struct rd one = m->all;
    rd_skip(&one, off);
    *out = rd_sub(&one, end - off);
    return true;
}

/* ---- requests ---- */
struct cip_walk {
    struct pctx *c;
    struct cip_flow *f;
    struct cip_pend *p; /* where leaves are remembered; NULL once full */
};

static void remember(struct cip_walk *w, const struct cip_sub *s)
{
    if (w->p && w->p->nsub < CIP_SUB_MAX)
        w->p->sub[w->p->nsub++] = *s;
}

static void message(struct cip_walk *w, struct rd *msg, const char *route, int depth);

/* Logix data types (1756-PM020, "CIP data types") */
static const char *logix_type_name(uint16_t t)
{
    static const struct {
        uint16_t t;
        const char *name;
    } types[] = {{0xc1, "bool"},     {0xc2, "sint"},  {0xc3, "int"},   {0xc4, "dint"},
                 {0xc5, "lint"},     {0xc6, "usint"}, {0xc7, "uint"},  {0xc8, "udint"},
                 {0xc9, "ulint"},    {0xca, "real"},  {0xcb, "lreal"}, {0xd3, "bool array"},
                 {0xa0, "structure"}};
    for (size_t i = 0; i < NELEM(types); i++)
        if (types[i].t == t)
            return types[i].name;
    return NULL;
}

/* details that come from the request data rather than the path */
static void leaf_detail(struct cip_sub *s, struct rd *data, struct ctxt *detail)
{
    uint8_t svc = s->service;
    bool cls = s->flags & CIP_SUB_CLASS;
    if (svc == PCCC_EXECUTE && cls && s->cls == CLS_PCCC) {
        pccc_request(data, s, detail);
    } else if (is_logix(s) && (svc == LGX_WRITE_TAG || svc == LGX_WRITE_FRAG)) {
        uint16_t type = rd_le16(data);
        if (type == 0xa0)
            rd_skip(data, 2); /* structure handle */
        uint16_t elements = rd_le16(data);
        const char *name = logix_type_name(type);
        if (!rd_ok(data))
            return;
        if (name)
            tadd(detail, "%s x%u", name, elements);
        else
            tadd(detail, "type 0x%04x x%u", type, elements);
    } else if (svc == SVC_RESET && cls && s->cls == CLS_IDENTITY && rd_left(data)) {
        /* Identity reset type (Vol. 1 §5A-2.3) */
        static const char *const types[] = {"power cycle", "return to factory defaults",
                                            "factory defaults except communication"};
        uint8_t t = rd_u8(data);
        tadd(detail, "type %u%s%s%s", t, t < NELEM(types) ? " (" : "",
             t < NELEM(types) ? types[t] : "", t < NELEM(types) ? ")" : "");
    } else if (svc == SVC_SET_SINGLE && cls && s->cls == CLS_TCPIP && s->attr == 5 &&
               rd_left(data) >= 12) {
        /* TCP/IP Interface configuration (Vol. 2 §5-4.3): address, mask, gateway as UDINTs */
        uint32_t ip = rd_le32(data), mask = rd_le32(data);
        tadd(detail, "address %u.%u.%u.%u mask %u.%u.%u.%u", ip >> 24, ip >> 16 & 0xff,
             ip >> 8 & 0xff, ip & 0xff, mask >> 24, mask >> 16 & 0xff, mask >> 8 & 0xff,
             mask & 0xff);
    } else if (svc == SVC_SET_SINGLE && cls && s->cls == CLS_TCPIP && s->attr == 6) {
        uint16_t n = rd_le16(data);
        char name[72];
        rd_str(data, n < rd_left(data) ? n : rd_left(data), name, sizeof name);
        tadd(detail, "host name %s", name);
    }
}

/* Forward Open / Large Forward Open request (Vol. 1 §3-5.5.2): connection parameters, then the
 * connection path; class 0/1 transports are I/O connections, opened by a scanner */
static void forward_open(struct cip_walk *w, struct cip_sub *s, struct rd *d, struct ctxt *detail)
{
    bool large = s->service == CM_LARGE_FORWARD_OPEN;
    rd_skip(d, 2 + 4 + 4 + 2 + 2 + 4 + 1 + 3); /* timing, ids, serials, multiplier */
    uint32_t ot_rpi = rd_le32(d);
    rd_skip(d, large ? 4 : 2);
    rd_skip(d, 4);
    rd_skip(d, large ? 4 : 2);
    uint8_t trigger = rd_u8(d);
    uint8_t words = rd_u8(d);
    struct rd pr = rd_sub(d, 2u * words);
    if (!rd_ok(d))
        return;
    struct cip_path cp;
    memset(&cp, 0, sizeof cp);
    path_parse(&pr, &cp);
    unsigned tclass = trigger & 0x0f;
    tadd(detail, "class %u rpi %u.%u ms", tclass, ot_rpi / 1000, ot_rpi % 1000 / 100);
    struct ctxt pt = {.n = 0};
    if (!cp.bad) {
        if (cp.route.n)
            tadd(&pt, "%s", cp.route.s);
        struct ctxt app = {.n = 0};
        path_text(&app, &cp);
        if (app.n)
            tadd(&pt, "%s%s", pt.n ? " " : "", app.s);
        if (pt.n)
            tadd(detail, " path %s", pt.s);
    }
    if (tclass <= 1 && !(w->f->hints & CIP_HINT_SCANNER)) {
        w->f->hints |= CIP_HINT_SCANNER;
        emit_role(w->c, WHO_SRC, "plc", "cip forward open (i/o connection originator)");
    }
}

/* one leaf service: describe it, emit its operation, remember it */
static void leaf(struct cip_walk *w, uint8_t svc, struct cip_path *p, struct rd *data,
                 const char *route)
{
    struct cip_sub s;
    memset(&s, 0, sizeof s);
    s.service = svc;
    s.flags = p->flags;
    s.cls = p->cls;
    s.attr = p->attr;
    s.inst = p->inst;
    s.kind = CIP_NO_OP;
    if (route && *route)
        s.flags |= CIP_SUB_ROUTED;
    struct ctxt detail = {.n = 0}, fn = {.n = 0}, tg = {.n = 0};
    if (p->bad) {
        remember(w, &s);
        emit_malformed(w->c, "cip: bad request path");
        return;
    }
    if ((svc == CM_FORWARD_OPEN || svc == CM_LARGE_FORWARD_OPEN) && p->cls == CLS_CONN_MGR)
        forward_open(w, &s, data, &detail);
    else
        leaf_detail(&s, data, &detail);
    s.kind = cip_function(&s, &fn);
    if (svc == PCCC_EXECUTE && p->cls == CLS_PCCC) {
        tadd(&tg, "%s", detail.n ? detail.s : "pccc");
    } else if ((svc == CM_FORWARD_OPEN || svc == CM_LARGE_FORWARD_OPEN) && p->cls == CLS_CONN_MGR &&
               detail.n) {
        tadd(&tg, "%s", detail.s); /* the Connection Manager path says nothing */
    } else {
        path_text(&tg, p);
        if (detail.n)
            tadd(&tg, "%s%s", tg.n ? ", " : "", detail.s);
    }
    if (route && *route)
        tadd(&tg, " via %s", route);
    str_copy(s.target, sizeof s.target, tg.s);
    if (tg.n >= sizeof s.target) /* cut: say so in the error result's target */
        memcpy(s.target + sizeof s.target - 4, "...", 4);
    if (s.kind != CIP_NO_OP)
        emit_op(w->c, s.kind, fn.s, tg.n ? tg.s : NULL, NULL);
    remember(w, &s);
}

/* Unconnected Send (Vol. 1 §3-5.5.4): timing, the embedded request, pad, the route path */
static void unconnected_send(struct cip_walk *w, struct rd *data, int depth)
{
    rd_skip(data, 2);
    uint16_t size = rd_le16(data);
    struct rd emb = rd_sub(data, size);
    if (size & 1)
        rd_skip(data, 1);
    uint8_t words = rd_u8(data);
    rd_skip(data, 1);
    struct rd rp = rd_sub(data, 2u * words);
    if (!rd_ok(data)) {
        emit_malformed(w->c, "cip: truncated unconnected send");
        return;
    }
    struct cip_path route;
    memset(&route, 0, sizeof route);
    path_parse(&rp, &route);
    message(w, &emb, route.route.s, depth + 1);
}

/* Multiple Service Packet request (Vol. 1 §A-4.10): count, offsets from the count, services */
static void msp_request(struct cip_walk *w, struct rd *data, const char *route, int depth)
{
    struct msp m;
    if (w->p && depth <= 1 && !w->p->msp && w->p->nsub == 0)
        w->p->msp = 1;
    msp_begin(&m, data);
    struct rd svc;
    while (msp_next(&m, &svc))
        message(w, &svc, route, depth + 1);
    if (m.bad)
        emit_malformed(w->c, "cip: bad multiple service packet offsets");
}

/* a request message: service, path words, path, data */
static void message(struct cip_walk *w, struct rd *msg, const char *route, int depth)
{
    uint8_t svc = rd_u8(msg);
    uint8_t words = rd_u8(msg);
    struct rd pr = rd_sub(msg, 2u * words);
    if (!rd_ok(msg) || (svc & 0x80)) {
        struct cip_sub s = {.kind = CIP_NO_OP};
        remember(w, &s);
        emit_malformed(w->c, "cip: truncated request");
        return;
    }
    struct cip_path p;
    memset(&p, 0, sizeof p);
    path_parse(&pr, &p);
    struct rd data = rd_rest(msg);
    if (depth < CIP_DEPTH_MAX && !p.bad && svc == SVC_MSP) {
        msp_request(w, &data, route, depth);
        return;
    }
    if (depth < CIP_DEPTH_MAX && !p.bad && svc == CM_UNCONNECTED_SEND &&
        (p.flags & CIP_SUB_CLASS) && p.cls == CLS_CONN_MGR) {
        unconnected_send(w, &data, depth);
        return;
    }
    leaf(w, svc, &p, &data, route);
}

static struct cip_pend *pend_slot(struct cip_flow *f, uint32_t key)
{
    for (int i = 0; i < CIP_PEND_MAX; i++)
        if (f->pend[i].used && f->pend[i].key == key)
            return &f->pend[i];
    struct cip_pend *p = &f->pend[f->next % CIP_PEND_MAX];
    f->next = (uint8_t)((f->next + 1) % CIP_PEND_MAX);
    return p;
}

void cip_request(struct pctx *c, struct cip_flow *f, uint32_t key, struct rd *msg)
{
    struct cip_pend *p = pend_slot(f, key);
    memset(p, 0, sizeof *p);
    p->key = key;
    p->used = 1;
    struct cip_walk w = {c, f, p};
    message(&w, msg, NULL, 0);
}

void cip_flow_reset(struct cip_flow *f)
{
    for (int i = 0; i < CIP_PEND_MAX; i++)
        f->pend[i].used = 0;
}

/* ---- identity ---- */
/* the revision as its two wire bytes read as one number, major first ("0x1e0b" for 30.11): the
 * form Wireshark shows for List Identity */
static void revision_raw(uint8_t major, uint8_t minor, char *out, size_t n)
{
    str_fmt(out, n, "0x%02x%02x", major, minor);
}

bool cip_identity_read(struct rd *r, struct cip_identity *id)
{
    memset(id, 0, sizeof *id);
    id->vendor = rd_le16(r);
    id->device_type = rd_le16(r);
    id->product_code = rd_le16(r);
    id->major = rd_u8(r);
    id->minor = rd_u8(r);
    id->status = rd_le16(r);
    id->serial = rd_le32(r);
    uint8_t n = rd_u8(r);
    rd_str(r, n, id->product, sizeof id->product);
    return rd_ok(r);
}

/* "Communications Adapter" is the profile of I/O couplers (1734-AENT, NX-EIC202) but also of
 * controllers' built-in ports (Omron NJ/NX) and of ControlLogix chassis bridges (1756-ENxT), which
 * front a controller or a remote I/O rack alike: there the traffic decides */
static const char *adapter_role(const struct cip_identity *id)
{
    static const char *const omron_cpus[] = {"NJ", "NX1", "NX7", "NY5", "CJ2"};
    if (id->vendor == 1 && strncmp(id->product, "1756-", 5) == 0)
        return NULL;
    if (id->vendor == 47)
        for (size_t i = 0; i < NELEM(omron_cpus); i++)
            if (strncmp(id->product, omron_cpus[i], strlen(omron_cpus[i])) == 0)
                return "plc";
    return "io-device";
}

/* the role a device profile states (Vol. 1 chapter 6); NULL when it says nothing definite */
static const char *device_type_role(const struct cip_identity *id)
{
    switch (id->device_type) {
    case 14:
        return "plc";
    case 24:
        return "hmi";
    case 44:
    case 38:
        return "network-device";
    case 41:
    case 53:
        return "gateway";
    case 0:
    case 43:
    case 50:
    case 200:
        return NULL;
    case 12:
        return adapter_role(id);
    default:
        return id->device_type < 60 ? "io-device" : NULL;
    }
}

static const char *identity_state_name(uint8_t s)
{
    static const char *const names[] = {
        "nonexistent", "device self testing",     "standby",
        "operational", "major recoverable fault", "major unrecoverable fault"};
    return s < NELEM(names) ? names[s] : NULL;
}

void cip_identity_emit(struct pctx *c, const struct cip_identity *id, const char *source)
{
    char num[16], val[96];
    str_fmt(num, sizeof num, "%u", id->vendor);
    emit_attr(c, WHO_SRC, F_VENDOR_ID, num, source);
    const char *vendor = cip_vendor_name(id->vendor);
    if (vendor)
        emit_attr_raw(c, WHO_SRC, F_VENDOR, vendor, num, source);
    str_fmt(num, sizeof num, "%u", id->device_type);
    const char *type = cip_device_type_name(id->device_type);
    if (type)
        emit_attr_raw(c, WHO_SRC, F_DEVICE_TYPE, type, num, source);
    else
        emit_attr(c, WHO_SRC, F_DEVICE_TYPE, num, source);
    str_fmt(num, sizeof num, "%u", id->product_code);
    emit_attr(c, WHO_SRC, F_PRODUCT_CODE, num, source);
    cip_revision_format(id->major, id->minor, val, sizeof val);
    revision_raw(id->major, id->minor, num, sizeof num);
    emit_attr_raw(c, WHO_SRC, F_FIRMWARE, val, num, source);
    str_fmt(val, sizeof val, "0x%08x", id->serial);
    emit_attr(c, WHO_SRC, F_SERIAL, val, source);
    emit_attr(c, WHO_SRC, F_PRODUCT, id->product, source);
    const char *state = id->has_state ? identity_state_name(id->state) : NULL;
    if (state) {
        str_fmt(num, sizeof num, "%u", id->state);
        emit_attr_raw(c, WHO_SRC, F_STATE, state, num, source);
    }
    const char *role = device_type_role(id);
    if (role)
        emit_role(c, WHO_SRC, role, source);
}

/* a module reached through a route: it is not the responding host, so it is recorded as one of
 * its modules ("1756-L61/B LOGIX5561 V20.011 serial 0x00c0ffee via port 1 slot 0") */
static void identity_module(struct pctx *c, const struct cip_identity *id, const char *route)
{
    char rev[16];
    cip_revision_format(id->major, id->minor, rev, sizeof rev);
    const char *vendor = cip_vendor_name(id->vendor);
    char val[256];
    str_fmt(val, sizeof val, "%s%s%s %s serial 0x%08x%s%s", vendor ? vendor : "",
             vendor ? " " : "", id->product[0] ? id->product : "(unnamed)", rev, id->serial,
             route && *route ? " " : "", route ? route : "");
    emit_attr(c, WHO_SRC, F_MODULE_NAME, val, "cip identity get_attributes_all (routed)");
}

/* Get_Attribute_Single on the Identity object: one attribute (Vol. 1 §5A-2.2) */
static void identity_single(struct pctx *c, uint16_t attr, struct rd *d)
{
    const char *src = "cip identity get_attribute_single";
    char val[96], num[16];
    switch (attr) {
    case 1: {
        uint16_t v = rd_le16(d);
        if (!rd_ok(d))
            return;
        str_fmt(num, sizeof num, "%u", v);
        emit_attr(c, WHO_SRC, F_VENDOR_ID, num, src);
        if (cip_vendor_name(v))
            emit_attr_raw(c, WHO_SRC, F_VENDOR, cip_vendor_name(v), num, src);
        break;
    }
    case 2: {
        uint16_t v = rd_le16(d);
        if (!rd_ok(d))
            return;
        str_fmt(num, sizeof num, "%u", v);
        emit_attr_raw(c, WHO_SRC, F_DEVICE_TYPE,
                      cip_device_type_name(v) ? cip_device_type_name(v) : num, num, src);
        break;
    }
    case 3: {
        uint16_t v = rd_le16(d);
        if (rd_ok(d))
            emit_attrf(c, WHO_SRC, F_PRODUCT_CODE, src, "%u", v);
        break;
    }
    case 4: {
        uint8_t major = rd_u8(d), minor = rd_u8(d);
        if (!rd_ok(d))
            return;
        cip_revision_format(major, minor, val, sizeof val);
        revision_raw(major, minor, num, sizeof num);
        emit_attr_raw(c, WHO_SRC, F_FIRMWARE, val, num, src);
        break;
    }
    case 6: {
        uint32_t v = rd_le32(d);
        if (rd_ok(d))
            emit_attrf(c, WHO_SRC, F_SERIAL, src, "0x%08x", v);
        break;
    }
    case 7: {
        uint8_t n = rd_u8(d);
        rd_str(d, n, val, sizeof val);
        if (rd_ok(d))
            emit_attr(c, WHO_SRC, F_PRODUCT, val, src);
        break;
    }
    default:
        break;
    }
}

/* ---- responses ---- */
static void reply(struct cip_walk *w, const struct cip_sub *s, struct rd *msg, int depth);

static void msp_reply(struct cip_walk *w, const struct cip_pend *p, struct rd *data, int depth)
{
    struct msp m;
    msp_begin(&m, data);
    struct rd r;
    while (msp_next(&m, &r)) {
        unsigned i = m.i - 1;
        reply(w, p && p->msp && i < p->nsub ? &p->sub[i] : NULL, &r, depth + 1);
    }
    if (m.bad)
        emit_malformed(w->c, "cip: bad multiple service packet offsets");
}

static void error_result(struct cip_walk *w, const struct cip_sub *s, uint8_t gs,
                         const uint16_t *ext, uint8_t next)
{
    struct ctxt fn = {.n = 0}, res = {.n = 0};
    uint8_t kind = cip_function(s, &fn);
    if (kind == CIP_NO_OP)
        return;
    tadd(&res, "status 0x%02x", gs);
    if (gs < NELEM(cip_status_names))
        tadd(&res, " (%s)", cip_status_names[gs]);
    if (next)
        tadd(&res, " extended 0x%04x", ext[0]);
    emit_op(w->c, kind, fn.s, s->target[0] ? s->target : NULL, res.s);
}

/* PCCC reply: requestor id, command | 0x40, status (0xf0: an extended status follows) */
static void pccc_reply(struct cip_walk *w, const struct cip_sub *s, struct rd *d)
{
    uint8_t idlen = rd_u8(d);
    if (idlen < 7)
        return;
    rd_skip(d, idlen - 1u);
    rd_skip(d, 1);
    uint8_t sts = rd_u8(d);
    rd_skip(d, 2);
    uint8_t ext = sts == 0xf0 ? rd_u8(d) : 0;
    if (!rd_ok(d) || !sts)
        return;
    struct ctxt fn = {.n = 0}, res = {.n = 0};
    uint8_t kind = pccc_function((uint8_t)(s->attr >> 8), (uint8_t)s->attr, s->inst, &fn);
    tadd(&res, "pccc status 0x%02x", sts);
    if (sts == 0xf0)
        tadd(&res, " extended 0x%02x", ext);
    emit_op(w->c, kind, fn.s, s->target[0] ? s->target : NULL, res.s);
}

static void reply_success(struct cip_walk *w, const struct cip_sub *s, struct rd *data)
{
    bool cls = s->flags & CIP_SUB_CLASS;
    bool routed = s->flags & CIP_SUB_ROUTED;
    if (cls && s->cls == CLS_IDENTITY && s->service == SVC_GET_ALL) {
        struct cip_identity id;
        if (!cip_identity_read(data, &id)) {
            emit_malformed(w->c, "cip: short identity");
            return;
        }
        if (routed) {
            const char *via = strstr(s->target, " via ");
            identity_module(w->c, &id, via ? via + 1 : NULL);
        } else {
            cip_identity_emit(w->c, &id, "cip identity get_attributes_all");
        }
    } else if (cls && s->cls == CLS_IDENTITY && s->service == SVC_GET_SINGLE && !routed &&
               (s->flags & CIP_SUB_ATTR)) {
        identity_single(w->c, s->attr, data);
    } else if (cls && s->cls == CLS_TCPIP && s->service == SVC_GET_SINGLE && !routed &&
               (s->flags & CIP_SUB_ATTR) && s->attr == 6) {
        uint16_t n = rd_le16(data);
        char name[72];
        rd_str(data, n, name, sizeof name);
        if (rd_ok(data))
            emit_attr(w->c, WHO_SRC, F_HOSTNAME, name, "cip tcp/ip interface host name");
    } else if ((s->flags & CIP_SUB_SYMBOLIC) && !routed && !(w->f->hints & CIP_HINT_LOGIX)) {
        /* only a Logix controller serves tags by name */
        w->f->hints |= CIP_HINT_LOGIX;
        emit_role(w->c, WHO_SRC, "plc", "cip logix tag service");
    }
}

/* a response message: service | 0x80, reserved, general status, extended status words, data */
static void reply(struct cip_walk *w, const struct cip_sub *s, struct rd *msg, int depth)
{
    uint8_t svc = rd_u8(msg);
    rd_skip(msg, 1);
    uint8_t gs = rd_u8(msg);
    uint8_t next = rd_u8(msg);
    uint16_t ext[1] = {0};
    for (unsigned i = 0; i < next; i++) {
        uint16_t v = rd_le16(msg);
        if (i == 0)
            ext[0] = v;
    }
    if (!rd_ok(msg) || !(svc & 0x80)) {
        emit_malformed(w->c, "cip: truncated response");
        return;
    }
    svc &= 0x7f;
    struct rd data = rd_rest(msg);
    if (s && svc != s->service && !(svc == CM_UNCONNECTED_SEND && (s->flags & CIP_SUB_ROUTED)))
        s = NULL;
    if (svc == SVC_MSP && depth < CIP_DEPTH_MAX) {
        msp_reply(w, w->p, &data, depth);
        return;
    }
    if (!s)
        return;
    if (s->service == PCCC_EXECUTE && (s->flags & CIP_SUB_CLASS) && s->cls == CLS_PCCC && gs == 0) {
        pccc_reply(w, s, &data);
        return;
    }
    if (gs != 0 && gs != 0x06) /* 0x06: partial transfer, the normal fragmented answer */
        error_result(w, s, gs, ext, next);
    else
        reply_success(w, s, &data);
}

void cip_response(struct pctx *c, struct cip_flow *f, uint32_t key, struct rd *msg)
{
    struct cip_pend *p = NULL;
    for (int i = 0; i < CIP_PEND_MAX; i++)
        if (f->pend[i].used && f->pend[i].key == key)
            p = &f->pend[i];
    struct cip_walk w = {c, f, p};
    uint8_t svc = rd_peek_u8(msg, 0) & 0x7f;
    const struct cip_sub *s = NULL;
    if (p && !(p->msp && svc == SVC_MSP) && p->nsub)
        s = &p->sub[0];
    reply(&w, s, msg, 0);
    if (p)
        p->used = 0;
}
