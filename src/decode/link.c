/* link.c - link layers: Ethernet II / 802.3 SNAP with 802.1Q and QinQ tags (the outer two VLAN
 * ids are kept: zones use them), Linux cooked v1/v2, raw IP and BSD null/loopback. */
#include <pcap/dlt.h>
#include <string.h>

#include "decode/decode.h"

#define ETH_P_IPV4 0x0800
#define ETH_P_IPV6 0x86dd
#define ETH_P_8021Q 0x8100
#define ETH_P_8021AD 0x88a8
#define ETH_P_QINQ_OLD 0x9100
#define ETH_P_PPPOE_SESSION 0x8864
#define ETH_P_MPLS 0x8847
#define ARPHRD_ETHER 1
#define MAX_VLAN_DEPTH 4

#ifndef DLT_LINUX_SLL2
#define DLT_LINUX_SLL2 276
#endif

bool decode_linktype_supported(int lt)
{
    switch (lt) {
    case DLT_EN10MB:
    case DLT_LINUX_SLL:
    case DLT_LINUX_SLL2:
    case DLT_RAW:
    case DLT_IPV4:
    case DLT_IPV6:
    case DLT_NULL:
    case DLT_LOOP:
        return true;
    }
    return false;
}

enum decode_result decode_ethertype(struct decoder *d, uint16_t type, struct rd *r, struct pkt *p,
                                    const char **why)
{
    p->ethertype = type;
    switch (type) {
    case ETH_P_PPPOE_SESSION: {
        /* RFC 2516 §4: ver/type, code, session id, length, then a PPP protocol number */
        rd_skip(r, 6);
        uint16_t ppp = rd_be16(r);
        if (!rd_ok(r)) {
            *why = "PPPoE header truncated";
            return DEC_MALFORMED;
        }
        if (ppp == 0x0021)
            return decode_ipv4(d, r, p, why);
        if (ppp == 0x0057)
            return decode_ipv6(d, r, p, why);
        return DEC_SKIP;
    }
    case ETH_P_MPLS: {
        /* RFC 3032: labels until the bottom-of-stack bit, then IPv4/IPv6 by version nibble */
        for (int i = 0; i < 8; i++) {
            uint32_t lse = rd_be32(r);
            if (!rd_ok(r)) {
                *why = "MPLS label stack truncated";
                return DEC_MALFORMED;
            }
            if (lse & 0x100) {
                uint8_t v = rd_peek_u8(r, 0) >> 4;
                if (v == 4)
                    return decode_ipv4(d, r, p, why);
                if (v == 6)
                    return decode_ipv6(d, r, p, why);
                return DEC_SKIP;
            }
        }
        *why = "MPLS label stack too deep";
        return DEC_MALFORMED;
    }
    case ETH_P_IPV4:
        return decode_ipv4(d, r, p, why);
    case ETH_P_IPV6:
        return decode_ipv6(d, r, p, why);
    default:
        p->payload = rd_rest(r);
        if (type == 0x0806)
            decoder_stats_mut(d)->arp++;
        else
            decoder_stats_mut(d)->l2_other++;
        return DEC_L2;
    }
}

enum decode_result decode_ethernet(struct decoder *d, struct rd *r, struct pkt *p, const char **why)
{
    rd_bytes(r, p->dmac, 6);
    rd_bytes(r, p->smac, 6);
    uint16_t type = rd_be16(r);
    if (!rd_ok(r)) {
        *why = "ethernet header truncated";
        return DEC_MALFORMED;
    }
    p->has_mac = true;
    for (int depth = 0; type == ETH_P_8021Q || type == ETH_P_8021AD || type == ETH_P_QINQ_OLD;
         depth++) {
        uint16_t tci = rd_be16(r);
        type = rd_be16(r);
        if (!rd_ok(r) || depth >= MAX_VLAN_DEPTH) {
            *why = !rd_ok(r) ? "VLAN tag truncated" : "too many VLAN tags";
            return DEC_MALFORMED;
        }
        if (p->nvlan < 2)
            p->vlan[p->nvlan++] = tci & 0x0fff;
        if (depth == 0)
            decoder_stats_mut(d)->vlan_tagged++;
    }
    if (type < 0x0600) {
        /* 802.3 length: only LLC/SNAP (CDP, ...) carries a protocol id we can use */
        struct rd llc = rd_sub(r, rd_left(r) < type ? rd_left(r) : type);
        if (rd_peek_u8(&llc, 0) == 0xaa && rd_peek_u8(&llc, 1) == 0xaa &&
            rd_peek_u8(&llc, 2) == 0x03) {
            rd_skip(&llc, 6);
            type = rd_be16(&llc);
            p->ethertype = type;
            p->payload = rd_rest(&llc);
            decoder_stats_mut(d)->l2_other++;
            return DEC_L2;
        }
        p->ethertype = 0;
        p->payload = llc;
        decoder_stats_mut(d)->l2_other++;
        return DEC_SKIP;
    }
    return decode_ethertype(d, type, r, p, why);
}

