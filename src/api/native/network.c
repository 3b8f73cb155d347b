/* network.c - native live router endpoints under /api/network/routers/{id}/:
 * test-connection, hotspot users (000's shape), PPP secrets and profiles
 * straight on the router, PPP active, interfaces, traffic, ping, resource,
 * drift and plan sync; the routers' PPPoE up/down callbacks; and the
 * one-time tickets of the WebSocket streams (ispbill-monitor).  The work
 * is core/provision.c's; here are input checks and the JSON shapes. */
#include "config.h"
#include "api/native/native.h"
#include "core/provision.h"
#include "core/streamtickets.h"
#include "http/auth.h"
#include "json/json.h"
#include "util/log.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

/* ---- errors ---- */

int
native_reply_prov(struct request *req, const struct prov *p, int rc)
{
	char msg[400];

	if (rc != PROV_ROUTER)
		return reply_core(req, rc, "Router");
	ros_error_format(&p->err, msg, sizeof(msg));
	log_warn("router %lld (%s): %s", p->router_id, p->name ? p->name : "?", msg);
	if (p->err.code == ROS_ETRAP) {
		req_field_error(req, "router", msg);
		return reply_error(req, ERR_VALIDATION, arena_printf(&req->arena,
		    "The router refused: %s", p->err.message));
	}
	if (prov_unreachable(&p->err))
		return reply_error(req, ERR_EXTERNAL_TIMEOUT, arena_printf(&req->arena,
		    "The router did not answer: %s", msg));
	return reply_error(req, ERR_EXTERNAL, arena_printf(&req->arena, "Router failure: %s", msg));
}

/* the router of the path, visible to the caller, opened; 0 or a reply */
static int
open_path(struct request *req, int extra_ms, struct prov *p, int *replied)
{
	long long id = res_path_id(req, &res_routers);
	int rc;

	*replied = 1;
	memset(p, 0, sizeof(*p));
	if (id <= 0)
		return req->replied ? 0 : reply_error(req, ERR_NOT_FOUND, "Router not found.");
	rc = prov_open(req->db, &req->arena, req->cfg, req->auth.tenant_id, id, extra_ms, p);
	if (rc != CORE_OK) {
		rc = native_reply_prov(req, p, rc);
		prov_close(p);
		return rc;
	}
	*replied = 0;
	return 0;
}

#define OPEN(req, extra, p) do { \
	int replied_, rc_ = open_path(req, extra, p, &replied_); \
	if (replied_) \
		return rc_; \
} while (0)

/* Open the path's router, run fn, close it; fn writes the data (after
 * reply_begin) and returns CORE_OK, or returns an error before writing. */
typedef int (*live_fn)(struct request *req, struct prov *p, const void *arg);

static int
live(struct request *req, int extra_ms, live_fn fn, const void *arg)
{
	struct prov p;
	int rc;

	OPEN(req, extra_ms, &p);
	rc = fn(req, &p, arg);
	prov_close(&p);
	return rc == CORE_OK ? reply_end(req, NULL) : native_reply_prov(req, &p, rc);
}

/* a library result as ours */
static int
ok_or_router(int ros)
{
	return ros == ROS_OK ? CORE_OK : PROV_ROUTER;
}

/* ---- JSON of router items ---- */

/* "rate-limit" -> "rate_limit", ".id" -> "id"; passwords masked */
static void
write_item(yajl_gen g, const struct ros_item *it)
{
	jw_obj(g);
	for (size_t i = 0; i < it->n; i++) {
		const struct ros_word *k = &it->attrs[i].key, *v = &it->attrs[i].value;
		char key[80];
		size_t n = 0;

		for (size_t j = (k->len && k->p[0] == '.') ? 1 : 0; j < k->len && n < sizeof(key) - 1; j++)
			key[n++] = k->p[j] == '-' ? '_' : k->p[j];
		key[n] = '\0';
		jw_key(g, key);
		if (!strcmp(key, "password"))
			jw_str(g, "***hidden***");
		else if (v->len == 4 && !memcmp(v->p, "true", 4))
			jw_bool(g, 1);
		else if (v->len == 5 && !memcmp(v->p, "false", 5))
			jw_bool(g, 0);
		else
			ros_json_word(g, v->p, v->len);
	}
	jw_obj_end(g);
}

