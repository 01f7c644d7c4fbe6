#!/usr/bin/env bash
# bench/lib.sh — helpers shared by the benchmark scripts (sourced, never run): usage text from
# the calling script's header, process-tree CPU accounting from /proc, free ports, wrk latency
# units, medians and ratios. Callers set `next_port` and an associative array PORT.

usage() { sed -n '2,/^set -euo/p' "${BASH_SOURCE[-1]}" | sed -e '$d' -e 's/^# \{0,1\}//'; }

# PID and all its descendants (no procps on a minimal Debian: read /proc directly).
tree_pids() {
    local f s pp
    declare -A kids=()
    for f in /proc/[0-9]*/stat; do
        s=$(cat "$f" 2>/dev/null) || continue
        pp=${s##*) }; pp=${pp#* }; pp=${pp%% *}
        f=${f#/proc/}; kids[$pp]+=" ${f%/stat}"
    done
    local queue=("$1") found=() p
    while [ ${#queue[@]} -gt 0 ]; do
        p=${queue[0]}; queue=("${queue[@]:1}"); found+=("$p")
        # shellcheck disable=SC2206
        [ -n "${kids[$p]:-}" ] && queue+=(${kids[$p]})
    done
    echo "${found[@]}"
}

# Clock ticks of utime+stime summed over the given pids (all threads, live and reaped).
cpu_ticks() {
    local p s a t=0
    for p in "$@"; do
        s=$(cat "/proc/$p/stat" 2>/dev/null) || continue
        read -r -a a <<<"${s##*) }" # a[0] is field 3 (state): utime is field 14, stime 15
        t=$((t + a[11] + a[12]))
    done
    echo "$t"
}

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Sets PORT[name] to the next port nothing listens on, from next_port up.
pick_port() { # name
    while port_busy "$next_port"; do next_port=$((next_port + 1)); done
    PORT[$1]=$next_port; next_port=$((next_port + 1))
}

# wrk latency ("812.00us", "1.20ms", "2.5s") in milliseconds.
to_ms() { awk -v v="$1" 'BEGIN{ u=v; sub(/^[0-9.]+/,"",u); n=v+0;
    if(u=="us") n/=1000; else if(u=="s") n*=1000; else if(u=="m") n*=60000; printf "%.3f", n }'; }

median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END{ if (NR%2) print a[(NR+1)/2]; else printf "%.4g\n", (a[NR/2]+a[NR/2+1])/2 }'; }

ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (b>0) printf "%.2f", a/b; else print "-" }'; }
