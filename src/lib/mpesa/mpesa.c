/* mpesa.c - the M-Pesa client without I/O: errors, Nairobi timestamps, the
 * STK password, phone and amount checks, the bodies of the calls and the
 * reading of Daraja's answers. */
#include "config.h"
#include "lib/mpesa/mpesa_int.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json/json.h"
#include "lib/mpesa/httpc.h"

#define NAIROBI_UTC_OFFSET (3 * 3600)
#define TOKEN_ERROR_CODE   "404.001.03"
#define PENDING_ERROR_CODE "500.001.1001"

/* ---- errors ---- */

static const char *const code_names[] = {
	[MPESA_OK] = "ok",
	[MPESA_EINVAL] = "invalid",
	[MPESA_ENET] = "network",
	[MPESA_ETIMEOUT] = "timeout",
	[MPESA_EHTTP] = "http",
	[MPESA_EDARAJA] = "daraja",
	[MPESA_ETOKEN] = "token",
	[MPESA_EPENDING] = "pending",
	[MPESA_EPARSE] = "parse",
	[MPESA_ENOMEM] = "nomem",
};

const char *
mpesa_code_str(enum mpesa_code code)
{
	return httpc_name(code_names, sizeof(code_names) / sizeof(code_names[0]), (int)code);
}

const char *
mpesa_error_format(const struct mpesa_error *err, char *out, size_t n)
{
	if (n > 0)
		httpc_error_line(out, n, mpesa_code_str(err->code), err->field, err->error_code,
		    err->message, err->http_status);
	return out;
}

int
mp_fail(struct mpesa_error *err, enum mpesa_code code, const char *field,
    const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return code;
	memset(err, 0, sizeof(*err));
	err->code = code;
	httpc_copy(err->field, sizeof(err->field), field);
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	return code;
}

/* ---- reading Daraja's JSON ---- */

int
mp_no_ctl(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7F)
			return 0;
	return 1;
}

int
mp_zero_code(const char *code)
{
	if (code == NULL || code[0] == '\0')
		return 0;
	return strspn(code, "0") == strlen(code);
}

int
mp_take_id(yajl_val obj, const char *key, char *dst, size_t n, int required,
    struct mpesa_error *err)
{
	yajl_val v = json_obj_get(obj, key);
	const char *t;

	dst[0] = '\0';
	if (v == NULL || YAJL_IS_NULL(v)) {
		if (required)
			return mp_fail(err, MPESA_EPARSE, key, "missing");
		return MPESA_OK;
	}
	if ((t = httpc_text(v)) == NULL)
		return mp_fail(err, MPESA_EPARSE, key, "not a string or a number");
	return mp_copy_id(key, t, dst, n, err);
}

int
mp_copy_id(const char *field, const char *text, char *dst, size_t n, struct mpesa_error *err)
{
	size_t len = strlen(text);

	if (len >= n)
		return mp_fail(err, MPESA_EPARSE, field, "longer than %zu bytes", n - 1);
	if (!mp_no_ctl(text))
		return mp_fail(err, MPESA_EPARSE, field, "holds a control character");
	memcpy(dst, text, len + 1);
	return MPESA_OK;
}

void
mp_take_text(yajl_val obj, const char *key, char *dst, size_t n)
{
	httpc_copy(dst, n, httpc_text(json_obj_get(obj, key)));
}

/* ---- text: time, password, phone, amount ---- */

const char *
mpesa_default_base_url(void)
{
	const char *s = getenv(MPESA_BASE_URL_ENV);

	return s != NULL && s[0] != '\0' ? s : MPESA_SANDBOX_URL;
}

