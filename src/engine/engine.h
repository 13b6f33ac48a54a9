/* engine.h - the offline pipeline: capture files -> decode -> flows -> dissectors -> collector
 * -> store.  One call analyzes a list of files into one store; each file is merged in its own
 * transaction, and a bad file is reported and skipped without losing the others. */
#ifndef OTSCOPE_ENGINE_H
#define OTSCOPE_ENGINE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "flow/flow.h"

struct engine_opts {
    const char *db;
    const char *site;
    struct flow_config flow;
    bool progress; /* draw a progress bar on stderr */
    bool quiet;    /* no summary */
    bool force;    /* analyze files again even when their fingerprint is already stored */
    const char *dissectors; /* NULL/"all", "none", or a comma-separated list */
};

struct engine_stats {
    uint64_t files_ok, files_failed, files_skipped;
    uint64_t packets, bytes;
    uint64_t flows, flows_evicted, flows_peak;
    uint64_t malformed_frames, malformed_pdus, stream_gaps, ip_fragments;
    uint64_t attr_events, op_events;
    uint64_t assets;
    double seconds;
    size_t flow_memory;
};

void engine_opts_default(struct engine_opts *o);
/* returns the process exit status: 0 ok, 1 runtime failure (store), 3 invalid input */
int engine_analyze(const struct engine_opts *o, char **files, int nfiles, struct engine_stats *st);
void engine_print_summary(const struct engine_stats *st, FILE *out);

#endif
