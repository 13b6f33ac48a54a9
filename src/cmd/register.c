/* register.c - `otscope register import|gaps|export`: the ISMS asset register against what the
 * wire shows. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "store/register.h"
#include "util/table.h"
#include "util/timefmt.h"

static const char usage[] =
    "usage: otscope register import [--db DB] FILE.csv\n"
    "       otscope register gaps [--db DB] [--format table|json] [--stale-days N] [--now TIME]\n"
    "                             [--all]\n"
    "       otscope register export [--db DB] [-o FILE.csv]\n\n"
    "import  replace the register with a CSV export of the ISMS asset register. Columns (header\n"
    "        names, case-insensitive; synonyms accepted): asset_id (or 'asset id', 'id'), name\n"
    "        (hostname), mac, ip, serial, vendor (manufacturer), model (product), firmware\n"
    "        (version), owner, criticality, zone. Other columns are kept. Rows are matched to\n"
    "        seen assets by MAC (confidence 1.0), serial (0.95), IP and name (0.9), IP (0.6),\n"
    "        name (0.5).\n"
    "gaps    unmanaged assets (seen, not in the register), stale entries (registered, not seen\n"
    "        for --stale-days, default 30, before --now, default the newest capture time) and\n"
    "        mismatches (registered firmware/model differs from what the device says), counted\n"
    "        by criticality and role. OT assets only unless --all.\n"
    "export  the seen inventory as a CSV the register can import (same column names).\n";

static int do_import(const char *db, int argc, char **argv)
{
    if (argc != 1)
        return usage_error("register", "import wants one CSV file");
    char err[512];
    struct store *s = store_open(db, true, err, sizeof err);
    if (!s) {
        fprintf(stderr, "otscope: %s: %s\n", db, err);
        return EXIT_RUNTIME;
    }
    int rows = 0;
    int rc = register_import(s, argv[0], time_now_ns(), &rows, err, sizeof err);
    if (rc)
        fprintf(stderr, "otscope: %s: %s\n", argv[0], err);
    else
        printf("imported %d register entries from %s\n", rows, argv[0]);
    store_close(s);
    return rc;
}

static void print_gaps(json_t *g)
{
    json_t *c = json_object_get(g, "counts");
    json_int_t seen = json_integer_value(json_object_get(c, "ot_assets_seen"));
    if (!json_object_get(c, "ot_assets_seen"))
        seen = json_integer_value(json_object_get(c, "assets_seen"));
    printf("%s assets seen: %lld; registered: %lld; matched: %lld\n",
           !strcmp(jstr(g, "scope"), "ot") ? "OT" : "All", (long long)seen,
           (long long)json_integer_value(json_object_get(c, "registered")),
           (long long)json_integer_value(json_object_get(c, "matched")));
    printf("unmanaged: %lld (%.0f %% of seen); stale: %lld (not seen for %lld days before %s);"
           " mismatched: %lld\n\n",
           (long long)json_integer_value(json_object_get(c, "unmanaged")),
           100 * json_real_value(json_object_get(c, "unmanaged_share")),
           (long long)json_integer_value(json_object_get(c, "stale")),
           (long long)json_integer_value(json_object_get(g, "stale_days")), jstr(g, "now"),
           (long long)json_integer_value(json_object_get(c, "mismatched")));
    static const char *const bh[] = {"by", "value", "unmanaged", "stale", "mismatched"};
    struct table t;
    table_init(&t, 5, bh);
    const char *groups[] = {"by_criticality", "by_role"};
    for (int gi = 0; gi < 2; gi++) {
        const char *k;
        json_t *v;
        json_object_foreach(json_object_get(g, groups[gi]), k, v)
        {
            char n[3][24];
            const char *f[3] = {"unmanaged", "stale", "mismatched"};
            for (int i = 0; i < 3; i++)
                snprintf(n[i], sizeof n[i], "%lld",
                         (long long)json_integer_value(json_object_get(v, f[i])));
            const char *row[] = {groups[gi] + 3, k, n[0], n[1], n[2]};
            table_add(&t, row);
        }
    }
    table_print(&t, stdout);
    table_free(&t);
    printf("\nunmanaged:\n");
    static const char *const uh[] = {"asset", "criticality", "role",    "ips",
                                     "mac",   "vendor",      "product", "name"};
    table_init(&t, 8, uh);
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(g, "unmanaged"), i, v)
    {
        const char *row[] = {jstr(v, "asset"),   jstr(v, "criticality"), jstr(v, "role"),
                             jstr(v, "ips"),     jstr(v, "mac"),         jstr(v, "vendor"),
                             jstr(v, "product"), jstr(v, "name")};
        table_add(&t, row);
    }
    table_print(&t, stdout);
    table_free(&t);
    printf("\nstale:\n");
    static const char *const sh[] = {"asset_ref",     "name",      "ip",
                                     "matched_asset", "last_seen", "reason"};
    table_init(&t, 6, sh);
    json_array_foreach(json_object_get(g, "stale"), i, v)
    {
        const char *row[] = {jstr(v, "asset_ref"), jstr(v, "name"),      jstr(v, "ip"),
                             jstr(v, "asset"),     jstr(v, "last_seen"), jstr(v, "reason")};
        table_add(&t, row);
    }
    table_print(&t, stdout);
    table_free(&t);
    printf("\nmismatched:\n");
    static const char *const mh[] = {"asset_ref", "asset", "field", "registered", "seen"};
    table_init(&t, 5, mh);
    json_array_foreach(json_object_get(g, "mismatched"), i, v)
    {
        const char *row[] = {jstr(v, "asset_ref"), jstr(v, "asset"), jstr(v, "field"),
                             jstr(v, "registered"), jstr(v, "seen")};
        table_add(&t, row);
    }
    table_print(&t, stdout);
    table_free(&t);
}

static int do_export(struct store *s, const char *out)
{
    json_t *doc = store_assets_json(s);
    if (!doc)
        return EXIT_RUNTIME;
    FILE *f = out ? fopen(out, "w") : stdout;
    if (!f) {
        fprintf(stderr, "otscope: %s: cannot write\n", out);
        json_decref(doc);
        return EXIT_RUNTIME;
    }
    static const char *const hdr[] = {
        "asset_id",     "name",         "mac",        "ip",          "serial",   "vendor",
        "model",        "firmware",     "owner",      "criticality", "zone",     "role",
        "purdue_level", "order_number", "mac_vendor", "first_seen",  "last_seen"};
    struct table t;
    table_init(&t, 17, hdr);
    size_t i;
    json_t *a;
    json_array_foreach(json_object_get(doc, "assets"), i, a)
    {
        json_t *ips = json_object_get(a, "ips");
        char lvl[8] = "";
        if (json_is_integer(json_object_get(a, "purdue_level")))
            snprintf(lvl, sizeof lvl, "%d",
                     (int)json_integer_value(json_object_get(a, "purdue_level")));
        const char *model = jstr(json_object_get(a, "attributes"), "model");
        const char *row[] = {jstr(a, "id"),
                             jstr(a, "name"),
                             jstr(a, "mac"),
                             json_array_size(ips) ? json_string_value(json_array_get(ips, 0)) : "-",
                             jstr(a, "serial"),
                             jstr(a, "vendor"),
                             strcmp(model, "-") ? model : jstr(a, "product"),
                             jstr(a, "firmware"),
                             "-",
                             jstr(a, "criticality"),
                             jstr(a, "zone"),
                             jstr(a, "role"),
                             lvl[0] ? lvl : "-",
                             jstr(a, "order_number"),
                             jstr(a, "mac_vendor"),
                             jstr(a, "first_seen"),
                             jstr(a, "last_seen")};
        table_add(&t, row);
    }
    table_csv(&t, f);
    table_free(&t);
    json_decref(doc);
    if (out && fclose(f) != 0)
        return EXIT_RUNTIME;
    return EXIT_OK;
}

int cmd_register(int argc, char **argv)
{
    static const struct option opts[] = {{"db", required_argument, NULL, 'd'},
                                         {"format", required_argument, NULL, 'f'},
                                         {"stale-days", required_argument, NULL, 's'},
                                         {"now", required_argument, NULL, 'n'},
                                         {"all", no_argument, NULL, 'a'},
                                         {"output", required_argument, NULL, 'o'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        fputs(usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? EXIT_USAGE : EXIT_OK;
    }
    const char *sub = argv[1], *db = default_db(), *out = NULL;
    enum out_format fmt = FMT_TABLE;
    int stale_days = 30;
    int64_t now = 0;
    bool all = false;
    int c;
    optind = 2;
    while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            db = optarg;
            break;
        case 'f':
            if (!parse_format("register", optarg, "table,json", &fmt))
                return EXIT_USAGE;
            break;
        case 's': {
            long v;
            if (!parse_long(optarg, 0, 36500, &v))
                return usage_error("register", "--stale-days wants 0..36500");
            stale_days = (int)v;
            break;
        }
        case 'n':
            if (!time_parse(optarg, &now))
                return usage_error("register", "--now wants an ISO-8601 time");
            break;
        case 'a':
            all = true;
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
    if (!strcmp(sub, "import"))
        return do_import(db, argc - optind, argv + optind);
    if (optind < argc)
        return usage_error("register", "unexpected argument '%s'", argv[optind]);
    if (strcmp(sub, "gaps") != 0 && strcmp(sub, "export") != 0)
        return usage_error("register", "unknown subcommand '%s' (import, gaps, export)", sub);
    struct store *s = open_existing_store(db);
    if (!s)
        return EXIT_INPUT;
    int rc = EXIT_OK;
    if (!strcmp(sub, "export")) {
        rc = do_export(s, out);
    } else {
        json_t *g = register_gaps_json(s, stale_days, now, all);
        if (fmt == FMT_JSON)
            print_json(g, stdout);
        else
            print_gaps(g);
        json_decref(g);
    }
    store_close(s);
    return rc;
}
