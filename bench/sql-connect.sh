#!/usr/bin/env bash
# bench/sql-connect.sh — server CPU per client connection and per WordPress page's database
# work: HarvSQL against MariaDB, with PHP mysqli doing what WordPress does.
#
# A benchmark, not a test: it prints numbers and never fails on them. Both servers run on
# private state (temp dirs, free ports, TCP on 127.0.0.1) pinned to CPU 0 with taskset; the
# PHP client (php8.2-cli, mysqli/mysqlnd, bench/sql-connect.php) runs on CPU 1. Each server
# gets a fresh WordPress (Debian's wordpress package, installed with wp_install() from the
# CLI); the front page's SQL, once the first views' writes are done, is captured on HarvSQL
# (SAVEQUERIES) and replayed on both.
# Scenarios, each N connections in a row from one PHP process:
#   connect  handshake, SET NAMES utf8mb4, SET NAMES ... COLLATE, SELECT @@SESSION.sql_mode,
#            SET SESSION sql_mode, COM_INIT_DB, one SELECT from wp_options, COM_QUIT
#   page     the same, with the front page's statements instead of the one SELECT
# Per run: server CPU per connection = utime+stime of the server process (all threads,
# /proc/PID/stat) across the N connections / N. Runs alternate between the servers; the table
# shows the median over BENCH_RUNS runs. The machine's load average is printed before and after:
# on a shared machine the absolute figures move, the ratio is what to compare.
#
# Usage: bench/sql-connect.sh [--quick] [--only harv,mariadb] [--scenarios connect,page]
#                             [--conns N] [--runs N] [--keep DIR]
#   --quick     200 connections x 1 run
# Environment: BENCH_CONNS (N, default 2000), BENCH_RUNS (3), HARV_BIN (default build/harv),
# BENCH_HARV_ARGS (extra `harv sql` options), BENCH_NO_DEPS=1 (skip scripts/deps.sh sql php).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$ROOT/bench/lib.sh"
CMDLINE="$0${*:+ $*}"
CONNS=${BENCH_CONNS:-2000}
RUNS=${BENCH_RUNS:-3}
SERVERS=harv,mariadb
SCENARIOS=connect,page
KEEP=
SERVER_CPU=0
CLIENT_CPU=1

die() { echo "bench/sql-connect.sh: $*" >&2; exit 2; }

while [ $# -gt 0 ]; do
    case "$1" in
        --quick) CONNS=200; RUNS=1 ;;
        --only) SERVERS=${2:?}; shift ;;
        --scenarios) SCENARIOS=${2:?}; shift ;;
        --conns) CONNS=${2:?}; shift ;;
        --runs) RUNS=${2:?}; shift ;;
        --keep) KEEP=${2:?}; shift ;;
        -h|--help) usage; exit 0 ;;
        *) die "unknown argument '$1' (try --help)" ;;
    esac
    shift
done
IFS=, read -r -a SRV <<<"$SERVERS"
IFS=, read -r -a SCN <<<"$SCENARIOS"
for s in "${SRV[@]}"; do case "$s" in harv|mariadb) ;; *) die "unknown server '$s'" ;; esac; done
for s in "${SCN[@]}"; do case "$s" in connect|page) ;; *) die "unknown scenario '$s'" ;; esac; done
[ "$(nproc)" -ge 2 ] || die "needs at least 2 CPUs (server on CPU 0, client on CPU 1)"
[ "${BENCH_NO_DEPS:-0}" = 1 ] || "$ROOT/scripts/deps.sh" sql php
HARV_BIN=${HARV_BIN:-$ROOT/build/harv}
[ -x "$HARV_BIN" ] || die "no $HARV_BIN: build first (make build)"
WP=/usr/share/wordpress
[ -f $WP/wp-settings.php ] || die "Debian's wordpress package is not installed"
PHPCLI=(php -n -d extension=mysqlnd -d extension=mysqli -d memory_limit=256M)
"${PHPCLI[@]}" -r 'exit(function_exists("mysqli_init") ? 0 : 1);' 2>/dev/null ||
    PHPCLI=(php -d memory_limit=256M)
