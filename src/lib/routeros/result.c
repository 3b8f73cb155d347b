/* result.c - the replies of one command gathered into items and traps;
 * error texts; value getters; UTF-8 and JSON forms of words; durations. */
#include "config.h"
#include "lib/routeros/routeros.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json/json.h"

/* ---- errors ---- */

static const char *const code_names[] = {
	[ROS_OK] = "ok",
	[ROS_ECONNECT] = "connect",
	[ROS_ETIMEOUT] = "timeout",
	[ROS_ETLS] = "tls",
	[ROS_ELOGIN] = "login",
	[ROS_ETRAP] = "trap",
	[ROS_EFATAL] = "fatal",
	[ROS_EPROTO] = "protocol",
	[ROS_ECLOSED] = "closed",
	[ROS_ENOMEM] = "nomem",
	[ROS_ETOOBIG] = "toobig",
	[ROS_EINVAL] = "invalid",
	[ROS_ENOTFOUND] = "notfound",
	[ROS_EIO] = "io",
};

const char *
ros_code_str(enum ros_code code)
{
	if ((size_t)code >= sizeof(code_names) / sizeof(code_names[0]) || !code_names[code])
		return "unknown";
	return code_names[code];
}

const char *
ros_error_format(const struct ros_error *err, char *out, size_t n)
{
	if (n == 0)
		return out;
	if (err->category >= 0)
		snprintf(out, n, "%s (category %d): %s", ros_code_str(err->code),
		    err->category, err->message);
	else if (err->message[0])
		snprintf(out, n, "%s: %s", ros_code_str(err->code), err->message);
	else
		snprintf(out, n, "%s", ros_code_str(err->code));
	return out;
}

int
ros_fail(struct ros_error *err, enum ros_code code, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return code;
	err->code = code;
	err->category = -1;
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	return code;
}

/* ---- results ---- */

void
ros_result_init(struct ros_result *r)
{
	memset(r, 0, sizeof(*r));
	arena_init(&r->arena);
	r->arena_ready = 1;
}

void
ros_result_free(struct ros_result *r)
{
	if (r->arena_ready)
		arena_free(&r->arena);
	free(r->items);
	free(r->traps);
	memset(r, 0, sizeof(*r));
}

static struct ros_word
copy_word(struct arena *a, const struct ros_word *w)
{
	struct ros_word c;
	char *p = arena_alloc(a, w->len + 1);

	if (w->len)
		memcpy(p, w->p, w->len);
	p[w->len] = '\0';
	c.p = p;
	c.len = w->len;
	return c;
}

static struct ros_attr *
copy_attrs(struct arena *a, const struct ros_attr *src, size_t n)
{
	struct ros_attr *d = arena_alloc(a, (n ? n : 1) * sizeof(*d));

	for (size_t i = 0; i < n; i++) {
		d[i].key = copy_word(a, &src[i].key);
		d[i].value = copy_word(a, &src[i].value);
	}
	return d;
}

static size_t
reply_bytes(const struct ros_reply *rep)
{
	size_t n = 0;

	for (size_t i = 0; i < rep->nwords; i++)
		n += rep->words[i].len + 2 * sizeof(struct ros_word);
	return n;
}

/* A trap's category: digits, -1 when absent or not a small number. */
static int
trap_category(const struct ros_reply *rep)
{
	const struct ros_word *c = ros_reply_get(rep, "category");
	int v = 0;

	if (c == NULL || c->len == 0 || c->len > 3)
		return -1;
	for (size_t i = 0; i < c->len; i++) {
		if (c->p[i] < '0' || c->p[i] > '9')
			return -1;
		v = v * 10 + (c->p[i] - '0');
	}
	return v;
}

static void
add_item(struct ros_result *r, const struct ros_reply *rep)
{
	if (r->nitems == r->capitems) {
		r->capitems = r->capitems ? r->capitems * 2 : 16;
		r->items = xrealloc(r->items, r->capitems * sizeof(*r->items));
	}
	r->items[r->nitems].attrs = copy_attrs(&r->arena, rep->attrs, rep->nattrs);
	r->items[r->nitems].n = rep->nattrs;
	r->nitems++;
}

