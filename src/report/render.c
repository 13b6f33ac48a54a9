/* render.c - the board report as self-contained HTML (inline CSS and SVG charts, no scripts,
 * prints on A4) and as Markdown.  Page 1 is for a non-technical reader: three numbers, what
 * they mean, the top risks with what to do.  Everything after it is the evidence. */
#include <string.h>

#include "report/board.h"

static json_int_t ji(const json_t *o, const char *k)
{
    return json_integer_value(json_object_get(o, k));
}

static const char *js(const json_t *o, const char *k)
{
    const json_t *v = json_object_get(o, k);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

static void esc(FILE *f, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '<':
            fputs("&lt;", f);
            break;
        case '>':
            fputs("&gt;", f);
            break;
        case '&':
            fputs("&amp;", f);
            break;
        case '"':
            fputs("&quot;", f);
            break;
        default:
            fputc(*s, f);
        }
    }
}

/* a donut: 'part' of 'total' in colour, the rest grey */
static void svg_donut(FILE *f, json_int_t part, json_int_t total, const char *colour,
                      const char *label)
{
    double frac = total > 0 ? (double)part / (double)total : 0, c = 2 * 3.14159265 * 40;
    fprintf(f,
            "<svg viewBox=\"0 0 100 100\" width=\"110\" height=\"110\" role=\"img\" aria-label=\"");
    esc(f, label);
    fprintf(f, "\"><circle cx=\"50\" cy=\"50\" r=\"40\" fill=\"none\" stroke=\"#e5e7eb\""
               " stroke-width=\"14\"/><circle cx=\"50\" cy=\"50\" r=\"40\" fill=\"none\""
               " stroke=\"%s\" stroke-width=\"14\" stroke-dasharray=\"%.1f %.1f\""
               " transform=\"rotate(-90 50 50)\"/><text x=\"50\" y=\"56\" text-anchor=\"middle\""
               " font-size=\"18\" font-weight=\"bold\">%.0f%%</text></svg>",
            colour, frac * c, c, frac * 100);
}

/* horizontal bars for name -> value pairs of an object */
static void svg_bars(FILE *f, const json_t *obj, const char *const *order, int n)
{
    json_int_t max = 1;
    for (int i = 0; i < n; i++)
        if (ji(obj, order[i]) > max)
            max = ji(obj, order[i]);
    fprintf(f, "<svg viewBox=\"0 0 300 %d\" width=\"300\" height=\"%d\" role=\"img\">", n * 22,
            n * 22);
    for (int i = 0; i < n; i++) {
        json_int_t v = ji(obj, order[i]);
        double w = 180.0 * (double)v / (double)max;
        fprintf(f, "<text x=\"0\" y=\"%d\" font-size=\"11\">", i * 22 + 14);
        esc(f, order[i]);
        fprintf(f, "</text><rect x=\"90\" y=\"%d\" width=\"%.1f\" height=\"14\" fill=\"%s\"/>"
                   "<text x=\"%.1f\" y=\"%d\" font-size=\"11\">%lld</text>",
                i * 22 + 3, w,
                !strcmp(order[i], "critical") || !strcmp(order[i], "high") ? "#b91c1c"
                : !strcmp(order[i], "medium")                               ? "#d97706"
                                                                            : "#2563eb",
                95 + w, i * 22 + 14, (long long)v);
    }
    fputs("</svg>", f);
}

static void table(FILE *f, const json_t *arr, const char *const *cols, const char *const *heads,
                  int n)
{
    fputs("<table><tr>", f);
    for (int c = 0; c < n; c++) {
        fputs("<th>", f);
        esc(f, heads[c]);
        fputs("</th>", f);
    }
    fputs("</tr>\n", f);
    size_t i;
    json_t *r;
    json_array_foreach(arr, i, r) {
        fputs("<tr>", f);
        for (int c = 0; c < n; c++) {
            json_t *v = json_object_get(r, cols[c]);
            fputs("<td>", f);
            if (json_is_integer(v))
                fprintf(f, "%lld", (long long)json_integer_value(v));
            else if (json_is_real(v))
                fprintf(f, "%.1f", json_real_value(v));
            else if (json_is_true(v))
                fputs("yes", f);
            else if (json_is_false(v))
                fputs("no", f);
            else
                esc(f, json_is_string(v) ? json_string_value(v) : "–");
            fputs("</td>", f);
        }
        fputs("</tr>\n", f);
    }
    fputs("</table>\n", f);
}

