/* Unit tests for src/sql/proto_codec.c and proto_auth.c: framing (whole, split at every byte
 * boundary, 16 MiB continuation frames, limits, sequence errors), length-encoded values,
 * HandshakeResponse41 and COM_STMT_EXECUTE decoding (also truncated at every byte), encoders
 * of greeting/OK/ERR/EOF/column definitions/rows, and the two password scrambles against
 * vectors computed independently (Python hashlib). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "proto_codec.h"

/* Copies bytes into an exactly-sized heap block so ASan sees any read past the end. */
static uint8_t *dup_exact(const void *p, size_t n)
{
    uint8_t *b = malloc(n ? n : 1);
    memcpy(b, p, n);
    return b;
}

static void lenenc_roundtrip(void **state)
{
    uint64_t vals[] = {0, 1, 250, 251, 252, 65535, 65536, 0xffffff, 0x1000000, UINT64_MAX};
    for (size_t i = 0; i < BASE_ARRAY_LEN(vals); i++) {
        uint8_t buf[9];
        uint8_t *end = hsql_put_lenenc(buf, vals[i]);
        assert_int_equal((size_t)(end - buf), hsql_lenenc_size(vals[i]));
        hsql_rd_t r = hsql_rd_make(buf, (size_t)(end - buf));
        bool isnull;
        assert_true(hsql_rd_lenenc(&r, &isnull) == vals[i]);
        assert_false(r.bad);
        assert_false(isnull);
        assert_int_equal(hsql_rd_left(&r), 0);
        /* truncated: every shorter prefix is flagged */
        for (size_t cut = 0; cut < (size_t)(end - buf); cut++) {
            uint8_t *t = dup_exact(buf, cut);
            hsql_rd_t tr = hsql_rd_make(t, cut);
            hsql_rd_lenenc(&tr, NULL);
            assert_true(tr.bad || cut == 0 ? tr.bad : false);
            free(t);
        }
    }
    uint8_t nul = 0xfb;
    hsql_rd_t r = hsql_rd_make(&nul, 1);
    bool isnull = false;
    hsql_rd_lenenc(&r, &isnull);
    assert_true(isnull);
    assert_false(r.bad);
}

static void scan_split_everywhere(void **state)
{
    /* Two pipelined packets: COM_PING and COM_QUERY "SELECT 1". */
    const uint8_t wire[] = {1, 0, 0, 0, 0x0e, 9, 0, 0, 0, 0x03, 'S', 'E', 'L', 'E', 'C', 'T', ' ', '1'};
    for (size_t cut = 0; cut <= sizeof wire; cut++) {
        uint8_t *b = dup_exact(wire, cut);
        hsql_packet_info_t pi;
        long n = hsql_packet_scan(b, cut, 1 << 20, &pi);
        if (cut < 5) {
            assert_int_equal(n, BASE_AGAIN);
        } else {
            assert_int_equal(n, 5);
            assert_int_equal(pi.payload_len, 1);
            assert_int_equal(pi.seq, 0);
            long m = hsql_packet_scan(b + 5, cut - 5, 1 << 20, &pi);
            if (cut < sizeof wire) {
                assert_int_equal(m, BASE_AGAIN);
            } else {
                assert_int_equal(m, 13);
                base_span_t s = hsql_packet_join(b + 5, &pi);
                assert_int_equal(s.len, 9);
                assert_memory_equal(s.p, "\x03SELECT 1", 9);
            }
        }
        free(b);
    }
}

static void scan_limit_and_order(void **state)
{
    uint8_t big[4] = {0x00, 0x00, 0x10, 0}; /* 1 MiB announced */
    hsql_packet_info_t pi;
    assert_int_equal(hsql_packet_scan(big, 4, 1000, &pi), BASE_LIMIT);
    assert_int_equal(hsql_packet_scan(big, 4, 2u << 20, &pi), BASE_AGAIN);
}

