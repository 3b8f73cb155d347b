/* netflow.c - the netflow dialect (002): {success, data, message}, limit/offset. */
#include "config.h"
#include "api/dialects.h"
#include "json/json.h"

/* Routes come with the dialects issue. */
static const struct route routes[] = {
	{ NULL, NULL, NULL, 0, NULL },
};

static void
ok_begin(struct request *req, const char *message)
{
	yajl_gen g = req->gen;

	jw_obj(g);
	jw_kbool(g, "success", 1);
	if (message)
		jw_kstr(g, "message", message);
	jw_key(g, "data");
}

static void
ok_end(struct request *req, const struct page *pg)
{
	yajl_gen g = req->gen;

	if (pg) {
		jw_key(g, "pagination");
		jw_obj(g);
		jw_kint(g, "total", pg->total);
		jw_kint(g, "limit", pg->limit);
		jw_kint(g, "offset", pg->offset);
		jw_obj_end(g);
	}
	jw_obj_end(g);
}

static void
error(struct request *req, enum err e, const char *message)
{
	yajl_gen g = req->gen;

	(void)e;
	jw_obj(g);
	jw_kbool(g, "success", 0);
	jw_kstr(g, "message", message);
	if (req->errs.n) {
		jw_key(g, "errors");
		jw_arr(g);
		for (int i = 0; i < req->errs.n; i++) {
			jw_obj(g);
			jw_kstr(g, "field", req->errs.e[i].field);
			jw_kstr(g, "message", req->errs.e[i].msg);
			jw_obj_end(g);
		}
		jw_arr_end(g);
	}
	jw_obj_end(g);
}

const struct dialect dialect_netflow = { "netflow", routes, 0, ok_begin, ok_end, error };
