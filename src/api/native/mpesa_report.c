/* mpesa_report.c - the native M-Pesa reports (000's fields inside 001's
 * envelope): the transaction list with its filters, the summary, and the
 * dashboard overview.  The caller's scope and the query parameters are
 * read here; every figure comes from core/mpesa_report. */
#include "config.h"

#include <limits.h>
#include <string.h>

#include "api/native/native.h"
#include "api/resource.h"
#include "core/core.h"
#include "core/mpesa_report.h"
#include "core/rbac.h"
#include "http/auth.h"
#include "json/json.h"
#include "util/timeutil.h"

/* Tenant from the credential; a reseller sees its own rows only, anyone
 * else may pick a reseller of the tenant with ?user_id=N (a user of
 * another tenant gives nothing).  The filters (list and summary) checked
 * too; a bad one is a 400 naming it.  0, or -1 with the reply sent. */
static int
read_scope(struct request *req, int filters, struct stats_scope *sc,
    struct mpesa_report_filter *f)
{
	struct actor who;
	long long uid = 0, router = 0;

	memset(sc, 0, sizeof(*sc));
	req_query_int(req, "user_id", 0, 1, LLONG_MAX, &uid);
	if (filters) {
		req_query_int(req, "router_id", 0, 1, LLONG_MAX, &router);
		mpesa_report_filter(router, filters > 1 ? req_query(req, "status") : NULL,
		    req_query(req, "start_date"), req_query(req, "end_date"), f, &req->errs);
	}
	if (req->errs.n) {
		reply_error(req, ERR_VALIDATION, "Invalid query parameters.");
		return -1;
	}
	auth_actor(req, &who);
	sc->tenant_id = req->auth.tenant_id;
	if (rbac_is_reseller(&who))
		sc->owner_id = who.user_id;
	else if (uid) {
		int rc = stats_scope_user(req->db, &req->arena, sc, uid);

		if (rc != CORE_OK) {
			reply_core(req, rc, "M-Pesa");
			return -1;
		}
	}
	return 0;
}

void
mpesa_write_number(yajl_gen g, const char *key, const char *digits)
{
	jw_key(g, key);
	if (digits)
		jw_raw_number(g, digits);
	else
		jw_null(g);
}

static void
kdbtime(yajl_gen g, const char *key, const char *t)
{
	jw_key(g, key);
	jw_dbtime(g, t);
}

/* 000's transaction, its money, prices and times as the dialect writes
 * them (native: exact decimals and ISO times; bitwave: floats, naive times) */
void
mpesa_write_tx(yajl_gen g, const struct mpesa_report_tx *t, const struct mpesa_tx_format *f)
{
	jw_obj(g);
	jw_kint(g, "transaction_id", t->transaction_id);
	jw_kstr(g, "checkout_request_id", t->checkout_request_id);
	jw_kstr(g, "phone_number", t->phone_number);
	f->money(g, "amount", t->amount);
	jw_kstr(g, "reference", t->reference);
	jw_kstr(g, "lipay_tx_no", t->lipay_tx_no);
	jw_kstr(g, "status", t->status);
	jw_kstr(g, "mpesa_receipt_number", t->mpesa_receipt_number);
	f->time(g, "transaction_date", t->transaction_date);
	f->time(g, "created_at", t->created_at);
	jw_key(g, "customer");
	if (t->customer_id) {
		jw_obj(g);
		jw_kint(g, "id", t->customer_id);
		jw_kstr(g, "name", t->customer_name);
		jw_kstr(g, "phone", t->customer_phone);
		jw_kstr(g, "mac_address", t->customer_mac);
		jw_kstr(g, "status", t->customer_status);
		jw_obj_end(g);
	} else
		jw_null(g);
	jw_key(g, "router");
	if (t->router_id) {
		jw_obj(g);
		jw_kint(g, "id", t->router_id);
		jw_kstr(g, "name", t->router_name);
		jw_kstr(g, "ip_address", t->router_ip);
		jw_obj_end(g);
	} else
		jw_null(g);
	jw_key(g, "plan");
	if (t->plan_id) {
		jw_obj(g);
		jw_kint(g, "id", t->plan_id);
		jw_kstr(g, "name", t->plan_name);
		f->price(g, "price", t->plan_price);
		mpesa_write_number(g, "duration_value", t->plan_duration_value);
		jw_kstr(g, "duration_unit", t->plan_duration_unit);
		jw_obj_end(g);
	} else
		jw_null(g);
	jw_obj_end(g);
}

