"""HarvSQL against MariaDB: the same statements, in the same order, on a private MariaDB
(Debian's mariadb-server on its own datadir and port) and on HarvSQL, through the same client
(PyMySQL, text protocol, no value conversion, CLIENT_FOUND_ROWS off as in mysqlnd). Each
statement is one test case that compares the outcome: error code and message, or affected rows
and insert id, or column names, column types and rows (the text MySQL sends). The statements
follow the WordPress session of ../shared/docs/wordpress-sql.md: its schema, the shapes of
../shared/data/wordpress-query-shapes.sql with literals filled in, and the points of §3.6.
A failing case is a real difference between HarvSQL and MariaDB.
Two more tests keep the suite complete: every one of the file's 170 shapes is the shape (as
sqlshape.py normalises statements, the way the file does) of a statement run here, and one
of them returns or writes rows; and every numbered point of §3.6 is exercised by statements
tagged with it (S(sql, points...)), whose text fits the point."""
# ctest: labels=integration;mariadb timeout=600
import os
import re

import pytest

import sqlshape
from sqlutil import SHARED, HarvSQL, MariaDB

ZERO = "0000-00-00 00:00:00"
SHAPES_FILE = os.path.join(SHARED, "data", "wordpress-query-shapes.sql")
WORDPRESS_SQL_MD = os.path.join(SHARED, "docs", "wordpress-sql.md")


class S(str):
    """A statement tagged with the points of wordpress-sql.md §3.6 it exercises."""

    def __new__(cls, sql, *points):
        o = str.__new__(cls, sql)
        o.points = frozenset(points)
        return o

