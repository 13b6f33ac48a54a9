/* mms.c - IEC 61850 MMS (ISO 9506-2) over the OSI upper layers on ISO-on-TCP port 102: session
 * SPDUs (ISO 8327-1 §8.3), presentation CP/CPA and fully-encoded data (ISO 8823-1 §8.2), ACSE
 * AARQ/AARE (ISO 8650-1) and the MMS PDU, far enough for identity (Identify, LPHD nameplate
 * reads, logical devices from GetNameList) and operations (reads, writes split into process,
 * configuration and control writes by the IEC 61850-8-1 functional constraint, file and domain
 * services) with their results.  All of it is BER with multi-octet tags (file services are
 * [72]..[77]); nesting is followed only where a layout is known, never recursively on data. */
#include "dissect/mms.h"

#include <stdio.h>
#include <string.h>

#include "util/ber.h"
#include "util/str.h"

#define MMS_NAMES_MAX 32   /* logical device names reported from one GetNameList answer */
#define NO_OP         0xff /* service continues a transfer already reported */

/* ISO 8327-1 SPDU identifiers (§8.3, table 10) */
enum {
    SPDU_GT_DT = 1, /* GIVE TOKENS (category 0) and DATA TRANSFER share the code */
    SPDU_NF = 8,
    SPDU_FN = 9,
    SPDU_DN = 10,
    SPDU_RF = 12,
    SPDU_CN = 13,
    SPDU_AC = 14,
    SPDU_AB = 25,
};
#define SPDU_USER_DATA     0xc1 /* Session User Data parameter (PI 193) */
#define SPDU_EXT_USER_DATA 0xc2 /* Extended User Data (PI 194) */

enum { CLS_UNIV = 0, CLS_APP = 1, CLS_CTX = 2 };

/* MMS PDU choice (ISO 9506-2 §7.1) */
enum {
    PDU_CONF_REQ = 0,
    PDU_CONF_RESP,
    PDU_CONF_ERR,
    PDU_UNCONF,
    PDU_REJECT,
    PDU_CANCEL_REQ,
    PDU_CANCEL_RESP,
    PDU_CANCEL_ERR,
    PDU_INIT_REQ,
    PDU_INIT_RESP,
    PDU_INIT_ERR,
    PDU_CONCL_REQ,
    PDU_CONCL_RESP,
    PDU_CONCL_ERR
};

/* confirmed services used below by number */
enum {
    SVC_GET_NAME_LIST = 1,
    SVC_IDENTIFY = 2,
    SVC_READ = 4,
    SVC_WRITE = 5,
    SVC_GET_VAA = 6,
    SVC_OBTAIN_FILE = 46,
    SVC_FILE_OPEN = 72,
    SVC_FILE_READ = 73,
    SVC_FILE_RENAME = 75,
    SVC_FILE_DELETE = 76,
    SVC_FILE_DIR = 77
};
#define OBJ_CLASS_DOMAIN 9 /* basicObjectClass domain: IEC 61850 logical devices */

/* write to an IEC 61850 control object (-8-1 §20: Oper, SBOw, Cancel under FC CO) */
enum { CTL_NONE = 0, CTL_OPER, CTL_SELECT, CTL_CANCEL };

/* ConfirmedServiceRequest names and the operation each is (ISO 9506-2 §7.4) */
static const struct {
    const char *name;
    uint8_t kind;
} services[] = {
    [0] = {"status", OP_READ},
    [1] = {"getNameList", OP_READ},
    [2] = {"identify", OP_READ},
    [3] = {"rename", OP_CONFIG_WRITE},
    [4] = {"read", OP_READ},
    [5] = {"write", OP_PROCESS_WRITE},
    [6] = {"getVariableAccessAttributes", OP_READ},
    [7] = {"defineNamedVariable", OP_CONFIG_WRITE},
    [8] = {"defineScatteredAccess", OP_CONFIG_WRITE},
    [9] = {"getScatteredAccessAttributes", OP_READ},
    [10] = {"deleteVariableAccess", OP_CONFIG_WRITE},
    [11] = {"defineNamedVariableList", OP_CONFIG_WRITE},
    [12] = {"getNamedVariableListAttributes", OP_READ},
    [13] = {"deleteNamedVariableList", OP_CONFIG_WRITE},
    [14] = {"defineNamedType", OP_CONFIG_WRITE},
    [15] = {"getNamedTypeAttributes", OP_READ},
    [16] = {"deleteNamedType", OP_CONFIG_WRITE},
    [17] = {"input", OP_READ},
    [18] = {"output", OP_PROCESS_WRITE},
    [19] = {"takeControl", OP_OTHER},
    [20] = {"relinquishControl", OP_OTHER},
    [21] = {"defineSemaphore", OP_CONFIG_WRITE},
    [22] = {"deleteSemaphore", OP_CONFIG_WRITE},
    [23] = {"reportSemaphoreStatus", OP_READ},
    [24] = {"reportPoolSemaphoreStatus", OP_READ},
    [25] = {"reportSemaphoreEntryStatus", OP_READ},
    [26] = {"initiateDownloadSequence", OP_PROGRAM_DOWNLOAD},
    [27] = {"downloadSegment", NO_OP},
    [28] = {"terminateDownloadSequence", NO_OP},
    [29] = {"initiateUploadSequence", OP_PROGRAM_UPLOAD},
    [30] = {"uploadSegment", NO_OP},
    [31] = {"terminateUploadSequence", NO_OP},
    [32] = {"requestDomainDownload", OP_PROGRAM_DOWNLOAD},
    [33] = {"requestDomainUpload", OP_PROGRAM_UPLOAD},
    [34] = {"loadDomainContent", OP_PROGRAM_DOWNLOAD},
    [35] = {"storeDomainContent", OP_PROGRAM_UPLOAD},
    [36] = {"deleteDomain", OP_PROGRAM_DELETE},
    [37] = {"getDomainAttributes", OP_READ},
    [38] = {"createProgramInvocation", OP_CONFIG_WRITE},
    [39] = {"deleteProgramInvocation", OP_CONFIG_WRITE},
    [40] = {"start", OP_PLC_START},
    [41] = {"stop", OP_PLC_STOP},
    [42] = {"resume", OP_PLC_START},
    [43] = {"reset", OP_RESTART},
    [44] = {"kill", OP_PLC_STOP},
    [45] = {"getProgramInvocationAttributes", OP_READ},
    [46] = {"obtainFile", OP_FILE_TRANSFER},
    [47] = {"defineEventCondition", OP_CONFIG_WRITE},
    [48] = {"deleteEventCondition", OP_CONFIG_WRITE},
    [49] = {"getEventConditionAttributes", OP_READ},
    [50] = {"reportEventConditionStatus", OP_READ},
    [51] = {"alterEventConditionMonitoring", OP_CONFIG_WRITE},
    [52] = {"triggerEvent", OP_OTHER},
    [53] = {"defineEventAction", OP_CONFIG_WRITE},
    [54] = {"deleteEventAction", OP_CONFIG_WRITE},
    [55] = {"getEventActionAttributes", OP_READ},
    [56] = {"reportEventActionStatus", OP_READ},
    [57] = {"defineEventEnrollment", OP_CONFIG_WRITE},
    [58] = {"deleteEventEnrollment", OP_CONFIG_WRITE},
    [59] = {"alterEventEnrollment", OP_CONFIG_WRITE},
    [60] = {"reportEventEnrollmentStatus", OP_READ},
    [61] = {"getEventEnrollmentAttributes", OP_READ},
    [62] = {"acknowledgeEventNotification", OP_OTHER},
    [63] = {"getAlarmSummary", OP_READ},
    [64] = {"getAlarmEnrollmentSummary", OP_READ},
    [65] = {"readJournal", OP_READ},
    [66] = {"writeJournal", OP_OTHER},
    [67] = {"initializeJournal", OP_CONFIG_WRITE},
    [68] = {"reportJournalStatus", OP_READ},
    [69] = {"createJournal", OP_CONFIG_WRITE},
    [70] = {"deleteJournal", OP_CONFIG_WRITE},
    [71] = {"getCapabilityList", OP_READ},
    [72] = {"fileOpen", OP_FILE_TRANSFER},
    [73] = {"fileRead", OP_FILE_TRANSFER},
    [74] = {"fileClose", NO_OP},
    [75] = {"fileRename", OP_FILE_TRANSFER},
    [76] = {"fileDelete", OP_FILE_TRANSFER},
    [77] = {"fileDirectory", OP_READ},
};
#define N_SERVICES (sizeof services / sizeof *services)

