#!/bin/sh
# run.sh BUILD SECONDS - run every libFuzzer target for SECONDS each, seeded from the public
# corpus (../shared/corpus) and the project's golden captures.  Crashes stop the run (exit 1).
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "$1" && pwd)
secs=$2
corpus="$top/../shared/corpus/pcap"
work="$build/fuzz-work"
mkdir -p "$work"
caps=$(ls "$corpus"/*.pcap* "$top"/tests/golden/*.pcap 2>/dev/null || true)
status=0
ran=0
for target in "$build"/tests/fuzz/fuzz_*; do
  [ -f "$target" ] && [ -x "$target" ] || continue
  name=$(basename "$target")
  d=${name#fuzz_}
  mkdir -p "$work/$name/corpus" "$work/$name/seeds"
  if [ "$d" = pcap ]; then
    for c in $caps; do cp "$c" "$work/$name/seeds/" 2>/dev/null || true; done
  elif [ "$d" = vuln ]; then
    # a few advisories of each kind (CSAF, NVD, KEV, EPSS), small ones first
    vd="$top/../shared/vulndata"
    for f in $(find "$vd" -type f \( -name "*.json" -o -name "*.csv" \) -size -64k 2>/dev/null |
               sort | awk 'NR % 25 == 1' | head -60); do
      cp "$f" "$work/$name/seeds/" 2>/dev/null || true
    done
  else
    # shellcheck disable=SC2086
    "$build"/tests/fuzz/pcap2seeds "$d" "$work/$name/seeds" $caps >/dev/null || true
  fi
  echo "fuzz: $name for ${secs}s"
  if ! (cd "$work/$name" && "$target" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
        -max_len=65536 -print_final_stats=0 corpus seeds > log 2>&1); then
    echo "fuzz: $name FAILED; see $work/$name/log and crash-* there"
    tail -40 "$work/$name/log"
    status=1
  else
    echo "  $(grep -Eo "Done [0-9]+ runs in [0-9]+ second" "$work/$name/log" | tail -1)"
  fi
  ran=$((ran + 1))
done
[ "$ran" -gt 0 ] || { echo "fuzz: no targets in $build/tests/fuzz"; exit 1; }
if [ $status -eq 0 ]; then echo "$ran passed, 0 failed"; else echo "fuzz: failures"; fi
exit $status
