/* t_mpesa_reports.c - 000's M-Pesa transaction list, summary and dashboard
 * overview through nginx: transactions made by the real money loop (a
 * guest buying an hour against the Daraja simulator) and by plain inserts
 * (several routers, plans, statuses and dates), every figure checked
 * against SQL recomputed over the same rows; a reseller sees its own only;
 * Nairobi's day boundaries; every bad parameter named. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "itest.h"

/* Nairobi (UTC+3) day, week (from Monday) and month starts, as UTC */
#define N_NOW      "UTC_TIMESTAMP() + INTERVAL 3 HOUR"
#define N_TODAY    "(CAST(DATE(" N_NOW ") AS DATETIME) - INTERVAL 3 HOUR)"
#define N_TOMORROW "(" N_TODAY " + INTERVAL 1 DAY)"
#define N_WEEK     "(" N_TODAY " - INTERVAL WEEKDAY(" N_NOW ") DAY)"
#define N_MONTH    "(CAST(DATE_FORMAT(" N_NOW ", '%%Y-%%m-01') AS DATETIME) - INTERVAL 3 HOUR)"

/* a value's cents, by MariaDB: a JSON number's text or an SQL expression */
static long long
cents(const char *expr)
{
	ck_assert_msg(expr != NULL, "no value");
	return sql("SELECT CAST(ROUND(COALESCE((%s), 0) * 100) AS SIGNED)", expr);
}

/* the money at key equals the SQL expression */
static void
money_is(yajl_val o, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
money_is(yajl_val o, const char *key, const char *fmt, ...)
{
	char expr[1800];
	long long got, want;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(expr, sizeof(expr), fmt, ap);
	va_end(ap);
	ck_assert_msg(jnum(o, key) != NULL, "%s: missing", key);
	got = cents(jnum(o, key));
	want = cents(expr);
	ck_assert_msg(got == want, "%s: %s, SQL says %lld.%02lld (%s)", key, jnum(o, key),
	    want / 100, want % 100, expr);
}

#define INT_IS(o, key, want) do { \
	long long got_ = jint(o, key), want_ = (want); \
	ck_assert_msg(got_ == want_, "%s: %lld, SQL says %lld", (key), got_, want_); \
} while (0)

static void
expect_named(struct resp *r, const char *field)
{
	EXPECT(r, 400);
	ck_assert_msg(names_field(r, field), "expected an error naming %s: %.600s", field, r->body);
}

/* ---- rows made by SQL ---- */

static int seq;

static long long
new_router(long long owner)
{
	char own[32];

	++seq;
	snprintf(own, sizeof(own), owner ? "%lld" : "NULL", owner);
	return sql("INSERT INTO routers (uuid, tenant_id, owner_id, name, host, callback_key) VALUES "
	    "(UUID(), 1, %s, 'Rep router %d-%d', '10.9.%d.1', MD5(UUID())); SELECT LAST_INSERT_ID()",
	    own, (int)getpid(), seq, seq % 250);
}

static long long
new_plan(const char *price, int dv, const char *du)
{
	return sql("INSERT INTO plans (uuid, tenant_id, name, price, duration_value, duration_unit) "
	    "VALUES (UUID(), 1, 'Rep plan %d-%d', %s, %d, '%s'); SELECT LAST_INSERT_ID()",
	    (int)getpid(), ++seq, price, dv, du);
}

static long long
new_customer(long long owner, const char *status)
{
	char own[32];

	snprintf(own, sizeof(own), owner ? "%lld" : "NULL", owner);
	++seq;
	return sql("INSERT INTO customers (uuid, tenant_id, owner_id, account_number, name, phone, "
	    "mac_address, status) VALUES (UUID(), 1, %s, 'RP%d-%d', 'Rep customer %d', "
	    "'2547%08d', 'AA:BB:CC:00:%02X:%02X', '%s'); SELECT LAST_INSERT_ID()", own,
	    (int)getpid(), seq, seq, (int)(getpid() % 10000) * 1000 + seq, (seq >> 8) & 255,
	    seq & 255, status);
}

/* an M-Pesa transaction; 0 ids are NULL; when: an SQL time */
static long long
new_tx(long long cust, long long plan, long long router, long long owner, const char *status,
    const char *amount, const char *when)
{
	char c[32], p[32], r[32], o[32], rcpt[48];

	snprintf(c, sizeof(c), cust ? "%lld" : "NULL", cust);
	snprintf(p, sizeof(p), plan ? "%lld" : "NULL", plan);
	snprintf(r, sizeof(r), router ? "%lld" : "NULL", router);
	snprintf(o, sizeof(o), owner ? "%lld" : "NULL", owner);
	++seq;
	if (!strcmp(status, "completed"))
		snprintf(rcpt, sizeof(rcpt), "'RP%dR%d'", (int)getpid(), seq);
	else
		snprintf(rcpt, sizeof(rcpt), "NULL");
	return sql("INSERT INTO mpesa_transactions (uuid, tenant_id, kind, checkout_request_id, "
	    "phone, amount, account_reference, customer_id, plan_id, router_id, owner_id, status, "
	    "mpesa_receipt_number, lipay_tx_no, transaction_date, created_at) VALUES (UUID(), 1, "
	    "'plan', 'ws_CO_RP%d_%d', '2547%08d', %s, 'REF%d', %s, %s, %s, %s, '%s', %s, 'LP%d', "
	    "IF('%s' = 'completed', %s, NULL), %s); SELECT LAST_INSERT_ID()", (int)getpid(), seq,
	    seq, amount, seq, c, p, r, o, status, rcpt, seq, status, when, when);
}