/* DataAccessError (ISO 9506-2 §14.4.2) */
static const char *const access_errors[] = {
    "object-invalidated",        "hardware-fault",      "temporarily-unavailable",
    "object-access-denied",      "object-undefined",    "invalid-address",
    "type-unsupported",          "type-inconsistent",   "object-attribute-inconsistent",
    "object-access-unsupported", "object-non-existent", "object-value-invalid"};

/* ServiceError errorClass names, and the codes of the classes seen in IEC 61850 (§7.4.1.3) */
static const char *const error_classes[] = {"vmd-state",       "application-reference",
                                            "definition",      "resource",
                                            "service",         "service-preempt",
                                            "time-resolution", "access",
                                            "initiate",        "conclude",
                                            "cancel",          "file",
                                            "others"};
static const char *const err_definition[] = {"other",
                                             "object-undefined",
                                             "invalid-address",
                                             "type-unsupported",
                                             "type-inconsistent",
                                             "object-exists",
                                             "object-attribute-inconsistent"};
static const char *const err_service[] = {
    "other",    "primitives-out-of-sequence", "object-state-conflict",
    "pdu-size", "continuation-invalid",       "object-constraint-conflict"};
static const char *const err_access[] = {"other", "object-access-unsupported",
                                         "object-non-existent", "object-access-denied",
                                         "object-invalidated"};
static const char *const err_file[] = {"other",
                                       "filename-ambiguous",
                                       "file-busy",
                                       "filename-syntax-error",
                                       "content-type-invalid",
                                       "position-invalid",
                                       "file-access-denied",
                                       "file-non-existent",
                                       "duplicate-filename",
                                       "insufficient-space-in-filestore"};

/* the parse of one TSDU */
struct m {
    struct pctx *c;
    struct mms_state *s;
    int dir;
    bool partial;    /* the TSDU goes on in later DTs: what runs past the end is not an error */
    const char *bad; /* first structural error, reported once at the end */
};

/* one BER element (X.690 §8.1) */
struct tlv {
    uint8_t cls;
    bool cons;
    uint32_t num;
    struct rd v;
};

static void bad(struct m *m, const char *why)
{
    if (!m->bad)
        m->bad = why;
}

/* The next element of r, false at its end or on an error.  Tag numbers up to 16383 (two
 * subsequent octets) and definite lengths of up to four octets; an indefinite length (never
 * used by IEC 61850 stacks) and larger tags are errors.  In a partial TSDU a constructed
 * element may run past the end (its contents are what is there); a primitive one may not. */
static bool tlv_next(struct m *m, struct rd *r, struct tlv *t)
{
    t->v = rd_init(NULL, 0);
    if (!rd_left(r))
        return false;
    uint8_t id = rd_u8(r);
    t->cls = id >> 6;
    t->cons = id & 0x20;
    t->num = id & 0x1f;
    if (t->num == 0x1f) {
        uint32_t num = 0;
        uint8_t b;
        int n = 0;
        do {
            b = rd_u8(r);
            num = num << 7 | (b & 0x7f);
        } while ((b & 0x80) && ++n < 3 && rd_ok(r));
        if ((b & 0x80) || num > 16383) {
            bad(m, "mms: BER tag number too large");
            rd_fail(r);
            return false;
        }
        t->num = num;
    }
    size_t len;
    enum ber_len lk = ber_length(r, &len);
    if (lk != BER_LEN_OK) {
        bad(m, lk == BER_LEN_INDEFINITE ? "mms: BER indefinite length"
                                        : "mms: BER length of more than four octets");
        rd_fail(r);
        return false;
    }
    if (!rd_ok(r)) {
        if (!m->partial)
            bad(m, "mms: BER header truncated");
        return false;
    }
    if (len > rd_left(r)) {
        if (m->partial && t->cons) {
            t->v = rd_rest(r);
            return true;
        }
        if (!m->partial)
            bad(m, "mms: BER length exceeds its container");
        rd_fail(r);
        return false;
    }
    t->v = rd_sub(r, len);
    return true;
}

