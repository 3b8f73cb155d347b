/* qcache.c - a small per-process cache of tagged query results
 * (qcache.h): QC_SLOTS results of at most QC_MAX_BYTES each, the least
 * recently used one replaced.  A result is kept as one block: the key
 * (tag, statement, parameters) followed by its cells. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "db/qcache.h"
#include "util/arena.h"
#include "util/buf.h"

#define QC_SLOTS     64
#define QC_MAX_BYTES (512 * 1024)

struct slot {
	char *key;                      /* malloc'd; NULL: empty */
	size_t keylen;
	unsigned nrows, ncols;
	unsigned long *lens;            /* nrows * ncols, ULONG_MAX: NULL */
	char *cells;                    /* the values one after another */
	unsigned long long used;
};

static struct slot slots[QC_SLOTS];
static unsigned long long clock_, hits, misses;

static void
key_of(struct buf *k, const char *tag, const char *sql, const struct db_param *p, unsigned n)
{
	buf_puts(k, tag);
	buf_putc(k, '\001');
	buf_puts(k, sql);
	for (unsigned i = 0; i < n; i++) {
		buf_putc(k, '\001');
		switch (p[i].type) {
		case DB_P_INT:
			buf_printf(k, "i%lld", p[i].i);
			break;
		case DB_P_STR:
			buf_printf(k, "s%zu:", p[i].len);
			buf_append(k, p[i].s, p[i].len);
			break;
		default:
			buf_putc(k, 'n');
			break;
		}
	}
}

static void
slot_free(struct slot *s)
{
	free(s->key);
	free(s->lens);
	free(s->cells);
	memset(s, 0, sizeof(*s));
}

static struct slot *
find(const struct buf *k)
{
	for (int i = 0; i < QC_SLOTS; i++)
		if (slots[i].key && slots[i].keylen == k->len && !memcmp(slots[i].key, k->data, k->len))
			return &slots[i];
	return NULL;
}

/* the result from a slot, in the caller's arena */
static void
load(const struct slot *s, struct arena *a, struct db_result *res)
{
	const char *c = s->cells;

	memset(res, 0, sizeof(*res));
	res->nrows = s->nrows;
	res->ncols = s->ncols;
	res->rows = arena_calloc(a, s->nrows ? s->nrows : 1, sizeof(*res->rows));
	res->lens = arena_calloc(a, s->nrows ? s->nrows : 1, sizeof(*res->lens));
	for (unsigned r = 0; r < s->nrows; r++) {
		res->rows[r] = arena_calloc(a, s->ncols ? s->ncols : 1, sizeof(char *));
		res->lens[r] = arena_calloc(a, s->ncols ? s->ncols : 1, sizeof(unsigned long));
		for (unsigned i = 0; i < s->ncols; i++) {
			unsigned long len = s->lens[r * s->ncols + i];

			if (len == (unsigned long)-1)
				continue;
			res->rows[r][i] = arena_alloc(a, len + 1);
			memcpy(res->rows[r][i], c, len);
			res->rows[r][i][len] = '\0';
			res->lens[r][i] = len;
			c += len;
		}
	}
}

/* keep a result, unless it is too big */
static void
store(const struct buf *k, const struct db_result *res)
{
	struct slot *s = &slots[0];
	size_t total = 0, n = (size_t)res->nrows * res->ncols;
	char *c;

	for (unsigned r = 0; r < res->nrows; r++)
		for (unsigned i = 0; i < res->ncols; i++)
			if (res->rows[r][i])
				total += res->lens ? res->lens[r][i] : strlen(res->rows[r][i]);
	if (total + k->len > QC_MAX_BYTES)
		return;
	for (int i = 1; i < QC_SLOTS; i++)
		if (slots[i].key == NULL || (s->key && slots[i].used < s->used))
			s = &slots[i];
	slot_free(s);
	s->key = malloc(k->len ? k->len : 1);
	s->lens = malloc((n ? n : 1) * sizeof(*s->lens));
	s->cells = c = malloc(total ? total : 1);
	if (s->key == NULL || s->lens == NULL || s->cells == NULL) {
		slot_free(s);
		return;
	}
	memcpy(s->key, k->data, k->len);
	s->keylen = k->len;
	s->nrows = res->nrows;
	s->ncols = res->ncols;
	for (unsigned r = 0; r < res->nrows; r++)
		for (unsigned i = 0; i < res->ncols; i++) {
			const char *v = res->rows[r][i];
			unsigned long len = v ? (res->lens ? res->lens[r][i] : strlen(v)) : 0;

			s->lens[r * res->ncols + i] = v ? len : (unsigned long)-1;
			if (v) {
				memcpy(c, v, len);
				c += len;
			}
		}
	s->used = ++clock_;
}

int
db_query_kept(struct db *db, struct arena *a, const char *tag, const char *sql,
    const struct db_param *params, unsigned nparams, struct db_result *res)
{
	struct buf k = BUF_INIT;
	struct slot *s;
	int rc;

	if (tag == NULL)
		return db_query(db, a, sql, params, nparams, res);
	key_of(&k, tag, sql, params, nparams);
	if ((s = find(&k)) != NULL) {
		s->used = ++clock_;
		hits++;
		load(s, a, res);
		buf_free(&k);
		return 0;
	}
	misses++;
	if ((rc = db_query(db, a, sql, params, nparams, res)) == 0)
		store(&k, res);
	buf_free(&k);
	return rc;
}

const char *
qcache_tag(struct arena *a, const char *name, const char *versions)
{
	size_t n;

	if (name == NULL || versions == NULL)
		return NULL;
	n = strlen(name);
	for (const char *p = versions; *p; ) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);

		if (len > n && !strncmp(p, name, n) && p[n] == ':')
			return arena_strndup(a, p, len);
		if (end == NULL)
			break;
		p = end + 1;
	}
	return arena_printf(a, "%s:0", name);
}

void
qcache_clear(void)
{
	for (int i = 0; i < QC_SLOTS; i++)
		slot_free(&slots[i]);
}

void
qcache_counts(unsigned long long *h, unsigned long long *m)
{
	*h = hits;
	*m = misses;
}
