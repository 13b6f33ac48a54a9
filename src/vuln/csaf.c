/* csaf.c - CSAF 2.0 security advisories (OASIS CSAF v2.0): document.tracking (§3.2.1.12),
 * product_tree branches and relationships (§3.1.2, §3.2.2.1, §3.2.2.4), vulnerabilities with
 * product_status (§3.2.3.9), scores (§3.2.3.11) and remediations (§3.2.3.12).  Every leaf of
 * the product tree becomes one product row; a CVE applies to a row only through the row's
 * product id in that CVE's product_status. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/hmap.h"
#include "vuln/vuln.h"

#define MAX_BRANCH_DEPTH 16
#define MAX_MODELS       64

struct leaf {
    const char *pid, *vendor, *family, *name, *full_name, *version; /* borrowed from the doc */
    const char *models[MAX_MODELS];
    size_t nmodels;
};

struct csaf {
    struct leaf *leaves;
    size_t n, cap;
    struct hmap ids;  /* product id -> struct slot */
    struct hmap rems; /* category|details|url -> remediation id */
    char *err;
    size_t errlen;
};

struct slot {
    size_t leaf; /* index + 1 */
    int64_t row; /* product row, once stored */
};

/* the part of the branch path that names a product */
struct path {
    const char *vendor, *family, *name, *version;
};

