SELECT /*!40001 SQL_NO_CACHE */ * FROM `t` # c
-- d
;