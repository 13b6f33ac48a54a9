/* s7comm_plus.c - Siemens S7comm-plus (S7-1200/1500), the 0x72 protocol inside ISO-on-TCP.
 * Layouts follow the public reverse-engineering work: Thomas Wiens' Wireshark plugin
 * (s7commwireshark) and S7CommPlusDriver (ids, CreateObject/SetVariable encodings).  Values
 * are VLQ-encoded (7 bits per byte, high bit = more); V3 PDUs carry a 32-byte integrity digest
 * before the data, but nothing is encrypted unless the session runs TLS (then nothing parses).
 * What travels in clear: the client's session attributes (application, comment) in the
 * CreateObject request, and the CPU's order number and firmware in the response's
 * ServerSessionVersion structure ("1;6ES7 211-1BE31-0XB0 ;V3.0"). */
#include <stdio.h>
#include <string.h>

#include "dissect/s7comm_plus.h"
#include "util/str.h"

#define S7P_DIGEST_LEN 0x20 /* V3 integrity part: length byte 0x20 and a 32-byte digest */

enum { OPC_REQUEST = 0x31, OPC_RESPONSE = 0x32, OPC_NOTIFICATION = 0x33, OPC_RESPONSE2 = 0x02 };

/* function codes */
enum {
    FN_ERROR = 0x04b1,
    FN_EXPLORE = 0x04bb,
    FN_CREATE_OBJECT = 0x04ca,
    FN_DELETE_OBJECT = 0x04d4,
    FN_SET_VARIABLE = 0x04f2,
    FN_GET_VARIABLE = 0x04fc,
    FN_ADD_LINK = 0x0506,
    FN_REMOVE_LINK = 0x051a,
    FN_GET_LINK = 0x0524,
    FN_SET_MULTI = 0x0542,
    FN_GET_MULTI = 0x054c,
    FN_BEGIN_SEQUENCE = 0x0556,
    FN_END_SEQUENCE = 0x0560,
    FN_INVOKE = 0x056b,
    FN_SET_VAR_SUBSTREAMED = 0x057c,
    FN_GET_VAR_SUBSTREAMED = 0x0586,
};

/* object, class and attribute ids (s7commwireshark id_number_names) */
enum {
    ID_CPU_EXEC_UNIT = 52, /* NativeObjects.theCPUexecUnit_Rid */
    ID_IAREA = 80,
    ID_QAREA = 81,
    ID_MAREA = 82,
    ID_COUNTERS = 83,
    ID_TIMERS = 84,
    ID_CLASS_SUBSCRIPTIONS = 255,
    ID_CLASS_SERVER_SESSION = 287,
    ID_SESSION_APPLICATION = 297, /* ServerSessionApplication */
    ID_SESSION_COMMENT = 301,     /* ServerSessionClientComment */
    ID_PAOM_STRING = 319,         /* LID_SessionVersionSystemPAOMString */
    ID_CLASS_SUBSCRIPTION = 1001,
    ID_SUBSCRIPTION_FIRST = 1040, /* Subscription* attributes 1040..1082 */
    ID_SUBSCRIPTION_LAST = 1082,
    ID_LEGITIMATE = 1846,
    ID_OPERATING_STATE_REQ = 2167, /* CPUexecUnit.OperatingStateREQ: 1 STOP, 3 RUN */
    ID_BLOCK_NUMBER = 2521,
    ID_CLASS_DATATYPE = 2554,
    ID_CLASS_DB = 2574,
    ID_CLASS_FB = 2578,
    ID_CLASS_FC = 2579,
    ID_CLASS_OB = 2610,
    ID_CLASS_OB_FIRST = 2637, /* the OB kinds (ACCcommunicationOB .. UpdateEventOB) */
    ID_CLASS_OB_LAST = 2658,
    ID_CLASS_ALARM_SUBSCRIPTION = 2662,
    ID_CLASS_TIS_SUBSCRIPTION = 2712,
};

