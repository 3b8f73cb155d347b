/* bitwave_support.c - 000's list narrowings, as conditions on the generic
 * entity queries (the columns are those of ent_plan and ent_customer). */
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

static const struct field plan_brief_fields[] = {
	{ "id", "id", FT_ID, FF_READONLY },
	{ "name", "name", FT_STR, FF_READONLY },
	{ "price", "price", FT_DECIMAL, FF_READONLY },
};
const struct entity ent_plan_brief = {
	"Plan", "plans", plan_brief_fields, sizeof(plan_brief_fields) / sizeof(plan_brief_fields[0]),
	EF_TENANT | EF_SOFT_DELETE | EF_READONLY, NULL, NULL, 0,
};

static const struct field router_brief_fields[] = {
	{ "id", "id", FT_ID, FF_READONLY },
	{ "name", "name", FT_STR, FF_READONLY },
};
const struct entity ent_router_brief = {
	"Router", "routers", router_brief_fields,
	sizeof(router_brief_fields) / sizeof(router_brief_fields[0]),
	EF_TENANT | EF_SOFT_DELETE | EF_READONLY, NULL, NULL, 0,
};
