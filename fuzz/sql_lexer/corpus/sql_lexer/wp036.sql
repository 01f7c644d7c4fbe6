DESCRIBE wp_users;
