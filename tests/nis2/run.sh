#!/bin/sh
# run.sh OTSCOPE - NIS2: the scope check (essential / important / out of scope) and the Art. 23
# incident clocks: 24 h, 72 h, one month after the notification (clamped to the month's end),
# progress report while ongoing, final one month after handling; reports list what each stage
# requires.
set -u
bin=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
check() { if eval "$2"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $1"; fi; }
scope() { "$bin" nis2 scope --format json "$@" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["classification"], d["size"])'; }
check "large energy = essential" '[ "$(scope --sector electricity --employees 800 --turnover 2e8 --balance 1e8)" = "essential large" ]'
check "medium energy = important" '[ "$(scope --sector drinking-water --employees 120 --turnover 3e7 --balance 2e7)" = "important medium" ]'
check "large manufacturing = important" '[ "$(scope --sector manufacturing-machinery --employees 900 --turnover 3e8 --balance 2e8)" = "important large" ]'
check "small = out of scope" '[ "$(scope --sector chemicals --employees 30 --turnover 5e6 --balance 4e6)" = "out of scope small" ]'
check "49 staff but big money = medium" '[ "$(scope --sector food --employees 49 --turnover 2e7 --balance 2e7)" = "important medium" ]'
check "< 250 staff, both money thresholds exceeded = large" '[ "$(scope --sector gas --employees 200 --turnover 6e7 --balance 5e7)" = "essential large" ]'
"$bin" nis2 scope --sector nope --employees 1 --turnover 1 --balance 1 >/dev/null 2>&1
check "unknown sector is a usage error" '[ $? -eq 2 ]'

db="$tmp/i.db"
"$bin" incident new --db "$db" --title "PLC stopped on line 4" --aware-at 2026-01-28T10:00:00Z \
    --now 2026-01-28T11:00:00Z > "$tmp/out"
check "new prints the id" 'grep -q "incident 1 recorded" "$tmp/out"'
show() { "$bin" incident show 1 --db "$db" --format json --now "$1" | python3 -c "import json,sys; d=json.load(sys.stdin); s=d['stages']; print($2)"; }
check "early warning due 24 h later" '[ "$(show 2026-01-28T11:00:00Z "s[\"early-warning\"][\"due\"]")" = "2026-01-29T10:00:00.000000Z" ]'
check "notification due 72 h later" '[ "$(show 2026-01-28T11:00:00Z "s[\"notification\"][\"due\"]")" = "2026-01-31T10:00:00.000000Z" ]'
check "final provisionally one month after the notification due, clamped to 28 Feb" '[ "$(show 2026-01-28T11:00:00Z "s[\"final\"][\"due\"], s[\"final\"].get(\"provisional\")")" = "2026-02-28T10:00:00.000000Z True" ]'
check "early warning overdue after 24 h" '[ "$(show 2026-01-29T10:00:01Z "s[\"early-warning\"][\"state\"]")" = overdue ]'
"$bin" incident update 1 --db "$db" --submitted early-warning=2026-01-28T20:00:00Z \
    --submitted notification=2026-01-30T09:00:00Z --set suspected_malicious=yes \
    --set cross_border=no --now 2026-01-30T09:00:00Z
check "final due one month after the submitted notification (30 Jan -> 28 Feb)" '[ "$(show 2026-02-01T00:00:00Z "s[\"final\"][\"due\"]")" = "2026-02-28T09:00:00.000000Z" ]'
check "early warning submitted in time" '[ "$(show 2026-02-01T00:00:00Z "s[\"early-warning\"][\"state\"]")" = submitted ]'
check "ongoing at the final date: progress due then, final open" '[ "$(show 2026-03-05T00:00:00Z "s[\"progress\"][\"due\"], s[\"final\"][\"due\"]")" = "2026-02-28T09:00:00.000000Z None" ]'
"$bin" incident update 1 --db "$db" --status handled --handled-at 2026-03-10T12:00:00Z
check "handled later: final one month after handling" '[ "$(show 2026-03-11T00:00:00Z "s[\"final\"][\"due\"]")" = "2026-04-10T12:00:00.000000Z" ]'
"$bin" incident report 1 --db "$db" --stage early-warning --format json --now 2026-01-28T12:00:00Z > /dev/null 2> "$tmp/err"
check "a report lacking required fields is refused, naming them" '[ $? -eq 3 ] && grep -q "description" "$tmp/err"'
"$bin" incident report 1 --db "$db" --stage early-warning --draft --format json --now 2026-01-28T12:00:00Z > "$tmp/r.json"
check "early warning report lists the malicious-cause and cross-border fields" 'python3 -c "
import json; r=json.load(open(\"$tmp/r.json\")); f={c[\"field\"]: c[\"value\"] for c in r[\"content\"]}
assert f[\"suspected_malicious\"]==\"yes\" and f[\"cross_border\"]==\"no\" and \"description\" in r[\"missing\"]"'
"$bin" incident report 1 --db "$db" --stage final --draft --format md > "$tmp/final.md"
check "final report names root cause, threat type and mitigations" 'grep -q "Root cause" "$tmp/final.md" && grep -q "Type of threat" "$tmp/final.md" && grep -q "Mitigation measures applied" "$tmp/final.md"'
"$bin" incident update 1 --db "$db" --set "description=The filling line PLC stopped" \
    --set severity=high --set "impact=line 4 down 3 h" --set iocs=none --set affected_services=filling \
    --set recipients_informed=no --set severe_disruption=yes --set considerable_damage=no
"$bin" incident report 1 --db "$db" --stage notification --format pdf -o "$tmp/n.pdf"
check "PDF report written" '[ "$(head -c 5 "$tmp/n.pdf")" = "%PDF-" ]'
"$bin" incident report 1 --db "$db" --stage bogus >/dev/null 2>&1
check "bad stage is a usage error" '[ $? -eq 2 ]'
"$bin" incident show 7 --db "$db" >/dev/null 2>&1
check "missing incident is exit 3" '[ $? -eq 3 ]'
"$bin" incident list --db "$db" --format json | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["schema"]=="otscope.incidents/1" and d["incidents"][0]["status"]=="handled"'
check "list json per SPEC" '[ $? -eq 0 ]'
# governance: owners and escalation path, reflected in the board report and incident reports
src=${OTSCOPE_SRCDIR:-.}
"$bin" governance import --db "$db" "$src/docs/governance-example.yaml" > "$tmp/out"
check "governance import" 'grep -q "3 owner assignments, 3 escalation levels" "$tmp/out"'
"$bin" incident report 1 --db "$db" --stage notification --format md > "$tmp/n.md"
check "significance recomputed from Art. 23(3) inputs" '[ "$("$bin" incident show 1 --db "$db" --format json | python3 -c "import json,sys; print(json.load(sys.stdin)[\"significant\"])")" = True ]'
# leap years and time zones of the input
"$bin" incident new --db "$db" --title "leap" --aware-at 2028-01-28T23:30:00+01:00 --now 2028-01-28T23:00:00Z >/dev/null
check "offset converted to UTC" '[ "$("$bin" incident show 2 --db "$db" --format json | python3 -c "import json,sys; print(json.load(sys.stdin)[\"aware_at\"])")" = "2028-01-28T22:30:00.000000Z" ]'
check "final due 29 Feb in a leap year" '[ "$("$bin" incident show 2 --db "$db" --format json --now 2028-01-30T00:00:00Z | python3 -c "import json,sys; print(json.load(sys.stdin)[\"stages\"][\"final\"][\"due\"])")" = "2028-02-29T22:30:00.000000Z" ]'
check "time left shown" '"$bin" incident list --db "$db" --now 2028-01-30T00:00:00Z | grep -q "left"'
# the audit trail: intact, then tampered with
check "audit log intact" '"$bin" audit verify --db "$db" | grep -q "intact"'
sqlite3 "$db" "UPDATE audit_log SET details='nothing happened' WHERE id=2"
"$bin" audit verify --db "$db" > /dev/null 2> "$tmp/err"
check "an edited audit entry is detected" '[ $? -eq 1 ] && grep -q "entry 2 was changed" "$tmp/err"'
sqlite3 "$db" "DELETE FROM audit_log WHERE id IN (2, 3)"
"$bin" audit verify --db "$db" > /dev/null 2> "$tmp/err"
check "deleted audit entries are detected" '[ $? -eq 1 ]'
check "incident report names the escalation path" 'grep -q "Jan Okafor" "$tmp/n.md"'
printf 'owners:\n  - scope: {zone: x}\n    accountable: {role: janitor, name: Bob}\n' > "$tmp/bad.yaml"
"$bin" governance import --db "$db" "$tmp/bad.yaml" > /dev/null 2> "$tmp/err"
check "unknown owner role rejected with exit 3" '[ $? -eq 3 ] && grep -q "janitor" "$tmp/err"'
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
