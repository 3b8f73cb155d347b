/* test_mpesa.c - libispbill's web clients.  M-Pesa: Nairobi timestamps,
 * the sample password, STK bodies and every check before sending, Daraja's
 * answers and error bodies, the STK callback and C2B bodies.  SMS: checks,
 * Advanta and generic bodies and answers.  Then each call against a
 * one-shot HTTP server on loopback (method, path, headers, body, timeouts).
 * One program for both: they share the loopback server. */
#include "config.h"

#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "../common/check_main.h"
#include "lib/mpesa/mpesa.h"
#include "lib/sms/sms.h"

#define SAMPLE_SHORTCODE "174379"
#define SAMPLE_PASSKEY   "bfb279f9aa9bdbcf158e97dd71a467cd2e0c893059b10f78e6b72ada1ed2c919"
#define SAMPLE_PASSWORD  "MTc0Mzc5YmZiMjc5ZjlhYTliZGJjZjE1OGU5N2RkNzFhNDY3Y2QyZTBjODkzMDU5" \
	"YjEwZjc4ZTZiNzJhZGExZWQyYzkxOTIwMTYwMjE2MTY1NjI3"
#define SAMPLE_TIME      ((time_t)1455630987)   /* 2016-02-16 16:56:27 in Nairobi */

static struct mpesa_config
sample_cfg(void)
{
	struct mpesa_config c;

	memset(&c, 0, sizeof(c));
	c.consumer_key = "key";
	c.consumer_secret = "secret";
	c.shortcode = SAMPLE_SHORTCODE;
	c.passkey = SAMPLE_PASSKEY;
	c.type = MPESA_PAYBILL;
	c.callback_url = "https://isp.example/api/mpesa/callback/s3cr3t/";
	return c;
}

static struct mpesa_stk_req
sample_req(void)
{
	struct mpesa_stk_req r = { "254708374149", 1, "INV-0001", "Internet" };

	return r;
}

/* The STK body for cfg and req at SAMPLE_TIME, or "" after checking err. */
static char body_text[4096];

static int
stk_body(const struct mpesa_config *cfg, const struct mpesa_stk_req *req,
    struct mpesa_error *err)
{
	struct buf b = BUF_INIT;
	int rc = mpesa_stk_body(cfg, req, SAMPLE_TIME, &b, err);

	snprintf(body_text, sizeof(body_text), "%s", b.len ? buf_cstr(&b) : "");
	buf_free(&b);
	return rc;
}

#define ck_invalid(rc, err, name) do {                                     \
		ck_assert_int_eq((rc), MPESA_EINVAL);                          \
		ck_assert_str_eq((err).field, (name));                         \
		ck_assert_str_eq(body_text, "");                               \
	} while (0)

/* ---- text ---- */

START_TEST(sample_password)
{
	char ts[15], pw[256];

	mpesa_timestamp(SAMPLE_TIME, ts);
	ck_assert_str_eq(ts, "20160216165627");
	ck_assert_int_eq(mpesa_password(SAMPLE_SHORTCODE, SAMPLE_PASSKEY, ts, pw, sizeof(pw)),
	    MPESA_OK);
	ck_assert_str_eq(pw, SAMPLE_PASSWORD);
	/* a buffer one byte short is refused, not overrun */
	ck_assert_int_eq(mpesa_password(SAMPLE_SHORTCODE, SAMPLE_PASSKEY, ts, pw,
	    strlen(SAMPLE_PASSWORD)), MPESA_EINVAL);
	ck_assert_int_eq(mpesa_password(NULL, SAMPLE_PASSKEY, ts, pw, sizeof(pw)), MPESA_EINVAL);
}
END_TEST

START_TEST(timestamp_is_nairobi_whatever_tz)
{
	static const char *const zones[] = { "UTC", "America/New_York", "Asia/Tokyo",
	    "Europe/London", "Africa/Nairobi" };
	char ts[15];

	for (size_t i = 0; i < sizeof(zones) / sizeof(zones[0]); i++) {
		setenv("TZ", zones[i], 1);
		tzset();
		mpesa_timestamp(1700000000, ts);   /* 2023-11-14T22:13:20Z */
		ck_assert_str_eq(ts, "20231115011320");
		mpesa_timestamp(1735678800, ts);   /* 2024-12-31T21:00:00Z */
		ck_assert_str_eq(ts, "20250101000000");
		mpesa_timestamp(0, ts);
		ck_assert_str_eq(ts, "19700101030000");
	}
	unsetenv("TZ");
	tzset();
}
END_TEST

START_TEST(phone_check)
{
	ck_assert(mpesa_phone_valid("254708374149"));
	ck_assert(mpesa_phone_valid("254110000000"));
	ck_assert(!mpesa_phone_valid("0708374149"));
	ck_assert(!mpesa_phone_valid("+254708374149"));
	ck_assert(!mpesa_phone_valid("25470837414"));
	ck_assert(!mpesa_phone_valid("2547083741490"));
	ck_assert(!mpesa_phone_valid("254208374149"));     /* a landline */
	ck_assert(!mpesa_phone_valid("255708374149"));     /* Tanzania */
	ck_assert(!mpesa_phone_valid("25470837414a"));
	ck_assert(!mpesa_phone_valid("254 708374149"));
	ck_assert(!mpesa_phone_valid(""));
	ck_assert(!mpesa_phone_valid(NULL));
}
END_TEST

START_TEST(amount_text_to_cents)
{
	static const struct { const char *t; long long c; } ok[] = {
		{ "1", 100 }, { "1.00", 100 }, { "1.5", 150 }, { "1.50", 150 },
		{ "10.00", 1000 }, { "0.01", 1 }, { "250000", 25000000 },
		{ "1.000", 100 }, { "007", 700 }, { "92233720368547757", 9223372036854775700LL },
	};
	static const char *const bad[] = { "", "-1", "+1", "1.", ".5", "1.001", "1e2", "1,00",
	    "abc", "1.5 ", " 1", "92233720368547758", "99999999999999999999" };
	long long c;

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		ck_assert_msg(mpesa_amount_cents(ok[i].t, &c) == MPESA_OK, "%s", ok[i].t);
		ck_assert_int_eq(c, ok[i].c);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(mpesa_amount_cents(bad[i], &c) == MPESA_EINVAL, "%s", bad[i]);
	ck_assert_int_eq(mpesa_amount_cents(NULL, &c), MPESA_EINVAL);
}
END_TEST

START_TEST(error_names_and_format)
{
	struct mpesa_error e;
	char out[512];
	const char *body = "{\"requestId\":\"r-1\",\"errorCode\":\"400.002.02\","
	    "\"errorMessage\":\"Bad Request - Invalid Amount\"}";

	ck_assert_str_eq(mpesa_code_str(MPESA_ETOKEN), "token");
	ck_assert_str_eq(mpesa_code_str(MPESA_EPENDING), "pending");
	ck_assert_str_eq(mpesa_code_str((enum mpesa_code)99), "unknown");
	ck_assert_int_eq(mpesa_daraja_error(400, body, strlen(body), &e), MPESA_EDARAJA);
	ck_assert_str_eq(mpesa_error_format(&e, out, sizeof(out)),
	    "daraja 400.002.02: Bad Request - Invalid Amount (HTTP 400)");
	ck_assert_str_eq(mpesa_error_format(&e, out, 7), "daraja");
	ck_assert_str_eq(e.request_id, "r-1");
}
END_TEST

/* ---- the STK body ---- */

START_TEST(stk_body_paybill)
{
	struct mpesa_config cfg = sample_cfg();
	struct mpesa_stk_req req = sample_req();
	struct mpesa_error err;

	ck_assert_int_eq(stk_body(&cfg, &req, &err), MPESA_OK);
	ck_assert_str_eq(body_text,
	    "{\"BusinessShortCode\":174379,"
	    "\"Password\":\"" SAMPLE_PASSWORD "\","
	    "\"Timestamp\":\"20160216165627\","
	    "\"TransactionType\":\"CustomerPayBillOnline\","
	    "\"Amount\":1,"
	    "\"PartyA\":254708374149,"
	    "\"PartyB\":174379,"
	    "\"PhoneNumber\":254708374149,"
	    "\"CallBackURL\":\"https://isp.example/api/mpesa/callback/s3cr3t/\","
	    "\"AccountReference\":\"INV-0001\","
	    "\"TransactionDesc\":\"Internet\"}");
}
END_TEST

START_TEST(stk_body_buy_goods)
{
	struct mpesa_config cfg = sample_cfg();
	struct mpesa_stk_req req = sample_req();
	struct mpesa_error err;

	cfg.type = MPESA_BUYGOODS;
	cfg.till = "5555555";
	req.amount = 250000;
	ck_assert_int_eq(stk_body(&cfg, &req, &err), MPESA_OK);
	ck_assert_ptr_nonnull(strstr(body_text, "\"TransactionType\":\"CustomerBuyGoodsOnline\""));
	ck_assert_ptr_nonnull(strstr(body_text, "\"BusinessShortCode\":174379,"));
	ck_assert_ptr_nonnull(strstr(body_text, "\"PartyB\":5555555,"));
	ck_assert_ptr_nonnull(strstr(body_text, "\"Amount\":250000,"));
	/* the password is still the store's shortcode's */
	ck_assert_ptr_nonnull(strstr(body_text, SAMPLE_PASSWORD));
	/* a till that is not digits is refused */
	cfg.till = "55-55";
	ck_invalid(stk_body(&cfg, &req, &err), err, "till");
	/* buy goods without a till pays the shortcode */
	cfg.till = NULL;
	ck_assert_int_eq(stk_body(&cfg, &req, &err), MPESA_OK);
	ck_assert_ptr_nonnull(strstr(body_text, "\"PartyB\":174379,"));
}
END_TEST

