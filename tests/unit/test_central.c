/* test_central.c - the parts of the central PostgreSQL store that need no server: URI
 * recognition, password redaction in messages and in argv (what ps shows), the SQL text
 * builder, the table catalogue, and loading a library on first use (util/dynlib). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "central/pg.h"
#include "central/sqltext.h"
#include "central/tables.h"
#include "util/dynlib.h"

static void uris_are_recognised(void **st)
{
    (void)st;
    assert_true(central_is_uri("postgresql://db.example/otscope"));
    assert_true(central_is_uri("postgres://u@db/otscope"));
    assert_false(central_is_uri("plant.db"));
    assert_false(central_is_uri("postgresql:/missing-slash"));
    assert_false(central_is_uri("file:postgresql://x"));
    assert_false(central_is_uri(NULL));
}

static const char *redact(const char *uri)
{
    static char out[256];
    central_redact(uri, out, sizeof out);
    return out;
}

static void passwords_are_redacted(void **st)
{
    (void)st;
    assert_string_equal(redact("postgresql://ot:s3cret-long@db:5432/otscope"),
                        "postgresql://ot:***@db:5432/otscope");
    /* at most three stars, fewer for a shorter password: its length is not revealed beyond */
    assert_string_equal(redact("postgresql://ot:ab@db/x"), "postgresql://ot:**@db/x");
    assert_string_equal(redact("postgresql://db/x?user=ot&password=hunter2&sslmode=require"),
                        "postgresql://db/x?user=ot&password=***&sslmode=require");
    /* both forms at once */
    assert_string_equal(redact("postgres://a:one1@db/x?password=two2"),
                        "postgres://a:***@db/x?password=***");
    /* nothing to hide */
    assert_string_equal(redact("postgresql://ot@db/otscope"), "postgresql://ot@db/otscope");
    assert_string_equal(redact("postgresql:///otscope?host=/run/postgresql"),
                        "postgresql:///otscope?host=/run/postgresql");
    /* an '@' in the path is not user info */
    assert_string_equal(redact("postgresql://db/x@y"), "postgresql://db/x@y");
    /* a small buffer is cut, never overrun, and holds no part of the password */
    char small[20];
    central_redact("postgresql://ot:topsecret@db/x", small, sizeof small);
    assert_string_equal(small, "postgresql://ot:***");
    char one[1] = {'x'};
    central_redact("postgresql://ot:pw@db/x", one, sizeof one);
    assert_int_equal(one[0], '\0');
}

static void argv_passwords_are_hidden_and_remembered(void **st)
{
    (void)st;
    char a0[] = "otscope", a1[] = "report", a2[] = "--db=postgresql://ot:Pa55word@db/otscope",
         a3[] = "postgres://ot@db/x?password=zz9&sslmode=require", a4[] = "plant.db";
    char *argv[] = {a0, a1, a2, a3, a4, NULL};
    central_hide_passwords(5, argv);
    assert_string_equal(argv[2], "--db=postgresql://ot:***@db/otscope");
    assert_string_equal(argv[3], "postgres://ot@db/x?password=***&sslmode=require");
    assert_string_equal(argv[4], "plant.db");
    /* nothing of the password is left behind the new end of the argument (ps reads it) */
    for (size_t i = strlen(a2); i < sizeof a2; i++)
        assert_int_equal(a2[i], '\0');
    for (size_t i = 0; i + 4 <= sizeof a2; i++)
        assert_false(memcmp(a2 + i, "Pa55", 4) == 0);
    /* the connection still gets the real URI */
    assert_string_equal(central_real_uri("postgresql://ot:***@db/otscope"),
                        "postgresql://ot:Pa55word@db/otscope");
    assert_string_equal(central_real_uri("postgres://ot@db/x?password=***&sslmode=require"),
                        "postgres://ot@db/x?password=zz9&sslmode=require");
    assert_string_equal(central_real_uri("postgresql://other/x"), "postgresql://other/x");
}

static void sql_text_grows(void **st)
{
    (void)st;
    struct sqltext b = {0};
    sqltext_add(&b, "INSERT INTO otscope.%s(", "assets");
    for (int i = 1; i <= 500; i++)
        sqltext_add(&b, "%sc%d", i > 1 ? ", " : "", i);
    sqltext_add(&b, ") VALUES ($%d)", 1);
    assert_false(b.oom);
    assert_int_equal(b.len, strlen(b.s));
    static const char head[] = "INSERT INTO otscope.assets(c1, c2, ";
    assert_memory_equal(b.s, head, sizeof head - 1);
    assert_non_null(strstr(b.s, "c499, c500) VALUES ($1)"));
    sqltext_free(&b);
    assert_null(b.s);
    sqltext_free(&b); /* twice is harmless */
}

static void every_table_is_in_the_catalogue(void **st)
{
    (void)st;
    assert_true(central_ntables > 5);
    for (size_t i = 0; i < central_ntables; i++) {
        const struct central_table *t = &central_tables[i];
        assert_non_null(t->name);
        assert_ptr_equal(ct_find(t->name), t);
        for (size_t j = 0; j < i; j++) /* each once */
            assert_string_not_equal(central_tables[j].name, t->name);
    }
    assert_non_null(ct_find("assets"));
    assert_null(ct_find("sqlite_master"));
    assert_null(ct_find(""));
}

/* dynlib: a real library from the C runtime, a missing one, a missing symbol */
static struct {
    __typeof__(strtod) *strtod;
    __typeof__(abs) *abs;
} fake;

static void libraries_load_on_first_use(void **st)
{
    (void)st;
    char err[256] = "";
    static const char *const libc[] = {"libc.so.6"};
    static const struct dynsym syms[] = {DYNSYM(fake, strtod), DYNSYM(fake, abs)};
    struct dynlib ok = {libc, 1, syms, 2, "libc6", false};
    assert_true(dynlib_load(&ok, err, sizeof err));
    assert_true(ok.loaded);
    assert_true(fake.strtod("2.5", NULL) == 2.5);
    assert_int_equal(fake.abs(-7), 7);
    assert_true(dynlib_load(&ok, err, sizeof err)); /* once loaded, free */

    static const char *const none[] = {"libotscope-does-not-exist.so.9"};
    struct dynlib missing = {none, 1, syms, 2, "otscope-nothing", false};
    assert_false(dynlib_load(&missing, err, sizeof err));
    assert_non_null(strstr(err, "libotscope-does-not-exist.so.9"));
    assert_non_null(strstr(err, "Debian package otscope-nothing"));
    assert_false(missing.loaded);

    static struct {
        void (*otscope_no_such_function)(void);
    } nosym;
    static const struct dynsym bad[] = {DYNSYM(nosym, otscope_no_such_function)};
    struct dynlib nofunc = {libc, 1, bad, 1, "libc6", false};
    assert_false(dynlib_load(&nofunc, err, sizeof err));
    assert_non_null(strstr(err, "otscope_no_such_function"));
    assert_null(nosym.otscope_no_such_function);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(uris_are_recognised),
        cmocka_unit_test(passwords_are_redacted),
        cmocka_unit_test(argv_passwords_are_hidden_and_remembered),
        cmocka_unit_test(sql_text_grows),
        cmocka_unit_test(every_table_is_in_the_catalogue),
        cmocka_unit_test(libraries_load_on_first_use),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
