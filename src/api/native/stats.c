/* stats.c - the native statistics: 001's dashboard, stats groups, trends
 * and analytics, 002's dashboard and revenue report, 000's plan
 * performance.  The caller's scope and the query parameters are read here;
 * every figure comes from core/stats. */
#include "config.h"
#include "api/native/native.h"
#include "api/resource.h"
#include "core/core.h"
#include "core/rbac.h"
#include "core/stats.h"
#include "http/auth.h"
#include "json/json.h"

#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- what the caller asks for ---- */

#define P_MONTHS 0x1u
#define P_DAYS   0x2u
#define P_TOP    0x4u
#define P_PERIOD 0x8u

struct params {
	struct stats_scope sc;
	struct stats_opts o;
	struct stats_period period;
};

/* Tenant from the credential; a reseller sees its own customers only,
 * anyone else may pick a reseller of the tenant with ?user_id=N (a user of
 * another tenant gives zeros).  The parameters in which are checked too.
 * 0, or -1 with the reply sent. */
static int
read_params(struct request *req, unsigned which, struct params *p)
{
	struct actor who;
	long long uid = 0, v;

	memset(p, 0, sizeof(*p));
	auth_actor(req, &who);
	req_query_int(req, "user_id", 0, 1, LLONG_MAX, &uid);
	if ((which & P_MONTHS) && req_query_int(req, "months", STATS_MONTHS_DEFAULT, 1,
	    STATS_MONTHS_MAX, &v) == 0)
		p->o.months = (int)v;
	if ((which & P_DAYS) && req_query_int(req, "days", STATS_DAYS_DEFAULT, 1,
	    STATS_DAYS_MAX, &v) == 0)
		p->o.days = (int)v;
	if ((which & P_TOP) && req_query_int(req, "limit", STATS_TOP_DEFAULT, 1,
	    STATS_TOP_MAX, &v) == 0)
		p->o.top = (int)v;
	if (which & P_PERIOD)
		stats_period(req_query(req, "start_date"), req_query(req, "end_date"), 0,
		    &p->period, &req->errs);
	if (req->errs.n) {
		reply_error(req, ERR_VALIDATION, "Invalid query parameters.");
		return -1;
	}
	p->sc.tenant_id = req->auth.tenant_id;
	p->sc.versions = req->auth.versions;
	if (rbac_is_reseller(&who))
		p->sc.owner_id = who.user_id;
	else if (uid) {
		int rc = stats_scope_user(req->db, &req->arena, &p->sc, uid);

		if (rc != CORE_OK) {
			reply_core(req, rc, "Statistics");
			return -1;
		}
	}
	return 0;
}

/* ---- writers: field names and order as the documents list them ----
 * An answer is a table of fields, each a key, how its value is written and
 * the value's offset in the struct written. */

enum kind {
	K_INT,                  /* long long */
	K_INT32,                /* int */
	K_MONEY,                /* int64_t minor units, exact */
	K_FLOAT,                /* int64_t minor units, as a float */
	K_RATE,                 /* double */
	K_STR,                  /* const char *; NULL: null */
	K_CHARS,                /* char[], in the struct */
	K_TIME,                 /* const char * DATETIME; NULL: null */
	K_NUMBER,               /* const char * exact number text; NULL: 0 */
	K_NUMBER_FLOAT,         /* ... as a float */
	K_MONTH,                /* "YYYY-MM" of the struct stats_month written */
};

