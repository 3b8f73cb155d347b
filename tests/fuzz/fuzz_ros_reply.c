/* fuzz_ros_reply.c - libFuzzer target for the RouterOS reply decoder and
 * the result builder: arbitrary bytes, fed whole and in chunk sizes drawn
 * from the input itself, must decode the same way, never read or write
 * out of bounds, and turn into valid JSON.  Built and run by
 * `make fuzz-routeros` (clang -fsanitize=fuzzer,address,undefined). */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/routeros/routeros.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_WORD (1u << 20)

/* A running digest of everything decoded, to compare two feedings. */
static void
mix(uint64_t *h, const void *p, size_t n)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++)
		*h = (*h ^ b[i]) * 1099511628211ULL;
}

/* Every item of a finished command as JSON; the writer validates UTF-8,
 * so a byte ros_json_item let through unsanitized is an error here. */
static void
check_json(const struct ros_result *res)
{
	yajl_gen g = yajl_gen_alloc(NULL);
	const unsigned char *out;
	size_t outlen;

	yajl_gen_config(g, yajl_gen_validate_utf8, 1);
	yajl_gen_array_open(g);
	for (size_t i = 0; i < res->nitems; i++)
		ros_json_item(g, &res->items[i]);
	yajl_gen_array_close(g);
	if (yajl_gen_get_buf(g, &out, &outlen) != yajl_gen_status_ok || outlen < 2)
		abort();
	yajl_gen_free(g);
}

static void
check_words(const struct ros_reply *r)
{
	struct buf b = BUF_INIT;

	for (size_t i = 0; i < r->nwords; i++) {
		if (r->words[i].p[r->words[i].len] != '\0')
			abort();
		buf_reset(&b);
		ros_utf8_sanitize(&b, r->words[i].p, r->words[i].len);
		if (!ros_utf8_valid(b.data ? b.data : "", b.len))
			abort();
	}
	for (size_t i = 0; i < r->nattrs; i++)
		(void)ros_duration_us(r->attrs[i].value.p);
	buf_free(&b);
}

/* Decode data fed in chunks (chunk sizes from seed; 0: all at once);
 * returns the digest of the replies and results it saw. */
static uint64_t
run(const uint8_t *data, size_t size, uint32_t seed)
{
	struct ros_decoder d;
	struct ros_result res;
	struct ros_reply r;
	struct ros_error err;
	uint64_t h = 1469598103934665603ULL;
	size_t off = 0;
	int failed = 0;

	ros_decoder_init(&d, MAX_WORD, 4 * MAX_WORD);
	ros_result_init(&res);
	res.max_bytes = 1u << 16;
	while (off < size && !failed) {
		size_t k = size - off;

		if (seed) {
			seed = seed * 1103515245u + 12345u;
			k = 1 + (seed >> 16) % 17;
			if (k > size - off)
				k = size - off;
		}
		ros_decoder_feed(&d, data + off, k);
		off += k;
		for (;;) {
			int got = ros_decoder_next(&d, &r, &err), st;

			if (got < 0) {
				mix(&h, &err.code, sizeof(err.code));
				failed = 1;
				break;
			}
			if (got == 0)
				break;
			check_words(&r);
			mix(&h, &r.type, sizeof(r.type));
			mix(&h, &r.tag, sizeof(r.tag));
			for (size_t i = 0; i < r.nwords; i++) {
				mix(&h, &r.words[i].len, sizeof(r.words[i].len));
				mix(&h, r.words[i].p, r.words[i].len);
			}
			st = ros_result_add(&res, &r, &err);
			if (st != 0) {     /* complete, or over its cap */
				mix(&h, &st, sizeof(st));
				mix(&h, &res.nitems, sizeof(res.nitems));
				check_json(&res);
				ros_result_free(&res);
				ros_result_init(&res);
				res.max_bytes = 1u << 16;
			}
		}
	}
	ros_result_free(&res);
	ros_decoder_free(&d);
	return h;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint32_t seed = 1;

	if (size >= 2) {
		seed = (uint32_t)data[0] << 8 | data[1] | 1;
		data += 2;
		size -= 2;
	}
	if (run(data, size, 0) != run(data, size, seed))
		abort();            /* chunking changed what was decoded */
	return 0;
}
