/* timefmt.c - see timefmt.h. */
#include "util/timefmt.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

void time_format(int64_t ns, char out[TIME_STRLEN])
{
    int64_t sec = ns / 1000000000ll;
    int64_t frac = ns % 1000000000ll;
    if (frac < 0) {
        frac += 1000000000ll;
        sec--;
    }
    time_t t = (time_t)sec;
    struct tm tm;
    if (!gmtime_r(&t, &tm)) {
        snprintf(out, TIME_STRLEN, "invalid");
        return;
    }
    char buf[64]; /* wide enough for any int fields, then clipped to the contract's width */
    snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%06lldZ", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (long long)(frac / 1000));
    memcpy(out, buf, TIME_STRLEN - 1);
    out[TIME_STRLEN - 1] = '\0';
}

bool time_parse(const char *s, int64_t *ns)
{
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    int y, mo, d, h = 0, mi = 0, sec = 0, n = 0;
    if (sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3)
        return false;
    const char *p = s + n;
    int64_t frac = 0;
    long offset_s = 0;
    if (*p == 'T' || *p == ' ') {
        int m = 0;
        if (sscanf(p + 1, "%2d:%2d:%2d%n", &h, &mi, &sec, &m) != 3)
            return false;
        p += 1 + m;
        if (*p == '.') {
            int64_t scale = 100000000;
            for (p++; *p >= '0' && *p <= '9'; p++) {
                frac += (*p - '0') * scale;
                scale /= 10;
            }
        }
        if (*p == 'Z') {
            p++;
        } else if ((*p == '+' || *p == '-') && p[1] >= '0' && p[1] <= '9') {
            /* an explicit offset: local time = UTC + offset */
            int oh = 0, om = 0, m2 = 0;
            if (sscanf(p + 1, "%2d:%2d%n", &oh, &om, &m2) == 2 ||
                sscanf(p + 1, "%2d%2d%n", &oh, &om, &m2) == 2) {
                if (oh > 14 || om > 59)
                    return false;
                offset_s = (oh * 3600 + om * 60) * (*p == '+' ? 1 : -1);
                p += 1 + m2;
            } else {
                return false;
            }
        }
    }
    if (*p)
        return false;
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
        return false;
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = sec;
    *ns = ((int64_t)timegm(&tm) - offset_s) * 1000000000ll + frac;
    return true;
}

int64_t time_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000ll + ts.tv_nsec;
}