static const struct mpesa_tx_format native_tx = {
	mpesa_write_number, mpesa_write_number, kdbtime,
};

int
h_mpesa_transactions(struct request *req)
{
	struct stats_scope sc;
	struct mpesa_report_filter f;
	struct mpesa_report_tx *rows;
	struct ent_query q;
	struct page pg;
	yajl_gen g;
	int rc, n;

	memset(&q, 0, sizeof(q));
	res_page(req, &q, &pg);         /* a bad page is named with the others */
	if (read_scope(req, 2, &sc, &f) < 0)
		return -1;
	rc = mpesa_tx_list(req->db, &req->arena, &sc, &f, pg.limit, pg.offset, &rows, &n,
	    &pg.total);
	if (rc != CORE_OK)
		return reply_core(req, rc, "M-Pesa transactions");
	g = reply_begin(req, 200, "Success");
	jw_arr(g);
	for (int i = 0; i < n; i++)
		mpesa_write_tx(g, &rows[i], &native_tx);
	jw_arr_end(g);
	return reply_end(req, &pg);
}

static void
w_count(yajl_gen g, const struct mpesa_report_count *c, int with_router)
{
	jw_key(g, c->key);
	jw_obj(g);
	jw_kint(g, "count", c->count);
	jw_kmoney(g, "amount", c->amount);
	if (with_router)
		jw_kint(g, "router_id", c->router_id);
	jw_obj_end(g);
}

static void
kdate(yajl_gen g, const char *key, const char *v)
{
	if (v[0])
		jw_kstr(g, key, v);
	else
		jw_knull(g, key);
}

void
mpesa_write_summary(yajl_gen g, const struct mpesa_report_summary *s,
    const struct mpesa_report_filter *f)
{
	jw_obj(g);
	jw_kint(g, "total_transactions", s->total_transactions);
	jw_kmoney(g, "total_amount", s->total_amount);
	jw_key(g, "status_breakdown");
	jw_obj(g);
	for (int i = 0; i < s->nstatus; i++)
		w_count(g, &s->status[i], 0);
	jw_obj_end(g);
	jw_key(g, "router_breakdown");
	jw_obj(g);
	for (int i = 0; i < s->nrouters; i++)
		w_count(g, &s->routers[i], 1);
	jw_obj_end(g);
	jw_key(g, "period");
	jw_obj(g);
	kdate(g, "start_date", f->start);
	kdate(g, "end_date", f->end);
	jw_obj_end(g);
	jw_obj_end(g);
}

int
h_mpesa_transactions_summary(struct request *req)
{
	struct stats_scope sc;
	struct mpesa_report_filter f;
	struct mpesa_report_summary s;
	int rc;

	if (read_scope(req, 1, &sc, &f) < 0)
		return -1;
	if ((rc = mpesa_tx_summary(req->db, &req->arena, &sc, &f, &s)) != CORE_OK)
		return reply_core(req, rc, "M-Pesa transactions");
	mpesa_write_summary(reply_begin(req, 200, "Success"), &s, &f);
	return reply_end(req, NULL);
}

