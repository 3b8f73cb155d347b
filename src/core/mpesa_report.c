/* mpesa_report.c - 000's M-Pesa transaction list and summary and its
 * dashboard overview: each figure one SQL aggregation over one tenant (and
 * one reseller's rows), read through the indexes of sql/009 and sql/010;
 * money summed exactly in MariaDB and carried as integer cents. */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "core/mpesa_report.h"
#include "db/db.h"
#include "util/arena.h"

/* ---- parameters ---- */

#define MAX_PARAMS 10

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

static long long
val_int(const struct db_result *r, unsigned row, unsigned col)
{
	return db_val_int(r, row, col, 0);
}

/* ---- filters ---- */

static const char *const statuses[5] = {
	"pending", "completed", "failed", "cancelled", "expired",
};

static int
digits(const char *s, int n)
{
	for (int i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

static int
num(const char *s, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

/* bounded for the compiler's sake: the values are calendar fields */
#define TWO(v)  ((unsigned)(v) % 100u)
#define TWO4(v) ((unsigned)(v) % 10000u)

static void
fmt_bound(time_t secs, long usec, char out[27])
{
	struct tm tm;

	gmtime_r(&secs, &tm);
	snprintf(out, 27, "%04u-%02u-%02u %02u:%02u:%02u.%06lu", TWO4(tm.tm_year + 1900),
	    TWO(tm.tm_mon + 1), TWO(tm.tm_mday), TWO(tm.tm_hour), TWO(tm.tm_min), TWO(tm.tm_sec),
	    (unsigned long)usec % 1000000u);
}

/* "YYYY-MM-DD" or "YYYY-MM-DD[T ]HH:MM[:SS[.f{1,6}]][Z]", UTC.  bound: the
 * created_at bound (a start: the instant, or the day's start; an end: just
 * after the instant, or the next day's start); norm: the value as printed
 * back.  0, or -1 if s is no such time. */
static int
parse_when(const char *s, int is_end, char bound[27], char norm[27])
{
	struct tm tm;
	size_t len = strlen(s), i;
	int is_date = len == 10, hh = 0, mi = 0, ss = 0;
	long usec = 0;
	time_t secs;

	if (len < 10 || s[4] != '-' || s[7] != '-' || !digits(s, 4) || !digits(s + 5, 2) ||
	    !digits(s + 8, 2))
		return -1;
	if (!is_date) {
		if (len < 16 || (s[10] != 'T' && s[10] != ' ') || !digits(s + 11, 2) || s[13] != ':' ||
		    !digits(s + 14, 2))
			return -1;
		hh = num(s + 11, 2);
		mi = num(s + 14, 2);
		i = 16;
		if (s[i] == ':') {
			if (!digits(s + i + 1, 2))
				return -1;
			ss = num(s + i + 1, 2);
			i += 3;
			if (s[i] == '.') {
				int nd = 0;

				for (i++; isdigit((unsigned char)s[i]); i++, nd++) {
					if (nd >= 6)
						return -1;
					usec = usec * 10 + (s[i] - '0');
				}
				if (nd == 0)
					return -1;
				for (; nd < 6; nd++)
					usec *= 10;
			}
		}
		if (s[i] == 'Z')
			i++;
		if (s[i] != '\0' || hh > 23 || mi > 59 || ss > 59)
			return -1;
	}
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = num(s, 4) - 1900;
	tm.tm_mon = num(s + 5, 2) - 1;
	tm.tm_mday = num(s + 8, 2);
	tm.tm_hour = hh;
	tm.tm_min = mi;
	tm.tm_sec = ss;
	if (tm.tm_year < 0 || tm.tm_year > 8098 || tm.tm_mon < 0 || tm.tm_mon > 11 ||
	    tm.tm_mday < 1)
		return -1;
	secs = timegm(&tm);
	/* a day the month does not have comes back normalised */
	if (tm.tm_mday != num(s + 8, 2) || tm.tm_mon != num(s + 5, 2) - 1)
		return -1;
	if (is_date) {
		snprintf(norm, 27, "%.10s", s);
		if (is_end)
			secs += 86400;
	} else {
		if (usec)
			snprintf(norm, 27, "%.10sT%02u:%02u:%02u.%06lu", s, TWO(hh), TWO(mi), TWO(ss),
			    (unsigned long)usec % 1000000u);
		else
			snprintf(norm, 27, "%.10sT%02u:%02u:%02u", s, TWO(hh), TWO(mi), TWO(ss));
		if (is_end && ++usec == 1000000) {
			usec = 0;
			secs++;
		}
	}
	fmt_bound(secs, usec, bound);
	return 0;
}

int
mpesa_report_filter(long long router_id, const char *status, const char *start_date,
    const char *end_date, struct mpesa_report_filter *f, struct ferrs *fe)
{
	int bad = 0;

	memset(f, 0, sizeof(*f));
	f->router_id = router_id > 0 ? router_id : 0;
	if (status && *status) {
		for (int i = 0; i < 5 && f->status == NULL; i++)
			if (!strcmp(status, statuses[i]))
				f->status = statuses[i];
		if (f->status == NULL) {
			ferr_add(fe, "status", "Must be one of: " MPESA_REPORT_STATUSES ".");
			bad = 1;
		}
	}
	if (start_date && *start_date && parse_when(start_date, 0, f->from, f->start) < 0) {
		ferr_add(fe, "start_date", "Enter a valid date (YYYY-MM-DD) or date and time "
		    "(YYYY-MM-DDTHH:MM:SS).");
		bad = 1;
	}
	if (end_date && *end_date && parse_when(end_date, 1, f->until, f->end) < 0) {
		ferr_add(fe, "end_date", "Enter a valid date (YYYY-MM-DD) or date and time "
		    "(YYYY-MM-DDTHH:MM:SS).");
		bad = 1;
	}
	if (!bad && f->from[0] && f->until[0] && strcmp(f->from, f->until) >= 0) {
		ferr_add(fe, "start_date", "The start date must not be after the end date.");
		bad = 1;
	}
	return bad ? CORE_INVALID : CORE_OK;
}

/* ---- the transactions' WHERE ----
 * Built from fixed fragments only (never from input), so each combination
 * of filters is one statement text, prepared once per connection.  The
 * indexes: (tenant_id, created_at), (tenant_id, status, created_at),
 * (tenant_id, router_id, created_at) of sql/009 and the reseller's
 * (tenant_id, owner_id, created_at, ...) of sql/010. */
static const char *
tx_where(struct arena *a, const struct stats_scope *sc, const struct mpesa_report_filter *f,
    int with_status, struct qp *q)
{
	int st = with_status && f->status;

	qp_int(q, sc->tenant_id);
	if (sc->owner_id)
		qp_int(q, sc->owner_id);
	if (f->router_id)
		qp_int(q, f->router_id);
	if (st)
		qp_str(q, f->status);
	if (f->from[0])
		qp_str(q, f->from);
	if (f->until[0])
		qp_str(q, f->until);
	return arena_printf(a, " WHERE t.tenant_id = ?%s%s%s%s%s",
	    sc->owner_id ? " AND t.owner_id = ?" : "",
	    f->router_id ? " AND t.router_id = ?" : "",
	    st ? " AND t.status = ?" : "",
	    f->from[0] ? " AND t.created_at >= ?" : "",
	    f->until[0] ? " AND t.created_at < ?" : "");
}

/* ---- the list ---- */

#define Q_LIST_COLS "SELECT t.id, t.checkout_request_id, t.phone, t.amount, " \
	"t.account_reference, t.lipay_tx_no, t.status, t.mpesa_receipt_number, " \
	"t.transaction_date, t.created_at, c.id, c.name, c.phone, c.mac_address, c.status, " \
	"r.id, r.name, r.host, p.id, p.name, p.price, p.duration_value, p.duration_unit " \
	"FROM mpesa_transactions t " \
	"LEFT JOIN customers c ON c.id = t.customer_id AND c.tenant_id = t.tenant_id " \
	"LEFT JOIN routers r ON r.id = t.router_id AND r.tenant_id = t.tenant_id " \
	"LEFT JOIN plans p ON p.id = t.plan_id AND p.tenant_id = t.tenant_id"

int
mpesa_tx_list(struct db *db, struct arena *a, const struct stats_scope *sc,
    const struct mpesa_report_filter *f, long long limit, long long offset,
    struct mpesa_report_tx **rows, int *nrows, long long *total)
{
	struct qp q = { .n = 0 };
	struct db_result r;
	struct mpesa_report_tx *v;
	const char *w;

	*rows = NULL;
	*nrows = 0;
	*total = 0;
	if (sc->none)
		return CORE_OK;
	w = tx_where(a, sc, f, 1, &q);
	if (db_query(db, a, arena_printf(a, "SELECT COUNT(*) FROM mpesa_transactions t%s", w),
	    q.p, q.n, &r) < 0)
		return CORE_DB;
	*total = val_int(&r, 0, 0);
	if (*total == 0 || offset >= *total)
		return CORE_OK;
	qp_int(&q, limit);
	qp_int(&q, offset);
	if (db_query(db, a, arena_printf(a, Q_LIST_COLS "%s ORDER BY t.created_at DESC, t.id DESC "
	    "LIMIT ? OFFSET ?", w), q.p, q.n, &r) < 0)
		return CORE_DB;
	v = arena_calloc(a, r.nrows ? r.nrows : 1, sizeof(*v));
	for (unsigned i = 0; i < r.nrows; i++) {
		struct mpesa_report_tx *t = &v[i];

		t->transaction_id = val_int(&r, i, 0);
		t->checkout_request_id = db_val(&r, i, 1);
		t->phone_number = db_val(&r, i, 2);
		t->amount = db_val(&r, i, 3);
		t->reference = db_val(&r, i, 4);
		t->lipay_tx_no = db_val(&r, i, 5);
		t->status = db_val(&r, i, 6);
		t->mpesa_receipt_number = db_val(&r, i, 7);
		t->transaction_date = db_val(&r, i, 8);
		t->created_at = db_val(&r, i, 9);
		t->customer_id = val_int(&r, i, 10);
		t->customer_name = db_val(&r, i, 11);
		t->customer_phone = db_val(&r, i, 12);
		t->customer_mac = db_val(&r, i, 13);
		t->customer_status = db_val(&r, i, 14);
		t->router_id = val_int(&r, i, 15);
		t->router_name = db_val(&r, i, 16);
		t->router_ip = db_val(&r, i, 17);
		t->plan_id = val_int(&r, i, 18);
		t->plan_name = db_val(&r, i, 19);
		t->plan_price = db_val(&r, i, 20);
		t->plan_duration_value = db_val(&r, i, 21);
		t->plan_duration_unit = db_val(&r, i, 22);
	}
	*rows = v;
	*nrows = (int)r.nrows;
	return CORE_OK;
}

/* ---- the summary ---- */

int
mpesa_tx_summary(struct db *db, struct arena *a, const struct stats_scope *sc,
    const struct mpesa_report_filter *f, struct mpesa_report_summary *out)
{
	struct qp q = { .n = 0 };
	struct db_result r;
	const char *w;

	memset(out, 0, sizeof(*out));
	if (sc->none)
		return CORE_OK;
	w = tx_where(a, sc, f, 0, &q);
	qp_int(&q, sc->tenant_id);              /* the routers' */
	/* one pass, by (status, router); the routers' names joined on the
	 * groups, not on the rows */
	if (db_query(db, a, arena_printf(a, "SELECT g.status, g.router_id, r.name, g.n, g.amount "
	    "FROM (SELECT t.status, t.router_id, COUNT(*) AS n, SUM(t.amount) AS amount "
	    "FROM mpesa_transactions t%s GROUP BY t.status, t.router_id) g "
	    "LEFT JOIN routers r ON r.id = g.router_id AND r.tenant_id = ? "
	    "ORDER BY g.router_id, g.status", w), q.p, q.n, &r) < 0)
		return CORE_DB;
	out->routers = arena_calloc(a, r.nrows ? r.nrows : 1, sizeof(*out->routers));
	for (unsigned i = 0; i < r.nrows; i++) {
		const char *st = db_val(&r, i, 0), *name = db_val(&r, i, 2);
		long long router = val_int(&r, i, 1), n = val_int(&r, i, 3);
		int64_t amount = stats_cents(db_val(&r, i, 4));

		out->total_transactions += n;
		out->total_amount += amount;
		for (int k = 0; st && k < 5; k++) {
			if (strcmp(st, statuses[k]) != 0)
				continue;
			out->status[k].key = statuses[k];
			out->status[k].count += n;
			out->status[k].amount += amount;
		}
		if (router == 0 || name == NULL)
			continue;               /* no router, or not the tenant's */
		if (out->nrouters == 0 || out->routers[out->nrouters - 1].router_id != router) {
			out->routers[out->nrouters].router_id = router;
			out->routers[out->nrouters++].key = name;
		}
		out->routers[out->nrouters - 1].count += n;
		out->routers[out->nrouters - 1].amount += amount;
	}
	/* the statuses with rows, packed in enum order */
	for (int k = 0; k < 5; k++)
		if (out->status[k].key)
			out->status[out->nstatus++] = out->status[k];
	for (int k = out->nstatus; k < 5; k++)
		memset(&out->status[k], 0, sizeof(out->status[k]));
	return CORE_OK;
}

/* ---- the dashboard ---- */

/* a reseller's rows of a table that belongs to a customer (alias x) */
#define BY_CUSTOMER " AND x.customer_id IN (SELECT k.id FROM customers k " \
	"WHERE k.tenant_id = ? AND k.owner_id = ?)"
#define PAIR(Q, S)  { Q(""), Q(S) }
#define STR_(x)     #x
#define STR(x)      STR_(x)

/* completed payments dated in each window ([from, tomorrow)) and in all;
 * ix_stats_pay_date (tenant_id, status, payment_date, plan_id, amount) */
#define Q_REVENUE(S) "SELECT " \
	"COALESCE(SUM(CASE WHEN x.payment_date >= ? AND x.payment_date < ? THEN x.amount END), 0), " \
	"COALESCE(SUM(CASE WHEN x.payment_date >= ? AND x.payment_date < ? THEN x.amount END), 0), " \
	"COALESCE(SUM(CASE WHEN x.payment_date >= ? AND x.payment_date < ? THEN x.amount END), 0), " \
	"COALESCE(SUM(x.amount), 0) FROM payments x " \
	"WHERE x.tenant_id = ? AND x.status = 'completed'" S
static const char *const q_revenue[2] = PAIR(Q_REVENUE, BY_CUSTOMER);

/* live customers; ix_stats_customers (tenant_id, owner_id, deleted_at, status) */
#define Q_CUSTOMERS(S) "SELECT COUNT(*), COUNT(CASE WHEN status = 'active' THEN 1 END) " \
	"FROM customers WHERE tenant_id = ? AND deleted_at IS NULL" S
static const char *const q_customers[2] = PAIR(Q_CUSTOMERS, " AND owner_id = ?");

/* grouped on ix_report_pay_router / ix_report_pay_plan (sql/010); names
 * joined on the groups */
#define Q_BY_ROUTER(S) "SELECT g.router_id, r.name, g.n, g.amount FROM (SELECT x.router_id, " \
	"COUNT(*) AS n, SUM(x.amount) AS amount FROM payments x WHERE x.tenant_id = ? " \
	"AND x.status = 'completed' AND x.router_id IS NOT NULL" S " GROUP BY x.router_id) g " \
	"JOIN routers r ON r.id = g.router_id AND r.tenant_id = ? ORDER BY g.router_id"
static const char *const q_by_router[2] = PAIR(Q_BY_ROUTER, BY_CUSTOMER);

#define Q_BY_PLAN(S) "SELECT g.plan_id, p.name, p.price, g.n, g.amount FROM (SELECT x.plan_id, " \
	"COUNT(*) AS n, SUM(x.amount) AS amount FROM payments x WHERE x.tenant_id = ? " \
	"AND x.status = 'completed' AND x.plan_id IS NOT NULL" S " GROUP BY x.plan_id) g " \
	"JOIN plans p ON p.id = g.plan_id AND p.tenant_id = ? ORDER BY g.plan_id"
static const char *const q_by_plan[2] = PAIR(Q_BY_PLAN, BY_CUSTOMER);

/* newest first down ix_stats_pay_date */
#define Q_RECENT(S) "SELECT x.id, x.amount, c.name, c.phone, p.name, x.payment_date, " \
	"x.payment_method FROM payments x JOIN customers c ON c.id = x.customer_id " \
	"LEFT JOIN plans p ON p.id = x.plan_id WHERE x.tenant_id = ? AND x.status = 'completed'" \
	S " ORDER BY x.payment_date DESC, x.id DESC LIMIT " STR(MPESA_DASH_RECENT)
static const char *const q_recent[2] = PAIR(Q_RECENT, BY_CUSTOMER);

/* ix_subscriptions_status_end (tenant_id, status, end_date) */
#define Q_EXPIRING(S) "SELECT x.id, c.name, c.phone, p.name, x.end_date FROM subscriptions x " \
	"JOIN customers c ON c.id = x.customer_id LEFT JOIN plans p ON p.id = x.plan_id " \
	"WHERE x.tenant_id = ? AND x.status = 'active' AND x.end_date >= ? AND x.end_date < ?" S \
	" ORDER BY x.end_date, x.id LIMIT " STR(MPESA_DASH_EXPIRING)
static const char *const q_expiring[2] = PAIR(Q_EXPIRING, BY_CUSTOMER);

static void
qp_customer(struct qp *q, const struct stats_scope *sc)
{
	if (sc->owner_id) {
		qp_int(q, sc->tenant_id);
		qp_int(q, sc->owner_id);
	}
}

static int
run(struct db *db, struct arena *a, const char *const sql[2], const struct stats_scope *sc,
    const struct qp *q, struct db_result *r)
{
	memset(r, 0, sizeof(*r));
	return db_query(db, a, sql[sc->owner_id != 0], q->p, q->n, r) < 0 ? CORE_DB : CORE_OK;
}

static void
fmt_utc(time_t t, char out[20])
{
	struct tm tm;

	gmtime_r(&t, &tm);
	snprintf(out, 20, "%04u-%02u-%02u %02u:%02u:%02u", TWO4(tm.tm_year + 1900),
	    TWO(tm.tm_mon + 1), TWO(tm.tm_mday), TWO(tm.tm_hour), TWO(tm.tm_min), TWO(tm.tm_sec));
}

/* Nairobi's today, this week (from Monday) and this month as UTC bounds */
static void
windows(time_t now, struct mpesa_dashboard *d)
{
	const long long off = MPESA_DASH_TZ_HOURS * 3600LL;
	long long local = (long long)now + off;
	long long day = local / 86400 - (local % 86400 < 0);
	long long weekday = ((day + 3) % 7 + 7) % 7;    /* 1970-01-01 was a Thursday; Monday 0 */
	time_t t = (time_t)(day * 86400);
	struct tm tm;

	fmt_utc((time_t)(day * 86400 - off), d->today_from);
	fmt_utc((time_t)((day + 1) * 86400 - off), d->tomorrow);
	fmt_utc((time_t)((day - weekday) * 86400 - off), d->week_from);
	gmtime_r(&t, &tm);
	tm.tm_mday = 1;
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	fmt_utc((time_t)((long long)timegm(&tm) - off), d->month_from);
}

int
mpesa_dashboard(struct db *db, struct arena *a, const struct stats_scope *sc, time_t now,
    struct mpesa_dashboard *out)
{
	char soon_from[20], soon_until[20];
	struct qp q = { .n = 0 };
	struct db_result r;
	int rc;

	memset(out, 0, sizeof(*out));
	if (now == 0)
		now = time(NULL);
	windows(now, out);
	if (sc->none)
		return CORE_OK;

	qp_str(&q, out->today_from);
	qp_str(&q, out->tomorrow);
	qp_str(&q, out->week_from);
	qp_str(&q, out->tomorrow);
	qp_str(&q, out->month_from);
	qp_str(&q, out->tomorrow);
	qp_int(&q, sc->tenant_id);
	qp_customer(&q, sc);
	if ((rc = run(db, a, q_revenue, sc, &q, &r)) != CORE_OK)
		return rc;
	out->today = stats_cents(db_val(&r, 0, 0));
	out->this_week = stats_cents(db_val(&r, 0, 1));
	out->this_month = stats_cents(db_val(&r, 0, 2));
	out->all_time = stats_cents(db_val(&r, 0, 3));

	q.n = 0;
	qp_int(&q, sc->tenant_id);
	if (sc->owner_id)
		qp_int(&q, sc->owner_id);
	if ((rc = run(db, a, q_customers, sc, &q, &r)) != CORE_OK)
		return rc;
	out->customers_total = val_int(&r, 0, 0);
	out->customers_active = val_int(&r, 0, 1);
	out->customers_inactive = out->customers_total - out->customers_active;

	q.n = 0;
	qp_int(&q, sc->tenant_id);
	qp_customer(&q, sc);
	qp_int(&q, sc->tenant_id);
	if ((rc = run(db, a, q_by_router, sc, &q, &r)) != CORE_OK)
		return rc;
	out->routers = arena_calloc(a, r.nrows ? r.nrows : 1, sizeof(*out->routers));
	out->nrouters = (int)r.nrows;
	for (unsigned i = 0; i < r.nrows; i++) {
		out->routers[i].router_id = val_int(&r, i, 0);
		out->routers[i].router_name = db_val(&r, i, 1);
		out->routers[i].transaction_count = val_int(&r, i, 2);
		out->routers[i].revenue = stats_cents(db_val(&r, i, 3));
	}
	if ((rc = run(db, a, q_by_plan, sc, &q, &r)) != CORE_OK)
		return rc;
	out->plans = arena_calloc(a, r.nrows ? r.nrows : 1, sizeof(*out->plans));
	out->nplans = (int)r.nrows;
	for (unsigned i = 0; i < r.nrows; i++) {
		out->plans[i].plan_id = val_int(&r, i, 0);
		out->plans[i].plan_name = db_val(&r, i, 1);
		out->plans[i].plan_price = db_val(&r, i, 2);
		out->plans[i].sales_count = val_int(&r, i, 3);
		out->plans[i].revenue = stats_cents(db_val(&r, i, 4));
	}

	q.n = 0;
	qp_int(&q, sc->tenant_id);
	qp_customer(&q, sc);
	if ((rc = run(db, a, q_recent, sc, &q, &r)) != CORE_OK)
		return rc;
	out->recent = arena_calloc(a, r.nrows ? r.nrows : 1, sizeof(*out->recent));
	out->nrecent = (int)r.nrows;
	for (unsigned i = 0; i < r.nrows; i++) {
		struct mpesa_dash_payment *p = &out->recent[i];

		p->payment_id = val_int(&r, i, 0);
		p->amount = stats_cents(db_val(&r, i, 1));
		p->customer_name = db_val(&r, i, 2);
		p->customer_phone = db_val(&r, i, 3);
		p->plan_name = db_val(&r, i, 4);
		p->payment_date = db_val(&r, i, 5);
		p->payment_method = db_val(&r, i, 6);
	}

	fmt_utc(now, soon_from);
	fmt_utc(now + 86400, soon_until);
	q.n = 0;
	qp_int(&q, sc->tenant_id);
	qp_str(&q, soon_from);
	qp_str(&q, soon_until);
	qp_customer(&q, sc);
	if ((rc = run(db, a, q_expiring, sc, &q, &r)) != CORE_OK)
		return rc;
	out->expiring = arena_calloc(a, r.nrows ? r.nrows : 1, sizeof(*out->expiring));
	out->nexpiring = (int)r.nrows;
	for (unsigned i = 0; i < r.nrows; i++) {
		struct mpesa_dash_expiring *e = &out->expiring[i];

		e->subscription_id = val_int(&r, i, 0);
		e->customer_name = db_val(&r, i, 1);
		e->customer_phone = db_val(&r, i, 2);
		e->plan_name = db_val(&r, i, 3);
		e->end_date = db_val(&r, i, 4);
	}
	return CORE_OK;
}
