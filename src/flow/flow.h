/* flow.h - the bidirectional flow table: a fixed pool of flows sized at start, an open hash over
 * the normalised 5-tuple (+ outer VLAN), an LRU list for idle expiry and eviction, and per-side
 * TCP reassembly (tcp_reasm.c).  Nothing is allocated per packet: when the pool is full the
 * least recently used flow is evicted (and counted); reassembly buffers come from a bounded
 * budget and are kept for the life of the flow. */
#ifndef OTSCOPE_FLOW_H
#define OTSCOPE_FLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "decode/packet.h"
#include "observe/observe.h"

struct dissector;
struct reasm_buf;

/* normalised key: side a is the numerically smaller (ip, port) */
struct flow_key {
    struct ipaddr ip[2];
    uint16_t port[2];
    uint16_t vlan;
    uint8_t l4;
};

/* TCP state of one side's byte stream (what side s sends) */
struct tcp_side {
    struct reasm_buf *buf; /* NULL unless a PDU spans segments or data came out of order */
    uint32_t next_seq;     /* next byte expected from this side */
    uint32_t skip;         /* bytes of an oversized PDU still to discard */
    bool seq_known;
    bool lost_sync; /* dissector framing failed; resync at next segment start */
    bool closed;    /* FIN or RST seen */
};

/* Field order keeps the struct at 224 bytes: one million concurrent flows fit in 224 MB. */
struct flow {
    struct flow_key key; /* 42 bytes */
    uint8_t client;      /* side (0 = a, 1 = b) that is the client */
    bool server_fixed;   /* a dissector decided who the server is */
    uint32_t hash;
    uint32_t next;               /* hash chain (pool index + 1, 0 = end) */
    uint32_t lru_prev, lru_next; /* pool index + 1, 0 = none */
    uint32_t file_id;
    int64_t first_ns, last_ns;
    uint64_t first_frame;
    uint64_t pkts[2], bytes[2]; /* sent by side a / b */
    uint64_t protos;            /* every protocol seen (bit = enum proto) */
    const struct dissector *dis;
    void *state; /* dissector state from the pool, or NULL */
    struct tcp_side tcp[2];
    uint8_t mac[2][6]; /* source MAC of side a / b (first seen) */
    bool has_mac[2];
    bool syn_seen[2];
    uint8_t probe_tries;
    uint8_t proto; /* enum proto: main application protocol, 0 if unknown */
    bool reported; /* already counted once as a connection (live checkpoints) */
    uint32_t gaps; /* byte ranges lost in reassembly */
    uint32_t malformed;
};

struct flow_stats {
    uint64_t created, expired, evicted, active, peak_active;
    uint64_t no_state;       /* dissector not attached: state pool exhausted */
    uint64_t reasm_gaps;     /* gaps reported to dissectors */
    uint64_t reasm_overflow; /* PDUs dropped: larger than the per-side buffer bound */
    uint64_t reasm_budget;   /* buffers refused: global reassembly budget exhausted */
    uint64_t retrans_bytes;  /* duplicate bytes dropped */
    uint64_t ooo_segments;   /* segments that arrived ahead of a hole */
    uint64_t reasm_bytes_peak;
};

struct flow_config {
    uint32_t max_flows;  /* hard bound on concurrent flows */
    uint32_t max_states; /* dissector state slots */
    int64_t idle_tcp_ns, idle_udp_ns;
    uint32_t reasm_side_max;  /* bytes buffered per TCP side */
    uint64_t reasm_total_max; /* bytes buffered in all */
};
void flow_config_default(struct flow_config *cfg);

/* Called for each flow that leaves the table (expired, evicted, or at flow_table_flush).
 * The flow is still intact during the call. */
typedef void (*flow_done_fn)(void *arg, struct flow *f);

struct flow_table;
struct flow_table *flow_table_new(const struct flow_config *cfg, flow_done_fn done, void *arg);
void flow_table_free(struct flow_table *t);
/* find or create the flow of an IP packet; NULL for non-flow packets.  *side gets 0/1 for the
 * packet's source side.  Expires idle flows as time advances. */
struct flow *flow_lookup(struct flow_table *t, const struct pkt *p, int *side);
/* hand every live flow to the done callback and empty the table */
void flow_table_flush(struct flow_table *t);
/* hand every live flow to the done callback and keep it (live capture checkpoints: the
 * callback folds the counters so far and zeroes them) */
void flow_table_checkpoint(struct flow_table *t);
const struct flow_stats *flow_table_stats(const struct flow_table *t);
size_t flow_table_memory(const struct flow_table *t);

/* the direction (0 client->server, 1 server->client) of a packet sent by 'side' */
static inline int flow_dir(const struct flow *f, int side)
{
    return side == f->client ? 0 : 1;
}
/* make 'side' the server side */
void flow_set_server_side(struct flow *f, int side);

/* Feed one packet's payload to the flow's dissector, reassembling TCP.  Implemented in
 * flow/dispatch.c; the sink receives the observations. */
struct dispatch;
struct dispatch *dispatch_new(struct flow_table *t, const struct obs_sink *sink, void *sink_arg);
void dispatch_free(struct dispatch *d);
void dispatch_packet(struct dispatch *d, const struct pkt *p);
/* tests and fuzzing: every new flow gets dissector d, whatever its ports */
void dispatch_force_dissector(struct dispatch *d, const struct dissector *dis);
/* dispatch a layer-2 frame (no flow) */
void dispatch_l2(struct dispatch *d, const struct pkt *p);

#endif
