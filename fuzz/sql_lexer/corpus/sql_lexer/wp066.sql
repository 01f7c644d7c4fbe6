UPDATE `wp_term_taxonomy` SET `count` = 3 WHERE `term_taxonomy_id` = 3;
