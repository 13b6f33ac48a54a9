/* pdf.c - the board report as an A4 PDF drawn with cairo and pango: vector text and charts,
 * page numbers, and the same content order as the HTML (page 1 for the board, then the
 * evidence).  Text is laid out by pango, so long names wrap instead of overflowing.  cairo and
 * pango are opened when the first PDF is drawn (report/pdfapi.h), not at every start. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "report/board.h"
#include "report/pdfapi.h" /* cairo and pango, loaded on first use */

#define PAGE_W 595.0 /* A4 in points */
#define PAGE_H 842.0
#define MARGIN 48.0
#define BODY_W (PAGE_W - 2 * MARGIN)

/* false (after saying why) when cairo and pango cannot be loaded */
static bool ready(void)
{
    char why[512];
    if (pdf_load(why, sizeof why))
        return true;
    fprintf(stderr, "otscope: PDF output %s\n", why);
    return false;
}

struct pdf {
    cairo_surface_t *surf;
    cairo_t *cr;
    double y;
    int page;
};

static json_int_t ji(const json_t *o, const char *k)
{
    return json_integer_value(json_object_get(o, k));
}

static const char *js(const json_t *o, const char *k)
{
    const json_t *v = json_object_get(o, k);
    return json_is_string(v) ? json_string_value(v) : "–";
}

static void footer(struct pdf *p)
{
    PangoLayout *l = pango_cairo_create_layout(p->cr);
    PangoFontDescription *fd = pango_font_description_from_string("DejaVu Sans 8");
    pango_layout_set_font_description(l, fd);
    char t[64];
    snprintf(t, sizeof t, "OT security board report · page %d", p->page);
    pango_layout_set_text(l, t, -1);
    cairo_set_source_rgb(p->cr, 0.42, 0.45, 0.5);
    cairo_move_to(p->cr, MARGIN, PAGE_H - 30);
    pango_cairo_show_layout(p->cr, l);
    pango_font_description_free(fd);
    g_object_unref(l);
}

static void new_page(struct pdf *p)
{
    footer(p);
    cairo_show_page(p->cr);
    p->page++;
    p->y = MARGIN;
}

/* text at x with width w; returns its height; breaks the page first when it would not fit */
static double text(struct pdf *p, double x, double w, const char *font, const char *s,
                   bool markup, double r, double g, double b)
{
    PangoLayout *l = pango_cairo_create_layout(p->cr);
    PangoFontDescription *fd = pango_font_description_from_string(font);
    pango_layout_set_font_description(l, fd);
    pango_layout_set_width(l, (int)(w * PANGO_SCALE));
    pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);
    if (markup)
        pango_layout_set_markup(l, s, -1);
    else
        pango_layout_set_text(l, s, -1);
    int pw, ph;
    pango_layout_get_size(l, &pw, &ph);
    double h = (double)ph / PANGO_SCALE;
    if (p->y + h > PAGE_H - MARGIN - 20)
        new_page(p);
    cairo_set_source_rgb(p->cr, r, g, b);
    cairo_move_to(p->cr, x, p->y);
    pango_cairo_show_layout(p->cr, l);
    pango_font_description_free(fd);
    g_object_unref(l);
    return h;
}

static void para(struct pdf *p, const char *font, const char *s, bool markup, double gap)
{
    p->y += text(p, MARGIN, BODY_W, font, s, markup, 0.07, 0.09, 0.15) + gap;
}

static void heading(struct pdf *p, const char *s)
{
    p->y += 8;
    para(p, "DejaVu Sans Bold 13", s, false, 2);
    cairo_set_source_rgb(p->cr, 0.9, 0.91, 0.92);
    cairo_rectangle(p->cr, MARGIN, p->y, BODY_W, 1.5);
    cairo_fill(p->cr);
    p->y += 8;
}

/* escape for pango markup */
static void mk(char *out, size_t n, const char *s)
{
    gchar *e = g_markup_escape_text(s ? s : "", -1);
    snprintf(out, n, "%s", e);
    g_free(e);
}

