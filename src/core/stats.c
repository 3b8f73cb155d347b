/* stats.c - billing statistics: one SQL aggregation per group, each over a
 * covering index (sql/005_stats_indexes.sql), scoped to a tenant and, for a
 * reseller, to its customers; money summed exactly as integer minor units. */
#include "config.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "core/stats.h"
#include "db/db.h"
#include "db/qcache.h"
#include "util/arena.h"

/* ---- SQL ----
 * Every query exists twice, for the whole tenant and for one reseller
 * (fixed texts, so each is prepared once per connection), taking the same
 * parameters in the same order.
 *
 * A whole tenant's figures come from the summaries of
 * sql/007_summaries.sql, which triggers keep exact in the writing
 * transaction: a few dozen rows instead of a million payments.  Where a
 * summary query needs a parameter in another place than the raw one, the
 * parameters are named once in a one-row table p.
 *
 * A reseller's figures aggregate its customers' rows: tables that belong
 * to a customer are aliased x and narrowed with BY_CUSTOMER; MariaDB runs
 * it as a semi-join from the reseller's customers (ix_customers_owner)
 * into the table's (tenant_id, customer_id, ...) covering index. */

#define BY_CUSTOMER " AND x.customer_id IN (SELECT c.id FROM customers c " \
	"WHERE c.tenant_id = ? AND c.owner_id = ?)"
#define BY_OWNER    " AND owner_id = ?"
/* plans: the tenant's shared catalogue and the reseller's own */
#define BY_PLAN_OWNER " AND (owner_id IS NULL OR owner_id = ?)"
#define PAIR(Q, S)  { Q(""), Q(S) }

#define Q_CUSTOMERS(S) "SELECT COUNT(*), " \
	"COUNT(CASE WHEN status = 'active' THEN 1 END), " \
	"COUNT(CASE WHEN status = 'inactive' THEN 1 END), " \
	"COUNT(CASE WHEN status = 'suspended' THEN 1 END), " \
	"COUNT(CASE WHEN status = 'cancelled' THEN 1 END), " \
	"COUNT(CASE WHEN created_at >= ? THEN 1 END) " \
	"FROM customers WHERE tenant_id = ? AND deleted_at IS NULL" S
#define COUNT_OF(C, V) "COALESCE(SUM(CASE WHEN s." C " = '" V "' THEN s.n END), 0)"
#define ONE_ROW_GROUP " GROUP BY p.since, p.t"
/* rows made on or after p.since, a day's start */
#define CREATED_SINCE(E) "COALESCE((SELECT SUM(k.n) FROM stat_created k WHERE k.tenant_id = p.t " \
	"AND k.entity = '" E "' AND k.day >= p.since), 0)"
static const char *const q_customers[2] = {
	"SELECT COALESCE(SUM(s.n), 0), " COUNT_OF("status", "active") ", "
	COUNT_OF("status", "inactive") ", " COUNT_OF("status", "suspended") ", "
	COUNT_OF("status", "cancelled") ", "
	CREATED_SINCE("customers") " "
	"FROM (SELECT ? AS since, ? AS t) p LEFT JOIN stat_customers s ON s.tenant_id = p.t"
	ONE_ROW_GROUP,
	Q_CUSTOMERS(BY_OWNER),
};

#define Q_SUBSCRIPTIONS(S) "SELECT COUNT(*), " \
	"COUNT(CASE WHEN x.status = 'active' THEN 1 END), " \
	"COUNT(CASE WHEN x.status = 'inactive' THEN 1 END), " \
	"COUNT(CASE WHEN x.status = 'suspended' THEN 1 END), " \
	"COUNT(CASE WHEN x.status = 'cancelled' THEN 1 END), " \
	"COUNT(CASE WHEN x.status = 'pending' THEN 1 END), " \
	"COUNT(CASE WHEN x.created_at >= ? THEN 1 END), " \
	"COUNT(DISTINCT CASE WHEN x.status = 'active' THEN x.customer_id END) " \
	"FROM subscriptions x WHERE x.tenant_id = ?" S
static const char *const q_subscriptions[2] = {
	"SELECT COALESCE(SUM(s.n), 0), " COUNT_OF("status", "active") ", "
	COUNT_OF("status", "inactive") ", " COUNT_OF("status", "suspended") ", "
	COUNT_OF("status", "cancelled") ", " COUNT_OF("status", "pending") ", "
	CREATED_SINCE("subscriptions") ", "
	"COALESCE((SELECT SUM(k.n) FROM stat_counts k WHERE k.tenant_id = p.t "
	"AND k.name = 'customers_with_active_subscriptions'), 0) "
	"FROM (SELECT ? AS since, ? AS t) p LEFT JOIN stat_subs s ON s.tenant_id = p.t"
	ONE_ROW_GROUP,
	Q_SUBSCRIPTIONS(BY_CUSTOMER),
};

#define Q_PLANS(S) "SELECT COUNT(*), COUNT(CASE WHEN is_active = 1 THEN 1 END), " \
	"COUNT(CASE WHEN is_featured = 1 THEN 1 END), COUNT(CASE WHEN is_popular = 1 THEN 1 END) " \
	"FROM plans WHERE tenant_id = ? AND deleted_at IS NULL" S
static const char *const q_plans[2] = PAIR(Q_PLANS, BY_PLAN_OWNER);

/* the plan with the most active subscriptions (ties: the older plan) */
#define Q_POPULAR(S) "SELECT p.name FROM (SELECT x.plan_id, COUNT(*) AS n " \
	"FROM subscriptions x WHERE x.tenant_id = ? AND x.status = 'active'" S \
	" GROUP BY x.plan_id ORDER BY n DESC, x.plan_id LIMIT 1) t JOIN plans p ON p.id = t.plan_id"
