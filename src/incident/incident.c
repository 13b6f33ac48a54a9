/* incident.c - see incident.h.  Fields are kept as a JSON object so that a field added later
 * needs no migration; which stage must report which field follows Art. 23(4) (a)-(e). */
#include "incident/incident.h"

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "governance/governance.h"
#include "incident/clock.h"
#include "store/audit.h"
#include "util/timefmt.h"

const struct incident_field incident_fields[] = {
    {"description", "Description of the incident", "early-warning,notification,final,progress"},
    {"suspected_malicious", "Suspected unlawful or malicious cause (yes/no/unknown)",
     "early-warning,notification"},
    {"cross_border", "Cross-border impact (yes/no/unknown)", "early-warning,notification,final"},
    {"affected_services", "Services affected", "notification,final"},
    {"severity", "Initial assessment: severity", "notification,intermediate,final,progress"},
    {"impact", "Initial assessment: impact", "notification,intermediate,final,progress"},
    {"iocs", "Indicators of compromise", "notification,intermediate"},
    {"threat_type", "Type of threat", "final"},
    {"root_cause", "Root cause", "final"},
    {"mitigations_applied", "Mitigation measures applied", "intermediate,final,progress"},
    {"mitigations_ongoing", "Mitigation measures ongoing", "intermediate,final,progress"},
    {"recipients_informed", "Recipients of the services informed (Art. 23(1), (2))",
     "notification,final"},
    {"status_update", "Status update", "intermediate,progress"},
    {"severe_disruption", "Art. 23(3)(a): severe operational disruption or financial loss"
     " (yes/no)", "notification,final"},
    {"considerable_damage", "Art. 23(3)(b): considerable damage to other persons (yes/no)",
     "notification,final"},
    {"csirt", "CSIRT or competent authority notified", ""},
    {"reporter", "Reporting person and contact", ""},
};
const int incident_nfields = (int)(sizeof incident_fields / sizeof *incident_fields);

static const char *const stages[] = {"early-warning", "notification", "intermediate", "final",
                                     "progress"};

bool incident_stage_valid(const char *stage)
{
    for (size_t i = 0; i < sizeof stages / sizeof *stages; i++)
        if (!strcmp(stages[i], stage))
            return true;
    return false;
}

static int exec_bind(sqlite3 *db, const char *sql, int64_t id, const char *a, const char *b,
                     int64_t n)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return -1;
    int np = sqlite3_bind_parameter_count(st);
    sqlite3_bind_int64(st, 1, id);
    if (np >= 2) {
        if (a)
            sqlite3_bind_text(st, 2, a, -1, SQLITE_TRANSIENT);
        else
            sqlite3_bind_null(st, 2);
    }
    if (np >= 3) {
        if (b)
            sqlite3_bind_text(st, 3, b, -1, SQLITE_TRANSIENT);
        else
            sqlite3_bind_int64(st, 3, n);
    }
    int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
    sqlite3_finalize(st);
    return rc;
}

bool incident_exists(struct store *s, int64_t id)
{
    sqlite3_stmt *st;
    bool ok = false;
    if (sqlite3_prepare_v2(store_db(s), "SELECT 1 FROM incidents WHERE id=?", -1, &st, NULL) ==
        SQLITE_OK) {
        sqlite3_bind_int64(st, 1, id);
        ok = sqlite3_step(st) == SQLITE_ROW;
    }
    sqlite3_finalize(st);
    return ok;
}

int incident_link(struct store *s, int64_t id, const char *kind, const char *ref)
{
    return exec_bind(store_db(s), "INSERT OR IGNORE INTO incident_links(incident, kind, ref)"
                                  " VALUES(?1, ?2, ?3)", id, kind, ref, 0);
}

