/* itest.h - integration test helpers: HTTP through the real nginx, JSON
 * lookups by path, and the harness for stopping and starting parts. */
#ifndef ISP_ITEST_H
#define ISP_ITEST_H

#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stddef.h>
#include <time.h>
#include <yajl/yajl_tree.h>

struct resp {
	long status;
	char *body;
	char *headers;          /* raw header block */
	yajl_val json;          /* NULL when the body is not JSON */
};

/* env from the harness */
const char *it_dir(void);
const char *it_build(void);
int         it_port(void);          /* native; +1 bitwave ... +4 mikrobill, +5 spawn-fcgi */
const char *it_admin_password(void);
/* the RouterOS simulator: its control port, and a simulated router's API port */
int         it_sim_control_port(void);
int         it_sim_port(const char *router);
const char *it_env(const char *name);       /* a value of DIR/env, or exit */

/* One request.  port 0 means native.  body may be NULL; ctype NULL means
 * application/json when there is a body.  hdrs: NULL-terminated extra
 * header lines.  Returns a response to free with it_free. */
struct resp *it_http(int port, const char *method, const char *path, const char *ctype,
    const char *body, size_t body_len, const char *const *hdrs);
struct resp *it_get(const char *path);
/* Call from this local address (127.0.0.2: nginx sees REMOTE_ADDR
 * 127.0.0.2) until it_source(NULL). */
void         it_source(const char *addr);
struct resp *it_post(const char *path, const char *json);
void         it_free(struct resp *r);
/* The value of a response header (case-insensitive name), malloc'd, or NULL. */
char *it_header(const struct resp *r, const char *name);

/* JSON by slash path: "data/checks/database/status". */
yajl_val    it_json(const struct resp *r, const char *path);
const char *it_str(const struct resp *r, const char *path);     /* NULL unless a string */
long long   it_int(const struct resp *r, const char *path);     /* LLONG_MIN unless an integer */
int         it_bool(const struct resp *r, const char *path);    /* -1 unless a boolean */
int         it_is_null(const struct resp *r, const char *path);

/* Run "harness CMD DIR [BUILD]"; 0 on success. */
int it_harness(const char *cmd);
/* a shell command's exit status (-1: none), its output in out */
int it_run(const char *cmd, char *out, size_t n);
/* Read a pid file under the test dir; 0 if absent. */
long it_pidfile(const char *name);
/* Does a file under the test dir contain the text? */
int it_file_contains(const char *name, const char *text);

/* A fresh access token for admin. */
char *it_login_admin(void);

/* helpers.c */
char       *uniq(char *buf, size_t n, const char *prefix);    /* "<prefix><pid>x<n>" */
char       *urlenc(const char *s, char *out, size_t n);
time_t      iso_time(const char *s);                        /* 0 if not "YYYY-MM-DDTHH:MM:SSZ" */
int         names_field(const struct resp *r, const char *field);
yajl_val    jget(yajl_val o, const char *key);
const char *jstr(yajl_val o, const char *key);
const char *jnum(yajl_val o, const char *key);         /* a number's text */
long long   jint(yajl_val o, const char *key);
size_t      jlen(yajl_val a);
yajl_val    jat(yajl_val a, size_t i);
yajl_val    items(const struct resp *r);                    /* data array of a list */
long long   total(const struct resp *r);                    /* pagination/total_items */
yajl_val    find_int(const struct resp *r, const char *key, long long v);

/* Table-driven checks go on past a miss, so that one bug hides no other. */
struct misses {
	int n;
	char text[6000];
};
void miss(struct misses *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* One `METHOD path` of a seed document (file name in ../shared/seeds/):
 * base in front, path parameters made sample, WebSocket ones marked.
 * Returns how many, PUT/PATCH split, repeats kept once. */
struct doc_route {
	char method[8];
	char path[512];
	int websocket;
};
int doc_routes(const char *doc, const char *base, const char *sample, struct doc_route *out,
    int max);
/* all of them on stderr; check's message carries what fits */
#define NO_MISSES(m) do { \
	if ((m).n) \
		fprintf(stderr, "%d case(s) went wrong:\n  %s\n", (m).n, (m).text); \
	ck_assert_msg((m).n == 0, "%d case(s) went wrong:\n  %.3500s", (m).n, (m).text); \
} while (0)

/* suites */
Suite *suite_foundation(void);
Suite *suite_lifecycle(void);
Suite *suite_db(void);
Suite *suite_identity(void);
Suite *suite_billing(void);
Suite *suite_stats(void);
Suite *suite_routers(void);
Suite *suite_mpesa(void);
Suite *suite_mpesa_reports(void);
Suite *suite_bitwave(void);
Suite *suite_ktl(void);
Suite *suite_mikrobill(void);
Suite *suite_native_extras(void);
Suite *suite_netflow(void);
Suite *suite_dialects(void);

/* world.c: a fresh admin of tenant 1 per test (begin), whose token api() uses;
 * the API through nginx with it; the RouterOS simulator's control API; one
 * number from the test database; the ispbill CLI (exit status, output) */
