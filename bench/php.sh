#!/usr/bin/env bash
# bench/php.sh — PHP on Harv (`harv php-serve`: HarvTTP + the PHP pool, `harv sql` for the
# database) against nginx + php-fpm (+ MariaDB), on a hello-world script and on WordPress's
# front page.
#
# A benchmark, not a test: it prints numbers and never fails on them. Both stacks get the same
# PHP (Debian's php 8.2: libphp8.2-embed for Harv, php8.2-fpm for nginx; the same production
# php.ini, OPcache on), the same number of PHP worker processes (K, default 2, never recycled
# during the run), persistent FastCGI connections, access logs off, and every server-side
# process (HTTP server, PHP workers, database) pinned to CPU 0; wrk runs on CPU 1 with one
# thread. Scenarios (GET over 127.0.0.1, keep-alive):
#   hello    /hello.php: <?php echo "Hello, world\n";
#   wp       / : the front page of a fresh WordPress (Debian's wordpress package) with one post,
#            on HarvSQL for harv and on a private MariaDB for nginx
# Each (scenario, stack) pair is run BENCH_RUNS times for BENCH_DURATION seconds, interleaved;
# the table shows medians of req/s, wrk's p99 latency and server CPU per request (utime+stime
# of all server-side processes and their descendants, from /proc/PID/stat, across the run,
# divided by the requests wrk completed), and that CPU split into the HTTP server, the PHP
# workers and the database. nginx talks to php-fpm the way Debian's snippets/fastcgi-php.conf
# does: a new FastCGI connection per request (with fastcgi_keep_conn and as many PHP children
# as connections, requests beyond the children wait for a held connection: seconds of p99).
#
# Usage: bench/php.sh [--quick] [--only harv,nginx] [--scenarios hello,wp] [--duration S]
#                     [--runs N] [--conns N] [--workers K] [--keep DIR]
# Environment: BENCH_DURATION (s, default 10), BENCH_RUNS (3), BENCH_CONNS (wrk -c, 16),
# BENCH_WORKERS (2), BENCH_WARMUP (s, 2), BENCH_PORT (first port tried, 18580), HARV_BIN
# (default build/harv), BENCH_NO_DEPS=1 (skip scripts/deps.sh php sql), BENCH_HARV_ARGS (extra
# `harv php-serve` arguments, e.g. "--ini open_basedir=" to measure without open_basedir).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$ROOT/bench/lib.sh"
CMDLINE="$0${*:+ $*}"
DURATION=${BENCH_DURATION:-10}
RUNS=${BENCH_RUNS:-3}
CONNS=${BENCH_CONNS:-16}
WORKERS=${BENCH_WORKERS:-2}
WARMUP=${BENCH_WARMUP:-2}
PORT0=${BENCH_PORT:-18580}
STACKS=harv,nginx
SCENARIOS=hello,wp
KEEP=
SERVER_CPU=0
CLIENT_CPU=1

die() { echo "bench/php.sh: $*" >&2; exit 2; }

while [ $# -gt 0 ]; do
    case "$1" in
        --quick) DURATION=${BENCH_DURATION:-3}; RUNS=${BENCH_RUNS:-1} ;;
        --only) STACKS=${2:?}; shift ;;
        --scenarios) SCENARIOS=${2:?}; shift ;;
        --duration) DURATION=${2:?}; shift ;;
        --runs) RUNS=${2:?}; shift ;;
        --conns) CONNS=${2:?}; shift ;;
        --workers) WORKERS=${2:?}; shift ;;
        --keep) KEEP=${2:?}; shift ;;
        -h|--help) usage; exit 0 ;;
        *) die "unknown argument '$1' (try --help)" ;;
    esac
    shift
done
IFS=, read -r -a STK <<<"$STACKS"
IFS=, read -r -a SCN <<<"$SCENARIOS"
for s in "${STK[@]}"; do case "$s" in harv|nginx) ;; *) die "unknown stack '$s'" ;; esac; done
for s in "${SCN[@]}"; do case "$s" in hello|wp) ;; *) die "unknown scenario '$s'" ;; esac; done
[ "$(nproc)" -ge 2 ] || die "needs at least 2 CPUs"

