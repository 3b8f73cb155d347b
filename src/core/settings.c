/* settings.c - one-row tenant settings described by a field table
 * (settings.h): the SQL comes from the description only. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "core/core.h"
#include "core/secrets.h"
#include "core/settings.h"
#include "db/db.h"
#include "json/json.h"
#include "util/arena.h"
#include "util/buf.h"

#define MAX_SETTINGS 24

static int
ensure_row(struct db *db, struct arena *a, const struct settings_table *t, long long tenant)
{
	struct db_param p[1] = { db_int(tenant) };

	return db_query(db, a, t->create_sql, p, 1, NULL) < 0 ? CORE_DB : CORE_OK;
}

int
settings_get(struct db *db, struct arena *a, const struct settings_table *t, long long tenant,
    const char ***vals)
{
	struct buf b = BUF_INIT;
	struct db_param p[1] = { db_int(tenant) };
	struct db_result r;
	int rc;

	if ((rc = ensure_row(db, a, t, tenant)) != CORE_OK)
		return rc;
	buf_puts(&b, "SELECT ");
	for (size_t i = 0; i < t->n; i++)
		buf_printf(&b, t->fields[i].type == ST_SECRET ? "%s(%s IS NOT NULL AND %s <> '')" :
		    "%s%s", i ? ", " : "", t->fields[i].col, t->fields[i].col);
	buf_printf(&b, " FROM %s WHERE tenant_id = ?", t->table);
	rc = db_query(db, a, buf_cstr(&b), p, 1, &r) < 0 ? CORE_DB : CORE_OK;
	buf_free(&b);
	if (rc != CORE_OK)
		return rc;
	if (r.nrows == 0)
		return CORE_NOT_FOUND;
	*vals = arena_calloc(a, t->n ? t->n : 1, sizeof(char *));
	for (size_t i = 0; i < t->n; i++) {
		const char *v = db_val(&r, 0, (unsigned)i);

		(*vals)[i] = (t->fields[i].type == ST_SECRET && (v == NULL || !strcmp(v, "0"))) ?
		    NULL : v;
	}
	return CORE_OK;
}

static size_t
utf8_len(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

/* one field's new value as a parameter; 0, or -1 with fe filled */
static int
value_of(struct arena *a, const struct setting *f, yajl_val v, struct db_param *out,
    int *skip, struct ferrs *fe)
{
	const char *s = YAJL_IS_STRING(v) ? YAJL_GET_STRING(v) : NULL;

	*skip = 0;
	if (YAJL_IS_NULL(v) && f->notnull) {
		ferr_add(fe, f->name, "This field may not be null.");
		return -1;
	}
	if (YAJL_IS_NULL(v) && f->type != ST_BOOL && f->type != ST_INT && f->type != ST_ENUM) {
		*out = db_null();
		return 0;
	}
	switch (f->type) {
	case ST_BOOL:
		if (!YAJL_IS_TRUE(v) && !YAJL_IS_FALSE(v))
			break;
		*out = db_int(YAJL_IS_TRUE(v));
		return 0;
	case ST_INT:
		if (!YAJL_IS_INTEGER(v) || YAJL_GET_INTEGER(v) < f->min ||
		    YAJL_GET_INTEGER(v) > f->max) {
			ferr_add(fe, f->name, arena_printf(a, "A whole number from %lld to %lld is "
			    "required.", f->min, f->max));
			return -1;
		}
		*out = db_int(YAJL_GET_INTEGER(v));
		return 0;
	case ST_ENUM:
		for (size_t i = 0; s && f->choices[i]; i++)
			if (!strcasecmp(s, f->choices[i])) {
				*out = db_str(f->choices[i]);
				return 0;
			}
		{
			struct buf b = BUF_INIT;

			for (size_t i = 0; f->choices[i]; i++)
				buf_printf(&b, "%s\"%s\"", i ? ", " : "", f->choices[i]);
			ferr_add(fe, f->name, arena_printf(a, "Choose one of %s.", buf_cstr(&b)));
			buf_free(&b);
		}
		return -1;
	case ST_SECRET:
		if (s == NULL)
			break;
		if (!strcmp(s, SETTINGS_HIDDEN)) {
			*skip = 1;
			return 0;
		}
		if (*s == '\0') {
			*out = db_null();
			return 0;
		}
		if (utf8_len(s) > (size_t)f->max) {
			ferr_add(fe, f->name, arena_printf(a, "At most %lld characters.", f->max));
			return -1;
		}
		if ((s = secret_seal(a, s)) == NULL) {
			ferr_add(fe, f->name, "Secrets cannot be stored: the server has no secret_key.");
			return -1;
		}
		*out = db_str(s);
		return 0;
	case ST_DIGITS:
		if (s == NULL)
			break;
		if (strspn(s, "0123456789") != strlen(s) || strlen(s) < (size_t)f->min ||
		    strlen(s) > (size_t)f->max) {
			ferr_add(fe, f->name, arena_printf(a, "%lld to %lld digits are required.",
			    f->min, f->max));
			return -1;
		}
		*out = db_str(s);
		return 0;
	case ST_URL:
		if (s == NULL)
			break;
		if (*s && ((strncmp(s, "http://", 7) && strncmp(s, "https://", 8)) ||
		    strlen(s) > (size_t)f->max || strpbrk(s, " \t\r\n"))) {
			ferr_add(fe, f->name, arena_printf(a, "An http:// or https:// address of at "
			    "most %lld characters is required.", f->max));
			return -1;
		}
		*out = *s ? db_str(s) : db_null();
		return 0;
	case ST_STR:
		if (s == NULL)
			break;
		if (utf8_len(s) < (size_t)f->min || utf8_len(s) > (size_t)f->max) {
			ferr_add(fe, f->name, arena_printf(a, "%lld to %lld characters are required.",
			    f->min, f->max));
			return -1;
		}
		*out = db_str(s);
		return 0;
	}
	ferr_add(fe, f->name, f->type == ST_BOOL ? "Must be true or false." :
	    f->type == ST_INT ? "A whole number is required." : "Must be a string.");
	return -1;
}

