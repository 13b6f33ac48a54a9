/* report.c - `otscope report board`: a first board report from the inventory (Markdown, HTML or
 * JSON).  It answers what the sensor core can already answer: how many OT assets, how critical,
 * what was done to them, and what is insecure.  Vulnerability exposure, segmentation and the
 * register gap are added by their issues; the JSON marks them "not yet assessed". */
#include <getopt.h>
#include <sqlite3.h>
#include <string.h>

#include "cmd/cmd.h"
#include "util/timefmt.h"

static const char usage[] =
    "usage: otscope report board [--db DB] [--format md|html|json] [-o FILE]\n"
    "The board report: OT assets seen by role and criticality, control operations (PLC stop/\n"
    "start, program download/upload, writes) and insecure findings, with the evidence behind\n"
    "each number. Without -o the report goes to stdout.\n";

static json_t *rows(sqlite3 *db, const char *sql)
{
    json_t *arr = json_array();
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return arr;
    while (sqlite3_step(st) == SQLITE_ROW) {
        json_t *o = json_object();
        for (int i = 0; i < sqlite3_column_count(st); i++) {
            const char *name = sqlite3_column_name(st, i);
            switch (sqlite3_column_type(st, i)) {
            case SQLITE_INTEGER:
                json_object_set_new(o, name, json_integer(sqlite3_column_int64(st, i)));
                break;
            case SQLITE_NULL:
                json_object_set_new(o, name, json_null());
                break;
            default:
                json_object_set_new(o, name, json_string((const char *)sqlite3_column_text(st, i)));
            }
        }
        json_array_append_new(arr, o);
    }
    sqlite3_finalize(st);
    return arr;
}

#define OT_ROLES                                                                                   \
    "('plc','rtu','ied','io-device','hmi','engineering-workstation','scada-server',"               \
    "'historian','opc-server','broker')"

static json_t *board_json(struct store *s)
{
    sqlite3 *db = store_db(s);
    char now[TIME_STRLEN];
    time_format(time_now_ns(), now);
    json_t *doc = json_object();
    json_object_set_new(doc, "schema", json_string("otscope.board/1"));
    json_object_set_new(doc, "generated_at", json_string(now));
    json_t *period = rows(db, "SELECT min(first_ns) AS from_ns, max(last_ns) AS to_ns FROM assets");
    json_t *p0 = json_array_get(period, 0);
    char a[TIME_STRLEN] = "", b[TIME_STRLEN] = "";
    if (json_is_integer(json_object_get(p0, "from_ns"))) {
        time_format(json_integer_value(json_object_get(p0, "from_ns")), a);
        time_format(json_integer_value(json_object_get(p0, "to_ns")), b);
    }
    json_decref(period);
    json_object_set_new(doc, "period",
                        json_pack("{s:s?, s:s?}", "from", a[0] ? a : NULL, "to", b[0] ? b : NULL));
    json_object_set_new(doc, "sites",
                        rows(db, "SELECT site, count(*) AS assets FROM assets"
                                 " GROUP BY site ORDER BY site"));
    json_object_set_new(doc, "summary", store_summary_json(s));
    json_object_set_new(
        doc, "ot_assets_by_role_and_criticality",
        rows(db, "SELECT role, criticality, count(*) AS assets FROM assets WHERE role IN " OT_ROLES
                 " GROUP BY role, criticality ORDER BY criticality, role"));
    json_object_set_new(
        doc, "ot_assets",
        rows(db, "SELECT a.id, a.role, a.criticality, a.purdue_level, a.vendor, a.product,"
                 " a.order_number, a.firmware, a.name, (SELECT group_concat(ip, ' ') FROM asset_ips"
                 " WHERE asset_id=a.id) AS ips FROM assets a WHERE a.role IN " OT_ROLES
                 " ORDER BY CASE a.criticality WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END,"
                 " a.id"));
    json_object_set_new(
        doc, "control_operations",
        rows(db, "SELECT kind, proto AS protocol, src_ip AS source, dst_ip AS target_ip,"
                 " function, target, sum(count) AS count FROM operations WHERE kind NOT IN"
                 " ('read','session','other') GROUP BY kind, proto, src_ip, dst_ip, function,"
                 " target ORDER BY CASE kind WHEN 'plc-stop' THEN 0 WHEN 'program-download' THEN 1"
                 " WHEN 'firmware-update' THEN 2 WHEN 'plc-start' THEN 3 ELSE 4 END, count DESC"
                 " LIMIT 50"));
    json_object_set_new(
        doc, "findings",
        rows(db, "SELECT kind, detail, proto AS protocol, ip, mac, sum(count) AS count FROM"
                 " findings GROUP BY kind, detail, proto, ip, mac ORDER BY kind, count DESC"
                 " LIMIT 50"));
    json_t *na = json_string("not yet assessed");
    json_object_set(doc, "unmanaged_assets", na);
    json_object_set(doc, "vulnerability_exposure", na);
    json_object_set(doc, "segmentation", na);
    json_decref(na);
    return doc;
}

