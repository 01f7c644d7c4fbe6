DESCRIBE wp_commentmeta;
