/* t_native_extras.c - what the panels need beyond 001's document: CORS on
 * every dialect's port (the harness allows two origins), the native
 * aliases the real 001 panel calls, and the generated OpenAPI schema with
 * its documentation pages. */
#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "itest.h"

#define PANEL "http://panel.example.test"
#define PANEL2 "https://admin.example.test:8443"

/* ---- CORS ---- */

/* an OPTIONS preflight or a plain request from origin (NULL: none) */
static struct resp *
from(int port, const char *method, const char *path, const char *origin, const char *preflight)
{
	char o[256], m[128];
	const char *hdrs[4] = { NULL, NULL, NULL, NULL };
	int n = 0;

	if (origin) {
		snprintf(o, sizeof(o), "Origin: %s", origin);
		hdrs[n++] = o;
	}
	if (preflight) {
		snprintf(m, sizeof(m), "Access-Control-Request-Method: %s", preflight);
		hdrs[n++] = m;
		hdrs[n++] = "Access-Control-Request-Headers: authorization,content-type,x-client-key";
	}
	return it_http(port, method, path, NULL, NULL, 0, hdrs);
}

/* the header's value is exactly want (NULL: the header is absent) */
static void
header_is(struct misses *ms, const char *what, const struct resp *r, const char *name,
    const char *want)
{
	char *v = it_header(r, name);

	if (want == NULL && v != NULL)
		miss(ms, "%s: %s: %s, expected none", what, name, v);
	else if (want && (v == NULL || strcmp(v, want) != 0))
		miss(ms, "%s: %s: %s, expected %s", what, name, v ? v : "(none)", want);
	free(v);
}

/* the header lists every one of the comma separated words in want */
static void
header_lists(struct misses *ms, const char *what, const struct resp *r, const char *name,
    const char *want)
{
	char *v = it_header(r, name), w[256];

	snprintf(w, sizeof(w), "%s", want);
	for (char *t = strtok(w, ", "); t; t = strtok(NULL, ", "))
		if (v == NULL || strstr(v, t) == NULL)
			miss(ms, "%s: %s: %s lacks %s", what, name, v ? v : "(none)", t);
	free(v);
}

START_TEST(cors_preflight_every_dialect)
{
	/* the native port with a known path, another dialect's port with
	 * whatever it routes: a preflight from an allowed origin is 204 */
	static const struct { int dport; const char *path, *method, *origin, *methods; } c[] = {
		{ 0, "/api/customers/", "POST", PANEL, "GET, HEAD, POST, OPTIONS" },
		{ 0, "/api/customers/12/", "PATCH", PANEL2, "GET, HEAD, PUT, PATCH, DELETE, OPTIONS" },
		{ 0, "/api/auth/login", "POST", PANEL, "POST, OPTIONS" },
		{ 1, "/api/customers", "GET", PANEL, "OPTIONS" },
		{ 1, "/api/auth/login", "POST", PANEL2, "OPTIONS" },
		{ 2, "/api/customers", "GET", PANEL, "OPTIONS" },
		{ 3, "/api/v1/users/", "GET", PANEL, "OPTIONS" },
		{ 4, "/v1/clients", "GET", PANEL, "OPTIONS" },
	};
	struct misses ms = { 0 };

	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct resp *r = from(it_port() + c[i].dport, "OPTIONS", c[i].path, c[i].origin,
		    c[i].method);
		char what[160];

		snprintf(what, sizeof(what), "preflight :%d %s", c[i].dport, c[i].path);
		if (r->status != 204)
			miss(&ms, "%s: HTTP %ld, expected 204: %.200s", what, r->status, r->body);
		header_is(&ms, what, r, "Access-Control-Allow-Origin", c[i].origin);
		header_is(&ms, what, r, "Vary", "Origin");
		header_is(&ms, what, r, "Access-Control-Max-Age", "7200");
		header_lists(&ms, what, r, "Access-Control-Allow-Headers",
		    "Authorization, Content-Type, X-Client-Key");
		header_lists(&ms, what, r, "Access-Control-Allow-Methods", c[i].methods);
		it_free(r);
	}
	/* the exact list of a known native path */
	{
		struct resp *r = from(0, "OPTIONS", "/api/customers/", PANEL, "POST");

		header_is(&ms, "native list", r, "Access-Control-Allow-Methods",
		    "GET, HEAD, POST, OPTIONS");
		it_free(r);
	}
	NO_MISSES(ms);
}
END_TEST

