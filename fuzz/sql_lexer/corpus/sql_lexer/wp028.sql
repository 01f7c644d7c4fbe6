DESCRIBE wp_options;
