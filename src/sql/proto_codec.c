/* proto_codec.c — the MySQL packet codec of HarvSQL: framing, length-encoded values, decoders
 * of client packets and encoders of server packets. See proto_codec.h for the contracts.
 * Layer: sql/protocol. Pure: no allocation, no I/O, no global state. Every decoder reads
 * through hsql_rd_t, which stops at the end of the payload and remembers that it tried. */
#include "proto_codec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- little-endian helpers -------------------------------------------------------------- */

static inline uint8_t *put_u16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    return p + 2;
}

static inline uint8_t *put_u24(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    return p + 3;
}

static inline uint8_t *put_u32(uint8_t *p, uint32_t v)
{
    p = put_u16(p, (uint16_t)v);
    return put_u16(p, (uint16_t)(v >> 16));
}

static inline uint8_t *put_u64(uint8_t *p, uint64_t v)
{
    p = put_u32(p, (uint32_t)v);
    return put_u32(p, (uint32_t)(v >> 32));
}

static inline uint32_t get_u24(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16;
}

/* ---- framing ------------------------------------------------------------------------------ */

long hsql_packet_scan(const uint8_t *buf, size_t len, size_t max_payload,
                      hsql_packet_info_t *info)
{
    size_t off = 0, total = 0;
    unsigned frames = 0;
    uint8_t seq = 0;
    for (;;) {
        if (len - off < 4)
            return BASE_AGAIN;
        uint32_t flen = get_u24(buf + off);
        uint8_t fseq = buf[off + 3];
        if (frames == 0)
            info->seq = fseq;
        else if (fseq != (uint8_t)(seq + 1))
            return BASE_ERROR;
        seq = fseq;
        frames++;
        total += flen;
        if (total > max_payload)
            return BASE_LIMIT;
        if (len - off - 4 < flen)
            return BASE_AGAIN;
        off += 4 + (size_t)flen;
        if (flen < HSQL_FRAME_MAX)
            break;
    }
    info->payload_len = total;
    info->wire_len = off;
    info->frames = frames;
    info->last_seq = seq;
    return (long)off;
}

base_span_t hsql_packet_join(uint8_t *buf, const hsql_packet_info_t *info)
{
    if (info->frames > 1) {
        /* Frame k's payload starts at 4 + k*(HSQL_FRAME_MAX + 4); slide each over the header
         * in front of it so the payload becomes contiguous from buf + 4. */
        size_t dst = 4 + HSQL_FRAME_MAX, src = dst + 4;
        size_t left = info->payload_len - HSQL_FRAME_MAX;
        while (left > 0) {
            size_t n = BASE_MIN(left, (size_t)HSQL_FRAME_MAX);
            memmove(buf + dst, buf + src, n);
            dst += n;
            src += n + 4;
            left -= n;
        }
    }
    return (base_span_t){(const char *)buf + 4, info->payload_len};
}

void hsql_frame_header(uint8_t *p, size_t payload_len, uint8_t seq)
{
    put_u24(p, (uint32_t)payload_len);
    p[3] = seq;
}

/* ---- length-encoded values ------------------------------------------------------------ */

size_t hsql_lenenc_size(uint64_t v)
{
    if (v < 251)
        return 1;
    if (v < (1u << 16))
        return 3;
    if (v < (1u << 24))
        return 4;
    return 9;
}

uint8_t *hsql_put_lenenc(uint8_t *p, uint64_t v)
{
    if (v < 251) {
        *p = (uint8_t)v;
        return p + 1;
    }
    if (v < (1u << 16)) {
        *p = 0xfc;
        return put_u16(p + 1, (uint16_t)v);
    }
    if (v < (1u << 24)) {
        *p = 0xfd;
        return put_u24(p + 1, (uint32_t)v);
    }
    *p = 0xfe;
    return put_u64(p + 1, v);
}

uint8_t *hsql_put_lenenc_str(uint8_t *p, const void *s, size_t n)
{
    p = hsql_put_lenenc(p, n);
    if (n)
        memcpy(p, s, n);
    return p + n;
}

