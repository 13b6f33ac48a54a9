/* s7comm.c - ISO-on-TCP (RFC 1006 TPKT, ISO 8073 COTP) on tcp/102 and what it carries:
 * Siemens S7comm (protocol id 0x32), S7comm-plus (0x72, S7-1200/1500, parsed in
 * s7comm_plus.c) and, told apart by the ISO 8327 session header, MMS (mms.c).  S7comm yields
 * the richest identity on the plant floor: SZL 0x0011 (order number, hardware, firmware) and
 * 0x001C (PLC and module names, serial number, vendor), also when an answer is segmented over
 * several userdata PDUs; and the operations that matter most: PLC stop/start, block
 * download/upload/delete, password and variable writes.  Layouts follow Wireshark's s7comm
 * dissector and Siemens' "System Software for S7-300/400" manual (SZL chapter).  A TSDU split
 * over several COTP DTs is parsed from its first DT only (S7 PDUs nearly always fit one). */
#include <stdio.h>
#include <string.h>

#include "dissect/dissect.h"
#include "dissect/mms.h"
#include "dissect/s7comm_plus.h"
#include "util/str.h"

#define TPKT_VERSION        3
#define COTP_DT             0xf0
#define COTP_CR             0xe0
#define COTP_CC             0xd0
#define COTP_PARAM_DST_TSAP 0xc2
#define S7_ID               0x32
#define S7P_ID              0x72
#define S7_PENDING          4  /* jobs in flight per connection (max AmQ is 1..8, mostly 1-3) */
#define SZL_PART_MAX        64 /* longest SZL record continued over a segment boundary */

enum { ROSCTR_JOB = 1, ROSCTR_ACK = 2, ROSCTR_ACK_DATA = 3, ROSCTR_USERDATA = 7 };
/* userdata parameter: type (high nibble of byte 5) and function groups */
enum { UD_PUSH = 0, UD_REQUEST = 4, UD_RESPONSE = 8 };
enum { UD_PROG = 1, UD_CYCLIC = 2, UD_BLOCK = 3, UD_CPU = 4, UD_SECURITY = 5, UD_TIME = 7 };
#define UD_SZL_READ 1

struct s7_pending {
    uint16_t ref;
    uint8_t kind, used;
    char function[40];
    char target[28];
};

/* an SZL answer segmented over several userdata responses ("more data follows"): where the
 * next segment continues, and the partial record it began */
struct szl_cont {
    uint16_t id;     /* SZL id being continued, 0 = none */
    uint16_t reclen; /* record length */
    uint16_t left;   /* records still to come */
    uint8_t dur;     /* data unit reference shared by the segments */
    uint8_t have;    /* bytes of the partial record in part[] */
    uint8_t part[SZL_PART_MAX];
};

struct s7_state {
    uint8_t next;
    bool role_done;
    bool frag[2]; /* per direction: a TSDU began in a DT without EOT; its rest is skipped */
    bool mms;     /* the connection carries MMS: the union holds mms, not the S7 context */
    union {
        struct {
            struct s7_pending pending[S7_PENDING];
            struct szl_cont szl;
            struct s7p_state plus;
        };
        struct mms_state mms_state;
    };
};
_Static_assert(sizeof(struct s7_state) <= DISSECT_STATE_MAX, "s7comm state too large");

/* block types in S7 file names "_0A00001P" (S7comm, as documented by Wireshark's dissector) */
static const char *block_type(const char *two)
{
    static const struct {
        const char *code, *name;
    } t[] = {{"08", "OB"},  {"0A", "DB"}, {"0B", "SDB"}, {"0C", "FC"},
             {"0D", "SFC"}, {"0E", "FB"}, {"0F", "SFB"}};
    for (size_t i = 0; i < sizeof t / sizeof *t; i++)
        if (!strncmp(two, t[i].code, 2))
            return t[i].name;
    return "block";
}

/* "_0A00001P" -> "DB 1" */
static void block_name(struct rd *r, size_t n, char *out, size_t outsz)
{
    char f[32];
    rd_str(r, n < sizeof f ? n : sizeof f - 1, f, sizeof f);
    if (strlen(f) >= 8 && f[0] == '_') {
        unsigned num = 0;
        for (int i = 3; i < 8 && f[i] >= '0' && f[i] <= '9'; i++)
            num = num * 10 + (unsigned)(f[i] - '0');
        str_fmt(out, outsz, "%s %u", block_type(f + 1), num);
    } else {
        str_copy(out, outsz, f[0] ? f : "block");
    }
}

