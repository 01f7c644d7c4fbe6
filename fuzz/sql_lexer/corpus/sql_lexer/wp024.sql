SELECT wp_posts.* FROM wp_posts WHERE ID IN (1,2);
