INSERT INTO `wp_usermeta` (`user_id`, `meta_key`, `meta_value`) VALUES (3, 'x\'y', 'x\'y');
