/* test_mms.c - IEC 61850 MMS over the OSI stack on port 102 (mms.c behind s7comm.c's COTP
 * framing) with hand-made PDUs: session CONNECT/ACCEPT with AARQ/AARE and initiate, Identify
 * (vendor, model, revision), GetNameList of the logical devices, reads with their failures,
 * writes to a report control block, a data value and a control object, a confirmed error, a
 * PDU split over TCP segments and over COTP DTs, and hostile encodings (cut lengths,
 * indefinite lengths, absurd tags, every truncation) that must not crash. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "dtest.h"

extern const struct dissector dissector_s7comm;

static struct dtest T;

static int setup(void **st)
{
    (void)st;
    dtest_init(&T, &dissector_s7comm, 102);
    return 0;
}

static int teardown(void **st)
{
    (void)st;
    dtest_done(&T);
    return 0;
}

/* ---- a small BER builder ---- */
struct b {
    uint8_t p[1024];
    size_t n;
};

static void put(struct b *b, const void *p, size_t n)
{
    assert_true(b->n + n <= sizeof b->p);
    memcpy(b->p + b->n, p, n);
    b->n += n;
}

static void tlv(struct b *out, uint8_t tag, const struct b *v)
{
    uint8_t h[4] = {tag};
    size_t hn = 2;
    if (v->n < 128) {
        h[1] = (uint8_t)v->n;
    } else {
        h[1] = 0x82;
        h[2] = (uint8_t)(v->n >> 8);
        h[3] = (uint8_t)v->n;
        hn = 4;
    }
    put(out, h, hn);
    put(out, v->p, v->n);
}

static void tlv_raw(struct b *out, uint8_t tag, const void *p, size_t n)
{
    struct b v = {{0}, 0};
    put(&v, p, n);
    tlv(out, tag, &v);
}

static void tlv_str(struct b *out, uint8_t tag, const char *s)
{
    tlv_raw(out, tag, s, strlen(s));
}

/* TPKT + COTP DT around a TSDU; eot false leaves the TSDU open */
static size_t tpkt(uint8_t *out, const struct b *tsdu, bool eot)
{
    size_t len = 7 + tsdu->n;
    uint8_t h[7] = {3, 0, (uint8_t)(len >> 8), (uint8_t)len, 2, 0xf0, eot ? 0x80 : 0};
    memcpy(out, h, 7);
    memcpy(out + 7, tsdu->p, tsdu->n);
    return len;
}

/* GIVE TOKENS + DATA TRANSFER + fully-encoded data (context 3) around an MMS PDU */
static void data_tsdu(struct b *out, const struct b *mms)
{
    struct b a = {{0}, 0}, l = {{0}, 0}, s = {{0}, 0};
    static const uint8_t gt_dt[] = {1, 0, 1, 0};
    put(out, gt_dt, 4);
    tlv(&a, 0xa0, mms);
    tlv_raw(&l, 0x02, "\x03", 1);
    put(&l, a.p, a.n);
    tlv(&s, 0x30, &l);
    tlv(out, 0x61, &s);
}

static uint8_t pkt[1200];

/* an MMS PDU as one whole TPKT to parse() */
static void mms(int dir, const struct b *pdu)
{
    struct b t = {{0}, 0};
    data_tsdu(&t, pdu);
    dtest_pdu(&T, dir, pkt, tpkt(pkt, &t, true));
}

/* confirmed-Request/Response { invokeID, service } */
static void confirmed(struct b *out, bool response, uint8_t invoke, const struct b *svc)
{
    struct b v = {{0}, 0};
    tlv_raw(&v, 0x02, &invoke, 1);
    put(&v, svc->p, svc->n);
    tlv(out, response ? 0xa1 : 0xa0, &v);
}

static void request(uint8_t invoke, const struct b *svc)
{
    struct b p = {{0}, 0};
    confirmed(&p, false, invoke, svc);
    mms(0, &p);
}

static void response(uint8_t invoke, const struct b *svc)
{
    struct b p = {{0}, 0};
    confirmed(&p, true, invoke, svc);
    mms(1, &p);
}

/* listOfVariable with one domain-specific name */
static void var(struct b *out, const char *dom, const char *item)
{
    struct b ds = {{0}, 0}, n = {{0}, 0}, s = {{0}, 0}, l = {{0}, 0};
    tlv_str(&ds, 0x1a, dom);
    tlv_str(&ds, 0x1a, item);
    tlv(&n, 0xa1, &ds);
    tlv(&s, 0xa0, &n);
    tlv(&l, 0x30, &s);
    tlv(out, 0xa0, &l);
}

