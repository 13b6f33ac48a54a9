/* tables.h - which SQLite store tables the central PostgreSQL store holds, and how.  The
 * columns are not listed here: they are read from the SQLite schema (PRAGMA table_info), so
 * schema.h stays the one definition of every table and the central copy cannot drift from it.
 * Every central row carries `site`; integer surrogate ids are only unique within a site, so
 * their central key is (site, id). */
#ifndef OTSCOPE_CENTRAL_TABLES_H
#define OTSCOPE_CENTRAL_TABLES_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>

/* the site of rows that no site sensor wrote: written through --db postgresql://... itself
 * (a board report's snapshot, a central incident, settings); not a valid --site name */
#define CENTRAL_SITE "*"

enum ct_class {
    CT_FACT,    /* facts as seen, only ever growing or updated in place: pushed in batches,
                 * each batch committed with the cursor, so an interrupted push resumes */
    CT_DERIVED, /* rebuilt wholesale by the store (assets, alerts): replaced per site in one
                 * transaction with the other derived tables */
    CT_SENSOR,  /* the sensor's own records without a site column (register, incidents,
                 * settings): labelled with the sensor's site, replaced like derived tables */
    CT_GLOBAL,  /* reference data without site (advisories): the newest import replaces it */
};

/* which central rows a materialised store gets (see mirror.c) */
enum ct_view {
    CV_ALL,     /* every site's rows */
    CV_CENTRAL, /* only CENTRAL_SITE's: a history of its own (board trend, audit chain) */
    CV_META,    /* one value per key: CENTRAL_SITE's, else the first site's by name */
};

struct ct_ref {
    const char *col;   /* a column holding an id of ... */
    const char *table; /* ... this table (namespaced by the same site) */
};

struct central_table {
    const char *name;
    enum ct_class cls;
    const char *key;  /* central key after site, comma-separated; NULL: no key (ordered by all
                       * columns, replaced as a whole) */
    const char *site; /* SQL (table alias t) for the row's site when the table has no site
                       * column of its own; NULL: the column, or the sensor's site */
    const char *id;   /* integer surrogate id, namespaced by site, or NULL */
    struct ct_ref ref[1];
    enum ct_view view;
};

extern const struct central_table central_tables[];
extern const size_t central_ntables;

#define CT_MAXCOLS 32

/* the columns of one table as the central store holds them: site first (not for CT_GLOBAL),
 * then the SQLite columns in schema order */
struct ct_cols {
    int n;
    char name[CT_MAXCOLS][40];
    char type[CT_MAXCOLS]; /* 'I' integer, 'R' real, 'T' text */
    bool notnull[CT_MAXCOLS];
    char dflt[CT_MAXCOLS][24]; /* the schema's default when it is a number, else "" */
    bool has_site;             /* the SQLite table has a site column of its own */
    int nkey;                  /* key columns (site included), or 0 */
    int key[CT_MAXCOLS];       /* their indexes into name[] */
    int nord;                  /* columns that order the rows: the key, else all */
    int ord[CT_MAXCOLS];
};

/* read a table's columns from a SQLite store; 0, or -1 with a reason */
int ct_columns(sqlite3 *db, const struct central_table *t, struct ct_cols *c, char *err,
               size_t errlen);
/* the column index of name, or -1 */
int ct_col(const struct ct_cols *c, const char *name);
/* the table that column col refers to (an id of it), or NULL */
const char *ct_ref_table(const struct central_table *t, const char *col);
const struct central_table *ct_find(const char *name);

#endif
