"""HarvSQL against MariaDB: the same statements, in the same order, on a private MariaDB
(Debian's mariadb-server on its own datadir and port) and on HarvSQL, through the same client
(PyMySQL, text protocol, no value conversion, CLIENT_FOUND_ROWS off as in mysqlnd). Each
statement is one test case that compares the outcome: error code, or affected rows and insert
id, or column names, column types and rows (the text MySQL sends). The statements follow the
WordPress session of ../shared/docs/wordpress-sql.md: its schema, the shapes of
../shared/data/wordpress-query-shapes.sql with literals filled in, and the points of §3.6.
A failing case is a real difference between HarvSQL and MariaDB."""
# ctest: labels=integration;mariadb timeout=600
import re

import pytest

from sqlutil import HarvSQL, MariaDB

ZERO = "0000-00-00 00:00:00"

SCHEMA = [
    """CREATE TABLE wp_users (
\tID bigint(20) unsigned NOT NULL auto_increment,
\tuser_login varchar(60) NOT NULL default '',
\tuser_pass varchar(255) NOT NULL default '',
\tuser_nicename varchar(50) NOT NULL default '',
\tuser_email varchar(100) NOT NULL default '',
\tuser_url varchar(100) NOT NULL default '',
\tuser_registered datetime NOT NULL default '0000-00-00 00:00:00',
\tuser_activation_key varchar(255) NOT NULL default '',
\tuser_status int(11) NOT NULL default '0',
\tdisplay_name varchar(250) NOT NULL default '',
\tPRIMARY KEY  (ID),
\tKEY user_login_key (user_login),
\tKEY user_nicename (user_nicename),
\tKEY user_email (user_email)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_520_ci""",
    """CREATE TABLE wp_usermeta (
\tumeta_id bigint(20) unsigned NOT NULL auto_increment,
\tuser_id bigint(20) unsigned NOT NULL default '0',
\tmeta_key varchar(255) default NULL,
\tmeta_value longtext,
\tPRIMARY KEY  (umeta_id),
\tKEY user_id (user_id),
\tKEY meta_key (meta_key(191))
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_520_ci""",
    """CREATE TABLE wp_terms (
 term_id bigint(20) unsigned NOT NULL auto_increment,
 name varchar(200) NOT NULL default '',
 slug varchar(200) NOT NULL default '',
 term_group bigint(10) NOT NULL default 0,
 PRIMARY KEY  (term_id),
 KEY slug (slug(191)),
 KEY name (name(191))
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_520_ci""",
    """CREATE TABLE wp_term_taxonomy (
 term_taxonomy_id bigint(20) unsigned NOT NULL auto_increment,
 term_id bigint(20) unsigned NOT NULL default 0,
 taxonomy varchar(32) NOT NULL default '',
 description longtext NOT NULL,
 parent bigint(20) unsigned NOT NULL default 0,
 count bigint(20) NOT NULL default 0,
 PRIMARY KEY  (term_taxonomy_id),
 UNIQUE KEY term_id_taxonomy (term_id,taxonomy),
 KEY taxonomy (taxonomy)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_520_ci""",
    """CREATE TABLE wp_term_relationships (
 object_id bigint(20) unsigned NOT NULL default 0,
 term_taxonomy_id bigint(20) unsigned NOT NULL default 0,
 term_order int(11) NOT NULL default 0,
 PRIMARY KEY  (object_id,term_taxonomy_id),
 KEY term_taxonomy_id (term_taxonomy_id)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_520_ci""",
    """CREATE TABLE wp_comments (
\tcomment_ID bigint(20) unsigned NOT NULL auto_increment,
\tcomment_post_ID bigint(20) unsigned NOT NULL default '0',
\tcomment_author tinytext NOT NULL,
\tcomment_author_email varchar(100) NOT NULL default '',
\tcomment_author_url varchar(200) NOT NULL default '',
\tcomment_author_IP varchar(100) NOT NULL default '',
\tcomment_date datetime NOT NULL default '0000-00-00 00:00:00',
\tcomment_date_gmt datetime NOT NULL default '0000-00-00 00:00:00',
\tcomment_content text NOT NULL,
\tcomment_karma int(11) NOT NULL default '0',
\tcomment_approved varchar(20) NOT NULL default '1',
\tcomment_agent varchar(255) NOT NULL default '',
\tcomment_type varchar(20) NOT NULL default 'comment',
\tcomment_parent bigint(20) unsigned NOT NULL default '0',
\tuser_id bigint(20) unsigned NOT NULL default '0',
\tPRIMARY KEY  (comment_ID),
\tKEY comment_post_ID (comment_post_ID),
\tKEY comment_approved_date_gmt (comment_approved,comment_date_gmt),
\tKEY comment_date_gmt (comment_date_gmt),
\tKEY comment_parent (comment_parent),
\tKEY comment_author_email (comment_author_email(10))
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_520_ci""",
    """CREATE TABLE wp_options (
\toption_id bigint(20) unsigned NOT NULL auto_increment,
\toption_name varchar(191) NOT NULL default '',
\toption_value longtext NOT NULL,
\tautoload varchar(20) NOT NULL default 'yes',
\tPRIMARY KEY  (option_id),
\tUNIQUE KEY option_name (option_name),
\tKEY autoload (autoload)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_520_ci""",
    """CREATE TABLE wp_postmeta (
\tmeta_id bigint(20) unsigned NOT NULL auto_increment,
\tpost_id bigint(20) unsigned NOT NULL default '0',
\tmeta_key varchar(255) default NULL,
\tmeta_value longtext,
\tPRIMARY KEY  (meta_id),
\tKEY post_id (post_id),
\tKEY meta_key (meta_key(191))
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_520_ci""",
    """CREATE TABLE wp_posts (
\tID bigint(20) unsigned NOT NULL auto_increment,
\tpost_author bigint(20) unsigned NOT NULL default '0',
\tpost_date datetime NOT NULL default '0000-00-00 00:00:00',
\tpost_date_gmt datetime NOT NULL default '0000-00-00 00:00:00',
\tpost_content longtext NOT NULL,
\tpost_title text NOT NULL,
\tpost_excerpt text NOT NULL,
\tpost_status varchar(20) NOT NULL default 'publish',
\tcomment_status varchar(20) NOT NULL default 'open',
\tping_status varchar(20) NOT NULL default 'open',
\tpost_password varchar(255) NOT NULL default '',
\tpost_name varchar(200) NOT NULL default '',
\tto_ping text NOT NULL,
\tpinged text NOT NULL,
\tpost_modified datetime NOT NULL default '0000-00-00 00:00:00',
\tpost_modified_gmt datetime NOT NULL default '0000-00-00 00:00:00',
\tpost_content_filtered longtext NOT NULL,
\tpost_parent bigint(20) unsigned NOT NULL default '0',
\tguid varchar(255) NOT NULL default '',
\tmenu_order int(11) NOT NULL default '0',
\tpost_type varchar(20) NOT NULL default 'post',
\tpost_mime_type varchar(100) NOT NULL default '',
\tcomment_count bigint(20) NOT NULL default '0',
\tPRIMARY KEY  (ID),
\tKEY post_name (post_name(191)),
\tKEY type_status_date (post_type,post_status,post_date,ID),
\tKEY post_parent (post_parent),
\tKEY post_author (post_author)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_520_ci""",
]


