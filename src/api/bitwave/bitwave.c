/* bitwave.c - the bitwave dialect (000): route table, bare JSON bodies,
 * FastAPI-style errors, and the writers its handlers share. */
#include "config.h"
#include "api/bitwave/bitwave.h"
#include "api/dialects.h"
#include "api/native/native.h"
#include "api/resource.h"
#include "core/audit.h"
#include "core/core.h"
#include "core/rbac.h"
#include "core/users.h"
#include "http/auth.h"
#include "json/json.h"
#include "util/conf.h"
#include "util/log.h"

#include <limits.h>
#include <string.h>

#define PUBB (R_PUBLIC | R_BODY)
#define B R_BODY

/* Static paths before {id} paths that could also match them. */
static const struct route routes[] = {
	{ "POST",   "/api/auth/login",                bw_login,                PUBB },
	{ "GET",    "/api/dashboard/overview",        bw_dashboard_overview,   0, "stats.view" },
	{ "GET",    "/api/customers",                 bw_customers,            0, "customers.view" },
	{ "GET",    "/api/customers/active",          bw_customers_active,     0, "customers.view" },
	{ "GET",    "/api/plans",                     bw_plans,                0, "plans.view" },
	{ "POST",   "/api/plans/create",              bw_plan_create,          B, "plans.add" },
	{ "GET",    "/api/plans/performance",         bw_plans_performance,    0, "stats.view" },
	{ "DELETE", "/api/plans/{plan_id}",           bw_plan_delete,          0, "plans.delete" },
	{ "GET",    "/api/mpesa/transactions",        bw_transactions,         0, "mpesa.view" },
	{ "GET",    "/api/mpesa/transactions/summary", bw_transactions_summary, 0, "mpesa.view" },
	{ "GET",    "/api/routers",                   bw_routers,              0, "routers.view" },
	/* native's handler writes 000's shape already; {id} is its name */
	{ "GET",    "/api/routers/{id}/users",        h_router_hotspot_users,  0, "routers.view" },
	/* the panel's home screen, beyond the document */
	{ "GET",    "/api/dashboard/analytics",       bw_dashboard_analytics,  0, "stats.view" },
	{ "GET",    "/api/mikrotik/health",           bw_mikrotik_health,      0, "routers.view" },
	{ "GET",    "/api/mikrotik/bandwidth-history", bw_bandwidth_history,   0, "routers.view" },
	{ "GET",    "/api/mikrotik/top-users",        bw_top_users,            0, "routers.view" },
};

static void
ok_begin(struct request *req, const char *message)
{
	(void)req;
	(void)message;          /* bare bodies: the data value is the whole body */
}

static void
ok_end(struct request *req, const struct page *pg)
{
	(void)req;
	(void)pg;
}

/* where FastAPI says a field came from: "path", "query" or "body" */
static const char *
field_loc(struct request *req, const char *field)
{
	for (int i = 0; i < req->npath; i++)
		if (!strcmp(req->pnames[i], field))
			return "path";
	if (req_query(req, field) != NULL || req->route == NULL || !(req->route->flags & R_BODY))
		return "query";
	return "body";
}

static const char *
field_type(const char *msg)
{
	if (!strcmp(msg, "This field is required.") || !strcmp(msg, "Field required"))
		return "missing";
	if (!strncmp(msg, "A whole number", 14))
		return "int_parsing";
	return "value_error";
}

static void
error(struct request *req, enum err e, const char *message)
{
	yajl_gen g = req->gen;

	if (e == ERR_VALIDATION || e == ERR_PARSE)
		req->status = 422;              /* FastAPI's RequestValidationError */
	else if (e == ERR_CONFLICT || e == ERR_BUSINESS)
		req->status = 400;              /* its HTTPException(400) for a rule */
	if (e == ERR_VALIDATION && req->errs.n) {
		jw_obj(g);
		jw_key(g, "detail");
		jw_arr(g);
		for (int i = 0; i < req->errs.n; i++) {
			const char *type;

			jw_obj(g);
			jw_key(g, "loc");
			jw_arr(g);
			jw_str(g, field_loc(req, req->errs.e[i].field));
			jw_str(g, req->errs.e[i].field);
			jw_arr_end(g);
			type = field_type(req->errs.e[i].msg);
			jw_kstr(g, "msg", strcmp(type, "missing") ? req->errs.e[i].msg :
			    "Field required");
			jw_kstr(g, "type", type);
			jw_obj_end(g);
		}
		jw_arr_end(g);
		jw_obj_end(g);
		return;
	}
	if (e == ERR_PARSE) {
		jw_obj(g);
		jw_key(g, "detail");
		jw_arr(g);
		jw_obj(g);
		jw_key(g, "loc");
		jw_arr(g);
		jw_str(g, "body");
		jw_arr_end(g);
		jw_kstr(g, "msg", message);
		jw_kstr(g, "type", "json_invalid");
		jw_obj_end(g);
		jw_arr_end(g);
		jw_obj_end(g);
		return;
	}
	/* FastAPI's own words where the dispatcher speaks */
	if (req->route == NULL && e == ERR_NOT_FOUND)
		message = "Not Found";
	else if (e == ERR_METHOD_NOT_ALLOWED)
		message = "Method Not Allowed";
	else if (e == ERR_UNAUTHORIZED && req->route && !(req->route->flags & R_PUBLIC))
		message = req_header(req, "Authorization") || req_header(req, "X-Client-Key") ?
		    "Could not validate credentials" : "Not authenticated";
	jw_obj(g);
	jw_kstr(g, "detail", message);
	jw_obj_end(g);
}

