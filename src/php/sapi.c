/* php/sapi.c — Harv's SAPI: libphp8.2 (NTS, embedded) speaking through a FastCGI connection.
 * Registered as "fpm-fcgi" so OPcache enables itself and applications see what they see under
 * php-fpm. Output goes out as STDOUT records (a short write means the client is gone), the
 * head as a CGI head (Status: and every header, several Set-Cookie), the body streams in from
 * STDIN records on demand (uploads, $_FILES), $_SERVER is the request's FastCGI params plus
 * PHP_SELF, errors go to the pool's log, and fastcgi_finish_request() ends the response early.
 * The only file of Harv that includes PHP's headers. Layer: php. */
#include "php_int.h"

#include <harv/http.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wstrict-prototypes"
#pragma GCC diagnostic ignored "-Wmissing-prototypes"
#pragma GCC diagnostic ignored "-Wshadow"
#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wsign-compare"
#include <main/php.h>
#include <main/SAPI.h>
#include <main/php_main.h>
#include <main/php_variables.h>
#include <main/php_output.h>
#include <Zend/zend_signal.h>
#include <Zend/zend_exceptions.h>
#pragma GCC diagnostic pop

static phpw_conn_t *cur(void) { return (phpw_conn_t *)SG(server_context); }

static int sapi_on_startup(sapi_module_struct *m) { return php_module_startup(m, NULL); }

static size_t sapi_on_ub_write(const char *str, size_t len)
{
    phpw_conn_t *c = cur();
    if (!c || c->finished)
        return len; /* after fastcgi_finish_request(): discarded */
    if (!phpw_conn_stdout(c, str, len)) {
        php_handle_aborted_connection();
        return 0;
    }
    return len;
}

static void sapi_on_flush(void *ctx)
{
    phpw_conn_t *c = ctx;
    if (!c || c->finished)
        return;
    if (!SG(headers_sent))
        sapi_send_headers();
    if (!phpw_conn_flush(c))
        php_handle_aborted_connection();
}

static int sapi_on_send_headers(sapi_headers_struct *h)
{
    phpw_conn_t *c = cur();
    if (!c || c->finished)
        return SAPI_HEADER_SENT_SUCCESSFULLY;
    int code = h->http_response_code ? h->http_response_code : 200;
    char line[128];
    int n;
    const char *text = NULL;
    if (h->http_status_line) {
        /* "HTTP/1.1 418 I'm a teapot": keep the script's own reason phrase */
        const char *sp = strchr(h->http_status_line, ' ');
        if (sp && strlen(sp) > 5)
            text = sp + 5;
    }
    n = snprintf(line, sizeof line, "Status: %d %s\r\n", code,
                 text ? text : http_status_text(code));
    phpw_conn_stdout(c, line, (size_t)BASE_MIN((size_t)n, sizeof line - 1));
    zend_llist_position pos;
    for (sapi_header_struct *hd = zend_llist_get_first_ex(&h->headers, &pos); hd;
         hd = zend_llist_get_next_ex(&h->headers, &pos)) {
        phpw_conn_stdout(c, hd->header, hd->header_len);
        phpw_conn_stdout(c, "\r\n", 2);
    }
    phpw_conn_stdout(c, "\r\n", 2);
    return SAPI_HEADER_SENT_SUCCESSFULLY;
}

static size_t sapi_on_read_post(char *buf, size_t n)
{
    phpw_conn_t *c = cur();
    return c ? phpw_conn_stdin_read(c, buf, n) : 0;
}

static char *sapi_on_read_cookies(void)
{
    phpw_conn_t *c = cur();
    return c ? (char *)phpw_conn_param(c, "HTTP_COOKIE", NULL) : NULL;
}

static void sapi_on_register_variables(zval *arr)
{
    phpw_conn_t *c = cur();
    if (!c)
        return;
    for (unsigned i = 0; i < c->nvars; i++)
        php_register_variable_safe(c->names[i], c->values[i], c->value_lens[i], arr);
    size_t sl = 0, pl = 0;
    const char *sn = phpw_conn_param(c, "SCRIPT_NAME", &sl);
    const char *pi = phpw_conn_param(c, "PATH_INFO", &pl);
    if (sn) {
        char *self = emalloc(sl + pl + 1);
        memcpy(self, sn, sl);
        if (pi)
            memcpy(self + sl, pi, pl);
        self[sl + pl] = 0;
        php_register_variable_safe("PHP_SELF", self, sl + pl, arr);
        efree(self);
    }
}

static void sapi_on_log_message(const char *msg, int syslog_type)
{
    base_log(BASE_LOG_WARN, "php", "%s", msg);
}

static zend_result sapi_on_request_time(double *t)
{
    phpw_conn_t *c = cur();
    if (!c)
        return FAILURE;
    *t = c->request_time;
    return SUCCESS;
}

