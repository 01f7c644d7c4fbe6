SELECT post_author, COUNT(*) FROM wp_posts WHERE ((post_type = 'x\'y' AND (post_status = 'x\'y' OR post_status = 'x\'y'))) AND post_author IN (1,2) GROUP BY post_author;
