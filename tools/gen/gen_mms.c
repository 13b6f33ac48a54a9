/* gen_mms.c - an IEC 61850 client (SCADA gateway) and a protection IED talking MMS over the OSI
 * stack on ISO-on-TCP port 102: COTP connect, session CONNECT/ACCEPT carrying presentation
 * CP/CPA, ACSE AARQ/AARE and MMS initiate; Identify, GetNameList of the logical devices, reads
 * of LLN0/LPHD data (nameplate), a write enabling a buffered report control block (and one
 * refused), a substitution write, a breaker operate, an information report, conclude and the
 * ACSE release in FINISH/DISCONNECT.  Layouts: ISO 8327-1, ISO 8823-1, ISO 8650-1, ISO 9506-2,
 * IEC 61850-8-1.  Variants pick the IED. */
#include <string.h>

#include "gen.h"

static const struct {
    const char *vendor, *model, *revision, *ied, *serial, *swrev;
} ieds[] = {
    {"ABB", "REF615", "5.0 FP1", "AA1J1Q01A1", "1VHR9512000123", "5.0.1"},
    {"SIEMENS", "SIPROTEC 5 7SJ82", "V08.30", "Q01FDR7SJ82", "BF1705123456", "V08.30"},
    {"GE Grid Solutions", "F650", "7.70", "F650BAY3", "MAZB98000417", "7.70"},
};

/* BER element with a one-octet tag */
static void tlv(struct gen_buf *out, uint8_t tag, const struct gen_buf *v)
{
    gb_tlv(out, tag, v);
}

static void tlv_str(struct gen_buf *out, uint8_t tag, const char *s)
{
    gb_tlv_raw(out, tag, s, strlen(s));
}

static void clear(struct gen_buf *b)
{
    b->n = 0;
}

/* TPKT + COTP DT (EOT) around user data */
static void send_tsdu(struct gen *g, struct gen_tcp *s, int dir, const struct gen_buf *spdu)
{
    struct gen_buf b;
    clear(&b);
    gb_u8(&b, 3);
    gb_u8(&b, 0);
    gb_be16(&b, (uint16_t)(7 + spdu->n));
    gb_u8(&b, 2);
    gb_u8(&b, 0xf0);
    gb_u8(&b, 0x80);
    gb_bytes(&b, spdu->b, spdu->n);
    gen_tcp_send(g, s, dir, b.b, b.n);
}

static void cotp_connect(struct gen *g, struct gen_tcp *s)
{
    for (int dir = 0; dir < 2; dir++) {
        struct gen_buf b;
        clear(&b);
        gb_u8(&b, 3);
        gb_u8(&b, 0);
        gb_be16(&b, 22);
        gb_u8(&b, 17);
        gb_u8(&b, dir ? 0xd0 : 0xe0);
        gb_be16(&b, dir ? 0x0001 : 0x0000); /* dst ref */
        gb_be16(&b, dir ? 0x4004 : 0x0001); /* src ref */
        gb_u8(&b, 0);                       /* class 0 */
        static const uint8_t params[] = {0xc0, 1, 0x0a, 0xc1, 2, 0, 1, 0xc2, 2, 0, 1};
        gb_bytes(&b, params, sizeof params);
        gen_tcp_send(g, s, dir, b.b, b.n);
    }
}

/* a PDV-list in fully-encoded data: presentation context ctx, single-ASN1-type */
static void pdv(struct gen_buf *out, uint8_t ctx, const struct gen_buf *apdu)
{
    struct gen_buf l, a;
    clear(&l);
    clear(&a);
    gb_tlv(&a, 0xa0, apdu);
    gb_u8(&l, 2);
    gb_u8(&l, 1);
    gb_u8(&l, ctx);
    gb_bytes(&l, a.b, a.n);
    struct gen_buf seq;
    clear(&seq);
    tlv(&seq, 0x30, &l);
    tlv(out, 0x61, &seq); /* fully-encoded-data [APPLICATION 1] */
}

/* an MMS PDU in a DATA TRANSFER SPDU (after GIVE TOKENS), presentation context 3 */
static void send_mms(struct gen *g, struct gen_tcp *s, int dir, const struct gen_buf *mms)
{
    struct gen_buf b;
    clear(&b);
    static const uint8_t gt_dt[] = {0x01, 0x00, 0x01, 0x00};
    gb_bytes(&b, gt_dt, sizeof gt_dt);
    pdv(&b, 3, mms);
    send_tsdu(g, s, dir, &b);
}

