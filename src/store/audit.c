/* audit.c - see audit.h. */
#include "store/audit.h"

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "util/sha256.h"
#include "util/timefmt.h"

static void entry_hash(const char *prev, int64_t when, const char *entity, const char *action,
                       const char *details, char out[65])
{
    struct sha256_ctx c;
    uint8_t d[32];
    char t[32];
    snprintf(t, sizeof t, "%lld", (long long)when);
    sha256_init(&c);
    const char *parts[] = {prev, t, entity, action, details};
    for (int i = 0; i < 5; i++) {
        sha256_update(&c, parts[i], strlen(parts[i]));
        sha256_update(&c, "\n", 1); /* separator: no two splits of the same text hash alike */
    }
    sha256_final(&c, d);
    for (int i = 0; i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", d[i]);
}

int audit_append(struct store *s, int64_t when, const char *entity, const char *action,
                 const char *details)
{
    sqlite3 *db = store_db(s);
    sqlite3_stmt *st;
    char prev[65] = "0000000000000000000000000000000000000000000000000000000000000000";
    if (sqlite3_prepare_v2(db, "SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1", -1, &st,
                           NULL) != SQLITE_OK)
        return -1;
    if (sqlite3_step(st) == SQLITE_ROW)
        snprintf(prev, sizeof prev, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    char h[65];
    entry_hash(prev, when, entity, action, details, h);
    if (sqlite3_prepare_v2(db, "INSERT INTO audit_log(time_ns, entity, action, details,"
                               " prev_hash, hash) VALUES(?,?,?,?,?,?)", -1, &st, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_int64(st, 1, when);
    sqlite3_bind_text(st, 2, entity, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, action, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 4, details, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 5, prev, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 6, h, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
    sqlite3_finalize(st);
    return rc;
}

int64_t audit_verify(struct store *s, char *why, size_t whylen, int64_t *entries)
{
    sqlite3_stmt *st;
    *entries = 0;
    if (sqlite3_prepare_v2(store_db(s), "SELECT id, time_ns, entity, action, details, prev_hash,"
                                        " hash FROM audit_log ORDER BY id", -1, &st,
                           NULL) != SQLITE_OK) {
        snprintf(why, whylen, "no audit log");
        return -1;
    }
    char prev[65] = "0000000000000000000000000000000000000000000000000000000000000000";
    int64_t bad = 0, expect_id = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(st, 0);
        (*entries)++;
        const char *ph = (const char *)sqlite3_column_text(st, 5);
        const char *hh = (const char *)sqlite3_column_text(st, 6);
        char h[65];
        entry_hash(prev, sqlite3_column_int64(st, 1), (const char *)sqlite3_column_text(st, 2),
                   (const char *)sqlite3_column_text(st, 3),
                   (const char *)sqlite3_column_text(st, 4), h);
        if (expect_id && id != expect_id + 1) {
            snprintf(why, whylen, "entries %lld to %lld are missing", (long long)expect_id + 1,
                     (long long)id - 1);
            bad = id;
        } else if (strcmp(ph, prev) != 0) {
            snprintf(why, whylen, "entry %lld does not follow the one before it", (long long)id);
            bad = id;
        } else if (strcmp(hh, h) != 0) {
            snprintf(why, whylen, "entry %lld was changed after it was written", (long long)id);
            bad = id;
        }
        if (bad)
            break;
        expect_id = id;
        snprintf(prev, sizeof prev, "%s", hh);
    }
    sqlite3_finalize(st);
    return bad;
}

json_t *audit_json(struct store *s)
{
    json_t *arr = json_array();
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(store_db(s), "SELECT id, time_ns, entity, action, details, hash FROM"
                                        " audit_log ORDER BY id", -1, &st, NULL) == SQLITE_OK) {
        while (sqlite3_step(st) == SQLITE_ROW) {
            char t[TIME_STRLEN];
            time_format(sqlite3_column_int64(st, 1), t);
            json_array_append_new(arr, json_pack("{s:I, s:s, s:s, s:s, s:s, s:s}", "id",
                (json_int_t)sqlite3_column_int64(st, 0), "time", t, "entity",
                (const char *)sqlite3_column_text(st, 2), "action",
                (const char *)sqlite3_column_text(st, 3), "details",
                (const char *)sqlite3_column_text(st, 4), "hash",
                (const char *)sqlite3_column_text(st, 5)));
        }
        sqlite3_finalize(st);
    }
    return json_pack("{s:s, s:o}", "schema", "otscope.audit/1", "entries", arr);
}
