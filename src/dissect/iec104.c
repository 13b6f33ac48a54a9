/* iec104.c - IEC 60870-5-104 on tcp/2404: APCI (IEC 60870-5-104 §5: 0x68, length, I/S/U control
 * field) and the ASDU of IEC 60870-5-101 §7 with the 104 field sizes (2-octet cause, 2-octet
 * common address, 3-octet object address).  Operations are control-direction activations
 * (cause 6/8); a negative or "unknown ..." mirror from the station is their error result, and
 * because mirrors repeat type, address and value, no request state is needed to describe them. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "dissect/dissect.h"
#include "util/str.h"

#define IEC104_PORT     2404
#define IEC104_START    0x68
#define IEC104_APDU_MIN 4   /* control field only (§5.1) */
#define IEC104_APDU_MAX 253 /* §5.1: APDU length at most 253 */
#define IEC104_MAX_OBJS 8   /* operations described per ASDU */
#define IEC104_MAX_CA   8   /* common addresses remembered per flow */

/* U-format functions (§5.3) */
#define U_STARTDT_ACT 0x07
#define U_STARTDT_CON 0x0b
#define U_STOPDT_ACT  0x13
#define U_STOPDT_CON  0x23
#define U_TESTFR_ACT  0x43
#define U_TESTFR_CON  0x83

/* cause of transmission (IEC 60870-5-101 §7.2.3) */
#define COT_CAUSE    0x3f
#define COT_NEGATIVE 0x40
#define COT_TEST     0x80
enum {
    COT_SPONTANEOUS = 3,
    COT_REQUEST = 5,
    COT_ACT = 6,
    COT_ACTCON = 7,
    COT_DEACT = 8,
    COT_DEACTCON = 9,
    COT_ACTTERM = 10,
    COT_FILE = 13,
    COT_UNKNOWN_TYPE = 44,
    COT_UNKNOWN_IOA = 47,
};

#define TYPE_END_OF_INIT 70  /* M_EI_NA_1 */
#define TYPE_SEGMENT     125 /* F_SG_NA_1: variable-size element */
#define TYPE_FILE_FIRST  120


/* control- and file-direction type identifications (IEC 60870-5-101 §7.2.1.1, 104 §8) */
struct iec_type {
    uint8_t id;
    uint8_t size; /* information element octets after the object address */
    uint8_t kind; /* enum op_kind */
    const char *mnemonic, *name;
};
static const struct iec_type iec_types[] = {
    {45, 1, OP_COMMAND, "C_SC_NA_1", "single command"},
    {46, 1, OP_COMMAND, "C_DC_NA_1", "double command"},
    {47, 1, OP_COMMAND, "C_RC_NA_1", "regulating step command"},
    {48, 3, OP_COMMAND, "C_SE_NA_1", "set-point normalized"},
    {49, 3, OP_COMMAND, "C_SE_NB_1", "set-point scaled"},
    {50, 5, OP_COMMAND, "C_SE_NC_1", "set-point float"},
    {51, 4, OP_COMMAND, "C_BO_NA_1", "bitstring command"},
    {58, 8, OP_COMMAND, "C_SC_TA_1", "single command with time"},
    {59, 8, OP_COMMAND, "C_DC_TA_1", "double command with time"},
    {60, 8, OP_COMMAND, "C_RC_TA_1", "regulating step command with time"},
    {61, 10, OP_COMMAND, "C_SE_TA_1", "set-point normalized with time"},
    {62, 10, OP_COMMAND, "C_SE_TB_1", "set-point scaled with time"},
    {63, 12, OP_COMMAND, "C_SE_TC_1", "set-point float with time"},
    {64, 11, OP_COMMAND, "C_BO_TA_1", "bitstring command with time"},
    {100, 1, OP_INTERROGATION, "C_IC_NA_1", "interrogation"},
    {101, 1, OP_INTERROGATION, "C_CI_NA_1", "counter interrogation"},
    {102, 0, OP_READ, "C_RD_NA_1", "read"},
    {103, 7, OP_TIME_SYNC, "C_CS_NA_1", "clock synchronization"},
    {104, 2, OP_DIAGNOSTIC, "C_TS_NA_1", "test command"},
    {105, 1, OP_RESTART, "C_RP_NA_1", "reset process"},
    {106, 2, OP_TIME_SYNC, "C_CD_NA_1", "delay acquisition"},
    {107, 9, OP_DIAGNOSTIC, "C_TS_TA_1", "test command with time"},
    {110, 3, OP_CONFIG_WRITE, "P_ME_NA_1", "parameter normalized"},
    {111, 3, OP_CONFIG_WRITE, "P_ME_NB_1", "parameter scaled"},
    {112, 5, OP_CONFIG_WRITE, "P_ME_NC_1", "parameter float"},
    {113, 1, OP_CONFIG_WRITE, "P_AC_NA_1", "parameter activation"},
    {120, 6, OP_FILE_TRANSFER, "F_FR_NA_1", "file ready"},
    {121, 7, OP_FILE_TRANSFER, "F_SR_NA_1", "section ready"},
    {122, 4, OP_FILE_TRANSFER, "F_SC_NA_1", "call file"},
    {123, 5, OP_FILE_TRANSFER, "F_LS_NA_1", "last section"},
    {124, 4, OP_FILE_TRANSFER, "F_AF_NA_1", "ack file"},
    {125, 0, OP_FILE_TRANSFER, "F_SG_NA_1", "segment"},
    {126, 13, OP_FILE_TRANSFER, "F_DR_TA_1", "directory"},
    {127, 16, OP_FILE_TRANSFER, "F_SC_NB_1", "query log"},
};