SCHEMA = [
    """CREATE TABLE wp_termmeta (
\tmeta_id bigint(20) unsigned NOT NULL auto_increment,
\tterm_id bigint(20) unsigned NOT NULL default '0',
\tmeta_key varchar(255) default NULL,
\tmeta_value longtext,
\tPRIMARY KEY  (meta_id),
\tKEY term_id (term_id),
\tKEY meta_key (meta_key(191))
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_520_ci""",
    """CREATE TABLE wp_commentmeta (
\tmeta_id bigint(20) unsigned NOT NULL auto_increment,
\tcomment_id bigint(20) unsigned NOT NULL default '0',
\tmeta_key varchar(255) default NULL,
\tmeta_value longtext,
\tPRIMARY KEY  (meta_id),
\tKEY comment_id (comment_id),
\tKEY meta_key (meta_key(191))
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_520_ci""",
    """CREATE TABLE wp_links (
\tlink_id bigint(20) unsigned NOT NULL auto_increment,
\tlink_url varchar(255) NOT NULL default '',
\tlink_name varchar(255) NOT NULL default '',
\tlink_image varchar(255) NOT NULL default '',
\tlink_target varchar(25) NOT NULL default '',
\tlink_description varchar(255) NOT NULL default '',
\tlink_visible varchar(20) NOT NULL default 'Y',
\tlink_owner bigint(20) unsigned NOT NULL default '1',
\tlink_rating int(11) NOT NULL default '0',
\tlink_updated datetime NOT NULL default '0000-00-00 00:00:00',
\tlink_rel varchar(255) NOT NULL default '',
\tlink_notes mediumtext NOT NULL,
\tlink_rss varchar(255) NOT NULL default '',
\tPRIMARY KEY  (link_id),
\tKEY link_visible (link_visible)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_520_ci""",
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

TABLES = sorted(re.match(r"CREATE TABLE (\w+)", t).group(1) for t in SCHEMA)


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


def comment(post_id, ip, author, email, url, date, gmt, content, approved, ctype, parent, user):
    return ("INSERT INTO `wp_comments` (`comment_post_ID`, `comment_author_IP`, `comment_author`, "
            "`comment_author_email`, `comment_author_url`, `comment_date`, `comment_date_gmt`, "
            "`comment_content`, `comment_karma`, `comment_approved`, `comment_agent`, "
            "`comment_type`, `comment_parent`, `user_id`) VALUES (%d, '%s', '%s', '%s', '%s', "
            "'%s', '%s', '%s', 0, '%s', 'Mozilla/5.0', '%s', %d, %d)"
            % (post_id, ip, author, email, url, date, gmt, content, approved, ctype, parent, user))


def terms_join(where, cols="t.term_id", count=False):
    return ("SELECT %s FROM wp_terms AS t INNER JOIN wp_term_taxonomy AS tt ON t.term_id = "
            "tt.term_id WHERE %s" % ("COUNT(*)" if count else cols, where))


def terms_rel_join(distinct, where):
    return ("SELECT DISTINCT %s FROM wp_terms AS t INNER JOIN wp_term_taxonomy AS tt ON "
            "t.term_id = tt.term_id INNER JOIN wp_term_relationships AS tr ON "
            "tr.term_taxonomy_id = tt.term_taxonomy_id WHERE %s" % (distinct, where))


ROLES = ("administrator", "editor", "author", "contributor", "subscriber")
ALL_STATUSES = ("publish", "future", "draft", "pending", "private", "trash", "auto-draft",
                "inherit", "request-pending", "request-confirmed", "request-failed",
                "request-completed")
UPDATE_EDITOR = (
    "UPDATE `wp_users` SET `user_pass` = '$P$Bnewhash', `user_nicename` = 'editor', "
    "`user_email` = 'editor@example.test', `user_url` = 'http://ed.example.test', "
    "`user_registered` = '2024-03-10 09:00:00', `user_activation_key` = '', `display_name` = "
    "'Ed Itor' WHERE `ID` = 2")

# The rest of the captured session's shapes (wordpress-query-shapes.sql), on more users,
# posts (revisions, an attachment, child pages), comments (replies, a pingback, moderation,
# spam) and terms (a child category, term and comment meta). Dates and counts are distinct
# wherever a query orders by them, so the order of the rows is defined on both servers.
WORDPRESS_SESSION = [
    # users and roles
    "INSERT INTO `wp_users` (`user_pass`, `user_nicename`, `user_email`, `user_url`, "
    "`user_registered`, `user_activation_key`, `display_name`, `user_login`) VALUES ('$P$Bedit', "
    "'editor', 'editor@example.test', '', '2024-03-10 09:00:00', '', 'ed itor', 'editor')",
    "INSERT INTO `wp_users` (`user_pass`, `user_nicename`, `user_email`, `user_url`, "
    "`user_registered`, `user_activation_key`, `display_name`, `user_login`) VALUES ('$P$Bauth', "
    "'ann-oneil', 'ann@example.test', 'http://ann.example.test', '2024-03-11 09:00:00', '', "
    "'Ann O\\'Neil', 'ann')",
    "INSERT INTO `wp_usermeta` (`user_id`, `meta_key`, `meta_value`) VALUES (2, 'wp_capabilities', "
    "'a:1:{s:6:\\\"editor\\\";b:1;}')",
    "INSERT INTO `wp_usermeta` (`user_id`, `meta_key`, `meta_value`) VALUES (3, 'wp_capabilities', "
    "'a:1:{s:6:\\\"author\\\";b:1;}')",
    "INSERT INTO `wp_usermeta` (`user_id`, `meta_key`, `meta_value`) VALUES (3, 'first_name', "
    "'Ann')",
    "INSERT INTO `wp_usermeta` (`user_id`, `meta_key`, `meta_value`) VALUES (3, "
    "'dismissed_wp_pointers', '')",
    S(UPDATE_EDITOR, 4),
    S(UPDATE_EDITOR, 4),
    "SELECT * FROM wp_users WHERE ID IN (1, 2, 3)",
    S("SELECT * FROM wp_users WHERE user_email = 'Editor@Example.TEST' LIMIT 1", 1),
    S("SELECT ID FROM wp_users WHERE user_nicename = 'ADMIN' AND user_login != 'ann' LIMIT 1", 1),
    S("SELECT wp_users.ID, wp_users.user_login, wp_users.display_name FROM wp_users INNER JOIN "
      "wp_usermeta ON (wp_users.ID = wp_usermeta.user_id) WHERE 1=1 AND (((" + " OR ".join(
          "(wp_usermeta.meta_key = 'wp_capabilities' AND wp_usermeta.meta_value LIKE "
          "'%%\\\"%s\\\"%%')" % r for r in ROLES) + "))) ORDER BY display_name ASC", 1, 3),
    S("SELECT " + ", ".join("COUNT(NULLIF(`meta_value` LIKE '%%\\\"%s\\\"%%', false))" % r
                            for r in ROLES) +
      ", COUNT(NULLIF(`meta_value` = 'a:0:{}', false)), COUNT(*) FROM wp_usermeta INNER JOIN "
      "wp_users ON user_id = ID WHERE meta_key = 'wp_capabilities'", 3),
    S("DELETE FROM wp_usermeta WHERE umeta_id IN (6, 7)", 4),
    "SELECT user_id, meta_key, meta_value FROM wp_usermeta WHERE user_id IN (2, 3) ORDER BY "
    "umeta_id ASC",
    # posts: the install's three INSERT forms, revisions, an attachment, a child page
    S("INSERT INTO `wp_posts` (`post_author`, `post_date`, `post_date_gmt`, `post_content`, "
      "`post_excerpt`, `post_title`, `post_name`, `post_modified`, `post_modified_gmt`, `guid`, "
      "`comment_count`, `to_ping`, `pinged`, `post_content_filtered`) VALUES (1, "
      "'2024-05-01 09:00:00', '2024-05-01 07:00:00', '<!-- wp:paragraph -->\\n<p>Welcome to "
      "WordPress.</p>\\n<!-- /wp:paragraph -->', '', 'Welcome', 'welcome', '2024-05-01 09:00:00', "
      "'2024-05-01 07:00:00', 'http://example.test/?p=7', 1, '', '', '')", 3),
    "INSERT INTO `wp_posts` (`post_author`, `post_date`, `post_date_gmt`, `post_content`, "
    "`post_excerpt`, `comment_status`, `post_title`, `post_name`, `post_modified`, "
    "`post_modified_gmt`, `guid`, `post_type`, `to_ping`, `pinged`, `post_content_filtered`) "
    "VALUES (1, '2024-05-02 09:00:00', '2024-05-02 07:00:00', 'This is an example page.', '', "
    "'closed', 'Sample Page', 'sample-page', '2024-05-02 09:00:00', '2024-05-02 07:00:00', "
    "'http://example.test/?page_id=8', 'page', '', '', '')",
    S("INSERT INTO `wp_posts` (`post_author`, `post_date`, `post_date_gmt`, `post_content`, "
      "`post_excerpt`, `comment_status`, `post_title`, `post_name`, `post_modified`, "
      "`post_modified_gmt`, `guid`, `post_type`, `post_status`, `to_ping`, `pinged`, "
      "`post_content_filtered`) VALUES (1, '2024-05-03 09:00:00', '0000-00-00 00:00:00', "
      "'<h2>Who we are</h2>', '', 'closed', 'Privacy Policy', 'privacy-policy', "
      "'2024-05-03 09:00:00', '0000-00-00 00:00:00', 'http://example.test/?page_id=9', 'page', "
      "'draft', '', '', '')", 8),
    post(10, "Hello world!", "1-revision-v1", status="inherit", ptype="revision",
         date="2024-03-01 10:05:00", parent=1),
    post(11, "Hello world!", "1-revision-v2", status="inherit", ptype="revision",
         date="2024-03-01 10:10:00", parent=1),
    post(12, "Child page", "child", ptype="page", date="2024-05-04 09:00:00", parent=3),
    post(13, "Hello image", "hello-image", status="inherit", ptype="attachment",
         date="2024-03-01 10:01:00", parent=1, author=2),
    post(14, "Editor\\'s notes", "editors-notes", date="2024-06-01 09:00:00", author=2),
    post(15, "Private thoughts", "private-thoughts", status="private",
         date="2024-06-02 09:00:00", author=3),
    S("UPDATE `wp_posts` SET `post_author` = 1, `post_date` = '2024-05-10 12:00:00', "
      "`post_date_gmt` = '2024-05-10 10:00:00', `post_content` = '<p>Published from an "
      "auto-draft</p>', `post_content_filtered` = '', `post_title` = 'Fresh news', `post_excerpt` "
      "= '', `post_status` = 'publish', `post_type` = 'post', `comment_status` = 'open', "
      "`ping_status` = 'open', `post_password` = '', `post_name` = 'fresh-news', `to_ping` = '', "
      "`pinged` = '', `post_modified` = '2024-05-10 12:00:00', `post_modified_gmt` = "
      "'2024-05-10 10:00:00', `post_parent` = 0, `menu_order` = 0, `post_mime_type` = '', `guid` = "
      "'http://example.test/?p=4' WHERE `ID` = 4", 4),
    "INSERT INTO `wp_postmeta` (`post_id`, `meta_key`, `meta_value`) VALUES (7, '_thumbnail_id', "
    "'13')",
    "INSERT INTO `wp_postmeta` (`post_id`, `meta_key`, `meta_value`) VALUES (1, '_thumbnail_id', "
    "'13')",
    "INSERT INTO `wp_postmeta` (`post_id`, `meta_key`, `meta_value`) VALUES (13, "
    "'_wp_attached_file', '2024/03/hello.jpg')",
    "SELECT meta_id FROM wp_postmeta WHERE meta_key = '_thumbnail_id' AND post_id = 1",
    "SELECT COUNT(*) FROM wp_postmeta WHERE meta_key = '_thumbnail_id' AND post_id = 7",
    "SELECT wp_posts.* FROM wp_posts WHERE 1=1 AND (1 = 1) AND wp_posts.post_type = 'page' AND "
    "((wp_posts.post_status = 'publish')) GROUP BY wp_posts.ID ORDER BY wp_posts.post_date DESC",
    S("SELECT wp_posts.ID FROM wp_posts WHERE 1=1 AND wp_posts.post_name IN ('Hello-World') AND "
      "(1 = 1) AND wp_posts.post_type = 'post' AND ((wp_posts.post_status = 'publish')) GROUP BY "
      "wp_posts.ID ORDER BY wp_posts.post_date DESC LIMIT 0, 1", 1),
    "SELECT wp_posts.* FROM wp_posts WHERE 1=1 AND wp_posts.post_name IN ('sample-page') AND "
    "(1 = 1) AND wp_posts.post_type = 'page' AND ((wp_posts.post_status = 'publish')) GROUP BY "
    "wp_posts.ID ORDER BY wp_posts.post_date DESC",
    "SELECT wp_posts.ID FROM wp_posts WHERE 1=1 AND wp_posts.post_type = 'post' AND "
    "((wp_posts.post_status = 'publish')) ORDER BY wp_posts.post_date DESC LIMIT 0, 10",
    "SELECT wp_posts.ID FROM wp_posts WHERE 1=1 AND wp_posts.post_type = 'post' AND "
    "((wp_posts.post_status = 'publish')) ORDER BY wp_posts.post_date ASC LIMIT 1, 3",
    "SELECT wp_posts.ID FROM wp_posts WHERE 1=1 AND wp_posts.post_author IN (1, 2) AND "
    "wp_posts.post_type = 'post' AND ((wp_posts.post_status = 'publish')) ORDER BY "
    "wp_posts.post_modified DESC LIMIT 0, 3",
    S("SELECT SQL_CALC_FOUND_ROWS wp_posts.ID FROM wp_posts WHERE 1=1 AND wp_posts.post_parent = 1 "
      "AND wp_posts.post_type = 'revision' AND ((wp_posts.post_status = 'inherit')) ORDER BY "
      "wp_posts.post_date DESC, wp_posts.ID DESC LIMIT 0, 1", 6),
    "SELECT FOUND_ROWS()",
    "SELECT wp_posts.* FROM wp_posts WHERE 1=1 AND wp_posts.post_parent = 1 AND "
    "wp_posts.post_type = 'revision' AND ((wp_posts.post_status = 'inherit')) ORDER BY "
    "wp_posts.post_date DESC, wp_posts.ID DESC",
    "SELECT wp_posts.* FROM wp_posts WHERE 1=1 AND wp_posts.ID = 3 AND wp_posts.post_type = "
    "'page' ORDER BY wp_posts.post_date DESC",
    "SELECT wp_posts.* FROM wp_posts WHERE 1=1 AND wp_posts.post_name = 'hello-world' AND "
    "wp_posts.ID NOT IN (2) AND wp_posts.post_type IN ('post', 'page') AND "
    "((wp_posts.post_status = 'publish')) ORDER BY wp_posts.post_date DESC",
    "SELECT * FROM wp_posts WHERE post_parent = 3 AND post_type = 'page' AND post_status = "
    "'publish' AND post_name = 'child' ORDER BY post_date DESC LIMIT 1",
    S("SELECT ID, post_name, post_parent, post_type FROM wp_posts WHERE post_name IN ('a-page', "
      "'CHILD', 'hello-image') AND post_type IN ('page', 'attachment')", 1),
    S("SELECT DISTINCT YEAR(post_date) AS year, MONTH(post_date) AS month FROM wp_posts WHERE "
      "post_type = 'post' ORDER BY post_date DESC", 9),
    "SELECT wp_posts.* FROM wp_posts WHERE 1=1 AND wp_posts.post_name = 'sample-page' AND "
    "wp_posts.post_type = 'page' AND ((" + " OR ".join(
        "wp_posts.post_status = '%s'" % st for st in ALL_STATUSES) + ")) ORDER BY "
    "wp_posts.post_date DESC",
    S("SELECT SQL_CALC_FOUND_ROWS wp_posts.ID FROM wp_posts WHERE 1=1 AND ((wp_posts.post_type = "
      "'post' AND (" + " OR ".join("wp_posts.post_status = '%s'" % st for st in ALL_STATUSES[:5]) +
      "))) ORDER BY wp_posts.post_date DESC LIMIT 0, 3", 6),
    "SELECT FOUND_ROWS()",
    S("SELECT SQL_CALC_FOUND_ROWS wp_posts.ID FROM wp_posts WHERE 1=1 AND (((wp_posts.post_title "
      "LIKE '%Hello%') OR (wp_posts.post_excerpt LIKE '%Hello%') OR (wp_posts.post_content LIKE "
      "'%Hello%'))) AND (wp_posts.post_password = '') AND ((wp_posts.post_type = 'post' AND "
      "(wp_posts.post_status = 'publish')) OR (wp_posts.post_type = 'page' AND "
      "(wp_posts.post_status = 'publish')) OR (wp_posts.post_type = 'attachment' AND "
      "(wp_posts.post_status = 'inherit'))) ORDER BY wp_posts.post_title LIKE '%Hello%' DESC, "
      "wp_posts.post_date DESC LIMIT 0, 4", 1, 6),
    "SELECT FOUND_ROWS()",
    "SELECT post_author, COUNT(*) FROM wp_posts WHERE ((post_type = 'post' AND (post_status = "
    "'publish' OR post_status = 'private'))) AND post_author IN (1, 2, 3) GROUP BY post_author",
    "SELECT wp_posts.ID FROM wp_posts INNER JOIN wp_postmeta ON (wp_posts.ID = "
    "wp_postmeta.post_id) WHERE 1=1 AND (wp_postmeta.meta_key = '_thumbnail_id') AND "
    "wp_posts.post_type IN ('post', 'page') AND ((wp_posts.post_status = 'publish')) GROUP BY "
    "wp_posts.ID ORDER BY wp_posts.post_date DESC",
    # comments: the install's first comment, a reply, a pingback, moderation and spam
    "INSERT INTO `wp_comments` (`comment_post_ID`, `comment_author`, `comment_author_email`, "
    "`comment_author_url`, `comment_date`, `comment_date_gmt`, `comment_content`, `comment_type`) "
    "VALUES (1, 'A WordPress Commenter', 'wapuu@wordpress.example', 'https://wordpress.org/', "
    "'2024-03-01 11:00:00', '2024-03-01 09:00:00', 'Hi, this is a comment.', 'comment')",
    comment(1, "127.0.0.1", "admin", "admin@example.test", "http://example.test",
            "2024-03-02 14:00:00", "2024-03-02 13:00:00", "Thanks!", "1", "comment", 1, 1),
    comment(2, "192.0.2.7", "Other blog", "", "http://other.example/", "2024-04-03 08:00:00",
            "2024-04-03 06:00:00", "[&#8230;] linked [&#8230;]", "1", "pingback", 0, 0),
    comment(1, "127.0.0.1", "O\\'Brien", "ob@example.test", "", "2024-03-03 12:00:00",
            "2024-03-03 11:00:00", "Awaiting moderation", "0", "comment", 1, 0),
    comment(1, "203.0.113.9", "Spammer", "spam@example.test", "http://spam.example",
            "2024-03-04 12:00:00", "2024-03-04 11:00:00", "Buy now", "spam", "comment", 0, 0),
    "INSERT INTO `wp_commentmeta` (`comment_id`, `meta_key`, `meta_value`) VALUES (6, "
    "'_wp_trash_meta_time', '1700000000')",
    "INSERT INTO `wp_commentmeta` (`comment_id`, `meta_key`, `meta_value`) VALUES (6, "
    "'_wp_trash_meta_status', '0')",
    "INSERT INTO `wp_commentmeta` (`comment_id`, `meta_key`, `meta_value`) VALUES (2, 'rating', "
    "'5')",
    "SELECT comment_id, meta_key, meta_value FROM wp_commentmeta WHERE comment_id IN (2, 6) "
    "ORDER BY meta_id ASC",
    S("SELECT comment_id FROM wp_commentmeta WHERE meta_key = '_wp_trash_meta_time' AND "
      "meta_value < 1795238784", 7),
    "SELECT wp_comments.* FROM wp_comments WHERE comment_ID IN (2, 3)",
    "SELECT * FROM wp_comments WHERE comment_ID = 3 LIMIT 1",
    "SELECT COUNT(*) FROM wp_comments WHERE (comment_approved = '1') AND comment_post_ID = 1 "
    "ORDER BY wp_comments.comment_date_gmt DESC",
    "SELECT wp_comments.comment_ID FROM wp_comments WHERE ((comment_approved = '0' OR "
    "comment_approved = '1')) AND comment_type IN ('comment', 'pingback', 'trackback') ORDER BY "
    "wp_comments.comment_date_gmt DESC LIMIT 0, 20",
    "SELECT COUNT(*) FROM wp_comments WHERE ((comment_approved = '0' OR comment_approved = '1')) "
    "AND user_id = 1 ORDER BY wp_comments.comment_date_gmt DESC",
    S("SELECT SQL_CALC_FOUND_ROWS wp_comments.comment_ID FROM wp_comments WHERE "
      "(comment_approved = '1') AND comment_post_ID = 1 AND comment_parent = 0 ORDER BY "
      "wp_comments.comment_date_gmt ASC, wp_comments.comment_ID ASC", 6),
    "SELECT FOUND_ROWS()",
    "SELECT wp_comments.comment_ID FROM wp_comments WHERE (comment_approved = '1') AND "
    "comment_post_ID = 1 AND comment_parent IN (1, 2) ORDER BY wp_comments.comment_date_gmt ASC, "
    "wp_comments.comment_ID ASC",
    "SELECT COUNT(*) FROM wp_comments WHERE ((comment_approved = '0' OR comment_approved = '1')) "
    "AND comment_post_ID = 1 AND user_id = 0 ORDER BY wp_comments.comment_date_gmt DESC",
    "SELECT COUNT(*) FROM wp_comments WHERE ((comment_approved = '0' OR comment_approved = '1')) "
    "AND comment_post_ID = 1 ORDER BY wp_comments.comment_date_gmt DESC",
    "SELECT COUNT(*) FROM wp_comments WHERE ((comment_approved = '0' OR comment_approved = '1')) "
    "ORDER BY wp_comments.comment_date_gmt DESC",
    S("SELECT COUNT(*) FROM wp_comments WHERE comment_approved = 'SPAM'", 1),
    "SELECT COUNT(*) FROM wp_comments WHERE comment_post_ID = 1 AND comment_approved = '1'",
    "SELECT SQL_CALC_FOUND_ROWS wp_comments.comment_ID FROM wp_comments WHERE ((comment_approved "
    "= '1') OR (comment_author_email = 'ob@example.test' AND comment_approved = '0' AND "
    "wp_comments.comment_ID = 5)) AND comment_post_ID = 1 AND comment_parent = 0 ORDER BY "
    "wp_comments.comment_date_gmt ASC, wp_comments.comment_ID ASC",
    "SELECT FOUND_ROWS()",
    S("SELECT wp_comments.comment_ID FROM wp_comments WHERE ((comment_approved = '1') OR "
      "(comment_author_email = 'OB@example.test' AND comment_approved = '0' AND "
      "wp_comments.comment_ID = 5)) AND comment_post_ID = 1 AND comment_parent IN (1) ORDER BY "
      "wp_comments.comment_date_gmt ASC, wp_comments.comment_ID ASC", 1),
    "SELECT wp_comments.comment_ID FROM wp_comments WHERE ((comment_approved = '0' OR "
    "comment_approved = '1')) AND comment_post_ID = 1 ORDER BY wp_comments.comment_date_gmt DESC "
    "LIMIT 0, 2",
    "SELECT `comment_date_gmt` FROM `wp_comments` WHERE `comment_date_gmt` >= '2024-03-02 "
    "11:59:45' AND (`comment_author_IP` = '127.0.0.1' OR `comment_author_email` = "
    "'ob@example.test') ORDER BY `comment_date_gmt` DESC LIMIT 1",
    "SELECT comment_ID FROM wp_comments WHERE comment_post_ID = 1 AND comment_parent = '0' AND "
    "comment_approved != 'trash' AND (comment_author = 'O\\'Brien' AND comment_author_email = "
    "'ob@example.test') AND comment_content = 'Nice `post`; ON DUPLICATE KEY UPDATE %_' LIMIT 1",
    S("SELECT comment_approved FROM wp_comments WHERE comment_author = 'o\\'brien' AND "
      "comment_author_email = 'ob@example.test' and comment_approved = '1' LIMIT 1", 1, 3),
    # terms: a category with an explicit id, a child category, term meta, counts
    S("INSERT INTO `wp_terms` (`term_id`, `name`, `slug`, `term_group`) VALUES (3, 'News', "
      "'news', 0)", 4),
    "INSERT INTO `wp_terms` (`name`, `slug`, `term_group`) VALUES ('Local news', 'local-news', 0)",
    "INSERT INTO `wp_term_taxonomy` (`term_id`, `taxonomy`, `description`, `parent`, `count`) "
    "VALUES (3, 'category', 'All the news', 0, 0)",
    "INSERT INTO `wp_term_taxonomy` (`term_id`, `taxonomy`, `description`, `parent`, `count`) "
    "VALUES (4, 'category', '', 3, 0)",
    "INSERT INTO `wp_term_relationships` (`term_taxonomy_id`, `object_id`) VALUES (4, 7)",
    "INSERT INTO `wp_term_relationships` (`term_taxonomy_id`, `object_id`) VALUES (4, 14)",
    "INSERT INTO `wp_term_relationships` (`term_taxonomy_id`, `object_id`) VALUES (5, 14)",
    "INSERT INTO `wp_term_relationships` (`object_id`, `term_taxonomy_id`) VALUES (4, 4)",
    "INSERT INTO `wp_term_relationships` (`object_id`, `term_taxonomy_id`) VALUES (4, 5)",
    "UPDATE `wp_term_taxonomy` SET `count` = 3 WHERE `term_taxonomy_id` = 4",
    "UPDATE `wp_term_taxonomy` SET `count` = 2 WHERE `term_taxonomy_id` = 5",
    "INSERT INTO `wp_termmeta` (`term_id`, `meta_key`, `meta_value`) VALUES (3, 'color', 'blue')",
    "INSERT INTO `wp_termmeta` (`term_id`, `meta_key`, `meta_value`) VALUES (1, 'order', '1')",
    "SELECT term_id, meta_key, meta_value FROM wp_termmeta WHERE term_id IN (1, 3) ORDER BY "
    "meta_id ASC",
    terms_join("t.term_id = 3", "t.*, tt.*"),
    S(terms_join("tt.taxonomy IN ('category') AND t.slug IN ('NEWS') LIMIT 1"), 1),
    terms_join("tt.taxonomy IN ('category') AND t.term_id IN (1, 3, 4)"),
    terms_join("tt.taxonomy IN ('category') AND t.term_id IN (4, 3) ORDER BY t.term_id ASC LIMIT 1"),
    "SELECT term_id, taxonomy FROM wp_term_taxonomy WHERE term_taxonomy_id IN (1, 2, 4)",
    "SELECT term_taxonomy_id FROM wp_term_relationships WHERE object_id = 14 AND term_taxonomy_id = 5",
    terms_rel_join("t.term_id", "tt.taxonomy IN ('category', 'post_tag') AND tr.object_id IN "
                   "(1, 7, 14) ORDER BY t.name ASC"),
    terms_rel_join("t.term_id", "tt.taxonomy IN ('category') AND tr.object_id IN (7, 14)"),
    S(terms_join("tt.taxonomy IN ('category') ORDER BY t.name ASC"), 1),
    terms_join("t.name IN ('news') ORDER BY t.term_id ASC LIMIT 1"),
    terms_join("t.slug IN ('local-news') ORDER BY t.term_id ASC LIMIT 1"),
    S(terms_join("tt.taxonomy IN ('category') AND t.name IN ('Local News') AND tt.parent = '3' "
                 "ORDER BY t.name ASC"), 1, 7),
    terms_join("tt.taxonomy IN ('category') AND t.slug IN ('news', 'local-news')"),
    "SELECT t.term_id, t.slug, tt.term_taxonomy_id, tt.taxonomy FROM wp_terms AS t INNER JOIN "
    "wp_term_taxonomy AS tt ON (tt.term_id = t.term_id) WHERE t.slug = 'news' AND tt.parent = 0 "
    "AND tt.taxonomy = 'category' AND t.term_id < 4 AND tt.term_taxonomy_id != 5",
    "SELECT tt.term_taxonomy_id FROM wp_term_taxonomy AS tt INNER JOIN wp_terms AS t ON "
    "tt.term_id = t.term_id WHERE tt.taxonomy = 'category' AND t.term_id = 3",
    terms_join("tt.taxonomy IN ('category')", count=True),
    terms_join("tt.taxonomy IN ('category') AND ((t.name LIKE '%news%') OR (t.slug LIKE "
               "'%news%'))", count=True),
    S(terms_join("tt.taxonomy IN ('category') AND ((t.name LIKE '%NEWS%') OR (t.slug LIKE "
                 "'%NEWS%')) ORDER BY t.name ASC LIMIT 10"), 1),
    terms_join("tt.taxonomy IN ('category') AND tt.count > 0 ORDER BY t.name ASC"),
    terms_join("tt.taxonomy IN ('category', 'post_tag') AND tt.count > 0 ORDER BY tt.count DESC "
               "LIMIT 2"),
    terms_join("tt.taxonomy IN ('category', 'post_tag') ORDER BY t.term_id ASC"),
    # options
    "UPDATE `wp_options` SET `option_value` = 'a:1:{i:1700000000;a:0:{}}', `autoload` = 'no' "
    "WHERE `option_name` = 'cron'",
    "SELECT option_name, option_value FROM wp_options",
] + [
    # §3.6 in more depth, on the same data.
    # 1: utf8mb4_unicode_520_ci: expansions (ß = ss), punctuation < digits < letters, accents
    "INSERT INTO `wp_terms` (`name`, `slug`, `term_group`) VALUES ('Straße', 'strasse', 0)",
    "INSERT INTO `wp_terms` (`name`, `slug`, `term_group`) VALUES ('_drafts', 'drafts', 0)",
    "INSERT INTO `wp_terms` (`name`, `slug`, `term_group`) VALUES ('2024 recap', '2024-recap', 0)",
    "INSERT INTO `wp_terms` (`name`, `slug`, `term_group`) VALUES ('Ångström', 'angstrom', 0)",
    "INSERT INTO `wp_terms` (`name`, `slug`, `term_group`) VALUES ('Æsir', 'aesir', 0)",
    "INSERT INTO `wp_terms` (`name`, `slug`, `term_group`) VALUES ('-dash-', 'dash', 0)",
    S("SELECT term_id, name FROM wp_terms ORDER BY name ASC", 1),
    S("SELECT term_id, name FROM wp_terms ORDER BY name DESC, term_id ASC", 1),
    S("SELECT term_id FROM wp_terms WHERE name IN ('STRASSE', 'aesir', 'angstrom')", 1),
    S("SELECT term_id FROM wp_terms WHERE name LIKE 'stra_e' OR name LIKE 'ss%'", 1),
    S("SELECT name, COUNT(*) FROM wp_terms GROUP BY name ORDER BY name", 1),
    S("SELECT MIN(name), MAX(name) FROM wp_terms", 1),
    S("INSERT INTO `wp_options` (`option_name`, `option_value`, `autoload`) VALUES ('straße', "
      "'1', 'no')", 4),
    S("INSERT INTO `wp_options` (`option_name`, `option_value`, `autoload`) VALUES ('STRASSE', "
      "'2', 'no')", 1, 13),
    # 3: a NUL byte, as mysqli_real_escape_string sends it (\0), kept and counted
    S("INSERT INTO `wp_options` (`option_name`, `option_value`, `autoload`) VALUES ('nul_value', "
      "'a\\0b', 'no')", 3),
    S("SELECT option_value, LENGTH(option_value), CHAR_LENGTH(option_value), HEX('a\\0b') FROM "
      "wp_options WHERE option_value = 'a\\0b'", 3),
    # 4: a multi-row INSERT that fails spends an id per row, as InnoDB does
    S("INSERT INTO wp_options(option_name, option_value, autoload) VALUES ('new_a', '1', 'no'), "
      "('home', 'dup', 'no')", 4, 13),
    S("INSERT INTO `wp_options` (`option_name`, `option_value`, `autoload`) VALUES ('new_b', "
      "'1', 'no')", 4),
    # 7: a text column against a number, a number column against a string, string literals
    S("SELECT option_name FROM wp_options WHERE option_value = 0 ORDER BY option_name", 7),
    S("SELECT ID, post_title FROM wp_posts WHERE ID = '3abc'", 7),
    S("SELECT COUNT(*) FROM wp_comments WHERE comment_post_ID IN ('1', '2x')", 7),
    S("SELECT 'abc' = 0, '1e3' = 1000, '10' < 9, ' 7' = 7, '1' + 1, '10' / '4'", 7),
    # 9: a day past the end of its month is not a date
    S("SELECT DAYOFMONTH('2024-02-30'), MONTH('2023-02-29'), YEAR('2024-04-31 10:00:00'), "
      "DAYOFMONTH('2024-02-29'), MONTH('2024-00-10'), DATE_ADD('2024-02-30', INTERVAL 1 DAY)", 9),
    # 11: REGEXP is case-insensitive unless an operand is binary (WP_Meta_Query's compare_key
    # REGEXP with type_key BINARY)
    S("SELECT wp_posts.ID FROM wp_posts INNER JOIN wp_postmeta ON (wp_posts.ID = "
      "wp_postmeta.post_id) WHERE 1=1 AND (CAST(wp_postmeta.meta_key AS BINARY) REGEXP BINARY "
      "'^_thumb') GROUP BY wp_posts.ID ORDER BY wp_posts.post_date DESC", 11),
    S("SELECT wp_posts.ID FROM wp_posts INNER JOIN wp_postmeta ON (wp_posts.ID = "
      "wp_postmeta.post_id) WHERE 1=1 AND (CAST(wp_postmeta.meta_key AS BINARY) REGEXP BINARY "
      "'^_THUMB') GROUP BY wp_posts.ID ORDER BY wp_posts.post_date DESC", 1, 11),
    S("SELECT wp_posts.ID FROM wp_posts INNER JOIN wp_postmeta ON (wp_posts.ID = "
      "wp_postmeta.post_id) WHERE 1=1 AND (wp_postmeta.meta_key REGEXP '^_THUMB') GROUP BY "
      "wp_posts.ID ORDER BY wp_posts.post_date DESC", 1, 11),
    S("SELECT meta_id FROM wp_postmeta WHERE meta_key = BINARY '_Thumbnail_id'", 1),
    # 13: a table of an unknown database
    S("SELECT * FROM wordpress_other.wp_posts", 13),
]


STATEMENTS = [
    # session setup, as mysqli + wpdb do it (§1.2)
    "SET NAMES utf8mb4",
    "SET NAMES 'utf8mb4' COLLATE 'utf8mb4_unicode_520_ci'",
    S("SET SESSION sql_mode='ERROR_FOR_DIVISION_BY_ZERO,NO_AUTO_CREATE_USER,NO_ENGINE_SUBSTITUTION'", 14),
    "SELECT @@SESSION.sql_mode",
    # probing before install: 1146 (§1.4)
    S("SELECT option_value FROM wp_options WHERE option_name = 'siteurl' LIMIT 1", 13),
    S("DESCRIBE wp_users;", 13),
    "SHOW TABLES LIKE 'wp\\\\_users'",
] + [S(t, 8, 12) if ZERO in t else S(t, 12) for t in SCHEMA] + [
    S("SHOW TABLES LIKE 'wp\\\\_users'", 2),
] + [S("DESCRIBE %s;" % t, 12) for t in TABLES] + [
    S("SHOW FULL COLUMNS FROM `%s`" % t, 12) for t in TABLES
    if t not in ("wp_commentmeta", "wp_links", "wp_termmeta")
] + [
    # options: multi-row insert (insert id = first of the batch), ODKU 1/2/0, IGNORE, updates
    S("INSERT INTO wp_options(option_name, option_value, autoload) VALUES ('siteurl', "
      "'http://example.test', 'yes'), ('home', 'http://example.test', 'yes'), ('blogname', "
      "'My \\'blog\\'', 'yes'), ('_transient_timeout_feed_x', '1000', 'no'), "
      "('_transient_feed_x', 'a:1:{s:1:\\\"a\\\";}', 'no'), ('rss_0123456789abcdef0123456789abcdef',"
      " 'x', 'no'), ('cron', 'a:0:{}', 'yes')", 3, 4),
    S("INSERT INTO `wp_options` (`option_name`, `option_value`, `autoload`) VALUES ('fresh', 'v1', "
      "'yes') ON DUPLICATE KEY UPDATE `option_name` = VALUES(`option_name`), `option_value` = "
      "VALUES(`option_value`), `autoload` = VALUES(`autoload`)", 4, 5),
    S("INSERT INTO `wp_options` (`option_name`, `option_value`, `autoload`) VALUES ('fresh', 'v2', "
      "'yes') ON DUPLICATE KEY UPDATE `option_name` = VALUES(`option_name`), `option_value` = "
      "VALUES(`option_value`), `autoload` = VALUES(`autoload`)", 4, 5),
    S("INSERT INTO `wp_options` (`option_name`, `option_value`, `autoload`) VALUES ('fresh', 'v2', "
      "'yes') ON DUPLICATE KEY UPDATE `option_name` = VALUES(`option_name`), `option_value` = "
      "VALUES(`option_value`), `autoload` = VALUES(`autoload`)", 4, 5),
    S("INSERT IGNORE INTO `wp_options` (`option_name`, `option_value`, `autoload`) VALUES "
      "('fresh', 'lock', 'no') /* LOCK */", 4, 5),
    S("INSERT INTO `wp_options` (`option_name`, `option_value`, `autoload`) VALUES ('home', 'dup', 'yes')", 13),
    S("INSERT INTO `wp_options` (`option_name`, `option_value`, `autoload`) VALUES ('HOME', 'dup', 'yes')", 1, 13),
    S("UPDATE `wp_options` SET `option_value` = 'http://example.test' WHERE `option_name` = 'home'", 4),
    S("UPDATE `wp_options` SET `option_value` = 'http://example.test/' WHERE `option_name` = 'home'", 4),
    "UPDATE wp_options set option_value = 'My blog' where option_name = 'blogname'",
    "SELECT option_value FROM wp_options WHERE option_name = 'siteurl' LIMIT 1",
    S("SELECT option_value FROM wp_options WHERE option_name = 'SiteURL' LIMIT 1", 1),
    S("SELECT option_value FROM wp_options WHERE option_name = 'siteurl   ' LIMIT 1", 1),
    "SELECT autoload FROM wp_options WHERE option_name = 'cron'",
    "SELECT option_name, option_value FROM wp_options WHERE autoload = 'yes'",
    "SELECT option_name FROM wp_options WHERE option_name IN ('home','siteurl','nope')",
    S("SELECT option_name FROM wp_options WHERE option_name LIKE '\\\\_transient\\\\_%'", 2, 3),
    "SELECT option_name FROM wp_options WHERE option_name LIKE '_transient_%' ORDER BY option_name",
    S("SELECT option_name FROM wp_options WHERE option_name REGEXP '^rss_[0-9a-f]{32}(_ts)?$'", 11),
    "  \n\tSELECT option_value FROM wp_options WHERE option_name = 'home' ;  ",
    # users
    "INSERT INTO `wp_users` (`user_pass`, `user_nicename`, `user_email`, `user_url`, "
    "`user_registered`, `user_activation_key`, `display_name`, `user_login`) VALUES ('$P$Bxyz', "
    "'admin', 'admin@example.test', 'http://example.test', '2024-03-01 09:00:00', '', 'admin', 'admin')",
    "INSERT INTO `wp_usermeta` (`user_id`, `meta_key`, `meta_value`) VALUES (1, 'nickname', 'admin')",
    "INSERT INTO `wp_usermeta` (`user_id`, `meta_key`, `meta_value`) VALUES (1, 'wp_capabilities', "
    "'a:1:{s:13:\\\"administrator\\\";b:1;}')",
    "INSERT INTO `wp_usermeta` (`user_id`, `meta_key`, `meta_value`) VALUES (1, 'session_tokens', '1700000000')",
    S("SELECT * FROM wp_users WHERE user_login = 'ADMIN' LIMIT 1", 1),
    S("SELECT * FROM wp_users WHERE ID = '1' LIMIT 1", 7),
    "SELECT user_id, meta_key, meta_value FROM wp_usermeta WHERE user_id IN (1) ORDER BY umeta_id ASC",
    "SELECT umeta_id FROM wp_usermeta WHERE meta_key = 'nickname' AND user_id = 1",
    "SELECT COUNT(ID) as c FROM wp_users",
    S("SELECT COUNT(NULLIF(`meta_value` LIKE '%\\\"administrator\\\"%', false)), COUNT(*) FROM "
      "wp_usermeta INNER JOIN wp_users ON user_id = ID WHERE meta_key = 'wp_capabilities'", 3),
    S("SELECT user_id FROM wp_usermeta WHERE meta_key = 'session_tokens' AND meta_value < 1795238784", 7),
    S("SELECT user_id FROM wp_usermeta WHERE meta_key = 'session_tokens' AND meta_value < 900", 7),
    "UPDATE `wp_usermeta` SET `meta_value` = 'boss' WHERE `user_id` = 1 AND `meta_key` = 'nickname'",
    S("SELECT SQL_CALC_FOUND_ROWS wp_users.ID FROM wp_users WHERE 1=1 ORDER BY user_login ASC LIMIT 0, 20", 6),
    "SELECT FOUND_ROWS()",
    # posts, including drafts with zero dates
    post(1, "Hello world!", "hello-world"),
    post(2, "Second post", "second-post", date="2024-04-02 08:30:00"),
    post(3, "A page", "a-page", ptype="page", menu_order=2),
    S(post(4, "Auto draft", "", status="auto-draft", date="2020-01-01 00:00:00", gmt=ZERO), 8),
    S(post(5, "Draft O\\'Brien", "draft", status="draft", gmt=ZERO), 3, 8),
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
    "SELECT wp_posts.ID FROM wp_posts WHERE 1=1 AND (1 = 1) AND wp_posts.post_type = 'post' "
    "AND ((wp_posts.post_status = 'publish')) GROUP BY wp_posts.ID ORDER BY wp_posts.post_date DESC LIMIT 0, 10",
    S("SELECT wp_posts.* FROM wp_posts WHERE 1=1 AND wp_posts.post_name IN ('Hello-World') AND "
      "wp_posts.post_type = 'post' AND ((wp_posts.post_status = 'publish')) GROUP BY wp_posts.ID "
      "ORDER BY wp_posts.post_date DESC", 1),
    "SELECT * FROM wp_posts WHERE (post_type = 'page' AND post_status = 'publish') ORDER BY "
    "menu_order, wp_posts.post_title ASC",
    "SELECT post_status, COUNT(*) AS num_posts FROM wp_posts WHERE post_type = 'post' GROUP BY post_status",
    "SELECT COUNT( 1 ) FROM wp_posts WHERE post_type = 'post' AND post_status NOT IN "
    "('trash','auto-draft') AND post_author = 1",
    S("SELECT DISTINCT YEAR(post_date) AS year, MONTH(post_date) AS month FROM wp_posts WHERE "
      "post_type = 'post' AND post_status != 'auto-draft' AND post_status != 'trash' ORDER BY post_date DESC", 9),
    S("SELECT wp_posts.* FROM wp_posts WHERE 1=1 AND ((YEAR(wp_posts.post_date) = 2024 AND "
      "MONTH(wp_posts.post_date) = 3 AND DAYOFMONTH(wp_posts.post_date) = 1)) AND "
      "wp_posts.post_name = 'hello-world' AND wp_posts.post_type = 'post' ORDER BY wp_posts.post_date DESC", 9),
    S("SELECT ID FROM wp_posts WHERE post_status = 'auto-draft' AND DATE_SUB(NOW(), INTERVAL 7 DAY) > post_date", 9),
    S("SELECT ID FROM wp_posts WHERE post_date_gmt = '0000-00-00 00:00:00' ORDER BY ID", 8),
    S("SELECT ID FROM wp_posts WHERE post_date_gmt < '1970-01-01 00:00:00' ORDER BY ID", 8),
    "SELECT post_name FROM wp_posts WHERE post_name = 'hello-world' AND post_type = 'post' AND ID != 1 LIMIT 1",
    "SELECT post_name FROM wp_posts WHERE post_name = 'hello-world' AND post_type = 'post' AND ID != 2 LIMIT 1",
    "SELECT 1 as test FROM wp_posts WHERE post_type = 'page' AND post_status = 'publish' LIMIT 1",
    S("SELECT SQL_CALC_FOUND_ROWS wp_posts.ID FROM wp_posts WHERE 1=1 AND (((wp_posts.post_title "
      "LIKE '%hello%') OR (wp_posts.post_excerpt LIKE '%hello%') OR (wp_posts.post_content LIKE "
      "'%hello%'))) AND (wp_posts.post_password = '') AND ((wp_posts.post_type = 'post' AND "
      "(wp_posts.post_status = 'publish')) OR (wp_posts.post_type = 'page' AND "
      "(wp_posts.post_status = 'publish'))) ORDER BY wp_posts.post_title LIKE '%hello%' DESC, "
      "wp_posts.post_date DESC LIMIT 0, 10", 1, 6),
    "SELECT FOUND_ROWS()",
    "SELECT post_id, meta_key, meta_value FROM wp_postmeta WHERE post_id IN (1,2) ORDER BY meta_id ASC",
    S("SELECT post_id FROM wp_postmeta WHERE meta_key = '_edit_lock' AND meta_value < 1795238784", 7),
    S("UPDATE `wp_posts` SET `comment_count` = 1 WHERE `ID` = 1", 4),
    S("UPDATE `wp_posts` SET `comment_count` = 1 WHERE `ID` = 1", 4),
    S("UPDATE `wp_posts` SET `guid` = 'http://example.test/?p=2' WHERE `ID` = 2", 4),
    "UPDATE `wp_posts` SET `guid` = 'http://example.test/2024/04/02/second-post/' WHERE `ID` = 2",
    # terms
    "INSERT INTO `wp_terms` (`name`, `slug`, `term_group`) VALUES ('Uncategorized', 'uncategorized', 0)",
    S("INSERT INTO `wp_terms` (`name`, `slug`, `term_group`) VALUES ('Café', 'cafe', 0)", 1),
    "INSERT INTO `wp_term_taxonomy` (`term_id`, `taxonomy`, `description`, `parent`, `count`) "
    "VALUES (1, 'category', '', 0, 1)",
    "INSERT INTO `wp_term_taxonomy` (`term_id`, `taxonomy`, `description`, `parent`, `count`) "
    "VALUES (2, 'post_tag', '', 0, 1)",
    S("INSERT INTO `wp_term_taxonomy` (`term_id`, `taxonomy`, `description`, `parent`, `count`) "
      "VALUES (1, 'category', 'dup', 0, 1)", 13),
    "INSERT INTO `wp_term_relationships` (`object_id`, `term_taxonomy_id`) VALUES (1, 1)",
    "INSERT INTO `wp_term_relationships` (`object_id`, `term_taxonomy_id`) VALUES (2, 2)",
    S("INSERT INTO wp_term_relationships (object_id, term_taxonomy_id, term_order) VALUES (2, 2, 5) "
      "ON DUPLICATE KEY UPDATE term_order = VALUES(term_order)", 4, 5),
    "SELECT t.term_id FROM wp_terms AS t INNER JOIN wp_term_taxonomy AS tt ON t.term_id = "
    "tt.term_id WHERE tt.taxonomy IN ('category') AND t.name IN ('uncategorized') LIMIT 1",
    S("SELECT t.term_id FROM wp_terms AS t INNER JOIN wp_term_taxonomy AS tt ON t.term_id = "
      "tt.term_id WHERE tt.taxonomy IN ('post_tag') AND t.name IN ('cafe') LIMIT 1", 1),
    "SELECT t.*, tt.* FROM wp_terms AS t INNER JOIN wp_term_taxonomy AS tt ON t.term_id = "
    "tt.term_id WHERE t.term_id IN (1,2)",
    "SELECT DISTINCT t.term_id, tr.object_id FROM wp_terms AS t INNER JOIN wp_term_taxonomy AS tt "
    "ON t.term_id = tt.term_id INNER JOIN wp_term_relationships AS tr ON tr.term_taxonomy_id = "
    "tt.term_taxonomy_id WHERE tt.taxonomy IN ('category', 'post_tag') AND tr.object_id IN (1, 2) "
    "ORDER BY t.name ASC",
    "SELECT COUNT(*) FROM wp_term_relationships, wp_posts WHERE wp_posts.ID = "
    "wp_term_relationships.object_id AND post_status IN ('publish') AND post_type IN ('post') AND "
    "term_taxonomy_id = 1",
    S("SELECT SQL_CALC_FOUND_ROWS wp_posts.ID FROM wp_posts LEFT JOIN wp_term_relationships ON "
      "(wp_posts.ID = wp_term_relationships.object_id) WHERE 1=1 AND "
      "(wp_term_relationships.term_taxonomy_id IN (1)) AND ((wp_posts.post_type = 'post' AND "
      "(wp_posts.post_status = 'publish'))) GROUP BY wp_posts.ID ORDER BY wp_posts.post_date DESC LIMIT 0, 10", 6),
    "SELECT FOUND_ROWS()",
    "UPDATE `wp_term_taxonomy` SET `count` = 1 WHERE `term_taxonomy_id` = 1",
    # comments
    S("INSERT INTO `wp_comments` (`comment_post_ID`, `comment_author_IP`, `comment_author`, "
      "`comment_author_email`, `comment_author_url`, `comment_date`, `comment_date_gmt`, "
      "`comment_content`, `comment_karma`, `comment_approved`, `comment_agent`, `comment_type`, "
      "`comment_parent`, `user_id`) VALUES (1, '127.0.0.1', 'O\\'Brien', 'ob@example.test', '', "
      "'2024-03-02 12:00:00', '2024-03-02 12:00:00', 'Nice `post`; ON DUPLICATE KEY UPDATE %_', 0, "
      "'0', 'curl', 'comment', 0, 0)", 3),
    "SELECT COUNT(*) FROM wp_comments WHERE (comment_approved = '0') ORDER BY "
    "wp_comments.comment_date_gmt DESC",
    S("SELECT comment_post_ID, COUNT(comment_ID) as num_comments FROM wp_comments WHERE "
      "comment_post_ID IN ('1') AND comment_approved = '0' GROUP BY comment_post_ID", 7),
    "UPDATE `wp_comments` SET `comment_approved` = '1' WHERE `comment_ID` = 1",
    "SELECT wp_comments.comment_ID FROM wp_comments WHERE ((comment_approved = '0' OR "
    "comment_approved = '1')) ORDER BY wp_comments.comment_date_gmt DESC LIMIT 0, 20",
    "SELECT comment_author, comment_content FROM wp_comments WHERE comment_ID = 1 LIMIT 1",
] + WORDPRESS_SESSION + [
    # transients GC (multi-table DELETE), REGEXP delete, plain deletes
    S("DELETE a, b FROM wp_options a, wp_options b WHERE a.option_name LIKE '\\\\_transient\\\\_%' "
      "AND a.option_name NOT LIKE '\\\\_transient\\\\_timeout\\\\_%' AND b.option_name = "
      "CONCAT('_transient_timeout_', SUBSTRING(a.option_name, 12)) AND b.option_value < 1795238784", 2, 7, 10),
    "SELECT option_name FROM wp_options ORDER BY option_name",
    S("DELETE FROM wp_options WHERE option_name REGEXP '^rss_[0-9a-f]{32}(_ts)?$'", 11),
    "DELETE FROM `wp_options` WHERE `option_name` = 'fresh'",
    "DELETE FROM wp_postmeta WHERE meta_id IN (1,2)",
    # non-strict mode (§3.6.14): over-long values are truncated, missing NOT NULL text gets ''
    S("INSERT INTO `wp_options` (`option_name`, `option_value`, `autoload`) VALUES ('long', 'v', "
      "'abcdefghijklmnopqrstuvwxyz')", 14),
    "SELECT autoload, LENGTH(autoload) FROM wp_options WHERE option_name = 'long'",
    S("INSERT INTO `wp_options` (`option_name`) VALUES ('noval')", 14),
    "SELECT option_value, autoload FROM wp_options WHERE option_name = 'noval'",
    S("UPDATE wp_posts SET menu_order = 'abc' WHERE ID = 6", 14),
    "SELECT menu_order FROM wp_posts WHERE ID = 6",
    S("UPDATE wp_posts SET post_modified = '2024-02-30 10:00:00' WHERE ID = 5", 14),
    S("UPDATE wp_comments SET comment_karma = 99999999999 WHERE comment_ID = 6", 14),
    S("UPDATE wp_posts SET post_author = -1 WHERE ID = 15", 14),
    S("UPDATE wp_users SET user_nicename = 'ünïcødé-nicename-that-is-far-too-long-for-fifty-"
      "characters' WHERE ID = 3", 14),
    "SELECT p.post_modified, p.post_author, c.comment_karma FROM wp_posts p, wp_comments c WHERE "
    "p.ID IN (5, 15) AND c.comment_ID = 6 ORDER BY p.ID",
    "SELECT user_nicename, CHAR_LENGTH(user_nicename) FROM wp_users WHERE ID = 3",
    # a plugin's table with DECIMAL columns (WooCommerce's product lookup)
    "CREATE TABLE wp_wc_product_meta_lookup (product_id bigint(20) NOT NULL, min_price "
    "decimal(19,4) NULL default NULL, max_price decimal(19,4) NULL default NULL, average_rating "
    "decimal(3,2) NULL default 0.00, rating_count bigint(20) NULL default 0, PRIMARY KEY "
    "(product_id), KEY min_max_price (min_price, max_price)) DEFAULT CHARACTER SET utf8mb4 "
    "COLLATE utf8mb4_unicode_520_ci",
    S("INSERT INTO wp_wc_product_meta_lookup (product_id, min_price, max_price, average_rating, "
      "rating_count) VALUES (7, 9.99, 19.995, 4.995, 3), (8, '1.00005', 2, 12.5, 0), (9, NULL, "
      "NULL, 0, 0)", 14),
    "SELECT product_id, min_price, max_price, average_rating, ROUND(max_price, 2), "
    "CAST(average_rating AS DECIMAL(3,1)) FROM wp_wc_product_meta_lookup ORDER BY product_id",
    "SELECT product_id FROM wp_wc_product_meta_lookup WHERE max_price >= 19.995 AND min_price "
    "BETWEEN 1 AND 10 ORDER BY average_rating DESC",
    S("DESCRIBE wp_wc_product_meta_lookup;", 12),
    S("SHOW FULL COLUMNS FROM `wp_wc_product_meta_lookup`", 12),
    S("UPDATE wp_wc_product_meta_lookup SET average_rating = average_rating + 0.005 WHERE "
      "product_id = 9", 14),
    "SELECT product_id, average_rating FROM wp_wc_product_meta_lookup WHERE average_rating = '5' "
    "OR min_price = '9.99' OR product_id = 9 ORDER BY product_id",
    "SELECT SUM(max_price), AVG(average_rating), MAX(min_price), COUNT(min_price) FROM "
    "wp_wc_product_meta_lookup",
    # errors
    S("SELEC 1", 13),
    S("SELECT nope FROM wp_options", 13),
    S("SELECT * FROM wp_nothing", 13),
    S("INSERT INTO wp_users (ID, user_login) VALUES (1, 'again')", 13),
    # functions WordPress core uses on paths the capture did not take (§3.4), and plugins
    S("SELECT meta_id, CAST(meta_value AS DECIMAL(10,2)) AS v, CAST(meta_value AS DECIMAL) FROM "
      "wp_postmeta WHERE meta_key = '_thumbnail_id' AND CAST(meta_value AS DECIMAL) > 12 ORDER BY "
      "CAST(meta_value AS DECIMAL(10,2)) DESC, meta_id", 7),
    "SELECT CAST('1.4' AS DECIMAL), CAST('1.5' AS DECIMAL), CAST('3.14159' AS DECIMAL(10,3)), "
    "CAST('abc' AS DECIMAL(5,2)), CONVERT('2.25', DECIMAL(4,1)), CAST('2024-03-01 10:11:12' AS "
    "DATE), CAST('2024-03-01' AS DATETIME), CAST('2024-02-30' AS DATE)",
    "SELECT ID, CAST(post_date AS DATE), CAST(post_date_gmt AS DATETIME), CAST(ID AS CHAR) FROM "
    "wp_posts ORDER BY ID",
    "SELECT ID FROM wp_posts WHERE ID IN (3, 1, 2) ORDER BY FIELD(ID, 3, 1, 2)",
    S("SELECT DATE(post_date), TIME(post_date), DATE_ADD(post_date, INTERVAL 1 WEEK), "
      "DATE_SUB(post_date_gmt, INTERVAL 2 HOUR), HOUR(post_date), MINUTE(post_date), "
      "WEEK(post_date), DATE_FORMAT(post_date, '%Y-%m-%d %H:%i:%s %a %b %e %j %w') FROM wp_posts "
      "WHERE ID IN (1, 5) ORDER BY ID", 9),
    "SELECT DATE(post_date) AS d, COUNT(*) FROM wp_posts GROUP BY DATE(post_date) ORDER BY d "
    "DESC LIMIT 3",
    S("SELECT post_type, GROUP_CONCAT(post_name ORDER BY post_date DESC SEPARATOR ' | ') FROM "
      "wp_posts GROUP BY post_type ORDER BY post_type", 1),
    S("SELECT GROUP_CONCAT(DISTINCT name ORDER BY name DESC SEPARATOR ';'), GROUP_CONCAT(term_id "
      "ORDER BY term_id) FROM wp_terms", 1),
    S("SELECT UPPER(display_name), LOWER('ÉCOLE Ünïcode ΑΒΓ АБВ ẞ'), UCASE('ß ɐ ÿ ı') FROM "
      "wp_users ORDER BY ID", 1),
    "SELECT SUBSTRING_INDEX(user_email, '@', -1), SUBSTRING_INDEX(user_url, '/', 3), "
    "SUBSTRING_INDEX('a..b..c', '..', -1) FROM wp_users ORDER BY ID",
    # expressions and literals
    S("SELECT 1 + 1, 'a\\nb', 'O\\'Brien', \"dq\", 'back\\\\slash', NULL, 1.50, -7, 10/4", 3),
    "SELECT CONCAT('a', 'b', 'c'), SUBSTRING('transient', 3), LENGTH('héllo'), CHAR_LENGTH('héllo')",
    "SELECT CAST('42abc' AS SIGNED), CAST(-1 AS UNSIGNED), CAST(3.7 AS SIGNED)",
    "SELECT FIELD('b', 'a', 'b', 'c'), IFNULL(NULL, 'x'), COALESCE(NULL, NULL, 3)",
    S("SELECT LAST_INSERT_ID()", 4),
    S("SELECT 'abc' = 'ABC', 'abc' = 'abc  ', 'é' = 'e'", 1),
    S("SELECT YEAR('2024-02-29 10:11:12'), MONTH('2024-02-29'), DAYOFMONTH('2024-02-29')", 9),
    S("SELECT DATE_ADD('2024-02-28 00:00:00', INTERVAL 1 DAY), DATE_SUB('2024-03-01', INTERVAL 1 DAY)", 9),
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
    S("ALTER TABLE wp_options ADD COLUMN extra varchar(10) NOT NULL default 'x'", 12),
    "SELECT option_name, extra FROM wp_options WHERE option_name = 'home'",
    S("SHOW INDEX FROM wp_options", 12),
    "TRUNCATE TABLE wp_postmeta",
    "SELECT COUNT(*) FROM wp_postmeta",
    "DROP TABLE IF EXISTS wp_links",
    "DROP TABLE wp_links",
    "SELECT VERSION() LIKE '%'",
    # the session time zone: offsets move NOW() and the Unix-time conversions; names need
    # time zone tables (MariaDB here has none either): 1298
    "SET time_zone = '+05:30'",
    "SELECT @@session.time_zone, FROM_UNIXTIME(0), FROM_UNIXTIME(86400, '%Y-%m-%d %H:%i'), "
    "UNIX_TIMESTAMP('1970-01-02 05:30:00'), TIMESTAMPDIFF(MINUTE, UTC_TIMESTAMP(), NOW()) "
    "BETWEEN 329 AND 331",
    "SET time_zone = '-3:00'",
    "SELECT FROM_UNIXTIME(0), UNIX_TIMESTAMP('1969-12-31 21:00:00')",
    "SET time_zone = '+14:01'",
    "SET time_zone = 'Mars/Olympus_Mons'",
    "SELECT @@time_zone",
    "SET time_zone = 'SYSTEM'",
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
    # expression types typed by the translator's hints, in binary rows
    ("SELECT CAST(post_date AS DATE), DATE(post_date), TIME(post_date), CAST(post_date AS "
     "DATETIME), DATE_ADD(post_date, INTERVAL 1 DAY) FROM wp_posts WHERE ID = ?", "i", [1]),
    ("SELECT CAST(? AS DECIMAL(10,2)), ROUND(1.005, 2), CAST('1.4' AS DECIMAL), '1' + ?",
     "si", ["3.14159", 1]),
    ("SELECT post_type, GROUP_CONCAT(ID ORDER BY ID DESC) FROM wp_posts WHERE ID < ? GROUP BY "
     "post_type ORDER BY post_type", "i", [10]),
    ("SELECT LOWER(?), SUBSTRING_INDEX(?, '@', -1)", "ss", ["ÉCOLE", "ann@example.test"]),
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
        return ("err", e.args[0], e.args[1] if len(e.args) > 1 else "")
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


def mysql8_message(sql, code, msg):
    """MariaDB's error message as MySQL 8 words it. Three differ: 1064 names the server
    ("your MySQL server version"), 1062 qualifies the key with its table (MySQL 8.0.19+:
    for key 'wp_options.option_name') and 1054 calls the select list 'field list'."""
    if code == 1064:
        return msg.replace("your MariaDB server version", "your MySQL server version")
    if code == 1062:
        m = re.match(r"(?is)\s*(?:INSERT|REPLACE)\s+(?:IGNORE\s+)?(?:INTO\s+)?`?(\w+)|"
                     r"\s*UPDATE\s+`?(\w+)", sql)
        table = m.group(1) or m.group(2)
        return re.sub(r"for key '([^'.]*)'$", lambda k: "for key '%s.%s'" % (table, k.group(1)),
                      msg)
    if code == 1054:
        return msg.replace("in 'SELECT'", "in 'field list'")
    return msg


def mysql8_dialect(sql, mariadb, harv):
    """Returns (mariadb, harv) reduced to what both servers define, after checking HarvSQL's
    MySQL-8-only part; unchanged for every other statement."""
    if mariadb[0] == "err":
        return ("err", mariadb[1], mysql8_message(sql, mariadb[1], mariadb[2])), harv
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


# ---- coverage: every captured shape and every point of §3.6 is run on both servers -------

def section_36_points():
    """The numbered points of wordpress-sql.md §3.6."""
    with open(WORDPRESS_SQL_MD) as f:
        text = f.read()
    sec = text.split("### 3.6", 1)[1].split("\n## ", 1)[0].split("\n### ", 1)[0]
    return [int(m) for m in re.findall(r"(?m)^(\d+)\. ", sec)]


# What a statement tagged with a §3.6 point must contain to be about that point (a guard
# against careless tags); 13 (errors) is checked on the outcome instead.
POINT_TEXT = {
    1: r"'|ORDER BY|GROUP BY|MIN\(",                    # text compared or ordered
    2: r"LIKE '[^']*\\\\",                               # a backslash-escaped wildcard
    3: r"'(?:[^'\\]|\\.)*\\.",                           # a backslash escape in a literal
    4: r"^\s*(INSERT|UPDATE|DELETE|REPLACE)|LAST_INSERT_ID",
    5: r"ON DUPLICATE KEY UPDATE|INSERT IGNORE",
    6: r"SQL_CALC_FOUND_ROWS|FOUND_ROWS\(\)",
    7: r"(=|<|>|IN \()\s*'?-?\d|'\s*(=|<|>|\+|/)",       # strings and numbers compared
    8: r"0000-00-00|_gmt\s*[<>]",                     # a zero date, or dates compared
    9: r"YEAR\(|MONTH\(|DAYOFMONTH\(|NOW\(\)|DATE_SUB\(|DATE_ADD\(",
    10: r"^\s*DELETE\s+\w+\s*,\s*\w+\s+FROM",
    11: r"REGEXP|RLIKE",
    12: r"^\s*(CREATE TABLE|ALTER TABLE|DESCRIBE|SHOW (FULL )?COLUMNS|SHOW INDEX)",
    13: r"",
    14: r"^\s*(INSERT|UPDATE|SET SESSION sql_mode)",
}


def test_every_point_of_36_is_exercised(outcomes):
    points = section_36_points()
    assert points == list(range(1, 15)), points
    for p in points:
        tagged = [i for i, s in enumerate(STATEMENTS) if p in getattr(s, "points", ())]
        assert tagged, "no statement exercises §3.6 point %d" % p
        for i in tagged:
            assert re.search(POINT_TEXT[p], STATEMENTS[i], re.I), (p, STATEMENTS[i])
            if p == 13:
                assert outcomes[0][i][0][0] == "err", (STATEMENTS[i], outcomes[0][i][0])
    # the three errors §3.6.13 names: 1146, 1062 and 1064
    codes = {outcomes[0][i][0][1] for i, s in enumerate(STATEMENTS)
             if 13 in getattr(s, "points", ())}
    assert {1146, 1062, 1064} <= codes, codes


def meaningful(sql, outcome):
    """Rows came back, or rows were written; SET and CREATE TABLE only need to succeed."""
    if outcome[0] == "rows":
        return len(outcome[3]) > 0
    if outcome[0] == "ok":
        return outcome[1] > 0 or re.match(r"(?i)\s*(SET|CREATE TABLE)\b", sql) is not None
    return False


def test_every_captured_shape_is_run(outcomes):
    shapes = sqlshape.read_shapes(SHAPES_FILE)
    with open(SHAPES_FILE) as f:
        declared = int(re.search(r"(\d+) distinct shapes", f.read()).group(1))
    assert len(shapes) == declared == len({s for _, s in shapes})
    # the normaliser writes the file's own shapes back unchanged
    assert [s for _, s in shapes if sqlshape.shape(s) != s] == []
    run = {}
    for i, sql in enumerate(STATEMENTS):
        run.setdefault(sqlshape.shape(sql), []).append(i)
    missing = [s for _, s in shapes if s not in run]
    assert missing == [], "shapes no statement has:\n" + "\n".join(missing)
    # and at least one statement of each shape returns rows or writes rows on MariaDB
    empty = [s for _, s in shapes
             if not any(meaningful(STATEMENTS[i], outcomes[0][i][0]) for i in run[s])]
    assert empty == [], "shapes only run without a result:\n" + "\n".join(empty)
