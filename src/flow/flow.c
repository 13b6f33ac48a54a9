/* flow.c - the flow table.  Flows live in one array allocated at start (max_flows entries); a
 * chained hash over pool indexes finds them; an intrusive LRU list orders them by last packet so
 * that idle expiry and eviction under pressure both take the list head in O(1).  Dissector state
 * comes from a second fixed pool.  The 'done' callback sees every flow exactly once. */
#include "flow/flow.h"

#include <stdlib.h>
#include <string.h>

#include "dissect/dissect.h"
#include "flow/flow_internal.h"

struct flow_table {
    struct flow_config cfg;
    struct flow *pool;
    uint32_t *buckets;  /* pool index + 1 */
    uint32_t nbuckets;  /* power of two */
    uint32_t free_head; /* released flows, through 'next' (index + 1) */
    uint32_t fresh;     /* pool entries never used yet start here (untouched memory) */
    /* two LRU lists, TCP and the rest, so that each can expire on its own timeout */
    uint32_t lru_head[2], lru_tail[2];
    uint8_t *states;
    size_t state_size;
    uint32_t *state_free;
    uint32_t state_nfree;
    struct reasm_budget budget;
    flow_done_fn done;
    void *done_arg;
    uint32_t last; /* pool index + 1 of the previous packet's flow: conversations come in runs */
    struct flow_stats st;
};

void flow_config_default(struct flow_config *cfg)
{
    cfg->max_flows = 262144;
    cfg->max_states = 65536;
    cfg->idle_tcp_ns = 600ll * 1000000000ll;
    cfg->idle_udp_ns = 120ll * 1000000000ll;
    cfg->reasm_side_max = 65536 + 64;
    cfg->reasm_total_max = 64ull << 20;
}

struct flow_table *flow_table_new(const struct flow_config *cfg, flow_done_fn done, void *arg)
{
    struct flow_table *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->cfg = *cfg;
    if (t->cfg.max_flows < 16)
        t->cfg.max_flows = 16;
    t->nbuckets = 1;
    while (t->nbuckets < t->cfg.max_flows)
        t->nbuckets <<= 1;
    t->pool = calloc(t->cfg.max_flows, sizeof *t->pool);
    t->buckets = calloc(t->nbuckets, sizeof *t->buckets);
    t->state_size = (dissect_state_max() + 15) & ~(size_t)15;
    if (t->state_size == 0)
        t->state_size = 16;
    t->states = calloc(t->cfg.max_states ? t->cfg.max_states : 1, t->state_size);
    t->state_free = calloc(t->cfg.max_states ? t->cfg.max_states : 1, sizeof *t->state_free);
    if (!t->pool || !t->buckets || !t->states || !t->state_free) {
        flow_table_free(t);
        return NULL;
    }
    for (uint32_t i = 0; i < t->cfg.max_states; i++)
        t->state_free[i] = t->cfg.max_states - 1 - i;
    t->state_nfree = t->cfg.max_states;
    t->budget.max = t->cfg.reasm_total_max;
    t->budget.side_max = t->cfg.reasm_side_max;
    t->done = done;
    t->done_arg = arg;
    return t;
}

void flow_table_free(struct flow_table *t)
{
    if (!t)
        return;
    if (t->pool)
        for (uint32_t i = 0; i < t->fresh; i++)
            for (int s = 0; s < 2; s++)
                reasm_release(&t->budget, &t->pool[i].tcp[s].buf);
    free(t->pool);
    free(t->buckets);
    free(t->states);
    free(t->state_free);
    free(t);
}

const struct flow_stats *flow_table_stats(const struct flow_table *t)
{
    return &t->st;
}

size_t flow_table_memory(const struct flow_table *t)
{
    return sizeof *t + (size_t)t->cfg.max_flows * sizeof *t->pool +
           (size_t)t->nbuckets * sizeof *t->buckets +
           (size_t)t->cfg.max_states * (t->state_size + sizeof *t->state_free) + t->budget.peak;
}

static inline uint64_t mix64(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 33;
    return h;
}

static uint32_t key_hash(const struct flow_key *k)
{
    uint64_t a0, a1, b0, b1;
    memcpy(&a0, k->ip[0].b, 8);
    memcpy(&a1, k->ip[0].b + 8, 8);
    memcpy(&b0, k->ip[1].b, 8);
    memcpy(&b1, k->ip[1].b + 8, 8);
    uint64_t h = mix64(a0 ^ mix64(a1 ^ 0x9e3779b97f4a7c15ull));
    h = mix64(h ^ b0 ^ mix64(b1));
    h ^= (uint64_t)k->port[0] << 48 | (uint64_t)k->port[1] << 32 | (uint64_t)k->vlan << 8 | k->l4;
    return (uint32_t)mix64(h);
}

