/* bacnet.c - BACnet/IP on udp/47808: BVLL (ASHRAE 135 Annex J), NPDU (Clause 6), APDU (Clause 20).
 * Identity (I-Am, I-Have, ReadProperty/ReadPropertyMultiple acks of Device-object properties)
 * always belongs to the datagram's sender; when the NPDU says it came through a router (SNET/SADR)
 * the evidence source names the remote network.  Every tag goes through bn_tag(), which checks
 * the content length against the bytes left; the first segment of a segmented message is parsed
 * as far as it goes without a malformed report, later segments are ignored. */
#include <stdio.h>
#include <string.h>

#include "dissect/dissect.h"
#include "util/str.h"

#define BACNET_PORT 47808
#define BN_WILDCARD_INSTANCE 4194303u /* Clause 12.11.1: "unconfigured" / any device */
#define BN_MAX_DEPTH 8                /* nesting of opening/closing tags we follow */
#define BN_MAX_OPS 8                  /* ops emitted per WritePropertyMultiple */
#define BN_MAX_PROPS 32               /* properties looked at per ReadPropertyMultiple object */
#define BN_PENDING 4                  /* confirmed requests remembered for error matching */

/* ---- names (facts from ASHRAE 135 Clause 21 enumerations) ---- */

static const char *const bn_object_types[] = {
    "analog-input", "analog-output", "analog-value", "binary-input", "binary-output",
    "binary-value", "calendar", "command", "device", "event-enrollment", "file", "group", "loop",
    "multi-state-input", "multi-state-output", "notification-class", "program", "schedule",
    "averaging", "multi-state-value", "trend-log", "life-safety-point", "life-safety-zone",
    "accumulator", "pulse-converter", "event-log", "global-group", "trend-log-multiple",
    "load-control", "structured-view", "access-door", "timer", "access-credential",
    "access-point", "access-rights", "access-user", "access-zone", "credential-data-input",
    "network-security", "bitstring-value", "characterstring-value", "date-pattern-value",
    "date-value", "datetime-pattern-value", "datetime-value", "integer-value",
    "large-analog-value", "octetstring-value", "positive-integer-value", "time-pattern-value",
    "time-value", "notification-forwarder", "alert-enrollment", "channel", "lighting-output",
    "binary-lighting-output", "network-port", "elevator-group", "escalator", "lift", "staging",
    "audit-log", "audit-reporter", "color", "color-temperature",
};
#define BN_OBJ_DEVICE 8
#define BN_OBJ_FILE 10

struct bn_name {
    uint32_t id;
    const char *name;
};

static const struct bn_name bn_properties[] = {
    {4, "active-text"}, {12, "application-software-version"}, {22, "cov-increment"},
    {28, "description"}, {36, "event-state"}, {44, "firmware-revision"}, {45, "high-limit"},
    {46, "inactive-text"}, {58, "location"}, {59, "low-limit"}, {62, "max-apdu-length-accepted"},
    {65, "max-pres-value"}, {69, "min-pres-value"}, {70, "model-name"}, {75, "object-identifier"},
    {76, "object-list"}, {77, "object-name"}, {79, "object-type"}, {81, "out-of-service"},
    {85, "present-value"}, {87, "priority-array"}, {96, "protocol-object-types-supported"},
    {97, "protocol-services-supported"}, {98, "protocol-version"}, {103, "reliability"},
    {104, "relinquish-default"}, {107, "segmentation-supported"}, {108, "setpoint"},
    {111, "status-flags"}, {112, "system-status"}, {117, "units"}, {120, "vendor-identifier"},
    {121, "vendor-name"}, {123, "weekly-schedule"}, {139, "protocol-revision"},
    {154, "configuration-files"}, {155, "database-revision"}, {168, "profile-name"},
    {372, "serial-number"},
};

/* Clause 21 BACnetErrorCode, the ones a device commonly answers with */
static const char *const bn_error_codes[] = {
    "other", "authentication-failed", "configuration-in-progress", "device-busy",
    "dynamic-creation-not-supported", "file-access-denied", "incompatible-security-levels",
    "inconsistent-parameters", "inconsistent-selection-criterion", "invalid-data-type",
    "invalid-file-access-method", "invalid-file-start-position", "invalid-operator-name",
    "invalid-parameter-data-type", "invalid-time-stamp", "key-generation-error",
    "missing-required-parameter", "no-objects-of-specified-type", "no-space-for-object",
    "no-space-to-add-list-element", "no-space-to-write-property", "no-vt-sessions-available",
    "property-is-not-a-list", "object-deletion-not-permitted", "object-identifier-already-exists",
    "operational-problem", "password-failure", "read-access-denied", "security-not-supported",
    "service-request-denied", "timeout", "unknown-object", "unknown-property", "code-33",
    "unknown-vt-class", "unknown-vt-session", "unsupported-object-type", "value-out-of-range",
    "vt-session-already-closed", "vt-session-termination-failure", "write-access-denied",
    "character-set-not-supported", "invalid-array-index", "cov-subscription-failed",
    "not-cov-property", "optional-functionality-not-supported", "invalid-configuration-data",
    "datatype-not-supported", "duplicate-name", "duplicate-object-id",
    "property-is-not-an-array",
};
static const char *const bn_error_classes[] = {
    "device", "object", "property", "resources", "security", "services", "vt", "communication",
};
static const char *const bn_reject_reasons[] = {
    "other", "buffer-overflow", "inconsistent-parameters", "invalid-parameter-data-type",
    "invalid-tag", "missing-required-parameter", "parameter-out-of-range", "too-many-arguments",
    "undefined-enumeration", "unrecognized-service",
};
static const char *const bn_abort_reasons[] = {
    "other", "buffer-overflow", "invalid-apdu-in-this-state", "preempted-by-higher-priority-task",
    "segmentation-not-supported", "security-error", "insufficient-security",
    "window-size-out-of-range", "application-exceeded-reply-time", "out-of-resources",
    "tsm-timeout", "apdu-too-long",
};
static const char *const bn_segmentation[] = {"both", "transmit", "receive", "none"};
static const char *const bn_system_status[] = {
    "operational", "operational-read-only", "download-required", "download-in-progress",
    "non-operational", "backup-in-progress",
};
static const char *const bn_reinit_states[] = {
    "coldstart", "warmstart", "start-backup", "end-backup", "start-restore", "end-restore",
    "abort-restore", "activate-changes",
};

/* vendor id -> name (ASHRAE list; see the header of the .inc) */
static const char *const bn_vendors[] = {
#define V(id, name) [id] = name,
#include "../../data/bacnet_vendors.inc"
#undef V
};


static const char *bn_table(const char *const *t, size_t n, uint64_t v)
{
    return v < n ? t[v] : NULL;
}

static const char *bn_vendor_name(uint64_t id)
{
    return bn_table(bn_vendors, NELEM(bn_vendors), id);
}