static void
new_payment(long long cust, long long plan, long long router, const char *method,
    const char *status, const char *amount, const char *when)
{
	char p[32], r[32];

	snprintf(p, sizeof(p), plan ? "%lld" : "NULL", plan);
	snprintf(r, sizeof(r), router ? "%lld" : "NULL", router);
	++seq;
	sql("INSERT INTO payments (uuid, tenant_id, customer_id, plan_id, router_id, payment_number, "
	    "amount, payment_method, status, payment_date) VALUES (UUID(), 1, %lld, %s, %s, "
	    "'RP%d-%d', %s, '%s', '%s', %s); SELECT LAST_INSERT_ID()", cust, p, r, (int)getpid(),
	    seq, amount, method, status, when);
}

static void
new_sub(long long cust, long long plan, const char *status, const char *end)
{
	++seq;
	sql("INSERT INTO subscriptions (uuid, tenant_id, customer_id, plan_id, username, status, "
	    "end_date) VALUES (UUID(), 1, %lld, %lld, 'rp%d-%d', '%s', %s); SELECT LAST_INSERT_ID()",
	    cust, plan, (int)getpid(), seq, status, end);
}

/* The world of the report tests: the real loop's guest (one completed,
 * one cancelled) on router v6's record, and by SQL two more routers, two
 * plans, customers and transactions of every status today, 3 days and 40
 * days ago. */
struct rep {
	long long plan, router, paid_tx, cancelled_tx;     /* the real loop's */
	long long r2, r3, p2, p3, c1, c2;
};

/* an SQL time days and seconds ago */
static const char *
ago(char t[128], int days, int secs)
{
	snprintf(t, 128, "UTC_TIMESTAMP(6) - INTERVAL %d DAY - INTERVAL %d SECOND", days, secs);
	return t;
}

static void
rep_world(struct rep *w)
{
	static const char *const st[5] = { "completed", "pending", "failed", "cancelled",
	    "expired" };
	char local[16], intl[16], mac[32], user[32], checkout[80], t[128];
	static const int days[3] = { 0, 3, 40 };
	int k = 0;

	memset(w, 0, sizeof(*w));
	money_world();
	hotspot_offer(&w->plan, &w->router);
	w->paid_tx = guest_buys(w->plan, w->router, NULL, local, intl, mac, user, checkout);
	ck_assert_str_eq(settled(w->paid_tx), "completed");
	w->cancelled_tx = guest_buys(w->plan, w->router, "{\"outcome\":\"cancelled\"}", local, intl,
	    mac, user, checkout);
	ck_assert_str_eq(settled(w->cancelled_tx), "cancelled");

	w->r2 = new_router(0);
	w->r3 = new_router(0);
	w->p2 = new_plan("10.00", 5, "minutes");
	w->p3 = new_plan("1500.50", 30, "days");
	w->c1 = new_customer(0, "active");
	w->c2 = new_customer(0, "suspended");
	/* every status on r2 at each date; r3 and no router completed ones */
	for (int d = 0; d < 3; d++)
		for (int s = 0; s < 5; s++) {
			ago(t, days[d], ++k * 7);
			new_tx(s % 2 ? w->c2 : w->c1, s % 2 ? w->p3 : w->p2, w->r2, 0, st[s],
			    s % 2 ? "1500.50" : "10.00", t);
			if (s == 0) {
				new_tx(w->c1, w->p3, w->r3, 0, st[s], "0.05", t);
				new_tx(0, 0, 0, 0, st[s], "99.99", t);
			}
		}
}

/* ---- the list ---- */

