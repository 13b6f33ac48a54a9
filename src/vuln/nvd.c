/* nvd.c - NVD CVE API 2.0 records (the response shape {vulnerabilities: [{cve}]} and bare cve
 * objects as mirrors keep them).  Each vulnerable cpeMatch of a configuration becomes a product
 * row (CPE 2.3 vendor and product, NISTIR 7695 §6.2 escaping; the version range from
 * versionStart/End Including/Excluding); the not-vulnerable CPEs of an AND configuration are
 * the hardware platform the row needs ("firmware X on hardware Y"). */
#include <stdio.h>
#include <string.h>

#include "vuln/vuln.h"

#define CPE_FIELDS    13
#define CPE_FIELD_MAX 128

static const char *jtext(const json_t *o, const char *k)
{
    const json_t *v = json_object_get(o, k);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

/* split "cpe:2.3:o:siemens:simatic_s7-1200_cpu_firmware:4.5.0:*:..." into unescaped fields */
static bool cpe_split(const char *cpe, char f[CPE_FIELDS][CPE_FIELD_MAX])
{
    size_t k = 0, o = 0;
    memset(f, 0, CPE_FIELDS * CPE_FIELD_MAX);
    for (const char *p = cpe; *p; p++) {
        if (*p == ':') {
            if (++k >= CPE_FIELDS)
                return false;
            o = 0;
            continue;
        }
        if (*p == '\\' && p[1])
            p++;
        if (o + 1 < CPE_FIELD_MAX)
            f[k][o++] = *p;
    }
    return k >= 5 && !strcmp(f[0], "cpe") && !strcmp(f[1], "2.3");
}

/* "simatic_s7-1200_cpu_firmware" -> "simatic s7-1200 cpu" */
static void cpe_product_name(const char *prod, char *out, size_t n)
{
    size_t o = 0;
    for (const char *p = prod; *p && o + 1 < n; p++)
        out[o++] = *p == '_' ? ' ' : *p;
    out[o] = '\0';
    static const char *const tails[] = {" firmware", " firmware version"};
    for (size_t i = 0; i < 2; i++) {
        size_t l = strlen(out), tl = strlen(tails[i]);
        if (l > tl && !strcmp(out + l - tl, tails[i]))
            out[l - tl] = '\0';
    }
}

/* the row's range from the CPE version field or the versionStart/End bounds */
static void cpe_range(const json_t *m, const char *version, char *out, size_t n)
{
    if (strcmp(version, "*") != 0 && strcmp(version, "-") != 0 && *version) {
        snprintf(out, n, "= %s", version);
        return;
    }
    static const struct {
        const char *key, *op;
    } b[] = {{"versionStartIncluding", ">="},
             {"versionStartExcluding", ">"},
             {"versionEndIncluding", "<="},
             {"versionEndExcluding", "<"}};
    out[0] = '\0';
    for (size_t i = 0; i < 4; i++) {
        const char *v = jtext(m, b[i].key);
        size_t l = strlen(out);
        if (v && *v)
            snprintf(out + l, n - l, "%s%s %s", l ? " " : "", b[i].op, v);
    }
    if (!out[0])
        snprintf(out, n, "*");
}

/* the not-vulnerable products of the other nodes of an AND configuration */
static void config_platform(const json_t *cfg, char *out, size_t n)
{
    out[0] = '\0';
    const char *op = jtext(cfg, "operator");
    if (!op || strcmp(op, "AND") != 0)
        return;
    size_t i, k;
    const json_t *node, *m;
    json_array_foreach(json_object_get(cfg, "nodes"), i, node)
    {
        json_array_foreach(json_object_get(node, "cpeMatch"), k, m)
        {
            char f[CPE_FIELDS][CPE_FIELD_MAX], name[CPE_FIELD_MAX], norm[CPE_FIELD_MAX];
            const char *crit = jtext(m, "criteria");
            if (json_is_true(json_object_get(m, "vulnerable")) || !crit || !cpe_split(crit, f))
                continue;
            cpe_product_name(f[4], name, sizeof name);
            vuln_name_norm(name, norm, sizeof norm);
            size_t l = strlen(out);
            if (l + strlen(norm) + 2 < n)
                snprintf(out + l, n - l, "%s%s", l ? "|" : "", norm);
        }
    }
}

static int store_match(struct vuln_importer *im, int64_t adv, const char *cve, const json_t *m,
                       const char *platform, char *err, size_t errlen)
{
    char f[CPE_FIELDS][CPE_FIELD_MAX], vendor[CPE_FIELD_MAX], name[CPE_FIELD_MAX], range[256];
    const char *crit = jtext(m, "criteria");
    if (!crit || !cpe_split(crit, f)) {
        snprintf(err, errlen, "%s: cpeMatch without a CPE 2.3 criteria", cve);
        return -1;
    }
    cpe_product_name(f[3], vendor, sizeof vendor);
    cpe_product_name(f[4], name, sizeof name);
    cpe_range(m, f[5], range, sizeof range);
    struct vuln_prod p = {crit, vendor, NULL, name, crit, range, platform, NULL, 0};
    int64_t row = vuln_put_product(im, adv, &p);
    if (row < 0 || vuln_put_status(im, row, cve, "known_affected")) {
        snprintf(err, errlen, "%s", vuln_importer_error(im));
        return -1;
    }
    return 0;
}

static int store_configurations(struct vuln_importer *im, int64_t adv, const char *cve,
                                const json_t *cfgs, char *err, size_t errlen)
{
    size_t i, k, j;
    const json_t *cfg, *node, *m;
    json_array_foreach(cfgs, i, cfg)
    {
        char platform[1024];
        config_platform(cfg, platform, sizeof platform);
        json_array_foreach(json_object_get(cfg, "nodes"), k, node)
        {
            if (json_is_true(json_object_get(node, "negate")))
                continue; /* "not on X": not evaluated */
            json_array_foreach(json_object_get(node, "cpeMatch"), j, m)
            {
                if (json_is_true(json_object_get(m, "vulnerable")) &&
                    store_match(im, adv, cve, m, platform, err, errlen))
                    return -1;
            }
        }
    }
    return 0;
}

/* CVSS: v3.1, v3.0, v4.0, v2, the NVD's Primary entry first */
static void nvd_score(const json_t *metrics, double *score, const char **vector, const char **ver)
{
    static const char *const kinds[] = {"cvssMetricV31", "cvssMetricV30", "cvssMetricV40",
                                        "cvssMetricV2"};
    *score = -1;
    *vector = *ver = NULL;
    for (size_t k = 0; k < 4 && *score < 0; k++) {
        size_t i;
        const json_t *m;
        json_array_foreach(json_object_get(metrics, kinds[k]), i, m)
        {
            const json_t *d = json_object_get(m, "cvssData");
            const json_t *bs = json_object_get(d, "baseScore");
            const char *type = jtext(m, "type");
            if (!json_is_number(bs))
                continue;
            if (*score >= 0 && !(type && !strcmp(type, "Primary")))
                continue;
            *score = json_number_value(bs);
            *vector = jtext(d, "vectorString");
            *ver = jtext(d, "version");
        }
    }
}

static void english_description(const json_t *cve, char *out, size_t n)
{
    size_t i;
    const json_t *d;
    out[0] = '\0';
    json_array_foreach(json_object_get(cve, "descriptions"), i, d)
    {
        const char *lang = jtext(d, "lang"), *v = jtext(d, "value");
        if (lang && v && !strcmp(lang, "en")) {
            snprintf(out, n, "%s", v);
            return;
        }
    }
}

static const char *first_cwe(const json_t *cve)
{
    size_t i, k;
    const json_t *w, *d;
    json_array_foreach(json_object_get(cve, "weaknesses"), i, w)
    {
        json_array_foreach(json_object_get(w, "description"), k, d)
        {
            const char *v = jtext(d, "value");
            if (v && !strncmp(v, "CWE-", 4))
                return v;
        }
    }
    return NULL;
}

static int store_cve(struct vuln_importer *im, const json_t *cve, char *err, size_t errlen)
{
    const char *id = jtext(cve, "id");
    if (!id || strncmp(id, "CVE-", 4) != 0) {
        snprintf(err, errlen, "a cve object without an id");
        return -1;
    }
    const json_t *cfgs = json_object_get(cve, "configurations");
    if (cfgs && !json_is_array(cfgs)) {
        snprintf(err, errlen, "%s: configurations is not an array", id);
        return -1;
    }
    char title[240], url[96];
    english_description(cve, title, sizeof title);
    snprintf(url, sizeof url, "https://nvd.nist.gov/vuln/detail/%s", id);
    struct vuln_adv a = {id, id, "nvd", NULL, jtext(cve, "lastModified"), title, url, NULL};
    int64_t adv = vuln_put_advisory(im, &a);
    if (adv < 0) {
        snprintf(err, errlen, "%s", vuln_importer_error(im));
        return -1;
    }
    if (adv == 0)
        return 0;
    vuln_importer_stats(im)->nvd_cves++;
    double score;
    const char *vector, *ver;
    nvd_score(json_object_get(cve, "metrics"), &score, &vector, &ver);
    if (vuln_put_cve(im, adv, id, title, first_cwe(cve), score, vector, ver)) {
        snprintf(err, errlen, "%s", vuln_importer_error(im));
        return -1;
    }
    return store_configurations(im, adv, id, cfgs, err, errlen);
}

int vuln_nvd_import(struct vuln_importer *im, const json_t *doc, char *err, size_t errlen)
{
    const json_t *vulns = json_object_get(doc, "vulnerabilities");
    if (!vulns) { /* a bare cve object, or {"cve": {...}} */
        const json_t *inner = json_object_get(doc, "cve");
        return store_cve(im, json_is_object(inner) ? inner : doc, err, errlen);
    }
    size_t i;
    const json_t *v;
    json_array_foreach(vulns, i, v)
    {
        const json_t *cve = json_object_get(v, "cve");
        if (!json_is_object(cve)) {
            snprintf(err, errlen, "vulnerabilities[%zu] has no cve object", i);
            return -1;
        }
        if (store_cve(im, cve, err, errlen))
            return -1;
    }
    return 0;
}
