/* reasm.h - the per-side TCP reassembly buffer: bytes of one direction's stream starting at
 * 'base' (the first byte not yet handed to the dissector), a contiguous prefix of 'len' bytes,
 * and up to REASM_MAX_OOO filled ranges beyond a hole.  Buffers exist only while a PDU spans
 * segments or data arrived out of order; their total size is bounded by a budget. */
#ifndef OTSCOPE_REASM_H
#define OTSCOPE_REASM_H

#include <stdbool.h>
#include <stdint.h>

#include "util/reader.h"

#define REASM_MAX_OOO 4

struct reasm_budget {
    uint64_t used, max, peak;
    uint32_t side_max; /* bytes one side may buffer */
};

struct reasm_buf {
    uint32_t cap;  /* bytes allocated in data[] */
    uint32_t base; /* sequence number of data[0] */
    uint32_t len;  /* contiguous bytes from data[0] */
    uint8_t nooo;
    struct {
        uint32_t off, end; /* [off, end) relative to base, off > len */
    } ooo[REASM_MAX_OOO];
    uint8_t data[];
};

enum reasm_result { REASM_OK, REASM_TOO_BIG, REASM_NO_BUDGET, REASM_TOO_MANY_HOLES };

/* sequence arithmetic modulo 2^32 (RFC 9293 §3.4) */
static inline int32_t seq_diff(uint32_t a, uint32_t b)
{
    return (int32_t)(a - b);
}

/* store n bytes of 'seg' at offset 'off' from base (creating the buffer with that base when
 * *pb is NULL).  Bytes already present are kept (first copy wins). */
enum reasm_result reasm_store(struct reasm_budget *bg, struct reasm_buf **pb, uint32_t base,
                              uint32_t off, struct rd seg);
/* drop the first n contiguous bytes (they were delivered) */
void reasm_consume(struct reasm_buf *b, uint32_t n);
/* give up on the hole: drop the contiguous prefix and the hole, so that the first out-of-order
 * range starts the buffer.  Returns the number of bytes skipped (prefix + hole). */
uint32_t reasm_skip_hole(struct reasm_buf *b);
/* drop everything; base moves to base+len+hole... (callers reset base) */
void reasm_clear(struct reasm_buf *b);
void reasm_release(struct reasm_budget *bg, struct reasm_buf **pb);
static inline struct rd reasm_contig(const struct reasm_buf *b)
{
    return rd_init(b->data, b->len);
}
static inline bool reasm_empty(const struct reasm_buf *b)
{
    return !b || (b->len == 0 && b->nooo == 0);
}

#endif
