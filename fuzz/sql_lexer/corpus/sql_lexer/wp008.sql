SET SESSION sql_mode = 'x\'y';
