/* identity.c - native users, roles, permissions, groups, API clients,
 * tenants, locations, audit and 003's dashboard: resource descriptions
 * for the generic handlers, and the few hand-written ones. */
#include "config.h"
#include "api/native/native.h"
#include "api/resource.h"
#include "core/apiclients.h"
#include "core/audit.h"
#include "core/locations.h"
#include "core/rbac.h"
#include "core/tenants.h"
#include "core/users.h"
#include "db/db.h"
#include "http/auth.h"
#include "json/json.h"

#include <string.h>

/* ---- users ---- */

static int
user_create(struct request *req, struct ent_set *s, long long *id)
{
	struct actor who;
	long long tid = 0;
	int rc;

	auth_actor(req, &who);
	/* a super admin may create a user in another tenant (its first admin) */
	if (json_obj_get(req->json, "tenant_id")) {
		struct ent_row t;

		if (json_get_int(req->json, "tenant_id", 1, (1LL << 62), &tid) != JSON_OK) {
			req_field_error(req, "tenant_id", "A valid id is required.");
			return CORE_INVALID;
		}
		if (!who.is_superuser && tid != who.tenant_id) {
			req_field_error(req, "tenant_id", "Only a super admin may choose the tenant.");
			return CORE_INVALID;
		}
		if ((rc = ent_get_id(req->db, &req->arena, &ent_tenant, 0, tid, &t)) == CORE_NOT_FOUND) {
			req_field_error(req, "tenant_id", arena_printf(&req->arena,
			    "Invalid pk \"%lld\" - object does not exist.", tid));
			return CORE_INVALID;
		}
		if (rc != CORE_OK)
			return rc;
		who.tenant_id = tid;
	}
	rc = users_create(req->db, &req->arena, &who, s, req->json, id, &req->errs);
	if (rc == CORE_OK && who.tenant_id != req->auth.tenant_id) {
		struct ent_row r;
		yajl_gen g;

		/* answered here: the generic reply reads in the caller's tenant */
		if ((rc = ent_get_id(req->db, &req->arena, &ent_user, who.tenant_id, *id, &r)) != CORE_OK)
			return rc;
		g = reply_begin(req, 201, "User created.");
		jw_obj(g);
		ent_write_fields(g, &ent_user, &r);
		jw_obj_end(g);
		reply_end(req, NULL);
	}
	return rc;
}

static int
user_update(struct request *req, long long id, struct ent_set *s)
{
	struct actor who;

	auth_actor(req, &who);
	return users_update(req->db, &req->arena, &who, id, s, &req->errs);
}

static int
user_remove(struct request *req, long long id)
{
	struct actor who;

	auth_actor(req, &who);
	return users_delete(req->db, &req->arena, &who, id);
}

static void
user_scope(struct request *req, struct ent_query *q)
{
	struct actor who;

	auth_actor(req, &who);
	users_scope_query(&who, q);
}

static int
user_visible(struct request *req, const struct ent_row *r)
{
	struct actor who;
	struct ent_query q;

	auth_actor(req, &who);
	memset(&q, 0, sizeof(q));
	users_scope_query(&who, &q);
	/* resellers: themselves and their own accounts */
	return q.nconds == 0 || r->id == who.user_id ||
	    ent_val_int(&ent_user, r, "parent_id") == who.user_id;
}

const struct resource res_users = {
	&ent_user, "user", user_create, user_update, user_remove, native_user_extra, user_scope,
	user_visible,
};

/* ---- roles and groups: entity plus a permission set ---- */

/* Create (*id == 0) or update (*id) a role or group and replace its
 * permission set from "permission_ids", in one transaction. */
static int
with_perms_write(struct request *req, const struct entity *e, const char *type,
    const char *join, const char *col, struct ent_set *s, long long *id)
{
	struct actor who;
	int creating = *id == 0, rc;

	auth_actor(req, &who);
	if (db_begin(req->db) < 0)
		return CORE_DB;
	rc = creating ? ent_create(req->db, &req->arena, e, who.tenant_id, s, id, &req->errs) :
	    ent_update(req->db, &req->arena, e, who.tenant_id, *id, s, &req->errs);
	if (rc == CORE_OK)
		rc = rbac_set_permissions(req->db, &req->arena, join, col, *id, who.tenant_id,
		    json_obj_get(req->json, "permission_ids"), "permission_ids", &req->errs);
	if (rc != CORE_OK) {
		db_rollback(req->db);
		return rc;
	}
	if (db_commit(req->db) < 0)
		return CORE_DB;
	audit(req->db, &req->arena, &who, creating ? "create" : "update", type, *id, NULL);
	return CORE_OK;
}