struct figure {
	const char *key;
	enum kind kind;
	size_t at;
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* the text a const char * at v points to, or dflt for NULL */
static const char *
text_at(const void *v, const char *dflt)
{
	const char *s = *(const char *const *)v;

	return s ? s : dflt;
}

static void
w_fields(yajl_gen g, const void *base, const struct figure *f, size_t n)
{
	for (; n > 0; n--, f++) {
		const void *v = (const char *)base + f->at;
		char month[16];

		switch (f->kind) {
		case K_INT:
			jw_kint(g, f->key, *(const long long *)v);
			break;
		case K_INT32:
			jw_kint(g, f->key, *(const int *)v);
			break;
		case K_MONEY:
			jw_kmoney(g, f->key, *(const int64_t *)v);
			break;
		case K_FLOAT:
			jw_kdouble(g, f->key, (double)*(const int64_t *)v / 100.0);
			break;
		case K_RATE:
			jw_kdouble(g, f->key, *(const double *)v);
			break;
		case K_STR:
			jw_kstr(g, f->key, text_at(v, NULL));
			break;
		case K_CHARS:
			jw_kstr(g, f->key, v);
			break;
		case K_TIME:
			jw_key(g, f->key);
			jw_dbtime(g, text_at(v, NULL));
			break;
		case K_NUMBER:
			jw_key(g, f->key);
			jw_raw_number(g, text_at(v, "0"));
			break;
		case K_NUMBER_FLOAT:
			jw_kdouble(g, f->key, strtod(text_at(v, "0"), NULL));
			break;
		case K_MONTH:
			snprintf(month, sizeof(month), "%04d-%02d",
			    ((const struct stats_month *)base)->year % 10000,
			    ((const struct stats_month *)base)->month % 100);
			jw_kstr(g, f->key, month);
			break;
		}
	}
}

/* an array of n objects of size bytes each */
static void
w_list(yajl_gen g, const void *v, int n, size_t size, const struct figure *f, size_t nf)
{
	jw_arr(g);
	for (int i = 0; i < n; i++) {
		jw_obj(g);
		w_fields(g, (const char *)v + (size_t)i * size, f, nf);
		jw_obj_end(g);
	}
	jw_arr_end(g);
}

/* 001's groups, of struct stats_all */
#define ALL(m) offsetof(struct stats_all, m)
#define MONTH_REVENUE { "total_monthly_revenue", K_MONEY, ALL(month_revenue) }, \
	{ "total_monthly_revenue_float", K_FLOAT, ALL(month_revenue) }

static const struct figure f_dashboard[] = {
	{ "total_customers", K_INT, ALL(customers.total) },
	{ "active_customers", K_INT, ALL(customers.active) },
	{ "total_subscriptions", K_INT, ALL(subscriptions.total) },
	{ "active_subscriptions", K_INT, ALL(subscriptions.active) },
	MONTH_REVENUE,
	{ "total_routers", K_INT, ALL(routers.total) },
	{ "online_routers", K_INT, ALL(routers.online) },
	{ "total_invoices", K_INT, ALL(invoices.total) },
	{ "pending_invoices", K_INT, ALL(invoices.pending) },
	{ "overdue_invoices", K_INT, ALL(invoices.overdue) },
	{ "total_payments", K_INT, ALL(payments.total) },
	{ "successful_payments", K_INT, ALL(payments.successful) },
};

static const struct figure f_customers[] = {
	{ "total_customers", K_INT, ALL(customers.total) },
	{ "active_customers", K_INT, ALL(customers.active) },
	{ "inactive_customers", K_INT, ALL(customers.inactive) },
	{ "suspended_customers", K_INT, ALL(customers.suspended) },
	{ "cancelled_customers", K_INT, ALL(customers.cancelled) },
	{ "new_customers_this_month", K_INT, ALL(customers.new_this_month) },
	{ "customers_with_active_subscriptions", K_INT, ALL(customers.with_active_subscriptions) },
};

static const struct figure f_subscriptions[] = {
	{ "total_subscriptions", K_INT, ALL(subscriptions.total) },
	{ "active_subscriptions", K_INT, ALL(subscriptions.active) },
	{ "inactive_subscriptions", K_INT, ALL(subscriptions.inactive) },
	{ "suspended_subscriptions", K_INT, ALL(subscriptions.suspended) },
	{ "cancelled_subscriptions", K_INT, ALL(subscriptions.cancelled) },
	{ "pending_subscriptions", K_INT, ALL(subscriptions.pending) },
	{ "new_subscriptions_this_month", K_INT, ALL(subscriptions.new_this_month) },
	MONTH_REVENUE,
};

static const struct figure f_plans[] = {
	{ "total_plans", K_INT, ALL(plans.total) },
	{ "active_plans", K_INT, ALL(plans.active) },
	{ "featured_plans", K_INT, ALL(plans.featured) },
	{ "popular_plans", K_INT, ALL(plans.popular) },
	{ "most_popular_plan", K_STR, ALL(plans.most_popular) },
	{ "highest_revenue_plan", K_STR, ALL(plans.highest_revenue) },
	MONTH_REVENUE,
};

static const struct figure f_routers[] = {
	{ "total_routers", K_INT, ALL(routers.total) },
	{ "online_routers", K_INT, ALL(routers.online) },
	{ "offline_routers", K_INT, ALL(routers.offline) },
	{ "maintenance_routers", K_INT, ALL(routers.maintenance) },
	{ "mikrotik_routers", K_INT, ALL(routers.mikrotik) },
	{ "cisco_routers", K_INT, ALL(routers.cisco) },
	{ "other_routers", K_INT, ALL(routers.other) },
	{ "total_bandwidth_usage", K_NUMBER, ALL(routers.bandwidth) },
	{ "total_bandwidth_usage_float", K_NUMBER_FLOAT, ALL(routers.bandwidth) },
};

static const struct figure f_invoices[] = {
	{ "total_invoices", K_INT, ALL(invoices.total) },
	{ "pending_invoices", K_INT, ALL(invoices.pending) },
	{ "paid_invoices", K_INT, ALL(invoices.paid) },
	{ "overdue_invoices", K_INT, ALL(invoices.overdue) },
	{ "cancelled_invoices", K_INT, ALL(invoices.cancelled) },
	{ "total_amount", K_MONEY, ALL(invoices.total_amount) },
	{ "paid_amount", K_MONEY, ALL(invoices.paid_amount) },
	{ "pending_amount", K_MONEY, ALL(invoices.pending_amount) },
	{ "overdue_amount", K_MONEY, ALL(invoices.overdue_amount) },
	{ "avg_invoice_amount", K_MONEY, ALL(invoices.avg_amount) },
	{ "collection_rate", K_RATE, ALL(invoices.collection_rate) },
	{ "total_amount_float", K_FLOAT, ALL(invoices.total_amount) },
	{ "paid_amount_float", K_FLOAT, ALL(invoices.paid_amount) },
	{ "pending_amount_float", K_FLOAT, ALL(invoices.pending_amount) },
	{ "overdue_amount_float", K_FLOAT, ALL(invoices.overdue_amount) },
	{ "avg_invoice_amount_float", K_FLOAT, ALL(invoices.avg_amount) },
};

static const struct figure f_payments[] = {
	{ "total_payments", K_INT, ALL(payments.total) },
	{ "successful_payments", K_INT, ALL(payments.successful) },
	{ "failed_payments", K_INT, ALL(payments.failed) },
	{ "pending_payments", K_INT, ALL(payments.pending) },
	{ "total_amount", K_MONEY, ALL(payments.total_amount) },
	{ "successful_amount", K_MONEY, ALL(payments.successful_amount) },
	{ "avg_payment_amount", K_MONEY, ALL(payments.avg_amount) },
	{ "success_rate", K_RATE, ALL(payments.success_rate) },
	{ "total_amount_float", K_FLOAT, ALL(payments.total_amount) },
	{ "successful_amount_float", K_FLOAT, ALL(payments.successful_amount) },
	{ "avg_payment_amount_float", K_FLOAT, ALL(payments.avg_amount) },
};

#define MON(m) offsetof(struct stats_month, m)
static const struct figure f_monthly[] = {
	{ "month", K_MONTH, 0 },
	{ "year", K_INT32, MON(year) },
	{ "invoice_count", K_INT, MON(invoice_count) },
	{ "total_amount", K_MONEY, MON(invoice_amount) },
	{ "paid_amount", K_MONEY, MON(paid_amount) },
	{ "payment_count", K_INT, MON(payment_count) },
	{ "successful_payment_count", K_INT, MON(successful_count) },
	{ "total_amount_float", K_FLOAT, MON(invoice_amount) },
	{ "paid_amount_float", K_FLOAT, MON(paid_amount) },
};

#define DAY(m) offsetof(struct stats_day, m)
static const struct figure f_daily[] = {
	{ "date", K_CHARS, DAY(date) },
	{ "payment_count", K_INT, DAY(payment_count) },
	{ "total_amount", K_MONEY, DAY(paid_amount) },
	{ "successful_count", K_INT, DAY(successful_count) },
	{ "invoice_count", K_INT, DAY(invoice_count) },
	{ "total_amount_float", K_FLOAT, DAY(paid_amount) },
};

#define METHOD(m) offsetof(struct stats_method, m)
static const struct figure f_methods[] = {
	{ "method", K_STR, METHOD(method) },
	{ "count", K_INT, METHOD(count) },
	{ "total_amount", K_MONEY, METHOD(amount) },
	{ "success_rate", K_RATE, METHOD(success_rate) },
	{ "total_amount_float", K_FLOAT, METHOD(amount) },
};

#define TOP(m) offsetof(struct stats_top_customer, m)
static const struct figure f_top[] = {
	{ "customer_id", K_INT, TOP(customer_id) },
	{ "customer_name", K_STR, TOP(name) },
	{ "total_amount", K_MONEY, TOP(amount) },
	{ "invoice_count", K_INT, TOP(invoice_count) },
	{ "subscription_count", K_INT, TOP(subscription_count) },
	{ "total_amount_float", K_FLOAT, TOP(amount) },
};

/* One group: an object of stats_all's fields, or (list) an array of the
 * elements stats_all points to at list, as many as the int at count. */
struct group {
	const struct figure *f;
	size_t nf;
	size_t list, count, size;
};

#define OBJECT(f) { f, N(f), 0, 0, 0 }
#define LIST(f, a, n) { f, N(f), ALL(a), ALL(n), sizeof(*((struct stats_all *)0)->a) }
static const struct group
    g_dashboard = OBJECT(f_dashboard), g_customers = OBJECT(f_customers),
    g_subscriptions = OBJECT(f_subscriptions), g_plans = OBJECT(f_plans),
    g_routers = OBJECT(f_routers), g_invoices = OBJECT(f_invoices),
    g_payments = OBJECT(f_payments), g_monthly = LIST(f_monthly, months, nmonths),
    g_daily = LIST(f_daily, days, ndays), g_methods = LIST(f_methods, methods, nmethods),
    g_top = LIST(f_top, top, ntop);

static void
w_group(yajl_gen g, const struct stats_all *st, const struct group *gr)
{
	const char *base = (const char *)st;

	if (gr->list) {
		w_list(g, *(const void *const *)(const void *)(base + gr->list),
		    *(const int *)(const void *)(base + gr->count), gr->size, gr->f, gr->nf);
		return;
	}
	jw_obj(g);
	w_fields(g, st, gr->f, gr->nf);
	jw_obj_end(g);
}

/* every group under its key */
static void
w_all(yajl_gen g, const struct stats_all *st)
{
	static const struct {
		const char *key;
		const struct group *gr;
	} parts[] = {
		{ "dashboard", &g_dashboard }, { "customers", &g_customers },
		{ "subscriptions", &g_subscriptions }, { "plans", &g_plans },
		{ "routers", &g_routers }, { "invoices", &g_invoices }, { "payments", &g_payments },
		{ "monthly_trends", &g_monthly }, { "daily_trends", &g_daily },
		{ "payment_methods", &g_methods }, { "top_customers", &g_top },
	};

	jw_obj(g);
	for (size_t i = 0; i < N(parts); i++) {
		jw_key(g, parts[i].key);
		w_group(g, st, parts[i].gr);
	}
	jw_obj_end(g);
}

/* ---- 001 ---- */

/* one group, or (gr NULL) every group under its key */
static int
serve(struct request *req, unsigned what, unsigned which, const struct group *gr)
{
	struct params p;
	struct stats_all st;
	yajl_gen g;
	int rc;

	if (read_params(req, which, &p) < 0)
		return -1;
	rc = stats_load(req->db, &req->arena, &p.sc, what, &p.o, &st);
	if (rc != CORE_OK)
		return reply_core(req, rc, "Statistics");
	g = reply_begin(req, 200, "Success");
	if (gr)
		w_group(g, &st, gr);
	else
		w_all(g, &st);
	return reply_end(req, NULL);
}

int
h_stats_dashboard(struct request *req)
{
	return serve(req, STATS_DASHBOARD, 0, &g_dashboard);
}

int
h_stats_customers(struct request *req)
{
	return serve(req, STATS_CUSTOMERS, 0, &g_customers);
}

int
h_stats_subscriptions(struct request *req)
{
	return serve(req, STATS_SUBSCRIPTIONS, 0, &g_subscriptions);
}

int
h_stats_plans(struct request *req)
{
	return serve(req, STATS_PLANS, 0, &g_plans);
}

int
h_stats_routers(struct request *req)
{
	return serve(req, STATS_ROUTERS, 0, &g_routers);
}

int
h_stats_invoices(struct request *req)
{
	return serve(req, STATS_INVOICES, 0, &g_invoices);
}

int
h_stats_payments(struct request *req)
{
	return serve(req, STATS_PAYMENTS, 0, &g_payments);
}

int
h_stats_all(struct request *req)
{
	return serve(req, STATS_ALL, P_MONTHS | P_DAYS | P_TOP, NULL);
}

int
h_trends_monthly(struct request *req)
{
	return serve(req, STATS_MONTHLY, P_MONTHS, &g_monthly);
}

int
h_trends_daily(struct request *req)
{
	return serve(req, STATS_DAILY, P_DAYS, &g_daily);
}

int
h_analytics_payment_methods(struct request *req)
{
	return serve(req, STATS_METHODS, 0, &g_methods);
}

int
h_analytics_top_customers(struct request *req)
{
	return serve(req, STATS_TOP, P_TOP, &g_top);
}

/* ---- 002 ---- */

#define CRM(m) offsetof(struct stats_crm, m)
static const struct figure f_crm[] = {
	{ "total_customers", K_INT, CRM(customers) },
	{ "total_invoices", K_INT, CRM(invoices) },
	{ "unpaid_invoices", K_INT, CRM(unpaid_invoices) },
	{ "total_payments", K_MONEY, CRM(payments) },
	{ "open_tickets", K_INT, CRM(open_tickets) },
};

#define LEAD(m) offsetof(struct stats_lead, m)
static const struct figure f_leads[] = {
	{ "id", K_INT, LEAD(id) },
	{ "name", K_STR, LEAD(name) },
	{ "email", K_STR, LEAD(email) },
	{ "phone", K_STR, LEAD(phone) },
	{ "status", K_STR, LEAD(status) },
	{ "created_at", K_TIME, LEAD(created_at) },
};

int
h_crm_dashboard(struct request *req)
{
	struct params p;
	struct stats_crm st;
	yajl_gen g;
	int rc;

	if (read_params(req, 0, &p) < 0)
		return -1;
	if ((rc = stats_crm(req->db, &req->arena, &p.sc, &st)) != CORE_OK)
		return reply_core(req, rc, "Statistics");
	g = reply_begin(req, 200, "Success");
	jw_obj(g);
	w_fields(g, &st, f_crm, N(f_crm));
	jw_key(g, "recent_leads");
	w_list(g, st.leads, st.nleads, sizeof(st.leads[0]), f_leads, N(f_leads));
	jw_obj_end(g);
	return reply_end(req, NULL);
}

#define REV(m) offsetof(struct stats_revenue_day, m)
static const struct figure f_revenue[] = {
	{ "date", K_CHARS, REV(date) },
	{ "total", K_MONEY, REV(total) },
};

int
h_reports_revenue(struct request *req)
{
	struct params p;
	struct stats_revenue_day *days;
	int rc, n;

	if (read_params(req, P_PERIOD, &p) < 0)
		return -1;
	if ((rc = stats_revenue(req->db, &req->arena, &p.sc, &p.period, &days, &n)) != CORE_OK)
		return reply_core(req, rc, "Revenue");
	w_list(reply_begin(req, 200, "Success"), days, n, sizeof(*days), f_revenue, N(f_revenue));
	return reply_end(req, NULL);
}

/* ---- 000 ---- */

#define PERF(m) offsetof(struct stats_plan_perf, m)
static const struct figure f_perf[] = {
	{ "plan_id", K_INT, PERF(plan_id) },
	{ "plan_name", K_STR, PERF(name) },
	{ "plan_price", K_NUMBER, PERF(price) },
	{ "duration", K_STR, PERF(duration) },
	{ "total_customers", K_INT, PERF(customers) },
	{ "total_sales", K_INT, PERF(sales) },
	{ "total_revenue", K_MONEY, PERF(revenue) },
	{ "average_revenue_per_sale", K_MONEY, PERF(avg_revenue) },
	{ "active_customers", K_INT, PERF(active_customers) },
};

#define PERIOD(m) offsetof(struct stats_period, m)
static const struct figure f_period[] = {
	{ "start_date", K_CHARS, PERIOD(start) },
	{ "end_date", K_CHARS, PERIOD(end) },
};

int
h_plans_performance(struct request *req)
{
	struct params p;
	struct stats_plan_perf *v;
	yajl_gen g;
	int rc, n;

	if (read_params(req, P_PERIOD, &p) < 0)
		return -1;
	if ((rc = stats_plan_performance(req->db, &req->arena, &p.sc, &p.period, &v, &n)) !=
	    CORE_OK)
		return reply_core(req, rc, "Plans");
	g = reply_begin(req, 200, "Success");
	jw_obj(g);
	jw_key(g, "plans");
	w_list(g, v, n, sizeof(*v), f_perf, N(f_perf));
	jw_key(g, "period");
	jw_obj(g);
	w_fields(g, &p.period, f_period, N(f_period));
	jw_obj_end(g);
	jw_obj_end(g);
	return reply_end(req, NULL);
}
