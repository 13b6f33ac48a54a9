/* test_str.c - str_sanitize and str_copy at their edges: tiny and zero-sized destinations,
 * overlong and surrogate UTF-8, C1 controls, blank trimming; and a randomised check that every
 * output is valid UTF-8 without control characters and fits its buffer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "util/str.h"

static const char *san(char *dst, size_t dstsz, const char *src, size_t n)
{
    size_t len = str_sanitize(dst, dstsz, (const uint8_t *)src, n);
    if (dstsz) {
        assert_int_equal(len, strlen(dst));
        assert_true(len < dstsz);
    }
    return dst;
}

#define SAN(src) san(buf, sizeof buf, (src), sizeof(src) - 1)

static void plain_text_is_copied(void **st)
{
    (void)st;
    char buf[64];
    assert_string_equal(SAN("S7-1500 CPU"), "S7-1500 CPU");
    assert_string_equal(SAN(""), "");
    assert_string_equal(SAN("~!@#$%^&*()_+{}|:\"<>?"), "~!@#$%^&*()_+{}|:\"<>?");
}

static void zero_and_tiny_destinations(void **st)
{
    (void)st;
    /* size 0: nothing written at all */
    char g[2] = {'G', 'H'};
    assert_int_equal(str_sanitize(g, 0, (const uint8_t *)"abc", 3), 0);
    assert_int_equal(g[0], 'G');
    /* size 1: only the terminator */
    char one[1] = {'Z'};
    assert_int_equal(str_sanitize(one, 1, (const uint8_t *)"abc", 3), 0);
    assert_int_equal(one[0], '\0');
    char two[2];
    assert_string_equal(san(two, sizeof two, "abc", 3), "a");
    char four[4];
    assert_string_equal(san(four, sizeof four, "abcdef", 6), "abc");
    /* an escape needs 4 bytes + NUL: with less room it is left out, not cut */
    assert_string_equal(san(four, sizeof four, "\x01", 1), "");
    char five[5];
    assert_string_equal(san(five, sizeof five, "\x01", 1), "\\x01");
    assert_string_equal(san(five, sizeof five, "a\x01", 2), "a");
    /* a 2-byte character needs 3 bytes: no half characters */
    char three[3];
    assert_string_equal(san(three, sizeof three, "a\xc3\xa9", 3), "a");
    assert_string_equal(san(three, sizeof three, "\xc3\xa9", 2), "\xc3\xa9");
    /* a 4-byte character in 4 bytes of room does not fit */
    assert_string_equal(san(four, sizeof four, "\xf0\x9f\x98\x80", 4), "");
    assert_string_equal(san(five, sizeof five, "\xf0\x9f\x98\x80", 4), "\xf0\x9f\x98\x80");
}

static void stops_at_nul_and_at_n(void **st)
{
    (void)st;
    char buf[32];
    assert_string_equal(SAN("abc\0def"), "abc");
    assert_string_equal(san(buf, sizeof buf, "abcdef", 2), "ab");
    assert_string_equal(san(buf, sizeof buf, "abcdef", 0), "");
}

static void blanks_are_trimmed_at_both_ends(void **st)
{
    (void)st;
    char buf[32];
    assert_string_equal(SAN("   name   "), "name");
    assert_string_equal(SAN("      "), "");
    assert_string_equal(SAN("a b  c"), "a b  c");
    /* a tab is a control character: escaped, so not trimmed */
    assert_string_equal(SAN("\tx\t"), "\\x09x\\x09");
    /* trimming happens after truncation: no trailing blank survives a cut */
    char six[6];
    assert_string_equal(san(six, sizeof six, "ab   cd", 7), "ab");
}

static void control_bytes_are_escaped(void **st)
{
    (void)st;
    char buf[64];
    assert_string_equal(SAN("\x01\x1f\x7f"), "\\x01\\x1f\\x7f");
    assert_string_equal(SAN("a\r\nb"), "a\\x0d\\x0ab");
    assert_string_equal(SAN("\x1b]0;pwned\x07"), "\\x1b]0;pwned\\x07");
    /* C1 controls, encoded as valid UTF-8, are control characters too */
    assert_string_equal(SAN("\xc2\x80\xc2\x9f"), "\\xc2\\x80\\xc2\\x9f");
    /* U+2028/U+2029 line and paragraph separators */
    assert_string_equal(SAN("a\xe2\x80\xa8"
                            "b\xe2\x80\xa9"),
                        "a\\xe2\\x80\\xa8b\\xe2\\x80\\xa9");
    /* but NO-BREAK SPACE U+00A0 and U+2027 are ordinary */
    assert_string_equal(SAN("\xc2\xa0x\xe2\x80\xa7"), "\xc2\xa0x\xe2\x80\xa7");
}

