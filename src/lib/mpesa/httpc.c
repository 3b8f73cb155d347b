/* httpc.c - the libispbill web clients' shared part: a blocking libcurl
 * request with timeouts, base64, JSON in and out, UTF-8 and MSISDN checks. */
#include "config.h"
#include "lib/mpesa/httpc.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <openssl/evp.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "json/json.h"
#include "util/arena.h"
#include "util/conf.h"

/* ---- HTTP ---- */

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc;

static void
curl_init_once(void)
{
	curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

struct sink {
	struct buf *b;
	int too_big;
};

static size_t
sink_write(char *p, size_t size, size_t nmemb, void *arg)
{
	struct sink *s = arg;
	size_t n = size * nmemb;

	if (s->b->len + n > HTTPC_MAX_RESPONSE) {
		s->too_big = 1;
		return 0;   /* curl stops with CURLE_WRITE_ERROR */
	}
	buf_append(s->b, p, n);
	return n;
}

static enum httpc_result
curl_result(CURLcode rc, const struct sink *s)
{
	switch (rc) {
	case CURLE_OK:
		return HTTPC_OK;
	case CURLE_OPERATION_TIMEDOUT:
		return HTTPC_ETIMEOUT;
	case CURLE_URL_MALFORMAT:
	case CURLE_UNSUPPORTED_PROTOCOL:
		return HTTPC_EURL;
	case CURLE_OUT_OF_MEMORY:
		return HTTPC_ENOMEM;
	case CURLE_WRITE_ERROR:
		return s->too_big ? HTTPC_ETOOBIG : HTTPC_ENET;
	default:
		return HTTPC_ENET;
	}
}

struct guard {
	const struct httpc_req *rq;
	char refused[INET6_ADDRSTRLEN];     /* the address refused, or "" */
};

/* public_only: every connection's address, as resolved, is checked */
static curl_socket_t
guard_open(void *arg, curlsocktype purpose, struct curl_sockaddr *sa)
{
	struct guard *g = arg;
	char ip[INET6_ADDRSTRLEN] = "";

	(void)purpose;
	if (sa->family == AF_INET)
		inet_ntop(AF_INET, &((struct sockaddr_in *)(void *)&sa->addr)->sin_addr, ip,
		    sizeof(ip));
	else if (sa->family == AF_INET6)
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)(void *)&sa->addr)->sin6_addr, ip,
		    sizeof(ip));
	if (!*ip || (!config_addr_public(ip) && !config_addr_listed(g->rq->allowed, ip))) {
		snprintf(g->refused, sizeof(g->refused), "%s", *ip ? ip : "?");
		return CURL_SOCKET_BAD;
	}
	return socket(sa->family, sa->socktype, sa->protocol);
}