START_TEST(cors_only_for_listed_origins)
{
	struct misses ms = { 0 };
	struct resp *r;
	char *v;

	/* another origin, a look-alike, the right host on another scheme: no
	 * CORS header; the preflight is the plain OPTIONS answer */
	static const char *const bad[] = {
		"http://evil.example.test", "http://panel.example.test.evil.test",
		"https://panel.example.test", "https://admin.example.test", "null",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		r = from(0, "OPTIONS", "/api/customers/", bad[i], "POST");
		if (r->status != 200 || !it_str(r, "data/allow"))
			miss(&ms, "%s: HTTP %ld %.200s", bad[i], r->status, r->body);
		header_is(&ms, bad[i], r, "Access-Control-Allow-Origin", NULL);
		header_is(&ms, bad[i], r, "Access-Control-Allow-Methods", NULL);
		header_is(&ms, bad[i], r, "Vary", "Origin");
		it_free(r);
		r = from(it_port() + 1, "GET", "/api/customers", bad[i], NULL);
		header_is(&ms, bad[i], r, "Access-Control-Allow-Origin", NULL);
		it_free(r);
	}

	/* a non-CORS OPTIONS still lists the methods */
	r = from(0, "OPTIONS", "/api/auth/login/", NULL, NULL);
	if (r->status != 200 || !it_str(r, "data/allow") ||
	    strcmp(it_str(r, "data/allow"), "POST, OPTIONS"))
		miss(&ms, "plain OPTIONS: HTTP %ld %.200s", r->status, r->body);
	header_is(&ms, "plain OPTIONS", r, "Access-Control-Allow-Origin", NULL);
	it_free(r);
	/* OPTIONS with an allowed Origin but no requested method: not a preflight */
	r = from(0, "OPTIONS", "/api/auth/login/", PANEL, NULL);
	if (r->status != 200)
		miss(&ms, "OPTIONS without Access-Control-Request-Method: HTTP %ld", r->status);
	header_is(&ms, "OPTIONS, no method", r, "Access-Control-Allow-Origin", PANEL);
	it_free(r);

	/* every answer to an allowed origin carries it: success, 401, 404, on
	 * the native port and on bitwave's */
	static const struct { int dport; const char *path; long st; } ok[] = {
		{ 0, "/api/health/", 200 }, { 0, "/api/customers/", 401 }, { 0, "/api/nothing/", 404 },
		{ 1, "/api/nothing-here", 404 },
	};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		r = from(it_port() + ok[i].dport, "GET", ok[i].path, PANEL2, NULL);
		if (r->status != ok[i].st)
			miss(&ms, "GET %s: HTTP %ld, expected %ld", ok[i].path, r->status, ok[i].st);
		header_is(&ms, ok[i].path, r, "Access-Control-Allow-Origin", PANEL2);
		header_is(&ms, ok[i].path, r, "Vary", "Origin");
		header_lists(&ms, ok[i].path, r, "Access-Control-Expose-Headers", "X-Request-ID");
		it_free(r);
	}
	/* no Origin (curl, a server): Vary, nothing else */
	r = from(0, "GET", "/api/health/", NULL, NULL);
	header_is(&ms, "no Origin", r, "Access-Control-Allow-Origin", NULL);
	header_is(&ms, "no Origin", r, "Vary", "Origin");
	it_free(r);
	/* a value that is no origin stops the programs, naming the key */
	{
		static const char *const bad_conf[] = { "panel.example.test",
		    "https://panel.example.test/app", "ftp://panel.example.test", "https://" };
		char cmd[1024], out[1024];

		for (size_t i = 0; i < sizeof(bad_conf) / sizeof(bad_conf[0]); i++) {
			snprintf(cmd, sizeof(cmd), "ISPBILL_CORS_ORIGINS='http://ok.example.test, %s' "
			    "ISPBILL_CONFIG=%s/ispbill.conf %s/ispbill check-config 2>&1", bad_conf[i],
			    it_dir(), it_build());
			if (it_run(cmd, out, sizeof(out)) != 1 || !strstr(out, "cors_origins"))
				miss(&ms, "cors_origins=%s accepted: %.200s", bad_conf[i], out);
		}
		snprintf(cmd, sizeof(cmd), "ISPBILL_CORS_ORIGINS='*' ISPBILL_CONFIG=%s/ispbill.conf "
		    "%s/ispbill check-config 2>&1", it_dir(), it_build());
		if (it_run(cmd, out, sizeof(out)) != 0 || !strstr(out, "cors_origins = *"))
			miss(&ms, "cors_origins=* refused: %.200s", out);
	}
	/* the origin is echoed, never the list */
	r = from(0, "GET", "/api/health/", PANEL, NULL);
	v = it_header(r, "Access-Control-Allow-Origin");
	ck_assert_msg(v && !strcmp(v, PANEL), "%s", v ? v : "(none)");
	free(v);
	it_free(r);
	NO_MISSES(ms);
}
END_TEST