def post(i, title, name, status="publish", ptype="post", date="2024-03-0%d 10:00:00",
         gmt=None, content="Hello", parent=0, author=1, menu_order=0):
    d = date % i if "%d" in date else date
    g = gmt if gmt is not None else d
    return ("INSERT INTO `wp_posts` (`post_author`, `post_date`, `post_date_gmt`, `post_content`, "
            "`post_content_filtered`, `post_title`, `post_excerpt`, `post_status`, `post_type`, "
            "`comment_status`, `ping_status`, `post_password`, `post_name`, `to_ping`, `pinged`, "
            "`post_modified`, `post_modified_gmt`, `post_parent`, `menu_order`, `post_mime_type`, "
            "`guid`) VALUES (%d, '%s', '%s', '%s', '', '%s', '', '%s', '%s', 'open', 'open', '', "
            "'%s', '', '', '%s', '%s', %d, %d, '', 'http://example.test/?p=%d')"
            % (author, d, g, content, title, status, ptype, name, d, g, parent, menu_order, i))


STATEMENTS = [
    # session setup, as mysqli + wpdb do it (§1.2)
    "SET NAMES utf8mb4",
    "SET NAMES 'utf8mb4' COLLATE 'utf8mb4_unicode_520_ci'",
    "SET SESSION sql_mode='ERROR_FOR_DIVISION_BY_ZERO,NO_AUTO_CREATE_USER,NO_ENGINE_SUBSTITUTION'",
    "SELECT @@SESSION.sql_mode",
    # probing before install: 1146 (§1.4)
    "SELECT option_value FROM wp_options WHERE option_name = 'siteurl' LIMIT 1",
    "DESCRIBE wp_users;",
    "SHOW TABLES LIKE 'wp\\\\_users'",
] + SCHEMA + [
    "SHOW TABLES LIKE 'wp\\\\_users'",
    "DESCRIBE wp_options;",
    "DESCRIBE wp_term_relationships;",
    "SHOW FULL COLUMNS FROM `wp_options`",
    "SHOW FULL COLUMNS FROM `wp_users`",
    # options: multi-row insert (insert id = first of the batch), ODKU 1/2/0, IGNORE, updates
    "INSERT INTO wp_options(option_name, option_value, autoload) VALUES ('siteurl', "
    "'http://example.test', 'yes'), ('home', 'http://example.test', 'yes'), ('blogname', "
    "'My \\'blog\\'', 'yes'), ('_transient_timeout_feed_x', '1000', 'no'), "
    "('_transient_feed_x', 'a:1:{s:1:\\\"a\\\";}', 'no'), ('rss_0123456789abcdef0123456789abcdef',"
    " 'x', 'no'), ('cron', 'a:0:{}', 'yes')",
    "INSERT INTO `wp_options` (`option_name`, `option_value`, `autoload`) VALUES ('fresh', 'v1', "
    "'yes') ON DUPLICATE KEY UPDATE `option_name` = VALUES(`option_name`), `option_value` = "
    "VALUES(`option_value`), `autoload` = VALUES(`autoload`)",
    "INSERT INTO `wp_options` (`option_name`, `option_value`, `autoload`) VALUES ('fresh', 'v2', "
    "'yes') ON DUPLICATE KEY UPDATE `option_name` = VALUES(`option_name`), `option_value` = "
    "VALUES(`option_value`), `autoload` = VALUES(`autoload`)",
    "INSERT INTO `wp_options` (`option_name`, `option_value`, `autoload`) VALUES ('fresh', 'v2', "
    "'yes') ON DUPLICATE KEY UPDATE `option_name` = VALUES(`option_name`), `option_value` = "
    "VALUES(`option_value`), `autoload` = VALUES(`autoload`)",
    "INSERT IGNORE INTO `wp_options` (`option_name`, `option_value`, `autoload`) VALUES "
    "('fresh', 'lock', 'no') /* LOCK */",
    "INSERT INTO `wp_options` (`option_name`, `option_value`, `autoload`) VALUES ('home', 'dup', 'yes')",
    "INSERT INTO `wp_options` (`option_name`, `option_value`, `autoload`) VALUES ('HOME', 'dup', 'yes')",
    "UPDATE `wp_options` SET `option_value` = 'http://example.test' WHERE `option_name` = 'home'",
    "UPDATE `wp_options` SET `option_value` = 'http://example.test/' WHERE `option_name` = 'home'",
    "UPDATE wp_options set option_value = 'My blog' where option_name = 'blogname'",
    "SELECT option_value FROM wp_options WHERE option_name = 'siteurl' LIMIT 1",
    "SELECT option_value FROM wp_options WHERE option_name = 'SiteURL' LIMIT 1",
    "SELECT option_value FROM wp_options WHERE option_name = 'siteurl   ' LIMIT 1",
    "SELECT autoload FROM wp_options WHERE option_name = 'cron'",
    "SELECT option_name, option_value FROM wp_options WHERE autoload = 'yes'",
    "SELECT option_name FROM wp_options WHERE option_name IN ('home','siteurl','nope')",
    "SELECT option_name FROM wp_options WHERE option_name LIKE '\\\\_transient\\\\_%'",
    "SELECT option_name FROM wp_options WHERE option_name LIKE '_transient_%' ORDER BY option_name",
    "SELECT option_name FROM wp_options WHERE option_name REGEXP '^rss_[0-9a-f]{32}(_ts)?$'",
    "  \n\tSELECT option_value FROM wp_options WHERE option_name = 'home' ;  ",
    # users
    "INSERT INTO `wp_users` (`user_pass`, `user_nicename`, `user_email`, `user_url`, "
    "`user_registered`, `user_activation_key`, `display_name`, `user_login`) VALUES ('$P$Bxyz', "
    "'admin', 'admin@example.test', 'http://example.test', '2024-03-01 09:00:00', '', 'admin', 'admin')",
    "INSERT INTO `wp_usermeta` (`user_id`, `meta_key`, `meta_value`) VALUES (1, 'nickname', 'admin')",
    "INSERT INTO `wp_usermeta` (`user_id`, `meta_key`, `meta_value`) VALUES (1, 'wp_capabilities', "
    "'a:1:{s:13:\\\"administrator\\\";b:1;}')",
    "INSERT INTO `wp_usermeta` (`user_id`, `meta_key`, `meta_value`) VALUES (1, 'session_tokens', '1700000000')",
    "SELECT * FROM wp_users WHERE user_login = 'ADMIN' LIMIT 1",
    "SELECT * FROM wp_users WHERE ID = '1' LIMIT 1",
    "SELECT user_id, meta_key, meta_value FROM wp_usermeta WHERE user_id IN (1) ORDER BY umeta_id ASC",
    "SELECT umeta_id FROM wp_usermeta WHERE meta_key = 'nickname' AND user_id = 1",
    "SELECT COUNT(ID) as c FROM wp_users",
    "SELECT COUNT(NULLIF(`meta_value` LIKE '%\\\"administrator\\\"%', false)), COUNT(*) FROM "
    "wp_usermeta INNER JOIN wp_users ON user_id = ID WHERE meta_key = 'wp_capabilities'",
    "SELECT user_id FROM wp_usermeta WHERE meta_key = 'session_tokens' AND meta_value < 1795238784",
    "SELECT user_id FROM wp_usermeta WHERE meta_key = 'session_tokens' AND meta_value < 900",
    "UPDATE `wp_usermeta` SET `meta_value` = 'boss' WHERE `user_id` = 1 AND `meta_key` = 'nickname'",
    "SELECT SQL_CALC_FOUND_ROWS wp_users.ID FROM wp_users WHERE 1=1 ORDER BY user_login ASC LIMIT 0, 20",
    "SELECT FOUND_ROWS()",
    # posts, including drafts with zero dates
    post(1, "Hello world!", "hello-world"),
    post(2, "Second post", "second-post", date="2024-04-02 08:30:00"),
    post(3, "A page", "a-page", ptype="page", menu_order=2),
    post(4, "Auto draft", "", status="auto-draft", date="2020-01-01 00:00:00", gmt=ZERO),
    post(5, "Draft O'Brien", "draft", status="draft", gmt=ZERO),
    post(6, "Another page", "another-page", ptype="page", menu_order=1),
    "INSERT INTO `wp_postmeta` (`post_id`, `meta_key`, `meta_value`) VALUES (1, '_edit_lock', '1700000000:1')",
    "INSERT INTO `wp_postmeta` (`post_id`, `meta_key`, `meta_value`) VALUES (2, '_wp_old_date', '2024-04-01')",
    "SELECT * FROM wp_posts WHERE ID = 1 LIMIT 1",
    "SELECT wp_posts.* FROM wp_posts WHERE ID IN (2,1)",
    "SELECT SQL_CALC_FOUND_ROWS wp_posts.ID FROM wp_posts WHERE 1=1 AND ((wp_posts.post_type = "
    "'post' AND (wp_posts.post_status = 'publish'))) ORDER BY wp_posts.post_date DESC LIMIT 0, 1",
    "SELECT FOUND_ROWS()",
    "SELECT wp_posts.ID FROM wp_posts WHERE 1=1 AND (0 = 1) AND wp_posts.post_type = 'wp_template' "
    "AND ((wp_posts.post_status = 'publish')) GROUP BY wp_posts.ID ORDER BY wp_posts.post_date DESC LIMIT 0, 10",
    "SELECT wp_posts.* FROM wp_posts WHERE 1=1 AND wp_posts.post_name IN ('Hello-World') AND "
    "wp_posts.post_type = 'post' AND ((wp_posts.post_status = 'publish')) GROUP BY wp_posts.ID "
    "ORDER BY wp_posts.post_date DESC",
    "SELECT * FROM wp_posts WHERE (post_type = 'page' AND post_status = 'publish') ORDER BY "
    "menu_order, wp_posts.post_title ASC",
    "SELECT post_status, COUNT(*) AS num_posts FROM wp_posts WHERE post_type = 'post' GROUP BY post_status",
    "SELECT COUNT( 1 ) FROM wp_posts WHERE post_type = 'post' AND post_status NOT IN "
    "('trash','auto-draft') AND post_author = 1",
    "SELECT DISTINCT YEAR(post_date) AS year, MONTH(post_date) AS month FROM wp_posts WHERE "
    "post_type = 'post' AND post_status != 'auto-draft' AND post_status != 'trash' ORDER BY post_date DESC",
    "SELECT wp_posts.* FROM wp_posts WHERE 1=1 AND ((YEAR(wp_posts.post_date) = 2024 AND "
    "MONTH(wp_posts.post_date) = 3 AND DAYOFMONTH(wp_posts.post_date) = 1)) AND "
    "wp_posts.post_name = 'hello-world' AND wp_posts.post_type = 'post' ORDER BY wp_posts.post_date DESC",
    "SELECT ID FROM wp_posts WHERE post_status = 'auto-draft' AND DATE_SUB(NOW(), INTERVAL 7 DAY) > post_date",
    "SELECT ID FROM wp_posts WHERE post_date_gmt = '0000-00-00 00:00:00' ORDER BY ID",
    "SELECT ID FROM wp_posts WHERE post_date_gmt < '1970-01-01 00:00:00' ORDER BY ID",
    "SELECT post_name FROM wp_posts WHERE post_name = 'hello-world' AND post_type = 'post' AND ID != 1 LIMIT 1",
    "SELECT 1 as test FROM wp_posts WHERE post_type = 'page' AND post_status = 'publish' LIMIT 1",
    "SELECT SQL_CALC_FOUND_ROWS wp_posts.ID FROM wp_posts WHERE 1=1 AND (((wp_posts.post_title "
    "LIKE '%hello%') OR (wp_posts.post_excerpt LIKE '%hello%') OR (wp_posts.post_content LIKE "
    "'%hello%'))) AND (wp_posts.post_password = '') AND ((wp_posts.post_type = 'post' AND "
    "(wp_posts.post_status = 'publish')) OR (wp_posts.post_type = 'page' AND "
    "(wp_posts.post_status = 'publish'))) ORDER BY wp_posts.post_title LIKE '%hello%' DESC, "
    "wp_posts.post_date DESC LIMIT 0, 10",
    "SELECT FOUND_ROWS()",
    "SELECT post_id, meta_key, meta_value FROM wp_postmeta WHERE post_id IN (1,2) ORDER BY meta_id ASC",
    "SELECT post_id FROM wp_postmeta WHERE meta_key = '_edit_lock' AND meta_value < 1795238784",
    "UPDATE `wp_posts` SET `comment_count` = 1 WHERE `ID` = 1",
    "UPDATE `wp_posts` SET `comment_count` = 1 WHERE `ID` = 1",
    "UPDATE `wp_posts` SET `guid` = 'http://example.test/?p=2' WHERE `ID` = 2",
    # terms
    "INSERT INTO `wp_terms` (`name`, `slug`, `term_group`) VALUES ('Uncategorized', 'uncategorized', 0)",
    "INSERT INTO `wp_terms` (`name`, `slug`, `term_group`) VALUES ('Café', 'cafe', 0)",
    "INSERT INTO `wp_term_taxonomy` (`term_id`, `taxonomy`, `description`, `parent`, `count`) "
    "VALUES (1, 'category', '', 0, 1)",
    "INSERT INTO `wp_term_taxonomy` (`term_id`, `taxonomy`, `description`, `parent`, `count`) "
    "VALUES (2, 'post_tag', '', 0, 1)",
    "INSERT INTO `wp_term_taxonomy` (`term_id`, `taxonomy`, `description`, `parent`, `count`) "
    "VALUES (1, 'category', 'dup', 0, 1)",
    "INSERT INTO `wp_term_relationships` (`object_id`, `term_taxonomy_id`) VALUES (1, 1)",
    "INSERT INTO `wp_term_relationships` (`object_id`, `term_taxonomy_id`) VALUES (2, 2)",
    "INSERT INTO wp_term_relationships (object_id, term_taxonomy_id, term_order) VALUES (2, 2, 5) "
    "ON DUPLICATE KEY UPDATE term_order = VALUES(term_order)",
    "SELECT t.term_id FROM wp_terms AS t INNER JOIN wp_term_taxonomy AS tt ON t.term_id = "
    "tt.term_id WHERE tt.taxonomy IN ('category') AND t.name IN ('uncategorized') LIMIT 1",
    "SELECT t.term_id FROM wp_terms AS t INNER JOIN wp_term_taxonomy AS tt ON t.term_id = "
    "tt.term_id WHERE tt.taxonomy IN ('post_tag') AND t.name IN ('cafe') LIMIT 1",
    "SELECT t.*, tt.* FROM wp_terms AS t INNER JOIN wp_term_taxonomy AS tt ON t.term_id = "
    "tt.term_id WHERE t.term_id IN (1,2)",
    "SELECT DISTINCT t.term_id, tr.object_id FROM wp_terms AS t INNER JOIN wp_term_taxonomy AS tt "
    "ON t.term_id = tt.term_id INNER JOIN wp_term_relationships AS tr ON tr.term_taxonomy_id = "
    "tt.term_taxonomy_id WHERE tt.taxonomy IN ('category', 'post_tag') AND tr.object_id IN (1, 2) "
    "ORDER BY t.name ASC",
    "SELECT COUNT(*) FROM wp_term_relationships, wp_posts WHERE wp_posts.ID = "
    "wp_term_relationships.object_id AND post_status IN ('publish') AND post_type IN ('post') AND "
    "term_taxonomy_id = 1",
    "SELECT SQL_CALC_FOUND_ROWS wp_posts.ID FROM wp_posts LEFT JOIN wp_term_relationships ON "
    "(wp_posts.ID = wp_term_relationships.object_id) WHERE 1=1 AND "
    "(wp_term_relationships.term_taxonomy_id IN (1)) AND ((wp_posts.post_type = 'post' AND "
    "(wp_posts.post_status = 'publish'))) GROUP BY wp_posts.ID ORDER BY wp_posts.post_date DESC LIMIT 0, 10",
    "SELECT FOUND_ROWS()",
    "UPDATE `wp_term_taxonomy` SET `count` = 1 WHERE `term_taxonomy_id` = 1",
    # comments
    "INSERT INTO `wp_comments` (`comment_post_ID`, `comment_author_IP`, `comment_author`, "
    "`comment_author_email`, `comment_author_url`, `comment_date`, `comment_date_gmt`, "
    "`comment_content`, `comment_karma`, `comment_approved`, `comment_agent`, `comment_type`, "
    "`comment_parent`, `user_id`) VALUES (1, '127.0.0.1', 'O\\'Brien', 'ob@example.test', '', "
    "'2024-03-02 12:00:00', '2024-03-02 12:00:00', 'Nice `post`; ON DUPLICATE KEY UPDATE %_', 0, "
    "'0', 'curl', 'comment', 0, 0)",
    "SELECT COUNT(*) FROM wp_comments WHERE (comment_approved = '0') ORDER BY "
    "wp_comments.comment_date_gmt DESC",
    "SELECT comment_post_ID, COUNT(comment_ID) as num_comments FROM wp_comments WHERE "
    "comment_post_ID IN ('1') AND comment_approved = '0' GROUP BY comment_post_ID",
    "UPDATE `wp_comments` SET `comment_approved` = '1' WHERE `comment_ID` = 1",
    "SELECT wp_comments.comment_ID FROM wp_comments WHERE ((comment_approved = '0' OR "
    "comment_approved = '1')) ORDER BY wp_comments.comment_date_gmt DESC LIMIT 0, 20",
    "SELECT comment_author, comment_content FROM wp_comments WHERE comment_ID = 1 LIMIT 1",
    # transients GC (multi-table DELETE), REGEXP delete, plain deletes
    "DELETE a, b FROM wp_options a, wp_options b WHERE a.option_name LIKE '\\\\_transient\\\\_%' "
    "AND a.option_name NOT LIKE '\\\\_transient\\\\_timeout\\\\_%' AND b.option_name = "
    "CONCAT('_transient_timeout_', SUBSTRING(a.option_name, 12)) AND b.option_value < 1795238784",
    "SELECT option_name FROM wp_options ORDER BY option_name",
    "DELETE FROM wp_options WHERE option_name REGEXP '^rss_[0-9a-f]{32}(_ts)?$'",
    "DELETE FROM `wp_options` WHERE `option_name` = 'fresh'",
    "DELETE FROM wp_postmeta WHERE meta_id IN (1,2)",
    # non-strict mode (§3.6.14): over-long values are truncated, missing NOT NULL text gets ''
    "INSERT INTO `wp_options` (`option_name`, `option_value`, `autoload`) VALUES ('long', 'v', "
    "'abcdefghijklmnopqrstuvwxyz')",
    "SELECT autoload, LENGTH(autoload) FROM wp_options WHERE option_name = 'long'",
    "INSERT INTO `wp_options` (`option_name`) VALUES ('noval')",
    "SELECT option_value, autoload FROM wp_options WHERE option_name = 'noval'",
    "UPDATE wp_posts SET menu_order = 'abc' WHERE ID = 6",
    "SELECT menu_order FROM wp_posts WHERE ID = 6",
    # errors
    "SELEC 1",
    "SELECT nope FROM wp_options",
    "SELECT * FROM wp_nothing",
    "INSERT INTO wp_users (ID, user_login) VALUES (1, 'again')",
    # expressions and literals
    "SELECT 1 + 1, 'a\\nb', 'O\\'Brien', \"dq\", 'back\\\\slash', NULL, 1.50, -7, 10/4",
    "SELECT CONCAT('a', 'b', 'c'), SUBSTRING('transient', 3), LENGTH('héllo'), CHAR_LENGTH('héllo')",
    "SELECT CAST('42abc' AS SIGNED), CAST(-1 AS UNSIGNED), CAST(3.7 AS SIGNED)",
    "SELECT FIELD('b', 'a', 'b', 'c'), IFNULL(NULL, 'x'), COALESCE(NULL, NULL, 3)",
    "SELECT LAST_INSERT_ID()",
    "SELECT 'abc' = 'ABC', 'abc' = 'abc  ', 'é' = 'e'",
    "SELECT YEAR('2024-02-29 10:11:12'), MONTH('2024-02-29'), DAYOFMONTH('2024-02-29')",
    "SELECT DATE_ADD('2024-02-28 00:00:00', INTERVAL 1 DAY), DATE_SUB('2024-03-01', INTERVAL 1 DAY)",
    "SELECT DATE_FORMAT('2024-03-05 07:08:09', '%Y/%m/%d %H:%i:%s')",
    "SELECT UNIX_TIMESTAMP('2024-01-01 00:00:00') > 0, TRIM('  x  '), LEFT('abcdef', 2)",
    # transactions
    "BEGIN",
    "INSERT INTO `wp_options` (`option_name`, `option_value`, `autoload`) VALUES ('txn', '1', 'no')",
    "ROLLBACK",
    "SELECT COUNT(*) FROM wp_options WHERE option_name = 'txn'",
    "START TRANSACTION",
    "INSERT INTO `wp_options` (`option_name`, `option_value`, `autoload`) VALUES ('txn', '2', 'no')",
    "COMMIT",
    "SELECT option_value FROM wp_options WHERE option_name = 'txn'",
    # DDL upgrades
    "ALTER TABLE wp_options ADD COLUMN extra varchar(10) NOT NULL default 'x'",
    "SELECT option_name, extra FROM wp_options WHERE option_name = 'home'",
    "SHOW INDEX FROM wp_options",
    "TRUNCATE TABLE wp_postmeta",
    "SELECT COUNT(*) FROM wp_postmeta",
    "DROP TABLE IF EXISTS wp_links",
    "DROP TABLE wp_links",
    "SELECT VERSION() LIKE '%'",
]


