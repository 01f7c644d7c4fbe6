/* test_wordpress.c — WordPress 6.1 against the SQL side: the session set-up WordPress sends,
 * the install probes (1146), its 12 tables as schema.php creates them, every statement shape of
 * ../shared/data/wordpress-query-shapes.sql (literals filled in), and the semantics of
 * wordpress-sql.md §3.6 checked on real data: _ci comparisons and keys, MySQL LIKE escapes,
 * backslash strings, changed-rows/insert-id/ODKU OK packets, SQL_CALC_FOUND_ROWS, numeric
 * comparison of text, zero dates, date functions, multi-table DELETE, REGEXP, DESCRIBE and
 * SHOW FULL COLUMNS, column names and definitions. */
#include "sqltest.h"

#define CS " DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_520_ci"

static const char *const k_schema[] = {
    "CREATE TABLE wp_users (\n  ID bigint(20) unsigned NOT NULL auto_increment,\n"
    "  user_login varchar(60) NOT NULL default '',\n  user_pass varchar(255) NOT NULL default '',\n"
    "  user_nicename varchar(50) NOT NULL default '',\n  user_email varchar(100) NOT NULL default '',\n"
    "  user_url varchar(100) NOT NULL default '',\n"
    "  user_registered datetime NOT NULL default '0000-00-00 00:00:00',\n"
    "  user_activation_key varchar(255) NOT NULL default '',\n  user_status int(11) NOT NULL default '0',\n"
    "  display_name varchar(250) NOT NULL default '',\n  PRIMARY KEY  (ID),\n"
    "  KEY user_login_key (user_login),\n  KEY user_nicename (user_nicename),\n"
    "  KEY user_email (user_email)\n)" CS,
    "CREATE TABLE wp_usermeta (\n  umeta_id bigint(20) unsigned NOT NULL auto_increment,\n"
    "  user_id bigint(20) unsigned NOT NULL default '0',\n  meta_key varchar(255) default NULL,\n"
    "  meta_value longtext,\n  PRIMARY KEY  (umeta_id),\n  KEY user_id (user_id),\n"
    "  KEY meta_key (meta_key(191))\n)" CS,
    "CREATE TABLE wp_termmeta (\n  meta_id bigint(20) unsigned NOT NULL auto_increment,\n"
    "  term_id bigint(20) unsigned NOT NULL default '0',\n  meta_key varchar(255) default NULL,\n"
    "  meta_value longtext,\n  PRIMARY KEY  (meta_id),\n  KEY term_id (term_id),\n"
    "  KEY meta_key (meta_key(191))\n)" CS,
    "CREATE TABLE wp_terms (\n term_id bigint(20) unsigned NOT NULL auto_increment,\n"
    " name varchar(200) NOT NULL default '',\n slug varchar(200) NOT NULL default '',\n"
    " term_group bigint(10) NOT NULL default 0,\n PRIMARY KEY  (term_id),\n KEY slug (slug(191)),\n"
    " KEY name (name(191))\n)" CS,
    "CREATE TABLE wp_term_taxonomy (\n term_taxonomy_id bigint(20) unsigned NOT NULL auto_increment,\n"
    " term_id bigint(20) unsigned NOT NULL default 0,\n taxonomy varchar(32) NOT NULL default '',\n"
    " description longtext NOT NULL,\n parent bigint(20) unsigned NOT NULL default 0,\n"
    " count bigint(20) NOT NULL default 0,\n PRIMARY KEY  (term_taxonomy_id),\n"
    " UNIQUE KEY term_id_taxonomy (term_id,taxonomy),\n KEY taxonomy (taxonomy)\n)" CS,
    "CREATE TABLE wp_term_relationships (\n object_id bigint(20) unsigned NOT NULL default 0,\n"
    " term_taxonomy_id bigint(20) unsigned NOT NULL default 0,\n term_order int(11) NOT NULL default 0,\n"
    " PRIMARY KEY  (object_id,term_taxonomy_id),\n KEY term_taxonomy_id (term_taxonomy_id)\n)" CS,
    "CREATE TABLE wp_commentmeta (\n  meta_id bigint(20) unsigned NOT NULL auto_increment,\n"
    "  comment_id bigint(20) unsigned NOT NULL default '0',\n  meta_key varchar(255) default NULL,\n"
    "  meta_value longtext,\n  PRIMARY KEY  (meta_id),\n  KEY comment_id (comment_id),\n"
    "  KEY meta_key (meta_key(191))\n)" CS,
    "CREATE TABLE wp_comments (\n  comment_ID bigint(20) unsigned NOT NULL auto_increment,\n"
    "  comment_post_ID bigint(20) unsigned NOT NULL default '0',\n  comment_author tinytext NOT NULL,\n"
    "  comment_author_email varchar(100) NOT NULL default '',\n"
    "  comment_author_url varchar(200) NOT NULL default '',\n"
    "  comment_author_IP varchar(100) NOT NULL default '',\n"
    "  comment_date datetime NOT NULL default '0000-00-00 00:00:00',\n"
    "  comment_date_gmt datetime NOT NULL default '0000-00-00 00:00:00',\n"
    "  comment_content text NOT NULL,\n  comment_karma int(11) NOT NULL default '0',\n"
    "  comment_approved varchar(20) NOT NULL default '1',\n"
    "  comment_agent varchar(255) NOT NULL default '',\n"
    "  comment_type varchar(20) NOT NULL default 'comment',\n"
    "  comment_parent bigint(20) unsigned NOT NULL default '0',\n"
    "  user_id bigint(20) unsigned NOT NULL default '0',\n  PRIMARY KEY  (comment_ID),\n"
    "  KEY comment_post_ID (comment_post_ID),\n"
    "  KEY comment_approved_date_gmt (comment_approved,comment_date_gmt),\n"
    "  KEY comment_date_gmt (comment_date_gmt),\n  KEY comment_parent (comment_parent),\n"
    "  KEY comment_author_email (comment_author_email(10))\n)" CS,
    "CREATE TABLE wp_links (\n  link_id bigint(20) unsigned NOT NULL auto_increment,\n"
    "  link_url varchar(255) NOT NULL default '',\n  link_name varchar(255) NOT NULL default '',\n"
    "  link_image varchar(255) NOT NULL default '',\n  link_target varchar(25) NOT NULL default '',\n"
    "  link_description varchar(255) NOT NULL default '',\n"
    "  link_visible varchar(20) NOT NULL default 'Y',\n"
    "  link_owner bigint(20) unsigned NOT NULL default '1',\n  link_rating int(11) NOT NULL default '0',\n"
    "  link_updated datetime NOT NULL default '0000-00-00 00:00:00',\n"
    "  link_rel varchar(255) NOT NULL default '',\n  link_notes mediumtext NOT NULL,\n"
    "  link_rss varchar(255) NOT NULL default '',\n  PRIMARY KEY  (link_id),\n"
    "  KEY link_visible (link_visible)\n)" CS,
    "CREATE TABLE wp_options (\n  option_id bigint(20) unsigned NOT NULL auto_increment,\n"
    "  option_name varchar(191) NOT NULL default '',\n  option_value longtext NOT NULL,\n"
    "  autoload varchar(20) NOT NULL default 'yes',\n  PRIMARY KEY  (option_id),\n"
    "  UNIQUE KEY option_name (option_name),\n  KEY autoload (autoload)\n)" CS,
    "CREATE TABLE wp_postmeta (\n  meta_id bigint(20) unsigned NOT NULL auto_increment,\n"
    "  post_id bigint(20) unsigned NOT NULL default '0',\n  meta_key varchar(255) default NULL,\n"
    "  meta_value longtext,\n  PRIMARY KEY  (meta_id),\n  KEY post_id (post_id),\n"
    "  KEY meta_key (meta_key(191))\n)" CS,
    "CREATE TABLE wp_posts (\n  ID bigint(20) unsigned NOT NULL auto_increment,\n"
    "  post_author bigint(20) unsigned NOT NULL default '0',\n"
    "  post_date datetime NOT NULL default '0000-00-00 00:00:00',\n"
    "  post_date_gmt datetime NOT NULL default '0000-00-00 00:00:00',\n"
    "  post_content longtext NOT NULL,\n  post_title text NOT NULL,\n  post_excerpt text NOT NULL,\n"
    "  post_status varchar(20) NOT NULL default 'publish',\n"
    "  comment_status varchar(20) NOT NULL default 'open',\n"
    "  ping_status varchar(20) NOT NULL default 'open',\n"
    "  post_password varchar(255) NOT NULL default '',\n  post_name varchar(200) NOT NULL default '',\n"
    "  to_ping text NOT NULL,\n  pinged text NOT NULL,\n"
    "  post_modified datetime NOT NULL default '0000-00-00 00:00:00',\n"
    "  post_modified_gmt datetime NOT NULL default '0000-00-00 00:00:00',\n"
    "  post_content_filtered longtext NOT NULL,\n"
    "  post_parent bigint(20) unsigned NOT NULL default '0',\n  guid varchar(255) NOT NULL default '',\n"
    "  menu_order int(11) NOT NULL default '0',\n  post_type varchar(20) NOT NULL default 'post',\n"
    "  post_mime_type varchar(100) NOT NULL default '',\n"
    "  comment_count bigint(20) NOT NULL default '0',\n  PRIMARY KEY  (ID),\n"
    "  KEY post_name (post_name(191)),\n  KEY type_status_date (post_type,post_status,post_date,ID),\n"
    "  KEY post_parent (post_parent),\n  KEY post_author (post_author)\n)" CS,
};

