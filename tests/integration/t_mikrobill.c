/* t_mikrobill.c - the mikrobill dialect (004) through nginx on port+4: the
 * envelope {success, data, metadata, error} on every answer, login with the
 * document's and the panel's fields, tenants, API clients and X-Client-Key,
 * MikroTik devices and the active one, PPP secrets and profiles live on the
 * simulated router with RouterOS's keys, system profiles synced, customers
 * provisioned and pinged, the PPPoE callbacks, tenant isolation and a
 * customer made through native appearing here. */
#include "config.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "itest.h"

#define PW "Mb-Passw0rd-1"

static int mb_port(void) { return it_port() + 4; }

/* one request on the mikrobill port with a header line (NULL: none) */
static struct resp *
vreq(const char *hdr, const char *method, const char *body, const char *fmt, va_list ap)
{
	char path[2048];
	const char *hdrs[2] = { hdr, NULL };

	vsnprintf(path, sizeof(path), fmt, ap);
	return it_http(mb_port(), method, path, NULL, body, body ? strlen(body) : 0,
	    hdr ? hdrs : NULL);
}

/* with a Bearer token (NULL: no credential) */
static struct resp *
mb(const char *tok, const char *method, const char *body, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static struct resp *
mb(const char *tok, const char *method, const char *body, const char *fmt, ...)
{
	char auth[2048];
	struct resp *r;
	va_list ap;

	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", tok ? tok : "");
	va_start(ap, fmt);
	r = vreq(tok ? auth : NULL, method, body, fmt, ap);
	va_end(ap);
	return r;
}

/* with an X-Client-Key */
static struct resp *
mbk(const char *key, const char *method, const char *body, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static struct resp *
mbk(const char *key, const char *method, const char *body, const char *fmt, ...)
{
	char hdr[512];
	struct resp *r;
	va_list ap;

	snprintf(hdr, sizeof(hdr), "X-Client-Key: %s", key);
	va_start(ap, fmt);
	r = vreq(hdr, method, body, fmt, ap);
	va_end(ap);
	return r;
}

/* 004's envelope: success true, error null, metadata an object (list) or null */
static void
ok_env(struct resp *r, int st, int list)
{
	EXPECT(r, st);
	ck_assert_msg(it_bool(r, "success") == 1, "%s", r->body);
	ck_assert_msg(it_is_null(r, "error"), "%s", r->body);
	ck_assert_msg(it_json(r, "data") != NULL, "%s", r->body);
	if (list) {
		ck_assert_msg(it_int(r, "metadata/total") >= 0 && it_int(r, "metadata/limit") >= 0 &&
		    it_int(r, "metadata/offset") >= 0, "metadata: %s", r->body);
	} else
		ck_assert_msg(it_is_null(r, "metadata"), "%s", r->body);
}

/* ... and its failure: data and metadata null, error {code, message} */
static void
err_env(struct resp *r, int st, const char *code, const char *field)
{
	EXPECT(r, st);
	ck_assert_msg(it_bool(r, "success") == 0 && it_is_null(r, "data") &&
	    it_is_null(r, "metadata"), "%s", r->body);
	ck_assert_msg(it_str(r, "error/code") && !strcmp(it_str(r, "error/code"), code),
	    "code %s: %s", code, r->body);
	ck_assert_msg(it_str(r, "error/message") != NULL, "%s", r->body);
	if (field) {
		char p[128];

		snprintf(p, sizeof(p), "error/fields/%s", field);
		ck_assert_msg(it_str(r, p) != NULL, "field %s: %s", field, r->body);
	}
	it_free(r);
}

/* every key of object o with its JSON type: s string, i integer, b boolean,
 * o object, a array, S string or null */
static void
typed_obj(struct misses *m, yajl_val o, const char *where, const char *spec)
{
	char buf[512];

	snprintf(buf, sizeof(buf), "%s", spec);
	for (char *k = strtok(buf, " "); k; k = strtok(NULL, " ")) {
		char t = k[0];
		yajl_val v = o ? jget(o, k + 2) : NULL;
		int good = v && ((t == 's' && YAJL_IS_STRING(v)) || (t == 'i' && YAJL_IS_INTEGER(v)) ||
		    (t == 'b' && (YAJL_IS_TRUE(v) || YAJL_IS_FALSE(v))) ||
		    (t == 'o' && YAJL_IS_OBJECT(v)) || (t == 'a' && YAJL_IS_ARRAY(v)) ||
		    (t == 'S' && (YAJL_IS_STRING(v) || YAJL_IS_NULL(v))));

		if (!good)
			miss(m, "%s/%s is not of type %c", where, k + 2, t);
	}
}

static void
typed(struct misses *m, const struct resp *r, const char *base, const char *spec)
{
	typed_obj(m, it_json(r, base), base, spec);
}

/* a user of the tenant (0: the super admin's, tenant 1) made by the super
 * admin, logged in through mikrobill: its access token in tok */
static void
mb_user(long long tenant, const char *type, char *name, size_t nn, char *tok, size_t nt)
{
	char body[512], auth[2048], extra[64] = "";
	const char *hdrs[2] = { auth, NULL };
	char *su = it_login_admin();
	struct resp *r;

	ck_assert_ptr_nonnull(su);
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", su);
	if (tenant)
		snprintf(extra, sizeof(extra), ",\"tenant_id\":%lld", tenant);
	snprintf(body, sizeof(body), "{\"username\":\"%s\",\"email\":\"%s@example.org\","
	    "\"first_name\":\"Mika\",\"last_name\":\"Bill\",\"password\":\"" PW "\","
	    "\"password_confirm\":\"" PW "\",\"user_type\":\"%s\"%s}",
	    uniq(name, nn, "mb"), name, type, extra);
	r = it_http(0, "POST", "/api/auth/users/", NULL, body, strlen(body), hdrs);
	ck_assert_msg(r->status == 201, "user: %ld %s", r->status, r->body);
	it_free(r);
	free(su);
	snprintf(body, sizeof(body), "{\"username\":\"%s\",\"password\":\"" PW "\"}", name);
	r = mb(NULL, "POST", body, "/v1/auth/login");
	ok_env(r, 200, 0);
	snprintf(tok, nt, "%s", it_str(r, "data/access_token"));
	it_free(r);
}

/* a router record for simulated router name, made through mikrobill */
static long long
mb_device(const char *tok, const char *sim_name)
{
	char body[512], name[64];
	struct resp *r;
	long long id;

	snprintf(body, sizeof(body), "{\"name\":\"%s\",\"host\":\"127.0.0.1\",\"api_port\":%d,"
	    "\"username\":\"admin\",\"password\":\"simpass\"}", uniq(name, sizeof(name), sim_name),
	    it_sim_port(sim_name));
	r = mb(tok, "POST", body, "/v1/internal/mikrotik");
	ok_env(r, 201, 0);
	id = it_int(r, "data/id");
	ck_assert_int_gt(id, 0);
	ck_assert_str_eq(it_str(r, "data/password"), "***hidden***");
	it_free(r);
	return id;
}

START_TEST(test_login_and_session)
{
	char name[64], tok[2048], body[512], refresh[256];
	struct misses m = { 0 };
	struct resp *r;

	begin();
	mb_user(0, "admin", name, sizeof(name), tok, sizeof(tok));
	snprintf(body, sizeof(body), "{\"username\":\"%s\",\"password\":\"" PW "\"}", name);
	r = mb(NULL, "POST", body, "/v1/auth/login");
	ok_env(r, 200, 0);
	/* the document's fields, then the panel's */
	typed(&m, r, "data", "s:id s:username s:email s:role s:api_token s:access_token "
	    "s:refresh_token i:expires_in i:refresh_expires_in o:user");
	typed(&m, r, "data/user", "s:id s:username s:email s:fullname s:role i:tenant_id");
	NO_MISSES(m);
	ck_assert_int_eq(strlen(it_str(r, "data/id")), 36);          /* a uuid */
	ck_assert_str_eq(it_str(r, "data/username"), name);
	ck_assert_str_eq(it_str(r, "data/role"), "admin");
	ck_assert_str_eq(it_str(r, "data/user/fullname"), "Mika Bill");
	ck_assert_str_eq(it_str(r, "data/api_token"), it_str(r, "data/access_token"));
	ck_assert_int_gt(it_int(r, "data/refresh_expires_in"), it_int(r, "data/expires_in"));
	snprintf(refresh, sizeof(refresh), "%s", it_str(r, "data/refresh_token"));
	it_free(r);

	/* failures in 004's error shape, naming the field */
	snprintf(body, sizeof(body), "{\"username\":\"%s\",\"password\":\"wrong\"}", name);
	err_env(mb(NULL, "POST", body, "/v1/auth/login"), 401, "UNAUTHORIZED", NULL);
	err_env(mb(NULL, "POST", "{\"password\":\"x\"}", "/v1/auth/login"), 400, "VALIDATION_ERROR",
	    "username");
	err_env(mb(NULL, "POST", "{\"username\":", "/v1/auth/login"), 400, "PARSE_ERROR", NULL);
	err_env(mb(NULL, "GET", NULL, "/v1/auth/profile"), 401, "UNAUTHORIZED", NULL);
	err_env(mb("garbage", "GET", NULL, "/v1/auth/profile"), 401, "UNAUTHORIZED", NULL);
	err_env(mb(tok, "GET", NULL, "/v1/no/such/path"), 404, "NOT_FOUND", NULL);

	/* profile, read and changed */
	r = mb(tok, "GET", NULL, "/v1/auth/profile");
	ok_env(r, 200, 0);
	ck_assert_str_eq(it_str(r, "data/username"), name);
	it_free(r);
	r = mb(tok, "PATCH", "{\"fullname\":\"Mika Q Bill\",\"phone\":\"0711000111\"}",
	    "/v1/auth/profile");
	ok_env(r, 200, 0);
	ck_assert_str_eq(it_str(r, "data/fullname"), "Mika Q Bill");
	it_free(r);
	err_env(mb(tok, "PATCH", "{\"email\":\"not-an-email\"}", "/v1/auth/profile"), 400,
	    "VALIDATION_ERROR", "email");

	/* refresh rotates; the old refresh token is then refused */
	snprintf(body, sizeof(body), "{\"refresh_token\":\"%s\"}", refresh);
	r = mb(NULL, "POST", body, "/v1/auth/refresh");
	ok_env(r, 200, 0);
	ck_assert_str_ne(it_str(r, "data/refresh_token"), refresh);
	snprintf(tok, sizeof(tok), "%s", it_str(r, "data/access_token"));
	it_free(r);
	r = mb(tok, "GET", NULL, "/v1/auth/profile");
	ok_env(r, 200, 0);
	it_free(r);
	/* a replayed refresh token ends its whole login */
	err_env(mb(NULL, "POST", body, "/v1/auth/refresh"), 401, "UNAUTHORIZED", NULL);
	err_env(mb(tok, "GET", NULL, "/v1/auth/profile"), 401, "UNAUTHORIZED", NULL);
	err_env(mb(NULL, "POST", "{}", "/v1/auth/refresh"), 400, "VALIDATION_ERROR",
	    "refresh_token");

	/* logout ends the token */
	snprintf(body, sizeof(body), "{\"username\":\"%s\",\"password\":\"" PW "\"}", name);
	r = mb(NULL, "POST", body, "/v1/auth/login");
	ok_env(r, 200, 0);
	snprintf(tok, sizeof(tok), "%s", it_str(r, "data/access_token"));
	it_free(r);
	r = mb(tok, "POST", "{}", "/v1/auth/logout");
	ok_env(r, 200, 0);
	it_free(r);
	err_env(mb(tok, "GET", NULL, "/v1/auth/profile"), 401, "UNAUTHORIZED", NULL);

	/* register: open or closed, never a 500; a bad body names its field */
	r = mb(NULL, "POST", "{\"username\":\"\",\"password\":\"x\"}", "/v1/auth/register");
	ck_assert_msg(r->status == 400 || r->status == 403, "%ld %s", r->status, r->body);
	ck_assert_int_eq(it_bool(r, "success"), 0);
	it_free(r);
}
END_TEST

START_TEST(test_tenants_and_clients)
{
	char name[64], tok[2048], su[2048], body[512], code[64], key[256];
	struct misses m = { 0 };
	struct resp *r;
	long long tid, cid, other;
	char *t;

	begin();
	t = it_login_admin();
	snprintf(su, sizeof(su), "%s", t);
	free(t);
	/* the super admin makes a tenant */
	snprintf(body, sizeof(body), "{\"name\":\"MB %s\",\"code\":\"%s\",\"max_routers\":3}",
	    uniq(code, sizeof(code), "mbt"), code);
	r = mb(su, "POST", body, "/v1/internal/tenant");
	ok_env(r, 201, 0);
	tid = it_int(r, "data/id");
	typed(&m, r, "data", "i:id s:uuid s:name s:code b:is_active");
	NO_MISSES(m);
	it_free(r);
	err_env(mb(su, "POST", "{\"name\":\"x\"}", "/v1/internal/tenant"), 400, "VALIDATION_ERROR",
	    "code");
	r = mb(su, "GET", NULL, "/v1/internal/tenant/list?limit=2&offset=0");
	ok_env(r, 200, 1);
	ck_assert_int_eq(it_int(r, "metadata/limit"), 2);
	ck_assert_int_ge(it_int(r, "metadata/total"), 2);
	ck_assert_int_le(jlen(it_json(r, "data")), 2);
	it_free(r);
	r = mb(su, "PUT", "{\"max_routers\":5}", "/v1/internal/tenant/%lld", tid);
	ok_env(r, 200, 0);
	ck_assert_int_eq(it_int(r, "data/max_routers"), 5);
	it_free(r);
	r = mb(su, "GET", NULL, "/v1/internal/tenant/%lld/stats", tid);
	ok_env(r, 200, 0);
	typed(&m, r, "data", "i:users_count i:api_clients_count");
	NO_MISSES(m);
	it_free(r);

	/* a tenant admin sees its own tenant only, and cannot make one */
	mb_user(tid, "admin", name, sizeof(name), tok, sizeof(tok));
	r = mb(tok, "GET", NULL, "/v1/internal/tenant/list");
	ok_env(r, 200, 1);
	ck_assert_int_eq(it_int(r, "metadata/total"), 1);
	ck_assert_int_eq(jint(jat(it_json(r, "data"), 0), "id"), tid);
	it_free(r);
	err_env(mb(tok, "GET", NULL, "/v1/internal/tenant/1"), 404, "NOT_FOUND", NULL);
	snprintf(body, sizeof(body), "{\"name\":\"No\",\"code\":\"%s\"}", uniq(code, sizeof(code),
	    "mbn"));
	r = mb(tok, "POST", body, "/v1/internal/tenant");
	ck_assert_msg(r->status == 403, "%ld %s", r->status, r->body);
	it_free(r);

	/* an API client of that tenant: the key once, then X-Client-Key works */
	r = mb(tok, "POST", "{\"name\":\"billing-bot\",\"scopes\":[\"*\"]}",
	    "/v1/internal/client-upsert");
	ok_env(r, 201, 0);
	cid = it_int(r, "data/id");
	snprintf(key, sizeof(key), "%s", it_str(r, "data/api_key"));
	it_free(r);
	r = mb(tok, "POST", "{\"id\":0}", "/v1/internal/client-upsert");
	ck_assert_int_eq(r->status, 400);
	it_free(r);
	snprintf(body, sizeof(body), "{\"id\":%lld,\"name\":\"billing-bot-2\"}", cid);
	r = mb(tok, "POST", body, "/v1/internal/client-upsert");
	ok_env(r, 200, 0);
	ck_assert_str_eq(it_str(r, "data/name"), "billing-bot-2");
	ck_assert(it_json(r, "data/api_key") == NULL);
	it_free(r);
	r = mb(tok, "POST", "{\"name\":\"billing-bot\"}", "/v1/internal/client-find");
	ok_env(r, 200, 1);
	ck_assert_int_eq(it_int(r, "metadata/total"), 1);
	it_free(r);

	r = mbk(key, "GET", NULL, "/v1/client/ping");
	ok_env(r, 200, 0);
	ck_assert_int_eq(it_int(r, "data/client_id"), cid);
	ck_assert_int_eq(it_int(r, "data/tenant_id"), tid);
	it_free(r);
	err_env(mbk("nope.nope", "GET", NULL, "/v1/client/ping"), 401, "UNAUTHORIZED", NULL);
	err_env(mb(tok, "GET", NULL, "/v1/client/ping"), 401, "UNAUTHORIZED", NULL);
	err_env(mb(NULL, "GET", NULL, "/v1/client/ping"), 401, "UNAUTHORIZED", NULL);
	/* the key reaches the internal endpoints, in its own tenant */
	r = mbk(key, "GET", NULL, "/v1/internal/customer/list");
	ok_env(r, 200, 1);
	ck_assert_int_eq(it_int(r, "data/total"), 0);
	it_free(r);

	/* delete by ids; the key then stops working */
	err_env(mb(tok, "DELETE", "{\"ids\":[]}", "/v1/internal/client-delete"), 400,
	    "VALIDATION_ERROR", "ids");
	snprintf(body, sizeof(body), "{\"ids\":[%lld]}", cid);
	r = mb(tok, "DELETE", body, "/v1/internal/client-delete");
	ok_env(r, 200, 0);
	ck_assert_int_eq(it_int(r, "data/deleted"), 1);
	it_free(r);
	err_env(mbk(key, "GET", NULL, "/v1/client/ping"), 401, "UNAUTHORIZED", NULL);

	/* soft delete by the super admin */
	snprintf(body, sizeof(body), "{\"name\":\"Gone\",\"code\":\"%s\"}", uniq(code, sizeof(code),
	    "mbg"));
	r = mb(su, "POST", body, "/v1/internal/tenant");
	other = it_int(r, "data/id");
	it_free(r);
	r = mb(su, "DELETE", NULL, "/v1/internal/tenant/%lld", other);
	ok_env(r, 200, 0);
	it_free(r);
	err_env(mb(su, "GET", NULL, "/v1/internal/tenant/%lld", other), 404, "NOT_FOUND", NULL);
}
END_TEST

START_TEST(test_devices_and_ppp)
{
	char name[64], tok[2048], body[512];
	struct misses m = { 0 };
	struct resp *r, *keep;
	long long dev, dev2;
	yajl_val it;

	begin();
	mb_user(0, "admin", name, sizeof(name), tok, sizeof(tok));
	dev = mb_device(tok, "v6");
	dev2 = router_rec("v7", 0);                     /* made through native */

	r = mb(tok, "POST", "{\"limit\":100}", "/v1/internal/mikrotik/list");
	ok_env(r, 200, 1);
	ck_assert_msg(jlen(it_json(r, "data/mikrotiks")) >= 2, "%s", r->body);
	ck_assert_int_eq(it_int(r, "data/total"), it_int(r, "metadata/total"));
	ck_assert_int_eq(it_int(r, "metadata/limit"), 100);
	typed_obj(&m, jat(it_json(r, "data/mikrotiks"), 0), "mikrotiks[0]", "i:id s:uuid s:name s:host i:api_port s:status");
	NO_MISSES(m);
	it_free(r);
	snprintf(body, sizeof(body), "{\"search\":\"%s\"}", name);
	err_env(mb(tok, "POST", "{\"limit\":\"x\"}", "/v1/internal/mikrotik/list"), 400,
	    "VALIDATION_ERROR", "limit");
	err_env(mb(tok, "POST", "{\"status\":\"sideways\"}", "/v1/internal/mikrotik/list"), 400,
	    "VALIDATION_ERROR", "status");

	r = mb(tok, "GET", NULL, "/v1/internal/mikrotik/%lld", dev);
	ok_env(r, 200, 0);
	ck_assert_str_eq(it_str(r, "data/password"), "***hidden***");
	it_free(r);
	r = mb(tok, "PUT", "{\"location\":\"Rack 2\"}", "/v1/internal/mikrotik/%lld", dev);
	ok_env(r, 200, 0);
	ck_assert_str_eq(it_str(r, "data/location"), "Rack 2");
	it_free(r);
	err_env(mb(tok, "PUT", "{\"api_port\":0}", "/v1/internal/mikrotik/%lld", dev), 400,
	    "VALIDATION_ERROR", "api_port");

	/* reachability: asked of the device, or set */
	r = mb(tok, "PATCH", "{}", "/v1/internal/mikrotik/%lld/status", dev);
	ok_env(r, 200, 0);
	ck_assert_str_eq(it_str(r, "data/status"), "online");
	it_free(r);
	r = mb(tok, "PATCH", "{\"status\":\"maintenance\"}", "/v1/internal/mikrotik/%lld/status", dev);
	ok_env(r, 200, 0);
	ck_assert_str_eq(it_str(r, "data/status"), "maintenance");
	it_free(r);
	err_env(mb(tok, "PATCH", "{\"status\":\"up\"}", "/v1/internal/mikrotik/%lld/status", dev),
	    400, "VALIDATION_ERROR", "status");

	/* the active device: v7 once activated */
	r = mb(tok, "PATCH", NULL, "/v1/internal/mikrotik/%lld/activate", dev2);
	ok_env(r, 200, 0);
	it_free(r);
	r = mb(tok, "GET", NULL, "/v1/internal/mikrotik/active");
	ok_env(r, 200, 0);
	ck_assert_int_eq(it_int(r, "data/id"), dev2);
	it_free(r);
	err_env(mb(tok, "PATCH", NULL, "/v1/internal/mikrotik/999999999/activate"), 404,
	    "NOT_FOUND", NULL);

	/* PPP secrets on the active device (v7), RouterOS's keys both ways */
	snprintf(body, sizeof(body), "{\"name\":\"%s\",\"password\":\"s3cret\",\"service\":\"pppoe\","
	    "\"local-address\":\"10.9.0.1\",\"remote_address\":\"10.9.0.2\","
	    "\"caller-id\":\"AA:BB:CC:00:11:22\"}", uniq(name, sizeof(name), "sec"));
	r = mb(tok, "POST", body, "/v1/internal/ppp/secret");
	ok_env(r, 201, 0);
	typed(&m, r, "data", "s:.id s:name s:local-address s:remote-address s:caller-id s:password");
	NO_MISSES(m);
	ck_assert_str_eq(it_str(r, "data/password"), "***hidden***");
	ck_assert_str_eq(it_str(r, "data/local-address"), "10.9.0.1");
	it_free(r);
	it = on_router(&keep, "v7", "/ppp/secret", "name", name);
	ck_assert_msg(it && !strcmp(jstr(it, "password"), "s3cret") &&
	    !strcmp(jstr(it, "remote-address"), "10.9.0.2"), "%s", keep->body);
	it_free(keep);
	ck_assert(!present("v6", "/ppp/secret", "name", name));
	r = mb(tok, "POST", body, "/v1/internal/ppp/secret");      /* duplicate: the router's trap */
	ck_assert_int_eq(r->status, 400);
	ck_assert_int_eq(it_bool(r, "success"), 0);
	it_free(r);
	err_env(mb(tok, "POST", "{\"password\":\"x\"}", "/v1/internal/ppp/secret"), 400,
	    "VALIDATION_ERROR", "name");
	err_env(mb(tok, "POST", "{\"name\":\"a\",\"disabled\":\"maybe\"}", "/v1/internal/ppp/secret"),
	    400, "VALIDATION_ERROR", "disabled");

	r = mb(tok, "GET", NULL, "/v1/internal/ppp/secret/list");
	ok_env(r, 200, 1);
	ck_assert_int_eq(it_int(r, "metadata/total"), (long long)jlen(it_json(r, "data")));
	it_free(r);
	r = mb(tok, "GET", NULL, "/v1/internal/ppp/secret/%s", name);
	ok_env(r, 200, 0);
	ck_assert_str_eq(it_str(r, "data/caller-id"), "AA:BB:CC:00:11:22");
	it_free(r);
	/* the same secret on another device, chosen by ?mikrotik_id= */
	err_env(mb(tok, "GET", NULL, "/v1/internal/ppp/secret/%s?mikrotik_id=%lld", name, dev), 404,
	    "NOT_FOUND", NULL);
	err_env(mb(tok, "GET", NULL, "/v1/internal/ppp/secret/%s?mikrotik_id=999999", name), 400,
	    "VALIDATION_ERROR", "mikrotik_id");
	r = mb(tok, "PUT", "{\"comment\":\"moved\",\"disabled\":true}",
	    "/v1/internal/ppp/secret/%s", name);
	ok_env(r, 200, 0);
	ck_assert_str_eq(it_str(r, "data/comment"), "moved");
	it_free(r);
	it = on_router(&keep, "v7", "/ppp/secret", "name", name);
	ck_assert_msg(it && !strcmp(jstr(it, "disabled"), "true"), "%s", keep->body);
	it_free(keep);
	r = mb(tok, "DELETE", NULL, "/v1/internal/ppp/secret/%s", name);
	ok_env(r, 200, 0);
	it_free(r);
	ck_assert(!present("v7", "/ppp/secret", "name", name));
	err_env(mb(tok, "DELETE", NULL, "/v1/internal/ppp/secret/%s", name), 404, "NOT_FOUND", NULL);

	/* a device named in the body: v6, not the active v7 (and a bad one
	 * is a bad mikrotik_id, not the active device) */
	snprintf(body, sizeof(body), "{\"name\":\"%s\",\"password\":\"x\",\"mikrotik_id\":%lld}",
	    uniq(name, sizeof(name), "sec"), dev);
	r = mb(tok, "POST", body, "/v1/internal/ppp/secret");
	ok_env(r, 201, 0);
	it_free(r);
	ck_assert(present("v6", "/ppp/secret", "name", name));
	ck_assert(!present("v7", "/ppp/secret", "name", name));
	err_env(mb(tok, "POST", "{\"name\":\"b\",\"mikrotik_id\":999999999}",
	    "/v1/internal/ppp/secret"), 400, "VALIDATION_ERROR", "mikrotik_id");
	err_env(mb(tok, "POST", "{\"name\":\"b\",\"mikrotik_id\":\"v6\"}",
	    "/v1/internal/ppp/secret"), 400, "VALIDATION_ERROR", "mikrotik_id");

	/* PPP profiles */
	snprintf(body, sizeof(body), "{\"name\":\"%s\",\"rate-limit\":\"4M/8M\"}",
	    uniq(name, sizeof(name), "prof"));
	r = mb(tok, "POST", body, "/v1/internal/ppp/profile");
	ok_env(r, 201, 0);
	ck_assert_str_eq(it_str(r, "data/rate-limit"), "4M/8M");
	it_free(r);
	ck_assert(present("v7", "/ppp/profile", "name", name));
	r = mb(tok, "PUT", "{\"rate_limit\":\"6M/12M\"}", "/v1/internal/ppp/profile/%s", name);
	ok_env(r, 200, 0);
	ck_assert_str_eq(it_str(r, "data/rate-limit"), "6M/12M");
	it_free(r);
	r = mb(tok, "GET", NULL, "/v1/internal/ppp/profile/list");
	ok_env(r, 200, 1);
	it_free(r);
	r = mb(tok, "GET", NULL, "/v1/internal/ppp/profile/%s", name);
	ok_env(r, 200, 0);
	it_free(r);
	r = mb(tok, "DELETE", NULL, "/v1/internal/ppp/profile/%s", name);
	ok_env(r, 200, 0);
	it_free(r);
	ck_assert(!present("v7", "/ppp/profile", "name", name));

	/* an unreachable device answers 504 in 004's shape */
	sim_ok("POST", "{\"offline\":true}", "/routers/v6/fault");
	r = mb(tok, "GET", NULL, "/v1/internal/ppp/secret/list?mikrotik_id=%lld", dev);
	ck_assert_msg(r->status == 504 || r->status == 502, "%ld %s", r->status, r->body);
	ck_assert_int_eq(it_bool(r, "success"), 0);
	it_free(r);
	sim_ok("DELETE", NULL, "/routers/v6/fault");

	r = mb(tok, "DELETE", NULL, "/v1/internal/mikrotik/%lld", dev);
	ok_env(r, 200, 0);
	it_free(r);
	err_env(mb(tok, "GET", NULL, "/v1/internal/mikrotik/%lld", dev), 404, "NOT_FOUND", NULL);
}
END_TEST

START_TEST(test_profiles_customers_callbacks)
{
	char name[64], tok[2048], body[768], prof[64], user[64], key[128], ckey[256];
	struct misses m = { 0 };
	struct resp *r, *keep;
	long long dev, plan, cust, cust2, native_cust;
	yajl_val it;

	begin();
	mb_user(0, "admin", name, sizeof(name), tok, sizeof(tok));
	dev = mb_device(tok, "v7");
	r = mb(tok, "PATCH", NULL, "/v1/internal/mikrotik/%lld/activate", dev);
	ok_env(r, 200, 0);
	it_free(r);

	/* a system profile is a plan, synced to the active device */
	snprintf(body, sizeof(body), "{\"name\":\"%s\",\"connection_type\":\"pppoe\","
	    "\"download_speed\":10,\"upload_speed\":5,\"price\":\"2500.00\","
	    "\"billing_cycle\":\"monthly\",\"router_profile\":\"%s\"}",
	    uniq(prof, sizeof(prof), "sp"), prof);
	r = mb(tok, "POST", body, "/v1/internal/profile");
	ok_env(r, 201, 0);
	plan = it_int(r, "data/id");
	typed(&m, r, "data", "i:id s:uuid s:name s:connection_type i:download_speed s:speed");
	NO_MISSES(m);
	it_free(r);
	it = on_router(&keep, "v7", "/ppp/profile", "name", prof);
	ck_assert_msg(it && !strcmp(jstr(it, "rate-limit"), "5M/10M"), "%s", keep->body);
	it_free(keep);
	err_env(mb(tok, "POST", "{\"name\":\"x\"}", "/v1/internal/profile"), 400,
	    "VALIDATION_ERROR", "price");
	r = mb(tok, "PUT", "{\"upload_speed\":8}", "/v1/internal/profile/%lld", plan);
	ok_env(r, 200, 0);
	it_free(r);
	it = on_router(&keep, "v7", "/ppp/profile", "name", prof);
	ck_assert_msg(it && !strcmp(jstr(it, "rate-limit"), "8M/10M"), "%s", keep->body);
	it_free(keep);
	r = mb(tok, "GET", NULL, "/v1/internal/profile/list?limit=100");
	ok_env(r, 200, 1);
	ck_assert(find_int(r, "id", plan) != NULL);
	it_free(r);
	r = mb(tok, "GET", NULL, "/v1/internal/profile/%lld", plan);
	ok_env(r, 200, 0);
	it_free(r);

	/* a customer with a profile is provisioned on the device at once */
	snprintf(body, sizeof(body), "{\"name\":\"Wanjiru MB\",\"phone\":\"0722000111\","
	    "\"profile_id\":%lld,\"username\":\"%s\",\"password\":\"ppp-pw\"}", plan,
	    uniq(user, sizeof(user), "cu"));
	r = mb(tok, "POST", body, "/v1/internal/customer");
	ok_env(r, 201, 0);
	cust = it_int(r, "data/id");
	typed(&m, r, "data", "i:id s:uuid s:name s:phone s:status o:service");
	typed(&m, r, "data/service", "s:username s:status i:mikrotik_id s:profile");
	NO_MISSES(m);
	ck_assert_str_eq(it_str(r, "data/phone"), "254722000111");
	ck_assert_str_eq(it_str(r, "data/service/status"), "active");
	it_free(r);
	it = on_router(&keep, "v7", "/ppp/secret", "name", user);
	ck_assert_msg(it && !strcmp(jstr(it, "profile"), prof) && !strcmp(jstr(it, "password"),
	    "ppp-pw"), "%s", keep->body);
	it_free(keep);
	/* bad input: nothing is made */
	err_env(mb(tok, "POST", "{\"name\":\"X\",\"profile_id\":999999999}", "/v1/internal/customer"),
	    400, "VALIDATION_ERROR", "profile_id");
	err_env(mb(tok, "POST", "{\"phone\":\"0722\"}", "/v1/internal/customer"), 400,
	    "VALIDATION_ERROR", "name");

	/* a customer made through native appears here, without a service */
	r = api("POST", "{\"name\":\"Native Made\",\"phone\":\"0733000222\"}", "/api/customers/");
	EXPECT(r, 201);
	native_cust = it_int(r, "data/id");
	it_free(r);
	r = mb(tok, "GET", NULL, "/v1/internal/customer/list?limit=100");
	ok_env(r, 200, 1);
	typed(&m, r, "data", "a:customers i:total o:counts");
	typed(&m, r, "data/counts", "i:active i:suspended");
	{
		/* the tenant's figures as its rows say */
		static const char *const st[] = { "active", "inactive", "suspended", "expired" };

		for (size_t i = 0; i < 4; i++) {
			char path[64];

			snprintf(path, sizeof(path), "data/counts/%s", st[i]);
			if (it_int(r, path) != sql("SELECT COUNT(*) FROM customers WHERE tenant_id = 1 "
			    "AND deleted_at IS NULL AND status = '%s'", st[i]))
				miss(&m, "counts/%s %lld", st[i], it_int(r, path));
		}
	}
	NO_MISSES(m);
	{
		yajl_val cs = it_json(r, "data/customers");
		int seen = 0;

		for (size_t i = 0; i < jlen(cs); i++)
			seen += jint(jat(cs, i), "id") == native_cust || jint(jat(cs, i), "id") == cust;
		ck_assert_msg(seen == 2, "%s", r->body);
	}
	ck_assert_int_eq(it_int(r, "data/total"), it_int(r, "metadata/total"));
	it_free(r);
	r = mb(tok, "GET", NULL, "/v1/internal/customer/%lld", native_cust);
	ok_env(r, 200, 0);
	ck_assert(it_is_null(r, "data/service"));
	it_free(r);
	err_env(mb(tok, "GET", NULL, "/v1/internal/customer/list?limit=abc"), 400,
	    "VALIDATION_ERROR", "limit");
	r = mb(tok, "PUT", "{\"city\":\"Nairobi\"}", "/v1/internal/customer/%lld", cust);
	ok_env(r, 200, 0);
	ck_assert_str_eq(it_str(r, "data/city"), "Nairobi");
	it_free(r);

	/* ping: the live PPP session's address */
	err_env(mb(tok, "GET", NULL, "/v1/internal/customer/%lld/ping", cust), 422,
	    "BUSINESS_LOGIC_ERROR", NULL);
	snprintf(body, sizeof(body), "{\"name\":\"%s\",\"service\":\"pppoe\",\"address\":\"10.7.0.9\"}",
	    user);
	sim_ok("POST", body, "/routers/v7/menu?path=/ppp/active");
	r = mb(tok, "GET", NULL, "/v1/internal/customer/%lld/ping?count=2", cust);
	ok_env(r, 200, 0);
	typed(&m, r, "data", "s:address i:sent i:received i:packet_loss b:reachable");
	NO_MISSES(m);
	ck_assert_str_eq(it_str(r, "data/address"), "10.7.0.9");
	ck_assert_int_eq(it_int(r, "data/sent"), 2);
	it_free(r);
	err_env(mb(tok, "GET", NULL, "/v1/internal/customer/%lld/ping?count=99", cust), 400,
	    "VALIDATION_ERROR", "count");
	err_env(mb(tok, "GET", NULL, "/v1/internal/customer/%lld/ping", native_cust), 422,
	    "BUSINESS_LOGIC_ERROR", NULL);

	/* PPPoE callbacks: the router's key, or a client key of the tenant */
	r = api("GET", NULL, "/api/network/routers/%lld/", dev);
	snprintf(key, sizeof(key), "%s", it_str(r, "data/callback_key"));
	it_free(r);
	snprintf(body, sizeof(body), "{\"key\":\"%s\",\"user\":\"%s\",\"caller-id\":\"AA:00:00:00:00:01\","
	    "\"address\":\"10.7.0.9\"}", key, user);
	r = mb(NULL, "POST", body, "/v1/callbacks/pppoe/up");
	ok_env(r, 201, 0);
	ck_assert_int_eq(it_int(r, "data/mikrotik_id"), dev);
	ck_assert_str_eq(it_str(r, "data/event"), "up");
	it_free(r);
	ck_assert_int_eq(sql("SELECT COUNT(*) FROM pppoe_sessions WHERE router_id = %lld AND "
	    "username = '%s' AND event = 'up' AND caller_id = 'AA:00:00:00:00:01'", dev, user), 1);
	err_env(mb(NULL, "POST", "{\"key\":\"wrong\",\"user\":\"u\"}", "/v1/callbacks/pppoe/down"),
	    401, "UNAUTHORIZED", NULL);
	err_env(mb(NULL, "POST", "{\"user\":\"u\"}", "/v1/callbacks/pppoe/down"), 401,
	    "UNAUTHORIZED", NULL);
	err_env(mb(NULL, "POST", "{\"key\":\"x\"}", "/v1/callbacks/pppoe/down"), 400,
	    "VALIDATION_ERROR", "user");
	r = mb(tok, "POST", "{\"name\":\"cb\",\"scopes\":[\"*\"]}", "/v1/internal/client-upsert");
	snprintf(ckey, sizeof(ckey), "%s", it_str(r, "data/api_key"));
	it_free(r);
	snprintf(body, sizeof(body), "{\"mikrotik_id\":%lld,\"username\":\"%s\"}", dev, user);
	r = mbk(ckey, "POST", body, "/v1/callbacks/pppoe/down");
	ok_env(r, 201, 0);
	ck_assert_str_eq(it_str(r, "data/event"), "down");
	it_free(r);
	err_env(mbk(ckey, "POST", "{\"mikrotik_id\":999999999,\"user\":\"u\"}",
	    "/v1/callbacks/pppoe/down"), 400, "VALIDATION_ERROR", "mikrotik_id");
	err_env(mbk("bad.key", "POST", "{\"user\":\"u\"}", "/v1/callbacks/pppoe/down"), 401,
	    "UNAUTHORIZED", NULL);

	/* suspend keeps the customer and disables its secret; delete removes both */
	r = mb(tok, "DELETE", NULL, "/v1/internal/customer/%lld?action=suspend", cust);
	ok_env(r, 200, 0);
	ck_assert_str_eq(it_str(r, "data/status"), "suspended");
	it_free(r);
	it = on_router(&keep, "v7", "/ppp/secret", "name", user);
	ck_assert_msg(it && !strcmp(jstr(it, "disabled"), "true"), "%s", keep->body);
	it_free(keep);
	err_env(mb(tok, "DELETE", NULL, "/v1/internal/customer/%lld?action=explode", cust), 400,
	    "VALIDATION_ERROR", "action");
	r = mb(tok, "DELETE", NULL, "/v1/internal/customer/%lld", cust);
	ok_env(r, 200, 0);
	it_free(r);
	ck_assert(!present("v7", "/ppp/secret", "name", user));
	err_env(mb(tok, "GET", NULL, "/v1/internal/customer/%lld", cust), 404, "NOT_FOUND", NULL);

	/* a profile in use cannot go; a free one goes from the device too */
	snprintf(body, sizeof(body), "{\"name\":\"C2\",\"profile_id\":%lld}", plan);
	r = mb(tok, "POST", body, "/v1/internal/customer");
	ok_env(r, 201, 0);
	cust2 = it_int(r, "data/id");
	it_free(r);
	r = mb(tok, "DELETE", NULL, "/v1/internal/profile/%lld", plan);
	ck_assert_msg(r->status == 409 || r->status == 422 || r->status == 400, "%ld %s",
	    r->status, r->body);
	it_free(r);
	r = mb(tok, "DELETE", NULL, "/v1/internal/customer/%lld", cust2);
	ok_env(r, 200, 0);
	it_free(r);
	r = mb(tok, "DELETE", NULL, "/v1/internal/profile/%lld", plan);
	ok_env(r, 200, 0);
	it_free(r);
	ck_assert(!present("v7", "/ppp/profile", "name", prof));
}
END_TEST

/* a second tenant's admin sees none of tenant 1's rows through mikrobill */
START_TEST(test_tenant_isolation)
{
	char name[64], tok[2048], tok2[2048], su[2048], body[512], code[64];
	struct resp *r;
	long long tid, dev, cust, plan;
	char *t;

	begin();
	mb_user(0, "admin", name, sizeof(name), tok, sizeof(tok));
	dev = mb_device(tok, "v6");
	r = mb(tok, "POST", "{\"name\":\"Iso Cust\"}", "/v1/internal/customer");
	ok_env(r, 201, 0);
	cust = it_int(r, "data/id");
	it_free(r);
	r = mb(tok, "POST", "{\"name\":\"Iso plan\",\"price\":\"10.00\",\"billing_cycle\":\"monthly\"}", "/v1/internal/profile");
	ok_env(r, 201, 0);
	plan = it_int(r, "data/id");
	it_free(r);

	t = it_login_admin();
	snprintf(su, sizeof(su), "%s", t);
	free(t);
	snprintf(body, sizeof(body), "{\"name\":\"Iso %s\",\"code\":\"%s\"}",
	    uniq(code, sizeof(code), "mbi"), code);
	r = mb(su, "POST", body, "/v1/internal/tenant");
	ok_env(r, 201, 0);
	tid = it_int(r, "data/id");
	it_free(r);
	mb_user(tid, "admin", name, sizeof(name), tok2, sizeof(tok2));

	r = mb(tok2, "POST", "{}", "/v1/internal/mikrotik/list");
	ok_env(r, 200, 1);
	ck_assert_int_eq(it_int(r, "data/total"), 0);
	it_free(r);
	r = mb(tok2, "GET", NULL, "/v1/internal/customer/list");
	ok_env(r, 200, 1);
	ck_assert_int_eq(it_int(r, "data/total"), 0);
	it_free(r);
	r = mb(tok2, "GET", NULL, "/v1/internal/profile/list");
	ok_env(r, 200, 1);
	ck_assert_int_eq(it_int(r, "metadata/total"), 0);
	it_free(r);
	err_env(mb(tok2, "GET", NULL, "/v1/internal/mikrotik/active"), 404, "NOT_FOUND", NULL);
	err_env(mb(tok2, "GET", NULL, "/v1/internal/ppp/secret/list"), 404, "NOT_FOUND", NULL);
	err_env(mb(tok2, "GET", NULL, "/v1/internal/ppp/secret/list?mikrotik_id=%lld", dev), 400,
	    "VALIDATION_ERROR", "mikrotik_id");
	err_env(mb(tok2, "GET", NULL, "/v1/internal/mikrotik/%lld", dev), 404, "NOT_FOUND", NULL);
	err_env(mb(tok2, "PUT", "{\"name\":\"mine\"}", "/v1/internal/mikrotik/%lld", dev), 404,
	    "NOT_FOUND", NULL);
	err_env(mb(tok2, "PATCH", NULL, "/v1/internal/mikrotik/%lld/activate", dev), 404,
	    "NOT_FOUND", NULL);
	err_env(mb(tok2, "PATCH", "{}", "/v1/internal/mikrotik/%lld/status", dev), 404,
	    "NOT_FOUND", NULL);
	err_env(mb(tok2, "DELETE", NULL, "/v1/internal/mikrotik/%lld", dev), 404, "NOT_FOUND", NULL);
	err_env(mb(tok2, "GET", NULL, "/v1/internal/customer/%lld", cust), 404, "NOT_FOUND", NULL);
	err_env(mb(tok2, "GET", NULL, "/v1/internal/customer/%lld/ping", cust), 404, "NOT_FOUND",
	    NULL);
	err_env(mb(tok2, "PUT", "{\"name\":\"x\"}", "/v1/internal/customer/%lld", cust), 404,
	    "NOT_FOUND", NULL);
	err_env(mb(tok2, "DELETE", NULL, "/v1/internal/customer/%lld", cust), 404, "NOT_FOUND", NULL);
	err_env(mb(tok2, "GET", NULL, "/v1/internal/profile/%lld", plan), 404, "NOT_FOUND", NULL);
	err_env(mb(tok2, "DELETE", NULL, "/v1/internal/profile/%lld", plan), 404, "NOT_FOUND", NULL);
	snprintf(body, sizeof(body), "{\"name\":\"x\",\"profile_id\":%lld,\"mikrotik_id\":%lld}",
	    plan, dev);
	err_env(mb(tok2, "POST", body, "/v1/internal/customer"), 400, "VALIDATION_ERROR",
	    "profile_id");
	/* and tenant 1's rows are all still there */
	r = mb(tok, "GET", NULL, "/v1/internal/customer/%lld", cust);
	ok_env(r, 200, 0);
	it_free(r);
}
END_TEST

/* every `METHOD /v1/...` the document lists is routed (WebSockets aside) */
START_TEST(test_document_routes)
{
	static struct doc_route dr[128];
	char tok[2048], name[64];
	struct misses m = { 0 };
	int n, asked = 0;

	begin();
	mb_user(0, "admin", name, sizeof(name), tok, sizeof(tok));
	n = doc_routes("004-mikrobill.md", "", "1", dr, 128);
	for (int i = 0; i < n; i++) {
		const char *method = dr[i].method, *url = dr[i].path;
		struct resp *r;

		if (dr[i].websocket)            /* with ispbill-monitor */
			continue;
		r = mb(tok, method, !strcmp(method, "GET") || !strcmp(method, "DELETE") ? NULL : "{}",
		    "%s", url);
		asked++;
		/* routed: anything but 405, "No endpoint" or a 500 (a device
		 * that fails answers 502/504, which is routed too) */
		if (r->status == 405 || (r->status == 404 && it_str(r, "error/message") &&
		    strstr(it_str(r, "error/message"), "No endpoint")) || r->status == 500 ||
		    r->status == 503)
			miss(&m, "%s %s: %ld %s", method, url, r->status, r->body);
		if (it_bool(r, "success") < 0)
			miss(&m, "%s %s: not 004's envelope: %s", method, url, r->body);
		it_free(r);
	}
	ck_assert_int_ge(asked, 43);
	NO_MISSES(m);
}
END_TEST

Suite *
suite_mikrobill(void)
{
	Suite *s = suite_create("mikrobill");
	TCase *tc = tcase_create("mikrobill");

	tcase_set_timeout(tc, 90);
	tcase_add_test(tc, test_login_and_session);
	tcase_add_test(tc, test_tenants_and_clients);
	tcase_add_test(tc, test_devices_and_ppp);
	tcase_add_test(tc, test_profiles_customers_callbacks);
	tcase_add_test(tc, test_tenant_isolation);
	tcase_add_test(tc, test_document_routes);
	suite_add_tcase(s, tc);
	return s;
}
