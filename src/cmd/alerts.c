/* alerts.c - `otscope alerts`: security-relevant events derived from the inventory. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "alert/alert.h"
#include "cmd/cmd.h"
#include "util/table.h"

static const char usage[] =
    "usage: otscope alerts [--db DB] [--format table|json|cef] [--learning HOURS]\n"
    "Alerts derived from what was seen: PLC stop/start, program download/upload, firmware\n"
    "changes, configuration and process writes (unauthorized-write when the writer is not an\n"
    "engineering workstation, or not an HMI/SCADA server for process values), insecure protocols\n"
    "and clear-text credentials, malformed industrial traffic, scans, communication with public\n"
    "addresses, and new assets and connections after the learning period (default 1 hour of\n"
    "capture time from the first asset of the site; --learning changes and stores it). Each\n"
    "alert has a severity, MITRE ATT&CK for ICS technique ids, the asset and the evidence.\n"
    "Repeats are aggregated (count, first and last time). --format cef prints one ArcSight CEF\n"
    "line per alert.\n";

int cmd_alerts(int argc, char **argv)
{
    static const struct option opts[] = {{"db", required_argument, NULL, 'd'},
                                         {"format", required_argument, NULL, 'f'},
                                         {"learning", required_argument, NULL, 'l'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *db = default_db();
    enum out_format fmt = FMT_TABLE;
    double learning = -1;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            db = optarg;
            break;
        case 'f':
            if (!parse_format("alerts", optarg, "table,json,cef", &fmt))
                return EXIT_USAGE;
            break;
        case 'l': {
            char *end;
            learning = strtod(optarg, &end);
            if (*end || learning < 0 || learning > 24 * 3650)
                return usage_error("alerts", "--learning wants hours (0..87600)");
            break;
        }
        case 'h':
            fputs(usage, stdout);
            return EXIT_OK;
        default:
            fputs(usage, stderr);
            return EXIT_USAGE;
        }
    }
    if (optind < argc)
        return usage_error("alerts", "unexpected argument '%s'", argv[optind]);
    struct store *s = open_existing_store(db);
    if (!s)
        return EXIT_INPUT;
    if (learning >= 0) {
        struct alert_config cfg;
        alert_config_default(&cfg);
        cfg.learning_ns = (int64_t)(learning * 3600e9);
        if (store_set_meta_int(s, "alert_learning_ns", cfg.learning_ns) ||
            alerts_rebuild(s, &cfg)) {
            fprintf(stderr, "otscope: %s: %s\n", db, store_error(s));
            store_close(s);
            return EXIT_RUNTIME;
        }
    }
    json_t *doc = alerts_json(s);
    store_close(s);
    if (!doc)
        return EXIT_RUNTIME;
    size_t i;
    json_t *a;
    if (fmt == FMT_JSON) {
        print_json(doc, stdout);
    } else if (fmt == FMT_CEF) {
        json_array_foreach(json_object_get(doc, "alerts"), i, a) {
            char line[4096];
            alert_cef(a, line, sizeof line);
            puts(line);
        }
    } else {
        static const char *const hdr[] = {"time", "severity", "type", "src", "dst", "asset",
                                          "mitre", "count", "summary"};
        struct table t;
        table_init(&t, 9, hdr);
        json_array_foreach(json_object_get(doc, "alerts"), i, a) {
            char mitre[128] = "", n[24];
            size_t k, o = 0;
            json_t *m;
            json_array_foreach(json_object_get(a, "mitre_ics"), k, m)
                o += (size_t)snprintf(mitre + o, sizeof mitre - o, "%s%s", k ? "," : "",
                                      json_string_value(m));
            snprintf(n, sizeof n, "%lld", (long long)json_integer_value(json_object_get(a, "count")));
            const char *row[] = {jstr(a, "time"), jstr(a, "severity"), jstr(a, "type"),
                                 jstr(a, "src"), jstr(a, "dst"), jstr(a, "asset"), mitre, n,
                                 jstr(a, "summary")};
            table_add(&t, row);
        }
        table_print(&t, stdout);
        table_free(&t);
    }
    json_decref(doc);
    return EXIT_OK;
}