static void bn_object_text(char *dst, size_t n, uint32_t objid)
{
    uint32_t type = objid >> 22, inst = objid & 0x3fffff;
    const char *name = bn_table(bn_object_types, NELEM(bn_object_types), type);
    if (name)
        str_fmt(dst, n, "%s,%u", name, inst);
    else if (type >= 128)
        str_fmt(dst, n, "proprietary-%u,%u", type, inst);
    else
        str_fmt(dst, n, "object-type-%u,%u", type, inst);
}

static void bn_property_text(char *dst, size_t n, uint64_t prop)
{
    for (size_t i = 0; i < NELEM(bn_properties); i++) {
        if (bn_properties[i].id == prop) {
            str_copy(dst, n, bn_properties[i].name);
            return;
        }
    }
    str_fmt(dst, n, "property-%llu", (unsigned long long)prop);
}

/* ---- per-flow state ---- */

struct bn_pending {
    bool used;
    uint8_t invoke, dir, kind;
    char function[44];
    char target[64];
};

struct bn_state {
    struct bn_pending pending[BN_PENDING];
    uint8_t next;         /* round-robin slot for the next pending request */
    bool backup[2];       /* ReinitializeDevice start-backup sent from dir d (until end-backup) */
    bool restore[2];      /* start-restore sent from dir d (until end/abort-restore) */
};

/* ---- what one datagram carries besides the APDU ---- */

struct bn_msg {
    struct pctx *c;
    struct bn_state *st;
    int dir;
    bool identity_ok;  /* false when the sender is a BBMD forwarding for another IP */
    bool partial;      /* first segment of a segmented message: running out is expected */
    char via[64];      /* " via router net N addr 0x.." when SNET/SADR present */
    char to[48];       /* " (to net N addr 0x..)" when DNET/DADR present */
};

/* ---- tags (Clause 20.2.1) ---- */

struct bn_tag {
    uint32_t num;
    bool ctx;
    bool open, close;
    uint8_t lvt;  /* application boolean: the value */
    uint32_t len; /* content octets (0 for opening/closing tags and application booleans) */
};

static bool bn_tag(struct rd *r, struct bn_tag *t)
{
    uint8_t b = rd_u8(r);
    memset(t, 0, sizeof *t);
    t->num = b >> 4;
    t->ctx = (b & 0x08) != 0;
    t->lvt = b & 0x07;
    if (t->num == 15)
        t->num = rd_u8(r);
    if (t->ctx && t->lvt == 6) {
        t->open = true;
    } else if (t->ctx && t->lvt == 7) {
        t->close = true;
    } else if (!t->ctx && t->num == 1) {
        t->len = 0; /* application boolean: value in LVT */
    } else if (t->lvt == 5) {
        uint8_t e = rd_u8(r);
        if (e == 254)
            t->len = rd_be16(r);
        else if (e == 255)
            t->len = rd_be32(r);
        else
            t->len = e;
    } else if (t->lvt > 5) {
        rd_fail(r); /* application tags have no opening/closing form */
    } else {
        t->len = t->lvt;
    }
    if (rd_ok(r) && t->len > rd_left(r))
        rd_fail(r);
    return rd_ok(r);
}

static bool bn_peek(const struct rd *r, struct bn_tag *t)
{
    struct rd copy = *r;
    return bn_tag(&copy, t);
}

static uint64_t bn_uint(struct rd *r, uint32_t len)
{
    uint64_t v = 0;
    if (len == 0 || len > 8) {
        rd_skip(r, len);
        return UINT64_MAX;
    }
    for (uint32_t i = 0; i < len; i++)
        v = v << 8 | rd_u8(r);
    return v;
}

static int64_t bn_sint(struct rd *r, uint32_t len)
{
    if (len == 0 || len > 8) {
        rd_skip(r, len);
        return 0;
    }
    uint64_t v = bn_uint(r, len);
    if (len < 8 && (v >> (len * 8 - 1)) & 1)
        v |= ~0ull << (len * 8);
    return (int64_t)v;
}

/* next element is context tag 'num' (primitive): read it as unsigned */
static bool bn_ctx_uint(struct rd *r, uint32_t num, uint64_t *v)
{
    struct bn_tag t;
    if (!bn_peek(r, &t) || !t.ctx || t.open || t.close || t.num != num)
        return false;
    bn_tag(r, &t);
    *v = bn_uint(r, t.len);
    return rd_ok(r);
}

/* next element is an application tag 'num': consume its header, return its length */
static bool bn_app(struct rd *r, uint32_t num, struct bn_tag *t)
{
    if (!bn_peek(r, t) || t->ctx || t->num != num)
        return false;
    return bn_tag(r, t);
}

static bool bn_app_uint(struct rd *r, uint32_t num, uint64_t *v)
{
    struct bn_tag t;
    if (!bn_app(r, num, &t))
        return false;
    *v = bn_uint(r, t.len);
    return rd_ok(r);
}

static bool bn_is_open(struct rd *r, uint32_t num)
{
    struct bn_tag t;
    if (!bn_peek(r, &t) || !t.open || t.num != num)
        return false;
    return bn_tag(r, &t);
}

static bool bn_is_close(struct rd *r, uint32_t num)
{
    struct bn_tag t;
    if (!bn_peek(r, &t) || !t.close || t.num != num)
        return false;
    return bn_tag(r, &t);
}

/* skip one element; an opening tag is skipped through its matching closing tag */
static bool bn_skip(struct rd *r)
{
    struct bn_tag t;
    int depth = 0;
    do {
        if (!bn_tag(r, &t))
            return false;
        if (t.open) {
            if (++depth > BN_MAX_DEPTH) {
                rd_fail(r);
                return false;
            }
        } else if (t.close) {
            if (--depth < 0) {
                rd_fail(r);
                return false;
            }
        } else {
            rd_skip(r, t.len);
        }
    } while (depth > 0 && rd_ok(r));
    return rd_ok(r);
}

/* skip elements up to and including the closing tag 'num' at this level */
static bool bn_skip_to_close(struct rd *r, uint32_t num)
{
    while (rd_left(r) > 0) {
        if (bn_is_close(r, num))
            return true;
        if (!bn_skip(r))
            return false;
    }
    rd_fail(r);
    return false;
}

/* ---- character strings (Clause 20.2.9) ---- */