static bool is(const struct tlv *t, uint8_t cls, uint32_t num)
{
    return t->cls == cls && t->num == num;
}

/* an unsigned INTEGER's contents (up to 32 bits after a sign octet) */
static bool uint_val(struct rd *v, uint32_t *out)
{
    size_t n = rd_left(v);
    if (n < 1 || n > 5 || (n == 5 && rd_peek_u8(v, 0) != 0))
        return false;
    uint32_t x = 0;
    for (size_t i = 0; i < n; i++)
        x = x << 8 | rd_u8(v);
    *out = x;
    return rd_ok(v);
}

/* a string's contents, sanitised and cut to dst */
static void str_val(struct rd *v, char *dst, size_t dstsz)
{
    rd_str(v, rd_left(v), dst, dstsz);
}

/* ---- object names and variable access (ISO 9506-2 §7.5, §14.1) ---- */

/* ObjectName: vmd-specific [0], domain-specific [1] { domainId, itemId }, aa-specific [2];
 * written as "LD0/LLN0$BR$rcb_B02" */
static bool object_name(struct m *m, const struct tlv *t, char *out, size_t outsz)
{
    out[0] = '\0';
    if (t->cls != CLS_CTX)
        return false;
    struct rd v = t->v;
    if (!t->cons && (t->num == 0 || t->num == 2)) {
        str_val(&v, out, outsz);
        return true;
    }
    if (t->num != 1 || !t->cons)
        return false;
    struct tlv d, i;
    if (!tlv_next(m, &v, &d) || !tlv_next(m, &v, &i))
        return false;
    char dom[MMS_TARGET_MAX + 1], item[130];
    str_val(&d.v, dom, sizeof dom);
    str_val(&i.v, item, sizeof item);
    str_fmt(out, outsz, "%s/%s", dom, item);
    return true;
}

/* the functional constraint of an IEC 61850-8-1 item id "LLN0$BR$rcb_B02": the two letters
 * after the first '$' */
static void fc_of(const char *name, char fc[3])
{
    fc[0] = '\0';
    const char *d = strchr(name, '$');
    if (d && d[1] && d[2] && (d[3] == '$' || d[3] == '\0')) {
        fc[0] = d[1];
        fc[1] = d[2];
        fc[2] = '\0';
    }
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && !strcmp(s + n - k, suffix);
}

/* the operation a write to one variable is: control-object writes (FC CO: Oper, SBOw, Cancel)
 * are commands; control blocks, setting groups, settings, configuration and descriptions are
 * configuration; the rest (substitution, blocking, plain data) are process values */
static enum op_kind write_kind(const char *name, uint8_t *ctl)
{
    char fc[3];
    const char *item = strchr(name, '/');
    fc_of(item ? item + 1 : name, fc);
    *ctl = CTL_NONE;
    if (!strcmp(fc, "CO")) {
        if (ends_with(name, "$Oper"))
            *ctl = CTL_OPER;
        else if (ends_with(name, "$SBOw") || ends_with(name, "$SBO"))
            *ctl = CTL_SELECT;
        else if (ends_with(name, "$Cancel"))
            *ctl = CTL_CANCEL;
        return OP_COMMAND;
    }
    static const char *const config[] = {"BR", "RP", "GO", "GS", "LG", "MS",
                                         "US", "SG", "SE", "SP", "CF", "DC"};
    for (size_t i = 0; i < sizeof config / sizeof *config; i++)
        if (!strcmp(fc, config[i]))
            return OP_CONFIG_WRITE;
    return OP_PROCESS_WRITE;
}

static int kind_rank(enum op_kind k)
{
    return k == OP_COMMAND ? 3 : k == OP_CONFIG_WRITE ? 2 : 1;
}

/* VariableAccessSpecification: listOfVariable [0] { SEQUENCE { name [0] ObjectName, ... } }
 * or variableListName [1] ObjectName.  Writes the first name (and how many more) to target;
 * for writes also the strongest kind over all variables. */
static void var_access(struct m *m, const struct tlv *spec, char *target, size_t tsz,
                       uint8_t *nvars, enum op_kind *kind, uint8_t *ctl)
{
    target[0] = '\0';
    *nvars = 0;
    struct rd v = spec->v;
    struct tlv t;
    char name[160];
    if (is(spec, CLS_CTX, 1)) { /* a named variable list (IEC 61850 data set) */
        if (tlv_next(m, &v, &t) && object_name(m, &t, name, sizeof name)) {
            str_fmt(target, tsz, "data set %s", name);
            *nvars = 1;
        }
        return;
    }
    if (!is(spec, CLS_CTX, 0))
        return;
    unsigned n = 0;
    while (tlv_next(m, &v, &t)) {
        struct rd e = t.v;
        struct tlv vs, on;
        if (!tlv_next(m, &e, &vs) || !is(&vs, CLS_CTX, 0))
            continue; /* addresses and descriptions are not named */
        if (!tlv_next(m, &vs.v, &on) || !object_name(m, &on, name, sizeof name))
            continue;
        if (kind) {
            uint8_t c1;
            enum op_kind k = write_kind(name, &c1);
            if (!n || kind_rank(k) > kind_rank(*kind)) {
                *kind = k;
                *ctl = c1;
            }
        }
        if (!n++)
            str_copy(target, tsz, name);
    }
    *nvars = n > 255 ? 255 : (uint8_t)n;
    if (n > 1) {
        size_t len = strlen(target);
        str_fmt(target + len, tsz - len, " (+%u more)", n - 1);
    }
}

/* FileName: SEQUENCE OF GraphicString, joined */
static void file_name(struct m *m, struct rd *v, char *out, size_t outsz)
{
    struct tlv t;
    size_t len = 0;
    out[0] = '\0';
    while (len + 1 < outsz && tlv_next(m, v, &t)) {
        str_val(&t.v, out + len, outsz - len);
        len = strlen(out);
    }
}

/* ---- pending requests ---- */

static struct mms_pending *remember(struct mms_state *s, uint32_t invoke)
{
    struct mms_pending *p = NULL;
    for (int i = 0; i < MMS_PENDING && !p; i++)
        if (!s->pending[i].used || s->pending[i].invoke == invoke)
            p = &s->pending[i];
    if (!p)
        p = &s->pending[s->next++ % MMS_PENDING];
    memset(p, 0, sizeof *p);
    p->invoke = invoke;
    p->used = 1;
    return p;
}

