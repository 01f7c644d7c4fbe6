UPDATE `wp_comments` SET `comment_approved` = 'x\'y' WHERE `comment_ID` = 3;
