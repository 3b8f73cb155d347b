/* t_foundation.c - the foundation over real nginx + MariaDB: health, the
 * request layer's refusals, login, dialect envelopes, and the worker pool's
 * life (DB restart, SIGKILLed worker, SIGHUP reload, SIGTERM drain). */
#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <jwt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "itest.h"

static void
sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

/* An ISO 8601 UTC stamp "YYYY-MM-DDTHH:MM:SSZ" */
static int
is_iso_utc(const char *s)
{
	int y, mo, d, h, mi, se;
	char z;

	return s && strlen(s) == 20 &&
	    sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%c", &y, &mo, &d, &h, &mi, &se, &z) == 7 && z == 'Z';
}

static void
assert_native_error(struct resp *r, long status, const char *code)
{
	ck_assert_int_eq(r->status, status);
	ck_assert_msg(r->json != NULL, "body is not JSON: %s", r->body);
	ck_assert_int_eq(it_bool(r, "success"), 0);
	ck_assert_str_eq(it_str(r, "error_code"), code);
	ck_assert(it_is_null(r, "data"));
	ck_assert_ptr_nonnull(it_str(r, "message"));
	ck_assert(is_iso_utc(it_str(r, "timestamp")));
	ck_assert_ptr_nonnull(it_json(r, "errors"));
}

START_TEST(health_basic)
{
	struct resp *r = it_get("/api/health/");

	ck_assert_int_eq(r->status, 200);
	ck_assert_int_eq(it_bool(r, "success"), 1);
	ck_assert_str_eq(it_str(r, "message"), "Service is healthy");
	ck_assert_str_eq(it_str(r, "data/status"), "healthy");
	ck_assert_str_eq(it_str(r, "data/version"), PACKAGE_VERSION);
	ck_assert(is_iso_utc(it_str(r, "timestamp")));
	ck_assert_ptr_null(it_json(r, "pagination"));   /* only on lists */
	{
		char *ct = it_header(r, "Content-Type");
		ck_assert_str_eq(ct, "application/json");
		free(ct);
	}
	it_free(r);
}
END_TEST

START_TEST(health_detailed)
{
	struct resp *r = it_get("/api/health/detailed/");

	ck_assert_int_eq(r->status, 200);
	ck_assert_str_eq(it_str(r, "data/status"), "healthy");
	ck_assert_str_eq(it_str(r, "data/checks/database/status"), "healthy");
	ck_assert_ptr_nonnull(it_json(r, "data/checks/database/response_time_ms"));
	ck_assert_str_eq(it_str(r, "data/checks/migrations/status"), "up_to_date");
	ck_assert_int_ge(it_int(r, "data/checks/migrations/applied_version"), 3);
	ck_assert_int_eq(it_int(r, "data/checks/migrations/applied_version"),
	    it_int(r, "data/checks/migrations/latest_version"));
	ck_assert_str_eq(it_str(r, "data/version"), PACKAGE_VERSION);
	ck_assert_int_ge(it_int(r, "data/uptime_seconds"), 0);
	ck_assert_int_gt(it_int(r, "data/worker_pid"), 1);
	it_free(r);
}
END_TEST

START_TEST(health_ready_and_live)
{
	struct resp *r = it_get("/api/health/ready/");

	ck_assert_int_eq(r->status, 200);
	ck_assert_str_eq(it_str(r, "data/status"), "ready");
	it_free(r);
	r = it_get("/api/health/live/");
	ck_assert_int_eq(r->status, 200);
	ck_assert_str_eq(it_str(r, "data/status"), "alive");
	ck_assert_int_eq(it_bool(r, "success"), 1);
	it_free(r);
	/* without the trailing slash too */
	r = it_get("/api/health/live");
	ck_assert_int_eq(r->status, 200);
	it_free(r);
}
END_TEST

START_TEST(head_has_no_body)
{
	struct resp *r = it_http(0, "HEAD", "/api/health/live/", NULL, NULL, 0, NULL);

	ck_assert_int_eq(r->status, 200);
	ck_assert_str_eq(r->body, "");
	it_free(r);
}
END_TEST

