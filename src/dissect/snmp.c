/* snmp.c - SNMP v1 (RFC 1157), v2c (RFC 1901/3416) and v3 (RFC 3412/3414) on udp/161 and the
 * trap port udp/162.  Agents answer with their system group (sysDescr, sysName, ...), which is
 * identity about the responder.  A v1/v2c community is a password sent in clear: it becomes a
 * finding that carries only a SHA-256 prefix of it, and it is never copied anywhere else. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dissect/dissect.h"
#include "util/ber.h"
#include "util/sha256.h"
#include "util/str.h"

#define SNMP_PORT          161
#define SNMP_TRAP_PORT     162
#define SNMP_OID_MAX       160 /* dotted OID text kept */
#define SNMP_VB_MAX        64  /* varbinds looked at per PDU */
#define SNMP_COMMUNITY_MAX 255

/* message versions (RFC 3416 §3 / RFC 3412 §6) */
enum { SNMP_V1 = 0, SNMP_V2C = 1, SNMP_V3 = 3 };

/* PDU identifiers: context-specific constructed tags (RFC 1157 §4.1, RFC 3416 §3) */
enum {
    PDU_GET = 0xa0,
    PDU_GETNEXT = 0xa1,
    PDU_RESPONSE = 0xa2,
    PDU_SET = 0xa3,
    PDU_TRAP_V1 = 0xa4,
    PDU_GETBULK = 0xa5,
    PDU_INFORM = 0xa6,
    PDU_TRAP_V2 = 0xa7,
    PDU_REPORT = 0xa8,
};

/* SNMPv3 msgFlags (RFC 3412 §6.4) */
#define V3_AUTH 0x01
#define V3_PRIV 0x02

/* application types of a varbind value (RFC 2578 §7.1.12) */
#define APP_IPADDRESS 0x40


struct snmp_state {
    /* the last request, for an error in its response */
    uint8_t pending; /* 1 while a request waits */
    uint8_t pend_kind;
    int32_t pend_id;
    char pend_fn[32];
    char pend_target[SNMP_OID_MAX + 24];
    /* what was already reported in this flow */
    uint8_t community_said[8]; /* digest prefix of the last community reported */
    uint8_t community_done;
    uint8_t noauth_done;
};
_Static_assert(sizeof(struct snmp_state) <= DISSECT_STATE_MAX, "snmp state too large");

/* ---- names ---- */

static const struct {
    uint32_t number;
    const char *name;
} snmp_enterprises[] = {
#define E(n, s) {n, s},
#include "../../data/snmp_enterprises.inc"
#undef E
};

static const char *enterprise_name(uint32_t n)
{
    for (size_t i = 0; i < NELEM(snmp_enterprises); i++)
        if (snmp_enterprises[i].number == n)
            return snmp_enterprises[i].name;
    return NULL;
}

/* the system group, 1.3.6.1.2.1.1.N.0 (RFC 3418 §2) */
#define SYS_PREFIX "1.3.6.1.2.1.1."
static const char *const sys_names[] = {NULL,         "sysDescr", "sysObjectID", "sysUpTime",
                                        "sysContact", "sysName",  "sysLocation", "sysServices"};

/* "sysName.0" for 1.3.6.1.2.1.1.5.0; 0 for other OIDs */
static int sys_index(const char *oid)
{
    size_t n = strlen(SYS_PREFIX);
    if (strncmp(oid, SYS_PREFIX, n) != 0)
        return 0;
    const char *p = oid + n;
    if (p[0] < '1' || p[0] > '7' || strcmp(p + 1, ".0") != 0)
        return 0;
    return p[0] - '0';
}

static const char *pdu_name(uint8_t tag)
{
    switch (tag) {
    case PDU_GET:
        return "get-request";
    case PDU_GETNEXT:
        return "get-next-request";
    case PDU_RESPONSE:
        return "response";
    case PDU_SET:
        return "set-request";
    case PDU_TRAP_V1:
        return "trap";
    case PDU_GETBULK:
        return "get-bulk-request";
    case PDU_INFORM:
        return "inform-request";
    case PDU_TRAP_V2:
        return "snmpV2-trap";
    case PDU_REPORT:
        return "report";
    default:
        return NULL;
    }
}

