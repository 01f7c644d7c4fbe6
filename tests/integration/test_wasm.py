"""harv wasm run/validate: C programs compiled natively (gcc -O2) and to wasm32-wasi
(Debian clang-14 + wasi-libc) must print the same and exit the same; WASI files stay
beneath the preopened directory; traps and fuel give a clean status."""
# ctest: labels=integration;wasm timeout=300
import os
import pathlib
import shutil
import subprocess

import pytest

HARV = os.environ.get("HARV_BIN", "build/harv")
SRC = pathlib.Path(os.environ.get("HARV_SRC", pathlib.Path(__file__).resolve().parents[2]))
CDIR = SRC / "tests" / "wasm" / "c"
CLANG = shutil.which("clang-14")
HAVE_WASI = CLANG and os.path.exists("/usr/lib/wasm32-wasi/libc.a")

needs_wasi = pytest.mark.skipif(not HAVE_WASI, reason="clang-14 / wasi-libc not installed")


def build(tmp, name, wasm_flags=()):
    src = CDIR / f"{name}.c"
    native = tmp / f"{name}.native"
    wasm = tmp / f"{name}.wasm"
    subprocess.run(["gcc", "-O2", "-o", native, src, "-lm"], check=True)
    subprocess.run([CLANG, "--target=wasm32-wasi", "-O2", *wasm_flags, "-o", wasm, src, "-lm"],
                   check=True)
    return native, wasm


@needs_wasi
@pytest.mark.parametrize("name,flags", [
    ("sort_hash", ()),
    ("numeric", ()),
    # post-MVP code generation: sign-ext, bulk memory, sat-trunc, SIMD (vector extensions)
    ("numeric", ("-msign-ext", "-mbulk-memory", "-mnontrapping-fptoint", "-msimd128")),
    ("vectors", ("-msimd128",)),
])
def test_native_and_wasm_agree(tmp_path, name, flags):
    native, wasm = build(tmp_path, name, flags)
    args = ["one", "two words", ""]
    n = subprocess.run([native, *args], capture_output=True, timeout=60)
    w = subprocess.run([HARV, "wasm", "run", wasm, *args], capture_output=True, timeout=120)
    assert w.stderr == b""
    assert w.stdout == n.stdout
    assert w.returncode == n.returncode


@needs_wasi
def test_files_beneath_preopen(tmp_path):
    wasm = tmp_path / "files.wasm"
    subprocess.run([CLANG, "--target=wasm32-wasi", "-O2", "-o", wasm, CDIR / "files.c"],
                   check=True)
    data = tmp_path / "data"
    data.mkdir()
    os.symlink("/etc", data / "escape")
    r = subprocess.run([HARV, "wasm", "run", "--dir", f"data:{data}", "--env", "HARV_TEST=yes",
                        wasm], capture_output=True, timeout=60, cwd=tmp_path)
    out = r.stdout.decode()
    assert r.returncode == 0, r.stderr
    assert "read back 5 lines" in out
    assert "env HARV_TEST=yes" in out
    assert "open data/../../etc/passwd: refused" in out
    assert "open /etc/passwd: refused" in out
    assert "open data/escape/passwd: refused" in out
    assert (data / "out.txt").read_text().startswith("line 0\n")


def wat(tmp, text):
    """Assembles a module with wabt's wat2wasm."""
    src = tmp / "m.wat"
    src.write_text(text)
    subprocess.run(["wat2wasm", src, "-o", tmp / "m.wasm"], check=True)
    return tmp / "m.wasm"


@pytest.mark.skipif(not shutil.which("wat2wasm"), reason="wabt not installed")
def test_trap_and_fuel_status(tmp_path):
    m = wat(tmp_path, '(module (func (export "_start") (loop (br 0))))')
    r = subprocess.run([HARV, "wasm", "run", "--fuel", "100000", m], capture_output=True,
                       timeout=60)
    assert r.returncode == 134 and b"out of fuel" in r.stderr
    m = wat(tmp_path, '(module (func (export "_start") unreachable))')
    r = subprocess.run([HARV, "wasm", "run", m], capture_output=True, timeout=60)
    assert r.returncode == 134 and b"trap: unreachable" in r.stderr
    m = wat(tmp_path, '(module (func $f (export "_start") (call $f)))')
    r = subprocess.run([HARV, "wasm", "run", m], capture_output=True, timeout=60)
    assert r.returncode == 134 and b"call stack exhausted" in r.stderr


@pytest.mark.skipif(not shutil.which("wat2wasm"), reason="wabt not installed")
def test_validate(tmp_path):
    m = wat(tmp_path, '(module (func (export "f") (result i32) (i32.const 1)))')
    r = subprocess.run([HARV, "wasm", "validate", m], capture_output=True, timeout=60)
    assert r.returncode == 0
    bad = tmp_path / "bad.wasm"
    bad.write_bytes(b"\0asm\1\0\0\0\1\5\1\x60\0\1\x7f\3\2\1\0\n\4\1\2\0\x0b")
    r = subprocess.run([HARV, "wasm", "validate", bad], capture_output=True, timeout=60)
    assert r.returncode == 1 and b"invalid" in r.stderr
    r = subprocess.run([HARV, "wasm", "validate", tmp_path / "missing.wasm"],
                       capture_output=True, timeout=60)
    assert r.returncode == 1
