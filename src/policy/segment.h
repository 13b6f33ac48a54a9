/* segment.h - zones and conduits applied to what was seen: every asset gets a zone, every flow
 * between zones is judged against the conduits, and the headline figures count the OT assets
 * with uncontrolled access to the corporate network and the internet, in both directions. */
#ifndef OTSCOPE_SEGMENT_H
#define OTSCOPE_SEGMENT_H

#include <jansson.h>

#include "policy/policy.h"
#include "store/store.h"

/* propose a policy from the inventory: a zone per subnet (/24, /64) holding OT assets, one
 * corporate zone for the other private subnets, and a conduit for every flow seen between OT
 * zones.  Flows to the corporate zone and the internet are left out on purpose: they must be
 * reviewed. */
int segment_propose(struct store *s, struct policy *out);
/* SPEC-style document "otscope.segmentation/1"; p NULL = the proposal without conduits (every
 * flow between zones uncontrolled).  Writes each asset's zone into the store when p != NULL. */
json_t *segment_evaluate(struct store *s, const struct policy *p, const char *policy_name);
/* the policy last used with --policy, if any (kept in the store) */
bool segment_stored_policy(struct store *s, struct policy *p);
int segment_store_policy(struct store *s, const char *yaml, size_t len);

#endif
