/* server_class.c — the two pure helpers behind the inline-or-pool choice of server_cmd.c:
 * the class of a statement from its first keyword, and the hash of its shape (the text with
 * numbers and string literals left out). Layer: sql/protocol. Pure; unit-tested in
 * tests/unit/sql_proto/test_class.c. */
#include "server_int.h"

#include <string.h>
#include <strings.h>

static bool kw(const char *p, size_t n, const char *word)
{
    size_t wl = strlen(word);
    if (n < wl || strncasecmp(p, word, wl) != 0)
        return false;
    if (n == wl)
        return true;
    char ch = (char)(p[wl] | 0x20);
    return !(ch >= 'a' && ch <= 'z') && p[wl] != '_';
}

/* The class of a statement from its first keyword. Conservative: anything unusual is WRITE,
 * which never runs inline and marks the transaction as holding writes. */
int hsql_stmt_class(const char *s, size_t n)
{
    size_t i = 0;
    for (;;) {
        while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r' ||
                         s[i] == '('))
            i++;
        if (i + 1 < n && s[i] == '/' && s[i + 1] == '*' && !(i + 2 < n && s[i + 2] == '!')) {
            const char *e = memmem(s + i + 2, n - i - 2, "*/", 2);
            if (!e)
                return HSQL_CLS_WRITE;
            i = (size_t)(e - s) + 2;
            continue;
        }
        break;
    }
    /* More than one statement: take no chances. */
    const char *semi = memchr(s + i, ';', n - i);
    if (semi) {
        for (const char *q = semi + 1; q < s + n; q++)
            if (*q != ' ' && *q != '\t' && *q != '\n' && *q != '\r' && *q != ';')
                return HSQL_CLS_WRITE;
    }
    const char *p = s + i;
    size_t m = n - i;
    if (kw(p, m, "SELECT") || kw(p, m, "SHOW") || kw(p, m, "DESCRIBE") || kw(p, m, "DESC") ||
        kw(p, m, "EXPLAIN"))
        return HSQL_CLS_READ;
    if (kw(p, m, "BEGIN") || kw(p, m, "START"))
        return HSQL_CLS_BEGIN;
    if (kw(p, m, "COMMIT") || kw(p, m, "ROLLBACK") || kw(p, m, "SET"))
        return HSQL_CLS_END;
    return HSQL_CLS_WRITE;
}

/* FNV-1a of the text with numbers and string literal contents left out. */
uint64_t hsql_shape_hash(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch >= '0' && ch <= '9') {
            while (i + 1 < n && ((s[i + 1] >= '0' && s[i + 1] <= '9') || s[i + 1] == '.'))
                i++;
            ch = '?';
        } else if (ch == '\'' || ch == '"') {
            char q = (char)ch;
            i++;
            while (i < n && s[i] != q) {
                if (s[i] == '\\')
                    i++;
                i++;
            }
            ch = '?';
        } else if (ch >= 'A' && ch <= 'Z') {
            ch |= 0x20;
        }
        h = (h ^ ch) * 1099511628211ull;
    }
    return h;
}


/* Skips a quoted string, identifier or comment starting at s[i]; returns the index after it,
 * or i when s[i] starts none of them. */
static size_t skip_lexeme(const char *s, size_t n, size_t i)
{
    char ch = s[i];
    if (ch == '\'' || ch == '"' || ch == '`') {
        size_t j = i + 1;
        while (j < n && s[j] != ch) {
            if (s[j] == '\\' && ch != '`')
                j++;
            j++;
        }
        return j < n ? j + 1 : n; /* a doubled quote re-enters on the next call */
    }
    if (ch == '#' || (ch == '-' && i + 2 < n && s[i + 1] == '-' &&
                      (s[i + 2] == ' ' || s[i + 2] == '\t' || s[i + 2] == '\n' || s[i + 2] == '\r'))) {
        const char *nl = memchr(s + i, '\n', n - i);
        return nl ? (size_t)(nl - s) + 1 : n;
    }
    if (ch == '-' && i + 2 == n && s[i + 1] == '-')
        return n;
    if (ch == '/' && i + 1 < n && s[i + 1] == '*') {
        const char *e = i + 2 < n ? memmem(s + i + 2, n - i - 2, "*/", 2) : NULL;
        return e ? (size_t)(e - s) + 2 : n;
    }
    return i;
}

bool hsql_second_stmt(const char *s, size_t n, size_t *at)
{
    /* No ';' anywhere (nearly every statement): no second one. Saves a full scan per query. */
    if (!memchr(s, ';', n))
        return false;
    bool after_semi = false;
    for (size_t i = 0; i < n;) {
        size_t j = skip_lexeme(s, n, i);
        bool comment = j != i && (s[i] == '#' || s[i] == '-' || s[i] == '/');
        if (j != i) {
            if (after_semi && !comment) {
                *at = i;
                return true;
            }
            i = j;
            continue;
        }
        char ch = s[i];
        if (ch == ';') {
            after_semi = true;
        } else if (!(ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\f' ||
                     ch == '\v')) {
            if (after_semi) {
                *at = i;
                return true;
            }
        }
        i++;
    }
    return false;
}
