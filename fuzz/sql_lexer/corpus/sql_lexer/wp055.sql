SELECT * FROM wp_comments WHERE comment_ID = 3 LIMIT 3;
