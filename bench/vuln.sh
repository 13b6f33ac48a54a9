#!/bin/bash
# vuln.sh [BUILD] - advisory import and exposure matching figures:
#   - `otscope vuln import` of every CISA ICS CSAF advisory (../shared/vulndata/csaf, 2,379
#     files) into a fresh database, and the idempotent re-import of the same tree;
#   - `otscope vulns` over a synthetic inventory of 10,000 assets (plausible vendor, product,
#     order number and firmware rows: S7 CPUs, SCALANCE/RUGGEDCOM, Rockwell controllers and
#     adapters, Modicon CPUs, assets known only by MAC vendor, IT hosts without identity), once
#     as a plant has them (many identical devices) and once with every asset distinct (firmware
#     varied per asset, so the per-identity cache never hits).
# Best of REPEAT runs (wall seconds).  Prints a markdown section (bench/run.sh appends it to
# bench/RESULTS.md); nothing else is written.
set -euo pipefail
build=${1:-build}
top=$(cd "$(dirname "$0")/.." && pwd)
bin="$top/$build/otscope"
data=${VULNDATA:-$top/../shared/vulndata}
REPEAT=${BENCH_REPEAT:-3}
ASSETS=${BENCH_ASSETS:-10000}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
[ -n "${BENCH_KEEP:-}" ] && trap 'echo "kept $tmp"' EXIT

now() { date +%s.%N; }
best=""
# best of REPEAT: run the command (after an optional setup command) and keep the fastest
measure() { # setup cmd...
  local setup=$1
  shift
  best=999999
  for _ in $(seq "$REPEAT"); do
    eval "$setup"
    local t0 t1
    t0=$(now)
    "$@" >"$tmp/out" 2>"$tmp/err" || [ $? -eq 3 ] || { echo "bench: $* failed:"; cat "$tmp/err"; exit 1; }
    t1=$(now)
    best=$(awk -v a="$t0" -v b="$t1" -v m="$best" 'BEGIN{d=b-a; print (d<m)?d:m}')
  done
}

nfiles=$(find "$data/csaf" -name "ics*-*.json" | wc -l)
measure 'rm -f "$tmp/v.db" "$tmp/v.db-wal" "$tmp/v.db-shm"' \
  "$bin" vuln import --db "$tmp/v.db" "$data/csaf"
t_import=$best
summary=$(head -1 "$tmp/out")
measure ':' "$bin" vuln import --db "$tmp/v.db" "$data/csaf"
t_reimport=$best
"$bin" vuln import -q --db "$tmp/v.db" "$data/kev" "$data/nvd" "$data/epss"

