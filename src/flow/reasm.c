/* reasm.c - bounded TCP reassembly buffers (see reasm.h).  Overlapping copies keep the first
 * bytes seen: a retransmission that differs from the original (an evasion trick) cannot rewrite
 * what the dissector will see. */
#include "flow/reasm.h"

#include <stdlib.h>
#include <string.h>

static bool grow(struct reasm_budget *bg, struct reasm_buf **pb, uint32_t need,
                 enum reasm_result *why)
{
    struct reasm_buf *b = *pb;
    uint32_t have = b ? b->cap : 0;
    if (need <= have)
        return true;
    if (need > bg->side_max) {
        *why = REASM_TOO_BIG;
        return false;
    }
    uint32_t cap = have ? have : 2048;
    while (cap < need)
        cap *= 2;
    if (cap > bg->side_max)
        cap = bg->side_max;
    if (bg->used + (cap - have) > bg->max) {
        *why = REASM_NO_BUDGET;
        return false;
    }
    struct reasm_buf *nb = realloc(b, sizeof *nb + cap);
    if (!nb) {
        *why = REASM_NO_BUDGET;
        return false;
    }
    if (!b)
        memset(nb, 0, sizeof *nb);
    nb->cap = cap;
    bg->used += cap - have;
    if (bg->used > bg->peak)
        bg->peak = bg->used;
    *pb = nb;
    return true;
}

/* merge ooo ranges that touch the contiguous prefix or each other */
static void normalise(struct reasm_buf *b)
{
    bool changed = true;
    while (changed) {
        changed = false;
        for (int i = 0; i < b->nooo; i++) {
            if (b->ooo[i].off <= b->len) {
                if (b->ooo[i].end > b->len)
                    b->len = b->ooo[i].end;
                b->ooo[i] = b->ooo[--b->nooo];
                changed = true;
                break;
            }
            for (int j = 0; j < b->nooo; j++) {
                if (i != j && b->ooo[j].off <= b->ooo[i].end && b->ooo[j].end >= b->ooo[i].off) {
                    if (b->ooo[j].off < b->ooo[i].off)
                        b->ooo[i].off = b->ooo[j].off;
                    if (b->ooo[j].end > b->ooo[i].end)
                        b->ooo[i].end = b->ooo[j].end;
                    b->ooo[j] = b->ooo[--b->nooo];
                    changed = true;
                    break;
                }
            }
            if (changed)
                break;
        }
    }
}

static bool filled(const struct reasm_buf *b, uint32_t pos)
{
    if (pos < b->len)
        return true;
    for (int i = 0; i < b->nooo; i++)
        if (pos >= b->ooo[i].off && pos < b->ooo[i].end)
            return true;
    return false;
}

enum reasm_result reasm_store(struct reasm_budget *bg, struct reasm_buf **pb, uint32_t base,
                              uint32_t off, struct rd seg)
{
    uint32_t n = (uint32_t)rd_left(&seg);
    enum reasm_result why = REASM_OK;
    if (n == 0)
        return REASM_OK;
    if ((uint64_t)off + n > bg->side_max)
        return REASM_TOO_BIG;
    if (!grow(bg, pb, off + n, &why))
        return why;
    struct reasm_buf *b = *pb;
    if (b->len == 0 && b->nooo == 0)
        b->base = base;
    /* copy only the bytes not yet present (first copy wins) */
    for (uint32_t i = 0; i < n;) {
        uint32_t pos = off + i;
        if (filled(b, pos)) {
            rd_skip(&seg, 1);
            i++;
            continue;
        }
        uint32_t run = 1;
        while (i + run < n && !filled(b, pos + run))
            run++;
        rd_bytes(&seg, b->data + pos, run);
        i += run;
    }
    if (off <= b->len) {
        if (off + n > b->len)
            b->len = off + n;
    } else {
        if (b->nooo == REASM_MAX_OOO) {
            /* keep the bytes only if they extend an existing range */
            bool merged = false;
            for (int i = 0; i < b->nooo && !merged; i++) {
                if (off <= b->ooo[i].end && off + n >= b->ooo[i].off) {
                    if (off < b->ooo[i].off)
                        b->ooo[i].off = off;
                    if (off + n > b->ooo[i].end)
                        b->ooo[i].end = off + n;
                    merged = true;
                }
            }
            if (!merged)
                return REASM_TOO_MANY_HOLES;
        } else {
            b->ooo[b->nooo].off = off;
            b->ooo[b->nooo].end = off + n;
            b->nooo++;
        }
    }
    normalise(b);
    return REASM_OK;
}

void reasm_consume(struct reasm_buf *b, uint32_t n)
{
    if (n > b->len)
        n = b->len;
    uint32_t top = b->len;
    for (int i = 0; i < b->nooo; i++)
        if (b->ooo[i].end > top)
            top = b->ooo[i].end;
    memmove(b->data, b->data + n, top - n);
    b->len -= n;
    b->base += n;
    for (int i = 0; i < b->nooo; i++) {
        b->ooo[i].off -= n;
        b->ooo[i].end -= n;
    }
}

uint32_t reasm_skip_hole(struct reasm_buf *b)
{
    if (b->nooo == 0) {
        uint32_t n = b->len;
        reasm_consume(b, n);
        return n;
    }
    int first = 0;
    for (int i = 1; i < b->nooo; i++)
        if (b->ooo[i].off < b->ooo[first].off)
            first = i;
    uint32_t skip = b->ooo[first].off;
    b->len = b->ooo[first].end; /* pretend the hole is filled, then drop up to the range */
    b->ooo[first] = b->ooo[--b->nooo];
    reasm_consume(b, skip);
    normalise(b);
    return skip;
}

void reasm_clear(struct reasm_buf *b)
{
    if (b) {
        b->len = 0;
        b->nooo = 0;
    }
}

void reasm_release(struct reasm_budget *bg, struct reasm_buf **pb)
{
    if (*pb) {
        bg->used -= (*pb)->cap;
        free(*pb);
        *pb = NULL;
    }
}
