/* sha256.h - SHA-256 (FIPS 180-4 §6.2), for fingerprints (JA4) and for hashing secrets seen on
 * the wire (an SNMP community) so that only a digest is ever stored or shown. */
#ifndef OTSCOPE_SHA256_H
#define OTSCOPE_SHA256_H

#include <stddef.h>
#include <stdint.h>

struct sha256_ctx {
    uint32_t h[8];
    uint64_t len; /* bytes hashed so far */
    uint8_t buf[64];
};

void sha256_init(struct sha256_ctx *c);
void sha256_update(struct sha256_ctx *c, const void *data, size_t n);
void sha256_final(struct sha256_ctx *c, uint8_t out[32]);
/* the digest of n bytes as 64 lower-case hex digits and a NUL */
void sha256_hex(const void *data, size_t n, char out[65]);

#endif
