#!/bin/bash
# run.sh OTSCOPE - the SIEM feed against a real rsyslog (Debian rsyslog) listening on loopback
# TCP and UDP: every alert arrives once as CEF in an RFC 5424 message, a second export sends
# nothing, alerts created while the receiver is down are retried and delivered when it is back,
# with no duplicates; JSON lines over UDP and to a file.
set -u
bin=$1
if ! command -v rsyslogd >/dev/null; then echo "rsyslogd not installed: skipped"; exit 77; fi
tmp=$(mktemp -d)
corpus=${OTSCOPE_SRCDIR:-.}/../shared/corpus/pcap
pass=0
fail=0
check() { if eval "$2"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $1"; fi; }
port=$((20000 + $$ % 20000))
uport=$((port + 1))
cat > "$tmp/rsyslog.conf" <<CONF
global(workDirectory="$tmp")
module(load="imtcp")
module(load="imudp")
input(type="imtcp" address="127.0.0.1" port="$port")
input(type="imudp" address="127.0.0.1" port="$uport")
template(name="raw" type="string" string="%msg%\n")
if \$app-name == "otscope" then {
  action(type="omfile" file="$tmp/received.log" template="raw")
}
CONF
start() {
  rsyslogd -n -f "$tmp/rsyslog.conf" -i "$tmp/rsyslog.pid" > "$tmp/rsyslog.out" 2>&1 &
  echo $! > "$tmp/rs.pid"
  for _ in $(seq 50); do
    (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && return 0
    sleep 0.1
  done
  echo "rsyslogd did not start:"; cat "$tmp/rsyslog.out"; return 1
}
stop() { kill "$(cat "$tmp/rs.pid")" 2>/dev/null; wait "$(cat "$tmp/rs.pid")" 2>/dev/null; }
trap 'stop; rm -rf "$tmp"' EXIT
received() { sleep 1; grep -c "CEF:0|otscope" "$tmp/received.log" 2>/dev/null || echo 0; }
ids() { grep -o "externalId=al-[0-9a-f]*" "$tmp/received.log" | sort; }

db="$tmp/a.db"
"$bin" analyze -q --no-progress --db "$db" "$corpus/ndpi-dnp3.pcap" 2>/dev/null
n1=$("$bin" alerts --db "$db" --format json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["alerts"]))')
check "some alerts to send" '[ "$n1" -gt 0 ]'
start || exit 1
"$bin" export --db "$db" --format cef --to "tcp://127.0.0.1:$port" 2>"$tmp/err"
check "tcp export succeeds" '[ $? -eq 0 ]'
check "every alert arrived once over TCP" '[ "$(received)" -eq "$n1" ]'
check "messages carry severity and MITRE ids" 'grep -q "cs2Label=mitreAttackIcs" "$tmp/received.log"'
"$bin" export --db "$db" --format cef --to "tcp://127.0.0.1:$port" 2>"$tmp/err"
check "second export sends nothing" 'grep -q "0 alerts sent" "$tmp/err" && [ "$(received)" -eq "$n1" ]'
# receiver down: new alerts wait, the export fails after its retries, nothing is lost
stop
"$bin" analyze -q --no-progress --db "$db" "$corpus/ndpi-iec60780-5-104.pcap" "$corpus/ndpi-telnet.pcap" 2>/dev/null
n2=$("$bin" alerts --db "$db" --format json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["alerts"]))')
"$bin" export --db "$db" --format cef --to "tcp://127.0.0.1:$port" --retries 2 --retry-ms 50 2>"$tmp/err"
check "export to a dead receiver fails (exit 1)" '[ $? -eq 1 ]'
start || exit 1
"$bin" export --db "$db" --format cef --to "tcp://127.0.0.1:$port" 2>"$tmp/err"
check "resumed export succeeds" '[ $? -eq 0 ]'
got=$(received)
check "all alerts delivered after the outage ($got of $n2)" '[ "$got" -ge "$n2" ]'
check "no alert delivered twice" '[ -z "$(ids | uniq -d)" ]'
# UDP, JSON lines
: > "$tmp/received.log"
"$bin" export --db "$db" --format jsonl --to "udp://127.0.0.1:$uport" 2>/dev/null
sleep 1
check "JSON lines over UDP" '[ "$(grep -c "\"schema\"\|\"type\"" "$tmp/received.log")" -ge "$n2" ]'
# file target: JSON lines with stable fields
"$bin" export --db "$db" --format jsonl --to "$tmp/alerts.jsonl" 2>/dev/null
check "file gets one JSON object per alert" 'python3 -c "
import json,sys
rows=[json.loads(l) for l in open(\"$tmp/alerts.jsonl\")]
assert len(rows)==$n2 and all({\"id\",\"type\",\"severity\",\"mitre_ics\"} <= set(r) for r in rows)"'
"$bin" export --db "$db" --format xml --to "$tmp/x" 2>/dev/null
check "bad format is a usage error" '[ $? -eq 2 ]'
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
