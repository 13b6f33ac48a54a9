/* report.c - `otscope report board`: the board report in HTML, PDF, Markdown or JSON. */
#include <getopt.h>
#include <string.h>

#include "cmd/cmd.h"
#include "report/board.h"
#include "util/timefmt.h"

static const char usage[] =
    "usage: otscope report board [--db DB] [--format html|pdf|json|md] [-o FILE]\n"
    "                            [--since DATE] [--no-snapshot]\n"
    "The board report. Page 1 answers three questions in plain words: how many OT assets are\n"
    "missing from the ISMS register, how many run firmware with known (and known-exploited)\n"
    "vulnerabilities, how many have uncontrolled access to or from the corporate network and\n"
    "the internet; then the top 10 risks with the recommended action and a NIST CSF 2.0\n"
    "scorecard. Later pages give the breakdowns by criticality, role and site, ownership, the\n"
    "trend against the previous report and the alerts. JSON holds every figure the other formats\n"
    "show. HTML is one self-contained file; PDF is A4 (needs -o).\n"
    "  --since DATE     count alerts and risks from DATE on (ISO 8601)\n"
    "  --no-snapshot    do not keep this report's figures for the next report's trend\n"
    "Default format: md to stdout, or by the extension of -o (.html .pdf .json .md).\n";

static enum out_format by_extension(const char *path, enum out_format dflt)
{
    const char *dot = path ? strrchr(path, '.') : NULL;
    if (!dot)
        return dflt;
    if (!strcmp(dot, ".html") || !strcmp(dot, ".htm"))
        return FMT_HTML;
    if (!strcmp(dot, ".pdf"))
        return FMT_PDF;
    if (!strcmp(dot, ".json"))
        return FMT_JSON;
    return !strcmp(dot, ".md") ? FMT_MD : dflt;
}

int write_board_report(struct store *s, enum out_format fmt, const char *path)
{
    struct board_opts o = {0, 0, true};
    return write_board_report_opts(s, fmt, path, &o);
}

int write_board_report_opts(struct store *s, enum out_format fmt, const char *path,
                            const struct board_opts *o)
{
    if (fmt == FMT_PDF && !path) {
        fprintf(stderr, "otscope: report: a PDF needs -o FILE.pdf\n");
        return EXIT_USAGE;
    }
    json_t *doc = board_build(s, o);
    if (!doc)
        return EXIT_RUNTIME;
    int rc = EXIT_OK;
    if (fmt == FMT_PDF) {
        if (board_render_pdf(doc, path) != 0) {
            fprintf(stderr, "otscope: %s: cannot write the PDF\n", path);
            rc = EXIT_RUNTIME;
        }
        json_decref(doc);
        return rc;
    }
    FILE *f = path ? fopen(path, "w") : stdout;
    if (!f) {
        fprintf(stderr, "otscope: %s: cannot write the report\n", path);
        json_decref(doc);
        return EXIT_RUNTIME;
    }
    if (fmt == FMT_JSON)
        print_json(doc, f);
    else if (fmt == FMT_HTML)
        board_render_html(doc, f);
    else
        board_render_md(doc, f);
    if (path && fclose(f) != 0)
        rc = EXIT_RUNTIME;
    json_decref(doc);
    return rc;
}

int cmd_report(int argc, char **argv)
{
    static const struct option opts[] = {{"db", required_argument, NULL, 'd'},
                                         {"format", required_argument, NULL, 'f'},
                                         {"output", required_argument, NULL, 'o'},
                                         {"since", required_argument, NULL, 's'},
                                         {"no-snapshot", no_argument, NULL, 'N'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        fputs(usage, stdout);
        return EXIT_OK;
    }
    if (argc < 2 || strcmp(argv[1], "board") != 0)
        return usage_error("report", "which report? (board)");
    const char *db = default_db(), *out = NULL;
    bool fmt_given = false;
    enum out_format fmt = FMT_MD;
    struct board_opts o = {0, 0, true};
    int c;
    optind = 2;
    while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            db = optarg;
            break;
        case 'f':
            if (!parse_format("report", optarg, "md,html,json,pdf", &fmt))
                return EXIT_USAGE;
            fmt_given = true;
            break;
        case 'o':
            out = optarg;
            break;
        case 's':
            if (!time_parse(optarg, &o.since_ns))
                return usage_error("report", "--since wants an ISO 8601 date or time");
            break;
        case 'N':
            o.save_snapshot = false;
            break;
        case 'h':
            fputs(usage, stdout);
            return EXIT_OK;
        default:
            fputs(usage, stderr);
            return EXIT_USAGE;
        }
    }
    if (optind < argc)
        return usage_error("report", "unexpected argument '%s'", argv[optind]);
    if (!fmt_given)
        fmt = by_extension(out, FMT_MD);
    struct store *s = open_existing_store(db);
    if (!s)
        return EXIT_INPUT;
    int rc = write_board_report_opts(s, fmt, out, &o);
    store_close(s);
    return rc;
}