START_TEST(stk_body_checks)
{
	static const char *const bad_phones[] = { "0708374149", "+254708374149",
	    "25470837414", "2547083741490", "254208374149", "254-708374149", "", NULL };
	struct mpesa_config cfg = sample_cfg();
	struct mpesa_stk_req req = sample_req();
	struct mpesa_error err;

	req.amount = 0;
	ck_invalid(stk_body(&cfg, &req, &err), err, "amount");
	req.amount = 250001;
	ck_invalid(stk_body(&cfg, &req, &err), err, "amount");
	req.amount = -5;
	ck_invalid(stk_body(&cfg, &req, &err), err, "amount");
	req = sample_req();
	for (size_t i = 0; i < sizeof(bad_phones) / sizeof(bad_phones[0]); i++) {
		req.phone = bad_phones[i];
		ck_invalid(stk_body(&cfg, &req, &err), err, "phone");
	}
	req = sample_req();
	req.account_ref = "";
	ck_invalid(stk_body(&cfg, &req, &err), err, "account_ref");
	req.account_ref = NULL;
	ck_invalid(stk_body(&cfg, &req, &err), err, "account_ref");
	req.account_ref = "bad\xff";
	ck_invalid(stk_body(&cfg, &req, &err), err, "account_ref");
	req = sample_req();
	req.desc = "";
	ck_invalid(stk_body(&cfg, &req, &err), err, "desc");
	req.desc = NULL;
	ck_invalid(stk_body(&cfg, &req, &err), err, "desc");
	req = sample_req();
	cfg.shortcode = "17437a";
	ck_invalid(stk_body(&cfg, &req, &err), err, "shortcode");
	cfg.shortcode = NULL;
	ck_invalid(stk_body(&cfg, &req, &err), err, "shortcode");
	cfg = sample_cfg();
	cfg.passkey = "";
	ck_invalid(stk_body(&cfg, &req, &err), err, "passkey");
	cfg = sample_cfg();
	cfg.callback_url = "ftp://x/";
	ck_invalid(stk_body(&cfg, &req, &err), err, "callback_url");
	cfg.callback_url = NULL;
	ck_invalid(stk_body(&cfg, &req, &err), err, "callback_url");
	cfg.callback_url = "https://";
	ck_invalid(stk_body(&cfg, &req, &err), err, "callback_url");
}
END_TEST

START_TEST(stk_body_cuts_ref_and_desc_by_character)
{
	struct mpesa_config cfg = sample_cfg();
	struct mpesa_stk_req req = sample_req();
	struct mpesa_error err;

	req.account_ref = "ABCDEFGHIJKL";            /* 12: kept */
	req.desc = "ABCDEFGHIJKLM";                  /* 13: kept */
	ck_assert_int_eq(stk_body(&cfg, &req, &err), MPESA_OK);
	ck_assert_ptr_nonnull(strstr(body_text, "\"AccountReference\":\"ABCDEFGHIJKL\""));
	ck_assert_ptr_nonnull(strstr(body_text, "\"TransactionDesc\":\"ABCDEFGHIJKLM\""));
	req.account_ref = "ABCDEFGHIJKLM";           /* 13: cut to 12 */
	req.desc = "Internet 1 hour plan";           /* cut to 13 */
	ck_assert_int_eq(stk_body(&cfg, &req, &err), MPESA_OK);
	ck_assert_ptr_nonnull(strstr(body_text, "\"AccountReference\":\"ABCDEFGHIJKL\""));
	ck_assert_ptr_nonnull(strstr(body_text, "\"TransactionDesc\":\"Internet 1 ho\""));
	/* 14 two-byte characters: 12 whole characters, no half one */
	req.account_ref = "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9";
	req.desc = "Malipo \xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac"
	    "\xe2\x82\xac\xe2\x82\xac";
	ck_assert_int_eq(stk_body(&cfg, &req, &err), MPESA_OK);
	ck_assert_ptr_nonnull(strstr(body_text, "\"AccountReference\":\"\xc3\xa9\xc3\xa9\xc3\xa9"
	    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\""));
	ck_assert_ptr_nonnull(strstr(body_text, "\"TransactionDesc\":\"Malipo \xe2\x82\xac"
	    "\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\""));
	/* quotes and backslashes are escaped, not cut in half */
	req.account_ref = "a\"b\\c";
	req.desc = "x";
	ck_assert_int_eq(stk_body(&cfg, &req, &err), MPESA_OK);
	ck_assert_ptr_nonnull(strstr(body_text, "\"AccountReference\":\"a\\\"b\\\\c\""));
}
END_TEST

START_TEST(query_and_register_bodies)
{
	struct mpesa_config cfg = sample_cfg();
	struct mpesa_error err;
	struct buf b = BUF_INIT;

	ck_assert_int_eq(mpesa_stk_query_body(&cfg, "ws_CO_191220191020363925", SAMPLE_TIME, &b,
	    &err), MPESA_OK);
	ck_assert_str_eq(buf_cstr(&b), "{\"BusinessShortCode\":174379,\"Password\":\""
	    SAMPLE_PASSWORD "\",\"Timestamp\":\"20160216165627\","
	    "\"CheckoutRequestID\":\"ws_CO_191220191020363925\"}");
	buf_reset(&b);
	ck_assert_int_eq(mpesa_stk_query_body(&cfg, "", SAMPLE_TIME, &b, &err), MPESA_EINVAL);
	ck_assert_str_eq(err.field, "checkout_request_id");
	ck_assert_int_eq(mpesa_stk_query_body(&cfg, "ws\n", SAMPLE_TIME, &b, &err), MPESA_EINVAL);
	ck_assert_int_eq(mpesa_stk_query_body(&cfg, NULL, SAMPLE_TIME, &b, &err), MPESA_EINVAL);
	ck_assert_uint_eq(b.len, 0);

	cfg.shortcode = "600984";
	ck_assert_int_eq(mpesa_c2b_register_body(&cfg, "https://isp.example/c2b/confirm/k",
	    "https://isp.example/c2b/validate/k", MPESA_C2B_COMPLETED, &b, &err), MPESA_OK);
	ck_assert_str_eq(buf_cstr(&b), "{\"ShortCode\":\"600984\",\"ResponseType\":\"Completed\","
	    "\"ConfirmationURL\":\"https://isp.example/c2b/confirm/k\","
	    "\"ValidationURL\":\"https://isp.example/c2b/validate/k\"}");
	buf_reset(&b);
	ck_assert_int_eq(mpesa_c2b_register_body(&cfg, "https://isp.example/M-PESA/confirm",
	    "https://isp.example/v", MPESA_C2B_CANCELLED, &b, &err), MPESA_EINVAL);
	ck_assert_str_eq(err.field, "confirmation_url");
	ck_assert_int_eq(mpesa_c2b_register_body(&cfg, "https://isp.example/c",
	    "https://safaricom-pay.example/v", MPESA_C2B_CANCELLED, &b, &err), MPESA_EINVAL);
	ck_assert_str_eq(err.field, "validation_url");
	ck_assert_int_eq(mpesa_c2b_register_body(&cfg, "https://isp.example/c",
	    "https://isp.example/MPesa", MPESA_C2B_CANCELLED, &b, &err), MPESA_EINVAL);
	ck_assert_int_eq(mpesa_c2b_register_body(&cfg, "https://isp.example/api/mpesa/c2b/",
	    "https://isp.example/v", MPESA_C2B_CANCELLED, &b, &err), MPESA_EINVAL);
	ck_assert_int_eq(mpesa_c2b_register_body(&cfg, "https://isp.example/c?Query=1",
	    "https://isp.example/v", MPESA_C2B_CANCELLED, &b, &err), MPESA_EINVAL);
	ck_assert_int_eq(mpesa_c2b_register_body(&cfg, "https://isp.example/c",
	    "https://isp.example/EXEC/v", MPESA_C2B_CANCELLED, &b, &err), MPESA_EINVAL);
	ck_assert_int_eq(mpesa_c2b_register_body(&cfg, "https://isp.example/c",
	    "https://isp.example/cmd", MPESA_C2B_CANCELLED, &b, &err), MPESA_EINVAL);
	ck_assert_int_eq(mpesa_c2b_register_body(&cfg, "https://isp.example/sql",
	    "https://isp.example/v", MPESA_C2B_CANCELLED, &b, &err), MPESA_EINVAL);
	ck_assert_int_eq(mpesa_c2b_register_body(&cfg, "https://isp.example/c",
	    "https://isp.example/v", (enum mpesa_c2b_response_type)7, &b, &err), MPESA_EINVAL);
	ck_assert_str_eq(err.field, "response_type");
	ck_assert_uint_eq(b.len, 0);
	ck_assert_int_eq(mpesa_c2b_register_body(&cfg, "https://isp.example/c",
	    "https://isp.example/v", MPESA_C2B_CANCELLED, &b, &err), MPESA_OK);
	ck_assert_ptr_nonnull(strstr(buf_cstr(&b), "\"ResponseType\":\"Cancelled\""));
	buf_free(&b);
}
END_TEST

/* ---- Daraja's answers ---- */

#define S(lit) (lit), (sizeof(lit) - 1)

START_TEST(error_bodies)
{
	struct mpesa_error e;

	ck_assert_int_eq(mpesa_daraja_error(404, S("{\"requestId\":\"11728-2929992-1\","
	    "\"errorCode\":\"404.001.03\",\"errorMessage\":\"Invalid Access Token\"}"), &e),
	    MPESA_ETOKEN);
	ck_assert_int_eq(e.code, MPESA_ETOKEN);
	ck_assert_str_eq(e.error_code, "404.001.03");
	ck_assert_str_eq(e.message, "Invalid Access Token");
	ck_assert_str_eq(e.request_id, "11728-2929992-1");
	ck_assert_int_eq(e.http_status, 404);
	/* the same code under another status is still the token */
	ck_assert_int_eq(mpesa_daraja_error(401, S("{\"errorCode\":\"404.001.03\","
	    "\"errorMessage\":\"Invalid Access Token\"}"), &e), MPESA_ETOKEN);
	/* a bare 401: renew too */
	ck_assert_int_eq(mpesa_daraja_error(401, S(""), &e), MPESA_ETOKEN);
	ck_assert_int_eq(e.http_status, 401);
	/* OAuth's own form */
	ck_assert_int_eq(mpesa_daraja_error(400, S("{\"resultCode\":\"999991\","
	    "\"resultDesc\":\"Invalid client id passed\"}"), &e), MPESA_EDARAJA);
	ck_assert_str_eq(e.error_code, "999991");
	ck_assert_str_eq(e.message, "Invalid client id passed");
	/* not Daraja's: a gateway page */
	ck_assert_int_eq(mpesa_daraja_error(503, S("<html>\r\n<body>Service Unavailable</body>"),
	    &e), MPESA_EHTTP);
	ck_assert_str_eq(e.message, "HTTP 503: <html>");
	ck_assert_str_eq(e.error_code, "");
	ck_assert_int_eq(mpesa_daraja_error(500, NULL, 0, &e), MPESA_EHTTP);
	ck_assert_str_eq(e.message, "HTTP 500");
	ck_assert_int_eq(mpesa_daraja_error(500, S("{\"errorCode\":\"\"}"), NULL), MPESA_EHTTP);
}
END_TEST

