/* devices.c - mikrobill (004) MikroTik devices: the list with filters, the
 * caller's active device, reachability, PPP secrets and profiles read and
 * written live on a device with RouterOS's own (hyphenated) keys, the
 * PPPoE up/down callbacks and the client ping.  Records are the core's
 * routers; the live work is core/provision.c's. */
#include "config.h"
#include "api/mikrobill/mikrobill.h"
#include "api/native/native.h"
#include "core/billing.h"
#include "core/mikrobill_support.h"
#include "core/provision.h"
#include "http/auth.h"
#include "json/json.h"
#include "util/log.h"
#include "util/timeutil.h"

#include <stdio.h>
#include <string.h>

/* ---- records ---- */

/* POST {search?, name?, status?, router_type?, limit?, offset?}: data.mikrotiks[] */
int
mb_mikrotik_list(struct request *req)
{
	static const char *const filters[] = { "status", "router_type", "use_tls", NULL };
	struct ent_query q;
	struct page pg;
	const char *v;

	memset(&q, 0, sizeof(q));
	if (mb_page(req, &q, &pg) < 0)
		return reply_error(req, ERR_VALIDATION, "Invalid input.");
	res_query(req, &ent_router, &q);
	if ((json_get_str(req->json, "search", &v) == JSON_OK ||
	    json_get_str(req->json, "name", &v) == JSON_OK) && *v)
		q.search = v;
	for (int i = 0; filters[i]; i++) {
		yajl_val f = json_obj_get(req->json, filters[i]);
		const char *s = NULL;

		if (f && YAJL_IS_STRING(f))
			s = f->u.string;
		else if (f && (YAJL_IS_TRUE(f) || YAJL_IS_FALSE(f)))
			s = YAJL_IS_TRUE(f) ? "true" : "false";
		else if (f && !YAJL_IS_NULL(f))
			req_field_error(req, filters[i], "Not a valid string.");
		if (s && *s)
			ent_query_filter(&q, ent_field(&ent_router, filters[i]), s, &req->errs,
			    &req->arena);
	}
	return mb_reply_wrapped(req, &res_routers, &q, &pg, "mikrotiks", NULL);
}

static void
actor_of(struct request *req, struct actor *who)
{
	auth_actor(req, who);
}

int
mb_mikrotik_active(struct request *req)
{
	struct actor who;
	long long id;
	int rc;

	actor_of(req, &who);
	if ((rc = mb_active_router(req->db, &req->arena, &who, &id)) != CORE_OK)
		return rc == CORE_NOT_FOUND ? reply_error(req, ERR_NOT_FOUND,
		    "No MikroTik device is active: add one first.") : reply_core(req, rc, NULL);
	return res_reply_row(req, &res_routers, 200, NULL, id);
}

int
mb_mikrotik_activate(struct request *req)
{
	struct actor who;
	long long id = res_path_id(req, &res_routers);
	int rc;

	if (id <= 0)
		return reply_error(req, ERR_NOT_FOUND, "Router not found.");
	actor_of(req, &who);
	if ((rc = mb_set_active_router(req->db, &req->arena, &who, id)) != CORE_OK)
		return reply_core(req, rc, "Router");
	return res_reply_row(req, &res_routers, 200, "Device activated.", id);
}

/* a router failure in 004's error shape */
static int
router_failed(struct request *req, const struct prov *p, int rc)
{
	char msg[400];

	if (rc != PROV_ROUTER)
		return reply_core(req, rc, "Router");
	ros_error_format(&p->err, msg, sizeof(msg));
	log_warn("mikrobill: router %lld: %s", p->router_id, msg);
	if (p->err.code == ROS_ETRAP) {
		req_field_error(req, "router", p->err.message);
		return reply_error(req, ERR_VALIDATION, arena_printf(&req->arena,
		    "RouterOS refused: %s", p->err.message));
	}
	return reply_error(req, prov_unreachable(&p->err) ? ERR_EXTERNAL_TIMEOUT : ERR_EXTERNAL,
	    arena_printf(&req->arena, "MikroTik device failed: %s", msg));
}

/* PATCH {status?}: the given status, or (no status) the live answer of the
 * device, which sets online or offline */
