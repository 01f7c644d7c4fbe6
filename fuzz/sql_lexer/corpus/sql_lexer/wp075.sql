SELECT post_name FROM wp_posts WHERE post_name = 'x\'y' AND post_type = 'x\'y' AND ID != 3 LIMIT 3;
