/* helpers.c - small helpers shared by the integration suites: unique
 * names, URL encoding, ISO times, and reading JSON answers. */
#include "config.h"

#include <ctype.h>
#include <sys/wait.h>
#include <stdarg.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "itest.h"

static int seq;

/* "<prefix><pid>x<n>": unique in the run (every test is its own process) */
char *
uniq(char *buf, size_t n, const char *prefix)
{
	snprintf(buf, n, "%s%ldx%d", prefix, (long)getpid(), ++seq);
	return buf;
}

char *
urlenc(const char *s, char *out, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = 0;

	for (; *s && o + 4 < n; s++) {
		unsigned char c = (unsigned char)*s;

		if (isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~')
			out[o++] = (char)c;
		else {
			out[o++] = '%';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		}
	}
	out[o] = '\0';
	return out;
}

/* "YYYY-MM-DDTHH:MM:SSZ" to a time, 0 if it is not one */
time_t
iso_time(const char *s)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	if (s == NULL || strlen(s) != 20 || s[19] != 'Z' ||
	    sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
	    &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6)
		return 0;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	return timegm(&tm);
}

int
names_field(const struct resp *r, const char *field)
{
	char path[256];
	yajl_val v;

	snprintf(path, sizeof(path), "errors/%s", field);
	v = it_json(r, path);
	return v && YAJL_IS_ARRAY(v) && v->u.array.len > 0;
}

yajl_val
jget(yajl_val o, const char *key)
{
	const char *p[2] = { key, NULL };

	return (o && YAJL_IS_OBJECT(o)) ? yajl_tree_get(o, p, yajl_t_any) : NULL;
}

const char *
jstr(yajl_val o, const char *key)
{
	yajl_val v = jget(o, key);

	return (v && YAJL_IS_STRING(v)) ? v->u.string : NULL;
}

long long
jint(yajl_val o, const char *key)
{
	yajl_val v = jget(o, key);

	return (v && YAJL_IS_INTEGER(v)) ? v->u.number.i : LLONG_MIN;
}

size_t
jlen(yajl_val a)
{
	return (a && YAJL_IS_ARRAY(a)) ? a->u.array.len : 0;
}

yajl_val
jat(yajl_val a, size_t i)
{
	return i < jlen(a) ? a->u.array.values[i] : NULL;
}

/* a list answer's items */
yajl_val
items(const struct resp *r)
{
	yajl_val v = it_json(r, "data");

	return (v && YAJL_IS_ARRAY(v)) ? v : NULL;
}

long long
total(const struct resp *r)
{
	return it_int(r, "pagination/total_items");
}

yajl_val
find_int(const struct resp *r, const char *key, long long v)
{
	yajl_val a = items(r);

	for (size_t i = 0; i < jlen(a); i++)
		if (jint(jat(a, i), key) == v)
			return jat(a, i);
	return NULL;
}

void
miss(struct misses *m, const char *fmt, ...)
{
	size_t len = strlen(m->text);
	va_list ap;

	m->n++;
	if (len + 16 >= sizeof(m->text))
		return;
	if (len) {
		strcpy(m->text + len, "\n  ");
		len += 3;
	}
	va_start(ap, fmt);
	vsnprintf(m->text + len, sizeof(m->text) - len, fmt, ap);
	va_end(ap);
}

