#!/bin/sh
# run.sh OTSCOPE - the central PostgreSQL store (issue 9) against a real PostgreSQL server
# started here, in a temporary directory, on a free loopback port: two sites analyzed into
# their own SQLite stores are synced; a sync killed (-9) after its first committed batch is
# re-run and must resume without duplicates; a repeated sync must change nothing; report,
# assets and a write through --db postgresql://... must cover every site.  Exit 77 (skip)
# only when the PostgreSQL server binaries are not installed.
set -u
bin=$(realpath "$1")
srcdir=$(realpath "${OTSCOPE_SRCDIR:-$(dirname "$0")/../..}")
corpus="$srcdir/../shared/corpus/pcap"
pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$pgbin" ] || [ ! -x "$pgbin/initdb" ] || [ ! -x "$pgbin/pg_ctl" ] ||
   [ ! -x "$pgbin/psql" ]; then
  echo "SKIP: PostgreSQL server binaries not installed (Debian package postgresql)"
  exit 77
fi

tmp=$(mktemp -d)
pgdir="$tmp/pg"
mkdir "$pgdir"
as_pg=""
if [ "$(id -u)" -eq 0 ]; then
  # postgres refuses to run as root: the cluster belongs to the postgres user
  chown postgres "$pgdir"
  chmod 755 "$tmp"
  as_pg="runuser -u postgres --"
fi
cleanup() {
  $as_pg "$pgbin/pg_ctl" -D "$pgdir/data" -m immediate stop >/dev/null 2>&1
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

fails=0
ok() { :; }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }

# ---- the server ----
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
$as_pg "$pgbin/initdb" -D "$pgdir/data" -U postgres -A trust -E UTF8 --locale=C --no-sync \
  >"$tmp/initdb.log" 2>&1 || { cat "$tmp/initdb.log"; echo "FAIL: initdb"; exit 1; }
# trust only for the test role on loopback (and the superuser that sets it up)
cat >"$tmp/hba" <<EOF
local all postgres trust
host all otscope 127.0.0.1/32 trust
host all postgres 127.0.0.1/32 trust
EOF
$as_pg cp "$tmp/hba" "$pgdir/data/pg_hba.conf"
$as_pg "$pgbin/pg_ctl" -D "$pgdir/data" -w -t 60 -l "$pgdir/log" \
  -o "-c listen_addresses=127.0.0.1 -p $port -k $pgdir -c fsync=off" start >/dev/null ||
  { cat "$pgdir/log"; echo "FAIL: PostgreSQL did not start"; exit 1; }
psql_admin() { "$pgbin/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres "$@"; }
psql_admin -d postgres -c "CREATE ROLE otscope LOGIN" -c "CREATE DATABASE otscope_test OWNER otscope" ||
  { echo "FAIL: creating the test role and database"; exit 1; }
uri="postgresql://otscope@127.0.0.1:$port/otscope_test"
q() { "$pgbin/psql" -X -q -At -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U otscope -d otscope_test -c "$1"; }

# the mirrors of --db postgresql:// go here: nothing may be left behind
export TMPDIR="$tmp/mirrors"
mkdir "$TMPDIR"

# ---- two sites ----
cd "$tmp" || exit 1
a1="$corpus/icsnpp-modbus-modbus_example.pcap"
a2="$corpus/ndpi-dnp3.pcap"
b1="$srcdir/data/sample/plant.pcap"
b2="$corpus/icsnpp-s7comm-s7ident.pcap"
c1="$corpus/ndpi-iec60780-5-104.pcap"
plantgen="$(dirname "$bin")/plantgen"
for f in a1 a2 b2 c1; do
  eval "p=\$$f"
  if [ ! -r "$p" ]; then # no corpus: generated captures
    case $f in a1) s=modbus ;; a2) s=dnp3 ;; b2) s=s7comm ;; c1) s=iec104 ;; esac
    "$plantgen" -o "$tmp/$f.pcap" --scenario $s >/dev/null 2>&1 || { echo "FAIL: plantgen"; exit 1; }
    eval "$f=\$tmp/$f.pcap"
  fi
done
"$bin" analyze -q --db a.db --site plant-a "$a1" "$a2" || bad "analyze plant-a"
"$bin" analyze -q --db b.db --site plant-b "$b1" "$b2" || bad "analyze plant-b"

