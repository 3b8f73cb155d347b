/* rbac.c - ktl (003) roles, role assignment, permissions, categories,
 * custom permissions and groups: uuid ids out, numbers or uuids in. */
#include "config.h"
#include "api/ktl/ktl.h"
#include "core/audit.h"
#include "core/ktl_support.h"
#include "core/rbac.h"
#include "core/users.h"
#include "db/db.h"
#include "http/auth.h"
#include "json/json.h"

#include <string.h>

/* ---- permissions ---- */

static void
write_permission(struct request *req, yajl_gen g, const struct ent_row *r, int detail)
{
	const struct entity *e = &ent_permission;

	(void)req;
	(void)detail;
	jw_obj(g);
	jw_kstr(g, "id", ent_val(e, r, "uuid"));
	jw_kstr(g, "name", ent_val(e, r, "name"));
	jw_kstr(g, "codename", ent_val(e, r, "codename"));
	jw_kstr(g, "description", ent_val(e, r, "description"));
	jw_kstr(g, "category", ent_val(e, r, "category"));
	jw_kbool(g, "is_custom", ktl_truth(ent_val(e, r, "is_custom")));
	jw_key(g, "created_at");
	jw_dbtime(g, ent_val(e, r, "created_at"));
	jw_obj_end(g);
}

/* search, ordering and e's filters from the query string */
static void
query_from(struct request *req, const struct entity *e, struct ent_query *q)
{
	q->search = req_query(req, "search");
	q->ordering = ktl_ordering(req, e, NULL);
	for (size_t i = 0; i < e->nfields; i++) {
		const char *v;

		if ((e->fields[i].flags & FF_FILTER) && (v = req_query(req, e->fields[i].name)) &&
		    *v)
			ent_query_filter(q, &e->fields[i], v, &req->errs, &req->arena);
	}
}

static int
list_of(struct request *req, const struct entity *e, ktl_writer w, int custom_only)
{
	struct ent_query q;

	memset(&q, 0, sizeof(q));
	if (ktl_paginate(req, &q) < 0)
		return 0;
	query_from(req, e, &q);
	if (custom_only)
		ent_query_cond(&q, "t.is_custom = 1", 0, db_null(), db_null());
	q.versions = req->auth.versions;
	return ktl_list(req, e, req->auth.tenant_id, &q, w);
}

int
ktl_permissions_list(struct request *req)
{
	return list_of(req, &ent_permission, write_permission, 0);
}

int
ktl_custom_perms_list(struct request *req)
{
	return list_of(req, &ent_permission, write_permission, 1);
}

/* Reply with one row of e (bare) through w. */
static int
reply_row(struct request *req, const struct entity *e, ktl_writer w, int status, long long id)
{
	struct ent_row r;
	yajl_gen g;
	int rc = ent_get_id(req->db, &req->arena, e, req->auth.tenant_id, id, &r);

	if (rc != CORE_OK)
		return ktl_core(req, rc);
	g = ktl_bare_begin(req, status);
	w(req, g, &r, 1);
	return ktl_bare_end(req);
}

/* POST /custom-permissions/ {name, codename, description, category} */
int
ktl_custom_perms_create(struct request *req)
{
	static const struct field custom = { "is_custom", "is_custom", FT_BOOL, FF_INTERNAL };
	/* the category is checked here, by uuid or number: out of ent_parse's way */
	static const struct ktl_alias alias[] = {
		{ "category", " category", 0 }, { "category_id", " category", 0 }, { NULL, NULL, 0 },
	};
	yajl_val body = ktl_rename(req, req->json, alias);
	yajl_val cat = json_obj_get(body, " category");
	struct ent_set s;
	struct actor who;
	long long id = 0, cat_id = 0;
	int rc;

	if (cat && !YAJL_IS_NULL(cat))
		cat_id = ktl_ref(req, &ent_permission_category, cat,
		    json_obj_get(req->json, "category") ? "category" : "category_id");
	if (ent_parse(&ent_permission, body, 0, &req->arena, &s, &req->errs) != CORE_OK ||
	    req->errs.n) {
		return ktl_bad_request(req);
	}
	if (cat_id)
		ent_set_add(&s, ent_field(&ent_permission, "category_id"), db_int(cat_id));
	ent_set_add(&s, &custom, db_int(1));
	auth_actor(req, &who);
	rc = ent_create(req->db, &req->arena, &ent_permission, who.tenant_id, &s, &id, &req->errs);
	if (rc != CORE_OK)
		return ktl_core(req, rc);
	audit(req->db, &req->arena, &who, "create", "permission", id, NULL);
	return reply_row(req, &ent_permission, write_permission, 201, id);
}

