#!/bin/bash
# run.sh OTSCOPE - the web console and API with real HTTP requests on a loopback port: the API
# documents and their paging/filtering/sorting, the pages, security headers, the token rules,
# and hostile requests (oversize bodies, bad parameters, traversal, missing token).  When
# Chromium and playwright-core are installed (tests/web/package.json), browser.mjs also drives
# the pages in headless Chromium and saves screenshots.
set -u
bin=$(readlink -f "$1")
tmp=$(mktemp -d)
corpus=${OTSCOPE_SRCDIR:-.}/../shared/corpus/pcap
here=$(cd "$(dirname "$0")" && pwd)
pass=0
fail=0
check() { if eval "$2"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $1"; fi; }
pids=""
cleanup() { for p in $pids; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; rm -rf "$tmp"; }
trap cleanup EXIT
db="$tmp/w.db"
"$bin" analyze -q --no-progress --db "$db" "$corpus/ndpi-dnp3.pcap" "$corpus/icsnpp-bacnet-bacnet_example.pcap" \
    "$corpus/ndpi-telnet.pcap" "$corpus/icsnpp-s7comm-s7ident.pcap" 2>/dev/null
"$bin" incident new --db "$db" --title "RTU stopped" --aware-at 2026-01-28T10:00:00Z \
    --from-alert "$("$bin" alerts --db "$db" --format json | python3 -c 'import json,sys; print([a["id"] for a in json.load(sys.stdin)["alerts"] if a["type"]=="plc-stop"][0])')" >/dev/null
vd=${OTSCOPE_SRCDIR:-.}/../shared/vulndata
[ -d "$vd/csaf" ] && "$bin" vuln import --db "$db" -q "$vd/csaf" "$vd/kev" 2>/dev/null
port=$((30000 + $$ % 20000))
start() { "$bin" serve --db "$db" --listen "$1" "${@:2}" 2>>"$tmp/serve.err" & pids="$pids $!"; sleep 0.7; }
start "127.0.0.1:$port"
u="http://127.0.0.1:$port"
code() { curl -s -o /dev/null -w "%{http_code}" "$@"; }
jq1() { curl -s "$1" | python3 -c "import json,sys; d=json.load(sys.stdin); print($2)"; }
cli_assets=$("$bin" assets --db "$db" --format json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["assets"]))')
check "API assets total equals the CLI" '[ "$(jq1 "$u/api/v1/assets" "d[\"total\"]")" = "$cli_assets" ]'
check "paging: limit 5" '[ "$(jq1 "$u/api/v1/assets?limit=5&offset=3" "len(d[\"assets\"]), d[\"offset\"]")" = "5 3" ]'
check "filter by role" '[ "$(jq1 "$u/api/v1/assets?role=plc" "all(a[\"role\"]==\"plc\" for a in d[\"assets\"]) and d[\"total\"]>0")" = True ]'
check "sort by id desc" '[ "$(jq1 "$u/api/v1/assets?sort=id&order=desc&limit=1000" "[a[\"id\"] for a in d[\"assets\"]]==sorted([a[\"id\"] for a in d[\"assets\"]], reverse=True)")" = True ]'
id=$(jq1 "$u/api/v1/assets?role=plc&limit=1" "d['assets'][0]['id']")
check "one asset by id" '[ "$(jq1 "$u/api/v1/assets/$id" "d[\"id\"]")" = "$id" ]'
for ep in flows operations alerts vulns segmentation incidents governance report/board; do
  check "GET /api/v1/$ep" '[ "$(code "$u/api/v1/$ep")" = 200 ]'
done
check "alerts filter by type" '[ "$(jq1 "$u/api/v1/alerts?type=plc-stop" "all(a[\"type\"]==\"plc-stop\" for a in d[\"alerts\"])")" = True ]'
for pg in / /assets /map /alerts /incidents /report "/assets/$id"; do
  check "page $pg" '[ "$(code "$u$pg")" = 200 ]'