static struct mms_pending *find(struct mms_state *s, uint32_t invoke)
{
    for (int i = 0; i < MMS_PENDING; i++)
        if (s->pending[i].used && s->pending[i].invoke == invoke)
            return &s->pending[i];
    return NULL;
}

/* the function text of a request: "read (4)", "control oper (write 5)" */
static void function_of(uint8_t service, uint8_t aux, char *out, size_t outsz)
{
    static const char *const ctl[] = {"", "control oper", "control select", "control cancel"};
    if (service == SVC_WRITE && aux > CTL_NONE && aux <= CTL_CANCEL)
        str_fmt(out, outsz, "%s (write 5)", ctl[aux]);
    else if (service < N_SERVICES && services[service].name)
        str_fmt(out, outsz, "%s (%u)", services[service].name, service);
    else
        str_fmt(out, outsz, "service %u", service);
}

static void emit_pending(struct m *m, const struct mms_pending *p, const char *result)
{
    char f[64];
    function_of(p->service, p->aux, f, sizeof f);
    emit_op(m->c, (enum op_kind)p->kind, f, p->target[0] ? p->target : NULL, result);
}

static void role_ied(struct m *m, const char *source)
{
    if (m->s->role_done || m->dir != 1)
        return;
    m->s->role_done = true;
    emit_role(m->c, WHO_SRC, "ied", source);
}

/* ---- confirmed services ---- */

static const char *class_name(uint32_t cls)
{
    static const char *const names[] = {"namedVariable", "scatteredAccess",   "namedVariableList",
                                        "namedType",     "semaphore",         "eventCondition",
                                        "eventAction",   "eventEnrollment",   "journal",
                                        "domain",        "programInvocation", "operatorStation"};
    return cls < sizeof names / sizeof *names ? names[cls] : "object";
}

/* GetNameList-Request: objectClass [0] { basicObjectClass [0] INTEGER }, objectScope [1]
 * { vmdSpecific [0] | domainSpecific [1] Identifier | aaSpecific [2] } */
static void get_name_list_req(struct m *m, struct rd *v, char *target, size_t tsz, uint8_t *aux)
{
    struct tlv t, u;
    uint32_t cls = 255;
    char dom[MMS_TARGET_MAX] = "";
    while (tlv_next(m, v, &t)) {
        if (is(&t, CLS_CTX, 0) && tlv_next(m, &t.v, &u) && is(&u, CLS_CTX, 0))
            uint_val(&u.v, &cls);
        else if (is(&t, CLS_CTX, 1) && tlv_next(m, &t.v, &u) && is(&u, CLS_CTX, 1))
            str_val(&u.v, dom, sizeof dom);
    }
    *aux = cls < 254 ? (uint8_t)(cls + 1) : 0;
    if (dom[0])
        str_fmt(target, tsz, "%s in %s", class_name(cls), dom);
    else
        str_copy(target, tsz, class_name(cls));
}

static void request(struct m *m, uint32_t invoke, struct tlv *svc)
{
    uint32_t n = svc->num;
    if (svc->cls != CLS_CTX) {
        bad(m, "mms: confirmed request without a service");
        return;
    }
    enum op_kind kind = n < N_SERVICES && services[n].name ? services[n].kind : OP_OTHER;
    if ((unsigned)kind == NO_OP)
        return;
    char target[160] = "";
    uint8_t aux = 0, nvars = 0, ctl = CTL_NONE;
    struct rd v = svc->v;
    struct tlv t, u;
    switch (n) {
    case SVC_GET_NAME_LIST:
        get_name_list_req(m, &v, target, sizeof target, &aux);
        break;
    case SVC_READ: /* specificationWithResult [0] OPTIONAL, variableAccessSpecification [1] */
        while (tlv_next(m, &v, &t))
            if (is(&t, CLS_CTX, 1) && tlv_next(m, &t.v, &u))
                var_access(m, &u, target, sizeof target, &nvars, NULL, NULL);
        break;
    case SVC_WRITE: /* variableAccessSpecification, listOfData [0] */
        if (tlv_next(m, &v, &t))
            var_access(m, &t, target, sizeof target, &nvars, &kind, &ctl);
        if (!nvars)
            kind = OP_PROCESS_WRITE;
        aux = ctl;
        break;
    case SVC_GET_VAA: /* name [0] ObjectName | address [1] */
        if (tlv_next(m, &v, &t) && is(&t, CLS_CTX, 0) && tlv_next(m, &t.v, &u))
            object_name(m, &u, target, sizeof target);
        break;
    case SVC_FILE_OPEN: /* fileName [0] FileName, initialPosition [1] */
    case SVC_FILE_DIR:  /* fileSpecification [0] FileName OPTIONAL, continueAfter [1] */
        if (tlv_next(m, &v, &t) && is(&t, CLS_CTX, 0))
            file_name(m, &t.v, target, sizeof target);
        break;
    case SVC_FILE_DELETE: /* FileName */
        file_name(m, &v, target, sizeof target);
        break;
    case SVC_FILE_READ: { /* the file-read state machine id from fileOpen */
        uint32_t frsm;
        if (uint_val(&v, &frsm))
            str_fmt(target, sizeof target, "frsm %u", frsm);
        break;
    }
    case SVC_OBTAIN_FILE:   /* sourceFileServer [0] OPTIONAL, sourceFile [1], destinationFile [2] */
    case SVC_FILE_RENAME: { /* currentFileName [0], newFileName [1] */
        char a[80] = "", b[80] = "";
        while (tlv_next(m, &v, &t)) {
            if (is(&t, CLS_CTX, n == SVC_OBTAIN_FILE ? 1 : 0))
                file_name(m, &t.v, a, sizeof a);
            else if (is(&t, CLS_CTX, n == SVC_OBTAIN_FILE ? 2 : 1))
                file_name(m, &t.v, b, sizeof b);
        }
        if (a[0] || b[0])
            str_fmt(target, sizeof target, "%s -> %s", a, b);
        break;
    }
    default:
        /* the domain and program invocation services name their object by an Identifier,
         * the whole request or its first element */
        if (!svc->cons && rd_left(&v) && n >= 26) {
            str_val(&v, target, sizeof target);
        } else if (svc->cons && tlv_next(m, &v, &t) && is(&t, CLS_UNIV, 26)) {
            str_val(&t.v, target, sizeof target);
        } else if (svc->cons && n == 12) { /* getNamedVariableListAttributes: ObjectName */
            struct rd w = svc->v;
            if (tlv_next(m, &w, &t))
                object_name(m, &t, target, sizeof target);
        }
    }
    struct mms_pending *p = remember(m->s, invoke);
    p->service = n < 255 ? (uint8_t)n : 255;
    p->kind = (uint8_t)kind;
    p->aux = aux;
    p->nvars = nvars;
    p->truncated = strlen(target) >= sizeof p->target;
    str_copy(p->target, sizeof p->target, target);
    char f[64];
    function_of(p->service, aux, f, sizeof f);
    emit_op(m->c, kind, f, target[0] ? target : NULL, NULL);
}

