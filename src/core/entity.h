/* entity.h - resources are data: an entity is described once (table,
 * fields, types, limits, filters, search, ordering) and generic code lists,
 * reads, creates, updates and deletes it, scoped to a tenant. */
#ifndef ISP_ENTITY_H
#define ISP_ENTITY_H

#include <stddef.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "core/core.h"
#include "db/db.h"
#include "util/ferr.h"

struct arena;

enum ftype {
	FT_ID,          /* integer id (primary or foreign key) */
	FT_INT,
	FT_BOOL,
	FT_STR,         /* one line */
	FT_TEXT,        /* several lines */
	FT_EMAIL,
	FT_ENUM,        /* one of choices */
	FT_DECIMAL,     /* exact, 2 places; min/max in minor units */
	FT_DATETIME,    /* ISO 8601 in and out, UTC in the database */
	FT_DATE,        /* YYYY-MM-DD */
	FT_JSON,        /* an object or array stored as text */
	FT_UUID,
};

#define FF_REQUIRED 0x0001u     /* must be given on create */
#define FF_READONLY 0x0002u     /* output only (computed, timestamps, ids) */
#define FF_FILTER   0x0004u     /* ?name=value filters lists */
#define FF_SEARCH   0x0008u     /* part of ?search= */
#define FF_SORT     0x0010u     /* allowed in ?ordering= */
#define FF_NULLABLE 0x0020u     /* null is a value */
#define FF_HIDDEN   0x0040u     /* never written to output */
#define FF_NOUPDATE 0x0080u     /* set on create, never changed */
#define FF_FK       0x0100u     /* the id must exist in fk (in the tenant when fk is tenant-scoped) */
#define FF_FK_GLOBAL 0x0200u    /* fk table has no tenant_id */
#define FF_INTERNAL 0x0400u     /* written by code only: never read from input, selected or shown */

struct field {
	const char *name;               /* API name */
	const char *col;                /* column, or SQL expression for FF_READONLY */
	enum ftype type;
	unsigned flags;
	unsigned maxlen;                /* characters, for strings */
	long long min, max;             /* integers; decimals in minor units */
	const char *const *choices;     /* FT_ENUM: NULL-terminated */
	const char *fk;                 /* FF_FK: the table */
};

/* A unique key and the field to blame when it is violated. */
struct unique_key {
	const char *key;
	const char *field;
};

#define EF_TENANT       0x01u   /* rows carry tenant_id; every query is scoped */
#define EF_TENANT_SHARED 0x02u  /* ... and rows with tenant_id NULL are shared, read-only */
#define EF_SOFT_DELETE  0x04u   /* deleted_at instead of DELETE */
#define EF_UUID         0x08u   /* rows have a uuid; {id} may be the uuid */
#define EF_READONLY     0x10u   /* no create, update or delete */

struct entity {
	const char *label;              /* "User": messages say "User not found." */
	const char *table;
	const struct field *fields;
	size_t nfields;
	unsigned flags;
	const char *order;              /* default ORDER BY */
	const struct unique_key *uniques;
	size_t nuniques;
	/* live_counts keeps the tenant's row count (sql/006): an unfiltered
	 * list reads it instead of counting */
	const char *counted;
	/* " LEFT JOIN ... x ON x.key = t.id": a table beside this one whose
	 * columns read-only fields name as x.col (reads only) */
	const char *join;
	/* its name in data_versions (sql/007): a list may be answered from
	 * the worker's memory while the caller's version of it is unchanged */
	const char *versioned;
};

/* One row: values in field order, as text (NULL for SQL NULL). */
struct ent_row {
	char **v;
	long long id;
	long long tenant;               /* 0: shared (tenant_id NULL) or not tenant-scoped */
};

/* Extra conditions the caller adds (from its own code, never from input
 * names): sql is a fragment like "district_id = ?" with one parameter. */
struct ent_cond {
	const char *sql;
	struct db_param p[2];
	int nparams;                    /* 0 to 2 */
};

#define ENT_MAX_FILTERS 16
#define ENT_MAX_CONDS 8

