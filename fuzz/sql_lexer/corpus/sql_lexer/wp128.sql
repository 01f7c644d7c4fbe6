INSERT INTO wp_options(option_name, option_value, autoload) VALUES ('x\'y', 'x\'y', 'x\'y'), ...;