void
mpesa_timestamp(time_t now, char out[15])
{
	time_t t = now + NAIROBI_UTC_OFFSET;
	char tmp[64];
	struct tm tm;

	gmtime_r(&t, &tm);
	snprintf(tmp, sizeof(tmp), "%04d%02d%02d%02d%02d%02d", (tm.tm_year + 1900) % 10000,
	    tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
	memcpy(out, tmp, 14);
	out[14] = '\0';
}

int
mpesa_password(const char *shortcode, const char *passkey, const char *timestamp,
    char *out, size_t outlen)
{
	struct buf raw = BUF_INIT, enc = BUF_INIT;
	int rc = MPESA_OK;

	if (shortcode == NULL || passkey == NULL || timestamp == NULL || out == NULL)
		return MPESA_EINVAL;
	buf_printf(&raw, "%s%s%s", shortcode, passkey, timestamp);
	httpc_base64(&enc, raw.data, raw.len);
	if (enc.len >= outlen)
		rc = MPESA_EINVAL;
	else
		memcpy(out, buf_cstr(&enc), enc.len + 1);
	buf_free(&raw);
	buf_free(&enc);
	return rc;
}

int
mpesa_phone_valid(const char *phone)
{
	return httpc_msisdn_ke(phone);
}

int
mpesa_amount_cents(const char *t, long long *cents)
{
	long long whole = 0;
	int frac = 0, places = 0;
	const char *p = t;

	if (t == NULL || !(*p >= '0' && *p <= '9'))
		return MPESA_EINVAL;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (whole > ((LLONG_MAX - 99) / 100 - (*p - '0')) / 10)
			return MPESA_EINVAL;
		whole = whole * 10 + (*p - '0');
	}
	if (*p == '.') {
		if (!(p[1] >= '0' && p[1] <= '9'))
			return MPESA_EINVAL;
		for (p++; *p >= '0' && *p <= '9'; p++) {
			if (places < 2)
				frac = frac * 10 + (*p - '0');
			else if (*p != '0')
				return MPESA_EINVAL;   /* finer than a cent */
			places++;
		}
		if (places == 1)
			frac *= 10;
	}
	if (*p != '\0')
		return MPESA_EINVAL;
	*cents = whole * 100 + frac;
	return MPESA_OK;
}

/* ---- bodies ---- */

static int
url_ok(const char *u)
{
	return u != NULL && ((strncmp(u, "https://", 8) == 0 && u[8] != '\0') ||
	    (strncmp(u, "http://", 7) == 0 && u[7] != '\0')) && mp_no_ctl(u) &&
	    httpc_utf8_count(u, strlen(u)) >= 0;
}

/* The parts every STK body shares: the shortcode, a password and its
 * timestamp.  Writes BusinessShortCode, Password and Timestamp to g. */
static int
stk_head(const struct mpesa_config *cfg, time_t now, yajl_gen g, struct mpesa_error *err)
{
	char ts[15], pw[512];

	if (!httpc_digits(cfg->shortcode, 10))
		return mp_fail(err, MPESA_EINVAL, "shortcode", "must be 1-10 digits");
	if (cfg->passkey == NULL || cfg->passkey[0] == '\0')
		return mp_fail(err, MPESA_EINVAL, "passkey", "must not be empty");
	mpesa_timestamp(now, ts);
	if (mpesa_password(cfg->shortcode, cfg->passkey, ts, pw, sizeof(pw)) != MPESA_OK)
		return mp_fail(err, MPESA_EINVAL, "passkey", "too long");
	jw_key(g, "BusinessShortCode");
	jw_raw_number(g, cfg->shortcode);
	jw_kstr(g, "Password", pw);
	jw_kstr(g, "Timestamp", ts);
	return MPESA_OK;
}

/* A required free text cut to max characters into dst (n bytes). */
static int
short_text(const char *field, const char *s, size_t max, char *dst, size_t n,
    struct mpesa_error *err)
{
	size_t len;

	if (s == NULL || s[0] == '\0')
		return mp_fail(err, MPESA_EINVAL, field, "must not be empty");
	if (httpc_utf8_count(s, strlen(s)) < 0)
		return mp_fail(err, MPESA_EINVAL, field, "not valid UTF-8");
	len = httpc_utf8_prefix(s, max);
	if (len >= n)
		len = n - 1;   /* cannot happen: max characters are at most 4 * max bytes */
	memcpy(dst, s, len);
	dst[len] = '\0';
	return MPESA_OK;
}