uint64_t hsql_rd_int(hsql_rd_t *r, unsigned nbytes)
{
    if (hsql_rd_left(r) < nbytes) {
        r->bad = true;
        r->p = r->end;
        return 0;
    }
    uint64_t v = 0;
    for (unsigned i = 0; i < nbytes; i++)
        v |= (uint64_t)r->p[i] << (8 * i);
    r->p += nbytes;
    return v;
}

uint64_t hsql_rd_lenenc(hsql_rd_t *r, bool *is_null)
{
    if (is_null)
        *is_null = false;
    if (r->p >= r->end) {
        r->bad = true;
        return 0;
    }
    uint8_t b = *r->p++;
    switch (b) {
    case 0xfb:
        if (is_null)
            *is_null = true;
        else
            r->bad = true;
        return 0;
    case 0xfc:
        return hsql_rd_int(r, 2);
    case 0xfd:
        return hsql_rd_int(r, 3);
    case 0xfe:
        return hsql_rd_int(r, 8);
    case 0xff:
        r->bad = true;
        return 0;
    default:
        return b;
    }
}

base_span_t hsql_rd_bytes(hsql_rd_t *r, size_t n)
{
    if (hsql_rd_left(r) < n) {
        r->bad = true;
        r->p = r->end;
        return (base_span_t){"", 0};
    }
    base_span_t s = {(const char *)r->p, n};
    r->p += n;
    return s;
}

base_span_t hsql_rd_lenenc_str(hsql_rd_t *r)
{
    uint64_t n = hsql_rd_lenenc(r, NULL);
    if (r->bad || n > hsql_rd_left(r)) {
        r->bad = true;
        r->p = r->end;
        return (base_span_t){"", 0};
    }
    return hsql_rd_bytes(r, (size_t)n);
}

base_span_t hsql_rd_nulstr(hsql_rd_t *r)
{
    const uint8_t *nul = memchr(r->p, 0, hsql_rd_left(r));
    base_span_t s = {(const char *)r->p, nul ? (size_t)(nul - r->p) : hsql_rd_left(r)};
    r->p = nul ? nul + 1 : r->end;
    return s;
}

base_span_t hsql_rd_rest(hsql_rd_t *r)
{
    base_span_t s = {(const char *)r->p, hsql_rd_left(r)};
    r->p = r->end;
    return s;
}

/* ---- client packets ------------------------------------------------------------------ */

int hsql_decode_handshake_resp(const uint8_t *payload, size_t len, hsql_handshake_resp_t *out,
                               const char **why)
{
    memset(out, 0, sizeof *out);
    hsql_rd_t r = hsql_rd_make(payload, len);
    if (len < 4) {
        *why = "handshake response too short";
        return BASE_ERROR;
    }
    out->caps = (uint32_t)hsql_rd_int(&r, 4);
    if (!(out->caps & HSQL_CLIENT_PROTOCOL_41)) {
        *why = "clients older than MySQL 4.1 (no CLIENT_PROTOCOL_41) are not supported";
        return BASE_ERROR;
    }
    out->max_packet = (uint32_t)hsql_rd_int(&r, 4);
    out->charset = (uint8_t)hsql_rd_int(&r, 1);
    hsql_rd_bytes(&r, 23);
    if (r.bad) {
        *why = "handshake response too short";
        return BASE_ERROR;
    }
    if (hsql_rd_left(&r) == 0 && (out->caps & HSQL_CLIENT_SSL)) {
        out->ssl_request = true;
        return BASE_OK;
    }
    out->user = hsql_rd_nulstr(&r);
    if (out->caps & HSQL_CLIENT_PLUGIN_AUTH_LENENC)
        out->auth = hsql_rd_lenenc_str(&r);
    else if (out->caps & HSQL_CLIENT_SECURE_CONNECTION)
        out->auth = hsql_rd_bytes(&r, (size_t)hsql_rd_int(&r, 1));
    else
        out->auth = hsql_rd_nulstr(&r);
    if (r.bad) {
        *why = "handshake response truncated in the user name or auth data";
        return BASE_ERROR;
    }
    /* The trailing fields are optional in practice: old clients stop early. */
    if ((out->caps & HSQL_CLIENT_CONNECT_WITH_DB) && hsql_rd_left(&r))
        out->db = hsql_rd_nulstr(&r);
    if ((out->caps & HSQL_CLIENT_PLUGIN_AUTH) && hsql_rd_left(&r))
        out->plugin = hsql_rd_nulstr(&r);
    if ((out->caps & HSQL_CLIENT_CONNECT_ATTRS) && hsql_rd_left(&r)) {
        out->attrs = hsql_rd_lenenc_str(&r);
        if (r.bad) {
            *why = "handshake response has malformed connection attributes";
            return BASE_ERROR;
        }
    }
    return BASE_OK;
}

