#!/bin/bash
# capture.sh BUILD - the live-capture benchmark (part of make bench, issue 9).  Two network
# namespaces joined by a veth pair (the traffic stays inside them): tcpreplay --topspeed replays a
# deterministic plantgen capture into one end while `otscope capture --threads N` watches the
# other, for N = 1 and 2, with one tcpreplay and with three at once (a higher rate, and the CPU
# shared by more processes).  Per run: packets sent (tcpreplay's report) and the rate they were
# offered at, packets otscope received, kernel and internal drops (otscope's summary), frames
# that never reached otscope's socket, the rate otscope kept up with (received / time from the
# first frame until otscope went idle), its CPU time and peak RSS (/usr/bin/time), the assets
# found, and the frames the sensor's veth end transmitted (must stay 0).
# Prints Markdown on stdout (progress on stderr).  Without root, ip netns or tcpreplay it prints
# why and exits 0.
# Environment: CAPTURE_PACKETS (default 3000000), CAPTURE_THREADS ("1 2"), CAPTURE_SENDERS
# (concurrent tcpreplay processes per run, "1 3"), CAPTURE_REPEAT (1).
set -u
build=${1:-build}
top=$(cd "$(dirname "$0")/.." && pwd)
bin="$top/$build/otscope"
gen="$top/$build/plantgen"
out="$top/bench/out"
PACKETS=${CAPTURE_PACKETS:-3000000}
THREADS=${CAPTURE_THREADS:-1 2}
SENDERS=${CAPTURE_SENDERS:-1 3}
REPEAT=${CAPTURE_REPEAT:-1}

echo "#### Live capture (bench/capture.sh)"
echo
why=""
[ "$(id -u)" -eq 0 ] || why="needs root (network namespaces)"
[ -z "$why" ] && ! ip netns list >/dev/null 2>&1 && why="needs ip netns (iproute2)"
[ -z "$why" ] && ! command -v tcpreplay >/dev/null && why="needs tcpreplay (Debian: apt-get install tcpreplay)"
[ -z "$why" ] && [ ! -x /usr/bin/time ] && why="needs /usr/bin/time (Debian: apt-get install time)"
[ -z "$why" ] && [ ! -x "$bin" ] && why="$bin is not built"
if [ -n "$why" ]; then
  echo "Skipped: $why."
  echo
  exit 0
fi

mkdir -p "$out"
cap="$out/live-$PACKETS.pcap"
[ -s "$cap" ] || "$gen" -o "$cap" --bench "$PACKETS" --seed 7 2>/dev/null || { echo "plantgen failed"; exit 1; }
tmp=$(mktemp -d)
chmod 755 "$tmp" # otscope drops root to nobody, which must create the database's -wal and -shm
a=ocapA$$; b=ocapB$$; va=vcA$$; vb=vcB$$
tpid=""; opid=""
cleanup() { # an interrupted run: stop the otscope it started
  [ -n "$tpid" ] && [ -n "$opid" ] && kill -INT "$opid" 2>/dev/null && wait "$tpid" 2>/dev/null
  ip netns del "$a" 2>/dev/null; ip netns del "$b" 2>/dev/null; rm -rf "$tmp"
}
trap cleanup EXIT
if ! ip netns add "$a" || ! ip netns add "$b"; then echo "ip netns add failed"; exit 1; fi
# no IPv6 before the links exist: no router/neighbour solicitations or MLD reports from them
for ns in "$a" "$b"; do
  ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
  ip netns exec "$ns" sysctl -qw net.ipv6.conf.default.disable_ipv6=1
done
ip link add "$va" netns "$a" type veth peer name "$vb" netns "$b" || { echo "veth failed"; exit 1; }
ip netns exec "$b" sysctl -qw "net.ipv6.conf.$vb.disable_ipv6=1"
ip -n "$a" link set "$va" up && ip -n "$b" link set "$vb" up || exit 1

stat_b() { ip netns exec "$b" cat "/sys/class/net/$vb/statistics/$1"; }
ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
now() { date +%s.%N; }
num() { sed -n "$2" "$1" | head -1; }

