/* test_reader.c - the bounds-checked cursor: every getter at or past the end returns 0 and sets
 * the sticky error (and does not move the cursor), sub-cursors, peeks, matches, and rd_str's
 * sanitising of wire text into a bounded destination. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "util/reader.h"

static const uint8_t B[] = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09};

static void getters_read_big_and_little_endian(void **st)
{
    (void)st;
    struct rd r = rd_init(B, sizeof B);
    assert_int_equal(rd_u8(&r), 0x01);
    assert_int_equal(rd_be16(&r), 0x0203);
    assert_int_equal(rd_le16(&r), 0x0504);
    assert_int_equal(rd_pos(&r), 5);
    assert_int_equal(rd_left(&r), 4);
    assert_true(rd_ok(&r));

    r = rd_init(B, sizeof B);
    assert_int_equal(rd_be24(&r), 0x010203);
    assert_int_equal(rd_be32(&r), 0x04050607);
    r = rd_init(B, sizeof B);
    assert_int_equal(rd_le32(&r), 0x04030201);
    r = rd_init(B, sizeof B);
    assert_true(rd_be64(&r) == 0x0102030405060708ull);
    assert_int_equal(rd_left(&r), 1);
    r = rd_init(B, sizeof B);
    assert_true(rd_le64(&r) == 0x0807060504030201ull);
    assert_true(rd_ok(&r));
}

/* each getter with one byte too few: 0, error, cursor unchanged */
static void every_getter_past_the_end_fails_with_zero(void **st)
{
    (void)st;
    struct rd r;
#define SHORT(getter, avail)                                                                       \
    do {                                                                                           \
        r = rd_init(B, (avail));                                                                   \
        assert_true(getter(&r) == 0);                                                              \
        assert_false(rd_ok(&r));                                                                   \
        assert_int_equal(rd_pos(&r), 0);                                                           \
        assert_int_equal(rd_left(&r), 0);                                                          \
    } while (0)
    SHORT(rd_u8, 0);
    SHORT(rd_be16, 1);
    SHORT(rd_le16, 1);
    SHORT(rd_be24, 2);
    SHORT(rd_be32, 3);
    SHORT(rd_le32, 3);
    /* 64-bit getters with enough bytes for one half must not return that half */
    SHORT(rd_be64, 7);
    SHORT(rd_le64, 7);
    SHORT(rd_be64, 4);
    SHORT(rd_le64, 5);
#undef SHORT

    /* exactly at the end after consuming everything */
    r = rd_init(B, 2);
    assert_int_equal(rd_be16(&r), 0x0102);
    assert_true(rd_ok(&r));
    assert_int_equal(rd_left(&r), 0);
    assert_int_equal(rd_u8(&r), 0);
    assert_false(rd_ok(&r));
    assert_int_equal(rd_pos(&r), 2);
}

static void error_is_sticky(void **st)
{
    (void)st;
    struct rd r = rd_init(B, 3);
    assert_int_equal(rd_be32(&r), 0); /* fails: only 3 bytes */
    assert_false(rd_ok(&r));
    /* the bytes are there, but the cursor stays failed */
    assert_int_equal(rd_u8(&r), 0);
    assert_int_equal(rd_be16(&r), 0);
    assert_false(rd_need(&r, 0));
    assert_int_equal(rd_left(&r), 0);
    assert_false(rd_ok(&r));
}

static void skip_need_and_bytes(void **st)
{
    (void)st;
    struct rd r = rd_init(B, sizeof B);
    assert_true(rd_need(&r, 9));
    assert_true(rd_ok(&r));
    rd_skip(&r, 8);
    assert_true(rd_ok(&r));
    assert_int_equal(rd_u8(&r), 0x09);
    rd_skip(&r, 0);
    assert_true(rd_ok(&r));
    rd_skip(&r, 1);
    assert_false(rd_ok(&r));
    assert_int_equal(rd_pos(&r), 9);

    /* huge skip must not wrap the offset */
    r = rd_init(B, sizeof B);
    rd_u8(&r);
    rd_skip(&r, SIZE_MAX);
    assert_false(rd_ok(&r));
    assert_int_equal(rd_pos(&r), 1);

    r = rd_init(B, sizeof B);
    assert_false(rd_need(&r, 10));
    assert_false(rd_ok(&r));

    uint8_t out[4];
    r = rd_init(B, sizeof B);
    rd_skip(&r, 2);
    rd_bytes(&r, out, 4);
    assert_true(rd_ok(&r));
    assert_memory_equal(out, B + 2, 4);
    memset(out, 0xee, sizeof out);
    r = rd_init(B, 3);
    rd_bytes(&r, out, 4);
    assert_false(rd_ok(&r));
    static const uint8_t zero[4];
    assert_memory_equal(out, zero, 4); /* zeroed on error, never stale */

    rd_fail(&r);
    assert_false(rd_ok(&r));
}

