/* push.c - see push.h.  Rows are read with one ordered SELECT per table and site and sent as
 * multi-row INSERT ... ON CONFLICT statements whose values are all parameters; the digest of a
 * table is SHA-256 over the same encoded values, so "unchanged" means "what would be sent is
 * what was sent". */
#include "central/push.h"

#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "central/sqltext.h"
#include "central/tables.h"
#include "util/sha256.h"
#include "util/timefmt.h"

#define MAX_PARAMS 30000 /* per statement; PostgreSQL allows 65535 */

/* ---- parameter values of one statement ---- */

struct vals {
    char *data;
    size_t len, cap;
    size_t *off; /* SIZE_MAX: NULL */
    const char **ptr;
    int n, cap_n;
    bool oom;
};

static void vals_add(struct vals *v, const char *s, size_t len)
{
    if (v->n == v->cap_n) {
        int cap = v->cap_n ? v->cap_n * 2 : 256;
        size_t *off = realloc(v->off, (size_t)cap * sizeof *off);
        const char **ptr = off ? realloc(v->ptr, (size_t)cap * sizeof *ptr) : NULL;
        if (off)
            v->off = off;
        if (!ptr) {
            v->oom = true;
            return;
        }
        v->ptr = ptr;
        v->cap_n = cap;
    }
    if (!s) {
        v->off[v->n++] = SIZE_MAX;
        return;
    }
    if (v->len + len + 1 > v->cap) {
        size_t cap = v->cap ? v->cap * 2 : 4096;
        while (cap < v->len + len + 1)
            cap *= 2;
        char *d = realloc(v->data, cap);
        if (!d) {
            v->oom = true;
            return;
        }
        v->data = d;
        v->cap = cap;
    }
    memcpy(v->data + v->len, s, len);
    v->data[v->len + len] = '\0';
    v->off[v->n++] = v->len;
    v->len += len + 1;
}

static const char *const *vals_ptrs(struct vals *v)
{
    for (int i = 0; i < v->n; i++)
        v->ptr[i] = v->off[i] == SIZE_MAX ? NULL : v->data + v->off[i];
    return v->ptr;
}

static void vals_free(struct vals *v)
{
    free(v->data);
    free(v->off);
    free(v->ptr);
    memset(v, 0, sizeof *v);
}

/* ---- encoding one SQLite value: the parameter text and the digest input ---- */

/* the length of the valid UTF-8 character at s (RFC 3629 §4: no overlong forms, no UTF-16
 * surrogates, nothing above U+10FFFF), or 0 */
static size_t utf8_char(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    size_t k = c < 0x80             ? 0
               : (c & 0xe0) == 0xc0 ? 1
               : (c & 0xf0) == 0xe0 ? 2
               : (c & 0xf8) == 0xf0 ? 3
                                    : 9;
    if (k == 9 || k >= n || (k == 1 && c < 0xc2) || c > 0xf4)
        return 0;
    for (size_t j = 1; j <= k; j++)
        if ((s[j] & 0xc0) != 0x80)
            return 0;
    unsigned char c1 = k ? s[1] : 0;
    if ((c == 0xe0 && c1 < 0xa0) || (c == 0xed && c1 >= 0xa0) || (c == 0xf0 && c1 < 0x90) ||
        (c == 0xf4 && c1 >= 0x90))
        return 0;
    return k + 1;
}

static bool utf8_valid(const unsigned char *s, size_t n)
{
    for (size_t i = 0, l; i < n; i += l)
        if (!(l = utf8_char(s + i, n - i)))
            return false;
    return true;
}

/* a copy of s with every byte that is not part of valid UTF-8 written as \xHH */
static char *utf8_escape(const unsigned char *s, size_t n, size_t *len)
{
    char *out = malloc(n * 4 + 1);
    size_t o = 0;
    for (size_t i = 0, l; out && i < n; i += l) {
        l = utf8_char(s + i, n - i);
        if (l) {
            memcpy(out + o, s + i, l);
            o += l;
        } else {
            o += (size_t)snprintf(out + o, 5, "\\x%02x", s[i]);
            l = 1;
        }
    }
    if (out)
        out[o] = '\0';
    *len = o;
    return out;
}

struct enc {
    char num[40];
    char *fixed; /* a sanitised copy of text that was not UTF-8 */
    const char *s;
    size_t len;
    char tag;
};

