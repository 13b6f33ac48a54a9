/* str.h - small string helpers: sanitised copies of wire text and bounded copies. */
#ifndef OTSCOPE_STR_H
#define OTSCOPE_STR_H

#include <stddef.h>
#include <stdint.h>

/* copy up to n bytes of untrusted text (stopping at NUL) into dst as valid UTF-8 with control
 * bytes and invalid sequences escaped as \xHH; trims blanks at both ends; returns the length */
size_t str_sanitize(char *dst, size_t dstsz, const uint8_t *src, size_t n);
/* strlcpy: always NUL-terminates, returns the copied length */
size_t str_copy(char *dst, size_t dstsz, const char *src);

#endif
