/* dnp3.c - DNP3 (IEEE 1815-2012) on tcp/udp 20000: link frames (clause 9: 0x0564, a CRC after
 * the 8-byte header and after every 16 data bytes), transport segments (clause 8), application
 * fragments (clause 4).  One TCP PDU is one link frame.  A fragment spanning transport segments
 * is collected in a bounded per-flow buffer (DNP3_TP_MAX bytes) and parsed at its FIN segment;
 * what did not fit is dropped and the object walk then stops quietly at the cut. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "dissect/dissect.h"
#include "util/str.h"

#define DNP3_PORT       20000
#define DNP3_START      0x0564
#define DNP3_HDR_LEN    10  /* start, len, ctrl, dst, src, crc (clause 9) */
#define DNP3_BLOCK      16  /* data bytes between CRCs (clause 9) */
#define DNP3_MAX_DATA   250 /* LEN 255 - 5 header octets */
#define DNP3_TP_MAX     320 /* reassembled application bytes kept per flow */
#define DNP3_TARGET_MAX 96  /* request target remembered for response errors */
#define DNP3_MAX_HDRS   8   /* object headers described per request */

/* link control octet (clause 9) */
#define DNP3_CTL_DIR          0x80
#define DNP3_CTL_PRM          0x40
#define DNP3_LINK_USER_DATA   3 /* confirmed user data (PRM=1) */
#define DNP3_LINK_UNCONF_DATA 4 /* unconfirmed user data (PRM=1) */
/* transport header (clause 8) */
#define DNP3_TP_FIN 0x80
#define DNP3_TP_FIR 0x40
#define DNP3_TP_SEQ 0x3f
/* application control (clause 4) */
#define DNP3_AC_SEQ 0x0f

/* application function codes (clause 4, function code table) */
enum {
    DNP3_FC_CONFIRM = 0,
    DNP3_FC_READ = 1,
    DNP3_FC_WRITE = 2,
    DNP3_FC_SELECT = 3,
    DNP3_FC_DIRECT_OPERATE_NR = 6,
    DNP3_FC_FREEZE_AT_TIME_NR = 12,
    DNP3_FC_OPEN_FILE = 25,
    DNP3_FC_DELETE_FILE = 27,
    DNP3_FC_RESPONSE = 129,
    DNP3_FC_UNSOLICITED = 130,
    DNP3_FC_AUTH_RESPONSE = 131,
};

/* internal indications (clause 4): first octet IIN1, second IIN2 */
#define IIN1_NEED_TIME         0x10
#define IIN1_LOCAL_CONTROL     0x20
#define IIN1_DEVICE_TROUBLE    0x40
#define IIN1_DEVICE_RESTART    0x80
#define IIN2_NO_FUNC           0x01
#define IIN2_OBJ_UNKNOWN       0x02
#define IIN2_PARAM_ERROR       0x04
#define IIN2_ALREADY_EXECUTING 0x10
#define IIN2_CONFIG_CORRUPT    0x20


/* a multi-segment application fragment being collected */
struct dnp3_tp {
    uint8_t active, dir, seq, trunc;
    uint16_t len;
    uint8_t buf[DNP3_TP_MAX];
};

/* the last request, to turn an error in its response into an operation result */
struct dnp3_pending {
    uint8_t valid, dir, fc, seq, kind;
    char target[DNP3_TARGET_MAX];
};

struct dnp3_state {
    uint16_t addr[2]; /* link address of the client (0) / server (1) side, when known */
    uint8_t addr_known[2];
    uint8_t role_done, server_fixed;
    uint8_t iin_notes; /* notable IIN bits last reported (see dnp3_iin_notes) */
    struct dnp3_pending pend;
    struct dnp3_tp tp;
};
_Static_assert(sizeof(struct dnp3_state) <= DISSECT_STATE_MAX, "dnp3 state too large");

/* ---- CRC (clause 9: polynomial 0x3D65, reflected, complemented, sent low octet first) ---- */
static uint16_t dnp3_crc(const uint8_t *p, size_t n)
{
    uint16_t crc = 0;
    for (size_t i = 0; i < n; i++) {
        crc ^= p[i];
        for (int b = 0; b < 8; b++)
            crc = (crc & 1) ? (uint16_t)((crc >> 1) ^ 0xA6BC) : (uint16_t)(crc >> 1);
    }
    return (uint16_t)~crc;
}

