/* proto_codec.h — the MySQL client/server packet codec of HarvSQL: framing (4-byte headers,
 * 16 MiB continuation frames), length-encoded integers and strings, decoders for what clients
 * send (HandshakeResponse41, COM_CHANGE_USER, COM_STMT_EXECUTE parameters, ...) and encoders
 * for what the server sends (greeting v10, OK, ERR, EOF, column definitions, text and binary
 * rows, COM_STMT_PREPARE_OK, AuthSwitchRequest).
 * Layer: sql/protocol. Pure: nothing here allocates, blocks or keeps state; decoders return
 * spans into the caller's bytes, encoders write into the caller's buffer. */
#ifndef HSQL_PROTO_CODEC_H
#define HSQL_PROTO_CODEC_H

#include <harv/base.h>

#include "hsql_engine.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- protocol constants ---------------------------------------------------------------- */
#define HSQL_FRAME_MAX 0xffffffu /* payload bytes of one frame; a full frame continues */
#define HSQL_SCRAMBLE_LEN 20

enum {
    HSQL_CLIENT_LONG_PASSWORD = 1u << 0,
    HSQL_CLIENT_FOUND_ROWS = 1u << 1,
    HSQL_CLIENT_LONG_FLAG = 1u << 2,
    HSQL_CLIENT_CONNECT_WITH_DB = 1u << 3,
    HSQL_CLIENT_NO_SCHEMA = 1u << 4,
    HSQL_CLIENT_COMPRESS = 1u << 5,
    HSQL_CLIENT_ODBC = 1u << 6,
    HSQL_CLIENT_LOCAL_FILES = 1u << 7,
    HSQL_CLIENT_IGNORE_SPACE = 1u << 8,
    HSQL_CLIENT_PROTOCOL_41 = 1u << 9,
    HSQL_CLIENT_INTERACTIVE = 1u << 10,
    HSQL_CLIENT_SSL = 1u << 11,
    HSQL_CLIENT_IGNORE_SIGPIPE = 1u << 12,
    HSQL_CLIENT_TRANSACTIONS = 1u << 13,
    HSQL_CLIENT_RESERVED = 1u << 14,
    HSQL_CLIENT_SECURE_CONNECTION = 1u << 15,
    HSQL_CLIENT_MULTI_STATEMENTS = 1u << 16,
    HSQL_CLIENT_MULTI_RESULTS = 1u << 17,
    HSQL_CLIENT_PS_MULTI_RESULTS = 1u << 18,
    HSQL_CLIENT_PLUGIN_AUTH = 1u << 19,
    HSQL_CLIENT_CONNECT_ATTRS = 1u << 20,
    HSQL_CLIENT_PLUGIN_AUTH_LENENC = 1u << 21,
    HSQL_CLIENT_CAN_HANDLE_EXPIRED = 1u << 22,
    HSQL_CLIENT_SESSION_TRACK = 1u << 23,
    HSQL_CLIENT_DEPRECATE_EOF = 1u << 24,
};

/* What HarvSQL offers in its greeting. No SSL, no COMPRESS, no LOCAL_FILES. */
#define HSQL_SERVER_CAPS                                                                      \
    (HSQL_CLIENT_LONG_PASSWORD | HSQL_CLIENT_FOUND_ROWS | HSQL_CLIENT_LONG_FLAG |             \
     HSQL_CLIENT_CONNECT_WITH_DB | HSQL_CLIENT_NO_SCHEMA | HSQL_CLIENT_ODBC |                 \
     HSQL_CLIENT_IGNORE_SPACE | HSQL_CLIENT_PROTOCOL_41 | HSQL_CLIENT_INTERACTIVE |           \
     HSQL_CLIENT_IGNORE_SIGPIPE | HSQL_CLIENT_TRANSACTIONS | HSQL_CLIENT_RESERVED |           \
     HSQL_CLIENT_SECURE_CONNECTION | HSQL_CLIENT_MULTI_STATEMENTS |                           \
     HSQL_CLIENT_MULTI_RESULTS | HSQL_CLIENT_PS_MULTI_RESULTS | HSQL_CLIENT_PLUGIN_AUTH |     \
     HSQL_CLIENT_CONNECT_ATTRS | HSQL_CLIENT_PLUGIN_AUTH_LENENC |                             \
     HSQL_CLIENT_CAN_HANDLE_EXPIRED | HSQL_CLIENT_SESSION_TRACK | HSQL_CLIENT_DEPRECATE_EOF)