void         begin(void);
struct resp *api(const char *method, const char *body, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
struct resp *api_as(const char *tok, const char *method, const char *body, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
struct resp *sim(const char *method, const char *body, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void         sim_ok(const char *method, const char *body, const char *path);
long long    sql(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int          cli(const char *args, char *out, size_t n);
struct resp *api_on(int port, const char *tok, const char *method, const char *body,
    const char *fmt, ...) __attribute__((format(printf, 5, 6)));
long long    made(const char *path, const char *body);       /* POST, 201, the id */
long long    made_as(const char *tok, const char *path, const char *body);
long long    router_rec(const char *sim_name, int tls);      /* a record for a sim router */
long long    router_rec_as(const char *tok, const char *sim_name, int tls);
int          sent(const char *router, const char *cmd, const char *w);
yajl_val     on_router(struct resp **keep, const char *router, const char *menu,
    const char *key, const char *value);
int          present(const char *router, const char *menu, const char *key, const char *value);
void         expect_error(struct resp *r, int st, const char *code);

/* world.c: a new tenant made by the super admin su, and its first admin
 * (password TENANT_PW) logged in natively; another user of a tenant */
#define TENANT_PW "It-Passw0rd-one"      /* people.c's IT_PW too */
struct tenant {
	long long id;
	long long admin_id;
	char code[64];
	char admin[64];
	char tok[2048];
};
void         tenant_make(const char *su, struct tenant *t);
long long    tenant_user(const char *su, long long tenant, const char *type, char *name,
    size_t nn, char *tok, size_t nt);

/* world.c: the money loop against the simulators.  A simulator's control
 * API (its port from DIR/env: DARAJA, SMSSIM); M-Pesa and SMS set up for
 * tenant 1 with the simulators' state forgotten (begin() included); a fresh
 * phone (07..., 2547...) and device (MAC, its hotspot user name); a 1-hour
 * hotspot plan at 50 and a record for simulated router v6; a new guest
 * buying it, Daraja doing outcome (a /outcomes default, NULL: as set): the
 * transaction's id; its status once it left pending (or "pending" after 8 s). */
#define DARAJA "ISPBILL_TEST_DARAJA_PORT"
#define SMSSIM "ISPBILL_TEST_SMS_PORT"
struct resp *ctl(const char *port_env, const char *method, const char *body, const char *fmt,
    ...) __attribute__((format(printf, 4, 5)));
void         ctl_ok(const char *port_env, const char *method, const char *body,
    const char *path);
void         money_world(void);
void         new_phone(char *local, char *intl);
void         new_mac(char *mac, char *user);
void         hotspot_offer(long long *plan, long long *router);
long long    guest_buys(long long plan, long long router, const char *outcome, char local[16],
    char intl[16], char mac[32], char user[32], char checkout[80]);
const char  *settled(long long tx);
#define EXPECT(r, st) ck_assert_msg((r)->status == (st), "HTTP %ld, expected %d: %.900s", \
	(r)->status, (st), (r)->body)

/* people.c: users, logins and tenants through the native API, and checks of
 * single requests, for suites that make their own people (t_identity,
 * t_billing, t_stats); a MariaDB connection of the suite's own
 * (db_do: the first column of the first row as a number, 0 with none, -1
 * on error; no assertions, so teardowns may use it) */
#define IT_PW   "It-Passw0rd-one"       /* every user people.c makes has it */
#define IT_TOK  2048                    /* room for an access token */
long long    db_do_text(const char *sql, char *out, size_t n);  /* out: the value as text */
long long    db_do(const char *sql);
/* a request with an access token, or with no credential (tok NULL) */
struct resp *call_as(const char *method, const char *tok, const char *body, const char *fmt,
    ...) __attribute__((format(printf, 4, 5)));
long         status_of(const char *method, const char *tok, const char *body, const char *fmt,
    ...) __attribute__((format(printf, 4, 5)));       /* just the status, never a 500 */
void         login_tok(const char *username, const char *pw, char out[IT_TOK]);
void         admin_tok(char out[IT_TOK]);                       /* the super admin's */
/* a user made as tok with password IT_PW; extra: more members (",\"k\":v") or NULL */
long long    user_make(const char *tok, const char *username, const char *type,
    const char *extra);
long long    mk_named(const char *tok, const char *prefix, const char *type, char *out,
    size_t n);                                      /* a fresh name, given in out */
long long    staff(const char *su, const char *type, char tok[IT_TOK]);   /* logged in */
void         admin_of_t1(char tok[IT_TOK]);     /* a fresh admin of tenant 1, logged in */
yajl_val     find_by(yajl_val a, const char *key, const char *v);  /* a's item with key = v */
/* one request, a miss unless it answers st (negative: anything but a 500) and,
 * given a field, an error naming it; no request ispbill-fcgi logged so far
 * answered 500, and more than min were logged */
void         expect_req(struct misses *m, const char *tok, const char *method,
    const char *path, const char *body, long st, const char *field);
void         expect_no_500(int min);
/* a request (as call_as) that must answer status st; EXPECT_ERROR(st, code);
 * a 400 VALIDATION_ERROR naming field (EXPECT_FIELD) */
void         answers(int st, const char *method, const char *tok, const char *body,
    const char *fmt, ...) __attribute__((format(printf, 5, 6)));
void         answers_error(int st, const char *code, const char *method, const char *tok,
    const char *body, const char *fmt, ...) __attribute__((format(printf, 6, 7)));
void         answers_field(const char *field, const char *method, const char *tok,
    const char *body, const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* GET fmt as tok, the path it makes left in path */
struct resp *vget_as(char *path, size_t n, const char *tok, const char *fmt, va_list ap)
	__attribute__((format(printf, 4, 0)));
/* GET a list: 200 with n items in all; the answer, to free */
struct resp *listing(long long n, const char *tok, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* a native error: the status, success false, data null, the error_code */
#define EXPECT_ERROR(r, st, code) do { \
	EXPECT(r, st); \
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

#endif
