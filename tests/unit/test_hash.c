/* test_hash.c - MD5 and SHA-256 against the published test vectors: the RFC 1321 §A.5 test
 * suite, and the FIPS 180-2 appendix B / NIST example messages for SHA-256 (one block, two
 * blocks, one million 'a').  Also that feeding the data in uneven pieces gives the same digest. */
/* clang-format off */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
/* clang-format on */

#include "util/md5.h"
#include "util/sha256.h"

static void hex(const uint8_t *d, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++)
        snprintf(out + 2 * i, 3, "%02x", d[i]);
}

/* RFC 1321 §A.5 */
static void test_md5_rfc1321(void **state)
{
    (void)state;
    static const struct {
        const char *msg, *digest;
    } v[] = {
        {"", "d41d8cd98f00b204e9800998ecf8427e"},
        {"a", "0cc175b9c0f1b6a831c399e269772661"},
        {"abc", "900150983cd24fb0d6963f7d28e17f72"},
        {"message digest", "f96b697d7cb7938d525a2f31aaf161d0"},
        {"abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"},
        {"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
         "d174ab98d277d9f5a5611c2c9f419d9f"},
        {"1234567890123456789012345678901234567890123456789012345678901234567890123456789"
         "0",
         "57edf4a22be3c955ac49da2e2107b67a"},
    };
    for (size_t i = 0; i < sizeof v / sizeof *v; i++) {
        char out[33];
        md5_hex(v[i].msg, strlen(v[i].msg), out);
        assert_string_equal(out, v[i].digest);
    }
}

/* FIPS 180-2 appendix B.1-B.3 */
static void test_sha256_fips(void **state)
{
    (void)state;
    char out[65];
    sha256_hex("abc", 3, out);
    assert_string_equal(out, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    sha256_hex(two, strlen(two), out);
    assert_string_equal(out, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    sha256_hex("", 0, out);
    assert_string_equal(out, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    /* one million 'a', fed 1000 at a time */
    static char a[1000];
    memset(a, 'a', sizeof a);
    struct sha256_ctx c;
    uint8_t d[32];
    sha256_init(&c);
    for (int i = 0; i < 1000; i++)
        sha256_update(&c, a, sizeof a);
    sha256_final(&c, d);
    hex(d, 32, out);
    assert_string_equal(out, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

/* the padding edge cases: lengths 55, 56, 63, 64, 65 and data fed in odd pieces */
static void test_pieces(void **state)
{
    (void)state;
    uint8_t msg[200];
    for (size_t i = 0; i < sizeof msg; i++)
        msg[i] = (uint8_t)(i * 7 + 3);
    static const size_t lens[] = {55, 56, 63, 64, 65, 119, 120, 128, 200};
    for (size_t k = 0; k < sizeof lens / sizeof *lens; k++) {
        size_t n = lens[k];
        char whole[65], parts[65];
        sha256_hex(msg, n, whole);
        struct sha256_ctx c;
        uint8_t d[32];
        sha256_init(&c);
        for (size_t off = 0, step = 1; off < n; off += step, step = step * 3 % 17 + 1)
            sha256_update(&c, msg + off, off + step > n ? n - off : step);
        sha256_final(&c, d);
        hex(d, 32, parts);
        assert_string_equal(whole, parts);

        char mwhole[33], mparts[33];
        md5_hex(msg, n, mwhole);
        struct md5_ctx m;
        uint8_t md[16];
        md5_init(&m);
        for (size_t off = 0, step = 2; off < n; off += step, step = step * 5 % 23 + 1)
            md5_update(&m, msg + off, off + step > n ? n - off : step);
        md5_final(&m, md);
        hex(md, 16, mparts);
        assert_string_equal(mwhole, mparts);
    }
    /* a known value at the 56-byte boundary (sha256 of 56 'a') */
    char out[65];
    memset(msg, 'a', 56);
    sha256_hex(msg, 56, out);
    assert_string_equal(out, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_md5_rfc1321),
        cmocka_unit_test(test_sha256_fips),
        cmocka_unit_test(test_pieces),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