static const char *crit_order[] = {"high", "medium", "low"};

static void md(json_t *doc, FILE *f)
{
    json_t *sum = json_object_get(doc, "summary");
    fprintf(f, "# OT security board report\n\nGenerated %s from passive traffic",
            jstr(doc, "generated_at"));
    json_t *per = json_object_get(doc, "period");
    fprintf(f, " seen from %s to %s.\n\n", jstr(per, "from"), jstr(per, "to"));
    fprintf(f, "## Page 1: what we see\n\n");
    fprintf(f,
            "- **%lld OT assets** (controllers, HMIs, engineering stations, servers) among %lld"
            " devices on the wire.\n",
            (long long)json_integer_value(json_object_get(sum, "ot_assets")),
            (long long)json_integer_value(json_object_get(sum, "assets")));
    json_t *crit = json_object_get(sum, "ot_by_criticality");
    fprintf(f, "- By criticality:");
    for (int i = 0; i < 3; i++)
        fprintf(f, " %s %lld%s", crit_order[i],
                (long long)json_integer_value(json_object_get(crit, crit_order[i])),
                i < 2 ? "," : ".\n");
    size_t nops = json_array_size(json_object_get(doc, "control_operations"));
    size_t nfind = json_array_size(json_object_get(doc, "findings"));
    fprintf(f,
            "- %zu kinds of control operation seen (stops, program changes, writes); %zu"
            " insecure findings.\n",
            nops, nfind);
    fprintf(f, "- Not yet assessed in this report: register gaps, known vulnerabilities, "
               "segmentation.\n\n");
    fprintf(f, "## OT assets\n\n| criticality | role | id | vendor | product | order number |"
               " firmware | name | IPs |\n|---|---|---|---|---|---|---|---|---|\n");
    size_t i;
    json_t *a;
    json_array_foreach(json_object_get(doc, "ot_assets"), i, a)
        fprintf(f, "| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", jstr(a, "criticality"),
                jstr(a, "role"), jstr(a, "id"), jstr(a, "vendor"), jstr(a, "product"),
                jstr(a, "order_number"), jstr(a, "firmware"), jstr(a, "name"), jstr(a, "ips"));
    fprintf(
        f,
        "\n## Control operations\n\n| kind | protocol | from | to | function | target | count |\n"
        "|---|---|---|---|---|---|---|\n");
    json_array_foreach(json_object_get(doc, "control_operations"), i, a)
        fprintf(f, "| %s | %s | %s | %s | %s | %s | %lld |\n", jstr(a, "kind"), jstr(a, "protocol"),
                jstr(a, "source"), jstr(a, "target_ip"), jstr(a, "function"), jstr(a, "target"),
                (long long)json_integer_value(json_object_get(a, "count")));
    fprintf(
        f, "\n## Findings\n\n| kind | protocol | host | detail | count |\n|---|---|---|---|---|\n");
    json_array_foreach(json_object_get(doc, "findings"), i, a)
        fprintf(f, "| %s | %s | %s | %s | %lld |\n", jstr(a, "kind"), jstr(a, "protocol"),
                strcmp(jstr(a, "ip"), "") ? jstr(a, "ip") : jstr(a, "mac"), jstr(a, "detail"),
                (long long)json_integer_value(json_object_get(a, "count")));
}

static void html_text(FILE *f, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '<':
            fputs("&lt;", f);
            break;
        case '>':
            fputs("&gt;", f);
            break;
        case '&':
            fputs("&amp;", f);
            break;
        case '"':
            fputs("&quot;", f);
            break;
        default:
            fputc(*s, f);
        }
    }
}

