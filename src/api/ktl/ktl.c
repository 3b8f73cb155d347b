/* ktl.c - the ktl dialect (003): {success, status, message, data, error}
 * for auth, actions and errors; bare objects and Django REST framework pages
 * {count, next, previous, results} for the resources, as the KTL panel reads
 * them.  The route table, and the helpers every ktl handler shares. */
#include "config.h"
#include "api/dialects.h"
#include "api/ktl/ktl.h"
#include "api/native/native.h"
#include "json/json.h"
#include "util/buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define B  R_BODY
#define PB (R_PUBLIC | R_BODY)

/* Most specific first: the router takes the first pattern that matches. */
static const struct route routes[] = {
	{ "POST", "/api/v1/auth/login/",   ktl_login,   PB },
	{ "POST", "/api/v1/auth/refresh/", h_auth_refresh, PB },
	{ "POST", "/api/v1/auth/verify/",  ktl_verify,  PB },
	{ "POST", "/api/v1/auth/logout/",  h_auth_logout, B },

	{ "GET",  "/api/v1/users/profile/",         ktl_profile,         0 },
	{ "POST", "/api/v1/users/change-password/", h_auth_change_password, B },
	{ "GET",  "/api/v1/users/permissions/",     h_auth_my_permissions, 0 },
	{ "GET",  "/api/v1/users/",      ktl_users_list,   0, "users.view_user" },
	{ "POST", "/api/v1/users/",      ktl_users_create, B, "users.add_user" },
	{ "GET",  "/api/v1/users/{id}/", ktl_users_get,    0, "users.view_user" },
	{ "PATCH", "/api/v1/users/{id}/", ktl_users_update, B, "users.change_user" },
	{ "PUT",  "/api/v1/users/{id}/", ktl_users_update, B, "users.change_user" },
	{ "DELETE", "/api/v1/users/{id}/", ktl_users_delete, 0, "users.delete_user" },

	{ "POST", "/api/v1/roles/assign/",      ktl_roles_assign,      B, "roles.assign_role" },
	{ "POST", "/api/v1/roles/bulk-assign/", ktl_roles_bulk_assign, B, "roles.assign_role" },
	{ "GET",  "/api/v1/roles/",      ktl_roles_list,   0, "roles.view_role" },
	{ "POST", "/api/v1/roles/",      ktl_roles_create, B, "roles.add_role" },
	{ "GET",  "/api/v1/roles/{id}/", ktl_roles_get,    0, "roles.view_role" },
	{ "PATCH", "/api/v1/roles/{id}/", ktl_roles_update, B, "roles.change_role" },
	{ "PUT",  "/api/v1/roles/{id}/", ktl_roles_update, B, "roles.change_role" },
	{ "DELETE", "/api/v1/roles/{id}/", ktl_roles_delete, 0, "roles.delete_role" },
	{ "GET",  "/api/v1/user-roles/", ktl_user_roles_list, 0, "roles.view_role" },

	{ "GET",  "/api/v1/permissions/", ktl_permissions_list, 0, "permissions.view_permission" },
	{ "GET",  "/api/v1/permission-categories/", ktl_categories_list, 0,
	  "permissions.view_permission" },
	{ "POST", "/api/v1/permission-categories/", ktl_categories_create, B,
	  "permissions.add_permission" },
	{ "GET",  "/api/v1/custom-permissions/", ktl_custom_perms_list, 0,
	  "permissions.view_permission" },
	{ "POST", "/api/v1/custom-permissions/", ktl_custom_perms_create, B,
	  "permissions.add_permission" },

	{ "GET",  "/api/v1/groups/",      ktl_groups_list,   0, "groups.view_group" },
	{ "POST", "/api/v1/groups/",      ktl_groups_create, B, "groups.add_group" },
	{ "GET",  "/api/v1/groups/{id}/", ktl_groups_get,    0, "groups.view_group" },
	{ "PUT",  "/api/v1/groups/{id}/", ktl_groups_update, B, "groups.change_group" },
	{ "PATCH", "/api/v1/groups/{id}/", ktl_groups_update, B, "groups.change_group" },
	{ "DELETE", "/api/v1/groups/{id}/", ktl_groups_delete, 0, "groups.delete_group" },

	{ "GET",  "/api/v1/organizations/",      ktl_orgs_list,   0, "tenants.view_tenant" },
	{ "POST", "/api/v1/organizations/",      ktl_orgs_create, B, "tenants.add_tenant" },
	{ "GET",  "/api/v1/organizations/{id}/", ktl_orgs_get,    0, "tenants.view_tenant" },
	{ "PUT",  "/api/v1/organizations/{id}/", ktl_orgs_update, B, "tenants.change_tenant" },
	{ "PATCH", "/api/v1/organizations/{id}/", ktl_orgs_update, B, "tenants.change_tenant" },
	{ "DELETE", "/api/v1/organizations/{id}/", ktl_orgs_delete, 0, "tenants.delete_tenant" },

	{ "GET",  "/api/v1/locations/summary/", ktl_locations_summary, 0, "locations.view_location" },
	{ "GET",  "/api/v1/locations/districts/{id}/thanas/", ktl_district_thanas, 0,
	  "locations.view_location" },
	{ "GET",  "/api/v1/locations/districts/{id}/", ktl_district_get, 0,
	  "locations.view_location" },
	{ "GET",  "/api/v1/locations/districts/", ktl_districts_list, 0, "locations.view_location" },
	{ "GET",  "/api/v1/locations/thanas/",    ktl_thanas_list,    0, "locations.view_location" },

	{ "GET",  "/api/v1/dashboard/stats/", ktl_dashboard_stats, 0, "dashboard.view_stats" },
};