int
mb_mikrotik_status(struct request *req)
{
	long long id = res_path_id(req, &res_routers);
	struct ent_set s;
	struct prov_test t;
	struct prov p;
	int rc;

	if (id <= 0)
		return reply_error(req, ERR_NOT_FOUND, "Router not found.");
	if (json_obj_get(req->json, "status")) {
		struct ent_set all;

		if (ent_parse(&ent_router, req->json, 1, &req->arena, &all, &req->errs) != CORE_OK)
			return reply_error(req, ERR_VALIDATION, "Invalid input.");
		memset(&s, 0, sizeof(s));
		for (int i = 0; i < all.n; i++)
			if (!strcmp(all.f[i]->name, "status"))
				ent_set_add(&s, all.f[i], all.p[i]);
		rc = ent_update(req->db, &req->arena, &ent_router, req->auth.tenant_id, id, &s,
		    &req->errs);
		if (rc != CORE_OK)
			return reply_core(req, rc, "Router");
		return res_reply_row(req, &res_routers, 200, "Status updated.", id);
	}
	memset(&p, 0, sizeof(p));
	rc = prov_test(req->db, &req->arena, req->cfg, req->auth.tenant_id, id, &t, &p.err);
	if (rc != CORE_OK && rc != PROV_ROUTER)
		return reply_core(req, rc, "Router");
	/* unreachable is an answer here: the record now says offline */
	return res_reply_row(req, &res_routers, 200, rc == CORE_OK ? "Device is online." :
	    "Device is offline.", id);
}

/* ---- live menus on the chosen device ---- */

/* A device named in the body ("mikrotik_id" or "router_id"): 1 and *id,
 * 0 when none is, -1 (a field error for mikrotik_id) when it is no id. */
static int
body_device(struct request *req, long long *id)
{
	const char *k = json_obj_get(req->json, "mikrotik_id") ? "mikrotik_id" :
	    json_obj_get(req->json, "router_id") ? "router_id" : NULL;

	if (k == NULL)
		return 0;
	if (json_get_int(req->json, k, 1, (1LL << 62), id) != JSON_OK) {
		req_field_error(req, "mikrotik_id", "A valid id is required.");
		return -1;
	}
	return 1;
}

/* The device: ?mikrotik_id= (or router_id, or X-Mikrotik-Id, or the
 * body's mikrotik_id), else the caller's active one; opened.  0 when open,
 * else the reply's value with *replied set. */
static int
open_device(struct request *req, int extra_ms, struct prov *p, int *replied)
{
	const char *sel = req_query(req, "mikrotik_id");
	struct actor who;
	struct ent_row r;
	long long id = 0;
	int rc;

	*replied = 1;
	memset(p, 0, sizeof(*p));
	if (!sel)
		sel = req_query(req, "router_id");
	if (!sel)
		sel = req_header(req, "X-Mikrotik-Id");
	if (!sel && req->json) {
		if ((rc = body_device(req, &id)) < 0)
			return reply_error(req, ERR_VALIDATION, "Invalid input.");
		if (rc)
			sel = arena_printf(&req->arena, "%lld", id);
	}
	actor_of(req, &who);
	if (sel && *sel) {
		if ((rc = ent_get(req->db, &req->arena, &ent_router, who.tenant_id, sel, &r)) != CORE_OK) {
			if (rc != CORE_NOT_FOUND)
				return reply_core(req, rc, "Router");
			req_field_error(req, "mikrotik_id", "No such MikroTik device.");
			return reply_error(req, ERR_VALIDATION, "Invalid input.");
		}
		id = r.id;
	} else if ((rc = mb_active_router(req->db, &req->arena, &who, &id)) != CORE_OK)
		return rc == CORE_NOT_FOUND ? reply_error(req, ERR_NOT_FOUND,
		    "No MikroTik device is active: add one first.") : reply_core(req, rc, NULL);
	rc = prov_open(req->db, &req->arena, req->cfg, who.tenant_id, id, extra_ms, p);
	if (rc != CORE_OK) {
		rc = router_failed(req, p, rc);
		prov_close(p);
		return rc;
	}
	*replied = 0;
	return 0;
}

/* an item with RouterOS's keys as they are (".id", "local-address");
 * passwords masked */
static void
write_ros(yajl_gen g, const struct ros_item *it)
{
	jw_obj(g);
	for (size_t i = 0; i < it->n; i++) {
		const struct ros_word *k = &it->attrs[i].key, *v = &it->attrs[i].value;

		jw_strn(g, k->p, k->len);
		if (k->len == 8 && !memcmp(k->p, "password", 8))
			jw_str(g, "***hidden***");
		else
			ros_json_word(g, v->p, v->len);
	}
	jw_obj_end(g);
}

