SELECT 3 as test FROM wp_posts WHERE post_type = 'x\'y' AND post_status = 'x\'y' LIMIT 3;