static const char *const k_tables[] = {"wp_commentmeta", "wp_comments", "wp_links", "wp_options",
                                       "wp_postmeta", "wp_posts", "wp_term_relationships",
                                       "wp_term_taxonomy", "wp_termmeta", "wp_terms",
                                       "wp_usermeta", "wp_users"};

/* The connection set-up of wpdb (wordpress-sql.md §1.2). */
static void wp_connect(env_t *e)
{
    rs_t *r = &e->r;
    QOK(e->s, r, "SET NAMES utf8mb4");
    QOK(e->s, r, "SET NAMES 'utf8mb4' COLLATE 'utf8mb4_unicode_520_ci'");
    QOK(e->s, r, "SELECT @@SESSION.sql_mode");
    QOK(e->s, r, "SET SESSION sql_mode='ERROR_FOR_DIVISION_BY_ZERO,NO_AUTO_CREATE_USER,NO_ENGINE_SUBSTITUTION'");
    hsql_error_t err;
    assert_int_equal(hsql_session_use(e->s, "wordpress", &err), 0);
}

static env_t *wp_env(void)
{
    env_t *e = env_new(NULL);
    hsql_error_t err;
    assert_int_equal(hsql_engine_create_db(e->eng, "wordpress", &err), 0);
    wp_connect(e);
    return e;
}

