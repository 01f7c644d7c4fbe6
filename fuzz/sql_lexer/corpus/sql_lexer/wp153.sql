SELECT comment_id FROM wp_commentmeta WHERE meta_key = 'x\'y' AND meta_value < 3;
