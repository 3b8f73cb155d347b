/* resource.c - generic handlers for entities and the core-result mapping. */
#include "config.h"
#include "api/resource.h"
#include "core/audit.h"
#include "db/db.h"
#include "http/auth.h"
#include "json/json.h"
#include "util/log.h"

#include <stdio.h>
#include <string.h>

#define PAGE_SIZE_DEFAULT 20
#define PAGE_SIZE_MAX 100

int
reply_core(struct request *req, int rc, const char *label)
{
	switch (rc) {
	case CORE_OK:
		return 0;
	case CORE_NOT_FOUND:
		return reply_error(req, ERR_NOT_FOUND, arena_printf(&req->arena, "%s not found.",
		    label ? label : "Object"));
	case CORE_INVALID:
		return reply_error(req, ERR_VALIDATION, "Invalid input.");
	case CORE_CONFLICT:
		return reply_error(req, ERR_CONFLICT, req->errs.n ? req->errs.e[0].msg :
		    "The request conflicts with the current state of the object.");
	case CORE_FORBIDDEN:
		return reply_error(req, ERR_FORBIDDEN, req->errs.n ? req->errs.e[0].msg : NULL);
	case CORE_BAD_LOGIN:
		return reply_error(req, ERR_UNAUTHORIZED, "Invalid credentials.");
	case CORE_INACTIVE:
		return reply_error(req, ERR_UNAUTHORIZED, "This account is disabled.");
	case CORE_THROTTLED:
		return reply_error(req, ERR_THROTTLED, NULL);
	default:
		if (db_is_disconnect(req->db->err) || req->db->conn == NULL) {
			log_error("database unavailable: %u %s", req->db->err, req->db->errmsg);
			return reply_error(req, ERR_UNAVAILABLE, NULL);
		}
		log_error("database error %u: %s", req->db->err, req->db->errmsg);
		return reply_error(req, ERR_INTERNAL, NULL);
	}
}

long long
res_tenant(const struct request *req, const struct resource *res)
{
	return res->global ? 0 : req->auth.tenant_id;
}

static int load_visible(struct request *req, const struct resource *res, struct ent_row *r);

long long
res_path_id(struct request *req, const struct resource *res)
{
	struct ent_row r;

	if (load_visible(req, res, &r) != CORE_OK)
		return 0;
	return r.id;
}

int
res_page(struct request *req, struct ent_query *q, struct page *pg)
{
	long long page, size;

	memset(pg, 0, sizeof(*pg));
	/* limit/offset (002, 004); limit alone is page_size's alias (001's panel) */
	if (req_query(req, "offset")) {
		if (req_query_int(req, "limit", PAGE_SIZE_DEFAULT, 1, 1000000, &size) < 0 ||
		    req_query_int(req, "offset", 0, 0, 1000000000, &pg->offset) < 0)
			return -1;
		if (size > PAGE_SIZE_MAX)
			size = PAGE_SIZE_MAX;
		pg->limit = pg->page_size = size;
		pg->page = pg->offset / size + 1;
	} else {
		if (req_query_int(req, "page", 1, 1, 1000000, &page) < 0 ||
		    req_query_int(req, req_query(req, "page_size") || !req_query(req, "limit") ?
		    "page_size" : "limit", PAGE_SIZE_DEFAULT, 1, 1000000, &size) < 0)
			return -1;
		if (size > PAGE_SIZE_MAX)
			size = PAGE_SIZE_MAX;           /* clamped, as Django REST framework does */
		pg->page = page;
		pg->page_size = pg->limit = size;
		pg->offset = (page - 1) * size;
	}
	q->limit = pg->limit;
	q->offset = pg->offset;
	return 0;
}

void
res_query(struct request *req, const struct entity *e, struct ent_query *q)
{
	q->search = req_query(req, "search");
	q->ordering = req_query(req, "ordering");
	for (size_t i = 0; i < e->nfields; i++) {
		const char *v;

		if (!(e->fields[i].flags & FF_FILTER))
			continue;
		if ((v = req_query(req, e->fields[i].name)) != NULL && *v)
			ent_query_filter(q, &e->fields[i], v, &req->errs, &req->arena);
	}
}

static void
write_row(struct request *req, const struct resource *res, yajl_gen g, const struct ent_row *r,
    int detail)
{
	jw_obj(g);
	ent_write_fields(g, res->e, r);
	if (res->extra)
		res->extra(req, g, r, detail);
	jw_obj_end(g);
}

int
res_reply_row(struct request *req, const struct resource *res, int status, const char *message,
    long long id)
{
	struct ent_row r;
	yajl_gen g;
	int rc = ent_get_id(req->db, &req->arena, res->e, res_tenant(req, res), id, &r);

	if (rc != CORE_OK)
		return reply_core(req, rc, res->e->label);
	g = reply_begin(req, status, message);
	write_row(req, res, g, &r, 1);
	return reply_end(req, NULL);
}

int
res_reply_list(struct request *req, const struct resource *res, struct ent_query *q,
    struct page *pg)
{
	struct ent_page out;
	yajl_gen g;
	int rc;

