/* ktl.h - the ktl dialect (003): handlers grouped by file, and the helpers
 * they share: bare Django REST framework bodies beside the envelope, DRF
 * pages, field aliases, ids given as uuids or numbers. */
#ifndef ISP_KTL_H
#define ISP_KTL_H

#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "api/resource.h"
#include "core/entity.h"
#include "http/request.h"

/* ktl.c: replies */
/* A body without the envelope (one object as DRF answers it). */
yajl_gen ktl_bare_begin(struct request *req, int status);
int      ktl_bare_end(struct request *req);
/* 204 and no body: DRF's answer to DELETE. */
int      ktl_no_content(struct request *req);
/* CORE_* to the envelope's errors (400 "Bad Request" with field errors). */
int      ktl_core(struct request *req, int rc);
int      ktl_bad_request(struct request *req);

/* ktl.c: DRF pages {count, next, previous, results}, 20 a page, ?page= */
typedef void (*ktl_writer)(struct request *req, yajl_gen g, const struct ent_row *r,
    int detail);
/* Fill q's limit/offset from ?page= and ?page_size=; -1 after replying 404 "Invalid page." */
int  ktl_paginate(struct request *req, struct ent_query *q);
/* List e in tenant (0: not tenant-scoped) with q and answer the page. */
int  ktl_list(struct request *req, const struct entity *e, long long tenant,
    struct ent_query *q, ktl_writer w);
/* The same, pre(req, page) called once the page is read and before its
 * rows are written (to fetch what they show in one query), and
 * pre(req, NULL) after. */
struct ent_page;
typedef void (*ktl_prefetch)(struct request *req, const struct ent_page *page);
int  ktl_list_pre(struct request *req, const struct entity *e, long long tenant,
    struct ent_query *q, ktl_writer w, ktl_prefetch pre);

/* ktl.c: input */
struct ktl_alias {
	const char *api;        /* the caller's name: "mobile" */
	const char *core;       /* the core's: "phone" */
	int doc;                /* api is the document's own name: errors on core
	                         * are named api unless the caller used core */
};
/* A copy of the object body with each alias renamed to its core name (a
 * core name given as well wins); allocated in the request's arena. */
yajl_val ktl_rename(struct request *req, yajl_val body, const struct ktl_alias *map);
/* Field errors back under the names the caller used (or the document's). */
void ktl_unalias(struct request *req, const struct ktl_alias *map);
/* ?ordering= mapped through map to e's sortable fields; others ignored. */
const char *ktl_ordering(struct request *req, const struct entity *e,
    const struct ktl_alias *map);
/* An id given as a number or a uuid string, looked up in e (tenant
 * rules of e); 0 with a field error when it names nothing. */
long long ktl_ref(struct request *req, const struct entity *e, yajl_val v, const char *field);
/* An array of such ids as an array of numeric ids (NULL stays NULL). */
yajl_val ktl_ref_array(struct request *req, const struct entity *e, yajl_val v,
    const char *field);
/* A string from a JSON tree node: for JSON text columns. */
void ktl_write_json_text(yajl_gen g, const char *text);
/* "1"/"0" column text as a boolean */
int  ktl_truth(const char *v);

/* auth.c (refresh, logout, change-password and one's permissions: native's) */
int ktl_login(struct request *req);
int ktl_verify(struct request *req);
int ktl_profile(struct request *req);
void ktl_write_user(struct request *req, yajl_gen g, const struct ent_row *r, int detail);
/* ktl_list_pre's prefetch for a page of users: their roles in one query */
void ktl_users_prefetch(struct request *req, const struct ent_page *page);

/* users.c */
int ktl_users_list(struct request *req);
int ktl_users_create(struct request *req);
int ktl_users_get(struct request *req);
int ktl_users_update(struct request *req);
int ktl_users_delete(struct request *req);

/* rbac.c */
int ktl_roles_list(struct request *req);
int ktl_roles_create(struct request *req);
int ktl_roles_get(struct request *req);
int ktl_roles_update(struct request *req);
int ktl_roles_delete(struct request *req);
int ktl_roles_assign(struct request *req);
int ktl_roles_bulk_assign(struct request *req);
int ktl_user_roles_list(struct request *req);
int ktl_permissions_list(struct request *req);
int ktl_categories_list(struct request *req);
int ktl_categories_create(struct request *req);
int ktl_custom_perms_list(struct request *req);
int ktl_custom_perms_create(struct request *req);
int ktl_groups_list(struct request *req);
int ktl_groups_create(struct request *req);
int ktl_groups_get(struct request *req);
int ktl_groups_update(struct request *req);
int ktl_groups_delete(struct request *req);

/* org.c */
int ktl_orgs_list(struct request *req);
int ktl_orgs_create(struct request *req);
int ktl_orgs_get(struct request *req);
int ktl_orgs_update(struct request *req);
int ktl_orgs_delete(struct request *req);
int ktl_districts_list(struct request *req);
int ktl_district_get(struct request *req);
int ktl_thanas_list(struct request *req);
int ktl_district_thanas(struct request *req);
int ktl_locations_summary(struct request *req);
int ktl_dashboard_stats(struct request *req);

#endif