static void enc_value(sqlite3_stmt *st, int i, struct enc *e)
{
    free(e->fixed);
    e->fixed = NULL;
    switch (sqlite3_column_type(st, i)) {
    case SQLITE_NULL:
        e->tag = 'N';
        e->s = NULL;
        e->len = 0;
        return;
    case SQLITE_INTEGER:
        e->tag = 'I';
        e->len =
            (size_t)snprintf(e->num, sizeof e->num, "%lld", (long long)sqlite3_column_int64(st, i));
        e->s = e->num;
        return;
    case SQLITE_FLOAT:
        e->tag = 'F';
        e->len = (size_t)snprintf(e->num, sizeof e->num, "%.17g", sqlite3_column_double(st, i));
        e->s = e->num;
        return;
    default:
        e->tag = 'T';
        e->s = (const char *)sqlite3_column_text(st, i);
        e->len = e->s ? strnlen(e->s, (size_t)sqlite3_column_bytes(st, i)) : 0;
        if (!e->s)
            e->s = "";
        /* PostgreSQL text must be UTF-8: a stray byte (a file name, say) is escaped */
        if (!utf8_valid((const unsigned char *)e->s, e->len)) {
            e->fixed = utf8_escape((const unsigned char *)e->s, e->len, &e->len);
            e->s = e->fixed ? e->fixed : "";
        }
        return;
    }
}

static void enc_digest(struct sha256_ctx *d, const struct enc *e)
{
    sha256_update(d, &e->tag, 1);
    if (e->s)
        sha256_update(d, e->s, e->len);
    sha256_update(d, "\x1f", 1);
}

/* ---- the source: one ordered SELECT per table and site ---- */

static void site_expr(struct sqltext *b, const struct push_source *src,
                      const struct central_table *t)
{
    if (t->cls == CT_FACT || t->cls == CT_DERIVED) {
        sqltext_add(b, "%s", t->site ? t->site : "t.site");
    } else if (!src->mirror) {
        sqltext_add(b, "?1");
    } else if (t->id || t->ref[0].col) {
        /* in a materialised store every sensor-level row's origin is in central_idmap (new
         * rows were given CENTRAL_SITE before the push) */
        const char *tbl = t->id ? t->name : t->ref[0].table;
        const char *col = t->id ? t->id : t->ref[0].col;
        sqltext_add(b,
                    "(SELECT m.site FROM central_idmap m WHERE m.tbl='%s' AND m.local_id=t.\"%s\")",
                    tbl, col);
    } else if (!strcmp(t->name, "meta")) {
        sqltext_add(b, "coalesce((SELECT o.site FROM central_meta_origin o WHERE o.key=t.key AND"
                       " o.value=t.value), '" CENTRAL_SITE "')");
    } else {
        sqltext_add(b, "'" CENTRAL_SITE "'");
    }
}

/* SELECT of table t's central columns for site ?1 (none for global tables), ordered by the
 * key; with ncursor > 0 only rows after the cursor (?2, ?3, ...) */
static char *source_sql(const struct push_source *src, const struct central_table *t,
                        const struct ct_cols *c, bool keys_only, int ncursor)
{
    struct sqltext b = {0};
    bool global = t->cls == CT_GLOBAL;
    sqltext_add(&b, "SELECT ");
    if (keys_only) /* in key order, without site: what the keep table and the cursor hold */
        for (int k = global ? 0 : 1; k < c->nkey; k++)
            sqltext_add(&b, "%s\"%s\"", k > !global ? ", " : "", c->name[c->key[k]]);
    else
        for (int i = 0; i < c->n; i++)
            sqltext_add(&b, "%s\"%s\"", i ? ", " : "", c->name[i]);
    sqltext_add(&b, " FROM (SELECT ");
    if (!global) {
        site_expr(&b, src, t);
        sqltext_add(&b, " AS site");
    }
    for (int i = global ? 0 : 1; i < c->n; i++) {
        const char *ref = src->mirror ? ct_ref_table(t, c->name[i]) : NULL;
        sqltext_add(&b, "%s", i ? ", " : "");
        if (ref)
            sqltext_add(&b,
                        "(SELECT m.central_id FROM central_idmap m WHERE m.tbl='%s' AND"
                        " m.local_id=t.\"%s\") AS \"%s\"",
                        ref, c->name[i], c->name[i]);
        else
            sqltext_add(&b, "t.\"%s\"", c->name[i]);
    }
    sqltext_add(&b, " FROM \"%s\" t)", t->name);
    if (!global)
        sqltext_add(&b, " WHERE site=?1");
    if (ncursor > 0) {
        sqltext_add(&b, " AND (");
        for (int k = 1; k < c->nkey; k++)
            sqltext_add(&b, "%s\"%s\"", k > 1 ? ", " : "", c->name[c->key[k]]);
        sqltext_add(&b, ") > (");
        for (int k = 1; k < c->nkey; k++)
            sqltext_add(&b, "%s?%d", k > 1 ? ", " : "", k + 1);
        sqltext_add(&b, ")");
    }
    sqltext_add(&b, " ORDER BY ");
    for (int k = global ? 0 : 1, o = 0; k < c->nord; k++, o++)
        sqltext_add(&b, "%s\"%s\"", o ? ", " : "", c->name[c->ord[k]]);
    if (global ? c->nord == 0 : c->nord <= 1)
        sqltext_add(&b, "1");
    if (b.oom) {
        sqltext_free(&b);
        return NULL;
    }
    return b.s;
}

