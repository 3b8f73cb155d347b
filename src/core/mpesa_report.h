/* mpesa_report.h - 000's M-Pesa reports: the transaction list with its
 * filters, the summary with status and router breakdowns, and the
 * dashboard overview.  Every figure is one SQL aggregation over one tenant,
 * or over one reseller's rows inside it (a transaction's owner_id, a
 * customer's owner_id); money comes back as integer minor units (cents).
 * Field names follow 000 so that every dialect can print them.  Knows
 * nothing of HTTP. */
#ifndef ISP_MPESA_REPORT_H
#define ISP_MPESA_REPORT_H

#include <stdint.h>
#include <time.h>

#include "core/stats.h"         /* struct stats_scope, stats_scope_user */
#include "util/ferr.h"

struct db;
struct arena;

/* What the list and the summary are narrowed to.  Dates are UTC, the clock
 * every stored and printed time is in: a date "2026-01-06" is that whole
 * day, a datetime ("2026-01-06T17:52:30", seconds and fraction optional, a
 * trailing Z allowed) is that instant, end_date inclusive.  They bound the
 * transaction's created_at (a pending push has no transaction_date). */
struct mpesa_report_filter {
	long long router_id;            /* 0: any */
	const char *status;             /* NULL: any */
	char from[27], until[27];       /* created_at in [from, until); "" open */
	char start[27], end[27];        /* the bounds as given, normalised; "" none */
};

#define MPESA_REPORT_STATUSES "pending, completed, failed, cancelled, expired"

/* Fill f from the query's texts (NULL or "" : absent).  status NULL is any;
 * a status outside MPESA_REPORT_STATUSES, a date that is none, or a start
 * after the end adds an error naming status, start_date or end_date and
 * answers CORE_INVALID; otherwise CORE_OK. */
int mpesa_report_filter(long long router_id, const char *status, const char *start_date,
    const char *end_date, struct mpesa_report_filter *f, struct ferrs *fe);

/* ---- the list, newest first (created_at, then id) ---- */

struct mpesa_report_tx {
	long long transaction_id;
	const char *checkout_request_id, *phone_number, *amount, *reference, *lipay_tx_no,
	    *status, *mpesa_receipt_number, *transaction_date, *created_at;  /* DB texts */
	long long customer_id;          /* 0: no customer (null) */
	const char *customer_name, *customer_phone, *customer_mac, *customer_status;
	long long router_id;            /* 0: no router */
	const char *router_name, *router_ip;
	long long plan_id;              /* 0: no plan */
	const char *plan_name, *plan_price, *plan_duration_unit;
	const char *plan_duration_value; /* NULL when the plan has none */
};

/* One page (limit rows from offset) of the transactions in scope matching
 * f; *total: how many match in all.  CORE_OK or CORE_DB. */
int mpesa_tx_list(struct db *db, struct arena *a, const struct stats_scope *sc,
    const struct mpesa_report_filter *f, long long limit, long long offset,
    struct mpesa_report_tx **rows, int *nrows, long long *total);

/* ---- the summary (f->status is ignored) ---- */

struct mpesa_report_count {
	const char *key;                /* a status, or a router's name */
	long long router_id;            /* router breakdown only */
	long long count;
	int64_t amount;
};

struct mpesa_report_summary {
	long long total_transactions;
	int64_t total_amount;           /* every transaction, any status */
	struct mpesa_report_count status[5];    /* statuses with rows, in enum order */
	int nstatus;
	struct mpesa_report_count *routers;     /* transactions with a router, by router id */
	int nrouters;
};

int mpesa_tx_summary(struct db *db, struct arena *a, const struct stats_scope *sc,
    const struct mpesa_report_filter *f, struct mpesa_report_summary *out);

/* ---- the dashboard overview ----
 * Revenue is completed payments of every method (M-Pesa, cash, ...), by
 * payment_date, as in the billing statistics; today, this week (from
 * Monday) and this month are days of Nairobi (UTC+3, no daylight saving),
 * where the operators are.  Customers are the live ones; inactive is every
 * status but active.  Revenue by router and by plan: completed payments
 * with that router or plan, by id.  Recent: the last 10 completed payments.
 * Expiring soon: active subscriptions whose end_date is within the next
 * 24 hours, soonest first, at most 20. */

#define MPESA_DASH_RECENT   10
#define MPESA_DASH_EXPIRING 20
#define MPESA_DASH_TZ_HOURS 3           /* Nairobi: UTC+3 */

struct mpesa_dash_router {
	long long router_id;
	const char *router_name;
	long long transaction_count;
	int64_t revenue;
};

struct mpesa_dash_plan {
	long long plan_id;
	const char *plan_name, *plan_price;     /* price: exact text */
	long long sales_count;
	int64_t revenue;
};

struct mpesa_dash_payment {
	long long payment_id;
	int64_t amount;
	const char *customer_name, *customer_phone, *plan_name, *payment_date, *payment_method;
};

struct mpesa_dash_expiring {
	long long subscription_id;
	const char *customer_name, *customer_phone, *plan_name, *end_date;
};

struct mpesa_dashboard {
	int64_t today, this_week, this_month, all_time;
	long long customers_total, customers_active, customers_inactive;
	struct mpesa_dash_router *routers;
	int nrouters;
	struct mpesa_dash_plan *plans;
	int nplans;
	struct mpesa_dash_payment *recent;
	int nrecent;
	struct mpesa_dash_expiring *expiring;
	int nexpiring;
	/* the UTC bounds used (DATETIME texts), for the curious and the tests */
	char today_from[20], week_from[20], month_from[20], tomorrow[20];
};

/* now 0: the clock.  CORE_OK or CORE_DB. */
int mpesa_dashboard(struct db *db, struct arena *a, const struct stats_scope *sc, time_t now,
    struct mpesa_dashboard *out);

#endif