static void overlong_utf8_is_escaped(void **st)
{
    (void)st;
    char buf[64];
    /* overlong NUL and '/' (classic filter bypasses) */
    assert_string_equal(SAN("\xc0\x80"), "\\xc0\\x80");
    assert_string_equal(SAN("\xc0\xaf"), "\\xc0\\xaf");
    assert_string_equal(SAN("\xc1\xbf"), "\\xc1\\xbf");
    /* 3-byte forms below U+0800 and 4-byte forms below U+10000 */
    assert_string_equal(SAN("\xe0\x80\xaf"), "\\xe0\\x80\\xaf");
    assert_string_equal(SAN("\xe0\x9f\xbf"), "\\xe0\\x9f\\xbf");
    assert_string_equal(SAN("\xf0\x80\x80\xaf"), "\\xf0\\x80\\x80\\xaf");
    assert_string_equal(SAN("\xf0\x8f\xbf\xbf"), "\\xf0\\x8f\\xbf\\xbf");
    /* the smallest proper forms are kept */
    assert_string_equal(SAN("\xe0\xa0\x80"), "\xe0\xa0\x80");
    assert_string_equal(SAN("\xf0\x90\x80\x80"), "\xf0\x90\x80\x80");
}

static void surrogates_and_out_of_range_are_escaped(void **st)
{
    (void)st;
    char buf[64];
    assert_string_equal(SAN("\xed\xa0\x80"), "\\xed\\xa0\\x80"); /* U+D800 */
    assert_string_equal(SAN("\xed\xbf\xbf"), "\\xed\\xbf\\xbf"); /* U+DFFF */
    /* CESU-8 style surrogate pair */
    assert_string_equal(SAN("\xed\xa0\xbd\xed\xb8\x80"), "\\xed\\xa0\\xbd\\xed\\xb8\\x80");
    /* neighbours of the surrogate block are valid */
    assert_string_equal(SAN("\xed\x9f\xbf"), "\xed\x9f\xbf"); /* U+D7FF */
    assert_string_equal(SAN("\xee\x80\x80"), "\xee\x80\x80"); /* U+E000 */
    /* above U+10FFFF */
    assert_string_equal(SAN("\xf4\x8f\xbf\xbf"), "\xf4\x8f\xbf\xbf"); /* U+10FFFF */
    assert_string_equal(SAN("\xf4\x90\x80\x80"), "\\xf4\\x90\\x80\\x80");
    assert_string_equal(SAN("\xf5\x80\x80\x80"), "\\xf5\\x80\\x80\\x80");
    assert_string_equal(SAN("\xf8\x88\x80\x80\x80"), "\\xf8\\x88\\x80\\x80\\x80");
}

static void broken_sequences_are_escaped_byte_by_byte(void **st)
{
    (void)st;
    char buf[64];
    /* a lead byte followed by a non-continuation: the lead is escaped, the next byte kept */
    assert_string_equal(SAN("\xc3(x"), "\\xc3(x");
    assert_string_equal(SAN("\xe2\x82(x"), "\\xe2\\x82(x");
    /* truncated by n */
    assert_string_equal(san(buf, sizeof buf, "\xe2\x82\xac", 2), "\\xe2\\x82");
    /* a valid character right after an invalid byte is kept */
    assert_string_equal(SAN("\xff\xc3\xa9"), "\\xff\xc3\xa9");
}

/* ---- property: output is always valid, control-free UTF-8 within the buffer ---- */