int hsql_decode_change_user(const uint8_t *payload, size_t len, uint32_t caps,
                            hsql_change_user_t *out, const char **why)
{
    memset(out, 0, sizeof *out);
    hsql_rd_t r = hsql_rd_make(payload, len);
    hsql_rd_int(&r, 1);
    out->user = hsql_rd_nulstr(&r);
    if (caps & HSQL_CLIENT_SECURE_CONNECTION)
        out->auth = hsql_rd_bytes(&r, (size_t)hsql_rd_int(&r, 1));
    else
        out->auth = hsql_rd_nulstr(&r);
    if (r.bad) {
        *why = "COM_CHANGE_USER truncated in the auth data";
        return BASE_ERROR;
    }
    out->db = hsql_rd_nulstr(&r);
    if (hsql_rd_left(&r) >= 2)
        out->charset = (uint16_t)hsql_rd_int(&r, 2);
    if ((caps & HSQL_CLIENT_PLUGIN_AUTH) && hsql_rd_left(&r))
        out->plugin = hsql_rd_nulstr(&r);
    if ((caps & HSQL_CLIENT_CONNECT_ATTRS) && hsql_rd_left(&r)) {
        out->attrs = hsql_rd_lenenc_str(&r);
        if (r.bad) {
            *why = "COM_CHANGE_USER has malformed connection attributes";
            return BASE_ERROR;
        }
    }
    return BASE_OK;
}

int hsql_decode_exec_head(const uint8_t *payload, size_t len, hsql_exec_head_t *out)
{
    hsql_rd_t r = hsql_rd_make(payload, len);
    hsql_rd_int(&r, 1);
    out->stmt_id = (uint32_t)hsql_rd_int(&r, 4);
    out->flags = (uint8_t)hsql_rd_int(&r, 1);
    hsql_rd_int(&r, 4); /* iteration count, always 1 */
    out->params = r;
    return r.bad ? BASE_ERROR : BASE_OK;
}

/* Formats a binary DATE/DATETIME/TIMESTAMP parameter as MySQL text. */
static int fmt_datetime(hsql_rd_t *r, uint8_t type, char *buf, size_t *n)
{
    unsigned len = (unsigned)hsql_rd_int(r, 1);
    unsigned y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
    unsigned long us = 0;
    if (len != 0 && len != 4 && len != 7 && len != 11)
        return BASE_ERROR;
    if (len >= 4) {
        y = (unsigned)hsql_rd_int(r, 2);
        mo = (unsigned)hsql_rd_int(r, 1);
        d = (unsigned)hsql_rd_int(r, 1);
    }
    if (len >= 7) {
        h = (unsigned)hsql_rd_int(r, 1);
        mi = (unsigned)hsql_rd_int(r, 1);
        s = (unsigned)hsql_rd_int(r, 1);
    }
    if (len >= 11)
        us = (unsigned long)hsql_rd_int(r, 4);
    if (r->bad || y > 9999 || mo > 12 || d > 31 || h > 23 || mi > 59 || s > 59 || us > 999999)
        return BASE_ERROR;
    int w;
    if (type == HSQL_TYPE_DATE)
        w = snprintf(buf, HSQL_PARAM_SCRATCH, "%04u-%02u-%02u", y, mo, d);
    else if (us)
        w = snprintf(buf, HSQL_PARAM_SCRATCH, "%04u-%02u-%02u %02u:%02u:%02u.%06lu", y, mo, d,
                     h, mi, s, us);
    else
        w = snprintf(buf, HSQL_PARAM_SCRATCH, "%04u-%02u-%02u %02u:%02u:%02u", y, mo, d, h, mi,
                     s);
    *n = (size_t)w;
    return BASE_OK;
}