/* error-status (RFC 3416 §3) */
static const char *error_name(int64_t e)
{
    static const char *const t[] = {"noError",
                                    "tooBig",
                                    "noSuchName",
                                    "badValue",
                                    "readOnly",
                                    "genErr",
                                    "noAccess",
                                    "wrongType",
                                    "wrongLength",
                                    "wrongEncoding",
                                    "wrongValue",
                                    "noCreation",
                                    "inconsistentValue",
                                    "resourceUnavailable",
                                    "commitFailed",
                                    "undoFailed",
                                    "authorizationError",
                                    "notWritable",
                                    "inconsistentName"};
    return e >= 0 && (uint64_t)e < NELEM(t) ? t[e] : "error";
}

/* who the agent is: the receiver of a request, the sender of anything else */
static enum obs_who agent_of(uint8_t pdu)
{
    switch (pdu) {
    case PDU_GET:
    case PDU_GETNEXT:
    case PDU_SET:
    case PDU_GETBULK:
        return WHO_DST;
    default:
        return WHO_SRC;
    }
}

/* ---- identity from a response's varbinds ---- */

/* "Siemens, SIMATIC NET, SCALANCE X208, 6GK5 208-0BA10-2AA3, HW: 7, FW: V4.03" - the sysDescr
 * layout of Siemens industrial devices: comma-separated, an order number (MLFB, "6XX9 ..."),
 * "HW:" and "FW:" items, each optionally spelled "HW: Version 1". */
static bool is_mlfb(const char *t)
{
    return t[0] == '6' && t[1] >= 'A' && t[1] <= 'Z' && t[2] >= 'A' && t[2] <= 'Z' && t[3] >= '0' &&
           t[3] <= '9' && t[4] == ' ' && strlen(t) >= 10;
}

static const char *after_label(const char *t, const char *label)
{
    size_t n = strlen(label);
    if (strncmp(t, label, n) != 0)
        return NULL;
    t += n;
    while (*t == ' ')
        t++;
    if (!strncmp(t, "Version ", 8))
        t += 8;
    return *t ? t : NULL;
}

/* sysDescr of switches and routers: product lines and words that name the function */
static bool network_descr(const char *descr)
{
    static const char *const marks[] = {"SCALANCE X", "SCALANCE M", "SCALANCE S", "RUGGEDCOM",
                                        "Cisco IOS", "switch", "Switch", "SWITCH", "router",
                                        "Router", "ROUTER", "Hirschmann", "Stratix"};
    for (size_t i = 0; i < NELEM(marks); i++)
        if (strstr(descr, marks[i]))
            return true;
    return false;
}

static void siemens_descr(struct pctx *c, enum obs_who who, const char *descr)
{
    static const char src[] = "snmp sysDescr";
    if (strncmp(descr, "Siemens, ", 9) != 0)
        return;
    char buf[256], prev[96] = "";
    str_copy(buf, sizeof buf, descr);
    bool found = false;
    for (char *tok = buf, *next; tok; tok = next) {
        next = strstr(tok, ", ");
        if (next) {
            *next = 0;
            next += 2;
        }
        const char *v;
        if (is_mlfb(tok)) {
            emit_attr(c, who, F_ORDER_NUMBER, tok, src);
            emit_attr(c, who, F_PRODUCT, prev, src);
            found = true;
        } else if ((v = after_label(tok, "HW:"))) {
            emit_attr_raw(c, who, F_HARDWARE, v, tok, src);
        } else if ((v = after_label(tok, "FW:"))) {
            char fw[48];
            /* "V.4.2.1" is V4.2.1 */
            str_fmt(fw, sizeof fw, "%s%s", v[0] == 'V' && v[1] == '.' ? "V" : "",
                     v[0] == 'V' && v[1] == '.' ? v + 2 : v);
            emit_attr_raw(c, who, F_FIRMWARE, fw, tok, src);
        }
        str_copy(prev, sizeof prev, tok);
    }
    if (found)
        emit_attr(c, who, F_VENDOR, "Siemens", src);
}

