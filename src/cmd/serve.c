/* serve.c - `otscope serve`: the web console and JSON API. */
#include <getopt.h>
#include <stdlib.h>

#include "cmd/cmd.h"
#include "web/web.h"

static const char usage[] =
    "usage: otscope serve [--db DB] [--listen ADDR:PORT] [--token TOKEN] [--max-connections N]\n"
    "                     [--refresh SECONDS]\n"
    "The web console (overview, assets, asset pages, network map, alerts, incidents, board\n"
    "report with PDF download) and a read-only JSON API under /api/v1/ (assets, assets/ID,\n"
    "flows, operations, alerts, vulns, segmentation, incidents, governance, report/board; lists\n"
    "take limit, offset, sort, order and filters such as role, vendor, zone, criticality,\n"
    "vulnerable, unmanaged, q).\n"
    "It listens on 127.0.0.1:8080 by default. Any other address requires a token of 16 or more\n"
    "characters (--token or $OTSCOPE_TOKEN): API clients send 'Authorization: Bearer TOKEN',\n"
    "browsers sign in at /login (an HttpOnly, SameSite=Strict cookie). Requests are bounded in\n"
    "size and number (default 64 connections, 16 per client address).\n"
    "With --db postgresql://... the console shows all sites of the central store, re-read every\n"
    "--refresh seconds (default 60; 0: once at start). A SQLite store is always read live.\n";

int cmd_serve(int argc, char **argv)
{
    static const struct option opts[] = {{"db", required_argument, NULL, 'd'},
                                         {"listen", required_argument, NULL, 'l'},
                                         {"token", required_argument, NULL, 't'},
                                         {"max-connections", required_argument, NULL, 'm'},
                                         {"refresh", required_argument, NULL, 'r'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    struct web_opts o = {default_db(), "127.0.0.1:8080", getenv("OTSCOPE_TOKEN"), 64, false, 60};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'd': o.db = optarg; break;
        case 'l': o.listen = optarg; break;
        case 't': o.token = optarg; break;
        case 'm': {
            long v;
            if (!parse_long(optarg, 1, 10000, &v))
                return usage_error("serve", "--max-connections wants 1..10000");
            o.max_connections = (int)v;
            break;
        }
        case 'r': {
            long v;
            if (!parse_long(optarg, 0, 86400, &v))
                return usage_error("serve", "--refresh wants 0..86400 seconds");
            o.refresh = (int)v;
            break;
        }
        case 'h': fputs(usage, stdout); return EXIT_OK;
        default: fputs(usage, stderr); return EXIT_USAGE;
        }
    }
    if (optind < argc)
        return usage_error("serve", "unexpected argument '%s'", argv[optind]);
    return web_serve(&o);
}
