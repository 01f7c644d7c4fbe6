/* fuzz_php_fcgi.c — libFuzzer target for the FastCGI codec (src/http/fastcgi_codec.c): the
 * first byte picks what the rest is fed to — a record stream (as the client and the responder
 * read it), a PARAMS stream (each pair re-encoded must give the same bytes), or a CGI response
 * head. Any crash, ASan report or failed invariant is a finding. */
#include <harv/fastcgi.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void records(const uint8_t *p, size_t n)
{
    size_t off = 0;
    fcgi_record_t rec;
    for (;;) {
        int rc = fcgi_record_decode(p + off, n - off, &rec);
        if (rc <= 0)
            break;
        if ((size_t)rc > n - off || rec.content.len + 8 > (size_t)rc)
            abort();
        if (rec.content.len)
            (void)((volatile const char *)rec.content.p)[rec.content.len - 1];
        if (rec.type == FCGI_BEGIN_REQUEST) {
            uint16_t role;
            uint8_t flags;
            fcgi_begin_decode(rec.content, &role, &flags);
        } else if (rec.type == FCGI_END_REQUEST) {
            uint32_t app;
            uint8_t proto;
            fcgi_end_decode(rec.content, &app, &proto);
        }
        off += (size_t)rc;
    }
}

static void params(const uint8_t *p, size_t n)
{
    size_t pos = 0;
    base_span_t k, v;
    uint8_t *re = malloc(n + 16);
    while (fcgi_param_decode(p, n, &pos, &k, &v) == BASE_OK) {
        size_t need = fcgi_param_size(k.len, v.len);
        if (!need || need > n)
            abort();
        size_t w = fcgi_param_encode(re, n + 16, k.p, k.len, v.p, v.len);
        if (w != need)
            abort();
        /* short lengths may have been sent in the 4-byte form: compare the data only */
        if (memcmp(re + w - k.len - v.len, k.p, k.len) ||
            memcmp(re + w - v.len, v.p, v.len))
            abort();
    }
    if (pos > n)
        abort();
    free(re);
}

static void head(const uint8_t *p, size_t n)
{
    http_header_t hdrs[16];
    fcgi_cgi_head_t h = {.headers = hdrs, .max_headers = 16};
    int rc = fcgi_cgi_head_parse((const char *)p, n, &h);
    if (rc > 0) {
        if ((size_t)rc > n || h.nheaders > 16 || h.status < 100 || h.status > 999)
            abort();
        for (unsigned i = 0; i < h.nheaders; i++) {
            const char *s = (const char *)p;
            if (hdrs[i].name.p < s || hdrs[i].name.p + hdrs[i].name.len > s + rc ||
                hdrs[i].value.p < s || hdrs[i].value.p + hdrs[i].value.len > s + rc)
                abort();
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const uint8_t *p = data + 1;
    size_t n = size - 1;
    switch (data[0] % 3) {
    case 0: records(p, n); break;
    case 1: params(p, n); break;
    default: head(p, n); break;
    }
    return 0;
}