/* total bytes on the wire of a link frame whose LEN octet is len */
static size_t dnp3_frame_len(uint8_t len)
{
    size_t data = (size_t)len - 5;
    return DNP3_HDR_LEN + data + 2 * ((data + DNP3_BLOCK - 1) / DNP3_BLOCK);
}

/* ---- names ---- */
static const char *const dnp3_fc_names[] = {
    "confirm",
    "read",
    "write",
    "select",
    "operate",
    "direct operate",
    "direct operate no ack",
    "immediate freeze",
    "immediate freeze no ack",
    "freeze and clear",
    "freeze and clear no ack",
    "freeze at time",
    "freeze at time no ack",
    "cold restart",
    "warm restart",
    "initialize data",
    "initialize application",
    "start application",
    "stop application",
    "save configuration",
    "enable unsolicited",
    "disable unsolicited",
    "assign class",
    "delay measurement",
    "record current time",
    "open file",
    "close file",
    "delete file",
    "get file info",
    "authenticate file",
    "abort file",
    "activate configuration",
    "authentication request",
    "authentication request no ack",
};

static const char *dnp3_fc_name(uint8_t fc)
{
    if (fc < NELEM(dnp3_fc_names))
        return dnp3_fc_names[fc];
    switch (fc) {
    case DNP3_FC_RESPONSE:
        return "response";
    case DNP3_FC_UNSOLICITED:
        return "unsolicited response";
    case DNP3_FC_AUTH_RESPONSE:
        return "authentication response";
    default:
        return "unknown function";
    }
}

/* what a request function does, before looking at its objects; -1 = not an operation */
static int dnp3_fc_kind(uint8_t fc)
{
    if (fc == DNP3_FC_READ)
        return OP_READ;
    if (fc >= DNP3_FC_SELECT && fc <= DNP3_FC_DIRECT_OPERATE_NR)
        return OP_COMMAND;
    if (fc >= 7 && fc <= DNP3_FC_FREEZE_AT_TIME_NR)
        return OP_OTHER; /* freezes snapshot counters; they change nothing in the process */
    switch (fc) {
    case 13:
    case 14:
    case 15:
    case 16:
        return OP_RESTART;
    case 17:
        return OP_PLC_START;
    case 18:
        return OP_PLC_STOP;
    case 19:
    case 22:
    case 31:
        return OP_CONFIG_WRITE;
    case 20:
    case 21:
        return OP_COMM_CONTROL;
    case 23:
    case 24:
        return OP_TIME_SYNC;
    case 25:
    case 26:
    case 27:
    case 28:
    case 29:
    case 30:
        return OP_FILE_TRANSFER;
    case 32:
    case 33:
        return OP_AUTH;
    default:
        return -1;
    }
}

/* object group names (IEEE 1815-2012 Annex A) for readable targets */
static const char *dnp3_group_name(uint8_t g)
{
    switch (g) {
    case 0:
        return "device attribute";
    case 1:
        return "binary input";
    case 2:
        return "binary input event";
    case 3:
        return "double-bit input";
    case 4:
        return "double-bit input event";
    case 10:
        return "binary output";
    case 11:
        return "binary output event";
    case 12:
        return "CROB";
    case 13:
        return "binary command event";
    case 20:
        return "counter";
    case 21:
        return "frozen counter";
    case 22:
        return "counter event";
    case 23:
        return "frozen counter event";
    case 30:
        return "analog input";
    case 32:
        return "analog input event";
    case 34:
        return "analog deadband";
    case 40:
        return "analog output status";
    case 41:
        return "analog output";
    case 42:
        return "analog output event";
    case 50:
        return "time and date";
    case 51:
        return "time and date cto";
    case 52:
        return "time delay";
    case 60:
        return "class";
    case 70:
        return "file";
    case 80:
        return "internal indications";
    case 110:
        return "octet string";
    case 120:
        return "authentication";
    default:
        return NULL;
    }
}

/* CROB control code (Annex A, g12v1): operation type and trip/close */
static const char *dnp3_crob_op(uint8_t code)
{
    static const char *const ops[] = {"nul", "pulse on", "pulse off", "latch on", "latch off"};
    return (code & 0x0f) < NELEM(ops) ? ops[code & 0x0f] : "reserved op";
}