static void figure_box(struct pdf *p, double x, double w, const char *question, long long big,
                       const char *rest)
{
    cairo_set_source_rgb(p->cr, 0.82, 0.84, 0.86);
    cairo_rectangle(p->cr, x, p->y, w, 150);
    cairo_stroke(p->cr);
    double y0 = p->y;
    p->y += 8;
    text(p, x + 8, w - 16, "DejaVu Sans 7", question, false, 0.42, 0.45, 0.5);
    p->y += 22;
    char n[32];
    snprintf(n, sizeof n, "%lld", big);
    text(p, x + 8, w - 16, "DejaVu Sans Bold 26", n, false, 0.73, 0.11, 0.11);
    p->y += 36;
    text(p, x + 8, w - 16, "DejaVu Sans 8.5", rest, true, 0.07, 0.09, 0.15);
    p->y = y0;
}

static void bars(struct pdf *p, const json_t *obj, const char *const *keys, int n)
{
    json_int_t max = 1;
    for (int i = 0; i < n; i++)
        if (ji(obj, keys[i]) > max)
            max = ji(obj, keys[i]);
    if (p->y + n * 16 > PAGE_H - MARGIN - 20)
        new_page(p);
    for (int i = 0; i < n; i++) {
        double w = 220.0 * (double)ji(obj, keys[i]) / (double)max;
        text(p, MARGIN, 80, "DejaVu Sans 8", keys[i], false, 0.07, 0.09, 0.15);
        if (!strcmp(keys[i], "critical") || !strcmp(keys[i], "high"))
            cairo_set_source_rgb(p->cr, 0.73, 0.11, 0.11);
        else if (!strcmp(keys[i], "medium"))
            cairo_set_source_rgb(p->cr, 0.85, 0.47, 0.02);
        else
            cairo_set_source_rgb(p->cr, 0.15, 0.39, 0.92);
        cairo_rectangle(p->cr, MARGIN + 85, p->y + 2, w, 9);
        cairo_fill(p->cr);
        char v[24];
        snprintf(v, sizeof v, "%lld", (long long)ji(obj, keys[i]));
        text(p, MARGIN + 90 + w, 60, "DejaVu Sans 8", v, false, 0.07, 0.09, 0.15);
        p->y += 16;
    }
    p->y += 6;
}

static void rows(struct pdf *p, const json_t *arr, const char *const *cols, const double *widths,
                 int n, const char *const *heads)
{
    double x = MARGIN, h = 0;
    for (int c = 0; c < n; c++) {
        double t = text(p, x, widths[c] - 4, "DejaVu Sans Bold 7.5", heads[c], false, 0.2, 0.2,
                        0.2);
        h = t > h ? t : h;
        x += widths[c];
    }
    p->y += h + 3;
    size_t i;
    json_t *r;
    json_array_foreach(arr, i, r) {
        x = MARGIN;
        h = 0;
        if (p->y > PAGE_H - MARGIN - 40)
            new_page(p);
        for (int c = 0; c < n; c++) {
            json_t *v = json_object_get(r, cols[c]);
            char buf[256];
            if (json_is_integer(v))
                snprintf(buf, sizeof buf, "%lld", (long long)json_integer_value(v));
            else if (json_is_real(v))
                snprintf(buf, sizeof buf, "%.1f", json_real_value(v));
            else if (json_is_boolean(v))
                snprintf(buf, sizeof buf, "%s", json_is_true(v) ? "yes" : "no");
            else
                snprintf(buf, sizeof buf, "%s", json_is_string(v) ? json_string_value(v) : "–");
            double t = text(p, x, widths[c] - 4, "DejaVu Sans 7.5", buf, false, 0.07, 0.09, 0.15);
            h = t > h ? t : h;
            x += widths[c];
        }
        p->y += h + 2;
    }
    p->y += 6;
}

