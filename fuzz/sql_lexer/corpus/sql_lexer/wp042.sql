SELECT * FROM wp_users WHERE ID IN (1,2);