int incident_log(struct store *s, int64_t id, int64_t when, const char *entry)
{
    char entity[32];
    snprintf(entity, sizeof entity, "incident %lld", (long long)id);
    if (audit_append(s, when, entity, "change", entry) != 0)
        return -1;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(store_db(s), "INSERT INTO incident_log(incident, time_ns, entry)"
                                        " VALUES(?, ?, ?)", -1, &st, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, when);
    sqlite3_bind_text(st, 3, entry, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
    sqlite3_finalize(st);
    return rc;
}

int64_t incident_new(struct store *s, const char *title, int64_t aware_ns, bool significant,
                     char **alerts, int nalerts, int64_t now_ns, char *err, size_t errlen)
{
    sqlite3 *db = store_db(s);
    sqlite3_stmt *st, *q;
    if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "INSERT INTO incidents(title, aware_ns, significant, created_ns)"
                               " VALUES(?, ?, ?, ?)", -1, &st, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "%s", sqlite3_errmsg(db));
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
        return -1;
    }
    sqlite3_bind_text(st, 1, title, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, aware_ns);
    sqlite3_bind_int(st, 3, significant);
    sqlite3_bind_int64(st, 4, now_ns);
    int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
    sqlite3_finalize(st);
    int64_t id = sqlite3_last_insert_rowid(db);
    sqlite3_prepare_v2(db, "SELECT asset, summary FROM alerts WHERE id=?", -1, &q, NULL);
    for (int i = 0; i < nalerts && !rc; i++) {
        sqlite3_bind_text(q, 1, alerts[i], -1, SQLITE_TRANSIENT);
        if (sqlite3_step(q) != SQLITE_ROW) {
            snprintf(err, errlen, "no alert %s (see otscope alerts --format json)", alerts[i]);
            rc = -2;
            break;
        }
        incident_link(s, id, "alert", alerts[i]);
        if (sqlite3_column_type(q, 0) != SQLITE_NULL)
            incident_link(s, id, "asset", (const char *)sqlite3_column_text(q, 0));
        sqlite3_reset(q);
    }
    sqlite3_finalize(q);
    char entry[512];
    snprintf(entry, sizeof entry, "incident recorded: %s", title);
    if (!rc)
        rc = incident_log(s, id, now_ns, entry);
    if (rc) {
        if (rc == -1)
            snprintf(err, errlen, "%s", sqlite3_errmsg(db));
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
        return -1;
    }
    sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    return id;
}

int incident_set_field(struct store *s, int64_t id, const char *key, const char *value)
{
    return exec_bind(store_db(s), "UPDATE incidents SET fields=json_set(fields, '$.' || ?2, ?3)"
                                  " WHERE id=?1", id, key, value, 0);
}

int incident_assess_significance(struct store *s, int64_t id)
{
    /* only when an input was recorded: otherwise the initial judgement stands */
    return exec_bind(store_db(s),
                     "UPDATE incidents SET significant = (coalesce(json_extract(fields,"
                     " '$.severe_disruption'), '') IN ('yes','true','1') OR"
                     " coalesce(json_extract(fields, '$.considerable_damage'), '') IN"
                     " ('yes','true','1')) WHERE id=?1 AND (json_extract(fields,"
                     " '$.severe_disruption') IS NOT NULL OR json_extract(fields,"
                     " '$.considerable_damage') IS NOT NULL)",
                     id, NULL, NULL, 0);
}

int incident_set_status(struct store *s, int64_t id, const char *status, int64_t handled_ns)
{
    return exec_bind(store_db(s), "UPDATE incidents SET status=?2, handled_ns=CASE WHEN ?3 > 0"
                                  " THEN ?3 ELSE handled_ns END WHERE id=?1", id, status, NULL,
                     handled_ns);
}

int incident_submit(struct store *s, int64_t id, const char *stage, int64_t when)
{
    return exec_bind(store_db(s), "INSERT OR REPLACE INTO incident_submissions(incident, stage,"
                                  " submitted_ns) VALUES(?1, ?2, ?3)", id, stage, NULL, when);
}

static json_t *tj(int64_t ns)
{
    if (!ns)
        return json_null();
    char t[TIME_STRLEN];
    time_format(ns, t);
    return json_string(t);
}

static int64_t submitted(sqlite3 *db, int64_t id, const char *stage)
{
    sqlite3_stmt *st;
    int64_t v = 0;
    if (sqlite3_prepare_v2(db, "SELECT submitted_ns FROM incident_submissions WHERE incident=?"
                               " AND stage=?", -1, &st, NULL) != SQLITE_OK)
        return 0;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_text(st, 2, stage, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

static json_t *stage_json(int64_t due, int64_t sub, int64_t now, bool provisional)
{
    json_t *o = json_pack("{s:o, s:o}", "due", tj(due), "submitted_at", tj(sub));
    const char *state = sub ? (due && sub > due ? "submitted late" : "submitted")
                        : !due ? "not yet due"
                        : now > due ? "overdue" : "open";
    json_object_set_new(o, "state", json_string(state));
    if (due && !sub) {
        int64_t left = (due - now) / 1000000000ll;
        char t[48];
        int64_t a = left < 0 ? -left : left;
        snprintf(t, sizeof t, "%s%lldd %02lldh %02lldm%s", left < 0 ? "overdue by " : "",
                 (long long)(a / 86400), (long long)(a / 3600 % 24), (long long)(a / 60 % 60),
                 left < 0 ? "" : " left");
        json_object_set_new(o, "time_left_seconds", json_integer(left));
        json_object_set_new(o, "time_left", json_string(t));
    }
    if (provisional)
        json_object_set_new(o, "provisional", json_true());
    return o;
}

static json_t *links(sqlite3 *db, int64_t id, const char *kind)
{
    json_t *a = json_array();
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "SELECT ref FROM incident_links WHERE incident=? AND kind=?"
                               " ORDER BY ref", -1, &st, NULL) != SQLITE_OK)
        return a;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
    while (sqlite3_step(st) == SQLITE_ROW)
        json_array_append_new(a, json_string((const char *)sqlite3_column_text(st, 0)));
    sqlite3_finalize(st);
    return a;
}

