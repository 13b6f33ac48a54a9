#define _GNU_SOURCE /* strcasestr, asprintf */
/* pages.c - the console's server-rendered pages: overview, assets, asset, network map, alerts,
 * incidents, board report.  Every number on a page comes from the same JSON document the API
 * serves, so the two cannot disagree (the browser tests check that). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert/alert.h"
#include "incident/incident.h"
#include "policy/segment.h"
#include "report/board.h"
#include "store/store.h"
#include "util/timefmt.h"
#include "vuln/vuln.h"
#include "web/web.h"

json_t *web_assets(struct store *s);

static void esc(FILE *f, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '&': fputs("&amp;", f); break;
        case '"': fputs("&quot;", f); break;
        case '\'': fputs("&#39;", f); break;
        default: fputc(*s, f);
        }
    }
}

static const char *js(const json_t *o, const char *k)
{
    const json_t *v = json_object_get(o, k);
    return json_is_string(v) ? json_string_value(v) : "–";
}

static long long ji(const json_t *o, const char *k)
{
    return (long long)json_integer_value(json_object_get(o, k));
}

static void begin(FILE *f, const char *title, const char *active)
{
    static const char *const nav[][2] = {{"/", "Overview"}, {"/assets", "Assets"},
                                         {"/map", "Network map"}, {"/alerts", "Alerts"},
                                         {"/incidents", "Incidents"}, {"/report", "Board report"}};
    fputs("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>otscope: ", f);
    esc(f, title);
    fputs("</title><link rel=\"stylesheet\" href=\"/static/app.css\"></head><body><header><b>"
          "otscope</b>", f);
    for (size_t i = 0; i < sizeof nav / sizeof *nav; i++)
        fprintf(f, "<a href=\"%s\"%s>%s</a>", nav[i][0],
                !strcmp(nav[i][0], active) ? " aria-current=\"page\"" : "", nav[i][1]);
    fputs("</header><main><h1>", f);
    esc(f, title);
    fputs("</h1>\n", f);
}

/* closes the page; buf is the open_memstream pointer, set only by fclose */
static char *end(FILE *f, char **buf, size_t *len, int *status, const char **ctype)
{
    fputs("</main><script src=\"/static/app.js\"></script></body></html>\n", f);
    fclose(f);
    *len = strlen(*buf);
    *status = 200;
    *ctype = "text/html; charset=utf-8";
    return *buf;
}

static void asset_link(FILE *f, const char *id)
{
    if (!id || !strcmp(id, "–")) {
        fputs("–", f);
        return;
    }
    fputs("<a href=\"/assets/", f);
    esc(f, id);
    fputs("\">", f);
    esc(f, id);
    fputs("</a>", f);
}

static void alerts_table(FILE *f, const json_t *alerts, size_t max, const char *only_asset)
{
    fputs("<table class=\"sortable\" id=\"alerts\"><tr><th>time</th><th>severity</th><th>type"
          "</th><th>asset</th><th>summary</th><th>MITRE</th><th>count</th></tr>", f);
    size_t shown = 0;
    for (size_t k = json_array_size(alerts); k-- > 0 && shown < max;) {
        const json_t *a = json_array_get(alerts, k);
        if (only_asset && strcmp(js(a, "asset"), only_asset))
            continue;
        shown++;
        fputs("<tr><td>", f);
        esc(f, js(a, "time"));
        fprintf(f, "</td><td class=\"sev-%s\">%s</td><td>", js(a, "severity"), js(a, "severity"));
        esc(f, js(a, "type"));
        fputs("</td><td>", f);
        asset_link(f, js(a, "asset"));
        fputs("</td><td>", f);
        esc(f, js(a, "summary"));
        fputs("</td><td>", f);
        size_t i;
        json_t *m;
        json_array_foreach(json_object_get(a, "mitre_ics"), i, m) {
            fputs(i ? ", " : "", f);
            esc(f, json_string_value(m));
        }
        fprintf(f, "</td><td>%lld</td></tr>", ji(a, "count"));
    }
    fputs("</table>\n", f);
}