/* control status codes of g12/g41 objects (Annex A) */
static const char *dnp3_status_name(uint8_t st)
{
    static const char *const names[] = {
        "success",
        "timeout",
        "no select",
        "format error",
        "not supported",
        "already active",
        "hardware error",
        "local",
        "too many objs",
        "not authorized",
        "automation inhibit",
        "processing limited",
        "out of range",
        "downstream local",
        "already complete",
        "blocked",
        "canceled",
        "blocked other master",
        "downstream fail",
    };
    return st < NELEM(names) ? names[st] : "undefined";
}

/* ---- a bounded text builder for targets ---- */
struct dnp3_txt {
    char s[160];
    size_t n;
};

__attribute__((format(printf, 2, 3))) static void txt_add(struct dnp3_txt *t, const char *fmt, ...)
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

/* ---- object headers and qualifier codes (clause 4) ---- */
struct dnp3_hdr {
    uint8_t group, var, qual;
    uint8_t prefix; /* qualifier bits 4-6: index or size prefix code */
    uint8_t range;  /* qualifier bits 0-3: range specifier code */
    bool has_range; /* start/stop given */
    uint32_t start, stop, count;
};

static bool dnp3_read_hdr(struct rd *r, struct dnp3_hdr *h)
{
    memset(h, 0, sizeof *h);
    h->group = rd_u8(r);
    h->var = rd_u8(r);
    h->qual = rd_u8(r);
    h->prefix = (uint8_t)(h->qual >> 4 & 7);
    h->range = (uint8_t)(h->qual & 0x0f);
    switch (h->range) {
    case 0:
    case 3:
        h->start = rd_u8(r);
        h->stop = rd_u8(r);
        h->has_range = true;
        break;
    case 1:
    case 4:
        h->start = rd_le16(r);
        h->stop = rd_le16(r);
        h->has_range = true;
        break;
    case 2:
    case 5:
        h->start = rd_le32(r);
        h->stop = rd_le32(r);
        h->has_range = true;
        break;
    case 6:
        break; /* all objects, no range field */
    case 7:
    case 0x0b:
        h->count = rd_u8(r);
        break;
    case 8:
        h->count = rd_le16(r);
        break;
    case 9:
        h->count = rd_le32(r);
        break;
    default:
        return false; /* reserved */
    }
    if (h->prefix == 7 || !rd_ok(r))
        return false;
    if (h->has_range) {
        if (h->stop < h->start)
            return false;
        h->count = h->stop - h->start + 1;
    }
    return true;
}

/* the index/size prefix in front of an object */
static uint32_t dnp3_prefix(struct rd *r, uint8_t prefix)
{
    switch (prefix) {
    case 1:
    case 4:
        return rd_u8(r);
    case 2:
    case 5:
        return rd_le16(r);
    case 3:
    case 6:
        return rd_le32(r);
    default:
        return 0;
    }
}

/* "g60v2" -> "class 1"; else "g1v2 binary input 0-15" */
static void dnp3_describe(struct dnp3_txt *t, const struct dnp3_hdr *h)
{
    if (h->group == 60 && h->var >= 1 && h->var <= 4) {
        txt_add(t, "class %u", h->var == 1 ? 0u : (unsigned)(h->var - 1));
        return;
    }
    const char *name = dnp3_group_name(h->group);
    txt_add(t, "g%uv%u%s%s", h->group, h->var, name ? " " : "", name ? name : "");
    if (h->has_range)
        txt_add(t, h->count == 1 ? " %lu" : " %lu-%lu", (unsigned long)h->start,
                (unsigned long)h->stop);
    else if (h->range == 6)
        txt_add(t, " all");
    else if (h->count > 1)
        txt_add(t, " count %lu", (unsigned long)h->count);
}

