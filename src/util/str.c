/* str.c - sanitising copies of wire text.  A PLC name can contain anything: control bytes and
 * broken UTF-8 are escaped as \xHH so that every string we store or print is valid UTF-8 with no
 * control characters, and can never be mistaken for markup or a terminal escape. */
#include "util/str.h"

#include <stdio.h>
#include <string.h>

#include "util/reader.h"

/* length of a valid UTF-8 sequence at s (n bytes available), 0 when invalid */
static size_t utf8_len(const uint8_t *s, size_t n)
{
    uint8_t c = s[0];
    size_t len;
    uint32_t cp;
    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf) {
        len = 2;
        cp = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
        len = 3;
        cp = c & 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
        len = 4;
        cp = c & 0x07;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = cp << 6 | (s[i] & 0x3f);
    }
    if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
        (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
        return 0;
    if (cp == 0x2028 || cp == 0x2029 || (cp >= 0x80 && cp < 0xa0))
        return 0; /* line separators and C1 controls count as control characters */
    return len;
}

size_t str_sanitize(char *dst, size_t dstsz, const uint8_t *src, size_t n)
{
    size_t o = 0;
    if (dstsz == 0)
        return 0;
    for (size_t i = 0; i < n && src[i] != 0;) {
        size_t l = utf8_len(src + i, n - i);
        if (l == 1 && src[i] >= 0x20 && src[i] != 0x7f) {
            if (o + 1 >= dstsz)
                break;
            dst[o++] = (char)src[i++];
        } else if (l > 1) {
            if (o + l >= dstsz)
                break;
            memcpy(dst + o, src + i, l);
            o += l;
            i += l;
        } else {
            if (o + 4 >= dstsz)
                break;
            snprintf(dst + o, 5, "\\x%02x", src[i]);
            o += 4;
            i++;
        }
    }
    while (o > 0 && (dst[o - 1] == ' ' || dst[o - 1] == '\t'))
        o--;
    size_t lead = 0;
    while (lead < o && dst[lead] == ' ')
        lead++;
    if (lead)
        memmove(dst, dst + lead, o - lead);
    o -= lead;
    dst[o] = '\0';
    return o;
}

size_t rd_str(struct rd *r, size_t n, char *dst, size_t dstsz)
{
    if (!rd_need(r, n)) {
        if (dstsz)
            dst[0] = '\0';
        return 0;
    }
    size_t len = str_sanitize(dst, dstsz, rd_internal_ptr(r), n);
    r->off += n;
    return len;
}

size_t str_copy(char *dst, size_t dstsz, const char *src)
{
    size_t n = strlen(src);
    if (dstsz == 0)
        return 0;
    if (n >= dstsz)
        n = dstsz - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
    return n;
}
