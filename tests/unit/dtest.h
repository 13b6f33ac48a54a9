/* dtest.h - a harness for dissector unit tests: a recording sink, and two ways to feed bytes:
 * straight to a dissector's parse() (dtest_pdu), or as TCP segments/UDP datagrams through the
 * real flow table, reassembler and dispatcher (dtest_tcp / dtest_udp), which is how PDUs split
 * over segments, reordered or retransmitted are tested.  Client is 10.0.0.1:50000 (MAC
 * 02:00:00:00:00:01), server 10.0.0.2:PORT (MAC 02:00:00:00:00:02). */
#ifndef OTSCOPE_DTEST_H
#define OTSCOPE_DTEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dissect/dissect.h"
#include "flow/flow.h"

#define DTEST_MAX 256

struct dtest_attr {
    bool is_src;     /* about the packet's source? */
    bool is_server;  /* about the flow's server? (false for L2) */
    enum attr_field field;
    char value[256];
    char source[96];
    uint64_t frame;
};
struct dtest_op {
    enum op_kind kind;
    bool src_is_client;
    char function[128], target[160], result[128];
    uint64_t frame;
};
struct dtest_str {
    bool is_server;
    char a[64], b[192];
};

struct dtest {
    const struct dissector *d;
    uint16_t port;
    struct dtest_attr attrs[DTEST_MAX];
    int nattr;
    struct dtest_op ops[DTEST_MAX];
    int nop;
    struct dtest_str roles[DTEST_MAX], findings[DTEST_MAX], protocols[DTEST_MAX];
    int nrole, nfinding, nprotocol;
    int nmalformed;
    char last_malformed[128];
    /* direct mode */
    struct flow flow;
    uint8_t state[DISSECT_STATE_MAX];
    uint64_t frame;
    /* stream mode */
    struct flow_table *ft;
    struct dispatch *disp;
    uint32_t seq[2];
};

/* d: the dissector under test; port: its server port (0 = d's first port) */
void dtest_init(struct dtest *t, const struct dissector *d, uint16_t port);
void dtest_done(struct dtest *t);

/* direct: one whole PDU/datagram to parse(); dir 0 client->server, 1 server->client */
void dtest_pdu(struct dtest *t, int dir, const void *bytes, size_t n);
/* layer 2: one frame payload (after the ethertype) from src MAC 02:00:00:00:00:01 */
void dtest_l2(struct dtest *t, const void *bytes, size_t n);

/* stream: a TCP segment with explicit relative sequence number (0 = first byte after the
 * handshake) through flow + reassembly + dispatch.  dtest_tcp sends the next in-order bytes. */
void dtest_tcp_at(struct dtest *t, int dir, uint32_t rel_seq, const void *bytes, size_t n);
void dtest_tcp(struct dtest *t, int dir, const void *bytes, size_t n);
void dtest_udp(struct dtest *t, int dir, const void *bytes, size_t n);

/* queries */
const char *dtest_attr(const struct dtest *t, enum attr_field f); /* first value or NULL */
int dtest_attr_count(const struct dtest *t, enum attr_field f);
int dtest_op_count(const struct dtest *t, enum op_kind k);
const struct dtest_op *dtest_op_find(const struct dtest *t, enum op_kind k); /* first or NULL */
bool dtest_has_finding(const struct dtest *t, const char *kind);
bool dtest_has_role(const struct dtest *t, const char *role);
enum proto dtest_flow_proto(const struct dtest *t); /* stream mode: the flow's protocol */
const struct flow_stats *dtest_flow_stats(const struct dtest *t);

#endif