/* the item whose .id or name is key */
static const struct ros_item *
find_item(const struct ros_result *res, const char *key)
{
	for (size_t i = 0; i < res->nitems; i++) {
		const char *id = ros_item_str(&res->items[i], ".id");
		const char *name = ros_item_str(&res->items[i], "name");

		if ((id && !strcmp(id, key)) || (name && !strcmp(name, key)))
			return &res->items[i];
	}
	return NULL;
}

/* GET list (key NULL) or one item */
static int
menu_read(struct request *req, const char *menu, const char *key)
{
	struct ros_result res;
	const struct ros_item *it = NULL;
	struct page pg;
	struct prov p;
	yajl_gen g;
	int replied, rc = open_device(req, 0, &p, &replied);

	if (replied)
		return rc;
	memset(&res, 0, sizeof(res));      /* empty: the calls below initialise it */
	rc = prov_print(&p, menu, NULL, &res);
	prov_close(&p);
	if (rc != CORE_OK) {
		ros_result_free(&res);
		return router_failed(req, &p, rc);
	}
	if (key && (it = find_item(&res, key)) == NULL) {
		ros_result_free(&res);
		return reply_error(req, ERR_NOT_FOUND, arena_printf(&req->arena,
		    "No %s \"%s\" on the MikroTik device.", menu, key));
	}
	g = reply_begin(req, 200, NULL);
	if (it)
		write_ros(g, it);
	else {
		jw_arr(g);
		for (size_t i = 0; i < res.nitems; i++)
			write_ros(g, &res.items[i]);
		jw_arr_end(g);
	}
	memset(&pg, 0, sizeof(pg));
	pg.total = pg.limit = (long long)res.nitems;
	ros_result_free(&res);
	return reply_end(req, it ? NULL : &pg);
}

/* what a body may set, in RouterOS's words; "local_address" is taken for
 * "local-address" too */
static const char *const secret_keys[] = {
	"name", "password", "profile", "service", "local-address", "remote-address", "caller-id",
	"routes", "limit-bytes-in", "limit-bytes-out", "comment", NULL,
};
static const char *const profile_keys[] = {
	"name", "rate-limit", "local-address", "remote-address", "dns-server", "only-one",
	"parent-queue", "address-list", "session-timeout", "idle-timeout", "comment", NULL,
};

static int
body_attrs(struct request *req, const char *const *keys, struct ros_kv *kv, size_t *n,
    int need_name)
{
	yajl_val dis;

	*n = 0;
	for (int i = 0; keys[i]; i++) {
		char alt[40];
		const char *v = NULL, *field = keys[i];
		size_t k;

		for (k = 0; keys[i][k] && k < sizeof(alt) - 1; k++)
			alt[k] = keys[i][k] == '-' ? '_' : keys[i][k];
		alt[k] = '\0';
		if (!json_obj_get(req->json, field) && json_obj_get(req->json, alt))
			field = alt;
		switch (json_get_str(req->json, field, &v)) {
		case JSON_OK:
			break;
		case JSON_MISSING:
		case JSON_NULL:
			if (need_name && !strcmp(keys[i], "name"))
				req_field_error(req, "name", "This field is required.");
			continue;
		default:
			req_field_error(req, field, "Not a valid string.");
			continue;
		}
		if (strlen(v) > 250 || strpbrk(v, "\r\n") || (!*v && !strcmp(keys[i], "name"))) {
			req_field_error(req, field, *v ? "At most 250 characters, on one line." :
			    "This field may not be blank.");
			continue;
		}
		kv[*n].key = keys[i];
		kv[(*n)++].value = v;
	}
	if ((dis = json_obj_get(req->json, "disabled")) != NULL && !YAJL_IS_NULL(dis)) {
		const char *s = YAJL_IS_TRUE(dis) ? "yes" : YAJL_IS_FALSE(dis) ? "no" :
		    YAJL_IS_STRING(dis) && (!strcmp(dis->u.string, "yes") ||
		    !strcmp(dis->u.string, "true")) ? "yes" : YAJL_IS_STRING(dis) &&
		    (!strcmp(dis->u.string, "no") || !strcmp(dis->u.string, "false")) ? "no" : NULL;

		if (s) {
			kv[*n].key = "disabled";
			kv[(*n)++].value = s;
		} else
			req_field_error(req, "disabled", "Must be a boolean, \"yes\" or \"no\".");
	}
	return req->errs.n ? -1 : 0;
}