/* ---- categories ---- */

static void
write_category(struct request *req, yajl_gen g, const struct ent_row *r, int detail)
{
	const struct entity *e = &ent_permission_category;

	(void)req;
	(void)detail;
	jw_obj(g);
	jw_kstr(g, "id", ent_val(e, r, "uuid"));
	jw_kstr(g, "name", ent_val(e, r, "name"));
	jw_kstr(g, "code", ent_val(e, r, "code"));
	jw_kstr(g, "description", ent_val(e, r, "description"));
	jw_kbool(g, "is_custom", ktl_truth(ent_val(e, r, "is_custom")));
	jw_kint(g, "permissions_count", ent_val_int(e, r, "permissions_count"));
	jw_key(g, "created_at");
	jw_dbtime(g, ent_val(e, r, "created_at"));
	jw_obj_end(g);
}

int
ktl_categories_list(struct request *req)
{
	return list_of(req, &ent_permission_category, write_category, 0);
}

int
ktl_categories_create(struct request *req)
{
	struct ent_set s;
	struct actor who;
	long long id = 0;
	int rc;

	if (ent_parse(&ent_permission_category, req->json, 0, &req->arena, &s, &req->errs) !=
	    CORE_OK)
		return ktl_bad_request(req);
	auth_actor(req, &who);
	rc = ent_create(req->db, &req->arena, &ent_permission_category, who.tenant_id, &s, &id,
	    &req->errs);
	if (rc != CORE_OK)
		return ktl_core(req, rc);
	audit(req->db, &req->arena, &who, "create", "permission_category", id, NULL);
	return reply_row(req, &ent_permission_category, write_category, 201, id);
}

/* ---- roles and groups: an entity and its permission set ---- */

/* "permissions": [{id, codename, name}] and "permission_ids": [uuid] */
static void
write_perm_set(struct request *req, yajl_gen g, int group, long long owner)
{
	struct ent_query q;
	struct ent_page p;
	int ok;

	memset(&q, 0, sizeof(q));
	q.limit = 1000;
	ktl_cond_perms_of(&q, group, owner);
	ok = ent_list(req->db, &req->arena, &ent_permission, req->auth.tenant_id, &q, &p,
	    &req->errs) == CORE_OK;
	jw_key(g, "permissions");
	jw_arr(g);
	for (unsigned i = 0; ok && i < p.nrows; i++) {
		jw_obj(g);
		jw_kstr(g, "id", ent_val(&ent_permission, &p.rows[i], "uuid"));
		jw_kstr(g, "codename", ent_val(&ent_permission, &p.rows[i], "codename"));
		jw_kstr(g, "name", ent_val(&ent_permission, &p.rows[i], "name"));
		jw_obj_end(g);
	}
	jw_arr_end(g);
	jw_key(g, "permission_ids");
	jw_arr(g);
	for (unsigned i = 0; ok && i < p.nrows; i++)
		jw_str(g, ent_val(&ent_permission, &p.rows[i], "uuid"));
	jw_arr_end(g);
}

static void
write_role(struct request *req, yajl_gen g, const struct ent_row *r, int detail)
{
	const struct entity *e = &ent_role;

	(void)detail;
	jw_obj(g);
	jw_kstr(g, "id", ent_val(e, r, "uuid"));
	jw_kstr(g, "name", ent_val(e, r, "name"));
	jw_kstr(g, "display_name", ent_val(e, r, "display_name"));
	jw_kstr(g, "description", ent_val(e, r, "description"));
	jw_kint(g, "role_level", ent_val_int(e, r, "role_level"));
	jw_kbool(g, "can_assign_roles", ktl_truth(ent_val(e, r, "can_assign_roles")));
	jw_key(g, "max_assignments");
	if (ent_val(e, r, "max_assignments"))
		jw_int(g, ent_val_int(e, r, "max_assignments"));
	else
		jw_null(g);
	jw_kbool(g, "is_active", ktl_truth(ent_val(e, r, "is_active")));
	jw_kbool(g, "is_system", ktl_truth(ent_val(e, r, "is_system")));
	jw_kint(g, "users_count", ent_val_int(e, r, "assignments_count"));
	write_perm_set(req, g, 0, r->id);
	jw_key(g, "created_at");
	jw_dbtime(g, ent_val(e, r, "created_at"));
	jw_key(g, "updated_at");
	jw_dbtime(g, ent_val(e, r, "updated_at"));
	jw_obj_end(g);
}