static void read_req(uint8_t invoke, const char *dom, const char *item)
{
    struct b spec = {{0}, 0}, v = {{0}, 0}, svc = {{0}, 0};
    var(&spec, dom, item);
    tlv(&v, 0xa1, &spec);
    tlv(&svc, 0xa4, &v);
    request(invoke, &svc);
}

static void write_req(uint8_t invoke, const char *dom, const char *item)
{
    struct b v = {{0}, 0}, d = {{0}, 0}, svc = {{0}, 0};
    var(&v, dom, item);
    tlv_raw(&d, 0x83, "\xff", 1);
    tlv(&v, 0xa0, &d);
    tlv(&svc, 0xa5, &v);
    request(invoke, &svc);
}

static const struct dtest_op *op_with(enum op_kind k, const char *target, bool with_result)
{
    for (int i = 0; i < T.nop; i++)
        if (T.ops[i].kind == k && !strcmp(T.ops[i].target, target) &&
            (T.ops[i].result[0] != '\0') == with_result)
            return &T.ops[i];
    return NULL;
}

/* the corpus initiate (ndpi-iso9506-1-mms.pcap frames 7 and 8): CONNECT with CP-type, AARQ and
 * initiate-Request; ACCEPT with CPA, AARE and initiate-Response */
static const uint8_t cn[] = {
    0x0d, 0x9e, 0x05, 0x06, 0x13, 0x01, 0x00, 0x16, 0x01, 0x02, 0x14, 0x02, 0x00, 0x02, 0x33, 0x02,
    0x00, 0x01, 0x34, 0x02, 0x00, 0x01, 0xc1, 0x88, 0x31, 0x81, 0x85, 0xa0, 0x03, 0x80, 0x01, 0x01,
    0xa2, 0x7e, 0x81, 0x04, 0x00, 0x00, 0x00, 0x01, 0x82, 0x04, 0x00, 0x00, 0x00, 0x01, 0xa4, 0x23,
    0x30, 0x0f, 0x02, 0x01, 0x01, 0x06, 0x04, 0x52, 0x01, 0x00, 0x01, 0x30, 0x04, 0x06, 0x02, 0x51,
    0x01, 0x30, 0x10, 0x02, 0x01, 0x03, 0x06, 0x05, 0x28, 0xca, 0x22, 0x02, 0x01, 0x30, 0x04, 0x06,
    0x02, 0x51, 0x01, 0x88, 0x02, 0x06, 0x00, 0x61, 0x47, 0x30, 0x45, 0x02, 0x01, 0x01, 0xa0, 0x40,
    0x60, 0x3e, 0x80, 0x02, 0x07, 0x80, 0xa1, 0x07, 0x06, 0x05, 0x28, 0xca, 0x22, 0x02, 0x03, 0xbe,
    0x2f, 0x28, 0x2d, 0x02, 0x01, 0x03, 0xa0, 0x28, 0xa8, 0x26, 0x80, 0x03, 0x00, 0xfa, 0x00, 0x81,
    0x01, 0x0a, 0x82, 0x01, 0x0a, 0x83, 0x01, 0x05, 0xa4, 0x16, 0x80, 0x01, 0x01, 0x81, 0x03, 0x05,
    0xe1, 0x00, 0x82, 0x0c, 0x03, 0xa0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xe1, 0x10};
static const uint8_t ac[] = {
    0x0e, 0x89, 0x05, 0x06, 0x13, 0x01, 0x00, 0x16, 0x01, 0x02, 0x14, 0x02, 0x00, 0x02, 0xc1, 0x7b,
    0x31, 0x79, 0xa0, 0x03, 0x80, 0x01, 0x01, 0xa2, 0x72, 0x83, 0x04, 0x00, 0x00, 0x00, 0x01, 0xa5,
    0x12, 0x30, 0x07, 0x80, 0x01, 0x00, 0x81, 0x02, 0x51, 0x01, 0x30, 0x07, 0x80, 0x01, 0x00, 0x81,
    0x02, 0x51, 0x01, 0x88, 0x02, 0x06, 0x00, 0x61, 0x52, 0x30, 0x50, 0x02, 0x01, 0x01, 0xa0, 0x4b,
    0x61, 0x49, 0x80, 0x02, 0x07, 0x80, 0xa1, 0x07, 0x06, 0x05, 0x28, 0xca, 0x22, 0x02, 0x03, 0xa2,
    0x03, 0x02, 0x01, 0x00, 0xa3, 0x05, 0xa1, 0x03, 0x02, 0x01, 0x00, 0xbe, 0x2e, 0x28, 0x2c, 0x02,
    0x01, 0x03, 0xa0, 0x27, 0xa9, 0x25, 0x80, 0x02, 0x7d, 0x00, 0x81, 0x01, 0x0a, 0x82, 0x01, 0x08,
    0x83, 0x01, 0x05, 0xa4, 0x16, 0x80, 0x01, 0x01, 0x81, 0x03, 0x05, 0xe1, 0x00, 0x82, 0x0c, 0x03,
    0xee, 0x08, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x01, 0xed, 0x18};