enum {
    HSQL_COM_SLEEP = 0x00, HSQL_COM_QUIT = 0x01, HSQL_COM_INIT_DB = 0x02,
    HSQL_COM_QUERY = 0x03, HSQL_COM_FIELD_LIST = 0x04, HSQL_COM_CREATE_DB = 0x05,
    HSQL_COM_DROP_DB = 0x06, HSQL_COM_REFRESH = 0x07, HSQL_COM_SHUTDOWN = 0x08,
    HSQL_COM_STATISTICS = 0x09, HSQL_COM_PROCESS_INFO = 0x0a, HSQL_COM_CONNECT = 0x0b,
    HSQL_COM_PROCESS_KILL = 0x0c, HSQL_COM_DEBUG = 0x0d, HSQL_COM_PING = 0x0e,
    HSQL_COM_CHANGE_USER = 0x11, HSQL_COM_STMT_PREPARE = 0x16, HSQL_COM_STMT_EXECUTE = 0x17,
    HSQL_COM_STMT_SEND_LONG_DATA = 0x18, HSQL_COM_STMT_CLOSE = 0x19,
    HSQL_COM_STMT_RESET = 0x1a, HSQL_COM_SET_OPTION = 0x1b, HSQL_COM_STMT_FETCH = 0x1c,
    HSQL_COM_RESET_CONNECTION = 0x1f,
};

/* ---- framing ---------------------------------------------------------------------------- */
/* A logical packet found in a byte stream: one frame, or several when payloads of exactly
 * HSQL_FRAME_MAX bytes continue into the next frame (packets of 16 MiB and more). */
typedef struct hsql_packet_info {
    size_t payload_len; /* total payload bytes once the frames are joined */
    size_t wire_len;    /* bytes of the stream the packet occupies (headers included) */
    unsigned frames;    /* 1 for an ordinary packet */
    uint8_t seq;        /* sequence id of the first frame */
    uint8_t last_seq;   /* sequence id of the last frame */
} hsql_packet_info_t;

/* Finds the first complete logical packet at the start of buf[0..len).
 * Returns the wire bytes it occupies (> 0), BASE_AGAIN when more bytes are needed, or
 * BASE_LIMIT when its payload exceeds max_payload (known as soon as the headers say so) or a
 * continuation frame's sequence id is out of order (BASE_ERROR). Never reads past len. */
long hsql_packet_scan(const uint8_t *buf, size_t len, size_t max_payload,
                      hsql_packet_info_t *info);

/* Joins the frames of a packet found by hsql_packet_scan in place (moves payload bytes over
 * the inner headers) and returns the payload span, which starts at buf + 4. With one frame
 * nothing moves. buf must be writable for info->wire_len bytes. */
base_span_t hsql_packet_join(uint8_t *buf, const hsql_packet_info_t *info);

/* Writes a frame header (payload length, 24 bits; sequence id) at p[0..4). */
void hsql_frame_header(uint8_t *p, size_t payload_len, uint8_t seq);

/* ---- length-encoded integers and a bounds-checked reader ------------------------------ */
/* Bytes a length-encoded integer takes: 1, 3, 4 or 9. */
size_t hsql_lenenc_size(uint64_t v);
/* Writes v length-encoded at p (room for hsql_lenenc_size(v) bytes); returns the end. */
uint8_t *hsql_put_lenenc(uint8_t *p, uint64_t v);
/* Writes a length-encoded string; returns the end. */
uint8_t *hsql_put_lenenc_str(uint8_t *p, const void *s, size_t n);

