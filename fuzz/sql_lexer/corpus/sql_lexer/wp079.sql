SHOW FULL COLUMNS FROM `wp_postmeta`;