static void continuation_frames(void **state)
{
    /* payload of 16 MiB - 1 + 10 bytes: frame 1 full, frame 2 carries 10. */
    size_t plen = HSQL_FRAME_MAX + 10;
    size_t wire = plen + 8;
    uint8_t *b = malloc(wire);
    hsql_frame_header(b, HSQL_FRAME_MAX, 3);
    for (size_t i = 0; i < HSQL_FRAME_MAX; i++)
        b[4 + i] = (uint8_t)(i * 7);
    hsql_frame_header(b + 4 + HSQL_FRAME_MAX, 10, 4);
    for (size_t i = 0; i < 10; i++)
        b[8 + HSQL_FRAME_MAX + i] = (uint8_t)((HSQL_FRAME_MAX + i) * 7);
    hsql_packet_info_t pi;
    assert_int_equal(hsql_packet_scan(b, wire - 1, 64u << 20, &pi), BASE_AGAIN);
    assert_int_equal(hsql_packet_scan(b, wire, HSQL_FRAME_MAX, &pi), BASE_LIMIT);
    long n = hsql_packet_scan(b, wire, 64u << 20, &pi);
    assert_int_equal(n, (long)wire);
    assert_int_equal(pi.frames, 2);
    assert_int_equal(pi.last_seq, 4);
    base_span_t s = hsql_packet_join(b, &pi);
    assert_int_equal(s.len, plen);
    for (size_t i = 0; i < plen; i += 4099)
        assert_int_equal((uint8_t)s.p[i], (uint8_t)(i * 7));
    assert_int_equal((uint8_t)s.p[plen - 1], (uint8_t)((plen - 1) * 7));
    /* out-of-order continuation */
    hsql_frame_header(b + 4 + HSQL_FRAME_MAX, 10, 9);
    hsql_frame_header(b, HSQL_FRAME_MAX, 3);
    assert_int_equal(hsql_packet_scan(b, wire, 64u << 20, &pi), BASE_ERROR);
    /* exactly 16 MiB - 1 needs an empty trailing frame */
    uint8_t *c = malloc(HSQL_FRAME_MAX + 8);
    hsql_frame_header(c, HSQL_FRAME_MAX, 0);
    memset(c + 4, 'x', HSQL_FRAME_MAX);
    assert_int_equal(hsql_packet_scan(c, HSQL_FRAME_MAX + 4, 64u << 20, &pi), BASE_AGAIN);
    hsql_frame_header(c + 4 + HSQL_FRAME_MAX, 0, 1);
    assert_int_equal(hsql_packet_scan(c, HSQL_FRAME_MAX + 8, 64u << 20, &pi),
                     (long)HSQL_FRAME_MAX + 8);
    assert_int_equal(pi.payload_len, HSQL_FRAME_MAX);
    free(b);
    free(c);
}

/* A HandshakeResponse41 as libmariadb sends it (CONNECT_WITH_DB, lenenc auth, attrs). */
static size_t build_resp(uint8_t *p, uint32_t caps)
{
    uint8_t *q = p;
    memcpy(q, &caps, 4);
    q += 4;
    uint32_t maxp = 1 << 24;
    memcpy(q, &maxp, 4);
    q += 4;
    *q++ = 45;
    memset(q, 0, 23);
    q += 23;
    memcpy(q, "alice", 6);
    q += 6;
    uint8_t auth[20];
    memset(auth, 0xaa, 20);
    if (caps & HSQL_CLIENT_PLUGIN_AUTH_LENENC)
        q = hsql_put_lenenc_str(q, auth, 20);
    else {
        *q++ = 20;
        memcpy(q, auth, 20);
        q += 20;
    }
    if (caps & HSQL_CLIENT_CONNECT_WITH_DB) {
        memcpy(q, "shop", 5);
        q += 5;
    }
    if (caps & HSQL_CLIENT_PLUGIN_AUTH) {
        memcpy(q, "mysql_native_password", 22);
        q += 22;
    }
    if (caps & HSQL_CLIENT_CONNECT_ATTRS) {
        uint8_t attrs[32], *a = attrs;
        a = hsql_put_lenenc_str(a, "_client_name", 12);
        a = hsql_put_lenenc_str(a, "test", 4);
        q = hsql_put_lenenc_str(q, attrs, (size_t)(a - attrs));
    }
    return (size_t)(q - p);
}

