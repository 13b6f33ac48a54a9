/* tables.c - the central copy of the store, table by table (see tables.h).  Order matters:
 * tables come before those that refer to them, and facts before what is derived from them. */
#include "central/tables.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FILE_REF {{"file_id", "files"}}
#define ASSET_SITE "(SELECT a.site FROM assets a WHERE a.id=t.asset_id)"

const struct central_table central_tables[] = {
    {"runs", CT_FACT, "id", NULL, "id", {{NULL, NULL}}, CV_ALL},
    {"files", CT_FACT, "id", "(SELECT r.site FROM runs r WHERE r.id=t.run_id)", "id",
     {{"run_id", "runs"}}, CV_ALL},
    {"sightings", CT_FACT, "mac, ip, vlan", NULL, NULL, FILE_REF, CV_ALL},
    {"attributes", CT_FACT, "mac, ip, field, value, raw, source", NULL, NULL, FILE_REF, CV_ALL},
    {"protocols", CT_FACT, "mac, ip, proto, role", NULL, NULL, FILE_REF, CV_ALL},
    {"role_hints", CT_FACT, "mac, ip, role, source", NULL, NULL, FILE_REF, CV_ALL},
    {"findings", CT_FACT, "mac, ip, kind, detail, proto", NULL, NULL, FILE_REF, CV_ALL},
    {"operations", CT_FACT, "id", NULL, "id", FILE_REF, CV_ALL},
    {"conversations", CT_FACT,
     "client_mac, client_ip, server_mac, server_ip, vlan, l4, port, proto", NULL, NULL, FILE_REF,
     CV_ALL},

    {"assets", CT_DERIVED, "id", NULL, NULL, {{NULL, NULL}}, CV_ALL},
    {"asset_ips", CT_DERIVED, "asset_id, ip", ASSET_SITE, NULL, {{NULL, NULL}}, CV_ALL},
    {"asset_vlans", CT_DERIVED, "asset_id, vlan", ASSET_SITE, NULL, {{NULL, NULL}}, CV_ALL},
    {"endpoint_asset", CT_DERIVED, "mac, ip", NULL, NULL, {{NULL, NULL}}, CV_ALL},
    {"asset_class", CT_DERIVED, "asset_id, field", ASSET_SITE, NULL, {{NULL, NULL}}, CV_ALL},
    {"asset_history", CT_DERIVED, NULL, ASSET_SITE, NULL, FILE_REF, CV_ALL},
    {"alerts", CT_DERIVED, "id", NULL, NULL, {{NULL, NULL}}, CV_ALL},

    {"meta", CT_SENSOR, "key", NULL, NULL, {{NULL, NULL}}, CV_META},
    {"register", CT_SENSOR, "row", NULL, "row", {{NULL, NULL}}, CV_ALL},
    {"register_match", CT_SENSOR, "row", NULL, NULL, {{"row", "register"}}, CV_ALL},
    {"snapshots", CT_SENSOR, "id", NULL, "id", {{NULL, NULL}}, CV_CENTRAL},
    {"incidents", CT_SENSOR, "id", NULL, "id", {{NULL, NULL}}, CV_ALL},
    {"incident_links", CT_SENSOR, "incident, kind, ref", NULL, NULL, {{"incident", "incidents"}},
     CV_ALL},
    {"incident_submissions", CT_SENSOR, "incident, stage", NULL, NULL,
     {{"incident", "incidents"}}, CV_ALL},
    {"incident_log", CT_SENSOR, NULL, NULL, NULL, {{"incident", "incidents"}}, CV_ALL},
    {"audit_log", CT_SENSOR, "id", NULL, "id", {{NULL, NULL}}, CV_CENTRAL},
    {"export_sent", CT_SENSOR, "target, alert", NULL, NULL, {{NULL, NULL}}, CV_CENTRAL},

    {"vuln_advisories", CT_GLOBAL, "id", NULL, NULL, {{NULL, NULL}}, CV_ALL},
    {"vuln_products", CT_GLOBAL, "id", NULL, NULL, {{NULL, NULL}}, CV_ALL},
    {"vuln_product_keys", CT_GLOBAL, "key, product", NULL, NULL, {{NULL, NULL}}, CV_ALL},
    {"vuln_product_status", CT_GLOBAL, "product, cve, status", NULL, NULL, {{NULL, NULL}}, CV_ALL},
    {"vuln_cves", CT_GLOBAL, "advisory, cve", NULL, NULL, {{NULL, NULL}}, CV_ALL},
    {"vuln_remediations", CT_GLOBAL, "id", NULL, NULL, {{NULL, NULL}}, CV_ALL},
    {"vuln_remediation_products", CT_GLOBAL, "advisory, product_id, remediation", NULL, NULL,
     {{NULL, NULL}}, CV_ALL},
    {"vuln_kev", CT_GLOBAL, "cve", NULL, NULL, {{NULL, NULL}}, CV_ALL},
    {"vuln_epss", CT_GLOBAL, "cve", NULL, NULL, {{NULL, NULL}}, CV_ALL},
};
const size_t central_ntables = sizeof central_tables / sizeof *central_tables;

