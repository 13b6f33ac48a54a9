/* export.c - `otscope export`: the SIEM feed. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "alert/siem.h"
#include "cmd/cmd.h"

static const char usage[] =
    "usage: otscope export [--db DB] --format cef|jsonl --to udp://HOST:PORT|tcp://HOST:PORT|FILE\n"
    "                      [--retries N] [--retry-ms MS] [--all]\n"
    "Send alerts to a SIEM (Splunk, Microsoft Sentinel, QRadar, ...): ArcSight CEF or JSON lines\n"
    "(the fields of 'otscope alerts --format json'). Over the network each alert is one RFC 5424\n"
    "syslog message (facility local4, severity from the alert), framed by octet counting over TCP\n"
    "(RFC 6587) or one per datagram over UDP; a FILE gets one line per alert.\n"
    "Export is incremental: only alerts the target does not have yet, or whose count or last time\n"
    "changed since, are sent. When the target is down it is retried (--retries, default 5, with\n"
    "back-off from --retry-ms, default 500); what could not be sent is sent by the next run.\n"
    "--all sends everything again. Exit status 1 when the target stayed unreachable.\n";

int cmd_export(int argc, char **argv)
{
    static const struct option opts[] = {{"db", required_argument, NULL, 'd'},
                                         {"format", required_argument, NULL, 'f'},
                                         {"to", required_argument, NULL, 't'},
                                         {"retries", required_argument, NULL, 'r'},
                                         {"retry-ms", required_argument, NULL, 'm'},
                                         {"all", no_argument, NULL, 'a'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *db = default_db();
    struct siem_opts o = {NULL, SIEM_CEF, 5, 500, false};
    bool fmt_given = false;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            db = optarg;
            break;
        case 'f':
            if (strcmp(optarg, "cef") && strcmp(optarg, "jsonl"))
                return usage_error("export", "--format is cef or jsonl");
            o.format = !strcmp(optarg, "cef") ? SIEM_CEF : SIEM_JSONL;
            fmt_given = true;
            break;
        case 't':
            o.to = optarg;
            break;
        case 'r':
            o.retries = atoi(optarg);
            if (o.retries < 1 || o.retries > 1000)
                return usage_error("export", "--retries wants 1..1000");
            break;
        case 'm':
            o.retry_ms = atoi(optarg);
            if (o.retry_ms < 1 || o.retry_ms > 600000)
                return usage_error("export", "--retry-ms wants 1..600000");
            break;
        case 'a':
            o.all = true;
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
        return usage_error("export", "unexpected argument '%s'", argv[optind]);
    if (!o.to || !fmt_given)
        return usage_error("export", "--format and --to are required");
    struct store *s = open_existing_store(db);
    if (!s)
        return EXIT_INPUT;
    struct siem_result r;
    char err[512] = "";
    int rc = siem_export(s, &o, &r, err, sizeof err);
    store_close(s);
    fprintf(stderr, "otscope: export: %d alerts sent to %s, %d already there\n", r.sent, o.to,
            r.skipped);
    if (rc) {
        fprintf(stderr, "otscope: export: %s; the rest is sent by the next run\n", err);
        return EXIT_RUNTIME;
    }
    return EXIT_OK;
}
