/* entity.c - resources are data: generic list, get, create, update and
 * delete over an entity description.  SQL is assembled only from the
 * description's identifiers; every value is a bound parameter. */
#include "config.h"
#include "core/entity.h"
#include "db/qcache.h"
#include "json/json.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/uuid.h"

#include <ctype.h>
#include <errno.h>
#include <mysqld_error.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define MAX_SEARCH 100

const struct field *
ent_field(const struct entity *e, const char *name)
{
	int i = ent_field_index(e, name);

	return i < 0 ? NULL : &e->fields[i];
}

int
ent_field_index(const struct entity *e, const char *name)
{
	for (size_t i = 0; i < e->nfields; i++)
		if (strcmp(e->fields[i].name, name) == 0)
			return (int)i;
	return -1;
}

const char *
ent_val(const struct entity *e, const struct ent_row *r, const char *name)
{
	int i = ent_field_index(e, name);

	return i < 0 ? NULL : r->v[i];
}

long long
ent_val_int(const struct entity *e, const struct ent_row *r, const char *name)
{
	const char *v = ent_val(e, r, name);

	return v ? strtoll(v, NULL, 10) : 0;
}

/* ---- checks ---- */

int
utf8_chars(const char *s, size_t *out)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = 0;

	while (*p) {
		int len = *p < 0x80 ? 1 : (*p >> 5) == 6 ? 2 : (*p >> 4) == 14 ? 3 :
		    (*p >> 3) == 30 ? 4 : 0;

		if (len == 0)
			return -1;
		for (int i = 1; i < len; i++)
			if ((p[i] & 0xC0) != 0x80)
				return -1;
		p += len;
		n++;
	}
	*out = n;
	return 0;
}

int
valid_email(const char *s)
{
	const char *at = strchr(s, '@'), *dot;

	if (at == NULL || at == s || strchr(at + 1, '@') || strlen(s) > 254)
		return 0;
	dot = strrchr(at, '.');
	if (dot == NULL || dot == at + 1 || dot[1] == '\0')
		return 0;
	for (const char *p = s; *p; p++)
		if (isspace((unsigned char)*p) || *p == ',' || *p == '<' || *p == '>')
			return 0;
	return 1;
}

