/* health.c - 001's health endpoints: basic, detailed, ready, live. */
#include "config.h"
#include "api/native/native.h"
#include "core/health.h"
#include "json/json.h"

int
h_health(struct request *req)
{
	struct health h;
	yajl_gen g;

	health_check(req->db, req->cfg, 0, &h);
	g = reply_begin(req, h.db_ok ? 200 : 503, h.db_ok ? "Service is healthy" :
	    "Service is unhealthy");
	jw_obj(g);
	jw_kstr(g, "status", h.db_ok ? "healthy" : "unhealthy");
	jw_kstr(g, "service", "ispbill");
	jw_kstr(g, "version", PACKAGE_VERSION);
	jw_obj_end(g);
	return reply_end(req, NULL);
}

int
h_health_detailed(struct request *req)
{
	struct health h;
	yajl_gen g;
	int ok;

	health_check(req->db, req->cfg, 1, &h);
	ok = h.db_ok && h.schema_version >= 0 && h.schema_version >= h.schema_latest;
	g = reply_begin(req, h.db_ok ? 200 : 503, ok ? "Service is healthy" :
	    h.db_ok ? "Service is degraded" : "Service is unhealthy");
	jw_obj(g);
	jw_kstr(g, "status", ok ? "healthy" : h.db_ok ? "degraded" : "unhealthy");
	jw_kstr(g, "service", "ispbill");
	jw_kstr(g, "version", PACKAGE_VERSION);
	jw_kint(g, "uptime_seconds", h.uptime);
	jw_kint(g, "worker_pid", h.pid);
	jw_key(g, "checks");
	jw_obj(g);
	jw_key(g, "database");
	jw_obj(g);
	jw_kstr(g, "status", h.db_ok ? "healthy" : "unhealthy");
	jw_kdouble(g, "response_time_ms", (double)(long long)(h.db_ms * 100) / 100.0);
	if (!h.db_ok)
		jw_kstr(g, "error", "database unreachable");
	jw_obj_end(g);
	jw_key(g, "migrations");
	jw_obj(g);
	jw_kstr(g, "status", !h.db_ok ? "unknown" : h.schema_version >= h.schema_latest ?
	    "up_to_date" : "pending");
	if (h.schema_version >= 0)
		jw_kint(g, "applied_version", h.schema_version);
	else
		jw_knull(g, "applied_version");
	if (h.schema_latest >= 0)
		jw_kint(g, "latest_version", h.schema_latest);
	else
		jw_knull(g, "latest_version");
	jw_obj_end(g);
	jw_obj_end(g);
	jw_obj_end(g);
	return reply_end(req, NULL);
}

int
h_health_ready(struct request *req)
{
	struct health h;
	yajl_gen g;

	health_check(req->db, req->cfg, 0, &h);
	if (!h.db_ok)
		return reply_error(req, ERR_UNAVAILABLE, "Not ready: the database is unreachable.");
	g = reply_begin(req, 200, "Service is ready");
	jw_obj(g);
	jw_kstr(g, "status", "ready");
	jw_obj_end(g);
	return reply_end(req, NULL);
}

int
h_health_live(struct request *req)
{
	yajl_gen g = reply_begin(req, 200, "Service is alive");

	jw_obj(g);
	jw_kstr(g, "status", "alive");
	jw_obj_end(g);
	return reply_end(req, NULL);
}
