/* csv.c - see csv.h. */
#include "util/csv.h"

#include "util/str.h"

static void put(struct csv_row *row, char *buf, size_t *len, uint8_t c)
{
    (void)row;
    if (*len + 1 < CSV_FIELD_MAX)
        buf[(*len)++] = (char)c;
    else
        row->truncated = true;
}

static void end_field(struct csv_row *row, char *buf, size_t len)
{
    if (row->n < CSV_MAX_FIELDS) {
        str_sanitize(row->f[row->n], CSV_FIELD_MAX, (const uint8_t *)buf, len);
        row->n++;
    } else {
        row->truncated = true;
    }
}

bool csv_next(struct rd *r, struct csv_row *row, unsigned *line)
{
    row->n = 0;
    row->truncated = false;
    if (!rd_left(r))
        return false;
    if (*line == 0 && rd_match(r, "\xef\xbb\xbf", 3))
        rd_skip(r, 3);
    char buf[CSV_FIELD_MAX];
    size_t len = 0;
    bool quoted = false, any = false;
    (*line)++;
    while (rd_left(r)) {
        uint8_t c = rd_u8(r);
        any = true;
        if (quoted) {
            if (c == '"') {
                if (rd_peek_u8(r, 0) == '"' && rd_left(r)) {
                    rd_skip(r, 1);
                    put(row, buf, &len, '"');
                } else {
                    quoted = false;
                }
            } else {
                if (c == '\n')
                    (*line)++;
                put(row, buf, &len, c);
            }
            continue;
        }
        if (c == '"' && len == 0) {
            quoted = true;
        } else if (c == ',') {
            end_field(row, buf, len);
            len = 0;
        } else if (c == '\r' && rd_peek_u8(r, 0) == '\n') {
            continue;
        } else if (c == '\n') {
            end_field(row, buf, len);
            return true;
        } else {
            put(row, buf, &len, c);
        }
    }
    if (any)
        end_field(row, buf, len);
    return any;
}