/* memcmp order of the 16 address bytes, as two big-endian words (no library call per packet) */
static int ip_cmp(const struct ipaddr *a, const struct ipaddr *b)
{
    uint64_t x[2], y[2];
    memcpy(x, a->b, 16);
    memcpy(y, b->b, 16);
    for (int i = 0; i < 2; i++) {
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        uint64_t u = __builtin_bswap64(x[i]), v = __builtin_bswap64(y[i]);
#else
        uint64_t u = x[i], v = y[i];
#endif
        if (u != v)
            return u < v ? -1 : 1;
    }
    return 0;
}

/* normalise: side a is the smaller (ip, port); returns the side the packet's source is on */
static int make_key(const struct pkt *p, struct flow_key *k)
{
    memset(k, 0, sizeof *k);
    int c = ip_cmp(&p->src, &p->dst);
    int side = c < 0 || (c == 0 && p->sport <= p->dport) ? 0 : 1;
    k->ip[side] = p->src;
    k->ip[1 - side] = p->dst;
    k->port[side] = p->sport;
    k->port[1 - side] = p->dport;
    k->vlan = p->nvlan ? p->vlan[0] : 0;
    k->l4 = p->l4;
    return side;
}

static bool key_eq(const struct flow_key *a, const struct flow_key *b)
{
    return a->port[0] == b->port[0] && a->port[1] == b->port[1] && a->l4 == b->l4 &&
           a->vlan == b->vlan && memcmp(a->ip[0].b, b->ip[0].b, 16) == 0 &&
           memcmp(a->ip[1].b, b->ip[1].b, 16) == 0 && a->ip[0].family == b->ip[0].family;
}

static int lru_class(const struct flow *f)
{
    return f->key.l4 == L4_TCP ? 0 : 1;
}

static void lru_unlink(struct flow_table *t, struct flow *f)
{
    int c = lru_class(f);
    if (f->lru_prev)
        t->pool[f->lru_prev - 1].lru_next = f->lru_next;
    else
        t->lru_head[c] = f->lru_next;
    if (f->lru_next)
        t->pool[f->lru_next - 1].lru_prev = f->lru_prev;
    else
        t->lru_tail[c] = f->lru_prev;
    f->lru_prev = f->lru_next = 0;
}

static void lru_append(struct flow_table *t, struct flow *f, uint32_t idx1)
{
    int c = lru_class(f);
    f->lru_prev = t->lru_tail[c];
    f->lru_next = 0;
    if (t->lru_tail[c])
        t->pool[t->lru_tail[c] - 1].lru_next = idx1;
    else
        t->lru_head[c] = idx1;
    t->lru_tail[c] = idx1;
}

/* the least recently active flow of both lists (the eviction victim) */
static uint32_t lru_oldest(const struct flow_table *t)
{
    uint32_t a = t->lru_head[0], b = t->lru_head[1];
    if (!a || !b)
        return a ? a : b;
    return t->pool[a - 1].last_ns <= t->pool[b - 1].last_ns ? a : b;
}

/* remove flow f (pool index idx1) from the table, after telling the consumer */
static void flow_release(struct flow_table *t, uint32_t idx1)
{
    struct flow *f = &t->pool[idx1 - 1];
    if (t->last == idx1)
        t->last = 0;
    if (t->done)
        t->done(t->done_arg, f);
    uint32_t *pp = &t->buckets[f->hash & (t->nbuckets - 1)];
    while (*pp && *pp != idx1)
        pp = &t->pool[*pp - 1].next;
    if (*pp)
        *pp = f->next;
    lru_unlink(t, f);
    for (int s = 0; s < 2; s++)
        reasm_release(&t->budget, &f->tcp[s].buf);
    if (f->state) {
        size_t slot = (size_t)((uint8_t *)f->state - t->states) / t->state_size;
        t->state_free[t->state_nfree++] = (uint32_t)slot;
    }
    memset(f, 0, sizeof *f);
    f->next = t->free_head;
    t->free_head = idx1;
    t->st.active--;
}

static int64_t idle_limit(const struct flow_table *t, const struct flow *f)
{
    if (f->key.l4 != L4_TCP)
        return t->cfg.idle_udp_ns;
    /* a closed TCP connection only waits for stragglers */
    if (f->tcp[0].closed && f->tcp[1].closed)
        return 10ll * 1000000000ll;
    return t->cfg.idle_tcp_ns;
}

static void expire_idle(struct flow_table *t, int64_t now)
{
    /* at most a few per list and packet keeps the per-packet cost bounded */
    for (int c = 0; c < 2; c++) {
        for (int i = 0; i < 4 && t->lru_head[c]; i++) {
            struct flow *f = &t->pool[t->lru_head[c] - 1];
            if (now - f->last_ns <= idle_limit(t, f))
                break;
            t->st.expired++;
            flow_release(t, t->lru_head[c]);
        }
    }
}