/* the cursor's key values as parameters ?2, ?3, ... */
static void bind_cursor(sqlite3_stmt *st, json_t *cursor, int n)
{
    for (int k = 0; k < n; k++) {
        json_t *v = json_array_get(cursor, (size_t)k);
        if (json_is_integer(v))
            sqlite3_bind_int64(st, k + 2, json_integer_value(v));
        else if (json_is_real(v))
            sqlite3_bind_double(st, k + 2, json_real_value(v));
        else if (json_is_string(v))
            sqlite3_bind_text(st, k + 2, json_string_value(v), -1, SQLITE_TRANSIENT);
    }
}

static sqlite3_stmt *source_stmt(const struct push_source *src, const struct central_table *t,
                                 const struct ct_cols *c, bool keys_only, const char *site,
                                 json_t *cursor, struct pgc *p)
{
    int ncur = cursor ? (int)json_array_size(cursor) : 0;
    if (ncur && ncur != c->nkey - 1)
        ncur = 0, cursor = NULL;
    char *sql = source_sql(src, t, c, keys_only, ncur);
    sqlite3_stmt *st = NULL;
    if (!sql || sqlite3_prepare_v2(src->db, sql, -1, &st, NULL) != SQLITE_OK) {
        snprintf(p->err, sizeof p->err, "reading %s: %s", t->name,
                 sql ? sqlite3_errmsg(src->db) : "out of memory");
        free(sql);
        return NULL;
    }
    free(sql);
    if (t->cls != CT_GLOBAL)
        sqlite3_bind_text(st, 1, site, -1, SQLITE_TRANSIENT);
    bind_cursor(st, cursor, ncur);
    return st;
}

/* digest and count of the rows the source would send */
static int source_digest(struct pgc *p, const struct push_source *src,
                         const struct central_table *t, const struct ct_cols *c, const char *site,
                         char hex[65], long *rows)
{
    sqlite3_stmt *st = source_stmt(src, t, c, false, site, NULL, p);
    if (!st)
        return -1;
    struct sha256_ctx d;
    sha256_init(&d);
    struct enc e = {0};
    int rc;
    *rows = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        for (int i = 0; i < c->n; i++) {
            enc_value(st, i, &e);
            enc_digest(&d, &e);
        }
        sha256_update(&d, "\x1e", 1);
        (*rows)++;
    }
    free(e.fixed);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        snprintf(p->err, sizeof p->err, "reading %s: %s", t->name, sqlite3_errmsg(src->db));
        return -1;
    }
    uint8_t out[32];
    sha256_final(&d, out);
    for (int i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", out[i]);
    return 0;
}

/* ---- central statements ---- */

/* INSERT of nrows rows of the columns (only the key columns: into the temporary keep table) */
static char *insert_sql(const struct central_table *t, const struct ct_cols *c, int nrows,
                        bool upsert, bool keep)
{
    struct sqltext b = {0};
    int ncols = 0;
    if (keep)
        sqltext_add(&b, "INSERT INTO pg_temp.otscope_keep (");
    else
        sqltext_add(&b, "INSERT INTO otscope.\"%s\" AS x (", t->name);
    int skip = keep && t->cls != CT_GLOBAL; /* the keep table has no site */
    for (int i = skip; i < (keep ? c->nkey : c->n); i++, ncols++)
        sqltext_add(&b, "%s\"%s\"", ncols ? ", " : "", c->name[keep ? c->key[i] : i]);
    sqltext_add(&b, ") VALUES ");
    int n = 1;
    for (int r = 0; r < nrows; r++) {
        sqltext_add(&b, "%s(", r ? "," : "");
        for (int i = 0; i < ncols; i++)
            sqltext_add(&b, "%s$%d", i ? "," : "", n++);
        sqltext_add(&b, ")");
    }
    if (upsert && c->nkey && !keep) {
        sqltext_add(&b, " ON CONFLICT (");
        for (int k = 0; k < c->nkey; k++)
            sqltext_add(&b, "%s\"%s\"", k ? ", " : "", c->name[c->key[k]]);
        if (c->nkey == c->n) {
            sqltext_add(&b, ") DO NOTHING");
        } else {
            sqltext_add(&b, ") DO UPDATE SET ");
            int o = 0;
            for (int i = 0; i < c->n; i++) {
                bool is_key = false;
                for (int k = 0; k < c->nkey; k++)
                    is_key |= c->key[k] == i;
                if (!is_key)
                    sqltext_add(&b, "%s\"%s\"=EXCLUDED.\"%s\"", o++ ? ", " : "", c->name[i],
                                c->name[i]);
            }
            /* a row sent again unchanged is not written again */
            sqltext_add(&b, " WHERE (");
            o = 0;
            for (int i = 0; i < c->n; i++)
                sqltext_add(&b, "%sx.\"%s\"", o++ ? ", " : "", c->name[i]);
            sqltext_add(&b, ") IS DISTINCT FROM (");
            o = 0;
            for (int i = 0; i < c->n; i++)
                sqltext_add(&b, "%sEXCLUDED.\"%s\"", o++ ? ", " : "", c->name[i]);
            sqltext_add(&b, ")");
        }
    }
    if (b.oom) {
        sqltext_free(&b);
        return NULL;
    }
    return b.s;
}