static void sys_object_id(struct pctx *c, enum obs_who who, const char *oid, const char *source)
{
    emit_attr(c, who, F_SYS_OBJECT_ID, oid, source);
    static const char ent[] = "1.3.6.1.4.1.";
    if (strncmp(oid, ent, sizeof ent - 1) != 0)
        return;
    char *end;
    unsigned long n = strtoul(oid + sizeof ent - 1, &end, 10);
    const char *name =
        (*end == '.' || !*end) && n <= UINT32_MAX ? enterprise_name((uint32_t)n) : NULL;
    char raw[24];
    str_fmt(raw, sizeof raw, "enterprise %lu", n);
    if (name)
        emit_attr_raw(c, who, F_VENDOR, name, raw, source);
}

/* one varbind of a response: system group values are identity of the agent */
static void response_varbind(struct pctx *c, const char *oid, uint8_t vtag, struct rd *val)
{
    static const char src[] = "snmp get-response";
    int idx = sys_index(oid);
    if (!idx)
        return;
    if (idx == 2) {
        char text[SNMP_OID_MAX];
        if (vtag == BER_OID && ber_oid_text(val, text, sizeof text))
            sys_object_id(c, WHO_SRC, text, src);
        return;
    }
    if (idx == 7) {
        /* sysServices (RFC 3418): bit 2 datalink/subnetwork, bit 3 internet, bit 7
         * applications.  A box that forwards but runs no applications is a switch or router. */
        int64_t svc;
        if (vtag == BER_INTEGER && ber_int(val, &svc) && svc > 0 && svc < 128 && (svc & 0x06) &&
            !(svc & 0x40))
            emit_role(c, WHO_SRC, "network-device", "snmp sysServices (bridge/router only)");
        return;
    }
    if (vtag != BER_OCTET_STRING)
        return;
    char text[256];
    rd_str(val, rd_left(val), text, sizeof text);
    switch (idx) {
    case 1:
        emit_attr(c, WHO_SRC, F_DESCRIPTION, text, src);
        siemens_descr(c, WHO_SRC, text);
        if (network_descr(text))
            emit_role(c, WHO_SRC, "network-device", "snmp sysDescr names a switch or router");
        break;
    case 4:
        emit_attr(c, WHO_SRC, F_CONTACT, text, src);
        break;
    case 5:
        emit_attr(c, WHO_SRC, F_NAME, text, src);
        break;
    case 6:
        emit_attr(c, WHO_SRC, F_LOCATION, text, src);
        break;
    default:
        break;
    }
}

/* "sysName.0 (1.3.6.1.2.1.1.5.0)" or the bare OID */
static void oid_label(const char *oid, char *dst, size_t n)
{
    int idx = sys_index(oid);
    if (idx)
        str_fmt(dst, n, "%s.0 (%s)", sys_names[idx], oid);
    else
        str_fmt(dst, n, "%s", oid);
}

/* walk the varbind list: the first OID as target, and identity from the values of a response
 * that reports no error (a failed set echoes what was asked, not what is).  False when the
 * list is malformed. */
static bool varbinds(struct pctx *c, struct rd *list, bool identity, char *first, size_t firstsz,
                     int *count)
{
    *count = 0;
    first[0] = 0;
    for (int i = 0; i < SNMP_VB_MAX && rd_left(list); i++) {
        struct rd vb, name, val;
        uint8_t vtag;
        char oid[SNMP_OID_MAX];
        if (!ber_expect(list, BER_SEQUENCE, &vb) || !ber_expect(&vb, BER_OID, &name) ||
            !ber_next(&vb, &vtag, &val))
            return false;
        if (!ber_oid_text(&name, oid, sizeof oid))
            return false;
        if (!*count)
            oid_label(oid, first, firstsz);
        ++*count;
        if (identity)
            response_varbind(c, oid, vtag, &val);
    }
    return true;
}

/* ---- operations ---- */

