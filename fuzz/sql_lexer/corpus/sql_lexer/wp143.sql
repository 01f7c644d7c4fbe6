SELECT ID FROM wp_posts WHERE post_status = 'x\'y' AND DATE_SUB(NOW(), INTERVAL 3 DAY) > post_date;
