/* governance.h - who is accountable for the OT scope (NIS2 Art. 20: management bodies approve
 * and oversee; the operator documents the owner of each part of the scope): per site or zone an
 * accountable owner (CIO, CISO or OT security officer, a named person) with deputies, the
 * escalation path, and the date the board approved the assignment.  Read from YAML. */
#ifndef OTSCOPE_GOVERNANCE_H
#define OTSCOPE_GOVERNANCE_H

#include <jansson.h>

#include "store/store.h"

/* parse and validate YAML into the JSON form kept in the store; NULL with "line N: reason" */
json_t *governance_parse(const char *yaml, size_t len, char *err, size_t errlen);
int governance_store(struct store *s, const json_t *g);
json_t *governance_load(struct store *s); /* NULL when none was imported */
/* the board's ownership section: owners per zone, zones and OT assets without one */
json_t *governance_ownership(struct store *s);

#endif