static int
days_in_month(int y, int m)
{
	static const int d[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return d[m - 1];
}

int
parse_datetime(const char *s, char out[20])
{
	int y, mo, d, h = 0, mi = 0, se = 0, n = 0, off = 0;
	const char *p;
	struct tm tm;
	time_t t;

	if (sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3 || n != 10)
		return -1;
	p = s + 10;
	if (*p == 'T' || *p == ' ') {
		int m = 0;

		if (sscanf(p + 1, "%2d:%2d%n", &h, &mi, &m) != 2 || m != 5)
			return -1;
		p += 1 + m;
		if (*p == ':') {
			if (!isdigit((unsigned char)p[1]) || !isdigit((unsigned char)p[2]))
				return -1;
			se = (p[1] - '0') * 10 + (p[2] - '0');
			p += 3;
		}
		if (*p == '.')
			for (p++; isdigit((unsigned char)*p); p++)
				;
		if (*p == 'Z')
			p++;
		else if (*p == '+' || *p == '-') {
			int oh, om = 0;
			char sign = *p;

			if (sscanf(p + 1, "%2d:%2d", &oh, &om) < 1 || oh > 14 || om > 59)
				return -1;
			off = (oh * 60 + om) * (sign == '+' ? 1 : -1);
			p += strlen(p);
		}
	}
	if (*p != '\0' || y < 1900 || y > 9999 || mo < 1 || mo > 12 || d < 1 ||
	    d > days_in_month(y, mo) || h > 23 || mi > 59 || se > 60)
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = se > 59 ? 59 : se;
	t = timegm(&tm) - (time_t)off * 60;
	gmtime_r(&t, &tm);
	strftime(out, 20, "%Y-%m-%d %H:%M:%S", &tm);
	return 0;
}

/* "12", "12.5", "-0.05" -> minor units; -1 on anything else */
static int
parse_decimal(const char *s, long long *minor)
{
	long long whole = 0, frac = 0;
	int neg = 0, digits = 0, fd = 0;

	if (*s == '-') {
		neg = 1;
		s++;
	}
	for (; isdigit((unsigned char)*s); s++, digits++) {
		if (whole > 100000000000000LL)
			return -1;
		whole = whole * 10 + (*s - '0');
	}
	if (*s == '.') {
		for (s++; isdigit((unsigned char)*s); s++, fd++) {
			if (fd >= 2) {
				if (*s != '0')
					return -1;      /* more than cents */
				continue;
			}
			frac = frac * 10 + (*s - '0');
		}
		if (fd == 0)
			return -1;
		if (fd == 1)
			frac *= 10;
	}
	if (*s != '\0' || digits == 0)
		return -1;
	*minor = (whole * 100 + frac) * (neg ? -1 : 1);
	return 0;
}

static const char *
minor_str(struct arena *a, long long m)
{
	unsigned long long u = m < 0 ? (unsigned long long)(-m) : (unsigned long long)m;

	return arena_printf(a, "%s%llu.%02llu", m < 0 ? "-" : "", u / 100, u % 100);
}

/* ---- parsing input ---- */

void
ent_set_add(struct ent_set *s, const struct field *f, struct db_param p)
{
	for (int i = 0; i < s->n; i++)
		if (s->f[i] == f) {
			s->p[i] = p;
			return;
		}
	if (s->n < (int)(sizeof(s->f) / sizeof(s->f[0]))) {
		s->f[s->n] = f;
		s->p[s->n] = p;
		s->n++;
	}
}

static const struct db_param *
set_find(const struct ent_set *s, const char *name)
{
	for (int i = 0; i < s->n; i++)
		if (strcmp(s->f[i]->name, name) == 0)
			return &s->p[i];
	return NULL;
}

int
ent_set_has(const struct ent_set *s, const char *name)
{
	return set_find(s, name) != NULL;
}

const char *
ent_set_str(const struct ent_set *s, const char *name)
{
	const struct db_param *p = set_find(s, name);

	return (p && p->type == DB_P_STR) ? p->s : NULL;
}

long long
ent_set_int(const struct ent_set *s, const char *name)
{
	const struct db_param *p = set_find(s, name);

	return (p && p->type == DB_P_INT) ? p->i : 0;
}

void
ent_set_del(struct ent_set *s, const char *name)
{
	for (int i = 0; i < s->n; i++)
		if (strcmp(s->f[i]->name, name) == 0) {
			s->f[i] = s->f[s->n - 1];
			s->p[i] = s->p[s->n - 1];
			s->n--;
			return;
		}
}

/* The choice v names, ignoring case ("HOURS" is "hours"), or NULL. */
static const char *
in_choices(const char *const *c, const char *v)
{
	for (; c && *c; c++)
		if (strcasecmp(*c, v) == 0)
			return *c;
	return NULL;
}

const char *
ent_choice(const struct field *f, const char *v)
{
	return (f && v) ? in_choices(f->choices, v) : NULL;
}

static const char *
choices_msg(struct arena *a, const char *v, const char *const *c)
{
	struct buf b = BUF_INIT;
	const char *out;

	buf_printf(&b, "\"%.40s\" is not a valid choice; use one of:", v);
	for (; c && *c; c++)
		buf_printf(&b, " %s", *c);
	out = arena_strdup(a, buf_cstr(&b));
	buf_free(&b);
	return out;
}

/* One value; 0 ok (p set), -1 with a field error. */
static int
parse_value(const struct field *f, yajl_val v, struct arena *a, struct db_param *p,
    struct ferrs *fe)
{
	const char *s = NULL;
	long long n;

	if (YAJL_IS_NULL(v)) {
		if (!(f->flags & FF_NULLABLE)) {
			ferr_add(fe, f->name, "This field may not be null.");
			return -1;
		}
		*p = db_null();
		return 0;
	}
	switch (f->type) {
	case FT_ID:
	case FT_INT:
		if (YAJL_IS_INTEGER(v))
			n = v->u.number.i;
		else if (YAJL_IS_STRING(v) && v->u.string[0] && strlen(v->u.string) < 19 &&
		    strspn(v->u.string + (v->u.string[0] == '-'), "0123456789") ==
		    strlen(v->u.string + (v->u.string[0] == '-')))
			n = strtoll(v->u.string, NULL, 10);
		else {
			ferr_add(fe, f->name, "A valid integer is required.");
			return -1;
		}
		if ((f->min || f->max) && (n < f->min || n > f->max)) {
			ferr_add(fe, f->name, arena_printf(a,
			    "Ensure this value is between %lld and %lld.", f->min, f->max));
			return -1;
		}
		if (f->type == FT_ID && n <= 0) {
			ferr_add(fe, f->name, "A valid id is required.");
			return -1;
		}
		*p = db_int(n);
		return 0;
	case FT_BOOL:
		if (YAJL_IS_TRUE(v) || YAJL_IS_FALSE(v))
			*p = db_int(YAJL_IS_TRUE(v));
		else if (YAJL_IS_INTEGER(v) && (v->u.number.i == 0 || v->u.number.i == 1))
			*p = db_int(v->u.number.i);
		else if (YAJL_IS_STRING(v) && (!strcasecmp(v->u.string, "true") ||
		    !strcasecmp(v->u.string, "false")))
			*p = db_int(!strcasecmp(v->u.string, "true"));
		else {
			ferr_add(fe, f->name, "Must be a valid boolean.");
			return -1;
		}
		return 0;
	case FT_DECIMAL: {
		long long m;
		const char *txt = YAJL_IS_NUMBER(v) ? v->u.number.r :
		    YAJL_IS_STRING(v) ? v->u.string : NULL;

		if (txt == NULL || strlen(txt) > 20 || parse_decimal(txt, &m) < 0) {
			ferr_add(fe, f->name, "A valid number with at most 2 decimal places is required.");
			return -1;
		}
		if ((f->min || f->max) && (m < f->min || m > f->max)) {
			ferr_add(fe, f->name, arena_printf(a, "Ensure this value is between %s and %s.",
			    minor_str(a, f->min), minor_str(a, f->max)));
			return -1;
		}
		*p = db_str(minor_str(a, m));
		return 0;
	}
	case FT_JSON: {
		yajl_gen g;
		const unsigned char *buf;
		size_t len;

		if (!YAJL_IS_OBJECT(v) && !YAJL_IS_ARRAY(v)) {
			ferr_add(fe, f->name, "Must be a JSON object or array.");
			return -1;
		}
		g = yajl_gen_alloc(NULL);
		json_write_value(g, v);
		yajl_gen_get_buf(g, &buf, &len);
		if (f->maxlen && len > f->maxlen) {
			yajl_gen_free(g);
			ferr_add(fe, f->name, arena_printf(a, "Must be at most %u bytes of JSON.", f->maxlen));
			return -1;
		}
		*p = db_str(arena_strndup(a, (const char *)buf, len));
		yajl_gen_free(g);
		return 0;
	}
	default:
		break;
	}
	/* the string types */
	if (!YAJL_IS_STRING(v)) {
		ferr_add(fe, f->name, "Not a valid string.");
		return -1;
	}
	s = v->u.string;
	{
		size_t chars;

		if (utf8_chars(s, &chars) < 0) {
			ferr_add(fe, f->name, "Not valid UTF-8.");
			return -1;
		}
		if (f->maxlen && chars > f->maxlen) {
			ferr_add(fe, f->name, arena_printf(a,
			    "Ensure this field has no more than %u characters.", f->maxlen));
			return -1;
		}
	}
	if (f->type == FT_STR && strpbrk(s, "\r\n")) {
		ferr_add(fe, f->name, "Must be a single line.");
		return -1;
	}
	if ((f->flags & FF_REQUIRED) && *s == '\0' && f->type != FT_TEXT) {
		ferr_add(fe, f->name, "This field may not be blank.");
		return -1;
	}
	switch (f->type) {
	case FT_EMAIL:
		if (*s == '\0' && (f->flags & FF_NULLABLE)) {
			*p = db_null();
			return 0;
		}
		if (!valid_email(s)) {
			ferr_add(fe, f->name, "Enter a valid email address.");
			return -1;
		}
		break;
	case FT_ENUM:
		if ((s = in_choices(f->choices, v->u.string)) == NULL) {
			ferr_add(fe, f->name, choices_msg(a, v->u.string, f->choices));
			return -1;
		}
		break;
	case FT_DATETIME: {
		char out[20];

		if (parse_datetime(s, out) < 0) {
			ferr_add(fe, f->name, "Datetime has wrong format. Use ISO 8601: YYYY-MM-DDThh:mm:ssZ.");
			return -1;
		}
		s = arena_strdup(a, out);
		break;
	}
	case FT_DATE: {
		char out[20];

		if (strlen(s) != 10 || parse_datetime(s, out) < 0) {
			ferr_add(fe, f->name, "Date has wrong format. Use YYYY-MM-DD.");
			return -1;
		}
		break;
	}
	case FT_UUID:
		if (strlen(s) != 36 || strspn(s, "0123456789abcdefABCDEF-") != 36) {
			ferr_add(fe, f->name, "Must be a valid UUID.");
			return -1;
		}
		break;
	default:
		break;
	}
	*p = db_str(s);
	return 0;
}

int
ent_parse(const struct entity *e, yajl_val body, int partial, struct arena *a,
    struct ent_set *out, struct ferrs *fe)
{
	int before = fe->n;

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < e->nfields; i++) {
		const struct field *f = &e->fields[i];
		yajl_val v;
		struct db_param p;

		if (f->flags & (FF_READONLY | FF_INTERNAL))
			continue;
		v = json_obj_get(body, f->name);
		if (v == NULL) {
			if (!partial && (f->flags & FF_REQUIRED))
				ferr_add(fe, f->name, "This field is required.");
			continue;
		}
		if (partial && (f->flags & FF_NOUPDATE))
			continue;
		if (parse_value(f, v, a, &p, fe) == 0)
			ent_set_add(out, f, p);
	}
	return fe->n > before ? CORE_INVALID : CORE_OK;
}