# Run after STATEMENTS as server-side prepared statements through PHP mysqli (mysqlnd decodes
# the binary protocol into PHP types), comparing the binary rows of both servers.
BINARY_QUERIES = [
    ("SELECT ID, post_author, post_date, post_date_gmt, post_title, menu_order, comment_count "
     "FROM wp_posts WHERE ID > ? ORDER BY ID", "i", [0]),
    ("SELECT option_id, option_name, option_value, autoload FROM wp_options WHERE option_name = ?",
     "s", ["home"]),
    ("SELECT COUNT(*), MAX(post_date), MIN(ID) FROM wp_posts WHERE post_type = ?", "s", ["post"]),
    ("SELECT t.term_id, t.name, tt.taxonomy, tt.count FROM wp_terms AS t INNER JOIN "
     "wp_term_taxonomy AS tt ON t.term_id = tt.term_id WHERE t.term_id IN (?, ?) ORDER BY t.term_id",
     "ii", [1, 2]),
    ("SELECT user_login, user_registered, user_status FROM wp_users WHERE ID = ?", "i", [1]),
    ("SELECT ? + 1, ? * 2, CONCAT(?, 'x')", "ids", [41, 1.25, "a"]),
    ("SELECT NULL, -7, 3000000000, 'text'", "", []),
    ("SELECT post_date FROM wp_posts WHERE post_date > ? ORDER BY ID", "s", ["2024-03-01 12:00:00"]),
    ("SELECT comment_karma, comment_date FROM wp_comments WHERE comment_ID = ?", "i", [1]),
    ("SELECT nope FROM wp_posts WHERE ID = ?", "i", [1]),
]