START_TEST(list_filters_equal_sql)
{
	struct rep w;
	struct resp *r;
	yajl_val rows, row;
	char day3[16], today[16], at[40];
	long long n, id;

	rep_world(&w);

	/* one router's: every row, newest first, every field as stored */
	r = api("GET", NULL, "/api/mpesa/transactions/?router_id=%lld&page_size=100", w.r2);
	EXPECT(r, 200);
	n = sql("SELECT COUNT(*) FROM mpesa_transactions WHERE tenant_id = 1 AND router_id = %lld",
	    w.r2);
	ck_assert_int_eq(n, 15);
	ck_assert_int_eq(total(r), n);
	rows = items(r);
	ck_assert_int_eq((long long)jlen(rows), n);
	for (size_t i = 0; i < jlen(rows); i++) {
		row = jat(rows, i);
		id = jint(row, "transaction_id");
		ck_assert_int_eq(id, sql("SELECT id FROM mpesa_transactions WHERE tenant_id = 1 AND "
		    "router_id = %lld ORDER BY created_at DESC, id DESC LIMIT 1 OFFSET %zu", w.r2, i));
		ck_assert_msg(sql("SELECT COUNT(*) FROM mpesa_transactions t JOIN customers c ON "
		    "c.id = t.customer_id JOIN plans p ON p.id = t.plan_id JOIN routers r ON "
		    "r.id = t.router_id WHERE t.id = %lld AND t.amount = %s AND t.status = '%s' AND "
		    "t.phone = '%s' AND t.checkout_request_id = '%s' AND t.account_reference = '%s' "
		    "AND t.lipay_tx_no = '%s' AND c.name = '%s' AND c.status = '%s' AND r.name = '%s' "
		    "AND r.host = '%s' AND p.price = %s AND p.duration_unit = '%s' AND "
		    "p.duration_value = %s", id, jnum(row, "amount"), jstr(row, "status"),
		    jstr(row, "phone_number"), jstr(row, "checkout_request_id"), jstr(row, "reference"),
		    jstr(row, "lipay_tx_no"), jstr(jget(row, "customer"), "name"),
		    jstr(jget(row, "customer"), "status"), jstr(jget(row, "router"), "name"),
		    jstr(jget(row, "router"), "ip_address"), jnum(jget(row, "plan"), "price"),
		    jstr(jget(row, "plan"), "duration_unit"), jnum(jget(row, "plan"),
		    "duration_value")) == 1, "row %zu differs from SQL: %s", i, r->body);
		ck_assert_int_eq(jint(jget(row, "customer"), "id"), sql("SELECT customer_id FROM "
		    "mpesa_transactions WHERE id = %lld", id));
		if (!strcmp(jstr(row, "status"), "completed"))
			ck_assert_msg(jstr(row, "mpesa_receipt_number") && jstr(row, "transaction_date"),
			    "%s", r->body);
		else
			ck_assert_msg(YAJL_IS_NULL(jget(row, "mpesa_receipt_number")) &&
			    YAJL_IS_NULL(jget(row, "transaction_date")), "%s", r->body);
	}
	it_free(r);

	/* pages: the third and fourth rows */
	r = api("GET", NULL, "/api/mpesa/transactions/?router_id=%lld&page_size=2&page=2", w.r2);
	EXPECT(r, 200);
	ck_assert_int_eq(it_int(r, "pagination/total_items"), 15);
	ck_assert_int_eq(it_int(r, "pagination/total_pages"), 8);
	ck_assert_int_eq((long long)jlen(items(r)), 2);
	for (size_t i = 0; i < 2; i++)
		ck_assert_int_eq(jint(jat(items(r), i), "transaction_id"), sql("SELECT id FROM "
		    "mpesa_transactions WHERE tenant_id = 1 AND router_id = %lld ORDER BY created_at "
		    "DESC, id DESC LIMIT 1 OFFSET %zu", w.r2, 2 + i));
	it_free(r);

	/* a status, on the whole tenant and on one router */
	r = api("GET", NULL, "/api/mpesa/transactions/?status=completed&page_size=100");
	EXPECT(r, 200);
	ck_assert_int_eq(total(r), sql("SELECT COUNT(*) FROM mpesa_transactions WHERE tenant_id = 1 "
	    "AND status = 'completed'"));
	for (size_t i = 0; i < jlen(items(r)); i++)
		ck_assert_str_eq(jstr(jat(items(r), i), "status"), "completed");
	it_free(r);
	r = api("GET", NULL, "/api/mpesa/transactions/?status=expired&router_id=%lld", w.r2);
	ck_assert_int_eq(total(r), 3);
	it_free(r);

	/* dates: 3 days ago to today, whole days (UTC) */
	{
		char cmd[512];

		snprintf(cmd, sizeof(cmd), "mariadb --no-defaults --socket=%s/mysql.sock -uroot -N -B "
		    "ispbill -e \"SELECT DATE(UTC_TIMESTAMP() - INTERVAL 3 DAY), UTC_DATE()\"", it_dir());
		ck_assert_int_eq(it_run(cmd, at, sizeof(at)), 0);
		ck_assert_int_eq(sscanf(at, "%15s %15s", day3, today), 2);
	}
	r = api("GET", NULL, "/api/mpesa/transactions/?start_date=%s&end_date=%s", day3, today);
	EXPECT(r, 200);
	ck_assert_int_eq(total(r), sql("SELECT COUNT(*) FROM mpesa_transactions WHERE tenant_id = 1 "
	    "AND created_at >= '%s' AND created_at < '%s' + INTERVAL 1 DAY", day3, today));
	it_free(r);
	r = api("GET", NULL, "/api/mpesa/transactions/?end_date=%s&router_id=%lld&status=failed",
	    day3, w.r2);
	ck_assert_int_eq(total(r), sql("SELECT COUNT(*) FROM mpesa_transactions WHERE tenant_id = 1 "
	    "AND router_id = %lld AND status = 'failed' AND created_at < '%s' + INTERVAL 1 DAY",
	    w.r2, day3));
	it_free(r);

	/* a datetime names an instant, the end included */
	id = sql("SELECT id FROM mpesa_transactions WHERE router_id = %lld ORDER BY id LIMIT 1", w.r2);
	{
		char cmd[512];

		snprintf(cmd, sizeof(cmd), "mariadb --no-defaults --socket=%s/mysql.sock -uroot -N -B "
		    "ispbill -e \"SELECT DATE_FORMAT(created_at, '%%Y-%%m-%%dT%%H:%%i:%%s.%%fZ') FROM "
		    "mpesa_transactions WHERE id = %lld\"", it_dir(), id);
		ck_assert_int_eq(it_run(cmd, at, sizeof(at)), 0);
		at[strcspn(at, "\n")] = '\0';
	}
	r = api("GET", NULL, "/api/mpesa/transactions/?start_date=%s&end_date=%s&router_id=%lld", at,
	    at, w.r2);
	EXPECT(r, 200);
	ck_assert_int_eq(total(r), 1);
	ck_assert_int_eq(jint(jat(items(r), 0), "transaction_id"), id);
	it_free(r);

	/* the real loop's purchase, with its guest, router and plan */
	r = api("GET", NULL, "/api/mpesa/transactions/?router_id=%lld&status=completed", w.router);
	EXPECT(r, 200);
	row = find_int(r, "transaction_id", w.paid_tx);
	ck_assert_msg(row != NULL, "%s", r->body);
	ck_assert_str_eq(jnum(row, "amount"), "50.00");
	ck_assert_msg(jstr(jget(row, "customer"), "name") &&
	    !strncmp(jstr(jget(row, "customer"), "name"), "Guest ", 6), "%s", r->body);
	ck_assert_str_eq(jstr(jget(row, "router"), "ip_address"), "127.0.0.1");
	ck_assert_str_eq(jstr(jget(row, "plan"), "duration_unit"), "hours");
	ck_assert_str_eq(jnum(jget(row, "plan"), "duration_value"), "1");
	ck_assert_int_eq(jint(jget(row, "plan"), "id"), w.plan);
	ck_assert_msg(jstr(row, "mpesa_receipt_number") != NULL, "%s", r->body);
	it_free(r);
	/* no customer, router or plan: null */
	r = api("GET", NULL, "/api/mpesa/transactions/?status=completed&page_size=100");
	id = sql("SELECT MAX(id) FROM mpesa_transactions WHERE tenant_id = 1 AND router_id IS NULL "
	    "AND customer_id IS NULL AND status = 'completed' AND created_at > UTC_TIMESTAMP() - "
	    "INTERVAL 1 HOUR");
	row = find_int(r, "transaction_id", id);
	ck_assert_msg(row && YAJL_IS_NULL(jget(row, "customer")) && YAJL_IS_NULL(jget(row,
	    "router")) && YAJL_IS_NULL(jget(row, "plan")), "%lld: %s", id, r->body);
	it_free(r);
}
END_TEST

