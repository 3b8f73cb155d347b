/* billing.c - bitwave's login, customers, plans (list, create, delete,
 * performance) and router records: 000's bare shapes over the core's
 * entities.  Lists are whole (FastAPI's skip/limit narrow them). */
#include "config.h"
#include "api/bitwave/bitwave.h"
#include "api/native/native.h"
#include "api/resource.h"
#include "core/audit.h"
#include "core/billing.h"
#include "core/bitwave_support.h"
#include "core/core.h"
#include "core/rbac.h"
#include "core/sessions.h"
#include "core/users.h"
#include "http/auth.h"
#include "json/json.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LIST_DEFAULT 1000       /* rows of a bare list unless ?limit= */
#define LIST_MAX     5000

/* ---- login ---- */

int
bw_login(struct request *req)
{
	struct session s;
	const char *tok;
	time_t exp;
	yajl_gen g;
	int rc = native_login(req, &s);    /* throttled and audited there */

	if (rc == CORE_INVALID)
		return reply_error(req, ERR_VALIDATION, NULL);
	if (rc == CORE_BAD_LOGIN || rc == CORE_INACTIVE) {
		req_add_header(req, "WWW-Authenticate", "Bearer");
		return reply_error(req, ERR_UNAUTHORIZED, "Incorrect username or password");
	}
	if (rc != CORE_OK)
		return reply_core(req, rc, "User");
	if ((tok = auth_issue_access(req, s.user_id, s.tenant_id, s.family, &exp)) == NULL)
		return reply_error(req, ERR_INTERNAL, NULL);
	g = reply_begin(req, 200, NULL);
	jw_obj(g);
	jw_kstr(g, "access_token", tok);
	jw_kstr(g, "token_type", "bearer");
	jw_obj_end(g);
	return reply_end(req, NULL);
}

/* 000 knows active, inactive and expired: a hotspot customer is active
 * while a subscription is, expired once it ended, inactive otherwise (an
 * account suspended or cancelled, or nothing bought yet) */
static const char *
customer_status(const struct ent_row *r)
{
	const struct entity *e = &ent_bw_customer;
	const char *s = ent_val(e, r, "status");

	if (s && strcmp(s, "active") && strcmp(s, "expired"))
		return "inactive";
	if (ent_val_int(e, r, "active_subscriptions_count") > 0)
		return "active";
	return ent_val_int(e, r, "subscriptions_count") > 0 ? "expired" : "inactive";
}

/* hours from now to a DATETIME text, 2 decimals; < 0 when unknown */
static double
hours_left(const char *t)
{
	struct tm tm;
	char *end;

	memset(&tm, 0, sizeof(tm));
	if (t == NULL || (end = strptime(t, "%Y-%m-%d %H:%M:%S", &tm)) == NULL)
		return -1;
	return (double)(long long)((double)(timegm(&tm) - time(NULL)) / 36.0) / 100.0;
}

static void
write_customer(yajl_gen g, const struct ent_row *r, int active)
{
	const struct entity *e = &ent_bw_customer;

	jw_obj(g);
	jw_kint(g, "id", r->id);
	jw_kstr(g, "name", ent_val(e, r, "name"));
	jw_kstr(g, "phone", ent_val(e, r, "phone"));
	jw_kstr(g, "mac_address", ent_val(e, r, "mac_address"));
	jw_kstr(g, "status", customer_status(r));
	bw_time(g, "expiry", ent_val(e, r, "expiry"));
	if (active) {
		double h = hours_left(ent_val(e, r, "expiry"));

		if (h >= 0)
			jw_kdouble(g, "hours_remaining", h);
		else
			jw_knull(g, "hours_remaining");
	}
	jw_key(g, "plan");
	if (ent_val(e, r, "plan_id")) {
		jw_obj(g);
		jw_kint(g, "id", ent_val_int(e, r, "plan_id"));
		jw_kstr(g, "name", ent_val(e, r, "plan_name"));
		bw_price(g, "price", ent_val(e, r, "plan_price"));
		jw_obj_end(g);
	} else
		jw_null(g);
	jw_key(g, "router");
	if (ent_val(e, r, "router_id")) {
		jw_obj(g);
		jw_kint(g, "id", ent_val_int(e, r, "router_id"));
		jw_kstr(g, "name", ent_val(e, r, "router_name"));
		jw_obj_end(g);
	} else
		jw_null(g);
	jw_obj_end(g);
}

/* Start a bare list of e in the caller's scope: the rows, or -1 with the
 * reply sent.  owner: the scope's reseller as an owner_id filter. */