/* Cursor over a payload. Every read past the end sets `bad` and yields zeros/empty spans,
 * so decoders check once at the end. */
typedef struct hsql_rd {
    const uint8_t *p, *end;
    bool bad;
} hsql_rd_t;

static inline hsql_rd_t hsql_rd_make(const void *p, size_t len)
{
    return (hsql_rd_t){(const uint8_t *)p, (const uint8_t *)p + len, false};
}
static inline size_t hsql_rd_left(const hsql_rd_t *r) { return (size_t)(r->end - r->p); }
uint64_t hsql_rd_int(hsql_rd_t *r, unsigned nbytes); /* little-endian, 1..8 bytes */
/* A length-encoded integer; *is_null set for 0xFB (when is_null != NULL, else bad). */
uint64_t hsql_rd_lenenc(hsql_rd_t *r, bool *is_null);
base_span_t hsql_rd_bytes(hsql_rd_t *r, size_t n);
base_span_t hsql_rd_lenenc_str(hsql_rd_t *r);
/* A NUL-terminated string (the NUL is consumed, not part of the span); a missing NUL takes
 * the rest of the payload. */
base_span_t hsql_rd_nulstr(hsql_rd_t *r);
base_span_t hsql_rd_rest(hsql_rd_t *r);

/* ---- what clients send ----------------------------------------------------------------- */
typedef struct hsql_handshake_resp {
    uint32_t caps;        /* client capability flags */
    uint32_t max_packet;  /* the client's max packet size */
    uint8_t charset;      /* collation id */
    base_span_t user;     /* without NUL */
    base_span_t auth;     /* the scramble response */
    base_span_t db;       /* empty unless CONNECT_WITH_DB */
    base_span_t plugin;   /* empty unless PLUGIN_AUTH */
    base_span_t attrs;    /* raw connection attributes */
    bool ssl_request;     /* a 32-byte SSLRequest, not a full response */
} hsql_handshake_resp_t;

/* Decodes a HandshakeResponse41. Returns BASE_OK, or BASE_ERROR with *why set to a constant
 * sentence (pre-4.1 clients, truncated packets). Spans point into payload. */
int hsql_decode_handshake_resp(const uint8_t *payload, size_t len, hsql_handshake_resp_t *out,
                               const char **why);

typedef struct hsql_change_user {
    base_span_t user, auth, db, plugin, attrs;
    uint16_t charset;
} hsql_change_user_t;

/* Decodes COM_CHANGE_USER (payload includes the command byte). caps: the session's. */
int hsql_decode_change_user(const uint8_t *payload, size_t len, uint32_t caps,
                            hsql_change_user_t *out, const char **why);

/* COM_STMT_EXECUTE header: statement id, cursor flags, then the parameter block. */
typedef struct hsql_exec_head {
    uint32_t stmt_id;
    uint8_t flags;
    hsql_rd_t params; /* the rest, for hsql_decode_exec_params */
} hsql_exec_head_t;

int hsql_decode_exec_head(const uint8_t *payload, size_t len, hsql_exec_head_t *out);

/* Decodes the parameter block of COM_STMT_EXECUTE for nparams parameters.
 * types: nparams*2 bytes of (type, flags) remembered from an earlier execute; when the packet
 * binds new types they are copied there (the caller keeps them for the next execute).
 * long_data: per parameter, NULL or the span collected by COM_STMT_SEND_LONG_DATA (such
 * parameters carry no value in the packet). scratch: room for formatted date/time texts,
 * at least nparams * HSQL_PARAM_SCRATCH bytes. Values point into the payload, long_data or
 * scratch. Returns BASE_OK or BASE_ERROR with *why. */
#define HSQL_PARAM_SCRATCH 32
int hsql_decode_exec_params(hsql_rd_t *r, unsigned nparams, uint8_t *types, bool *types_bound,
                            const base_span_t *long_data, char *scratch, hsql_param_t *out,
                            const char **why);

/* ---- what the server sends: encoders ------------------------------------------------- */
/* Each encoder writes a payload (no frame header) into p, which has room for at least the
 * size given by its _size() companion or the bound in its contract, and returns the payload
 * length. */