/* print a menu and answer its items */
static int
menu_items(struct request *req, struct prov *p, const void *menu)
{
	struct ros_result res;
	int rc = prov_print(p, menu, NULL, &res);

	if (rc == CORE_OK) {
		yajl_gen g = reply_begin(req, 200, NULL);

		jw_arr(g);
		for (size_t i = 0; i < res.nitems; i++)
			write_item(g, &res.items[i]);
		jw_arr_end(g);
	}
	ros_result_free(&res);
	return rc;
}

static int
list_menu(struct request *req, const char *menu)
{
	return live(req, 0, menu_items, menu);
}

/* ---- test-connection, resource ---- */

static void
write_resource(yajl_gen g, const struct ros_resource *r)
{
	jw_kstr(g, "version", r->version);
	jw_kstr(g, "uptime", r->uptime);
	jw_kint(g, "uptime_seconds", r->uptime_ms >= 0 ? r->uptime_ms / 1000 : -1);
	jw_kint(g, "cpu_load", r->cpu_load);
	jw_kint(g, "cpu_count", r->cpu_count);
	jw_kstr(g, "board_name", r->board_name);
	jw_kstr(g, "architecture", r->architecture);
	jw_kint(g, "free_memory", (long long)r->free_memory);
	jw_kint(g, "total_memory", (long long)r->total_memory);
	jw_kint(g, "free_hdd_space", (long long)r->free_hdd_space);
	jw_kint(g, "total_hdd_space", (long long)r->total_hdd_space);
}

int
h_router_test(struct request *req)
{
	long long id = res_path_id(req, &res_routers);
	struct prov_test t;
	struct prov p;
	yajl_gen g;
	int rc;

	if (id <= 0)
		return req->replied ? 0 : reply_error(req, ERR_NOT_FOUND, "Router not found.");
	memset(&p, 0, sizeof(p));
	p.router_id = id;
	rc = prov_test(req->db, &req->arena, req->cfg, req->auth.tenant_id, id, &t, &p.err);
	if (rc != CORE_OK)
		return native_reply_prov(req, &p, rc);
	g = reply_begin(req, 200, "Connection successful");
	jw_obj(g);
	jw_kint(g, "router_id", id);
	jw_kbool(g, "success", 1);
	jw_kstr(g, "status", "online");
	jw_kstr(g, "identity", t.identity);
	write_resource(g, &t.res);
	jw_kint(g, "response_time_ms", t.response_ms);
	jw_obj_end(g);
	return reply_end(req, NULL);
}

static int
resource(struct request *req, struct prov *p, const void *arg)
{
	struct ros_resource r;
	yajl_gen g;

	(void)arg;
	if (ros_system_resource(p->c, &r, &p->err) != ROS_OK)
		return PROV_ROUTER;
	g = reply_begin(req, 200, NULL);
	jw_obj(g);
	jw_kint(g, "router_id", p->router_id);
	write_resource(g, &r);
	jw_obj_end(g);
	return CORE_OK;
}

int h_router_resource(struct request *req) { return live(req, 0, resource, NULL); }

/* ---- hotspot users, 000's /routers/{id}/users ---- */

static const struct ros_item *
session_of(const struct ros_result *act, const char *user)
{
	for (size_t i = 0; user && i < act->nitems; i++) {
		const char *u = ros_item_str(&act->items[i], "user");

		if (u && !strcmp(u, user))
			return &act->items[i];
	}
	return NULL;
}

static void
kstr_item(yajl_gen g, const char *key, const struct ros_item *it, const char *rkey)
{
	const struct ros_word *w = ros_item_get(it, rkey);

	jw_key(g, key);
	if (w)
		ros_json_word(g, w->p, w->len);
	else
		jw_null(g);
}

