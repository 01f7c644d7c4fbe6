SET NAMES 'x\'y' COLLATE 'x\'y';