START_TEST(token_answers)
{
	char tok[MPESA_TOKEN_MAX];
	struct mpesa_error e;
	char big[1024];
	long exp = 0;

	ck_assert_int_eq(mpesa_token_parse(200, S("{\"access_token\":\"SGWcJPtNtYNPGm6uSYR9yPYrAI3Bm\","
	    "\"expires_in\":\"3599\"}"), tok, &exp, &e), MPESA_OK);
	ck_assert_str_eq(tok, "SGWcJPtNtYNPGm6uSYR9yPYrAI3Bm");
	ck_assert_int_eq(exp, 3599);
	ck_assert_int_eq(mpesa_token_parse(200, S("{\"access_token\":\"abc\",\"expires_in\":3600}"),
	    tok, &exp, &e), MPESA_OK);
	ck_assert_int_eq(exp, 3600);
	ck_assert_int_eq(mpesa_token_parse(200, S("{\"access_token\":\"abc\",\"expires_in\":\"soon\"}"),
	    tok, &exp, &e), MPESA_EPARSE);
	ck_assert_str_eq(e.field, "expires_in");
	ck_assert_str_eq(tok, "");
	ck_assert_int_eq(mpesa_token_parse(200, S("{\"access_token\":\"abc\",\"expires_in\":0}"),
	    tok, &exp, &e), MPESA_EPARSE);
	ck_assert_int_eq(mpesa_token_parse(200, S("{\"access_token\":\"abc\",\"expires_in\":1.5}"),
	    tok, &exp, &e), MPESA_EPARSE);
	ck_assert_int_eq(mpesa_token_parse(200, S("{\"expires_in\":\"3599\"}"), tok, &exp, &e),
	    MPESA_EPARSE);
	ck_assert_str_eq(e.field, "access_token");
	ck_assert_int_eq(mpesa_token_parse(200, S("{\"access_token\":\"\",\"expires_in\":\"3599\"}"),
	    tok, &exp, &e), MPESA_EPARSE);
	ck_assert_int_eq(mpesa_token_parse(200, S("not json"), tok, &exp, &e), MPESA_EPARSE);
	ck_assert_int_eq(e.http_status, 200);
	ck_assert_int_eq(mpesa_token_parse(200, S("[1]"), tok, &exp, &e), MPESA_EPARSE);
	ck_assert_int_eq(mpesa_token_parse(400, S("{\"requestId\":\"\",\"errorCode\":\"400.008.01\","
	    "\"errorMessage\":\"Invalid Authentication passed\"}"), tok, &exp, &e), MPESA_EDARAJA);
	ck_assert_str_eq(e.error_code, "400.008.01");
	/* a token too long to hold is refused, not cut */
	memset(big, 'A', sizeof(big));
	snprintf(big, sizeof(big), "{\"access_token\":\"%0600d\",\"expires_in\":1}", 7);
	ck_assert_int_eq(mpesa_token_parse(200, big, strlen(big), tok, &exp, &e), MPESA_EPARSE);
	ck_assert_str_eq(e.field, "access_token");
}
END_TEST

START_TEST(stk_push_answers)
{
	struct mpesa_stk_resp r;
	struct mpesa_error e;

	ck_assert_int_eq(mpesa_stk_push_parse(200, S("{\"MerchantRequestID\":\"29115-34620561-1\","
	    "\"CheckoutRequestID\":\"ws_CO_191220191020363925\",\"ResponseCode\":\"0\","
	    "\"ResponseDescription\":\"Success. Request accepted for processing\","
	    "\"CustomerMessage\":\"Success. Request accepted for processing\"}"), &r, &e), MPESA_OK);
	ck_assert_str_eq(r.merchant_request_id, "29115-34620561-1");
	ck_assert_str_eq(r.checkout_request_id, "ws_CO_191220191020363925");
	ck_assert_str_eq(r.response_code, "0");
	ck_assert_str_eq(r.response_description, "Success. Request accepted for processing");
	ck_assert_str_eq(r.customer_message, "Success. Request accepted for processing");
	/* ResponseCode as a number */
	ck_assert_int_eq(mpesa_stk_push_parse(200, S("{\"MerchantRequestID\":\"m\","
	    "\"CheckoutRequestID\":\"c\",\"ResponseCode\":0}"), &r, &e), MPESA_OK);
	/* accepted without a CheckoutRequestID is not an acceptance */
	ck_assert_int_eq(mpesa_stk_push_parse(200, S("{\"MerchantRequestID\":\"m\","
	    "\"ResponseCode\":\"0\"}"), &r, &e), MPESA_EPARSE);
	ck_assert_str_eq(e.field, "CheckoutRequestID");
	/* a 200 that says no */
	ck_assert_int_eq(mpesa_stk_push_parse(200, S("{\"ResponseCode\":\"1\","
	    "\"ResponseDescription\":\"Rejected\"}"), &r, &e), MPESA_EDARAJA);
	ck_assert_str_eq(e.error_code, "1");
	ck_assert_str_eq(e.message, "Rejected");
	/* Daraja's refusals */
	ck_assert_int_eq(mpesa_stk_push_parse(400, S("{\"requestId\":\"4788-81090592-3\","
	    "\"errorCode\":\"400.002.02\",\"errorMessage\":\"Bad Request - Invalid Amount\"}"),
	    &r, &e), MPESA_EDARAJA);
	ck_assert_str_eq(e.error_code, "400.002.02");
	ck_assert_str_eq(e.request_id, "4788-81090592-3");
	ck_assert_int_eq(mpesa_stk_push_parse(404, S("{\"requestId\":\"x\","
	    "\"errorCode\":\"404.001.03\",\"errorMessage\":\"Invalid Access Token\"}"), &r, &e),
	    MPESA_ETOKEN);
	/* on a push 500.001.1001 is a refusal (a transaction already runs), not pending */
	ck_assert_int_eq(mpesa_stk_push_parse(500, S("{\"requestId\":\"x\","
	    "\"errorCode\":\"500.001.1001\",\"errorMessage\":\"Unable to lock subscriber, a "
	    "transaction is already in process for the current subscriber\"}"), &r, &e),
	    MPESA_EDARAJA);
	/* an error body under a 200 is still an error */
	ck_assert_int_eq(mpesa_stk_push_parse(200, S("{\"requestId\":\"x\","
	    "\"errorCode\":\"400.002.05\",\"errorMessage\":\"Invalid Request Payload\"}"), &r, &e),
	    MPESA_EDARAJA);
	ck_assert_int_eq(mpesa_stk_push_parse(200, S(""), &r, &e), MPESA_EPARSE);
	ck_assert_int_eq(mpesa_stk_push_parse(502, S("Bad Gateway"), &r, &e), MPESA_EHTTP);
	ck_assert_int_eq(e.http_status, 502);
}
END_TEST

START_TEST(stk_query_answers)
{
	struct mpesa_stk_status s;
	struct mpesa_error e;

	ck_assert_int_eq(mpesa_stk_query_parse(200, S("{\"ResponseCode\":\"0\","
	    "\"ResponseDescription\":\"The service request has been accepted successsfully\","
	    "\"MerchantRequestID\":\"22205-34066-1\",\"CheckoutRequestID\":"
	    "\"ws_CO_13012021093521236557\",\"ResultCode\":\"0\","
	    "\"ResultDesc\":\"The service request is processed successfully.\"}"), &s, &e),
	    MPESA_OK);
	ck_assert_int_eq(s.result_code, 0);
	ck_assert_str_eq(s.checkout_request_id, "ws_CO_13012021093521236557");
	ck_assert_str_eq(s.result_desc, "The service request is processed successfully.");
	ck_assert_int_eq(mpesa_stk_query_parse(200, S("{\"ResponseCode\":\"0\",\"ResultCode\":1032,"
	    "\"ResultDesc\":\"Request cancelled by user\"}"), &s, &e), MPESA_OK);
	ck_assert_int_eq(s.result_code, 1032);
	ck_assert_int_eq(mpesa_stk_query_parse(200, S("{\"ResponseCode\":\"0\",\"ResultCode\":\"1037\"}"),
	    &s, &e), MPESA_OK);
	ck_assert_int_eq(s.result_code, 1037);
	ck_assert_int_eq(mpesa_stk_query_parse(200, S("{\"ResponseCode\":\"0\"}"), &s, &e),
	    MPESA_EPARSE);
	ck_assert_str_eq(e.field, "ResultCode");
	ck_assert_int_eq(mpesa_stk_query_parse(200, S("{\"ResultCode\":\"zero\"}"), &s, &e),
	    MPESA_EPARSE);
	/* still being processed: not a failure */
	ck_assert_int_eq(mpesa_stk_query_parse(500, S("{\"requestId\":\"ws_CO_1\","
	    "\"errorCode\":\"500.001.1001\",\"errorMessage\":\"The transaction is being processed\"}"),
	    &s, &e), MPESA_EPENDING);
	ck_assert_int_eq(e.code, MPESA_EPENDING);
	ck_assert_str_eq(e.message, "The transaction is being processed");
	ck_assert_int_eq(mpesa_stk_query_parse(500, S("{\"errorCode\":\"500.001.1001\","
	    "\"errorMessage\":\"The transaction is being processed\"}"), &s, NULL), MPESA_EPENDING);
	/* ... but a transaction Daraja does not know is an answer */
	ck_assert_int_eq(mpesa_stk_query_parse(500, S("{\"errorCode\":\"500.001.1001\","
	    "\"errorMessage\":\"This transaction does not exist\"}"), &s, &e), MPESA_EDARAJA);
	/* ... and so are wrong credentials under the same code */
	ck_assert_int_eq(mpesa_stk_query_parse(500, S("{\"errorCode\":\"500.001.1001\","
	    "\"errorMessage\":\"Wrong credentials\"}"), &s, &e), MPESA_EDARAJA);
	ck_assert_int_eq(mpesa_stk_query_parse(400, S("{\"errorCode\":\"400.002.02\","
	    "\"errorMessage\":\"Bad Request - Invalid CheckoutRequestID\"}"), &s, &e), MPESA_EDARAJA);
	ck_assert_int_eq(mpesa_stk_query_parse(404, S("{\"errorCode\":\"404.001.03\","
	    "\"errorMessage\":\"Invalid Access Token\"}"), &s, &e), MPESA_ETOKEN);
}
END_TEST

START_TEST(register_answers)
{
	struct mpesa_error e;

	ck_assert_int_eq(mpesa_c2b_register_parse(200, S("{\"OriginatorCoversationID\":"
	    "\"6e86-45dd-91ac-fd5d4178ab523408729\",\"ResponseCode\":\"0\","
	    "\"ResponseDescription\":\"Success\"}"), &e), MPESA_OK);
	ck_assert_int_eq(mpesa_c2b_register_parse(200, S("{\"ResponseCode\":\"00000000\"}"), &e),
	    MPESA_OK);
	ck_assert_int_eq(mpesa_c2b_register_parse(200, S("{\"ResponseCode\":\"1\","
	    "\"ResponseDescription\":\"Failed\"}"), &e), MPESA_EDARAJA);
	ck_assert_int_eq(mpesa_c2b_register_parse(200, S("{}"), &e), MPESA_EPARSE);
	ck_assert_int_eq(mpesa_c2b_register_parse(400, S("{\"requestId\":\"x\",\"errorCode\":"
	    "\"500.003.1001\",\"errorMessage\":\"Urls are already registered\"}"), &e),
	    MPESA_EDARAJA);
	ck_assert_str_eq(e.message, "Urls are already registered");
}
END_TEST

