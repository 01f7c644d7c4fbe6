#!/usr/bin/env bash
# bench/http.sh — HarvTTP against nginx, h2o and lighttpd on the same static files.
#
# A benchmark, not a test: it prints numbers and never fails on them. Each server gets one
# worker, access logs off, keep-alive on (with per-connection request limits raised so they
# never close a connection mid-run), sendfile where the server has it, and is pinned to CPU 0;
# wrk runs on CPU 1 with one thread. Scenarios (all GET over 127.0.0.1):
#   ka13     keep-alive, 13-byte file
#   ka4k     keep-alive, 4 KiB file
#   ka1m     keep-alive, 1 MiB file
#   close13  Connection: close, 13-byte file (a new TCP connection per request)
#   pipe16   keep-alive, 16 requests pipelined per write (bench/pipeline16.lua), 13-byte file
# Each (scenario, server) pair is run BENCH_RUNS times for BENCH_DURATION seconds, rounds
# interleaved across servers so that background load hits everyone alike; the table shows
# medians of req/s, wrk's p99 latency, and server CPU per request: the utime+stime of the
# server's processes (the process and its descendants, from /proc/PID/stat) across the run,
# divided by the requests wrk completed.
#
# Usage: bench/http.sh [--quick] [--only harv,nginx,...] [--scenarios ka13,pipe16,...]
#                      [--duration S] [--runs N] [--conns N] [--keep DIR]
#   --quick            2 s x 1 run (a smoke run; same as BENCH_DURATION=2 BENCH_RUNS=1)
#   --only LIST        servers to run (default harv,nginx,h2o,lighttpd)
#   --scenarios LIST   scenarios to run (default ka13,ka4k,ka1m,close13,pipe16)
#   --keep DIR         keep configs, server logs and raw wrk output in DIR
# Environment: BENCH_DURATION (s, default 10), BENCH_RUNS (default 3), BENCH_CONNS (wrk -c,
# default 50), BENCH_WARMUP (s of unmeasured load before each pair's first run, default 1;
# 0 = none), BENCH_PORT (first port tried, default 18480), HARV_BIN (default build/harv;
# `make build` is run only when that is missing), BENCH_NO_DEPS=1 (skip scripts/deps.sh bench).
# Needs root (or sudo) only for installing the peers. Must run on a machine with >= 2 CPUs.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$ROOT/bench/lib.sh"
CMDLINE="$0${*:+ $*}"
DURATION=${BENCH_DURATION:-10}
RUNS=${BENCH_RUNS:-3}
CONNS=${BENCH_CONNS:-50}
WARMUP=${BENCH_WARMUP:-1}
PORT0=${BENCH_PORT:-18480}
SERVERS=harv,nginx,h2o,lighttpd
SCENARIOS=ka13,ka4k,ka1m,close13,pipe16
KEEP=
SERVER_CPU=0
CLIENT_CPU=1

die() { echo "bench/http.sh: $*" >&2; exit 2; }

while [ $# -gt 0 ]; do
    case "$1" in
        --quick) DURATION=${BENCH_DURATION:-2}; RUNS=${BENCH_RUNS:-1} ;;
        --only) SERVERS=${2:?--only needs a list}; shift ;;
        --only=*) SERVERS=${1#*=} ;;
        --scenarios) SCENARIOS=${2:?--scenarios needs a list}; shift ;;
        --scenarios=*) SCENARIOS=${1#*=} ;;
        --duration) DURATION=${2:?}; shift ;;
        --runs) RUNS=${2:?}; shift ;;
        --conns) CONNS=${2:?}; shift ;;
        --keep) KEEP=${2:?}; shift ;;
        -h|--help) usage; exit 0 ;;
        *) die "unknown argument '$1' (try --help)" ;;
    esac
    shift
done
[[ $DURATION =~ ^[0-9]+$ && $DURATION -gt 0 ]] || die "duration must be a whole number of seconds"
[[ $RUNS =~ ^[0-9]+$ && $RUNS -gt 0 ]] || die "runs must be a positive integer"
[[ $CONNS =~ ^[0-9]+$ && $CONNS -gt 0 ]] || die "conns must be a positive integer"
[[ $WARMUP =~ ^[0-9]+$ ]] || die "BENCH_WARMUP must be a whole number of seconds"
IFS=, read -r -a SRV <<<"$SERVERS"
IFS=, read -r -a SCN <<<"$SCENARIOS"
for s in "${SRV[@]}"; do
    case "$s" in harv|nginx|h2o|lighttpd) ;; *) die "unknown server '$s'" ;; esac
