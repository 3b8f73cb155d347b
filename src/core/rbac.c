/* rbac.c - permissions, roles, groups and who holds what. */
#include "config.h"
#include "core/rbac.h"
#include "core/apiclients.h"
#include "core/audit.h"
#include "db/db.h"
#include "db/qcache.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/timeutil.h"
#include "util/uuid.h"

#include <mysqld_error.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- descriptions ---- */

static const struct field permission_fields[] = {
	{ "id", "id", FT_ID, FF_READONLY | FF_SORT },
	{ "uuid", "uuid", FT_UUID, FF_READONLY },
	{ "codename", "codename", FT_STR, FF_REQUIRED | FF_SEARCH | FF_SORT | FF_NOUPDATE, 100 },
	{ "name", "name", FT_STR, FF_REQUIRED | FF_SEARCH | FF_SORT, 200 },
	{ "description", "description", FT_TEXT, 0, 500 },
	{ "category_id", "category_id", FT_ID, FF_NULLABLE | FF_FILTER },
	{ "category", "(SELECT c.code FROM permission_categories c WHERE c.id = t.category_id)",
	  FT_STR, FF_READONLY },
	{ "is_custom", "is_custom", FT_BOOL, FF_READONLY | FF_FILTER },
	{ "created_at", "created_at", FT_DATETIME, FF_READONLY | FF_SORT },
};
static const struct unique_key permission_uniques[] = { { "uq_perm_code", "codename" } };

const struct entity ent_permission = {
	"Permission", "permissions", permission_fields,
	sizeof(permission_fields) / sizeof(permission_fields[0]),
	EF_TENANT_SHARED | EF_UUID, "t.codename ASC", permission_uniques, 1,
};

static const struct field category_fields[] = {
	{ "id", "id", FT_ID, FF_READONLY | FF_SORT },
	{ "uuid", "uuid", FT_UUID, FF_READONLY },
	{ "name", "name", FT_STR, FF_REQUIRED | FF_SEARCH | FF_SORT, 100 },
	{ "code", "code", FT_STR, FF_REQUIRED | FF_SEARCH | FF_SORT | FF_NOUPDATE, 50 },
	{ "description", "description", FT_TEXT, 0, 500 },
	{ "is_custom", "tenant_id IS NOT NULL", FT_BOOL, FF_READONLY },
	{ "permissions_count", "(SELECT COUNT(*) FROM permissions p WHERE p.category_id = t.id)",
	  FT_INT, FF_READONLY },
	{ "created_at", "created_at", FT_DATETIME, FF_READONLY | FF_SORT },
};
static const struct unique_key category_uniques[] = { { "uq_permcat_code", "code" } };

const struct entity ent_permission_category = {
	"Permission category", "permission_categories", category_fields,
	sizeof(category_fields) / sizeof(category_fields[0]),
	EF_TENANT_SHARED | EF_UUID, "t.name ASC", category_uniques, 1,
};

static const struct field role_fields[] = {
	{ "id", "id", FT_ID, FF_READONLY | FF_SORT },
	{ "uuid", "uuid", FT_UUID, FF_READONLY },
	{ "name", "name", FT_STR, FF_REQUIRED | FF_SEARCH | FF_SORT, 100 },
	{ "display_name", "display_name", FT_STR, FF_SEARCH | FF_SORT, 150 },
	{ "description", "description", FT_TEXT, 0, 500 },
	{ "role_level", "role_level", FT_INT, FF_FILTER | FF_SORT, 0, 1, 99 },
	{ "can_assign_roles", "can_assign_roles", FT_BOOL, FF_FILTER },
	{ "max_assignments", "max_assignments", FT_INT, FF_NULLABLE, 0, 1, 1000000 },
	{ "is_active", "is_active", FT_BOOL, FF_FILTER },
	{ "is_system", "is_system", FT_BOOL, FF_READONLY | FF_FILTER },
	{ "assignments_count", "(SELECT COUNT(*) FROM user_roles ur WHERE ur.role_id = t.id "
	  "AND ur.is_active = 1)", FT_INT, FF_READONLY },
	{ "created_at", "created_at", FT_DATETIME, FF_READONLY | FF_SORT },
	{ "updated_at", "updated_at", FT_DATETIME, FF_READONLY },
};
static const struct unique_key role_uniques[] = { { "uq_roles_name", "name" } };