/* describe every header of a request that carries no object data (read, freeze, class ...) */
static void dnp3_describe_all(struct dnp3_txt *t, struct rd *r)
{
    for (int i = 0; rd_left(r) && i < DNP3_MAX_HDRS; i++) {
        struct dnp3_hdr h;
        if (!dnp3_read_hdr(r, &h))
            return;
        if (i)
            txt_add(t, ", ");
        dnp3_describe(t, &h);
        /* such requests carry no object data, only the indexes of an indexed range */
        static const uint8_t isize[] = {0, 1, 2, 4};
        if (h.prefix > 3 || (h.prefix && h.count > rd_left(r)))
            return;
        rd_skip(r, (size_t)h.count * isize[h.prefix]);
    }
    if (rd_left(r))
        txt_add(t, ", ...");
}

/* index of the first object of header h (reads its prefix) */
static uint32_t dnp3_first_index(struct rd *r, const struct dnp3_hdr *h)
{
    if (h->prefix >= 1 && h->prefix <= 3)
        return dnp3_prefix(r, h->prefix);
    if (h->prefix >= 4)
        (void)dnp3_prefix(r, h->prefix);
    return h->start;
}

/* the first object of a control request (g12 CROB, g41 analog output) */
static void dnp3_describe_control(struct dnp3_txt *t, struct rd *r, const struct dnp3_hdr *h)
{
    uint32_t idx = dnp3_first_index(r, h);
    const char *more = h->count > 1 ? " (+more)" : "";
    if (h->group == 12 && h->var == 1) {
        uint8_t code = rd_u8(r);
        rd_skip(r, 10); /* count, on-time, off-time, status */
        if (!rd_ok(r))
            return;
        txt_add(t, "g12v1 CROB index %lu %s", (unsigned long)idx, dnp3_crob_op(code));
        if ((code & 0xc0) == 0x40)
            txt_add(t, " close");
        else if ((code & 0xc0) == 0x80)
            txt_add(t, " trip");
        txt_add(t, "%s", more);
        return;
    }
    if (h->group == 41 && h->var >= 1 && h->var <= 4) {
        char v[48];
        if (h->var == 1) {
            str_fmt(v, sizeof v, "%ld", (long)(int32_t)rd_le32(r));
        } else if (h->var == 2) {
            str_fmt(v, sizeof v, "%d", (int)(int16_t)rd_le16(r));
        } else if (h->var == 3) {
            uint32_t bits = rd_le32(r);
            float f;
            memcpy(&f, &bits, sizeof f);
            str_fmt(v, sizeof v, "%g", (double)f);
        } else {
            uint64_t bits = rd_le64(r);
            double d;
            memcpy(&d, &bits, sizeof d);
            str_fmt(v, sizeof v, "%g", d);
        }
        rd_skip(r, 1); /* control status */
        if (!rd_ok(r))
            return;
        txt_add(t, "g41v%u analog output index %lu value %s%s", h->var, (unsigned long)idx, v,
                more);
        return;
    }
    dnp3_describe(t, h);
}

/* the control status echoed in the first object of a control response; 0 when fine/unknown */
static uint8_t dnp3_control_status(struct rd *r)
{
    struct dnp3_hdr h;
    if (!dnp3_read_hdr(r, &h) || h.count == 0)
        return 0;
    (void)dnp3_first_index(r, &h);
    uint8_t st = 0;
    if (h.group == 12 && h.var == 1) {
        rd_skip(r, 10);
        st = rd_u8(r);
    } else if (h.group == 41 && h.var >= 1 && h.var <= 4) {
        static const uint8_t vsize[] = {0, 4, 2, 4, 8};
        rd_skip(r, vsize[h.var]);
        st = rd_u8(r);
    }
    return rd_ok(r) ? (uint8_t)(st & 0x7f) : 0;
}

/* write (2): the kind depends on what is written (first object header) */
static int dnp3_write(struct dnp3_txt *t, struct rd *r)
{
    struct dnp3_hdr h;
    if (!dnp3_read_hdr(r, &h))
        return OP_CONFIG_WRITE;
    if (h.group == 80 && h.has_range && h.start == 7 && h.count == 1) {
        txt_add(t, "g80v1 IIN1.7 device restart");
        return OP_OTHER; /* the master acknowledging a restart: routine */
    }
    dnp3_describe(t, &h);
    switch (h.group) {
    case 50:
        return OP_TIME_SYNC;
    case 10:
    case 12:
    case 40:
    case 41:
        return OP_PROCESS_WRITE;
    case 70:
        return OP_FILE_TRANSFER;
    case 120:
        return OP_AUTH;
    case 80:
        return OP_OTHER;
    default:
        return OP_CONFIG_WRITE; /* device attributes, deadbands, octet strings ... */
    }
}

