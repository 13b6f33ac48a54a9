/* modbus.c - Modbus/TCP (Modbus Application Protocol V1.1b3 and Modbus Messaging on TCP/IP
 * V1.0b): MBAP framing, reads and writes with their address ranges, exceptions (matched to the
 * request by transaction id), diagnostics (force listen-only), Read Device Identification
 * (function 43 / MEI 14), Report Server ID, and Schneider's UMAS (function 90) sessions,
 * start/stop and program transfers.  A Modbus server proves no role by itself: only UMAS (a
 * Modicon controller's engineering service) and gateway exceptions 10/11 do. */
#include <stdio.h>
#include <string.h>

#include "dissect/dissect.h"
#include "util/str.h"

#define MBAP_LEN    7    /* transaction, protocol, length, unit (Messaging §3.1.3) */
#define MB_MAX_PDU  253  /* Application Protocol §4.1 */
#define MB_MAX_UMAS 1100 /* UMAS blocks exceed the Modbus limit (up to ~1022 data bytes) */
#define MB_PENDING  16   /* outstanding requests remembered per flow */
#define MB_UNITS    8    /* unit ids reported per flow */
#define MB_FC_UMAS  90
#define UMAS_OK     0xfe /* UMAS response status bytes */
#define UMAS_ERROR  0xfd

struct mb_req {
    uint16_t tid;
    uint8_t fc, kind, used;
    uint8_t sub; /* MEI type, diagnostic or UMAS sub-function */
};

struct mb_state {
    struct mb_req pending[MB_PENDING];
    uint8_t next;
    uint8_t units[MB_UNITS];
    uint8_t nunits;
    bool umas_role, gateway_role;
};
_Static_assert(sizeof(struct mb_state) <= DISSECT_STATE_MAX, "modbus state too large");


/* exception codes (Application Protocol §7) */
static const char *const exceptions[] = {
    [1] = "illegal function",
    [2] = "illegal data address",
    [3] = "illegal data value",
    [4] = "server device failure",
    [5] = "acknowledge",
    [6] = "server device busy",
    [8] = "memory parity error",
    [10] = "gateway path unavailable",
    [11] = "gateway target device failed to respond",
};

/* Diagnostics sub-functions (Application Protocol §6.8) and what they do to the device: the
 * echo and the counter reads only read; restart and listen-only change its communication */
static const char *diag_name(uint16_t sub, enum op_kind *k)
{
    *k = OP_READ;
    switch (sub) {
    case 0:
        return "return query data";
    case 1:
        *k = OP_RESTART;
        return "restart communications option";
    case 2:
        return "return diagnostic register";
    case 3:
        *k = OP_CONFIG_WRITE;
        return "change ASCII input delimiter";
    case 4:
        *k = OP_COMM_CONTROL;
        return "force listen only mode";
    case 10:
        *k = OP_DIAGNOSTIC;
        return "clear counters and diagnostic register";
    case 20:
        *k = OP_DIAGNOSTIC;
        return "clear overrun counter and flag";
    default:
        if (sub >= 11 && sub <= 18)
            return "return counter";
        *k = OP_DIAGNOSTIC;
        return "reserved sub-function";
    }
}

/* UMAS function codes (function 90) as published in "The Unity (UMAS) protocol" parts I-V
 * (lirasenlared.blogspot.com, 2017) and Kaspersky ICS CERT's "The secrets of Schneider
 * Electric's UMAS protocol" (2022).  UMAS names transfers from the PLC's side: its "upload"
 * (0x30-0x32) sends a program from the engineering PC to the PLC - a program download in
 * otscope's terms - and its "download" (0x33-0x35) copies the program out of the PLC. */
