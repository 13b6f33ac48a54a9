/* goose.c - IEC 61850-8-1 GOOSE on ethertype 0x88b8 (Annex A and C), untagged or inside 802.1Q
 * (the link decoder removes the tag).  A layer-2 publication to a multicast group: everything is
 * about the publisher (the frame's source MAC), subscribers are never visible.  The frame is
 * decoded whole into struct goose_pdu before anything is emitted, so a bad frame yields one
 * malformed report and no half identity.  The goosePdu is DER with low context tags only. */
#include "dissect/goose.h"

#include <stdio.h>
#include <string.h>

#include "dissect/dissect.h"
#include "util/ber.h"
#include "util/str.h"

#define GOOSE_PDU_TAG 0x61 /* IECGoosePdu [APPLICATION 1] constructed (8-1 Annex A) */
#define CTX           0x80 /* context-specific class */
#define CONSTRUCTED   0x20
#define VSTR_MAX      129 /* VisibleString SIZE(1..129) of gocbRef, datSet, goID (8-1 Ed.2) */
#define SRC           "goose goosePdu"

/* goosePdu elements, by context tag number (8-1 Annex A, IECGoosePdu) */
enum {
    G_GOCB_REF = 0,
    G_TAL = 1,
    G_DAT_SET = 2,
    G_GO_ID = 3,
    G_T = 4,
    G_ST_NUM = 5,
    G_SQ_NUM = 6,
    G_SIMULATION = 7,
    G_CONF_REV = 8,
    G_NDS_COM = 9,
    G_NUM_ENTRIES = 10,
    G_ALL_DATA = 11,
    G_SECURITY = 12,
};
static const char *const field_names[] = {
    [G_GOCB_REF] = "gocbRef",
    [G_TAL] = "timeAllowedtoLive",
    [G_DAT_SET] = "datSet",
    [G_GO_ID] = "goID",
    [G_T] = "t",
    [G_ST_NUM] = "stNum",
    [G_SQ_NUM] = "sqNum",
    [G_SIMULATION] = "simulation",
    [G_CONF_REV] = "confRev",
    [G_NDS_COM] = "ndsCom",
    [G_NUM_ENTRIES] = "numDatSetEntries",
    [G_ALL_DATA] = "allData",
    [G_SECURITY] = "security",
};
/* OPTIONAL or DEFAULT elements: goID, simulation, ndsCom, security */
#define G_MANDATORY                                                                                \
    (1u << G_GOCB_REF | 1u << G_TAL | 1u << G_DAT_SET | 1u << G_T | 1u << G_ST_NUM |               \
     1u << G_SQ_NUM | 1u << G_CONF_REV | 1u << G_NUM_ENTRIES | 1u << G_ALL_DATA)

/* Data CHOICE (8-1 Annex A, as MMS Data of ISO 9506-2 §14.4.1) */
enum {
    D_ARRAY = 1,
    D_STRUCTURE = 2,
    D_BOOLEAN = 3,
    D_BIT_STRING = 4,
    D_INTEGER = 5,
    D_UNSIGNED = 6,
    D_FLOAT = 7,
    D_REAL = 8,
    D_OCTET_STRING = 9,
    D_VISIBLE_STRING = 10,
    D_GENERALIZED_TIME = 11,
    D_BINARY_TIME = 12,
    D_BCD = 13,
    D_BOOLEAN_ARRAY = 14,
    D_OBJ_ID = 15,
    D_MMS_STRING = 16,
    D_UTC_TIME = 17,
};
static const char *const data_names[GOOSE_DATA_TAGS] = {
    NULL,          "array",        "structure",      "boolean",
    "bit-string",  "integer",      "unsigned",       "floating-point",
    "real",        "octet-string", "visible-string", "generalized-time",
    "binary-time", "bcd",          "boolean-array",  "objId",
    "mms-string",  "utc-time"};

const char *goose_data_type_name(unsigned tag)
{
    return tag < GOOSE_DATA_TAGS ? data_names[tag] : NULL;
}

bool goose_logical_device(const char *ref, char *out, size_t outsz)
{
    const char *slash = strchr(ref, '/');
    if (!slash || slash == ref || !outsz)
        return false;
    size_t n = (size_t)(slash - ref);
    if (n >= outsz)
        n = outsz - 1;
    memcpy(out, ref, n);
    out[n] = 0;
    return true;
}

/* ---- element values ---- */
static bool vstr(struct rd *v, char *dst, size_t dstsz, bool may_be_empty)
{
    size_t n = rd_left(v);
    if (n > VSTR_MAX || (!n && !may_be_empty))
        return false;
    rd_str(v, n, dst, dstsz);
    return rd_ok(v);
}

