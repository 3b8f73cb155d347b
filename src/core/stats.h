/* stats.h - billing statistics: 001's AllStats groups, trends and analytics,
 * 002's dashboard and revenue report, 000's plan performance.  Every figure
 * is an aggregation in MariaDB over one tenant, or over one reseller's
 * customers inside it; money comes back as integer minor units (cents),
 * summed exactly.  Knows nothing of HTTP. */
#ifndef ISP_STATS_H
#define ISP_STATS_H

#include <stdint.h>
#include <time.h>

#include "util/ferr.h"

struct db;
struct arena;

/* Whose figures.  owner_id 0: the whole tenant.  Otherwise one reseller:
 * customers with that owner_id and their subscriptions, invoices, payments
 * and tickets; routers with that owner_id; plans of the shared catalogue
 * (no owner) and its own; leads assigned to it. */
struct stats_scope {
	long long tenant_id;
	long long owner_id;
	int none;                   /* matches nothing: every figure zero */
	/* the tenant's data versions as the caller read them: while "stats"
	 * is unchanged, a worker answers the figures from memory (NULL:
	 * always ask the database) */
	const char *versions;
};

/* Narrow sc to the reseller user_id, which must be a user of sc's tenant:
 * anyone else (another tenant's, nobody's) gives a scope that matches
 * nothing.  CORE_OK or CORE_DB. */
int stats_scope_user(struct db *db, struct arena *a, struct stats_scope *sc, long long user_id);

/* Limits of the query parameters (the dialect checks them). */
#define STATS_MONTHS_DEFAULT 12
#define STATS_MONTHS_MAX     60
#define STATS_DAYS_DEFAULT   30
#define STATS_DAYS_MAX       366
#define STATS_TOP_DEFAULT    10
#define STATS_TOP_MAX        100
#define STATS_PERIOD_DEFAULT 30         /* days of a report without dates */
#define STATS_PERIOD_MAX     366

/* What stats_load fills (or them together). */
#define STATS_CUSTOMERS      0x001u
#define STATS_SUBSCRIPTIONS  0x002u
#define STATS_PLANS          0x004u
#define STATS_ROUTERS        0x008u
#define STATS_INVOICES       0x010u
#define STATS_PAYMENTS       0x020u
#define STATS_MONTHLY        0x040u
#define STATS_DAILY          0x080u
#define STATS_METHODS        0x100u
#define STATS_TOP            0x200u
#define STATS_DASHBOARD      0x400u     /* the figures 001's dashboard group needs */
#define STATS_ALL            0x7ffu

struct stats_opts {
	int months;                 /* monthly trends: this month and the months before */
	int days;                   /* daily trends: today and the days before */
	int top;                    /* top customers */
	time_t now;                 /* 0: the clock; months and days are UTC */
};

struct stats_customers {
	long long total, active, inactive, suspended, cancelled, new_this_month,
	    with_active_subscriptions;
};

struct stats_subscriptions {
	long long total, active, inactive, suspended, cancelled, pending, new_this_month;
};

struct stats_plans {
	long long total, active, featured, popular;
	const char *most_popular;       /* most active subscriptions; NULL: none */
	const char *highest_revenue;    /* most completed payments; NULL: none */
};

struct stats_routers {
	long long total, online, offline, maintenance, mikrotik, cisco, other;
	const char *bandwidth;          /* SUM(data_used) of their subscriptions, exact text */
};

struct stats_invoices {
	long long total, pending, paid, overdue, cancelled;
	/* amounts over billed invoices (pending, paid, overdue; not draft or
	 * cancelled); pending/overdue: what is still due on them */
	int64_t total_amount, paid_amount, pending_amount, overdue_amount, avg_amount;
	double collection_rate;         /* paid / total, per cent, 2 decimals */
};

struct stats_payments {
	long long total, successful, failed, pending;
	int64_t total_amount;           /* every payment, any status */
	int64_t successful_amount;      /* completed ones: revenue */
	int64_t avg_amount;             /* of the completed ones */
	double success_rate;            /* completed / all, per cent, 2 decimals */
};

