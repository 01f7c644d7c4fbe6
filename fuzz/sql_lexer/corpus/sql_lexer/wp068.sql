INSERT INTO `wp_term_relationships` (`object_id`, `term_taxonomy_id`) VALUES (3, 3);
