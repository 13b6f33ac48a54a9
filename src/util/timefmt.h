/* timefmt.h - UTC ISO-8601 times with microseconds (SPEC.md "Dates and clocks"). */
#ifndef OTSCOPE_TIMEFMT_H
#define OTSCOPE_TIMEFMT_H

#include <stdbool.h>
#include <stdint.h>

#define TIME_STRLEN 32
/* "2026-01-02T03:04:05.123456Z" */
void time_format(int64_t ns, char out[TIME_STRLEN]);
/* parses the same form, also without fraction or with a date only; false when invalid */
bool time_parse(const char *s, int64_t *ns);
int64_t time_now_ns(void);

#endif
