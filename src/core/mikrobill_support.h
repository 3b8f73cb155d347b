/* mikrobill_support.h - what document 004 needs beyond the shared core: the
 * MikroTik device a caller has made active (kept per caller in the tenant's
 * sync_settings) and a router's callback key, for PPPoE callbacks that a
 * tenant's API client sends on a router's behalf. */
#ifndef ISP_MIKROBILL_SUPPORT_H
#define ISP_MIKROBILL_SUPPORT_H

#include "core/actor.h"

struct db;
struct arena;

/* The caller's active router: the one it activated while that router
 * still exists, else the tenant's first router.  CORE_OK, CORE_NOT_FOUND
 * (the tenant has no router) or CORE_DB. */
int mb_active_router(struct db *db, struct arena *a, const struct actor *who, long long *id);
/* Make router id (of who's tenant) the caller's active one. */
int mb_set_active_router(struct db *db, struct arena *a, const struct actor *who, long long id);
/* The callback key of router id of tenant.  CORE_OK, CORE_NOT_FOUND, CORE_DB. */
int mb_router_callback_key(struct db *db, struct arena *a, long long tenant, long long id,
    const char **key);

#endif
