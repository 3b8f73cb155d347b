/* t_billing.c - the billing core of the native dialect over real nginx +
 * MariaDB: customers (phones, MACs, account numbers, filters), plans and
 * routers (000's speeds, sealed passwords, delete guards), subscriptions
 * (dates, state changes and the router jobs they write), invoices and
 * payments (numbers, totals, paying and refunding), tickets and leads,
 * who may see and change what (roles, tenants, resellers), and bad input
 * that must be a 400 and never a 500.  Every test makes what it needs under
 * unique names with users of its own (a Bearer token has 1000 requests an
 * hour), so it runs on its own and after any other. */
#include "config.h"

#include <ctype.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "db/db.h"
#include "util/conf.h"
#include "itest.h"

#define PW      "It-Passw0rd-one"
#define TOK     1024            /* room for an access token */

/* ---- names ---- */


/* ---- our own database connection ---- */

/* Run one statement; the first column of the first row as a number (0 when
 * there is none), or -1 on error.  With out, that column as text too. */
static long long
db_do_text(const char *sql, char *out, size_t n)
{
	struct config cfg;
	struct db db;
	struct arena a;
	struct db_result r;
	char path[1024], err[256];
	long long v = -1;

	if (out && n)
		out[0] = '\0';
	memset(&cfg, 0, sizeof(cfg));
	snprintf(path, sizeof(path), "%s/ispbill.conf", it_dir());
	if (config_load(&cfg, path, err, sizeof(err)) != 0) {
		fprintf(stderr, "t_billing: %s\n", err);
		config_free(&cfg);
		return -1;
	}
	arena_init(&a);
	db_init(&db, &cfg, 0);
	memset(&r, 0, sizeof(r));
	if (db_query(&db, &a, sql, NULL, 0, &r) == 0) {
		v = (r.nrows && r.ncols) ? db_val_int(&r, 0, 0, 0) : 0;
		if (out && n && r.nrows && r.ncols && db_val(&r, 0, 0))
			snprintf(out, n, "%s", db_val(&r, 0, 0));
	} else
		fprintf(stderr, "t_billing: %s: %s\n", sql, db.errmsg);
	db_close(&db);
	arena_free(&a);
	config_free(&cfg);
	return v;
}

static long long
db_do(const char *sql)
{
	return db_do_text(sql, NULL, 0);
}

/* ---- HTTP ---- */

static struct resp *call(const char *method, const char *tok, const char *body,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static long status_of(const char *method, const char *tok, const char *body,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static struct resp *
vcall(const char *method, const char *tok, const char *body, const char *fmt, va_list ap)
{
	char path[4096], auth[TOK + 64];
	const char *hdrs[2] = { NULL, NULL };

	vsnprintf(path, sizeof(path), fmt, ap);
	if (tok) {
		snprintf(auth, sizeof(auth), "Authorization: Bearer %s", tok);
		hdrs[0] = auth;
	}
	return it_http(0, method, path, NULL, body, body ? strlen(body) : 0, hdrs);
}

/* A request as the holder of an access token (NULL: no credential). */
static struct resp *
call(const char *method, const char *tok, const char *body, const char *fmt, ...)
{
	struct resp *r;
	va_list ap;

	va_start(ap, fmt);
	r = vcall(method, tok, body, fmt, ap);
	va_end(ap);
	return r;
}

/* Just the status (never a 500). */
static long
status_of(const char *method, const char *tok, const char *body, const char *fmt, ...)
{
	struct resp *r;
	va_list ap;
	long st;

	va_start(ap, fmt);
	r = vcall(method, tok, body, fmt, ap);
	va_end(ap);
	st = r->status;
	it_free(r);
	ck_assert_msg(st != 500 && st != 0, "%s %s answered %ld", method, fmt, st);
	return st;
}

/* ---- assertions on answers ---- */

#define EXPECT_STATUS(r, st) \
	ck_assert_msg((r)->status == (st), "HTTP %ld, expected %d: %.900s", \
	    (r)->status, (int)(st), (r)->body)

#define EXPECT_ERROR(r, st, code) do { \
	EXPECT_STATUS(r, st); \
	ck_assert_msg(it_bool(r, "success") == 0 && it_is_null(r, "data") && \
	    it_str(r, "error_code") && strcmp(it_str(r, "error_code"), (code)) == 0, \
	    "expected error_code %s: %.900s", (code), (r)->body); \
} while (0)

/* 400 VALIDATION_ERROR with errors.<field> */
#define EXPECT_FIELD(r, field) do { \
	EXPECT_ERROR(r, 400, "VALIDATION_ERROR"); \
	ck_assert_msg(names_field(r, field), "expected an error naming \"%s\": %.900s", \
	    (field), (r)->body); \
} while (0)

/* ---- JSON ---- */

/* a decimal may come back as a string or as a number */
static int
decimal_is(yajl_val v, const char *want)
{
	if (v && YAJL_IS_STRING(v))
		return strtod(v->u.string, NULL) == strtod(want, NULL);
	if (v && YAJL_IS_NUMBER(v))
		return strtod(v->u.number.r, NULL) == strtod(want, NULL);
	return 0;
}

static const char *
dec_text(yajl_val v)
{
	return v == NULL ? "(none)" : YAJL_IS_STRING(v) ? v->u.string :
	    YAJL_IS_NUMBER(v) ? v->u.number.r : "(not a number)";
}

#define EXPECT_DEC(r, path, want) \
	ck_assert_msg(decimal_is(it_json(r, path), want), "%s is %s, expected %s: %.600s", \
	    (path), dec_text(it_json(r, path)), (want), (r)->body)

/* ---- logging in, making users and tenants ---- */

static void
login_tok(const char *username, const char *pw, char out[TOK])
{
	char body[512];
	struct resp *r;

	snprintf(body, sizeof(body), "{\"username\":\"%s\",\"password\":\"%s\"}", username, pw);
	r = call("POST", NULL, body, "/api/auth/login/");
	ck_assert_msg(r->status == 200 && it_str(r, "data/tokens/access"), "login %s: HTTP %ld: %.600s",
	    username, r->status, r->body);
	snprintf(out, TOK, "%s", it_str(r, "data/tokens/access"));
	it_free(r);
}

static void
admin_tok(char out[TOK])
{
	char *t = it_login_admin();

	ck_assert_ptr_nonnull(t);
	snprintf(out, TOK, "%s", t);
	free(t);
}

/* Create a user as tok; extra is more members (",\"k\":v") or NULL.  The id. */
static long long
mk_user(const char *tok, const char *username, const char *type, const char *extra)
{
	char body[2048];
	struct resp *r;
	long long id;

	snprintf(body, sizeof(body), "{\"username\":\"%s\",\"email\":\"%s@example.org\","
	    "\"password\":\"" PW "\",\"password_confirm\":\"" PW "\",\"user_type\":\"%s\"%s}",
	    username, username, type, extra ? extra : "");
	r = call("POST", tok, body, "/api/auth/users/");
	ck_assert_msg(r->status == 201, "create user %s: HTTP %ld: %.600s", username, r->status,
	    r->body);
	id = it_int(r, "data/id");
	it_free(r);
	ck_assert_int_gt(id, 0);
	return id;
}

/* A user of a fresh name; its name in out. */
static long long
mk_named(const char *tok, const char *prefix, const char *type, char *out, size_t n)
{
	return mk_user(tok, uniq(out, n, prefix), type, NULL);
}

/* A fresh tenant-1 user of a type, logged in; its id. */
static long long
staff(const char *su, const char *type, char tok[TOK])
{
	char name[64];
	long long id = mk_named(su, "bl", type, name, sizeof(name));

	login_tok(name, PW, tok);
	return id;
}

/* A fresh admin of tenant 1 (spares the super admin's hourly budget). */
static void
admin_of_t1(char tok[TOK])
{
	char su[TOK];

	admin_tok(su);
	staff(su, "admin", tok);
}

/* ---- billing objects ---- */

/* POST a body and expect 201; the new id. */
static long long
mk_obj(const char *tok, const char *path, const char *body)
{
	struct resp *r = call("POST", tok, body, "%s", path);
	long long id;

	ck_assert_msg(r->status == 201, "POST %s %s: HTTP %ld: %.600s", path, body, r->status, r->body);
	id = it_int(r, "data/id");
	it_free(r);
	ck_assert_int_gt(id, 0);
	return id;
}

/* a customer; extra is more members (",\"k\":v") or NULL */
static long long
mk_customer(const char *tok, const char *extra)
{
	char body[2048], name[64];

	snprintf(body, sizeof(body), "{\"name\":\"%s\"%s}", uniq(name, sizeof(name), "Cust "),
	    extra ? extra : "");
	return mk_obj(tok, "/api/customers/", body);
}

/* 000's one-hour hotspot plan at 50, or a plan with extra members */
static long long
mk_plan(const char *tok, const char *extra)
{
	char body[2048], name[64];

	snprintf(body, sizeof(body), "{\"name\":\"%s\",\"speed\":\"5M/2M\",\"price\":50,%s}",
	    uniq(name, sizeof(name), "Plan "), extra ? extra :
	    "\"duration_value\":1,\"duration_unit\":\"HOURS\",\"connection_type\":\"hotspot\"");
	return mk_obj(tok, "/api/plans/", body);
}

static long long
mk_router(const char *tok)
{
	char body[1024], name[64];

	snprintf(body, sizeof(body), "{\"name\":\"%s\",\"host\":\"10.0.0.1\",\"username\":\"api\"}",
	    uniq(name, sizeof(name), "rt"));
	return mk_obj(tok, "/api/network/routers/", body);
}

static long long
mk_sub(const char *tok, long long cust, long long plan, long long router, const char *extra)
{
	char body[1024];

	snprintf(body, sizeof(body), "{\"customer_id\":%lld,\"plan_id\":%lld,\"router_id\":%lld%s}",
	    cust, plan, router, extra ? extra : "");
	return mk_obj(tok, "/api/subscriptions/", body);
}

static long long
mk_invoice(const char *tok, long long cust, const char *subtotal)
{
	char body[512];

	snprintf(body, sizeof(body), "{\"customer_id\":%lld,\"subtotal\":\"%s\"}", cust, subtotal);
	return mk_obj(tok, "/api/billing/invoices/", body);
}

/* ==== customers ==== */

START_TEST(customers_create_with_every_documents_fields)
{
	char tok[TOK], mail[128], body[2048];
	struct resp *r;
	long long id;
	const char *acct;

	admin_of_t1(tok);
	uniq(mail, sizeof(mail), "cu");
	strcat(mail, "@example.org");
	snprintf(body, sizeof(body), "{\"name\":\"Jane Wanjiku\",\"email\":\"%s\","
	    "\"phone\":\"0712345678\",\"address\":\"12 Moi Avenue\",\"city\":\"Nairobi\","
	    "\"country\":\"Kenya\",\"account_type\":\"business\",\"status\":\"active\","
	    "\"company_name\":\"Wanjiku Ltd\",\"tax_id\":\"P051234567X\",\"state\":\"Nairobi County\","
	    "\"postal_code\":\"00100\"}", mail);
	r = call("POST", tok, body, "/api/customers/");
	EXPECT_STATUS(r, 201);
	ck_assert_int_eq(it_bool(r, "success"), 1);
	id = it_int(r, "data/id");
	ck_assert_int_gt(id, 0);
	ck_assert_str_eq(it_str(r, "data/name"), "Jane Wanjiku");
	ck_assert_str_eq(it_str(r, "data/email"), mail);
	ck_assert_str_eq(it_str(r, "data/phone"), "254712345678");
	ck_assert_str_eq(it_str(r, "data/address"), "12 Moi Avenue");
	ck_assert_str_eq(it_str(r, "data/city"), "Nairobi");
	ck_assert_str_eq(it_str(r, "data/country"), "Kenya");
	ck_assert_str_eq(it_str(r, "data/account_type"), "business");
	ck_assert_str_eq(it_str(r, "data/status"), "active");
	ck_assert_str_eq(it_str(r, "data/company_name"), "Wanjiku Ltd");
	ck_assert_str_eq(it_str(r, "data/tax_id"), "P051234567X");
	ck_assert_str_eq(it_str(r, "data/state"), "Nairobi County");
	ck_assert_str_eq(it_str(r, "data/postal_code"), "00100");
	acct = it_str(r, "data/account_number");
	ck_assert_ptr_nonnull(acct);
	ck_assert_msg(strlen(acct) == 11 && strncmp(acct, "CUST-", 5) == 0 &&
	    strspn(acct + 5, "0123456789") == 6, "account_number %s", acct);
	it_free(r);

	/* the same on a read, and a second customer gets another number */
	r = call("GET", tok, NULL, "/api/customers/%lld/", id);
	EXPECT_STATUS(r, 200);
	ck_assert_int_eq(it_int(r, "data/id"), id);
	ck_assert_str_eq(it_str(r, "data/company_name"), "Wanjiku Ltd");
	ck_assert_str_eq(it_str(r, "data/postal_code"), "00100");
	ck_assert_str_eq(it_str(r, "data/phone"), "254712345678");
	{
		char first[32];
		struct resp *r2;
		long long id2 = mk_customer(tok, NULL);

		snprintf(first, sizeof(first), "%s", it_str(r, "data/account_number"));
		r2 = call("GET", tok, NULL, "/api/customers/%lld/", id2);
		EXPECT_STATUS(r2, 200);
		ck_assert_ptr_nonnull(it_str(r2, "data/account_number"));
		ck_assert_str_ne(it_str(r2, "data/account_number"), first);
		ck_assert_int_eq(strncmp(it_str(r2, "data/account_number"), "CUST-", 5), 0);
		it_free(r2);
	}
	it_free(r);

	/* name is required */
	r = call("POST", tok, "{\"city\":\"Nairobi\"}", "/api/customers/");
	EXPECT_FIELD(r, "name");
	it_free(r);
}
END_TEST

