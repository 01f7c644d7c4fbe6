SELECT wp_comments.comment_ID FROM wp_comments WHERE ((comment_approved = 'x\'y' OR comment_approved = 'x\'y')) AND comment_type IN ('a','b') ORDER BY wp_comments.comment_date_gmt DESC LIMIT 3, 3;
