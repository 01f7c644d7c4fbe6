DESCRIBE wp_posts;