/* ---- the STK callback ---- */

#define CB_HEAD "{\"Body\":{\"stkCallback\":{\"MerchantRequestID\":\"29115-34620561-1\"," \
	"\"CheckoutRequestID\":\"ws_CO_191220191020363925\","
#define CB_TAIL "}}}"

static int
cb(const char *body, struct mpesa_stk_callback *out, struct mpesa_error *err)
{
	return mpesa_stk_callback_parse(body, strlen(body), out, err);
}

START_TEST(callback_success_sample)
{
	struct mpesa_stk_callback c;
	struct mpesa_error e;

	ck_assert_int_eq(cb(CB_HEAD "\"ResultCode\":0,\"ResultDesc\":\"The service request is "
	    "processed successfully.\",\"CallbackMetadata\":{\"Item\":["
	    "{\"Name\":\"Amount\",\"Value\":1.00},"
	    "{\"Name\":\"MpesaReceiptNumber\",\"Value\":\"NLJ7RT61SV\"},"
	    "{\"Name\":\"TransactionDate\",\"Value\":20191219102115},"
	    "{\"Name\":\"PhoneNumber\",\"Value\":254708374149}]}" CB_TAIL, &c, &e), MPESA_OK);
	ck_assert_str_eq(c.merchant_request_id, "29115-34620561-1");
	ck_assert_str_eq(c.checkout_request_id, "ws_CO_191220191020363925");
	ck_assert_int_eq(c.result_code, 0);
	ck_assert_str_eq(c.result_desc, "The service request is processed successfully.");
	ck_assert_int_eq(c.has_metadata, 1);
	ck_assert_int_eq(c.amount_cents, 100);
	ck_assert_str_eq(c.receipt, "NLJ7RT61SV");
	ck_assert_str_eq(c.transaction_date, "20191219102115");
	ck_assert_str_eq(c.phone, "254708374149");
	ck_assert_str_eq(c.balance, "");
}
END_TEST

START_TEST(callback_variants)
{
	static const struct { const char *amount; long long cents; } amounts[] = {
		{ "1", 100 }, { "1.00", 100 }, { "1.5", 150 }, { "\"10.00\"", 1000 },
		{ "250000", 25000000 },
	};
	struct mpesa_stk_callback c;
	struct mpesa_error e;
	char body[1024];

	for (size_t i = 0; i < sizeof(amounts) / sizeof(amounts[0]); i++) {
		snprintf(body, sizeof(body), CB_HEAD "\"ResultCode\":\"0\",\"ResultDesc\":\"ok\","
		    "\"CallbackMetadata\":{\"Item\":[{\"Name\":\"Balance\"},"
		    "{\"Name\":\"PhoneNumber\",\"Value\":254708374149},"
		    "{\"Name\":\"TransactionDate\",\"Value\":20240101000001},"
		    "{\"Name\":\"MpesaReceiptNumber\",\"Value\":\"SAB1CD2EF3\"},"
		    "{\"Name\":\"Future\",\"Value\":{\"x\":1}},"
		    "{\"Name\":\"Amount\",\"Value\":%s}]}" CB_TAIL, amounts[i].amount);
		ck_assert_msg(cb(body, &c, &e) == MPESA_OK, "%s: %s", amounts[i].amount, e.message);
		ck_assert_int_eq(c.amount_cents, amounts[i].cents);
		ck_assert_int_eq(c.result_code, 0);        /* ResultCode "0" as a string */
		ck_assert_str_eq(c.balance, "");            /* Balance without a Value */
		ck_assert_str_eq(c.phone, "254708374149");
		ck_assert_str_eq(c.transaction_date, "20240101000001");
	}
	/* a Balance with a Value, and a phone number sent as a string */
	ck_assert_int_eq(cb(CB_HEAD "\"ResultCode\":0,\"CallbackMetadata\":{\"Item\":["
	    "{\"Name\":\"Amount\",\"Value\":5},{\"Name\":\"MpesaReceiptNumber\",\"Value\":\"R1\"},"
	    "{\"Name\":\"Balance\",\"Value\":\"1234.50\"},"
	    "{\"Name\":\"PhoneNumber\",\"Value\":\"254110000001\"}]}" CB_TAIL, &c, &e), MPESA_OK);
	ck_assert_str_eq(c.balance, "1234.50");
	ck_assert_str_eq(c.phone, "254110000001");
	ck_assert_str_eq(c.transaction_date, "");
}
END_TEST

START_TEST(callback_failures_without_metadata)
{
	static const long codes[] = { 1032, 1037, 2001, 1, 1025, 1019 };
	struct mpesa_stk_callback c;
	struct mpesa_error e;
	char body[512];

	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		snprintf(body, sizeof(body), CB_HEAD "\"ResultCode\":%ld,"
		    "\"ResultDesc\":\"Request cancelled by user\"" CB_TAIL, codes[i]);
		ck_assert_int_eq(cb(body, &c, &e), MPESA_OK);
		ck_assert_int_eq(c.result_code, codes[i]);
		ck_assert_int_eq(c.has_metadata, 0);
		ck_assert_int_eq(c.amount_cents, -1);
		ck_assert_str_eq(c.receipt, "");
		snprintf(body, sizeof(body), CB_HEAD "\"ResultCode\":\"%ld\"" CB_TAIL, codes[i]);
		ck_assert_int_eq(cb(body, &c, &e), MPESA_OK);
		ck_assert_int_eq(c.result_code, codes[i]);
	}
}
END_TEST

START_TEST(callback_malformed)
{
	static const struct { const char *body; const char *field; } t[] = {
		{ "", "" },
		{ "not json", "" },
		{ "[]", "" },
		{ "{}", "Body.stkCallback" },
		{ "{\"Body\":[]}", "Body.stkCallback" },
		{ "{\"Body\":{\"stkCallback\":\"x\"}}", "Body.stkCallback" },
		{ "{\"Body\":{\"stkCallback\":{\"CheckoutRequestID\":\"c\",\"ResultCode\":0}}}",
		  "MerchantRequestID" },
		{ "{\"Body\":{\"stkCallback\":{\"MerchantRequestID\":\"m\",\"ResultCode\":0}}}",
		  "CheckoutRequestID" },
		{ CB_HEAD "\"ResultDesc\":\"x\"" CB_TAIL, "ResultCode" },
		{ CB_HEAD "\"ResultCode\":null" CB_TAIL, "ResultCode" },
		{ CB_HEAD "\"ResultCode\":\"abc\"" CB_TAIL, "ResultCode" },
		{ CB_HEAD "\"ResultCode\":1.5" CB_TAIL, "ResultCode" },
		{ CB_HEAD "\"ResultCode\":99999999999999999999999" CB_TAIL, "ResultCode" },
		{ CB_HEAD "\"ResultCode\":0" CB_TAIL, "Amount" },
		{ CB_HEAD "\"ResultCode\":0,\"CallbackMetadata\":{\"Item\":["
		  "{\"Name\":\"MpesaReceiptNumber\",\"Value\":\"R\"}]}" CB_TAIL, "Amount" },
		{ CB_HEAD "\"ResultCode\":0,\"CallbackMetadata\":{\"Item\":["
		  "{\"Name\":\"Amount\",\"Value\":1}]}" CB_TAIL, "MpesaReceiptNumber" },
		{ CB_HEAD "\"ResultCode\":0,\"CallbackMetadata\":[]" CB_TAIL, "CallbackMetadata" },
		{ CB_HEAD "\"ResultCode\":0,\"CallbackMetadata\":{\"Item\":{}}" CB_TAIL,
		  "CallbackMetadata.Item" },
		{ CB_HEAD "\"ResultCode\":0,\"CallbackMetadata\":{\"Item\":[1]}" CB_TAIL,
		  "CallbackMetadata.Item" },
		{ CB_HEAD "\"ResultCode\":0,\"CallbackMetadata\":{\"Item\":["
		  "{\"Name\":\"Amount\",\"Value\":-1}]}" CB_TAIL, "Amount" },
		{ CB_HEAD "\"ResultCode\":0,\"CallbackMetadata\":{\"Item\":["
		  "{\"Name\":\"Amount\",\"Value\":1e3}]}" CB_TAIL, "Amount" },
		{ CB_HEAD "\"ResultCode\":0,\"CallbackMetadata\":{\"Item\":["
		  "{\"Name\":\"Amount\",\"Value\":1.001}]}" CB_TAIL, "Amount" },
		{ CB_HEAD "\"ResultCode\":0,\"CallbackMetadata\":{\"Item\":["
		  "{\"Name\":\"Amount\",\"Value\":true}]}" CB_TAIL, "Amount" },
		{ CB_HEAD "\"ResultCode\":0,\"CallbackMetadata\":{\"Item\":["
		  "{\"Name\":\"Amount\",\"Value\":1},{\"Name\":\"Amount\",\"Value\":1000}]}"
		  CB_TAIL, "Amount" },
		{ CB_HEAD "\"ResultCode\":0,\"CallbackMetadata\":{\"Item\":["
		  "{\"Name\":\"Amount\",\"Value\":1},{\"Name\":\"TransactionDate\","
		  "\"Value\":\"2019-12-19\"}]}" CB_TAIL, "TransactionDate" },
		{ CB_HEAD "\"ResultCode\":0,\"CallbackMetadata\":{\"Item\":["
		  "{\"Name\":\"Amount\",\"Value\":1},{\"Name\":\"MpesaReceiptNumber\","
		  "\"Value\":\"RRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRR\"}]}" CB_TAIL,
		  "MpesaReceiptNumber" },
		{ "{\"Body\":{\"stkCallback\":{\"MerchantRequestID\":\"m\",\"CheckoutRequestID\":"
		  "\"c\",\"ResultCode\":0", "" },
		{ "{\"Body\":{\"stkCallback\":{\"MerchantRequestID\":{\"a\":1},"
		  "\"CheckoutRequestID\":\"c\",\"ResultCode\":1}}}", "MerchantRequestID" },
	};
	struct mpesa_stk_callback c;
	struct mpesa_error e;
	char deep[200];
	struct buf big = BUF_INIT;

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		ck_assert_msg(cb(t[i].body, &c, &e) == MPESA_EPARSE, "%zu: %s", i, t[i].body);
		ck_assert_msg(strcmp(e.field, t[i].field) == 0, "%zu: field %s, want %s", i,
		    e.field, t[i].field);
	}
	/* nesting past the limit, a NUL byte, a body too large, a NULL body */
	memset(deep, '[', sizeof(deep));
	ck_assert_int_eq(mpesa_stk_callback_parse(deep, sizeof(deep), &c, &e), MPESA_EPARSE);
	ck_assert_int_eq(mpesa_stk_callback_parse("{\"a\":\"\0\"}", 9, &c, &e), MPESA_EPARSE);
	buf_puts(&big, "{\"x\":\"");
	for (int i = 0; i < 70000; i++)
		buf_putc(&big, 'a');
	buf_puts(&big, "\"}");
	ck_assert_int_eq(mpesa_stk_callback_parse(big.data, big.len, &c, &e), MPESA_EPARSE);
	buf_free(&big);
	ck_assert_int_eq(mpesa_stk_callback_parse(NULL, 0, &c, NULL), MPESA_EPARSE);
	/* the length is honoured: the text after it is not read */
	ck_assert_int_eq(mpesa_stk_callback_parse(CB_HEAD "\"ResultCode\":1" CB_TAIL "garbage",
	    strlen(CB_HEAD "\"ResultCode\":1" CB_TAIL), &c, &e), MPESA_OK);
}
END_TEST

