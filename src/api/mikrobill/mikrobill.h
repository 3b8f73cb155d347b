/* mikrobill.h - the mikrobill dialect's (004) handlers, grouped by file. */
#ifndef ISP_MIKROBILL_H
#define ISP_MIKROBILL_H

#include "api/resource.h"
#include "http/request.h"

/* mikrobill.c: PUT is a partial update in 004 (a panel sends what changed) */
int mb_put(struct request *req);
/* A list as {key: [rows], counts...}: rows of res matching q, in the envelope
 * with metadata; extra (may be NULL) adds members after the array. */
int mb_reply_wrapped(struct request *req, const struct resource *res, struct ent_query *q,
    struct page *pg, const char *key, void (*extra)(struct request *req, yajl_gen g));
/* limit/offset from the body (when it has them) or the query string */
int mb_page(struct request *req, struct ent_query *q, struct page *pg);

/* auth.c */
int mb_login(struct request *req);
int mb_register(struct request *req);
int mb_refresh(struct request *req);
int mb_profile(struct request *req);
int mb_profile_update(struct request *req);

/* devices.c */
int mb_mikrotik_list(struct request *req);
int mb_mikrotik_active(struct request *req);
int mb_mikrotik_status(struct request *req);
int mb_mikrotik_activate(struct request *req);
int mb_secret_list(struct request *req);
int mb_secret_get(struct request *req);
int mb_secret_write(struct request *req);
int mb_profile_list(struct request *req);
int mb_profile_get(struct request *req);
int mb_profile_write(struct request *req);
int mb_pppoe_up(struct request *req);
int mb_pppoe_down(struct request *req);
int mb_client_ping(struct request *req);

/* customers.c */
extern const struct resource mb_plans;
int mb_customer_list(struct request *req);
int mb_customer_create(struct request *req);
int mb_customer_get(struct request *req);
int mb_customer_delete(struct request *req);
int mb_customer_ping(struct request *req);

#endif
