SHOW FULL COLUMNS FROM `wp_comments`;