int
mpesa_stk_body(const struct mpesa_config *cfg, const struct mpesa_stk_req *req,
    time_t now, struct buf *out, struct mpesa_error *err)
{
	char ref[4 * MPESA_ACCOUNT_REF_MAX + 1], desc[4 * MPESA_DESC_MAX + 1];
	const char *party_b = cfg->shortcode;
	yajl_gen g;
	int rc;

	if (cfg->type == MPESA_BUYGOODS && cfg->till != NULL && cfg->till[0] != '\0') {
		if (!httpc_digits(cfg->till, 10))
			return mp_fail(err, MPESA_EINVAL, "till", "must be 1-10 digits");
		party_b = cfg->till;
	}
	if (!url_ok(cfg->callback_url))
		return mp_fail(err, MPESA_EINVAL, "callback_url",
		    "must be an http:// or https:// URL");
	if (!mpesa_phone_valid(req->phone))
		return mp_fail(err, MPESA_EINVAL, "phone",
		    "must be 2547XXXXXXXX or 2541XXXXXXXX (12 digits)");
	if (req->amount < MPESA_AMOUNT_MIN || req->amount > MPESA_AMOUNT_MAX)
		return mp_fail(err, MPESA_EINVAL, "amount", "must be a whole %d-%d",
		    MPESA_AMOUNT_MIN, MPESA_AMOUNT_MAX);
	if ((rc = short_text("account_ref", req->account_ref, MPESA_ACCOUNT_REF_MAX, ref,
	    sizeof(ref), err)) != MPESA_OK)
		return rc;
	if ((rc = short_text("desc", req->desc, MPESA_DESC_MAX, desc, sizeof(desc), err))
	    != MPESA_OK)
		return rc;

	g = httpc_gen();
	jw_obj(g);
	if ((rc = stk_head(cfg, now, g, err)) != MPESA_OK) {
		yajl_gen_free(g);
		return rc;
	}
	jw_kstr(g, "TransactionType", cfg->type == MPESA_BUYGOODS ?
	    "CustomerBuyGoodsOnline" : "CustomerPayBillOnline");
	jw_kint(g, "Amount", req->amount);
	jw_key(g, "PartyA");
	jw_raw_number(g, req->phone);
	jw_key(g, "PartyB");
	jw_raw_number(g, party_b);
	jw_key(g, "PhoneNumber");
	jw_raw_number(g, req->phone);
	jw_kstr(g, "CallBackURL", cfg->callback_url);
	jw_kstr(g, "AccountReference", ref);
	jw_kstr(g, "TransactionDesc", desc);
	jw_obj_end(g);
	httpc_gen_done(g, out);
	return MPESA_OK;
}

int
mpesa_stk_query_body(const struct mpesa_config *cfg, const char *checkout_request_id,
    time_t now, struct buf *out, struct mpesa_error *err)
{
	yajl_gen g;
	int rc;

	if (checkout_request_id == NULL || checkout_request_id[0] == '\0' ||
	    strlen(checkout_request_id) > 63 || !mp_no_ctl(checkout_request_id) ||
	    httpc_utf8_count(checkout_request_id, strlen(checkout_request_id)) < 0)
		return mp_fail(err, MPESA_EINVAL, "checkout_request_id",
		    "must be 1-63 bytes of text");
	g = httpc_gen();
	jw_obj(g);
	if ((rc = stk_head(cfg, now, g, err)) != MPESA_OK) {
		yajl_gen_free(g);
		return rc;
	}
	jw_kstr(g, "CheckoutRequestID", checkout_request_id);
	jw_obj_end(g);
	httpc_gen_done(g, out);
	return MPESA_OK;
}

static int
c2b_url_ok(const char *field, const char *u, struct mpesa_error *err)
{
	static const char *const banned[] = { "m-pesa", "mpesa", "safaricom", "exe", "cmd",
	    "sql", "query" };

	if (!url_ok(u))
		return mp_fail(err, MPESA_EINVAL, field, "must be an http:// or https:// URL");
	for (size_t i = 0; i < sizeof(banned) / sizeof(banned[0]); i++)
		if (strcasestr(u, banned[i]) != NULL)
			return mp_fail(err, MPESA_EINVAL, field,
			    "Daraja refuses URLs holding \"%s\"", banned[i]);
	return MPESA_OK;
}

int
mpesa_c2b_register_body(const struct mpesa_config *cfg, const char *confirmation_url,
    const char *validation_url, enum mpesa_c2b_response_type response_type,
    struct buf *out, struct mpesa_error *err)
{
	yajl_gen g;
	int rc;

	if (!httpc_digits(cfg->shortcode, 10))
		return mp_fail(err, MPESA_EINVAL, "shortcode", "must be 1-10 digits");
	if ((rc = c2b_url_ok("confirmation_url", confirmation_url, err)) != MPESA_OK ||
	    (rc = c2b_url_ok("validation_url", validation_url, err)) != MPESA_OK)
		return rc;
	if (response_type != MPESA_C2B_COMPLETED && response_type != MPESA_C2B_CANCELLED)
		return mp_fail(err, MPESA_EINVAL, "response_type",
		    "must be Completed or Cancelled");
	g = httpc_gen();
	jw_obj(g);
	jw_kstr(g, "ShortCode", cfg->shortcode);
	jw_kstr(g, "ResponseType",
	    response_type == MPESA_C2B_CANCELLED ? "Cancelled" : "Completed");
	jw_kstr(g, "ConfirmationURL", confirmation_url);
	jw_kstr(g, "ValidationURL", validation_url);
	jw_obj_end(g);
	httpc_gen_done(g, out);
	return MPESA_OK;
}

/* ---- answers ---- */

static int
is_2xx(long status)
{
	return status >= 200 && status <= 299;
}

