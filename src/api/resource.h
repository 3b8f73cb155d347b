/* resource.h - an entity served over HTTP: generic list, get, create,
 * update and delete handlers driven by a route's ctx, plus the mapping of
 * core results to replies.  Shared by every dialect. */
#ifndef ISP_RESOURCE_H
#define ISP_RESOURCE_H

#include "core/actor.h"
#include "core/entity.h"
#include "http/request.h"

struct resource {
	const struct entity *e;
	const char *object_type;        /* audit name: "role" */
	/* Optional behaviour; NULL means the generic one.  A create hook may
	 * reply itself (req->replied), else the new row is the answer. */
	int  (*create)(struct request *req, struct ent_set *s, long long *id);
	int  (*update)(struct request *req, long long id, struct ent_set *s);
	int  (*remove)(struct request *req, long long id);
	/* add computed members to an open object (detail: a single object) */
	void (*extra)(struct request *req, yajl_gen g, const struct ent_row *r, int detail);
	/* narrow a list (resellers, own tenant) */
	void (*scope)(struct request *req, struct ent_query *q);
	/* may the caller see this row (default: yes) */
	int  (*visible)(struct request *req, const struct ent_row *r);
	int  global;                    /* not tenant-scoped (tenants, locations) */
};

int res_list(struct request *req);
int res_get(struct request *req);
int res_create(struct request *req);
int res_update(struct request *req);      /* PUT: full; PATCH: partial */
int res_delete(struct request *req);

/* Building blocks for hand-written handlers. */
long long res_tenant(const struct request *req, const struct resource *res);
/* page/page_size (native) or limit/offset: fills q and pg; -1 on a bad value. */
int  res_page(struct request *req, struct ent_query *q, struct page *pg);
/* search, ordering and the entity's filters from the query string. */
void res_query(struct request *req, const struct entity *e, struct ent_query *q);
/* Reply with one row (status 200 or 201) through the resource's extras. */
int  res_reply_row(struct request *req, const struct resource *res, int status,
    const char *message, long long id);
int  res_reply_list(struct request *req, const struct resource *res, struct ent_query *q,
    struct page *pg);
/* CORE_* to a reply; label names the object in "X not found." */
int  reply_core(struct request *req, int rc, const char *label);
/* A JSON id in the path: 0 if it is not one. */
long long res_path_id(struct request *req, const struct resource *res);

#endif
