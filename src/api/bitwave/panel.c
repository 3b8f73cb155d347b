/* panel.c - what the Bitwave panel's home screen calls beyond 000:
 * /dashboard/analytics (camelCase figures from the core) and
 * /mikrotik/health (a live read of one router's resources),
 * /mikrotik/bandwidth-history (an interface's rates, sampled live and
 * kept) and /mikrotik/top-users (active hotspot and PPP sessions by
 * bytes). */
#include "config.h"
#include "api/bitwave/bitwave.h"
#include "api/resource.h"
#include "core/billing.h"
#include "core/core.h"
#include "core/mpesa_report.h"
#include "core/provision.h"
#include "core/bitwave_support.h"
#include "core/traffic.h"
#include "api/native/native.h"
#include "json/json.h"
#include "util/log.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
bw_dashboard_analytics(struct request *req)
{
	struct stats_scope sc;
	struct stats_period p;
	struct mpesa_dashboard d;
	struct stats_revenue_day *days;
	yajl_gen g;
	int rc, n;

	if (bw_scope(req, &sc) < 0)
		return -1;
	if (stats_period(req_query(req, "start_date"), req_query(req, "end_date"), 0, &p,
	    &req->errs) != CORE_OK)
		return reply_error(req, ERR_VALIDATION, NULL);
	if ((rc = mpesa_dashboard(req->db, &req->arena, &sc, 0, &d)) != CORE_OK ||
	    (rc = stats_revenue(req->db, &req->arena, &sc, &p, &days, &n)) != CORE_OK)
		return reply_core(req, rc, "Dashboard");
	g = reply_begin(req, 200, NULL);
	jw_obj(g);
	jw_kmoney(g, "totalRevenue", d.all_time);
	jw_kmoney(g, "todayRevenue", d.today);
	jw_kmoney(g, "weekRevenue", d.this_week);
	jw_kmoney(g, "monthRevenue", d.this_month);
	jw_kint(g, "totalCustomers", d.customers_total);
	jw_kint(g, "activeCustomers", d.customers_active);
	jw_kint(g, "inactiveCustomers", d.customers_inactive);
	jw_kint(g, "expiringSoon", d.nexpiring);
	jw_key(g, "dailyRevenue");
	jw_arr(g);
	for (int i = 0; i < n; i++) {
		jw_obj(g);
		jw_kstr(g, "date", days[i].date);
		jw_kmoney(g, "revenue", days[i].total);
		jw_obj_end(g);
	}
	jw_arr_end(g);
	jw_key(g, "planBreakdown");
	jw_arr(g);
	for (int i = 0; i < d.nplans; i++) {
		jw_obj(g);
		jw_kint(g, "planId", d.plans[i].plan_id);
		jw_kstr(g, "planName", d.plans[i].plan_name);
		jw_kint(g, "salesCount", d.plans[i].sales_count);
		jw_kmoney(g, "revenue", d.plans[i].revenue);
		jw_obj_end(g);
	}
	jw_arr_end(g);
	jw_key(g, "routerBreakdown");
	jw_arr(g);
	for (int i = 0; i < d.nrouters; i++) {
		jw_obj(g);
		jw_kint(g, "routerId", d.routers[i].router_id);
		jw_kstr(g, "routerName", d.routers[i].router_name);
		jw_kint(g, "transactionCount", d.routers[i].transaction_count);
		jw_kmoney(g, "revenue", d.routers[i].revenue);
		jw_obj_end(g);
	}
	jw_arr_end(g);
	jw_key(g, "period");
	jw_obj(g);
	jw_kstr(g, "startDate", p.start);
	jw_kstr(g, "endDate", p.end);
	jw_obj_end(g);
	jw_obj_end(g);
	return reply_end(req, NULL);
}

/* ?router_id=N, else the first router of the scope; 0 when there is none
 * the caller may see (a reseller sees its own routers only) */