/* The first line of an answer that is not Daraja's, printable ASCII only. */
static void
first_line(const char *body, size_t len, char *out, size_t n)
{
	size_t i, j = 0;

	for (i = 0; i < len && j + 1 < n && j < 120; i++) {
		unsigned char c = (unsigned char)body[i];

		if (c == '\n' || c == '\r') {
			if (j > 0)
				break;
			continue;
		}
		out[j++] = (c >= 0x20 && c < 0x7F) ? (char)c : '?';
	}
	out[j] = '\0';
}

/* Daraja's error object in v (parsed, may be NULL): fills err and returns
 * MPESA_ETOKEN or MPESA_EDARAJA, or MPESA_OK when v is not one. */
static int
daraja_error_obj(long status, yajl_val v, struct mpesa_error *err)
{
	const char *code, *msg;
	enum mpesa_code c;

	code = httpc_text(json_obj_get(v, "errorCode"));
	msg = httpc_text(json_obj_get(v, "errorMessage"));
	if (code == NULL || code[0] == '\0') {
		code = httpc_text(json_obj_get(v, "resultCode"));
		msg = httpc_text(json_obj_get(v, "resultDesc"));
	}
	if (code == NULL || code[0] == '\0')
		return MPESA_OK;
	c = strcmp(code, TOKEN_ERROR_CODE) == 0 ? MPESA_ETOKEN : MPESA_EDARAJA;
	mp_fail(err, c, NULL, "%s", msg ? msg : "");
	if (err != NULL) {
		err->http_status = status;
		httpc_copy(err->error_code, sizeof(err->error_code), code);
		mp_take_text(v, "requestId", err->request_id, sizeof(err->request_id));
	}
	return c;
}

int
mpesa_daraja_error(long status, const char *body, size_t len, struct mpesa_error *err)
{
	char why[160], line[128];
	yajl_val v = httpc_json(body, len, why, sizeof(why));
	int rc = daraja_error_obj(status, v, err);

	yajl_tree_free(v);
	if (rc != MPESA_OK)
		return rc;
	first_line(body ? body : "", body ? len : 0, line, sizeof(line));
	rc = status == 401 ? MPESA_ETOKEN : MPESA_EHTTP;
	mp_fail(err, rc, NULL, "HTTP %ld%s%s", status, line[0] ? ": " : "", line);
	if (err != NULL)
		err->http_status = status;
	return rc;
}

/* Parse a 2xx answer's body into *v, or read a non-2xx (or a 2xx holding
 * errorCode) as Daraja's error.  MPESA_OK with *v to free. */
static int
answer(long status, const char *body, size_t len, yajl_val *v, struct mpesa_error *err)
{
	char why[160];
	int rc;

	*v = NULL;
	if (!is_2xx(status))
		return mpesa_daraja_error(status, body, len, err);
	if ((*v = httpc_json(body, len, why, sizeof(why))) == NULL || !YAJL_IS_OBJECT(*v)) {
		rc = mp_fail(err, MPESA_EPARSE, NULL, "answer is not a JSON object%s%s",
		    *v ? "" : ": ", *v ? "" : why);
		yajl_tree_free(*v);
		*v = NULL;
		if (err != NULL)
			err->http_status = status;
		return rc;
	}
	if ((rc = daraja_error_obj(status, *v, err)) != MPESA_OK) {
		yajl_tree_free(*v);
		*v = NULL;
	}
	return rc;
}

/* After a field error while reading a 2xx answer: keep the status. */
static int
answer_fail(long status, int rc, struct mpesa_error *err)
{
	if (err != NULL)
		err->http_status = status;
	return rc;
}

int
mpesa_token_parse(long status, const char *body, size_t len, char token[MPESA_TOKEN_MAX],
    long *expires_in, struct mpesa_error *err)
{
	yajl_val v;
	long exp;
	int rc;

	if ((rc = answer(status, body, len, &v, err)) != MPESA_OK)
		return rc;
	if ((rc = mp_take_id(v, "access_token", token, MPESA_TOKEN_MAX, 1, err)) != MPESA_OK)
		goto out;
	if (token[0] == '\0') {
		rc = mp_fail(err, MPESA_EPARSE, "access_token", "empty");
		goto out;
	}
	if (httpc_long(json_obj_get(v, "expires_in"), &exp) != 0 || exp <= 0) {
		rc = mp_fail(err, MPESA_EPARSE, "expires_in", "not a positive whole number");
		goto out;
	}
	*expires_in = exp;
out:
	yajl_tree_free(v);
	if (rc != MPESA_OK)
		token[0] = '\0';
	return rc == MPESA_OK ? rc : answer_fail(status, rc, err);
}

