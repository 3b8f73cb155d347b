/* codec.c - RouterOS API words and sentences: the length prefix, sentence
 * encoding, reply classification and the incremental decoder. */
#include "config.h"
#include "lib/routeros/routeros.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

size_t
ros_len_encode(size_t len, unsigned char out[5])
{
	if (len < 0x80) {
		out[0] = (unsigned char)len;
		return 1;
	}
	if (len < 0x4000) {
		len |= 0x8000;
		out[0] = (unsigned char)(len >> 8);
		out[1] = (unsigned char)len;
		return 2;
	}
	if (len < 0x200000) {
		len |= 0xC00000;
		out[0] = (unsigned char)(len >> 16);
		out[1] = (unsigned char)(len >> 8);
		out[2] = (unsigned char)len;
		return 3;
	}
	if (len < 0x10000000) {
		len |= 0xE0000000;
		out[0] = (unsigned char)(len >> 24);
		out[1] = (unsigned char)(len >> 16);
		out[2] = (unsigned char)(len >> 8);
		out[3] = (unsigned char)len;
		return 4;
	}
	if (len > ROS_LEN_MAX)
		return 0;
	out[0] = 0xF0;
	out[1] = (unsigned char)(len >> 24);
	out[2] = (unsigned char)(len >> 16);
	out[3] = (unsigned char)(len >> 8);
	out[4] = (unsigned char)len;
	return 5;
}

/* Bytes a prefix takes, from its first byte; 0 for a control byte. */
static size_t
len_size(unsigned char b)
{
	if (b < 0x80)
		return 1;
	if (b < 0xC0)
		return 2;
	if (b < 0xE0)
		return 3;
	if (b < 0xF0)
		return 4;
	if (b < 0xF8)
		return 5;
	return 0;
}

int
ros_len_decode(const unsigned char *p, size_t n, uint32_t *len, size_t *used)
{
	static const uint32_t mask[] = { 0, 0x7F, 0x3FFF, 0x1FFFFF, 0xFFFFFFF, 0xFFFFFFFF };
	size_t need, i;
	uint32_t v = 0;

	if (n == 0)
		return 0;
	need = len_size(p[0]);
	if (need == 0)
		return -1;
	if (n < need)
		return 0;
	/* the 5-byte form's first byte carries no length bits */
	for (i = need == 5 ? 1 : 0; i < need; i++)
		v = (v << 8) | p[i];
	*len = v & mask[need];
	*used = need;
	return 1;
}

int
ros_sentence_encode(struct buf *out, const struct ros_word *w, size_t n)
{
	unsigned char pfx[5];
	size_t k;

	for (size_t i = 0; i < n; i++) {
		k = ros_len_encode(w[i].len, pfx);
		if (k == 0)
			return ROS_EINVAL;
		buf_append(out, pfx, k);
		buf_append(out, w[i].p, w[i].len);
	}
	buf_putc(out, 0);
	return ROS_OK;
}

/* ---- replies ---- */

static const struct {
	const char *word;
	enum ros_reply_type type;
} reply_types[] = {
	{ "!re", ROS_REPLY_RE },
	{ "!done", ROS_REPLY_DONE },
	{ "!trap", ROS_REPLY_TRAP },
	{ "!fatal", ROS_REPLY_FATAL },
	{ "!empty", ROS_REPLY_EMPTY },
};

static int
word_is(const struct ros_word *w, const char *s)
{
	size_t n = strlen(s);

	return w->len == n && memcmp(w->p, s, n) == 0;
}

/* "=k=v" -> k, v; ".k=v" -> ".k", v.  0 when the word is neither. */
static int
split_attr(const struct ros_word *w, struct ros_attr *a)
{
	const char *eq;
	size_t start;

	if (w->len >= 2 && w->p[0] == '=')
		start = 1;
	else if (w->len >= 2 && w->p[0] == '.')
		start = 0;
	else
		return 0;
	eq = memchr(w->p + start + 1, '=', w->len - start - 1);
	if (eq == NULL)
		return 0;
	a->key.p = w->p + start;
	a->key.len = (size_t)(eq - a->key.p);
	a->value.p = eq + 1;
	a->value.len = w->len - (size_t)(eq + 1 - w->p);
	return 1;
}

