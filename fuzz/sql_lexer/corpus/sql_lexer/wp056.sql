SELECT COUNT(*) FROM wp_term_relationships, wp_posts WHERE wp_posts.ID = wp_term_relationships.object_id AND post_status IN ('a','b') AND post_type IN ('a','b') AND term_taxonomy_id = 3;