static const struct {
    uint8_t code;
    enum op_kind kind;
    const char *name;
} umas[] = {
    {0x01, OP_SESSION, "init comm"},
    {0x02, OP_READ, "read id"},
    {0x03, OP_READ, "read project info"},
    {0x04, OP_READ, "read plc info"},
    {0x06, OP_READ, "read card info"},
    {0x0a, OP_SESSION, "repeat"},
    {0x10, OP_AUTH, "take plc reservation"},
    {0x11, OP_AUTH, "release plc reservation"},
    {0x12, OP_SESSION, "keep alive"},
    {0x20, OP_READ, "read memory block"},
    {0x22, OP_READ, "read variables"},
    {0x23, OP_PROCESS_WRITE, "write variables"},
    {0x24, OP_READ, "read coils registers"},
    {0x25, OP_PROCESS_WRITE, "write coils registers"},
    {0x30, OP_PROGRAM_DOWNLOAD, "initialize upload (program to plc)"},
    {0x31, OP_PROGRAM_DOWNLOAD, "upload block (program to plc)"},
    {0x32, OP_PROGRAM_DOWNLOAD, "end strategy upload (program to plc)"},
    {0x33, OP_PROGRAM_UPLOAD, "initialize download (program from plc)"},
    {0x34, OP_PROGRAM_UPLOAD, "download block (program from plc)"},
    {0x35, OP_PROGRAM_UPLOAD, "end strategy download (program from plc)"},
    {0x39, OP_READ, "read ethernet master data"},
    {0x40, OP_PLC_START, "start plc"},
    {0x41, OP_PLC_STOP, "stop plc"},
    {0x50, OP_READ, "monitor plc"},
    {0x58, OP_READ, "check plc"},
    {0x70, OP_READ, "read io object"},
    {0x71, OP_PROCESS_WRITE, "write io object"},
    {0x73, OP_READ, "get status module"},
};

static const char *fc_name(uint8_t fc)
{
    switch (fc) {
    case 1:
        return "read coils";
    case 2:
        return "read discrete inputs";
    case 3:
        return "read holding registers";
    case 4:
        return "read input registers";
    case 5:
        return "write single coil";
    case 6:
        return "write single register";
    case 7:
        return "read exception status";
    case 8:
        return "diagnostics";
    case 11:
        return "get comm event counter";
    case 12:
        return "get comm event log";
    case 15:
        return "write multiple coils";
    case 16:
        return "write multiple registers";
    case 17:
        return "report server id";
    case 20:
        return "read file record";
    case 21:
        return "write file record";
    case 22:
        return "mask write register";
    case 23:
        return "read/write multiple registers";
    case 24:
        return "read fifo queue";
    case 43:
        return "encapsulated interface transport";
    case MB_FC_UMAS:
        return "umas (schneider)";
    default:
        return "function";
    }
}

/* the operation kind of a function code, for an exception whose request was not seen */
static enum op_kind fc_kind(uint8_t fc)
{
    switch (fc) {
    case 5:
    case 6:
    case 15:
    case 16:
    case 22:
    case 23:
        return OP_PROCESS_WRITE;
    case 8:
        return OP_DIAGNOSTIC;
    case 21:
        return OP_CONFIG_WRITE;
    case 1:
    case 2:
    case 3:
    case 4:
    case 7:
    case 11:
    case 12:
    case 17:
    case 20:
    case 24:
    case 43:
        return OP_READ;
    default:
        return OP_OTHER;
    }
}

static const char *table_of(uint8_t fc)
{
    switch (fc) {
    case 1:
    case 5:
    case 15:
        return "coils";
    case 2:
        return "discrete inputs";
    case 4:
        return "input registers";
    default:
        return "holding";
    }
}

static struct mb_req *remember(struct mb_state *s, uint16_t tid, uint8_t fc, enum op_kind k,
                               uint8_t sub)
{
    struct mb_req *r = &s->pending[s->next++ % MB_PENDING];
    memset(r, 0, sizeof *r);
    r->tid = tid;
    r->fc = fc;
    r->kind = (uint8_t)k;
    r->sub = sub;
    r->used = 1;
    return r;
}