/* ---- SQL assembly ---- */

static int
is_ident(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!(islower((unsigned char)*s) || *s == '_' || isdigit((unsigned char)*s)))
			return 0;
	return 1;
}

static void
put_col(struct buf *b, const struct field *f)
{
	if (is_ident(f->col))
		buf_printf(b, "t.%s", f->col);
	else
		buf_printf(b, "(%s)", f->col);
}

/* SELECT id, tenant, the fields[, extra columns] FROM the table t */
static void
select_cols(struct buf *b, const struct entity *e, const char *extra)
{
	buf_puts(b, "SELECT t.id, ");
	buf_puts(b, (e->flags & (EF_TENANT | EF_TENANT_SHARED)) ? "COALESCE(t.tenant_id, 0)" : "0");
	for (size_t i = 0; i < e->nfields; i++) {
		buf_puts(b, ", ");
		if (e->fields[i].flags & FF_INTERNAL)
			buf_puts(b, "NULL");
		else
			put_col(b, &e->fields[i]);
	}
	if (extra)
		buf_puts(b, extra);
	buf_printf(b, " FROM %s t%s", e->table, e->join ? e->join : "");
}

static void
select_list(struct buf *b, const struct entity *e)
{
	select_cols(b, e, NULL);
	buf_puts(b, " WHERE 1 = 1");
}

