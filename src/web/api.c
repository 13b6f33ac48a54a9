#define _GNU_SOURCE /* strcasestr, asprintf */
/* api.c - the read-only JSON API under /api/v1/: the same documents as the command line
 * (SPEC.md), with paging (limit, offset), filtering and sorting where lists can be long. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "alert/alert.h"
#include "governance/governance.h"
#include "incident/incident.h"
#include "policy/segment.h"
#include "report/board.h"
#include "store/register.h"
#include "store/store.h"
#include "util/timefmt.h"
#include "web/web.h"

json_t *vuln_assets_json(struct store *s);

static char *dump(json_t *doc, int *status, const char **ctype, size_t *len)
{
    char *b = json_dumps(doc, JSON_INDENT(1) | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII);
    json_decref(doc);
    *status = 200;
    *ctype = "application/json";
    *len = b ? strlen(b) : 0;
    return b;
}

static bool num_param(const struct web_req *r, const char *name, long lo, long hi, long dflt,
                      long *out)
{
    const char *v = web_param(r, name);
    *out = dflt;
    if (!v)
        return true;
    char *end;
    long n = strtol(v, &end, 10);
    if (!*v || *end || n < lo || n > hi)
        return false;
    *out = n;
    return true;
}

static const char *field_str(const json_t *o, const char *k)
{
    const json_t *v = json_object_get(o, k);
    return json_is_string(v) ? json_string_value(v) : "";
}

static const char *sort_key;
static int sort_desc;

static int cmp_items(const void *a, const void *b)
{
    const json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
    const json_t *vx = json_object_get(x, sort_key), *vy = json_object_get(y, sort_key);
    int c;
    if (json_is_integer(vx) || json_is_integer(vy))
        c = (json_integer_value(vx) > json_integer_value(vy)) -
            (json_integer_value(vx) < json_integer_value(vy));
    else
        c = strcmp(field_str(x, sort_key), field_str(y, sort_key));
    return sort_desc ? -c : c;
}

/* filter (equality on the named fields, q = substring anywhere), sort and page a list */
static json_t *page_list(json_t *list, const struct web_req *r, const char *const *filters,
                         const char *const *sortable, bool *bad)
{
    long limit, offset;
    if (!num_param(r, "limit", 1, 1000, 100, &limit) ||
        !num_param(r, "offset", 0, 10000000, 0, &offset)) {
        *bad = true;
        return NULL;
    }
    const char *sort = web_param(r, "sort"), *order = web_param(r, "order");
    if (sort) {
        bool ok = false;
        for (int i = 0; sortable[i]; i++)
            ok |= !strcmp(sortable[i], sort);
        if (!ok) {
            *bad = true;
            return NULL;
        }
    }
    if (order && strcmp(order, "asc") && strcmp(order, "desc")) {
        *bad = true;
        return NULL;
    }
    const char *q = web_param(r, "q");
    size_t n = json_array_size(list);
    json_t **items = calloc(n ? n : 1, sizeof *items);
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        json_t *it = json_array_get(list, i);
        bool keep = true;
        for (int f = 0; filters[f] && keep; f++) {
            const char *want = web_param(r, filters[f]);
            if (want && strcasecmp(field_str(it, filters[f]), want) != 0)
                keep = false;
        }
        if (keep && q && *q) {
            char *txt = json_dumps(it, JSON_COMPACT);
            keep = txt && strcasestr(txt, q);
            free(txt);
        }
        if (keep)
            items[m++] = it;
    }
    if (sort) {
        sort_key = sort;
        sort_desc = order && !strcmp(order, "desc");
        qsort(items, m, sizeof *items, cmp_items);
    }
    json_t *out = json_array();
    for (size_t i = (size_t)offset; i < m && i < (size_t)offset + (size_t)limit; i++)
        json_array_append(out, items[i]);
    json_t *page = json_pack("{s:I, s:I, s:I, s:o}", "total", (json_int_t)m, "offset",
                             (json_int_t)offset, "limit", (json_int_t)limit, "items", out);
    free(items);
    return page;
}

/* fields the asset list is filtered by that are not plain asset keys */
static void annotate_assets(struct store *s, json_t *assets)
{
    json_t *managed = json_object(), *vuln = json_object();
    json_t *g = register_gaps_json(s, 30, 0, true);
    size_t i;
    json_t *m;
    json_array_foreach(json_object_get(g, "matches"), i, m)
        json_object_set_new(managed, field_str(m, "asset"), json_true());
    json_decref(g);
    json_t *va = vuln_assets_json(s);
    json_array_foreach(json_object_get(va, "assets"), i, m)
        if (json_integer_value(json_object_get(json_object_get(m, "risk"), "certain_matches")))
            json_object_set_new(vuln, field_str(m, "asset"), json_true());
    json_decref(va);
    json_t *a;
    json_array_foreach(assets, i, a) {
        const char *id = field_str(a, "id");
        json_object_set_new(a, "unmanaged", json_string(json_object_get(managed, id) ? "no"
                                                                                     : "yes"));
        json_object_set_new(a, "vulnerable", json_string(json_object_get(vuln, id) ? "yes"
                                                                                   : "no"));
    }
    json_decref(managed);
    json_decref(vuln);
}