static long long
pick_router(struct request *req, int *replied)
{
	struct stats_scope sc;
	struct ent_query q;
	struct ent_page pg;
	long long id = 0;
	int rc;

	*replied = 1;
	if (req_query_int(req, "router_id", 0, 1, LLONG_MAX, &id) < 0)
		return reply_error(req, ERR_VALIDATION, NULL), 0;
	if (bw_scope(req, &sc) < 0)
		return 0;
	*replied = 0;
	if (sc.none)
		return 0;
	memset(&q, 0, sizeof(q));
	if (sc.owner_id)
		ent_query_filter(&q, ent_field(&ent_bw_router, "owner_id"), arena_printf(&req->arena,
		    "%lld", sc.owner_id), &req->errs, &req->arena);
	if (id)
		ent_query_cond(&q, "t.id = ?", 1, db_int(id), db_null());
	q.limit = 1;
	q.ordering = "id";
	rc = ent_list(req->db, &req->arena, &ent_bw_router, req->auth.tenant_id, &q, &pg,
	    &req->errs);
	if (rc != CORE_OK) {
		*replied = 1;
		return reply_core(req, rc, "Router"), 0;
	}
	return pg.nrows ? pg.rows[0].id : 0;
}

/* The router of the call opened: 0, or -1 with the reply sent (404, the
 * router's failure as native answers it). */
static int
open_router(struct request *req, struct prov *p)
{
	int replied, rc;
	long long id = pick_router(req, &replied);

	memset(p, 0, sizeof(*p));
	if (replied)
		return -1;
	if (id == 0) {
		reply_error(req, ERR_NOT_FOUND, "Router not found.");
		return -1;
	}
	rc = prov_open(req->db, &req->arena, req->cfg, req->auth.tenant_id, id, 0, p);
	if (rc != CORE_OK) {
		native_reply_prov(req, p, rc);
		prov_close(p);
		return -1;
	}
	return 0;
}

int
bw_mikrotik_health(struct request *req)
{
	struct ros_resource r;
	struct prov p;
	char msg[400];
	int replied, rc;
	long long id = pick_router(req, &replied);
	yajl_gen g;

	if (replied)
		return -1;
	if (id == 0)
		return reply_error(req, ERR_NOT_FOUND, "Router not found.");
	/* a router down is a health answer (status offline), so the opening
	 * is not open_router's */
	memset(&p, 0, sizeof(p));
	rc = prov_open(req->db, &req->arena, req->cfg, req->auth.tenant_id, id, 0, &p);
	if (rc == CORE_OK && ros_system_resource(p.c, &r, &p.err) != ROS_OK)
		rc = PROV_ROUTER;
	if (rc != CORE_OK && rc != PROV_ROUTER) {
		prov_close(&p);
		return reply_core(req, rc, "Router");
	}
	g = reply_begin(req, 200, NULL);
	jw_obj(g);
	jw_kint(g, "router_id", id);
	jw_kstr(g, "router_name", p.name);
	if (rc == PROV_ROUTER) {
		/* a router down is a health answer, not an error */
		ros_error_format(&p.err, msg, sizeof(msg));
		log_warn("router %lld health: %s", id, msg);
		jw_kstr(g, "status", "offline");
		jw_kstr(g, "error", msg);
	} else {
		jw_kstr(g, "status", "online");
		jw_kint(g, "cpu_load", r.cpu_load);
		jw_kint(g, "cpu_count", r.cpu_count);
		jw_kint(g, "free_memory", (long long)r.free_memory);
		jw_kint(g, "total_memory", (long long)r.total_memory);
		jw_kdouble(g, "memory_usage", r.total_memory ? (double)(long long)(10000.0 *
		    (double)(r.total_memory - r.free_memory) / (double)r.total_memory) / 100.0 : 0.0);
		jw_kstr(g, "uptime", r.uptime);
		jw_kstr(g, "version", r.version);
		jw_kstr(g, "board_name", r.board_name);
		jw_kint(g, "response_time_ms", p.opened_ms);
	}
	jw_obj_end(g);
	prov_close(&p);
	return reply_end(req, NULL);
}

