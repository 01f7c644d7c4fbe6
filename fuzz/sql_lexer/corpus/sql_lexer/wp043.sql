SELECT term_id, meta_key, meta_value FROM wp_termmeta WHERE term_id IN (1,2) ORDER BY meta_id ASC;