void
mpesa_write_dashboard(yajl_gen g, const struct mpesa_dashboard *d,
    const struct mpesa_dash_format *f, const char *generated_at)
{
	jw_obj(g);
	jw_key(g, "revenue");
	jw_obj(g);
	jw_kmoney(g, "today", d->today);
	jw_kmoney(g, "this_week", d->this_week);
	jw_kmoney(g, "this_month", d->this_month);
	jw_kmoney(g, "all_time", d->all_time);
	jw_obj_end(g);
	jw_key(g, "customers");
	jw_obj(g);
	jw_kint(g, "total", d->customers_total);
	jw_kint(g, "active", d->customers_active);
	jw_kint(g, "inactive", d->customers_inactive);
	jw_obj_end(g);
	jw_key(g, "revenue_by_router");
	jw_arr(g);
	for (int i = 0; i < d->nrouters; i++) {
		jw_obj(g);
		jw_kint(g, "router_id", d->routers[i].router_id);
		jw_kstr(g, "router_name", d->routers[i].router_name);
		jw_kint(g, "transaction_count", d->routers[i].transaction_count);
		jw_kmoney(g, "revenue", d->routers[i].revenue);
		jw_obj_end(g);
	}
	jw_arr_end(g);
	jw_key(g, "revenue_by_plan");
	jw_arr(g);
	for (int i = 0; i < d->nplans; i++) {
		jw_obj(g);
		jw_kint(g, "plan_id", d->plans[i].plan_id);
		jw_kstr(g, "plan_name", d->plans[i].plan_name);
		f->tx->price(g, "plan_price", d->plans[i].plan_price);
		jw_kint(g, "sales_count", d->plans[i].sales_count);
		jw_kmoney(g, "revenue", d->plans[i].revenue);
		jw_obj_end(g);
	}
	jw_arr_end(g);
	jw_key(g, "recent_transactions");
	jw_arr(g);
	for (int i = 0; i < d->nrecent; i++) {
		const struct mpesa_dash_payment *p = &d->recent[i];

		jw_obj(g);
		jw_kint(g, "payment_id", p->payment_id);
		jw_kmoney(g, "amount", p->amount);
		jw_kstr(g, "customer_name", p->customer_name);
		jw_kstr(g, "customer_phone", p->customer_phone);
		jw_kstr(g, "plan_name", p->plan_name);
		f->tx->time(g, "payment_date", p->payment_date);
		jw_kstr(g, "payment_method", f->mobile_money && p->payment_method &&
		    !strcmp(p->payment_method, "mpesa") ? "mobile_money" : p->payment_method);
		jw_obj_end(g);
	}
	jw_arr_end(g);
	jw_key(g, "expiring_soon");
	jw_arr(g);
	for (int i = 0; i < d->nexpiring; i++) {
		const struct mpesa_dash_expiring *e = &d->expiring[i];

		jw_obj(g);
		jw_kint(g, "subscription_id", e->subscription_id);
		jw_kstr(g, "customer_name", e->customer_name);
		jw_kstr(g, "customer_phone", e->customer_phone);
		jw_kstr(g, "plan_name", e->plan_name);
		f->tx->time(g, f->expiry_key, e->end_date);
		jw_obj_end(g);
	}
	jw_arr_end(g);
	jw_kstr(g, "generated_at", generated_at);
	jw_obj_end(g);
}

int
h_dashboard_overview(struct request *req)
{
	static const struct mpesa_dash_format native_dash = { &native_tx, "end_date", 0 };
	struct stats_scope sc;
	struct mpesa_dashboard d;
	char now[40];
	int rc;

	if (read_scope(req, 0, &sc, NULL) < 0)
		return -1;
	time_iso8601_now(now, sizeof(now), 1);
	if ((rc = mpesa_dashboard(req->db, &req->arena, &sc, 0, &d)) != CORE_OK)
		return reply_core(req, rc, "Dashboard");
	mpesa_write_dashboard(reply_begin(req, 200, "Success"), &d, &native_dash, now);
	return reply_end(req, NULL);
}
