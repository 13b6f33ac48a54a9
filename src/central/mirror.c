/* mirror.c - see mirror.h.  The mirror is read from PostgreSQL in one REPEATABLE READ
 * transaction (a consistent picture while sensors sync), through a cursor so memory stays
 * bounded, into a SQLite file in $TMPDIR that only this process can read (mode 0600). */
#include "central/mirror.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "central/sqltext.h"
#include "central/tables.h"
#include "store/store.h"

#define FETCH_ROWS "5000"
#define DANGLING   (1LL << 40) /* a reference to a row the central store does not have */

/* ---- local SQL helpers ---- */

static int lexec(sqlite3 *db, const char *sql, char *err, size_t errlen)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        snprintf(err, errlen, "%s", msg ? msg : sqlite3_errmsg(db));
        sqlite3_free(msg);
        return -1;
    }
    return 0;
}

bool central_is_mirror(sqlite3 *db)
{
    sqlite3_stmt *st;
    bool yes = false;
    if (sqlite3_prepare_v2(db,
                           "SELECT 1 FROM sqlite_master WHERE type='table' AND"
                           " name='central_idmap'",
                           -1, &st, NULL) == SQLITE_OK) {
        yes = sqlite3_step(st) == SQLITE_ROW;
        sqlite3_finalize(st);
    }
    return yes;
}

/* ---- id offsets: site k's ids follow site k-1's largest ---- */

struct offset {
    char tbl[32];
    char site[128];
    long long off;
};

struct offsets {
    struct offset *v;
    int n, cap;
};

static long long offset_of(const struct offsets *o, const char *tbl, const char *site)
{
    for (int i = 0; i < o->n; i++)
        if (!strcmp(o->v[i].tbl, tbl) && !strcmp(o->v[i].site, site))
            return o->v[i].off;
    return -1;
}

static int load_offsets(struct pgc *p, const struct central_table *t, struct offsets *o)
{
    char sql[256];
    snprintf(sql, sizeof sql,
             "SELECT site, max(\"%s\") FROM otscope.\"%s\"%s GROUP BY site"
             " ORDER BY site",
             t->id, t->name, t->view == CV_CENTRAL ? " WHERE site='" CENTRAL_SITE "'" : "");
    PGresult *r = pgc_query(p, sql, 0, NULL);
    if (!r)
        return -1;
    long long next = 0;
    for (int i = 0; i < PQntuples(r); i++) {
        if (o->n == o->cap) {
            int cap = o->cap ? o->cap * 2 : 32;
            struct offset *v = realloc(o->v, (size_t)cap * sizeof *v);
            if (!v) {
                PQclear(r);
                snprintf(p->err, sizeof p->err, "out of memory");
                return -1;
            }
            o->v = v;
            o->cap = cap;
        }
        struct offset *e = &o->v[o->n++];
        snprintf(e->tbl, sizeof e->tbl, "%s", t->name);
        snprintf(e->site, sizeof e->site, "%s", PQgetvalue(r, i, 0));
        e->off = next;
        next += strtoll(PQgetvalue(r, i, 1), NULL, 10);
    }
    PQclear(r);
    return 0;
}

/* ---- materialising ---- */

/* where column col of the table is in the central result (0 when it is not: site) */
static int result_col(const int *use, int n, int col)
{
    for (int j = 0; j < n; j++)
        if (use[j] == col)
            return j;
    return 0;
}

