/* billing.c - native customers, plans, subscriptions, routers, invoices,
 * payments, tickets and leads (001's paths): resources for the generic
 * handlers, hooks into the core's rules, and the state-change actions. */
#include "config.h"
#include "api/native/native.h"
#include "api/resource.h"
#include "core/audit.h"
#include "core/billing.h"
#include "core/rbac.h"
#include "db/db.h"
#include "http/auth.h"
#include "json/json.h"

#include <string.h>

static void
actor(struct request *req, struct actor *who)
{
	auth_actor(req, who);
}

/* for the hooks whose core call does not write the audit line itself */
static int
audited(struct request *req, int rc, const char *action, const char *type, long long id)
{
	struct actor who;

	if (rc == CORE_OK) {
		actor(req, &who);
		audit(req->db, &req->arena, &who, action, type, id, NULL);
	}
	return rc;
}

/* resellers: rows hanging from their own customers */
static void
owner_scope(struct request *req, struct ent_query *q, const char *sql)
{
	struct actor who;

	actor(req, &who);
	billing_owner_scope(&who, q, sql);
}

/* ---- customers ---- */

static int
customer_create(struct request *req, struct ent_set *s, long long *id)
{
	struct actor who;

	actor(req, &who);
	return customers_create(req->db, &req->arena, &who, s, id, &req->errs);
}

static int
customer_update(struct request *req, long long id, struct ent_set *s)
{
	struct actor who;
	int rc;

	actor(req, &who);
	if ((rc = customers_prepare(&req->arena, s, &req->errs)) != CORE_OK ||
	    (rc = ent_check_fks(req->db, &req->arena, &ent_customer, who.tenant_id, s,
	    &req->errs)) != CORE_OK)
		return rc;
	return audited(req, ent_update(req->db, &req->arena, &ent_customer, who.tenant_id, id, s,
	    &req->errs), "update", "customer", id);
}

static void
customer_scope(struct request *req, struct ent_query *q)
{
	q->search = customers_search_text(&req->arena, q->search);
	owner_scope(req, q, "t.owner_id = ?");
}

static int
customer_visible(struct request *req, const struct ent_row *r)
{
	struct actor who;

	actor(req, &who);
	return !rbac_is_reseller(&who) || ent_val_int(&ent_customer, r, "owner_id") == who.user_id;
}

/* rows that belong to a customer: a reseller sees them when it owns the customer */
static int
owned_through_customer(struct request *req, const struct entity *e, const struct ent_row *r)
{
	struct actor who;
	struct db_param p[2];
	struct db_result res;

	actor(req, &who);
	if (!rbac_is_reseller(&who))
		return 1;
	p[0] = db_int(ent_val_int(e, r, "customer_id"));
	p[1] = db_int(who.user_id);
	return db_query(req->db, &req->arena, "SELECT 1 FROM customers WHERE id = ? AND owner_id = ?",
	    p, 2, &res) == 0 && res.nrows > 0;
}

/* the customer named in a body must be the reseller's own */
static int
own_customer_in_body(struct request *req, const struct ent_set *s)
{
	long long cust = ent_set_int(s, "customer_id");
	struct ent_row row;

	if (cust && (ent_get_id(req->db, &req->arena, &ent_customer, req->auth.tenant_id, cust,
	    &row) != CORE_OK || !customer_visible(req, &row))) {
		req_field_error(req, "customer_id", "Invalid pk - object does not exist.");
		return CORE_INVALID;
	}
	return CORE_OK;
}

static int sub_visible(struct request *req, const struct ent_row *r)
{ return owned_through_customer(req, &ent_subscription, r); }
static int invoice_visible(struct request *req, const struct ent_row *r)
{ return owned_through_customer(req, &ent_invoice, r); }
static int payment_visible(struct request *req, const struct ent_row *r)
{ return owned_through_customer(req, &ent_payment, r); }

const struct resource res_customers = {
	&ent_customer, "customer", customer_create, customer_update, NULL, NULL, customer_scope,
	customer_visible,
};

/* ---- plans ---- */

static int
plan_create(struct request *req, struct ent_set *s, long long *id)
{
	int rc = plans_prepare(&req->arena, s, req->json, 1, &req->errs);

	if (rc != CORE_OK)
		return rc;
	rc = ent_create(req->db, &req->arena, &ent_plan, req->auth.tenant_id, s, id, &req->errs);
	return audited(req, rc, "create", "plan", *id);
}