/* Identify-Response: vendorName [0], modelName [1], revision [2] (ISO 9506-2 §10.2.2) */
static void identify_resp(struct m *m, struct rd *v)
{
    static const enum attr_field fields[3] = {F_VENDOR, F_PRODUCT, F_FIRMWARE};
    struct tlv t;
    while (tlv_next(m, v, &t)) {
        if (t.cls != CLS_CTX || t.num > 2 || t.cons)
            continue;
        char val[128];
        str_val(&t.v, val, sizeof val);
        if (val[0])
            emit_attr(m->c, WHO_SRC, fields[t.num], val, "mms identify");
    }
}

/* GetNameList-Response: listOfIdentifier [0], moreFollows [1].  Domains are the server's
 * logical devices (IEC 61850-8-1 §9). */
static void name_list_resp(struct m *m, const struct mms_pending *p, struct rd *v)
{
    struct tlv t, id;
    if (!p || p->aux != OBJ_CLASS_DOMAIN + 1)
        return;
    int n = 0;
    while (tlv_next(m, v, &t)) {
        if (!is(&t, CLS_CTX, 0))
            continue;
        while (n < MMS_NAMES_MAX && tlv_next(m, &t.v, &id)) {
            char name[MMS_TARGET_MAX + 1];
            str_val(&id.v, name, sizeof name);
            if (name[0] && is(&id, CLS_UNIV, 26)) {
                emit_attr(m->c, WHO_SRC, F_MODULE_NAME, name, "mms getNameList (logical device)");
                n++;
            }
        }
    }
}

/* a DataAccessError as result text */
static void access_error(uint32_t code, char *out, size_t outsz)
{
    str_fmt(out, outsz, "failure: %s (%u)",
            code < sizeof access_errors / sizeof *access_errors ? access_errors[code] : "unknown",
            code);
}

/* LPHD/LLN0 nameplate attributes read one by one (IEC 61850-7-3 DPL and LPL) */
static void nameplate(struct m *m, const struct mms_pending *p, const struct tlv *data)
{
    static const struct {
        const char *suffix;
        enum attr_field f;
    } map[] = {{"$PhyNam$vendor", F_VENDOR},         {"$PhyNam$model", F_PRODUCT},
               {"$PhyNam$swRev", F_FIRMWARE},        {"$PhyNam$hwRev", F_HARDWARE},
               {"$PhyNam$serNum", F_SERIAL},         {"$NamPlt$vendor", F_VENDOR},
               {"$NamPlt$swRev", F_SOFTWARE_VERSION}};
    if (p->nvars != 1 || p->truncated || data->cons ||
        !(is(data, CLS_CTX, 10) || is(data, CLS_CTX, 16)))
        return; /* visible-string [10] or MMSString [16] */
    for (size_t i = 0; i < sizeof map / sizeof *map; i++) {
        if (!ends_with(p->target, map[i].suffix))
            continue;
        char val[128], src[64];
        struct rd v = data->v;
        str_val(&v, val, sizeof val);
        str_fmt(src, sizeof src, "mms read %s", map[i].suffix + 1);
        if (val[0])
            emit_attr(m->c, WHO_SRC, map[i].f, val, src);
    }
}

/* Read-Response: variableAccessSpecification [0] OPTIONAL, listOfAccessResult [1] { failure [0]
 * DataAccessError | success Data } */
static void read_resp(struct m *m, const struct mms_pending *p, struct rd *v)
{
    struct tlv t, r;
    while (tlv_next(m, v, &t)) {
        if (!is(&t, CLS_CTX, 1) || !tlv_next(m, &t.v, &r))
            continue;
        if (is(&r, CLS_CTX, 0) && !r.cons) {
            uint32_t code = 0;
            char res[64];
            uint_val(&r.v, &code);
            access_error(code, res, sizeof res);
            if (p)
                emit_pending(m, p, res);
        } else if (p) {
            nameplate(m, p, &r);
        }
    }
}

/* Write-Response: SEQUENCE OF { failure [0] DataAccessError | success [1] NULL } */
static void write_resp(struct m *m, const struct mms_pending *p, struct rd *v)
{
    struct tlv t;
    unsigned n = 0, failed = 0;
    uint32_t first = 0;
    while (tlv_next(m, v, &t)) {
        n++;
        if (is(&t, CLS_CTX, 0) && !t.cons) {
            uint32_t code = 0;
            uint_val(&t.v, &code);
            if (!failed++)
                first = code;
        }
    }
    if (!failed || !p)
        return;
    char res[96];
    access_error(first, res, sizeof res);
    if (n > 1) {
        size_t len = strlen(res);
        str_fmt(res + len, sizeof res - len, ", %u of %u failed", failed, n);
    }
    emit_pending(m, p, res);
}

static void response(struct m *m, uint32_t invoke, struct tlv *svc)
{
    struct mms_pending *p = find(m->s, invoke);
    if (p && p->service != svc->num)
        p = NULL; /* an answer to something else: the request was not seen */
    role_ied(m, "mms confirmed response");
    struct rd v = svc->v;
    switch (svc->num) {
    case SVC_IDENTIFY:
        identify_resp(m, &v);
        break;
    case SVC_GET_NAME_LIST:
        name_list_resp(m, p, &v);
        break;
    case SVC_READ:
        read_resp(m, p, &v);
        break;
    case SVC_WRITE:
        write_resp(m, p, &v);
        break;
    }
    if (p)
        p->used = 0;
}