static int copy_table(struct pgc *p, sqlite3 *db, const struct central_table *t,
                      const struct offsets *offs)
{
    struct ct_cols c;
    if (ct_columns(db, t, &c, p->err, sizeof p->err))
        return -1;
    /* the columns both sides have (a central store written by an older otscope may lack
     * some: the local defaults apply) */
    int use[CT_MAXCOLS], n = 0;
    for (int i = 0; i < c.n; i++)
        if (pgc_has_column(p, t->name, c.name[i]))
            use[n++] = i;
    bool global = t->cls == CT_GLOBAL;
    if (!global && (n == 0 || use[0] != 0))
        return 0; /* no site column: nothing this otscope can read */
    /* result column j goes to parameter j + 1, or j when the local table has no site */
    int skip = !global && !c.has_site;
    struct sqltext sel = {0}, ins = {0};
    sqltext_add(&sel, "DECLARE otscope_cur NO SCROLL CURSOR FOR SELECT ");
    sqltext_add(&ins, "INSERT INTO \"%s\"(", t->name);
    for (int j = 0; j < n; j++) {
        sqltext_add(&sel, "%s\"%s\"", j ? ", " : "", c.name[use[j]]);
        if (j >= skip)
            sqltext_add(&ins, "%s\"%s\"", j > skip ? ", " : "", c.name[use[j]]);
    }
    sqltext_add(&sel, " FROM otscope.\"%s\"", t->name);
    if (t->view == CV_CENTRAL)
        sqltext_add(&sel, " WHERE site='" CENTRAL_SITE "'");
    if (t->view == CV_META)
        sqltext_add(&sel, " ORDER BY key, site <> '" CENTRAL_SITE "', site");
    else
        for (int k = 0; k < c.nord; k++)
            sqltext_add(&sel, "%s\"%s\"", k ? ", " : " ORDER BY ", c.name[c.ord[k]]);
    sqltext_add(&ins, ") VALUES(");
    for (int j = skip; j < n; j++)
        sqltext_add(&ins, "%s?", j > skip ? ", " : "");
    /* two sites' derived rows with one id keep the first: never fails the read */
    sqltext_add(&ins, ") ON CONFLICT DO NOTHING");
    if (sel.oom || ins.oom) {
        snprintf(p->err, sizeof p->err, "out of memory");
        sqltext_free(&sel);
        sqltext_free(&ins);
        return -1;
    }
    sqlite3_stmt *st = NULL, *map = NULL, *origin = NULL;
    int rc = sqlite3_prepare_v2(db, ins.s, -1, &st, NULL);
    sqltext_free(&ins);
    if (rc != SQLITE_OK ||
        (t->id && sqlite3_prepare_v2(db,
                                     "INSERT OR REPLACE INTO central_idmap(tbl, local_id,"
                                     " site, central_id) VALUES(?, ?, ?, ?)",
                                     -1, &map, NULL) != SQLITE_OK) ||
        (t->view == CV_META &&
         sqlite3_prepare_v2(db,
                            "INSERT OR REPLACE INTO central_meta_origin(key, site, value)"
                            " VALUES(?, ?, ?)",
                            -1, &origin, NULL) != SQLITE_OK)) {
        snprintf(p->err, sizeof p->err, "%s: %s", t->name, sqlite3_errmsg(db));
        sqlite3_finalize(st);
        sqlite3_finalize(map);
        sqltext_free(&sel);
        return -1;
    }
    rc = pgc_exec(p, sel.s);
    sqltext_free(&sel);
    char last_key[512] = "";
    bool have_key = false;
    while (rc == 0) {
        PGresult *r = pgc_query(p, "FETCH FORWARD " FETCH_ROWS " FROM otscope_cur", 0, NULL);
        if (!r) {
            rc = -1;
            break;
        }
        int rows = PQntuples(r);
        for (int row = 0; row < rows && rc == 0; row++) {
            const char *site = global ? "" : PQgetvalue(r, row, 0);
            if (t->view == CV_META) {
                /* one value per key: the central one, else the first site's */
                const char *key = PQgetvalue(r, row, result_col(use, n, ct_col(&c, "key")));
                if (have_key && !strcmp(key, last_key))
                    continue;
                snprintf(last_key, sizeof last_key, "%s", key);
                have_key = true;
            }
            long long own_id = 0;
            for (int j = skip; j < n; j++) {
                int col = use[j], b = j + 1 - skip;
                if (PQgetisnull(r, row, j)) {
                    /* a column added after these rows were pushed (see pgc_schema) */
                    if (c.notnull[col] && *c.dflt[col])
                        sqlite3_bind_text(st, b, c.dflt[col], -1, SQLITE_STATIC);
                    else
                        sqlite3_bind_null(st, b);
                    continue;
                }
                const char *v = PQgetvalue(r, row, j);
                const char *ref = ct_ref_table(t, c.name[col]);
                if (ref) {
                    long long off = offset_of(offs, ref, site);
                    long long id = strtoll(v, NULL, 10);
                    long long local = id + (off < 0 ? DANGLING : off);
                    sqlite3_bind_int64(st, b, local);
                    if (t->id && !strcmp(c.name[col], t->id))
                        own_id = id;
                } else if (c.type[col] == 'I') {
                    sqlite3_bind_int64(st, b, strtoll(v, NULL, 10));
                } else if (c.type[col] == 'R') {
                    sqlite3_bind_double(st, b, strtod(v, NULL));
                } else {
                    sqlite3_bind_text(st, b, v, -1, SQLITE_TRANSIENT);
                }
            }
            if (sqlite3_step(st) != SQLITE_DONE) {
                snprintf(p->err, sizeof p->err, "%s: %s", t->name, sqlite3_errmsg(db));
                rc = -1;
            }
            sqlite3_reset(st);
            if (rc == 0 && map) {
                sqlite3_bind_text(map, 1, t->name, -1, SQLITE_STATIC);
                sqlite3_bind_int64(map, 2, own_id + offset_of(offs, t->name, site));
                sqlite3_bind_text(map, 3, site, -1, SQLITE_TRANSIENT);
                sqlite3_bind_int64(map, 4, own_id);
                if (sqlite3_step(map) != SQLITE_DONE)
                    rc = -1;
                sqlite3_reset(map);
            }
            if (rc == 0 && origin) {
                int kc = result_col(use, n, ct_col(&c, "key"));
                int vc = result_col(use, n, ct_col(&c, "value"));
                sqlite3_bind_text(origin, 1, PQgetvalue(r, row, kc), -1, SQLITE_TRANSIENT);
                sqlite3_bind_text(origin, 2, site, -1, SQLITE_TRANSIENT);
                sqlite3_bind_text(origin, 3, PQgetvalue(r, row, vc), -1, SQLITE_TRANSIENT);
                if (sqlite3_step(origin) != SQLITE_DONE)
                    rc = -1;
                sqlite3_reset(origin);
            }
            if (rc && !*p->err)
                snprintf(p->err, sizeof p->err, "%s: %s", t->name, sqlite3_errmsg(db));
        }
        PQclear(r);
        if (rows == 0)
            break;
    }
    sqlite3_finalize(st);
    sqlite3_finalize(map);
    sqlite3_finalize(origin);
    if (rc == 0)
        rc = pgc_exec(p, "CLOSE otscope_cur");
    return rc;
}