static int fmt_time(hsql_rd_t *r, char *buf, size_t *n)
{
    unsigned len = (unsigned)hsql_rd_int(r, 1);
    unsigned neg = 0, h = 0, mi = 0, s = 0;
    unsigned long days = 0, us = 0;
    if (len != 0 && len != 8 && len != 12)
        return BASE_ERROR;
    if (len >= 8) {
        neg = (unsigned)hsql_rd_int(r, 1);
        days = (unsigned long)hsql_rd_int(r, 4);
        h = (unsigned)hsql_rd_int(r, 1);
        mi = (unsigned)hsql_rd_int(r, 1);
        s = (unsigned)hsql_rd_int(r, 1);
    }
    if (len >= 12)
        us = (unsigned long)hsql_rd_int(r, 4);
    if (r->bad || days > 34 || h > 23 || mi > 59 || s > 59 || us > 999999)
        return BASE_ERROR;
    int w = snprintf(buf, HSQL_PARAM_SCRATCH, us ? "%s%02lu:%02u:%02u.%06lu" : "%s%02lu:%02u:%02u",
                     neg ? "-" : "", days * 24 + h, mi, s, us);
    *n = (size_t)w;
    return BASE_OK;
}

int hsql_decode_exec_params(hsql_rd_t *r, unsigned nparams, uint8_t *types, bool *types_bound,
                            const base_span_t *long_data, char *scratch, hsql_param_t *out,
                            const char **why)
{
    if (nparams == 0)
        return BASE_OK;
    base_span_t nulls = hsql_rd_bytes(r, (nparams + 7) / 8);
    uint8_t bound = (uint8_t)hsql_rd_int(r, 1);
    if (r->bad) {
        *why = "COM_STMT_EXECUTE truncated before the parameter types";
        return BASE_ERROR;
    }
    if (bound) {
        base_span_t t = hsql_rd_bytes(r, (size_t)nparams * 2);
        if (r->bad) {
            *why = "COM_STMT_EXECUTE truncated in the parameter types";
            return BASE_ERROR;
        }
        memcpy(types, t.p, (size_t)nparams * 2);
        *types_bound = true;
    } else if (!*types_bound) {
        *why = "COM_STMT_EXECUTE sent no parameter types and none were bound before";
        return BASE_ERROR;
    }
    for (unsigned i = 0; i < nparams; i++) {
        hsql_param_t *p = &out[i];
        memset(p, 0, sizeof *p);
        uint8_t type = types[2 * i];
        bool is_unsigned = types[2 * i + 1] & 0x80;
        p->type = type;
        p->kind = HSQL_VAL_NULL;
        /* Long data wins over the NULL bit, as in MySQL: mysqlnd sets the bit for them. */
        if (long_data && long_data[i].p) {
            p->kind = HSQL_VAL_TEXT;
            p->s = long_data[i].p;
            p->len = long_data[i].len;
            continue;
        }
        if ((uint8_t)nulls.p[i / 8] & (1u << (i % 8)))
            continue;
        uint64_t v;
        switch (type) {
        case HSQL_TYPE_NULL:
            continue;
        case HSQL_TYPE_TINY:
            v = hsql_rd_int(r, 1);
            p->i = is_unsigned ? (int64_t)v : (int64_t)(int8_t)v;
            goto integer;
        case HSQL_TYPE_SHORT:
        case HSQL_TYPE_YEAR:
            v = hsql_rd_int(r, 2);
            p->i = is_unsigned ? (int64_t)v : (int64_t)(int16_t)v;
            goto integer;
        case HSQL_TYPE_LONG:
        case HSQL_TYPE_INT24:
            v = hsql_rd_int(r, 4);
            p->i = is_unsigned ? (int64_t)v : (int64_t)(int32_t)v;
            goto integer;
        case HSQL_TYPE_LONGLONG:
            v = hsql_rd_int(r, 8);
            p->i = (int64_t)v;
        integer:
            if (is_unsigned) {
                p->u = v;
                p->i = (int64_t)v;
                p->kind = v > (uint64_t)INT64_MAX ? HSQL_VAL_UINT : HSQL_VAL_INT;
                p->d = (double)v;
            } else {
                p->u = (uint64_t)p->i;
                p->kind = HSQL_VAL_INT;
                p->d = (double)p->i;
            }
            break;
        case HSQL_TYPE_FLOAT: {
            uint32_t b = (uint32_t)hsql_rd_int(r, 4);
            float f;
            memcpy(&f, &b, 4);
            p->d = f;
            p->kind = HSQL_VAL_DOUBLE;
            break;
        }
        case HSQL_TYPE_DOUBLE: {
            uint64_t b = hsql_rd_int(r, 8);
            memcpy(&p->d, &b, 8);
            p->kind = HSQL_VAL_DOUBLE;
            break;
        }
        case HSQL_TYPE_DATE:
        case HSQL_TYPE_DATETIME:
        case HSQL_TYPE_TIMESTAMP:
        case HSQL_TYPE_TIME: {
            char *buf = scratch + (size_t)i * HSQL_PARAM_SCRATCH;
            size_t n = 0;
            int rc = type == HSQL_TYPE_TIME ? fmt_time(r, buf, &n) : fmt_datetime(r, type, buf, &n);
            if (rc != BASE_OK) {
                *why = "COM_STMT_EXECUTE has a malformed date or time parameter";
                return BASE_ERROR;
            }
            p->kind = HSQL_VAL_TEXT;
            p->s = buf;
            p->len = n;
            break;
        }
        default: {
            base_span_t s = hsql_rd_lenenc_str(r);
            p->kind = HSQL_VAL_TEXT;
            p->s = s.p;
            p->len = s.len;
            break;
        }
        }
        if (r->bad) {
            *why = "COM_STMT_EXECUTE truncated in a parameter value";
            return BASE_ERROR;
        }
    }
    return BASE_OK;
}