static const char *area_name(uint8_t a)
{
    switch (a) {
    case 0x81:
        return "I";
    case 0x82:
        return "Q";
    case 0x83:
        return "M";
    case 0x84:
        return "DB";
    case 0x1c:
        return "C";
    case 0x1d:
        return "T";
    case 0x80:
        return "P";
    default:
        return "area";
    }
}

/* the first variable of a read/write var request (S7ANY item), e.g. "DB5.DBX 10.0" */
static void first_item(struct rd *r, uint8_t count, char *out, size_t outsz)
{
    if (rd_u8(r) != 0x12) { /* variable specification */
        str_copy(out, outsz, "");
        return;
    }
    uint8_t len = rd_u8(r);
    struct rd it = rd_sub(r, len);
    uint8_t syntax = rd_u8(&it);
    if (syntax != 0x10) { /* S7ANY; other syntaxes (DBREAD, symbolic) are just named */
        str_fmt(out, outsz, "%u item%s (syntax 0x%02x)", count, count > 1 ? "s" : "", syntax);
        return;
    }
    rd_skip(&it, 1); /* transport size */
    uint16_t n = rd_be16(&it), db = rd_be16(&it);
    uint8_t area = rd_u8(&it);
    uint32_t addr = rd_be24(&it);
    if (!rd_ok(&it)) {
        str_copy(out, outsz, "");
        return;
    }
    if (area == 0x84)
        str_fmt(out, outsz, "DB%u.DBX %u.%u (%u)%s", db, addr >> 3, addr & 7, n,
                 count > 1 ? " +more" : "");
    else
        str_fmt(out, outsz, "%s %u.%u (%u)%s", area_name(area), addr >> 3, addr & 7, n,
                 count > 1 ? " +more" : "");
}

/* a job whose error answer becomes its result */
static void remember(struct s7_state *s, uint16_t ref, enum op_kind k, const char *fn,
                     const char *target)
{
    struct s7_pending *p = &s->pending[s->next++ % S7_PENDING];
    p->ref = ref;
    p->kind = (uint8_t)k;
    p->used = 1;
    str_copy(p->function, sizeof p->function, fn);
    str_copy(p->target, sizeof p->target, target ? target : "");
}