static const char *const crit3[] = {"high", "medium", "low"};
static const char *const bands[] = {"critical", "high", "medium", "low"};

void board_render_html(const json_t *b, FILE *f)
{
    const json_t *um = json_object_get(b, "unmanaged_assets");
    const json_t *vx = json_object_get(b, "vulnerability_exposure");
    const json_t *sg = json_object_get(b, "segmentation");
    const json_t *corp = json_object_get(sg, "ot_assets_with_corporate_access");
    const json_t *inet = json_object_get(sg, "ot_assets_with_internet_access");
    const json_t *per = json_object_get(b, "period");
    fputs("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
          "<meta name=\"viewport\" content=\"width=device-width\">"
          "<title>OT security: board report</title><style>"
          "body{font-family:'DejaVu Sans',Arial,sans-serif;color:#111827;max-width:62em;"
          "margin:1.5em auto;padding:0 1em;line-height:1.4}"
          "h1{font-size:1.7em;margin:.2em 0}h2{font-size:1.25em;border-bottom:2px solid #e5e7eb;"
          "padding-bottom:.2em;margin-top:1.6em}.sub{color:#4b5563}"
          ".cards{display:flex;gap:1em;flex-wrap:wrap}.card{flex:1;min-width:15em;border:1px solid"
          " #d1d5db;border-radius:8px;padding:1em;display:flex;gap:.8em;align-items:center}"
          ".big{font-size:2.4em;font-weight:bold;line-height:1}.card p{margin:.3em 0}"
          ".q{font-size:.8em;text-transform:uppercase;letter-spacing:.05em;color:#6b7280}"
          "ol.risks li{margin:.4em 0}.sev{font-weight:bold;text-transform:uppercase;font-size:.75em;"
          "padding:.1em .4em;border-radius:4px;color:#fff}.critical{background:#7f1d1d}"
          ".high{background:#b91c1c}.medium{background:#d97706}.low{background:#2563eb}"
          ".csf{display:flex;gap:.5em;flex-wrap:wrap}.csf div{flex:1;min-width:9em;border-radius:6px;"
          "padding:.6em;color:#fff}.s0{background:#6b7280}.s1{background:#b91c1c}"
          ".s2{background:#d97706}.s3{background:#65a30d}.s4{background:#15803d}"
          ".csf ul{padding-left:1.1em;margin:.3em 0;font-size:.85em}"
          "table{border-collapse:collapse;width:100%;font-size:.82em;margin:.5em 0 1em}"
          "td,th{border:1px solid #e5e7eb;padding:.25em .4em;text-align:left;vertical-align:top}"
          "th{background:#f3f4f6}.note{color:#6b7280;font-size:.85em}"
          "@page{size:A4;margin:15mm}@media print{body{margin:0}.card,.csf div{break-inside:avoid}"
          ".pb{break-before:page}}</style></head><body>\n",
          f);
    fputs("<h1>OT security: board report</h1><p class=\"sub\">What passive monitoring of the plant"
          " networks shows, from ",
          f);
    esc(f, js(per, "from"));
    fputs(" to ", f);
    esc(f, js(per, "to"));
    fputs(". Generated ", f);
    esc(f, js(b, "generated_at"));
    fputs(".</p>\n<div class=\"cards\">", f);
    /* 1 */
    fprintf(f, "<div class=\"card\">");
    svg_donut(f, ji(um, "unmanaged"), ji(um, "ot_assets_seen"), "#b91c1c",
              "share of OT assets missing from the register");
    fprintf(f, "<div><p class=\"q\">1. Do we know our OT assets?</p><p><span class=\"big\">%lld"
               "</span> of %lld OT devices</p><p>are <b>not in the ISMS asset register</b>.</p>",
            (long long)ji(um, "unmanaged"), (long long)ji(um, "ot_assets_seen"));
    if (js(um, "note")) {
        fputs("<p class=\"note\">", f);
        esc(f, js(um, "note"));
        fputs("</p>", f);
    }
    fputs("</div></div>", f);
    /* 2 */
    fprintf(f, "<div class=\"card\"><div><p class=\"q\">2. Are they patched?</p><p><span"
               " class=\"big\">%lld</span> devices</p><p>run firmware with <b>known"
               " vulnerabilities</b>, %lld of them <b>exploited in the wild</b> (CISA KEV);"
               " %lld with unknown exposure.</p>",
            (long long)ji(vx, "assets_with_known_vulns"), (long long)ji(vx, "assets_with_kev"),
            (long long)ji(vx, "unknown_exposure"));
    if (js(vx, "note")) {
        fputs("<p class=\"note\">", f);
        esc(f, js(vx, "note"));
        fputs("</p>", f);
    }
    fputs("</div></div>", f);
    /* 3 */
    fprintf(f, "<div class=\"card\"><div><p class=\"q\">3. Is the plant separated from the"
               " office and the internet?</p><p><span class=\"big\">%lld</span> OT devices</p>"
               "<p>have <b>uncontrolled access</b> to or from the corporate network; <b>%lld</b>"
               " to or from the internet.</p><p class=\"note\">",
            (long long)ji(corp, "total"), (long long)ji(inet, "total"));
    esc(f, js(sg, "policy"));
    fputs("</p></div></div></div>\n", f);
    fputs("<h2>Top risks and what to do</h2><ol class=\"risks\">", f);
    size_t i;
    json_t *r;
    json_array_foreach(json_object_get(b, "top_risks"), i, r) {
        fprintf(f, "<li><span class=\"sev %s\">%s</span> ", js(r, "severity"), js(r, "severity"));
        esc(f, js(r, "summary"));
        fputs("<br><i>Action:</i> ", f);
        esc(f, js(r, "action"));
        fputs("</li>", f);
    }
    if (!json_array_size(json_object_get(b, "top_risks")))
        fputs("<li>No risks raised by the monitored traffic.</li>", f);
    fputs("</ol>\n<h2>NIST CSF 2.0 scorecard</h2><div class=\"csf\">", f);
    json_array_foreach(json_object_get(b, "csf"), i, r) {
        fprintf(f, "<div class=\"s%lld\"><b>%s %s</b><br>%s<ul>", (long long)ji(r, "score"),
                js(r, "function"), js(r, "name"), js(r, "status"));
        size_t k;
        json_t *x;
        json_array_foreach(json_object_get(r, "findings"), k, x) {
            fputs("<li>", f);
            esc(f, json_string_value(x));
            fputs("</li>", f);
        }
        fputs("</ul></div>", f);
    }
    fputs("</div>\n", f);
    /* evidence pages */
    fputs("<h2 class=\"pb\">1. OT assets and the register</h2><p>Unmanaged OT assets by"
          " criticality:</p>",
          f);
    svg_bars(f, json_object_get(um, "by_criticality"), crit3, 3);
    fprintf(f, "<p>Registered entries: %lld; not seen for 30 days: %lld; registered firmware or"
               " model differs from what the device reports: %lld.</p>",
            (long long)ji(um, "registered"), (long long)ji(um, "stale"),
            (long long)ji(um, "mismatched"));
    static const char *const ac[] = {"criticality", "role", "id",       "vendor",  "product",
                                     "order_number", "firmware", "zone", "ips", "registered"};
    static const char *const ah[] = {"criticality", "role", "asset", "vendor", "product",
                                     "order number", "firmware", "zone", "IP", "in register"};
    table(f, json_object_get(b, "ot_assets"), ac, ah, 10);
    fputs("<h2>2. Known vulnerabilities</h2>", f);
    svg_bars(f, json_object_get(vx, "by_cvss_band"), bands, 4);
    if (json_object_get(vx, "assets"))
        table(f, json_object_get(vx, "assets"),
              (const char *const[]){"asset", "product", "firmware", "max_cvss", "kev",
                                    "advisories", "action"},
              (const char *const[]){"asset", "product", "firmware", "max CVSS", "KEV",
                                    "advisories", "action"}, 7);
    fputs("<h2>3. Segmentation</h2>", f);
    fprintf(f, "<p>Flows between zones that no conduit allows: <b>%lld</b>. OT assets reaching the"
               " corporate network: %lld (initiating %lld, reached from it %lld); the internet:"
               " %lld (initiating %lld, reached from it %lld).</p>",
            (long long)ji(sg, "violations"), (long long)ji(corp, "total"),
            (long long)ji(corp, "to"), (long long)ji(corp, "from"), (long long)ji(inet, "total"),
            (long long)ji(inet, "to"), (long long)ji(inet, "from"));
    static const char *const sc[] = {"asset", "role", "criticality", "zone", "to", "from"};
    table(f, json_object_get(corp, "assets"), sc, sc, 6);
    table(f, json_object_get(inet, "assets"), sc, sc, 6);
    const json_t *own = json_object_get(b, "ownership");
    fputs("<h2>Ownership</h2><p>", f);
    if (js(own, "note"))
        esc(f, js(own, "note"));
    if (js(own, "approved_by_board")) {
        fputs(" Assignment approved by the board on ", f);
        esc(f, js(own, "approved_by_board"));
        fputs(".", f);
    }
    fputs("</p>", f);
    fputs("<table><tr><th>site</th><th>zone</th><th>accountable owner</th><th>role</th>"
          "<th>OT assets</th></tr>", f);
    json_array_foreach(json_object_get(own, "zones_with_owner"), i, r) {
        const json_t *a = json_object_get(r, "accountable");
        fputs("<tr><td>", f);
        esc(f, js(r, "site"));
        fputs("</td><td>", f);
        esc(f, js(r, "zone"));
        fputs("</td><td>", f);
        esc(f, js(a, "name"));
        fputs("</td><td>", f);
        esc(f, js(a, "role"));
        fprintf(f, "</td><td>%lld</td></tr>", (long long)ji(r, "ot_assets"));
    }
    json_array_foreach(json_object_get(own, "zones_without_owner"), i, r) {
        fputs("<tr><td>", f);
        esc(f, js(r, "site"));
        fputs("</td><td>", f);
        esc(f, js(r, "zone"));
        fprintf(f, "</td><td><b>no owner</b></td><td>–</td><td>%lld</td></tr>",
                (long long)ji(r, "ot_assets"));
    }
    fputs("</table>", f);
    fputs("<h2>NIS2 Art. 21(2): measures and the evidence behind them</h2>", f);
    table(f, json_object_get(b, "art21"),
          (const char *const[]){"measure", "title", "status", "evidence"},
          (const char *const[]){"", "measure", "status", "evidence from the network"}, 4);
    fputs("<h2>Trend</h2>", f);
    const json_t *tr = json_object_get(b, "trend");
    if (js(tr, "note")) {
        fputs("<p>", f);
        esc(f, js(tr, "note"));
        fputs("</p>", f);
    } else {
        fputs("<p>Change since the report of ", f);
        esc(f, js(tr, "previous"));
        fputs(":</p><table><tr><th>figure</th><th>now</th><th>change</th></tr>", f);
        const char *k;
        json_t *v;
        json_object_foreach(json_object_get(b, "figures"), k, v)
            fprintf(f, "<tr><td>%s</td><td>%lld</td><td>%+lld</td></tr>", k,
                    (long long)json_integer_value(v),
                    (long long)ji(json_object_get(tr, "change"), k));
        fputs("</table>", f);
    }
    fputs("<h2>Alerts by type</h2>", f);
    table(f, json_object_get(b, "alerts_by_type"),
          (const char *const[]){"severity", "type", "alerts", "events"},
          (const char *const[]){"severity", "type", "alerts", "events"}, 4);
    fputs("<p class=\"note\">Produced by otscope from passive network captures; every figure can"
          " be traced to its evidence with <code>otscope assets</code>, <code>otscope alerts</code>"
          " and <code>otscope segmentation</code>.</p></body></html>\n",
          f);
}

