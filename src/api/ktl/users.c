/* users.c - ktl (003) users: DRF pages and bare objects with uuid ids;
 * 003's words (login_id, name, mobile, language_preference, roles) mapped
 * onto the core's user. */
#include "config.h"
#include "api/ktl/ktl.h"
#include "core/ktl_support.h"
#include "core/rbac.h"
#include "core/users.h"
#include "db/db.h"
#include "http/auth.h"
#include "json/json.h"

#include <string.h>

static const struct ktl_alias user_alias[] = {
	{ "mobile", "phone", 1 },
	{ "language_preference", "language", 1 },
	{ "district", "district_id", 0 },
	{ "thana", "thana_id", 0 },
	{ NULL, NULL, 0 },
};

/* ?ordering= words of 003 */
static const struct ktl_alias user_order[] = {
	{ "name", "first_name", 1 },
	{ "date_joined", "created_at", 1 },
	{ "mobile", "phone", 1 },
	{ NULL, NULL, 0 },
};

static yajl_val
str_node(struct request *req, const char *s, size_t n)
{
	yajl_val v = arena_calloc(&req->arena, 1, sizeof(*v));

	v->type = yajl_t_string;
	v->u.string = arena_strndup(&req->arena, s, n);
	return v;
}

/* The body in the core's words: aliases renamed; "name" split into
 * first_name and last_name; login_id also the username when none is given. */
static yajl_val
user_body(struct request *req)
{
	yajl_val in = ktl_rename(req, req->json, user_alias), out, name, login;
	size_t n;

	if (in == NULL || !YAJL_IS_OBJECT(in))
		return in;
	n = in->u.object.len;
	out = arena_calloc(&req->arena, 1, sizeof(*out));
	out->type = yajl_t_object;
	out->u.object.keys = arena_calloc(&req->arena, n + 3, sizeof(char *));
	out->u.object.values = arena_calloc(&req->arena, n + 3, sizeof(yajl_val));
	memcpy(out->u.object.keys, in->u.object.keys, n * sizeof(char *));
	memcpy(out->u.object.values, in->u.object.values, n * sizeof(yajl_val));
	out->u.object.len = n;
	name = json_obj_get(in, "name");
	if (name && YAJL_IS_STRING(name) && !json_obj_get(in, "first_name")) {
		const char *s = name->u.string;
		size_t first = strcspn(s, " ");
		const char *rest = s + first + strspn(s + first, " ");

		out->u.object.keys[out->u.object.len] = "first_name";
		out->u.object.values[out->u.object.len++] = str_node(req, s, first);
		out->u.object.keys[out->u.object.len] = "last_name";
		out->u.object.values[out->u.object.len++] = str_node(req, rest, strlen(rest));
	}
	login = json_obj_get(in, "login_id");
	if (login && !json_obj_get(in, "username")) {
		out->u.object.keys[out->u.object.len] = "username";
		out->u.object.values[out->u.object.len++] = login;
	}
	return out;
}

/* errors on first_name/last_name/username belong to name/login_id */
static void
user_unalias(struct request *req)
{
	ktl_unalias(req, user_alias);
	for (int i = 0; i < req->errs.n; i++) {
		const char *f = req->errs.e[i].field;

		if ((!strcmp(f, "first_name") || !strcmp(f, "last_name")) &&
		    json_obj_get(req->json, "name"))
			req->errs.e[i].field = "name";
		else if (!strcmp(f, "username") && !json_obj_get(req->json, "username"))
			req->errs.e[i].field = "login_id";
	}
}

/* Assign each of the roles (ids already checked) to the user; errors under "roles". */
static int
assign_roles(struct request *req, const struct actor *who, long long user_id, yajl_val roles)
{
	for (size_t i = 0; roles && i < roles->u.array.len; i++) {
		struct ferrs fe = { .n = 0 };
		int rc = rbac_assign(req->db, &req->arena, who, user_id,
		    roles->u.array.values[i]->u.number.i, "assign", NULL, NULL, &fe);

		if (rc == CORE_INVALID) {
			req_field_error(req, "roles", fe.n ? fe.e[0].msg : "Invalid role.");
			return rc;
		}
		if (rc == CORE_FORBIDDEN)
			req_field_error(req, "roles", "You may not assign this role.");
		if (rc != CORE_OK)
			return rc == CORE_FORBIDDEN ? CORE_INVALID : rc;
	}
	return CORE_OK;
}

static int
reply_user(struct request *req, int status, long long id)
{
	struct ent_row r;
	yajl_gen g;
	int rc = ent_get_id(req->db, &req->arena, &ent_user, req->auth.tenant_id, id, &r);

	if (rc != CORE_OK)
		return ktl_core(req, rc);
	g = ktl_bare_begin(req, status);
	ktl_write_user(req, g, &r, 1);
	return ktl_bare_end(req);
}