static void
parse_tag(const struct ros_word *v, struct ros_reply *out)
{
	unsigned long t = 0;
	size_t i;

	out->has_tag = 1;
	out->tag_ok = 0;
	if (v->len == 0 || v->len > 9)
		return;
	for (i = 0; i < v->len; i++) {
		if (v->p[i] < '0' || v->p[i] > '9')
			return;
		t = t * 10 + (unsigned long)(v->p[i] - '0');
	}
	out->tag = t;
	out->tag_ok = 1;
}

void
ros_reply_parse(const struct ros_word *w, size_t n, struct ros_attr *attrs,
    struct ros_reply *out)
{
	memset(out, 0, sizeof(*out));
	out->type = ROS_REPLY_UNKNOWN;
	out->words = w;
	out->nwords = n;
	out->attrs = attrs;
	out->reason.p = "";
	if (n == 0)
		return;
	for (size_t i = 0; i < sizeof(reply_types) / sizeof(reply_types[0]); i++)
		if (word_is(&w[0], reply_types[i].word))
			out->type = reply_types[i].type;
	for (size_t i = 1; i < n; i++) {
		struct ros_attr a;

		if (!split_attr(&w[i], &a)) {
			if (out->type == ROS_REPLY_FATAL && out->reason.len == 0)
				out->reason = w[i];
			continue;
		}
		if (w[i].p[0] == '.' && a.key.len == 4 && memcmp(a.key.p, ".tag", 4) == 0) {
			parse_tag(&a.value, out);
			continue;
		}
		attrs[out->nattrs++] = a;
	}
}

static const struct ros_word *
attrs_get(const struct ros_attr *a, size_t n, const char *key)
{
	size_t k = strlen(key);

	for (size_t i = 0; i < n; i++)
		if (a[i].key.len == k && memcmp(a[i].key.p, key, k) == 0)
			return &a[i].value;
	return NULL;
}

const struct ros_word *
ros_reply_get(const struct ros_reply *r, const char *key)
{
	return attrs_get(r->attrs, r->nattrs, key);
}

const struct ros_word *
ros_item_get(const struct ros_item *it, const char *key)
{
	return attrs_get(it->attrs, it->n, key);
}

/* ---- the incremental decoder ---- */

void
ros_decoder_init(struct ros_decoder *d, size_t max_word, size_t max_sentence)
{
	memset(d, 0, sizeof(*d));
	d->max_word = max_word ? max_word : ROS_MAX_WORD_DEFAULT;
	d->max_sentence = max_sentence ? max_sentence : ROS_MAX_REPLY_DEFAULT;
}

void
ros_decoder_free(struct ros_decoder *d)
{
	buf_free(&d->in);
	buf_free(&d->sbytes);
	free(d->offs);
	free(d->lens);
	free(d->words);
	free(d->attrs);
	memset(d, 0, sizeof(*d));
}

void
ros_decoder_feed(struct ros_decoder *d, const void *data, size_t n)
{
	/* drop consumed bytes before they outweigh the live ones */
	if (d->in_off > 0 && d->in_off >= d->in.len / 2) {
		memmove(d->in.data, d->in.data + d->in_off, d->in.len - d->in_off);
		d->in.len -= d->in_off;
		d->in_off = 0;
	}
	if (n)
		buf_append(&d->in, data, n);
}

size_t
ros_decoder_pending(const struct ros_decoder *d)
{
	return d->in.len - d->in_off + d->pfx_got + (d->ready ? 0 : d->sbytes.len);
}

