SELECT option_name FROM wp_options WHERE option_name IN ('a','b');