static bool uint32_of(struct rd *v, uint32_t *out)
{
    int64_t x;
    if (!ber_int(v, &x) || x < 0 || x > (int64_t)UINT32_MAX)
        return false;
    *out = (uint32_t)x;
    return true;
}

static bool bool_of(struct rd *v, bool *out)
{
    if (rd_left(v) != 1)
        return false;
    *out = rd_u8(v) != 0;
    return rd_ok(v);
}

/* UtcTime (8-1 §8.1.3.7 / 61850-7-2 TimeStamp): 4 octets seconds, 3 octets fraction, quality */
static bool utc_time(struct rd *v, struct goose_pdu *g)
{
    if (rd_left(v) != 8)
        return false;
    g->t_sec = rd_be32(v);
    g->t_frac = rd_be24(v);
    g->t_quality = rd_u8(v);
    g->t_ns =
        (int64_t)g->t_sec * 1000000000ll + (int64_t)(((uint64_t)g->t_frac * 1000000000ull) >> 24);
    return rd_ok(v);
}

/* a primitive Data value's length as its type allows */
static bool data_len_ok(unsigned tag, struct rd *v)
{
    size_t n = rd_left(v);
    switch (tag) {
    case D_BOOLEAN:
        return n == 1;
    case D_BIT_STRING:
    case D_BOOLEAN_ARRAY:
        return n >= 1 && rd_peek_u8(v, 0) <= 7 && (n > 1 || rd_peek_u8(v, 0) == 0);
    case D_INTEGER:
    case D_UNSIGNED:
        return n >= 1 && n <= 9;
    case D_FLOAT: /* exponent width octet, then IEEE 754 single or double */
        return n == 5 || n == 9;
    case D_BINARY_TIME:
        return n == 4 || n == 6;
    case D_UTC_TIME:
        return n == 8;
    case D_BCD:
        return n >= 1 && n <= 8;
    case D_OBJ_ID:
        return n >= 1;
    default:
        return true;
    }
}

/* a SEQUENCE OF Data: count elements (in *count) and types, nesting at most GOOSE_DEPTH_MAX */
static const char *data_seq(struct rd *seq, int depth, struct goose_pdu *g, uint32_t *count)
{
    while (rd_left(seq)) {
        uint8_t tag;
        struct rd v;
        if (!ber_next(seq, &tag, &v))
            return "goose: allData element cut or longer than its container";
        unsigned num = tag & 0x1f;
        bool constructed = tag & CONSTRUCTED;
        if ((tag & 0xc0) != CTX || num < D_ARRAY || num > D_UTC_TIME)
            return "goose: allData element with an unknown tag";
        if (constructed != (num == D_ARRAY || num == D_STRUCTURE))
            return "goose: allData element of the wrong form";
        if (constructed) {
            if (depth + 1 >= GOOSE_DEPTH_MAX)
                return "goose: allData nested too deep";
            uint32_t members = 0;
            const char *why = data_seq(&v, depth + 1, g, &members);
            if (why)
                return why;
        } else if (!data_len_ok(num, &v)) {
            return "goose: allData value of a wrong length for its type";
        }
        (*count)++;
        g->n_values++;
        g->n_type[num]++;
    }
    return NULL;
}

/* one goosePdu element into g; false when its value is invalid for the field */
static bool element(unsigned num, struct rd *v, struct goose_pdu *g, const char **why)
{
    switch (num) {
    case G_GOCB_REF:
        return vstr(v, g->gocb_ref, sizeof g->gocb_ref, false);
    case G_TAL:
        return uint32_of(v, &g->tal_ms);
    case G_DAT_SET:
        return vstr(v, g->dat_set, sizeof g->dat_set, false);
    case G_GO_ID:
        g->has_go_id = true;
        return vstr(v, g->go_id, sizeof g->go_id, true);
    case G_T:
        return utc_time(v, g);
    case G_ST_NUM:
        return uint32_of(v, &g->st_num);
    case G_SQ_NUM:
        return uint32_of(v, &g->sq_num);
    case G_SIMULATION:
        return bool_of(v, &g->test);
    case G_CONF_REV:
        return uint32_of(v, &g->conf_rev);
    case G_NDS_COM:
        return bool_of(v, &g->nds_com);
    case G_NUM_ENTRIES:
        return uint32_of(v, &g->num_entries);
    case G_ALL_DATA:
        *why = data_seq(v, 0, g, &g->n_data);
        return *why == NULL;
    case G_SECURITY: /* ANY: 62351-6 signature, not checked here */
        g->has_security = true;
        return true;
    }
    return false;
}