static json_t *one(sqlite3 *db, sqlite3_stmt *st, int64_t now, bool detail)
{
    int64_t id = sqlite3_column_int64(st, 0), aware = sqlite3_column_int64(st, 2);
    int64_t handled = sqlite3_column_type(st, 5) == SQLITE_NULL ? 0 : sqlite3_column_int64(st, 5);
    struct nis2_clock c;
    int64_t notified = submitted(db, id, "notification");
    nis2_clock(aware, notified, handled, now, &c);
    json_t *stg = json_object();
    json_object_set_new(stg, "early-warning",
                        stage_json(c.early_warning_due, submitted(db, id, "early-warning"), now,
                                   false));
    json_object_set_new(stg, "notification", stage_json(c.notification_due, notified, now, false));
    if (c.progress_due)
        json_object_set_new(stg, "progress",
                            stage_json(c.progress_due, submitted(db, id, "progress"), now, false));
    json_object_set_new(stg, "final", stage_json(c.final_due, submitted(db, id, "final"), now,
                                                 c.final_provisional));
    int64_t inter = submitted(db, id, "intermediate");
    if (inter)
        json_object_set_new(stg, "intermediate", stage_json(0, inter, now, false));
    json_t *o = json_pack("{s:I, s:s, s:o, s:b, s:o, s:s, s:o, s:o, s:o}", "id", (json_int_t)id,
                          "title", (const char *)sqlite3_column_text(st, 1), "aware_at", tj(aware),
                          "significant", sqlite3_column_int(st, 3), "stages", stg, "status",
                          (const char *)sqlite3_column_text(st, 4), "handled_at", tj(handled),
                          "assets", links(db, id, "asset"), "alerts", links(db, id, "alert"));
    if (detail) {
        json_t *f = json_loads((const char *)sqlite3_column_text(st, 6), 0, NULL);
        json_object_set_new(o, "fields", f ? f : json_object());
        json_t *log = json_array();
        sqlite3_stmt *l;
        if (sqlite3_prepare_v2(db, "SELECT time_ns, entry FROM incident_log WHERE incident=?"
                                   " ORDER BY time_ns, rowid", -1, &l, NULL) == SQLITE_OK) {
            sqlite3_bind_int64(l, 1, id);
            while (sqlite3_step(l) == SQLITE_ROW)
                json_array_append_new(log, json_pack("{s:o, s:s}", "time",
                                                     tj(sqlite3_column_int64(l, 0)), "entry",
                                                     (const char *)sqlite3_column_text(l, 1)));
            sqlite3_finalize(l);
        }
        json_object_set_new(o, "log", log);
    }
    return o;
}

json_t *incident_list_json(struct store *s, int64_t id, int64_t now)
{
    sqlite3 *db = store_db(s);
    sqlite3_stmt *st;
    json_t *arr = json_array();
    if (sqlite3_prepare_v2(db, "SELECT id, title, aware_ns, significant, status, handled_ns,"
                               " fields FROM incidents WHERE ?1 = 0 OR id = ?1 ORDER BY id",
                           -1, &st, NULL) != SQLITE_OK) {
        json_decref(arr);
        return NULL;
    }
    sqlite3_bind_int64(st, 1, id);
    while (sqlite3_step(st) == SQLITE_ROW)
        json_array_append_new(arr, one(db, st, now, id > 0));
    sqlite3_finalize(st);
    return json_pack("{s:s, s:o}", "schema", "otscope.incidents/1", "incidents", arr);
}