static void
write_users(yajl_gen g, const struct prov *p, const struct ros_result *users,
    const struct ros_result *act)
{
	jw_obj(g);
	jw_kint(g, "router_id", p->router_id);
	jw_kstr(g, "router_name", p->name);
	jw_key(g, "users");
	jw_arr(g);
	for (size_t i = 0; i < users->nitems; i++) {
		const struct ros_item *u = &users->items[i];
		const struct ros_item *s = session_of(act, ros_item_str(u, "name"));

		jw_obj(g);
		kstr_item(g, "username", u, "name");
		kstr_item(g, "profile", u, "profile");
		jw_kbool(g, "disabled", ros_item_bool(u, "disabled", 0));
		kstr_item(g, "comment", u, "comment");
		kstr_item(g, "uptime_limit", u, "limit-uptime");
		kstr_item(g, "mac_address", u, "mac-address");
		jw_kbool(g, "active", s != NULL);
		jw_key(g, "session");
		if (s) {
			jw_obj(g);
			kstr_item(g, "address", s, "address");
			kstr_item(g, "mac_address", s, "mac-address");
			kstr_item(g, "login_time", s, "login-time");
			kstr_item(g, "uptime", s, "uptime");
			kstr_item(g, "bytes_in", s, "bytes-in");
			kstr_item(g, "bytes_out", s, "bytes-out");
			jw_obj_end(g);
		} else
			jw_null(g);
		jw_obj_end(g);
	}
	jw_arr_end(g);
	jw_kint(g, "total_users", (long long)users->nitems);
	jw_kint(g, "active_sessions", (long long)act->nitems);
	jw_obj_end(g);
}

static int
hotspot_users(struct request *req, struct prov *p, const void *arg)
{
	struct ros_result users, act;
	int rc;

	(void)arg;
	memset(&act, 0, sizeof(act));      /* empty: the calls below initialise it */
	rc = prov_print(p, ROS_M_HOTSPOT_USER, NULL, &users);
	if (rc == CORE_OK) {
		ros_result_free(&act);
		rc = prov_print(p, ROS_M_HOTSPOT_ACTIVE, NULL, &act);
	}
	if (rc == CORE_OK)
		write_users(reply_begin(req, 200, NULL), p, &users, &act);
	ros_result_free(&users);
	ros_result_free(&act);
	return rc;
}

int h_router_hotspot_users(struct request *req) { return live(req, 0, hotspot_users, NULL); }

/* ---- PPP secrets and profiles on the router ---- */

struct menu_field {
	const char *json, *ros;
	size_t max;
};

static const struct menu_field secret_fields[] = {
	{ "name", "name", 100 }, { "password", "password", 128 }, { "profile", "profile", 100 },
	{ "service", "service", 16 }, { "local_address", "local-address", 64 },
	{ "remote_address", "remote-address", 64 }, { "caller_id", "caller-id", 64 },
	{ "comment", "comment", 250 }, { NULL, NULL, 0 },
};

static const struct menu_field profile_fields[] = {
	{ "name", "name", 100 }, { "rate_limit", "rate-limit", 100 },
	{ "local_address", "local-address", 64 }, { "remote_address", "remote-address", 64 },
	{ "dns_server", "dns-server", 100 }, { "only_one", "only-one", 8 },
	{ "comment", "comment", 250 }, { NULL, NULL, 0 },
};

/* the body's known fields as attributes; 0 or -1 with field errors */
static int
body_kv(struct request *req, const struct menu_field *f, struct ros_kv *kv, size_t *n,
    int need_name)
{
	int bad = 0, dis;

	*n = 0;
	for (; f->json; f++) {
		const char *v = NULL;

		switch (json_get_str(req->json, f->json, &v)) {
		case JSON_MISSING:
		case JSON_NULL:
			if (need_name && !strcmp(f->json, "name")) {
				req_field_error(req, "name", "This field is required.");
				bad = 1;
			}
			continue;
		case JSON_OK:
			break;
		default:
			req_field_error(req, f->json, "Not a valid string.");
			bad = 1;
			continue;
		}
		if (strlen(v) > f->max || (*v == '\0' && !strcmp(f->json, "name")) ||
		    strpbrk(v, "\r\n") != NULL) {
			req_field_error(req, f->json, *v ? arena_printf(&req->arena,
			    "Ensure this field has no more than %zu characters and no line breaks.",
			    f->max) : "This field may not be blank.");
			bad = 1;
			continue;
		}
		kv[*n].key = f->ros;
		kv[(*n)++].value = v;
	}
	switch (json_get_bool(req->json, "disabled", &dis)) {
	case JSON_OK:
		kv[*n].key = "disabled";
		kv[(*n)++].value = dis ? "yes" : "no";
		break;
	case JSON_MISSING:
	case JSON_NULL:
		break;
	default:
		req_field_error(req, "disabled", "Must be a valid boolean.");
		bad = 1;
	}
	return bad ? -1 : 0;
}

