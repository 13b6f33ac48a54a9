#!/bin/sh
# install-deps.sh - install the Debian packages otscope needs for a goal (build, check, bench,
# fuzz), only those missing.  As root it runs apt-get; otherwise it prints the command to run.
set -eu
goal=${1:-build}
pkgs="gcc make meson ninja-build pkg-config libpcap-dev libsqlite3-dev libjansson-dev libyaml-dev libcairo2-dev libpango1.0-dev libmicrohttpd-dev libpq-dev fonts-dejavu-core ieee-data"
case "$goal" in
  build) ;;
  check) pkgs="$pkgs libcmocka-dev python3 clang libclang-rt-14-dev sqlite3 rsyslog tshark tcpdump iproute2 tcpreplay python3-pymodbus chromium poppler-utils postgresql curl" ;;
  bench) pkgs="$pkgs libndpi-bin time" ;;
  fuzz)  pkgs="$pkgs clang libclang-rt-14-dev" ;;
  *) echo "install-deps.sh: unknown goal $goal" >&2; exit 2 ;;
esac
missing=""
for p in $pkgs; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -eq 0 ]; then
  echo "installing:$missing"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # shellcheck disable=SC2086
  apt-get install -y -qq --no-install-recommends $missing
else
  echo "otscope: missing Debian packages:$missing" >&2
  echo "run as root: apt-get install$missing" >&2
  exit 1
fi
