/* t_identity.c - identity, access and tenancy over real nginx + MariaDB:
 * login (username, email, login_id), refresh rotation and reuse, logout,
 * verify and the throttles; users, roles, assignments, permissions and
 * groups; API clients; tenants and their isolation; registration;
 * locations; the audit log; 003's dashboard; bad input that must never be
 * a 500.  Every test makes what it needs under unique names, so it runs on
 * its own and after any other; failed logins are cleared from
 * login_attempts (through our own MariaDB connection) before and after. */
#include "config.h"

#include <ctype.h>
#include <limits.h>
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
#define PW2     "It-Passw0rd-two"
#define TOK     1024            /* room for an access token */

/* ---- names ---- */


/* ---- our own database connection, for set-up and clean-up ---- */

/* Run one statement; the first column of the first row as a number (0 when
 * there is none), or -1 on error.  No assertions: fixtures use it too. */
static long long
db_do(const char *sql)
{
	struct config cfg;
	struct db db;
	struct arena a;
	struct db_result r;
	char path[1024], err[256];
	long long v = -1;

	memset(&cfg, 0, sizeof(cfg));
	snprintf(path, sizeof(path), "%s/ispbill.conf", it_dir());
	if (config_load(&cfg, path, err, sizeof(err)) != 0) {
		fprintf(stderr, "t_identity: %s\n", err);
		config_free(&cfg);
		return -1;
	}
	arena_init(&a);
	db_init(&db, &cfg, 0);
	memset(&r, 0, sizeof(r));
	if (db_query(&db, &a, sql, NULL, 0, &r) == 0)
		v = (r.nrows && r.ncols) ? db_val_int(&r, 0, 0, 0) : 0;
	else
		fprintf(stderr, "t_identity: %s: %s\n", sql, db.errmsg);
	db_close(&db);
	arena_free(&a);
	config_free(&cfg);
	return v;
}

/* How many permissions the shipped default role of a user type holds: the
 * figures follow the migrations rather than being written down twice. */
static long long
role_perm_count(const char *user_type)
{
	char sql[300];

	snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM role_permissions rp JOIN roles r "
	    "ON r.id = rp.role_id WHERE r.tenant_id IS NULL AND r.name = '%s'", user_type);
	return db_do(sql);
}

/* Failed logins count per login id and per address (all of ours are
 * 127.0.0.1): never leave them for the next test or suite. */
static void
clear_attempts(void)
{
	ck_assert_int_ge(db_do("DELETE FROM login_attempts"), 0);
}

/* unchecked teardown (runs in the runner even when a test failed) */
static void
world_restore(void)
{
	db_do("DELETE FROM login_attempts");
	db_do("UPDATE tenants SET allow_registration = 0");
}

/* The hourly limits are fixed windows: keep a short test off a window's end. */
static void
clear_of_hour_end(void)
{
	time_t now = time(NULL);

	if (now % 3600 > 3600 - 20)
		sleep((unsigned)(3600 - now % 3600 + 1));
}

/* ---- HTTP ---- */

static struct resp *vsend(const char *method, const char *h1, const char *h2, const char *body,
    const char *fmt, va_list ap) __attribute__((format(printf, 5, 0)));