static void handshake_response(void **state)
{
    uint32_t caps = 0x00bfa28c | HSQL_CLIENT_PLUGIN_AUTH_LENENC;
    uint8_t buf[256];
    size_t n = build_resp(buf, caps);
    hsql_handshake_resp_t hr;
    const char *why = NULL;
    assert_int_equal(hsql_decode_handshake_resp(buf, n, &hr, &why), BASE_OK);
    assert_true(base_span_eq(hr.user, "alice"));
    assert_int_equal(hr.auth.len, 20);
    assert_true(base_span_eq(hr.db, "shop"));
    assert_true(base_span_eq(hr.plugin, "mysql_native_password"));
    assert_int_equal(hr.attrs.len, 1 + 12 + 1 + 4);
    assert_int_equal(hr.charset, 45);
    /* mysqlnd's shape: no db, 1-byte auth length */
    n = build_resp(buf, 0x001aa285);
    assert_int_equal(hsql_decode_handshake_resp(buf, n, &hr, &why), BASE_OK);
    assert_int_equal(hr.db.len, 0);
    assert_int_equal(hr.auth.len, 20);
    /* every truncation: no crash, no read past the end */
    n = build_resp(buf, caps);
    for (size_t cut = 0; cut < n; cut++) {
        uint8_t *t = dup_exact(buf, cut);
        int rc = hsql_decode_handshake_resp(t, cut, &hr, &why);
        if (cut < 32 + 6 + 21)
            assert_int_equal(rc, BASE_ERROR);
        free(t);
    }
    /* pre-4.1 */
    uint8_t old[40] = {0};
    assert_int_equal(hsql_decode_handshake_resp(old, sizeof old, &hr, &why), BASE_ERROR);
    assert_non_null(strstr(why, "4.1"));
}

static void greeting(void **state)
{
    uint8_t scr[HSQL_SCRAMBLE_LEN];
    for (int i = 0; i < HSQL_SCRAMBLE_LEN; i++)
        scr[i] = (uint8_t)(i + 1);
    hsql_greeting_t g = {.version = "8.0.35-HarvSQL", .conn_id = 7, .scramble = scr,
                         .caps = HSQL_SERVER_CAPS, .charset = 255, .status = 2,
                         .plugin = "mysql_native_password"};
    uint8_t buf[256];
    size_t n = hsql_encode_greeting(buf, &g);
    assert_int_equal(n, hsql_greeting_size(&g));
    hsql_rd_t r = hsql_rd_make(buf, n);
    assert_int_equal(hsql_rd_int(&r, 1), 10);
    assert_true(base_span_eq(hsql_rd_nulstr(&r), "8.0.35-HarvSQL"));
    assert_int_equal(hsql_rd_int(&r, 4), 7);
    base_span_t p1 = hsql_rd_bytes(&r, 8);
    assert_memory_equal(p1.p, scr, 8);
    assert_int_equal(hsql_rd_int(&r, 1), 0);
    uint32_t caps = (uint32_t)hsql_rd_int(&r, 2);
    assert_int_equal(hsql_rd_int(&r, 1), 255);
    assert_int_equal(hsql_rd_int(&r, 2), 2);
    caps |= (uint32_t)hsql_rd_int(&r, 2) << 16;
    assert_int_equal(caps, HSQL_SERVER_CAPS);
    assert_true(caps & HSQL_CLIENT_LONG_PASSWORD); /* avoids MariaDB-only client extensions */
    assert_int_equal(hsql_rd_int(&r, 1), 21);
    hsql_rd_bytes(&r, 10);
    base_span_t p2 = hsql_rd_bytes(&r, 12);
    assert_memory_equal(p2.p, scr + 8, 12);
    assert_int_equal(hsql_rd_int(&r, 1), 0);
    assert_true(base_span_eq(hsql_rd_nulstr(&r), "mysql_native_password"));
    assert_false(r.bad);
    assert_int_equal(hsql_rd_left(&r), 0);
}