static void job(struct pctx *c, struct s7_state *s, uint16_t ref, struct rd *param)
{
    uint8_t fn = rd_u8(param);
    char target[96] = "", name[40];
    switch (fn) {
    case 0xf0: {
        rd_skip(param, 5);
        uint16_t pdu = rd_be16(param);
        str_fmt(target, sizeof target, "pdu size %u", pdu);
        emit_op(c, OP_SESSION, "setup communication (0xf0)", target, NULL);
        return;
    }
    case 0x04:
    case 0x05: {
        uint8_t count = rd_u8(param);
        first_item(param, count, target, sizeof target);
        const char *f = fn == 4 ? "read var (0x04)" : "write var (0x05)";
        enum op_kind k = fn == 4 ? OP_READ : OP_PROCESS_WRITE;
        remember(s, ref, k, f, target);
        emit_op(c, k, f, target, NULL);
        return;
    }
    case 0x1a: /* request download: function, status, unknown, id, filename length, name */
    case 0x1d: /* start upload */
    {
        rd_skip(param, 7); /* status, 2 unknown bytes, upload id */
        uint8_t n = rd_u8(param);
        block_name(param, n, name, sizeof name);
        bool down = fn == 0x1a;
        const char *f = down ? "request download (0x1a)" : "start upload (0x1d)";
        remember(s, ref, down ? OP_PROGRAM_DOWNLOAD : OP_PROGRAM_UPLOAD, f, name);
        emit_op(c, down ? OP_PROGRAM_DOWNLOAD : OP_PROGRAM_UPLOAD, f, name, NULL);
        return;
    }
    case 0x1b:
    case 0x1c:
    case 0x1e:
    case 0x1f:
        return;  /* the rest of a transfer started above */
    case 0x28:   /* PI service: 7 unknown bytes, parameter block, service name */
    case 0x29: { /* PLC stop: 5 unknown bytes, service name */
        rd_skip(param, fn == 0x28 ? 7 : 5);
        if (fn == 0x28) {
            /* the parameter block: an argument ("C" for cold start) or block ids "0A00001P" */
            uint16_t plen = rd_be16(param);
            struct rd pb = rd_sub(param, plen);
            char arg[40] = "";
            size_t n = rd_left(&pb) < 39 ? rd_left(&pb) : 39;
            struct rd scan = pb;
            if (n)
                rd_str(&pb, n, arg, sizeof arg);
            while (rd_left(&scan) >= 8) {
                char id[10] = "_";
                struct rd t = scan;
                rd_bytes(&t, id + 1, 8);
                id[9] = '\0';
                bool num = true;
                for (int i = 3; i < 8; i++)
                    num &= id[i] >= '0' && id[i] <= '9';
                if (num && id[1] == '0' && (id[8] == 'P' || id[8] == 'A')) {
                    struct rd one = rd_init(id, 9);
                    block_name(&one, 9, target, sizeof target);
                    break;
                }
                rd_skip(&scan, 1);
            }
            if (!target[0] && arg[0] && arg[0] != '\\')
                str_copy(target, sizeof target, arg);
        }
        uint8_t n = rd_u8(param);
        char svc[32];
        rd_str(param, n, svc, sizeof svc);
        if (!rd_ok(param)) {
            emit_malformed(c, "s7comm: PI service truncated");
            return;
        }
        enum op_kind k = OP_OTHER;
        const char *what = svc;
        if (fn == 0x29) {
            k = OP_PLC_STOP;
            what = "plc stop (0x29)";
        } else if (!strcmp(svc, "P_PROGRAM")) {
            k = OP_PLC_START;
            what = !strcmp(target, "C") ? "plc cold start (P_PROGRAM)"
                                        : "plc hot/warm start (P_PROGRAM)";
        } else if (!strcmp(svc, "_INSE")) {
            k = OP_PROGRAM_DOWNLOAD;
            what = "activate downloaded blocks (_INSE)";
        } else if (!strcmp(svc, "_DELE")) {
            k = OP_PROGRAM_DELETE;
            what = "delete blocks (_DELE)";
        } else if (!strcmp(svc, "_GARB") || !strcmp(svc, "_MODU")) {
            k = OP_CONFIG_WRITE;
            what = !strcmp(svc, "_GARB") ? "compress memory (_GARB)" : "copy ram to rom (_MODU)";
        }
        remember(s, ref, k, what, target);
        emit_op(c, k, what, target[0] ? target : NULL, NULL);
        return;
    }
    default:
        str_fmt(name, sizeof name, "job function 0x%02x", fn);
        emit_op(c, OP_OTHER, name, NULL, NULL);
    }
}

/* SZL 0x0011 module identification (one 28-byte record): index, MLFB (20 chars), BGTyp,
 * Ausbg, Ausbe.  Index 0x0001 is the module (the CPU's order number), 0x0006 the basic
 * hardware, 0x0007 the basic firmware, whose version words read 'V' major / minor patch. */
static void szl_0011(struct pctx *c, struct rd *e)
{
    uint16_t index = rd_be16(e);
    char mlfb[32];
    rd_str(e, 20, mlfb, sizeof mlfb);
    rd_skip(e, 2); /* BGTyp */
    uint16_t ausbg = rd_be16(e), ausbe = rd_be16(e);
    if (!rd_ok(e))
        return;
    char raw[32], v[32];
    if (index == 0x0001 && mlfb[0]) {
        emit_attr(c, WHO_SRC, F_ORDER_NUMBER, mlfb, "s7comm szl 0x0011 (module)");
        str_fmt(raw, sizeof raw, "%u", ausbg);
        emit_attr_raw(c, WHO_SRC, F_HARDWARE, raw, raw, "s7comm szl 0x0011 (module)");
        if (!strncmp(mlfb, "6ES7", 4) || !strncmp(mlfb, "6AG1", 4))
            emit_attr(c, WHO_SRC, F_VENDOR, "Siemens", "s7comm szl 0x0011 (siemens order number)");
    } else if (index == 0x0006 && mlfb[0]) {
        str_fmt(raw, sizeof raw, "%u", ausbg);
        emit_attr_raw(c, WHO_SRC, F_HARDWARE, raw, raw, "s7comm szl 0x0011 (basic hardware)");
    } else if (index == 0x0007 && (ausbg >> 8) == 'V') {
        str_fmt(v, sizeof v, "V%u.%u.%u", ausbg & 0xff, ausbe >> 8, ausbe & 0xff);
        str_fmt(raw, sizeof raw, "%u", ausbe);
        emit_attr_raw(c, WHO_SRC, F_FIRMWARE, v, raw, "s7comm szl 0x0011 (firmware)");
    }
}

