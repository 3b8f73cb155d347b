/* json.h - thin yajl layer: write output with short helpers, read input
 * with a depth limit and typed getters. */
#ifndef ISP_JSON_H
#define ISP_JSON_H

#include <stddef.h>
#include <stdint.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

/* ---- writing ---- */
void jw_str(yajl_gen g, const char *s);              /* NULL writes null */
void jw_strn(yajl_gen g, const char *s, size_t n);
void jw_int(yajl_gen g, long long v);
void jw_bool(yajl_gen g, int v);
void jw_null(yajl_gen g);
void jw_double(yajl_gen g, double v);                /* only where a document prints a float */
void jw_money(yajl_gen g, int64_t minor);            /* 730.00 as a JSON number, exact */
void jw_raw_number(yajl_gen g, const char *digits);
/* A MariaDB DATETIME ("2024-01-01 00:00:00[.ffffff]", UTC) as ISO 8601
 * "2024-01-01T00:00:00Z"; NULL writes null. */
void jw_dbtime(yajl_gen g, const char *dbtime);
void jw_obj(yajl_gen g);
void jw_obj_end(yajl_gen g);
void jw_arr(yajl_gen g);
void jw_arr_end(yajl_gen g);
void jw_key(yajl_gen g, const char *k);
/* key + value in one call */
void jw_kstr(yajl_gen g, const char *k, const char *v);
void jw_kint(yajl_gen g, const char *k, long long v);
void jw_kbool(yajl_gen g, const char *k, int v);
void jw_knull(yajl_gen g, const char *k);
void jw_kdouble(yajl_gen g, const char *k, double v);
void jw_kmoney(yajl_gen g, const char *k, int64_t minor);

/* ---- reading ---- */
#define JSON_MAX_DEPTH 32

/* Nesting depth of a JSON text (arrays and objects), not counting
 * brackets inside strings; -1 if brackets do not balance. */
int json_depth(const char *s, size_t n);

/* Parse a request body.  Returns a tree to free with yajl_tree_free, or
 * NULL with a one-line reason in err (depth, syntax, NUL byte). */
yajl_val json_parse(const char *s, size_t n, int max_depth, char *err, size_t errlen);

enum json_get { JSON_OK = 0, JSON_MISSING, JSON_NULL, JSON_WRONG_TYPE, JSON_RANGE };

yajl_val json_obj_get(yajl_val obj, const char *key);      /* NULL if absent */
enum json_get json_get_str(yajl_val obj, const char *key, const char **out);
enum json_get json_get_int(yajl_val obj, const char *key, long long min, long long max,
    long long *out);
enum json_get json_get_bool(yajl_val obj, const char *key, int *out);

/* Render a parsed value back to text into a yajl generator. */
void json_write_value(yajl_gen g, yajl_val v);

#endif