/* Run a shell command, capture its output; returns the exit status. */
int
it_run(const char *cmd, char *out, size_t n)
{
	FILE *p = popen(cmd, "r");
	size_t got = 0;
	int st;

	if (n)
		out[0] = '\0';
	if (p == NULL)
		return -1;
	while (got + 1 < n && fgets(out + got, (int)(n - got), p))
		got = strlen(out);
	st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* a number exactly as the server wrote it */
const char *
jnum(yajl_val o, const char *key)
{
	yajl_val v = jget(o, key);

	return (v && YAJL_IS_NUMBER(v)) ? v->u.number.r : NULL;
}

/* The seed documents' path, under ISPBILL_TOP/../shared/seeds. */
static FILE *
seed_open(const char *doc)
{
	char path[1024];
	FILE *f;

	snprintf(path, sizeof(path), "%s/../shared/seeds/%s", it_env("ISPBILL_TOP"), doc);
	if ((f = fopen(path, "r")) == NULL) {
		snprintf(path, sizeof(path), "/work/shared/seeds/%s", doc);
		f = fopen(path, "r");
	}
	return f;
}

static int
is_method(const char *m, size_t n)
{
	static const char *const all[] = { "GET", "POST", "PUT", "PATCH", "DELETE" };

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (strlen(all[i]) == n && memcmp(all[i], m, n) == 0)
			return 1;
	return 0;
}

/*
 * Every `METHOD path` a seed document lists, in the forms the five use:
 *   ### GET `/dashboard/overview`         (000, 004 with ### or ####)
 *   - `PUT/PATCH /api/plans/{id}/` - ...  (001)
 *   ### POST /auth/login                  (002)
 *   **Endpoint:** `PUT/PATCH /groups/{group_id}/`   (003)
 * A line is one when, past markdown marks (#, -, *, |, "**Endpoint:**" and
 * backticks), it starts with a method list and then a path from '/'.  base
 * goes in front of the path; the query string is dropped; {x}, :x and <x>
 * become sample.  Methods written "PUT/PATCH" give one row each; a row
 * repeated in the document is kept once.
 */
int
doc_routes(const char *doc, const char *base, const char *sample, struct doc_route *out,
    int max)
{
	char line[2048];
	FILE *f = seed_open(doc);
	int n = 0;

	ck_assert_msg(f != NULL, "cannot read the seed document %s", doc);
	while (fgets(line, sizeof(line), f)) {
		char *s = line, *m, *p, path[512];
		size_t o = 0;
		int ws = strstr(line, "WebSocket") != NULL;

		for (;;) {
			if (*s == '#' || *s == '-' || *s == '*' || *s == '|' || *s == '`' ||
			    *s == ' ' || *s == '\t')
				s++;
			else if (strncmp(s, "Endpoint:", 9) == 0)
				s += 9;
			else
				break;
		}
		for (m = s; isupper((unsigned char)*m) || *m == '/'; m++)
			;
		if (m == s || (*m != ' ' && *m != '\t'))
			continue;
		for (p = m; *p == ' ' || *p == '\t' || *p == '`'; p++)
			;
		if (*p != '/')
			continue;
		/* the path, its parameters made samples */
		o = (size_t)snprintf(path, sizeof(path), "%s", base);
		for (; *p && *p != '`' && *p != ' ' && *p != '?' && *p != '\n' && *p != '\r' &&
		    o + strlen(sample) + 2 < sizeof(path); ) {
			if ((*p == '{' || *p == '<' || (*p == ':' && p[-1] == '/'))) {
				o += (size_t)snprintf(path + o, sizeof(path) - o, "%s", sample);
				while (*p && *p != '/' && *p != '`' && *p != ' ')
					p++;
			} else
				path[o++] = *p++;
		}
		path[o] = '\0';
		/* each method of "PUT/PATCH" */
		for (char *a = s; a < m; ) {
			char *e = a;
			int dup = 0;

			while (e < m && *e != '/')
				e++;
			if (!is_method(a, (size_t)(e - a))) {
				a = e + 1;
				continue;
			}
			for (int i = 0; i < n; i++)
				dup |= !strncmp(out[i].method, a, (size_t)(e - a)) &&
				    out[i].method[e - a] == '\0' && !strcmp(out[i].path, path);
			if (!dup && n < max) {
				snprintf(out[n].method, sizeof(out[n].method), "%.*s", (int)(e - a), a);
				snprintf(out[n].path, sizeof(out[n].path), "%s", path);
				out[n].websocket = ws;
				n++;
			}
			a = e + 1;
		}
	}
	fclose(f);
	return n;
}