START_TEST(callback_answers)
{
	ck_assert_str_eq(mpesa_callback_ack_json(), "{\"ResultCode\":0,\"ResultDesc\":\"Accepted\"}");
	ck_assert_str_eq(mpesa_c2b_accept_json(), "{\"ResultCode\":\"0\",\"ResultDesc\":\"Accepted\"}");
	ck_assert_str_eq(mpesa_c2b_reject_json(MPESA_C2B_INVALID_MSISDN),
	    "{\"ResultCode\":\"C2B00011\",\"ResultDesc\":\"Rejected\"}");
	ck_assert_str_eq(mpesa_c2b_reject_json(MPESA_C2B_INVALID_ACCOUNT),
	    "{\"ResultCode\":\"C2B00012\",\"ResultDesc\":\"Rejected\"}");
	ck_assert_str_eq(mpesa_c2b_reject_json(MPESA_C2B_INVALID_AMOUNT),
	    "{\"ResultCode\":\"C2B00013\",\"ResultDesc\":\"Rejected\"}");
	ck_assert_str_eq(mpesa_c2b_reject_json(MPESA_C2B_OTHER_ERROR),
	    "{\"ResultCode\":\"C2B00016\",\"ResultDesc\":\"Rejected\"}");
	ck_assert_str_eq(mpesa_c2b_reject_json((enum mpesa_c2b_reject)42),
	    "{\"ResultCode\":\"C2B00016\",\"ResultDesc\":\"Rejected\"}");
}
END_TEST

/* ---- C2B ---- */

START_TEST(c2b_confirmation)
{
	struct mpesa_c2b c;
	struct mpesa_error e;
	const char *body = "{\"TransactionType\":\"Pay Bill\",\"TransID\":\"RKTQDM7W6S\","
	    "\"TransTime\":\"20191122063845\",\"TransAmount\":\"10.00\","
	    "\"BusinessShortCode\":\"600638\",\"BillRefNumber\":\"invoice008\","
	    "\"InvoiceNumber\":\"\",\"OrgAccountBalance\":\"49197.00\",\"ThirdPartyTransID\":\"\","
	    "\"MSISDN\":\"2547*****149\",\"FirstName\":\"John\",\"MiddleName\":\"\","
	    "\"LastName\":\"Doe\"}";

	ck_assert_int_eq(mpesa_c2b_parse(body, strlen(body), &c, &e), MPESA_OK);
	ck_assert_str_eq(c.transaction_type, "Pay Bill");
	ck_assert_str_eq(c.trans_id, "RKTQDM7W6S");
	ck_assert_str_eq(c.trans_time, "20191122063845");
	ck_assert_int_eq(c.amount_cents, 1000);
	ck_assert_str_eq(c.business_shortcode, "600638");
	ck_assert_str_eq(c.bill_ref_number, "invoice008");
	ck_assert_str_eq(c.invoice_number, "");
	ck_assert_str_eq(c.org_account_balance, "49197.00");
	ck_assert_str_eq(c.msisdn, "2547*****149");
	ck_assert_int_eq(c.msisdn_masked, 1);
	ck_assert_str_eq(c.first_name, "John");
	ck_assert_str_eq(c.last_name, "Doe");
}
END_TEST

START_TEST(c2b_variants_and_malformed)
{
	struct mpesa_c2b c;
	struct mpesa_error e;
	const char *plain = "{\"TransID\":\"R1\",\"TransAmount\":10,\"BusinessShortCode\":600638,"
	    "\"MSISDN\":254708374149,\"FirstName\":\"Wanjiru W\\u00e1\"}";
	const char *hashed = "{\"TransID\":\"R2\",\"TransAmount\":\"1.5\",\"BusinessShortCode\":"
	    "\"600638\",\"MSISDN\":\"8d5ad2a8d2a4f1f5f1f0b2de8b4f4f3d0e9f2d8b7c6a5b4c3d2e1f0a9b8c7d6e\"}";
	static const struct { const char *body; const char *field; } bad[] = {
		{ "{\"TransAmount\":\"10\",\"BusinessShortCode\":\"1\"}", "TransID" },
		{ "{\"TransID\":\"R\",\"BusinessShortCode\":\"1\"}", "TransAmount" },
		{ "{\"TransID\":\"R\",\"TransAmount\":\"ten\",\"BusinessShortCode\":\"1\"}",
		  "TransAmount" },
		{ "{\"TransID\":\"R\",\"TransAmount\":\"10\"}", "BusinessShortCode" },
		{ "{\"TransID\":[],\"TransAmount\":\"10\",\"BusinessShortCode\":\"1\"}", "TransID" },
		{ "[\"TransID\"]", "" },
		{ "{", "" },
	};

	ck_assert_int_eq(mpesa_c2b_parse(plain, strlen(plain), &c, &e), MPESA_OK);
	ck_assert_int_eq(c.amount_cents, 1000);
	ck_assert_str_eq(c.business_shortcode, "600638");
	ck_assert_str_eq(c.msisdn, "254708374149");
	ck_assert_int_eq(c.msisdn_masked, 0);
	ck_assert_str_eq(c.first_name, "Wanjiru W\xc3\xa1");
	ck_assert_str_eq(c.bill_ref_number, "");
	ck_assert_int_eq(mpesa_c2b_parse(hashed, strlen(hashed), &c, &e), MPESA_OK);
	ck_assert_int_eq(c.amount_cents, 150);
	ck_assert_int_eq(c.msisdn_masked, 1);
	ck_assert_uint_eq(strlen(c.msisdn), 64);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_msg(mpesa_c2b_parse(bad[i].body, strlen(bad[i].body), &c, &e) ==
		    MPESA_EPARSE, "%zu", i);
		ck_assert_str_eq(e.field, bad[i].field);
	}
}
END_TEST

/* ---- SMS ---- */

static struct sms_provider
advanta(void)
{
	struct sms_provider p;

	memset(&p, 0, sizeof(p));
	p.kind = SMS_ADVANTA;
	p.api_key = "adv-key";
	p.partner_id = "12345";
	p.sender = "ISPBILL";
	return p;
}

static struct sms_provider
generic(void)
{
	struct sms_provider p;

	memset(&p, 0, sizeof(p));
	p.kind = SMS_GENERIC;
	p.base_url = "https://sms.example";
	p.api_key = "gen-key";
	p.sender = "ISP";
	return p;
}

/* text made of n copies of unit */
static char *
repeat(const char *unit, size_t n)
{
	struct buf b = BUF_INIT;

	for (size_t i = 0; i < n; i++)
		buf_puts(&b, unit);
	return (char *)buf_cstr(&b);
}

START_TEST(sms_bodies)
{
	struct sms_provider p = advanta();
	struct sms_error e;
	struct buf b = BUF_INIT;

	ck_assert_int_eq(sms_body(&p, "254712345678", "Paid \xe2\x82\xac" "1", &b, &e), SMS_OK);
	ck_assert_str_eq(buf_cstr(&b), "{\"apikey\":\"adv-key\",\"partnerID\":\"12345\","
	    "\"message\":\"Paid \xe2\x82\xac" "1\",\"shortcode\":\"ISPBILL\","
	    "\"mobile\":\"254712345678\"}");
	buf_reset(&b);
	p = generic();
	ck_assert_int_eq(sms_body(&p, "254112345678", "line1\nline \"2\"", &b, &e), SMS_OK);
	ck_assert_str_eq(buf_cstr(&b), "{\"to\":\"254112345678\","
	    "\"message\":\"line1\\nline \\\"2\\\"\",\"sender\":\"ISP\"}");
	buf_reset(&b);
	p.sender = NULL;
	ck_assert_int_eq(sms_body(&p, "254112345678", "x", &b, &e), SMS_OK);
	ck_assert_str_eq(buf_cstr(&b), "{\"to\":\"254112345678\",\"message\":\"x\"}");
	buf_free(&b);
}
END_TEST

START_TEST(sms_urls)
{
	struct sms_provider p = advanta();
	struct buf b = BUF_INIT;

	sms_url(&p, &b);
	ck_assert_str_eq(buf_cstr(&b), "https://quicksms.advantasms.com/api/services/sendsms/");
	buf_reset(&b);
	p.base_url = "http://127.0.0.1:8080/";
	sms_url(&p, &b);
	ck_assert_str_eq(buf_cstr(&b), "http://127.0.0.1:8080/api/services/sendsms/");
	buf_reset(&b);
	p.base_url = "https://api.advantasms.com/send";     /* 002's customApiUrl */
	sms_url(&p, &b);
	ck_assert_str_eq(buf_cstr(&b), "https://api.advantasms.com/send");
	buf_reset(&b);
	p = generic();
	p.base_url = "https://sms.example/v1/";
	sms_url(&p, &b);
	ck_assert_str_eq(buf_cstr(&b), "https://sms.example/v1/sms/send");
	buf_free(&b);
}
END_TEST

