#!/usr/bin/env bash
# bench/sql.sh — HarvSQL against MariaDB with sysbench 1.0.20, in one invocation.
#
# A benchmark, not a test: it prints numbers and never fails on them. Both servers run on
# private state (temp dirs, ephemeral ports, TCP on 127.0.0.1), pinned to CPU 0 with taskset;
# sysbench runs on CPU 1. Workloads (--tables=1 --table-size=10000 --threads=4):
#   point_ps   oltp_point_select, prepared statements (sysbench's default --db-ps-mode=auto)
#   point_txt  oltp_point_select --db-ps-mode=disable (COM_QUERY text)
#   ro_ps      oltp_read_only, prepared (BEGIN/COMMIT prepared too)
#   ro_txt     oltp_read_only --db-ps-mode=disable
# Runs alternate between the servers (harv, mariadb, harv, mariadb...) so background load
# hits both alike. Per run: qps from sysbench, and server CPU per query = the utime+stime the
# server process (all its threads, /proc/PID/stat) used during the run / queries sysbench made.
# The table shows the median over BENCH_RUNS runs.
#
# Usage: bench/sql.sh [--quick] [--only harv,mariadb] [--workloads point_ps,ro_txt,...]
#                     [--duration S] [--runs N] [--keep DIR]
#   --quick       2 s x 1 run (smoke run)
# Environment: BENCH_DURATION (s, default 10), BENCH_RUNS (default 1), HARV_BIN (default
# build/harv), BENCH_HARV_ARGS (extra `harv sql` options, e.g. "--loops 1"), BENCH_NO_DEPS=1
# (skip installing scripts/deps/sql.txt). Needs >= 2 CPUs.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CMDLINE="$0${*:+ $*}"
DURATION=${BENCH_DURATION:-10}
RUNS=${BENCH_RUNS:-1}
SERVERS=harv,mariadb
WORKLOADS=point_ps,point_txt,ro_ps,ro_txt
KEEP=
SERVER_CPU=0
CLIENT_CPU=1
THREADS=4
TABLE_SIZE=10000

usage() { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//'; }
die() { echo "bench/sql.sh: $*" >&2; exit 2; }

while [ $# -gt 0 ]; do
    case "$1" in
        --quick) DURATION=2; RUNS=1 ;;
        --only) SERVERS=${2:?}; shift ;;
        --only=*) SERVERS=${1#*=} ;;
        --workloads) WORKLOADS=${2:?}; shift ;;
        --workloads=*) WORKLOADS=${1#*=} ;;
        --duration) DURATION=${2:?}; shift ;;
        --runs) RUNS=${2:?}; shift ;;
        --keep) KEEP=${2:?}; shift ;;
        -h|--help) usage; exit 0 ;;
        *) die "unknown argument '$1' (try --help)" ;;
    esac
    shift
done

[ "$(nproc)" -ge 2 ] || die "needs at least 2 CPUs (server on CPU 0, sysbench on CPU 1)"
[ -n "${BENCH_NO_DEPS:-}" ] || "$ROOT/scripts/deps.sh" sql
HARV_BIN=${HARV_BIN:-$ROOT/build/harv}
[ -x "$HARV_BIN" ] || die "no $HARV_BIN: build first (make build)"
command -v sysbench >/dev/null || die "sysbench is not installed"

WORK=$(mktemp -d /tmp/bench-sql.XXXXXX)
PIDS=()
cleanup() {
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
    if [ -n "$KEEP" ]; then mkdir -p "$KEEP" && cp -r "$WORK"/. "$KEEP"/; fi
    rm -rf "$WORK"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
TCK=$(getconf CLK_TCK)
cpu_ticks() { awk '{ sub(/.*\) /, ""); split($0, f, " "); print f[12] + f[13] }' "/proc/$1/stat"; }

declare -A PORT PID
start_harv() {
    local port; port=$(free_port)
    taskset -c $SERVER_CPU "$HARV_BIN" sql --listen "127.0.0.1:$port" --socket "$WORK/harv.sock" \
        --state "$WORK/harv-state" --user root:pw --database sbtest ${BENCH_HARV_ARGS:-} \
        > "$WORK/harv.out" 2> "$WORK/harv.err" &
    PID[harv]=$!
    PIDS+=("$!")
    for _ in $(seq 100); do grep -q ready "$WORK/harv.out" 2>/dev/null && break; sleep 0.1; done
    grep -q ready "$WORK/harv.out" || die "harv sql did not start: $(cat "$WORK/harv.err")"
    PORT[harv]=$port
}
start_mariadb() {
    local port; port=$(free_port)
    mariadb-install-db --no-defaults --datadir="$WORK/mdb" --user=root \
        --auth-root-authentication-method=normal --skip-test-db > "$WORK/mdb-install.log" 2>&1
    cat > "$WORK/mdb-init.sql" <<EOF
ALTER USER 'root'@'localhost' IDENTIFIED BY 'pw';
CREATE USER IF NOT EXISTS 'root'@'127.0.0.1' IDENTIFIED BY 'pw';
ALTER USER 'root'@'127.0.0.1' IDENTIFIED BY 'pw';
GRANT ALL ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION;
CREATE DATABASE IF NOT EXISTS sbtest;
EOF
    taskset -c $SERVER_CPU mariadbd --no-defaults --datadir="$WORK/mdb" --user=root \
        --socket="$WORK/mdb.sock" --port="$port" --bind-address=127.0.0.1 \
        --init-file="$WORK/mdb-init.sql" --skip-name-resolve --skip-log-bin --innodb-buffer-pool-size=256M \
        --max-connections=200 --log-error="$WORK/mdb-error.log" \
        --pid-file="$WORK/mdb.pid" > /dev/null 2>&1 &
    PID[mariadb]=$!
    PIDS+=("$!")
    for _ in $(seq 300); do
        mariadb -h127.0.0.1 -P"$port" -uroot -ppw --skip-ssl -e 'SELECT 1' >/dev/null 2>&1 && break
        sleep 0.2
    done
    mariadb -h127.0.0.1 -P"$port" -uroot -ppw --skip-ssl -e 'SELECT 1' >/dev/null 2>&1 ||
        die "mariadbd did not start: $(tail -5 "$WORK/mdb-error.log")"
    PORT[mariadb]=$port
}

sb() { # server test command [extra...]
    local srv=$1 test=$2 cmd=$3; shift 3
    taskset -c $CLIENT_CPU sysbench "$test" --db-driver=mysql --mysql-host=127.0.0.1 \
        --mysql-port="${PORT[$srv]}" --mysql-user=root --mysql-password=pw --mysql-db=sbtest \
        --tables=1 --table-size=$TABLE_SIZE --threads=$THREADS --time="$DURATION" \
        --report-interval=0 "$@" "$cmd"
}

IFS=, read -r -a SRV_LIST <<< "$SERVERS"
IFS=, read -r -a WL_LIST <<< "$WORKLOADS"
for s in "${SRV_LIST[@]}"; do
    case $s in harv) start_harv ;; mariadb) start_mariadb ;; *) die "unknown server $s" ;; esac
    sb "$s" oltp_point_select prepare --threads=1 > "$WORK/$s-prepare.log" 2>&1 ||
        die "sysbench prepare failed on $s: $(tail -5 "$WORK/$s-prepare.log")"