static void wp_install(env_t *e)
{
    for (size_t i = 0; i < sizeof k_schema / sizeof k_schema[0]; i++)
        QOK(e->s, &e->r, k_schema[i]);
}

static void test_install_probes(void **state)
{
    (void)state;
    env_t *e = wp_env();
    rs_t *r = &e->r;
    hsql_error_t er = QERR(e->s, r, "SELECT option_value FROM wp_options WHERE option_name = 'siteurl' LIMIT 1", 1146);
    assert_string_equal(er.msg, "Table 'wordpress.wp_options' doesn't exist");
    for (size_t i = 0; i < sizeof k_tables / sizeof k_tables[0]; i++) {
        char q[128];
        snprintf(q, sizeof q, "DESCRIBE %s;", k_tables[i]);
        er = QERR(e->s, r, q, 1146);
        assert_string_equal(er.sqlstate, "42S02");
    }
    QOK(e->s, r, "SHOW TABLES LIKE 'wp\\\\_users'");
    assert_int_equal(r->nrows, 0);
    wp_install(e);
    QOK(e->s, r, "SHOW TABLES LIKE 'wp\\\\_users'");
    assert_int_equal(r->nrows, 1);
    assert_string_equal(r->cols[0].name, "Tables_in_wordpress (wp\\_users)");
    assert_string_equal(V(r, 0, 0), "wp_users");
    QOK(e->s, r, "SHOW TABLES");
    assert_int_equal(r->nrows, 12);
    env_free(e);
}

/* Fills a shape's normalised literals with concrete, unique values. */
static char *fill_shape(const char *shape, int *counter)
{
    size_t n = strlen(shape);
    char *o = malloc(n * 8 + 256), *w = o;
    const char *tuple = NULL;
    for (size_t i = 0; i < n;) {
        if (!strncmp(shape + i, "VALUES (", 8) || !strncmp(shape + i, "VALUES(", 7))
            tuple = shape + i + (shape[i + 6] == ' ' ? 7 : 6);
        if (!strncmp(shape + i, ", ...", 5) && tuple) {
            /* another tuple like the last one */
            *w++ = ',';
            *w++ = ' ';
            size_t tl = 0;
            int d = 0;
            for (const char *p = tuple;; p++, tl++) {
                if (*p == '(')
                    d++;
                if (*p == ')' && --d == 0) {
                    tl++;
                    break;
                }
            }
            char *sub = malloc(tl + 1);
            memcpy(sub, tuple, tl);
            sub[tl] = 0;
            char *f = fill_shape(sub, counter);
            w += sprintf(w, "%s", f);
            free(f);
            free(sub);
            i += 5;
            continue;
        }
        if (!strncmp(shape + i, "('?'+)", 6)) {
            w += sprintf(w, "('v%d','v%d')", *counter, *counter + 1);
            *counter += 2;
            i += 6;
        } else if (!strncmp(shape + i, "(?+)", 4)) {
            w += sprintf(w, "(%d,%d)", *counter, *counter + 1);
            *counter += 2;
            i += 4;
        } else if (!strncmp(shape + i, "'?'", 3)) {
            w += sprintf(w, "'v%d'", (*counter)++);
            i += 3;
        } else if (shape[i] == '?') {
            w += sprintf(w, "%d", (*counter)++);
            i++;
        } else {
            *w++ = shape[i++];
        }
    }
    *w = 0;
    return o;
}