START_TEST(customers_phone_and_mac_have_one_form)
{
	static const char *const forms[] = { "0712345678", "+254712345678", "254 712 345 678" };
	char tok[TOK], city[64], extra[256];
	long long ids[3], bd;
	struct resp *r;

	admin_of_t1(tok);
	uniq(city, sizeof(city), "Phonetown");
	for (int i = 0; i < 3; i++) {
		snprintf(extra, sizeof(extra), ",\"phone\":\"%s\",\"city\":\"%s\"", forms[i], city);
		ids[i] = mk_customer(tok, extra);
		r = call("GET", tok, NULL, "/api/customers/%lld/", ids[i]);
		EXPECT_STATUS(r, 200);
		ck_assert_msg(it_str(r, "data/phone") && !strcmp(it_str(r, "data/phone"), "254712345678"),
		    "phone %s stored as %s", forms[i], it_str(r, "data/phone"));
		it_free(r);
	}
	/* found by the national form and by the stored one */
	r = call("GET", tok, NULL, "/api/customers/?search=0712345678&city=%s&page_size=100", city);
	EXPECT_STATUS(r, 200);
	ck_assert_int_eq(total(r), 3);
	for (int i = 0; i < 3; i++)
		ck_assert_ptr_nonnull(find_int(r, "id", ids[i]));
	it_free(r);
	r = call("GET", tok, NULL, "/api/customers/?phone=254712345678&city=%s", city);
	EXPECT_STATUS(r, 200);
	ck_assert_int_eq(total(r), 3);
	for (int i = 0; i < 3; i++)
		ck_assert_ptr_nonnull(find_int(r, "id", ids[i]));
	it_free(r);
	r = call("GET", tok, NULL, "/api/customers/?phone=254700000001&city=%s", city);
	EXPECT_STATUS(r, 200);
	ck_assert_int_eq(total(r), 0);
	it_free(r);

	/* Bangladesh */
	bd = mk_customer(tok, ",\"phone\":\"01712345678\"");
	r = call("GET", tok, NULL, "/api/customers/%lld/", bd);
	EXPECT_STATUS(r, 200);
	ck_assert_str_eq(it_str(r, "data/phone"), "8801712345678");
	it_free(r);

	/* not phones */
	r = call("POST", tok, "{\"name\":\"Bad Phone\",\"phone\":\"12ab\"}", "/api/customers/");
	EXPECT_FIELD(r, "phone");
	it_free(r);
	r = call("POST", tok, "{\"name\":\"Bad Phone\",\"phone\":\"0812345678\"}", "/api/customers/");
	EXPECT_FIELD(r, "phone");
	it_free(r);
	r = call("PATCH", tok, "{\"phone\":\"+2547123\"}", "/api/customers/%lld/", bd);
	EXPECT_FIELD(r, "phone");
	it_free(r);

	/* MAC */
	r = call("POST", tok, "{\"name\":\"Mac Owner\",\"mac_address\":\"aa-bb-cc-dd-ee-ff\"}",
	    "/api/customers/");
	EXPECT_STATUS(r, 201);
	ck_assert_str_eq(it_str(r, "data/mac_address"), "AA:BB:CC:DD:EE:FF");
	it_free(r);
	r = call("POST", tok, "{\"name\":\"Mac Owner\",\"mac_address\":\"aa-bb-cc-dd-ee\"}",
	    "/api/customers/");
	EXPECT_FIELD(r, "mac_address");
	it_free(r);
}
END_TEST

/* a customer of a given name in a city */
static long long
mk_cust_in(const char *tok, const char *name, const char *city, const char *more)
{
	char body[1024];

	snprintf(body, sizeof(body), "{\"name\":\"%s\",\"city\":\"%s\"%s}", name, city,
	    more ? more : "");
	return mk_obj(tok, "/api/customers/", body);
}

START_TEST(customers_filter_order_search)
{
	char tok[TOK], city[64], tag[64], name[128], more[256];
	long long a, b, c;
	struct resp *r;
	yajl_val l;

	admin_of_t1(tok);
	uniq(city, sizeof(city), "Filtercity");
	uniq(tag, sizeof(tag), "zq");
	snprintf(name, sizeof(name), "Bravo %s", tag);
	snprintf(more, sizeof(more), ",\"status\":\"active\",\"account_type\":\"business\"");
	b = mk_cust_in(tok, name, city, more);
	snprintf(name, sizeof(name), "Alpha %s", tag);
	snprintf(more, sizeof(more), ",\"status\":\"suspended\",\"account_type\":\"residential\","
	    "\"company_name\":\"Acme %s\"", tag);
	a = mk_cust_in(tok, name, city, more);
	snprintf(name, sizeof(name), "Charlie %s", tag);
	snprintf(more, sizeof(more), ",\"status\":\"active\",\"account_type\":\"residential\"");
	c = mk_cust_in(tok, name, city, more);
	/* one elsewhere, that no filter on the city may find */
	snprintf(name, sizeof(name), "Delta %s", tag);
	mk_cust_in(tok, name, "Elsewhere", ",\"status\":\"active\"");

	r = call("GET", tok, NULL, "/api/customers/?city=%s", city);
	EXPECT_STATUS(r, 200);
	ck_assert_int_eq(total(r), 3);
	ck_assert_int_eq(jlen(items(r)), 3);
	it_free(r);

	r = call("GET", tok, NULL, "/api/customers/?city=%s&status=active", city);
	EXPECT_STATUS(r, 200);
	ck_assert_int_eq(total(r), 2);
	ck_assert_ptr_nonnull(find_int(r, "id", b));
	ck_assert_ptr_nonnull(find_int(r, "id", c));
	ck_assert_ptr_null(find_int(r, "id", a));
	it_free(r);

	r = call("GET", tok, NULL, "/api/customers/?city=%s&account_type=residential", city);
	EXPECT_STATUS(r, 200);
	ck_assert_int_eq(total(r), 2);
	ck_assert_ptr_nonnull(find_int(r, "id", a));
	ck_assert_ptr_nonnull(find_int(r, "id", c));
	it_free(r);

	r = call("GET", tok, NULL, "/api/customers/?city=%s&account_type=residential&status=suspended",
	    city);
	EXPECT_STATUS(r, 200);
	ck_assert_int_eq(total(r), 1);
	ck_assert_int_eq(jint(jat(items(r), 0), "id"), a);
	it_free(r);

	/* ordering by name, both ways */
	r = call("GET", tok, NULL, "/api/customers/?city=%s&ordering=name", city);
	EXPECT_STATUS(r, 200);
	l = items(r);
	ck_assert_int_eq(jlen(l), 3);
	ck_assert_int_eq(jint(jat(l, 0), "id"), a);
	ck_assert_int_eq(jint(jat(l, 1), "id"), b);
	ck_assert_int_eq(jint(jat(l, 2), "id"), c);
	it_free(r);
	r = call("GET", tok, NULL, "/api/customers/?city=%s&ordering=-name", city);
	EXPECT_STATUS(r, 200);
	l = items(r);
	ck_assert_int_eq(jlen(l), 3);
	ck_assert_int_eq(jint(jat(l, 0), "id"), c);
	ck_assert_int_eq(jint(jat(l, 2), "id"), a);
	it_free(r);

	/* search: names and company names */
	r = call("GET", tok, NULL, "/api/customers/?search=%s", tag);
	EXPECT_STATUS(r, 200);
	ck_assert_int_eq(total(r), 4);
	it_free(r);
	r = call("GET", tok, NULL, "/api/customers/?search=Charlie%%20%s", tag);
	EXPECT_STATUS(r, 200);
	ck_assert_int_eq(total(r), 1);
	ck_assert_int_eq(jint(jat(items(r), 0), "id"), c);
	it_free(r);
	r = call("GET", tok, NULL, "/api/customers/?search=Acme%%20%s", tag);
	EXPECT_STATUS(r, 200);
	ck_assert_int_eq(total(r), 1);
	ck_assert_int_eq(jint(jat(items(r), 0), "id"), a);
	it_free(r);
	/* and by the account number */
	r = call("GET", tok, NULL, "/api/customers/%lld/", b);
	EXPECT_STATUS(r, 200);
	{
		char acct[32];
		struct resp *r2;

		snprintf(acct, sizeof(acct), "%s", it_str(r, "data/account_number"));
		r2 = call("GET", tok, NULL, "/api/customers/?search=%s", acct);
		EXPECT_STATUS(r2, 200);
		ck_assert_int_eq(total(r2), 1);
		ck_assert_int_eq(jint(jat(items(r2), 0), "id"), b);
		it_free(r2);
	}
	it_free(r);
}
END_TEST

START_TEST(customers_patch_and_delete)
{
	char tok[TOK], city[64];
	long long id;
	struct resp *r;

	admin_of_t1(tok);
	uniq(city, sizeof(city), "Patchcity");
	id = mk_cust_in(tok, "Patch Me", city, ",\"status\":\"active\"");
	r = call("PATCH", tok, "{\"status\":\"suspended\"}", "/api/customers/%lld/", id);
	EXPECT_STATUS(r, 200);
	ck_assert_str_eq(it_str(r, "data/status"), "suspended");
	ck_assert_int_eq(it_bool(r, "data/is_suspended"), 1);
	ck_assert_int_eq(it_bool(r, "data/is_active"), 0);
	ck_assert_str_eq(it_str(r, "data/name"), "Patch Me");
	it_free(r);
	r = call("GET", tok, NULL, "/api/customers/?city=%s&status=suspended", city);
	EXPECT_STATUS(r, 200);
	ck_assert_int_eq(total(r), 1);
	it_free(r);
	r = call("PATCH", tok, "{\"status\":\"sleeping\"}", "/api/customers/%lld/", id);
	EXPECT_FIELD(r, "status");
	it_free(r);

	r = call("DELETE", tok, NULL, "/api/customers/%lld/", id);
	EXPECT_STATUS(r, 200);
	ck_assert_int_eq(it_bool(r, "success"), 1);
	ck_assert(it_is_null(r, "data"));
	it_free(r);
	r = call("GET", tok, NULL, "/api/customers/%lld/", id);
	EXPECT_ERROR(r, 404, "NOT_FOUND");
	it_free(r);
	ck_assert_int_eq(status_of("PATCH", tok, "{\"status\":\"active\"}", "/api/customers/%lld/", id),
	    404);
	ck_assert_int_eq(status_of("DELETE", tok, NULL, "/api/customers/%lld/", id), 404);
	r = call("GET", tok, NULL, "/api/customers/?city=%s", city);
	EXPECT_STATUS(r, 200);
	ck_assert_int_eq(total(r), 0);
	it_free(r);
}
END_TEST

/* ==== plans and routers ==== */

START_TEST(plans_000_hotspot_pass)
{
	char tok[TOK], name[64], body[512];
	struct resp *r;
	long long id;

	admin_of_t1(tok);
	uniq(name, sizeof(name), "Hour pass ");
	snprintf(body, sizeof(body), "{\"name\":\"%s\",\"speed\":\"5M/2M\",\"price\":50,"
	    "\"duration_value\":1,\"duration_unit\":\"HOURS\",\"connection_type\":\"hotspot\"}", name);
	r = call("POST", tok, body, "/api/plans/");
	EXPECT_STATUS(r, 201);
	id = it_int(r, "data/id");
	ck_assert_int_gt(id, 0);
	ck_assert_str_eq(it_str(r, "data/name"), name);
	ck_assert_int_eq(it_int(r, "data/download_speed"), 5);
	ck_assert_int_eq(it_int(r, "data/upload_speed"), 2);
	ck_assert_str_eq(it_str(r, "data/speed_unit"), "mbps");
	ck_assert_str_eq(it_str(r, "data/speed"), "5M/2M");
	ck_assert_int_eq(it_int(r, "data/duration_value"), 1);
	ck_assert_str_eq(it_str(r, "data/duration_unit"), "hours");
	ck_assert_str_eq(it_str(r, "data/connection_type"), "hotspot");
	EXPECT_DEC(r, "data/price", "50");
	it_free(r);
	r = call("GET", tok, NULL, "/api/plans/%lld/", id);
	EXPECT_STATUS(r, 200);
	ck_assert_str_eq(it_str(r, "data/speed"), "5M/2M");
	ck_assert_str_eq(it_str(r, "data/duration_unit"), "hours");
	it_free(r);

	/* kilobits stay kilobits */
	snprintf(body, sizeof(body), "{\"name\":\"%s k\",\"speed\":\"512k/256k\",\"price\":5,"
	    "\"duration_value\":30,\"duration_unit\":\"minutes\"}", name);
	r = call("POST", tok, body, "/api/plans/");
	EXPECT_STATUS(r, 201);
	ck_assert_int_eq(it_int(r, "data/download_speed"), 512);
	ck_assert_int_eq(it_int(r, "data/upload_speed"), 256);
	ck_assert_str_eq(it_str(r, "data/speed_unit"), "kbps");
	ck_assert_str_eq(it_str(r, "data/speed"), "512k/256k");
	it_free(r);
}
END_TEST

START_TEST(plans_monthly_and_validation)
{
	char tok[TOK], name[64], body[1024];
	struct resp *r;

	admin_of_t1(tok);
	uniq(name, sizeof(name), "Home 20 ");
	snprintf(body, sizeof(body), "{\"name\":\"%s\",\"download_speed\":20,\"upload_speed\":10,"
	    "\"speed_unit\":\"mbps\",\"price\":\"1500.00\",\"billing_cycle\":\"monthly\","
	    "\"data_quota\":100,\"quota_unit\":\"gb\",\"setup_fee\":\"500.00\","
	    "\"connection_type\":\"pppoe\"}", name);
	r = call("POST", tok, body, "/api/plans/");
	EXPECT_STATUS(r, 201);
	ck_assert_str_eq(it_str(r, "data/billing_cycle"), "monthly");
	ck_assert_int_eq(it_int(r, "data/data_quota"), 100);
	ck_assert_str_eq(it_str(r, "data/quota_unit"), "gb");
	EXPECT_DEC(r, "data/setup_fee", "500.00");
	EXPECT_DEC(r, "data/price", "1500.00");
	ck_assert_str_eq(it_str(r, "data/speed"), "20M/10M");
	ck_assert_str_eq(it_str(r, "data/connection_type"), "pppoe");
	ck_assert(it_is_null(r, "data/duration_value"));
	ck_assert_str_eq(it_str(r, "data/formatted_quota"), "100 GB");
	ck_assert_int_eq(it_bool(r, "data/is_unlimited"), 0);
	it_free(r);

	/* neither a duration nor a cycle */
	snprintf(body, sizeof(body), "{\"name\":\"%s x\",\"speed\":\"5M/2M\",\"price\":50}", name);
	r = call("POST", tok, body, "/api/plans/");
	EXPECT_FIELD(r, "duration_value");
	it_free(r);
	/* not speeds */
	static const char *const bad[] = { "fast", "5M", "5M/2M/1M", "5X/2M", "/2M", NULL };
	for (int i = 0; bad[i]; i++) {
		snprintf(body, sizeof(body), "{\"name\":\"%s y\",\"speed\":\"%s\",\"price\":50,"
		    "\"billing_cycle\":\"monthly\"}", name, bad[i]);
		r = call("POST", tok, body, "/api/plans/");
		ck_assert_msg(r->status == 400 && names_field(r, "speed"), "speed %s: HTTP %ld: %.400s",
		    bad[i], r->status, r->body);
		it_free(r);
	}
	/* none of those was made */
	{
		char enc[128];

		r = call("GET", tok, NULL, "/api/plans/?search=%s", urlenc(name, enc, sizeof(enc)));
	}
	EXPECT_STATUS(r, 200);
	ck_assert_int_eq(total(r), 1);
	it_free(r);
}
END_TEST

START_TEST(plans_in_use_cannot_be_deleted)
{
	char tok[TOK];
	long long plan, cust, rt, sub;
	struct resp *r;

	admin_of_t1(tok);
	plan = mk_plan(tok, NULL);
	cust = mk_customer(tok, NULL);
	rt = mk_router(tok);
	sub = mk_sub(tok, cust, plan, rt, ",\"status\":\"active\"");
	r = call("DELETE", tok, NULL, "/api/plans/%lld/", plan);
	EXPECT_ERROR(r, 409, "RESOURCE_CONFLICT");
	ck_assert_msg(strstr(r->body, "Cannot delete plan. 1 active customer(s) are using this plan"),
	    "%.600s", r->body);
	it_free(r);
	r = call("GET", tok, NULL, "/api/plans/%lld/", plan);
	EXPECT_STATUS(r, 200);
	ck_assert_int_eq(it_int(r, "data/active_subscriptions_count"), 1);
	it_free(r);

	r = call("POST", tok, NULL, "/api/subscriptions/%lld/cancel/", sub);
	EXPECT_STATUS(r, 200);
	ck_assert_str_eq(it_str(r, "data/status"), "cancelled");
	it_free(r);
	r = call("DELETE", tok, NULL, "/api/plans/%lld/", plan);
	EXPECT_STATUS(r, 200);
	it_free(r);
	ck_assert_int_eq(status_of("GET", tok, NULL, "/api/plans/%lld/", plan), 404);
}
END_TEST

