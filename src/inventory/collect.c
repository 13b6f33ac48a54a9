/* collect.c - aggregating observations into fact tables (see collect.h).  Every emit is one
 * hash lookup on a packed binary key; strings are only formatted when the store merges. */
#include "inventory/collect.h"

#include <stdlib.h>
#include <string.h>

/* A memo of recently used facts, in front of the hash maps.  A polling master repeats the
 * same operation on the same device thousands of times; the memo finds its counter by a cheap
 * index of a few key words and one comparison of the key, instead of hashing the whole key
 * and walking a chain in a large table.  A miss falls through to the hash map. */
#define MEMO_SLOTS 1024
#define MEMO_KEY 232

struct memo_slot {
    uint32_t klen; /* 0: empty */
    void *val;
    char key[MEMO_KEY];
};

struct memo {
    struct memo_slot slot[MEMO_SLOTS];
};

static inline uint64_t word_at(const struct keybuf *k, size_t off)
{
    uint64_t w = 0;
    if (off + 8 <= k->n)
        memcpy(&w, k->b + off, 8);
    return w;
}

static void *memo_get(struct memo *mo, struct hmap *m, unsigned table, const struct keybuf *k,
                      bool *created)
{
    if (!mo || k->n > MEMO_KEY || k->n < 8)
        return hmap_get(m, k->b, k->n, created);
    uint64_t h = (word_at(k, 0) ^ (k->n << 3 | table)) * 0x9e3779b97f4a7c15ull;
    h = (h ^ word_at(k, 26)) * 0xbf58476d1ce4e5b9ull;
    h = (h ^ word_at(k, 52)) * 0x94d049bb133111ebull;
    uint64_t tail;
    memcpy(&tail, k->b + k->n - 8, 8);
    h = (h ^ tail) * 0x9e3779b97f4a7c15ull;
    struct memo_slot *sl = &mo->slot[(h >> 40) & (MEMO_SLOTS - 1)];
    if (sl->klen == k->n + table * 65536u && memcmp(sl->key, k->b, k->n) == 0) {
        *created = false;
        return sl->val;
    }
    void *v = hmap_get(m, k->b, k->n, created);
    if (v) {
        sl->klen = (uint32_t)k->n + table * 65536u;
        sl->val = v;
        memcpy(sl->key, k->b, k->n);
    }
    return v;
}

void ep_key(const struct ep *e, uint8_t out[EP_KEY_LEN])
{
    memset(out, 0, EP_KEY_LEN);
    if (e->has_mac) {
        memcpy(out, e->mac, 6);
        out[6] = 1;
    }
    out[7] = e->ip.family;
    memcpy(out + 8, e->ip.b, 16);
    out[24] = (uint8_t)(e->vlan >> 8);
    out[25] = (uint8_t)e->vlan;
}

void ep_from_key(const uint8_t *k, struct ep *e)
{
    memset(e, 0, sizeof *e);
    memcpy(e->mac, k, 6);
    e->has_mac = k[6];
    e->ip.family = k[7];
    memcpy(e->ip.b, k + 8, 16);
    e->vlan = (uint16_t)(k[24] << 8 | k[25]);
}

void ep_format(const struct ep *e, char mac[MAC_STRLEN], char ip[IP_STRLEN])
{
    if (e->has_mac)
        mac_format(e->mac, mac);
    else
        mac[0] = '\0';
    ip_format(&e->ip, ip);
}

void collector_init(struct collector *c)
{
    memset(c, 0, sizeof *c);
    hmap_init(&c->sightings, sizeof(struct fact_sighting));
    hmap_init(&c->attrs, sizeof(struct fact_count));
    hmap_init(&c->protocols, sizeof(struct fact_count));
    hmap_init(&c->roles, sizeof(struct fact_count));
    hmap_init(&c->findings, sizeof(struct fact_count));
    hmap_init(&c->ops, sizeof(struct fact_count));
    hmap_init(&c->convs, sizeof(struct fact_conv));
    c->memo = calloc(1, sizeof *c->memo); /* without it every lookup goes to the maps */
}

void collector_free(struct collector *c)
{
    hmap_clear(&c->sightings);
    hmap_clear(&c->attrs);
    hmap_clear(&c->protocols);
    hmap_clear(&c->roles);
    hmap_clear(&c->findings);
    hmap_clear(&c->ops);
    hmap_clear(&c->convs);
    free(c->memo);
    c->memo = NULL;
}