struct params {
	struct db_param p[48];
	unsigned n;
};

static void
pp(struct params *ps, struct db_param p)
{
	if (ps->n < sizeof(ps->p) / sizeof(ps->p[0]))
		ps->p[ps->n++] = p;
}

static void
scope(struct buf *b, struct params *ps, const struct entity *e, long long tenant, int writing)
{
	if (e->flags & EF_TENANT_SHARED) {
		if (writing)
			buf_puts(b, " AND t.tenant_id = ?");
		else
			buf_puts(b, " AND (t.tenant_id = ? OR t.tenant_id IS NULL)");
		pp(ps, db_int(tenant));
	} else if (e->flags & EF_TENANT) {
		buf_puts(b, " AND t.tenant_id = ?");
		pp(ps, db_int(tenant));
	}
	if (e->flags & EF_SOFT_DELETE)
		buf_puts(b, " AND t.deleted_at IS NULL");
}

static void
rows_from(const struct db_result *r, struct arena *a, const struct entity *e,
    struct ent_row *rows)
{
	for (unsigned i = 0; i < r->nrows; i++) {
		rows[i].id = db_val_int(r, i, 0, 0);
		rows[i].v = arena_calloc(a, e->nfields ? e->nfields : 1, sizeof(char *));
		for (size_t c = 0; c < e->nfields; c++)
			rows[i].v[c] = r->rows[i][c + 2];
		rows[i].tenant = db_val_int(r, i, 1, 0);
	}
}

/* escape LIKE wildcards so a search for "50%" finds "50%" */
static const char *
like_pattern(struct arena *a, const char *s)
{
	size_t n = strlen(s);
	char *out = arena_alloc(a, n * 2 + 3), *o = out;

	*o++ = '%';
	for (; *s; s++) {
		if (*s == '%' || *s == '_' || *s == '\\')
			*o++ = '\\';
		*o++ = *s;
	}
	*o++ = '%';
	*o = '\0';
	return out;
}