/* the MMS context OID 1.0.9506.2.1, ACSE 2.2.1.0.1, BER 2.1.1, application context 1.0.9506.2.3,
 * AP-title 1.1.1.999.1 (the common default of IEC 61850 stacks) */
static const uint8_t oid_mms_as[] = {0x28, 0xca, 0x22, 0x02, 0x01};
static const uint8_t oid_acse[] = {0x52, 0x01, 0x00, 0x01};
static const uint8_t oid_ber[] = {0x51, 0x01};
static const uint8_t oid_mms_ctx[] = {0x28, 0xca, 0x22, 0x02, 0x03};
static const uint8_t oid_ap_title[] = {0x29, 0x01, 0x87, 0x67, 0x01};

/* initiate-Request/Response (ISO 9506-2 §8.2) */
static void initiate(struct gen_buf *out, bool response)
{
    struct gen_buf v, d;
    clear(&v);
    clear(&d);
    static const uint8_t local[] = {0x00, 0xfd, 0xe8}; /* 65000 */
    gb_tlv_raw(&v, 0x80, local, sizeof local);
    gb_tlv_raw(&v, 0x81, "\x05", 1);
    gb_tlv_raw(&v, 0x82, "\x05", 1);
    gb_tlv_raw(&v, 0x83, "\x0a", 1);
    gb_tlv_raw(&d, 0x80, "\x01", 1); /* version 1 */
    static const uint8_t cbb[] = {0x05, 0xf1, 0x00};
    gb_tlv_raw(&d, 0x81, cbb, sizeof cbb);
    static const uint8_t svc_cli[] = {0x03, 0xee, 0x1c, 0x00, 0x00, 0x04,
                                      0x08, 0x00, 0x00, 0x79, 0xef, 0x18};
    static const uint8_t svc_srv[] = {0x03, 0xee, 0x1c, 0x00, 0x00, 0x04,
                                      0x08, 0x00, 0x00, 0x79, 0xef, 0x18};
    gb_tlv_raw(&d, 0x82, response ? svc_srv : svc_cli, sizeof svc_cli);
    tlv(&v, 0xa4, &d);
    tlv(out, response ? 0xa9 : 0xa8, &v);
}

/* AARQ / AARE with the initiate PDU in user-information */
static void acse(struct gen_buf *out, bool aare)
{
    struct gen_buf v, t, ui, ext, mms;
    clear(&v);
    gb_tlv_raw(&v, 0x80, "\x07\x80", 2); /* protocol-version version1 */
    clear(&t);
    gb_tlv_raw(&t, 0x06, oid_mms_ctx, sizeof oid_mms_ctx);
    tlv(&v, 0xa1, &t);
    if (aare) {
        clear(&t);
        gb_tlv_raw(&t, 0x02, "\x00", 1); /* accepted */
        tlv(&v, 0xa2, &t);
        static const uint8_t diag[] = {0xa1, 0x03, 0x02, 0x01, 0x00}; /* acse-service-user null */
        gb_tlv_raw(&v, 0xa3, diag, sizeof diag);
    } else {
        clear(&t);
        gb_tlv_raw(&t, 0x06, oid_ap_title, sizeof oid_ap_title);
        tlv(&v, 0xa2, &t); /* called AP-title */
        clear(&t);
        gb_tlv_raw(&t, 0x02, "\x0c", 1);
        tlv(&v, 0xa3, &t); /* called AE-qualifier */
    }
    /* AARQ calling [6]/[7], AARE responding [4]/[5] */
    clear(&t);
    gb_tlv_raw(&t, 0x06, oid_ap_title, sizeof oid_ap_title);
    tlv(&v, aare ? 0xa4 : 0xa6, &t);
    clear(&t);
    gb_tlv_raw(&t, 0x02, aare ? "\x0c" : "\x0d", 1);
    tlv(&v, aare ? 0xa5 : 0xa7, &t);
    clear(&mms);
    initiate(&mms, aare);
    clear(&ext);
    gb_tlv_raw(&ext, 0x02, "\x03", 1); /* indirect-reference: presentation context 3 */
    tlv(&ext, 0xa0, &mms);
    clear(&ui);
    tlv(&ui, 0x28, &ext); /* EXTERNAL */
    tlv(&v, 0xbe, &ui);   /* user-information [30] */
    tlv(out, aare ? 0x61 : 0x60, &v);
}

