/* bitwave.h - the bitwave dialect (000): its handlers and the writers its
 * bare JSON bodies share (times as FastAPI prints them, prices, scopes). */
#ifndef ISP_BITWAVE_H
#define ISP_BITWAVE_H

#include <stdint.h>

#include "core/stats.h"
#include "http/request.h"

/* bitwave.c: shared pieces */
/* A DATETIME text as pydantic prints a naive datetime:
 * "2026-01-06T17:52:35.259434", the fraction left out when it is zero;
 * NULL writes null. */
void bw_time(yajl_gen g, const char *key, const char *dbtime);
/* A price as 000 prints it: 50 (an integer) when whole, else 10.5. */
void bw_price(yajl_gen g, const char *key, const char *decimal);
/* The caller's scope: the tenant from the credential; a reseller its own
 * rows; anyone else the reseller ?user_id=N of the tenant (another
 * tenant's user: nothing; an admin: the whole tenant).  0, or -1 with the 422 sent. */
int  bw_scope(struct request *req, struct stats_scope *sc);
/* user_id names a user of the caller's tenant: *owner is it when it is a
 * reseller, else 0 (an admin's rows are the whole tenant).  CORE_OK,
 * CORE_NOT_FOUND or CORE_DB. */
int  bw_reseller(struct request *req, long long uid, long long *owner);
/* skip/limit (FastAPI's usual names) for the bare lists; -1 on a bad one. */
int  bw_window(struct request *req, long long def, long long max, long long *skip,
    long long *limit);

/* billing.c */
int bw_login(struct request *req);
int bw_customers(struct request *req);
int bw_customers_active(struct request *req);
int bw_plans(struct request *req);
int bw_plan_create(struct request *req);
int bw_plan_delete(struct request *req);
int bw_plans_performance(struct request *req);
int bw_routers(struct request *req);

/* reports.c */
int bw_transactions(struct request *req);
int bw_transactions_summary(struct request *req);
int bw_dashboard_overview(struct request *req);

/* panel.c: the panel's home screen beyond 000 */
int bw_dashboard_analytics(struct request *req);
int bw_mikrotik_health(struct request *req);
int bw_bandwidth_history(struct request *req);
int bw_top_users(struct request *req);

#endif
