/* httpc.h - what the libispbill web clients (mpesa, sms) share, internal to
 * src/lib: one blocking HTTP request on libcurl with both timeouts, base64,
 * JSON text in and out, UTF-8 counting and the Kenyan MSISDN check.
 *
 * Memory that cannot be had aborts the process (util/arena.h's policy). */
#ifndef ISP_LIB_HTTPC_H
#define ISP_LIB_HTTPC_H

#include <stddef.h>

#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "util/buf.h"

#define HTTPC_CONNECT_MS_DEFAULT 5000
#define HTTPC_TIMEOUT_MS_DEFAULT 30000
#define HTTPC_MAX_RESPONSE       (1u << 20)   /* bytes of an answer kept */
#define HTTPC_MAX_JSON           (64u << 10)  /* bytes of a callback body parsed */
#define HTTPC_JSON_DEPTH         16

enum httpc_result {
	HTTPC_OK = 0,
	HTTPC_EURL,      /* a URL curl cannot use (bad syntax, not http/https) */
	HTTPC_ENET,      /* name, connection, TLS or transfer failure */
	HTTPC_ETIMEOUT,  /* connect_timeout_ms or timeout_ms ran out */
	HTTPC_ETOOBIG,   /* the answer is larger than HTTPC_MAX_RESPONSE */
	HTTPC_ENOMEM,    /* curl could not allocate a handle */
	HTTPC_EBLOCKED   /* public_only: the name led to an address not allowed */
};

struct httpc_req {
	const char *method;           /* "GET" or "POST" */
	const char *url;
	const char *authorization;    /* the Authorization header's value, or NULL */
	const char *body;             /* POST: sent as application/json */
	size_t body_len;
	const char *ca_file;          /* PEM bundle; NULL: the system's store */
	int connect_timeout_ms;       /* <= 0: HTTPC_CONNECT_MS_DEFAULT */
	int timeout_ms;               /* whole request; <= 0: HTTPC_TIMEOUT_MS_DEFAULT */
	/* connect only to public addresses (config_addr_public) or those in
	 * allowed (util/conf.h's address list), checked on the address each
	 * connection really goes to, after name resolution: a URL a tenant
	 * gave cannot reach the host's own or its network's services */
	int public_only;
	const char *allowed;
};

struct httpc_resp {
	long status;                  /* 0 when no HTTP answer was read */
	struct buf body;              /* the answer, NUL-terminated after httpc_do */
	char error[256];              /* curl's reason when not HTTPC_OK */
};

/* Run one request (no redirects followed, http and https only, no
 * signals).  rs is initialised here; free it with httpc_resp_free whatever
 * is returned. */
enum httpc_result httpc_do(const struct httpc_req *rq, struct httpc_resp *rs);
void httpc_resp_free(struct httpc_resp *rs);

/* base + path with one '/' between them; base NULL or "" is dflt. */
void httpc_url(struct buf *out, const char *base, const char *dflt, const char *path);

/* Standard base64 of n bytes with padding, no line breaks, appended to out. */
void httpc_base64(struct buf *out, const void *p, size_t n);

/* A fresh generator that writes plain (unbeautified) JSON. */
yajl_gen httpc_gen(void);
/* Append what g wrote to out and free g. */
void httpc_gen_done(yajl_gen g, struct buf *out);

/* Parse n bytes of JSON (need not be NUL-terminated; at most
 * HTTPC_MAX_JSON bytes, HTTPC_JSON_DEPTH levels).  A tree to free with
 * yajl_tree_free, or NULL with a one-line reason in err. */
yajl_val httpc_json(const char *s, size_t n, char *err, size_t errlen);
/* Look up a path of object keys (NULL-terminated), e.g. "Body",
 * "stkCallback", NULL.  NULL when a step is missing or not an object. */
yajl_val httpc_path(yajl_val v, ...);
/* The text of a string or of a number as it was written (1.00 stays
 * "1.00"), else NULL. */
const char *httpc_text(yajl_val v);
/* A whole decimal number, from a JSON number or a string of digits with
 * an optional '-': 0 and *out, or -1. */
int httpc_long(yajl_val v, long *out);

/* Characters of n bytes of UTF-8, or -1 when they are not well-formed
 * UTF-8 (overlong forms, surrogates, beyond U+10FFFF, cut sequences). */
long httpc_utf8_count(const char *s, size_t n);
/* Bytes taken by the first max characters of a well-formed UTF-8 string. */
size_t httpc_utf8_prefix(const char *s, size_t max);
/* Copy src into dst (size n > 0), cut at a character boundary if longer;
 * NULL copies "".  Returns 1 when src was cut, else 0. */
int httpc_copy(char *dst, size_t n, const char *src);

/* names[code] when code is within the n names and named, else "unknown". */
const char *httpc_name(const char *const *names, size_t n, int code);
/* "<name>[ <field>][ <code>][: <message>][ (HTTP <status>)]" into out
 * (n > 0 bytes, always NUL-terminated): the one-line error both clients
 * print.  Empty strings and status 0 are left out. */
void httpc_error_line(char *out, size_t n, const char *name, const char *field,
    const char *code, const char *message, long status);

/* 1 when s is a Kenyan mobile number in international form: 2547XXXXXXXX
 * or 2541XXXXXXXX, 12 digits. */
int httpc_msisdn_ke(const char *s);
/* 1 when s is 1..max ASCII digits. */
int httpc_digits(const char *s, size_t max);

#endif