#define ELEM_START_OBJECT 0xa1
#define ELEM_ATTRIBUTE    0xa3
#define TYPE_WSTRING      0x15
#define AREA_DB           0x8a0e0000u /* access area / RID of data block n: 0x8a0e0000 + n */
#define SESSION_LOCAL(id) ((id) >= 0x70000000u && (id) < 0x80000000u)

/* unsigned VLQ of up to 5 bytes (32 bits) */
static uint32_t vlq_u32(struct rd *r)
{
    uint32_t v = 0;
    for (int i = 0; i < 5; i++) {
        uint8_t b = rd_u8(r);
        v = v << 7 | (b & 0x7f);
        if (!(b & 0x80))
            return v;
    }
    rd_fail(r);
    return 0;
}

/* signed VLQ: bit 6 of the first byte is the sign */
static int32_t vlq_s32(struct rd *r)
{
    uint8_t first = rd_peek_u8(r, 0);
    uint32_t v = first & 0x40 ? 0xffffffffu : 0;
    for (int i = 0; i < 5; i++) {
        uint8_t b = rd_u8(r);
        v = v << 7 | (b & 0x7f);
        if (!(b & 0x80))
            return (int32_t)v;
    }
    rd_fail(r);
    return 0;
}

/* 64-bit VLQ: eight 7-bit groups, a ninth byte uses all 8 bits */
static void vlq_skip64(struct rd *r)
{
    for (int i = 0; i < 8; i++)
        if (!(rd_u8(r) & 0x80))
            return;
    rd_skip(r, 1);
}

/* skip a value of datatype t (flags byte already read); false for types not handled */
static bool skip_value(struct rd *r, uint8_t t, int32_t *num)
{
    int32_t v = 0;
    switch (t) {
    case 0x00:
        break; /* null */
    case 0x01:
    case 0x02:
    case 0x06:
    case 0x0a:
        v = rd_u8(r);
        break;
    case 0x03:
    case 0x07:
    case 0x0b:
        v = (int16_t)rd_be16(r);
        break;
    case 0x0c:
    case 0x0e:
    case 0x12:
        v = (int32_t)rd_be32(r);
        break;
    case 0x04:
    case 0x13:
        v = (int32_t)vlq_u32(r);
        break;
    case 0x08:
        v = vlq_s32(r);
        break;
    case 0x05:
    case 0x09:
    case 0x11:
        vlq_skip64(r);
        break;
    case 0x0d:
    case 0x0f:
    case 0x10:
        rd_skip(r, 8);
        break;
    default:
        return false;
    }
    if (num)
        *num = v;
    return rd_ok(r);
}

/* the text of an attribute 'id' holding a WString, searched in r (not advanced): the id as VLQ,
 * flags 0x00, datatype 0x15, VLQ length, UTF-8 bytes.  The id must start an element: the byte
 * before it is the attribute tag 0xa3 or ends the previous value (no VLQ continuation bit). */
static bool find_wstring(const struct rd *r, uint32_t id, char *out, size_t outsz)
{
    uint8_t pat[4], prev = 0;
    size_t n = 0;
    if (id >= 128)
        pat[n++] = (uint8_t)(0x80 | id >> 7);
    pat[n++] = (uint8_t)(id & 0x7f);
    pat[n++] = 0x00;
    pat[n++] = TYPE_WSTRING;
    struct rd t = *r;
    for (; rd_left(&t) > n; prev = rd_u8(&t)) {
        if ((prev == ELEM_ATTRIBUTE || !(prev & 0x80)) && rd_match(&t, pat, n)) {
            struct rd v = t;
            rd_skip(&v, n);
            uint32_t len = vlq_u32(&v);
            if (rd_ok(&v) && len > 0 && len <= rd_left(&v) && len < outsz) {
                rd_str(&v, len, out, outsz);
                return out[0] != '\0';
            }
        }
    }
    return false;
}