if [ "${BENCH_NO_DEPS:-0}" != 1 ]; then "$ROOT/scripts/deps.sh" php sql; fi
HARV_BIN=${HARV_BIN:-$ROOT/build/harv}
[ -x "$HARV_BIN" ] || die "HARV_BIN=$HARV_BIN is not an executable (make build)"
for tool in wrk taskset curl mariadb-install-db mariadbd mariadb; do
    command -v $tool >/dev/null || die "$tool not found"
done
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
FPM=$(command -v php-fpm8.2 || echo /usr/sbin/php-fpm8.2)
WP=/usr/share/wordpress
[ -f $WP/wp-settings.php ] || die "Debian's wordpress package is not installed"
TCK=$(getconf CLK_TCK)

TMP=$(mktemp -d /tmp/harv-phpbench.XXXXXX)
chmod 755 "$TMP"
declare -A PID=() PORT=()
cleanup() {
    local rc=$? p
    trap - EXIT INT TERM HUP
    for p in "${PID[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
    for p in "${PID[@]}"; do
        for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
        if kill -0 "$p" 2>/dev/null; then
            for d in $(tree_pids "$p"); do kill -KILL "$d" 2>/dev/null || true; done
        fi
        wait "$p" 2>/dev/null || true
    done
    if [ -n "$KEEP" ]; then mkdir -p "$KEEP" && cp -r "$TMP"/. "$KEEP"/ 2>/dev/null; echo "kept: $KEEP" >&2; fi
    rm -rf "$TMP"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

next_port=$PORT0
CURL=(curl --noproxy '*' -sS --max-time 120)
wait_port() { # name port [pid]
    for _ in $(seq 300); do
        if [ -n "${3:-}" ] && ! kill -0 "$3" 2>/dev/null; then echo "$1 exited on startup" >&2; return 1; fi
        port_busy "$2" && return 0
        sleep 0.1
    done
    echo "$1 did not listen on $2 within 30 s" >&2; return 1
}

# ---- the sites: a WordPress copy per stack, hello.php inside --------------------------------
make_site() { # dir db_host
    local d=$1
    mkdir -p "$d"
    (cd $WP && tar --exclude=./wp-content/languages --exclude=./wp-config.php -cf - .) | tar -xf - -C "$d"
    printf '<?php echo "Hello, world\\n";\n' >"$d/hello.php"
    cat >"$d/wp-config.php" <<EOF
<?php
define('DB_NAME', 'wordpress'); define('DB_USER', 'wp'); define('DB_PASSWORD', 'wp-secret');
define('DB_HOST', '$2'); define('DB_CHARSET', 'utf8mb4'); define('DB_COLLATE', '');
define('AUTH_KEY', 'b1'); define('SECURE_AUTH_KEY', 'b2'); define('LOGGED_IN_KEY', 'b3');
define('NONCE_KEY', 'b4'); define('AUTH_SALT', 'b5'); define('SECURE_AUTH_SALT', 'b6');
define('LOGGED_IN_SALT', 'b7'); define('NONCE_SALT', 'b8');
\$table_prefix = 'wp_';
define('DISABLE_WP_CRON', true); define('AUTOMATIC_UPDATER_DISABLED', true);
if (!defined('ABSPATH')) define('ABSPATH', __DIR__ . '/');
require_once ABSPATH . 'wp-settings.php';
EOF
    chmod -R a+rX "$d"
}

start_harv() {
    cp "$HARV_BIN" "$TMP/harv"
    pick_port harvsql
    taskset -c $SERVER_CPU "$TMP/harv" sql --listen "127.0.0.1:${PORT[harvsql]}" \
        --socket "$TMP/harvsql.sock" --state "$TMP/harvsql" --user wp:wp-secret \
        --database wordpress >"$TMP/harvsql.out" 2>"$TMP/harvsql.err" &
    PID[harvsql]=$!
    wait_port harvsql "${PORT[harvsql]}" "${PID[harvsql]}"
    make_site "$TMP/site-harv" "127.0.0.1:${PORT[harvsql]}"
    pick_port harv
    # shellcheck disable=SC2086
    taskset -c $SERVER_CPU "$TMP/harv" php-serve "$TMP/site-harv" \
        --listen "127.0.0.1:${PORT[harv]}" --workers "$WORKERS" --max-requests 1000000000 \
        --timeout 120000 ${BENCH_HARV_ARGS:-} >"$TMP/harv.out" 2>"$TMP/harv.err" &
    PID[harv]=$!
    wait_port harv "${PORT[harv]}" "${PID[harv]}"
}

start_nginx() {
    local d=$TMP/nginx m=$TMP/mariadb
    mkdir -p "$d/body" "$m"
    pick_port mariadb
    mariadb-install-db --no-defaults --datadir="$m/data" --user=root \
        --auth-root-authentication-method=normal --skip-test-db >"$m/install.log" 2>&1
    cat >"$m/init.sql" <<EOF
CREATE DATABASE IF NOT EXISTS wordpress;
CREATE USER IF NOT EXISTS 'wp'@'127.0.0.1' IDENTIFIED BY 'wp-secret';
GRANT ALL ON wordpress.* TO 'wp'@'127.0.0.1';
EOF
    taskset -c $SERVER_CPU mariadbd --no-defaults --datadir="$m/data" --user=root \
        --socket="$m/mdb.sock" --port="${PORT[mariadb]}" --bind-address=127.0.0.1 \
        --pid-file="$m/mdb.pid" --init-file="$m/init.sql" --skip-log-bin \
        --innodb-buffer-pool-size=64M --character-set-server=utf8mb4 \
        --collation-server=utf8mb4_general_ci --log-error="$m/error.log" >"$m/out" 2>&1 &
    PID[mariadb]=$!
    wait_port mariadb "${PORT[mariadb]}" "${PID[mariadb]}"
    make_site "$TMP/site-nginx" "127.0.0.1:${PORT[mariadb]}"
    cat >"$d/fpm.conf" <<EOF
[global]
error_log = $d/fpm.log
daemonize = no
pid = $d/fpm.pid
[www]
listen = $d/fpm.sock
listen.mode = 0666
pm = static
pm.max_children = $WORKERS
pm.max_requests = 0
clear_env = no
EOF
    taskset -c $SERVER_CPU "$FPM" -F -R -y "$d/fpm.conf" >"$d/fpm.out" 2>&1 &
    PID[fpm]=$!
    for _ in $(seq 100); do [ -S "$d/fpm.sock" ] && break; sleep 0.1; done
    pick_port nginx
    cat >"$d/nginx.conf" <<EOF
# One nginx worker, access log off, WordPress's usual rules, FastCGI as Debian configures it.
daemon off;
worker_processes 1;
pid $d/nginx.pid;
error_log $d/error.log warn;
events { worker_connections 4096; }
http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log off;
    keepalive_timeout 65;
    keepalive_requests 1000000000;
    client_body_temp_path $d/body;
    fastcgi_temp_path $d/body;
    server {
        listen 127.0.0.1:${PORT[nginx]};
        root $TMP/site-nginx;
        index index.php index.html;
        location / { try_files \$uri \$uri/ /index.php?\$args; }
        location ~ \.php\$ {
            include /etc/nginx/fastcgi_params;
            fastcgi_param SCRIPT_FILENAME \$document_root\$fastcgi_script_name;
            fastcgi_pass unix:$d/fpm.sock;
        }
    }
}
EOF
    taskset -c $SERVER_CPU "$NGINX" -p "$d/" -c "$d/nginx.conf" -e "$d/error.log" >"$d/stdout" 2>&1 &
    PID[nginx]=$!
    wait_port nginx "${PORT[nginx]}" "${PID[nginx]}"
}

