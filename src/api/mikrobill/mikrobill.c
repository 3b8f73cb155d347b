/* mikrobill.c - the mikrobill dialect (004): {success, data, metadata, error}. */
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

const struct dialect dialect_mikrobill = { "mikrobill", routes, 0, ok_begin, ok_end, error };