static void raw_tsdu(int dir, const uint8_t *p, size_t n, bool stream)
{
    struct b t = {{0}, 0};
    put(&t, p, n);
    size_t len = tpkt(pkt, &t, true);
    if (stream)
        dtest_tcp(&T, dir, pkt, len);
    else
        dtest_pdu(&T, dir, pkt, len);
}

static void initiate(void **st)
{
    (void)st;
    raw_tsdu(0, cn, sizeof cn, true);
    raw_tsdu(1, ac, sizeof ac, true);
    assert_int_equal(dtest_flow_proto(&T), PROTO_MMS);
    const struct dtest_op *o = dtest_op_find(&T, OP_SESSION);
    assert_non_null(o);
    o = op_with(OP_SESSION, "pdu size 64000, outstanding 10/10", false);
    assert_non_null(o);
    assert_string_equal(o->function, "initiate (8)");
    assert_true(dtest_has_role(&T, "ied"));
    assert_string_equal(dtest_attr(&T, F_PROTOCOL_VERSION), "MMS version 1");
    assert_int_equal(T.nmalformed, 0);
}

static void identify_request(uint8_t invoke)
{
    struct b svc = {{0}, 0};
    tlv_raw(&svc, 0x82, "", 0);
    request(invoke, &svc);
}

static void identify_response_pdu(struct b *p, uint8_t invoke)
{
    struct b v = {{0}, 0}, svc = {{0}, 0};
    tlv_str(&v, 0x80, "ABB");
    tlv_str(&v, 0x81, "REF615");
    tlv_str(&v, 0x82, "5.0 FP1");
    tlv(&svc, 0xa2, &v);
    confirmed(p, true, invoke, &svc);
}

static void identify(void **st)
{
    (void)st;
    identify_request(7);
    assert_non_null(dtest_op_find(&T, OP_READ));
    assert_string_equal(dtest_op_find(&T, OP_READ)->function, "identify (2)");
    struct b p = {{0}, 0};
    identify_response_pdu(&p, 7);
    mms(1, &p);
    assert_string_equal(dtest_attr(&T, F_VENDOR), "ABB");
    assert_string_equal(dtest_attr(&T, F_PRODUCT), "REF615");
    assert_string_equal(dtest_attr(&T, F_FIRMWARE), "5.0 FP1");
    for (int i = 0; i < T.nattr; i++) {
        assert_true(T.attrs[i].is_server);
        assert_string_equal(T.attrs[i].source, "mms identify");
    }
    assert_true(dtest_has_role(&T, "ied"));
    assert_int_equal(T.nmalformed, 0);
}

static void name_list(void **st)
{
    (void)st;
    struct b v = {{0}, 0}, svc = {{0}, 0}, names = {{0}, 0};
    tlv_raw(&v, 0xa0, "\x80\x01\x09", 3); /* domain */
    tlv_raw(&v, 0xa1, "\x80\x00", 2);     /* vmd-specific */
    tlv(&svc, 0xa1, &v);
    request(2, &svc);
    assert_string_equal(dtest_op_find(&T, OP_READ)->target, "domain");
    tlv_str(&names, 0x1a, "IED1LD0");
    tlv_str(&names, 0x1a, "IED1CTRL");
    memset(&v, 0, sizeof v);
    memset(&svc, 0, sizeof svc);
    tlv(&v, 0xa0, &names);
    tlv_raw(&v, 0x81, "\x00", 1);
    tlv(&svc, 0xa1, &v);
    response(2, &svc);
    assert_int_equal(dtest_attr_count(&T, F_MODULE_NAME), 2);
    assert_string_equal(dtest_attr(&T, F_MODULE_NAME), "IED1LD0");
    /* names of another class are not logical devices */
    memset(&v, 0, sizeof v);
    memset(&svc, 0, sizeof svc);
    tlv_raw(&v, 0xa0, "\x80\x01\x00", 3); /* namedVariable */
    tlv_raw(&v, 0xa1, "\x81\x07IED1LD0", 9);
    tlv(&svc, 0xa1, &v);
    request(3, &svc);
    assert_non_null(op_with(OP_READ, "namedVariable in IED1LD0", false));
    memset(&v, 0, sizeof v);
    memset(&svc, 0, sizeof svc);
    tlv(&v, 0xa0, &names);
    tlv(&svc, 0xa1, &v);
    response(3, &svc);
    assert_int_equal(dtest_attr_count(&T, F_MODULE_NAME), 2);
    assert_int_equal(T.nmalformed, 0);
}