install_wp() { # stack
    local url="http://127.0.0.1:${PORT[$1]}" out=$TMP/$1-install.html
    "${CURL[@]}" -o "$out" --data-urlencode "weblog_title=Bench Blog" --data "user_name=admin" \
        --data "admin_password=bench-Pass-1!" --data "admin_password2=bench-Pass-1!" \
        --data "pw_weak=1" --data "admin_email=a@example.org" --data "blog_public=0" \
        "$url/wp-admin/install.php?step=2"
    grep -q "Success!" "$out" || die "$1: WordPress did not install (see $out)"
    "${CURL[@]}" -o "$TMP/$1-front.html" "$url/"
    grep -q "Bench Blog" "$TMP/$1-front.html" || die "$1: the front page is not WordPress's"
    [ "$("${CURL[@]}" "$url/hello.php")" = "Hello, world" ] || die "$1: hello.php failed"
}
server_pids() { # stack part(http|php|sql) -> the pids of that part
    case $1,$2 in
        harv,http) echo "${PID[harv]}" ;;
        harv,php) local t; t=$(tree_pids "${PID[harv]}"); echo "${t#"${PID[harv]}"}" ;;
        harv,sql) tree_pids "${PID[harvsql]}" ;;
        nginx,http) tree_pids "${PID[nginx]}" ;;
        nginx,php) tree_pids "${PID[fpm]}" ;;
        nginx,sql) tree_pids "${PID[mariadb]}" ;;
    esac
}