/* the router's password never shows, in any answer */
START_TEST(routers_password_is_sealed_and_hidden)
{
	char tok[TOK], name[64], pw[64], body[512], sql[256];
	struct resp *r;
	long long id;

	admin_of_t1(tok);
	uniq(name, sizeof(name), "rtpw");
	uniq(pw, sizeof(pw), "Plain-Secret-");
	snprintf(body, sizeof(body), "{\"name\":\"%s\",\"host\":\"10.1.2.3\",\"username\":\"api\","
	    "\"password\":\"%s\",\"router_type\":\"mikrotik\"}", name, pw);
	r = call("POST", tok, body, "/api/network/routers/");
	EXPECT_STATUS(r, 201);
	id = it_int(r, "data/id");
	ck_assert_str_eq(it_str(r, "data/password"), "***hidden***");
	ck_assert_ptr_null(strstr(r->body, pw));
	ck_assert_str_eq(it_str(r, "data/host"), "10.1.2.3");
	it_free(r);

	r = call("GET", tok, NULL, "/api/network/routers/%lld/", id);
	EXPECT_STATUS(r, 200);
	ck_assert_str_eq(it_str(r, "data/password"), "***hidden***");
	ck_assert_ptr_null(strstr(r->body, pw));
	it_free(r);
	r = call("GET", tok, NULL, "/api/network/routers/?search=%s", name);
	EXPECT_STATUS(r, 200);
	ck_assert_int_eq(total(r), 1);
	ck_assert_str_eq(jstr(jat(items(r), 0), "password"), "***hidden***");
	ck_assert_ptr_null(strstr(r->body, pw));
	it_free(r);
	r = call("PATCH", tok, "{\"location\":\"Roof\"}", "/api/network/routers/%lld/", id);
	EXPECT_STATUS(r, 200);
	ck_assert_str_eq(it_str(r, "data/password"), "***hidden***");
	ck_assert_str_eq(it_str(r, "data/location"), "Roof");
	ck_assert_ptr_null(strstr(r->body, pw));
	it_free(r);

	/* at rest it is not the plain text */
	snprintf(sql, sizeof(sql), "SELECT password_enc IS NOT NULL AND password_enc <> '%s' AND "
	    "LOCATE('%s', password_enc) = 0 FROM routers WHERE id = %lld", pw, pw, id);
	ck_assert_int_eq(db_do(sql), 1);

	/* a new password is sealed too; null clears it */
	uniq(pw, sizeof(pw), "Other-Secret-");
	snprintf(body, sizeof(body), "{\"password\":\"%s\"}", pw);
	r = call("PATCH", tok, body, "/api/network/routers/%lld/", id);
	EXPECT_STATUS(r, 200);
	ck_assert_str_eq(it_str(r, "data/password"), "***hidden***");
	ck_assert_ptr_null(strstr(r->body, pw));
	it_free(r);
	snprintf(sql, sizeof(sql), "SELECT LOCATE('%s', password_enc) FROM routers WHERE id = %lld",
	    pw, id);
	ck_assert_int_eq(db_do(sql), 0);
	r = call("PATCH", tok, "{\"password\":null}", "/api/network/routers/%lld/", id);
	EXPECT_STATUS(r, 200);
	ck_assert(it_is_null(r, "data/password"));
	it_free(r);
}
END_TEST

START_TEST(routers_callback_key_only_in_the_detail_get)
{
	char tok[TOK], name[64], body[512], key[64];
	struct resp *r;
	long long id;
	int in_create;

	admin_of_t1(tok);
	uniq(name, sizeof(name), "rtck");
	snprintf(body, sizeof(body), "{\"name\":\"%s\",\"host\":\"10.1.2.4\"}", name);
	r = call("POST", tok, body, "/api/network/routers/");
	EXPECT_STATUS(r, 201);
	id = it_int(r, "data/id");
	in_create = jget(it_json(r, "data"), "callback_key") != NULL;
	it_free(r);
	r = call("GET", tok, NULL, "/api/network/routers/%lld/", id);
	EXPECT_STATUS(r, 200);
	ck_assert_ptr_nonnull(it_str(r, "data/callback_key"));
	snprintf(key, sizeof(key), "%s", it_str(r, "data/callback_key"));
	ck_assert_int_eq(strlen(key), 32);
	ck_assert_int_eq(strspn(key, "0123456789abcdef"), 32);
	it_free(r);
	r = call("GET", tok, NULL, "/api/network/routers/?search=%s", name);
	EXPECT_STATUS(r, 200);
	ck_assert_int_eq(total(r), 1);
	ck_assert_ptr_null(jget(jat(items(r), 0), "callback_key"));
	ck_assert_ptr_null(strstr(r->body, key));
	it_free(r);
	/* nor in the answers to a create or a change */
	r = call("PATCH", tok, "{\"notes\":\"n\"}", "/api/network/routers/%lld/", id);
	EXPECT_STATUS(r, 200);
	ck_assert_msg(strstr(r->body, key) == NULL && !in_create, "callback_key shown in the answer "
	    "to the POST (%s) and to the PATCH (%s)", in_create ? "yes" : "no",
	    strstr(r->body, key) ? "yes" : "no");
	it_free(r);
}
END_TEST

START_TEST(routers_unique_name_and_delete_guard)
{
	char tok[TOK], name[64], body[512];
	struct resp *r;
	long long rt, plan, cust, sub;

	admin_of_t1(tok);
	uniq(name, sizeof(name), "rtdup");
	snprintf(body, sizeof(body), "{\"name\":\"%s\",\"host\":\"10.1.2.5\"}", name);
	rt = mk_obj(tok, "/api/network/routers/", body);
	r = call("POST", tok, body, "/api/network/routers/");
	EXPECT_FIELD(r, "name");
	it_free(r);
	/* host is required */
	snprintf(body, sizeof(body), "{\"name\":\"%s-2\"}", name);
	r = call("POST", tok, body, "/api/network/routers/");
	EXPECT_FIELD(r, "host");
	it_free(r);

	plan = mk_plan(tok, NULL);
	cust = mk_customer(tok, NULL);
	sub = mk_sub(tok, cust, plan, rt, ",\"status\":\"active\"");
	r = call("DELETE", tok, NULL, "/api/network/routers/%lld/", rt);
	EXPECT_ERROR(r, 409, "RESOURCE_CONFLICT");
	it_free(r);
	ck_assert_int_eq(status_of("GET", tok, NULL, "/api/network/routers/%lld/", rt), 200);
	ck_assert_int_eq(status_of("POST", tok, NULL, "/api/subscriptions/%lld/cancel/", sub), 200);
	r = call("DELETE", tok, NULL, "/api/network/routers/%lld/", rt);
	EXPECT_STATUS(r, 200);
	it_free(r);
	ck_assert_int_eq(status_of("GET", tok, NULL, "/api/network/routers/%lld/", rt), 404);
}
END_TEST

/* ==== subscriptions ==== */

/* a subscription's start and end as times (0 when absent) */
static void
sub_dates(const struct resp *r, time_t *start, time_t *end)
{
	*start = iso_time(it_str(r, "data/start_date"));
	*end = iso_time(it_str(r, "data/end_date"));
}

static struct resp *
sub_do(const char *tok, long long id, const char *action)
{
	return call("POST", tok, NULL, "/api/subscriptions/%lld/%s/", id, action);
}

START_TEST(subs_lifecycle_dates_and_jobs)
{
	char tok[TOK], uname[64], body[256];
	long long plan, cust, rt, id;
	time_t s0, e0, s1, e1, now;
	struct resp *r;
	yajl_val l;

	admin_of_t1(tok);
	plan = mk_plan(tok, NULL);
	cust = mk_customer(tok, NULL);
	rt = mk_router(tok);
	snprintf(body, sizeof(body), "{\"customer_id\":%lld,\"plan_id\":%lld,\"router_id\":%lld}",
	    cust, plan, rt);
	r = call("POST", tok, body, "/api/subscriptions/");
	EXPECT_STATUS(r, 201);
	id = it_int(r, "data/id");
	ck_assert_str_eq(it_str(r, "data/status"), "pending");
	EXPECT_DEC(r, "data/monthly_fee", "50");
	ck_assert_str_eq(it_str(r, "data/access_method"), "hotspot");
	ck_assert_int_eq(it_int(r, "data/customer_id"), cust);
	ck_assert_int_eq(it_int(r, "data/plan_id"), plan);
	ck_assert_int_eq(it_int(r, "data/router_id"), rt);
	ck_assert_ptr_nonnull(it_str(r, "data/username"));
	snprintf(uname, sizeof(uname), "%s", it_str(r, "data/username"));
	it_free(r);

	/* only an active one can be suspended */
	r = sub_do(tok, id, "suspend");
	EXPECT_ERROR(r, 409, "RESOURCE_CONFLICT");
	it_free(r);

	now = time(NULL);
	r = sub_do(tok, id, "activate");
	EXPECT_STATUS(r, 200);
	ck_assert_str_eq(it_str(r, "data/status"), "active");
	sub_dates(r, &s0, &e0);
	ck_assert_msg(s0 > 0 && e0 > 0, "%.600s", r->body);
	ck_assert_int_eq((long long)(e0 - s0), 3600);
	ck_assert_int_le(llabs((long long)(s0 - now)), 60);
	it_free(r);

	/* again: one hour more from the old end */
	r = sub_do(tok, id, "activate");
	EXPECT_STATUS(r, 200);
	ck_assert_str_eq(it_str(r, "data/status"), "active");
	sub_dates(r, &s1, &e1);
	ck_assert_int_eq((long long)(e1 - e0), 3600);
	ck_assert_int_eq((long long)s1, (long long)s0);
	it_free(r);

	r = sub_do(tok, id, "suspend");
	EXPECT_STATUS(r, 200);
	ck_assert_str_eq(it_str(r, "data/status"), "suspended");
	ck_assert_int_eq(it_bool(r, "data/is_suspended"), 1);
	it_free(r);
	r = sub_do(tok, id, "suspend");
	EXPECT_ERROR(r, 409, "RESOURCE_CONFLICT");
	it_free(r);

	/* resumed: the period already paid for, not a new one */
	r = sub_do(tok, id, "activate");
	EXPECT_STATUS(r, 200);
	ck_assert_str_eq(it_str(r, "data/status"), "active");
	sub_dates(r, &s0, &e0);
	ck_assert_int_eq((long long)e0, (long long)e1);
	it_free(r);

	r = sub_do(tok, id, "cancel");
	EXPECT_STATUS(r, 200);
	ck_assert_str_eq(it_str(r, "data/status"), "cancelled");
	it_free(r);
	r = sub_do(tok, id, "activate");
	EXPECT_ERROR(r, 409, "RESOURCE_CONFLICT");
	it_free(r);
	r = sub_do(tok, id, "suspend");
	EXPECT_ERROR(r, 409, "RESOURCE_CONFLICT");
	it_free(r);
	r = call("GET", tok, NULL, "/api/subscriptions/%lld/", id);
	EXPECT_STATUS(r, 200);
	ck_assert_str_eq(it_str(r, "data/status"), "cancelled");
	it_free(r);

	/* the router changes, newest first */
	r = call("GET", tok, NULL, "/api/network/router-jobs/?subscription_id=%lld", id);
	EXPECT_STATUS(r, 200);
	l = items(r);
	ck_assert_msg(jlen(l) == 5, "%zu jobs: %.900s", jlen(l), r->body);
	{
		static const char *const want[] = { "remove", "resume", "suspend", "update", "provision" };

		for (size_t i = 0; i < 5; i++) {
			yajl_val j = jat(l, i), pl = jget(j, "payload");

			ck_assert_msg(jstr(j, "action") && !strcmp(jstr(j, "action"), want[i]),
			    "job %zu is %s, expected %s", i, jstr(j, "action"), want[i]);
			ck_assert_int_eq(jint(j, "subscription_id"), id);
			ck_assert_int_eq(jint(j, "router_id"), rt);
			ck_assert_ptr_nonnull(jstr(pl, "username"));
			ck_assert_str_eq(jstr(pl, "username"), uname);
			ck_assert_ptr_nonnull(jstr(pl, "rate_limit"));
			ck_assert_str_eq(jstr(pl, "rate_limit"), "5M/2M");
		}
	}
	it_free(r);
}
END_TEST

START_TEST(subs_reset_data_and_create_active)
{
	char tok[TOK], sql[256];
	long long plan, cust, rt, id;
	time_t s0, e0;
	struct resp *r;

	admin_of_t1(tok);
	plan = mk_plan(tok, NULL);
	cust = mk_customer(tok, NULL);
	rt = mk_router(tok);

	/* "status":"active" activates at once */
	snprintf(sql, sizeof(sql), "{\"customer_id\":%lld,\"plan_id\":%lld,"
	    "\"router_id\":%lld,\"status\":\"active\"}", cust, plan, rt);
	r = call("POST", tok, sql, "/api/subscriptions/");
	EXPECT_STATUS(r, 201);
	id = it_int(r, "data/id");
	ck_assert_str_eq(it_str(r, "data/status"), "active");
	sub_dates(r, &s0, &e0);
	ck_assert_int_eq((long long)(e0 - s0), 3600);
	it_free(r);
	r = call("GET", tok, NULL, "/api/network/router-jobs/?subscription_id=%lld", id);
	EXPECT_STATUS(r, 200);
	ck_assert_int_eq(total(r), 1);
	ck_assert_str_eq(jstr(jat(items(r), 0), "action"), "provision");
	it_free(r);

	/* used data, then reset */
	snprintf(sql, sizeof(sql), "UPDATE subscriptions SET data_used = 123456789 WHERE id = %lld", id);
	ck_assert_int_ge(db_do(sql), 0);
	r = call("GET", tok, NULL, "/api/subscriptions/%lld/", id);
	EXPECT_STATUS(r, 200);
	ck_assert_int_eq(it_int(r, "data/data_used"), 123456789);
	ck_assert(it_is_null(r, "data/data_reset_date"));
	it_free(r);
	r = sub_do(tok, id, "reset-data");
	EXPECT_STATUS(r, 200);
	ck_assert_int_eq(it_int(r, "data/data_used"), 0);
	ck_assert_int_le(llabs((long long)(iso_time(it_str(r, "data/data_reset_date")) - time(NULL))),
	    60);
	ck_assert_str_eq(it_str(r, "data/status"), "active");
	it_free(r);

	/* an unknown subscription */
	r = sub_do(tok, 999999999, "activate");
	EXPECT_ERROR(r, 404, "NOT_FOUND");
	it_free(r);
	/* a status a new one cannot have */
	snprintf(sql, sizeof(sql), "{\"customer_id\":%lld,\"plan_id\":%lld,"
	    "\"status\":\"cancelled\"}", cust, plan);
	r = call("POST", tok, sql, "/api/subscriptions/");
	ck_assert_int_eq(r->status, 400);
	it_free(r);
}
END_TEST