done
for s in "${SCN[@]}"; do
    case "$s" in ka13|ka4k|ka1m|close13|pipe16) ;; *) die "unknown scenario '$s'" ;; esac
done
[ "$(nproc)" -ge 2 ] || die "needs at least 2 CPUs (server on CPU $SERVER_CPU, wrk on CPU $CLIENT_CPU)"

# ---- prerequisites: peers and wrk from Debian, the harv binary ----------------------------
if [ "${BENCH_NO_DEPS:-0}" != 1 ]; then "$ROOT/scripts/deps.sh" bench; fi
HARV_BIN=${HARV_BIN:-$ROOT/build/harv}
if [[ " ${SRV[*]} " == *" harv "* && ! -x $HARV_BIN ]]; then
    [ "$HARV_BIN" = "$ROOT/build/harv" ] || die "HARV_BIN=$HARV_BIN is not an executable"
    make -C "$ROOT" build
fi
for tool in wrk taskset curl; do command -v $tool >/dev/null || die "$tool not found"; done
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
LIGHTTPD=$(command -v lighttpd || echo /usr/sbin/lighttpd)
H2O=$(command -v h2o || echo /usr/bin/h2o)
TCK=$(getconf CLK_TCK)

# ---- temp dir, cleanup on every exit ------------------------------------------------------
TMP=$(mktemp -d /tmp/harv-bench.XXXXXX)
chmod 755 "$TMP" # peers drop privileges to nobody/www-data when started as root
declare -A PID=() PORT=()
cleanup() {
    local rc=$? p
    trap - EXIT INT TERM HUP
    for p in "${PID[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
    for p in "${PID[@]}"; do # wait up to 3 s each, then SIGKILL the process and its descendants
        for _ in $(seq 30); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
        if kill -0 "$p" 2>/dev/null; then
            for d in $(tree_pids "$p"); do kill -KILL "$d" 2>/dev/null || true; done
        fi
        wait "$p" 2>/dev/null || true
    done
    if [ -n "$KEEP" ]; then mkdir -p "$KEEP" && cp -r "$TMP"/. "$KEEP"/ && echo "kept: $KEEP" >&2; fi
    rm -rf "$TMP"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP


next_port=$PORT0

# ---- the files ----------------------------------------------------------------------------
DOC=$TMP/www
mkdir -p "$DOC"
printf 'Hello, world\n' >"$DOC/hello.txt"                          # 13 bytes
head -c 4096 /dev/urandom >"$DOC/4k.bin"
head -c 1048576 /dev/urandom >"$DOC/1m.bin"
chmod 755 "$DOC"; chmod 644 "$DOC"/*
[ "$(wc -c <"$DOC/hello.txt")" -eq 13 ] || die "hello.txt is not 13 bytes"

# ---- configs and start ---------------------------------------------------------------------
start_harv() {
    local port=$1
    cp "$HARV_BIN" "$TMP/harv" # a private copy: others may rebuild build/harv during the run
    taskset -c $SERVER_CPU "$TMP/harv" serve "$DOC" --listen "127.0.0.1:$port" \
        --access-log off --request-count 1073741824 \
        >"$TMP/harv.out" 2>"$TMP/harv.err" &
    PID[harv]=$!
}
start_nginx() {
    local port=$1 d=$TMP/nginx
    mkdir -p "$d/body"
    cat >"$d/nginx.conf" <<EOF
# One worker (plus the idle master), nginx defaults otherwise, access log off, sendfile on.
daemon off;
worker_processes 1;
pid $d/nginx.pid;
error_log $d/error.log warn;
events { worker_connections 4096; }
http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log off;
    sendfile on;
    # tcp_nopush stays at nginx's default (off): Debian's stock nginx.conf turns it on, and then
    # nginx holds pipelined responses corked (pipe16 fell to ~1/3 of h2o's rate with 40+ ms p99).
    keepalive_timeout 65;
    keepalive_requests 1000000000;
    client_body_temp_path $d/body;
    server {
        listen 127.0.0.1:$port;
        root $DOC;
    }
}
EOF
    taskset -c $SERVER_CPU "$NGINX" -p "$d/" -c "$d/nginx.conf" -e "$d/error.log" \
        >"$d/stdout" 2>&1 &
    PID[nginx]=$!
}
start_h2o() {
    local port=$1 d=$TMP/h2o
    mkdir -p "$d"
    cat >"$d/h2o.conf" <<EOF
# One thread, no access-log directive (= no access log), defaults otherwise; it runs in the
# foreground, so no pid file (h2o would write that after dropping root to nobody).
listen:
  host: 127.0.0.1
  port: $port
num-threads: 1
error-log: $d/error.log
hosts:
  default:
    paths:
      /:
        file.dir: $DOC
EOF
    taskset -c $SERVER_CPU "$H2O" -c "$d/h2o.conf" >"$d/stdout" 2>&1 &
    PID[h2o]=$!
}
start_lighttpd() {
    local port=$1 d=$TMP/lighttpd
    mkdir -p "$d"
    cat >"$d/lighttpd.conf" <<EOF
# Single process (-D, foreground), no mod_accesslog, defaults otherwise (sendfile backend).
server.document-root = "$DOC"
server.bind = "127.0.0.1"
server.port = $port
server.errorlog = "$d/error.log"
server.max-keep-alive-requests = 65535
server.max-keep-alive-idle = 65
server.max-connections = 4096
index-file.names = ( "index.html" )
mimetype.assign = ( ".txt" => "text/plain; charset=utf-8", ".bin" => "application/octet-stream",
                    ".html" => "text/html" )
EOF
    taskset -c $SERVER_CPU "$LIGHTTPD" -D -f "$d/lighttpd.conf" >"$d/stdout" 2>&1 &
    PID[lighttpd]=$!
}

CURL=(curl --noproxy '*' -sS --max-time 10)
wait_ready() { # server port
    for _ in $(seq 100); do
        kill -0 "${PID[$1]}" 2>/dev/null || { echo "$1 exited on startup:" >&2; tail -n 20 "$TMP"/"$1"* "$TMP/$1"/* 2>/dev/null >&2; return 1; }
        if "${CURL[@]}" -o /dev/null "http://127.0.0.1:$2/hello.txt" 2>/dev/null; then return 0; fi
        sleep 0.1
    done
    echo "$1 did not answer on port $2 within 10 s" >&2; return 1
}
# The bytes of every file, keep-alive reuse, and 16 pipelined requests answered in order.
verify() { # server port
    local s=$1 port=$2 f n
    for f in hello.txt 4k.bin 1m.bin; do
        "${CURL[@]}" -o "$TMP/got" "http://127.0.0.1:$port/$f" || die "$s: GET /$f failed"
        cmp -s "$TMP/got" "$DOC/$f" || die "$s: /$f differs from the file on disk"
    done
    n=$("${CURL[@]}" -v -o /dev/null -o /dev/null "http://127.0.0.1:$port/hello.txt" \
        "http://127.0.0.1:$port/hello.txt" 2>&1 | grep -ci 're-using existing connection' || true)
    [ "$n" -ge 1 ] || die "$s: the connection was not kept alive"
    n=$( { exec 3<>"/dev/tcp/127.0.0.1/$port"
           for _ in $(seq 15); do printf 'GET /hello.txt HTTP/1.1\r\nHost: b\r\n\r\n' >&3; done
           printf 'GET /hello.txt HTTP/1.1\r\nHost: b\r\nConnection: close\r\n\r\n' >&3
           timeout 10 cat <&3; exec 3<&-; } | grep -ac '^Hello, world' || true)
    [ "$n" -eq 16 ] || die "$s: 16 pipelined requests got $n bodies back"
}

# ---- measuring ----------------------------------------------------------------------------
declare -A URLPATH=([ka13]=/hello.txt [ka4k]=/4k.bin [ka1m]=/1m.bin [close13]=/hello.txt [pipe16]=/hello.txt)
declare -A TITLE=([ka13]="keep-alive 13 B" [ka4k]="keep-alive 4 KiB" [ka1m]="keep-alive 1 MiB"
                  [close13]="Connection: close 13 B" [pipe16]="pipelined x16 13 B")
wrk_args() { # scenario -> extra wrk args
    case "$1" in
        close13) echo "-H|Connection: close" ;;
        pipe16) echo "-s|$ROOT/bench/pipeline16.lua" ;;
        *) echo "" ;;
    esac
}
# One wrk run; prints "reqs req_per_s p99_ms cpu_us_per_req errors server_cpu_percent".
run_one() { # server scenario seconds outfile
    local s=$1 sc=$2 secs=$3 log=$4 pids t0 t1 reqs rps p99 errs extra=()
    local url="http://127.0.0.1:${PORT[$s]}${URLPATH[$sc]}"
    IFS='|' read -r -a extra <<<"$(wrk_args "$sc")"
    pids=$(tree_pids "${PID[$s]}")
    # shellcheck disable=SC2086
    t0=$(cpu_ticks $pids)
    taskset -c $CLIENT_CPU wrk -t1 -c"$CONNS" -d"${secs}s" --latency "${extra[@]}" "$url" >"$log" 2>&1 || true
    # shellcheck disable=SC2086
    t1=$(cpu_ticks $pids)
    reqs=$(awk '/requests in/ {print $1; exit}' "$log")
    rps=$(awk '/^Requests\/sec:/ {print $2; exit}' "$log")
    p99=$(awk '$1=="99%" {print $2; exit}' "$log")
    if [ -z "$reqs" ] || [ -z "$rps" ] || [ -z "$p99" ]; then
        echo "wrk failed for $s/$sc:" >&2; cat "$log" >&2; return 1
    fi
    errs=$(awk '/Non-2xx/ {n+=$NF} /Socket errors/ {gsub(/,/,""); n+=$4+$6+$8+$10} END{print n+0}' "$log")
    awk -v r="$reqs" -v rps="$rps" -v p="$(to_ms "$p99")" -v d="$((t1 - t0))" -v tck="$TCK" -v e="$errs" \
        -v secs="$secs" 'BEGIN{ printf "%d %.0f %s %.2f %d %.0f\n", r, rps, p, (r>0 ? d*1e6/tck/r : 0), e, d*100/tck/secs }'
}

echo "bench/http.sh: $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), Linux $(uname -r)"
echo "  command: $CMDLINE (BENCH_DURATION=$DURATION BENCH_RUNS=$RUNS BENCH_CONNS=$CONNS); load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "  server on CPU $SERVER_CPU, wrk -t1 -c$CONNS on CPU $CLIENT_CPU, $RUNS x ${DURATION}s per pair (+${WARMUP}s warm-up), medians"
for s in "${SRV[@]}"; do
    pick_port "$s"
    "start_$s" "${PORT[$s]}"
done
for s in "${SRV[@]}"; do
    wait_ready "$s" "${PORT[$s]}" || exit 1
    verify "$s" "${PORT[$s]}"
    case $s in
        harv) v="harv $(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo '?') ($HARV_BIN)" ;;
        nginx) v=$("$NGINX" -v 2>&1 | sed 's/.*: //') ;;
        h2o) v=$("$H2O" --version | head -1) ;;
        lighttpd) v=$("$LIGHTTPD" -v | sed 's/ (.*//') ;;
    esac
    echo "  $s: $v on :${PORT[$s]}, pids $(tree_pids "${PID[$s]}"), verified"
done
echo

declare -A RPS=() P99=() CPU=() ERR=() BUSY=()
RAW=$TMP/wrk; mkdir -p "$RAW"
for sc in "${SCN[@]}"; do
    if [ "$WARMUP" -gt 0 ]; then
        for s in "${SRV[@]}"; do run_one "$s" "$sc" "$WARMUP" "$RAW/$s-$sc-warmup.txt" >/dev/null; done
    fi
    declare -A r_rps=() r_p99=() r_cpu=() r_err=() r_busy=()
    for run in $(seq "$RUNS"); do
        for s in "${SRV[@]}"; do
            line=$(run_one "$s" "$sc" "$DURATION" "$RAW/$s-$sc-$run.txt") || exit 1
            read -r reqs rps p99 cpu errs busy <<<"$line"
            printf '  %-8s %-9s run %d/%d: %9s req/s  p99 %8s ms  %6s us/req  CPU0 %3s%%  (%s requests%s)\n' \
                "$sc" "$s" "$run" "$RUNS" "$rps" "$p99" "$cpu" "$busy" "$reqs" \
                "$([ "$errs" -gt 0 ] && echo ", $errs errors")" >&2
            r_rps[$s]+=" $rps"; r_p99[$s]+=" $p99"; r_cpu[$s]+=" $cpu"; r_busy[$s]+=" $busy"; r_err[$s]=$(( ${r_err[$s]:-0} + errs ))
        done
    done
    for s in "${SRV[@]}"; do
        # shellcheck disable=SC2086
        RPS[$sc,$s]=$(median ${r_rps[$s]})
        # shellcheck disable=SC2086
        P99[$sc,$s]=$(median ${r_p99[$s]})
        # shellcheck disable=SC2086
        CPU[$sc,$s]=$(median ${r_cpu[$s]}); ERR[$sc,$s]=${r_err[$s]}
        # shellcheck disable=SC2086
        BUSY[$sc,$s]=$(median ${r_busy[$s]})
    done
    unset r_rps r_p99 r_cpu r_err r_busy
done

# ---- report -------------------------------------------------------------------------------
echo
echo "finished $(date -u '+%Y-%m-%d %H:%M UTC'); load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "HTTP static files: medians of $RUNS x ${DURATION}s, wrk -t1 -c$CONNS (pipelined: x16 per connection)"
echo "(server CPU%: the server's CPU time over the run's wall time; well under 100 means the server was"
echo " not the bottleneck: wrk, or other load on the machine, was)"
printf '%-24s %-9s %12s %10s %12s %11s %7s\n' scenario server req/s "p99 ms" "CPU us/req" "server CPU%" errors
for sc in "${SCN[@]}"; do
    for s in "${SRV[@]}"; do
        printf '%-24s %-9s %12s %10s %12s %11s %7s\n' "${TITLE[$sc]}" "$s" "${RPS[$sc,$s]}" \
            "${P99[$sc,$s]}" "${CPU[$sc,$s]}" "${BUSY[$sc,$s]}" "${ERR[$sc,$s]}"
    done
done

PEERS=()
for s in "${SRV[@]}"; do [ "$s" = harv ] || PEERS+=("$s"); done
if [[ " ${SRV[*]} " == *" harv "* && ${#PEERS[@]} -gt 0 ]]; then
    echo
    echo "harv vs each peer: req/s ratio (>1 = harv faster) / CPU-per-request ratio (<1 = harv cheaper)"
    printf '%-24s' scenario; for p in "${PEERS[@]}"; do printf ' %20s' "vs $p"; done; echo
    for sc in "${SCN[@]}"; do
        printf '%-24s' "${TITLE[$sc]}"
        for p in "${PEERS[@]}"; do
            printf ' %20s' "x$(ratio "${RPS[$sc,harv]}" "${RPS[$sc,$p]}") / x$(ratio "${CPU[$sc,harv]}" "${CPU[$sc,$p]}")"
        done
        echo
    done
    echo
    echo "Targets (against the peers run here):"
    best_peer() { # scenario -> "rps server" of the fastest peer
        local sc=$1 b=0 bs='' p
        for p in "${PEERS[@]}"; do
            if awk -v a="${RPS[$sc,$p]}" -v b="$b" 'BEGIN{exit !(a>b)}'; then b=${RPS[$sc,$p]}; bs=$p; fi
        done
        echo "$b $bs"
    }
    verdict() { if awk "BEGIN{exit !($1)}"; then echo MET; else echo MISSED; fi; }
    if [[ " ${SCN[*]} " == *" ka13 "* ]]; then
        echo "  keep-alive CPU/request < 6 us: harv ${CPU[ka13,harv]} us -> $(verdict "${CPU[ka13,harv]} < 6")"
    fi
    for sc in "${SCN[@]}"; do
        read -r b bs < <(best_peer "$sc")
        if [ "$sc" = pipe16 ]; then
            echo "  ${TITLE[$sc]}: >= 5x best peer ($bs $b req/s): harv ${RPS[$sc,harv]} = x$(ratio "${RPS[$sc,harv]}" "$b") -> $(verdict "${RPS[$sc,harv]} >= 5*$b")"
        else
            echo "  ${TITLE[$sc]}: >= best peer ($bs $b req/s): harv ${RPS[$sc,harv]} = x$(ratio "${RPS[$sc,harv]}" "$b") -> $(verdict "${RPS[$sc,harv]} >= $b")"
        fi
    done
fi

echo
echo "Markdown:"
echo
echo "| scenario | server | req/s | p99 (ms) | server CPU µs/req | server CPU % | harv req/s ratio | harv CPU ratio |"
echo "|---|---|--:|--:|--:|--:|--:|--:|"
for sc in "${SCN[@]}"; do
    for s in "${SRV[@]}"; do
        if [ "$s" != harv ] && [[ " ${SRV[*]} " == *" harv "* ]]; then
            rr="×$(ratio "${RPS[$sc,harv]}" "${RPS[$sc,$s]}")"; cr="×$(ratio "${CPU[$sc,harv]}" "${CPU[$sc,$s]}")"
        else rr=; cr=; fi
        [ "$s" = harv ] && name="**harv**" || name=$s
        echo "| ${TITLE[$sc]} | $name | ${RPS[$sc,$s]} | ${P99[$sc,$s]} | ${CPU[$sc,$s]} | ${BUSY[$sc,$s]} | $rr | $cr |"
    done
done