static void test_all_shapes(void **state)
{
    (void)state;
    env_t *e = wp_env();
    wp_install(e);
    rs_t *r = &e->r;
    char path[1024];
    snprintf(path, sizeof path, "%s/data/wordpress-query-shapes.sql", HARV_SHARED_DIR);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char line[65536];
    int counter = 1, nshapes = 0, nrun = 0;
    while (fgets(line, sizeof line, f)) {
        size_t n = strlen(line);
        while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            line[--n] = 0;
        if (strncmp(line, "/*", 2))
            continue;
        char *sql = strstr(line, "*/");
        if (!sql)
            continue;
        sql += 2;
        while (*sql == ' ')
            sql++;
        nshapes++;
        if (!strncmp(sql, "CREATE TABLE", 12))
            continue; /* the real schema is created by wp_install */
        char *q;
        if (!strncmp(sql, "SET NAMES '?' COLLATE '?'", 25))
            q = strdup("SET NAMES 'utf8mb4' COLLATE 'utf8mb4_unicode_520_ci'");
        else if (!strncmp(sql, "SET SESSION sql_mode", 20))
            q = strdup("SET SESSION sql_mode = 'ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION'");
        else
            q = fill_shape(sql, &counter);
        /* WordPress sends some with surrounding whitespace: so do we, for half of them */
        char *wq = malloc(strlen(q) + 8);
        sprintf(wq, (nrun % 2) ? "\n\t%s \n" : "%s", q);
        QOK(e->s, r, wq);
        nrun++;
        free(wq);
        free(q);
    }
    fclose(f);
    assert_int_equal(nshapes, 170);
    assert_int_equal(nrun, 158);
    env_free(e);
}

static void test_ci_collation(void **state)
{
    (void)state;
    env_t *e = wp_env();
    wp_install(e);
    rs_t *r = &e->r;
    QOK(e->s, r, "INSERT INTO wp_options (option_name, option_value, autoload) VALUES ('Blogname', 'x', 'yes')");
    assert_string_equal(Q1(e->s, "SELECT option_value FROM wp_options WHERE option_name = 'blogname' LIMIT 1"), "x");
    assert_string_equal(Q1(e->s, "SELECT option_value FROM wp_options WHERE option_name = 'BLOGNAME  '"), "x");
    assert_string_equal(Q1(e->s, "SELECT COUNT(*) FROM wp_options WHERE option_name IN ('blogNAME')"), "1");
    /* the UNIQUE KEY is case-insensitive */
    hsql_error_t er = QERR(e->s, r, "INSERT INTO wp_options (option_name, option_value) VALUES ('BLOGNAME', 'y')", 1062);
    assert_non_null(strstr(er.msg, "for key 'wp_options.option_name'"));
    /* accents */
    QOK(e->s, r, "INSERT INTO wp_terms (name, slug) VALUES ('Café', 'cafe'), ('apple', 'apple'), ('Banana', 'banana')");
    assert_string_equal(Q1(e->s, "SELECT slug FROM wp_terms WHERE name = 'CAFE'"), "cafe");
    QOK(e->s, r, "SELECT t.name FROM wp_terms AS t ORDER BY t.name ASC");
    assert_int_equal(r->nrows, 3);
    assert_string_equal(V(r, 0, 0), "apple");
    assert_string_equal(V(r, 1, 0), "Banana");
    assert_string_equal(V(r, 2, 0), "Café");
    /* composite unique (term_id, taxonomy) with a case difference */
    QOK(e->s, r, "INSERT INTO wp_term_taxonomy (term_id, taxonomy, description) VALUES (1, 'category', '')");
    QERR(e->s, r, "INSERT INTO wp_term_taxonomy (term_id, taxonomy, description) VALUES (1, 'Category', '')", 1062);
    /* LIKE is case-insensitive too, and \ escapes wildcards */
    QOK(e->s, r, "INSERT INTO wp_options (option_name, option_value) VALUES ('_transient_abc', '1'), ('xtransientyabc', '2')");
    assert_string_equal(Q1(e->s, "SELECT COUNT(*) FROM wp_options WHERE option_name LIKE '\\\\_transient\\\\_%'"), "1");
    assert_string_equal(Q1(e->s, "SELECT COUNT(*) FROM wp_options WHERE option_name LIKE '_TRANSIENT%'"), "2");
    assert_string_equal(Q1(e->s, "SELECT COUNT(*) FROM wp_options WHERE option_name NOT LIKE '%abc'"), "1");
    env_free(e);
}