/* the panel's own calls: the answers carry CORS with a credential too */
START_TEST(cors_with_a_token)
{
	char auth[2048], o[128];
	const char *hdrs[3] = { auth, o, NULL };
	char *tok = it_login_admin(), *v;
	struct resp *r;

	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", tok);
	snprintf(o, sizeof(o), "Origin: %s", PANEL);
	r = it_http(0, "GET", "/api/customers/", NULL, NULL, 0, hdrs);
	EXPECT(r, 200);
	v = it_header(r, "Access-Control-Allow-Origin");
	ck_assert_msg(v && !strcmp(v, PANEL), "%s", v ? v : "(none)");
	free(v);
	it_free(r);
	free(tok);
}
END_TEST

/* ---- 001's aliases ---- */

START_TEST(login_answers_the_pair_and_user)
{
	char body[256];
	struct resp *r, *r2;

	snprintf(body, sizeof(body), "{\"username\":\"admin\",\"password\":\"%s\"}",
	    it_admin_password());
	r = it_post("/api/auth/login/", body);
	EXPECT(r, 200);
	ck_assert_ptr_nonnull(it_str(r, "data/access"));
	ck_assert_ptr_nonnull(it_str(r, "data/refresh"));
	ck_assert_str_eq(it_str(r, "data/access"), it_str(r, "data/tokens/access"));
	ck_assert_str_eq(it_str(r, "data/refresh"), it_str(r, "data/tokens/refresh"));
	ck_assert_str_eq(it_str(r, "data/user/username"), "admin");
	ck_assert_int_gt(it_int(r, "data/user/id"), 0);

	/* refresh at the panel's path, with {refresh} */
	snprintf(body, sizeof(body), "{\"refresh\":\"%s\"}", it_str(r, "data/refresh"));
	r2 = it_post("/api/auth/token/refresh/", body);
	EXPECT(r2, 200);
	ck_assert_ptr_nonnull(it_str(r2, "data/tokens/access"));
	ck_assert_str_eq(it_str(r2, "data/access"), it_str(r2, "data/tokens/access"));
	ck_assert_str_ne(it_str(r2, "data/refresh"), it_str(r, "data/refresh"));
	it_free(r2);
	/* rotated: the old one is spent (and its family revoked) */
	r2 = it_post("/api/auth/token/refresh", body);
	expect_error(r2, 401, "UNAUTHORIZED");
	it_free(r2);
	r2 = it_post("/api/auth/token/refresh/", "{}");
	EXPECT(r2, 400);
	ck_assert_msg(names_field(r2, "refresh"), "%s", r2->body);
	it_free(r2);
	it_free(r);
}
END_TEST