/* sends the rows collected in v (nrows rows) */
static int flush_rows(struct pgc *p, const struct central_table *t, const struct ct_cols *c,
                      struct vals *v, int nrows, bool upsert, bool keep, long *changed)
{
    if (!nrows)
        return 0;
    if (v->oom) {
        snprintf(p->err, sizeof p->err, "out of memory");
        return -1;
    }
    char *sql = insert_sql(t, c, nrows, upsert, keep);
    if (!sql) {
        snprintf(p->err, sizeof p->err, "out of memory");
        return -1;
    }
    long n = 0;
    int rc = pgc_cmd(p, sql, v->n, vals_ptrs(v), &n);
    free(sql);
    v->n = 0;
    v->len = 0;
    if (rc == 0 && changed)
        *changed += n;
    return rc;
}

struct state {
    bool exists;
    const char *last_key; /* in the sync_state result; NULL when the last pass finished */
    char pass_digest[65], digest[65];
    long long stamp;
};

/* the sync_state rows of one site, read once per push (a round trip per table adds up with
 * many sites on a distant server); each table's row is only written by that table's push */
static PGresult *read_states(struct pgc *p, const char *site)
{
    const char *v[] = {site};
    return pgc_query(p,
                     "SELECT tbl, last_key, pass_digest, digest, stamp FROM"
                     " otscope.sync_state WHERE site=$1",
                     1, v);
}

static void find_state(const PGresult *r, const char *tbl, struct state *s)
{
    memset(s, 0, sizeof *s);
    for (int i = 0; i < PQntuples(r); i++) {
        if (strcmp(PQgetvalue(r, i, 0), tbl) != 0)
            continue;
        s->exists = true;
        s->last_key = PQgetisnull(r, i, 1) ? NULL : PQgetvalue(r, i, 1);
        snprintf(s->pass_digest, sizeof s->pass_digest, "%s", PQgetvalue(r, i, 2));
        snprintf(s->digest, sizeof s->digest, "%s", PQgetvalue(r, i, 3));
        s->stamp = strtoll(PQgetvalue(r, i, 4), NULL, 10);
        return;
    }
}

static int write_progress(struct pgc *p, const char *site, const char *tbl, const char *key,
                          const char *pass_digest)
{
    const char *v[] = {site, tbl, key, pass_digest};
    return pgc_cmd(p,
                   "INSERT INTO otscope.sync_state(site, tbl, last_key, pass_digest)"
                   " VALUES($1, $2, $3, $4) ON CONFLICT (site, tbl) DO UPDATE SET"
                   " last_key=EXCLUDED.last_key, pass_digest=EXCLUDED.pass_digest",
                   4, v, NULL);
}

static int write_done(struct pgc *p, const char *site, const char *tbl, const char *digest,
                      long rows, long long stamp)
{
    char n[32], now[32], st[32];
    snprintf(n, sizeof n, "%ld", rows);
    snprintf(now, sizeof now, "%lld", (long long)time_now_ns());
    snprintf(st, sizeof st, "%lld", stamp);
    const char *v[] = {site, tbl, digest, n, now, st};
    return pgc_cmd(p,
                   "INSERT INTO otscope.sync_state(site, tbl, last_key, pass_digest, digest,"
                   " rows, synced_ns, stamp) VALUES($1, $2, NULL, NULL, $3, $4, $5, $6)"
                   " ON CONFLICT (site, tbl) DO UPDATE SET last_key=NULL, pass_digest=NULL,"
                   " digest=EXCLUDED.digest, rows=EXCLUDED.rows, synced_ns=EXCLUDED.synced_ns,"
                   " stamp=EXCLUDED.stamp",
                   6, v, NULL);
}