# the synthetic inventory, drawn from identities the advisories name (and some they do not)
read -r ids_plant ids_distinct < <(python3 - "$tmp/v.db" "$ASSETS" <<'PY'
import random, sqlite3, sys, shutil
db, n = sys.argv[1], int(sys.argv[2])
rnd = random.Random(7)
con = sqlite3.connect(db)
siemens = con.execute("select distinct name, orders from vuln_products where orders like '6ES7%'"
                      " or orders like '6GK5%' or orders like '6GK6%' limit 600").fetchall()
def fw_siemens(order):
    if order.startswith('6ES731'): return 'V3.%d.%d' % (rnd.choice([2, 3]), rnd.randrange(0, 20))
    if order.startswith('6ES721'): return 'V4.%d.%d' % (rnd.randrange(0, 7), rnd.randrange(0, 4))
    if order.startswith('6ES751'): return 'V%d.%d.%d' % (rnd.choice([2, 3]), rnd.randrange(0, 10), rnd.randrange(0, 8))
    return 'V%d.%d' % (rnd.randrange(2, 8), rnd.randrange(0, 10))
rockwell = [('1756-L83E/B LOGIX5583E', '1756-L83E', ['32.011', '33.011', '34.011', '35.012']),
            ('1756-L73/B LOGIX5573', '1756-L73', ['20.055', '30.014', '32.012']),
            ('1769-L33ER/A LOGIX5333ER', '1769-L33ER', ['20.11', '30.014', '31.011']),
            ('1756-EN2T/D', '1756-EN2T/D', ['10.010', '11.001', '11.002', '12.001']),
            ('1756-EN2TR/C', '1756-EN2TR/C', ['10.007', '11.001', '11.003'])]
schneider = [('BMX P34 2020', 'BMXP342020', ['SV2.80', 'SV3.40', 'SV3.50', 'SV3.60']),
             ('Modicon M221', 'TM221CE40T', ['1.6.1.9', '1.6.2.0', '1.10.0.0'])]
rows = []
for i in range(n):
    k = rnd.random()
    mac = 'OUI'
    if k < 0.45:
        name, orders = rnd.choice(siemens)
        order = orders.split()[0]
        prod = name.split(' (')[0]
        rows.append(('Siemens', prod, order, fw_siemens(order), 'Siemens AG'))
    elif k < 0.65:
        prod, order, fws = rnd.choice(rockwell)
        rows.append(('Rockwell Automation', prod, order, rnd.choice(fws), 'Rockwell Automation'))
    elif k < 0.75:
        prod, order, fws = rnd.choice(schneider)
        rows.append(('Schneider Electric', prod, order, rnd.choice(fws), 'Schneider Electric'))
    elif k < 0.85:  # vendor only from the MAC address
        name, orders = rnd.choice(siemens)
        rows.append((None, name.split(' (')[0], None, fw_siemens(orders), 'Siemens AG'))
    else:           # IT hosts and devices without identity: unknown exposure
        rows.append((None, None, None, None, rnd.choice(['Dell Inc.', 'Hewlett Packard', 'Intel Corporate'])))
def fill(path, distinct):
    shutil.copy(db, path)
    c = sqlite3.connect(path)
    c.execute('delete from assets')
    for i, (v, p, o, f, m) in enumerate(rows):
        if distinct and f:
            f = '%s.%d' % (f, i)  # every asset its own identity
        c.execute('insert into assets(id, site, vendor, product, order_number, firmware,'
                  ' mac_vendor) values(?,?,?,?,?,?,?)', ('asset-%05d' % i, 'bench', v, p, o, f, m))
    c.commit()
    return len(set(rows)) if not distinct else len(rows)
print(fill(db + '.plant', False), fill(db + '.distinct', True))
PY
)

measure ':' "$bin" vulns --db "$tmp/v.db.plant" --format json
t_plant=$best
stats=$(python3 -c '
import json,sys
d=json.load(open(sys.argv[1]))["assets"]
c=sum(1 for a in d if a["risk"]["certain_matches"]); u=sum(1 for a in d if a["unknown_exposure"])
k=sum(1 for a in d if a["risk"]["kev"]); m=sum(len(a["matches"]) for a in d)
print("%d assets: %d with certain matches (%d with KEV), %d unknown exposure, %d matches" % (len(d),c,k,u,m))' "$tmp/out")
measure ':' "$bin" vulns --db "$tmp/v.db.distinct" --format json
t_distinct=$best
measure ':' "$bin" vuln lookup --db "$tmp/v.db" --vendor Siemens --product "CPU 315-2 PN/DP" \
  --order-number "6ES7 315-2EH14-0AB0" --version V3.2.6 --format json
t_lookup=$best

echo "#### Vulnerability import and matching (bench/vuln.sh)"
echo
echo "Advisories: ../shared/vulndata ($nfiles CISA ICS CSAF files, CISA KEV, NVD, FIRST EPSS); wall seconds, best of $REPEAT."
echo
echo "| measurement | seconds |"
echo "| --- | ---: |"
printf '| %s | %.2f |\n' "vuln import, all $nfiles CISA ICS CSAF files, fresh db" "$t_import"
printf '| %s | %.2f |\n' "vuln import again (idempotent, nothing new)" "$t_reimport"
printf '| %s | %.2f |\n' "vulns, $ASSETS assets ($ids_plant distinct identities)" "$t_plant"
printf '| %s | %.2f |\n' "vulns, $ASSETS assets (all $ids_distinct distinct)" "$t_distinct"
printf '| %s | %.3f |\n' "vuln lookup, one query (S7-300 CPU 315-2 PN/DP)" "$t_lookup"
echo
echo "- import: $summary"
echo "- vulns: $stats"