static void
perms_extra(struct request *req, yajl_gen g, const char *join, const char *col, long long id)
{
	long long *ids;
	unsigned n;

	if (rbac_permission_ids(req->db, &req->arena, join, col, id, &ids, &n) != CORE_OK)
		return;
	jw_key(g, "permission_ids");
	jw_arr(g);
	for (unsigned i = 0; i < n; i++)
		jw_int(g, ids[i]);
	jw_arr_end(g);
}

static int
role_create(struct request *req, struct ent_set *s, long long *id)
{
	*id = 0;
	return with_perms_write(req, &ent_role, "role", "role_permissions", "role_id", s, id);
}

static int
role_update(struct request *req, long long id, struct ent_set *s)
{
	return with_perms_write(req, &ent_role, "role", "role_permissions", "role_id", s, &id);
}

static void
role_extra(struct request *req, yajl_gen g, const struct ent_row *r, int detail)
{
	(void)detail;
	perms_extra(req, g, "role_permissions", "role_id", r->id);
}

const struct resource res_roles = {
	&ent_role, "role", role_create, role_update, NULL, role_extra,
};

static int
group_create(struct request *req, struct ent_set *s, long long *id)
{
	*id = 0;
	return with_perms_write(req, &ent_group, "group", "group_permissions", "group_id", s, id);
}

static int
group_update(struct request *req, long long id, struct ent_set *s)
{
	return with_perms_write(req, &ent_group, "group", "group_permissions", "group_id", s, &id);
}

static void
group_extra(struct request *req, yajl_gen g, const struct ent_row *r, int detail)
{
	(void)detail;
	perms_extra(req, g, "group_permissions", "group_id", r->id);
}

const struct resource res_groups = {
	&ent_group, "group", group_create, group_update, NULL, group_extra,
};

/* ---- permissions ---- */

const struct resource res_permissions = { &ent_permission, "permission" };
const struct resource res_permission_categories = { &ent_permission_category,
	"permission_category" };

static int
custom_perm_create(struct request *req, struct ent_set *s, long long *id)
{
	static const struct field custom = { "is_custom", "is_custom", FT_BOOL, FF_INTERNAL };
	struct actor who;
	int rc;

	ent_set_add(s, &custom, db_int(1));
	auth_actor(req, &who);
	{
		/* the category must be shipped or the tenant's own */
		long long cat = ent_set_int(s, "category_id");
		if (cat) {
			struct ent_row r;

			rc = ent_get_id(req->db, &req->arena, &ent_permission_category, who.tenant_id,
			    cat, &r);
			if (rc == CORE_NOT_FOUND) {
				req_field_error(req, "category_id", "No such permission category.");
				return CORE_INVALID;
			}
			if (rc != CORE_OK)
				return rc;
		}
	}
	if ((rc = ent_create(req->db, &req->arena, &ent_permission, who.tenant_id, s, id,
	    &req->errs)) != CORE_OK)
		return rc;
	audit(req->db, &req->arena, &who, "create", "permission", *id, NULL);
	return CORE_OK;
}

static void
custom_scope(struct request *req, struct ent_query *q)
{
	(void)req;
	ent_query_cond(q, "t.is_custom = 1", 0, db_null(), db_null());
}

const struct resource res_custom_permissions = {
	&ent_permission, "permission", custom_perm_create, NULL, NULL, NULL, custom_scope,
};

const struct resource res_user_roles = { &ent_user_role, "user_role" };

int
h_roles_assign(struct request *req)
{
	long long user_id = 0, role_id = 0;
	const char *action = NULL, *reason = NULL, *expires = NULL;
	struct actor who;
	yajl_gen g;
	int rc;

	if (json_get_int(req->json, "user_id", 1, (1LL << 62), &user_id) != JSON_OK)
		req_field_error(req, "user_id", "A valid user id is required.");
	if (json_get_int(req->json, "role_id", 1, (1LL << 62), &role_id) != JSON_OK)
		req_field_error(req, "role_id", "A valid role id is required.");
	(void)json_get_str(req->json, "action", &action);
	(void)json_get_str(req->json, "reason", &reason);
	(void)json_get_str(req->json, "expires_at", &expires);
	if (reason && strlen(reason) > 500)
		req_field_error(req, "reason", "Ensure this field has no more than 500 characters.");
	if (req->errs.n)
		return reply_error(req, ERR_VALIDATION, "Invalid input.");
	auth_actor(req, &who);
	rc = rbac_assign(req->db, &req->arena, &who, user_id, role_id, action, reason, expires,
	    &req->errs);
	if (rc == CORE_FORBIDDEN)
		return reply_error(req, ERR_FORBIDDEN, "You may not assign this role.");
	if (rc != CORE_OK)
		return reply_core(req, rc, "User");
	g = reply_begin(req, 200, action && !strcmp(action, "revoke") ? "Role revoked." :
	    "Role assigned.");
	jw_obj(g);
	jw_kint(g, "user_id", user_id);
	jw_kint(g, "role_id", role_id);
	jw_kstr(g, "action", action ? action : "assign");
	jw_obj_end(g);
	return reply_end(req, NULL);
}