PHP_BINARY = r"""<?php
mysqli_report(MYSQLI_REPORT_OFF);
$q = json_decode(file_get_contents($argv[2]), true);
$m = new mysqli('127.0.0.1', 'root', 'pw', 'test', (int)$argv[1]);
$m->set_charset('utf8mb4');
$out = [];
foreach ($q as [$sql, $types, $params]) {
    $st = $m->prepare($sql);
    if (!$st) { $out[] = ['err', $m->errno]; continue; }
    if ($types !== '') $st->bind_param($types, ...$params);
    if (!$st->execute()) { $out[] = ['err', $st->errno]; $st->close(); continue; }
    $res = $st->get_result();
    $meta = [];
    foreach ($res->fetch_fields() as $f) $meta[] = [$f->name, $f->type];
    $out[] = ['rows', $meta, $res->fetch_all(MYSQLI_NUM)];
    $st->close();
}
echo json_encode($out);
"""


def run_binary(port, tmpdir):
    import json
    import os
    import subprocess
    qf = os.path.join(tmpdir, "q.json")
    with open(qf, "w") as f:
        json.dump(BINARY_QUERIES, f)
    pf = os.path.join(tmpdir, "b.php")
    with open(pf, "w") as f:
        f.write(PHP_BINARY)
    r = subprocess.run(["php", pf, str(port), qf], capture_output=True, text=True, timeout=60)
    if r.returncode != 0:
        return [("php failed", r.stdout[-500:] + r.stderr[-500:])] * len(BINARY_QUERIES)
    return json.loads(r.stdout)