void
ent_query_cond(struct ent_query *q, const char *sql, int nparams, struct db_param p0,
    struct db_param p1)
{
	if (q->nconds < ENT_MAX_CONDS) {
		q->conds[q->nconds].sql = sql;
		q->conds[q->nconds].p[0] = p0;
		q->conds[q->nconds].p[1] = p1;
		q->conds[q->nconds].nparams = nparams;
		q->nconds++;
	}
}

void
ent_query_filter(struct ent_query *q, const struct field *f, const char *val,
    struct ferrs *fe, struct arena *a)
{
	if (q->nfilters >= ENT_MAX_FILTERS)
		return;
	switch (f->type) {
	case FT_ID:
	case FT_INT:
		if (*val == '\0' || strlen(val) > 18 ||
		    strspn(val + (*val == '-'), "0123456789") != strlen(val + (*val == '-'))) {
			ferr_add(fe, f->name, "A valid integer is required.");
			return;
		}
		break;
	case FT_BOOL:
		if (!strcasecmp(val, "true") || !strcmp(val, "1"))
			val = "1";
		else if (!strcasecmp(val, "false") || !strcmp(val, "0"))
			val = "0";
		else {
			ferr_add(fe, f->name, "Must be true or false.");
			return;
		}
		break;
	case FT_ENUM: {
		const char *canon = in_choices(f->choices, val);

		if (canon == NULL) {
			ferr_add(fe, f->name, choices_msg(a, val, f->choices));
			return;
		}
		val = canon;
		break;
	}
	default:
		if (strlen(val) > 255) {
			ferr_add(fe, f->name, "Filter value too long.");
			return;
		}
		break;
	}
	q->filters[q->nfilters].f = f;
	q->filters[q->nfilters].val = val;
	q->nfilters++;
}

static int
where_list(struct buf *b, struct params *ps, const struct entity *e, long long tenant,
    const struct ent_query *q, struct arena *a, struct ferrs *fe)
{
	scope(b, ps, e, tenant, 0);
	for (int i = 0; i < q->nconds; i++) {
		buf_printf(b, " AND (%s)", q->conds[i].sql);
		for (int j = 0; j < q->conds[i].nparams; j++)
			pp(ps, q->conds[i].p[j]);
	}
	for (int i = 0; i < q->nfilters; i++) {
		buf_puts(b, " AND ");
		put_col(b, q->filters[i].f);
		buf_puts(b, " = ?");
		pp(ps, db_str(q->filters[i].val));
	}
	if (q->search && *q->search) {
		int first = 1;
		size_t chars;

		if (utf8_chars(q->search, &chars) < 0 || chars > MAX_SEARCH) {
			ferr_add(fe, "search", arena_printf(a,
			    "Search text must be valid UTF-8 of at most %d characters.", MAX_SEARCH));
			return -1;
		}
		for (size_t i = 0; i < e->nfields; i++) {
			if (!(e->fields[i].flags & FF_SEARCH))
				continue;
			buf_puts(b, first ? " AND (" : " OR ");
			put_col(b, &e->fields[i]);
			buf_puts(b, " LIKE ?");
			pp(ps, db_str(like_pattern(a, q->search)));
			first = 0;
		}
		if (!first)
			buf_puts(b, ")");
	}
	return 0;
}

static int
order_by(struct buf *b, const struct entity *e, const char *ordering, struct arena *a,
    struct ferrs *fe)
{
	char tmp[256], *save = NULL, *tok;
	int n = 0;

