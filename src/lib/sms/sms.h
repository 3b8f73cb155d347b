/* sms.h - SMS client (libispbill): send one message through Advanta (Kenya)
 * or a generic HTTP provider, with the number and text checked first and
 * the provider's answer read into a message id, a status and the
 * provider's own code.
 *
 * Layers, each usable alone:
 *   checks   sms_phone_valid, sms_text_chars.
 *   bodies   the URL and JSON each provider is sent (sms_url, sms_body),
 *            built without I/O.
 *   answers  the provider's answer read into a struct sms_result
 *            (sms_parse), without I/O.
 *   send     one blocking HTTP(S) POST bounded by the provider's timeouts.
 *
 * Errors: functions returning int return SMS_OK (0) or an enum sms_code and
 * fill the struct sms_error the caller passed (which may be NULL).  Memory
 * that cannot be had aborts the process (util/arena.h's policy).  Nothing
 * is kept between calls; calls may run in several threads at once. */
#ifndef ISP_SMS_H
#define ISP_SMS_H

#include <stddef.h>

#include "util/buf.h"

#define SMS_ADVANTA_URL   "https://quicksms.advantasms.com"
#define SMS_ADVANTA_PATH  "/api/services/sendsms/"
#define SMS_GENERIC_PATH  "/sms/send"
#define SMS_TEXT_MAX      1600     /* characters (UTF-8), not bytes */

enum sms_kind {
	SMS_ADVANTA = 0,   /* POST {base}/api/services/sendsms/ {"apikey",
			      "partnerID","message","shortcode","mobile"} */
	SMS_GENERIC        /* POST {base}/sms/send, Authorization: Bearer
			      <api_key>, {"to","message","sender"} -> {"id","status"} */
};

struct sms_provider {
	enum sms_kind kind;
	const char *base_url;     /* Advanta: scheme://host (NULL or "":
				     SMS_ADVANTA_URL), or a whole send URL with a
				     path (002's customApiUrl), used as it is.
				     Generic: scheme://host[/prefix], required */
	const char *api_key;      /* required */
	const char *partner_id;   /* Advanta's partnerID, required there */
	const char *sender;       /* Advanta: the shortcode (sender id),
				     required; generic: "sender", omitted when
				     NULL or "" */
	const char *ca_file;      /* PEM bundle; NULL: the system's store */
	int connect_timeout_ms;   /* <= 0: 5000 */
	int timeout_ms;           /* the whole request; <= 0: 30000 */
	int public_only;          /* reach only public addresses and those in */
	const char *allowed_addresses;  /* (see httpc_req) */
};

enum sms_code {
	SMS_OK = 0,
	SMS_EINVAL,     /* an argument or provider setting is wrong: field names
			   it ("to", "text", "api_key", ...); nothing sent */
	SMS_ENET,       /* name, connection or TLS failure, or the transfer broke */
	SMS_ETIMEOUT,   /* connect_timeout_ms or timeout_ms ran out: the message
			   may still have been sent */
	SMS_EHTTP,      /* an HTTP error status without an answer the provider's
			   API would give */
	SMS_EPROVIDER,  /* the provider refused: provider_code and message as it
			   said (Advanta 1001 invalid sender id, 1003 invalid
			   mobile, 1004 low bulk credits, 1006 invalid
			   credentials, ...; generic: its "error") */
	SMS_EPARSE,     /* a success answer that is not what the provider sends */
	SMS_ENOMEM      /* libcurl could not start */
};

struct sms_error {
	enum sms_code code;
	long http_status;        /* 0 when no HTTP answer was read */
	char field[32];          /* SMS_EINVAL/SMS_EPARSE: the field at fault */
	char provider_code[16];  /* Advanta's response-code ("1004"); generic:
				    its "code" when it gives one, else "" */
	int retry;               /* 1 when the same request may succeed later
				    (network, timeout, HTTP 5xx or 429, Advanta
				    1005, 1007, 4090) */
	char message[256];
};

struct sms_result {
	char message_id[64];     /* Advanta's messageid, the generic "id" */
	char status[64];         /* Advanta: "Success"; generic: its "status"
				    ("queued", "sent", ...) */
	char provider_code[16];  /* Advanta: "200"; generic: "" */
	char description[256];   /* Advanta's response-description */
};

/* Short stable name of a code: SMS_EPROVIDER -> "provider", etc. */
const char *sms_code_str(enum sms_code code);
/* "provider 1004: Low bulk credits (HTTP 200)" into out (always
 * NUL-terminated).  Returns out. */
const char *sms_error_format(const struct sms_error *err, char *out, size_t n);
/* Advanta's text for its response-code (1001 -> "Invalid sender id"), or
 * NULL for a code it does not document. */
const char *sms_advanta_code_str(long code);

/* 1 when to is a 12-digit Kenyan mobile number, 2547XXXXXXXX or
 * 2541XXXXXXXX.  Normalising (0712..., +254 7..) is the caller's job. */
int sms_phone_valid(const char *to);
/* Characters (not bytes) of a UTF-8 text, or -1 when it is not well-formed
 * UTF-8 or NULL. */
long sms_text_chars(const char *text);

/* The URL a message is POSTed to, appended to out. */
void sms_url(const struct sms_provider *p, struct buf *out);
/* The JSON body for one message, appended to out.  Checks, each
 * SMS_EINVAL naming the field with nothing appended: to (sms_phone_valid),
 * text (1-1600 characters of valid UTF-8), api_key (not empty), partner_id
 * and sender (Advanta: not empty), base_url (generic: not empty), kind. */
int sms_body(const struct sms_provider *p, const char *to, const char *text,
    struct buf *out, struct sms_error *err);
/* Read a provider's answer (HTTP status and body).
 * Advanta: {"responses":[{"response-code":200,"response-description":
 * "Success","mobile":254...,"messageid":8290842,"networkid":"1"}]} or a
 * bare {"response-code":1006,...}; the code is read from "response-code"
 * or Advanta's misspelt "respose-code", as a number or a string; 200 is
 * SMS_OK, any other SMS_EPROVIDER.  Generic: a 2xx {"id","status"} is
 * SMS_OK ("id" required, a string or a number); an error status with
 * {"error"} or {"message"} is SMS_EPROVIDER.  Other error statuses are
 * SMS_EHTTP, other success bodies SMS_EPARSE.  res is cleared first. */
int sms_parse(enum sms_kind kind, long http_status, const char *body, size_t len,
    struct sms_result *res, struct sms_error *err);

/* Check, build, POST (Content-Type: application/json; generic: also
 * Authorization: Bearer <api_key>) and read the answer, as above. */
int sms_send(const struct sms_provider *p, const char *to, const char *text,
    struct sms_result *res, struct sms_error *err);

#endif
