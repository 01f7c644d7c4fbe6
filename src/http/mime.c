/* http/mime.c — the MIME allowlist: only files whose extension is listed are served; all
 * else is 403. Source files of server-side languages (.php, .phtml, .py, .sh, ...) are
 * deliberately absent. Layer: http (pure). */
#include <harv/http.h>

#include <string.h>
#include <strings.h>

static const struct {
    const char *ext;
    const char *type;
} mime_table[] = {
    {"html", "text/html; charset=utf-8"},  {"htm", "text/html; charset=utf-8"},
    {"css", "text/css; charset=utf-8"},    {"js", "text/javascript; charset=utf-8"},
    {"mjs", "text/javascript; charset=utf-8"},
    {"json", "application/json"},          {"map", "application/json"},
    {"txt", "text/plain; charset=utf-8"},  {"md", "text/markdown; charset=utf-8"},
    {"xml", "application/xml"},            {"csv", "text/csv; charset=utf-8"},
    {"svg", "image/svg+xml"},              {"png", "image/png"},
    {"jpg", "image/jpeg"},                 {"jpeg", "image/jpeg"},
    {"gif", "image/gif"},                  {"webp", "image/webp"},
    {"avif", "image/avif"},                {"ico", "image/vnd.microsoft.icon"},
    {"bmp", "image/bmp"},                  {"woff", "font/woff"},
    {"woff2", "font/woff2"},               {"ttf", "font/ttf"},
    {"otf", "font/otf"},                   {"pdf", "application/pdf"},
    {"wasm", "application/wasm"},          {"mp4", "video/mp4"},
    {"webm", "video/webm"},                {"mp3", "audio/mpeg"},
    {"ogg", "audio/ogg"},                  {"wav", "audio/wav"},
    {"zip", "application/zip"},            {"gz", "application/gzip"},
    {"tar", "application/x-tar"},          {"bin", "application/octet-stream"},
    {"webmanifest", "application/manifest+json"},
};

const char *http_mime_type(const char *name, size_t len)
{
    size_t dot = len;
    while (dot > 0 && name[dot - 1] != '.' && name[dot - 1] != '/')
        dot--;
    if (dot == 0 || name[dot - 1] != '.')
        return NULL; /* no extension: not on the list */
    const char *ext = name + dot;
    size_t elen = len - dot;
    for (size_t i = 0; i < BASE_ARRAY_LEN(mime_table); i++)
        if (strlen(mime_table[i].ext) == elen && !strncasecmp(ext, mime_table[i].ext, elen))
            return mime_table[i].type;
    return NULL;
}
