/* dispatch.c - from a decoded packet to dissector calls: flow lookup and accounting, dissector
 * selection (server port, then heuristics on the first payloads), and TCP stream delivery.
 * In-order segments are framed straight out of the packet buffer; only a PDU's tail that spans
 * segments, or data that arrived ahead of a hole, is copied into the side's reassembly buffer.
 * Lost bytes (a hole the peer's ACK has passed, or more disorder than the buffer holds) are a
 * gap: counted, told to the dissector, and framing resynchronises at the next segment start. */
#include <stdlib.h>

#include "dissect/dissect.h"
#include "flow/flow.h"
#include "flow/flow_internal.h"

#define PROBE_TRIES 4

struct dispatch {
    struct flow_table *ft;
    const struct dissector *forced;
    const struct obs_sink *sink;
    void *sink_arg;
};

struct dispatch *dispatch_new(struct flow_table *t, const struct obs_sink *sink, void *sink_arg)
{
    struct dispatch *d = calloc(1, sizeof *d);
    if (d) {
        d->ft = t;
        d->sink = sink;
        d->sink_arg = sink_arg;
    }
    return d;
}

void dispatch_free(struct dispatch *d)
{
    free(d);
}

static void attach(struct dispatch *d, struct flow *f, const struct dissector *dis)
{
    f->dis = dis;
    f->proto = dis->proto;
    f->protos |= 1ull << dis->proto;
    if (dis->state_size && !flow_state_alloc(d->ft, f))
        f->dis = NULL; /* counted as no_state; the protocol stays known */
}

void dispatch_force_dissector(struct dispatch *d, const struct dissector *dis)
{
    d->forced = dis;
}

static void select_dissector(struct dispatch *d, struct flow *f, const struct pkt *p)
{
    if (d->forced) {
        attach(d, f, d->forced);
        return;
    }
    uint16_t srv = f->key.port[1 - f->client], cli = f->key.port[f->client];
    const struct dissector *dis;
    if (p->l4 == L4_TCP)
        dis = dissect_by_tcp_port(srv) ? dissect_by_tcp_port(srv) : dissect_by_tcp_port(cli);
    else
        dis = dissect_by_udp_port(srv) ? dissect_by_udp_port(srv) : dissect_by_udp_port(cli);
    if (!dis && rd_left(&p->payload)) {
        f->probe_tries++;
        dis = dissect_probe(&p->payload, p->l4);
    }
    if (dis)
        attach(d, f, dis);
}

/* frame and parse PDUs from the start of 'stream'; returns the bytes consumed */
static uint32_t deliver(struct dispatch *d, struct flow *f, struct tcp_side *ts, struct pctx *c,
                        struct rd stream)
{
    const struct dissector *dis = f->dis;
    struct flow_stats *st = flow_stats_mut(d->ft);
    uint32_t side_max = flow_reasm_budget(d->ft)->side_max;
    uint32_t consumed = 0;
    while (rd_left(&stream)) {
        uint32_t left = (uint32_t)rd_left(&stream);
        if (ts->skip) {
            uint32_t k = ts->skip < left ? ts->skip : left;
            rd_skip(&stream, k);
            ts->skip -= k;
            consumed += k;
            continue;
        }
        bool resync = ts->lost_sync;
        ts->lost_sync = false;
        long r = dis->frame(&stream);
        if (r == FRAME_NEED_MORE)
            break;
        if (r < 0) {
            if (!resync)
                emit_malformed(c, "stream framing lost");
            ts->lost_sync = true;
            consumed += left;
            break;
        }
        if ((uint64_t)r > left) {
            if ((uint64_t)r > side_max) {
                st->reasm_overflow++;
                ts->skip = (uint32_t)((uint64_t)r - left);
                consumed += left;
            }
            break;
        }
        struct rd pdu = rd_sub(&stream, (size_t)r);
        dis->parse(c, f->state, c->dir, &pdu);
        consumed += (uint32_t)r;
    }
    return consumed;
}

static void gap(struct dispatch *d, struct flow *f, struct tcp_side *ts, int dir)
{
    flow_stats_mut(d->ft)->reasm_gaps++;
    f->gaps++;
    ts->lost_sync = true;
    ts->skip = 0;
    if (f->dis && f->dis->gap && f->state)
        f->dis->gap(f->state, dir);
}

/* deliver what the buffer holds contiguously */
static void drain(struct dispatch *d, struct flow *f, struct tcp_side *ts, struct pctx *c)
{
    struct reasm_buf *b = ts->buf;
    if (!b || !b->len)
        return;
    uint32_t n = deliver(d, f, ts, c, reasm_contig(b));
    reasm_consume(b, n);
}

/* give up on the first hole of side ts: drop the partial PDU and the hole, resume after it */
static void skip_hole(struct dispatch *d, struct flow *f, struct tcp_side *ts, struct pctx *c)
{
    gap(d, f, ts, c->dir);
    if (ts->buf) {
        reasm_skip_hole(ts->buf);
        ts->next_seq = ts->buf->base + ts->buf->len;
        drain(d, f, ts, c);
    }
}

