SELECT autoload FROM wp_options WHERE option_name = 'x\'y';
