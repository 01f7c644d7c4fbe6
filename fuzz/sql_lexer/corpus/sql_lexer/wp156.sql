SELECT post_id FROM wp_postmeta WHERE meta_key = 'x\'y' AND meta_value < 3;
