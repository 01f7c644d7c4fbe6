DESCRIBE wp_terms;
