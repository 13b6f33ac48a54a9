/* opcua.c - OPC UA binary (IEC 62541-6: UA TCP §7.1, UA Secure Conversation §6.7, binary encoding
 * §5.2) on tcp/4840 and by probe elsewhere.  One PDU is one message chunk: only the first chunk
 * of a message carries the service NodeId, so continuation chunks are skipped.  A channel whose
 * SecurityPolicy is not #None is parsed only where a chunk visibly starts with a known service id
 * (Sign-only); encrypted bodies are never touched.  All decoding is depth- and count-bounded.
 * Server identity comes from discovery (GetEndpoints, FindServers, CreateSession), and vendor,
 * product and version from a client's Read of the Server object's BuildInfo nodes. */
#include <stdio.h>
#include <string.h>

#include "dissect/dissect.h"
#include "util/str.h"
#include "util/x509.h"

#define OPCUA_PORT 4840
#define UA_MAX_CHUNK (16u << 20) /* far above any negotiated chunk size */
#define UA_MAX_DEPTH 4           /* Variant / DataValue / DiagnosticInfo nesting */
#define UA_MAX_ITEMS 64          /* array elements looked at one by one */
#define UA_MAX_OPS 8             /* ops emitted per Write/Call request */
#define UA_PENDING 3             /* requests remembered for error matching */
#define UA_MAX_POLICIES 8

/* encoding NodeIds (ns=0) of the services read here, Part 6 Annex A / NodeIds.csv */
enum {
    UA_SERVICE_FAULT = 397,
    UA_FIND_SERVERS_REQ = 422,
    UA_FIND_SERVERS_RESP = 425,
    UA_GET_ENDPOINTS_REQ = 428,
    UA_GET_ENDPOINTS_RESP = 431,
    UA_REGISTER_SERVER_REQ = 437,
    UA_OPEN_CHANNEL_REQ = 446,
    UA_OPEN_CHANNEL_RESP = 449,
    UA_CREATE_SESSION_REQ = 461,
    UA_CREATE_SESSION_RESP = 464,
    UA_ACTIVATE_SESSION_REQ = 467,
    UA_ADD_NODES_REQ = 488,
    UA_ADD_REFS_REQ = 494,
    UA_DELETE_NODES_REQ = 500,
    UA_DELETE_REFS_REQ = 506,
    UA_READ_REQ = 631,
    UA_READ_RESP = 634,
    UA_HISTORY_READ_REQ = 664,
    UA_WRITE_REQ = 673,
    UA_WRITE_RESP = 676,
    UA_HISTORY_UPDATE_REQ = 700,
    UA_CALL_REQ = 712,
    UA_CALL_RESP = 715,
    UA_REGISTER_SERVER2_REQ = 12211,
};
/* UserIdentityToken encodings (Part 4 §7.36) */
enum {
    UA_TOKEN_ANONYMOUS = 321,
    UA_TOKEN_USERNAME = 324,
    UA_TOKEN_X509 = 327,
    UA_TOKEN_ISSUED = 940,
};

/* every binary request/response encoding id pair of Part 4 (the secured-channel check) */
static const uint16_t ua_services[][2] = {
    {422, 425}, {428, 431}, {437, 440}, {446, 449}, {452, 455}, {461, 464}, {467, 470},
    {473, 476}, {479, 482}, {488, 491}, {494, 497}, {500, 503}, {506, 509}, {527, 530},
    {533, 536}, {554, 557}, {560, 563}, {566, 569}, {615, 618}, {621, 624}, {631, 634},
    {664, 667}, {673, 676}, {700, 703}, {712, 715}, {751, 754}, {763, 766}, {769, 772},
    {775, 778}, {781, 784}, {787, 790}, {793, 796}, {799, 802}, {826, 829}, {832, 835},
    {841, 844}, {847, 850}, {12208, 12209}, {12211, 12212},
};


/* 1 request, 2 response (ServiceFault included), 0 unknown */
static int ua_service_kind(uint32_t id)
{
    if (id == UA_SERVICE_FAULT)
        return 2;
    for (size_t i = 0; i < NELEM(ua_services); i++)
        for (int k = 0; k < 2; k++)
            if (ua_services[i][k] == id)
                return k + 1;
    return 0;
}

struct ua_status_name {
    uint32_t code;
    const char *name;
};
/* Part 4 §7.34 / StatusCode.csv: the codes an operator would want spelled out */
static const struct ua_status_name ua_status_names[] = {
    {0x80010000, "BadUnexpectedError"},     {0x80020000, "BadInternalError"},
    {0x800A0000, "BadTimeout"},             {0x800B0000, "BadServiceUnsupported"},
    {0x800F0000, "BadNothingToDo"},         {0x80100000, "BadTooManyOperations"},
    {0x80130000, "BadSecurityChecksFailed"}, {0x801F0000, "BadUserAccessDenied"},
    {0x80200000, "BadIdentityTokenInvalid"}, {0x80210000, "BadIdentityTokenRejected"},
    {0x80250000, "BadSessionIdInvalid"},    {0x80260000, "BadSessionClosed"},
    {0x80270000, "BadSessionNotActivated"}, {0x80330000, "BadNodeIdInvalid"},
    {0x80340000, "BadNodeIdUnknown"},       {0x80350000, "BadAttributeIdInvalid"},
    {0x80360000, "BadIndexRangeInvalid"},   {0x803A0000, "BadNotReadable"},
    {0x803B0000, "BadNotWritable"},         {0x803C0000, "BadOutOfRange"},
    {0x803D0000, "BadNotSupported"},        {0x803E0000, "BadNotFound"},
    {0x80400000, "BadNotImplemented"},      {0x80550000, "BadSecurityPolicyRejected"},
    {0x80540000, "BadSecurityModeRejected"}, {0x80570000, "BadUserSignatureInvalid"},
    {0x805B0000, "BadParentNodeIdInvalid"}, {0x805E0000, "BadNodeIdExists"},
    {0x80690000, "BadNoDeleteRights"},      {0x80730000, "BadWriteNotSupported"},
    {0x80740000, "BadTypeMismatch"},        {0x80750000, "BadMethodInvalid"},
    {0x80760000, "BadArgumentsMissing"},    {0x80AB0000, "BadInvalidArgument"},
    {0x80AF0000, "BadInvalidState"},        {0x80E50000, "BadTooManyArguments"},
    {0x80E60000, "BadSecurityModeInsufficient"}, {0x81110000, "BadNotExecutable"},
};

static void ua_status_text(char *dst, size_t n, uint32_t code)
{
    for (size_t i = 0; i < NELEM(ua_status_names); i++) {
        if (ua_status_names[i].code == (code & 0xffff0000u)) {
            str_fmt(dst, n, "%s (0x%08x)", ua_status_names[i].name, code);
            return;
        }
    }
    str_fmt(dst, n, "status 0x%08x", code);
}

static bool ua_bad(uint32_t status)
{
    return (status & 0x80000000u) != 0; /* severity Bad (Part 4 §7.34.1) */
}