/* the id tables' rows lose their mapping when deleted: SQLite may hand the id out again */
static int idmap_triggers(sqlite3 *db, char *err, size_t errlen)
{
    for (size_t i = 0; i < central_ntables; i++) {
        const struct central_table *t = &central_tables[i];
        if (!t->id)
            continue;
        char sql[512];
        snprintf(sql, sizeof sql,
                 "CREATE TEMP TRIGGER IF NOT EXISTS central_forget_%s AFTER DELETE ON main.\"%s\""
                 " BEGIN DELETE FROM central_idmap WHERE tbl='%s' AND local_id=OLD.\"%s\"; END",
                 t->name, t->name, t->name, t->id);
        if (lexec(db, sql, err, errlen))
            return -1;
    }
    return 0;
}

static int materialise(struct pgc *p, sqlite3 *db, char *err, size_t errlen)
{
    if (lexec(db,
              "PRAGMA synchronous=OFF; PRAGMA foreign_keys=OFF; BEGIN;"
              "CREATE TABLE central_idmap(tbl TEXT NOT NULL, local_id INTEGER NOT NULL,"
              " site TEXT NOT NULL, central_id INTEGER NOT NULL, PRIMARY KEY(tbl, local_id));"
              "CREATE TABLE central_meta_origin(key TEXT PRIMARY KEY, site TEXT NOT NULL,"
              " value TEXT);",
              err, errlen))
        return -1;
    struct offsets offs = {0};
    int rc = pgc_exec(p, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    for (size_t i = 0; i < central_ntables && rc == 0; i++)
        if (central_tables[i].id)
            rc = load_offsets(p, &central_tables[i], &offs);
    for (size_t i = 0; i < central_ntables && rc == 0; i++)
        rc = copy_table(p, db, &central_tables[i], &offs);
    free(offs.v);
    if (rc) {
        snprintf(err, errlen, "%s", p->err);
        pgc_rollback(p);
        lexec(db, "ROLLBACK", p->err, sizeof p->err);
        return -1;
    }
    pgc_exec(p, "COMMIT");
    if (lexec(db, "COMMIT; PRAGMA foreign_keys=ON;", err, errlen) ||
        idmap_triggers(db, err, errlen))
        return -1;
    return 0;
}

/* ---- the open mirrors of this process ---- */

static struct mirror {
    struct store *s;
    char *uri;  /* as given (central_real_uri resolves a masked password) */
    char *path; /* the temporary SQLite file */
    int changes;
} mirrors[4];
static bool failed;

bool central_failed(void)
{
    return failed;
}

static void remove_files(const char *path)
{
    char p[4200];
    const char *sfx[] = {"", "-wal", "-shm", "-journal"};
    for (int i = 0; i < 4; i++) {
        snprintf(p, sizeof p, "%s%s", path, sfx[i]);
        unlink(p);
    }
}

struct store *central_store_open(const char *uri, bool create, char *err, size_t errlen)
{
    struct mirror *m = NULL;
    for (size_t i = 0; i < sizeof mirrors / sizeof *mirrors && !m; i++)
        if (!mirrors[i].s)
            m = &mirrors[i];
    if (!m) {
        snprintf(err, errlen, "too many central stores open");
        return NULL;
    }
    struct pgc *p = pgc_connect(uri, err, errlen);
    if (!p)
        return NULL;
    const char *dir = getenv("TMPDIR");
    char path[4096];
    snprintf(path, sizeof path, "%s/otscope-central-XXXXXX", dir && *dir ? dir : "/tmp");
    int fd = mkstemp(path); /* mode 0600: the mirror holds the whole central store */
    if (fd < 0) {
        snprintf(err, errlen, "%s: cannot create a temporary file", path);
        pgc_close(p);
        return NULL;
    }
    close(fd);
    char e2[512];
    struct store *s = store_open(path, true, e2, sizeof e2);
    if (!s) {
        snprintf(err, errlen, "temporary store %s: %s", path, e2);
        pgc_close(p);
        remove_files(path);
        return NULL;
    }
    sqlite3 *db = store_db(s);
    if (pgc_schema(p, db, create)) {
        snprintf(err, errlen, "%s", p->err);
        goto fail;
    }
    if (materialise(p, db, err, errlen))
        goto fail;
    pgc_close(p);
    m->s = s;
    m->uri = strdup(uri);
    m->path = strdup(path);
    m->changes = sqlite3_total_changes(db);
    if (!m->uri || !m->path) {
        free(m->uri);
        free(m->path);
        memset(m, 0, sizeof *m);
        snprintf(err, errlen, "out of memory");
        store_close(s);
        remove_files(path);
        return NULL;
    }
    return s;
fail:
    pgc_close(p);
    store_close(s);
    remove_files(path);
    return NULL;
}

/* new local rows of the id tables get central ids after the largest their site has */
static int allocate_ids(struct pgc *p, sqlite3 *db)
{
    for (size_t i = 0; i < central_ntables; i++) {
        const struct central_table *t = &central_tables[i];
        if (!t->id)
            continue;
        char sql[1024];
        snprintf(sql, sizeof sql,
                 "SELECT t.\"%s\", %s FROM \"%s\" t WHERE NOT EXISTS (SELECT 1 FROM"
                 " central_idmap m WHERE m.tbl='%s' AND m.local_id=t.\"%s\") ORDER BY 2, 1",
                 t->id, t->cls == CT_FACT ? (t->site ? t->site : "t.site") : "'" CENTRAL_SITE "'",
                 t->name, t->name, t->id);
        sqlite3_stmt *st, *ins;
        if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
            snprintf(p->err, sizeof p->err, "%s: %s", t->name, sqlite3_errmsg(db));
            return -1;
        }
        if (sqlite3_prepare_v2(db,
                               "INSERT OR REPLACE INTO central_idmap(tbl, local_id, site,"
                               " central_id) VALUES(?, ?, ?, ?)",
                               -1, &ins, NULL) != SQLITE_OK) {
            sqlite3_finalize(st);
            snprintf(p->err, sizeof p->err, "%s: %s", t->name, sqlite3_errmsg(db));
            return -1;
        }
        char site[256] = "";
        bool have = false;
        long long next = 0;
        int rc = 0;
        while (rc == 0 && sqlite3_step(st) == SQLITE_ROW) {
            const char *s = (const char *)sqlite3_column_text(st, 1);
            if (!s)
                continue; /* a row of no site (a file of no run): not pushed */
            if (!have || strcmp(site, s)) {
                snprintf(site, sizeof site, "%s", s);
                have = true;
                snprintf(sql, sizeof sql,
                         "SELECT coalesce(max(\"%s\"), 0) FROM otscope.\"%s\" WHERE site=$1", t->id,
                         t->name);
                const char *v[] = {site};
                PGresult *r = pgc_query(p, sql, 1, v);
                if (!r) {
                    rc = -1;
                    break;
                }
                next = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
                PQclear(r);
            }
            sqlite3_bind_text(ins, 1, t->name, -1, SQLITE_STATIC);
            sqlite3_bind_int64(ins, 2, sqlite3_column_int64(st, 0));
            sqlite3_bind_text(ins, 3, site, -1, SQLITE_TRANSIENT);
            sqlite3_bind_int64(ins, 4, ++next);
            if (sqlite3_step(ins) != SQLITE_DONE) {
                snprintf(p->err, sizeof p->err, "%s: %s", t->name, sqlite3_errmsg(db));
                rc = -1;
            }
            sqlite3_reset(ins);
        }
        sqlite3_finalize(st);
        sqlite3_finalize(ins);
        if (rc)
            return -1;
    }
    return 0;
}

