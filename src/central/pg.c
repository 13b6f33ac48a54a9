/* pg.c - see pg.h.  Identifiers in the SQL built here come from our own schema (tables.c and
 * the SQLite store's PRAGMA table_info); values only ever travel as parameters. */
#include "central/pg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "central/sqltext.h"
#include "central/tables.h"
#include "store/store.h"

bool central_is_uri(const char *s)
{
    return s && (!strncmp(s, "postgresql://", 13) || !strncmp(s, "postgres://", 11));
}

/* ---- passwords: never printed, never left in argv ---- */

/* the next password in uri at or after offset from: [*a, *b) */
static bool password_span(const char *uri, size_t from, size_t *a, size_t *b)
{
    const char *p = strstr(uri, "://");
    if (!p)
        return false;
    p += 3;
    size_t auth = strcspn(p, "/?");
    const char *at = NULL;
    for (const char *q = p; q < p + auth; q++)
        if (*q == '@')
            at = q;
    if (at) {
        const char *colon = memchr(p, ':', (size_t)(at - p));
        if (colon && (size_t)(colon + 1 - uri) >= from && colon + 1 < at) {
            *a = (size_t)(colon + 1 - uri);
            *b = (size_t)(at - uri);
            return true;
        }
    }
    const char *q = strchr(p, '?');
    while (q) {
        q++;
        size_t len = strcspn(q, "&");
        if (!strncmp(q, "password=", 9) && (size_t)(q + 9 - uri) >= from && len > 9) {
            *a = (size_t)(q + 9 - uri);
            *b = (size_t)(q + len - uri);
            return true;
        }
        q = q[len] ? q + len : NULL;
    }
    return false;
}

void central_redact(const char *uri, char *out, size_t outlen)
{
    size_t o = 0, from = 0, a, b;
    if (!outlen)
        return;
    while (password_span(uri, from, &a, &b)) {
        for (size_t i = from; i < a && o + 1 < outlen; i++)
            out[o++] = uri[i];
        size_t stars = b - a < 3 ? b - a : 3;
        for (size_t i = 0; i < stars && o + 1 < outlen; i++)
            out[o++] = '*';
        from = b;
    }
    for (size_t i = from; uri[i] && o + 1 < outlen; i++)
        out[o++] = uri[i];
    out[o] = '\0';
}

static struct {
    char *shown, *real;
} hidden[8];
static int nhidden;

static void hide_in_place(char *s)
{
    char *u = strstr(s, "postgres");
    if (!u || !central_is_uri(u) || (u != s && u[-1] != '='))
        return;
    size_t a, b;
    if (!password_span(u, 0, &a, &b) || nhidden == (int)(sizeof hidden / sizeof *hidden))
        return;
    size_t n = strlen(u);
    char *shown = malloc(n + 1), *real = strdup(u);
    if (!shown || !real) {
        free(shown);
        free(real);
        return;
    }
    central_redact(u, shown, n + 1); /* never longer: at most 3 stars for each password */
    hidden[nhidden].shown = shown;
    hidden[nhidden].real = real;
    nhidden++;
    /* the argument area is what ps shows: nothing of the original may remain past the end */
    size_t m = strlen(shown);
    memcpy(u, shown, m);
    memset(u + m, 0, n - m + 1);
}

void central_hide_passwords(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        hide_in_place(argv[i]);
    char *env = getenv("OTSCOPE_DB");
    if (env)
        hide_in_place(env);
}

const char *central_real_uri(const char *uri)
{
    for (int i = 0; i < nhidden; i++)
        if (!strcmp(hidden[i].shown, uri))
            return hidden[i].real;
    return uri;
}

/* ---- connection and statements ---- */

static void first_line(char *dst, size_t n, const char *msg)
{
    while (*msg == ' ' || *msg == '\n' || *msg == '\t')
        msg++;
    size_t len = strcspn(msg, "\n");
    snprintf(dst, n, "%.*s", (int)len, msg);
}

static void quiet(void *arg, const char *msg)
{
    (void)arg;
    (void)msg; /* NOTICEs ("relation ... already exists, skipping") are not for the user */
}

struct pgc *pgc_connect(const char *uri, char *err, size_t errlen)
{
    struct pgc *p = calloc(1, sizeof *p);
    if (!p) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    central_redact(uri, p->where, sizeof p->where);
    if (!pq_load(err, errlen)) {
        free(p);
        return NULL;
    }
    /* the URI comes last so that what it says wins over these defaults */
    const char *kw[] = {"fallback_application_name", "connect_timeout", "client_encoding", "dbname",
                        NULL};
    const char *val[] = {"otscope", "10", "UTF8", central_real_uri(uri), NULL};
    p->conn = PQconnectdbParams(kw, val, 1);
    if (!p->conn || PQstatus(p->conn) != CONNECTION_OK) {
        first_line(err, errlen, p->conn ? PQerrorMessage(p->conn) : "out of memory");
        if (!*err)
            snprintf(err, errlen, "cannot connect");
        pgc_close(p);
        return NULL;
    }
    PQsetNoticeProcessor(p->conn, quiet, NULL);
    return p;
}