enum httpc_result
httpc_do(const struct httpc_req *rq, struct httpc_resp *rs)
{
	struct guard guard = { rq, "" };
	char ebuf[CURL_ERROR_SIZE];
	struct curl_slist *hdrs = NULL;
	struct sink sink;
	struct buf auth = BUF_INIT;
	enum httpc_result res;
	CURL *c;
	CURLcode rc;

	memset(rs, 0, sizeof(*rs));
	pthread_once(&curl_once, curl_init_once);
	if (curl_init_rc != CURLE_OK) {
		snprintf(rs->error, sizeof(rs->error), "curl_global_init: %s",
		    curl_easy_strerror(curl_init_rc));
		return HTTPC_ENOMEM;
	}
	if ((c = curl_easy_init()) == NULL) {
		snprintf(rs->error, sizeof(rs->error), "curl_easy_init failed");
		return HTTPC_ENOMEM;
	}
	sink.b = &rs->body;
	sink.too_big = 0;
	ebuf[0] = '\0';

	hdrs = curl_slist_append(hdrs, "Accept: application/json");
	hdrs = curl_slist_append(hdrs, "Expect:");
	if (rq->authorization != NULL) {
		buf_printf(&auth, "Authorization: %s", rq->authorization);
		hdrs = curl_slist_append(hdrs, buf_cstr(&auth));
	}
	if (strcmp(rq->method, "POST") == 0) {
		hdrs = curl_slist_append(hdrs, "Content-Type: application/json");
		curl_easy_setopt(c, CURLOPT_POST, 1L);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, rq->body ? rq->body : "");
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)(rq->body ? rq->body_len : 0));
	} else {
		curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
	}
	curl_easy_setopt(c, CURLOPT_URL, rq->url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
	    (long)(rq->connect_timeout_ms > 0 ? rq->connect_timeout_ms : HTTPC_CONNECT_MS_DEFAULT));
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS,
	    (long)(rq->timeout_ms > 0 ? rq->timeout_ms : HTTPC_TIMEOUT_MS_DEFAULT));
	curl_easy_setopt(c, CURLOPT_USERAGENT, "ispbill/" PACKAGE_VERSION);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, ebuf);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &sink);
	if (rq->ca_file != NULL && rq->ca_file[0] != '\0')
		curl_easy_setopt(c, CURLOPT_CAINFO, rq->ca_file);
	if (rq->public_only) {
		curl_easy_setopt(c, CURLOPT_OPENSOCKETFUNCTION, guard_open);
		curl_easy_setopt(c, CURLOPT_OPENSOCKETDATA, &guard);
		/* a proxy (http_proxy, ALL_PROXY, ... in the environment) would be
		 * the only address the guard sees, and would fetch any URL for us */
		curl_easy_setopt(c, CURLOPT_PROXY, "");
	}

	rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &rs->status);
	res = curl_result(rc, &sink);
	if (res != HTTPC_OK && guard.refused[0]) {
		res = HTTPC_EBLOCKED;
		snprintf(rs->error, sizeof(rs->error), "%s is not a public address, and not in "
		    "the allowed ones", guard.refused);
	} else if (res == HTTPC_ETOOBIG)
		snprintf(rs->error, sizeof(rs->error), "answer larger than %u bytes",
		    HTTPC_MAX_RESPONSE);
	else if (res != HTTPC_OK)
		snprintf(rs->error, sizeof(rs->error), "%s", ebuf[0] ? ebuf : curl_easy_strerror(rc));
	buf_cstr(&rs->body);

	curl_easy_cleanup(c);
	curl_slist_free_all(hdrs);
	buf_free(&auth);
	return res;
}

void
httpc_resp_free(struct httpc_resp *rs)
{
	buf_free(&rs->body);
}

void
httpc_url(struct buf *out, const char *base, const char *dflt, const char *path)
{
	size_t n;

	if (base == NULL || base[0] == '\0')
		base = dflt;
	n = strlen(base);
	while (n > 0 && base[n - 1] == '/')
		n--;
	buf_append(out, base, n);
	if (path[0] != '/')
		buf_putc(out, '/');
	buf_puts(out, path);
}

void
httpc_base64(struct buf *out, const void *p, size_t n)
{
	unsigned char *tmp;
	int len;

	if (n > INT_MAX / 2)
		oom(n);
	tmp = xmalloc(4 * ((n + 2) / 3) + 1);
	len = EVP_EncodeBlock(tmp, p, (int)n);
	buf_append(out, tmp, (size_t)len);
	free(tmp);
}

/* ---- JSON ---- */

yajl_gen
httpc_gen(void)
{
	yajl_gen g = yajl_gen_alloc(NULL);

	if (g == NULL)
		oom(sizeof(void *));
	yajl_gen_config(g, yajl_gen_validate_utf8, 1);
	return g;
}

void
httpc_gen_done(yajl_gen g, struct buf *out)
{
	const unsigned char *p;
	size_t n;

	yajl_gen_get_buf(g, &p, &n);
	buf_append(out, p, n);
	buf_cstr(out);
	yajl_gen_free(g);
}