static const char *const ua_attributes[] = {
    "?", "NodeId", "NodeClass", "BrowseName", "DisplayName", "Description", "WriteMask",
    "UserWriteMask", "IsAbstract", "Symmetric", "InverseName", "ContainsNoLoops",
    "EventNotifier", "Value", "DataType", "ValueRank", "ArrayDimensions", "AccessLevel",
    "UserAccessLevel", "MinimumSamplingInterval", "Historizing", "Executable", "UserExecutable",
    "DataTypeDefinition", "RolePermissions", "UserRolePermissions", "AccessRestrictions",
    "AccessLevelEx",
};
#define UA_ATTR_VALUE 13

static const char *const ua_modes[] = {"Invalid", "None", "Sign", "SignAndEncrypt"};

/* ---- per-flow state ---- */

enum { UA_POLICY_UNKNOWN, UA_POLICY_NONE, UA_POLICY_SECURED };

struct ua_pending {
    bool used;
    uint32_t req_id;
    uint8_t kind;
    char function[32];
    char target[96];
};

/* a Read of Server object nodes (BuildInfo, Part 5 §12.4) waiting for its response */
#define UA_READ_IDS 6
struct ua_read_ids {
    bool used;
    uint8_t n;
    uint32_t req_id;
    uint16_t ids[UA_READ_IDS]; /* ns=0 numeric node of item i with attribute Value, else 0 */
};

struct ua_state {
    uint8_t policy;          /* of the flow's secure channel */
    uint8_t next_read;
    struct ua_read_ids reads[2];
    bool cont[2];            /* direction d is inside a multi-chunk message */
    uint32_t cont_req[2];    /* ... with this RequestId */
    bool insecure_reported;
    bool cert_reported[2];   /* certificate subject emitted for the sender of direction d */
    uint8_t next;
    struct ua_pending pending[UA_PENDING];
};

struct ua_msg {
    struct pctx *c;
    struct ua_state *st;
    int dir;
    uint32_t req_id;
    bool quiet; /* secured channel or a cut chunk: do not call running out malformed */
};

/* ---- built-in types (Part 6 §5.2.2) ---- */

static int32_t ua_i32(struct rd *r)
{
    return (int32_t)rd_le32(r);
}

/* a String/ByteString length: -1 (null) -> 0; anything beyond the data is an error */
static uint32_t ua_len(struct rd *r)
{
    int32_t n = ua_i32(r);
    if (n == -1)
        return 0;
    if (n < 0 || (size_t)n > rd_left(r)) {
        rd_fail(r);
        return 0;
    }
    return (uint32_t)n;
}

static size_t ua_string(struct rd *r, char *dst, size_t n)
{
    uint32_t len = ua_len(r);
    if (!rd_ok(r)) {
        dst[0] = '\0';
        return 0;
    }
    return rd_str(r, len, dst, n);
}

static void ua_skip_string(struct rd *r)
{
    rd_skip(r, ua_len(r));
}

/* an array length: null -> 0.  Every element takes at least one byte, so the count is clamped
 * to the bytes left: loops stay bounded, and a chunk cut mid-array still yields its first
 * elements (a lying count then fails on the element that is not there). */
static uint32_t ua_count(struct rd *r)
{
    int32_t n = ua_i32(r);
    if (n == -1 || !rd_ok(r))
        return 0;
    if (n < 0) {
        rd_fail(r);
        return 0;
    }
    return (size_t)n > rd_left(r) ? (uint32_t)rd_left(r) + 1 : (uint32_t)n;
}

static void ua_skip_string_array(struct rd *r)
{
    uint32_t n = ua_count(r);
    for (uint32_t i = 0; i < n && rd_ok(r); i++)
        ua_skip_string(r);
}

static void ua_guid_text(struct rd *r, char *dst, size_t n)
{
    uint32_t d1 = rd_le32(r);
    uint16_t d2 = rd_le16(r), d3 = rd_le16(r);
    uint8_t d4[8];
    rd_bytes(r, d4, 8);
    str_fmt(dst, n, "%08x-%04x-%04x-%02x%02x-%02x%02x%02x%02x%02x%02x", d1, d2, d3, d4[0],
             d4[1], d4[2], d4[3], d4[4], d4[5], d4[6], d4[7]);
}

/* NodeId / ExpandedNodeId (§5.2.2.9-10) as "ns=2;s=Name"; *num gets a ns=0 numeric id or 0 */
static bool ua_nodeid(struct rd *r, char *dst, size_t n, uint32_t *num, bool expanded)
{
    uint8_t enc = rd_u8(r);
    uint32_t ns = 0, id = 0;
    char idtext[160] = "", nsu[96] = "";
    switch (enc & 0x3f) {
    case 0:
        id = rd_u8(r);
        break;
    case 1:
        ns = rd_u8(r);
        id = rd_le16(r);
        break;
    case 2:
        ns = rd_le16(r);
        id = rd_le32(r);
        break;
    case 3:
        ns = rd_le16(r);
        if (dst)
            ua_string(r, idtext, sizeof idtext);
        else
            ua_skip_string(r);
        break;
    case 4:
        ns = rd_le16(r);
        if (dst)
            ua_guid_text(r, idtext, sizeof idtext);
        else
            rd_skip(r, 16);
        break;
    case 5: {
        ns = rd_le16(r);
        uint32_t len = ua_len(r);
        rd_skip(r, len);
        if (dst) /* skipping (an authentication token) formats nothing */
            str_fmt(idtext, sizeof idtext, "(%u octets)", len);
        break;
    }
    default:
        rd_fail(r);
        break;
    }
    if (expanded && (enc & 0x80)) {
        if (dst)
            ua_string(r, nsu, sizeof nsu);
        else
            ua_skip_string(r);
    }
    if (expanded && (enc & 0x40))
        rd_le32(r); /* server index */
    if (num)
        *num = (ns == 0 && (enc & 0x3f) <= 2) ? id : 0;
    if (!rd_ok(r))
        return false;
    if (dst && n) {
        char pre[112] = "";
        if (nsu[0])
            str_fmt(pre, sizeof pre, "nsu=%s;", nsu);
        else if (ns)
            str_fmt(pre, sizeof pre, "ns=%u;", ns);
        char kind = "iiisgb"[(enc & 0x3f) < 6 ? (enc & 0x3f) : 0];
        if ((enc & 0x3f) <= 2)
            str_fmt(dst, n, "%si=%u", pre, id);
        else
            str_fmt(dst, n, "%s%c=%s", pre, kind, idtext);
    }
    return true;
}

static bool ua_skip_nodeid(struct rd *r, bool expanded)
{
    return ua_nodeid(r, NULL, 0, NULL, expanded);
}

/* ExtensionObject (§5.2.2.15): type id and, for a binary body, the body as a sub-cursor */
static bool ua_extobj(struct rd *r, uint32_t *type, struct rd *body)
{
    *body = rd_init(NULL, 0);
    if (!ua_nodeid(r, NULL, 0, type, false))
        return false;
    uint8_t enc = rd_u8(r);
    if (enc == 1 || enc == 2) {
        uint32_t len = ua_len(r);
        *body = rd_sub(r, len);
    } else if (enc != 0) {
        rd_fail(r);
    }
    return rd_ok(r);
}

