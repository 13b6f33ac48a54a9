/* audit.c - `otscope audit verify|list`: the hash-chained log of incident and governance
 * changes. */
#include <string.h>

#include "cmd/cmd.h"
#include "store/audit.h"

static const char usage[] =
    "usage: otscope audit verify [--db DB]\n"
    "       otscope audit list [--db DB] [--format table|json]\n"
    "Every change to an incident record and every governance import is appended to a\n"
    "hash-chained log (SHA-256 over the previous entry's hash and this entry). 'verify' checks the\n"
    "whole chain and exits 1 at the first entry that was changed, inserted or deleted.\n";

int cmd_audit(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        fputs(usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? EXIT_USAGE : EXIT_OK;
    }
    const char *db = default_db();
    bool json = false;
    for (int i = 2; i < argc; i++) {
        if (!strcmp(argv[i], "--db") && i + 1 < argc)
            db = argv[++i];
        else if (!strcmp(argv[i], "--format") && i + 1 < argc)
            json = !strcmp(argv[++i], "json");
        else
            return usage_error("audit", "unexpected argument '%s'", argv[i]);
    }
    struct store *s = open_existing_store(db);
    if (!s)
        return EXIT_INPUT;
    int rc = EXIT_OK;
    if (!strcmp(argv[1], "verify")) {
        char why[200] = "";
        int64_t n;
        int64_t bad = audit_verify(s, why, sizeof why, &n);
        if (bad) {
            fprintf(stderr, "otscope: audit: %s\n", why);
            rc = EXIT_RUNTIME;
        } else {
            printf("audit log intact: %lld entries\n", (long long)n);
        }
    } else if (!strcmp(argv[1], "list")) {
        json_t *doc = audit_json(s);
        if (json) {
            print_json(doc, stdout);
        } else {
            size_t i;
            json_t *e;
            json_array_foreach(json_object_get(doc, "entries"), i, e)
                printf("%4lld  %s  %-14s %-7s %s\n",
                       (long long)json_integer_value(json_object_get(e, "id")), jstr(e, "time"),
                       jstr(e, "entity"), jstr(e, "action"), jstr(e, "details"));
        }
        json_decref(doc);
    } else {
        rc = usage_error("audit", "unknown subcommand '%s' (verify, list)", argv[1]);
    }
    store_close(s);
    return rc;
}