static void ok_err_eof(void **state)
{
    uint8_t buf[600];
    hsql_ok_t ok = {.affected_rows = 300, .insert_id = 5, .status = 2, .warnings = 1,
                    .info = "Rows matched: 1  Changed: 0  Warnings: 0"};
    size_t n = hsql_encode_ok(buf, 0, &ok, 0);
    const uint8_t head[] = {0x00, 0xfc, 0x2c, 0x01, 0x05, 0x02, 0x00, 0x01, 0x00, 40};
    assert_memory_equal(buf, head, sizeof head);
    assert_int_equal(n, sizeof head + 40);
    assert_true(n <= hsql_ok_size(&ok));
    /* empty info: omitted without SESSION_TRACK, an empty lenenc with it */
    hsql_ok_t ok2 = {.status = 2, .info = ""};
    assert_int_equal(hsql_encode_ok(buf, 0, &ok2, 0), 7);
    assert_int_equal(hsql_encode_ok(buf, 0, &ok2, HSQL_CLIENT_SESSION_TRACK), 8);
    n = hsql_encode_err(buf, 1045, "28000",
                        "Access denied for user 'u'@'localhost' (using password: YES)");
    assert_int_equal(buf[0], 0xff);
    assert_int_equal(buf[1] | buf[2] << 8, 1045);
    assert_memory_equal(buf + 3, "#28000Access denied", 19);
    assert_int_equal(n, 9 + strlen("Access denied for user 'u'@'localhost' (using password: YES)"));
    char longmsg[2000];
    memset(longmsg, 'x', sizeof longmsg - 1);
    longmsg[sizeof longmsg - 1] = 0;
    assert_true(hsql_encode_err(buf, 1064, "42000", longmsg) <= HSQL_ERR_MAX);
    assert_int_equal(hsql_encode_eof(buf, 3, 0x22), 5);
    const uint8_t eof[] = {0xfe, 3, 0, 0x22, 0};
    assert_memory_equal(buf, eof, 5);
}

static void coldef_and_rows(void **state)
{
    hsql_col_t c = {.db = "wp", .table = "t", .org_table = "wp_t", .name = "COUNT(*)",
                    .org_name = "", .charset = 63, .length = 21, .type = HSQL_TYPE_LONGLONG,
                    .flags = HSQL_FLAG_NOT_NULL | HSQL_FLAG_NUM, .decimals = 0};
    uint8_t buf[256];
    size_t n = hsql_encode_coldef(buf, &c, false);
    assert_true(n <= hsql_coldef_size(&c));
    hsql_rd_t r = hsql_rd_make(buf, n);
    assert_true(base_span_eq(hsql_rd_lenenc_str(&r), "def"));
    assert_true(base_span_eq(hsql_rd_lenenc_str(&r), "wp"));
    assert_true(base_span_eq(hsql_rd_lenenc_str(&r), "t"));
    assert_true(base_span_eq(hsql_rd_lenenc_str(&r), "wp_t"));
    assert_true(base_span_eq(hsql_rd_lenenc_str(&r), "COUNT(*)"));
    assert_true(base_span_eq(hsql_rd_lenenc_str(&r), ""));
    assert_int_equal(hsql_rd_lenenc(&r, NULL), 0x0c);
    assert_int_equal(hsql_rd_int(&r, 2), 63);
    assert_int_equal(hsql_rd_int(&r, 4), 21);
    assert_int_equal(hsql_rd_int(&r, 1), HSQL_TYPE_LONGLONG);
    assert_int_equal(hsql_rd_int(&r, 2), HSQL_FLAG_NOT_NULL | HSQL_FLAG_NUM);
    assert_int_equal(hsql_rd_int(&r, 1), 0);
    assert_int_equal(hsql_rd_int(&r, 2), 0);
    assert_int_equal(hsql_rd_left(&r), 0);

    hsql_value_t v[3] = {{.kind = HSQL_VAL_INT, .i = 42, .s = "42", .len = 2},
                         {.kind = HSQL_VAL_NULL},
                         {.kind = HSQL_VAL_TEXT, .s = "0000-00-00 00:00:00", .len = 19}};
    n = hsql_encode_text_row(buf, v, 3);
    assert_int_equal(n, hsql_text_row_size(v, 3));
    assert_memory_equal(buf, "\x02" "42\xfb\x13" "0000-00-00 00:00:00", n);

    hsql_col_t cols[3] = {{.type = HSQL_TYPE_LONGLONG}, {.type = HSQL_TYPE_VAR_STRING},
                          {.type = HSQL_TYPE_DATETIME}};
    n = hsql_encode_binary_row(buf, cols, v, 3);
    assert_true(n <= hsql_binary_row_size(cols, v, 3));
    /* header, bitmap (bit 2+1 = NULL of column 1), 8-byte int, zero datetime = length 0 */
    const uint8_t want[] = {0x00, 0x08, 42, 0, 0, 0, 0, 0, 0, 0, 0x00};
    assert_int_equal(n, sizeof want);
    assert_memory_equal(buf, want, sizeof want);
    hsql_value_t dt = {.kind = HSQL_VAL_TEXT, .s = "2024-02-29 13:04:05.5", .len = 21};
    n = hsql_encode_binary_row(buf, &cols[2], &dt, 1);
    const uint8_t wdt[] = {0x00, 0x00, 11, 0xe8, 0x07, 2, 29, 13, 4, 5, 0x20, 0xa1, 0x07, 0x00};
    assert_int_equal(n, sizeof wdt);
    assert_memory_equal(buf, wdt, sizeof wdt);
    /* text value for an integer column is converted */
    hsql_value_t tv = {.kind = HSQL_VAL_TEXT, .s = "-7", .len = 2};
    hsql_col_t lc = {.type = HSQL_TYPE_LONG};
    n = hsql_encode_binary_row(buf, &lc, &tv, 1);
    const uint8_t wl[] = {0x00, 0x00, 0xf9, 0xff, 0xff, 0xff};
    assert_memory_equal(buf, wl, sizeof wl);
    assert_int_equal(n, sizeof wl);
}

