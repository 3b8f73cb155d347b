/* test_routeros.c - the RouterOS API client: length prefix at every edge,
 * the incremental decoder, replies and results, text helpers, the MD5
 * challenge, and sessions against a scripted peer on a socketpair. */
#include "config.h"

#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "../common/check_main.h"
#include "json/json.h"
#include "lib/routeros/routeros.h"

/* ---- helpers ---- */

static struct ros_word
W(const char *s)
{
	struct ros_word w = { s, strlen(s) };

	return w;
}

/* Encode words given as C strings (NULL-terminated list) into b. */
static void
enc(struct buf *b, ...)
{
	struct ros_word w[32];
	size_t n = 0;
	const char *s;
	va_list ap;

	va_start(ap, b);
	while ((s = va_arg(ap, const char *)) != NULL)
		w[n++] = W(s);
	va_end(ap);
	ck_assert_int_eq(ros_sentence_encode(b, w, n), ROS_OK);
}

static int
word_eq(const struct ros_word *w, const char *s)
{
	return w && w->len == strlen(s) && memcmp(w->p, s, w->len) == 0;
}

/* ---- the length prefix ---- */

START_TEST(len_prefix_edges)
{
	static const struct {
		uint32_t len;
		size_t n;
		unsigned char b[5];
	} t[] = {
		{ 0, 1, { 0x00 } },
		{ 0x7F, 1, { 0x7F } },
		{ 0x80, 2, { 0x80, 0x80 } },
		{ 0x3FFF, 2, { 0xBF, 0xFF } },
		{ 0x4000, 3, { 0xC0, 0x40, 0x00 } },
		{ 0x1FFFFF, 3, { 0xDF, 0xFF, 0xFF } },
		{ 0x200000, 4, { 0xE0, 0x20, 0x00, 0x00 } },
		{ 0xFFFFFFF, 4, { 0xEF, 0xFF, 0xFF, 0xFF } },
		{ 0x10000000, 5, { 0xF0, 0x10, 0x00, 0x00, 0x00 } },
		{ 0xFFFFFFFF, 5, { 0xF0, 0xFF, 0xFF, 0xFF, 0xFF } },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		unsigned char out[5];
		uint32_t len = 1234;
		size_t used = 0;

		ck_assert_uint_eq(ros_len_encode(t[i].len, out), t[i].n);
		ck_assert_mem_eq(out, t[i].b, t[i].n);
		/* every proper prefix of the encoding asks for more */
		for (size_t k = 0; k < t[i].n; k++)
			ck_assert_int_eq(ros_len_decode(out, k, &len, &used), 0);
		ck_assert_int_eq(ros_len_decode(out, t[i].n, &len, &used), 1);
		ck_assert_uint_eq(len, t[i].len);
		ck_assert_uint_eq(used, t[i].n);
	}
	if (sizeof(size_t) > 4) {
		unsigned char out[5];

		ck_assert_uint_eq(ros_len_encode((size_t)ROS_LEN_MAX + 1, out), 0);
	}
}
END_TEST

START_TEST(control_bytes_rejected)
{
	for (unsigned b = 0xF8; b <= 0xFF; b++) {
		unsigned char p[5] = { (unsigned char)b, 0, 0, 0, 0 };
		struct ros_decoder d;
		struct ros_reply r;
		struct ros_error err;
		uint32_t len;
		size_t used;

		ck_assert_int_eq(ros_len_decode(p, 5, &len, &used), -1);
		ros_decoder_init(&d, 0, 0);
		/* a good sentence, then the control byte in place of a length */
		ros_decoder_feed(&d, "\x05!done\x00", 7);
		ros_decoder_feed(&d, p, 1);
		ck_assert_int_eq(ros_decoder_next(&d, &r, &err), 1);
		ck_assert_int_eq(r.type, ROS_REPLY_DONE);
		ck_assert_int_eq(ros_decoder_next(&d, &r, &err), -1);
		ck_assert_int_eq(err.code, ROS_EPROTO);
		/* and it stays failed */
		ros_decoder_feed(&d, "\x05!done\x00", 7);
		ck_assert_int_eq(ros_decoder_next(&d, &r, &err), -1);
		ros_decoder_free(&d);
	}
}
END_TEST

/* One word of len bytes through the decoder, fed in chunks of step. */
static void
word_roundtrip(size_t len, size_t step)
{
	struct buf b = BUF_INIT;
	char *big = malloc(len + 1);
	struct ros_word w[2] = { { "!re", 3 }, { big, len } };
	struct ros_decoder d;
	struct ros_reply r;
	struct ros_error err;
	int got = 0;

	for (size_t i = 0; i < len; i++)
		big[i] = (char)(i * 7 + 1);
	ck_assert_int_eq(ros_sentence_encode(&b, w, 2), ROS_OK);
	ros_decoder_init(&d, len + 16, len + 64);
	for (size_t off = 0; off < b.len; off += step) {
		size_t k = b.len - off < step ? b.len - off : step;

		ros_decoder_feed(&d, b.data + off, k);
		got = ros_decoder_next(&d, &r, &err);
		ck_assert_int_ge(got, 0);
		if (got)
			ck_assert_uint_eq(off + k, b.len);
	}
	ck_assert_int_eq(got, 1);
	ck_assert_uint_eq(r.nwords, 2);
	ck_assert_uint_eq(r.words[1].len, len);
	ck_assert(memcmp(r.words[1].p, big, len) == 0);
	ck_assert_int_eq(r.words[1].p[len], '\0');
	ros_decoder_free(&d);
	buf_free(&b);
	free(big);
}

START_TEST(words_at_every_length_class)
{
	static const size_t lens[] = { 1, 0x7F, 0x80, 0x3FFF, 0x4000, 0x1FFFFF, 0x200000 };

	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		word_roundtrip(lens[i], 1 + lens[i] / 3);
		word_roundtrip(lens[i], 4093);
	}
	word_roundtrip(0x80, 1);
	word_roundtrip(0x4000, 1);
}
END_TEST

START_TEST(word_cap_is_a_clear_error)
{
	struct ros_decoder d;
	struct ros_reply r;
	struct ros_error err;

	/* 0xFFFFFFF (4-byte class) and 0x10000000 (5-byte class): refused at
	 * the prefix, nothing allocated */
	ros_decoder_init(&d, 0, 0);
	ros_decoder_feed(&d, "\xEF\xFF\xFF\xFF", 4);
	ck_assert_int_eq(ros_decoder_next(&d, &r, &err), -1);
	ck_assert_int_eq(err.code, ROS_ETOOBIG);
	ck_assert_ptr_nonnull(strstr(err.message, "16777216"));
	ros_decoder_free(&d);

	ros_decoder_init(&d, 0, 0);
	ros_decoder_feed(&d, "\xF0\x10\x00", 3);
	ck_assert_int_eq(ros_decoder_next(&d, &r, &err), 0);   /* prefix split */
	ros_decoder_feed(&d, "\x00\x00", 2);
	ck_assert_int_eq(ros_decoder_next(&d, &r, &err), -1);
	ck_assert_int_eq(err.code, ROS_ETOOBIG);
	ck_assert_ptr_nonnull(strstr(err.message, "268435456"));
	ros_decoder_free(&d);

	/* a raised cap lets 16 MiB + 1 through */
	word_roundtrip(ROS_MAX_WORD_DEFAULT + 1, 1 << 20);
}
END_TEST