/* POST (add), PUT/PATCH (set), DELETE (remove) by name or .id; answers the
 * item as the device then holds it */
static int
menu_write(struct request *req, const char *menu, const char *const *keys)
{
	const char *key = req_path_param(req, "id"), *name = key;
	int adding = !strcmp(req->method, "POST"), removing = !strcmp(req->method, "DELETE");
	struct ros_kv kv[24];
	struct ros_result res;
	const struct ros_item *it;
	struct prov p;
	size_t n = 0;
	yajl_gen g;
	int replied, rc;

	if (!removing && body_attrs(req, keys, kv, &n, adding) < 0)
		return reply_error(req, ERR_VALIDATION, "Invalid input.");
	rc = open_device(req, 0, &p, &replied);
	if (replied)
		return rc;
	memset(&res, 0, sizeof(res));      /* empty: the calls below initialise it */
	rc = prov_print(&p, menu, NULL, &res);
	if (rc == CORE_OK && !adding) {
		it = find_item(&res, key);
		name = it ? ros_item_str(it, "name") : NULL;
		if (name == NULL)
			rc = CORE_NOT_FOUND;
		else
			name = arena_strdup(&req->arena, name);
	}
	if (adding)
		for (size_t i = 0; i < n; i++)
			if (!strcmp(kv[i].key, "name"))
				name = kv[i].value;
	if (rc == CORE_OK)
		rc = adding ? prov_add(&p, menu, kv, n) : removing ? prov_remove(&p, menu, name) :
		    prov_set(&p, menu, name, kv, n);
	/* a rename: read it back under its new name */
	for (size_t i = 0; !adding && i < n; i++)
		if (!strcmp(kv[i].key, "name"))
			name = kv[i].value;
	ros_result_free(&res);
	if (rc == CORE_OK && !removing)
		rc = prov_print(&p, menu, NULL, &res);
	prov_close(&p);
	if (rc == CORE_NOT_FOUND) {
		ros_result_free(&res);
		return reply_error(req, ERR_NOT_FOUND, arena_printf(&req->arena,
		    "No %s \"%s\" on the MikroTik device.", menu, key));
	}
	if (rc != CORE_OK) {
		ros_result_free(&res);
		return router_failed(req, &p, rc);
	}
	g = reply_begin(req, adding ? 201 : 200, NULL);
	if (!removing && (it = find_item(&res, name)) != NULL)
		write_ros(g, it);
	else {
		jw_obj(g);
		jw_kstr(g, "name", name);
		jw_kbool(g, "deleted", removing);
		jw_obj_end(g);
	}
	ros_result_free(&res);
	return reply_end(req, NULL);
}

int mb_secret_list(struct request *req) { return menu_read(req, ROS_M_PPP_SECRET, NULL); }
int mb_secret_get(struct request *req)
{ return menu_read(req, ROS_M_PPP_SECRET, req_path_param(req, "id")); }
int mb_secret_write(struct request *req)
{ return menu_write(req, ROS_M_PPP_SECRET, secret_keys); }
int mb_profile_list(struct request *req) { return menu_read(req, ROS_M_PPP_PROFILE, NULL); }
int mb_profile_get(struct request *req)
{ return menu_read(req, ROS_M_PPP_PROFILE, req_path_param(req, "id")); }
int mb_profile_write(struct request *req)
{ return menu_write(req, ROS_M_PPP_PROFILE, profile_keys); }

/* ---- PPPoE callbacks ---- */

/* the first of several names a string field goes by; NULL when none is a string */
static const char *
body_str(struct request *req, const char *const *names)
{
	const char *v;

	for (int i = 0; names[i]; i++)
		if (json_get_str(req->json, names[i], &v) == JSON_OK)
			return v;
	return NULL;
}

/* the router's own key (X-Router-Key, ?key=, body "key"), or the tenant's
 * X-Client-Key with the device in "mikrotik_id" (else the client's active one) */
