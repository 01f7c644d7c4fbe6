DESCRIBE wp_links;
