SELECT wp_posts.* FROM wp_posts WHERE 3 = 3 AND wp_posts.ID = 3 AND wp_posts.post_type = 'x\'y' ORDER BY wp_posts.post_date DESC;
