/* epss.c - FIRST EPSS scores as CSV ("cve,epss,percentile", probabilities 0..1; newer files
 * start with "#model_version:...,score_date:..." which is skipped, its date kept).  Read through
 * the bounds-checked reader and the project's CSV parser; one bad row rejects the file. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/csv.h"
#include "util/reader.h"
#include "vuln/vuln.h"

/* a probability 0..1 (strict: the whole field) */
static bool parse_prob(const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end || errno || !(v >= 0.0 && v <= 1.0))
        return false;
    *out = v;
    return true;
}

/* "#model_version:v2023.03.01,score_date:2023-03-20T00:00:00+0000" -> "2023-03-20" */
static void comment_date(const struct csv_row *row, char *date, size_t n)
{
    for (size_t i = 0; i < row->n; i++) {
        const char *p = strstr(row->f[i], "score_date:");
        if (p)
            snprintf(date, n, "%.10s", p + 11);
    }
}

static bool valid_cve(const char *s)
{
    if (strncmp(s, "CVE-", 4) != 0 || strlen(s) > 24)
        return false;
    for (const char *p = s + 4; *p; p++)
        if (!(*p >= '0' && *p <= '9') && *p != '-')
            return false;
    return true;
}

int vuln_epss_import(struct vuln_importer *im, const uint8_t *data, size_t len, char *err,
                     size_t errlen)
{
    static struct csv_row row; /* 32 KiB: not on the stack */
    struct rd r = rd_init(data, len);
    unsigned line = 0;
    bool header = false;
    char date[16] = "";
    while (csv_next(&r, &row, &line)) {
        if (row.n == 0 || (row.n == 1 && !row.f[0][0]))
            continue;
        if (row.f[0][0] == '#') {
            comment_date(&row, date, sizeof date);
            continue;
        }
        if (!header) {
            if (row.n < 2 || strcmp(row.f[0], "cve") || strcmp(row.f[1], "epss")) {
                snprintf(err, errlen, "line %u: expected the header cve,epss,percentile", line);
                return -1;
            }
            header = true;
            continue;
        }
        double epss, pct = -1;
        if (row.n < 2 || row.truncated || !valid_cve(row.f[0]) || !parse_prob(row.f[1], &epss) ||
            (row.n > 2 && !parse_prob(row.f[2], &pct))) {
            snprintf(err, errlen, "line %u: not a 'CVE-id,probability,percentile' row", line);
            return -1;
        }
        if (vuln_put_epss(im, row.f[0], epss, pct, date[0] ? date : NULL)) {
            snprintf(err, errlen, "%s", vuln_importer_error(im));
            return -1;
        }
    }
    if (!header) {
        snprintf(err, errlen, "no EPSS header line");
        return -1;
    }
    return 0;
}
