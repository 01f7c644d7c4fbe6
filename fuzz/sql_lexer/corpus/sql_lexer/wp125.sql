INSERT INTO `wp_term_relationships` (`term_taxonomy_id`, `object_id`) VALUES (3, 3);
