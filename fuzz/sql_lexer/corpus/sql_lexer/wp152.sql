SELECT comment_approved FROM wp_comments WHERE comment_author = 'x\'y' AND comment_author_email = 'x\'y' and comment_approved = 'x\'y' LIMIT 3;
