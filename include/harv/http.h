/* http: HarvTTP, the HTTP/1.1 server core — a pure request parser and chunked decoder, the
 * per-connection state machine on net's event loop (one loop per thread), limits and
 * timeouts, an optional handler thread pool, and the handler/response API. Static files
 * (http_static_*) are the first handler. Layer: http, above net and base. */
#ifndef HARV_HTTP_H
#define HARV_HTTP_H

#include <harv/base.h>
#include <harv/net.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* ---- the request parser (pure: allocates nothing, never blocks) ----------------------- */

typedef enum http_method {
    HTTP_GET, HTTP_HEAD, HTTP_POST, HTTP_PUT, HTTP_DELETE, HTTP_OPTIONS, HTTP_PATCH,
    HTTP_TRACE, HTTP_CONNECT,
} http_method_t;

typedef struct http_header {
    base_span_t name, value; /* value without surrounding whitespace */
} http_header_t;

/* Limits the parser enforces (all sized by the client, so all capped). */
typedef struct http_parse_limits {
    size_t max_head;      /* request line + headers, bytes (431; 414 while in the line) */
    size_t max_target;    /* request-target bytes (414) */
    size_t max_line;      /* one header line, bytes (431) */
    unsigned max_headers; /* header count (431); also the size of the caller's array */
} http_parse_limits_t;

enum {
    HTTP_REQ_KEEPALIVE = 1 << 0,  /* the connection may be reused after this request */
    HTTP_REQ_CHUNKED = 1 << 1,    /* Transfer-Encoding: chunked body follows */
    HTTP_REQ_CONTINUE = 1 << 2,   /* Expect: 100-continue */
    HTTP_REQ_HAS_LENGTH = 1 << 3, /* Content-Length present */
    HTTP_REQ_BODY_STREAMED = 1 << 4, /* the body was not read yet: read it with http_stream_body() */
};

typedef struct http_request {
    http_method_t method;
    base_span_t method_name;
    base_span_t target; /* as sent */
    base_span_t path;   /* the path of the target, still percent-encoded */
    base_span_t query;  /* after '?', without it; len 0 if none */
    base_span_t host;   /* Host header (or absolute-form authority) */
    int minor;          /* HTTP/1.minor (a higher minor is treated as 1.1: minor = 1) */
    unsigned flags;     /* HTTP_REQ_* */
    uint64_t content_length;
    http_header_t *headers; /* the caller's array, max_headers long */
    unsigned nheaders;
    size_t head_len; /* bytes of the request head, including the final CRLF CRLF */
    /* Filled by the server before a handler runs: */
    const char *body; /* decoded body (Content-Length or de-chunked), body_len bytes */
    size_t body_len;
    const char *peer; /* "127.0.0.1" */
    int peer_port;
} http_request_t;

/* Parses one request head from buf[0..len). On success returns head_len (> 0) and fills req
 * (spans point into buf). Returns BASE_AGAIN when the head is incomplete but valid so far,
 * BASE_ERROR with *status set (400, 414, 431, 501, 505) when it is not. req->headers must
 * point to an array of lim->max_headers entries. Thread-safe, reentrant. */
int http_parse_request(const char *buf, size_t len, const http_parse_limits_t *lim,
                       http_request_t *req, int *status);

/* Looks up a header by name (case-insensitive). Returns NULL if absent. */
const http_header_t *http_request_header(const http_request_t *req, const char *name);

/* Incremental chunked-body decoder, decoding in place (data bytes move down over framing). */
typedef struct http_chunked {
    int state;
    uint64_t chunk_left;  /* bytes left in the current chunk */
    uint64_t total;       /* decoded bytes so far */
    uint64_t max_body;    /* 413 past this */
    size_t aux;           /* bytes of the current extension/trailer section */
    size_t max_aux;       /* cap on extensions + trailers (400 past it) */
} http_chunked_t;

void http_chunked_init(http_chunked_t *c, uint64_t max_body, size_t max_aux);
/* Decodes buf[*in_pos..len): decoded bytes are written at buf[*out_pos..] (never past what was
 * consumed), both positions advance. Returns BASE_OK when the last chunk and trailers are
 * complete (*in_pos is then just past the body), BASE_AGAIN for more input, BASE_ERROR with
 * *status (400 framing, 413 too large). */
int http_chunked_decode(http_chunked_t *c, char *buf, size_t len, size_t *in_pos,
                        size_t *out_pos, int *status);

/* ---- responses -------------------------------------------------------------------------- */
typedef struct http_response http_response_t;

/* The handler's side of a response. Call order: status, headers, then at most one body call.
 * The server adds Date, Server, Content-Length and Connection. */
