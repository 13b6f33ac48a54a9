/* audit.h - a hash-chained, append-only log of every change to incidents and to the
 * governance file: each entry's SHA-256 covers the previous entry's hash, its time, the entity,
 * the action and the details, so an edit or a deletion anywhere breaks the chain from there on.
 * (It is evidence of tampering, not protection against someone who rewrites the whole chain: keep
 * the latest hash elsewhere, e.g. in the board minutes.) */
#ifndef OTSCOPE_AUDIT_H
#define OTSCOPE_AUDIT_H

#include <jansson.h>
#include <stdint.h>

#include "store/store.h"

int audit_append(struct store *s, int64_t when, const char *entity, const char *action,
                 const char *details);
/* 0 when intact; otherwise the id of the first bad entry and why */
int64_t audit_verify(struct store *s, char *why, size_t whylen, int64_t *entries);
json_t *audit_json(struct store *s);

#endif