/* ---- the envelope, and bare bodies ---- */

/* reply_begin/reply_end with these write no envelope */
static const char bare_message[] = "";
static const struct page bare_page;

static void
ok_begin(struct request *req, const char *message)
{
	yajl_gen g = req->gen;

	if (message == bare_message)
		return;
	jw_obj(g);
	jw_kbool(g, "success", 1);
	jw_kint(g, "status", req->status);
	jw_kstr(g, "message", message ? message : "Success");
	jw_key(g, "data");
}

static void
ok_end(struct request *req, const struct page *pg)
{
	yajl_gen g = req->gen;

	if (pg == &bare_page)
		return;
	jw_knull(g, "error");
	jw_obj_end(g);
}

static void
error(struct request *req, enum err e, const char *message)
{
	yajl_gen g = req->gen;

	/* the shared handlers' generic words, in 003's */
	if (e == ERR_VALIDATION && (!strcmp(message, "Invalid input.") ||
	    !strcmp(message, "Invalid query parameters.")))
		message = "Bad Request";
	jw_obj(g);
	jw_kbool(g, "success", 0);
	jw_kint(g, "status", req->status);
	jw_kstr(g, "message", message);
	jw_key(g, "error");
	if (req->errs.n) {
		/* {"field": ["message"]} as Django REST framework writes it */
		jw_obj(g);
		for (int i = 0; i < req->errs.n; i++) {
			int seen = 0;

			for (int j = 0; j < i && !seen; j++)
				seen = strcmp(req->errs.e[j].field, req->errs.e[i].field) == 0;
			if (seen)
				continue;
			jw_key(g, req->errs.e[i].field);
			jw_arr(g);
			for (int j = i; j < req->errs.n; j++)
				if (strcmp(req->errs.e[j].field, req->errs.e[i].field) == 0)
					jw_str(g, req->errs.e[j].msg);
			jw_arr_end(g);
		}
		jw_obj_end(g);
	} else {
		jw_arr(g);
		jw_arr_end(g);
	}
	jw_obj_end(g);
}

const struct dialect dialect_ktl = {
	"ktl", routes, sizeof(routes) / sizeof(routes[0]), ok_begin, ok_end, error,
};

yajl_gen
ktl_bare_begin(struct request *req, int status)
{
	return reply_begin(req, status, bare_message);
}

int
ktl_bare_end(struct request *req)
{
	return reply_end(req, &bare_page);
}

int
ktl_no_content(struct request *req)
{
	return reply_raw(req, 204, "");
}

int
ktl_bad_request(struct request *req)
{
	return reply_error(req, ERR_VALIDATION, "Bad Request");
}

int
ktl_core(struct request *req, int rc)
{
	switch (rc) {
	case CORE_NOT_FOUND:
		return reply_error(req, ERR_NOT_FOUND, "Not found.");
	case CORE_INVALID:
		return ktl_bad_request(req);
	default:
		return reply_core(req, rc, NULL);
	}
}

/* ---- DRF pages ---- */

#define PAGE_SIZE 20
#define PAGE_SIZE_MAX 100