START_TEST(subs_expired_restart_and_billing_cycles)
{
	char tok[TOK], sql[256];
	long long plan, qplan, cust, rt, id, qid;
	time_t s0, e0, now;
	struct resp *r;

	admin_of_t1(tok);
	plan = mk_plan(tok, NULL);
	qplan = mk_plan(tok, "\"billing_cycle\":\"quarterly\",\"connection_type\":\"pppoe\"");
	cust = mk_customer(tok, NULL);
	rt = mk_router(tok);

	/* a lapsed period: activation starts a new one now */
	id = mk_sub(tok, cust, plan, rt, ",\"status\":\"active\"");
	snprintf(sql, sizeof(sql), "UPDATE subscriptions SET start_date = UTC_TIMESTAMP() - INTERVAL "
	    "3 DAY, end_date = UTC_TIMESTAMP() - INTERVAL 2 DAY WHERE id = %lld", id);
	ck_assert_int_ge(db_do(sql), 0);
	now = time(NULL);
	r = sub_do(tok, id, "activate");
	EXPECT_STATUS(r, 200);
	sub_dates(r, &s0, &e0);
	ck_assert_int_le(llabs((long long)(s0 - now)), 60);
	ck_assert_int_eq((long long)(e0 - s0), 3600);
	it_free(r);
	/* suspended after its end: a new period too, not the lapsed one */
	ck_assert_int_eq(status_of("POST", tok, NULL, "/api/subscriptions/%lld/suspend/", id), 200);
	snprintf(sql, sizeof(sql), "UPDATE subscriptions SET end_date = UTC_TIMESTAMP() - INTERVAL "
	    "1 HOUR WHERE id = %lld", id);
	ck_assert_int_ge(db_do(sql), 0);
	r = sub_do(tok, id, "activate");
	EXPECT_STATUS(r, 200);
	ck_assert_str_eq(it_str(r, "data/status"), "active");
	sub_dates(r, &s0, &e0);
	ck_assert_int_gt((long long)e0, (long long)time(NULL) + 3000);
	it_free(r);

	/* three months for a quarterly plan; the access method from the plan */
	snprintf(sql, sizeof(sql), "{\"customer_id\":%lld,\"plan_id\":%lld,"
	    "\"status\":\"active\"}", cust, qplan);
	r = call("POST", tok, sql, "/api/subscriptions/");
	EXPECT_STATUS(r, 201);
	qid = it_int(r, "data/id");
	ck_assert_str_eq(it_str(r, "data/access_method"), "pppoe");
	ck_assert_str_eq(it_str(r, "data/status"), "active");
	sub_dates(r, &s0, &e0);
	ck_assert_int_ge((long long)(e0 - s0), 89LL * 86400);
	ck_assert_int_le((long long)(e0 - s0), 92LL * 86400);
	it_free(r);
	snprintf(sql, sizeof(sql), "SELECT TIMESTAMPDIFF(MONTH, start_date, end_date) FROM subscriptions "
	    "WHERE id = %lld", qid);
	ck_assert_int_eq(db_do(sql), 3);
	/* fees given in the body win over the plan's */
	snprintf(sql, sizeof(sql), "{\"customer_id\":%lld,\"plan_id\":%lld,"
	    "\"monthly_fee\":\"42.50\"}", cust, qplan);
	r = call("POST", tok, sql, "/api/subscriptions/");
	EXPECT_STATUS(r, 201);
	EXPECT_DEC(r, "data/monthly_fee", "42.50");
	ck_assert_str_eq(it_str(r, "data/status"), "pending");
	it_free(r);
}
END_TEST

START_TEST(subs_refs_of_another_tenant)
{
	char su[TOK], tok[TOK], body[512];
	struct tenant b;
	long long plan, cust, rt, bplan, bcust, brt;
	struct resp *r;

	admin_tok(su);
	staff(su, "admin", tok);
	tenant_make(su, &b);
	plan = mk_plan(tok, NULL);
	cust = mk_customer(tok, NULL);
	rt = mk_router(tok);
	bplan = mk_plan(b.tok, NULL);
	bcust = mk_customer(b.tok, NULL);
	brt = mk_router(b.tok);

	snprintf(body, sizeof(body), "{\"customer_id\":%lld,\"plan_id\":%lld,\"router_id\":%lld}",
	    bcust, plan, rt);
	r = call("POST", tok, body, "/api/subscriptions/");
	EXPECT_FIELD(r, "customer_id");
	it_free(r);
	snprintf(body, sizeof(body), "{\"customer_id\":%lld,\"plan_id\":%lld,\"router_id\":%lld}",
	    cust, bplan, rt);
	r = call("POST", tok, body, "/api/subscriptions/");
	EXPECT_FIELD(r, "plan_id");
	it_free(r);
	snprintf(body, sizeof(body), "{\"customer_id\":%lld,\"plan_id\":%lld,\"router_id\":%lld}",
	    cust, plan, brt);
	r = call("POST", tok, body, "/api/subscriptions/");
	EXPECT_FIELD(r, "router_id");
	it_free(r);
	/* and the other way round, from tenant b */
	snprintf(body, sizeof(body), "{\"customer_id\":%lld,\"plan_id\":%lld,\"router_id\":%lld}",
	    bcust, plan, brt);
	r = call("POST", b.tok, body, "/api/subscriptions/");
	EXPECT_FIELD(r, "plan_id");
	it_free(r);
	/* nor by a change */
	{
		long long id = mk_sub(tok, cust, plan, rt, NULL);

		snprintf(body, sizeof(body), "{\"plan_id\":%lld}", bplan);
		r = call("PATCH", tok, body, "/api/subscriptions/%lld/", id);
		EXPECT_FIELD(r, "plan_id");
		it_free(r);
		snprintf(body, sizeof(body), "{\"router_id\":%lld}", brt);
		r = call("PATCH", tok, body, "/api/subscriptions/%lld/", id);
		EXPECT_FIELD(r, "router_id");
		it_free(r);
		r = call("GET", tok, NULL, "/api/subscriptions/%lld/", id);
		EXPECT_STATUS(r, 200);
		ck_assert_int_eq(it_int(r, "data/plan_id"), plan);
		ck_assert_int_eq(it_int(r, "data/router_id"), rt);
		it_free(r);
	}
	/* none was made in either tenant */
	r = call("GET", b.tok, NULL, "/api/subscriptions/");
	EXPECT_STATUS(r, 200);
	ck_assert_int_eq(total(r), 0);
	it_free(r);
}
END_TEST

/* ==== invoices and payments ==== */

/* "YYYYMM" now, in UTC */
static void
period_now(char out[8])
{
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(out, 8, "%Y%m", &tm);
}

/* "<kind>-YYYYMM-NNNN" of this month */
static int
is_doc_number(const char *s, const char *kind)
{
	char period[8], head[32];

	period_now(period);
	snprintf(head, sizeof(head), "%s-%s-", kind, period);
	return s && strlen(s) == strlen(head) + 4 && strncmp(s, head, strlen(head)) == 0 &&
	    strspn(s + strlen(head), "0123456789") == 4;
}

START_TEST(invoices_numbers_and_totals)
{
	char tok[TOK], body[512];
	long long cust, id;
	struct resp *r;

	admin_of_t1(tok);
	cust = mk_customer(tok, NULL);
	snprintf(body, sizeof(body), "{\"customer_id\":%lld,\"subtotal\":\"5000.00\","
	    "\"tax_amount\":500,\"discount_amount\":\"0.50\"}", cust);
	r = call("POST", tok, body, "/api/billing/invoices/");
	EXPECT_STATUS(r, 201);
	id = it_int(r, "data/id");
	ck_assert_msg(is_doc_number(it_str(r, "data/invoice_number"), "INV"), "invoice_number %s",
	    it_str(r, "data/invoice_number"));
	EXPECT_DEC(r, "data/subtotal", "5000.00");
	EXPECT_DEC(r, "data/tax_amount", "500.00");
	EXPECT_DEC(r, "data/discount_amount", "0.50");
	EXPECT_DEC(r, "data/total_amount", "5499.50");
	EXPECT_DEC(r, "data/balance_due", "5499.50");
	EXPECT_DEC(r, "data/paid_amount", "0");
	ck_assert_str_eq(it_str(r, "data/status"), "pending");
	ck_assert_int_eq(it_int(r, "data/customer_id"), cust);
	it_free(r);
	/* a change of the amounts computes the total again */
	r = call("PATCH", tok, "{\"tax_amount\":\"0\"}", "/api/billing/invoices/%lld/", id);
	EXPECT_STATUS(r, 200);
	EXPECT_DEC(r, "data/total_amount", "4999.50");
	EXPECT_DEC(r, "data/balance_due", "4999.50");
	it_free(r);

	/* three decimals */
	snprintf(body, sizeof(body), "{\"customer_id\":%lld,\"subtotal\":\"10.005\"}", cust);
	r = call("POST", tok, body, "/api/billing/invoices/");
	EXPECT_FIELD(r, "subtotal");
	it_free(r);
	snprintf(body, sizeof(body), "{\"customer_id\":%lld,\"subtotal\":10,\"tax_amount\":1.125}",
	    cust);
	r = call("POST", tok, body, "/api/billing/invoices/");
	EXPECT_FIELD(r, "tax_amount");
	it_free(r);
	/* a discount larger than subtotal and tax */
	snprintf(body, sizeof(body), "{\"customer_id\":%lld,\"subtotal\":\"100.00\",\"tax_amount\":"
	    "\"10.00\",\"discount_amount\":\"110.01\"}", cust);
	r = call("POST", tok, body, "/api/billing/invoices/");
	EXPECT_FIELD(r, "discount_amount");
	it_free(r);
	r = call("PATCH", tok, "{\"discount_amount\":\"99999.00\"}", "/api/billing/invoices/%lld/", id);
	EXPECT_FIELD(r, "discount_amount");
	it_free(r);
	/* a discount of exactly the sum is a zero invoice */
	snprintf(body, sizeof(body), "{\"customer_id\":%lld,\"subtotal\":\"100.00\",\"tax_amount\":"
	    "\"10.00\",\"discount_amount\":\"110.00\"}", cust);
	r = call("POST", tok, body, "/api/billing/invoices/");
	EXPECT_STATUS(r, 201);
	EXPECT_DEC(r, "data/total_amount", "0");
	it_free(r);
	/* a customer that does not exist */
	r = call("POST", tok, "{\"customer_id\":999999999,\"subtotal\":\"1.00\"}",
	    "/api/billing/invoices/");
	EXPECT_FIELD(r, "customer_id");
	it_free(r);
}
END_TEST

struct inv_worker {
	pthread_t th;
	const char *tok;
	long long cust;
	long status[5];
	char num[5][40];
};

static void *
inv_work(void *arg)
{
	struct inv_worker *w = arg;
	char body[256], auth[TOK + 64];
	const char *hdrs[2] = { auth, NULL };

	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", w->tok);
	snprintf(body, sizeof(body), "{\"customer_id\":%lld,\"subtotal\":\"10.00\"}", w->cust);
	for (int i = 0; i < 5; i++) {
		struct resp *r = it_http(0, "POST", "/api/billing/invoices/", NULL, body, strlen(body),
		    hdrs);

		w->status[i] = r->status;
		snprintf(w->num[i], sizeof(w->num[i]), "%s",
		    it_str(r, "data/invoice_number") ? it_str(r, "data/invoice_number") : "");
		it_free(r);
	}
	return NULL;
}

START_TEST(invoices_numbers_have_no_gaps_under_concurrency)
{
	char su[TOK], period[8], want[40];
	struct tenant b;
	struct inv_worker w[8];
	long long cust;
	int seen[41] = { 0 }, bad = 0;
	struct resp *r;

	admin_tok(su);
	tenant_make(su, &b);
	cust = mk_customer(b.tok, NULL);
	period_now(period);
	memset(w, 0, sizeof(w));
	for (int i = 0; i < 8; i++) {
		w[i].tok = b.tok;
		w[i].cust = cust;
		ck_assert_int_eq(pthread_create(&w[i].th, NULL, inv_work, &w[i]), 0);
	}
	for (int i = 0; i < 8; i++)
		pthread_join(w[i].th, NULL);
	for (int i = 0; i < 8; i++)
		for (int j = 0; j < 5; j++) {
			int n;

			ck_assert_msg(w[i].status[j] == 201, "POST %d.%d: HTTP %ld", i, j, w[i].status[j]);
			snprintf(want, sizeof(want), "INV-%s-", period);
			ck_assert_msg(strncmp(w[i].num[j], want, strlen(want)) == 0 &&
			    strlen(w[i].num[j]) == strlen(want) + 4, "number %s", w[i].num[j]);
			n = atoi(w[i].num[j] + strlen(want));
			if (n < 1 || n > 40 || seen[n]++)
				bad++;
		}
	ck_assert_msg(bad == 0, "%d number(s) out of 0001..0040 or given twice", bad);
	r = call("GET", b.tok, NULL, "/api/billing/invoices/?page_size=100");
	EXPECT_STATUS(r, 200);
	ck_assert_int_eq(total(r), 40);
	it_free(r);
}
END_TEST

START_TEST(invoices_overdue_paid_and_locked)
{
	char tok[TOK], pnum[40];
	long long cust, id, id2, pay;
	struct resp *r;

	admin_of_t1(tok);
	cust = mk_customer(tok, NULL);
	id = mk_invoice(tok, cust, "1200.00");
	r = call("POST", tok, NULL, "/api/billing/invoices/%lld/mark-overdue/", id);
	EXPECT_STATUS(r, 200);
	ck_assert_str_eq(it_str(r, "data/status"), "overdue");
	ck_assert_int_eq(it_bool(r, "data/is_overdue"), 1);
	it_free(r);
	r = call("POST", tok, NULL, "/api/billing/invoices/%lld/mark-overdue/", id);
	EXPECT_ERROR(r, 409, "RESOURCE_CONFLICT");
	it_free(r);

	r = call("POST", tok, "{\"payment_method\":\"mpesa\"}", "/api/billing/invoices/%lld/mark-paid/",
	    id);
	EXPECT_STATUS(r, 200);
	ck_assert_str_eq(it_str(r, "data/status"), "paid");
	EXPECT_DEC(r, "data/paid_amount", "1200.00");
	EXPECT_DEC(r, "data/balance_due", "0");
	ck_assert_ptr_nonnull(it_str(r, "data/paid_date"));
	it_free(r);
	r = call("GET", tok, NULL, "/api/payments/payments/?invoice_id=%lld", id);
	EXPECT_STATUS(r, 200);
	ck_assert_int_eq(total(r), 1);
	{
		yajl_val p = jat(items(r), 0);

		pay = jint(p, "id");
		ck_assert_str_eq(jstr(p, "status"), "completed");
		ck_assert(decimal_is(jget(p, "amount"), "1200.00"));
		ck_assert_str_eq(jstr(p, "payment_method"), "mpesa");
		ck_assert_int_eq(jint(p, "customer_id"), cust);
		ck_assert_msg(is_doc_number(jstr(p, "payment_number"), "PAY"), "%s",
		    jstr(p, "payment_number"));
		snprintf(pnum, sizeof(pnum), "%s", jstr(p, "payment_number"));
	}
	it_free(r);
	/* paid is final for the amounts, for another mark-paid, and for delete */
	r = call("PATCH", tok, "{\"subtotal\":\"1.00\"}", "/api/billing/invoices/%lld/", id);
	EXPECT_ERROR(r, 409, "RESOURCE_CONFLICT");
	it_free(r);
	r = call("POST", tok, NULL, "/api/billing/invoices/%lld/mark-paid/", id);
	EXPECT_ERROR(r, 409, "RESOURCE_CONFLICT");
	it_free(r);
	r = call("DELETE", tok, NULL, "/api/billing/invoices/%lld/", id);
	EXPECT_ERROR(r, 409, "RESOURCE_CONFLICT");
	it_free(r);
	r = call("GET", tok, NULL, "/api/billing/invoices/%lld/", id);
	EXPECT_STATUS(r, 200);
	EXPECT_DEC(r, "data/subtotal", "1200.00");
	ck_assert_str_eq(it_str(r, "data/status"), "paid");
	it_free(r);
	/* the payment is found by its number */
	r = call("GET", tok, NULL, "/api/payments/payments/?search=%s", pnum);
	EXPECT_STATUS(r, 200);
	ck_assert_int_eq(total(r), 1);
	ck_assert_int_eq(jint(jat(items(r), 0), "id"), pay);
	it_free(r);

	/* an invoice with nothing paid can go */
	id2 = mk_invoice(tok, cust, "5.00");
	r = call("DELETE", tok, NULL, "/api/billing/invoices/%lld/", id2);
	EXPECT_STATUS(r, 200);
	ck_assert(it_is_null(r, "data"));
	it_free(r);
	ck_assert_int_eq(status_of("GET", tok, NULL, "/api/billing/invoices/%lld/", id2), 404);
}
END_TEST

