SELECT t.term_id FROM wp_terms AS t INNER JOIN wp_term_taxonomy AS tt ON t.term_id = tt.term_id WHERE tt.taxonomy IN ('a','b') AND tt.count > 3 ORDER BY tt.count DESC LIMIT 3;