START_TEST(sms_checks)
{
	static const char *const bad_to[] = { "0712345678", "+254712345678", "25471234567",
	    "2547123456789", "254212345678", "255712345678", "", NULL };
	struct sms_provider p = advanta();
	struct sms_error e;
	struct buf b = BUF_INIT;
	char *t;

	for (size_t i = 0; i < sizeof(bad_to) / sizeof(bad_to[0]); i++) {
		ck_assert_int_eq(sms_body(&p, bad_to[i], "hi", &b, &e), SMS_EINVAL);
		ck_assert_str_eq(e.field, "to");
	}
	ck_assert_int_eq(sms_body(&p, "254712345678", "", &b, &e), SMS_EINVAL);
	ck_assert_str_eq(e.field, "text");
	ck_assert_int_eq(sms_body(&p, "254712345678", NULL, &b, &e), SMS_EINVAL);
	ck_assert_str_eq(e.field, "text");
	ck_assert_int_eq(sms_body(&p, "254712345678", "bad \xc3(", &b, &e), SMS_EINVAL);
	ck_assert_str_eq(e.field, "text");
	t = repeat("a", 1601);
	ck_assert_int_eq(sms_body(&p, "254712345678", t, &b, &e), SMS_EINVAL);
	ck_assert_str_eq(e.field, "text");
	free(t);
	t = repeat("a", 1600);
	ck_assert_int_eq(sms_body(&p, "254712345678", t, &b, &e), SMS_OK);
	free(t);
	buf_reset(&b);
	/* 1600 characters of three bytes each: 4800 bytes, still one message's worth */
	t = repeat("\xe2\x82\xac", 1600);
	ck_assert_int_eq(sms_text_chars(t), 1600);
	ck_assert_int_eq(sms_body(&p, "254712345678", t, &b, &e), SMS_OK);
	free(t);
	t = repeat("\xf0\x9f\x98\x80", 1601);   /* 1601 emoji */
	ck_assert_int_eq(sms_body(&p, "254712345678", t, &b, &e), SMS_EINVAL);
	ck_assert_str_eq(e.field, "text");
	free(t);
	buf_reset(&b);
	p.api_key = "";
	ck_assert_int_eq(sms_body(&p, "254712345678", "x", &b, &e), SMS_EINVAL);
	ck_assert_str_eq(e.field, "api_key");
	p = advanta();
	p.partner_id = NULL;
	ck_assert_int_eq(sms_body(&p, "254712345678", "x", &b, &e), SMS_EINVAL);
	ck_assert_str_eq(e.field, "partner_id");
	p = advanta();
	p.sender = "";
	ck_assert_int_eq(sms_body(&p, "254712345678", "x", &b, &e), SMS_EINVAL);
	ck_assert_str_eq(e.field, "sender");
	p = generic();
	p.base_url = NULL;
	ck_assert_int_eq(sms_body(&p, "254712345678", "x", &b, &e), SMS_EINVAL);
	ck_assert_str_eq(e.field, "base_url");
	p.kind = (enum sms_kind)9;
	ck_assert_int_eq(sms_body(&p, "254712345678", "x", &b, &e), SMS_EINVAL);
	ck_assert_str_eq(e.field, "kind");
	ck_assert_uint_eq(b.len, 0);
	ck_assert_int_eq(sms_text_chars(NULL), -1);
	ck_assert(sms_phone_valid("254712345678"));
	buf_free(&b);
}
END_TEST

START_TEST(sms_advanta_answers)
{
	struct sms_result r;
	struct sms_error e;
	char out[256];

	ck_assert_int_eq(sms_parse(SMS_ADVANTA, 200, S("{\"responses\":[{\"response-code\":200,"
	    "\"response-description\":\"Success\",\"mobile\":254712345678,\"messageid\":8290842,"
	    "\"networkid\":\"1\"}]}"), &r, &e), SMS_OK);
	ck_assert_str_eq(r.message_id, "8290842");
	ck_assert_str_eq(r.status, "Success");
	ck_assert_str_eq(r.provider_code, "200");
	/* the misspelt key, codes and ids as strings */
	ck_assert_int_eq(sms_parse(SMS_ADVANTA, 200, S("{\"responses\":[{\"respose-code\":\"200\","
	    "\"response-description\":\"Success\",\"mobile\":\"254712345678\","
	    "\"messageid\":\"abc123\"}]}"), &r, &e), SMS_OK);
	ck_assert_str_eq(r.message_id, "abc123");
	/* per-number refusals */
	ck_assert_int_eq(sms_parse(SMS_ADVANTA, 200, S("{\"responses\":[{\"response-code\":1004,"
	    "\"response-description\":\"Low bulk credits\",\"mobile\":254712345678}]}"), &r, &e),
	    SMS_EPROVIDER);
	ck_assert_str_eq(e.provider_code, "1004");
	ck_assert_str_eq(e.message, "Low bulk credits");
	ck_assert_int_eq(e.retry, 0);
	ck_assert_str_eq(sms_error_format(&e, out, sizeof(out)),
	    "provider 1004: Low bulk credits (HTTP 200)");
	ck_assert_int_eq(sms_parse(SMS_ADVANTA, 200, S("{\"responses\":[{\"respose-code\":1003}]}"),
	    &r, &e), SMS_EPROVIDER);
	ck_assert_str_eq(e.message, "Invalid mobile number");   /* Advanta's text, filled in */
	ck_assert_int_eq(sms_parse(SMS_ADVANTA, 200, S("{\"responses\":[{\"response-code\":1001,"
	    "\"response-description\":\"Invalid sender id\"}]}"), &r, &e), SMS_EPROVIDER);
	ck_assert_str_eq(e.provider_code, "1001");
	/* whole-request refusals come bare */
	ck_assert_int_eq(sms_parse(SMS_ADVANTA, 200, S("{\"response-code\":1006,"
	    "\"response-description\":\"Invalid credentials\"}"), &r, &e), SMS_EPROVIDER);
	ck_assert_str_eq(e.provider_code, "1006");
	ck_assert_str_eq(e.message, "Invalid credentials");
	ck_assert_int_eq(sms_parse(SMS_ADVANTA, 200, S("{\"response-code\":4090}"), &r, &e),
	    SMS_EPROVIDER);
	ck_assert_int_eq(e.retry, 1);
	ck_assert_int_eq(sms_parse(SMS_ADVANTA, 503, S("{\"response-code\":1005,"
	    "\"response-description\":\"Failed. System error\"}"), &r, &e), SMS_EPROVIDER);
	ck_assert_int_eq(e.http_status, 503);
	ck_assert_int_eq(e.retry, 1);
	ck_assert_int_eq(sms_parse(SMS_ADVANTA, 200, S("{\"response-code\":77777}"), &r, &e),
	    SMS_EPROVIDER);
	ck_assert_str_eq(e.message, "refused");
	ck_assert_ptr_null(sms_advanta_code_str(77777));
	/* not Advanta's */
	ck_assert_int_eq(sms_parse(SMS_ADVANTA, 200, S("{\"responses\":[]}"), &r, &e), SMS_EPARSE);
	ck_assert_int_eq(sms_parse(SMS_ADVANTA, 200, S("<html>"), &r, &e), SMS_EPARSE);
	ck_assert_int_eq(sms_parse(SMS_ADVANTA, 200, S(""), &r, &e), SMS_EPARSE);
	ck_assert_int_eq(sms_parse(SMS_ADVANTA, 502, S("<html>bad gateway</html>"), &r, &e),
	    SMS_EHTTP);
	ck_assert_int_eq(e.retry, 1);
	ck_assert_int_eq(sms_parse(SMS_ADVANTA, 404, S("{\"error\":\"x\"}"), &r, &e), SMS_EHTTP);
	ck_assert_int_eq(e.retry, 0);
	ck_assert_str_eq(sms_code_str(SMS_EPROVIDER), "provider");
	ck_assert_str_eq(sms_code_str((enum sms_code)50), "unknown");
}
END_TEST

START_TEST(sms_generic_answers)
{
	struct sms_result r;
	struct sms_error e;

	ck_assert_int_eq(sms_parse(SMS_GENERIC, 200, S("{\"id\":\"msg_1a2b\",\"status\":\"queued\"}"),
	    &r, &e), SMS_OK);
	ck_assert_str_eq(r.message_id, "msg_1a2b");
	ck_assert_str_eq(r.status, "queued");
	ck_assert_int_eq(sms_parse(SMS_GENERIC, 201, S("{\"id\":42}"), &r, &e), SMS_OK);
	ck_assert_str_eq(r.message_id, "42");
	ck_assert_str_eq(r.status, "");
	ck_assert_int_eq(sms_parse(SMS_GENERIC, 200, S("{\"status\":\"queued\"}"), &r, &e),
	    SMS_EPARSE);
	ck_assert_str_eq(e.field, "id");
	ck_assert_int_eq(sms_parse(SMS_GENERIC, 401, S("{\"error\":\"invalid API key\"}"), &r, &e),
	    SMS_EPROVIDER);
	ck_assert_str_eq(e.message, "invalid API key");
	ck_assert_int_eq(e.http_status, 401);
	ck_assert_int_eq(sms_parse(SMS_GENERIC, 400, S("{\"message\":\"bad number\",\"code\":\"E12\"}"),
	    &r, &e), SMS_EPROVIDER);
	ck_assert_str_eq(e.provider_code, "E12");
	ck_assert_int_eq(sms_parse(SMS_GENERIC, 503, S("{\"error\":\"provider unavailable\"}"), &r,
	    &e), SMS_EPROVIDER);
	ck_assert_int_eq(e.retry, 1);
	ck_assert_int_eq(sms_parse(SMS_GENERIC, 500, S(""), &r, &e), SMS_EHTTP);
	ck_assert_int_eq(sms_parse(SMS_GENERIC, 200, S("[]"), &r, NULL), SMS_EPARSE);
}
END_TEST

/* ---- calls against a one-shot HTTP server on loopback ---- */

struct srv {
	int lfd;
	int port;
	pthread_t th;
	char reply[8192];     /* the whole HTTP answer; "" never answers */
	char req[32768];      /* the request as received */
	size_t reqlen;
};

/* Read one request (headers, then Content-Length bytes of body). */
static void
srv_read_request(struct srv *s, int fd)
{
	struct pollfd p = { fd, POLLIN, 0 };
	size_t want = 0;
	const char *eoh, *cl;
	ssize_t n;

	while (s->reqlen < sizeof(s->req) - 1 && poll(&p, 1, 5000) == 1) {
		n = read(fd, s->req + s->reqlen, sizeof(s->req) - 1 - s->reqlen);
		if (n <= 0)
			break;
		s->reqlen += (size_t)n;
		s->req[s->reqlen] = '\0';
		if ((eoh = strstr(s->req, "\r\n\r\n")) == NULL)
			continue;
		cl = strcasestr(s->req, "\r\nContent-Length:");
		want = (size_t)(eoh + 4 - s->req) + (cl && cl < eoh ? strtoul(cl + 17, NULL, 10) : 0);
		if (s->reqlen >= want)
			break;
	}
}

