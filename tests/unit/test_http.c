/* test_http.c - route matching, query parsing, error table, envelopes. */
#include "config.h"

#include <string.h>

#include "../common/check_main.h"
#include "api/dialects.h"
#include "http/errors.h"
#include "http/request.h"
#include "json/json.h"
#include "http/router.h"

static int h_dummy(struct request *r) { (void)r; return 0; }

static const struct route table[] = {
	{ "GET",    "/api/customers/",               h_dummy, 0, NULL },
	{ "POST",   "/api/customers/",               h_dummy, R_BODY, NULL },
	{ "GET",    "/api/customers/{id}/",          h_dummy, 0, NULL },
	{ "DELETE", "/api/customers/{id}/",          h_dummy, 0, NULL },
	{ "POST",   "/api/subscriptions/{id}/suspend/", h_dummy, 0, NULL },
	{ "GET",    "/v1/routers/{rid}/ppp/{name}",  h_dummy, 0, NULL },
};
#define N (sizeof(table) / sizeof(table[0]))

START_TEST(match_static_and_params)
{
	struct request req;
	const struct route *rt = NULL;
	char allow[64];

	req_init(&req);
	ck_assert_int_eq(router_match(&req, table, N, "GET", "/api/customers/", &rt,
	    allow, sizeof(allow)), MATCH_OK);
	ck_assert_ptr_eq(rt, &table[0]);
	ck_assert_int_eq(router_match(&req, table, N, "GET", "/api/customers/17/", &rt,
	    allow, sizeof(allow)), MATCH_OK);
	ck_assert_ptr_eq(rt, &table[2]);
	ck_assert_str_eq(req_path_param(&req, "id"), "17");
	ck_assert_int_eq(router_match(&req, table, N, "GET", "/v1/routers/5/ppp/alice", &rt,
	    allow, sizeof(allow)), MATCH_OK);
	ck_assert_str_eq(req_path_param(&req, "rid"), "5");
	ck_assert_str_eq(req_path_param(&req, "name"), "alice");
	ck_assert_ptr_null(req_path_param(&req, "id"));
	req_free(&req);
}
END_TEST

START_TEST(trailing_slash_is_optional)
{
	struct request req;
	const struct route *rt = NULL;

	req_init(&req);
	ck_assert_int_eq(router_match(&req, table, N, "GET", "/api/customers", &rt, NULL, 0),
	    MATCH_OK);
	ck_assert_int_eq(router_match(&req, table, N, "GET", "/v1/routers/5/ppp/alice/", &rt,
	    NULL, 0), MATCH_OK);
	req_free(&req);
}
END_TEST

START_TEST(no_match_and_wrong_method)
{
	struct request req;
	const struct route *rt = NULL;
	char allow[64];

	req_init(&req);
	ck_assert_int_eq(router_match(&req, table, N, "GET", "/api/customer/", &rt,
	    allow, sizeof(allow)), MATCH_NONE);
	ck_assert_int_eq(router_match(&req, table, N, "GET", "/api/customers/1/x/", &rt,
	    allow, sizeof(allow)), MATCH_NONE);
	ck_assert_int_eq(router_match(&req, table, N, "GET", "/api/customers//", &rt,
	    allow, sizeof(allow)), MATCH_NONE);
	ck_assert_int_eq(router_match(&req, table, N, "PUT", "/api/customers/9/", &rt,
	    allow, sizeof(allow)), MATCH_NO_METHOD);
	ck_assert_str_eq(allow, "GET, HEAD, DELETE, OPTIONS");
	ck_assert_int_eq(router_match(&req, table, N, "GET", "/api/subscriptions/3/suspend/",
	    &rt, allow, sizeof(allow)), MATCH_NO_METHOD);
	ck_assert_str_eq(allow, "POST, OPTIONS");
	ck_assert_int_eq(router_match(&req, table, N, "HEAD", "/api/customers/", &rt,
	    allow, sizeof(allow)), MATCH_OK);
	req_free(&req);
}
END_TEST

START_TEST(query_decoding)
{
	struct request req;
	long long n = 0;

	req_init(&req);
	req.query = "search=john+doe&page=2&x=%41%2x&empty=&flag&page_size=500";
	ck_assert_str_eq(req_query(&req, "search"), "john doe");
	ck_assert_str_eq(req_query(&req, "x"), "A%2x");
	ck_assert_str_eq(req_query(&req, "empty"), "");
	ck_assert_str_eq(req_query(&req, "flag"), "");
	ck_assert_ptr_null(req_query(&req, "missing"));
	ck_assert_int_eq(req_query_int(&req, "page", 1, 1, 1000, &n), 0);
	ck_assert_int_eq(n, 2);
	ck_assert_int_eq(req_query_int(&req, "missing", 20, 1, 100, &n), 0);
	ck_assert_int_eq(n, 20);
	ck_assert_int_eq(req_query_int(&req, "page_size", 20, 1, 100, &n), -1);
	ck_assert_int_eq(req.errs.n, 1);
	ck_assert_str_eq(req.errs.e[0].field, "page_size");
	ck_assert_int_eq(req_query_int(&req, "search", 1, 1, 5, &n), -1);
	req.query = "a=%201&b=+2&c=x%00y";
	ck_assert_int_eq(req_query_int(&req, "a", 1, 0, 5, &n), -1);
	ck_assert_int_eq(req_query_int(&req, "b", 1, 0, 5, &n), -1);
	ck_assert_str_eq(req_query(&req, "c"), "x%00y");
	req_free(&req);
}
END_TEST

