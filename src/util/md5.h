/* md5.h - MD5 (RFC 1321), for fingerprints only (JA3, JA3S, HASSH): MD5 is broken as a
 * cryptographic hash and nothing here relies on it being collision resistant. */
#ifndef OTSCOPE_MD5_H
#define OTSCOPE_MD5_H

#include <stddef.h>
#include <stdint.h>

struct md5_ctx {
    uint32_t h[4];
    uint64_t len; /* bytes hashed so far */
    uint8_t buf[64];
};

void md5_init(struct md5_ctx *c);
void md5_update(struct md5_ctx *c, const void *data, size_t n);
void md5_final(struct md5_ctx *c, uint8_t out[16]);
/* the digest of n bytes as 32 lower-case hex digits and a NUL */
void md5_hex(const void *data, size_t n, char out[33]);

#endif
