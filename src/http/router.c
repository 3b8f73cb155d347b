/* router.c - match a method and path against a dialect's route table. */
#include "config.h"
#include "http/router.h"

#include <stdio.h>
#include <string.h>

/* Compare one pattern to a path, segment by segment.  Returns 1 on a match
 * and records {name} segments into req when req is not NULL. */
static int
path_match(struct request *req, const char *pat, const char *path)
{
	const char *p = pat, *s = path;
	int np = 0;

	for (;;) {
		/* both at a segment start */
		if (*p == '\0' || (p[0] == '/' && p[1] == '\0'))
			return (*s == '\0' || (s[0] == '/' && s[1] == '\0')) ? np + 1 : 0;
		if (*s == '\0' || (s[0] == '/' && s[1] == '\0'))
			return 0;
		if (*p != '/' || *s != '/')
			return 0;
		p++;
		s++;
		if (*p == '{') {
			const char *pe = strchr(p, '}');
			const char *se = strchr(s, '/');
			size_t slen;

			if (pe == NULL)
				return 0;
			slen = se ? (size_t)(se - s) : strlen(s);
			if (slen == 0)
				return 0;
			if (req) {
				if (np >= MAX_PATH_PARAMS)
					return 0;
				req->pnames[np] = arena_strndup(&req->arena, p + 1, (size_t)(pe - p - 1));
				req->pvals[np] = arena_strndup(&req->arena, s, slen);
			}
			np++;
			p = pe + 1;
			s += slen;
		} else {
			const char *pe = strchr(p, '/');
			const char *se = strchr(s, '/');
			size_t plen = pe ? (size_t)(pe - p) : strlen(p);
			size_t slen = se ? (size_t)(se - s) : strlen(s);

			if (plen != slen || memcmp(p, s, plen) != 0)
				return 0;
			p += plen;
			s += slen;
		}
	}
}

static void
allow_add(char *allow, size_t len, const char *m)
{
	char tok[16];

	snprintf(tok, sizeof(tok), "%s", m);
	/* no duplicates */
	for (const char *a = allow; (a = strstr(a, tok)) != NULL; a += strlen(tok)) {
		size_t tl = strlen(tok);
		if ((a == allow || a[-1] == ' ') && (a[tl] == ',' || a[tl] == '\0'))
			return;
	}
	if (allow[0])
		strncat(allow, ", ", len - strlen(allow) - 1);
	strncat(allow, m, len - strlen(allow) - 1);
}

enum match
router_match(struct request *req, const struct route *routes, size_t n,
    const char *method, const char *path, const struct route **out,
    char *allow, size_t allowlen)
{
	int known = 0;
	const char *m = strcmp(method, "HEAD") == 0 ? "GET" : method;

	if (allow && allowlen)
		allow[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		if (!path_match(NULL, routes[i].pattern, path))
			continue;
		known = 1;
		if (strcmp(routes[i].method, m) == 0) {
			if (req) {
				req->npath = 0;
				req->npath = path_match(req, routes[i].pattern, path) - 1;
			}
			*out = &routes[i];
			return MATCH_OK;
		}
		if (allow) {
			allow_add(allow, allowlen, routes[i].method);
			if (strcmp(routes[i].method, "GET") == 0)
				allow_add(allow, allowlen, "HEAD");
		}
	}
	if (!known)
		return MATCH_NONE;
	if (allow)
		allow_add(allow, allowlen, "OPTIONS");
	return MATCH_NO_METHOD;
}
