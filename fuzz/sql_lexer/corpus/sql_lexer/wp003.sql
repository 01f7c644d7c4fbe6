SELECT COUNT(*) FROM wp_comments WHERE (comment_approved = 'x\'y') ORDER BY wp_comments.comment_date_gmt DESC;
