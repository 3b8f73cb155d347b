/* ktl.c - the ktl dialect (003): {success, status, message, data, error}. */
#include "config.h"
#include "api/dialects.h"
#include "json/json.h"

#include <string.h>

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
	jw_kint(g, "status", req->status);
	jw_kstr(g, "message", message ? message : "Success");
	jw_key(g, "data");
}

static void
ok_end(struct request *req, const struct page *pg)
{
	yajl_gen g = req->gen;

	(void)pg;
	jw_knull(g, "error");
	jw_obj_end(g);
}

static void
error(struct request *req, enum err e, const char *message)
{
	yajl_gen g = req->gen;

	(void)e;
	jw_obj(g);
	jw_kbool(g, "success", 0);
	jw_kint(g, "status", req->status);
	jw_kstr(g, "message", message);
	jw_key(g, "error");
	if (req->errs.n) {
		/* {"field": ["message"]} as Django REST framework writes it */
		jw_obj(g);
		for (int i = 0; i < req->errs.n; i++) {
			int seen = 0;

			for (int j = 0; j < i && !seen; j++)
				seen = strcmp(req->errs.e[j].field, req->errs.e[i].field) == 0;
			if (seen)
				continue;
			jw_key(g, req->errs.e[i].field);
			jw_arr(g);
			for (int j = i; j < req->errs.n; j++)
				if (strcmp(req->errs.e[j].field, req->errs.e[i].field) == 0)
					jw_str(g, req->errs.e[j].msg);
			jw_arr_end(g);
		}
		jw_obj_end(g);
	} else {
		jw_arr(g);
		jw_arr_end(g);
	}
	jw_obj_end(g);
}

const struct dialect dialect_ktl = { "ktl", routes, 0, ok_begin, ok_end, error };