const struct entity ent_role = {
	"Role", "roles", role_fields, sizeof(role_fields) / sizeof(role_fields[0]),
	EF_TENANT_SHARED | EF_UUID, "t.role_level ASC, t.name ASC", role_uniques, 1,
};

static const struct field group_fields[] = {
	{ "id", "id", FT_ID, FF_READONLY | FF_SORT },
	{ "uuid", "uuid", FT_UUID, FF_READONLY },
	{ "name", "name", FT_STR, FF_REQUIRED | FF_SEARCH | FF_SORT, 150 },
	{ "members_count", "(SELECT COUNT(*) FROM user_groups ug WHERE ug.group_id = t.id)",
	  FT_INT, FF_READONLY },
	{ "created_at", "created_at", FT_DATETIME, FF_READONLY | FF_SORT },
	{ "updated_at", "updated_at", FT_DATETIME, FF_READONLY },
};
static const struct unique_key group_uniques[] = { { "uq_groups_name", "name" } };

const struct entity ent_group = {
	"Group", "auth_groups", group_fields, sizeof(group_fields) / sizeof(group_fields[0]),
	EF_TENANT | EF_UUID, "t.name ASC", group_uniques, 1,
};

static const struct field user_role_fields[] = {
	{ "id", "id", FT_ID, FF_READONLY | FF_SORT },
	{ "uuid", "uuid", FT_UUID, FF_READONLY },
	{ "user_id", "user_id", FT_ID, FF_READONLY | FF_FILTER },
	{ "username", "(SELECT u.username FROM users u WHERE u.id = t.user_id)", FT_STR,
	  FF_READONLY | FF_SEARCH },
	{ "role_id", "role_id", FT_ID, FF_READONLY | FF_FILTER },
	{ "role_name", "(SELECT r.name FROM roles r WHERE r.id = t.role_id)", FT_STR,
	  FF_READONLY | FF_SEARCH },
	{ "assigned_by", "assigned_by", FT_ID, FF_READONLY },
	{ "assigned_by_name", "(SELECT u.username FROM users u WHERE u.id = t.assigned_by)",
	  FT_STR, FF_READONLY },
	{ "reason", "reason", FT_TEXT, FF_READONLY },
	{ "expires_at", "expires_at", FT_DATETIME, FF_READONLY | FF_SORT },
	{ "is_active", "is_active", FT_BOOL, FF_READONLY | FF_FILTER },
	{ "assigned_at", "created_at", FT_DATETIME, FF_READONLY | FF_SORT },
};

const struct entity ent_user_role = {
	"Role assignment", "user_roles", user_role_fields,
	sizeof(user_role_fields) / sizeof(user_role_fields[0]),
	EF_TENANT | EF_UUID | EF_READONLY, "t.id DESC", NULL, 0,
};

/* ---- holding permissions ---- */

/* a permission p.* is held by user ? (user_type ?) in tenant ? */
#define HOLDS \
	"(p.tenant_id IS NULL OR p.tenant_id = ?) AND (" \
	" EXISTS (SELECT 1 FROM role_permissions rp JOIN roles r ON r.id = rp.role_id " \
	"  WHERE rp.permission_id = p.id AND r.is_active = 1 AND (" \
	"   (r.tenant_id IS NULL AND r.name = ?) OR r.id IN (SELECT ur.role_id FROM user_roles ur " \
	"    WHERE ur.user_id = ? AND ur.is_active = 1 AND (ur.expires_at IS NULL " \
	"    OR ur.expires_at > UTC_TIMESTAMP(6))))) " \
	" OR EXISTS (SELECT 1 FROM group_permissions gp JOIN user_groups ug " \
	"  ON ug.group_id = gp.group_id WHERE gp.permission_id = p.id AND ug.user_id = ?))"

int
rbac_user_has(struct db *db, struct arena *a, long long user_id, long long tenant,
    const char *user_type, const char *codename)
{
	struct db_param p[5] = { db_str(codename), db_int(tenant), db_str(user_type),
	    db_int(user_id), db_int(user_id) };
	struct db_result r;

	if (db_query(db, a, "SELECT 1 FROM permissions p WHERE p.codename = ? AND " HOLDS
	    " LIMIT 1", p, 5, &r) < 0)
		return -1;
	return r.nrows > 0;
}

