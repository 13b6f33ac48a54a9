/* gen_snmp.c - SNMP polling of a plant network device (srv, the agent on udp/161) by a manager
 * (cli): a get of the system group (RFC 3418) answered with the variant's identity, interface
 * counter polls (get-next, then 'ops' more rounds), and a linkDown trap to udp/162.  The
 * variants cover v2c with the default community, v1 with a set-request refused, SNMPv3
 * noAuthNoPriv (engine discovery, then a get), and SNMPv3 authPriv (encrypted PDUs). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen.h"

#define SNMP_PORT 161
#define TRAP_PORT 162

struct snmp_agent {
    int version; /* 0 v1, 1 v2c, 3 v3 */
    const char *community;
    const char *descr, *object_id, *name, *location, *contact;
    uint8_t engine_id[11]; /* v3 only: RFC 3411 format 3, enterprise + MAC */
    bool priv;
};

static const struct snmp_agent snmp_agents[] = {
    {1,
     "public",
     "Siemens, SIMATIC NET, SCALANCE XC208, 6GK5 208-0BA00-2AC2, HW: Version 1, "
     "FW: Version V04.02.00, SVPL6147130",
     "1.3.6.1.4.1.4329.6.1.2",
     "sw-cell1",
     "Hall 1, cabinet +S1",
     "ot-network@plant.example",
     {0},
     false},
    {0,
     "private",
     "Hirschmann Railswitch RSP35 HiOS-3S-08.7.03",
     "1.3.6.1.4.1.248.11.2.1",
     "rsp-substation",
     "Substation 2, bay 4",
     "Substation maintenance",
     {0},
     false},
    {3,
     NULL,
     "EDS-408A-T",
     "1.3.6.1.4.1.8691.7.7",
     "eds-408a-pump",
     "Pump house 3",
     "Water works OT",
     {0x80, 0x00, 0x21, 0xf3, 0x03, 0x00, 0x90, 0xe8, 0x4c, 0x12, 0x34},
     false},
    {3,
     NULL,
     "Cisco IOS Software [Amsterdam], IE3x00 Software (IE3x00-UNIVERSALK9-M), "
     "Version 17.3.4, RELEASE SOFTWARE (fc3)",
     "1.3.6.1.4.1.9.1.2687",
     "ie3400-line2",
     "Line 2",
     "noc@plant.example",
     {0x80, 0x00, 0x00, 0x09, 0x03, 0x00, 0x70, 0x6b, 0xb9, 0x11, 0x22},
     true},
};

/* ---- BER (X.690 §8.1) ---- */
static void integer_tag(struct gen_buf *out, uint8_t tag, uint32_t x, bool is_unsigned)
{
    uint8_t b[5];
    size_t n = 0;
    /* minimal two's complement; an unsigned value with the top bit set needs a 0 octet */
    if (is_unsigned && x >= 0x80000000u)
        b[n++] = 0;
    if (x >= 0x800000)
        b[n++] = (uint8_t)(x >> 24);
    if (x >= 0x8000)
        b[n++] = (uint8_t)(x >> 16);
    if (x >= 0x80)
        b[n++] = (uint8_t)(x >> 8);
    b[n++] = (uint8_t)x;
    gb_tlv_raw(out, tag, b, n);
}
static void integer(struct gen_buf *out, uint32_t x)
{
    integer_tag(out, 0x02, x, false);
}
static void oid(struct gen_buf *out, const char *text)
{
    struct gen_buf v = {{0}, 0};
    unsigned long arcs[32] = {0};
    int n = 0;
    for (const char *p = text; *p && n < 32;) {
        char *end;
        arcs[n++] = strtoul(p, &end, 10);
        p = *end == '.' ? end + 1 : end;
    }
    gb_u8(&v, (uint8_t)(arcs[0] * 40 + arcs[1]));
    for (int i = 2; i < n; i++) {
        uint8_t tmp[5];
        int k = 0;
        unsigned long a = arcs[i];
        do {
            tmp[k++] = a & 0x7f;
            a >>= 7;
        } while (a);
        while (k--)
            gb_u8(&v, (uint8_t)(tmp[k] | (k ? 0x80 : 0)));
    }
    gb_tlv(out, 0x06, &v);
}

/* varbinds: names, and values as ready-made elements (NULL for a request) */
struct vb {
    const char *name;
    uint8_t kind; /* 0 null, 's' string, 'o' oid, 'c' counter32, 't' timeticks */
    const char *s;
    uint32_t u;
};