void collector_reset(struct collector *c)
{
    collector_free(c);
    uint64_t m = c->malformed, a = c->attr_events, o = c->op_events;
    collector_init(c);
    c->malformed = m;
    c->attr_events = a;
    c->op_events = o;
}

size_t collector_memory(const struct collector *c)
{
    return c->sightings.bytes + c->attrs.bytes + c->protocols.bytes + c->roles.bytes +
           c->findings.bytes + c->ops.bytes + c->convs.bytes;
}

static void count(struct fact_count *f, bool created, int64_t ts, uint32_t file, uint64_t frame,
                  uint64_t n)
{
    if (!f)
        return;
    if (created) {
        f->first_ns = ts;
        f->file_id = file;
        f->frame = frame;
    }
    if (ts > f->last_ns || created)
        f->last_ns = ts;
    if (ts < f->first_ns)
        f->first_ns = ts;
    f->count += n;
}

/* the endpoint an observation is about */
static void who_ep(const struct pctx *c, enum obs_who who, struct ep *e)
{
    const struct pkt *p = c->pkt;
    bool src = obs_who_is_src(c, who);
    memset(e, 0, sizeof *e);
    if (p->has_mac) {
        const uint8_t *m = src ? p->smac : p->dmac;
        if (mac_is_unicast(m)) {
            memcpy(e->mac, m, 6);
            e->has_mac = true;
        }
    }
    if (p->src.family) {
        e->ip = src ? p->src : p->dst;
        /* a frame sent to a broadcast/multicast MAC is not addressed to a host */
        bool group_dst = !src && p->has_mac && (p->dmac[0] & 1);
        if (!ip_is_unicast_host(&e->ip) || group_dst)
            memset(&e->ip, 0, sizeof e->ip);
    }
    e->vlan = p->nvlan ? p->vlan[0] : 0;
}

static void key_ep(struct keybuf *k, const struct ep *e)
{
    /* ep_key() with the VLAN zeroed, written in place: facts about a host are not per VLAN
     * (sightings are) */
    if (sizeof k->b - k->n < EP_KEY_LEN)
        return;
    uint8_t *o = (uint8_t *)k->b + k->n;
    if (e->has_mac)
        memcpy(o, e->mac, 6);
    else
        memset(o, 0, 6);
    o[6] = e->has_mac;
    o[7] = e->ip.family;
    memcpy(o + 8, e->ip.b, 16);
    o[24] = o[25] = 0;
    k->n += EP_KEY_LEN;
}

void collector_arp_claim(struct collector *c, const struct pkt *p, const struct ipaddr *ip);

static void on_attr(void *arg, const struct pctx *c, enum obs_who who, enum attr_field f,
                    const char *value, const char *raw, const char *source)
{
    struct collector *col = arg;
    struct ep e;
    who_ep(c, who, &e);
    if (!e.has_mac && !e.ip.family)
        return;
    /* a layer-2 protocol (ARP, PROFINET DCP) stating the sender's own IPv4 address */
    struct ipaddr claimed;
    if (f == F_IP_ADDRESS && !c->flow && obs_who_is_src(c, who) && ip_parse(value, &claimed) &&
        ip_is_unicast_host(&claimed))
        collector_arp_claim(col, c->pkt, &claimed);
    struct keybuf k;
    kb_reset(&k);
    key_ep(&k, &e);
    uint8_t fb = (uint8_t)f;
    kb_mem(&k, &fb, 1);
    kb_str(&k, value);
    kb_str(&k, raw);
    kb_str(&k, source);
    bool created;
    struct fact_count *fc = memo_get(col->memo, &col->attrs, 1, &k, &created);
    count(fc, created, c->pkt->ts_ns, c->pkt->file_id, c->pkt->frame, 1);
    col->attr_events++;
}