static const char *
callback_key(struct request *req)
{
	static const char *const kn[] = { "key", "callback_key", NULL };
	const char *key = req_header(req, "X-Router-Key");
	struct actor who;
	long long id = 0;
	enum err e;
	int rc;

	if (!key)
		key = req_query(req, "key");
	if (!key)
		key = body_str(req, kn);
	if (key || !req_header(req, "X-Client-Key"))
		return key;
	if ((e = auth_authenticate(req)) != ERR_NONE) {
		reply_error(req, e, e == ERR_UNAUTHORIZED ? "Invalid X-Client-Key." : NULL);
		return NULL;
	}
	actor_of(req, &who);
	if ((rc = body_device(req, &id)) < 0) {
		reply_error(req, ERR_VALIDATION, "Invalid input.");
		return NULL;
	} else if (rc == 0 && mb_active_router(req->db, &req->arena, &who, &id) != CORE_OK) {
		reply_error(req, ERR_NOT_FOUND, "No MikroTik device is active: add one first.");
		return NULL;
	}
	if (mb_router_callback_key(req->db, &req->arena, who.tenant_id, id, &key) != CORE_OK) {
		req_field_error(req, "mikrotik_id", "No such MikroTik device.");
		reply_error(req, ERR_VALIDATION, "Invalid input.");
		return NULL;
	}
	return key;
}

static int
pppoe(struct request *req, const char *event)
{
	static const char *const un[] = { "user", "username", "name", NULL };
	static const char *const cn[] = { "caller-id", "caller_id", "mac", NULL };
	static const char *const an[] = { "address", "remote-address", "remote_address", "ip", NULL };
	static const char *const in[] = { "interface", "iface", NULL };
	const char *user = body_str(req, un), *caller = body_str(req, cn);
	const char *addr = body_str(req, an), *iface = body_str(req, in), *key;
	long long router = 0, ev = 0;
	char ts[32];
	yajl_gen g;
	int rc;

	if (!user || !*user || strlen(user) > 100)
		req_field_error(req, "user", "This field is required (at most 100 characters).");
	if (caller && strlen(caller) > 64)
		req_field_error(req, "caller-id", "Ensure this field has no more than 64 characters.");
	if (addr && strlen(addr) > 45)
		req_field_error(req, "address", "Ensure this field has no more than 45 characters.");
	if (iface && strlen(iface) > 100)
		req_field_error(req, "interface", "Ensure this field has no more than 100 characters.");
	if (req->errs.n)
		return reply_error(req, ERR_VALIDATION, "Invalid input.");
	if ((key = callback_key(req)) == NULL)
		return req->replied ? 0 : reply_error(req, ERR_UNAUTHORIZED,
		    "The router's callback key or an X-Client-Key is required.");
	rc = prov_pppoe_event(req->db, &req->arena, key, event, user, caller, addr, iface,
	    &router, &ev);
	if (rc == CORE_NOT_FOUND)
		return reply_error(req, ERR_UNAUTHORIZED, "Unknown router key.");
	if (rc != CORE_OK)
		return reply_core(req, rc, NULL);
	g = reply_begin(req, 201, NULL);
	jw_obj(g);
	jw_kint(g, "id", ev);
	jw_kint(g, "mikrotik_id", router);
	jw_kstr(g, "event", event);
	jw_kstr(g, "user", user);
	jw_kstr(g, "caller-id", caller);
	jw_kstr(g, "address", addr);
	time_iso8601_now(ts, sizeof(ts), 0);
	jw_kstr(g, "received_at", ts);
	jw_obj_end(g);
	return reply_end(req, NULL);
}

int mb_pppoe_up(struct request *req) { return pppoe(req, "up"); }
int mb_pppoe_down(struct request *req) { return pppoe(req, "down"); }

/* ---- the client API ---- */

int
mb_client_ping(struct request *req)
{
	char ts[32];
	yajl_gen g;

	if (!req->auth.client_id)
		return reply_error(req, ERR_UNAUTHORIZED, "X-Client-Key is required.");
	g = reply_begin(req, 200, NULL);
	jw_obj(g);
	jw_kstr(g, "message", "pong");
	jw_kint(g, "client_id", req->auth.client_id);
	jw_kstr(g, "client", req->auth.username);
	jw_kint(g, "tenant_id", req->auth.tenant_id);
	time_iso8601_now(ts, sizeof(ts), 0);
	jw_kstr(g, "time", ts);
	jw_obj_end(g);
	return reply_end(req, NULL);
}
