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

/* ---- writers: field names and order as 001 lists them ---- */

/* an exact amount and its float twin */
static void
money(yajl_gen g, const char *key, const char *fkey, int64_t cents)
{
	jw_kmoney(g, key, cents);
	if (fkey)
		jw_kdouble(g, fkey, (double)cents / 100.0);
}

static void
w_dashboard(yajl_gen g, const struct stats_all *st)
{
	jw_obj(g);
	jw_kint(g, "total_customers", st->customers.total);
	jw_kint(g, "active_customers", st->customers.active);
	jw_kint(g, "total_subscriptions", st->subscriptions.total);
	jw_kint(g, "active_subscriptions", st->subscriptions.active);
	money(g, "total_monthly_revenue", "total_monthly_revenue_float", st->month_revenue);
	jw_kint(g, "total_routers", st->routers.total);
	jw_kint(g, "online_routers", st->routers.online);
	jw_kint(g, "total_invoices", st->invoices.total);
	jw_kint(g, "pending_invoices", st->invoices.pending);
	jw_kint(g, "overdue_invoices", st->invoices.overdue);
	jw_kint(g, "total_payments", st->payments.total);
	jw_kint(g, "successful_payments", st->payments.successful);
	jw_obj_end(g);
}

static void
w_customers(yajl_gen g, const struct stats_all *st)
{
	const struct stats_customers *c = &st->customers;

	jw_obj(g);
	jw_kint(g, "total_customers", c->total);
	jw_kint(g, "active_customers", c->active);
	jw_kint(g, "inactive_customers", c->inactive);
	jw_kint(g, "suspended_customers", c->suspended);
	jw_kint(g, "cancelled_customers", c->cancelled);
	jw_kint(g, "new_customers_this_month", c->new_this_month);
	jw_kint(g, "customers_with_active_subscriptions", c->with_active_subscriptions);
	jw_obj_end(g);
}

static void
w_subscriptions(yajl_gen g, const struct stats_all *st)
{
	const struct stats_subscriptions *s = &st->subscriptions;

	jw_obj(g);
	jw_kint(g, "total_subscriptions", s->total);
	jw_kint(g, "active_subscriptions", s->active);
	jw_kint(g, "inactive_subscriptions", s->inactive);
	jw_kint(g, "suspended_subscriptions", s->suspended);
	jw_kint(g, "cancelled_subscriptions", s->cancelled);
	jw_kint(g, "pending_subscriptions", s->pending);
	jw_kint(g, "new_subscriptions_this_month", s->new_this_month);
	money(g, "total_monthly_revenue", "total_monthly_revenue_float", st->month_revenue);
	jw_obj_end(g);
}

static void
w_plans(yajl_gen g, const struct stats_all *st)
{
	const struct stats_plans *p = &st->plans;

	jw_obj(g);
	jw_kint(g, "total_plans", p->total);
	jw_kint(g, "active_plans", p->active);
	jw_kint(g, "featured_plans", p->featured);
	jw_kint(g, "popular_plans", p->popular);
	jw_kstr(g, "most_popular_plan", p->most_popular);
	jw_kstr(g, "highest_revenue_plan", p->highest_revenue);
	money(g, "total_monthly_revenue", "total_monthly_revenue_float", st->month_revenue);
	jw_obj_end(g);
}

static void
w_routers(yajl_gen g, const struct stats_all *st)
{
	const struct stats_routers *r = &st->routers;
	const char *bw = r->bandwidth ? r->bandwidth : "0";

	jw_obj(g);
	jw_kint(g, "total_routers", r->total);
	jw_kint(g, "online_routers", r->online);
	jw_kint(g, "offline_routers", r->offline);
	jw_kint(g, "maintenance_routers", r->maintenance);
	jw_kint(g, "mikrotik_routers", r->mikrotik);
	jw_kint(g, "cisco_routers", r->cisco);
	jw_kint(g, "other_routers", r->other);
	jw_key(g, "total_bandwidth_usage");
	jw_raw_number(g, bw);
	jw_kdouble(g, "total_bandwidth_usage_float", strtod(bw, NULL));
	jw_obj_end(g);
}

static void
w_invoices(yajl_gen g, const struct stats_all *st)
{
	const struct stats_invoices *i = &st->invoices;

	jw_obj(g);
	jw_kint(g, "total_invoices", i->total);
	jw_kint(g, "pending_invoices", i->pending);
	jw_kint(g, "paid_invoices", i->paid);
	jw_kint(g, "overdue_invoices", i->overdue);
	jw_kint(g, "cancelled_invoices", i->cancelled);
	money(g, "total_amount", NULL, i->total_amount);
	money(g, "paid_amount", NULL, i->paid_amount);
	money(g, "pending_amount", NULL, i->pending_amount);
	money(g, "overdue_amount", NULL, i->overdue_amount);
	money(g, "avg_invoice_amount", NULL, i->avg_amount);
	jw_kdouble(g, "collection_rate", i->collection_rate);
	jw_kdouble(g, "total_amount_float", (double)i->total_amount / 100.0);
	jw_kdouble(g, "paid_amount_float", (double)i->paid_amount / 100.0);
	jw_kdouble(g, "pending_amount_float", (double)i->pending_amount / 100.0);
	jw_kdouble(g, "overdue_amount_float", (double)i->overdue_amount / 100.0);
	jw_kdouble(g, "avg_invoice_amount_float", (double)i->avg_amount / 100.0);
	jw_obj_end(g);
}