static void on_op(void *arg, const struct pctx *c, const struct obs_op *op)
{
    struct collector *col = arg;
    struct ep s, d;
    /* an operation is recorded as requester -> device: a result reported by the device's
     * response (an exception, a negative confirmation) keeps that direction */
    bool from_response = op->result && c->flow && c->dir == 1;
    who_ep(c, from_response ? WHO_DST : WHO_SRC, &s);
    who_ep(c, from_response ? WHO_SRC : WHO_DST, &d);
    struct keybuf k;
    kb_reset(&k);
    key_ep(&k, &s);
    key_ep(&k, &d);
    uint8_t pk[2] = {(uint8_t)c->proto, (uint8_t)op->kind};
    kb_mem(&k, pk, 2);
    kb_str(&k, op->function);
    kb_str(&k, op->target);
    kb_str(&k, op->result);
    bool created;
    struct fact_count *fc = memo_get(col->memo, &col->ops, 2, &k, &created);
    count(fc, created, c->pkt->ts_ns, c->pkt->file_id, c->pkt->frame, 1);
    col->op_events++;
}

static void add_protocol(struct collector *col, const struct ep *e, enum proto p, const char *as,
                         uint64_t packets, int64_t first, int64_t last, uint32_t file,
                         uint64_t frame)
{
    if (!e->has_mac && !e->ip.family)
        return;
    struct keybuf k;
    kb_reset(&k);
    key_ep(&k, e);
    uint8_t pb = (uint8_t)p;
    kb_mem(&k, &pb, 1);
    kb_str(&k, as);
    bool created;
    struct fact_count *fc = memo_get(col->memo, &col->protocols, 3, &k, &created);
    count(fc, created, first, file, frame, packets);
    if (fc && last > fc->last_ns)
        fc->last_ns = last;
}

static void on_protocol(void *arg, const struct pctx *c, enum obs_who who, enum proto p,
                        const char *as)
{
    struct ep e;
    who_ep(c, who, &e);
    add_protocol(arg, &e, p, as, 1, c->pkt->ts_ns, c->pkt->ts_ns, c->pkt->file_id, c->pkt->frame);
}

static void on_role(void *arg, const struct pctx *c, enum obs_who who, const char *role,
                    const char *source)
{
    struct collector *col = arg;
    struct ep e;
    who_ep(c, who, &e);
    if (!e.has_mac && !e.ip.family)
        return;
    struct keybuf k;
    kb_reset(&k);
    key_ep(&k, &e);
    kb_str(&k, role);
    kb_str(&k, source);
    bool created;
    struct fact_count *fc = hmap_get(&col->roles, k.b, k.n, &created);
    count(fc, created, c->pkt->ts_ns, c->pkt->file_id, c->pkt->frame, 1);
}

static void finding(struct collector *col, const struct pctx *c, enum obs_who who, const char *kind,
                    const char *detail)
{
    struct ep e;
    who_ep(c, who, &e);
    if (!e.has_mac && !e.ip.family)
        return;
    struct keybuf k;
    kb_reset(&k);
    key_ep(&k, &e);
    kb_str(&k, kind);
    kb_str(&k, detail);
    uint8_t pb = (uint8_t)c->proto;
    kb_mem(&k, &pb, 1);
    bool created;
    struct fact_count *fc = hmap_get(&col->findings, k.b, k.n, &created);
    count(fc, created, c->pkt->ts_ns, c->pkt->file_id, c->pkt->frame, 1);
}

static void on_finding(void *arg, const struct pctx *c, enum obs_who who, const char *kind,
                       const char *detail)
{
    finding(arg, c, who, kind, detail);
}

static void on_malformed(void *arg, const struct pctx *c, const char *reason)
{
    struct collector *col = arg;
    col->malformed++;
    finding(col, c, WHO_SRC, "malformed-traffic", reason);
}

const struct obs_sink collector_sink = {
    .attr = on_attr,
    .op = on_op,
    .protocol = on_protocol,
    .role_hint = on_role,
    .finding = on_finding,
    .malformed = on_malformed,
};

static void sight(struct collector *col, const struct ep *e, bool arp, uint64_t packets,
                  uint64_t bytes, int64_t first, int64_t last, uint32_t file, uint64_t frame)
{
    if (!e->has_mac && !e->ip.family)
        return;
    uint8_t k[EP_KEY_LEN];
    ep_key(e, k);
    bool created;
    struct fact_sighting *s = hmap_get(&col->sightings, k, sizeof k, &created);
    if (!s)
        return;
    if (created) {
        s->ep = *e;
        s->first_ns = first;
        s->last_ns = last;
        s->file_id = file;
        s->frame = frame;
    }
    if (first < s->first_ns) {
        s->first_ns = first;
        s->file_id = file;
        s->frame = frame;
    }
    if (last > s->last_ns)
        s->last_ns = last;
    s->packets += packets;
    s->bytes += bytes;
    s->arp |= arp;
}

