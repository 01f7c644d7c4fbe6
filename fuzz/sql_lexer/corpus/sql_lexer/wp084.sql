UPDATE `wp_posts` SET `guid` = 'x\'y' WHERE `ID` = 3;
