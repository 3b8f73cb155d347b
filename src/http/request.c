/* request.c - one request: params, query, headers, replies in the dialect's envelope. */
#include "config.h"
#include "http/request.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/timeutil.h"

void
req_init(struct request *req)
{
	memset(req, 0, sizeof(*req));
	arena_init(&req->arena);
}

void
req_reset(struct request *req)
{
	struct arena a = req->arena;
	struct buf h = req->hdrs;

	if (req->json)
		yajl_tree_free(req->json);
	if (req->gen)
		yajl_gen_free(req->gen);
	arena_reset(&a);
	buf_reset(&h);
	memset(req, 0, sizeof(*req));
	req->arena = a;
	req->hdrs = h;
}

void
req_free(struct request *req)
{
	req_reset(req);
	buf_free(&req->hdrs);
	arena_free(&req->arena);
}

const char *
req_param(const struct request *req, const char *name)
{
	size_t n = strlen(name);

	if (req->envp == NULL)
		return NULL;
	for (char **e = req->envp; *e; e++)
		if (strncmp(*e, name, n) == 0 && (*e)[n] == '=')
			return *e + n + 1;
	return NULL;
}

const char *
req_header(struct request *req, const char *name)
{
	char key[128] = "HTTP_";
	size_t i;

	for (i = 0; name[i] && i + 6 < sizeof(key); i++)
		key[5 + i] = name[i] == '-' ? '_' : (char)toupper((unsigned char)name[i]);
	key[5 + i] = '\0';
	return req_param(req, key);
}

const char *
req_path_param(const struct request *req, const char *name)
{
	for (int i = 0; i < req->npath; i++)
		if (strcmp(req->pnames[i], name) == 0)
			return req->pvals[i];
	return NULL;
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

char *
url_decode(struct arena *a, const char *s, size_t n)
{
	char *out = arena_alloc(a, n + 1), *o = out;

	for (size_t i = 0; i < n; i++) {
		if (s[i] == '+')
			*o++ = ' ';
		else if (s[i] == '%' && i + 2 < n && hexval((unsigned char)s[i + 1]) >= 0 &&
		    hexval((unsigned char)s[i + 2]) >= 0 &&
		    (s[i + 1] != '0' || s[i + 2] != '0')) {    /* %00 stays text: no NUL inside */
			*o++ = (char)(hexval((unsigned char)s[i + 1]) * 16 +
			    hexval((unsigned char)s[i + 2]));
			i += 2;
		} else
			*o++ = s[i];
	}
	*o = '\0';
	return out;
}

const char *
req_query(struct request *req, const char *name)
{
	const char *q = req->query, *amp, *eq;
	size_t nlen = strlen(name);

	if (q == NULL)
		return NULL;
	while (*q) {
		amp = strchr(q, '&');
		if (amp == NULL)
			amp = q + strlen(q);
		eq = memchr(q, '=', (size_t)(amp - q));
		{
			const char *kend = eq ? eq : amp;
			char *k = url_decode(&req->arena, q, (size_t)(kend - q));

			if (strlen(k) == nlen && memcmp(k, name, nlen) == 0)
				return eq ? url_decode(&req->arena, eq + 1, (size_t)(amp - eq - 1)) : "";
		}
		q = *amp ? amp + 1 : amp;
	}
	return NULL;
}

int
req_query_int(struct request *req, const char *name, long long def,
    long long min, long long max, long long *out)
{
	const char *v = req_query(req, name);
	char *end;
	long long n;

	if (v == NULL || *v == '\0') {
		*out = def;
		return 0;
	}
	errno = 0;
	n = strtoll(v, &end, 10);
	/* digits only (an optional minus): no spaces, no plus */
	if (errno || *end != '\0' || n < min || n > max ||
	    !(isdigit((unsigned char)v[0]) || (v[0] == '-' && isdigit((unsigned char)v[1])))) {
		req_field_error(req, name, arena_printf(&req->arena,
		    "A whole number from %lld to %lld is required.", min, max));
		return -1;
	}
	*out = n;
	return 0;
}

void
req_add_header(struct request *req, const char *name, const char *value)
{
	/* never let a value break the header block */
	buf_puts(&req->hdrs, name);
	buf_puts(&req->hdrs, ": ");
	for (const char *p = value; *p; p++)
		buf_putc(&req->hdrs, (*p == '\r' || *p == '\n') ? ' ' : *p);
	buf_puts(&req->hdrs, "\r\n");
}

void
req_field_error(struct request *req, const char *field, const char *msg)
{
	ferr_add(&req->errs, field, msg);
}

static void
new_gen(struct request *req)
{
	if (req->gen)
		yajl_gen_free(req->gen);
	req->gen = yajl_gen_alloc(NULL);
	yajl_gen_config(req->gen, yajl_gen_validate_utf8, 0);
}

yajl_gen
reply_begin(struct request *req, int status, const char *message)
{
	new_gen(req);
	req->status = status;
	req->error = ERR_NONE;
	req->replied = 1;
	req->dialect->ok_begin(req, message);
	return req->gen;
}

int
reply_end(struct request *req, const struct page *pg)
{
	req->dialect->ok_end(req, pg);
	return 0;
}

int
reply_raw(struct request *req, int status, const char *json)
{
	if (req->gen)
		yajl_gen_free(req->gen);
	req->gen = NULL;
	req->status = status;
	req->error = ERR_NONE;
	req->replied = 1;
	req->raw_reply = arena_strdup(&req->arena, json);
	return 0;
}

int
reply_error(struct request *req, enum err e, const char *message)
{
	new_gen(req);
	req->status = err_status(e);
	req->error = e;
	req->replied = 1;
	req->dialect->error(req, e, message ? message : err_default_message(e));
	return 0;
}