/* a session parameter (one-octet length) */
static void param(struct gen_buf *out, uint8_t pi, const void *p, size_t n)
{
    gb_u8(out, pi);
    gb_u8(out, (uint8_t)n);
    gb_bytes(out, p, n);
}

static void session_connect(struct gen *g, struct gen_tcp *s)
{
    for (int dir = 0; dir < 2; dir++) {
        struct gen_buf apdu, l, p, ppdu, set, list, item, ts;
        clear(&apdu);
        acse(&apdu, dir == 1);
        clear(&p); /* normal-mode-parameters */
        static const uint8_t sel[] = {0, 0, 0, 1};
        if (dir == 0) {
            gb_tlv_raw(&p, 0x81, sel, 4); /* calling presentation selector */
            gb_tlv_raw(&p, 0x82, sel, 4); /* called */
            clear(&list);
            for (int i = 0; i < 2; i++) {
                clear(&item);
                gb_tlv_raw(&item, 0x02, i ? "\x03" : "\x01", 1);
                if (i)
                    gb_tlv_raw(&item, 0x06, oid_mms_as, sizeof oid_mms_as);
                else
                    gb_tlv_raw(&item, 0x06, oid_acse, sizeof oid_acse);
                clear(&ts);
                gb_tlv_raw(&ts, 0x06, oid_ber, sizeof oid_ber);
                tlv(&item, 0x30, &ts);
                tlv(&list, 0x30, &item);
            }
            tlv(&p, 0xa4, &list);
        } else {
            gb_tlv_raw(&p, 0x83, sel, 4); /* responding presentation selector */
            clear(&list);
            static const uint8_t accepted[] = {0x80, 0x01, 0x00, 0x81, 0x02, 0x51, 0x01};
            for (int i = 0; i < 2; i++)
                gb_tlv_raw(&list, 0x30, accepted, sizeof accepted);
            tlv(&p, 0xa5, &list);
        }
        gb_tlv_raw(&p, 0x88, "\x06\x00", 2); /* presentation-requirements: none */
        pdv(&p, 1, &apdu);                   /* ACSE in context 1 */
        clear(&set);
        static const uint8_t mode[] = {0x80, 0x01, 0x01}; /* normal mode */
        gb_tlv_raw(&set, 0xa0, mode, sizeof mode);
        tlv(&set, 0xa2, &p);
        clear(&ppdu);
        tlv(&ppdu, 0x31, &set); /* CP-type / CPA-PPDU */
        clear(&l);              /* session CONNECT / ACCEPT */
        static const uint8_t item5[] = {0x13, 0x01, 0x00, 0x16, 0x01, 0x02};
        param(&l, 0x05, item5, sizeof item5); /* protocol options, version 2 */
        param(&l, 0x14, "\x00\x02", 2);       /* session requirement: duplex */
        if (dir == 0) {
            param(&l, 0x33, "\x00\x01", 2); /* calling session selector */
            param(&l, 0x34, "\x00\x01", 2); /* called */
        }
        param(&l, 0xc1, ppdu.b, ppdu.n); /* session user data */
        struct gen_buf spdu;
        clear(&spdu);
        gb_u8(&spdu, dir ? 0x0e : 0x0d);
        gb_u8(&spdu, (uint8_t)l.n);
        gb_bytes(&spdu, l.b, l.n);
        send_tsdu(g, s, dir, &spdu);
    }
}

/* FINISH with RLRQ, DISCONNECT with RLRE */
static void session_release(struct gen *g, struct gen_tcp *s)
{
    for (int dir = 0; dir < 2; dir++) {
        struct gen_buf apdu, ud, spdu;
        clear(&apdu);
        gb_tlv_raw(&apdu, dir ? 0x63 : 0x62, "\x80\x01\x00", 3); /* reason normal */
        clear(&ud);
        pdv(&ud, 1, &apdu);
        clear(&spdu);
        gb_u8(&spdu, dir ? 0x0a : 0x09);
        gb_u8(&spdu, (uint8_t)(ud.n + 2));
        param(&spdu, 0xc1, ud.b, ud.n);
        send_tsdu(g, s, dir, &spdu);
    }
}

