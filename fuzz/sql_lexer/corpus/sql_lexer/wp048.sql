INSERT INTO `wp_postmeta` (`post_id`, `meta_key`, `meta_value`) VALUES (3, 'x\'y', 'x\'y');