static void test_strings_and_ok(void **state)
{
    (void)state;
    env_t *e = wp_env();
    wp_install(e);
    rs_t *r = &e->r;
    /* backslash escapes as mysqli_real_escape_string writes them */
    QOK(e->s, r, "INSERT INTO `wp_options` (`option_name`, `option_value`, `autoload`) VALUES "
                 "('ser', 'a:1:{s:3:\\\"foo\\\";s:4:\\\"O\\'Br\\\";}\\n\\\\', 'no')");
    assert_int_equal(r->ok.affected_rows, 1);
    assert_int_equal(r->ok.insert_id, 1);
    assert_string_equal(Q1(e->s, "SELECT option_value FROM wp_options WHERE option_name = 'ser'"),
                        "a:1:{s:3:\"foo\";s:4:\"O'Br\";}\n\\");
    /* UPDATE reports changed rows */
    QOK(e->s, r, "UPDATE `wp_options` SET `option_value` = 'same' WHERE `option_name` = 'ser'");
    assert_int_equal(r->ok.affected_rows, 1);
    QOK(e->s, r, "UPDATE `wp_options` SET `option_value` = 'same' WHERE `option_name` = 'ser'");
    assert_int_equal(r->ok.affected_rows, 0);
    assert_string_equal(r->info, "Rows matched: 1  Changed: 0  Warnings: 0");
    /* the multi-row install insert: first id of the batch */
    QOK(e->s, r, "INSERT INTO wp_options(option_name, option_value, autoload) VALUES ('a1', 'x', 'yes'), ('a2', 'y', 'yes'), ('a3', 'z', 'no')");
    assert_int_equal(r->ok.insert_id, 2);
    assert_int_equal(r->ok.affected_rows, 3);
    /* no AUTO_INCREMENT: insert id 0 */
    QOK(e->s, r, "INSERT INTO `wp_term_relationships` (`object_id`, `term_taxonomy_id`) VALUES (1, 2)");
    assert_int_equal(r->ok.insert_id, 0);
    assert_int_equal(r->ok.affected_rows, 1);
    /* add_option: ODKU 1 / 2 / 0 */
    const char *odku = "INSERT INTO `wp_options` (`option_name`, `option_value`, `autoload`) VALUES ('%s', '%s', 'yes') "
                       "ON DUPLICATE KEY UPDATE `option_name` = VALUES (`option_name`), `option_value` = "
                       "VALUES (`option_value`), `autoload` = VALUES (`autoload`)";
    char q[512];
    snprintf(q, sizeof q, odku, "newopt", "1");
    QOK(e->s, r, q);
    assert_int_equal(r->ok.affected_rows, 1);
    assert_int_equal(r->ok.insert_id, 5);
    snprintf(q, sizeof q, odku, "newopt", "2");
    QOK(e->s, r, q);
    assert_int_equal(r->ok.affected_rows, 2);
    QOK(e->s, r, q);
    assert_int_equal(r->ok.affected_rows, 0);
    /* INSERT IGNORE lock rows */
    QOK(e->s, r, "INSERT IGNORE INTO `wp_options` ( `option_name`, `option_value`, `autoload` ) VALUES ('lock', 'x', 'no') /* LOCK */");
    assert_int_equal(r->ok.affected_rows, 1);
    QOK(e->s, r, "INSERT IGNORE INTO `wp_options` ( `option_name`, `option_value`, `autoload` ) VALUES ('lock', 'x', 'no') /* LOCK */");
    assert_int_equal(r->ok.affected_rows, 0);
    /* DELETE counts */
    QOK(e->s, r, "DELETE FROM `wp_options` WHERE `option_name` = 'lock'");
    assert_int_equal(r->ok.affected_rows, 1);
    QOK(e->s, r, "DELETE FROM `wp_options` WHERE `option_name` = 'lock'");
    assert_int_equal(r->ok.affected_rows, 0);
    assert_true(r->ok.status & HSQL_STATUS_AUTOCOMMIT);
    env_free(e);
}

static void add_post(env_t *e, const char *date, const char *type, const char *status, const char *name)
{
    char q[2048];
    snprintf(q, sizeof q,
             "INSERT INTO `wp_posts` (`post_author`, `post_date`, `post_date_gmt`, `post_content`, "
             "`post_content_filtered`, `post_title`, `post_excerpt`, `post_status`, `post_type`, "
             "`comment_status`, `ping_status`, `post_password`, `post_name`, `to_ping`, `pinged`, "
             "`post_modified`, `post_modified_gmt`, `post_parent`, `menu_order`, `post_mime_type`, `guid`) "
             "VALUES (1, '%s', '0000-00-00 00:00:00', 'content %s', '', 'Title %s', '', '%s', '%s', 'open', "
             "'open', '', '%s', '', '', '%s', '%s', 0, 0, '', 'http://x/?p=1')",
             date, name, name, status, type, name, date, date);
    QOK(e->s, &e->r, q);
}