static bool ua_skip_extobj(struct rd *r)
{
    uint32_t type;
    struct rd body;
    return ua_extobj(r, &type, &body);
}

static bool ua_skip_diag(struct rd *r, int depth)
{
    if (depth > UA_MAX_DEPTH) {
        rd_fail(r);
        return false;
    }
    uint8_t mask = rd_u8(r);
    for (int bit = 0; bit < 4; bit++) /* SymbolicId, NamespaceUri, LocalizedText, Locale */
        if (mask & (1u << bit))
            rd_skip(r, 4);
    if (mask & 0x10)
        ua_skip_string(r); /* AdditionalInfo */
    if (mask & 0x20)
        rd_skip(r, 4); /* InnerStatusCode */
    if (mask & 0x40)
        ua_skip_diag(r, depth + 1);
    return rd_ok(r);
}

static void ua_localized_text(struct rd *r, char *dst, size_t n)
{
    uint8_t mask = rd_u8(r);
    dst[0] = '\0';
    if (mask & 0x01)
        ua_skip_string(r); /* locale */
    if (mask & 0x02)
        ua_string(r, dst, n);
}

static void ua_qualified_name(struct rd *r, char *dst, size_t n)
{
    rd_le16(r);
    ua_string(r, dst, n);
}

static bool ua_variant(struct rd *r, int depth, char *text, size_t n);

static bool ua_datavalue(struct rd *r, int depth, char *text, size_t n)
{
    uint8_t mask = rd_u8(r);
    if (text && n)
        text[0] = '\0';
    if (mask & 0x01)
        ua_variant(r, depth + 1, text, n);
    if (mask & 0x02)
        rd_skip(r, 4); /* status */
    if (mask & 0x04)
        rd_skip(r, 8); /* source timestamp */
    if (mask & 0x10)
        rd_skip(r, 2); /* source picoseconds */
    if (mask & 0x08)
        rd_skip(r, 8); /* server timestamp */
    if (mask & 0x20)
        rd_skip(r, 2); /* server picoseconds */
    return rd_ok(r);
}

/* octets of the fixed-size built-in types, 0 for variable ones (§5.1.2 table 1) */
static const uint8_t ua_fixed[26] = {
    [1] = 1, [2] = 1, [3] = 1, [4] = 2, [5] = 2, [6] = 4, [7] = 4, [8] = 8,
    [9] = 8, [10] = 4, [11] = 8, [13] = 8, [14] = 16, [19] = 4,
};

/* one scalar of built-in type t; text gets a short rendering when not NULL */
static bool ua_scalar(struct rd *r, uint8_t t, int depth, char *text, size_t n)
{
    char buf[64];
    switch (t) {
    case 0:
        if (text)
            str_fmt(text, n, "null");
        return true;
    case 1:
        if (text)
            str_copy(text, n, rd_u8(r) ? "true" : "false");
        else
            rd_u8(r);
        break;
    case 2:
        if (text)
            str_fmt(text, n, "%d", (int8_t)rd_u8(r));
        else
            rd_u8(r);
        break;
    case 3:
        if (text)
            str_fmt(text, n, "%u", rd_u8(r));
        else
            rd_u8(r);
        break;
    case 4:
        if (text)
            str_fmt(text, n, "%d", (int16_t)rd_le16(r));
        else
            rd_le16(r);
        break;
    case 5:
        if (text)
            str_fmt(text, n, "%u", rd_le16(r));
        else
            rd_le16(r);
        break;
    case 6:
        if (text)
            str_fmt(text, n, "%d", ua_i32(r));
        else
            rd_le32(r);
        break;
    case 7:
        if (text)
            str_fmt(text, n, "%u", rd_le32(r));
        else
            rd_le32(r);
        break;
    case 8:
        if (text)
            str_fmt(text, n, "%lld", (long long)rd_le64(r));
        else
            rd_le64(r);
        break;
    case 9:
        if (text)
            str_fmt(text, n, "%llu", (unsigned long long)rd_le64(r));
        else
            rd_le64(r);
        break;
    case 10: {
        uint32_t b = rd_le32(r);
        float f;
        memcpy(&f, &b, sizeof f);
        if (text)
            str_fmt(text, n, "%g", (double)f);
        break;
    }
    case 11: {
        uint64_t b = rd_le64(r);
        double d;
        memcpy(&d, &b, sizeof d);
        if (text)
            str_fmt(text, n, "%g", d);
        break;
    }
    case 12:
        ua_string(r, buf, sizeof buf);
        if (text)
            str_fmt(text, n, "'%s'", buf);
        break;
    case 15:
    case 16: {
        uint32_t len = ua_len(r);
        rd_skip(r, len);
        if (text)
            str_fmt(text, n, "(%u octets)", len);
        break;
    }
    case 17:
    case 18:
        ua_nodeid(r, text, text ? n : 0, NULL, t == 18);
        break;
    case 20:
        ua_qualified_name(r, buf, sizeof buf);
        if (text)
            str_fmt(text, n, "'%s'", buf);
        break;
    case 21:
        ua_localized_text(r, buf, sizeof buf);
        if (text)
            str_fmt(text, n, "'%s'", buf);
        break;
    case 22:
        ua_skip_extobj(r);
        if (text)
            str_fmt(text, n, "(structure)");
        break;
    case 23:
        ua_datavalue(r, depth + 1, text, n);
        break;
    case 24:
        ua_variant(r, depth + 1, text, n);
        break;
    case 25:
        ua_skip_diag(r, depth + 1);
        break;
    default:
        if (t < NELEM(ua_fixed) && ua_fixed[t]) {
            rd_skip(r, ua_fixed[t]);
            if (text)
                str_fmt(text, n, "(type %u)", t);
        } else {
            rd_fail(r);
        }
        break;
    }
    return rd_ok(r);
}

/* Variant (§5.2.2.16), arrays walked at most as far as the bytes go */
static bool ua_variant(struct rd *r, int depth, char *text, size_t n)
{
    if (depth > UA_MAX_DEPTH) {
        rd_fail(r);
        return false;
    }
    uint8_t mask = rd_u8(r), t = mask & 0x3f;
    if (t > 25) {
        rd_fail(r);
        return false;
    }
    if (!(mask & 0x80))
        return ua_scalar(r, t, depth, text, n);
    uint32_t count = ua_count(r);
    if (t < NELEM(ua_fixed) && ua_fixed[t]) {
        if ((uint64_t)count * ua_fixed[t] > rd_left(r))
            rd_fail(r);
        else
            rd_skip(r, (size_t)count * ua_fixed[t]);
    } else if (t != 0) {
        for (uint32_t i = 0; i < count && rd_ok(r); i++)
            ua_scalar(r, t, depth, NULL, 0);
    }
    if (mask & 0x40) { /* array dimensions */
        uint32_t dims = ua_count(r);
        if ((uint64_t)dims * 4 > rd_left(r))
            rd_fail(r);
        else
            rd_skip(r, (size_t)dims * 4);
    }
    if (text)
        str_fmt(text, n, "[%u elements]", count);
    return rd_ok(r);
}

