/* l4.c - TCP (RFC 9293), UDP (RFC 768) and ICMP headers. */
#include "decode/decode.h"

enum decode_result decode_l4(struct decoder *d, struct rd *r, struct pkt *p, const char **why)
{
    struct decode_stats *st = decoder_stats_mut(d);
    switch (p->l4) {
    case L4_TCP: {
        p->sport = rd_be16(r);
        p->dport = rd_be16(r);
        p->seq = rd_be32(r);
        p->ack = rd_be32(r);
        uint8_t off = rd_u8(r) >> 4;
        p->tcp_flags = rd_u8(r);
        rd_skip(r, 6); /* window, checksum, urgent pointer */
        if (!rd_ok(r)) {
            *why = "TCP header truncated";
            return DEC_MALFORMED;
        }
        if (off < 5) {
            *why = "TCP header length < 5 words";
            return DEC_MALFORMED;
        }
        rd_skip(r, (off - 5u) * 4);
        if (!rd_ok(r)) {
            *why = "TCP options truncated";
            return DEC_MALFORMED;
        }
        st->tcp++;
        p->payload = rd_rest(r);
        return DEC_IP;
    }
    case L4_UDP: {
        p->sport = rd_be16(r);
        p->dport = rd_be16(r);
        uint16_t len = rd_be16(r);
        rd_skip(r, 2);
        if (!rd_ok(r)) {
            *why = "UDP header truncated";
            return DEC_MALFORMED;
        }
        if (len < 8) {
            *why = "UDP length < 8";
            return DEC_MALFORMED;
        }
        st->udp++;
        size_t have = rd_left(r);
        p->payload = rd_sub(r, have < len - 8u ? have : len - 8u);
        return DEC_IP;
    }
    case L4_ICMP:
    case L4_ICMP6:
        st->icmp++;
        p->payload = rd_rest(r);
        return DEC_IP;
    default:
        p->payload = rd_rest(r);
        return DEC_IP;
    }
}