int
ktl_paginate(struct request *req, struct ent_query *q)
{
	long long page, size;

	if (req_query_int(req, "page", 1, 1, 1000000, &page) < 0) {
		req->errs.n = 0;        /* DRF: a bad page number is a missing page */
		reply_error(req, ERR_NOT_FOUND, "Invalid page.");
		return -1;
	}
	if (req_query_int(req, "page_size", PAGE_SIZE, 1, 1000000, &size) < 0)
		size = PAGE_SIZE, req->errs.n = 0;      /* DRF ignores a bad page_size */
	if (size > PAGE_SIZE_MAX)
		size = PAGE_SIZE_MAX;
	q->limit = size;
	q->offset = (page - 1) * size;
	return 0;
}

/* This request's URL with page=n (n 0: without page), as DRF links pages. */
static void
page_link(struct request *req, yajl_gen g, long long n)
{
	const char *host = req_header(req, "Host");
	const char *https = req_param(req, "HTTPS");
	const char *qs = req->query ? req->query : "";
	struct buf b = BUF_INIT;

	buf_printf(&b, "%s://%s%s", https && *https ? "https" : "http", host ? host : "localhost",
	    req->path);
	{
		int first = 1;

		while (*qs) {
			size_t len = strcspn(qs, "&");

			if (len && !(len >= 5 && strncmp(qs, "page=", 5) == 0) &&
			    !(len == 4 && strncmp(qs, "page", 4) == 0)) {
				buf_printf(&b, "%c%.*s", first ? '?' : '&', (int)len, qs);
				first = 0;
			}
			qs += len;
			if (*qs == '&')
				qs++;
		}
		if (n > 0)
			buf_printf(&b, "%cpage=%lld", first ? '?' : '&', n);
	}
	jw_strn(g, b.data, b.len);
	buf_free(&b);
}

int
ktl_list(struct request *req, const struct entity *e, long long tenant, struct ent_query *q,
    ktl_writer w)
{
	return ktl_list_pre(req, e, tenant, q, w, NULL);
}

int
ktl_list_pre(struct request *req, const struct entity *e, long long tenant,
    struct ent_query *q, ktl_writer w, ktl_prefetch pre)
{
	struct ent_page out;
	long long page;
	yajl_gen g;
	int rc;

	if (req->errs.n)
		return ktl_bad_request(req);
	rc = ent_list(req->db, &req->arena, e, tenant, q, &out, &req->errs);
	if (rc != CORE_OK)
		return ktl_core(req, rc);
	page = q->offset / q->limit + 1;
	if (page > 1 && out.nrows == 0)
		return reply_error(req, ERR_NOT_FOUND, "Invalid page.");
	g = ktl_bare_begin(req, 200);
	jw_obj(g);
	jw_kint(g, "count", out.total);
	jw_key(g, "next");
	if (q->offset + q->limit < out.total)
		page_link(req, g, page + 1);
	else
		jw_null(g);
	jw_key(g, "previous");
	if (page > 1)
		page_link(req, g, page - 1 == 1 ? 0 : page - 1);
	else
		jw_null(g);
	jw_key(g, "results");
	jw_arr(g);
	if (pre)
		pre(req, &out);
	for (unsigned i = 0; i < out.nrows; i++)
		w(req, g, &out.rows[i], 0);
	if (pre)
		pre(req, NULL);
	jw_arr_end(g);
	jw_obj_end(g);
	return ktl_bare_end(req);
}

/* ?ordering= in the core's names, as DRF's OrderingFilter reads it: each
 * comma-separated field (with an optional "-") mapped through map and kept
 * only when e sorts by it; the rest is ignored, never an error. */
const char *
ktl_ordering(struct request *req, const struct entity *e, const struct ktl_alias *map)
{
	const char *in = req_query(req, "ordering");
	struct buf b = BUF_INIT;
	const char *out;

	if (in == NULL || *in == '\0')
		return NULL;
	while (*in) {
		size_t len = strcspn(in, ",");
		int desc = len && *in == '-';
		char *name = arena_strndup(&req->arena, in + desc, len - desc);
		const struct field *f;

		for (const struct ktl_alias *a = map; a && a->api; a++)
			if (strcmp(a->api, name) == 0) {
				name = (char *)a->core;
				break;
			}
		if ((f = ent_field(e, name)) != NULL && (f->flags & FF_SORT))
			buf_printf(&b, "%s%s%s", b.len ? "," : "", desc ? "-" : "", name);
		in += len;
		if (*in == ',')
			in++;
	}
	out = b.len ? arena_strndup(&req->arena, b.data, b.len) : NULL;
	buf_free(&b);
	return out;
}