# facts and what is derived from them: every table with site rows
tables="runs files sightings attributes protocols role_hints findings operations conversations
assets asset_ips asset_vlans endpoint_asset asset_class asset_history alerts"
# the central key of each (besides site), for the duplicate check
key_of() {
  case $1 in
    runs | files | operations | assets | alerts) echo "id" ;;
    sightings) echo "mac, ip, vlan" ;;
    attributes) echo "mac, ip, field, value, raw, source" ;;
    protocols) echo "mac, ip, proto, role" ;;
    role_hints) echo "mac, ip, role, source" ;;
    findings) echo "mac, ip, kind, detail, proto" ;;
    conversations) echo "client_mac, client_ip, server_mac, server_ip, vlan, l4, port, proto" ;;
    asset_ips) echo "asset_id, ip" ;;
    asset_vlans) echo "asset_id, vlan" ;;
    endpoint_asset) echo "mac, ip" ;;
    asset_class) echo "asset_id, field" ;;
    asset_history) echo "asset_id, field, old_value, new_value, time_ns, file_id, frame, source" ;;
  esac
}
# counts in PostgreSQL for a site equal the counts in its SQLite store (one query each side)
counts_sql() { # PREFIX WHERE
  for t in $tables; do printf "'%s='||(SELECT count(*) FROM %s%s%s)||' '||" $t "$1" $t "$2"; done
  printf "''"
}
check_counts() { # DB SITE WHAT
  want=$(sqlite3 "$1" "SELECT $(counts_sql "" "")")
  got=$(q "SELECT $(counts_sql otscope. " WHERE site='$2'")")
  [ "$want" = "$got" ] || bad "$3: $2: PostgreSQL has $got; $1 has $want"
}
check_no_duplicates() { # WHAT
  sql="SELECT ''"
  for t in $tables; do
    sql="$sql || (SELECT CASE WHEN count(*) = count(DISTINCT (site, $(key_of $t))) THEN ''
      ELSE '$t ' END FROM otscope.$t)"
  done
  # an operation is one row per site and natural key, whatever its id
  sql="$sql || (SELECT CASE WHEN count(*) = count(DISTINCT (site, src_mac, src_ip, dst_mac, dst_ip,
    proto, kind, function, target, result)) THEN '' ELSE 'operations-by-natural-key' END
    FROM otscope.operations)"
  d=$(q "$sql")
  [ -z "$d" ] || bad "$1: duplicate rows in $d"
}
# rows of these tables written since transaction XID (WHERE is extra)
rewritten() { # XID TABLES WHERE
  sql="SELECT ''"
  for t in $2; do
    sql="$sql || (SELECT CASE WHEN count(*) = 0 THEN '' ELSE '$t:' || count(*) || ' ' END
      FROM otscope.$t WHERE xmin::text::bigint >= $1 $3)"
  done
  q "$sql"
}
rows_of() { sqlite3 "$1" "SELECT $(for t in $tables; do printf '(SELECT count(*) FROM %s)+' $t; done)0"; }
now() { date +%s.%N; }
elapsed() { python3 -c "import sys; print('%.2f' % (float(sys.argv[2]) - float(sys.argv[1])))" "$1" "$2"; }

# ---- usage and connection errors ----
"$bin" sync --from a.db >/dev/null 2>&1; [ $? -eq 2 ] || bad "sync without --to: exit 2"
"$bin" sync --from a.db --to a.db >/dev/null 2>&1; [ $? -eq 2 ] || bad "sync --to not a URI: exit 2"
"$bin" sync --from a.db --to "$uri" --batch 0 >/dev/null 2>&1; [ $? -eq 2 ] || bad "--batch 0: exit 2"
"$bin" sync --from a.db --to "$uri" --site '*' >/dev/null 2>&1; [ $? -eq 2 ] || bad "--site '*': exit 2"
"$bin" sync --from nosuch.db --to "$uri" >/dev/null 2>&1; [ $? -eq 3 ] || bad "missing store: exit 3"
"$bin" sync --help | grep -q "usage: otscope sync" || bad "sync --help"
closed=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$bin" sync --from a.db --to "postgresql://otscope:s3cret-pw@127.0.0.1:$closed/otscope_test" \
  >/dev/null 2>"$tmp/err"