static void
w_payments(yajl_gen g, const struct stats_all *st)
{
	const struct stats_payments *p = &st->payments;

	jw_obj(g);
	jw_kint(g, "total_payments", p->total);
	jw_kint(g, "successful_payments", p->successful);
	jw_kint(g, "failed_payments", p->failed);
	jw_kint(g, "pending_payments", p->pending);
	money(g, "total_amount", NULL, p->total_amount);
	money(g, "successful_amount", NULL, p->successful_amount);
	money(g, "avg_payment_amount", NULL, p->avg_amount);
	jw_kdouble(g, "success_rate", p->success_rate);
	jw_kdouble(g, "total_amount_float", (double)p->total_amount / 100.0);
	jw_kdouble(g, "successful_amount_float", (double)p->successful_amount / 100.0);
	jw_kdouble(g, "avg_payment_amount_float", (double)p->avg_amount / 100.0);
	jw_obj_end(g);
}

static void
w_monthly(yajl_gen g, const struct stats_all *st)
{
	jw_arr(g);
	for (int i = 0; i < st->nmonths; i++) {
		const struct stats_month *m = &st->months[i];
		char name[16];

		snprintf(name, sizeof(name), "%04d-%02d", m->year % 10000, m->month % 100);
		jw_obj(g);
		jw_kstr(g, "month", name);
		jw_kint(g, "year", m->year);
		jw_kint(g, "invoice_count", m->invoice_count);
		money(g, "total_amount", NULL, m->invoice_amount);
		money(g, "paid_amount", NULL, m->paid_amount);
		jw_kint(g, "payment_count", m->payment_count);
		jw_kint(g, "successful_payment_count", m->successful_count);
		jw_kdouble(g, "total_amount_float", (double)m->invoice_amount / 100.0);
		jw_kdouble(g, "paid_amount_float", (double)m->paid_amount / 100.0);
		jw_obj_end(g);
	}
	jw_arr_end(g);
}

static void
w_daily(yajl_gen g, const struct stats_all *st)
{
	jw_arr(g);
	for (int i = 0; i < st->ndays; i++) {
		const struct stats_day *d = &st->days[i];

		jw_obj(g);
		jw_kstr(g, "date", d->date);
		jw_kint(g, "payment_count", d->payment_count);
		money(g, "total_amount", NULL, d->paid_amount);
		jw_kint(g, "successful_count", d->successful_count);
		jw_kint(g, "invoice_count", d->invoice_count);
		jw_kdouble(g, "total_amount_float", (double)d->paid_amount / 100.0);
		jw_obj_end(g);
	}
	jw_arr_end(g);
}

static void
w_methods(yajl_gen g, const struct stats_all *st)
{
	jw_arr(g);
	for (int i = 0; i < st->nmethods; i++) {
		const struct stats_method *m = &st->methods[i];

		jw_obj(g);
		jw_kstr(g, "method", m->method);
		jw_kint(g, "count", m->count);
		money(g, "total_amount", NULL, m->amount);
		jw_kdouble(g, "success_rate", m->success_rate);
		jw_kdouble(g, "total_amount_float", (double)m->amount / 100.0);
		jw_obj_end(g);
	}
	jw_arr_end(g);
}

static void
w_top(yajl_gen g, const struct stats_all *st)
{
	jw_arr(g);
	for (int i = 0; i < st->ntop; i++) {
		const struct stats_top_customer *t = &st->top[i];

		jw_obj(g);
		jw_kint(g, "customer_id", t->customer_id);
		jw_kstr(g, "customer_name", t->name);
		money(g, "total_amount", NULL, t->amount);
		jw_kint(g, "invoice_count", t->invoice_count);
		jw_kint(g, "subscription_count", t->subscription_count);
		jw_kdouble(g, "total_amount_float", (double)t->amount / 100.0);
		jw_obj_end(g);
	}
	jw_arr_end(g);
}

static void
w_all(yajl_gen g, const struct stats_all *st)
{
	static const struct {
		const char *key;
		void (*w)(yajl_gen, const struct stats_all *);
	} parts[] = {
		{ "dashboard", w_dashboard }, { "customers", w_customers },
		{ "subscriptions", w_subscriptions }, { "plans", w_plans },
		{ "routers", w_routers }, { "invoices", w_invoices }, { "payments", w_payments },
		{ "monthly_trends", w_monthly }, { "daily_trends", w_daily },
		{ "payment_methods", w_methods }, { "top_customers", w_top },
	};

	jw_obj(g);
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		jw_key(g, parts[i].key);
		parts[i].w(g, st);
	}
	jw_obj_end(g);
}

