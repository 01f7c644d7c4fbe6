/* http/fastcgi_codec.c — the FastCGI 1.0 wire format: record headers, BEGIN/END bodies,
 * name-value pairs, and the CGI response head a responder writes on STDOUT. Pure: no
 * allocation, no I/O; every decoder returns bytes consumed, BASE_AGAIN or BASE_ERROR.
 * Shared by HarvTTP's client (fastcgi.c) and the PHP pool's responder (src/php).
 * Layer: http. */
#include <harv/fastcgi.h>

#include <string.h>

void fcgi_header_encode(uint8_t out[FCGI_HEADER_LEN], uint8_t type, uint16_t request_id,
                        uint16_t content_len, uint8_t padding)
{
    out[0] = FCGI_VERSION_1;
    out[1] = type;
    out[2] = (uint8_t)(request_id >> 8);
    out[3] = (uint8_t)request_id;
    out[4] = (uint8_t)(content_len >> 8);
    out[5] = (uint8_t)content_len;
    out[6] = padding;
    out[7] = 0;
}

int fcgi_record_decode(const uint8_t *buf, size_t len, fcgi_record_t *rec)
{
    if (len < 2)
        return BASE_AGAIN;
    if (buf[0] != FCGI_VERSION_1 || buf[1] == 0)
        return BASE_ERROR;
    if (len < FCGI_HEADER_LEN)
        return BASE_AGAIN;
    size_t clen = (size_t)buf[4] << 8 | buf[5];
    size_t total = FCGI_HEADER_LEN + clen + buf[6];
    if (len < total)
        return BASE_AGAIN;
    rec->version = buf[0];
    rec->type = buf[1];
    rec->request_id = (uint16_t)(buf[2] << 8 | buf[3]);
    rec->padding = buf[6];
    rec->content.p = (const char *)buf + FCGI_HEADER_LEN;
    rec->content.len = clen;
    return (int)total;
}

int fcgi_begin_decode(base_span_t content, uint16_t *role, uint8_t *flags)
{
    if (content.len != 8)
        return BASE_ERROR;
    const uint8_t *p = (const uint8_t *)content.p;
    *role = (uint16_t)(p[0] << 8 | p[1]);
    *flags = p[2];
    return BASE_OK;
}

void fcgi_begin_encode(uint8_t out[8], uint16_t role, uint8_t flags)
{
    memset(out, 0, 8);
    out[0] = (uint8_t)(role >> 8);
    out[1] = (uint8_t)role;
    out[2] = flags;
}

int fcgi_end_decode(base_span_t content, uint32_t *app_status, uint8_t *protocol_status)
{
    if (content.len != 8)
        return BASE_ERROR;
    const uint8_t *p = (const uint8_t *)content.p;
    *app_status = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
    *protocol_status = p[4];
    return BASE_OK;
}

void fcgi_end_encode(uint8_t out[8], uint32_t app_status, uint8_t protocol_status)
{
    memset(out, 0, 8);
    out[0] = (uint8_t)(app_status >> 24);
    out[1] = (uint8_t)(app_status >> 16);
    out[2] = (uint8_t)(app_status >> 8);
    out[3] = (uint8_t)app_status;
    out[4] = protocol_status;
}

/* ---- name-value pairs ------------------------------------------------------------------- */

#define FCGI_LEN_MAX 0x7fffffffu

static size_t len_size(size_t n) { return n < 128 ? 1 : 4; }

size_t fcgi_param_size(size_t name_len, size_t value_len)
{
    if (name_len > FCGI_LEN_MAX || value_len > FCGI_LEN_MAX)
        return 0;
    return len_size(name_len) + len_size(value_len) + name_len + value_len;
}

static uint8_t *put_len(uint8_t *p, size_t n)
{
    if (n < 128) {
        *p++ = (uint8_t)n;
        return p;
    }
    *p++ = (uint8_t)(0x80 | (n >> 24));
    *p++ = (uint8_t)(n >> 16);
    *p++ = (uint8_t)(n >> 8);
    *p++ = (uint8_t)n;
    return p;
}

size_t fcgi_param_encode(uint8_t *out, size_t cap, const char *name, size_t name_len,
                         const char *value, size_t value_len)
{
    size_t need = fcgi_param_size(name_len, value_len);
    if (!need || need > cap)
        return 0;
    uint8_t *p = put_len(out, name_len);
    p = put_len(p, value_len);
    if (name_len)
        memcpy(p, name, name_len);
    p += name_len;
    if (value_len)
        memcpy(p, value, value_len);
    return need;
}