static long long
mk_payment(const char *tok, long long cust, long long inv, const char *amount, const char *more)
{
	char body[512], invs[64] = "";

	if (inv)
		snprintf(invs, sizeof(invs), ",\"invoice_id\":%lld", inv);
	snprintf(body, sizeof(body), "{\"customer_id\":%lld%s,\"amount\":\"%s\","
	    "\"payment_method\":\"cash\"%s}", cust, invs, amount, more ? more : "");
	return mk_obj(tok, "/api/payments/payments/", body);
}

/* the invoice's paid amount and status */
static void
expect_invoice(const char *tok, long long id, const char *paid, const char *status)
{
	struct resp *r = call("GET", tok, NULL, "/api/billing/invoices/%lld/", id);

	EXPECT_STATUS(r, 200);
	EXPECT_DEC(r, "data/paid_amount", paid);
	ck_assert_msg(it_str(r, "data/status") && !strcmp(it_str(r, "data/status"), status),
	    "invoice %lld is %s, expected %s", id, it_str(r, "data/status"), status);
	it_free(r);
}

START_TEST(payments_pay_and_refund_invoices)
{
	char tok[TOK], body[512], sql[512];
	long long cust, other, inv, inv2, p1, p2, p3;
	struct resp *r;

	admin_of_t1(tok);
	cust = mk_customer(tok, NULL);
	other = mk_customer(tok, NULL);
	inv = mk_invoice(tok, cust, "1000.00");

	/* pending: a number, and nothing paid yet */
	snprintf(body, sizeof(body), "{\"customer_id\":%lld,\"invoice_id\":%lld,\"amount\":\"400.00\","
	    "\"payment_method\":\"mpesa\",\"transaction_id\":\"QWE123\"}", cust, inv);
	r = call("POST", tok, body, "/api/payments/payments/");
	EXPECT_STATUS(r, 201);
	p1 = it_int(r, "data/id");
	ck_assert_str_eq(it_str(r, "data/status"), "pending");
	ck_assert_msg(is_doc_number(it_str(r, "data/payment_number"), "PAY"), "%s",
	    it_str(r, "data/payment_number"));
	EXPECT_DEC(r, "data/amount", "400.00");
	it_free(r);
	expect_invoice(tok, inv, "0", "pending");

	r = call("POST", tok, NULL, "/api/payments/payments/%lld/mark-completed/", p1);
	EXPECT_STATUS(r, 200);
	ck_assert_str_eq(it_str(r, "data/status"), "completed");
	ck_assert_ptr_nonnull(it_str(r, "data/payment_date"));
	it_free(r);
	expect_invoice(tok, inv, "400.00", "pending");
	r = call("POST", tok, NULL, "/api/payments/payments/%lld/mark-completed/", p1);
	EXPECT_ERROR(r, 409, "RESOURCE_CONFLICT");
	it_free(r);
	expect_invoice(tok, inv, "400.00", "pending");

	/* more than the balance due of 600 */
	snprintf(body, sizeof(body), "{\"customer_id\":%lld,\"invoice_id\":%lld,\"amount\":\"600.01\","
	    "\"payment_method\":\"cash\",\"status\":\"completed\"}", cust, inv);
	r = call("POST", tok, body, "/api/payments/payments/");
	EXPECT_FIELD(r, "amount");
	it_free(r);
	expect_invoice(tok, inv, "400.00", "pending");

	/* the invoice of another customer */
	snprintf(body, sizeof(body), "{\"customer_id\":%lld,\"invoice_id\":%lld,\"amount\":\"1.00\","
	    "\"payment_method\":\"cash\"}", other, inv);
	r = call("POST", tok, body, "/api/payments/payments/");
	EXPECT_FIELD(r, "invoice_id");
	it_free(r);

	/* the rest: paid in full */
	p2 = mk_payment(tok, cust, inv, "600.00", NULL);
	r = call("POST", tok, NULL, "/api/payments/payments/%lld/mark-completed/", p2);
	EXPECT_STATUS(r, 200);
	it_free(r);
	expect_invoice(tok, inv, "1000.00", "paid");

	/* a refund takes it back */
	r = call("POST", tok, NULL, "/api/payments/payments/%lld/mark-refunded/", p2);
	EXPECT_STATUS(r, 200);
	ck_assert_str_eq(it_str(r, "data/status"), "refunded");
	it_free(r);
	expect_invoice(tok, inv, "400.00", "pending");
	r = call("POST", tok, NULL, "/api/payments/payments/%lld/mark-refunded/", p2);
	EXPECT_ERROR(r, 409, "RESOURCE_CONFLICT");
	it_free(r);
	expect_invoice(tok, inv, "400.00", "pending");

	/* failed: only from pending, and it pays nothing */
	p3 = mk_payment(tok, cust, inv, "100.00", NULL);
	r = call("POST", tok, NULL, "/api/payments/payments/%lld/mark-failed/", p3);
	EXPECT_STATUS(r, 200);
	ck_assert_str_eq(it_str(r, "data/status"), "failed");
	it_free(r);
	expect_invoice(tok, inv, "400.00", "pending");
	r = call("POST", tok, NULL, "/api/payments/payments/%lld/mark-failed/", p3);
	EXPECT_ERROR(r, 409, "RESOURCE_CONFLICT");
	it_free(r);
	r = call("POST", tok, NULL, "/api/payments/payments/%lld/mark-completed/", p3);
	EXPECT_ERROR(r, 409, "RESOURCE_CONFLICT");
	it_free(r);
	r = call("POST", tok, NULL, "/api/payments/payments/%lld/mark-failed/", p1);
	EXPECT_ERROR(r, 409, "RESOURCE_CONFLICT");
	it_free(r);
	r = call("POST", tok, NULL, "/api/payments/payments/%lld/mark-refunded/", p3);
	EXPECT_ERROR(r, 409, "RESOURCE_CONFLICT");
	it_free(r);
	expect_invoice(tok, inv, "400.00", "pending");

	/* completed payments stay; a failed one may go */
	r = call("DELETE", tok, NULL, "/api/payments/payments/%lld/", p1);
	EXPECT_ERROR(r, 409, "RESOURCE_CONFLICT");
	it_free(r);
	ck_assert_int_eq(status_of("GET", tok, NULL, "/api/payments/payments/%lld/", p1), 200);
	r = call("DELETE", tok, NULL, "/api/payments/payments/%lld/", p3);
	EXPECT_STATUS(r, 200);
	it_free(r);
	ck_assert_int_eq(status_of("GET", tok, NULL, "/api/payments/payments/%lld/", p3), 404);
	/* nor does its invoice go */
	r = call("DELETE", tok, NULL, "/api/billing/invoices/%lld/", inv);
	EXPECT_ERROR(r, 409, "RESOURCE_CONFLICT");
	it_free(r);

	/* a completed payment made at once pays at once */
	inv2 = mk_invoice(tok, cust, "250.00");
	mk_payment(tok, cust, inv2, "250.00", ",\"status\":\"completed\"");
	expect_invoice(tok, inv2, "250.00", "paid");
	/* and mark-paid of a part-paid invoice records the balance only */
	r = call("POST", tok, NULL, "/api/billing/invoices/%lld/mark-paid/", inv);
	EXPECT_STATUS(r, 200);
	EXPECT_DEC(r, "data/paid_amount", "1000.00");
	ck_assert_str_eq(it_str(r, "data/status"), "paid");
	it_free(r);
	r = call("GET", tok, NULL, "/api/payments/payments/?invoice_id=%lld&status=completed", inv);
	EXPECT_STATUS(r, 200);
	ck_assert_int_eq(total(r), 2);
	ck_assert_ptr_nonnull(find_int(r, "id", p1));
	it_free(r);

	/* every invoice's paid amount is the sum of its completed payments */
	snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM invoices i WHERE i.customer_id IN (%lld, %lld) "
	    "AND i.paid_amount <> (SELECT COALESCE(SUM(p.amount), 0) FROM payments p "
	    "WHERE p.invoice_id = i.id AND p.status = 'completed')", cust, other);
	ck_assert_int_eq(db_do(sql), 0);
	snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM invoices WHERE customer_id = %lld", cust);
	ck_assert_int_eq(db_do(sql), 2);
}
END_TEST

/* a pending payment is held to the balance due as well */
START_TEST(payments_pending_above_the_balance)
{
	char tok[TOK], body[512], sql[512];
	long long cust, inv, p1, p2;
	struct resp *r;

	admin_of_t1(tok);
	cust = mk_customer(tok, NULL);
	inv = mk_invoice(tok, cust, "100.00");
	/* two pending payments that fit the balance each, not together */
	p1 = mk_payment(tok, cust, inv, "70.00", NULL);
	p2 = mk_payment(tok, cust, inv, "70.00", NULL);
	ck_assert_int_eq(status_of("POST", tok, NULL, "/api/payments/payments/%lld/mark-completed/",
	    p1), 200);
	r = call("POST", tok, NULL, "/api/payments/payments/%lld/mark-completed/", p2);
	EXPECT_FIELD(r, "amount");
	it_free(r);
	r = call("GET", tok, NULL, "/api/payments/payments/%lld/", p2);
	EXPECT_STATUS(r, 200);
	ck_assert_str_eq(it_str(r, "data/status"), "pending");
	it_free(r);
	expect_invoice(tok, inv, "70.00", "pending");
	snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM invoices i WHERE i.id = %lld AND i.paid_amount "
	    "<> (SELECT COALESCE(SUM(p.amount), 0) FROM payments p WHERE p.invoice_id = i.id "
	    "AND p.status = 'completed')", inv);
	ck_assert_int_eq(db_do(sql), 0);

	/* one above the balance from the start */
	snprintf(body, sizeof(body), "{\"customer_id\":%lld,\"invoice_id\":%lld,\"amount\":\"30.01\","
	    "\"payment_method\":\"cash\"}", cust, inv);
	r = call("POST", tok, body, "/api/payments/payments/");
	EXPECT_FIELD(r, "amount");
	it_free(r);
}
END_TEST

START_TEST(payments_every_method)
{
	static const char *const methods[] = { "cash", "bank_transfer", "mobile_money", "mpesa",
	    "bkash", "nagad", "rocket", "sslcommerz", "stripe", "other", NULL };
	char tok[TOK], body[512];
	long long cust, id;
	struct resp *r;

	admin_of_t1(tok);
	cust = mk_customer(tok, NULL);
	for (int i = 0; methods[i]; i++) {
		snprintf(body, sizeof(body), "{\"customer_id\":%lld,\"amount\":\"1.50\","
		    "\"payment_method\":\"%s\"}", cust, methods[i]);
		r = call("POST", tok, body, "/api/payments/payments/");
		ck_assert_msg(r->status == 201, "%s: HTTP %ld: %.400s", methods[i], r->status, r->body);
		ck_assert_str_eq(it_str(r, "data/payment_method"), methods[i]);
		it_free(r);
	}
	r = call("GET", tok, NULL, "/api/payments/payments/?customer_id=%lld&payment_method=nagad",
	    cust);
	EXPECT_STATUS(r, 200);
	ck_assert_int_eq(total(r), 1);
	it_free(r);
	r = call("GET", tok, NULL, "/api/payments/payments/?customer_id=%lld", cust);
	EXPECT_STATUS(r, 200);
	ck_assert_int_eq(total(r), 10);
	id = jint(jat(items(r), 0), "id");
	it_free(r);
	snprintf(body, sizeof(body), "{\"customer_id\":%lld,\"amount\":\"1.50\","
	    "\"payment_method\":\"cheque\"}", cust);
	r = call("POST", tok, body, "/api/payments/payments/");
	EXPECT_FIELD(r, "payment_method");
	it_free(r);
	r = call("PATCH", tok, "{\"payment_method\":\"paypal\"}", "/api/payments/payments/%lld/", id);
	EXPECT_FIELD(r, "payment_method");
	it_free(r);
	/* amounts: positive, two decimals */
	snprintf(body, sizeof(body), "{\"customer_id\":%lld,\"amount\":\"0\",\"payment_method\":"
	    "\"cash\"}", cust);
	r = call("POST", tok, body, "/api/payments/payments/");
	EXPECT_FIELD(r, "amount");
	it_free(r);
	snprintf(body, sizeof(body), "{\"customer_id\":%lld,\"amount\":\"-5.00\",\"payment_method\":"
	    "\"cash\"}", cust);
	r = call("POST", tok, body, "/api/payments/payments/");
	EXPECT_FIELD(r, "amount");
	it_free(r);
	snprintf(body, sizeof(body), "{\"customer_id\":%lld,\"amount\":\"1.001\",\"payment_method\":"
	    "\"cash\"}", cust);
	r = call("POST", tok, body, "/api/payments/payments/");
	EXPECT_FIELD(r, "amount");
	it_free(r);
}
END_TEST

START_TEST(invoices_mark_paid_checks_the_method)
{
	char tok[TOK];
	long long cust, id;
	struct resp *r;

	admin_of_t1(tok);
	cust = mk_customer(tok, NULL);
	id = mk_invoice(tok, cust, "75.00");
	r = call("POST", tok, "{\"payment_method\":\"bogus\"}", "/api/billing/invoices/%lld/mark-paid/",
	    id);
	EXPECT_FIELD(r, "payment_method");
	it_free(r);
	expect_invoice(tok, id, "0", "pending");
	r = call("GET", tok, NULL, "/api/payments/payments/?invoice_id=%lld", id);
	EXPECT_STATUS(r, 200);
	ck_assert_int_eq(total(r), 0);
	it_free(r);
	/* without a method: cash */
	r = call("POST", tok, NULL, "/api/billing/invoices/%lld/mark-paid/", id);
	EXPECT_STATUS(r, 200);
	it_free(r);
	r = call("GET", tok, NULL, "/api/payments/payments/?invoice_id=%lld", id);
	EXPECT_STATUS(r, 200);
	ck_assert_int_eq(total(r), 1);
	ck_assert_str_eq(jstr(jat(items(r), 0), "payment_method"), "cash");
	it_free(r);
}
END_TEST

