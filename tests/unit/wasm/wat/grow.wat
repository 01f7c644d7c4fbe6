(module
  (memory (export "memory") 1)
  (table $t 1 funcref)
  (func (export "bomb") (result i32) (local $n i32)
    (block (loop
      (br_if 1 (i32.eq (memory.grow (i32.const 1)) (i32.const -1)))
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br 0)))
    (local.get $n))
  (func (export "big") (result i32) (memory.grow (i32.const 60000)))
  (func (export "tgrow") (param i32) (result i32) (table.grow $t (ref.null func) (local.get 0)))
  (func (export "load") (param i32) (result i32) (i32.load (local.get 0)))
  (func (export "store") (param i32 i32) (i32.store (local.get 0) (local.get 1)))
)
