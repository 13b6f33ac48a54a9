/* sync.c - `otscope sync`: push a site's SQLite store to the central PostgreSQL store.  The
 * work is in central/push.c; this file is options, messages and exit statuses. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "central/mirror.h"
#include "central/pg.h"
#include "central/push.h"
#include "central/tables.h"
#include "cmd/cmd.h"

static const char usage[] =
    "usage: otscope sync --from SITE.db --to postgresql://[USER@]HOST[:PORT]/DB [--site NAME]\n"
    "                    [--batch N] [--full] [-q]\n"
    "Push a site's SQLite store to the central PostgreSQL store: its facts (sightings, identity\n"
    "evidence, protocols, operations, conversations, runs and files), the inventory derived\n"
    "from them (assets, alerts, history), the site's own records (ISMS register, incidents,\n"
    "audit log, settings) and the advisories imported there (when newer than the central ones).\n"
    "Every central row carries its site; 'otscope report|assets|serve|... --db postgresql://...'\n"
    "then works across all sites.\n"
    "Idempotent and resumable: rows are upserted on their key, facts go in batches of --batch\n"
    "rows (default 5000), each committed together with the position reached, so a sync that was\n"
    "interrupted resumes after its last committed batch; a table unchanged since the last sync\n"
    "is not sent again (--full sends everything). Derived tables are replaced per site in one\n"
    "transaction. Central tables are created when missing (PostgreSQL schema \"otscope\").\n"
    "  --site NAME   push only this site's rows; the site the store's own records belong to\n"
    "                (default: the store's only site)\n"
    "  -q, --quiet   no per-table lines\n"
    "Put the password in ~/.pgpass or $PGPASSWORD, not in the URI (it is never printed).\n"
    "Exit status: 0 ok, 1 the central store failed (unreachable, refused), 2 usage, 3 the site\n"
    "store cannot be read.\n";

static void summary(const char *site, const struct push_stats *st)
{
    printf("%s: %ld rows; %ld sent, %ld written, %ld deleted; %d tables pushed, %d unchanged;"
           " %.2f s\n",
           *site ? site : "(advisories)", st->rows, st->sent, st->changed, st->deleted, st->pushed,
           st->unchanged, st->seconds);
    if (st->resumed_after)
        printf("%s: resumed an interrupted sync: %ld rows were committed before\n", site,
               st->resumed_after);
}

static int push_store(struct pgc *p, sqlite3 *db, sqlite3 *model, const char *site,
                      const struct push_opts *o, const char *from)
{
    if (central_is_mirror(db)) {
        /* what a command writing through --db postgresql://... could not store */
        struct push_stats st;
        int rc = central_mirror_push(p, db, model, site, o, &st);
        if (rc == 0)
            summary(site ? site : "all sites", &st);
        return rc;
    }
    char **sites = push_sites(db, p->err, sizeof p->err);
    if (!sites)
        return -1;
    if (site && sites[0]) {
        bool known = false;
        for (char **s = sites; *s; s++)
            known |= !strcmp(*s, site);
        if (!known) {
            char have[512] = "";
            for (char **s = sites; *s; s++)
                snprintf(have + strlen(have), sizeof have - strlen(have), "%s%s",
                         s == sites ? "" : ", ", *s);
            fprintf(stderr, "otscope: sync: %s has no site '%s' (it has: %s)\n", from, site, have);
            push_free_sites(sites);
            return 2;
        }
    }
    const char *only[] = {site, NULL};
    const char *const *list = site ? only : (const char *const *)sites;
    int n = 0;
    while (list[n])
        n++;
    struct push_source src = {db, model, false, site ? site : n == 1 ? list[0] : NULL};
    if (!site && n > 1)
        fprintf(stderr,
                "otscope: sync: %s holds %d sites: its own records (register,"
                " incidents, settings) are pushed only with --site NAME\n",
                from, n);
    for (int i = 0; i < n; i++)
        if (!strcmp(list[i], "default"))
            fprintf(stderr,
                    "otscope: sync: %s: rows of site 'default' (analyzed without --site):"
                    " give every plant its own name\n",
                    from);
    int rc = 0;
    struct push_stats st;
    for (int i = 0; i < n && rc == 0; i++) {
        rc = push_site(p, &src, list[i], o, &st);
        if (rc == 0)
            summary(list[i], &st);
    }
    if (rc == 0) {
        rc = push_global(p, &src, o, &st);
        if (rc == 0 && st.pushed)
            summary("", &st);
    }
    if (rc == 0 && n == 0)
        printf("%s: nothing to sync (no site analyzed yet)\n", from);
    push_free_sites(sites);
    return rc;
}

int cmd_sync(int argc, char **argv)
{
    static const struct option opts[] = {
        {"from", required_argument, NULL, 'f'}, {"to", required_argument, NULL, 't'},
        {"site", required_argument, NULL, 's'}, {"batch", required_argument, NULL, 'b'},
        {"full", no_argument, NULL, 'F'},       {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},       {NULL, 0, NULL, 0}};
    const char *from = NULL, *to = NULL, *site = NULL;
    struct push_opts o = {5000, false, stdout};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "hq", opts, NULL)) != -1) {
        switch (c) {
        case 'f':
            from = optarg;
            break;
        case 't':
            to = optarg;
            break;
        case 's':
            site = optarg;
            if (!*site || !strcmp(site, CENTRAL_SITE) || strlen(site) > 100)
                return usage_error("sync", "--site wants a site name (not '%s')", site);
            break;
        case 'b': {
            long n;
            if (!parse_long(optarg, 1, 1000000, &n))
                return usage_error("sync", "--batch wants 1..1000000 rows");
            o.batch = (int)n;
            break;
        }
        case 'F':
            o.full = true;
            break;
        case 'q':
            o.out = NULL;
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
        return usage_error("sync", "unexpected argument '%s'", argv[optind]);
    if (!from || !to)
        return usage_error("sync", "--from SITE.db and --to postgresql://... are required");
    if (!central_is_uri(to))
        return usage_error("sync", "--to wants a postgresql:// URI");
    if (central_is_uri(from))
        return usage_error("sync", "--from wants a site's SQLite store, not a URI");
    if (access(from, R_OK) != 0) {
        fprintf(stderr, "otscope: %s: no such database\n", from);
        return EXIT_INPUT;
    }
    char err[1024];
    struct store *s = store_open(from, false, err, sizeof err);
    if (!s) {
        fprintf(stderr, "otscope: %s: %s\n", from, err);
        return EXIT_INPUT;
    }
    /* the central tables follow our schema, not the one the file claims to have */
    struct store *model = store_open(":memory:", true, err, sizeof err);
    if (!model) {
        fprintf(stderr, "otscope: sync: %s\n", err);
        store_close(s);
        return EXIT_RUNTIME;
    }
    char where[512];
    central_redact(to, where, sizeof where);
    struct pgc *p = pgc_connect(to, err, sizeof err);
    if (!p) {
        fprintf(stderr, "otscope: %s: %s\n", where, err);
        store_close(model);
        store_close(s);
        return EXIT_RUNTIME;
    }
    int rc = pgc_schema(p, store_db(model), true);
    if (rc == 0)
        rc = push_store(p, store_db(s), store_db(model), site, &o, from);
    if (rc < 0)
        fprintf(stderr, "otscope: %s: %s\n", where, p->err);
    fflush(stdout);
    pgc_close(p);
    store_close(model);
    store_close(s);
    return rc == 2 ? EXIT_USAGE : rc ? EXIT_RUNTIME : EXIT_OK;
}