int board_render_pdf(const json_t *b, const char *path)
{
    if (!ready())
        return -1;
    struct pdf p = {0};
    p.surf = cairo_pdf_surface_create(path, PAGE_W, PAGE_H);
    if (cairo_surface_status(p.surf) != CAIRO_STATUS_SUCCESS)
        return -1;
    cairo_pdf_surface_set_metadata(p.surf, CAIRO_PDF_METADATA_TITLE, "OT security board report");
    cairo_pdf_surface_set_metadata(p.surf, CAIRO_PDF_METADATA_CREATOR, "otscope");
    p.cr = cairo_create(p.surf);
    p.page = 1;
    p.y = MARGIN;
    const json_t *um = json_object_get(b, "unmanaged_assets");
    const json_t *vx = json_object_get(b, "vulnerability_exposure");
    const json_t *sg = json_object_get(b, "segmentation");
    const json_t *corp = json_object_get(sg, "ot_assets_with_corporate_access");
    const json_t *inet = json_object_get(sg, "ot_assets_with_internet_access");
    const json_t *per = json_object_get(b, "period");
    para(&p, "DejaVu Sans Bold 20", "OT security: board report", false, 4);
    char buf[1024], e1[256], e2[256];
    snprintf(buf, sizeof buf, "Passive monitoring of the plant networks from %s to %s. Generated"
             " %s.", js(per, "from"), js(per, "to"), js(b, "generated_at"));
    para(&p, "DejaVu Sans 9", buf, false, 14);
    double w = (BODY_W - 20) / 3;
    snprintf(buf, sizeof buf, "of %lld OT devices are <b>not in the ISMS asset register</b>.",
             (long long)ji(um, "ot_assets_seen"));
    figure_box(&p, MARGIN, w, "1. DO WE KNOW OUR OT ASSETS?", (long long)ji(um, "unmanaged"),
               buf);
    snprintf(buf, sizeof buf, "devices run firmware with <b>known vulnerabilities</b>; %lld"
             " exploited in the wild (KEV); %lld with unknown exposure.",
             (long long)ji(vx, "assets_with_kev"), (long long)ji(vx, "unknown_exposure"));
    figure_box(&p, MARGIN + w + 10, w, "2. ARE THEY PATCHED?",
               (long long)ji(vx, "assets_with_known_vulns"), buf);
    snprintf(buf, sizeof buf, "OT devices have <b>uncontrolled access</b> to or from the corporate"
             " network; %lld to or from the internet.", (long long)ji(inet, "total"));
    figure_box(&p, MARGIN + 2 * (w + 10), w, "3. IS THE PLANT SEPARATED?",
               (long long)ji(corp, "total"), buf);
    p.y += 160;
    heading(&p, "Top risks and what to do");
    size_t i;
    json_t *r;
    json_array_foreach(json_object_get(b, "top_risks"), i, r) {
        mk(e1, sizeof e1, js(r, "summary"));
        mk(e2, sizeof e2, js(r, "action"));
        snprintf(buf, sizeof buf, "%zu. <b>%s</b> %s\n<i>Action:</i> %s", i + 1,
                 js(r, "severity"), e1, e2);
        para(&p, "DejaVu Sans 8.5", buf, true, 4);
    }
    if (!json_array_size(json_object_get(b, "top_risks")))
        para(&p, "DejaVu Sans 8.5", "No risks raised by the monitored traffic.", false, 4);
    heading(&p, "NIST CSF 2.0 scorecard");
    json_array_foreach(json_object_get(b, "csf"), i, r) {
        size_t k;
        json_t *x;
        char f[700] = "";
        size_t o = 0;
        json_array_foreach(json_object_get(r, "findings"), k, x) {
            mk(e1, sizeof e1, json_string_value(x));
            o += (size_t)snprintf(f + o, sizeof f - o, "%s%s", k ? "; " : "", e1);
        }
        snprintf(buf, sizeof buf, "<b>%s %s</b> (%s): %s", js(r, "function"), js(r, "name"),
                 js(r, "status"), f);
        para(&p, "DejaVu Sans 8.5", buf, true, 3);
    }
    new_page(&p);
    heading(&p, "1. OT assets and the register");
    para(&p, "DejaVu Sans 8.5", "Unmanaged OT assets by criticality:", false, 4);
    static const char *const crit3[] = {"high", "medium", "low"};
    bars(&p, json_object_get(um, "by_criticality"), crit3, 3);
    static const char *const ac[] = {"criticality", "role", "id", "vendor", "product",
                                     "firmware", "ips", "registered"};
    static const double aw[] = {50, 70, 90, 60, 85, 50, 59, 35};
    rows(&p, json_object_get(b, "ot_assets"), ac, aw, 8, ac);
    heading(&p, "2. Known vulnerabilities by CVSS band");
    static const char *const bands[] = {"critical", "high", "medium", "low"};
    bars(&p, json_object_get(vx, "by_cvss_band"), bands, 4);
    static const char *const vc[] = {"asset", "product", "firmware", "max_cvss", "kev",
                                     "advisories", "action"};
    static const double vw[] = {75, 80, 45, 35, 25, 40, 208};
    rows(&p, json_object_get(vx, "assets"), vc, vw, 7, vc);
    heading(&p, "3. Segmentation");
    snprintf(buf, sizeof buf, "Flows between zones that no conduit allows: %lld. Corporate"
             " network: %lld OT assets (initiating %lld, reached %lld). Internet: %lld (initiating"
             " %lld, reached %lld). Policy: %s.", (long long)ji(sg, "violations"),
             (long long)ji(corp, "total"), (long long)ji(corp, "to"), (long long)ji(corp, "from"),
             (long long)ji(inet, "total"), (long long)ji(inet, "to"), (long long)ji(inet, "from"),
             js(sg, "policy"));
    para(&p, "DejaVu Sans 8.5", buf, false, 4);
    static const char *const sc[] = {"asset", "role", "criticality", "zone", "to", "from"};
    static const double sw[] = {120, 90, 60, 110, 40, 40};
    rows(&p, json_object_get(corp, "assets"), sc, sw, 6, sc);
    rows(&p, json_object_get(inet, "assets"), sc, sw, 6, sc);
    heading(&p, "Alerts by type");
    static const char *const tc[] = {"severity", "type", "alerts", "events"};
    static const double tw[] = {70, 150, 60, 60};
    rows(&p, json_object_get(b, "alerts_by_type"), tc, tw, 4, tc);
    footer(&p);
    cairo_show_page(p.cr);
    cairo_destroy(p.cr);
    cairo_surface_finish(p.surf);
    int rc = cairo_surface_status(p.surf) == CAIRO_STATUS_SUCCESS ? 0 : -1;
    cairo_surface_destroy(p.surf);
    return rc;
}