static void reads(void **st)
{
    (void)st;
    read_req(4, "AA1E1Q01FP2LD0", "LLN0$BR$rcb_B02");
    assert_non_null(op_with(OP_READ, "AA1E1Q01FP2LD0/LLN0$BR$rcb_B02", false));
    /* failure object-non-existent (10) */
    struct b l = {{0}, 0}, v = {{0}, 0}, svc = {{0}, 0};
    tlv_raw(&l, 0x80, "\x0a", 1);
    tlv(&v, 0xa1, &l);
    tlv(&svc, 0xa4, &v);
    response(4, &svc);
    const struct dtest_op *o = op_with(OP_READ, "AA1E1Q01FP2LD0/LLN0$BR$rcb_B02", true);
    assert_non_null(o);
    assert_string_equal(o->result, "failure: object-non-existent (10)");
    /* the nameplate read one attribute at a time is identity */
    read_req(5, "IED1LD0", "LPHD1$DC$PhyNam$serNum");
    memset(&l, 0, sizeof l);
    memset(&v, 0, sizeof v);
    memset(&svc, 0, sizeof svc);
    tlv_str(&l, 0x8a, "1VHR9512000123");
    tlv(&v, 0xa1, &l);
    tlv(&svc, 0xa4, &v);
    response(5, &svc);
    assert_string_equal(dtest_attr(&T, F_SERIAL), "1VHR9512000123");
    assert_int_equal(T.nmalformed, 0);
}

static void write_result(uint8_t invoke, int failure)
{
    struct b r = {{0}, 0}, svc = {{0}, 0};
    if (failure >= 0) {
        uint8_t code = (uint8_t)failure;
        tlv_raw(&r, 0x80, &code, 1);
    } else {
        tlv_raw(&r, 0x81, "", 0);
    }
    tlv(&svc, 0xa5, &r);
    response(invoke, &svc);
}

static void writes(void **st)
{
    (void)st;
    write_req(10, "IED1LD0", "LLN0$BR$rcb_A01$RptEna");
    write_result(10, -1);
    assert_non_null(op_with(OP_CONFIG_WRITE, "IED1LD0/LLN0$BR$rcb_A01$RptEna", false));
    assert_null(op_with(OP_CONFIG_WRITE, "IED1LD0/LLN0$BR$rcb_A01$RptEna", true));
    write_req(11, "IED1LD0", "LLN0$RP$urcb01$RptEna");
    write_result(11, 3); /* object-access-denied */
    const struct dtest_op *o = op_with(OP_CONFIG_WRITE, "IED1LD0/LLN0$RP$urcb01$RptEna", true);
    assert_non_null(o);
    assert_string_equal(o->result, "failure: object-access-denied (3)");
    write_req(12, "IED1LD0", "GGIO1$SV$Ind1$subVal");
    assert_non_null(op_with(OP_PROCESS_WRITE, "IED1LD0/GGIO1$SV$Ind1$subVal", false));
    write_req(13, "IED1LD0", "LLN0$SP$SGCB$ActSG");
    assert_non_null(op_with(OP_CONFIG_WRITE, "IED1LD0/LLN0$SP$SGCB$ActSG", false));
    write_req(14, "IED1CTRL", "CBCSWI1$CO$Pos$Oper");
    o = op_with(OP_COMMAND, "IED1CTRL/CBCSWI1$CO$Pos$Oper", false);
    assert_non_null(o);
    assert_string_equal(o->function, "control oper (write 5)");
    write_req(15, "IED1CTRL", "CBCSWI1$CO$Pos$SBOw");
    assert_string_equal(op_with(OP_COMMAND, "IED1CTRL/CBCSWI1$CO$Pos$SBOw", false)->function,
                        "control select (write 5)");
    assert_int_equal(T.nmalformed, 0);
}

