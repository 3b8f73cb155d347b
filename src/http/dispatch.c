/* dispatch.c - from a FastCGI request to a reply: route, limits, body, auth,
 * permission, handler, envelope, one log line. */
#include "config.h"
#include "http/dispatch.h"
#include "http/auth.h"
#include "http/router.h"
#include "api/dialects.h"
#include "json/json.h"
#include "util/conf.h"
#include "util/log.h"
#include "util/timeutil.h"
#include "util/uuid.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

const char *
request_id_make(struct request *req)
{
	static char prefix[9];
	static pid_t prefix_pid;
	static unsigned long counter;
	const char *h = req_header(req, "X-Request-ID");

	if (h && *h && strlen(h) <= 36) {
		int ok = 1;

		for (const char *p = h; *p && ok; p++)
			ok = isalnum((unsigned char)*p) || *p == '-' || *p == '_' || *p == '.';
		if (ok)
			return h;
	}
	/* a random prefix per process and a counter: unique without a
	 * getrandom call per request */
	if (prefix_pid != getpid()) {
		random_hex(prefix, 4);
		prefix_pid = getpid();
		counter = 0;
	}
	return arena_printf(&req->arena, "%s%08lx", prefix, ++counter & 0xffffffffUL);
}

static int
is_json_type(const char *ct)
{
	size_t n;

	if (ct == NULL)
		return 0;
	while (*ct == ' ')
		ct++;
	n = strcspn(ct, "; ");
	if (n == 16 && strncasecmp(ct, "application/json", 16) == 0)
		return 1;
	/* application/problem+json, application/vnd.x+json */
	return n > 17 && strncasecmp(ct, "application/", 12) == 0 &&
	    strncasecmp(ct + n - 5, "+json", 5) == 0;
}

static int
method_has_body(const char *m)
{
	return !strcmp(m, "POST") || !strcmp(m, "PUT") || !strcmp(m, "PATCH") ||
	    !strcmp(m, "DELETE");
}

/* Read exactly len bytes of the body.  0, or -1 when the stream ended early. */
static int
read_body(struct request *req, FCGX_Request *fr, size_t len)
{
	size_t got = 0;

	req->body = arena_alloc(&req->arena, len + 1);
	while (got < len) {
		int n = FCGX_GetStr(req->body + got, (int)(len - got), fr->in);

		if (n <= 0)
			break;
		got += (size_t)n;
	}
	req->body[got] = '\0';
	req->body_len = got;
	return got == len ? 0 : -1;
}

/* ---- CORS: the panels run on another origin than the API ---- */

/* The request's Origin when the cors_origins setting allows it ("*" when
 * it allows every origin), else NULL. */
static const char *
cors_origin(struct request *req)
{
	const char *list = req->cfg ? req->cfg->cors_origins : NULL;
	const char *o = req_header(req, "Origin");
	size_t olen;

	if (list == NULL || *list == '\0' || o == NULL || *o == '\0')
		return NULL;
	olen = strlen(o);
	while (*list) {
		size_t n = strcspn(list, " ,\t");

		if (n == 1 && *list == '*')
			return "*";
		if (n == olen && strncasecmp(list, o, n) == 0)
			return o;
		list += n ? n : 1;
	}
	return NULL;
}

/* A browser's preflight (OPTIONS with Access-Control-Request-Method) from
 * an allowed origin: 204 and what the real request may carry.  Returns 1
 * when it answered.  allow: the methods of the path, or "" for an unknown
 * path (answered too, so that the real request gets its own 404). */
static int
cors_preflight(struct request *req, const char *allow)
{
	if (strcmp(req->method, "OPTIONS") != 0 ||
	    req_header(req, "Access-Control-Request-Method") == NULL || cors_origin(req) == NULL)
		return 0;
	req_add_header(req, "Access-Control-Allow-Methods",
	    *allow ? allow : "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS");
	req_add_header(req, "Access-Control-Allow-Headers",
	    "Authorization, Content-Type, X-Client-Key, X-Request-ID");
	req_add_header(req, "Access-Control-Max-Age", "7200");
	req->status = 204;
	req->replied = 1;
	return 1;
}

/* On every answer while CORS is configured: the allowed origin, and Vary so
 * that a cache never hands one origin's answer to another. */
