/* str.h - small string helpers: sanitised copies of wire text and bounded copies. */
#ifndef OTSCOPE_STR_H
#define OTSCOPE_STR_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* copy up to n bytes of untrusted text (stopping at NUL) into dst as valid UTF-8 with control
 * bytes and invalid sequences escaped as \xHH; trims blanks at both ends; returns the length */
size_t str_sanitize(char *dst, size_t dstsz, const uint8_t *src, size_t n);
/* strlcpy: always NUL-terminates, returns the copied length */
size_t str_copy(char *dst, size_t dstsz, const char *src);

/* snprintf/vsnprintf for the hot path: the same result and return value, but %s %c %d %i %u
 * %x %X %% with the flags '-' and '0', a width, a precision on %s and the length modifiers
 * hh h l ll z j are formatted here, several times faster than the C library; any other
 * conversion hands the whole call to vsnprintf.  Dissectors describe every operation they
 * see, so this is on the per-packet path. */
__attribute__((format(printf, 3, 4))) int str_fmt(char *dst, size_t n, const char *fmt, ...);
__attribute__((format(printf, 3, 0))) int str_vfmt(char *dst, size_t n, const char *fmt,
                                                   va_list ap);

#endif
