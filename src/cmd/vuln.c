/* vuln.c - `otscope vuln import|lookup` and `otscope vulns`: advisory feeds into the store, a
 * direct query, and the exposure of every asset in the inventory.  The table views are
 * rendered from the same JSON documents as --format json. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd/cmd.h"
#include "util/table.h"
#include "vuln/vuln.h"

static const char vuln_usage[] =
    "usage: otscope vuln import [--db DB] [-q] PATH...\n"
    "       otscope vuln lookup --vendor V (--product P | --order-number N) [--version X]\n"
    "                           [--order-number N] [--db DB] [--format table|json]\n\n"
    "import  read advisory data into the store: CSAF 2.0 advisories (files or whole folder\n"
    "        trees, e.g. CISA's csaf_files/OT/white), NVD CVE API 2.0 JSON (responses or bare\n"
    "        cve objects), the CISA KEV catalog JSON and FIRST EPSS CSV. The format is taken\n"
    "        from the content; in folders, *.json and *.csv files are read. Re-importing is\n"
    "        idempotent; a newer revision of an advisory replaces the stored one. A bad file is\n"
    "        reported and skipped (exit status 3), the rest is imported.\n"
    "lookup  which imported advisories apply to one product at one version: certainty\n"
    "        'certain' (product and version inside a range) or 'possible' (the range or the\n"
    "        version cannot be evaluated, or the hardware is not known), with CVEs, CVSS, KEV,\n"
    "        EPSS, fixed version and remediation. The order number (e.g. 6ES7 315-2EH14-0AB0)\n"
    "        tells hardware apart that shares a name and maps S7 CPUs to their family rows.\n";

static const char vulns_usage[] =
    "usage: otscope vulns [--db DB] [--format table|json]\n"
    "The known vulnerabilities of every asset in the inventory, from the imported advisories\n"
    "('otscope vuln import'): advisory, CVEs, CVSS base score and vector, KEV (with the date\n"
    "added), EPSS, fixed version, remediation, advisory URL, and a per-asset risk (KEV first,\n"
    "then the highest CVSS). Assets without a product (or order number) or without a firmware\n"
    "version are listed as unknown exposure, not as clean. When no protocol told the vendor, the\n"
    "MAC address (OUI) vendor is used as a weaker hint: such matches are at most 'possible'.\n";

static double seconds_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

static int do_import(const char *db, bool quiet, int argc, char **argv)
{
    if (argc < 1)
        return usage_error("vuln", "import wants at least one file or folder");
    char err[512];
    struct store *s = store_open(db, true, err, sizeof err);
    if (!s) {
        fprintf(stderr, "otscope: %s: %s\n", db, err);
        return EXIT_RUNTIME;
    }
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    struct vuln_import_stats st;
    int rc = vuln_import(s, argv, (size_t)argc, quiet, &st, err, sizeof err);
    store_close(s);
    if (rc) {
        fprintf(stderr, "otscope: %s: %s (nothing imported)\n", db, err);
        return EXIT_RUNTIME;
    }
    if (!quiet) {
        printf("imported %u advisories (%u replaced by a newer revision, %u unchanged, %u older"
               " kept out) with %u product rows (%u ranges cannot be evaluated: possible"
               " matches)\n",
               st.advisories, st.replaced, st.unchanged, st.older, st.products, st.unparsed_ranges);
        printf("NVD CVEs: %u; KEV entries: %u; EPSS scores: %u\n", st.nvd_cves, st.kev, st.epss);
        printf("%u files in %.2f s; %u skipped (not advisory data); %u bad\n", st.files,
               seconds_since(&t0), st.skipped, st.bad);
    }
    return st.bad ? EXIT_INPUT : EXIT_OK;
}

/* "CVE-1, CVE-2, CVE-3 (+12)" */
static void cve_list(const json_t *cves, char *out, size_t n)
{
    size_t o = 0, i;
    json_t *c;
    out[0] = '\0';
    json_array_foreach(cves, i, c)
    {
        int w = i < 3 ? snprintf(out + o, n - o, "%s%s", i ? " " : "", json_string_value(c))
                      : snprintf(out + o, n - o, " (+%zu)", json_array_size(cves) - 3);
        if (w < 0 || (size_t)w >= n - o || i >= 3)
            break;
        o += (size_t)w;
    }
}

static void num(const json_t *o, const char *k, int decimals, char *out, size_t n)
{
    const json_t *v = json_object_get(o, k);
    if (json_is_number(v))
        snprintf(out, n, "%.*f", decimals, json_number_value(v));
    else
        snprintf(out, n, "-");
}

/* one table row per match; the leading cells (asset columns) are given by the caller, the
 * reason is the last cell when asked for */
static void match_row(struct table *t, const char *const *lead, size_t nlead, const json_t *m,
                      bool reason)
{
    char cvss[16], epss[16], cves[160];
    num(m, "cvss", 1, cvss, sizeof cvss);
    num(m, "epss", 4, epss, sizeof epss);
    cve_list(json_object_get(m, "cves"), cves, sizeof cves);
    const char *kev = json_is_true(json_object_get(m, "kev")) ? jstr(m, "kev_date_added") : "no";
    const char *cells[16];
    size_t k = 0;
    for (; k < nlead; k++)
        cells[k] = lead[k];
    const char *rest[] = {
        jstr(m, "advisory"), jstr(m, "certainty"), cvss, kev, epss, jstr(m, "fixed_in"), cves};
    for (size_t i = 0; i < sizeof rest / sizeof *rest; i++)
        cells[k++] = rest[i];
    if (reason)
        cells[k++] = jstr(m, "reason");
    table_add(t, cells);
}