START_TEST(unknown_path_is_404)
{
	struct resp *r = it_get("/api/no/such/thing/");

	assert_native_error(r, 404, "NOT_FOUND");
	ck_assert_ptr_nonnull(it_str(r, "errors/detail"));
	it_free(r);
	r = it_get("/");
	assert_native_error(r, 404, "NOT_FOUND");
	it_free(r);
}
END_TEST

START_TEST(wrong_method_is_405_with_allow)
{
	struct resp *r = it_http(0, "DELETE", "/api/health/", NULL, NULL, 0, NULL);
	char *allow;

	assert_native_error(r, 405, "METHOD_NOT_ALLOWED");
	allow = it_header(r, "Allow");
	ck_assert_ptr_nonnull(allow);
	ck_assert_str_eq(allow, "GET, HEAD, OPTIONS");
	free(allow);
	it_free(r);
	r = it_http(0, "GET", "/api/auth/login/", NULL, NULL, 0, NULL);
	assert_native_error(r, 405, "METHOD_NOT_ALLOWED");
	allow = it_header(r, "Allow");
	ck_assert_str_eq(allow, "POST, OPTIONS");
	free(allow);
	it_free(r);
	r = it_http(0, "OPTIONS", "/api/auth/login/", NULL, NULL, 0, NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert_str_eq(it_str(r, "data/allow"), "POST, OPTIONS");
	it_free(r);
}
END_TEST

START_TEST(wrong_content_type_is_415)
{
	const char *body = "username=admin&password=x";
	struct resp *r = it_http(0, "POST", "/api/auth/login/",
	    "application/x-www-form-urlencoded", body, strlen(body), NULL);

	assert_native_error(r, 415, "UNSUPPORTED_MEDIA_TYPE");
	ck_assert_ptr_nonnull(strstr(it_str(r, "message"), "application/x-www-form-urlencoded"));
	it_free(r);
	r = it_http(0, "POST", "/api/auth/login/", "text/plain", "{}", 2, NULL);
	assert_native_error(r, 415, "UNSUPPORTED_MEDIA_TYPE");
	it_free(r);
	/* a charset parameter is fine */
	r = it_http(0, "POST", "/api/auth/login/", "application/json; charset=utf-8",
	    "{}", 2, NULL);
	ck_assert_int_eq(r->status, 400);
	ck_assert_str_eq(it_str(r, "error_code"), "VALIDATION_ERROR");
	it_free(r);
}
END_TEST

START_TEST(malformed_json_is_400_parse_error)
{
	char deep[200];
	struct resp *r = it_post("/api/auth/login/", "{\"username\": \"admin\",");

	assert_native_error(r, 400, "PARSE_ERROR");
	ck_assert_ptr_nonnull(strstr(it_str(r, "message"), "JSON parse error"));
	it_free(r);
	r = it_post("/api/auth/login/", "[1, 2]");
	assert_native_error(r, 400, "PARSE_ERROR");
	it_free(r);
	/* 33 levels: deeper than the limit */
	memset(deep, 0, sizeof(deep));
	for (int i = 0; i < 33; i++)
		strcat(deep, "[");
	for (int i = 0; i < 33; i++)
		strcat(deep, "]");
	r = it_post("/api/auth/login/", deep);
	assert_native_error(r, 400, "PARSE_ERROR");
	ck_assert_ptr_nonnull(strstr(it_str(r, "message"), "deeper than 32"));
	it_free(r);
}
END_TEST

START_TEST(oversized_body_is_413)
{
	size_t n = 1024 * 1024 + 1;
	char *big = malloc(n + 1);
	struct resp *r;

	memset(big, ' ', n);
	big[0] = '{';
	big[n - 1] = '}';
	big[n] = '\0';
	r = it_http(0, "POST", "/api/auth/login/", NULL, big, n, NULL);
	assert_native_error(r, 413, "PAYLOAD_TOO_LARGE");
	it_free(r);
	/* exactly 1 MiB is accepted (and then judged on its content) */
	big[n - 2] = '}';
	r = it_http(0, "POST", "/api/auth/login/", NULL, big, n - 1, NULL);
	ck_assert_int_eq(r->status, 400);
	ck_assert_str_eq(it_str(r, "error_code"), "VALIDATION_ERROR");
	it_free(r);
	free(big);
}
END_TEST

START_TEST(login_validation_names_fields)
{
	struct resp *r = it_post("/api/auth/login/", "{}");
	yajl_val v;

	assert_native_error(r, 400, "VALIDATION_ERROR");
	v = it_json(r, "errors/username");
	ck_assert(v && YAJL_IS_ARRAY(v) && v->u.array.len == 1);
	ck_assert_str_eq(v->u.array.values[0]->u.string, "This field is required.");
	ck_assert_ptr_nonnull(it_json(r, "errors/password"));
	it_free(r);
	r = it_post("/api/auth/login/", "{\"username\": 5, \"password\": \"\"}");
	assert_native_error(r, 400, "VALIDATION_ERROR");
	ck_assert_str_eq(it_json(r, "errors/username")->u.array.values[0]->u.string,
	    "Not a valid string.");
	ck_assert_str_eq(it_json(r, "errors/password")->u.array.values[0]->u.string,
	    "This field may not be blank.");
	it_free(r);
}
END_TEST

START_TEST(login_and_me)
{
	struct resp *r = it_post("/api/auth/login/",
	    "{\"username\": \"admin\", \"password\": \"wrong password\"}");
	char body[256], auth[4200];
	const char *hdrs[2] = { auth, NULL };

	assert_native_error(r, 401, "UNAUTHORIZED");
	ck_assert_ptr_null(strstr(r->body, "access"));
	it_free(r);

	snprintf(body, sizeof(body), "{\"email\": \"admin@example.net\", \"password\": \"%s\"}",
	    it_admin_password());
	r = it_post("/api/auth/login/", body);
	ck_assert_int_eq(r->status, 200);
	ck_assert_int_eq(it_bool(r, "success"), 1);
	ck_assert_str_eq(it_str(r, "data/user/username"), "admin");
	ck_assert_str_eq(it_str(r, "data/user/role"), "admin");
	ck_assert_str_eq(it_str(r, "data/user/user_type"), "super_admin");
	ck_assert_str_eq(it_str(r, "data/tokens/token_type"), "Bearer");
	ck_assert_int_eq(it_int(r, "data/tokens/expires_in"), 900);
	ck_assert(is_iso_utc(it_str(r, "data/expires_at")));
	ck_assert_ptr_null(strstr(r->body, "password"));
	ck_assert_ptr_null(strstr(r->body, "$argon2"));
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", it_str(r, "data/tokens/access"));
	it_free(r);

	r = it_http(0, "GET", "/api/auth/me/", NULL, NULL, 0, hdrs);
	ck_assert_int_eq(r->status, 200);
	ck_assert_str_eq(it_str(r, "data/username"), "admin");
	ck_assert_str_eq(it_str(r, "data/email"), "admin@example.net");
	ck_assert_int_eq(it_bool(r, "data/is_active"), 1);
	ck_assert(is_iso_utc(it_str(r, "data/last_login")));
	it_free(r);
}
END_TEST

static char *
read_secret(void)
{
	char path[1024], buf[256] = "";
	FILE *fp;

	snprintf(path, sizeof(path), "%s/jwt.secret", it_dir());
	fp = fopen(path, "r");
	ck_assert_ptr_nonnull(fp);
	ck_assert_ptr_nonnull(fgets(buf, sizeof(buf), fp));
	fclose(fp);
	buf[strcspn(buf, "\n")] = '\0';
	return strdup(buf);
}

/* the refresh family of a fresh admin login, read from its access token */
static char family[64];

static void
admin_family(const char *secret)
{
	char *tok = it_login_admin();
	jwt_t *j = NULL;

	ck_assert_ptr_nonnull(tok);
	ck_assert_int_eq(jwt_decode(&j, tok, (const unsigned char *)secret, (int)strlen(secret)), 0);
	snprintf(family, sizeof(family), "%s", jwt_get_grant(j, "fam"));
	jwt_free(j);
	free(tok);
}

static char *
make_token(const char *key, jwt_alg_t alg, long exp_offset, const char *type)
{
	jwt_t *j;
	char *t;

	jwt_new(&j);
	jwt_add_grant(j, "fam", family);
	jwt_add_grant_int(j, "sub", 1);
	jwt_add_grant_int(j, "tenant", 1);
	jwt_add_grant(j, "type", type);
	jwt_add_grant(j, "jti", "0123456789abcdef");
	jwt_add_grant_int(j, "iat", (long)time(NULL));
	jwt_add_grant_int(j, "exp", (long)time(NULL) + exp_offset);
	jwt_set_alg(j, alg, (const unsigned char *)key, key ? (int)strlen(key) : 0);
	t = jwt_encode_str(j);
	jwt_free(j);
	return t;
}

static long
me_status(const char *token)
{
	char auth[4200];
	const char *hdrs[2] = { auth, NULL };
	struct resp *r;
	long st;

	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
	r = it_http(0, "GET", "/api/auth/me/", NULL, NULL, 0, token ? hdrs : NULL);
	st = r->status;
	if (st == 401) {
		ck_assert_str_eq(it_str(r, "error_code"), "UNAUTHORIZED");
		char *w = it_header(r, "WWW-Authenticate");
		ck_assert_ptr_nonnull(w);
		free(w);
	}
	it_free(r);
	return st;
}

START_TEST(tokens_are_checked)
{
	char *secret = read_secret();
	char *good, *expired, *other, *none, *refresh, *tampered;

	admin_family(secret);
	good = make_token(secret, JWT_ALG_HS256, 600, "access");
	expired = make_token(secret, JWT_ALG_HS256, -10, "access");
	other = make_token("another key that is long enough to be a key!", JWT_ALG_HS256,
	    600, "access");
	none = make_token(NULL, JWT_ALG_NONE, 600, "access");
	refresh = make_token(secret, JWT_ALG_HS256, 600, "refresh");
	tampered = strdup(good);
	tampered[strlen(tampered) - 3] ^= 0x01;
	ck_assert_int_eq(me_status(good), 200);      /* the harness's admin is user 1 */
	ck_assert_int_eq(me_status(NULL), 401);
	ck_assert_int_eq(me_status("garbage"), 401);
	ck_assert_int_eq(me_status(expired), 401);
	ck_assert_int_eq(me_status(other), 401);
	ck_assert_int_eq(me_status(none), 401);
	ck_assert_int_eq(me_status(refresh), 401);
	ck_assert_int_eq(me_status(tampered), 401);
	/* a family that does not exist */
	snprintf(family, sizeof(family), "%s", "0123456789abcdef0123456789abcdef");
	free(good);
	good = make_token(secret, JWT_ALG_HS256, 600, "access");
	ck_assert_int_eq(me_status(good), 401);
	free(secret); free(good); free(expired); free(other); free(none); free(refresh);
	free(tampered);
}
END_TEST

START_TEST(request_id_is_echoed_or_made)
{
	const char *hdrs[] = { "X-Request-ID: test-abc.123", NULL };
	const char *bad[] = { "X-Request-ID: no spaces allowed", NULL };
	struct resp *r = it_http(0, "GET", "/api/health/live/", NULL, NULL, 0, hdrs);
	char *id = it_header(r, "X-Request-ID");

	ck_assert_str_eq(id, "test-abc.123");
	free(id);
	it_free(r);
	ck_assert(it_file_contains("ispbill-fcgi.log", "rid=test-abc.123 "));
	r = it_http(0, "GET", "/api/health/live/", NULL, NULL, 0, bad);
	id = it_header(r, "X-Request-ID");
	ck_assert_int_eq(strlen(id), 16);
	free(id);
	it_free(r);
}
END_TEST

START_TEST(dialects_answer_in_their_own_shape)
{
	struct resp *r;

	/* bitwave (000): FastAPI {"detail": ...} */
	r = it_http(it_port() + 1, "GET", "/api/no-such-endpoint", NULL, NULL, 0, NULL);
	ck_assert_int_eq(r->status, 404);
	ck_assert_ptr_nonnull(it_str(r, "detail"));
	ck_assert_ptr_null(it_json(r, "success"));
	it_free(r);
	/* netflow (002): {success, message} */
	r = it_http(it_port() + 2, "GET", "/api/no-such-endpoint", NULL, NULL, 0, NULL);
	ck_assert_int_eq(r->status, 404);
	ck_assert_int_eq(it_bool(r, "success"), 0);
	ck_assert_ptr_nonnull(it_str(r, "message"));
	it_free(r);
	/* ktl (003): {success, status, message, error} */
	r = it_http(it_port() + 3, "GET", "/api/v1/no-such-endpoint/", NULL, NULL, 0, NULL);
	ck_assert_int_eq(r->status, 404);
	ck_assert_int_eq(it_bool(r, "success"), 0);
	ck_assert_int_eq(it_int(r, "status"), 404);
	ck_assert_ptr_nonnull(it_json(r, "error"));
	it_free(r);
	/* mikrobill (004): {success, data, metadata, error} */
	r = it_http(it_port() + 4, "GET", "/v1/no-such-endpoint", NULL, NULL, 0, NULL);
	ck_assert_int_eq(r->status, 404);
	ck_assert_int_eq(it_bool(r, "success"), 0);
	ck_assert(it_is_null(r, "data"));
	ck_assert_str_eq(it_str(r, "error/code"), "NOT_FOUND");
	it_free(r);
}
END_TEST

START_TEST(runs_under_spawn_fcgi)
{
	struct resp *r = it_http(it_port() + 5, "GET", "/api/health/detailed/", NULL, NULL, 0, NULL);

	ck_assert_int_eq(r->status, 200);
	ck_assert_str_eq(it_str(r, "data/checks/database/status"), "healthy");
	it_free(r);
}
END_TEST

Suite *
suite_foundation(void)
{
	Suite *s = suite_create("foundation");
	TCase *t = tcase_create("http");

	tcase_set_timeout(t, 60);
	tcase_add_test(t, health_basic);
	tcase_add_test(t, health_detailed);
	tcase_add_test(t, health_ready_and_live);
	tcase_add_test(t, head_has_no_body);
	tcase_add_test(t, unknown_path_is_404);
	tcase_add_test(t, wrong_method_is_405_with_allow);
	tcase_add_test(t, wrong_content_type_is_415);
	tcase_add_test(t, malformed_json_is_400_parse_error);
	tcase_add_test(t, oversized_body_is_413);
	tcase_add_test(t, login_validation_names_fields);
	tcase_add_test(t, login_and_me);
	tcase_add_test(t, tokens_are_checked);
	tcase_add_test(t, request_id_is_echoed_or_made);
	tcase_add_test(t, dialects_answer_in_their_own_shape);
	tcase_add_test(t, runs_under_spawn_fcgi);
	suite_add_tcase(s, t);
	return s;
}

/* ---- the worker pool's life ---- */

/* pids of the processes whose parent is ppid */
static int
children_of(long ppid, long *out, int max)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int n = 0;

	while (d && (e = readdir(d)) != NULL) {
		char path[300], buf[512];
		FILE *fp;
		long pid = atol(e->d_name), pp = 0;

		if (pid <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
		if ((fp = fopen(path, "r")) == NULL)
			continue;
		if (fgets(buf, sizeof(buf), fp)) {
			char *rp = strrchr(buf, ')');
			if (rp && sscanf(rp + 2, "%*c %ld", &pp) == 1 && pp == ppid && n < max)
				out[n++] = pid;
		}
		fclose(fp);
	}
	if (d)
		closedir(d);
	return n;
}

static long
uid_of(long pid)
{
	char path[64], line[256];
	FILE *fp;
	long uid = -1;

	snprintf(path, sizeof(path), "/proc/%ld/status", pid);
	if ((fp = fopen(path, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), fp))
		if (sscanf(line, "Uid: %ld", &uid) == 1)
			break;
	fclose(fp);
	return uid;
}

START_TEST(workers_never_run_as_root)
{
	long master = it_pidfile("ispbill-fcgi.pid"), kids[16];
	int n = children_of(master, kids, 16);

	ck_assert_int_gt(master, 0);
	ck_assert_int_eq(n, 2);
	for (int i = 0; i < n; i++)
		ck_assert_int_ne(uid_of(kids[i]), 0);
}
END_TEST

START_TEST(ready_follows_the_database)
{
	struct resp *r;

	ck_assert_int_eq(it_harness("db-stop"), 0);
	for (int i = 0; i < 4; i++) {           /* every worker sees it */
		r = it_get("/api/health/ready/");
		assert_native_error(r, 503, "SERVICE_UNAVAILABLE");
		it_free(r);
	}
	r = it_get("/api/health/detailed/");
	ck_assert_int_eq(r->status, 503);
	ck_assert_str_eq(it_str(r, "data/checks/database/status"), "unhealthy");
	it_free(r);
	r = it_get("/api/health/live/");        /* alive all the same */
	ck_assert_int_eq(r->status, 200);
	it_free(r);

	ck_assert_int_eq(it_harness("db-start"), 0);
	for (int i = 0; i < 6; i++) {           /* no ispbill restart needed */
		r = it_get("/api/health/ready/");
		ck_assert_int_eq(r->status, 200);
		it_free(r);
	}
	{
		char *tok = it_login_admin();   /* prepared statements work again */
		ck_assert_ptr_nonnull(tok);
		free(tok);
	}
}
END_TEST

START_TEST(killed_worker_is_replaced)
{
	long master = it_pidfile("ispbill-fcgi.pid"), before[16], after[16], victim;
	int n;
	struct resp *r = it_get("/api/health/detailed/");

	victim = it_int(r, "data/worker_pid");
	it_free(r);
	ck_assert_int_gt(victim, 1);
	ck_assert_int_eq(children_of(master, before, 16), 2);
	ck_assert_int_eq(kill((pid_t)victim, SIGKILL), 0);
	sleep_ms(1000);
	n = children_of(master, after, 16);
	ck_assert_int_eq(n, 2);
	for (int i = 0; i < n; i++)
		ck_assert_int_ne(after[i], victim);
	for (int i = 0; i < 30; i++) {
		r = it_get("/api/health/live/");
		ck_assert_int_eq(r->status, 200);
		it_free(r);
	}
	{
		char needle[80];
		snprintf(needle, sizeof(needle), "worker %ld killed by signal 9", victim);
		ck_assert(it_file_contains("ispbill-fcgi.log", needle));
	}
}
END_TEST

static long
login_ttl(void)
{
	char body[256];
	struct resp *r;
	long ttl;

	snprintf(body, sizeof(body), "{\"username\":\"admin\",\"password\":\"%s\"}",
	    it_admin_password());
	r = it_post("/api/auth/login/", body);
	ttl = (long)it_int(r, "data/tokens/expires_in");
	it_free(r);
	return ttl;
}

START_TEST(sighup_reloads_configuration)
{
	char conf[1024], saved[1100], cmd[2400];
	long master = it_pidfile("ispbill-fcgi.pid");
	long ttl = 0;
	FILE *fp;

	snprintf(conf, sizeof(conf), "%s/ispbill.conf", it_dir());
	snprintf(saved, sizeof(saved), "%s.saved", conf);
	snprintf(cmd, sizeof(cmd), "cp %s %s", conf, saved);
	ck_assert_int_eq(system(cmd), 0);
	fp = fopen(conf, "a");
	fputs("access_ttl = 1200\n", fp);
	fclose(fp);
	ck_assert_int_eq(kill((pid_t)master, SIGHUP), 0);
	for (int i = 0; i < 30 && ttl != 1200; i++) {
		sleep_ms(100);
		ttl = login_ttl();
	}
	ck_assert_int_eq(ttl, 1200);
	/* a broken file is refused and the running configuration kept */
	fp = fopen(conf, "a");
	fputs("access_ttl = forever\n", fp);
	fclose(fp);
	kill((pid_t)master, SIGHUP);
	sleep_ms(500);
	ck_assert_int_eq(login_ttl(), 1200);
	ck_assert(it_file_contains("ispbill-fcgi.log", "reload refused"));
	snprintf(cmd, sizeof(cmd), "mv %s %s", saved, conf);
	ck_assert_int_eq(system(cmd), 0);
	kill((pid_t)master, SIGHUP);
	for (int i = 0; i < 30 && ttl != 900; i++) {
		sleep_ms(100);
		ttl = login_ttl();
	}
	ck_assert_int_eq(ttl, 900);
	ck_assert_int_eq(kill((pid_t)master, 0), 0);    /* same master throughout */
}
END_TEST

static void *
slow_login(void *arg)
{
	long *status = arg;
	char body[256];
	struct resp *r;

	snprintf(body, sizeof(body), "{\"username\":\"admin\",\"password\":\"%s\"}",
	    it_admin_password());
	r = it_post("/api/auth/login/", body);
	*status = r->status;
	it_free(r);
	return NULL;
}

START_TEST(sigterm_drains_then_exits)
{
	long master = it_pidfile("ispbill-fcgi.pid"), kids[16], status = 0;
	int n = children_of(master, kids, 16);
	pthread_t th;
	char sock[1024];

	ck_assert_int_eq(n, 2);
	/* a login (argon2id, tens of milliseconds) is in flight when TERM comes */
	pthread_create(&th, NULL, slow_login, &status);
	sleep_ms(15);
	ck_assert_int_eq(kill((pid_t)master, SIGTERM), 0);
	pthread_join(th, NULL);
	ck_assert_int_eq(status, 200);
	for (int i = 0; i < 50 && kill((pid_t)master, 0) == 0; i++)
		sleep_ms(100);
	ck_assert_int_ne(kill((pid_t)master, 0), 0);
	for (int i = 0; i < n; i++)
		ck_assert_int_ne(kill((pid_t)kids[i], 0), 0);
	snprintf(sock, sizeof(sock), "%s/fcgi.sock", it_dir());
	ck_assert_int_ne(access(sock, F_OK), 0);
	ck_assert(it_file_contains("ispbill-fcgi.log", "draining"));
	/* bring it back for whatever runs next */
	ck_assert_int_eq(it_harness("fcgi-start"), 0);
	{
		struct resp *r = it_get("/api/health/live/");
		ck_assert_int_eq(r->status, 200);
		it_free(r);
	}
}
END_TEST

/* Longest run of hex digits in a file under the test dir: refresh tokens
 * (64) and API key secrets (40) are long hex runs; request ids are 16. */
static size_t
longest_hex_run(const char *name)
{
	char path[1024];
	FILE *fp;
	size_t run = 0, best = 0;
	int c;

	snprintf(path, sizeof(path), "%s/%s", it_dir(), name);
	if ((fp = fopen(path, "r")) == NULL)
		return 0;
	while ((c = fgetc(fp)) != EOF) {
		if (isxdigit(c)) {
			if (++run > best)
				best = run;
		} else
			run = 0;
	}
	fclose(fp);
	return best;
}

START_TEST(logs_hold_no_secrets)
{
	char *secret = read_secret();

	ck_assert_uint_lt(longest_hex_run("ispbill-fcgi.log"), 32);
	ck_assert_uint_lt(longest_hex_run("nginx-access.log"), 32);

	ck_assert(!it_file_contains("ispbill-fcgi.log", it_admin_password()));
	ck_assert(!it_file_contains("ispbill-fcgi.log", secret));
	ck_assert(!it_file_contains("ispbill-fcgi.log", "eyJ"));        /* no JWT */
	ck_assert(!it_file_contains("ispbill-fcgi.log", "$argon2"));
	ck_assert(!it_file_contains("nginx-access.log", it_admin_password()));
	free(secret);
}
END_TEST

Suite *
suite_lifecycle(void)
{
	Suite *s = suite_create("lifecycle");
	TCase *t = tcase_create("pool");

	tcase_set_timeout(t, 120);
	tcase_add_test(t, workers_never_run_as_root);
	tcase_add_test(t, ready_follows_the_database);
	tcase_add_test(t, killed_worker_is_replaced);
	tcase_add_test(t, sighup_reloads_configuration);
	tcase_add_test(t, sigterm_drains_then_exits);
	tcase_add_test(t, logs_hold_no_secrets);
	suite_add_tcase(s, t);
	return s;
}
