#!/bin/sh
# run.sh OTSCOPE - the ISMS register: import with real-world header names, matching by MAC / IP /
# serial, the unmanaged / stale / mismatched figures, bad CSV input, and export -> import round
# trip (a register made from what was seen leaves nothing unmanaged).
set -u
bin=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
corpus=${OTSCOPE_SRCDIR:-.}/../shared/corpus/pcap
pass=0
fail=0
check() { if eval "$2"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $1"; fi; }
db="$tmp/r.db"
"$bin" analyze -q --no-progress --db "$db" "$corpus/ndpi-dnp3.pcap" "$corpus/ndpi-iec60780-5-104.pcap" \
    "$corpus/icsnpp-s7comm-s7ident.pcap" 2>/dev/null
cat > "$tmp/reg.csv" <<'CSV'
Asset ID,Hostname,MAC Address,IP Address,Serial Number,Manufacturer,Model,Firmware Version,Owner,Criticality,Zone,Cost center
A-1,outstation,00-02-B3-CE-70-51,10.0.0.3,,ABB,RTU560,1.0,Grid,high,sub-1,4711
A-2,ied-104,,172.27.248.109,,Siemens,SICAM,V9,Grid,high,sub-2,4712
A-3,ghost,,10.9.9.9,,Foo,Bar,1,Ops,low,cell-2,4713
CSV
"$bin" register import --db "$db" "$tmp/reg.csv" > "$tmp/out" 2>&1
check "import 3 rows" 'grep -q "imported 3 register entries" "$tmp/out"'
"$bin" register gaps --db "$db" --format json > "$tmp/g.json"
j() { python3 -c "import json,sys; d=json.load(open('$tmp/g.json')); print($1)"; }
check "registered 3" '[ "$(j "d[\"counts\"][\"registered\"]")" = 3 ]'
check "MAC with dashes matched with confidence 1" '[ "$(j "[m[\"method\"] for m in d[\"matches\"] if m[\"asset_ref\"]==\"A-1\"][0]")" = mac ]'
check "IP-only match" '[ "$(j "[m[\"method\"] for m in d[\"matches\"] if m[\"asset_ref\"]==\"A-2\"][0]")" = ip ]'
check "ghost never seen is stale" '[ "$(j "[s[\"reason\"] for s in d[\"stale\"] if s[\"asset_ref\"]==\"A-3\"][0]")" = "never seen" ]'
check "extra columns kept" '[ "$(sqlite3 "$db" "select extra from register where asset_ref=\"A-1\"")" = "{\"Cost center\":\"4711\"}" ]'
n_unmanaged=$(j 'd["counts"]["unmanaged"]')
n_seen=$(j 'd["counts"]["ot_assets_seen"]')
check "some OT assets unmanaged" '[ "$n_unmanaged" -ge 1 ] && [ "$n_unmanaged" -lt "$n_seen" ]'
check "breakdown by criticality sums" '[ "$(j "sum(v[\"unmanaged\"] for v in d[\"by_criticality\"].values())")" = "$n_unmanaged" ]'
# the S7 PLC: registered with other firmware -> mismatch (when the dissector reports firmware)
fw=$("$bin" assets --db "$db" --format json | python3 -c '
import json,sys
for a in json.load(sys.stdin)["assets"]:
    if a["firmware"] and "172.17.0.2" in a["ips"]: print(a["firmware"])')
if [ -n "$fw" ]; then
  printf 'asset_id,ip,firmware,model\nP-1,172.17.0.2,V1.0.0,CPU 315-2 PN/DP\n' > "$tmp/plc.csv"
  "$bin" register import --db "$db" "$tmp/plc.csv" > /dev/null
  "$bin" register gaps --db "$db" --format json > "$tmp/g.json"
  check "firmware mismatch found" '[ "$(j "\",\".join(m[\"field\"] for m in d[\"mismatched\"])")" = "firmware" ]'
fi
# bad CSVs
before=$(sqlite3 "$db" "select count(*) from register")
printf 'name,owner\nx,y\n' > "$tmp/bad.csv"
"$bin" register import --db "$db" "$tmp/bad.csv" > /dev/null 2>"$tmp/err"
check "no id column -> exit 3" '[ $? -eq 3 ] || grep -q "no asset id column" "$tmp/err"'
printf 'asset_id,ip\n,10.0.0.1\n' > "$tmp/bad2.csv"
"$bin" register import --db "$db" "$tmp/bad2.csv" > /dev/null 2>"$tmp/err"; rc=$?
check "empty id -> exit 3 with line" '[ $rc -eq 3 ] && grep -q "line 2" "$tmp/err"'
printf 'asset_id,ip\nA,10.0.0.1\nB,10.0.0.2\nA,10.0.0.3\n' > "$tmp/dup.csv"
"$bin" register import --db "$db" "$tmp/dup.csv" > /dev/null 2>"$tmp/err"; rc=$?
check "duplicate ids: exit 3 naming both lines" '[ $rc -eq 3 ] && grep -q "line 4: asset id .A. already on line 2" "$tmp/err"'
printf 'asset_id,name\nX,caf\xe9\n' > "$tmp/latin1.csv"
"$bin" register import --db "$tmp/enc.db" "$tmp/latin1.csv" > /dev/null 2>"$tmp/err"
check "bad encoding: warning with the line" 'grep -q "line 2: warning" "$tmp/err"'
python3 -c "
import sys
with open(sys.argv[1], 'w') as f:
    f.write('asset_id,ip,name\n')
    for i in range(1000000): f.write(f'R{i},10.{i>>16&255}.{i>>8&255}.{i&255},host{i}\n')" "$tmp/big.csv"
"$bin" register import --db "$tmp/big.db" "$tmp/big.csv" > "$tmp/out" 2>&1
check "a register of one million rows imports" 'grep -q "imported 1000000 register entries" "$tmp/out"'
check "failed import keeps the previous register" '[ "$(sqlite3 "$db" "select count(*) from register")" = "$before" ]'
# round trip: export what was seen, import it, nothing is unmanaged or mismatched
"$bin" register export --db "$db" -o "$tmp/export.csv"
"$bin" register import --db "$db" "$tmp/export.csv" > /dev/null
"$bin" register gaps --db "$db" --all --format json > "$tmp/g.json"
check "round trip: nothing unmanaged" '[ "$(j "d[\"counts\"][\"unmanaged\"]")" = 0 ]'
check "round trip: nothing mismatched" '[ "$(j "d[\"counts\"][\"mismatched\"]")" = 0 ]'
check "round trip: all matched by MAC or IP" '[ "$(j "d[\"counts\"][\"matched\"]")" = "$(j "d[\"counts\"][\"registered\"]")" ]'
# reconciliation on the sample plant with its register (data/sample/register.csv): 8 entries,
# 7 matched (4 by MAC, 3 by IP), one never seen (stale), one that differs from the traffic
# (the M340's firmware; the OPC UA box registered as a CX5140 names only its server software,
# "TwinCAT OPC UA Server", which is no model mismatch), and exactly these OT assets unmanaged
sdb="$tmp/sample.db"
src=${OTSCOPE_SRCDIR:-.}
"$bin" analyze -q --no-progress --db "$sdb" "$src/data/sample/plant.pcap" 2>/dev/null
"$bin" register import --db "$sdb" "$src/data/sample/register.csv" > /dev/null 2>&1
"$bin" register gaps --db "$sdb" --format json > "$tmp/sample.json"
sj() { python3 -c "import json; d=json.load(open('$tmp/sample.json')); print($1)"; }
check "sample: exact counts" '[ "$(sj "[d[\"counts\"][k] for k in (\"ot_assets_seen\",\"registered\",\"matched\",\"unmanaged\",\"stale\",\"mismatched\")]")" = "[17, 8, 7, 10, 1, 1]" ]'
check "sample: matched by MAC x4, by IP x3" '[ "$(sj "\" \".join(sorted(m[\"method\"] for m in d[\"matches\"]))")" = "ip ip ip mac mac mac mac" ]'
check "sample: the old press PLC is stale" '[ "$(sj "\"|\".join(s[\"asset_ref\"] + \" \" + s[\"reason\"] for s in d[\"stale\"])")" = "OT-0099 never seen" ]'
check "sample: M340 firmware differs" '[ "$(sj "\"|\".join(m[\"asset_ref\"] + \" \" + m[\"registered\"] + \" \" + m[\"seen\"] for m in d[\"mismatched\"] if m[\"field\"]==\"firmware\")")" = "OT-0002 V2.70 V3.20" ]'
check "sample: unmanaged by criticality" '[ "$(sj "\" \".join(k + \"=\" + str(v[\"unmanaged\"]) for k, v in sorted(d[\"by_criticality\"].items()))")" = "high=6 medium=4" ]'
check "sample: the historian and the EWS are unmanaged" '[ "$(sj "all(a in [u[\"asset\"] for u in d[\"unmanaged\"]] for a in (\"m-0014226e0140\", \"m-0014226e0060\"))")" = True ]'
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
