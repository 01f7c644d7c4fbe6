SELECT ID FROM wp_users WHERE user_nicename = 'x\'y' AND user_login != 'x\'y' LIMIT 3;