START_TEST(limit_is_page_size)
{
	char name[64], body[256];
	struct resp *r;

	begin();
	for (int i = 0; i < 3; i++) {
		snprintf(body, sizeof(body), "{\"name\":\"%s\"}", uniq(name, sizeof(name), "Lim"));
		made("/api/customers/", body);
	}
	r = api("GET", NULL, "/api/customers/?limit=2");
	EXPECT(r, 200);
	ck_assert_int_eq(it_int(r, "pagination/page_size"), 2);
	ck_assert_int_eq(it_int(r, "pagination/current_page"), 1);
	ck_assert_uint_eq(jlen(items(r)), 2);
	it_free(r);
	r = api("GET", NULL, "/api/customers/?limit=1&page=3");
	EXPECT(r, 200);
	ck_assert_int_eq(it_int(r, "pagination/page_size"), 1);
	ck_assert_int_eq(it_int(r, "pagination/current_page"), 3);
	ck_assert_int_eq(it_int(r, "pagination/previous_page"), 2);
	ck_assert_uint_eq(jlen(items(r)), 1);
	it_free(r);
	/* page_size wins when both are given; a bad limit is named */
	r = api("GET", NULL, "/api/customers/?limit=1&page_size=3");
	ck_assert_int_eq(it_int(r, "pagination/page_size"), 3);
	it_free(r);
	r = api("GET", NULL, "/api/customers/?limit=x");
	EXPECT(r, 400);
	ck_assert_msg(names_field(r, "limit"), "%s", r->body);
	it_free(r);
}
END_TEST

START_TEST(action_aliases)
{
	char name[64], body[512];
	long long cust, inv, p1, p2, plan, router, sub, user;
	struct resp *r;

	begin();
	/* routers: test_connection */
	router = router_rec("v6", 0);
	r = api("POST", NULL, "/api/network/routers/%lld/test_connection/", router);
	EXPECT(r, 200);
	ck_assert_str_eq(it_str(r, "data/identity"), "v6");
	it_free(r);

	/* payments under /api/billing/payments/, the same rows as 001's place */
	snprintf(body, sizeof(body), "{\"name\":\"%s\"}", uniq(name, sizeof(name), "Alias"));
	cust = made("/api/customers/", body);
	snprintf(body, sizeof(body), "{\"customer_id\":%lld,\"amount\":\"50.00\","
	    "\"payment_method\":\"cash\"}", cust);
	p1 = made("/api/billing/payments/", body);
	p2 = made("/api/payments/payments/", body);
	r = api("GET", NULL, "/api/billing/payments/%lld/", p2);
	EXPECT(r, 200);
	ck_assert_int_eq(it_int(r, "data/id"), p2);
	it_free(r);
	r = api("GET", NULL, "/api/billing/payments/?customer_id=%lld", cust);
	EXPECT(r, 200);
	ck_assert_int_eq(total(r), 2);
	it_free(r);
	r = api("POST", NULL, "/api/billing/payments/%lld/mark_completed/", p1);
	EXPECT(r, 200);
	ck_assert_str_eq(it_str(r, "data/status"), "completed");
	it_free(r);
	r = api("POST", NULL, "/api/payments/payments/%lld/mark_refunded/", p1);
	EXPECT(r, 200);
	ck_assert_str_eq(it_str(r, "data/status"), "refunded");
	it_free(r);
	r = api("POST", NULL, "/api/billing/payments/%lld/mark_failed/", p2);
	EXPECT(r, 200);
	ck_assert_str_eq(it_str(r, "data/status"), "failed");
	it_free(r);
	r = api("POST", NULL, "/api/billing/payments/%lld/mark_failed/", p2);
	expect_error(r, 409, "RESOURCE_CONFLICT");
	it_free(r);

	/* invoices: /pay/ is mark-paid */
	snprintf(body, sizeof(body), "{\"customer_id\":%lld,\"subtotal\":\"300.00\"}", cust);
	inv = made("/api/billing/invoices/", body);
	r = api("POST", "{\"payment_method\":\"cash\"}", "/api/billing/invoices/%lld/pay/", inv);
	EXPECT(r, 200);
	ck_assert_str_eq(it_str(r, "data/status"), "paid");
	it_free(r);
	r = api("POST", NULL, "/api/billing/invoices/%lld/pay/", inv);
	ck_assert_msg(r->status == 409 || r->status == 400, "%ld %s", r->status, r->body);
	it_free(r);

	/* subscriptions: PATCH status */
	snprintf(body, sizeof(body), "{\"name\":\"%s\",\"speed\":\"5M/2M\",\"price\":50,"
	    "\"duration_value\":1,\"duration_unit\":\"days\",\"connection_type\":\"hotspot\"}",
	    uniq(name, sizeof(name), "AlPlan"));
	plan = made("/api/plans/", body);
	snprintf(body, sizeof(body), "{\"customer_id\":%lld,\"plan_id\":%lld,\"router_id\":%lld,"
	    "\"username\":\"%s\",\"password\":\"pw-alias-1\",\"access_method\":\"hotspot\"}",
	    cust, plan, router, uniq(name, sizeof(name), "al"));
	sub = made("/api/subscriptions/", body);
	static const char *const to[] = { "active", "suspended", "active", "cancelled" };
	for (size_t i = 0; i < sizeof(to) / sizeof(to[0]); i++) {
		snprintf(body, sizeof(body), "{\"status\":\"%s\"}", to[i]);
		r = api("PATCH", body, "/api/subscriptions/%lld/status/", sub);
		EXPECT(r, 200);
		ck_assert_str_eq(it_str(r, "data/status"), to[i]);
		it_free(r);
	}
	r = api("PATCH", "{\"status\":\"expired\"}", "/api/subscriptions/%lld/status/", sub);
	EXPECT(r, 400);
	ck_assert_msg(names_field(r, "status"), "%s", r->body);
	it_free(r);
	r = api("PATCH", "{}", "/api/subscriptions/%lld/status/", sub);
	EXPECT(r, 400);
	ck_assert_msg(names_field(r, "status"), "%s", r->body);
	it_free(r);
	r = api("PATCH", "{\"status\":\"active\"}", "/api/subscriptions/%d/status/", 999999999);
	EXPECT(r, 404);
	it_free(r);

	/* users: /create/ */
	snprintf(body, sizeof(body), "{\"username\":\"%s\",\"email\":\"%s@example.org\","
	    "\"password\":\"Al-Passw0rd-1\",\"password_confirm\":\"Al-Passw0rd-1\","
	    "\"user_type\":\"support_staff\"}", uniq(name, sizeof(name), "alu"), name);
	user = made("/api/auth/users/create/", body);
	r = api("GET", NULL, "/api/auth/users/%lld/", user);
	EXPECT(r, 200);
	ck_assert_str_eq(it_str(r, "data/username"), name);
	it_free(r);
}
END_TEST