/* The user of the path, if the caller may see it (resellers: their tree). */
static int
load_user(struct request *req, const struct actor *who, struct ent_row *r)
{
	int rc = ent_get(req->db, &req->arena, &ent_user, who->tenant_id,
	    req_path_param(req, "id"), r);

	if (rc == CORE_OK && rbac_is_reseller(who) && r->id != who->user_id &&
	    ent_val_int(&ent_user, r, "parent_id") != who->user_id)
		rc = CORE_NOT_FOUND;
	return rc;
}

int
ktl_users_list(struct request *req)
{
	struct ent_query q;
	struct actor who;
	const char *role = req_query(req, "role");

	memset(&q, 0, sizeof(q));
	if (ktl_paginate(req, &q) < 0)
		return 0;
	q.search = req_query(req, "search");
	q.ordering = ktl_ordering(req, &ent_user, user_order);
	for (size_t i = 0; i < ent_user.nfields; i++) {
		const char *v;

		if ((ent_user.fields[i].flags & FF_FILTER) &&
		    (v = req_query(req, ent_user.fields[i].name)) != NULL && *v)
			ent_query_filter(&q, &ent_user.fields[i], v, &req->errs, &req->arena);
	}
	if (role && *role) {
		struct yajl_val_s v = { .type = yajl_t_string };
		long long id;

		v.u.string = (char *)role;
		if ((id = ktl_ref(req, &ent_role, &v, "role")) == 0)
			return ktl_bad_request(req);
		ktl_cond_users_with_role(&q, id);
	}
	auth_actor(req, &who);
	users_scope_query(&who, &q);
	/* ?role= reads the assignments' expiry against the clock, which moves
	 * with no write to bump the tenant's 'users' version: never kept */
	if (role == NULL || *role == '\0')
		q.versions = req->auth.versions;
	return ktl_list_pre(req, &ent_user, who.tenant_id, &q, ktl_write_user, ktl_users_prefetch);
}

int
ktl_users_create(struct request *req)
{
	yajl_val body = user_body(req);
	yajl_val roles = ktl_ref_array(req, &ent_role, json_obj_get(req->json, "roles"), "roles");
	struct ent_set s;
	struct actor who;
	long long id = 0;
	int rc;

	if (ent_parse(&ent_user, body, 0, &req->arena, &s, &req->errs) != CORE_OK || req->errs.n) {
		user_unalias(req);
		return ktl_bad_request(req);
	}
	auth_actor(req, &who);
	if (db_begin(req->db) < 0)
		return ktl_core(req, CORE_DB);
	rc = users_create(req->db, &req->arena, &who, &s, body, &id, &req->errs);
	if (rc == CORE_OK)
		rc = assign_roles(req, &who, id, roles);
	if (rc != CORE_OK) {
		db_rollback(req->db);
		user_unalias(req);
		return ktl_core(req, rc);
	}
	if (db_commit(req->db) < 0)
		return ktl_core(req, CORE_DB);
	return reply_user(req, 201, id);
}

int
ktl_users_get(struct request *req)
{
	struct ent_row r;
	struct actor who;
	yajl_gen g;
	int rc;

	auth_actor(req, &who);
	if ((rc = load_user(req, &who, &r)) != CORE_OK)
		return ktl_core(req, rc);
	g = ktl_bare_begin(req, 200);
	ktl_write_user(req, g, &r, 1);
	return ktl_bare_end(req);
}

/* PATCH and PUT alike: what is given changes (the panel sends PUT with a
 * partial form). */
int
ktl_users_update(struct request *req)
{
	yajl_val body = user_body(req);
	yajl_val roles = ktl_ref_array(req, &ent_role, json_obj_get(req->json, "roles"), "roles");
	struct ent_set s;
	struct ent_row r;
	struct actor who;
	int rc;

	auth_actor(req, &who);
	if ((rc = load_user(req, &who, &r)) != CORE_OK)
		return ktl_core(req, rc);
	if (ent_parse(&ent_user, body, 1, &req->arena, &s, &req->errs) != CORE_OK || req->errs.n) {
		user_unalias(req);
		return ktl_bad_request(req);
	}
	if (db_begin(req->db) < 0)
		return ktl_core(req, CORE_DB);
	rc = users_update(req->db, &req->arena, &who, r.id, &s, &req->errs);
	if (rc == CORE_OK)
		rc = assign_roles(req, &who, r.id, roles);
	if (rc != CORE_OK) {
		db_rollback(req->db);
		user_unalias(req);
		return ktl_core(req, rc);
	}
	if (db_commit(req->db) < 0)
		return ktl_core(req, CORE_DB);
	return reply_user(req, 200, r.id);
}

int
ktl_users_delete(struct request *req)
{
	struct ent_row r;
	struct actor who;
	int rc;

	auth_actor(req, &who);
	if ((rc = load_user(req, &who, &r)) != CORE_OK)
		return ktl_core(req, rc);
	if (r.id == who.user_id) {
		req_field_error(req, "non_field_errors", "You cannot delete your own account.");
		return ktl_bad_request(req);
	}
	if ((rc = users_delete(req->db, &req->arena, &who, r.id)) != CORE_OK)
		return ktl_core(req, rc);
	return ktl_no_content(req);
}
