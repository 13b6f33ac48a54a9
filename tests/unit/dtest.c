/* dtest.c - the dissector test harness (see dtest.h). */
#include "dtest.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/str.h"

static const uint8_t mac_cli[6] = {2, 0, 0, 0, 0, 1}, mac_srv[6] = {2, 0, 0, 0, 0, 2};
static const uint8_t ip_cli[4] = {10, 0, 0, 1}, ip_srv[4] = {10, 0, 0, 2};

static struct dtest *cur(void *arg)
{
    return arg;
}

static void rec_attr(void *arg, const struct pctx *c, enum obs_who who, enum attr_field f,
                     const char *value, const char *raw, const char *source)
{
    (void)raw;
    struct dtest *t = cur(arg);
    if (t->nattr >= DTEST_MAX)
        return;
    struct dtest_attr *a = &t->attrs[t->nattr++];
    a->is_src = obs_who_is_src(c, who);
    a->is_server = c->flow ? (a->is_src == (c->dir == 1)) : false;
    a->field = f;
    str_copy(a->value, sizeof a->value, value);
    str_copy(a->source, sizeof a->source, source ? source : "");
    a->frame = c->pkt->frame;
}

static void rec_op(void *arg, const struct pctx *c, const struct obs_op *op)
{
    struct dtest *t = cur(arg);
    if (t->nop >= DTEST_MAX)
        return;
    struct dtest_op *o = &t->ops[t->nop++];
    o->kind = op->kind;
    o->src_is_client = c->dir == 0;
    str_copy(o->function, sizeof o->function, op->function ? op->function : "");
    str_copy(o->target, sizeof o->target, op->target ? op->target : "");
    str_copy(o->result, sizeof o->result, op->result ? op->result : "");
    o->frame = c->pkt->frame;
}

static void rec_str(struct dtest_str *arr, int *n, bool server, const char *a, const char *b)
{
    if (*n >= DTEST_MAX)
        return;
    arr[*n].is_server = server;
    str_copy(arr[*n].a, sizeof arr[*n].a, a ? a : "");
    str_copy(arr[*n].b, sizeof arr[*n].b, b ? b : "");
    (*n)++;
}

static bool about_server(const struct pctx *c, enum obs_who who)
{
    return c->flow ? (obs_who_is_src(c, who) == (c->dir == 1)) : false;
}

static void rec_protocol(void *arg, const struct pctx *c, enum obs_who who, enum proto p,
                         const char *as)
{
    struct dtest *t = cur(arg);
    rec_str(t->protocols, &t->nprotocol, about_server(c, who), proto_name(p), as);
}

static void rec_role(void *arg, const struct pctx *c, enum obs_who who, const char *role,
                     const char *source)
{
    struct dtest *t = cur(arg);
    rec_str(t->roles, &t->nrole, about_server(c, who), role, source);
}

static void rec_finding(void *arg, const struct pctx *c, enum obs_who who, const char *kind,
                        const char *detail)
{
    struct dtest *t = cur(arg);
    rec_str(t->findings, &t->nfinding, about_server(c, who), kind, detail);
}

static void rec_malformed(void *arg, const struct pctx *c, const char *reason)
{
    (void)c;
    struct dtest *t = cur(arg);
    t->nmalformed++;
    str_copy(t->last_malformed, sizeof t->last_malformed, reason ? reason : "");
}

static const struct obs_sink recorder = {rec_attr, rec_op, rec_protocol, rec_role, rec_finding,
                                         rec_malformed};

void dtest_init(struct dtest *t, const struct dissector *d, uint16_t port)
{
    memset(t, 0, sizeof *t);
    dissect_init();
    t->d = d;
    t->port = port ? port : d->tcp_ports[0] ? d->tcp_ports[0] : d->udp_ports[0];
    t->flow.proto = d->proto;
    t->flow.dis = d;
    t->flow.state = t->state;
    t->flow.client = 0;
    struct flow_config cfg;
    flow_config_default(&cfg);
    cfg.max_flows = 64;
    cfg.max_states = 16;
    t->ft = flow_table_new(&cfg, NULL, NULL);
    t->disp = dispatch_new(t->ft, &recorder, t);
    dispatch_force_dissector(t->disp, d);
    t->seq[0] = 1000;
    t->seq[1] = 5000;
}

void dtest_done(struct dtest *t)
{
    dispatch_free(t->disp);
    flow_table_free(t->ft);
    t->disp = NULL;
    t->ft = NULL;
}

static void fill_pkt(struct dtest *t, struct pkt *p, int dir, uint8_t l4)
{
    memset(p, 0, sizeof *p);
    p->ts_ns = 1767225600000000000ll + (int64_t)t->frame * 1000;
    p->frame = ++t->frame;
    p->has_mac = true;
    memcpy(p->smac, dir ? mac_srv : mac_cli, 6);
    memcpy(p->dmac, dir ? mac_cli : mac_srv, 6);
    p->ethertype = 0x0800;
    p->src.family = p->dst.family = 4;
    memcpy(p->src.b, dir ? ip_srv : ip_cli, 4);
    memcpy(p->dst.b, dir ? ip_cli : ip_srv, 4);
    p->l4 = l4;
    p->sport = dir ? t->port : 50000;
    p->dport = dir ? 50000 : t->port;
}

