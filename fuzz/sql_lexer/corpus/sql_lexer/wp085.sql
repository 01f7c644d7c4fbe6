UPDATE `wp_usermeta` SET `meta_value` = 'x\'y' WHERE `user_id` = 3 AND `meta_key` = 'x\'y';
