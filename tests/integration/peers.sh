#!/bin/bash
# peers.sh OTSCOPE - end to end with real protocol peers.  Two network-namespace hosts joined by
# a veth pair (10.99.0.1 = host A, the device; 10.99.0.2 = host B, the operator station):
#   - a pymodbus server on A:502 with a device identification, and a pymodbus client on B that
#     reads and writes registers and a coil and reads the device identification (43/14);
#   - a node-opcua server on A:4840 (SecurityPolicy None, anonymous), and a node-opcua client on
#     B: GetEndpoints, CreateSession, Read, Write, Call.
# tcpdump on A's veth writes the capture; otscope analyzes it; check_peers.py checks the asset
# inventory (identity values, their evidence frames cross-checked with tshark), the protocols
# and roles, the operations and the insecure-protocol alert.
#
# Needs root and `ip netns` (exit 77, skipped, otherwise), tcpdump, tshark, python3-pymodbus,
# node and npm; node-opcua is installed into tests/integration/node_modules from the committed
# package-lock.json (`npm ci`, the npm registry only, no install scripts) on the first run.
# No packet leaves the two namespaces: they have no route but 10.99.0.0/24, their resolver
# points at their own loopback, and the test's servers listen only on 10.99.0.1.
# PEERS_KEEP=1 keeps the work directory (capture, JSON) for a look after a failure.
# shellcheck disable=SC2016,SC2317  # check() evals its quoted condition; cleanup runs from a trap
set -u
bin=$(readlink -f "${1:-}")
if [ -z "${1:-}" ] || [ ! -x "$bin" ]; then
  echo "usage: peers.sh OTSCOPE" >&2; exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)

if [ "$(id -u)" -ne 0 ]; then echo "peers: needs root for network namespaces: skipped"; exit 77; fi
if ! command -v ip >/dev/null || ! ip netns list >/dev/null 2>&1; then
  echo "peers: 'ip netns' is unavailable: skipped"; exit 77
fi
a=otspa$$; b=otspb$$          # namespaces: A = device, B = operator station
va=vpa$$; vb=vpb$$            # veth ends
ipa=10.99.0.1; ipb=10.99.0.2
maca=02:99:00:00:00:01; macb=02:99:00:00:00:02
if ! ip netns add "$a" 2>/dev/null; then
  echo "peers: cannot create a network namespace here: skipped"; exit 77
fi
ip netns del "$a"

missing=""
for t in tcpdump tshark node npm flock timeout ss; do command -v "$t" >/dev/null || missing="$missing $t"; done
py=""
for p in /usr/bin/python3 python3; do
  if "$p" -c 'import pymodbus' 2>/dev/null; then py=$p; break; fi
done
[ -n "$py" ] || missing="$missing python3-pymodbus"
if [ -n "$missing" ]; then
  echo "peers: missing:$missing (tools/install-deps.sh check installs the Debian ones; node and npm come with the machine)"
  echo "0 passed, 1 failed"; exit 1
fi

pass=0
fail=0
check() { if eval "$2"; then pass=$((pass + 1)); echo "PASS $1"; else fail=$((fail + 1)); echo "FAIL $1"; fi; }
finish() { echo "$pass passed, $fail failed"; [ "$fail" -eq 0 ]; exit $?; }

# ---- node-opcua, from the lock file, before any namespace exists (the registry is outside) ----
want_ua=$(node -p 'require(process.argv[1]).dependencies["node-opcua"]' "$here/package.json")
have_ua() { node -p 'try { require(process.argv[1]).version } catch (e) { "" }' \
              "$here/node_modules/node-opcua/package.json" 2>/dev/null; }
if [ "$(have_ua)" != "$want_ua" ]; then
  (
    flock 9
    if [ "$(have_ua)" != "$want_ua" ]; then
      echo "peers: installing node-opcua $want_ua (npm ci)"
      cd "$here" && timeout 300 npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
    fi
  ) 9<"$here/package-lock.json"
fi
check "node-opcua $want_ua is installed in tests/integration/node_modules" '[ "$(have_ua)" = "$want_ua" ]'
[ "$(have_ua)" = "$want_ua" ] || finish