# offline reference: the same file through otscope analyze
"$bin" analyze -q --no-progress --db "$tmp/offline.db" "$cap" 2>/dev/null
assets() { "$bin" assets --db "$1" --format json 2>/dev/null | python3 -c '
import json, sys
print(len(json.load(sys.stdin)["assets"]))' 2>/dev/null || echo "?"; }
protocols() { "$bin" assets --db "$1" --format json 2>/dev/null | python3 -c '
import json, sys
print(", ".join(sorted({p["name"] for a in json.load(sys.stdin)["assets"] for p in a["protocols"]})))' 2>/dev/null; }
want_assets=$(assets "$tmp/offline.db")

rows=""
for senders in $SENDERS; do
for threads in $THREADS; do
  for _ in $(seq "$REPEAT"); do
    echo "capture.sh: $threads thread(s), $senders tcpreplay, replaying $cap" >&2
    db="$tmp/live.db"
    rm -f "$db" "$db"-*
    tx0=$(stat_b tx_packets)
    ip netns exec "$b" /usr/bin/time -v -o "$tmp/time.txt" \
      "$bin" capture -i "$vb" --db "$db" --threads "$threads" 2> "$tmp/cap.err" &
    tpid=$!
    # /usr/bin/time ignores SIGINT: signal otscope itself, once its capture socket is open
    opid=""
    for _ in $(seq 100); do
      opid=$(pgrep -P "$tpid" | head -1)
      [ -n "$opid" ] && [ -n "$(find "/proc/$opid/fd" -lname 'socket:*' 2>/dev/null)" ] && break
      sleep 0.1
    done
    sleep 1 # store opened, root dropped, workers started
    t0=$(now)
    spids=""
    for k in $(seq "$senders"); do
      ip netns exec "$a" tcpreplay --topspeed -i "$va" "$cap" > "$tmp/replay$k.txt" 2>&1 &
      spids+=" $!"
    done
    # shellcheck disable=SC2086
    wait $spids
    t1=$(now)
    # otscope went idle: less than 10% of a core over 0.3 s (its kernel ring is empty then)
    prev=$(ticks "$opid"); tidle=$t1
    for _ in $(seq 300); do
      sleep 0.3
      cur=$(ticks "$opid")
      [ $((cur - prev)) -le 3 ] && break
      prev=$cur; tidle=$(now)
    done
    kill -INT "$opid"
    wait "$tpid"; rc=$?
    tpid=""
    tx1=$(stat_b tx_packets)
    # all senders: frames summed, the longest replay time
    read -r sent secs failed < <(sed -n -e 's/.*Actual: \([0-9]*\) packets .* sent in \([0-9.]*\) seconds.*/A \1 \2/p' \
        -e 's/.*Failed packets: *\([0-9]*\).*/F \1/p' "$tmp"/replay*.txt |
      awk '$1 == "A" {n += $2; if ($3 > s) s = $3; k++} $1 == "F" {f += $2}
           END {if (k) print n, s, f + 0}')
    read -r recv kdrop idrop odrop < <(sed -n 's/.*: \([0-9]*\) frames received, \([0-9]*\) dropped by the kernel, \([0-9]*\) by the interface, \([0-9]*\) by otscope.*/\1 \2 \3 \4/p' "$tmp/cap.err")
    rss=$(num "$tmp/time.txt" 's/.*Maximum resident set size (kbytes): \([0-9]*\).*/\1/p')
    cpu=$(awk -F': ' '/User time|System time/ {s += $2} END {printf "%.2f", s}' "$tmp/time.txt")
    if [ "$rc" -ne 0 ] || [ -z "${recv:-}" ] || [ -z "${sent:-}" ]; then
      echo "capture.sh: otscope capture exited $rc:" >&2; cat "$tmp/cap.err" "$tmp"/replay*.txt >&2
      echo "otscope capture --threads $threads failed (exit $rc)"
      exit 1
    fi
    unseen=$((sent - recv - kdrop - idrop))
    rm -f "$tmp"/replay*.txt
    pps=$(awk "BEGIN{printf \"%.0f\", $sent / $secs}")
    took=$(awk "BEGIN{d = $tidle - $t0; if (d < $secs) d = $secs; print d}")
    kept=$(awk "BEGIN{printf \"%.0f\", ($recv - $odrop) / $took}")
    got_assets=$(assets "$db")
    [ -z "${protos:-}" ] && protos=$(protocols "$db")
    rows+=$(printf '| %d | %d | %d | %s | %d | %d | %d | %d | %d | %s | %s | %d | %s (%s) | %d |' \
      "$threads" "$senders" "$sent" "$pps" "$recv" "$kdrop" "$((idrop))" "$odrop" "$unseen" "$kept" "$cpu" \
      "$((rss / 1024))" "$got_assets" "$want_assets" "$((tx1 - tx0))")$'\n'
    [ "${failed:-0}" -ne 0 ] && echo "capture.sh: tcpreplay reported $failed failed packets" >&2
  done
done
done

echo "Capture: \`plantgen --bench $PACKETS --seed 7\` ($("$top/$build/pcapfloor" "$cap" | awk '{print $2}') frames, $(($(stat -c %s "$cap") / 1000000)) MB)," \
     "replayed with \`tcpreplay --topspeed\` into a veth pair between two network namespaces on the" \
     "same machine ($(nproc) cores; tcpreplay, the kernel and otscope share them); otscope with" \
     "default options (128 MB kernel ring, stores every 5 s), stopped with SIGINT once idle."
echo
echo "| threads | tcpreplays | sent | offered pkt/s | received | kernel drops | interface drops | otscope drops | not seen | otscope pkt/s | CPU s | peak RSS MB | assets (offline) | sensor TX frames |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
printf '%s' "$rows"
echo
echo "- not seen: sent by tcpreplay but neither received nor counted as dropped (lost on the veth"
echo "  or the backlog queue before the capture socket); otscope pkt/s: frames processed over the"
echo "  time from the first frame until otscope was idle again; peak RSS includes the kernel ring."
[ -n "${protos:-}" ] && echo "- protocols seen: $protos"
echo