int
rbac_actor_has(struct db *db, struct arena *a, const struct actor *who, const char *scopes,
    const char *codename)
{
	if (who->is_superuser)
		return 1;
	if (who->client_id)
		return clients_scope_allows(scopes, codename);
	return rbac_user_has(db, a, who->user_id, who->tenant_id, who->user_type, codename);
}

int
rbac_user_perms(struct db *db, struct arena *a, long long user_id, long long tenant,
    const char *user_type, int superuser, const char ***out, unsigned *n)
{
	struct db_result r;
	int rc;

	if (superuser) {
		struct db_param p[1] = { db_int(tenant) };

		rc = db_query(db, a, "SELECT DISTINCT p.codename FROM permissions p "
		    "WHERE p.tenant_id IS NULL OR p.tenant_id = ? ORDER BY p.codename", p, 1, &r);
	} else {
		struct db_param p[4] = { db_int(tenant), db_str(user_type), db_int(user_id),
		    db_int(user_id) };

		rc = db_query(db, a, "SELECT DISTINCT p.codename FROM permissions p WHERE " HOLDS
		    " ORDER BY p.codename", p, 4, &r);
	}
	if (rc < 0)
		return CORE_DB;
	*out = arena_calloc(a, r.nrows + 1, sizeof(char *));
	for (unsigned i = 0; i < r.nrows; i++)
		(*out)[i] = db_val(&r, i, 0);
	*n = r.nrows;
	return CORE_OK;
}

int
rbac_users_roles(struct db *db, struct arena *a, long long tenant, const long long *ids,
    unsigned n, const char *versions, struct user_role_info **out, unsigned *nout)
{
	struct db_param *p;
	struct db_result r;
	struct buf in = BUF_INIT;
	const char *sql;
	char now[32];
	unsigned k = 0, m = 0;

	*out = NULL;
	*nout = 0;
	if (n == 0)
		return CORE_OK;
	p = arena_calloc(a, 2 * n + 1, sizeof(*p));
	for (unsigned i = 0; i < n; i++)
		buf_printf(&in, "%s?", i ? ", " : "");
	for (unsigned i = 0; i < n; i++)
		p[k++] = db_int(ids[i]);
	for (unsigned i = 0; i < n; i++)
		p[k++] = db_int(ids[i]);
	p[k++] = db_int(tenant);
	/* the role of the user's type first, then what was assigned, in order */
	sql = arena_printf(a,
	    "SELECT u.id, r.id, r.uuid, r.name, r.display_name, NULL, NULL, NULL, 1, 0 "
	    "FROM users u JOIN roles r ON r.tenant_id IS NULL AND r.name = u.user_type "
	    "WHERE u.id IN (%s) "
	    "UNION ALL "
	    "SELECT ur.user_id, r.id, r.uuid, r.name, r.display_name, ab.username, ur.created_at, "
	    "ur.expires_at, 0, ur.id FROM user_roles ur JOIN roles r ON r.id = ur.role_id "
	    "JOIN users x ON x.id = ur.user_id LEFT JOIN users ab ON ab.id = ur.assigned_by "
	    "WHERE ur.user_id IN (%s) AND ur.tenant_id = ? AND ur.is_active = 1 "
	    "AND ur.role_id <> COALESCE((SELECT d.id FROM roles d WHERE d.tenant_id IS NULL "
	    "AND d.name = x.user_type), 0) ORDER BY 1, 9 DESC, 10", buf_cstr(&in), buf_cstr(&in));
	buf_free(&in);
	if (db_query_kept(db, a, qcache_tag(a, "users", versions), sql, p, k, &r) < 0)
		return CORE_DB;
	/* expired assignments are left out here, not in the query, whose
	 * answer may be kept past their expiry */
	time_db_now(now, sizeof(now));
	*out = arena_calloc(a, r.nrows + 1, sizeof(**out));
	for (unsigned i = 0; i < r.nrows; i++) {
		struct user_role_info *u = &(*out)[m];

		if (db_val(&r, i, 7) && strcmp(db_val(&r, i, 7), now) <= 0)
			continue;
		m++;

		u->user_id = db_val_int(&r, i, 0, 0);
		u->role_id = db_val_int(&r, i, 1, 0);
		u->uuid = db_val(&r, i, 2);
		u->name = db_val(&r, i, 3);
		u->display_name = db_val(&r, i, 4);
		u->assigned_by = db_val(&r, i, 5);
		u->assigned_at = db_val(&r, i, 6);
		u->expires_at = db_val(&r, i, 7);
		u->is_default = (int)db_val_int(&r, i, 8, 0);
	}
	*nout = m;
	return CORE_OK;
}