/* the first unsigned attribute 'id' >= 128 (flags 0, UDInt) found in r, as find_wstring */
static bool find_udint(const struct rd *r, uint32_t id, uint32_t *out)
{
    uint8_t pat[4] = {(uint8_t)(0x80 | id >> 7), (uint8_t)(id & 0x7f), 0x00, 0x04}, prev = 0;
    struct rd t = *r;
    for (; rd_left(&t) > sizeof pat; prev = rd_u8(&t)) {
        if ((prev == ELEM_ATTRIBUTE || !(prev & 0x80)) && rd_match(&t, pat, sizeof pat)) {
            rd_skip(&t, sizeof pat);
            *out = vlq_u32(&t);
            return rd_ok(&t);
        }
    }
    return false;
}

/* a Siemens order number (MLFB): digits, capitals, blanks and dashes, 6ES7/6AG1/6GK prefix */
static bool siemens_mlfb(const char *s)
{
    if (strlen(s) < 10 || (strncmp(s, "6ES7", 4) && strncmp(s, "6AG1", 4) && strncmp(s, "6GK", 3) &&
                           strncmp(s, "6ES5", 4)))
        return false;
    for (; *s; s++)
        if (!((*s >= '0' && *s <= '9') || (*s >= 'A' && *s <= 'Z') || *s == ' ' || *s == '-'))
            return false;
    return true;
}

/* "1;6ES7 211-1BE31-0XB0 ;V3.0": the CPU's order number and firmware version */
static void paom_string(struct pctx *c, const char *v)
{
    static const char src[] = "s7comm-plus session version (system paom string)";
    const char *a = strchr(v, ';');
    const char *b = a ? strchr(a + 1, ';') : NULL;
    if (!a || !b)
        return;
    char mlfb[40], fw[24];
    size_t n = (size_t)(b - a - 1);
    if (n >= sizeof mlfb)
        return;
    memcpy(mlfb, a + 1, n);
    while (n && mlfb[n - 1] == ' ')
        n--;
    mlfb[n] = '\0';
    str_copy(fw, sizeof fw, b + 1);
    if (siemens_mlfb(mlfb)) {
        emit_attr_raw(c, WHO_SRC, F_ORDER_NUMBER, mlfb, v, src);
        emit_attr(c, WHO_SRC, F_VENDOR, "Siemens", src);
    }
    if (fw[0] == 'V' && fw[1] >= '0' && fw[1] <= '9')
        emit_attr_raw(c, WHO_SRC, F_FIRMWARE, fw, v, src);
}

/* an access area or object id as people know it */
static void area_text(uint32_t a, char *out, size_t outsz)
{
    static const char *const areas[] = {"I", "Q", "M", "C", "T"};
    if ((a & 0xffff0000u) == AREA_DB)
        str_fmt(out, outsz, "DB%u", a & 0xffff);
    else if (a >= ID_IAREA && a <= ID_TIMERS)
        str_copy(out, outsz, areas[a - ID_IAREA]);
    else
        str_fmt(out, outsz, "object 0x%x", a);
}

static const char *block_class(uint32_t cls)
{
    switch (cls) {
    case ID_CLASS_DB:
        return "DB";
    case ID_CLASS_FB:
        return "FB";
    case ID_CLASS_FC:
        return "FC";
    case ID_CLASS_OB:
        return "OB";
    case ID_CLASS_DATATYPE:
        return "UDT";
    default:
        return cls >= ID_CLASS_OB_FIRST && cls <= ID_CLASS_OB_LAST ? "OB" : NULL;
    }
}

/* CreateObject request: request id, a value, 4 unknown bytes, then the object (0xa1, RID,
 * class id, ...).  A ServerSession object opens a session; block classes are a download. */
