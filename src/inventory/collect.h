/* collect.h - the inventory's side of a capture run: an obs_sink and a flow-done callback that
 * aggregate what was seen into bounded in-memory fact tables (sightings of MAC/IP endpoints,
 * evidence-backed attributes, protocols and roles, operations, findings, conversations).  The
 * store merges them after each file (store_merge) and derives assets from all facts so far. */
#ifndef OTSCOPE_COLLECT_H
#define OTSCOPE_COLLECT_H

#include <stdint.h>

#include "flow/flow.h"
#include "observe/observe.h"
#include "util/hmap.h"

/* an endpoint as seen on the wire: MAC (if any), IP (if any), VLAN */
struct ep {
    uint8_t mac[6];
    bool has_mac;
    struct ipaddr ip;
    uint16_t vlan;
};

/* values of the fact tables (keys are packed endpoints + strings, see collect.c) */
struct fact_sighting {
    struct ep ep;
    bool arp;
    uint64_t packets, bytes;
    int64_t first_ns, last_ns;
    uint32_t file_id;
    uint64_t frame;
};
struct fact_count {
    uint64_t count;
    int64_t first_ns, last_ns;
    uint32_t file_id;
    uint64_t frame;
};
struct fact_conv {
    uint64_t flows, pkts[2], bytes[2]; /* [0] client->server */
    int64_t first_ns, last_ns;
    uint32_t file_id;
    uint64_t frame;
    uint32_t gaps, malformed;
};

struct memo;

struct collector {
    struct hmap sightings; /* ep -> fact_sighting */
    struct hmap attrs;     /* ep, field, value, raw, source -> fact_count */
    struct hmap protocols; /* ep, proto, as -> fact_count (count = packets) */
    struct hmap roles;     /* ep, role, source -> fact_count */
    struct hmap findings;  /* ep, kind, detail -> fact_count */
    struct hmap ops;       /* src ep, dst ep, proto, kind, function, target, result -> count */
    struct hmap convs;     /* client ep, server ep, l4, port, proto -> fact_conv */
    struct memo *memo;     /* recently used operation and attribute facts (collect.c) */
    uint64_t malformed;    /* dissector-reported malformed PDUs */
    uint64_t attr_events, op_events;
};

void collector_init(struct collector *c);
void collector_reset(struct collector *c); /* after a merge */
void collector_free(struct collector *c);
size_t collector_memory(const struct collector *c);
extern const struct obs_sink collector_sink;         /* sink_arg = struct collector * */
void collector_flow_done(void *arg, struct flow *f); /* flow_done_fn */
/* a source seen in a frame without a flow (layer 2, ICMP, other IP protocols) */
void collector_sighting(struct collector *c, const struct pkt *p);

/* packed keys -> readable parts, for the store */
void ep_from_key(const uint8_t *key, struct ep *ep);
#define EP_KEY_LEN 26
void ep_key(const struct ep *e, uint8_t out[EP_KEY_LEN]);
void ep_format(const struct ep *e, char mac[MAC_STRLEN], char ip[IP_STRLEN]);

#endif
