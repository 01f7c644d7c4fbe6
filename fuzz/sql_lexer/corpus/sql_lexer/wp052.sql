SELECT post_status, COUNT(*) AS num_posts FROM wp_posts WHERE post_type = 'x\'y' GROUP BY post_status;
