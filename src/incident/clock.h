/* clock.h - the NIS2 Art. 23(4) reporting clocks (SPEC.md "Dates and clocks"): early warning
 * 24 h after becoming aware, incident notification 72 h after, final report one month after the
 * notification was submitted (provisionally one month after its due time); while the incident
 * is still ongoing at that date, a progress report is due then and the final report one month
 * after the incident is handled.  "One month" is the same day and time of the next month,
 * clamped to that month's last day. */
#ifndef OTSCOPE_CLOCK_H
#define OTSCOPE_CLOCK_H

#include <stdbool.h>
#include <stdint.h>

int64_t nis2_add_month(int64_t ns);

struct nis2_clock {
    int64_t early_warning_due, notification_due;
    int64_t final_due;    /* 0 = not yet determined (ongoing: after handling) */
    int64_t progress_due; /* 0 = no progress report due */
    bool final_provisional;
};

/* submitted_notification / handled: 0 when not (yet) */
void nis2_clock(int64_t aware, int64_t notification_submitted, int64_t handled, int64_t now,
                struct nis2_clock *c);

#endif