static void *
srv_main(void *arg)
{
	struct srv *s = arg;
	struct pollfd p;
	char sink[256];
	int fd;

	if ((fd = accept(s->lfd, NULL, NULL)) < 0)
		return NULL;
	srv_read_request(s, fd);
	if (s->reply[0] != '\0') {
		ssize_t left = (ssize_t)strlen(s->reply), n;
		const char *q = s->reply;

		while (left > 0 && (n = write(fd, q, (size_t)left)) > 0) {
			q += n;
			left -= n;
		}
	} else {
		/* never answer: wait for the client to give up and hang up */
		p.fd = fd;
		p.events = POLLIN;
		while (poll(&p, 1, 10000) == 1 && read(fd, sink, sizeof(sink)) > 0)
			;
	}
	close(fd);
	return NULL;
}

/* Listen on 127.0.0.1, answer one request with status and body (body NULL:
 * never answer). */
static void
srv_start(struct srv *s, int status, const char *body)
{
	struct sockaddr_in a;
	socklen_t alen = sizeof(a);

	memset(s, 0, sizeof(*s));
	setenv("NO_PROXY", "127.0.0.1", 1);   /* a proxy in the environment is not ours */
	if (body != NULL)
		snprintf(s->reply, sizeof(s->reply), "HTTP/1.1 %d X\r\nContent-Type: "
		    "application/json\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n%s",
		    status, strlen(body), body);
	s->lfd = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_int_ge(s->lfd, 0);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(s->lfd, (struct sockaddr *)&a, sizeof(a)), 0);
	ck_assert_int_eq(listen(s->lfd, 4), 0);
	ck_assert_int_eq(getsockname(s->lfd, (struct sockaddr *)&a, &alen), 0);
	s->port = ntohs(a.sin_port);
	pthread_create(&s->th, NULL, srv_main, s);
}

static void
srv_stop(struct srv *s)
{
	pthread_join(s->th, NULL);
	close(s->lfd);
}

static char base_url[64];

static struct mpesa_config
srv_cfg(const struct srv *s)
{
	struct mpesa_config c = sample_cfg();

	snprintf(base_url, sizeof(base_url), "http://127.0.0.1:%d/", s->port);
	c.base_url = base_url;
	c.connect_timeout_ms = 2000;
	c.timeout_ms = 5000;
	return c;
}

static const char *
srv_body(const struct srv *s)
{
	const char *p = strstr(s->req, "\r\n\r\n");

	return p ? p + 4 : "";
}

static int
srv_has(const struct srv *s, const char *line)
{
	return strstr(s->req, line) != NULL;
}

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

START_TEST(call_token_fetch)
{
	struct srv s;
	struct mpesa_config cfg;
	struct mpesa_error e;
	char tok[MPESA_TOKEN_MAX];
	long exp = 0;

	srv_start(&s, 200, "{\"access_token\":\"T0k3n\",\"expires_in\":\"3599\"}");
	cfg = srv_cfg(&s);
	ck_assert_int_eq(mpesa_token_fetch(&cfg, tok, &exp, &e), MPESA_OK);
	srv_stop(&s);
	ck_assert_str_eq(tok, "T0k3n");
	ck_assert_int_eq(exp, 3599);
	ck_assert(srv_has(&s, "GET /oauth/v1/generate?grant_type=client_credentials HTTP/1.1\r\n"));
	/* base64("key:secret") */
	ck_assert(srv_has(&s, "\r\nAuthorization: Basic a2V5OnNlY3JldA==\r\n"));
	ck_assert(!srv_has(&s, "Content-Type"));

	srv_start(&s, 400, "{\"requestId\":\"\",\"errorCode\":\"400.008.01\","
	    "\"errorMessage\":\"Invalid Authentication passed\"}");
	cfg = srv_cfg(&s);
	ck_assert_int_eq(mpesa_token_fetch(&cfg, tok, &exp, &e), MPESA_EDARAJA);
	srv_stop(&s);
	ck_assert_str_eq(e.error_code, "400.008.01");
	ck_assert_int_eq(e.http_status, 400);

	cfg.consumer_key = "";
	ck_assert_int_eq(mpesa_token_fetch(&cfg, tok, &exp, &e), MPESA_EINVAL);
	ck_assert_str_eq(e.field, "consumer_key");
	cfg.consumer_key = "a:b";
	ck_assert_int_eq(mpesa_token_fetch(&cfg, tok, &exp, &e), MPESA_EINVAL);
	cfg.consumer_key = "key";
	cfg.consumer_secret = NULL;
	ck_assert_int_eq(mpesa_token_fetch(&cfg, tok, &exp, &e), MPESA_EINVAL);
	ck_assert_str_eq(e.field, "consumer_secret");
}
END_TEST

START_TEST(call_stk_push)
{
	struct srv s;
	struct mpesa_config cfg;
	struct mpesa_stk_req req = sample_req();
	struct mpesa_stk_resp r;
	struct mpesa_error e;
	char ts[15];
	const char *b;

	srv_start(&s, 200, "{\"MerchantRequestID\":\"29115-34620561-1\",\"CheckoutRequestID\":"
	    "\"ws_CO_191220191020363925\",\"ResponseCode\":\"0\",\"ResponseDescription\":"
	    "\"Success. Request accepted for processing\",\"CustomerMessage\":\"Success.\"}");
	cfg = srv_cfg(&s);
	ck_assert_int_eq(mpesa_stk_push(&cfg, "T0k3n", &req, &r, &e), MPESA_OK);
	srv_stop(&s);
	ck_assert_str_eq(r.checkout_request_id, "ws_CO_191220191020363925");
	ck_assert(srv_has(&s, "POST /mpesa/stkpush/v1/processrequest HTTP/1.1\r\n"));
	ck_assert(srv_has(&s, "\r\nAuthorization: Bearer T0k3n\r\n"));
	ck_assert(srv_has(&s, "\r\nContent-Type: application/json\r\n"));
	b = srv_body(&s);
	ck_assert_ptr_nonnull(strstr(b, "\"Amount\":1,\"PartyA\":254708374149,"));
	/* one timestamp, in Nairobi time, in both places */
	ck_assert_ptr_nonnull(strstr(b, "\"Timestamp\":\""));
	memcpy(ts, strstr(b, "\"Timestamp\":\"") + 13, 14);
	ts[14] = '\0';
	{
		char pw[256], want[300];

		ck_assert_int_eq(mpesa_password(SAMPLE_SHORTCODE, SAMPLE_PASSKEY, ts, pw,
		    sizeof(pw)), MPESA_OK);
		snprintf(want, sizeof(want), "\"Password\":\"%s\",\"Timestamp\":\"%s\"", pw, ts);
		ck_assert_ptr_nonnull(strstr(b, want));
	}

	/* an expired token: the distinct error the caller renews on */
	srv_start(&s, 404, "{\"requestId\":\"1-2-3\",\"errorCode\":\"404.001.03\","
	    "\"errorMessage\":\"Invalid Access Token\"}");
	cfg = srv_cfg(&s);
	ck_assert_int_eq(mpesa_stk_push(&cfg, "old", &req, &r, &e), MPESA_ETOKEN);
	srv_stop(&s);
	ck_assert_int_eq(e.http_status, 404);
	ck_assert_str_eq(e.request_id, "1-2-3");

	/* nothing is sent for an invalid request or token */
	req.amount = 0;
	ck_assert_int_eq(mpesa_stk_push(&cfg, "T0k3n", &req, &r, &e), MPESA_EINVAL);
	ck_assert_str_eq(e.field, "amount");
	req = sample_req();
	ck_assert_int_eq(mpesa_stk_push(&cfg, "", &req, &r, &e), MPESA_EINVAL);
	ck_assert_str_eq(e.field, "token");
	ck_assert_int_eq(mpesa_stk_push(&cfg, "a\r\nX-Evil: 1", &req, &r, &e), MPESA_EINVAL);
	ck_assert_int_eq(mpesa_stk_push(&cfg, NULL, &req, &r, &e), MPESA_EINVAL);
}
END_TEST

START_TEST(call_stk_query)
{
	struct srv s;
	struct mpesa_config cfg;
	struct mpesa_stk_status st;
	struct mpesa_error e;

	srv_start(&s, 200, "{\"ResponseCode\":\"0\",\"ResponseDescription\":\"ok\","
	    "\"MerchantRequestID\":\"m\",\"CheckoutRequestID\":\"ws_CO_1\",\"ResultCode\":\"1032\","
	    "\"ResultDesc\":\"Request cancelled by user\"}");
	cfg = srv_cfg(&s);
	ck_assert_int_eq(mpesa_stk_query(&cfg, "T0k3n", "ws_CO_1", &st, &e), MPESA_OK);
	srv_stop(&s);
	ck_assert_int_eq(st.result_code, 1032);
	ck_assert(srv_has(&s, "POST /mpesa/stkpushquery/v1/query HTTP/1.1\r\n"));
	ck_assert(srv_has(&s, "\r\nAuthorization: Bearer T0k3n\r\n"));
	ck_assert(srv_has(&s, "\r\nContent-Type: application/json\r\n"));
	ck_assert_ptr_nonnull(strstr(srv_body(&s), "\"CheckoutRequestID\":\"ws_CO_1\"}"));

	srv_start(&s, 500, "{\"requestId\":\"r\",\"errorCode\":\"500.001.1001\","
	    "\"errorMessage\":\"The transaction is being processed\"}");
	cfg = srv_cfg(&s);
	ck_assert_int_eq(mpesa_stk_query(&cfg, "T0k3n", "ws_CO_1", &st, &e), MPESA_EPENDING);
	srv_stop(&s);
	ck_assert_int_eq(e.http_status, 500);
}
END_TEST

START_TEST(call_c2b_register)
{
	struct srv s;
	struct mpesa_config cfg;
	struct mpesa_error e;

	srv_start(&s, 200, "{\"OriginatorCoversationID\":\"x\",\"ResponseCode\":\"0\","
	    "\"ResponseDescription\":\"Success\"}");
	cfg = srv_cfg(&s);
	ck_assert_int_eq(mpesa_c2b_register(&cfg, "T0k3n", "https://isp.example/c",
	    "https://isp.example/v", MPESA_C2B_COMPLETED, &e), MPESA_OK);
	srv_stop(&s);
	ck_assert(srv_has(&s, "POST /mpesa/c2b/v1/registerurl HTTP/1.1\r\n"));
	ck_assert(srv_has(&s, "\r\nAuthorization: Bearer T0k3n\r\n"));
	ck_assert(srv_has(&s, "\r\nContent-Type: application/json\r\n"));
	ck_assert_str_eq(srv_body(&s), "{\"ShortCode\":\"174379\",\"ResponseType\":\"Completed\","
	    "\"ConfirmationURL\":\"https://isp.example/c\",\"ValidationURL\":\"https://isp.example/v\"}");
}
END_TEST

