/* reader.h - the one bounds-checked cursor through which every byte from the network or a file
 * is read.  A getter past the end returns 0 and sets a sticky error flag; callers check
 * rd_ok() once at the end of a PDU, like tcpdump's single "truncated" exit.  There is no way
 * to get a raw pointer out of a struct rd in dissector code: that is the point. */
#ifndef OTSCOPE_READER_H
#define OTSCOPE_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct rd {
    const uint8_t *p; /* borrowed, never owned */
    size_t len;
    size_t off;
    bool err;
};

static inline struct rd rd_init(const void *p, size_t len)
{
    struct rd r = {(const uint8_t *)p, p ? len : 0, 0, false};
    return r;
}

static inline size_t rd_left(const struct rd *r)
{
    return r->err ? 0 : r->len - r->off;
}
static inline bool rd_ok(const struct rd *r)
{
    return !r->err;
}
static inline size_t rd_pos(const struct rd *r)
{
    return r->off;
}
/* true (and error set) unless n more bytes are available */
static inline bool rd_need(struct rd *r, size_t n)
{
    if (r->err || r->len - r->off < n) {
        r->err = true;
        return false;
    }
    return true;
}
static inline void rd_fail(struct rd *r)
{
    r->err = true;
}

static inline uint8_t rd_u8(struct rd *r)
{
    if (!rd_need(r, 1))
        return 0;
    return r->p[r->off++];
}
static inline uint16_t rd_be16(struct rd *r)
{
    if (!rd_need(r, 2))
        return 0;
    uint16_t v = (uint16_t)(r->p[r->off] << 8 | r->p[r->off + 1]);
    r->off += 2;
    return v;
}
static inline uint16_t rd_le16(struct rd *r)
{
    if (!rd_need(r, 2))
        return 0;
    uint16_t v = (uint16_t)(r->p[r->off + 1] << 8 | r->p[r->off]);
    r->off += 2;
    return v;
}
static inline uint32_t rd_be24(struct rd *r)
{
    if (!rd_need(r, 3))
        return 0;
    uint32_t v = (uint32_t)r->p[r->off] << 16 | (uint32_t)r->p[r->off + 1] << 8 | r->p[r->off + 2];
    r->off += 3;
    return v;
}
static inline uint32_t rd_be32(struct rd *r)
{
    if (!rd_need(r, 4))
        return 0;
    uint32_t v = (uint32_t)r->p[r->off] << 24 | (uint32_t)r->p[r->off + 1] << 16 |
                 (uint32_t)r->p[r->off + 2] << 8 | r->p[r->off + 3];
    r->off += 4;
    return v;
}
static inline uint32_t rd_le32(struct rd *r)
{
    if (!rd_need(r, 4))
        return 0;
    uint32_t v = (uint32_t)r->p[r->off + 3] << 24 | (uint32_t)r->p[r->off + 2] << 16 |
                 (uint32_t)r->p[r->off + 1] << 8 | r->p[r->off];
    r->off += 4;
    return v;
}
/* the whole 8 bytes are checked first: with 4..7 left, one half must not come back as a value */
static inline uint64_t rd_be64(struct rd *r)
{
    if (!rd_need(r, 8))
        return 0;
    uint64_t hi = rd_be32(r);
    return hi << 32 | rd_be32(r);
}
static inline uint64_t rd_le64(struct rd *r)
{
    if (!rd_need(r, 8))
        return 0;
    uint64_t lo = rd_le32(r);
    return lo | (uint64_t)rd_le32(r) << 32;
}
static inline void rd_skip(struct rd *r, size_t n)
{
    if (rd_need(r, n))
        r->off += n;
}
/* copy n bytes out; dst is zeroed on error */
static inline void rd_bytes(struct rd *r, void *dst, size_t n)
{
    if (!rd_need(r, n)) {
        memset(dst, 0, n);
        return;
    }
    memcpy(dst, r->p + r->off, n);
    r->off += n;
}
/* a sub-cursor over the next n bytes; the parent advances past them.  Errors in the child do
 * not propagate: a malformed element inside a well-framed container is the child's problem. */
static inline struct rd rd_sub(struct rd *r, size_t n)
{
    if (!rd_need(r, n))
        return rd_init(NULL, 0);
    struct rd s = {r->p + r->off, n, 0, false};
    r->off += n;
    return s;
}
/* the rest of the cursor as a sub-cursor (the parent is consumed) */
static inline struct rd rd_rest(struct rd *r)
{
    return rd_sub(r, rd_left(r));
}
/* peek without advancing; 0 when out of range (no error set) */
static inline uint8_t rd_peek_u8(const struct rd *r, size_t at)
{
    if (r->err || r->len - r->off <= at)
        return 0;
    return r->p[r->off + at];
}
/* true when n bytes at offset 'at' from the cursor are available (no overflow for huge at) */
static inline bool rd_peek_ok(const struct rd *r, size_t at, size_t n)
{
    return !r->err && r->len - r->off >= n && r->len - r->off - n >= at;
}
/* multi-byte peeks partly out of range are out of range: 0, never half a value */
static inline uint16_t rd_peek_be16(const struct rd *r, size_t at)
{
    if (!rd_peek_ok(r, at, 2))
        return 0;
    return (uint16_t)(rd_peek_u8(r, at) << 8 | rd_peek_u8(r, at + 1));
}
static inline uint16_t rd_peek_le16(const struct rd *r, size_t at)
{
    if (!rd_peek_ok(r, at, 2))
        return 0;
    return (uint16_t)(rd_peek_u8(r, at + 1) << 8 | rd_peek_u8(r, at));
}
static inline uint32_t rd_peek_be32(const struct rd *r, size_t at)
{
    if (!rd_peek_ok(r, at, 4))
        return 0;
    return (uint32_t)rd_peek_be16(r, at) << 16 | rd_peek_be16(r, at + 2);
}
/* true when the next n bytes equal s (no advance, no error) */
static inline bool rd_match(const struct rd *r, const void *s, size_t n)
{
    return !r->err && r->len - r->off >= n && memcmp(r->p + r->off, s, n) == 0;
}

/* Copy n bytes of wire text into dst (size dstsz) as a sanitised, NUL-terminated string: stops at
 * the first NUL, trims trailing blanks, escapes control bytes and invalid UTF-8 as \xHH.  Returns
 * the string length; 0 and error flag when fewer than n bytes remain. Defined in util/str.c. */
size_t rd_str(struct rd *r, size_t n, char *dst, size_t dstsz);

/* Low-level access for the capture and flow layers only (copying into reassembly buffers).
 * Dissectors must not use it. */
static inline const uint8_t *rd_internal_ptr(const struct rd *r)
{
    return r->p + r->off;
}

#endif
