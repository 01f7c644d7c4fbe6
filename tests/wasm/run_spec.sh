#!/bin/sh
# run_spec.sh — the wasm_spec CTest test: unpacks the pinned core spec tests into WORK,
# converts each .wast with wast2json (any stderr output is a failure) and runs them all
# through the spec runner. Usage: run_spec.sh RUNNER TARBALL WORK [--no-simd]
# All 146 files run; --no-simd (or HARV_WASM_SIMD=0) skips the 56 simd_*.wast files.
set -u
runner=$1 tarball=$2 work=$3
simd=${HARV_WASM_SIMD:-1}
[ "${4:-}" = "--no-simd" ] && simd=0
command -v wast2json >/dev/null || { echo "wast2json not found (Debian package wabt)"; exit 1; }
rm -rf "$work" && mkdir -p "$work/wast" "$work/json" || exit 1
tar -xzf "$tarball" -C "$work/wast" || exit 1
convfail=0 skipped=0
jsons=""
for w in "$work"/wast/*.wast; do
    name=$(basename "$w" .wast)
    case $name in
    simd_*) if [ "$simd" != 1 ]; then skipped=$((skipped + 1)); continue; fi ;;
    esac
    if ! wast2json "$w" -o "$work/json/$name.json" 2>"$work/json/$name.err" ||
        [ -s "$work/json/$name.err" ]; then
        echo "$name: wast2json failed:"; cat "$work/json/$name.err"
        convfail=$((convfail + 1))
        continue
    fi
    jsons="$jsons $work/json/$name.json"
done
# shellcheck disable=SC2086
"$runner" $jsons
rc=$?
[ "$skipped" -gt 0 ] && echo "skipped: $skipped simd_*.wast files (SIMD not enabled in this run)"
[ "$convfail" -gt 0 ] && { echo "conversion failures: $convfail"; exit 1; }
exit $rc
