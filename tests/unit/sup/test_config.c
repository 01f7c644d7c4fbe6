/* test_config.c — unit tests of the supervisor's config model and YAML loader: defaults,
 * durations and sizes, path resolution, every prefix of a full config (a cut anywhere gives a
 * config or a FILE:LINE:COL error, never a crash), JSON escaping and the kinds table. */
#include <harv/sup.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

static const char full[] =
    "version: 1\n"
    "state_dir: /var/lib/harv\n"
    "log: {destination: files, level: warn, max_size: 64k, keep: 3}\n"
    "listeners:\n"
    "  web: 127.0.0.1:8080\n"
    "  six: \"[::1]:8080\"\n"
    "  loc: unix:run/web.sock\n"
    "http:\n"
    "  listen: [web, six, loc]\n"
    "  root: site\n"
    "  index: [start.html]\n"
    "  mime_allow: [html, css]\n"
    "  timeout_keepalive: 2m\n"
    "  drain_timeout: 1500ms\n"
    "  limits: {memory: 1g, open_files: 512, cpu: 150}\n"
    "  sandbox: {landlock: false}\n"
    "  restart: {max_deaths: 3, window: 1h, backoff_max: 5s, stable: 250}\n"
    "sql:\n"
    "  socket: run/sql.sock\n"
    "  users:\n"
    "    - {name: app, password: \"p:w\"}\n"
    "  databases: [a, b]\n"
    "  durability: normal\n";

static void test_full_config(void **state)
{
    sup_config_t c;
    char err[512] = "";
    assert_int_equal(sup_config_parse(&c, "t.yaml", "/etc/harv", full, strlen(full), err,
                                      sizeof err), BASE_OK);
    assert_string_equal(c.state_dir, "/var/lib/harv");
    assert_int_equal(c.log_dest, SUP_LOG_FILES);
    assert_int_equal(c.log_level, BASE_LOG_WARN);
    assert_int_equal(c.log_max_size, 64 << 10);
    assert_int_equal(c.nlisteners, 4);
    assert_string_equal(c.listeners[1].address, "[::1]:8080");
    assert_string_equal(c.listeners[2].address, "unix:/var/lib/harv/run/web.sock");
    /* HarvSQL's socket is a listener of the supervisor's own: kept across restarts; with
     * users it is open to all (0 = 0666), and MySQL's server-first greeting: no defer */
    assert_string_equal(c.listeners[3].name, SUP_SQL_SOCK_LISTENER);
    assert_string_equal(c.listeners[3].address, "unix:/var/lib/harv/run/sql.sock");
    assert_int_equal(c.listeners[3].mode, 0);
    assert_true(c.listeners[3].server_first);
    assert_false(c.listeners[0].server_first);
    assert_true(c.http.task.enabled);
    assert_string_equal(c.http.root, "/etc/harv/site");
    assert_int_equal(c.http.index.n, 1);
    assert_string_equal(c.http.index.v[0], "start.html");
    assert_int_equal(c.http.timeout_keepalive_ms, 120000);
    assert_int_equal(c.http.task.drain_ms, 1500);
    assert_int_equal(c.http.task.limits.memory, 1ull << 30);
    assert_int_equal(c.http.task.limits.cpu_percent, 150);
    assert_false(c.http.task.sandbox.landlock);
    assert_true(c.http.task.sandbox.seccomp); /* untouched defaults stay */
    assert_int_equal(c.http.task.restart.window_ms, 3600000);
    assert_int_equal(c.http.task.restart.stable_ms, 250);
    assert_true(c.sql.task.enabled);
    assert_string_equal(c.sql.socket, "/var/lib/harv/run/sql.sock");
    assert_int_equal(c.sql.nusers, 1);
    assert_string_equal(c.sql.users[0].password, "p:w");
    assert_int_equal(c.sql.durability, 1);
    assert_false(c.probe.task.enabled);
    sup_config_fini(&c);
}