/* confirmed-Request/Response [0]/[1] { invokeID, service } */
static void confirmed(struct gen_buf *out, bool response, uint32_t invoke,
                      const struct gen_buf *svc)
{
    struct gen_buf v;
    clear(&v);
    uint8_t id[2] = {(uint8_t)(invoke >> 8), (uint8_t)invoke};
    if (invoke < 128)
        gb_tlv_raw(&v, 0x02, id + 1, 1);
    else
        gb_tlv_raw(&v, 0x02, id, 2);
    gb_bytes(&v, svc->b, svc->n);
    tlv(out, response ? 0xa1 : 0xa0, &v);
}

static void exchange(struct gen *g, struct gen_tcp *s, uint32_t invoke, const struct gen_buf *req,
                     const struct gen_buf *rsp)
{
    struct gen_buf pdu;
    clear(&pdu);
    confirmed(&pdu, false, invoke, req);
    send_mms(g, s, 0, &pdu);
    gen_advance(g, 2000000 + (int64_t)gen_range(g, 3000000));
    clear(&pdu);
    confirmed(&pdu, true, invoke, rsp);
    send_mms(g, s, 1, &pdu);
    gen_advance(g, 20000000);
}

/* listOfVariable [0] { SEQUENCE { name [0] { domain-specific [1] { domainId, itemId } } } } */
static void var_list(struct gen_buf *out, const char *dom, const char *item)
{
    struct gen_buf ds, name, seq, list;
    clear(&ds);
    tlv_str(&ds, 0x1a, dom);
    tlv_str(&ds, 0x1a, item);
    clear(&name);
    tlv(&name, 0xa1, &ds);
    clear(&seq);
    tlv(&seq, 0xa0, &name);
    clear(&list);
    tlv(&list, 0x30, &seq);
    tlv(out, 0xa0, &list);
}

/* Read [4] of one variable; the answer is one Data value (tag, contents) */
static void read_one(struct gen *g, struct gen_tcp *s, uint32_t invoke, const char *dom,
                     const char *item, uint8_t tag, const void *val, size_t n)
{
    struct gen_buf spec, v, req, rsp, list;
    clear(&spec);
    var_list(&spec, dom, item);
    clear(&v);
    tlv(&v, 0xa1, &spec); /* variableAccessSpecification [1] */
    clear(&req);
    tlv(&req, 0xa4, &v);
    clear(&list);
    gb_tlv_raw(&list, tag, val, n);
    clear(&v);
    tlv(&v, 0xa1, &list); /* listOfAccessResult [1] */
    clear(&rsp);
    tlv(&rsp, 0xa4, &v);
    exchange(g, s, invoke, &req, &rsp);
}

/* Write [5] of one variable with one Data value; result success, or failure code */
static void write_one(struct gen *g, struct gen_tcp *s, uint32_t invoke, const char *dom,
                      const char *item, const struct gen_buf *data, int failure)
{
    struct gen_buf v, req, rsp, d;
    clear(&v);
    var_list(&v, dom, item);
    tlv(&v, 0xa0, data); /* listOfData [0] */
    clear(&req);
    tlv(&req, 0xa5, &v);
    clear(&d);
    if (failure >= 0) {
        uint8_t code = (uint8_t)failure;
        gb_tlv_raw(&d, 0x80, &code, 1);
    } else {
        gb_tlv_raw(&d, 0x81, "", 0);
    }
    clear(&rsp);
    tlv(&rsp, 0xa5, &d);
    exchange(g, s, invoke, &req, &rsp);
}

static void identify(struct gen *g, struct gen_tcp *s, uint32_t invoke, int i)
{
    struct gen_buf req, v, rsp;
    clear(&req);
    gb_tlv_raw(&req, 0x82, "", 0);
    clear(&v);
    tlv_str(&v, 0x80, ieds[i].vendor);
    tlv_str(&v, 0x81, ieds[i].model);
    tlv_str(&v, 0x82, ieds[i].revision);
    clear(&rsp);
    tlv(&rsp, 0xa2, &v);
    exchange(g, s, invoke, &req, &rsp);
}

