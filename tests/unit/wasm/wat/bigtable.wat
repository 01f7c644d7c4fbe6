(module (table 5000000 funcref))