/* {"user_ids": [..], "role_id": n, "action", "reason", "expires_at"}: each
 * user on its own; the answer says which succeeded and why others did not. */
int
h_roles_bulk_assign(struct request *req)
{
	yajl_val users = json_obj_get(req->json, "user_ids");
	long long role_id = 0;
	const char *action = NULL, *reason = NULL, *expires = NULL;
	struct actor who;
	yajl_gen g;
	int done = 0, failed = 0;

	if (users == NULL || !YAJL_IS_ARRAY(users) || users->u.array.len == 0 ||
	    users->u.array.len > 500)
		req_field_error(req, "user_ids", "A list of 1 to 500 user ids is required.");
	if (json_get_int(req->json, "role_id", 1, (1LL << 62), &role_id) != JSON_OK)
		req_field_error(req, "role_id", "A valid role id is required.");
	(void)json_get_str(req->json, "action", &action);
	(void)json_get_str(req->json, "reason", &reason);
	(void)json_get_str(req->json, "expires_at", &expires);
	if (req->errs.n)
		return reply_error(req, ERR_VALIDATION, "Invalid input.");
	auth_actor(req, &who);
	g = reply_begin(req, 200, "Bulk assignment processed.");
	jw_obj(g);
	jw_key(g, "results");
	jw_arr(g);
	for (size_t i = 0; i < users->u.array.len; i++) {
		yajl_val v = users->u.array.values[i];
		struct ferrs fe = { .n = 0 };
		int rc;

		jw_obj(g);
		if (!YAJL_IS_INTEGER(v) || v->u.number.i <= 0) {
			jw_knull(g, "user_id");
			jw_kbool(g, "success", 0);
			jw_kstr(g, "error", "Not a valid user id.");
			failed++;
			jw_obj_end(g);
			continue;
		}
		rc = rbac_assign(req->db, &req->arena, &who, v->u.number.i, role_id, action, reason,
		    expires, &fe);
		jw_kint(g, "user_id", v->u.number.i);
		jw_kbool(g, "success", rc == CORE_OK);
		if (rc != CORE_OK)
			jw_kstr(g, "error", fe.n ? fe.e[0].msg : rc == CORE_FORBIDDEN ?
			    "You may not assign this role." : "Database error.");
		rc == CORE_OK ? done++ : failed++;
		jw_obj_end(g);
	}
	jw_arr_end(g);
	jw_kint(g, "succeeded", done);
	jw_kint(g, "failed", failed);
	jw_obj_end(g);
	return reply_end(req, NULL);
}

/* ---- API clients ---- */

const struct resource res_api_clients = { &ent_api_client, "api_client" };

/* POST: create, or update when "id" names an existing client (004 upsert). */
int
h_clients_upsert(struct request *req)
{
	long long id = 0, out;
	const char *key = NULL;
	struct ent_set s;
	struct actor who;
	yajl_gen g;
	struct ent_row r;
	int rc;

	if (json_obj_get(req->json, "id") &&
	    json_get_int(req->json, "id", 1, (1LL << 62), &id) != JSON_OK)
		req_field_error(req, "id", "A valid id is required.");
	if (ent_parse(&ent_api_client, req->json, id != 0, &req->arena, &s, &req->errs) != CORE_OK ||
	    req->errs.n)
		return reply_error(req, ERR_VALIDATION, "Invalid input.");
	auth_actor(req, &who);
	rc = clients_upsert(req->db, &req->arena, &who, id, &s, &out, &key, &req->errs);
	if (rc != CORE_OK)
		return reply_core(req, rc, "API client");
	if ((rc = ent_get_id(req->db, &req->arena, &ent_api_client, who.tenant_id, out, &r)) != CORE_OK)
		return reply_core(req, rc, "API client");
	g = reply_begin(req, id ? 200 : 201, id ? "API client updated." :
	    "API client created. Keep the key: it is not shown again.");
	jw_obj(g);
	ent_write_fields(g, &ent_api_client, &r);
	if (key)
		jw_kstr(g, "api_key", key);
	jw_obj_end(g);
	return reply_end(req, NULL);
}

