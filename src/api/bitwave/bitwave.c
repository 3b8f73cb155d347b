/* bitwave.c - the bitwave dialect (000): bare JSON bodies, FastAPI-style errors. */
#include "config.h"
#include "api/dialects.h"
#include "json/json.h"

/* Routes come with the dialects issue; until then every path answers 404
 * in this dialect's own shape. */
static const struct route routes[] = {
	{ NULL, NULL, NULL, 0, NULL },
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

static void
error(struct request *req, enum err e, const char *message)
{
	yajl_gen g = req->gen;

	if (req->errs.n) {
		/* 422 as FastAPI writes validation errors */
		req->status = e == ERR_VALIDATION ? 422 : req->status;
		jw_obj(g);
		jw_key(g, "detail");
		jw_arr(g);
		for (int i = 0; i < req->errs.n; i++) {
			jw_obj(g);
			jw_key(g, "loc");
			jw_arr(g);
			jw_str(g, "body");
			jw_str(g, req->errs.e[i].field);
			jw_arr_end(g);
			jw_kstr(g, "msg", req->errs.e[i].msg);
			jw_kstr(g, "type", "value_error");
			jw_obj_end(g);
		}
		jw_arr_end(g);
		jw_obj_end(g);
		return;
	}
	jw_obj(g);
	jw_kstr(g, "detail", message);
	jw_obj_end(g);
}

const struct dialect dialect_bitwave = { "bitwave", routes, 0, ok_begin, ok_end, error };
