/* dissect.h - the dissector interface.  One file per protocol defines one const struct dissector
 * and is listed once in registry.c.  A dissector reads only through struct rd, keeps what must
 * outlive a call in its per-flow state (zeroed by the flow table, at most DISSECT_STATE_MAX
 * bytes), and reports through the emit_* functions of observe.h.  It never allocates. */
#ifndef OTSCOPE_DISSECT_H
#define OTSCOPE_DISSECT_H

#include <stddef.h>
#include <stdint.h>

#include "observe/observe.h"
#include "util/codes.h"
#include "util/reader.h"

#define DISSECT_STATE_MAX 512 /* per-flow state bound; registry.c checks it at start */

/* frame() results besides a positive PDU length */
#define FRAME_NEED_MORE 0
#define FRAME_NOT_OURS (-1)

struct dissector {
    const char *name; /* for logs and tests; the protocol is 'proto' */
    enum proto proto;
    uint16_t tcp_ports[4]; /* 0-terminated; the side owning the port is the server */
    uint16_t udp_ports[4];
    uint16_t ethertype;    /* layer-2 protocols (PROFINET DCP, LLDP) */

    /* heuristic for flows on other ports: the first payload of either direction.  l4 is L4_TCP
     * or L4_UDP.  Must be cheap and strict: false positives misname a flow forever. */
    bool (*probe)(const struct rd *payload, uint8_t l4);

    size_t state_size; /* bytes of per-flow state (0..DISSECT_STATE_MAX) */

    /* TCP: the length of the PDU at the start of 'stream' (which may hold a partial PDU),
     * FRAME_NEED_MORE when the header itself is incomplete, FRAME_NOT_OURS on garbage (the
     * stream is then resynchronised at the next segment).  NULL for UDP/L2-only dissectors. */
    long (*frame)(const struct rd *stream);

    /* one whole PDU (TCP, after frame()), one datagram (UDP), or one L2 frame payload.
     * dir: 0 client->server, 1 server->client.  state is NULL for layer-2 frames. */
    void (*parse)(struct pctx *c, void *state, int dir, struct rd *pdu);

    /* optional: the TCP stream of direction dir lost bytes; forget partial context */
    void (*gap)(void *state, int dir);
};

/* ---- registry (registry.c) ---- */
void dissect_init(void); /* builds the port maps; aborts on an inconsistent table */
/* before dissect_init: "all" (default), "none", or a comma-separated list of dissector names;
 * -1 for an unknown name */
int dissect_select(const char *list);
const struct dissector *dissect_by_tcp_port(uint16_t port);
const struct dissector *dissect_by_udp_port(uint16_t port);
const struct dissector *dissect_by_ethertype(uint16_t ethertype);
const struct dissector *dissect_probe(const struct rd *payload, uint8_t l4);
const struct dissector *dissect_by_name(const char *name);
size_t dissect_count(void);
const struct dissector *dissect_at(size_t i);
size_t dissect_state_max(void); /* largest state_size in the table */

#endif