/* open/delete file: g70v3 file command object carries the file name (Annex A) */
static void dnp3_file(struct dnp3_txt *t, struct rd *r)
{
    struct dnp3_hdr h;
    if (!dnp3_read_hdr(r, &h))
        return;
    if (h.group != 70 || h.var != 3 || h.range != 0x0b || h.count < 1) {
        dnp3_describe(t, &h);
        return;
    }
    uint32_t size = dnp3_prefix(r, h.prefix);
    struct rd obj = rd_sub(r, size);
    uint16_t name_off = rd_le16(&obj);
    uint16_t name_len = rd_le16(&obj);
    rd_skip(&obj, 22); /* created, permissions, auth key, size, mode, block size, request id */
    if (name_off > 26)
        rd_skip(&obj, (size_t)name_off - 26);
    char name[96];
    rd_str(&obj, name_len, name, sizeof name);
    if (rd_ok(&obj) && rd_ok(r))
        txt_add(t, "g70v3 file %s", name);
    else
        txt_add(t, "g70v3 file");
}

/* ---- requests ---- */
static void dnp3_request(struct pctx *c, struct dnp3_state *s, uint8_t ac, uint8_t fc, struct rd *r,
                         bool trunc)
{
    int kind = dnp3_fc_kind(fc);
    if (fc == DNP3_FC_WRITE) {
        kind = OP_CONFIG_WRITE;
    } else if (kind < 0) {
        if (fc > 33 && fc < DNP3_FC_RESPONSE)
            emit_malformed(c, "dnp3: unknown application function");
        return;
    }
    struct dnp3_txt t = {{0}, 0};
    struct rd objs = *r;
    if (fc == DNP3_FC_WRITE) {
        kind = dnp3_write(&t, &objs);
    } else if (kind == OP_COMMAND) {
        struct dnp3_hdr h;
        if (dnp3_read_hdr(&objs, &h))
            dnp3_describe_control(&t, &objs, &h);
    } else if (fc == DNP3_FC_OPEN_FILE || fc == DNP3_FC_DELETE_FILE) {
        dnp3_file(&t, &objs);
    } else {
        dnp3_describe_all(&t, &objs);
    }
    if (!rd_ok(&objs) && !trunc)
        emit_malformed(c, "dnp3: truncated object header");
    char fn[64];
    str_fmt(fn, sizeof fn, "%s (%u)", dnp3_fc_name(fc), fc);
    emit_op(c, (enum op_kind)kind, fn, t.n ? t.s : NULL, NULL);
    s->pend.valid = 1;
    s->pend.dir = (uint8_t)c->dir;
    s->pend.fc = fc;
    s->pend.seq = ac & DNP3_AC_SEQ;
    s->pend.kind = (uint8_t)kind;
    memcpy(s->pend.target, t.s, sizeof s->pend.target - 1);
    s->pend.target[sizeof s->pend.target - 1] = '\0';
}

/* ---- responses ---- */
/* IIN bits an operator wants to know about, folded into one octet */
static uint8_t dnp3_iin_notes(uint8_t iin1, uint8_t iin2)
{
    return (uint8_t)((iin1 & (IIN1_DEVICE_RESTART | IIN1_NEED_TIME | IIN1_DEVICE_TROUBLE |
                              IIN1_LOCAL_CONTROL)) |
                     ((iin2 & IIN2_CONFIG_CORRUPT) ? 0x01 : 0));
}

static void dnp3_report_iin(struct pctx *c, struct dnp3_state *s, uint8_t iin1, uint8_t iin2)
{
    uint8_t notes = dnp3_iin_notes(iin1, iin2);
    if (notes == s->iin_notes)
        return;
    s->iin_notes = notes;
    struct dnp3_txt t = {{0}, 0};
    static const struct {
        uint8_t bit;
        const char *text;
    } names[] = {
        {IIN1_DEVICE_RESTART, "device restart"}, {IIN1_NEED_TIME, "need time"},
        {IIN1_DEVICE_TROUBLE, "device trouble"}, {IIN1_LOCAL_CONTROL, "local control"},
        {0x01, "configuration corrupt"},
    };
    for (size_t i = 0; i < NELEM(names); i++)
        if (notes & names[i].bit)
            txt_add(&t, "%s%s", t.n ? ", " : "", names[i].text);
    char raw[8];
    str_fmt(raw, sizeof raw, "0x%02x%02x", iin1, iin2);
    emit_attr_raw(c, WHO_SRC, F_STATE, t.n ? t.s : "normal", raw, "dnp3 response iin");
}

