DESCRIBE wp_termmeta;
