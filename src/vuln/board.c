/* board.c - the board report's vulnerability figures (report/board.h, SPEC.md "report board"):
 * how many OT assets run firmware with known vulnerabilities, how many of them are known to be
 * exploited (CISA KEV), by CVSS band and criticality, and how many cannot be assessed.  It reads
 * the same per-asset answer as `otscope vulns`, so the two can never disagree.  Only "certain"
 * matches count as vulnerable; assets with only "possible" matches are counted apart. */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/board.h"
#include "vuln/vuln.h"

#define OT_ROLES "('plc','rtu','ied','io-device','hmi','engineering-workstation','scada-server'," \
                 "'historian','opc-server','broker')"
#define TOP_ASSETS 10

static double num(const json_t *o, const char *k)
{
    const json_t *v = json_object_get(o, k);
    return json_is_number(v) ? json_number_value(v) : -1;
}

static void bump(json_t *counts, const char *key)
{
    if (!key)
        key = "unknown";
    json_t *v = json_object_get(counts, key);
    json_object_set_new(counts, key, json_integer(v ? json_integer_value(v) + 1 : 1));
}

static const char *cvss_band(double cvss)
{
    return cvss >= 9.0 ? "critical" : cvss >= 7.0 ? "high" : cvss >= 4.0 ? "medium"
                       : cvss >= 0 ? "low" : "unscored";
}

/* the advice for one vulnerable asset: the fixed version if any advisory names one, else the
 * remediation of the worst advisory */
static json_t *action_for(const json_t *matches)
{
    const json_t *worst = NULL, *fixed = NULL, *m;
    size_t i;
    json_array_foreach(matches, i, m) {
        if (strcmp(json_string_value(json_object_get(m, "certainty")), "certain") != 0)
            continue;
        if (!worst || num(m, "cvss") > num(worst, "cvss") ||
            (json_is_true(json_object_get(m, "kev")) && !json_is_true(json_object_get(worst, "kev"))))
            worst = m;
        /* the highest fixed version closes every advisory that names one */
        const char *f = json_string_value(json_object_get(m, "fixed_in"));
        struct vver a, b;
        if (f && (!fixed || (vuln_ver_parse(f, &a) &&
                             vuln_ver_parse(json_string_value(json_object_get(fixed, "fixed_in")),
                                            &b) &&
                             vuln_ver_cmp(&a, &b) > 0)))
            fixed = m;
    }
    char buf[400];
    if (fixed)
        snprintf(buf, sizeof buf, "Update the firmware to %s or later (%s); until then restrict"
                 " network access to the device.", json_string_value(json_object_get(fixed,
                                                                                     "fixed_in")),
                 json_string_value(json_object_get(fixed, "advisory")));
    else if (worst)
        snprintf(buf, sizeof buf, "No fixed firmware is named: apply the mitigations of %s"
                 " and restrict network access to the device.",
                 json_string_value(json_object_get(worst, "advisory")));
    else
        snprintf(buf, sizeof buf, "No fixed version published: apply the vendor's mitigations"
                 " and isolate the device in its own zone.");
    return json_string(buf);
}

static json_t *ot_assets(sqlite3 *db)
{
    json_t *m = json_object();
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "SELECT id, role, criticality, name, (SELECT min(ip) FROM asset_ips"
                           " WHERE asset_id=assets.id AND ip NOT LIKE '%:%') FROM assets WHERE role IN "
                           OT_ROLES, -1, &st, NULL) != SQLITE_OK)
        return m;
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(st, 3);
        json_object_set_new(m, (const char *)sqlite3_column_text(st, 0),
                            json_pack("{s:s?, s:s?, s:s?, s:s?}", "role",
                                      (const char *)sqlite3_column_text(st, 1), "criticality",
                                      (const char *)sqlite3_column_text(st, 2), "name", name,
                                      "ip", (const char *)sqlite3_column_text(st, 4)));
    }
    sqlite3_finalize(st);
    return m;
}