int
rbac_user_roles(struct db *db, struct arena *a, long long user_id, long long tenant,
    const char *user_type, struct user_role_info **out, unsigned *n)
{
	(void)user_type;        /* the row's own */
	return rbac_users_roles(db, a, tenant, &user_id, 1, NULL, out, n);
}

int
rbac_permission_ids(struct db *db, struct arena *a, const char *join_table,
    const char *owner_col, long long owner_id, long long **ids, unsigned *n)
{
	char sql[200];
	struct db_param p[1] = { db_int(owner_id) };
	struct db_result r;

	snprintf(sql, sizeof(sql), "SELECT permission_id FROM %s WHERE %s = ? ORDER BY permission_id",
	    join_table, owner_col);
	if (db_query(db, a, sql, p, 1, &r) < 0)
		return CORE_DB;
	*ids = arena_calloc(a, r.nrows + 1, sizeof(long long));
	for (unsigned i = 0; i < r.nrows; i++)
		(*ids)[i] = db_val_int(&r, i, 0, 0);
	*n = r.nrows;
	return CORE_OK;
}

int
rbac_set_permissions(struct db *db, struct arena *a, const char *join_table,
    const char *owner_col, long long owner_id, long long tenant, yajl_val ids,
    const char *field, struct ferrs *fe)
{
	char sql[300];

	if (ids == NULL)
		return CORE_OK;
	if (!YAJL_IS_ARRAY(ids) || ids->u.array.len > 500) {
		ferr_add(fe, field, "Expected a list of at most 500 permission ids.");
		return CORE_INVALID;
	}
	for (size_t i = 0; i < ids->u.array.len; i++) {
		yajl_val v = ids->u.array.values[i];
		struct db_result r;

		if (!YAJL_IS_INTEGER(v) || v->u.number.i <= 0) {
			ferr_add(fe, field, "Each permission id must be a positive integer.");
			return CORE_INVALID;
		}
		{
			struct db_param p[2] = { db_int(v->u.number.i), db_int(tenant) };

			if (db_query(db, a, "SELECT 1 FROM permissions WHERE id = ? AND "
			    "(tenant_id IS NULL OR tenant_id = ?)", p, 2, &r) < 0)
				return CORE_DB;
		}
		if (r.nrows == 0) {
			ferr_add(fe, field, arena_printf(a,
			    "Invalid pk \"%lld\" - object does not exist.", v->u.number.i));
			return CORE_INVALID;
		}
	}
	snprintf(sql, sizeof(sql), "DELETE FROM %s WHERE %s = ?", join_table, owner_col);
	{
		struct db_param p[1] = { db_int(owner_id) };

		if (db_query(db, a, sql, p, 1, NULL) < 0)
			return CORE_DB;
	}
	snprintf(sql, sizeof(sql), "INSERT IGNORE INTO %s (%s, permission_id) VALUES (?, ?)",
	    join_table, owner_col);
	for (size_t i = 0; i < ids->u.array.len; i++) {
		struct db_param p[2] = { db_int(owner_id), db_int(ids->u.array.values[i]->u.number.i) };

		if (db_query(db, a, sql, p, 2, NULL) < 0)
			return CORE_DB;
	}
	return CORE_OK;
}

int
rbac_is_reseller(const struct actor *who)
{
	return !who->is_superuser && who->user_type &&
	    (!strcmp(who->user_type, "reseller_admin") || !strcmp(who->user_type, "sub_reseller_admin"));
}