/* ---- server packets ------------------------------------------------------------------ */

size_t hsql_greeting_size(const hsql_greeting_t *g)
{
    return 1 + strlen(g->version) + 1 + 4 + 8 + 1 + 2 + 1 + 2 + 2 + 1 + 10 + 13 +
           strlen(g->plugin) + 1;
}

size_t hsql_encode_greeting(uint8_t *p, const hsql_greeting_t *g)
{
    uint8_t *q = p;
    *q++ = 10;
    size_t vl = strlen(g->version);
    memcpy(q, g->version, vl + 1);
    q += vl + 1;
    q = put_u32(q, g->conn_id);
    memcpy(q, g->scramble, 8);
    q += 8;
    *q++ = 0;
    q = put_u16(q, (uint16_t)g->caps);
    *q++ = g->charset;
    q = put_u16(q, g->status);
    q = put_u16(q, (uint16_t)(g->caps >> 16));
    *q++ = HSQL_SCRAMBLE_LEN + 1;
    memset(q, 0, 10);
    q += 10;
    memcpy(q, g->scramble + 8, HSQL_SCRAMBLE_LEN - 8);
    q += HSQL_SCRAMBLE_LEN - 8;
    *q++ = 0;
    size_t pl = strlen(g->plugin);
    memcpy(q, g->plugin, pl + 1);
    q += pl + 1;
    return (size_t)(q - p);
}

size_t hsql_ok_size(const hsql_ok_t *ok)
{
    size_t il = ok->info ? strlen(ok->info) : 0;
    return 1 + 9 + 9 + 2 + 2 + 9 + il;
}

size_t hsql_encode_ok(uint8_t *p, uint8_t header, const hsql_ok_t *ok, uint32_t caps)
{
    uint8_t *q = p;
    *q++ = header;
    q = hsql_put_lenenc(q, ok->affected_rows);
    q = hsql_put_lenenc(q, ok->insert_id);
    q = put_u16(q, ok->status);
    q = put_u16(q, ok->warnings);
    size_t il = ok->info ? strlen(ok->info) : 0;
    /* As MariaDB does, and as mysqlnd and libmariadb read it: a length-encoded info text,
     * omitted when empty unless SESSION_TRACK makes the field mandatory. */
    if (il || (caps & HSQL_CLIENT_SESSION_TRACK))
        q = hsql_put_lenenc_str(q, ok->info, il);
    return (size_t)(q - p);
}