void pgc_close(struct pgc *p)
{
    if (!p)
        return;
    if (p->conn)
        PQfinish(p->conn);
    free(p->columns);
    free(p);
}

static void set_err(struct pgc *p, const PGresult *r)
{
    const char *m = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    if (PQstatus(p->conn) == CONNECTION_BAD)
        m = "connection to the server lost";
    first_line(p->err, sizeof p->err, m ? m : PQerrorMessage(p->conn));
    if (!*p->err)
        snprintf(p->err, sizeof p->err, "statement failed");
}

int pgc_exec(struct pgc *p, const char *sql)
{
    return pgc_cmd(p, sql, 0, NULL, NULL);
}

int pgc_cmd(struct pgc *p, const char *sql, int nparams, const char *const *vals, long *n)
{
    PGresult *r = PQexecParams(p->conn, sql, nparams, NULL, vals, NULL, NULL, 0);
    ExecStatusType s = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK) {
        set_err(p, r);
        PQclear(r);
        return -1;
    }
    if (n)
        *n = strtol(PQcmdTuples(r), NULL, 10);
    PQclear(r);
    return 0;
}

PGresult *pgc_query(struct pgc *p, const char *sql, int nparams, const char *const *vals)
{
    PGresult *r = PQexecParams(p->conn, sql, nparams, NULL, vals, NULL, NULL, 0);
    if (!r || PQresultStatus(r) != PGRES_TUPLES_OK) {
        set_err(p, r);
        PQclear(r);
        return NULL;
    }
    return r;
}

void pgc_rollback(struct pgc *p)
{
    char keep[sizeof p->err];
    memcpy(keep, p->err, sizeof keep);
    PGresult *r = PQexec(p->conn, "ROLLBACK");
    PQclear(r);
    memcpy(p->err, keep, sizeof keep);
}

/* ---- the central schema ---- */

static const char *pg_type(char t)
{
    return t == 'I' ? "BIGINT" : t == 'R' ? "DOUBLE PRECISION" : "TEXT";
}

static int load_columns(struct pgc *p)
{
    PGresult *r = pgc_query(p,
                            "SELECT table_name, column_name FROM information_schema.columns"
                            " WHERE table_schema='otscope'",
                            0, NULL);
    if (!r)
        return -1;
    size_t len = 2;
    for (int i = 0; i < PQntuples(r); i++)
        len += strlen(PQgetvalue(r, i, 0)) + strlen(PQgetvalue(r, i, 1)) + 2;
    free(p->columns);
    p->columns = malloc(len);
    if (!p->columns) {
        PQclear(r);
        snprintf(p->err, sizeof p->err, "out of memory");
        return -1;
    }
    size_t o = 0;
    p->columns[o++] = '\n';
    for (int i = 0; i < PQntuples(r); i++)
        o += (size_t)sprintf(p->columns + o, "%s.%s\n", PQgetvalue(r, i, 0), PQgetvalue(r, i, 1));
    p->columns[o] = '\0';
    PQclear(r);
    return 0;
}

bool pgc_has_column(const struct pgc *p, const char *table, const char *column)
{
    char want[128];
    snprintf(want, sizeof want, "\n%s.%s\n", table, column);
    return p->columns && strstr(p->columns, want) != NULL;
}

/* central_schema_version and the store schema the columns follow; -1 when not there */
static int versions(struct pgc *p, long *central, long *store)
{
    *central = *store = -1;
    PGresult *r = pgc_query(p, "SELECT to_regclass('otscope.central_meta') IS NOT NULL", 0, NULL);
    if (!r)
        return -1;
    bool there = PQntuples(r) == 1 && !strcmp(PQgetvalue(r, 0, 0), "t");
    PQclear(r);
    if (!there)
        return 0;
    r = pgc_query(p,
                  "SELECT key, value FROM otscope.central_meta WHERE key IN"
                  " ('central_schema_version', 'store_schema_version')",
                  0, NULL);
    if (!r)
        return -1;
    for (int i = 0; i < PQntuples(r); i++) {
        long v = strtol(PQgetvalue(r, i, 1), NULL, 10);
        if (!strcmp(PQgetvalue(r, i, 0), "central_schema_version"))
            *central = v;
        else
            *store = v;
    }
    PQclear(r);
    return 0;
}