static size_t build_execute(uint8_t *p)
{
    uint8_t *q = p;
    *q++ = HSQL_COM_STMT_EXECUTE;
    uint32_t id = 9;
    memcpy(q, &id, 4);
    q += 4;
    *q++ = 0;
    uint32_t it = 1;
    memcpy(q, &it, 4);
    q += 4;
    *q++ = 0x04; /* param 2 is NULL */
    *q++ = 1;    /* new types */
    const uint8_t types[] = {HSQL_TYPE_LONGLONG, 0, HSQL_TYPE_VAR_STRING, 0, HSQL_TYPE_NULL, 0,
                             HSQL_TYPE_DATETIME, 0, HSQL_TYPE_TINY, 0x80, HSQL_TYPE_DOUBLE, 0};
    memcpy(q, types, sizeof types);
    q += sizeof types;
    int64_t v = -5;
    memcpy(q, &v, 8);
    q += 8;
    q = hsql_put_lenenc_str(q, "O'Brien", 7);
    const uint8_t dt[] = {7, 0xe8, 0x07, 12, 31, 23, 59, 58};
    memcpy(q, dt, sizeof dt);
    q += sizeof dt;
    *q++ = 200;
    double d = 1.5;
    memcpy(q, &d, 8);
    q += 8;
    return (size_t)(q - p);
}

static void execute_params(void **state)
{
    uint8_t buf[128];
    size_t n = build_execute(buf);
    hsql_exec_head_t eh;
    assert_int_equal(hsql_decode_exec_head(buf, n, &eh), BASE_OK);
    assert_int_equal(eh.stmt_id, 9);
    uint8_t types[12] = {0};
    bool bound = false;
    char scratch[6 * HSQL_PARAM_SCRATCH];
    hsql_param_t ps[6];
    const char *why = NULL;
    assert_int_equal(hsql_decode_exec_params(&eh.params, 6, types, &bound, NULL, scratch, ps, &why),
                     BASE_OK);
    assert_true(bound);
    assert_int_equal(ps[0].kind, HSQL_VAL_INT);
    assert_int_equal(ps[0].i, -5);
    assert_int_equal(ps[1].kind, HSQL_VAL_TEXT);
    assert_int_equal(ps[1].len, 7);
    assert_memory_equal(ps[1].s, "O'Brien", 7);
    assert_int_equal(ps[2].kind, HSQL_VAL_NULL);
    assert_int_equal(ps[3].kind, HSQL_VAL_TEXT);
    assert_int_equal(ps[3].len, 19);
    assert_memory_equal(ps[3].s, "2024-12-31 23:59:58", 19);
    assert_int_equal(ps[4].kind, HSQL_VAL_INT);
    assert_int_equal(ps[4].i, 200); /* unsigned TINY */
    assert_int_equal(ps[5].kind, HSQL_VAL_DOUBLE);
    assert_true(ps[5].d == 1.5);
    /* Long data replaces param 1's value; the packet then omits it. */
    /* Truncated at every byte: an error (or OK only for the full packet), never a crash. */
    for (size_t cut = 0; cut < n; cut++) {
        uint8_t *t = dup_exact(buf, cut);
        bool b2 = false;
        uint8_t ty[12];
        int rc = hsql_decode_exec_head(t, cut, &eh);
        if (rc == BASE_OK)
            rc = hsql_decode_exec_params(&eh.params, 6, ty, &b2, NULL, scratch, ps, &why);
        assert_int_equal(rc, BASE_ERROR);
        free(t);
    }
    /* A second execute without new types reuses the bound ones. */
    uint8_t again[64], *q = again;
    memcpy(q, buf, 10);
    q += 10;
    *q++ = 0x3f; /* all six NULL */
    *q++ = 0;
    assert_int_equal(hsql_decode_exec_head(again, (size_t)(q - again), &eh), BASE_OK);
    assert_int_equal(hsql_decode_exec_params(&eh.params, 6, types, &bound, NULL, scratch, ps, &why),
                     BASE_OK);
    for (int i = 0; i < 6; i++)
        assert_int_equal(ps[i].kind, HSQL_VAL_NULL);
    bool unbound = false;
    assert_int_equal(hsql_decode_exec_head(again, (size_t)(q - again), &eh), BASE_OK);
    assert_int_equal(hsql_decode_exec_params(&eh.params, 6, types, &unbound, NULL, scratch, ps, &why),
                     BASE_ERROR);
}

