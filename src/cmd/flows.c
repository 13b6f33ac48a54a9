/* flows.c - `otscope flows` and `otscope operations`: who talks to whom with which protocol,
 * and what was done to devices. */
#include <getopt.h>
#include <inttypes.h>
#include <string.h>

#include "cmd/cmd.h"
#include "util/table.h"

static const char flows_usage[] =
    "usage: otscope flows [--db DB] [--format table|json|csv]\n"
    "Conversations between endpoints (client -> server, transport, server port, application\n"
    "protocol), with connections, packets and bytes per direction and first/last seen.\n";

static const char ops_usage[] =
    "usage: otscope operations [--db DB] [--format table|json|csv]\n"
    "Operations seen on industrial protocols (reads, writes, PLC stop/start, program\n"
    "download/upload, restarts, commands, ...), aggregated per source, destination, function,\n"
    "target and result, with a count, first/last time and the first frame as evidence.\n";

typedef void (*row_fn)(struct table *t, const json_t *item);

static int listing(int argc, char **argv, const char *cmd, const char *usage,
                   json_t *(*query)(struct store *), const char *key, size_t ncols,
                   const char *const *hdr, row_fn row)
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
            if (!parse_format(cmd, optarg, "table,json,csv", &fmt))
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
        return usage_error(cmd, "unexpected argument '%s'", argv[optind]);
    struct store *s = open_existing_store(db);
    if (!s)
        return EXIT_INPUT;
    json_t *doc = query(s);
    store_close(s);
    if (!doc)
        return EXIT_RUNTIME;
    if (fmt == FMT_JSON) {
        print_json(doc, stdout);
    } else {
        struct table t;
        table_init(&t, ncols, hdr);
        size_t i;
        json_t *item;
        json_array_foreach(json_object_get(doc, key), i, item) row(&t, item);
        if (fmt == FMT_CSV)
            table_csv(&t, stdout);
        else
            table_print(&t, stdout);
        table_free(&t);
    }
    json_decref(doc);
    return EXIT_OK;
}

static const char *ep_text(const json_t *ep, char *buf, size_t n)
{
    const char *ip = jstr(ep, "ip");
    snprintf(buf, n, "%s", strcmp(ip, "-") ? ip : jstr(ep, "mac"));
    return buf;
}

static void flow_row(struct table *t, const json_t *f)
{
    char c[64], s[64], port[8], conns[24], pk[48], by[48], vlan[8] = "-";
    snprintf(port, sizeof port, "%d", (int)json_integer_value(json_object_get(f, "port")));
    snprintf(conns, sizeof conns, "%" JSON_INTEGER_FORMAT,
             json_integer_value(json_object_get(f, "connections")));
    const json_t *p = json_object_get(f, "packets"), *b = json_object_get(f, "bytes");
    snprintf(pk, sizeof pk, "%" JSON_INTEGER_FORMAT "/%" JSON_INTEGER_FORMAT,
             json_integer_value(json_object_get(p, "to_server")),
             json_integer_value(json_object_get(p, "to_client")));
    snprintf(by, sizeof by, "%" JSON_INTEGER_FORMAT "/%" JSON_INTEGER_FORMAT,
             json_integer_value(json_object_get(b, "to_server")),
             json_integer_value(json_object_get(b, "to_client")));
    if (json_is_integer(json_object_get(f, "vlan")))
        snprintf(vlan, sizeof vlan, "%d", (int)json_integer_value(json_object_get(f, "vlan")));
    const char *row[] = {ep_text(json_object_get(f, "client"), c, sizeof c),
                         ep_text(json_object_get(f, "server"), s, sizeof s),
                         jstr(f, "transport"),
                         port,
                         jstr(f, "protocol"),
                         vlan,
                         conns,
                         pk,
                         by,
                         jstr(f, "first_seen"),
                         jstr(f, "last_seen")};
    table_add(t, row);
}

int cmd_flows(int argc, char **argv)
{
    static const char *const hdr[] = {
        "client",      "server",           "transport",      "port",       "protocol", "vlan",
        "connections", "packets(c>s/s>c)", "bytes(c>s/s>c)", "first_seen", "last_seen"};
    return listing(argc, argv, "flows", flows_usage, store_flows_json, "flows", 11, hdr, flow_row);
}

static void op_row(struct table *t, const json_t *o)
{
    char s[64], d[64], n[24];
    snprintf(n, sizeof n, "%" JSON_INTEGER_FORMAT, json_integer_value(json_object_get(o, "count")));
    const char *row[] = {jstr(o, "time"),
                         ep_text(json_object_get(o, "src"), s, sizeof s),
                         ep_text(json_object_get(o, "dst"), d, sizeof d),
                         jstr(o, "protocol"),
                         jstr(o, "kind"),
                         jstr(o, "function"),
                         jstr(o, "target"),
                         jstr(o, "result"),
                         n};
    table_add(t, row);
}

int cmd_operations(int argc, char **argv)
{
    static const char *const hdr[] = {"time",     "src",    "dst",    "protocol", "kind",
                                      "function", "target", "result", "count"};
    return listing(argc, argv, "operations", ops_usage, store_operations_json, "operations", 9, hdr,
                   op_row);
}