/* a plain text document: '# ' lines are headings, '## ' subheadings, the rest paragraphs */
int pdf_render_text(const char *title, const char *body, const char *path)
{
    if (!ready())
        return -1;
    struct pdf p = {0};
    p.surf = cairo_pdf_surface_create(path, PAGE_W, PAGE_H);
    if (cairo_surface_status(p.surf) != CAIRO_STATUS_SUCCESS)
        return -1;
    cairo_pdf_surface_set_metadata(p.surf, CAIRO_PDF_METADATA_TITLE, title);
    cairo_pdf_surface_set_metadata(p.surf, CAIRO_PDF_METADATA_CREATOR, "otscope");
    p.cr = cairo_create(p.surf);
    p.page = 1;
    p.y = MARGIN;
    const char *line = body;
    char buf[2048];
    while (line && *line) {
        const char *nl = strchr(line, '\n');
        size_t n = nl ? (size_t)(nl - line) : strlen(line);
        if (n >= sizeof buf)
            n = sizeof buf - 1;
        memcpy(buf, line, n);
        buf[n] = '\0';
        if (!strncmp(buf, "# ", 2))
            para(&p, "DejaVu Sans Bold 16", buf + 2, false, 8);
        else if (!strncmp(buf, "## ", 3))
            heading(&p, buf + 3);
        else if (!strcmp(buf, "| | |") || !strcmp(buf, "|---|---|"))
            ; /* the Markdown table header */
        else if (buf[0])
            para(&p, "DejaVu Sans 9", buf, false, 3);
        line = nl ? nl + 1 : NULL;
    }
    footer(&p);
    cairo_show_page(p.cr);
    cairo_destroy(p.cr);
    cairo_surface_finish(p.surf);
    int rc = cairo_surface_status(p.surf) == CAIRO_STATUS_SUCCESS ? 0 : -1;
    cairo_surface_destroy(p.surf);
    return rc;
}

/* the board PDF in memory, for the web console's download */
int pdf_render_board_to_memory(const json_t *b, char **out, size_t *len);
int pdf_render_board_to_memory(const json_t *b, char **out, size_t *len)
{
    char path[] = "/tmp/otscope-board-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0)
        return -1;
    close(fd);
    int rc = board_render_pdf(b, path);
    FILE *f = rc == 0 ? fopen(path, "rb") : NULL;
    *out = NULL;
    *len = 0;
    if (f) {
        fseek(f, 0, SEEK_END);
        long n = ftell(f);
        fseek(f, 0, SEEK_SET);
        *out = n > 0 ? malloc((size_t)n) : NULL;
        if (*out && fread(*out, 1, (size_t)n, f) == (size_t)n)
            *len = (size_t)n;
        else
            rc = -1;
        fclose(f);
    }
    unlink(path);
    return *len ? 0 : -1;
}