/* g0 device attribute strings (Annex A, variations 242-252) -> identity */
static void dnp3_attr(struct pctx *c, uint8_t var, const char *value)
{
    char src[48];
    str_fmt(src, sizeof src, "dnp3 device attribute g0v%u", var);
    switch (var) {
    case 242:
        emit_attr(c, WHO_SRC, F_FIRMWARE, value, src);
        break;
    case 243:
        emit_attr(c, WHO_SRC, F_HARDWARE, value, src);
        break;
    case 245:
        emit_attr(c, WHO_SRC, F_LOCATION, value, src);
        break;
    case 246:
        emit_attr(c, WHO_SRC, F_DEVICE_ID, value, src);
        break;
    case 247:
        emit_attr(c, WHO_SRC, F_NAME, value, src);
        break;
    case 248:
        emit_attr(c, WHO_SRC, F_SERIAL, value, src);
        break;
    case 249:
        emit_attrf(c, WHO_SRC, F_PROTOCOL_VERSION, src, "DNP3 subset %s", value);
        break;
    case 250:
        emit_attr(c, WHO_SRC, F_PRODUCT, value, src);
        break;
    case 252:
        emit_attr(c, WHO_SRC, F_VENDOR, value, src);
        break;
    default:
        break;
    }
}

/* walk leading g0 headers of a response; other groups end the walk (their sizes vary) */
static void dnp3_device_attributes(struct pctx *c, struct rd *r, bool trunc)
{
    for (int i = 0; rd_left(r) && i < 32; i++) {
        struct dnp3_hdr h;
        if (!dnp3_read_hdr(r, &h) || h.group != 0)
            return;
        for (uint32_t k = 0; k < h.count && k < 8; k++) {
            (void)dnp3_prefix(r, h.prefix);
            uint8_t type = rd_u8(r);
            uint8_t len = rd_u8(r);
            char value[256];
            if (type == 1) { /* VSTR: visible string */
                rd_str(r, len, value, sizeof value);
                if (rd_ok(r) && value[0])
                    dnp3_attr(c, h.var, value);
            } else {
                rd_skip(r, len);
            }
            if (!rd_ok(r)) {
                if (!trunc)
                    emit_malformed(c, "dnp3: truncated device attribute");
                return;
            }
        }
        if (h.count > 8)
            return;
    }
}

static const char *dnp3_iin2_error(uint8_t iin2)
{
    if (iin2 & IIN2_NO_FUNC)
        return "function code not supported (iin2.0)";
    if (iin2 & IIN2_OBJ_UNKNOWN)
        return "object unknown (iin2.1)";
    if (iin2 & IIN2_PARAM_ERROR)
        return "parameter error (iin2.2)";
    if (iin2 & IIN2_ALREADY_EXECUTING)
        return "already executing (iin2.4)";
    return NULL;
}

static void dnp3_response(struct pctx *c, struct dnp3_state *s, uint8_t ac, uint8_t fc,
                          struct rd *r, bool trunc)
{
    uint8_t iin1 = rd_u8(r), iin2 = rd_u8(r);
    if (!rd_ok(r)) {
        emit_malformed(c, "dnp3: response without iin");
        return;
    }
    if (!s->role_done) {
        s->role_done = 1;
        emit_role(c, WHO_SRC, "rtu", "dnp3 outstation response");
    }
    if (!s->server_fixed) {
        s->server_fixed = 1;
        if (c->dir == 0) /* the outstation is the server whatever the ports say */
            emit_server(c, WHO_SRC);
    }
    dnp3_report_iin(c, s, iin1, iin2);
    if (fc == DNP3_FC_RESPONSE && s->pend.valid && s->pend.dir != c->dir &&
        s->pend.seq == (ac & DNP3_AC_SEQ)) {
        s->pend.valid = 0;
        const char *err = dnp3_iin2_error(iin2);
        char buf[64];
        if (!err && s->pend.fc >= DNP3_FC_SELECT && s->pend.fc <= DNP3_FC_DIRECT_OPERATE_NR) {
            struct rd echo = *r;
            uint8_t st = dnp3_control_status(&echo);
            if (st) {
                str_fmt(buf, sizeof buf, "status %u (%s)", st, dnp3_status_name(st));
                err = buf;
            }
        }
        if (err) {
            char fn[64];
            str_fmt(fn, sizeof fn, "%s (%u)", dnp3_fc_name(s->pend.fc), s->pend.fc);
            emit_op(c, (enum op_kind)s->pend.kind, fn, s->pend.target[0] ? s->pend.target : NULL,
                    err);
        }
    }
    dnp3_device_attributes(c, r, trunc);
}

