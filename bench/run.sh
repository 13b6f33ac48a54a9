#!/bin/bash
# run.sh BUILD - the benchmark (make bench).  Generates deterministic synthetic captures with
# tools/gen/plantgen, then measures on one core:
#   - otscope analyze (decode, flows, reassembly, every dissector, store) on a 2M-packet plant;
#   - the floor: a bare libpcap read loop on the same file (bench/pcapfloor.c);
#   - nDPI's ndpiReader on the same file, when installed (Debian libndpi-bin);
#   - time linearity (1M vs 2M packets) and peak memory with one million concurrent flows.
#   - live capture (bench/capture.sh): tcpreplay --topspeed over a veth pair, 1 and 2 threads;
#   - advisory import and matching (bench/vuln.sh): all CISA ICS CSAF files, 10,000 assets.
# Prints a table and rewrites the "latest run" section of bench/RESULTS.md.
set -euo pipefail
build=${1:-build}
top=$(cd "$(dirname "$0")/.." && pwd)
out="$top/bench/out"
mkdir -p "$out"
bin="$top/$build/otscope"
gen="$top/$build/plantgen"
floor="$top/$build/pcapfloor"
PACKETS=${BENCH_PACKETS:-2000000}
FLOWS=${BENCH_FLOWS:-1000000}
REPEAT=${BENCH_REPEAT:-3}

cap2="$out/plant-2m.pcap"
cap1="$out/plant-1m.pcap"
capf="$out/flows-1m.pcap"
[ -s "$cap2" ] || "$gen" -o "$cap2" --bench "$PACKETS" --seed 7
[ -s "$cap1" ] || "$gen" -o "$cap1" --bench $((PACKETS / 2)) --seed 7
[ -s "$capf" ] || "$gen" -o "$capf" --flows "$FLOWS" --seed 7

pkts() { "$floor" "$1" | awk '{print $2}'; }
bytes() { "$floor" "$1" | awk '{print $4}'; }

# best of REPEAT runs: wall seconds and peak RSS (KiB) via /usr/bin/time
measure() { # label cmd...
  shift
  local best=999999 rss=0
  for _ in $(seq "$REPEAT"); do
    /usr/bin/time -f "%e %M" -o "$out/time.txt" taskset -c 0 "$@" >/dev/null 2>"$out/err.txt" || {
      echo "bench: $* failed:"; cat "$out/err.txt"; return 1; }
    read -r s m < "$out/time.txt"
    if awk "BEGIN{exit !($s < $best)}"; then best=$s; fi
    rss=$m
  done
  echo "$best $rss"
}

# a script, not a function: /usr/bin/time and taskset need something to exec
cat > "$out/otscope_run" <<RUN
#!/bin/sh
rm -f "$out/b.db"*
exec "$bin" analyze -q --no-progress --db "$out/b.db" "\$@"
RUN
chmod +x "$out/otscope_run"
otscope_run="$out/otscope_run"

n2=$(pkts "$cap2"); b2=$(bytes "$cap2"); n1=$(pkts "$cap1")
read -r t_floor m_floor < <(measure floor "$floor" "$cap2")
read -r t_ots m_ots < <(measure otscope "$otscope_run" "$cap2")
read -r t_ots1 _ < <(measure otscope "$otscope_run" "$cap1")
read -r t_core m_core < <(measure core "$otscope_run" --dissectors arp "$cap2")
if command -v ndpiReader >/dev/null; then
  read -r t_ndpi m_ndpi < <(measure ndpi ndpiReader -q -i "$cap2")
else
  t_ndpi=""; m_ndpi=""
fi
nf=$(pkts "$capf")
read -r t_flows m_flows < <(measure flows "$otscope_run" --max-flows $((FLOWS + FLOWS / 8)) \
                              --idle-udp 3600 "$capf")
peak_flows=$(rm -f "$out/b.db"*; "$bin" analyze --no-progress --db "$out/b.db" \
   --max-flows $((FLOWS + FLOWS / 8)) --idle-udp 3600 "$capf" 2>&1 | sed -n 's/.*(peak \([0-9]*\).*/\1/p')

