/* native.h - the native dialect's handlers and resources, grouped by file. */
#ifndef ISP_NATIVE_H
#define ISP_NATIVE_H

#include "api/resource.h"
#include "core/sessions.h"
#include "http/request.h"

/* native.c */
void native_write_field_errors(struct request *req);

/* schema.c */
int h_schema(struct request *req);

/* health.c */
int h_health(struct request *req);
int h_health_detailed(struct request *req);
int h_health_ready(struct request *req);
int h_health_live(struct request *req);

/* auth.c */
const char *need_str(struct request *req, const char *field, size_t max);
void native_user_extra(struct request *req, yajl_gen g, const struct ent_row *r, int detail);
int  native_login(struct request *req, struct session *s);
/* A live router call's failure (PROV_ROUTER: p->err) as the reply: the
 * router's refusal 422, no answer 504, another failure 502; any other
 * core result as reply_core does. */
struct prov;
int  native_reply_prov(struct request *req, const struct prov *p, int rc);
void native_login_limit_headers(struct request *req);
int h_auth_login(struct request *req);
int h_auth_refresh(struct request *req);
int h_auth_logout(struct request *req);
int h_auth_verify(struct request *req);
int h_auth_register(struct request *req);
int h_auth_me(struct request *req);
int h_auth_profile_update(struct request *req);
int h_auth_change_password(struct request *req);
int h_auth_my_permissions(struct request *req);
extern const struct resource res_users_self;

/* identity.c */
extern const struct resource res_users, res_roles, res_groups, res_permissions,
    res_permission_categories, res_custom_permissions, res_user_roles, res_api_clients,
    res_tenants, res_divisions, res_districts, res_thanas, res_audit;
int h_roles_assign(struct request *req);
int h_roles_bulk_assign(struct request *req);
int h_clients_upsert(struct request *req);
int h_clients_find(struct request *req);
int h_clients_delete_many(struct request *req);
int h_tenant_stats(struct request *req);
int h_district_thanas(struct request *req);
int h_locations_summary(struct request *req);
int h_identity_stats(struct request *req);
/* 001's identity statistics object (ktl's summary writes it bare) */
struct identity_stats;
void native_write_identity_stats(yajl_gen g, const struct identity_stats *st);

/* mpesa.c */
int h_mpesa_settings_get(struct request *req);
int h_mpesa_settings_put(struct request *req);
int h_mpesa_rotate_secret(struct request *req);
int h_sms_settings_get(struct request *req);
int h_sms_settings_put(struct request *req);
int h_mpesa_stk_push(struct request *req);
int h_mpesa_callback(struct request *req);
int h_mpesa_c2b_validation(struct request *req);
int h_mpesa_c2b_confirmation(struct request *req);
int h_mpesa_c2b_register(struct request *req);
int h_sms_send(struct request *req);

/* mpesa_report.c */
int h_mpesa_transactions(struct request *req);
int h_mpesa_transactions_summary(struct request *req);
int h_dashboard_overview(struct request *req);

/* mpesa_report.c: 000's M-Pesa transaction, written by every dialect that
 * shows one, with its own formats */
struct mpesa_report_tx;
struct mpesa_tx_format {
	void (*money)(yajl_gen g, const char *key, const char *decimal);
	void (*price)(yajl_gen g, const char *key, const char *decimal);
	void (*time)(yajl_gen g, const char *key, const char *dbtime);
};
void mpesa_write_number(yajl_gen g, const char *key, const char *digits);  /* null when NULL */
void mpesa_write_tx(yajl_gen g, const struct mpesa_report_tx *t, const struct mpesa_tx_format *f);
/* 000's dashboard overview, prices and times as f writes them: expiry_key
 * names a subscription's end ("end_date", 000: "expiry"); mobile_money: an
 * M-Pesa payment's method is written "mobile_money" (000 knows no mpesa) */
struct mpesa_dashboard;
struct mpesa_dash_format {
	const struct mpesa_tx_format *tx;
	const char *expiry_key;
	int mobile_money;
};
/* 000's transactions summary for the filter f */
struct mpesa_report_summary;
struct mpesa_report_filter;
void mpesa_write_summary(yajl_gen g, const struct mpesa_report_summary *s,
    const struct mpesa_report_filter *f);
void mpesa_write_dashboard(yajl_gen g, const struct mpesa_dashboard *d,
    const struct mpesa_dash_format *f, const char *generated_at);

/* billing.c */
extern const struct resource res_customers, res_plans, res_routers, res_subscriptions,
    res_router_jobs, res_invoices, res_payments, res_tickets, res_ticket_replies, res_leads;
int h_sub_activate(struct request *req);
int h_sub_suspend(struct request *req);
int h_sub_cancel(struct request *req);
int h_sub_reset_data(struct request *req);
int h_sub_status(struct request *req);
int h_invoice_mark_paid(struct request *req);
int h_invoice_mark_overdue(struct request *req);
int h_payment_completed(struct request *req);
int h_payment_failed(struct request *req);
int h_payment_refunded(struct request *req);
int h_ticket_reply(struct request *req);
int h_ticket_replies(struct request *req);

/* network.c */
int h_router_test(struct request *req);
int h_router_resource(struct request *req);
int h_router_hotspot_users(struct request *req);
int h_router_ppp_secrets(struct request *req);
int h_router_ppp_secret_write(struct request *req);
int h_router_ppp_profiles(struct request *req);
int h_router_ppp_profile_write(struct request *req);
int h_router_ppp_active(struct request *req);
int h_router_interfaces(struct request *req);
int h_router_traffic(struct request *req);
int h_router_ping(struct request *req);
int h_router_drift(struct request *req);
int h_router_drift_repair(struct request *req);
int h_router_sync_plans(struct request *req);
int h_pppoe_up(struct request *req);
int h_pppoe_down(struct request *req);
/* POST: a one-time ticket for ispbill-monitor's WebSocket handshake
 * (native and mikrobill) */
int h_stream_ticket(struct request *req);

/* stats.c */
int h_stats_dashboard(struct request *req);
int h_stats_customers(struct request *req);
int h_stats_subscriptions(struct request *req);
int h_stats_plans(struct request *req);
int h_stats_routers(struct request *req);
int h_stats_invoices(struct request *req);
int h_stats_payments(struct request *req);
int h_stats_all(struct request *req);
int h_trends_monthly(struct request *req);
int h_trends_daily(struct request *req);
int h_analytics_payment_methods(struct request *req);
int h_analytics_top_customers(struct request *req);
int h_crm_dashboard(struct request *req);
int h_reports_revenue(struct request *req);
int h_plans_performance(struct request *req);

#endif
