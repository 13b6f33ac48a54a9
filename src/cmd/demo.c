/* demo.c - `otscope demo`: analyze the bundled sample plant capture into a fresh database,
 * print the inventory and write the board report. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "alert/alert.h"
#include "engine/engine.h"
#include "governance/governance.h"
#include "policy/segment.h"
#include "store/register.h"
#include "util/timefmt.h"
#include "vuln/vuln.h"

#ifndef OTSCOPE_SAMPLE
#define OTSCOPE_SAMPLE "/usr/share/otscope/sample/plant.pcap"
#endif

static const char usage[] =
    "usage: otscope demo [--db DB] [--capture FILE] [--advisories PATH]... [-o REPORT.html]\n"
    "Analyze the bundled sample plant capture (" OTSCOPE_SAMPLE ")\n"
    "into a fresh database (default otscope-demo.db, replaced), import the sample ISMS register,\n"
    "governance file and segmentation policy found beside it, print the asset inventory and\n"
    "write the board report (default board-report.html; .pdf, .md or .json by extension).\n"
    "--advisories imports CSAF/NVD/KEV/EPSS files or folders first (as `otscope vuln import`),\n"
    "so the report shows known-vulnerability exposure; without it exposure is 'unknown'.\n";

int cmd_demo(int argc, char **argv)
{
    static const struct option opts[] = {{"db", required_argument, NULL, 'd'},
                                         {"capture", required_argument, NULL, 'c'},
                                         {"output", required_argument, NULL, 'o'},
                                         {"advisories", required_argument, NULL, 'a'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *db = "otscope-demo.db", *cap = getenv("OTSCOPE_SAMPLE");
    const char *out = "board-report.html";
    if (!cap || !*cap)
        cap = OTSCOPE_SAMPLE;
    char *adv[16];
    size_t nadv = 0;
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
        case 'a':
            if (nadv == sizeof adv / sizeof *adv) {
                fprintf(stderr, "otscope: at most %zu --advisories paths\n", nadv);
                return EXIT_USAGE;
            }
            adv[nadv++] = optarg;
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
    /* the sample's ISMS register, governance and segmentation policy, as a plant would have */
    char dir[1024];
    snprintf(dir, sizeof dir, "%s", cap);
    char *slash = strrchr(dir, '/');
    if (slash)
        *slash = '\0';
    else
        snprintf(dir, sizeof dir, ".");
    struct store *sd = open_existing_store(db);
    if (sd) {
        char path[1200], err[512];
        int rows;
        snprintf(path, sizeof path, "%s/register.csv", dir);
        if (access(path, R_OK) == 0 &&
            register_import(sd, path, time_now_ns(), &rows, err, sizeof err) == 0)
            printf("ISMS register: %d entries imported from %s\n", rows, path);
        snprintf(path, sizeof path, "%s/governance.yaml", dir);
        FILE *f = fopen(path, "rb");
        static char buf[1 << 16];
        size_t n = f ? fread(buf, 1, sizeof buf, f) : 0;
        if (f)
            fclose(f);
        json_t *g = f ? governance_parse(buf, n, err, sizeof err) : NULL;
        if (g && governance_store(sd, g) == 0)
            printf("governance: owners and escalation path from %s\n", path);
        json_decref(g);
        snprintf(path, sizeof path, "%s/policy.yaml", dir);
        f = fopen(path, "rb");
        n = f ? fread(buf, 1, sizeof buf, f) : 0;
        if (f)
            fclose(f);
        static struct policy pol;
        if (f && policy_parse(&pol, buf, n, err, sizeof err) == 0) {
            segment_store_policy(sd, buf, n);
            json_decref(segment_evaluate(sd, &pol, path));
            struct alert_config ac;
            alert_config_default(&ac);
            alerts_rebuild(sd, &ac);
            printf("segmentation policy: %s\n", path);
        }
        if (nadv) {
            struct vuln_import_stats vs;
            memset(&vs, 0, sizeof vs);
            if (vuln_import(sd, adv, nadv, true, &vs, err, sizeof err) != 0)
                fprintf(stderr, "otscope: advisories not imported: %s\n", err);
            printf("advisories: %lld in the store (%u files could not be read)\n",
                   (long long)vuln_advisory_count(sd), vs.bad);
        } else {
            printf("advisories: none imported (otscope demo --advisories DIR, or otscope vuln"
                   " import): vulnerability exposure stays unknown\n");
        }
        store_close(sd);
    }
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