/* the key of the current row (without site) as a JSON array: the cursor */
static char *row_key(sqlite3_stmt *st, const struct central_table *t, const struct ct_cols *c)
{
    json_t *a = json_array();
    struct enc e = {0};
    for (int k = t->cls == CT_GLOBAL ? 0 : 1; k < c->nkey; k++) {
        int i = c->key[k];
        switch (sqlite3_column_type(st, i)) {
        case SQLITE_INTEGER:
            json_array_append_new(a, json_integer(sqlite3_column_int64(st, i)));
            break;
        case SQLITE_FLOAT:
            json_array_append_new(a, json_real(sqlite3_column_double(st, i)));
            break;
        case SQLITE_NULL:
            json_array_append_new(a, json_null());
            break;
        default:
            enc_value(st, i, &e);
            json_array_append_new(a, json_stringn(e.s, e.len));
        }
    }
    free(e.fixed);
    char *s = json_dumps(a, JSON_COMPACT);
    json_decref(a);
    return s;
}

/* delete the central rows of the site that the source no longer has; inside a transaction */
static int reconcile(struct pgc *p, const struct push_source *src, const struct central_table *t,
                     const struct ct_cols *c, const char *site, long rows, long *deleted)
{
    bool global = t->cls == CT_GLOBAL;
    char sql[2048];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM otscope.\"%s\"%s", t->name,
             global ? "" : " WHERE site=$1");
    const char *v[] = {site};
    PGresult *r = pgc_query(p, sql, global ? 0 : 1, v);
    if (!r)
        return -1;
    long central = strtol(PQgetvalue(r, 0, 0), NULL, 10);
    PQclear(r);
    /* after a full pass every source key is there, so equal counts mean nothing extra */
    if (central <= rows)
        return 0;
    if (!c->nkey) {
        snprintf(p->err, sizeof p->err, "%s: cannot reconcile a table without a key", t->name);
        return -1;
    }
    struct sqltext b = {0};
    sqltext_add(&b, "CREATE TEMP TABLE otscope_keep ON COMMIT DROP AS SELECT ");
    for (int k = global ? 0 : 1, o = 0; k < c->nkey; k++, o++)
        sqltext_add(&b, "%s\"%s\"", o ? ", " : "", c->name[c->key[k]]);
    sqltext_add(&b, " FROM otscope.\"%s\" WITH NO DATA", t->name);
    int rc = b.oom ? -1 : pgc_exec(p, b.s);
    sqltext_free(&b);
    sqlite3_stmt *st = rc ? NULL : source_stmt(src, t, c, true, site, NULL, p);
    if (!st)
        return -1;
    int nk = global ? c->nkey : c->nkey - 1;
    int per = MAX_PARAMS / (nk ? nk : 1), n = 0;
    struct vals vals = {0};
    struct enc e = {0};
    while (rc == 0 && sqlite3_step(st) == SQLITE_ROW) {
        for (int i = 0; i < nk; i++) {
            enc_value(st, i, &e);
            vals_add(&vals, e.s, e.len);
        }
        if (++n == per) {
            rc = flush_rows(p, t, c, &vals, n, false, true, NULL);
            n = 0;
        }
    }
    free(e.fixed);
    sqlite3_finalize(st);
    if (rc == 0)
        rc = flush_rows(p, t, c, &vals, n, false, true, NULL);
    vals_free(&vals);
    if (rc)
        return -1;
    sqltext_add(&b,
                "DELETE FROM otscope.\"%s\" x WHERE %sNOT EXISTS (SELECT 1 FROM"
                " pg_temp.otscope_keep k WHERE ",
                t->name, global ? "" : "x.site=$1 AND ");
    for (int k = global ? 0 : 1, o = 0; k < c->nkey; k++, o++)
        sqltext_add(&b, "%sk.\"%s\"=x.\"%s\"", o ? " AND " : "", c->name[c->key[k]],
                    c->name[c->key[k]]);
    sqltext_add(&b, ")");
    long del = 0;
    rc = b.oom ? -1 : pgc_cmd(p, b.s, global ? 0 : 1, v, &del);
    sqltext_free(&b);
    if (rc == 0 && pgc_exec(p, "DROP TABLE pg_temp.otscope_keep"))
        rc = -1;
    *deleted += del;
    return rc;
}

/* ---- pushing ---- */

struct tres {
    long rows, sent, changed, deleted, resumed_after;
    const char *how; /* "unchanged", "pushed", "replaced", ... */
};

static void report(const struct push_opts *o, const char *site, const char *tbl,
                   const struct tres *r)
{
    if (!o->out)
        return;
    if (!strcmp(r->how, "unchanged")) {
        fprintf(o->out, "%-12s %-26s %8ld rows  unchanged\n", *site ? site : "(global)", tbl,
                r->rows);
        return;
    }
    fprintf(o->out, "%-12s %-26s %8ld rows  %s: %ld sent, %ld written, %ld deleted",
            *site ? site : "(global)", tbl, r->rows, r->how, r->sent, r->changed, r->deleted);
    if (r->resumed_after)
        fprintf(o->out, " (resumed after %ld)", r->resumed_after);
    fputc('\n', o->out);
}