/* POST (add), PUT/PATCH (set by name), DELETE (remove by name) */
static int
menu_write(struct request *req, const char *menu, const struct menu_field *fields)
{
	const char *name = req_path_param(req, "name");
	int adding = !strcmp(req->method, "POST"), removing = !strcmp(req->method, "DELETE");
	struct ros_kv kv[16];
	size_t n = 0;
	struct prov p;
	yajl_gen g;
	int rc;

	if (!removing && body_kv(req, fields, kv, &n, adding) < 0)
		return reply_error(req, ERR_VALIDATION, "Invalid input.");
	OPEN(req, 0, &p);
	rc = adding ? prov_add(&p, menu, kv, n) : removing ? prov_remove(&p, menu, name) :
	    prov_set(&p, menu, name, kv, n);
	if (rc != CORE_OK) {
		rc = rc == CORE_NOT_FOUND ? reply_error(req, ERR_NOT_FOUND, arena_printf(&req->arena,
		    "No %s named \"%s\" on the router.", menu, name)) : native_reply_prov(req, &p, rc);
		prov_close(&p);
		return rc;
	}
	prov_close(&p);
	if (removing) {
		g = reply_begin(req, 200, "Deleted");
		jw_null(g);
		return reply_end(req, NULL);
	}
	g = reply_begin(req, adding ? 201 : 200, adding ? "Created" : "Updated");
	jw_obj(g);
	for (size_t i = 0; i < n; i++) {
		char key[40];
		size_t k;

		for (k = 0; kv[i].key[k] && k < sizeof(key) - 1; k++)
			key[k] = kv[i].key[k] == '-' ? '_' : kv[i].key[k];
		key[k] = '\0';
		if (!strcmp(key, "disabled"))
			jw_kbool(g, key, !strcmp(kv[i].value, "yes"));
		else
			jw_kstr(g, key, !strcmp(key, "password") ? "***hidden***" : kv[i].value);
	}
	if (!adding)
		jw_kstr(g, "name", name);
	jw_obj_end(g);
	return reply_end(req, NULL);
}

int h_router_ppp_secrets(struct request *req) { return list_menu(req, ROS_M_PPP_SECRET); }
int h_router_ppp_profiles(struct request *req) { return list_menu(req, ROS_M_PPP_PROFILE); }
int h_router_ppp_active(struct request *req) { return list_menu(req, ROS_M_PPP_ACTIVE); }
int h_router_ppp_secret_write(struct request *req)
{ return menu_write(req, ROS_M_PPP_SECRET, secret_fields); }
int h_router_ppp_profile_write(struct request *req)
{ return menu_write(req, ROS_M_PPP_PROFILE, profile_fields); }

/* ---- interfaces, traffic, ping ---- */

static int
interfaces(struct request *req, struct prov *p, const void *arg)
{
	static const char *const counters[] = { "rx-byte", "tx-byte", "rx-packet", "tx-packet" };
	struct ros_result res;
	yajl_gen g;
	int rc = ok_or_router(ros_interface_print(p->c, &res, &p->err));

	(void)arg;
	if (rc != CORE_OK)
		goto out;
	g = reply_begin(req, 200, NULL);
	jw_arr(g);
	for (size_t i = 0; i < res.nitems; i++) {
		const struct ros_item *it = &res.items[i];

		jw_obj(g);
		kstr_item(g, "id", it, ".id");
		kstr_item(g, "name", it, "name");
		kstr_item(g, "type", it, "type");
		kstr_item(g, "mac_address", it, "mac-address");
		kstr_item(g, "comment", it, "comment");
		jw_kbool(g, "running", ros_item_bool(it, "running", 0));
		jw_kbool(g, "disabled", ros_item_bool(it, "disabled", 0));
		for (size_t k = 0; k < sizeof(counters) / sizeof(counters[0]); k++) {
			char key[16];

			snprintf(key, sizeof(key), "%.2s_%s", counters[k], counters[k] + 3);
			jw_kint(g, key, (long long)ros_item_u64(it, counters[k], 0));
		}
		jw_obj_end(g);
	}
	jw_arr_end(g);
out:
	ros_result_free(&res);
	return rc;
}

int h_router_interfaces(struct request *req) { return live(req, 0, interfaces, NULL); }