static const char *jtext(const json_t *o, const char *k)
{
    const json_t *v = json_object_get(o, k);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

static int bad(struct csaf *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int bad(struct csaf *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->err, c->errlen, fmt, ap);
    va_end(ap);
    return -1;
}

static int add_leaf(struct csaf *c, const struct leaf *l)
{
    if (c->n == c->cap) {
        size_t ncap = c->cap ? c->cap * 2 : 64;
        struct leaf *nl = realloc(c->leaves, ncap * sizeof *nl);
        if (!nl)
            return bad(c, "%s", "out of memory");
        c->leaves = nl;
        c->cap = ncap;
    }
    bool created;
    struct slot *slot = hmap_get(&c->ids, l->pid, strlen(l->pid), &created);
    if (!slot)
        return bad(c, "%s", "out of memory");
    if (!created)
        return bad(c, "product id '%.80s' is defined twice", l->pid);
    c->leaves[c->n++] = *l;
    slot->leaf = c->n;
    return 0;
}

static void leaf_models(const json_t *product, struct leaf *l)
{
    const json_t *helper = json_object_get(product, "product_identification_helper");
    const json_t *models = json_object_get(helper, "model_numbers");
    size_t i;
    const json_t *m;
    json_array_foreach(models, i, m)
    {
        if (json_is_string(m) && l->nmodels < MAX_MODELS)
            l->models[l->nmodels++] = json_string_value(m);
    }
}

static int leaf_from_branch(struct csaf *c, const json_t *product, const struct path *p)
{
    struct leaf l;
    memset(&l, 0, sizeof l);
    l.pid = jtext(product, "product_id");
    if (!l.pid || !*l.pid)
        return bad(c, "%s", "a product in product_tree.branches has no product_id");
    l.vendor = p->vendor;
    l.family = p->family;
    l.name = p->name ? p->name : p->family ? p->family : jtext(product, "name");
    l.full_name = jtext(product, "name");
    l.version = p->version;
    if (!l.name)
        return bad(c, "product '%.80s' has no name", l.pid);
    leaf_models(product, &l);
    return add_leaf(c, &l);
}

/* §3.1.2.2 branch categories: vendor > product_family > product_name > product_version(_range) */
static void path_step(struct path *q, const char *cat, const char *name)
{
    if (!strcmp(cat, "vendor"))
        q->vendor = name;
    else if (!strcmp(cat, "product_family"))
        q->family = name;
    else if (!strcmp(cat, "product_name"))
        q->name = name;
    else if (!strcmp(cat, "product_version") || !strcmp(cat, "product_version_range"))
        q->version = name;
}

static int walk(struct csaf *c, const json_t *branches, struct path p, int depth)
{
    if (!branches)
        return 0;
    if (!json_is_array(branches))
        return bad(c, "%s", "product_tree.branches is not an array");
    if (depth > MAX_BRANCH_DEPTH)
        return bad(c, "product_tree.branches nested deeper than %s", "16");
    size_t i;
    const json_t *b;
    json_array_foreach(branches, i, b)
    {
        const char *cat = jtext(b, "category"), *name = jtext(b, "name");
        if (!json_is_object(b) || !cat || !name)
            return bad(c, "%s", "a product_tree branch without category or name");
        struct path q = p;
        path_step(&q, cat, name);
        const json_t *product = json_object_get(b, "product");
        if (product && (!json_is_object(product) || leaf_from_branch(c, product, &q)))
            return json_is_object(product) ? -1 : bad(c, "%s", "a branch product is not an object");
        if (walk(c, json_object_get(b, "branches"), q, depth + 1))
            return -1;
    }
    return 0;
}

static const struct leaf *find_leaf(const struct csaf *c, const char *pid)
{
    const struct slot *slot = pid ? hmap_find(&c->ids, pid, strlen(pid)) : NULL;
    return slot && slot->leaf && slot->leaf <= c->n ? &c->leaves[slot->leaf - 1] : NULL;
}

/* §3.2.2.4: "firmware X installed_on device Y" is a product of its own: Y's name, X's version */
static int relationships(struct csaf *c, const json_t *rels)
{
    size_t i;
    const json_t *r;
    json_array_foreach(rels, i, r)
    {
        const json_t *fpn = json_object_get(r, "full_product_name");
        const struct leaf *a = find_leaf(c, jtext(r, "product_reference"));
        const struct leaf *dev = find_leaf(c, jtext(r, "relates_to_product_reference"));
        struct leaf l;
        memset(&l, 0, sizeof l);
        l.pid = jtext(fpn, "product_id");
        if (!l.pid || !a || !dev)
            return bad(c, "%s", "a relationship with unknown product references");
        l.vendor = dev->vendor ? dev->vendor : a->vendor;
        l.family = dev->family;
        l.name = dev->name;
        l.full_name = jtext(fpn, "name");
        l.version = a->version;
        memcpy(l.models, dev->models, sizeof l.models);
        l.nmodels = dev->nmodels;
        if (add_leaf(c, &l))
            return -1;
    }
    return 0;
}

/* "ICSA-18-004-02A" (update letter) -> "ICSA-18-004-02": revisions share the key */
static void advisory_key(const char *id, char *out, size_t n)
{
    size_t l = 0;
    for (; id[l] && l + 1 < n; l++)
        out[l] = (char)toupper((unsigned char)id[l]);
    out[l] = '\0';
    if (l > 4 && !strncmp(out, "ICS", 3) && isalpha((unsigned char)out[l - 1]) &&
        isdigit((unsigned char)out[l - 2]))
        out[l - 1] = '\0';
}

/* the advisory's own web page: a "self" reference, preferring the human-readable one */
static const char *self_url(const json_t *doc)
{
    const char *json_url = NULL;
    size_t i;
    const json_t *r;
    json_array_foreach(json_object_get(json_object_get(doc, "document"), "references"), i, r)
    {
        const char *cat = jtext(r, "category"), *url = jtext(r, "url");
        if (!cat || !url || strcmp(cat, "self") != 0)
            continue;
        size_t l = strlen(url);
        if (l > 5 && !strcmp(url + l - 5, ".json")) {
            if (!json_url)
                json_url = url;
            continue;
        }
        return url;
    }
    return json_url;
}

static int store_products(struct csaf *c, struct vuln_importer *im, int64_t adv)
{
    for (size_t i = 0; i < c->n; i++) {
        const struct leaf *l = &c->leaves[i];
        struct vuln_prod p = {l->pid,  l->vendor,    l->family,
                              l->name, l->full_name, l->version ? l->version : "",
                              NULL,    l->models,    l->nmodels};
        int64_t row = vuln_put_product(im, adv, &p);
        if (row < 0)
            return bad(c, "%s", vuln_importer_error(im));
        struct slot *slot = hmap_find(&c->ids, l->pid, strlen(l->pid));
        if (slot)
            slot->row = row;
    }
    return 0;
}

/* §3.2.3.9 product_status: the groups that say affected, fixed, not affected, ... */
static int store_status(struct csaf *c, struct vuln_importer *im, const json_t *v, const char *cve)
{
    static const char *const groups[] = {
        "first_affected",     "known_affected", "last_affected", "under_investigation",
        "known_not_affected", "first_fixed",    "fixed",         "recommended"};
    const json_t *ps = json_object_get(v, "product_status");
    if (ps && !json_is_object(ps))
        return bad(c, "%s", "product_status is not an object");
    for (size_t g = 0; g < sizeof groups / sizeof *groups; g++) {
        const json_t *ids = json_object_get(ps, groups[g]);
        if (ids && !json_is_array(ids))
            return bad(c, "product_status.%s is not an array", groups[g]);
        size_t i;
        const json_t *id;
        json_array_foreach(ids, i, id)
        {
            const char *pid = json_string_value(id);
            const struct slot *slot = pid ? hmap_find(&c->ids, pid, strlen(pid)) : NULL;
            if (slot && slot->row && vuln_put_status(im, slot->row, cve, groups[g]))
                return bad(c, "%s", vuln_importer_error(im));
        }
    }
    return 0;
}

/* §3.2.3.11 scores: the highest base score; CVSS v3 first, then v4, then v2 */
static void best_score(const json_t *v, double *score, const char **vector, const char **ver)
{
    static const char *const kinds[] = {"cvss_v3", "cvss_v4", "cvss_v2"};
    *score = -1;
    *vector = *ver = NULL;
    for (size_t k = 0; k < 3 && *score < 0; k++) {
        size_t i;
        const json_t *s;
        json_array_foreach(json_object_get(v, "scores"), i, s)
        {
            const json_t *cv = json_object_get(s, kinds[k]);
            const json_t *bs = json_object_get(cv, "baseScore");
            if (!json_is_number(bs))
                continue;
            double x = json_number_value(bs);
            if (x >= 0 && x <= 10 && x > *score) {
                *score = x;
                *vector = jtext(cv, "vectorString");
                *ver = jtext(cv, "version");
            }
        }
    }
}

/* §3.2.3.12 remediations, stored once per advisory and linked to their product ids */
static int store_remediations(struct csaf *c, struct vuln_importer *im, int64_t adv,
                              const json_t *v)
{
    size_t i;
    const json_t *r;
    json_array_foreach(json_object_get(v, "remediations"), i, r)
    {
        const char *cat = jtext(r, "category"), *det = jtext(r, "details"), *url = jtext(r, "url");
        /* keyed by hashes of the whole texts (details can be long) */
        uint64_t key[3] = {hash_bytes(cat ? cat : "", cat ? strlen(cat) : 0),
                           hash_bytes(det ? det : "", det ? strlen(det) : 0),
                           hash_bytes(url ? url : "", url ? strlen(url) : 0)};
        key[0] ^= cat ? 1 : 0;
        bool created;
        int64_t *rem = hmap_get(&c->rems, key, sizeof key, &created);
        if (!rem)
            return bad(c, "%s", "out of memory");
        if (created && (*rem = vuln_put_remediation(im, adv, cat, det, url)) < 0)
            return bad(c, "%s", vuln_importer_error(im));
        size_t k;
        const json_t *pid;
        json_array_foreach(json_object_get(r, "product_ids"), k, pid)
        {
            if (json_is_string(pid) &&
                vuln_put_remediation_product(im, *rem, adv, json_string_value(pid)))
                return bad(c, "%s", vuln_importer_error(im));
        }
    }
    return 0;
}

static int store_vulnerability(struct csaf *c, struct vuln_importer *im, int64_t adv,
                               const json_t *v, size_t idx)
{
    if (!json_is_object(v))
        return bad(c, "%s", "a vulnerability is not an object");
    char fallback[32];
    const char *cve = jtext(v, "cve");
    if (!cve) { /* CSAF allows vulnerabilities without a CVE id */
        snprintf(fallback, sizeof fallback, "VULN-%zu", idx + 1);
        cve = fallback;
    }
    double score;
    const char *vector, *ver;
    best_score(v, &score, &vector, &ver);
    const char *cwe = jtext(json_object_get(v, "cwe"), "id");
    if (vuln_put_cve(im, adv, cve, jtext(v, "title"), cwe, score, vector, ver))
        return bad(c, "%s", vuln_importer_error(im));
    if (store_status(c, im, v, cve))
        return -1;
    return store_remediations(c, im, adv, v);
}

static int csaf_write(struct csaf *c, struct vuln_importer *im, const json_t *doc, const char *path)
{
    const json_t *d = json_object_get(doc, "document");
    const json_t *tr = json_object_get(d, "tracking");
    const char *id = jtext(tr, "id");
    if (!id || !*id)
        return bad(c, "%s", "document.tracking.id is missing");
    const json_t *tree = json_object_get(doc, "product_tree");
    if (tree && !json_is_object(tree))
        return bad(c, "%s", "product_tree is not an object");
    const json_t *vulns = json_object_get(doc, "vulnerabilities");
    if (vulns && !json_is_array(vulns))
        return bad(c, "%s", "vulnerabilities is not an array");
    struct path root = {NULL, NULL, NULL, NULL};
    if (walk(c, json_object_get(tree, "branches"), root, 0) ||
        relationships(c, json_object_get(tree, "relationships")))
        return -1;
    char key[128];
    advisory_key(id, key, sizeof key);
    struct vuln_adv a = {key,
                         id,
                         "csaf",
                         jtext(tr, "version"),
                         jtext(tr, "current_release_date"),
                         jtext(d, "title"),
                         self_url(doc),
                         path};
    int64_t adv = vuln_put_advisory(im, &a);
    if (adv < 0)
        return bad(c, "%s", vuln_importer_error(im));
    if (adv == 0)
        return 0; /* the same or a newer revision is stored */
    if (store_products(c, im, adv))
        return -1;
    size_t i;
    const json_t *v;
    json_array_foreach(vulns, i, v)
    {
        if (store_vulnerability(c, im, adv, v, i))
            return -1;
    }
    return vuln_products_done(im, adv) ? bad(c, "%s", vuln_importer_error(im)) : 0;
}

int vuln_csaf_import(struct vuln_importer *im, const json_t *doc, const char *path, char *err,
                     size_t errlen)
{
    struct csaf c;
    memset(&c, 0, sizeof c);
    c.err = err;
    c.errlen = errlen;
    hmap_init(&c.ids, sizeof(struct slot));
    hmap_init(&c.rems, sizeof(int64_t));
    int rc = csaf_write(&c, im, doc, path);
    hmap_clear(&c.ids);
    hmap_clear(&c.rems);
    free(c.leaves);
    return rc;
}
