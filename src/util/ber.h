/* ber.h - bounded reading of ASN.1 BER/DER type-length-value elements (ITU-T X.690 §8.1) over
 * a struct rd, for SNMP and X.509.  Only low tag numbers (one identifier octet) and definite
 * lengths of at most four octets are accepted; a value is handed out as a sub-cursor that can
 * never reach past its parent, so nesting depth is bounded by the caller's code, not the data. */
#ifndef OTSCOPE_BER_H
#define OTSCOPE_BER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "util/reader.h"

/* universal tags (X.680 §8.4) and the identifier octets we compare against */
#define BER_INTEGER      0x02
#define BER_BIT_STRING   0x03
#define BER_OCTET_STRING 0x04
#define BER_NULL         0x05
#define BER_OID          0x06
#define BER_UTF8_STRING  0x0c
#define BER_PRINTABLE    0x13
#define BER_T61_STRING   0x14
#define BER_IA5_STRING   0x16
#define BER_UTC_TIME     0x17
#define BER_GEN_TIME     0x18
#define BER_BMP_STRING   0x1e
#define BER_SEQUENCE     0x30
#define BER_SET          0x31

/* the length octets (X.690 §8.1.3) into *len: definite, with at most four subsequent octets.
 * A cut header sets r's error flag (and returns BER_LEN_OK: check rd_ok). */
enum ber_len { BER_LEN_OK, BER_LEN_INDEFINITE, BER_LEN_TOO_LONG };
static inline enum ber_len ber_length(struct rd *r, size_t *len)
{
    uint8_t l0 = rd_u8(r);
    *len = l0;
    if (!rd_ok(r))
        return BER_LEN_OK;
    if (l0 == 0x80)
        return BER_LEN_INDEFINITE;
    if (l0 > 0x84)
        return BER_LEN_TOO_LONG;
    if (l0 & 0x80) {
        *len = 0;
        for (int i = 0; i < (l0 & 0x7f); i++)
            *len = *len << 8 | rd_u8(r);
    }
    return BER_LEN_OK;
}

/* the next element: its identifier octet in *tag and its contents as *val.  False (and the
 * parent's error flag set) when the header is cut, uses a high tag number, an indefinite or
 * over-long length, or claims more bytes than the parent holds. */
static inline bool ber_next(struct rd *r, uint8_t *tag, struct rd *val)
{
    *tag = rd_u8(r);
    size_t len;
    if ((*tag & 0x1f) == 0x1f || ber_length(r, &len) != BER_LEN_OK || !rd_ok(r)) {
        rd_fail(r);
        *val = rd_init(NULL, 0);
        return false;
    }
    *val = rd_sub(r, len); /* sets the error flag when len > what is left */
    return rd_ok(r);
}

/* the next element, which must carry identifier 'want' */
static inline bool ber_expect(struct rd *r, uint8_t want, struct rd *val)
{
    uint8_t tag;
    if (!ber_next(r, &tag, val))
        return false;
    if (tag != want) {
        rd_fail(r);
        return false;
    }
    return true;
}

/* an INTEGER's contents (two's complement, 1..8 octets) */
static inline bool ber_int(struct rd *v, int64_t *out)
{
    size_t n = rd_left(v);
    if (n < 1 || n > 8)
        return false;
    uint64_t x = rd_peek_u8(v, 0) & 0x80 ? UINT64_MAX : 0;
    for (size_t i = 0; i < n; i++)
        x = x << 8 | rd_u8(v);
    *out = (int64_t)x;
    return rd_ok(v);
}

/* an OBJECT IDENTIFIER's contents as dotted text (X.690 §8.19); false when empty, a
 * sub-identifier exceeds 32 bits or ends mid-way, or the text does not fit */
static inline bool ber_oid_text(struct rd *v, char *dst, size_t dstsz)
{
    size_t pos = 0;
    bool first = true;
    if (dstsz)
        dst[0] = 0;
    if (!rd_left(v))
        return false;
    while (rd_left(v)) {
        uint64_t sub = 0;
        uint8_t b;
        int n = 0;
        do {
            b = rd_u8(v);
            sub = sub << 7 | (b & 0x7f);
            if (++n > 5 || sub > UINT32_MAX)
                return false;
        } while ((b & 0x80) && rd_left(v));
        if (b & 0x80)
            return false; /* the last octet still says "more" */
        int w;
        if (first) { /* the first two arcs share one sub-identifier (§8.19.4) */
            unsigned x = sub < 40 ? 0 : sub < 80 ? 1 : 2;
            w = snprintf(dst + pos, dstsz - pos, "%u.%llu", x,
                         (unsigned long long)(sub - 40ull * x));
            first = false;
        } else {
            w = snprintf(dst + pos, dstsz - pos, ".%llu", (unsigned long long)sub);
        }
        if (w < 0 || (size_t)w >= dstsz - pos)
            return false;
        pos += (size_t)w;
    }
    return rd_ok(v);
}

#endif
