/* ktl_support.c - role assignments by uuid and two list conditions for
 * the ktl dialect (003). */
#include "config.h"
#include "core/ktl_support.h"
#include "db/db.h"

static const struct field ktl_user_role_fields[] = {
	{ "id", "id", FT_ID, FF_READONLY | FF_SORT },
	{ "uuid", "uuid", FT_UUID, FF_READONLY },
	{ "user_id", "user_id", FT_ID, FF_READONLY | FF_FILTER },
	{ "user", "(SELECT u.uuid FROM users u WHERE u.id = t.user_id)", FT_STR, FF_READONLY },
	{ "user_login_id", "(SELECT COALESCE(u.login_id, u.username) FROM users u "
	  "WHERE u.id = t.user_id)", FT_STR, FF_READONLY | FF_SEARCH },
	{ "user_name", "(SELECT TRIM(CONCAT(u.first_name, ' ', u.last_name)) FROM users u "
	  "WHERE u.id = t.user_id)", FT_STR, FF_READONLY },
	{ "role_id", "role_id", FT_ID, FF_READONLY | FF_FILTER },
	{ "role", "(SELECT r.uuid FROM roles r WHERE r.id = t.role_id)", FT_STR, FF_READONLY },
	{ "role_name", "(SELECT COALESCE(NULLIF(r.display_name, ''), r.name) FROM roles r "
	  "WHERE r.id = t.role_id)", FT_STR, FF_READONLY | FF_SEARCH },
	{ "assigned_by_name", "(SELECT COALESCE(u.login_id, u.username) FROM users u "
	  "WHERE u.id = t.assigned_by)", FT_STR, FF_READONLY },
	{ "reason", "reason", FT_TEXT, FF_READONLY },
	{ "expires_at", "expires_at", FT_DATETIME, FF_READONLY | FF_SORT },
	{ "is_active", "is_active", FT_BOOL, FF_READONLY | FF_FILTER },
	{ "assigned_at", "created_at", FT_DATETIME, FF_READONLY | FF_SORT },
};

const struct entity ent_ktl_user_role = {
	"Role assignment", "user_roles", ktl_user_role_fields,
	sizeof(ktl_user_role_fields) / sizeof(ktl_user_role_fields[0]),
	EF_TENANT | EF_UUID | EF_READONLY, "t.id DESC", NULL, 0,
};

void
ktl_cond_users_with_role(struct ent_query *q, long long role_id)
{
	ent_query_cond(q, "(t.id IN (SELECT ur.user_id FROM user_roles ur WHERE ur.role_id = ? "
	    "AND ur.is_active = 1 AND (ur.expires_at IS NULL OR ur.expires_at > UTC_TIMESTAMP(6))) "
	    "OR t.user_type = (SELECT r.name FROM roles r WHERE r.id = ? AND r.tenant_id IS NULL))",
	    2, db_int(role_id), db_int(role_id));
}

void
ktl_cond_perms_of(struct ent_query *q, int group, long long owner_id)
{
	ent_query_cond(q, group ?
	    "t.id IN (SELECT gp.permission_id FROM group_permissions gp WHERE gp.group_id = ?)" :
	    "t.id IN (SELECT rp.permission_id FROM role_permissions rp WHERE rp.role_id = ?)",
	    1, db_int(owner_id), db_null());
}

void
ktl_cond_assignments_of_tree(struct ent_query *q, long long user_id)
{
	ent_query_cond(q, "t.user_id IN (SELECT x.id FROM users x WHERE x.id = ? OR "
	    "x.parent_id = ?)", 2, db_int(user_id), db_int(user_id));
}