rc=$?
[ $rc -eq 1 ] || bad "connection refused: exit $rc, want 1"
grep -q "^otscope: postgresql://otscope:\*\*\*@127.0.0.1:$closed/otscope_test: .*refused" "$tmp/err" ||
  bad "connection refused message: $(cat "$tmp/err")"
grep -q "s3cret" "$tmp/err" && bad "the password was printed"
"$bin" assets --db "postgresql://otscope:s3cret-pw@127.0.0.1:$closed/otscope_test" >/dev/null 2>"$tmp/err"
[ $? -ne 0 ] || bad "assets from an unreachable central store: exit 0"
grep -q "s3cret" "$tmp/err" && bad "assets printed the password"
"$bin" assets --db "$uri" >/dev/null 2>"$tmp/err"
[ $? -ne 0 ] && grep -q "no otscope data" "$tmp/err" || bad "assets before any sync: $(cat "$tmp/err")"

# ---- plant-a: a full sync ----
t0=$(now)
"$bin" sync --from a.db --to "$uri" >"$tmp/sync-a.out" 2>&1 || { cat "$tmp/sync-a.out"; bad "sync plant-a"; }
t1=$(now)
echo "sync plant-a: $(rows_of a.db) rows in $(elapsed "$t0" "$t1") s (schema created)"
check_counts a.db plant-a "first sync"

# ---- plant-b: killed after its first committed batch, then resumed ----
# every commit of plant-b's progress (a batch's cursor, and a table's end, which clears it) is
# slowed down inside PostgreSQL, so once a cursor is visible the kill lands before the next
# commit could clear it, however fast the machine
q "CREATE FUNCTION otscope.slow_commit() RETURNS trigger LANGUAGE plpgsql AS
   \$\$ BEGIN PERFORM pg_sleep(0.5); RETURN NEW; END \$\$" >/dev/null
q "CREATE TRIGGER slow AFTER INSERT OR UPDATE ON otscope.sync_state FOR EACH ROW
   WHEN (NEW.site = 'plant-b') EXECUTE FUNCTION otscope.slow_commit()" >/dev/null
"$bin" sync --from b.db --to "$uri" --batch 10 >"$tmp/sync-b1.out" 2>&1 &
pid=$!
i=0
while [ "$(q "SELECT count(*) FROM otscope.sync_state WHERE site='plant-b' AND last_key IS NOT NULL")" = 0 ]; do
  i=$((i + 1))
  [ $i -lt 600 ] || break
  sleep 0.05
