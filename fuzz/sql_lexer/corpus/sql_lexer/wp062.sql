SELECT term_taxonomy_id FROM wp_term_relationships WHERE object_id = 3 AND term_taxonomy_id = 3;