START_TEST(call_silent_server_times_out)
{
	struct srv s;
	struct mpesa_config cfg;
	struct mpesa_stk_req req = sample_req();
	struct mpesa_stk_resp r;
	struct mpesa_error e;
	long long t0, took;

	srv_start(&s, 0, NULL);
	cfg = srv_cfg(&s);
	cfg.timeout_ms = 400;
	t0 = now_ms();
	ck_assert_int_eq(mpesa_stk_push(&cfg, "T0k3n", &req, &r, &e), MPESA_ETIMEOUT);
	took = now_ms() - t0;
	srv_stop(&s);
	ck_assert_msg(took >= 350 && took < 1400, "took %lld ms", took);
	ck_assert(srv_has(&s, "POST /mpesa/stkpush/v1/processrequest"));
}
END_TEST

START_TEST(call_transport_errors)
{
	struct mpesa_config cfg = sample_cfg();
	struct mpesa_error e;
	struct sockaddr_in a;
	socklen_t alen = sizeof(a);
	char tok[MPESA_TOKEN_MAX];
	long exp;
	int fd;

	/* a port nobody listens on */
	fd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&a, &alen), 0);
	close(fd);
	snprintf(base_url, sizeof(base_url), "http://127.0.0.1:%d", ntohs(a.sin_port));
	cfg.base_url = base_url;
	ck_assert_int_eq(mpesa_token_fetch(&cfg, tok, &exp, &e), MPESA_ENET);
	ck_assert_int_eq(e.http_status, 0);
	ck_assert_str_ne(e.message, "");
	/* a scheme curl is not allowed to use */
	cfg.base_url = "file:///etc";
	ck_assert_int_eq(mpesa_token_fetch(&cfg, tok, &exp, &e), MPESA_EINVAL);
	ck_assert_str_eq(e.field, "base_url");
}
END_TEST

START_TEST(default_base_url)
{
	unsetenv(MPESA_BASE_URL_ENV);
	ck_assert_str_eq(mpesa_default_base_url(), MPESA_SANDBOX_URL);
	setenv(MPESA_BASE_URL_ENV, "", 1);
	ck_assert_str_eq(mpesa_default_base_url(), MPESA_SANDBOX_URL);
	setenv(MPESA_BASE_URL_ENV, "http://127.0.0.1:9999", 1);
	ck_assert_str_eq(mpesa_default_base_url(), "http://127.0.0.1:9999");
	unsetenv(MPESA_BASE_URL_ENV);
}
END_TEST

START_TEST(call_sms_advanta)
{
	struct srv s;
	struct sms_provider p = advanta();
	struct sms_result r;
	struct sms_error e;

	srv_start(&s, 200, "{\"responses\":[{\"response-code\":200,\"response-description\":"
	    "\"Success\",\"mobile\":254712345678,\"messageid\":8290842,\"networkid\":\"1\"}]}");
	snprintf(base_url, sizeof(base_url), "http://127.0.0.1:%d", s.port);
	p.base_url = base_url;
	ck_assert_int_eq(sms_send(&p, "254712345678", "Asante", &r, &e), SMS_OK);
	srv_stop(&s);
	ck_assert_str_eq(r.message_id, "8290842");
	ck_assert(srv_has(&s, "POST /api/services/sendsms/ HTTP/1.1\r\n"));
	ck_assert(srv_has(&s, "\r\nContent-Type: application/json\r\n"));
	ck_assert(!srv_has(&s, "Authorization"));
	ck_assert_str_eq(srv_body(&s), "{\"apikey\":\"adv-key\",\"partnerID\":\"12345\","
	    "\"message\":\"Asante\",\"shortcode\":\"ISPBILL\",\"mobile\":\"254712345678\"}");

	srv_start(&s, 200, "{\"response-code\":1006,\"response-description\":\"Invalid credentials\"}");
	snprintf(base_url, sizeof(base_url), "http://127.0.0.1:%d", s.port);
	ck_assert_int_eq(sms_send(&p, "254712345678", "Asante", &r, &e), SMS_EPROVIDER);
	srv_stop(&s);
	ck_assert_str_eq(e.provider_code, "1006");

	ck_assert_int_eq(sms_send(&p, "0712345678", "Asante", &r, &e), SMS_EINVAL);
	ck_assert_str_eq(e.field, "to");
}
END_TEST

/* public_only: a proxy from the environment (http_proxy, ALL_PROXY, which
 * libcurl honours) would be the only address the guard sees, and would
 * fetch a private URL for us: such a request goes direct, and is refused. */
START_TEST(call_sms_public_only_ignores_env_proxy)
{
	struct srv s;
	struct sms_provider p = advanta();
	struct sms_result r;
	struct sms_error e;
	struct sockaddr_in a;
	int fd;

	srv_start(&s, 200, "{\"responses\":[{\"response-code\":200,\"response-description\":"
	    "\"Success\",\"mobile\":254712345678,\"messageid\":1,\"networkid\":\"1\"}]}");
	snprintf(base_url, sizeof(base_url), "http://127.0.0.1:%d", s.port);
	setenv("http_proxy", base_url, 1);
	p.base_url = "http://192.168.254.254:9";
	p.public_only = 1;
	p.allowed_addresses = "127.0.0.1";
	p.connect_timeout_ms = 1000;
	p.timeout_ms = 2000;
	ck_assert_int_eq(sms_send(&p, "254712345678", "Asante", &r, &e), SMS_EINVAL);
	unsetenv("http_proxy");
	ck_assert_str_eq(e.field, "base_url");
	ck_assert_msg(strstr(e.message, "192.168.254.254 is not a public address") != NULL, "%s",
	    e.message);
	/* the proxy was not asked (a connection of our own ends its wait) */
	fd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = htons((unsigned short)s.port);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	close(fd);
	srv_stop(&s);
	ck_assert(!srv_has(&s, "192.168.254.254"));
}
END_TEST

START_TEST(call_sms_generic)
{
	struct srv s;
	struct sms_provider p = generic();
	struct sms_result r;
	struct sms_error e;
	long long t0, took;

	srv_start(&s, 200, "{\"id\":\"msg_9\",\"status\":\"queued\"}");
	snprintf(base_url, sizeof(base_url), "http://127.0.0.1:%d/", s.port);
	p.base_url = base_url;
	ck_assert_int_eq(sms_send(&p, "254712345678", "Hello", &r, &e), SMS_OK);
	srv_stop(&s);
	ck_assert_str_eq(r.message_id, "msg_9");
	ck_assert_str_eq(r.status, "queued");
	ck_assert(srv_has(&s, "POST /sms/send HTTP/1.1\r\n"));
	ck_assert(srv_has(&s, "\r\nAuthorization: Bearer gen-key\r\n"));
	ck_assert(srv_has(&s, "\r\nContent-Type: application/json\r\n"));
	ck_assert_str_eq(srv_body(&s), "{\"to\":\"254712345678\",\"message\":\"Hello\","
	    "\"sender\":\"ISP\"}");

	/* a provider that never answers costs the timeout, no more */
	srv_start(&s, 0, NULL);
	snprintf(base_url, sizeof(base_url), "http://127.0.0.1:%d", s.port);
	p.timeout_ms = 400;
	t0 = now_ms();
	ck_assert_int_eq(sms_send(&p, "254712345678", "Hello", &r, &e), SMS_ETIMEOUT);
	took = now_ms() - t0;
	srv_stop(&s);
	ck_assert_msg(took >= 350 && took < 1400, "took %lld ms", took);
	ck_assert_int_eq(e.retry, 1);

	p.base_url = "gopher://x";
	ck_assert_int_eq(sms_send(&p, "254712345678", "Hello", &r, &e), SMS_EINVAL);
	ck_assert_str_eq(e.field, "base_url");
}
END_TEST

static Suite *
mpesa_suite(void)
{
	Suite *s = suite_create("mpesa");
	TCase *text = tcase_create("text");
	TCase *bodies = tcase_create("bodies");
	TCase *answers = tcase_create("answers");
	TCase *inbound = tcase_create("inbound");
	TCase *calls = tcase_create("calls");
	TCase *sms = tcase_create("sms");

	tcase_add_test(text, sample_password);
	tcase_add_test(text, timestamp_is_nairobi_whatever_tz);
	tcase_add_test(text, phone_check);
	tcase_add_test(text, amount_text_to_cents);
	tcase_add_test(text, error_names_and_format);
	tcase_add_test(text, default_base_url);
	suite_add_tcase(s, text);

	tcase_add_test(bodies, stk_body_paybill);
	tcase_add_test(bodies, stk_body_buy_goods);
	tcase_add_test(bodies, stk_body_checks);
	tcase_add_test(bodies, stk_body_cuts_ref_and_desc_by_character);
	tcase_add_test(bodies, query_and_register_bodies);
	suite_add_tcase(s, bodies);

	tcase_add_test(answers, error_bodies);
	tcase_add_test(answers, token_answers);
	tcase_add_test(answers, stk_push_answers);
	tcase_add_test(answers, stk_query_answers);
	tcase_add_test(answers, register_answers);
	suite_add_tcase(s, answers);

	tcase_add_test(inbound, callback_success_sample);
	tcase_add_test(inbound, callback_variants);
	tcase_add_test(inbound, callback_failures_without_metadata);
	tcase_add_test(inbound, callback_malformed);
	tcase_add_test(inbound, callback_answers);
	tcase_add_test(inbound, c2b_confirmation);
	tcase_add_test(inbound, c2b_variants_and_malformed);
	suite_add_tcase(s, inbound);

	tcase_add_test(sms, sms_bodies);
	tcase_add_test(sms, sms_urls);
	tcase_add_test(sms, sms_checks);
	tcase_add_test(sms, sms_advanta_answers);
	tcase_add_test(sms, sms_generic_answers);
	suite_add_tcase(s, sms);

	tcase_add_test(calls, call_token_fetch);
	tcase_add_test(calls, call_stk_push);
	tcase_add_test(calls, call_stk_query);
	tcase_add_test(calls, call_c2b_register);
	tcase_add_test(calls, call_silent_server_times_out);
	tcase_add_test(calls, call_transport_errors);
	tcase_add_test(calls, call_sms_advanta);
	tcase_add_test(calls, call_sms_generic);
	tcase_add_test(calls, call_sms_public_only_ignores_env_proxy);
	tcase_set_timeout(calls, 30);
	suite_add_tcase(s, calls);
	return s;
}

CHECK_MAIN("unit/mpesa", mpesa_suite)