/* a pending payment changed to another customer, or to another customer's
 * invoice, must not pay that invoice */
START_TEST(payments_change_keeps_invoice_and_customer_together)
{
	char tok[TOK], body[256], sql[512];
	long long cust, other, inv, oinv, pay;
	struct resp *r;

	admin_of_t1(tok);
	cust = mk_customer(tok, NULL);
	other = mk_customer(tok, NULL);
	inv = mk_invoice(tok, cust, "40.00");
	oinv = mk_invoice(tok, other, "40.00");
	pay = mk_payment(tok, cust, inv, "40.00", NULL);
	snprintf(body, sizeof(body), "{\"invoice_id\":%lld}", oinv);
	r = call("PATCH", tok, body, "/api/payments/payments/%lld/", pay);
	EXPECT_FIELD(r, "invoice_id");
	it_free(r);
	snprintf(body, sizeof(body), "{\"customer_id\":%lld}", other);
	r = call("PATCH", tok, body, "/api/payments/payments/%lld/", pay);
	EXPECT_STATUS(r, 400);
	it_free(r);
	r = call("GET", tok, NULL, "/api/payments/payments/%lld/", pay);
	EXPECT_STATUS(r, 200);
	ck_assert_int_eq(it_int(r, "data/customer_id"), cust);
	ck_assert_int_eq(it_int(r, "data/invoice_id"), inv);
	it_free(r);
	snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM payments p JOIN invoices i ON i.id = "
	    "p.invoice_id WHERE p.customer_id <> i.customer_id AND p.customer_id IN (%lld, %lld)",
	    cust, other);
	ck_assert_int_eq(db_do(sql), 0);
}
END_TEST

/* ==== tickets and leads ==== */

START_TEST(tickets_replies_and_resolution)
{
	char su[TOK], tok[TOK], tag[64], body[512];
	long long me, cust, id, low, urgent;
	struct resp *r;
	yajl_val reps;

	admin_tok(su);
	me = staff(su, "admin", tok);
	cust = mk_customer(tok, NULL);
	uniq(tag, sizeof(tag), "tk");
	snprintf(body, sizeof(body), "{\"subject\":\"No internet %s\",\"description\":\"Down since "
	    "morning\",\"priority\":\"high\",\"customer_id\":%lld,\"category\":\"technical\"}", tag, cust);
	r = call("POST", tok, body, "/api/tickets/");
	EXPECT_STATUS(r, 201);
	id = it_int(r, "data/id");
	ck_assert_msg(is_doc_number(it_str(r, "data/ticket_number"), "TKT"), "%s",
	    it_str(r, "data/ticket_number"));
	ck_assert_str_eq(it_str(r, "data/status"), "open");
	ck_assert_str_eq(it_str(r, "data/priority"), "high");
	ck_assert_int_eq(it_int(r, "data/customer_id"), cust);
	ck_assert_int_eq(it_int(r, "data/created_by"), me);
	ck_assert(it_is_null(r, "data/resolved_at"));
	it_free(r);

	r = call("POST", tok, "{\"message\":\"We are looking into it\"}", "/api/tickets/%lld/replies/",
	    id);
	EXPECT_STATUS(r, 201);
	ck_assert_str_eq(it_str(r, "data/message"), "We are looking into it");
	ck_assert_int_eq(it_bool(r, "data/is_internal"), 0);
	ck_assert_int_eq(it_int(r, "data/user_id"), me);
	ck_assert_int_eq(it_int(r, "data/ticket_id"), id);
	it_free(r);
	r = call("GET", tok, NULL, "/api/tickets/%lld/", id);
	EXPECT_STATUS(r, 200);
	ck_assert_str_eq(it_str(r, "data/status"), "in_progress");
	it_free(r);
	r = call("POST", tok, "{\"message\":\"Fibre cut at pole 7\",\"is_internal\":true}",
	    "/api/tickets/%lld/replies/", id);
	EXPECT_STATUS(r, 201);
	ck_assert_int_eq(it_bool(r, "data/is_internal"), 1);
	it_free(r);
	r = call("POST", tok, "{\"is_internal\":true}", "/api/tickets/%lld/replies/", id);
	EXPECT_FIELD(r, "message");
	it_free(r);

	r = call("GET", tok, NULL, "/api/tickets/%lld/", id);
	EXPECT_STATUS(r, 200);
	ck_assert_str_eq(it_str(r, "data/status"), "in_progress");
	ck_assert_int_eq(it_int(r, "data/replies_count"), 2);
	reps = it_json(r, "data/replies");
	ck_assert_int_eq(jlen(reps), 2);
	ck_assert_str_eq(jstr(jat(reps, 0), "message"), "We are looking into it");
	ck_assert(YAJL_IS_FALSE(jget(jat(reps, 0), "is_internal")));
	ck_assert_str_eq(jstr(jat(reps, 1), "message"), "Fibre cut at pole 7");
	ck_assert(YAJL_IS_TRUE(jget(jat(reps, 1), "is_internal")));
	it_free(r);
	r = call("GET", tok, NULL, "/api/tickets/%lld/replies/", id);
	EXPECT_STATUS(r, 200);
	ck_assert_int_eq(total(r), 2);
	it_free(r);

	r = call("PATCH", tok, "{\"status\":\"resolved\"}", "/api/tickets/%lld/", id);
	EXPECT_STATUS(r, 200);
	ck_assert_str_eq(it_str(r, "data/status"), "resolved");
	ck_assert_int_le(llabs((long long)(iso_time(it_str(r, "data/resolved_at")) - time(NULL))), 60);
	it_free(r);
	/* opened again: no longer resolved */
	r = call("PATCH", tok, "{\"status\":\"open\"}", "/api/tickets/%lld/", id);
	EXPECT_STATUS(r, 200);
	ck_assert(it_is_null(r, "data/resolved_at"));
	it_free(r);

	/* filter by priority */
	snprintf(body, sizeof(body), "{\"subject\":\"Slow %s\",\"priority\":\"low\"}", tag);
	low = mk_obj(tok, "/api/tickets/", body);
	snprintf(body, sizeof(body), "{\"subject\":\"Outage %s\",\"priority\":\"urgent\"}", tag);
	urgent = mk_obj(tok, "/api/tickets/", body);
	r = call("GET", tok, NULL, "/api/tickets/?search=%s&priority=urgent", tag);
	EXPECT_STATUS(r, 200);
	ck_assert_int_eq(total(r), 1);
	ck_assert_int_eq(jint(jat(items(r), 0), "id"), urgent);
	it_free(r);
	r = call("GET", tok, NULL, "/api/tickets/?search=%s&priority=low", tag);
	EXPECT_STATUS(r, 200);
	ck_assert_int_eq(total(r), 1);
	ck_assert_int_eq(jint(jat(items(r), 0), "id"), low);
	it_free(r);
	r = call("GET", tok, NULL, "/api/tickets/?search=%s", tag);
	EXPECT_STATUS(r, 200);
	ck_assert_int_eq(total(r), 3);
	it_free(r);
	r = call("POST", tok, "{\"subject\":\"x\",\"priority\":\"whenever\"}", "/api/tickets/");
	EXPECT_FIELD(r, "priority");
	it_free(r);
}
END_TEST

START_TEST(leads_crud_phone_and_status)
{
	char tok[TOK], tag[64], body[512];
	long long a, b;
	struct resp *r;

	admin_of_t1(tok);
	uniq(tag, sizeof(tag), "ld");
	snprintf(body, sizeof(body), "{\"name\":\"Lead %s\",\"phone\":\"0712345678\",\"email\":"
	    "\"%s@example.org\",\"company\":\"Kiosk\",\"source\":\"website\",\"status\":\"new\"}", tag,
	    tag);
	r = call("POST", tok, body, "/api/leads/");
	EXPECT_STATUS(r, 201);
	a = it_int(r, "data/id");
	ck_assert_str_eq(it_str(r, "data/phone"), "254712345678");
	ck_assert_str_eq(it_str(r, "data/status"), "new");
	ck_assert_str_eq(it_str(r, "data/source"), "website");
	it_free(r);
	snprintf(body, sizeof(body), "{\"name\":\"Other %s\",\"phone\":\"+8801712345678\"}", tag);
	r = call("POST", tok, body, "/api/leads/");
	EXPECT_STATUS(r, 201);
	b = it_int(r, "data/id");
	ck_assert_str_eq(it_str(r, "data/phone"), "8801712345678");
	it_free(r);
	r = call("POST", tok, "{\"name\":\"Bad\",\"phone\":\"call me\"}", "/api/leads/");
	EXPECT_FIELD(r, "phone");
	it_free(r);

	r = call("PATCH", tok, "{\"status\":\"contacted\",\"phone\":\"254 722 000 111\"}",
	    "/api/leads/%lld/", a);
	EXPECT_STATUS(r, 200);
	ck_assert_str_eq(it_str(r, "data/status"), "contacted");
	ck_assert_str_eq(it_str(r, "data/phone"), "254722000111");
	it_free(r);
	r = call("GET", tok, NULL, "/api/leads/?search=%s&status=contacted", tag);
	EXPECT_STATUS(r, 200);
	ck_assert_int_eq(total(r), 1);
	ck_assert_int_eq(jint(jat(items(r), 0), "id"), a);
	it_free(r);
	r = call("GET", tok, NULL, "/api/leads/?search=%s&status=new", tag);
	EXPECT_STATUS(r, 200);
	ck_assert_int_eq(total(r), 1);
	ck_assert_int_eq(jint(jat(items(r), 0), "id"), b);
	it_free(r);
	r = call("PATCH", tok, "{\"status\":\"hot\"}", "/api/leads/%lld/", a);
	EXPECT_FIELD(r, "status");
	it_free(r);

	r = call("DELETE", tok, NULL, "/api/leads/%lld/", a);
	EXPECT_STATUS(r, 200);
	ck_assert(it_is_null(r, "data"));
	it_free(r);
	ck_assert_int_eq(status_of("GET", tok, NULL, "/api/leads/%lld/", a), 404);
	r = call("GET", tok, NULL, "/api/leads/?search=%s", tag);
	EXPECT_STATUS(r, 200);
	ck_assert_int_eq(total(r), 1);
	it_free(r);
}
END_TEST

/* ==== access ==== */

/* One request: status st (negative: anything but a 500) and, given a field,
 * an error naming it. */
static void
expect_req(struct misses *m, const char *tok, const char *method, const char *path,
    const char *body, long st, const char *field)
{
	struct resp *r = call(method, tok, body, "%s", path);

	if ((st >= 0 && r->status != st) || r->status == 500 || r->status == 0 ||
	    (field && !names_field(r, field)))
		miss(m, "%s %s%s%s: HTTP %ld, expected %ld%s%s: %.200s", method, path, body ? " " : "",
		    body ? body : "", r->status, st, field ? " naming " : "", field ? field : "", r->body);
	it_free(r);
}

START_TEST(access_roles_without_the_permission_are_403)
{
	char su[TOK], sup[TOK], acc[TOK], tok[TOK], body[256];
	long long cust;
	struct resp *r;

	admin_tok(su);
	staff(su, "admin", tok);
	staff(su, "support_staff", sup);
	staff(su, "accountant", acc);
	cust = mk_customer(tok, NULL);

	r = call("GET", sup, NULL, "/api/customers/");
	EXPECT_STATUS(r, 200);
	ck_assert_int_ge(total(r), 1);
	it_free(r);
	r = call("POST", sup, "{\"name\":\"Not allowed\"}", "/api/customers/");
	EXPECT_ERROR(r, 403, "FORBIDDEN");
	it_free(r);
	snprintf(body, sizeof(body), "{\"customer_id\":%lld,\"subtotal\":\"10.00\"}", cust);
	r = call("POST", sup, body, "/api/billing/invoices/");
	EXPECT_ERROR(r, 403, "FORBIDDEN");
	it_free(r);
	ck_assert_int_eq(status_of("GET", sup, NULL, "/api/billing/invoices/"), 200);
	ck_assert_int_eq(status_of("DELETE", sup, NULL, "/api/customers/%lld/", cust), 403);

	r = call("GET", acc, NULL, "/api/billing/invoices/");
	EXPECT_STATUS(r, 200);
	it_free(r);
	r = call("POST", acc, "{\"name\":\"Not allowed\"}", "/api/customers/");
	EXPECT_ERROR(r, 403, "FORBIDDEN");
	it_free(r);
	/* what the accountant may do */
	r = call("POST", acc, body, "/api/billing/invoices/");
	EXPECT_STATUS(r, 201);
	it_free(r);
	ck_assert_int_eq(status_of("POST", acc, "{\"name\":\"x\",\"host\":\"h\"}",
	    "/api/network/routers/"), 403);
	/* nothing was made by the refused requests */
	r = call("GET", tok, NULL, "/api/customers/?search=Not%%20allowed");
	EXPECT_STATUS(r, 200);
	ck_assert_int_eq(total(r), 0);
	it_free(r);
	ck_assert_int_eq(status_of("GET", tok, NULL, "/api/customers/%lld/", cust), 200);
}
END_TEST

/* what tenant 1 has, for the other tenant to try */
struct t1_rows {
	char tag[64];
	long long cust, plan, rt, sub, inv, pay, tkt, lead;
};

static void
t1_rows_make(const char *tok, struct t1_rows *w)
{
	char body[512];

	uniq(w->tag, sizeof(w->tag), "iso");
	snprintf(body, sizeof(body), "{\"name\":\"Cust %s\",\"city\":\"%s\"}", w->tag, w->tag);
	w->cust = mk_obj(tok, "/api/customers/", body);
	snprintf(body, sizeof(body), "{\"name\":\"Plan %s\",\"speed\":\"5M/2M\",\"price\":50,"
	    "\"billing_cycle\":\"monthly\"}", w->tag);
	w->plan = mk_obj(tok, "/api/plans/", body);
	snprintf(body, sizeof(body), "{\"name\":\"rt%s\",\"host\":\"10.9.9.9\"}", w->tag);
	w->rt = mk_obj(tok, "/api/network/routers/", body);
	snprintf(body, sizeof(body), ",\"username\":\"u%s\",\"status\":\"active\"", w->tag);
	w->sub = mk_sub(tok, w->cust, w->plan, w->rt, body);
	w->inv = mk_invoice(tok, w->cust, "100.00");
	w->pay = mk_payment(tok, w->cust, w->inv, "10.00", NULL);
	snprintf(body, sizeof(body), "{\"subject\":\"Ticket %s\"}", w->tag);
	w->tkt = mk_obj(tok, "/api/tickets/", body);
	snprintf(body, sizeof(body), "{\"name\":\"Lead %s\"}", w->tag);
	w->lead = mk_obj(tok, "/api/leads/", body);
}

