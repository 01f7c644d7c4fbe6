SELECT * FROM wp_posts WHERE (post_type = 'x\'y' AND post_status = 'x\'y') ORDER BY menu_order, wp_posts.post_title ASC;
