/* http_int.h — shared only inside src/http: the response object and its serializer. */
#ifndef HTTP_INT_H
#define HTTP_INT_H

#include <harv/http.h>

struct http_response {
    int status;
    base_buf_t *hdrs;      /* extra header lines, "Name: value\r\n" (scratch, reused) */
    const char *body;      /* borrowed until serialization */
    size_t body_len;
    char *body_owned;      /* malloc'ed body (error pages, pool-mode file reads) */
    int file_fd;           /* -1, or a file to sendfile after the head */
    off_t file_off;
    size_t file_len;
    bool close;            /* Connection: close requested by the handler */
    base_arena_t *arena;
    /* Streams (inline mode only): the connection and request facts a stream needs. */
    void *conn;            /* http_conn_t *, NULL in pool mode */
    size_t consumed;
    bool keepalive, head;
    int minor;
    http_stream_t *stream; /* set by http_response_stream() */
};

/* Appends pre-validated header lines ("Name: value\r\n"...) as they are: for handlers that
 * build their header block once (the static handler caches one per file). */
void http_response_header_lines(http_response_t *r, const char *lines, size_t len);

void http_response_init(http_response_t *r, base_buf_t *hdrs, base_arena_t *arena);
void http_response_fini(http_response_t *r);
/* Serializes status line, standard headers, extra headers and (unless HEAD/204/304) the
 * in-memory body into out. A file body is not copied: the caller sends it after out.
 * keepalive: 1 keep-alive (adds "Connection: keep-alive" for HTTP/1.0), 0 close. */
void http_response_serialize(http_response_t *r, base_buf_t *out, int minor, bool head,
                             bool keepalive, const char *date, const char *server_name);
/* Serializes a bare error response with Connection: close. */
void http_error_serialize(base_buf_t *out, int status, const char *date,
                          const char *server_name);

#endif
