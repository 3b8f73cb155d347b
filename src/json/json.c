/* json.c - thin yajl layer: write output with short helpers, read input
 * with a depth limit and typed getters. */
#include "config.h"
#include "json/json.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

void
jw_strn(yajl_gen g, const char *s, size_t n)
{
	yajl_gen_string(g, (const unsigned char *)s, n);
}

void
jw_str(yajl_gen g, const char *s)
{
	if (s == NULL)
		yajl_gen_null(g);
	else
		yajl_gen_string(g, (const unsigned char *)s, strlen(s));
}

void jw_int(yajl_gen g, long long v) { yajl_gen_integer(g, v); }
void jw_bool(yajl_gen g, int v) { yajl_gen_bool(g, v != 0); }
void jw_null(yajl_gen g) { yajl_gen_null(g); }
void jw_obj(yajl_gen g) { yajl_gen_map_open(g); }
void jw_obj_end(yajl_gen g) { yajl_gen_map_close(g); }
void jw_arr(yajl_gen g) { yajl_gen_array_open(g); }
void jw_arr_end(yajl_gen g) { yajl_gen_array_close(g); }
void jw_key(yajl_gen g, const char *k) { jw_str(g, k); }

void
jw_raw_number(yajl_gen g, const char *digits)
{
	yajl_gen_number(g, digits, strlen(digits));
}

void
jw_dbtime(yajl_gen g, const char *t)
{
	char tmp[40];
	size_t n;

	if (t == NULL) {
		yajl_gen_null(g);
		return;
	}
	n = strcspn(t, ".");
	if (n != 19 || t[10] != ' ') {
		jw_str(g, t);           /* not a DATETIME: pass it on unchanged */
		return;
	}
	memcpy(tmp, t, 19);
	tmp[10] = 'T';
	tmp[19] = 'Z';
	tmp[20] = '\0';
	jw_strn(g, tmp, 20);
}

void
jw_double(yajl_gen g, double v)
{
	char tmp[64];

	/* always print a fraction so that 730 reads as 730.0 */
	if (v == (double)(long long)v && v > -1e15 && v < 1e15)
		snprintf(tmp, sizeof(tmp), "%.1f", v);
	else
		snprintf(tmp, sizeof(tmp), "%.15g", v);
	jw_raw_number(g, tmp);
}

void
jw_money(yajl_gen g, int64_t minor)
{
	char tmp[32];
	uint64_t a = minor < 0 ? (uint64_t)0 - (uint64_t)minor : (uint64_t)minor;

	snprintf(tmp, sizeof(tmp), "%s%" PRIu64 ".%02" PRIu64, minor < 0 ? "-" : "",
	    a / 100, a % 100);
	jw_raw_number(g, tmp);
}

void jw_kstr(yajl_gen g, const char *k, const char *v) { jw_key(g, k); jw_str(g, v); }
void jw_kint(yajl_gen g, const char *k, long long v) { jw_key(g, k); jw_int(g, v); }
void jw_kbool(yajl_gen g, const char *k, int v) { jw_key(g, k); jw_bool(g, v); }
void jw_knull(yajl_gen g, const char *k) { jw_key(g, k); jw_null(g); }
void jw_kdouble(yajl_gen g, const char *k, double v) { jw_key(g, k); jw_double(g, v); }
void jw_kmoney(yajl_gen g, const char *k, int64_t m) { jw_key(g, k); jw_money(g, m); }

int
json_depth(const char *s, size_t n)
{
	int depth = 0, max = 0, in_str = 0;

	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (in_str) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_str = 0;
			continue;
		}
		switch (c) {
		case '"':
			in_str = 1;
			break;
		case '[':
		case '{':
			if (++depth > max)
				max = depth;
			break;
		case ']':
		case '}':
			if (--depth < 0)
				return -1;
			break;
		default:
			break;
		}
	}
	return depth == 0 ? max : -1;
}