/* one application fragment (clause 4) */
static void dnp3_app(struct pctx *c, struct dnp3_state *s, struct rd *r, bool trunc)
{
    uint8_t ac = rd_u8(r), fc = rd_u8(r);
    if (!rd_ok(r)) {
        emit_malformed(c, "dnp3: empty application fragment");
        return;
    }
    if (fc >= DNP3_FC_RESPONSE) {
        if (fc > DNP3_FC_AUTH_RESPONSE) {
            emit_malformed(c, "dnp3: unknown application function");
            return;
        }
        dnp3_response(c, s, ac, fc, r, trunc);
        return;
    }
    if (fc != DNP3_FC_CONFIRM && !s->role_done) {
        s->role_done = 1;
        emit_role(c, WHO_DST, "rtu", "dnp3 master request");
    }
    dnp3_request(c, s, ac, fc, r, trunc);
}

/* ---- transport (clause 8): single-segment fragments are parsed in place ---- */
static void dnp3_transport(struct pctx *c, struct dnp3_state *s, const uint8_t *data, size_t n)
{
    struct rd r = rd_init(data, n);
    uint8_t th = rd_u8(&r);
    if (!rd_ok(&r))
        return;
    bool fir = th & DNP3_TP_FIR, fin = th & DNP3_TP_FIN;
    uint8_t seq = th & DNP3_TP_SEQ;
    struct dnp3_tp *tp = &s->tp;
    if (fir && fin) {
        if (tp->active && tp->dir == c->dir)
            tp->active = 0;
        dnp3_app(c, s, &r, false);
        return;
    }
    if (fir) {
        tp->active = 1;
        tp->dir = (uint8_t)c->dir;
        tp->trunc = 0;
        tp->len = 0;
    } else if (!tp->active || tp->dir != c->dir || seq != ((tp->seq + 1) & DNP3_TP_SEQ)) {
        if (tp->active && tp->dir == c->dir)
            tp->active = 0; /* lost a segment: the fragment is incomplete */
        return;
    }
    tp->seq = seq;
    size_t k = rd_left(&r);
    if (k > (size_t)DNP3_TP_MAX - tp->len) {
        k = (size_t)DNP3_TP_MAX - tp->len;
        tp->trunc = 1;
    }
    rd_bytes(&r, tp->buf + tp->len, k);
    tp->len = (uint16_t)(tp->len + k);
    if (fin) {
        tp->active = 0;
        struct rd app = rd_init(tp->buf, tp->len);
        dnp3_app(c, s, &app, tp->trunc);
    }
}

/* the link addresses name both ends; report each side's once per flow (and on change) */
static void dnp3_addresses(struct pctx *c, struct dnp3_state *s, uint16_t dst, uint16_t src)
{
    int me = c->dir == 0 ? 0 : 1; /* 0 = client side sends */
    char v[8];
    if (src < 0xfff0 && (!s->addr_known[me] || s->addr[me] != src)) {
        s->addr_known[me] = 1;
        s->addr[me] = src;
        str_fmt(v, sizeof v, "%u", src);
        emit_attr(c, WHO_SRC, F_DNP3_ADDRESS, v, "dnp3 link header");
    }
    /* 0xfff0-0xffff are reserved and broadcast addresses (clause 9) */
    if (dst < 0xfff0 && (!s->addr_known[1 - me] || s->addr[1 - me] != dst)) {
        s->addr_known[1 - me] = 1;
        s->addr[1 - me] = dst;
        str_fmt(v, sizeof v, "%u", dst);
        emit_attr(c, WHO_DST, F_DNP3_ADDRESS, v, "dnp3 link header");
    }
}

