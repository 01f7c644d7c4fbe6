SELECT * FROM wp_posts WHERE post_parent = 3 AND post_type = 'x\'y' AND post_status = 'x\'y' AND post_name = 'x\'y' ORDER BY post_date DESC LIMIT 3;