/* POST {name?, id?, ids?}: clients matching (004 client-find). */
int
h_clients_find(struct request *req)
{
	struct ent_query q;
	struct page pg;
	const char *name = NULL;
	long long id = 0;
	yajl_val ids = json_obj_get(req->json, "ids");

	memset(&q, 0, sizeof(q));
	if (res_page(req, &q, &pg) < 0)
		return reply_error(req, ERR_VALIDATION, "Invalid query parameters.");
	if (json_get_str(req->json, "name", &name) == JSON_OK && *name)
		q.search = name;
	if (json_get_int(req->json, "id", 1, (1LL << 62), &id) == JSON_OK)
		ent_query_cond(&q, "t.id = ?", 1, db_int(id), db_null());
	if (ids && YAJL_IS_ARRAY(ids)) {
		/* a short list of ids: one condition each, OR-ed by SQL IN over a JSON array */
		yajl_gen g = yajl_gen_alloc(NULL);
		const unsigned char *b;
		size_t n;

		json_write_value(g, ids);
		yajl_gen_get_buf(g, &b, &n);
		ent_query_cond(&q, "JSON_CONTAINS(?, CAST(t.id AS CHAR))", 1,
		    db_str(arena_strndup(&req->arena, (const char *)b, n)), db_null());
		yajl_gen_free(g);
	}
	return res_reply_list(req, &res_api_clients, &q, &pg);
}

/* DELETE {ids: [...]}: revoke clients (004 client-delete). */
int
h_clients_delete_many(struct request *req)
{
	yajl_val ids = json_obj_get(req->json, "ids");
	long long *v;
	unsigned n = 0, done;
	struct actor who;
	yajl_gen g;
	int rc;

	if (ids == NULL || !YAJL_IS_ARRAY(ids) || ids->u.array.len == 0 || ids->u.array.len > 500) {
		req_field_error(req, "ids", "A list of 1 to 500 ids is required.");
		return reply_error(req, ERR_VALIDATION, "Invalid input.");
	}
	v = arena_calloc(&req->arena, ids->u.array.len, sizeof(*v));
	for (size_t i = 0; i < ids->u.array.len; i++) {
		if (!YAJL_IS_INTEGER(ids->u.array.values[i])) {
			req_field_error(req, "ids", "Each id must be an integer.");
			return reply_error(req, ERR_VALIDATION, "Invalid input.");
		}
		v[n++] = ids->u.array.values[i]->u.number.i;
	}
	auth_actor(req, &who);
	if ((rc = clients_delete(req->db, &req->arena, &who, v, n, &done)) != CORE_OK)
		return reply_core(req, rc, "API client");
	g = reply_begin(req, 200, "API clients deleted.");
	jw_obj(g);
	jw_kint(g, "deleted", done);
	jw_obj_end(g);
	return reply_end(req, NULL);
}

/* ---- tenants ---- */

static int
tenant_create(struct request *req, struct ent_set *s, long long *id)
{
	struct actor who;

	auth_actor(req, &who);
	return tenants_create(req->db, &req->arena, &who, s, id, &req->errs);
}

static int
tenant_update(struct request *req, long long id, struct ent_set *s)
{
	struct actor who;

	auth_actor(req, &who);
	return tenants_update(req->db, &req->arena, &who, id, s, &req->errs);
}

static int
tenant_remove(struct request *req, long long id)
{
	struct actor who;

	auth_actor(req, &who);
	return tenants_delete(req->db, &req->arena, &who, id);
}

static void
tenant_scope(struct request *req, struct ent_query *q)
{
	if (!req->auth.is_superuser)
		ent_query_cond(q, "t.id = ?", 1, db_int(req->auth.tenant_id), db_null());
}

static int
tenant_visible(struct request *req, const struct ent_row *r)
{
	struct actor who;

	auth_actor(req, &who);
	return tenants_visible(&who, r->id);
}

const struct resource res_tenants = {
	&ent_tenant, "tenant", tenant_create, tenant_update, tenant_remove, NULL, tenant_scope,
	tenant_visible, 1,
};