static int
plan_update(struct request *req, long long id, struct ent_set *s)
{
	int rc = plans_prepare(&req->arena, s, req->json, 0, &req->errs);

	if (rc != CORE_OK)
		return rc;
	return audited(req, ent_update(req->db, &req->arena, &ent_plan, req->auth.tenant_id, id, s,
	    &req->errs), "update", "plan", id);
}

static int
plan_remove(struct request *req, long long id)
{
	struct actor who;

	actor(req, &who);
	return plans_delete(req->db, &req->arena, &who, id, &req->errs);
}

const struct resource res_plans = {
	&ent_plan, "plan", plan_create, plan_update, plan_remove,
};

/* ---- routers ---- */

static int
router_create(struct request *req, struct ent_set *s, long long *id)
{
	struct actor who;

	actor(req, &who);
	return routers_create(req->db, &req->arena, &who, s, req->json, id, &req->errs);
}

static int
router_update(struct request *req, long long id, struct ent_set *s)
{
	struct actor who;

	actor(req, &who);
	return routers_update(req->db, &req->arena, &who, id, s, req->json, &req->errs);
}

static int
router_remove(struct request *req, long long id)
{
	struct actor who;

	actor(req, &who);
	return routers_delete(req->db, &req->arena, &who, id, &req->errs);
}

static void
router_extra(struct request *req, yajl_gen g, const struct ent_row *r, int detail)
{
	struct db_param p[1] = { db_int(r->id) };
	struct db_result res;

	/* the key the router's own PPPoE scripts call back with: shown when the
	 * router is read on its own, not echoed by every write */
	if (!detail || strcmp(req->method, "GET") != 0 || db_query(req->db, &req->arena, "SELECT callback_key FROM routers WHERE id = ?",
	    p, 1, &res) < 0)
		return;
	jw_kstr(g, "callback_key", db_val(&res, 0, 0));
}

const struct resource res_routers = {
	&ent_router, "router", router_create, router_update, router_remove, router_extra,
};

/* ---- subscriptions ---- */

static int
sub_create(struct request *req, struct ent_set *s, long long *id)
{
	struct actor who;

	actor(req, &who);
	return subs_create(req->db, &req->arena, &who, s, req->json, id, &req->errs);
}

static int
sub_update(struct request *req, long long id, struct ent_set *s)
{
	struct actor who;

	actor(req, &who);
	return subs_update(req->db, &req->arena, &who, id, s, req->json, &req->errs);
}

static int
sub_remove(struct request *req, long long id)
{
	struct actor who;

	actor(req, &who);
	return subs_delete(req->db, &req->arena, &who, id, &req->errs);
}

static void
sub_scope(struct request *req, struct ent_query *q)
{
	owner_scope(req, q, "t.customer_id IN (SELECT c.id FROM customers c WHERE c.owner_id = ?)");
}

const struct resource res_subscriptions = {
	&ent_subscription, "subscription", sub_create, sub_update, sub_remove, NULL, sub_scope,
	sub_visible,
};

static int
sub_action(struct request *req, const char *action, const char *message)
{
	struct actor who;
	long long id = res_path_id(req, &res_subscriptions);
	int rc;

	if (id == 0)
		return reply_error(req, ERR_NOT_FOUND, "Subscription not found.");
	actor(req, &who);
	rc = subs_action(req->db, &req->arena, &who, id, action, &req->errs);
	if (rc != CORE_OK)
		return reply_core(req, rc, "Subscription");
	return res_reply_row(req, &res_subscriptions, 200, message, id);
}

int h_sub_activate(struct request *req) { return sub_action(req, "activate", "Subscription activated."); }
int h_sub_suspend(struct request *req) { return sub_action(req, "suspend", "Subscription suspended."); }
int h_sub_cancel(struct request *req) { return sub_action(req, "cancel", "Subscription cancelled."); }
int h_sub_reset_data(struct request *req) { return sub_action(req, "reset-data", "Data usage reset."); }