static struct mb_req *find(struct mb_state *s, uint16_t tid, uint8_t fc)
{
    for (int i = 0; i < MB_PENDING; i++)
        if (s->pending[i].used && s->pending[i].tid == tid && s->pending[i].fc == fc)
            return &s->pending[i];
    return NULL;
}

static void note_unit(struct pctx *c, struct mb_state *s, uint8_t unit)
{
    for (int i = 0; i < s->nunits; i++)
        if (s->units[i] == unit)
            return;
    if (s->nunits == MB_UNITS)
        return;
    s->units[s->nunits++] = unit;
    emit_attrf(c, WHO_SERVER, F_UNIT_ID, "modbus unit id", "%u", unit);
}

static void op(struct pctx *c, enum op_kind k, uint8_t fc, const char *what, uint8_t unit,
               const char *detail, const char *result)
{
    char function[96], target[160];
    str_fmt(function, sizeof function, "%s (%u)", what ? what : fc_name(fc), fc);
    str_fmt(target, sizeof target, "unit %u%s%s", unit, detail && *detail ? " " : "",
             detail ? detail : "");
    emit_op(c, k, function, target, result);
}

/* UMAS operations are named "umas <name> (90/0x<code>)" */
static void umas_op(struct pctx *c, enum op_kind k, const char *name, uint8_t code, uint8_t unit,
                    const char *result)
{
    char function[96], target[16];
    str_fmt(function, sizeof function, "umas %s (90/0x%02x)", name, code);
    str_fmt(target, sizeof target, "unit %u", unit);
    emit_op(c, k, function, target, result);
}

static int umas_index(uint8_t code)
{
    for (size_t i = 0; i < sizeof umas / sizeof *umas; i++)
        if (umas[i].code == code)
            return (int)i;
    return -1;
}

static void umas_request(struct pctx *c, struct mb_state *s, uint16_t tid, uint8_t unit,
                         struct rd *r)
{
    rd_skip(r, 1); /* session (pairing) key */
    uint8_t ufc = rd_u8(r);
    if (!rd_ok(r)) {
        emit_malformed(c, "modbus: umas request too short");
        return;
    }
    int i = umas_index(ufc);
    if (i < 0) {
        remember(s, tid, MB_FC_UMAS, OP_OTHER, ufc);
        umas_op(c, OP_OTHER, "function", ufc, unit, NULL);
        return;
    }
    remember(s, tid, MB_FC_UMAS, umas[i].kind, ufc);
    /* a program transfer is one operation: its blocks and end are not reported again */
    if (ufc == 0x31 || ufc == 0x32 || ufc == 0x34 || ufc == 0x35)
        return;
    umas_op(c, umas[i].kind, umas[i].name, ufc, unit, NULL);
}

