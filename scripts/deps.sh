#!/usr/bin/env bash
# Installs the Debian packages Harv needs, idempotently: checks each package first and runs
# `apt-get update` at most once, only when something is missing. Package lists live in
# scripts/deps/*.txt (one package a line, '#' comments), one file per component so that
# components add what they need without touching each other.
#   scripts/deps.sh            every list
#   scripts/deps.sh bench      only scripts/deps/bench.txt (the peers the benchmarks run)
set -euo pipefail
cd "$(dirname "$0")/deps"
lists=()
if [ $# -gt 0 ]; then for l in "$@"; do lists+=("$l.txt"); done
else for l in *.txt; do [ "$l" = bench.txt ] || lists+=("$l"); done; fi

missing=()
for pkg in $(sed -e 's/#.*//' "${lists[@]}" | tr -s ' \n' '\n' | sort -u); do
    status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
    [ "$status" = "install ok installed" ] || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "deps: installing ${missing[*]}"
SUDO=; [ "$(id -u)" -eq 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# Servers pulled in as peers (nginx, mariadb) must not start on install: a policy-rc.d that
# says so exists only for the duration of the install, and only if the machine had none.
if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
    $SUDO chmod +x /usr/sbin/policy-rc.d
    trap '$SUDO rm -f /usr/sbin/policy-rc.d' EXIT
fi
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