int
settings_put(struct db *db, struct arena *a, const struct settings_table *t, long long tenant,
    yajl_val body, struct ferrs *fe)
{
	struct db_param p[MAX_SETTINGS + 1];
	struct buf b = BUF_INIT;
	unsigned np = 0;
	int rc;

	if (!YAJL_IS_OBJECT(body)) {
		ferr_add(fe, "non_field_errors", "A JSON object is required.");
		return CORE_INVALID;
	}
	buf_printf(&b, "UPDATE %s SET ", t->table);
	for (size_t i = 0; i < t->n && np < MAX_SETTINGS; i++) {
		yajl_val v = json_obj_get(body, t->fields[i].name);
		int skip;

		if (v == NULL)
			continue;
		if (value_of(a, &t->fields[i], v, &p[np], &skip, fe) < 0 || skip)
			continue;
		buf_printf(&b, "%s%s = ?", np ? ", " : "", t->fields[i].col);
		np++;
	}
	if (fe->n) {
		buf_free(&b);
		return CORE_INVALID;
	}
	if ((rc = ensure_row(db, a, t, tenant)) != CORE_OK || np == 0) {
		buf_free(&b);
		return rc;
	}
	buf_puts(&b, " WHERE tenant_id = ?");
	p[np++] = db_int(tenant);
	rc = db_query(db, a, buf_cstr(&b), p, np, NULL) < 0 ? CORE_DB : CORE_OK;
	buf_free(&b);
	return rc;
}

const char *
settings_secret(struct db *db, struct arena *a, const struct settings_table *t, long long tenant,
    const char *name)
{
	struct db_param p[1] = { db_int(tenant) };
	struct db_result r;

	for (size_t i = 0; i < t->n; i++) {
		if (strcmp(t->fields[i].name, name) || t->fields[i].type != ST_SECRET)
			continue;
		if (db_query(db, a, arena_printf(a, "SELECT %s FROM %s WHERE tenant_id = ?",
		    t->fields[i].col, t->table), p, 1, &r) < 0 || r.nrows == 0 ||
		    db_val(&r, 0, 0) == NULL)
			return NULL;
		return secret_open(a, db_val(&r, 0, 0));
	}
	return NULL;
}
