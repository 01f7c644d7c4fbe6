/* http/response.c — the handler-facing response API and the serializer that turns a response
 * into wire bytes (status line, Date, Server, Content-Length, Connection, headers, body) in
 * one contiguous buffer, so a small response leaves in a single write. Layer: http. */
#include "http_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *http_status_text(int status)
{
    switch (status) {
    case 100: return "Continue";
    case 200: return "OK";
    case 201: return "Created";
    case 204: return "No Content";
    case 206: return "Partial Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 411: return "Length Required";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 416: return "Range Not Satisfiable";
    case 417: return "Expectation Failed";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    case 505: return "HTTP Version Not Supported";
    default: return "Unknown";
    }
}

void http_response_init(http_response_t *r, base_buf_t *hdrs, base_arena_t *arena)
{
    r->status = 200;
    r->hdrs = hdrs;
    hdrs->len = 0;
    r->body = NULL;
    r->body_len = 0;
    r->body_owned = NULL;
    r->file_fd = -1;
    r->file_off = 0;
    r->file_len = 0;
    r->close = false;
    r->arena = arena;
    r->conn = NULL;
    r->stream = NULL;
}

void http_response_fini(http_response_t *r)
{
    free(r->body_owned);
    r->body_owned = NULL;
    if (r->file_fd >= 0)
        close(r->file_fd);
    r->file_fd = -1;
}

void http_response_status(http_response_t *r, int status) { r->status = status; }

static bool has_crlf(const char *s)
{
    return strpbrk(s, "\r\n") != NULL;
}

void http_response_header(http_response_t *r, const char *name, const char *value)
{
    if (has_crlf(name) || has_crlf(value))
        return; /* response splitting: never emit */
    size_t n = strlen(name), v = strlen(value);
    base_buf_append(r->hdrs, name, n);
    base_buf_append(r->hdrs, ": ", 2);
    base_buf_append(r->hdrs, value, v);
    base_buf_append(r->hdrs, "\r\n", 2);
}

void http_response_header_lines(http_response_t *r, const char *lines, size_t len)
{
    base_buf_append(r->hdrs, lines, len);
}

void http_response_headerf(http_response_t *r, const char *name, const char *fmt, ...)
{
    char v[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(v, sizeof v, fmt, ap);
    va_end(ap);
    http_response_header(r, name, v);
}

void http_response_body(http_response_t *r, const void *data, size_t len)
{
    r->body = data;
    r->body_len = len;
}

void http_response_file(http_response_t *r, int fd, off_t offset, size_t len)
{
    if (r->file_fd >= 0)
        close(r->file_fd);
    r->file_fd = fd;
    r->file_off = offset;
    r->file_len = len;
}

base_arena_t *http_response_arena(http_response_t *r) { return r->arena; }
void http_response_close(http_response_t *r) { r->close = true; }

static int error_page(char *buf, size_t len, int status)
{
    const char *text = http_status_text(status);
    return snprintf(buf, len, "<!doctype html><title>%d %s</title><h1>%d %s</h1>\n", status,
                    text, status, text);
}

void http_response_error(http_response_t *r, int status)
{
    r->status = status;
    r->hdrs->len = 0;
    if (r->file_fd >= 0)
        close(r->file_fd);
    r->file_fd = -1;
    free(r->body_owned);
    r->body_owned = base_xmalloc(160);
    int n = error_page(r->body_owned, 160, status);
    r->body = r->body_owned;
    r->body_len = (size_t)n;
    http_response_header(r, "Content-Type", "text/html; charset=utf-8");
}

/* Appends an unsigned decimal (no printf on the hot path). */
static void put_uint(base_buf_t *out, uint64_t v)
{
    char tmp[24];
    int i = sizeof tmp;
    do {
        tmp[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    base_buf_append(out, tmp + i, sizeof tmp - (size_t)i);
}

#define PUT_LIT(out, s) base_buf_append((out), (s), sizeof(s) - 1)

static void put_status_line(base_buf_t *out, int status)
{
    if (status == 200) {
        PUT_LIT(out, "HTTP/1.1 200 OK\r\n");
        return;
    }
    PUT_LIT(out, "HTTP/1.1 ");
    put_uint(out, (uint64_t)status);
    base_buf_append(out, " ", 1);
    const char *t = http_status_text(status);
    base_buf_append(out, t, strlen(t));
    PUT_LIT(out, "\r\n");
}

void http_response_serialize(http_response_t *r, base_buf_t *out, int minor, bool head,
                             bool keepalive, const char *date, const char *server_name)
{
    bool no_body = r->status == 204 || r->status == 304 || r->status < 200;
    size_t body_len = r->file_fd >= 0 ? r->file_len : r->body_len;
    base_buf_reserve(out, 160 + r->hdrs->len + (head || no_body ? 0 : r->body_len), SIZE_MAX);
    put_status_line(out, r->status);
    PUT_LIT(out, "Server: ");
    base_buf_append(out, server_name, strlen(server_name));
    PUT_LIT(out, "\r\nDate: ");
    base_buf_append(out, date, 29);
    PUT_LIT(out, "\r\n");
    if (!no_body) {
        PUT_LIT(out, "Content-Length: ");
        put_uint(out, body_len);
        PUT_LIT(out, "\r\n");
    }
    if (!keepalive)
        PUT_LIT(out, "Connection: close\r\n");
    else if (minor == 0)
        PUT_LIT(out, "Connection: keep-alive\r\n");
    base_buf_append(out, r->hdrs->data ? r->hdrs->data : "", r->hdrs->len);
    PUT_LIT(out, "\r\n");
    if (!head && !no_body && r->file_fd < 0 && r->body_len)
        base_buf_append(out, r->body, r->body_len);
}

void http_error_serialize(base_buf_t *out, int status, const char *date, const char *server_name)
{
    char body[160];
    int n = error_page(body, sizeof body, status);
    put_status_line(out, status);
    base_buf_appendf(out,
                     "Server: %s\r\nDate: %.29s\r\nContent-Type: text/html; charset=utf-8\r\n"
                     "Content-Length: %d\r\nConnection: close\r\n\r\n",
                     server_name, date, n);
    base_buf_append(out, body, (size_t)n);
}