/* ResponseCode not zero in a 2xx: Daraja did not take the request. */
static int
refused(long status, yajl_val v, const char *code, struct mpesa_error *err)
{
	char desc[256];

	mp_take_text(v, "ResponseDescription", desc, sizeof(desc));
	mp_fail(err, MPESA_EDARAJA, NULL, "%s", desc);
	if (err != NULL) {
		httpc_copy(err->error_code, sizeof(err->error_code), code);
		mp_take_text(v, "requestId", err->request_id, sizeof(err->request_id));
	}
	return answer_fail(status, MPESA_EDARAJA, err);
}

int
mpesa_stk_push_parse(long status, const char *body, size_t len, struct mpesa_stk_resp *resp,
    struct mpesa_error *err)
{
	yajl_val v;
	int rc;

	memset(resp, 0, sizeof(*resp));
	if ((rc = answer(status, body, len, &v, err)) != MPESA_OK)
		return rc;
	if ((rc = mp_take_id(v, "ResponseCode", resp->response_code,
	    sizeof(resp->response_code), 1, err)) != MPESA_OK)
		goto out;
	if (!mp_zero_code(resp->response_code)) {
		rc = refused(status, v, resp->response_code, err);
		goto out;
	}
	if ((rc = mp_take_id(v, "MerchantRequestID", resp->merchant_request_id,
	    sizeof(resp->merchant_request_id), 1, err)) != MPESA_OK ||
	    (rc = mp_take_id(v, "CheckoutRequestID", resp->checkout_request_id,
	    sizeof(resp->checkout_request_id), 1, err)) != MPESA_OK)
		goto out;
	mp_take_text(v, "ResponseDescription", resp->response_description,
	    sizeof(resp->response_description));
	mp_take_text(v, "CustomerMessage", resp->customer_message,
	    sizeof(resp->customer_message));
out:
	yajl_tree_free(v);
	return rc == MPESA_OK ? rc : answer_fail(status, rc, err);
}

int
mpesa_stk_query_parse(long status, const char *body, size_t len, struct mpesa_stk_status *out,
    struct mpesa_error *err)
{
	struct mpesa_error local;
	yajl_val v;
	int rc;

	if (err == NULL)
		err = &local;   /* the pending answer is told by its error code */
	memset(out, 0, sizeof(*out));
	rc = answer(status, body, len, &v, err);
	/* only "The transaction is being processed" is a wait: the same code
	 * also says "This transaction does not exist" and "Wrong credentials",
	 * which are answers (a wrong passkey must not look pending forever) */
	if (rc == MPESA_EDARAJA && strcmp(err->error_code, PENDING_ERROR_CODE) == 0 &&
	    strcasestr(err->message, "being processed") != NULL)
		err->code = rc = MPESA_EPENDING;
	if (rc != MPESA_OK)
		return rc;
	if ((rc = mp_take_id(v, "ResponseCode", out->response_code,
	    sizeof(out->response_code), 0, err)) != MPESA_OK)
		goto out;
	if (out->response_code[0] != '\0' && !mp_zero_code(out->response_code)) {
		rc = refused(status, v, out->response_code, err);
		goto out;
	}
	if (httpc_long(json_obj_get(v, "ResultCode"), &out->result_code) != 0) {
		rc = mp_fail(err, MPESA_EPARSE, "ResultCode", "missing or not a whole number");
		goto out;
	}
	if ((rc = mp_take_id(v, "MerchantRequestID", out->merchant_request_id,
	    sizeof(out->merchant_request_id), 0, err)) != MPESA_OK ||
	    (rc = mp_take_id(v, "CheckoutRequestID", out->checkout_request_id,
	    sizeof(out->checkout_request_id), 0, err)) != MPESA_OK)
		goto out;
	mp_take_text(v, "ResponseDescription", out->response_description,
	    sizeof(out->response_description));
	mp_take_text(v, "ResultDesc", out->result_desc, sizeof(out->result_desc));
out:
	yajl_tree_free(v);
	return rc == MPESA_OK ? rc : answer_fail(status, rc, err);
}

int
mpesa_c2b_register_parse(long status, const char *body, size_t len, struct mpesa_error *err)
{
	char code[16];
	yajl_val v;
	int rc;

	if ((rc = answer(status, body, len, &v, err)) != MPESA_OK)
		return rc;
	if ((rc = mp_take_id(v, "ResponseCode", code, sizeof(code), 1, err)) == MPESA_OK &&
	    !mp_zero_code(code))
		rc = refused(status, v, code, err);
	yajl_tree_free(v);
	return rc == MPESA_OK ? rc : answer_fail(status, rc, err);
}