size_t hsql_encode_err(uint8_t *p, uint16_t code, const char *sqlstate, const char *msg)
{
    uint8_t *q = p;
    *q++ = 0xff;
    q = put_u16(q, code);
    *q++ = '#';
    size_t sl = sqlstate ? strnlen(sqlstate, 5) : 0;
    memcpy(q, sl == 5 ? sqlstate : "HY000", 5);
    q += 5;
    size_t ml = strnlen(msg, 512);
    memcpy(q, msg, ml);
    q += ml;
    return (size_t)(q - p);
}

size_t hsql_encode_eof(uint8_t *p, uint16_t warnings, uint16_t status)
{
    p[0] = 0xfe;
    put_u16(p + 1, warnings);
    put_u16(p + 3, status);
    return 5;
}

static inline size_t lstr_size(const char *s) { size_t n = strlen(s); return hsql_lenenc_size(n) + n; }

size_t hsql_coldef_size(const hsql_col_t *c)
{
    return 4 + lstr_size(c->db) + lstr_size(c->table) + lstr_size(c->org_table) +
           lstr_size(c->name) + lstr_size(c->org_name) + 13 + 1;
}

size_t hsql_encode_coldef(uint8_t *p, const hsql_col_t *c, bool with_default)
{
    uint8_t *q = p;
    q = hsql_put_lenenc_str(q, "def", 3);
    q = hsql_put_lenenc_str(q, c->db, strlen(c->db));
    q = hsql_put_lenenc_str(q, c->table, strlen(c->table));
    q = hsql_put_lenenc_str(q, c->org_table, strlen(c->org_table));
    q = hsql_put_lenenc_str(q, c->name, strlen(c->name));
    q = hsql_put_lenenc_str(q, c->org_name, strlen(c->org_name));
    *q++ = 0x0c;
    q = put_u16(q, c->charset);
    q = put_u32(q, c->length);
    *q++ = c->type;
    q = put_u16(q, c->flags);
    *q++ = c->decimals;
    *q++ = 0;
    *q++ = 0;
    if (with_default)
        *q++ = 0xfb;
    return (size_t)(q - p);
}

size_t hsql_text_row_size(const hsql_value_t *v, unsigned n)
{
    size_t sz = 0;
    for (unsigned i = 0; i < n; i++)
        sz += v[i].kind == HSQL_VAL_NULL ? 1 : hsql_lenenc_size(v[i].len) + v[i].len;
    return sz;
}

size_t hsql_encode_text_row(uint8_t *p, const hsql_value_t *v, unsigned n)
{
    uint8_t *q = p;
    for (unsigned i = 0; i < n; i++) {
        if (v[i].kind == HSQL_VAL_NULL)
            *q++ = 0xfb;
        else
            q = hsql_put_lenenc_str(q, v[i].s, v[i].len);
    }
    return (size_t)(q - p);
}

/* ---- binary rows ------------------------------------------------------------------------ */

static size_t binary_fixed_width(uint8_t type)
{
    switch (type) {
    case HSQL_TYPE_TINY:
        return 1;
    case HSQL_TYPE_SHORT:
    case HSQL_TYPE_YEAR:
        return 2;
    case HSQL_TYPE_LONG:
    case HSQL_TYPE_INT24:
    case HSQL_TYPE_FLOAT:
        return 4;
    case HSQL_TYPE_LONGLONG:
    case HSQL_TYPE_DOUBLE:
        return 8;
    case HSQL_TYPE_DATE:
    case HSQL_TYPE_DATETIME:
    case HSQL_TYPE_TIMESTAMP:
    case HSQL_TYPE_TIME:
        return 13; /* upper bound: length byte + 12 */
    default:
        return 0;
    }
}

size_t hsql_binary_row_size(const hsql_col_t *cols, const hsql_value_t *v, unsigned n)
{
    size_t sz = 1 + (n + 7 + 2) / 8;
    for (unsigned i = 0; i < n; i++) {
        if (v[i].kind == HSQL_VAL_NULL)
            continue;
        size_t w = binary_fixed_width(cols[i].type);
        sz += w ? w : hsql_lenenc_size(v[i].len) + v[i].len;
    }
    return sz;
}

