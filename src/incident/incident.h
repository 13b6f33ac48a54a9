/* incident.h - NIS2 Art. 23 incident records: creation from alerts, updates, the reporting
 * clocks of each stage, and the stage reports (early warning, notification, intermediate,
 * final, progress) with the content Art. 23(4) asks for at that stage. */
#ifndef OTSCOPE_INCIDENT_H
#define OTSCOPE_INCIDENT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "store/store.h"

/* the record fields, in the order reports list them */
struct incident_field {
    const char *key, *label;
    const char *stages; /* comma-separated stages that must report it */
};
extern const struct incident_field incident_fields[];
extern const int incident_nfields;
bool incident_stage_valid(const char *stage);

/* returns the new id (> 0), or -1 */
int64_t incident_new(struct store *s, const char *title, int64_t aware_ns, bool significant,
                     char **alerts, int nalerts, int64_t now_ns, char *err, size_t errlen);
int incident_set_field(struct store *s, int64_t id, const char *key, const char *value);
/* Art. 23(3): significant when either criterion holds; recomputed from the recorded inputs */
int incident_assess_significance(struct store *s, int64_t id);
int incident_set_status(struct store *s, int64_t id, const char *status, int64_t handled_ns);
int incident_submit(struct store *s, int64_t id, const char *stage, int64_t when);
int incident_link(struct store *s, int64_t id, const char *kind, const char *ref);
int incident_log(struct store *s, int64_t id, int64_t when, const char *entry);
bool incident_exists(struct store *s, int64_t id);

/* SPEC "otscope.incidents/1"; one incident when id > 0 (with fields and log) */
json_t *incident_list_json(struct store *s, int64_t id, int64_t now_ns);
/* the report of one stage as JSON ("otscope.incident-report/1") */
json_t *incident_report_json(struct store *s, int64_t id, const char *stage, int64_t now_ns);
void incident_report_md(const json_t *r, FILE *f);

#endif