static int do_lookup(const char *db, enum out_format fmt, const char *vendor, const char *product,
                     const char *order, const char *version)
{
    if (!vendor && !order)
        return usage_error("vuln", "lookup wants --vendor (or an --order-number)");
    if (!product && !order)
        return usage_error("vuln", "lookup wants --product or --order-number");
    struct store *s = open_existing_store(db);
    if (!s)
        return EXIT_INPUT;
    if (vuln_advisory_count(s) == 0)
        fprintf(stderr, "otscope: %s: no advisories imported (run 'otscope vuln import')\n", db);
    json_t *doc = vuln_lookup_json(s, vendor, product, order, version);
    store_close(s);
    if (!doc)
        return EXIT_RUNTIME;
    if (fmt == FMT_JSON) {
        print_json(doc, stdout);
    } else {
        static const char *const hdr[] = {"advisory", "certainty", "cvss", "kev",
                                          "epss",     "fixed_in",  "cves", "reason"};
        struct table t;
        table_init(&t, 8, hdr);
        size_t i;
        json_t *m;
        json_array_foreach(json_object_get(doc, "matches"), i, m)
        {
            match_row(&t, NULL, 0, m, true);
        }
        table_print(&t, stdout);
        table_free(&t);
    }
    json_decref(doc);
    return EXIT_OK;
}

int cmd_vuln(int argc, char **argv)
{
    static const struct option opts[] = {{"db", required_argument, NULL, 'd'},
                                         {"format", required_argument, NULL, 'f'},
                                         {"vendor", required_argument, NULL, 'V'},
                                         {"product", required_argument, NULL, 'P'},
                                         {"version", required_argument, NULL, 'X'},
                                         {"order-number", required_argument, NULL, 'O'},
                                         {"quiet", no_argument, NULL, 'q'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        fputs(vuln_usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? EXIT_USAGE : EXIT_OK;
    }
    const char *sub = argv[1], *db = default_db();
    const char *vendor = NULL, *product = NULL, *version = NULL, *order = NULL;
    enum out_format fmt = FMT_TABLE;
    bool quiet = false;
    int c;
    optind = 2;
    while ((c = getopt_long(argc, argv, "qh", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            db = optarg;
            break;
        case 'f':
            if (!parse_format("vuln", optarg, "table,json", &fmt))
                return EXIT_USAGE;
            break;
        case 'V':
            vendor = optarg;
            break;
        case 'P':
            product = optarg;
            break;
        case 'X':
            version = optarg;
            break;
        case 'O':
            order = optarg;
            break;
        case 'q':
            quiet = true;
            break;
        case 'h':
            fputs(vuln_usage, stdout);
            return EXIT_OK;
        default:
            fputs(vuln_usage, stderr);
            return EXIT_USAGE;
        }
    }
    if (!strcmp(sub, "import"))
        return do_import(db, quiet, argc - optind, argv + optind);
    if (strcmp(sub, "lookup") != 0)
        return usage_error("vuln", "unknown subcommand '%s' (import, lookup)", sub);
    if (optind < argc)
        return usage_error("vuln", "unexpected argument '%s'", argv[optind]);
    return do_lookup(db, fmt, vendor, product, order, version);
}

static void vulns_table(const json_t *doc)
{
    static const char *const hdr[] = {"asset",    "risk",     "vendor",    "product",
                                      "firmware", "advisory", "certainty", "cvss",
                                      "kev",      "epss",     "fixed_in",  "cves"};
    struct table t;
    table_init(&t, 12, hdr);
    size_t i;
    json_t *a;
    json_array_foreach(json_object_get(doc, "assets"), i, a)
    {
        const char *lead[] = {jstr(a, "asset"), jstr(json_object_get(a, "risk"), "level"),
                              jstr(a, "vendor"), jstr(a, "product"), jstr(a, "firmware")};
        const json_t *ms = json_object_get(a, "matches");
        if (json_array_size(ms) == 0) {
            bool unknown = json_is_true(json_object_get(a, "unknown_exposure"));
            const char *row[] = {lead[0],
                                 lead[1],
                                 lead[2],
                                 lead[3],
                                 lead[4],
                                 unknown ? "unknown exposure" : "none known",
                                 unknown ? jstr(a, "unknown_reason") : "-",
                                 "-",
                                 "-",
                                 "-",
                                 "-",
                                 "-"};
            table_add(&t, row);
            continue;
        }
        size_t k;
        json_t *m;
        json_array_foreach(ms, k, m)
        {
            const char *blank[] = {"", "", "", "", ""};
            match_row(&t, k ? blank : lead, 5, m, false);
        }
    }
    table_print(&t, stdout);
    table_free(&t);
}

int cmd_vulns(int argc, char **argv)
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
            if (!parse_format("vulns", optarg, "table,json", &fmt))
                return EXIT_USAGE;
            break;
        case 'h':
            fputs(vulns_usage, stdout);
            return EXIT_OK;
        default:
            fputs(vulns_usage, stderr);
            return EXIT_USAGE;
        }
    }
    if (optind < argc)
        return usage_error("vulns", "unexpected argument '%s'", argv[optind]);
    struct store *s = open_existing_store(db);
    if (!s)
        return EXIT_INPUT;
    if (vuln_advisory_count(s) == 0)
        fprintf(stderr, "otscope: %s: no advisories imported (run 'otscope vuln import')\n", db);
    json_t *doc = vuln_assets_json(s);
    store_close(s);
    if (!doc)
        return EXIT_RUNTIME;
    if (fmt == FMT_JSON)
        print_json(doc, stdout);
    else
        vulns_table(doc);
    json_decref(doc);
    return EXIT_OK;
}
