SHOW FULL COLUMNS FROM `wp_term_taxonomy`;