static void ua_skip_request_header(struct rd *r)
{
    ua_skip_nodeid(r, false); /* authentication token */
    rd_skip(r, 8 + 4 + 4);    /* timestamp, request handle, return diagnostics */
    ua_skip_string(r);        /* audit entry id */
    rd_skip(r, 4);            /* timeout hint */
    ua_skip_extobj(r);
}

static uint32_t ua_response_header(struct rd *r)
{
    rd_skip(r, 8 + 4); /* timestamp, request handle */
    uint32_t status = rd_le32(r);
    ua_skip_diag(r, 0);
    ua_skip_string_array(r);
    ua_skip_extobj(r);
    return status;
}

/* ---- certificates: the subject, read by util/x509 ---- */

static void ua_certificate(struct ua_msg *m, struct rd cert, enum obs_who who, const char *source)
{
    if (rd_left(&cert) == 0)
        return;
    bool src = who == WHO_SRC;
    int d = src ? (m->dir & 1) : !(m->dir & 1);
    if (m->st->cert_reported[d])
        return;
    struct x509_info x;
    if (!x509_parse(&cert, &x) || !x.subject[0])
        return;
    m->st->cert_reported[d] = true;
    emit_attrf(m->c, who, F_DESCRIPTION, source, "cert subject %s", x.subject);
}

/* ---- emit helpers ---- */

static void ua_insecure(struct ua_msg *m, enum obs_who server, const char *detail)
{
    if (m->st->insecure_reported)
        return;
    m->st->insecure_reported = true;
    emit_finding(m->c, server, "insecure-protocol", detail);
}

static bool ua_policy_is_none(const char *uri)
{
    const char *hash = strrchr(uri, '#');
    return hash && strcmp(hash + 1, "None") == 0;
}

static void ua_remember(struct ua_msg *m, enum op_kind kind, const char *function,
                        const char *target)
{
    struct ua_pending *p = &m->st->pending[m->st->next % UA_PENDING];
    m->st->next = (uint8_t)((m->st->next + 1) % UA_PENDING);
    p->used = true;
    p->req_id = m->req_id;
    p->kind = (uint8_t)kind;
    str_copy(p->function, sizeof p->function, function);
    str_copy(p->target, sizeof p->target, target ? target : "");
}

static void ua_op(struct ua_msg *m, enum op_kind kind, const char *function, const char *target,
                  bool remember)
{
    emit_op(m->c, kind, function, target && target[0] ? target : NULL, NULL);
    if (remember)
        ua_remember(m, kind, function, target);
}

static void ua_answer(struct ua_msg *m, uint32_t status)
{
    for (int i = 0; i < UA_PENDING; i++) {
        struct ua_pending *p = &m->st->pending[i];
        if (!p->used || p->req_id != m->req_id)
            continue;
        p->used = false;
        if (ua_bad(status)) {
            char result[96];
            ua_status_text(result, sizeof result, status);
            emit_op(m->c, (enum op_kind)p->kind, p->function, p->target[0] ? p->target : NULL,
                    result);
        }
        return;
    }
}

/* ---- discovery structures (Part 4 §7.1 ApplicationDescription, §7.10 EndpointDescription) */

struct ua_app {
    char uri[256], product[256], name[128], url[256];
    uint32_t type; /* 0 server, 1 client, 2 client and server, 3 discovery server */
};

static bool ua_app_description(struct rd *r, struct ua_app *a)
{
    memset(a, 0, sizeof *a);
    ua_string(r, a->uri, sizeof a->uri);
    ua_string(r, a->product, sizeof a->product);
    ua_localized_text(r, a->name, sizeof a->name);
    a->type = rd_le32(r);
    ua_skip_string(r); /* gateway server uri */
    ua_skip_string(r); /* discovery profile uri */
    uint32_t n = ua_count(r);
    for (uint32_t i = 0; i < n && rd_ok(r); i++) {
        if (i == 0)
            ua_string(r, a->url, sizeof a->url);
        else
            ua_skip_string(r);
    }
    return rd_ok(r);
}

static void ua_emit_app(struct ua_msg *m, const struct ua_app *a, enum obs_who who,
                        const char *source)
{
    emit_attr(m->c, who, F_APPLICATION_URI, a->uri, source);
    emit_attr(m->c, who, F_PRODUCT_URI, a->product, source);
    emit_attr(m->c, who, F_APPLICATION_NAME, a->name, source);
}

/* EndpointDescription[] of GetEndpoints / CreateSession responses, about the responder */
static void ua_endpoints(struct ua_msg *m, struct rd *r, const char *source)
{
    uint32_t n = ua_count(r);
    char policies[UA_MAX_POLICIES][128], url[256], last_url[256] = "", policy[128];
    int npol = 0;
    bool modes_seen[4] = {false}, app_done = false;
    for (uint32_t i = 0; i < n && i < UA_MAX_ITEMS && rd_ok(r); i++) {
        struct ua_app app;
        ua_string(r, url, sizeof url);
        ua_app_description(r, &app);
        uint32_t clen = ua_len(r);
        struct rd cert = rd_sub(r, clen);
        uint32_t mode = rd_le32(r);
        ua_string(r, policy, sizeof policy);
        uint32_t ntok = ua_count(r);
        for (uint32_t k = 0; k < ntok && rd_ok(r); k++) { /* UserTokenPolicy */
            ua_skip_string(r);
            rd_skip(r, 4);
            ua_skip_string(r);
            ua_skip_string(r);
            ua_skip_string(r);
        }
        ua_skip_string(r); /* transport profile */
        rd_u8(r);          /* security level */
        if (!rd_ok(r))
            return;
        if (strcmp(url, last_url) != 0) {
            emit_attr(m->c, WHO_SRC, F_ENDPOINT_URL, url, source);
            str_copy(last_url, sizeof last_url, url);
        }
        if (!app_done) {
            ua_emit_app(m, &app, WHO_SRC, source);
            app_done = true;
        }
        ua_certificate(m, cert, WHO_SRC, source);
        bool seen = false;
        for (int k = 0; k < npol; k++)
            seen = seen || strcmp(policies[k], policy) == 0;
        if (!seen && policy[0]) {
            emit_attr(m->c, WHO_SRC, F_SECURITY_POLICY, policy, source);
            if (npol < UA_MAX_POLICIES)
                str_copy(policies[npol++], sizeof policies[0], policy);
        }
        if (mode < 4 && !modes_seen[mode]) {
            modes_seen[mode] = true;
            emit_attr(m->c, WHO_SRC, F_SECURITY_MODE, ua_modes[mode], source);
        }
        if (mode == 1 || ua_policy_is_none(policy))
            ua_insecure(m, WHO_SRC, "opcua endpoint without security (SecurityPolicy#None)");
    }
    if (n)
        emit_role(m->c, WHO_SRC, "opc-server", source);
}