/* getenv(): the request's FastCGI params first, as under php-fpm (then PHP looks at the real
 * environment). PHP copies the value. */
static char *sapi_on_getenv(const char *name, size_t len)
{
    phpw_conn_t *c = cur();
    return c ? (char *)phpw_conn_param(c, name, NULL) : NULL;
}

/* fastcgi_finish_request(): the response ends now; the script runs on (wp-cron does this). */
ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_phpw_finish_request, 0, 0, _IS_BOOL, 0)
ZEND_END_ARG_INFO()

static ZEND_FUNCTION(fastcgi_finish_request)
{
    ZEND_PARSE_PARAMETERS_NONE();
    phpw_conn_t *c = cur();
    if (!c || c->finished)
        RETURN_FALSE;
    php_output_end_all();
    if (!SG(headers_sent))
        sapi_send_headers();
    phpw_conn_finish(c, 0);
    /* The worker stays busy with this script: hand the connection back (the client sees EOF
     * on an idle connection and opens another, which a free worker accepts). */
    c->keep = false;
    shutdown(c->fd, SHUT_WR);
    RETURN_TRUE;
}

/* chdir() as PHP has it, wrapped: the worker learns that a script moved the working
 * directory (it then chdirs back to the next script's directory; otherwise no syscall). */
static zif_handler php_chdir;
static bool cwd_moved;

static ZEND_NAMED_FUNCTION(phpw_chdir)
{
    cwd_moved = true;
    php_chdir(INTERNAL_FUNCTION_PARAM_PASSTHRU);
}

bool phpw_sapi_cwd_moved(void)
{
    bool m = cwd_moved;
    cwd_moved = false;
    return m;
}

/* Once per worker, before its first script. If chdir() cannot be found or wrapped, every
 * request counts as moved (the worker then chdirs each time, as before). */
static void wrap_chdir(void)
{
    zend_function *f = zend_hash_str_find_ptr(CG(function_table), "chdir", 5);
    if (f && f->type == ZEND_INTERNAL_FUNCTION && f->internal_function.handler != phpw_chdir) {
        php_chdir = f->internal_function.handler;
        f->internal_function.handler = phpw_chdir;
    }
}

static const zend_function_entry phpw_functions[] = {
    ZEND_FE(fastcgi_finish_request, arginfo_phpw_finish_request)
    ZEND_FE_END
};

static sapi_module_struct phpw_sapi_module = {
    "fpm-fcgi",              /* OPcache enables itself only for known web SAPI names */
    "Harv FastCGI",
    sapi_on_startup,
    php_module_shutdown_wrapper,
    NULL,                    /* activate */
    NULL,                    /* deactivate */
    sapi_on_ub_write,
    sapi_on_flush,
    NULL,                    /* get_stat */
    sapi_on_getenv,          /* getenv */
    php_error,
    NULL,                    /* header_handler */
    sapi_on_send_headers,
    NULL,                    /* send_header */
    sapi_on_read_post,
    sapi_on_read_cookies,
    sapi_on_register_variables,
    sapi_on_log_message,
    sapi_on_request_time,
    NULL,                    /* terminate_process */
    STANDARD_SAPI_MODULE_PROPERTIES
};

static char *ini_copy;

/* ASan cannot load PHP's shared extensions (PHP dlopens them with RTLD_DEEPBIND): a sanitizer
 * build of Harv runs PHP without php.ini, so without OPcache, mysqli and the other shared
 * extensions. Harv's own code is what such a build is for. */
#if defined(__SANITIZE_ADDRESS__)
#define PHPW_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define PHPW_SANITIZED 1
#endif
#endif
#ifndef PHPW_SANITIZED
#define PHPW_SANITIZED 0
#endif

bool phpw_sanitized(void) { return PHPW_SANITIZED; }

/* open_basedir, set on each request right after php_request_startup(), as the realpath_turbo
 * extension does: PHP switches its realpath cache off for the whole process when a request
 * starts with open_basedir set, and every include then resolves its path again (WordPress: +50%
 * CPU per page). Set this way it is a system-level value for the request: ini_get() shows it,
 * scripts may only narrow it, and it is restored at request shutdown. The cache's known
 * weakness with open_basedir, a path cached before a symlink swap, is closed by disabling
 * symlink() and link() in the pool. */
static char *req_basedir;
static zend_string *req_basedir_key;

