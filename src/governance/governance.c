/* governance.c - see governance.h.  The YAML is turned into plain JSON (mappings, sequences,
 * strings) by a bounded walk over libyaml's document tree, then validated. */
#include "governance/governance.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "store/audit.h"
#include "util/sha256.h"
#include "util/timefmt.h"

#define MAX_DEPTH 8

static json_t *to_json(yaml_document_t *d, yaml_node_t *n, int depth)
{
    if (!n || depth > MAX_DEPTH)
        return NULL;
    switch (n->type) {
    case YAML_SCALAR_NODE:
        return json_stringn((const char *)n->data.scalar.value, n->data.scalar.length);
    case YAML_SEQUENCE_NODE: {
        json_t *a = json_array();
        for (yaml_node_item_t *i = n->data.sequence.items.start; i < n->data.sequence.items.top;
             i++) {
            json_t *v = to_json(d, yaml_document_get_node(d, *i), depth + 1);
            if (!v) {
                json_decref(a);
                return NULL;
            }
            json_array_append_new(a, v);
        }
        return a;
    }
    case YAML_MAPPING_NODE: {
        json_t *o = json_object();
        for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top;
             p++) {
            yaml_node_t *k = yaml_document_get_node(d, p->key);
            json_t *v = to_json(d, yaml_document_get_node(d, p->value), depth + 1);
            if (!k || k->type != YAML_SCALAR_NODE || !v) {
                json_decref(v);
                json_decref(o);
                return NULL;
            }
            json_object_set_new(o, (const char *)k->data.scalar.value, v);
        }
        return o;
    }
    default:
        return NULL;
    }
}

static const char *const roles[] = {"cio", "ciso", "ot-security-officer"};

static bool role_ok(const char *r)
{
    for (size_t i = 0; r && i < sizeof roles / sizeof *roles; i++)
        if (!strcmp(r, roles[i]))
            return true;
    return false;
}

static const char *str(const json_t *o, const char *k)
{
    const json_t *v = json_object_get(o, k);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

static int check_person(const json_t *p, const char *what, char *err, size_t errlen)
{
    if (!json_is_object(p) || !str(p, "name")) {
        snprintf(err, errlen, "%s needs a name", what);
        return -1;
    }
    if (str(p, "role") && !role_ok(str(p, "role"))) {
        snprintf(err, errlen, "%s: role '%s' is not cio, ciso or ot-security-officer", what,
                 str(p, "role"));
        return -1;
    }
    return 0;
}

json_t *governance_parse(const char *yaml, size_t len, char *err, size_t errlen)
{
    yaml_parser_t parser;
    yaml_document_t doc;
    if (!yaml_parser_initialize(&parser)) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)yaml, len);
    if (!yaml_parser_load(&parser, &doc)) {
        snprintf(err, errlen, "line %lu: %s", (unsigned long)parser.problem_mark.line + 1,
                 parser.problem ? parser.problem : "invalid YAML");
        yaml_parser_delete(&parser);
        return NULL;
    }
    json_t *g = to_json(&doc, yaml_document_get_root_node(&doc), 0);
    yaml_document_delete(&doc);
    yaml_parser_delete(&parser);
    if (!json_is_object(g)) {
        snprintf(err, errlen, "expected a mapping with owners, escalation, approved_by_board");
        json_decref(g);
        return NULL;
    }
    int64_t t;
    const char *approved = str(g, "approved_by_board");
    if (approved && !time_parse(approved, &t)) {
        snprintf(err, errlen, "approved_by_board: '%s' is not a date (YYYY-MM-DD)", approved);
        json_decref(g);
        return NULL;
    }
    size_t i;
    json_t *o;
    json_array_foreach(json_object_get(g, "owners"), i, o) {
        char what[64];
        snprintf(what, sizeof what, "owners[%zu]", i);
        json_t *scope = json_object_get(o, "scope");
        if (!json_is_object(scope) || (!str(scope, "site") && !str(scope, "zone") &&
                                       !json_is_array(json_object_get(scope, "zones")) &&
                                       !str(scope, "all"))) {
            snprintf(err, errlen, "%s: scope wants site, zone, zones or all", what);
            json_decref(g);
            return NULL;
        }
        json_t *acc = json_object_get(o, "accountable");
        if (check_person(acc, what, err, errlen) ||
            !role_ok(str(acc, "role"))) {
            if (!err[0] || !strstr(err, what))
                snprintf(err, errlen, "%s: the accountable owner needs a role (cio, ciso,"
                                      " ot-security-officer)", what);
            json_decref(g);
            return NULL;
        }
        size_t k;
        json_t *dep;
        json_array_foreach(json_object_get(o, "deputies"), k, dep)
            if (check_person(dep, what, err, errlen)) {
                json_decref(g);
                return NULL;
            }
    }
    json_array_foreach(json_object_get(g, "escalation"), i, o) {
        char what[64];
        snprintf(what, sizeof what, "escalation[%zu]", i);
        if (check_person(o, what, err, errlen)) {
            json_decref(g);
            return NULL;
        }
    }
    return g;
}

