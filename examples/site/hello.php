<?php
// examples/site/hello.php — served by the php task of `harv up -c examples/harv.yaml`.
header('Content-Type: text/plain');
echo "Hello from PHP ", PHP_VERSION, " under Harv\n";
$db = @new mysqli('localhost', 'app', 'change-me', 'app');   // HarvSQL's unix socket
echo $db->connect_errno ? "HarvSQL: " . $db->connect_error . "\n"
                        : "HarvSQL: " . $db->query('SELECT VERSION()')->fetch_row()[0] . "\n";