static void request(struct pctx *c, struct mb_state *s, uint16_t tid, uint8_t unit, uint8_t fc,
                    struct rd *r)
{
    char d[128] = "";
    switch (fc) {
    case 1:
    case 2:
    case 3:
    case 4: {
        uint16_t addr = rd_be16(r), qty = rd_be16(r);
        if (!rd_ok(r) || qty == 0)
            goto bad;
        str_fmt(d, sizeof d, "%s %u-%u", table_of(fc), addr, addr + qty - 1u);
        remember(s, tid, fc, OP_READ, 0);
        op(c, OP_READ, fc, NULL, unit, d, NULL);
        return;
    }
    case 5:
    case 6: {
        uint16_t addr = rd_be16(r), val = rd_be16(r);
        if (!rd_ok(r))
            goto bad;
        if (fc == 5)
            str_fmt(d, sizeof d, "coil %u = %s", addr,
                     val == 0xff00 ? "on"
                     : val == 0    ? "off"
                                   : "invalid");
        else
            str_fmt(d, sizeof d, "holding %u = %u", addr, val);
        remember(s, tid, fc, OP_PROCESS_WRITE, 0);
        op(c, OP_PROCESS_WRITE, fc, NULL, unit, d, NULL);
        return;
    }
    case 15:
    case 16: {
        uint16_t addr = rd_be16(r), qty = rd_be16(r);
        uint8_t bytes = rd_u8(r);
        if (!rd_ok(r) || qty == 0 || bytes != rd_left(r))
            goto bad;
        str_fmt(d, sizeof d, "%s %u-%u", table_of(fc), addr, addr + qty - 1u);
        remember(s, tid, fc, OP_PROCESS_WRITE, 0);
        op(c, OP_PROCESS_WRITE, fc, NULL, unit, d, NULL);
        return;
    }
    case 22: {
        uint16_t addr = rd_be16(r), and_mask = rd_be16(r), or_mask = rd_be16(r);
        if (!rd_ok(r))
            goto bad;
        str_fmt(d, sizeof d, "holding %u and 0x%04x or 0x%04x", addr, and_mask, or_mask);
        remember(s, tid, fc, OP_PROCESS_WRITE, 0);
        op(c, OP_PROCESS_WRITE, fc, NULL, unit, d, NULL);
        return;
    }
    case 23: {
        uint16_t raddr = rd_be16(r), rqty = rd_be16(r), waddr = rd_be16(r), wqty = rd_be16(r);
        if (!rd_ok(r) || wqty == 0 || rqty == 0)
            goto bad;
        str_fmt(d, sizeof d, "holding %u-%u (reading %u-%u)", waddr, waddr + wqty - 1u, raddr,
                 raddr + rqty - 1u);
        remember(s, tid, fc, OP_PROCESS_WRITE, 0);
        op(c, OP_PROCESS_WRITE, fc, NULL, unit, d, NULL);
        return;
    }
    case 8: {
        uint16_t sub = rd_be16(r);
        if (!rd_ok(r))
            goto bad;
        enum op_kind k;
        char what[80];
        str_fmt(what, sizeof what, "diagnostics: %s", diag_name(sub, &k));
        str_fmt(d, sizeof d, "sub-function %u", sub);
        remember(s, tid, fc, k, (uint8_t)sub);
        op(c, k, fc, what, unit, d, NULL);
        return;
    }
    case 21:
        remember(s, tid, fc, OP_CONFIG_WRITE, 0);
        op(c, OP_CONFIG_WRITE, fc, NULL, unit, "file records", NULL);
        return;
    case 43: {
        uint8_t mei = rd_u8(r);
        if (!rd_ok(r))
            goto bad;
        if (mei == 0x0e) {
            uint8_t code = rd_u8(r), obj = rd_u8(r);
            str_fmt(d, sizeof d, "device identification code %u object %u", code, obj);
            remember(s, tid, fc, OP_READ, mei);
            op(c, OP_READ, fc, "read device identification", unit, d, NULL);
        } else {
            str_fmt(d, sizeof d, "mei type %u", mei);
            remember(s, tid, fc, OP_OTHER, mei);
            op(c, OP_OTHER, fc, NULL, unit, d, NULL);
        }
        return;
    }
    case MB_FC_UMAS:
        umas_request(c, s, tid, unit, r);
        return;
    case 7:
    case 11:
    case 12:
    case 17:
    case 20:
    case 24:
        remember(s, tid, fc, OP_READ, 0);
        op(c, OP_READ, fc, NULL, unit, NULL, NULL);
        return;
    default:
        str_fmt(d, sizeof d, "function code %u", fc);
        op(c, OP_OTHER, fc, NULL, unit, d, NULL);
        return;
    }
bad:
    emit_malformed(c, "modbus: request too short");
}

