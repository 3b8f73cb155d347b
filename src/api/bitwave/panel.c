/* panel.c - what the Bitwave panel's home screen calls beyond 000:
 * /dashboard/analytics (camelCase figures from the core) and
 * /mikrotik/health (a live read of one router's resources). */
#include "config.h"
#include "api/bitwave/bitwave.h"
#include "api/resource.h"
#include "core/billing.h"
#include "core/core.h"
#include "core/mpesa_report.h"
#include "core/provision.h"
#include "json/json.h"
#include "util/log.h"

#include <limits.h>
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

/* ?router_id=N, else the first router of the scope; 0 when there is none */
static long long
pick_router(struct request *req, int *replied)
{
	struct stats_scope sc;
	struct ent_query q;
	struct ent_page pg;
	long long id = 0;

	*replied = 1;
	if (req_query_int(req, "router_id", 0, 1, LLONG_MAX, &id) < 0)
		return reply_error(req, ERR_VALIDATION, NULL), 0;
	if (bw_scope(req, &sc) < 0)
		return 0;
	*replied = 0;
	if (id || sc.none)
		return id;
	memset(&q, 0, sizeof(q));
	if (sc.owner_id)
		ent_query_filter(&q, ent_field(&ent_router, "owner_id"), arena_printf(&req->arena,
		    "%lld", sc.owner_id), &req->errs, &req->arena);
	q.limit = 1;
	q.ordering = "id";
	if (ent_list(req->db, &req->arena, &ent_router, req->auth.tenant_id, &q, &pg,
	    &req->errs) != CORE_OK || pg.nrows == 0)
		return 0;
	return pg.rows[0].id;
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