static void test_posts_queries(void **state)
{
    (void)state;
    env_t *e = wp_env();
    wp_install(e);
    rs_t *r = &e->r;
    add_post(e, "2024-03-05 10:20:30", "post", "publish", "hello-world");
    add_post(e, "2024-04-01 08:00:00", "post", "publish", "second");
    add_post(e, "2023-12-31 23:59:59", "post", "draft", "draft-one");
    add_post(e, "2024-05-01 00:00:00", "page", "publish", "about");
    /* the home page loop + FOUND_ROWS */
    QOK(e->s, r, "SELECT SQL_CALC_FOUND_ROWS wp_posts.ID FROM wp_posts WHERE 1=1 AND ((wp_posts.post_type = 'post' AND "
                 "(wp_posts.post_status = 'publish'))) ORDER BY wp_posts.post_date DESC LIMIT 0, 1");
    assert_int_equal(r->nrows, 1);
    assert_string_equal(V(r, 0, 0), "2");
    assert_string_equal(r->cols[0].name, "ID");
    assert_int_equal(r->cols[0].type, HSQL_TYPE_LONGLONG);
    assert_true(r->cols[0].flags & HSQL_FLAG_UNSIGNED);
    assert_int_equal(r->cols[0].charset, 63);
    QOK(e->s, r, "SELECT FOUND_ROWS()");
    assert_string_equal(V(r, 0, 0), "2");
    /* GROUP BY variant */
    QOK(e->s, r, "SELECT SQL_CALC_FOUND_ROWS wp_posts.ID FROM wp_posts LEFT JOIN wp_term_relationships ON "
                 "(wp_posts.ID = wp_term_relationships.object_id) WHERE 1=1 AND ((wp_posts.post_type = 'post' "
                 "AND (wp_posts.post_status = 'publish' OR wp_posts.post_status = 'draft'))) GROUP BY wp_posts.ID "
                 "ORDER BY wp_posts.post_date DESC LIMIT 0, 2");
    assert_int_equal(r->nrows, 2);
    assert_string_equal(Q1(e->s, "SELECT FOUND_ROWS()"), "3");
    /* zero dates verbatim, and below any real date */
    QOK(e->s, r, "SELECT post_date_gmt, post_date FROM wp_posts WHERE ID = 1");
    assert_string_equal(V(r, 0, 0), "0000-00-00 00:00:00");
    assert_int_equal(r->cols[0].type, HSQL_TYPE_DATETIME);
    assert_int_equal(r->cols[0].length, 19);
    assert_string_equal(Q1(e->s, "SELECT COUNT(*) FROM wp_posts WHERE post_date_gmt < '1970-01-01 00:00:00'"), "4");
    /* a default zero date */
    QOK(e->s, r, "INSERT INTO wp_posts (post_content, post_title, post_excerpt, to_ping, pinged, post_content_filtered) "
                 "VALUES ('', '', '', '', '', '')");
    assert_string_equal(Q1(e->s, "SELECT post_modified FROM wp_posts WHERE ID = 5"), "0000-00-00 00:00:00");
    assert_string_equal(Q1(e->s, "SELECT post_status FROM wp_posts WHERE ID = 5"), "publish");
    /* date functions (permalink lookup) */
    QOK(e->s, r, "SELECT wp_posts.* FROM wp_posts WHERE 1=1 AND ((YEAR(wp_posts.post_date) = 2024 AND "
                 "MONTH(wp_posts.post_date) = 3 AND DAYOFMONTH(wp_posts.post_date) = 5)) AND "
                 "wp_posts.post_name = 'hello-world' AND wp_posts.post_type = 'post' ORDER BY wp_posts.post_date DESC");
    assert_int_equal(r->nrows, 1);
    assert_int_equal(r->ncols, 23);
    QOK(e->s, r, "SELECT DISTINCT YEAR(post_date) AS year, MONTH(post_date) AS month FROM wp_posts WHERE "
                 "post_type = 'post' AND post_status != 'draft' AND post_status != 'trash' ORDER BY post_date DESC");
    assert_int_equal(r->nrows, 3); /* 2024-04, 2024-03 and the zero date of post 5 */
    assert_string_equal(V(r, 2, 0), "0");
    assert_string_equal(r->cols[0].name, "year");
    assert_string_equal(V(r, 0, 0), "2024");
    assert_string_equal(V(r, 0, 1), "4");
    QOK(e->s, r, "SELECT ID FROM wp_posts WHERE post_status = 'draft' AND DATE_SUB(NOW(), INTERVAL 7 DAY) > post_date");
    assert_int_equal(r->nrows, 1);
    /* column names WordPress fetches by */
    QOK(e->s, r, "SELECT post_status, COUNT(*) AS num_posts FROM wp_posts WHERE post_type = 'post' GROUP BY post_status");
    assert_string_equal(r->cols[1].name, "num_posts");
    QOK(e->s, r, "SELECT COUNT( 1 ) FROM wp_posts WHERE post_type = 'post' AND post_status NOT IN ('trash','auto-draft') AND post_author = 1");
    assert_string_equal(r->cols[0].name, "COUNT( 1 )");
    assert_string_equal(V(r, 0, 0), "3");
    QOK(e->s, r, "SELECT 1 as test FROM wp_posts WHERE post_type = 'post' AND post_status = 'publish' LIMIT 1");
    assert_string_equal(r->cols[0].name, "test");
    /* text column types */
    QOK(e->s, r, "SELECT post_content, post_name, guid FROM wp_posts WHERE ID = 1");
    assert_int_equal(r->cols[0].type, HSQL_TYPE_BLOB);
    assert_true(r->cols[0].flags & HSQL_FLAG_BLOB);
    assert_int_equal(r->cols[0].charset, 246);
    assert_int_equal(r->cols[1].type, HSQL_TYPE_VAR_STRING);
    assert_int_equal(r->cols[1].length, 800);
    assert_string_equal(r->cols[1].name, "post_name");
    /* quoted number against an integer column */
    assert_string_equal(Q1(e->s, "SELECT post_name FROM wp_posts WHERE ID = '2' LIMIT 1"), "second");
    env_free(e);
}

