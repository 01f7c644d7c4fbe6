/* fastcgi: the FastCGI protocol as HarvTTP (the client) and the PHP pool (the responder) speak
 * it. Two parts:
 *   - fcgi_*      the pure codec: record headers, name-value pairs, the CGI response head.
 *                 It allocates nothing, never blocks, and returns spans into the caller's
 *                 buffer (h2o/picohttpparser style: bytes consumed, BASE_AGAIN, BASE_ERROR).
 *   - http_fcgi_* the client: persistent pooled connections per upstream and per event loop,
 *                 a bounded queue (503) and a deadline (504); it takes an HTTP response over
 *                 as a stream and relays the upstream's answer.
 * Layer: http (src/http/fastcgi_codec.c, src/http/fastcgi.c), above net and base. */
#ifndef HARV_FASTCGI_H
#define HARV_FASTCGI_H

#include <harv/base.h>
#include <harv/http.h>
#include <harv/net.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- the codec ------------------------------------------------------------------------- */

#define FCGI_VERSION_1 1
#define FCGI_HEADER_LEN 8
#define FCGI_MAX_CONTENT 65535u
#define FCGI_NULL_REQUEST_ID 0

enum fcgi_type {
    FCGI_BEGIN_REQUEST = 1,
    FCGI_ABORT_REQUEST = 2,
    FCGI_END_REQUEST = 3,
    FCGI_PARAMS = 4,
    FCGI_STDIN = 5,
    FCGI_STDOUT = 6,
    FCGI_STDERR = 7,
    FCGI_DATA = 8,
    FCGI_GET_VALUES = 9,
    FCGI_GET_VALUES_RESULT = 10,
    FCGI_UNKNOWN_TYPE = 11,
};

enum { FCGI_RESPONDER = 1, FCGI_AUTHORIZER = 2, FCGI_FILTER = 3 };
enum { FCGI_KEEP_CONN = 1 };
enum {
    FCGI_REQUEST_COMPLETE = 0,
    FCGI_CANT_MPX_CONN = 1,
    FCGI_OVERLOADED = 2,
    FCGI_UNKNOWN_ROLE = 3,
};

/* One decoded record. content points into the caller's buffer. */
typedef struct fcgi_record {
    uint8_t version;
    uint8_t type;
    uint16_t request_id;
    uint8_t padding;
    base_span_t content;
} fcgi_record_t;

/* Writes the 8-byte record header into out. */
void fcgi_header_encode(uint8_t out[FCGI_HEADER_LEN], uint8_t type, uint16_t request_id,
                        uint16_t content_len, uint8_t padding);

/* Decodes one whole record (header, content, padding) from buf[0..len). Returns the bytes
 * consumed (> 0) and fills rec, BASE_AGAIN if the record is not complete yet, or BASE_ERROR
 * if the version is not 1 or the type is 0. Unknown types (> 11) decode fine: the caller
 * answers FCGI_UNKNOWN_TYPE. Pure. */
int fcgi_record_decode(const uint8_t *buf, size_t len, fcgi_record_t *rec);

/* BEGIN_REQUEST body: role and flags. Returns BASE_OK, or BASE_ERROR when content is not
 * 8 bytes long. */
int fcgi_begin_decode(base_span_t content, uint16_t *role, uint8_t *flags);
void fcgi_begin_encode(uint8_t out[8], uint16_t role, uint8_t flags);
/* END_REQUEST body. */
int fcgi_end_decode(base_span_t content, uint32_t *app_status, uint8_t *protocol_status);
void fcgi_end_encode(uint8_t out[8], uint32_t app_status, uint8_t protocol_status);

/* The encoded size of one name-value pair (1- or 4-byte lengths), or 0 when a length does not
 * fit the 31-bit field. */
size_t fcgi_param_size(size_t name_len, size_t value_len);
/* Encodes a pair into out (cap bytes). Returns the bytes written, or 0 when it does not fit
 * (nothing meaningful is written then). */
size_t fcgi_param_encode(uint8_t *out, size_t cap, const char *name, size_t name_len,
                         const char *value, size_t value_len);