static int
traffic(struct request *req, struct prov *p, const void *iface)
{
	struct ros_traffic t;
	yajl_gen g;

	if (ros_monitor_traffic_once(p->c, iface, &t, &p->err) != ROS_OK)
		return PROV_ROUTER;
	g = reply_begin(req, 200, NULL);
	jw_obj(g);
	jw_kstr(g, "interface", iface);
	jw_kint(g, "rx_bps", (long long)t.rx_bps);
	jw_kint(g, "tx_bps", (long long)t.tx_bps);
	jw_kint(g, "rx_pps", (long long)t.rx_pps);
	jw_kint(g, "tx_pps", (long long)t.tx_pps);
	jw_obj_end(g);
	return CORE_OK;
}

int
h_router_traffic(struct request *req)
{
	const char *iface = req_path_param(req, "name");

	if (!iface || !*iface || strlen(iface) > 100 || strchr(iface, ',')) {
		req_field_error(req, "name", "Not a valid interface name.");
		return reply_error(req, ERR_VALIDATION, "Invalid input.");
	}
	return live(req, 0, traffic, iface);
}

struct ping_arg {
	const char *addr;
	long long count;
};

static void
kms(yajl_gen g, const char *key, long long us)
{
	jw_key(g, key);
	if (us >= 0)
		jw_double(g, (double)us / 1000.0);
	else
		jw_null(g);
}

static int
ping(struct request *req, struct prov *p, const void *arg)
{
	const struct ping_arg *pa = arg;
	struct ros_ping r;
	yajl_gen g;

	if (ros_ping(p->c, pa->addr, (int)pa->count, &r, &p->err) != ROS_OK)
		return PROV_ROUTER;
	g = reply_begin(req, 200, NULL);
	jw_obj(g);
	jw_kstr(g, "address", pa->addr);
	jw_kint(g, "sent", r.sent);
	jw_kint(g, "received", r.received);
	jw_kint(g, "packet_loss", r.packet_loss);
	kms(g, "min_rtt_ms", r.min_rtt_us);
	kms(g, "avg_rtt_ms", r.avg_rtt_us);
	kms(g, "max_rtt_ms", r.max_rtt_us);
	jw_kbool(g, "reachable", r.received > 0);
	jw_obj_end(g);
	return CORE_OK;
}

int
h_router_ping(struct request *req)
{
	struct ping_arg pa = { need_str(req, "address", 45), 3 };
	unsigned char buf[16];

	if (pa.addr && inet_pton(AF_INET, pa.addr, buf) != 1 && inet_pton(AF_INET6, pa.addr, buf) != 1)
		req_field_error(req, "address", "Enter a valid IPv4 or IPv6 address.");
	switch (json_get_int(req->json, "count", 1, 10, &pa.count)) {
	case JSON_OK:
	case JSON_MISSING:
	case JSON_NULL:
		break;
	default:
		req_field_error(req, "count", "Ensure this value is an integer from 1 to 10.");
	}
	if (req->errs.n)
		return reply_error(req, ERR_VALIDATION, "Invalid input.");
	/* a probe a second: the call may take that much longer */
	return live(req, (int)pa.count * 1000 + 1000, ping, &pa);
}

/* ---- drift, plan sync ---- */

static void
write_drift(yajl_gen g, const struct prov_drift *d)
{
	jw_kint(g, "expected", d->expected);
	jw_kint(g, "present", d->present);
	jw_kbool(g, "in_sync", d->n == 0);
	jw_key(g, "differences");
	jw_arr(g);
	for (size_t i = 0; i < d->n; i++) {
		jw_obj(g);
		jw_kstr(g, "kind", prov_drift_kind_str(d->items[i].kind));
		jw_kstr(g, "username", d->items[i].username);
		jw_kstr(g, "menu", d->items[i].menu);
		jw_key(g, "subscription_id");
		d->items[i].subscription_id ? jw_int(g, d->items[i].subscription_id) : jw_null(g);
		jw_obj_end(g);
	}
	jw_arr_end(g);
}

