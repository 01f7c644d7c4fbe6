SHOW FULL COLUMNS FROM `wp_usermeta`;
