SELECT umeta_id FROM wp_usermeta WHERE meta_key = 'x\'y' AND user_id = 3;