static const char *const q_popular[2] = {
	"SELECT p.name FROM (SELECT plan_id, n FROM stat_subs WHERE tenant_id = ? "
	"AND status = 'active' AND n > 0 ORDER BY n DESC, plan_id LIMIT 1) t "
	"JOIN plans p ON p.id = t.plan_id",
	Q_POPULAR(BY_CUSTOMER),
};

static const char q_plan_name[] = "SELECT name FROM plans WHERE id = ? AND tenant_id = ?";

static const char q_tenant_user[] = "SELECT 1 FROM users WHERE id = ? AND tenant_id = ?";

#define Q_ROUTERS(S) "SELECT COUNT(*), " \
	"COUNT(CASE WHEN status = 'online' THEN 1 END), " \
	"COUNT(CASE WHEN status = 'offline' THEN 1 END), " \
	"COUNT(CASE WHEN status = 'maintenance' THEN 1 END), " \
	"COUNT(CASE WHEN router_type = 'mikrotik' THEN 1 END), " \
	"COUNT(CASE WHEN router_type = 'cisco' THEN 1 END), " \
	"COUNT(CASE WHEN router_type = 'other' THEN 1 END) " \
	"FROM routers WHERE tenant_id = ? AND deleted_at IS NULL" S
static const char *const q_routers[2] = PAIR(Q_ROUTERS, BY_OWNER);

/* data used by the subscriptions on those routers (ix_stats_sub_router) */
#define Q_BANDWIDTH(S) "SELECT COALESCE(SUM(s.data_used), 0) FROM subscriptions s " \
	"WHERE s.tenant_id = ? AND s.router_id IN (SELECT r.id FROM routers r " \
	"WHERE r.tenant_id = ? AND r.deleted_at IS NULL" S ")"
static const char *const q_bandwidth[2] = {
	"SELECT COALESCE(SUM(r.data_used_total), 0) FROM routers r WHERE r.tenant_id = ? "
	"AND r.tenant_id = ? AND r.deleted_at IS NULL",
	Q_BANDWIDTH(" AND r.owner_id = ?"),
};

/* per status, in index order (ix_stats_invoices) */
#define Q_INVOICES(S) "SELECT x.status, COUNT(*), COALESCE(SUM(x.total_amount), 0), " \
	"COALESCE(SUM(x.paid_amount), 0) FROM invoices x WHERE x.tenant_id = ?" S \
	" GROUP BY x.status"
static const char *const q_invoices[2] = {
	"SELECT status, n, total, paid FROM stat_inv WHERE tenant_id = ? AND n <> 0",
	Q_INVOICES(BY_CUSTOMER),
};

/* One pass over a tenant's payments for the payments group, the methods
 * and the plans' revenue, grouped in the order of ix_stats_pay_group. */
#define Q_BREAKDOWN(S) "SELECT x.status, x.payment_method, x.plan_id, COUNT(*), SUM(x.amount) " \
	"FROM payments x WHERE x.tenant_id = ?" S \
	" GROUP BY x.status, x.payment_method, x.plan_id"
static const char *const q_breakdown[2] = {
	"SELECT status, payment_method, NULLIF(plan_id, 0), n, amount FROM stat_pay_mix "
	"WHERE tenant_id = ? AND n <> 0",
	Q_BREAKDOWN(BY_CUSTOMER),
};

/* completed payments dated in [?, ?) (ix_stats_pay_date) */
#define Q_REVENUE_SUM(S) "SELECT COALESCE(SUM(x.amount), 0) FROM payments x " \
	"WHERE x.tenant_id = ? AND x.status = 'completed' AND x.payment_date >= ? " \
	"AND x.payment_date < ?" S
static const char *const q_revenue_sum[2] = {
	"SELECT COALESCE(SUM(amount), 0) FROM stat_pay_day WHERE tenant_id = ? "
	"AND day >= ? AND day < ? AND status = 'completed'",
	Q_REVENUE_SUM(BY_CUSTOMER),
};

/* Payments per day of a window.  The status list is every value of
 * payments.status: it lets the range run over ix_stats_pay_date
 * (tenant_id, status, payment_date, ...); a new status must be added here. */
#define Q_TREND_PAYMENTS(S) "SELECT DATE(x.payment_date), COUNT(*), " \
	"COUNT(CASE WHEN x.status = 'completed' THEN 1 END), " \
	"COALESCE(SUM(CASE WHEN x.status = 'completed' THEN x.amount END), 0) " \
	"FROM payments x WHERE x.tenant_id = ? " \
	"AND x.status IN ('pending', 'completed', 'failed', 'cancelled', 'refunded') " \
	"AND x.payment_date >= ? AND x.payment_date < ?" S " GROUP BY DATE(x.payment_date)"
static const char *const q_trend_payments[2] = {
	"SELECT day, SUM(n), SUM(CASE WHEN status = 'completed' THEN n ELSE 0 END), "
	"COALESCE(SUM(CASE WHEN status = 'completed' THEN amount END), 0) FROM stat_pay_day "
	"WHERE tenant_id = ? AND day >= ? AND day < ? GROUP BY day HAVING SUM(n) <> 0",
	Q_TREND_PAYMENTS(BY_CUSTOMER),
};

/* billed invoices per issue day of a window */
#define BILLED "('pending', 'paid', 'overdue')"
#define Q_TREND_INVOICES(S) "SELECT x.issue_date, COUNT(*), " \
	"COALESCE(SUM(x.total_amount), 0) FROM invoices x WHERE x.tenant_id = ? " \
	"AND x.status IN " BILLED " " \
	"AND x.issue_date >= ? AND x.issue_date < ?" S " GROUP BY x.issue_date"
static const char *const q_trend_invoices[2] = {
	"SELECT day, SUM(n), COALESCE(SUM(total), 0) FROM stat_inv_day WHERE tenant_id = ? "
	"AND day >= ? AND day < ? AND status IN " BILLED " GROUP BY day HAVING SUM(n) <> 0",
	Q_TREND_INVOICES(BY_CUSTOMER),
};