/* Read Device Identification response (§6.21): objects are about the responding device */
static void device_id(struct pctx *c, struct rd *r)
{
    static const enum attr_field fields[] = {F_VENDOR,  F_ORDER_NUMBER, F_FIRMWARE,     F_URL,
                                             F_PRODUCT, F_MODEL,        F_USER_APP_NAME};
    static const char *const names[] = {"vendor name",          "product code", "revision",
                                        "vendor url",           "product name", "model name",
                                        "user application name"};
    rd_skip(r, 4); /* read device id code, conformity level, more follows, next object id */
    uint8_t n = rd_u8(r);
    for (int i = 0; i < n && rd_ok(r) && rd_left(r) >= 2; i++) {
        uint8_t id = rd_u8(r), len = rd_u8(r);
        char v[256];
        rd_str(r, len, v, sizeof v);
        if (!rd_ok(r)) {
            emit_malformed(c, "modbus: device identification object truncated");
            return;
        }
        if (id >= sizeof fields / sizeof *fields)
            continue; /* 0x07-0x7f reserved, 0x80-0xff private (§6.21 table 2) */
        char src[96];
        str_fmt(src, sizeof src, "modbus read device id (%s)", names[id]);
        emit_attr(c, WHO_SRC, fields[id], v, src);
        if (id == 1)
            emit_attr(c, WHO_SRC, F_PRODUCT_CODE, v, src);
    }
}

static bool printable(uint8_t b)
{
    return b >= 0x20 && b < 0x7f;
}

/* Report Server ID (§6.13): byte count, then a device-specific server id, a run indicator
 * (0x00 off, 0xff on) and optional device-specific data.  Devices put their identification
 * text either in the server id (run indicator last) or after a short binary id; only such
 * text is kept, as a description. */
static void server_id(struct pctx *c, struct rd *r)
{
    uint8_t n = rd_u8(r);
    struct rd body = rd_sub(r, n);
    if (!rd_ok(r) || n < 2)
        return;
    size_t from = 0, to = n; /* the text within body */
    uint8_t run = 0x01;      /* none found */
    uint8_t last = rd_peek_u8(&body, n - 1u), second = rd_peek_u8(&body, 1);
    if ((last == 0x00 || last == 0xff) && printable(rd_peek_u8(&body, 0))) {
        run = last;
        to = n - 1u;
    } else if ((second == 0x00 || second == 0xff) && n > 2 && printable(rd_peek_u8(&body, 2))) {
        run = second;
        from = 2;
    }
    size_t good = 0;
    for (size_t i = from; i < to; i++)
        good += printable(rd_peek_u8(&body, i));
    if (to - from >= 3 && good * 10 >= (to - from) * 9) {
        char v[256];
        rd_skip(&body, from);
        rd_str(&body, to - from, v, sizeof v);
        emit_attr(c, WHO_SRC, F_DESCRIPTION, v, "modbus report server id");
    }
    if (run != 0x01)
        emit_attr_raw(c, WHO_SRC, F_STATE, run ? "run" : "stop", run ? "0xff" : "0x00",
                      "modbus report server id (run indicator)");
}

/* UMAS response: status 0xfe (ok) or 0xfd (error) after the session byte.  A successful answer
 * proves a Modicon controller behind the address; READ_ID names its CPU (the length-prefixed
 * name 22 bytes into the data, as Digital Bond's modicon-info.nse reads it). */
static void umas_response(struct pctx *c, struct mb_state *s, struct mb_req *q, uint8_t unit,
                          struct rd *r)
{
    rd_skip(r, 1);
    uint8_t status = rd_u8(r);
    if (!rd_ok(r) || !q)
        return;
    int i = umas_index(q->sub);
    if (status == UMAS_ERROR) {
        umas_op(c, (enum op_kind)q->kind, i >= 0 ? umas[i].name : "function", q->sub, unit,
                "umas error (0xfd)");
        return;
    }
    if (status != UMAS_OK)
        return;
    if (!s->umas_role) {
        s->umas_role = true;
        emit_role(c, WHO_SRC, "plc", "modbus umas response (modicon controller)");
    }
    if (q->sub == 0x02 && rd_left(r) > 23) {
        rd_skip(r, 22);
        uint8_t len = rd_u8(r);
        if (len < 3 || len > rd_left(r))
            return;
        size_t good = 0;
        for (size_t k = 0; k < len; k++)
            good += printable(rd_peek_u8(r, k));
        char v[64];
        rd_str(r, len, v, sizeof v);
        if (good == len)
            emit_attr(c, WHO_SRC, F_MODEL, v, "modbus umas read id");
    }
}