/* ---- the summary ---- */

/* the summary in r equals SQL over the tenant's transactions matching cond */
static void
summary_is(struct resp *r, const char *cond)
{
	static const char *const st[5] = { "pending", "completed", "failed", "cancelled",
	    "expired" };
	yajl_val d = it_json(r, "data"), sb = jget(d, "status_breakdown"),
	    rb = jget(d, "router_breakdown");
	long long nst = 0;

	EXPECT(r, 200);
	INT_IS(d, "total_transactions", sql("SELECT COUNT(*) FROM mpesa_transactions t WHERE "
	    "t.tenant_id = 1%s", cond));
	money_is(d, "total_amount", "SELECT SUM(t.amount) FROM mpesa_transactions t WHERE "
	    "t.tenant_id = 1%s", cond);
	for (int i = 0; i < 5; i++) {
		long long n = sql("SELECT COUNT(*) FROM mpesa_transactions t WHERE t.tenant_id = 1 "
		    "AND t.status = '%s'%s", st[i], cond);

		if (n == 0) {
			ck_assert_msg(jget(sb, st[i]) == NULL, "%s: %s", st[i], r->body);
			continue;
		}
		nst++;
		INT_IS(jget(sb, st[i]), "count", n);
		money_is(jget(sb, st[i]), "amount", "SELECT SUM(t.amount) FROM mpesa_transactions t "
		    "WHERE t.tenant_id = 1 AND t.status = '%s'%s", st[i], cond);
	}
	ck_assert_int_eq((long long)YAJL_GET_OBJECT(sb)->len, nst);
	ck_assert_int_eq((long long)YAJL_GET_OBJECT(rb)->len, sql("SELECT COUNT(DISTINCT "
	    "t.router_id) FROM mpesa_transactions t JOIN routers r ON r.id = t.router_id WHERE "
	    "t.tenant_id = 1%s", cond));
	for (size_t i = 0; i < YAJL_GET_OBJECT(rb)->len; i++) {
		const char *name = YAJL_GET_OBJECT(rb)->keys[i];
		yajl_val v = YAJL_GET_OBJECT(rb)->values[i];
		long long id = jint(v, "router_id");

		ck_assert_int_eq(sql("SELECT COUNT(*) FROM routers WHERE id = %lld AND tenant_id = 1 "
		    "AND name = '%s'", id, name), 1);
		INT_IS(v, "count", sql("SELECT COUNT(*) FROM mpesa_transactions t WHERE t.tenant_id = 1 "
		    "AND t.router_id = %lld%s", id, cond));
		money_is(v, "amount", "SELECT SUM(t.amount) FROM mpesa_transactions t WHERE "
		    "t.tenant_id = 1 AND t.router_id = %lld%s", id, cond);
	}
}