static void incidents_table(FILE *f, const json_t *doc)
{
    fputs("<table class=\"sortable\" id=\"incidents\"><tr><th>id</th><th>title</th><th>aware at"
          "</th><th>early warning (24 h)</th><th>notification (72 h)</th><th>final</th>"
          "<th>status</th><th>reports</th></tr>", f);
    size_t i;
    json_t *x;
    json_array_foreach(json_object_get(doc, "incidents"), i, x) {
        fprintf(f, "<tr><td>%lld</td><td>", ji(x, "id"));
        esc(f, js(x, "title"));
        fputs("</td><td>", f);
        esc(f, js(x, "aware_at"));
        const char *st[] = {"early-warning", "notification", "final"};
        for (int k = 0; k < 3; k++) {
            const json_t *s = json_object_get(json_object_get(x, "stages"), st[k]);
            fprintf(f, "</td><td class=\"%s\">", !strcmp(js(s, "state"), "overdue") ? "overdue"
                                                                                   : "");
            esc(f, js(s, "state"));
            fputs("<br><span class=\"muted\">due ", f);
            esc(f, js(s, "due"));
            fputs("</span>", f);
        }
        fputs("</td><td>", f);
        esc(f, js(x, "status"));
        fputs("</td><td>", f);
        const char *stages[] = {"early-warning", "notification", "final"};
        for (int k = 0; k < 3; k++)
            fprintf(f, "<a href=\"/incidents/%lld/report?next=%s\">%s</a> ", ji(x, "id"),
                    stages[k], stages[k]);
        fputs("</td></tr>", f);
    }
    fputs("</table>\n", f);
}

static char *overview(struct store *s, const struct web_req *r, int *status, const char **ctype,
                      size_t *len)
{
    (void)r;
    char *buf = NULL;
    size_t blen;
    FILE *f = open_memstream(&buf, &blen);
    struct board_opts o = {0, 0, false};
    json_t *b = board_build(s, &o);
    begin(f, "Overview", "/");
    const json_t *um = json_object_get(b, "unmanaged_assets");
    const json_t *vx = json_object_get(b, "vulnerability_exposure");
    const json_t *sg = json_object_get(b, "segmentation");
    const json_t *ch = json_object_get(json_object_get(b, "trend"), "change");
    fprintf(f, "<div class=\"cards\"><div class=\"card\" id=\"unmanaged\"><div>OT assets not in the"
               " register</div><div class=\"big\">%lld</div><div>of %lld OT assets seen</div>"
               "<div class=\"trend\">change since last report: %+lld</div></div>",
            ji(um, "unmanaged"), ji(um, "ot_assets_seen"), ji(ch, "unmanaged"));
    fprintf(f, "<div class=\"card\" id=\"vulnerable\"><div>OT assets with known"
               " vulnerabilities</div><div class=\"big\">%lld</div><div>%lld known exploited"
               " (KEV), %lld unknown exposure</div><div class=\"trend\">change: %+lld</div></div>",
            ji(vx, "assets_with_known_vulns"), ji(vx, "assets_with_kev"),
            ji(vx, "unknown_exposure"), ji(ch, "assets_with_known_vulns"));
    fprintf(f, "<div class=\"card\" id=\"exposed\"><div>OT assets with uncontrolled access to"
               " the corporate network</div><div class=\"big\">%lld</div><div>%lld to or from"
               " the internet</div><div class=\"trend\">change: %+lld</div></div></div>",
            ji(json_object_get(sg, "ot_assets_with_corporate_access"), "total"),
            ji(json_object_get(sg, "ot_assets_with_internet_access"), "total"),
            ji(ch, "ot_assets_with_corporate_access"));
    json_decref(b);
    fputs("<h2>Newest alerts</h2>", f);
    json_t *al = alerts_json(s);
    alerts_table(f, json_object_get(al, "alerts"), 10, NULL);
    json_decref(al);
    fputs("<h2>Incidents and their NIS2 clocks</h2>", f);
    json_t *inc = incident_list_json(s, 0, time_now_ns());
    incidents_table(f, inc);
    json_decref(inc);
    return end(f, &buf, len, status, ctype);
}