/* Linux cooked capture v1 (16 bytes) and v2 (20 bytes): the link address is the sender's */
static enum decode_result decode_sll(struct decoder *d, struct rd *r, struct pkt *p, bool v2,
                                     const char **why)
{
    uint16_t hatype, alen, proto;
    uint8_t addr[8];
    if (v2) {
        proto = rd_be16(r);
        rd_skip(r, 2 + 4);
        hatype = rd_be16(r);
        rd_skip(r, 1);
        alen = rd_u8(r);
        rd_bytes(r, addr, 8);
    } else {
        rd_skip(r, 2);
        hatype = rd_be16(r);
        alen = rd_be16(r);
        rd_bytes(r, addr, 8);
        proto = rd_be16(r);
    }
    if (!rd_ok(r)) {
        *why = "linux cooked header truncated";
        return DEC_MALFORMED;
    }
    if (hatype == ARPHRD_ETHER && alen == 6) {
        memcpy(p->smac, addr, 6);
        p->has_mac = true; /* destination MAC is not recorded by SLL */
        memset(p->dmac, 0, 6);
    }
    if (proto == ETH_P_8021Q && rd_left(r) >= 4) {
        uint16_t tci = rd_be16(r);
        p->vlan[p->nvlan++] = tci & 0x0fff;
        proto = rd_be16(r);
    }
    return decode_ethertype(d, proto, r, p, why);
}

/* BSD null (host byte order) and OpenBSD loop (network byte order) address families */
static enum decode_result decode_null(struct decoder *d, struct rd *r, struct pkt *p, bool loop,
                                      const char **why)
{
    uint32_t be = rd_peek_be32(r, 0);
    uint32_t af = loop ? be : (be > 0xffff ? __builtin_bswap32(be) : be);
    rd_skip(r, 4);
    if (!rd_ok(r)) {
        *why = "loopback header truncated";
        return DEC_MALFORMED;
    }
    switch (af) {
    case 2:
        return decode_ipv4(d, r, p, why);
    case 10: case 24: case 28: case 30:
        return decode_ipv6(d, r, p, why);
    }
    return DEC_SKIP;
}

static enum decode_result decode_raw(struct decoder *d, struct rd *r, struct pkt *p,
                                     const char **why)
{
    uint8_t v = rd_peek_u8(r, 0) >> 4;
    if (v == 4)
        return decode_ipv4(d, r, p, why);
    if (v == 6)
        return decode_ipv6(d, r, p, why);
    *why = "raw IP: not IPv4 or IPv6";
    return DEC_MALFORMED;
}

enum decode_result decode_frame(struct decoder *d, int lt, struct rd r, struct pkt *p,
                                const char **why)
{
    enum decode_result res;
    decoder_stats_mut(d)->frames++;
    switch (lt) {
    case DLT_EN10MB:
        res = decode_ethernet(d, &r, p, why);
        break;
    case DLT_LINUX_SLL:
        res = decode_sll(d, &r, p, false, why);
        break;
    case DLT_LINUX_SLL2:
        res = decode_sll(d, &r, p, true, why);
        break;
    case DLT_RAW:
    case DLT_IPV4:
    case DLT_IPV6:
        res = decode_raw(d, &r, p, why);
        break;
    case DLT_NULL:
        res = decode_null(d, &r, p, false, why);
        break;
    case DLT_LOOP:
        res = decode_null(d, &r, p, true, why);
        break;
    default:
        decoder_stats_mut(d)->unsupported_link++;
        *why = "unsupported link type";
        return DEC_MALFORMED;
    }
    if (res == DEC_MALFORMED)
        decoder_stats_mut(d)->malformed++;
    return res;
}
