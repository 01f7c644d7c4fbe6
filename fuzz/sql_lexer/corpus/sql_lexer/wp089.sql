SELECT COUNT(*) FROM wp_postmeta WHERE meta_key = 'x\'y' AND post_id = 3;