int governance_store(struct store *s, const json_t *g)
{
    char *txt = json_dumps(g, JSON_COMPACT);
    sqlite3_stmt *st;
    int rc = -1;
    if (txt && sqlite3_prepare_v2(store_db(s), "INSERT OR REPLACE INTO meta(key, value)"
                                               " VALUES('governance', ?)", -1, &st,
                                  NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, txt, -1, SQLITE_TRANSIENT);
        rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
        sqlite3_finalize(st);
        char digest[65], details[200];
        sha256_hex(txt, strlen(txt), digest);
        snprintf(details, sizeof details, "governance file imported: %zu owners, sha256 %s",
                 json_array_size(json_object_get(g, "owners")), digest);
        if (!rc)
            rc = audit_append(s, time_now_ns(), "governance", "import", details);
    }
    free(txt);
    return rc;
}

json_t *governance_load(struct store *s)
{
    sqlite3_stmt *st;
    json_t *g = NULL;
    if (sqlite3_prepare_v2(store_db(s), "SELECT value FROM meta WHERE key='governance'", -1, &st,
                           NULL) != SQLITE_OK)
        return NULL;
    if (sqlite3_step(st) == SQLITE_ROW)
        g = json_loads((const char *)sqlite3_column_text(st, 0), 0, NULL);
    sqlite3_finalize(st);
    return g;
}

/* the owner entry covering a zone of a site: zone beats zones beats site beats all */
static const json_t *owner_of(const json_t *g, const char *site, const char *zone)
{
    const json_t *best = NULL;
    int rank = 0;
    size_t i;
    json_t *o;
    json_array_foreach(json_object_get(g, "owners"), i, o) {
        const json_t *sc = json_object_get(o, "scope");
        int r = 0;
        if (zone && str(sc, "zone") && !strcmp(str(sc, "zone"), zone))
            r = 4;
        size_t k;
        json_t *z;
        json_array_foreach(json_object_get(sc, "zones"), k, z)
            if (zone && json_is_string(z) && !strcmp(json_string_value(z), zone) && r < 3)
                r = 3;
        if (!r && str(sc, "site") && !strcmp(str(sc, "site"), site))
            r = 2;
        if (!r && str(sc, "all"))
            r = 1;
        if (r > rank) {
            rank = r;
            best = o;
        }
    }
    return best;
}

json_t *governance_ownership(struct store *s)
{
    json_t *g = governance_load(s);
    sqlite3_stmt *st;
    json_t *zones = json_array(), *without = json_array();
    json_int_t ot_without = 0, ot_total = 0;
    if (sqlite3_prepare_v2(store_db(s),
            "SELECT site, coalesce(zone, 'unzoned'), count(*), sum(role IN ('plc','rtu','ied',"
            "'io-device','hmi','engineering-workstation','scada-server','historian','opc-server',"
            "'broker')) FROM assets GROUP BY 1, 2 ORDER BY 1, 2", -1, &st, NULL) == SQLITE_OK) {
        while (sqlite3_step(st) == SQLITE_ROW) {
            const char *site = (const char *)sqlite3_column_text(st, 0);
            const char *zone = (const char *)sqlite3_column_text(st, 1);
            json_int_t n = sqlite3_column_int64(st, 2), ot = sqlite3_column_int64(st, 3);
            const json_t *o = g ? owner_of(g, site, zone) : NULL;
            ot_total += ot;
            json_t *z = json_pack("{s:s, s:s, s:I, s:I}", "site", site, "zone", zone, "assets", n,
                                  "ot_assets", ot);
            if (o) {
                json_object_set(z, "accountable", json_object_get(o, "accountable"));
                json_t *dep = json_object_get(o, "deputies");
                json_object_set_new(z, "deputies", dep ? json_incref(dep) : json_array());
                json_array_append_new(zones, z);
            } else {
                ot_without += ot;
                json_array_append_new(without, z);
            }
        }
        sqlite3_finalize(st);
    }
    const char *approved = g ? str(g, "approved_by_board") : NULL;
    json_t *esc = g && json_object_get(g, "escalation")
                      ? json_incref(json_object_get(g, "escalation"))
                      : json_array();
    json_t *out = json_pack("{s:b, s:o, s:o, s:I, s:I, s:s?, s:o}", "assigned", g != NULL,
                            "zones_with_owner", zones, "zones_without_owner", without,
                            "ot_assets_without_owner", ot_without, "ot_assets", ot_total,
                            "approved_by_board", approved, "escalation", esc);
    if (!g)
        json_object_set_new(out, "note", json_string("no governance file imported (otscope"
                                                     " governance import FILE.yaml): the"
                                                     " accountable owner of the OT scope is not"
                                                     " documented"));
    else if (!approved)
        json_object_set_new(out, "note", json_string("the assignment has no board approval"
                                                     " date"));
    json_decref(g);
    return out;
}