/* PATCH .../status/ {"status": ...}: the panel's way to the three actions */
int
h_sub_status(struct request *req)
{
	const char *st = need_str(req, "status", 16);

	if (st && strcmp(st, "active") == 0)
		return h_sub_activate(req);
	if (st && strcmp(st, "suspended") == 0)
		return h_sub_suspend(req);
	if (st && strcmp(st, "cancelled") == 0)
		return h_sub_cancel(req);
	if (st)
		req_field_error(req, "status", "Must be one of: active, suspended, cancelled.");
	return reply_error(req, ERR_VALIDATION, "Invalid input.");
}

const struct resource res_router_jobs = { &ent_router_job, "router_job" };

/* ---- invoices ---- */

static int
invoice_create(struct request *req, struct ent_set *s, long long *id)
{
	struct actor who;

	if (own_customer_in_body(req, s) != CORE_OK)
		return CORE_INVALID;
	actor(req, &who);
	return invoices_create(req->db, &req->arena, &who, s, id, &req->errs);
}

static int
invoice_update(struct request *req, long long id, struct ent_set *s)
{
	struct actor who;

	actor(req, &who);
	return invoices_update(req->db, &req->arena, &who, id, s, &req->errs);
}

static int
invoice_remove(struct request *req, long long id)
{
	struct actor who;

	actor(req, &who);
	return invoices_delete(req->db, &req->arena, &who, id, &req->errs);
}

static void
invoice_scope(struct request *req, struct ent_query *q)
{
	owner_scope(req, q, "t.customer_id IN (SELECT c.id FROM customers c WHERE c.owner_id = ?)");
}

const struct resource res_invoices = {
	&ent_invoice, "invoice", invoice_create, invoice_update, invoice_remove, NULL, invoice_scope,
	invoice_visible,
};

int
h_invoice_mark_paid(struct request *req)
{
	struct actor who;
	const char *method = NULL;
	long long id = res_path_id(req, &res_invoices), pay;
	int rc;

	if (id == 0)
		return reply_error(req, ERR_NOT_FOUND, "Invoice not found.");
	if (req->json && json_get_str(req->json, "payment_method", &method) == JSON_WRONG_TYPE) {
		req_field_error(req, "payment_method", "Not a valid string.");
		return reply_error(req, ERR_VALIDATION, "Invalid input.");
	}
	actor(req, &who);
	rc = invoices_mark_paid(req->db, &req->arena, &who, id, method, &pay, &req->errs);
	if (rc != CORE_OK)
		return reply_core(req, rc, "Invoice");
	return res_reply_row(req, &res_invoices, 200, "Invoice marked as paid.", id);
}

int
h_invoice_mark_overdue(struct request *req)
{
	struct actor who;
	long long id = res_path_id(req, &res_invoices);
	int rc;

	if (id == 0)
		return reply_error(req, ERR_NOT_FOUND, "Invoice not found.");
	actor(req, &who);
	rc = invoices_mark_overdue(req->db, &req->arena, &who, id, &req->errs);
	if (rc != CORE_OK)
		return reply_core(req, rc, "Invoice");
	return res_reply_row(req, &res_invoices, 200, "Invoice marked as overdue.", id);
}

/* ---- payments ---- */

static int
payment_create(struct request *req, struct ent_set *s, long long *id)
{
	struct actor who;

	if (own_customer_in_body(req, s) != CORE_OK)
		return CORE_INVALID;
	actor(req, &who);
	return payments_create(req->db, &req->arena, &who, s, id, &req->errs);
}

static int
payment_update(struct request *req, long long id, struct ent_set *s)
{
	struct actor who;

	actor(req, &who);
	return payments_update(req->db, &req->arena, &who, id, s, &req->errs);
}

static int
payment_remove(struct request *req, long long id)
{
	struct actor who;

	actor(req, &who);
	return payments_delete(req->db, &req->arena, &who, id, &req->errs);
}

const struct resource res_payments = {
	&ent_payment, "payment", payment_create, payment_update, payment_remove, NULL, invoice_scope,
	payment_visible,
};

static int
payment_mark(struct request *req, const char *to, const char *message)
{
	struct actor who;
	long long id = res_path_id(req, &res_payments);
	int rc;

	if (id == 0)
		return reply_error(req, ERR_NOT_FOUND, "Payment not found.");
	actor(req, &who);
	rc = payments_mark(req->db, &req->arena, &who, id, to, &req->errs);
	if (rc != CORE_OK)
		return reply_core(req, rc, "Payment");
	return res_reply_row(req, &res_payments, 200, message, id);
}

