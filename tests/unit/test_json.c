/* test_json.c - the yajl layer: writing, money, depth limit, typed getters. */
#include "config.h"

#include <string.h>

#include "../common/check_main.h"
#include "json/json.h"

static const char *
gen_text(yajl_gen g)
{
	const unsigned char *b;
	size_t n;

	yajl_gen_get_buf(g, &b, &n);
	return (const char *)b;
}

START_TEST(write_values)
{
	yajl_gen g = yajl_gen_alloc(NULL);

	jw_obj(g);
	jw_kstr(g, "s", "a\"b");
	jw_kstr(g, "n", NULL);
	jw_kint(g, "i", -42);
	jw_kbool(g, "t", 1);
	jw_kdouble(g, "revenue", 730.0);
	jw_kmoney(g, "price", 150050);
	jw_kmoney(g, "neg", -5);
	jw_key(g, "at");
	jw_dbtime(g, "2024-01-02 03:04:05.123456");
	jw_obj_end(g);
	ck_assert_str_eq(gen_text(g), "{\"s\":\"a\\\"b\",\"n\":null,\"i\":-42,\"t\":true,"
	    "\"revenue\":730.0,\"price\":1500.50,\"neg\":-0.05,\"at\":\"2024-01-02T03:04:05Z\"}");
	yajl_gen_free(g);
}
END_TEST

START_TEST(depth_counts_outside_strings)
{
	ck_assert_int_eq(json_depth("{}", 2), 1);
	ck_assert_int_eq(json_depth("{\"a\":[[1]]}", 11), 3);
	ck_assert_int_eq(json_depth("{\"a\":\"[[[[\"}", 12), 1);
	ck_assert_int_eq(json_depth("{\"a\":\"\\\"[[\"}", 13), 1);
	ck_assert_int_eq(json_depth("]", 1), -1);
}
END_TEST

START_TEST(parse_limits_depth)
{
	char text[200], err[200];
	yajl_val v;

	/* 32 levels parse, 33 do not */
	memset(text, '[', 32);
	memset(text + 32, ']', 32);
	text[64] = '\0';
	v = json_parse(text, strlen(text), JSON_MAX_DEPTH, err, sizeof(err));
	ck_assert_ptr_nonnull(v);
	yajl_tree_free(v);
	memset(text, '[', 33);
	memset(text + 33, ']', 33);
	text[66] = '\0';
	ck_assert_ptr_null(json_parse(text, strlen(text), JSON_MAX_DEPTH, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "32"));
}
END_TEST

START_TEST(parse_errors)
{
	char err[200];
	const char nul[] = "{\"a\":\"x\0y\"}";

	ck_assert_ptr_null(json_parse("{\"a\":", 5, 32, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "invalid JSON"));
	ck_assert_ptr_null(json_parse(nul, sizeof(nul) - 1, 32, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "NUL"));
}
END_TEST

START_TEST(typed_getters)
{
	char err[100];
	const char *text = "{\"name\":\"x\",\"n\":5,\"big\":99999999999,\"b\":true,\"z\":null}";
	yajl_val v = json_parse(text, strlen(text), 32, err, sizeof(err));
	const char *s;
	long long n;
	int b;

	ck_assert_ptr_nonnull(v);
	ck_assert_int_eq(json_get_str(v, "name", &s), JSON_OK);
	ck_assert_str_eq(s, "x");
	ck_assert_int_eq(json_get_str(v, "n", &s), JSON_WRONG_TYPE);
	ck_assert_int_eq(json_get_str(v, "none", &s), JSON_MISSING);
	ck_assert_int_eq(json_get_str(v, "z", &s), JSON_NULL);
	ck_assert_int_eq(json_get_int(v, "n", 1, 10, &n), JSON_OK);
	ck_assert_int_eq(n, 5);
	ck_assert_int_eq(json_get_int(v, "n", 6, 10, &n), JSON_RANGE);
	ck_assert_int_eq(json_get_int(v, "big", 0, 99999999999LL, &n), JSON_OK);
	ck_assert_int_eq(n, 99999999999LL);
	ck_assert_int_eq(json_get_bool(v, "b", &b), JSON_OK);
	ck_assert_int_eq(b, 1);
	yajl_tree_free(v);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("json");
	TCase *t = tcase_create("core");

	tcase_add_test(t, write_values);
	tcase_add_test(t, depth_counts_outside_strings);
	tcase_add_test(t, parse_limits_depth);
	tcase_add_test(t, parse_errors);
	tcase_add_test(t, typed_getters);
	suite_add_tcase(s, t);
	return s;
}

CHECK_MAIN("unit/json", suite)
