/* audit.c - the audit log: who changed what, when, from where. */
#include "config.h"
#include "core/audit.h"
#include "db/db.h"
#include "util/arena.h"
#include "util/log.h"

#include <stdio.h>

static const struct field audit_fields[] = {
	{ "id", "id", FT_ID, FF_READONLY | FF_SORT },
	{ "actor_id", "actor_id", FT_ID, FF_READONLY | FF_FILTER },
	{ "actor_name", "actor_name", FT_STR, FF_READONLY | FF_SEARCH },
	{ "action", "action", FT_STR, FF_READONLY | FF_FILTER | FF_SORT },
	{ "object_type", "object_type", FT_STR, FF_READONLY | FF_FILTER | FF_SORT },
	{ "object_id", "object_id", FT_STR, FF_READONLY | FF_FILTER },
	{ "ip", "ip", FT_STR, FF_READONLY | FF_FILTER },
	{ "request_id", "request_id", FT_STR, FF_READONLY },
	{ "details", "details", FT_TEXT, FF_READONLY | FF_SEARCH },
	{ "created_at", "created_at", FT_DATETIME, FF_READONLY | FF_SORT },
};

const struct entity ent_audit = {
	"Audit entry", "audit_log", audit_fields, sizeof(audit_fields) / sizeof(audit_fields[0]),
	EF_TENANT_SHARED | EF_READONLY, "t.id DESC", NULL, 0,
};

static void
write_row(struct db *db, struct arena *a, long long tenant, long long actor_id,
    const char *actor_name, const char *action, const char *object_type, const char *object_id,
    const char *ip, const char *rid, const char *details)
{
	struct db_param p[9] = {
		tenant ? db_int(tenant) : db_null(), actor_id ? db_int(actor_id) : db_null(),
		db_str(actor_name), db_str(action), db_str(object_type ? object_type : ""),
		db_str(object_id), db_str(ip), db_str(rid), db_str(details),
	};

	if (db_query(db, a, "INSERT INTO audit_log (tenant_id, actor_id, actor_name, action, "
	    "object_type, object_id, ip, request_id, details) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
	    p, 9, NULL) < 0)
		log_error("audit: could not record %s %s: %s", action, object_type ? object_type : "",
		    db->errmsg);
}

void
audit(struct db *db, struct arena *a, const struct actor *who, const char *action,
    const char *object_type, long long object_id, const char *details)
{
	write_row(db, a, who->tenant_id, who->user_id, who->name, action, object_type,
	    object_id ? arena_printf(a, "%lld", object_id) : NULL, who->ip, who->request_id,
	    details);
}

void
audit_login(struct db *db, struct arena *a, long long tenant, long long user_id,
    const char *login, int ok, const char *ip, const char *request_id, const char *why)
{
	/* a failed login names its target, not an actor: nobody proved who they were */
	write_row(db, a, tenant, ok ? user_id : 0, login, ok ? "login" : "login_failed", "user",
	    user_id ? arena_printf(a, "%lld", user_id) : NULL, ip, request_id, why);
}

void
audit_scope(const struct actor *who, struct ent_query *q)
{
	if (!who->is_superuser)
		ent_query_cond(q, "t.tenant_id IS NOT NULL", 0, db_null(), db_null());
}