done

declare -A QPS CPU
for wl in "${WL_LIST[@]}"; do
    case $wl in
        point_ps) args=(oltp_point_select run --db-ps-mode=auto) ;;
        point_txt) args=(oltp_point_select run --db-ps-mode=disable) ;;
        ro_ps) args=(oltp_read_only run --db-ps-mode=auto) ;;
        ro_txt) args=(oltp_read_only run --db-ps-mode=disable) ;;
        *) die "unknown workload $wl" ;;
    esac
    for r in $(seq "$RUNS"); do
        for s in "${SRV_LIST[@]}"; do
            t0=$(cpu_ticks "${PID[$s]}")
            out=$(sb "$s" "${args[@]}" 2>&1) || { echo "$out" | tail -5 >&2; die "sysbench failed on $s"; }
            t1=$(cpu_ticks "${PID[$s]}")
            echo "$out" > "$WORK/$s-$wl-$r.log"
            q=$(echo "$out" | awk '/queries:/ { print $2; exit }')
            qps=$(echo "$out" | awk '/queries:/ { gsub(/[(]/, "", $3); print $3; exit }')
            us=$(awk -v t=$((t1 - t0)) -v q="$q" -v k="$TCK" 'BEGIN { printf "%.2f", q ? t * 1e6 / k / q : 0 }')
            QPS[$s,$wl]="${QPS[$s,$wl]:-} $qps"
            CPU[$s,$wl]="${CPU[$s,$wl]:-} $us"
            printf '  %-8s %-10s run %d: %10.0f qps  %7s us/query\n' "$s" "$wl" "$r" "$qps" "$us" >&2
        done
    done
done

median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

echo
echo "# bench/sql.sh — $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) CPUs, $(uname -r)"
echo "# command: $CMDLINE   (duration ${DURATION}s, runs $RUNS, threads $THREADS, table-size $TABLE_SIZE)"
echo "# harv: $("$HARV_BIN" --version 2>/dev/null || echo ?) ${BENCH_HARV_ARGS:-}   mariadb: $(mariadbd --version 2>/dev/null | awk '{print $3}')   sysbench: $(sysbench --version)"
printf '%-10s' workload
for s in "${SRV_LIST[@]}"; do printf ' %12s %12s' "$s qps" "$s us/q"; done
[ ${#SRV_LIST[@]} -eq 2 ] && printf ' %10s %10s' "qps ratio" "cpu ratio"
echo
for wl in "${WL_LIST[@]}"; do
    printf '%-10s' "$wl"
    vals=()
    for s in "${SRV_LIST[@]}"; do
        q=$(echo "${QPS[$s,$wl]}" | median); c=$(echo "${CPU[$s,$wl]}" | median)
        printf ' %12.0f %12.2f' "$q" "$c"
        vals+=("$q" "$c")
    done
    if [ ${#SRV_LIST[@]} -eq 2 ]; then
        awk -v a="${vals[0]}" -v b="${vals[2]}" -v c="${vals[1]}" -v d="${vals[3]}" \
            'BEGIN { printf " %10.2f %10.2f", b ? a / b : 0, d ? c / d : 0 }'
    fi
    echo
done
echo "# qps ratio = ${SRV_LIST[0]}/${SRV_LIST[1]:-} (higher is better for ${SRV_LIST[0]}); cpu ratio = ${SRV_LIST[0]} CPU per query / ${SRV_LIST[1]:-} (lower is better)"