static struct resp *call(const char *method, const char *tok, const char *body,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static struct resp *call_rid(const char *method, const char *tok, const char *rid,
    const char *body, const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static struct resp *call_key(const char *method, const char *key, const char *body,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static long status_of(const char *method, const char *tok, const char *body,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static struct resp *
vsend(const char *method, const char *h1, const char *h2, const char *body, const char *fmt,
    va_list ap)
{
	char path[4096];
	const char *hdrs[3] = { NULL, NULL, NULL };
	int n = 0;

	vsnprintf(path, sizeof(path), fmt, ap);
	if (h1)
		hdrs[n++] = h1;
	if (h2)
		hdrs[n++] = h2;
	return it_http(0, method, path, NULL, body, body ? strlen(body) : 0, hdrs);
}

/* A request as the holder of an access token (NULL: no credential). */
static struct resp *
call(const char *method, const char *tok, const char *body, const char *fmt, ...)
{
	char auth[TOK + 64];
	struct resp *r;
	va_list ap;

	if (tok)
		snprintf(auth, sizeof(auth), "Authorization: Bearer %s", tok);
	va_start(ap, fmt);
	r = vsend(method, tok ? auth : NULL, NULL, body, fmt, ap);
	va_end(ap);
	return r;
}

/* The same with an X-Request-ID of our choosing. */
static struct resp *
call_rid(const char *method, const char *tok, const char *rid, const char *body,
    const char *fmt, ...)
{
	char auth[TOK + 64], idh[128];
	struct resp *r;
	va_list ap;

	if (tok)
		snprintf(auth, sizeof(auth), "Authorization: Bearer %s", tok);
	snprintf(idh, sizeof(idh), "X-Request-ID: %s", rid);
	va_start(ap, fmt);
	r = vsend(method, idh, tok ? auth : NULL, body, fmt, ap);
	va_end(ap);
	return r;
}

/* A request as an API client. */
static struct resp *
call_key(const char *method, const char *key, const char *body, const char *fmt, ...)
{
	char kh[256];
	struct resp *r;
	va_list ap;

	snprintf(kh, sizeof(kh), "X-Client-Key: %s", key);
	va_start(ap, fmt);
	r = vsend(method, kh, NULL, body, fmt, ap);
	va_end(ap);
	return r;
}

/* Just the status (never 500 is asserted on every one of them). */
static long
status_of(const char *method, const char *tok, const char *body, const char *fmt, ...)
{
	char auth[TOK + 64];
	struct resp *r;
	va_list ap;
	long st;

	if (tok)
		snprintf(auth, sizeof(auth), "Authorization: Bearer %s", tok);
	va_start(ap, fmt);
	r = vsend(method, tok ? auth : NULL, NULL, body, fmt, ap);
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

static int
jbool(yajl_val o, const char *key)
{
	yajl_val v = jget(o, key);

	return v && YAJL_IS_TRUE(v) ? 1 : v && YAJL_IS_FALSE(v) ? 0 : -1;
}

static int
has_str(yajl_val a, const char *s)
{
	for (size_t i = 0; i < jlen(a); i++)
		if (YAJL_IS_STRING(jat(a, i)) && strcmp(jat(a, i)->u.string, s) == 0)
			return 1;
	return 0;
}

static int
has_int(yajl_val a, long long n)
{
	for (size_t i = 0; i < jlen(a); i++)
		if (YAJL_IS_INTEGER(jat(a, i)) && jat(a, i)->u.number.i == n)
			return 1;
	return 0;
}

static yajl_val
find_str(const struct resp *r, const char *key, const char *v)
{
	yajl_val a = items(r);

	for (size_t i = 0; i < jlen(a); i++)
		if (jstr(jat(a, i), key) && strcmp(jstr(jat(a, i), key), v) == 0)
			return jat(a, i);
	return NULL;
}

/* a decimal given as "50.00" may come back as that string or as the number */
static int
decimal_is(yajl_val v, const char *want)
{
	if (v && YAJL_IS_STRING(v))
		return strcmp(v->u.string, want) == 0;
	if (v && YAJL_IS_NUMBER(v))
		return strtod(v->u.number.r, NULL) == strtod(want, NULL);
	return 0;
}

/* ---- logging in, making users and tenants ---- */

struct sess {
	long long user_id;
	char access[TOK];
	char refresh[128];
};

static struct resp *
login_resp(const char *field, const char *login, const char *pw, int remember)
{
	char body[1024];

	snprintf(body, sizeof(body), "{\"%s\":\"%s\",\"password\":\"%s\"%s}", field, login, pw,
	    remember ? ",\"remember_me\":true" : "");
	return call("POST", NULL, body, "/api/auth/login/");
}

static void
sess_login(struct sess *s, const char *username, const char *pw)
{
	struct resp *r = login_resp("username", username, pw, 0);

	ck_assert_msg(r->status == 200, "login %s: HTTP %ld: %.600s", username, r->status, r->body);
	ck_assert_ptr_nonnull(it_str(r, "data/tokens/access"));
	ck_assert_ptr_nonnull(it_str(r, "data/tokens/refresh"));
	snprintf(s->access, sizeof(s->access), "%s", it_str(r, "data/tokens/access"));
	snprintf(s->refresh, sizeof(s->refresh), "%s", it_str(r, "data/tokens/refresh"));
	s->user_id = it_int(r, "data/user/id");
	it_free(r);
}

static void
login_tok(const char *username, const char *pw, char out[TOK])
{
	struct sess s;

	sess_login(&s, username, pw);
	snprintf(out, TOK, "%s", s.access);
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

static long long
mk_role(const char *tok, const char *name, const char *extra)
{
	char body[1024];
	struct resp *r;
	long long id;

	snprintf(body, sizeof(body), "{\"name\":\"%s\",\"display_name\":\"Role %s\"%s}", name, name,
	    extra ? extra : "");
	r = call("POST", tok, body, "/api/auth/roles/");
	ck_assert_msg(r->status == 201, "create role %s: HTTP %ld: %.600s", name, r->status, r->body);
	id = it_int(r, "data/id");
	it_free(r);
	return id;
}

static long long
perm_id(const char *tok, const char *codename)
{
	char q[256];
	struct resp *r = call("GET", tok, NULL, "/api/auth/permissions/?search=%s&page_size=100",
	    urlenc(codename, q, sizeof(q)));
	long long id;

	EXPECT_STATUS(r, 200);
	id = jint(find_str(r, "codename", codename), "id");
	it_free(r);
	ck_assert_msg(id > 0, "no permission %s", codename);
	return id;
}

/* assign or revoke; the answer's status */
static long
assign(const char *tok, long long user, long long role, const char *more)
{
	char body[512];

	snprintf(body, sizeof(body), "{\"user_id\":%lld,\"role_id\":%lld%s}", user, role,
	    more ? more : "");
	return status_of("POST", tok, body, "/api/auth/roles/assign/");
}

/* ==== auth ==== */

START_TEST(auth_login_by_username_email_login_id)
{
	char su[TOK], name[64], lid[80], body[256];
	struct resp *r;
	long long id;
	time_t now = time(NULL);
	yajl_val roles, perms;

	admin_tok(su);
	id = mk_named(su, "lg", "billing_manager", name, sizeof(name));
	/* give it a login id first */
	snprintf(lid, sizeof(lid), "L-%s", name);
	snprintf(body, sizeof(body), "{\"login_id\":\"%s\"}", lid);
	r = call("PATCH", su, body, "/api/auth/users/%lld/", id);
	EXPECT_STATUS(r, 200);
	ck_assert_str_eq(it_str(r, "data/login_id"), lid);
	it_free(r);

	r = login_resp("username", name, PW, 0);
	EXPECT_STATUS(r, 200);
	ck_assert_int_eq(it_bool(r, "success"), 1);
	ck_assert_str_eq(it_str(r, "message"), "Login successful");
	ck_assert_int_eq(it_int(r, "data/user/id"), id);
	ck_assert_str_eq(it_str(r, "data/user/username"), name);
	ck_assert_str_eq(it_str(r, "data/user/user_type"), "billing_manager");
	roles = it_json(r, "data/user/roles");
	ck_assert_int_eq(jlen(roles), 1);
	ck_assert_str_eq(jstr(jat(roles, 0), "name"), "billing_manager");
	ck_assert_int_eq(jbool(jat(roles, 0), "is_default"), 1);
	perms = it_json(r, "data/user/permissions");
	ck_assert_int_eq(jlen(perms), role_perm_count("billing_manager"));
	ck_assert(!has_str(perms, "users.add_user"));
	ck_assert(has_str(perms, "users.view_user"));
	ck_assert(has_str(perms, "locations.view_location"));
	ck_assert(has_str(perms, "dashboard.view_stats"));
	ck_assert_ptr_nonnull(it_str(r, "data/tokens/access"));
	ck_assert_int_eq(strlen(it_str(r, "data/tokens/refresh")), 64);
	ck_assert_int_eq(strspn(it_str(r, "data/tokens/refresh"), "0123456789abcdef"), 64);
	ck_assert_str_eq(it_str(r, "data/tokens/token_type"), "Bearer");
	ck_assert_int_gt(it_int(r, "data/tokens/expires_in"), 0);
	{
		time_t exp = iso_time(it_str(r, "data/expires_at"));
		time_t rexp = iso_time(it_str(r, "data/refresh_expires_at"));
		long long in = it_int(r, "data/tokens/expires_in");

		ck_assert(exp > 0 && rexp > 0);
		ck_assert_int_le(llabs((long long)(exp - now) - in), 60);
		ck_assert_int_le(llabs((long long)(rexp - now) - 7LL * 86400), 120);
	}
	ck_assert_int_eq(it_bool(r, "data/remember_me"), 0);
	ck_assert_ptr_null(strstr(r->body, "password"));
	ck_assert_ptr_null(strstr(r->body, "$argon2"));
	it_free(r);

	snprintf(body, sizeof(body), "%s@example.org", name);
	r = login_resp("email", body, PW, 0);
	EXPECT_STATUS(r, 200);
	ck_assert_int_eq(it_int(r, "data/user/id"), id);
	it_free(r);

	r = login_resp("login_id", lid, PW, 0);
	EXPECT_STATUS(r, 200);
	ck_assert_int_eq(it_int(r, "data/user/id"), id);
	ck_assert_str_eq(it_str(r, "data/user/login_id"), lid);
	it_free(r);
}
END_TEST

START_TEST(auth_remember_me_keeps_the_refresh_longer)
{
	char su[TOK], name[64];
	struct resp *r;
	time_t plain, longer;

	admin_tok(su);
	mk_named(su, "rm", "support_staff", name, sizeof(name));
	r = login_resp("username", name, PW, 0);
	EXPECT_STATUS(r, 200);
	plain = iso_time(it_str(r, "data/refresh_expires_at"));
	ck_assert_int_eq(it_bool(r, "data/remember_me"), 0);
	it_free(r);
	r = login_resp("username", name, PW, 1);
	EXPECT_STATUS(r, 200);
	longer = iso_time(it_str(r, "data/refresh_expires_at"));
	ck_assert_int_eq(it_bool(r, "data/remember_me"), 1);
	ck_assert_int_le(llabs((long long)(longer - time(NULL)) - 30LL * 86400), 120);
	it_free(r);
	ck_assert(plain > 0 && longer > 0);
	ck_assert_int_le(llabs((long long)(longer - plain) - 23LL * 86400), 120);
	/* and a rotation keeps it */
	{
		char body[256];

		r = login_resp("username", name, PW, 1);
		snprintf(body, sizeof(body), "{\"refresh_token\":\"%s\"}", it_str(r, "data/tokens/refresh"));
		it_free(r);
		r = call("POST", NULL, body, "/api/auth/refresh/");
		EXPECT_STATUS(r, 200);
		ck_assert_int_eq(it_bool(r, "data/remember_me"), 1);
		ck_assert_int_le(llabs((long long)(iso_time(it_str(r, "data/refresh_expires_at")) -
		    time(NULL)) - 30LL * 86400), 120);
		it_free(r);
	}
}
END_TEST

static long
refresh_status(const char *refresh, struct sess *out)
{
	char body[256];
	struct resp *r;
	long st;

	snprintf(body, sizeof(body), "{\"refresh_token\":\"%s\"}", refresh);
	r = call("POST", NULL, body, "/api/auth/refresh/");
	st = r->status;
	if (st == 401)
		ck_assert_str_eq(it_str(r, "error_code"), "UNAUTHORIZED");
	if (out && st == 200) {
		snprintf(out->access, sizeof(out->access), "%s", it_str(r, "data/tokens/access"));
		snprintf(out->refresh, sizeof(out->refresh), "%s", it_str(r, "data/tokens/refresh"));
		ck_assert_str_eq(it_str(r, "data/tokens/token_type"), "Bearer");
		ck_assert_ptr_nonnull(it_str(r, "data/expires_at"));
	}
	it_free(r);
	ck_assert_msg(st != 500, "refresh answered 500");
	return st;
}

static long
me_status(const char *tok)
{
	return status_of("GET", tok, NULL, "/api/auth/me/");
}

START_TEST(auth_refresh_rotates_and_reuse_ends_the_family)
{
	char su[TOK], name[64];
	struct sess s1, s2;

	admin_tok(su);
	mk_named(su, "rf", "support_staff", name, sizeof(name));
	sess_login(&s1, name, PW);
	memset(&s2, 0, sizeof(s2));
	ck_assert_int_eq(refresh_status(s1.refresh, &s2), 200);
	ck_assert_str_ne(s2.refresh, s1.refresh);
	ck_assert_int_eq(strlen(s2.refresh), 64);
	ck_assert_int_eq(me_status(s1.access), 200);    /* the old access token still works */
	ck_assert_int_eq(me_status(s2.access), 200);
	/* the used refresh token again: somebody copied it */
	ck_assert_int_eq(refresh_status(s1.refresh, NULL), 401);
	ck_assert_int_eq(refresh_status(s2.refresh, NULL), 401);
	ck_assert_int_eq(me_status(s2.access), 401);
	ck_assert_int_eq(me_status(s1.access), 401);
	/* another login is not touched */
	sess_login(&s1, name, PW);
	ck_assert_int_eq(me_status(s1.access), 200);
}
END_TEST

START_TEST(auth_logout_ends_that_session_only)
{
	char su[TOK], name[64], body[256];
	struct sess a, b;
	struct resp *r;

	admin_tok(su);
	mk_named(su, "lo", "support_staff", name, sizeof(name));
	sess_login(&a, name, PW);
	sess_login(&b, name, PW);
	snprintf(body, sizeof(body), "{\"refresh_token\":\"%s\"}", a.refresh);
	r = call("POST", a.access, body, "/api/auth/logout/");
	EXPECT_STATUS(r, 200);
	ck_assert_int_eq(it_bool(r, "success"), 1);
	it_free(r);
	ck_assert_int_eq(me_status(a.access), 401);
	ck_assert_int_eq(refresh_status(a.refresh, NULL), 401);
	ck_assert_int_eq(me_status(b.access), 200);
	/* somebody else's refresh token is not the caller's to end */
	sess_login(&a, name, PW);
	{
		char other[64];
		struct sess o;

		mk_named(su, "lo", "support_staff", other, sizeof(other));
		sess_login(&o, other, PW);
		snprintf(body, sizeof(body), "{\"refresh_token\":\"%s\"}", o.refresh);
		r = call("POST", a.access, body, "/api/auth/logout/");
		EXPECT_FIELD(r, "refresh_token");
		it_free(r);
		ck_assert_int_eq(me_status(o.access), 200);
	}
}
END_TEST

START_TEST(auth_logout_all_devices)
{
	char su[TOK], name[64];
	struct sess a, b;
	struct resp *r;

	admin_tok(su);
	mk_named(su, "la", "support_staff", name, sizeof(name));
	sess_login(&a, name, PW);
	sess_login(&b, name, PW);
	r = call("POST", a.access, "{\"logout_all_devices\":true}", "/api/auth/logout/");
	EXPECT_STATUS(r, 200);
	it_free(r);
	ck_assert_int_eq(me_status(a.access), 401);
	ck_assert_int_eq(me_status(b.access), 401);
	ck_assert_int_eq(refresh_status(a.refresh, NULL), 401);
	ck_assert_int_eq(refresh_status(b.refresh, NULL), 401);
}
END_TEST

START_TEST(auth_verify)
{
	char su[TOK], name[64], body[TOK + 64];
	struct sess s;
	struct resp *r;

	admin_tok(su);
	mk_named(su, "vf", "support_staff", name, sizeof(name));
	sess_login(&s, name, PW);
	snprintf(body, sizeof(body), "{\"token\":\"%s\"}", s.access);
	r = call("POST", NULL, body, "/api/auth/verify/");
	EXPECT_STATUS(r, 200);
	ck_assert_str_eq(it_str(r, "data/user/username"), name);
	ck_assert_int_eq(it_int(r, "data/user/id"), s.user_id);
	ck_assert(iso_time(it_str(r, "data/expires_at")) > time(NULL));
	ck_assert_ptr_null(strstr(r->body, "password"));
	it_free(r);
	r = call("POST", NULL, "{\"token\":\"garbage.garbage.garbage\"}", "/api/auth/verify/");
	EXPECT_ERROR(r, 401, "UNAUTHORIZED");
	it_free(r);
	r = call("POST", NULL, "{}", "/api/auth/verify/");
	EXPECT_FIELD(r, "token");
	it_free(r);
	/* a logged-out token is no longer valid */
	r = call("POST", s.access, "{}", "/api/auth/logout/");
	EXPECT_STATUS(r, 200);
	it_free(r);
	r = call("POST", NULL, body, "/api/auth/verify/");
	EXPECT_ERROR(r, 401, "UNAUTHORIZED");
	it_free(r);
}
END_TEST

START_TEST(auth_wrong_password_is_401_without_tokens)
{
	char su[TOK], name[64];
	struct resp *r, *u;

	admin_tok(su);
	mk_named(su, "wp", "support_staff", name, sizeof(name));
	clear_attempts();
	r = login_resp("username", name, "not-the-password-1", 0);
	u = login_resp("username", "nobody-of-that-name", "not-the-password-1", 0);
	clear_attempts();
	EXPECT_ERROR(r, 401, "UNAUTHORIZED");
	ck_assert_ptr_null(strstr(r->body, "access"));
	ck_assert_ptr_null(strstr(r->body, "refresh"));
	ck_assert_ptr_null(strstr(r->body, "token"));
	/* an unknown user gets the same answer */
	EXPECT_ERROR(u, 401, "UNAUTHORIZED");
	ck_assert_str_eq(it_str(u, "message"), it_str(r, "message"));
	it_free(r);
	it_free(u);
}
END_TEST

/* ==== throttles ==== */

START_TEST(throttle_five_failed_logins)
{
	char su[TOK], name[64], *ra;
	struct resp *r;
	long st[5], retry = -1;
	char *end = NULL;

	admin_tok(su);
	mk_named(su, "th", "support_staff", name, sizeof(name));
	clear_attempts();
	for (int i = 0; i < 5; i++) {
		r = login_resp("username", name, "not-the-password-1", 0);
		st[i] = r->status;
		it_free(r);
	}
	r = login_resp("username", name, PW, 0);       /* the right one, too late */
	ra = it_header(r, "Retry-After");
	if (ra)
		retry = strtol(ra, &end, 10);
	{
		/* the address is throttled too: admin from 127.0.0.1 */
		struct resp *a = it_post("/api/auth/login/", "{\"username\":\"admin\",\"password\":\"x-x-x-x-x\"}");
		long ast = a->status;

		it_free(a);
		clear_attempts();
		ck_assert_int_eq(ast, 429);
	}
	for (int i = 0; i < 5; i++)
		ck_assert_int_eq(st[i], 401);
	EXPECT_ERROR(r, 429, "THROTTLED");
	ck_assert_ptr_null(strstr(r->body, "access"));
	ck_assert_msg(ra != NULL && end && *end == '\0' && retry >= 1 && retry <= 900,
	    "Retry-After: %s", ra ? ra : "(none)");
	free(ra);
	it_free(r);
	/* cleared, the right password works again */
	r = login_resp("username", name, PW, 0);
	EXPECT_STATUS(r, 200);
	it_free(r);
	clear_attempts();
}
END_TEST

START_TEST(throttle_three_password_changes_an_hour)
{
	char su[TOK], name[64], tok[TOK], body[256];
	const char *pw[] = { PW, PW2, PW, PW2, PW };
	struct resp *r;
	char *ra;

	admin_tok(su);
	mk_named(su, "pc", "support_staff", name, sizeof(name));
	login_tok(name, PW, tok);
	clear_of_hour_end();
	for (int i = 0; i < 3; i++) {
		snprintf(body, sizeof(body), "{\"old_password\":\"%s\",\"new_password\":\"%s\","
		    "\"new_password_confirm\":\"%s\"}", pw[i], pw[i + 1], pw[i + 1]);
		r = call("POST", tok, body, "/api/auth/change-password/");
		EXPECT_STATUS(r, 200);
		it_free(r);
	}
	snprintf(body, sizeof(body), "{\"old_password\":\"%s\",\"new_password\":\"%s\","
	    "\"new_password_confirm\":\"%s\"}", pw[3], pw[4], pw[4]);
	r = call("POST", tok, body, "/api/auth/change-password/");
	EXPECT_ERROR(r, 429, "THROTTLED");
	ra = it_header(r, "Retry-After");
	ck_assert_ptr_nonnull(ra);
	ck_assert_int_ge(atol(ra), 1);
	ck_assert_int_le(atol(ra), 3600);
	free(ra);
	it_free(r);
	/* the fourth did not go through: the third password is the one */
	{
		struct sess s;

		sess_login(&s, name, PW2);
	}
}
END_TEST

START_TEST(throttle_rate_limit_headers)
{
	char su[TOK], name[64], tok[TOK];
	struct resp *r;
	char *lim, *rem1, *rem2, *reset;

	admin_tok(su);
	mk_named(su, "rl", "support_staff", name, sizeof(name));
	login_tok(name, PW, tok);
	clear_of_hour_end();
	r = call("GET", tok, NULL, "/api/auth/me/");
	EXPECT_STATUS(r, 200);
	lim = it_header(r, "X-RateLimit-Limit");
	rem1 = it_header(r, "X-RateLimit-Remaining");
	reset = it_header(r, "X-RateLimit-Reset");
	it_free(r);
	r = call("GET", tok, NULL, "/api/auth/profile/");
	EXPECT_STATUS(r, 200);
	rem2 = it_header(r, "X-RateLimit-Remaining");
	it_free(r);
	ck_assert_ptr_nonnull(lim);
	ck_assert_ptr_nonnull(rem1);
	ck_assert_ptr_nonnull(rem2);
	ck_assert_ptr_nonnull(reset);
	ck_assert_str_eq(lim, "1000");
	ck_assert_int_eq(atol(rem1), 999);      /* a new user's first request */
	ck_assert_int_eq(atol(rem2), 998);
	ck_assert_int_ge(atol(reset), 1);
	ck_assert_int_le(atol(reset), 3600);
	free(lim);
	free(rem1);
	free(rem2);
	free(reset);
	/* spend the rest of the hour's budget behind its back: the next is 429 */
	{
		char sql[200];
		long long uid;

		r = call("GET", tok, NULL, "/api/auth/me/");
		uid = it_int(r, "data/id");
		it_free(r);
		snprintf(sql, sizeof(sql), "UPDATE rate_counters SET hits = 1000 WHERE bucket = 'req:%lld'",
		    uid);
		ck_assert_int_ge(db_do(sql), 0);
	}
	r = call("GET", tok, NULL, "/api/auth/me/");
	EXPECT_ERROR(r, 429, "THROTTLED");
	rem1 = it_header(r, "X-RateLimit-Remaining");
	reset = it_header(r, "Retry-After");
	ck_assert_ptr_nonnull(rem1);
	ck_assert_ptr_nonnull(reset);
	ck_assert_str_eq(rem1, "0");
	ck_assert_int_ge(atol(reset), 1);
	ck_assert_int_le(atol(reset), 3600);
	free(rem1);
	free(reset);
	it_free(r);
}
END_TEST

/* ==== users ==== */

START_TEST(users_create_validation)
{
	char su[TOK], name[64], body[1024];
	struct resp *r;

	admin_tok(su);
	uniq(name, sizeof(name), "uv");
#define TRY(field, fmt, ...) do { \
	snprintf(body, sizeof(body), fmt, __VA_ARGS__); \
	r = call("POST", su, body, "/api/auth/users/"); \
	EXPECT_FIELD(r, field); \
	ck_assert_ptr_null(strstr(r->body, "$argon2")); \
	it_free(r); \
} while (0)
	TRY("password_confirm", "{\"username\":\"%s\",\"password\":\"" PW "\","
	    "\"password_confirm\":\"" PW2 "\"}", name);
	TRY("password", "{\"username\":\"%s\",\"password\":\"%s\",\"password_confirm\":\"%s\"}",
	    name, "short1", "short1");
	TRY("password", "{\"username\":\"%s\",\"password\":\"%s\"}", name, "1234567890");
	TRY("password", "{\"username\":\"%s\"}", name);
	TRY("email", "{\"username\":\"%s\",\"email\":\"%s\",\"password\":\"" PW "\"}", name,
	    "not-an-email");
	TRY("user_type", "{\"username\":\"%s\",\"user_type\":\"%s\",\"password\":\"" PW "\"}",
	    name, "emperor");
	TRY("district_id", "{\"username\":\"%s\",\"district_id\":%d,\"password\":\"" PW "\"}",
	    name, 999999);
	TRY("username", "{\"email\":\"%s@example.org\",\"password\":\"" PW "\"}", name);
	/* none of those made the user */
	r = call("GET", su, NULL, "/api/auth/users/?search=%s", name);
	EXPECT_STATUS(r, 200);
	ck_assert_int_eq(total(r), 0);
	it_free(r);
	/* duplicates */
	mk_user(su, name, "support_staff", NULL);
	TRY("username", "{\"username\":\"%s\",\"password\":\"" PW "\"}", name);
	TRY("email", "{\"username\":\"%s2\",\"email\":\"%s@example.org\",\"password\":\"" PW "\"}",
	    name, name);
#undef TRY
}
END_TEST

START_TEST(users_crud)
{
	char su[TOK], name[64], body[1024], uuid[64], tok[TOK];
	struct resp *r;
	long long id;

	admin_tok(su);
	uniq(name, sizeof(name), "uc");
	snprintf(body, sizeof(body), "{\"username\":\"%s\",\"email\":\"%s@example.org\","
	    "\"first_name\":\"Ada\",\"last_name\":\"Lovelace\",\"phone\":\"+8801700000000\","
	    "\"user_type\":\"support_staff\",\"department\":\"Support\",\"district_id\":47,"
	    "\"password\":\"" PW "\",\"password_confirm\":\"" PW "\"}", name, name);
	r = call("POST", su, body, "/api/auth/users/");
	EXPECT_STATUS(r, 201);
	ck_assert_int_eq(it_bool(r, "success"), 1);
	id = it_int(r, "data/id");
	ck_assert_int_gt(id, 1);
	ck_assert_str_eq(it_str(r, "data/username"), name);
	ck_assert_str_eq(it_str(r, "data/first_name"), "Ada");
	ck_assert_str_eq(it_str(r, "data/full_name"), "Ada Lovelace");
	ck_assert_str_eq(it_str(r, "data/user_type"), "support_staff");
	ck_assert_str_eq(it_str(r, "data/role"), "support");
	ck_assert_str_eq(it_str(r, "data/department"), "Support");
	ck_assert_int_eq(it_int(r, "data/district_id"), 47);
	ck_assert_int_eq(it_bool(r, "data/is_active"), 1);
	ck_assert_int_eq(it_bool(r, "data/is_superuser"), 0);
	ck_assert_ptr_null(strstr(r->body, "password"));
	ck_assert_ptr_null(strstr(r->body, "$argon2"));
	snprintf(uuid, sizeof(uuid), "%s", it_str(r, "data/uuid") ? it_str(r, "data/uuid") : "");
	ck_assert_int_eq(strlen(uuid), 36);
	it_free(r);

	r = call("GET", su, NULL, "/api/auth/users/%lld/", id);
	EXPECT_STATUS(r, 200);
	{
		char email[96];

		snprintf(email, sizeof(email), "%s@example.org", name);
		ck_assert_str_eq(it_str(r, "data/email"), email);
	}
	ck_assert_str_eq(it_str(r, "data/last_name"), "Lovelace");
	ck_assert_ptr_nonnull(it_json(r, "data/roles"));
	ck_assert(has_str(it_json(r, "data/permissions"), "locations.view_location"));
	ck_assert_ptr_null(strstr(r->body, "password"));
	it_free(r);
	r = call("GET", su, NULL, "/api/auth/users/%s/", uuid);      /* by UUID too */
	EXPECT_STATUS(r, 200);
	ck_assert_int_eq(it_int(r, "data/id"), id);
	it_free(r);

	r = call("PATCH", su, "{\"first_name\":\"Grace\"}", "/api/auth/users/%lld/", id);
	EXPECT_STATUS(r, 200);
	ck_assert_str_eq(it_str(r, "data/first_name"), "Grace");
	ck_assert_str_eq(it_str(r, "data/last_name"), "Lovelace");
	ck_assert_str_eq(it_str(r, "data/user_type"), "support_staff");
	ck_assert_ptr_null(strstr(r->body, "password"));
	it_free(r);

	snprintf(body, sizeof(body), "{\"username\":\"%s\",\"email\":\"%s@example.net\","
	    "\"first_name\":\"Grace\",\"last_name\":\"Hopper\",\"user_type\":\"accountant\"}",
	    name, name);
	r = call("PUT", su, body, "/api/auth/users/%lld/", id);
	EXPECT_STATUS(r, 200);
	ck_assert_str_eq(it_str(r, "data/last_name"), "Hopper");
	ck_assert_str_eq(it_str(r, "data/user_type"), "accountant");
	ck_assert_str_eq(it_str(r, "data/full_name"), "Grace Hopper");
	it_free(r);
	r = call("PUT", su, "{\"first_name\":\"NoName\"}", "/api/auth/users/%lld/", id);
	EXPECT_FIELD(r, "username");                    /* PUT is whole */
	it_free(r);

	/* the user can log in; its token dies with it */
	login_tok(name, PW, tok);
	ck_assert_int_eq(me_status(tok), 200);
	r = call("DELETE", su, NULL, "/api/auth/users/%lld/", id);
	EXPECT_STATUS(r, 200);
	ck_assert_int_eq(it_bool(r, "success"), 1);
	ck_assert(it_is_null(r, "data"));
	it_free(r);
	r = call("GET", su, NULL, "/api/auth/users/%lld/", id);
	EXPECT_ERROR(r, 404, "NOT_FOUND");
	it_free(r);
	ck_assert_int_eq(status_of("DELETE", su, NULL, "/api/auth/users/%lld/", id), 404);
	ck_assert_int_eq(me_status(tok), 401);
	clear_attempts();
	r = login_resp("username", name, PW, 0);
	clear_attempts();
	EXPECT_ERROR(r, 401, "UNAUTHORIZED");
	it_free(r);
	/* nor may one delete oneself */
	ck_assert_int_eq(status_of("DELETE", su, NULL, "/api/auth/users/1/"), 409);
	/* a disabled user: its sessions end, it cannot log in */
	{
		struct sess s;

		id = mk_named(su, "uc", "support_staff", name, sizeof(name));
		sess_login(&s, name, PW);
		r = call("PATCH", su, "{\"is_active\":false}", "/api/auth/users/%lld/", id);
		EXPECT_STATUS(r, 200);
		ck_assert_int_eq(it_bool(r, "data/is_active"), 0);
		it_free(r);
		ck_assert_int_eq(me_status(s.access), 401);
		ck_assert_int_eq(refresh_status(s.refresh, NULL), 401);
		clear_attempts();
		r = login_resp("username", name, PW, 0);
		clear_attempts();
		EXPECT_ERROR(r, 401, "UNAUTHORIZED");
		it_free(r);
		r = call("PATCH", su, "{\"is_active\":true}", "/api/auth/users/%lld/", id);
		EXPECT_STATUS(r, 200);
		it_free(r);
		sess_login(&s, name, PW);
	}
}
END_TEST

START_TEST(users_list_search_filter_order_page)
{
	char su[TOK], pre[64], name[80];
	const char *types[] = { "support_staff", "accountant", "accountant" };
	long long ids[3];
	struct resp *r;
	yajl_val a;

	admin_tok(su);
	uniq(pre, sizeof(pre), "ls");
	for (int i = 0; i < 3; i++) {
		snprintf(name, sizeof(name), "%s%c", pre, 'a' + i);
		ids[i] = mk_user(su, name, types[i], NULL);
	}
	r = call("GET", su, NULL, "/api/auth/users/?search=%s", pre);
	EXPECT_STATUS(r, 200);
	ck_assert_int_eq(it_bool(r, "success"), 1);
	ck_assert_int_eq(jlen(items(r)), 3);
	ck_assert_int_eq(total(r), 3);
	ck_assert_int_eq(it_int(r, "pagination/current_page"), 1);
	ck_assert_int_eq(it_int(r, "pagination/total_pages"), 1);
	ck_assert_int_eq(it_int(r, "pagination/page_size"), 20);
	ck_assert_int_eq(it_bool(r, "pagination/has_next"), 0);
	ck_assert_int_eq(it_bool(r, "pagination/has_previous"), 0);
	ck_assert(it_is_null(r, "pagination/next_page"));
	ck_assert(it_is_null(r, "pagination/previous_page"));
	for (int i = 0; i < 3; i++)
		ck_assert_ptr_nonnull(find_int(r, "id", ids[i]));
	ck_assert_ptr_null(strstr(r->body, "password"));
	it_free(r);
	/* search is case-insensitive and matches e-mail too */
	{
		char up[64];

		snprintf(up, sizeof(up), "%s", pre);
		for (char *p = up; *p; p++)
			*p = (char)toupper((unsigned char)*p);
		r = call("GET", su, NULL, "/api/auth/users/?search=%sB%%40example.org", up);
		EXPECT_STATUS(r, 200);
		ck_assert_int_eq(total(r), 1);
		ck_assert_int_eq(jint(jat(items(r), 0), "id"), ids[1]);
		it_free(r);
	}

	r = call("GET", su, NULL, "/api/auth/users/?search=%s&user_type=accountant", pre);
	EXPECT_STATUS(r, 200);
	ck_assert_int_eq(total(r), 2);
	a = items(r);
	for (size_t i = 0; i < jlen(a); i++)
		ck_assert_str_eq(jstr(jat(a, i), "user_type"), "accountant");
	it_free(r);

	r = call("GET", su, NULL, "/api/auth/users/?search=%s&ordering=-username", pre);
	EXPECT_STATUS(r, 200);
	ck_assert_int_eq(jint(jat(items(r), 0), "id"), ids[2]);
	ck_assert_int_eq(jint(jat(items(r), 2), "id"), ids[0]);
	it_free(r);
	r = call("GET", su, NULL, "/api/auth/users/?search=%s&ordering=user_type,-id", pre);
	EXPECT_STATUS(r, 200);
	/* enum order: support_staff before accountant in the column's list */
	ck_assert_int_eq(jlen(items(r)), 3);
	it_free(r);

	r = call("GET", su, NULL, "/api/auth/users/?search=%s&ordering=username&page_size=2", pre);
	EXPECT_STATUS(r, 200);
	ck_assert_int_eq(jlen(items(r)), 2);
	ck_assert_int_eq(jint(jat(items(r), 0), "id"), ids[0]);
	ck_assert_int_eq(it_int(r, "pagination/total_pages"), 2);
	ck_assert_int_eq(it_int(r, "pagination/page_size"), 2);
	ck_assert_int_eq(it_bool(r, "pagination/has_next"), 1);
	ck_assert_int_eq(it_int(r, "pagination/next_page"), 2);
	ck_assert(it_is_null(r, "pagination/previous_page"));
	it_free(r);
	r = call("GET", su, NULL, "/api/auth/users/?search=%s&ordering=username&page_size=2&page=2",
	    pre);
	EXPECT_STATUS(r, 200);
	ck_assert_int_eq(jlen(items(r)), 1);
	ck_assert_int_eq(jint(jat(items(r), 0), "id"), ids[2]);
	ck_assert_int_eq(it_int(r, "pagination/current_page"), 2);
	ck_assert_int_eq(it_bool(r, "pagination/has_next"), 0);
	ck_assert_int_eq(it_bool(r, "pagination/has_previous"), 1);
	ck_assert_int_eq(it_int(r, "pagination/previous_page"), 1);
	ck_assert(it_is_null(r, "pagination/next_page"));
	it_free(r);
	/* past the end: an empty page, not an error */
	r = call("GET", su, NULL, "/api/auth/users/?search=%s&page_size=2&page=5", pre);
	EXPECT_STATUS(r, 200);
	ck_assert_int_eq(jlen(items(r)), 0);
	ck_assert_int_eq(total(r), 3);
	it_free(r);
	r = call("GET", su, NULL, "/api/auth/users/?page_size=1000");
	EXPECT_STATUS(r, 200);
	ck_assert_int_eq(it_int(r, "pagination/page_size"), 100);
	ck_assert_ptr_null(strstr(r->body, "password"));
	ck_assert_ptr_null(strstr(r->body, "$argon2"));
	it_free(r);
}
END_TEST

START_TEST(users_me_and_profile)
{
	char su[TOK], name[64], tok[TOK];
	struct resp *r;
	long long id;

	admin_tok(su);
	id = mk_named(su, "me", "support_staff", name, sizeof(name));
	login_tok(name, PW, tok);
	r = call("GET", tok, NULL, "/api/auth/me/");
	EXPECT_STATUS(r, 200);
	ck_assert_int_eq(it_int(r, "data/id"), id);
	ck_assert_str_eq(it_str(r, "data/username"), name);
	ck_assert(has_str(it_json(r, "data/permissions"), "locations.view_location"));
	ck_assert_ptr_null(strstr(r->body, "password"));
	it_free(r);
	r = call("GET", tok, NULL, "/api/auth/profile/");
	EXPECT_STATUS(r, 200);
	ck_assert_int_eq(it_int(r, "data/id"), id);
	it_free(r);
	r = call("PATCH", tok, "{\"first_name\":\"Zed\",\"user_type\":\"admin\",\"is_staff\":true}",
	    "/api/auth/profile/");
	EXPECT_STATUS(r, 200);
	ck_assert_str_eq(it_str(r, "data/first_name"), "Zed");
	ck_assert_str_eq(it_str(r, "data/user_type"), "support_staff");
	ck_assert_int_eq(it_bool(r, "data/is_staff"), 0);
	it_free(r);
	r = call("GET", tok, NULL, "/api/auth/me/");
	EXPECT_STATUS(r, 200);
	ck_assert_str_eq(it_str(r, "data/first_name"), "Zed");
	ck_assert_str_eq(it_str(r, "data/user_type"), "support_staff");
	it_free(r);
	r = call("GET", tok, NULL, "/api/auth/me/permissions/");
	EXPECT_STATUS(r, 200);
	ck_assert_int_eq(jlen(it_json(r, "data/permissions")), role_perm_count("support_staff"));
	ck_assert(!has_str(it_json(r, "data/permissions"), "users.view_user"));
	it_free(r);
	r = call("GET", tok, NULL, "/api/auth/users/permissions/");     /* the same, 001's path */
	EXPECT_STATUS(r, 200);
	ck_assert(has_str(it_json(r, "data/permissions"), "locations.view_location"));
	it_free(r);
	/* no credential */
	r = call("GET", NULL, NULL, "/api/auth/me/");
	EXPECT_ERROR(r, 401, "UNAUTHORIZED");
	it_free(r);
}
END_TEST

START_TEST(users_change_password)
{
	char su[TOK], name[64], tok[TOK];
	struct resp *r, *old, *neu;

	admin_tok(su);
	mk_named(su, "cp", "support_staff", name, sizeof(name));
	login_tok(name, PW, tok);
	clear_of_hour_end();
	r = call("POST", tok, "{\"old_password\":\"not-the-password-1\",\"new_password\":\"" PW2 "\","
	    "\"new_password_confirm\":\"" PW2 "\"}", "/api/auth/change-password/");
	EXPECT_FIELD(r, "old_password");
	it_free(r);
	r = call("POST", tok, "{\"old_password\":\"" PW "\",\"new_password\":\"" PW2 "\","
	    "\"new_password_confirm\":\"Mismatch-99x\"}", "/api/auth/change-password/");
	EXPECT_FIELD(r, "new_password_confirm");
	it_free(r);
	r = call("POST", tok, "{\"old_password\":\"" PW "\",\"new_password\":\"short\","
	    "\"new_password_confirm\":\"short\"}", "/api/auth/change-password/");
	EXPECT_FIELD(r, "new_password");
	it_free(r);
	r = call("POST", tok, "{\"old_password\":\"" PW "\",\"new_password\":\"" PW2 "\","
	    "\"new_password_confirm\":\"" PW2 "\"}", "/api/auth/change-password/");
	EXPECT_STATUS(r, 200);
	ck_assert_int_eq(it_bool(r, "success"), 1);
	it_free(r);
	clear_attempts();
	old = login_resp("username", name, PW, 0);
	neu = login_resp("username", name, PW2, 0);
	clear_attempts();
	EXPECT_ERROR(old, 401, "UNAUTHORIZED");
	EXPECT_STATUS(neu, 200);
	it_free(old);
	it_free(neu);
}
END_TEST

/* ==== permissions, roles, groups ==== */

START_TEST(rbac_support_staff_is_forbidden_users)
{
	char su[TOK], name[64], tok[TOK], adm[64], atok[TOK];
	struct resp *r;
	yajl_val p;

	admin_tok(su);
	mk_named(su, "ss", "support_staff", name, sizeof(name));
	login_tok(name, PW, tok);
	r = call("GET", tok, NULL, "/api/auth/users/");
	EXPECT_ERROR(r, 403, "FORBIDDEN");
	it_free(r);
	ck_assert_int_eq(status_of("GET", su, NULL, "/api/auth/users/"), 200);
	ck_assert_int_eq(status_of("GET", tok, NULL, "/api/auth/roles/"), 403);
	ck_assert_int_eq(status_of("GET", tok, NULL, "/api/audit/"), 403);
	ck_assert_int_eq(status_of("GET", tok, NULL, "/api/locations/divisions/"), 200);

	r = call("GET", tok, NULL, "/api/auth/me/permissions/");
	EXPECT_STATUS(r, 200);
	p = it_json(r, "data/permissions");
	ck_assert_int_eq(jlen(p), role_perm_count("support_staff"));
	ck_assert(!has_str(p, "users.view_user"));
	ck_assert(has_str(p, "locations.view_location"));
	ck_assert_str_eq(it_str(r, "data/user_type"), "support_staff");
	ck_assert_int_eq(it_bool(r, "data/is_superuser"), 0);
	it_free(r);

	mk_named(su, "na", "admin", adm, sizeof(adm));
	login_tok(adm, PW, atok);
	r = call("GET", atok, NULL, "/api/auth/me/permissions/");
	EXPECT_STATUS(r, 200);
	p = it_json(r, "data/permissions");
	ck_assert_int_eq(jlen(p), role_perm_count("admin"));
	ck_assert(has_str(p, "users.view_user"));
	ck_assert(has_str(p, "roles.assign_role"));
	ck_assert(!has_str(p, "tenants.add_tenant"));
	ck_assert(!has_str(p, "tenants.delete_tenant"));
	it_free(r);
	ck_assert_int_eq(status_of("GET", atok, NULL, "/api/auth/users/"), 200);
	r = call("GET", su, NULL, "/api/auth/me/permissions/");
	EXPECT_STATUS(r, 200);
	ck_assert_int_ge(jlen(it_json(r, "data/permissions")), 24);
	ck_assert(has_str(it_json(r, "data/permissions"), "tenants.add_tenant"));
	ck_assert_int_eq(it_bool(r, "data/is_superuser"), 1);
	it_free(r);
}
END_TEST

START_TEST(rbac_user_type_ranks)
{
	char su[TOK], adm[64], atok[TOK], name[64], body[512];
	struct resp *r;
	long long admin2;

	admin_tok(su);
	mk_named(su, "rk", "admin", adm, sizeof(adm));
	login_tok(adm, PW, atok);
	uniq(name, sizeof(name), "rk");
	snprintf(body, sizeof(body), "{\"username\":\"%s\",\"password\":\"" PW "\","
	    "\"user_type\":\"super_admin\"}", name);
	r = call("POST", atok, body, "/api/auth/users/");
	EXPECT_FIELD(r, "user_type");
	it_free(r);
	/* an admin may make admins and anything below */
	admin2 = mk_user(atok, name, "admin", NULL);
	mk_named(atok, "rk", "support_staff", name, sizeof(name));
	/* and not lift anyone, itself included, to super admin */
	r = call("PATCH", atok, "{\"user_type\":\"super_admin\"}", "/api/auth/users/%lld/", admin2);
	EXPECT_FIELD(r, "user_type");
	it_free(r);
	/* no handing out a role of more power (lower level) than one's own type */
	{
		char rname[64], body2[256];
		long long strong = mk_role(su, uniq(rname, sizeof(rname), "lvl1"), ",\"role_level\":1");
		long long equal = mk_role(su, uniq(rname, sizeof(rname), "lvl2"), ",\"role_level\":2");
		long long target = mk_named(su, "rk", "support_staff", name, sizeof(name));

		snprintf(body2, sizeof(body2), "{\"user_id\":%lld,\"role_id\":%lld}", target, strong);
		r = call("POST", atok, body2, "/api/auth/roles/assign/");
		EXPECT_ERROR(r, 403, "FORBIDDEN");
		it_free(r);
		ck_assert_int_eq(assign(atok, target, equal, NULL), 200);
		ck_assert_int_eq(assign(su, target, strong, NULL), 200);        /* a superuser may */
	}
	/* nor one's own type */
	{
		struct resp *me = call("GET", atok, NULL, "/api/auth/me/");
		long long self = it_int(me, "data/id");

		it_free(me);
		r = call("PATCH", atok, "{\"user_type\":\"support_staff\"}", "/api/auth/users/%lld/",
		    self);
		EXPECT_FIELD(r, "user_type");
		it_free(r);
	}
	/* nobody changes who outranks them */
	r = call("PATCH", atok, "{\"first_name\":\"X\"}", "/api/auth/users/1/");
	EXPECT_ERROR(r, 403, "FORBIDDEN");
	it_free(r);
	ck_assert_int_eq(status_of("DELETE", atok, NULL, "/api/auth/users/1/"), 403);
}
END_TEST

START_TEST(rbac_assign_grants_revoke_and_expiry)
{
	char su[TOK], name[64], rname[64], tok[TOK], extra[128];
	struct resp *r;
	long long pid, role, uid;
	yajl_val it;

	admin_tok(su);
	pid = perm_id(su, "users.view_user");
	snprintf(extra, sizeof(extra), ",\"permission_ids\":[%lld]", pid);
	role = mk_role(su, uniq(rname, sizeof(rname), "viewers"), extra);
	uid = mk_named(su, "as", "support_staff", name, sizeof(name));
	login_tok(name, PW, tok);
	ck_assert_int_eq(status_of("GET", tok, NULL, "/api/auth/users/"), 403);

	{
		char body[256];

		snprintf(body, sizeof(body), "{\"user_id\":%lld,\"role_id\":%lld,\"reason\":\"on call\"}",
		    uid, role);
		r = call("POST", su, body, "/api/auth/roles/assign/");
		EXPECT_STATUS(r, 200);
		ck_assert_int_eq(it_int(r, "data/user_id"), uid);
		ck_assert_int_eq(it_int(r, "data/role_id"), role);
		ck_assert_str_eq(it_str(r, "data/action"), "assign");
		it_free(r);
	}
	ck_assert_int_eq(status_of("GET", tok, NULL, "/api/auth/users/"), 200);
	r = call("GET", tok, NULL, "/api/auth/me/permissions/");
	ck_assert(has_str(it_json(r, "data/permissions"), "users.view_user"));
	it_free(r);
	r = call("GET", su, NULL, "/api/auth/user-roles/?user_id=%lld", uid);
	EXPECT_STATUS(r, 200);
	ck_assert_int_eq(total(r), 1);
	it = jat(items(r), 0);
	ck_assert_int_eq(jint(it, "role_id"), role);
	ck_assert_int_eq(jint(it, "user_id"), uid);
	ck_assert_str_eq(jstr(it, "reason"), "on call");
	ck_assert_str_eq(jstr(it, "role_name"), rname);
	ck_assert_str_eq(jstr(it, "username"), name);
	ck_assert_str_eq(jstr(it, "assigned_by_name"), "admin");
	ck_assert_int_eq(jbool(it, "is_active"), 1);
	it_free(r);
	/* the user object lists it among its roles */
	r = call("GET", su, NULL, "/api/auth/users/%lld/", uid);
	EXPECT_STATUS(r, 200);
	ck_assert_int_eq(jlen(it_json(r, "data/roles")), 2);
	it_free(r);

	ck_assert_int_eq(assign(su, uid, role, ",\"action\":\"revoke\""), 200);
	ck_assert_int_eq(status_of("GET", tok, NULL, "/api/auth/users/"), 403);
	r = call("GET", su, NULL, "/api/auth/user-roles/?user_id=%lld&is_active=false", uid);
	EXPECT_STATUS(r, 200);
	ck_assert_int_eq(total(r), 1);
	it_free(r);
	/* revoking what is not held; no body at all */
	r = call("POST", su, NULL, "/api/auth/roles/assign/");
	EXPECT_FIELD(r, "user_id");
	it_free(r);
	ck_assert_int_eq(assign(su, uid, role, ",\"action\":\"revoke\""), 400);
	ck_assert_int_eq(assign(su, uid, role, ",\"action\":\"steal\""), 400);

	/* an assignment that has expired grants nothing */
	ck_assert_int_eq(assign(su, uid, role, ",\"expires_at\":\"2000-01-01T00:00:00Z\""), 200);
	ck_assert_int_eq(status_of("GET", tok, NULL, "/api/auth/users/"), 403);
	ck_assert_int_eq(assign(su, uid, role, ",\"expires_at\":\"2999-01-01T00:00:00Z\""), 200);
	ck_assert_int_eq(status_of("GET", tok, NULL, "/api/auth/users/"), 200);
	ck_assert_int_eq(assign(su, uid, role, ",\"expires_at\":\"someday\""), 400);
	/* a role switched off grants nothing; switched on again, it does */
	r = call("PATCH", su, "{\"is_active\":false}", "/api/auth/roles/%lld/", role);
	EXPECT_STATUS(r, 200);
	it_free(r);
	ck_assert_int_eq(status_of("GET", tok, NULL, "/api/auth/users/"), 403);
	r = call("PATCH", su, "{\"is_active\":true}", "/api/auth/roles/%lld/", role);
	EXPECT_STATUS(r, 200);
	it_free(r);
	ck_assert_int_eq(status_of("GET", tok, NULL, "/api/auth/users/"), 200);
	/* unknown user and role */
	ck_assert_int_eq(assign(su, 999999999, role, NULL), 400);
	ck_assert_int_eq(assign(su, uid, 999999999, NULL), 400);
	/* a support user may not hand out roles */
	ck_assert_int_eq(assign(tok, uid, role, NULL), 403);
}
END_TEST

START_TEST(rbac_bulk_assign)
{
	char su[TOK], name[64], rname[64], body[256];
	struct resp *r;
	long long role, u1, u2;
	yajl_val res;

	admin_tok(su);
	role = mk_role(su, uniq(rname, sizeof(rname), "bulk"), NULL);
	u1 = mk_named(su, "bk", "support_staff", name, sizeof(name));
	u2 = mk_named(su, "bk", "accountant", name, sizeof(name));
	snprintf(body, sizeof(body), "{\"user_ids\":[%lld,%lld,999999999],\"role_id\":%lld,"
	    "\"reason\":\"bulk\"}", u1, u2, role);
	r = call("POST", su, body, "/api/auth/roles/bulk-assign/");
	EXPECT_STATUS(r, 200);
	ck_assert_int_eq(it_int(r, "data/succeeded"), 2);
	ck_assert_int_eq(it_int(r, "data/failed"), 1);
	res = it_json(r, "data/results");
	ck_assert_int_eq(jlen(res), 3);
	ck_assert_int_eq(jint(jat(res, 0), "user_id"), u1);
	ck_assert_int_eq(jbool(jat(res, 0), "success"), 1);
	ck_assert_int_eq(jbool(jat(res, 1), "success"), 1);
	ck_assert_int_eq(jint(jat(res, 2), "user_id"), 999999999);
	ck_assert_int_eq(jbool(jat(res, 2), "success"), 0);
	ck_assert_ptr_nonnull(jstr(jat(res, 2), "error"));
	it_free(r);
	r = call("GET", su, NULL, "/api/auth/user-roles/?role_id=%lld", role);
	EXPECT_STATUS(r, 200);
	ck_assert_int_eq(total(r), 2);
	ck_assert_ptr_nonnull(find_int(r, "user_id", u1));
	ck_assert_ptr_nonnull(find_int(r, "user_id", u2));
	it_free(r);
	r = call("POST", su, "{\"user_ids\":[],\"role_id\":1}", "/api/auth/roles/bulk-assign/");
	EXPECT_FIELD(r, "user_ids");
	it_free(r);
}
END_TEST

START_TEST(rbac_max_assignments)
{
	char su[TOK], name[64], rname[64];
	struct resp *r;
	long long role, u1, u2;

	admin_tok(su);
	role = mk_role(su, uniq(rname, sizeof(rname), "one"), ",\"max_assignments\":1");
	u1 = mk_named(su, "mx", "support_staff", name, sizeof(name));
	u2 = mk_named(su, "mx", "support_staff", name, sizeof(name));
	ck_assert_int_eq(assign(su, u1, role, NULL), 200);
	{
		char body[128];

		snprintf(body, sizeof(body), "{\"user_id\":%lld,\"role_id\":%lld}", u2, role);
		r = call("POST", su, body, "/api/auth/roles/assign/");
		EXPECT_FIELD(r, "role_id");
		it_free(r);
	}
	ck_assert_int_eq(assign(su, u1, role, NULL), 200);      /* again: still one */
	ck_assert_int_eq(assign(su, u1, role, ",\"action\":\"revoke\""), 200);
	ck_assert_int_eq(assign(su, u2, role, NULL), 200);      /* room again */
	r = call("GET", su, NULL, "/api/auth/roles/%lld/", role);
	EXPECT_STATUS(r, 200);
	ck_assert_int_eq(it_int(r, "data/max_assignments"), 1);
	ck_assert_int_eq(it_int(r, "data/assignments_count"), 1);
	it_free(r);
}
END_TEST

START_TEST(rbac_roles_crud)
{
	char su[TOK], rname[64], body[512];
	struct resp *r;
	long long p1, p2, p3, id, shipped;
	yajl_val a;

	admin_tok(su);
	p1 = perm_id(su, "users.view_user");
	p2 = perm_id(su, "roles.view_role");
	p3 = perm_id(su, "audit.view_log");
	uniq(rname, sizeof(rname), "crud");
	snprintf(body, sizeof(body), "{\"name\":\"%s\",\"display_name\":\"CRUD role\","
	    "\"description\":\"made by a test\",\"role_level\":6,\"permission_ids\":[%lld,%lld]}",
	    rname, p2, p1);
	r = call("POST", su, body, "/api/auth/roles/");
	EXPECT_STATUS(r, 201);
	id = it_int(r, "data/id");
	ck_assert_str_eq(it_str(r, "data/name"), rname);
	ck_assert_str_eq(it_str(r, "data/display_name"), "CRUD role");
	ck_assert_int_eq(it_int(r, "data/role_level"), 6);
	ck_assert_int_eq(it_bool(r, "data/is_system"), 0);
	a = it_json(r, "data/permission_ids");
	ck_assert_int_eq(jlen(a), 2);
	ck_assert(has_int(a, p1) && has_int(a, p2));
	it_free(r);
	r = call("GET", su, NULL, "/api/auth/roles/%lld/", id);
	EXPECT_STATUS(r, 200);
	ck_assert_str_eq(it_str(r, "data/description"), "made by a test");
	ck_assert_int_eq(jlen(it_json(r, "data/permission_ids")), 2);
	it_free(r);
	snprintf(body, sizeof(body), "{\"permission_ids\":[%lld]}", p3);
	r = call("PATCH", su, body, "/api/auth/roles/%lld/", id);
	EXPECT_STATUS(r, 200);
	a = it_json(r, "data/permission_ids");
	ck_assert_int_eq(jlen(a), 1);
	ck_assert(has_int(a, p3));
	ck_assert_str_eq(it_str(r, "data/display_name"), "CRUD role");     /* untouched */
	it_free(r);
	r = call("PATCH", su, "{\"display_name\":\"Renamed\"}", "/api/auth/roles/%lld/", id);
	EXPECT_STATUS(r, 200);
	ck_assert_str_eq(it_str(r, "data/display_name"), "Renamed");
	ck_assert_int_eq(jlen(it_json(r, "data/permission_ids")), 1);      /* kept */
	it_free(r);
	snprintf(body, sizeof(body), "{\"name\":\"%s\",\"display_name\":\"Put\"}", rname);
	r = call("PUT", su, body, "/api/auth/roles/%lld/", id);
	EXPECT_STATUS(r, 200);
	ck_assert_str_eq(it_str(r, "data/display_name"), "Put");
	it_free(r);
	/* duplicate name, unknown permission */
	snprintf(body, sizeof(body), "{\"name\":\"%s\"}", rname);
	r = call("POST", su, body, "/api/auth/roles/");
	EXPECT_FIELD(r, "name");
	it_free(r);
	r = call("POST", su, "{\"name\":\"never-made\",\"permission_ids\":[987654321]}",
	    "/api/auth/roles/");
	EXPECT_FIELD(r, "permission_ids");
	it_free(r);
	ck_assert_int_eq(status_of("GET", su, NULL, "/api/auth/roles/?search=never-made"), 200);

	/* the shipped roles: listed, read-only */
	r = call("GET", su, NULL, "/api/auth/roles/?is_system=true&page_size=100");
	EXPECT_STATUS(r, 200);
	ck_assert_int_eq(total(r), 10);
	a = items(r);
	for (size_t i = 0; i < jlen(a); i++)
		ck_assert_int_eq(jbool(jat(a, i), "is_system"), 1);
	ck_assert_ptr_nonnull(find_str(r, "name", "support_staff"));
	shipped = jint(find_str(r, "name", "admin"), "id");
	ck_assert_int_gt(shipped, 0);
	it_free(r);
	r = call("GET", su, NULL, "/api/auth/roles/?page_size=100");
	EXPECT_STATUS(r, 200);
	ck_assert_ptr_nonnull(find_int(r, "id", shipped));
	ck_assert_ptr_nonnull(find_int(r, "id", id));
	it_free(r);
	r = call("PATCH", su, "{\"display_name\":\"Hijacked\"}", "/api/auth/roles/%lld/", shipped);
	EXPECT_ERROR(r, 403, "FORBIDDEN");
	it_free(r);
	r = call("DELETE", su, NULL, "/api/auth/roles/%lld/", shipped);
	EXPECT_ERROR(r, 403, "FORBIDDEN");
	it_free(r);
	r = call("GET", su, NULL, "/api/auth/roles/%lld/", shipped);
	EXPECT_STATUS(r, 200);
	ck_assert_str_eq(it_str(r, "data/display_name"), "Administrator");
	it_free(r);

	r = call("DELETE", su, NULL, "/api/auth/roles/%lld/", id);
	EXPECT_STATUS(r, 200);
	ck_assert(it_is_null(r, "data"));
	it_free(r);
	r = call("GET", su, NULL, "/api/auth/roles/%lld/", id);
	EXPECT_ERROR(r, 404, "NOT_FOUND");
	it_free(r);
}
END_TEST

START_TEST(rbac_categories_and_custom_permissions)
{
	char su[TOK], code[64], pcode[96], body[512];
	struct resp *r;
	long long cat, perm;
	yajl_val a;

	admin_tok(su);
	uniq(code, sizeof(code), "cat");
	snprintf(body, sizeof(body), "{\"name\":\"Category %s\",\"code\":\"%s\","
	    "\"description\":\"test\"}", code, code);
	r = call("POST", su, body, "/api/auth/permission-categories/");
	EXPECT_STATUS(r, 201);
	cat = it_int(r, "data/id");
	ck_assert_str_eq(it_str(r, "data/code"), code);
	ck_assert_int_eq(it_bool(r, "data/is_custom"), 1);
	ck_assert_int_eq(it_int(r, "data/permissions_count"), 0);
	it_free(r);
	r = call("POST", su, body, "/api/auth/permission-categories/");
	EXPECT_FIELD(r, "code");
	it_free(r);
	r = call("GET", su, NULL, "/api/auth/permission-categories/?page_size=100");
	EXPECT_STATUS(r, 200);
	ck_assert_ptr_nonnull(find_int(r, "id", cat));
	ck_assert_ptr_nonnull(find_str(r, "code", "users"));    /* the shipped ones too */
	it_free(r);

	snprintf(pcode, sizeof(pcode), "custom.%s", code);
	snprintf(body, sizeof(body), "{\"codename\":\"%s\",\"name\":\"Can do %s\","
	    "\"category_id\":%lld}", pcode, code, cat);
	r = call("POST", su, body, "/api/auth/custom-permissions/");
	EXPECT_STATUS(r, 201);
	perm = it_int(r, "data/id");
	ck_assert_str_eq(it_str(r, "data/codename"), pcode);
	ck_assert_int_eq(it_bool(r, "data/is_custom"), 1);
	ck_assert_str_eq(it_str(r, "data/category"), code);
	it_free(r);
	r = call("POST", su, body, "/api/auth/custom-permissions/");
	EXPECT_FIELD(r, "codename");
	it_free(r);
	r = call("POST", su, "{\"codename\":\"custom.orphan\",\"name\":\"x\",\"category_id\":987654321}",
	    "/api/auth/custom-permissions/");
	EXPECT_FIELD(r, "category_id");
	it_free(r);

	r = call("GET", su, NULL, "/api/auth/custom-permissions/?page_size=100");
	EXPECT_STATUS(r, 200);
	ck_assert_int_ge(total(r), 1);
	a = items(r);
	for (size_t i = 0; i < jlen(a); i++)
		ck_assert_int_eq(jbool(jat(a, i), "is_custom"), 1);
	ck_assert_ptr_nonnull(find_int(r, "id", perm));
	ck_assert_ptr_null(find_str(r, "codename", "users.view_user"));
	it_free(r);
	r = call("GET", su, NULL, "/api/auth/permissions/?page_size=100");
	EXPECT_STATUS(r, 200);
	ck_assert_ptr_nonnull(find_int(r, "id", perm));
	ck_assert_ptr_nonnull(find_str(r, "codename", "users.view_user"));
	it_free(r);
	r = call("GET", su, NULL, "/api/auth/permissions/?is_custom=false&page_size=100");
	EXPECT_STATUS(r, 200);
	ck_assert_int_eq(total(r), db_do("SELECT COUNT(*) FROM permissions WHERE tenant_id IS NULL"));
	ck_assert_ptr_null(find_int(r, "id", perm));
	it_free(r);
	r = call("GET", su, NULL, "/api/auth/permission-categories/?search=%s", code);
	EXPECT_STATUS(r, 200);
	ck_assert_int_eq(jint(jat(items(r), 0), "permissions_count"), 1);
	it_free(r);
	/* the super admin holds the new permission, an admin its type's only */
	r = call("GET", su, NULL, "/api/auth/me/permissions/");
	ck_assert(has_str(it_json(r, "data/permissions"), pcode));
	it_free(r);
}
END_TEST

START_TEST(rbac_groups_crud)
{
	char su[TOK], gname[64], body[512];
	struct resp *r;
	long long p1, p2, id;

	admin_tok(su);
	p1 = perm_id(su, "users.view_user");
	p2 = perm_id(su, "locations.view_location");
	uniq(gname, sizeof(gname), "grp");
	snprintf(body, sizeof(body), "{\"name\":\"%s\",\"permission_ids\":[%lld,%lld]}", gname, p1, p2);
	r = call("POST", su, body, "/api/auth/groups/");
	EXPECT_STATUS(r, 201);
	id = it_int(r, "data/id");
	ck_assert_str_eq(it_str(r, "data/name"), gname);
	ck_assert_int_eq(jlen(it_json(r, "data/permission_ids")), 2);
	ck_assert_int_eq(it_int(r, "data/members_count"), 0);
	it_free(r);
	r = call("POST", su, body, "/api/auth/groups/");
	EXPECT_FIELD(r, "name");
	it_free(r);
	r = call("GET", su, NULL, "/api/auth/groups/%lld/", id);
	EXPECT_STATUS(r, 200);
	ck_assert(has_int(it_json(r, "data/permission_ids"), p1));
	it_free(r);
	snprintf(body, sizeof(body), "{\"name\":\"%s-b\",\"permission_ids\":[]}", gname);
	r = call("PATCH", su, body, "/api/auth/groups/%lld/", id);
	EXPECT_STATUS(r, 200);
	ck_assert_int_eq(jlen(it_json(r, "data/permission_ids")), 0);
	ck_assert_ptr_nonnull(strstr(it_str(r, "data/name"), "-b"));
	it_free(r);
	snprintf(body, sizeof(body), "{\"name\":\"%s-c\",\"permission_ids\":[%lld]}", gname, p2);
	r = call("PUT", su, body, "/api/auth/groups/%lld/", id);
	EXPECT_STATUS(r, 200);
	ck_assert(has_int(it_json(r, "data/permission_ids"), p2));
	it_free(r);
	r = call("GET", su, NULL, "/api/auth/groups/?search=%s", gname);
	EXPECT_STATUS(r, 200);
	ck_assert_int_eq(total(r), 1);
	ck_assert_int_eq(jint(jat(items(r), 0), "id"), id);
	it_free(r);
	r = call("DELETE", su, NULL, "/api/auth/groups/%lld/", id);
	EXPECT_STATUS(r, 200);
	ck_assert(it_is_null(r, "data"));
	it_free(r);
	ck_assert_int_eq(status_of("GET", su, NULL, "/api/auth/groups/%lld/", id), 404);
}
END_TEST

START_TEST(rbac_reseller_sees_and_manages_its_own_tree)
{
	char su[TOK], res[64], rtok[TOK], name[64], rname[64], body[512];
	struct resp *r;
	long long rid, child, outsider, role;

	admin_tok(su);
	rid = mk_named(su, "rs", "reseller_admin", res, sizeof(res));
	outsider = mk_named(su, "ro", "support_staff", name, sizeof(name));
	role = mk_role(su, uniq(rname, sizeof(rname), "rsrole"), NULL);   /* level 5 */
	login_tok(res, PW, rtok);
	r = call("GET", rtok, NULL, "/api/auth/me/permissions/");
	EXPECT_STATUS(r, 200);
	ck_assert_int_eq(jlen(it_json(r, "data/permissions")), role_perm_count("reseller_admin"));
	it_free(r);
	/* what it makes is placed under it */
	uniq(name, sizeof(name), "rc");
	snprintf(body, sizeof(body), "{\"username\":\"%s\",\"password\":\"" PW "\","
	    "\"user_type\":\"sub_reseller_admin\"}", name);
	r = call("POST", rtok, body, "/api/auth/users/");
	EXPECT_STATUS(r, 201);
	child = it_int(r, "data/id");
	ck_assert_int_eq(it_int(r, "data/parent_id"), rid);
	it_free(r);
	r = call("POST", rtok, "{\"username\":\"rs-peer\",\"password\":\"" PW "\","
	    "\"user_type\":\"support_staff\"}", "/api/auth/users/");
	EXPECT_FIELD(r, "user_type");                   /* its own rank: no */
	it_free(r);
	/* it sees itself and its account only */
	r = call("GET", rtok, NULL, "/api/auth/users/?page_size=100");
	EXPECT_STATUS(r, 200);
	ck_assert_int_eq(total(r), 2);
	ck_assert_ptr_nonnull(find_int(r, "id", rid));
	ck_assert_ptr_nonnull(find_int(r, "id", child));
	it_free(r);
	ck_assert_int_eq(status_of("GET", rtok, NULL, "/api/auth/users/%lld/", child), 200);
	ck_assert_int_eq(status_of("GET", rtok, NULL, "/api/auth/users/%lld/", outsider), 404);
	ck_assert_int_eq(status_of("PATCH", rtok, "{\"first_name\":\"X\"}", "/api/auth/users/%lld/",
	    outsider), 404);
	ck_assert_int_eq(status_of("GET", rtok, NULL, "/api/auth/users/?search=%s", "admin"), 200);
	/* roles for its own account: yes */
	ck_assert_int_eq(assign(rtok, child, role, NULL), 200);
	/* for an account it cannot even see: no */
	snprintf(body, sizeof(body), "{\"user_id\":%lld,\"role_id\":%lld}", outsider, role);
	r = call("POST", rtok, body, "/api/auth/roles/assign/");
	ck_assert_msg(r->status != 200, "POST /api/auth/roles/assign/ %s by reseller %s for a user "
	    "outside its tree: %ld %.300s", body, res, r->status, r->body);
	it_free(r);
	r = call("GET", su, NULL, "/api/auth/user-roles/?user_id=%lld", outsider);
	ck_assert_int_eq(total(r), 0);
	it_free(r);
}
END_TEST

/* ==== API clients ==== */

START_TEST(clients_key_shown_once_and_scoped)
{
	char su[TOK], cname[64], body[512], key[128], bad[128];
	struct resp *r;
	long long id;

	admin_tok(su);
	uniq(cname, sizeof(cname), "prog");
	snprintf(body, sizeof(body), "{\"name\":\"%s\",\"scopes\":[\"users.view_user\"]}", cname);
	r = call("POST", su, body, "/api/auth/api-clients/");
	EXPECT_STATUS(r, 201);
	id = it_int(r, "data/id");
	ck_assert_ptr_nonnull(it_str(r, "data/api_key"));
	snprintf(key, sizeof(key), "%s", it_str(r, "data/api_key"));
	ck_assert_int_eq(strlen(key), 53);
	ck_assert_str_eq(it_str(r, "data/name"), cname);
	ck_assert_int_eq(strncmp(it_str(r, "data/key_prefix"), key, 12), 0);
	ck_assert(has_str(it_json(r, "data/scopes"), "users.view_user"));
	it_free(r);

	r = call("GET", su, NULL, "/api/auth/api-clients/%lld/", id);
	EXPECT_STATUS(r, 200);
	ck_assert_ptr_null(it_json(r, "data/api_key"));
	ck_assert_ptr_null(strstr(r->body, key + 13));
	ck_assert_ptr_null(strstr(r->body, "key_hash"));
	it_free(r);
	r = call("GET", su, NULL, "/api/auth/api-clients/?search=%s", cname);
	EXPECT_STATUS(r, 200);
	ck_assert_int_eq(total(r), 1);
	ck_assert_ptr_null(strstr(r->body, key + 13));
	it_free(r);

	r = call_key("GET", key, NULL, "/api/auth/users/");
	EXPECT_STATUS(r, 200);
	ck_assert_ptr_nonnull(find_str(r, "username", "admin"));
	it_free(r);
	r = call_key("GET", key, NULL, "/api/auth/roles/");
	EXPECT_ERROR(r, 403, "FORBIDDEN");
	it_free(r);
	snprintf(bad, sizeof(bad), "%s", key);
	bad[52] = bad[52] == '0' ? '1' : '0';
	r = call_key("GET", bad, NULL, "/api/auth/users/");
	EXPECT_ERROR(r, 401, "UNAUTHORIZED");
	it_free(r);
	r = call_key("GET", "nonsense", NULL, "/api/auth/users/");
	EXPECT_ERROR(r, 401, "UNAUTHORIZED");
	it_free(r);

	snprintf(body, sizeof(body), "{\"name\":\"%s\"}", cname);
	r = call("POST", su, body, "/api/auth/api-clients/find/");
	EXPECT_STATUS(r, 200);
	ck_assert_int_eq(total(r), 1);
	ck_assert_int_eq(jint(jat(items(r), 0), "id"), id);
	ck_assert_ptr_null(strstr(r->body, key + 13));
	it_free(r);
	snprintf(body, sizeof(body), "{\"id\":%lld,\"name\":\"%s-renamed\"}", id, cname);
	r = call("POST", su, body, "/api/auth/api-clients/");
	EXPECT_STATUS(r, 200);
	ck_assert_int_eq(it_int(r, "data/id"), id);
	ck_assert_ptr_nonnull(strstr(it_str(r, "data/name"), "-renamed"));
	ck_assert_ptr_null(it_json(r, "data/api_key"));
	it_free(r);
	r = call("GET", su, NULL, "/api/auth/api-clients/%lld/", id);
	ck_assert_ptr_nonnull(strstr(it_str(r, "data/name"), "-renamed"));
	it_free(r);
	/* the key still works after the rename; new scopes apply at once */
	r = call_key("GET", key, NULL, "/api/auth/users/");
	EXPECT_STATUS(r, 200);
	it_free(r);
	snprintf(body, sizeof(body), "{\"id\":%lld,\"scopes\":[\"roles.view_role\"]}", id);
	r = call("POST", su, body, "/api/auth/api-clients/");
	EXPECT_STATUS(r, 200);
	it_free(r);
	r = call_key("GET", key, NULL, "/api/auth/roles/");
	EXPECT_STATUS(r, 200);
	it_free(r);
	r = call_key("GET", key, NULL, "/api/auth/users/");
	EXPECT_ERROR(r, 403, "FORBIDDEN");
	it_free(r);
	snprintf(body, sizeof(body), "{\"id\":%lld,\"is_active\":false}", id);
	r = call("POST", su, body, "/api/auth/api-clients/");
	EXPECT_STATUS(r, 200);
	it_free(r);
	r = call_key("GET", key, NULL, "/api/auth/roles/");
	EXPECT_ERROR(r, 401, "UNAUTHORIZED");
	it_free(r);
	snprintf(body, sizeof(body), "{\"id\":%lld,\"is_active\":true}", id);
	r = call("POST", su, body, "/api/auth/api-clients/");
	EXPECT_STATUS(r, 200);
	it_free(r);
	/* revoked, it is dead */
	r = call("DELETE", su, NULL, "/api/auth/api-clients/%lld/", id);
	EXPECT_STATUS(r, 200);
	it_free(r);
	r = call_key("GET", key, NULL, "/api/auth/users/");
	EXPECT_ERROR(r, 401, "UNAUTHORIZED");
	it_free(r);
	ck_assert_int_eq(status_of("GET", su, NULL, "/api/auth/api-clients/%lld/", id), 404);
}
END_TEST

START_TEST(clients_delete_many)
{
	char su[TOK], cname[64], body[256], key[2][128];
	struct resp *r;
	long long id[2];

	admin_tok(su);
	for (int i = 0; i < 2; i++) {
		snprintf(body, sizeof(body), "{\"name\":\"%s\",\"scopes\":[\"*\"]}",
		    uniq(cname, sizeof(cname), "many"));
		r = call("POST", su, body, "/api/auth/api-clients/");
		EXPECT_STATUS(r, 201);
		id[i] = it_int(r, "data/id");
		snprintf(key[i], sizeof(key[i]), "%s", it_str(r, "data/api_key"));
		it_free(r);
		r = call_key("GET", key[i], NULL, "/api/auth/roles/");       /* "*": everything */
		EXPECT_STATUS(r, 200);
		it_free(r);
	}
	snprintf(body, sizeof(body), "{\"ids\":[%lld,%lld,987654321]}", id[0], id[1]);
	r = call("DELETE", su, body, "/api/auth/api-clients/");
	EXPECT_STATUS(r, 200);
	ck_assert_int_eq(it_int(r, "data/deleted"), 2);
	it_free(r);
	for (int i = 0; i < 2; i++) {
		r = call_key("GET", key[i], NULL, "/api/auth/users/");
		EXPECT_ERROR(r, 401, "UNAUTHORIZED");
		it_free(r);
	}
	r = call("DELETE", su, "{\"ids\":[\"x\"]}", "/api/auth/api-clients/");
	EXPECT_FIELD(r, "ids");
	it_free(r);
}
END_TEST

/* ==== tenants ==== */

START_TEST(tenants_crud)
{
	char su[TOK], code[64], body[2048];
	struct resp *r;
	long long id;

	admin_tok(su);
	uniq(code, sizeof(code), "isp");
	snprintf(body, sizeof(body), "{\"name\":\"ISP %s\",\"code\":\"%s\","
	    "\"business_license\":\"TRAD/DNCC/123\",\"vat_registration\":\"BIN-0001\","
	    "\"contact_email\":\"noc@%s.example.net\",\"revenue_sharing_enabled\":true,"
	    "\"default_reseller_share\":\"50.00\","
	    "\"billing_settings\":{\"currency\":\"BDT\",\"due_day\":10,\"late_fee\":{\"enabled\":true,"
	    "\"percent\":\"2.5\"},\"grace\":[1,2,3]},"
	    "\"sync_settings\":{\"interval_minutes\":15,\"enabled\":false}}", code, code, code);
	r = call("POST", su, body, "/api/tenants/");
	EXPECT_STATUS(r, 201);
	id = it_int(r, "data/id");
	ck_assert_int_gt(id, 1);
	ck_assert_str_eq(it_str(r, "data/code"), code);
	ck_assert_str_eq(it_str(r, "data/business_license"), "TRAD/DNCC/123");
	ck_assert_str_eq(it_str(r, "data/vat_registration"), "BIN-0001");
	ck_assert_ptr_nonnull(strstr(it_str(r, "data/contact_email"), "noc@"));
	ck_assert_int_eq(it_bool(r, "data/revenue_sharing_enabled"), 1);
	ck_assert_msg(decimal_is(it_json(r, "data/default_reseller_share"), "50.00"), "%s", r->body);
	ck_assert_str_eq(it_str(r, "data/billing_settings/currency"), "BDT");
	ck_assert_int_eq(it_int(r, "data/billing_settings/due_day"), 10);
	ck_assert_int_eq(it_bool(r, "data/billing_settings/late_fee/enabled"), 1);
	ck_assert_str_eq(it_str(r, "data/billing_settings/late_fee/percent"), "2.5");
	ck_assert_int_eq(jlen(it_json(r, "data/billing_settings/grace")), 3);
	ck_assert_int_eq(it_int(r, "data/sync_settings/interval_minutes"), 15);
	ck_assert_int_eq(it_bool(r, "data/sync_settings/enabled"), 0);
	ck_assert_int_eq(it_bool(r, "data/is_active"), 1);
	ck_assert_int_eq(it_bool(r, "data/allow_registration"), 0);
	it_free(r);
	/* duplicate code */
	r = call("POST", su, body, "/api/tenants/");
	EXPECT_FIELD(r, "code");
	it_free(r);

	r = call("GET", su, NULL, "/api/tenants/?page_size=100");
	EXPECT_STATUS(r, 200);
	ck_assert_ptr_nonnull(find_int(r, "id", id));
	ck_assert_ptr_nonnull(find_int(r, "id", 1));
	it_free(r);
	r = call("GET", su, NULL, "/api/tenants/%lld/", id);
	EXPECT_STATUS(r, 200);
	ck_assert_str_eq(it_str(r, "data/billing_settings/currency"), "BDT");
	it_free(r);
	r = call("PATCH", su, "{\"name\":\"Renamed ISP\",\"default_reseller_share\":\"12.5\","
	    "\"billing_settings\":{\"currency\":\"USD\"},\"code\":\"changed-code\"}",
	    "/api/tenants/%lld/", id);
	EXPECT_STATUS(r, 200);
	ck_assert_str_eq(it_str(r, "data/name"), "Renamed ISP");
	ck_assert_str_eq(it_str(r, "data/code"), code);         /* the code stays */
	ck_assert_msg(decimal_is(it_json(r, "data/default_reseller_share"), "12.50"), "%s", r->body);
	ck_assert_str_eq(it_str(r, "data/billing_settings/currency"), "USD");
	ck_assert_ptr_null(it_json(r, "data/billing_settings/due_day"));
	ck_assert_str_eq(it_str(r, "data/business_license"), "TRAD/DNCC/123");
	it_free(r);

	r = call("GET", su, NULL, "/api/tenants/%lld/stats/", id);
	EXPECT_STATUS(r, 200);
	ck_assert_int_eq(it_int(r, "data/tenant_id"), id);
	ck_assert_int_eq(it_int(r, "data/users_count"), 0);
	ck_assert_int_eq(it_int(r, "data/roles_count"), 0);
	it_free(r);
	{
		char name[64], extra[64];

		snprintf(extra, sizeof(extra), ",\"tenant_id\":%lld", id);
		mk_user(su, uniq(name, sizeof(name), "tu"), "admin", extra);
		mk_user(su, uniq(name, sizeof(name), "tu"), "support_staff", extra);
	}
	r = call("GET", su, NULL, "/api/tenants/%lld/stats/", id);
	EXPECT_STATUS(r, 200);
	ck_assert_int_eq(it_int(r, "data/users_count"), 2);
	ck_assert_int_eq(it_int(r, "data/active_users_count"), 2);
	ck_assert_int_eq(it_int(r, "data/api_clients_count"), 0);
	it_free(r);
	r = call("GET", su, NULL, "/api/tenants/%lld/", id);
	ck_assert_int_eq(it_int(r, "data/users_count"), 2);
	it_free(r);
	/* its user limit holds */
	r = call("PATCH", su, "{\"max_users\":2}", "/api/tenants/%lld/", id);
	EXPECT_STATUS(r, 200);
	ck_assert_int_eq(it_int(r, "data/max_users"), 2);
	it_free(r);
	{
		char name[64], b2[256];

		snprintf(b2, sizeof(b2), "{\"username\":\"%s\",\"password\":\"" PW "\","
		    "\"tenant_id\":%lld}", uniq(name, sizeof(name), "tu"), id);
		r = call("POST", su, b2, "/api/auth/users/");
		EXPECT_FIELD(r, "non_field_errors");
		it_free(r);
	}

	ck_assert_int_eq(status_of("DELETE", su, NULL, "/api/tenants/1/"), 409);   /* its own */
	r = call("DELETE", su, NULL, "/api/tenants/%lld/", id);
	EXPECT_STATUS(r, 200);
	ck_assert(it_is_null(r, "data"));
	it_free(r);
	r = call("GET", su, NULL, "/api/tenants/%lld/", id);
	EXPECT_ERROR(r, 404, "NOT_FOUND");
	it_free(r);
	ck_assert_int_eq(status_of("GET", su, NULL, "/api/tenants/%lld/stats/", id), 404);
	ck_assert_int_eq(status_of("PATCH", su, "{\"name\":\"x\"}", "/api/tenants/%lld/", id), 404);
	r = call("GET", su, NULL, "/api/tenants/?page_size=100");
	ck_assert_ptr_null(find_int(r, "id", id));
	it_free(r);
	/* a user may not be made in a deleted tenant */
	{
		char name[64], extra[256];

		snprintf(extra, sizeof(extra), "{\"username\":\"%s\",\"password\":\"" PW "\","
		    "\"tenant_id\":%lld}", uniq(name, sizeof(name), "tu"), id);
		r = call("POST", su, extra, "/api/auth/users/");
		EXPECT_FIELD(r, "tenant_id");
		it_free(r);
	}
}
END_TEST

START_TEST(tenants_deleted_or_inactive_tenant_shuts_out_its_users)
{
	char su[TOK];
	struct tenant del, off;
	struct resp *r;
	long me_del, login_del, me_off, login_off, cli_off;
	char key[128] = "", body[128];

	admin_tok(su);
	tenant_make(su, &del);
	tenant_make(su, &off);
	ck_assert_int_eq(me_status(del.tok), 200);
	ck_assert_int_eq(me_status(off.tok), 200);
	snprintf(body, sizeof(body), "{\"name\":\"%s-cli\",\"scopes\":[\"*\"]}", off.code);
	r = call("POST", off.tok, body, "/api/auth/api-clients/");
	EXPECT_STATUS(r, 201);
	snprintf(key, sizeof(key), "%s", it_str(r, "data/api_key"));
	it_free(r);
	r = call("DELETE", su, NULL, "/api/tenants/%lld/", del.id);
	EXPECT_STATUS(r, 200);
	it_free(r);
	r = call("PATCH", su, "{\"is_active\":false}", "/api/tenants/%lld/", off.id);
	EXPECT_STATUS(r, 200);
	ck_assert_int_eq(it_bool(r, "data/is_active"), 0);
	it_free(r);
	me_del = me_status(del.tok);
	me_off = me_status(off.tok);
	r = call_key("GET", key, NULL, "/api/auth/users/");
	cli_off = r->status;
	it_free(r);
	clear_attempts();
	r = login_resp("username", del.admin, PW, 0);
	login_del = r->status;
	it_free(r);
	r = login_resp("username", off.admin, PW, 0);
	login_off = r->status;
	it_free(r);
	clear_attempts();
	/* API clients of a disabled tenant are refused; so must its users be */
	ck_assert_int_eq(cli_off, 401);
	ck_assert_msg(me_del == 401 && login_del == 401 && me_off == 401 && login_off == 401,
	    "deleted tenant %lld: GET /api/auth/me/ with its admin's token %ld, login %ld; "
	    "inactive tenant %lld: GET /api/auth/me/ %ld, login %ld (all expected 401)",
	    del.id, me_del, login_del, off.id, me_off, login_off);
}
END_TEST

/* ==== isolation between tenants ==== */

/* tenant A (1): a user with a custom role, a group, an API client, a
 * category and a custom permission; tenant B: its admin, logged in. */
struct world {
	char su[TOK];
	long long a_user, a_role, a_group, a_client, a_cat, a_perm;
	char a_user_name[64], a_user_uuid[40], a_role_name[64], a_group_name[64],
	    a_client_name[64], a_cat_code[64];
	struct tenant b;
};

static void
world_make(struct world *w)
{
	char body[512];
	struct resp *r;

	memset(w, 0, sizeof(*w));
	admin_tok(w->su);
	w->a_user = mk_named(w->su, "au", "support_staff", w->a_user_name, sizeof(w->a_user_name));
	r = call("GET", w->su, NULL, "/api/auth/users/%lld/", w->a_user);
	snprintf(w->a_user_uuid, sizeof(w->a_user_uuid), "%s", it_str(r, "data/uuid"));
	it_free(r);
	w->a_role = mk_role(w->su, uniq(w->a_role_name, sizeof(w->a_role_name), "arole"), NULL);
	ck_assert_int_eq(assign(w->su, w->a_user, w->a_role, ",\"reason\":\"tenant a\""), 200);
	snprintf(body, sizeof(body), "{\"name\":\"%s\"}",
	    uniq(w->a_group_name, sizeof(w->a_group_name), "agrp"));
	r = call("POST", w->su, body, "/api/auth/groups/");
	EXPECT_STATUS(r, 201);
	w->a_group = it_int(r, "data/id");
	it_free(r);
	snprintf(body, sizeof(body), "{\"name\":\"%s\",\"scopes\":[\"*\"]}",
	    uniq(w->a_client_name, sizeof(w->a_client_name), "acli"));
	r = call("POST", w->su, body, "/api/auth/api-clients/");
	EXPECT_STATUS(r, 201);
	w->a_client = it_int(r, "data/id");
	it_free(r);
	snprintf(body, sizeof(body), "{\"name\":\"%s\",\"code\":\"%s\"}",
	    uniq(w->a_cat_code, sizeof(w->a_cat_code), "acat"), w->a_cat_code);
	r = call("POST", w->su, body, "/api/auth/permission-categories/");
	EXPECT_STATUS(r, 201);
	w->a_cat = it_int(r, "data/id");
	it_free(r);
	snprintf(body, sizeof(body), "{\"codename\":\"a.%s\",\"name\":\"A only\",\"category_id\":%lld}",
	    w->a_cat_code, w->a_cat);
	r = call("POST", w->su, body, "/api/auth/custom-permissions/");
	EXPECT_STATUS(r, 201);
	w->a_perm = it_int(r, "data/id");
	it_free(r);
	tenant_make(w->su, &w->b);
}

START_TEST(isolation_tenant_admin_is_made_by_super_admin_only)
{
	char su[TOK], adm[64], atok[TOK], name[64], body[512];
	struct tenant b;
	struct resp *r;

	admin_tok(su);
	tenant_make(su, &b);            /* POST /api/auth/users/ with tenant_id: 201 */
	r = call("GET", b.tok, NULL, "/api/auth/me/");
	EXPECT_STATUS(r, 200);
	ck_assert_int_eq(it_int(r, "data/id"), b.admin_id);
	ck_assert_str_eq(it_str(r, "data/user_type"), "admin");
	it_free(r);
	/* an admin of tenant 1 may not place a user in B */
	mk_named(su, "ia", "admin", adm, sizeof(adm));
	login_tok(adm, PW, atok);
	snprintf(body, sizeof(body), "{\"username\":\"%s\",\"password\":\"" PW "\",\"tenant_id\":%lld}",
	    uniq(name, sizeof(name), "ib"), b.id);
	r = call("POST", atok, body, "/api/auth/users/");
	EXPECT_FIELD(r, "tenant_id");
	it_free(r);
	/* nor B's admin in tenant 1 */
	snprintf(body, sizeof(body), "{\"username\":\"%s\",\"password\":\"" PW "\",\"tenant_id\":1}",
	    uniq(name, sizeof(name), "ib"));
	r = call("POST", b.tok, body, "/api/auth/users/");
	EXPECT_FIELD(r, "tenant_id");
	it_free(r);
	r = call("GET", su, NULL, "/api/auth/users/?search=%s", name);
	ck_assert_int_eq(total(r), 0);
	it_free(r);
	/* unknown tenant */
	snprintf(body, sizeof(body), "{\"username\":\"%s\",\"password\":\"" PW "\","
	    "\"tenant_id\":987654321}", name);
	r = call("POST", su, body, "/api/auth/users/");
	EXPECT_FIELD(r, "tenant_id");
	it_free(r);
}
END_TEST

START_TEST(isolation_other_tenants_objects_are_404)
{
	struct world w;
	const char *bt;
	struct resp *r;

	world_make(&w);
	bt = w.b.tok;
#define NF(method, body, ...) do { \
	r = call(method, bt, body, __VA_ARGS__); \
	EXPECT_ERROR(r, 404, "NOT_FOUND"); \
	it_free(r); \
} while (0)
	NF("GET", NULL, "/api/auth/users/%lld/", w.a_user);
	NF("GET", NULL, "/api/auth/users/%s/", w.a_user_uuid);
	NF("PATCH", "{\"first_name\":\"Owned\"}", "/api/auth/users/%lld/", w.a_user);
	NF("PUT", "{\"username\":\"owned\"}", "/api/auth/users/%lld/", w.a_user);
	NF("DELETE", NULL, "/api/auth/users/%lld/", w.a_user);
	NF("GET", NULL, "/api/auth/roles/%lld/", w.a_role);
	NF("PATCH", "{\"display_name\":\"Owned\"}", "/api/auth/roles/%lld/", w.a_role);
	NF("DELETE", NULL, "/api/auth/roles/%lld/", w.a_role);
	NF("GET", NULL, "/api/auth/groups/%lld/", w.a_group);
	NF("PATCH", "{\"name\":\"Owned\"}", "/api/auth/groups/%lld/", w.a_group);
	NF("DELETE", NULL, "/api/auth/groups/%lld/", w.a_group);
	NF("GET", NULL, "/api/auth/api-clients/%lld/", w.a_client);
	NF("DELETE", NULL, "/api/auth/api-clients/%lld/", w.a_client);
	{
		char body[128];

		snprintf(body, sizeof(body), "{\"id\":%lld,\"name\":\"Owned\"}", w.a_client);
		NF("POST", body, "/api/auth/api-clients/");
	}
	NF("GET", NULL, "/api/tenants/1/");
	NF("PATCH", "{\"name\":\"Owned\"}", "/api/tenants/1/");
	NF("GET", NULL, "/api/tenants/1/stats/");
#undef NF
	/* a bulk delete by id passes over them */
	{
		char body[128];

		snprintf(body, sizeof(body), "{\"ids\":[%lld]}", w.a_client);
		r = call("DELETE", bt, body, "/api/auth/api-clients/");
		EXPECT_STATUS(r, 200);
		ck_assert_int_eq(it_int(r, "data/deleted"), 0);
		it_free(r);
	}
	/* deleting a tenant needs a permission B's admin does not have */
	ck_assert_int_eq(status_of("DELETE", bt, NULL, "/api/tenants/1/"), 403);
	/* and all of A's things are as they were */
	r = call("GET", w.su, NULL, "/api/auth/users/%lld/", w.a_user);
	EXPECT_STATUS(r, 200);
	ck_assert_str_ne(it_str(r, "data/first_name"), "Owned");
	it_free(r);
	r = call("GET", w.su, NULL, "/api/auth/roles/%lld/", w.a_role);
	EXPECT_STATUS(r, 200);
	ck_assert_str_ne(it_str(r, "data/display_name"), "Owned");
	it_free(r);
	ck_assert_int_eq(status_of("GET", w.su, NULL, "/api/auth/groups/%lld/", w.a_group), 200);
	r = call("GET", w.su, NULL, "/api/auth/api-clients/%lld/", w.a_client);
	EXPECT_STATUS(r, 200);
	ck_assert_str_eq(it_str(r, "data/name"), w.a_client_name);
	it_free(r);
	r = call("GET", w.su, NULL, "/api/tenants/1/");
	ck_assert_str_ne(it_str(r, "data/name"), "Owned");
	it_free(r);
}
END_TEST

START_TEST(isolation_lists_searches_and_filters)
{
	struct world w;
	const char *bt;
	struct resp *r;
	yajl_val a;

	world_make(&w);
	bt = w.b.tok;
#define NONE(...) do { \
	r = call("GET", bt, NULL, __VA_ARGS__); \
	EXPECT_STATUS(r, 200); \
	ck_assert_msg(total(r) == 0 && jlen(items(r)) == 0, "tenant B sees: %.600s", r->body); \
	it_free(r); \
} while (0)
	NONE("/api/auth/users/?search=%s", w.a_user_name);
	NONE("/api/auth/users/?search=admin%%40example.net");
	NONE("/api/auth/users/?parent_id=%lld", w.a_user);
	NONE("/api/auth/users/?user_type=support_staff");
	NONE("/api/auth/users/?user_type=super_admin");
	NONE("/api/auth/roles/?search=%s", w.a_role_name);
	NONE("/api/auth/roles/?is_system=false");
	NONE("/api/auth/user-roles/");
	NONE("/api/auth/user-roles/?user_id=%lld", w.a_user);
	NONE("/api/auth/user-roles/?role_id=%lld", w.a_role);
	NONE("/api/auth/groups/");
	NONE("/api/auth/groups/?search=%s", w.a_group_name);
	NONE("/api/auth/api-clients/");
	NONE("/api/auth/api-clients/?search=%s", w.a_client_name);
	NONE("/api/auth/custom-permissions/");
	NONE("/api/auth/permissions/?search=%s", w.a_cat_code);
	NONE("/api/auth/permissions/?category_id=%lld", w.a_cat);
	NONE("/api/auth/permission-categories/?search=%s", w.a_cat_code);
	NONE("/api/audit/?search=%s", w.a_user_name);
	NONE("/api/audit/?object_type=user&object_id=%lld", w.a_user);
	NONE("/api/tenants/?search=default");
#undef NONE
	/* its user list is its admin alone */
	r = call("GET", bt, NULL, "/api/auth/users/?page_size=100");
	EXPECT_STATUS(r, 200);
	ck_assert_int_eq(total(r), 1);
	ck_assert_int_eq(jint(jat(items(r), 0), "id"), w.b.admin_id);
	it_free(r);
	r = call("GET", bt, NULL, "/api/auth/users/?user_type=admin");
	EXPECT_STATUS(r, 200);
	ck_assert_int_eq(total(r), 1);
	it_free(r);
	/* roles: the shipped ones only */
	r = call("GET", bt, NULL, "/api/auth/roles/?page_size=100");
	EXPECT_STATUS(r, 200);
	ck_assert_int_eq(total(r), 10);
	a = items(r);
	for (size_t i = 0; i < jlen(a); i++)
		ck_assert_int_eq(jbool(jat(a, i), "is_system"), 1);
	it_free(r);
	r = call("GET", bt, NULL, "/api/auth/permissions/?page_size=100");
	EXPECT_STATUS(r, 200);
	ck_assert_ptr_null(find_int(r, "id", w.a_perm));
	it_free(r);
	r = call("POST", bt, "{\"name\":\"acli\"}", "/api/auth/api-clients/find/");
	EXPECT_STATUS(r, 200);
	ck_assert_int_eq(total(r), 0);
	it_free(r);
	{
		char body[64];

		snprintf(body, sizeof(body), "{\"id\":%lld}", w.a_client);
		r = call("POST", bt, body, "/api/auth/api-clients/find/");
		EXPECT_STATUS(r, 200);
		ck_assert_int_eq(total(r), 0);
		it_free(r);
	}
	/* tenants: its own only; no new ones */
	r = call("GET", bt, NULL, "/api/tenants/");
	EXPECT_STATUS(r, 200);
	ck_assert_int_eq(total(r), 1);
	ck_assert_int_eq(jint(jat(items(r), 0), "id"), w.b.id);
	it_free(r);
	r = call("POST", bt, "{\"name\":\"Rogue\",\"code\":\"rogue\"}", "/api/tenants/");
	EXPECT_ERROR(r, 403, "FORBIDDEN");
	it_free(r);
	/* the dashboard counts B only */
	r = call("GET", bt, NULL, "/api/auth/dashboard/stats/");
	EXPECT_STATUS(r, 200);
	ck_assert_int_eq(it_int(r, "data/total_users"), 1);
	ck_assert_int_eq(it_int(r, "data/custom_permissions"), 0);
	it_free(r);
}
END_TEST

START_TEST(isolation_no_references_across_tenants)
{
	struct world w;
	char body[512], name[64];
	struct resp *r;
	long long bu;

	world_make(&w);
	bu = mk_named(w.b.tok, "bu", "support_staff", name, sizeof(name));
	/* B assigns A's role; B assigns to A's user */
	snprintf(body, sizeof(body), "{\"user_id\":%lld,\"role_id\":%lld}", bu, w.a_role);
	r = call("POST", w.b.tok, body, "/api/auth/roles/assign/");
	EXPECT_FIELD(r, "role_id");
	it_free(r);
	{
		long long brole = mk_role(w.b.tok, uniq(name, sizeof(name), "brole"), NULL);

		snprintf(body, sizeof(body), "{\"user_id\":%lld,\"role_id\":%lld}", w.a_user, brole);
		r = call("POST", w.b.tok, body, "/api/auth/roles/assign/");
		EXPECT_FIELD(r, "user_id");
		it_free(r);
		snprintf(body, sizeof(body), "{\"user_ids\":[%lld],\"role_id\":%lld}", w.a_user, brole);
		r = call("POST", w.b.tok, body, "/api/auth/roles/bulk-assign/");
		EXPECT_STATUS(r, 200);
		ck_assert_int_eq(it_int(r, "data/succeeded"), 0);
		ck_assert_int_eq(it_int(r, "data/failed"), 1);
		it_free(r);
	}
	/* A's user as parent, A's permission in a role or group, A's category */
	snprintf(body, sizeof(body), "{\"username\":\"%s\",\"password\":\"" PW "\","
	    "\"user_type\":\"field_staff\",\"parent_id\":%lld}", uniq(name, sizeof(name), "bu"),
	    w.a_user);
	r = call("POST", w.b.tok, body, "/api/auth/users/");
	EXPECT_FIELD(r, "parent_id");
	it_free(r);
	snprintf(body, sizeof(body), "{\"parent_id\":%lld}", w.a_user);
	r = call("PATCH", w.b.tok, body, "/api/auth/users/%lld/", bu);
	EXPECT_FIELD(r, "parent_id");
	it_free(r);
	snprintf(body, sizeof(body), "{\"name\":\"%s\",\"permission_ids\":[%lld]}",
	    uniq(name, sizeof(name), "brole"), w.a_perm);
	r = call("POST", w.b.tok, body, "/api/auth/roles/");
	EXPECT_FIELD(r, "permission_ids");
	it_free(r);
	r = call("POST", w.b.tok, body, "/api/auth/groups/");
	EXPECT_FIELD(r, "permission_ids");
	it_free(r);
	snprintf(body, sizeof(body), "{\"codename\":\"b.%s\",\"name\":\"B\",\"category_id\":%lld}",
	    uniq(name, sizeof(name), "bp"), w.a_cat);
	r = call("POST", w.b.tok, body, "/api/auth/custom-permissions/");
	EXPECT_FIELD(r, "category_id");
	it_free(r);
	/* the same names are B's own to use */
	snprintf(body, sizeof(body), "{\"name\":\"%s\"}", w.a_role_name);
	r = call("POST", w.b.tok, body, "/api/auth/roles/");
	EXPECT_STATUS(r, 201);
	it_free(r);
}
END_TEST

START_TEST(isolation_tenant_a_admin_cannot_see_b)
{
	struct world w;
	char adm[64], atok[TOK];
	struct resp *r;

	world_make(&w);
	mk_named(w.su, "aa", "admin", adm, sizeof(adm));
	login_tok(adm, PW, atok);
	r = call("GET", atok, NULL, "/api/auth/users/?search=%s", w.b.admin);
	EXPECT_STATUS(r, 200);
	ck_assert_int_eq(total(r), 0);
	it_free(r);
	r = call("GET", atok, NULL, "/api/auth/users/?page_size=100&ordering=-id");
	EXPECT_STATUS(r, 200);
	ck_assert_ptr_null(find_int(r, "id", w.b.admin_id));
	it_free(r);
	r = call("GET", atok, NULL, "/api/auth/users/%lld/", w.b.admin_id);
	EXPECT_ERROR(r, 404, "NOT_FOUND");
	it_free(r);
	r = call("GET", atok, NULL, "/api/tenants/%lld/", w.b.id);
	EXPECT_ERROR(r, 404, "NOT_FOUND");
	it_free(r);
	r = call("GET", atok, NULL, "/api/tenants/");
	EXPECT_STATUS(r, 200);
	ck_assert_int_eq(total(r), 1);
	ck_assert_int_eq(jint(jat(items(r), 0), "id"), 1);
	it_free(r);
	/* the super admin sees both tenants (but users of its own only) */
	r = call("GET", w.su, NULL, "/api/tenants/%lld/", w.b.id);
	EXPECT_STATUS(r, 200);
	it_free(r);
	r = call("GET", w.su, NULL, "/api/auth/users/?search=%s", w.b.admin);
	EXPECT_STATUS(r, 200);
	ck_assert_int_eq(total(r), 0);
	it_free(r);
}
END_TEST

/* ==== registration ==== */

static long
register_user(const char *name, const char *more, struct resp **out)
{
	char body[1024];
	struct resp *r;
	long st;

	snprintf(body, sizeof(body), "{\"username\":\"%s\",\"email\":\"%s@example.org\","
	    "\"password\":\"" PW "\",\"password_confirm\":\"" PW "\"%s}", name, name, more ? more : "");
	r = call("POST", NULL, body, "/api/auth/register/");
	st = r->status;
	if (out)
		*out = r;
	else
		it_free(r);
	return st;
}

START_TEST(register_follows_allow_registration)
{
	char su[TOK], name[64], tok[TOK];
	struct resp *r;

	ck_assert_int_ge(db_do("UPDATE tenants SET allow_registration = 0"), 0);
	admin_tok(su);
	ck_assert_int_eq(register_user(uniq(name, sizeof(name), "rg"), NULL, &r), 403);
	EXPECT_ERROR(r, 403, "FORBIDDEN");
	ck_assert_ptr_null(it_json(r, "data/tokens"));
	it_free(r);
	r = call("GET", su, NULL, "/api/auth/users/?search=%s", name);
	ck_assert_int_eq(total(r), 0);
	it_free(r);

	r = call("PATCH", su, "{\"allow_registration\":true}", "/api/tenants/1/");
	EXPECT_STATUS(r, 200);
	ck_assert_int_eq(it_bool(r, "data/allow_registration"), 1);
	it_free(r);
	register_user(name, ",\"user_type\":\"admin\",\"is_staff\":true,\"first_name\":\"Reg\"", &r);
	EXPECT_STATUS(r, 201);
	ck_assert_int_eq(it_bool(r, "success"), 1);
	ck_assert_str_eq(it_str(r, "data/user/username"), name);
	ck_assert_str_eq(it_str(r, "data/user/user_type"), "user");
	ck_assert_int_eq(it_bool(r, "data/user/is_staff"), 0);
	ck_assert_int_eq(it_bool(r, "data/user/is_superuser"), 0);
	ck_assert_str_eq(it_str(r, "data/tokens/token_type"), "Bearer");
	snprintf(tok, sizeof(tok), "%s", it_str(r, "data/tokens/access") ?
	    it_str(r, "data/tokens/access") : "");
	ck_assert_ptr_null(strstr(r->body, "password"));
	it_free(r);
	r = call("GET", tok, NULL, "/api/auth/me/permissions/");
	EXPECT_STATUS(r, 200);
	ck_assert_str_eq(it_str(r, "data/user_type"), "user");
	ck_assert_int_eq(jlen(it_json(r, "data/permissions")), 0);
	it_free(r);
	ck_assert_int_eq(status_of("GET", tok, NULL, "/api/auth/users/"), 403);
	r = call("GET", su, NULL, "/api/auth/users/?search=%s", name);
	ck_assert_int_eq(total(r), 1);
	ck_assert_str_eq(jstr(jat(items(r), 0), "user_type"), "user");
	it_free(r);
	/* by the tenant's code, and validated like any user */
	ck_assert_int_eq(register_user(uniq(name, sizeof(name), "rg"), ",\"tenant\":\"default\"",
	    NULL), 201);
	{
		char body[512];

		snprintf(body, sizeof(body), "{\"username\":\"%s\",\"password\":\"" PW "\","
		    "\"password_confirm\":\"nope-nope-1\"}", uniq(name, sizeof(name), "rg"));
		r = call("POST", NULL, body, "/api/auth/register/");
		EXPECT_FIELD(r, "password_confirm");
		it_free(r);
	}

	r = call("PATCH", su, "{\"allow_registration\":false}", "/api/tenants/1/");
	EXPECT_STATUS(r, 200);
	ck_assert_int_eq(it_bool(r, "data/allow_registration"), 0);
	it_free(r);
	ck_assert_int_eq(register_user(uniq(name, sizeof(name), "rg"), NULL, NULL), 403);
}
END_TEST

/* ==== locations ==== */

START_TEST(locations_summary_counts)
{
	char su[TOK];
	struct resp *r;

	admin_tok(su);
	r = call("GET", su, NULL, "/api/locations/summary/");
	EXPECT_STATUS(r, 200);
	if (it_int(r, "data/total_divisions") == 0) {
		/* no data set on this machine: then the harness imported nothing */
		ck_assert(!it_file_contains("locations.log", "imported"));
		it_free(r);
		return;
	}
	ck_assert(it_file_contains("locations.log", "imported 8 divisions, 64 districts, 494 thanas"));
	ck_assert_int_eq(it_int(r, "data/total_divisions"), 8);
	ck_assert_int_eq(it_int(r, "data/total_districts"), 64);
	ck_assert_int_eq(it_int(r, "data/total_thanas"), 494);
	{
		yajl_val d = it_json(r, "data/divisions");
		long long nd = 0, nt = 0;

		ck_assert_int_eq(jlen(d), 8);
		for (size_t i = 0; i < jlen(d); i++) {
			nd += jint(jat(d, i), "districts");
			nt += jint(jat(d, i), "thanas");
		}
		ck_assert_int_eq(nd, 64);
		ck_assert_int_eq(nt, 494);
	}
	it_free(r);
}
END_TEST

START_TEST(locations_districts_and_thanas)
{
	char su[TOK], first[128] = "";
	struct resp *r;
	yajl_val a, dhaka;
	long long did, div, nthanas;

	admin_tok(su);
	r = call("GET", su, NULL, "/api/locations/summary/");
	if (it_int(r, "data/total_districts") == 0) {
		it_free(r);
		return;                 /* checked by locations_summary_counts */
	}
	it_free(r);
	r = call("GET", su, NULL, "/api/locations/districts/?search=Dhaka");
	EXPECT_STATUS(r, 200);
	dhaka = find_str(r, "name", "Dhaka");
	ck_assert_ptr_nonnull(dhaka);
	did = jint(dhaka, "id");
	div = jint(dhaka, "division_id");
	nthanas = jint(dhaka, "thanas_count");
	ck_assert_int_gt(did, 0);
	ck_assert_int_gt(nthanas, 0);
	ck_assert_str_eq(jstr(dhaka, "division_name"), "Dhaka");
	it_free(r);
	r = call("GET", su, NULL, "/api/locations/districts/?search=dhaka");     /* any case */
	ck_assert_ptr_nonnull(find_int(r, "id", did));
	it_free(r);

	r = call("GET", su, NULL, "/api/locations/districts/?division_id=%lld&page_size=100", div);
	EXPECT_STATUS(r, 200);
	a = items(r);
	ck_assert_int_gt(jlen(a), 1);
	ck_assert_int_lt(total(r), 64);
	ck_assert_int_eq(total(r), (long long)jlen(a));
	for (size_t i = 0; i < jlen(a); i++)
		ck_assert_int_eq(jint(jat(a, i), "division_id"), div);
	ck_assert_ptr_nonnull(find_int(r, "id", did));
	it_free(r);

	r = call("GET", su, NULL, "/api/locations/districts/%lld/thanas/?page_size=100", did);
	EXPECT_STATUS(r, 200);
	a = items(r);
	ck_assert_int_eq(total(r), nthanas);
	ck_assert_int_eq(jlen(a), (size_t)nthanas);
	for (size_t i = 0; i < jlen(a); i++)
		ck_assert_int_eq(jint(jat(a, i), "district_id"), did);
	it_free(r);
	r = call("GET", su, NULL, "/api/locations/thanas/?district=%lld&page_size=100", did);
	EXPECT_STATUS(r, 200);
	a = items(r);
	ck_assert_int_eq(total(r), nthanas);
	for (size_t i = 0; i < jlen(a); i++)
		ck_assert_int_eq(jint(jat(a, i), "district_id"), did);
	it_free(r);
	r = call("GET", su, NULL, "/api/locations/thanas/?district_id=%lld&page_size=1", did);
	EXPECT_STATUS(r, 200);
	ck_assert_int_eq(total(r), nthanas);
	it_free(r);

	/* ordering */
	r = call("GET", su, NULL, "/api/locations/districts/?ordering=name&page_size=100");
	EXPECT_STATUS(r, 200);
	ck_assert_int_eq(jlen(items(r)), 64);
	snprintf(first, sizeof(first), "%s", jstr(jat(items(r), 63), "name"));
	it_free(r);
	r = call("GET", su, NULL, "/api/locations/districts/?ordering=-name&page_size=100");
	EXPECT_STATUS(r, 200);
	ck_assert_str_eq(jstr(jat(items(r), 0), "name"), first);
	it_free(r);
	r = call("GET", su, NULL, "/api/locations/districts/?ordering=password");
	EXPECT_FIELD(r, "ordering");
	it_free(r);

	r = call("GET", su, NULL, "/api/locations/districts/%lld/", did);
	EXPECT_STATUS(r, 200);
	ck_assert_str_eq(it_str(r, "data/name"), "Dhaka");
	it_free(r);
	ck_assert_int_eq(status_of("GET", su, NULL, "/api/locations/districts/987654/"), 404);
	ck_assert_int_eq(status_of("GET", su, NULL, "/api/locations/districts/987654/thanas/"), 404);
	r = call("GET", su, NULL, "/api/locations/divisions/?page_size=100");
	EXPECT_STATUS(r, 200);
	ck_assert_int_eq(total(r), 8);
	ck_assert_ptr_nonnull(find_str(r, "name", "Dhaka"));
	it_free(r);
}
END_TEST

/* ==== audit ==== */

START_TEST(audit_records_changes_and_logins)
{
	char su[TOK], name[64], body[512], rc[80], ru[80], rd[80], rl[80], idstr[32];
	struct resp *r;
	long long id;
	yajl_val e;

	admin_tok(su);
	uniq(name, sizeof(name), "ad");
	snprintf(rc, sizeof(rc), "itc-%s", name);
	snprintf(ru, sizeof(ru), "itu-%s", name);
	snprintf(rl, sizeof(rl), "itl-%s", name);
	snprintf(body, sizeof(body), "{\"username\":\"%s\",\"password\":\"" PW "\","
	    "\"user_type\":\"support_staff\"}", name);
	r = call_rid("POST", su, rc, body, "/api/auth/users/");
	EXPECT_STATUS(r, 201);
	id = it_int(r, "data/id");
	it_free(r);
	snprintf(idstr, sizeof(idstr), "%lld", id);
	r = call_rid("PATCH", su, ru, "{\"last_name\":\"Audited\"}", "/api/auth/users/%lld/", id);
	EXPECT_STATUS(r, 200);
	it_free(r);
	snprintf(body, sizeof(body), "{\"username\":\"%s\",\"password\":\"" PW "\"}", name);
	r = call_rid("POST", NULL, rl, body, "/api/auth/login/");
	EXPECT_STATUS(r, 200);
	it_free(r);
	r = call("DELETE", su, NULL, "/api/auth/users/%lld/", id);     /* an id of the server's */
	EXPECT_STATUS(r, 200);
	{
		char *h = it_header(r, "X-Request-ID");

		ck_assert_ptr_nonnull(h);
		snprintf(rd, sizeof(rd), "%s", h);
		free(h);
	}
	it_free(r);

	r = call("GET", su, NULL, "/api/audit/?object_type=user&object_id=%lld&ordering=id", id);
	EXPECT_STATUS(r, 200);
	{
		const char *want[][2] = { { "create", rc }, { "update", ru }, { "login", rl },
		    { "delete", rd } };

		ck_assert_int_eq(total(r), 4);
		for (size_t i = 0; i < 4; i++) {
			e = jat(items(r), i);
			ck_assert_str_eq(jstr(e, "action"), want[i][0]);
			ck_assert_str_eq(jstr(e, "request_id"), want[i][1]);
			ck_assert_str_eq(jstr(e, "ip"), "127.0.0.1");
			ck_assert_str_eq(jstr(e, "object_type"), "user");
			ck_assert_str_eq(jstr(e, "object_id"), idstr);
			ck_assert_ptr_nonnull(jstr(e, "created_at"));
			if (i == 2) {
				ck_assert_str_eq(jstr(e, "actor_name"), name);
			} else {
				ck_assert_str_eq(jstr(e, "actor_name"), "admin");
				ck_assert_int_eq(jint(e, "actor_id"), 1);
			}
		}
	}
	it_free(r);
	r = call("GET", su, NULL, "/api/audit/?action=create&object_type=user&search=%s", name);
	EXPECT_STATUS(r, 200);
	ck_assert_int_eq(total(r), 1);
	ck_assert_str_eq(jstr(jat(items(r), 0), "request_id"), rc);
	it_free(r);
	r = call("GET", su, NULL, "/api/audit/?action=login&actor_id=%lld", id);
	EXPECT_STATUS(r, 200);
	ck_assert_int_eq(total(r), 1);
	it_free(r);
	r = call("GET", su, NULL, "/api/audit/?ip=127.0.0.1&page_size=1");
	EXPECT_STATUS(r, 200);
	ck_assert_int_gt(total(r), 4);
	it_free(r);
}
END_TEST

START_TEST(audit_records_failed_logins)
{
	char su[TOK], name[64], body[256], rid[80];
	struct resp *r;
	long st;
	yajl_val e;

	admin_tok(su);
	mk_named(su, "af", "support_staff", name, sizeof(name));
	snprintf(rid, sizeof(rid), "itf-%s", name);
	snprintf(body, sizeof(body), "{\"username\":\"%s\",\"password\":\"not-the-password-1\"}", name);
	clear_attempts();
	r = call_rid("POST", NULL, rid, body, "/api/auth/login/");
	st = r->status;
	it_free(r);
	clear_attempts();
	ck_assert_int_eq(st, 401);
	/* a failed login for a user of this tenant is in this tenant's log */
	r = call("GET", su, NULL, "/api/audit/?action=login_failed&search=%s", name);
	EXPECT_STATUS(r, 200);
	e = find_str(r, "request_id", rid);
	ck_assert_msg(e != NULL, "GET /api/audit/?action=login_failed&search=%s: no entry with "
	    "request_id %s: %.600s", name, rid, r->body);
	ck_assert_str_eq(jstr(e, "actor_name"), name);
	ck_assert_str_eq(jstr(e, "ip"), "127.0.0.1");
	it_free(r);
}
END_TEST

START_TEST(audit_is_tenant_scoped)
{
	char su[TOK], adm[64], atok[TOK], name[64];
	struct tenant b;
	struct resp *r;
	long long bu;

	admin_tok(su);
	tenant_make(su, &b);
	bu = mk_named(b.tok, "abu", "support_staff", name, sizeof(name));
	r = call("GET", b.tok, NULL, "/api/audit/?object_type=user&object_id=%lld", bu);
	EXPECT_STATUS(r, 200);
	ck_assert_int_eq(total(r), 1);
	ck_assert_str_eq(jstr(jat(items(r), 0), "actor_name"), b.admin);
	it_free(r);
	mk_named(su, "aa", "admin", adm, sizeof(adm));
	login_tok(adm, PW, atok);
	r = call("GET", atok, NULL, "/api/audit/?object_type=user&object_id=%lld", bu);
	EXPECT_STATUS(r, 200);
	ck_assert_int_eq(total(r), 0);
	it_free(r);
	r = call("GET", atok, NULL, "/api/audit/?search=%s", name);
	EXPECT_STATUS(r, 200);
	ck_assert_int_eq(total(r), 0);
	it_free(r);
	r = call("GET", atok, NULL, "/api/audit/?actor_id=%lld", b.admin_id);
	EXPECT_STATUS(r, 200);
	ck_assert_int_eq(total(r), 0);
	it_free(r);
	/* and the other way round */
	r = call("GET", b.tok, NULL, "/api/audit/?search=%s", adm);
	EXPECT_STATUS(r, 200);
	ck_assert_int_eq(total(r), 0);
	it_free(r);
}
END_TEST

/* ==== 003's dashboard ==== */

START_TEST(dashboard_stats_count_what_was_made)
{
	char su[TOK], name[64], body[256];
	struct tenant c;
	struct resp *r;
	long long roles0, perms0;
	static const char *const types[] = { "super_admin", "admin", "billing_manager",
	    "noc_manager", "support_staff", "accountant", "reseller_admin", "sub_reseller_admin",
	    "field_staff", "user", NULL };

	admin_tok(su);
	tenant_make(su, &c);
	r = call("GET", c.tok, NULL, "/api/auth/roles/");
	roles0 = total(r);
	it_free(r);
	r = call("GET", c.tok, NULL, "/api/auth/permissions/");
	perms0 = total(r);
	it_free(r);
	ck_assert_int_eq(roles0, 10);
	ck_assert_int_eq(perms0, db_do("SELECT COUNT(*) FROM permissions WHERE tenant_id IS NULL"));

	r = call("GET", c.tok, NULL, "/api/auth/dashboard/stats/");
	EXPECT_STATUS(r, 200);
	ck_assert_int_eq(it_int(r, "data/total_users"), 1);
	ck_assert_int_eq(it_int(r, "data/active_users"), 1);
	ck_assert_int_eq(it_int(r, "data/total_roles"), roles0);
	ck_assert_int_eq(it_int(r, "data/active_roles"), roles0);
	ck_assert_int_eq(it_int(r, "data/total_permissions"), perms0);
	ck_assert_int_eq(it_int(r, "data/custom_permissions"), 0);
	ck_assert_int_eq(it_int(r, "data/user_types/admin"), 1);
	ck_assert_int_eq(it_int(r, "data/user_types/support_staff"), 0);
	it_free(r);

	mk_named(c.tok, "ds", "support_staff", name, sizeof(name));
	mk_user(c.tok, uniq(name, sizeof(name), "ds"), "support_staff", ",\"is_active\":false");
	mk_named(c.tok, "ds", "accountant", name, sizeof(name));
	mk_role(c.tok, uniq(name, sizeof(name), "dr"), NULL);
	mk_role(c.tok, uniq(name, sizeof(name), "dr"), ",\"is_active\":false");
	snprintf(body, sizeof(body), "{\"codename\":\"c.%s\",\"name\":\"C only\"}",
	    uniq(name, sizeof(name), "dp"));
	r = call("POST", c.tok, body, "/api/auth/custom-permissions/");
	EXPECT_STATUS(r, 201);
	it_free(r);

	r = call("GET", c.tok, NULL, "/api/auth/dashboard/stats/");
	EXPECT_STATUS(r, 200);
	ck_assert_int_eq(it_int(r, "data/total_users"), 4);
	ck_assert_int_eq(it_int(r, "data/active_users"), 3);
	ck_assert_int_eq(it_int(r, "data/total_roles"), roles0 + 2);
	ck_assert_int_eq(it_int(r, "data/active_roles"), roles0 + 1);
	ck_assert_int_eq(it_int(r, "data/total_permissions"), perms0 + 1);
	ck_assert_int_eq(it_int(r, "data/custom_permissions"), 1);
	for (int i = 0; types[i]; i++) {
		char path[64];
		long long want = !strcmp(types[i], "admin") ? 1 : !strcmp(types[i], "support_staff") ?
		    2 : !strcmp(types[i], "accountant") ? 1 : 0;

		snprintf(path, sizeof(path), "data/user_types/%s", types[i]);
		ck_assert_msg(it_int(r, path) == want, "%s: %lld, expected %lld", types[i],
		    it_int(r, path), want);
	}
	it_free(r);
	/* the super admin's own tenant agrees with its user list */
	{
		long long n;

		r = call("GET", su, NULL, "/api/auth/users/?page_size=1");
		n = total(r);
		it_free(r);
		r = call("GET", su, NULL, "/api/auth/dashboard/stats/");
		EXPECT_STATUS(r, 200);
		ck_assert_int_eq(it_int(r, "data/total_users"), n);
		ck_assert_int_ge(it_int(r, "data/user_types/super_admin"), 1);
		it_free(r);
	}
	/* support staff may not read it */
	{
		char tok[TOK];

		mk_named(c.tok, "ds", "support_staff", name, sizeof(name));
		login_tok(name, PW, tok);
		ck_assert_int_eq(status_of("GET", tok, NULL, "/api/auth/dashboard/stats/"), 403);
	}
}
END_TEST

/* ==== bad input: 400 naming the culprit, never 500 ==== */

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

/* A list answer of at most 100 a page, whatever was asked for. */
static void
expect_page_size(struct misses *m, const char *tok, const char *path, long long size)
{
	struct resp *r = call("GET", tok, NULL, "%s", path);

	if (r->status != 200 || it_int(r, "pagination/page_size") != size ||
	    (long long)jlen(items(r)) > size)
		miss(m, "GET %s: HTTP %ld, page_size %lld, expected 200 with %lld", path, r->status,
		    it_int(r, "pagination/page_size"), size);
	it_free(r);
}

static const char *const lists[] = {
	"/api/auth/users/", "/api/auth/roles/", "/api/auth/user-roles/", "/api/auth/permissions/",
	"/api/auth/permission-categories/", "/api/auth/custom-permissions/", "/api/auth/groups/",
	"/api/auth/api-clients/", "/api/tenants/", "/api/locations/divisions/",
	"/api/locations/districts/", "/api/locations/thanas/", "/api/locations/districts/1/thanas/",
	"/api/audit/", NULL,
};

/* a non-super admin of tenant 1 (spares the super admin's hourly budget) */
static void
bad_input_caller(char tok[TOK])
{
	char su[TOK], adm[64];

	admin_tok(su);
	mk_named(su, "bi", "admin", adm, sizeof(adm));
	login_tok(adm, PW, tok);
}

START_TEST(bad_search_paging_ordering_on_every_list)
{
	char tok[TOK], enc[256], q[256], path[1024];
	static const char *const odd[] = { "' OR 1=1 --", "%", "\\", "\"; DROP TABLE users; --",
	    NULL };
	struct misses m = { 0 };
	struct resp *r;

	bad_input_caller(tok);
	for (int i = 0; lists[i]; i++) {
		const char *l = lists[i];

		/* SQL's metacharacters are text to look for, and nothing has them */
		for (int j = 0; odd[j]; j++) {
			snprintf(path, sizeof(path), "%s?search=%s", l, urlenc(odd[j], enc, sizeof(enc)));
			r = call("GET", tok, NULL, "%s", path);
			if (r->status != 200 || total(r) != 0 || jlen(items(r)) != 0)
				miss(&m, "GET %s: HTTP %ld with %lld items, expected 200 with none", path,
				    r->status, total(r));
			it_free(r);
		}
		/* "_" too: no place name has one */
		snprintf(path, sizeof(path), "%s?search=_", l);
		if (strstr(l, "locations")) {
			r = call("GET", tok, NULL, "%s", path);
			if (r->status != 200 || total(r) != 0)
				miss(&m, "GET %s: HTTP %ld with %lld items, expected 200 with none", path,
				    r->status, total(r));
			it_free(r);
		} else
			expect_req(&m, tok, "GET", path, NULL, 200, NULL);
		/* at most 100 characters of UTF-8 */
		memset(q, 'q', 200);             /* not hex: the log scan looks for those */
		q[200] = '\0';
		snprintf(path, sizeof(path), "%s?search=%s", l, q);
		expect_req(&m, tok, "GET", path, NULL, 400, "search");
		q[101] = '\0';
		snprintf(path, sizeof(path), "%s?search=%s", l, q);
		expect_req(&m, tok, "GET", path, NULL, 400, "search");
		q[100] = '\0';
		snprintf(path, sizeof(path), "%s?search=%s", l, q);
		expect_req(&m, tok, "GET", path, NULL, 200, NULL);
		snprintf(path, sizeof(path), "%s?search=%%FF%%FEab", l);
		expect_req(&m, tok, "GET", path, NULL, 400, "search");

		/* pages */
		snprintf(path, sizeof(path), "%s?page=0", l);
		expect_req(&m, tok, "GET", path, NULL, 400, "page");
		snprintf(path, sizeof(path), "%s?page=abc", l);
		expect_req(&m, tok, "GET", path, NULL, 400, "page");
		snprintf(path, sizeof(path), "%s?page=-1", l);
		expect_req(&m, tok, "GET", path, NULL, 400, "page");
		snprintf(path, sizeof(path), "%s?page=99999999999999999999", l);
		expect_req(&m, tok, "GET", path, NULL, 400, "page");
		snprintf(path, sizeof(path), "%s?page_size=0", l);
		expect_req(&m, tok, "GET", path, NULL, 400, "page_size");
		snprintf(path, sizeof(path), "%s?page_size=1000", l);
		expect_page_size(&m, tok, path, 100);           /* clamped, not refused */
		snprintf(path, sizeof(path), "%s?page=1000000&page_size=100", l);
		expect_req(&m, tok, "GET", path, NULL, 200, NULL);
		snprintf(path, sizeof(path), "%s?limit=abc", l);
		expect_req(&m, tok, "GET", path, NULL, 400, "limit");
		snprintf(path, sizeof(path), "%s?limit=5&offset=-1", l);
		expect_req(&m, tok, "GET", path, NULL, 400, "offset");
		snprintf(path, sizeof(path), "%s?limit=5000&offset=0", l);
		expect_page_size(&m, tok, path, 100);

		/* ordering: only the fields the entity allows */
		snprintf(path, sizeof(path), "%s?ordering=password", l);
		expect_req(&m, tok, "GET", path, NULL, 400, "ordering");
		snprintf(path, sizeof(path), "%s?ordering=-", l);
		expect_req(&m, tok, "GET", path, NULL, 400, "ordering");
		snprintf(path, sizeof(path), "%s?ordering=id%%3B%%20DROP%%20TABLE%%20users", l);
		expect_req(&m, tok, "GET", path, NULL, 400, "ordering");
		snprintf(path, sizeof(path), "%s?ordering=-id,id", l);
		expect_req(&m, tok, "GET", path, NULL, 200, NULL);
	}
	/* the hidden column is no ordering either */
	expect_req(&m, tok, "GET", "/api/auth/users/?ordering=password_hash", NULL, 400, "ordering");
	NO_MISSES(m);
}
END_TEST

START_TEST(bad_filter_values_name_the_filter)
{
	char tok[TOK], path[512];
	static const char *const cases[][3] = {
		{ "/api/auth/users/", "user_type", "emperor" },
		{ "/api/auth/users/", "is_active", "maybe" },
		{ "/api/auth/users/", "is_staff", "2" },
		{ "/api/auth/users/", "district_id", "abc" },
		{ "/api/auth/users/", "thana_id", "1.5" },
		{ "/api/auth/users/", "parent_id", "1x" },
		{ "/api/auth/users/", "parent_id", "99999999999999999999" },
		{ "/api/auth/roles/", "role_level", "abc" },
		{ "/api/auth/roles/", "is_system", "yes" },
		{ "/api/auth/roles/", "can_assign_roles", "x" },
		{ "/api/auth/roles/", "is_active", "-1" },
		{ "/api/auth/user-roles/", "user_id", "abc" },
		{ "/api/auth/user-roles/", "role_id", "1%3B2" },
		{ "/api/auth/user-roles/", "is_active", "x" },
		{ "/api/auth/permissions/", "category_id", "abc" },
		{ "/api/auth/permissions/", "is_custom", "x" },
		{ "/api/auth/custom-permissions/", "category_id", "abc" },
		{ "/api/auth/api-clients/", "is_active", "x" },
		{ "/api/tenants/", "is_active", "x" },
		{ "/api/locations/districts/", "division_id", "abc" },
		{ "/api/locations/thanas/", "district_id", "abc" },
		{ "/api/locations/thanas/", "district", "abc" },
		{ "/api/locations/districts/1/thanas/", "district_id", "x" },
		{ "/api/audit/", "actor_id", "abc" },
	};
	struct misses m = { 0 };
	struct resp *r;

	bad_input_caller(tok);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(path, sizeof(path), "%s?%s=%s", cases[i][0], cases[i][1], cases[i][2]);
		expect_req(&m, tok, "GET", path, NULL, 400, cases[i][1]);
	}
	/* values of the right type that match nothing are just empty */
	r = call("GET", tok, NULL, "/api/auth/users/?user_type=field_staff&district_id=987654");
	if (r->status != 200 || total(r) != 0)
		miss(&m, "users?user_type=field_staff&district_id=987654: %ld %.200s", r->status, r->body);
	it_free(r);
	r = call("GET", tok, NULL, "/api/audit/?object_id=%%27%%20OR%%201%%3D1&ip=%%25");
	if (r->status != 200 || total(r) != 0)
		miss(&m, "audit?object_id=' OR 1=1&ip=%%: %ld %.200s", r->status, r->body);
	it_free(r);
	NO_MISSES(m);
}
END_TEST

START_TEST(bad_user_bodies_name_the_field)
{
	char tok[TOK], name[64], body[1024];
	/* each field of a user with a value of the wrong type or out of range */
	static const char *const cases[][2] = {
		{ "username", "5" }, { "login_id", "5" }, { "email", "5" }, { "first_name", "[]" },
		{ "last_name", "{}" }, { "phone", "true" }, { "user_type", "7" },
		{ "parent_id", "\"abc\"" }, { "employee_id", "1" }, { "designation", "[1]" },
		{ "department", "3" }, { "district_id", "\"x\"" }, { "thana_id", "[]" },
		{ "is_active", "\"maybe\"" }, { "is_staff", "5" }, { "is_email_verified", "\"x\"" },
		{ "is_phone_verified", "{}" }, { "language", "1" }, { "timezone", "false" },
		{ "tenant_id", "\"abc\"" }, { "password", "123456789" },
		{ "username", "null" }, { "is_active", "null" }, { "district_id", "-3" },
		{ "parent_id", "1.5" }, { "email", "\"a@b\"" }, { "user_type", "\"root\"" },
		{ "language", "\"much-too-long-a-language\"" },
	};
	struct misses m = { 0 };

	bad_input_caller(tok);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *f = cases[i][0];

		uniq(name, sizeof(name), "bb");
		if (!strcmp(f, "username"))
			snprintf(body, sizeof(body), "{\"username\":%s,\"password\":\"" PW "\"}", cases[i][1]);
		else if (!strcmp(f, "password"))
			snprintf(body, sizeof(body), "{\"username\":\"%s\",\"password\":%s}", name,
			    cases[i][1]);
		else
			snprintf(body, sizeof(body), "{\"username\":\"%s\",\"password\":\"" PW "\","
			    "\"%s\":%s}", name, f, cases[i][1]);
		expect_req(&m, tok, "POST", "/api/auth/users/", body, 400, f);
	}
	/* too long, more than one line */
	memset(name, 'x', 60);
	name[60] = '\0';
	snprintf(body, sizeof(body), "{\"username\":\"%s%s%s\",\"password\":\"" PW "\"}", name, name,
	    name);
	expect_req(&m, tok, "POST", "/api/auth/users/", body, 400, "username");
	expect_req(&m, tok, "POST", "/api/auth/users/",
	    "{\"username\":\"two\\nlines\",\"password\":\"" PW "\"}", 400, "username");
	/* one's profile */
	expect_req(&m, tok, "PATCH", "/api/auth/profile/", "{\"first_name\":5}", 400, "first_name");
	expect_req(&m, tok, "PATCH", "/api/auth/profile/", "{\"district_id\":987654}", 400,
	    "district_id");
	expect_req(&m, tok, "PATCH", "/api/auth/profile/", "{\"email\":\"admin@example.net\"}", 400,
	    "email");
	expect_req(&m, tok, "PATCH", "/api/auth/profile/", "{\"timezone\":[]}", 400, "timezone");
	/* an update: the same checks */
	expect_req(&m, tok, "PATCH", "/api/auth/users/1/", "{\"is_active\":\"x\"}", -1, NULL);
	{
		char other[64], path[64];
		long long id = mk_named(tok, "bb", "support_staff", other, sizeof(other));

		snprintf(path, sizeof(path), "/api/auth/users/%lld/", id);
		expect_req(&m, tok, "PATCH", path, "{\"is_active\":\"x\"}", 400, "is_active");
		expect_req(&m, tok, "PATCH", path, "{\"email\":\"nope\"}", 400, "email");
		expect_req(&m, tok, "PATCH", path, "{\"username\":\"admin\"}", 400, "username");
		expect_req(&m, tok, "PATCH", path, "{\"thana_id\":987654}", 400, "thana_id");
		snprintf(body, sizeof(body), "{\"parent_id\":%lld}", id);
		expect_req(&m, tok, "PATCH", path, body, 400, "parent_id");     /* under itself */
	}
	NO_MISSES(m);
}
END_TEST

START_TEST(bad_user_password_confirm_of_wrong_type)
{
	char tok[TOK], name[64], body[512];
	struct resp *r;

	bad_input_caller(tok);
	/* a confirmation that is not a string is no confirmation */
	snprintf(body, sizeof(body), "{\"username\":\"%s\",\"password\":\"" PW "\","
	    "\"password_confirm\":true}", uniq(name, sizeof(name), "pcw"));
	r = call("POST", tok, body, "/api/auth/users/");
	ck_assert_msg(r->status == 400 && names_field(r, "password_confirm"),
	    "POST /api/auth/users/ %s: HTTP %ld, expected 400 naming password_confirm: %.300s", body,
	    r->status, r->body);
	it_free(r);
}
END_TEST

START_TEST(bad_bodies_elsewhere_name_the_field)
{
	char tok[TOK], su[TOK], name[64], body[1024];
	long long uid, rid;
	static const char *const cases[][4] = {
		/* method, path, body, field (NULL: anything but a 500) */
		{ "POST", "/api/auth/roles/", "{\"name\":5}", "name" },
		{ "POST", "/api/auth/roles/", "{\"name\":\"r\",\"role_level\":\"x\"}", "role_level" },
		{ "POST", "/api/auth/roles/", "{\"name\":\"r\",\"role_level\":0}", "role_level" },
		{ "POST", "/api/auth/roles/", "{\"name\":\"r\",\"max_assignments\":0}", "max_assignments" },
		{ "POST", "/api/auth/roles/", "{\"name\":\"r\",\"is_active\":\"x\"}", "is_active" },
		{ "POST", "/api/auth/roles/", "{\"name\":\"r\",\"permission_ids\":\"x\"}", "permission_ids" },
		{ "POST", "/api/auth/roles/", "{\"name\":\"r\",\"permission_ids\":[0]}", "permission_ids" },
		{ "POST", "/api/auth/roles/", "{\"name\":\"r\",\"permission_ids\":[\"1\"]}",
		  "permission_ids" },
		{ "POST", "/api/auth/groups/", "{\"name\":[]}", "name" },
		{ "POST", "/api/auth/groups/", "{\"name\":\"g\",\"permission_ids\":[-1]}", "permission_ids" },
		{ "POST", "/api/auth/api-clients/", "{\"name\":1}", "name" },
		{ "POST", "/api/auth/api-clients/", "{\"name\":\"c\",\"scopes\":\"x\"}", "scopes" },
		{ "POST", "/api/auth/api-clients/", "{\"name\":\"c\",\"scopes\":[1]}", "scopes" },
		{ "POST", "/api/auth/api-clients/", "{\"name\":\"c\",\"scopes\":{\"a\":1}}", "scopes" },
		{ "POST", "/api/auth/api-clients/", "{\"id\":\"x\",\"name\":\"c\"}", "id" },
		{ "POST", "/api/auth/api-clients/find/", "{\"id\":\"x\",\"ids\":[{\"a\":1}]}", NULL },
		{ "DELETE", "/api/auth/api-clients/", "{\"ids\":\"x\"}", "ids" },
		{ "POST", "/api/auth/permission-categories/", "{\"name\":\"c\"}", "code" },
		{ "POST", "/api/auth/custom-permissions/", "{\"codename\":5,\"name\":\"p\"}", "codename" },
		{ "POST", "/api/auth/custom-permissions/", "{\"codename\":\"p\",\"name\":\"p\","
		  "\"category_id\":\"x\"}", "category_id" },
		{ "POST", "/api/auth/roles/bulk-assign/", "{\"user_ids\":\"x\",\"role_id\":1}", "user_ids" },
		{ "POST", "/api/auth/roles/bulk-assign/", "{\"user_ids\":[1],\"role_id\":\"x\"}", "role_id" },
		{ "POST", "/api/auth/roles/bulk-assign/", "{\"user_ids\":[\"x\",null],\"role_id\":1}", NULL },
		{ "POST", "/api/auth/roles/assign/", "{\"user_id\":\"x\",\"role_id\":1}", "user_id" },
		{ "POST", "/api/auth/roles/assign/", "{\"user_id\":1}", "role_id" },
		{ "POST", "/api/auth/roles/assign/", "{\"user_id\":1,\"role_id\":1,\"reason\":5}", NULL },
		{ "POST", "/api/auth/login/", "{\"username\":\"u\",\"password\":\"p\",\"remember_me\":\"yes\"}",
		  "remember_me" },
		{ "POST", "/api/auth/login/", "{\"login_id\":[],\"password\":\"p\"}", "login_id" },
		{ "POST", "/api/auth/refresh/", "{\"refresh_token\":5}", "refresh_token" },
		{ "POST", "/api/auth/refresh/", "{}", "refresh" },
		{ "POST", "/api/auth/verify/", "{\"token\":[]}", "token" },
		{ "POST", "/api/auth/logout/", "{\"logout_all_devices\":\"x\"}", "logout_all_devices" },
		{ "POST", "/api/auth/change-password/", "{\"new_password\":\"" PW2 "\"}", "old_password" },
		{ "POST", "/api/auth/change-password/", "{\"old_password\":\"x\",\"new_password\":5}",
		  "new_password" },
	};
	static const char *const tenants[][2] = {
		{ "{\"name\":5,\"code\":\"x1\"}", "name" },
		{ "{\"name\":\"n\"}", "code" },
		{ "{\"name\":\"n\",\"code\":\"x2\",\"default_reseller_share\":\"abc\"}",
		  "default_reseller_share" },
		{ "{\"name\":\"n\",\"code\":\"x3\",\"default_reseller_share\":\"100.001\"}",
		  "default_reseller_share" },
		{ "{\"name\":\"n\",\"code\":\"x4\",\"default_reseller_share\":\"-1\"}",
		  "default_reseller_share" },
		{ "{\"name\":\"n\",\"code\":\"x5\",\"default_reseller_share\":1000}",
		  "default_reseller_share" },
		{ "{\"name\":\"n\",\"code\":\"x6\",\"billing_settings\":\"str\"}", "billing_settings" },
		{ "{\"name\":\"n\",\"code\":\"x7\",\"revenue_sharing_enabled\":\"maybe\"}",
		  "revenue_sharing_enabled" },
		{ "{\"name\":\"n\",\"code\":\"x8\",\"max_users\":-1}", "max_users" },
		{ "{\"name\":\"n\",\"code\":\"x9\",\"contact_email\":\"x\"}", "contact_email" },
		{ "{\"name\":\"n\",\"code\":\"x10\",\"is_active\":[]}", "is_active" },
	};
	struct misses m = { 0 };

	admin_tok(su);
	bad_input_caller(tok);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		expect_req(&m, tok, cases[i][0], cases[i][1], cases[i][2], cases[i][3] ? 400 : -1,
		    cases[i][3]);
	for (size_t i = 0; i < sizeof(tenants) / sizeof(tenants[0]); i++)
		expect_req(&m, su, "POST", "/api/tenants/", tenants[i][0], 400, tenants[i][1]);
	/* an assignment's expiry and reason, with a user and a role that exist */
	uid = mk_named(su, "be", "support_staff", name, sizeof(name));
	rid = mk_role(su, uniq(name, sizeof(name), "be"), NULL);
	snprintf(body, sizeof(body), "{\"user_id\":%lld,\"role_id\":%lld,\"expires_at\":\"2024-13-45\"}",
	    uid, rid);
	expect_req(&m, tok, "POST", "/api/auth/roles/assign/", body, 400, "expires_at");
	snprintf(body, sizeof(body), "{\"user_id\":%lld,\"role_id\":%lld,\"reason\":\"%0600d\"}", uid,
	    rid, 0);
	expect_req(&m, tok, "POST", "/api/auth/roles/assign/", body, 400, "reason");
	/* bodies that are no objects, and none at all */
	expect_req(&m, tok, "POST", "/api/auth/users/", "[]", 400, NULL);
	expect_req(&m, tok, "PATCH", "/api/auth/profile/", "\"x\"", 400, NULL);
	expect_req(&m, tok, "POST", "/api/auth/users/", NULL, 400, "username");
	expect_req(&m, tok, "POST", "/api/auth/roles/", NULL, 400, "name");
	expect_req(&m, tok, "POST", "/api/auth/api-clients/", NULL, 400, "name");
	expect_req(&m, tok, "DELETE", "/api/auth/api-clients/", NULL, 400, "ids");
	expect_req(&m, tok, "POST", "/api/auth/roles/bulk-assign/", NULL, 400, "user_ids");
	expect_req(&m, tok, "POST", "/api/auth/change-password/", NULL, 400, "old_password");
	expect_req(&m, su, "POST", "/api/tenants/", NULL, 400, "name");
	expect_req(&m, NULL, "POST", "/api/auth/login/", NULL, 400, "username");
	expect_req(&m, NULL, "POST", "/api/auth/verify/", NULL, 400, "token");
	NO_MISSES(m);
}
END_TEST

/* last: nothing in this run was a 500 */
START_TEST(no_request_answered_500)
{
	char path[1024], line[4096], first[4096] = "";
	int requests = 0, bad = 0;
	FILE *fp;

	snprintf(path, sizeof(path), "%s/ispbill-fcgi.log", it_dir());
	fp = fopen(path, "r");
	ck_assert_ptr_nonnull(fp);
	while (fgets(line, sizeof(line), fp)) {
		if (strstr(line, "ms user=") == NULL)
			continue;
		requests++;
		if (strstr(line, " 500 ") && bad++ == 0)
			snprintf(first, sizeof(first), "%s", line);
	}
	fclose(fp);
	ck_assert_int_gt(requests, 500);
	ck_assert_msg(bad == 0, "%d request(s) answered 500; the first: %s", bad, first);
}
END_TEST

static TCase *
tc(Suite *s, const char *name)
{
	TCase *t = tcase_create(name);

	tcase_set_timeout(t, 120);
	tcase_add_unchecked_fixture(t, NULL, world_restore);
	suite_add_tcase(s, t);
	return t;
}

Suite *
suite_identity(void)
{
	Suite *s = suite_create("identity");
	TCase *t;

	t = tc(s, "auth");
	tcase_add_test(t, auth_login_by_username_email_login_id);
	tcase_add_test(t, auth_remember_me_keeps_the_refresh_longer);
	tcase_add_test(t, auth_refresh_rotates_and_reuse_ends_the_family);
	tcase_add_test(t, auth_logout_ends_that_session_only);
	tcase_add_test(t, auth_logout_all_devices);
	tcase_add_test(t, auth_verify);
	tcase_add_test(t, auth_wrong_password_is_401_without_tokens);
	tcase_add_test(t, throttle_five_failed_logins);
	tcase_add_test(t, throttle_three_password_changes_an_hour);
	tcase_add_test(t, throttle_rate_limit_headers);
	tcase_add_test(t, register_follows_allow_registration);

	t = tc(s, "users");
	tcase_add_test(t, users_create_validation);
	tcase_add_test(t, users_crud);
	tcase_add_test(t, users_list_search_filter_order_page);
	tcase_add_test(t, users_me_and_profile);
	tcase_add_test(t, users_change_password);

	t = tc(s, "rbac");
	tcase_add_test(t, rbac_support_staff_is_forbidden_users);
	tcase_add_test(t, rbac_user_type_ranks);
	tcase_add_test(t, rbac_assign_grants_revoke_and_expiry);
	tcase_add_test(t, rbac_bulk_assign);
	tcase_add_test(t, rbac_max_assignments);
	tcase_add_test(t, rbac_roles_crud);
	tcase_add_test(t, rbac_categories_and_custom_permissions);
	tcase_add_test(t, rbac_groups_crud);
	tcase_add_test(t, rbac_reseller_sees_and_manages_its_own_tree);

	t = tc(s, "clients");
	tcase_add_test(t, clients_key_shown_once_and_scoped);
	tcase_add_test(t, clients_delete_many);

	t = tc(s, "tenants");
	tcase_add_test(t, tenants_crud);
	tcase_add_test(t, tenants_deleted_or_inactive_tenant_shuts_out_its_users);
	tcase_add_test(t, isolation_tenant_admin_is_made_by_super_admin_only);
	tcase_add_test(t, isolation_other_tenants_objects_are_404);
	tcase_add_test(t, isolation_lists_searches_and_filters);
	tcase_add_test(t, isolation_no_references_across_tenants);
	tcase_add_test(t, isolation_tenant_a_admin_cannot_see_b);
	tcase_add_test(t, dashboard_stats_count_what_was_made);

	t = tc(s, "locations_audit");
	tcase_add_test(t, locations_summary_counts);
	tcase_add_test(t, locations_districts_and_thanas);
	tcase_add_test(t, audit_records_changes_and_logins);
	tcase_add_test(t, audit_records_failed_logins);
	tcase_add_test(t, audit_is_tenant_scoped);

	t = tc(s, "bad_input");
	tcase_add_test(t, bad_search_paging_ordering_on_every_list);
	tcase_add_test(t, bad_filter_values_name_the_filter);
	tcase_add_test(t, bad_user_bodies_name_the_field);
	tcase_add_test(t, bad_user_password_confirm_of_wrong_type);
	tcase_add_test(t, bad_bodies_elsewhere_name_the_field);
	tcase_add_test(t, no_request_answered_500);
	return s;
}
