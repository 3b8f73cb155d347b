/* billing.h - the billing concepts: routers (as records), plans,
 * customers, subscriptions and their router jobs, invoices, payments,
 * tickets and leads.  Each entity is described once; the functions here
 * are the rules the generic code cannot know.  All results are core_rc. */
#ifndef ISP_BILLING_H
#define ISP_BILLING_H

#include <yajl/yajl_tree.h>

#include "core/actor.h"
#include "core/entity.h"

extern const struct entity ent_router, ent_plan, ent_customer, ent_subscription,
    ent_invoice, ent_payment, ent_ticket, ent_ticket_reply, ent_lead, ent_router_job;

/* Resellers see and own only their customers (and what hangs from them). */
void billing_owner_scope(const struct actor *who, struct ent_query *q, const char *owner_sql);

/* routers.c: the password is sealed (secret_key), never shown. */
int routers_create(struct db *db, struct arena *a, const struct actor *who, struct ent_set *s,
    yajl_val body, long long *id, struct ferrs *fe);
int routers_update(struct db *db, struct arena *a, const struct actor *who, long long id,
    struct ent_set *s, yajl_val body, struct ferrs *fe);
int routers_delete(struct db *db, struct arena *a, const struct actor *who, long long id,
    struct ferrs *fe);

/* plans.c: "5M/2M" speeds, a duration or a billing cycle; no delete while
 * active subscriptions use the plan. */
int plans_prepare(struct arena *a, struct ent_set *s, yajl_val body, int creating,
    struct ferrs *fe);
int plans_delete(struct db *db, struct arena *a, const struct actor *who, long long id,
    struct ferrs *fe);
int parse_speed(const char *s, long long *down, long long *up, const char **unit);

/* customers.c: phone and MAC normalised, account number generated. */
int customers_prepare(struct arena *a, struct ent_set *s, struct ferrs *fe);
int customers_create(struct db *db, struct arena *a, const struct actor *who, struct ent_set *s,
    long long *id, struct ferrs *fe);
/* a search that looks like a phone number searches its normal form */
const char *customers_search_text(struct arena *a, const char *search);

/* subscriptions.c: state changes write the router change they imply. */
int subs_create(struct db *db, struct arena *a, const struct actor *who, struct ent_set *s,
    yajl_val body, long long *id, struct ferrs *fe);
int subs_update(struct db *db, struct arena *a, const struct actor *who, long long id,
    struct ent_set *s, yajl_val body, struct ferrs *fe);
int subs_delete(struct db *db, struct arena *a, const struct actor *who, long long id,
    struct ferrs *fe);
/* action: "activate", "suspend", "cancel", "reset-data"; and "renew" (a
 * period paid for: as activate, but a suspended one is also extended) */
int subs_action(struct db *db, struct arena *a, const struct actor *who, long long id,
    const char *action, struct ferrs *fe);
/* the same inside the caller's transaction: 0, -1 (database) or a CORE_*
 * code; *job the router job it queued (NULL: none) */
int subs_action_in_tx(struct db *db, struct arena *a, const struct actor *who, long long id,
    const char *action, struct ferrs *fe, const char **job);
/* queue a router job for the subscription as it is now (in the caller's transaction) */
int subs_enqueue_job(struct db *db, struct arena *a, long long tenant, long long sub_id,
    const char *action);
int jobs_enqueue(struct db *db, struct arena *a, long long tenant, long long router_id,
    long long sub_id, const char *action, const char *payload);

/* invoices.c: INV-YYYYMM-NNNN, totals computed, state changes. */
int invoices_create(struct db *db, struct arena *a, const struct actor *who, struct ent_set *s,
    long long *id, struct ferrs *fe);
int invoices_update(struct db *db, struct arena *a, const struct actor *who, long long id,
    struct ent_set *s, struct ferrs *fe);
int invoices_delete(struct db *db, struct arena *a, const struct actor *who, long long id,
    struct ferrs *fe);
/* mark-paid records a completed payment for the balance (method, default cash) */
int invoices_mark_paid(struct db *db, struct arena *a, const struct actor *who, long long id,
    const char *method, long long *payment_id, struct ferrs *fe);
int invoices_mark_overdue(struct db *db, struct arena *a, const struct actor *who, long long id,
    struct ferrs *fe);

/* payments.c: PAY-YYYYMM-NNNN; a completed payment pays its invoice in the
 * same transaction and a refund takes it back. */
int payments_create(struct db *db, struct arena *a, const struct actor *who, struct ent_set *s,
    long long *id, struct ferrs *fe);
/* the same inside the caller's transaction, fields already checked: 0, -1
 * (database) or a CORE_* code */
int payments_create_in_tx(struct db *db, struct arena *a, const struct actor *who,
    struct ent_set *s, long long *id, struct ferrs *fe);
int payments_update(struct db *db, struct arena *a, const struct actor *who, long long id,
    struct ent_set *s, struct ferrs *fe);
int payments_delete(struct db *db, struct arena *a, const struct actor *who, long long id,
    struct ferrs *fe);
/* to: "completed", "failed", "refunded" */
int payments_mark(struct db *db, struct arena *a, const struct actor *who, long long id,
    const char *to, struct ferrs *fe);
/* inside a transaction: apply (sign +1) or take back (-1) a payment's
 * amount on its invoice */
int payments_apply(struct db *db, struct arena *a, long long invoice_id, const char *amount,
    int sign, struct ferrs *fe);

/* tickets.c and leads.c */
int tickets_create(struct db *db, struct arena *a, const struct actor *who, struct ent_set *s,
    long long *id, struct ferrs *fe);
int tickets_update(struct db *db, struct arena *a, const struct actor *who, long long id,
    struct ent_set *s, struct ferrs *fe);
int tickets_reply(struct db *db, struct arena *a, const struct actor *who, long long ticket_id,
    struct ent_set *s, long long *id, struct ferrs *fe);
int leads_prepare(struct arena *a, struct ent_set *s, struct ferrs *fe);

#endif
