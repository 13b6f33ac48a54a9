/* alert.h - alerts from what the inventory stored: operations (PLC stop/start, program download
 * and upload, writes), findings (insecure protocols, clear-text credentials, malformed traffic),
 * history (firmware changes), conversations (scans, public addresses, new connections) and
 * assets first seen after the learning period.  Each alert carries its SPEC type, a severity,
 * MITRE ATT&CK for ICS technique ids and the evidence (file, frame) it rests on; repeats are
 * aggregated (count, first/last). */
#ifndef OTSCOPE_ALERT_H
#define OTSCOPE_ALERT_H

#include <jansson.h>
#include <stdint.h>

#include "store/store.h"

struct alert_config {
    int64_t learning_ns;   /* new-asset/new-connection only after this much capture time */
    int scan_targets;      /* distinct hosts probed on one port that make a scan */
    int scan_ports;        /* distinct ports probed on one host that make a scan */
};
void alert_config_default(struct alert_config *c);

/* recompute the alerts table from the facts; 0 or -1 */
int alerts_rebuild(struct store *s, const struct alert_config *c);
/* SPEC "otscope.alerts/1" document, newest last */
json_t *alerts_json(struct store *s);
/* one alert as a CEF line (ArcSight CEF 0/1 rev 25), without a trailing newline */
void alert_cef(const json_t *alert, char *out, size_t outsz);

#endif
