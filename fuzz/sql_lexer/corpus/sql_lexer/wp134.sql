SELECT COUNT(*) FROM wp_comments WHERE comment_approved = 'x\'y';