static void confirmed_error(void **st)
{
    (void)st;
    struct b v = {{0}, 0}, svc = {{0}, 0};
    struct b on = {{0}, 0}, n = {{0}, 0};
    tlv_str(&on, 0x1a, "AA1E1Q01FP2LD0");
    tlv_str(&on, 0x1a, "LLN0$BR$rcb_B02");
    tlv(&n, 0xa1, &on);
    tlv(&v, 0xa0, &n);
    tlv(&svc, 0xa6, &v); /* getVariableAccessAttributes */
    request(0x33, &svc);
    /* the corpus error: invokeID [0], serviceError { errorClass { access [7] 2 } } */
    static const uint8_t err[] = {0xa2, 0x0a, 0x80, 0x01, 0x33, 0xa2,
                                  0x05, 0xa0, 0x03, 0x87, 0x01, 0x02};
    struct b p = {{0}, 0};
    put(&p, err, sizeof err);
    mms(1, &p);
    const struct dtest_op *o = op_with(OP_READ, "AA1E1Q01FP2LD0/LLN0$BR$rcb_B02", true);
    assert_non_null(o);
    assert_string_equal(o->function, "getVariableAccessAttributes (6)");
    assert_string_equal(o->result, "error access: object-non-existent (2)");
    /* an error to nothing pending is still an operation with its result */
    p.n = 0;
    put(&p, err, sizeof err);
    mms(1, &p);
    assert_non_null(dtest_op_find(&T, OP_OTHER));
    assert_int_equal(T.nmalformed, 0);
}

static void split_segments(void **st)
{
    (void)st;
    struct b p = {{0}, 0}, t = {{0}, 0};
    identify_request(9);
    identify_response_pdu(&p, 9);
    data_tsdu(&t, &p);
    uint8_t one[256];
    size_t n = tpkt(one, &t, true);
    /* one byte, then the header's rest, then the remainder: reassembled by the stream */
    raw_tsdu(0, cn, sizeof cn, true);
    dtest_tcp(&T, 1, one, 1);
    dtest_tcp(&T, 1, one + 1, 9);
    assert_null(dtest_attr(&T, F_VENDOR));
    dtest_tcp(&T, 1, one + 10, n - 10);
    assert_string_equal(dtest_attr(&T, F_VENDOR), "ABB");
    assert_string_equal(dtest_attr(&T, F_FIRMWARE), "5.0 FP1");
    assert_int_equal(dtest_flow_proto(&T), PROTO_MMS);
    assert_int_equal(T.nmalformed, 0);
}

/* a TSDU over two COTP DTs: the first (no EOT) is parsed as far as it goes, nothing is
 * malformed, the continuation is skipped */
static void split_dts(void **st)
{
    (void)st;
    struct b p = {{0}, 0}, t = {{0}, 0};
    identify_response_pdu(&p, 9);
    data_tsdu(&t, &p);
    struct b first = {{0}, 0}, rest = {{0}, 0};
    size_t cut = t.n - 4; /* inside the revision string */
    put(&first, t.p, cut);
    put(&rest, t.p + cut, t.n - cut);
    dtest_pdu(&T, 1, pkt, tpkt(pkt, &first, false));
    dtest_pdu(&T, 1, pkt, tpkt(pkt, &rest, true));
    assert_string_equal(dtest_attr(&T, F_VENDOR), "ABB");
    assert_string_equal(dtest_attr(&T, F_PRODUCT), "REF615");
    assert_null(dtest_attr(&T, F_FIRMWARE)); /* cut: not reported half */
    assert_int_equal(T.nmalformed, 0);
}