int
h_tenant_stats(struct request *req)
{
	struct ent_row r;
	struct tenant_stats st;
	yajl_gen g;
	int rc = ent_get(req->db, &req->arena, &ent_tenant, 0, req_path_param(req, "id"), &r);

	if (rc == CORE_OK && !tenant_visible(req, &r))
		rc = CORE_NOT_FOUND;
	if (rc == CORE_OK)
		rc = tenants_stats(req->db, &req->arena, r.id, &st);
	if (rc != CORE_OK)
		return reply_core(req, rc, "Organization");
	g = reply_begin(req, 200, "Success");
	jw_obj(g);
	jw_kint(g, "tenant_id", r.id);
	jw_kint(g, "users_count", st.users);
	jw_kint(g, "active_users_count", st.active_users);
	jw_kint(g, "roles_count", st.roles);
	jw_kint(g, "groups_count", st.groups);
	jw_kint(g, "api_clients_count", st.api_clients);
	jw_obj_end(g);
	return reply_end(req, NULL);
}

/* ---- locations ---- */

const struct resource res_divisions = { &ent_division, "division", .global = 1 };
const struct resource res_districts = { &ent_district, "district", .global = 1 };
const struct resource res_thanas = { &ent_thana, "thana", .global = 1 };

int
h_district_thanas(struct request *req)
{
	struct ent_row d;
	struct ent_query q;
	struct page pg;
	int rc = ent_get(req->db, &req->arena, &ent_district, 0, req_path_param(req, "id"), &d);

	if (rc != CORE_OK)
		return reply_core(req, rc, "District");
	memset(&q, 0, sizeof(q));
	if (res_page(req, &q, &pg) < 0)
		return reply_error(req, ERR_VALIDATION, "Invalid query parameters.");
	res_query(req, &ent_thana, &q);
	ent_query_cond(&q, "t.district_id = ?", 1, db_int(d.id), db_null());
	return res_reply_list(req, &res_thanas, &q, &pg);
}

int
h_locations_summary(struct request *req)
{
	struct locations_summary s;
	yajl_gen g;
	int rc = locations_summary(req->db, &req->arena, &s);

	if (rc != CORE_OK)
		return reply_core(req, rc, "Locations");
	g = reply_begin(req, 200, "Success");
	jw_obj(g);
	jw_kint(g, "total_divisions", s.divisions);
	jw_kint(g, "total_districts", s.districts);
	jw_kint(g, "total_thanas", s.thanas);
	jw_key(g, "divisions");
	jw_arr(g);
	for (int i = 0; i < s.nper; i++) {
		jw_obj(g);
		jw_kstr(g, "name", s.per[i].name);
		jw_kint(g, "districts", s.per[i].districts);
		jw_kint(g, "thanas", s.per[i].thanas);
		jw_obj_end(g);
	}
	jw_arr_end(g);
	jw_obj_end(g);
	return reply_end(req, NULL);
}

/* ---- audit and 003's dashboard ---- */

static void
audit_list_scope(struct request *req, struct ent_query *q)
{
	struct actor who;

	auth_actor(req, &who);
	audit_scope(&who, q);
}

const struct resource res_audit = { &ent_audit, "audit", .scope = audit_list_scope };

void
native_write_identity_stats(yajl_gen g, const struct identity_stats *st)
{
	jw_obj(g);
	jw_kint(g, "total_users", st->total_users);
	jw_kint(g, "active_users", st->active_users);
	jw_kint(g, "total_roles", st->total_roles);
	jw_kint(g, "active_roles", st->active_roles);
	jw_kint(g, "total_permissions", st->total_permissions);
	jw_kint(g, "custom_permissions", st->custom_permissions);
	jw_key(g, "user_types");
	jw_obj(g);
	for (const char *const *t = user_types; *t; t++) {
		long long n = 0;

		for (int i = 0; i < st->ntypes; i++)
			if (!strcmp(st->types[i], *t))
				n = st->type_counts[i];
		jw_kint(g, *t, n);
	}
	jw_obj_end(g);
	jw_obj_end(g);
}

int
h_identity_stats(struct request *req)
{
	struct identity_stats st;
	yajl_gen g;
	int rc = rbac_stats(req->db, &req->arena, req->auth.tenant_id, &st);

	if (rc != CORE_OK)
		return reply_core(req, rc, "Statistics");
	g = reply_begin(req, 200, "Success");
	native_write_identity_stats(g, &st);
	return reply_end(req, NULL);
}