declare -A URLPATH=([hello]=/hello.php [wp]=/)
declare -A TITLE=([hello]="hello.php" [wp]="WordPress front page")
run_one() { # stack scenario seconds log -> "reqs rps p99 cpu_us errs busy% http_us php_us sql_us"
    local s=$1 sc=$2 secs=$3 log=$4 t0 t1 reqs rps p99 errs part
    local -A pp=() a0=() a1=()
    for part in http php sql; do pp[$part]=$(server_pids "$s" $part); done
    # shellcheck disable=SC2086
    for part in http php sql; do a0[$part]=$(cpu_ticks ${pp[$part]}); done
    taskset -c $CLIENT_CPU wrk -t1 -c"$CONNS" -d"${secs}s" --timeout 30s --latency \
        "http://127.0.0.1:${PORT[$s]}${URLPATH[$sc]}" >"$log" 2>&1 || true
    # shellcheck disable=SC2086
    for part in http php sql; do a1[$part]=$(cpu_ticks ${pp[$part]}); done
    t0=$((a0[http] + a0[php] + a0[sql])); t1=$((a1[http] + a1[php] + a1[sql]))
    reqs=$(awk '/requests in/ {print $1; exit}' "$log")
    rps=$(awk '/^Requests\/sec:/ {print $2; exit}' "$log")
    p99=$(awk '$1=="99%" {print $2; exit}' "$log")
    if [ -z "$reqs" ] || [ -z "$rps" ] || [ -z "$p99" ]; then
        echo "wrk failed for $s/$sc:" >&2; cat "$log" >&2; return 1
    fi
    errs=$(awk '/Non-2xx/ {n+=$NF} /Socket errors/ {gsub(/,/,""); n+=$4+$6+$8+$10} END{print n+0}' "$log")
    awk -v r="$reqs" -v rps="$rps" -v p="$(to_ms "$p99")" -v d="$((t1 - t0))" -v tck="$TCK" \
        -v e="$errs" -v secs="$secs" -v h="$((a1[http] - a0[http]))" -v ph="$((a1[php] - a0[php]))" \
        -v q="$((a1[sql] - a0[sql]))" \
        'BEGIN{ f = r>0 ? 1e6/tck/r : 0;
                printf "%d %.0f %s %.1f %d %.0f %.1f %.1f %.1f\n", r, rps, p, d*f, e, d*100/tck/secs, h*f, ph*f, q*f }'
}

echo "bench/php.sh: $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), Linux $(uname -r)"
echo "  command: $CMDLINE (BENCH_DURATION=$DURATION BENCH_RUNS=$RUNS BENCH_CONNS=$CONNS BENCH_WORKERS=$WORKERS); load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "  server side on CPU $SERVER_CPU, wrk -t1 -c$CONNS on CPU $CLIENT_CPU, $RUNS x ${DURATION}s per pair (+${WARMUP}s warm-up), medians"
for s in "${STK[@]}"; do
    "start_$s"
    install_wp "$s"
    case $s in
        harv) v="harv $(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo '?') php-serve + harv sql, $WORKERS PHP workers" ;;
        nginx) v="$("$NGINX" -v 2>&1 | sed 's/.*: //') + $("$FPM" -v | head -1 | cut -d' ' -f1-2) (pm static $WORKERS) + $(mariadbd --version | awk '{print $3}')" ;;
    esac
    echo "  $s: $v on :${PORT[$s]}, WordPress installed, verified"
done
echo