static void test_defaults(void **state)
{
    static const char y[] = "listeners: {web: 80}\nhttp: {listen: [web], root: /srv}\n";
    sup_config_t c;
    char err[512];
    assert_int_equal(sup_config_parse(&c, "t.yaml", "/base", y, strlen(y), err, sizeof err),
                     BASE_OK);
    assert_string_equal(c.state_dir, "/base/state");
    assert_int_equal(c.http.index.n, 2);
    assert_string_equal(c.http.access_log, "off");
    assert_int_equal(c.http.task.restart.max_deaths, 5);
    assert_int_equal(c.http.task.restart.backoff_max_ms, 30000);
    assert_int_equal(c.http.task.drain_ms, 10000);
    assert_true(c.http.task.sandbox.netns && c.http.task.sandbox.cgroup);
    assert_int_equal(c.log_dest, SUP_LOG_STDOUT);
    sup_config_fini(&c);
}

/* Every prefix of a valid config parses or fails with a located message. */
static void test_every_prefix(void **state)
{
    size_t n = strlen(full);
    for (size_t i = 0; i <= n; i++) {
        char *buf = malloc(i ? i : 1); /* exact size: ASan sees any overread */
        memcpy(buf, full, i);
        sup_config_t c;
        char err[512] = "";
        int rc = sup_config_parse(&c, "cut.yaml", "/b", buf, i, err, sizeof err);
        if (rc != BASE_OK)
            assert_memory_equal(err, "cut.yaml:", 9);
        sup_config_fini(&c);
        free(buf);
    }
}

static void expect_error(const char *yaml, const char *msg)
{
    sup_config_t c;
    char err[512] = "";
    assert_int_equal(sup_config_parse(&c, "e.yaml", "/b", yaml, strlen(yaml), err, sizeof err),
                     BASE_ERROR);
    assert_string_equal(err, msg);
    sup_config_fini(&c);
}

static void test_errors(void **state)
{
    expect_error("probe: {hog: 1x}\n",
                 "e.yaml:1:14: probe.hog: '1x' is not a size (e.g. 4096, 64k, 256m, 1g), "
                 "valid: a size");
    expect_error("probe: {drain_timeout: 11m}\n",
                 "e.yaml:1:24: probe.drain_timeout: '11m' is out of range, valid: a duration "
                 "from 0 to 10m");
    expect_error("probe: {}\nprobe: {}\n",
                 "e.yaml:2:1: probe: duplicate key (first at line 1), valid: each key once");
    expect_error("probe: {connect: unix:/x}\n",
                 "e.yaml:1:18: probe.connect: 'unix:/x' is not a TCP address, valid: "
                 "HOST:PORT ([V6]:PORT too)");
    expect_error("? [a]\n: b\n", "e.yaml:1:3: a key must be a plain string, found a list");
    expect_error("listeners: {a: 1, a: 2}\n",
                 "e.yaml:1:19: listeners.a: duplicate key, valid: each listener name once");
}

static const char php_yaml[] =
    "state_dir: /srv/st\n"
    "listeners: {web: 127.0.0.1:8080}\n"
    "http: {listen: [web], root: /srv/site}\n"
    "sql: {socket: run/sql.sock}\n"
    "php:\n"
    "  workers: 3\n"
    "  timeout: 2s\n"
    "  max_requests: 7\n"
    "  memory_cap: 64m\n"
    "  ini: {memory_limit: 32M, display_errors: \"\"}\n"
    "  writable: [wp-content/uploads, /var/tmp/x]\n"
    "  sandbox: {private_network: false}\n";

