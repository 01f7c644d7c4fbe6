DESCRIBE wp_usermeta;