static char *assets_page(struct store *s, const struct web_req *r, int *status,
                         const char **ctype, size_t *len)
{
    char *buf = NULL;
    size_t blen;
    FILE *f = open_memstream(&buf, &blen);
    json_t *doc = web_assets(s);
    begin(f, "Assets", "/assets");
    fputs("<form class=\"filter\" method=\"get\" action=\"/assets\"><input id=\"filter\" "
          "name=\"q\" placeholder=\"filter\" value=\"", f);
    esc(f, web_param(r, "q") ? web_param(r, "q") : "");
    fputs("\"><select name=\"role\"><option value=\"\">any role</option>", f);
    static const char *const roles[] = {"plc", "rtu", "ied", "io-device", "hmi",
        "engineering-workstation", "scada-server", "historian", "opc-server", "broker", "gateway",
        "network-device", "it-host", "unknown"};
    for (size_t i = 0; i < sizeof roles / sizeof *roles; i++)
        fprintf(f, "<option%s>%s</option>",
                web_param(r, "role") && !strcmp(web_param(r, "role"), roles[i]) ? " selected" : "",
                roles[i]);
    fputs("</select><select name=\"criticality\"><option value=\"\">any criticality</option>"
          "<option>high</option><option>medium</option><option>low</option></select>"
          "<select name=\"unmanaged\"><option value=\"\">registered or not</option>"
          "<option value=\"yes\">unmanaged only</option></select><select name=\"vulnerable\">"
          "<option value=\"\">any exposure</option><option value=\"yes\">vulnerable only</option>"
          "</select><button>apply</button></form>", f);
    fputs("<table class=\"sortable\" id=\"assets\"><tr><th>id</th><th>role</th><th>criticality"
          "</th><th>vendor</th><th>product</th><th>firmware</th><th>zone</th><th>IP</th>"
          "<th>MAC vendor</th><th>unmanaged</th><th>vulnerable</th></tr>", f);
    size_t i, shown = 0;
    json_t *a;
    const char *keys[] = {"role", "criticality", "zone", "vendor", "unmanaged", "vulnerable"};
    json_array_foreach(json_object_get(doc, "assets"), i, a) {
        bool keep = true;
        for (size_t k = 0; k < 6; k++) {
            const char *want = web_param(r, keys[k]);
            if (want && *want && strcmp(js(a, keys[k]), want))
                keep = false;
        }
        const char *q = web_param(r, "q");
        if (keep && q && *q) {
            char *t = json_dumps(a, JSON_COMPACT);
            keep = t && strcasestr(t, q);
            free(t);
        }
        if (!keep)
            continue;
        shown++;
        fputs("<tr><td>", f);
        asset_link(f, js(a, "id"));
        const char *cols[] = {"role", "criticality", "vendor", "product", "firmware", "zone"};
        for (int k = 0; k < 6; k++) {
            fputs("</td><td>", f);
            esc(f, js(a, cols[k]));
        }
        fputs("</td><td>", f);
        esc(f, json_string_value(json_array_get(json_object_get(a, "ips"), 0)));
        fputs("</td><td>", f);
        esc(f, js(a, "mac_vendor"));
        fprintf(f, "</td><td>%s</td><td>%s</td></tr>", js(a, "unmanaged"), js(a, "vulnerable"));
    }
    fprintf(f, "</table><p class=\"muted\" id=\"count\">%zu assets</p>", shown);
    json_decref(doc);
    return end(f, &buf, len, status, ctype);
}

