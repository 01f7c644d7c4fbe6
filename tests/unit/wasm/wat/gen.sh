#!/bin/sh
# Regenerates ../modules.h from the .wat files here (needs wabt's wat2wasm and xxd).
set -e
cd "$(dirname "$0")"
tmp=$(mktemp -d)
{
    echo "/* modules.h — test modules for the wasm unit tests, assembled with wat2wasm from the"
    echo " * .wat sources in tests/unit/wasm/wat/ (regenerate: tests/unit/wasm/wat/gen.sh). */"
    for f in loop grow host bigmem bigtable startloop; do
        wat2wasm $f.wat -o "$tmp/$f.wasm"
        (cd "$tmp" && xxd -i $f.wasm) |
            sed 's/^unsigned char/static const unsigned char/; s/^unsigned int/static const unsigned int/'
    done
} >../modules.h
rm -rf "$tmp"