/* Reads one length field at buf[*pos]; BASE_AGAIN when cut. */
static int get_len(const uint8_t *buf, size_t len, size_t *pos, size_t *out)
{
    if (*pos >= len)
        return BASE_AGAIN;
    uint8_t b = buf[*pos];
    if (!(b & 0x80)) {
        *out = b;
        *pos += 1;
        return BASE_OK;
    }
    if (len - *pos < 4)
        return BASE_AGAIN;
    *out = (size_t)(b & 0x7f) << 24 | (size_t)buf[*pos + 1] << 16 | (size_t)buf[*pos + 2] << 8 |
           buf[*pos + 3];
    *pos += 4;
    return BASE_OK;
}

int fcgi_param_decode(const uint8_t *buf, size_t len, size_t *pos, base_span_t *name,
                      base_span_t *value)
{
    size_t p = *pos, nl, vl;
    if (get_len(buf, len, &p, &nl) != BASE_OK || get_len(buf, len, &p, &vl) != BASE_OK)
        return BASE_AGAIN;
    if (len - p < nl || len - p - nl < vl)
        return BASE_AGAIN;
    name->p = (const char *)buf + p;
    name->len = nl;
    value->p = (const char *)buf + p + nl;
    value->len = vl;
    *pos = p + nl + vl;
    return BASE_OK;
}

/* ---- the CGI response head ---------------------------------------------------------------- */

static bool is_ows(char c) { return c == ' ' || c == '\t'; }

/* Finds the end of the head: the index just past the empty line, or 0. */
static size_t head_end(const char *buf, size_t len)
{
    /* a head that is nothing but the empty line */
    if (len >= 1 && buf[0] == '\n')
        return 1;
    if (len >= 2 && buf[0] == '\r' && buf[1] == '\n')
        return 2;
    for (size_t i = 0; i < len; i++) {
        if (buf[i] != '\n')
            continue;
        /* the line that starts after this LF is empty? */
        if (i + 1 < len && buf[i + 1] == '\n')
            return i + 2;
        if (i + 2 < len && buf[i + 1] == '\r' && buf[i + 2] == '\n')
            return i + 3;
    }
    return 0;
}

static int parse_status(base_span_t v, int *status)
{
    if (v.len < 3)
        return BASE_ERROR;
    int s = 0;
    for (int i = 0; i < 3; i++) {
        if (v.p[i] < '0' || v.p[i] > '9')
            return BASE_ERROR;
        s = s * 10 + (v.p[i] - '0');
    }
    if (v.len > 3 && !is_ows(v.p[3]))
        return BASE_ERROR;
    if (s < 100 || s > 999)
        return BASE_ERROR;
    *status = s;
    return BASE_OK;
}

int fcgi_cgi_head_parse(const char *buf, size_t len, fcgi_cgi_head_t *head)
{
    size_t end = head_end(buf, len);
    if (!end)
        return BASE_AGAIN;
    head->nheaders = 0;
    head->status = 0;
    bool location = false;
    size_t i = 0;
    while (i < end) {
        size_t eol = i;
        while (buf[eol] != '\n')
            eol++;
        size_t line_end = eol;
        if (line_end > i && buf[line_end - 1] == '\r')
            line_end--;
        if (line_end == i)
            break; /* the empty line */
        const char *colon = memchr(buf + i, ':', line_end - i);
        if (!colon || colon == buf + i)
            return BASE_ERROR;
        base_span_t name = {buf + i, (size_t)(colon - (buf + i))};
        for (size_t k = 0; k < name.len; k++) {
            unsigned char c = (unsigned char)name.p[k];
            if (c <= ' ' || c >= 127)
                return BASE_ERROR;
        }
        const char *v = colon + 1, *ve = buf + line_end;
        while (v < ve && is_ows(*v))
            v++;
        while (ve > v && is_ows(ve[-1]))
            ve--;
        base_span_t value = {v, (size_t)(ve - v)};
        for (size_t k = 0; k < value.len; k++) {
            unsigned char c = (unsigned char)value.p[k];
            if ((c < ' ' && c != '\t') || c == 127)
                return BASE_ERROR;
        }
        if (base_span_eq_ci(name, "Status")) {
            if (parse_status(value, &head->status) != BASE_OK)
                return BASE_ERROR;
        } else {
            if (base_span_eq_ci(name, "Location"))
                location = true;
            if (head->nheaders == head->max_headers)
                return BASE_ERROR;
            head->headers[head->nheaders].name = name;
            head->headers[head->nheaders].value = value;
            head->nheaders++;
        }
        i = eol + 1;
    }
    if (!head->status)
        head->status = location ? 302 : 200;
    return (int)end;
}
