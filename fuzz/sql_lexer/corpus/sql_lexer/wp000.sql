SELECT option_value FROM wp_options WHERE option_name = 'x\'y' LIMIT 3;