static void tcp_payload(struct dispatch *d, struct flow *f, int side, const struct pkt *p,
                        struct pctx *c)
{
    struct tcp_side *ts = &f->tcp[side];
    struct flow_stats *st = flow_stats_mut(d->ft);
    struct reasm_budget *bg = flow_reasm_budget(d->ft);
    struct rd pl = p->payload;
    uint32_t n = (uint32_t)rd_left(&pl), seq = p->seq;
    if (!ts->seq_known) {
        ts->next_seq = seq;
        ts->seq_known = true;
    }
    int32_t rel = seq_diff(seq, ts->next_seq);
    if (rel < 0) {
        uint32_t dup = (uint32_t) - (int64_t)rel;
        if (dup >= n) {
            st->retrans_bytes += n;
            return;
        }
        rd_skip(&pl, dup);
        st->retrans_bytes += dup;
        seq += dup;
        n -= dup;
        rel = 0;
    }
    if (rel > 0) {
        st->ooo_segments++;
        uint32_t base = reasm_empty(ts->buf) ? ts->next_seq : ts->buf->base;
        uint32_t off = (ts->next_seq - base) + (uint32_t)rel;
        if ((uint32_t)rel > bg->side_max || reasm_store(bg, &ts->buf, base, off, pl) != REASM_OK) {
            /* more disorder than we may hold: the hole is lost */
            if (!reasm_empty(ts->buf))
                skip_hole(d, f, ts, c);
            else
                gap(d, f, ts, c->dir);
            reasm_clear(ts->buf);
            ts->next_seq = seq;
            rel = 0;
        } else {
            return;
        }
    }
    if (reasm_empty(ts->buf)) {
        ts->next_seq = seq + n;
        uint32_t used = deliver(d, f, ts, c, pl);
        if (used < n) {
            rd_skip(&pl, used);
            if (reasm_store(bg, &ts->buf, seq + used, 0, pl) != REASM_OK) {
                st->reasm_budget++;
                gap(d, f, ts, c->dir);
            }
        }
        return;
    }
    struct reasm_buf *b = ts->buf;
    if (reasm_store(bg, &ts->buf, b->base, ts->next_seq - b->base, pl) != REASM_OK) {
        st->reasm_overflow++;
        skip_hole(d, f, ts, c);
        return;
    }
    ts->next_seq = ts->buf->base + ts->buf->len;
    drain(d, f, ts, c);
}

/* the peer acknowledged bytes of side 'o' that we never saw: they are lost */
static void ack_gap(struct dispatch *d, struct flow *f, int o, uint32_t ack, struct pctx *c)
{
    struct tcp_side *ts = &f->tcp[o];
    if (!ts->seq_known || ts->closed || seq_diff(ack, ts->next_seq) <= 0)
        return;
    if (!reasm_empty(ts->buf) && ts->buf->nooo) {
        skip_hole(d, f, ts, c);
        return;
    }
    gap(d, f, ts, c->dir);
    reasm_clear(ts->buf);
    ts->next_seq = ack;
}

void dispatch_packet(struct dispatch *d, const struct pkt *p)
{
    int side;
    struct flow *f = flow_lookup(d->ft, p, &side);
    if (!f)
        return;
    f->pkts[side]++;
    f->bytes[side] += p->wirelen;
    if (!f->has_mac[side] && p->has_mac) {
        for (int i = 0; i < 6; i++)
            f->mac[side][i] = p->smac[i];
        f->has_mac[side] = true;
    }
    uint32_t n = (uint32_t)rd_left(&p->payload);
    if (p->l4 == L4_TCP) {
        struct tcp_side *ts = &f->tcp[side];
        if (p->tcp_flags & TCP_SYN) {
            ts->next_seq = p->seq + 1;
            ts->seq_known = true;
            f->syn_seen[side] = true;
            if (!f->server_fixed && !(p->tcp_flags & TCP_ACK))
                f->client = (uint8_t)side;
        }
    }
    if (!f->dis && n && f->probe_tries < PROBE_TRIES)
        select_dissector(d, f, p);
    struct pctx c = {p, f, flow_dir(f, side), f->proto, d->sink, d->sink_arg};
    if (p->l4 == L4_TCP) {
        if ((p->tcp_flags & TCP_ACK) && f->dis && f->dis->frame)
            ack_gap(d, f, 1 - side, p->ack, &c);
        if (n && f->dis && f->dis->frame && !(p->tcp_flags & TCP_SYN))
            tcp_payload(d, f, side, p, &c);
        if (p->tcp_flags & (TCP_FIN | TCP_RST))
            f->tcp[side].closed = true;
        if (p->tcp_flags & TCP_RST)
            f->tcp[1 - side].closed = true;
    } else if (n && f->dis) {
        struct rd pl = p->payload;
        f->dis->parse(&c, f->state, c.dir, &pl);
    }
}

void dispatch_l2(struct dispatch *d, const struct pkt *p)
{
    const struct dissector *dis = dissect_by_ethertype(p->ethertype);
    if (!dis)
        return;
    struct pctx c = {p, NULL, 0, dis->proto, d->sink, d->sink_arg};
    struct rd pl = p->payload;
    dis->parse(&c, NULL, 0, &pl);
}
