/* ip.c - IPv4 (RFC 791) and IPv6 (RFC 8200) with extension headers.  Lengths are checked against
 * both the header fields and the captured bytes; Ethernet padding is trimmed by the IP length.
 * Fragments go to the bounded reassembly table in ipfrag.c. */
#include <stdlib.h>
#include <string.h>

#include "decode/decode.h"

struct decoder {
    struct decode_stats st;
    struct ipfrag *frag;
};

struct decoder *decoder_new(unsigned max_frag)
{
    struct decoder *d = calloc(1, sizeof *d);
    if (!d)
        return NULL;
    d->frag = ipfrag_new(max_frag);
    if (!d->frag) {
        free(d);
        return NULL;
    }
    return d;
}

void decoder_free(struct decoder *d)
{
    if (!d)
        return;
    ipfrag_free(d->frag);
    free(d);
}

const struct decode_stats *decoder_stats(const struct decoder *d)
{
    return &d->st;
}

struct decode_stats *decoder_stats_mut(struct decoder *d)
{
    return &d->st;
}

/* a captured IP payload may be shorter than the header says (snaplen): decode what is there */
static struct rd ip_body(struct rd *r, size_t claimed)
{
    size_t have = rd_left(r);
    return rd_sub(r, claimed < have ? claimed : have);
}

static enum decode_result reassembled(struct decoder *d, struct pkt *p, bool done, struct rd whole,
                                      const char **why)
{
    if (!done)
        return DEC_FRAGMENT;
    d->st.frag_reassembled++;
    p->ip_reassembled = true;
    return decode_l4(d, &whole, p, why);
}

enum decode_result decode_ipv4(struct decoder *d, struct rd *r, struct pkt *p, const char **why)
{
    uint8_t vihl = rd_u8(r);
    rd_skip(r, 1); /* DSCP/ECN */
    uint16_t total = rd_be16(r);
    uint16_t id = rd_be16(r);
    uint16_t frag = rd_be16(r);
    p->ttl = rd_u8(r);
    p->l4 = rd_u8(r);
    rd_skip(r, 2); /* checksum: not verified, offloading makes captured checksums unreliable */
    p->src.family = p->dst.family = 4;
    rd_bytes(r, p->src.b, 4);
    rd_bytes(r, p->dst.b, 4);
    if (!rd_ok(r)) {
        *why = "IPv4 header truncated";
        return DEC_MALFORMED;
    }
    unsigned ihl = (vihl & 0x0f) * 4u;
    if (vihl >> 4 != 4 || ihl < 20) {
        *why = vihl >> 4 != 4 ? "IPv4 version is not 4" : "IPv4 header length < 20";
        return DEC_MALFORMED;
    }
    if (total == 0 && rd_left(r) + 20 >= ihl)
        total = (uint16_t)(rd_left(r) + 20 > 0xffff ? 0xffff : rd_left(r) + 20); /* TSO: 0 */
    if (total < ihl) {
        *why = "IPv4 total length shorter than its header";
        return DEC_MALFORMED;
    }
    rd_skip(r, ihl - 20); /* options */
    if (!rd_ok(r)) {
        *why = "IPv4 options truncated";
        return DEC_MALFORMED;
    }
    d->st.ipv4++;
    struct rd body = ip_body(r, total - ihl);
    uint32_t offset = (uint32_t)(frag & 0x1fff) * 8;
    bool more = frag & 0x2000;
    if (offset || more) {
        struct rd whole;
        bool done = ipfrag_add(d->frag, &d->st, p, id, p->l4, offset, more, body, &whole);
        return reassembled(d, p, done, whole, why);
    }
    return decode_l4(d, &body, p, why);
}

#define MAX_EXT_HEADERS 8

enum decode_result decode_ipv6(struct decoder *d, struct rd *r, struct pkt *p, const char **why)
{
    uint32_t vtf = rd_be32(r);
    uint16_t plen = rd_be16(r);
    uint8_t next = rd_u8(r);
    p->ttl = rd_u8(r);
    p->src.family = p->dst.family = 6;
    rd_bytes(r, p->src.b, 16);
    rd_bytes(r, p->dst.b, 16);
    if (!rd_ok(r) || vtf >> 28 != 6) {
        *why = rd_ok(r) ? "IPv6 version is not 6" : "IPv6 header truncated";
        return DEC_MALFORMED;
    }
    d->st.ipv6++;
    struct rd body = ip_body(r, plen);
    for (int i = 0; i < MAX_EXT_HEADERS; i++) {
        switch (next) {
        case 0:   /* hop-by-hop */
        case 43:  /* routing */
        case 60:  /* destination options */
        case 135: /* mobility */
        {
            next = rd_u8(&body);
            uint8_t len = rd_u8(&body);
            rd_skip(&body, (size_t)len * 8 + 6);
            break;
        }
        case 51: /* AH: length in 4-octet units minus 2 */
        {
            next = rd_u8(&body);
            uint8_t len = rd_u8(&body);
            rd_skip(&body, ((size_t)len + 2) * 4 - 2);
            break;
        }
        case 44: /* fragment */
        {
            uint8_t nh = rd_u8(&body);
            rd_skip(&body, 1);
            uint16_t off = rd_be16(&body);
            uint32_t id = rd_be32(&body);
            if (!rd_ok(&body)) {
                *why = "IPv6 fragment header truncated";
                return DEC_MALFORMED;
            }
            p->l4 = nh;
            if ((off & 0xfff8) == 0 && !(off & 1))
                return decode_l4(d, &body, p, why); /* atomic fragment */
            struct rd whole;
            bool done = ipfrag_add(d->frag, &d->st, p, id, nh, off & 0xfff8u, off & 1, body, &whole);
            return reassembled(d, p, done, whole, why);
        }
        default:
            if (!rd_ok(&body)) {
                *why = "IPv6 extension header truncated";
                return DEC_MALFORMED;
            }
            p->l4 = next;
            return decode_l4(d, &body, p, why);
        }
        if (!rd_ok(&body)) {
            *why = "IPv6 extension header truncated";
            return DEC_MALFORMED;
        }
    }
    *why = "too many IPv6 extension headers";
    return DEC_MALFORMED;
}