static void scrambles(void **state)
{
    uint8_t nonce[HSQL_SCRAMBLE_LEN];
    for (int i = 0; i < HSQL_SCRAMBLE_LEN; i++)
        nonce[i] = (uint8_t)(i + 1);
    const uint8_t native[20] = {0xb3, 0x2b, 0xb3, 0xa5, 0x83, 0xe1, 0x34, 0x0c, 0x0a, 0x11,
                                0x08, 0xd5, 0x8b, 0x1b, 0xe4, 0x97, 0x81, 0xad, 0x8c, 0x2f};
    uint8_t out[32];
    hsql_auth_native_scramble(nonce, "secret", out);
    assert_memory_equal(out, native, 20);
    assert_true(hsql_auth_native_ok(nonce, "secret", (base_span_t){(const char *)native, 20}));
    assert_false(hsql_auth_native_ok(nonce, "Secret", (base_span_t){(const char *)native, 20}));
    assert_false(hsql_auth_native_ok(nonce, "secret", (base_span_t){(const char *)native, 19}));
    assert_true(hsql_auth_native_ok(nonce, "", (base_span_t){"", 0}));
    assert_false(hsql_auth_native_ok(nonce, "secret", (base_span_t){"", 0}));
    const uint8_t sha2[32] = {0x74, 0x6e, 0xbe, 0x20, 0x5d, 0x56, 0xa0, 0x70, 0x7a, 0xcb, 0x3e,
                              0x79, 0x6e, 0x83, 0x4e, 0x0d, 0xd7, 0xb1, 0xd6, 0x17, 0x43, 0xb2,
                              0x6b, 0xd5, 0x20, 0x2c, 0x7a, 0x62, 0x32, 0x30, 0xc7, 0xc9};
    hsql_auth_sha2_scramble(nonce, "secret", out);
    assert_memory_equal(out, sha2, 32);
    assert_true(hsql_auth_sha2_ok(nonce, "secret", (base_span_t){(const char *)sha2, 32}));
    assert_false(hsql_auth_sha2_ok(nonce, "other", (base_span_t){(const char *)sha2, 32}));
}

static void misc_encoders(void **state)
{
    uint8_t buf[128];
    assert_int_equal(hsql_encode_prepare_ok(buf, 1, 2, 3, 0), 12);
    const uint8_t pok[] = {0, 1, 0, 0, 0, 2, 0, 3, 0, 0, 0, 0};
    assert_memory_equal(buf, pok, 12);
    uint8_t scr[20];
    memset(scr, 'a', 20);
    size_t n = hsql_encode_auth_switch(buf, "mysql_native_password", scr, 20);
    assert_int_equal(n, 1 + 22 + 20 + 1);
    assert_int_equal(buf[0], 0xfe);
    assert_string_equal((const char *)buf + 1, "mysql_native_password");
    uint8_t hdr[4];
    hsql_frame_header(hdr, 0x123456, 7);
    const uint8_t wh[] = {0x56, 0x34, 0x12, 7};
    assert_memory_equal(hdr, wh, 4);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(lenenc_roundtrip),    cmocka_unit_test(scan_split_everywhere),
        cmocka_unit_test(scan_limit_and_order), cmocka_unit_test(continuation_frames),
        cmocka_unit_test(handshake_response),  cmocka_unit_test(greeting),
        cmocka_unit_test(ok_err_eof),          cmocka_unit_test(coldef_and_rows),
        cmocka_unit_test(execute_params),      cmocka_unit_test(scrambles),
        cmocka_unit_test(misc_encoders),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