START_TEST(access_another_tenant_gets_404_and_sees_nothing)
{
	char su[TOK], tok[TOK], path[256];
	struct tenant b;
	struct t1_rows w;
	struct misses m = { 0 };
	struct resp *r;

	admin_tok(su);
	staff(su, "admin", tok);
	tenant_make(su, &b);
	t1_rows_make(tok, &w);
	{
		const struct { const char *base; long long id; const char *patch; } objs[] = {
			{ "/api/customers/", w.cust, "{\"notes\":\"x\"}" },
			{ "/api/plans/", w.plan, "{\"description\":\"x\"}" },
			{ "/api/network/routers/", w.rt, "{\"notes\":\"x\"}" },
			{ "/api/subscriptions/", w.sub, "{\"notes\":\"x\"}" },
			{ "/api/billing/invoices/", w.inv, "{\"notes\":\"x\"}" },
			{ "/api/payments/payments/", w.pay, "{\"notes\":\"x\"}" },
			{ "/api/tickets/", w.tkt, "{\"status\":\"closed\"}" },
			{ "/api/leads/", w.lead, "{\"notes\":\"x\"}" },
		};
		const struct { const char *base; long long id; const char *act, *body; } acts[] = {
			{ "/api/subscriptions/", w.sub, "activate", NULL },
			{ "/api/subscriptions/", w.sub, "suspend", NULL },
			{ "/api/subscriptions/", w.sub, "reset-data", NULL },
			{ "/api/subscriptions/", w.sub, "cancel", NULL },
			{ "/api/billing/invoices/", w.inv, "mark-overdue", NULL },
			{ "/api/billing/invoices/", w.inv, "mark-paid", "{}" },
			{ "/api/payments/payments/", w.pay, "mark-completed", NULL },
			{ "/api/payments/payments/", w.pay, "mark-failed", NULL },
			{ "/api/payments/payments/", w.pay, "mark-refunded", NULL },
			{ "/api/tickets/", w.tkt, "replies", "{\"message\":\"hi\"}" },
		};

		for (size_t i = 0; i < sizeof(objs) / sizeof(objs[0]); i++) {
			snprintf(path, sizeof(path), "%s%lld/", objs[i].base, objs[i].id);
			expect_req(&m, b.tok, "GET", path, NULL, 404, NULL);
			expect_req(&m, b.tok, "PATCH", path, objs[i].patch, 404, NULL);
			expect_req(&m, b.tok, "PUT", path, objs[i].patch, 404, NULL);
		}
		for (size_t i = 0; i < sizeof(acts) / sizeof(acts[0]); i++) {
			snprintf(path, sizeof(path), "%s%lld/%s/", acts[i].base, acts[i].id, acts[i].act);
			expect_req(&m, b.tok, "POST", path, acts[i].body, 404, NULL);
		}
		snprintf(path, sizeof(path), "/api/tickets/%lld/replies/", w.tkt);
		expect_req(&m, b.tok, "GET", path, NULL, 404, NULL);
		/* deletes last, in an order that no guard of tenant 1's would refuse */
		for (size_t i = sizeof(objs) / sizeof(objs[0]); i-- > 0;) {
			snprintf(path, sizeof(path), "%s%lld/", objs[i].base, objs[i].id);
			expect_req(&m, b.tok, "DELETE", path, NULL, 404, NULL);
		}
	}
	/* lists and searches: none of tenant 1's rows */
	{
		static const char *const lists[] = { "/api/customers/", "/api/plans/",
		    "/api/network/routers/", "/api/subscriptions/", "/api/network/router-jobs/",
		    "/api/billing/invoices/", "/api/payments/payments/", "/api/tickets/", "/api/leads/",
		    NULL };

		for (int i = 0; lists[i]; i++) {
			snprintf(path, sizeof(path), "%s?page_size=100", lists[i]);
			r = call("GET", b.tok, NULL, "%s", path);
			if (r->status != 200 || total(r) != 0 || jlen(items(r)) != 0)
				miss(&m, "GET %s as tenant b: HTTP %ld with %lld items", path, r->status,
				    total(r));
			it_free(r);
			snprintf(path, sizeof(path), "%s?search=%s", lists[i], w.tag);
			r = call("GET", b.tok, NULL, "%s", path);
			if (r->status != 200 || total(r) != 0)
				miss(&m, "GET %s as tenant b: HTTP %ld with %lld items", path, r->status,
				    total(r));
			it_free(r);
		}
		snprintf(path, sizeof(path), "/api/customers/?city=%s", w.tag);
		expect_req(&m, b.tok, "GET", path, NULL, 200, NULL);
		snprintf(path, sizeof(path), "/api/subscriptions/?customer_id=%lld", w.cust);
		r = call("GET", b.tok, NULL, "%s", path);
		if (r->status != 200 || total(r) != 0)
			miss(&m, "GET %s as tenant b: HTTP %ld with %lld items", path, r->status, total(r));
		it_free(r);
		snprintf(path, sizeof(path), "/api/network/router-jobs/?subscription_id=%lld", w.sub);
		r = call("GET", b.tok, NULL, "%s", path);
		if (r->status != 200 || total(r) != 0)
			miss(&m, "GET %s as tenant b: HTTP %ld with %lld items", path, r->status, total(r));
		it_free(r);
	}
	/* and tenant 1's rows are as they were */
	r = call("GET", tok, NULL, "/api/subscriptions/%lld/", w.sub);
	if (r->status != 200 || !it_str(r, "data/status") || strcmp(it_str(r, "data/status"), "active") ||
	    it_str(r, "data/notes"))
		miss(&m, "tenant 1's subscription changed: %.300s", r->body);
	it_free(r);
	r = call("GET", tok, NULL, "/api/billing/invoices/%lld/", w.inv);
	if (r->status != 200 || strcmp(it_str(r, "data/status") ? it_str(r, "data/status") : "",
	    "pending") || !decimal_is(it_json(r, "data/paid_amount"), "0"))
		miss(&m, "tenant 1's invoice changed: %.300s", r->body);
	it_free(r);
	r = call("GET", tok, NULL, "/api/payments/payments/%lld/", w.pay);
	if (r->status != 200 || strcmp(it_str(r, "data/status") ? it_str(r, "data/status") : "",
	    "pending"))
		miss(&m, "tenant 1's payment changed: %.300s", r->body);
	it_free(r);
	r = call("GET", tok, NULL, "/api/tickets/%lld/", w.tkt);
	if (r->status != 200 || strcmp(it_str(r, "data/status") ? it_str(r, "data/status") : "",
	    "open") || it_int(r, "data/replies_count") != 0)
		miss(&m, "tenant 1's ticket changed: %.300s", r->body);
	it_free(r);
	{
		const char *still[] = { "/api/customers/", "/api/plans/", "/api/network/routers/",
		    "/api/leads/" };
		long long ids[] = { w.cust, w.plan, w.rt, w.lead };

		for (int i = 0; i < 4; i++) {
			snprintf(path, sizeof(path), "%s%lld/", still[i], ids[i]);
			expect_req(&m, tok, "GET", path, NULL, 200, NULL);
		}
	}
	NO_MISSES(m);
}
END_TEST

/* ids of another tenant in a body are 400s naming the field, as if absent */
START_TEST(access_no_references_across_tenants)
{
	char su[TOK], tok[TOK], body[512], path[128];
	struct tenant b;
	struct t1_rows w;
	long long bcust, binv, me;
	struct misses m = { 0 };
	struct resp *r;

	admin_tok(su);
	me = staff(su, "admin", tok);
	tenant_make(su, &b);
	t1_rows_make(tok, &w);
	bcust = mk_customer(b.tok, NULL);
	binv = mk_invoice(b.tok, bcust, "10.00");

	snprintf(body, sizeof(body), "{\"customer_id\":%lld,\"subtotal\":\"1.00\"}", w.cust);
	expect_req(&m, b.tok, "POST", "/api/billing/invoices/", body, 400, "customer_id");
	snprintf(body, sizeof(body), "{\"customer_id\":%lld,\"subtotal\":\"1.00\",\"subscription_id\":"
	    "%lld}", bcust, w.sub);
	expect_req(&m, b.tok, "POST", "/api/billing/invoices/", body, 400, "subscription_id");
	snprintf(body, sizeof(body), "{\"customer_id\":%lld,\"amount\":\"1.00\"}", w.cust);
	expect_req(&m, b.tok, "POST", "/api/payments/payments/", body, 400, "customer_id");
	snprintf(body, sizeof(body), "{\"customer_id\":%lld,\"invoice_id\":%lld,\"amount\":\"1.00\"}",
	    bcust, w.inv);
	expect_req(&m, b.tok, "POST", "/api/payments/payments/", body, 400, "invoice_id");
	snprintf(body, sizeof(body), "{\"customer_id\":%lld,\"amount\":\"1.00\",\"plan_id\":%lld}",
	    bcust, w.plan);
	expect_req(&m, b.tok, "POST", "/api/payments/payments/", body, 400, "plan_id");
	snprintf(body, sizeof(body), "{\"customer_id\":%lld,\"amount\":\"1.00\",\"router_id\":%lld}",
	    bcust, w.rt);
	expect_req(&m, b.tok, "POST", "/api/payments/payments/", body, 400, "router_id");
	snprintf(body, sizeof(body), "{\"subject\":\"x\",\"customer_id\":%lld}", w.cust);
	expect_req(&m, b.tok, "POST", "/api/tickets/", body, 400, "customer_id");
	snprintf(body, sizeof(body), "{\"subject\":\"x\",\"assigned_to\":%lld}", me);
	expect_req(&m, b.tok, "POST", "/api/tickets/", body, 400, "assigned_to");
	snprintf(body, sizeof(body), "{\"name\":\"x\",\"assigned_to\":%lld}", me);
	expect_req(&m, b.tok, "POST", "/api/leads/", body, 400, "assigned_to");
	snprintf(body, sizeof(body), "{\"name\":\"x\",\"owner_id\":%lld}", me);
	expect_req(&m, b.tok, "POST", "/api/customers/", body, 400, "owner_id");
	/* changes too */
	snprintf(body, sizeof(body), "{\"subscription_id\":%lld}", w.sub);
	snprintf(path, sizeof(path), "/api/billing/invoices/%lld/", binv);
	expect_req(&m, b.tok, "PATCH", path, body, 400, "subscription_id");
	/* and tenant 1 got nothing from tenant b */
	r = call("GET", tok, NULL, "/api/payments/payments/?invoice_id=%lld", w.inv);
	if (r->status != 200 || total(r) != 1)
		miss(&m, "tenant 1's invoice has %lld payments, expected its 1", total(r));
	it_free(r);
	r = call("GET", b.tok, NULL, "/api/billing/invoices/");
	if (r->status != 200 || total(r) != 1)
		miss(&m, "tenant b has %lld invoices, expected its 1", total(r));
	it_free(r);
	NO_MISSES(m);
}
END_TEST

START_TEST(access_reseller_sees_only_its_customers)
{
	char su[TOK], tok[TOK], rs[TOK], body[512], path[256];
	long long rid, plan, rt, cR, cR2 = 0, cA, sR, sA, iR, iA, pR, pA;
	struct misses m = { 0 };
	struct resp *r;

	admin_tok(su);
	staff(su, "admin", tok);
	rid = staff(su, "reseller_admin", rs);
	plan = mk_plan(tok, NULL);
	rt = mk_router(tok);

	r = call("POST", rs, "{\"name\":\"Reseller's own\"}", "/api/customers/");
	EXPECT_STATUS(r, 201);
	cR = it_int(r, "data/id");
	ck_assert_int_eq(it_int(r, "data/owner_id"), rid);
	it_free(r);
	cA = mk_customer(tok, NULL);
	/* a reseller's customer is its own, whatever the body says */
	{
		long long aid;

		r = call("GET", tok, NULL, "/api/auth/me/");
		aid = it_int(r, "data/id");
		it_free(r);
		snprintf(body, sizeof(body), "{\"name\":\"Given away\",\"owner_id\":%lld}", aid);
		r = call("POST", rs, body, "/api/customers/");
		if (r->status != 201 || it_int(r, "data/owner_id") != rid)
			miss(&m, "reseller's POST with owner_id %lld: HTTP %ld, owner_id %lld: %.200s", aid,
			    r->status, it_int(r, "data/owner_id"), r->body);
		else
			cR2 = it_int(r, "data/id");
		it_free(r);
		/* gone again, so that the reseller has one customer */
		if (cR2) {
			snprintf(path, sizeof(path), "/api/customers/%lld/", cR2);
			expect_req(&m, rs, "DELETE", path, NULL, 200, NULL);
		}
	}

	sR = mk_sub(rs, cR, plan, rt, NULL);
	snprintf(body, sizeof(body), "{\"customer_id\":%lld,\"plan_id\":%lld,\"router_id\":%lld}", cA,
	    plan, rt);
	expect_req(&m, rs, "POST", "/api/subscriptions/", body, 400, "customer_id");
	sA = mk_sub(tok, cA, plan, rt, NULL);
	iR = mk_invoice(tok, cR, "20.00");
	iA = mk_invoice(tok, cA, "30.00");
	pR = mk_payment(rs, cR, iR, "20.00", NULL);
	snprintf(body, sizeof(body), "{\"customer_id\":%lld,\"amount\":\"1.00\",\"payment_method\":"
	    "\"cash\"}", cA);
	expect_req(&m, rs, "POST", "/api/payments/payments/", body, 400, "customer_id");
	pA = mk_payment(tok, cA, iA, "30.00", NULL);

	{
		/* a change of another's row: 404, or 403 where the reseller may change none */
		const struct { const char *base; long long own, other; long patch; } l[] = {
			{ "/api/customers/", cR, cA, 404 },
			{ "/api/subscriptions/", sR, sA, 404 },
			{ "/api/billing/invoices/", iR, iA, 403 },
			{ "/api/payments/payments/", pR, pA, 403 },
		};

		for (size_t i = 0; i < sizeof(l) / sizeof(l[0]); i++) {
			r = call("GET", rs, NULL, "%s?page_size=100", l[i].base);
			if (r->status != 200 || total(r) != 1 || jint(jat(items(r), 0), "id") != l[i].own)
				miss(&m, "GET %s as the reseller: HTTP %ld, %lld items (want only id %lld): "
				    "%.300s", l[i].base, r->status, total(r), l[i].own, r->body);
			if (find_int(r, "id", l[i].other))
				miss(&m, "GET %s as the reseller lists id %lld of another owner", l[i].base,
				    l[i].other);
			it_free(r);
			snprintf(path, sizeof(path), "%s%lld/", l[i].base, l[i].own);
			expect_req(&m, rs, "GET", path, NULL, 200, NULL);
			snprintf(path, sizeof(path), "%s%lld/", l[i].base, l[i].other);
			expect_req(&m, rs, "GET", path, NULL, 404, NULL);
			expect_req(&m, rs, "PATCH", path, "{\"notes\":\"x\"}", l[i].patch, NULL);
			/* the admin sees both */
			snprintf(path, sizeof(path), "%s%lld/", l[i].base, l[i].other);
			expect_req(&m, tok, "GET", path, NULL, 200, NULL);
		}
	}
	/* filters do not reach round the scope either */
	snprintf(path, sizeof(path), "/api/subscriptions/?customer_id=%lld", cA);
	r = call("GET", rs, NULL, "%s", path);
	if (r->status != 200 || total(r) != 0)
		miss(&m, "GET %s as the reseller: HTTP %ld, %lld items", path, r->status, total(r));
	it_free(r);
	snprintf(path, sizeof(path), "/api/payments/payments/?invoice_id=%lld", iA);
	r = call("GET", rs, NULL, "%s", path);
	if (r->status != 200 || total(r) != 0)
		miss(&m, "GET %s as the reseller: HTTP %ld, %lld items", path, r->status, total(r));
	it_free(r);
	/* nor the actions */
	snprintf(path, sizeof(path), "/api/subscriptions/%lld/activate/", sA);
	expect_req(&m, rs, "POST", path, NULL, 404, NULL);
	snprintf(path, sizeof(path), "/api/subscriptions/%lld/activate/", sR);
	expect_req(&m, rs, "POST", path, NULL, 200, NULL);
	snprintf(path, sizeof(path), "/api/customers/%lld/", cA);
	expect_req(&m, rs, "DELETE", path, NULL, 404, NULL);
	expect_req(&m, tok, "GET", path, NULL, 200, NULL);
	snprintf(path, sizeof(path), "/api/subscriptions/%lld/", sA);
	r = call("GET", tok, NULL, "%s", path);
	if (r->status != 200 || strcmp(it_str(r, "data/status") ? it_str(r, "data/status") : "",
	    "pending"))
		miss(&m, "the admin's subscription changed: %.300s", r->body);
	it_free(r);
	NO_MISSES(m);
}
END_TEST