/* the advisories that apply to one asset (the same answer as `otscope vulns`) */
static void vulns_table(FILE *f, struct store *s, const char *id)
{
    json_t *va = vuln_assets_json(s), *e = NULL, *x;
    size_t i;
    json_array_foreach(json_object_get(va, "assets"), i, x)
        if (!strcmp(js(x, "asset"), id))
            e = x;
    if (!e || !json_array_size(json_object_get(e, "matches"))) {
        fputs("<p id=\"vulns-none\">", f);
        if (e && json_is_true(json_object_get(e, "unknown_exposure"))) {
            fputs("Exposure unknown: ", f);
            esc(f, js(e, "unknown_reason"));
        } else if (!vuln_advisory_count(s)) {
            fputs("No advisories imported (otscope vuln import).", f);
        } else {
            fputs("No known vulnerabilities for this identity and firmware.", f);
        }
        fputs("</p>", f);
        json_decref(va);
        return;
    }
    fputs("<table class=\"sortable\" id=\"vulns\"><tr><th>advisory</th><th>certainty</th>"
          "<th>CVEs</th><th>CVSS</th><th>KEV</th><th>EPSS</th><th>fixed in</th><th>remediation"
          "</th></tr>", f);
    json_t *m;
    json_array_foreach(json_object_get(e, "matches"), i, m) {
        fputs("<tr><td>", f);
        const char *url = js(m, "url");
        if (!strncmp(url, "https://", 8)) {
            fputs("<a rel=\"noreferrer\" href=\"", f);
            esc(f, url);
            fputs("\">", f);
            esc(f, js(m, "advisory"));
            fputs("</a>", f);
        } else {
            esc(f, js(m, "advisory"));
        }
        fputs("</td><td>", f);
        esc(f, js(m, "certainty"));
        fputs("</td><td>", f);
        size_t k;
        json_array_foreach(json_object_get(m, "cves"), k, x) {
            esc(f, json_string_value(x));
            fputs(" ", f);
        }
        const json_t *cv = json_object_get(m, "cvss"), *ep = json_object_get(m, "epss");
        fprintf(f, "</td><td>%s", json_is_number(cv) ? "" : "–");
        if (json_is_number(cv))
            fprintf(f, "%.1f", json_number_value(cv));
        fprintf(f, "</td><td>%s</td><td>", json_is_true(json_object_get(m, "kev")) ? "yes" : "no");
        if (json_is_number(ep))
            fprintf(f, "%.3f", json_number_value(ep));
        else
            fputs("–", f);
        fputs("</td><td>", f);
        esc(f, js(m, "fixed_in"));
        fputs("</td><td>", f);
        esc(f, js(m, "remediation"));
        fputs("</td></tr>", f);
    }
    fputs("</table>", f);
    json_decref(va);
}

static char *asset_page(struct store *s, const char *id, int *status, const char **ctype,
                        size_t *len)
{
    json_t *doc = web_assets(s), *a = NULL;
    size_t i;
    json_t *x;
    json_array_foreach(json_object_get(doc, "assets"), i, x)
        if (!strcmp(js(x, "id"), id))
            a = x;
    if (!a) {
        json_decref(doc);
        *status = 404;
        return NULL;
    }
    char *buf = NULL;
    size_t blen;
    FILE *f = open_memstream(&buf, &blen);
    begin(f, id, "/assets");
    fputs("<table id=\"identity\"><tr><th>field</th><th>value</th></tr>", f);
    const char *fields[] = {"mac", "mac_vendor", "vendor", "product", "order_number", "firmware",
                            "hardware", "serial", "name", "role", "criticality", "domain", "zone",
                            "first_seen", "last_seen"};
    for (size_t k = 0; k < sizeof fields / sizeof *fields; k++) {
        fprintf(f, "<tr><td>%s</td><td>", fields[k]);
        esc(f, js(a, fields[k]));
        fputs("</td></tr>", f);
    }
    fprintf(f, "<tr><td>purdue_level</td><td>%s</td></tr><tr><td>ips</td><td>",
            json_is_integer(json_object_get(a, "purdue_level")) ? "" : "–");
    if (json_is_integer(json_object_get(a, "purdue_level")))
        fprintf(f, "%lld", ji(a, "purdue_level"));
    json_array_foreach(json_object_get(a, "ips"), i, x) {
        esc(f, json_string_value(x));
        fputs(" ", f);
    }
    fputs("</td></tr></table><h2>Evidence</h2><table class=\"sortable\" id=\"evidence\"><tr><th>"
          "field</th><th>value</th><th>source</th><th>file</th><th>frame</th></tr>", f);
    json_array_foreach(json_object_get(a, "evidence"), i, x) {
        fputs("<tr><td>", f);
        esc(f, js(x, "field"));
        fputs("</td><td>", f);
        esc(f, js(x, "value"));
        fputs("</td><td>", f);
        esc(f, js(x, "source"));
        fputs("</td><td>", f);
        esc(f, js(x, "file"));
        fprintf(f, "</td><td>%lld</td></tr>", ji(x, "frame"));
    }
    fputs("</table><h2>Protocols</h2><table id=\"protocols\"><tr><th>protocol</th><th>as</th>"
          "<th>packets</th></tr>", f);
    json_array_foreach(json_object_get(a, "protocols"), i, x)
        fprintf(f, "<tr><td>%s</td><td>%s</td><td>%lld</td></tr>", js(x, "name"), js(x, "as"),
                ji(x, "packets"));
    fputs("</table><h2>Peers</h2><table class=\"sortable\" id=\"peers\"><tr><th>client</th>"
          "<th>server</th><th>port</th><th>protocol</th><th>connections</th></tr>", f);
    json_t *fl = store_flows_json(s);
    json_array_foreach(json_object_get(fl, "flows"), i, x) {
        const json_t *c = json_object_get(x, "client"), *sv = json_object_get(x, "server");
        if (strcmp(js(c, "asset"), id) && strcmp(js(sv, "asset"), id))
            continue;
        fputs("<tr><td>", f);
        asset_link(f, js(c, "asset"));
        fputs("</td><td>", f);
        asset_link(f, js(sv, "asset"));
        fprintf(f, "</td><td>%lld</td><td>%s</td><td>%lld</td></tr>", ji(x, "port"),
                js(x, "protocol"), ji(x, "connections"));
    }
    json_decref(fl);
    fputs("</table><h2>History</h2><table id=\"history\"><tr><th>time</th><th>field</th><th>from"
          "</th><th>to</th></tr>", f);
    json_array_foreach(json_object_get(a, "history"), i, x) {
        fputs("<tr><td>", f);
        esc(f, js(x, "time"));
        fputs("</td><td>", f);
        esc(f, js(x, "field"));
        fputs("</td><td>", f);
        esc(f, js(x, "from"));
        fputs("</td><td>", f);
        esc(f, js(x, "to"));
        fputs("</td></tr>", f);
    }
    fputs("</table><h2>Vulnerabilities</h2>", f);
    vulns_table(f, s, id);
    fputs("<h2>Alerts</h2>", f);
    json_t *al = alerts_json(s);
    alerts_table(f, json_object_get(al, "alerts"), 200, id);
    json_decref(al);
    json_decref(doc);
    return end(f, &buf, len, status, ctype);
}