/* ServiceError: errorClass [0] { class [n] INTEGER }, additionalCode [1], ... */
static void service_error(struct m *m, struct rd *v, char *out, size_t outsz)
{
    struct tlv t, e;
    str_copy(out, outsz, "error");
    while (tlv_next(m, v, &t)) {
        if (!is(&t, CLS_CTX, 0) || !tlv_next(m, &t.v, &e) || e.cls != CLS_CTX)
            continue;
        uint32_t code = 0;
        uint_val(&e.v, &code);
        const char *const *names = NULL;
        size_t nn = 0;
        switch (e.num) {
        case 2:
            names = err_definition, nn = sizeof err_definition / sizeof *err_definition;
            break;
        case 4:
            names = err_service, nn = sizeof err_service / sizeof *err_service;
            break;
        case 7:
            names = err_access, nn = sizeof err_access / sizeof *err_access;
            break;
        case 11:
            names = err_file, nn = sizeof err_file / sizeof *err_file;
            break;
        }
        const char *cls =
            e.num < sizeof error_classes / sizeof *error_classes ? error_classes[e.num] : "unknown";
        if (names && code < nn)
            str_fmt(out, outsz, "error %s: %s (%u)", cls, names[code], code);
        else
            str_fmt(out, outsz, "error %s: %u", cls, code);
    }
}

/* confirmed-ErrorPDU: invokeID [0], modifierPosition [1] OPTIONAL, serviceError [2] */
static void confirmed_error(struct m *m, struct rd *v)
{
    struct tlv t;
    uint32_t invoke = 0;
    bool have_id = false;
    char res[96] = "error";
    while (tlv_next(m, v, &t)) {
        if (is(&t, CLS_CTX, 0) && !t.cons)
            have_id = uint_val(&t.v, &invoke);
        else if (is(&t, CLS_CTX, 2))
            service_error(m, &t.v, res, sizeof res);
    }
    if (!have_id) {
        bad(m, "mms: confirmed error without an invokeID");
        return;
    }
    struct mms_pending *p = find(m->s, invoke);
    if (p) {
        emit_pending(m, p, res);
        p->used = 0;
    } else {
        emit_op(m->c, OP_OTHER, "confirmed error", NULL, res);
    }
}

/* Reject: originalInvokeID [0] OPTIONAL, rejectReason [1..] INTEGER (§7.1.4) */
static void reject(struct m *m, struct rd *v)
{
    static const char *const what[] = {"",
                                       "confirmed-request",
                                       "confirmed-response",
                                       "confirmed-error",
                                       "unconfirmed",
                                       "pdu-error",
                                       "cancel-request",
                                       "cancel-response",
                                       "cancel-error",
                                       "conclude-request",
                                       "conclude-response",
                                       "conclude-error"};
    struct tlv t;
    uint32_t invoke = 0, code = 0, reason = 0;
    bool have_id = false;
    while (tlv_next(m, v, &t)) {
        if (is(&t, CLS_CTX, 0) && !t.cons) {
            have_id = uint_val(&t.v, &invoke);
        } else if (t.cls == CLS_CTX && t.num >= 1 && t.num < sizeof what / sizeof *what) {
            reason = t.num;
            uint_val(&t.v, &code);
        }
    }
    struct mms_pending *p = have_id && m->dir == 1 ? find(m->s, invoke) : NULL;
    if (!p)
        return;
    char res[64];
    str_fmt(res, sizeof res, "rejected: %s %u", reason ? what[reason] : "reason", code);
    emit_pending(m, p, res);
    p->used = 0;
}

/* InformationReport: variableAccessSpecification, listOfAccessResult [0].  IEC 61850 reports
 * are named "RPT" and carry the report id first (-8-1 §17.2.3.2) */
static void information_report(struct m *m, struct rd *v)
{
    struct tlv spec, list, first;
    if (!tlv_next(m, v, &spec) || !tlv_next(m, v, &list) || !is(&list, CLS_CTX, 0))
        return;
    struct rd s = spec.v;
    struct tlv name;
    char rpt[8] = "", rpt_id[MMS_TARGET_MAX] = "";
    if (is(&spec, CLS_CTX, 1) && tlv_next(m, &s, &name) && is(&name, CLS_CTX, 0))
        str_val(&name.v, rpt, sizeof rpt);
    if (tlv_next(m, &list.v, &first) && is(&first, CLS_CTX, 10))
        str_val(&first.v, rpt_id, sizeof rpt_id);
    if (!strcmp(rpt, "RPT") && rpt_id[0])
        role_ied(m, "mms information report");
}

/* initiate Request/Response: localDetail [0], maxServOutstandingCalling [1], ...Called [2],
 * dataStructureNestingLevel [3], initRequestDetail [4] { versionNumber [0], parameterCBB [1],
 * servicesSupported [2] } */
static void initiate(struct m *m, struct rd *v, bool response)
{
    struct tlv t, d;
    uint32_t local = 0, calling = 0, called = 0, version = 0;
    bool have_local = false, have_version = false;
    while (tlv_next(m, v, &t)) {
        if (t.cls != CLS_CTX)
            continue;
        if (t.num == 0)
            have_local = uint_val(&t.v, &local);
        else if (t.num == 1)
            uint_val(&t.v, &calling);
        else if (t.num == 2)
            uint_val(&t.v, &called);
        else if (t.num == 4 && t.cons) {
            while (tlv_next(m, &t.v, &d)) {
                /* parameterCBB [1] and servicesSupported [2] are bit strings of what the
                 * stack implements: not reported */
                if (is(&d, CLS_CTX, 0))
                    have_version = uint_val(&d.v, &version);
            }
        }
    }
    if (!response) {
        char target[64] = "";
        if (have_local)
            str_fmt(target, sizeof target, "pdu size %u, outstanding %u/%u", local, calling,
                    called);
        emit_op(m->c, OP_SESSION, "initiate (8)", target[0] ? target : NULL, NULL);
        return;
    }
    role_ied(m, "mms initiate response");
    if (have_version && !m->s->version_done && m->dir == 1) {
        m->s->version_done = true;
        emit_attrf(m->c, WHO_SRC, F_PROTOCOL_VERSION, "mms initiate response", "MMS version %u",
                   version);
    }
}