static const struct iec_type *iec_type_find(uint8_t id)
{
    for (size_t i = 0; i < NELEM(iec_types); i++)
        if (iec_types[i].id == id)
            return &iec_types[i];
    return NULL;
}

struct iec104_state {
    uint8_t role_done, server_fixed, nca;
    uint16_t ca[IEC104_MAX_CA];
};

/* ---- a bounded text builder ---- */
struct iec_txt {
    char s[160];
    size_t n;
};

__attribute__((format(printf, 2, 3))) static void txt_add(struct iec_txt *t, const char *fmt, ...)
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

/* ---- information elements (IEC 60870-5-101 §7.2.6) ---- */
static uint32_t iec_le24(struct rd *r)
{
    uint32_t lo = rd_le16(r);
    return lo | (uint32_t)rd_u8(r) << 16;
}

static float iec_float(struct rd *r)
{
    uint32_t bits = rd_le32(r);
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

/* S/E bit of SCO, DCO, RCO and QOS (§7.2.6.15-17, 39) */
static void iec_select(struct iec_txt *t, uint8_t q)
{
    txt_add(t, q & 0x80 ? " select" : " execute");
}

static void iec_qualifier_of_command(struct iec_txt *t, uint8_t q)
{
    static const char *const qu[] = {"", " short pulse", " long pulse", " persistent"};
    uint8_t v = (uint8_t)(q >> 2 & 0x1f);
    if (v < NELEM(qu))
        txt_add(t, "%s", qu[v]);
}

/* kind of parameter (QPM, §7.2.6.24) */
static void iec_kpa(struct iec_txt *t, uint8_t q)
{
    static const char *const kpa[] = {"", " threshold", " smoothing", " low limit", " high limit"};
    uint8_t v = q & 0x3f;
    if (v < NELEM(kpa))
        txt_add(t, "%s", kpa[v]);
    else
        txt_add(t, " kpa %u", v);
}

/* the value part of one information element of type id */
static void iec_element(struct iec_txt *t, uint8_t id, struct rd *r)
{
    uint8_t q;
    switch (id) {
    case 45:
    case 58:
        q = rd_u8(r);
        txt_add(t, " %s", q & 1 ? "on" : "off");
        iec_qualifier_of_command(t, q);
        iec_select(t, q);
        break;
    case 46:
    case 59: {
        static const char *const dcs[] = {"not permitted (0)", "off", "on", "not permitted (3)"};
        q = rd_u8(r);
        txt_add(t, " %s", dcs[q & 3]);
        iec_qualifier_of_command(t, q);
        iec_select(t, q);
        break;
    }
    case 47:
    case 60: {
        static const char *const rcs[] = {"not permitted (0)", "lower", "higher",
                                          "not permitted (3)"};
        q = rd_u8(r);
        txt_add(t, " %s", rcs[q & 3]);
        iec_qualifier_of_command(t, q);
        iec_select(t, q);
        break;
    }
    case 48:
    case 61:
    case 110: {
        int16_t nva = (int16_t)rd_le16(r);
        q = rd_u8(r);
        txt_add(t, " value %.5g", nva / 32768.0);
        if (id == 110)
            iec_kpa(t, q);
        else
            iec_select(t, q);
        break;
    }
    case 49:
    case 62:
    case 111: {
        int16_t sva = (int16_t)rd_le16(r);
        q = rd_u8(r);
        txt_add(t, " value %d", sva);
        if (id == 111)
            iec_kpa(t, q);
        else
            iec_select(t, q);
        break;
    }
    case 50:
    case 63:
    case 112: {
        float f = iec_float(r);
        q = rd_u8(r);
        txt_add(t, " value %g", (double)f);
        if (id == 112)
            iec_kpa(t, q);
        else
            iec_select(t, q);
        break;
    }
    case 51:
    case 64:
        txt_add(t, " bits 0x%08lx", (unsigned long)rd_le32(r));
        break;
    case 100:
        q = rd_u8(r);
        if (q == 20)
            txt_add(t, " station");
        else if (q >= 21 && q <= 36)
            txt_add(t, " group %u", q - 20u);
        else
            txt_add(t, " qoi %u", q);
        break;
    case 101: {
        static const char *const frz[] = {"read", "freeze", "freeze and reset", "reset"};
        q = rd_u8(r);
        uint8_t rqt = q & 0x3f;
        if (rqt >= 1 && rqt <= 4)
            txt_add(t, " group %u", rqt);
        else if (rqt == 5)
            txt_add(t, " general");
        else
            txt_add(t, " rqt %u", rqt);
        txt_add(t, " %s", frz[q >> 6]);
        break;
    }
    case 105:
        q = rd_u8(r);
        if (q == 1 || q == 2)
            txt_add(t, "%s", q == 1 ? " general reset" : " reset event buffer");
        else
            txt_add(t, " qrp %u", q);
        break;
    case 113:
        txt_add(t, " qpa %u", rd_u8(r) & 0x3f);
        break;
    case 120:
    case 121:
    case 122:
    case 123:
    case 124:
    case 127:
        txt_add(t, " file %u", rd_le16(r));
        break;
    default:
        break; /* time tags and test patterns: nothing an operator needs in the target */
    }
}

/* one ASDU object's octets: fixed for all but F_SG_NA_1 (NOF, NOS, LOS, segment) */
static size_t iec_element_size(const struct iec_type *ty, const struct rd *r)
{
    if (ty->id == TYPE_SEGMENT)
        return 4 + (size_t)rd_peek_u8(r, 3);
    return ty->size;
}

/* does the sender of this ASDU act as the controlled station?  1 yes, 0 no, -1 unknown */
static int iec_from_station(uint8_t type, uint8_t cause)
{
    if (type < 45 || type == TYPE_END_OF_INIT)
        return 1; /* process information in monitor direction */
    if (cause == COT_ACT || cause == COT_DEACT || cause == COT_REQUEST)
        return 0;
    if (cause == COT_ACTCON || cause == COT_DEACTCON || cause == COT_ACTTERM ||
        (cause >= COT_UNKNOWN_TYPE && cause <= COT_UNKNOWN_IOA))
        return 1;
    return -1;
}

static const char *iec_error(uint8_t cot)
{
    switch (cot & COT_CAUSE) {
    case COT_ACTCON:
        return cot & COT_NEGATIVE ? "negative activation confirmation" : NULL;
    case COT_DEACTCON:
        return cot & COT_NEGATIVE ? "negative deactivation confirmation" : NULL;
    case 44:
        return "unknown type identification (44)";
    case 45:
        return "unknown cause of transmission (45)";
    case 46:
        return "unknown common address (46)";
    case 47:
        return "unknown information object address (47)";
    default:
        return NULL;
    }
}

/* file transfer steps worth an operation: offers, calls and log queries, not every segment */
static bool iec_file_op(uint8_t type, uint8_t cause)
{
    if (cause != COT_FILE && cause != COT_REQUEST && cause != COT_ACT)
        return false;
    return type == 120 || type == 122 || type == 127;
}

/* the controlled station: role, server side, and its common address */
static void iec_station(struct pctx *c, struct iec104_state *s, enum obs_who who, uint16_t ca,
                        const char *source)
{
    if (!s->role_done) {
        s->role_done = 1;
        emit_role(c, who, "rtu", source);
    }
    if (!s->server_fixed) {
        s->server_fixed = 1;
        bool is_src = who == WHO_SRC;
        /* the station is on the client side when it sends in dir 0 or receives in dir 1 */
        if (is_src == (c->dir == 0))
            emit_server(c, who);
    }
    if (ca == 0 || ca == 0xffff) /* not used / global address (101 §7.2.4) */
        return;
    for (int i = 0; i < s->nca; i++)
        if (s->ca[i] == ca)
            return;
    if (s->nca < IEC104_MAX_CA)
        s->ca[s->nca++] = ca;
    char v[8];
    str_fmt(v, sizeof v, "%u", ca);
    emit_attr(c, who, F_UNIT_ID, v, "iec104 common address");
}

/* the objects of a control-direction ASDU, as operations (result NULL) or errors */
static void iec_ops(struct pctx *c, const struct iec_type *ty, uint8_t vsq, uint8_t cot,
                    uint16_t ca, struct rd *r, const char *result)
{
    char fn[80];
    str_fmt(fn, sizeof fn, "%s %s (%u)", ty->name, ty->mnemonic, ty->id);
    unsigned n = vsq & 0x7f;
    bool seq = vsq & 0x80;
    uint32_t ioa = 0;
    for (unsigned i = 0; i < n && i < IEC104_MAX_OBJS; i++) {
        if (!seq || i == 0)
            ioa = iec_le24(r);
        else
            ioa++;
        size_t size = iec_element_size(ty, r);
        struct rd el = rd_sub(r, size);
        if (!rd_ok(r))
            return;
        struct iec_txt t = {{0}, 0};
        txt_add(&t, "ca %u", ca);
        if (ioa || ty->id < 100 || ty->id >= 110)
            txt_add(&t, " ioa %lu", (unsigned long)ioa);
        iec_element(&t, ty->id, &el);
        if ((cot & COT_CAUSE) == COT_DEACT || (cot & COT_CAUSE) == COT_DEACTCON)
            txt_add(&t, " deactivate");
        if (cot & COT_TEST)
            txt_add(&t, " test");
        emit_op(c, (enum op_kind)ty->kind, fn, t.s, result);
    }
}

/* check that the objects fill the ASDU exactly (fixed-size types only) */
static bool iec_objects_fit(const struct iec_type *ty, uint8_t vsq, const struct rd *r)
{
    unsigned n = vsq & 0x7f;
    if (n == 0)
        return false;
    if (ty->id == TYPE_SEGMENT)
        return rd_left(r) >= 3u + 4u;
    size_t want = (vsq & 0x80) ? 3 + (size_t)n * ty->size : (size_t)n * (3u + ty->size);
    return rd_left(r) == want;
}

static void iec_asdu(struct pctx *c, struct iec104_state *s, struct rd *r)
{
    uint8_t type = rd_u8(r), vsq = rd_u8(r), cot = rd_u8(r);
    rd_skip(r, 1); /* originator address */
    uint16_t ca = rd_le16(r);
    if (!rd_ok(r)) {
        emit_malformed(c, "iec104: truncated asdu header");
        return;
    }
    uint8_t cause = cot & COT_CAUSE;
    if (type == 0 || cause == 0) {
        emit_malformed(c, "iec104: bad asdu header");
        return;
    }
    int from_station = iec_from_station(type, cause);
    if (from_station == 1)
        iec_station(c, s, WHO_SRC, ca, "iec104 controlled station");
    else if (from_station == 0)
        iec_station(c, s, WHO_DST, ca, "iec104 controlled station");
    const struct iec_type *ty = iec_type_find(type);
    if (!ty)
        return; /* monitor direction information: nothing more to learn */
    if (!iec_objects_fit(ty, vsq, r)) {
        emit_malformed(c, "iec104: asdu length does not match its objects");
        return;
    }
    if (type >= TYPE_FILE_FIRST) {
        if (iec_file_op(type, cause))
            iec_ops(c, ty, vsq, cot, ca, r, NULL);
        else if (from_station == 1 && iec_error(cot))
            iec_ops(c, ty, vsq, cot, ca, r, iec_error(cot));
        return;
    }
    if (cause == COT_ACT || cause == COT_DEACT || (type == 102 && cause == COT_REQUEST))
        iec_ops(c, ty, vsq, cot, ca, r, NULL);
    else if (iec_error(cot))
        iec_ops(c, ty, vsq, cot, ca, r, iec_error(cot));
}

static void iec_uframe(struct pctx *c, struct iec104_state *s, uint8_t cf1)
{
    switch (cf1) {
    case U_STARTDT_ACT:
        emit_op(c, OP_SESSION, "startdt act", NULL, NULL);
        iec_station(c, s, WHO_DST, 0, "iec104 startdt");
        break;
    case U_STOPDT_ACT:
        emit_op(c, OP_SESSION, "stopdt act", NULL, NULL);
        iec_station(c, s, WHO_DST, 0, "iec104 stopdt");
        break;
    case U_STARTDT_CON:
    case U_STOPDT_CON:
        iec_station(c, s, WHO_SRC, 0, cf1 == U_STARTDT_CON ? "iec104 startdt" : "iec104 stopdt");
        break;
    case U_TESTFR_ACT:
    case U_TESTFR_CON:
        break;
    default:
        emit_malformed(c, "iec104: bad u-frame function");
        break;
    }
}

static void parse(struct pctx *c, void *state, int dir, struct rd *pdu)
{
    (void)dir;
    struct iec104_state *s = state, scratch;
    if (!s) {
        memset(&scratch, 0, sizeof scratch);
        s = &scratch;
    }
    uint8_t start = rd_u8(pdu), len = rd_u8(pdu);
    uint8_t cf1 = rd_u8(pdu), cf2 = rd_u8(pdu), cf3 = rd_u8(pdu), cf4 = rd_u8(pdu);
    (void)cf4;
    if (!rd_ok(pdu) || start != IEC104_START || len < IEC104_APDU_MIN ||
        rd_left(pdu) != (size_t)len - IEC104_APDU_MIN) {
        emit_malformed(c, "iec104: bad apci");
        return;
    }
    if (!(cf1 & 1)) { /* I format: send and receive sequence numbers, then the ASDU */
        if (cf3 & 1)
            emit_malformed(c, "iec104: bad i-frame control field");
        else if (!rd_left(pdu))
            emit_malformed(c, "iec104: i-frame without asdu");
        else
            iec_asdu(c, s, pdu);
    } else if ((cf1 & 3) == 1) { /* S format: acknowledgement only */
        if (cf1 != 1 || cf2 != 0 || (cf3 & 1) || rd_left(pdu))
            emit_malformed(c, "iec104: bad s-frame");
    } else {
        if (rd_left(pdu) || cf2 || cf3 || cf4)
            emit_malformed(c, "iec104: bad u-frame");
        else
            iec_uframe(c, s, cf1);
    }
}

static long frame(const struct rd *stream)
{
    if (!rd_left(stream))
        return FRAME_NEED_MORE;
    if (rd_peek_u8(stream, 0) != IEC104_START)
        return FRAME_NOT_OURS;
    if (rd_left(stream) < 2)
        return FRAME_NEED_MORE;
    uint8_t len = rd_peek_u8(stream, 1);
    if (len < IEC104_APDU_MIN || len > IEC104_APDU_MAX)
        return FRAME_NOT_OURS;
    return 2 + (long)len;
}

/* a whole first APDU: a U frame with a known function, an S frame, or an I frame whose ASDU
 * header names a defined type and cause */
static bool probe(const struct rd *payload, uint8_t l4)
{
    if (l4 != L4_TCP || rd_peek_u8(payload, 0) != IEC104_START)
        return false;
    uint8_t len = rd_peek_u8(payload, 1), cf1 = rd_peek_u8(payload, 2);
    if (len < IEC104_APDU_MIN || len > IEC104_APDU_MAX || rd_left(payload) < 2u + len)
        return false;
    bool zero234 = !rd_peek_u8(payload, 3) && !rd_peek_u8(payload, 4) && !rd_peek_u8(payload, 5);
    if ((cf1 & 3) == 3)
        return len == 4 && zero234 &&
               (cf1 == U_STARTDT_ACT || cf1 == U_STARTDT_CON || cf1 == U_STOPDT_ACT ||
                cf1 == U_STOPDT_CON || cf1 == U_TESTFR_ACT || cf1 == U_TESTFR_CON);
    if ((cf1 & 3) == 1)
        return len == 4 && cf1 == 1 && !rd_peek_u8(payload, 3) && !(rd_peek_u8(payload, 4) & 1);
    uint8_t type = rd_peek_u8(payload, 6), cause = rd_peek_u8(payload, 8) & COT_CAUSE;
    return len >= 10 && !(rd_peek_u8(payload, 4) & 1) && type >= 1 && type <= 127 && cause >= 1 &&
           cause <= 47 && (rd_peek_u8(payload, 7) & 0x7f) != 0;
}

const struct dissector dissector_iec104 = {
    .name = "iec104",
    .proto = PROTO_IEC104,
    .tcp_ports = {IEC104_PORT},
    .probe = probe,
    .state_size = sizeof(struct iec104_state),
    .frame = frame,
    .parse = parse,
};
