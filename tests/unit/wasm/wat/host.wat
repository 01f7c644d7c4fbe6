(module
  (import "env" "check" (func $check (param i32 i64 f64 i32) (result i64)))
  (func (export "go") (result i64)
    (call $check (i32.const 1) (i64.const 2) (f64.const 3.5) (i32.const 4)))
)