/* SZL 0x001C component identification (one 34-byte record): index, then a 32-byte name, or
 * for index 0x0009 the PROFIBUS manufacturer id */
static void szl_001c(struct pctx *c, struct rd *e)
{
    static const struct {
        uint16_t index;
        enum attr_field f;
        const char *what;
    } map[] = {{1, F_NAME, "automation system name"},    {2, F_MODULE_NAME, "module name"},
               {3, F_PLANT_ID, "plant designation"},     {4, F_COPYRIGHT, "copyright"},
               {5, F_SERIAL, "serial number"},           {7, F_PRODUCT, "module type name"},
               {8, F_DESCRIPTION, "memory card serial"}, {11, F_LOCATION, "location designation"}};
    uint16_t index = rd_be16(e);
    char v[64], raw[16];
    if (index == 0x0009) {
        uint16_t vendor = rd_be16(e);
        if (!rd_ok(e))
            return;
        str_fmt(v, sizeof v, "0x%04x", vendor);
        str_fmt(raw, sizeof raw, "%u", vendor);
        emit_attr_raw(c, WHO_SRC, F_VENDOR_ID, v, raw, "s7comm szl 0x001c (manufacturer)");
        if (vendor == 0x002a) /* the PROFIBUS/PI manufacturer id of Siemens */
            emit_attr(c, WHO_SRC, F_VENDOR, "Siemens", "s7comm szl 0x001c (manufacturer)");
        return;
    }
    rd_str(e, rd_left(e) < 32 ? rd_left(e) : 32, v, sizeof v);
    if (!v[0])
        return;
    for (size_t k = 0; k < sizeof map / sizeof *map; k++) {
        if (map[k].index != index)
            continue;
        char src[80];
        str_fmt(src, sizeof src, "s7comm szl 0x001c (%s)", map[k].what);
        emit_attr(c, WHO_SRC, map[k].f, v, src);
        if (index == 7)
            emit_attr(c, WHO_SRC, F_MODULE_TYPE, v, src);
    }
}

/* SZL 0x0424 current mode transition: the low nibble of bzu-id is the mode entered */
static void szl_0424(struct pctx *c, struct rd *e)
{
    rd_skip(e, 3); /* event id, ae */
    uint8_t bzu = rd_u8(e);
    if (!rd_ok(e))
        return;
    static const char *const modes[16] = {[1] = "STOP (update)",
                                          [2] = "STOP (memory reset)",
                                          [3] = "STOP (self initialization)",
                                          [4] = "STOP (internal)",
                                          [5] = "STARTUP (complete restart)",
                                          [7] = "STARTUP (restart)",
                                          [8] = "RUN",
                                          [10] = "HOLD",
                                          [13] = "DEFECT"};
    char raw[8];
    str_fmt(raw, sizeof raw, "0x%02x", bzu);
    if (modes[bzu & 0x0f])
        emit_attr_raw(c, WHO_SRC, F_STATE, modes[bzu & 0x0f], raw, "s7comm szl 0x0424 (mode)");
}

static void szl_record(struct pctx *c, uint16_t id, struct rd *e)
{
    if ((id & 0xff) == 0x11)
        szl_0011(c, e);
    else if ((id & 0xff) == 0x1c)
        szl_001c(c, e);
    else if (id == 0x0424)
        szl_0424(c, e);
}

/* the records of one answer segment; a record cut by the segment's end is kept in k->part when
 * more segments follow */
static void szl_records(struct pctx *c, struct szl_cont *k, struct rd *d, bool more)
{
    if (k->have) { /* complete the record the previous segment began */
        size_t need = k->reclen - k->have;
        size_t n = rd_left(d) < need ? rd_left(d) : need;
        rd_bytes(d, k->part + k->have, n);
        k->have = (uint8_t)(k->have + n);
        if (k->have == k->reclen) {
            struct rd e = rd_init(k->part, k->reclen);
            szl_record(c, k->id, &e);
            k->have = 0;
            k->left--;
        }
    }
    while (k->left && rd_left(d) >= k->reclen) {
        struct rd e = rd_sub(d, k->reclen);
        szl_record(c, k->id, &e);
        k->left--;
    }
    if (more && k->left && rd_left(d) && !k->have) {
        if (k->reclen <= SZL_PART_MAX) {
            k->have = (uint8_t)rd_left(d);
            rd_bytes(d, k->part, k->have);
        } else {
            k->left = 0; /* too long to carry over: the rest of this answer is skipped */
        }
    }
    if (!more)
        memset(k, 0, sizeof *k);
}