/* the customers with the most completed payments (ix_stats_pay_customer),
 * then their invoices and subscriptions */
#define Q_TOP(S) "SELECT t.customer_id, cu.name, t.total, " \
	"(SELECT COUNT(*) FROM invoices i WHERE i.tenant_id = cu.tenant_id AND i.customer_id = cu.id), " \
	"(SELECT COUNT(*) FROM subscriptions s WHERE s.tenant_id = cu.tenant_id " \
	"AND s.customer_id = cu.id) " \
	"FROM (SELECT x.customer_id, SUM(x.amount) AS total FROM payments x " \
	"WHERE x.tenant_id = ? AND x.status = 'completed'" S \
	" GROUP BY x.customer_id ORDER BY total DESC, x.customer_id LIMIT ?) t " \
	"JOIN customers cu ON cu.id = t.customer_id ORDER BY t.total DESC, t.customer_id"
static const char *const q_top[2] = {
	"SELECT cu.id, cu.name, k.paid_total, (SELECT COUNT(*) FROM invoices i "
	"WHERE i.tenant_id = cu.tenant_id AND i.customer_id = cu.id), k.subs_count "
	"FROM customer_stats k JOIN customers cu ON cu.id = k.customer_id "
	"WHERE k.tenant_id = ? AND k.paid_count > 0 "
	"ORDER BY k.paid_total DESC, k.customer_id LIMIT ?",
	Q_TOP(BY_CUSTOMER),
};

/* 002 */
#define Q_CUSTOMER_COUNT(S) "SELECT COUNT(*) FROM customers " \
	"WHERE tenant_id = ? AND deleted_at IS NULL" S
static const char *const q_customer_count[2] = {
	"SELECT COALESCE(SUM(n), 0) FROM stat_customers WHERE tenant_id = ?",
	Q_CUSTOMER_COUNT(BY_OWNER),
};

#define Q_PAID_TOTAL(S) "SELECT COALESCE(SUM(x.amount), 0) FROM payments x " \
	"WHERE x.tenant_id = ? AND x.status = 'completed'" S
static const char *const q_paid_total[2] = {
	"SELECT COALESCE(SUM(amount), 0) FROM stat_pay_mix WHERE tenant_id = ? "
	"AND status = 'completed'",
	Q_PAID_TOTAL(BY_CUSTOMER),
};

#define Q_OPEN_TICKETS(S) "SELECT COUNT(*) FROM tickets x " \
	"WHERE x.tenant_id = ? AND x.status IN ('open', 'in_progress')" S
static const char *const q_open_tickets[2] = PAIR(Q_OPEN_TICKETS, BY_CUSTOMER);

#define Q_LEADS(S) "SELECT id, name, email, phone, status, created_at FROM leads " \
	"WHERE tenant_id = ?" S " ORDER BY created_at DESC, id DESC LIMIT 5"
static const char *const q_leads[2] = PAIR(Q_LEADS, " AND assigned_to = ?");

#define Q_REVENUE_DAYS(S) "SELECT DATE(x.payment_date) AS d, SUM(x.amount) FROM payments x " \
	"WHERE x.tenant_id = ? AND x.status = 'completed' AND x.payment_date >= ? " \
	"AND x.payment_date < ?" S " GROUP BY d ORDER BY d"
static const char *const q_revenue_days[2] = {
	"SELECT day, amount FROM stat_pay_day WHERE tenant_id = ? AND day >= ? AND day < ? "
	"AND status = 'completed' AND n <> 0 ORDER BY day",
	Q_REVENUE_DAYS(BY_CUSTOMER),
};

/* 000 */
#define Q_PERF_PLANS(S) "SELECT id, name, price, duration_value, duration_unit, billing_cycle " \
	"FROM plans WHERE tenant_id = ? AND deleted_at IS NULL" S " ORDER BY id"
static const char *const q_perf_plans[2] = PAIR(Q_PERF_PLANS, BY_PLAN_OWNER);

#define Q_PERF_CUSTOMERS(S) "SELECT x.plan_id, COUNT(DISTINCT x.customer_id), " \
	"COUNT(DISTINCT CASE WHEN x.status = 'active' THEN x.customer_id END) " \
	"FROM subscriptions x WHERE x.tenant_id = ?" S " GROUP BY x.plan_id"
static const char *const q_perf_customers[2] = PAIR(Q_PERF_CUSTOMERS, BY_CUSTOMER);

#define Q_PERF_SALES(S) "SELECT x.plan_id, COUNT(*), SUM(x.amount) FROM payments x " \
	"WHERE x.tenant_id = ? AND x.status = 'completed' AND x.plan_id IS NOT NULL " \
	"AND x.payment_date >= ? AND x.payment_date < ?" S " GROUP BY x.plan_id"
static const char *const q_perf_sales[2] = {
	"SELECT plan_id, SUM(n), SUM(amount) FROM stat_pay_plan_day WHERE tenant_id = ? "
	"AND day >= ? AND day < ? GROUP BY plan_id HAVING SUM(n) <> 0",
	Q_PERF_SALES(BY_CUSTOMER),
};

/* ---- parameters ---- */

#define MAX_PARAMS 8

struct qp {
	struct db_param p[MAX_PARAMS];
	unsigned n;
};

static void
qp_int(struct qp *q, long long v)
{
	if (q->n < MAX_PARAMS)
		q->p[q->n++] = db_int(v);
}

static void
qp_str(struct qp *q, const char *s)
{
	if (q->n < MAX_PARAMS)
		q->p[q->n++] = db_str(s);
}

/* the parameters of BY_CUSTOMER */
static void
qp_customer(struct qp *q, const struct stats_scope *sc)
{
	if (sc->owner_id) {
		qp_int(q, sc->tenant_id);
		qp_int(q, sc->owner_id);
	}
}

