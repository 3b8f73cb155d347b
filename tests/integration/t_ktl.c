/* t_ktl.c - the ktl dialect (003) through nginx on its own port: login by
 * login_id, refresh, verify, logout; users, roles, assignment, permissions,
 * groups, organizations, locations and the dashboard held against the
 * document's examples key by key (with their JSON types); DRF pages; 003's
 * errors; tenant isolation; a role given here holding in native; every
 * `METHOD /path` of the document routed; the login rate-limit headers. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "itest.h"

#define PW "Ktl-Passw0rd-1"
#define TOK 2048

static struct resp *
vk(const char *tok, const char *method, const char *body, const char *fmt, va_list ap)
{
	char path[2048], url[2100], auth[TOK + 32];
	const char *hdrs[2] = { auth, NULL };

	vsnprintf(path, sizeof(path), fmt, ap);
	snprintf(url, sizeof(url), "/api/v1%s", path);
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", tok ? tok : "");
	return it_http(it_port() + 3, method, url, NULL, body, body ? strlen(body) : 0,
	    tok ? hdrs : NULL);
}

/* a call to the ktl port: path below /api/v1 */
static struct resp *
k(const char *tok, const char *method, const char *body, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static struct resp *
k(const char *tok, const char *method, const char *body, const char *fmt, ...)
{
	struct resp *r;
	va_list ap;

	va_start(ap, fmt);
	r = vk(tok, method, body, fmt, ap);
	va_end(ap);
	return r;
}

/* Each "key:t" of spec present in o with type t: s string, S string or
 * null, b boolean, i integer, n number, o object, O object or null, a array. */
static void
shape(struct misses *m, const char *what, yajl_val o, const char *spec)
{
	char buf[2048], *save = NULL;

	if (o == NULL || !YAJL_IS_OBJECT(o)) {
		miss(m, "%s: not an object", what);
		return;
	}
	snprintf(buf, sizeof(buf), "%s", spec);
	for (char *t = strtok_r(buf, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
		char *c = strchr(t, ':');
		yajl_val v;
		int ok;

		*c = '\0';
		v = jget(o, t);
		if (v == NULL && !YAJL_IS_OBJECT(o)) {
			miss(m, "%s: no %s", what, t);
			continue;
		}
		{
			int present = 0;

			for (size_t i = 0; i < o->u.object.len; i++)
				present |= strcmp(o->u.object.keys[i], t) == 0;
			if (!present) {
				miss(m, "%s: no key %s", what, t);
				continue;
			}
		}
		switch (c[1]) {
		case 's': ok = YAJL_IS_STRING(v); break;
		case 'S': ok = YAJL_IS_STRING(v) || YAJL_IS_NULL(v); break;
		case 'b': ok = YAJL_IS_TRUE(v) || YAJL_IS_FALSE(v); break;
		case 'i': ok = YAJL_IS_INTEGER(v); break;
		case 'n': ok = YAJL_IS_NUMBER(v); break;
		case 'o': ok = YAJL_IS_OBJECT(v); break;
		case 'O': ok = YAJL_IS_OBJECT(v) || YAJL_IS_NULL(v); break;
		case 'a': ok = YAJL_IS_ARRAY(v); break;
		case '*': ok = 1; break;
		default: ok = 0;
		}
		if (!ok)
			miss(m, "%s: %s is not of type %c", what, t, c[1]);
	}
}

/* the first row of a DRF page */
static yajl_val
row0(const struct resp *r)
{
	return jat(it_json(r, "results"), 0);
}

static int
jbool(yajl_val o, const char *key)
{
	yajl_val v = jget(o, key);

	return v == NULL ? -1 : YAJL_IS_TRUE(v) ? 1 : YAJL_IS_FALSE(v) ? 0 : -1;
}

/* 36 characters, dashes at 8, 13, 18, 23 */
static int
is_uuid(const char *s)
{
	if (s == NULL || strlen(s) != 36)
		return 0;
	for (int i = 0; i < 36; i++)
		if ((i == 8 || i == 13 || i == 18 || i == 23) ? s[i] != '-' :
		    strchr("0123456789abcdef", s[i]) == NULL)
			return 0;
	return 1;
}

#define USER_SHAPE "id:s login_id:s email:S name:s mobile:S user_type:s employee_id:S " \
	"designation:S department:S district_info:O thana_info:O is_active:b is_staff:b " \
	"is_superuser:b is_email_verified:b is_phone_verified:b is_first_login:b " \
	"profile_photo:S language_preference:s timezone:s roles:a last_login:S date_joined:s"
#define PAGE_SHAPE "count:i next:S previous:S results:a"

/* 003's envelope: success, status (= HTTP), message; data or error */
static void
envelope(struct misses *m, const char *what, struct resp *r, long st)
{
	if (r->status != st)
		miss(m, "%s: HTTP %ld, expected %ld: %.300s", what, r->status, st, r->body);
	shape(m, what, r->json, st < 400 ? "success:b status:i message:s data:*" :
	    "success:b status:i message:s");
	if (r->json && it_bool(r, "success") != (st < 400))
		miss(m, "%s: success is not %d", what, st < 400);
	if (r->json && it_int(r, "status") != st)
		miss(m, "%s: status %lld", what, it_int(r, "status"));
	if (st >= 400 && !it_json(r, "error"))
		miss(m, "%s: no error member", what);
}

/* the super admin's token, read once per process */
static const char *
su(void)
{
	static char t[TOK];

	if (t[0] == '\0') {
		char *s = it_login_admin();

		ck_assert_ptr_nonnull(s);
		snprintf(t, sizeof(t), "%s", s);
		free(s);
	}
	return t;
}

/* POST /users/ as tok: a new user of type, its login id in login and uuid in id */
static void
mk_user(const char *tok, const char *type, char login[64], char id[40], const char *extra)
{
	char body[1024];
	struct resp *r;

	uniq(login, 64, "k");
	snprintf(body, sizeof(body), "{\"login_id\":\"%s\",\"email\":\"%s@example.org\","
	    "\"password\":\"" PW "\",\"password_confirm\":\"" PW "\",\"name\":\"Kay %s\","
	    "\"mobile\":\"+8801712345678\",\"user_type\":\"%s\"%s}", login, login, login, type,
	    extra ? extra : "");
	r = k(tok, "POST", body, "/users/");
	ck_assert_msg(r->status == 201, "create user: %ld %s", r->status, r->body);
	ck_assert_msg(is_uuid(it_str(r, "id")), "user id not a uuid: %s", r->body);
	snprintf(id, 40, "%s", it_str(r, "id"));
	it_free(r);
}

/* login through ktl: the access token, and the refresh in refresh if asked */
static void
k_login(const char *login, char tok[TOK], char *refresh)
{
	char body[512];
	struct resp *r;

	snprintf(body, sizeof(body), "{\"login_id\":\"%s\",\"password\":\"" PW "\"}", login);
	r = k(NULL, "POST", body, "/auth/login/");
	ck_assert_msg(r->status == 200, "login %s: %ld %s", login, r->status, r->body);
	snprintf(tok, TOK, "%s", it_str(r, "data/tokens/access"));
	if (refresh)
		snprintf(refresh, TOK, "%s", it_str(r, "data/tokens/refresh"));
	it_free(r);
}

/* a fresh admin of tenant 1, logged in through ktl */
static void
admin(char tok[TOK], char login[64], char id[40])
{
	mk_user(su(), "admin", login, id, NULL);
	k_login(login, tok, NULL);
}

START_TEST(test_auth)
{
	char tok[TOK], refresh[TOK], login[64], id[40], body[TOK + 128];
	struct misses m = { 0 };
	struct resp *r;

	admin(tok, login, id);

	/* login: 003's example, key by key */
	snprintf(body, sizeof(body), "{\"login_id\":\"%s\",\"password\":\"" PW "\","
	    "\"remember_me\":false}", login);
	r = k(NULL, "POST", body, "/auth/login/");
	envelope(&m, "login", r, 200);
	if (it_str(r, "message") && strcmp(it_str(r, "message"), "Login successful"))
		miss(&m, "login message %s", it_str(r, "message"));
	shape(&m, "login data", it_json(r, "data"), "user:o tokens:o remember_me:b expires_at:s");
	shape(&m, "login user", it_json(r, "data/user"), USER_SHAPE " permissions:a");
	shape(&m, "login tokens", it_json(r, "data/tokens"), "access:s refresh:s token_type:s");
	shape(&m, "login role", jat(it_json(r, "data/user/roles"), 0),
	    "id:s role_name:s is_active:b assigned_by_name:s assigned_at:s");
	if (!it_str(r, "data/user/id") || strcmp(it_str(r, "data/user/id"), id))
		miss(&m, "login user id %s, created %s", it_str(r, "data/user/id"), id);
	if (strcmp(it_str(r, "data/user/login_id") ? it_str(r, "data/user/login_id") : "", login))
		miss(&m, "login_id %s", it_str(r, "data/user/login_id"));
	if (strcmp(it_str(r, "data/user/name") ? it_str(r, "data/user/name") : "", "Kay") &&
	    strncmp(it_str(r, "data/user/name") ? it_str(r, "data/user/name") : "", "Kay ", 4))
		miss(&m, "name %s", it_str(r, "data/user/name"));
	if (strcmp(it_str(r, "data/tokens/token_type") ? it_str(r, "data/tokens/token_type") : "",
	    "Bearer"))
		miss(&m, "token_type");
	if (iso_time(it_str(r, "data/expires_at")) == 0)
		miss(&m, "expires_at %s", it_str(r, "data/expires_at"));
	snprintf(refresh, TOK, "%s", it_str(r, "data/tokens/refresh") ?
	    it_str(r, "data/tokens/refresh") : "");
	it_free(r);

	/* wrong password: 400 Login failed, non_field_errors (failed logins are
	 * counted per address: cleared after, so that other logins go on) */
	snprintf(body, sizeof(body), "{\"login_id\":\"%s\",\"password\":\"nope-nope-1\"}", login);
	r = k(NULL, "POST", body, "/auth/login/");
	envelope(&m, "bad login", r, 400);
	if (!it_str(r, "message") || strcmp(it_str(r, "message"), "Login failed"))
		miss(&m, "bad login message %s", r->body);
	if (!jat(it_json(r, "error/non_field_errors"), 0) ||
	    !YAJL_IS_STRING(jat(it_json(r, "error/non_field_errors"), 0)) ||
	    strcmp(jat(it_json(r, "error/non_field_errors"), 0)->u.string,
	    "Invalid login credentials."))
		miss(&m, "bad login error %s", r->body);
	it_free(r);
	sql("DELETE FROM login_attempts");
	/* no login_id: the field named */
	r = k(NULL, "POST", "{\"password\":\"x\"}", "/auth/login/");
	envelope(&m, "no login_id", r, 400);
	if (!it_json(r, "error/login_id"))
		miss(&m, "no login_id: %s", r->body);
	it_free(r);
	r = k(NULL, "POST", "{\"login_id\":5,\"password\":\"x\"}", "/auth/login/");
	envelope(&m, "login_id a number", r, 400);
	it_free(r);
	r = k(NULL, "POST", "[1,2", "/auth/login/");
	envelope(&m, "bad json", r, 400);
	it_free(r);

	/* verify: the token in the body, then in the header */
	snprintf(body, sizeof(body), "{\"token\":\"%s\"}", tok);
	r = k(NULL, "POST", body, "/auth/verify/");
	envelope(&m, "verify", r, 200);
	shape(&m, "verify data", it_json(r, "data"), "user:o expires_at:s");
	shape(&m, "verify user", it_json(r, "data/user"), "id:s login_id:s email:S name:s user_type:s");
	if (!it_str(r, "data/user/id") || strcmp(it_str(r, "data/user/id"), id))
		miss(&m, "verify id: %s", r->body);
	it_free(r);
	r = k(tok, "POST", NULL, "/auth/verify/");
	envelope(&m, "verify by header", r, 200);
	it_free(r);
	r = k(NULL, "POST", "{\"token\":\"not.a.token\"}", "/auth/verify/");
	envelope(&m, "verify bad", r, 401);
	it_free(r);

	/* refresh: new pair; the old refresh is spent */
	snprintf(body, sizeof(body), "{\"refresh_token\":\"%s\"}", refresh);
	r = k(NULL, "POST", body, "/auth/refresh/");
	envelope(&m, "refresh", r, 200);
	if (it_str(r, "message") && strcmp(it_str(r, "message"), "Token refreshed successfully"))
		miss(&m, "refresh message %s", it_str(r, "message"));
	shape(&m, "refresh data", it_json(r, "data"), "tokens:o expires_at:s");
	shape(&m, "refresh tokens", it_json(r, "data/tokens"), "access:s refresh:s token_type:s");
	if (it_str(r, "data/tokens/refresh"))
		snprintf(refresh, TOK, "%s", it_str(r, "data/tokens/refresh"));
	it_free(r);
	r = k(NULL, "POST", "{\"refresh_token\":\"garbage\"}", "/auth/refresh/");
	envelope(&m, "refresh garbage", r, 401);
	it_free(r);

	/* logout: data [], and the access token is dead after it */
	r = k(NULL, "POST", "{}", "/auth/logout/");
	envelope(&m, "logout without token", r, 401);
	if (!it_str(r, "message") ||
	    strcmp(it_str(r, "message"), "Authentication credentials were not provided."))
		miss(&m, "401 message %s", r->body);
	it_free(r);
	snprintf(body, sizeof(body), "{\"refresh_token\":\"%s\",\"logout_all_devices\":false}",
	    refresh);
	r = k(tok, "POST", body, "/auth/logout/");
	envelope(&m, "logout", r, 200);
	if (it_str(r, "message") && strcmp(it_str(r, "message"), "Logout successful"))
		miss(&m, "logout message");
	if (!it_json(r, "data") || !YAJL_IS_ARRAY(it_json(r, "data")) ||
	    jlen(it_json(r, "data")) != 0)
		miss(&m, "logout data: %s", r->body);
	it_free(r);
	r = k(tok, "GET", NULL, "/users/profile/");
	envelope(&m, "after logout", r, 401);
	it_free(r);
	NO_MISSES(m);
}
END_TEST

START_TEST(test_users)
{
	char tok[TOK], login[64], id[40], ulogin[64], uid[40], body[1024], utok[TOK];
	struct misses m = { 0 };
	struct resp *r;
	yajl_val o;

	admin(tok, login, id);

	/* create: the document's body; the answer bare, DRF-style */
	uniq(ulogin, sizeof(ulogin), "jd");
	snprintf(body, sizeof(body), "{\"login_id\":\"%s\",\"email\":\"%s@example.com\","
	    "\"password\":\"SecurePass123!\",\"password_confirm\":\"SecurePass123!\","
	    "\"name\":\"John Doe\",\"mobile\":\"+8801712345678\",\"user_type\":\"billing_manager\","
	    "\"employee_id\":\"EMP001\",\"designation\":\"System Administrator\","
	    "\"department\":\"IT\",\"language_preference\":\"bn\",\"district\":1}", ulogin, ulogin);
	r = k(tok, "POST", body, "/users/");
	if (r->status != 201)
		miss(&m, "create: %ld %s", r->status, r->body);
	shape(&m, "created user", r->json, USER_SHAPE " permissions:a");
	if (it_json(r, "success"))
		miss(&m, "created user is enveloped");
	if (!is_uuid(it_str(r, "id")))
		miss(&m, "id %s", it_str(r, "id"));
	snprintf(uid, sizeof(uid), "%s", it_str(r, "id") ? it_str(r, "id") : "");
	if (!it_str(r, "name") || strcmp(it_str(r, "name"), "John Doe"))
		miss(&m, "name %s", it_str(r, "name"));
	if (!it_str(r, "mobile") || strcmp(it_str(r, "mobile"), "+8801712345678"))
		miss(&m, "mobile %s", it_str(r, "mobile"));
	if (!it_str(r, "language_preference") || strcmp(it_str(r, "language_preference"), "bn"))
		miss(&m, "language_preference");
	if (!it_str(r, "designation") || strcmp(it_str(r, "designation"), "System Administrator"))
		miss(&m, "designation");
	if (it_int(r, "district_info/id") != 1 || !it_str(r, "district_info/name"))
		miss(&m, "district_info: %s", r->body);
	it_free(r);

	/* bad input: 400 "Bad Request", every field named in 003's words */
	r = k(tok, "POST", "{\"login_id\":\"\",\"email\":\"bad\",\"password\":\"SecurePass123!\","
	    "\"password_confirm\":\"Other-Pass123!\",\"name\":\"X\",\"user_type\":\"boss\","
	    "\"roles\":[999999]}", "/users/");
	envelope(&m, "bad user", r, 400);
	if (!it_str(r, "message") || strcmp(it_str(r, "message"), "Bad Request"))
		miss(&m, "bad user message");
	if (!it_json(r, "error/login_id") || !it_json(r, "error/email") ||
	    !it_json(r, "error/user_type") || !it_json(r, "error/roles"))
		miss(&m, "bad user fields: %s", r->body);
	it_free(r);
	r = k(tok, "POST", "{\"login_id\":\"zz1\",\"password\":\"SecurePass123!\","
	    "\"password_confirm\":\"Other-Pass123!\"}", "/users/");
	envelope(&m, "password mismatch", r, 400);
	if (!it_json(r, "error/password_confirm"))
		miss(&m, "password_confirm not named: %s", r->body);
	it_free(r);
	snprintf(body, sizeof(body), "{\"login_id\":\"%s\",\"password\":\"SecurePass123!\","
	    "\"password_confirm\":\"SecurePass123!\"}", ulogin);
	r = k(tok, "POST", body, "/users/");
	if (r->status != 400 && r->status != 409)
		miss(&m, "duplicate login_id: %ld %s", r->status, r->body);
	it_free(r);

	/* list: a DRF page, filters and search */
	r = k(tok, "GET", NULL, "/users/?user_type=billing_manager&search=%s", ulogin);
	if (r->status != 200)
		miss(&m, "list: %ld %s", r->status, r->body);
	shape(&m, "users page", r->json, PAGE_SHAPE);
	if (it_int(r, "count") != 1 || !jstr(row0(r), "id") ||
	    strcmp(jstr(row0(r), "id"), uid))
		miss(&m, "filtered list: %s", r->body);
	shape(&m, "listed user", row0(r), USER_SHAPE);
	it_free(r);

	/* ordering in 003's words; a field it cannot sort by is ignored, as DRF does */
	r = k(tok, "GET", NULL, "/users/?ordering=-date_joined,bogus&page_size=2");
	if (r->status != 200 || jlen(it_json(r, "results")) != 2 ||
	    strcmp(jstr(row0(r), "id") ? jstr(row0(r), "id") : "", uid))
		miss(&m, "ordering -date_joined: %ld %.300s", r->status, r->body);
	it_free(r);

	/* get, PATCH and PUT (partial alike), one's profile */
	r = k(tok, "GET", NULL, "/users/%s/", uid);
	if (r->status != 200 || !it_str(r, "id") || strcmp(it_str(r, "id"), uid))
		miss(&m, "get: %ld %s", r->status, r->body);
	shape(&m, "user detail", r->json, USER_SHAPE " permissions:a");
	it_free(r);
	r = k(tok, "PATCH", "{\"name\":\"Johnny Doe\",\"department\":\"Billing\"}", "/users/%s/", uid);
	if (r->status != 200 || !it_str(r, "name") || strcmp(it_str(r, "name"), "Johnny Doe") ||
	    !it_str(r, "department") || strcmp(it_str(r, "department"), "Billing"))
		miss(&m, "patch: %ld %s", r->status, r->body);
	it_free(r);
	r = k(tok, "PUT", "{\"mobile\":\"+8801811111111\"}", "/users/%s/", uid);
	if (r->status != 200 || !it_str(r, "mobile") ||
	    strcmp(it_str(r, "mobile"), "+8801811111111") || strcmp(it_str(r, "name"), "Johnny Doe"))
		miss(&m, "put: %ld %s", r->status, r->body);
	it_free(r);
	r = k(tok, "PATCH", "{\"email\":\"not-an-email\"}", "/users/%s/", uid);
	envelope(&m, "bad patch", r, 400);
	it_free(r);
	r = k(tok, "GET", NULL, "/users/00000000-0000-4000-8000-000000000000/");
	envelope(&m, "unknown user", r, 404);
	it_free(r);

	/* the new user: profile, change-password, own permissions; 403 on users */
	snprintf(utok, sizeof(utok), "%s", "");
	{
		char b2[512];

		snprintf(b2, sizeof(b2), "{\"login_id\":\"%s\",\"password\":\"SecurePass123!\"}",
		    ulogin);
		r = k(NULL, "POST", b2, "/auth/login/");
		if (r->status != 200)
			miss(&m, "new user login: %ld %s", r->status, r->body);
		else
			snprintf(utok, sizeof(utok), "%s", it_str(r, "data/tokens/access"));
		it_free(r);
	}
	r = k(utok, "GET", NULL, "/users/profile/");
	if (r->status != 200 || !it_str(r, "id") || strcmp(it_str(r, "id"), uid))
		miss(&m, "profile: %ld %s", r->status, r->body);
	it_free(r);
	r = k(utok, "GET", NULL, "/users/permissions/");
	envelope(&m, "my permissions", r, 200);
	if (!it_json(r, "data/permissions") || !YAJL_IS_ARRAY(it_json(r, "data/permissions")))
		miss(&m, "my permissions: %s", r->body);
	it_free(r);
	r = k(utok, "DELETE", NULL, "/users/%s/", id);
	envelope(&m, "billing manager deletes admin", r, 403);
	if (!it_str(r, "message") ||
	    strcmp(it_str(r, "message"), "You do not have permission to perform this action."))
		miss(&m, "403 message: %s", r->body);
	it_free(r);
	r = k(utok, "POST", "{\"old_password\":\"wrong-one-1\",\"new_password\":\"NewPass-456!\","
	    "\"new_password_confirm\":\"NewPass-456!\"}", "/users/change-password/");
	envelope(&m, "change password, wrong old", r, 400);
	if (!it_json(r, "error/old_password") || !it_str(r, "message") ||
	    strcmp(it_str(r, "message"), "Bad Request"))
		miss(&m, "old_password not named: %s", r->body);
	it_free(r);
	r = k(utok, "POST", "{\"old_password\":\"SecurePass123!\",\"new_password\":\"NewPass-456!\","
	    "\"new_password_confirm\":\"NewPass-456!\"}", "/users/change-password/");
	envelope(&m, "change password", r, 200);
	it_free(r);
	/* delete: 204, then gone */
	r = k(tok, "DELETE", NULL, "/users/%s/", uid);
	if (r->status != 204 || r->body[0])
		miss(&m, "delete: %ld %s", r->status, r->body);
	it_free(r);
	r = k(tok, "GET", NULL, "/users/%s/", uid);
	envelope(&m, "deleted user", r, 404);
	it_free(r);

	/* a user made through native is in ktl's list, with its uuid */
	snprintf(body, sizeof(body), "{\"username\":\"%s\",\"password\":\"" PW "\","
	    "\"password_confirm\":\"" PW "\",\"user_type\":\"support_staff\"}",
	    uniq(ulogin, sizeof(ulogin), "nat"));
	{
		char auth[TOK + 32];
		const char *h[2] = { auth, NULL };

		snprintf(auth, sizeof(auth), "Authorization: Bearer %s", tok);
		r = it_http(0, "POST", "/api/auth/users/", NULL, body, strlen(body), h);
	}
	if (r->status != 201)
		miss(&m, "native create: %ld %s", r->status, r->body);
	it_free(r);
	r = k(tok, "GET", NULL, "/users/?search=%s", ulogin);
	o = row0(r);
	if (it_int(r, "count") != 1 || !is_uuid(jstr(o, "id")) || !jstr(o, "login_id") ||
	    strcmp(jstr(o, "login_id"), ulogin))
		miss(&m, "native user in ktl: %s", r->body);
	it_free(r);
	NO_MISSES(m);
}
END_TEST

START_TEST(test_roles_permissions_groups)
{
	char tok[TOK], login[64], id[40], ulogin[64], uid[40], body[2048], role[40], group[40];
	char cat[40], perm[3][40], name[64], auth[TOK + 32];
	const char *h[2] = { auth, NULL };
	struct misses m = { 0 };
	struct resp *r;

	admin(tok, login, id);
	mk_user(tok, "support_staff", ulogin, uid, NULL);
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", tok);

	/* permissions: a DRF page of uuids; three of them for the role */
	r = k(tok, "GET", NULL, "/permissions/?search=users.");
	if (r->status != 200)
		miss(&m, "permissions: %ld %s", r->status, r->body);
	shape(&m, "permissions page", r->json, PAGE_SHAPE);
	shape(&m, "permission", row0(r),
	    "id:s name:s codename:s description:S category:S is_custom:b");
	ck_assert_int_ge(jlen(it_json(r, "results")), 3);
	for (int i = 0; i < 3; i++)
		snprintf(perm[i], sizeof(perm[i]), "%s", jstr(jat(it_json(r, "results"), i), "id"));
	it_free(r);
	r = k(tok, "GET", NULL, "/permissions/?page=2&page_size=5");
	if (r->status != 200 || !it_str(r, "previous") || jlen(it_json(r, "results")) != 5)
		miss(&m, "permissions page 2: %s", r->body);
	if (it_str(r, "previous") && strstr(it_str(r, "previous"), "page=2"))
		miss(&m, "previous link %s", it_str(r, "previous"));
	if (it_str(r, "next") && !strstr(it_str(r, "next"), "page=3"))
		miss(&m, "next link %s", it_str(r, "next"));
	it_free(r);
	r = k(tok, "GET", NULL, "/permissions/?page=9999");
	envelope(&m, "page past the end", r, 404);
	it_free(r);

	/* a role: the document's body, permissions by uuid and by number */
	snprintf(body, sizeof(body), "{\"name\":\"%s\",\"display_name\":\"Billing Manager\","
	    "\"description\":\"Manages billing operations\",\"role_level\":3,"
	    "\"can_assign_roles\":false,\"max_assignments\":10,"
	    "\"permission_ids\":[\"%s\",\"%s\",\"%s\"]}", uniq(name, sizeof(name), "bm"),
	    perm[0], perm[1], perm[2]);
	r = k(tok, "POST", body, "/roles/");
	if (r->status != 201)
		miss(&m, "role: %ld %s", r->status, r->body);
	shape(&m, "role", r->json, "id:s name:s display_name:s description:S role_level:i "
	    "can_assign_roles:b max_assignments:i is_active:b permission_ids:a permissions:a");
	if (jlen(it_json(r, "permission_ids")) != 3)
		miss(&m, "role permission_ids: %s", r->body);
	snprintf(role, sizeof(role), "%s", it_str(r, "id") ? it_str(r, "id") : "");
	it_free(r);
	r = k(tok, "POST", "{\"name\":\"x1\",\"permission_ids\":[1,\"nope\"]}", "/roles/");
	envelope(&m, "role bad permission", r, 400);
	if (!it_json(r, "error/permission_ids"))
		miss(&m, "permission_ids not named: %s", r->body);
	it_free(r);
	r = k(tok, "PUT", "{\"description\":\"Billing, all of it\",\"permission_ids\":[1]}",
	    "/roles/%s/", role);
	if (r->status != 200 || jlen(it_json(r, "permission_ids")) != 1 ||
	    strcmp(it_str(r, "description") ? it_str(r, "description") : "", "Billing, all of it"))
		miss(&m, "role put: %ld %s", r->status, r->body);
	it_free(r);
	r = k(tok, "GET", NULL, "/roles/");
	shape(&m, "roles page", r->json, PAGE_SHAPE);
	if (it_int(r, "count") < 11)
		miss(&m, "roles count %lld", it_int(r, "count"));
	it_free(r);

	/* assign: by uuids; it holds in native and in /user-roles/ */
	snprintf(body, sizeof(body), "{\"user_id\":\"%s\",\"role_id\":\"%s\",\"action\":\"assign\","
	    "\"reason\":\"Promotion\",\"expires_at\":\"2099-12-31T23:59:59Z\"}", uid, role);
	r = k(tok, "POST", body, "/roles/assign/");
	envelope(&m, "assign", r, 200);
	it_free(r);
	r = k(tok, "GET", NULL, "/users/%s/", uid);
	{
		yajl_val roles = it_json(r, "roles");
		int found = 0;

		for (size_t i = 0; i < jlen(roles); i++)
			found |= jstr(jat(roles, i), "id") && !strcmp(jstr(jat(roles, i), "id"), role);
		if (!found)
			miss(&m, "assigned role not on the user: %s", r->body);
	}
	it_free(r);
	{
		struct resp *n;
		char path[256];

		snprintf(path, sizeof(path), "/api/auth/users/%s/", uid);
		n = it_http(0, "GET", path, NULL, NULL, 0, h);
		if (n->status != 200 || !strstr(n->body, role))
			miss(&m, "role given through ktl not in native: %ld %.300s", n->status, n->body);
		it_free(n);
	}
	r = k(tok, "GET", NULL, "/user-roles/?user=%s", uid);
	shape(&m, "user-roles page", r->json, PAGE_SHAPE);
	shape(&m, "assignment", row0(r),
	    "id:s user:s role:s role_name:s assigned_by_name:S reason:S is_active:b assigned_at:s "
	    "expires_at:S");
	if (it_int(r, "count") != 1 || strcmp(jstr(row0(r), "reason") ?
	    jstr(row0(r), "reason") : "", "Promotion"))
		miss(&m, "user-roles: %s", r->body);
	it_free(r);
	snprintf(body, sizeof(body), "{\"user_id\":\"%s\",\"role_id\":\"nope\"}", uid);
	r = k(tok, "POST", body, "/roles/assign/");
	envelope(&m, "assign unknown role", r, 400);
	if (!it_json(r, "error/role_id"))
		miss(&m, "role_id not named: %s", r->body);
	it_free(r);
	snprintf(body, sizeof(body), "{\"user_ids\":[\"%s\",\"%s\",\"bogus\"],\"role_id\":\"%s\"}",
	    uid, id, role);
	r = k(tok, "POST", body, "/roles/bulk-assign/");
	envelope(&m, "bulk", r, 200);
	if (it_int(r, "data/succeeded") != 2 || it_int(r, "data/failed") != 1)
		miss(&m, "bulk counts: %s", r->body);
	it_free(r);
	r = k(tok, "POST", "{\"role_id\":1}", "/roles/bulk-assign/");
	envelope(&m, "bulk without users", r, 400);
	it_free(r);
	r = k(tok, "GET", NULL, "/users/?role=%s", role);
	if (it_int(r, "count") != 2)
		miss(&m, "users by role: %s", r->body);
	/* a page's roles (read for the whole page at once) are each user's own */
	for (size_t i = 0; i < jlen(it_json(r, "results")); i++) {
		yajl_val o = jat(it_json(r, "results"), i), mine, theirs;
		struct resp *d = k(tok, "GET", NULL, "/users/%s/", jstr(o, "id"));

		mine = jget(o, "roles");
		theirs = jget(d->json, "roles");
		if (jlen(mine) < 2 || jlen(mine) != jlen(theirs))
			miss(&m, "roles of %s in the list %s, alone %s", jstr(o, "id"), r->body, d->body);
		for (size_t j = 0; j < jlen(mine) && j < jlen(theirs); j++)
			if (strcmp(jstr(jat(mine, j), "id"), jstr(jat(theirs, j), "id")) ||
			    strcmp(jstr(jat(mine, j), "assigned_by_name"),
			    jstr(jat(theirs, j), "assigned_by_name")))
				miss(&m, "role %zu of %s: list %s, alone %s", j, jstr(o, "id"),
				    r->body, d->body);
		it_free(d);
	}
	it_free(r);
	snprintf(body, sizeof(body), "{\"user_id\":\"%s\",\"role_id\":\"%s\",\"action\":\"revoke\"}",
	    uid, role);
	r = k(tok, "POST", body, "/roles/assign/");
	envelope(&m, "revoke", r, 200);
	it_free(r);

	/* categories and custom permissions */
	snprintf(body, sizeof(body), "{\"name\":\"Reports\",\"code\":\"%s\",\"description\":\"r\"}",
	    uniq(name, sizeof(name), "rep"));
	r = k(tok, "POST", body, "/permission-categories/");
	if (r->status != 201 || !is_uuid(it_str(r, "id")))
		miss(&m, "category: %ld %s", r->status, r->body);
	snprintf(cat, sizeof(cat), "%s", it_str(r, "id") ? it_str(r, "id") : "");
	it_free(r);
	r = k(tok, "GET", NULL, "/permission-categories/");
	shape(&m, "categories", r->json, PAGE_SHAPE);
	it_free(r);
	snprintf(body, sizeof(body), "{\"name\":\"Can export\",\"codename\":\"%s.export\","
	    "\"category\":\"%s\"}", name, cat);
	r = k(tok, "POST", body, "/custom-permissions/");
	if (r->status != 201 || it_bool(r, "is_custom") != 1 || !it_str(r, "category") ||
	    strcmp(it_str(r, "category"), name))
		miss(&m, "custom permission: %ld %s", r->status, r->body);
	it_free(r);
	r = k(tok, "POST", "{\"name\":\"x\",\"codename\":\"y.z\",\"category\":\"nope\"}",
	    "/custom-permissions/");
	envelope(&m, "custom permission bad category", r, 400);
	if (!it_json(r, "error/category"))
		miss(&m, "category not named: %s", r->body);
	it_free(r);
	r = k(tok, "GET", NULL, "/custom-permissions/");
	if (it_int(r, "count") < 1 || jbool(row0(r), "is_custom") != 1)
		miss(&m, "custom list: %s", r->body);
	it_free(r);

	/* groups: full CRUD */
	snprintf(body, sizeof(body), "{\"name\":\"%s\",\"permission_ids\":[\"%s\",\"%s\"]}",
	    uniq(name, sizeof(name), "Billing Team "), perm[0], perm[1]);
	r = k(tok, "POST", body, "/groups/");
	if (r->status != 201 || !is_uuid(it_str(r, "id")) || jlen(it_json(r, "permission_ids")) != 2)
		miss(&m, "group: %ld %s", r->status, r->body);
	shape(&m, "group", r->json, "id:s name:s permission_ids:a");
	snprintf(group, sizeof(group), "%s", it_str(r, "id") ? it_str(r, "id") : "");
	it_free(r);
	r = k(tok, "GET", NULL, "/groups/%s/", group);
	if (r->status != 200)
		miss(&m, "group get: %ld", r->status);
	it_free(r);
	r = k(tok, "PATCH", "{\"permission_ids\":[]}", "/groups/%s/", group);
	if (r->status != 200 || jlen(it_json(r, "permission_ids")) != 0)
		miss(&m, "group patch: %s", r->body);
	it_free(r);
	r = k(tok, "GET", NULL, "/groups/");
	shape(&m, "groups page", r->json, PAGE_SHAPE);
	it_free(r);
	r = k(tok, "DELETE", NULL, "/groups/%s/", group);
	if (r->status != 204)
		miss(&m, "group delete: %ld", r->status);
	it_free(r);
	r = k(tok, "GET", NULL, "/groups/%s/", group);
	envelope(&m, "deleted group", r, 404);
	it_free(r);
	r = k(tok, "DELETE", NULL, "/roles/%s/", role);
	if (r->status != 204)
		miss(&m, "role delete: %ld %s", r->status, r->body);
	it_free(r);
	NO_MISSES(m);
}
END_TEST

START_TEST(test_organizations_locations_dashboard)
{
	char tok[TOK], login[64], id[40], body[2048], code[64], org[40], t2[TOK], l2[64], i2[40];
	struct misses m = { 0 };
	struct resp *r;
	long long tid;

	admin(tok, login, id);

	/* only a super admin creates organizations: the document's body */
	snprintf(body, sizeof(body), "{\"company_name\":\"Kloud Technologies Ltd\","
	    "\"company_code\":\"%s\",\"business_license\":\"BL123456\","
	    "\"vat_registration\":\"VAT789012\",\"address\":\"123 Tech Street, Dhaka\","
	    "\"contact_email\":\"info@kloudtech.com\",\"contact_phone\":\"+8801712345678\","
	    "\"website\":\"https://kloudtech.com\",\"organization_type\":\"Banking\","
	    "\"revenue_sharing_enabled\":true,\"default_reseller_share\":50.00,"
	    "\"default_sub_reseller_share\":45.00,\"default_ktl_share_with_sub\":50.00,"
	    "\"default_reseller_share_with_sub\":5.00,\"billing_settings\":{"
	    "\"max_manual_grace_days\":9,\"disable_expiry\":false,\"default_grace_days\":1},"
	    "\"sync_settings\":{\"sync_area_to_mikrotik\":false}}", uniq(code, sizeof(code), "KTL"));
	r = k(tok, "POST", body, "/organizations/");
	envelope(&m, "admin creates organization", r, 403);
	it_free(r);
	r = k(su(), "POST", body, "/organizations/");
	if (r->status != 201)
		miss(&m, "organization: %ld %s", r->status, r->body);
	shape(&m, "organization", r->json, "id:s company_name:s company_code:s business_license:S "
	    "vat_registration:S address:S contact_email:S contact_phone:S website:S "
	    "organization_type:S revenue_sharing_enabled:b default_reseller_share:n "
	    "default_sub_reseller_share:n default_ktl_share_with_sub:n "
	    "default_reseller_share_with_sub:n billing_settings:o sync_settings:o");
	if (strcmp(it_str(r, "company_code") ? it_str(r, "company_code") : "", code) ||
	    it_int(r, "billing_settings/max_manual_grace_days") != 9 ||
	    !it_json(r, "default_reseller_share") ||
	    strcmp(jnum(r->json, "default_reseller_share") ? jnum(r->json, "default_reseller_share") :
	    "", "50.00"))
		miss(&m, "organization values: %s", r->body);
	snprintf(org, sizeof(org), "%s", it_str(r, "id") ? it_str(r, "id") : "");
	it_free(r);
	r = k(su(), "POST", "{\"company_name\":\"\",\"default_reseller_share\":\"lots\"}",
	    "/organizations/");
	envelope(&m, "bad organization", r, 400);
	if (!it_json(r, "error/company_name") || !it_json(r, "error/company_code") ||
	    !it_json(r, "error/default_reseller_share"))
		miss(&m, "organization fields not named: %s", r->body);
	it_free(r);
	/* the panel's aliases: name, code, email, phone; PUT partial */
	r = k(su(), "PUT", "{\"name\":\"Kloud Tech\",\"email\":\"ops@kloudtech.com\","
	    "\"phone\":\"+8801800000000\"}", "/organizations/%s/", org);
	if (r->status != 200 || strcmp(it_str(r, "company_name") ? it_str(r, "company_name") : "",
	    "Kloud Tech") || strcmp(it_str(r, "contact_email") ? it_str(r, "contact_email") : "",
	    "ops@kloudtech.com") || strcmp(it_str(r, "contact_phone") ?
	    it_str(r, "contact_phone") : "", "+8801800000000"))
		miss(&m, "organization put: %ld %s", r->status, r->body);
	it_free(r);
	r = k(su(), "GET", NULL, "/organizations/?search=Kloud%%20Tech");
	shape(&m, "organizations page", r->json, PAGE_SHAPE);
	it_free(r);

	/* an admin of the new organization sees only it, and none of tenant 1 */
	tid = sql("SELECT id FROM tenants WHERE uuid = '%s'", org);
	{
		char nb[1024], auth[TOK + 32], extra[64];
		const char *h[2] = { auth, NULL };

		uniq(l2, sizeof(l2), "o2");
		snprintf(extra, sizeof(extra), ",\"tenant_id\":%lld", tid);
		snprintf(nb, sizeof(nb), "{\"username\":\"%s\",\"login_id\":\"%s\",\"password\":\""
		    PW "\",\"password_confirm\":\"" PW "\",\"user_type\":\"admin\"%s}", l2, l2, extra);
		snprintf(auth, sizeof(auth), "Authorization: Bearer %s", su());
		r = it_http(0, "POST", "/api/auth/users/", NULL, nb, strlen(nb), h);
		ck_assert_msg(r->status == 201, "second admin: %s", r->body);
		it_free(r);
	}
	k_login(l2, t2, NULL);
	r = k(t2, "GET", NULL, "/organizations/");
	if (it_int(r, "count") != 1 || !jstr(row0(r), "id") ||
	    strcmp(jstr(row0(r), "id"), org))
		miss(&m, "second tenant's organizations: %s", r->body);
	it_free(r);
	r = k(t2, "GET", NULL, "/users/%s/", id);
	envelope(&m, "other tenant's user", r, 404);
	it_free(r);
	r = k(t2, "PATCH", "{\"name\":\"x\"}", "/users/%s/", id);
	envelope(&m, "other tenant's user patch", r, 404);
	it_free(r);
	r = k(t2, "GET", NULL, "/users/?search=%s", login);
	if (it_int(r, "count") != 0)
		miss(&m, "other tenant's user listed: %s", r->body);
	it_free(r);
	r = k(t2, "GET", NULL, "/organizations/1/");
	envelope(&m, "other organization", r, 404);
	it_free(r);
	snprintf(body, sizeof(body), "{\"user_id\":\"%s\",\"role_id\":3}", id);
	r = k(t2, "POST", body, "/roles/assign/");
	envelope(&m, "assign to other tenant's user", r, 400);
	it_free(r);
	r = k(t2, "GET", NULL, "/dashboard/stats/");
	if (it_int(r, "total_users") != 1)
		miss(&m, "second tenant's dashboard: %s", r->body);
	it_free(r);
	mk_user(t2, "field_staff", l2, i2, NULL);
	r = k(tok, "GET", NULL, "/users/%s/", i2);
	envelope(&m, "tenant 1 reads tenant 2's user", r, 404);
	it_free(r);
	r = k(tok, "DELETE", NULL, "/users/%s/", i2);
	envelope(&m, "tenant 1 deletes tenant 2's user", r, 404);
	it_free(r);

	/* dashboard: 003's example key by key */
	r = k(tok, "GET", NULL, "/dashboard/stats/");
	if (r->status != 200)
		miss(&m, "dashboard: %ld", r->status);
	shape(&m, "dashboard", r->json, "total_users:i active_users:i total_roles:i active_roles:i "
	    "total_permissions:i custom_permissions:i user_types:o");
	shape(&m, "user_types", it_json(r, "user_types"), "super_admin:i admin:i billing_manager:i "
	    "noc_manager:i support_staff:i reseller_admin:i sub_reseller_admin:i field_staff:i");
	if (it_int(r, "total_users") != sql("SELECT COUNT(*) FROM users WHERE tenant_id = 1 "
	    "AND deleted_at IS NULL"))
		miss(&m, "total_users %lld", it_int(r, "total_users"));
	it_free(r);

	/* locations */
	r = k(tok, "GET", NULL, "/locations/districts/?search=Dhaka");
	shape(&m, "districts", r->json, PAGE_SHAPE);
	shape(&m, "district", row0(r), "id:i name:s bn_name:s");
	it_free(r);
	r = k(tok, "GET", NULL, "/locations/districts/");
	if (it_int(r, "count") != 64 || jlen(it_json(r, "results")) != 20 || !it_str(r, "next"))
		miss(&m, "districts page: count %lld", it_int(r, "count"));
	it_free(r);
	r = k(tok, "GET", NULL, "/locations/thanas/?district=1&ordering=-name");
	if (r->status != 200 || it_int(r, "count") != sql("SELECT COUNT(*) FROM thanas "
	    "WHERE district_id = 1") || jint(row0(r), "district_id") != 1)
		miss(&m, "thanas of 1: %.300s", r->body);
	it_free(r);
	r = k(tok, "GET", NULL, "/locations/districts/1/thanas/");
	if (r->status != 200 || it_int(r, "count") != sql("SELECT COUNT(*) FROM thanas "
	    "WHERE district_id = 1"))
		miss(&m, "district thanas: %.300s", r->body);
	it_free(r);
	r = k(tok, "GET", NULL, "/locations/districts/99999/thanas/");
	envelope(&m, "unknown district", r, 404);
	it_free(r);
	r = k(tok, "GET", NULL, "/locations/summary/");
	if (r->status != 200 || it_int(r, "total_districts") != 64 || it_int(r, "total_divisions") != 8)
		miss(&m, "summary: %.300s", r->body);
	it_free(r);

	/* the organization goes: 204 */
	r = k(su(), "DELETE", NULL, "/organizations/%s/", org);
	if (r->status != 204)
		miss(&m, "organization delete: %ld %s", r->status, r->body);
	it_free(r);
	NO_MISSES(m);
}
END_TEST

/* the roles of row 0 of a users page, as "name,name" */
static void
page_roles(const struct resp *r, char *out, size_t n)
{
	yajl_val roles = jget(row0(r), "roles");
	size_t len = 0;

	out[0] = '\0';
	for (size_t i = 0; i < jlen(roles) && len < n; i++)
		len += (size_t)snprintf(out + len, n - len, "%s%s", i ? "," : "",
		    jstr(jat(roles, i), "name"));
}

/* A page of users a worker answers from memory changes the moment its rows
 * do (the user, its role assignments, the roles), whoever writes them, and
 * an assignment that runs out leaves the page without any write. */
START_TEST(test_users_page_is_never_staler_than_its_rows)
{
	char tok[TOK], login[64], id[40], ulogin[64], uid[40], got[512], want[512], role[64];
	char renamed[80];
	long long tenant, user, rid;
	struct resp *r;

	admin(tok, login, id);
	mk_user(tok, "support_staff", ulogin, uid, NULL);
	user = sql("SELECT id FROM users WHERE uuid = '%s'", uid);
	tenant = sql("SELECT tenant_id FROM users WHERE id = %lld", user);
	sql("INSERT INTO roles (uuid, tenant_id, name, display_name) VALUES (UUID(), %lld, "
	    "'%s', 'Cache')", tenant, uniq(role, sizeof(role), "cr"));
	snprintf(renamed, sizeof(renamed), "%sx", role);
	rid = sql("SELECT id FROM roles WHERE tenant_id = %lld AND name = '%s'", tenant, role);
	for (int round = 0; round < 5; round++) {
		snprintf(want, sizeof(want), "support_staff%s%s", round >= 1 && round < 4 ? "," : "",
		    round == 1 ? role : round == 2 || round == 3 ? renamed : "");
		/* four times each: from memory, whichever worker answers */
		for (int again = 0; again < 4; again++) {
			r = k(tok, "GET", NULL, "/users/?search=%s", ulogin);
			ck_assert_int_eq(it_int(r, "count"), 1);
			if (round)
				ck_assert_str_eq(jstr(row0(r), "name"), "Renamed Bysql");
			page_roles(r, got, sizeof(got));
			ck_assert_msg(!strcmp(got, want), "round %d: roles %s, expected %s", round, got,
			    want);
			it_free(r);
			/* and the list of the role's users agrees with the roles shown */
			r = k(tok, "GET", NULL, "/users/?search=%s&role=%lld", ulogin, rid);
			ck_assert_msg(it_int(r, "count") == (round >= 1 && round < 4),
			    "round %d: %lld users with the role", round, it_int(r, "count"));
			it_free(r);
		}
		switch (round) {
		case 0:         /* the user and an assignment, by SQL behind the API */
			sql("UPDATE users SET first_name = 'Renamed', last_name = 'Bysql' WHERE id = %lld",
			    user);
			sql("INSERT INTO user_roles (uuid, tenant_id, user_id, role_id, is_active) VALUES "
			    "(UUID(), %lld, %lld, %lld, 1)", tenant, user, rid);
			break;
		case 1:         /* the role itself */
			sql("UPDATE roles SET name = '%s' WHERE id = %lld", renamed, rid);
			break;
		case 2:         /* runs out in a second: no write when it does */
			sql("UPDATE user_roles SET expires_at = UTC_TIMESTAMP(6) + INTERVAL 1 SECOND "
			    "WHERE role_id = %lld", rid);
			break;
		case 3:
			usleep(1300 * 1000);
			break;
		}
	}
	sql("DELETE FROM user_roles WHERE role_id = %lld", rid);
	sql("DELETE FROM roles WHERE id = %lld", rid);
}
END_TEST

/* every `METHOD /path` of the document is routed, and answers in 003's shapes */
START_TEST(test_document_routes)
{
	static struct doc_route dr[128];
	char tok[TOK], login[64], id[40];
	struct misses m = { 0 };
	int n;

	admin(tok, login, id);
	n = doc_routes("003-ktl-isp-billing.md", "", "0", dr, 128);
	ck_assert_int_ge(n, 39);
	for (int i = 0; i < n; i++) {
		const char *meth = dr[i].method, *url = dr[i].path;
		int get = !strcmp(meth, "GET") || !strcmp(meth, "DELETE");
		char other[TOK];
		struct resp *r;

		/* logout ends a session of its own */
		if (strstr(url, "logout"))
			k_login(login, other, NULL);
		r = k(strstr(url, "logout") ? other : tok, meth, get ? NULL : "{}", "%s", url);
		if (r->status == 405 || r->status >= 500 ||
		    (r->status == 404 && strstr(r->body, "No endpoint")))
			miss(&m, "%s %s: %ld %.200s", meth, url, r->status, r->body);
		if (r->json == NULL && r->status != 204)
			miss(&m, "%s %s: not JSON", meth, url);
		it_free(r);
	}
	NO_MISSES(m);
}
END_TEST

/* 003's "Login attempts: 5 per 15 minutes": every login answer tells the
 * limit, what is left and when it frees; the sixth failure is 429 in 003's
 * error shape, for the login id and for the address */
START_TEST(test_login_rate_limit)
{
	char tok[TOK], login[64], id[40], body[512], *h;
	struct misses m = { 0 };
	struct resp *r;
	long last = 6;

	admin(tok, login, id);
	sql("DELETE FROM login_attempts");
	snprintf(body, sizeof(body), "{\"login_id\":\"%s\",\"password\":\"" PW "\"}", login);
	r = k(NULL, "POST", body, "/auth/login/");
	h = it_header(r, "X-RateLimit-Remaining");
	if (r->status != 200 || h == NULL || atol(h) != 5)
		miss(&m, "good login: %ld, remaining %s", r->status, h ? h : "(none)");
	free(h);
	it_free(r);
	snprintf(body, sizeof(body), "{\"login_id\":\"%s\",\"password\":\"wrong\"}", login);
	for (int i = 1; i <= 6; i++) {
		char *lim, *rem, *rst;

		r = k(NULL, "POST", body, "/auth/login/");
		lim = it_header(r, "X-RateLimit-Limit");
		rem = it_header(r, "X-RateLimit-Remaining");
		rst = it_header(r, "X-RateLimit-Reset");
		if (!lim || !rem || !rst || atol(lim) != 5)
			miss(&m, "try %d: headers %s/%s/%s", i, lim ? lim : "-", rem ? rem : "-",
			    rst ? rst : "-");
		else if (i <= 5 && (r->status != 400 || atol(rem) != 5 - i || atol(rem) >= last ||
		    atol(rst) < 1 || atol(rst) > 900))
			miss(&m, "try %d: %ld remaining %s reset %s", i, r->status, rem, rst);
		else if (i == 6) {
			char *ra = it_header(r, "Retry-After");

			if (r->status != 429 || atol(rem) != 0 || it_bool(r, "success") != 0 ||
			    it_int(r, "status") != 429 || !it_str(r, "message") ||
			    !strstr(it_str(r, "message"), "Too many") || ra == NULL || atol(ra) < 1)
				miss(&m, "sixth: %ld %s (Retry-After %s)", r->status, r->body,
				    ra ? ra : "-");
			free(ra);
		}
		if (rem)
			last = atol(rem);
		free(lim);
		free(rem);
		free(rst);
		it_free(r);
	}
	/* the right password does not help while the login id is throttled */
	snprintf(body, sizeof(body), "{\"login_id\":\"%s\",\"password\":\"" PW "\"}", login);
	r = k(NULL, "POST", body, "/auth/login/");
	if (r->status != 429)
		miss(&m, "good password while throttled: %ld", r->status);
	it_free(r);
	/* a login that names no one is told the address's state */
	r = k(NULL, "POST", "{\"password\":\"x\"}", "/auth/login/");
	h = it_header(r, "X-RateLimit-Remaining");
	if (r->status != 400 || h == NULL || atol(h) != 0)
		miss(&m, "no login_id: %ld remaining %s", r->status, h ? h : "-");
	free(h);
	it_free(r);
	/* per address: another login id from the same address is throttled too */
	r = k(NULL, "POST", "{\"login_id\":\"nobody-else\",\"password\":\"x\"}",
	    "/auth/login/");
	h = it_header(r, "X-RateLimit-Remaining");
	if (r->status != 429 || h == NULL || atol(h) != 0)
		miss(&m, "same address: %ld remaining %s", r->status, h ? h : "-");
	free(h);
	it_free(r);
	sql("DELETE FROM login_attempts");
	NO_MISSES(m);
}
END_TEST

Suite *
suite_ktl(void)
{
	Suite *s = suite_create("ktl");
	TCase *tc = tcase_create("ktl");

	tcase_set_timeout(tc, 90);
	tcase_add_test(tc, test_auth);
	tcase_add_test(tc, test_users);
	tcase_add_test(tc, test_roles_permissions_groups);
	tcase_add_test(tc, test_organizations_locations_dashboard);
	tcase_add_test(tc, test_users_page_is_never_staler_than_its_rows);
	tcase_add_test(tc, test_document_routes);
	tcase_add_test(tc, test_login_rate_limit);
	suite_add_tcase(s, tc);
	return s;
}
