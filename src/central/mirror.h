/* mirror.h - `--db postgresql://...` for every command: the central data of all sites is
 * materialised into a private temporary SQLite store with the normal schema, so every query
 * (assets, report board, serve, vulns, ...) runs unchanged over all sites; when a command wrote
 * to it, its changes are pushed back on close exactly as `otscope sync` pushes a site.
 *
 * Site-local integer ids (runs, files, operations, register rows, incidents, ...) collide
 * between sites, so each site's ids are shifted past the previous site's largest; the table
 * central_idmap in the mirror maps every local id back to (site, central id). */
#ifndef OTSCOPE_CENTRAL_MIRROR_H
#define OTSCOPE_CENTRAL_MIRROR_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>

#include "central/pg.h"
#include "central/push.h"

struct store;

/* store_open() for a postgresql:// URI: NULL with a reason in err */
struct store *central_store_open(const char *uri, bool create, char *err, size_t errlen);
/* store_close(), before the SQLite connection closes: pushes the changes back when s is a
 * mirror that was written to.  Returns the mirror for central_store_closed (NULL: not one) */
void *central_store_closing(struct store *s);
/* store_close(), after: removes the temporary store (kept when the push failed) */
void central_store_closed(void *mirror);
/* a push on close failed (the command's exit status becomes 1) */
bool central_failed(void);

/* whether db is a materialised central store (a push that failed left it behind) */
bool central_is_mirror(sqlite3 *db);
/* push a mirror's sites (only one when site != NULL) and the advisories; the columns come
 * from model (a store with our schema: the mirror itself when this process made it) */
int central_mirror_push(struct pgc *p, sqlite3 *db, sqlite3 *model, const char *site,
                        const struct push_opts *o, struct push_stats *total);

#endif
