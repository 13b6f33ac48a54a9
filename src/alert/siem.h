/* siem.h - delivering alerts to a SIEM: syslog over TCP (RFC 5424 messages, RFC 6587 octet
 * counting) or UDP (one message per datagram), or appending lines to a file.  Delivery is
 * incremental per target: the store remembers which version (count, last time) of each alert a
 * target already has, and a target that is down is retried, then resumed on the next run. */
#ifndef OTSCOPE_SIEM_H
#define OTSCOPE_SIEM_H

#include <stdbool.h>
#include <stddef.h>

#include "store/store.h"

enum siem_format { SIEM_CEF, SIEM_JSONL };

struct siem_opts {
    const char *to;        /* udp://HOST:PORT, tcp://HOST:PORT or a file path */
    enum siem_format format;
    int retries;           /* connection attempts before giving up (default 5) */
    int retry_ms;          /* first back-off, doubled each time (default 500) */
    bool all;              /* send everything again, ignoring what the target has */
};

struct siem_result {
    int sent, skipped;
};

/* 0, or -1 with the reason in err (what was delivered before stays recorded) */
int siem_export(struct store *s, const struct siem_opts *o, struct siem_result *res, char *err,
                size_t errlen);

#endif