static void mms_pdu(struct m *m, struct rd *r)
{
    struct tlv pdu, t;
    if (!tlv_next(m, r, &pdu))
        return;
    if (pdu.cls != CLS_CTX || pdu.num > PDU_CONCL_ERR) {
        bad(m, "mms: unknown MMS PDU");
        return;
    }
    struct rd v = pdu.v;
    uint32_t invoke = 0;
    switch (pdu.num) {
    case PDU_CONF_REQ:
    case PDU_CONF_RESP:
        if (!tlv_next(m, &v, &t) || !is(&t, CLS_UNIV, 2) || !uint_val(&t.v, &invoke)) {
            if (!m->partial || rd_left(&v))
                bad(m, "mms: confirmed PDU without an invokeID");
            return;
        }
        if (!tlv_next(m, &v, &t))
            return;
        if (pdu.num == PDU_CONF_REQ && is(&t, CLS_UNIV, 16) && !tlv_next(m, &v, &t))
            return; /* listOfModifiers */
        if (pdu.num == PDU_CONF_REQ)
            request(m, invoke, &t);
        else
            response(m, invoke, &t);
        break;
    case PDU_CONF_ERR:
        confirmed_error(m, &v);
        break;
    case PDU_UNCONF:
        if (tlv_next(m, &v, &t) && is(&t, CLS_CTX, 0))
            information_report(m, &t.v);
        break;
    case PDU_REJECT:
        reject(m, &v);
        break;
    case PDU_INIT_REQ:
    case PDU_INIT_RESP:
        initiate(m, &v, pdu.num == PDU_INIT_RESP);
        break;
    case PDU_INIT_ERR: {
        char res[96];
        service_error(m, &v, res, sizeof res);
        emit_op(m->c, OP_SESSION, "initiate (8)", NULL, res);
        break;
    }
    default: /* cancel, conclude: nothing to report */
        break;
    }
}

/* ---- ACSE (ISO 8650-1) ---- */

/* AP-title: form2 OBJECT IDENTIFIER (form1, a directory name, is not shown) */
static void ap_title(struct m *m, struct rd *v, char *out, size_t outsz)
{
    struct tlv t;
    out[0] = '\0';
    if (tlv_next(m, v, &t) && is(&t, CLS_UNIV, 6) && !ber_oid_text(&t.v, out, outsz))
        out[0] = '\0';
}

static void acse(struct m *m, struct rd *r)
{
    struct tlv apdu, t;
    if (!tlv_next(m, r, &apdu))
        return;
    if (apdu.cls != CLS_APP || apdu.num > 4) {
        bad(m, "mms: unknown ACSE APDU");
        return;
    }
    if (apdu.num > 1)
        return; /* release and abort */
    bool aare = apdu.num == 1;
    struct rd v = apdu.v;
    char title[64] = "", mech[32] = "";
    uint32_t result = 0, qualifier = 0;
    bool have_qualifier = false, password = false;
    while (tlv_next(m, &v, &t)) {
        if (t.cls != CLS_CTX)
            continue;
        struct tlv u;
        struct rd w = t.v;
        if (aare && t.num == 2 && tlv_next(m, &w, &u)) { /* result */
            uint_val(&u.v, &result);
        } else if (t.num == (aare ? 4u : 6u)) { /* responding / calling AP-title */
            ap_title(m, &w, title, sizeof title);
        } else if (t.num == (aare ? 5u : 7u) && tlv_next(m, &w, &u) && is(&u, CLS_UNIV, 2)) {
            have_qualifier = uint_val(&u.v, &qualifier);
        } else if (!aare && t.num == 11 && !t.cons) { /* mechanism-name */
            if (!ber_oid_text(&w, mech, sizeof mech))
                mech[0] = '\0';
        } else if (!aare && t.num == 12 && tlv_next(m, &w, &u) && is(&u, CLS_CTX, 0)) {
            password = true;      /* calling-authentication-value charstring */
        } else if (t.num == 30) { /* user-information: EXTERNAL { ..., single-ASN1-type [0] } */
            struct tlv ext, e;
            if (!tlv_next(m, &w, &ext) || !is(&ext, CLS_UNIV, 8))
                continue;
            while (tlv_next(m, &ext.v, &e))
                if (is(&e, CLS_CTX, 0) && e.cons)
                    mms_pdu(m, &e.v);
        }
    }
    if (title[0]) {
        char val[96];
        if (have_qualifier)
            str_fmt(val, sizeof val, "ap-title %s ae-qualifier %u", title, qualifier);
        else
            str_fmt(val, sizeof val, "ap-title %s", title);
        emit_attr(m->c, WHO_SRC, F_DEVICE_ID, val,
                  aare ? "mms acse aare (responding ap-title)"
                       : "mms acse aarq (calling ap-title)");
    }
    if (password) { /* ISO 8650 password authentication (2.2.3.1): the value in clear */
        emit_op(m->c, OP_AUTH, "acse password authentication", mech[0] ? mech : NULL, NULL);
        emit_finding(m->c, WHO_SERVER, "cleartext-credentials", "mms acse password");
    }
    if (aare && result) {
        char res[48];
        str_fmt(res, sizeof res, "association rejected (%u)", result);
        emit_op(m->c, OP_SESSION, "initiate (8)", NULL, res);
    }
}

/* ---- presentation (ISO 8823-1) ---- */

/* fully-encoded-data: SEQUENCE OF PDV-list { transfer-syntax-name OPTIONAL,
 * presentation-context-identifier, single-ASN1-type [0] | octet-aligned [1] | arbitrary [2] } */