static int
scoped_list(struct request *req, const struct entity *e, struct ent_query *q,
    struct ent_page *out)
{
	long long skip, limit;
	int rc;

	if (req->errs.n)
		return reply_error(req, ERR_VALIDATION, NULL), -1;
	if (bw_window(req, LIST_DEFAULT, LIST_MAX, &skip, &limit) < 0)
		return -1;
	q->limit = limit;
	q->offset = skip;
	q->ordering = "id";
	rc = ent_list(req->db, &req->arena, e, req->auth.tenant_id, q, out, &req->errs);
	if (rc != CORE_OK) {
		reply_core(req, rc, e->label);
		return -1;
	}
	return 0;
}

/* the scope's reseller as an owner_id filter; 0, 1 (nothing can match) or -1 */
static int
owner_filter(struct request *req, const struct entity *e, struct ent_query *q, int plans)
{
	struct stats_scope sc;

	memset(q, 0, sizeof(*q));
	if (bw_scope(req, &sc) < 0)
		return -1;
	if (sc.none)
		return 1;
	if (sc.owner_id && plans)
		bitwave_plans_of(q, sc.owner_id);
	else if (sc.owner_id)
		ent_query_filter(q, ent_field(e, "owner_id"), arena_printf(&req->arena, "%lld",
		    sc.owner_id), &req->errs, &req->arena);
	return 0;
}

static int
empty_list(struct request *req)
{
	yajl_gen g = reply_begin(req, 200, NULL);

	jw_arr(g);
	jw_arr_end(g);
	return reply_end(req, NULL);
}

static int
customers(struct request *req, int active)
{
	struct ent_query q;
	struct ent_page pg;
	yajl_gen g;
	int rc = owner_filter(req, &ent_bw_customer, &q, 0);

	if (rc)
		return rc < 0 ? -1 : empty_list(req);
	/* the whole list is kept while the tenant's version stands; the
	 * active one reads the clock, so it is always asked */
	if (active)
		bitwave_customers_active(&q);
	else
		q.versions = req->auth.versions;
	if (scoped_list(req, &ent_bw_customer, &q, &pg) < 0)
		return -1;
	g = reply_begin(req, 200, NULL);
	jw_arr(g);
	for (unsigned i = 0; i < pg.nrows; i++)
		write_customer(g, &pg.rows[i], active);
	jw_arr_end(g);
	return reply_end(req, NULL);
}

int bw_customers(struct request *req) { return customers(req, 0); }
int bw_customers_active(struct request *req) { return customers(req, 1); }

/* ---- plans ---- */

/* "5" kbps-or-mbps-or-gbps as "5M" */
static void
speed(struct request *req, yajl_gen g, const char *key, const struct ent_row *r,
    const char *col)
{
	const char *unit = ent_val(&ent_bw_plan, r, "speed_unit");
	const char *v = ent_val(&ent_bw_plan, r, col);

	jw_kstr(g, key, arena_printf(&req->arena, "%s%s", v ? v : "0",
	    unit && !strcmp(unit, "kbps") ? "k" : unit && !strcmp(unit, "gbps") ? "G" : "M"));
}

static void
kint_or_null(yajl_gen g, const char *key, const char *v)
{
	jw_key(g, key);
	if (v)
		jw_raw_number(g, v);
	else
		jw_null(g);
}

/* the owner, or the creating user for a shared plan */
static long long
plan_user(struct request *req, const struct entity *e, const struct ent_row *r)
{
	long long owner = ent_val_int(e, r, "owner_id");

	return owner > 0 ? owner : req->auth.user_id;
}

static void
write_plan(struct request *req, yajl_gen g, const struct ent_row *r)
{
	const struct entity *e = &ent_bw_plan;

	jw_obj(g);
	jw_kint(g, "id", r->id);
	jw_kstr(g, "name", ent_val(e, r, "name"));
	bw_price(g, "price", ent_val(e, r, "price"));
	kint_or_null(g, "duration_value", ent_val(e, r, "duration_value"));
	jw_kstr(g, "duration_unit", ent_val(e, r, "duration_unit"));
	speed(req, g, "download_speed", r, "download_speed");
	speed(req, g, "upload_speed", r, "upload_speed");
	/* beyond the example: what the create form shows */
	jw_kstr(g, "speed", ent_val(e, r, "speed"));
	jw_kstr(g, "connection_type", ent_val(e, r, "connection_type"));
	jw_kstr(g, "router_profile", ent_val(e, r, "router_profile"));
	jw_kbool(g, "is_active", strcmp(ent_val(e, r, "is_active"), "0") != 0);
	jw_kint(g, "user_id", plan_user(req, e, r));
	jw_obj_end(g);
}

