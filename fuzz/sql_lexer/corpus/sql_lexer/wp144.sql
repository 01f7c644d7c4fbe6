SELECT ID, post_name, post_parent, post_type FROM wp_posts WHERE post_name IN ('a','b') AND post_type IN ('a','b');
