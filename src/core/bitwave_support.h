/* bitwave_support.h - the list narrowings 000 needs that the entity
 * descriptions do not offer as filters: a reseller's plan catalogue and
 * the customers who are online now.  Knows nothing of HTTP. */
#ifndef ISP_BITWAVE_SUPPORT_H
#define ISP_BITWAVE_SUPPORT_H

#include "core/entity.h"

/* Plans (ent_plan) a reseller offers: the shared catalogue (no owner) and
 * its own. */
void bitwave_plans_of(struct ent_query *q, long long owner_id);
/* Customers (ent_customer) with an active subscription that has not ended
 * (or has no end). */
void bitwave_customers_active(struct ent_query *q);

/* The rows 000's bare lists show, each list one query (kept by the
 * worker while the tenant's "stats" version stands):
 * ent_bw_customer: a customer with its current subscription's figures
 * (customer_stats) and that subscription's plan (plan_id, plan_name,
 * plan_price) and router (router_id, router_name) joined in;
 * ent_bw_plan, ent_bw_router: the plan and router columns 000 shows,
 * without the computed figures of ent_plan and ent_router. */
extern const struct entity ent_bw_customer, ent_bw_plan, ent_bw_router;

#endif