static void add(struct push_stats *total, const struct push_stats *s)
{
    total->rows += s->rows;
    total->sent += s->sent;
    total->changed += s->changed;
    total->deleted += s->deleted;
    total->pushed += s->pushed;
    total->unchanged += s->unchanged;
    total->resumed_after += s->resumed_after;
    total->seconds += s->seconds;
}

int central_mirror_push(struct pgc *p, sqlite3 *db, sqlite3 *model, const char *site,
                        const struct push_opts *o, struct push_stats *total)
{
    memset(total, 0, sizeof *total);
    if (pgc_schema(p, model, true) || allocate_ids(p, db))
        return -1;
    char **sites = push_sites(db, p->err, sizeof p->err);
    if (!sites)
        return -1;
    struct push_source src = {db, model, true, NULL};
    struct push_stats st;
    int rc = 0;
    for (char **s = sites; *s && rc == 0; s++)
        if (!site || !strcmp(site, *s)) {
            rc = push_site(p, &src, *s, o, &st);
            add(total, &st);
        }
    push_free_sites(sites);
    /* what was written through the central store itself: settings, snapshots, incidents */
    if (rc == 0 && (!site || !strcmp(site, CENTRAL_SITE))) {
        rc = push_site(p, &src, CENTRAL_SITE, o, &st);
        add(total, &st);
    }
    if (rc == 0 && !site) {
        rc = push_global(p, &src, o, &st);
        add(total, &st);
    }
    return rc;
}

