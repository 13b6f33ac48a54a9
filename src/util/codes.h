/* codes.h - the element count of an array, and names of protocol codes looked up in a table
 * ({code, text} rows, scanned in order: tables are small and the lookup is off the hot path or
 * once per request). */
#ifndef OTSCOPE_CODES_H
#define OTSCOPE_CODES_H

#include <stddef.h>
#include <stdint.h>

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

struct code_text {
    uint32_t code;
    const char *text;
};

/* the text of code in t[0..n), or fallback */
static inline const char *code_text(const struct code_text *t, size_t n, uint32_t code,
                                    const char *fallback)
{
    for (size_t i = 0; i < n; i++)
        if (t[i].code == code)
            return t[i].text;
    return fallback;
}

#endif
