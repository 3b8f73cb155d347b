/* native.c - the native dialect (001's conventions): route table and envelope. */
#include "config.h"
#include "api/dialects.h"
#include "api/native/native.h"
#include "json/json.h"
#include "util/timeutil.h"

#include <string.h>

#define PUB R_PUBLIC
#define PUBB (R_PUBLIC | R_BODY)
#define B R_BODY

/* Static paths before {id} paths that could also match them. */
static const struct route routes[] = {
	{ "GET",  "/api/health/",          h_health,          PUB },
	{ "GET",  "/api/health/detailed/", h_health_detailed, PUB },
	{ "GET",  "/api/health/ready/",    h_health_ready,    PUB },
	{ "GET",  "/api/health/live/",     h_health_live,     PUB },
	/* this table as OpenAPI 3 (schema.c); /api/docs/ and /api/redoc/ are
	 * static pages nginx serves */
	{ "GET",  "/api/schema/",          h_schema,          PUB },

	{ "POST", "/api/auth/login/",    h_auth_login,    PUBB },
	{ "POST", "/api/auth/refresh/",  h_auth_refresh,  PUBB },
	{ "POST", "/api/auth/token/refresh/", h_auth_refresh, PUBB },  /* the panel's */
	{ "POST", "/api/auth/verify/",   h_auth_verify,   PUBB },
	{ "POST", "/api/auth/register/", h_auth_register, PUBB },
	{ "POST", "/api/auth/logout/",   h_auth_logout,   B },
	{ "GET",  "/api/auth/me/",       h_auth_me,       0 },
	{ "GET",  "/api/auth/me/permissions/", h_auth_my_permissions, 0 },
	{ "GET",  "/api/auth/profile/",  h_auth_me,       0 },
	{ "PUT",  "/api/auth/profile/",  h_auth_profile_update, B },
	{ "PATCH", "/api/auth/profile/", h_auth_profile_update, B },
	{ "POST", "/api/auth/change-password/", h_auth_change_password, B },

	{ "GET",  "/api/auth/users/permissions/", h_auth_my_permissions, 0 },
	{ "POST", "/api/auth/users/create/", res_create, B, "users.add_user",  &res_users },
	{ "GET",  "/api/auth/users/",      res_list,   0, "users.view_user",   &res_users },
	{ "POST", "/api/auth/users/",      res_create, B, "users.add_user",    &res_users },
	{ "GET",  "/api/auth/users/{id}/", res_get,    0, "users.view_user",   &res_users },
	{ "PUT",  "/api/auth/users/{id}/", res_update, B, "users.change_user", &res_users },
	{ "PATCH", "/api/auth/users/{id}/", res_update, B, "users.change_user", &res_users },
	{ "DELETE", "/api/auth/users/{id}/", res_delete, 0, "users.delete_user", &res_users },

	{ "POST", "/api/auth/roles/assign/",      h_roles_assign,      B, "roles.assign_role" },
	{ "POST", "/api/auth/roles/bulk-assign/", h_roles_bulk_assign, B, "roles.assign_role" },
	{ "GET",  "/api/auth/roles/",      res_list,   0, "roles.view_role",   &res_roles },
	{ "POST", "/api/auth/roles/",      res_create, B, "roles.add_role",    &res_roles },
	{ "GET",  "/api/auth/roles/{id}/", res_get,    0, "roles.view_role",   &res_roles },
	{ "PUT",  "/api/auth/roles/{id}/", res_update, B, "roles.change_role", &res_roles },
	{ "PATCH", "/api/auth/roles/{id}/", res_update, B, "roles.change_role", &res_roles },
	{ "DELETE", "/api/auth/roles/{id}/", res_delete, 0, "roles.delete_role", &res_roles },
	{ "GET",  "/api/auth/user-roles/", res_list,   0, "roles.view_role",   &res_user_roles },

	{ "GET",  "/api/auth/permissions/", res_list, 0, "permissions.view_permission",
	  &res_permissions },
	{ "GET",  "/api/auth/permission-categories/", res_list, 0, "permissions.view_permission",
	  &res_permission_categories },
	{ "POST", "/api/auth/permission-categories/", res_create, B, "permissions.add_permission",
	  &res_permission_categories },
	{ "GET",  "/api/auth/custom-permissions/", res_list, 0, "permissions.view_permission",
	  &res_custom_permissions },
	{ "POST", "/api/auth/custom-permissions/", res_create, B, "permissions.add_permission",
	  &res_custom_permissions },

	{ "GET",  "/api/auth/groups/",      res_list,   0, "groups.view_group",   &res_groups },
	{ "POST", "/api/auth/groups/",      res_create, B, "groups.add_group",    &res_groups },
	{ "GET",  "/api/auth/groups/{id}/", res_get,    0, "groups.view_group",   &res_groups },
	{ "PUT",  "/api/auth/groups/{id}/", res_update, B, "groups.change_group", &res_groups },
	{ "PATCH", "/api/auth/groups/{id}/", res_update, B, "groups.change_group", &res_groups },
	{ "DELETE", "/api/auth/groups/{id}/", res_delete, 0, "groups.delete_group", &res_groups },

	{ "POST", "/api/auth/api-clients/find/", h_clients_find, B, "api_clients.view_client" },
	{ "GET",  "/api/auth/api-clients/",  res_list, 0, "api_clients.view_client", &res_api_clients },
	{ "POST", "/api/auth/api-clients/",  h_clients_upsert, B, "api_clients.manage_client" },
	{ "DELETE", "/api/auth/api-clients/", h_clients_delete_many, B, "api_clients.manage_client" },
	{ "GET",  "/api/auth/api-clients/{id}/", res_get, 0, "api_clients.view_client",
	  &res_api_clients },
	{ "DELETE", "/api/auth/api-clients/{id}/", res_delete, 0, "api_clients.manage_client",
	  &res_api_clients },

	{ "GET",  "/api/auth/dashboard/stats/", h_identity_stats, 0, "dashboard.view_stats" },

	{ "GET",  "/api/tenants/",            res_list,   0, "tenants.view_tenant",   &res_tenants },
	{ "POST", "/api/tenants/",            res_create, B, "tenants.add_tenant",    &res_tenants },
	{ "GET",  "/api/tenants/{id}/stats/", h_tenant_stats, 0, "tenants.view_tenant" },
	{ "GET",  "/api/tenants/{id}/",       res_get,    0, "tenants.view_tenant",   &res_tenants },
	{ "PUT",  "/api/tenants/{id}/",       res_update, B, "tenants.change_tenant", &res_tenants },
	{ "PATCH", "/api/tenants/{id}/",      res_update, B, "tenants.change_tenant", &res_tenants },
	{ "DELETE", "/api/tenants/{id}/",     res_delete, 0, "tenants.delete_tenant", &res_tenants },

	{ "GET",  "/api/locations/summary/",   h_locations_summary, 0, "locations.view_location" },
	{ "GET",  "/api/locations/divisions/", res_list, 0, "locations.view_location", &res_divisions },
	{ "GET",  "/api/locations/districts/", res_list, 0, "locations.view_location", &res_districts },
	{ "GET",  "/api/locations/districts/{id}/thanas/", h_district_thanas, 0,
	  "locations.view_location" },
	{ "GET",  "/api/locations/districts/{id}/", res_get, 0, "locations.view_location",
	  &res_districts },
	{ "GET",  "/api/locations/thanas/",    res_list, 0, "locations.view_location", &res_thanas },
	{ "GET",  "/api/locations/thanas/{id}/", res_get, 0, "locations.view_location", &res_thanas },

	{ "GET",  "/api/audit/", res_list, 0, "audit.view_log", &res_audit },

	/* ---- billing (billing.c) ---- */
#define CRUD(base, res, perm) \
	{ "GET",    base "/",      res_list,   0, perm ".view",   &res }, \
	{ "POST",   base "/",      res_create, B, perm ".add",    &res }, \
	{ "GET",    base "/{id}/", res_get,    0, perm ".view",   &res }, \
	{ "PUT",    base "/{id}/", res_update, B, perm ".change", &res }, \
	{ "PATCH",  base "/{id}/", res_update, B, perm ".change", &res }, \
	{ "DELETE", base "/{id}/", res_delete, 0, perm ".delete", &res }
	CRUD("/api/customers", res_customers, "customers"),
	/* ---- live routers (network.c): before the CRUD's {id} routes ---- */
#define RT "/api/network/routers/{id}"
	{ "POST", RT "/test-connection/",  h_router_test,          0, "routers.view" },
	{ "POST", RT "/test_connection/",  h_router_test,          0, "routers.view" },
	{ "GET",  RT "/resource/",         h_router_resource,      0, "routers.view" },
	{ "GET",  RT "/hotspot-users/",    h_router_hotspot_users, 0, "routers.view" },
	{ "GET",  RT "/ppp-secrets/",      h_router_ppp_secrets,   0, "routers.view" },
	{ "POST", RT "/ppp-secrets/",      h_router_ppp_secret_write, B, "routers.change" },
	{ "PUT",  RT "/ppp-secrets/{name}/", h_router_ppp_secret_write, B, "routers.change" },
	{ "PATCH", RT "/ppp-secrets/{name}/", h_router_ppp_secret_write, B, "routers.change" },
	{ "DELETE", RT "/ppp-secrets/{name}/", h_router_ppp_secret_write, 0, "routers.change" },
	{ "GET",  RT "/ppp-profiles/",     h_router_ppp_profiles,  0, "routers.view" },
	{ "POST", RT "/ppp-profiles/",     h_router_ppp_profile_write, B, "routers.change" },
	{ "PUT",  RT "/ppp-profiles/{name}/", h_router_ppp_profile_write, B, "routers.change" },
	{ "PATCH", RT "/ppp-profiles/{name}/", h_router_ppp_profile_write, B, "routers.change" },
	{ "DELETE", RT "/ppp-profiles/{name}/", h_router_ppp_profile_write, 0, "routers.change" },
	{ "GET",  RT "/ppp-active/",       h_router_ppp_active,    0, "routers.view" },
	{ "GET",  RT "/interfaces/",       h_router_interfaces,    0, "routers.view" },
	{ "GET",  RT "/interfaces/{name}/traffic/", h_router_traffic, 0, "routers.view" },
	{ "POST", RT "/ping/",             h_router_ping,          B, "routers.view" },
	{ "GET",  RT "/drift/",            h_router_drift,         0, "routers.view" },
	{ "POST", RT "/drift/repair/",     h_router_drift_repair,  0, "routers.change" },
	{ "POST", RT "/sync-plans/",       h_router_sync_plans,    0, "routers.change" },
#undef RT
	/* a one-time ticket for a WebSocket stream (ispbill-monitor) */
	{ "POST", "/api/network/stream-tickets/", h_stream_ticket, 0, "routers.view" },
	/* ---- M-Pesa and SMS (mpesa.c) ---- */
	{ "GET",  "/api/mpesa/settings/", h_mpesa_settings_get, 0, "mpesa.manage" },
	{ "PUT",  "/api/mpesa/settings/", h_mpesa_settings_put, B, "mpesa.manage" },
	{ "PATCH", "/api/mpesa/settings/", h_mpesa_settings_put, B, "mpesa.manage" },
	{ "POST", "/api/mpesa/settings/rotate-callback-secret/", h_mpesa_rotate_secret, B,
	  "mpesa.manage" },
	{ "GET",  "/api/sms/settings/",   h_sms_settings_get,   0, "sms.manage" },
	{ "PUT",  "/api/sms/settings/",   h_sms_settings_put,   B, "sms.manage" },
	{ "PATCH", "/api/sms/settings/",  h_sms_settings_put,   B, "sms.manage" },
	{ "POST", "/api/mpesa/stk-push/", h_mpesa_stk_push,     B, "mpesa.pay" },
	{ "POST", "/api/mpesa/c2b/register/", h_mpesa_c2b_register, 0, "mpesa.manage" },
	/* Daraja's: the secret in the path is the credential */
	{ "POST", "/api/mpesa/callback/{secret}/", h_mpesa_callback, PUB },
	{ "POST", "/api/c2b/validation/{secret}/", h_mpesa_c2b_validation, PUB },
	{ "POST", "/api/c2b/confirmation/{secret}/", h_mpesa_c2b_confirmation, PUB },
	{ "POST", "/api/sms/send/",       h_sms_send,           B, "sms.send" },
	/* ---- M-Pesa reports (mpesa_report.c) ---- */
	{ "GET",  "/api/mpesa/transactions/", h_mpesa_transactions, 0, "mpesa.view" },
	{ "GET",  "/api/mpesa/transactions/summary/", h_mpesa_transactions_summary, 0,
	  "mpesa.view" },
	{ "GET",  "/api/dashboard/overview/", h_dashboard_overview, 0, "stats.view" },
	{ "POST", "/api/network/callbacks/pppoe/up/",   h_pppoe_up,   PUBB },
	{ "POST", "/api/network/callbacks/pppoe/down/", h_pppoe_down, PUBB },
	CRUD("/api/network/routers", res_routers, "routers"),
	CRUD("/api/subscriptions", res_subscriptions, "subscriptions"),
	{ "POST", "/api/subscriptions/{id}/activate/",   h_sub_activate,   0, "subscriptions.change" },
	{ "POST", "/api/subscriptions/{id}/suspend/",    h_sub_suspend,    0, "subscriptions.change" },
	{ "POST", "/api/subscriptions/{id}/cancel/",     h_sub_cancel,     0, "subscriptions.change" },
	{ "POST", "/api/subscriptions/{id}/reset-data/", h_sub_reset_data, 0, "subscriptions.change" },
	{ "PATCH", "/api/subscriptions/{id}/status/",    h_sub_status,     B, "subscriptions.change" },
	{ "GET",  "/api/network/router-jobs/", res_list, 0, "routers.view", &res_router_jobs },
	CRUD("/api/billing/invoices", res_invoices, "invoices"),
	{ "POST", "/api/billing/invoices/{id}/mark-paid/",    h_invoice_mark_paid,    B,
	  "invoices.change" },
	{ "POST", "/api/billing/invoices/{id}/pay/",          h_invoice_mark_paid,    B,
	  "invoices.change" },
	{ "POST", "/api/billing/invoices/{id}/mark-overdue/", h_invoice_mark_overdue, 0,
	  "invoices.change" },
	/* 001's filtering section lists GET /api/invoices/?status=pending&customer=1 */
	{ "GET",  "/api/invoices/", res_list, 0, "invoices.view", &res_invoices },
	/* payments: 001's place, and /api/billing/payments/ where the panel looks;
	 * the actions with hyphens and with the panel's underscores */
#define PAYMENTS(base) \
	CRUD(base, res_payments, "payments"), \
	{ "POST", base "/{id}/mark-completed/", h_payment_completed, 0, "payments.change" }, \
	{ "POST", base "/{id}/mark-failed/",    h_payment_failed,    0, "payments.change" }, \
	{ "POST", base "/{id}/mark-refunded/",  h_payment_refunded,  0, "payments.change" }, \
	{ "POST", base "/{id}/mark_completed/", h_payment_completed, 0, "payments.change" }, \
	{ "POST", base "/{id}/mark_failed/",    h_payment_failed,    0, "payments.change" }, \
	{ "POST", base "/{id}/mark_refunded/",  h_payment_refunded,  0, "payments.change" }
	PAYMENTS("/api/payments/payments"),
	PAYMENTS("/api/billing/payments"),
#undef PAYMENTS
	CRUD("/api/tickets", res_tickets, "tickets"),
	{ "GET",  "/api/tickets/{id}/replies/", h_ticket_replies, 0, "tickets.view" },
	{ "POST", "/api/tickets/{id}/replies/", h_ticket_reply,   B, "tickets.add" },
	CRUD("/api/leads", res_leads, "leads"),

	/* ---- statistics (stats.c): begin ---- */
	{ "GET",  "/api/core/dashboard/stats/",      h_stats_dashboard,     0, "stats.view" },
	{ "GET",  "/api/core/stats/customers/",      h_stats_customers,     0, "stats.view" },
	{ "GET",  "/api/core/stats/subscriptions/",  h_stats_subscriptions, 0, "stats.view" },
	{ "GET",  "/api/core/stats/plans/",          h_stats_plans,         0, "stats.view" },
	{ "GET",  "/api/core/stats/routers/",        h_stats_routers,       0, "stats.view" },
	{ "GET",  "/api/core/stats/invoices/",       h_stats_invoices,      0, "stats.view" },
	{ "GET",  "/api/core/stats/payments/",       h_stats_payments,      0, "stats.view" },
	{ "GET",  "/api/core/stats/all/",            h_stats_all,           0, "stats.view" },
	{ "GET",  "/api/core/trends/monthly/",       h_trends_monthly,      0, "stats.view" },
	{ "GET",  "/api/core/trends/daily/",         h_trends_daily,        0, "stats.view" },
	{ "GET",  "/api/core/analytics/payment-methods/", h_analytics_payment_methods, 0,
	  "stats.view" },
	{ "GET",  "/api/core/analytics/top-customers/",   h_analytics_top_customers,   0,
	  "stats.view" },
	{ "GET",  "/api/stats/dashboard/",           h_crm_dashboard,       0, "stats.view" },
	{ "GET",  "/api/reports/revenue/",           h_reports_revenue,     0, "stats.view" },
	/* before any /api/plans/{id}/ route, which would take "performance" for an id */
	{ "GET",  "/api/plans/performance/",         h_plans_performance,   0, "stats.view" },
	/* ---- statistics (stats.c): end ---- */
	/* after the statistics, so that /api/plans/performance/ is matched first */
	CRUD("/api/plans", res_plans, "plans"),
#undef CRUD
};