void *central_store_closing(struct store *s)
{
    struct mirror *m = NULL;
    for (size_t i = 0; i < sizeof mirrors / sizeof *mirrors && !m; i++)
        if (mirrors[i].s && mirrors[i].s == s)
            m = &mirrors[i];
    if (!m)
        return NULL;
    sqlite3 *db = store_db(s);
    if (sqlite3_total_changes(db) == m->changes)
        return m; /* read only: nothing to push */
    char err[1024], where[512];
    central_redact(m->uri, where, sizeof where);
    struct pgc *p = pgc_connect(m->uri, err, sizeof err);
    struct push_opts o = {5000, false, NULL};
    struct push_stats st;
    /* this process made the mirror with its own schema: it is its own model */
    if (p && central_mirror_push(p, db, db, NULL, &o, &st) == 0) {
        pgc_close(p);
        return m;
    }
    if (p)
        snprintf(err, sizeof err, "%s", p->err);
    pgc_close(p);
    fprintf(stderr,
            "otscope: %s: storing the changes: %s; they are kept in %s (push them with 'otscope"
            " sync --from %s --to URI')\n",
            where, err, m->path, m->path);
    failed = true;
    free(m->path);
    m->path = NULL; /* kept */
    return m;
}

void central_store_closed(void *mirror)
{
    struct mirror *m = mirror;
    if (!m)
        return;
    if (m->path)
        remove_files(m->path);
    free(m->path);
    free(m->uri);
    memset(m, 0, sizeof *m);
}