/* the parameter of BY_OWNER and its kin */
static void
qp_owner(struct qp *q, const struct stats_scope *sc)
{
	if (sc->owner_id)
		qp_int(q, sc->owner_id);
}

static int
run(struct db *db, struct arena *a, const char *const sql[2], const struct stats_scope *sc,
    const struct qp *q, struct db_result *r)
{
	memset(r, 0, sizeof(*r));
	return db_query_kept(db, a, qcache_tag(a, "stats", sc->versions), sql[sc->owner_id != 0],
	    q->p, q->n, r) < 0 ? CORE_DB : CORE_OK;
}

/* sql with the usual parameters: the tenant, the window [from, until) when
 * from is given, then the reseller's (by: qp_customer or qp_owner) */
static int
ask(struct db *db, struct arena *a, const char *const sql[2], const struct stats_scope *sc,
    const char *from, const char *until, void (*by)(struct qp *, const struct stats_scope *),
    struct db_result *r)
{
	struct qp q = { .n = 0 };

	qp_int(&q, sc->tenant_id);
	if (from) {
		qp_str(&q, from);
		qp_str(&q, until);
	}
	by(&q, sc);
	return run(db, a, sql, sc, &q, r);
}

static long long
val_int(const struct db_result *r, unsigned row, unsigned col)
{
	return db_val_int(r, row, col, 0);
}

/* ---- money and rates ---- */

int64_t
stats_cents(const char *s)
{
	int64_t v = 0;
	int neg = 0, frac = -1;

	if (s == NULL)
		return 0;
	if (*s == '-') {
		neg = 1;
		s++;
	}
	for (; *s; s++) {
		if (*s == '.' && frac < 0) {
			frac = 0;
			continue;
		}
		if (*s < '0' || *s > '9')
			break;
		if (frac >= 2)
			continue;       /* beyond the cent: DECIMAL(12,2) sums have none */
		if (frac >= 0)
			frac++;
		v = v * 10 + (*s - '0');
	}
	for (frac = frac < 0 ? 0 : frac; frac < 2; frac++)
		v *= 10;
	return neg ? -v : v;
}

/* a / b rounded half away from zero (b > 0) */
static int64_t
div_round(int64_t a, int64_t b)
{
	if (a >= 0)
		return (a + b / 2) / b;
	return -((-a + b / 2) / b);
}

double
stats_pct(int64_t part, int64_t whole)
{
	long double q;
	long long h;

	if (whole <= 0)
		return 0.0;
	/* hundredths of a per cent, rounded half up */
	q = (long double)part * 10000.0L / (long double)whole;
	h = (long long)(q >= 0 ? q + 0.5L : q - 0.5L);
	return (double)h / 100.0;
}

/* ---- calendar (UTC, proleptic Gregorian) ---- */