static void request_op(struct pctx *c, struct snmp_state *s, uint8_t pdu, int32_t id,
                       const char *first, int count)
{
    enum op_kind kind = pdu == PDU_SET ? OP_CONFIG_WRITE : OP_READ;
    char fn[32], target[SNMP_OID_MAX + 24];
    str_fmt(fn, sizeof fn, "%s", pdu_name(pdu));
    if (count > 1)
        str_fmt(target, sizeof target, "%s (+%d)", first, count - 1);
    else
        str_fmt(target, sizeof target, "%s", first);
    emit_op(c, kind, fn, target[0] ? target : NULL, NULL);
    if (!s)
        return;
    s->pending = 1;
    s->pend_kind = (uint8_t)kind;
    s->pend_id = id;
    str_copy(s->pend_fn, sizeof s->pend_fn, fn);
    str_copy(s->pend_target, sizeof s->pend_target, target);
}

static void response_error(struct pctx *c, struct snmp_state *s, int32_t id, int64_t err,
                           int64_t index)
{
    if (!s || !s->pending || s->pend_id != id)
        return;
    s->pending = 0;
    if (err == 0)
        return;
    char res[64];
    str_fmt(res, sizeof res, "%s (%lld) at varbind %lld", error_name(err), (long long)err,
             (long long)index);
    emit_op(c, (enum op_kind)s->pend_kind, s->pend_fn, s->pend_target[0] ? s->pend_target : NULL,
            res);
}

/* ---- PDUs ---- */

static void parse_pdu(struct pctx *c, struct snmp_state *s, uint8_t pdu, struct rd *body)
{
    char first[SNMP_OID_MAX + 24];
    int count;
    struct rd list;
    if (pdu == PDU_TRAP_V1) {
        /* enterprise, agent-addr, generic-trap, specific-trap, time-stamp (RFC 1157 §4.1.6) */
        struct rd ent, addr, gen, spec, ts;
        uint8_t at, tt;
        if (!ber_expect(body, BER_OID, &ent) || !ber_next(body, &at, &addr) ||
            !ber_expect(body, BER_INTEGER, &gen) || !ber_expect(body, BER_INTEGER, &spec) ||
            !ber_next(body, &tt, &ts) || !ber_expect(body, BER_SEQUENCE, &list) ||
            !varbinds(c, &list, false, first, sizeof first, &count)) {
            emit_malformed(c, "snmp: bad trap");
            return;
        }
        return;
    }
    struct rd rid, es, ei;
    int64_t id = 0, err = 0, idx = 0;
    if (!ber_expect(body, BER_INTEGER, &rid) || !ber_int(&rid, &id) ||
        !ber_expect(body, BER_INTEGER, &es) || !ber_int(&es, &err) ||
        !ber_expect(body, BER_INTEGER, &ei) || !ber_int(&ei, &idx) ||
        !ber_expect(body, BER_SEQUENCE, &list) ||
        !varbinds(c, &list, pdu == PDU_RESPONSE && err == 0, first, sizeof first, &count)) {
        emit_malformed(c, "snmp: bad pdu");
        return;
    }
    switch (pdu) {
    case PDU_GET:
    case PDU_GETNEXT:
    case PDU_GETBULK:
    case PDU_SET:
        if (count) /* an empty get is a v3 engine discovery probe (RFC 3414 §4) */
            request_op(c, s, pdu, (int32_t)id, first, count);
        break;
    case PDU_RESPONSE:
        response_error(c, s, (int32_t)id, err, idx);
        break;
    default:
        break;
    }
}

/* the scoped PDU or a v1/v2c PDU: one context-tagged element */
static void pdu_element(struct pctx *c, struct snmp_state *s, struct rd *r)
{
    uint8_t tag;
    struct rd body;
    if (!ber_next(r, &tag, &body) || !pdu_name(tag)) {
        emit_malformed(c, "snmp: bad pdu header");
        return;
    }
    parse_pdu(c, s, tag, &body);
}

/* the PDU type without parsing it (for who the agent is) */
static uint8_t peek_pdu(const struct rd *r)
{
    return rd_peek_u8(r, 0);
}