static void create_object(struct pctx *c, struct s7p_state *s, struct rd *r)
{
    rd_skip(r, 5); /* request id, value flags */
    uint8_t t = rd_u8(r);
    if (!skip_value(r, t, NULL))
        goto unknown;
    rd_skip(r, 4);
    if (rd_u8(r) != ELEM_START_OBJECT)
        goto unknown;
    rd_skip(r, 4); /* relation id */
    uint32_t cls = vlq_u32(r);
    if (!rd_ok(r))
        goto unknown;
    char target[48], v[128];
    const char *block = block_class(cls);
    if (cls == ID_CLASS_SERVER_SESSION) {
        emit_op(c, OP_SESSION, "create session (0x04ca)", NULL, NULL);
        if (s->client_done)
            return;
        s->client_done = true;
        if (find_wstring(r, ID_SESSION_APPLICATION, v, sizeof v))
            emit_attr(c, WHO_SRC, F_APPLICATION_NAME, v,
                      "s7comm-plus create session (application)");
        if (find_wstring(r, ID_SESSION_COMMENT, v, sizeof v))
            emit_attr(c, WHO_SRC, F_DESCRIPTION, v, "s7comm-plus create session (client comment)");
    } else if (block) {
        uint32_t num;
        if (find_udint(r, ID_BLOCK_NUMBER, &num))
            str_fmt(target, sizeof target, "%s %u", block, num);
        else
            str_copy(target, sizeof target, block);
        emit_op(c, OP_PROGRAM_DOWNLOAD, "create block (0x04ca)", target, NULL);
    } else if (cls == ID_CLASS_SUBSCRIPTIONS || cls == ID_CLASS_SUBSCRIPTION ||
               cls == ID_CLASS_ALARM_SUBSCRIPTION || cls == ID_CLASS_TIS_SUBSCRIPTION) {
        str_fmt(target, sizeof target, "class %u", cls);
        emit_op(c, OP_SESSION, "create subscription (0x04ca)", target, NULL);
    } else {
        str_fmt(target, sizeof target, "class %u", cls);
        emit_op(c, OP_CONFIG_WRITE, "create object (0x04ca)", target, NULL);
    }
    return;
unknown:
    emit_op(c, OP_CONFIG_WRITE, "create object (0x04ca)", NULL, NULL);
}

static void delete_object(struct pctx *c, struct s7p_state *s, struct rd *r)
{
    uint32_t id = rd_be32(r);
    char target[32];
    if (!rd_ok(r)) {
        emit_malformed(c, "s7comm-plus: delete object truncated");
        return;
    }
    if (s->session && id == s->session) {
        str_fmt(target, sizeof target, "session 0x%x", id);
        emit_op(c, OP_SESSION, "delete session (0x04d4)", target, NULL);
    } else if ((id & 0xffff0000u) == AREA_DB) {
        str_fmt(target, sizeof target, "DB %u", id & 0xffff);
        emit_op(c, OP_PROGRAM_DELETE, "delete block (0x04d4)", target, NULL);
    } else if (SESSION_LOCAL(id)) {
        str_fmt(target, sizeof target, "object 0x%08x", id);
        emit_op(c, OP_SESSION, "delete object (0x04d4)", target, NULL);
    } else {
        str_fmt(target, sizeof target, "object 0x%08x", id);
        emit_op(c, OP_CONFIG_WRITE, "delete object (0x04d4)", target, NULL);
    }
}

/* SetVariable: object id, count, attribute id, value.  Writing 1 (STOP) or 3 (RUN) to the CPU
 * execution unit's OperatingStateREQ stops or starts the PLC. */
static void set_variable(struct pctx *c, struct s7p_state *s, struct rd *r)
{
    uint32_t obj = rd_be32(r);
    vlq_u32(r); /* number of addresses, always 1 */
    uint32_t attr = vlq_u32(r);
    rd_skip(r, 1); /* value flags */
    uint8_t t = rd_u8(r);
    int32_t val = 0;
    bool have = skip_value(r, t, &val);
    char target[64];
    if (!rd_ok(r)) {
        emit_malformed(c, "s7comm-plus: set variable truncated");
        return;
    }
    if (obj == ID_CPU_EXEC_UNIT && attr == ID_OPERATING_STATE_REQ && have) {
        str_fmt(target, sizeof target, "cpu operating state request %d", val);
        if (val == 1)
            emit_op(c, OP_PLC_STOP, "plc stop (set operating state)", target, NULL);
        else if (val == 3)
            emit_op(c, OP_PLC_START, "plc run (set operating state)", target, NULL);
        else
            emit_op(c, OP_COMMAND, "set operating state (0x04f2)", target, NULL);
        return;
    }
    str_fmt(target, sizeof target, "object 0x%x attribute %u", obj, attr);
    if (SESSION_LOCAL(obj) || obj == s->session ||
        (attr >= ID_SUBSCRIPTION_FIRST && attr <= ID_SUBSCRIPTION_LAST))
        emit_op(c, OP_SESSION, "set variable (0x04f2)", target, NULL);
    else
        emit_op(c, OP_CONFIG_WRITE, "set variable (0x04f2)", target, NULL);
}

