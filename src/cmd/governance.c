/* governance.c - `otscope governance import|show`: accountable owners of the OT scope. */
#include <getopt.h>
#include <string.h>

#include "cmd/cmd.h"
#include "governance/governance.h"

static const char usage[] =
    "usage: otscope governance import [--db DB] FILE.yaml\n"
    "       otscope governance show [--db DB] [--format table|json]\n"
    "The accountable owner of each part of the OT scope (per site, zone or zones: a CIO, CISO or\n"
    "OT security officer by name, with deputies), the escalation path and the date the board\n"
    "approved the assignment (docs/governance-example.yaml shows every key). The board report\n"
    "flags zones and OT assets without an owner; incident reports name the escalation path.\n";

int cmd_governance(int argc, char **argv)
{
    static const struct option opts[] = {{"db", required_argument, NULL, 'd'},
                                         {"format", required_argument, NULL, 'f'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        fputs(usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? EXIT_USAGE : EXIT_OK;
    }
    const char *sub = argv[1], *db = default_db();
    enum out_format fmt = FMT_TABLE;
    int c;
    optind = 2;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            db = optarg;
            break;
        case 'f':
            if (!parse_format("governance", optarg, "table,json", &fmt))
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
    if (!strcmp(sub, "import")) {
        if (optind + 1 != argc)
            return usage_error("governance", "import wants one YAML file");
        FILE *f = fopen(argv[optind], "rb");
        static char buf[1 << 20];
        size_t n = f ? fread(buf, 1, sizeof buf, f) : 0;
        if (f)
            fclose(f);
        char err[512] = "";
        json_t *g = f ? governance_parse(buf, n, err, sizeof err) : NULL;
        if (!g) {
            fprintf(stderr, "otscope: %s: %s\n", argv[optind], f ? err : "cannot open");
            return EXIT_INPUT;
        }
        char oerr[512];
        struct store *s = store_open(db, true, oerr, sizeof oerr);
        int rc = s && governance_store(s, g) == 0 ? EXIT_OK : EXIT_RUNTIME;
        if (rc)
            fprintf(stderr, "otscope: %s: cannot store the governance file\n", db);
        else
            printf("governance imported: %zu owner assignments, %zu escalation levels\n",
                   json_array_size(json_object_get(g, "owners")),
                   json_array_size(json_object_get(g, "escalation")));
        json_decref(g);
        store_close(s);
        return rc;
    }
    if (strcmp(sub, "show") != 0)
        return usage_error("governance", "unknown subcommand '%s' (import, show)", sub);
    struct store *s = open_existing_store(db);
    if (!s)
        return EXIT_INPUT;
    json_t *o = governance_ownership(s);
    store_close(s);
    if (fmt == FMT_JSON) {
        print_json(o, stdout);
    } else {
        printf("approved by the board: %s\n", jstr(o, "approved_by_board"));
        size_t i;
        json_t *z;
        json_array_foreach(json_object_get(o, "zones_with_owner"), i, z) {
            json_t *a = json_object_get(z, "accountable");
            printf("zone %-20s owner %s (%s)\n", jstr(z, "zone"), jstr(a, "name"),
                   jstr(a, "role"));
        }
        json_array_foreach(json_object_get(o, "zones_without_owner"), i, z)
            printf("zone %-20s NO OWNER (%lld OT assets)\n", jstr(z, "zone"),
                   (long long)json_integer_value(json_object_get(z, "ot_assets")));
    }
    json_decref(o);
    return EXIT_OK;
}
