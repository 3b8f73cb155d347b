/* org.c - ktl (003) organizations (the core's tenants), Bangladesh
 * districts and thanas, the locations summary and the dashboard figures. */
#include "config.h"
#include "api/ktl/ktl.h"
#include "api/native/native.h"
#include "core/locations.h"
#include "core/rbac.h"
#include "core/tenants.h"
#include "core/users.h"
#include "db/db.h"
#include "http/auth.h"
#include "json/json.h"

#include <string.h>

/* ---- organizations ---- */

static const struct ktl_alias org_alias[] = {
	{ "company_name", "name", 1 },
	{ "company_code", "code", 1 },
	{ "email", "contact_email", 0 },
	{ "phone", "contact_phone", 0 },
	{ NULL, NULL, 0 },
};

static void
write_org(struct request *req, yajl_gen g, const struct ent_row *r, int detail)
{
	static const char *const strs[] = {
		"business_license", "vat_registration", "address", "contact_email", "contact_phone",
		"website", "organization_type", NULL,
	};
	static const char *const shares[] = {
		"default_reseller_share", "default_sub_reseller_share", "default_ktl_share_with_sub",
		"default_reseller_share_with_sub", NULL,
	};
	static const char *const limits[] = { "max_routers", "max_users", "max_customers", NULL };
	const struct entity *e = &ent_tenant;

	(void)req;
	(void)detail;
	jw_obj(g);
	jw_kstr(g, "id", ent_val(e, r, "uuid"));
	jw_kstr(g, "company_name", ent_val(e, r, "name"));
	jw_kstr(g, "company_code", ent_val(e, r, "code"));
	for (const char *const *k = strs; *k; k++)
		jw_kstr(g, *k, ent_val(e, r, *k));
	jw_kbool(g, "revenue_sharing_enabled", ktl_truth(ent_val(e, r, "revenue_sharing_enabled")));
	for (const char *const *k = shares; *k; k++) {
		jw_key(g, *k);
		jw_raw_number(g, ent_val(e, r, *k) ? ent_val(e, r, *k) : "0.00");
	}
	jw_key(g, "billing_settings");
	ktl_write_json_text(g, ent_val(e, r, "billing_settings"));
	jw_key(g, "sync_settings");
	ktl_write_json_text(g, ent_val(e, r, "sync_settings"));
	for (const char *const *k = limits; *k; k++) {
		jw_key(g, *k);
		if (ent_val(e, r, *k))
			jw_int(g, ent_val_int(e, r, *k));
		else
			jw_null(g);
	}
	jw_kbool(g, "allow_registration", ktl_truth(ent_val(e, r, "allow_registration")));
	jw_kbool(g, "is_active", ktl_truth(ent_val(e, r, "is_active")));
	jw_kint(g, "users_count", ent_val_int(e, r, "users_count"));
	jw_key(g, "created_at");
	jw_dbtime(g, ent_val(e, r, "created_at"));
	jw_key(g, "updated_at");
	jw_dbtime(g, ent_val(e, r, "updated_at"));
	jw_obj_end(g);
}

/* the organization of the path, if the caller may see it */
static int
load_org(struct request *req, const struct actor *who, struct ent_row *r)
{
	int rc = ent_get(req->db, &req->arena, &ent_tenant, 0, req_path_param(req, "id"), r);

	if (rc == CORE_OK && !tenants_visible(who, r->id))
		rc = CORE_NOT_FOUND;
	return rc;
}

static int
reply_org(struct request *req, int status, long long id)
{
	struct ent_row r;
	yajl_gen g;
	int rc = ent_get_id(req->db, &req->arena, &ent_tenant, 0, id, &r);

	if (rc != CORE_OK)
		return ktl_core(req, rc);
	g = ktl_bare_begin(req, status);
	write_org(req, g, &r, 1);
	return ktl_bare_end(req);
}

int
ktl_orgs_list(struct request *req)
{
	struct ent_query q;

	memset(&q, 0, sizeof(q));
	if (ktl_paginate(req, &q) < 0)
		return 0;
	q.search = req_query(req, "search");
	q.ordering = ktl_ordering(req, &ent_tenant, org_alias);
	for (size_t i = 0; i < ent_tenant.nfields; i++) {
		const char *v;

		if ((ent_tenant.fields[i].flags & FF_FILTER) &&
		    (v = req_query(req, ent_tenant.fields[i].name)) != NULL && *v)
			ent_query_filter(&q, &ent_tenant.fields[i], v, &req->errs, &req->arena);
	}
	/* everyone but a super admin sees only their own organization */
	if (!req->auth.is_superuser)
		ent_query_cond(&q, "t.id = ?", 1, db_int(req->auth.tenant_id), db_null());
	return ktl_list(req, &ent_tenant, 0, &q, write_org);
}

/* organization body in the core's words; errors under the caller's names */
static int
org_parse(struct request *req, int partial, struct ent_set *s)
{
	yajl_val body = ktl_rename(req, req->json, org_alias);

	if (ent_parse(&ent_tenant, body, partial, &req->arena, s, &req->errs) != CORE_OK) {
		ktl_unalias(req, org_alias);
		return CORE_INVALID;
	}
	return CORE_OK;
}

