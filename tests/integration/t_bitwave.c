/* t_bitwave.c - the bitwave dialect (000) through nginx on it_port() + 1:
 * every endpoint of the document held against its example key by key
 * (with the example's JSON type: 50 an integer, 730.0 a float, times
 * without a zone), FastAPI's error shapes, user_id as a reseller, another
 * tenant's rows never seen, and rows made through native seen here. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "itest.h"

#define PW  "Bw-Passw0rd-1"
#define TOK 2048

/* ---- HTTP ---- */

static struct resp *
call(int port, const char *tok, const char *method, const char *body, const char *fmt, va_list ap)
{
	char path[2048], auth[TOK + 64];
	const char *hdrs[2] = { NULL, NULL };

	vsnprintf(path, sizeof(path), fmt, ap);
	if (tok) {
		snprintf(auth, sizeof(auth), "Authorization: Bearer %s", tok);
		hdrs[0] = auth;
	}
	return it_http(port, method, path, NULL, body, body ? strlen(body) : 0, hdrs);
}

/* bitwave's port */
static struct resp *
bw(const char *tok, const char *method, const char *body, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static struct resp *
bw(const char *tok, const char *method, const char *body, const char *fmt, ...)
{
	struct resp *r;
	va_list ap;

	va_start(ap, fmt);
	r = call(it_port() + 1, tok, method, body, fmt, ap);
	va_end(ap);
	return r;
}

/* native's port */
static struct resp *
nat(const char *tok, const char *method, const char *body, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static struct resp *
nat(const char *tok, const char *method, const char *body, const char *fmt, ...)
{
	struct resp *r;
	va_list ap;

	va_start(ap, fmt);
	r = call(0, tok, method, body, fmt, ap);
	va_end(ap);
	return r;
}

/* ---- JSON types as the example shows them ---- */

static void
is_int(struct misses *m, yajl_val o, const char *key)
{
	yajl_val v = jget(o, key);

	if (v == NULL || !YAJL_IS_INTEGER(v))
		miss(m, "%s: not an integer", key);
}

/* a float: a number printed with a fraction (730.0, 730.00) */
static void
is_float(struct misses *m, yajl_val o, const char *key)
{
	const char *n = jnum(o, key);

	if (n == NULL || strchr(n, '.') == NULL)
		miss(m, "%s: not a float (%s)", key, n ? n : "missing");
}

static void
is_str(struct misses *m, yajl_val o, const char *key)
{
	yajl_val v = jget(o, key);

	if (v == NULL || !YAJL_IS_STRING(v))
		miss(m, "%s: not a string", key);
}

/* "2026-01-06T17:52:35[.ffffff]": ISO 8601 as pydantic prints a naive time */
static void
is_time(struct misses *m, yajl_val o, const char *key)
{
	const char *s = jstr(o, key);

	if (s == NULL || strlen(s) < 19 || s[10] != 'T' || strchr(s, 'Z') != NULL)
		miss(m, "%s: not a naive ISO 8601 time (%s)", key, s ? s : "missing");
}

static void
is_obj(struct misses *m, yajl_val o, const char *key)
{
	yajl_val v = jget(o, key);

	if (v == NULL || !YAJL_IS_OBJECT(v))
		miss(m, "%s: not an object", key);
}

static void
is_arr(struct misses *m, yajl_val o, const char *key)
{
	yajl_val v = jget(o, key);

	if (v == NULL || !YAJL_IS_ARRAY(v))
		miss(m, "%s: not an array", key);
}

/* {"detail": [{"loc": [where, field], "msg", "type"}]} with status 422 */
static void
expect_422(struct resp *r, const char *where, const char *field)
{
	yajl_val d = it_json(r, "detail");
	int found = 0;

	EXPECT(r, 422);
	ck_assert_msg(d && YAJL_IS_ARRAY(d), "no detail list: %s", r->body);
	for (size_t i = 0; i < jlen(d); i++) {
		yajl_val loc = jget(jat(d, i), "loc");

		ck_assert_msg(jstr(jat(d, i), "msg") && jstr(jat(d, i), "type"), "%s", r->body);
		if (jlen(loc) == 2 && !strcmp(jat(loc, 0)->u.string, where) &&
		    !strcmp(jat(loc, 1)->u.string, field))
			found = 1;
	}
	ck_assert_msg(found, "no error at [%s, %s]: %s", where, field, r->body);
}

static void
expect_detail(struct resp *r, int status)
{
	EXPECT(r, status);
	ck_assert_msg(it_str(r, "detail") != NULL, "detail is not a string: %s", r->body);
}

/* ---- the world: users, logins ---- */

static long long
mk_user(const char *su, const char *name, const char *type, long long tenant)
{
	char body[1024], extra[64] = "";
	struct resp *r;
	long long id;

	if (tenant)
		snprintf(extra, sizeof(extra), ",\"tenant_id\":%lld", tenant);
	snprintf(body, sizeof(body), "{\"username\":\"%s\",\"email\":\"%s@example.org\","
	    "\"password\":\"" PW "\",\"password_confirm\":\"" PW "\",\"user_type\":\"%s\"%s}",
	    name, name, type, extra);
	r = nat(su, "POST", body, "/api/auth/users/");
	ck_assert_msg(r->status == 201, "user %s: %ld %.600s", name, r->status, r->body);
	id = it_int(r, "data/id");
	it_free(r);
	return id;
}

/* log in through bitwave: 000's answer, and the token */
static void
bw_login(const char *name, char tok[TOK])
{
	char body[512];
	struct resp *r;
	struct misses m = { 0 };

	snprintf(body, sizeof(body), "{\"username\":\"%s\",\"password\":\"" PW "\"}", name);
	r = bw(NULL, "POST", body, "/api/auth/login");
	EXPECT(r, 200);
	is_str(&m, r->json, "access_token");
	NO_MISSES(m);
	ck_assert_str_eq(it_str(r, "token_type"), "bearer");
	snprintf(tok, TOK, "%s", it_str(r, "access_token"));
	it_free(r);
}

struct bwworld {
	char su[TOK];
	char admin[TOK];                /* an admin of tenant 1, by bitwave's login */
	long long admin_id;
};

static void
bw_world(struct bwworld *w)
{
	char name[64];
	char *su = it_login_admin();

	ck_assert_ptr_nonnull(su);
	snprintf(w->su, sizeof(w->su), "%s", su);
	free(su);
	w->admin_id = mk_user(w->su, uniq(name, sizeof(name), "bwa"), "admin", 0);
	bw_login(name, w->admin);
}

static long long
bw_plan(const char *tok, const char *name, const char *extra)
{
	char body[1024];
	struct resp *r;
	long long id;

	snprintf(body, sizeof(body), "{\"name\":\"%s\",\"speed\":\"5M/2M\",\"price\":50,"
	    "\"duration_value\":1,\"duration_unit\":\"HOURS\",\"connection_type\":\"hotspot\","
	    "\"router_profile\":\"default\"%s}", name, extra ? extra : "");
	r = bw(tok, "POST", body, "/api/plans/create");
	EXPECT(r, 200);
	id = it_int(r, "id");
	it_free(r);
	ck_assert_int_gt(id, 0);
	return id;
}

/* a customer made through native; the id */
static long long
native_customer(const char *tok, const char *name, const char *phone, const char *mac)
{
	char body[512];
	struct resp *r;
	long long id;

	snprintf(body, sizeof(body), "{\"name\":\"%s\",\"phone\":\"%s\",\"mac_address\":\"%s\"}",
	    name, phone, mac);
	r = nat(tok, "POST", body, "/api/customers/");
	ck_assert_msg(r->status == 201, "customer: %ld %.600s", r->status, r->body);
	id = it_int(r, "data/id");
	it_free(r);
	return id;
}

static void
active_sub(long long cust, long long plan, long long router, int minutes)
{
	char rt[32];

	snprintf(rt, sizeof(rt), router ? "%lld" : "NULL", router);
	sql("INSERT INTO subscriptions (uuid, tenant_id, customer_id, plan_id, router_id, username, "
	    "status, start_date, end_date) VALUES (UUID(), 1, %lld, %lld, %s, CONCAT('bw', UUID()), "
	    "'active', UTC_TIMESTAMP(), UTC_TIMESTAMP() + INTERVAL %d MINUTE); "
	    "SELECT LAST_INSERT_ID()", cust, plan, rt, minutes);
}

static yajl_val
by_id(yajl_val arr, const char *key, long long id)
{
	for (size_t i = 0; arr && i < jlen(arr); i++)
		if (jint(jat(arr, i), key) == id)
			return jat(arr, i);
	return NULL;
}

/* ---- login and errors ---- */

START_TEST(login_and_error_shapes)
{
	struct bwworld w;
	struct resp *r;

	bw_world(&w);
	r = bw(NULL, "POST", "{\"username\":\"nobody-bw\",\"password\":\"wrong\"}",
	    "/api/auth/login");
	expect_detail(r, 401);
	it_free(r);
	r = bw(NULL, "POST", "{\"username\":\"x\"}", "/api/auth/login");
	expect_422(r, "body", "password");
	ck_assert_str_eq(jstr(jat(it_json(r, "detail"), 0), "type"), "missing");
	it_free(r);
	r = bw(NULL, "POST", "{\"username\":", "/api/auth/login");
	EXPECT(r, 422);
	it_free(r);

	/* secure by default: no credential, 401 in FastAPI's words */
	r = bw(NULL, "GET", NULL, "/api/customers?user_id=1");
	expect_detail(r, 401);
	ck_assert_str_eq(it_str(r, "detail"), "Not authenticated");
	it_free(r);
	r = bw("not-a-token", "GET", NULL, "/api/dashboard/overview");
	expect_detail(r, 401);
	it_free(r);
	r = bw(w.admin, "GET", NULL, "/api/no-such-thing");
	expect_detail(r, 404);
	ck_assert_str_eq(it_str(r, "detail"), "Not Found");
	it_free(r);
	r = bw(w.admin, "PUT", "{}", "/api/customers");
	expect_detail(r, 405);
	it_free(r);
	r = bw(w.admin, "GET", NULL, "/api/customers?user_id=abc");
	expect_422(r, "query", "user_id");
	it_free(r);
}
END_TEST

/* ---- plans ---- */

START_TEST(plans_create_list_delete)
{
	struct bwworld w;
	struct misses m = { 0 };
	struct resp *r;
	char name[64], body[512];
	long long id, cust;
	yajl_val p;

	bw_world(&w);
	uniq(name, sizeof(name), "Hour");
	snprintf(body, sizeof(body), "{\"name\":\"%s\",\"speed\":\"5M/2M\",\"price\":50,"
	    "\"duration_value\":1,\"duration_unit\":\"HOURS\",\"connection_type\":\"hotspot\","
	    "\"router_profile\":\"default\",\"user_id\":1}", name);
	r = bw(w.admin, "POST", body, "/api/plans/create");
	EXPECT(r, 200);
	is_int(&m, r->json, "id");
	is_str(&m, r->json, "name");
	is_str(&m, r->json, "speed");
	is_int(&m, r->json, "price");
	is_int(&m, r->json, "duration_value");
	is_str(&m, r->json, "duration_unit");
	is_str(&m, r->json, "connection_type");
	is_str(&m, r->json, "router_profile");
	is_int(&m, r->json, "user_id");
	is_time(&m, r->json, "created_at");
	NO_MISSES(m);
	ck_assert_str_eq(it_str(r, "speed"), "5M/2M");
	ck_assert_int_eq(it_int(r, "price"), 50);
	ck_assert_str_eq(it_str(r, "duration_unit"), "HOURS");
	id = it_int(r, "id");
	it_free(r);

	/* the list, as the example; the filter by type */
	r = bw(w.admin, "GET", NULL, "/api/plans?user_id=1");
	EXPECT(r, 200);
	p = by_id(r->json, "id", id);
	ck_assert_msg(p != NULL, "plan %lld not listed: %.600s", id, r->body);
	is_int(&m, p, "id");
	is_str(&m, p, "name");
	is_int(&m, p, "price");
	is_int(&m, p, "duration_value");
	is_str(&m, p, "duration_unit");
	is_str(&m, p, "download_speed");
	is_str(&m, p, "upload_speed");
	NO_MISSES(m);
	ck_assert_str_eq(jstr(p, "duration_unit"), "hours");
	ck_assert_str_eq(jstr(p, "download_speed"), "5M");
	ck_assert_str_eq(jstr(p, "upload_speed"), "2M");
	it_free(r);
	r = bw(w.admin, "GET", NULL, "/api/plans?connection_type=pppoe");
	EXPECT(r, 200);
	ck_assert_ptr_null(by_id(r->json, "id", id));
	it_free(r);
	r = bw(w.admin, "GET", NULL, "/api/plans?connection_type=satellite");
	expect_422(r, "query", "connection_type");
	it_free(r);

	/* bad bodies name their fields */
	r = bw(w.admin, "POST", "{\"name\":\"x\",\"price\":\"abc\"}", "/api/plans/create");
	expect_422(r, "body", "speed");
	expect_422(r, "body", "price");
	expect_422(r, "body", "duration_unit");
	it_free(r);
	r = bw(w.admin, "POST", "{\"name\":\"x\",\"speed\":\"fast\",\"price\":5,\"duration_value\":1,"
	    "\"duration_unit\":\"HOURS\",\"connection_type\":\"hotspot\"}", "/api/plans/create");
	expect_422(r, "body", "speed");
	it_free(r);

	/* no delete while an active customer uses it: 000's words */
	cust = native_customer(w.admin, "Plan holder", "0711000111", "02:00:00:00:01:01");
	active_sub(cust, id, 0, 60);
	r = bw(w.admin, "DELETE", NULL, "/api/plans/%lld?user_id=1", id);
	expect_detail(r, 400);
	ck_assert_str_eq(it_str(r, "detail"),
	    "Cannot delete plan. 1 active customer(s) are using this plan");
	it_free(r);
	sql("UPDATE subscriptions SET status = 'expired' WHERE customer_id = %lld; SELECT 1", cust);
	r = bw(w.admin, "DELETE", NULL, "/api/plans/%lld?user_id=1", id);
	EXPECT(r, 200);
	ck_assert_int_eq(it_bool(r, "success"), 1);
	ck_assert_str_eq(it_str(r, "message"),
	    strcat(strcat(strcpy(body, "Plan '"), name), "' deleted successfully"));
	it_free(r);
	r = bw(w.admin, "DELETE", NULL, "/api/plans/%lld", id);
	expect_detail(r, 404);
	it_free(r);
	r = bw(w.admin, "DELETE", NULL, "/api/plans/abc");
	expect_422(r, "path", "plan_id");
	it_free(r);
}
END_TEST

START_TEST(plan_performance)
{
	struct bwworld w;
	struct misses m = { 0 };
	struct resp *r;
	char name[64];
	long long id;
	yajl_val p;

	bw_world(&w);
	id = bw_plan(w.admin, uniq(name, sizeof(name), "Perf"), NULL);
	r = bw(w.admin, "GET", NULL, "/api/plans/performance?user_id=1&start_date=2026-01-01"
	    "&end_date=2026-01-10");
	EXPECT(r, 200);
	p = by_id(it_json(r, "plans"), "plan_id", id);
	ck_assert_msg(p != NULL, "%.600s", r->body);
	is_int(&m, p, "plan_id");
	is_str(&m, p, "plan_name");
	is_int(&m, p, "plan_price");
	is_str(&m, p, "duration");
	is_int(&m, p, "total_customers");
	is_int(&m, p, "total_sales");
	is_float(&m, p, "total_revenue");
	is_float(&m, p, "average_revenue_per_sale");
	is_int(&m, p, "active_customers");
	NO_MISSES(m);
	ck_assert_str_eq(jstr(p, "duration"), "1 hours");
	ck_assert_str_eq(it_str(r, "period/start_date"), "2026-01-01");
	ck_assert_str_eq(it_str(r, "period/end_date"), "2026-01-10");
	it_free(r);
	r = bw(w.admin, "GET", NULL, "/api/plans/performance?start_date=yesterday");
	expect_422(r, "query", "start_date");
	it_free(r);
}
END_TEST

/* ---- customers: made through native, seen here ---- */

START_TEST(customers_from_native)
{
	struct bwworld w;
	struct misses m = { 0 };
	struct resp *r;
	char name[64], rname[64], body[512];
	long long plan, router, c1, c2;
	yajl_val c;
	double h;

	bw_world(&w);
	plan = bw_plan(w.admin, uniq(name, sizeof(name), "Cust"), NULL);
	snprintf(body, sizeof(body), "{\"name\":\"%s\",\"host\":\"192.168.1.1\"}",
	    uniq(rname, sizeof(rname), "bwr"));
	r = nat(w.admin, "POST", body, "/api/network/routers/");
	EXPECT(r, 201);
	router = it_int(r, "data/id");
	it_free(r);
	c1 = native_customer(w.admin, "Guest 5364", "0795635364", "aa:bb:cc:dd:ee:01");
	c2 = native_customer(w.admin, "Guest idle", "0795635365", "aa:bb:cc:dd:ee:02");
	active_sub(c1, plan, router, 150);

	r = bw(w.admin, "GET", NULL, "/api/customers?user_id=1");
	EXPECT(r, 200);
	c = by_id(r->json, "id", c1);
	ck_assert_msg(c != NULL, "%.600s", r->body);
	is_int(&m, c, "id");
	is_str(&m, c, "name");
	is_str(&m, c, "phone");
	is_str(&m, c, "mac_address");
	is_str(&m, c, "status");
	is_time(&m, c, "expiry");
	is_obj(&m, c, "plan");
	is_obj(&m, c, "router");
	NO_MISSES(m);
	ck_assert_str_eq(jstr(c, "phone"), "254795635364");
	ck_assert_str_eq(jstr(c, "mac_address"), "AA:BB:CC:DD:EE:01");
	ck_assert_str_eq(jstr(c, "status"), "active");
	ck_assert_int_eq(jint(jget(c, "plan"), "id"), plan);
	is_int(&m, jget(c, "plan"), "price");
	is_str(&m, jget(c, "plan"), "name");
	is_int(&m, jget(c, "router"), "id");
	is_str(&m, jget(c, "router"), "name");
	NO_MISSES(m);
	ck_assert_str_eq(jstr(jget(c, "router"), "name"), rname);
	c = by_id(r->json, "id", c2);
	ck_assert_msg(c != NULL, "%.600s", r->body);
	ck_assert_str_eq(jstr(c, "status"), "inactive");
	ck_assert(YAJL_IS_NULL(jget(c, "plan")));
	it_free(r);

	/* only the one online, with its hours left */
	r = bw(w.admin, "GET", NULL, "/api/customers/active?user_id=1");
	EXPECT(r, 200);
	ck_assert_ptr_null(by_id(r->json, "id", c2));
	c = by_id(r->json, "id", c1);
	ck_assert_msg(c != NULL, "%.600s", r->body);
	is_float(&m, c, "hours_remaining");
	is_time(&m, c, "expiry");
	is_obj(&m, c, "plan");
	is_obj(&m, c, "router");
	NO_MISSES(m);
	h = jget(c, "hours_remaining")->u.number.d;
	ck_assert_msg(h > 2.4 && h <= 2.5, "hours_remaining %f", h);
	it_free(r);
}
END_TEST

/* ---- user_id is a reseller; another tenant sees nothing ---- */

START_TEST(resellers_and_tenants)
{
	struct bwworld w;
	struct resp *r;
	char name[64], other[TOK], code[64], body[512];
	long long res, mine, theirs, tenant, plan, oadmin;

	bw_world(&w);
	res = mk_user(w.su, uniq(name, sizeof(name), "bwres"), "reseller_admin", 0);
	mine = native_customer(w.admin, "Reseller's", "0722000111", "02:00:00:00:02:01");
	theirs = native_customer(w.admin, "House's", "0722000112", "02:00:00:00:02:02");
	sql("UPDATE customers SET owner_id = %lld WHERE id = %lld; SELECT 1", res, mine);
	plan = bw_plan(w.admin, uniq(name, sizeof(name), "Own"), NULL);

	r = bw(w.admin, "GET", NULL, "/api/customers?user_id=%lld", res);
	EXPECT(r, 200);
	ck_assert_msg(by_id(r->json, "id", mine) && !by_id(r->json, "id", theirs), "%.900s",
	    r->body);
	it_free(r);
	r = bw(w.admin, "GET", NULL, "/api/customers?user_id=999999999");
	EXPECT(r, 200);
	ck_assert_int_eq(jlen(r->json), 0);
	it_free(r);

	/* a second tenant: none of tenant 1's rows, by any path */
	uniq(code, sizeof(code), "bwt");
	snprintf(body, sizeof(body), "{\"name\":\"Bw %s\",\"code\":\"%s\"}", code, code);
	r = nat(w.su, "POST", body, "/api/tenants/");
	EXPECT(r, 201);
	tenant = it_int(r, "data/id");
	it_free(r);
	oadmin = mk_user(w.su, uniq(name, sizeof(name), "bwo"), "admin", tenant);
	ck_assert_int_gt(oadmin, 0);
	bw_login(name, other);
	r = bw(other, "GET", NULL, "/api/customers");
	EXPECT(r, 200);
	ck_assert_ptr_null(by_id(r->json, "id", mine));
	ck_assert_ptr_null(by_id(r->json, "id", theirs));
	it_free(r);
	r = bw(other, "GET", NULL, "/api/customers?user_id=%lld", res);
	EXPECT(r, 200);
	ck_assert_int_eq(jlen(r->json), 0);
	it_free(r);
	r = bw(other, "GET", NULL, "/api/plans");
	EXPECT(r, 200);
	ck_assert_ptr_null(by_id(r->json, "id", plan));
	it_free(r);
	r = bw(other, "DELETE", NULL, "/api/plans/%lld", plan);
	expect_detail(r, 404);
	it_free(r);
	r = bw(other, "GET", NULL, "/api/mpesa/transactions/summary");
	EXPECT(r, 200);
	ck_assert_int_eq(it_int(r, "total_transactions"), 0);
	it_free(r);
	r = bw(other, "GET", NULL, "/api/dashboard/overview");
	EXPECT(r, 200);
	ck_assert_int_eq(it_int(r, "customers/total"), 0);
	it_free(r);
}
END_TEST

/* ---- M-Pesa and the dashboard ---- */

START_TEST(mpesa_and_dashboard)
{
	struct bwworld w;
	struct misses m = { 0 };
	struct resp *r;
	char name[64], rname[64], body[512];
	long long plan, router, cust, tx;
	yajl_val t, o;

	bw_world(&w);
	plan = bw_plan(w.admin, uniq(name, sizeof(name), "Tx"), NULL);
	snprintf(body, sizeof(body), "{\"name\":\"%s\",\"host\":\"192.168.1.1\"}",
	    uniq(rname, sizeof(rname), "bwtx"));
	r = nat(w.admin, "POST", body, "/api/network/routers/");
	EXPECT(r, 201);
	router = it_int(r, "data/id");
	it_free(r);
	cust = native_customer(w.admin, "Guest tx", "0733000111", "02:00:00:00:03:01");
	tx = sql("INSERT INTO mpesa_transactions (uuid, tenant_id, kind, checkout_request_id, phone, "
	    "amount, account_reference, customer_id, plan_id, router_id, status, "
	    "mpesa_receipt_number, lipay_tx_no, transaction_date, created_at) VALUES (UUID(), 1, "
	    "'plan', CONCAT('ws_CO_bw', UUID()), '254733000111', 50.00, 'REF1', %lld, %lld, %lld, "
	    "'completed', CONCAT('BW', LEFT(MD5(UUID()), 8)), 'LP1', UTC_TIMESTAMP(), "
	    "UTC_TIMESTAMP()); SELECT LAST_INSERT_ID()", cust, plan, router);
	sql("INSERT INTO payments (uuid, tenant_id, customer_id, plan_id, router_id, payment_number, "
	    "amount, payment_method, status, payment_date) VALUES (UUID(), 1, %lld, %lld, %lld, "
	    "CONCAT('BW', LEFT(MD5(UUID()), 10)), 50.00, 'mpesa', 'completed', UTC_TIMESTAMP(6)); "
	    "SELECT LAST_INSERT_ID()", cust, plan, router);

	r = bw(w.admin, "GET", NULL, "/api/mpesa/transactions?user_id=1&router_id=%lld"
	    "&status=completed", router);
	EXPECT(r, 200);
	ck_assert_int_eq(jlen(r->json), 1);
	t = jat(r->json, 0);
	ck_assert_int_eq(jint(t, "transaction_id"), tx);
	is_int(&m, t, "transaction_id");
	is_str(&m, t, "checkout_request_id");
	is_str(&m, t, "phone_number");
	is_float(&m, t, "amount");
	is_str(&m, t, "reference");
	is_str(&m, t, "lipay_tx_no");
	is_str(&m, t, "status");
	is_str(&m, t, "mpesa_receipt_number");
	is_time(&m, t, "transaction_date");
	is_time(&m, t, "created_at");
	o = jget(t, "customer");
	is_int(&m, o, "id");
	is_str(&m, o, "name");
	is_str(&m, o, "phone");
	is_str(&m, o, "mac_address");
	is_str(&m, o, "status");
	o = jget(t, "router");
	is_int(&m, o, "id");
	is_str(&m, o, "name");
	is_str(&m, o, "ip_address");
	o = jget(t, "plan");
	is_int(&m, o, "id");
	is_str(&m, o, "name");
	is_int(&m, o, "price");
	is_int(&m, o, "duration_value");
	is_str(&m, o, "duration_unit");
	NO_MISSES(m);
	it_free(r);
	r = bw(w.admin, "GET", NULL, "/api/mpesa/transactions?status=lost");
	expect_422(r, "query", "status");
	it_free(r);
	r = bw(w.admin, "GET", NULL, "/api/mpesa/transactions?start_date=soon");
	expect_422(r, "query", "start_date");
	it_free(r);

	r = bw(w.admin, "GET", NULL, "/api/mpesa/transactions/summary?router_id=%lld"
	    "&start_date=2026-01-01", router);
	EXPECT(r, 200);
	is_int(&m, r->json, "total_transactions");
	is_float(&m, r->json, "total_amount");
	is_obj(&m, r->json, "status_breakdown");
	is_obj(&m, r->json, "router_breakdown");
	is_obj(&m, r->json, "period");
	o = it_json(r, "status_breakdown/completed");
	is_int(&m, o, "count");
	is_float(&m, o, "amount");
	o = jget(it_json(r, "router_breakdown"), rname);
	is_int(&m, o, "count");
	is_float(&m, o, "amount");
	is_int(&m, o, "router_id");
	NO_MISSES(m);
	ck_assert_int_eq(it_int(r, "total_transactions"), 1);
	ck_assert_str_eq(it_str(r, "period/start_date"), "2026-01-01");
	it_free(r);

	r = bw(w.admin, "GET", NULL, "/api/dashboard/overview?user_id=1");
	EXPECT(r, 200);
	o = it_json(r, "revenue");
	is_float(&m, o, "today");
	is_float(&m, o, "this_week");
	is_float(&m, o, "this_month");
	is_float(&m, o, "all_time");
	o = it_json(r, "customers");
	is_int(&m, o, "total");
	is_int(&m, o, "active");
	is_int(&m, o, "inactive");
	is_arr(&m, r->json, "revenue_by_router");
	is_arr(&m, r->json, "revenue_by_plan");
	is_arr(&m, r->json, "recent_transactions");
	is_arr(&m, r->json, "expiring_soon");
	is_time(&m, r->json, "generated_at");
	o = by_id(it_json(r, "revenue_by_router"), "router_id", router);
	ck_assert_msg(o != NULL, "%.900s", r->body);
	is_str(&m, o, "router_name");
	is_int(&m, o, "transaction_count");
	is_float(&m, o, "revenue");
	o = by_id(it_json(r, "revenue_by_plan"), "plan_id", plan);
	ck_assert_msg(o != NULL, "%.900s", r->body);
	is_str(&m, o, "plan_name");
	is_int(&m, o, "plan_price");
	is_int(&m, o, "sales_count");
	is_float(&m, o, "revenue");
	o = jat(it_json(r, "recent_transactions"), 0);
	is_int(&m, o, "payment_id");
	is_float(&m, o, "amount");
	is_str(&m, o, "customer_name");
	is_str(&m, o, "customer_phone");
	is_str(&m, o, "plan_name");
	is_time(&m, o, "payment_date");
	is_str(&m, o, "payment_method");
	NO_MISSES(m);
	ck_assert_str_eq(jstr(o, "payment_method"), "mobile_money");
	it_free(r);
}
END_TEST

/* ---- routers and their live hotspot users ---- */

START_TEST(routers_and_hotspot_users)
{
	struct bwworld w;
	struct misses m = { 0 };
	struct resp *r;
	char name[64], body[512];
	long long id;
	yajl_val o;

	bw_world(&w);
	begin();                        /* the simulator as it starts */
	snprintf(body, sizeof(body), "{\"name\":\"%s\",\"host\":\"127.0.0.1\",\"api_port\":%d,"
	    "\"use_tls\":false,\"username\":\"admin\",\"password\":\"simpass\"}",
	    uniq(name, sizeof(name), "bwsim"), it_sim_port("v6"));
	r = nat(w.admin, "POST", body, "/api/network/routers/");
	EXPECT(r, 201);
	id = it_int(r, "data/id");
	it_free(r);

	r = bw(w.admin, "GET", NULL, "/api/routers");
	EXPECT(r, 200);
	o = by_id(r->json, "id", id);
	ck_assert_msg(o != NULL, "%.600s", r->body);
	is_int(&m, o, "id");
	is_str(&m, o, "name");
	is_str(&m, o, "ip_address");
	is_int(&m, o, "port");
	NO_MISSES(m);
	ck_assert_int_eq(jint(o, "port"), it_sim_port("v6"));
	it_free(r);

	r = bw(w.admin, "GET", NULL, "/api/routers/%lld/users", id);
	EXPECT(r, 200);
	is_int(&m, r->json, "router_id");
	is_str(&m, r->json, "router_name");
	is_arr(&m, r->json, "users");
	is_int(&m, r->json, "total_users");
	is_int(&m, r->json, "active_sessions");
	NO_MISSES(m);
	ck_assert_int_eq(it_int(r, "total_users"), (long long)jlen(it_json(r, "users")));
	it_free(r);
	r = bw(w.admin, "GET", NULL, "/api/routers/999999999/users");
	expect_detail(r, 404);
	it_free(r);
	r = bw(NULL, "GET", NULL, "/api/routers/%lld/users", id);
	expect_detail(r, 401);
	it_free(r);
}
END_TEST

/* ---- the panel's home screen beyond 000 ---- */

/* a record for simulated router v6 (the simulator as it starts) and one
 * for a port nobody listens on */
static void
two_routers(const char *tok, long long *up, long long *down)
{
	char name[64], body[512];
	struct resp *r;

	begin();
	snprintf(body, sizeof(body), "{\"name\":\"%s\",\"host\":\"127.0.0.1\",\"api_port\":%d,"
	    "\"use_tls\":false,\"username\":\"admin\",\"password\":\"simpass\"}",
	    uniq(name, sizeof(name), "bwu"), it_sim_port("v6"));
	r = nat(tok, "POST", body, "/api/network/routers/");
	EXPECT(r, 201);
	*up = it_int(r, "data/id");
	it_free(r);
	snprintf(body, sizeof(body), "{\"name\":\"%s\",\"host\":\"127.0.0.1\",\"api_port\":1,"
	    "\"username\":\"admin\",\"password\":\"x\"}", uniq(name, sizeof(name), "bwx"));
	r = nat(tok, "POST", body, "/api/network/routers/");
	EXPECT(r, 201);
	*down = it_int(r, "data/id");
	it_free(r);
}


START_TEST(panel_extras)
{
	struct bwworld w;
	struct misses m = { 0 };
	struct resp *r;
	long long up, down;

	bw_world(&w);
	r = bw(w.admin, "GET", NULL, "/api/dashboard/analytics?user_id=1");
	EXPECT(r, 200);
	is_float(&m, r->json, "totalRevenue");
	is_float(&m, r->json, "todayRevenue");
	is_float(&m, r->json, "weekRevenue");
	is_float(&m, r->json, "monthRevenue");
	is_int(&m, r->json, "totalCustomers");
	is_int(&m, r->json, "activeCustomers");
	is_int(&m, r->json, "inactiveCustomers");
	is_arr(&m, r->json, "dailyRevenue");
	is_arr(&m, r->json, "planBreakdown");
	is_arr(&m, r->json, "routerBreakdown");
	is_obj(&m, r->json, "period");
	NO_MISSES(m);
	it_free(r);
	r = bw(w.admin, "GET", NULL, "/api/dashboard/analytics?end_date=later");
	expect_422(r, "query", "end_date");
	it_free(r);
	r = bw(NULL, "GET", NULL, "/api/dashboard/analytics");
	expect_detail(r, 401);
	it_free(r);

	two_routers(w.admin, &up, &down);

	r = bw(w.admin, "GET", NULL, "/api/mikrotik/health?router_id=%lld", up);
	EXPECT(r, 200);
	ck_assert_str_eq(it_str(r, "status"), "online");
	is_int(&m, r->json, "router_id");
	is_int(&m, r->json, "cpu_load");
	is_float(&m, r->json, "memory_usage");
	is_str(&m, r->json, "uptime");
	is_str(&m, r->json, "version");
	NO_MISSES(m);
	it_free(r);
	r = bw(w.admin, "GET", NULL, "/api/mikrotik/health?router_id=%lld", down);
	EXPECT(r, 200);
	ck_assert_str_eq(it_str(r, "status"), "offline");
	ck_assert_ptr_nonnull(it_str(r, "error"));
	it_free(r);
	r = bw(w.admin, "GET", NULL, "/api/mikrotik/health?router_id=999999999");
	expect_detail(r, 404);
	it_free(r);
	r = bw(w.admin, "GET", NULL, "/api/mikrotik/health?router_id=x");
	expect_422(r, "query", "router_id");
	it_free(r);
}
END_TEST

/* ---- the panel's bandwidth chart and top users ---- */

static void
is_point(struct misses *m, yajl_val o, long long down, long long up)
{
	is_time(m, o, "timestamp");
	is_int(m, o, "rx_bps");
	is_int(m, o, "tx_bps");
	if (jint(o, "download_bps") != down || jint(o, "upload_bps") != up ||
	    jint(o, "rx_bps") != down || jint(o, "tx_bps") != up)
		miss(m, "point %lld/%lld down/up, expected %lld/%lld", jint(o, "download_bps"),
		    jint(o, "upload_bps"), down, up);
}

START_TEST(bandwidth_history)
{
	struct bwworld w;
	struct misses m = { 0 };
	struct resp *r;
	long long up, down;
	yajl_val h;

	bw_world(&w);
	two_routers(w.admin, &up, &down);
	sim_ok("POST", "{\"interface\":\"ether1\",\"rx_bps\":1500000,\"tx_bps\":250000}",
	    "/routers/v6/traffic");
	r = bw(w.admin, "GET", NULL, "/api/mikrotik/bandwidth-history?router_id=%lld", up);
	EXPECT(r, 200);
	ck_assert_int_eq(it_int(r, "router_id"), up);
	is_str(&m, r->json, "router_name");
	ck_assert_str_eq(it_str(r, "interface"), "ether1");
	ck_assert_int_eq(it_int(r, "hours"), 24);
	is_point(&m, it_json(r, "current"), 1500000, 250000);
	h = it_json(r, "history");
	ck_assert_int_eq(jlen(h), 1);           /* a new router: the sample just taken */
	ck_assert_int_eq(it_int(r, "count"), 1);
	is_point(&m, jat(h, 0), 1500000, 250000);
	ck_assert_str_eq(jstr(jat(h, 0), "timestamp"), it_str(r, "current/timestamp"));
	NO_MISSES(m);
	it_free(r);

	/* the next read keeps its sample beside the first, oldest first */
	sim_ok("POST", "{\"interface\":\"ether1\",\"rx_bps\":3000000,\"tx_bps\":500000}",
	    "/routers/v6/traffic");
	r = bw(w.admin, "GET", NULL, "/api/mikrotik/bandwidth-history?router_id=%lld&hours=1", up);
	EXPECT(r, 200);
	h = it_json(r, "history");
	ck_assert_int_eq(jlen(h), 2);
	is_point(&m, jat(h, 0), 1500000, 250000);
	is_point(&m, jat(h, 1), 3000000, 500000);
	is_point(&m, it_json(r, "current"), 3000000, 500000);
	NO_MISSES(m);
	it_free(r);
	ck_assert_int_eq(sql("SELECT COUNT(*) FROM router_traffic_samples WHERE router_id = %lld",
	    up), 2);
	/* another interface has its own history; samples past the period are not shown */
	sql("UPDATE router_traffic_samples SET taken_at = taken_at - INTERVAL 3 HOUR "
	    "WHERE router_id = %lld; SELECT 1", up);
	r = bw(w.admin, "GET", NULL,
	    "/api/mikrotik/bandwidth-history?router_id=%lld&interface=ether2&hours=1", up);
	EXPECT(r, 200);
	ck_assert_int_eq(it_int(r, "count"), 1);
	is_point(&m, jat(it_json(r, "history"), 0), 0, 0);
	NO_MISSES(m);
	it_free(r);
	r = bw(w.admin, "GET", NULL, "/api/mikrotik/bandwidth-history?router_id=%lld&hours=4", up);
	EXPECT(r, 200);
	ck_assert_int_eq(it_int(r, "count"), 3);
	it_free(r);
	r = bw(w.admin, "GET", NULL, "/api/mikrotik/bandwidth-history?router_id=%lld", down);
	expect_detail(r, 504);
	ck_assert_msg(strstr(it_str(r, "detail"), "did not answer") != NULL, "%s", r->body);
	it_free(r);
	r = bw(w.admin, "GET", NULL, "/api/mikrotik/bandwidth-history?router_id=999999999");
	expect_detail(r, 404);
	it_free(r);
	r = bw(w.admin, "GET", NULL, "/api/mikrotik/bandwidth-history?router_id=%lld&hours=0", up);
	expect_422(r, "query", "hours");
	it_free(r);
	r = bw(w.admin, "GET", NULL,
	    "/api/mikrotik/bandwidth-history?router_id=%lld&interface=ether1,ether2", up);
	expect_422(r, "query", "interface");
	it_free(r);
	r = bw(NULL, "GET", NULL, "/api/mikrotik/bandwidth-history?router_id=%lld", up);
	expect_detail(r, 401);
	it_free(r);
}
END_TEST

START_TEST(top_users)
{
	struct bwworld w;
	struct misses m = { 0 };
	struct resp *r;
	char name[64];
	long long up, down, res;
	yajl_val u;

	bw_world(&w);
	two_routers(w.admin, &up, &down);
	sim_ok("POST", "{\"user\":\"hs-small\",\"address\":\"10.5.0.2\","
	    "\"mac-address\":\"02:00:00:00:05:02\",\"bytes-in\":\"1000\",\"bytes-out\":\"9000\"}",
	    "/routers/v6/menu?path=/ip/hotspot/active");
	sim_ok("POST", "{\"user\":\"hs-big\",\"address\":\"10.5.0.3\","
	    "\"mac-address\":\"02:00:00:00:05:03\",\"bytes-in\":\"40000\",\"bytes-out\":\"60000\"}",
	    "/routers/v6/menu?path=/ip/hotspot/active");
	sim_ok("POST", "{\"name\":\"pp-mid\",\"service\":\"pppoe\",\"caller-id\":\"02:00:00:00:06:01\","
	    "\"address\":\"10.6.0.2\"}", "/routers/v6/menu?path=/ppp/active");
	sim_ok("POST", "{\"interface\":\"<pppoe-pp-mid>\",\"rx_byte\":20000,\"tx_byte\":30000}",
	    "/routers/v6/traffic");

	r = bw(w.admin, "GET", NULL, "/api/mikrotik/top-users?router_id=%lld", up);
	EXPECT(r, 200);
	ck_assert_int_eq(it_int(r, "router_id"), up);
	ck_assert_int_eq(it_int(r, "hotspot_active"), 2);
	ck_assert_int_eq(it_int(r, "ppp_active"), 1);
	ck_assert_int_eq(it_int(r, "total_active"), 3);
	u = it_json(r, "users");
	ck_assert_int_eq(jlen(u), 3);
	/* by bytes, most first */
	ck_assert_str_eq(jstr(jat(u, 0), "username"), "hs-big");
	ck_assert_str_eq(jstr(jat(u, 1), "username"), "pp-mid");
	ck_assert_str_eq(jstr(jat(u, 2), "username"), "hs-small");
	ck_assert_int_eq(jint(jat(u, 0), "total_bytes"), 100000);
	ck_assert_str_eq(jstr(jat(u, 0), "type"), "hotspot");
	ck_assert_str_eq(jstr(jat(u, 0), "mac_address"), "02:00:00:00:05:03");
	ck_assert_str_eq(jstr(jat(u, 1), "type"), "ppp");
	ck_assert_str_eq(jstr(jat(u, 1), "service"), "pppoe");
	ck_assert_str_eq(jstr(jat(u, 1), "address"), "10.6.0.2");
	ck_assert_int_eq(jint(jat(u, 1), "upload_bytes"), 20000);
	ck_assert_int_eq(jint(jat(u, 1), "download_bytes"), 30000);
	ck_assert_int_eq(jint(jat(u, 2), "bytes_in"), 1000);
	ck_assert_int_eq(jint(jat(u, 2), "bytes_out"), 9000);
	ck_assert_int_eq(jint(jat(u, 2), "upload_bytes"), 1000);
	ck_assert_int_eq(jint(jat(u, 2), "download_bytes"), 9000);
	for (size_t i = 0; i < jlen(u); i++) {
		is_str(&m, jat(u, i), "username");
		is_str(&m, jat(u, i), "uptime");
		is_int(&m, jat(u, i), "total_bytes");
	}
	NO_MISSES(m);
	it_free(r);
	r = bw(w.admin, "GET", NULL, "/api/mikrotik/top-users?router_id=%lld&limit=2", up);
	EXPECT(r, 200);
	ck_assert_int_eq(jlen(it_json(r, "users")), 2);
	ck_assert_int_eq(it_int(r, "total_active"), 3);
	it_free(r);

	/* a reseller sees its own routers only */
	res = mk_user(w.su, uniq(name, sizeof(name), "bwtr"), "reseller_admin", 0);
	r = bw(w.admin, "GET", NULL, "/api/mikrotik/top-users?router_id=%lld&user_id=%lld", up,
	    res);
	expect_detail(r, 404);
	it_free(r);
	sql("UPDATE routers SET owner_id = %lld WHERE id = %lld; SELECT 1", res, up);
	r = bw(w.admin, "GET", NULL, "/api/mikrotik/top-users?user_id=%lld", res);
	EXPECT(r, 200);
	ck_assert_int_eq(it_int(r, "router_id"), up);
	it_free(r);

	r = bw(w.admin, "GET", NULL, "/api/mikrotik/top-users?router_id=%lld", down);
	expect_detail(r, 504);
	it_free(r);
	r = bw(w.admin, "GET", NULL, "/api/mikrotik/top-users?router_id=%lld&limit=0", up);
	expect_422(r, "query", "limit");
	it_free(r);
	r = bw(NULL, "GET", NULL, "/api/mikrotik/top-users?router_id=%lld", up);
	expect_detail(r, 401);
	it_free(r);
}
END_TEST

/* ---- calls without a token from a trusted address ---- */

/* The harness trusts 127.0.0.2 (bitwave_trusted_addresses) for tenant
 * "default" (tenant 1); every other test calls from 127.0.0.1. */
START_TEST(trusted_addresses)
{
	struct bwworld w;
	struct resp *r;
	char name[64];
	const char *xff[] = { "X-Forwarded-For: 127.0.0.2", NULL };
	long long cust, res, mine, other_tenant_user, before;

	bw_world(&w);
	cust = native_customer(w.admin, "Trusted's", "0722000311", "02:00:00:00:03:11");
	res = mk_user(w.su, uniq(name, sizeof(name), "bwtres"), "reseller_admin", 0);
	mine = native_customer(w.admin, "Trusted reseller's", "0722000312", "02:00:00:00:03:12");
	sql("UPDATE customers SET owner_id = %lld WHERE id = %lld; SELECT 1", res, mine);

	/* secure by default: not from 127.0.0.1, not by a forwarded header */
	r = bw(NULL, "GET", NULL, "/api/customers?user_id=%lld", w.admin_id);
	expect_detail(r, 401);
	ck_assert_str_eq(it_str(r, "detail"), "Not authenticated");
	it_free(r);
	r = it_http(it_port() + 1, "GET", "/api/customers?user_id=1", NULL, NULL, 0, xff);
	expect_detail(r, 401);
	it_free(r);
	/* nor on another dialect's server */
	it_source("127.0.0.2");
	r = nat(NULL, "GET", NULL, "/api/customers/?user_id=%lld", w.admin_id);
	EXPECT(r, 401);
	it_free(r);

	/* from the trusted address: the user named by user_id */
	before = sql("SELECT COUNT(*) FROM audit_log WHERE action = 'trusted_call' AND "
	    "actor_id = %lld", w.admin_id);
	r = bw(NULL, "GET", NULL, "/api/customers?user_id=%lld", w.admin_id);
	EXPECT(r, 200);
	ck_assert_msg(by_id(r->json, "id", cust) != NULL, "%.600s", r->body);
	it_free(r);
	ck_assert_int_eq(sql("SELECT COUNT(*) FROM audit_log WHERE action = 'trusted_call' AND "
	    "actor_id = %lld AND ip = '127.0.0.2' AND tenant_id = 1", w.admin_id), before + 1);
	ck_assert(it_file_contains("ispbill-fcgi.log", "trusted address 127.0.0.2 as user"));
	/* a reseller named: its own rows only */
	r = bw(NULL, "GET", NULL, "/api/customers?user_id=%lld", res);
	EXPECT(r, 200);
	ck_assert_msg(by_id(r->json, "id", mine) && !by_id(r->json, "id", cust), "%.600s",
	    r->body);
	it_free(r);
	/* permissions still apply: a reseller may not delete the shared catalogue's plans */
	{
		long long plan = bw_plan(w.admin, uniq(name, sizeof(name), "TrustPlan"), NULL);

		r = bw(NULL, "DELETE", NULL, "/api/plans/%lld?user_id=%lld", plan, res);
		ck_assert_msg(r->status == 403 || r->status == 404, "%ld %s", r->status, r->body);
		it_free(r);
		ck_assert_int_eq(sql("SELECT COUNT(*) FROM plans WHERE id = %lld AND deleted_at IS NULL",
		    plan), 1);
	}
	/* no user_id, nobody, another tenant's user, a disabled user: 401 */
	r = bw(NULL, "GET", NULL, "/api/customers");
	expect_detail(r, 401);
	it_free(r);
	r = bw(NULL, "GET", NULL, "/api/customers?user_id=999999999");
	expect_detail(r, 401);
	it_free(r);
	other_tenant_user = sql("SELECT u.id FROM users u WHERE u.tenant_id <> 1 AND "
	    "u.deleted_at IS NULL AND u.is_active = 1 ORDER BY u.id LIMIT 1");
	if (other_tenant_user > 0) {
		r = bw(NULL, "GET", NULL, "/api/customers?user_id=%lld", other_tenant_user);
		expect_detail(r, 401);
		it_free(r);
	}
	sql("UPDATE users SET is_active = 0 WHERE id = %lld; SELECT 1", res);
	r = bw(NULL, "GET", NULL, "/api/customers?user_id=%lld", res);
	expect_detail(r, 401);
	it_free(r);
	/* a token that does not hold is not helped by the address */
	r = bw("not-a-token", "GET", NULL, "/api/customers?user_id=%lld", w.admin_id);
	expect_detail(r, 401);
	ck_assert_str_eq(it_str(r, "detail"), "Could not validate credentials");
	it_free(r);
	/* and a good token still works from there */
	r = bw(w.admin, "GET", NULL, "/api/customers?user_id=%lld", w.admin_id);
	EXPECT(r, 200);
	it_free(r);
	it_source(NULL);
}
END_TEST

Suite *
suite_bitwave(void)
{
	Suite *s = suite_create("bitwave");
	TCase *tc = tcase_create("bitwave");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, login_and_error_shapes);
	tcase_add_test(tc, plans_create_list_delete);
	tcase_add_test(tc, plan_performance);
	tcase_add_test(tc, customers_from_native);
	tcase_add_test(tc, resellers_and_tenants);
	tcase_add_test(tc, mpesa_and_dashboard);
	tcase_add_test(tc, routers_and_hotspot_users);
	tcase_add_test(tc, panel_extras);
	tcase_add_test(tc, bandwidth_history);
	tcase_add_test(tc, top_users);
	tcase_add_test(tc, trusted_addresses);
	suite_add_tcase(s, tc);
	return s;
}