/* one link frame from r; false when it is unusable (then the caller stops) */
static bool dnp3_link(struct pctx *c, struct dnp3_state *s, struct rd *r)
{
    uint8_t hdr[8];
    rd_bytes(r, hdr, sizeof hdr);
    uint16_t crc = rd_le16(r);
    if (!rd_ok(r)) {
        emit_malformed(c, "dnp3: truncated link header");
        return false;
    }
    if (hdr[0] != 0x05 || hdr[1] != 0x64 || hdr[2] < 5) {
        emit_malformed(c, "dnp3: bad link header");
        return false;
    }
    if (dnp3_crc(hdr, sizeof hdr) != crc) {
        emit_malformed(c, "dnp3: bad link header crc");
        return false;
    }
    uint8_t ctrl = hdr[3];
    uint16_t dst = (uint16_t)(hdr[4] | hdr[5] << 8), src = (uint16_t)(hdr[6] | hdr[7] << 8);
    size_t n = (size_t)hdr[2] - 5;
    uint8_t data[DNP3_MAX_DATA];
    for (size_t off = 0; off < n; off += DNP3_BLOCK) {
        size_t k = n - off < DNP3_BLOCK ? n - off : DNP3_BLOCK;
        rd_bytes(r, data + off, k);
        uint16_t bcrc = rd_le16(r);
        if (!rd_ok(r)) {
            emit_malformed(c, "dnp3: truncated link frame");
            return false;
        }
        if (dnp3_crc(data + off, k) != bcrc) {
            emit_malformed(c, "dnp3: bad data crc");
            return true; /* the frame is whole; only its data is bad */
        }
    }
    dnp3_addresses(c, s, dst, src);
    uint8_t func = ctrl & 0x0f;
    if ((ctrl & DNP3_CTL_PRM) && (func == DNP3_LINK_USER_DATA || func == DNP3_LINK_UNCONF_DATA) &&
        n > 0)
        dnp3_transport(c, s, data, n);
    return true;
}

static void parse(struct pctx *c, void *state, int dir, struct rd *pdu)
{
    (void)dir;
    struct dnp3_state *s = state;
    struct dnp3_state scratch;
    if (!s) {
        memset(&scratch, 0, sizeof scratch);
        s = &scratch;
    }
    /* a TCP PDU is one frame; a UDP datagram may carry several */
    for (int i = 0; rd_left(pdu) && i < 64; i++)
        if (!dnp3_link(c, s, pdu))
            return;
}

static long frame(const struct rd *stream)
{
    if (rd_left(stream) < 3)
        return rd_left(stream) && rd_peek_u8(stream, 0) != 0x05 ? FRAME_NOT_OURS : FRAME_NEED_MORE;
    if (rd_peek_be16(stream, 0) != DNP3_START || rd_peek_u8(stream, 2) < 5)
        return FRAME_NOT_OURS;
    return (long)dnp3_frame_len(rd_peek_u8(stream, 2));
}

/* start octets, a sane LEN and a header CRC that checks: strict enough for any port */
static bool probe(const struct rd *payload, uint8_t l4)
{
    (void)l4;
    struct rd r = *payload;
    uint8_t hdr[8];
    rd_bytes(&r, hdr, sizeof hdr);
    uint16_t crc = rd_le16(&r);
    return rd_ok(&r) && hdr[0] == 0x05 && hdr[1] == 0x64 && hdr[2] >= 5 &&
           dnp3_crc(hdr, sizeof hdr) == crc;
}

static void gap(void *state, int dir)
{
    struct dnp3_state *s = state;
    if (s->tp.dir == dir)
        s->tp.active = 0;
    if (s->pend.dir == dir)
        s->pend.valid = 0;
}

const struct dissector dissector_dnp3 = {
    .name = "dnp3",
    .proto = PROTO_DNP3,
    .tcp_ports = {DNP3_PORT},
    .udp_ports = {DNP3_PORT},
    .probe = probe,
    .state_size = sizeof(struct dnp3_state),
    .frame = frame,
    .parse = parse,
    .gap = gap,
};
