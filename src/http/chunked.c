/* http/chunked.c — incremental, in-place decoder for chunked transfer coding (RFC 9112 §7.1).
 * Data bytes are moved down over the framing so the decoded body ends up contiguous; the
 * output position never passes the input position. Strict: CRLF only, hex sizes guarded
 * against overflow, extensions and trailers capped. Layer: http (pure). */
#include <harv/http.h>

#include <string.h>

enum {
    CH_SIZE_START, /* first hex digit of a chunk-size */
    CH_SIZE,       /* more hex digits, or ';' / CR */
    CH_EXT,        /* chunk extensions up to CR */
    CH_SIZE_LF,    /* LF after the size line */
    CH_DATA,       /* chunk_left data bytes */
    CH_DATA_CR,    /* CR after data */
    CH_DATA_LF,    /* LF after data */
    CH_TRAILER_START, /* start of a trailer line, or CR of the final CRLF */
    CH_TRAILER,    /* inside a trailer field line */
    CH_TRAILER_LF, /* LF after a trailer line */
    CH_END_LF,     /* LF of the final CRLF */
    CH_DONE,
};

void http_chunked_init(http_chunked_t *c, uint64_t max_body, size_t max_aux)
{
    *c = (http_chunked_t){.state = CH_SIZE_START, .max_body = max_body, .max_aux = max_aux};
}

static int hexval(unsigned char ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

#define BAD(code)                                                                              \
    do {                                                                                       \
        *status = (code);                                                                      \
        *in_pos = i;                                                                           \
        *out_pos = o;                                                                          \
        return BASE_ERROR;                                                                     \
    } while (0)

int http_chunked_decode(http_chunked_t *c, char *buf, size_t len, size_t *in_pos,
                        size_t *out_pos, int *status)
{
    size_t i = *in_pos, o = *out_pos;
    while (i < len) {
        unsigned char ch = (unsigned char)buf[i];
        switch (c->state) {
        case CH_SIZE_START:
        case CH_SIZE: {
            int h = hexval(ch);
            if (h >= 0) {
                if (c->chunk_left > (UINT64_MAX >> 4))
                    BAD(400); /* chunk-size overflow */
                c->chunk_left = (c->chunk_left << 4) | (uint64_t)h;
                c->state = CH_SIZE;
                i++;
                break;
            }
            if (c->state == CH_SIZE_START)
                BAD(400);
            if (c->chunk_left > c->max_body - c->total)
                BAD(413);
            if (ch == ';' || ch == ' ' || ch == '\t') {
                c->state = CH_EXT;
                c->aux++;
                i++;
            } else if (ch == '\r') {
                c->state = CH_SIZE_LF;
                i++;
            } else {
                BAD(400);
            }
            break;
        }
        case CH_EXT:
            /* chunk-ext = *( BWS ";" BWS name [ BWS "=" BWS value ] ): ignored but bounded
             * and restricted to visible characters and whitespace. */
            if (ch == '\r') {
                c->state = CH_SIZE_LF;
            } else if (ch == '\t' || (ch >= 0x20 && ch != 0x7f)) {
                if (++c->aux > c->max_aux)
                    BAD(400);
            } else {
                BAD(400);
            }
            i++;
            break;
        case CH_SIZE_LF:
            if (ch != '\n')
                BAD(400);
            i++;
            c->state = c->chunk_left ? CH_DATA : CH_TRAILER_START;
            break;
        case CH_DATA: {
            size_t n = len - i;
            if (n > c->chunk_left)
                n = (size_t)c->chunk_left;
            if (o != i)
                memmove(buf + o, buf + i, n);
            o += n;
            i += n;
            c->chunk_left -= n;
            c->total += n;
            if (!c->chunk_left)
                c->state = CH_DATA_CR;
            break;
        }
        case CH_DATA_CR:
            if (ch != '\r')
                BAD(400);
            c->state = CH_DATA_LF;
            i++;
            break;
        case CH_DATA_LF:
            if (ch != '\n')
                BAD(400);
            c->state = CH_SIZE_START;
            i++;
            break;
        case CH_TRAILER_START:
            if (ch == '\r') {
                c->state = CH_END_LF;
                i++;
                break;
            }
            if (ch == ' ' || ch == '\t' || ch == ':')
                BAD(400); /* obs-fold or empty field name */
            c->state = CH_TRAILER;
            /* fallthrough */
        case CH_TRAILER:
            if (ch == '\r') {
                c->state = CH_TRAILER_LF;
            } else if (ch == '\t' || (ch >= 0x20 && ch != 0x7f)) {
                if (++c->aux > c->max_aux)
                    BAD(400);
            } else {
                BAD(400);
            }
            i++;
            break;
        case CH_TRAILER_LF:
            if (ch != '\n')
                BAD(400);
            c->state = CH_TRAILER_START;
            i++;
            break;
        case CH_END_LF:
            if (ch != '\n')
                BAD(400);
            i++;
            c->state = CH_DONE;
            *in_pos = i;
            *out_pos = o;
            return BASE_OK;
        default:
            BAD(400);
        }
    }
    *in_pos = i;
    *out_pos = o;
    return c->state == CH_DONE ? BASE_OK : BASE_AGAIN;
}