static void
write_group(struct request *req, yajl_gen g, const struct ent_row *r, int detail)
{
	const struct entity *e = &ent_group;

	(void)detail;
	jw_obj(g);
	jw_kstr(g, "id", ent_val(e, r, "uuid"));
	jw_kstr(g, "name", ent_val(e, r, "name"));
	jw_kint(g, "members_count", ent_val_int(e, r, "members_count"));
	write_perm_set(req, g, 1, r->id);
	jw_key(g, "created_at");
	jw_dbtime(g, ent_val(e, r, "created_at"));
	jw_key(g, "updated_at");
	jw_dbtime(g, ent_val(e, r, "updated_at"));
	jw_obj_end(g);
}

struct perm_owner {
	const struct entity *e;
	const char *type, *join, *col;
	int group;
	ktl_writer w;
};

static const struct perm_owner role_owner = {
	&ent_role, "role", "role_permissions", "role_id", 0, write_role,
};
static const struct perm_owner group_owner = {
	&ent_group, "group", "group_permissions", "group_id", 1, write_group,
};

/* The row of the path in the caller's tenant; shipped roles are read-only. */
static int
load_owned(struct request *req, const struct perm_owner *o, struct ent_row *r, int writing)
{
	int rc = ent_get(req->db, &req->arena, o->e, req->auth.tenant_id,
	    req_path_param(req, "id"), r);

	if (rc == CORE_OK && writing && r->tenant == 0) {
		req_field_error(req, "non_field_errors", "The built-in roles cannot be changed.");
		return CORE_FORBIDDEN;
	}
	return rc;
}

/* Create (*id 0) or update a role or group and its permission_ids, in one transaction. */
static int
owner_write(struct request *req, const struct perm_owner *o, long long *id)
{
	yajl_val ids = ktl_ref_array(req, &ent_permission,
	    json_obj_get(req->json, "permission_ids"), "permission_ids");
	struct ent_set s;
	struct actor who;
	int creating = *id == 0, rc;

	if (ent_parse(o->e, req->json, !creating, &req->arena, &s, &req->errs) != CORE_OK ||
	    req->errs.n)
		return CORE_INVALID;
	auth_actor(req, &who);
	if (db_begin(req->db) < 0)
		return CORE_DB;
	rc = creating ? ent_create(req->db, &req->arena, o->e, who.tenant_id, &s, id, &req->errs) :
	    ent_update(req->db, &req->arena, o->e, who.tenant_id, *id, &s, &req->errs);
	if (rc == CORE_OK)
		rc = rbac_set_permissions(req->db, &req->arena, o->join, o->col, *id, who.tenant_id,
		    ids, "permission_ids", &req->errs);
	if (rc != CORE_OK) {
		db_rollback(req->db);
		return rc;
	}
	if (db_commit(req->db) < 0)
		return CORE_DB;
	audit(req->db, &req->arena, &who, creating ? "create" : "update", o->type, *id, NULL);
	return CORE_OK;
}

static int
owner_list(struct request *req, const struct perm_owner *o)
{
	return list_of(req, o->e, o->w, 0);
}

static int
owner_create(struct request *req, const struct perm_owner *o)
{
	long long id = 0;
	int rc = owner_write(req, o, &id);

	if (rc != CORE_OK)
		return ktl_core(req, rc);
	return reply_row(req, o->e, o->w, 201, id);
}

static int
owner_get(struct request *req, const struct perm_owner *o)
{
	struct ent_row r;
	yajl_gen g;
	int rc = load_owned(req, o, &r, 0);

	if (rc != CORE_OK)
		return ktl_core(req, rc);
	g = ktl_bare_begin(req, 200);
	o->w(req, g, &r, 1);
	return ktl_bare_end(req);
}

/* PUT and PATCH alike: what is given changes. */
static int
owner_update(struct request *req, const struct perm_owner *o)
{
	struct ent_row r;
	int rc = load_owned(req, o, &r, 1);

	if (rc == CORE_OK)
		rc = owner_write(req, o, &r.id);
	if (rc != CORE_OK)
		return ktl_core(req, rc);
	return reply_row(req, o->e, o->w, 200, r.id);
}