json_t *vuln_board_summary(struct store *s)
{
    int64_t advisories = vuln_advisory_count(s);
    json_t *doc = vuln_assets_json(s);
    if (!doc)
        return NULL;
    json_t *ot = ot_assets(store_db(s));
    json_t *bands = json_pack("{s:i, s:i, s:i, s:i}", "critical", 0, "high", 0, "medium", 0, "low",
                              0);
    json_t *bycrit = json_object(), *reasons = json_object(), *top = json_array();
    json_int_t vulnerable = 0, kev = 0, possible = 0, unknown = 0;
    size_t i;
    json_t *e;
    /* the entries arrive ranked: KEV first, then by highest CVSS (exposure.c) */
    json_array_foreach(json_object_get(doc, "assets"), i, e) {
        const char *id = json_string_value(json_object_get(e, "asset"));
        json_t *info = json_object_get(ot, id);
        if (!info)
            continue;
        const json_t *risk = json_object_get(e, "risk");
        json_int_t certain = json_integer_value(json_object_get(risk, "certain_matches"));
        if (json_is_true(json_object_get(e, "unknown_exposure")) && certain == 0) {
            unknown++;
            bump(reasons, json_string_value(json_object_get(e, "unknown_reason")));
            continue;
        }
        if (certain == 0) {
            possible += json_integer_value(json_object_get(risk, "possible_matches")) > 0;
            continue;
        }
        vulnerable++;
        bool k = json_is_true(json_object_get(risk, "kev"));
        kev += k;
        double cvss = num(risk, "max_cvss");
        bump(bands, cvss_band(cvss));
        bump(bycrit, json_string_value(json_object_get(info, "criticality")));
        if (json_array_size(top) >= TOP_ASSETS)
            continue;
        json_t *cves = json_object();
        size_t j, c;
        json_t *m, *cv;
        json_array_foreach(json_object_get(e, "matches"), j, m)
            if (!strcmp(json_string_value(json_object_get(m, "certainty")), "certain"))
                json_array_foreach(json_object_get(m, "cves"), c, cv)
                    json_object_set_new(cves, json_string_value(cv), json_true());
        json_t *t = json_object();
        json_object_set_new(t, "asset", json_string(id));
        json_object_set(t, "name", json_object_get(info, "name"));
        json_object_set(t, "ip", json_object_get(info, "ip"));
        json_object_set(t, "role", json_object_get(info, "role"));
        json_object_set(t, "criticality", json_object_get(info, "criticality"));
        json_object_set(t, "vendor", json_object_get(e, "vendor"));
        json_object_set(t, "product", json_object_get(e, "product"));
        json_object_set(t, "order_number", json_object_get(e, "order_number"));
        json_object_set(t, "firmware", json_object_get(e, "firmware"));
        json_object_set(t, "max_cvss", json_object_get(risk, "max_cvss"));
        json_object_set_new(t, "kev", json_boolean(k));
        json_object_set(t, "kev_cves", json_object_get(risk, "kev_cves"));
        json_object_set_new(t, "advisories", json_integer(certain));
        json_object_set_new(t, "cves", json_integer((json_int_t)json_object_size(cves)));
        json_object_set_new(t, "action", action_for(json_object_get(e, "matches")));
        json_array_append_new(top, t);
        json_decref(cves);
    }
    json_t *out = json_object();
    json_object_set_new(out, "advisories_imported", json_integer(advisories));
    json_object_set_new(out, "assets_with_known_vulns", json_integer(vulnerable));
    json_object_set_new(out, "assets_with_kev", json_integer(kev));
    json_object_set_new(out, "by_cvss_band", bands);
    json_object_set_new(out, "by_criticality", bycrit);
    json_object_set_new(out, "assets_possibly_affected", json_integer(possible));
    json_object_set_new(out, "unknown_exposure", json_integer(advisories ? unknown
                                                              : (json_int_t)json_object_size(ot)));
    json_object_set_new(out, "unknown_by_reason", reasons);
    json_object_set_new(out, "assets", top);
    if (!advisories)
        json_object_set_new(out, "note", json_string("no advisories imported (otscope vuln"
                                                     " import): exposure unknown"));
    json_decref(ot);
    json_decref(doc);
    return out;
}
