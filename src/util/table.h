/* table.h - plain-text tables and RFC 4180 CSV for the table/csv output formats.  Cells are
 * copied; the table owns them until table_free. */
#ifndef OTSCOPE_TABLE_H
#define OTSCOPE_TABLE_H

#include <stddef.h>
#include <stdio.h>

struct table {
    size_t ncols, nrows, cap;
    char **cells; /* row-major, header row first */
};

void table_init(struct table *t, size_t ncols, const char *const *headers);
void table_add(struct table *t, const char *const *cells); /* ncols cells, NULL = "-" */
void table_print(const struct table *t, FILE *out);
void table_csv(const struct table *t, FILE *out);
void table_free(struct table *t);

#endif