done
kill -9 $pid 2>/dev/null
wait $pid 2>/dev/null
q "DROP TRIGGER slow ON otscope.sync_state; DROP FUNCTION otscope.slow_commit()" >/dev/null
partial=$(q "SELECT (SELECT count(*) FROM otscope.runs WHERE site='plant-b') +
  (SELECT count(*) FROM otscope.files WHERE site='plant-b') +
  (SELECT count(*) FROM otscope.sightings WHERE site='plant-b') +
  (SELECT count(*) FROM otscope.attributes WHERE site='plant-b')")
cursor=$(q "SELECT tbl || ' ' || last_key FROM otscope.sync_state WHERE site='plant-b' AND last_key IS NOT NULL")
total_b=$(rows_of b.db)
central_b=$(q "SELECT $(for t in $tables; do printf "(SELECT count(*) FROM otscope.%s WHERE site='plant-b')+" $t; done)0")
echo "killed sync plant-b: $central_b of $total_b rows committed, cursor at: $cursor"
[ -n "$cursor" ] || bad "the killed sync left no cursor"
[ "$partial" -gt 0 ] && [ "$central_b" -lt "$total_b" ] ||
  bad "the kill did not land mid-sync ($central_b of $total_b rows)"
t0=$(now)
"$bin" sync --from b.db --to "$uri" --batch 10 >"$tmp/sync-b2.out" 2>&1 || { cat "$tmp/sync-b2.out"; bad "resumed sync plant-b"; }
t1=$(now)
echo "resumed sync plant-b: $(elapsed "$t0" "$t1") s; $(grep 'resumed an interrupted' "$tmp/sync-b2.out")"
grep -q "resumed after" "$tmp/sync-b2.out" || bad "the second sync did not resume: $(cat "$tmp/sync-b2.out")"
check_counts b.db plant-b "resumed sync"
check_counts a.db plant-a "after plant-b"
check_no_duplicates "after the resumed sync"
[ "$(q "SELECT count(*) FROM otscope.sync_state WHERE last_key IS NOT NULL")" = 0 ] ||
  bad "a cursor is left after the sync finished"
# the same site into a fresh database, uninterrupted, for the timing
psql_admin -d postgres -c "CREATE DATABASE otscope_time OWNER otscope" >/dev/null
t0=$(now)
"$bin" sync -q --from b.db --to "postgresql://otscope@127.0.0.1:$port/otscope_time" >/dev/null 2>&1 ||
  bad "sync plant-b into a fresh database"
t1=$(now)
echo "sync plant-b (uninterrupted, fresh database): $total_b rows in $(elapsed "$t0" "$t1") s"

# ---- nothing changes when nothing changed ----
xid=$(q "SELECT txid_current()")
"$bin" sync --from a.db --to "$uri" >"$tmp/sync-a2.out" 2>&1 || bad "second sync plant-a"
"$bin" sync --from b.db --to "$uri" >"$tmp/sync-b3.out" 2>&1 || bad "third sync plant-b"
grep -q "plant-a: .* 0 sent, 0 written, 0 deleted" "$tmp/sync-a2.out" || bad "re-sync plant-a sent rows: $(tail -1 "$tmp/sync-a2.out")"
grep -q "plant-b: .* 0 sent, 0 written, 0 deleted" "$tmp/sync-b3.out" || bad "re-sync plant-b sent rows: $(tail -1 "$tmp/sync-b3.out")"
n=$(rewritten "$xid" "$tables sync_state" "")
[ -z "$n" ] || bad "re-sync rewrote rows: $n"
# --full sends everything again: facts are upserts that find nothing to change
"$bin" sync --full --from b.db --to "$uri" >"$tmp/sync-b4.out" 2>&1 || bad "sync --full"
grep -q "plant-b      sightings .* 0 written" "$tmp/sync-b4.out" || bad "sync --full rewrote facts: $(grep sightings "$tmp/sync-b4.out")"
check_counts b.db plant-b "sync --full"
check_no_duplicates "after sync --full"

# ---- reading across sites ----
"$bin" report board --db "$uri" --format json --no-snapshot >"$tmp/board.json" 2>"$tmp/err" ||
  bad "report board --db postgresql://: $(cat "$tmp/err")"
python3 - "$tmp/board.json" "$(sqlite3 a.db 'SELECT count(*) FROM assets')" \
  "$(sqlite3 b.db 'SELECT count(*) FROM assets')" <<'EOF' || bad "board sites"
import json, sys
b = json.load(open(sys.argv[1]))
sites = {s["site"]: s["assets"] for s in b["sites"]}
want = {"plant-a": int(sys.argv[2]), "plant-b": int(sys.argv[3])}
if sites != want:
    sys.exit("board sites %s, want %s" % (sites, want))
print("board: sites %s, %d assets in all" % (sorted(sites), sum(sites.values())))
EOF
"$bin" assets --db "$uri" --format json >"$tmp/assets.json" 2>"$tmp/err" || bad "assets --db postgresql://: $(cat "$tmp/err")"
"$bin" assets --db a.db --format json >"$tmp/assets-a.json"
"$bin" assets --db b.db --format json >"$tmp/assets-b.json"
python3 - "$tmp/assets.json" "$tmp/assets-a.json" "$tmp/assets-b.json" <<'EOF' || bad "assets across sites"
import json, sys
c, a, b = (json.load(open(p))["assets"] for p in sys.argv[1:4])
norm = lambda l: sorted(json.dumps(x, sort_keys=True) for x in l)
if norm(c) != norm(a + b):
    sys.exit("assets --db postgresql:// differ from the two sites' (%d vs %d)" % (len(c), len(a) + len(b)))
EOF
"$bin" assets --db "$uri" | grep -q "^plant-a:" || bad "assets table lacks plant-a"
"$bin" assets --db "$uri" | grep -q "^plant-b:" || bad "assets table lacks plant-b"

# ---- the console over the central store, re-read every --refresh seconds ----
wport=$((30000 + $$ % 20000))
"$bin" serve --db "$uri" --listen "127.0.0.1:$wport" --refresh 1 2>"$tmp/serve.err" &
spid=$!
total() { curl -sf "http://127.0.0.1:$wport/api/v1/assets?limit=1" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["total"])' 2>/dev/null; }
before=""
for _ in $(seq 50); do before=$(total) && [ -n "$before" ] && break; sleep 0.2; done
[ "$before" = "$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["assets"]))' "$tmp/assets.json")" ] ||
  bad "serve --db postgresql://: $before assets at start, want those of all sites"

# ---- writing through the central store: another site ----
xid=$(q "SELECT txid_current()")
"$bin" analyze -q --db "$uri" --site plant-c "$c1" 2>"$tmp/err" || bad "analyze --db postgresql://: $(cat "$tmp/err")"
# the running console shows plant-c after its next re-read
"$bin" analyze -q --db "$tmp/c-count.db" --site plant-c "$c1" 2>/dev/null
want=$((before + $(sqlite3 "$tmp/c-count.db" 'SELECT count(*) FROM assets')))
now=""
for _ in $(seq 40); do now=$(total); [ "$now" = "$want" ] && break; sleep 0.25; done
[ "$now" = "$want" ] || bad "serve --refresh 1: $now assets after plant-c was written, want $want"
kill "$spid" 2>/dev/null; wait "$spid" 2>/dev/null
"$bin" analyze -q --db c.db --site plant-c "$c1" || bad "analyze plant-c locally"
check_counts c.db plant-c "analyze --db postgresql://"
n=$(rewritten "$xid" "$tables" "AND site<>'plant-c'")
[ -z "$n" ] || bad "analyze plant-c rewrote rows of other sites: $n"
"$bin" analyze -q --db "$uri" --site plant-c "$c1" 2>/dev/null
"$bin" analyze -q --db c.db --site plant-c "$c1" 2>/dev/null
check_counts c.db plant-c "the same capture again (recognised, skipped)"
check_no_duplicates "after analyze --db postgresql://"

# ---- a write-back the central store refuses is kept, and a later sync pushes it ----
q "CREATE FUNCTION otscope.refuse() RETURNS trigger LANGUAGE plpgsql AS
   \$\$ BEGIN RAISE EXCEPTION 'refused by the test'; END \$\$" >/dev/null
q "CREATE TRIGGER refuse BEFORE INSERT ON otscope.runs FOR EACH ROW
   WHEN (NEW.site = 'plant-d') EXECUTE FUNCTION otscope.refuse()" >/dev/null
"$bin" analyze -q --db "$uri" --site plant-d "$a1" 2>"$tmp/err"
rc=$?
[ $rc -eq 1 ] || bad "a refused write-back: exit $rc, want 1"
grep -q "refused by the test; they are kept in" "$tmp/err" || bad "refused write-back message: $(cat "$tmp/err")"
kept=$(ls "$TMPDIR" | grep -v -- '-wal$\|-shm$' | head -n 1)
[ -n "$kept" ] || bad "the refused changes were not kept"
q "DROP TRIGGER refuse ON otscope.runs; DROP FUNCTION otscope.refuse()" >/dev/null
[ "$(q "SELECT count(*) FROM otscope.runs WHERE site='plant-d'")" = 0 ] || bad "plant-d half stored"
if [ -n "$kept" ]; then
  "$bin" sync --from "$TMPDIR/$kept" --to "$uri" >"$tmp/sync-d.out" 2>&1 ||
    bad "sync of the kept changes: $(cat "$tmp/sync-d.out")"
  rm -f "$TMPDIR/$kept" "$TMPDIR/$kept-wal" "$TMPDIR/$kept-shm"
fi
"$bin" analyze -q --db d.db --site plant-d "$a1" || bad "analyze plant-d locally"
check_counts d.db plant-d "the kept changes, synced"
check_counts a.db plant-a "after plant-d"
check_no_duplicates "after plant-d"

# ---- every temporary mirror is gone ----
left=$(ls "$TMPDIR")
[ -z "$left" ] || bad "temporary stores left behind: $left"

[ $fails -eq 0 ] || { echo "$fails failure(s)"; exit 1; }
echo "postgres: all checks passed"
exit 0
