/* mikrobill.c - the mikrobill dialect (004): {success, data, metadata, error}. */
#include "config.h"
#include "api/dialects.h"
#include "api/mikrobill/mikrobill.h"
#include "api/native/native.h"
#include "json/json.h"

#include <string.h>

#define PUB R_PUBLIC
#define PUBB (R_PUBLIC | R_BODY)
#define B R_BODY
#define I "/v1/internal"

/* Static paths before {id} paths that could also match them. */
static const struct route routes[] = {
	{ "POST", "/v1/auth/login",    mb_login,    PUBB },
	{ "POST", "/v1/auth/register", mb_register, PUBB },
	{ "POST", "/v1/auth/refresh",  mb_refresh,  PUBB },
	{ "POST", "/v1/auth/logout",   h_auth_logout, B },
	{ "GET",  "/v1/auth/profile",  mb_profile,  0 },
	{ "PATCH", "/v1/auth/profile", mb_profile_update, B },
	{ "PUT",  "/v1/auth/profile",  mb_profile_update, B },

	{ "POST", I "/tenant",            res_create, B, "tenants.add_tenant",    &res_tenants },
	{ "GET",  I "/tenant/list",       res_list,   0, "tenants.view_tenant",   &res_tenants },
	{ "GET",  I "/tenant/{id}/stats", h_tenant_stats, 0, "tenants.view_tenant" },
	{ "GET",  I "/tenant/{id}",       res_get,    0, "tenants.view_tenant",   &res_tenants },
	{ "PUT",  I "/tenant/{id}",       mb_put,     B, "tenants.change_tenant", &res_tenants },
	{ "PATCH", I "/tenant/{id}",      res_update, B, "tenants.change_tenant", &res_tenants },
	{ "DELETE", I "/tenant/{id}",     res_delete, 0, "tenants.delete_tenant", &res_tenants },

	{ "POST", I "/client-upsert",  h_clients_upsert,      B, "api_clients.manage_client" },
	{ "POST", I "/client-find",    h_clients_find,        B, "api_clients.view_client" },
	{ "DELETE", I "/client-delete", h_clients_delete_many, B, "api_clients.manage_client" },

	{ "POST", I "/mikrotik",            res_create, B, "routers.add",    &res_routers },
	{ "POST", I "/mikrotik/list",       mb_mikrotik_list,   B, "routers.view" },
	{ "GET",  I "/mikrotik/active",     mb_mikrotik_active, 0, "routers.view" },
	{ "GET",  I "/mikrotik/{id}",       res_get,    0, "routers.view",   &res_routers },
	{ "PUT",  I "/mikrotik/{id}",       mb_put,     B, "routers.change", &res_routers },
	{ "PATCH", I "/mikrotik/{id}",      res_update, B, "routers.change", &res_routers },
	{ "DELETE", I "/mikrotik/{id}",     res_delete, 0, "routers.delete", &res_routers },
	{ "PATCH", I "/mikrotik/{id}/status",   mb_mikrotik_status,   B, "routers.change" },
	{ "PATCH", I "/mikrotik/{id}/activate", mb_mikrotik_activate, B, "routers.view" },
	/* a one-time ticket for the WebSocket streams (ispbill-monitor) */
	{ "POST", I "/monitor/ticket",      h_stream_ticket,    0, "routers.view" },

	{ "POST", I "/ppp/secret",        mb_secret_write, B, "routers.change" },
	{ "GET",  I "/ppp/secret/list",   mb_secret_list,  0, "routers.view" },
	{ "GET",  I "/ppp/secret/{id}",   mb_secret_get,   0, "routers.view" },
	{ "PUT",  I "/ppp/secret/{id}",   mb_secret_write, B, "routers.change" },
	{ "PATCH", I "/ppp/secret/{id}",  mb_secret_write, B, "routers.change" },
	{ "DELETE", I "/ppp/secret/{id}", mb_secret_write, 0, "routers.change" },
	{ "POST", I "/ppp/profile",       mb_profile_write, B, "routers.change" },
	{ "GET",  I "/ppp/profile/list",  mb_profile_list,  0, "routers.view" },
	{ "GET",  I "/ppp/profile/{id}",  mb_profile_get,   0, "routers.view" },
	{ "PUT",  I "/ppp/profile/{id}",  mb_profile_write, B, "routers.change" },
	{ "PATCH", I "/ppp/profile/{id}", mb_profile_write, B, "routers.change" },
	{ "DELETE", I "/ppp/profile/{id}", mb_profile_write, 0, "routers.change" },

	{ "POST", I "/profile",        res_create, B, "plans.add",    &mb_plans },
	{ "GET",  I "/profile/list",   res_list,   0, "plans.view",   &mb_plans },
	{ "GET",  I "/profile/{id}",   res_get,    0, "plans.view",   &mb_plans },
	{ "PUT",  I "/profile/{id}",   mb_put,     B, "plans.change", &mb_plans },
	{ "PATCH", I "/profile/{id}",  res_update, B, "plans.change", &mb_plans },
	{ "DELETE", I "/profile/{id}", res_delete, 0, "plans.delete", &mb_plans },

	{ "POST", I "/customer",           mb_customer_create, B, "customers.add" },
	{ "GET",  I "/customer/list",      mb_customer_list,   0, "customers.view" },
	{ "GET",  I "/customer/{id}/ping", mb_customer_ping,   0, "customers.view" },
	{ "GET",  I "/customer/{id}",      mb_customer_get,    0, "customers.view" },
	{ "PUT",  I "/customer/{id}",      mb_put,     B, "customers.change", &res_customers },
	{ "PATCH", I "/customer/{id}",     res_update, B, "customers.change", &res_customers },
	{ "DELETE", I "/customer/{id}",    mb_customer_delete, 0, "customers.delete" },

	/* the router's key, or the tenant's X-Client-Key, checked by the handler */
	{ "POST", "/v1/callbacks/pppoe/up",   mb_pppoe_up,   PUBB },
	{ "POST", "/v1/callbacks/pppoe/down", mb_pppoe_down, PUBB },

	{ "GET",  "/v1/client/ping", mb_client_ping, 0 },
};