/* GetNameList of the domains (logical devices); the answer is sent in small segments */
static void get_domains(struct gen *g, struct gen_tcp *s, uint32_t invoke, int i)
{
    struct gen_buf req, v, rsp, names, pdu;
    clear(&v);
    static const uint8_t cls[] = {0x80, 0x01, 0x09}; /* basicObjectClass domain */
    gb_tlv_raw(&v, 0xa0, cls, sizeof cls);
    static const uint8_t vmd[] = {0x80, 0x00}; /* vmdSpecific */
    gb_tlv_raw(&v, 0xa1, vmd, sizeof vmd);
    clear(&req);
    tlv(&req, 0xa1, &v);
    clear(&pdu);
    confirmed(&pdu, false, invoke, &req);
    send_mms(g, s, 0, &pdu);
    gen_advance(g, 3000000);
    static const char *const lds[] = {"LD0", "CTRL", "PROT", "MEAS", "DR"};
    clear(&names);
    for (size_t k = 0; k < sizeof lds / sizeof *lds; k++) {
        char n[64];
        size_t a = strlen(ieds[i].ied), b = strlen(lds[k]);
        memcpy(n, ieds[i].ied, a);
        memcpy(n + a, lds[k], b + 1);
        tlv_str(&names, 0x1a, n);
    }
    clear(&v);
    tlv(&v, 0xa0, &names);
    gb_tlv_raw(&v, 0x81, "\x00", 1); /* moreFollows false */
    clear(&rsp);
    tlv(&rsp, 0xa1, &v);
    clear(&pdu);
    confirmed(&pdu, true, invoke, &rsp);
    struct gen_buf b, t;
    clear(&b);
    static const uint8_t gt_dt[] = {0x01, 0x00, 0x01, 0x00};
    gb_bytes(&b, gt_dt, sizeof gt_dt);
    pdv(&b, 3, &pdu);
    clear(&t);
    gb_u8(&t, 3);
    gb_u8(&t, 0);
    gb_be16(&t, (uint16_t)(7 + b.n));
    gb_u8(&t, 2);
    gb_u8(&t, 0xf0);
    gb_u8(&t, 0x80);
    gb_bytes(&t, b.b, b.n);
    gen_tcp_send_split(g, s, 1, t.b, t.n, 40);
    gen_advance(g, 20000000);
}

static void information_report(struct gen *g, struct gen_tcp *s, const char *rpt_id, uint16_t seq)
{
    struct gen_buf v, name, list, data, pdu, rep;
    clear(&name);
    tlv_str(&name, 0x80, "RPT");
    clear(&v);
    tlv(&v, 0xa1, &name); /* variableListName vmd-specific "RPT" */
    clear(&list);
    tlv_str(&list, 0x8a, rpt_id);
    static const uint8_t optflds[] = {0x06, 0x40, 0x00}; /* sequence-number */
    gb_tlv_raw(&list, 0x84, optflds, sizeof optflds);
    uint8_t sq[2] = {(uint8_t)(seq >> 8), (uint8_t)seq};
    gb_tlv_raw(&list, 0x86, sq, 2);
    static const uint8_t incl[] = {0x04, 0x80}; /* inclusion bitstring: member 1 of 4 */
    gb_tlv_raw(&list, 0x84, incl, sizeof incl);
    clear(&data); /* Pos: stVal (dbpos on), q, t */
    static const uint8_t stval[] = {0x06, 0x80};
    gb_tlv_raw(&data, 0x84, stval, sizeof stval);
    static const uint8_t q[] = {0x03, 0x00, 0x00};
    gb_tlv_raw(&data, 0x84, q, sizeof q);
    static const uint8_t t[] = {0x69, 0x56, 0x08, 0x00, 0x12, 0x34, 0x56, 0x0a};
    gb_tlv_raw(&data, 0x91, t, sizeof t);
    tlv(&list, 0xa2, &data);
    tlv(&v, 0xa0, &list); /* listOfAccessResult [0] */
    clear(&rep);
    tlv(&rep, 0xa0, &v); /* informationReport [0] */
    clear(&pdu);
    tlv(&pdu, 0xa3, &rep); /* unconfirmed-PDU */
    send_mms(g, s, 1, &pdu);
}

