/* demo.c - `otscope demo`: analyze the bundled sample plant capture into a fresh database,
 * print the inventory and write the board report. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "engine/engine.h"

#ifndef OTSCOPE_SAMPLE
#define OTSCOPE_SAMPLE "/usr/share/otscope/sample/plant.pcap"
#endif

static const char usage[] =
    "usage: otscope demo [--db DB] [--capture FILE] [-o REPORT.html]\n"
    "Analyze the bundled sample plant capture (" OTSCOPE_SAMPLE ")\n"
    "into a fresh database (default otscope-demo.db, replaced), print the asset inventory and\n"
    "write the board report (default board-report.html; .pdf, .md or .json by extension).\n";

int cmd_demo(int argc, char **argv)
{
    static const struct option opts[] = {{"db", required_argument, NULL, 'd'},
                                         {"capture", required_argument, NULL, 'c'},
                                         {"output", required_argument, NULL, 'o'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *db = "otscope-demo.db", *cap = getenv("OTSCOPE_SAMPLE");
    const char *out = "board-report.html";
    if (!cap || !*cap)
        cap = OTSCOPE_SAMPLE;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            db = optarg;
            break;
        case 'c':
            cap = optarg;
            break;
        case 'o':
            out = optarg;
            break;
        case 'h':
            fputs(usage, stdout);
            return EXIT_OK;
        default:
            fputs(usage, stderr);
            return EXIT_USAGE;
        }
    }
    /* a fresh database each time, so the demo shows exactly the sample */
    char side[1024];
    unlink(db);
    snprintf(side, sizeof side, "%s-wal", db);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", db);
    unlink(side);
    struct engine_opts o;
    engine_opts_default(&o);
    o.db = db;
    o.progress = isatty(STDERR_FILENO);
    struct engine_stats st;
    char *files[] = {(char *)cap};
    printf("Analyzing %s ...\n", cap);
    int rc = engine_analyze(&o, files, 1, &st);
    engine_print_summary(&st, stdout);
    if (rc != EXIT_OK)
        return rc;
    char *args[] = {"assets", "--db", (char *)db, NULL};
    printf("\nAsset inventory (otscope assets --db %s):\n\n", db);
    fflush(stdout);
    rc = cmd_assets(3, args);
    if (rc != EXIT_OK)
        return rc;
    enum out_format fmt = FMT_HTML;
    size_t n = strlen(out);
    if (n > 3 && !strcmp(out + n - 3, ".md"))
        fmt = FMT_MD;
    else if (n > 5 && !strcmp(out + n - 5, ".json"))
        fmt = FMT_JSON;
    else if (n > 4 && !strcmp(out + n - 4, ".pdf"))
        fmt = FMT_PDF;
    struct store *s = open_existing_store(db);
    if (!s)
        return EXIT_RUNTIME;
    rc = write_board_report(s, fmt, out);
    store_close(s);
    if (rc == EXIT_OK)
        printf("\nBoard report written to %s\n", out);
    return rc;
}