static void test_meta_numeric_regexp_multidelete(void **state)
{
    (void)state;
    env_t *e = wp_env();
    wp_install(e);
    rs_t *r = &e->r;
    QOK(e->s, r, "INSERT INTO wp_postmeta (post_id, meta_key, meta_value) VALUES (1, '_edit_lock', '9'), "
                 "(2, '_edit_lock', '10'), (3, '_edit_lock', '1795238784'), (4, '_edit_lock', 'abc')");
    /* text compared with a number: numerically */
    QOK(e->s, r, "SELECT post_id FROM wp_postmeta WHERE meta_key = '_edit_lock' AND meta_value < 11 ORDER BY post_id");
    assert_int_equal(r->nrows, 3);
    assert_string_equal(V(r, 0, 0), "1");
    assert_string_equal(V(r, 2, 0), "4");
    /* the text is the client's packet, not NUL-terminated: bytes after it must not be read */
    {
        const char *buf = "SELECT COUNT(*) FROM wp_postmeta WHERE meta_value < 1199999";
        hsql_sink_t k = rs_sink(r);
        hsql_error_t er2;
        rs_clear(r);
        assert_int_equal(hsql_session_query(e->s, buf, strlen(buf) - 5, &k, &er2), 0);
        assert_string_equal(V(r, 0, 0), "3");
    }
    /* transients: multi-table DELETE */
    QOK(e->s, r, "INSERT INTO wp_options (option_name, option_value, autoload) VALUES "
                 "('_transient_timeout_a', '100', 'no'), ('_transient_a', 'va', 'no'), "
                 "('_transient_timeout_b', '9999999999', 'no'), ('_transient_b', 'vb', 'no')");
    QOK(e->s, r, "DELETE a, b FROM wp_options a, wp_options b WHERE a.option_name LIKE '\\\\_transient\\\\_%' "
                 "AND a.option_name NOT LIKE '\\\\_transient\\\\_timeout\\\\_%' AND b.option_name = "
                 "CONCAT('_transient_timeout_', SUBSTRING(a.option_name, 12)) AND b.option_value < 1795238784");
    assert_int_equal(r->ok.affected_rows, 2);
    assert_string_equal(Q1(e->s, "SELECT COUNT(*) FROM wp_options WHERE option_name LIKE '%\\\\_a'"), "0");
    assert_string_equal(Q1(e->s, "SELECT COUNT(*) FROM wp_options WHERE option_name LIKE '%\\\\_b'"), "2");
    /* REGEXP */
    QOK(e->s, r, "INSERT INTO wp_options (option_name, option_value) VALUES "
                 "('rss_0123456789abcdef0123456789abcdef', 'x'), ('rss_0123456789abcdef0123456789abcdef_ts', 'y'), ('rss_short', 'z')");
    QOK(e->s, r, "DELETE FROM wp_options WHERE option_name REGEXP '^rss_[0-9a-f]{32}(_ts)?$'");
    assert_int_equal(r->ok.affected_rows, 2);
    /* meta counts */
    QOK(e->s, r, "SELECT COUNT(NULLIF(`meta_value` LIKE '%abc%', false)), COUNT(*) FROM wp_postmeta WHERE meta_key = '_edit_lock'");
    assert_string_equal(V(r, 0, 0), "1");
    assert_string_equal(r->cols[0].name, "COUNT(NULLIF(`meta_value` LIKE '%abc%', false))");
    env_free(e);
}

