/* board.c - gathering the board report's figures (see board.h).  Every number comes from the
 * store through the same queries the other commands use (register gaps, segmentation, alerts),
 * so the report can never disagree with `otscope register gaps` or `otscope segmentation`. */
#include "report/board.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "governance/governance.h"
#include "policy/segment.h"
#include "store/register.h"
#include "util/timefmt.h"

#define OT_ROLES "('plc','rtu','ied','io-device','hmi','engineering-workstation','scada-server'," \
                 "'historian','opc-server','broker')"

static int64_t scalar_int(sqlite3 *db, const char *sql, int64_t bind)
{
    sqlite3_stmt *st;
    int64_t v = 0;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return 0;
    if (sqlite3_bind_parameter_count(st) >= 1)
        sqlite3_bind_int64(st, 1, bind);
    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

static json_t *rows(sqlite3 *db, const char *sql, int64_t bind)
{
    json_t *arr = json_array();
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return arr;
    if (sqlite3_bind_parameter_count(st) >= 1)
        sqlite3_bind_int64(st, 1, bind);
    while (sqlite3_step(st) == SQLITE_ROW) {
        json_t *o = json_object();
        for (int i = 0; i < sqlite3_column_count(st); i++) {
            const char *n = sqlite3_column_name(st, i);
            switch (sqlite3_column_type(st, i)) {
            case SQLITE_INTEGER:
                json_object_set_new(o, n, json_integer(sqlite3_column_int64(st, i)));
                break;
            case SQLITE_FLOAT:
                json_object_set_new(o, n, json_real(sqlite3_column_double(st, i)));
                break;
            case SQLITE_NULL:
                json_object_set_new(o, n, json_null());
                break;
            default:
                json_object_set_new(o, n, json_string((const char *)sqlite3_column_text(st, i)));
            }
        }
        json_array_append_new(arr, o);
    }
    sqlite3_finalize(st);
    return arr;
}

static json_t *time_json(int64_t ns)
{
    if (!ns)
        return json_null();
    char t[TIME_STRLEN];
    time_format(ns, t);
    return json_string(t);
}

static json_int_t ji(const json_t *o, const char *k)
{
    return json_integer_value(json_object_get(o, k));
}

static json_t *unmanaged_section(struct store *s)
{
    json_t *g = register_gaps_json(s, 30, 0, false);
    json_t *c = json_object_get(g, "counts");
    json_t *bycrit = json_object();
    const char *k;
    json_t *v;
    json_object_foreach(json_object_get(g, "by_criticality"), k, v)
        json_object_set_new(bycrit, k, json_integer(ji(v, "unmanaged")));
    json_t *byrole = json_object();
    json_object_foreach(json_object_get(g, "by_role"), k, v)
        if (ji(v, "unmanaged"))
            json_object_set_new(byrole, k, json_integer(ji(v, "unmanaged")));
    bool imported = ji(c, "registered") > 0;
    json_t *out = json_pack("{s:I, s:I, s:I, s:I, s:I, s:o, s:o, s:f, s:b}",
                            "ot_assets_seen", ji(c, "ot_assets_seen"), "registered",
                            ji(c, "registered"), "unmanaged", ji(c, "unmanaged"), "stale",
                            ji(c, "stale"), "mismatched", ji(c, "mismatched"), "by_criticality",
                            bycrit, "by_role", byrole, "unmanaged_share",
                            json_real_value(json_object_get(c, "unmanaged_share")),
                            "register_imported", imported);
    if (!imported)
        json_object_set_new(out, "note", json_string("no ISMS register imported yet (otscope"
                                                     " register import FILE.csv): every OT"
                                                     " asset counts as unmanaged"));
    json_decref(g);
    return out;
}

static json_t *vuln_section(struct store *s)
{
    json_t *v = vuln_board_summary(s);
    if (v)
        return v;
    return json_pack("{s:i, s:i, s:{s:i, s:i, s:i, s:i}, s:I, s:s}", "assets_with_known_vulns", 0,
                     "assets_with_kev", 0, "by_cvss_band", "critical", 0, "high", 0, "medium", 0,
                     "low", 0, "unknown_exposure",
                     (json_int_t)scalar_int(store_db(s), "SELECT count(*) FROM assets WHERE role"
                                                         " IN " OT_ROLES, 0),
                     "note", "no advisories imported (otscope vuln import): exposure unknown");
}

static json_t *segmentation_section(struct store *s)
{
    static struct policy p;
    bool have = segment_stored_policy(s, &p);
    json_t *doc = segment_evaluate(s, have ? &p : NULL, have ? "stored" : "none");
    if (!doc)
        return json_object();
    json_t *h = json_object_get(doc, "headline");
    json_t *out = json_pack("{s:O, s:O, s:I, s:s, s:I}", "ot_assets_with_corporate_access",
                            json_object_get(h, "ot_assets_with_corporate_access"),
                            "ot_assets_with_internet_access",
                            json_object_get(h, "ot_assets_with_internet_access"), "violations",
                            ji(h, "violations"), "policy",
                            have ? "defined (otscope segmentation --policy)"
                                 : "none: every flow between proposed zones counts as"
                                   " uncontrolled",
                            "zones", (json_int_t)json_array_size(json_object_get(doc, "zones")));
    json_decref(doc);
    return out;
}

static json_t *finding(const char *text)
{
    return json_string(text);
}

static json_t *csf_entry(const char *id, const char *name, int score, json_t *findings)
{
    static const char *const status[] = {"not assessed", "initial", "partial", "managed",
                                         "good"};
    return json_pack("{s:s, s:s, s:i, s:s, s:o}", "function", id, "name", name, "score", score,
                     "status", status[score < 0 ? 0 : score > 4 ? 4 : score], "findings",
                     findings);
}

static json_t *csf_section(sqlite3 *db, json_t *um, json_t *vx, json_t *sg, json_t *own)
{
    char buf[256];
    json_t *csf = json_array();
    /* GV: ownership documented */
    json_t *gv = json_array();
    bool assigned = json_is_true(json_object_get(own, "assigned"));
    bool approved = json_is_string(json_object_get(own, "approved_by_board"));
    json_int_t orphan = json_integer_value(json_object_get(own, "ot_assets_without_owner"));
    if (!assigned) {
        json_array_append_new(gv, finding("no documented owner of the OT scope"));
    } else {
        snprintf(buf, sizeof buf, "%lld OT assets in zones without an accountable owner",
                 (long long)orphan);
        json_array_append_new(gv, json_string(buf));
        json_array_append_new(gv, finding(approved ? "owner assignment approved by the board"
                                                   : "owner assignment not approved by the"
                                                     " board"));
    }
    json_array_append_new(csf, csf_entry("GV", "Govern",
                                         !assigned ? 1 : 2 + approved + (orphan == 0), gv));
    /* ID: inventory completeness and register coverage */
    json_t *id = json_array();
    int64_t ot = ji(um, "ot_assets_seen");
    int64_t identified = scalar_int(db, "SELECT count(*) FROM assets WHERE role IN " OT_ROLES
                                        " AND vendor IS NOT NULL AND (product IS NOT NULL OR"
                                        " order_number IS NOT NULL)", 0);
    snprintf(buf, sizeof buf, "%lld of %lld OT assets identified by vendor and product from their"
             " own protocols", (long long)identified, (long long)ot);
    json_array_append_new(id, json_string(buf));
    snprintf(buf, sizeof buf, "%lld OT assets missing from the ISMS register",
             (long long)ji(um, "unmanaged"));
    json_array_append_new(id, json_string(buf));
    snprintf(buf, sizeof buf, "%lld OT assets with unknown vulnerability exposure",
             (long long)ji(vx, "unknown_exposure"));
    json_array_append_new(id, json_string(buf));
    double cov = ot ? (double)identified / (double)ot : 0;
    int ids = ot == 0 ? 0 : 1 + (cov > 0.5) + (ji(um, "unmanaged") == 0) +
                                (ji(vx, "unknown_exposure") < ot / 4 + 1);
    json_array_append_new(csf, csf_entry("ID", "Identify", ids, id));
    /* PR: segmentation and insecure services */
    json_t *pr = json_array();
    int64_t corp = ji(json_object_get(sg, "ot_assets_with_corporate_access"), "total");
    int64_t inet = ji(json_object_get(sg, "ot_assets_with_internet_access"), "total");
    int64_t insecure = scalar_int(db, "SELECT count(DISTINCT asset) FROM alerts WHERE type IN"
                                      " ('insecure-protocol','cleartext-credentials')", 0);
    snprintf(buf, sizeof buf, "%lld OT assets reach or are reached from the corporate network"
             " without a conduit, %lld the internet", (long long)corp, (long long)inet);
    json_array_append_new(pr, json_string(buf));
    snprintf(buf, sizeof buf, "%lld assets use insecure protocols or clear-text credentials",
             (long long)insecure);
    json_array_append_new(pr, json_string(buf));
    int prs = 4 - (corp > 0) - (inet > 0) - (insecure > 0) -
              (!strncmp(json_string_value(json_object_get(sg, "policy")), "none", 4));
    json_array_append_new(csf, csf_entry("PR", "Protect", prs < 0 ? 0 : prs, pr));
    /* DE: monitoring in place and what it saw */
    json_t *de = json_array();
    int64_t crit = scalar_int(db, "SELECT count(*) FROM alerts WHERE severity='critical'", 0);
    int64_t files = scalar_int(db, "SELECT count(*) FROM files WHERE status='ok'", 0);
    snprintf(buf, sizeof buf, "passive monitoring: %lld capture files analyzed; %lld critical"
             " alerts (PLC stops, program downloads, firmware changes)", (long long)files,
             (long long)crit);
    json_array_append_new(de, json_string(buf));
    json_array_append_new(csf, csf_entry("DE", "Detect", files ? (crit ? 2 : 3) : 0, de));
    /* RS, RC: from incident records and backups seen (filled by the incident module) */
    int64_t incidents = scalar_int(db, "SELECT count(*) FROM incidents", 0);
    json_t *rs = json_array();
    snprintf(buf, sizeof buf, "%lld NIS2 incident records with their reporting clocks",
             (long long)incidents);
    json_array_append_new(rs, json_string(buf));
    json_array_append_new(csf, csf_entry("RS", "Respond", incidents ? 2 : 0, rs));
    json_t *rc = json_array();
    int64_t backups = scalar_int(db, "SELECT count(DISTINCT dst_ip) FROM operations WHERE"
                                     " kind='program-upload'", 0);
    snprintf(buf, sizeof buf, "program uploads (backups) seen from %lld controllers",
             (long long)backups);
    json_array_append_new(rc, json_string(buf));
    json_array_append_new(csf, csf_entry("RC", "Recover", backups ? 2 : 1, rc));
    return csf;
}

/* the top risks, worst first, each with the action that reduces it */
static const char *vuln_severity(const json_t *a)
{
    double cvss = json_number_value(json_object_get(a, "max_cvss"));
    if (json_is_true(json_object_get(a, "kev")) || cvss >= 9.0)
        return "critical";
    return cvss >= 7.0 ? "high" : cvss >= 4.0 ? "medium" : "low";
}

/* one risk per vulnerable OT asset, from the vulnerability section's ranked list */
static json_t *vuln_risks(const json_t *vx)
{
    json_t *out = json_array();
    size_t i;
    const json_t *a;
    json_array_foreach(json_object_get(vx, "assets"), i, a) {
        char buf[400], kev[120] = "";
        size_t nk = json_array_size(json_object_get(a, "kev_cves"));
        if (nk)
            snprintf(kev, sizeof kev, "; %zu known exploited (CISA KEV), e.g. %s", nk,
                     json_string_value(json_array_get(json_object_get(a, "kev_cves"), 0)));
        const char *role = json_string_value(json_object_get(a, "role"));
        const char *vendor = json_string_value(json_object_get(a, "vendor"));
        const char *product = json_string_value(json_object_get(a, "product"));
        const char *fw = json_string_value(json_object_get(a, "firmware"));
        if (!product)
            product = json_string_value(json_object_get(a, "order_number"));
        const char *who = json_string_value(json_object_get(a, "name"));
        if (!who)
            who = json_string_value(json_object_get(a, "ip"));
        if (!who)
            who = json_string_value(json_object_get(a, "asset"));
        snprintf(buf, sizeof buf, "%s %s (%s%s%s, firmware %s) runs firmware with %lld known"
                 " vulnerabilities in %lld advisories, highest CVSS %.1f%s", role ? role : "asset",
                 who, vendor ? vendor : "",
                 vendor ? " " : "", product ? product : "", fw ? fw : "unknown",
                 (long long)json_integer_value(json_object_get(a, "cves")),
                 (long long)json_integer_value(json_object_get(a, "advisories")),
                 json_number_value(json_object_get(a, "max_cvss")), kev);
        json_array_append_new(out, json_pack("{s:s, s:s, s:s, s:O, s:O, s:O}", "type",
                                             "known-vulnerability", "severity",
                                             vuln_severity(a), "summary", buf, "assets",
                                             json_object_get(a, "asset"), "count",
                                             json_object_get(a, "advisories"), "action",
                                             json_object_get(a, "action")));
    }
    return out;
}

/* the ten worst: by severity, a vulnerable asset before an alert of the same severity */
static json_t *merge_risks(json_t *alerts, json_t *vulns)
{
    static const char *const sev[] = {"critical", "high", "medium", "low"};
    json_t *out = json_array();
    for (size_t k = 0; k < 4; k++) {
        json_t *src[2] = {vulns, alerts};
        for (size_t w = 0; w < 2; w++) {
            size_t i;
            json_t *r;
            json_array_foreach(src[w], i, r) {
                const char *rs = json_string_value(json_object_get(r, "severity"));
                bool known = false;
                for (size_t q = 0; q < 4; q++)
                    known |= rs && !strcmp(rs, sev[q]);
                if ((known ? strcmp(rs, sev[k]) : k != 3) || json_array_size(out) >= 10)
                    continue;
                json_object_set_new(r, "rank", json_integer((json_int_t)json_array_size(out) + 1));
                json_array_append(out, r);
            }
        }
    }
    json_decref(alerts);
    json_decref(vulns);
    return out;
}

static json_t *risks_section(sqlite3 *db, int64_t since, const json_t *vx)
{
    /* one risk per kind of alert and source: seven restarts by the same host are one risk */
    static const char *const sql =
        "SELECT a.type, a.severity, CASE WHEN count(*) = 1 THEN min(a.summary) ELSE"
        " printf('%s: %d %s alerts on %d assets, e.g. %s', coalesce(a.src, 'several hosts'),"
        "  count(*), a.type, count(DISTINCT a.asset), min(a.summary)) END AS summary,"
        " group_concat(DISTINCT a.asset) AS assets, sum(a.count) AS count,"
        " max(a.last_ns) AS last_ns FROM alerts a"
        " WHERE a.last_ns >= ?1 AND a.type NOT IN ('new-connection')"
        " GROUP BY a.type, a.severity, coalesce(a.src, a.asset)"
        " ORDER BY CASE a.severity WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium'"
        " THEN 2 ELSE 3 END, CASE a.type WHEN 'plc-stop' THEN 0 WHEN 'program-download' THEN 1"
        " WHEN 'firmware-change' THEN 2 WHEN 'external-communication' THEN 3 WHEN"
        " 'unauthorized-write' THEN 4 WHEN 'cleartext-credentials' THEN 5 ELSE 6 END,"
        " sum(a.count) DESC LIMIT 10";
    static const struct {
        const char *type, *action;
    } actions[] = {
        {"plc-stop", "Confirm with operations that this stop was planned; allow PLC stop only"
                     " from the engineering workstation and alert on it."},
        {"program-download", "Verify the program change against change management; restrict"
                             " program downloads to the engineering workstation."},
        {"program-upload", "Check that program uploads come from the engineering workstation"
                           " (uploads leak intellectual property and prepare attacks)."},
        {"firmware-change", "Confirm the firmware update was authorized and matches the vendor's"
                            " release."},
        {"unauthorized-write", "Find out why this host writes to the controller; block writes"
                               " from it at the cell firewall."},
        {"external-communication", "Remove the path between this OT asset and the internet, or"
                                   " route it through a DMZ with remote-access controls."},
        {"cleartext-credentials", "Replace clear-text logins with encrypted protocols and change"
                                  " the exposed credentials."},
        {"insecure-protocol", "Disable the insecure service or put it behind an encrypted,"
                              " authenticated channel."},
        {"cross-zone-flow", "Add a conduit if this flow is needed, otherwise block it between"
                            " the zones."},
        {"scan", "Identify the scanning host; scans of control networks can crash devices."},
        {"malformed-traffic", "Investigate the source of malformed industrial traffic (faulty"
                              " device or exploitation attempt)."},
        {"new-asset", "Add the device to the ISMS register with an owner, or remove it."},
        {"config-write", "Confirm the configuration change was authorized."},
        {"process-write", "Review which hosts may write process values."},
        {"plc-start", "Confirm with operations that this start was planned."},
    };
    json_t *arr = rows(db, sql, since);
    size_t i;
    json_t *r;
    json_array_foreach(arr, i, r) {
        const char *t = json_string_value(json_object_get(r, "type"));
        const char *act = "Review the alert and its evidence.";
        for (size_t k = 0; k < sizeof actions / sizeof *actions; k++)
            if (t && !strcmp(actions[k].type, t))
                act = actions[k].action;
        json_object_set_new(r, "action", json_string(act));
        json_object_set_new(r, "last_seen",
                            time_json(json_integer_value(json_object_get(r, "last_ns"))));
        json_object_del(r, "last_ns");
    }
    return merge_risks(arr, vuln_risks(vx));
}

/* NIS2 Art. 21(2) measures (a)-(j) and the evidence otscope holds for each */
static json_t *art21_section(sqlite3 *db, json_t *um, json_t *vx, json_t *sg, json_t *own)
{
    char buf[300];
    json_t *arr = json_array();
#define MEASURE(letter, title, status, ...)                                                  \
    do {                                                                                      \
        snprintf(buf, sizeof buf, __VA_ARGS__);                                               \
        json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:s}", "measure", letter,        \
                                             "title", title, "status", status, "evidence",     \
                                             buf));                                            \
    } while (0)
    bool policy = strncmp(json_string_value(json_object_get(sg, "policy")), "none", 4) != 0;
    bool owners = json_is_true(json_object_get(own, "assigned"));
    MEASURE("a", "risk analysis and information system security policies",
            policy && owners ? "covered" : policy || owners ? "partial" : "gap",
            "segmentation policy %s; governance file %s", policy ? "defined" : "missing",
            owners ? "imported" : "missing");
    int64_t alerts = scalar_int(db, "SELECT count(*) FROM alerts", 0);
    int64_t incidents = scalar_int(db, "SELECT count(*) FROM incidents", 0);
    MEASURE("b", "incident handling", incidents ? "covered" : alerts ? "partial" : "gap",
            "%lld alerts from passive monitoring; %lld incident records with NIS2 clocks",
            (long long)alerts, (long long)incidents);
    int64_t backups = scalar_int(db, "SELECT count(DISTINCT dst_ip) FROM operations WHERE"
                                     " kind='program-upload'", 0);
    MEASURE("c", "business continuity, backup management", backups ? "partial" : "gap",
            "program uploads (backups) seen from %lld controllers", (long long)backups);
    int64_t vendors = scalar_int(db, "SELECT count(DISTINCT vendor) FROM assets WHERE vendor IS"
                                     " NOT NULL", 0);
    MEASURE("d", "supply chain security", vendors ? "partial" : "gap",
            "%lld OT vendors identified from the devices' own protocols", (long long)vendors);
    json_int_t unknown = json_integer_value(json_object_get(vx, "unknown_exposure"));
    MEASURE("e", "security in acquisition, maintenance, vulnerability handling",
            json_object_get(vx, "note") ? "gap" : unknown ? "partial" : "covered",
            "%lld assets with known vulnerabilities (%lld known exploited); %lld with unknown"
            " exposure", (long long)json_integer_value(json_object_get(vx, "assets_with_known_vulns")),
            (long long)json_integer_value(json_object_get(vx, "assets_with_kev")), (long long)unknown);
    int64_t snaps = scalar_int(db, "SELECT count(*) FROM snapshots", 0);
    MEASURE("f", "assessing the effectiveness of measures", snaps > 1 ? "covered" : "partial",
            "%lld dated board reports kept for trends", (long long)snaps);
    int64_t creds = scalar_int(db, "SELECT count(*) FROM alerts WHERE type='cleartext-credentials'",
                               0);
    MEASURE("g", "cyber hygiene and training", creds ? "gap" : "partial",
            "%lld hosts sending credentials in clear", (long long)creds);
    int64_t insecure = scalar_int(db, "SELECT count(*) FROM alerts WHERE type='insecure-protocol'",
                                  0);
    MEASURE("h", "cryptography and encryption", insecure ? "gap" : "partial",
            "%lld insecure protocol findings (Telnet, FTP, OPC UA without security, ...)",
            (long long)insecure);
    int64_t unauthorized = scalar_int(db, "SELECT count(*) FROM alerts WHERE"
                                          " type='unauthorized-write'", 0);
    MEASURE("i", "human resources security, access control, asset management",
            json_integer_value(json_object_get(um, "unmanaged")) || unauthorized ? "gap"
                                                                                 : "covered",
            "%lld OT assets missing from the register; %lld unauthorized writers",
            (long long)json_integer_value(json_object_get(um, "unmanaged")),
            (long long)unauthorized);
    MEASURE("j", "multi-factor authentication, secured communications",
            json_integer_value(json_object_get(sg, "violations")) ? "gap" : "partial",
            "%lld flows between zones that no conduit allows",
            (long long)json_integer_value(json_object_get(sg, "violations")));
#undef MEASURE
    return arr;
}

static json_t *headline_figures(json_t *um, json_t *vx, json_t *sg)
{
    return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I}", "ot_assets_seen", ji(um, "ot_assets_seen"),
                     "unmanaged", ji(um, "unmanaged"), "assets_with_known_vulns",
                     ji(vx, "assets_with_known_vulns"), "assets_with_kev",
                     ji(vx, "assets_with_kev"), "ot_assets_with_corporate_access",
                     ji(json_object_get(sg, "ot_assets_with_corporate_access"), "total"),
                     "ot_assets_with_internet_access",
                     ji(json_object_get(sg, "ot_assets_with_internet_access"), "total"));
}