static int
owner_delete(struct request *req, const struct perm_owner *o)
{
	struct ent_row r;
	struct actor who;
	int rc = load_owned(req, o, &r, 1);

	if (rc == CORE_OK)
		rc = ent_delete(req->db, &req->arena, o->e, req->auth.tenant_id, r.id);
	if (rc != CORE_OK)
		return ktl_core(req, rc);
	auth_actor(req, &who);
	audit(req->db, &req->arena, &who, "delete", o->type, r.id, NULL);
	return ktl_no_content(req);
}

int ktl_roles_list(struct request *req)   { return owner_list(req, &role_owner); }
int ktl_roles_create(struct request *req) { return owner_create(req, &role_owner); }
int ktl_roles_get(struct request *req)    { return owner_get(req, &role_owner); }
int ktl_roles_update(struct request *req) { return owner_update(req, &role_owner); }
int ktl_roles_delete(struct request *req) { return owner_delete(req, &role_owner); }
int ktl_groups_list(struct request *req)   { return owner_list(req, &group_owner); }
int ktl_groups_create(struct request *req) { return owner_create(req, &group_owner); }
int ktl_groups_get(struct request *req)    { return owner_get(req, &group_owner); }
int ktl_groups_update(struct request *req) { return owner_update(req, &group_owner); }
int ktl_groups_delete(struct request *req) { return owner_delete(req, &group_owner); }

/* ---- assignment ---- */

/* action, reason, expires_at of an assignment body; field errors on bad types */
static void
assign_opts(struct request *req, const char **action, const char **reason, const char **expires)
{
	*action = *reason = *expires = NULL;
	if (json_get_str(req->json, "action", action) == JSON_WRONG_TYPE)
		req_field_error(req, "action", "Not a valid string.");
	if (json_get_str(req->json, "reason", reason) == JSON_WRONG_TYPE)
		req_field_error(req, "reason", "Not a valid string.");
	else if (*reason && strlen(*reason) > 500)
		req_field_error(req, "reason", "Ensure this field has no more than 500 characters.");
	if (json_get_str(req->json, "expires_at", expires) == JSON_WRONG_TYPE)
		req_field_error(req, "expires_at", "Not a valid string.");
}

/* the uuid of row id of e, or NULL */
static const char *
uuid_of(struct request *req, const struct entity *e, long long id)
{
	struct ent_row r;

	if (ent_get_id(req->db, &req->arena, e, req->auth.tenant_id, id, &r) != CORE_OK)
		return NULL;
	return ent_val(e, &r, "uuid");
}

/* POST /roles/assign/ {user_id, role_id, action, reason, expires_at} */
int
ktl_roles_assign(struct request *req)
{
	const char *action, *reason, *expires;
	long long user_id = ktl_ref(req, &ent_user, json_obj_get(req->json, "user_id"), "user_id");
	long long role_id = ktl_ref(req, &ent_role, json_obj_get(req->json, "role_id"), "role_id");
	int revoke, rc;
	struct actor who;
	yajl_gen g;

	assign_opts(req, &action, &reason, &expires);
	if (req->errs.n)
		return ktl_bad_request(req);
	auth_actor(req, &who);
	rc = rbac_assign(req->db, &req->arena, &who, user_id, role_id, action, reason, expires,
	    &req->errs);
	if (rc == CORE_FORBIDDEN)
		return reply_error(req, ERR_FORBIDDEN,
		    "You do not have permission to assign this role.");
	if (rc != CORE_OK)
		return ktl_core(req, rc);
	revoke = action && !strcmp(action, "revoke");
	g = reply_begin(req, 200, revoke ? "Role revoked successfully" :
	    "Role assigned successfully");
	jw_obj(g);
	jw_kstr(g, "user_id", uuid_of(req, &ent_user, user_id));
	jw_kstr(g, "role_id", uuid_of(req, &ent_role, role_id));
	jw_kstr(g, "action", revoke ? "revoke" : "assign");
	jw_kstr(g, "reason", reason);
	jw_key(g, "expires_at");
	if (expires && *expires)
		jw_str(g, expires);
	else
		jw_null(g);
	jw_obj_end(g);
	return reply_end(req, NULL);
}

/* POST /roles/bulk-assign/ {user_ids: [...], role_id, action, reason,
 * expires_at}: each user on its own; the answer says which succeeded. */