struct ent_query {
	const char *search;
	const char *ordering;           /* "name,-created_at" */
	struct { const struct field *f; const char *val; } filters[ENT_MAX_FILTERS];
	int nfilters;
	struct ent_cond conds[ENT_MAX_CONDS];
	int nconds;
	long long limit, offset;
	/* "entity:version,..." as read with the caller's credentials (NULL:
	 * unknown, always ask the database) */
	const char *versions;
};

struct ent_page {
	struct ent_row *rows;
	unsigned nrows;
	long long total;
};

const struct field *ent_field(const struct entity *e, const char *name);
int  ent_field_index(const struct entity *e, const char *name);
const char *ent_val(const struct entity *e, const struct ent_row *r, const char *name);
long long   ent_val_int(const struct entity *e, const struct ent_row *r, const char *name);

/* Add a filter from a query-string value; a bad value adds a field error. */
void ent_query_filter(struct ent_query *q, const struct field *f, const char *val,
    struct ferrs *fe, struct arena *a);
void ent_query_cond(struct ent_query *q, const char *sql, int nparams, struct db_param p0,
    struct db_param p1);

int ent_list(struct db *db, struct arena *a, const struct entity *e, long long tenant,
    const struct ent_query *q, struct ent_page *out, struct ferrs *fe);
/* idstr: a decimal id, or the uuid when the entity has them. */
int ent_get(struct db *db, struct arena *a, const struct entity *e, long long tenant,
    const char *idstr, struct ent_row *out);
int ent_get_id(struct db *db, struct arena *a, const struct entity *e, long long tenant,
    long long id, struct ent_row *out);

/* Values for a write, parsed and checked from a JSON object. */
struct ent_set {
	const struct field *f[64];
	struct db_param p[64];
	int n;
};
/* partial: PATCH (only what is given); otherwise required fields must be
 * there.  Field errors go to fe; returns CORE_OK or CORE_INVALID. */
int  ent_parse(const struct entity *e, yajl_val body, int partial, struct arena *a,
    struct ent_set *out, struct ferrs *fe);
void ent_set_add(struct ent_set *s, const struct field *f, struct db_param p);
/* What a parsed set holds for a field: present at all; its text (NULL when
 * absent, null or not text); its integer (0 when absent or not one). */
int         ent_set_has(const struct ent_set *s, const char *name);
const char *ent_set_str(const struct ent_set *s, const char *name);
long long   ent_set_int(const struct ent_set *s, const char *name);
void        ent_set_del(struct ent_set *s, const char *name);
/* FF_FK fields must name rows of the tenant; errors to fe. */
int  ent_check_fks(struct db *db, struct arena *a, const struct entity *e, long long tenant,
    const struct ent_set *s, struct ferrs *fe);
int  ent_create(struct db *db, struct arena *a, const struct entity *e, long long tenant,
    const struct ent_set *s, long long *id, struct ferrs *fe);
int  ent_update(struct db *db, struct arena *a, const struct entity *e, long long tenant,
    long long id, const struct ent_set *s, struct ferrs *fe);
int  ent_delete(struct db *db, struct arena *a, const struct entity *e, long long tenant,
    long long id);

/* Output: the fields as key/value pairs into an open JSON object, so that
 * a caller can add computed members before closing it. */
void ent_write_fields(yajl_gen g, const struct entity *e, const struct ent_row *r);
void ent_write(yajl_gen g, const struct entity *e, const struct ent_row *r);

/* Checks shared with hand-written code. */
/* The canonical choice of an FT_ENUM field that v names (any case), or NULL. */
const char *ent_choice(const struct field *f, const char *v);
int  valid_email(const char *s);
int  utf8_chars(const char *s, size_t *out);    /* -1 if not UTF-8 */
/* "2024-01-01T10:00:00Z", "...+03:00", "2024-01-01 10:00:00", "2024-01-01":
 * to a UTC "YYYY-MM-DD HH:MM:SS"; -1 if not a date. */
int  parse_datetime(const char *s, char out[20]);

#endif
