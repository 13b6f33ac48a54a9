/* segmentation.c - `otscope segmentation`: zones, conduits and violations; the board's third
 * question (OT assets with uncontrolled access to the corporate network and the internet). */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "alert/alert.h"
#include "cmd/cmd.h"
#include "policy/segment.h"
#include "util/table.h"

static const char usage[] =
    "usage: otscope segmentation [--db DB] [--policy FILE.yaml] [--format table|json]\n"
    "       otscope segmentation [--db DB] --propose > policy.yaml\n"
    "Zones (by CIDR, VLAN and/or role, with Purdue level and IEC 62443 target security level)\n"
    "and conduits (allowed protocols, ports, direction) applied to every flow seen: each flow\n"
    "between zones is allowed by a conduit or a violation, and the headline counts the OT assets\n"
    "with uncontrolled access to the corporate zone and the internet, 'to' (the OT asset\n"
    "initiates) and 'from' (they reach it), by criticality.\n"
    "--policy is remembered in the database: later analyses put assets in zones and raise\n"
    "cross-zone-flow alerts with it. Without any policy, zones are proposed from the subnets\n"
    "seen and every flow between zones counts as uncontrolled. --propose prints that proposal as\n"
    "YAML, with a conduit for every flow seen between OT zones, to review and edit (see\n"
    "docs/policy-example.yaml for every key).\n";

static void print_table(json_t *doc)
{
    json_t *h = json_object_get(doc, "headline");
    const char *keys[] = {"ot_assets_with_corporate_access", "ot_assets_with_internet_access"};
    const char *what[] = {"the corporate network", "the internet"};
    printf("policy: %s\n", jstr(doc, "policy"));
    for (int i = 0; i < 2; i++) {
        json_t *x = json_object_get(h, keys[i]);
        json_t *bc = json_object_get(x, "by_criticality");
        printf("OT assets with uncontrolled access to %s: %lld (to %lld, from %lld; high %lld,"
               " medium %lld, low %lld)\n", what[i],
               (long long)json_integer_value(json_object_get(x, "total")),
               (long long)json_integer_value(json_object_get(x, "to")),
               (long long)json_integer_value(json_object_get(x, "from")),
               (long long)json_integer_value(json_object_get(bc, "high")),
               (long long)json_integer_value(json_object_get(bc, "medium")),
               (long long)json_integer_value(json_object_get(bc, "low")));
    }
    printf("flows between zones violating the policy: %lld\n\nzones:\n",
           (long long)json_integer_value(json_object_get(h, "violations")));
    static const char *const zh[] = {"zone", "purdue", "SL-T", "assets", "ot_assets"};
    struct table t;
    table_init(&t, 5, zh);
    size_t i;
    json_t *z;
    json_array_foreach(json_object_get(doc, "zones"), i, z) {
        char p[8] = "-", sl[8] = "-", n[16], o[16];
        if (json_is_integer(json_object_get(z, "purdue_level")))
            snprintf(p, sizeof p, "%d", (int)json_integer_value(json_object_get(z, "purdue_level")));
        if (json_is_integer(json_object_get(z, "security_level")))
            snprintf(sl, sizeof sl, "%d",
                     (int)json_integer_value(json_object_get(z, "security_level")));
        snprintf(n, sizeof n, "%zu", json_array_size(json_object_get(z, "assets")));
        snprintf(o, sizeof o, "%lld", (long long)json_integer_value(json_object_get(z, "ot_assets")));
        const char *row[] = {jstr(z, "name"), p, sl, n, o};
        table_add(&t, row);
    }
    table_print(&t, stdout);
    table_free(&t);
    printf("\nflows between zones:\n");
    static const char *const fh[] = {"verdict", "client", "client_zone", "server", "server_zone",
                                     "transport", "port", "protocol", "connections"};
    table_init(&t, 9, fh);
    json_t *f;
    json_array_foreach(json_object_get(doc, "flows"), i, f) {
        char port[8], c[24];
        snprintf(port, sizeof port, "%d", (int)json_integer_value(json_object_get(f, "port")));
        snprintf(c, sizeof c, "%lld", (long long)json_integer_value(json_object_get(f, "connections")));
        const char *row[] = {jstr(f, "verdict"), jstr(f, "client"), jstr(f, "client_zone"),
                             jstr(f, "server"), jstr(f, "server_zone"), jstr(f, "transport"), port,
                             jstr(f, "protocol"), c};
        table_add(&t, row);
    }
    table_print(&t, stdout);
    table_free(&t);
}

int cmd_segmentation(int argc, char **argv)
{
    static const struct option opts[] = {{"db", required_argument, NULL, 'd'},
                                         {"policy", required_argument, NULL, 'p'},
                                         {"propose", no_argument, NULL, 'P'},
                                         {"format", required_argument, NULL, 'f'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *db = default_db(), *policy_file = NULL;
    bool propose = false;
    enum out_format fmt = FMT_TABLE;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            db = optarg;
            break;
        case 'p':
            policy_file = optarg;
            break;
        case 'P':
            propose = true;
            break;
        case 'f':
            if (!parse_format("segmentation", optarg, "table,json", &fmt))
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
        return usage_error("segmentation", "unexpected argument '%s'", argv[optind]);
    if (propose && policy_file)
        return usage_error("segmentation", "--propose and --policy exclude each other");
    struct store *s = open_existing_store(db);
    if (!s)
        return EXIT_INPUT;
    static struct policy p;
    int rc = EXIT_OK;
    if (propose) {
        if (segment_propose(s, &p) != 0) {
            store_close(s);
            return EXIT_RUNTIME;
        }
        policy_write_yaml(&p, stdout,
            "# otscope segmentation policy, proposed from the traffic in the inventory.\n"
            "# Review it: name the zones, set purdue_level and security_level (IEC 62443 SL-T),\n"
            "# delete conduits that should not exist. Flows to the corporate zone and the\n"
            "# internet get no conduit here on purpose: add the ones you allow.\n"
            "# Then: otscope segmentation --policy THIS_FILE\n");
        store_close(s);
        return EXIT_OK;
    }
    const char *name = "none: zones proposed from subnets, no conduits";
    bool have = false;
    if (policy_file) {
        char err[512];
        FILE *f = fopen(policy_file, "rb");
        static char yaml[4 << 20];
        size_t n = f ? fread(yaml, 1, sizeof yaml - 1, f) : 0;
        if (f)
            fclose(f);
        if (!f || policy_parse(&p, yaml, n, err, sizeof err) != 0) {
            fprintf(stderr, "otscope: %s: %s\n", policy_file, f ? err : "cannot open");
            store_close(s);
            return EXIT_INPUT;
        }
        segment_store_policy(s, yaml, n);
        name = policy_file;
        have = true;
    } else if (segment_stored_policy(s, &p)) {
        name = "stored (last --policy)";
        have = true;
    }
    json_t *doc = segment_evaluate(s, have ? &p : NULL, name);
    if (policy_file) {
        struct alert_config cfg;
        alert_config_default(&cfg);
        store_get_meta_int(s, "alert_learning_ns", &cfg.learning_ns);
        alerts_rebuild(s, &cfg); /* cross-zone-flow alerts follow the new policy */
    }
    store_close(s);
    if (!doc)
        return EXIT_RUNTIME;
    if (fmt == FMT_JSON)
        print_json(doc, stdout);
    else
        print_table(doc);
    json_decref(doc);
    return rc;
}
