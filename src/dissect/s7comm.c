/* s7comm.c - ISO-on-TCP (RFC 1006 TPKT, ISO 8073 COTP) on tcp/102 and what it carries:
 * Siemens S7comm (protocol id 0x32), S7comm-plus (0x72, S7-1200/1500) and, told apart by the
 * ISO 8327 session header, IEC 61850 MMS.  S7comm yields the richest identity on the plant
 * floor: SZL 0x0011 (order number, hardware, firmware) and 0x001C (PLC and module names,
 * serial number, vendor); and the operations that matter most: PLC stop/start, block
 * download/upload/delete, password and variable writes.  COTP data split over several TPDUs
 * is parsed from its first TPDU only (S7 PDUs nearly always fit one). */
#include <stdio.h>
#include <string.h>

#include "dissect/dissect.h"
#include "util/str.h"

#define TPKT_VERSION 3
#define COTP_DT 0xf0
#define COTP_CR 0xe0
#define COTP_CC 0xd0
#define S7_ID 0x32
#define S7P_ID 0x72
#define S7_PENDING 8

enum { ROSCTR_JOB = 1, ROSCTR_ACK = 2, ROSCTR_ACK_DATA = 3, ROSCTR_USERDATA = 7 };

struct s7_pending {
    uint16_t ref;
    uint8_t kind, used;
    char function[40];
};

struct s7_state {
    struct s7_pending pending[S7_PENDING];
    uint8_t next;
    uint8_t szl_done; /* bit 0: 0x0011 parsed, bit 1: 0x001c parsed */
    bool plus_version_seen;
};

/* block types in S7 file names "_0A00001P" (S7comm, as documented by Wireshark's dissector) */
static const char *block_type(const char *two)
{
    static const struct {
        const char *code, *name;
    } t[] = {{"08", "OB"}, {"0A", "DB"}, {"0B", "SDB"}, {"0C", "FC"},
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
        snprintf(out, outsz, "%s %u", block_type(f + 1), num);
    } else {
        str_copy(out, outsz, f[0] ? f : "block");
    }
}