/* A stream of several sentences with tags, traps, NUL bytes. */
static void
sample_stream(struct buf *b)
{
	static const char bin[] = { 'x', 0, (char)0xFF, (char)0xE9, '=', 0 };
	struct ros_word w[3] = { W("!re"), W(".tag=7"), { NULL, 0 } };
	char *word = malloc(4 + sizeof(bin));

	enc(b, "!re", "=name=alice", "=comment=a=b=c", "=password=", ".tag=7", NULL);
	memcpy(word, "=ch=", 4);
	memcpy(word + 4, bin, sizeof(bin));
	w[2].p = word;
	w[2].len = 4 + sizeof(bin);
	ros_sentence_encode(b, w, 3);
	free(word);
	buf_putc(b, 0);                     /* an empty sentence: skipped */
	enc(b, "!trap", "=category=5", "=message=no such item", ".tag=7", NULL);
	enc(b, "!done", ".tag=7", NULL);
	enc(b, "!empty", ".tag=8", NULL);
	enc(b, "!done", "=ret=*1A", ".tag=8", NULL);
	enc(b, "!fatal", "session terminated on request", NULL);
}

/* Decode everything in b, fed step bytes at a time, into a text dump. */
static void
dump_stream(const struct buf *b, size_t step, struct buf *out)
{
	struct ros_decoder d;
	struct ros_reply r;
	struct ros_error err;

	ros_decoder_init(&d, 0, 0);
	for (size_t off = 0; off < b->len; off += step) {
		ros_decoder_feed(&d, b->data + off, b->len - off < step ? b->len - off : step);
		while (ros_decoder_next(&d, &r, &err) == 1) {
			buf_printf(out, "type=%d tag=%d/%lu n=%zu:", r.type, r.has_tag, r.tag,
			    r.nwords);
			for (size_t i = 0; i < r.nwords; i++) {
				buf_printf(out, " [%zu]", r.words[i].len);
				buf_append(out, r.words[i].p, r.words[i].len);
			}
			for (size_t i = 0; i < r.nattrs; i++) {
				buf_puts(out, " {");
				buf_append(out, r.attrs[i].key.p, r.attrs[i].key.len);
				buf_puts(out, "|");
				buf_append(out, r.attrs[i].value.p, r.attrs[i].value.len);
				buf_puts(out, "}");
			}
			buf_putc(out, '\n');
		}
	}
	ck_assert_uint_eq(ros_decoder_pending(&d), 0);
	ros_decoder_free(&d);
}

START_TEST(bytewise_feed_parses_identically)
{
	struct buf b = BUF_INIT, whole = BUF_INIT, one = BUF_INIT, three = BUF_INIT;

	sample_stream(&b);
	dump_stream(&b, b.len, &whole);
	dump_stream(&b, 1, &one);
	dump_stream(&b, 3, &three);
	ck_assert_uint_gt(whole.len, 100);
	ck_assert_uint_eq(whole.len, one.len);
	ck_assert(memcmp(whole.data, one.data, whole.len) == 0);
	ck_assert(memcmp(whole.data, three.data, whole.len) == 0);
	buf_free(&b);
	buf_free(&whole);
	buf_free(&one);
	buf_free(&three);
}
END_TEST

START_TEST(attributes_values_and_bytes)
{
	struct buf b = BUF_INIT;
	struct ros_decoder d;
	struct ros_reply r;
	struct ros_error err;
	const struct ros_word *v;

	sample_stream(&b);
	ros_decoder_init(&d, 0, 0);
	ros_decoder_feed(&d, b.data, b.len);

	ck_assert_int_eq(ros_decoder_next(&d, &r, &err), 1);
	ck_assert_int_eq(r.type, ROS_REPLY_RE);
	ck_assert(r.has_tag && r.tag_ok && r.tag == 7);
	ck_assert_uint_eq(r.nattrs, 3);         /* .tag is not an attribute */
	ck_assert(word_eq(ros_reply_get(&r, "name"), "alice"));
	ck_assert(word_eq(ros_reply_get(&r, "comment"), "a=b=c"));
	v = ros_reply_get(&r, "password");
	ck_assert_ptr_nonnull(v);
	ck_assert_uint_eq(v->len, 0);
	ck_assert_ptr_null(ros_reply_get(&r, "missing"));

	ck_assert_int_eq(ros_decoder_next(&d, &r, &err), 1);
	v = ros_reply_get(&r, "ch");
	ck_assert_ptr_nonnull(v);
	ck_assert_uint_eq(v->len, 6);
	ck_assert(memcmp(v->p, "x\0\xFF\xE9=\0", 6) == 0);

	ck_assert_int_eq(ros_decoder_next(&d, &r, &err), 1);
	ck_assert_int_eq(r.type, ROS_REPLY_TRAP);
	ck_assert_int_eq(ros_decoder_next(&d, &r, &err), 1);
	ck_assert_int_eq(r.type, ROS_REPLY_DONE);
	ck_assert_int_eq(ros_decoder_next(&d, &r, &err), 1);
	ck_assert_int_eq(r.type, ROS_REPLY_EMPTY);
	ck_assert_int_eq(ros_decoder_next(&d, &r, &err), 1);
	ck_assert_int_eq(ros_decoder_next(&d, &r, &err), 1);
	ck_assert_int_eq(r.type, ROS_REPLY_FATAL);
	ck_assert(!r.has_tag);
	ck_assert(word_eq(&r.reason, "session terminated on request"));
	ck_assert_int_eq(ros_decoder_next(&d, &r, &err), 0);
	ros_decoder_free(&d);
	buf_free(&b);
}
END_TEST

/* ---- results ---- */

/* Feed sentences in b to a result until it completes; returns the status
 * of the last ros_result_add. */
static int
result_from(struct ros_result *res, const struct buf *b)
{
	struct ros_decoder d;
	struct ros_reply r;
	struct ros_error err;
	int st = 0;

	ros_decoder_init(&d, 0, 0);
	ros_decoder_feed(&d, b->data, b->len);
	while (st == 0 && ros_decoder_next(&d, &r, &err) == 1)
		st = ros_result_add(res, &r, &err);
	ros_decoder_free(&d);
	return st;
}

START_TEST(trap_then_done)
{
	struct buf b = BUF_INIT;
	struct ros_result res;

	enc(&b, "!re", "=.id=*1", "=name=a", NULL);
	enc(&b, "!trap", "=message=first", NULL);
	enc(&b, "!trap", "=category=1", "=message=second", NULL);
	ros_result_init(&res);
	ck_assert_int_eq(result_from(&res, &b), 0);     /* traps alone: not done */
	ck_assert_int_eq(res.complete, 0);
	enc(&b, "!done", NULL);
	ros_result_free(&res);
	ros_result_init(&res);
	ck_assert_int_eq(result_from(&res, &b), 1);
	ck_assert_uint_eq(res.nitems, 1);
	ck_assert_uint_eq(res.ntraps, 2);
	ck_assert_int_eq(res.traps[0].category, -1);
	ck_assert_str_eq(res.traps[0].message.p, "first");
	ck_assert_int_eq(res.traps[1].category, 1);
	ck_assert_str_eq(res.traps[1].message.p, "second");
	ck_assert_str_eq(ros_item_str(&res.items[0], ".id"), "*1");
	ck_assert_int_eq(res.interrupted, 0);
	ros_result_free(&res);
	buf_free(&b);
}
END_TEST

START_TEST(fatal_empty_and_ret)
{
	struct buf b = BUF_INIT;
	struct ros_result res;

	enc(&b, "!fatal", "not logged in", NULL);
	ros_result_init(&res);
	ck_assert_int_eq(result_from(&res, &b), 1);
	ck_assert(res.fatal && res.complete);
	ck_assert_str_eq(res.fatal_reason.p, "not logged in");
	ros_result_free(&res);

	buf_reset(&b);
	enc(&b, "!empty", NULL);
	enc(&b, "!done", "=ret=*1F", NULL);
	ros_result_init(&res);
	ck_assert_int_eq(result_from(&res, &b), 1);
	ck_assert(res.empty);
	ck_assert_uint_eq(res.nitems, 0);
	ck_assert_str_eq(ros_result_ret(&res), "*1F");
	ros_result_free(&res);
	buf_free(&b);
}
END_TEST

