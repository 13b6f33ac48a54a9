/* csv.h - an RFC 4180 CSV reader over the bounds-checked reader: quoted fields, doubled quotes,
 * CRLF or LF line ends, a UTF-8 BOM.  Fields are sanitised copies (control bytes escaped). */
#ifndef OTSCOPE_CSV_H
#define OTSCOPE_CSV_H

#include <stdbool.h>
#include <stddef.h>

#include "util/reader.h"

#define CSV_MAX_FIELDS 64
#define CSV_FIELD_MAX  512

struct csv_row {
    size_t n;
    char f[CSV_MAX_FIELDS][CSV_FIELD_MAX];
    bool truncated; /* a field or the field count exceeded the bounds */
};

/* read the next record; false at end of input.  *line counts physical lines for messages. */
bool csv_next(struct rd *r, struct csv_row *row, unsigned *line);

#endif