static void account(struct push_stats *st, const struct tres *r)
{
    st->rows += r->rows;
    st->sent += r->sent;
    st->changed += r->changed;
    st->deleted += r->deleted;
    st->resumed_after += r->resumed_after;
    if (!strcmp(r->how, "unchanged"))
        st->unchanged++;
    else
        st->pushed++;
}

static int push_fact(struct pgc *p, const struct push_source *src, const struct central_table *t,
                     const struct ct_cols *c, const char *site, const struct push_opts *o,
                     const PGresult *states, struct tres *r)
{
    char digest[65];
    struct state s;
    memset(r, 0, sizeof *r);
    r->how = "unchanged";
    if (source_digest(p, src, t, c, site, digest, &r->rows))
        return -1;
    find_state(states, t->name, &s);
    if (!s.exists && r->rows == 0)
        return 1; /* nothing, ever: not worth a line */
    if (!o->full && s.exists && !s.last_key && !strcmp(s.digest, digest))
        return 0;
    r->how = "pushed";
    json_t *cursor = NULL;
    if (!o->full && s.last_key && !strcmp(s.pass_digest, digest)) {
        cursor = json_loads(s.last_key, 0, NULL);
        if (!json_is_array(cursor) || json_array_size(cursor) != (size_t)(c->nkey - 1)) {
            json_decref(cursor);
            cursor = NULL;
        }
    }
    sqlite3_stmt *st = source_stmt(src, t, c, false, site, cursor, p);
    if (!st) {
        json_decref(cursor);
        return -1;
    }
    if (cursor) {
        /* count what the interrupted pass already committed, for the report */
        char *sql = source_sql(src, t, c, true, (int)json_array_size(cursor));
        sqlite3_stmt *cnt = NULL;
        if (sql) {
            char *q = malloc(strlen(sql) + 64);
            if (q) {
                sprintf(q, "SELECT count(*) FROM (%s)", sql);
                sqlite3_prepare_v2(src->db, q, -1, &cnt, NULL);
                free(q);
            }
            free(sql);
        }
        if (cnt) {
            sqlite3_bind_text(cnt, 1, site, -1, SQLITE_TRANSIENT);
            bind_cursor(cnt, cursor, (int)json_array_size(cursor));
            if (sqlite3_step(cnt) == SQLITE_ROW)
                r->resumed_after = r->rows - sqlite3_column_int64(cnt, 0);
            sqlite3_finalize(cnt);
        }
        json_decref(cursor);
    }
    int per = MAX_PARAMS / c->n;
    if (per > o->batch)
        per = o->batch;
    struct vals v = {0};
    struct enc e = {0};
    int rc = 0, step = sqlite3_step(st);
    while (rc == 0 && step == SQLITE_ROW) {
        /* one batch: its rows and the cursor after it, in one transaction */
        int in_batch = 0, n = 0;
        char *key = NULL;
        rc = pgc_exec(p, "BEGIN");
        while (rc == 0 && step == SQLITE_ROW && in_batch < o->batch) {
            for (int i = 0; i < c->n; i++) {
                enc_value(st, i, &e);
                vals_add(&v, e.s, e.len);
            }
            in_batch++;
            r->sent++;
            if (++n == per) {
                rc = flush_rows(p, t, c, &v, n, true, false, &r->changed);
                n = 0;
            }
            free(key);
            key = row_key(st, t, c);
            step = sqlite3_step(st);
        }
        if (rc == 0)
            rc = flush_rows(p, t, c, &v, n, true, false, &r->changed);
        if (rc == 0 && !key) {
            snprintf(p->err, sizeof p->err, "out of memory");
            rc = -1;
        }
        if (rc == 0)
            rc = write_progress(p, site, t->name, key, digest);
        if (rc == 0)
            rc = pgc_exec(p, "COMMIT");
        if (rc)
            pgc_rollback(p);
        free(key);
    }
    if (rc == 0 && step != SQLITE_DONE) {
        snprintf(p->err, sizeof p->err, "reading %s: %s", t->name, sqlite3_errmsg(src->db));
        rc = -1;
    }
    free(e.fixed);
    vals_free(&v);
    sqlite3_finalize(st);
    if (rc)
        return -1;
    /* the pass is complete: drop what the source no longer has, and remember the digest */
    if (pgc_exec(p, "BEGIN") || reconcile(p, src, t, c, site, r->rows, &r->deleted) ||
        write_done(p, site, t->name, digest, r->rows, 0) || pgc_exec(p, "COMMIT")) {
        pgc_rollback(p);
        return -1;
    }
    return 0;
}