void http_response_status(http_response_t *resp, int status);
/* Adds a header line; name and value are copied. Never pass CR/LF (checked: dropped). */
void http_response_header(http_response_t *resp, const char *name, const char *value);
void http_response_headerf(http_response_t *resp, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The body: data must stay valid until the handler returns (the server copies it then). */
void http_response_body(http_response_t *resp, const void *data, size_t len);
/* A body sent from a file with sendfile: takes ownership of fd (closed by the server).
 * Inline handlers only; in thread-pool mode the file is read into the response instead. */
void http_response_file(http_response_t *resp, int fd, off_t offset, size_t len);
/* A per-request arena for the handler's allocations, freed after the response is built. */
base_arena_t *http_response_arena(http_response_t *resp);
/* Forces Connection: close after this response. */
void http_response_close(http_response_t *resp);
/* A complete small error page for status (e.g. 404), replacing anything set before. */
void http_response_error(http_response_t *resp, int status);
/* The reason phrase of a status code ("Not Found"). */
const char *http_status_text(int status);

/* ---- streamed (asynchronous) responses ----------------------------------------------------
 * An inline handler that cannot answer at once (FastCGI, actors) takes its response over as a
 * stream and completes it later from the same loop thread. The connection reads nothing more
 * meanwhile but a streamed request body (http_stream_body, below); the request (and its spans
 * into the connection buffer) stays valid until
 * http_stream_end()/abort(). Not available in thread-pool mode (returns NULL there). */
typedef struct http_stream http_stream_t;

/* Inside a handler: detaches the response. NULL in pool mode. */
http_stream_t *http_response_stream(http_response_t *resp);
/* The loop the stream belongs to (for timers and watchers of the producer). */
net_loop_t *http_stream_loop(http_stream_t *s);
/* Head, before the first write: status (default 200), headers (copied), and the body length
 * if known. Without a length the body is sent chunked (HTTP/1.1) or until close (1.0). */
void http_stream_status(http_stream_t *s, int status);
void http_stream_header(http_stream_t *s, const char *name, const char *value);
void http_stream_set_length(http_stream_t *s, uint64_t len);
/* Sends the head if not yet sent, then len body bytes (copied). Returns BASE_OK, BASE_AGAIN
 * when more than 64 KiB wait to be written (the bytes were taken: pause the producer until
 * on_drain), or BASE_ERROR if the connection is gone. */
int http_stream_write(http_stream_t *s, const void *data, size_t len);
/* Callbacks: on_drain when queued output has been written after BASE_AGAIN; on_close when the
 * client disconnects or times out — after on_close the stream is freed: never touch it again. */
void http_stream_callbacks(http_stream_t *s, void (*on_drain)(void *arg),
                           void (*on_close)(void *arg), void *arg);
/* Completes the response (last chunk) and resumes the connection; frees the stream. */
void http_stream_end(http_stream_t *s);
/* Fails the response: `status` (502, 504...) if the head was not sent yet, else the
 * connection is closed mid-body. Frees the stream. */
void http_stream_abort(http_stream_t *s, int status);

/* ---- streamed request bodies ----------------------------------------------------------------
 * When cfg.body_stream returns true for a request head that announces a body (Content-Length or
 * chunked), the handler runs as soon as the head has arrived: req->flags has
 * HTTP_REQ_BODY_STREAMED, req->body is empty, and the handler takes a stream and reads the body
 * with http_stream_body(). Only the read window is buffered, so max_body may exceed
 * read_buf_cap. The body still obeys max_body (413), chunked framing (400), the body idle timeout
 * and min rate (408): then the stream fails like http_stream_abort(status) and on_close runs. A
 * response that ends before the whole body was read closes the connection after it; a handler
 * that answers without taking a stream does too (Connection: close, the body is never read). */
typedef bool (*http_body_fn)(void *arg, const char *data, size_t len, bool done);
/* Registers the body consumer and starts reading ("100 Continue" if the client waits for it).
 * on_body gets the decoded body in order, done=true on the last call (len may be 0); it returns
 * false to pause (the bytes were taken) until http_stream_body_resume(). on_body runs from the
 * loop, never from inside these two calls. */
void http_stream_body(http_stream_t *s, http_body_fn on_body, void *arg);
void http_stream_body_resume(http_stream_t *s);

/* A handler produces the response for one request. In thread-pool mode it runs on a worker
 * thread: its allocator and ctx must then be thread-safe. */
typedef void (*http_handler_fn)(void *ctx, const http_request_t *req, http_response_t *resp);

/* ---- the server -------------------------------------------------------------------------- */
typedef struct http_config {
    const char **listen;  /* NULL-terminated list of addresses (see net_addr_parse) */
    const int *listen_fds;/* or inherited listening fds, -1-terminated (supervisor) */
    int backlog;          /* listen(2) backlog (default 1024) */
    unsigned max_conn;    /* connections held at once; accept pauses beyond (default 10000) */
    unsigned threads;     /* event-loop threads (default 1) */
    size_t read_buf_init; /* first read buffer size (default 4 KiB) */
    size_t read_buf_cap;  /* the per-request LIMIT on buffered bytes: head + body (default 1 MiB + 64 KiB) */
    http_parse_limits_t limits; /* defaults: head 16 KiB, target 8000, line 8 KiB, 100 headers */
    uint64_t max_body;    /* request body bytes (413) (default 1 MiB) */
    unsigned timeout_request_ms;   /* absolute deadline for a request head (default 10000) */
    unsigned timeout_body_ms;      /* body idle timeout: max gap between body reads (default 10000) */
    unsigned body_min_rate;        /* body bytes/s a slow uploader must sustain after the first
                                      timeout_body_ms (0 = off; default 1024) */
    unsigned timeout_keepalive_ms; /* idle keep-alive connection (default 15000) */
    unsigned timeout_send_ms;      /* no write progress for this long closes (default 10000) */
    unsigned request_count;        /* requests per connection, then Connection: close (default 1000) */
    unsigned thread_pool_count;    /* 0 = handlers inline on the loop (default) */
    unsigned thread_pool_backlog;  /* queued requests before 503 (default 256) */
    int access_log_fd;             /* combined-format access log; -1 = off (default) */
    const char *server_name;       /* Server header (default "Harv") */
    /* Inline mode: true streams this request's body to the handler (see http_stream_body);
     * NULL (default): bodies are read whole before the handler runs. Called with ctx. */
    bool (*body_stream)(void *ctx, const http_request_t *req);
} http_config_t;

/* Fills cfg with the documented defaults (listen = NULL: caller must set one). */
void http_config_defaults(http_config_t *cfg);

typedef struct http_server http_server_t;

/* Creates the server: binds (or adopts) the listeners, creates `threads` loops (threads > 1
 * start their own threads in http_server_run()). Returns NULL with err filled. */
http_server_t *http_server_new(const http_config_t *cfg, http_handler_fn handler, void *ctx,
                               char *err, size_t errlen);
/* Same, into caller storage: the API of the issue. srv must be a http_server_t* holder. */
int http_server_init(http_server_t **srv, const http_config_t *cfg, http_handler_fn handler,
                     void *ctx, char *err, size_t errlen);
/* Runs one iteration of the first loop (threads must be 1): accept, read, handle, write,
 * timeouts. A test can drive the server and its clients from one thread. */
int http_server_tick(http_server_t *srv, int max_wait_ms);
/* Runs every loop until http_server_stop() (loop 0 on the calling thread). */
int http_server_run(http_server_t *srv);
/* Thread- and signal-context-safe request to return from http_server_run() at once. */
void http_server_stop(http_server_t *srv);
/* Graceful stop, thread- and async-signal-safe: every loop stops accepting for good and the
 * server closes its descriptors of the listeners (inherited ones too: a supervisor's own copy
 * keeps such a socket open for the next generation), closes idle keep-alive connections, answers
 * requests in flight with Connection: close, and http_server_run() returns once the last
 * connection is gone or deadline_ms have passed (then http_server_free closes the rest). */
void http_server_drain(http_server_t *srv, unsigned deadline_ms);
void http_server_free(http_server_t *srv);
/* The bound port of listener i (for ephemeral ports), or 0. */
int http_server_port(const http_server_t *srv, unsigned i);
/* Connections currently open (all loops). */
unsigned http_server_conn_count(const http_server_t *srv);

/* ---- test routes ------------------------------------------------------------------------ */
/* The /_test/ routes Harv's integration tests use (echo, sleep, stream; see test_routes.c).
 * Only for test configurations. Returns true if it answered (any /_test/ path). */
bool http_test_route(const http_request_t *req, http_response_t *resp);
/* For cfg.body_stream: true for the test route that reads its body as a stream (/_test/body). */
bool http_test_body_stream(const http_request_t *req);

/* ---- static files ------------------------------------------------------------------------ */
typedef struct http_static http_static_t;
typedef struct http_static_config {
    const char *root;          /* directory served */
    const char **index;        /* NULL-terminated index names (default index.html, index.htm) */
    size_t small_file;         /* files below this come from the in-memory cache (16 KiB) */
    unsigned cache_valid_ms;   /* re-stat cached files after this long (default 1000) */
} http_static_config_t;

/* Opens root (O_PATH directory). Returns NULL with err filled. The handler state is per
 * thread inside (caches), so it is safe in thread-pool mode. */
http_static_t *http_static_new(const http_static_config_t *cfg, char *err, size_t errlen);
void http_static_free(http_static_t *st);
/* The handler: pass st as ctx. */
void http_static_handle(void *st, const http_request_t *req, http_response_t *resp);
/* The MIME type of a file name from the allowlist, or NULL if the type is not served. */
const char *http_mime_type(const char *name, size_t len);

#endif
