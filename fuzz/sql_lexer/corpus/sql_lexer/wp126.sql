INSERT INTO `wp_terms` (`term_id`, `name`, `slug`, `term_group`) VALUES (3, 'x\'y', 'x\'y', 3);
