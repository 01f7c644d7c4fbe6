/* Unit tests for base/mem.c and base/util.c: buffers grow to a cap, arenas, number parsing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include <harv/base.h>

static void buf_grows_to_limit(void **state)
{
    base_buf_t b;
    base_buf_init(&b);
    assert_int_equal(base_buf_reserve(&b, 10, 1000), BASE_OK);
    assert_true(b.cap >= 10 && b.cap <= 1000);
    b.len = 10;
    assert_int_equal(base_buf_reserve(&b, 990, 1000), BASE_OK);
    assert_int_equal(b.cap, 1000);
    b.len = 1000;
    assert_int_equal(base_buf_reserve(&b, 1, 1000), BASE_LIMIT);
    assert_int_equal(base_buf_reserve(&b, SIZE_MAX, SIZE_MAX), BASE_LIMIT); /* overflow */
    base_buf_fini(&b);
}

static void buf_append_and_format(void **state)
{
    base_buf_t b;
    base_buf_init(&b);
    base_buf_append(&b, "abc", 3);
    base_buf_appendf(&b, "-%d-%s", 42, "x");
    char big[600];
    memset(big, 'z', sizeof big - 1);
    big[sizeof big - 1] = 0;
    base_buf_appendf(&b, "%s", big);
    assert_int_equal(b.len, 3 + 5 + 599);
    assert_memory_equal(b.data, "abc-42-xzzz", 11);
    base_buf_fini(&b);
}

static void arena_alloc_reset(void **state)
{
    base_arena_t a;
    base_arena_init(&a, 128);
    char *p = base_arena_alloc(&a, 100);
    assert_int_equal((uintptr_t)p % 16, 0);
    char *q = base_arena_alloc(&a, 1000); /* larger than a chunk */
    memset(q, 1, 1000);
    assert_string_equal(base_arena_printf(&a, "%s=%d", "k", 7), "k=7");
    assert_string_equal(base_arena_strndup(&a, "hello", 4), "hell");
    base_arena_reset(&a);
    assert_non_null(base_arena_alloc(&a, 16));
    base_arena_fini(&a);
}

static void parse_numbers(void **state)
{
    uint64_t v;
    assert_int_equal(base_parse_u64(BASE_SPAN_LIT("12345"), UINT64_MAX, &v), BASE_OK);
    assert_int_equal(v, 12345);
    assert_int_equal(base_parse_u64(BASE_SPAN_LIT("18446744073709551615"), UINT64_MAX, &v),
                     BASE_OK);
    assert_int_equal(base_parse_u64(BASE_SPAN_LIT("18446744073709551616"), UINT64_MAX, &v),
                     BASE_ERROR);
    assert_int_equal(base_parse_u64(BASE_SPAN_LIT("101"), 100, &v), BASE_ERROR);
    assert_int_equal(base_parse_u64(BASE_SPAN_LIT(""), 100, &v), BASE_ERROR);
    assert_int_equal(base_parse_u64(BASE_SPAN_LIT("+1"), 100, &v), BASE_ERROR);
    assert_int_equal(base_parse_u64(BASE_SPAN_LIT("1 "), 100, &v), BASE_ERROR);
    assert_int_equal(base_parse_size("64k", &v), BASE_OK);
    assert_int_equal(v, 65536);
    assert_int_equal(base_parse_size("2M", &v), BASE_OK);
    assert_int_equal(v, 2 << 20);
    assert_int_equal(base_parse_size("2x", &v), BASE_ERROR);
    assert_true(base_span_eq_ci(BASE_SPAN_LIT("Content-Length"), "content-length"));
    assert_false(base_span_eq_ci(BASE_SPAN_LIT("Content-Lengt"), "content-length"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(buf_grows_to_limit),
        cmocka_unit_test(buf_append_and_format),
        cmocka_unit_test(arena_alloc_reset),
        cmocka_unit_test(parse_numbers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