void board_render_md(const json_t *b, FILE *f)
{
    const json_t *um = json_object_get(b, "unmanaged_assets");
    const json_t *vx = json_object_get(b, "vulnerability_exposure");
    const json_t *sg = json_object_get(b, "segmentation");
    const json_t *corp = json_object_get(sg, "ot_assets_with_corporate_access");
    const json_t *inet = json_object_get(sg, "ot_assets_with_internet_access");
    const json_t *per = json_object_get(b, "period");
    fprintf(f, "# OT security: board report\n\nPassive monitoring of the plant networks, %s to %s;"
               " generated %s.\n\n",
            js(per, "from") ? js(per, "from") : "-", js(per, "to") ? js(per, "to") : "-",
            js(b, "generated_at"));
    fprintf(f, "1. **%lld of %lld OT devices are not in the ISMS asset register.**%s%s\n",
            (long long)ji(um, "unmanaged"), (long long)ji(um, "ot_assets_seen"),
            js(um, "note") ? " " : "", js(um, "note") ? js(um, "note") : "");
    fprintf(f, "2. **%lld devices run firmware with known vulnerabilities, %lld exploited in the"
               " wild (CISA KEV)**; %lld with unknown exposure.%s%s\n",
            (long long)ji(vx, "assets_with_known_vulns"), (long long)ji(vx, "assets_with_kev"),
            (long long)ji(vx, "unknown_exposure"), js(vx, "note") ? " " : "",
            js(vx, "note") ? js(vx, "note") : "");
    fprintf(f, "3. **%lld OT devices have uncontrolled access to or from the corporate network,"
               " %lld to or from the internet.** Policy: %s.\n\n## Top risks\n\n",
            (long long)ji(corp, "total"), (long long)ji(inet, "total"), js(sg, "policy"));
    size_t i;
    json_t *r;
    json_array_foreach(json_object_get(b, "top_risks"), i, r)
        fprintf(f, "%zu. **%s** %s  \n   Action: %s\n", i + 1, js(r, "severity"), js(r, "summary"),
                js(r, "action"));
    fputs("\n## NIST CSF 2.0\n\n| function | status | findings |\n|---|---|---|\n", f);
    json_array_foreach(json_object_get(b, "csf"), i, r) {
        fprintf(f, "| %s %s | %s | ", js(r, "function"), js(r, "name"), js(r, "status"));
        size_t k;
        json_t *x;
        json_array_foreach(json_object_get(r, "findings"), k, x)
            fprintf(f, "%s%s", k ? "; " : "", json_string_value(x));
        fputs(" |\n", f);
    }
    fputs("\n## OT assets\n\n| criticality | role | asset | vendor | product | firmware | zone |"
          " IP | registered |\n|---|---|---|---|---|---|---|---|---|\n",
          f);
    json_array_foreach(json_object_get(b, "ot_assets"), i, r)
        fprintf(f, "| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", js(r, "criticality"),
                js(r, "role"), js(r, "id"), js(r, "vendor") ? js(r, "vendor") : "-",
                js(r, "product") ? js(r, "product") : "-",
                js(r, "firmware") ? js(r, "firmware") : "-", js(r, "zone") ? js(r, "zone") : "-",
                js(r, "ips") ? js(r, "ips") : "-", ji(r, "registered") ? "yes" : "no");
}
