/* sms.c - one SMS through Advanta or a generic HTTP provider: checks,
 * bodies, the provider's answers, and the blocking send. */
#include "config.h"
#include "lib/sms/sms.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "json/json.h"
#include "lib/mpesa/httpc.h"

/* ---- errors ---- */

static const char *const code_names[] = {
	[SMS_OK] = "ok",
	[SMS_EINVAL] = "invalid",
	[SMS_ENET] = "network",
	[SMS_ETIMEOUT] = "timeout",
	[SMS_EHTTP] = "http",
	[SMS_EPROVIDER] = "provider",
	[SMS_EPARSE] = "parse",
	[SMS_ENOMEM] = "nomem",
};

const char *
sms_code_str(enum sms_code code)
{
	return httpc_name(code_names, sizeof(code_names) / sizeof(code_names[0]), (int)code);
}

const char *
sms_error_format(const struct sms_error *err, char *out, size_t n)
{
	if (n > 0)
		httpc_error_line(out, n, sms_code_str(err->code), err->field, err->provider_code,
		    err->message, err->http_status);
	return out;
}

static int sms_fail(struct sms_error *err, enum sms_code code, const char *field,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int
sms_fail(struct sms_error *err, enum sms_code code, const char *field, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return code;
	memset(err, 0, sizeof(*err));
	err->code = code;
	err->retry = code == SMS_ENET || code == SMS_ETIMEOUT;
	httpc_copy(err->field, sizeof(err->field), field);
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	return code;
}

/* ---- checks ---- */

int
sms_phone_valid(const char *to)
{
	return httpc_msisdn_ke(to);
}

long
sms_text_chars(const char *text)
{
	return text == NULL ? -1 : httpc_utf8_count(text, strlen(text));
}

static const struct { long code; const char *text; } advanta_codes[] = {
	{ 200, "Success" },
	{ 1001, "Invalid sender id" },
	{ 1002, "Network not allowed" },
	{ 1003, "Invalid mobile number" },
	{ 1004, "Low bulk credits" },
	{ 1005, "Failed. System error" },
	{ 1006, "Invalid credentials" },
	{ 1007, "Failed. System error" },
	{ 1008, "No Delivery Report" },
	{ 1009, "Unsupported data type" },
	{ 1010, "Unsupported request type" },
	{ 4090, "Internal Error. Try again after 5 minutes" },
	{ 4091, "No Partner ID is Set" },
	{ 4092, "No API KEY Provided" },
	{ 4093, "Details Not Found" },
};

const char *
sms_advanta_code_str(long code)
{
	for (size_t i = 0; i < sizeof(advanta_codes) / sizeof(advanta_codes[0]); i++)
		if (advanta_codes[i].code == code)
			return advanta_codes[i].text;
	return NULL;
}

static int
empty(const char *s)
{
	return s == NULL || s[0] == '\0';
}

/* 1 when u names a path beyond "/" after scheme://host[:port]. */
static int
has_path(const char *u)
{
	const char *p = strstr(u, "://");

	p = strchr(p ? p + 3 : u, '/');
	return p != NULL && p[strspn(p, "/")] != '\0';
}

/* ---- bodies ---- */

void
sms_url(const struct sms_provider *p, struct buf *out)
{
	if (p->kind == SMS_ADVANTA && !empty(p->base_url) && has_path(p->base_url))
		buf_puts(out, p->base_url);
	else if (p->kind == SMS_ADVANTA)
		httpc_url(out, p->base_url, SMS_ADVANTA_URL, SMS_ADVANTA_PATH);
	else
		httpc_url(out, p->base_url, "", SMS_GENERIC_PATH);
}

static int
text_setting(const char *field, const char *s, struct sms_error *err)
{
	if (empty(s))
		return sms_fail(err, SMS_EINVAL, field, "must not be empty");
	if (sms_text_chars(s) < 0)
		return sms_fail(err, SMS_EINVAL, field, "not valid UTF-8");
	return SMS_OK;
}

int
sms_body(const struct sms_provider *p, const char *to, const char *text, struct buf *out,
    struct sms_error *err)
{
	long chars = sms_text_chars(text);
	yajl_gen g;
	int rc;

	if (p->kind != SMS_ADVANTA && p->kind != SMS_GENERIC)
		return sms_fail(err, SMS_EINVAL, "kind", "must be advanta or generic");
	if (!sms_phone_valid(to))
		return sms_fail(err, SMS_EINVAL, "to",
		    "must be 2547XXXXXXXX or 2541XXXXXXXX (12 digits)");
	if (chars < 0)
		return sms_fail(err, SMS_EINVAL, "text", "must be valid UTF-8");
	if (chars < 1 || chars > SMS_TEXT_MAX)
		return sms_fail(err, SMS_EINVAL, "text", "must be 1-%d characters, not %ld",
		    SMS_TEXT_MAX, chars);
	if ((rc = text_setting("api_key", p->api_key, err)) != SMS_OK)
		return rc;
	if (p->kind == SMS_ADVANTA &&
	    ((rc = text_setting("partner_id", p->partner_id, err)) != SMS_OK ||
	    (rc = text_setting("sender", p->sender, err)) != SMS_OK))
		return rc;
	if (p->kind == SMS_GENERIC && empty(p->base_url))
		return sms_fail(err, SMS_EINVAL, "base_url", "must not be empty");
	if (p->kind == SMS_GENERIC && !empty(p->sender) &&
	    (rc = text_setting("sender", p->sender, err)) != SMS_OK)
		return rc;

	g = httpc_gen();
	jw_obj(g);
	if (p->kind == SMS_ADVANTA) {
		jw_kstr(g, "apikey", p->api_key);
		jw_kstr(g, "partnerID", p->partner_id);
		jw_kstr(g, "message", text);
		jw_kstr(g, "shortcode", p->sender);
		jw_kstr(g, "mobile", to);
	} else {
		jw_kstr(g, "to", to);
		jw_kstr(g, "message", text);
		if (!empty(p->sender))
			jw_kstr(g, "sender", p->sender);
	}
	jw_obj_end(g);
	httpc_gen_done(g, out);
	return SMS_OK;
}

/* ---- answers ---- */

/* The error statuses worth trying again. */
static int
status_retry(long status)
{
	return status == 429 || status >= 500;
}

static int
parse_advanta(long status, yajl_val v, struct sms_result *res, struct sms_error *err)
{
	yajl_val entry = v, list = json_obj_get(v, "responses"), code_v;
	const char *desc;
	long code;

	if (list != NULL && YAJL_IS_ARRAY(list) && list->u.array.len > 0)
		entry = list->u.array.values[0];
	if ((code_v = json_obj_get(entry, "response-code")) == NULL)
		code_v = json_obj_get(entry, "respose-code");
	if (httpc_long(code_v, &code) != 0) {
		if (status >= 200 && status <= 299)
			return sms_fail(err, SMS_EPARSE, "response-code",
			    "missing or not a whole number");
		return -1;   /* not Advanta's answer: an HTTP error */
	}
	desc = httpc_text(json_obj_get(entry, "response-description"));
	if (desc == NULL)
		desc = sms_advanta_code_str(code);
	if (code != 200) {
		sms_fail(err, SMS_EPROVIDER, NULL, "%s", desc ? desc : "refused");
		if (err != NULL) {
			snprintf(err->provider_code, sizeof(err->provider_code), "%ld", code);
			err->http_status = status;
			err->retry = code == 1005 || code == 1007 || code == 4090 ||
			    status_retry(status);
		}
		return SMS_EPROVIDER;
	}
	snprintf(res->provider_code, sizeof(res->provider_code), "%ld", code);
	httpc_copy(res->status, sizeof(res->status), desc ? desc : "Success");
	httpc_copy(res->description, sizeof(res->description), desc);
	if (httpc_copy(res->message_id, sizeof(res->message_id),
	    httpc_text(json_obj_get(entry, "messageid"))))
		return sms_fail(err, SMS_EPARSE, "messageid", "too long");
	return SMS_OK;
}

static int
parse_generic(long status, yajl_val v, struct sms_result *res, struct sms_error *err)
{
	const char *msg;

	if (status < 200 || status > 299) {
		if ((msg = httpc_text(json_obj_get(v, "error"))) == NULL &&
		    (msg = httpc_text(json_obj_get(v, "message"))) == NULL)
			return -1;
		sms_fail(err, SMS_EPROVIDER, NULL, "%s", msg);
		if (err != NULL) {
			httpc_copy(err->provider_code, sizeof(err->provider_code),
			    httpc_text(json_obj_get(v, "code")));
			err->http_status = status;
			err->retry = status_retry(status);
		}
		return SMS_EPROVIDER;
	}
	if (httpc_text(json_obj_get(v, "id")) == NULL)
		return sms_fail(err, SMS_EPARSE, "id", "missing or not a string or a number");
	if (httpc_copy(res->message_id, sizeof(res->message_id),
	    httpc_text(json_obj_get(v, "id"))))
		return sms_fail(err, SMS_EPARSE, "id", "too long");
	httpc_copy(res->status, sizeof(res->status), httpc_text(json_obj_get(v, "status")));
	return SMS_OK;
}

int
sms_parse(enum sms_kind kind, long status, const char *body, size_t len,
    struct sms_result *res, struct sms_error *err)
{
	char why[160];
	yajl_val v;
	int rc = -1;

	memset(res, 0, sizeof(*res));
	why[0] = '\0';
	v = httpc_json(body, len, why, sizeof(why));
	if (v != NULL && YAJL_IS_OBJECT(v))
		rc = kind == SMS_ADVANTA ? parse_advanta(status, v, res, err) :
		    parse_generic(status, v, res, err);
	yajl_tree_free(v);
	if (rc < 0 && status >= 200 && status <= 299)
		rc = sms_fail(err, SMS_EPARSE, NULL, "answer is not a JSON object%s%s",
		    why[0] ? ": " : "", why);
	else if (rc < 0) {
		rc = sms_fail(err, SMS_EHTTP, NULL, "HTTP %ld", status);
		if (err != NULL)
			err->retry = status_retry(status);
	}
	if (rc != SMS_OK && err != NULL)
		err->http_status = status;
	return rc;
}

/* ---- sending ---- */

int
sms_send(const struct sms_provider *p, const char *to, const char *text,
    struct sms_result *res, struct sms_error *err)
{
	struct buf body = BUF_INIT, url = BUF_INIT, auth = BUF_INIT;
	struct httpc_req rq;
	struct httpc_resp rs;
	enum httpc_result r;
	int rc;

	memset(res, 0, sizeof(*res));
	if ((rc = sms_body(p, to, text, &body, err)) != SMS_OK)
		goto out;
	sms_url(p, &url);
	memset(&rq, 0, sizeof(rq));
	rq.method = "POST";
	rq.url = buf_cstr(&url);
	if (p->kind == SMS_GENERIC) {
		buf_printf(&auth, "Bearer %s", p->api_key);
		rq.authorization = buf_cstr(&auth);
	}
	rq.body = body.data;
	rq.body_len = body.len;
	rq.ca_file = p->ca_file;
	rq.connect_timeout_ms = p->connect_timeout_ms;
	rq.timeout_ms = p->timeout_ms;
	rq.public_only = p->public_only;
	rq.allowed = p->allowed_addresses;
	switch ((r = httpc_do(&rq, &rs))) {
	case HTTPC_EBLOCKED:
		rc = sms_fail(err, SMS_EINVAL, "base_url", "%s: %s", rq.url, rs.error);
		break;
	case HTTPC_OK:
		rc = sms_parse(p->kind, rs.status, rs.body.data, rs.body.len, res, err);
		break;
	case HTTPC_EURL:
		rc = sms_fail(err, SMS_EINVAL, "base_url", "%s: %s", rq.url, rs.error);
		break;
	case HTTPC_ETIMEOUT:
		rc = sms_fail(err, SMS_ETIMEOUT, NULL, "%s", rs.error);
		break;
	case HTTPC_ETOOBIG:
		rc = sms_fail(err, SMS_EHTTP, NULL, "%s", rs.error);
		break;
	case HTTPC_ENOMEM:
		rc = sms_fail(err, SMS_ENOMEM, NULL, "%s", rs.error);
		break;
	default:
		rc = sms_fail(err, SMS_ENET, NULL, "%s", rs.error);
		break;
	}
	if (r != HTTPC_OK && err != NULL)
		err->http_status = rs.status;
	httpc_resp_free(&rs);
out:
	buf_free(&body);
	buf_free(&url);
	buf_free(&auth);
	return rc;
}