static void null_buffer_is_empty(void **st)
{
    (void)st;
    struct rd r = rd_init(NULL, 100);
    assert_int_equal(rd_left(&r), 0);
    assert_true(rd_ok(&r));
    assert_int_equal(rd_u8(&r), 0);
    assert_false(rd_ok(&r));
}

static void sub_cursor_is_bounded_and_errors_stay_inside(void **st)
{
    (void)st;
    struct rd r = rd_init(B, sizeof B);
    rd_u8(&r);
    struct rd s = rd_sub(&r, 3);
    assert_true(rd_ok(&r));
    assert_int_equal(rd_pos(&r), 4);
    assert_int_equal(rd_left(&s), 3);
    assert_int_equal(rd_u8(&s), 0x02);
    assert_int_equal(rd_be16(&s), 0x0304);
    /* the child cannot read the parent's next byte */
    assert_int_equal(rd_u8(&s), 0);
    assert_false(rd_ok(&s));
    /* ... and its error does not reach the parent */
    assert_true(rd_ok(&r));
    assert_int_equal(rd_u8(&r), 0x05);

    /* a sub-cursor longer than what is left fails the parent and is empty */
    r = rd_init(B, sizeof B);
    rd_skip(&r, 7);
    s = rd_sub(&r, 3);
    assert_false(rd_ok(&r));
    assert_int_equal(rd_left(&s), 0);
    assert_int_equal(rd_u8(&s), 0);
    assert_false(rd_ok(&s));

    /* a zero-length sub-cursor is fine */
    r = rd_init(B, sizeof B);
    s = rd_sub(&r, 0);
    assert_true(rd_ok(&r));
    assert_true(rd_ok(&s));
    assert_int_equal(rd_left(&s), 0);

    /* nested sub-cursors */
    r = rd_init(B, sizeof B);
    struct rd outer = rd_sub(&r, 6);
    rd_skip(&outer, 2);
    struct rd inner = rd_sub(&outer, 2);
    assert_int_equal(rd_be16(&inner), 0x0304);
    assert_int_equal(rd_u8(&outer), 0x05);
    assert_int_equal(rd_u8(&r), 0x07);
}

static void rest_consumes_the_parent(void **st)
{
    (void)st;
    struct rd r = rd_init(B, sizeof B);
    rd_skip(&r, 5);
    struct rd s = rd_rest(&r);
    assert_true(rd_ok(&r));
    assert_int_equal(rd_left(&r), 0);
    assert_int_equal(rd_left(&s), 4);
    assert_int_equal(rd_be32(&s), 0x06070809);

    /* rest of a failed cursor is empty (the error stays on the parent) */
    r = rd_init(B, 1);
    rd_be16(&r);
    s = rd_rest(&r);
    assert_int_equal(rd_left(&s), 0);
    assert_false(rd_ok(&r));

    /* rest at the very end is empty but valid */
    r = rd_init(B, 2);
    rd_skip(&r, 2);
    s = rd_rest(&r);
    assert_true(rd_ok(&r));
    assert_true(rd_ok(&s));
    assert_int_equal(rd_left(&s), 0);
}

static void peek_does_not_move_or_fail(void **st)
{
    (void)st;
    struct rd r = rd_init(B, sizeof B);
    rd_skip(&r, 2);
    assert_int_equal(rd_peek_u8(&r, 0), 0x03);
    assert_int_equal(rd_peek_u8(&r, 6), 0x09);
    assert_int_equal(rd_peek_be16(&r, 1), 0x0405);
    assert_int_equal(rd_peek_le16(&r, 1), 0x0504);
    assert_int_equal(rd_peek_be32(&r, 3), 0x06070809);
    assert_int_equal(rd_pos(&r), 2);
    /* out of range: 0, no error */
    assert_int_equal(rd_peek_u8(&r, 7), 0);
    assert_int_equal(rd_peek_u8(&r, SIZE_MAX), 0);
    assert_true(rd_ok(&r));
    /* partly out of range is out of range: no half values */
    assert_int_equal(rd_peek_be16(&r, 6), 0);
    assert_int_equal(rd_peek_le16(&r, 6), 0);
    assert_int_equal(rd_peek_be32(&r, 4), 0);
    assert_int_equal(rd_peek_be32(&r, SIZE_MAX - 1), 0);
    assert_true(rd_ok(&r));
    assert_int_equal(rd_pos(&r), 2);
    /* nothing to peek at on a failed cursor */
    rd_fail(&r);
    assert_int_equal(rd_peek_u8(&r, 0), 0);
}

