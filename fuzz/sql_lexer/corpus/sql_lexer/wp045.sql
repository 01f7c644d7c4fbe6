SELECT comment_id, meta_key, meta_value FROM wp_commentmeta WHERE comment_id IN (1,2) ORDER BY meta_id ASC;
