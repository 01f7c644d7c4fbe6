SELECT COUNT(ID) as c FROM wp_users;