yajl_val
httpc_json(const char *s, size_t n, char *err, size_t errlen)
{
	struct buf b = BUF_INIT;
	yajl_val v;

	if (s == NULL || n == 0) {
		snprintf(err, errlen, "empty body");
		return NULL;
	}
	if (n > HTTPC_MAX_JSON) {
		snprintf(err, errlen, "body larger than %u bytes", HTTPC_MAX_JSON);
		return NULL;
	}
	buf_append(&b, s, n);   /* json_parse wants a NUL after the text */
	v = json_parse(buf_cstr(&b), n, HTTPC_JSON_DEPTH, err, errlen);
	buf_free(&b);
	return v;
}

yajl_val
httpc_path(yajl_val v, ...)
{
	const char *key;
	va_list ap;

	va_start(ap, v);
	while (v != NULL && (key = va_arg(ap, const char *)) != NULL)
		v = json_obj_get(v, key);
	va_end(ap);
	return v;
}

const char *
httpc_text(yajl_val v)
{
	if (v == NULL)
		return NULL;
	if (YAJL_IS_STRING(v))
		return v->u.string;
	if (YAJL_IS_NUMBER(v))
		return v->u.number.r;
	return NULL;
}

int
httpc_long(yajl_val v, long *out)
{
	const char *t = httpc_text(v);
	char *end;
	long x;

	if (t == NULL || t[0] == '\0' || !(t[0] == '-' || (t[0] >= '0' && t[0] <= '9')))
		return -1;
	errno = 0;
	x = strtol(t, &end, 10);
	if (errno != 0 || *end != '\0')
		return -1;
	*out = x;
	return 0;
}

/* ---- text ---- */

/* Length of the well-formed UTF-8 sequence at s (n bytes left), or 0. */
static size_t
utf8_seq(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	size_t len;
	unsigned long cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF) {
		len = 2;
		cp = c & 0x1F;
	} else if (c >= 0xE0 && c <= 0xEF) {
		len = 3;
		cp = c & 0x0F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		len = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3F);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10FFFF ||
	    (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return len;
}

long
httpc_utf8_count(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	long count = 0;
	size_t i = 0, len;

	while (i < n) {
		if ((len = utf8_seq(p + i, n - i)) == 0)
			return -1;
		i += len;
		count++;
	}
	return count;
}

size_t
httpc_utf8_prefix(const char *s, size_t max)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), i = 0, len;

	while (max > 0 && i < n && (len = utf8_seq(p + i, n - i)) != 0) {
		i += len;
		max--;
	}
	return i;
}

int
httpc_copy(char *dst, size_t n, const char *src)
{
	size_t len, keep;

	if (src == NULL)
		src = "";
	len = strlen(src);
	if (len < n) {
		memcpy(dst, src, len + 1);
		return 0;
	}
	keep = n - 1;
	/* step back over continuation bytes so no character is cut */
	while (keep > 0 && ((unsigned char)src[keep] & 0xC0) == 0x80)
		keep--;
	memcpy(dst, src, keep);
	dst[keep] = '\0';
	return 1;
}

int
httpc_digits(const char *s, size_t max)
{
	size_t i;

	if (s == NULL || s[0] == '\0')
		return 0;
	for (i = 0; s[i] != '\0'; i++)
		if (s[i] < '0' || s[i] > '9' || i >= max)
			return 0;
	return 1;
}

int
httpc_msisdn_ke(const char *s)
{
	return httpc_digits(s, 12) && strlen(s) == 12 && strncmp(s, "254", 3) == 0 &&
	    (s[3] == '7' || s[3] == '1');
}

void
httpc_error_line(char *out, size_t n, const char *name, const char *field,
    const char *code, const char *message, long status)
{
	struct buf b = BUF_INIT;

	buf_puts(&b, name);
	if (field[0])
		buf_printf(&b, " %s", field);
	if (code[0])
		buf_printf(&b, " %s", code);
	if (message[0])
		buf_printf(&b, ": %s", message);
	if (status)
		buf_printf(&b, " (HTTP %ld)", status);
	httpc_copy(out, n, buf_cstr(&b));
	buf_free(&b);
}

const char *
httpc_name(const char *const *names, size_t n, int code)
{
	if (code < 0 || (size_t)code >= n || names[code] == NULL)
		return "unknown";
	return names[code];
}
