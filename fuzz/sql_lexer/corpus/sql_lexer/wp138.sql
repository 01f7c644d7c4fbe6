SELECT COUNT(3) FROM wp_posts WHERE post_type = 'x\'y' AND post_status NOT IN ('a','b') AND post_author = 3;
