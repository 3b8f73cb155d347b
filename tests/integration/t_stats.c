/* t_stats.c - billing statistics over real nginx + MariaDB: 001's groups,
 * trends and analytics, 002's dashboard and revenue report, 000's plan
 * performance.  Each test makes its own tenant (and reseller) through the
 * API and seeds its rows with SQL through our own MariaDB connection, so no
 * other suite disturbs the figures.  Every figure is checked against the
 * values seeded or against an independent aggregation in MariaDB; sums to
 * the cent by their exact decimal text. */
#include "config.h"

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



/* ---- our own MariaDB connection, one per test (checked fixture) ---- */

static struct config cfg;
static struct db tdb;
static struct arena ta;

static void
sql_open(void)
{
	char path[1024], err[256];

	memset(&cfg, 0, sizeof(cfg));
	snprintf(path, sizeof(path), "%s/ispbill.conf", it_dir());
	ck_assert_msg(config_load(&cfg, path, err, sizeof(err)) == 0, "%s", err);
	arena_init(&ta);
	db_init(&tdb, &cfg, 0);
}

static void
sql_close(void)
{
	db_close(&tdb);
	arena_free(&ta);
	config_free(&cfg);
}

static void sql_rows(struct db_result *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static long long sql_exec(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static long long sql_int(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static const char *sql_text(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
vrows(struct db_result *r, const char *fmt, va_list ap)
{
	char *sql = arena_vprintf(&ta, fmt, ap);

	memset(r, 0, sizeof(*r));
	ck_assert_msg(db_query(&tdb, &ta, sql, NULL, 0, r) == 0, "%s: %s", sql, tdb.errmsg);
}

static void
sql_rows(struct db_result *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vrows(r, fmt, ap);
	va_end(ap);
}

/* a statement; its insert id */
static long long
sql_exec(const char *fmt, ...)
{
	struct db_result r;
	va_list ap;

	va_start(ap, fmt);
	vrows(&r, fmt, ap);
	va_end(ap);
	return (long long)r.insert_id;
}

/* the first column of the first row as a number (0 without one) */
static long long
sql_int(const char *fmt, ...)
{
	struct db_result r;
	va_list ap;

	va_start(ap, fmt);
	vrows(&r, fmt, ap);
	va_end(ap);
	return db_val_int(&r, 0, 0, 0);
}

/* ... as text (NULL for SQL NULL), in the test's arena */
static const char *
sql_text(const char *fmt, ...)
{
	struct db_result r;
	va_list ap;

	va_start(ap, fmt);
	vrows(&r, fmt, ap);
	va_end(ap);
	return r.nrows ? db_val(&r, 0, 0) : NULL;
}

/* "Today" and "this month" are UTC days: keep a test off midnight. */
static void
clear_of_midnight(void)
{
	time_t now = time(NULL);

	if (now % 86400 > 86400 - 30)
		sleep((unsigned)(86400 - now % 86400 + 1));
}

/* ---- HTTP ---- */

static struct resp *ok(const char *tok, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* GET as tok: 200 in 001's envelope; the answer, to free */
static struct resp *
ok(const char *tok, const char *fmt, ...)
{
	char path[2048];
	struct resp *r;
	va_list ap;

	va_start(ap, fmt);
	r = vget_as(path, sizeof(path), tok, fmt, ap);
	va_end(ap);
	ck_assert_msg(r->status == 200 && it_bool(r, "success") == 1 && it_str(r, "timestamp") &&
	    it_str(r, "message"), "GET %s: HTTP %ld, expected 200 in 001's envelope: %.600s", path,
	    r->status, r->body);
	return r;
}


/* ---- JSON ---- */

static int
jdouble(yajl_val o, const char *key, double *out)
{
	const char *t = jnum(o, key);

	if (t == NULL)
		return 0;
	*out = strtod(t, NULL);
	return 1;
}

/* "1234.56" to cents, exactly */
static long long
cents(const char *s)
{
	long long v = 0;
	int neg = 0, frac = -1;

	if (s == NULL)
		return LLONG_MIN;
	if (*s == '-') {
		neg = 1;
		s++;
	}
	for (; *s; s++) {
		if (*s == '.') {
			frac = 0;
			continue;
		}
		v = v * 10 + (*s - '0');
		if (frac >= 0)
			frac++;
	}
	for (frac = frac < 0 ? 0 : frac; frac < 2; frac++)
		v *= 10;
	return neg ? -v : v;
}

#define EQ_INT(o, key, want) do { \
	long long got_ = jint(o, key), want_ = (want); \
	ck_assert_msg(got_ == want_, "%s: %lld, expected %lld", (key), got_, want_); \
} while (0)

/* integers of one object, a table of { key, value }: EQ_INTS(o, { "a", 1 }, { "b", 2 }) */
struct want {
	const char *key;
	long long v;
};

static void
eq_ints(int line, yajl_val o, const struct want *w, size_t n)
{
	for (size_t i = 0; i < n; i++)
		ck_assert_msg(jint(o, w[i].key) == w[i].v, "line %d: %s: %lld, expected %lld", line,
		    w[i].key, jint(o, w[i].key), w[i].v);
}

#define EQ_INTS(o, ...) do { \
	const struct want want_[] = { __VA_ARGS__ }; \
	eq_ints(__LINE__, o, want_, sizeof(want_) / sizeof(want_[0])); \
} while (0)

#define EQ_STR(o, key, want) do { \
	const char *got_ = jstr(o, key); \
	ck_assert_msg(got_ && strcmp(got_, (want)) == 0, "%s: \"%s\", expected \"%s\"", (key), \
	    got_ ? got_ : "(none)", (want)); \
} while (0)

#define EQ_NULL(o, key) \
	ck_assert_msg(jget(o, key) && YAJL_IS_NULL(jget(o, key)), "%s: expected null", (key))

/* an exact decimal, by its text, and its float twin (fkey, may be NULL) */
static void
eq_money(yajl_val o, const char *key, const char *fkey, const char *want)
{
	const char *got = jnum(o, key);
	double f;

	ck_assert_msg(got && strcmp(got, want) == 0, "%s: %s, expected %s", key,
	    got ? got : "(none)", want);
	if (fkey) {
		ck_assert_msg(jdouble(o, fkey, &f), "%s: missing", fkey);
		f -= strtod(want, NULL);
		ck_assert_msg(f < 0.005 && f > -0.005, "%s: %s, expected %s", fkey, jnum(o, fkey),
		    want);
	}
}

static void
eq_float(yajl_val o, const char *key, double want)
{
	double got;

	ck_assert_msg(jdouble(o, key, &got), "%s: missing", key);
	got -= want;
	ck_assert_msg(got < 0.0000001 && got > -0.0000001, "%s: %s, expected %.2f", key,
	    jnum(o, key), want);
}

/* ---- tenants and users through the API ---- */

struct world {
	long long tenant;
	long long admin_id, reseller_id;
	char admin[IT_TOK];             /* tokens */
	char reseller[IT_TOK];
};

/* A new tenant with its admin and one reseller, all logged in. */
static void
world_make(struct world *w)
{
	char su[IT_TOK], name[64];
	struct tenant t;

	memset(w, 0, sizeof(*w));
	admin_tok(su);
	tenant_make(su, &t);
	w->tenant = t.id;
	w->admin_id = t.admin_id;
	snprintf(w->admin, sizeof(w->admin), "%s", t.tok);
	w->reseller_id = user_make(w->admin, uniq(name, sizeof(name), "sres"), "reseller_admin",
	    NULL);
	login_tok(name, IT_PW, w->reseller);
}

/* ---- the known data set ----
 * Small enough to count by hand; every expected figure below follows from
 * these rows (see each check). */

struct known {
	long long p1, p2, p3, c1, c2, c5;
	char today[11], back40[11], month_back40[8], this_month[8];
};

#define TODAY  "UTC_DATE() + INTERVAL 1 SECOND"
#define BACK40 "UTC_DATE() - INTERVAL 40 DAY + INTERVAL 12 HOUR"

static long long
plan(long long t, const char *name, const char *price, const char *dv, const char *du,
    const char *cycle, int active, int featured, int popular, int deleted)
{
	return sql_exec("INSERT INTO plans (uuid, tenant_id, name, price, duration_value, "
	    "duration_unit, billing_cycle, is_active, is_featured, is_popular, deleted_at) "
	    "VALUES (UUID(), %lld, '%s', %s, %s, %s, %s, %d, %d, %d, %s)", t, name, price, dv, du,
	    cycle, active, featured, popular, deleted ? "UTC_TIMESTAMP(6)" : "NULL");
}

static long long
router(long long t, long long owner, const char *name, const char *type, const char *status,
    int deleted)
{
	char own[32];

	snprintf(own, sizeof(own), owner ? "%lld" : "NULL", owner);
	return sql_exec("INSERT INTO routers (uuid, tenant_id, owner_id, name, host, router_type, "
	    "status, callback_key, deleted_at) VALUES (UUID(), %lld, %s, '%s', '10.0.0.1', '%s', "
	    "'%s', MD5(UUID()), %s)", t, own, name, type, status,
	    deleted ? "UTC_TIMESTAMP(6)" : "NULL");
}

static long long
customer(long long t, long long owner, const char *acct, const char *status, const char *created,
    int deleted)
{
	char own[32];

	snprintf(own, sizeof(own), owner ? "%lld" : "NULL", owner);
	return sql_exec("INSERT INTO customers (uuid, tenant_id, owner_id, account_number, name, "
	    "status, created_at, deleted_at) VALUES (UUID(), %lld, %s, '%s', 'Customer %s', '%s', "
	    "%s, %s)", t, own, acct, acct, status, created, deleted ? "UTC_TIMESTAMP(6)" : "NULL");
}

static void
sub(long long t, long long c, long long p, long long rt, const char *user, const char *status,
    const char *created, long long data)
{
	char r[32];

	snprintf(r, sizeof(r), rt ? "%lld" : "NULL", rt);
	sql_exec("INSERT INTO subscriptions (uuid, tenant_id, customer_id, plan_id, router_id, "
	    "username, status, created_at, data_used) VALUES (UUID(), %lld, %lld, %lld, %s, '%s', "
	    "'%s', %s, %lld)", t, c, p, r, user, status, created, data);
}

static void
invoice(long long t, long long c, const char *num, const char *status, const char *total,
    const char *paid, const char *issued)
{
	sql_exec("INSERT INTO invoices (uuid, tenant_id, customer_id, invoice_number, status, "
	    "total_amount, paid_amount, issue_date, due_date) VALUES (UUID(), %lld, %lld, '%s', "
	    "'%s', %s, %s, DATE(%s), DATE(%s) + INTERVAL 14 DAY)", t, c, num, status, total, paid,
	    issued, issued);
}

static void
payment(long long t, long long c, long long p, const char *num, const char *method,
    const char *status, const char *amount, const char *when)
{
	char pl[32];

	snprintf(pl, sizeof(pl), p ? "%lld" : "NULL", p);
	sql_exec("INSERT INTO payments (uuid, tenant_id, customer_id, plan_id, payment_number, "
	    "amount, payment_method, status, payment_date) VALUES (UUID(), %lld, %lld, %s, '%s', "
	    "%s, '%s', '%s', %s)", t, c, pl, num, amount, method, status, when);
}

static void
known_seed(const struct world *w, struct known *k)
{
	long long t = w->tenant, r = w->reseller_id;
	long long c3, c4, c6, c7, r1, r2, r3, r4;

	memset(k, 0, sizeof(*k));
	clear_of_midnight();
	snprintf(k->today, sizeof(k->today), "%s", sql_text("SELECT UTC_DATE()"));
	snprintf(k->back40, sizeof(k->back40), "%s",
	    sql_text("SELECT UTC_DATE() - INTERVAL 40 DAY"));
	snprintf(k->this_month, sizeof(k->this_month), "%.7s", k->today);
	snprintf(k->month_back40, sizeof(k->month_back40), "%.7s", k->back40);

	/* plans: 3 live (2 active, 1 featured, 1 popular), 1 deleted */
	k->p1 = plan(t, "Basic", "50.00", "1", "'hours'", "NULL", 1, 1, 0, 0);
	k->p2 = plan(t, "Premium", "1500.00", "NULL", "NULL", "'monthly'", 1, 0, 1, 0);
	k->p3 = plan(t, "Old", "10.00", "NULL", "NULL", "NULL", 0, 0, 0, 0);
	plan(t, "Gone", "5.00", "NULL", "NULL", "NULL", 1, 1, 1, 1);

	/* routers: one of each type and status; R2 the reseller's; R4 deleted */
	r1 = router(t, 0, "R1", "mikrotik", "online", 0);
	r2 = router(t, r, "R2", "cisco", "offline", 0);
	r3 = router(t, 0, "R3", "other", "maintenance", 0);
	r4 = router(t, 0, "R4", "mikrotik", "online", 1);

	/* customers: 6 live (C2, C3 the reseller's), C7 deleted */
	k->c1 = customer(t, 0, "C1", "active", "UTC_TIMESTAMP(6)", 0);
	k->c2 = customer(t, r, "C2", "active", "UTC_TIMESTAMP(6)", 0);
	c3 = customer(t, r, "C3", "inactive", BACK40, 0);
	c4 = customer(t, 0, "C4", "suspended", BACK40, 0);
	k->c5 = customer(t, 0, "C5", "cancelled", BACK40, 0);
	c6 = customer(t, 0, "C6", "expired", BACK40, 0);
	c7 = customer(t, r, "C7", "active", BACK40, 1);
	(void)c7;

	sub(t, k->c1, k->p1, r1, "s1", "active", "UTC_TIMESTAMP(6)", 1000);
	sub(t, k->c2, k->p1, r2, "s2", "active", "UTC_TIMESTAMP(6)", 2000);
	sub(t, k->c2, k->p2, r2, "s3", "active", BACK40, 4000);
	sub(t, c3, k->p2, r1, "s4", "suspended", BACK40, 8000);
	sub(t, c4, k->p2, 0, "s5", "inactive", BACK40, 16000);
	sub(t, k->c5, k->p3, r3, "s6", "cancelled", BACK40, 32000);
	sub(t, c6, k->p1, r4, "s7", "pending", BACK40, 64000);
	sub(t, k->c1, k->p2, r1, "s8", "expired", BACK40, 128000);

	invoice(t, k->c1, "I1", "paid", "100.00", "100.00", TODAY);
	invoice(t, k->c1, "I2", "pending", "200.50", "50.25", TODAY);
	invoice(t, k->c2, "I3", "overdue", "300.00", "0", BACK40);
	invoice(t, c3, "I4", "cancelled", "999.99", "0", TODAY);
	invoice(t, c4, "I5", "draft", "55.55", "0", TODAY);
	invoice(t, k->c2, "I6", "paid", "49.99", "49.99", BACK40);

	payment(t, k->c1, k->p1, "Y1", "mpesa", "completed", "50.00", TODAY);
	payment(t, k->c2, k->p2, "Y2", "mpesa", "completed", "1500.00", TODAY);
	payment(t, k->c2, k->p2, "Y3", "cash", "completed", "1500.00", BACK40);
	payment(t, c3, k->p1, "Y4", "mpesa", "failed", "50.00", TODAY);
	payment(t, c4, 0, "Y5", "cash", "pending", "20.00", TODAY);
	payment(t, k->c1, k->p1, "Y6", "bank_transfer", "refunded", "50.00", TODAY);
	payment(t, k->c5, k->p1, "Y7", "mpesa", "completed", "0.01", TODAY);

	sql_exec("INSERT INTO tickets (uuid, tenant_id, ticket_number, customer_id, subject, status) "
	    "VALUES (UUID(), %lld, 'T1', %lld, 's', 'open'), (UUID(), %lld, 'T2', %lld, 's', "
	    "'in_progress'), (UUID(), %lld, 'T3', %lld, 's', 'resolved'), (UUID(), %lld, 'T4', "
	    "NULL, 's', 'closed'), (UUID(), %lld, 'T5', NULL, 's', 'open')",
	    t, k->c1, t, k->c2, t, k->c2, t, t);
	for (int i = 1; i <= 7; i++)
		sql_exec("INSERT INTO leads (uuid, tenant_id, name, email, phone, status, assigned_to, "
		    "created_at) VALUES (UUID(), %lld, 'Lead %d', 'l%d@example.org', '25470000000%d', "
		    "'%s', %s, UTC_TIMESTAMP(6) - INTERVAL %d MINUTE)", t, i, i, i,
		    i == 3 ? "contacted" : "new", i == 6 ? arena_printf(&ta, "%lld", r) : "NULL",
		    10 * i);
}

/* the whole tenant, seen by its admin */
static void
check_dashboard(yajl_val d)
{
	EQ_INTS(d, { "total_customers", 6 }, { "active_customers", 2 },
	    { "total_subscriptions", 8 }, { "active_subscriptions", 3 });
	eq_money(d, "total_monthly_revenue", "total_monthly_revenue_float", "1550.01");
	EQ_INTS(d, { "total_routers", 3 }, { "online_routers", 1 }, { "total_invoices", 6 },
	    { "pending_invoices", 1 }, { "overdue_invoices", 1 }, { "total_payments", 7 },
	    { "successful_payments", 4 });
}

static void
check_customers(yajl_val d)
{
	EQ_INTS(d, { "total_customers", 6 }, { "active_customers", 2 }, { "inactive_customers", 1 },
	    { "suspended_customers", 1 }, { "cancelled_customers", 1 },
	    { "new_customers_this_month", 2 }, { "customers_with_active_subscriptions", 2 });
}

static void
check_subscriptions(yajl_val d)
{
	EQ_INTS(d, { "total_subscriptions", 8 }, { "active_subscriptions", 3 },
	    { "inactive_subscriptions", 1 }, { "suspended_subscriptions", 1 },
	    { "cancelled_subscriptions", 1 }, { "pending_subscriptions", 1 },
	    { "new_subscriptions_this_month", 2 });
	eq_money(d, "total_monthly_revenue", "total_monthly_revenue_float", "1550.01");
}

static void
check_plans(yajl_val d)
{
	EQ_INTS(d, { "total_plans", 3 }, { "active_plans", 2 }, { "featured_plans", 1 },
	    { "popular_plans", 1 });
	EQ_STR(d, "most_popular_plan", "Basic");        /* 2 active subscriptions against 1 */
	EQ_STR(d, "highest_revenue_plan", "Premium");   /* 3000.00 against 50.01 */
	eq_money(d, "total_monthly_revenue", "total_monthly_revenue_float", "1550.01");
}

static void
check_routers(yajl_val d)
{
	EQ_INTS(d, { "total_routers", 3 }, { "online_routers", 1 }, { "offline_routers", 1 },
	    { "maintenance_routers", 1 }, { "mikrotik_routers", 1 }, { "cisco_routers", 1 },
	    { "other_routers", 1 });
	/* R1: 1000 + 8000 + 128000, R2: 2000 + 4000, R3: 32000 */
	EQ_INT(d, "total_bandwidth_usage", 175000);
	eq_float(d, "total_bandwidth_usage_float", 175000.0);
}

static void
check_invoices(yajl_val d)
{
	EQ_INTS(d, { "total_invoices", 6 }, { "pending_invoices", 1 }, { "paid_invoices", 2 },
	    { "overdue_invoices", 1 }, { "cancelled_invoices", 1 });
	/* billed: I1, I2, I3, I6 */
	eq_money(d, "total_amount", "total_amount_float", "650.49");
	eq_money(d, "paid_amount", "paid_amount_float", "200.24");
	eq_money(d, "pending_amount", "pending_amount_float", "150.25");
	eq_money(d, "overdue_amount", "overdue_amount_float", "300.00");
	eq_money(d, "avg_invoice_amount", "avg_invoice_amount_float", "162.62");
	eq_float(d, "collection_rate", 30.78);
}

static void
check_payments(yajl_val d)
{
	EQ_INTS(d, { "total_payments", 7 }, { "successful_payments", 4 }, { "failed_payments", 1 },
	    { "pending_payments", 1 });
	eq_money(d, "total_amount", "total_amount_float", "3170.01");
	eq_money(d, "successful_amount", "successful_amount_float", "3050.01");
	eq_money(d, "avg_payment_amount", "avg_payment_amount_float", "762.50");
	eq_float(d, "success_rate", 57.14);
}

static void
check_methods(yajl_val a)
{
	ck_assert_int_eq(jlen(a), 3);
	EQ_STR(jat(a, 0), "method", "mpesa");          /* most used first */
	EQ_INT(jat(a, 0), "count", 4);
	eq_money(jat(a, 0), "total_amount", "total_amount_float", "1550.01");
	eq_float(jat(a, 0), "success_rate", 75.0);
	EQ_STR(jat(a, 1), "method", "cash");
	EQ_INT(jat(a, 1), "count", 2);
	eq_money(jat(a, 1), "total_amount", "total_amount_float", "1500.00");
	eq_float(jat(a, 1), "success_rate", 50.0);
	EQ_STR(jat(a, 2), "method", "bank_transfer");
	EQ_INT(jat(a, 2), "count", 1);
	eq_money(jat(a, 2), "total_amount", "total_amount_float", "0.00");
	eq_float(jat(a, 2), "success_rate", 0.0);
}

static void
check_top(yajl_val a, const struct known *k)
{
	ck_assert_int_eq(jlen(a), 3);
	EQ_INT(jat(a, 0), "customer_id", k->c2);
	EQ_STR(jat(a, 0), "customer_name", "Customer C2");
	eq_money(jat(a, 0), "total_amount", "total_amount_float", "3000.00");
	EQ_INT(jat(a, 0), "invoice_count", 2);
	EQ_INT(jat(a, 0), "subscription_count", 2);
	EQ_INT(jat(a, 1), "customer_id", k->c1);
	eq_money(jat(a, 1), "total_amount", "total_amount_float", "50.00");
	EQ_INT(jat(a, 1), "invoice_count", 2);
	EQ_INT(jat(a, 1), "subscription_count", 2);
	EQ_INT(jat(a, 2), "customer_id", k->c5);
	eq_money(jat(a, 2), "total_amount", "total_amount_float", "0.01");
	EQ_INT(jat(a, 2), "invoice_count", 0);
	EQ_INT(jat(a, 2), "subscription_count", 1);
}

/* days: today is last; 40 days back has Y3, I3 and I6 */
static void
check_daily(yajl_val a, const struct known *k, size_t n)
{
	yajl_val d;
	long long count = 0;

	ck_assert_int_eq(jlen(a), n);
	d = jat(a, n - 1);
	EQ_STR(d, "date", k->today);
	EQ_INT(d, "payment_count", 6);
	EQ_INT(d, "successful_count", 3);
	eq_money(d, "total_amount", "total_amount_float", "1550.01");
	EQ_INT(d, "invoice_count", 2);                  /* I1, I2; not I4 cancelled, I5 draft */
	if (n > 40) {
		d = jat(a, n - 41);
		EQ_STR(d, "date", k->back40);
		EQ_INT(d, "payment_count", 1);
		EQ_INT(d, "successful_count", 1);
		eq_money(d, "total_amount", "total_amount_float", "1500.00");
		EQ_INT(d, "invoice_count", 2);
	}
	for (size_t i = 0; i < n; i++) {
		count += jint(jat(a, i), "payment_count");
		if (i + 1 < n && i + 41 != n)
			eq_money(jat(a, i), "total_amount", NULL, "0.00");
		/* consecutive days, oldest first */
		if (i > 0)
			ck_assert_str_lt(jstr(jat(a, i - 1), "date"), jstr(jat(a, i), "date"));
	}
	ck_assert_int_eq(count, n > 40 ? 7 : 6);
}

static void
check_monthly(yajl_val a, const struct known *k, size_t n)
{
	yajl_val m = jat(a, n - 1);
	char year[5];

	ck_assert_int_eq(jlen(a), n);
	EQ_STR(m, "month", k->this_month);
	snprintf(year, sizeof(year), "%.4s", k->today);
	EQ_INT(m, "year", atoi(year));
	EQ_INT(m, "invoice_count", 2);
	eq_money(m, "total_amount", "total_amount_float", "300.50");
	eq_money(m, "paid_amount", "paid_amount_float", "1550.01");
	EQ_INT(m, "payment_count", 6);
	EQ_INT(m, "successful_payment_count", 3);
	m = find_by(a, "month", k->month_back40);
	ck_assert_ptr_nonnull(m);
	EQ_INT(m, "invoice_count", 2);
	eq_money(m, "total_amount", "total_amount_float", "349.99");
	eq_money(m, "paid_amount", "paid_amount_float", "1500.00");
	EQ_INT(m, "payment_count", 1);
	EQ_INT(m, "successful_payment_count", 1);
}

static void
check_all(yajl_val d, const struct known *k)
{
	check_dashboard(jget(d, "dashboard"));
	check_customers(jget(d, "customers"));
	check_subscriptions(jget(d, "subscriptions"));
	check_plans(jget(d, "plans"));
	check_routers(jget(d, "routers"));
	check_invoices(jget(d, "invoices"));
	check_payments(jget(d, "payments"));
	check_monthly(jget(d, "monthly_trends"), k, 12);
	check_daily(jget(d, "daily_trends"), k, 30);
	check_methods(jget(d, "payment_methods"));
	check_top(jget(d, "top_customers"), k);
}

/* the reseller's customers C2 and C3 (C7 deleted), its router R2 */
static void
check_reseller_all(yajl_val d, const struct known *k)
{
	yajl_val g = jget(d, "customers"), a;

	EQ_INTS(g, { "total_customers", 2 }, { "active_customers", 1 }, { "inactive_customers", 1 },
	    { "suspended_customers", 0 }, { "cancelled_customers", 0 },
	    { "new_customers_this_month", 1 }, { "customers_with_active_subscriptions", 1 });

	g = jget(d, "subscriptions");                   /* s2, s3, s4 */
	EQ_INTS(g, { "total_subscriptions", 3 }, { "active_subscriptions", 2 },
	    { "suspended_subscriptions", 1 }, { "inactive_subscriptions", 0 },
	    { "pending_subscriptions", 0 }, { "new_subscriptions_this_month", 1 });
	eq_money(g, "total_monthly_revenue", "total_monthly_revenue_float", "1500.00");

	g = jget(d, "plans");                           /* the shared catalogue */
	EQ_INT(g, "total_plans", 3);
	EQ_STR(g, "most_popular_plan", "Basic");        /* 1 against 1: the older plan */
	EQ_STR(g, "highest_revenue_plan", "Premium");

	g = jget(d, "routers");
	EQ_INTS(g, { "total_routers", 1 }, { "offline_routers", 1 }, { "online_routers", 0 },
	    { "cisco_routers", 1 }, { "mikrotik_routers", 0 }, { "total_bandwidth_usage", 6000 });

	g = jget(d, "invoices");                        /* I3, I4, I6 */
	EQ_INTS(g, { "total_invoices", 3 }, { "pending_invoices", 0 }, { "paid_invoices", 1 },
	    { "overdue_invoices", 1 }, { "cancelled_invoices", 1 });
	eq_money(g, "total_amount", "total_amount_float", "349.99");
	eq_money(g, "paid_amount", "paid_amount_float", "49.99");
	eq_money(g, "pending_amount", "pending_amount_float", "0.00");
	eq_money(g, "overdue_amount", "overdue_amount_float", "300.00");
	eq_money(g, "avg_invoice_amount", "avg_invoice_amount_float", "175.00");  /* 174.995 */
	eq_float(g, "collection_rate", 14.28);

	g = jget(d, "payments");                        /* Y2, Y3, Y4 */
	EQ_INTS(g, { "total_payments", 3 }, { "successful_payments", 2 }, { "failed_payments", 1 },
	    { "pending_payments", 0 });
	eq_money(g, "total_amount", "total_amount_float", "3050.00");
	eq_money(g, "successful_amount", "successful_amount_float", "3000.00");
	eq_money(g, "avg_payment_amount", "avg_payment_amount_float", "1500.00");
	eq_float(g, "success_rate", 66.67);

	g = jget(d, "dashboard");
	EQ_INTS(g, { "total_customers", 2 }, { "total_subscriptions", 3 }, { "total_routers", 1 },
	    { "total_invoices", 3 }, { "total_payments", 3 });
	eq_money(g, "total_monthly_revenue", NULL, "1500.00");

	a = jget(d, "payment_methods");
	ck_assert_int_eq(jlen(a), 2);
	EQ_STR(jat(a, 0), "method", "mpesa");
	EQ_INT(jat(a, 0), "count", 2);
	eq_money(jat(a, 0), "total_amount", NULL, "1500.00");
	eq_float(jat(a, 0), "success_rate", 50.0);
	EQ_STR(jat(a, 1), "method", "cash");
	eq_float(jat(a, 1), "success_rate", 100.0);

	a = jget(d, "top_customers");
	ck_assert_int_eq(jlen(a), 1);
	EQ_INT(jat(a, 0), "customer_id", k->c2);
	eq_money(jat(a, 0), "total_amount", NULL, "3000.00");

	a = jget(d, "daily_trends");
	EQ_INT(jat(a, 29), "payment_count", 2);         /* Y2, Y4 */
	eq_money(jat(a, 29), "total_amount", NULL, "1500.00");
	a = jget(d, "monthly_trends");
	EQ_INT(jat(a, 11), "payment_count", 2);
	EQ_INT(jat(a, 11), "invoice_count", 0);         /* I4 cancelled */
}

/* every figure zero, every name null, the windows there and empty */
static void
check_zero_all(yajl_val d)
{
	static const char *const groups[] = { "dashboard", "customers", "subscriptions", "plans",
	    "routers", "invoices", "payments" };

	for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++) {
		yajl_val g = jget(d, groups[i]);

		ck_assert_msg(g && YAJL_IS_OBJECT(g), "no group %s", groups[i]);
		for (size_t j = 0; j < g->u.object.len; j++) {
			yajl_val v = g->u.object.values[j];
			const char *key = g->u.object.keys[j];

			if (YAJL_IS_NULL(v))
				continue;
			ck_assert_msg(YAJL_IS_NUMBER(v) && strtod(v->u.number.r, NULL) == 0.0,
			    "%s/%s is not zero", groups[i], key);
		}
	}
	EQ_NULL(jget(d, "plans"), "most_popular_plan");
	EQ_NULL(jget(d, "plans"), "highest_revenue_plan");
	ck_assert_int_eq(jlen(jget(d, "monthly_trends")), 12);
	ck_assert_int_eq(jlen(jget(d, "daily_trends")), 30);
	for (size_t i = 0; i < 30; i++) {
		EQ_INT(jat(jget(d, "daily_trends"), i), "payment_count", 0);
		eq_money(jat(jget(d, "daily_trends"), i), "total_amount", NULL, "0.00");
	}
	ck_assert_int_eq(jlen(jget(d, "payment_methods")), 0);
	ck_assert_int_eq(jlen(jget(d, "top_customers")), 0);
}

/* ==== tests ==== */

/* the groups that have an endpoint of their own, and their checks */
static const struct {
	const char *path;
	void (*check)(yajl_val);
} alone[] = {
	{ "/api/core/dashboard/stats/", check_dashboard },
	{ "/api/core/stats/customers/", check_customers },
	{ "/api/core/stats/subscriptions/", check_subscriptions },
	{ "/api/core/stats/plans/", check_plans },
	{ "/api/core/stats/routers/", check_routers },
	{ "/api/core/stats/invoices/", check_invoices },
	{ "/api/core/stats/payments/", check_payments },
	{ "/api/core/analytics/payment-methods/", check_methods },
};

/* the trends over windows of n days or months (12 by default) */
static const struct {
	const char *path;
	size_t n;
	void (*check)(yajl_val, const struct known *, size_t);
} trends[] = {
	{ "/api/core/trends/daily/?days=45", 45, check_daily },
	{ "/api/core/trends/daily/?days=1", 1, check_daily },
	{ "/api/core/trends/monthly/?months=3", 3, check_monthly },
	{ "/api/core/trends/monthly/", 12, check_monthly },
};

START_TEST(stats_groups_match_the_known_rows)
{
	struct world w;
	struct known k;
	struct resp *r;

	world_make(&w);
	known_seed(&w, &k);

	r = ok(w.admin, "/api/core/stats/all/");
	check_all(it_json(r, "data"), &k);
	it_free(r);

	/* each group alone says the same */
	for (size_t i = 0; i < sizeof(alone) / sizeof(alone[0]); i++) {
		r = ok(w.admin, "%s", alone[i].path);
		alone[i].check(it_json(r, "data"));
		it_free(r);
	}
	r = ok(w.admin, "/api/core/analytics/top-customers/");
	check_top(it_json(r, "data"), &k);
	it_free(r);
	r = ok(w.admin, "/api/core/analytics/top-customers/?limit=2");
	ck_assert_int_eq(jlen(it_json(r, "data")), 2);
	it_free(r);
	for (size_t i = 0; i < sizeof(trends) / sizeof(trends[0]); i++) {
		r = ok(w.admin, "%s", trends[i].path);
		trends[i].check(it_json(r, "data"), &k, trends[i].n);
		it_free(r);
	}
}
END_TEST

START_TEST(stats_crm_dashboard_revenue_and_plan_performance)
{
	struct world w;
	struct known k;
	struct resp *r;
	yajl_val d, a, p;
	const char *start30, *start45;

	world_make(&w);
	known_seed(&w, &k);
	start30 = sql_text("SELECT UTC_DATE() - INTERVAL 29 DAY");
	start45 = sql_text("SELECT UTC_DATE() - INTERVAL 45 DAY");

	/* 002's dashboard */
	r = ok(w.admin, "/api/stats/dashboard/");
	d = it_json(r, "data");
	EQ_INT(d, "total_customers", 6);
	EQ_INT(d, "total_invoices", 6);
	EQ_INT(d, "unpaid_invoices", 2);                /* I2 pending, I3 overdue */
	eq_money(d, "total_payments", NULL, "3050.01");
	EQ_INT(d, "open_tickets", 3);                   /* T1, T2, T5 */
	a = jget(d, "recent_leads");
	ck_assert_int_eq(jlen(a), 5);
	for (int i = 0; i < 5; i++) {                   /* newest first: Lead 1 ... Lead 5 */
		char name[16];

		snprintf(name, sizeof(name), "Lead %d", i + 1);
		EQ_STR(jat(a, (size_t)i), "name", name);
		ck_assert_int_gt(jint(jat(a, (size_t)i), "id"), 0);
		ck_assert_ptr_nonnull(jstr(jat(a, (size_t)i), "email"));
		ck_assert_ptr_nonnull(jstr(jat(a, (size_t)i), "phone"));
		ck_assert_ptr_nonnull(jstr(jat(a, (size_t)i), "created_at"));
		ck_assert_int_eq(strlen(jstr(jat(a, (size_t)i), "created_at")), 20);
	}
	EQ_STR(jat(a, 2), "status", "contacted");
	it_free(r);

	r = ok(w.reseller, "/api/stats/dashboard/");
	d = it_json(r, "data");
	EQ_INTS(d, { "total_customers", 2 }, { "total_invoices", 3 }, { "unpaid_invoices", 1 });
	eq_money(d, "total_payments", NULL, "3000.00");
	EQ_INT(d, "open_tickets", 1);                   /* T2 */
	ck_assert_int_eq(jlen(jget(d, "recent_leads")), 1);
	EQ_STR(jat(jget(d, "recent_leads"), 0), "name", "Lead 6");
	it_free(r);

	/* 002's revenue report: days with completed payments */
	r = ok(w.admin, "/api/reports/revenue/");
	a = it_json(r, "data");
	ck_assert_int_eq(jlen(a), 1);
	EQ_STR(jat(a, 0), "date", k.today);
	eq_money(jat(a, 0), "total", NULL, "1550.01");
	it_free(r);
	r = ok(w.admin, "/api/reports/revenue/?start_date=%s&end_date=%s", start45, k.today);
	a = it_json(r, "data");
	ck_assert_int_eq(jlen(a), 2);
	EQ_STR(jat(a, 0), "date", k.back40);
	eq_money(jat(a, 0), "total", NULL, "1500.00");
	EQ_STR(jat(a, 1), "date", k.today);
	it_free(r);
	r = ok(w.admin, "/api/reports/revenue/?start_date=%s&end_date=%s", k.back40, k.back40);
	ck_assert_int_eq(jlen(it_json(r, "data")), 1);
	it_free(r);
	r = ok(w.reseller, "/api/reports/revenue/?start_date=%s", start45);
	a = it_json(r, "data");
	ck_assert_int_eq(jlen(a), 2);
	eq_money(jat(a, 1), "total", NULL, "1500.00");  /* Y2 only */
	it_free(r);

	/* 000's plan performance, the last 30 days by default */
	r = ok(w.admin, "/api/plans/performance/");
	d = it_json(r, "data");
	EQ_STR(jget(d, "period"), "start_date", start30);
	EQ_STR(jget(d, "period"), "end_date", k.today);
	a = jget(d, "plans");
	ck_assert_int_eq(jlen(a), 3);                   /* not the deleted one */
	p = jat(a, 0);
	EQ_INT(p, "plan_id", k.p1);
	EQ_STR(p, "plan_name", "Basic");
	eq_money(p, "plan_price", NULL, "50.00");
	EQ_STR(p, "duration", "1 hours");
	EQ_INT(p, "total_customers", 3);                /* C1, C2, C6 */
	EQ_INT(p, "active_customers", 2);
	EQ_INT(p, "total_sales", 2);                    /* Y1, Y7 */
	eq_money(p, "total_revenue", NULL, "50.01");
	eq_money(p, "average_revenue_per_sale", NULL, "25.01");        /* 25.005 */
	p = jat(a, 1);
	EQ_INT(p, "plan_id", k.p2);
	EQ_STR(p, "duration", "monthly");
	EQ_INT(p, "total_customers", 4);
	EQ_INT(p, "active_customers", 1);
	EQ_INT(p, "total_sales", 1);                    /* Y3 is 40 days back */
	eq_money(p, "total_revenue", NULL, "1500.00");
	eq_money(p, "average_revenue_per_sale", NULL, "1500.00");
	p = jat(a, 2);
	EQ_INT(p, "plan_id", k.p3);
	EQ_NULL(p, "duration");
	EQ_INTS(p, { "total_customers", 1 }, { "active_customers", 0 }, { "total_sales", 0 });
	eq_money(p, "total_revenue", NULL, "0.00");
	eq_money(p, "average_revenue_per_sale", NULL, "0.00");
	it_free(r);

	r = ok(w.admin, "/api/plans/performance/?start_date=%s", start45);
	p = jat(it_json(r, "data/plans"), 1);
	EQ_INT(p, "total_sales", 2);
	eq_money(p, "total_revenue", NULL, "3000.00");
	EQ_STR(it_json(r, "data/period"), "start_date", start45);
	it_free(r);

	/* a reseller: its customers' figures on the catalogue */
	r = ok(w.reseller, "/api/plans/performance/?start_date=%s", start45);
	a = it_json(r, "data/plans");
	ck_assert_int_eq(jlen(a), 3);
	EQ_INT(jat(a, 0), "total_customers", 1);        /* C2 */
	EQ_INT(jat(a, 0), "total_sales", 0);
	EQ_INT(jat(a, 1), "total_customers", 2);        /* C2, C3 */
	EQ_INT(jat(a, 1), "total_sales", 2);
	eq_money(jat(a, 1), "total_revenue", NULL, "3000.00");
	it_free(r);
}
END_TEST

START_TEST(stats_reseller_sees_only_its_customers)
{
	struct world w;
	struct known k;
	struct resp *r;

	world_make(&w);
	known_seed(&w, &k);

	r = ok(w.reseller, "/api/core/stats/all/");
	check_reseller_all(it_json(r, "data"), &k);
	it_free(r);

	/* the admin picks the reseller with user_id: the same figures */
	r = ok(w.admin, "/api/core/stats/all/?user_id=%lld", w.reseller_id);
	check_reseller_all(it_json(r, "data"), &k);
	it_free(r);

	/* a reseller cannot widen its view */
	r = ok(w.reseller, "/api/core/stats/all/?user_id=%lld", w.admin_id);
	check_reseller_all(it_json(r, "data"), &k);
	it_free(r);

	r = ok(w.reseller, "/api/core/stats/payments/");
	EQ_INT(it_json(r, "data"), "total_payments", 3);
	it_free(r);
	r = ok(w.reseller, "/api/core/analytics/top-customers/");
	ck_assert_int_eq(jlen(it_json(r, "data")), 1);
	it_free(r);
}
END_TEST

START_TEST(stats_tenants_never_see_each_other)
{
	struct world x, y;
	struct known kx, ky;
	struct resp *r;

	world_make(&x);
	world_make(&y);
	known_seed(&x, &kx);
	known_seed(&y, &ky);
	/* more of everything in y: x's figures must not move */
	payment(y.tenant, ky.c1, ky.p2, "YY1", "mpesa", "completed", "999999.99", TODAY);
	customer(y.tenant, 0, "CY", "active", "UTC_TIMESTAMP(6)", 0);

	r = ok(x.admin, "/api/core/stats/all/");
	check_all(it_json(r, "data"), &kx);
	it_free(r);
	r = ok(x.admin, "/api/stats/dashboard/");
	eq_money(it_json(r, "data"), "total_payments", NULL, "3050.01");
	EQ_INT(it_json(r, "data"), "total_customers", 6);
	it_free(r);
	r = ok(x.admin, "/api/reports/revenue/");
	eq_money(jat(it_json(r, "data"), 0), "total", NULL, "1550.01");
	it_free(r);

	/* y sees its own */
	r = ok(y.admin, "/api/core/stats/payments/");
	EQ_INT(it_json(r, "data"), "total_payments", 8);
	eq_money(it_json(r, "data"), "successful_amount", NULL, "1003050.00");
	it_free(r);

	/* a user of another tenant, or of none, selects nothing */
	r = ok(x.admin, "/api/core/stats/all/?user_id=%lld", y.reseller_id);
	check_zero_all(it_json(r, "data"));
	it_free(r);
	r = ok(x.admin, "/api/core/stats/all/?user_id=%lld", (long long)INT_MAX);
	check_zero_all(it_json(r, "data"));
	it_free(r);
	r = ok(x.admin, "/api/stats/dashboard/?user_id=%lld", y.reseller_id);
	EQ_INT(it_json(r, "data"), "total_customers", 0);
	eq_money(it_json(r, "data"), "total_payments", NULL, "0.00");
	ck_assert_int_eq(jlen(it_json(r, "data/recent_leads")), 0);
	it_free(r);
	r = ok(x.admin, "/api/plans/performance/?user_id=%lld", y.reseller_id);
	ck_assert_int_eq(jlen(it_json(r, "data/plans")), 0);
	it_free(r);
	r = ok(x.admin, "/api/reports/revenue/?user_id=%lld", y.admin_id);
	ck_assert_int_eq(jlen(it_json(r, "data")), 0);
	it_free(r);
}
END_TEST

START_TEST(stats_empty_tenant_is_all_zeros)
{
	struct world w;
	struct resp *r;

	world_make(&w);
	r = ok(w.admin, "/api/core/stats/all/");
	check_zero_all(it_json(r, "data"));
	eq_money(it_json(r, "data/payments"), "total_amount", "total_amount_float", "0.00");
	it_free(r);
	r = ok(w.admin, "/api/stats/dashboard/");
	eq_money(it_json(r, "data"), "total_payments", NULL, "0.00");
	ck_assert_int_eq(jlen(it_json(r, "data/recent_leads")), 0);
	it_free(r);
}
END_TEST

/* 10,000 generated payments: totals, methods, days, months, customers and
 * the revenue report to the cent against SUM in MariaDB. */
START_TEST(stats_sums_exact_over_10000_payments)
{
	struct world w;
	struct resp *r;
	struct db_result q;
	yajl_val d, a;
	long long t, sum;
	const char *start;

	world_make(&w);
	t = w.tenant;
	clear_of_midnight();
	sql_exec("INSERT INTO customers (uuid, tenant_id, owner_id, account_number, name) "
	    "SELECT UUID(), %lld, IF(seq %% 5 < 2, %lld, NULL), CONCAT('G', seq), "
	    "CONCAT('Gen ', seq) FROM seq_1_to_150", t, w.reseller_id);
	sql_exec("INSERT INTO plans (uuid, tenant_id, name, price) SELECT UUID(), %lld, "
	    "CONCAT('Gen plan ', seq), seq * 10 FROM seq_1_to_6", t);
	sql_exec("INSERT INTO payments (uuid, tenant_id, customer_id, plan_id, payment_number, "
	    "amount, payment_method, status, payment_date) "
	    "SELECT UUID(), %lld, c.id, IF(s.seq %% 9 = 0, NULL, p.id), CONCAT('G', s.seq), "
	    "(s.seq * 7919 %% 100000) / 100 + IF(s.seq %% 97 = 0, 123456.78, 0), "
	    "ELT(1 + s.seq %% 6, 'cash', 'mpesa', 'bank_transfer', 'bkash', 'stripe', 'other'), "
	    "ELT(1 + (s.seq * 13 + s.seq DIV 150) %% 10, 'completed', 'completed', 'completed', "
	    "'completed', 'completed', 'completed', 'failed', 'pending', 'refunded', 'cancelled'), "
	    "UTC_DATE() - INTERVAL (s.seq %% 365) DAY + INTERVAL (s.seq * 37 %% 86400) SECOND "
	    "FROM seq_1_to_10000 s "
	    "JOIN (SELECT id, ROW_NUMBER() OVER (ORDER BY id) AS n FROM customers "
	    "WHERE tenant_id = %lld) c ON c.n = 1 + s.seq %% 150 "
	    "JOIN (SELECT id, ROW_NUMBER() OVER (ORDER BY id) AS n FROM plans "
	    "WHERE tenant_id = %lld) p ON p.n = 1 + s.seq %% 6", t, t, t);
	ck_assert_int_eq(sql_int("SELECT COUNT(*) FROM payments WHERE tenant_id = %lld", t), 10000);

	/* the payments group */
	r = ok(w.admin, "/api/core/stats/payments/");
	d = it_json(r, "data");
	EQ_INT(d, "total_payments", 10000);
	EQ_INT(d, "successful_payments", sql_int("SELECT COUNT(*) FROM payments WHERE "
	    "tenant_id = %lld AND status = 'completed'", t));
	EQ_INT(d, "failed_payments", sql_int("SELECT COUNT(*) FROM payments WHERE "
	    "tenant_id = %lld AND status = 'failed'", t));
	EQ_INT(d, "pending_payments", sql_int("SELECT COUNT(*) FROM payments WHERE "
	    "tenant_id = %lld AND status = 'pending'", t));
	eq_money(d, "total_amount", "total_amount_float",
	    sql_text("SELECT SUM(amount) FROM payments WHERE tenant_id = %lld", t));
	eq_money(d, "successful_amount", "successful_amount_float", sql_text("SELECT SUM(amount) "
	    "FROM payments WHERE tenant_id = %lld AND status = 'completed'", t));
	eq_money(d, "avg_payment_amount", "avg_payment_amount_float", sql_text("SELECT "
	    "ROUND(SUM(amount) / COUNT(*), 2) FROM payments WHERE tenant_id = %lld "
	    "AND status = 'completed'", t));
	eq_float(d, "success_rate", strtod(sql_text("SELECT ROUND(100 * SUM(status = "
	    "'completed') / COUNT(*), 2) FROM payments WHERE tenant_id = %lld", t), NULL));
	it_free(r);

	/* per method */
	r = ok(w.admin, "/api/core/analytics/payment-methods/");
	a = it_json(r, "data");
	sql_rows(&q, "SELECT payment_method, COUNT(*), COALESCE(SUM(CASE WHEN status = 'completed' "
	    "THEN amount END), 0), ROUND(100 * SUM(status = 'completed') / COUNT(*), 2) "
	    "FROM payments WHERE tenant_id = %lld GROUP BY payment_method", t);
	ck_assert_int_eq(jlen(a), q.nrows);
	ck_assert_int_eq(q.nrows, 6);
	for (unsigned i = 0; i < q.nrows; i++) {
		yajl_val m = find_by(a, "method", db_val(&q, i, 0));

		ck_assert_msg(m != NULL, "no method %s", db_val(&q, i, 0));
		EQ_INT(m, "count", db_val_int(&q, i, 1, -1));
		eq_money(m, "total_amount", "total_amount_float", db_val(&q, i, 2));
		eq_float(m, "success_rate", strtod(db_val(&q, i, 3), NULL));
	}
	for (size_t i = 1; i < jlen(a); i++)
		ck_assert_int_ge(jint(jat(a, i - 1), "count"), jint(jat(a, i), "count"));
	it_free(r);

	/* per day: 366 days hold them all */
	r = ok(w.admin, "/api/core/trends/daily/?days=366");
	a = it_json(r, "data");
	ck_assert_int_eq(jlen(a), 366);
	sql_rows(&q, "SELECT DATE(payment_date), COUNT(*), SUM(status = 'completed'), "
	    "COALESCE(SUM(CASE WHEN status = 'completed' THEN amount END), 0) FROM payments "
	    "WHERE tenant_id = %lld GROUP BY DATE(payment_date)", t);
	ck_assert_int_eq(q.nrows, 365);
	for (unsigned i = 0; i < q.nrows; i++) {
		yajl_val day = find_by(a, "date", db_val(&q, i, 0));

		ck_assert_msg(day != NULL, "no day %s", db_val(&q, i, 0));
		EQ_INT(day, "payment_count", db_val_int(&q, i, 1, -1));
		EQ_INT(day, "successful_count", db_val_int(&q, i, 2, -1));
		eq_money(day, "total_amount", "total_amount_float", db_val(&q, i, 3));
	}
	sum = 0;
	for (size_t i = 0; i < jlen(a); i++)
		sum += cents(jnum(jat(a, i), "total_amount"));
	ck_assert_int_eq(sum, cents(sql_text("SELECT SUM(amount) FROM payments WHERE "
	    "tenant_id = %lld AND status = 'completed'", t)));
	it_free(r);

	/* per month: 13 months hold a year back */
	r = ok(w.admin, "/api/core/trends/monthly/?months=13");
	a = it_json(r, "data");
	ck_assert_int_eq(jlen(a), 13);
	sql_rows(&q, "SELECT DATE_FORMAT(payment_date, '%%Y-%%m'), COUNT(*), SUM(status = "
	    "'completed'), COALESCE(SUM(CASE WHEN status = 'completed' THEN amount END), 0) "
	    "FROM payments WHERE tenant_id = %lld GROUP BY 1", t);
	sum = 0;
	for (unsigned i = 0; i < q.nrows; i++) {
		yajl_val m = find_by(a, "month", db_val(&q, i, 0));

		ck_assert_msg(m != NULL, "no month %s", db_val(&q, i, 0));
		EQ_INT(m, "payment_count", db_val_int(&q, i, 1, -1));
		EQ_INT(m, "successful_payment_count", db_val_int(&q, i, 2, -1));
		eq_money(m, "paid_amount", "paid_amount_float", db_val(&q, i, 3));
		sum += jint(m, "payment_count");
	}
	ck_assert_int_eq(sum, 10000);
	it_free(r);

	/* the revenue report over the longest period */
	start = sql_text("SELECT UTC_DATE() - INTERVAL 365 DAY");
	r = ok(w.admin, "/api/reports/revenue/?start_date=%s", start);
	a = it_json(r, "data");
	sql_rows(&q, "SELECT DATE(payment_date), SUM(amount) FROM payments WHERE tenant_id = %lld "
	    "AND status = 'completed' GROUP BY 1 ORDER BY 1", t);
	ck_assert_int_eq(jlen(a), q.nrows);
	for (unsigned i = 0; i < q.nrows; i++) {
		EQ_STR(jat(a, i), "date", db_val(&q, i, 0));
		eq_money(jat(a, i), "total", NULL, db_val(&q, i, 1));
	}
	it_free(r);

	/* per customer */
	r = ok(w.admin, "/api/core/analytics/top-customers/?limit=100");
	a = it_json(r, "data");
	sql_rows(&q, "SELECT customer_id, SUM(amount) AS s FROM payments WHERE tenant_id = %lld "
	    "AND status = 'completed' GROUP BY customer_id ORDER BY s DESC, customer_id LIMIT 100", t);
	ck_assert_int_eq(q.nrows, 100);
	ck_assert_int_eq(jlen(a), 100);
	for (unsigned i = 0; i < q.nrows; i++) {
		EQ_INT(jat(a, i), "customer_id", db_val_int(&q, i, 0, -1));
		eq_money(jat(a, i), "total_amount", "total_amount_float", db_val(&q, i, 1));
		EQ_INT(jat(a, i), "invoice_count", 0);
	}
	it_free(r);

	/* the plans' revenue and 002's total */
	r = ok(w.admin, "/api/core/stats/plans/");
	EQ_STR(it_json(r, "data"), "highest_revenue_plan", sql_text("SELECT p.name FROM payments x "
	    "JOIN plans p ON p.id = x.plan_id WHERE x.tenant_id = %lld AND x.status = 'completed' "
	    "GROUP BY x.plan_id ORDER BY SUM(x.amount) DESC, x.plan_id LIMIT 1", t));
	it_free(r);
	r = ok(w.admin, "/api/stats/dashboard/");
	eq_money(it_json(r, "data"), "total_payments", NULL, sql_text("SELECT SUM(amount) FROM "
	    "payments WHERE tenant_id = %lld AND status = 'completed'", t));
	it_free(r);

	/* the reseller's share, to the cent */
	r = ok(w.reseller, "/api/core/stats/payments/");
	d = it_json(r, "data");
	EQ_INT(d, "total_payments", sql_int("SELECT COUNT(*) FROM payments x JOIN customers c "
	    "ON c.id = x.customer_id WHERE x.tenant_id = %lld AND c.owner_id = %lld", t,
	    w.reseller_id));
	eq_money(d, "total_amount", NULL, sql_text("SELECT SUM(x.amount) FROM payments x JOIN "
	    "customers c ON c.id = x.customer_id WHERE x.tenant_id = %lld AND c.owner_id = %lld", t,
	    w.reseller_id));
	eq_money(d, "successful_amount", NULL, sql_text("SELECT SUM(x.amount) FROM payments x JOIN "
	    "customers c ON c.id = x.customer_id WHERE x.tenant_id = %lld AND c.owner_id = %lld "
	    "AND x.status = 'completed'", t, w.reseller_id));
	it_free(r);
	r = ok(w.reseller, "/api/core/trends/daily/?days=366");
	a = it_json(r, "data");
	sum = 0;
	for (size_t i = 0; i < jlen(a); i++)
		sum += cents(jnum(jat(a, i), "total_amount"));
	ck_assert_int_eq(sum, cents(sql_text("SELECT SUM(x.amount) FROM payments x JOIN customers c "
	    "ON c.id = x.customer_id WHERE x.tenant_id = %lld AND c.owner_id = %lld "
	    "AND x.status = 'completed'", t, w.reseller_id)));
	it_free(r);
}
END_TEST

static const char *const endpoints[] = {
	"/api/core/dashboard/stats/", "/api/core/stats/customers/",
	"/api/core/stats/subscriptions/", "/api/core/stats/plans/", "/api/core/stats/routers/",
	"/api/core/stats/invoices/", "/api/core/stats/payments/", "/api/core/stats/all/",
	"/api/core/trends/monthly/", "/api/core/trends/daily/",
	"/api/core/analytics/payment-methods/", "/api/core/analytics/top-customers/",
	"/api/stats/dashboard/", "/api/reports/revenue/", "/api/plans/performance/",
};

static void
expect_bad(const char *tok, const char *path, const char *query, const char *field)
{
	struct resp *r = call_as("GET", tok, NULL, "%s?%s", path, query);

	ck_assert_msg(r->status == 400 && names_field(r, field) && it_str(r, "error_code") &&
	    strcmp(it_str(r, "error_code"), "VALIDATION_ERROR") == 0,
	    "%s?%s: HTTP %ld, expected a VALIDATION_ERROR naming \"%s\": %.600s", path, query,
	    r->status, field, r->body);
	it_free(r);
}

static void
expect_ok(const char *tok, const char *path, const char *query)
{
	it_free(ok(tok, "%s?%s", path, query));
}

/* `ispbill stats check --tenant CODE`: its exit status, its words in out */
static int
stats_check(long long t, char *out, size_t n)
{
	char cmd[2048];

	snprintf(cmd, sizeof(cmd), "ISPBILL_CONFIG=%s/ispbill.conf %s/ispbill stats check "
	    "--tenant %s 2>&1", it_dir(), it_build(),
	    sql_text("SELECT code FROM tenants WHERE id = %lld", t));
	return it_run(cmd, out, n);
}

/* Every kind of write, by the API and by plain SQL, leaves the kept figures
 * (sql/007) equal to the figures of the rows; and a figure changed behind
 * their back is found. */
START_TEST(stats_summaries_follow_every_kind_of_write)
{
	struct world w;
	struct known k;
	struct resp *r;
	char out[8192], body[512];
	long long t, cx, s1, inv, rt1, rt2;

	world_make(&w);
	t = w.tenant;
	known_seed(&w, &k);
	rt1 = sql_int("SELECT id FROM routers WHERE tenant_id = %lld AND name = 'R1'", t);
	rt2 = sql_int("SELECT id FROM routers WHERE tenant_id = %lld AND name = 'R2'", t);
	ck_assert_msg(stats_check(t, out, sizeof(out)) == 0, "%s", out);

	/* by plain SQL, as an operator might: rows made from other rows (the
	 * triggers must not update a table such a statement reads) */
	cx = customer(t, 0, "KX", "active", "UTC_TIMESTAMP(6)", 0);
	sql_exec("INSERT INTO payments (uuid, tenant_id, customer_id, plan_id, payment_number, "
	    "amount, payment_method, status, payment_date) SELECT UUID(), tenant_id, id, NULL, "
	    "CONCAT('K', id), 12.34, 'cash', 'completed', UTC_TIMESTAMP(6) FROM customers "
	    "WHERE tenant_id = %lld", t);
	sql_exec("INSERT INTO subscriptions (uuid, tenant_id, customer_id, plan_id, router_id, "
	    "username, status, monthly_fee, end_date) SELECT UUID(), tenant_id, id, %lld, %lld, "
	    "CONCAT('k', id), 'active', 99.50, UTC_TIMESTAMP(6) + INTERVAL 3 DAY FROM customers "
	    "WHERE id = %lld", k.p2, rt1, cx);
	s1 = sql_int("SELECT id FROM subscriptions WHERE customer_id = %lld", cx);
	/* every column the figures depend on, changed */
	sql_exec("UPDATE payments SET status = 'refunded' WHERE payment_number = 'K%lld'", cx);
	sql_exec("UPDATE payments SET amount = amount + 1.01, payment_method = 'mpesa', "
	    "plan_id = %lld WHERE tenant_id = %lld AND status = 'completed' LIMIT 2", k.p1, t);
	sql_exec("UPDATE payments SET payment_date = NULL WHERE tenant_id = %lld "
	    "AND status = 'failed'", t);
	sql_exec("UPDATE payments SET payment_date = payment_date - INTERVAL 40 DAY "
	    "WHERE tenant_id = %lld AND status = 'pending'", t);
	sql_exec("UPDATE subscriptions SET data_used = data_used + 5000, status = 'suspended', "
	    "plan_id = %lld WHERE id = %lld", k.p1, s1);
	sql_exec("UPDATE subscriptions SET router_id = %lld WHERE id = %lld", rt2, s1);
	sql_exec("UPDATE subscriptions SET customer_id = %lld WHERE id = %lld", k.c1, s1);
	sql_exec("UPDATE invoices SET status = 'paid', paid_amount = total_amount "
	    "WHERE tenant_id = %lld AND status = 'pending'", t);
	sql_exec("UPDATE invoices SET issue_date = issue_date - INTERVAL 3 DAY, "
	    "total_amount = total_amount + 1 WHERE tenant_id = %lld AND status = 'draft'", t);
	sql_exec("UPDATE customers SET status = 'suspended' WHERE id = %lld", k.c2);
	sql_exec("UPDATE customers SET deleted_at = UTC_TIMESTAMP(6) WHERE id = %lld", cx);
	sql_exec("DELETE FROM payments WHERE tenant_id = %lld AND status = 'cancelled'", t);
	sql_exec("DELETE FROM invoices WHERE tenant_id = %lld AND status = 'cancelled'", t);
	ck_assert_msg(stats_check(t, out, sizeof(out)) == 0, "%s", out);

	/* through the API: a subscription activated, an invoice and its payment */
	snprintf(body, sizeof(body), "{\"customer_id\":%lld,\"plan_id\":%lld,\"router_id\":%lld}",
	    k.c2, k.p2, rt1);
	r = call_as("POST", w.admin, body, "/api/subscriptions/");
	EXPECT(r, 201);
	s1 = it_int(r, "data/id");
	it_free(r);
	snprintf(body, sizeof(body), "/api/subscriptions/%lld/activate/", s1);
	r = call_as("POST", w.admin, "{}", "%s", body);
	EXPECT(r, 200);
	it_free(r);
	snprintf(body, sizeof(body), "{\"customer_id\":%lld,\"subtotal\":\"250.00\"}", k.c2);
	r = call_as("POST", w.admin, body, "/api/billing/invoices/");
	EXPECT(r, 201);
	inv = it_int(r, "data/id");
	it_free(r);
	snprintf(body, sizeof(body), "{\"customer_id\":%lld,\"invoice_id\":%lld,"
	    "\"amount\":\"100.00\",\"payment_method\":\"mpesa\",\"status\":\"completed\"}",
	    k.c2, inv);
	r = call_as("POST", w.admin, body, "/api/payments/payments/");
	EXPECT(r, 201);
	it_free(r);
	ck_assert_msg(stats_check(t, out, sizeof(out)) == 0, "%s", out);
	ck_assert_ptr_nonnull(strstr(out, "every kept figure matches its rows"));

	/* the customer list shows the kept figures */
	r = ok(w.admin, "/api/customers/%lld/", k.c1);
	ck_assert_int_eq(it_int(r, "data/subscriptions_count"),
	    sql_int("SELECT COUNT(*) FROM subscriptions WHERE customer_id = %lld", k.c1));
	it_free(r);

	/* a figure changed behind the triggers' back is found, and named */
	sql_exec("UPDATE stat_pay_mix SET amount = amount + 0.01 WHERE tenant_id = %lld "
	    "AND status = 'completed' LIMIT 1", t);
	ck_assert_int_eq(stats_check(t, out, sizeof(out)), 1);
	ck_assert_msg(strstr(out, "stat_pay_mix: kept has completed") != NULL, "%s", out);
	sql_exec("CALL isp_rebuild_summaries(%lld)", t);
	ck_assert_msg(stats_check(t, out, sizeof(out)) == 0, "%s", out);
}
END_TEST

/* the row of customer id in a list response, or NULL */
static yajl_val
row_of(const struct resp *r, long long id)
{
	yajl_val a = it_json(r, "data");

	for (size_t i = 0; a && i < jlen(a); i++)
		if (jint(jat(a, i), "id") == id)
			return jat(a, i);
	return NULL;
}

/* A list a worker answers from memory (src/db/qcache.c) changes the moment
 * its rows do, whoever writes them. */
START_TEST(customer_list_is_never_staler_than_its_rows)
{
	struct world w;
	struct known k;
	struct resp *r;
	char path[128];
	long long n;

	world_make(&w);
	known_seed(&w, &k);
	snprintf(path, sizeof(path), "/api/customers/%lld/", k.c1);
	for (int round = 0; round < 4; round++) {
		/* twice each: the second may come from memory */
		for (int again = 0; again < 2; again++) {
			r = ok(w.admin, "/api/customers/?page_size=100");
			ck_assert_ptr_nonnull(row_of(r, k.c1));
			n = sql_int("SELECT COUNT(*) FROM subscriptions WHERE customer_id = %lld", k.c1);
			ck_assert_int_eq(jint(row_of(r, k.c1), "subscriptions_count"), n);
			ck_assert_str_eq(jstr(row_of(r, k.c1), "name"),
			    sql_text("SELECT name FROM customers WHERE id = %lld", k.c1));
			it_free(r);
		}
		switch (round) {
		case 0:         /* through the API */
			answers(200, "PATCH", w.admin, "{\"name\":\"Renamed by the API\"}", "%s", path);
			break;
		case 1:         /* by SQL, behind the API */
			sql_exec("UPDATE customers SET name = 'Renamed by SQL' WHERE id = %lld", k.c1);
			break;
		case 2:         /* a figure of another table */
			sub(w.tenant, k.c1, k.p1, 0, "cache1", "pending", "UTC_TIMESTAMP(6)", 0);
			break;
		}
	}
	r = ok(w.admin, "/api/customers/?page_size=100");
	ck_assert_str_eq(jstr(row_of(r, k.c1), "name"), "Renamed by SQL");
	it_free(r);
}
END_TEST

/* The statistics a worker answers from memory (src/db/qcache.c) change the
 * moment a row they count does, through the API or behind it. */
START_TEST(stats_are_never_staler_than_their_rows)
{
	struct world w;
	struct known k;
	struct resp *r;
	long long t;

	world_make(&w);
	known_seed(&w, &k);
	t = w.tenant;
	for (int round = 0; round < 5; round++) {
		for (int again = 0; again < 2; again++) {
			yajl_val d;

			r = ok(w.admin, "/api/core/stats/all/");
			d = it_json(r, "data");
			ck_assert_int_eq(jint(jget(d, "payments"), "total_payments"),
			    sql_int("SELECT COUNT(*) FROM payments WHERE tenant_id = %lld", t));
			ck_assert_int_eq(jint(jget(d, "plans"), "active_plans"),
			    sql_int("SELECT COUNT(*) FROM plans WHERE tenant_id = %lld "
			    "AND deleted_at IS NULL AND is_active = 1", t));
			ck_assert_int_eq(jint(jget(d, "customers"), "total_customers"),
			    sql_int("SELECT COUNT(*) FROM customers WHERE tenant_id = %lld "
			    "AND deleted_at IS NULL", t));
			it_free(r);
		}
		switch (round) {
		case 0:
			payment(t, k.c1, k.p1, "Q1", "cash", "pending", "1.00", TODAY);
			break;
		case 1:
			sql_exec("UPDATE plans SET is_active = 0 WHERE id = %lld", k.p1);
			break;
		case 2:
			customer(t, 0, "Q2", "active", "UTC_TIMESTAMP(6)", 0);
			break;
		case 3:
			r = call_as("POST", w.admin, "{\"name\":\"Q3\"}", "/api/customers/");
			EXPECT(r, 201);
			it_free(r);
			break;
		}
	}
}
END_TEST

START_TEST(stats_bad_parameters_are_400_naming_them)
{
	static const char *const bad_ids[] = { "user_id=abc", "user_id=0", "user_id=-3",
	    "user_id=1.5", "user_id=99999999999999999999", "user_id=1x" };
	static const char *const bad_dates[] = { "2024-13-01", "2024-02-30", "20240101",
	    "2024-1-01", "yesterday", "2024-01-01T00:00:00", "0000-01-01", "2024-01-01+" };
	struct world w;
	char q[256];
	const char *today, *d365, *d366;

	world_make(&w);
	for (size_t e = 0; e < sizeof(endpoints) / sizeof(endpoints[0]); e++)
		for (size_t i = 0; i < sizeof(bad_ids) / sizeof(bad_ids[0]); i++)
			expect_bad(w.admin, endpoints[e], bad_ids[i], "user_id");

	expect_bad(w.admin, "/api/core/trends/monthly/", "months=0", "months");
	expect_bad(w.admin, "/api/core/trends/monthly/", "months=61", "months");
	expect_bad(w.admin, "/api/core/trends/monthly/", "months=twelve", "months");
	expect_bad(w.admin, "/api/core/trends/daily/", "days=0", "days");
	expect_bad(w.admin, "/api/core/trends/daily/", "days=367", "days");
	expect_bad(w.admin, "/api/core/trends/daily/", "days=-1", "days");
	expect_bad(w.admin, "/api/core/analytics/top-customers/", "limit=0", "limit");
	expect_bad(w.admin, "/api/core/analytics/top-customers/", "limit=101", "limit");
	expect_bad(w.admin, "/api/core/analytics/top-customers/", "limit=1e2", "limit");
	expect_bad(w.admin, "/api/core/stats/all/", "months=61", "months");
	expect_bad(w.admin, "/api/core/stats/all/", "days=400", "days");
	expect_bad(w.admin, "/api/core/stats/all/", "limit=1000", "limit");
	expect_bad(w.reseller, "/api/core/stats/all/", "user_id=x", "user_id");

	for (int e = 0; e < 2; e++) {
		const char *path = e ? "/api/plans/performance/" : "/api/reports/revenue/";

		for (size_t i = 0; i < sizeof(bad_dates) / sizeof(bad_dates[0]); i++) {
			snprintf(q, sizeof(q), "start_date=%s", bad_dates[i]);
			expect_bad(w.admin, path, q, "start_date");
			snprintf(q, sizeof(q), "end_date=%s", bad_dates[i]);
			expect_bad(w.admin, path, q, "end_date");
		}
		expect_bad(w.admin, path, "start_date=2024-03-02&end_date=2024-03-01", "start_date");
		expect_bad(w.admin, path, "start_date=2022-12-31&end_date=2024-01-01", "end_date");
		expect_ok(w.admin, path, "start_date=2023-01-01&end_date=2024-01-01");
		expect_bad(w.admin, path, "start_date=2024-01-01&end_date=2025-01-01", "end_date");
		expect_bad(w.admin, path, "start_date=2000-01-01", "end_date");
		/* both wrong: both named */
		expect_bad(w.admin, path, "start_date=x&end_date=y&user_id=z", "start_date");
		expect_bad(w.admin, path, "start_date=x&end_date=y&user_id=z", "end_date");
		expect_bad(w.admin, path, "start_date=x&end_date=y&user_id=z", "user_id");
		/* the edges are fine: 366 days (a leap year), one day */
		expect_ok(w.admin, path, "start_date=2024-01-01&end_date=2024-12-31");
		expect_ok(w.admin, path, "start_date=2024-02-29&end_date=2024-02-29");
		expect_ok(w.admin, path, "end_date=2024-02-29");
	}
	today = sql_text("SELECT UTC_DATE()");
	d365 = sql_text("SELECT UTC_DATE() - INTERVAL 365 DAY");
	d366 = sql_text("SELECT UTC_DATE() - INTERVAL 366 DAY");
	snprintf(q, sizeof(q), "start_date=%s", d365);
	expect_ok(w.admin, "/api/reports/revenue/", q);
	snprintf(q, sizeof(q), "start_date=%s", d366);
	expect_bad(w.admin, "/api/reports/revenue/", q, "end_date");
	snprintf(q, sizeof(q), "start_date=%s&end_date=%s", today, today);
	expect_ok(w.admin, "/api/plans/performance/", q);

	expect_ok(w.admin, "/api/core/trends/monthly/", "months=60");
	expect_ok(w.admin, "/api/core/trends/daily/", "days=366");
	expect_ok(w.admin, "/api/core/analytics/top-customers/", "limit=100");
	expect_ok(w.admin, "/api/core/stats/all/", "months=1&days=1&limit=1&unknown=1");
	{
		struct resp *r = ok(w.admin, "/api/core/trends/monthly/?months=60");

		ck_assert_int_eq(jlen(it_json(r, "data")), 60);
		it_free(r);
		r = ok(w.admin, "/api/core/stats/all/?months=2&days=3");
		ck_assert_int_eq(jlen(it_json(r, "data/monthly_trends")), 2);
		ck_assert_int_eq(jlen(it_json(r, "data/daily_trends")), 3);
		it_free(r);
	}
}
END_TEST

START_TEST(stats_need_stats_view)
{
	struct world w;
	char name[64], tok[IT_TOK];

	world_make(&w);
	user_make(w.admin, uniq(name, sizeof(name), "ssup"), "support_staff", NULL);
	login_tok(name, IT_PW, tok);
	for (size_t e = 0; e < sizeof(endpoints) / sizeof(endpoints[0]); e++) {
		struct resp *r = call_as("GET", tok, NULL, "%s", endpoints[e]);

		EXPECT(r, 403);
		ck_assert_str_eq(it_str(r, "error_code"), "FORBIDDEN");
		it_free(r);
		r = call_as("GET", NULL, NULL, "%s", endpoints[e]);
		EXPECT(r, 401);
		it_free(r);
		r = call_as("POST", w.admin, "{}", "%s", endpoints[e]);
		EXPECT(r, 405);
		it_free(r);
	}
	/* an accountant holds it */
	user_make(w.admin, uniq(name, sizeof(name), "sacc"), "accountant", NULL);
	login_tok(name, IT_PW, tok);
	it_free(ok(tok, "/api/core/stats/all/"));
}
END_TEST

Suite *
suite_stats(void)
{
	Suite *s = suite_create("stats");
	TCase *t = tcase_create("stats");

	tcase_set_timeout(t, 300);
	tcase_add_checked_fixture(t, sql_open, sql_close);
	tcase_add_test(t, stats_groups_match_the_known_rows);
	tcase_add_test(t, stats_crm_dashboard_revenue_and_plan_performance);
	tcase_add_test(t, stats_reseller_sees_only_its_customers);
	tcase_add_test(t, stats_tenants_never_see_each_other);
	tcase_add_test(t, stats_empty_tenant_is_all_zeros);
	tcase_add_test(t, stats_sums_exact_over_10000_payments);
	tcase_add_test(t, stats_summaries_follow_every_kind_of_write);
	tcase_add_test(t, customer_list_is_never_staler_than_its_rows);
	tcase_add_test(t, stats_are_never_staler_than_their_rows);
	tcase_add_test(t, stats_bad_parameters_are_400_naming_them);
	tcase_add_test(t, stats_need_stats_view);
	suite_add_tcase(s, t);
	return s;
}
