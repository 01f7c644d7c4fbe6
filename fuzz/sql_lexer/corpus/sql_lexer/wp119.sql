DELETE FROM wp_usermeta WHERE umeta_id IN (1,2);
