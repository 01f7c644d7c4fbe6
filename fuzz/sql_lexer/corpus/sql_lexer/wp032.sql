DESCRIBE wp_term_taxonomy;
