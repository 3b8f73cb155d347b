/* settings.h - a tenant's one-row settings (M-Pesa, SMS): described once
 * as a table of fields, read with secrets never opened, changed from a
 * JSON object field by field with every bad field named. */
#ifndef ISP_CORE_SETTINGS_H
#define ISP_CORE_SETTINGS_H

#include <yajl/yajl_tree.h>

#include "util/ferr.h"

struct db;
struct arena;

enum setting_type {
	ST_STR,         /* text of at most max characters (min: at least) */
	ST_DIGITS,      /* digits only, min..max of them */
	ST_URL,         /* http:// or https://, at most max characters */
	ST_SECRET,      /* sealed with secret_key; never read back */
	ST_BOOL,
	ST_INT,         /* min..max */
	ST_ENUM,        /* one of choices */
};

struct setting {
	const char *name;               /* in JSON */
	const char *col;
	enum setting_type type;
	long long min, max;
	const char *const *choices;
	int notnull;                    /* null is refused, not a clearing */
};

struct settings_table {
	const char *table;              /* keyed by tenant_id */
	const struct setting *fields;
	size_t n;
	/* makes the tenant's row with its defaults: one parameter, the tenant */
	const char *create_sql;
};

/* The row's values in field order as text; a secret's value is "1" when
 * set, NULL when not.  The row is made first if missing.  CORE_OK, CORE_DB. */
int settings_get(struct db *db, struct arena *a, const struct settings_table *t,
    long long tenant, const char ***vals);

/* Change the fields body names (others stay); unknown names are ignored,
 * bad values named in fe (CORE_INVALID); a secret given as "" or null is
 * cleared; a secret given as "***hidden***" is left as it is.  CORE_OK,
 * CORE_INVALID, CORE_DB. */
int settings_put(struct db *db, struct arena *a, const struct settings_table *t,
    long long tenant, yajl_val body, struct ferrs *fe);

/* A secret's plain text (NULL when unset or unopenable). */
const char *settings_secret(struct db *db, struct arena *a, const struct settings_table *t,
    long long tenant, const char *name);

#define SETTINGS_HIDDEN "***hidden***"

#endif