static void match_compares_without_moving(void **st)
{
    (void)st;
    static const char txt[] = "HTTP/1.1 200";
    struct rd r = rd_init(txt, sizeof txt - 1);
    assert_true(rd_match(&r, "HTTP/", 5));
    assert_false(rd_match(&r, "HTTPS", 5));
    assert_true(rd_match(&r, "", 0));
    assert_int_equal(rd_pos(&r), 0);
    /* longer than the data: false, no error */
    assert_false(rd_match(&r, "HTTP/1.1 200 OK", 15));
    assert_true(rd_match(&r, txt, sizeof txt - 1));
    assert_true(rd_ok(&r));
    rd_skip(&r, 9);
    assert_true(rd_match(&r, "200", 3));
    assert_false(rd_match(&r, "2000", 4));
    rd_fail(&r);
    assert_false(rd_match(&r, "200", 3));
}

/* ---- rd_str ---- */

static size_t str_of(const void *src, size_t srclen, size_t n, char *dst, size_t dstsz, size_t *pos)
{
    struct rd r = rd_init(src, srclen);
    size_t len = rd_str(&r, n, dst, dstsz);
    assert_true(rd_ok(&r));
    *pos = rd_pos(&r);
    return len;
}

static void rd_str_stops_at_nul_and_consumes_n(void **st)
{
    (void)st;
    char dst[32];
    size_t pos;
    size_t len = str_of("PLC1\0garbage", 12, 12, dst, sizeof dst, &pos);
    assert_string_equal(dst, "PLC1");
    assert_int_equal(len, 4);
    assert_int_equal(pos, 12); /* the whole field is consumed, not just the string */

    len = str_of("\0ABC", 4, 4, dst, sizeof dst, &pos);
    assert_string_equal(dst, "");
    assert_int_equal(len, 0);

    /* n smaller than the data: only n bytes */
    len = str_of("ABCDEF", 6, 3, dst, sizeof dst, &pos);
    assert_string_equal(dst, "ABC");
    assert_int_equal(pos, 3);

    len = str_of("ABC", 3, 0, dst, sizeof dst, &pos);
    assert_string_equal(dst, "");
    assert_int_equal(len, 0);
    assert_int_equal(pos, 0);
}

static void rd_str_trims_trailing_blanks(void **st)
{
    (void)st;
    char dst[32];
    size_t pos;
    /* fixed-width fields padded with spaces (S7 SZL names) */
    size_t len = str_of("CPU 1516    ", 12, 12, dst, sizeof dst, &pos);
    assert_string_equal(dst, "CPU 1516");
    assert_int_equal(len, 8);
    len = str_of("        ", 8, 8, dst, sizeof dst, &pos);
    assert_string_equal(dst, "");
    assert_int_equal(len, 0);
    /* padding then NUL */
    len = str_of("AB  \0\0\0\0", 8, 8, dst, sizeof dst, &pos);
    assert_string_equal(dst, "AB");
    /* inner blanks are kept */
    len = str_of("A  B", 4, 4, dst, sizeof dst, &pos);
    assert_string_equal(dst, "A  B");
}

static void rd_str_escapes_control_bytes(void **st)
{
    (void)st;
    char dst[64];
    size_t pos;
    size_t len = str_of("a\x1b[31mb\r\n\x7f", 10, 10, dst, sizeof dst, &pos);
    assert_string_equal(dst, "a\\x1b[31mb\\x0d\\x0a\\x7f");
    assert_int_equal(len, strlen("a\\x1b[31mb\\x0d\\x0a\\x7f"));
    len = str_of("\t", 1, 1, dst, sizeof dst, &pos);
    assert_string_equal(dst, "\\x09");
    for (size_t i = 0; i < len; i++)
        assert_true((unsigned char)dst[i] >= 0x20 && dst[i] != 0x7f);
}