/* Decodes the pair at buf[*pos..len): on BASE_OK advances *pos and sets name/value (spans into
 * buf). BASE_AGAIN: the pair is cut by the end of the buffer (*pos unchanged; for a stream,
 * append more bytes and retry). Pure. */
int fcgi_param_decode(const uint8_t *buf, size_t len, size_t *pos, base_span_t *name,
                      base_span_t *value);

/* The CGI response head a responder writes on STDOUT: header lines ending in an empty line,
 * with CRLF or bare LF line ends. */
typedef struct fcgi_cgi_head {
    int status;               /* from Status:, else 302 for a Location: alone, else 200 */
    unsigned nheaders;        /* headers stored, Status: excluded */
    http_header_t *headers;   /* the caller's array */
    unsigned max_headers;     /* its size */
} fcgi_cgi_head_t;

/* Parses the head at buf[0..len). Returns the head's length including the empty line (> 0),
 * BASE_AGAIN if the empty line has not arrived, or BASE_ERROR for a line without a colon, a
 * bad Status value, or more than max_headers headers. Pure. */
int fcgi_cgi_head_parse(const char *buf, size_t len, fcgi_cgi_head_t *head);

/* ---- the client (HarvTTP side) ---------------------------------------------------------- */

typedef struct http_fcgi_config {
    unsigned max_conns;   /* persistent connections per event loop (default 8) */
    unsigned queue_max;   /* requests waiting for a connection per loop, 503 beyond (256) */
    unsigned timeout_ms;  /* deadline from arrival to the end of the response head (30000):
                             504, the upstream connection is closed */
    unsigned idle_ms;     /* timeout for reads while the body streams (= timeout_ms) */
    bool keep_conn;       /* ask for FCGI_KEEP_CONN (default true) */
    const char *server_software; /* SERVER_SOFTWARE (default "Harv/VERSION (nginx-compatible)")*/
    bool https;           /* HTTPS=on */
} http_fcgi_config_t;

typedef struct http_fcgi_upstream http_fcgi_upstream_t;

/* The documented defaults. */
void http_fcgi_config_defaults(http_fcgi_config_t *cfg);

/* An upstream at addr ("unix:PATH", "HOST:PORT"). Nothing connects yet: each event loop opens
 * its own connections on first use. Returns NULL with err filled. Thread-safe to use from
 * several loops (per-loop state inside). cfg is copied. */
http_fcgi_upstream_t *http_fcgi_upstream_new(const char *addr, const http_fcgi_config_t *cfg,
                                             char *err, size_t errlen);
/* Frees the upstream and its connections. Call only after every loop that used it stopped and
 * after http_server_free() (which closes streams and calls back into the upstream). */
void http_fcgi_upstream_free(http_fcgi_upstream_t *up);

/* The CGI facts of one request, chosen by the router. Strings are copied by the call. */
typedef struct http_fcgi_script {
    const char *script_filename; /* absolute path of the script on the responder's side */
    const char *script_name;     /* URL path of the script ("/index.php") */
    const char *path_info;       /* "" or "/foo/bar" */
    const char *document_root;
    const char *request_uri;     /* NULL: the request target as sent */
} http_fcgi_script_t;

/* Inside an inline handler: takes resp over as a stream, sends the request (params, body from
 * req->body) to the upstream and relays the answer. Answers 503 at once when the loop's queue
 * is full, 504 at the deadline, 502 when the upstream fails before its response head, 501 in
 * thread-pool mode. Loop thread only. */
void http_fcgi_handle(http_fcgi_upstream_t *up, const http_request_t *req,
                      http_response_t *resp, const http_fcgi_script_t *script);

/* Counters of one upstream, summed over loops (for tests and the console). */
typedef struct http_fcgi_stats {
    uint64_t requests, rejected_503, timeouts_504, failed_502, connects, reused;
} http_fcgi_stats_t;
void http_fcgi_stats(http_fcgi_upstream_t *up, http_fcgi_stats_t *out);

#endif
