SELECT user_id, meta_key, meta_value FROM wp_usermeta WHERE user_id IN (1,2) ORDER BY umeta_id ASC;