static void response(struct pctx *c, struct mb_state *s, uint16_t tid, uint8_t unit, uint8_t fc,
                     struct rd *r)
{
    if (fc & 0x80) {
        uint8_t code = rd_u8(r);
        struct mb_req *q = find(s, tid, fc & 0x7f);
        char res[96];
        str_fmt(res, sizeof res, "exception %u (%s)", code,
                 code < sizeof exceptions / sizeof *exceptions && exceptions[code]
                     ? exceptions[code]
                     : "unknown");
        op(c, q ? (enum op_kind)q->kind : fc_kind(fc & 0x7f), fc & 0x7f, NULL, unit, NULL, res);
        if (q)
            q->used = 0;
        /* only a gateway answers that its target path or device failed (§7, codes 0A/0B) */
        if ((code == 10 || code == 11) && !s->gateway_role) {
            s->gateway_role = true;
            emit_role(c, WHO_SRC, "gateway", "modbus gateway exception");
        }
        return;
    }
    struct mb_req *q = find(s, tid, fc);
    if (fc == 43 && rd_peek_u8(r, 0) == 0x0e) {
        rd_skip(r, 1);
        device_id(c, r);
    } else if (fc == 17) {
        server_id(c, r);
    } else if (fc == MB_FC_UMAS) {
        umas_response(c, s, q, unit, r);
    }
    if (q)
        q->used = 0;
}

static void parse(struct pctx *c, void *state, int dir, struct rd *pdu)
{
    struct mb_state *s = state;
    uint16_t tid = rd_be16(pdu), proto = rd_be16(pdu), len = rd_be16(pdu);
    uint8_t unit = rd_u8(pdu), fc = rd_u8(pdu);
    if (!rd_ok(pdu) || proto != 0 || len < 2) {
        emit_malformed(c, "modbus: bad MBAP header");
        return;
    }
    if (!s)
        return;
    note_unit(c, s, unit);
    if (dir == 0)
        request(c, s, tid, unit, fc, pdu);
    else
        response(c, s, tid, unit, fc, pdu);
}

/* the largest MBAP length accepted for the function code at the head of the stream */
static unsigned max_len(uint8_t fc)
{
    return (fc & 0x7f) == MB_FC_UMAS ? MB_MAX_UMAS : MB_MAX_PDU + 1;
}

static long frame(const struct rd *stream)
{
    if (rd_left(stream) < MBAP_LEN + 1)
        return FRAME_NEED_MORE;
    uint16_t proto = rd_peek_be16(stream, 2), len = rd_peek_be16(stream, 4);
    if (proto != 0 || len < 2 || len > max_len(rd_peek_u8(stream, 7)))
        return FRAME_NOT_OURS;
    return 6 + (long)len;
}

/* strict: protocol id 0, a sane length that matches the segment, a known function code */
static bool probe(const struct rd *p, uint8_t l4)
{
    if (l4 != L4_TCP || rd_left(p) < MBAP_LEN + 1)
        return false;
    uint16_t proto = rd_peek_be16(p, 2), len = rd_peek_be16(p, 4);
    uint8_t fc = rd_peek_u8(p, 7) & 0x7f;
    if (proto != 0 || len < 2 || len > max_len(fc) || (size_t)len + 6 != rd_left(p))
        return false;
    return (fc >= 1 && fc <= 8) || fc == 11 || fc == 12 || (fc >= 15 && fc <= 17) ||
           (fc >= 20 && fc <= 24) || fc == 43 || fc == MB_FC_UMAS;
}

const struct dissector dissector_modbus = {
    .name = "modbus",
    .proto = PROTO_MODBUS,
    .tcp_ports = {502},
    .probe = probe,
    .state_size = sizeof(struct mb_state),
    .frame = frame,
    .parse = parse,
};