/* ---- services ---- */

static void ua_endpoint_url_request(struct ua_msg *m, struct rd *r, const char *source)
{
    char url[256];
    ua_skip_request_header(r);
    ua_string(r, url, sizeof url);
    if (rd_ok(r))
        emit_attr(m->c, WHO_DST, F_ENDPOINT_URL, url, source);
}

static void ua_find_servers_response(struct ua_msg *m, struct rd *r)
{
    uint32_t status = ua_response_header(r);
    ua_answer(m, status);
    uint32_t n = ua_count(r);
    struct ua_app app, pick;
    int discovery = 0;
    for (uint32_t i = 0; i < n && i < UA_MAX_ITEMS && rd_ok(r); i++) {
        if (!ua_app_description(r, &app))
            return;
        /* a discovery server lists others too: only a lone entry or its own is about it */
        if (n == 1 || app.type == 3) {
            pick = app;
            discovery++;
        }
    }
    if (discovery == 1) {
        ua_emit_app(m, &pick, WHO_SRC, "opcua find servers response");
        emit_role(m->c, WHO_SRC, "opc-server", "opcua find servers response");
    }
}

/* RegisterServer(2)Request: a server announcing itself to a discovery server (§5.4.5) */
static void ua_register_server(struct ua_msg *m, struct rd *r, uint32_t service)
{
    struct ua_app a;
    memset(&a, 0, sizeof a);
    ua_skip_request_header(r);
    ua_string(r, a.uri, sizeof a.uri);
    ua_string(r, a.product, sizeof a.product);
    uint32_t n = ua_count(r);
    for (uint32_t i = 0; i < n && rd_ok(r); i++) {
        char name[128];
        ua_localized_text(r, name, sizeof name);
        if (i == 0)
            str_copy(a.name, sizeof a.name, name);
    }
    a.type = rd_le32(r);
    ua_skip_string(r); /* gateway */
    n = ua_count(r);
    for (uint32_t i = 0; i < n && rd_ok(r); i++) {
        if (i == 0)
            ua_string(r, a.url, sizeof a.url);
        else
            ua_skip_string(r);
    }
    if (!rd_ok(r))
        return;
    const char *source = "opcua register server request";
    ua_emit_app(m, &a, WHO_SRC, source);
    emit_attr(m->c, WHO_SRC, F_ENDPOINT_URL, a.url, source);
    if (a.type != 1)
        emit_role(m->c, WHO_SRC, "opc-server", source);
    char function[40];
    str_fmt(function, sizeof function, "register server (%u)", service);
    ua_op(m, OP_OTHER, function, a.uri, false);
}

static void ua_create_session_request(struct ua_msg *m, struct rd *r)
{
    struct ua_app client;
    char url[256];
    const char *source = "opcua create session request";
    ua_skip_request_header(r);
    if (!ua_app_description(r, &client))
        return;
    ua_emit_app(m, &client, WHO_SRC, source);
    ua_skip_string(r); /* server uri */
    ua_string(r, url, sizeof url);
    ua_skip_string(r); /* session name */
    ua_skip_string(r); /* client nonce */
    uint32_t clen = ua_len(r);
    struct rd cert = rd_sub(r, clen);
    if (!rd_ok(r))
        return;
    emit_attr(m->c, WHO_DST, F_ENDPOINT_URL, url, source);
    ua_certificate(m, cert, WHO_SRC, source);
    if (m->st->policy == UA_POLICY_NONE)
        ua_insecure(m, WHO_DST, "opcua session over a secure channel without security "
                                "(SecurityPolicy#None)");
}

static void ua_create_session_response(struct ua_msg *m, struct rd *r)
{
    const char *source = "opcua create session response";
    uint32_t status = ua_response_header(r);
    ua_answer(m, status);
    ua_skip_nodeid(r, false); /* session id */
    ua_skip_nodeid(r, false); /* authentication token */
    rd_skip(r, 8);            /* revised timeout */
    ua_skip_string(r);        /* server nonce */
    uint32_t clen = ua_len(r);
    struct rd cert = rd_sub(r, clen);
    if (!rd_ok(r))
        return;
    ua_certificate(m, cert, WHO_SRC, source);
    ua_endpoints(m, r, source);
}

static void ua_activate_session(struct ua_msg *m, struct rd *r)
{
    ua_skip_request_header(r);
    ua_skip_string(r); /* client signature: algorithm */
    ua_skip_string(r); /* ... signature */
    uint32_t n = ua_count(r);
    for (uint32_t i = 0; i < n && rd_ok(r); i++) { /* SignedSoftwareCertificate */
        ua_skip_string(r);
        ua_skip_string(r);
    }
    ua_skip_string_array(r); /* locale ids */
    uint32_t type;
    struct rd tok;
    if (!ua_extobj(r, &type, &tok))
        return;
    const char *function = "activate session (467)";
    char target[128], user[64], alg[96];
    switch (type) {
    case UA_TOKEN_ANONYMOUS:
        ua_op(m, OP_SESSION, function, "anonymous", true);
        break;
    case UA_TOKEN_USERNAME: {
        ua_skip_string(&tok); /* policy id */
        ua_string(&tok, user, sizeof user);
        uint32_t plen = ua_len(&tok);
        rd_skip(&tok, plen);
        ua_string(&tok, alg, sizeof alg);
        if (!rd_ok(&tok)) {
            if (!m->quiet)
                emit_malformed(m->c, "opcua: bad user name identity token");
            return;
        }
        str_fmt(target, sizeof target, "user '%s'", user);
        ua_op(m, OP_AUTH, function, target, true);
        if (plen > 0 && alg[0] == '\0') {
            char detail[128];
            str_fmt(detail, sizeof detail, "opcua user '%s' password sent unencrypted", user);
            emit_finding(m->c, WHO_DST, "cleartext-credentials", detail);
        }
        break;
    }
    case UA_TOKEN_X509:
        ua_op(m, OP_AUTH, function, "x509 certificate", true);
        break;
    case UA_TOKEN_ISSUED:
        ua_op(m, OP_AUTH, function, "issued token", true);
        break;
    default:
        ua_op(m, OP_SESSION, function, NULL, true);
        break;
    }
}

static const char *ua_attr_name(uint32_t a)
{
    return a < NELEM(ua_attributes) ? ua_attributes[a] : "?";
}

static void ua_write(struct ua_msg *m, struct rd *r)
{
    ua_skip_request_header(r);
    uint32_t n = ua_count(r);
    for (uint32_t i = 0; i < n && i < UA_MAX_ITEMS && rd_ok(r); i++) {
        char node[128], value[96], target[256];
        ua_nodeid(r, node, sizeof node, NULL, false);
        uint32_t attr = rd_le32(r);
        ua_skip_string(r); /* index range */
        ua_datavalue(r, 0, value, sizeof value);
        if (!rd_ok(r))
            break;
        if (i >= UA_MAX_OPS)
            continue;
        if (attr == UA_ATTR_VALUE)
            str_fmt(target, sizeof target, "%s = %s", node, value);
        else
            str_fmt(target, sizeof target, "%s %s = %s", node, ua_attr_name(attr), value);
        ua_op(m, attr == UA_ATTR_VALUE ? OP_PROCESS_WRITE : OP_CONFIG_WRITE, "write (673)",
              target, i == 0);
    }
}