START_TEST(summary_equals_sql)
{
	char cond[256];
	struct rep w;
	struct resp *r;

	rep_world(&w);
	r = api("GET", NULL, "/api/mpesa/transactions/summary/");
	summary_is(r, "");
	ck_assert_msg(it_is_null(r, "data/period/start_date") && it_is_null(r,
	    "data/period/end_date"), "%s", r->body);
	it_free(r);

	/* one router from a start date; a status is no filter here */
	r = api("GET", NULL, "/api/mpesa/transactions/summary/?router_id=%lld&status=failed"
	    "&start_date=%s", w.r2, "2000-01-01");
	snprintf(cond, sizeof(cond), " AND t.router_id = %lld", w.r2);
	summary_is(r, cond);
	ck_assert_int_eq(it_int(r, "data/total_transactions"), 15);
	ck_assert_str_eq(it_str(r, "data/period/start_date"), "2000-01-01");
	ck_assert_msg(it_is_null(r, "data/period/end_date"), "%s", r->body);
	it_free(r);
	{
		char cmd[512], d10[40];

		snprintf(cmd, sizeof(cmd), "mariadb --no-defaults --socket=%s/mysql.sock -uroot -N -B "
		    "ispbill -e \"SELECT DATE(UTC_TIMESTAMP() - INTERVAL 10 DAY)\"", it_dir());
		ck_assert_int_eq(it_run(cmd, d10, sizeof(d10)), 0);
		d10[strcspn(d10, "\n")] = '\0';
		r = api("GET", NULL, "/api/mpesa/transactions/summary/?start_date=%s", d10);
		snprintf(cond, sizeof(cond), " AND t.created_at >= '%s'", d10);
		summary_is(r, cond);
		ck_assert_str_eq(it_str(r, "data/period/start_date"), d10);
		it_free(r);
	}
	/* the real loop's router: one completed, one cancelled, 50 each */
	r = api("GET", NULL, "/api/mpesa/transactions/summary/?router_id=%lld", w.router);
	snprintf(cond, sizeof(cond), " AND t.router_id = %lld", w.router);
	summary_is(r, cond);
	ck_assert_int_eq(it_int(r, "data/status_breakdown/completed/count"), 1);
	ck_assert_int_eq(it_int(r, "data/status_breakdown/cancelled/count"), 1);
	it_free(r);
}
END_TEST

/* ---- the dashboard ---- */

/* the overview in r equals SQL over the payments, customers and
 * subscriptions of tenant 1, of the customers (k) matching own ("" or
 * " AND k.owner_id = N") */