/* ---- /mikrotik/bandwidth-history ---- */

/* one sample; on a WAN interface what comes in (rx) is the download */
static void
write_point(yajl_gen g, const struct traffic_point *t)
{
	jw_obj(g);
	bw_time(g, "timestamp", t->taken_at);
	jw_kint(g, "rx_bps", t->rx_bps);
	jw_kint(g, "tx_bps", t->tx_bps);
	jw_kint(g, "download_bps", t->rx_bps);
	jw_kint(g, "upload_bps", t->tx_bps);
	jw_obj_end(g);
}

int
bw_bandwidth_history(struct request *req)
{
	const char *iface = req_query(req, "interface");
	struct traffic_point now, *pts;
	long long hours;
	struct prov p;
	yajl_gen g;
	int rc, n;

	if (iface == NULL || *iface == '\0')
		iface = "ether1";
	else if (!traffic_iface_ok(iface))
		req_field_error(req, "interface", "Not a valid interface name.");
	if (req_query_int(req, "hours", 24, 1, 24 * TRAFFIC_KEEP_DAYS, &hours) < 0 || req->errs.n)
		return reply_error(req, ERR_VALIDATION, NULL);
	if (open_router(req, &p) < 0)
		return -1;
	rc = traffic_sample(req->db, &req->arena, &p, iface, &now);
	if (rc == CORE_OK)
		rc = traffic_history(req->db, &req->arena, req->auth.tenant_id, p.router_id, iface,
		    hours, &pts, &n);
	if (rc != CORE_OK) {
		native_reply_prov(req, &p, rc);
		prov_close(&p);
		return -1;
	}
	g = reply_begin(req, 200, NULL);
	jw_obj(g);
	jw_kint(g, "router_id", p.router_id);
	jw_kstr(g, "router_name", p.name);
	jw_kstr(g, "interface", iface);
	jw_kint(g, "hours", hours);
	jw_key(g, "current");
	write_point(g, &now);
	jw_key(g, "history");
	jw_arr(g);
	for (int i = 0; i < n; i++)
		write_point(g, &pts[i]);
	jw_arr_end(g);
	jw_kint(g, "count", n);
	jw_obj_end(g);
	prov_close(&p);
	return reply_end(req, NULL);
}

/* ---- /mikrotik/top-users ---- */

struct top_user {
	const struct ros_item *it;
	const char *type;           /* hotspot, ppp */
	unsigned long long in, out; /* as the router counts: in from the user */
};

static int
by_bytes(const void *a, const void *b)
{
	const struct top_user *x = a, *y = b;
	unsigned long long tx = x->in + x->out, ty = y->in + y->out;
	const char *nx = ros_item_str(x->it, x->type[0] == 'h' ? "user" : "name");
	const char *ny = ros_item_str(y->it, y->type[0] == 'h' ? "user" : "name");

	if (tx != ty)
		return tx > ty ? -1 : 1;
	return strcmp(nx ? nx : "", ny ? ny : "");
}

/* a PPP session's counters: those of its dynamic <pppoe-NAME> (or
 * <l2tp-NAME>, ...) interface, rx being what came from the user */
static const struct ros_item *
ppp_iface(const struct ros_result *ifs, const char *service, const char *name)
{
	char want[200];

	snprintf(want, sizeof(want), "<%s-%s>", service ? service : "pppoe", name ? name : "");
	for (size_t i = 0; i < ifs->nitems; i++) {
		const char *n = ros_item_str(&ifs->items[i], "name");

		if (n && !strcmp(n, want))
			return &ifs->items[i];
	}
	return NULL;
}

static void
kitem(yajl_gen g, const char *key, const struct ros_item *it, const char *rkey)
{
	jw_kstr(g, key, ros_item_str(it, rkey));
}