static void test_php(void **state)
{
    sup_config_t c;
    char err[512] = "";
    assert_int_equal(sup_config_parse(&c, "p.yaml", "/etc/harv", php_yaml, strlen(php_yaml),
                                      err, sizeof err), BASE_OK);
    assert_true(c.php.present);
    assert_true(c.php.task.enabled);
    assert_int_equal(c.php.workers, 3);
    assert_int_equal(c.php.timeout_ms, 2000);
    assert_int_equal(c.php.max_requests, 7);
    assert_int_equal(c.php.memory_cap, 64u << 20);
    assert_int_equal(c.php.ini.n, 2);
    assert_string_equal(c.php.ini.v[0], "memory_limit=32M");
    assert_string_equal(c.php.ini.v[1], "display_errors=");
    assert_string_equal(c.php.writable.v[0], "/srv/site/wp-content/uploads");
    assert_string_equal(c.php.writable.v[1], "/var/tmp/x");
    assert_false(c.php.task.sandbox.netns);
    assert_string_equal(c.php.socket, "/srv/st/run/php.sock");
    assert_string_equal(c.php.tmp_dir, "/srv/st/php/tmp");
    /* the supervisor binds the pool's socket (and HarvSQL's) as listeners of its own */
    assert_int_equal(c.nlisteners, 3);
    assert_string_equal(c.listeners[1].name, SUP_SQL_SOCK_LISTENER);
    assert_int_equal(c.listeners[1].mode, 0600); /* no users: HarvSQL trusts its socket */
    assert_string_equal(c.listeners[2].name, SUP_PHP_LISTENER);
    assert_string_equal(c.listeners[2].address, "unix:/srv/st/run/php.sock");
    sup_config_fini(&c);
    /* an external FastCGI server: routing on, no pool task, no socket */
    static const char ext[] = "listeners: {web: 127.0.0.1:0}\nhttp: {listen: [web], root: /s}\n"
                              "php: {fastcgi: unix:fpm.sock, ini: [a=1]}\n";
    assert_int_equal(sup_config_parse(&c, "p.yaml", "/etc/harv", ext, strlen(ext), err,
                                      sizeof err), BASE_OK);
    assert_true(c.php.present);
    assert_false(c.php.task.enabled);
    assert_string_equal(c.php.fastcgi, "unix:/etc/harv/state/fpm.sock");
    assert_int_equal(c.nlisteners, 1);
    sup_config_fini(&c);
    expect_error("php: {}\n", "e.yaml:1:1: php: PHP needs an http section (its root and "
                 "listeners), valid: http: {listen: [...], root: DIR} beside php");
    expect_error("listeners: {w: 1}\nhttp: {listen: [w], root: /r}\nphp: {ini: [x]}\n",
                 "e.yaml:3:13: php.ini: 'x' is not KEY=VALUE, valid: e.g. memory_limit=256M");
    expect_error("listeners: {w: 1}\nhttp: {listen: [w], root: /r}\nphp: {workers: 0}\n",
                 "e.yaml:3:16: php.workers: '0' is out of range, valid: a number from 1 to "
                 "1024");
}

static void test_json_and_kinds(void **state)
{
    base_buf_t b;
    base_buf_init(&b);
    sup_json_str(&b, "a\"b\\c\nd\x01");
    base_buf_append(&b, "", 1);
    assert_string_equal(b.data, "\"a\\\"b\\\\c\\nd\\u0001\"");
    base_buf_fini(&b);
    assert_non_null(sup_kind_find("http"));
    assert_null(sup_kind_find("nope"));
    assert_true(sup_kind_find("http")->flags & SUP_KIND_OVERLAP);
    assert_false(sup_kind_find("probe")->flags & SUP_KIND_NET);
    assert_true(sup_kind_find("sql")->order < sup_kind_find("http")->order);
    /* php starts after sql and before http (stop: the reverse) */
    assert_true(sup_kind_find("sql")->order < sup_kind_find("php")->order);
    assert_true(sup_kind_find("php")->order < sup_kind_find("http")->order);
    assert_false(sup_kind_find("php")->flags & SUP_KIND_NET);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_full_config),   cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_every_prefix),  cmocka_unit_test(test_errors),
        cmocka_unit_test(test_json_and_kinds), cmocka_unit_test(test_php),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