void collector_sighting(struct collector *c, const struct pkt *p)
{
    struct ep e;
    memset(&e, 0, sizeof e);
    if (p->has_mac && mac_is_unicast(p->smac)) {
        memcpy(e.mac, p->smac, 6);
        e.has_mac = true;
    }
    if (p->src.family && ip_is_unicast_host(&p->src))
        e.ip = p->src;
    e.vlan = p->nvlan ? p->vlan[0] : 0;
    sight(c, &e, false, 1, p->wirelen, p->ts_ns, p->ts_ns, p->file_id, p->frame);
}

/* ARP claims become sightings with the arp flag (collect.c is the ARP dissector's sink too) */
static void flow_side_ep(const struct flow *f, int side, struct ep *e)
{
    memset(e, 0, sizeof *e);
    if (f->has_mac[side] && mac_is_unicast(f->mac[side])) {
        memcpy(e->mac, f->mac[side], 6);
        e->has_mac = true;
    }
    if (ip_is_unicast_host(&f->key.ip[side]))
        e->ip = f->key.ip[side];
    e->vlan = f->key.vlan;
}

void collector_flow_done(void *arg, struct flow *f)
{
    struct collector *col = arg;
    struct ep e[2];
    for (int s = 0; s < 2; s++) {
        flow_side_ep(f, s, &e[s]);
        if (f->pkts[s])
            sight(col, &e[s], false, f->pkts[s], f->bytes[s], f->first_ns, f->last_ns, f->file_id,
                  f->first_frame);
    }
    int cli = f->client, srv = 1 - f->client;
    bool peer = !f->server_fixed && f->key.port[0] == f->key.port[1];
    for (int p = 1; p < PROTO_COUNT; p++) {
        if (!(f->protos & (1ull << p)))
            continue;
        for (int s = 0; s < 2; s++) {
            if (!f->pkts[s])
                continue; /* a host that never sent is not known to speak it */
            const char *as = peer ? "peer" : s == srv ? "server" : "client";
            add_protocol(col, &e[s], (enum proto)p, as, f->pkts[s], f->first_ns, f->last_ns,
                         f->file_id, f->first_frame);
        }
    }
    /* conversations: client -> server, with the server port */
    struct keybuf k;
    kb_reset(&k);
    key_ep(&k, &e[cli]);
    key_ep(&k, &e[srv]);
    uint8_t extra[6] = {
        f->key.l4,         (uint8_t)(f->key.port[srv] >> 8), (uint8_t)f->key.port[srv],
        (uint8_t)f->proto, (uint8_t)(f->key.vlan >> 8),      (uint8_t)f->key.vlan};
    kb_mem(&k, extra, sizeof extra);
    bool created;
    struct fact_conv *cv = hmap_get(&col->convs, k.b, k.n, &created);
    if (!cv)
        return;
    if (created) {
        cv->first_ns = f->first_ns;
        cv->file_id = f->file_id;
        cv->frame = f->first_frame;
    }
    if (f->last_ns > cv->last_ns)
        cv->last_ns = f->last_ns;
    cv->flows += !f->reported;
    cv->pkts[0] += f->pkts[cli];
    cv->pkts[1] += f->pkts[srv];
    cv->bytes[0] += f->bytes[cli];
    cv->bytes[1] += f->bytes[srv];
    cv->gaps += f->gaps;
    cv->malformed += f->malformed;
    /* counted: a live checkpoint folds only what comes after this */
    f->reported = true;
    f->pkts[0] = f->pkts[1] = f->bytes[0] = f->bytes[1] = 0;
    f->gaps = f->malformed = 0;
}

/* an ARP or DCP claim: the sending MAC owns that IPv4 address */
void collector_arp_claim(struct collector *c, const struct pkt *p, const struct ipaddr *ip)
{
    struct ep e;
    memset(&e, 0, sizeof e);
    if (!p->has_mac || !mac_is_unicast(p->smac))
        return;
    memcpy(e.mac, p->smac, 6);
    e.has_mac = true;
    e.ip = *ip;
    e.vlan = p->nvlan ? p->vlan[0] : 0;
    sight(c, &e, true, 0, 0, p->ts_ns, p->ts_ns, p->file_id, p->frame);
}