# ---- the two hosts ----
tmp=$(mktemp -d)
chmod 755 "$tmp"
mkdir -p "$tmp/home"
pids=""
cleanup() {
  for p in $pids; do kill -TERM "$p" 2>/dev/null; done
  sleep 0.3
  for ns in "$a" "$b"; do
    for p in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
    ip netns del "$ns" 2>/dev/null
    rm -rf "/etc/netns/$ns"
  done
  if [ "${PEERS_KEEP:-0}" = 1 ]; then echo "peers: kept $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

for ns in "$a" "$b"; do
  ip netns add "$ns" || { echo "FAIL cannot create namespace $ns"; fail=$((fail + 1)); finish; }
  # `ip netns exec` binds these over /etc: names resolve locally, DNS goes to the namespace's
  # own loopback (nothing listens there), never out
  mkdir -p "/etc/netns/$ns"
  printf '127.0.0.1 localhost\n%s hosta\n%s hostb\n%s %s\n' "$ipa" "$ipb" \
    "$([ "$ns" = "$a" ] && echo "$ipa" || echo "$ipb")" "$(hostname)" > "/etc/netns/$ns/hosts"
  printf 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n' > "/etc/netns/$ns/resolv.conf"
  ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
  ip netns exec "$ns" sysctl -qw net.ipv6.conf.default.disable_ipv6=1
  ip -n "$ns" link set lo up
done
ip link add "$va" address "$maca" netns "$a" type veth peer name "$vb" address "$macb" netns "$b" \
  || { echo "FAIL cannot create the veth pair"; fail=$((fail + 1)); finish; }
ip -n "$a" addr add "$ipa/24" dev "$va"
ip -n "$b" addr add "$ipb/24" dev "$vb"
ip -n "$a" link set "$va" up
ip -n "$b" link set "$vb" up
# run in a host; an array, not a function, so that `... &` gives the pid of the program itself
in_a=(ip netns exec "$a" env HOME="$tmp/home")
in_b=(ip netns exec "$b" env HOME="$tmp/home")
wait_for() { # seconds command...: poll until the command succeeds
  local n=$(( $1 * 5 )); shift
  while [ "$n" -gt 0 ]; do "$@" && return 0; sleep 0.2; n=$((n - 1)); done
  return 1
}
listening() { ip netns exec "$a" ss -Hltn "sport = :$1" | grep -q .; }

pcap=$tmp/peers.pcap
"${in_a[@]}" tcpdump -i "$va" -n -U -s 0 -Z root -w "$pcap" > "$tmp/tcpdump.log" 2>&1 &
tcpdump_pid=$!
pids="$pids $tcpdump_pid"
check "tcpdump listens on host A's veth" 'wait_for 10 grep -q "listening on" "$tmp/tcpdump.log"'

# both servers start at once (node-opcua needs a few seconds: certificate, address space)
"${in_a[@]}" "$py" "$here/modbus_peer.py" server "$ipa" 502 > "$tmp/modbus-server.log" 2>&1 &
pids="$pids $!"
"${in_a[@]}" node "$here/opcua_peer.js" server "$ipa" 4840 "$tmp/pki" > "$tmp/opcua-server.log" 2>&1 &
pids="$pids $!"

check "pymodbus server listens on $ipa:502" 'wait_for 20 listening 502'
"${in_b[@]}" timeout 60 "$py" "$here/modbus_peer.py" client "$ipa" 502 > "$tmp/modbus-client.log" 2>&1
rc=$?
check "pymodbus client ran its requests (exit $rc)" '[ $rc -eq 0 ] && grep -q "modbus client done" "$tmp/modbus-client.log"'
[ $rc -eq 0 ] || { cat "$tmp/modbus-client.log"; tail -20 "$tmp/modbus-server.log"; }

check "node-opcua server listens on $ipa:4840" 'wait_for 60 listening 4840'
"${in_b[@]}" timeout 90 node "$here/opcua_peer.js" client "opc.tcp://$ipa:4840/UA/Line4" "$tmp/pki" \
  > "$tmp/opcua-client.log" 2>&1
rc=$?
check "node-opcua client ran its requests (exit $rc)" '[ $rc -eq 0 ] && grep -q "opcua client done" "$tmp/opcua-client.log"'
[ $rc -eq 0 ] || { cat "$tmp/opcua-client.log"; tail -20 "$tmp/opcua-server.log"; }
check "node-opcua server saw the write and the call" \
  'grep -q "setpoint written: 42.5" "$tmp/opcua-server.log" && grep -q "StartPump(3) called" "$tmp/opcua-server.log"'

# ---- stop the peers and the capture ----
stop() { # signal pid: signal it, give it 10 s, then SIGKILL; reap it
  kill "-$1" "$2" 2>/dev/null
  wait_for 10 eval "! kill -0 $2 2>/dev/null" || kill -KILL "$2" 2>/dev/null
  wait "$2" 2>/dev/null
}
sleep 0.5
for p in $pids; do [ "$p" = "$tcpdump_pid" ] || stop TERM "$p"; done   # servers close their sockets
sleep 0.5
stop INT "$tcpdump_pid"   # tcpdump flushes the capture and exits
pids=""
npk=$(tcpdump -r "$pcap" -n 2>/dev/null | wc -l)
check "the capture holds the conversation ($npk packets)" '[ "$npk" -gt 40 ]'

# ---- otscope ----
db=$tmp/peers.db
"$bin" analyze -q --no-progress --db "$db" "$pcap" > "$tmp/analyze.log" 2>&1
rc=$?
check "otscope analyze exits 0 (got $rc)" '[ $rc -eq 0 ]'
[ $rc -eq 0 ] || cat "$tmp/analyze.log"
for what in assets operations alerts flows; do
  "$bin" "$what" --db "$db" --format json > "$tmp/$what.json" 2> "$tmp/$what.err"
  rc=$?
  check "otscope $what --format json exits 0 with one JSON document" \
    '[ $rc -eq 0 ] && "$py" -c "import json,sys; json.load(open(sys.argv[1]))" "$tmp/$what.json"'
done
# ground truth from tshark: per frame, addresses and the protocol messages it carries
tshark -r "$pcap" -n -T fields -E separator=/t -e frame.number -e ip.src -e ip.dst \
  -e modbus.func_code -e modbus.mei -e opcua.transport.type -e opcua.servicenodeid.numeric \
  > "$tmp/frames.tsv" 2> "$tmp/tshark.err"
check "tshark reads the capture" '[ -s "$tmp/frames.tsv" ]'

"$py" "$here/check_peers.py" --dir "$tmp" --pcap "$pcap" --server "$ipa" --client "$ipb" \
  --server-mac "$maca" --client-mac "$macb" > "$tmp/checks.log" 2>&1
rc=$?
cat "$tmp/checks.log"
p=$(grep -c '^PASS ' "$tmp/checks.log")
f=$(grep -c '^FAIL ' "$tmp/checks.log")
pass=$((pass + p))
fail=$((fail + f))
check "check_peers.py ran to its end (exit $rc)" '[ $rc -le 1 ] && grep -q "^checks done" "$tmp/checks.log"'
finish
