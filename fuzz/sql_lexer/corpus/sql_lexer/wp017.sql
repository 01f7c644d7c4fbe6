SELECT * FROM wp_users WHERE user_login = 'x\'y' LIMIT 3;