static void ua_call(struct ua_msg *m, struct rd *r)
{
    ua_skip_request_header(r);
    uint32_t n = ua_count(r);
    for (uint32_t i = 0; i < n && i < UA_MAX_ITEMS && rd_ok(r); i++) {
        char obj[128], method[128], target[288];
        ua_nodeid(r, obj, sizeof obj, NULL, false);
        ua_nodeid(r, method, sizeof method, NULL, false);
        uint32_t args = ua_count(r);
        for (uint32_t k = 0; k < args && rd_ok(r); k++)
            ua_variant(r, 0, NULL, 0);
        if (!rd_ok(r))
            break;
        if (i >= UA_MAX_OPS)
            continue;
        str_fmt(target, sizeof target, "method %s on %s (%u args)", method, obj, args);
        ua_op(m, OP_COMMAND, "call (712)", target, i == 0);
    }
}

static void ua_add_nodes(struct ua_msg *m, struct rd *r)
{
    ua_skip_request_header(r);
    uint32_t n = ua_count(r);
    char parent[128] = "", name[96] = "", target[256] = "";
    if (n > 0) {
        ua_nodeid(r, parent, sizeof parent, NULL, true);
        ua_skip_nodeid(r, false); /* reference type */
        ua_skip_nodeid(r, true);  /* requested new node id */
        ua_qualified_name(r, name, sizeof name);
    }
    if (!rd_ok(r))
        return;
    if (n > 1)
        str_fmt(target, sizeof target, "'%s' under %s (+%u more)", name, parent, n - 1);
    else if (n == 1)
        str_fmt(target, sizeof target, "'%s' under %s", name, parent);
    ua_op(m, OP_CONFIG_WRITE, "add nodes (488)", target, true);
}

/* Server object nodes that carry the server's build identity (Part 5 §6.3.1, NodeIds.csv) */
enum {
    UA_NODE_SERVER_STATUS = 2256,
    UA_NODE_BUILD_INFO = 2260,
    UA_NODE_PRODUCT_NAME = 2261,
    UA_NODE_PRODUCT_URI = 2262,
    UA_NODE_MANUFACTURER = 2263,
    UA_NODE_SOFTWARE_VERSION = 2264,
    UA_ENC_BUILD_INFO = 340,       /* BuildInfo_Encoding_DefaultBinary */
    UA_ENC_SERVER_STATUS = 864,    /* ServerStatusDataType_Encoding_DefaultBinary */
};

static bool ua_is_identity_node(uint32_t id)
{
    return id == UA_NODE_SERVER_STATUS || (id >= UA_NODE_BUILD_INFO && id <= 2265);
}

/* DeleteNodes / Read / HistoryRead: the first NodeId of the list, and how many */
static void ua_first_node_op(struct ua_msg *m, struct rd *r, uint32_t service)
{
    ua_skip_request_header(r);
    enum op_kind kind = OP_READ;
    const char *function = "read (631)";
    if (service == UA_READ_REQ) {
        rd_skip(r, 8 + 4); /* max age, timestamps to return */
    } else if (service == UA_HISTORY_READ_REQ) {
        ua_skip_extobj(r);
        rd_skip(r, 4 + 1);
        function = "history read (664)";
    } else {
        kind = OP_CONFIG_WRITE;
        function = "delete nodes (500)";
    }
    uint32_t n = ua_count(r);
    char node[128] = "", target[192] = "";
    uint32_t attr = 0;
    struct ua_read_ids ids = {.used = false};
    for (uint32_t i = 0; i < n && i < UA_MAX_ITEMS && rd_ok(r); i++) {
        uint32_t num, a = 0;
        ua_nodeid(r, i == 0 ? node : NULL, i == 0 ? sizeof node : 0, &num, false);
        if (service != UA_READ_REQ)
            break; /* the first node is all the op shows */
        a = rd_le32(r);
        ua_skip_string(r);  /* index range */
        rd_le16(r);         /* data encoding: QualifiedName */
        ua_skip_string(r);
        if (i == 0)
            attr = a;
        if (i < UA_READ_IDS) {
            ids.n = (uint8_t)(i + 1);
            if (a == UA_ATTR_VALUE && ua_is_identity_node(num)) {
                ids.ids[i] = (uint16_t)num;
                ids.used = true;
            }
        }
    }
    if (!rd_ok(r))
        return;
    if (ids.used) {
        ids.req_id = m->req_id;
        m->st->reads[m->st->next_read++ & 1] = ids;
    }
    if (n > 0) {
        size_t o = (size_t)str_copy(target, sizeof target, node);
        if (attr && attr != UA_ATTR_VALUE && o < sizeof target)
            o += (size_t)str_fmt(target + o, sizeof target - o, " %s", ua_attr_name(attr));
        if (n > 1 && o < sizeof target)
            str_fmt(target + o, sizeof target - o, " (+%u more)", n - 1);
    }
    ua_op(m, kind, function, target, kind != OP_READ);
}

static void ua_references(struct ua_msg *m, struct rd *r, uint32_t service)
{
    ua_skip_request_header(r);
    uint32_t n = ua_count(r);
    if (!rd_ok(r))
        return;
    char target[48];
    str_fmt(target, sizeof target, "%u references", n);
    ua_op(m, OP_CONFIG_WRITE,
          service == UA_ADD_REFS_REQ ? "add references (494)" : "delete references (506)",
          target, true);
}

/* a response: match the remembered request, with the first bad per-operation result */
static void ua_response(struct ua_msg *m, struct rd *r, uint32_t service)
{
    uint32_t status = ua_response_header(r);
    if (!rd_ok(r))
        return;
    if (!ua_bad(status) && (service == UA_WRITE_RESP || service == UA_CALL_RESP)) {
        uint32_t n = ua_count(r);
        for (uint32_t i = 0; i < n && i < UA_MAX_ITEMS && rd_ok(r) && !ua_bad(status); i++) {
            status = rd_le32(r);
            if (service == UA_CALL_RESP) { /* rest of the CallMethodResult */
                uint32_t k = ua_count(r);
                rd_skip(r, (size_t)k * 4);
                k = ua_count(r);
                for (uint32_t j = 0; j < k && rd_ok(r); j++)
                    ua_skip_diag(r, 0);
                k = ua_count(r);
                for (uint32_t j = 0; j < k && rd_ok(r); j++)
                    ua_variant(r, 0, NULL, 0);
            }
        }
        if (!rd_ok(r))
            status = 0;
    }
    ua_answer(m, status);
}

