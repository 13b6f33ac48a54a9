/* ipfrag.c - IPv4/IPv6 fragment reassembly in a fixed table of slots, each with a 64 KiB buffer
 * and a bitmap of 8-byte blocks, all allocated once.  Overlapping fragments (an evasion trick)
 * drop the datagram; incomplete datagrams time out after 30 s or are evicted oldest-first. */
#include <stdlib.h>
#include <string.h>

#include "decode/decode.h"

#define FRAG_MAX_BYTES 65535u
#define FRAG_BLOCKS ((FRAG_MAX_BYTES + 7) / 8)
#define FRAG_TIMEOUT_NS (30ll * 1000000000ll)

struct frag_slot {
    bool used;
    struct ipaddr src, dst;
    uint32_t id;
    uint8_t proto;
    int64_t first_ns;
    uint32_t total;    /* known once the last fragment arrived, else 0 */
    uint32_t received; /* bytes */
    uint8_t map[(FRAG_BLOCKS + 7) / 8];
    uint8_t data[FRAG_MAX_BYTES];
};

struct ipfrag {
    unsigned nslots;
    struct frag_slot *slots;
};

struct ipfrag *ipfrag_new(unsigned slots)
{
    struct ipfrag *f = calloc(1, sizeof *f);
    if (!f)
        return NULL;
    f->nslots = slots ? slots : 1;
    f->slots = calloc(f->nslots, sizeof *f->slots);
    if (!f->slots) {
        free(f);
        return NULL;
    }
    return f;
}

void ipfrag_free(struct ipfrag *f)
{
    if (f) {
        free(f->slots);
        free(f);
    }
}

static struct frag_slot *find_slot(struct ipfrag *f, struct decode_stats *st, const struct pkt *p,
                                   uint32_t id, uint8_t proto)
{
    struct frag_slot *free_slot = NULL, *oldest = NULL;
    for (unsigned i = 0; i < f->nslots; i++) {
        struct frag_slot *s = &f->slots[i];
        if (s->used && p->ts_ns - s->first_ns > FRAG_TIMEOUT_NS) {
            s->used = false;
            st->frag_timeout++;
        }
        if (!s->used) {
            if (!free_slot)
                free_slot = s;
            continue;
        }
        if (s->id == id && s->proto == proto && ip_equal(&s->src, &p->src) &&
            ip_equal(&s->dst, &p->dst))
            return s;
        if (!oldest || s->first_ns < oldest->first_ns)
            oldest = s;
    }
    struct frag_slot *s = free_slot;
    if (!s) {
        s = oldest;
        st->frag_dropped++;
    }
    s->used = true;
    s->src = p->src;
    s->dst = p->dst;
    s->id = id;
    s->proto = proto;
    s->first_ns = p->ts_ns;
    s->total = 0;
    s->received = 0;
    memset(s->map, 0, sizeof s->map);
    return s;
}

bool ipfrag_add(struct ipfrag *f, struct decode_stats *st, const struct pkt *p, uint32_t id,
                uint8_t proto, uint32_t offset, bool more, struct rd data, struct rd *out)
{
    size_t len = rd_left(&data);
    st->frag_stored++;
    if (offset + len > FRAG_MAX_BYTES || (more && (len & 7)) || len == 0) {
        st->frag_dropped++;
        return false;
    }
    struct frag_slot *s = find_slot(f, st, p, id, proto);
    uint32_t b0 = offset / 8, b1 = (uint32_t)((offset + len + 7) / 8);
    for (uint32_t b = b0; b < b1; b++) {
        if (s->map[b / 8] & (1u << (b % 8))) {
            st->frag_overlap++;
            s->used = false;
            return false;
        }
    }
    for (uint32_t b = b0; b < b1; b++)
        s->map[b / 8] |= (uint8_t)(1u << (b % 8));
    rd_bytes(&data, s->data + offset, len);
    s->received += (uint32_t)len;
    if (!more) {
        if (s->total && s->total != offset + len) {
            st->frag_overlap++;
            s->used = false;
            return false;
        }
        s->total = (uint32_t)(offset + len);
    }
    if (!s->total || s->received != s->total)
        return false;
    /* The byte count alone can mislead: a fragment past the end the last fragment gave is
     * counted too, and would let a hole pass as complete (the hole then reads stale bytes of an
     * earlier datagram).  Such a datagram is inconsistent: drop it. */
    for (uint32_t b = 0; b < (s->total + 7) / 8; b++) {
        if (!(s->map[b / 8] & (1u << (b % 8)))) {
            st->frag_overlap++;
            s->used = false;
            return false;
        }
    }
    s->used = false; /* the data stays readable until the slot is reused by a later fragment */
    *out = rd_init(s->data, s->total);
    return true;
}