START_TEST(result_size_cap)
{
	struct buf b = BUF_INIT;
	struct ros_result res;
	struct ros_decoder d;
	struct ros_reply r;
	struct ros_error err;
	int st = 0;

	for (int i = 0; i < 100; i++)
		enc(&b, "!re", "=name=0123456789012345678901234567890123456789", NULL);
	ros_result_init(&res);
	res.max_bytes = 2000;
	ros_decoder_init(&d, 0, 0);
	ros_decoder_feed(&d, b.data, b.len);
	while (st == 0 && ros_decoder_next(&d, &r, &err) == 1)
		st = ros_result_add(&res, &r, &err);
	ck_assert_int_eq(st, -1);
	ck_assert_int_eq(err.code, ROS_ETOOBIG);
	ros_decoder_free(&d);
	ros_result_free(&res);
	buf_free(&b);
}
END_TEST

START_TEST(item_getters)
{
	struct buf b = BUF_INIT;
	struct ros_result res;
	const struct ros_item *it;

	enc(&b, "!re", "=rx-byte=18446744073709551615", "=running=true", "=disabled=no",
	    "=mtu=x15", "=big=18446744073709551616", NULL);
	enc(&b, "!done", NULL);
	ros_result_init(&res);
	ck_assert_int_eq(result_from(&res, &b), 1);
	it = &res.items[0];
	ck_assert(ros_item_u64(it, "rx-byte", 0) == 18446744073709551615ULL);
	ck_assert(ros_item_u64(it, "mtu", 9) == 9);
	ck_assert(ros_item_u64(it, "big", 9) == 9);         /* 2^64: out of range */
	ck_assert(ros_item_u64(it, "none", 3) == 3);
	ck_assert_int_eq(ros_item_bool(it, "running", -1), 1);
	ck_assert_int_eq(ros_item_bool(it, "disabled", -1), 0);
	ck_assert_int_eq(ros_item_bool(it, "mtu", -1), -1);
	ros_result_free(&res);
	buf_free(&b);
}
END_TEST

/* ---- text helpers ---- */

START_TEST(utf8_and_json)
{
	struct buf b = BUF_INIT;
	yajl_gen g = yajl_gen_alloc(NULL);
	const unsigned char *out;
	size_t outlen;
	struct ros_attr a[2] = {
		{ { "name", 4 }, { "caf\xC3\xA9", 5 } },              /* UTF-8 é */
		{ { "comment", 7 }, { "caf\xE9\x00\xC0\xAF\xED\xA0\x80!", 11 } },
	};
	struct ros_item it = { a, 2 };

	ck_assert(ros_utf8_valid("caf\xC3\xA9", 5));
	ck_assert(!ros_utf8_valid("caf\xE9", 4));
	ck_assert(!ros_utf8_valid("\xC0\xAF", 2));            /* overlong */
	ck_assert(!ros_utf8_valid("\xED\xA0\x80", 3));        /* surrogate */
	ck_assert(!ros_utf8_valid("\xF4\x90\x80\x80", 4));    /* > U+10FFFF */
	ck_assert(!ros_utf8_valid("\xE2\x82", 2));            /* cut */
	ck_assert(ros_utf8_valid("\xF0\x9F\x98\x80", 4));

	ros_utf8_sanitize(&b, "caf\xE9", 4);
	ck_assert_uint_eq(b.len, 5);
	ck_assert(memcmp(b.data, "caf\xC3\xA9", 5) == 0);
	buf_reset(&b);
	ros_utf8_sanitize(&b, "\xC0\xAF" "ok\xF0\x9F\x98\x80", 8);
	ck_assert(memcmp(b.data, "\xC3\x80\xC2\xAF" "ok\xF0\x9F\x98\x80", 10) == 0);

	yajl_gen_config(g, yajl_gen_validate_utf8, 1);
	ros_json_item(g, &it);
	ck_assert_int_eq(yajl_gen_get_buf(g, &out, &outlen), yajl_gen_status_ok);
	ck_assert_str_eq((const char *)out,
	    "{\"name\":\"caf\xC3\xA9\",\"comment\":\"caf\xC3\xA9\\u0000\xC3\x80\xC2\xAF"
	    "\xC3\xAD\xC2\xA0\xC2\x80!\"}");
	yajl_gen_free(g);
	buf_free(&b);
}
END_TEST

START_TEST(durations)
{
	ck_assert_int_eq(ros_duration_us("45s"), 45000000LL);
	ck_assert_int_eq(ros_duration_us("1w2d3h4m5s"),
	    ((((7LL + 2) * 24 + 3) * 60 + 4) * 60 + 5) * 1000000LL);
	ck_assert_int_eq(ros_duration_us("00:10:00"), 600000000LL);
	ck_assert_int_eq(ros_duration_us("1d00:00:05"), 86405000000LL);
	ck_assert_int_eq(ros_duration_us("12ms"), 12000LL);
	ck_assert_int_eq(ros_duration_us("1s500ms"), 1500000LL);
	ck_assert_int_eq(ros_duration_us("12ms345us"), 12345LL);
	ck_assert_int_eq(ros_duration_us(""), -1);
	ck_assert_int_eq(ros_duration_us("5x"), -1);
	ck_assert_int_eq(ros_duration_us("1:2"), -1);
	ck_assert_int_eq(ros_duration_us("999999999999w"), -1);         /* overflow */
	ck_assert_int_eq(ros_duration_us("999999999w999999999w"), -1);
	ck_assert_int_eq(ros_duration_us("999999999999:00:00"), -1);
	ck_assert_int_eq(ros_duration_us("999999999999us"), 999999999999LL);
	ck_assert_int_eq(ros_duration_us("1234567890123s"), -1);        /* 13 digits */
}
END_TEST

START_TEST(md5_challenge_response)
{
	char out[35];

	/* python3: '00' + md5(b'\x00' + b'secret' + bytes.fromhex(ch)).hexdigest() */
	ck_assert_int_eq(ros_login_response("secret", "ebddd18c4b2e5ad7b3e7e0b5d1d6c6f5", out),
	    ROS_OK);
	ck_assert_str_eq(out, "007b40e87c750dba7844fab649c54f42e1");
	ck_assert_int_eq(ros_login_response("", "0123456789ABCDEF0123456789abcdef", out),
	    ROS_OK);
	ck_assert_str_eq(out, "00fcb4c16e4375c2590775f3dee281da6b");
	ck_assert_int_eq(ros_login_response("x", "abc", out), ROS_EINVAL);
	ck_assert_int_eq(ros_login_response("x", "zz", out), ROS_EINVAL);
}
END_TEST

