SELECT wp_comments.* FROM wp_comments WHERE comment_ID IN (1,2);