/* days since 1970-01-01 */
static long long
days_from_civil(int y, int m, int d)
{
	long long era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void
civil_from_days(long long z, int *y, int *m, int *d)
{
	long long era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

static int
month_days(int y, int m)
{
	static const int n[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return n[m - 1];
}

static void
fmt_date(long long days, char out[11])
{
	int y, m, d;

	civil_from_days(days, &y, &m, &d);
	y = y < 0 ? 0 : y % 10000;
	out[0] = (char)('0' + y / 1000);
	out[1] = (char)('0' + y / 100 % 10);
	out[2] = (char)('0' + y / 10 % 10);
	out[3] = (char)('0' + y % 10);
	out[4] = '-';
	out[5] = (char)('0' + m / 10);
	out[6] = (char)('0' + m % 10);
	out[7] = '-';
	out[8] = (char)('0' + d / 10);
	out[9] = (char)('0' + d % 10);
	out[10] = '\0';
}

static void
fmt_datetime(long long days, char out[20])
{
	char day[11];

	fmt_date(days, day);
	snprintf(out, 20, "%s 00:00:00", day);
}

/* "YYYY-MM-DD" (a real day, years 1900-9998) to days; -1 if it is not one */
static int
parse_date(const char *s, long long *out)
{
	int y, m, d;

	if (s == NULL || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return -1;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return -1;
	y = atoi(s);
	m = (s[5] - '0') * 10 + (s[6] - '0');
	d = (s[8] - '0') * 10 + (s[9] - '0');
	if (y < 1900 || y > 9998 || m < 1 || m > 12 || d < 1 || d > month_days(y, m))
		return -1;
	*out = days_from_civil(y, m, d);
	return 0;
}

/* the day of a MariaDB DATE or DATETIME text; -1 if none */
static long long
day_of(const char *s)
{
	char tmp[11];
	long long d;

	if (s == NULL || strlen(s) < 10)
		return -1;
	memcpy(tmp, s, 10);
	tmp[10] = '\0';
	return parse_date(tmp, &d) == 0 ? d : -1;
}

static long long
today(time_t now)
{
	return (long long)(now / 86400 - (now % 86400 < 0));
}

/* a month as y * 12 + (m - 1) */
static long long
month_of_day(long long days)
{
	int y, m, d;

	civil_from_days(days, &y, &m, &d);
	return (long long)y * 12 + (m - 1);
}

static long long
month_start(long long month)
{
	return days_from_civil((int)(month / 12), (int)(month % 12) + 1, 1);
}

int
stats_period(const char *start, const char *end, time_t now, struct stats_period *out,
    struct ferrs *fe)
{
	long long s = 0, e = 0, t = today(now ? now : time(NULL));
	int has_s = start && *start, has_e = end && *end, bad = 0;

	memset(out, 0, sizeof(*out));
	if (has_s && parse_date(start, &s) < 0) {
		ferr_add(fe, "start_date", "Enter a valid date in the format YYYY-MM-DD.");
		bad = 1;
	}
	if (has_e && parse_date(end, &e) < 0) {
		ferr_add(fe, "end_date", "Enter a valid date in the format YYYY-MM-DD.");
		bad = 1;
	}
	if (bad)
		return CORE_INVALID;
	if (!has_e)
		e = t;
	if (!has_s)
		s = e - (STATS_PERIOD_DEFAULT - 1);
	if (s > e) {
		ferr_add(fe, "start_date", "The start date must not be after the end date.");
		return CORE_INVALID;
	}
	if (e - s + 1 > STATS_PERIOD_MAX) {
		ferr_add(fe, "end_date", "The period may span at most 366 days.");
		return CORE_INVALID;
	}
	fmt_date(s, out->start);
	fmt_date(e, out->end);
	fmt_datetime(s, out->from);
	fmt_datetime(e + 1, out->until);
	return CORE_OK;
}

int
stats_scope_user(struct db *db, struct arena *a, struct stats_scope *sc, long long user_id)
{
	struct db_param p[2] = { db_int(user_id), db_int(sc->tenant_id) };
	struct db_result r;

	if (db_query(db, a, q_tenant_user, p, 2, &r) < 0)
		return CORE_DB;
	sc->owner_id = user_id;
	sc->none = r.nrows == 0;
	return CORE_OK;
}

/* ---- the groups ---- */

/* the windows of one stats_load call */
struct win {
	long long today, this_month;
	char month_from[20], month_until[20];   /* this month */
	long long m0, d0;                       /* first month (y * 12 + m - 1), first day */
	int nm, nd;
};

/* A group of counts one query gives in one row: the query, whether its
 * first parameter is this month's start (the tenant's and the reseller's
 * follow), and the long long each column fills, by its offset in the
 * struct filled. */
struct counts {
	const char *const *sql;
	int since;
	void (*by)(struct qp *, const struct stats_scope *);
	int n;
	size_t at[8];
};

#define ALL(m) offsetof(struct stats_all, m)
static const struct counts c_customers = { q_customers, 1, qp_owner, 6, {
	ALL(customers.total), ALL(customers.active), ALL(customers.inactive),
	ALL(customers.suspended), ALL(customers.cancelled), ALL(customers.new_this_month) } };
static const struct counts c_subscriptions = { q_subscriptions, 1, qp_customer, 8, {
	ALL(subscriptions.total), ALL(subscriptions.active), ALL(subscriptions.inactive),
	ALL(subscriptions.suspended), ALL(subscriptions.cancelled), ALL(subscriptions.pending),
	ALL(subscriptions.new_this_month), ALL(customers.with_active_subscriptions) } };
static const struct counts c_plans = { q_plans, 0, qp_owner, 4, {
	ALL(plans.total), ALL(plans.active), ALL(plans.featured), ALL(plans.popular) } };
static const struct counts c_routers = { q_routers, 0, qp_owner, 7, {
	ALL(routers.total), ALL(routers.online), ALL(routers.offline), ALL(routers.maintenance),
	ALL(routers.mikrotik), ALL(routers.cisco), ALL(routers.other) } };
#define CRM(m) offsetof(struct stats_crm, m)
static const struct counts c_crm_customers = { q_customer_count, 0, qp_owner, 1,
	{ CRM(customers) } };
static const struct counts c_open_tickets = { q_open_tickets, 0, qp_customer, 1,
	{ CRM(open_tickets) } };

static int
load_counts(struct db *db, struct arena *a, const struct stats_scope *sc, const struct win *w,
    const struct counts *c, void *out)
{
	struct qp q = { .n = 0 };
	struct db_result r;
	int rc;

	if (c->since)
		qp_str(&q, w->month_from);
	qp_int(&q, sc->tenant_id);
	c->by(&q, sc);
	if ((rc = run(db, a, c->sql, sc, &q, &r)) != CORE_OK)
		return rc;
	for (int i = 0; i < c->n; i++)
		*(long long *)(void *)((char *)out + c->at[i]) = val_int(&r, 0, (unsigned)i);
	return CORE_OK;
}

/* the counts, and the plan with the most active subscriptions */
static int
load_plans(struct db *db, struct arena *a, const struct stats_scope *sc, struct stats_all *out)
{
	struct db_result r;
	int rc;

	if ((rc = load_counts(db, a, sc, NULL, &c_plans, out)) != CORE_OK ||
	    (rc = ask(db, a, q_popular, sc, NULL, NULL, qp_customer, &r)) != CORE_OK)
		return rc;
	out->plans.most_popular = r.nrows ? db_val(&r, 0, 0) : NULL;
	return CORE_OK;
}

/* the counts, and with bandwidth the data their subscriptions used */
static int
load_routers(struct db *db, struct arena *a, const struct stats_scope *sc, int bandwidth,
    struct stats_all *out)
{
	struct qp q = { .n = 0 };
	struct db_result r;
	int rc;

	if ((rc = load_counts(db, a, sc, NULL, &c_routers, out)) != CORE_OK)
		return rc;
	out->routers.bandwidth = "0";
	if (!bandwidth)
		return CORE_OK;
	qp_int(&q, sc->tenant_id);
	qp_int(&q, sc->tenant_id);
	qp_owner(&q, sc);
	if ((rc = run(db, a, q_bandwidth, sc, &q, &r)) != CORE_OK)
		return rc;
	if (r.nrows && db_val(&r, 0, 0))
		out->routers.bandwidth = db_val(&r, 0, 0);
	return CORE_OK;
}

static int
load_invoices(struct db *db, struct arena *a, const struct stats_scope *sc,
    struct stats_invoices *iv)
{
	struct db_result r;
	long long billed = 0;
	int rc;

	if ((rc = ask(db, a, q_invoices, sc, NULL, NULL, qp_customer, &r)) != CORE_OK)
		return rc;
	for (unsigned i = 0; i < r.nrows; i++) {
		const char *st = db_val(&r, i, 0);
		long long n = val_int(&r, i, 1);
		int64_t total = stats_cents(db_val(&r, i, 2)), paid = stats_cents(db_val(&r, i, 3));
		int is_billed = 1;

		iv->total += n;
		if (st == NULL)
			continue;
		if (!strcmp(st, "pending")) {
			iv->pending = n;
			iv->pending_amount += total - paid;
		} else if (!strcmp(st, "paid"))
			iv->paid = n;
		else if (!strcmp(st, "overdue")) {
			iv->overdue = n;
			iv->overdue_amount += total - paid;
		} else {
			if (!strcmp(st, "cancelled"))
				iv->cancelled = n;
			is_billed = 0;          /* cancelled, draft */
		}
		if (is_billed) {
			billed += n;
			iv->total_amount += total;
			iv->paid_amount += paid;
		}
	}
	iv->avg_amount = billed ? div_round(iv->total_amount, billed) : 0;
	iv->collection_rate = stats_pct(iv->paid_amount, iv->total_amount);
	return CORE_OK;
}

static int
cmp_method(const void *a, const void *b)
{
	const struct stats_method *x = a, *y = b;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return strcmp(x->method, y->method);
}

struct plan_sum {
	long long plan_id;
	int64_t amount;
};

static int
cmp_plan_sum(const void *a, const void *b)
{
	const struct plan_sum *x = a, *y = b;

	return x->plan_id < y->plan_id ? -1 : x->plan_id > y->plan_id;
}

/* The payments group, the methods and the plan with the most revenue
 * (its id in *best_plan, 0: none) from one pass. */
static int
load_breakdown(struct db *db, struct arena *a, const struct stats_scope *sc,
    struct stats_all *out, long long *best_plan)
{
	struct stats_payments *p = &out->payments;
	struct db_result r;
	struct plan_sum *ps;
	int rc, nps = 0;
	int64_t best = 0;

	*best_plan = 0;
	if ((rc = ask(db, a, q_breakdown, sc, NULL, NULL, qp_customer, &r)) != CORE_OK)
		return rc;
	out->methods = arena_calloc(a, r.nrows ? r.nrows : 1, sizeof(*out->methods));
	ps = arena_calloc(a, r.nrows ? r.nrows : 1, sizeof(*ps));
	for (unsigned i = 0; i < r.nrows; i++) {
		const char *st = db_val(&r, i, 0), *method = db_val(&r, i, 1);
		const char *plan = db_val(&r, i, 2);
		long long n = val_int(&r, i, 3);
		int64_t amount = stats_cents(db_val(&r, i, 4));
		int done = st && !strcmp(st, "completed");
		struct stats_method *m = NULL;

		p->total += n;
		p->total_amount += amount;
		if (done) {
			p->successful += n;
			p->successful_amount += amount;
		} else if (st && !strcmp(st, "failed"))
			p->failed += n;
		else if (st && !strcmp(st, "pending"))
			p->pending += n;

		if (method == NULL)
			method = "";
		for (int k = 0; k < out->nmethods && m == NULL; k++)
			if (!strcmp(out->methods[k].method, method))
				m = &out->methods[k];
		if (m == NULL) {
			m = &out->methods[out->nmethods++];
			m->method = method;
		}
		m->count += n;
		if (done) {
			m->successful += n;
			m->amount += amount;
			if (plan) {
				ps[nps].plan_id = atoll(plan);
				ps[nps++].amount = amount;
			}
		}
	}
	p->avg_amount = p->successful ? div_round(p->successful_amount, p->successful) : 0;
	p->success_rate = stats_pct(p->successful, p->total);
	for (int k = 0; k < out->nmethods; k++)
		out->methods[k].success_rate = stats_pct(out->methods[k].successful,
		    out->methods[k].count);
	qsort(out->methods, (size_t)out->nmethods, sizeof(*out->methods), cmp_method);

	/* the plan with the largest sum; ties: the older plan */
	qsort(ps, (size_t)nps, sizeof(*ps), cmp_plan_sum);
	for (int i = 0; i < nps;) {
		long long id = ps[i].plan_id;
		int64_t sum = 0;

		for (; i < nps && ps[i].plan_id == id; i++)
			sum += ps[i].amount;
		if (*best_plan == 0 || sum > best) {
			*best_plan = id;
			best = sum;
		}
	}
	return CORE_OK;
}

static int
load_plan_name(struct db *db, struct arena *a, const struct stats_scope *sc, long long id,
    const char **name)
{
	struct db_param p[2] = { db_int(id), db_int(sc->tenant_id) };
	struct db_result r;

	*name = NULL;
	if (id == 0)
		return CORE_OK;
	if (db_query(db, a, q_plan_name, p, 2, &r) < 0)
		return CORE_DB;
	*name = r.nrows ? db_val(&r, 0, 0) : NULL;
	return CORE_OK;
}

static int
load_month_revenue(struct db *db, struct arena *a, const struct stats_scope *sc,
    const struct win *w, int64_t *out)
{
	struct db_result r;
	int rc;

	if ((rc = ask(db, a, q_revenue_sum, sc, w->month_from, w->month_until, qp_customer, &r)) !=
	    CORE_OK)
		return rc;
	*out = stats_cents(db_val(&r, 0, 0));
	return CORE_OK;
}

/* Monthly and daily trends from one pass over the payments and one over
 * the invoices of the union of the two windows. */
static int
load_trends(struct db *db, struct arena *a, const struct stats_scope *sc, const struct win *w,
    struct stats_all *out)
{
	long long lo = -1, hi = -1;
	char from[20], until[20];
	struct db_result r;
	int rc;

	if (w->nm) {
		out->months = arena_calloc(a, (size_t)w->nm, sizeof(*out->months));
		out->nmonths = w->nm;
		for (int i = 0; i < w->nm; i++) {
			out->months[i].year = (int)((w->m0 + i) / 12);
			out->months[i].month = (int)((w->m0 + i) % 12) + 1;
		}
		lo = month_start(w->m0);
		hi = month_start(w->m0 + w->nm);
	}
	if (w->nd) {
		out->days = arena_calloc(a, (size_t)w->nd, sizeof(*out->days));
		out->ndays = w->nd;
		for (int i = 0; i < w->nd; i++)
			fmt_date(w->d0 + i, out->days[i].date);
		if (lo < 0 || w->d0 < lo)
			lo = w->d0;
		if (hi < 0 || w->d0 + w->nd > hi)
			hi = w->d0 + w->nd;
	}
	if (lo < 0 || sc->none)
		return CORE_OK;
	fmt_datetime(lo, from);
	fmt_datetime(hi, until);

	if ((rc = ask(db, a, q_trend_payments, sc, from, until, qp_customer, &r)) != CORE_OK)
		return rc;
	for (unsigned i = 0; i < r.nrows; i++) {
		long long d = day_of(db_val(&r, i, 0)), mi;
		long long n = val_int(&r, i, 1), ok = val_int(&r, i, 2);
		int64_t amount = stats_cents(db_val(&r, i, 3));

		if (d < 0)
			continue;
		mi = month_of_day(d) - w->m0;
		if (w->nm && mi >= 0 && mi < w->nm) {
			out->months[mi].payment_count += n;
			out->months[mi].successful_count += ok;
			out->months[mi].paid_amount += amount;
		}
		if (w->nd && d >= w->d0 && d < w->d0 + w->nd) {
			out->days[d - w->d0].payment_count += n;
			out->days[d - w->d0].successful_count += ok;
			out->days[d - w->d0].paid_amount += amount;
		}
	}

	/* issue_date is a DATE: the same bounds as days */
	fmt_date(lo, from);
	fmt_date(hi, until);
	if ((rc = ask(db, a, q_trend_invoices, sc, from, until, qp_customer, &r)) != CORE_OK)
		return rc;
	for (unsigned i = 0; i < r.nrows; i++) {
		long long d = day_of(db_val(&r, i, 0)), mi;
		long long n = val_int(&r, i, 1);
		int64_t amount = stats_cents(db_val(&r, i, 2));

		if (d < 0)
			continue;
		mi = month_of_day(d) - w->m0;
		if (w->nm && mi >= 0 && mi < w->nm) {
			out->months[mi].invoice_count += n;
			out->months[mi].invoice_amount += amount;
		}
		if (w->nd && d >= w->d0 && d < w->d0 + w->nd)
			out->days[d - w->d0].invoice_count += n;
	}
	return CORE_OK;
}

static int
load_top(struct db *db, struct arena *a, const struct stats_scope *sc, int limit,
    struct stats_all *out)
{
	struct qp q = { .n = 0 };
	struct db_result r;
	int rc;

	qp_int(&q, sc->tenant_id);
	qp_customer(&q, sc);
	qp_int(&q, limit);
	if ((rc = run(db, a, q_top, sc, &q, &r)) != CORE_OK)
		return rc;
	out->top = arena_calloc(a, r.nrows ? r.nrows : 1, sizeof(*out->top));
	out->ntop = (int)r.nrows;
	for (unsigned i = 0; i < r.nrows; i++) {
		out->top[i].customer_id = val_int(&r, i, 0);
		out->top[i].name = db_val(&r, i, 1);
		out->top[i].amount = stats_cents(db_val(&r, i, 2));
		out->top[i].invoice_count = val_int(&r, i, 3);
		out->top[i].subscription_count = val_int(&r, i, 4);
	}
	return CORE_OK;
}

static int
clamp(int v, int def, int max)
{
	return v < 1 ? def : v > max ? max : v;
}

int
stats_load(struct db *db, struct arena *a, const struct stats_scope *sc, unsigned what,
    const struct stats_opts *o, struct stats_all *out)
{
	struct win w;
	time_t now = o && o->now ? o->now : time(NULL);
	long long best_plan = 0;
	int rc = CORE_OK;

	memset(out, 0, sizeof(*out));
	memset(&w, 0, sizeof(w));
	w.today = today(now);
	w.this_month = month_of_day(w.today);
	fmt_datetime(month_start(w.this_month), w.month_from);
	fmt_datetime(month_start(w.this_month + 1), w.month_until);
	if (what & STATS_MONTHLY) {
		w.nm = clamp(o ? o->months : 0, STATS_MONTHS_DEFAULT, STATS_MONTHS_MAX);
		w.m0 = w.this_month - (w.nm - 1);
	}
	if (what & STATS_DAILY) {
		w.nd = clamp(o ? o->days : 0, STATS_DAYS_DEFAULT, STATS_DAYS_MAX);
		w.d0 = w.today - (w.nd - 1);
	}

	out->routers.bandwidth = "0";
	if (sc->none)           /* the windows, all zero */
		return (what & (STATS_MONTHLY | STATS_DAILY)) ? load_trends(db, a, sc, &w, out) :
		    CORE_OK;
	if (what & (STATS_CUSTOMERS | STATS_DASHBOARD))
		rc = load_counts(db, a, sc, &w, &c_customers, out);
	if (rc == CORE_OK && (what & (STATS_CUSTOMERS | STATS_SUBSCRIPTIONS | STATS_DASHBOARD)))
		rc = load_counts(db, a, sc, &w, &c_subscriptions, out);
	if (rc == CORE_OK && (what & STATS_PLANS))
		rc = load_plans(db, a, sc, out);
	if (rc == CORE_OK && (what & (STATS_ROUTERS | STATS_DASHBOARD)))
		rc = load_routers(db, a, sc, (what & STATS_ROUTERS) != 0, out);
	if (rc == CORE_OK && (what & (STATS_INVOICES | STATS_DASHBOARD)))
		rc = load_invoices(db, a, sc, &out->invoices);
	if (rc == CORE_OK && (what & (STATS_PAYMENTS | STATS_METHODS | STATS_PLANS | STATS_DASHBOARD)))
		rc = load_breakdown(db, a, sc, out, &best_plan);
	if (rc == CORE_OK && (what & STATS_PLANS))
		rc = load_plan_name(db, a, sc, best_plan, &out->plans.highest_revenue);
	if (rc == CORE_OK && (what & (STATS_MONTHLY | STATS_DAILY)))
		rc = load_trends(db, a, sc, &w, out);
	if (rc == CORE_OK && (what & (STATS_DASHBOARD | STATS_SUBSCRIPTIONS | STATS_PLANS))) {
		if (w.nm)               /* this month is the window's last */
			out->month_revenue = out->months[w.nm - 1].paid_amount;
		else
			rc = load_month_revenue(db, a, sc, &w, &out->month_revenue);
	}
	if (rc == CORE_OK && (what & STATS_TOP))
		rc = load_top(db, a, sc, clamp(o ? o->top : 0, STATS_TOP_DEFAULT, STATS_TOP_MAX), out);
	return rc;
}

/* ---- 002 ---- */

int
stats_crm(struct db *db, struct arena *a, const struct stats_scope *sc, struct stats_crm *out)
{
	struct stats_invoices iv;
	struct db_result r;
	int rc;

	memset(out, 0, sizeof(*out));
	memset(&iv, 0, sizeof(iv));
	if (sc->none)
		return CORE_OK;
	if ((rc = load_counts(db, a, sc, NULL, &c_crm_customers, out)) != CORE_OK ||
	    (rc = load_invoices(db, a, sc, &iv)) != CORE_OK)
		return rc;
	out->invoices = iv.total;
	out->unpaid_invoices = iv.pending + iv.overdue;

	if ((rc = ask(db, a, q_paid_total, sc, NULL, NULL, qp_customer, &r)) != CORE_OK)
		return rc;
	out->payments = stats_cents(db_val(&r, 0, 0));
	if ((rc = load_counts(db, a, sc, NULL, &c_open_tickets, out)) != CORE_OK ||
	    (rc = ask(db, a, q_leads, sc, NULL, NULL, qp_owner, &r)) != CORE_OK)
		return rc;
	for (unsigned i = 0; i < r.nrows && i < 5; i++) {
		struct stats_lead *l = &out->leads[out->nleads++];

		l->id = val_int(&r, i, 0);
		l->name = db_val(&r, i, 1);
		l->email = db_val(&r, i, 2);
		l->phone = db_val(&r, i, 3);
		l->status = db_val(&r, i, 4);
		l->created_at = db_val(&r, i, 5);
	}
	return CORE_OK;
}

int
stats_revenue(struct db *db, struct arena *a, const struct stats_scope *sc,
    const struct stats_period *p, struct stats_revenue_day **out, int *n)
{
	struct db_result r;
	int rc;

	*out = NULL;
	*n = 0;
	if (sc->none)
		return CORE_OK;
	if ((rc = ask(db, a, q_revenue_days, sc, p->from, p->until, qp_customer, &r)) != CORE_OK)
		return rc;
	*out = arena_calloc(a, r.nrows ? r.nrows : 1, sizeof(**out));
	for (unsigned i = 0; i < r.nrows; i++) {
		const char *d = db_val(&r, i, 0);

		if (d == NULL)
			continue;
		snprintf((*out)[*n].date, sizeof((*out)[*n].date), "%.10s", d);
		(*out)[(*n)++].total = stats_cents(db_val(&r, i, 1));
	}
	return CORE_OK;
}

/* ---- 000 ---- */

static struct stats_plan_perf *
find_plan(struct stats_plan_perf *v, int n, long long id)
{
	int lo = 0, hi = n - 1;

	while (lo <= hi) {              /* v is ordered by id */
		int mid = lo + (hi - lo) / 2;

		if (v[mid].plan_id == id)
			return &v[mid];
		if (v[mid].plan_id < id)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return NULL;
}

int
stats_plan_performance(struct db *db, struct arena *a, const struct stats_scope *sc,
    const struct stats_period *p, struct stats_plan_perf **out, int *n)
{
	struct stats_plan_perf *v;
	struct db_result r;
	int rc;

	*out = NULL;
	*n = 0;
	if (sc->none)
		return CORE_OK;
	if ((rc = ask(db, a, q_perf_plans, sc, NULL, NULL, qp_owner, &r)) != CORE_OK)
		return rc;
	v = arena_calloc(a, r.nrows ? r.nrows : 1, sizeof(*v));
	for (unsigned i = 0; i < r.nrows; i++) {
		const char *dv = db_val(&r, i, 3), *du = db_val(&r, i, 4);

		v[i].plan_id = val_int(&r, i, 0);
		v[i].name = db_val(&r, i, 1);
		v[i].price = db_val(&r, i, 2);
		if (dv && du)
			v[i].duration = arena_printf(a, "%s %s", dv, du);
		else
			v[i].duration = db_val(&r, i, 5);
	}
	*out = v;
	*n = (int)r.nrows;
	if (*n == 0)
		return CORE_OK;

	if ((rc = ask(db, a, q_perf_customers, sc, NULL, NULL, qp_customer, &r)) != CORE_OK)
		return rc;
	for (unsigned i = 0; i < r.nrows; i++) {
		struct stats_plan_perf *pp = find_plan(v, *n, val_int(&r, i, 0));

		if (pp) {
			pp->customers = val_int(&r, i, 1);
			pp->active_customers = val_int(&r, i, 2);
		}
	}

	if ((rc = ask(db, a, q_perf_sales, sc, p->from, p->until, qp_customer, &r)) != CORE_OK)
		return rc;
	for (unsigned i = 0; i < r.nrows; i++) {
		struct stats_plan_perf *pp = find_plan(v, *n, val_int(&r, i, 0));

		if (pp) {
			pp->sales = val_int(&r, i, 1);
			pp->revenue = stats_cents(db_val(&r, i, 2));
			pp->avg_revenue = pp->sales ? div_round(pp->revenue, pp->sales) : 0;
		}
	}
	return CORE_OK;
}
