DELETE a, b FROM wp_options a, wp_options b WHERE a.option_name LIKE 'x\'y' AND a.option_name NOT LIKE 'x\'y' AND b.option_name = CONCAT('x\'y', SUBSTRING(a.option_name, 3)) AND b.option_value < 3;