json_t *web_assets(struct store *s); /* shared with pages.c */
json_t *web_assets(struct store *s)
{
    json_t *doc = store_assets_json(s);
    if (doc)
        annotate_assets(s, json_object_get(doc, "assets"));
    return doc;
}

char *web_api(struct store *s, const struct web_req *r, int *status, const char **ctype,
              size_t *len)
{
    const char *p = r->path + 7; /* after /api/v1 */
    bool bad = false;
    json_t *doc = NULL;
    if (!strcmp(p, "/assets")) {
        static const char *const f[] = {"role", "vendor", "zone", "criticality", "vulnerable",
                                        "unmanaged", NULL};
        static const char *const so[] = {"id", "role", "vendor", "product", "criticality",
                                         "zone", "purdue_level", "first_seen", "last_seen",
                                         "packets", NULL};
        json_t *all = web_assets(s);
        json_t *pg = all ? page_list(json_object_get(all, "assets"), r, f, so, &bad) : NULL;
        if (pg) {
            doc = json_pack("{s:s, s:O, s:O, s:O, s:O}", "schema", "otscope.assets/1", "total",
                            json_object_get(pg, "total"), "offset", json_object_get(pg, "offset"),
                            "limit", json_object_get(pg, "limit"), "assets",
                            json_object_get(pg, "items"));
            json_decref(pg);
        }
        json_decref(all);
    } else if (!strncmp(p, "/assets/", 8)) {
        json_t *all = web_assets(s);
        size_t i;
        json_t *a;
        json_array_foreach(json_object_get(all, "assets"), i, a)
            if (!strcmp(field_str(a, "id"), p + 8))
                doc = json_incref(a);
        json_decref(all);
        if (!doc) {
            *status = 404;
            return NULL;
        }
    } else if (!strcmp(p, "/flows") || !strcmp(p, "/alerts") || !strcmp(p, "/operations")) {
        bool alerts = !strcmp(p, "/alerts"), flows = !strcmp(p, "/flows");
        json_t *all = alerts ? alerts_json(s) : flows ? store_flows_json(s)
                                                      : store_operations_json(s);
        const char *key = alerts ? "alerts" : flows ? "flows" : "operations";
        static const char *const fa[] = {"type", "severity", "asset", NULL};
        static const char *const sa[] = {"time", "last_seen", "severity", "type", "count", NULL};
        static const char *const fn[] = {NULL};
        static const char *const sf[] = {"first_seen", "last_seen", "port", "protocol", NULL};
        static const char *const so[] = {"time", "last_seen", "kind", "protocol", "count", NULL};
        json_t *pg = all ? page_list(json_object_get(all, key), r, alerts ? fa : fn,
                                     alerts ? sa : flows ? sf : so, &bad)
                         : NULL;
        if (pg) {
            doc = json_pack("{s:O, s:O, s:O, s:O, s:O}", "schema", json_object_get(all, "schema"),
                            "total", json_object_get(pg, "total"), "offset",
                            json_object_get(pg, "offset"), "limit", json_object_get(pg, "limit"),
                            key, json_object_get(pg, "items"));
            json_decref(pg);
        }
        json_decref(all);
    } else if (!strcmp(p, "/vulns")) {
        doc = vuln_assets_json(s);
        if (!doc)
            doc = json_pack("{s:s, s:[], s:s}", "schema", "otscope.vulns/1", "assets", "note",
                            "no vulnerability module data");
    } else if (!strcmp(p, "/segmentation")) {
        static struct policy pol;
        bool have = segment_stored_policy(s, &pol);
        doc = segment_evaluate(s, have ? &pol : NULL, have ? "stored" : "none");
    } else if (!strcmp(p, "/incidents")) {
        doc = incident_list_json(s, 0, time_now_ns());
    } else if (!strcmp(p, "/report/board")) {
        struct board_opts o = {0, 0, false};
        doc = board_build(s, &o);
    } else if (!strcmp(p, "/governance")) {
        doc = governance_ownership(s);
    } else {
        *status = 404;
        return NULL;
    }
    if (bad) {
        *status = 400;
        return NULL;
    }
    if (!doc) {
        *status = 500;
        char *e = strdup("{\"error\":\"internal\"}\n");
        *len = e ? strlen(e) : 0;
        return e;
    }
    return dump(doc, status, ctype, len);
}
