/* people.c - users, logins and tenants through the native API, and a
 * MariaDB connection of the suite's own, shared by the suites that make
 * their own people (t_identity.c, t_billing.c, t_stats.c): a request with
 * any access token or none, logging in, making users of a type under fresh
 * names, a new tenant with its first admin; checks of one request (its
 * status, its error and the field it names, a list's size) and of the
 * server's log (no 500). */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/db.h"
#include "util/conf.h"
#include "itest.h"

/* ---- our own database connection ---- */

/* Run one statement; the first column of the first row as a number (0 when
 * there is none), or -1 on error; with out, that column as text too.  No
 * assertions: fixtures and teardowns use it too. */
long long
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
		fprintf(stderr, "itest: %s\n", err);
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
		fprintf(stderr, "itest: %s: %s\n", sql, db.errmsg);
	db_close(&db);
	arena_free(&a);
	config_free(&cfg);
	return v;
}

long long
db_do(const char *sql)
{
	return db_do_text(sql, NULL, 0);
}

/* ---- HTTP with any token ---- */

static struct resp *
vcall(const char *method, const char *tok, const char *body, const char *fmt, va_list ap)
{
	char path[4096];

	vsnprintf(path, sizeof(path), fmt, ap);
	if (tok)
		return api_as(tok, method, body, "%s", path);
	return it_http(0, method, path, NULL, body, body ? strlen(body) : 0, NULL);
}

/* A request as the holder of an access token (NULL: no credential). */
struct resp *
call_as(const char *method, const char *tok, const char *body, const char *fmt, ...)
{
	struct resp *r;
	va_list ap;

	va_start(ap, fmt);
	r = vcall(method, tok, body, fmt, ap);
	va_end(ap);
	return r;
}

/* Just the status, which must not be a 500 (nor no answer). */
long
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

/* ---- logging in, making users and tenants ---- */

void
login_tok(const char *username, const char *pw, char out[IT_TOK])
{
	char body[512];
	struct resp *r;

	snprintf(body, sizeof(body), "{\"username\":\"%s\",\"password\":\"%s\"}", username, pw);
	r = call_as("POST", NULL, body, "/api/auth/login/");
	ck_assert_msg(r->status == 200 && it_str(r, "data/tokens/access"),
	    "login %s: HTTP %ld: %.600s", username, r->status, r->body);
	snprintf(out, IT_TOK, "%s", it_str(r, "data/tokens/access"));
	it_free(r);
}

void
admin_tok(char out[IT_TOK])
{
	char *t = it_login_admin();

	ck_assert_ptr_nonnull(t);
	snprintf(out, IT_TOK, "%s", t);
	free(t);
}

long long
user_make(const char *tok, const char *username, const char *type, const char *extra)
{
	char body[2048];
	struct resp *r;
	long long id;

	snprintf(body, sizeof(body), "{\"username\":\"%s\",\"email\":\"%s@example.org\","
	    "\"password\":\"" IT_PW "\",\"password_confirm\":\"" IT_PW "\",\"user_type\":\"%s\"%s}",
	    username, username, type, extra ? extra : "");
	r = call_as("POST", tok, body, "/api/auth/users/");
	ck_assert_msg(r->status == 201, "create user %s: HTTP %ld: %.600s", username, r->status,
	    r->body);
	id = it_int(r, "data/id");
	it_free(r);
	ck_assert_int_gt(id, 0);
	return id;
}

long long
mk_named(const char *tok, const char *prefix, const char *type, char *out, size_t n)
{
	return user_make(tok, uniq(out, n, prefix), type, NULL);
}

long long
staff(const char *su, const char *type, char tok[IT_TOK])
{
	char name[64];
	long long id = mk_named(su, "bl", type, name, sizeof(name));

	login_tok(name, IT_PW, tok);
	return id;
}

void
admin_of_t1(char tok[IT_TOK])
{
	char su[IT_TOK];

	admin_tok(su);
	staff(su, "admin", tok);
}

/* ---- JSON ---- */

/* the element of an array whose key is the string v */
yajl_val
find_by(yajl_val a, const char *key, const char *v)
{
	for (size_t i = 0; i < jlen(a); i++)
		if (jstr(jat(a, i), key) && strcmp(jstr(jat(a, i), key), v) == 0)
			return jat(a, i);
	return NULL;
}

/* ---- checks ---- */

/* One request: status st (negative: anything but a 500) and, given a field,
 * an error naming it. */
