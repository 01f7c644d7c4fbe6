/* fuzz_sql_packet.c — libFuzzer target for the HarvSQL packet codec (src/sql/proto_codec.c).
 * The input is a client byte stream: it is framed with hsql_packet_scan/join (16 MiB
 * continuation frames included), and every packet goes through each decoder a server applies
 * (HandshakeResponse41, COM_CHANGE_USER, COM_STMT_EXECUTE with 0..8 parameters, long data),
 * then decoded parameter texts are re-encoded as binary row values (date/time parsing). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto_codec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void one_packet(const uint8_t *p, size_t n)
{
    hsql_handshake_resp_t hr;
    const char *why;
    if (hsql_decode_handshake_resp(p, n, &hr, &why) == BASE_OK)
        hsql_auth_native_ok((const uint8_t *)"01234567890123456789", "pw", hr.auth);
    hsql_change_user_t cu;
    hsql_decode_change_user(p, n, HSQL_SERVER_CAPS, &cu, &why);
    hsql_decode_change_user(p, n, 0, &cu, &why);
    hsql_exec_head_t eh;
    if (hsql_decode_exec_head(p, n, &eh) == BASE_OK) {
        unsigned np = n ? p[0] % 9 : 0;
        uint8_t types[16] = {0};
        bool bound = false;
        char scratch[8 * HSQL_PARAM_SCRATCH];
        hsql_param_t ps[8];
        base_span_t longs[8] = {{0}};
        longs[1] = (base_span_t){"long", 4};
        if (hsql_decode_exec_params(&eh.params, np, types, &bound, (n & 1) ? longs : NULL,
                                    scratch, ps, &why) == BASE_OK) {
            hsql_value_t vals[8];
            hsql_col_t cols[8];
            static const uint8_t ctypes[] = {HSQL_TYPE_LONGLONG, HSQL_TYPE_DATETIME,
                                             HSQL_TYPE_TIME,     HSQL_TYPE_DOUBLE,
                                             HSQL_TYPE_TINY,     HSQL_TYPE_VAR_STRING,
                                             HSQL_TYPE_DATE,     HSQL_TYPE_FLOAT};
            for (unsigned i = 0; i < np; i++) {
                memset(&cols[i], 0, sizeof cols[i]);
                cols[i].type = ctypes[(i + types[0]) % 8];
                vals[i] = (hsql_value_t){.kind = ps[i].kind, .i = ps[i].i, .u = ps[i].u,
                                         .d = ps[i].d, .s = ps[i].s, .len = ps[i].len};
            }
            size_t sz = hsql_binary_row_size(cols, vals, np);
            uint8_t *out = malloc(sz ? sz : 1);
            size_t w = hsql_encode_binary_row(out, cols, vals, np);
            if (w > sz)
                abort();
            sz = hsql_text_row_size(vals, np);
            out = realloc(out, sz ? sz : 1);
            if (hsql_encode_text_row(out, vals, np) != sz)
                abort();
            free(out);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* The codec joins frames in place: work on a copy. */
    uint8_t *buf = malloc(size ? size : 1);
    memcpy(buf, data, size);
    size_t off = 0;
    while (off < size) {
        hsql_packet_info_t pi;
        long n = hsql_packet_scan(buf + off, size - off, 1u << 26, &pi);
        if (n <= 0)
            break;
        base_span_t pl = hsql_packet_join(buf + off, &pi);
        if ((size_t)n != pi.wire_len || pl.len != pi.payload_len)
            abort();
        one_packet((const uint8_t *)pl.p, pl.len);
        off += (size_t)n;
    }
    /* The raw input as one payload, too. */
    one_packet(data, size);
    free(buf);
    return 0;
}