/* a read-SZL response: the first segment starts with the SZL header; a continuation (same data
 * unit reference as a pending segmented answer) is the records' next bytes */
static void szl_response(struct pctx *c, struct s7_state *s, uint8_t dur, bool more,
                         struct rd *data)
{
    uint8_t ret = rd_u8(data);
    rd_skip(data, 1); /* transport size */
    uint16_t dlen = rd_be16(data);
    struct rd d = rd_sub(data, dlen);
    if (!rd_ok(data) || ret != 0xff)
        return;
    if (!s->role_done && c->dir == 1) {
        s->role_done = true;
        emit_role(c, WHO_SRC, "plc", "s7comm szl answer");
    }
    struct szl_cont *k = &s->szl;
    if (k->id && k->dur == dur && dur) {
        szl_records(c, k, &d, more);
        return;
    }
    memset(k, 0, sizeof *k);
    uint16_t id = rd_be16(&d);
    rd_skip(&d, 2); /* index */
    uint16_t len = rd_be16(&d), count = rd_be16(&d);
    if (!rd_ok(&d) || len == 0)
        return;
    k->id = id;
    k->reclen = len;
    k->left = count;
    k->dur = dur;
    szl_records(c, k, &d, more && dur);
}

static void userdata_request(struct pctx *c, uint8_t group, uint8_t sub, struct rd *data)
{
    char t[48];
    uint8_t ret = rd_u8(data);
    rd_skip(data, 3); /* transport size, length */
    switch (group) {
    case UD_CPU:
        if (sub != UD_SZL_READ) {
            str_fmt(t, sizeof t, "cpu function 0x%02x", sub);
            emit_op(c, OP_OTHER, t, NULL, NULL);
        } else if (ret == 0xff) { /* a continuation request (ret 0x0a) is not a new read */
            uint16_t id = rd_be16(data), index = rd_be16(data);
            str_fmt(t, sizeof t, "szl 0x%04x index 0x%04x", id, index);
            emit_op(c, OP_READ, "read szl", rd_ok(data) ? t : NULL, NULL);
        }
        break;
    case UD_SECURITY:
        if (sub == 1) {
            /* 8 bytes XORed with a fixed pattern: anyone on the path recovers the password */
            emit_op(c, OP_AUTH, "plc password (userdata 5/1)", NULL, NULL);
            emit_finding(c, WHO_SERVER, "cleartext-credentials",
                         "s7comm plc password (reversibly obfuscated)");
        } else {
            emit_op(c, OP_AUTH, "clear password (userdata 5/2)", NULL, NULL);
        }
        break;
    case UD_TIME:
        if (sub == 2 || sub == 4)
            emit_op(c, OP_TIME_SYNC, "set clock (userdata 7)", NULL, NULL);
        else
            emit_op(c, OP_READ, "read clock (userdata 7)", NULL, NULL);
        break;
    case UD_BLOCK:
        emit_op(c, OP_READ, sub == 3 ? "get block info" : "list blocks", NULL, NULL);
        break;
    case UD_CYCLIC:
        emit_op(c, OP_READ, "cyclic data (userdata 2)", NULL, NULL);
        break;
    case UD_PROG:
        str_fmt(t, sizeof t, "programmer command 0x%02x", sub);
        /* 0x10: forces, which override process outputs */
        emit_op(c, sub == 0x10 ? OP_PROCESS_WRITE : OP_DIAGNOSTIC, t, NULL, NULL);
        break;
    default:
        str_fmt(t, sizeof t, "userdata group %u function 0x%02x", group, sub);
        emit_op(c, OP_OTHER, t, NULL, NULL);
    }
}

/* userdata parameter: head 00 01 12, length, method, type/group, sub-function, sequence
 * number; with length 8 also data unit reference, last-data-unit flag and an error code */