int phpw_sapi_startup(const char *ini_entries, const char *open_basedir, char *err,
                      size_t errlen)
{
    zend_signal_startup(); /* before sapi_startup: NTS + ZEND_SIGNALS */
    sapi_startup(&phpw_sapi_module);
    ini_copy = base_xstrdup(ini_entries ? ini_entries : "");
    phpw_sapi_module.ini_entries = ini_copy;
    phpw_sapi_module.php_ini_ignore_cwd = 1;
    if (PHPW_SANITIZED) {
        phpw_sapi_module.php_ini_ignore = 1;
        base_log(BASE_LOG_WARN, "php", "sanitizer build: php.ini and PHP's shared extensions "
                 "(OPcache, mysqli...) are not loaded");
    }
    phpw_sapi_module.additional_functions = phpw_functions;
    if (phpw_sapi_module.startup(&phpw_sapi_module) == FAILURE) {
        snprintf(err, errlen, "PHP module startup failed (see the log above)");
        sapi_shutdown();
        return -1;
    }
    if (open_basedir && *open_basedir) {
        req_basedir = base_xstrdup(open_basedir);
        req_basedir_key = zend_string_init_interned("open_basedir", sizeof "open_basedir" - 1, 1);
        zend_disable_functions("symlink,link");
    }
    return 0;
}

void phpw_sapi_shutdown(void)
{
    php_module_shutdown();
    sapi_shutdown();
    free(ini_copy);
    ini_copy = NULL;
    free(req_basedir);
    req_basedir = NULL;
}

int phpw_sapi_run(phpw_conn_t *c, const char *script)
{
    SG(server_context) = c;
    const char *method = phpw_conn_param(c, "REQUEST_METHOD", NULL);
    const char *cl = phpw_conn_param(c, "CONTENT_LENGTH", NULL);
    const char *proto = phpw_conn_param(c, "SERVER_PROTOCOL", NULL);
    const char *auth = phpw_conn_param(c, "HTTP_AUTHORIZATION", NULL);
    SG(request_info).request_method = method ? method : "GET";
    SG(request_info).query_string = (char *)phpw_conn_param(c, "QUERY_STRING", NULL);
    SG(request_info).request_uri = (char *)phpw_conn_param(c, "REQUEST_URI", NULL);
    SG(request_info).content_type = phpw_conn_param(c, "CONTENT_TYPE", NULL);
    SG(request_info).content_length = cl ? ZEND_STRTOL(cl, NULL, 10) : 0;
    SG(request_info).path_translated = (char *)script;
    SG(request_info).proto_num = proto && !strcmp(proto, "HTTP/1.0") ? 1000 : 1001;
    SG(sapi_headers).http_response_code = 200;
    php_handle_auth_data(auth);

    /* The worker has made the script's directory the working directory (worker.c): PHP's
     * own getcwd + chdir + chdir back would be three more syscalls per request. */
    SG(options) |= SAPI_OPTION_NO_CHDIR;

    int status = 255;
    static bool signals_set;
    /* The first request installs PHP's deferring signal handlers (zend_signal_activate) and
     * nothing uninstalls them; later requests would only ask the kernel 7 times whether they
     * are still there. Handlers that scripts set go through zend_sigaction, which keeps the
     * deferring handler in place, and PHP restores its table of them on every request. */
#ifdef ZEND_SIGNALS
    SIGG(reset) = !signals_set;
#endif
    if (!signals_set)
        wrap_chdir();
    signals_set = true;
    if (!php_chdir)
        cwd_moved = true;
    if (php_request_startup() == FAILURE) {
        SG(server_context) = NULL;
        return status;
    }
    if (req_basedir &&
        zend_alter_ini_entry_chars(req_basedir_key, req_basedir, strlen(req_basedir),
                                   ZEND_INI_SYSTEM, ZEND_INI_STAGE_RUNTIME) != SUCCESS) {
        SG(sapi_headers).http_response_code = 500;
        php_request_shutdown(NULL);
        SG(server_context) = NULL;
        return status; /* never runs a script unconfined */
    }
    zend_file_handle fh;
    zend_stream_init_filename(&fh, script);
    fh.primary_script = 1;
    EG(exit_status) = 0; /* php_request_startup() does not reset it */
    php_execute_script(&fh);
    if (cwd_moved) {
        /* as PHP's own chdir handling would: shutdown functions and destructors run in the
         * script's directory (cwd_moved stays set: the next request checks again) */
        const char *slash = strrchr(script, '/');
        char dir[PATH_MAX];
        if (slash && slash != script && (size_t)(slash - script) < sizeof dir) {
            memcpy(dir, script, (size_t)(slash - script));
            dir[slash - script] = 0;
            if (chdir(dir) != 0) { /* nothing better to do */
            }
        }
    }
    status = EG(exit_status);
    zend_destroy_file_handle(&fh);
    SG(post_read) = 1; /* the worker drains the unread body itself */
    c->heap_peak = zend_memory_peak_usage(true);
    php_request_shutdown(NULL);
    SG(server_context) = NULL;
    return status;
}
