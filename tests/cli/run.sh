#!/bin/sh
# run.sh OTSCOPE - command-line behaviour: help texts, usage errors (exit 2), bad input (exit 3
# with "otscope: FILE: ..." and what was stored before kept), and JSON output being pure JSON.
set -u
bin=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
expect_exit() { # expected-status description command...
  want=$1; what=$2; shift 2
  "$@" >"$tmp/out" 2>"$tmp/err"
  got=$?
  if [ "$got" -eq "$want" ]; then ok; else bad "$what: exit $got, want $want"; cat "$tmp/err"; fi
}
corpus=${OTSCOPE_SRCDIR:-.}/../shared/corpus/pcap
good="$corpus/ndpi-modbus.pcap"

expect_exit 0 "--help" "$bin" --help
grep -q "analyze" "$tmp/out" && ok || bad "--help lists commands"
for c in analyze assets flows operations report demo; do
  expect_exit 0 "$c --help" "$bin" $c --help
  grep -q "usage: otscope $c" "$tmp/out" && ok || bad "$c --help prints usage"
done
expect_exit 2 "no command" "$bin"
expect_exit 2 "unknown command" "$bin" frobnicate
expect_exit 2 "unknown option" "$bin" assets --bogus
expect_exit 2 "bad format" "$bin" assets --format xml --db "$tmp/x.db"
expect_exit 2 "analyze without files" "$bin" analyze --db "$tmp/x.db"
expect_exit 2 "bad max-flows" "$bin" analyze --max-flows 3 --db "$tmp/x.db" "$good"

# a first good file, then bad ones: what was stored stays
db="$tmp/inv.db"
expect_exit 0 "analyze good file" "$bin" analyze -q --db "$db" "$good"
before=$("$bin" assets --db "$db" --format csv | wc -l)
printf 'this is not a capture\n' > "$tmp/text.pcap"
expect_exit 3 "not a capture" "$bin" analyze -q --db "$db" "$tmp/text.pcap"
grep -q "otscope: $tmp/text.pcap: " "$tmp/err" && ok || bad "error names the file"
expect_exit 3 "missing file" "$bin" analyze -q --db "$db" "$tmp/nope.pcap"
grep -q "No such file" "$tmp/err" && ok || bad "missing file says so"
expect_exit 3 "directory" "$bin" analyze -q --db "$db" "$tmp"
grep -q "is a directory" "$tmp/err" && ok || bad "directory says so"
# truncated capture: a good file cut in the middle of a record
size=$(stat -c %s "$good")
head -c $((size - 37)) "$good" > "$tmp/trunc.pcap"
expect_exit 3 "truncated capture" "$bin" analyze -q --db "$db" "$tmp/trunc.pcap"
grep -Eq "otscope: $tmp/trunc.pcap: packet [0-9]+: " "$tmp/err" && ok || bad "truncation names the packet"
# a record with an impossible length (caplen 0x7fffffff)
python3 - "$good" "$tmp/huge.pcap" <<'PY'
import sys, struct
d = bytearray(open(sys.argv[1], 'rb').read())
# first record header at 24: ts_sec ts_usec caplen len (file's byte order)
le = d[:4] == b'\xd4\xc3\xb2\xa1'
fmt = '<I' if le else '>I'
struct.pack_into(fmt, d, 24 + 8, 0x7fffffff)
open(sys.argv[2], 'wb').write(d)
PY
expect_exit 3 "impossible record length" "$bin" analyze -q --db "$db" "$tmp/huge.pcap"
grep -Eq "packet 1: " "$tmp/err" && ok || bad "impossible length names packet 1"
after=$("$bin" assets --db "$db" --format csv | wc -l)
[ "$after" -ge "$before" ] && ok || bad "assets lost after bad input ($before -> $after)"
sqlite3 "$db" "PRAGMA integrity_check" 2>/dev/null | grep -q '^ok$' && ok || bad "integrity_check"
# several files in one run, one bad: exit 3, the good one analyzed
db2="$tmp/two.db"
expect_exit 3 "good + bad in one run" "$bin" analyze -q --db "$db2" "$tmp/text.pcap" "$good"
n=$("$bin" assets --db "$db2" --format json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["assets"]))')
[ "$n" -ge 2 ] && ok || bad "good file of a mixed run analyzed ($n assets)"
# the same file again is recognised and skipped; --force analyzes it again
pk() { "$bin" assets --db "$1" --format json | python3 -c 'import json,sys; print(sum(a["packets"] for a in json.load(sys.stdin)["assets"]))'; }
db3="$tmp/again.db"
"$bin" analyze -q --db "$db3" "$good" 2>/dev/null
p1=$(pk "$db3")
expect_exit 0 "same file again" "$bin" analyze -q --db "$db3" "$good"
grep -q "already analyzed" "$tmp/err" && ok || bad "re-analysis says skipped"
[ "$(pk "$db3")" = "$p1" ] && ok || bad "skipped file changed counts"
expect_exit 0 "--force" "$bin" analyze -q --force --db "$db3" "$good"
[ "$(pk "$db3")" = "$((p1 * 2))" ] && ok || bad "--force adds the file again"
# two runs into one database equal one run with both files
second="$corpus/ndpi-s7comm.pcap"
db4="$tmp/split.db"; db5="$tmp/joint.db"
"$bin" analyze -q --db "$db4" "$good" 2>/dev/null; "$bin" analyze -q --db "$db4" "$second" 2>/dev/null
"$bin" analyze -q --db "$db5" "$good" "$second" 2>/dev/null
strip() { "$bin" assets --db "$1" --format json | python3 -c '
import json,sys
d=json.load(sys.stdin)["assets"]
print(json.dumps([(a["id"], a["ips"], a["packets"], a["protocols"]) for a in d]))'; }
[ "$(strip "$db4")" = "$(strip "$db5")" ] && ok || bad "later runs merge like one run"
# reading commands on a missing database
expect_exit 3 "assets on missing db" "$bin" assets --db "$tmp/none.db"
# JSON output is one JSON document and nothing else
for c in assets flows operations; do
  "$bin" $c --db "$db" --format json > "$tmp/j" 2>/dev/null
  python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$tmp/j" && ok || bad "$c json parses"
done
"$bin" report board --db "$db" --format json > "$tmp/j" && python3 -c '
import json,sys; d=json.load(open(sys.argv[1])); assert d["schema"]=="otscope.board/1"' "$tmp/j" && ok || bad "board json"
# CSV has a header and one line per asset
"$bin" assets --db "$db" --format csv | head -1 | grep -q '^id,mac,ips,' && ok || bad "csv header"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