json_t *incident_report_json(struct store *s, int64_t id, const char *stage, int64_t now)
{
    json_t *l = incident_list_json(s, id, now);
    json_t *inc = json_incref(json_array_get(json_object_get(l, "incidents"), 0));
    json_decref(l);
    if (!inc)
        return NULL;
    json_t *fields = json_object_get(inc, "fields");
    json_t *content = json_array(), *missing = json_array();
    for (int i = 0; i < incident_nfields; i++) {
        const struct incident_field *f = &incident_fields[i];
        char list[96];
        snprintf(list, sizeof list, ",%s,", f->stages);
        char want[32];
        snprintf(want, sizeof want, ",%s,", stage);
        bool required = strstr(list, want) != NULL;
        json_t *v = json_object_get(fields, f->key);
        if (!required && !v)
            continue;
        json_array_append_new(content, json_pack("{s:s, s:s, s:O, s:b}", "field", f->key, "label",
                                                 f->label, "value", v ? v : json_null(),
                                                 "required", required));
        if (required && !v)
            json_array_append_new(missing, json_string(f->key));
    }
    json_t *st = json_object_get(json_object_get(inc, "stages"), stage);
    json_t *r = json_pack("{s:s, s:s, s:O, s:O, s:o, s:o, s:o}", "schema",
                          "otscope.incident-report/1", "stage", stage, "due",
                          st ? json_object_get(st, "due") : json_null(), "submitted_at",
                          st ? json_object_get(st, "submitted_at") : json_null(), "content",
                          content, "missing", missing, "incident", inc);
    json_t *g = governance_load(s);
    json_object_set_new(r, "escalation", g && json_object_get(g, "escalation")
                                             ? json_incref(json_object_get(g, "escalation"))
                                             : json_array());
    json_object_set_new(r, "entity", g && json_object_get(g, "organisation")
                                         ? json_incref(json_object_get(g, "organisation"))
                                         : json_null());
    json_decref(g);
    json_object_set_new(r, "legal_basis",
                        json_string(!strcmp(stage, "early-warning") ? "NIS2 Art. 23(4)(a)"
                                    : !strcmp(stage, "notification") ? "NIS2 Art. 23(4)(b)"
                                    : !strcmp(stage, "intermediate") ? "NIS2 Art. 23(4)(c)"
                                    : !strcmp(stage, "final")        ? "NIS2 Art. 23(4)(d)"
                                                                     : "NIS2 Art. 23(4)(e)"));
    return r;
}

void incident_report_md(const json_t *r, FILE *f)
{
    const json_t *inc = json_object_get(r, "incident");
    static const struct {
        const char *stage, *title;
    } titles[] = {{"early-warning", "Early warning (within 24 hours)"},
                  {"notification", "Incident notification (within 72 hours)"},
                  {"intermediate", "Intermediate report"},
                  {"final", "Final report (within one month of the notification)"},
                  {"progress", "Progress report (incident still ongoing)"}};
    const char *stage = json_string_value(json_object_get(r, "stage"));
    const char *title = stage;
    for (size_t i = 0; i < sizeof titles / sizeof *titles; i++)
        if (!strcmp(titles[i].stage, stage))
            title = titles[i].title;
    const json_t *due = json_object_get(r, "due"), *sub = json_object_get(r, "submitted_at");
    fprintf(f, "# NIS2 %s\n\n", title);
    fprintf(f, "| | |\n|---|---|\n| Incident | #%lld %s |\n| Became aware | %s |\n"
               "| Due | %s |\n| Submitted | %s |\n| Significant incident | %s |\n| Status | %s |\n"
               "| Legal basis | %s |\n\n",
            (long long)json_integer_value(json_object_get(inc, "id")),
            json_string_value(json_object_get(inc, "title")),
            json_string_value(json_object_get(inc, "aware_at")),
            json_is_string(due) ? json_string_value(due) : "after the incident is handled",
            json_is_string(sub) ? json_string_value(sub) : "not yet",
            json_is_true(json_object_get(inc, "significant")) ? "yes" : "no",
            json_string_value(json_object_get(inc, "status")),
            json_string_value(json_object_get(r, "legal_basis")));
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(r, "content"), i, c) {
        const json_t *v = json_object_get(c, "value");
        fprintf(f, "## %s\n\n%s\n\n", json_string_value(json_object_get(c, "label")),
                json_is_string(v) ? json_string_value(v) : "**TO COMPLETE**");
    }
    fprintf(f, "## Affected assets\n\n");
    json_t *a;
    json_array_foreach(json_object_get(inc, "assets"), i, a)
        fprintf(f, "- %s\n", json_string_value(a));
    if (!json_array_size(json_object_get(inc, "assets")))
        fprintf(f, "- none linked\n");
    fprintf(f, "\n## Alerts (evidence)\n\n");
    json_array_foreach(json_object_get(inc, "alerts"), i, a)
        fprintf(f, "- %s\n", json_string_value(a));
    fprintf(f, "\n## Escalation path\n\n");
    json_array_foreach(json_object_get(r, "escalation"), i, a) {
        const char *k[] = {"level", "role", "name", "phone", "within"};
        fprintf(f, "-");
        for (int j = 0; j < 5; j++) {
            const json_t *v = json_object_get(a, k[j]);
            if (json_is_string(v))
                fprintf(f, " %s%s", j == 4 ? "within " : "", json_string_value(v));
        }
        fprintf(f, "\n");
    }
    if (!json_array_size(json_object_get(r, "escalation")))
        fprintf(f, "- no escalation path documented (otscope governance import)\n");
    if (json_array_size(json_object_get(r, "missing")))
        fprintf(f, "\n> %zu required field(s) still to complete before submission.\n",
                json_array_size(json_object_get(r, "missing")));
}