CLIENT=$ROOT/bench/sql-connect.php

WORK=$(mktemp -d /tmp/bench-sql-connect.XXXXXX)
declare -A PORT PID
PIDS=()
cleanup() {
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
    if [ -n "$KEEP" ]; then mkdir -p "$KEEP" && cp -r "$WORK"/. "$KEEP"/; fi
    rm -rf "$WORK"
}
trap cleanup EXIT
free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

start_harv() {
    local port; port=$(free_port)
    # shellcheck disable=SC2086
    taskset -c $SERVER_CPU "$HARV_BIN" sql --listen "127.0.0.1:$port" --socket "$WORK/harv.sock" \
        --state "$WORK/harv-state" --user wp:wp-secret --database wordpress ${BENCH_HARV_ARGS:-} \
        >"$WORK/harv.out" 2>"$WORK/harv.err" &
    PID[harv]=$!; PIDS+=("$!")
    for _ in $(seq 100); do grep -q ready "$WORK/harv.out" 2>/dev/null && break; sleep 0.1; done
    grep -q ready "$WORK/harv.out" || die "harv sql did not start: $(cat "$WORK/harv.err")"
    PORT[harv]=$port
}
start_mariadb() {
    local port m=$WORK/mdb; port=$(free_port)
    mkdir -p "$m"
    mariadb-install-db --no-defaults --datadir="$m/data" --user=root \
        --auth-root-authentication-method=normal --skip-test-db >"$m/install.log" 2>&1
    cat >"$m/init.sql" <<EOF
CREATE DATABASE IF NOT EXISTS wordpress;
CREATE USER IF NOT EXISTS 'wp'@'127.0.0.1' IDENTIFIED BY 'wp-secret';
GRANT ALL ON wordpress.* TO 'wp'@'127.0.0.1';
EOF
    taskset -c $SERVER_CPU mariadbd --no-defaults --datadir="$m/data" --user=root \
        --socket="$m/mdb.sock" --port="$port" --bind-address=127.0.0.1 --pid-file="$m/mdb.pid" \
        --init-file="$m/init.sql" --skip-name-resolve --skip-log-bin \
        --innodb-buffer-pool-size=64M --character-set-server=utf8mb4 \
        --collation-server=utf8mb4_general_ci --log-error="$m/error.log" >/dev/null 2>&1 &
    PID[mariadb]=$!; PIDS+=("$!")
    for _ in $(seq 300); do
        mariadb -h127.0.0.1 -P"$port" -uwp -pwp-secret --skip-ssl -e 'SELECT 1' wordpress \
            >/dev/null 2>&1 && break
        sleep 0.2
    done
    mariadb -h127.0.0.1 -P"$port" -uwp -pwp-secret --skip-ssl -e 'SELECT 1' wordpress \
        >/dev/null 2>&1 || die "mariadbd did not start: $(tail -5 "$m/error.log")"
    PORT[mariadb]=$port
}
make_site() { # server
    local d=$WORK/site-$1
    mkdir -p "$d"
    (cd $WP && tar --exclude=./wp-content/languages --exclude=./wp-config.php -cf - .) |
        tar -xf - -C "$d"
    cat >"$d/wp-config.php" <<EOF
<?php
define('DB_NAME', 'wordpress'); define('DB_USER', 'wp'); define('DB_PASSWORD', 'wp-secret');
define('DB_HOST', '127.0.0.1:${PORT[$1]}');
define('DB_CHARSET', 'utf8mb4'); define('DB_COLLATE', '');
define('AUTH_KEY', 'b1'); define('SECURE_AUTH_KEY', 'b2'); define('LOGGED_IN_KEY', 'b3');
define('NONCE_KEY', 'b4'); define('AUTH_SALT', 'b5'); define('SECURE_AUTH_SALT', 'b6');
define('LOGGED_IN_SALT', 'b7'); define('NONCE_SALT', 'b8');
\$table_prefix = 'wp_';
define('DISABLE_WP_CRON', true); define('AUTOMATIC_UPDATER_DISABLED', true);
if (!defined('ABSPATH')) define('ABSPATH', __DIR__ . '/');
require_once ABSPATH . 'wp-settings.php';
EOF
    php -d memory_limit=256M "$CLIENT" install "$d" >"$WORK/$1-install.log" 2>&1 ||
        die "$1: WordPress did not install: $(tail -5 "$WORK/$1-install.log")"
}

