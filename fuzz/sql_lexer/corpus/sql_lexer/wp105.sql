UPDATE wp_options set option_value = 'x\'y' where option_name = 'x\'y';
