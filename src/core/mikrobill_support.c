/* mikrobill_support.c - the active MikroTik device per caller and a
 * router's callback key (document 004). */
#include "config.h"
#include "core/core.h"
#include "core/mikrobill_support.h"
#include "db/db.h"
#include "util/arena.h"

#include <stdio.h>

/* '$.mikrobill_active."u12"' (a user) or '$.mikrobill_active."c3"' (an API client) */
static const char *
caller_path(struct arena *a, const struct actor *who)
{
	return arena_printf(a, "$.mikrobill_active.\"%c%lld\"", who->client_id ? 'c' : 'u',
	    who->client_id ? who->client_id : who->user_id);
}

int
mb_active_router(struct db *db, struct arena *a, const struct actor *who, long long *id)
{
	struct db_param p[3] = { db_str(caller_path(a, who)), db_int(who->tenant_id),
	    db_int(who->tenant_id) };
	struct db_result r;

	*id = 0;
	if (db_query(db, a, "SELECT COALESCE((SELECT r.id FROM routers r JOIN tenants tn "
	    "ON tn.id = r.tenant_id WHERE r.id = JSON_VALUE(tn.sync_settings, ?) "
	    "AND r.tenant_id = ? AND r.deleted_at IS NULL), "
	    "(SELECT MIN(r.id) FROM routers r WHERE r.tenant_id = ? AND r.deleted_at IS NULL))",
	    p, 3, &r) < 0)
		return CORE_DB;
	*id = r.nrows ? db_val_int(&r, 0, 0, 0) : 0;
	return *id > 0 ? CORE_OK : CORE_NOT_FOUND;
}

int
mb_set_active_router(struct db *db, struct arena *a, const struct actor *who, long long id)
{
	struct db_param p[3] = { db_str(caller_path(a, who)), db_int(id), db_int(who->tenant_id) };
	struct db_result r;

	/* JSON_SET creates no intermediate object: make mikrobill_active first */
	if (db_query(db, a, "UPDATE tenants SET sync_settings = JSON_SET(IF(JSON_EXISTS("
	    "COALESCE(sync_settings, '{}'), '$.mikrobill_active'), COALESCE(sync_settings, '{}'), "
	    "JSON_SET(COALESCE(sync_settings, '{}'), '$.mikrobill_active', JSON_OBJECT())), ?, ?) "
	    "WHERE id = ?", p, 3, &r) < 0)
		return CORE_DB;
	return CORE_OK;
}

int
mb_router_callback_key(struct db *db, struct arena *a, long long tenant, long long id,
    const char **key)
{
	struct db_param p[2] = { db_int(id), db_int(tenant) };
	struct db_result r;

	*key = NULL;
	if (db_query(db, a, "SELECT callback_key FROM routers WHERE id = ? AND tenant_id = ? "
	    "AND deleted_at IS NULL", p, 2, &r) < 0)
		return CORE_DB;
	if (r.nrows == 0 || db_val(&r, 0, 0) == NULL)
		return CORE_NOT_FOUND;
	*key = db_val(&r, 0, 0);
	return CORE_OK;
}