/* Get/SetMultiVariables: object (link) id, item count, field count, then item addresses.
 * Object 0 addresses process variables by access area (DBn, I, Q, M); the session object's
 * attributes are written once at session setup. */
static void multi_variables(struct pctx *c, struct s7p_state *s, struct rd *r, bool set)
{
    uint32_t obj = rd_be32(r);
    uint32_t items = vlq_u32(r);
    vlq_u32(r); /* field count */
    char target[64] = "", area[32];
    if (obj == 0) {
        vlq_u32(r); /* symbol crc */
        uint32_t a = vlq_u32(r);
        if (rd_ok(r)) {
            area_text(a, area, sizeof area);
            str_fmt(target, sizeof target, "%s (%u item%s)", area, items, items == 1 ? "" : "s");
        }
    } else if (set && obj == s->session) {
        str_fmt(target, sizeof target, "session 0x%x", obj);
    } else if (set) {
        uint32_t attr = vlq_u32(r);
        if (rd_ok(r))
            str_fmt(target, sizeof target, "object 0x%x attribute %u", obj, attr);
    }
    if (!set)
        emit_op(c, OP_READ, "get multiple variables (0x054c)", target[0] ? target : NULL, NULL);
    else if (obj == 0)
        emit_op(c, OP_PROCESS_WRITE, "set multiple variables (0x0542)", target[0] ? target : NULL,
                NULL);
    else if (obj == s->session)
        emit_op(c, OP_SESSION, "session setup (set multiple variables)", target, NULL);
    else if (SESSION_LOCAL(obj))
        emit_op(c, OP_SESSION, "set multiple variables (0x0542)", target[0] ? target : NULL, NULL);
    else
        emit_op(c, OP_CONFIG_WRITE, "set multiple variables (0x0542)", target[0] ? target : NULL,
                NULL);
}

/* SetVarSubStreamed carries the legitimation (password response, attribute 1846) */
static void set_var_substreamed(struct pctx *c, struct rd *r)
{
    static const uint8_t legit[2] = {0x80 | ID_LEGITIMATE >> 7, ID_LEGITIMATE & 0x7f};
    struct rd t = rd_sub(r, rd_left(r) < 16 ? rd_left(r) : 16);
    bool auth = false;
    while (!auth && rd_left(&t) >= 2) {
        auth = rd_match(&t, legit, 2);
        rd_skip(&t, 1);
    }
    if (auth)
        emit_op(c, OP_AUTH, "legitimation (set var substreamed)", NULL, NULL);
    else
        emit_op(c, OP_CONFIG_WRITE, "set var substreamed (0x057c)", NULL, NULL);
}