typedef struct hsql_greeting {
    const char *version;      /* "8.0.35-HarvSQL" */
    uint32_t conn_id;
    const uint8_t *scramble;  /* HSQL_SCRAMBLE_LEN bytes, no NUL bytes */
    uint32_t caps;
    uint8_t charset;
    uint16_t status;
    const char *plugin;       /* "mysql_native_password" */
} hsql_greeting_t;

size_t hsql_greeting_size(const hsql_greeting_t *g);
size_t hsql_encode_greeting(uint8_t *p, const hsql_greeting_t *g);

/* OK packet. header 0x00, or 0xFE when it ends a result set under DEPRECATE_EOF.
 * caps decide the info field (length-encoded; always present with SESSION_TRACK). */
size_t hsql_ok_size(const hsql_ok_t *ok);
size_t hsql_encode_ok(uint8_t *p, uint8_t header, const hsql_ok_t *ok, uint32_t caps);

/* ERR packet: 0xFF, code, '#', SQLSTATE, message (truncated to 512 bytes). ≤ 521 bytes. */
#define HSQL_ERR_MAX 521
size_t hsql_encode_err(uint8_t *p, uint16_t code, const char *sqlstate, const char *msg);

/* EOF packet (5 bytes). */
size_t hsql_encode_eof(uint8_t *p, uint16_t warnings, uint16_t status);

/* Column definition (Protocol::ColumnDefinition41). with_default appends a NULL default
 * value (COM_FIELD_LIST). */
size_t hsql_coldef_size(const hsql_col_t *c);
size_t hsql_encode_coldef(uint8_t *p, const hsql_col_t *c, bool with_default);

/* Text row: each value as a length-encoded string, NULL as 0xFB. */
size_t hsql_text_row_size(const hsql_value_t *v, unsigned n);
size_t hsql_encode_text_row(uint8_t *p, const hsql_value_t *v, unsigned n);

/* Binary row: 0x00, NULL bitmap (offset 2), then each non-NULL value in the binary form of
 * its column's type (cols[i].type). Values whose kind does not match the type are converted
 * (text "42" for a LONGLONG column). */
size_t hsql_binary_row_size(const hsql_col_t *cols, const hsql_value_t *v, unsigned n);
size_t hsql_encode_binary_row(uint8_t *p, const hsql_col_t *cols, const hsql_value_t *v,
                              unsigned n);

/* COM_STMT_PREPARE_OK (12 bytes). */
size_t hsql_encode_prepare_ok(uint8_t *p, uint32_t stmt_id, uint16_t ncols, uint16_t nparams,
                              uint16_t warnings);

/* AuthSwitchRequest: 0xFE, plugin, NUL, data, NUL. ≤ 64 + data_len bytes. */
size_t hsql_encode_auth_switch(uint8_t *p, const char *plugin, const uint8_t *data,
                               size_t data_len);

/* ---- scrambles (libcrypto SHA1/SHA256) ------------------------------------------------ */
/* Checks a mysql_native_password response: SHA1(pw) XOR SHA1(nonce + SHA1(SHA1(pw))).
 * An empty password expects an empty response. */
bool hsql_auth_native_ok(const uint8_t nonce[HSQL_SCRAMBLE_LEN], const char *password,
                         base_span_t resp);
/* Checks a caching_sha2_password scramble: SHA256(pw) XOR SHA256(SHA256(SHA256(pw)) + nonce). */
bool hsql_auth_sha2_ok(const uint8_t nonce[HSQL_SCRAMBLE_LEN], const char *password,
                       base_span_t resp);
/* Computes the client side of both, for tests (out: 20 or 32 bytes). */
void hsql_auth_native_scramble(const uint8_t nonce[HSQL_SCRAMBLE_LEN], const char *password,
                               uint8_t out[20]);
void hsql_auth_sha2_scramble(const uint8_t nonce[HSQL_SCRAMBLE_LEN], const char *password,
                             uint8_t out[32]);

#endif
