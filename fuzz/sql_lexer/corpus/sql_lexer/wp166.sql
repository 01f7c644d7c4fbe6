UPDATE `wp_options` SET `option_value` = 'x\'y', `autoload` = 'x\'y' WHERE `option_name` = 'x\'y';