static void html_table(FILE *f, json_t *arr, const char *const *cols, size_t n)
{
    fputs("<table><tr>", f);
    for (size_t c = 0; c < n; c++) {
        fputs("<th>", f);
        html_text(f, cols[c]);
        fputs("</th>", f);
    }
    fputs("</tr>\n", f);
    size_t i;
    json_t *a;
    json_array_foreach(arr, i, a)
    {
        fputs("<tr>", f);
        for (size_t c = 0; c < n; c++) {
            json_t *v = json_object_get(a, cols[c]);
            fputs("<td>", f);
            if (json_is_integer(v))
                fprintf(f, "%lld", (long long)json_integer_value(v));
            else
                html_text(f, json_is_string(v) ? json_string_value(v) : "-");
            fputs("</td>", f);
        }
        fputs("</tr>\n", f);
    }
    fputs("</table>\n", f);
}

static void html(json_t *doc, FILE *f)
{
    json_t *sum = json_object_get(doc, "summary");
    json_t *crit = json_object_get(sum, "ot_by_criticality");
    fputs("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>OT security board"
          " report</title><style>body{font-family:sans-serif;max-width:60em;margin:2em auto;"
          "color:#222}h1{font-size:1.6em}.big{display:flex;gap:1em}.big div{border:1px solid #ccc;"
          "border-radius:6px;padding:1em;flex:1}.big b{font-size:2em;display:block}table{border-"
          "collapse:collapse;width:100%;font-size:.85em;margin-bottom:2em}td,th{border:1px solid"
          " #ddd;padding:.3em;text-align:left}th{background:#f4f4f4}@media print{.big div{break-"
          "inside:avoid}}</style></head><body>\n",
          f);
    fputs("<h1>OT security board report</h1><p>Generated ", f);
    html_text(f, jstr(doc, "generated_at"));
    fputs(" from passive network traffic.</p><div class=\"big\">", f);
    fprintf(f, "<div><b>%lld</b>OT assets seen</div>",
            (long long)json_integer_value(json_object_get(sum, "ot_assets")));
    fprintf(f, "<div><b>%lld</b>high-criticality OT assets</div>",
            (long long)json_integer_value(json_object_get(crit, "high")));
    fprintf(f, "<div><b>%zu</b>kinds of control operation</div>",
            json_array_size(json_object_get(doc, "control_operations")));
    fprintf(f, "<div><b>%zu</b>insecure findings</div></div>\n",
            json_array_size(json_object_get(doc, "findings")));
    fputs("<p>Not yet assessed in this report: register gaps, known vulnerabilities,"
          " segmentation.</p><h2>OT assets</h2>",
          f);
    static const char *const ac[] = {"criticality",  "role",     "id",   "vendor", "product",
                                     "order_number", "firmware", "name", "ips"};
    html_table(f, json_object_get(doc, "ot_assets"), ac, 9);
    fputs("<h2>Control operations</h2>", f);
    static const char *const oc[] = {"kind",     "protocol", "source", "target_ip",
                                     "function", "target",   "count"};
    html_table(f, json_object_get(doc, "control_operations"), oc, 7);
    fputs("<h2>Findings</h2>", f);
    static const char *const fc[] = {"kind", "protocol", "ip", "mac", "detail", "count"};
    html_table(f, json_object_get(doc, "findings"), fc, 6);
    fputs("</body></html>\n", f);
}

int write_board_report(struct store *s, enum out_format fmt, const char *path)
{
    json_t *doc = board_json(s);
    FILE *f = path ? fopen(path, "w") : stdout;
    if (!f) {
        fprintf(stderr, "otscope: %s: cannot write the report\n", path);
        json_decref(doc);
        return EXIT_RUNTIME;
    }
    if (fmt == FMT_JSON)
        print_json(doc, f);
    else if (fmt == FMT_HTML)
        html(doc, f);
    else
        md(doc, f);
    int rc = EXIT_OK;
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
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        fputs(usage, stdout);
        return EXIT_OK;
    }
    if (argc < 2 || strcmp(argv[1], "board") != 0)
        return usage_error("report", "which report? (board)");
    const char *db = default_db(), *out = NULL;
    enum out_format fmt = FMT_MD;
    int c;
    optind = 2;
    while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            db = optarg;
            break;
        case 'f':
            if (!parse_format("report", optarg, "md,html,json", &fmt))
                return EXIT_USAGE;
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
    if (optind < argc)
        return usage_error("report", "unexpected argument '%s'", argv[optind]);
    struct store *s = open_existing_store(db);
    if (!s)
        return EXIT_INPUT;
    int rc = write_board_report(s, fmt, out);
    store_close(s);
    return rc;
}