static void fully_encoded(struct m *m, struct rd *r)
{
    struct tlv pdv, t;
    while (tlv_next(m, r, &pdv)) {
        if (!is(&pdv, CLS_UNIV, 16)) {
            bad(m, "mms: presentation data is not a PDV-list");
            return;
        }
        uint32_t ctx = 0;
        while (tlv_next(m, &pdv.v, &t)) {
            if (is(&t, CLS_UNIV, 2)) {
                uint_val(&t.v, &ctx);
            } else if (is(&t, CLS_CTX, 0) || is(&t, CLS_CTX, 1)) {
                struct rd d = t.v;
                bool is_acse = m->s->acse_ctx && ctx == m->s->acse_ctx;
                bool is_mms = m->s->mms_ctx && ctx == m->s->mms_ctx;
                if (!is_acse && !is_mms) /* contexts not seen: ACSE APDUs are [APPLICATION] */
                    is_acse = (rd_peek_u8(&d, 0) & 0xc0) == 0x40;
                if (is_acse)
                    acse(m, &d);
                else
                    mms_pdu(m, &d);
            }
        }
    }
}

/* User-data: fully-encoded-data [APPLICATION 1]; simply-encoded-data [APPLICATION 0] is not
 * used by MMS */
static void user_data(struct m *m, const struct tlv *t)
{
    if (is(t, CLS_APP, 1)) {
        struct rd v = t->v;
        fully_encoded(m, &v);
    }
}

/* presentation-context-definition-list [4]: SEQUENCE OF { identifier, abstract-syntax-name,
 * transfer-syntax-name-list }; remembers which context carries ACSE and which MMS */
static void contexts(struct m *m, struct rd *r)
{
    static const uint8_t acse_as[] = {0x52, 0x01, 0x00, 0x01};      /* 2.2.1.0.1 */
    static const uint8_t mms_as[] = {0x28, 0xca, 0x22, 0x02, 0x01}; /* 1.0.9506.2.1 */
    struct tlv item, t;
    while (tlv_next(m, r, &item)) {
        uint32_t id = 0;
        while (tlv_next(m, &item.v, &t)) {
            if (is(&t, CLS_UNIV, 2)) {
                uint_val(&t.v, &id);
            } else if (is(&t, CLS_UNIV, 6) && id && id < 256) {
                if (rd_left(&t.v) == sizeof acse_as && rd_match(&t.v, acse_as, sizeof acse_as))
                    m->s->acse_ctx = (uint8_t)id;
                else if (rd_left(&t.v) == sizeof mms_as && rd_match(&t.v, mms_as, sizeof mms_as))
                    m->s->mms_ctx = (uint8_t)id;
            }
        }
    }
}

/* CP-type / CPA-PPDU: SET { mode-selector [0], normal-mode-parameters [2] { ..., context
 * definition list [4] (CP), ..., user-data } } */
static void pres_connect(struct m *m, struct rd *r, bool accept)
{
    struct tlv set, t, p;
    if (!tlv_next(m, r, &set))
        return;
    if (!is(&set, CLS_UNIV, 17)) {
        bad(m, "mms: presentation connect is not a SET");
        return;
    }
    if (!accept) {
        m->s->acse_ctx = 0;
        m->s->mms_ctx = 0;
    }
    while (tlv_next(m, &set.v, &t)) {
        if (!is(&t, CLS_CTX, 2))
            continue; /* mode-selector; x410-mode-parameters are not followed */
        while (tlv_next(m, &t.v, &p)) {
            if (!accept && is(&p, CLS_CTX, 4))
                contexts(m, &p.v);
            else if (p.cls == CLS_APP)
                user_data(m, &p);
        }
    }
}

/* ---- session (ISO 8327-1) ---- */

/* an SPDU or parameter length: one octet, or 0xff and two more (§8.2.5) */
static size_t spdu_len(struct rd *r)
{
    uint8_t l = rd_u8(r);
    return l == 0xff ? rd_be16(r) : l;
}

/* n bytes of r, or in a partial TSDU what is left */
static struct rd take(struct m *m, struct rd *r, size_t n, const char *what)
{
    if (n <= rd_left(r))
        return rd_sub(r, n);
    if (!m->partial)
        bad(m, what);
    return rd_rest(r);
}

/* the parameters of a CN/AC/FN/DN/AB/RF SPDU; user data (PI 193 or 194) as a sub-cursor */
static bool spdu_user_data(struct m *m, struct rd *params, struct rd *ud)
{
    bool found = false;
    while (rd_left(params) >= 2) {
        uint8_t pi = rd_u8(params);
        size_t n = spdu_len(params);
        if (!rd_ok(params)) {
            if (!m->partial)
                bad(m, "mms: session parameter truncated");
            return found;
        }
        struct rd v = take(m, params, n, "mms: session parameter longer than its SPDU");
        if (pi == SPDU_USER_DATA || pi == SPDU_EXT_USER_DATA) {
            *ud = v;
            found = true;
        }
    }
    return found;
}

void mms_parse(struct pctx *c, struct mms_state *s, int dir, struct rd *r, bool partial)
{
    struct m m = {c, s, dir, partial, NULL};
    uint8_t si = rd_u8(r);
    size_t li = spdu_len(r);
    if (!rd_ok(r)) {
        if (!partial)
            emit_malformed(c, "mms: session SPDU truncated");
        return;
    }
    struct rd params = take(&m, r, li, "mms: session SPDU longer than the TSDU");
    struct rd ud = rd_init(NULL, 0);
    struct tlv t;
    switch (si) {
    case SPDU_GT_DT: /* GIVE TOKENS, then DATA TRANSFER (§7.9, basic concatenation) */
        if (rd_peek_u8(r, 0) == SPDU_GT_DT) {
            rd_skip(r, 1);
            size_t n = spdu_len(r);
            take(&m, r, n, "mms: data transfer SPDU longer than the TSDU");
        }
        ud = rd_rest(r);
        if (tlv_next(&m, &ud, &t))
            user_data(&m, &t);
        break;
    case SPDU_CN:
    case SPDU_AC:
        if (spdu_user_data(&m, &params, &ud))
            pres_connect(&m, &ud, si == SPDU_AC);
        break;
    case SPDU_FN:
    case SPDU_DN:
    case SPDU_NF:
        if (spdu_user_data(&m, &params, &ud) && tlv_next(&m, &ud, &t))
            user_data(&m, &t);
        break;
    default: /* refuse, abort and the rest: nothing to report */
        break;
    }
    if (m.bad)
        emit_malformed(c, m.bad);
}

void mms_gap(struct mms_state *s, int dir)
{
    if (dir == 1) /* responses were lost: their requests will never be answered */
        for (int i = 0; i < MMS_PENDING; i++)
            s->pending[i].used = 0;
}