yajl_val
json_parse(const char *s, size_t n, int max_depth, char *err, size_t errlen)
{
	char ybuf[256];
	int depth;
	yajl_val v;

	if (memchr(s, '\0', n) != NULL) {
		snprintf(err, errlen, "JSON text contains a NUL byte");
		return NULL;
	}
	depth = json_depth(s, n);
	if (depth > max_depth) {
		snprintf(err, errlen, "JSON nesting deeper than %d levels", max_depth);
		return NULL;
	}
	/* the caller guarantees s[n] == '\0' (request bodies are terminated) */
	ybuf[0] = '\0';
	v = yajl_tree_parse(s, ybuf, sizeof(ybuf));
	if (v == NULL) {
		char *nl;

		/* yajl's message spans lines with a caret; keep the first */
		if ((nl = strchr(ybuf, '\n')) != NULL)
			*nl = '\0';
		snprintf(err, errlen, "invalid JSON: %s", ybuf[0] ? ybuf : "syntax error");
	}
	return v;
}

yajl_val
json_obj_get(yajl_val obj, const char *key)
{
	if (obj == NULL || !YAJL_IS_OBJECT(obj))
		return NULL;
	for (size_t i = 0; i < obj->u.object.len; i++)
		if (strcmp(obj->u.object.keys[i], key) == 0)
			return obj->u.object.values[i];
	return NULL;
}

enum json_get
json_get_str(yajl_val obj, const char *key, const char **out)
{
	yajl_val v = json_obj_get(obj, key);

	if (v == NULL)
		return JSON_MISSING;
	if (YAJL_IS_NULL(v))
		return JSON_NULL;
	if (!YAJL_IS_STRING(v))
		return JSON_WRONG_TYPE;
	*out = v->u.string;
	return JSON_OK;
}

enum json_get
json_get_int(yajl_val obj, const char *key, long long min, long long max, long long *out)
{
	yajl_val v = json_obj_get(obj, key);

	if (v == NULL)
		return JSON_MISSING;
	if (YAJL_IS_NULL(v))
		return JSON_NULL;
	if (!YAJL_IS_INTEGER(v))
		return JSON_WRONG_TYPE;
	if (v->u.number.i < min || v->u.number.i > max)
		return JSON_RANGE;
	*out = v->u.number.i;
	return JSON_OK;
}

enum json_get
json_get_bool(yajl_val obj, const char *key, int *out)
{
	yajl_val v = json_obj_get(obj, key);

	if (v == NULL)
		return JSON_MISSING;
	if (YAJL_IS_NULL(v))
		return JSON_NULL;
	if (!YAJL_IS_TRUE(v) && !YAJL_IS_FALSE(v))
		return JSON_WRONG_TYPE;
	*out = YAJL_IS_TRUE(v);
	return JSON_OK;
}

void
json_write_value(yajl_gen g, yajl_val v)
{
	if (v == NULL || YAJL_IS_NULL(v))
		yajl_gen_null(g);
	else if (YAJL_IS_STRING(v))
		jw_str(g, v->u.string);
	else if (YAJL_IS_NUMBER(v))
		jw_raw_number(g, v->u.number.r);
	else if (YAJL_IS_TRUE(v))
		yajl_gen_bool(g, 1);
	else if (YAJL_IS_FALSE(v))
		yajl_gen_bool(g, 0);
	else if (YAJL_IS_ARRAY(v)) {
		yajl_gen_array_open(g);
		for (size_t i = 0; i < v->u.array.len; i++)
			json_write_value(g, v->u.array.values[i]);
		yajl_gen_array_close(g);
	} else if (YAJL_IS_OBJECT(v)) {
		yajl_gen_map_open(g);
		for (size_t i = 0; i < v->u.object.len; i++) {
			jw_str(g, v->u.object.keys[i]);
			json_write_value(g, v->u.object.values[i]);
		}
		yajl_gen_map_close(g);
	}
}