static void
stamp(yajl_gen g)
{
	char ts[32];

	time_iso8601_now(ts, sizeof(ts), 0);
	jw_kstr(g, "timestamp", ts);
}

static void
ok_begin(struct request *req, const char *message)
{
	yajl_gen g = req->gen;

	jw_obj(g);
	jw_kbool(g, "success", 1);
	jw_kstr(g, "message", message ? message : "Success");
	jw_key(g, "data");
}

static void
ok_end(struct request *req, const struct page *pg)
{
	yajl_gen g = req->gen;

	stamp(g);
	if (pg) {
		long long pages = pg->page_size ? (pg->total + pg->page_size - 1) / pg->page_size : 0;

		jw_key(g, "pagination");
		jw_obj(g);
		jw_kint(g, "current_page", pg->page);
		jw_kint(g, "total_pages", pages);
		jw_kint(g, "total_items", pg->total);
		jw_kint(g, "page_size", pg->page_size);
		jw_kbool(g, "has_next", pg->page < pages);
		jw_kbool(g, "has_previous", pg->page > 1);
		jw_key(g, "next_page");
		if (pg->page < pages)
			jw_int(g, pg->page + 1);
		else
			jw_null(g);
		jw_key(g, "previous_page");
		if (pg->page > 1)
			jw_int(g, pg->page - 1);
		else
			jw_null(g);
		jw_obj_end(g);
	}
	jw_obj_end(g);
}

