SELECT comment_post_ID, COUNT(comment_ID) as num_comments FROM wp_comments WHERE comment_post_ID IN ('a','b') AND comment_approved = 'x\'y' GROUP BY comment_post_ID;