static bool valid_utf8_no_controls(const char *s)
{
    const uint8_t *p = (const uint8_t *)s;
    while (*p) {
        uint32_t cp;
        int len;
        if (*p < 0x80) {
            if (*p < 0x20 || *p == 0x7f)
                return false;
            p++;
            continue;
        }
        if ((*p & 0xe0) == 0xc0) {
            len = 2;
            cp = *p & 0x1f;
        } else if ((*p & 0xf0) == 0xe0) {
            len = 3;
            cp = *p & 0x0f;
        } else if ((*p & 0xf8) == 0xf0) {
            len = 4;
            cp = *p & 0x07;
        } else {
            return false;
        }
        for (int i = 1; i < len; i++) {
            if ((p[i] & 0xc0) != 0x80)
                return false;
            cp = cp << 6 | (p[i] & 0x3f);
        }
        static const uint32_t min[5] = {0, 0, 0x80, 0x800, 0x10000};
        if (cp < min[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return false;
        if (cp < 0xa0 || cp == 0x2028 || cp == 0x2029)
            return false;
        p += len;
    }
    return true;
}

static void random_input_gives_valid_output(void **st)
{
    (void)st;
    uint64_t x = 0x243f6a8885a308d3ull;
    uint8_t src[64];
    char dst[80];
    for (int iter = 0; iter < 20000; iter++) {
        size_t n = 0;
        x ^= x >> 12, x ^= x << 25, x ^= x >> 27;
        size_t want = (size_t)(x % sizeof src);
        while (n < want) {
            x ^= x >> 12, x ^= x << 25, x ^= x >> 27;
            uint64_t v = x * 2685821657736338717ull;
            /* bias towards the interesting bytes: high bit set, controls, blanks */
            uint8_t b = (uint8_t)(v >> 56);
            if ((v & 3) == 0)
                b = (uint8_t)(0x80 | (b & 0x7f));
            else if ((v & 7) == 1)
                b = (uint8_t)(b & 0x1f);
            else if ((v & 15) == 2)
                b = ' ';
            src[n++] = b;
        }
        size_t dstsz = 1 + (size_t)((x >> 40) % sizeof dst);
        memset(dst, 0x55, sizeof dst);
        size_t len = str_sanitize(dst, dstsz, src, n);
        assert_true(len < dstsz);
        assert_int_equal(strlen(dst), len);
        assert_true(valid_utf8_no_controls(dst));
        if (len) {
            assert_true(dst[0] != ' ');
            assert_true(dst[len - 1] != ' ');
        }
        for (size_t i = dstsz; i < sizeof dst; i++)
            assert_int_equal((unsigned char)dst[i], 0x55); /* nothing past the bound */
    }
}

/* ---- str_copy ---- */

static void str_copy_bounds(void **st)
{
    (void)st;
    char buf[8];
    assert_int_equal(str_copy(buf, sizeof buf, "abc"), 3);
    assert_string_equal(buf, "abc");
    assert_int_equal(str_copy(buf, sizeof buf, ""), 0);
    assert_string_equal(buf, "");
    /* exactly fits: 7 characters + NUL */
    assert_int_equal(str_copy(buf, sizeof buf, "1234567"), 7);
    assert_string_equal(buf, "1234567");
    /* one too many is cut, still terminated */
    assert_int_equal(str_copy(buf, sizeof buf, "12345678"), 7);
    assert_string_equal(buf, "1234567");
    char one[1] = {'Z'};
    assert_int_equal(str_copy(one, 1, "abc"), 0);
    assert_int_equal(one[0], '\0');
    char g = 'G';
    assert_int_equal(str_copy(&g, 0, "abc"), 0);
    assert_int_equal(g, 'G');
}

/* str_fmt must give exactly what snprintf gives: text, truncation and return value */
#define SAME(...)                                                                             \
    do {                                                                                      \
        for (size_t cap = 0; cap <= 40; cap += (cap < 12 ? 1 : 7)) {                          \
            char a[48], b[48];                                                                \
            memset(a, 'A', sizeof a);                                                         \
            memset(b, 'A', sizeof b);                                                         \
            int ra = str_fmt(a, cap, __VA_ARGS__);                                            \
            int rb = snprintf(b, cap, __VA_ARGS__);                                           \
            assert_int_equal(ra, rb);                                                         \
            assert_memory_equal(a, b, sizeof a);                                              \
        }                                                                                     \
    } while (0)

static void str_fmt_matches_snprintf(void **st)
{
    (void)st;
    SAME("plain");
    SAME("%s", "");
    SAME("%s and %s", "read holding registers", "40001-40010");
    SAME("%.3s|%.*s|%-8s|%8s|", "abcdef", 2, "xyz", "ab", "cd");
    SAME("%d %i %d %d", 0, -1, INT32_MIN, INT32_MAX);
    SAME("%u %u %x %X %08x %-6u|", 0u, UINT32_MAX, 0xbeefu, 0xbeefu, 0x1fu, 42u);
    SAME("%02x:%02x:%02x", 0u, 0xabu, 7u);
    SAME("%hhu %hhd %hu %hd", (unsigned char)44, (signed char)-56, (unsigned short)4464,
         (short)-25536);
    SAME("%lu %ld %llu %lld", (unsigned long)UINT64_MAX, (long)INT64_MIN,
         (unsigned long long)UINT64_MAX, (long long)INT64_MIN);
    SAME("%zu %jd %ju", (size_t)123456789, (intmax_t)-5, (uintmax_t)5);
    SAME("%05d|%5d|%-5d|%05d", -42, -42, -42, 42);
    SAME("%*d|%-*d|%*s", 6, 7, 6, 7, -4, "z");
    SAME("%c%c%%%c", 'a', 'b', 'c');
    SAME("%.2f %e %p|%+d|% d|%#x|%.3d", 1.5, 2.0, (void *)0, 5, 5, 255u, 7); /* fallbacks */
    SAME("unit %u: %s (%u) @%u", 1u, "write single coil", 5u, 100u);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(plain_text_is_copied),
        cmocka_unit_test(str_fmt_matches_snprintf),
        cmocka_unit_test(zero_and_tiny_destinations),
        cmocka_unit_test(stops_at_nul_and_at_n),
        cmocka_unit_test(blanks_are_trimmed_at_both_ends),
        cmocka_unit_test(control_bytes_are_escaped),
        cmocka_unit_test(overlong_utf8_is_escaped),
        cmocka_unit_test(surrogates_and_out_of_range_are_escaped),
        cmocka_unit_test(broken_sequences_are_escaped_byte_by_byte),
        cmocka_unit_test(random_input_gives_valid_output),
        cmocka_unit_test(str_copy_bounds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