/* zones as areas (by Purdue level, highest first), OT assets as nodes, the IT hosts of a zone
 * collapsed into one node, flows as edges; violations red */
static char *map_page(struct store *s, int *status, const char **ctype, size_t *len)
{
    char *buf = NULL;
    size_t blen;
    FILE *f = open_memstream(&buf, &blen);
    begin(f, "Network map", "/map");
    static struct policy pol;
    bool have = segment_stored_policy(s, &pol);
    json_t *seg = segment_evaluate(s, have ? &pol : NULL, "map");
    json_t *doc = web_assets(s);
    json_t *pos = json_object(); /* asset id -> [x, y] */
    json_t *zones = json_object_get(seg, "zones");
    size_t nz = json_array_size(zones), i, k;
    int cols = 3, zw = 380, zh_base = 60, y = 10, x_i = 0, rowh = 0;
    fputs("<p class=\"muted\">Zones are areas; circles are OT assets (colour = criticality);"
          " a square stands for the IT hosts of a zone; red lines are flows that no conduit"
          " allows.</p>", f);
    char *svg = NULL;
    size_t svglen;
    FILE *g = open_memstream(&svg, &svglen);
    for (i = 0; i < nz; i++) {
        json_t *z = json_array_get(zones, i);
        json_t *ids = json_object_get(z, "assets");
        int ot = 0, it = 0;
        json_t *a;
        /* count OT assets of this zone to size it */
        json_t *as;
        size_t j;
        json_array_foreach(json_object_get(doc, "assets"), j, as) {
            bool in = false;
            json_array_foreach(ids, k, a)
                in |= !strcmp(json_string_value(a), js(as, "id"));
            if (!in)
                continue;
            const char *role = js(as, "role");
            bool is_ot = strcmp(role, "it-host") && strcmp(role, "unknown") &&
                         strcmp(role, "gateway") && strcmp(role, "network-device");
            if (is_ot)
                ot++;
            else
                it++;
        }
        int per_row = 10, rows = (ot + per_row - 1) / per_row + (it ? 1 : 0);
        int zh = zh_base + rows * 34;
        int zx = 10 + x_i * (zw + 20);
        fprintf(g, "<g class=\"zone\"><rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" rx=\"8\""
                   " fill=\"%s\" stroke=\"#9ca3af\"/><text x=\"%d\" y=\"%d\" font-size=\"13\""
                   " font-weight=\"bold\">",
                zx, y, zw, zh,
                json_is_true(json_object_get(z, "internet"))    ? "#fee2e2"
                : json_is_true(json_object_get(z, "corporate")) ? "#e0e7ff"
                                                                : "#ecfdf5",
                zx + 8, y + 18);
        esc(g, js(z, "name"));
        fprintf(g, " (%d OT, %d other)</text>", ot, it);
        int n = 0;
        json_array_foreach(json_object_get(doc, "assets"), j, as) {
            bool in = false;
            json_array_foreach(ids, k, a)
                in |= !strcmp(json_string_value(a), js(as, "id"));
            const char *role = js(as, "role");
            bool is_ot = strcmp(role, "it-host") && strcmp(role, "unknown") &&
                         strcmp(role, "gateway") && strcmp(role, "network-device");
            if (!in || !is_ot)
                continue;
            int cx = zx + 24 + (n % per_row) * 36, cy = y + 44 + (n / per_row) * 34;
            const char *crit = js(as, "criticality");
            fprintf(g, "<a href=\"/assets/%s\"><circle cx=\"%d\" cy=\"%d\" r=\"11\" fill=\"%s\">"
                       "<title>", js(as, "id"), cx, cy,
                    !strcmp(crit, "high") ? "#dc2626" : !strcmp(crit, "medium") ? "#f59e0b"
                                                                              : "#3b82f6");
            esc(g, js(as, "id"));
            fputs(" ", g);
            esc(g, role);
            fputs("</title></circle></a>", g);
            json_object_set_new(pos, js(as, "id"), json_pack("[i, i]", cx, cy));
            n++;
        }
        if (it) {
            int cx = zx + 24, cy = y + 44 + ((ot + per_row - 1) / per_row) * 34;
            fprintf(g, "<rect x=\"%d\" y=\"%d\" width=\"20\" height=\"20\" fill=\"#9ca3af\"/>"
                       "<text x=\"%d\" y=\"%d\" font-size=\"11\">%d IT/other hosts</text>",
                    cx - 10, cy - 10, cx + 16, cy + 4, it);
            json_array_foreach(json_object_get(doc, "assets"), j, as) {
                bool in = false;
                json_array_foreach(ids, k, a)
                    in |= !strcmp(json_string_value(a), js(as, "id"));
                if (in && !json_object_get(pos, js(as, "id")))
                    json_object_set_new(pos, js(as, "id"), json_pack("[i, i]", cx, cy));
            }
        }
        if (zh > rowh)
            rowh = zh;
        if (++x_i == cols) {
            x_i = 0;
            y += rowh + 20;
            rowh = 0;
        }
    }
    int height = y + rowh + 20;
    /* edges: one per pair of positions, red when any flow between them violates the policy */
    json_t *drawn = json_object();
    json_t *fl;
    json_array_foreach(json_object_get(seg, "flows"), i, fl) {
        const json_t *pa = json_object_get(pos, js(fl, "client_asset"));
        const json_t *pb = json_object_get(pos, js(fl, "server_asset"));
        if (!pa || !pb)
            continue;
        char key[300];
        snprintf(key, sizeof key, "%s>%s", js(fl, "client_asset"), js(fl, "server_asset"));
        bool viol = !strcmp(js(fl, "verdict"), "violation");
        if (json_object_get(drawn, key) && !viol)
            continue;
        json_object_set_new(drawn, key, json_true());
        fprintf(g, "<line x1=\"%lld\" y1=\"%lld\" x2=\"%lld\" y2=\"%lld\" stroke=\"%s\""
                   " stroke-width=\"%s\" opacity=\"0.7\"><title>",
                (long long)json_integer_value(json_array_get(pa, 0)),
                (long long)json_integer_value(json_array_get(pa, 1)),
                (long long)json_integer_value(json_array_get(pb, 0)),
                (long long)json_integer_value(json_array_get(pb, 1)), viol ? "#dc2626" : "#6b7280",
                viol ? "2.5" : "1");
        esc(g, key);
        fprintf(g, " %s</title></line>", viol ? "violation" : "allowed");
    }
    json_decref(drawn);
    fclose(g);
    fprintf(f, "<svg class=\"map\" id=\"map\" viewBox=\"0 0 %d %d\" width=\"100%%\" role=\"img\""
               " aria-label=\"network map\">%s</svg>",
            10 + cols * (zw + 20), height, svg);
    free(svg);
    json_decref(pos);
    json_decref(doc);
    json_decref(seg);
    return end(f, &buf, len, status, ctype);
}

