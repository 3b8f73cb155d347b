/* request.h - one request: what came in (FastCGI params, body, route, caller),
 * what goes out (status, headers, a JSON body in the dialect's envelope). */
#ifndef ISP_REQUEST_H
#define ISP_REQUEST_H

#include <stddef.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "http/errors.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/ferr.h"

struct request;
struct db;
struct config;

#define MAX_BODY        (1024 * 1024)   /* 1 MiB: larger bodies get 413 */
#define MAX_PATH_PARAMS 8

typedef int (*handler_fn)(struct request *req);

/* route flags */
#define R_PUBLIC  0x01u         /* no credential needed */
#define R_BODY    0x02u         /* takes a JSON object body */

struct route {
	const char *method;
	const char *pattern;        /* "/api/customers/{id}/" */
	handler_fn  fn;
	unsigned    flags;
	const char *perm;           /* permission code, NULL: any authenticated caller */
	const void *ctx;            /* handler's data (a resource description) */
};

struct page {
	long long total;            /* rows matching */
	long long page, page_size;  /* 001 style */
	long long limit, offset;    /* 002/004 style */
};

struct dialect {
	const char *name;
	const struct route *routes;
	size_t nroutes;
	/* Envelope writers.  ok_begin leaves the generator where the data
	 * value goes; ok_end closes the envelope. */
	void (*ok_begin)(struct request *req, const char *message);
	void (*ok_end)(struct request *req, const struct page *pg);
	void (*error)(struct request *req, enum err e, const char *message);
	/* A call that carries no credential at all (NULL: refused): the
	 * dialect may name its caller itself (bitwave's trusted addresses)
	 * and fill req->auth.  ERR_NONE when it did, else the error to
	 * answer (ERR_UNAUTHORIZED as without it). */
	enum err (*anonymous)(struct request *req);
};

struct auth_ctx {
	long long user_id;          /* 0: nobody (or an API client) */
	long long tenant_id;
	long long client_id;        /* X-Client-Key caller, else 0 */
	const char *username;
	const char *user_type;
	const char *scopes;         /* API client's scopes (JSON) */
	const char *versions;       /* the tenant's data versions, "entity:v,..." */
	int is_superuser;
	const char *jti;
	const char *family;
	long long exp;
};

struct request {
	struct arena arena;
	char **envp;                    /* FastCGI params */
	const struct dialect *dialect;
	const struct config *cfg;
	struct db *db;

	const char *method;
	const char *path;               /* without the query string */
	const char *query;
	const char *content_type;
	const char *remote_addr;
	const char *request_id;
	char *body;                     /* NUL-terminated */
	size_t body_len;
	yajl_val json;                  /* parsed body (R_BODY routes), freed on reset */
	const char *raw_reply;          /* reply_raw's body, else NULL */

	const struct route *route;
	const char *pnames[MAX_PATH_PARAMS];
	const char *pvals[MAX_PATH_PARAMS];
	int npath;

	struct auth_ctx auth;

	/* response */
	int status;
	int replied;
	enum err error;
	struct buf hdrs;                /* extra header lines, CRLF-terminated */
	yajl_gen gen;
	struct ferrs errs;
	double t0;
};

void req_init(struct request *req);
void req_reset(struct request *req);     /* end of request: frees all it owns */
void req_free(struct request *req);

const char *req_param(const struct request *req, const char *name);     /* FastCGI param */
const char *req_header(struct request *req, const char *name);          /* "X-Client-Key" */
const char *req_path_param(const struct request *req, const char *name);
/* Query string values, percent-decoded. */
const char *req_query(struct request *req, const char *name);
/* Range-checked integer from the query string: absent gives def, bad input
 * a field error and -1. */
int req_query_int(struct request *req, const char *name, long long def,
    long long min, long long max, long long *out);

void req_add_header(struct request *req, const char *name, const char *value);
void req_field_error(struct request *req, const char *field, const char *msg);

/* Replies: a handler calls reply_begin, writes one JSON value into the
 * returned generator, then reply_end; or reply_error once. */
yajl_gen reply_begin(struct request *req, int status, const char *message);
int      reply_end(struct request *req, const struct page *pg);
/* A body that is not in the dialect's envelope (what Daraja expects back):
 * json is sent as it is. */
int      reply_raw(struct request *req, int status, const char *json);
int      reply_error(struct request *req, enum err e, const char *message);

/* Percent-decoding used by the query parser; exposed for tests. */
char *url_decode(struct arena *a, const char *s, size_t n);

#endif