/* ---- 001 ---- */

static int
serve(struct request *req, unsigned what, unsigned which,
    void (*write)(yajl_gen, const struct stats_all *))
{
	struct params p;
	struct stats_all st;
	int rc;

	if (read_params(req, which, &p) < 0)
		return -1;
	rc = stats_load(req->db, &req->arena, &p.sc, what, &p.o, &st);
	if (rc != CORE_OK)
		return reply_core(req, rc, "Statistics");
	write(reply_begin(req, 200, "Success"), &st);
	return reply_end(req, NULL);
}

int
h_stats_dashboard(struct request *req)
{
	return serve(req, STATS_DASHBOARD, 0, w_dashboard);
}

int
h_stats_customers(struct request *req)
{
	return serve(req, STATS_CUSTOMERS, 0, w_customers);
}

int
h_stats_subscriptions(struct request *req)
{
	return serve(req, STATS_SUBSCRIPTIONS, 0, w_subscriptions);
}

int
h_stats_plans(struct request *req)
{
	return serve(req, STATS_PLANS, 0, w_plans);
}

int
h_stats_routers(struct request *req)
{
	return serve(req, STATS_ROUTERS, 0, w_routers);
}

int
h_stats_invoices(struct request *req)
{
	return serve(req, STATS_INVOICES, 0, w_invoices);
}

int
h_stats_payments(struct request *req)
{
	return serve(req, STATS_PAYMENTS, 0, w_payments);
}

int
h_stats_all(struct request *req)
{
	return serve(req, STATS_ALL, P_MONTHS | P_DAYS | P_TOP, w_all);
}

int
h_trends_monthly(struct request *req)
{
	return serve(req, STATS_MONTHLY, P_MONTHS, w_monthly);
}

int
h_trends_daily(struct request *req)
{
	return serve(req, STATS_DAILY, P_DAYS, w_daily);
}

int
h_analytics_payment_methods(struct request *req)
{
	return serve(req, STATS_METHODS, 0, w_methods);
}

int
h_analytics_top_customers(struct request *req)
{
	return serve(req, STATS_TOP, P_TOP, w_top);
}

/* ---- 002 ---- */

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
	jw_kint(g, "total_customers", st.customers);
	jw_kint(g, "total_invoices", st.invoices);
	jw_kint(g, "unpaid_invoices", st.unpaid_invoices);
	jw_kmoney(g, "total_payments", st.payments);
	jw_kint(g, "open_tickets", st.open_tickets);
	jw_key(g, "recent_leads");
	jw_arr(g);
	for (int i = 0; i < st.nleads; i++) {
		jw_obj(g);
		jw_kint(g, "id", st.leads[i].id);
		jw_kstr(g, "name", st.leads[i].name);
		jw_kstr(g, "email", st.leads[i].email);
		jw_kstr(g, "phone", st.leads[i].phone);
		jw_kstr(g, "status", st.leads[i].status);
		jw_key(g, "created_at");
		jw_dbtime(g, st.leads[i].created_at);
		jw_obj_end(g);
	}
	jw_arr_end(g);
	jw_obj_end(g);
	return reply_end(req, NULL);
}

int
h_reports_revenue(struct request *req)
{
	struct params p;
	struct stats_revenue_day *days;
	yajl_gen g;
	int rc, n;

	if (read_params(req, P_PERIOD, &p) < 0)
		return -1;
	if ((rc = stats_revenue(req->db, &req->arena, &p.sc, &p.period, &days, &n)) != CORE_OK)
		return reply_core(req, rc, "Revenue");
	g = reply_begin(req, 200, "Success");
	jw_arr(g);
	for (int i = 0; i < n; i++) {
		jw_obj(g);
		jw_kstr(g, "date", days[i].date);
		jw_kmoney(g, "total", days[i].total);
		jw_obj_end(g);
	}
	jw_arr_end(g);
	return reply_end(req, NULL);
}

/* ---- 000 ---- */

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
	jw_arr(g);
	for (int i = 0; i < n; i++) {
		jw_obj(g);
		jw_kint(g, "plan_id", v[i].plan_id);
		jw_kstr(g, "plan_name", v[i].name);
		jw_key(g, "plan_price");
		jw_raw_number(g, v[i].price ? v[i].price : "0");
		jw_kstr(g, "duration", v[i].duration);
		jw_kint(g, "total_customers", v[i].customers);
		jw_kint(g, "total_sales", v[i].sales);
		jw_kmoney(g, "total_revenue", v[i].revenue);
		jw_kmoney(g, "average_revenue_per_sale", v[i].avg_revenue);
		jw_kint(g, "active_customers", v[i].active_customers);
		jw_obj_end(g);
	}
	jw_arr_end(g);
	jw_key(g, "period");
	jw_obj(g);
	jw_kstr(g, "start_date", p.period.start);
	jw_kstr(g, "end_date", p.period.end);
	jw_obj_end(g);
	jw_obj_end(g);
	return reply_end(req, NULL);
}