static int create_table(struct pgc *p, const struct central_table *t, const struct ct_cols *c)
{
    struct sqltext sql = {0};
    sqltext_add(&sql, "CREATE TABLE IF NOT EXISTS otscope.\"%s\" (", t->name);
    for (int i = 0; i < c->n; i++)
        sqltext_add(&sql, "%s\"%s\" %s%s", i ? ", " : "", c->name[i], pg_type(c->type[i]),
                    c->notnull[i] ? " NOT NULL" : "");
    for (int i = 0; i < c->nkey; i++)
        sqltext_add(&sql, "%s\"%s\"", i ? ", " : ", PRIMARY KEY(", c->name[c->key[i]]);
    sqltext_add(&sql, "%s)", c->nkey ? ")" : "");
    bool existed = pgc_has_column(p, t->name, "site") || pgc_has_column(p, t->name, c->name[0]);
    int rc = sql.oom ? -1 : pgc_exec(p, sql.s);
    if (sql.oom)
        snprintf(p->err, sizeof p->err, "out of memory");
    sqltext_free(&sql);
    /* a newer store schema's columns, on a central store created by an older otscope */
    for (int i = 0; rc == 0 && existed && i < c->n; i++) {
        if (pgc_has_column(p, t->name, c->name[i]))
            continue;
        /* with the schema's default (a number), so the rows already there have a value */
        char alter[256];
        snprintf(alter, sizeof alter,
                 "ALTER TABLE otscope.\"%s\" ADD COLUMN IF NOT EXISTS \"%s\" %s%s%s", t->name,
                 c->name[i], pg_type(c->type[i]), *c->dflt[i] ? " DEFAULT " : "", c->dflt[i]);
        /* the rows pushed before lack it: the next sync of every site sends them again */
        const char *v[] = {t->name};
        rc = pgc_exec(p, alter) ||
             pgc_cmd(p,
                     "UPDATE otscope.sync_state SET digest=NULL, last_key=NULL,"
                     " pass_digest=NULL WHERE tbl=$1",
                     1, v, NULL);
    }
    return rc ? -1 : 0;
}

int pgc_schema(struct pgc *p, sqlite3 *model, bool create)
{
    long central, store;
    if (versions(p, &central, &store))
        return -1;
    if (central > CENTRAL_SCHEMA_VERSION) {
        snprintf(p->err, sizeof p->err,
                 "central schema version %ld is newer than this otscope (%d)", central,
                 CENTRAL_SCHEMA_VERSION);
        return -1;
    }
    if (central < 0 && !create) {
        snprintf(p->err, sizeof p->err,
                 "no otscope data in this database (push a site with 'otscope sync' first)");
        return -1;
    }
    if (!create || (central == CENTRAL_SCHEMA_VERSION && store >= STORE_SCHEMA_VERSION))
        return load_columns(p);
    /* one creator at a time; the lock ends with the transaction */
    if (pgc_exec(p, "BEGIN") ||
        pgc_exec(p, "SELECT pg_advisory_xact_lock(hashtext('otscope central schema'))") ||
        pgc_exec(p, "CREATE SCHEMA IF NOT EXISTS otscope") ||
        pgc_exec(p, "CREATE TABLE IF NOT EXISTS otscope.central_meta(key TEXT PRIMARY KEY,"
                    " value TEXT NOT NULL)") ||
        pgc_exec(p, "CREATE TABLE IF NOT EXISTS otscope.sync_state(site TEXT NOT NULL,"
                    " tbl TEXT NOT NULL, last_key TEXT, pass_digest TEXT, digest TEXT,"
                    " rows BIGINT, synced_ns BIGINT, stamp BIGINT, PRIMARY KEY(site, tbl))") ||
        load_columns(p))
        goto fail;
    for (size_t i = 0; i < central_ntables; i++) {
        struct ct_cols c;
        if (ct_columns(model, &central_tables[i], &c, p->err, sizeof p->err) ||
            create_table(p, &central_tables[i], &c))
            goto fail;
    }
    char cv[16], sv[16];
    snprintf(cv, sizeof cv, "%d", CENTRAL_SCHEMA_VERSION);
    snprintf(sv, sizeof sv, "%d", STORE_SCHEMA_VERSION);
    const char *v[] = {cv, sv};
    if (pgc_cmd(p,
                "INSERT INTO otscope.central_meta(key, value) VALUES"
                " ('central_schema_version', $1), ('store_schema_version', $2)"
                " ON CONFLICT (key) DO UPDATE SET value=EXCLUDED.value"
                " WHERE otscope.central_meta.value::bigint < EXCLUDED.value::bigint",
                2, v, NULL) ||
        pgc_exec(p, "COMMIT") || load_columns(p))
        goto fail;
    return 0;
fail:
    pgc_rollback(p);
    return -1;
}
