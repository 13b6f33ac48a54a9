/* store.h - the inventory store.  SQLite in WAL mode with a versioned schema (PRAGMA
 * user_version) and migrations; every capture file is merged in one transaction, so a failure
 * leaves what was stored before intact.  Facts (sightings, evidence, protocols, operations,
 * conversations) are kept as seen; assets are derived from all facts after each run
 * (store_rebuild_assets), so later runs can correct earlier conclusions (e.g. a MAC that turns
 * out to be a router). */
#ifndef OTSCOPE_STORE_H
#define OTSCOPE_STORE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "inventory/collect.h"

#define STORE_SCHEMA_VERSION 2 /* = the number of migrations in schema.h */

struct store;

/* NULL on failure with a reason in err */
struct store *store_open(const char *path, bool create, char *err, size_t errlen);
void store_close(struct store *s);
const char *store_error(const struct store *s);

int64_t store_run_begin(struct store *s, const char *site, int64_t now_ns);
void store_run_end(struct store *s, int64_t run_id, int64_t now_ns, uint64_t packets,
                   uint64_t bytes, const char *status);
int64_t store_file_begin(struct store *s, int64_t run_id, const char *path,
                         const char *fingerprint);
/* true when a file with this fingerprint was fully analyzed before for this site */
bool store_file_seen(struct store *s, const char *site, const char *fingerprint);
void store_file_end(struct store *s, int64_t file_id, uint64_t packets, const char *status,
                    const char *error);

/* write a collector's facts in one transaction; 0 or -1 (store_error) */
int store_merge(struct store *s, const struct collector *c, const char *site);
/* re-derive assets (endpoint resolution, router detection, classification) */
int store_rebuild_assets(struct store *s);

/* queries: JSON documents per SPEC.md (caller owns the reference) */
json_t *store_assets_json(struct store *s);
json_t *store_flows_json(struct store *s);
json_t *store_operations_json(struct store *s);
json_t *store_summary_json(struct store *s);

/* small settings kept in the meta table */
int store_set_meta_int(struct store *s, const char *key, int64_t v);
bool store_get_meta_int(struct store *s, const char *key, int64_t *v);

/* raw access for modules that add tables (vuln, alerts, ...) */
struct sqlite3 *store_db(struct store *s);

#endif
