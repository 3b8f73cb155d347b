/* native.c - the native dialect (001's conventions): route table and envelope. */
#include "config.h"
#include "api/dialects.h"
#include "api/native/native.h"
#include "json/json.h"
#include "util/timeutil.h"

#include <string.h>

static const struct route routes[] = {
	{ "GET",  "/api/health/",          h_health,          R_PUBLIC, NULL },
	{ "GET",  "/api/health/detailed/", h_health_detailed, R_PUBLIC, NULL },
	{ "GET",  "/api/health/ready/",    h_health_ready,    R_PUBLIC, NULL },
	{ "GET",  "/api/health/live/",     h_health_live,     R_PUBLIC, NULL },
	{ "POST", "/api/auth/login/",      h_auth_login,      R_PUBLIC | R_BODY, NULL },
	{ "GET",  "/api/auth/me/",         h_auth_me,         0, NULL },
};

static void
stamp(yajl_gen g)
{
	char ts[32];

	time_iso8601_now(ts, sizeof(ts), 0);
	jw_kstr(g, "timestamp", ts);
}

static void
ok_begin(struct request *req, const char *message)
{
	yajl_gen g = req->gen;

	jw_obj(g);
	jw_kbool(g, "success", 1);
	jw_kstr(g, "message", message ? message : "Success");
	jw_key(g, "data");
}

static void
ok_end(struct request *req, const struct page *pg)
{
	yajl_gen g = req->gen;

	stamp(g);
	if (pg) {
		long long pages = pg->page_size ? (pg->total + pg->page_size - 1) / pg->page_size : 0;

		jw_key(g, "pagination");
		jw_obj(g);
		jw_kint(g, "current_page", pg->page);
		jw_kint(g, "total_pages", pages);
		jw_kint(g, "total_items", pg->total);
		jw_kint(g, "page_size", pg->page_size);
		jw_kbool(g, "has_next", pg->page < pages);
		jw_kbool(g, "has_previous", pg->page > 1);
		jw_key(g, "next_page");
		if (pg->page < pages)
			jw_int(g, pg->page + 1);
		else
			jw_null(g);
		jw_key(g, "previous_page");
		if (pg->page > 1)
			jw_int(g, pg->page - 1);
		else
			jw_null(g);
		jw_obj_end(g);
	}
	jw_obj_end(g);
}

/* {"field": ["message", ...], ...} in the order fields first appear */
void
native_write_field_errors(struct request *req)
{
	yajl_gen g = req->gen;

	jw_obj(g);
	for (int i = 0; i < req->nerrs; i++) {
		int seen = 0;

		for (int j = 0; j < i && !seen; j++)
			seen = strcmp(req->errs[j].field, req->errs[i].field) == 0;
		if (seen)
			continue;
		jw_key(g, req->errs[i].field);
		jw_arr(g);
		for (int j = i; j < req->nerrs; j++)
			if (strcmp(req->errs[j].field, req->errs[i].field) == 0)
				jw_str(g, req->errs[j].msg);
		jw_arr_end(g);
	}
	jw_obj_end(g);
}

static void
error(struct request *req, enum err e, const char *message)
{
	yajl_gen g = req->gen;

	jw_obj(g);
	jw_kbool(g, "success", 0);
	jw_kstr(g, "message", message);
	jw_knull(g, "data");
	stamp(g);
	jw_key(g, "errors");
	if (req->nerrs)
		native_write_field_errors(req);
	else {
		jw_obj(g);
		jw_kstr(g, "detail", message);
		jw_obj_end(g);
	}
	jw_kstr(g, "error_code", err_code(e));
	jw_obj_end(g);
}

const struct dialect dialect_native = {
	"native", routes, sizeof(routes) / sizeof(routes[0]), ok_begin, ok_end, error,
};
