/* main.c - command dispatch: otscope CMD [options].  Each subcommand lives in cmd/CMD.c. */
#include <stdio.h>
#include <string.h>

#include "central/mirror.h"
#include "cmd/cmd.h"

#ifndef OTSCOPE_VERSION
#define OTSCOPE_VERSION "0.1.0"
#endif

static const struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} commands[] = {
    {"analyze", cmd_analyze, "read pcap/pcapng files passively into the inventory"},
    {"capture", cmd_capture, "the same from a live interface (SPAN/TAP), never transmitting"},
    {"assets", cmd_assets, "the asset inventory (table, json, csv)"},
    {"flows", cmd_flows, "who talks to whom, with application protocol"},
    {"operations", cmd_operations, "operations seen on industrial protocols"},
    {"alerts", cmd_alerts, "security-relevant events (table, json, cef)"},
    {"export", cmd_export, "SIEM feed: CEF or JSON lines over syslog TCP/UDP or to a file"},
    {"segmentation", cmd_segmentation, "zones, conduits and violations; --propose a policy"},
    {"audit", cmd_audit, "verify the hash-chained log of incident and governance changes"},
    {"governance", cmd_governance, "accountable owners of the OT scope and escalation"},
    {"incident", cmd_incident, "NIS2 incident records, clocks and stage reports"},
    {"nis2", cmd_nis2, "NIS2 scope check: essential, important or out of scope"},
    {"register", cmd_register, "the ISMS asset register: import, gaps, export"},
    {"vuln", cmd_vuln, "advisories: 'vuln import' CSAF/NVD/KEV/EPSS, 'vuln lookup' one product"},
    {"vulns", cmd_vulns, "known vulnerabilities of every asset, KEV and highest CVSS first"},
    {"report", cmd_report, "reports: 'report board'"},
    {"serve", cmd_serve, "web console and read-only JSON API"},
    {"sync", cmd_sync, "push a site's store to the central PostgreSQL store, resumably"},
    {"demo", cmd_demo, "analyze the bundled sample plant capture and write the board report"},
};

static void help(FILE *f)
{
    fprintf(f, "usage: otscope [--version] [--help] COMMAND [options]\n\n"
               "otscope is a passive OT security monitor: it reads network captures, never sends a\n"
               "packet, and builds an evidence-backed inventory of industrial assets.\n\n"
               "Commands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
        fprintf(f, "  %-12s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\nEvery command that reads the inventory takes --db DB (default ./otscope.db or\n"
               "$OTSCOPE_DB), a SQLite file or postgresql://... (the central store of all sites).\n"
               "'otscope COMMAND --help' describes a command; 'man otscope' all.\n"
               "Exit status: 0 ok, 1 runtime failure, 2 usage error, 3 invalid input.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        help(stderr);
        return EXIT_USAGE;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        help(stdout);
        return EXIT_OK;
    }
    if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
        printf("otscope %s\n", OTSCOPE_VERSION);
        return EXIT_OK;
    }
    /* postgresql:// passwords never reach a message or ps (central/pg.h) */
    central_hide_passwords(argc, argv);
    for (size_t i = 0; i < sizeof commands / sizeof *commands; i++) {
        if (!strcmp(argv[1], commands[i].name)) {
            int rc = commands[i].run(argc - 1, argv + 1);
            /* the central store could not take what the command wrote */
            return rc == EXIT_OK && central_failed() ? EXIT_RUNTIME : rc;
        }
    }
    fprintf(stderr, "otscope: '%s' is not a command. See 'otscope --help'.\n", argv[1]);
    return EXIT_USAGE;
}
