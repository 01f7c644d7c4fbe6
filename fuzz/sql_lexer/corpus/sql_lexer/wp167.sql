UPDATE `wp_posts` SET `comment_count` = 3 WHERE `ID` = 3;
