/* http/parser.c — the HTTP/1.1 request-head parser: pure (no allocation, no I/O), strict to
 * RFC 9112/9110 as summarised in shared/docs/http-strictness.md: ambiguity is rejected, not
 * guessed. Called with the whole buffered prefix each time (picohttpparser style); returns
 * the head length, BASE_AGAIN while the prefix is valid but incomplete, or BASE_ERROR with
 * the status to answer. Errors in a complete prefix are reported at once, so a broken
 * request never waits for more bytes. Layer: http. */
#include <harv/http.h>

#include <string.h>
#include <strings.h>

/* tchar (RFC 9110 §5.6.2): the bytes a token (method, header name) may contain. */
static const uint8_t tchar[256] = {
    ['!'] = 1, ['#'] = 1, ['$'] = 1, ['%'] = 1, ['&'] = 1, ['\''] = 1, ['*'] = 1, ['+'] = 1,
    ['-'] = 1, ['.'] = 1, ['^'] = 1, ['_'] = 1, ['`'] = 1, ['|'] = 1, ['~'] = 1,
    ['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1, ['6'] = 1, ['7'] = 1,
    ['8'] = 1, ['9'] = 1,
    ['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1, ['G'] = 1, ['H'] = 1,
    ['I'] = 1, ['J'] = 1, ['K'] = 1, ['L'] = 1, ['M'] = 1, ['N'] = 1, ['O'] = 1, ['P'] = 1,
    ['Q'] = 1, ['R'] = 1, ['S'] = 1, ['T'] = 1, ['U'] = 1, ['V'] = 1, ['W'] = 1, ['X'] = 1,
    ['Y'] = 1, ['Z'] = 1,
    ['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1, ['g'] = 1, ['h'] = 1,
    ['i'] = 1, ['j'] = 1, ['k'] = 1, ['l'] = 1, ['m'] = 1, ['n'] = 1, ['o'] = 1, ['p'] = 1,
    ['q'] = 1, ['r'] = 1, ['s'] = 1, ['t'] = 1, ['u'] = 1, ['v'] = 1, ['w'] = 1, ['x'] = 1,
    ['y'] = 1, ['z'] = 1,
};

static const struct {
    const char *name;
    size_t len;
    http_method_t m;
} methods[] = {
    {"GET", 3, HTTP_GET},       {"HEAD", 4, HTTP_HEAD},       {"POST", 4, HTTP_POST},
    {"PUT", 3, HTTP_PUT},       {"DELETE", 6, HTTP_DELETE},   {"OPTIONS", 7, HTTP_OPTIONS},
    {"PATCH", 5, HTTP_PATCH},   {"TRACE", 5, HTTP_TRACE},     {"CONNECT", 7, HTTP_CONNECT},
};
#define MAX_METHOD_LEN 7

/* field-vchar / SP / HTAB / obs-text: what a header value may contain. */
static inline bool value_char(unsigned char c)
{
    return c == '\t' || (c >= 0x20 && c != 0x7f);
}

/* Visible ASCII except '#': what a request-target may contain (no fragment). */
static inline bool target_char(unsigned char c) { return c > 0x20 && c < 0x7f && c != '#'; }

/* RFC 3986 reg-name: unreserved / pct-encoded / sub-delims. */
static const uint8_t regname_char[256] = {
    ['-'] = 1, ['.'] = 1, ['_'] = 1, ['~'] = 1, ['%'] = 1, ['!'] = 1, ['$'] = 1, ['&'] = 1,
    ['\''] = 1, ['('] = 1, [')'] = 1, ['*'] = 1, ['+'] = 1, [','] = 1, [';'] = 1, ['='] = 1,
    ['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1, ['6'] = 1, ['7'] = 1,
    ['8'] = 1, ['9'] = 1,
    ['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1, ['G'] = 1, ['H'] = 1,
    ['I'] = 1, ['J'] = 1, ['K'] = 1, ['L'] = 1, ['M'] = 1, ['N'] = 1, ['O'] = 1, ['P'] = 1,
    ['Q'] = 1, ['R'] = 1, ['S'] = 1, ['T'] = 1, ['U'] = 1, ['V'] = 1, ['W'] = 1, ['X'] = 1,
    ['Y'] = 1, ['Z'] = 1,
    ['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1, ['g'] = 1, ['h'] = 1,
    ['i'] = 1, ['j'] = 1, ['k'] = 1, ['l'] = 1, ['m'] = 1, ['n'] = 1, ['o'] = 1, ['p'] = 1,
    ['q'] = 1, ['r'] = 1, ['s'] = 1, ['t'] = 1, ['u'] = 1, ['v'] = 1, ['w'] = 1, ['x'] = 1,
    ['y'] = 1, ['z'] = 1,
};

static bool hostname_valid(base_span_t h)
{
    /* RFC 9110 §7.2: Host = uri-host [ ":" port ], port = *DIGIT; uri-host is a reg-name or
     * an IP-literal in brackets. Empty is allowed by the grammar. Controls, spaces and
     * delimiters that would confuse routing or logs are refused. */
    if (h.len == 0)
        return true; /* no Host (HTTP/1.0) or an empty one */
    size_t end = h.len;
    if (h.p[0] == '[') {
        const char *close = memchr(h.p, ']', h.len);
        if (!close)
            return false;
        for (const char *q = h.p + 1; q < close; q++)
            if (!((*q >= '0' && *q <= '9') || ((*q | 0x20) >= 'a' && (*q | 0x20) <= 'f') ||
                  *q == ':' || *q == '.'))
                return false;
        end = (size_t)(close - h.p) + 1;
        if (end < h.len && h.p[end] != ':')
            return false;
    } else {
        const char *colon = memchr(h.p, ':', h.len);
        end = colon ? (size_t)(colon - h.p) : h.len;
        for (size_t i = 0; i < end; i++)
            if (!regname_char[(unsigned char)h.p[i]])
                return false;
    }
    if (end < h.len) { /* ":" port */
        if (h.len - end - 1 > 5)
            return false;
        for (size_t i = end + 1; i < h.len; i++)
            if (h.p[i] < '0' || h.p[i] > '9')
                return false;
    }
    return true;
}

/* Does a comma-separated header value contain token tok (case-insensitive)? */
static bool list_has(base_span_t v, const char *tok)
{
    size_t n = strlen(tok), i = 0;
    while (i < v.len) {
        while (i < v.len && (v.p[i] == ' ' || v.p[i] == '\t' || v.p[i] == ','))
            i++;
        size_t s = i;
        while (i < v.len && v.p[i] != ',')
            i++;
        size_t e = i;
        while (e > s && (v.p[e - 1] == ' ' || v.p[e - 1] == '\t'))
            e--;
        if (e - s == n && !strncasecmp(v.p + s, tok, n))
            return true;
    }
    return false;
}

/* Transfer-Encoding: only "chunked", once, last. Anything else: 501 (unknown or
 * unimplemented coding) or 400 (chunked not final, or applied twice). */
static int check_transfer_encoding(base_span_t v, int *status)
{
    size_t i = 0;
    int chunked_seen = 0, codings = 0, last_chunked = 0, other = 0;
    while (i < v.len) {
        while (i < v.len && (v.p[i] == ' ' || v.p[i] == '\t'))
            i++;
        size_t s = i;
        while (i < v.len && v.p[i] != ',' && v.p[i] != ';')
            i++;
        size_t e = i;
        while (e > s && (v.p[e - 1] == ' ' || v.p[e - 1] == '\t'))
            e--;
        if (i < v.len && v.p[i] == ';') /* transfer parameters: none are defined for chunked */
            other = 1;
        while (i < v.len && v.p[i] != ',')
            i++;
        if (i < v.len)
            i++;
        if (e == s)
            continue; /* empty list element, allowed by the list rule */
        codings++;
        if (e - s == 7 && !strncasecmp(v.p + s, "chunked", 7)) {
            chunked_seen++;
            last_chunked = 1;
        } else {
            for (size_t k = s; k < e; k++)
                if (!tchar[(unsigned char)v.p[k]]) {
                    *status = 400;
                    return BASE_ERROR;
                }
            other = 1;
            last_chunked = 0;
        }
    }
    if (codings == 0 || chunked_seen > 1 || (chunked_seen && !last_chunked)) {
        *status = 400;
        return BASE_ERROR;
    }
    if (other) {
        *status = chunked_seen && !last_chunked ? 400 : 501;
        return BASE_ERROR;
    }
    return BASE_OK;
}

/* Content-Length: 1*DIGIT; a list of identical values ("42, 42") is accepted (RFC 9110 §8.6). */
static int parse_content_length(base_span_t v, uint64_t *out, int *status)
{
    uint64_t val = 0;
    bool have = false;
    size_t i = 0;
    while (i <= v.len) {
        size_t s = i;
        while (i < v.len && v.p[i] != ',')
            i++;
        size_t e = i;
        while (s < e && (v.p[s] == ' ' || v.p[s] == '\t'))
            s++;
        while (e > s && (v.p[e - 1] == ' ' || v.p[e - 1] == '\t'))
            e--;
        uint64_t x;
        /* 19 digits always fit; more is an overflow attempt: 400. */
        if (e - s > 19 || base_parse_u64((base_span_t){v.p + s, e - s}, UINT64_MAX, &x)) {
            *status = 400;
            return BASE_ERROR;
        }
        if (have && x != val) {
            *status = 400;
            return BASE_ERROR;
        }
        val = x;
        have = true;
        i++;
    }
    *out = val;
    return BASE_OK;
}

const http_header_t *http_request_header(const http_request_t *req, const char *name)
{
    size_t n = strlen(name);
    for (unsigned i = 0; i < req->nheaders; i++)
        if (req->headers[i].name.len == n && !strncasecmp(req->headers[i].name.p, name, n))
            return &req->headers[i];
    return NULL;
}

#define FAIL(code)                                                                             \
    do {                                                                                       \
        *status = (code);                                                                      \
        return BASE_ERROR;                                                                     \
    } while (0)

/* Too long to be complete yet: decide which limit the prefix broke. */
#define NEED_MORE(code)                                                                        \
    do {                                                                                       \
        if (len > lim->max_head)                                                               \
            FAIL(code);                                                                        \
        return BASE_AGAIN;                                                                     \
    } while (0)

int http_parse_request(const char *buf, size_t len, const http_parse_limits_t *lim,
                       http_request_t *req, int *status)
{
    const unsigned char *b = (const unsigned char *)buf;
    size_t i = 0;

    /* Leading empty lines before the request-line are ignored (RFC 9112 §2.2), a few. */
    for (int n = 0; n < 4 && i + 1 < len && b[i] == '\r' && b[i + 1] == '\n'; n++)
        i += 2;
    if (i < len && b[i] == '\r' && i + 1 == len)
        return BASE_AGAIN;

    /* method SP */
    size_t ms = i;
    while (i < len && tchar[b[i]]) {
        if (i - ms >= MAX_METHOD_LEN)
            FAIL(501); /* longer than any method we implement */
        i++;
    }
    if (i == len)
        return BASE_AGAIN;
    if (b[i] != ' ' || i == ms)
        FAIL(400);
    req->method_name = (base_span_t){buf + ms, i - ms};
    int m = -1;
    for (size_t k = 0; k < BASE_ARRAY_LEN(methods); k++)
        if (methods[k].len == i - ms && !memcmp(buf + ms, methods[k].name, i - ms))
            m = (int)k;
    if (m < 0)
        FAIL(501); /* methods are case-sensitive: "get" is unknown too */
    req->method = methods[m].m;
    i++;

    /* request-target SP */
    size_t ts = i;
    while (i < len && target_char(b[i])) {
        if (i - ts >= lim->max_target)
            FAIL(414);
        i++;
    }
    if (i == len)
        NEED_MORE(414);
    if (b[i] != ' ' || i == ts)
        FAIL(400); /* tabs, double spaces, fragments, controls */
    req->target = (base_span_t){buf + ts, i - ts};
    i++;

    /* HTTP-version CRLF: exactly "HTTP/" DIGIT "." DIGIT */
    static const char proto[] = "HTTP/";
    for (size_t k = 0; k < 5; k++, i++) {
        if (i == len)
            NEED_MORE(400);
        if (b[i] != (unsigned char)proto[k])
            FAIL(400);
    }
    if (i + 5 > len) {
        /* validate what is there */
        for (size_t k = i; k < len; k++) {
            unsigned char c = b[k];
            size_t pos = k - i;
            bool ok = (pos == 0 || pos == 2) ? (c >= '0' && c <= '9')
                      : pos == 1             ? c == '.'
                      : pos == 3             ? c == '\r'
                                             : c == '\n';
            if (!ok)
                FAIL(400);
        }
        NEED_MORE(400);
    }
    if (b[i] < '0' || b[i] > '9' || b[i + 1] != '.' || b[i + 2] < '0' || b[i + 2] > '9' ||
        b[i + 3] != '\r' || b[i + 4] != '\n')
        FAIL(400);
    int major = b[i] - '0', minor = b[i + 2] - '0';
    if (major != 1)
        FAIL(505);
    req->minor = minor >= 1 ? 1 : 0;
    i += 5;

    /* target forms */
    base_span_t t = req->target, authority = {NULL, 0};
    if (t.p[0] == '/') {
        /* origin-form */
    } else if (t.len == 1 && t.p[0] == '*') {
        if (req->method != HTTP_OPTIONS)
            FAIL(400);
    } else if (t.len > 7 && (!strncasecmp(t.p, "http://", 7) || !strncasecmp(t.p, "https://", 8))) {
        /* absolute-form: MUST accept; the authority replaces Host */
        size_t skip = t.p[4] == ':' ? 7 : 8;
        const char *a = t.p + skip, *end = t.p + t.len;
        const char *slash = memchr(a, '/', (size_t)(end - a));
        const char *q = memchr(a, '?', (size_t)(end - a));
        const char *ae = slash ? slash : (q ? q : end);
        if (q && slash && q < slash)
            ae = q;
        authority = (base_span_t){a, (size_t)(ae - a)};
        if (!authority.len)
            FAIL(400);
        t = ae < end && *ae == '/' ? (base_span_t){ae, (size_t)(end - ae)}
                                   : (base_span_t){"/", 1};
        if (ae < end && *ae == '?') /* "http://h?x": path "/" plus query */
            t = (base_span_t){ae, (size_t)(end - ae)};
    } else if (req->method == HTTP_CONNECT) {
        FAIL(501); /* authority-form: Harv is not a proxy */
    } else {
        FAIL(400);
    }
    const char *qm = t.p[0] == '?' ? t.p : memchr(t.p, '?', t.len);
    if (t.p[0] == '?') {
        req->path = (base_span_t){"/", 1};
        req->query = (base_span_t){t.p + 1, t.len - 1};
    } else if (qm) {
        req->path = (base_span_t){t.p, (size_t)(qm - t.p)};
        req->query = (base_span_t){qm + 1, (size_t)(t.p + t.len - qm - 1)};
    } else {
        req->path = t;
        req->query = (base_span_t){t.p + t.len, 0};
    }

    /* header fields */
    req->nheaders = 0;
    req->flags = 0;
    req->content_length = 0;
    req->host = (base_span_t){NULL, 0};
    int host_count = 0, cl_count = 0, te_count = 0;
    base_span_t te = {NULL, 0};
    bool conn_close = false, conn_keepalive = false;
    for (;;) {
        if (i == len)
            NEED_MORE(431);
        if (b[i] == '\r') {
            if (i + 1 == len)
                NEED_MORE(431);
            if (b[i + 1] != '\n')
                FAIL(400); /* bare CR */
            i += 2;
            break;
        }
        if (b[i] == ' ' || b[i] == '\t')
            FAIL(400); /* obs-fold, or whitespace before the first header */
        size_t ls = i, ns = i;
        while (i < len && tchar[b[i]])
            i++;
        if (i == len) {
            if (i - ls > lim->max_line)
                FAIL(431);
            NEED_MORE(431);
        }
        if (b[i] != ':' || i == ns)
            FAIL(400); /* whitespace before the colon, or not a token */
        base_span_t name = {buf + ns, i - ns};
        i++;
        while (i < len && (b[i] == ' ' || b[i] == '\t'))
            i++;
        size_t vs = i;
        while (i < len && value_char(b[i]))
            i++;
        if (i - ls > lim->max_line)
            FAIL(431);
        if (i == len)
            NEED_MORE(431);
        if (b[i] != '\r')
            FAIL(400); /* NUL, bare LF, other controls */
        if (i + 1 == len)
            NEED_MORE(431);
        if (b[i + 1] != '\n')
            FAIL(400);
        size_t ve = i;
        while (ve > vs && (b[ve - 1] == ' ' || b[ve - 1] == '\t'))
            ve--;
        i += 2;
        if (req->nheaders >= lim->max_headers)
            FAIL(431);
        base_span_t value = {buf + vs, ve - vs};
        req->headers[req->nheaders++] = (http_header_t){name, value};

        /* the headers that decide framing and routing */
        switch (name.len) {
        case 4:
            if (!strncasecmp(name.p, "host", 4)) {
                host_count++;
                req->host = value;
            }
            break;
        case 6:
            if (!strncasecmp(name.p, "expect", 6)) {
                if (value.len == 12 && !strncasecmp(value.p, "100-continue", 12))
                    req->flags |= HTTP_REQ_CONTINUE;
                else
                    FAIL(417);
            }
            break;
        case 10:
            if (!strncasecmp(name.p, "connection", 10)) {
                conn_close |= list_has(value, "close");
                conn_keepalive |= list_has(value, "keep-alive");
            }
            break;
        case 14:
            if (!strncasecmp(name.p, "content-length", 14)) {
                uint64_t v;
                if (parse_content_length(value, &v, status) != BASE_OK)
                    return BASE_ERROR;
                if (cl_count++ && v != req->content_length)
                    FAIL(400);
                req->content_length = v;
                req->flags |= HTTP_REQ_HAS_LENGTH;
            }
            break;
        case 17:
            if (!strncasecmp(name.p, "transfer-encoding", 17)) {
                te_count++;
                te = value;
            }
            break;
        }
    }
    if (i > lim->max_head)
        FAIL(431);
    req->head_len = i;

    /* semantic checks of the complete head */
    if (req->minor == 1 && host_count == 0)
        FAIL(400);
    if (host_count > 1 || !hostname_valid(req->host))
        FAIL(400);
    if (authority.len) {
        if (!hostname_valid(authority))
            FAIL(400);
        req->host = authority;
    }
    if (te_count) {
        if (req->minor == 0 || cl_count || te_count > 1)
            FAIL(400); /* TE in 1.0, TE with CL, or split TE lines: faulty framing */
        if (check_transfer_encoding(te, status) != BASE_OK)
            return BASE_ERROR;
        req->flags |= HTTP_REQ_CHUNKED;
    }
    if (req->minor == 0) {
        req->flags &= ~(unsigned)HTTP_REQ_CONTINUE; /* MUST ignore 100-continue in 1.0 */
        if (conn_keepalive && !conn_close)
            req->flags |= HTTP_REQ_KEEPALIVE;
    } else if (!conn_close) {
        req->flags |= HTTP_REQ_KEEPALIVE;
    }
    req->body = NULL;
    req->body_len = 0;
    return (int)i;
}
