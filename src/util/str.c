/* str.c - sanitising copies of wire text.  A PLC name can contain anything: control bytes and
 * broken UTF-8 are escaped as \xHH so that every string we store or print is valid UTF-8 with no
 * control characters, and can never be mistaken for markup or a terminal escape. */
#include "util/str.h"

#include <stdbool.h>
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

/* ---- str_fmt: a small, fast subset of printf ---- */

enum fmt_len { FL_INT, FL_CHAR, FL_SHORT, FL_LONG, FL_LLONG, FL_SIZE, FL_MAX };

struct fmt_out {
    char *dst;
    size_t n, o; /* capacity, length so far (may exceed n: the would-be length) */
};

static inline void fmt_put(struct fmt_out *w, char ch)
{
    if (w->o + 1 < w->n)
        w->dst[w->o] = ch;
    w->o++;
}

static void fmt_pad(struct fmt_out *w, char ch, int k)
{
    while (k-- > 0)
        fmt_put(w, ch);
}

static inline void fmt_mem(struct fmt_out *w, const char *s, size_t k)
{
    if (w->o + 1 < w->n) {
        size_t room = w->n - 1 - w->o, c = k < room ? k : room;
        if (c <= 16) { /* the usual piece: cheaper than a library call */
            for (size_t i = 0; i < c; i++)
                w->dst[w->o + i] = s[i];
        } else {
            memcpy(w->dst + w->o, s, c);
        }
    }
    w->o += k;
}

/* a NUL-terminated string: copied while it is measured */
static inline void fmt_str(struct fmt_out *w, const char *s)
{
    while (*s && w->o + 1 < w->n)
        w->dst[w->o++] = *s++;
    if (*s)
        w->o += strlen(s); /* cut: count the rest for the would-be length */
}

int str_vfmt(char *dst, size_t n, const char *fmt, va_list ap)
{
    va_list again;
    va_copy(again, ap);
    struct fmt_out w = {dst, n, 0};
    for (const char *p = fmt; *p; p++) {
        if (*p != '%') {
            fmt_put(&w, *p);
            continue;
        }
        p++;
        bool left = false, zero = false;
        for (;; p++) {
            if (*p == '-')
                left = true;
            else if (*p == '0')
                zero = true;
            else
                break;
        }
        int width = 0, prec = -1;
        if (*p == '*') {
            width = va_arg(ap, int);
            if (width < 0) {
                left = true;
                width = width == INT32_MIN ? 0 : -width;
            }
            p++;
        } else {
            while (*p >= '0' && *p <= '9' && width < 100000)
                width = width * 10 + (*p++ - '0');
        }
        if (*p == '.') {
            p++;
            prec = 0;
            if (*p == '*') {
                prec = va_arg(ap, int);
                p++;
            } else {
                while (*p >= '0' && *p <= '9' && prec < 100000)
                    prec = prec * 10 + (*p++ - '0');
            }
        }
        enum fmt_len len = FL_INT;
        if (p[0] == 'h' && p[1] == 'h') {
            len = FL_CHAR;
            p += 2;
        } else if (p[0] == 'h') {
            len = FL_SHORT;
            p++;
        } else if (p[0] == 'l' && p[1] == 'l') {
            len = FL_LLONG;
            p += 2;
        } else if (p[0] == 'l') {
            len = FL_LONG;
            p++;
        } else if (p[0] == 'z') {
            len = FL_SIZE;
            p++;
        } else if (p[0] == 'j') {
            len = FL_MAX;
            p++;
        }
        char num[24], *e = num + sizeof num, *d = e;
        const char *s;
        size_t sl;
        bool neg = false, numeric = true;
        switch (*p) {
        case 'd':
        case 'i': {
            long long v;
            switch (len) {
            case FL_CHAR: v = (signed char)va_arg(ap, int); break;
            case FL_SHORT: v = (short)va_arg(ap, int); break;
            case FL_LONG: v = va_arg(ap, long); break;
            case FL_LLONG: v = va_arg(ap, long long); break;
            case FL_SIZE: v = (long long)va_arg(ap, size_t); break;
            case FL_MAX: v = (long long)va_arg(ap, intmax_t); break;
            default: v = va_arg(ap, int); break;
            }
            unsigned long long u = v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;
            neg = v < 0;
            do
                *--d = (char)('0' + u % 10);
            while (u /= 10);
            break;
        }
        case 'u':
        case 'x':
        case 'X': {
            unsigned long long u;
            switch (len) {
            case FL_CHAR: u = (unsigned char)va_arg(ap, unsigned); break;
            case FL_SHORT: u = (unsigned short)va_arg(ap, unsigned); break;
            case FL_LONG: u = va_arg(ap, unsigned long); break;
            case FL_LLONG: u = va_arg(ap, unsigned long long); break;
            case FL_SIZE: u = va_arg(ap, size_t); break;
            case FL_MAX: u = va_arg(ap, uintmax_t); break;
            default: u = va_arg(ap, unsigned); break;
            }
            if (*p == 'u') {
                do
                    *--d = (char)('0' + u % 10);
                while (u /= 10);
            } else {
                const char *digits = *p == 'x' ? "0123456789abcdef" : "0123456789ABCDEF";
                do
                    *--d = digits[u & 15];
                while (u >>= 4);
            }
            break;
        }
        case 'c':
            if (len != FL_INT)
                goto fallback;
            *--d = (char)va_arg(ap, int);
            numeric = false;
            break;
        case 's':
            if (len != FL_INT)
                goto fallback;
            s = va_arg(ap, const char *);
            if (!s)
                goto fallback;
            if (!width && prec < 0) {
                fmt_str(&w, s);
                continue;
            }
            sl = prec >= 0 ? strnlen(s, (size_t)prec) : strlen(s);
            if (!left)
                fmt_pad(&w, ' ', width - (int)sl);
            fmt_mem(&w, s, sl);
            if (left)
                fmt_pad(&w, ' ', width - (int)sl);
            continue;
        case '%':
            if (width || prec >= 0 || len != FL_INT)
                goto fallback;
            fmt_put(&w, '%');
            continue;
        default:
            goto fallback;
        }
        if (prec >= 0 && numeric)
            goto fallback; /* integer precision: rare, leave it to the C library */
        int body = (int)(e - d) + neg;
        if (left) {
            if (neg)
                fmt_put(&w, '-');
            fmt_mem(&w, d, (size_t)(e - d));
            fmt_pad(&w, ' ', width - body);
        } else if (zero && numeric) {
            if (neg)
                fmt_put(&w, '-');
            fmt_pad(&w, '0', width - body);
            fmt_mem(&w, d, (size_t)(e - d));
        } else {
            fmt_pad(&w, ' ', width - body);
            if (neg)
                fmt_put(&w, '-');
            fmt_mem(&w, d, (size_t)(e - d));
        }
    }
    if (n)
        dst[w.o < n ? w.o : n - 1] = '\0';
    va_end(again);
    return w.o > INT32_MAX ? -1 : (int)w.o;
fallback: {
    int r = vsnprintf(dst, n, fmt, again);
    va_end(again);
    return r;
}
}

int str_fmt(char *dst, size_t n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = str_vfmt(dst, n, fmt, ap);
    va_end(ap);
    return r;
}