done
if [ -d "$vd/csaf" ]; then
  s7=ip-172.17.0.2 # the CPU 315-2 PN/DP of icsnpp-s7comm-s7ident.pcap, firmware V3.2.6
  nv=$(jq1 "$u/api/v1/vulns" "len([m for a in d[\"assets\"] if a[\"asset\"]==\"$s7\" for m in a[\"matches\"]])")
  check "asset page lists the PLC's advisories, one row each, as the API" '[ "$nv" -ge 10 ] && [ "$(curl -s "$u/assets/$s7" | grep -o "<tr><td><a rel=\"noreferrer\" href=\"https://" | wc -l)" = "$nv" ]'
  check "vulnerable filter lists the PLC" '[ "$(jq1 "$u/api/v1/assets?vulnerable=yes" "\"$s7\" in [a[\"id\"] for a in d[\"assets\"]]")" = True ]'
fi
check "PDF download" '[ "$(curl -s "$u/report.pdf" | head -c 5)" = "%PDF-" ]'
hdr=$(curl -s -D - -o /dev/null "$u/")
check "CSP without inline script" 'echo "$hdr" | grep -q "Content-Security-Policy: default-src '"'"'none'"'"'; script-src '"'"'self'"'"'"'
check "nosniff" 'echo "$hdr" | grep -q "X-Content-Type-Options: nosniff"'
check "frame deny" 'echo "$hdr" | grep -q "X-Frame-Options: DENY"'
# hostile requests
check "unknown parameter 400" '[ "$(code "$u/api/v1/assets?x=1")" = 400 ]'
check "bad limit 400" '[ "$(code "$u/api/v1/assets?limit=-1")" = 400 ]'
check "bad sort field 400" '[ "$(code "$u/api/v1/assets?sort=passwd")" = 400 ]'
check "control characters in a value 400" '[ "$(code "$u/api/v1/assets?q=%01")" = 400 ]'
check "overlong value 400" '[ "$(code "$u/api/v1/assets?q=$(head -c 300 /dev/zero | tr "\0" a)")" = 400 ]'
check "traversal 400" '[ "$(code --path-as-is "$u/../../etc/passwd")" = 400 ]'
check "encoded traversal 400" '[ "$(code --path-as-is "$u/static/%2e%2e/%2e%2e/etc/passwd")" = 400 ]'
check "unknown path 404" '[ "$(code "$u/etc/passwd")" = 404 ]'
check "oversize body 413" '[ "$(head -c 100000 /dev/zero | curl -s -o /dev/null -w "%{http_code}" -X POST --data-binary @- "$u/login")" = 413 ]'
check "PUT 405" '[ "$(code -X PUT "$u/api/v1/assets")" = 405 ]'
check "still alive after all that" '[ "$(code "$u/api/v1/assets?limit=1")" = 200 ]'
# tokens
"$bin" serve --db "$db" --listen "0.0.0.0:$((port + 1))" > /dev/null 2> "$tmp/err"
check "non-loopback without token refused (exit 2)" '[ $? -eq 2 ] && grep -q "token" "$tmp/err"'
tok=s3cr3t-token-0123456789
start "127.0.0.1:$((port + 2))" --token "$tok"
t="http://127.0.0.1:$((port + 2))"
check "API without token 401" '[ "$(code "$t/api/v1/assets")" = 401 ]'
check "API with wrong token 401" '[ "$(code -H "Authorization: Bearer nope" "$t/api/v1/assets")" = 401 ]'
check "API with bearer token 200" '[ "$(code -H "Authorization: Bearer $tok" "$t/api/v1/assets")" = 200 ]'
check "page without token redirects to /login" '[ "$(code "$t/")" = 303 ]'
cookie=$(curl -s -D - -o /dev/null --data "token=$tok" "$t/login" | grep -i "^Set-Cookie")
check "login sets an HttpOnly SameSite cookie" 'echo "$cookie" | grep -q "HttpOnly; SameSite=Strict"'
check "wrong login 403" '[ "$(code --data "token=nope" "$t/login")" = 403 ]'
check "page with the cookie 200" '[ "$(code -b "otscope_session=$tok" "$t/")" = 200 ]'
# browser
if command -v node >/dev/null && [ -d "$here/node_modules/playwright-core" ] && command -v chromium >/dev/null; then
  out=${OTSCOPE_ARTIFACTS:-$tmp/artifacts}
  mkdir -p "$out"
  if node "$here/browser.mjs" "$u" "$out" > "$tmp/browser.log" 2>&1; then
    pass=$((pass + 1)); cat "$tmp/browser.log"
  else
    fail=$((fail + 1)); echo "FAIL: browser tests"; cat "$tmp/browser.log"
  fi
else
  echo "note: chromium or playwright-core not installed (npm ci in tests/web): browser tests not run"
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
