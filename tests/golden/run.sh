#!/bin/sh
# run.sh OTSCOPE PLANTGEN - golden regression tests, as in tcpdump's and nDPI's suites: each
# capture in tests/golden/NAME.pcap (written by plantgen, committed) is analyzed and its assets,
# flows and operations JSON is diffed against tests/golden/NAME.json.  The captures are also
# regenerated and compared, so a generator change cannot slip by.  GOLDEN_UPDATE=1 rewrites both
# (make golden-update); review the diff before committing.
set -u
bin=$1
gen=$2
dir=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# name and plantgen arguments
cases="core:--core
core_ns:--core --ns
plant:--plant
modbus:--scenario modbus
s7comm:--scenario s7comm
s7comm_plus:--scenario s7comm --variant 5
modbus_umas:--scenario modbus --variant 1
enip:--scenario enip
profinet_dcp:--scenario profinet_dcp
goose:--scenario goose
bacnet:--scenario bacnet
opcua:--scenario opcua
dnp3:--scenario dnp3
iec104:--scenario iec104
mqtt:--scenario mqtt
dhcp:--scenario dhcp
dns:--scenario dns
nbns:--scenario nbns
lldp:--scenario lldp
cdp:--scenario cdp
snmp:--scenario snmp
http:--scenario http
tls:--scenario tls
ssh:--scenario ssh
telnet:--scenario telnet
ftp:--scenario ftp
vnc:--scenario vnc
rdp:--scenario rdp
smb:--scenario smb
mms:--scenario mms
fins:--scenario fins
slmp:--scenario slmp"
pass=0
fail=0
normalise() { # db -> normalised JSON on stdout
  for c in assets flows operations; do "$bin" "$c" --db "$1" --format json; done |
  python3 -c '
import json, sys, os
docs = []
dec = json.JSONDecoder()
s = sys.stdin.read()
i = 0
while i < len(s):
    while i < len(s) and s[i].isspace():
        i += 1
    if i >= len(s):
        break
    d, i = dec.raw_decode(s, i)
    docs.append(d)
def fix(o):
    if isinstance(o, dict):
        return {k: (os.path.basename(v) if k == "file" and isinstance(v, str) else fix(v))
                for k, v in o.items()}
    if isinstance(o, list):
        return [fix(x) for x in o]
    return o
out = {"assets": fix(docs[0]["assets"]), "flows": fix(docs[1]["flows"]),
       "operations": fix(docs[2]["operations"])}
json.dump(out, sys.stdout, indent=1, sort_keys=False, ensure_ascii=True)
print()
'
}
echo "$cases" | while IFS=: read -r name args; do
  echo x >> "$tmp/ran"
  pcap="$dir/$name.pcap"
  want="$dir/$name.json"
  # shellcheck disable=SC2086
  "$gen" -o "$tmp/$name.pcap" $args 2>/dev/null || { echo "FAIL $name: plantgen failed"; echo x >> "$tmp/failed"; continue; }
  if [ -n "${GOLDEN_UPDATE:-}" ]; then
    cp "$tmp/$name.pcap" "$pcap"
  elif ! cmp -s "$tmp/$name.pcap" "$pcap"; then
    echo "FAIL $name: plantgen no longer writes $pcap (run 'make golden-update' if intended)"
    echo x >> "$tmp/failed"
    continue
  fi
  rm -f "$tmp/$name.db"*
  "$bin" analyze -q --no-progress --db "$tmp/$name.db" "$pcap" || { echo "FAIL $name: analyze failed"; echo x >> "$tmp/failed"; continue; }
  normalise "$tmp/$name.db" > "$tmp/$name.json"
  if [ -n "${GOLDEN_UPDATE:-}" ]; then
    cp "$tmp/$name.json" "$want"
    echo "updated $name"
  elif diff -u "$want" "$tmp/$name.json" > "$tmp/$name.diff"; then
    echo "ok   $name"
  else
    echo "FAIL $name: output differs from $want:"
    head -60 "$tmp/$name.diff"
    echo x >> "$tmp/failed"
  fi
done
ran=$(cat "$tmp/ran" 2>/dev/null | wc -l)
failed=$(cat "$tmp/failed" 2>/dev/null | wc -l)
echo "$((ran - failed)) passed, $failed failed"
[ "$failed" -eq 0 ]