static void varbind_list(struct gen_buf *out, const struct vb *v, int n)
{
    struct gen_buf list = {{0}, 0};
    for (int i = 0; i < n; i++) {
        struct gen_buf one = {{0}, 0};
        oid(&one, v[i].name);
        switch (v[i].kind) {
        case 's':
            gb_tlv_raw(&one, 0x04, v[i].s, strlen(v[i].s));
            break;
        case 'o':
            oid(&one, v[i].s);
            break;
        case 'c':
            integer_tag(&one, 0x41, v[i].u, true); /* Counter32 [APPLICATION 1] */
            break;
        case 't':
            integer_tag(&one, 0x43, v[i].u, true); /* TimeTicks [APPLICATION 3] */
            break;
        default:
            gb_tlv_raw(&one, 0x05, "", 0);
            break;
        }
        gb_tlv(&list, 0x30, &one);
    }
    gb_tlv(out, 0x30, &list);
}

static void pdu(struct gen_buf *out, uint8_t type, uint32_t id, uint32_t err, uint32_t idx,
                const struct vb *v, int n)
{
    struct gen_buf p = {{0}, 0};
    integer(&p, id);
    integer(&p, err);
    integer(&p, idx);
    varbind_list(&p, v, n);
    gb_tlv(out, type, &p);
}

/* v1/v2c message (RFC 3416 §3, RFC 1157 §4) */
static void community_msg(struct gen_buf *out, const struct snmp_agent *a, const struct gen_buf *p)
{
    struct gen_buf m = {{0}, 0};
    out->n = 0;
    integer(&m, (uint32_t)a->version);
    gb_tlv_raw(&m, 0x04, a->community, strlen(a->community));
    gb_bytes(&m, p->b, p->n);
    gb_tlv(out, 0x30, &m);
}

/* v3 message (RFC 3412 §6) with USM parameters (RFC 3414 §2.4); for authPriv the scoped PDU is
 * replaced by opaque "encrypted" bytes of the same length */
static void v3_msg(struct gen *g, struct gen_buf *out, const struct snmp_agent *a, uint32_t msgid,
                   uint8_t flags, bool with_engine, const char *user, const struct gen_buf *p)
{
    struct gen_buf m = {{0}, 0}, glob = {{0}, 0}, usm = {{0}, 0}, sp = {{0}, 0}, sc = {{0}, 0};
    integer(&glob, msgid);
    integer(&glob, 1472);
    gb_tlv_raw(&glob, 0x04, &flags, 1);
    integer(&glob, 3);
    gb_tlv_raw(&usm, 0x04, a->engine_id, with_engine ? sizeof a->engine_id : 0);
    integer(&usm, with_engine ? 7 : 0);
    integer(&usm, with_engine ? 86400 + msgid : 0);
    gb_tlv_raw(&usm, 0x04, user, strlen(user));
    uint8_t auth[12], salt[8];
    for (size_t i = 0; i < sizeof auth; i++)
        auth[i] = (uint8_t)gen_rand(g);
    for (size_t i = 0; i < sizeof salt; i++)
        salt[i] = (uint8_t)gen_rand(g);
    gb_tlv_raw(&usm, 0x04, auth, flags & 1 ? sizeof auth : 0);
    gb_tlv_raw(&usm, 0x04, salt, flags & 2 ? sizeof salt : 0);
    gb_tlv(&sp, 0x30, &usm);
    gb_tlv_raw(&sc, 0x04, a->engine_id, with_engine ? sizeof a->engine_id : 0);
    gb_tlv_raw(&sc, 0x04, "", 0);
    gb_bytes(&sc, p->b, p->n);
    integer(&m, 3);
    gb_tlv(&m, 0x30, &glob);
    gb_tlv(&m, 0x04, &sp);
    if (flags & 2) {
        struct gen_buf enc = {{0}, 0};
        for (size_t i = 0; i < sc.n + 2; i++)
            gb_u8(&enc, (uint8_t)gen_rand(g));
        gb_tlv(&m, 0x04, &enc);
    } else {
        gb_tlv(&m, 0x30, &sc);
    }
    out->n = 0;
    gb_tlv(out, 0x30, &m);
}

struct snmp_session {
    struct gen *g;
    const struct gen_host *mgr, *agent;
    const struct snmp_agent *a;
    uint16_t port;
    uint32_t id;
};

/* one request and its response */
static void exchange(struct snmp_session *s, uint8_t type, const struct vb *req, int nreq,
                     const struct vb *resp, int nresp, uint32_t err)
{
    struct gen_buf p = {{0}, 0}, m = {{0}, 0};
    uint32_t id = ++s->id;
    pdu(&p, type, id, 0, 0, req, nreq);
    if (s->a->version == 3)
        v3_msg(s->g, &m, s->a, id, s->a->priv ? 0x07 : 0x04, true, "opsmon", &p);
    else
        community_msg(&m, s->a, &p);
    gen_udp(s->g, s->mgr, s->port, s->agent, SNMP_PORT, m.b, m.n);
    gen_advance(s->g, 2000000 + (int64_t)gen_range(s->g, 3000000));
    p.n = 0;
    pdu(&p, 0xa2, id, err, err ? 1 : 0, resp, nresp);
    if (s->a->version == 3)
        v3_msg(s->g, &m, s->a, id, s->a->priv ? 0x03 : 0x00, true, "opsmon", &p);
    else
        community_msg(&m, s->a, &p);
    gen_udp(s->g, s->agent, SNMP_PORT, s->mgr, s->port, m.b, m.n);
    gen_advance(s->g, 1000000);
}

