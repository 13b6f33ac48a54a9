/* static.h - the console's stylesheet, script and login page, compiled in (no file serving). */
#ifndef OTSCOPE_WEB_STATIC_H
#define OTSCOPE_WEB_STATIC_H

static const char web_css[] =
    "body{font-family:'DejaVu Sans',Arial,sans-serif;margin:0;color:#111827;background:#f9fafb}"
    "header{background:#111827;color:#fff;padding:.6em 1.2em;display:flex;gap:1.4em;"
    "align-items:center}header a{color:#e5e7eb;text-decoration:none}header a:hover{color:#fff}"
    "header b{font-size:1.1em;margin-right:1em}main{padding:1em 1.4em;max-width:90em}"
    "h1{font-size:1.4em}h2{font-size:1.1em;margin-top:1.4em}"
    ".cards{display:flex;gap:1em;flex-wrap:wrap}.card{background:#fff;border:1px solid #e5e7eb;"
    "border-radius:8px;padding:1em;flex:1;min-width:14em}.big{font-size:2.2em;font-weight:bold}"
    ".trend{color:#6b7280;font-size:.85em}table{border-collapse:collapse;width:100%;"
    "background:#fff;font-size:.85em}td,th{border:1px solid #e5e7eb;padding:.3em .45em;"
    "text-align:left;vertical-align:top}th{background:#f3f4f6;cursor:pointer}"
    ".sev-critical{color:#7f1d1d;font-weight:bold}.sev-high{color:#b91c1c;font-weight:bold}"
    ".sev-medium{color:#b45309}.sev-low{color:#1d4ed8}form.filter{margin:.6em 0;display:flex;"
    "gap:.5em;flex-wrap:wrap}input,select{padding:.25em}.muted{color:#6b7280}"
    ".map{background:#fff;border:1px solid #e5e7eb}.overdue{color:#b91c1c;font-weight:bold}";

/* sorts any table with class "sortable" by the clicked column; filters rows with #filter */
static const char web_js[] =
    "'use strict';\n"
    "document.querySelectorAll('table.sortable th').forEach(function(th, i){\n"
    "  th.addEventListener('click', function(){\n"
    "    var t = th.closest('table'), rows = Array.from(t.querySelectorAll('tr')).slice(1);\n"
    "    var asc = th.dataset.asc !== '1'; th.dataset.asc = asc ? '1' : '0';\n"
    "    rows.sort(function(a, b){\n"
    "      var x = a.children[i].textContent, y = b.children[i].textContent;\n"
    "      var nx = parseFloat(x), ny = parseFloat(y);\n"
    "      var c = (!isNaN(nx) && !isNaN(ny)) ? nx - ny : x.localeCompare(y);\n"
    "      return asc ? c : -c; });\n"
    "    rows.forEach(function(r){ t.appendChild(r); }); }); });\n"
    "var f = document.getElementById('filter');\n"
    "if (f) f.addEventListener('input', function(){\n"
    "  var q = f.value.toLowerCase();\n"
    "  document.querySelectorAll('table.sortable tr').forEach(function(r, i){\n"
    "    if (i) r.style.display = r.textContent.toLowerCase().indexOf(q) >= 0 ? '' : 'none'; }); });\n";

static const char web_login_html[] =
    "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>otscope: sign in"
    "</title><link rel=\"stylesheet\" href=\"/static/app.css\"></head><body><header><b>otscope"
    "</b></header><main><h1>Sign in</h1><form method=\"post\" action=\"/login\">"
    "<label>Access token <input type=\"password\" name=\"token\" autocomplete=\"off\" "
    "maxlength=\"256\" required></label> <button type=\"submit\">Sign in</button></form>"
    "</main></body></html>\n";

#endif