static void rd_str_escapes_invalid_utf8_keeps_valid(void **st)
{
    (void)st;
    char dst[64];
    size_t pos;
    /* valid: 2-, 3- and 4-byte sequences ("Müller", "°C", "€", U+1F600) */
    str_of("M\xc3\xbcller", 7, 7, dst, sizeof dst, &pos);
    assert_string_equal(dst, "M\xc3\xbcller");
    str_of("20\xc2\xb0"
           "C \xe2\x82\xac \xf0\x9f\x98\x80",
           14, 14, dst, sizeof dst, &pos);
    assert_string_equal(dst, "20\xc2\xb0"
                             "C \xe2\x82\xac \xf0\x9f\x98\x80");
    /* invalid: a lone continuation byte, a Latin-1 byte, a truncated sequence at the end */
    str_of("a\x80"
           "b",
           3, 3, dst, sizeof dst, &pos);
    assert_string_equal(dst, "a\\x80b");
    str_of("M\xfcller", 6, 6, dst, sizeof dst, &pos);
    assert_string_equal(dst, "M\\xfcller");
    str_of("x\xe2\x82", 3, 3, dst, sizeof dst, &pos);
    assert_string_equal(dst, "x\\xe2\\x82");
    /* a sequence cut by the field length n is invalid even if the buffer continues */
    str_of("\xc3\xbc", 2, 1, dst, sizeof dst, &pos);
    assert_string_equal(dst, "\\xc3");
    /* 0xff and 0xfe never occur in UTF-8 */
    str_of("\xff\xfe", 2, 2, dst, sizeof dst, &pos);
    assert_string_equal(dst, "\\xff\\xfe");
}

static void rd_str_respects_destination_size(void **st)
{
    (void)st;
    char dst[8];
    size_t pos;
    memset(dst, 'Z', sizeof dst);
    size_t len = str_of("ABCDEFGHIJKL", 12, 12, dst, sizeof dst, &pos);
    assert_int_equal(len, 7);
    assert_string_equal(dst, "ABCDEFG");
    assert_int_equal(pos, 12); /* the field is consumed even when the copy is cut */

    /* an escape that would not fit entirely is left out, never cut in half */
    char d6[6];
    len = str_of("AB\x01"
                 "C",
                 4, 4, d6, sizeof d6, &pos);
    assert_string_equal(d6, "AB");
    assert_int_equal(len, 2);
    /* a multi-byte character that would not fit is left out */
    char d4[4];
    len = str_of("AB\xe2\x82\xac", 5, 5, d4, sizeof d4, &pos);
    assert_string_equal(d4, "AB");
    len = str_of("A\xe2\x82\xac", 4, 4, d4, sizeof d4, &pos);
    assert_int_equal(len, 1);
    assert_string_equal(d4, "A");
    char d5[5];
    len = str_of("A\xe2\x82\xac", 4, 4, d5, sizeof d5, &pos);
    assert_int_equal(len, 4);
    assert_string_equal(d5, "A\xe2\x82\xac");

    /* size 1 gives "" */
    char d1[1] = {'Z'};
    len = str_of("ABC", 3, 3, d1, sizeof d1, &pos);
    assert_int_equal(len, 0);
    assert_int_equal(d1[0], '\0');

    /* size 0: nothing is written, the field is still consumed */
    char guard = 'G';
    len = str_of("ABC", 3, 3, &guard, 0, &pos);
    assert_int_equal(len, 0);
    assert_int_equal(guard, 'G');
    assert_int_equal(pos, 3);
}

static void rd_str_past_the_end_fails(void **st)
{
    (void)st;
    char dst[16];
    memset(dst, 'Z', sizeof dst);
    struct rd r = rd_init("ABC", 3);
    assert_int_equal(rd_str(&r, 4, dst, sizeof dst), 0);
    assert_false(rd_ok(&r));
    assert_string_equal(dst, "");
    assert_int_equal(rd_pos(&r), 0);
    /* and after an error, even a short read fails */
    memset(dst, 'Z', sizeof dst);
    assert_int_equal(rd_str(&r, 1, dst, sizeof dst), 0);
    assert_string_equal(dst, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(getters_read_big_and_little_endian),
        cmocka_unit_test(every_getter_past_the_end_fails_with_zero),
        cmocka_unit_test(error_is_sticky),
        cmocka_unit_test(skip_need_and_bytes),
        cmocka_unit_test(null_buffer_is_empty),
        cmocka_unit_test(sub_cursor_is_bounded_and_errors_stay_inside),
        cmocka_unit_test(rest_consumes_the_parent),
        cmocka_unit_test(peek_does_not_move_or_fail),
        cmocka_unit_test(match_compares_without_moving),
        cmocka_unit_test(rd_str_stops_at_nul_and_consumes_n),
        cmocka_unit_test(rd_str_trims_trailing_blanks),
        cmocka_unit_test(rd_str_escapes_control_bytes),
        cmocka_unit_test(rd_str_escapes_invalid_utf8_keeps_valid),
        cmocka_unit_test(rd_str_respects_destination_size),
        cmocka_unit_test(rd_str_past_the_end_fails),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