/* ---- the OpenAPI schema ---- */

/* every "$ref" inside v names a member of the document */
static void
refs_resolve(struct misses *ms, const struct resp *doc, yajl_val v, const char *where)
{
	if (YAJL_IS_OBJECT(v)) {
		for (size_t i = 0; i < v->u.object.len; i++) {
			yajl_val m = v->u.object.values[i];

			if (!strcmp(v->u.object.keys[i], "$ref") && YAJL_IS_STRING(m)) {
				const char *ref = YAJL_GET_STRING(m);

				if (strncmp(ref, "#/", 2) != 0 || it_json(doc, ref + 2) == NULL)
					miss(ms, "%s: $ref %s names nothing", where, ref);
			} else
				refs_resolve(ms, doc, m, where);
		}
	} else if (YAJL_IS_ARRAY(v))
		for (size_t i = 0; i < v->u.array.len; i++)
			refs_resolve(ms, doc, v->u.array.values[i], where);
}

/* the operation's parameter of that name and place */
static yajl_val
param(yajl_val op, const char *name, const char *in)
{
	yajl_val ps = jget(op, "parameters");

	for (size_t i = 0; ps && i < jlen(ps); i++)
		if (jstr(jat(ps, i), "name") && !strcmp(jstr(jat(ps, i), "name"), name) &&
		    !strcmp(jstr(jat(ps, i), "in"), in))
			return jat(ps, i);
	return NULL;
}

