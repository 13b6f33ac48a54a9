/* assets.c - `otscope assets`: the asset inventory as a table, JSON (SPEC.md) or CSV. */
#include <getopt.h>
#include <string.h>

#include "cmd/cmd.h"
#include "util/table.h"

static const char usage[] =
    "usage: otscope assets [--db DB] [--format table|json|csv]\n"
    "The asset inventory: identity (vendor, product, order number, firmware, serial, name),\n"
    "role, Purdue level, criticality and protocols; JSON adds the evidence of every value\n"
    "(protocol message, file and frame number).\n";

static void join_array(const json_t *arr, const char *key, char *out, size_t n)
{
    size_t o = 0;
    out[0] = '\0';
    size_t i;
    const json_t *v;
    json_array_foreach(arr, i, v)
    {
        const char *s = key ? jstr(v, key) : json_string_value(v);
        char as[48] = "";
        if (key && json_is_string(json_object_get(v, "as")))
            snprintf(as, sizeof as, "(%c)", jstr(v, "as")[0]);
        int w = snprintf(out + o, n - o, "%s%s%s", i ? " " : "", s ? s : "", as);
        if (w < 0 || (size_t)w >= n - o)
            break;
        o += (size_t)w;
    }
}

int cmd_assets(int argc, char **argv)
{
    static const struct option opts[] = {{"db", required_argument, NULL, 'd'},
                                         {"format", required_argument, NULL, 'f'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *db = default_db();
    enum out_format fmt = FMT_TABLE;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            db = optarg;
            break;
        case 'f':
            if (!parse_format("assets", optarg, "table,json,csv", &fmt))
                return EXIT_USAGE;
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
        return usage_error("assets", "unexpected argument '%s'", argv[optind]);
    struct store *s = open_existing_store(db);
    if (!s)
        return EXIT_INPUT;
    json_t *doc = store_assets_json(s);
    store_close(s);
    if (!doc)
        return EXIT_RUNTIME;
    if (fmt == FMT_JSON) {
        print_json(doc, stdout);
    } else {
        static const char *const hdr[] = {"id",          "mac",       "ips",          "mac_vendor",
                                          "vendor",      "product",   "order_number", "firmware",
                                          "serial",      "name",      "role",         "purdue",
                                          "criticality", "protocols", "first_seen",   "last_seen"};
        struct table t;
        table_init(&t, 16, hdr);
        size_t i;
        json_t *a;
        json_array_foreach(json_object_get(doc, "assets"), i, a)
        {
            char ips[256], protos[512], lvl[8] = "-";
            join_array(json_object_get(a, "ips"), NULL, ips, sizeof ips);
            join_array(json_object_get(a, "protocols"), "name", protos, sizeof protos);
            if (json_is_integer(json_object_get(a, "purdue_level")))
                snprintf(lvl, sizeof lvl, "%d",
                         (int)json_integer_value(json_object_get(a, "purdue_level")));
            const char *row[16] = {
                jstr(a, "id"),           jstr(a, "mac"),           ips[0] ? ips : "-",
                jstr(a, "mac_vendor"),   jstr(a, "vendor"),        jstr(a, "product"),
                jstr(a, "order_number"), jstr(a, "firmware"),      jstr(a, "serial"),
                jstr(a, "name"),         jstr(a, "role"),          lvl,
                jstr(a, "criticality"),  protos[0] ? protos : "-", jstr(a, "first_seen"),
                jstr(a, "last_seen")};
            table_add(&t, row);
        }
        if (fmt == FMT_CSV)
            table_csv(&t, stdout);
        else
            table_print(&t, stdout);
        table_free(&t);
    }
    json_decref(doc);
    return EXIT_OK;
}