static void
cors_headers(struct request *req)
{
	const char *o;

	if (req->cfg == NULL || req->cfg->cors_origins == NULL || req->cfg->cors_origins[0] == '\0')
		return;
	req_add_header(req, "Vary", "Origin");
	if ((o = cors_origin(req)) == NULL)
		return;
	req_add_header(req, "Access-Control-Allow-Origin", o);
	req_add_header(req, "Access-Control-Expose-Headers",
	    "X-Request-ID, Retry-After, X-RateLimit-Limit, X-RateLimit-Remaining, "
	    "X-RateLimit-Reset, WWW-Authenticate");
}

/* Everything between routing and the handler; returns with a reply set. */
static void
serve(struct request *req, FCGX_Request *fr)
{
	const struct dialect *d = req->dialect;
	const struct route *rt = NULL;
	const char *cl;
	char allow[128];
	unsigned long long clen = 0;

	switch (router_match(req, d->routes, d->nroutes, req->method, req->path, &rt,
	    allow, sizeof(allow))) {
	case MATCH_NONE:
		if (cors_preflight(req, ""))
			return;
		reply_error(req, ERR_NOT_FOUND, arena_printf(&req->arena,
		    "No endpoint at %s.", req->path));
		return;
	case MATCH_NO_METHOD:
		req_add_header(req, "Allow", allow);
		if (cors_preflight(req, allow))
			return;
		if (strcmp(req->method, "OPTIONS") == 0) {
			yajl_gen g = reply_begin(req, 200, "Allowed methods.");
			jw_obj(g);
			jw_kstr(g, "allow", allow);
			jw_obj_end(g);
			reply_end(req, NULL);
			return;
		}
		reply_error(req, ERR_METHOD_NOT_ALLOWED, arena_printf(&req->arena,
		    "Method \"%s\" not allowed.", req->method));
		return;
	case MATCH_OK:
		break;
	}
	req->route = rt;

	/* body: size first, before reading a byte of it */
	cl = req_param(req, "CONTENT_LENGTH");
	if (cl && *cl) {
		char *end;

		errno = 0;
		clen = strtoull(cl, &end, 10);
		if (errno || *end != '\0' || cl[0] == '-') {
			reply_error(req, ERR_PARSE, "Invalid Content-Length.");
			return;
		}
	}
	if (clen > MAX_BODY) {
		reply_error(req, ERR_PAYLOAD_TOO_LARGE, arena_printf(&req->arena,
		    "Request body of %llu bytes is larger than the limit of %d bytes.",
		    clen, MAX_BODY));
		return;
	}
	if (clen > 0 && read_body(req, fr, (size_t)clen) < 0) {
		reply_error(req, ERR_PARSE, "Request body ended before Content-Length bytes.");
		return;
	}
	if ((rt->flags & R_BODY) && req->body_len > 0) {
		char err[300];

		if (!is_json_type(req->content_type)) {
			reply_error(req, ERR_UNSUPPORTED_MEDIA_TYPE, arena_printf(&req->arena,
			    "Unsupported media type \"%s\" in request; use application/json.",
			    req->content_type ? req->content_type : ""));
			return;
		}
		req->json = json_parse(req->body, req->body_len, JSON_MAX_DEPTH, err, sizeof(err));
		if (req->json == NULL) {
			reply_error(req, ERR_PARSE, arena_printf(&req->arena,
			    "JSON parse error - %s", err));
			return;
		}
		if (!YAJL_IS_OBJECT(req->json)) {
			reply_error(req, ERR_PARSE, "The request body must be a JSON object.");
			return;
		}
	} else if (!(rt->flags & R_BODY) && req->body_len > 0 && method_has_body(req->method) &&
	    !is_json_type(req->content_type)) {
		reply_error(req, ERR_UNSUPPORTED_MEDIA_TYPE, "Unsupported media type; use application/json.");
		return;
	}

	if (!(rt->flags & R_PUBLIC)) {
		enum err e = auth_authenticate(req);

		if (e == ERR_UNAUTHORIZED && d->anonymous && req_header(req, "Authorization") == NULL &&
		    req_header(req, "X-Client-Key") == NULL)
			e = d->anonymous(req);
		if (e != ERR_NONE) {
			if (e == ERR_UNAUTHORIZED)
				req_add_header(req, "WWW-Authenticate", "Bearer realm=\"api\"");
			if (e == ERR_UNAUTHORIZED && req_header(req, "Authorization") == NULL &&
			    req_header(req, "X-Client-Key") == NULL) {
				reply_error(req, e, NULL);
				return;
			}
			if (e == ERR_UNAUTHORIZED) {
				reply_error(req, e, "Given token not valid or expired.");
				return;
			}
			reply_error(req, e, NULL);
			return;
		}
		if (rt->perm) {
			int ok = auth_has_perm(req, rt->perm);

			if (ok < 0) {
				reply_error(req, ERR_UNAVAILABLE, NULL);
				return;
			}
			if (!ok) {
				reply_error(req, ERR_FORBIDDEN, NULL);
				return;
			}
		}
	}

	rt->fn(req);
	if (!req->replied) {
		log_error("handler for %s %s returned without a reply", rt->method, rt->pattern);
		reply_error(req, ERR_INTERNAL, NULL);
	}
}