int
ktl_roles_bulk_assign(struct request *req)
{
	yajl_val users = json_obj_get(req->json, "user_ids");
	const char *action, *reason, *expires;
	long long role_id = ktl_ref(req, &ent_role, json_obj_get(req->json, "role_id"), "role_id");
	struct actor who;
	yajl_gen g;
	int done = 0, failed = 0;

	if (users == NULL || !YAJL_IS_ARRAY(users) || users->u.array.len == 0 ||
	    users->u.array.len > 500)
		req_field_error(req, "user_ids", "A list of 1 to 500 user ids is required.");
	assign_opts(req, &action, &reason, &expires);
	if (req->errs.n)
		return ktl_bad_request(req);
	auth_actor(req, &who);
	g = reply_begin(req, 200, "Bulk role assignment completed");
	jw_obj(g);
	jw_key(g, "results");
	jw_arr(g);
	for (size_t i = 0; i < users->u.array.len; i++) {
		yajl_val v = users->u.array.values[i];
		struct ferrs keep = req->errs;
		long long uid = ktl_ref(req, &ent_user, v, "user_ids");
		struct ferrs fe = { .n = 0 };
		int rc = CORE_INVALID;

		if (uid)
			rc = rbac_assign(req->db, &req->arena, &who, uid, role_id, action, reason,
			    expires, &fe);
		else
			ferr_add(&fe, "user_ids", req->errs.e[req->errs.n - 1].msg);
		req->errs = keep;
		jw_obj(g);
		jw_key(g, "user_id");
		json_write_value(g, v);
		jw_kbool(g, "success", rc == CORE_OK);
		if (rc != CORE_OK)
			jw_kstr(g, "error", fe.n ? fe.e[0].msg : rc == CORE_FORBIDDEN ?
			    "You do not have permission to assign this role." : "Database error.");
		rc == CORE_OK ? done++ : failed++;
		jw_obj_end(g);
	}
	jw_arr_end(g);
	jw_kint(g, "total", (long long)users->u.array.len);
	jw_kint(g, "succeeded", done);
	jw_kint(g, "failed", failed);
	jw_obj_end(g);
	return reply_end(req, NULL);
}

static void
write_assignment(struct request *req, yajl_gen g, const struct ent_row *r, int detail)
{
	const struct entity *e = &ent_ktl_user_role;

	(void)req;
	(void)detail;
	jw_obj(g);
	jw_kstr(g, "id", ent_val(e, r, "uuid"));
	jw_kstr(g, "user", ent_val(e, r, "user"));
	jw_kstr(g, "user_login_id", ent_val(e, r, "user_login_id"));
	jw_kstr(g, "user_name", ent_val(e, r, "user_name"));
	jw_kstr(g, "role", ent_val(e, r, "role"));
	jw_kstr(g, "role_name", ent_val(e, r, "role_name"));
	jw_kstr(g, "assigned_by_name", ent_val(e, r, "assigned_by_name"));
	jw_kstr(g, "reason", ent_val(e, r, "reason"));
	jw_kbool(g, "is_active", ktl_truth(ent_val(e, r, "is_active")));
	jw_key(g, "assigned_at");
	jw_dbtime(g, ent_val(e, r, "assigned_at"));
	jw_key(g, "expires_at");
	jw_dbtime(g, ent_val(e, r, "expires_at"));
	jw_obj_end(g);
}

/* GET /user-roles/ (?user=, ?role= as uuid or number; ?is_active=) */
int
ktl_user_roles_list(struct request *req)
{
	struct ent_query q;
	const char *u = req_query(req, "user"), *ro = req_query(req, "role");
	struct actor who;

	memset(&q, 0, sizeof(q));
	if (ktl_paginate(req, &q) < 0)
		return 0;
	query_from(req, &ent_ktl_user_role, &q);
	if (u && *u) {
		struct yajl_val_s v = { .type = yajl_t_string };

		v.u.string = (char *)u;
		ent_query_cond(&q, "t.user_id = ?", 1, db_int(ktl_ref(req, &ent_user, &v, "user")),
		    db_null());
	}
	if (ro && *ro) {
		struct yajl_val_s v = { .type = yajl_t_string };

		v.u.string = (char *)ro;
		ent_query_cond(&q, "t.role_id = ?", 1, db_int(ktl_ref(req, &ent_role, &v, "role")),
		    db_null());
	}
	auth_actor(req, &who);
	if (rbac_is_reseller(&who))
		ktl_cond_assignments_of_tree(&q, who.user_id);
	return ktl_list(req, &ent_ktl_user_role, who.tenant_id, &q, write_assignment);
}
