/* netflow.c - the netflow dialect (002): route table and envelope
 * {success, data, message}, limit/offset lists. */
#include "config.h"
#include "api/dialects.h"
#include "api/native/native.h"
#include "api/netflow/netflow.h"
#include "json/json.h"

#include <string.h>

#define PUBB (R_PUBLIC | R_BODY)
#define B R_BODY

/* 002 writes two paths with the base repeated (/api/sms/send,
 * /api/sms-settings): served where the document's curl example calls them
 * and where a panel with base URL .../api would (/api/api/...). */
static const struct route routes[] = {
	{ "POST", "/api/auth/login",    nf_login,    PUBB },
	{ "POST", "/api/auth/register", nf_register, PUBB },
	{ "GET",  "/api/auth/me",       nf_me,       0 },

	{ "GET",  "/api/customers",      nf_list,   0, "customers.view",   &nf_customers },
	{ "POST", "/api/customers",      nf_create, B, "customers.add",    &nf_customers },
	{ "GET",  "/api/customers/{id}", nf_get,    0, "customers.view",   &nf_customers },
	{ "PUT",  "/api/customers/{id}", nf_update, B, "customers.change", &nf_customers },
	{ "PATCH", "/api/customers/{id}", nf_update, B, "customers.change", &nf_customers },

	{ "GET",  "/api/invoices",      nf_list,   0, "invoices.view", &nf_invoices },
	{ "POST", "/api/invoices",      nf_create, B, "invoices.add",  &nf_invoices },
	{ "GET",  "/api/invoices/{id}", nf_get,    0, "invoices.view", &nf_invoices },

	{ "GET",  "/api/tickets",              nf_list,   0, "tickets.view", &nf_tickets },
	{ "POST", "/api/tickets",              nf_create, B, "tickets.add",  &nf_tickets },
	{ "GET",  "/api/tickets/{id}",         nf_get,    0, "tickets.view", &nf_tickets },
	{ "POST", "/api/tickets/{id}/replies", nf_ticket_reply, B, "tickets.add" },

	{ "GET",  "/api/payments", nf_list,   0, "payments.view", &nf_payments },
	{ "POST", "/api/payments", nf_create, B, "payments.add",  &nf_payments },

	{ "GET",  "/api/stats/dashboard", h_crm_dashboard,   0, "stats.view" },
	{ "GET",  "/api/reports/revenue", h_reports_revenue, 0, "stats.view" },

	{ "POST", "/api/integrations/mpesa/payment",      h_mpesa_stk_push,       B, "mpesa.pay" },
	{ "GET",  "/api/integrations/mikrotik/interfaces", nf_mikrotik_interfaces, 0,
	  "routers.view" },
	{ "POST", "/api/sms/send",         nf_sms_send,          B, "sms.send" },
	{ "POST", "/api/api/sms/send",     nf_sms_send,          B, "sms.send" },
	{ "GET",  "/api/sms-settings",     nf_sms_settings_get,  0, "sms.manage" },
	{ "POST", "/api/sms-settings",     nf_sms_settings_post, B, "sms.manage" },
	{ "PUT",  "/api/sms-settings",     nf_sms_settings_post, B, "sms.manage" },
	{ "GET",  "/api/api/sms-settings", nf_sms_settings_get,  0, "sms.manage" },
	{ "POST", "/api/api/sms-settings", nf_sms_settings_post, B, "sms.manage" },
	{ "PUT",  "/api/api/sms-settings", nf_sms_settings_post, B, "sms.manage" },

	{ "GET",  "/api/leads",      nf_list,   0, "leads.view", &nf_leads },
	{ "POST", "/api/leads",      nf_create, B, "leads.add",  &nf_leads },
	{ "GET",  "/api/leads/{id}", nf_get,    0, "leads.view", &nf_leads },
	{ "PUT",  "/api/leads/{id}", nf_update, B, "leads.change", &nf_leads },
	{ "PATCH", "/api/leads/{id}", nf_update, B, "leads.change", &nf_leads },
};

static void
ok_begin(struct request *req, const char *message)
{
	yajl_gen g = req->gen;

	jw_obj(g);
	jw_kbool(g, "success", 1);
	if (message)
		jw_kstr(g, "message", message);
	jw_key(g, "data");
}

static void
ok_end(struct request *req, const struct page *pg)
{
	yajl_gen g = req->gen;

	if (pg) {
		jw_key(g, "pagination");
		jw_obj(g);
		jw_kint(g, "total", pg->total);
		jw_kint(g, "limit", pg->limit);
		jw_kint(g, "offset", pg->offset);
		jw_obj_end(g);
	}
	jw_obj_end(g);
}

static void
error(struct request *req, enum err e, const char *message)
{
	yajl_gen g = req->gen;

	/* 002's messages say what is wrong: the first field's, named */
	if (req->errs.n && (e == ERR_VALIDATION || e == ERR_PARSE) && message &&
	    (!strcmp(message, "Invalid input.") || !strcmp(message, "Invalid query parameters.")))
		message = arena_printf(&req->arena, "%s: %s", req->errs.e[0].field,
		    req->errs.e[0].msg);
	else if (e == ERR_UNAUTHORIZED && req->route && !(req->route->flags & R_PUBLIC))
		message = "Unauthorized - Invalid or expired token";
	jw_obj(g);
	jw_kbool(g, "success", 0);
	jw_kstr(g, "message", message);
	if (req->errs.n) {
		jw_key(g, "errors");
		jw_arr(g);
		for (int i = 0; i < req->errs.n; i++) {
			jw_obj(g);
			jw_kstr(g, "field", req->errs.e[i].field);
			jw_kstr(g, "message", req->errs.e[i].msg);
			jw_obj_end(g);
		}
		jw_arr_end(g);
	}
	jw_obj_end(g);
}

const struct dialect dialect_netflow = {
	"netflow", routes, sizeof(routes) / sizeof(routes[0]), ok_begin, ok_end, error,
};