int
bw_plans(struct request *req)
{
	struct ent_query q;
	struct ent_page pg;
	const char *ct = req_query(req, "connection_type");
	yajl_gen g;
	int rc = owner_filter(req, &ent_bw_plan, &q, 1);

	if (rc)
		return rc < 0 ? -1 : empty_list(req);
	q.versions = req->auth.versions;
	if (ct && *ct)
		ent_query_filter(&q, ent_field(&ent_plan, "connection_type"), ct, &req->errs,
		    &req->arena);
	if (scoped_list(req, &ent_bw_plan, &q, &pg) < 0)
		return -1;
	g = reply_begin(req, 200, NULL);
	jw_arr(g);
	for (unsigned i = 0; i < pg.nrows; i++)
		write_plan(req, g, &pg.rows[i]);
	jw_arr_end(g);
	return reply_end(req, NULL);
}

/* user_id of a create body: a reseller of the tenant owns the plan; an
 * admin or nobody leaves it shared.  -1 with a field error. */
static long long
body_owner(struct request *req)
{
	struct actor who;
	long long uid = 0, owner = 0;

	auth_actor(req, &who);
	if (rbac_is_reseller(&who))
		return who.user_id;
	switch (json_get_int(req->json, "user_id", 1, LLONG_MAX, &uid)) {
	case JSON_OK:
		break;
	case JSON_MISSING:
	case JSON_NULL:
		return 0;
	default:
		req_field_error(req, "user_id", "Input should be a valid integer");
		return -1;
	}
	if (bw_reseller(req, uid, &owner) != CORE_OK) {
		req_field_error(req, "user_id", "No such user in this organization.");
		return -1;
	}
	return owner;
}

int
bw_plan_create(struct request *req)
{
	static const char *const need[] = { "name", "speed", "price", "duration_value",
	    "duration_unit", "connection_type", NULL };
	struct ent_set s;
	struct ent_row r;
	long long id, owner;
	yajl_gen g;
	int rc;

	for (int i = 0; need[i]; i++) {
		yajl_val v = json_obj_get(req->json, need[i]);

		if (v == NULL || YAJL_IS_NULL(v))
			req_field_error(req, need[i], "Field required");
	}
	owner = body_owner(req);
	ent_parse(&ent_plan, req->json, 0, &req->arena, &s, &req->errs);
	if (req->errs.n)
		return reply_error(req, ERR_VALIDATION, NULL);
	ent_set_del(&s, "owner_id");
	if (owner > 0)
		ent_set_add(&s, ent_field(&ent_plan, "owner_id"), db_int(owner));
	if ((rc = plans_prepare(&req->arena, &s, req->json, 1, &req->errs)) != CORE_OK ||
	    (rc = ent_create(req->db, &req->arena, &ent_plan, req->auth.tenant_id, &s, &id,
	    &req->errs)) != CORE_OK ||
	    (rc = ent_get_id(req->db, &req->arena, &ent_plan, req->auth.tenant_id, id, &r)) !=
	    CORE_OK)
		return rc == CORE_INVALID ? reply_error(req, ERR_VALIDATION, NULL) :
		    reply_core(req, rc, "Plan");
	{
		struct actor who;

		auth_actor(req, &who);
		audit(req->db, &req->arena, &who, "create", "plan", id, NULL);
	}
	g = reply_begin(req, 200, NULL);
	jw_obj(g);
	jw_kint(g, "id", id);
	jw_kstr(g, "name", ent_val(&ent_plan, &r, "name"));
	jw_kstr(g, "speed", ent_val(&ent_plan, &r, "speed"));
	bw_price(g, "price", ent_val(&ent_plan, &r, "price"));
	kint_or_null(g, "duration_value", ent_val(&ent_plan, &r, "duration_value"));
	/* 000 answers the unit as it was sent: HOURS */
	{
		char *u = arena_strdup(&req->arena, ent_val(&ent_plan, &r, "duration_unit") ?
		    ent_val(&ent_plan, &r, "duration_unit") : "");

		for (char *c = u; *c; c++)
			*c = (char)(*c >= 'a' && *c <= 'z' ? *c - 32 : *c);
		jw_kstr(g, "duration_unit", *u ? u : NULL);
	}
	jw_kstr(g, "connection_type", ent_val(&ent_plan, &r, "connection_type"));
	jw_kstr(g, "router_profile", ent_val(&ent_plan, &r, "router_profile"));
	jw_kint(g, "user_id", plan_user(req, &ent_plan, &r));
	bw_time(g, "created_at", ent_val(&ent_plan, &r, "created_at"));
	jw_obj_end(g);
	return reply_end(req, NULL);
}