START_TEST(error_format_and_builder)
{
	struct ros_error err;
	char text[128];
	struct arena a;
	struct ros_cmd cmd;

	ros_fail(&err, ROS_ETRAP, "invalid user name or password (6)");
	err.category = 5;
	ck_assert_str_eq(ros_error_format(&err, text, sizeof(text)),
	    "trap (category 5): invalid user name or password (6)");
	ros_fail(&err, ROS_ETIMEOUT, "no reply for 100 ms");
	ck_assert_str_eq(ros_error_format(&err, text, sizeof(text)),
	    "timeout: no reply for 100 ms");
	ck_assert_str_eq(ros_code_str(ROS_ELOGIN), "login");
	ck_assert_str_eq(ros_code_str((enum ros_code)999), "unknown");

	arena_init(&a);
	ros_cmd_init(&cmd, &a, "/ip/hotspot/user/print");
	ros_cmd_query_has(&cmd, "comment", 1);
	ros_cmd_query_has(&cmd, "disabled", 0);
	ros_cmd_query(&cmd, '=', "profile", "gold");
	ros_cmd_query(&cmd, '<', "uptime", "1h");
	ros_cmd_query(&cmd, '>', "bytes-in", "0");
	ros_cmd_query_op(&cmd, "|");
	ros_cmd_query_op(&cmd, "&!");
	ros_cmd_proplist(&cmd, ".id,name");
	ros_cmd_attr(&cmd, "skipped", NULL);
	ros_cmd_attr(&cmd, "comment", "a=b");
	ck_assert_uint_eq(cmd.n, 10);
	ck_assert(word_eq(&cmd.w[1], "?comment"));
	ck_assert(word_eq(&cmd.w[2], "?-disabled"));
	ck_assert(word_eq(&cmd.w[3], "?profile=gold"));
	ck_assert(word_eq(&cmd.w[4], "?<uptime=1h"));
	ck_assert(word_eq(&cmd.w[5], "?>bytes-in=0"));
	ck_assert(word_eq(&cmd.w[6], "?#|"));
	ck_assert(word_eq(&cmd.w[7], "?#&!"));
	ck_assert(word_eq(&cmd.w[8], ".proplist=.id,name"));
	ck_assert(word_eq(&cmd.w[9], "=comment=a=b"));
	for (int i = 0; i < ROS_CMD_MAX; i++)
		ros_cmd_word(&cmd, "?x");
	ck_assert(cmd.overflow);
	arena_free(&a);
}
END_TEST

/* ---- sessions against a scripted peer ---- */

struct peer;
/* Called with each sentence the client sends; answers with peer_say. */
typedef void (*peer_fn)(struct peer *p, const struct ros_reply *cmd);

struct peer {
	int fd;
	peer_fn fn;
	pthread_t th;
	int state;                  /* for the script */
	char tag[32];               /* ".tag=N" of the command being answered */
	char saved_tag[32];         /* a streaming command's tag */
	struct arena a;             /* for words the script formats */
	SSL *ssl;                   /* a TLS peer: talk through it */
};

/* Write a sentence; words NULL-terminated; "T" stands for the current
 * tag word, "S" for the saved one. */
static void
peer_say(struct peer *p, ...)
{
	struct buf b = BUF_INIT;
	struct ros_word w[32];
	size_t n = 0;
	const char *s;
	va_list ap;

	va_start(ap, p);
	while ((s = va_arg(ap, const char *)) != NULL) {
		if (strcmp(s, "T") == 0)
			s = p->tag;
		else if (strcmp(s, "S") == 0)
			s = p->saved_tag;
		w[n++] = W(s);
	}
	va_end(ap);
	ros_sentence_encode(&b, w, n);
	if (p->ssl)
		ck_assert_int_eq(SSL_write(p->ssl, b.data, (int)b.len), (int)b.len);
	else
		ck_assert_int_eq(write(p->fd, b.data, b.len), (ssize_t)b.len);
	buf_free(&b);
}

/* A trap with the given =message= word, and the !done that follows it. */
static void
peer_trap(struct peer *p, const char *message)
{
	peer_say(p, "!trap", message, "T", NULL);
	peer_say(p, "!done", "T", NULL);
}

static void *
peer_main(void *arg)
{
	struct peer *p = arg;
	struct ros_decoder d;
	struct ros_reply r;
	struct ros_error err;
	char chunk[4096];
	ssize_t n;

	ros_decoder_init(&d, 0, 0);
	while ((n = p->ssl ? SSL_read(p->ssl, chunk, sizeof(chunk))
	    : read(p->fd, chunk, sizeof(chunk))) > 0) {
		ros_decoder_feed(&d, chunk, (size_t)n);
		while (ros_decoder_next(&d, &r, &err) == 1) {
			snprintf(p->tag, sizeof(p->tag), ".tag=%lu", r.tag);
			p->fn(p, &r);
		}
	}
	ros_decoder_free(&d);
	return NULL;
}

static struct ros_opts test_opts = {
	.read_timeout_ms = 2000, .call_timeout_ms = 4000,
};

static struct ros_conn *
peer_start_with(struct peer *p, peer_fn fn, const struct ros_opts *o)
{
	int sv[2];

	memset(p, 0, sizeof(*p));
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	p->fd = sv[1];
	p->fn = fn;
	arena_init(&p->a);
	pthread_create(&p->th, NULL, peer_main, p);
	return ros_conn_adopt(sv[0], o);
}

static struct ros_conn *
peer_start(struct peer *p, peer_fn fn)
{
	return peer_start_with(p, fn, &test_opts);
}

static void
peer_stop(struct peer *p, struct ros_conn *c)
{
	ros_close(c);               /* the peer's read sees EOF */
	pthread_join(p->th, NULL);
	close(p->fd);
	arena_free(&p->a);
}

static long long
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int
is_cmd(const struct ros_reply *r, const char *path)
{
	return r->nwords && word_eq(&r->words[0], path);
}

static const char *
arg(const struct ros_reply *r, const char *key)
{
	const struct ros_word *v = ros_reply_get(r, key);

	return v ? v->p : "";
}

/* A router of each age: post-6.43, pre-6.43 (challenge), refusing. */
static void
peer_login(struct peer *p, const struct ros_reply *r)
{
	char want[35];

	if (!is_cmd(r, "/login")) {
		peer_say(p, "!re", "=name=gw-1", "T", NULL);
		peer_say(p, "!done", "T", NULL);
		return;
	}
	switch (p->state) {
	case 0:                         /* 6.43+: name and password in one go */
		if (strcmp(arg(r, "name"), "admin") == 0 && strcmp(arg(r, "password"), "pw") == 0)
			peer_say(p, "!done", "T", NULL);
		else
			goto refuse;
		break;
	case 1:                         /* before 6.43: challenge first */
		if (ros_reply_get(r, "response") == NULL) {
			peer_say(p, "!done", "=ret=ebddd18c4b2e5ad7b3e7e0b5d1d6c6f5", "T", NULL);
			break;
		}
		ros_login_response("secret", "ebddd18c4b2e5ad7b3e7e0b5d1d6c6f5", want);
		if (strcmp(arg(r, "response"), want) == 0 && strcmp(arg(r, "name"), "admin") == 0) {
			peer_say(p, "!done", "T", NULL);
		} else {
			peer_trap(p, "=message=cannot log in");
		}
		break;
	default:
	refuse:
		peer_say(p, "!trap", "=category=5",
		    "=message=invalid user name or password (6)", "T", NULL);
		peer_say(p, "!done", "T", NULL);
	}
}

START_TEST(login_post_643)
{
	struct peer p;
	struct ros_conn *c = peer_start(&p, peer_login);
	struct ros_error err;
	char name[32];

	ck_assert_int_eq(ros_login(c, "admin", "pw", &err), ROS_OK);
	ck_assert_int_eq(ros_system_identity(c, name, sizeof(name), &err), ROS_OK);
	ck_assert_str_eq(name, "gw-1");
	ck_assert_uint_eq(ros_in_flight(c), 0);
	peer_stop(&p, c);
}
END_TEST

START_TEST(login_legacy_challenge)
{
	struct peer p;
	struct ros_conn *c = peer_start(&p, peer_login);
	struct ros_error err;

	p.state = 1;
	ck_assert_int_eq(ros_login(c, "admin", "secret", &err), ROS_OK);
	ck_assert_int_eq(ros_login(c, "admin", "wrong", &err), ROS_ELOGIN);
	ck_assert_str_eq(err.message, "cannot log in");
	peer_stop(&p, c);
}
END_TEST

START_TEST(login_refused)
{
	struct peer p;
	struct ros_conn *c = peer_start(&p, peer_login);
	struct ros_error err;
	char text[128];

	ck_assert_int_eq(ros_login(c, "admin", "bad", &err), ROS_ELOGIN);
	ck_assert_str_eq(err.message, "invalid user name or password (6)");
	ck_assert_int_eq(err.category, 5);
	ros_error_format(&err, text, sizeof(text));
	ck_assert_str_eq(text, "login (category 5): invalid user name or password (6)");
	peer_stop(&p, c);
}
END_TEST

