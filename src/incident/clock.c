/* clock.c - see clock.h. */
#include "incident/clock.h"

#include <time.h>

#define HOUR_NS (3600ll * 1000000000ll)

static int days_in(int year, int mon /* 0..11 */)
{
    static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return mon == 1 && leap ? 29 : d[mon];
}

int64_t nis2_add_month(int64_t ns)
{
    int64_t sec = ns / 1000000000ll, frac = ns % 1000000000ll;
    time_t t = (time_t)sec;
    struct tm tm;
    gmtime_r(&t, &tm);
    int year = tm.tm_year + 1900, mon = tm.tm_mon + 1;
    if (mon == 12) {
        mon = 0;
        year++;
    }
    int mday = tm.tm_mday;
    if (mday > days_in(year, mon))
        mday = days_in(year, mon); /* 31 January + 1 month = 28/29 February */
    tm.tm_year = year - 1900;
    tm.tm_mon = mon;
    tm.tm_mday = mday;
    return (int64_t)timegm(&tm) * 1000000000ll + frac;
}

void nis2_clock(int64_t aware, int64_t notified, int64_t handled, int64_t now,
                struct nis2_clock *c)
{
    c->early_warning_due = aware + 24 * HOUR_NS;
    c->notification_due = aware + 72 * HOUR_NS;
    int64_t final = nis2_add_month(notified ? notified : c->notification_due);
    c->final_provisional = !notified;
    c->progress_due = 0;
    c->final_due = final;
    if (handled && handled <= final)
        return;
    if (handled) {
        /* it was still ongoing at the final report's date */
        c->progress_due = final;
        c->final_due = nis2_add_month(handled);
    } else if (now >= final) {
        c->progress_due = final;
        c->final_due = 0; /* one month after it is handled */
    }
}