START_TEST(error_table)
{
	ck_assert_int_eq(err_status(ERR_NOT_FOUND), 404);
	ck_assert_str_eq(err_code(ERR_NOT_FOUND), "NOT_FOUND");
	ck_assert_int_eq(err_status(ERR_METHOD_NOT_ALLOWED), 405);
	ck_assert_int_eq(err_status(ERR_UNSUPPORTED_MEDIA_TYPE), 415);
	ck_assert_str_eq(err_code(ERR_PARSE), "PARSE_ERROR");
	ck_assert_int_eq(err_status(ERR_PAYLOAD_TOO_LARGE), 413);
	ck_assert_str_eq(http_reason(405), "Method Not Allowed");
}
END_TEST

static const char *
body(struct request *req)
{
	const unsigned char *b;
	size_t n;

	yajl_gen_get_buf(req->gen, &b, &n);
	return (const char *)b;
}

START_TEST(envelopes)
{
	struct request req;
	yajl_gen g;

	req_init(&req);
	req.dialect = dialect_find("native");
	ck_assert_ptr_nonnull(req.dialect);
	req_field_error(&req, "email", "This field is required.");
	req_field_error(&req, "email", "Enter a valid email.");
	req_field_error(&req, "name", "Too long.");
	reply_error(&req, ERR_VALIDATION, "Invalid input.");
	ck_assert_int_eq(req.status, 400);
	ck_assert_ptr_nonnull(strstr(body(&req), "\"errors\":{\"email\":[\"This field is required.\","
	    "\"Enter a valid email.\"],\"name\":[\"Too long.\"]},\"error_code\":\"VALIDATION_ERROR\"}"));
	ck_assert_ptr_nonnull(strstr(body(&req), "{\"success\":false,\"message\":\"Invalid input.\",\"data\":null,"));
	req_reset(&req);

	req.dialect = dialect_find("bitwave");
	g = reply_begin(&req, 200, "ignored");
	jw_obj(g);
	jw_kint(g, "id", 1);
	jw_obj_end(g);
	reply_end(&req, NULL);
	ck_assert_str_eq(body(&req), "{\"id\":1}");
	req_reset(&req);

	req.dialect = dialect_find("bitwave");
	{
		/* a route that takes a body: FastAPI says the field came from it */
		static const struct route posted = { "POST", "/x", NULL, R_BODY, NULL, NULL };

		req.route = &posted;
	}
	req_field_error(&req, "phone", "field required");
	reply_error(&req, ERR_VALIDATION, "bad");
	ck_assert_int_eq(req.status, 422);
	ck_assert_str_eq(body(&req), "{\"detail\":[{\"loc\":[\"body\",\"phone\"],"
	    "\"msg\":\"field required\",\"type\":\"value_error\"}]}");
	req_reset(&req);

	req.dialect = dialect_find("ktl");
	reply_error(&req, ERR_FORBIDDEN, NULL);
	ck_assert_str_eq(body(&req), "{\"success\":false,\"status\":403,\"message\":"
	    "\"You do not have permission to perform this action.\",\"error\":[]}");
	req_reset(&req);

	req.dialect = dialect_find("mikrobill");
	g = reply_begin(&req, 200, NULL);
	jw_arr(g);
	jw_arr_end(g);
	{
		struct page pg = { 100, 0, 0, 10, 0 };
		reply_end(&req, &pg);
	}
	ck_assert_str_eq(body(&req), "{\"success\":true,\"data\":[],\"metadata\":"
	    "{\"total\":100,\"limit\":10,\"offset\":0},\"error\":null}");
	ck_assert_ptr_null(dialect_find("nope"));
	req_free(&req);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("http");
	TCase *t = tcase_create("core");

	tcase_add_test(t, match_static_and_params);
	tcase_add_test(t, trailing_slash_is_optional);
	tcase_add_test(t, no_match_and_wrong_method);
	tcase_add_test(t, query_decoding);
	tcase_add_test(t, error_table);
	tcase_add_test(t, envelopes);
	suite_add_tcase(s, t);
	return s;
}

CHECK_MAIN("unit/http", suite)
