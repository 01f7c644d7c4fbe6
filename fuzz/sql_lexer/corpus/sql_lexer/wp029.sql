DESCRIBE wp_postmeta;