static void
add_trap(struct ros_result *r, const struct ros_reply *rep)
{
	static const struct ros_word none = { "", 0 };
	const struct ros_word *m = ros_reply_get(rep, "message");
	struct ros_trap *t;

	if (r->ntraps == r->captraps) {
		r->captraps = r->captraps ? r->captraps * 2 : 2;
		r->traps = xrealloc(r->traps, r->captraps * sizeof(*r->traps));
	}
	t = &r->traps[r->ntraps++];
	t->category = trap_category(rep);
	t->message = copy_word(&r->arena, m ? m : &none);
	if (t->category == 2)
		r->interrupted = 1;
}

int
ros_result_add(struct ros_result *r, const struct ros_reply *rep, struct ros_error *err)
{
	size_t max = r->max_bytes ? r->max_bytes : ROS_MAX_REPLY_DEFAULT;
	size_t n;

	if (r->complete)
		return 1;
	n = reply_bytes(rep);
	if (n > max || r->bytes > max - n) {
		ros_fail(err, ROS_ETOOBIG, "replies exceed the %zu-byte limit", max);
		return -1;
	}
	r->bytes += n;
	switch (rep->type) {
	case ROS_REPLY_RE:
		add_item(r, rep);
		return 0;
	case ROS_REPLY_TRAP:
		add_trap(r, rep);
		return 0;
	case ROS_REPLY_EMPTY:
		r->empty = 1;
		return 0;
	case ROS_REPLY_DONE:
		r->done = copy_attrs(&r->arena, rep->attrs, rep->nattrs);
		r->ndone = rep->nattrs;
		r->complete = 1;
		return 1;
	case ROS_REPLY_FATAL:
		r->fatal_reason = copy_word(&r->arena, &rep->reason);
		r->fatal = 1;
		r->complete = 1;
		return 1;
	case ROS_REPLY_UNKNOWN:
		break;
	}
	return 0;                   /* an unknown reply type: ignored */
}

/* ---- getters ---- */

const char *
ros_item_str(const struct ros_item *it, const char *key)
{
	const struct ros_word *w = ros_item_get(it, key);

	return w ? w->p : NULL;
}

int
ros_item_bool(const struct ros_item *it, const char *key, int dflt)
{
	const char *v = ros_item_str(it, key);

	if (v == NULL)
		return dflt;
	if (strcmp(v, "yes") == 0 || strcmp(v, "true") == 0)
		return 1;
	if (strcmp(v, "no") == 0 || strcmp(v, "false") == 0)
		return 0;
	return dflt;
}

unsigned long long
ros_item_u64(const struct ros_item *it, const char *key, unsigned long long dflt)
{
	const struct ros_word *w = ros_item_get(it, key);
	unsigned long long v = 0;

	if (w == NULL || w->len == 0)
		return dflt;
	for (size_t i = 0; i < w->len; i++) {
		unsigned d = (unsigned)(w->p[i] - '0');

		if (w->p[i] < '0' || w->p[i] > '9' || v > (ULLONG_MAX - d) / 10)
			return dflt;
		v = v * 10 + d;
	}
	return v;
}

const char *
ros_result_ret(const struct ros_result *r)
{
	struct ros_item done = { r->done, r->ndone };

	return r->done ? ros_item_str(&done, "ret") : NULL;
}

/* ---- UTF-8 and JSON ---- */