echo "# bench/sql-connect.sh — $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) CPUs, $(uname -r)"
echo "# command: $CMDLINE   (connections $CONNS, runs $RUNS)"
HARV_V="$("$HARV_BIN" --version 2>/dev/null || echo ?)"
HARV_V+=" $(git -C "$ROOT" describe --always --dirty 2>/dev/null || true) ${BENCH_HARV_ARGS:-}"
echo "# harv: $HARV_V   mariadb: $(mariadbd --version | awk '{print $3}')   php: $(php -r 'echo PHP_VERSION;')"
echo "# load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for s in "${SRV[@]}"; do "start_$s"; make_site "$s"; done
QFILE=$WORK/page.sql
# the first views after an install write (widgets, cron, transients): capture the third one
for s in "${SRV[@]}"; do
    for _ in 1 2 3; do
        php -d memory_limit=256M "$CLIENT" capture "$WORK/site-$s" "$QFILE" \
            >"$WORK/capture.log" 2>&1 ||
            die "front page capture failed on $s: $(tail -5 "$WORK/capture.log")"
    done
done
php -d memory_limit=256M "$CLIENT" capture "$WORK/site-${SRV[0]}" "$QFILE" \
    >"$WORK/capture.log" 2>&1 ||
    die "front page capture failed: $(tail -5 "$WORK/capture.log")"

declare -A R
for sc in "${SCN[@]}"; do
    qf=; [ "$sc" = page ] && qf=$QFILE
    for r in $(seq "$RUNS"); do
        for s in "${SRV[@]}"; do
            out=$(taskset -c $CLIENT_CPU "${PHPCLI[@]}" "$CLIENT" loop 127.0.0.1 "${PORT[$s]}" \
                  wp wp-secret wordpress "$CONNS" "${PID[$s]}" "$qf" 2>&1) ||
                { echo "$out" >&2; die "client failed on $s"; }
            us=$(echo "$out" | sed -n 's/.*(\([0-9.]*\) us per connection.*/\1/p')
            R[$s,$sc]+=" $us"
            printf '  %-8s %-8s run %d: %s\n' "$s" "$sc" "$r" "$out" >&2
        done
    done
done

echo "# load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# page = $(grep -c . "$QFILE") statements of WordPress's front page after the set-up (captured with SAVEQUERIES)"
printf '%-10s' scenario
for s in "${SRV[@]}"; do printf ' %16s' "$s us/conn"; done
[ ${#SRV[@]} -eq 2 ] && printf ' %10s' "cpu ratio"
echo
for sc in "${SCN[@]}"; do
    printf '%-10s' "$sc"
    v=()
    for s in "${SRV[@]}"; do
        # shellcheck disable=SC2086
        m=$(median ${R[$s,$sc]}); v+=("$m"); printf ' %16.1f' "$m"
    done
    [ ${#SRV[@]} -eq 2 ] && printf ' %10s' "$(ratio "${v[0]}" "${v[1]}")"
    echo
done
echo "# cpu ratio = ${SRV[0]}/${SRV[1]:-} server CPU per connection (lower is better for ${SRV[0]})"