int
rbac_type_level(const char *t)
{
	static const struct { const char *t; int level; } levels[] = {
		{ "super_admin", 1 }, { "admin", 2 }, { "billing_manager", 3 }, { "noc_manager", 3 },
		{ "accountant", 4 }, { "support_staff", 4 }, { "reseller_admin", 4 },
		{ "sub_reseller_admin", 5 }, { "field_staff", 5 }, { "user", 9 },
	};

	for (size_t i = 0; t && i < sizeof(levels) / sizeof(levels[0]); i++)
		if (strcmp(levels[i].t, t) == 0)
			return levels[i].level;
	return 99;
}

/* May the actor hand out roles at all: a superuser, or a holder of a role
 * with can_assign_roles (their type's default or an assigned one). */
static int
may_assign(struct db *db, struct arena *a, const struct actor *who)
{
	struct db_param p[2] = { db_str(who->user_type), db_int(who->user_id) };
	struct db_result r;

	if (who->is_superuser)
		return 1;
	if (db_query(db, a, "SELECT 1 FROM roles r WHERE r.is_active = 1 AND r.can_assign_roles = 1 "
	    "AND ((r.tenant_id IS NULL AND r.name = ?) OR r.id IN (SELECT ur.role_id FROM user_roles ur "
	    "WHERE ur.user_id = ? AND ur.is_active = 1 AND (ur.expires_at IS NULL "
	    "OR ur.expires_at > UTC_TIMESTAMP(6)))) LIMIT 1", p, 2, &r) < 0)
		return -1;
	return r.nrows > 0;
}

int
rbac_assign(struct db *db, struct arena *a, const struct actor *who, long long user_id,
    long long role_id, const char *action, const char *reason, const char *expires_at,
    struct ferrs *fe)
{
	struct db_result r;
	long long level, max;
	int revoke = action && strcmp(action, "revoke") == 0;
	int ok;

	if (action && strcmp(action, "assign") != 0 && !revoke) {
		ferr_add(fe, "action", "Must be \"assign\" or \"revoke\".");
		return CORE_INVALID;
	}
	{
		struct db_param p[2] = { db_int(user_id), db_int(who->tenant_id) };

		if (db_query(db, a, "SELECT COALESCE(parent_id, 0) FROM users WHERE id = ? "
		    "AND tenant_id = ? AND deleted_at IS NULL", p, 2, &r) < 0)
			return CORE_DB;
		/* a reseller reaches only itself and the accounts under it */
		if (r.nrows == 0 || (rbac_is_reseller(who) && user_id != who->user_id &&
		    db_val_int(&r, 0, 0, 0) != who->user_id)) {
			ferr_add(fe, "user_id", "No such user.");
			return CORE_INVALID;
		}
	}
	{
		struct db_param p[2] = { db_int(role_id), db_int(who->tenant_id) };

		if (db_query(db, a, "SELECT role_level, COALESCE(max_assignments, 0), is_active "
		    "FROM roles WHERE id = ? AND (tenant_id IS NULL OR tenant_id = ?)", p, 2, &r) < 0)
			return CORE_DB;
		if (r.nrows == 0) {
			ferr_add(fe, "role_id", "No such role.");
			return CORE_INVALID;
		}
		if (!db_val_int(&r, 0, 2, 0) && !revoke) {
			ferr_add(fe, "role_id", "This role is not active.");
			return CORE_INVALID;
		}
		level = db_val_int(&r, 0, 0, 99);
		max = db_val_int(&r, 0, 1, 0);
	}
	if ((ok = may_assign(db, a, who)) < 0)
		return CORE_DB;
	if (!ok || (!who->is_superuser && level < rbac_type_level(who->user_type)))
		return CORE_FORBIDDEN;
	if (revoke) {
		struct db_param p[2] = { db_int(user_id), db_int(role_id) };

		if (db_query(db, a, "UPDATE user_roles SET is_active = 0 WHERE user_id = ? AND role_id = ? "
		    "AND is_active = 1", p, 2, &r) < 0)
			return CORE_DB;
		if (r.affected == 0) {
			ferr_add(fe, "role_id", "The user does not hold this role.");
			return CORE_INVALID;
		}
		audit(db, a, who, "revoke_role", "user", user_id,
		    arena_printf(a, "role %lld", role_id));
		return CORE_OK;
	}
	if (max > 0) {
		struct db_param p[2] = { db_int(role_id), db_int(user_id) };

		if (db_query(db, a, "SELECT COUNT(*) FROM user_roles WHERE role_id = ? AND is_active = 1 "
		    "AND user_id <> ?", p, 2, &r) < 0)
			return CORE_DB;
		if (db_val_int(&r, 0, 0, 0) >= max) {
			ferr_add(fe, "role_id", arena_printf(a,
			    "This role already has its maximum of %lld assignments.", max));
			return CORE_INVALID;
		}
	}
	{
		char uuid[37], when[20];
		struct db_param p[7];

		if (expires_at && *expires_at) {
			if (parse_datetime(expires_at, when) < 0) {
				ferr_add(fe, "expires_at", "Datetime has wrong format. Use ISO 8601.");
				return CORE_INVALID;
			}
		} else
			when[0] = '\0';
		uuid_v4(uuid);
		p[0] = db_str(uuid);
		p[1] = db_int(who->tenant_id);
		p[2] = db_int(user_id);
		p[3] = db_int(role_id);
		p[4] = who->user_id ? db_int(who->user_id) : db_null();
		p[5] = db_str(reason ? reason : "");
		p[6] = when[0] ? db_str(arena_strdup(a, when)) : db_null();
		if (db_query(db, a, "INSERT INTO user_roles (uuid, tenant_id, user_id, role_id, "
		    "assigned_by, reason, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?) "
		    "ON DUPLICATE KEY UPDATE is_active = 1, assigned_by = VALUES(assigned_by), "
		    "reason = VALUES(reason), expires_at = VALUES(expires_at), "
		    "created_at = UTC_TIMESTAMP(6)", p, 7, NULL) < 0)
			return CORE_DB;
	}
	audit(db, a, who, "assign_role", "user", user_id, arena_printf(a, "role %lld", role_id));
	return CORE_OK;
}