/* one route of `ispbill routes native` against its operation */
static void
route_vs_operation(struct misses *ms, const struct resp *doc, const char *method,
    const char *pattern, const char *perm, const char *access, const char *body)
{
	const char *keys[] = { "paths", pattern, NULL };
	yajl_val op, sec, rb;
	char lm[16], what[400];
	size_t i;

	for (i = 0; method[i] && i < sizeof(lm) - 1; i++)
		lm[i] = (char)(method[i] | 0x20);
	lm[i] = '\0';
	snprintf(what, sizeof(what), "%s %s", method, pattern);
	op = yajl_tree_get(doc->json, keys, yajl_t_object);
	op = op ? jget(op, lm) : NULL;
	if (op == NULL) {
		miss(ms, "%s: not in the schema", what);
		return;
	}
	/* the permission */
	if (strcmp(perm, "-") == 0 ? !YAJL_IS_NULL(jget(op, "x-permission")) :
	    (jstr(op, "x-permission") == NULL || strcmp(jstr(op, "x-permission"), perm)))
		miss(ms, "%s: x-permission %s, expected %s", what,
		    jstr(op, "x-permission") ? jstr(op, "x-permission") : "null", perm);
	if (strcmp(perm, "-") && (!jstr(op, "description") || !strstr(jstr(op, "description"), perm)))
		miss(ms, "%s: the description does not name %s", what, perm);
	/* public: no security; else the document's bearer/X-Client-Key */
	sec = jget(op, "security");
	if (!strcmp(access, "public") != (sec != NULL && YAJL_IS_ARRAY(sec) && jlen(sec) == 0))
		miss(ms, "%s: %s but security is %s", what, access, sec ? "set" : "inherited");
	if (!strcmp(access, "auth") && !(jget(op, "responses") && jget(jget(op, "responses"), "401")))
		miss(ms, "%s: no 401 answer", what);
	/* the body */
	rb = jget(op, "requestBody");
	if ((strcmp(body, "body") == 0) != (rb != NULL))
		miss(ms, "%s: %s, requestBody %s", what, body, rb ? "present" : "absent");
	/* each {name} a required path parameter */
	for (const char *p = strchr(pattern, '{'); p; p = strchr(p + 1, '{')) {
		char name[64];
		yajl_val pp;

		snprintf(name, sizeof(name), "%.*s", (int)strcspn(p + 1, "}"), p + 1);
		pp = param(op, name, "path");
		if (pp == NULL || !YAJL_IS_TRUE(jget(pp, "required")))
			miss(ms, "%s: path parameter %s missing or optional", what, name);
	}
	if (!jstr(op, "operationId"))
		miss(ms, "%s: no operationId", what);
}

START_TEST(schema_lists_exactly_the_route_table)
{
	static char out[256 * 1024];
	struct misses ms = { 0 };
	struct resp *r = it_get("/api/schema/");
	size_t nroutes = 0, nops = 0;
	yajl_val paths, schemes;
	char *line, *save = NULL;

	EXPECT(r, 200);
	ck_assert_msg(r->json != NULL, "not JSON: %.200s", r->body);
	ck_assert_str_eq(it_str(r, "openapi"), "3.0.3");
	ck_assert_str_eq(it_str(r, "info/title"), "ispbill API");
	ck_assert_ptr_nonnull(it_str(r, "info/version"));
	/* the two ways in */
	ck_assert_str_eq(it_str(r, "components/securitySchemes/bearerAuth/type"), "http");
	ck_assert_str_eq(it_str(r, "components/securitySchemes/bearerAuth/scheme"), "bearer");
	ck_assert_str_eq(it_str(r, "components/securitySchemes/clientKey/type"), "apiKey");
	ck_assert_str_eq(it_str(r, "components/securitySchemes/clientKey/in"), "header");
	ck_assert_str_eq(it_str(r, "components/securitySchemes/clientKey/name"), "X-Client-Key");
	schemes = it_json(r, "security");
	ck_assert_msg(schemes && jlen(schemes) == 2, "%s", "top-level security");

	/* the compiled table, route by route */
	ck_assert_msg(cli("routes native", out, sizeof(out)) == 0, "%.300s", out);
	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char m[16], pat[256], perm[128], access[16], body[8];

		if (sscanf(line, "%15s %255s %127s %15s %7s", m, pat, perm, access, body) != 5) {
			miss(&ms, "CLI line: %s", line);
			continue;
		}
		nroutes++;
		route_vs_operation(&ms, r, m, pat, perm, access, body);
	}
	ck_assert_uint_gt(nroutes, 150);
	/* and nothing else: as many operations as routes */
	paths = it_json(r, "paths");
	for (size_t i = 0; paths && i < paths->u.object.len; i++)
		nops += paths->u.object.values[i]->u.object.len;
	if (nops != nroutes)
		miss(&ms, "the schema has %zu operations, the route table %zu routes", nops, nroutes);
	refs_resolve(&ms, r, r->json, "schema");
	NO_MISSES(ms);
	it_free(r);
}
END_TEST