static void community_finding(struct pctx *c, struct snmp_state *s, int version, uint8_t pdu,
                              struct rd *comm)
{
    size_t n = rd_left(comm);
    uint8_t secret[SNMP_COMMUNITY_MAX];
    if (n == 0 || n > sizeof secret)
        return;
    rd_bytes(comm, secret, n);
    uint8_t d[32];
    struct sha256_ctx h;
    sha256_init(&h);
    sha256_update(&h, secret, n);
    sha256_final(&h, d);
    /* the two communities every agent ships with */
    bool dflt =
        (n == 6 && !memcmp(secret, "public", 6)) || (n == 7 && !memcmp(secret, "private", 7));
    memset(secret, 0, sizeof secret);
    if (s && s->community_done && !memcmp(s->community_said, d, sizeof s->community_said))
        return;
    if (s) {
        memcpy(s->community_said, d, sizeof s->community_said);
        s->community_done = 1;
    }
    char detail[96];
    int w = str_fmt(detail, sizeof detail,
                     "snmp %s community sha256:", version == SNMP_V1 ? "v1" : "v2c");
    for (int i = 0; i < 8 && w > 0 && (size_t)w + 2 < sizeof detail; i++, w += 2)
        str_fmt(detail + w, sizeof detail - (size_t)w, "%02x", d[i]);
    if (dflt)
        str_fmt(detail + w, sizeof detail - (size_t)w, " (a well-known default)");
    emit_finding(c, agent_of(pdu), "cleartext-credentials", detail);
}

static void parse_v1v2c(struct pctx *c, struct snmp_state *s, int version, struct rd *msg)
{
    struct rd comm;
    if (!ber_expect(msg, BER_OCTET_STRING, &comm)) {
        emit_malformed(c, "snmp: bad community");
        return;
    }
    uint8_t pdu = peek_pdu(msg);
    community_finding(c, s, version, pdu, &comm);
    pdu_element(c, s, msg);
}

/* SNMPv3 engine id (RFC 3411 §5 SnmpEngineID): 4 octets enterprise with the top bit set in the
 * new format, then a format octet and data; the enterprise names the agent's vendor */
static void engine_id(struct pctx *c, struct rd *eid)
{
    size_t n = rd_left(eid);
    if (n < 5 || n > 32)
        return;
    uint8_t b[32];
    rd_bytes(eid, b, n);
    char hex[65];
    for (size_t i = 0; i < n; i++)
        str_fmt(hex + 2 * i, 3, "%02x", b[i]);
    static const char src[] = "snmp v3 engine id";
    emit_attr(c, WHO_SRC, F_SNMP_ENGINE_ID, hex, src);
    uint32_t ent =
        ((uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3]) & 0x7fffffff;
    const char *name = enterprise_name(ent);
    if (name) {
        char raw[24];
        str_fmt(raw, sizeof raw, "enterprise %u", ent);
        emit_attr_raw(c, WHO_SRC, F_VENDOR, name, raw, src);
    }
}