static void
dashboard_is(struct resp *r, const char *own)
{
	yajl_val d = it_json(r, "data"), rev = jget(d, "revenue"), cu = jget(d, "customers"), a;
	char pay[256];

	EXPECT(r, 200);
	snprintf(pay, sizeof(pay), "FROM payments x JOIN customers k ON k.id = x.customer_id "
	    "WHERE x.tenant_id = 1 AND x.status = 'completed'%s", own);
	money_is(rev, "today", "SELECT SUM(x.amount) %s AND x.payment_date >= " N_TODAY
	    " AND x.payment_date < " N_TOMORROW, pay);
	money_is(rev, "this_week", "SELECT SUM(x.amount) %s AND x.payment_date >= " N_WEEK
	    " AND x.payment_date < " N_TOMORROW, pay);
	money_is(rev, "this_month", "SELECT SUM(x.amount) %s AND x.payment_date >= " N_MONTH
	    " AND x.payment_date < " N_TOMORROW, pay);
	money_is(rev, "all_time", "SELECT SUM(x.amount) %s", pay);

	INT_IS(cu, "total", sql("SELECT COUNT(*) FROM customers k WHERE k.tenant_id = 1 AND "
	    "k.deleted_at IS NULL%s", own));
	INT_IS(cu, "active", sql("SELECT COUNT(*) FROM customers k WHERE k.tenant_id = 1 AND "
	    "k.deleted_at IS NULL AND k.status = 'active'%s", own));
	INT_IS(cu, "inactive", sql("SELECT COUNT(*) FROM customers k WHERE k.tenant_id = 1 AND "
	    "k.deleted_at IS NULL AND k.status <> 'active'%s", own));

	a = jget(d, "revenue_by_router");
	ck_assert_int_eq((long long)jlen(a), sql("SELECT COUNT(DISTINCT x.router_id) %s AND "
	    "x.router_id IS NOT NULL", pay));
	for (size_t i = 0; i < jlen(a); i++) {
		long long id = jint(jat(a, i), "router_id");

		ck_assert_int_eq(id, sql("SELECT DISTINCT x.router_id %s AND x.router_id IS NOT NULL "
		    "ORDER BY 1 LIMIT 1 OFFSET %zu", pay, i));
		ck_assert_int_eq(sql("SELECT COUNT(*) FROM routers WHERE id = %lld AND name = '%s'", id,
		    jstr(jat(a, i), "router_name")), 1);
		INT_IS(jat(a, i), "transaction_count", sql("SELECT COUNT(*) %s AND x.router_id = %lld",
		    pay, id));
		money_is(jat(a, i), "revenue", "SELECT SUM(x.amount) %s AND x.router_id = %lld", pay, id);
	}
	a = jget(d, "revenue_by_plan");
	ck_assert_int_eq((long long)jlen(a), sql("SELECT COUNT(DISTINCT x.plan_id) %s AND "
	    "x.plan_id IS NOT NULL", pay));
	for (size_t i = 0; i < jlen(a); i++) {
		long long id = jint(jat(a, i), "plan_id");

		ck_assert_int_eq(id, sql("SELECT DISTINCT x.plan_id %s AND x.plan_id IS NOT NULL "
		    "ORDER BY 1 LIMIT 1 OFFSET %zu", pay, i));
		ck_assert_int_eq(sql("SELECT COUNT(*) FROM plans WHERE id = %lld AND name = '%s' AND "
		    "price = %s", id, jstr(jat(a, i), "plan_name"), jnum(jat(a, i), "plan_price")), 1);
		INT_IS(jat(a, i), "sales_count", sql("SELECT COUNT(*) %s AND x.plan_id = %lld", pay, id));
		money_is(jat(a, i), "revenue", "SELECT SUM(x.amount) %s AND x.plan_id = %lld", pay, id);
	}
	a = jget(d, "recent_transactions");
	ck_assert_int_eq((long long)jlen(a), sql("SELECT LEAST(COUNT(*), 10) %s", pay));
	for (size_t i = 0; i < jlen(a); i++) {
		long long id = jint(jat(a, i), "payment_id");

		ck_assert_int_eq(id, sql("SELECT x.id %s ORDER BY x.payment_date DESC, x.id DESC "
		    "LIMIT 1 OFFSET %zu", pay, i));
		ck_assert_int_eq(sql("SELECT COUNT(*) FROM payments x JOIN customers k ON "
		    "k.id = x.customer_id WHERE x.id = %lld AND x.amount = %s AND k.name = '%s' AND "
		    "x.payment_method = '%s'", id, jnum(jat(a, i), "amount"),
		    jstr(jat(a, i), "customer_name"), jstr(jat(a, i), "payment_method")), 1);
	}
	a = jget(d, "expiring_soon");
	ck_assert_int_eq((long long)jlen(a), sql("SELECT LEAST(COUNT(*), 20) FROM subscriptions x "
	    "JOIN customers k ON k.id = x.customer_id WHERE x.tenant_id = 1 AND x.status = 'active' "
	    "AND x.end_date >= UTC_TIMESTAMP() AND x.end_date < UTC_TIMESTAMP() + INTERVAL 1 DAY%s",
	    own));
	for (size_t i = 0; i < jlen(a); i++)
		ck_assert_int_eq(jint(jat(a, i), "subscription_id"), sql("SELECT x.id FROM "
		    "subscriptions x JOIN customers k ON k.id = x.customer_id WHERE x.tenant_id = 1 AND "
		    "x.status = 'active' AND x.end_date >= UTC_TIMESTAMP() AND x.end_date < "
		    "UTC_TIMESTAMP() + INTERVAL 1 DAY%s ORDER BY x.end_date, x.id LIMIT 1 OFFSET %zu",
		    own, i));
	ck_assert_msg(it_str(r, "data/generated_at") != NULL, "%s", r->body);
}

