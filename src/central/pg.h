/* pg.h - the central PostgreSQL store: connecting (libpq), the central schema, and statements
 * that carry every value as a parameter (PQexecParams) - no row value is ever part of SQL text.
 * The central schema lives in the PostgreSQL schema "otscope": one table per store table (see
 * tables.h), sync_state (per site and table: the cursor of an unfinished push and the digest
 * of the last finished one) and central_meta (central_schema_version). */
#ifndef OTSCOPE_CENTRAL_PG_H
#define OTSCOPE_CENTRAL_PG_H

#include "central/pqapi.h" /* libpq, loaded on first use */
#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>

#define CENTRAL_SCHEMA_VERSION 1

/* postgresql://... or postgres://... */
bool central_is_uri(const char *s);
/* the URI with its password (user:PASSWORD@ or password=...) replaced by *** */
void central_redact(const char *uri, char *out, size_t outlen);
/* main(): replace passwords in URIs on the command line and in $OTSCOPE_DB in place (so that
 * neither messages nor ps show them), remembering the originals for central_real_uri() */
void central_hide_passwords(int argc, char **argv);
/* the URI as given for one that central_hide_passwords masked, else uri itself */
const char *central_real_uri(const char *uri);

/* one connection (owned by its opener: pgc_close) */
struct pgc {
    PGconn *conn;
    char where[512]; /* the redacted URI, for messages */
    char err[1024];  /* the last error */
    char *columns;   /* "\ntable.column\n..." of the central tables, after pgc_schema */
};

/* NULL with "reason" in err (the caller prefixes the redacted URI) */
struct pgc *pgc_connect(const char *uri, char *err, size_t errlen);
void pgc_close(struct pgc *p);
/* a statement without parameters; 0 or -1 (p->err) */
int pgc_exec(struct pgc *p, const char *sql);
/* a statement with text parameters (NULL = SQL NULL); affected rows into *n when n != NULL */
int pgc_cmd(struct pgc *p, const char *sql, int nparams, const char *const *vals, long *n);
/* a query with text parameters: the result (PQclear it) or NULL (p->err) */
PGresult *pgc_query(struct pgc *p, const char *sql, int nparams, const char *const *vals);
/* ROLLBACK, keeping p->err */
void pgc_rollback(struct pgc *p);
/* create the central schema from the SQLite store's tables when create (adding columns a newer
 * store schema has), else check that it is there; 0 or -1 (p->err) */
int pgc_schema(struct pgc *p, sqlite3 *model, bool create);
/* whether the central table has the column (after pgc_schema) */
bool pgc_has_column(const struct pgc *p, const char *table, const char *column);

#endif
