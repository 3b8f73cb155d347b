/* bitwave_support.c - 000's list narrowings, as conditions on the generic
 * entity queries, and the narrow rows its bare lists show: each list is
 * one query (a customer's plan and router joined in), kept by the
 * worker while the tenant's "stats" version stands (sql/007 bumps it on
 * every write to customers, customer_stats, plans and routers). */
#include "config.h"
#include "core/bitwave_support.h"

void
bitwave_plans_of(struct ent_query *q, long long owner_id)
{
	ent_query_cond(q, "(t.owner_id IS NULL OR t.owner_id = ?)", 1, db_int(owner_id), db_null());
}

void
bitwave_customers_active(struct ent_query *q)
{
	ent_query_cond(q, "COALESCE(cs.active_subs_count, 0) > 0 AND "
	    "(cs.cur_expiry IS NULL OR cs.cur_expiry > UTC_TIMESTAMP(6))", 0, db_null(), db_null());
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const struct field customer_fields[] = {
	{ "id", "id", FT_ID, FF_READONLY | FF_SORT },
	{ "name", "name", FT_STR, FF_READONLY },
	{ "phone", "phone", FT_STR, FF_READONLY },
	{ "mac_address", "mac_address", FT_STR, FF_READONLY },
	{ "status", "status", FT_STR, FF_READONLY },
	{ "owner_id", "owner_id", FT_ID, FF_READONLY | FF_FILTER },
	{ "subscriptions_count", "COALESCE(cs.subs_count, 0)", FT_INT, FF_READONLY },
	{ "active_subscriptions_count", "COALESCE(cs.active_subs_count, 0)", FT_INT, FF_READONLY },
	{ "expiry", "cs.cur_expiry", FT_DATETIME, FF_READONLY },
	{ "plan_id", "p.id", FT_ID, FF_READONLY },
	{ "plan_name", "p.name", FT_STR, FF_READONLY },
	{ "plan_price", "p.price", FT_DECIMAL, FF_READONLY },
	{ "router_id", "r.id", FT_ID, FF_READONLY },
	{ "router_name", "r.name", FT_STR, FF_READONLY },
};
const struct entity ent_bw_customer = {
	"Customer", "customers", customer_fields, N(customer_fields),
	EF_TENANT | EF_SOFT_DELETE | EF_READONLY, "t.id ASC", NULL, 0, "customers",
	" LEFT JOIN customer_stats cs ON cs.customer_id = t.id"
	" LEFT JOIN plans p ON p.id = cs.cur_plan_id AND p.tenant_id = t.tenant_id"
	" AND p.deleted_at IS NULL"
	" LEFT JOIN routers r ON r.id = cs.cur_router_id AND r.tenant_id = t.tenant_id"
	" AND r.deleted_at IS NULL", "stats",
};

static const struct field plan_fields[] = {
	{ "id", "id", FT_ID, FF_READONLY | FF_SORT },
	{ "name", "name", FT_STR, FF_READONLY },
	{ "price", "price", FT_DECIMAL, FF_READONLY },
	{ "duration_value", "duration_value", FT_INT, FF_READONLY },
	{ "duration_unit", "duration_unit", FT_STR, FF_READONLY },
	{ "download_speed", "download_speed", FT_INT, FF_READONLY },
	{ "upload_speed", "upload_speed", FT_INT, FF_READONLY },
	{ "speed_unit", "speed_unit", FT_STR, FF_READONLY },
	{ "speed", "CONCAT(t.download_speed, CASE t.speed_unit WHEN 'kbps' THEN 'k' "
	  "WHEN 'gbps' THEN 'G' ELSE 'M' END, '/', t.upload_speed, CASE t.speed_unit "
	  "WHEN 'kbps' THEN 'k' WHEN 'gbps' THEN 'G' ELSE 'M' END)", FT_STR, FF_READONLY },
	{ "connection_type", "connection_type", FT_STR, FF_READONLY },
	{ "router_profile", "router_profile", FT_STR, FF_READONLY },
	{ "is_active", "is_active", FT_BOOL, FF_READONLY },
	{ "owner_id", "owner_id", FT_ID, FF_READONLY },
};
const struct entity ent_bw_plan = {
	"Plan", "plans", plan_fields, N(plan_fields),
	EF_TENANT | EF_SOFT_DELETE | EF_READONLY, "t.id ASC", NULL, 0, NULL, NULL, "stats",
};

static const struct field router_fields[] = {
	{ "id", "id", FT_ID, FF_READONLY | FF_SORT },
	{ "name", "name", FT_STR, FF_READONLY },
	{ "ip_address", "host", FT_STR, FF_READONLY },
	{ "port", "api_port", FT_INT, FF_READONLY },
	{ "status", "status", FT_STR, FF_READONLY },
	{ "owner_id", "owner_id", FT_ID, FF_READONLY | FF_FILTER },
};
const struct entity ent_bw_router = {
	"Router", "routers", router_fields, N(router_fields),
	EF_TENANT | EF_SOFT_DELETE | EF_READONLY, "t.id ASC", NULL, 0, NULL, NULL, "stats",
};
