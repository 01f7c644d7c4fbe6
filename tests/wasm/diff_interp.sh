#!/bin/sh
# diff_interp.sh — differential test: binaryen's `wasm-opt -ttf` turns seeded random bytes
# into valid modules (MVP + sign-ext, sat-trunc, bulk memory, multi-value, SIMD); each
# runs under wabt's wasm-interp and under Harv (diff_runner) and the printed results,
# host-call logs and trap kinds must agree (NaN signs are not
# specified by Wasm, so "-nan" and "nan" are the same).
# Usage: diff_interp.sh RUNNER WORK [COUNT] [FIRST_SEED]
set -u
runner=$1 work=$2 count=${3:-50} seed=${4:-1}
for t in wasm-opt wasm-interp python3; do
    command -v $t >/dev/null || { echo "$t not found (packages binaryen, wabt)"; exit 1; }
done
rm -rf "$work" && mkdir -p "$work" || exit 1
# Trap texts differ between the engines; keep the kind only.
norm() {
    sed -e 's/error: unreachable executed/error: unreachable/' -e 's/-nan/nan/g' \
        -e 's/error: \([^:]*\):.*/error: \1/' \
        -e 's/error: undefined table index/error: undefined element/' \
        -e 's/error: uninitialized table element/error: uninitialized element/' \
        -e 's/error: indirect call signature mismatch/error: indirect call type mismatch/'
}
pass=0 fail=0 skip=0
end=$((seed + count))
while [ "$seed" -lt "$end" ]; do
    python3 -c "import random,sys; random.seed($seed); sys.stdout.buffer.write(bytes(random.getrandbits(8) for _ in range(6000)))" >"$work/in.bin"
    if ! wasm-opt -ttf "$work/in.bin" -o "$work/m.wasm" --enable-sign-ext \
        --enable-nontrapping-float-to-int --enable-bulk-memory --enable-mutable-globals \
        --enable-multivalue --enable-simd \
        >/dev/null 2>&1; then
        skip=$((skip + 1)) seed=$((seed + 1))
        continue
    fi
    wasm-interp --dummy-import-func --run-all-exports "$work/m.wasm" 2>&1 | norm >"$work/ref.out"
    "$runner" "$work/m.wasm" 2>&1 | norm >"$work/harv.out"
    if cmp -s "$work/ref.out" "$work/harv.out"; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        cp "$work/m.wasm" "$work/fail-$seed.wasm"
        echo "seed $seed differs:"
        diff "$work/ref.out" "$work/harv.out" | head -10
    fi
    seed=$((seed + 1))
done
echo "differential: $pass agree, $fail differ, $skip not generated"
[ "$fail" -eq 0 ]
