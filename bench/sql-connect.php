<?php
// bench/sql-connect.php — the client side of bench/sql-connect.sh (php8.2-cli, mysqli).
//
//   php sql-connect.php install SITE HOST:PORT           install WordPress in SITE (wp_install)
//   php sql-connect.php capture SITE OUT                 render SITE's front page once with
//                                                        SAVEQUERIES, write its SQL to OUT
//   php sql-connect.php loop HOST PORT USER PW DB N SERVER_PID [QUERIES_FILE]
//
// `loop` does N times what one WordPress page does with its database connection — connect
// (handshake + mysql_native_password), mysqli_set_charset (SET NAMES utf8mb4), wpdb's
// SET NAMES ... COLLATE, SELECT @@SESSION.sql_mode, SET SESSION sql_mode, COM_INIT_DB, then
// every statement of QUERIES_FILE (one a line, "\n" escaped as "\\n"; none: the first one a page
// sends, SELECT option_value ... 'siteurl'), reading every row, then COM_QUIT — and prints
// "N conns, Q queries, server CPU T us (T/N us per connection), wall W s" where T is utime+stime
// of SERVER_PID (all its threads, /proc/PID/stat) across the loop.
mysqli_report(MYSQLI_REPORT_ERROR | MYSQLI_REPORT_STRICT);

function ticks(int $pid): array { // [utime, stime] of all the process's threads
    $s = file_get_contents("/proc/$pid/stat");
    $f = explode(' ', substr($s, strrpos($s, ')') + 2));
    return [(int)$f[11], (int)$f[12]];
}

function wp_boot(string $site): void {
    $_SERVER['HTTP_HOST'] = 'bench.invalid';
    $_SERVER['REQUEST_URI'] = '/';
    $_SERVER['SERVER_NAME'] = 'bench.invalid';
    $_SERVER['SERVER_PORT'] = '80';
    $_SERVER['REQUEST_METHOD'] = 'GET';
    chdir($site);
}

$cmd = $argv[1] ?? '';
if ($cmd === 'install') {
    wp_boot($argv[2]);
    define('WP_INSTALLING', true);
    require $argv[2] . '/wp-load.php';
    require_once ABSPATH . 'wp-admin/includes/upgrade.php';
    $r = wp_install('Bench Blog', 'admin', 'a@example.org', false, '', 'bench-Pass-1!');
    if (empty($r['user_id'])) { fwrite(STDERR, "wp_install failed\n"); exit(1); }
    exit(0);
}
if ($cmd === 'capture') {
    wp_boot($argv[2]);
    define('SAVEQUERIES', true);
    define('WP_USE_THEMES', true);
    $out = $argv[3];
    register_shutdown_function(function () use ($out) {
        global $wpdb;
        $lines = [];
        foreach ($wpdb->queries as $q)
            $lines[] = str_replace(["\\", "\n"], ["\\\\", "\\n"], $q[0]);
        file_put_contents($out, implode("\n", $lines) . "\n");
    });
    ob_start();
    require $argv[2] . '/wp-blog-header.php';
    $html = ob_get_clean();
    if (strpos($html, 'Bench Blog') === false) {
        fwrite(STDERR, "not WordPress's front page\n");
        exit(1);
    }
    exit(0);
}
if ($cmd !== 'loop') { fwrite(STDERR, "usage: see the header of this file\n"); exit(2); }

[, , $host, $port, $user, $pw, $db, $n, $pid] = $argv;
$n = (int)$n;
$pid = (int)$pid;
$queries = ["SELECT option_value FROM wp_options WHERE option_name = 'siteurl' LIMIT 1"];
if (isset($argv[9]) && $argv[9] !== '') {
    $queries = [];
    foreach (file($argv[9], FILE_IGNORE_NEW_LINES | FILE_SKIP_EMPTY_LINES) as $l)
        $queries[] = strtr($l, ["\\\\" => "\\", "\\n" => "\n"]);
}
$mode = 'ERROR_FOR_DIVISION_BY_ZERO,NO_AUTO_CREATE_USER,NO_ENGINE_SUBSTITUTION';
$one = function () use ($host, $port, $user, $pw, $db, $queries, $mode): int {
    $m = mysqli_init();
    $m->real_connect($host, $user, $pw, null, (int)$port);
    $m->set_charset('utf8mb4');
    $m->query("SET NAMES 'utf8mb4' COLLATE 'utf8mb4_unicode_520_ci'");
    $r = $m->query('SELECT @@SESSION.sql_mode');
    $r->fetch_row();
    $r->free();
    $m->query("SET SESSION sql_mode='$mode'");
    $m->select_db($db);
    $rows = 0;
    foreach ($queries as $q) {
        $r = $m->query($q);
        if ($r instanceof mysqli_result) {
            while ($r->fetch_object())
                $rows++;
            $r->free();
        }
    }
    $m->close();
    return $rows;
};
$rows = $one(); // warm-up (not counted)
$t0 = ticks($pid);
$w0 = microtime(true);
for ($i = 0; $i < $n; $i++)
    $one();
$w1 = microtime(true);
$t1 = ticks($pid);
$tck = 100; // CLK_TCK on Linux
$uu = ($t1[0] - $t0[0]) * 1e6 / $tck;
$su = ($t1[1] - $t0[1]) * 1e6 / $tck;
$us = $uu + $su;
printf("%d conns, %d queries (%d rows) each, server CPU %.0f us " .
       "(%.1f us per connection: user %.1f, sys %.1f), wall %.2f s\n",
       $n, count($queries), $rows, $us, $us / $n, $uu / $n, $su / $n, $w1 - $w0);
