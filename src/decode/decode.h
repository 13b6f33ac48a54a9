/* decode.h - frame decoding: link layer (Ethernet, VLAN/QinQ, Linux cooked SLL/SLL2, raw IP,
 * null/loopback) -> IPv4/IPv6 (fragments reassembled within a bounded table) -> TCP/UDP/ICMP.
 * decode_frame() fills a struct pkt; it never allocates (the reassembly table is sized at
 * decoder_new) and every byte is read through struct rd. */
#ifndef OTSCOPE_DECODE_H
#define OTSCOPE_DECODE_H

#include <stdint.h>

#include "decode/packet.h"

enum decode_result {
    DEC_IP,        /* an IP packet with transport fields and payload */
    DEC_L2,        /* a non-IP frame: p->ethertype and p->payload for layer-2 dissectors */
    DEC_FRAGMENT,  /* an IP fragment was stored; nothing to dissect yet */
    DEC_SKIP,      /* understood but nothing to do (unknown ethertype, other IP protocol) */
    DEC_MALFORMED, /* *why says what */
};

struct decode_stats {
    uint64_t frames, ipv4, ipv6, tcp, udp, icmp, arp, l2_other, vlan_tagged;
    uint64_t malformed, unsupported_link;
    uint64_t frag_stored, frag_reassembled, frag_dropped, frag_overlap, frag_timeout;
};

struct decoder;
/* max_frag_datagrams: concurrent IP datagrams in reassembly (each up to 64 KiB) */
struct decoder *decoder_new(unsigned max_frag_datagrams);
void decoder_free(struct decoder *d);
/* linktype is the libpcap DLT_* of the source.  On DEC_MALFORMED *why is a static string. */
enum decode_result decode_frame(struct decoder *d, int linktype, struct rd frame, struct pkt *p,
                                const char **why);
const struct decode_stats *decoder_stats(const struct decoder *d);
bool decode_linktype_supported(int linktype);

/* internal to decode/: the layers */
enum decode_result decode_ethernet(struct decoder *d, struct rd *r, struct pkt *p, const char **why);
enum decode_result decode_ipv4(struct decoder *d, struct rd *r, struct pkt *p, const char **why);
enum decode_result decode_ipv6(struct decoder *d, struct rd *r, struct pkt *p, const char **why);
enum decode_result decode_l4(struct decoder *d, struct rd *r, struct pkt *p, const char **why);
enum decode_result decode_ethertype(struct decoder *d, uint16_t type, struct rd *r, struct pkt *p,
                                    const char **why);
struct decode_stats *decoder_stats_mut(struct decoder *d);

/* ipfrag.c: a fragment of datagram 'id'; returns true and the whole datagram's payload in *out
 * when this fragment completed it.  The bytes stay valid until the next call. */
struct ipfrag;
struct ipfrag *ipfrag_new(unsigned slots);
void ipfrag_free(struct ipfrag *f);
bool ipfrag_add(struct ipfrag *f, struct decode_stats *st, const struct pkt *p, uint32_t id,
                uint8_t proto, uint32_t offset, bool more, struct rd data, struct rd *out);

#endif