int
mb_put(struct request *req)
{
	req->method = "PATCH";
	return res_update(req);
}

int
mb_page(struct request *req, struct ent_query *q, struct page *pg)
{
	long long v;

	if (res_page(req, q, pg) < 0)
		return -1;
	switch (json_get_int(req->json, "limit", 1, 1000000, &v)) {
	case JSON_OK:
		pg->limit = pg->page_size = v > 100 ? 100 : v;
		break;
	case JSON_MISSING:
	case JSON_NULL:
		break;
	default:
		req_field_error(req, "limit", "Ensure this value is an integer of at least 1.");
		return -1;
	}
	switch (json_get_int(req->json, "offset", 0, 1000000000, &v)) {
	case JSON_OK:
		pg->offset = v;
		break;
	case JSON_MISSING:
	case JSON_NULL:
		break;
	default:
		req_field_error(req, "offset", "Ensure this value is an integer of at least 0.");
		return -1;
	}
	pg->page = pg->offset / pg->limit + 1;
	q->limit = pg->limit;
	q->offset = pg->offset;
	return 0;
}

int
mb_reply_wrapped(struct request *req, const struct resource *res, struct ent_query *q,
    struct page *pg, const char *key, void (*extra)(struct request *req, yajl_gen g))
{
	struct ent_page out;
	yajl_gen g;
	int rc;

	if (req->errs.n)
		return reply_error(req, ERR_VALIDATION, "Invalid query parameters.");
	q->versions = req->auth.versions;
	rc = ent_list(req->db, &req->arena, res->e, res_tenant(req, res), q, &out, &req->errs);
	if (rc == CORE_INVALID)
		return reply_error(req, ERR_VALIDATION, "Invalid query parameters.");
	if (rc != CORE_OK)
		return reply_core(req, rc, res->e->label);
	pg->total = out.total;
	g = reply_begin(req, 200, NULL);
	jw_obj(g);
	jw_key(g, key);
	jw_arr(g);
	for (unsigned i = 0; i < out.nrows; i++) {
		jw_obj(g);
		ent_write_fields(g, res->e, &out.rows[i]);
		if (res->extra)
			res->extra(req, g, &out.rows[i], 0);
		jw_obj_end(g);
	}
	jw_arr_end(g);
	jw_kint(g, "total", out.total);
	if (extra)
		extra(req, g);
	jw_obj_end(g);
	return reply_end(req, pg);
}

static void
ok_begin(struct request *req, const char *message)
{
	yajl_gen g = req->gen;

	(void)message;
	jw_obj(g);
	jw_kbool(g, "success", 1);
	jw_key(g, "data");
}

static void
ok_end(struct request *req, const struct page *pg)
{
	yajl_gen g = req->gen;

	jw_key(g, "metadata");
	if (pg) {
		jw_obj(g);
		jw_kint(g, "total", pg->total);
		jw_kint(g, "limit", pg->limit);
		jw_kint(g, "offset", pg->offset);
		jw_obj_end(g);
	} else
		jw_null(g);
	jw_knull(g, "error");
	jw_obj_end(g);
}

static void
error(struct request *req, enum err e, const char *message)
{
	yajl_gen g = req->gen;

	jw_obj(g);
	jw_kbool(g, "success", 0);
	jw_knull(g, "data");
	jw_knull(g, "metadata");
	jw_key(g, "error");
	jw_obj(g);
	jw_kstr(g, "code", err_code(e));
	jw_kstr(g, "message", message);
	if (req->errs.n) {
		jw_key(g, "fields");
		jw_obj(g);
		for (int i = 0; i < req->errs.n; i++)
			jw_kstr(g, req->errs.e[i].field, req->errs.e[i].msg);
		jw_obj_end(g);
	}
	jw_obj_end(g);
	jw_obj_end(g);
}

const struct dialect dialect_mikrobill = {
	"mikrobill", routes, sizeof(routes) / sizeof(routes[0]), ok_begin, ok_end, error,
};