/* The panel sends no token outside the router endpoints: from an address
 * of bitwave_trusted_addresses (REMOTE_ADDR as nginx gives it, never a
 * forwarded header) a call without a credential acts as ?user_id=, a
 * user of bitwave_trusted_tenant; logged and audited, each one. */
static enum err
trusted(struct request *req)
{
	const struct config *cfg = req->cfg;
	struct actor who;
	long long uid = 0;
	enum err e;

	if (cfg == NULL || !config_addr_listed(cfg->bitwave_trusted_addresses, req->remote_addr))
		return ERR_UNAUTHORIZED;
	if (req_query_int(req, "user_id", 0, 1, LLONG_MAX, &uid) < 0 || uid == 0) {
		req->errs.n = 0;        /* no identity: as without the setting */
		log_warn("bitwave: trusted address %s called %s %s without a user_id: refused",
		    req->remote_addr, req->method, req->path);
		return ERR_UNAUTHORIZED;
	}
	if ((e = auth_as_trusted(req, uid, cfg->bitwave_trusted_tenant)) != ERR_NONE) {
		if (e == ERR_UNAUTHORIZED)
			log_warn("bitwave: trusted address %s named user %lld, not an active user "
			    "of tenant %s: refused", req->remote_addr, uid, cfg->bitwave_trusted_tenant);
		return e;
	}
	log_warn("bitwave: call without a token from trusted address %s as user %lld (%s): "
	    "%s %s", req->remote_addr, uid, req->auth.username, req->method, req->path);
	auth_actor(req, &who);
	audit(req->db, &req->arena, &who, "trusted_call", "user", uid,
	    arena_printf(&req->arena, "{\"address\": \"%s\", \"method\": \"%s\", "
	    "\"route\": \"%s\"}", req->remote_addr, req->route->method, req->route->pattern));
	return ERR_NONE;
}

const struct dialect dialect_bitwave = {
	"bitwave", routes, sizeof(routes) / sizeof(routes[0]), ok_begin, ok_end, error, trusted,
};

/* ---- shared writers ---- */

void
bw_time(yajl_gen g, const char *key, const char *t)
{
	char tmp[40];
	size_t n;

	jw_key(g, key);
	if (t == NULL) {
		jw_null(g);
		return;
	}
	n = strlen(t);
	if (n < 19 || n >= sizeof(tmp) || t[10] != ' ') {
		jw_str(g, t);           /* not a DATETIME: as it is */
		return;
	}
	memcpy(tmp, t, n + 1);
	tmp[10] = 'T';
	if (n > 19 && strspn(tmp + 20, "0") == n - 20)
		tmp[19] = '\0';         /* pydantic leaves out a zero fraction */
	jw_str(g, tmp);
}

void
bw_price(yajl_gen g, const char *key, const char *decimal)
{
	int64_t c = stats_cents(decimal);

	jw_key(g, key);
	if (decimal == NULL)
		jw_null(g);
	else if (c % 100 == 0)
		jw_int(g, c / 100);
	else
		jw_money(g, c);
}

int
bw_reseller(struct request *req, long long uid, long long *owner)
{
	struct actor who;
	struct ent_row u;
	int rc = ent_get_id(req->db, &req->arena, &ent_user, req->auth.tenant_id, uid, &u);

	*owner = 0;
	if (rc != CORE_OK)
		return rc;
	memset(&who, 0, sizeof(who));
	who.user_id = uid;
	who.user_type = ent_val(&ent_user, &u, "user_type");
	if (rbac_is_reseller(&who))
		*owner = uid;
	return CORE_OK;
}

int
bw_scope(struct request *req, struct stats_scope *sc)
{
	struct actor who;
	long long uid = 0;
	int rc;

	memset(sc, 0, sizeof(*sc));
	if (req_query_int(req, "user_id", 0, 1, LLONG_MAX, &uid) < 0) {
		reply_error(req, ERR_VALIDATION, NULL);
		return -1;
	}
	auth_actor(req, &who);
	sc->tenant_id = req->auth.tenant_id;
	if (rbac_is_reseller(&who)) {
		sc->owner_id = who.user_id;
		return 0;
	}
	if (uid == 0)
		return 0;
	rc = bw_reseller(req, uid, &sc->owner_id);
	if (rc == CORE_NOT_FOUND) {
		sc->owner_id = uid;
		sc->none = 1;           /* nobody of this tenant: nothing */
	} else if (rc != CORE_OK) {
		reply_core(req, rc, "User");
		return -1;
	}
	return 0;
}

int
bw_window(struct request *req, long long def, long long max, long long *skip, long long *limit)
{
	if (req_query_int(req, "skip", 0, 0, LLONG_MAX / 2, skip) < 0 ||
	    req_query_int(req, "limit", def, 1, max, limit) < 0) {
		reply_error(req, ERR_VALIDATION, NULL);
		return -1;
	}
	return 0;
}