static void request(struct pctx *c, struct s7p_state *s, uint16_t fn, struct rd *r)
{
    rd_skip(r, 5); /* session id, transport flags */
    switch (fn) {
    case FN_CREATE_OBJECT:
        create_object(c, s, r);
        break;
    case FN_DELETE_OBJECT:
        delete_object(c, s, r);
        break;
    case FN_SET_VARIABLE:
        set_variable(c, s, r);
        break;
    case FN_SET_MULTI:
        multi_variables(c, s, r, true);
        break;
    case FN_GET_MULTI:
        multi_variables(c, s, r, false);
        break;
    case FN_SET_VAR_SUBSTREAMED:
        set_var_substreamed(c, r);
        break;
    case FN_EXPLORE:
        emit_op(c, OP_READ, "explore (0x04bb)", NULL, NULL);
        break;
    case FN_GET_VARIABLE:
        emit_op(c, OP_READ, "get variable (0x04fc)", NULL, NULL);
        break;
    case FN_GET_LINK:
        emit_op(c, OP_READ, "get link (0x0524)", NULL, NULL);
        break;
    case FN_GET_VAR_SUBSTREAMED:
        emit_op(c, OP_READ, "get var substreamed (0x0586)", NULL, NULL);
        break;
    case FN_INVOKE:
        emit_op(c, OP_COMMAND, "invoke (0x056b)", NULL, NULL);
        break;
    case FN_ADD_LINK:
        emit_op(c, OP_SESSION, "add link (0x0506)", NULL, NULL);
        break;
    case FN_REMOVE_LINK:
        emit_op(c, OP_SESSION, "remove link (0x051a)", NULL, NULL);
        break;
    case FN_BEGIN_SEQUENCE:
        emit_op(c, OP_OTHER, "begin sequence (0x0556)", NULL, NULL);
        break;
    case FN_END_SEQUENCE:
        emit_op(c, OP_OTHER, "end sequence (0x0560)", NULL, NULL);
        break;
    default: {
        char f[40];
        str_fmt(f, sizeof f, "function 0x%04x", fn);
        emit_op(c, OP_OTHER, f, NULL, NULL);
    }
    }
}

/* CreateObject response: return value, object ids (the first is the new session), and the
 * session object whose ServerSessionVersion names the CPU */
static void create_object_response(struct pctx *c, struct s7p_state *s, struct rd *r)
{
    rd_skip(r, 1); /* transport flags */
    vlq_skip64(r); /* return value */
    uint8_t n = rd_u8(r);
    uint32_t first = n ? vlq_u32(r) : 0;
    for (int i = 1; i < n && rd_ok(r); i++)
        vlq_u32(r);
    if (!rd_ok(r))
        return;
    if (first && !s->session)
        s->session = first;
    char v[128];
    if (!s->identity_done && find_wstring(r, ID_PAOM_STRING, v, sizeof v)) {
        s->identity_done = true;
        paom_string(c, v);
    }
}

void s7p_parse(struct pctx *c, struct s7p_state *s, int dir, struct rd *r, bool partial)
{
    rd_skip(r, 1); /* 0x72 */
    uint8_t version = rd_u8(r);
    uint16_t len = rd_be16(r);
    if (!rd_ok(r)) {
        emit_malformed(c, "s7comm-plus: header truncated");
        return;
    }
    emit_set_protocol(c, PROTO_S7COMM_PLUS);
    if (version == 0xfe || version == 0xff)
        return; /* keep-alive */
    struct rd d = partial && len > rd_left(r) ? rd_rest(r) : rd_sub(r, len);
    if (!rd_ok(r)) {
        emit_malformed(c, "s7comm-plus: data length exceeds the PDU");
        return;
    }
    if (version >= 1 && version <= 3 && version > s->version_max) {
        s->version_max = version;
        emit_attrf(c, WHO_SERVER, F_PROTOCOL_VERSION, "s7comm-plus header", "s7comm-plus V%u",
                   version);
    }
    if (rd_peek_u8(&d, 0) == S7P_DIGEST_LEN)
        rd_skip(&d, 1 + S7P_DIGEST_LEN);
    uint8_t opcode = rd_u8(&d);
    if (opcode == OPC_NOTIFICATION || !rd_left(&d))
        return;
    rd_skip(&d, 2);
    uint16_t fn = rd_be16(&d);
    rd_skip(&d, 4); /* reserved, sequence number */
    if (!rd_ok(&d)) {
        if (!partial)
            emit_malformed(c, "s7comm-plus: data header truncated");
        return;
    }
    if (opcode == OPC_REQUEST) {
        if (dir == 0)
            request(c, s, fn, &d);
        return;
    }
    if (opcode != OPC_RESPONSE && opcode != OPC_RESPONSE2)
        return;
    if (dir == 1 && !s->role_done) {
        s->role_done = true;
        emit_role(c, WHO_SRC, "plc", "s7comm-plus response");
    }
    if (fn == FN_CREATE_OBJECT)
        create_object_response(c, s, &d);
}