static void hostile(void **st)
{
    (void)st;
    /* an MMS length longer than its presentation container */
    static const uint8_t liar[] = {0x01, 0x00, 0x01, 0x00, 0x61, 0x0a, 0x30, 0x08,
                                   0x02, 0x01, 0x03, 0xa0, 0x03, 0xa1, 0x7f, 0x02};
    raw_tsdu(1, liar, sizeof liar, false);
    assert_int_equal(T.nmalformed, 1);
    /* indefinite length */
    static const uint8_t indef[] = {0x01, 0x00, 0x01, 0x00, 0x61, 0x80, 0x30,
                                    0x03, 0x02, 0x01, 0x03, 0x00, 0x00};
    raw_tsdu(1, indef, sizeof indef, false);
    assert_int_equal(T.nmalformed, 2);
    /* a tag number of five octets */
    static const uint8_t tag[] = {0x01, 0x00, 0x01, 0x00, 0x61, 0x0c, 0x30, 0x0a, 0x02,
                                  0x01, 0x03, 0xa0, 0x05, 0xbf, 0xff, 0xff, 0xff, 0x7f};
    raw_tsdu(0, tag, sizeof tag, false);
    assert_int_equal(T.nmalformed, 3);
    /* a session SPDU longer than the TSDU */
    static const uint8_t spdu[] = {0x0d, 0xff, 0x40, 0x00, 0xc1, 0x02, 0x31, 0x00};
    raw_tsdu(0, spdu, sizeof spdu, false);
    assert_int_equal(T.nmalformed, 4);
    /* an unknown MMS PDU choice */
    struct b p = {{0}, 0};
    tlv_raw(&p, 0xbf, "", 0); /* [31] with a cut high tag: header error */
    mms(0, &p);
    assert_int_equal(T.nmalformed, 5);
    p.n = 0;
    tlv_raw(&p, 0x9e, "\x01", 1); /* [30] */
    mms(0, &p);
    assert_int_equal(T.nmalformed, 6);
    /* a huge long-form length */
    static const uint8_t huge[] = {0x01, 0x00, 0x01, 0x00, 0x61, 0x84, 0xff, 0xff, 0xff, 0xff};
    raw_tsdu(0, huge, sizeof huge, false);
    assert_int_equal(T.nmalformed, 7);
    assert_int_equal(T.nop, 0);

    /* every truncation and every single-byte corruption of real PDUs: no crash, no identity
     * from a cut string */
    struct b full = {{0}, 0}, t = {{0}, 0};
    identify_response_pdu(&full, 1);
    data_tsdu(&t, &full);
    uint8_t copy[256];
    memcpy(copy, t.p, t.n);
    for (size_t k = 0; k < t.n; k++) {
        struct b cut = {{0}, 0};
        put(&cut, copy, k);
        dtest_pdu(&T, 1, pkt, tpkt(pkt, &cut, true));
    }
    assert_null(dtest_attr(&T, F_FIRMWARE));
    const uint8_t *srcs[3] = {cn, ac, copy};
    size_t lens[3] = {sizeof cn, sizeof ac, t.n};
    for (int s = 0; s < 3; s++) {
        for (size_t k = 0; k < lens[s]; k++) {
            static const uint8_t vals[] = {0x00, 0x80, 0xff, 0x1f, 0x7f};
            for (size_t v = 0; v < sizeof vals; v++) {
                struct b c = {{0}, 0};
                put(&c, srcs[s], lens[s]);
                c.p[k] = vals[v];
                dtest_pdu(&T, s == 1 || s == 2, pkt, tpkt(pkt, &c, true));
            }
        }
    }
    assert_true(T.nmalformed > 7);
}

/* S7comm on the same connection after MMS (or the reverse) is still S7comm */
static void s7_unchanged(void **st)
{
    (void)st;
    raw_tsdu(0, cn, sizeof cn, false);
    /* an S7 write var job */
    static const uint8_t s7[] = {0x32, 1, 0, 0, 0, 5,    0, 14, 0, 5, 0x05, 1, 0x12, 0x0a, 0x10,
                                 2,    0, 1, 0, 1, 0x84, 0, 0,  0, 0, 4,    0, 8,    0x55};
    struct b t = {{0}, 0};
    put(&t, s7, sizeof s7);
    dtest_pdu(&T, 0, pkt, tpkt(pkt, &t, true));
    assert_non_null(dtest_op_find(&T, OP_PROCESS_WRITE));
    assert_int_equal(T.nmalformed, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(initiate, setup, teardown),
        cmocka_unit_test_setup_teardown(identify, setup, teardown),
        cmocka_unit_test_setup_teardown(name_list, setup, teardown),
        cmocka_unit_test_setup_teardown(reads, setup, teardown),
        cmocka_unit_test_setup_teardown(writes, setup, teardown),
        cmocka_unit_test_setup_teardown(confirmed_error, setup, teardown),
        cmocka_unit_test_setup_teardown(split_segments, setup, teardown),
        cmocka_unit_test_setup_teardown(split_dts, setup, teardown),
        cmocka_unit_test_setup_teardown(hostile, setup, teardown),
        cmocka_unit_test_setup_teardown(s7_unchanged, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