static void userdata(struct pctx *c, struct s7_state *s, int dir, struct rd *param, struct rd *data)
{
    rd_skip(param, 3);
    uint8_t plen = rd_u8(param);
    rd_skip(param, 1); /* method */
    uint8_t tg = rd_u8(param), sub = rd_u8(param);
    rd_skip(param, 1); /* sequence number */
    uint8_t dur = 0, last = 0;
    uint16_t err = 0;
    if (plen >= 8) {
        dur = rd_u8(param);
        last = rd_u8(param);
        err = rd_be16(param);
    }
    if (!rd_ok(param)) {
        emit_malformed(c, "s7comm: userdata parameter truncated");
        return;
    }
    uint8_t type = tg >> 4, group = tg & 0x0f;
    if (type == UD_REQUEST && dir == 0)
        userdata_request(c, group, sub, data);
    else if (type == UD_RESPONSE && group == UD_CPU && sub == UD_SZL_READ && !err)
        szl_response(c, s, dur, last != 0, data);
}

static void s7comm(struct pctx *c, struct s7_state *s, int dir, struct rd *r)
{
    rd_skip(r, 1); /* protocol id */
    uint8_t rosctr = rd_u8(r);
    rd_skip(r, 2);
    uint16_t ref = rd_be16(r), plen = rd_be16(r), dlen = rd_be16(r);
    uint8_t eclass = 0, ecode = 0;
    if (rosctr == ROSCTR_ACK || rosctr == ROSCTR_ACK_DATA) {
        eclass = rd_u8(r);
        ecode = rd_u8(r);
    }
    struct rd param = rd_sub(r, plen), data = rd_sub(r, dlen);
    if (!rd_ok(r)) {
        emit_malformed(c, "s7comm: header lengths exceed the PDU");
        return;
    }
    switch (rosctr) {
    case ROSCTR_JOB:
        if (dir == 0)
            job(c, s, ref, &param);
        break;
    case ROSCTR_ACK:
    case ROSCTR_ACK_DATA:
        if (dir == 1 && rosctr == ROSCTR_ACK_DATA && !s->role_done) {
            s->role_done = true;
            emit_role(c, WHO_SRC, "plc", "s7comm ack-data from the iso-tsap server");
        }
        for (int i = 0; i < S7_PENDING; i++) {
            struct s7_pending *p = &s->pending[i];
            if (!p->used || p->ref != ref)
                continue;
            p->used = 0;
            if (!eclass && !ecode)
                continue;
            char res[48];
            str_fmt(res, sizeof res, "error class 0x%02x code 0x%02x", eclass, ecode);
            emit_op(c, (enum op_kind)p->kind, p->function, p->target[0] ? p->target : NULL, res);
        }
        break;
    case ROSCTR_USERDATA:
        userdata(c, s, dir, &param, &data);
        break;
    default:
        emit_malformed(c, "s7comm: unknown ROSCTR");
    }
}

/* COTP connection request: the destination TSAP says what connects to what - two bytes
 * (connection type 1 PG, 2 OP, 3 S7 basic; rack and slot of the CPU) or, for S7-1200/1500, a
 * name whose suffix tells an HMI from an engineering station */
static void cotp_connect(struct pctx *c, struct rd *cotp)
{
    rd_skip(cotp, 5); /* dst ref, src ref, class */
    while (rd_left(cotp) >= 2) {
        uint8_t code = rd_u8(cotp), n = rd_u8(cotp);
        struct rd v = rd_sub(cotp, n);
        if (code != COTP_PARAM_DST_TSAP || !rd_ok(cotp))
            continue;
        char t[64], name[40];
        if (n == 2) {
            static const char *const types[] = {"", "pg", "op", "s7 basic"};
            uint8_t hi = rd_u8(&v), lo = rd_u8(&v);
            str_fmt(t, sizeof t, "tsap 0x%02x%02x (%s%srack %u slot %u)", hi, lo,
                     hi >= 1 && hi <= 3 ? types[hi] : "", hi >= 1 && hi <= 3 ? ", " : "", lo >> 5,
                     lo & 0x1f);
        } else {
            rd_str(&v, n < sizeof name ? n : sizeof name - 1, name, sizeof name);
            str_fmt(t, sizeof t, "tsap %s", name);
            if (!strncmp(name, "SIMATIC-ROOT-", 13))
                emit_set_protocol(c, PROTO_S7COMM_PLUS);
            if (!strcmp(name, "SIMATIC-ROOT-HMI"))
                emit_role(c, WHO_SRC, "hmi", "s7comm-plus tsap SIMATIC-ROOT-HMI");
            else if (!strcmp(name, "SIMATIC-ROOT-ES"))
                emit_role(c, WHO_SRC, "engineering-workstation",
                          "s7comm-plus tsap SIMATIC-ROOT-ES");
        }
        emit_op(c, OP_SESSION, "cotp connect", t, NULL);
    }
}