static size_t bn_put_utf8(uint8_t *out, size_t o, size_t cap, uint32_t cp)
{
    if (cp >= 0xd800 && cp <= 0xdfff)
        cp = '?';
    if (cp < 0x80 && o + 1 <= cap) {
        out[o++] = (uint8_t)cp;
    } else if (cp < 0x800 && o + 2 <= cap) {
        out[o++] = (uint8_t)(0xc0 | cp >> 6);
        out[o++] = (uint8_t)(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000 && o + 3 <= cap) {
        out[o++] = (uint8_t)(0xe0 | cp >> 12);
        out[o++] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
        out[o++] = (uint8_t)(0x80 | (cp & 0x3f));
    } else if (cp < 0x110000 && o + 4 <= cap) {
        out[o++] = (uint8_t)(0xf0 | cp >> 18);
        out[o++] = (uint8_t)(0x80 | ((cp >> 12) & 0x3f));
        out[o++] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
        out[o++] = (uint8_t)(0x80 | (cp & 0x3f));
    }
    return o;
}

/* len octets of a CharacterString (charset octet first) into dst as sanitised UTF-8 */
static size_t bn_charstring(struct rd *r, uint32_t len, char *dst, size_t dstsz)
{
    dst[0] = '\0';
    if (len == 0)
        return 0;
    uint8_t set = rd_u8(r);
    len--;
    if (set == 0 || set == 1 || set == 2) { /* UTF-8; DBCS/JIS kept as escaped bytes */
        if (set == 1 && len >= 2) {
            rd_skip(r, 2); /* DBCS code page */
            len -= 2;
        }
        return rd_str(r, len, dst, dstsz);
    }
    uint8_t raw[256], utf[512];
    size_t take = len < sizeof raw ? len : sizeof raw, o = 0;
    rd_bytes(r, raw, take);
    rd_skip(r, len - take);
    if (!rd_ok(r))
        return 0;
    size_t unit = set == 3 ? 4 : set == 4 ? 2 : 1; /* UCS-4, UCS-2, ISO 8859-1 */
    for (size_t i = 0; i + unit <= take; i += unit) {
        uint32_t cp = raw[i];
        if (unit == 2)
            cp = (uint32_t)raw[i] << 8 | raw[i + 1];
        else if (unit == 4)
            cp = (uint32_t)raw[i] << 24 | (uint32_t)raw[i + 1] << 16 |
                 (uint32_t)raw[i + 2] << 8 | raw[i + 3];
        if (cp == 0)
            break;
        o = bn_put_utf8(utf, o, sizeof utf, cp);
    }
    return str_sanitize(dst, dstsz, utf, o);
}

/* ---- one application-tagged value as text (for op targets and identity) ---- */

enum bn_vkind { BN_V_NONE, BN_V_UINT, BN_V_STRING, BN_V_OTHER };

struct bn_value {
    enum bn_vkind kind;
    uint64_t u;
    char text[160];
};

static bool bn_value(struct rd *r, struct bn_value *v)
{
    struct bn_tag t;
    memset(v, 0, sizeof *v);
    if (!bn_peek(r, &t))
        return bn_tag(r, &t); /* sets the cursor's error */
    if (t.ctx) { /* constructed or context-tagged value: not rendered */
        str_fmt(v->text, sizeof v->text, "(constructed)");
        v->kind = BN_V_OTHER;
        return bn_skip(r);
    }
    bn_tag(r, &t);
    v->kind = BN_V_OTHER;
    switch (t.num) {
    case 0:
        str_fmt(v->text, sizeof v->text, "null");
        break;
    case 1:
        str_copy(v->text, sizeof v->text, t.lvt ? "true" : "false");
        break;
    case 2:
    case 9:
        v->u = bn_uint(r, t.len);
        v->kind = BN_V_UINT;
        str_fmt(v->text, sizeof v->text, "%llu", (unsigned long long)v->u);
        break;
    case 3:
        str_fmt(v->text, sizeof v->text, "%lld", (long long)bn_sint(r, t.len));
        break;
    case 4:
    case 5: {
        if (t.len != 4 && t.len != 8) {
            rd_skip(r, t.len);
            break;
        }
        uint64_t bits = bn_uint(r, t.len);
        double d;
        if (t.len == 4) {
            uint32_t b32 = (uint32_t)bits;
            float f;
            memcpy(&f, &b32, sizeof f);
            d = f;
        } else {
            memcpy(&d, &bits, sizeof d);
        }
        str_fmt(v->text, sizeof v->text, "%g", d);
        break;
    }
    case 7:
        bn_charstring(r, t.len, v->text, sizeof v->text);
        v->kind = BN_V_STRING;
        break;
    case 12: {
        uint64_t id = bn_uint(r, t.len);
        v->u = id;
        bn_object_text(v->text, sizeof v->text, (uint32_t)id);
        break;
    }
    default:
        str_fmt(v->text, sizeof v->text, "(%u octets)", t.len);
        rd_skip(r, t.len);
        break;
    }
    return rd_ok(r);
}

/* ---- emit helpers ---- */

static void bn_source(const struct bn_msg *m, const char *what, char *dst, size_t n)
{
    str_fmt(dst, n, "bacnet %s%s", what, m->via);
}

static void bn_emit_vendor_id(struct bn_msg *m, uint64_t id, const char *src)
{
    char num[24];
    str_fmt(num, sizeof num, "%llu", (unsigned long long)id);
    emit_attr(m->c, WHO_SRC, F_VENDOR_ID, num, src);
    const char *name = bn_vendor_name(id);
    if (name)
        emit_attr_raw(m->c, WHO_SRC, F_VENDOR, name, num, src);
}

static void bn_emit_instance(struct bn_msg *m, uint32_t objid, const char *src)
{
    if (objid >> 22 != BN_OBJ_DEVICE || (objid & 0x3fffff) == BN_WILDCARD_INSTANCE)
        return;
    char num[16];
    str_fmt(num, sizeof num, "%u", objid & 0x3fffff);
    emit_attr(m->c, WHO_SRC, F_DEVICE_INSTANCE, num, src);
}

static void bn_remember(struct bn_msg *m, uint8_t invoke, enum op_kind kind, const char *function,
                        const char *target)
{
    struct bn_pending *p = &m->st->pending[m->st->next % BN_PENDING];
    for (int i = 0; i < BN_PENDING; i++) /* a reused invoke id replaces its old entry */
        if (m->st->pending[i].used && m->st->pending[i].invoke == invoke &&
            m->st->pending[i].dir == m->dir)
            p = &m->st->pending[i];
    m->st->next = (uint8_t)((m->st->next + 1) % BN_PENDING);
    p->used = true;
    p->invoke = invoke;
    p->dir = (uint8_t)m->dir;
    p->kind = (uint8_t)kind;
    str_copy(p->function, sizeof p->function, function);
    str_copy(p->target, sizeof p->target, target ? target : "");
}

static void bn_op(struct bn_msg *m, bool confirmed, uint8_t invoke, enum op_kind kind,
                  const char *function, const char *target)
{
    char t[200];
    str_fmt(t, sizeof t, "%s%s", target ? target : "", m->to);
    emit_op(m->c, kind, function, t[0] ? t : NULL, NULL);
    if (confirmed && kind != OP_READ)
        bn_remember(m, invoke, kind, function, t);
}

/* a reply to invoke id from the other side: report errors on remembered requests */
static void bn_answer(struct bn_msg *m, uint8_t invoke, const char *result)
{
    for (int i = 0; i < BN_PENDING; i++) {
        struct bn_pending *p = &m->st->pending[i];
        if (!p->used || p->invoke != invoke || p->dir == m->dir)
            continue;
        p->used = false;
        if (result)
            emit_op(m->c, (enum op_kind)p->kind, p->function, p->target[0] ? p->target : NULL,
                    result);
        return;
    }
}

/* ---- Device-object identity from property values (Clause 12.11) ---- */

static void bn_device_property(struct bn_msg *m, uint32_t objid, uint64_t prop, struct rd *val,
                               const char *svc)
{
    if (objid >> 22 != BN_OBJ_DEVICE || !m->identity_ok)
        return;
    struct bn_value v;
    if (!bn_value(val, &v))
        return;
    char src[128];
    bn_source(m, svc, src, sizeof src);
    bool s = v.kind == BN_V_STRING, u = v.kind == BN_V_UINT;
    switch (prop) {
    case 121:
        if (s)
            emit_attr(m->c, WHO_SRC, F_VENDOR, v.text, src);
        break;
    case 120:
        if (u)
            bn_emit_vendor_id(m, v.u, src);
        break;
    case 70:
        if (s) {
            emit_attr(m->c, WHO_SRC, F_MODEL, v.text, src);
            emit_attr(m->c, WHO_SRC, F_PRODUCT, v.text, src);
        }
        break;
    case 44:
        if (s)
            emit_attr(m->c, WHO_SRC, F_FIRMWARE, v.text, src);
        break;
    case 12:
        if (s)
            emit_attr(m->c, WHO_SRC, F_SOFTWARE_VERSION, v.text, src);
        break;
    case 77:
        if (s)
            emit_attr(m->c, WHO_SRC, F_NAME, v.text, src);
        break;
    case 58:
        if (s)
            emit_attr(m->c, WHO_SRC, F_LOCATION, v.text, src);
        break;
    case 28:
        if (s)
            emit_attr(m->c, WHO_SRC, F_DESCRIPTION, v.text, src);
        break;
    case 372:
        if (s)
            emit_attr(m->c, WHO_SRC, F_SERIAL, v.text, src);
        break;
    case 75:
        if (v.kind == BN_V_OTHER && v.u)
            bn_emit_instance(m, (uint32_t)v.u, src);
        break;
    case 112: {
        const char *st = u ? bn_table(bn_system_status, NELEM(bn_system_status), v.u) : NULL;
        if (st)
            emit_attr_raw(m->c, WHO_SRC, F_STATE, st, v.text, src);
        break;
    }
    case 139:
        if (u)
            emit_attrf(m->c, WHO_SRC, F_PROTOCOL_VERSION, src, "BACnet protocol revision %llu",
                       (unsigned long long)v.u);
        break;
    default:
        break;
    }
}

/* ---- confirmed services (Clause 15-17) ---- */

/* ReadProperty-Request / -ACK: [0] objid [1] property [2] index opt, ack: [3] { value };
 * target (NULL for an ack) gets "analog-input:3 present-value" */
static bool bn_obj_prop(struct rd *r, uint32_t *objid, uint64_t *prop, char *target, size_t n)
{
    uint64_t o = 0, idx;
    if (!bn_ctx_uint(r, 0, &o) || !bn_ctx_uint(r, 1, prop))
        return false;
    *objid = (uint32_t)o;
    bool indexed = bn_ctx_uint(r, 2, &idx);
    if (!target)
        return true; /* an ack names nothing: the request was the operation */
    char ot[64], pt[48];
    bn_object_text(ot, sizeof ot, *objid);
    bn_property_text(pt, sizeof pt, *prop);
    if (indexed)
        str_fmt(target, n, "%s %s[%llu]", ot, pt, (unsigned long long)idx);
    else
        str_fmt(target, n, "%s %s", ot, pt);
    return true;
}

static void bn_read_property(struct bn_msg *m, uint8_t invoke, struct rd *r)
{
    uint32_t objid;
    uint64_t prop;
    char target[128];
    if (bn_obj_prop(r, &objid, &prop, target, sizeof target))
        bn_op(m, true, invoke, OP_READ, "read property (12)", target);
}

static void bn_read_property_ack(struct bn_msg *m, struct rd *r)
{
    uint32_t objid;
    uint64_t prop;
    if (!bn_obj_prop(r, &objid, &prop, NULL, 0) || !bn_is_open(r, 3))
        return;
    if (objid >> 22 == BN_OBJ_DEVICE && m->identity_ok) {
        char src[128];
        bn_source(m, "read property", src, sizeof src);
        bn_emit_instance(m, objid, src);
    }
    bn_device_property(m, objid, prop, r, "read property");
}

/* ReadPropertyMultiple-Request: ( [0] objid [1] { ([0] prop [1] index)* } )* */
static void bn_read_property_multiple(struct bn_msg *m, uint8_t invoke, struct rd *r)
{
    char target[160] = "", ot[64], pt[48];
    size_t o = 0;
    int objects = 0;
    while (rd_left(r) > 0 && rd_ok(r)) {
        uint64_t objid, prop;
        if (!bn_ctx_uint(r, 0, &objid) || !bn_is_open(r, 1))
            break;
        objects++;
        if (objects == 1) {
            bn_object_text(ot, sizeof ot, (uint32_t)objid);
            o += (size_t)str_copy(target + o, sizeof target - o, ot);
        }
        int props = 0;
        while (rd_ok(r) && !bn_is_close(r, 1)) {
            if (!bn_ctx_uint(r, 0, &prop)) {
                rd_fail(r);
                break;
            }
            uint64_t idx;
            bn_ctx_uint(r, 1, &idx);
            if (objects == 1 && o < sizeof target - 1) {
                bn_property_text(pt, sizeof pt, prop);
                o += (size_t)str_fmt(target + o, sizeof target - o, "%s%s",
                                      props ? ", " : " ", pt);
            }
            props++;
        }
    }
    if (o >= sizeof target)
        o = sizeof target - 1;
    if (objects > 1)
        str_fmt(target + o, sizeof target - o, " (+%d objects)", objects - 1);
    if (objects)
        bn_op(m, true, invoke, OP_READ, "read property multiple (14)", target);
}

/* ReadPropertyMultiple-ACK:
 * ( [0] objid [1] { ([2] prop [3] index [4] {value} | [5] {error})* } )* */
static void bn_read_property_multiple_ack(struct bn_msg *m, struct rd *r)
{
    while (rd_left(r) > 0 && rd_ok(r)) {
        uint64_t objid, prop, idx;
        if (!bn_ctx_uint(r, 0, &objid) || !bn_is_open(r, 1))
            return;
        if (objid >> 22 == BN_OBJ_DEVICE && m->identity_ok) {
            char src[128];
            bn_source(m, "read property multiple", src, sizeof src);
            bn_emit_instance(m, (uint32_t)objid, src);
        }
        for (int n = 0; rd_ok(r) && !bn_is_close(r, 1); n++) {
            if (n >= BN_MAX_PROPS || !bn_ctx_uint(r, 2, &prop)) {
                bn_skip_to_close(r, 1);
                break;
            }
            bn_ctx_uint(r, 3, &idx);
            if (bn_is_open(r, 4)) {
                struct rd val = *r; /* read first: in a cut segment the value may be whole */
                bn_skip_to_close(r, 4);
                bn_device_property(m, (uint32_t)objid, prop, &val, "read property multiple");
                if (!rd_ok(r))
                    return;
            } else if (bn_is_open(r, 5)) {
                bn_skip_to_close(r, 5);
            } else {
                rd_fail(r);
            }
        }
    }
}

static bool bn_is_output_or_value(uint32_t type)
{
    switch (type) {
    case 1: case 2: case 4: case 5: case 14: case 19: case 54: case 55:
        return true;
    default:
        return type >= 39 && type <= 50; /* the "value" object types of 135-2012 */
    }
}

static enum op_kind bn_write_kind(uint32_t objid, uint64_t prop)
{
    return prop == 85 && bn_is_output_or_value(objid >> 22) ? OP_PROCESS_WRITE : OP_CONFIG_WRITE;
}

/* the value in [tag]{...} and an optional priority [prio] as " = v @p" */
static bool bn_written_value(struct rd *r, uint32_t tag, uint32_t prio, char *dst, size_t n)
{
    struct bn_value v;
    if (!bn_is_open(r, tag))
        return false;
    struct rd first = *r;
    bool have = bn_value(&first, &v);
    if (!bn_skip_to_close(r, tag))
        return false;
    uint64_t p;
    size_t o = (size_t)str_fmt(dst, n, " = %s", have ? v.text : "?");
    if (bn_ctx_uint(r, prio, &p) && o < n)
        str_fmt(dst + o, n - o, " @%llu", (unsigned long long)p);
    return true;
}

/* WriteProperty-Request: [0] objid [1] prop [2] index opt [3] {value} [4] priority opt */
static void bn_write_property(struct bn_msg *m, uint8_t invoke, struct rd *r)
{
    uint32_t objid;
    uint64_t prop;
    char target[128], value[96] = "", t[224];
    if (!bn_obj_prop(r, &objid, &prop, target, sizeof target))
        return;
    if (!bn_written_value(r, 3, 4, value, sizeof value)) {
        rd_fail(r); /* the value is not optional */
        return;
    }
    str_fmt(t, sizeof t, "%s%s", target, value);
    bn_op(m, true, invoke, bn_write_kind(objid, prop), "write property (15)", t);
}

/* WritePropertyMultiple-Request: ( [0] objid [1] { ([0] prop [1] idx [2] {v} [3] prio)* } )* */
static void bn_write_property_multiple(struct bn_msg *m, uint8_t invoke, struct rd *r)
{
    int ops = 0;
    bool remembered = false;
    while (rd_left(r) > 0 && rd_ok(r)) {
        uint64_t objid, prop, idx;
        if (!bn_ctx_uint(r, 0, &objid) || !bn_is_open(r, 1))
            return;
        char ot[64], pt[48], value[96], t[224];
        bn_object_text(ot, sizeof ot, (uint32_t)objid);
        while (rd_ok(r) && !bn_is_close(r, 1)) {
            if (!bn_ctx_uint(r, 0, &prop)) {
                rd_fail(r);
                return;
            }
            bn_property_text(pt, sizeof pt, prop);
            bool has_idx = bn_ctx_uint(r, 1, &idx);
            value[0] = '\0';
            if (!bn_written_value(r, 2, 3, value, sizeof value)) {
                rd_fail(r);
                return;
            }
            if (ops++ >= BN_MAX_OPS)
                continue;
            if (has_idx)
                str_fmt(t, sizeof t, "%s %s[%llu]%s", ot, pt, (unsigned long long)idx, value);
            else
                str_fmt(t, sizeof t, "%s %s%s", ot, pt, value);
            bn_op(m, !remembered, invoke, bn_write_kind((uint32_t)objid, prop),
                  "write property multiple (16)", t);
            remembered = true;
        }
    }
}

static void bn_password_finding(struct bn_msg *m, struct rd *r, uint32_t tag, const char *svc,
                                char *note, size_t n)
{
    struct bn_tag t;
    if (!bn_peek(r, &t) || !t.ctx || t.open || t.close || t.num != tag)
        return;
    bn_tag(r, &t);
    rd_skip(r, t.len);
    if (!rd_ok(r))
        return;
    str_fmt(note, n, " (password)");
    char detail[96];
    str_fmt(detail, sizeof detail, "bacnet %s password sent in cleartext", svc);
    emit_finding(m->c, WHO_DST, "cleartext-credentials", detail);
}

/* ReinitializeDevice-Request: [0] reinitializedStateOfDevice [1] password opt (Clause 16.4) */
static void bn_reinitialize(struct bn_msg *m, uint8_t invoke, struct rd *r)
{
    uint64_t state;
    if (!bn_ctx_uint(r, 0, &state))
        return;
    char note[16] = "", function[64];
    bn_password_finding(m, r, 1, "reinitialize-device", note, sizeof note);
    const char *name = bn_table(bn_reinit_states, NELEM(bn_reinit_states), state);
    str_fmt(function, sizeof function, "reinitialize device (20) %s", name ? name : "?");
    enum op_kind kind = OP_RESTART;
    int d = m->dir & 1;
    if (state == 2 || state == 3) { /* backup: configuration files are read next */
        kind = OP_PROGRAM_UPLOAD;
        m->st->backup[d] = state == 2;
    } else if (state == 4 || state == 5) { /* restore: configuration files are written next */
        kind = OP_PROGRAM_DOWNLOAD;
        m->st->restore[d] = state == 4;
    } else if (state == 6) {
        m->st->restore[d] = false;
    }
    bn_op(m, true, invoke, kind, function, note[0] ? note + 1 : NULL);
}

/* DeviceCommunicationControl-Request: [0] minutes opt [1] enable-disable [2] password opt */
static void bn_dcc(struct bn_msg *m, uint8_t invoke, struct rd *r)
{
    uint64_t minutes = 0, what;
    bool timed = bn_ctx_uint(r, 0, &minutes);
    if (!bn_ctx_uint(r, 1, &what))
        return;
    char note[16] = "", target[96];
    bn_password_finding(m, r, 2, "device-communication-control", note, sizeof note);
    static const char *const names[] = {"enable", "disable", "disable-initiation"};
    const char *name = bn_table(names, NELEM(names), what);
    if (timed)
        str_fmt(target, sizeof target, "%s for %llu min%s", name ? name : "?",
                 (unsigned long long)minutes, note);
    else
        str_fmt(target, sizeof target, "%s%s", name ? name : "?", note);
    bn_op(m, true, invoke, OP_COMM_CONTROL, "device communication control (17)", target);
}

/* AtomicRead/WriteFile-Request: file objid, then [0]{start, count|data} or [1]{...} (14.1/14.2) */
static void bn_atomic_file(struct bn_msg *m, uint8_t invoke, struct rd *r, bool write)
{
    uint64_t objid;
    if (!bn_app_uint(r, 12, &objid))
        return;
    char ot[64], target[128];
    bn_object_text(ot, sizeof ot, (uint32_t)objid);
    struct bn_tag t;
    bool stream = bn_is_open(r, 0), record = !stream && bn_is_open(r, 1);
    int64_t start = 0;
    uint64_t count = 0;
    if ((stream || record) && bn_app(r, 3, &t)) {
        start = bn_sint(r, t.len);
        if (!write || record)
            bn_app_uint(r, 2, &count);
        if (write && stream && bn_app(r, 6, &t))
            count = t.len;
    }
    str_fmt(target, sizeof target, "%s %s %lld, %llu %s", ot, record ? "record" : "at",
             (long long)start, (unsigned long long)count,
             record ? "records" : "octets");
    int d = m->dir & 1;
    enum op_kind kind = OP_FILE_TRANSFER;
    if (write && m->st->restore[d])
        kind = OP_PROGRAM_DOWNLOAD;
    else if (!write && m->st->backup[d])
        kind = OP_PROGRAM_UPLOAD;
    bn_op(m, true, invoke, kind, write ? "atomic write file (7)" : "atomic read file (6)",
          target);
}

/* object-id then property, both context tags 0 and 1 (Add/RemoveListElement, ReadRange) */
static void bn_obj_prop_op(struct bn_msg *m, uint8_t invoke, struct rd *r, enum op_kind kind,
                           const char *function)
{
    uint32_t objid;
    uint64_t prop;
    char target[128];
    if (bn_obj_prop(r, &objid, &prop, target, sizeof target))
        bn_op(m, true, invoke, kind, function, target);
}

static void bn_create_object(struct bn_msg *m, uint8_t invoke, struct rd *r)
{
    uint64_t v;
    char target[96] = "";
    if (bn_is_open(r, 0)) {
        if (bn_ctx_uint(r, 0, &v)) {
            const char *name = bn_table(bn_object_types, NELEM(bn_object_types), v);
            str_copy(target, sizeof target, name ? name : "object");
        } else if (bn_ctx_uint(r, 1, &v)) {
            bn_object_text(target, sizeof target, (uint32_t)v);
        }
    }
    bn_op(m, true, invoke, OP_CONFIG_WRITE, "create object (10)", target);
}

static void bn_delete_object(struct bn_msg *m, uint8_t invoke, struct rd *r)
{
    uint64_t v;
    char target[96] = "";
    if (bn_app_uint(r, 12, &v))
        bn_object_text(target, sizeof target, (uint32_t)v);
    bn_op(m, true, invoke, OP_CONFIG_WRITE, "delete object (11)", target);
}

static void bn_private_transfer(struct bn_msg *m, bool confirmed, uint8_t invoke, struct rd *r)
{
    uint64_t vendor, service;
    if (!bn_ctx_uint(r, 0, &vendor) || !bn_ctx_uint(r, 1, &service))
        return;
    char target[160];
    const char *name = bn_vendor_name(vendor);
    str_fmt(target, sizeof target, "vendor %llu%s%s%s service %llu",
             (unsigned long long)vendor, name ? " (" : "", name ? name : "", name ? ")" : "",
             (unsigned long long)service);
    bn_op(m, confirmed, invoke, OP_OTHER,
          confirmed ? "confirmed private transfer (18)" : "unconfirmed private transfer (4)",
          target);
}

static void bn_subscribe_cov(struct bn_msg *m, uint8_t invoke, struct rd *r)
{
    uint64_t pid, objid;
    char target[96];
    if (!bn_ctx_uint(r, 0, &pid) || !bn_ctx_uint(r, 1, &objid))
        return;
    bn_object_text(target, sizeof target, (uint32_t)objid);
    bn_op(m, true, invoke, OP_READ, "subscribe cov (5)", target);
}

static void bn_confirmed(struct bn_msg *m, uint8_t invoke, uint8_t service, struct rd *r)
{
    switch (service) {
    case 0:
        bn_op(m, true, invoke, OP_COMMAND, "acknowledge alarm (0)", NULL);
        break;
    case 5:
        bn_subscribe_cov(m, invoke, r);
        break;
    case 6:
    case 7:
        bn_atomic_file(m, invoke, r, service == 7);
        break;
    case 8:
        bn_obj_prop_op(m, invoke, r, OP_CONFIG_WRITE, "add list element (8)");
        break;
    case 9:
        bn_obj_prop_op(m, invoke, r, OP_CONFIG_WRITE, "remove list element (9)");
        break;
    case 10:
        bn_create_object(m, invoke, r);
        break;
    case 11:
        bn_delete_object(m, invoke, r);
        break;
    case 12:
        bn_read_property(m, invoke, r);
        break;
    case 14:
        bn_read_property_multiple(m, invoke, r);
        break;
    case 15:
        bn_write_property(m, invoke, r);
        break;
    case 16:
        bn_write_property_multiple(m, invoke, r);
        break;
    case 17:
        bn_dcc(m, invoke, r);
        break;
    case 18:
        bn_private_transfer(m, true, invoke, r);
        break;
    case 20:
        bn_reinitialize(m, invoke, r);
        break;
    case 24:
    case 25:
        bn_op(m, true, invoke, OP_AUTH, service == 24 ? "authenticate (24)" : "request key (25)",
              NULL);
        break;
    case 26:
        bn_obj_prop_op(m, invoke, r, OP_READ, "read range (26)");
        break;
    case 27:
        bn_op(m, true, invoke, OP_COMMAND, "life safety operation (27)", NULL);
        break;
    default:
        break; /* notifications, VT, text messages: not operations on a device */
    }
}

/* ---- unconfirmed services (Clause 16) ---- */

/* I-Am-Request: device objid, max-APDU unsigned, segmentation enumerated, vendor unsigned */
static void bn_i_am(struct bn_msg *m, struct rd *r)
{
    uint64_t objid, max_apdu, seg, vendor;
    if (!bn_app_uint(r, 12, &objid) || !bn_app_uint(r, 2, &max_apdu) ||
        !bn_app_uint(r, 9, &seg) || !bn_app_uint(r, 2, &vendor)) {
        if (rd_ok(r)) /* wrong tags; truncation is reported by the caller */
            emit_malformed(m->c, "bacnet: bad i-am");
        return;
    }
    if (!m->identity_ok)
        return;
    const char *segname = bn_table(bn_segmentation, NELEM(bn_segmentation), seg);
    char what[96], src[160];
    str_fmt(what, sizeof what, "i-am (max-apdu %llu, segmentation %s)",
             (unsigned long long)max_apdu, segname ? segname : "?");
    bn_source(m, what, src, sizeof src);
    bn_emit_instance(m, (uint32_t)objid, src);
    bn_emit_vendor_id(m, vendor, src);
    /* a device object announcing itself is a BACnet controller (building automation): the
     * nearest SPEC role is a controller, "plc" */
    emit_role(m->c, WHO_SRC, "plc", "bacnet i-am (device object)");
}

/* I-Have-Request: device objid, object objid, object name */
static void bn_i_have(struct bn_msg *m, struct rd *r)
{
    uint64_t dev;
    if (!bn_app_uint(r, 12, &dev) || !m->identity_ok)
        return;
    char src[128];
    bn_source(m, "i-have", src, sizeof src);
    bn_emit_instance(m, (uint32_t)dev, src);
}

/* TimeSynchronization: Date (year-1900, month, day, weekday) and Time (h, m, s, 1/100) */
static void bn_time_sync(struct bn_msg *m, struct rd *r, bool utc)
{
    struct bn_tag t;
    uint8_t d[4] = {0}, tm[4] = {0};
    if (!bn_app(r, 10, &t) || t.len != 4)
        return;
    rd_bytes(r, d, 4);
    if (!bn_app(r, 11, &t) || t.len != 4)
        return;
    rd_bytes(r, tm, 4);
    if (!rd_ok(r))
        return;
    char target[64];
    str_fmt(target, sizeof target, "%04u-%02u-%02u %02u:%02u:%02u%s", 1900u + d[0], d[1], d[2],
             tm[0], tm[1], tm[2], utc ? " UTC" : "");
    bn_op(m, false, 0, OP_TIME_SYNC,
          utc ? "utc time synchronization (9)" : "time synchronization (6)", target);
}

static void bn_unconfirmed(struct bn_msg *m, uint8_t service, struct rd *r)
{
    uint64_t v;
    char target[48];
    switch (service) {
    case 0:
        bn_i_am(m, r);
        break;
    case 1:
        bn_i_have(m, r);
        break;
    case 4:
        bn_private_transfer(m, false, 0, r);
        break;
    case 6:
    case 9:
        bn_time_sync(m, r, service == 9);
        break;
    case 10:
        if (bn_ctx_uint(r, 0, &v)) {
            str_fmt(target, sizeof target, "group %llu", (unsigned long long)v);
            bn_op(m, false, 0, OP_PROCESS_WRITE, "write group (10)", target);
        }
        break;
    case 14:
        bn_op(m, false, 0, OP_CONFIG_WRITE, "you-are (14)", NULL);
        break;
    default:
        break;
    }
}

/* ---- replies ---- */

/* Error-PDU: error class and code, possibly inside context tags (Clause 21 Error) */
static void bn_error(struct bn_msg *m, uint8_t invoke, uint8_t service, struct rd *r)
{
    uint64_t vals[2];
    int n = 0;
    struct bn_tag t;
    for (int guard = 0; n < 2 && guard < 16 && rd_left(r) > 0; guard++) {
        if (!bn_tag(r, &t))
            break;
        if (t.open || t.close)
            continue;
        if (!t.ctx && t.num == 9)
            vals[n++] = bn_uint(r, t.len);
        else
            rd_skip(r, t.len);
    }
    char result[96];
    if (n == 2) {
        const char *cls = bn_table(bn_error_classes, NELEM(bn_error_classes), vals[0]);
        const char *code = bn_table(bn_error_codes, NELEM(bn_error_codes), vals[1]);
        char cbuf[24];
        if (!code) {
            str_fmt(cbuf, sizeof cbuf, "code-%llu", (unsigned long long)vals[1]);
            code = cbuf;
        }
        str_fmt(result, sizeof result, "error %s/%s", cls ? cls : "?", code);
    } else {
        str_fmt(result, sizeof result, "error (service %u)", service);
    }
    bn_answer(m, invoke, result);
}

static void bn_apdu(struct bn_msg *m, struct rd *r)
{
    uint8_t b0 = rd_u8(r), type = b0 >> 4;
    bool seg = (b0 & 0x08) != 0, more = (b0 & 0x04) != 0;
    uint8_t invoke = 0, service = 0, seq = 0, reason;
    char result[64];
    switch (type) {
    case 0: /* Confirmed-Request (20.1.2) */
        rd_u8(r); /* max segments / max APDU */
        invoke = rd_u8(r);
        if (seg) {
            seq = rd_u8(r);
            rd_u8(r); /* proposed window */
        }
        service = rd_u8(r);
        if (!rd_ok(r) || seq != 0)
            break;
        m->partial = seg && more;
        bn_confirmed(m, invoke, service, r);
        break;
    case 1: /* Unconfirmed-Request (20.1.3) */
        service = rd_u8(r);
        if (rd_ok(r))
            bn_unconfirmed(m, service, r);
        break;
    case 2: /* SimpleACK */
        invoke = rd_u8(r);
        if (rd_ok(r))
            bn_answer(m, invoke, NULL);
        break;
    case 3: /* ComplexACK (20.1.5) */
        invoke = rd_u8(r);
        if (seg) {
            seq = rd_u8(r);
            rd_u8(r);
        }
        service = rd_u8(r);
        if (!rd_ok(r))
            break;
        if (seq == 0)
            bn_answer(m, invoke, NULL);
        if (seq != 0)
            return; /* a later segment: bytes from the middle of the ack */
        m->partial = seg && more;
        if (service == 12)
            bn_read_property_ack(m, r);
        else if (service == 14)
            bn_read_property_multiple_ack(m, r);
        else
            return; /* other acks carry nothing we keep; do not judge them */
        break;
    case 4: /* SegmentACK */
        rd_skip(r, 3);
        break;
    case 5: /* Error */
        invoke = rd_u8(r);
        service = rd_u8(r);
        if (rd_ok(r))
            bn_error(m, invoke, service, r);
        return;
    case 6: /* Reject */
    case 7: /* Abort */
        invoke = rd_u8(r);
        reason = rd_u8(r);
        if (!rd_ok(r))
            break;
        {
            const char *name = type == 6
                ? bn_table(bn_reject_reasons, NELEM(bn_reject_reasons), reason)
                : bn_table(bn_abort_reasons, NELEM(bn_abort_reasons), reason);
            str_fmt(result, sizeof result, "%s %s", type == 6 ? "reject" : "abort",
                     name ? name : "proprietary");
            bn_answer(m, invoke, result);
        }
        return;
    default:
        emit_malformed(m->c, "bacnet: unknown APDU type");
        return;
    }
    if (!rd_ok(r) && !m->partial)
        emit_malformed(m->c, "bacnet: truncated APDU");
}

/* ---- network layer (Clause 6) ---- */

static void bn_addr_text(char *dst, size_t n, const uint8_t *a, uint8_t len)
{
    size_t o = (size_t)str_fmt(dst, n, "0x");
    for (uint8_t i = 0; i < len && o + 2 < n; i++)
        o += (size_t)str_fmt(dst + o, n - o, "%02x", a[i]);
}

static void bn_network_message(struct bn_msg *m, struct rd *r)
{
    uint8_t type = rd_u8(r);
    if (type >= 0x80)
        rd_be16(r); /* vendor id of a proprietary message */
    if (!rd_ok(r)) {
        emit_malformed(m->c, "bacnet: truncated network message");
        return;
    }
    switch (type) {
    case 0x01: /* I-Am-Router-To-Network: the sender routes to other BACnet networks */
        emit_role(m->c, WHO_SRC, "gateway", "bacnet i-am-router-to-network");
        break;
    case 0x06: { /* Initialize-Routing-Table; 0 ports = a query (6.4.7) */
        uint8_t ports = rd_u8(r);
        if (rd_ok(r))
            emit_op(m->c, ports ? OP_CONFIG_WRITE : OP_READ, "initialize routing table (0x06)",
                    NULL, NULL);
        break;
    }
    default:
        break;
    }
}

static void bn_npdu(struct bn_msg *m, struct rd *r)
{
    uint8_t ver = rd_u8(r), ctrl = rd_u8(r);
    if (!rd_ok(r) || ver != 1) {
        emit_malformed(m->c, "bacnet: bad NPDU version");
        return;
    }
    uint8_t addr[255];
    if (ctrl & 0x20) { /* DNET, DLEN, DADR */
        uint16_t dnet = rd_be16(r);
        uint8_t dlen = rd_u8(r);
        rd_bytes(r, addr, dlen);
        char a[32];
        bn_addr_text(a, sizeof a, addr, dlen);
        if (dlen)
            str_fmt(m->to, sizeof m->to, " (to net %u addr %s)", dnet, a);
        else
            str_fmt(m->to, sizeof m->to, " (to net %u)", dnet);
    }
    if (ctrl & 0x08) { /* SNET, SLEN, SADR */
        uint16_t snet = rd_be16(r);
        uint8_t slen = rd_u8(r);
        rd_bytes(r, addr, slen);
        char a[32];
        bn_addr_text(a, sizeof a, addr, slen);
        str_fmt(m->via, sizeof m->via, " via router net %u addr %s", snet, a);
    }
    if (ctrl & 0x20)
        rd_u8(r); /* hop count */
    if (!rd_ok(r)) {
        emit_malformed(m->c, "bacnet: truncated NPDU");
        return;
    }
    if (ctrl & 0x80)
        bn_network_message(m, r);
    else
        bn_apdu(m, r);
}

/* ---- BVLL (Annex J.2) ---- */

static void bn_bvll_op(struct bn_msg *m, uint8_t func, struct rd *r)
{
    char target[64];
    switch (func) {
    case 0x01:
        str_fmt(target, sizeof target, "%zu entries", rd_left(r) / 10);
        emit_op(m->c, OP_CONFIG_WRITE, "write broadcast distribution table (bvlc 0x01)", target,
                NULL);
        break;
    case 0x05: {
        uint16_t ttl = rd_be16(r);
        str_fmt(target, sizeof target, "ttl %u s", ttl);
        if (rd_ok(r))
            emit_op(m->c, OP_SESSION, "register foreign device (bvlc 0x05)", target, NULL);
        break;
    }
    case 0x08: {
        uint8_t ip[4];
        rd_bytes(r, ip, 4);
        uint16_t port = rd_be16(r);
        str_fmt(target, sizeof target, "%u.%u.%u.%u:%u", ip[0], ip[1], ip[2], ip[3], port);
        if (rd_ok(r))
            emit_op(m->c, OP_CONFIG_WRITE, "delete foreign device table entry (bvlc 0x08)",
                    target, NULL);
        break;
    }
    default:
        break;
    }
}

static void parse(struct pctx *c, void *state, int dir, struct rd *pdu)
{
    struct bn_msg m;
    memset(&m, 0, sizeof m);
    m.c = c;
    m.st = state;
    m.dir = dir;
    m.identity_ok = true;
    static struct bn_state scratch; /* parse() without flow state (tests, L2 misuse) */
    if (!m.st) {
        memset(&scratch, 0, sizeof scratch);
        m.st = &scratch;
    }
    uint8_t type = rd_u8(pdu), func = rd_u8(pdu);
    uint16_t len = rd_be16(pdu);
    if (!rd_ok(pdu) || type != 0x81 || len < 4) {
        if (type != 0x82) /* BACnet/IPv6 (Annex U) shares the port: not ours to judge */
            emit_malformed(c, "bacnet: bad BVLC header");
        return;
    }
    /* BVLC lengths that disagree with the datagram are a sender bug seen in the wild (the
     * ICSNPP traces); like Wireshark, read the datagram itself, which bounds everything.  The
     * probe, which must not misname flows, still insists on an exact length. */
    struct rd body = rd_rest(pdu);
    switch (func) {
    case 0x04: { /* Forwarded-NPDU: original B/IP address, then the NPDU */
        uint8_t ip[4];
        rd_bytes(&body, ip, 4);
        rd_be16(&body);
        const struct pkt *p = c->pkt;
        if (p && p->src.family == 4 && memcmp(p->src.b, ip, 4) != 0)
            m.identity_ok = false; /* a BBMD speaking for another host: not its identity */
        bn_npdu(&m, &body);
        break;
    }
    case 0x09:
    case 0x0a:
    case 0x0b:
        bn_npdu(&m, &body);
        break;
    default:
        bn_bvll_op(&m, func, &body);
        break;
    }
}

static bool probe(const struct rd *payload, uint8_t l4)
{
    if (l4 != L4_UDP || rd_peek_u8(payload, 0) != 0x81)
        return false;
    uint8_t func = rd_peek_u8(payload, 1);
    size_t len = rd_peek_be16(payload, 2);
    if (func > 0x0c || len != rd_left(payload) || len < 4)
        return false;
    if (func == 0x04)
        return len >= 12 && rd_peek_u8(payload, 10) == 1;
    if (func == 0x09 || func == 0x0a || func == 0x0b)
        return len >= 6 && rd_peek_u8(payload, 4) == 1 && (rd_peek_u8(payload, 5) & 0x50) == 0;
    return false; /* bare BVLL management messages are too short to tell */
}

const struct dissector dissector_bacnet = {
    .name = "bacnet",
    .proto = PROTO_BACNET,
    .udp_ports = {BACNET_PORT},
    .probe = probe,
    .state_size = sizeof(struct bn_state),
    .parse = parse,
};