static void
peer_silent(struct peer *p, const struct ros_reply *r)
{
	(void)p; (void)r;
}

START_TEST(silent_router_times_out)
{
	struct peer p;
	struct ros_opts o = { .read_timeout_ms = 300, .call_timeout_ms = 5000 };
	struct ros_conn *c = peer_start_with(&p, peer_silent, &o);
	struct ros_result res;
	struct ros_error err;
	const char *cmd[] = { "/system/identity/print" };
	long long t0 = mono_ms();

	ck_assert_int_eq(ros_command(c, cmd, 1, &res, &err), ROS_ETIMEOUT);
	ck_assert_int_le(mono_ms() - t0, 1500);
	ck_assert_int_ge(mono_ms() - t0, 250);
	ck_assert_ptr_nonnull(strstr(err.message, "300 ms"));
	ck_assert_uint_eq(ros_in_flight(c), 0);         /* abandoned */
	ros_result_free(&res);
	peer_stop(&p, c);

	/* a total deadline shorter than the read timeout wins */
	o.read_timeout_ms = 5000;
	o.call_timeout_ms = 200;
	c = peer_start_with(&p, peer_silent, &o);
	t0 = mono_ms();
	ck_assert_int_eq(ros_command(c, cmd, 1, &res, &err), ROS_ETIMEOUT);
	ck_assert_int_le(mono_ms() - t0, 1000);
	ck_assert_ptr_nonnull(strstr(err.message, "200 ms"));
	ros_result_free(&res);
	peer_stop(&p, c);
}
END_TEST

/* Streams monitor-traffic under its tag until /cancel; answers prints
 * with !empty (7.18+) and other commands with a trap. */
static void
peer_streams(struct peer *p, const struct ros_reply *r)
{
	if (is_cmd(r, "/interface/monitor-traffic")) {
		snprintf(p->saved_tag, sizeof(p->saved_tag), "%s", p->tag);
		peer_say(p, "!re", "=name=ether1", "=rx-bits-per-second=1000",
		    "=tx-bits-per-second=2000", "S", NULL);
	} else if (is_cmd(r, "/ppp/active/print")) {
		/* the stream's next sample arrives between this command's replies */
		peer_say(p, "!empty", "T", NULL);
		peer_say(p, "!re", "=name=ether1", "=rx-bits-per-second=3000", "S", NULL);
		peer_say(p, "!done", "T", NULL);
	} else if (is_cmd(r, "/cancel")) {
		ck_assert_str_eq(arg(r, "tag"), p->saved_tag + 5);
		peer_say(p, "!trap", "=category=2", "=message=interrupted", "S", NULL);
		peer_say(p, "!done", "S", NULL);
		peer_say(p, "!done", "T", NULL);
	} else if (is_cmd(r, "/quit")) {
		peer_say(p, "!fatal", "session terminated on request", NULL);
	} else if (is_cmd(r, "/bye")) {       /* answer, then hang up */
		peer_say(p, "!re", "=last=words", "T", NULL);
		peer_say(p, "!done", "T", NULL);
		shutdown(p->fd, SHUT_WR);
	} else {
		peer_trap(p, "=message=no such command");
	}
}

START_TEST(tags_demux_and_cancel)
{
	struct peer p;
	struct ros_conn *c = peer_start(&p, peer_streams);
	struct ros_result res;
	struct ros_error err;
	struct ros_reply r;
	struct ros_traffic t;
	const char *print[] = { "/ppp/active/print" };
	const char *bad[] = { "/nope" };
	const char *quit[] = { "/quit" };
	unsigned long tag;

	ck_assert_int_eq(ros_monitor_traffic_start(c, "ether1", &tag, &err), ROS_OK);
	ck_assert_uint_eq(ros_in_flight(c), 1);

	/* a blocking command in between: its !empty, the stream kept aside */
	ck_assert_int_eq(ros_command(c, print, 1, &res, &err), ROS_OK);
	ck_assert(res.empty);
	ck_assert_uint_eq(res.nitems, 0);
	ros_result_free(&res);

	/* the stream's samples, in order: first the one kept, then the other */
	ck_assert_int_eq(ros_read_reply(c, &r, 1000, &err), ROS_OK);
	ck_assert(r.tag_ok && r.tag == tag);
	ros_traffic_from_reply(&r, &t);
	ck_assert(t.rx_bps == 1000 && t.tx_bps == 2000);
	ck_assert_int_eq(ros_read_reply(c, &r, 1000, &err), ROS_OK);
	ros_traffic_from_reply(&r, &t);
	ck_assert(t.rx_bps == 3000);

	/* a trap on another command */
	ck_assert_int_eq(ros_command(c, bad, 1, &res, &err), ROS_ETRAP);
	ck_assert_str_eq(err.message, "no such command");
	ck_assert_int_eq(err.category, -1);
	ros_result_free(&res);

	/* cancel: the stream ends with trap "interrupted" (category 2) + !done */
	ck_assert_int_eq(ros_cancel(c, tag, &err), ROS_OK);
	ck_assert_int_eq(ros_collect(c, tag, &res, &err), ROS_OK);
	ck_assert(res.interrupted && res.complete);
	ck_assert_uint_eq(res.ntraps, 1);
	ck_assert_int_eq(res.traps[0].category, 2);
	ros_result_free(&res);
	ck_assert_uint_eq(ros_in_flight(c), 0);

	/* !fatal: the session is over */
	ck_assert_int_eq(ros_command(c, quit, 1, &res, &err), ROS_EFATAL);
	ck_assert_str_eq(err.message, "session terminated on request");
	ros_result_free(&res);
	ck_assert_int_ne(ros_command(c, print, 1, &res, &err), ROS_OK);
	ros_result_free(&res);
	peer_stop(&p, c);
}
END_TEST

START_TEST(event_loop_face)
{
	struct peer p;
	struct ros_conn *c = peer_start(&p, peer_streams);
	struct ros_error err;
	struct ros_reply r;
	struct ros_word mon[3] = { W("/interface/monitor-traffic"), W("=interface=ether1") };
	unsigned long tag;
	int samples = 0, done = 0;

	ck_assert_int_eq(ros_queue(c, mon, 2, &tag, &err), ROS_OK);
	for (int spins = 0; spins < 200 && !done; spins++) {
		struct pollfd pfd = { .fd = ros_fd(c) };
		int got;

		ck_assert_int_eq(ros_io(c, &pfd.events, &err), ROS_OK);
		while ((got = ros_next_reply(c, &r, &err)) == 1) {
			if (r.type == ROS_REPLY_RE) {
				samples++;
				ck_assert_int_eq(ros_cancel(c, tag, &err), ROS_OK);
			} else if (r.type == ROS_REPLY_DONE) {
				done = 1;
			}
		}
		ck_assert_int_eq(got, 0);
		if (!done)
			poll(&pfd, 1, 100);
	}
	ck_assert_int_eq(samples, 1);
	ck_assert(done);
	ck_assert_uint_eq(ros_in_flight(c), 0);
	peer_stop(&p, c);
}
END_TEST

/* A hotspot user table and two active sessions of "bob". */
struct entry {
	char id[8], name[32], password[32];
	int disabled, used;
};
static struct entry table[8];
static int next_id = 1, kicked;

static struct entry *
entry_by_id(const char *id)
{
	for (int i = 0; i < 8; i++)
		if (table[i].used && strcmp(table[i].id, id) == 0)
			return &table[i];
	return NULL;
}