START_TEST(dashboard_equals_sql)
{
	struct rep w;
	struct resp *r;

	rep_world(&w);
	/* payments of every method and status, in and out of each window */
	new_payment(w.c1, w.p2, w.r2, "cash", "completed", "120.00", N_TODAY " + INTERVAL 1 MINUTE");
	new_payment(w.c1, w.p2, w.r2, "mpesa", "completed", "10.00", N_TODAY " - INTERVAL 1 MINUTE");
	new_payment(w.c2, w.p3, w.r3, "mobile_money", "completed", "1500.50",
	    "UTC_TIMESTAMP() - INTERVAL 3 DAY");
	new_payment(w.c2, w.p3, 0, "mpesa", "completed", "0.05", "UTC_TIMESTAMP() - INTERVAL 40 DAY");
	new_payment(w.c1, w.p2, w.r2, "mpesa", "failed", "77.00", "UTC_TIMESTAMP()");
	new_payment(w.c1, 0, 0, "cash", "pending", "33.00", "UTC_TIMESTAMP()");
	/* subscriptions: one within the day, one beyond, one ended, one suspended */
	new_sub(w.c1, w.p2, "active", "UTC_TIMESTAMP() + INTERVAL 2 HOUR");
	new_sub(w.c1, w.p2, "active", "UTC_TIMESTAMP() + INTERVAL 30 HOUR");
	new_sub(w.c2, w.p3, "active", "UTC_TIMESTAMP() - INTERVAL 1 HOUR");
	new_sub(w.c2, w.p3, "suspended", "UTC_TIMESTAMP() + INTERVAL 1 HOUR");
	r = api("GET", NULL, "/api/dashboard/overview/");
	dashboard_is(r, "");
	it_free(r);
}
END_TEST

/* ---- a reseller ---- */

static char *
login_as(const char *username)
{
	char body[512];
	struct resp *r;
	char *tok;

	snprintf(body, sizeof(body), "{\"username\":\"%s\",\"password\":\"Rt-Passw0rd-1\"}",
	    username);
	r = it_post("/api/auth/login/", body);
	ck_assert_msg(it_str(r, "data/tokens/access") != NULL, "login: %s", r->body);
	tok = strdup(it_str(r, "data/tokens/access"));
	it_free(r);
	return tok;
}

START_TEST(a_reseller_sees_only_its_own)
{
	char body[512], name[64], own[64], t[160];
	long long res, admin_id, cust, rt, pl;
	struct resp *r;
	char *tok;

	begin();
	snprintf(body, sizeof(body), "{\"username\":\"%s\",\"email\":\"%s@example.org\","
	    "\"password\":\"Rt-Passw0rd-1\",\"password_confirm\":\"Rt-Passw0rd-1\","
	    "\"user_type\":\"reseller_admin\"}", uniq(name, sizeof(name), "rres"), name);
	res = made("/api/auth/users/", body);
	tok = login_as(name);
	admin_id = sql("SELECT MIN(id) FROM users WHERE tenant_id = 1 AND user_type = 'admin'");
	snprintf(own, sizeof(own), " AND k.owner_id = %lld", res);

	rt = new_router(res);
	pl = new_plan("25.00", 1, "days");
	cust = new_customer(res, "active");
	new_customer(res, "inactive");
	new_customer(0, "active");                      /* the tenant's, not the reseller's */
	ago(t, 0, 5);
	new_tx(cust, pl, rt, res, "completed", "25.00", t);
	new_tx(cust, pl, rt, res, "failed", "25.00", t);
	ago(t, 40, 5);
	new_tx(cust, pl, rt, res, "completed", "25.00", t);
	new_tx(cust, pl, rt, 0, "completed", "999.00", t);      /* on its router, not its own */
	/* Nairobi's day: 00:00:30 is today, 23:59:30 the day before is not */
	new_payment(cust, pl, rt, "mpesa", "completed", "25.00", N_TODAY " + INTERVAL 30 SECOND");
	new_payment(cust, pl, rt, "mpesa", "completed", "7.00", N_TODAY " - INTERVAL 30 SECOND");
	new_payment(cust, pl, rt, "cash", "completed", "3.00", "UTC_TIMESTAMP() - INTERVAL 40 DAY");
	new_sub(cust, pl, "active", "UTC_TIMESTAMP() + INTERVAL 3 HOUR");

	/* the reseller, and the admin picking it: the same */
	for (int who = 0; who < 2; who++) {
		r = who ? api("GET", NULL, "/api/mpesa/transactions/?user_id=%lld", res) :
		    api_as(tok, "GET", NULL, "/api/mpesa/transactions/");
		EXPECT(r, 200);
		ck_assert_int_eq(total(r), 3);
		ck_assert_int_eq(total(r), sql("SELECT COUNT(*) FROM mpesa_transactions WHERE "
		    "tenant_id = 1 AND owner_id = %lld", res));
		it_free(r);
		r = who ? api("GET", NULL, "/api/mpesa/transactions/summary/?user_id=%lld", res) :
		    api_as(tok, "GET", NULL, "/api/mpesa/transactions/summary/");
		EXPECT(r, 200);
		ck_assert_int_eq(it_int(r, "data/total_transactions"), 3);
		ck_assert_str_eq(jnum(it_json(r, "data"), "total_amount"), "75.00");
		ck_assert_int_eq(it_int(r, "data/status_breakdown/completed/count"), 2);
		ck_assert_int_eq(it_int(r, "data/status_breakdown/failed/count"), 1);
		it_free(r);
		r = who ? api("GET", NULL, "/api/dashboard/overview/?user_id=%lld", res) :
		    api_as(tok, "GET", NULL, "/api/dashboard/overview/");
		dashboard_is(r, own);
		ck_assert_str_eq(jnum(it_json(r, "data/revenue"), "today"), "25.00");
		ck_assert_str_eq(jnum(it_json(r, "data/revenue"), "all_time"), "35.00");
		ck_assert_int_eq(it_int(r, "data/customers/total"), 2);
		ck_assert_int_eq(it_int(r, "data/customers/active"), 1);
		ck_assert_int_eq(it_int(r, "data/customers/inactive"), 1);
		ck_assert_int_eq((long long)jlen(it_json(r, "data/expiring_soon")), 1);
		ck_assert_int_eq((long long)jlen(it_json(r, "data/recent_transactions")), 3);
		it_free(r);
	}
	/* a reseller cannot widen its view */
	r = api_as(tok, "GET", NULL, "/api/mpesa/transactions/?user_id=%lld", admin_id);
	ck_assert_int_eq(total(r), 3);
	it_free(r);
	/* nobody of the tenant: nothing */
	r = api("GET", NULL, "/api/mpesa/transactions/summary/?user_id=999999999");
	EXPECT(r, 200);
	ck_assert_int_eq(it_int(r, "data/total_transactions"), 0);
	it_free(r);
	r = api("GET", NULL, "/api/dashboard/overview/?user_id=999999999");
	EXPECT(r, 200);
	ck_assert_str_eq(jnum(it_json(r, "data/revenue"), "all_time"), "0.00");
	it_free(r);
	free(tok);
}
END_TEST

