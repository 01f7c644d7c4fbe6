(module (func $s (loop (br 0))) (start $s))
