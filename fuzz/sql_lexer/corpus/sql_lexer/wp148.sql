SELECT SQL_CALC_FOUND_ROWS wp_posts.ID FROM wp_posts WHERE 3 = 3 AND ((wp_posts.post_type = 'x\'y' AND (wp_posts.post_status = 'x\'y'))) ORDER BY wp_posts.post_date DESC LIMIT 3, 3;