int
ktl_orgs_create(struct request *req)
{
	struct ent_set s;
	struct actor who;
	long long id = 0;
	int rc;

	if (org_parse(req, 0, &s) != CORE_OK)
		return ktl_bad_request(req);
	auth_actor(req, &who);
	if ((rc = tenants_create(req->db, &req->arena, &who, &s, &id, &req->errs)) != CORE_OK) {
		ktl_unalias(req, org_alias);
		return ktl_core(req, rc);
	}
	return reply_org(req, 201, id);
}

int
ktl_orgs_get(struct request *req)
{
	struct ent_row r;
	struct actor who;
	yajl_gen g;
	int rc;

	auth_actor(req, &who);
	if ((rc = load_org(req, &who, &r)) != CORE_OK)
		return ktl_core(req, rc);
	g = ktl_bare_begin(req, 200);
	write_org(req, g, &r, 1);
	return ktl_bare_end(req);
}

/* PUT and PATCH alike: what is given changes */
int
ktl_orgs_update(struct request *req)
{
	struct ent_set s;
	struct ent_row r;
	struct actor who;
	int rc;

	auth_actor(req, &who);
	if ((rc = load_org(req, &who, &r)) != CORE_OK)
		return ktl_core(req, rc);
	if (org_parse(req, 1, &s) != CORE_OK)
		return ktl_bad_request(req);
	if ((rc = tenants_update(req->db, &req->arena, &who, r.id, &s, &req->errs)) != CORE_OK) {
		ktl_unalias(req, org_alias);
		return ktl_core(req, rc);
	}
	return reply_org(req, 200, r.id);
}

int
ktl_orgs_delete(struct request *req)
{
	struct ent_row r;
	struct actor who;
	int rc;

	auth_actor(req, &who);
	if ((rc = load_org(req, &who, &r)) == CORE_OK)
		rc = tenants_delete(req->db, &req->arena, &who, r.id);
	if (rc == CORE_CONFLICT)
		return reply_error(req, ERR_CONFLICT, "You cannot delete your own organization.");
	if (rc != CORE_OK)
		return ktl_core(req, rc);
	return ktl_no_content(req);
}

/* ---- locations ---- */

static void
write_district(struct request *req, yajl_gen g, const struct ent_row *r, int detail)
{
	(void)req;
	(void)detail;
	ent_write(g, &ent_district, r);
}

static void
write_thana(struct request *req, yajl_gen g, const struct ent_row *r, int detail)
{
	(void)req;
	(void)detail;
	ent_write(g, &ent_thana, r);
}

static int
places(struct request *req, const struct entity *e, ktl_writer w, long long district)
{
	struct ent_query q;

	memset(&q, 0, sizeof(q));
	if (ktl_paginate(req, &q) < 0)
		return 0;
	q.search = req_query(req, "search");
	q.ordering = ktl_ordering(req, e, NULL);
	for (size_t i = 0; i < e->nfields; i++) {
		const char *v;

		if ((e->fields[i].flags & FF_FILTER) && (v = req_query(req, e->fields[i].name)) &&
		    *v)
			ent_query_filter(&q, &e->fields[i], v, &req->errs, &req->arena);
	}
	if (district)
		ent_query_cond(&q, "t.district_id = ?", 1, db_int(district), db_null());
	return ktl_list(req, e, 0, &q, w);
}

int
ktl_districts_list(struct request *req)
{
	return places(req, &ent_district, write_district, 0);
}

int
ktl_thanas_list(struct request *req)
{
	return places(req, &ent_thana, write_thana, 0);
}

int
ktl_district_get(struct request *req)
{
	struct ent_row r;
	yajl_gen g;
	int rc = ent_get(req->db, &req->arena, &ent_district, 0, req_path_param(req, "id"), &r);

	if (rc != CORE_OK)
		return ktl_core(req, rc);
	g = ktl_bare_begin(req, 200);
	write_district(req, g, &r, 1);
	return ktl_bare_end(req);
}

int
ktl_district_thanas(struct request *req)
{
	struct ent_row d;
	int rc = ent_get(req->db, &req->arena, &ent_district, 0, req_path_param(req, "id"), &d);

	if (rc != CORE_OK)
		return ktl_core(req, rc);
	return places(req, &ent_thana, write_thana, d.id);
}

int
ktl_locations_summary(struct request *req)
{
	struct locations_summary s;
	yajl_gen g;
	int rc = locations_summary(req->db, &req->arena, &s);

	if (rc != CORE_OK)
		return ktl_core(req, rc);
	g = ktl_bare_begin(req, 200);
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
	return ktl_bare_end(req);
}

/* ---- dashboard ---- */

int
ktl_dashboard_stats(struct request *req)
{
	struct identity_stats st;
	yajl_gen g;
	int rc = rbac_stats(req->db, &req->arena, req->auth.tenant_id, &st);

	if (rc != CORE_OK)
		return ktl_core(req, rc);
	g = ktl_bare_begin(req, 200);
	native_write_identity_stats(g, &st);
	return ktl_bare_end(req);
}