START_TEST(schema_types_from_the_entities)
{
	struct resp *r = it_get("/api/schema/");
	yajl_val list;

	EXPECT(r, 200);
	/* a resource's list: page, filters, search, ordering; rows typed */
	ck_assert_str_eq(it_str(r, "components/schemas/Customer/type"), "object");
	ck_assert_str_eq(it_str(r, "components/schemas/Customer/properties/id/type"), "integer");
	ck_assert_int_eq(it_bool(r, "components/schemas/Customer/properties/id/readOnly"), 1);
	ck_assert_str_eq(it_str(r, "components/schemas/Customer/properties/email/format"), "email");
	ck_assert_str_eq(it_str(r, "components/schemas/Payment/properties/amount/type"), "number");
	ck_assert_ptr_nonnull(it_json(r, "components/schemas/Payment/properties/status/enum"));
	list = jget(jget(it_json(r, "paths"), "/api/customers/"), "get");
	ck_assert_ptr_nonnull(list);
	ck_assert_str_eq(jstr(list, "summary"), "List Customer rows");
	ck_assert_ptr_nonnull(param(list, "page_size", "query"));
	ck_assert_ptr_nonnull(param(list, "search", "query"));
	ck_assert_ptr_nonnull(param(list, "ordering", "query"));
	ck_assert_str_eq(it_str(r, "components/schemas/Error/properties/error_code/type"), "string");
	it_free(r);
	/* without its trailing slash too */
	r = it_get("/api/schema");
	EXPECT(r, 200);
	it_free(r);
}
END_TEST

/* ---- the documentation pages (nginx: pages and npm assets from DIR/docs) ---- */

START_TEST(docs_pages_and_assets)
{
	static const struct { const char *path, *type, *has; long min; } c[] = {
		{ "/api/docs/", "text/html", "/api/schema/", 500 },
		{ "/api/docs", "text/html", "swagger-ui-bundle.js", 500 },
		{ "/api/redoc/", "text/html", "redoc.standalone.js", 500 },
		{ "/api/redoc", "text/html", "/api/schema/", 500 },
		{ "/api/docs/assets/swagger-ui/swagger-ui-bundle.js", "application/javascript",
		  "SwaggerUIBundle", 100000 },
		{ "/api/docs/assets/swagger-ui/swagger-ui-standalone-preset.js",
		  "application/javascript", NULL, 10000 },
		{ "/api/docs/assets/swagger-ui/swagger-ui.css", "text/css", NULL, 10000 },
		{ "/api/docs/assets/redoc/redoc.standalone.js", "application/javascript", "Redoc",
		  100000 },
	};
	struct misses ms = { 0 };

	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct resp *r = it_http(0, "GET", c[i].path, NULL, NULL, 0, NULL);
		char *ct = it_header(r, "Content-Type");

		if (r->status != 200)
			miss(&ms, "%s: HTTP %ld (are the assets installed? see harness.log)",
			    c[i].path, r->status);
		else {
			if (ct == NULL || strncmp(ct, c[i].type, strlen(c[i].type)) != 0)
				miss(&ms, "%s: Content-Type %s, expected %s", c[i].path,
				    ct ? ct : "(none)", c[i].type);
			if ((long)strlen(r->body) < c[i].min)
				miss(&ms, "%s: %zu bytes", c[i].path, strlen(r->body));
			if (c[i].has && !strstr(r->body, c[i].has))
				miss(&ms, "%s: lacks %s", c[i].path, c[i].has);
		}
		free(ct);
		it_free(r);
	}
	NO_MISSES(ms);
}
END_TEST

/* Headless Chromium on a page: a screenshot DIR/<name>.png kept with the
 * test logs, and the DOM after the page's scripts ran in DIR/<name>-dom.html.
 * 0, or -1 when there is no Chromium (the caller says SKIPPED). */