static void parse_v3(struct pctx *c, struct snmp_state *s, struct rd *msg)
{
    /* msgGlobalData, msgSecurityParameters, msgData (RFC 3412 §6) */
    struct rd global, mid, msize, mflags, mmodel, secp, usm;
    int64_t model = 0;
    if (!ber_expect(msg, BER_SEQUENCE, &global) || !ber_expect(&global, BER_INTEGER, &mid) ||
        !ber_expect(&global, BER_INTEGER, &msize) ||
        !ber_expect(&global, BER_OCTET_STRING, &mflags) ||
        !ber_expect(&global, BER_INTEGER, &mmodel) || !ber_int(&mmodel, &model) ||
        rd_left(&mflags) != 1 || !ber_expect(msg, BER_OCTET_STRING, &secp)) {
        emit_malformed(c, "snmp: bad v3 header");
        return;
    }
    uint8_t flags = rd_u8(&mflags);
    struct rd eid, boots, etime, uname, authp, privp;
    bool usm_ok =
        model == 3 && ber_expect(&secp, BER_SEQUENCE, &usm) &&
        ber_expect(&usm, BER_OCTET_STRING, &eid) && ber_expect(&usm, BER_INTEGER, &boots) &&
        ber_expect(&usm, BER_INTEGER, &etime) && ber_expect(&usm, BER_OCTET_STRING, &uname) &&
        ber_expect(&usm, BER_OCTET_STRING, &authp) && ber_expect(&usm, BER_OCTET_STRING, &privp);
    if (model == 3 && !usm_ok) {
        emit_malformed(c, "snmp: bad usm parameters");
        return;
    }
    bool has_user = usm_ok && rd_left(&uname) > 0;
    if (flags & V3_PRIV) {
        /* encrypted scoped PDU: nothing more to read; the engine id is still in clear and is
         * the sender's when it answers from 161 or sends a notification to 162 */
        if (usm_ok && (c->pkt->sport == SNMP_PORT || c->pkt->dport == SNMP_TRAP_PORT))
            engine_id(c, &eid);
        return;
    }
    struct rd scoped, ctx_engine, ctx_name;
    if (!ber_expect(msg, BER_SEQUENCE, &scoped) ||
        !ber_expect(&scoped, BER_OCTET_STRING, &ctx_engine) ||
        !ber_expect(&scoped, BER_OCTET_STRING, &ctx_name)) {
        emit_malformed(c, "snmp: bad scoped pdu");
        return;
    }
    uint8_t pdu = peek_pdu(&scoped);
    /* the authoritative engine is the agent that answers, reports or sends a trap */
    if (usm_ok && agent_of(pdu) == WHO_SRC && pdu != PDU_INFORM)
        engine_id(c, &eid);
    /* a discovery probe (no user, RFC 3414 §4) is normal; a real request without auth is not */
    if (has_user && !(flags & V3_AUTH) && s && !s->noauth_done) {
        s->noauth_done = 1;
        emit_finding(c, agent_of(pdu), "insecure-protocol",
                     "snmp v3 noAuthNoPriv (user name present, no authentication)");
    }
    pdu_element(c, s, &scoped);
}

static void parse(struct pctx *c, void *state, int dir, struct rd *pdu)
{
    (void)dir;
    struct snmp_state *s = state;
    struct rd msg, ver;
    int64_t version = -1;
    if (!ber_expect(pdu, BER_SEQUENCE, &msg) || !ber_expect(&msg, BER_INTEGER, &ver) ||
        !ber_int(&ver, &version)) {
        emit_malformed(c, "snmp: not an snmp message");
        return;
    }
    switch (version) {
    case SNMP_V1:
    case SNMP_V2C:
        parse_v1v2c(c, s, (int)version, &msg);
        break;
    case SNMP_V3:
        parse_v3(c, s, &msg);
        break;
    default:
        emit_malformed(c, "snmp: unknown version");
        break;
    }
}

/* a datagram that is one BER SEQUENCE spanning it exactly, holding version 0, 1 or 3 and, for
 * v1/v2c, a community string */
static bool probe(const struct rd *payload, uint8_t l4)
{
    if (l4 != L4_UDP)
        return false;
    struct rd r = *payload, msg, ver;
    int64_t v = -1;
    if (!ber_expect(&r, BER_SEQUENCE, &msg) || rd_left(&r) != 0 ||
        !ber_expect(&msg, BER_INTEGER, &ver) || rd_left(&ver) != 1 || !ber_int(&ver, &v))
        return false;
    if (v == SNMP_V3)
        return rd_peek_u8(&msg, 0) == BER_SEQUENCE;
    struct rd comm;
    return (v == SNMP_V1 || v == SNMP_V2C) && ber_expect(&msg, BER_OCTET_STRING, &comm) &&
           pdu_name(rd_peek_u8(&msg, 0)) != NULL;
}

const struct dissector dissector_snmp = {
    .name = "snmp",
    .proto = PROTO_SNMP,
    .udp_ports = {SNMP_PORT, SNMP_TRAP_PORT},
    .probe = probe,
    .state_size = sizeof(struct snmp_state),
    .parse = parse,
};