int
bw_top_users(struct request *req)
{
	struct ros_result hs, ppp, ifs;
	struct top_user *u;
	long long limit;
	struct prov p;
	size_t n = 0;
	yajl_gen g;
	int rc;

	if (req_query_int(req, "limit", 10, 1, 100, &limit) < 0)
		return reply_error(req, ERR_VALIDATION, NULL);
	if (open_router(req, &p) < 0)
		return -1;
	/* zeroed: each print initialises its own, ros_result_free takes either */
	memset(&hs, 0, sizeof(hs));
	memset(&ppp, 0, sizeof(ppp));
	memset(&ifs, 0, sizeof(ifs));
	rc = prov_print(&p, ROS_M_HOTSPOT_ACTIVE, NULL, &hs);
	if (rc == CORE_OK)
		rc = prov_print(&p, ROS_M_PPP_ACTIVE, NULL, &ppp);
	if (rc == CORE_OK && ppp.nitems)
		rc = ros_interface_print(p.c, &ifs, &p.err) == ROS_OK ? CORE_OK : PROV_ROUTER;
	if (rc != CORE_OK) {
		native_reply_prov(req, &p, rc);
		goto out;
	}
	u = arena_calloc(&req->arena, hs.nitems + ppp.nitems + 1, sizeof(*u));
	for (size_t i = 0; i < hs.nitems; i++, n++) {
		u[n].it = &hs.items[i];
		u[n].type = "hotspot";
		u[n].in = ros_item_u64(u[n].it, "bytes-in", 0);
		u[n].out = ros_item_u64(u[n].it, "bytes-out", 0);
	}
	for (size_t i = 0; i < ppp.nitems; i++, n++) {
		const struct ros_item *f = ppp_iface(&ifs, ros_item_str(&ppp.items[i], "service"),
		    ros_item_str(&ppp.items[i], "name"));

		u[n].it = &ppp.items[i];
		u[n].type = "ppp";
		u[n].in = f ? ros_item_u64(f, "rx-byte", 0) : 0;
		u[n].out = f ? ros_item_u64(f, "tx-byte", 0) : 0;
	}
	qsort(u, n, sizeof(*u), by_bytes);
	g = reply_begin(req, 200, NULL);
	jw_obj(g);
	jw_kint(g, "router_id", p.router_id);
	jw_kstr(g, "router_name", p.name);
	jw_key(g, "users");
	jw_arr(g);
	for (size_t i = 0; i < n && i < (size_t)limit; i++) {
		int hot = u[i].type[0] == 'h';

		jw_obj(g);
		kitem(g, "username", u[i].it, hot ? "user" : "name");
		jw_kstr(g, "type", u[i].type);
		if (hot)
			jw_kstr(g, "service", "hotspot");
		else
			kitem(g, "service", u[i].it, "service");
		kitem(g, "address", u[i].it, "address");
		kitem(g, "mac_address", u[i].it, hot ? "mac-address" : "caller-id");
		kitem(g, "uptime", u[i].it, "uptime");
		jw_kint(g, "bytes_in", (long long)u[i].in);
		jw_kint(g, "bytes_out", (long long)u[i].out);
		jw_kint(g, "upload_bytes", (long long)u[i].in);
		jw_kint(g, "download_bytes", (long long)u[i].out);
		jw_kint(g, "total_bytes", (long long)(u[i].in + u[i].out));
		jw_obj_end(g);
	}
	jw_arr_end(g);
	jw_kint(g, "hotspot_active", (long long)hs.nitems);
	jw_kint(g, "ppp_active", (long long)ppp.nitems);
	jw_kint(g, "total_active", (long long)n);
	jw_obj_end(g);
	reply_end(req, NULL);
out:
	ros_result_free(&hs);
	ros_result_free(&ppp);
	ros_result_free(&ifs);
	prov_close(&p);
	return 0;
}
