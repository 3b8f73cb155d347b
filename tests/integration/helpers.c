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
