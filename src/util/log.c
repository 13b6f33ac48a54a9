/* log.c - see log.h. */
#include "util/log.h"

#include <stdarg.h>
#include <stdio.h>

int log_verbosity = 0;

__attribute__((format(printf, 1, 0))) static void vlog(const char *fmt, va_list ap)
{
    fputs("otscope: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

void log_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vlog(fmt, ap);
    va_end(ap);
}

void log_info(const char *fmt, ...)
{
    if (log_verbosity < 1)
        return;
    va_list ap;
    va_start(ap, fmt);
    vlog(fmt, ap);
    va_end(ap);
}

void log_debug(const char *fmt, ...)
{
    if (log_verbosity < 2)
        return;
    va_list ap;
    va_start(ap, fmt);
    vlog(fmt, ap);
    va_end(ap);
}