void dtest_pdu(struct dtest *t, int dir, const void *bytes, size_t n)
{
    struct pkt p;
    fill_pkt(t, &p, dir, t->d->frame ? L4_TCP : L4_UDP);
    p.payload = rd_init(bytes, n);
    struct pctx c = {&p, &t->flow, dir, t->d->proto, &recorder, t};
    struct rd r = rd_init(bytes, n);
    t->d->parse(&c, t->d->state_size ? t->state : NULL, dir, &r);
}

void dtest_l2(struct dtest *t, const void *bytes, size_t n)
{
    struct pkt p;
    fill_pkt(t, &p, 0, 0);
    memset(&p.src, 0, sizeof p.src);
    memset(&p.dst, 0, sizeof p.dst);
    p.ethertype = t->d->ethertype;
    static const uint8_t mcast[6] = {0x01, 0x0e, 0xcf, 0, 0, 0};
    memcpy(p.dmac, mcast, 6);
    p.payload = rd_init(bytes, n);
    struct pctx c = {&p, NULL, 0, t->d->proto, &recorder, t};
    struct rd r = rd_init(bytes, n);
    t->d->parse(&c, NULL, 0, &r);
}

static void stream_pkt(struct dtest *t, int dir, uint32_t seq, uint8_t flags, const void *bytes,
                       size_t n)
{
    struct pkt p;
    fill_pkt(t, &p, dir, L4_TCP);
    p.seq = seq;
    p.ack = t->seq[1 - dir];
    p.tcp_flags = flags;
    p.payload = rd_init(bytes, n);
    dispatch_packet(t->disp, &p);
}

static void handshake(struct dtest *t)
{
    if (t->frame)
        return;
    stream_pkt(t, 0, t->seq[0] - 1, TCP_SYN, NULL, 0);
    stream_pkt(t, 1, t->seq[1] - 1, TCP_SYN | TCP_ACK, NULL, 0);
    stream_pkt(t, 0, t->seq[0], TCP_ACK, NULL, 0);
}

void dtest_tcp_at(struct dtest *t, int dir, uint32_t rel_seq, const void *bytes, size_t n)
{
    handshake(t);
    /* the ACK a real peer would send is not what it has seen yet: acknowledge only the
     * sender's own view, never bytes of the other side beyond what it sent */
    uint32_t base = dir ? 5000 : 1000;
    struct pkt p;
    fill_pkt(t, &p, dir, L4_TCP);
    p.seq = base + rel_seq;
    p.ack = (dir ? 1000 : 5000);
    p.tcp_flags = TCP_PSH | TCP_ACK;
    p.payload = rd_init(bytes, n);
    dispatch_packet(t->disp, &p);
    uint32_t end = base + rel_seq + (uint32_t)n;
    if ((int32_t)(end - t->seq[dir]) > 0)
        t->seq[dir] = end;
}

void dtest_tcp(struct dtest *t, int dir, const void *bytes, size_t n)
{
    handshake(t);
    uint32_t base = dir ? 5000 : 1000;
    dtest_tcp_at(t, dir, t->seq[dir] - base, bytes, n);
}

void dtest_udp(struct dtest *t, int dir, const void *bytes, size_t n)
{
    struct pkt p;
    fill_pkt(t, &p, dir, L4_UDP);
    p.payload = rd_init(bytes, n);
    dispatch_packet(t->disp, &p);
}

const char *dtest_attr(const struct dtest *t, enum attr_field f)
{
    for (int i = 0; i < t->nattr; i++)
        if (t->attrs[i].field == f)
            return t->attrs[i].value;
    return NULL;
}

int dtest_attr_count(const struct dtest *t, enum attr_field f)
{
    int n = 0;
    for (int i = 0; i < t->nattr; i++)
        n += t->attrs[i].field == f;
    return n;
}

int dtest_op_count(const struct dtest *t, enum op_kind k)
{
    int n = 0;
    for (int i = 0; i < t->nop; i++)
        n += t->ops[i].kind == k;
    return n;
}

const struct dtest_op *dtest_op_find(const struct dtest *t, enum op_kind k)
{
    for (int i = 0; i < t->nop; i++)
        if (t->ops[i].kind == k)
            return &t->ops[i];
    return NULL;
}

bool dtest_has_finding(const struct dtest *t, const char *kind)
{
    for (int i = 0; i < t->nfinding; i++)
        if (!strcmp(t->findings[i].a, kind))
            return true;
    return false;
}

bool dtest_has_role(const struct dtest *t, const char *role)
{
    for (int i = 0; i < t->nrole; i++)
        if (!strcmp(t->roles[i].a, role))
            return true;
    return false;
}

enum proto dtest_flow_proto(const struct dtest *t)
{
    struct pkt p;
    struct dtest *mt = (struct dtest *)(uintptr_t)t; /* fill_pkt counts frames */
    fill_pkt(mt, &p, 0, L4_TCP);
    mt->frame--;
    int side;
    struct flow *f = flow_lookup(t->ft, &p, &side);
    return f ? f->proto : PROTO_NONE;
}

const struct flow_stats *dtest_flow_stats(const struct dtest *t)
{
    return flow_table_stats(t->ft);
}
