/* live.h - passive capture from a network interface (a SPAN or TAP port): libpcap with a large
 * kernel ring (TPACKET_V3 on Linux), receive only, N worker threads each owning a shard of the
 * flows (by a symmetric hash of the address pair), and one writer that folds the workers' facts
 * into the store every few seconds.  It never sends a frame. */
#ifndef OTSCOPE_LIVE_H
#define OTSCOPE_LIVE_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/engine.h"

struct live_opts {
    const char *iface;
    const char *bpf;
    const char *user;      /* drop root to this user after opening (NULL: "nobody" when root) */
    int threads;           /* workers, 1..16 */
    int flush_seconds;     /* store the facts this often */
    int buffer_mb;         /* kernel ring */
    const char *pcap_dir;  /* rolling raw-traffic retention (NULL: off) */
    int pcap_file_mb, pcap_files, pcap_file_seconds;
    uint64_t max_packets;  /* stop after this many (0 = until a signal) */
    const char *policy_file; /* reloaded on SIGHUP */
};

struct live_stats {
    uint64_t received, kernel_dropped, if_dropped, ring_dropped, flushes;
};

/* runs until SIGINT/SIGTERM (or max_packets); returns an exit status */
int live_capture(const struct engine_opts *eo, const struct live_opts *lo, struct live_stats *st);

#endif
