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

/* A plan (id, name, price) and a router (id, name) as a customer row
 * shows them: the same rows as ent_plan and ent_router without their
 * computed figures, which a list of customers does not show. */
extern const struct entity ent_plan_brief, ent_router_brief;

#endif