/* {"field": ["message", ...], ...} in the order fields first appear */
void
native_write_field_errors(struct request *req)
{
	yajl_gen g = req->gen;

	jw_obj(g);
	for (int i = 0; i < req->errs.n; i++) {
		int seen = 0;

		for (int j = 0; j < i && !seen; j++)
			seen = strcmp(req->errs.e[j].field, req->errs.e[i].field) == 0;
		if (seen)
			continue;
		jw_key(g, req->errs.e[i].field);
		jw_arr(g);
		for (int j = i; j < req->errs.n; j++)
			if (strcmp(req->errs.e[j].field, req->errs.e[i].field) == 0)
				jw_str(g, req->errs.e[j].msg);
		jw_arr_end(g);
	}
	jw_obj_end(g);
}

static void
error(struct request *req, enum err e, const char *message)
{
	yajl_gen g = req->gen;

	jw_obj(g);
	jw_kbool(g, "success", 0);
	jw_kstr(g, "message", message);
	jw_knull(g, "data");
	stamp(g);
	jw_key(g, "errors");
	if (req->errs.n)
		native_write_field_errors(req);
	else {
		jw_obj(g);
		jw_kstr(g, "detail", message);
		jw_obj_end(g);
	}
	jw_kstr(g, "error_code", err_code(e));
	jw_obj_end(g);
}

const struct dialect dialect_native = {
	"native", routes, sizeof(routes) / sizeof(routes[0]), ok_begin, ok_end, error,
};