/* Length of the well-formed UTF-8 sequence at p (n bytes left), 0 if none. */
static size_t
utf8_seq(const unsigned char *p, size_t n)
{
	unsigned char b = p[0];
	size_t k;
	unsigned cp;

	if (b < 0x80)
		return 1;
	if (b >= 0xC2 && b <= 0xDF)
		k = 2, cp = b & 0x1F;
	else if (b >= 0xE0 && b <= 0xEF)
		k = 3, cp = b & 0x0F;
	else if (b >= 0xF0 && b <= 0xF4)
		k = 4, cp = b & 0x07;
	else
		return 0;
	if (n < k)
		return 0;
	for (size_t i = 1; i < k; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3F);
	}
	if ((k == 3 && cp < 0x800) || (k == 4 && cp < 0x10000) || cp > 0x10FFFF ||
	    (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return k;
}

int
ros_utf8_valid(const char *p, size_t n)
{
	const unsigned char *u = (const unsigned char *)p;

	for (size_t i = 0; i < n;) {
		size_t k = utf8_seq(u + i, n - i);

		if (k == 0)
			return 0;
		i += k;
	}
	return 1;
}

void
ros_utf8_sanitize(struct buf *out, const char *p, size_t n)
{
	const unsigned char *u = (const unsigned char *)p;
	size_t i = 0, run = 0;

	while (i < n) {
		size_t k = utf8_seq(u + i, n - i);

		if (k) {
			i += k;
			continue;
		}
		buf_append(out, p + run, i - run);
		buf_putc(out, (char)(0xC0 | (u[i] >> 6)));      /* Latin-1 U+0080..U+00FF */
		buf_putc(out, (char)(0x80 | (u[i] & 0x3F)));
		run = ++i;
	}
	buf_append(out, p + run, n - run);
}

void
ros_json_word(yajl_gen g, const char *p, size_t n)
{
	struct buf b = BUF_INIT;

	if (ros_utf8_valid(p, n)) {
		jw_strn(g, p, n);
		return;
	}
	ros_utf8_sanitize(&b, p, n);
	jw_strn(g, b.data, b.len);
	buf_free(&b);
}

void
ros_json_item(yajl_gen g, const struct ros_item *it)
{
	jw_obj(g);
	for (size_t i = 0; i < it->n; i++) {
		ros_json_word(g, it->attrs[i].key.p, it->attrs[i].key.len);
		ros_json_word(g, it->attrs[i].value.p, it->attrs[i].value.len);
	}
	jw_obj_end(g);
}

/* ---- durations ---- */

/* total + v * unit, or -1 when it would overflow (total is >= 0). */
static long long
add_us(long long total, long long v, long long unit)
{
	if (total < 0 || (unit && v > (LLONG_MAX - total) / unit))
		return -1;
	return total + v * unit;
}

/* "1w2d3h4m5s", "12ms", "350us", "1s500ms", with an optional "hh:mm:ss"
 * clock part at the end ("1d00:00:05", "00:10:00"). */
long long
ros_duration_us(const char *s)
{
	static const struct {
		const char *unit;
		long long us;
	} units[] = {
		{ "ms", 1000LL }, { "us", 1LL }, { "ns", 0LL }, { "w", 604800000000LL },
		{ "d", 86400000000LL }, { "h", 3600000000LL }, { "m", 60000000LL },
		{ "s", 1000000LL },
	};
	long long total = 0;

	if (s == NULL || *s == '\0')
		return -1;
	while (*s) {
		long long v = 0;
		int digits = 0;
		size_t i;

		while (*s >= '0' && *s <= '9' && digits < 12) {
			v = v * 10 + (*s++ - '0');
			digits++;
		}
		if (digits == 0)
			return -1;
		if (*s == ':') {            /* hh:mm:ss to the end */
			int m, sec;

			if (strlen(s) != 6 || sscanf(s, ":%2d:%2d", &m, &sec) != 2 ||
			    m > 59 || sec > 59 || m < 0 || sec < 0 || v > 99999999)
				return -1;
			return add_us(total, v * 3600 + m * 60 + sec, 1000000LL);
		}
		for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
			size_t k = strlen(units[i].unit);

			if (strncmp(s, units[i].unit, k) == 0) {
				total = add_us(total, v, units[i].us);
				s += k;
				break;
			}
		}
		if (total < 0)
			return -1;
		if (i == sizeof(units) / sizeof(units[0]))
			return -1;
	}
	return total;
}