static int
dec_fail(struct ros_decoder *d, struct ros_error *err, enum ros_code code, const char *msg)
{
	if (d->failed == ROS_OK) {
		d->failed = code;
		snprintf(d->fail_msg, sizeof(d->fail_msg), "%s", msg);
	}
	ros_fail(err, d->failed, "%s", d->fail_msg);
	return -1;
}

static void
dec_start_word(struct ros_decoder *d, size_t len)
{
	if (d->nwords == d->capwords) {
		d->capwords = d->capwords ? d->capwords * 2 : 16;
		d->offs = xrealloc(d->offs, d->capwords * sizeof(*d->offs));
		d->lens = xrealloc(d->lens, d->capwords * sizeof(*d->lens));
	}
	d->offs[d->nwords] = d->sbytes.len;
	d->lens[d->nwords] = len;
	d->in_word = 1;
	d->word_left = len;
}

/* The current word is complete: terminate it. */
static void
dec_end_word(struct ros_decoder *d)
{
	buf_putc(&d->sbytes, '\0');
	d->nwords++;
	d->in_word = 0;
}

static void
dec_build(struct ros_decoder *d, struct ros_reply *out)
{
	size_t n = d->nwords ? d->nwords : 1;

	d->words = xrealloc(d->words, n * sizeof(*d->words));
	d->attrs = xrealloc(d->attrs, n * sizeof(*d->attrs));
	for (size_t i = 0; i < d->nwords; i++) {
		d->words[i].p = d->sbytes.data + d->offs[i];
		d->words[i].len = d->lens[i];
	}
	ros_reply_parse(d->words, d->nwords, d->attrs, out);
}

int
ros_decoder_next(struct ros_decoder *d, struct ros_reply *out, struct ros_error *err)
{
	if (d->failed != ROS_OK)
		return dec_fail(d, err, d->failed, d->fail_msg);
	if (d->ready) {             /* the last reply's storage is reused now */
		buf_reset(&d->sbytes);
		d->nwords = 0;
		d->ready = 0;
	}
	while (d->in_off < d->in.len) {
		const unsigned char *p = (const unsigned char *)d->in.data + d->in_off;
		size_t avail = d->in.len - d->in_off;

		if (d->in_word) {
			size_t k = avail < d->word_left ? avail : d->word_left;

			buf_append(&d->sbytes, p, k);
			d->in_off += k;
			d->word_left -= k;
			if (d->word_left == 0)
				dec_end_word(d);
			continue;
		}

		/* a length prefix, possibly split across feeds */
		uint32_t len = 0;
		size_t used, need;
		char msg[96];

		if (d->pfx_got == 0 && len_size(p[0]) == 0) {
			snprintf(msg, sizeof(msg), "reserved control byte 0x%02X", p[0]);
			return dec_fail(d, err, ROS_EPROTO, msg);
		}
		need = d->pfx_got ? len_size(d->pfx[0]) : len_size(p[0]);
		while (d->pfx_got < need && d->in_off < d->in.len)
			d->pfx[d->pfx_got++] = (unsigned char)d->in.data[d->in_off++];
		if (d->pfx_got < need)
			break;
		ros_len_decode(d->pfx, d->pfx_got, &len, &used);
		d->pfx_got = 0;
		if (len == 0) {
			if (d->nwords == 0)
				continue;       /* an empty sentence: ignored */
			d->ready = 1;
			dec_build(d, out);
			return 1;
		}
		if (len > d->max_word) {
			snprintf(msg, sizeof(msg), "word of %lu bytes exceeds the %zu-byte limit",
			    (unsigned long)len, d->max_word);
			return dec_fail(d, err, ROS_ETOOBIG, msg);
		}
		if (d->sbytes.len + len + 1 > d->max_sentence) {
			snprintf(msg, sizeof(msg), "sentence exceeds the %zu-byte limit",
			    d->max_sentence);
			return dec_fail(d, err, ROS_ETOOBIG, msg);
		}
		dec_start_word(d, len);
	}
	if (d->in_off == d->in.len) {
		buf_reset(&d->in);
		d->in_off = 0;
	}
	return 0;
}