/* Copies a value's text into a NUL-terminated local buffer (numbers only: 63 bytes). */
static const char *value_cstr(const hsql_value_t *v, char *buf, size_t cap)
{
    size_t n = BASE_MIN(v->len, cap - 1);
    if (n)
        memcpy(buf, v->s, n);
    buf[n] = 0;
    return buf;
}

static uint64_t value_as_int(const hsql_value_t *v)
{
    char buf[64];
    switch (v->kind) {
    case HSQL_VAL_INT:
        return (uint64_t)v->i;
    case HSQL_VAL_UINT:
        return v->u;
    case HSQL_VAL_DOUBLE:
        /* Out-of-range doubles saturate (a cast would be undefined). */
        if (!(v->d == v->d))
            return 0;
        if (v->d >= 9.2233720368547758e18)
            return (uint64_t)INT64_MAX;
        if (v->d <= -9.2233720368547758e18)
            return (uint64_t)INT64_MIN;
        return (uint64_t)(int64_t)v->d;
    default: {
        const char *s = value_cstr(v, buf, sizeof buf);
        return *s == '-' ? (uint64_t)strtoll(s, NULL, 10) : strtoull(s, NULL, 10);
    }
    }
}

static double value_as_double(const hsql_value_t *v)
{
    char buf[64];
    switch (v->kind) {
    case HSQL_VAL_INT:
        return (double)v->i;
    case HSQL_VAL_UINT:
        return (double)v->u;
    case HSQL_VAL_DOUBLE:
        return v->d;
    default:
        return strtod(value_cstr(v, buf, sizeof buf), NULL);
    }
}

/* Parses up to `max` decimal digits at s[*i]; returns the number. */
static unsigned long digits(const char *s, size_t len, size_t *i, unsigned max)
{
    unsigned long v = 0;
    unsigned k = 0;
    while (*i < len && k < max && s[*i] >= '0' && s[*i] <= '9') {
        v = v * 10 + (unsigned long)(s[*i] - '0');
        (*i)++;
        k++;
    }
    return v;
}

/* "YYYY-MM-DD[ HH:MM:SS[.ffffff]]" → binary DATE/DATETIME (length byte first). */
static uint8_t *put_bin_datetime(uint8_t *q, const char *s, size_t len)
{
    size_t i = 0;
    unsigned long y = digits(s, len, &i, 4), mo = 0, d = 0, h = 0, mi = 0, sec = 0, us = 0;
    if (i < len && s[i] == '-')
        i++, mo = digits(s, len, &i, 2);
    if (i < len && s[i] == '-')
        i++, d = digits(s, len, &i, 2);
    if (i < len && (s[i] == ' ' || s[i] == 'T'))
        i++, h = digits(s, len, &i, 2);
    if (i < len && s[i] == ':')
        i++, mi = digits(s, len, &i, 2);
    if (i < len && s[i] == ':')
        i++, sec = digits(s, len, &i, 2);
    if (i < len && s[i] == '.') {
        size_t start = ++i;
        us = digits(s, len, &i, 6);
        for (size_t k = i - start; k < 6; k++)
            us *= 10;
    }
    unsigned n = us ? 11 : (h || mi || sec) ? 7 : (y || mo || d) ? 4 : 0;
    *q++ = (uint8_t)n;
    if (n >= 4) {
        q = put_u16(q, (uint16_t)y);
        *q++ = (uint8_t)mo;
        *q++ = (uint8_t)d;
    }
    if (n >= 7) {
        *q++ = (uint8_t)h;
        *q++ = (uint8_t)mi;
        *q++ = (uint8_t)sec;
    }
    if (n >= 11)
        q = put_u32(q, (uint32_t)us);
    return q;
}