void gen_scn_mms(struct gen *g, const struct gen_host *cli, const struct gen_host *srv, int variant,
                 int ops)
{
    int i = (int)((unsigned)variant % (sizeof ieds / sizeof *ieds));
    struct gen_tcp s;
    gen_tcp_open(g, &s, cli, (uint16_t)(49152 + gen_range(g, 16000)), srv, 102);
    cotp_connect(g, &s);
    session_connect(g, &s);
    gen_advance(g, 50000000);
    uint32_t id = 1;
    identify(g, &s, id++, i);
    get_domains(g, &s, id++, i);
    char ld0[64], ctrl[64];
    size_t a = strlen(ieds[i].ied);
    memcpy(ld0, ieds[i].ied, a);
    memcpy(ld0 + a, "LD0", 4);
    memcpy(ctrl, ieds[i].ied, a);
    memcpy(ctrl + a, "CTRL", 5);
    /* LLN0 and LPHD data: mode, behaviour, nameplate */
    read_one(g, &s, id++, ld0, "LLN0$ST$Mod$stVal", 0x85, "\x01", 1);
    read_one(g, &s, id++, ld0, "LLN0$ST$Beh$stVal", 0x85, "\x01", 1);
    read_one(g, &s, id++, ld0, "LLN0$DC$NamPlt$vendor", 0x8a, ieds[i].vendor,
             strlen(ieds[i].vendor));
    read_one(g, &s, id++, ld0, "LLN0$DC$NamPlt$swRev", 0x8a, ieds[i].swrev, strlen(ieds[i].swrev));
    read_one(g, &s, id++, ld0, "LPHD1$DC$PhyNam$serNum", 0x8a, ieds[i].serial,
             strlen(ieds[i].serial));
    /* enable buffered reporting: RptEna of rcb A01; B02 is reserved by another client */
    struct gen_buf t;
    clear(&t);
    gb_tlv_raw(&t, 0x83, "\xff", 1);
    write_one(g, &s, id++, ld0, "LLN0$BR$rcb_A01$RptEna", &t, -1);
    write_one(g, &s, id++, ld0, "LLN0$BR$rcb_B02$RptEna", &t, 2); /* temporarily-unavailable */
    /* substitution of an indication (a data value) */
    write_one(g, &s, id++, ld0, "GGIO1$SV$Ind1$subEna", &t, -1);
    /* breaker close: Oper { ctlVal, origin { orCat, orIdent }, ctlNum, T, Test, Check } */
    struct gen_buf oper, origin, st;
    clear(&origin);
    gb_tlv_raw(&origin, 0x85, "\x03", 1); /* remote-control */
    gb_tlv_raw(&origin, 0x89, "SCADA", 5);
    clear(&oper);
    gb_tlv_raw(&oper, 0x83, "\xff", 1);
    tlv(&oper, 0xa2, &origin);
    gb_tlv_raw(&oper, 0x86, "\x01", 1);
    static const uint8_t ts[] = {0x69, 0x56, 0x08, 0x10, 0x00, 0x00, 0x00, 0x0a};
    gb_tlv_raw(&oper, 0x91, ts, sizeof ts);
    gb_tlv_raw(&oper, 0x83, "\x00", 1);
    gb_tlv_raw(&oper, 0x84, "\x06\x00", 2);
    clear(&st);
    tlv(&st, 0xa2, &oper);
    write_one(g, &s, id++, ctrl, "CBCSWI1$CO$Pos$Oper", &st, -1);
    char rpt[96];
    memcpy(rpt, ld0, strlen(ld0));
    memcpy(rpt + strlen(ld0), "/LLN0$BR$rcb_A01", 17);
    for (int k = 0; k < 1 + ops; k++) {
        information_report(g, &s, rpt, (uint16_t)k);
        gen_advance(g, 500000000);
        read_one(g, &s, id++, ld0, "LLN0$ST$Health$stVal", 0x85, "\x01", 1);
    }
    /* conclude, then the ACSE release */
    struct gen_buf c;
    clear(&c);
    gb_tlv_raw(&c, 0x8b, "", 0);
    send_mms(g, &s, 0, &c);
    clear(&c);
    gb_tlv_raw(&c, 0x8c, "", 0);
    send_mms(g, &s, 1, &c);
    session_release(g, &s);
    gen_tcp_close(g, &s);
}