struct stats_month {
	int year, month;
	long long invoice_count;        /* billed invoices issued that month */
	int64_t invoice_amount;         /* their total */
	int64_t paid_amount;            /* completed payments dated that month */
	long long payment_count, successful_count;
};

struct stats_day {
	char date[11];                  /* YYYY-MM-DD */
	long long payment_count, successful_count, invoice_count;
	int64_t paid_amount;            /* completed payments that day */
};

struct stats_method {
	const char *method;
	long long count, successful;
	int64_t amount;                 /* completed payments */
	double success_rate;
};

struct stats_top_customer {
	long long customer_id;
	const char *name;
	int64_t amount;                 /* completed payments */
	long long invoice_count, subscription_count;
};

struct stats_all {
	struct stats_customers customers;
	struct stats_subscriptions subscriptions;
	struct stats_plans plans;
	struct stats_routers routers;
	struct stats_invoices invoices;
	struct stats_payments payments;
	int64_t month_revenue;          /* completed payments this UTC month */
	struct stats_month *months;     /* oldest first, every month of the window */
	int nmonths;
	struct stats_day *days;         /* oldest first, every day of the window */
	int ndays;
	struct stats_method *methods;   /* methods with payments, most used first */
	int nmethods;
	struct stats_top_customer *top; /* most revenue first */
	int ntop;
};

/* Fill the groups in what (and what they need) for scope.  CORE_OK or
 * CORE_DB; everything allocated in a. */
int stats_load(struct db *db, struct arena *a, const struct stats_scope *sc, unsigned what,
    const struct stats_opts *o, struct stats_all *out);

/* A report period from optional YYYY-MM-DD texts: both given, or one of
 * them (the other is today or 29 days before the end), or neither (the
 * last 30 days, today included).  CORE_OK, or CORE_INVALID with errors
 * naming start_date or end_date (not a date, start after end, more than
 * STATS_PERIOD_MAX days). */
struct stats_period {
	char start[11], end[11];        /* inclusive */
	char from[20], until[20];       /* DATETIME bounds: [from, until) */
};
int stats_period(const char *start, const char *end, time_t now, struct stats_period *out,
    struct ferrs *fe);

/* 002's dashboard. */
struct stats_lead {
	long long id;
	const char *name, *email, *phone, *status, *created_at;
};
struct stats_crm {
	long long customers, invoices, unpaid_invoices, open_tickets;
	int64_t payments;               /* completed payments */
	struct stats_lead leads[5];     /* newest first */
	int nleads;
};
int stats_crm(struct db *db, struct arena *a, const struct stats_scope *sc, struct stats_crm *out);

/* 002's revenue report: completed payments per day of the period, days
 * with payments only, oldest first. */
struct stats_revenue_day {
	char date[11];
	int64_t total;
};
int stats_revenue(struct db *db, struct arena *a, const struct stats_scope *sc,
    const struct stats_period *p, struct stats_revenue_day **out, int *n);

/* 000's plan performance: every plan in scope, by id. */
struct stats_plan_perf {
	long long plan_id;
	const char *name;
	const char *price;              /* exact text */
	const char *duration;           /* "1 hours", "monthly" or NULL */
	long long customers;            /* distinct customers with a subscription on it */
	long long active_customers;     /* ... with an active one */
	long long sales;                /* completed payments for it in the period */
	int64_t revenue, avg_revenue;
};
int stats_plan_performance(struct db *db, struct arena *a, const struct stats_scope *sc,
    const struct stats_period *p, struct stats_plan_perf **out, int *n);

/* Helpers shared with the dialects and tests. */
int64_t stats_cents(const char *decimal);              /* "730.05" -> 73005; NULL -> 0 */
double  stats_pct(int64_t part, int64_t whole);        /* per cent, 2 decimals; 0 when whole is 0 */

#endif