/* SNMPv3 engine discovery (RFC 3414 §4): an empty request, a usmStatsUnknownEngineIDs report */
static void discovery(struct snmp_session *s)
{
    struct gen_buf p = {{0}, 0}, m = {{0}, 0};
    uint32_t id = ++s->id;
    pdu(&p, 0xa0, id, 0, 0, NULL, 0);
    v3_msg(s->g, &m, s->a, id, 0x04, false, "", &p);
    gen_udp(s->g, s->mgr, s->port, s->agent, SNMP_PORT, m.b, m.n);
    gen_advance(s->g, 1500000);
    struct vb rep = {"1.3.6.1.6.3.15.1.1.4.0", 'c', NULL, 3};
    p.n = 0;
    pdu(&p, 0xa8, id, 0, 0, &rep, 1);
    v3_msg(s->g, &m, s->a, id, 0x00, true, "", &p);
    gen_udp(s->g, s->agent, SNMP_PORT, s->mgr, s->port, m.b, m.n);
    gen_advance(s->g, 1000000);
}

static void trap(struct snmp_session *s)
{
    /* SNMPv2-Trap (RFC 3416 §4.2.6): sysUpTime.0, snmpTrapOID.0 = linkDown, ifIndex */
    struct vb v[] = {{"1.3.6.1.2.1.1.3.0", 't', NULL, 8640000},
                     {"1.3.6.1.6.3.1.1.4.1.0", 'o', "1.3.6.1.6.3.1.1.5.3", 0},
                     {"1.3.6.1.2.1.2.2.1.1.3", 'c', NULL, 3}};
    struct gen_buf p = {{0}, 0}, m = {{0}, 0};
    pdu(&p, 0xa7, ++s->id, 0, 0, v, 3);
    if (s->a->version == 3)
        v3_msg(s->g, &m, s->a, s->id, s->a->priv ? 0x03 : 0x00, true, "opsmon", &p);
    else if (s->a->version == 1)
        community_msg(&m, s->a, &p);
    else
        return; /* v1 traps have their own PDU; this variant sends none */
    gen_udp(s->g, s->agent, (uint16_t)(49152 + gen_range(s->g, 1000)), s->mgr, TRAP_PORT, m.b, m.n);
}

void gen_scn_snmp(struct gen *g, const struct gen_host *cli, const struct gen_host *srv,
                  int variant, int ops)
{
    const struct snmp_agent *a =
        &snmp_agents[(unsigned)variant % (sizeof snmp_agents / sizeof *snmp_agents)];
    struct snmp_session s = {
        g, cli, srv, a, (uint16_t)(40000 + gen_range(g, 20000)), (uint32_t)gen_range(g, 100000)};
    if (a->version == 3)
        discovery(&s);
    static const char *const sys[] = {"1.3.6.1.2.1.1.1.0", "1.3.6.1.2.1.1.2.0", "1.3.6.1.2.1.1.4.0",
                                      "1.3.6.1.2.1.1.5.0", "1.3.6.1.2.1.1.6.0"};
    struct vb req[5], resp[5];
    for (int i = 0; i < 5; i++)
        req[i] = (struct vb){sys[i], 0, NULL, 0};
    resp[0] = (struct vb){sys[0], 's', a->descr, 0};
    resp[1] = (struct vb){sys[1], 'o', a->object_id, 0};
    resp[2] = (struct vb){sys[2], 's', a->contact, 0};
    resp[3] = (struct vb){sys[3], 's', a->name, 0};
    resp[4] = (struct vb){sys[4], 's', a->location, 0};
    exchange(&s, 0xa0, req, 5, resp, 5, 0);
    if (a->version == 0) {
        /* a set of sysLocation with the read-write community, refused by the agent */
        struct vb set = {sys[4], 's', "moved to cabinet +S2", 0};
        exchange(&s, 0xa3, &set, 1, &set, 1, 17);
    }
    uint32_t octets = 1000000 + gen_range(g, 1000000);
    for (int round = 0; round <= ops; round++) {
        gen_advance(g, 30000000000ll);
        for (uint32_t port = 1; port <= 2; port++) {
            char name[40], next[40];
            snprintf(name, sizeof name, "1.3.6.1.2.1.2.2.1.10.%u", port - 1);
            snprintf(next, sizeof next, "1.3.6.1.2.1.2.2.1.10.%u", port);
            struct vb q = {port == 1 ? "1.3.6.1.2.1.2.2.1.10" : name, 0, NULL, 0};
            octets += 20000 + gen_range(g, 5000);
            struct vb r = {next, 'c', NULL, octets};
            exchange(&s, 0xa1, &q, 1, &r, 1, 0);
        }
    }
    trap(&s);
}
