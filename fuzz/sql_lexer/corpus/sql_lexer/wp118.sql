DELETE FROM wp_options WHERE option_name REGEXP 'x\'y';