void
expect_req(struct misses *m, const char *tok, const char *method, const char *path,
    const char *body, long st, const char *field)
{
	struct resp *r = call_as(method, tok, body, "%s", path);

	if ((st >= 0 && r->status != st) || r->status == 500 || r->status == 0 ||
	    (field && !names_field(r, field)))
		miss(m, "%s %s%s%s: HTTP %ld, expected %ld%s%s: %.200s", method, path, body ? " " : "",
		    body ? body : "", r->status, st, field ? " naming " : "", field ? field : "", r->body);
	it_free(r);
}

/* Every request ispbill-fcgi logged so far must not have been answered 500
 * ("... <METHOD> <path> <status> <ms>ms user=<id>"); at least min of them. */
void
expect_no_500(int min)
{
	char path[1024], line[8192], first[8192] = "";
	int requests = 0, bad = 0;
	FILE *fp;

	snprintf(path, sizeof(path), "%s/ispbill-fcgi.log", it_dir());
	fp = fopen(path, "r");
	ck_assert_ptr_nonnull(fp);
	while (fgets(line, sizeof(line), fp)) {
		char head[8192], *sp;

		if (strstr(line, "ms user=") == NULL)
			continue;
		requests++;
		/* the word before the time */
		snprintf(head, sizeof(head), "%s", line);
		*strstr(head, "ms user=") = '\0';
		if ((sp = strrchr(head, ' ')) == NULL)
			continue;
		*sp = '\0';
		if ((sp = strrchr(head, ' ')) == NULL)
			continue;
		if (strcmp(sp + 1, "500") == 0 && bad++ == 0)
			snprintf(first, sizeof(first), "%s", line);
	}
	fclose(fp);
	ck_assert_int_gt(requests, min);
	ck_assert_msg(bad == 0, "%d request(s) answered 500; the first: %s", bad, first);
}

/* A request that must answer status st; with code, refused: success false,
 * data null and that error_code; with field too, an error naming it. */
static void vanswers(int st, const char *code, const char *field, const char *method,
    const char *tok, const char *body, const char *fmt, va_list ap)
    __attribute__((format(printf, 7, 0)));

static void
vanswers(int st, const char *code, const char *field, const char *method, const char *tok,
    const char *body, const char *fmt, va_list ap)
{
	char path[4096];
	struct resp *r;

	vsnprintf(path, sizeof(path), fmt, ap);
	r = call_as(method, tok, body, "%s", path);
	ck_assert_msg(r->status == st && (code == NULL || (it_bool(r, "success") == 0 &&
	    it_is_null(r, "data") && it_str(r, "error_code") &&
	    strcmp(it_str(r, "error_code"), code) == 0)) && (field == NULL || names_field(r, field)),
	    "%s %s %s: HTTP %ld, expected %d%s%s%s%s: %.900s", method, path, body ? body : "",
	    r->status, st, code ? " " : "", code ? code : "", field ? " naming " : "",
	    field ? field : "", r->body);
	it_free(r);
}

void
answers(int st, const char *method, const char *tok, const char *body, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vanswers(st, NULL, NULL, method, tok, body, fmt, ap);
	va_end(ap);
}

void
answers_error(int st, const char *code, const char *method, const char *tok, const char *body,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vanswers(st, code, NULL, method, tok, body, fmt, ap);
	va_end(ap);
}

void
answers_field(const char *field, const char *method, const char *tok, const char *body,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vanswers(400, "VALIDATION_ERROR", field, method, tok, body, fmt, ap);
	va_end(ap);
}

/* GET fmt as tok, the path it makes left in path */
struct resp *
vget_as(char *path, size_t n, const char *tok, const char *fmt, va_list ap)
{
	vsnprintf(path, n, fmt, ap);
	return call_as("GET", tok, NULL, "%s", path);
}

/* GET a list as tok: 200 with n items in all (pagination/total_items); the
 * answer, to free. */
struct resp *
listing(long long n, const char *tok, const char *fmt, ...)
{
	char path[4096];
	struct resp *r;
	va_list ap;

	va_start(ap, fmt);
	r = vget_as(path, sizeof(path), tok, fmt, ap);
	va_end(ap);
	ck_assert_msg(r->status == 200 && total(r) == n, "GET %s: HTTP %ld with %lld items, "
	    "expected 200 with %lld: %.900s", path, r->status, total(r), n, r->body);
	return r;
}
