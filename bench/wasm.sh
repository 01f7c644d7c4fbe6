#!/bin/sh
# bench/wasm.sh — WebAssembly interpreter benchmark. Each kernel of tests/wasm/kernels/ is
# built natively (gcc -O2) and as a freestanding wasm32 module (clang-14 -O2), then run
# natively, by Harv (`harv wasm run --invoke run`) and by wabt's wasm-interp, in one
# invocation. Prints each time, the ratio to native and the geometric means; checks that
# all three compute the same result.
# Usage: bench/wasm.sh [HARV_BIN]   (env: WASM_INTERP=0 skips wasm-interp, REPS=N best of N)
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
harv=${1:-$src/build/harv}
reps=${REPS:-3}
kdir=$src/tests/wasm/kernels
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
kernels="fib sieve matmul crc32 qsort mandel nbody"
use_interp=${WASM_INTERP:-1}
command -v wasm-interp >/dev/null || use_interp=0

# best N CMD...: the best CPU time (user+sys, microseconds, from getrusage) of N runs; the
# machine may be shared, and CPU time is steadier than wall time there. Output: $work/out.
best() {
    python3 - "$1" "$work/out" "$@" <<'PY'
import resource, subprocess, sys
reps, out, cmd = int(sys.argv[1]), sys.argv[2], sys.argv[4:]
best = None
for _ in range(reps):
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    with open(out, "w") as f:
        subprocess.run(cmd, stdout=f, stderr=subprocess.STDOUT)
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
    best = t if best is None else min(best, t)
print(int(best * 1e6))
PY
}

printf '%-8s %10s %10s %8s' kernel "native ms" "harv ms" "harv/n"
# (CPU milliseconds)
[ "$use_interp" = 1 ] && printf ' %12s %8s' "wabt ms" "wabt/n"
printf '\n'
lh=0 lw=0 n=0
for k in $kernels; do
    gcc -O2 -o "$work/$k" "$kdir/$k.c" "$kdir/native_main.c" -lm
    clang-14 --target=wasm32 -O2 -nostdlib -Wl,--no-entry -Wl,--export=run \
        -o "$work/$k.wasm" "$kdir/$k.c"
    tn=$(best "$reps" "$work/$k"); rn=$(tail -1 "$work/out")
    th=$(best "$reps" "$harv" wasm run --invoke run "$work/$k.wasm")
    rh=$(tail -1 "$work/out" | sed 's/.*://')
    [ "$rn" = "$rh" ] || { echo "$k: harv computed $rh, native $rn"; exit 1; }
    line=$(awk -v n="$tn" -v h="$th" -v k="$k" \
        'BEGIN { printf "%-8s %10.1f %10.1f %7.2fx", k, n / 1000, h / 1000, h / n }')
    lh=$(awk -v a="$lh" -v n="$tn" -v h="$th" 'BEGIN { print a + log(h / n) }')
    if [ "$use_interp" = 1 ]; then
        tw=$(best 1 wasm-interp --run-all-exports "$work/$k.wasm")
        rw=$(tail -1 "$work/out" | sed 's/.*://')
        [ "$rn" = "$rw" ] || { echo "$k: wasm-interp computed $rw, native $rn"; exit 1; }
        line="$line$(awk -v n="$tn" -v w="$tw" 'BEGIN { printf " %12.1f %7.2fx", w / 1000, w / n }')"
        lw=$(awk -v a="$lw" -v n="$tn" -v w="$tw" 'BEGIN { print a + log(w / n) }')
    fi
    echo "$line"
    n=$((n + 1))
done
awk -v l="$lh" -v n="$n" 'BEGIN { printf "geometric mean harv/native: %.2fx\n", exp(l / n) }'
[ "$use_interp" = 1 ] &&
    awk -v l="$lw" -v n="$n" 'BEGIN { printf "geometric mean wasm-interp/native: %.2fx\n", exp(l / n) }'
exit 0