static int
chromium(const char *path, const char *name)
{
	static const char *const bins[] = { "/usr/bin/chromium", "/usr/bin/chromium-browser" };
	const char *bin = NULL;
	char cmd[2048], out[4096];

	for (size_t i = 0; i < sizeof(bins) / sizeof(bins[0]) && !bin; i++)
		if (access(bins[i], X_OK) == 0)
			bin = bins[i];
	if (bin == NULL)
		return -1;
	snprintf(cmd, sizeof(cmd), "cd %s && HOME=%s timeout 90 %s --headless --no-sandbox "
	    "--disable-gpu --disable-dev-shm-usage --hide-scrollbars --window-size=1200,900 "
	    "--virtual-time-budget=8000 --screenshot=%s/%s.png http://127.0.0.1:%d%s "
	    ">>%s/chromium.log 2>&1", it_dir(), it_dir(), bin, it_dir(), name, it_port(), path,
	    it_dir());
	ck_assert_msg(it_run(cmd, out, sizeof(out)) == 0, "chromium screenshot failed: see "
	    "%s/chromium.log", it_dir());
	snprintf(cmd, sizeof(cmd), "cd %s && HOME=%s timeout 90 %s --headless --no-sandbox "
	    "--disable-gpu --disable-dev-shm-usage --virtual-time-budget=8000 --dump-dom "
	    "http://127.0.0.1:%d%s >%s/%s-dom.html 2>>%s/chromium.log", it_dir(), it_dir(), bin,
	    it_port(), path, it_dir(), name, it_dir());
	ck_assert_msg(it_run(cmd, out, sizeof(out)) == 0, "chromium --dump-dom failed: see "
	    "%s/chromium.log", it_dir());
	return 0;
}

/* the size of a file under the test dir, -1 if absent */
static long long
file_size(const char *name)
{
	char p[1024];
	struct stat st;

	snprintf(p, sizeof(p), "%s/%s", it_dir(), name);
	return stat(p, &st) == 0 ? (long long)st.st_size : -1;
}

START_TEST(docs_render_in_chromium)
{
	if (chromium("/api/docs/", "docs") < 0) {
		printf("SKIPPED: docs_render_in_chromium: no chromium (apt-get install chromium)\n");
		return;
	}
	/* a rendered page, not a blank one: tens of KiB of PNG */
	ck_assert_msg(file_size("docs.png") > 20000, "docs.png: %lld bytes", file_size("docs.png"));
	/* Swagger UI read the schema: its title and the first operations */
	ck_assert_msg(it_file_contains("docs-dom.html", "class=\"title\">ispbill API"),
	    "no title in %s/docs-dom.html", it_dir());
	ck_assert_msg(it_file_contains("docs-dom.html", "data-path=\"/api/health/\""),
	    "no operation in %s/docs-dom.html", it_dir());
	ck_assert_msg(!it_file_contains("docs-dom.html", "<p class=\"missing\">ispbill"),
	    "the page says its assets are missing");

	ck_assert_int_eq(chromium("/api/redoc/", "redoc"), 0);
	ck_assert_msg(file_size("redoc.png") > 20000, "redoc.png: %lld bytes",
	    file_size("redoc.png"));
	ck_assert_msg(!it_file_contains("redoc-dom.html", "<p class=\"missing\">ispbill"),
	    "the page says its assets are missing");
	ck_assert_msg(it_file_contains("redoc-dom.html", "<h1 class=") &&
	    it_file_contains("redoc-dom.html", ">ispbill API"), "no title in %s/%s",
	    it_dir(), "redoc-dom.html");
}
END_TEST

Suite *
suite_native_extras(void)
{
	Suite *s = suite_create("native_extras");
	TCase *tc = tcase_create("cors");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, cors_preflight_every_dialect);
	tcase_add_test(tc, cors_only_for_listed_origins);
	tcase_add_test(tc, cors_with_a_token);
	suite_add_tcase(s, tc);
	tc = tcase_create("aliases");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, login_answers_the_pair_and_user);
	tcase_add_test(tc, limit_is_page_size);
	tcase_add_test(tc, action_aliases);
	suite_add_tcase(s, tc);
	tc = tcase_create("schema");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, schema_lists_exactly_the_route_table);
	tcase_add_test(tc, schema_types_from_the_entities);
	suite_add_tcase(s, tc);
	tc = tcase_create("docs");
	tcase_set_timeout(tc, 240);
	tcase_add_test(tc, docs_pages_and_assets);
	tcase_add_test(tc, docs_render_in_chromium);
	suite_add_tcase(s, tc);
	return s;
}