/* replace the site's rows of table t with the source's; inside a transaction */
static int replace_table(struct pgc *p, const struct push_source *src,
                         const struct central_table *t, const struct ct_cols *c, const char *site,
                         struct tres *r)
{
    char sql[256];
    const char *v1[] = {site};
    bool global = t->cls == CT_GLOBAL;
    snprintf(sql, sizeof sql, "DELETE FROM otscope.\"%s\"%s", t->name,
             global ? "" : " WHERE site=$1");
    long del = 0;
    if (pgc_cmd(p, sql, global ? 0 : 1, v1, &del))
        return -1;
    sqlite3_stmt *st = source_stmt(src, t, c, false, site, NULL, p);
    if (!st)
        return -1;
    int per = MAX_PARAMS / c->n, n = 0, rc = 0, step;
    struct vals v = {0};
    struct enc e = {0};
    while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW) {
        for (int i = 0; i < c->n; i++) {
            enc_value(st, i, &e);
            vals_add(&v, e.s, e.len);
        }
        r->sent++;
        if (++n == per) {
            rc = flush_rows(p, t, c, &v, n, true, false, &r->changed);
            n = 0;
        }
    }
    if (rc == 0)
        rc = flush_rows(p, t, c, &v, n, true, false, &r->changed);
    free(e.fixed);
    vals_free(&v);
    sqlite3_finalize(st);
    r->deleted = del > r->changed ? del - r->changed : 0;
    return rc;
}

/* the tables of one class: those whose digest changed are replaced in one transaction */
static int push_class(struct pgc *p, const struct push_source *src, enum ct_class cls,
                      const char *site, const struct push_opts *o, long long stamp,
                      const PGresult *states, struct push_stats *ps)
{
    struct item {
        const struct central_table *t;
        struct ct_cols c;
        char digest[65];
        struct tres r;
        bool push;
    } *items = calloc(central_ntables, sizeof *items);
    if (!items) {
        snprintf(p->err, sizeof p->err, "out of memory");
        return -1;
    }
    int n = 0, npush = 0, rc = 0;
    for (size_t i = 0; i < central_ntables && rc == 0; i++) {
        const struct central_table *t = &central_tables[i];
        if (t->cls != cls)
            continue;
        struct item *it = &items[n];
        struct state s;
        it->t = t;
        it->r.how = "unchanged";
        if (ct_columns(src->model, t, &it->c, p->err, sizeof p->err) ||
            source_digest(p, src, t, &it->c, site, it->digest, &it->r.rows)) {
            rc = -1;
            break;
        }
        find_state(states, t->name, &s);
        if (!s.exists && it->r.rows == 0)
            continue;
        it->push = o->full || !s.exists || strcmp(s.digest, it->digest) != 0;
        npush += it->push;
        n++;
    }
    if (rc == 0 && npush) {
        rc = pgc_exec(p, "BEGIN");
        for (int i = 0; i < n && rc == 0; i++) {
            struct item *it = &items[i];
            if (!it->push)
                continue;
            it->r.how = "replaced";
            rc = replace_table(p, src, it->t, &it->c, site, &it->r);
            if (rc == 0)
                rc = write_done(p, site, it->t->name, it->digest, it->r.rows, stamp);
        }
        if (rc == 0)
            rc = pgc_exec(p, "COMMIT");
        if (rc)
            pgc_rollback(p);
    }
    for (int i = 0; i < n && rc == 0; i++) {
        report(o, site, items[i].t->name, &items[i].r);
        account(ps, &items[i].r);
    }
    free(items);
    return rc;
}

