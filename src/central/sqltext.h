/* sqltext.h - a growing string for the SQL text the central store builds: identifiers from our
 * own schema and $n / ? placeholders only, never a row value. */
#ifndef OTSCOPE_CENTRAL_SQLTEXT_H
#define OTSCOPE_CENTRAL_SQLTEXT_H

#include <stdbool.h>
#include <stddef.h>

struct sqltext {
    char *s; /* NUL-terminated once anything was added; owned: sqltext_free */
    size_t len, cap;
    bool oom; /* an allocation failed: s is incomplete */
};

__attribute__((format(printf, 2, 3))) void sqltext_add(struct sqltext *b, const char *fmt, ...);
void sqltext_free(struct sqltext *b);

#endif