declare -A RPS=() P99=() CPU=() ERR=() BUSY=() CH=() CP=() CQ=()
RAW=$TMP/wrk; mkdir -p "$RAW"
for sc in "${SCN[@]}"; do
    for s in "${STK[@]}"; do
        [ "$WARMUP" -gt 0 ] && run_one "$s" "$sc" "$WARMUP" "$RAW/$s-$sc-warmup.txt" >/dev/null
    done
    declare -A r_rps=() r_p99=() r_cpu=() r_err=() r_busy=() r_ch=() r_cp=() r_cq=()
    for run in $(seq "$RUNS"); do
        for s in "${STK[@]}"; do
            line=$(run_one "$s" "$sc" "$DURATION" "$RAW/$s-$sc-$run.txt") || exit 1
            read -r reqs rps p99 cpu errs busy ch cp cq <<<"$line"
            printf '  %-6s %-6s run %d/%d: %8s req/s  p99 %9s ms  %8s us/req (http %s, php %s, sql %s)  CPU0 %3s%%  (%s requests%s)\n' \
                "$sc" "$s" "$run" "$RUNS" "$rps" "$p99" "$cpu" "$ch" "$cp" "$cq" "$busy" "$reqs" \
                "$([ "$errs" -gt 0 ] && echo ", $errs errors")" >&2
            r_rps[$s]+=" $rps"; r_p99[$s]+=" $p99"; r_cpu[$s]+=" $cpu"; r_busy[$s]+=" $busy"
            r_ch[$s]+=" $ch"; r_cp[$s]+=" $cp"; r_cq[$s]+=" $cq"
            r_err[$s]=$(( ${r_err[$s]:-0} + errs ))
        done
    done
    for s in "${STK[@]}"; do
        # shellcheck disable=SC2086
        RPS[$sc,$s]=$(median ${r_rps[$s]}); P99[$sc,$s]=$(median ${r_p99[$s]})
        # shellcheck disable=SC2086
        CPU[$sc,$s]=$(median ${r_cpu[$s]}); BUSY[$sc,$s]=$(median ${r_busy[$s]})
        ERR[$sc,$s]=${r_err[$s]}
        # shellcheck disable=SC2086
        CH[$sc,$s]=$(median ${r_ch[$s]}); CP[$sc,$s]=$(median ${r_cp[$s]}); CQ[$sc,$s]=$(median ${r_cq[$s]})
    done
    unset r_rps r_p99 r_cpu r_err r_busy r_ch r_cp r_cq
done

echo
echo "finished $(date -u '+%Y-%m-%d %H:%M UTC'); load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
printf '%-22s %-6s %10s %10s %12s %9s %9s %9s %11s %7s\n' scenario stack req/s "p99 ms" "CPU us/req" http php sql "server CPU%" errors
for sc in "${SCN[@]}"; do
    for s in "${STK[@]}"; do
        printf '%-22s %-6s %10s %10s %12s %9s %9s %9s %11s %7s\n' "${TITLE[$sc]}" "$s" "${RPS[$sc,$s]}" \
            "${P99[$sc,$s]}" "${CPU[$sc,$s]}" "${CH[$sc,$s]}" "${CP[$sc,$s]}" "${CQ[$sc,$s]}" \
            "${BUSY[$sc,$s]}" "${ERR[$sc,$s]}"
    done
done
echo
echo "Markdown:"
echo
echo "| scenario | stack | req/s | p99 (ms) | server CPU µs/req | of which HTTP / PHP / SQL | server CPU % | harv req/s ratio | harv CPU ratio |"
echo "|---|---|--:|--:|--:|--:|--:|--:|--:|"
for sc in "${SCN[@]}"; do
    for s in "${STK[@]}"; do
        if [ "$s" != harv ] && [[ " ${STK[*]} " == *" harv "* ]]; then
            rr="×$(ratio "${RPS[$sc,harv]}" "${RPS[$sc,$s]}")"; cr="×$(ratio "${CPU[$sc,harv]}" "${CPU[$sc,$s]}")"
        else rr=; cr=; fi
        case $s in harv) name="**harv** (php-serve + harv sql)" ;; nginx) name="nginx + php-fpm + MariaDB" ;; esac
        echo "| ${TITLE[$sc]} | $name | ${RPS[$sc,$s]} | ${P99[$sc,$s]} | ${CPU[$sc,$s]} | ${CH[$sc,$s]} / ${CP[$sc,$s]} / ${CQ[$sc,$s]} | ${BUSY[$sc,$s]} | $rr | $cr |"
    done
done
