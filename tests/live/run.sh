#!/bin/bash
# run.sh OTSCOPE - live capture between two network-namespace hosts joined by a veth pair:
# tcpreplay replays corpus captures into one end while otscope captures on the other; the
# inventory must equal the offline analysis of the same files, with 1 and with 2 worker
# threads, and the sensor end must not transmit a single frame (its TX counter stays 0).
set -u
bin=$(readlink -f "$1")
if [ "$(id -u)" -ne 0 ] || ! ip netns list >/dev/null 2>&1 || ! command -v tcpreplay >/dev/null; then
  echo "needs root, ip netns and tcpreplay: skipped"; exit 77
fi
tmp=$(mktemp -d)
chmod 755 "$tmp"
corpus=$(readlink -f "${OTSCOPE_SRCDIR:-.}/../shared/corpus/pcap")
a=otsA$$; b=otsB$$
cleanup() { ip netns del "$a" 2>/dev/null; ip netns del "$b" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
pass=0
fail=0
check() { if eval "$2"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $1"; fi; }
ip netns add "$a" && ip netns add "$b" || exit 1
ip link add vA$$ netns "$a" type veth peer name vB$$ netns "$b" || exit 1
for ns in "$a" "$b"; do
  ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
  ip netns exec "$ns" sysctl -qw net.ipv6.conf.default.disable_ipv6=1
done
ip -n "$a" link set vA$$ up
ip -n "$b" link set vB$$ up
files="$corpus/ndpi-modbus.pcap $corpus/ndpi-dnp3.pcap $corpus/ndpi-iec60780-5-104.pcap $corpus/icsnpp-bacnet-bacnet_example.pcap $corpus/ndpi-mqtt.pcap"
# offline reference
# shellcheck disable=SC2086
"$bin" analyze -q --no-progress --db "$tmp/offline.db" $files 2>/dev/null
summary() { "$bin" assets --db "$1" --format json | python3 -c '
import json,sys
d=json.load(sys.stdin)["assets"]
print(json.dumps(sorted((a["mac"] or "", sorted(a["ips"]), sorted((p["name"], p["as"]) for p in a["protocols"]), a["role"]) for a in d)))'; }
want=$(summary "$tmp/offline.db")
tx() { ip -n "$b" -s link show vB$$ | awk '/TX:/{getline; print $2}'; }
for threads in 1 2; do
  db="$tmp/live$threads.db"
  tx0=$(tx)
  ip netns exec "$b" "$bin" capture -i vB$$ --db "$db" --threads "$threads" --flush 1 \
      --user nobody 2> "$tmp/cap$threads.err" &
  cpid=$!
  sleep 1.5
  for f in $files; do
    ip netns exec "$a" tcpreplay -q --topspeed -i vA$$ "$f" > /dev/null 2>&1
  done
  sleep 1.5
  kill -INT $cpid
  wait $cpid
  rc=$?
  check "capture ($threads threads) exits 0 on SIGINT" '[ $rc -eq 0 ]'
  got=$(summary "$db")
  check "live inventory ($threads threads) equals the offline analysis" '[ "$got" = "$want" ]'
  [ "$got" = "$want" ] || { echo "want: $want" | head -c 600; echo; echo "got:  $got" | head -c 600; echo; cat "$tmp/cap$threads.err"; }
  check "the sensor transmitted nothing ($threads threads)" '[ "$(tx)" = "$tx0" ]'
  check "drops are reported" 'grep -q "dropped by the kernel" "$tmp/cap$threads.err"'
  check "database handed to the unprivileged user" '[ "$(stat -c %U "$db")" = nobody ]'
done
# rolling pcap retention
ip netns exec "$b" "$bin" capture -i vB$$ --db "$tmp/ring.db" --write-pcap "$tmp/ring" \
    --pcap-size 1 --pcap-files 3 --user root 2>/dev/null &
cpid=$!
sleep 1
for _ in 1 2 3; do ip netns exec "$a" tcpreplay -q --topspeed -i vA$$ "$corpus/icsnpp-bacnet-bacnet_example.pcap" >/dev/null 2>&1; done
sleep 1
kill -INT $cpid; wait $cpid
n=$(ls "$tmp/ring" | wc -l)
check "pcap ring bounded to 3 files ($n)" '[ "$n" -ge 1 ] && [ "$n" -le 3 ]'
check "ring files are readable captures" 'tcpdump -r "$(ls "$tmp"/ring/*.pcap | head -1)" -c 1 >/dev/null 2>&1'
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
