SELECT * FROM wp_users WHERE ID = 'x\'y' LIMIT 3;