static double mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int push_site(struct pgc *p, const struct push_source *src, const char *site,
              const struct push_opts *o, struct push_stats *st)
{
    double t0 = mono();
    memset(st, 0, sizeof *st);
    /* one push per site at a time (two timers overlapping, a sync and a write-back); the lock
     * goes with the session, also when the process is killed */
    const char *v[] = {site};
    PGresult *r = pgc_query(p, "SELECT pg_try_advisory_lock(28532, hashtext($1))", 1, v);
    if (!r)
        return -1;
    bool locked = !strcmp(PQgetvalue(r, 0, 0), "t");
    PQclear(r);
    if (!locked) {
        snprintf(p->err, sizeof p->err, "site %s: another sync of this site is running", site);
        return -1;
    }
    PGresult *states = read_states(p, site);
    int rc = states ? 0 : -1, facts_pushed = 0;
    for (size_t i = 0; i < central_ntables && rc == 0; i++) {
        const struct central_table *t = &central_tables[i];
        if (t->cls != CT_FACT)
            continue;
        struct ct_cols c;
        struct tres tr;
        rc = ct_columns(src->model, t, &c, p->err, sizeof p->err);
        int got = rc ? -1 : push_fact(p, src, t, &c, site, o, states, &tr);
        if (got < 0) {
            char keep[sizeof p->err];
            snprintf(keep, sizeof keep, "%s", p->err);
            snprintf(p->err, sizeof p->err, "site %s, %s: %s", site, t->name, keep);
            rc = -1;
        } else if (got == 0) {
            report(o, site, t->name, &tr);
            account(st, &tr);
            facts_pushed += strcmp(tr.how, "unchanged") != 0;
        }
    }
    /* a site's rows belong to its sensor: a command writing through the central store
     * re-derives every site's assets, but only those of the sites whose facts it wrote are
     * its to store */
    if (rc == 0 && (!src->mirror || facts_pushed || o->full))
        rc = push_class(p, src, CT_DERIVED, site, o, 0, states, st);
    bool sensor = src->mirror ? !strcmp(site, CENTRAL_SITE)
                              : src->sensor_site && !strcmp(site, src->sensor_site);
    if (rc == 0 && sensor)
        rc = push_class(p, src, CT_SENSOR, site, o, 0, states, st);
    PQclear(states);
    r = pgc_query(p, "SELECT pg_advisory_unlock(28532, hashtext($1))", 1, v);
    PQclear(r);
    st->seconds = mono() - t0;
    return rc;
}

int push_global(struct pgc *p, const struct push_source *src, const struct push_opts *o,
                struct push_stats *st)
{
    double t0 = mono();
    memset(st, 0, sizeof *st);
    sqlite3_stmt *q;
    long long stamp = 0, rows = 0;
    if (sqlite3_prepare_v2(src->db,
                           "SELECT coalesce(max(imported_ns), 0), (SELECT count(*) FROM"
                           " vuln_advisories) + (SELECT count(*) FROM vuln_kev) + (SELECT"
                           " count(*) FROM vuln_epss) FROM vuln_advisories",
                           -1, &q, NULL) != SQLITE_OK) {
        snprintf(p->err, sizeof p->err, "reading advisories: %s", sqlite3_errmsg(src->db));
        return -1;
    }
    if (sqlite3_step(q) == SQLITE_ROW) {
        stamp = sqlite3_column_int64(q, 0);
        rows = sqlite3_column_int64(q, 1);
    }
    sqlite3_finalize(q);
    if (!rows)
        return 0; /* nothing imported here: never empties the central copy */
    PGresult *r = pgc_query(p,
                            "SELECT coalesce(max(stamp), 0) FROM otscope.sync_state WHERE"
                            " site='' AND tbl LIKE 'vuln%'",
                            0, NULL);
    if (!r)
        return -1;
    long long central = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    PQclear(r);
    if (!o->full && central > stamp) {
        if (o->out)
            fprintf(o->out, "%-12s %-26s the central advisories are newer: kept\n", "(global)",
                    "vuln_*");
        st->unchanged++;
        return 0;
    }
    /* one importer at a time */
    if (pgc_exec(p, "SELECT pg_advisory_lock(28532, hashtext(''))"))
        return -1;
    PGresult *states = read_states(p, "");
    int rc = states ? push_class(p, src, CT_GLOBAL, "", o, stamp, states, st) : -1;
    PQclear(states);
    r = pgc_query(p, "SELECT pg_advisory_unlock(28532, hashtext(''))", 0, NULL);
    PQclear(r);
    st->seconds = mono() - t0;
    return rc;
}

char **push_sites(sqlite3 *db, char *err, size_t errlen)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db,
                           "SELECT site FROM runs UNION SELECT site FROM assets UNION"
                           " SELECT site FROM alerts ORDER BY 1",
                           -1, &st, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "%s", sqlite3_errmsg(db));
        return NULL;
    }
    size_t n = 0, cap = 8;
    char **out = calloc(cap + 1, sizeof *out);
    while (out && sqlite3_step(st) == SQLITE_ROW) {
        const char *site = (const char *)sqlite3_column_text(st, 0);
        if (!site)
            continue; /* NOT NULL, but the file may not have been written by us */
        if (n == cap) {
            char **o2 = realloc(out, (cap * 2 + 1) * sizeof *out);
            if (!o2) {
                push_free_sites(out);
                out = NULL;
                break;
            }
            out = o2;
            cap *= 2;
        }
        if (!(out[n] = strdup(site))) {
            push_free_sites(out);
            out = NULL;
            break;
        }
        out[++n] = NULL;
    }
    sqlite3_finalize(st);
    if (!out)
        snprintf(err, errlen, "out of memory");
    return out;
}

void push_free_sites(char **sites)
{
    if (!sites)
        return;
    for (char **s = sites; *s; s++)
        free(*s);
    free(sites);
}
