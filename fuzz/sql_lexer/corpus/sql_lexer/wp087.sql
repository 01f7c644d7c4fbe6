INSERT INTO `wp_terms` (`name`, `slug`, `term_group`) VALUES ('x\'y', 'x\'y', 3);
