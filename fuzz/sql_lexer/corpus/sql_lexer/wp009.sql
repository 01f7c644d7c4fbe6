SELECT option_name, option_value FROM wp_options WHERE autoload = 'x\'y';