static void
write_reply(struct request *req, FCGX_Request *fr)
{
	const unsigned char *body = NULL;
	size_t blen = 0;
	char head[512];
	int n;

	if (req->gen)
		yajl_gen_get_buf(req->gen, &body, &blen);
	else if (req->raw_reply) {
		body = (const unsigned char *)req->raw_reply;
		blen = strlen(req->raw_reply);
	}
	/* libfcgi's own printf knows no %zu: format here, write raw */
	n = snprintf(head, sizeof(head), "Status: %d %s\r\n"
	    "Content-Type: application/json\r\n"
	    "Content-Length: %zu\r\n"
	    "Cache-Control: no-store\r\n"
	    "X-Content-Type-Options: nosniff\r\n"
	    "X-Request-ID: %s\r\n",
	    req->status, http_reason(req->status), blen, req->request_id);
	FCGX_PutStr(head, n, fr->out);
	if (req->hdrs.len)
		FCGX_PutStr(req->hdrs.data, (int)req->hdrs.len, fr->out);
	FCGX_PutS("\r\n", fr->out);
	if (blen && strcmp(req->method, "HEAD") != 0)
		FCGX_PutStr((const char *)body, (int)blen, fr->out);
}

static const char *
nz(const char *s, const char *def)
{
	return (s && *s) ? s : def;
}

void
dispatch_fcgi(struct request *req, FCGX_Request *fr, struct worker_slot *slot)
{
	const char *dname;

	req->t0 = time_mono_ms();
	req->envp = fr->envp;
	req->method = nz(req_param(req, "REQUEST_METHOD"), "GET");
	req->path = nz(req_param(req, "DOCUMENT_URI"), nz(req_param(req, "SCRIPT_NAME"), "/"));
	req->query = req_param(req, "QUERY_STRING");
	req->content_type = req_param(req, "CONTENT_TYPE");
	req->remote_addr = nz(req_param(req, "REMOTE_ADDR"), "-");
	req->request_id = request_id_make(req);
	log_set_request_id(req->request_id);

	dname = nz(req_param(req, "ISPBILL_DIALECT"), "native");
	req->dialect = dialect_find(dname);
	if (slot) {
		snprintf(slot->method, sizeof(slot->method), "%s", req->method);
		snprintf(slot->path, sizeof(slot->path), "%s", req->path);
		snprintf(slot->request_id, sizeof(slot->request_id), "%s", req->request_id);
		slot->busy = 1;
	}
	if (req->dialect == NULL) {
		log_error("unknown ISPBILL_DIALECT '%s' (nginx configuration)", dname);
		req->dialect = dialect_find("native");
		reply_error(req, ERR_INTERNAL, "Server misconfigured: unknown dialect.");
	} else
		serve(req, fr);

	cors_headers(req);
	write_reply(req, fr);
	/* a path that carries a credential ({secret}: Daraja's callback URLs) is
	 * logged as its pattern */
	log_info("%s %s %s %s %d %.2fms user=%lld", req->dialect->name, req->remote_addr,
	    req->method, req->route && strstr(req->route->pattern, "{secret}") ?
	    req->route->pattern : req->path, req->status, time_mono_ms() - req->t0,
	    req->auth.user_id);
	log_set_request_id(NULL);
	if (slot)
		slot->busy = 0;
}