int
rbac_stats(struct db *db, struct arena *a, long long tenant, struct identity_stats *out)
{
	struct db_param p[6] = { db_int(tenant), db_int(tenant), db_int(tenant), db_int(tenant),
	    db_int(tenant), db_int(tenant) };
	struct db_result r;

	memset(out, 0, sizeof(*out));
	if (db_query(db, a, "SELECT "
	    "(SELECT COUNT(*) FROM users WHERE tenant_id = ? AND deleted_at IS NULL), "
	    "(SELECT COUNT(*) FROM users WHERE tenant_id = ? AND deleted_at IS NULL AND is_active = 1), "
	    "(SELECT COUNT(*) FROM roles WHERE tenant_id IS NULL OR tenant_id = ?), "
	    "(SELECT COUNT(*) FROM roles WHERE (tenant_id IS NULL OR tenant_id = ?) AND is_active = 1), "
	    "(SELECT COUNT(*) FROM permissions WHERE tenant_id IS NULL OR tenant_id = ?), "
	    "(SELECT COUNT(*) FROM permissions WHERE tenant_id = ?)", p, 6, &r) < 0)
		return CORE_DB;
	out->total_users = db_val_int(&r, 0, 0, 0);
	out->active_users = db_val_int(&r, 0, 1, 0);
	out->total_roles = db_val_int(&r, 0, 2, 0);
	out->active_roles = db_val_int(&r, 0, 3, 0);
	out->total_permissions = db_val_int(&r, 0, 4, 0);
	out->custom_permissions = db_val_int(&r, 0, 5, 0);
	if (db_query(db, a, "SELECT user_type, COUNT(*) FROM users WHERE tenant_id = ? "
	    "AND deleted_at IS NULL GROUP BY user_type ORDER BY MIN(user_type + 0)", p, 1, &r) < 0)
		return CORE_DB;
	for (unsigned i = 0; i < r.nrows && out->ntypes < 16; i++) {
		out->types[out->ntypes] = db_val(&r, i, 0);
		out->type_counts[out->ntypes] = db_val_int(&r, i, 1, 0);
		out->ntypes++;
	}
	return CORE_OK;
}
