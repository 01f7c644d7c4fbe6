SELECT COUNT(*) FROM wp_comments WHERE ((comment_approved = 'x\'y' OR comment_approved = 'x\'y')) AND comment_post_ID = 3 ORDER BY wp_comments.comment_date_gmt DESC;
