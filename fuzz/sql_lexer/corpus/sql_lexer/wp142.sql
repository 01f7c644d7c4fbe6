SELECT DISTINCT YEAR(post_date) AS year, MONTH(post_date) AS month FROM wp_posts WHERE post_type = 'x\'y' ORDER BY post_date DESC;
