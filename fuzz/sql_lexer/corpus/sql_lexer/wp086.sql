DELETE FROM wp_postmeta WHERE meta_id IN (1,2);
