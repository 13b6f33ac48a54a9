/* flow_internal.h - what flow.c lends dispatch.c (and tests): the state pool, the reassembly
 * budget and the statistics.  Not for other modules. */
#ifndef OTSCOPE_FLOW_INTERNAL_H
#define OTSCOPE_FLOW_INTERNAL_H

#include "flow/flow.h"
#include "flow/reasm.h"

void *flow_state_alloc(struct flow_table *t, struct flow *f);
struct reasm_budget *flow_reasm_budget(struct flow_table *t);
struct flow_stats *flow_stats_mut(struct flow_table *t);

#endif
