/* packet.h - one decoded frame: link, VLAN, network and transport fields, and the payload as a
 * bounds-checked cursor.  A struct pkt lives on the caller's stack for one frame; the payload
 * cursor borrows the capture buffer (or the IP reassembly buffer) and is only valid until the
 * next frame is read. */
#ifndef OTSCOPE_PACKET_H
#define OTSCOPE_PACKET_H

#include <stdbool.h>
#include <stdint.h>

#include "util/reader.h"

struct ipaddr {
    uint8_t family; /* 0 none, 4 or 6 */
    uint8_t b[16];  /* IPv4 in b[0..3], rest zero */
};

enum l4 { L4_NONE = 0, L4_ICMP = 1, L4_TCP = 6, L4_UDP = 17, L4_ICMP6 = 58 };

#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_PSH 0x08
#define TCP_ACK 0x10

struct pkt {
    int64_t ts_ns;    /* capture time, ns since the epoch (UTC) */
    uint64_t frame;   /* 1-based frame number within its file */
    uint32_t file_id; /* index of the input file in this run */
    uint32_t wirelen; /* original length on the wire */

    bool has_mac;
    uint8_t smac[6], dmac[6];
    uint8_t nvlan; /* 0, 1 or 2 (QinQ) */
    uint16_t vlan[2];
    uint16_t ethertype; /* innermost */

    struct ipaddr src, dst;
    uint8_t l4;       /* enum l4 or another IP protocol number */
    uint8_t ttl;
    bool ip_reassembled;
    uint16_t sport, dport;
    uint32_t seq, ack;
    uint8_t tcp_flags;

    struct rd payload; /* L4 payload for IP; the ethertype payload for layer-2 protocols */
};

/* format helpers (util/addr.c) */
#define MAC_STRLEN 18
#define IP_STRLEN 46
void mac_format(const uint8_t mac[6], char out[MAC_STRLEN]);
bool mac_parse(const char *s, uint8_t mac[6]);
void ip_format(const struct ipaddr *a, char out[IP_STRLEN]);
bool ip_parse(const char *s, struct ipaddr *a);
bool ip_equal(const struct ipaddr *a, const struct ipaddr *b);
bool ip_is_unicast_host(const struct ipaddr *a); /* not 0.0.0.0, broadcast, multicast */
bool ip_is_private(const struct ipaddr *a);      /* RFC 1918, ULA, link-local, loopback */
bool mac_is_unicast(const uint8_t mac[6]);       /* I/G bit clear and not all zero */

#endif