bool goose_decode(struct rd *r, struct goose_pdu *g, char *whybuf, size_t whysz, const char **why)
{
    memset(g, 0, sizeof *g);
    *why = NULL;
    g->appid = rd_be16(r);
    g->length = rd_be16(r);
    g->reserved1 = rd_be16(r);
    g->reserved2 = rd_be16(r);
    if (!rd_ok(r)) {
        *why = "goose: truncated header";
        return false;
    }
    g->simulation_bit = g->reserved1 & 0x8000;
    /* Length counts from APPID to the end of the APDU (Annex C.2.3); Ethernet padding follows */
    if (g->length < 8) {
        str_fmt(whybuf, whysz, "goose: length %u below the 8-byte header", g->length);
        *why = whybuf;
        return false;
    }
    if ((size_t)g->length - 8 > rd_left(r)) {
        str_fmt(whybuf, whysz, "goose: length %u beyond the frame (%zu bytes)", g->length,
                rd_left(r) + 8);
        *why = whybuf;
        return false;
    }
    struct rd apdu = rd_sub(r, (size_t)g->length - 8), pdu;
    uint8_t tag;
    if (!ber_next(&apdu, &tag, &pdu)) {
        *why = "goose: goosePdu header cut or its length beyond the APDU";
        return false;
    }
    if (tag != GOOSE_PDU_TAG) {
        str_fmt(whybuf, whysz, "goose: APDU tag 0x%02x is not goosePdu [APPLICATION 1]", tag);
        *why = whybuf;
        return false;
    }
    int last = -1;
    unsigned seen = 0;
    while (rd_left(&pdu)) {
        struct rd v;
        if (!ber_next(&pdu, &tag, &v)) {
            str_fmt(whybuf, whysz, "goose: goosePdu element after %s cut or too long",
                    last < 0 ? "the start" : field_names[last]);
            *why = whybuf;
            return false;
        }
        unsigned num = tag & 0x1f;
        /* DER SEQUENCE: context tags in ascending order; only allData (and security, ANY) is
         * constructed */
        if ((tag & 0xc0) != CTX || num > G_SECURITY || (int)num <= last ||
            (num != G_SECURITY && (bool)(tag & CONSTRUCTED) != (num == G_ALL_DATA))) {
            str_fmt(whybuf, whysz, "goose: unexpected element 0x%02x after %s", tag,
                    last < 0 ? "the start" : field_names[last]);
            *why = whybuf;
            return false;
        }
        last = (int)num;
        seen |= 1u << num;
        const char *inner = NULL;
        if (!element(num, &v, g, &inner)) {
            if (inner) {
                *why = inner;
            } else {
                str_fmt(whybuf, whysz, "goose: invalid %s", field_names[num]);
                *why = whybuf;
            }
            return false;
        }
    }
    if ((seen & G_MANDATORY) != G_MANDATORY) {
        unsigned miss = 0;
        while (seen & G_MANDATORY & (1u << miss) || !(G_MANDATORY & (1u << miss)))
            miss++;
        str_fmt(whybuf, whysz, "goose: goosePdu without %s", field_names[miss]);
        *why = whybuf;
        return false;
    }
    if (g->n_data != g->num_entries) {
        str_fmt(whybuf, whysz, "goose: numDatSetEntries %u but allData holds %u", g->num_entries,
                g->n_data);
        *why = whybuf;
        return false;
    }
    return true;
}

static void parse(struct pctx *c, void *state, int dir, struct rd *pdu)
{
    (void)state;
    (void)dir;
    struct goose_pdu g;
    char whybuf[128];
    const char *why;
    if (!goose_decode(pdu, &g, whybuf, sizeof whybuf, &why)) {
        emit_malformed(c, why);
        return;
    }
    /* the publisher: an IED by IEC 61850 (a GoCB lives in an IED's LLN0) */
    emit_protocol(c, PROTO_GOOSE);
    emit_role(c, WHO_SRC, "ied", "goose publisher");
    char ld[GOOSE_STR_MAX];
    if (goose_logical_device(g.gocb_ref, ld, sizeof ld))
        emit_attr(c, WHO_SRC, F_MODULE_NAME, ld, SRC);
    emit_attr(c, WHO_SRC, F_GOOSE_GOCB_REF, g.gocb_ref, SRC);
    emit_attr(c, WHO_SRC, F_GOOSE_DATASET, g.dat_set, SRC);
    if (g.has_go_id)
        emit_attr(c, WHO_SRC, F_GOOSE_ID, g.go_id, SRC);
    emit_attrf(c, WHO_SRC, F_GOOSE_APPID, SRC, "0x%04x", g.appid);
    emit_attrf(c, WHO_SRC, F_GOOSE_CONF_REV, SRC, "%u", g.conf_rev);
}

const struct dissector dissector_goose = {
    .name = "goose",
    .proto = PROTO_GOOSE,
    .ethertype = GOOSE_ETHERTYPE,
    .parse = parse,
};