int
bw_plan_delete(struct request *req)
{
	const char *idstr = req_path_param(req, "plan_id");
	struct actor who;
	struct ent_row r;
	long long id;
	char *end;
	yajl_gen g;
	int rc;

	id = strtoll(idstr ? idstr : "", &end, 10);
	if (idstr == NULL || *idstr == '\0' || *end != '\0' || id <= 0 || strlen(idstr) > 18) {
		req_field_error(req, "plan_id", "Input should be a valid integer");
		return reply_error(req, ERR_VALIDATION, NULL);
	}
	auth_actor(req, &who);
	rc = ent_get_id(req->db, &req->arena, &ent_plan, who.tenant_id, id, &r);
	if (rc == CORE_OK && rbac_is_reseller(&who) &&
	    ent_val_int(&ent_plan, &r, "owner_id") != who.user_id)
		rc = CORE_NOT_FOUND;            /* the shared catalogue is the admins' */
	if (rc == CORE_OK)
		rc = plans_delete(req->db, &req->arena, &who, id, &req->errs);
	if (rc != CORE_OK)
		return reply_core(req, rc, "Plan");
	g = reply_begin(req, 200, NULL);
	jw_obj(g);
	jw_kbool(g, "success", 1);
	jw_kstr(g, "message", arena_printf(&req->arena, "Plan '%s' deleted successfully",
	    ent_val(&ent_plan, &r, "name")));
	jw_obj_end(g);
	return reply_end(req, NULL);
}

int
bw_plans_performance(struct request *req)
{
	struct stats_scope sc;
	struct stats_period p;
	struct stats_plan_perf *v;
	yajl_gen g;
	int rc, n;

	if (bw_scope(req, &sc) < 0)
		return -1;
	if (stats_period(req_query(req, "start_date"), req_query(req, "end_date"), 0, &p,
	    &req->errs) != CORE_OK)
		return reply_error(req, ERR_VALIDATION, NULL);
	if ((rc = stats_plan_performance(req->db, &req->arena, &sc, &p, &v, &n)) != CORE_OK)
		return reply_core(req, rc, "Plans");
	g = reply_begin(req, 200, NULL);
	jw_obj(g);
	jw_key(g, "plans");
	jw_arr(g);
	for (int i = 0; i < n; i++) {
		jw_obj(g);
		jw_kint(g, "plan_id", v[i].plan_id);
		jw_kstr(g, "plan_name", v[i].name);
		bw_price(g, "plan_price", v[i].price ? v[i].price : "0");
		jw_kstr(g, "duration", v[i].duration);
		jw_kint(g, "total_customers", v[i].customers);
		jw_kint(g, "total_sales", v[i].sales);
		jw_kmoney(g, "total_revenue", v[i].revenue);
		jw_kmoney(g, "average_revenue_per_sale", v[i].avg_revenue);
		jw_kint(g, "active_customers", v[i].active_customers);
		jw_obj_end(g);
	}
	jw_arr_end(g);
	jw_key(g, "period");
	jw_obj(g);
	jw_kstr(g, "start_date", p.start);
	jw_kstr(g, "end_date", p.end);
	jw_obj_end(g);
	jw_obj_end(g);
	return reply_end(req, NULL);
}

/* ---- routers ---- */

int
bw_routers(struct request *req)
{
	const struct entity *e = &ent_bw_router;
	struct ent_query q;
	struct ent_page pg;
	yajl_gen g;
	int rc = owner_filter(req, e, &q, 0);

	if (rc)
		return rc < 0 ? -1 : empty_list(req);
	q.versions = req->auth.versions;
	if (scoped_list(req, e, &q, &pg) < 0)
		return -1;
	g = reply_begin(req, 200, NULL);
	jw_arr(g);
	for (unsigned i = 0; i < pg.nrows; i++) {
		const struct ent_row *r = &pg.rows[i];

		jw_obj(g);
		jw_kint(g, "id", r->id);
		jw_kstr(g, "name", ent_val(e, r, "name"));
		jw_kstr(g, "ip_address", ent_val(e, r, "ip_address"));
		kint_or_null(g, "port", ent_val(e, r, "port"));
		jw_kstr(g, "status", ent_val(e, r, "status"));
		jw_obj_end(g);
	}
	jw_arr_end(g);
	return reply_end(req, NULL);
}
