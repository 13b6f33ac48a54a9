/* log.h - messages to stderr in the SPEC form "otscope: CONTEXT: REASON". */
#ifndef OTSCOPE_LOG_H
#define OTSCOPE_LOG_H

#include <stdbool.h>

extern int log_verbosity; /* 0 errors, 1 +info, 2 +debug */
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