static const char *area_name(uint8_t a)
{
    switch (a) {
    case 0x81: return "I";
    case 0x82: return "Q";
    case 0x83: return "M";
    case 0x84: return "DB";
    case 0x1c: return "C";
    case 0x1d: return "T";
    case 0x80: return "P";
    default: return "area";
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
        snprintf(out, outsz, "%u item%s (syntax 0x%02x)", count, count > 1 ? "s" : "", syntax);
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
        snprintf(out, outsz, "DB%u.DBX %u.%u (%u)%s", db, addr >> 3, addr & 7, n,
                 count > 1 ? " +more" : "");
    else
        snprintf(out, outsz, "%s %u.%u (%u)%s", area_name(area), addr >> 3, addr & 7, n,
                 count > 1 ? " +more" : "");
}

static void remember(struct s7_state *s, uint16_t ref, enum op_kind k, const char *fn)
{
    if (!s)
        return;
    struct s7_pending *p = &s->pending[s->next++ % S7_PENDING];
    p->ref = ref;
    p->kind = (uint8_t)k;
    p->used = 1;
    str_copy(p->function, sizeof p->function, fn);
}

static void job(struct pctx *c, struct s7_state *s, uint16_t ref, struct rd *param)
{
    uint8_t fn = rd_u8(param);
    char target[96] = "", name[40];
    switch (fn) {
    case 0xf0: {
        rd_skip(param, 5);
        uint16_t pdu = rd_be16(param);
        snprintf(target, sizeof target, "pdu size %u", pdu);
        emit_op(c, OP_SESSION, "setup communication (0xf0)", target, NULL);
        return;
    }
    case 0x04:
    case 0x05: {
        uint8_t count = rd_u8(param);
        first_item(param, count, target, sizeof target);
        const char *f = fn == 4 ? "read var (0x04)" : "write var (0x05)";
        enum op_kind k = fn == 4 ? OP_READ : OP_PROCESS_WRITE;
        remember(s, ref, k, f);
        emit_op(c, k, f, target, NULL);
        return;
    }
    case 0x1a: /* request download: function, status, unknown, id, filename length, name */
    case 0x1d: /* start upload */
    {
        rd_skip(param, fn == 0x1a ? 7 : 7);
        uint8_t n = rd_u8(param);
        block_name(param, n, name, sizeof name);
        bool down = fn == 0x1a;
        const char *f = down ? "request download (0x1a)" : "start upload (0x1d)";
        remember(s, ref, down ? OP_PROGRAM_DOWNLOAD : OP_PROGRAM_UPLOAD, f);
        emit_op(c, down ? OP_PROGRAM_DOWNLOAD : OP_PROGRAM_UPLOAD, f, name, NULL);
        return;
    }
    case 0x1b: case 0x1c: case 0x1e: case 0x1f:
        return; /* the rest of a transfer started above */
    case 0x28:   /* PI service: 7 unknown bytes, parameter block, service name */
    case 0x29: { /* PLC stop: 5 unknown bytes, service name */
        rd_skip(param, fn == 0x28 ? 7 : 5);
        if (fn == 0x28) {
            /* the parameter block: an argument ("C" for cold start) or block ids "0A00001P" */
            uint16_t plen = rd_be16(param);
            struct rd pb = rd_sub(param, plen);
            char arg[40];
            size_t n = rd_left(&pb) < 39 ? rd_left(&pb) : 39;
            struct rd scan = pb;
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
            what = strchr(target, 'C') ? "plc cold start (P_PROGRAM)"
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
        remember(s, ref, k, what);
        emit_op(c, k, what, target[0] ? target : NULL, NULL);
        return;
    }
    default:
        snprintf(name, sizeof name, "job function 0x%02x", fn);
        emit_op(c, OP_OTHER, name, NULL, NULL);
    }
}

/* SZL 0x0011 module identification: the CPU's order number and versions */
static void szl_0011(struct pctx *c, struct rd *d, uint16_t len, uint16_t count)
{
    for (uint16_t i = 0; i < count && rd_ok(d) && rd_left(d) >= len; i++) {
        struct rd e = rd_sub(d, len);
        uint16_t index = rd_be16(&e);
        char mlfb[32];
        rd_str(&e, 20, mlfb, sizeof mlfb);
        rd_skip(&e, 2); /* BGTyp */
        uint16_t ausbg = rd_be16(&e), ausbe = rd_be16(&e);
        if (!rd_ok(&e))
            break;
        char raw[32], v[32];
        if (index == 0x0001 && mlfb[0]) {
            emit_attr(c, WHO_SRC, F_ORDER_NUMBER, mlfb, "s7comm szl 0x0011 (module)");
            snprintf(raw, sizeof raw, "%u", ausbg);
            emit_attr_raw(c, WHO_SRC, F_HARDWARE, raw, raw, "s7comm szl 0x0011 (module)");
        } else if (index == 0x0006 && mlfb[0]) {
            snprintf(raw, sizeof raw, "%u", ausbg);
            emit_attr_raw(c, WHO_SRC, F_HARDWARE, raw, raw, "s7comm szl 0x0011 (basic hardware)");
        } else if (index == 0x0007 && (ausbg >> 8) == 'V') {
            /* 'V', major in the low byte of Ausbg; minor and patch in Ausbe */
            snprintf(v, sizeof v, "V%u.%u.%u", ausbg & 0xff, ausbe >> 8, ausbe & 0xff);
            snprintf(raw, sizeof raw, "%u", ausbe);
            emit_attr_raw(c, WHO_SRC, F_FIRMWARE, v, raw, "s7comm szl 0x0011 (firmware)");
        }
    }
}

/* SZL 0x001C component identification: names, serial number, vendor */
static void szl_001c(struct pctx *c, struct rd *d, uint16_t len, uint16_t count)
{
    for (uint16_t i = 0; i < count && rd_ok(d) && rd_left(d) >= len; i++) {
        struct rd e = rd_sub(d, len);
        uint16_t index = rd_be16(&e);
        char v[64], raw[16];
        if (index == 0x0009) {
            uint16_t vendor = rd_be16(&e);
            if (!rd_ok(&e))
                break;
            snprintf(v, sizeof v, "0x%04x", vendor);
            snprintf(raw, sizeof raw, "%u", vendor);
            emit_attr_raw(c, WHO_SRC, F_VENDOR_ID, v, raw, "s7comm szl 0x001c (manufacturer)");
            if (vendor == 0x002a) /* the PROFIBUS/PI manufacturer id of Siemens */
                emit_attr(c, WHO_SRC, F_VENDOR, "Siemens", "s7comm szl 0x001c (manufacturer)");
            continue;
        }
        rd_str(&e, rd_left(&e) < 32 ? rd_left(&e) : 32, v, sizeof v);
        if (!v[0])
            continue;
        static const struct {
            uint16_t index;
            enum attr_field f;
            const char *what;
        } map[] = {{1, F_NAME, "automation system name"},
                   {2, F_MODULE_NAME, "module name"},
                   {3, F_PLANT_ID, "plant designation"},
                   {4, F_COPYRIGHT, "copyright"},
                   {5, F_SERIAL, "serial number"},
                   {7, F_PRODUCT, "module type name"},
                   {8, F_DESCRIPTION, "memory card serial"},
                   {11, F_LOCATION, "location designation"}};
        for (size_t k = 0; k < sizeof map / sizeof *map; k++) {
            if (map[k].index != index)
                continue;
            char src[80];
            snprintf(src, sizeof src, "s7comm szl 0x001c (%s)", map[k].what);
            emit_attr(c, WHO_SRC, map[k].f, v, src);
            if (index == 7)
                emit_attr(c, WHO_SRC, F_MODULE_TYPE, v, src);
        }
    }
}

static void userdata(struct pctx *c, struct s7_state *s, struct rd *param, struct rd *data)
{
    rd_skip(param, 3); /* parameter head 00 01 12 */
    uint8_t plen = rd_u8(param);
    (void)plen;
    rd_skip(param, 1); /* method */
    uint8_t tg = rd_u8(param), sub = rd_u8(param);
    uint8_t type = tg >> 4, group = tg & 0x0f;
    if (!rd_ok(param))
        return;
    bool response = type == 8;
    if (group == 4 && sub == 1) { /* read SZL */
        uint8_t ret = rd_u8(data);
        rd_skip(data, 3); /* transport size, length */
        uint16_t id = rd_be16(data), index = rd_be16(data);
        if (!response) {
            char t[40];
            snprintf(t, sizeof t, "szl 0x%04x index 0x%04x", id, index);
            emit_op(c, OP_READ, "read szl", t, NULL);
            return;
        }
        if (ret != 0xff)
            return;
        uint16_t len = rd_be16(data), count = rd_be16(data);
        if (!rd_ok(data) || len == 0)
            return;
        if (c->dir == 1)
            emit_role(c, WHO_SRC, "plc", "s7comm szl answer");
        if ((id & 0x00ff) == 0x11)
            szl_0011(c, data, len, count);
        else if ((id & 0x00ff) == 0x1c)
            szl_001c(c, data, len, count);
        if (s)
            s->szl_done |= (uint8_t)(((id & 0xff) == 0x11) | (((id & 0xff) == 0x1c) << 1));
        return;
    }
    if (response)
        return;
    if (group == 5)
        emit_op(c, OP_AUTH, sub == 1 ? "plc password" : "clear password", NULL, NULL);
    else if (group == 7 && sub == 2)
        emit_op(c, OP_TIME_SYNC, "set clock", NULL, NULL);
    else if (group == 3)
        emit_op(c, OP_READ, sub == 3 ? "get block info" : "list blocks", NULL, NULL);
    else if (group == 1)
        emit_op(c, OP_DIAGNOSTIC, "programmer command", NULL, NULL);
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
        job(c, s, ref, &param);
        break;
    case ROSCTR_ACK:
    case ROSCTR_ACK_DATA:
        if (dir == 1 && rosctr == ROSCTR_ACK_DATA)
            emit_role(c, WHO_SRC, "plc", "s7comm ack-data from the iso-tsap server");
        if ((eclass || ecode) && s) {
            for (int i = 0; i < S7_PENDING; i++) {
                struct s7_pending *p = &s->pending[i];
                if (!p->used || p->ref != ref)
                    continue;
                char res[48];
                snprintf(res, sizeof res, "error class 0x%02x code 0x%02x", eclass, ecode);
                emit_op(c, (enum op_kind)p->kind, p->function, NULL, res);
                p->used = 0;
            }
        }
        break;
    case ROSCTR_USERDATA:
        userdata(c, s, &param, &data);
        break;
    default:
        emit_malformed(c, "s7comm: unknown ROSCTR");
    }
}

/* S7comm-plus: version, session setup and writes; an order number that travels in clear */
static void s7plus(struct pctx *c, struct s7_state *s, struct rd *r)
{
    rd_skip(r, 1);
    uint8_t version = rd_u8(r);
    uint16_t len = rd_be16(r);
    uint8_t opcode = rd_u8(r);
    rd_skip(r, 2);
    uint16_t fn = rd_be16(r);
    if (!rd_ok(r)) {
        emit_malformed(c, "s7comm-plus: header truncated");
        return;
    }
    (void)len;
    emit_set_protocol(c, PROTO_S7COMM_PLUS);
    emit_protocol(c, PROTO_S7COMM);
    if (s && !s->plus_version_seen) {
        s->plus_version_seen = true;
        emit_attrf(c, WHO_SERVER, F_PROTOCOL_VERSION, "s7comm-plus header", "s7comm-plus V%u",
                   version);
    }
    if (opcode == 0x31) { /* request */
        switch (fn) {
        case 0x04ca: emit_op(c, OP_SESSION, "create object (0x04ca)", NULL, NULL); break;
        case 0x04d4: emit_op(c, OP_SESSION, "delete object (0x04d4)", NULL, NULL); break;
        case 0x04f2: emit_op(c, OP_PROCESS_WRITE, "set variable (0x04f2)", NULL, NULL); break;
        case 0x0542:
            emit_op(c, OP_PROCESS_WRITE, "set multiple variables (0x0542)", NULL, NULL);
            break;
        case 0x054c: emit_op(c, OP_READ, "get multiple variables (0x054c)", NULL, NULL); break;
        case 0x04bb: emit_op(c, OP_READ, "explore (0x04bb)", NULL, NULL); break;
        default: break;
        }
        return;
    }
    if (opcode != 0x32)
        return;
    emit_role(c, WHO_SRC, "plc", "s7comm-plus response");
    /* order numbers are plain ASCII inside the attribute values: "6ES7 5xx-xxxxx-xxxx" */
    while (rd_left(r) >= 19) {
        if (rd_match(r, "6ES7 ", 5) || rd_match(r, "6ES7", 4)) {
            char on[24];
            struct rd t = *r;
            rd_str(&t, rd_left(&t) < 19 ? rd_left(&t) : 19, on, sizeof on);
            bool ok = strlen(on) >= 18;
            for (size_t i = 0; ok && on[i]; i++)
                ok = (on[i] >= '0' && on[i] <= '9') || (on[i] >= 'A' && on[i] <= 'Z') ||
                     on[i] == ' ' || on[i] == '-';
            if (ok) {
                emit_attr(c, WHO_SRC, F_ORDER_NUMBER, on, "s7comm-plus session response");
                return;
            }
        }
        rd_skip(r, 1);
    }
}

/* ISO 8327 session SPDUs (CN, AC, DT, ...) on port 102 carry MMS (IEC 61850) */
static bool looks_like_session(const struct rd *r)
{
    uint8_t si = rd_peek_u8(r, 0);
    return si == 0x0d || si == 0x0e || si == 0x01 || si == 0x19 || si == 0x0a;
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
    if (type == COTP_CR || type == COTP_CC) {
        /* the destination TSAP of a connection request names the CPU's rack and slot */
        rd_skip(&cotp, 5);
        while (rd_left(&cotp) >= 2) {
            uint8_t code = rd_u8(&cotp), n = rd_u8(&cotp);
            struct rd v = rd_sub(&cotp, n);
            if (code == 0xc2 && n == 2 && type == COTP_CR) {
                uint8_t hi = rd_u8(&v), lo = rd_u8(&v);
                char t[48];
                snprintf(t, sizeof t, "tsap 0x%02x%02x (rack %u slot %u)", hi, lo, lo >> 5,
                         lo & 0x1f);
                emit_op(c, OP_SESSION, "cotp connect", t, NULL);
            }
        }
        return;
    }
    if (type != COTP_DT || !rd_left(pdu))
        return;
    uint8_t id = rd_peek_u8(pdu, 0);
    if (id == S7_ID)
        s7comm(c, s, dir, pdu);
    else if (id == S7P_ID)
        s7plus(c, s, pdu);
    else if (looks_like_session(pdu))
        emit_set_protocol(c, PROTO_MMS);
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
           li >= 2 && li + 5u <= len &&
           (type == COTP_CR || type == COTP_CC || type == COTP_DT);
}

const struct dissector dissector_s7comm = {
    .name = "s7comm",
    .proto = PROTO_S7COMM,
    .tcp_ports = {102},
    .probe = probe,
    .state_size = sizeof(struct s7_state),
    .frame = frame,
    .parse = parse,
};