	if (req->errs.n)
		return reply_error(req, ERR_VALIDATION, "Invalid query parameters.");
	rc = ent_list(req->db, &req->arena, res->e, res_tenant(req, res), q, &out, &req->errs);
	if (rc == CORE_INVALID)
		return reply_error(req, ERR_VALIDATION, "Invalid query parameters.");
	if (rc != CORE_OK)
		return reply_core(req, rc, res->e->label);
	pg->total = out.total;
	g = reply_begin(req, 200, "Success");
	jw_arr(g);
	for (unsigned i = 0; i < out.nrows; i++)
		write_row(req, res, g, &out.rows[i], 0);
	jw_arr_end(g);
	return reply_end(req, pg);
}

int
res_list(struct request *req)
{
	const struct resource *res = req->route->ctx;
	struct ent_query q;
	struct page pg;

	memset(&q, 0, sizeof(q));
	if (res_page(req, &q, &pg) < 0)
		return reply_error(req, ERR_VALIDATION, "Invalid query parameters.");
	res_query(req, res->e, &q);
	if (res->scope)
		res->scope(req, &q);
	q.versions = req->auth.versions;
	return res_reply_list(req, res, &q, &pg);
}

/* The row named by the path's {id}, if the caller may see it. */
static int
load_visible(struct request *req, const struct resource *res, struct ent_row *r)
{
	int rc = ent_get(req->db, &req->arena, res->e, res_tenant(req, res),
	    req_path_param(req, "id"), r);

	if (rc == CORE_OK && res->visible && !res->visible(req, r))
		rc = CORE_NOT_FOUND;
	return rc;
}

int
res_get(struct request *req)
{
	const struct resource *res = req->route->ctx;
	struct ent_row r;
	yajl_gen g;
	int rc = load_visible(req, res, &r);

	if (rc != CORE_OK)
		return reply_core(req, rc, res->e->label);
	g = reply_begin(req, 200, "Success");
	write_row(req, res, g, &r, 1);
	return reply_end(req, NULL);
}

int
res_create(struct request *req)
{
	const struct resource *res = req->route->ctx;
	struct ent_set s;
	struct actor who;
	long long id = 0;
	int rc;

	if (ent_parse(res->e, req->json, 0, &req->arena, &s, &req->errs) != CORE_OK)
		return reply_error(req, ERR_VALIDATION, "Invalid input.");
	if (res->create)
		rc = res->create(req, &s, &id);
	else {
		rc = ent_check_fks(req->db, &req->arena, res->e, res_tenant(req, res), &s, &req->errs);
		if (rc == CORE_OK)
			rc = ent_create(req->db, &req->arena, res->e, res_tenant(req, res), &s, &id,
			    &req->errs);
		if (rc == CORE_OK) {
			auth_actor(req, &who);
			audit(req->db, &req->arena, &who, "create", res->object_type, id, NULL);
		}
	}
	if (rc != CORE_OK)
		return reply_core(req, rc, res->e->label);
	if (req->replied)
		return 0;               /* the hook answered itself */
	return res_reply_row(req, res, 201, arena_printf(&req->arena, "%s created.",
	    res->e->label), id);
}

int
res_update(struct request *req)
{
	const struct resource *res = req->route->ctx;
	struct ent_set s;
	struct ent_row r;
	struct actor who;
	int rc = load_visible(req, res, &r);

	if (rc != CORE_OK)
		return reply_core(req, rc, res->e->label);
	if (ent_parse(res->e, req->json, strcmp(req->method, "PATCH") == 0, &req->arena, &s,
	    &req->errs) != CORE_OK)
		return reply_error(req, ERR_VALIDATION, "Invalid input.");
	if (res->update)
		rc = res->update(req, r.id, &s);
	else {
		rc = ent_check_fks(req->db, &req->arena, res->e, res_tenant(req, res), &s, &req->errs);
		if (rc == CORE_OK)
			rc = ent_update(req->db, &req->arena, res->e, res_tenant(req, res), r.id, &s,
			    &req->errs);
		if (rc == CORE_OK) {
			auth_actor(req, &who);
			audit(req->db, &req->arena, &who, "update", res->object_type, r.id, NULL);
		}
	}
	if (rc != CORE_OK)
		return reply_core(req, rc, res->e->label);
	return res_reply_row(req, res, 200, arena_printf(&req->arena, "%s updated.",
	    res->e->label), r.id);
}

int
res_delete(struct request *req)
{
	const struct resource *res = req->route->ctx;
	struct ent_row r;
	struct actor who;
	yajl_gen g;
	int rc = load_visible(req, res, &r);

	if (rc != CORE_OK)
		return reply_core(req, rc, res->e->label);
	if (res->remove)
		rc = res->remove(req, r.id);
	else {
		rc = ent_delete(req->db, &req->arena, res->e, res_tenant(req, res), r.id);
		if (rc == CORE_OK) {
			auth_actor(req, &who);
			audit(req->db, &req->arena, &who, "delete", res->object_type, r.id, NULL);
		}
	}
	if (rc != CORE_OK)
		return reply_core(req, rc, res->e->label);
	g = reply_begin(req, 200, arena_printf(&req->arena, "%s deleted.", res->e->label));
	jw_null(g);
	return reply_end(req, NULL);
}