/* ---- bad parameters ---- */

START_TEST(bad_parameters_are_named)
{
	static const struct {
		const char *path, *field;
	} cases[] = {
		{ "/api/mpesa/transactions/?status=paid", "status" },
		{ "/api/mpesa/transactions/?router_id=abc", "router_id" },
		{ "/api/mpesa/transactions/?router_id=0", "router_id" },
		{ "/api/mpesa/transactions/?start_date=2026-13-01", "start_date" },
		{ "/api/mpesa/transactions/?start_date=2026-02-30", "start_date" },
		{ "/api/mpesa/transactions/?end_date=yesterday", "end_date" },
		{ "/api/mpesa/transactions/?end_date=2026-01-01T25:00:00", "end_date" },
		{ "/api/mpesa/transactions/?start_date=2026-01-02&end_date=2026-01-01", "start_date" },
		{ "/api/mpesa/transactions/?user_id=x", "user_id" },
		{ "/api/mpesa/transactions/?page=0", "page" },
		{ "/api/mpesa/transactions/summary/?router_id=-1", "router_id" },
		{ "/api/mpesa/transactions/summary/?end_date=2026-1-1", "end_date" },
		{ "/api/mpesa/transactions/summary/?user_id=0", "user_id" },
		{ "/api/dashboard/overview/?user_id=abc", "user_id" },
	};
	struct misses m = { 0 };

	begin();
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct resp *r = api("GET", NULL, "%s", cases[i].path);

		if (r->status != 400 || !names_field(r, cases[i].field))
			miss(&m, "%s: %ld %.300s", cases[i].path, r->status, r->body);
		it_free(r);
	}
	NO_MISSES(m);
	/* several at once, each named */
	{
		struct resp *r = api("GET", NULL, "/api/mpesa/transactions/?status=x&start_date=y"
		    "&end_date=z&router_id=q");

		expect_named(r, "status");
		ck_assert(names_field(r, "start_date") && names_field(r, "end_date") &&
		    names_field(r, "router_id"));
		it_free(r);
	}
	/* good ones pass: a datetime with Z, a fraction, a space */
	{
		struct resp *r = api("GET", NULL, "/api/mpesa/transactions/?start_date=2026-01-06T17:52"
		    "&end_date=2026-01-06%%2017:52:35.259434Z&status=expired");

		EXPECT(r, 200);
		it_free(r);
	}
}
END_TEST

Suite *
suite_mpesa_reports(void)
{
	Suite *s = suite_create("mpesa_reports");
	TCase *tc = tcase_create("reports");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, list_filters_equal_sql);
	tcase_add_test(tc, summary_equals_sql);
	tcase_add_test(tc, dashboard_equals_sql);
	tcase_add_test(tc, a_reseller_sees_only_its_own);
	tcase_add_test(tc, bad_parameters_are_named);
	suite_add_tcase(s, tc);
	return s;
}