void *flow_state_alloc(struct flow_table *t, struct flow *f)
{
    if (!t->state_nfree) {
        t->st.no_state++;
        return NULL;
    }
    uint32_t slot = t->state_free[--t->state_nfree];
    f->state = t->states + (size_t)slot * t->state_size;
    memset(f->state, 0, t->state_size);
    return f->state;
}

struct reasm_budget *flow_reasm_budget(struct flow_table *t)
{
    return &t->budget;
}

struct flow_stats *flow_stats_mut(struct flow_table *t)
{
    return &t->st;
}

void flow_set_server_side(struct flow *f, int side)
{
    f->client = (uint8_t)(1 - side);
    f->server_fixed = true;
}

/* which side is the client of a new flow: TCP handshake first, then ports */
static void guess_client(struct flow *f, const struct pkt *p, int side)
{
    if (p->l4 == L4_TCP && (p->tcp_flags & TCP_SYN)) {
        f->client = (uint8_t)((p->tcp_flags & TCP_ACK) ? 1 - side : side);
        return;
    }
    uint16_t sp = p->sport, dp = p->dport;
    bool sd, dd;
    if (p->l4 == L4_TCP) {
        sd = dissect_by_tcp_port(sp) != NULL;
        dd = dissect_by_tcp_port(dp) != NULL;
    } else {
        sd = dissect_by_udp_port(sp) != NULL;
        dd = dissect_by_udp_port(dp) != NULL;
    }
    bool src_is_server;
    if (sd != dd)
        src_is_server = sd;
    else if (sp != dp)
        src_is_server = sp < dp;
    else
        src_is_server = false;
    f->client = (uint8_t)(src_is_server ? 1 - side : side);
}

struct flow *flow_lookup(struct flow_table *t, const struct pkt *p, int *side)
{
    if (p->l4 != L4_TCP && p->l4 != L4_UDP)
        return NULL;
    struct flow_key k;
    *side = make_key(p, &k);
    if (t->last) {
        struct flow *f = &t->pool[t->last - 1];
        if (key_eq(&f->key, &k) &&
            !(p->l4 == L4_TCP && (p->tcp_flags & (TCP_SYN | TCP_ACK)) == TCP_SYN)) {
            f->last_ns = p->ts_ns;
            if (t->lru_tail[lru_class(f)] != t->last) {
                lru_unlink(t, f);
                lru_append(t, f, t->last);
            }
            expire_idle(t, p->ts_ns);
            return f;
        }
    }
    uint32_t h = key_hash(&k);
    uint32_t *bucket = &t->buckets[h & (t->nbuckets - 1)];
    for (uint32_t i = *bucket; i; i = t->pool[i - 1].next) {
        struct flow *f = &t->pool[i - 1];
        if (f->hash != h || !key_eq(&f->key, &k))
            continue;
        /* a fresh SYN on a finished connection starts a new flow (port reuse) */
        if (p->l4 == L4_TCP && (p->tcp_flags & (TCP_SYN | TCP_ACK)) == TCP_SYN &&
            (f->tcp[0].closed || f->tcp[1].closed)) {
            flow_release(t, i);
            break;
        }
        f->last_ns = p->ts_ns;
        if (t->lru_tail[lru_class(f)] != i) {
            lru_unlink(t, f);
            lru_append(t, f, i);
        }
        t->last = i;
        expire_idle(t, p->ts_ns);
        return f;
    }
    expire_idle(t, p->ts_ns);
    if (!t->free_head && t->fresh == t->cfg.max_flows) {
        t->st.evicted++;
        flow_release(t, lru_oldest(t));
        bucket = &t->buckets[h & (t->nbuckets - 1)];
    }
    uint32_t idx1;
    if (t->free_head) {
        idx1 = t->free_head;
        t->free_head = t->pool[idx1 - 1].next;
    } else {
        idx1 = ++t->fresh;
    }
    struct flow *f = &t->pool[idx1 - 1];
    memset(f, 0, sizeof *f);
    f->key = k;
    f->hash = h;
    f->next = *bucket;
    *bucket = idx1;
    lru_append(t, f, idx1);
    f->first_ns = f->last_ns = p->ts_ns;
    f->first_frame = p->frame;
    f->file_id = p->file_id;
    guess_client(f, p, *side);
    t->last = idx1;
    t->st.created++;
    if (++t->st.active > t->st.peak_active)
        t->st.peak_active = t->st.active;
    return f;
}

void flow_table_checkpoint(struct flow_table *t)
{
    for (int c = 0; c < 2; c++)
        for (uint32_t i = t->lru_head[c]; i; i = t->pool[i - 1].lru_next)
            if (t->done)
                t->done(t->done_arg, &t->pool[i - 1]);
}

void flow_table_flush(struct flow_table *t)
{
    uint32_t i;
    while ((i = lru_oldest(t)))
        flow_release(t, i);
}

_Static_assert(sizeof(struct flow) <= 224, "struct flow grew: check the 1M-flow memory budget");
