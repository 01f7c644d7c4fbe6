SELECT `comment_date_gmt` FROM `wp_comments` WHERE `comment_date_gmt` >= 'x\'y' AND (`comment_author_IP` = 'x\'y' OR `comment_author_email` = 'x\'y') ORDER BY `comment_date_gmt` DESC LIMIT 3;