const struct central_table *ct_find(const char *name)
{
    for (size_t i = 0; i < central_ntables; i++)
        if (!strcmp(central_tables[i].name, name))
            return &central_tables[i];
    return NULL;
}

int ct_col(const struct ct_cols *c, const char *name)
{
    for (int i = 0; i < c->n; i++)
        if (!strcmp(c->name[i], name))
            return i;
    return -1;
}

const char *ct_ref_table(const struct central_table *t, const char *col)
{
    if (t->id && !strcmp(t->id, col))
        return t->name;
    if (t->ref[0].col && !strcmp(t->ref[0].col, col))
        return t->ref[0].table;
    return NULL;
}

static char type_of(const char *decl)
{
    /* SQLite affinity rules (https://sqlite.org/datatype3.html §3.1), for our schema's types */
    char up[32];
    size_t i = 0;
    for (; decl[i] && i + 1 < sizeof up; i++)
        up[i] = (char)(decl[i] >= 'a' && decl[i] <= 'z' ? decl[i] - 32 : decl[i]);
    up[i] = '\0';
    if (strstr(up, "INT"))
        return 'I';
    if (strstr(up, "REAL") || strstr(up, "FLOA") || strstr(up, "DOUB"))
        return 'R';
    return 'T';
}

static int add_col(struct ct_cols *c, const char *name, char type, bool notnull)
{
    if (c->n >= CT_MAXCOLS || strlen(name) >= sizeof c->name[0] || !*name)
        return -1;
    /* names are written into SQL as quoted identifiers: only plain ones */
    for (const char *p = name; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_'))
            return -1;
    snprintf(c->name[c->n], sizeof c->name[0], "%s", name);
    c->type[c->n] = type;
    c->notnull[c->n] = notnull;
    c->n++;
    return 0;
}

int ct_columns(sqlite3 *db, const struct central_table *t, struct ct_cols *c, char *err,
               size_t errlen)
{
    memset(c, 0, sizeof *c);
    if (t->cls != CT_GLOBAL)
        add_col(c, "site", 'T', true);
    char sql[128];
    snprintf(sql, sizeof sql, "PRAGMA table_info(\"%s\")", t->name);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "%s: %s", t->name, sqlite3_errmsg(db));
        return -1;
    }
    int rc = 0;
    while (rc == 0 && sqlite3_step(st) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(st, 1);
        const char *decl = (const char *)sqlite3_column_text(st, 2);
        if (name && !strcmp(name, "site"))
            c->has_site = true;
        if (!name || !strcmp(name, "site"))
            continue;
        /* an INTEGER PRIMARY KEY is never NULL although it is not declared NOT NULL */
        bool nn = sqlite3_column_int(st, 3) || sqlite3_column_int(st, 5);
        if (add_col(c, name, type_of(decl ? decl : ""), nn) != 0) {
            snprintf(err, errlen, "%s: unexpected column in the store schema", t->name);
            rc = -1;
        } else {
            const char *d = (const char *)sqlite3_column_text(st, 4);
            char *end = NULL;
            if (d && *d && strlen(d) < sizeof c->dflt[0] && (strtod(d, &end), *end == '\0'))
                snprintf(c->dflt[c->n - 1], sizeof c->dflt[0], "%s", d);
        }
    }
    sqlite3_finalize(st);
    if (rc)
        return rc;
    if (c->n <= (t->cls != CT_GLOBAL)) {
        snprintf(err, errlen, "%s: no such table in the store", t->name);
        return -1;
    }
    if (t->key) {
        if (t->cls != CT_GLOBAL)
            c->key[c->nkey++] = 0;
        char buf[256];
        snprintf(buf, sizeof buf, "%s", t->key);
        for (char *save = NULL, *k = strtok_r(buf, ", ", &save); k;
             k = strtok_r(NULL, ", ", &save)) {
            int i = ct_col(c, k);
            if (i < 0) {
                snprintf(err, errlen, "%s: key column %s missing", t->name, k);
                return -1;
            }
            c->key[c->nkey++] = i;
        }
        memcpy(c->ord, c->key, sizeof c->ord);
        c->nord = c->nkey;
    } else {
        for (int i = 0; i < c->n; i++)
            c->ord[i] = i;
        c->nord = c->n;
    }
    return 0;
}