/* ISO 8327 session SPDUs (CN, AC, DT, ...) on port 102 carry MMS (IEC 61850) */
static bool looks_like_session(const struct rd *r)
{
    uint8_t si = rd_peek_u8(r, 0);
    return si == 0x0d || si == 0x0e || si == 0x01 || si == 0x19 || si == 0x0a || si == 0x09 ||
           si == 0x0c;
}

static void parse(struct pctx *c, void *state, int dir, struct rd *pdu)
{
    struct s7_state *s = state;
    uint8_t ver = rd_u8(pdu);
    rd_skip(pdu, 3); /* reserved, length */
    uint8_t li = rd_u8(pdu);
    struct rd cotp = rd_sub(pdu, li);
    uint8_t type = rd_u8(&cotp) & 0xf0;
    if (!rd_ok(pdu) || ver != TPKT_VERSION) {
        emit_malformed(c, "s7comm: bad TPKT/COTP header");
        return;
    }
    if (!s)
        return;
    if (type == COTP_CR && dir == 0) {
        cotp_connect(c, &cotp);
        return;
    }
    if (type != COTP_DT)
        return;
    /* a TSDU may span DTs, the last with the EOT bit (ISO 8073 DT TPDU): its first non-empty
     * DT is parsed as far as it goes, the others skipped */
    bool eot = rd_u8(&cotp) & 0x80;
    if (s->frag[dir & 1]) {
        s->frag[dir & 1] = !eot;
        return;
    }
    if (!rd_left(pdu))
        return;
    s->frag[dir & 1] = !eot;
    uint8_t id = rd_peek_u8(pdu, 0);
    bool mms = id != S7_ID && id != S7P_ID && looks_like_session(pdu);
    if ((id == S7_ID || id == S7P_ID || mms) && s->mms != mms) { /* S7 and MMS share the union */
        memset(&s->mms_state, 0, sizeof *s - offsetof(struct s7_state, mms_state));
        s->mms = mms;
    }
    if (id == S7_ID && eot)
        s7comm(c, s, dir, pdu);
    else if (id == S7P_ID)
        s7p_parse(c, &s->plus, dir, pdu, !eot);
    else if (mms) {
        emit_set_protocol(c, PROTO_MMS);
        mms_parse(c, &s->mms_state, dir, pdu, !eot);
    }
}

/* bytes were lost: whatever was being continued is gone */
static void gap(void *state, int dir)
{
    struct s7_state *s = state;
    if (!s)
        return;
    s->frag[dir & 1] = false;
    if (s->mms)
        mms_gap(&s->mms_state, dir);
    else if (dir == 1)
        memset(&s->szl, 0, sizeof s->szl);
}

static long frame(const struct rd *stream)
{
    if (rd_left(stream) < 4)
        return FRAME_NEED_MORE;
    uint16_t len = rd_peek_be16(stream, 2);
    if (rd_peek_u8(stream, 0) != TPKT_VERSION || rd_peek_u8(stream, 1) != 0 || len < 7)
        return FRAME_NOT_OURS;
    return len;
}

static bool probe(const struct rd *p, uint8_t l4)
{
    if (l4 != L4_TCP || rd_left(p) < 7)
        return false;
    uint16_t len = rd_peek_be16(p, 2);
    uint8_t li = rd_peek_u8(p, 4), type = rd_peek_u8(p, 5) & 0xf0;
    return rd_peek_u8(p, 0) == TPKT_VERSION && rd_peek_u8(p, 1) == 0 && len == rd_left(p) &&
           li >= 2 && li + 5u <= len && (type == COTP_CR || type == COTP_CC || type == COTP_DT);
}

const struct dissector dissector_s7comm = {
    .name = "s7comm",
    .proto = PROTO_S7COMM,
    .tcp_ports = {102},
    .probe = probe,
    .state_size = sizeof(struct s7_state),
    .frame = frame,
    .parse = parse,
    .gap = gap,
};
