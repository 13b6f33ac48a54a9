/* push.h - pushing a SQLite store's rows into the central PostgreSQL store, per site.  Used by
 * `otscope sync` and when a command that wrote through --db postgresql://... closes the store.
 *
 * Idempotent and resumable: every row is an upsert on its central key (site, key), so sending
 * it twice changes nothing; facts go in batches, each committed in one transaction together
 * with its cursor in sync_state, so an interrupted push resumes after the last committed batch
 * (when the source has not changed since; else the pass starts again, harmlessly).  A digest of
 * each table's rows per site is kept when a pass finishes: an unchanged table is not sent
 * again.  Derived and sensor-level tables are replaced per site in one transaction. */
#ifndef OTSCOPE_CENTRAL_PUSH_H
#define OTSCOPE_CENTRAL_PUSH_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>

#include "central/pg.h"

struct push_source {
    sqlite3 *db;             /* the rows */
    sqlite3 *model;          /* the columns: a store with the canonical schema, never the source
                              * (a file, hence hostile: its names end up in SQL) */
    bool mirror;             /* a materialised central store (mirror.c): its ids translate back
                              * through central_idmap, its sensor-level rows are CENTRAL_SITE's */
    const char *sensor_site; /* site DB: the site its sensor-level tables belong to (NULL: not
                              * pushed) */
};

struct push_opts {
    int batch; /* fact rows per committed transaction */
    bool full; /* ignore the digests: send every row again, do not resume */
    FILE *out; /* one line per table pushed, or NULL */
};

struct push_stats {
    long rows;    /* rows in the source */
    long sent;    /* rows sent */
    long changed; /* central rows inserted or updated (replaced tables: rows written) */
    long deleted; /* central rows no longer in the source */
    int pushed, unchanged;
    long resumed_after; /* rows skipped by resuming an interrupted pass */
    double seconds;
};

/* every table of one site (facts, derived, and sensor-level when the source says so) */
int push_site(struct pgc *p, const struct push_source *src, const char *site,
              const struct push_opts *o, struct push_stats *st);
/* the advisory tables (no site): replaced when the source's import is at least as new */
int push_global(struct pgc *p, const struct push_source *src, const struct push_opts *o,
                struct push_stats *st);
/* the sites of the source's rows, sorted; a NULL-terminated array (push_free_sites) */
char **push_sites(sqlite3 *db, char *err, size_t errlen);
void push_free_sites(char **sites);

#endif