static json_t *trend_section(sqlite3 *db, json_t *now_figures)
{
    json_t *prev = rows(db, "SELECT generated_ns, figures FROM snapshots ORDER BY id DESC LIMIT 1",
                        0);
    json_t *p0 = json_array_get(prev, 0);
    json_t *out;
    if (!p0) {
        out = json_pack("{s:n, s:s}", "previous", "note", "first report: no trend yet");
    } else {
        json_t *pf = json_loads(json_string_value(json_object_get(p0, "figures")), 0, NULL);
        json_t *delta = json_object();
        const char *k;
        json_t *v;
        json_object_foreach(now_figures, k, v)
            json_object_set_new(delta, k, json_integer(json_integer_value(v) - ji(pf, k)));
        out = json_pack("{s:o, s:o, s:o}", "previous",
                        time_json(json_integer_value(json_object_get(p0, "generated_ns"))),
                        "previous_figures", pf ? pf : json_object(), "change", delta);
    }
    json_decref(prev);
    return out;
}

json_t *board_build(struct store *s, const struct board_opts *o)
{
    sqlite3 *db = store_db(s);
    int64_t now = o->now_ns ? o->now_ns : time_now_ns();
    json_t *b = json_object();
    json_object_set_new(b, "schema", json_string("otscope.board/1"));
    json_object_set_new(b, "generated_at", time_json(now));
    json_object_set_new(b, "period",
                        json_pack("{s:o, s:o, s:o}", "from",
                                  time_json(o->since_ns ? o->since_ns
                                                        : scalar_int(db, "SELECT min(first_ns)"
                                                                         " FROM assets", 0)),
                                  "to", time_json(scalar_int(db, "SELECT max(last_ns) FROM assets",
                                                             0)),
                                  "since", o->since_ns ? time_json(o->since_ns) : json_null()));
    json_object_set_new(b, "sites", rows(db, "SELECT site, count(*) AS assets, sum(role IN "
                                             OT_ROLES ") AS ot_assets FROM assets GROUP BY site"
                                             " ORDER BY site", 0));
    json_t *um = unmanaged_section(s), *vx = vuln_section(s), *sg = segmentation_section(s);
    json_t *own = governance_ownership(s);
    json_object_set_new(b, "unmanaged_assets", um);
    json_object_set_new(b, "vulnerability_exposure", vx);
    json_object_set_new(b, "segmentation", sg);
    json_object_set_new(b, "ownership", own);
    json_object_set_new(b, "csf", csf_section(db, um, vx, sg, own));
    json_object_set_new(b, "art21", art21_section(db, um, vx, sg, own));
    json_object_set_new(b, "top_risks", risks_section(db, o->since_ns, vx));
    json_object_set_new(b, "ot_assets_by_role_and_criticality",
                        rows(db, "SELECT role, criticality, count(*) AS assets FROM assets WHERE"
                                 " role IN " OT_ROLES " GROUP BY role, criticality ORDER BY"
                                 " criticality, role", 0));
    json_object_set_new(b, "alerts_by_type",
                        rows(db, "SELECT type, severity, count(*) AS alerts, sum(count) AS events"
                                 " FROM alerts WHERE last_ns >= ?1 GROUP BY type, severity ORDER"
                                 " BY CASE severity WHEN 'critical' THEN 0 WHEN 'high' THEN 1"
                                 " WHEN 'medium' THEN 2 ELSE 3 END, type", o->since_ns));
    json_object_set_new(b, "ot_assets",
                        rows(db, "SELECT a.id, a.role, a.criticality, a.purdue_level, a.zone,"
                                 " a.vendor, a.product, a.order_number, a.firmware, a.name,"
                                 " (SELECT group_concat(ip, ' ') FROM asset_ips WHERE"
                                 " asset_id=a.id) AS ips, (SELECT count(*) FROM register_match"
                                 " m WHERE m.asset_id=a.id) > 0 AS registered FROM assets a"
                                 " WHERE a.role IN " OT_ROLES " ORDER BY CASE a.criticality WHEN"
                                 " 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END, a.id", 0));
    json_t *fig = headline_figures(um, vx, sg);
    json_object_set_new(b, "trend", trend_section(db, fig));
    if (o->save_snapshot) {
        sqlite3_stmt *st;
        char *txt = json_dumps(fig, JSON_COMPACT | JSON_SORT_KEYS);
        if (txt && sqlite3_prepare_v2(db, "INSERT INTO snapshots(generated_ns, figures)"
                                          " VALUES(?, ?)", -1, &st, NULL) == SQLITE_OK) {
            sqlite3_bind_int64(st, 1, now);
            sqlite3_bind_text(st, 2, txt, -1, SQLITE_TRANSIENT);
            sqlite3_step(st);
            sqlite3_finalize(st);
        }
        free(txt);
    }
    json_object_set_new(b, "figures", fig);
    return b;
}