/* ==== bad input: 400 naming the culprit, never 500 ==== */

static const char *const lists[] = {
	"/api/customers/", "/api/plans/", "/api/network/routers/", "/api/subscriptions/",
	"/api/network/router-jobs/", "/api/billing/invoices/", "/api/payments/payments/",
	"/api/tickets/", "/api/leads/", NULL,
};

START_TEST(bad_search_filters_and_paging_on_every_list)
{
	static const char *const odd[] = { "' OR 1=1 --", "%", "\";DROP TABLE customers;--", "_",
	    "\\", "\\\\", NULL };
	char tok[TOK], enc[256], q[512], path[1024];
	struct misses m = { 0 };
	struct resp *r;

	admin_of_t1(tok);
	/* something to find, so that a search that matches all would show */
	mk_customer(tok, ",\"city\":\"Oddtown\"");
	for (int i = 0; lists[i]; i++) {
		const char *l = lists[i];
		int searchable = strstr(l, "router-jobs") == NULL;

		for (int j = 0; odd[j]; j++) {
			snprintf(path, sizeof(path), "%s?search=%s", l, urlenc(odd[j], enc, sizeof(enc)));
			r = call("GET", tok, NULL, "%s", path);
			/* the first three are in no row at all */
			if (r->status != 200 || (searchable && j < 3 && total(r) != 0))
				miss(&m, "GET %s: HTTP %ld with %lld items", path, r->status, total(r));
			it_free(r);
		}
		memset(q, 'q', 150);
		q[150] = '\0';
		snprintf(path, sizeof(path), "%s?search=%s", l, q);
		expect_req(&m, tok, "GET", path, NULL, 400, "search");
		snprintf(path, sizeof(path), "%s?page=0", l);
		expect_req(&m, tok, "GET", path, NULL, 400, "page");
		snprintf(path, sizeof(path), "%s?page=abc", l);
		expect_req(&m, tok, "GET", path, NULL, 400, "page");
		snprintf(path, sizeof(path), "%s?page_size=0", l);
		expect_req(&m, tok, "GET", path, NULL, 400, "page_size");
		snprintf(path, sizeof(path), "%s?ordering=nope", l);
		expect_req(&m, tok, "GET", path, NULL, 400, "ordering");
		snprintf(path, sizeof(path), "%s?page_size=1000", l);
		r = call("GET", tok, NULL, "%s", path);
		if (r->status != 200 || it_int(r, "pagination/page_size") != 100 || jlen(items(r)) > 100)
			miss(&m, "GET %s: HTTP %ld, page_size %lld, expected 200 with 100", path, r->status,
			    it_int(r, "pagination/page_size"));
		it_free(r);
	}
	/* enum filters */
	{
		static const char *const with_status[] = { "/api/customers/", "/api/network/routers/",
		    "/api/subscriptions/", "/api/billing/invoices/", "/api/payments/payments/",
		    "/api/tickets/", "/api/leads/", NULL };

		for (int i = 0; with_status[i]; i++) {
			snprintf(path, sizeof(path), "%s?status=nope", with_status[i]);
			expect_req(&m, tok, "GET", path, NULL, 400, "status");
		}
		expect_req(&m, tok, "GET", "/api/plans/?connection_type=nope", NULL, 400,
		    "connection_type");
		expect_req(&m, tok, "GET", "/api/customers/?account_type=nope", NULL, 400, "account_type");
		expect_req(&m, tok, "GET", "/api/payments/payments/?payment_method=nope", NULL, 400,
		    "payment_method");
		expect_req(&m, tok, "GET", "/api/tickets/?priority=nope", NULL, 400, "priority");
		expect_req(&m, tok, "GET", "/api/customers/?owner_id=abc", NULL, 400, "owner_id");
		expect_req(&m, tok, "GET", "/api/subscriptions/?customer_id=1x", NULL, 400, "customer_id");
		/* internal columns are not orderings */
		expect_req(&m, tok, "GET", "/api/network/routers/?ordering=password_enc", NULL, 400,
		    "ordering");
	}
	/* a long value for a text filter: never a 500 */
	memset(q, 'z', 300);            /* not hex: the log scan looks for those */
	q[300] = '\0';
	snprintf(path, sizeof(path), "/api/customers/?city=%s", q);
	expect_req(&m, tok, "GET", path, NULL, -1, NULL);
	snprintf(path, sizeof(path), "/api/tickets/?category=%s", q);
	expect_req(&m, tok, "GET", path, NULL, -1, NULL);
	snprintf(path, sizeof(path), "/api/leads/?source=%s", q);
	expect_req(&m, tok, "GET", path, NULL, -1, NULL);
	snprintf(path, sizeof(path), "/api/network/router-jobs/?action=%s", q);
	expect_req(&m, tok, "GET", path, NULL, -1, NULL);
	NO_MISSES(m);
}
END_TEST

START_TEST(bad_bodies_name_the_required_field)
{
	char tok[TOK], body[512], path[128];
	long long cust, plan, tkt;
	struct misses m = { 0 };
	static const char *const wrong[] = { "123", "[]", "{}", "true", NULL };

	admin_of_t1(tok);
	cust = mk_customer(tok, NULL);
	plan = mk_plan(tok, NULL);
	tkt = mk_obj(tok, "/api/tickets/", "{\"subject\":\"bodies\"}");
	for (int i = 0; wrong[i]; i++) {
		const char *w = wrong[i];

		snprintf(body, sizeof(body), "{\"name\":%s}", w);
		expect_req(&m, tok, "POST", "/api/customers/", body, 400, "name");
		snprintf(body, sizeof(body), "{\"name\":%s,\"speed\":\"5M/2M\",\"price\":5,"
		    "\"billing_cycle\":\"monthly\"}", w);
		expect_req(&m, tok, "POST", "/api/plans/", body, 400, "name");
		snprintf(body, sizeof(body), "{\"name\":%s,\"host\":\"h1\"}", w);
		expect_req(&m, tok, "POST", "/api/network/routers/", body, 400, "name");
		snprintf(body, sizeof(body), "{\"name\":\"rbad\",\"host\":%s}", w);
		expect_req(&m, tok, "POST", "/api/network/routers/", body, 400, "host");
		snprintf(body, sizeof(body), "{\"subject\":%s}", w);
		expect_req(&m, tok, "POST", "/api/tickets/", body, 400, "subject");
		snprintf(body, sizeof(body), "{\"name\":%s}", w);
		expect_req(&m, tok, "POST", "/api/leads/", body, 400, "name");
		snprintf(body, sizeof(body), "{\"message\":%s}", w);
		snprintf(path, sizeof(path), "/api/tickets/%lld/replies/", tkt);
		expect_req(&m, tok, "POST", path, body, 400, "message");
	}
	/* ids and amounts: strings that are not numbers, objects, booleans */
	{
		static const char *const notnum[] = { "\"abc\"", "{}", "[]", "true", "1.5", NULL };

		for (int i = 0; notnum[i]; i++) {
			const char *w = notnum[i];

			snprintf(body, sizeof(body), "{\"name\":\"p\",\"speed\":\"5M/2M\",\"price\":%s,"
			    "\"billing_cycle\":\"monthly\"}", strcmp(w, "1.5") ? w : "\"1.5.0\"");
			expect_req(&m, tok, "POST", "/api/plans/", body, 400, "price");
			snprintf(body, sizeof(body), "{\"customer_id\":%s,\"plan_id\":%lld}", w, plan);
			expect_req(&m, tok, "POST", "/api/subscriptions/", body, 400, "customer_id");
			snprintf(body, sizeof(body), "{\"customer_id\":%lld,\"plan_id\":%s}", cust, w);
			expect_req(&m, tok, "POST", "/api/subscriptions/", body, 400, "plan_id");
			snprintf(body, sizeof(body), "{\"customer_id\":%s,\"subtotal\":\"1.00\"}", w);
			expect_req(&m, tok, "POST", "/api/billing/invoices/", body, 400, "customer_id");
			snprintf(body, sizeof(body), "{\"customer_id\":%lld,\"subtotal\":%s}", cust,
			    strcmp(w, "1.5") ? w : "\"1.5.0\"");
			expect_req(&m, tok, "POST", "/api/billing/invoices/", body, 400, "subtotal");
			snprintf(body, sizeof(body), "{\"customer_id\":%s,\"amount\":\"1.00\"}", w);
			expect_req(&m, tok, "POST", "/api/payments/payments/", body, 400, "customer_id");
			snprintf(body, sizeof(body), "{\"customer_id\":%lld,\"amount\":%s}", cust,
			    strcmp(w, "1.5") ? w : "\"1.5.0\"");
			expect_req(&m, tok, "POST", "/api/payments/payments/", body, 400, "amount");
		}
	}
	/* missing altogether */
	expect_req(&m, tok, "POST", "/api/customers/", "{}", 400, "name");
	expect_req(&m, tok, "POST", "/api/plans/", "{\"name\":\"p\",\"billing_cycle\":\"monthly\"}", 400,
	    "price");
	expect_req(&m, tok, "POST", "/api/network/routers/", "{}", 400, "name");
	expect_req(&m, tok, "POST", "/api/subscriptions/", "{}", 400, "customer_id");
	expect_req(&m, tok, "POST", "/api/billing/invoices/", "{}", 400, "customer_id");
	expect_req(&m, tok, "POST", "/api/payments/payments/", "{}", 400, "amount");
	expect_req(&m, tok, "POST", "/api/tickets/", "{}", 400, "subject");
	expect_req(&m, tok, "POST", "/api/leads/", "{}", 400, "name");
	/* bodies that are no objects, or none */
	expect_req(&m, tok, "POST", "/api/customers/", "[]", 400, NULL);
	expect_req(&m, tok, "POST", "/api/billing/invoices/", "\"x\"", 400, NULL);
	expect_req(&m, tok, "POST", "/api/payments/payments/", "{not json", 400, NULL);
	expect_req(&m, tok, "POST", "/api/subscriptions/", NULL, 400, NULL);
	snprintf(path, sizeof(path), "/api/billing/invoices/%lld/mark-paid/", 999999999LL);
	expect_req(&m, tok, "POST", path, NULL, 404, NULL);
	NO_MISSES(m);
}
END_TEST

/* last: nothing in this run was a 500 */
START_TEST(no_request_answered_500)
{
	char path[1024], line[8192], first[8192] = "";
	int requests = 0, bad = 0;
	FILE *fp;

	snprintf(path, sizeof(path), "%s/ispbill-fcgi.log", it_dir());
	fp = fopen(path, "r");
	ck_assert_ptr_nonnull(fp);
	while (fgets(line, sizeof(line), fp)) {
		char head[8192], *u, *sp;

		if (strstr(line, "ms user=") == NULL)
			continue;
		requests++;
		/* "... <METHOD> <path> <status> <ms>ms user=<id>": the word before the time */
		snprintf(head, sizeof(head), "%s", line);
		u = strstr(head, "ms user=");
		*u = '\0';
		if ((sp = strrchr(head, ' ')) == NULL)
			continue;
		*sp = '\0';
		if ((sp = strrchr(head, ' ')) == NULL)
			continue;
		if (strcmp(sp + 1, "500") == 0 && bad++ == 0)
			snprintf(first, sizeof(first), "%s", line);
	}
	fclose(fp);
	ck_assert_int_gt(requests, 100);
	ck_assert_msg(bad == 0, "%d request(s) answered 500; the first: %s", bad, first);
}
END_TEST

static TCase *
tc(Suite *s, const char *name)
{
	TCase *t = tcase_create(name);

	tcase_set_timeout(t, 300);
	suite_add_tcase(s, t);
	return t;
}

Suite *
suite_billing(void)
{
	Suite *s = suite_create("billing");
	TCase *t;

	t = tc(s, "customers");
	tcase_add_test(t, customers_create_with_every_documents_fields);
	tcase_add_test(t, customers_phone_and_mac_have_one_form);
	tcase_add_test(t, customers_filter_order_search);
	tcase_add_test(t, customers_patch_and_delete);

	t = tc(s, "plans_routers");
	tcase_add_test(t, plans_000_hotspot_pass);
	tcase_add_test(t, plans_monthly_and_validation);
	tcase_add_test(t, plans_in_use_cannot_be_deleted);
	tcase_add_test(t, routers_password_is_sealed_and_hidden);
	tcase_add_test(t, routers_callback_key_only_in_the_detail_get);
	tcase_add_test(t, routers_unique_name_and_delete_guard);

	t = tc(s, "subscriptions");
	tcase_add_test(t, subs_lifecycle_dates_and_jobs);
	tcase_add_test(t, subs_reset_data_and_create_active);
	tcase_add_test(t, subs_expired_restart_and_billing_cycles);
	tcase_add_test(t, subs_refs_of_another_tenant);

	t = tc(s, "invoices_payments");
	tcase_add_test(t, invoices_numbers_and_totals);
	tcase_add_test(t, invoices_numbers_have_no_gaps_under_concurrency);
	tcase_add_test(t, invoices_overdue_paid_and_locked);
	tcase_add_test(t, payments_pay_and_refund_invoices);
	tcase_add_test(t, payments_pending_above_the_balance);
	tcase_add_test(t, payments_every_method);
	tcase_add_test(t, invoices_mark_paid_checks_the_method);
	tcase_add_test(t, payments_change_keeps_invoice_and_customer_together);

	t = tc(s, "support");
	tcase_add_test(t, tickets_replies_and_resolution);
	tcase_add_test(t, leads_crud_phone_and_status);

	t = tc(s, "access");
	tcase_add_test(t, access_roles_without_the_permission_are_403);
	tcase_add_test(t, access_another_tenant_gets_404_and_sees_nothing);
	tcase_add_test(t, access_no_references_across_tenants);
	tcase_add_test(t, access_reseller_sees_only_its_customers);

	t = tc(s, "bad_input");
	tcase_add_test(t, bad_search_filters_and_paging_on_every_list);
	tcase_add_test(t, bad_bodies_name_the_required_field);
	tcase_add_test(t, no_request_answered_500);
	return s;
}
