/* test_collate.c — the HCI collation (utf8mb4_unicode_520_ci at the primary level, from the
 * generated weight table) and MySQL LIKE: expansions, ignorables, PAD SPACE, MySQL's order of
 * punctuation, digits and letters, implicit weights of CJK and supplementary code points, and
 * common prefixes that end inside a multi-byte character. Expected values are MariaDB's. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sql_int.h"

static int cmp(const char *a, const char *b)
{
    return hsql_ci_compare(a, (int)strlen(a), b, (int)strlen(b));
}

static bool like(const char *s, const char *p)
{
    return hsql_like_match(p, strlen(p), s, strlen(s), '\\');
}

static void test_equal(void **state)
{
    (void)state;
    assert_int_equal(cmp("Café", "CAFE"), 0);
    assert_int_equal(cmp("résumé", "Resume"), 0);
    assert_int_equal(cmp("abc", "abc   "), 0);           /* PAD SPACE */
    assert_int_equal(cmp("Straße", "STRASSE"), 0);       /* ß expands to ss */
    assert_int_equal(cmp("Æsir", "aesir"), 0);           /* Æ expands to AE */
    assert_int_equal(cmp("e\xcc\x81", "\xc3\xa9"), 0);    /* e + combining acute = é */
    assert_int_equal(cmp("\xce\x91\xce\xb8", "\xce\xb1\xce\x98"), 0); /* Greek case */
    assert_int_equal(cmp("\xd0\x81", "\xd0\x95"), 0);    /* Cyrillic Ё = Е */
    assert_int_equal(cmp("", "   "), 0);
    assert_int_equal(cmp("\xf0\x9d\x90\x80", "a"), 0);  /* U+1D400 MATHEMATICAL BOLD CAPITAL A */
}

static void test_order(void **state)
{
    (void)state;
    /* punctuation < digits < letters, unlike byte order */
    assert_true(cmp("_transient", "1abc") < 0);
    assert_true(cmp("-x", "_x") > 0);
    assert_true(cmp("9", "a") < 0);
    assert_true(cmp("Zulu", "zebra") > 0);
    assert_true(cmp("apple", "Äpfel") > 0);
    assert_true(cmp("a\t", "a") < 0);                    /* a tab weighs less than a space */
    assert_true(cmp("abc", "abcd") < 0);
    assert_true(cmp("ß", "st") < 0);
    assert_true(cmp("\xc3\xa9", "\xc3\xa8z") < 0);       /* é vs èz: prefix ends mid-character */
    assert_true(cmp("\xe4\xb8\x80", "\xe4\xb8\x81") < 0); /* CJK implicit weights */
    assert_true(cmp("z", "\xe4\xb8\x80") < 0);
    assert_true(cmp("\xf0\x9f\x98\x80", "\xe4\xb8\x80") > 0); /* U+1F600 after CJK */
}

static void test_like(void **state)
{
    (void)state;
    assert_true(like("Café", "cafe"));
    assert_true(like("Café", "CAF_"));
    assert_true(like("_transient_x", "\\_transient\\_%"));
    assert_false(like("xtransient_x", "\\_transient\\_%"));
    assert_false(like("ß", "ss"));   /* LIKE compares character by character */
    assert_true(like("Straße", "STRA_E"));
    assert_true(like("æ", "Æ"));
    assert_false(like("abc ", "abc")); /* no padding in LIKE */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_equal),
        cmocka_unit_test(test_order),
        cmocka_unit_test(test_like),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