/* ---- input ---- */

yajl_val
ktl_rename(struct request *req, yajl_val body, const struct ktl_alias *map)
{
	yajl_val out;
	size_t n;

	if (body == NULL || !YAJL_IS_OBJECT(body))
		return body;
	n = body->u.object.len;
	out = arena_calloc(&req->arena, 1, sizeof(*out));
	out->type = yajl_t_object;
	out->u.object.keys = arena_calloc(&req->arena, n + 1, sizeof(char *));
	out->u.object.values = arena_calloc(&req->arena, n + 1, sizeof(yajl_val));
	for (size_t i = 0; i < n; i++) {
		const char *k = body->u.object.keys[i];

		for (const struct ktl_alias *a = map; a->api; a++)
			if (strcmp(a->api, k) == 0) {
				/* the core's own name, when also given, wins */
				k = json_obj_get(body, a->core) ? NULL : a->core;
				break;
			}
		if (k == NULL)
			continue;
		out->u.object.keys[out->u.object.len] = k;
		out->u.object.values[out->u.object.len++] = body->u.object.values[i];
	}
	return out;
}

void
ktl_unalias(struct request *req, const struct ktl_alias *map)
{
	for (int i = 0; i < req->errs.n; i++)
		for (const struct ktl_alias *a = map; a->api; a++)
			if (strcmp(req->errs.e[i].field, a->core) == 0 &&
			    (json_obj_get(req->json, a->api) ||
			    (a->doc && !json_obj_get(req->json, a->core)))) {
				req->errs.e[i].field = a->api;
				break;
			}
}

long long
ktl_ref(struct request *req, const struct entity *e, yajl_val v, const char *field)
{
	struct ent_row r;
	const char *idstr = NULL;
	int rc;

	if (v && YAJL_IS_INTEGER(v) && v->u.number.i > 0)
		idstr = arena_printf(&req->arena, "%lld", v->u.number.i);
	else if (v && YAJL_IS_STRING(v) && *v->u.string && strlen(v->u.string) <= 36)
		idstr = v->u.string;
	if (idstr == NULL) {
		req_field_error(req, field, "A valid id (a number or a UUID) is required.");
		return 0;
	}
	rc = ent_get(req->db, &req->arena, e, (e->flags & (EF_TENANT | EF_TENANT_SHARED)) ?
	    req->auth.tenant_id : 0, idstr, &r);
	if (rc == CORE_OK)
		return r.id;
	if (rc == CORE_NOT_FOUND)
		req_field_error(req, field, arena_printf(&req->arena,
		    "Invalid pk \"%s\" - object does not exist.", idstr));
	else
		req_field_error(req, field, "Could not be checked now; try again.");
	return 0;
}

yajl_val
ktl_ref_array(struct request *req, const struct entity *e, yajl_val v, const char *field)
{
	yajl_val out;
	size_t n;

	if (v == NULL)
		return NULL;
	if (!YAJL_IS_ARRAY(v) || v->u.array.len > 500) {
		req_field_error(req, field, "Expected a list of at most 500 ids.");
		return NULL;
	}
	n = v->u.array.len;
	out = arena_calloc(&req->arena, 1, sizeof(*out));
	out->type = yajl_t_array;
	out->u.array.values = arena_calloc(&req->arena, n + 1, sizeof(yajl_val));
	for (size_t i = 0; i < n; i++) {
		yajl_val x = arena_calloc(&req->arena, 1, sizeof(*x));
		long long id = ktl_ref(req, e, v->u.array.values[i], field);

		if (id == 0)
			return NULL;
		x->type = yajl_t_number;
		x->u.number.i = id;
		x->u.number.flags = YAJL_NUMBER_INT_VALID;
		x->u.number.r = arena_printf(&req->arena, "%lld", id);
		out->u.array.values[out->u.array.len++] = x;
	}
	return out;
}

void
ktl_write_json_text(yajl_gen g, const char *text)
{
	yajl_val v = text ? yajl_tree_parse(text, NULL, 0) : NULL;

	if (v == NULL) {
		jw_null(g);
		return;
	}
	json_write_value(g, v);
	yajl_tree_free(v);
}

int
ktl_truth(const char *v)
{
	return v != NULL && strcmp(v, "0") != 0 && *v != '\0';
}