/* "[-]HHH:MM:SS[.ffffff]" → binary TIME. */
static uint8_t *put_bin_time(uint8_t *q, const char *s, size_t len)
{
    size_t i = 0;
    bool neg = len && s[0] == '-';
    if (neg)
        i++;
    unsigned long h = digits(s, len, &i, 9), mi = 0, sec = 0, us = 0;
    if (i < len && s[i] == ':')
        i++, mi = digits(s, len, &i, 2);
    if (i < len && s[i] == ':')
        i++, sec = digits(s, len, &i, 2);
    if (i < len && s[i] == '.') {
        size_t start = ++i;
        us = digits(s, len, &i, 6);
        for (size_t k = i - start; k < 6; k++)
            us *= 10;
    }
    unsigned n = us ? 12 : (h || mi || sec) ? 8 : 0;
    *q++ = (uint8_t)n;
    if (n >= 8) {
        *q++ = neg;
        q = put_u32(q, (uint32_t)(h / 24));
        *q++ = (uint8_t)(h % 24);
        *q++ = (uint8_t)mi;
        *q++ = (uint8_t)sec;
    }
    if (n >= 12)
        q = put_u32(q, (uint32_t)us);
    return q;
}

size_t hsql_encode_binary_row(uint8_t *p, const hsql_col_t *cols, const hsql_value_t *v,
                              unsigned n)
{
    uint8_t *q = p;
    *q++ = 0x00;
    size_t nb = (n + 7 + 2) / 8;
    uint8_t *bitmap = q;
    memset(bitmap, 0, nb);
    q += nb;
    for (unsigned i = 0; i < n; i++) {
        if (v[i].kind == HSQL_VAL_NULL) {
            bitmap[(i + 2) / 8] |= (uint8_t)(1u << ((i + 2) % 8));
            continue;
        }
        switch (cols[i].type) {
        case HSQL_TYPE_TINY:
            *q++ = (uint8_t)value_as_int(&v[i]);
            break;
        case HSQL_TYPE_SHORT:
        case HSQL_TYPE_YEAR:
            q = put_u16(q, (uint16_t)value_as_int(&v[i]));
            break;
        case HSQL_TYPE_LONG:
        case HSQL_TYPE_INT24:
            q = put_u32(q, (uint32_t)value_as_int(&v[i]));
            break;
        case HSQL_TYPE_LONGLONG:
            q = put_u64(q, value_as_int(&v[i]));
            break;
        case HSQL_TYPE_FLOAT: {
            float f = (float)value_as_double(&v[i]);
            uint32_t b;
            memcpy(&b, &f, 4);
            q = put_u32(q, b);
            break;
        }
        case HSQL_TYPE_DOUBLE: {
            double d = value_as_double(&v[i]);
            uint64_t b;
            memcpy(&b, &d, 8);
            q = put_u64(q, b);
            break;
        }
        case HSQL_TYPE_DATE:
        case HSQL_TYPE_DATETIME:
        case HSQL_TYPE_TIMESTAMP:
            q = put_bin_datetime(q, v[i].s ? v[i].s : "", v[i].s ? v[i].len : 0);
            break;
        case HSQL_TYPE_TIME:
            q = put_bin_time(q, v[i].s ? v[i].s : "", v[i].s ? v[i].len : 0);
            break;
        default:
            q = hsql_put_lenenc_str(q, v[i].s, v[i].len);
            break;
        }
    }
    return (size_t)(q - p);
}

size_t hsql_encode_prepare_ok(uint8_t *p, uint32_t stmt_id, uint16_t ncols, uint16_t nparams,
                              uint16_t warnings)
{
    uint8_t *q = p;
    *q++ = 0x00;
    q = put_u32(q, stmt_id);
    q = put_u16(q, ncols);
    q = put_u16(q, nparams);
    *q++ = 0;
    q = put_u16(q, warnings);
    return (size_t)(q - p);
}

size_t hsql_encode_auth_switch(uint8_t *p, const char *plugin, const uint8_t *data,
                               size_t data_len)
{
    uint8_t *q = p;
    *q++ = 0xfe;
    size_t pl = strnlen(plugin, 60);
    memcpy(q, plugin, pl);
    q += pl;
    *q++ = 0;
    memcpy(q, data, data_len);
    q += data_len;
    *q++ = 0;
    return (size_t)(q - p);
}