def normalize(v):
    if isinstance(v, (bytes, bytearray)):
        return bytes(v).decode("utf-8", "surrogateescape")
    return v


def run(conn, sql):
    import pymysql
    cur = conn.cursor()
    try:
        cur.execute(sql)
    except pymysql.err.Error as e:
        return ("err", e.args[0])
    if cur.description is None:
        return ("ok", cur.rowcount, cur.lastrowid)
    names = tuple(d[0] for d in cur.description)
    types = tuple(d[1] for d in cur.description)
    rows = [tuple(normalize(v) for v in r) for r in cur.fetchall()]
    if not re.search(r"\bORDER\s+BY\b", sql, re.I):
        rows.sort(key=lambda r: tuple("" if v is None else str(v) for v in r))
    return ("rows", names, types, rows)


@pytest.fixture(scope="module")
def outcomes():
    mdb = MariaDB()
    harv = HarvSQL(databases=("test",))
    try:
        mc = mdb.pymysql(conv={})
        hc = harv.pymysql(conv={})
        res = []
        for sql in STATEMENTS:
            res.append((run(mc, sql), run(hc, sql)))
        mc.close()
        hc.close()
        res_bin = list(zip(run_binary(mdb.port, mdb.dir), run_binary(harv.port, harv.dir)))
        yield res, res_bin
    finally:
        harv.stop()
        mdb.stop()