static int
drift(struct request *req, int repair)
{
	struct prov_drift d;
	struct prov_jobs ran;
	struct prov p;
	long long queued = 0;
	yajl_gen g;
	int rc;

	OPEN(req, 0, &p);
	rc = prov_drift(req->db, &req->arena, &p, &d);
	prov_close(&p);
	if (rc == CORE_OK && repair)
		rc = prov_drift_repair(req->db, &req->arena, req->cfg, &p, &d, &queued, &ran);
	if (rc != CORE_OK)
		return native_reply_prov(req, &p, rc);
	g = reply_begin(req, 200, NULL);
	jw_obj(g);
	jw_kint(g, "router_id", p.router_id);
	write_drift(g, &d);
	if (repair) {
		jw_kint(g, "jobs_queued", queued);
		jw_kint(g, "jobs_done", ran.done);
		jw_kint(g, "jobs_failed", ran.failed);
	}
	jw_obj_end(g);
	return reply_end(req, NULL);
}

int h_router_drift(struct request *req) { return drift(req, 0); }
int h_router_drift_repair(struct request *req) { return drift(req, 1); }

static int
sync_plans(struct request *req, struct prov *p, const void *arg)
{
	long long n = 0;
	int rc = prov_sync_plans(req->db, &req->arena, p, &n);
	yajl_gen g;

	(void)arg;
	if (rc != CORE_OK)
		return rc;
	g = reply_begin(req, 200, "Plans synced");
	jw_obj(g);
	jw_kint(g, "router_id", p->router_id);
	jw_kint(g, "synced", n);
	jw_obj_end(g);
	return CORE_OK;
}

int h_router_sync_plans(struct request *req) { return live(req, 0, sync_plans, NULL); }

/* ---- PPPoE callbacks: the router's key in X-Router-Key or ?key= ---- */

static int
pppoe_event(struct request *req, const char *event)
{
	const char *key = req_header(req, "X-Router-Key");
	const char *user = NULL, *caller = NULL, *addr = NULL, *iface = NULL;
	long long router = 0, ev = 0;
	yajl_gen g;
	int rc;

	if (!key)
		key = req_query(req, "key");
	if (json_get_str(req->json, "user", &user) != JSON_OK &&
	    json_get_str(req->json, "username", &user) != JSON_OK)
		user = NULL;
	if (!user || !*user || strlen(user) > 100)
		req_field_error(req, "user", "This field is required (at most 100 characters).");
	if (json_get_str(req->json, "caller_id", &caller) != JSON_OK)
		caller = NULL;
	if (json_get_str(req->json, "address", &addr) != JSON_OK)
		addr = NULL;
	if (json_get_str(req->json, "interface", &iface) != JSON_OK)
		iface = NULL;
	if ((caller && strlen(caller) > 64) || (addr && strlen(addr) > 45) ||
	    (iface && strlen(iface) > 100))
		req_field_error(req, caller && strlen(caller) > 64 ? "caller_id" :
		    addr && strlen(addr) > 45 ? "address" : "interface", "Too long.");
	if (req->errs.n)
		return reply_error(req, ERR_VALIDATION, "Invalid input.");
	rc = prov_pppoe_event(req->db, &req->arena, key, event, user, caller, addr, iface,
	    &router, &ev);
	if (rc == CORE_NOT_FOUND)
		return reply_error(req, ERR_UNAUTHORIZED, "Unknown router key.");
	if (rc != CORE_OK)
		return reply_core(req, rc, NULL);
	g = reply_begin(req, 201, "Recorded");
	jw_obj(g);
	jw_kint(g, "id", ev);
	jw_kint(g, "router_id", router);
	jw_kstr(g, "event", event);
	jw_kstr(g, "user", user);
	jw_obj_end(g);
	return reply_end(req, NULL);
}

int h_pppoe_up(struct request *req) { return pppoe_event(req, "up"); }
int h_pppoe_down(struct request *req) { return pppoe_event(req, "down"); }

/* ---- tickets for ispbill-monitor's streams (docs/monitor.md) ---- */

int
h_stream_ticket(struct request *req)
{
	const char *ticket;
	struct actor who;
	yajl_gen g;
	int rc;

	auth_actor(req, &who);
	if ((rc = st_issue(req->db, &req->arena, &who, &ticket)) != CORE_OK)
		return reply_core(req, rc, "Ticket");
	g = reply_begin(req, 201, NULL);
	jw_obj(g);
	jw_kstr(g, "ticket", ticket);
	jw_kint(g, "expires_in", STREAM_TICKET_TTL);
	jw_obj_end(g);
	return reply_end(req, NULL);
}
