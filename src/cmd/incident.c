/* incident.c - `otscope incident new|update|list|show|report`: NIS2 Art. 23 incident records
 * with their 24 h / 72 h / one-month clocks and the stage reports. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "incident/incident.h"
#include "util/table.h"
#include "util/timefmt.h"

static const char usage[] =
    "usage: otscope incident new --title T --aware-at TIME [--from-alert ID]... [--not-significant]\n"
    "       otscope incident update ID [--set KEY=VALUE]... [--submitted STAGE=TIME]...\n"
    "                                  [--status open|handled|closed] [--handled-at TIME]\n"
    "                                  [--add-alert ID]... [--add-asset ID]... [--note TEXT]\n"
    "       otscope incident list [--format table|json]\n"
    "       otscope incident show ID [--format table|json]\n"
    "       otscope incident report ID --stage early-warning|notification|intermediate|final|\n"
    "                                  progress [--format md|json|pdf] [-o FILE] [--draft]\n"
    "All take --db DB and --now TIME (the clock's 'now', default the real time).\n\n"
    "NIS2 Art. 23(4) clocks from --aware-at: early warning due 24 h later, incident notification\n"
    "72 h later, final report one month after the notification was submitted (provisionally one\n"
    "month after its due time); if the incident is still ongoing then, a progress report is due\n"
    "then and the final report one month after it is handled. 'One month' is the same day and\n"
    "time of the next month, clamped to its last day.\n"
    "Fields (--set KEY=VALUE): description, suspected_malicious, cross_border, affected_services,\n"
    "severity, impact, iocs, threat_type, root_cause, mitigations_applied, mitigations_ongoing,\n"
    "recipients_informed, status_update, severe_disruption, considerable_damage, csirt, reporter. Each report lists the fields its stage\n"
    "requires; a report that lacks one is refused (exit 3, naming them) unless --draft.\n"
    "Significance (Art. 23(3)) is recomputed from severe_disruption and considerable_damage when\n"
    "they are set. 'list' shows the time left or overdue for each stage.\n";

static bool field_known(const char *k)
{
    for (int i = 0; i < incident_nfields; i++)
        if (!strcmp(incident_fields[i].key, k))
            return true;
    return false;
}

static int64_t parse_id(const char *s)
{
    char *end;
    long long v = strtoll(s, &end, 10);
    return *s && !*end && v > 0 ? v : -1;
}

static void print_list(json_t *doc)
{
    static const char *const h[] = {"id", "status", "aware_at", "early-warning", "notification",
                                    "final", "title"};
    struct table t;
    table_init(&t, 7, h);
    size_t i;
    json_t *x;
    json_array_foreach(json_object_get(doc, "incidents"), i, x) {
        char id[16], cell[3][96];
        const char *st[3] = {"early-warning", "notification", "final"};
        snprintf(id, sizeof id, "%lld", (long long)json_integer_value(json_object_get(x, "id")));
        for (int k = 0; k < 3; k++) {
            json_t *s = json_object_get(json_object_get(x, "stages"), st[k]);
            snprintf(cell[k], sizeof cell[k], "%s (%s)", jstr(s, "state"),
                     strcmp(jstr(s, "time_left"), "-") ? jstr(s, "time_left") : jstr(s, "due"));
        }
        const char *row[] = {id, jstr(x, "status"), jstr(x, "aware_at"), cell[0], cell[1],
                             cell[2], jstr(x, "title")};
        table_add(&t, row);
    }
    table_print(&t, stdout);
    table_free(&t);
}

int cmd_incident(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'},         {"title", required_argument, NULL, 't'},
        {"aware-at", required_argument, NULL, 'a'},   {"from-alert", required_argument, NULL, 'A'},
        {"not-significant", no_argument, NULL, 'n'},  {"set", required_argument, NULL, 's'},
        {"submitted", required_argument, NULL, 'S'},  {"status", required_argument, NULL, 'u'},
        {"handled-at", required_argument, NULL, 'H'}, {"add-alert", required_argument, NULL, 'L'},
        {"add-asset", required_argument, NULL, 'X'},  {"note", required_argument, NULL, 'N'},
        {"format", required_argument, NULL, 'f'},     {"stage", required_argument, NULL, 'g'},
        {"output", required_argument, NULL, 'o'},     {"now", required_argument, NULL, 'w'},
        {"draft", no_argument, NULL, 'R'},
        {"help", no_argument, NULL, 'h'},             {NULL, 0, NULL, 0}};
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        fputs(usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? EXIT_USAGE : EXIT_OK;
    }
    const char *sub = argv[1];
    const char *db = default_db(), *title = NULL, *stage = NULL, *out = NULL, *status = NULL;
    const char *note = NULL;
    int64_t aware = 0, handled = 0, now = time_now_ns();
    bool significant = true, fmt_given = false, draft = false;
    enum out_format fmt = FMT_TABLE;
    char *alerts[64], *sets[64], *subs[16], *add_alerts[64], *add_assets[64];
    int nalerts = 0, nsets = 0, nsubs = 0, nadd_al = 0, nadd_as = 0;
    int c;
    optind = 2;
    while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
        switch (c) {
        case 'd': db = optarg; break;
        case 't': title = optarg; break;
        case 'a':
            if (!time_parse(optarg, &aware))
                return usage_error("incident", "--aware-at wants an ISO 8601 time");
            break;
        case 'A': if (nalerts < 64) alerts[nalerts++] = optarg; break;
        case 'n': significant = false; break;
        case 's': if (nsets < 64) sets[nsets++] = optarg; break;
        case 'S': if (nsubs < 16) subs[nsubs++] = optarg; break;
        case 'u':
            if (strcmp(optarg, "open") && strcmp(optarg, "handled") && strcmp(optarg, "closed"))
                return usage_error("incident", "--status is open, handled or closed");
            status = optarg;
            break;
        case 'H':
            if (!time_parse(optarg, &handled))
                return usage_error("incident", "--handled-at wants an ISO 8601 time");
            break;
        case 'L': if (nadd_al < 64) add_alerts[nadd_al++] = optarg; break;
        case 'X': if (nadd_as < 64) add_assets[nadd_as++] = optarg; break;
        case 'N': note = optarg; break;
        case 'f':
            if (!parse_format("incident", optarg, "table,json,md,pdf", &fmt))
                return EXIT_USAGE;
            fmt_given = true;
            break;
        case 'g': stage = optarg; break;
        case 'R': draft = true; break;
        case 'o': out = optarg; break;
        case 'w':
            if (!time_parse(optarg, &now))
                return usage_error("incident", "--now wants an ISO 8601 time");
            break;
        case 'h': fputs(usage, stdout); return EXIT_OK;
        default: fputs(usage, stderr); return EXIT_USAGE;
        }
    }
    int64_t id = 0;
    if (!strcmp(sub, "update") || !strcmp(sub, "show") || !strcmp(sub, "report")) {
        if (optind >= argc || (id = parse_id(argv[optind])) < 0)
            return usage_error("incident", "%s wants an incident id", sub);
        optind++;
    } else if (strcmp(sub, "new") && strcmp(sub, "list")) {
        return usage_error("incident", "unknown subcommand '%s'", sub);
    }
    if (optind < argc)
        return usage_error("incident", "unexpected argument '%s'", argv[optind]);
    for (int i = 0; i < nsets; i++) {
        char *eq = strchr(sets[i], '=');
        if (!eq)
            return usage_error("incident", "--set wants KEY=VALUE");
        *eq = '\0';
        if (!field_known(sets[i]))
            return usage_error("incident", "unknown field '%s' (see --help)", sets[i]);
        *eq = '=';
    }
    for (int i = 0; i < nsubs; i++) {
        char *eq = strchr(subs[i], '=');
        int64_t t;
        if (!eq)
            return usage_error("incident", "--submitted wants STAGE=TIME");
        *eq = '\0';
        if (!incident_stage_valid(subs[i]) || !time_parse(eq + 1, &t))
            return usage_error("incident", "--submitted wants STAGE=TIME with a known stage");
        *eq = '=';
    }
    struct store *s = !strcmp(sub, "new") ? NULL : open_existing_store(db);
    if (!strcmp(sub, "new")) {
        char err[512];
        s = store_open(db, true, err, sizeof err);
        if (!s) {
            fprintf(stderr, "otscope: %s: %s\n", db, err);
            return EXIT_RUNTIME;
        }
    }
    if (!s)
        return EXIT_INPUT;
    int rc = EXIT_OK;
    if (id && !incident_exists(s, id)) {
        fprintf(stderr, "otscope: incident %lld: no such incident\n", (long long)id);
        store_close(s);
        return EXIT_INPUT;
    }
    if (!strcmp(sub, "new")) {
        if (!title || !*title || !aware) {
            store_close(s);
            return usage_error("incident", "new wants --title and --aware-at");
        }
        char err[512];
        id = incident_new(s, title, aware, significant, alerts, nalerts, now, err, sizeof err);
        if (id < 0) {
            fprintf(stderr, "otscope: incident: %s\n", err);
            rc = EXIT_INPUT;
        } else {
            printf("incident %lld recorded; early warning due %s\n", (long long)id, "in 24 h");
        }
    }
    if (!rc && (!strcmp(sub, "update") || !strcmp(sub, "new")) && id > 0) {
        for (int i = 0; i < nsets && !rc; i++) {
            char *eq = strchr(sets[i], '=');
            *eq = '\0';
            rc = incident_set_field(s, id, sets[i], eq + 1) ? EXIT_RUNTIME : 0;
            char e[600];
            snprintf(e, sizeof e, "set %s", sets[i]);
            incident_log(s, id, now, e);
        }
        for (int i = 0; i < nsubs && !rc; i++) {
            char *eq = strchr(subs[i], '=');
            int64_t t;
            *eq = '\0';
            time_parse(eq + 1, &t);
            rc = incident_submit(s, id, subs[i], t) ? EXIT_RUNTIME : 0;
            char e[200];
            snprintf(e, sizeof e, "%s submitted at %s", subs[i], eq + 1);
            incident_log(s, id, now, e);
        }
        if (nsets)
            incident_assess_significance(s, id);
        if (status || handled) {
            rc = incident_set_status(s, id, status ? status : "handled", handled) ? EXIT_RUNTIME
                                                                                  : rc;
            incident_log(s, id, now, status ? status : "handled");
        }
        for (int i = 0; i < nadd_al; i++)
            incident_link(s, id, "alert", add_alerts[i]);
        for (int i = 0; i < nadd_as; i++)
            incident_link(s, id, "asset", add_assets[i]);
        if (note)
            incident_log(s, id, now, note);
    }
    if (!rc && (!strcmp(sub, "list") || !strcmp(sub, "show"))) {
        json_t *doc = incident_list_json(s, id, now);
        if (fmt == FMT_JSON) {
            print_json(id ? json_array_get(json_object_get(doc, "incidents"), 0) : doc, stdout);
        } else if (fmt == FMT_TABLE) {
            print_list(doc);
            if (id)
                print_json(json_object_get(json_array_get(json_object_get(doc, "incidents"), 0),
                                           "fields"),
                           stdout);
        } else {
            rc = usage_error("incident", "list/show print table or json");
        }
        json_decref(doc);
    }
    if (!rc && !strcmp(sub, "report")) {
        if (!stage || !incident_stage_valid(stage)) {
            store_close(s);
            return usage_error("incident", "report wants --stage early-warning|notification|"
                                           "intermediate|final|progress");
        }
        if (!fmt_given)
            fmt = FMT_MD;
        json_t *r = incident_report_json(s, id, stage, now);
        size_t nmiss = json_array_size(json_object_get(r, "missing"));
        if (r && nmiss && !draft) {
            /* a report that lacks what its stage requires is not submitted half-empty */
            fprintf(stderr, "otscope: incident %lld: the %s report lacks required fields:",
                    (long long)id, stage);
            size_t k;
            json_t *m;
            json_array_foreach(json_object_get(r, "missing"), k, m)
                fprintf(stderr, " %s", json_string_value(m));
            fprintf(stderr, " (set them with 'otscope incident update %lld --set KEY=VALUE', or"
                            " write a --draft)\n", (long long)id);
            json_decref(r);
            store_close(s);
            return EXIT_INPUT;
        }
        FILE *f = out && fmt != FMT_PDF ? fopen(out, "w") : stdout;
        if (!r || !f) {
            rc = EXIT_RUNTIME;
        } else if (fmt == FMT_JSON) {
            print_json(r, f);
        } else if (fmt == FMT_PDF) {
            if (!out) {
                rc = usage_error("incident", "a PDF needs -o FILE.pdf");
            } else {
                char *md = NULL;
                size_t mdlen = 0;
                FILE *m = open_memstream(&md, &mdlen);
                incident_report_md(r, m);
                fclose(m);
                rc = pdf_render_text("NIS2 incident report", md, out) ? EXIT_RUNTIME : EXIT_OK;
                free(md);
            }
        } else {
            incident_report_md(r, f);
        }
        if (f && f != stdout)
            fclose(f);
        json_decref(r);
    }
    store_close(s);
    return rc;
}