def short(sql):
    s = " ".join(sql.split())
    return s[:70]


# Where MySQL 8 — the dialect HarvSQL speaks (it greets as 8.0.x) — and the MariaDB reference
# differ, the common part is compared with MariaDB and the rest with MySQL 8's definition.
SHOW_INDEX_COMMON = 13  # Table .. Index_comment; then MySQL 8: Visible, Expression; MariaDB: Ignored


def mysql8_dialect(sql, mariadb, harv):
    """Returns (mariadb, harv) reduced to what both servers define, after checking HarvSQL's
    MySQL-8-only part; unchanged for every other statement."""
    if not re.match(r"(?i)\s*SHOW\s+(INDEX|INDEXES|KEYS)\b", sql) or harv[0] != "rows":
        return mariadb, harv
    kind, names, types, rows = harv
    assert names[SHOW_INDEX_COMMON:] == ("Visible", "Expression"), names
    assert all(r[SHOW_INDEX_COMMON:] == ("YES", None) for r in rows), rows
    cut = lambda t: tuple(t[:SHOW_INDEX_COMMON])  # noqa: E731
    return ((mariadb[0], cut(mariadb[1]), cut(mariadb[2]), [cut(r) for r in mariadb[3]]),
            (kind, cut(names), cut(types), [cut(r) for r in rows]))


@pytest.mark.parametrize("i", range(len(STATEMENTS)), ids=[
    "%03d-%s" % (i, re.sub(r"[^A-Za-z0-9_]+", "_", short(s))[:50]) for i, s in enumerate(STATEMENTS)])
def test_same_as_mariadb(outcomes, i):
    mariadb, harv = outcomes[0][i]
    mariadb, harv = mysql8_dialect(STATEMENTS[i], mariadb, harv)
    assert harv == mariadb, "\nSQL: %s\nMariaDB: %r\nHarvSQL: %r" % (STATEMENTS[i], mariadb, harv)


@pytest.mark.parametrize("i", range(len(BINARY_QUERIES)), ids=[
    "bin%02d-%s" % (i, re.sub(r"[^A-Za-z0-9_]+", "_", short(q[0]))[:50])
    for i, q in enumerate(BINARY_QUERIES)])
def test_same_binary_rows_as_mariadb(outcomes, i):
    mariadb, harv = outcomes[1][i]
    assert harv == mariadb, "\nSQL: %s\nMariaDB: %r\nHarvSQL: %r" % (
        BINARY_QUERIES[i][0], mariadb, harv)
