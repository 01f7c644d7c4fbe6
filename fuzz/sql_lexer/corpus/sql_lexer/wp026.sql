DESCRIBE wp_comments;