rate() { awk "BEGIN{printf \"%.0f\", $1 / $2}"; }
mbit() { awk "BEGIN{printf \"%.0f\", $1 * 8 / $2 / 1e6}"; }
r_floor=$(rate "$n2" "$t_floor"); r_ots=$(rate "$n2" "$t_ots"); r_ots1=$(rate "$n1" "$t_ots1")
row() { printf "| %-34s | %12s | %9s | %10s | %8s |\n" "$@"; }
{
  echo "### $(date -u +%Y-%m-%d) — $(uname -m), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
  echo
  echo "Capture: \`plantgen --bench $PACKETS --seed 7\` ($n2 packets, $((b2 / 1000000)) MB), one core (taskset -c 0), best of $REPEAT; otscope built as meson buildtype $(meson introspect --buildoptions "$top/$build" 2>/dev/null | python3 -c 'import json,sys; print(next(o["value"] for o in json.load(sys.stdin) if o["name"]=="buildtype"))' 2>/dev/null || echo unknown) (\`make bench\`: release)."
  echo
  row "program" "packets/s" "Mbit/s" "seconds" "peak MB"
  row "---" "---:" "---:" "---:" "---:"
  row "libpcap read loop (floor)" "$r_floor" "$(mbit "$b2" "$t_floor")" "$t_floor" "$((m_floor / 1024))"
  row "otscope core (decode, flows, ARP, store)" "$(rate "$n2" "$t_core")" "$(mbit "$b2" "$t_core")" "$t_core" "$((m_core / 1024))"
  row "otscope analyze (all dissectors, store)" "$r_ots" "$(mbit "$b2" "$t_ots")" "$t_ots" "$((m_ots / 1024))"
  if [ -n "$t_ndpi" ]; then
    row "ndpiReader -q (nDPI $(ndpiReader -h 2>&1 | sed -n 's/Welcome to nDPI //p' | head -1))" "$(rate "$n2" "$t_ndpi")" "$(mbit "$b2" "$t_ndpi")" "$t_ndpi" "$((m_ndpi / 1024))"
  fi
  echo
  echo "- core / libpcap floor time: $(awk "BEGIN{printf \"%.2f\", $t_core / $t_floor}")x (goal <= 1.5x; the core reads classic pcap in 4 MiB blocks, not through libpcap)"
  [ -n "$t_ndpi" ] && echo "- core packets/s / ndpiReader packets/s: $(awk "BEGIN{printf \"%.2f\", $t_ndpi / $t_core}")x (goal >= 2x)"
  [ -n "$t_ndpi" ] && echo "- all dissectors, every industrial PDU parsed / ndpiReader packets/s: $(awk "BEGIN{printf \"%.2f\", $t_ndpi / $t_ots}")x (goal >= 1x)"
  echo "- linearity: $n1 packets at $r_ots1 pkt/s, $n2 at $r_ots pkt/s (time ratio $(awk "BEGIN{printf \"%.2f\", $t_ots / $t_ots1}") for 2x the packets)"
  echo "- one million concurrent flows (\`plantgen --flows $FLOWS\`, $nf packets, --max-flows $((FLOWS + FLOWS / 8))): peak $peak_flows concurrent flows, peak memory $((m_flows / 1024)) MB (goal < 300 MB), $t_flows s"
  echo
} > "$out/latest.md"
# live capture over a veth pair (bench/capture.sh; needs root and tcpreplay, else says why)
"$top/bench/capture.sh" "$build" >> "$out/latest.md" ||
  echo "- live capture: bench/capture.sh failed (see above)" >> "$out/latest.md"
# advisory import and matching (bench/vuln.sh; needs ../shared/vulndata)
{ echo; "$top/bench/vuln.sh" "$build"; } >> "$out/latest.md" ||
  echo "- vulnerability benchmark: bench/vuln.sh failed (see above)" >> "$out/latest.md"
cat "$out/latest.md"
# keep older runs below the newest
res="$top/bench/RESULTS.md"
head='# Benchmark results

Produced by `make bench` (bench/run.sh); newest first. Each run states the machine, the capture
and the commands, so it can be reproduced.
'
old=$( [ -f "$res" ] && sed -n '/^### /,$p' "$res" || true)
{ echo "$head"; cat "$out/latest.md"; [ -n "$old" ] && echo "$old"; } > "$res"