static char *alerts_page(struct store *s, int *status, const char **ctype, size_t *len)
{
    char *buf = NULL;
    size_t blen;
    FILE *f = open_memstream(&buf, &blen);
    begin(f, "Alerts", "/alerts");
    fputs("<form class=\"filter\"><input id=\"filter\" placeholder=\"filter\"></form>", f);
    json_t *al = alerts_json(s);
    alerts_table(f, json_object_get(al, "alerts"), 100000, NULL);
    json_decref(al);
    return end(f, &buf, len, status, ctype);
}

static char *incidents_page(struct store *s, int *status, const char **ctype, size_t *len)
{
    char *buf = NULL;
    size_t blen;
    FILE *f = open_memstream(&buf, &blen);
    begin(f, "Incidents", "/incidents");
    json_t *inc = incident_list_json(s, 0, time_now_ns());
    incidents_table(f, inc);
    json_decref(inc);
    fputs("<p class=\"muted\">Record incidents with <code>otscope incident new</code>; the"
          " console is read-only.</p>", f);
    return end(f, &buf, len, status, ctype);
}

int pdf_render_board_to_memory(const json_t *b, char **out, size_t *len);

char *web_page(struct store *s, const struct web_req *r, int *status, const char **ctype,
               size_t *len)
{
    const char *p = r->path;
    if (!strcmp(p, "/"))
        return overview(s, r, status, ctype, len);
    if (!strcmp(p, "/assets"))
        return assets_page(s, r, status, ctype, len);
    if (!strncmp(p, "/assets/", 8) && p[8])
        return asset_page(s, p + 8, status, ctype, len);
    if (!strcmp(p, "/map"))
        return map_page(s, status, ctype, len);
    if (!strcmp(p, "/alerts"))
        return alerts_page(s, status, ctype, len);
    if (!strcmp(p, "/incidents"))
        return incidents_page(s, status, ctype, len);
    if (!strncmp(p, "/incidents/", 11)) {
        long long id = strtoll(p + 11, NULL, 10);
        const char *stage = web_param(r, "next");
        if (id <= 0 || !stage || !incident_stage_valid(stage) || !strstr(p, "/report")) {
            *status = 400;
            return NULL;
        }
        json_t *rep = incident_report_json(s, id, stage, time_now_ns());
        if (!rep) {
            *status = 404;
            return NULL;
        }
        char *buf = NULL;
        size_t blen;
        FILE *f = open_memstream(&buf, &blen);
        incident_report_md(rep, f);
        fclose(f);
        json_decref(rep);
        *len = strlen(buf);
        *status = 200;
        *ctype = "text/markdown; charset=utf-8";
        return buf;
    }
    if (!strcmp(p, "/report") || !strcmp(p, "/report.pdf")) {
        struct board_opts o = {0, 0, false};
        json_t *b = board_build(s, &o);
        char *buf = NULL;
        size_t blen = 0;
        if (!strcmp(p, "/report")) {
            FILE *f = open_memstream(&buf, &blen);
            board_render_html(b, f);
            fclose(f);
            *ctype = "text/html; charset=utf-8";
        } else {
            if (pdf_render_board_to_memory(b, &buf, &blen) != 0) {
                json_decref(b);
                *status = 500;
                return NULL;
            }
            *ctype = "application/pdf";
        }
        json_decref(b);
        *len = blen;
        *status = 200;
        return buf;
    }
    *status = 404;
    return NULL;
}