/* BuildInfo: ProductUri, ManufacturerName, ProductName, SoftwareVersion, BuildNumber, BuildDate */
static void ua_build_info(struct ua_msg *m, struct rd *r, const char *source)
{
    char uri[256], vendor[128], product[128], version[64];
    ua_string(r, uri, sizeof uri);
    ua_string(r, vendor, sizeof vendor);
    ua_string(r, product, sizeof product);
    ua_string(r, version, sizeof version);
    if (!rd_ok(r))
        return;
    emit_attr(m->c, WHO_SRC, F_PRODUCT_URI, uri, source);
    emit_attr(m->c, WHO_SRC, F_VENDOR, vendor, source);
    emit_attr(m->c, WHO_SRC, F_PRODUCT, product, source);
    emit_attr(m->c, WHO_SRC, F_FIRMWARE, version, source);
}

/* one DataValue of a ReadResponse for Server object node 'node' */
static void ua_identity_value(struct ua_msg *m, struct rd *r, uint16_t node)
{
    const char *source = "opcua read server build info";
    uint8_t mask = rd_u8(r);
    char text[256] = "";
    if (mask & 0x01) {
        uint8_t vm = rd_u8(r), t = vm & 0x3f;
        if (vm & 0xc0) { /* an array: not an identity value */
            rd_fail(r);
            return;
        }
        if (t == 12 || t == 21) {
            if (t == 12)
                ua_string(r, text, sizeof text);
            else
                ua_localized_text(r, text, sizeof text);
            enum attr_field f = node == UA_NODE_PRODUCT_NAME   ? F_PRODUCT
                                : node == UA_NODE_PRODUCT_URI  ? F_PRODUCT_URI
                                : node == UA_NODE_MANUFACTURER ? F_VENDOR
                                : node == UA_NODE_SOFTWARE_VERSION ? F_FIRMWARE
                                                                 : F_COUNT;
            if (rd_ok(r) && f != F_COUNT)
                emit_attr(m->c, WHO_SRC, f, text, source);
        } else if (t == 22) {
            uint32_t type;
            struct rd body;
            if (ua_extobj(r, &type, &body) && type == UA_ENC_SERVER_STATUS) {
                rd_skip(&body, 8 + 8 + 4); /* start time, current time, state */
                ua_build_info(m, &body, source);
            } else if (type == UA_ENC_BUILD_INFO) {
                ua_build_info(m, &body, source);
            }
        } else {
            ua_scalar(r, t, 0, NULL, 0);
        }
    }
    if (mask & 0x02)
        rd_skip(r, 4);
    if (mask & 0x04)
        rd_skip(r, 8);
    if (mask & 0x10)
        rd_skip(r, 2);
    if (mask & 0x08)
        rd_skip(r, 8);
    if (mask & 0x20)
        rd_skip(r, 2);
}

static void ua_read_response(struct ua_msg *m, struct rd *r)
{
    ua_answer(m, ua_response_header(r));
    struct ua_read_ids *q = NULL;
    for (int i = 0; i < 2; i++)
        if (m->st->reads[i].used && m->st->reads[i].req_id == m->req_id)
            q = &m->st->reads[i];
    if (!q || !rd_ok(r))
        return;
    q->used = false;
    uint32_t n = ua_count(r);
    for (uint32_t i = 0; i < n && i < q->n && rd_ok(r); i++) {
        if (q->ids[i])
            ua_identity_value(m, r, q->ids[i]);
        else
            ua_datavalue(r, 0, NULL, 0);
    }
}

static void ua_service(struct ua_msg *m, struct rd *r, uint32_t service)
{
    switch (service) {
    case UA_GET_ENDPOINTS_REQ:
        ua_endpoint_url_request(m, r, "opcua get endpoints request");
        break;
    case UA_FIND_SERVERS_REQ:
        ua_endpoint_url_request(m, r, "opcua find servers request");
        break;
    case UA_GET_ENDPOINTS_RESP:
        ua_answer(m, ua_response_header(r));
        ua_endpoints(m, r, "opcua get endpoints response");
        break;
    case UA_FIND_SERVERS_RESP:
        ua_find_servers_response(m, r);
        break;
    case UA_REGISTER_SERVER_REQ:
    case UA_REGISTER_SERVER2_REQ:
        ua_register_server(m, r, service);
        break;
    case UA_CREATE_SESSION_REQ:
        ua_create_session_request(m, r);
        break;
    case UA_CREATE_SESSION_RESP:
        ua_create_session_response(m, r);
        break;
    case UA_ACTIVATE_SESSION_REQ:
        ua_activate_session(m, r);
        break;
    case UA_WRITE_REQ:
        ua_write(m, r);
        break;
    case UA_CALL_REQ:
        ua_call(m, r);
        break;
    case UA_ADD_NODES_REQ:
        ua_add_nodes(m, r);
        break;
    case UA_DELETE_NODES_REQ:
    case UA_READ_REQ:
    case UA_HISTORY_READ_REQ:
        ua_first_node_op(m, r, service);
        break;
    case UA_READ_RESP:
        ua_read_response(m, r);
        break;
    case UA_ADD_REFS_REQ:
    case UA_DELETE_REFS_REQ:
        ua_references(m, r, service);
        break;
    case UA_HISTORY_UPDATE_REQ:
        ua_op(m, OP_PROCESS_WRITE, "history update (700)", NULL, true);
        break;
    default:
        if (ua_service_kind(service) == 2) /* may report a failed remembered request */
            ua_response(m, r, service);
        break;
    }
}

/* ---- UA TCP / Secure Conversation framing ---- */

static void ua_open_channel(struct ua_msg *m, struct rd *r)
{
    char policy[256];
    rd_le32(r); /* secure channel id */
    ua_string(r, policy, sizeof policy);
    uint32_t clen = ua_len(r);
    struct rd cert = rd_sub(r, clen);
    ua_skip_string(r); /* receiver certificate thumbprint */
    rd_skip(r, 8);     /* sequence number, request id */
    if (!rd_ok(r)) {
        emit_malformed(m->c, "opcua: truncated OpenSecureChannel header");
        return;
    }
    bool none = ua_policy_is_none(policy) || policy[0] == '\0';
    m->st->policy = none ? UA_POLICY_NONE : UA_POLICY_SECURED;
    ua_certificate(m, cert, WHO_SRC, "opcua open secure channel");
    enum obs_who server = WHO_SERVER;
    uint32_t service = 0;
    if (none) {
        ua_nodeid(r, NULL, 0, &service, false);
        if (service == UA_OPEN_CHANNEL_REQ)
            server = WHO_DST;
        else if (service == UA_OPEN_CHANNEL_RESP)
            server = WHO_SRC;
    }
    const char *source = "opcua open secure channel";
    emit_attr(m->c, server, F_SECURITY_POLICY, policy, source);
    if (service == UA_OPEN_CHANNEL_REQ) {
        ua_skip_request_header(r);
        rd_skip(r, 8); /* client protocol version, request type */
        uint32_t mode = rd_le32(r);
        if (rd_ok(r) && mode < 4)
            emit_attr(m->c, WHO_DST, F_SECURITY_MODE, ua_modes[mode], source);
        else if (!m->quiet)
            emit_malformed(m->c, "opcua: truncated OpenSecureChannelRequest");
    } else if (service == UA_OPEN_CHANNEL_RESP) {
        emit_role(m->c, WHO_SRC, "opc-server", source);
    }
}