	if (ordering == NULL || *ordering == '\0') {
		buf_printf(b, " ORDER BY %s", e->order ? e->order : "t.id DESC");
		return 0;
	}
	if (strlen(ordering) >= sizeof(tmp)) {
		ferr_add(fe, "ordering", "Too long.");
		return -1;
	}
	snprintf(tmp, sizeof(tmp), "%s", ordering);
	for (tok = strtok_r(tmp, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		int desc = *tok == '-';
		const struct field *f;

		while (*tok == ' ')
			tok++;
		f = ent_field(e, tok + desc);
		if (f == NULL || !(f->flags & FF_SORT)) {
			ferr_add(fe, "ordering", arena_printf(a,
			    "Cannot order by \"%.40s\".", tok + desc));
			return -1;
		}
		buf_puts(b, n++ ? ", " : " ORDER BY ");
		put_col(b, f);
		buf_puts(b, desc ? " DESC" : " ASC");
	}
	buf_puts(b, ", t.id ASC");
	return 0;
}

/* From this offset on, a page is found by its ids alone (over the
 * narrowest index that serves the order) before its rows are read: page
 * 4,000 of 100,000 customers reads 80,000 index entries, not 80,000 rows. */
#define DEEP_OFFSET 1000

int
ent_list(struct db *db, struct arena *a, const struct entity *e, long long tenant,
    const struct ent_query *q, struct ent_page *out, struct ferrs *fe)
{
	struct buf b = BUF_INIT, w = BUF_INIT, o = BUF_INIT;
	struct params ps = { .n = 0 }, all = { .n = 0 };
	struct db_result r;
	long long limit = q->limit > 0 ? q->limit : 20, offset = q->offset > 0 ? q->offset : 0;
	/* an unfiltered tenant list: its count is kept by triggers (006) and
	 * read in the page's own query */
	int kept = e->counted && (e->flags & EF_TENANT) && q->nfilters == 0 && q->nconds == 0 &&
	    (q->search == NULL || *q->search == '\0');
	const char *tag = qcache_tag(a, e->versioned, q->versions);
	int rc = CORE_INVALID;

	memset(out, 0, sizeof(*out));
	if (where_list(&w, &ps, e, tenant, q, a, fe) < 0 ||
	    order_by(&o, e, q->ordering, a, fe) < 0)
		goto out;
	if (kept) {
		pp(&all, db_int(tenant));
		pp(&all, db_str(e->counted));
	}
	for (unsigned i = 0; i < ps.n; i++)
		pp(&all, ps.p[i]);
	pp(&all, db_int(limit));
	pp(&all, db_int(offset));
	select_cols(&b, e, kept ? ", (SELECT COALESCE(SUM(n), 0) FROM live_counts "
	    "WHERE tenant_id = ? AND entity = ?)" : NULL);
	if (offset >= DEEP_OFFSET)
		buf_printf(&b, " JOIN (SELECT t.id FROM %s t%s WHERE 1 = 1%s%s LIMIT ? OFFSET ?) k "
		    "ON k.id = t.id%s", e->table, e->join ? e->join : "", buf_cstr(&w), buf_cstr(&o),
		    buf_cstr(&o));
	else
		buf_printf(&b, " WHERE 1 = 1%s%s LIMIT ? OFFSET ?", buf_cstr(&w), buf_cstr(&o));
	if (db_query_kept(db, a, tag, buf_cstr(&b), all.p, all.n, &r) < 0) {
		rc = CORE_DB;
		goto out;
	}
	out->nrows = r.nrows;
	out->rows = arena_calloc(a, r.nrows ? r.nrows : 1, sizeof(*out->rows));
	rows_from(&r, a, e, out->rows);
	if (kept && r.nrows > 0)
		out->total = db_val_int(&r, 0, e->nfields + 2, 0);
	else if (kept || (r.nrows == 0 && offset > 0) || r.nrows == (unsigned)limit) {
		/* the page does not tell: counted */
		struct db_result c;

		buf_reset(&b);
		if (kept)
			buf_puts(&b, "SELECT COALESCE(SUM(n), 0) FROM live_counts "
			    "WHERE tenant_id = ? AND entity = ?");
		else
			buf_printf(&b, "SELECT COUNT(*) FROM %s t%s WHERE 1 = 1%s", e->table,
			    e->join ? e->join : "", buf_cstr(&w));
		if (db_query_kept(db, a, tag, buf_cstr(&b), kept ? all.p : ps.p, kept ? 2 : ps.n,
		    &c) < 0) {
			rc = CORE_DB;
			goto out;
		}
		out->total = db_val_int(&c, 0, 0, 0);
	} else
		out->total = offset + r.nrows;          /* the last page */
	rc = CORE_OK;
out:
	buf_free(&b);
	buf_free(&w);
	buf_free(&o);
	return rc;
}

static int
get_where(struct db *db, struct arena *a, const struct entity *e, long long tenant,
    const char *col, struct db_param key, struct ent_row *out)
{
	struct buf b = BUF_INIT;
	struct params ps = { .n = 0 };
	struct db_result r;
	int rc;

	select_list(&b, e);
	buf_printf(&b, " AND t.%s = ?", col);
	pp(&ps, key);
	scope(&b, &ps, e, tenant, 0);
	rc = db_query(db, a, buf_cstr(&b), ps.p, ps.n, &r);
	buf_free(&b);
	if (rc < 0)
		return CORE_DB;
	if (r.nrows == 0)
		return CORE_NOT_FOUND;
	rows_from(&r, a, e, out);
	return CORE_OK;
}

int
ent_get_id(struct db *db, struct arena *a, const struct entity *e, long long tenant,
    long long id, struct ent_row *out)
{
	return get_where(db, a, e, tenant, "id", db_int(id), out);
}

int
ent_get(struct db *db, struct arena *a, const struct entity *e, long long tenant,
    const char *idstr, struct ent_row *out)
{
	if (idstr == NULL)
		return CORE_NOT_FOUND;
	if ((e->flags & EF_UUID) && strlen(idstr) == 36 &&
	    strspn(idstr, "0123456789abcdefABCDEF-") == 36)
		return get_where(db, a, e, tenant, "uuid", db_str(idstr), out);
	if (*idstr == '\0' || strlen(idstr) > 18 || strspn(idstr, "0123456789") != strlen(idstr))
		return CORE_NOT_FOUND;
	return ent_get_id(db, a, e, tenant, strtoll(idstr, NULL, 10), out);
}

int
ent_check_fks(struct db *db, struct arena *a, const struct entity *e, long long tenant,
    const struct ent_set *s, struct ferrs *fe)
{
	int before = fe->n;

	(void)e;
	for (int i = 0; i < s->n; i++) {
		const struct field *f = s->f[i];
		char sql[256];
		struct db_result r;

		if (!(f->flags & (FF_FK | FF_FK_GLOBAL)) || s->p[i].type == DB_P_NULL)
			continue;
		if (f->flags & FF_FK_GLOBAL) {
			snprintf(sql, sizeof(sql), "SELECT 1 FROM %s WHERE id = ?", f->fk);
			if (db_query(db, a, sql, &s->p[i], 1, &r) < 0)
				return CORE_DB;
		} else {
			struct db_param p[2] = { s->p[i], db_int(tenant) };

			snprintf(sql, sizeof(sql), "SELECT 1 FROM %s WHERE id = ? AND tenant_id = ?", f->fk);
			if (db_query(db, a, sql, p, 2, &r) < 0)
				return CORE_DB;
		}
		if (r.nrows == 0)
			ferr_add(fe, f->name, arena_printf(a,
			    "Invalid pk \"%lld\" - object does not exist.", s->p[i].i));
	}
	return fe->n > before ? CORE_INVALID : CORE_OK;
}

/* A duplicate key error names the key; blame the field that owns it. */
static int
unique_violation(struct db *db, struct arena *a, const struct entity *e, struct ferrs *fe)
{
	for (size_t i = 0; i < e->nuniques; i++) {
		char needle[80];

		snprintf(needle, sizeof(needle), "'%s'", e->uniques[i].key);
		if (strstr(db->errmsg, needle)) {
			ferr_add(fe, e->uniques[i].field, arena_printf(a,
			    "%s with this %s already exists.", e->label, e->uniques[i].field));
			return CORE_INVALID;
		}
	}
	return CORE_CONFLICT;
}

int
ent_create(struct db *db, struct arena *a, const struct entity *e, long long tenant,
    const struct ent_set *s, long long *id, struct ferrs *fe)
{
	struct buf b = BUF_INIT;
	struct params ps = { .n = 0 };
	struct db_result r;
	int rc, ncols = 0;

	if (e->flags & EF_READONLY)
		return CORE_FORBIDDEN;
	buf_printf(&b, "INSERT INTO %s (", e->table);
	if (e->flags & (EF_TENANT | EF_TENANT_SHARED)) {
		buf_puts(&b, "tenant_id");
		pp(&ps, db_int(tenant));
		ncols++;
	}
	if (e->flags & EF_UUID) {
		char *u = arena_alloc(a, 37);

		uuid_v4(u);
		buf_puts(&b, ncols++ ? ", uuid" : "uuid");
		pp(&ps, db_str(u));
	}
	for (int i = 0; i < s->n; i++) {
		buf_printf(&b, "%s%s", ncols++ ? ", " : "", s->f[i]->col);
		pp(&ps, s->p[i]);
	}
	buf_puts(&b, ") VALUES (");
	for (int i = 0; i < ncols; i++)
		buf_puts(&b, i ? ", ?" : "?");
	buf_puts(&b, ")");
	rc = db_query(db, a, buf_cstr(&b), ps.p, ps.n, &r);
	buf_free(&b);
	if (rc < 0)
		return db->err == ER_DUP_ENTRY ? unique_violation(db, a, e, fe) : CORE_DB;
	*id = (long long)r.insert_id;
	return CORE_OK;
}

/* The row to change: it must exist in the tenant and not be a shipped
 * (shared) row or an entity that is read-only. */
static int
writable_row(struct db *db, struct arena *a, const struct entity *e, long long tenant,
    long long id, struct ent_row *row)
{
	int rc;

	if (e->flags & EF_READONLY)
		return CORE_FORBIDDEN;
	if ((rc = ent_get_id(db, a, e, tenant, id, row)) != CORE_OK)
		return rc;
	if ((e->flags & EF_TENANT_SHARED) && row->tenant == 0)
		return CORE_FORBIDDEN;          /* shipped rows are read-only */
	return CORE_OK;
}

int
ent_update(struct db *db, struct arena *a, const struct entity *e, long long tenant,
    long long id, const struct ent_set *s, struct ferrs *fe)
{
	struct buf b = BUF_INIT;
	struct params ps = { .n = 0 };
	struct ent_row row;
	int rc;

	if ((rc = writable_row(db, a, e, tenant, id, &row)) != CORE_OK)
		return rc;
	if (s->n == 0)
		return CORE_OK;
	buf_printf(&b, "UPDATE %s t SET ", e->table);
	for (int i = 0; i < s->n; i++) {
		buf_printf(&b, "%st.%s = ?", i ? ", " : "", s->f[i]->col);
		pp(&ps, s->p[i]);
	}
	buf_puts(&b, " WHERE t.id = ?");
	pp(&ps, db_int(id));
	scope(&b, &ps, e, tenant, 1);
	rc = db_query(db, a, buf_cstr(&b), ps.p, ps.n, NULL);
	buf_free(&b);
	if (rc < 0)
		return db->err == ER_DUP_ENTRY ? unique_violation(db, a, e, fe) : CORE_DB;
	return CORE_OK;
}

int
ent_delete(struct db *db, struct arena *a, const struct entity *e, long long tenant, long long id)
{
	struct buf b = BUF_INIT;
	struct params ps = { .n = 0 };
	struct ent_row row;
	int rc;

	if ((rc = writable_row(db, a, e, tenant, id, &row)) != CORE_OK)
		return rc;
	if (e->flags & EF_SOFT_DELETE)
		buf_printf(&b, "UPDATE %s t SET t.deleted_at = UTC_TIMESTAMP(6) WHERE t.id = ?", e->table);
	else
		buf_printf(&b, "DELETE t FROM %s t WHERE t.id = ?", e->table);
	pp(&ps, db_int(id));
	scope(&b, &ps, e, tenant, 1);
	rc = db_query(db, a, buf_cstr(&b), ps.p, ps.n, NULL);
	buf_free(&b);
	if (rc < 0)
		return db->err == ER_ROW_IS_REFERENCED_2 ? CORE_CONFLICT : CORE_DB;
	return CORE_OK;
}

/* ---- output ---- */

void
ent_write_fields(yajl_gen g, const struct entity *e, const struct ent_row *r)
{
	for (size_t i = 0; i < e->nfields; i++) {
		const struct field *f = &e->fields[i];
		const char *v = r->v[i];

		if (f->flags & (FF_HIDDEN | FF_INTERNAL))
			continue;
		jw_key(g, f->name);
		if (v == NULL) {
			jw_null(g);
			continue;
		}
		switch (f->type) {
		case FT_ID:
		case FT_INT:
			jw_int(g, strtoll(v, NULL, 10));
			break;
		case FT_BOOL:
			jw_bool(g, strcmp(v, "0") != 0);
			break;
		case FT_DECIMAL:
			jw_raw_number(g, v);
			break;
		case FT_DATETIME:
			jw_dbtime(g, v);
			break;
		case FT_DATE:
			jw_strn(g, v, strlen(v) > 10 ? 10 : strlen(v));
			break;
		case FT_JSON: {
			yajl_val j = yajl_tree_parse(v, NULL, 0);

			if (j) {
				json_write_value(g, j);
				yajl_tree_free(j);
			} else
				jw_null(g);
			break;
		}
		default:
			jw_str(g, v);
			break;
		}
	}
}

void
ent_write(yajl_gen g, const struct entity *e, const struct ent_row *r)
{
	jw_obj(g);
	ent_write_fields(g, e, r);
	jw_obj_end(g);
}