int h_payment_completed(struct request *req) { return payment_mark(req, "completed", "Payment completed."); }
int h_payment_failed(struct request *req) { return payment_mark(req, "failed", "Payment failed."); }
int h_payment_refunded(struct request *req) { return payment_mark(req, "refunded", "Payment refunded."); }

/* ---- tickets and leads ---- */

static int
ticket_create(struct request *req, struct ent_set *s, long long *id)
{
	struct actor who;

	actor(req, &who);
	return tickets_create(req->db, &req->arena, &who, s, id, &req->errs);
}

static int
ticket_update(struct request *req, long long id, struct ent_set *s)
{
	struct actor who;

	actor(req, &who);
	return tickets_update(req->db, &req->arena, &who, id, s, &req->errs);
}

/* a ticket in detail carries its replies, internal notes included */
static void
ticket_extra(struct request *req, yajl_gen g, const struct ent_row *r, int detail)
{
	struct ent_query q;
	struct ent_page page;

	if (!detail)
		return;
	memset(&q, 0, sizeof(q));
	q.limit = 1000;
	ent_query_cond(&q, "t.ticket_id = ?", 1, db_int(r->id), db_null());
	if (ent_list(req->db, &req->arena, &ent_ticket_reply, req->auth.tenant_id, &q, &page,
	    &req->errs) != CORE_OK)
		return;
	jw_key(g, "replies");
	jw_arr(g);
	for (unsigned i = 0; i < page.nrows; i++)
		ent_write(g, &ent_ticket_reply, &page.rows[i]);
	jw_arr_end(g);
}

const struct resource res_tickets = {
	&ent_ticket, "ticket", ticket_create, ticket_update, NULL, ticket_extra,
};

const struct resource res_ticket_replies = { &ent_ticket_reply, "ticket_reply" };

int
h_ticket_reply(struct request *req)
{
	struct actor who;
	struct ent_set s;
	long long tid = res_path_id(req, &res_tickets), id;
	int rc;

	if (tid == 0)
		return reply_error(req, ERR_NOT_FOUND, "Ticket not found.");
	if (ent_parse(&ent_ticket_reply, req->json, 0, &req->arena, &s, &req->errs) != CORE_OK)
		return reply_error(req, ERR_VALIDATION, "Invalid input.");
	actor(req, &who);
	rc = tickets_reply(req->db, &req->arena, &who, tid, &s, &id, &req->errs);
	if (rc != CORE_OK)
		return reply_core(req, rc, "Ticket");
	return res_reply_row(req, &res_ticket_replies, 201, "Reply added.", id);
}

int
h_ticket_replies(struct request *req)
{
	struct ent_query q;
	struct page pg;
	long long tid = res_path_id(req, &res_tickets);

	if (tid == 0)
		return reply_error(req, ERR_NOT_FOUND, "Ticket not found.");
	memset(&q, 0, sizeof(q));
	if (res_page(req, &q, &pg) < 0)
		return reply_error(req, ERR_VALIDATION, "Invalid query parameters.");
	res_query(req, &ent_ticket_reply, &q);
	ent_query_cond(&q, "t.ticket_id = ?", 1, db_int(tid), db_null());
	return res_reply_list(req, &res_ticket_replies, &q, &pg);
}

static int
lead_create(struct request *req, struct ent_set *s, long long *id)
{
	int rc;

	if ((rc = leads_prepare(&req->arena, s, &req->errs)) != CORE_OK ||
	    (rc = ent_check_fks(req->db, &req->arena, &ent_lead, req->auth.tenant_id, s,
	    &req->errs)) != CORE_OK)
		return rc;
	rc = ent_create(req->db, &req->arena, &ent_lead, req->auth.tenant_id, s, id, &req->errs);
	return audited(req, rc, "create", "lead", *id);
}

static int
lead_update(struct request *req, long long id, struct ent_set *s)
{
	int rc;

	if ((rc = leads_prepare(&req->arena, s, &req->errs)) != CORE_OK ||
	    (rc = ent_check_fks(req->db, &req->arena, &ent_lead, req->auth.tenant_id, s,
	    &req->errs)) != CORE_OK)
		return rc;
	return audited(req, ent_update(req->db, &req->arena, &ent_lead, req->auth.tenant_id, id, s,
	    &req->errs), "update", "lead", id);
}

const struct resource res_leads = { &ent_lead, "lead", lead_create, lead_update };