static void ua_secure_message(struct ua_msg *m, struct rd *r, uint8_t chunk)
{
    rd_skip(r, 8); /* secure channel id, token id */
    rd_le32(r);    /* sequence number */
    m->req_id = rd_le32(r);
    if (!rd_ok(r)) {
        emit_malformed(m->c, "opcua: truncated message header");
        return;
    }
    int d = m->dir & 1;
    struct ua_state *st = m->st;
    if (chunk == 'A') { /* abort: the rest of the message will not come */
        st->cont[d] = false;
        return;
    }
    if (st->cont[d] && st->cont_req[d] == m->req_id) {
        st->cont[d] = chunk == 'C'; /* a middle or the final chunk of a message */
        return;
    }
    st->cont[d] = chunk == 'C';
    st->cont_req[d] = m->req_id;
    m->quiet = chunk == 'C' || st->policy != UA_POLICY_NONE;
    uint32_t service = 0;
    struct rd peek = *r;
    ua_nodeid(&peek, NULL, 0, &service, false);
    if (st->policy != UA_POLICY_NONE && !(rd_ok(&peek) && ua_service_kind(service)))
        return; /* encrypted, or a capture that started mid-channel on something else */
    ua_nodeid(r, NULL, 0, &service, false);
    if (!rd_ok(r)) {
        if (!m->quiet)
            emit_malformed(m->c, "opcua: bad service type id");
        return;
    }
    ua_service(m, r, service);
    if (!rd_ok(r) && !m->quiet)
        emit_malformed(m->c, "opcua: truncated service body");
}

static void ua_hello(struct ua_msg *m, struct rd *r)
{
    char url[512];
    rd_skip(r, 20); /* version, buffer sizes, max message size, max chunk count */
    ua_string(r, url, sizeof url);
    if (!rd_ok(r)) {
        emit_malformed(m->c, "opcua: truncated Hello");
        return;
    }
    emit_server(m->c, WHO_DST);
    emit_attr(m->c, WHO_DST, F_ENDPOINT_URL, url, "opcua hello");
}

static void ua_reverse_hello(struct ua_msg *m, struct rd *r)
{
    char uri[256], url[512];
    ua_string(r, uri, sizeof uri);
    ua_string(r, url, sizeof url);
    if (!rd_ok(r)) {
        emit_malformed(m->c, "opcua: truncated ReverseHello");
        return;
    }
    emit_server(m->c, WHO_SRC);
    emit_attr(m->c, WHO_SRC, F_APPLICATION_URI, uri, "opcua reverse hello");
    emit_attr(m->c, WHO_SRC, F_ENDPOINT_URL, url, "opcua reverse hello");
    emit_role(m->c, WHO_SRC, "opc-server", "opcua reverse hello");
}

enum ua_type { UA_NONE, UA_HEL, UA_ACK, UA_ERR, UA_RHE, UA_OPN, UA_MSG, UA_CLO };

static enum ua_type ua_type_of(const struct rd *r)
{
    static const char *const names[] = {NULL, "HEL", "ACK", "ERR", "RHE", "OPN", "MSG", "CLO"};
    for (int i = 1; i < (int)NELEM(names); i++)
        if (rd_match(r, names[i], 3))
            return (enum ua_type)i;
    return UA_NONE;
}

/* the header is sane: known type, a chunk type allowed for it, a plausible size */
static long ua_header_size(const struct rd *s)
{
    enum ua_type t = ua_type_of(s);
    uint8_t chunk = rd_peek_u8(s, 3);
    uint32_t size = (uint32_t)rd_peek_le16(s, 4) | (uint32_t)rd_peek_le16(s, 6) << 16;
    if (t == UA_NONE)
        return FRAME_NOT_OURS;
    if (t <= UA_RHE ? chunk != 'F' : (chunk != 'F' && chunk != 'C' && chunk != 'A'))
        return FRAME_NOT_OURS;
    if (size < 8 || size > UA_MAX_CHUNK)
        return FRAME_NOT_OURS;
    if ((t == UA_OPN || t == UA_MSG || t == UA_CLO) && size < 24)
        return FRAME_NOT_OURS; /* channel id + security + sequence headers */
    if ((t == UA_HEL && size < 32) || (t == UA_ACK && size < 28))
        return FRAME_NOT_OURS;
    return (long)size;
}

static long frame(const struct rd *stream)
{
    if (rd_left(stream) < 8) {
        if (rd_left(stream) >= 3 && ua_type_of(stream) == UA_NONE)
            return FRAME_NOT_OURS;
        return FRAME_NEED_MORE;
    }
    return ua_header_size(stream);
}

static bool probe(const struct rd *payload, uint8_t l4)
{
    if (l4 != L4_TCP || rd_left(payload) < 8)
        return false;
    long size = ua_header_size(payload);
    if (size <= 0)
        return false;
    enum ua_type t = ua_type_of(payload);
    if (t == UA_HEL) /* the usual first payload: protocol version 0 */
        return rd_peek_le16(payload, 8) == 0 && rd_peek_le16(payload, 10) == 0;
    return (size_t)size == rd_left(payload) || (size_t)size > rd_left(payload);
}

static void parse(struct pctx *c, void *state, int dir, struct rd *pdu)
{
    static struct ua_state scratch; /* parse() without flow state */
    struct ua_msg m = {c, state, dir, 0, false};
    if (!m.st) {
        memset(&scratch, 0, sizeof scratch);
        m.st = &scratch;
    }
    enum ua_type t = ua_type_of(pdu);
    rd_skip(pdu, 3);
    uint8_t chunk = rd_u8(pdu);
    uint32_t size = rd_le32(pdu);
    if (!rd_ok(pdu) || t == UA_NONE || size < 8) {
        emit_malformed(c, "opcua: bad message header");
        return;
    }
    struct rd body = size - 8 <= rd_left(pdu) ? rd_sub(pdu, size - 8) : rd_rest(pdu);
    switch (t) {
    case UA_HEL:
        ua_hello(&m, &body);
        break;
    case UA_ACK:
        emit_server(c, WHO_SRC);
        emit_role(c, WHO_SRC, "opc-server", "opcua acknowledge");
        break;
    case UA_RHE:
        ua_reverse_hello(&m, &body);
        break;
    case UA_OPN:
        if (chunk == 'F')
            ua_open_channel(&m, &body);
        break;
    case UA_MSG:
    case UA_CLO:
        ua_secure_message(&m, &body, chunk);
        break;
    default:
        break;
    }
}

static void gap(void *state, int dir)
{
    struct ua_state *st = state;
    if (st)
        st->cont[dir & 1] = false;
}

const struct dissector dissector_opcua = {
    .name = "opcua",
    .proto = PROTO_OPCUA,
    .tcp_ports = {OPCUA_PORT},
    .probe = probe,
    .state_size = sizeof(struct ua_state),
    .frame = frame,
    .parse = parse,
    .gap = gap,
};
