SELECT * FROM wp_users WHERE user_email = 'x\'y' LIMIT 3;