static void
peer_table(struct peer *p, const struct ros_reply *r)
{
	const struct ros_word *q = r->nwords > 1 ? &r->words[1] : NULL;
	char ids[64], *save = NULL, *id;

	if (is_cmd(r, "/ip/hotspot/user/print")) {
		for (int i = 0; i < 8; i++) {
			char qname[64];

			snprintf(qname, sizeof(qname), "?name=%s", table[i].name);
			if (!table[i].used)
				continue;
			for (size_t k = 1; k < r->nwords; k++)
				if (r->words[k].p[0] == '?' && strcmp(r->words[k].p, qname) == 0)
					peer_say(p, "!re", arena_printf(&p->a, "=.id=%s", table[i].id),
					    arena_printf(&p->a, "=name=%s", table[i].name), "T", NULL);
		}
		peer_say(p, "!done", "T", NULL);
	} else if (is_cmd(r, "/ip/hotspot/user/add")) {
		struct entry *e = &table[next_id % 8];

		memset(e, 0, sizeof(*e));
		e->used = 1;
		snprintf(e->id, sizeof(e->id), "*%X", next_id++);
		snprintf(e->name, sizeof(e->name), "%s", arg(r, "name"));
		snprintf(e->password, sizeof(e->password), "%s", arg(r, "password"));
		peer_say(p, "!done", arena_printf(&p->a, "=ret=%s", e->id), "T", NULL);
	} else if (is_cmd(r, "/ip/hotspot/user/set") || is_cmd(r, "/ip/hotspot/user/remove") ||
	    is_cmd(r, "/ip/hotspot/user/disable")) {
		snprintf(ids, sizeof(ids), "%s", arg(r, ".id"));
		for (id = strtok_r(ids, ",", &save); id; id = strtok_r(NULL, ",", &save)) {
			struct entry *e = entry_by_id(id);

			if (e == NULL) {
				peer_say(p, "!trap", "=message=no such item", "T", NULL);
				break;
			}
			if (r->words[0].p[17] == 's')
				snprintf(e->password, sizeof(e->password), "%s", arg(r, "password"));
			else if (r->words[0].p[17] == 'd')
				e->disabled = 1;
			else
				e->used = 0;
		}
		peer_say(p, "!done", "T", NULL);
	} else if (is_cmd(r, "/ip/hotspot/active/print")) {
		if (q && strcmp(arg(r, ".proplist"), ".id") == 0 &&
		    r->nwords > 2 && strcmp(r->words[2].p, "?user=bob") == 0) {
			peer_say(p, "!re", "=.id=*A1", "T", NULL);
			peer_say(p, "!re", "=.id=*A2", "T", NULL);
		}
		peer_say(p, "!done", "T", NULL);
	} else if (is_cmd(r, "/ip/hotspot/active/remove")) {
		kicked = strcmp(arg(r, ".id"), "*A1,*A2") == 0 ? 2 : -1;
		peer_say(p, "!done", "T", NULL);
	} else {
		peer_trap(p, "=message=no such command prefix");
	}
}

START_TEST(provisioning_by_name)
{
	struct peer p;
	struct ros_conn *c = peer_start(&p, peer_table);
	struct ros_error err;
	struct ros_result res;
	struct ros_hotspot_user u = { .name = "alice", .password = "one", .profile = "gold",
		.limit_uptime = "1d", .mac_address = "AA:BB:CC:DD:EE:FF", .disabled = -1 };
	int created = -1, absent = -1;
	size_t n = 0;

	ck_assert_int_eq(ros_hotspot_user_upsert(c, &u, &created, &err), ROS_OK);
	ck_assert_int_eq(created, 1);
	ck_assert_str_eq(table[1].password, "one");
	u.password = "two";
	ck_assert_int_eq(ros_hotspot_user_upsert(c, &u, &created, &err), ROS_OK);
	ck_assert_int_eq(created, 0);
	ck_assert_str_eq(table[1].password, "two");

	ck_assert_int_eq(ros_hotspot_user_get(c, "alice", &res, &err), ROS_OK);
	ck_assert_uint_eq(res.nitems, 1);
	ck_assert_str_eq(ros_item_str(&res.items[0], ".id"), "*1");
	ros_result_free(&res);

	ck_assert_int_eq(ros_set_disabled_by_name(c, ROS_M_HOTSPOT_USER, "alice", 1, &err),
	    ROS_OK);
	ck_assert_int_eq(table[1].disabled, 1);
	ck_assert_int_eq(ros_remove_by_name(c, ROS_M_HOTSPOT_USER, "alice", &absent, &err),
	    ROS_OK);
	ck_assert_int_eq(absent, 0);
	ck_assert_int_eq(ros_remove_by_name(c, ROS_M_HOTSPOT_USER, "alice", &absent, &err),
	    ROS_OK);
	ck_assert_int_eq(absent, 1);
	ck_assert_int_eq(ros_set_disabled_by_name(c, ROS_M_HOTSPOT_USER, "alice", 1, &err),
	    ROS_ENOTFOUND);
	ck_assert_int_eq(ros_set(c, ROS_M_HOTSPOT_USER, "*77", NULL, 0, &err), ROS_ETRAP);
	ck_assert_str_eq(err.message, "no such item");

	ck_assert_int_eq(ros_hotspot_kick(c, "bob", &n, &err), ROS_OK);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(kicked, 2);
	ck_assert_int_eq(ros_hotspot_kick(c, "carol", &n, &err), ROS_OK);
	ck_assert_uint_eq(n, 0);
	peer_stop(&p, c);
}
END_TEST

/* The read-only menus, as RouterOS 7 answers them. */
static void
peer_menus(struct peer *p, const struct ros_reply *r)
{
	if (is_cmd(r, "/system/resource/print")) {
		peer_say(p, "!re", "=uptime=1w2d03:04:05", "=version=7.14.3 (stable)",
		    "=cpu-load=7", "=cpu-count=4", "=free-memory=123456789",
		    "=total-memory=268435456", "=board-name=RB5009UG+S+",
		    "=architecture-name=arm64", "=cpu=ARM64", "T", NULL);
		peer_say(p, "!done", "T", NULL);
	} else if (is_cmd(r, "/interface/monitor-traffic")) {
		ck_assert_ptr_nonnull(ros_reply_get(r, "once"));
		peer_say(p, "!re", "=name=ether1", "=rx-packets-per-second=10",
		    "=rx-bits-per-second=81920", "=tx-packets-per-second=5",
		    "=tx-bits-per-second=40960", "T", NULL);
		peer_say(p, "!done", "T", NULL);
	} else if (is_cmd(r, "/ping")) {
		ck_assert_str_eq(arg(r, "count"), "2");
		peer_say(p, "!re", "=seq=0", "=host=10.0.0.1", "=time=12ms345us", "=sent=1",
		    "=received=1", "=packet-loss=0", "=min-rtt=12ms345us",
		    "=avg-rtt=12ms345us", "=max-rtt=12ms345us", "T", NULL);
		peer_say(p, "!re", "=seq=1", "=host=10.0.0.1", "=status=timeout", "=sent=2",
		    "=received=1", "=packet-loss=50", "=min-rtt=12ms345us",
		    "=avg-rtt=12ms345us", "=max-rtt=12ms345us", "T", NULL);
		peer_say(p, "!done", "T", NULL);
	} else if (is_cmd(r, "/interface/print")) {
		ck_assert_ptr_nonnull(strstr(arg(r, ".proplist"), "rx-byte"));
		peer_say(p, "!re", "=.id=*1", "=name=ether1", "=type=ether", "=running=true",
		    "=rx-byte=123456789012", "=tx-byte=42", "T", NULL);
		peer_say(p, "!done", "T", NULL);
	} else {
		peer_trap(p, "=message=no such command");
	}
}

