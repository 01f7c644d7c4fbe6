SELECT COUNT(*) FROM wp_comments WHERE comment_post_ID = 3 AND comment_approved = 'x\'y';