static void test_describe_columns(void **state)
{
    (void)state;
    env_t *e = wp_env();
    wp_install(e);
    rs_t *r = &e->r;
    QOK(e->s, r, "DESCRIBE wp_options;");
    assert_int_equal(r->ncols, 6);
    assert_string_equal(r->cols[0].name, "Field");
    assert_string_equal(r->cols[5].name, "Extra");
    assert_int_equal(r->nrows, 4);
    assert_string_equal(V(r, 0, 1), "bigint(20) unsigned");
    assert_string_equal(V(r, 0, 2), "NO");
    assert_string_equal(V(r, 0, 3), "PRI");
    assert_string_equal(V(r, 0, 4), "NULL");
    assert_string_equal(V(r, 0, 5), "auto_increment");
    assert_string_equal(V(r, 1, 3), "UNI");
    assert_string_equal(V(r, 3, 3), "MUL");
    assert_string_equal(V(r, 3, 4), "yes");
    QOK(e->s, r, "SHOW FULL COLUMNS FROM `wp_options`");
    assert_int_equal(r->ncols, 9);
    const char *names[] = {"Field", "Type", "Collation", "Null", "Key", "Default", "Extra", "Privileges", "Comment"};
    for (int i = 0; i < 9; i++)
        assert_string_equal(r->cols[i].name, names[i]);
    assert_string_equal(V(r, 0, 2), "NULL");
    assert_string_equal(V(r, 1, 0), "option_name");
    assert_string_equal(V(r, 1, 1), "varchar(191)");
    assert_string_equal(V(r, 1, 2), "utf8mb4_unicode_520_ci");
    assert_string_equal(V(r, 1, 4), "UNI");
    assert_string_equal(V(r, 1, 5), "");
    assert_string_equal(V(r, 2, 1), "longtext");
    assert_string_equal(V(r, 2, 5), "NULL");
    assert_string_equal(V(r, 0, 7), "select,insert,update,references");
    QOK(e->s, r, "DESCRIBE wp_term_taxonomy");
    assert_string_equal(V(r, 1, 3), "MUL"); /* first column of a composite UNIQUE */
    QOK(e->s, r, "SHOW INDEX FROM wp_posts");
    assert_int_equal(r->nrows, 8);
    assert_string_equal(V(r, 1, 2), "post_name");
    assert_string_equal(V(r, 1, 7), "191");
    /* dbDelta: ALTER TABLE after DESCRIBE / SHOW INDEX */
    QOK(e->s, r, "ALTER TABLE wp_options ADD COLUMN extra_col varchar(20) NOT NULL default ''");
    QOK(e->s, r, "ALTER TABLE wp_options ADD KEY extra_col (extra_col)");
    QOK(e->s, r, "ALTER TABLE wp_options CHANGE COLUMN extra_col extra_col varchar(40) NOT NULL default 'z'");
    QOK(e->s, r, "DESCRIBE wp_options");
    assert_int_equal(r->nrows, 5);
    assert_string_equal(V(r, 4, 1), "varchar(40)");
    QOK(e->s, r, "ALTER TABLE wp_options DROP INDEX extra_col");
    QOK(e->s, r, "ALTER TABLE wp_options DROP COLUMN extra_col");
    QOK(e->s, r, "SHOW CREATE TABLE wp_options");
    assert_non_null(strstr(V(r, 0, 1), "UNIQUE KEY `option_name` (`option_name`)"));
    assert_non_null(strstr(V(r, 0, 1), "COLLATE=utf8mb4_unicode_520_ci"));
    env_free(e);
}

static void test_persistence(void **state)
{
    (void)state;
    env_t *e = wp_env();
    wp_install(e);
    QOK(e->s, &e->r, "INSERT INTO wp_options (option_name, option_value) VALUES ('siteurl', 'http://x')");
    /* a new engine on the same state dir sees the tables and their MySQL definitions */
    hsql_session_free(e->s);
    hsql_engine_free(e->eng);
    hsql_engine_cfg_t cfg = {e->dir, 2, 2000, NULL};
    hsql_error_t err;
    e->eng = hsql_engine_new(&cfg, &err);
    hsql_session_info_t info = {"wp", "localhost", false, false};
    e->s = hsql_session_new(e->eng, &info, "wordpress", &err);
    assert_non_null(e->s);
    assert_string_equal(Q1(e->s, "SELECT option_value FROM wp_options WHERE option_name = 'SITEURL'"), "http://x");
    QOK(e->s, &e->r, "SHOW FULL COLUMNS FROM `wp_posts`");
    assert_int_equal(e->r.nrows, 23);
    env_free(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_install_probes),
        cmocka_unit_test(test_all_shapes),
        cmocka_unit_test(test_ci_collation),
        cmocka_unit_test(test_strings_and_ok),
        cmocka_unit_test(test_posts_queries),
        cmocka_unit_test(test_meta_numeric_regexp_multidelete),
        cmocka_unit_test(test_describe_columns),
        cmocka_unit_test(test_persistence),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