START_TEST(read_only_menus)
{
	struct peer p;
	struct ros_conn *c = peer_start(&p, peer_menus);
	struct ros_error err;
	struct ros_result res;
	struct ros_resource rs;
	struct ros_traffic t;
	struct ros_ping pg;

	ck_assert_int_eq(ros_system_resource(c, &rs, &err), ROS_OK);
	ck_assert_str_eq(rs.version, "7.14.3 (stable)");
	ck_assert_str_eq(rs.board_name, "RB5009UG+S+");
	ck_assert_int_eq(rs.cpu_load, 7);
	ck_assert_int_eq(rs.cpu_count, 4);
	ck_assert(rs.free_memory == 123456789ULL && rs.total_memory == 268435456ULL);
	ck_assert_int_eq(rs.uptime_ms, ((9LL * 24 + 3) * 3600 + 4 * 60 + 5) * 1000);

	ck_assert_int_eq(ros_monitor_traffic_once(c, "ether1", &t, &err), ROS_OK);
	ck_assert(t.rx_bps == 81920 && t.tx_bps == 40960 && t.rx_pps == 10 && t.tx_pps == 5);

	ck_assert_int_eq(ros_ping(c, "10.0.0.1", 2, &pg, &err), ROS_OK);
	ck_assert_int_eq(pg.sent, 2);
	ck_assert_int_eq(pg.received, 1);
	ck_assert_int_eq(pg.packet_loss, 50);
	ck_assert_int_eq(pg.avg_rtt_us, 12345);
	ck_assert_int_eq(ros_ping(c, "10.0.0.1", 0, &pg, &err), ROS_EINVAL);

	ck_assert_int_eq(ros_interface_print(c, &res, &err), ROS_OK);
	ck_assert_uint_eq(res.nitems, 1);
	ck_assert(ros_item_u64(&res.items[0], "rx-byte", 0) == 123456789012ULL);
	ck_assert_int_eq(ros_item_bool(&res.items[0], "running", 0), 1);
	ros_result_free(&res);
	peer_stop(&p, c);
}
END_TEST

START_TEST(replies_before_a_close_are_kept)
{
	struct peer p;
	struct ros_conn *c = peer_start(&p, peer_streams);
	struct ros_error err;
	struct ros_reply r;
	struct ros_word bye[1] = { W("/bye") };
	unsigned long tag;
	short ev;
	int rc = ROS_OK;

	ck_assert_int_eq(ros_queue(c, bye, 1, &tag, &err), ROS_OK);
	for (int i = 0; i < 100 && rc == ROS_OK; i++) {
		struct pollfd pfd = { .fd = ros_fd(c), .events = POLLIN };

		rc = ros_io(c, &ev, &err);
		if (rc == ROS_OK)
			poll(&pfd, 1, 50);
	}
	ck_assert_int_eq(rc, ROS_ECLOSED);
	ck_assert_int_eq(ros_next_reply(c, &r, &err), 1);
	ck_assert(word_eq(ros_reply_get(&r, "last"), "words"));
	ck_assert_int_eq(ros_next_reply(c, &r, &err), 1);
	ck_assert_int_eq(r.type, ROS_REPLY_DONE);
	ck_assert_int_eq(ros_next_reply(c, &r, &err), -1);
	ck_assert_int_eq(err.code, ROS_ECLOSED);
	peer_stop(&p, c);
}
END_TEST

START_TEST(large_command_written_in_parts)
{
	struct peer p;
	struct ros_conn *c = peer_start(&p, peer_streams);
	struct ros_result res;
	struct ros_error err;
	size_t n = 3u << 20;
	char *big = malloc(n + 1);
	struct ros_word w[2] = { W("/big"), { big, n } };

	memset(big, 'x', n);
	memcpy(big, "=comment=", 9);
	big[n] = '\0';
	/* more than a socket buffer: written in parts as the peer reads */
	ck_assert_int_eq(ros_command_words(c, w, 2, &res, &err), ROS_ETRAP);
	ck_assert_str_eq(err.message, "no such command");
	ros_result_free(&res);
	free(big);
	peer_stop(&p, c);
}
END_TEST

START_TEST(peer_closes)
{
	struct peer p;
	struct ros_conn *c = peer_start(&p, peer_silent);
	struct ros_result res;
	struct ros_error err;
	const char *cmd[] = { "/system/resource/print" };

	shutdown(p.fd, SHUT_RDWR);
	ck_assert_int_eq(ros_command(c, cmd, 1, &res, &err), ROS_ECLOSED);
	ros_result_free(&res);
	peer_stop(&p, c);
}
END_TEST

/* ---- api-ssl against an in-test OpenSSL server ---- */

struct tls_peer {
	struct peer p;
	int lfd;
	unsigned short port;
	SSL_CTX *ctx;
	pthread_t th;
};

/* A self-signed P-256 certificate for "localhost", its PEM in cafile. */
static void
make_cert(SSL_CTX *ctx, char *cafile)
{
	EVP_PKEY *key = EVP_EC_gen("P-256");
	X509 *x = X509_new();
	X509_NAME *name = X509_get_subject_name(x);
	X509_EXTENSION *san;
	X509V3_CTX v3;
	int fd;
	FILE *fp;

	ck_assert_ptr_nonnull(key);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
	X509_gmtime_adj(X509_getm_notBefore(x), -60);
	X509_gmtime_adj(X509_getm_notAfter(x), 3600);
	X509_set_pubkey(x, key);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"localhost",
	    -1, -1, 0);
	X509_set_issuer_name(x, name);
	X509V3_set_ctx(&v3, x, x, NULL, NULL, 0);
	san = X509V3_EXT_conf_nid(NULL, &v3, NID_subject_alt_name, "DNS:localhost");
	X509_add_ext(x, san, -1);
	X509_EXTENSION_free(san);
	ck_assert_int_gt(X509_sign(x, key, EVP_sha256()), 0);
	ck_assert_int_eq(SSL_CTX_use_certificate(ctx, x), 1);
	ck_assert_int_eq(SSL_CTX_use_PrivateKey(ctx, key), 1);
	strcpy(cafile, "/tmp/ispbill-ros-ca-XXXXXX");
	fd = mkstemp(cafile);
	fp = fdopen(fd, "w");
	PEM_write_X509(fp, x);
	fclose(fp);
	X509_free(x);
	EVP_PKEY_free(key);
}

static void *
tls_main(void *arg)
{
	struct tls_peer *t = arg;
	int fd = accept(t->lfd, NULL, NULL);

	if (fd < 0)
		return NULL;
	t->p.fd = fd;
	t->p.ssl = SSL_new(t->ctx);
	SSL_set_fd(t->p.ssl, fd);
	if (SSL_accept(t->p.ssl) == 1)
		peer_main(&t->p);
	SSL_free(t->p.ssl);
	close(fd);
	return NULL;
}

/* Listen on 127.0.0.1 and serve one TLS client with fn: anonymous DH
 * (cafile NULL) or a certificate for localhost (its PEM into cafile). */
static void
tls_start(struct tls_peer *t, peer_fn fn, char *cafile)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t sl = sizeof(sa);

	memset(t, 0, sizeof(*t));
	t->p.fn = fn;
	arena_init(&t->p.a);
	t->ctx = SSL_CTX_new(TLS_server_method());
	if (cafile == NULL) {           /* a RouterOS with no certificate */
		SSL_CTX_set_security_level(t->ctx, 0);
		SSL_CTX_set_max_proto_version(t->ctx, TLS1_2_VERSION);
		ck_assert_int_eq(SSL_CTX_set_cipher_list(t->ctx,
		    "ADH-AES256-GCM-SHA384:ADH-AES128-SHA:@SECLEVEL=0"), 1);
		SSL_CTX_set_dh_auto(t->ctx, 1);
	} else {
		make_cert(t->ctx, cafile);
	}
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	t->lfd = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_int_eq(bind(t->lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(listen(t->lfd, 1), 0);
	getsockname(t->lfd, (struct sockaddr *)&sa, &sl);
	t->port = ntohs(sa.sin_port);
	pthread_create(&t->th, NULL, tls_main, t);
}

static void
tls_stop(struct tls_peer *t, struct ros_conn *c)
{
	ros_close(c);
	shutdown(t->lfd, SHUT_RDWR);    /* an accept still waiting returns */
	pthread_join(t->th, NULL);
	close(t->lfd);
	SSL_CTX_free(t->ctx);
	arena_free(&t->p.a);
}

START_TEST(tls_anonymous_dh)
{
	struct tls_peer t;
	struct ros_opts o = { .host = "127.0.0.1", .tls = ROS_TLS_ANON, .user = "admin",
		.password = "pw", .connect_timeout_ms = 3000, .read_timeout_ms = 3000 };
	struct ros_error err;
	struct ros_conn *c;
	char name[32];

	tls_start(&t, peer_login, NULL);
	o.port = t.port;
	c = ros_connect(&o, &err);
	ck_assert_msg(c != NULL, "connect: %s", err.message);
	ck_assert_int_eq(ros_system_identity(c, name, sizeof(name), &err), ROS_OK);
	ck_assert_str_eq(name, "gw-1");
	tls_stop(&t, c);
}
END_TEST

START_TEST(tls_verified_certificate)
{
	struct tls_peer t;
	char cafile[64];
	struct ros_opts o = { .host = "localhost", .tls = ROS_TLS_VERIFY, .user = "admin",
		.password = "pw", .verify_hostname = 1, .connect_timeout_ms = 3000 };
	struct ros_error err;
	struct ros_conn *c;

	tls_start(&t, peer_login, cafile);
	o.port = t.port;
	o.ca_file = cafile;
	c = ros_connect(&o, &err);
	ck_assert_msg(c != NULL, "connect: %s", err.message);
	tls_stop(&t, c);
	unlink(cafile);
}
END_TEST

/* Connect to a fresh TLS peer (with a certificate when cert) with o: the
 * connection must fail with want; the message must hold text if given. */
static void
tls_refused(struct ros_opts *o, int cert, int use_ca, enum ros_code want, const char *text)
{
	struct tls_peer t;
	char cafile[64];
	struct ros_error err;

	tls_start(&t, peer_login, cert ? cafile : NULL);
	o->port = t.port;
	o->ca_file = cert && use_ca ? cafile : NULL;
	ck_assert_ptr_null(ros_connect(o, &err));
	ck_assert_int_eq(err.code, want);
	if (text)
		ck_assert_msg(strstr(err.message, text) != NULL, "%s", err.message);
	tls_stop(&t, NULL);
	if (cert)
		unlink(cafile);
}

START_TEST(tls_refusals)
{
	struct ros_opts o = { .host = "127.0.0.1", .tls = ROS_TLS_VERIFY, .user = "admin",
		.password = "pw", .verify_hostname = 1, .connect_timeout_ms = 3000 };

	/* the name does not match the certificate's */
	tls_refused(&o, 1, 1, ROS_ETLS, "address mismatch");
	/* a certificate no trusted CA signed */
	o.verify_hostname = 0;
	tls_refused(&o, 1, 0, ROS_ETLS, "certificate");
	/* a client that offers only anonymous DH to a router with a certificate */
	o.tls = ROS_TLS_ANON;
	tls_refused(&o, 1, 0, ROS_ETLS, NULL);
	/* a wrong password over TLS is still a login error */
	o.password = "bad";
	tls_refused(&o, 0, 0, ROS_ELOGIN, "invalid user name");
}
END_TEST

/* A listener that never accepts: with a backlog of 0 and a few pending
 * connections, a further SYN is dropped (connect hangs); the first
 * pending connection is established but no one ever speaks TLS on it. */
START_TEST(connect_and_handshake_timeouts)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t sl = sizeof(sa);
	int lfd = socket(AF_INET, SOCK_STREAM, 0), fds[4];
	struct ros_opts o = { .host = "127.0.0.1", .tls = ROS_TLS_ANON,
		.connect_timeout_ms = 300 };
	struct ros_error err;
	long long t0;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(listen(lfd, 0), 0);
	getsockname(lfd, (struct sockaddr *)&sa, &sl);
	o.port = ntohs(sa.sin_port);

	/* the backlog's one place is free: TCP connects, TLS never answers */
	t0 = mono_ms();
	ck_assert_ptr_null(ros_connect(&o, &err));
	ck_assert_int_eq(err.code, ROS_ETIMEOUT);
	ck_assert_msg(strstr(err.message, "TLS") != NULL, "%s", err.message);
	ck_assert_int_le(mono_ms() - t0, 1500);

	/* fill the backlog: the next connect is never answered */
	for (int i = 0; i < 4; i++) {
		fds[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
		connect(fds[i], (struct sockaddr *)&sa, sizeof(sa));
	}
	usleep(50000);
	o.tls = ROS_TLS_NONE;
	t0 = mono_ms();
	ck_assert_ptr_null(ros_connect(&o, &err));
	ck_assert_int_eq(err.code, ROS_ETIMEOUT);
	ck_assert_msg(strstr(err.message, "timed out") != NULL, "%s", err.message);
	ck_assert_int_le(mono_ms() - t0, 1500);
	for (int i = 0; i < 4; i++)
		close(fds[i]);
	close(lfd);
}
END_TEST

START_TEST(connect_refused_and_bad_host)
{
	struct ros_opts o = { .host = "127.0.0.1", .port = 1, .connect_timeout_ms = 1000 };
	struct ros_error err;

	ck_assert_ptr_null(ros_connect(&o, &err));
	ck_assert_int_eq(err.code, ROS_ECONNECT);
	o.host = "";
	ck_assert_ptr_null(ros_connect(&o, &err));
	ck_assert_int_eq(err.code, ROS_EINVAL);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("routeros");
	TCase *codec = tcase_create("codec");
	TCase *sess = tcase_create("session");

	tcase_add_test(codec, len_prefix_edges);
	tcase_add_test(codec, control_bytes_rejected);
	tcase_add_test(codec, words_at_every_length_class);
	tcase_add_test(codec, word_cap_is_a_clear_error);
	tcase_add_test(codec, bytewise_feed_parses_identically);
	tcase_add_test(codec, attributes_values_and_bytes);
	tcase_add_test(codec, trap_then_done);
	tcase_add_test(codec, fatal_empty_and_ret);
	tcase_add_test(codec, result_size_cap);
	tcase_add_test(codec, item_getters);
	tcase_add_test(codec, utf8_and_json);
	tcase_add_test(codec, durations);
	tcase_add_test(codec, md5_challenge_response);
	tcase_add_test(codec, error_format_and_builder);
	tcase_set_timeout(codec, 60);
	suite_add_tcase(s, codec);

	tcase_add_test(sess, login_post_643);
	tcase_add_test(sess, login_legacy_challenge);
	tcase_add_test(sess, login_refused);
	tcase_add_test(sess, silent_router_times_out);
	tcase_add_test(sess, tags_demux_and_cancel);
	tcase_add_test(sess, event_loop_face);
	tcase_add_test(sess, provisioning_by_name);
	tcase_add_test(sess, read_only_menus);
	tcase_add_test(sess, replies_before_a_close_are_kept);
	tcase_add_test(sess, large_command_written_in_parts);
	tcase_add_test(sess, peer_closes);
	tcase_add_test(sess, connect_refused_and_bad_host);
	tcase_add_test(sess, connect_and_handshake_timeouts);
	tcase_add_test(sess, tls_anonymous_dh);
	tcase_add_test(sess, tls_verified_certificate);
	tcase_add_test(sess, tls_refusals);
	tcase_set_timeout(sess, 30);
	suite_add_tcase(s, sess);
	return s;
}

CHECK_MAIN("unit/routeros", suite)
