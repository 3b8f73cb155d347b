/* mpesa.h - Safaricom M-Pesa Daraja client (libispbill): OAuth token, STK
 * push (Lipa na M-Pesa Online), STK query, the STK callback, C2B URL
 * registration, C2B validation/confirmation bodies and the answers ispbill
 * gives Daraja.
 *
 * Layers, each usable alone:
 *   text     timestamp (Nairobi time), password, phone and amount checks.
 *   bodies   the JSON each call sends, built and validated without I/O
 *            (mpesa_*_body), so a test sees exactly what goes on the wire.
 *   answers  Daraja's answers and error bodies read into structs
 *            (mpesa_*_parse, mpesa_daraja_error), also without I/O.
 *   calls    one blocking HTTPS request each (libcurl), bounded by the
 *            config's connect and total timeouts.
 *   inbound  what Daraja posts to ispbill: the STK callback and the C2B
 *            validation/confirmation, and the JSON ispbill answers.
 *
 * Tokens: this library never caches.  The caller keeps the token (core
 * keeps one per tenant in MariaDB), fetches a new one with
 * mpesa_token_fetch before expires_in runs out, and on MPESA_ETOKEN (Daraja
 * said 404.001.03 "Invalid Access Token") fetches once more and retries the
 * call once.
 *
 * Errors: functions returning int return MPESA_OK (0) or an enum
 * mpesa_code and fill the struct mpesa_error the caller passed (which may
 * be NULL).  Memory that cannot be had aborts the process (util/arena.h's
 * policy), so MPESA_ENOMEM only reports libcurl failing to start.
 *
 * Money: amounts sent are whole shillings (Daraja takes no cents); amounts
 * received are read from the number's text into cents, never through a
 * floating-point value.
 *
 * Threads: no state is shared between calls but libcurl's global init,
 * done once (pthread_once); calls may run in several threads at once. */
#ifndef ISP_MPESA_H
#define ISP_MPESA_H

#include <stddef.h>
#include <time.h>

#include "util/buf.h"

/* ---- configuration ---- */

#define MPESA_SANDBOX_URL    "https://sandbox.safaricom.co.ke"
#define MPESA_PRODUCTION_URL "https://api.safaricom.co.ke"
#define MPESA_BASE_URL_ENV   "ISPBILL_MPESA_BASE_URL"

enum mpesa_txn_type {
	MPESA_PAYBILL = 0,   /* CustomerPayBillOnline: PartyB is the paybill */
	MPESA_BUYGOODS       /* CustomerBuyGoodsOnline: PartyB is the till */
};

struct mpesa_config {
	const char *base_url;         /* scheme://host[:port], no path; NULL or
					 "": MPESA_SANDBOX_URL */
	const char *consumer_key;     /* the Daraja app's key and secret (OAuth) */
	const char *consumer_secret;
	const char *shortcode;        /* BusinessShortCode, digits: the paybill
					 number, or for buy goods the store
					 (head office) number; also the C2B
					 ShortCode and the password's first part */
	const char *till;             /* MPESA_BUYGOODS: the till number (PartyB);
					 NULL or "": shortcode */
	const char *passkey;          /* Lipa na M-Pesa Online passkey */
	enum mpesa_txn_type type;
	const char *callback_url;     /* STK CallBackURL, http:// or https:// */
	const char *ca_file;          /* PEM bundle to verify Daraja's certificate
					 against; NULL: the system's store */
	int connect_timeout_ms;       /* TCP + TLS connect; <= 0: 5000 */
	int timeout_ms;               /* the whole request; <= 0: 30000 */
};

/* The Daraja host to use: the environment's ISPBILL_MPESA_BASE_URL when
 * set and not empty, else MPESA_SANDBOX_URL.  The string belongs to the
 * environment or is static: do not free it. */
const char *mpesa_default_base_url(void);

/* ---- errors ---- */

enum mpesa_code {
	MPESA_OK = 0,
	MPESA_EINVAL,    /* an argument or config value is wrong: field names it
			    ("phone", "amount", "shortcode", ...); nothing sent */
	MPESA_ENET,      /* name, connection or TLS failure, or the transfer broke */
	MPESA_ETIMEOUT,  /* connect_timeout_ms or timeout_ms ran out.  For a push
			    the request may still have reached Daraja */
	MPESA_EHTTP,     /* an HTTP error status without a Daraja error body
			    (a gateway page, an empty 503, ...) */
	MPESA_EDARAJA,   /* Daraja refused: error_code, message (and request_id)
			    as Daraja sent them, e.g. 400.002.02 */
	MPESA_ETOKEN,    /* 404.001.03 "Invalid Access Token" (or a 401 with no
			    Daraja error code): renew the token once and retry */
	MPESA_EPENDING,  /* STK query only: 500.001.1001 "The transaction is being
			    processed": ask again later, nothing failed */
	MPESA_EPARSE,    /* an answer or a callback that is not what Daraja sends
			    (not JSON, a field missing or of a wrong type); field
			    names it when one is to blame */
	MPESA_ENOMEM     /* libcurl could not start (global init or a handle) */
};

struct mpesa_error {
	enum mpesa_code code;
	long http_status;        /* the answer's HTTP status; 0 when none was read */
	char field[40];          /* EINVAL/EPARSE: the field at fault, else "" */
	char error_code[40];     /* Daraja's errorCode ("400.002.02",
				    "404.001.03", "500.001.1001") or the
				    resultCode of an OAuth refusal, else "" */
	char request_id[64];     /* Daraja's requestId, else "" */
	char message[256];       /* Daraja's errorMessage or a one-line reason */
};

/* Short stable name of a code: MPESA_ETOKEN -> "token", etc. */
const char *mpesa_code_str(enum mpesa_code code);
/* "daraja 400.002.02: Bad Request - Invalid Amount (HTTP 400)" or
 * "invalid phone: ..." into out (always NUL-terminated).  Returns out. */
const char *mpesa_error_format(const struct mpesa_error *err, char *out, size_t n);

/* ---- text: time, password, phone, amount ---- */

/* YYYYMMDDHHmmss of now in Nairobi time (UTC+3 all year, no daylight
 * saving), whatever the process's TZ: 1700000000 -> "20231115011320". */
void mpesa_timestamp(time_t now, char out[15]);

/* The STK Password: base64(shortcode + passkey + timestamp), NUL-terminated
 * into out.  Returns MPESA_OK, or MPESA_EINVAL when an argument is NULL or
 * out (outlen bytes) is too small. */
int mpesa_password(const char *shortcode, const char *passkey, const char *timestamp,
    char *out, size_t outlen);

/* 1 when phone is what STK push takes: 12 digits, 2547XXXXXXXX or
 * 2541XXXXXXXX.  Normalising (0712..., +254 7..) is the caller's job. */
int mpesa_phone_valid(const char *phone);

/* A decimal amount as Daraja writes it ("10", "10.00", "1.5", a JSON
 * number's text) in cents, exactly: MPESA_OK and *cents, or MPESA_EINVAL
 * for a sign, an exponent, more than two decimals that are not zeros, an
 * empty or non-numeric text, or more than fits. */
int mpesa_amount_cents(const char *text, long long *cents);

/* ---- OAuth ---- */

#define MPESA_TOKEN_MAX 512

/* GET {base}/oauth/v1/generate?grant_type=client_credentials with HTTP
 * Basic base64(consumer_key:consumer_secret); a key that is empty or holds
 * ':', or an empty secret, is MPESA_EINVAL.  On MPESA_OK token holds the
 * access token and *expires_in its lifetime in seconds (Daraja sends
 * "3599", as a string or a number).  Refusals: MPESA_EDARAJA with Daraja's
 * code (errorCode 400.008.01 or resultCode 999991 style), MPESA_EHTTP,
 * MPESA_EPARSE (no access_token, expires_in not a positive whole number,
 * or a token longer than MPESA_TOKEN_MAX - 1). */
int mpesa_token_fetch(const struct mpesa_config *cfg, char token[MPESA_TOKEN_MAX],
    long *expires_in, struct mpesa_error *err);
/* The answer part of mpesa_token_fetch: an HTTP status and body in. */
int mpesa_token_parse(long http_status, const char *body, size_t len,
    char token[MPESA_TOKEN_MAX], long *expires_in, struct mpesa_error *err);

/* ---- Daraja's error bodies ---- */

/* Read a non-2xx answer: {requestId, errorCode, errorMessage} (or the
 * OAuth form {resultCode, resultDesc}) fills err and gives MPESA_ETOKEN
 * for 404.001.03, else MPESA_EDARAJA.  A 401 with no such body is
 * MPESA_ETOKEN; any other answer MPESA_EHTTP with the status and the
 * body's first line.  Always returns a code other than MPESA_OK. */
int mpesa_daraja_error(long http_status, const char *body, size_t len,
    struct mpesa_error *err);

/* ---- STK push ---- */

#define MPESA_AMOUNT_MIN      1
#define MPESA_AMOUNT_MAX      250000
#define MPESA_ACCOUNT_REF_MAX 12     /* characters */
#define MPESA_DESC_MAX        13     /* characters */

struct mpesa_stk_req {
	const char *phone;        /* 2547XXXXXXXX / 2541XXXXXXXX: PartyA and
				     PhoneNumber */
	long long amount;         /* whole shillings, 1..250000 */
	const char *account_ref;  /* AccountReference: not empty; cut to 12
				     characters (UTF-8), not rejected */
	const char *desc;         /* TransactionDesc: not empty; cut to 13
				     characters (UTF-8), not rejected */
};

struct mpesa_stk_resp {
	char merchant_request_id[64];
	char checkout_request_id[64];   /* what the callback and a query carry */
	char response_code[16];         /* "0": accepted for processing */
	char response_description[256];
	char customer_message[256];
};

/* The processrequest body for req at time now into out (appended):
 *   {"BusinessShortCode":174379,"Password":"...","Timestamp":"2016...",
 *    "TransactionType":"CustomerPayBillOnline","Amount":1,
 *    "PartyA":254708374149,"PartyB":174379,"PhoneNumber":254708374149,
 *    "CallBackURL":"https://...","AccountReference":"...",
 *    "TransactionDesc":"..."}
 * Numbers are JSON numbers (as Daraja's own samples), Password and
 * Timestamp share one timestamp.  Checks, each MPESA_EINVAL naming the
 * field, nothing appended: cfg shortcode (1-10 digits), till (buy goods,
 * when set), passkey (not empty), callback_url (http:// or https://);
 * req phone (mpesa_phone_valid), amount (1..250000), account_ref and desc
 * (not NULL, not empty, valid UTF-8; longer ones are cut to 12 and 13
 * characters at a character boundary). */
int mpesa_stk_body(const struct mpesa_config *cfg, const struct mpesa_stk_req *req,
    time_t now, struct buf *out, struct mpesa_error *err);

/* POST {base}/mpesa/stkpush/v1/processrequest with "Authorization:
 * Bearer <token>" and the body above (timestamp of time(NULL)).
 * MPESA_OK with resp filled when Daraja accepted the request (ResponseCode
 * "0"); MPESA_ETOKEN, MPESA_EDARAJA (e.g. 400.002.02 Invalid Amount,
 * 500.001.1001 a transaction is already in process for the subscriber),
 * MPESA_EHTTP, MPESA_ENET, MPESA_ETIMEOUT (the push may still have gone
 * out), MPESA_EPARSE, MPESA_EINVAL (as mpesa_stk_body, or an empty token
 * or one holding a control character). */
int mpesa_stk_push(const struct mpesa_config *cfg, const char *token,
    const struct mpesa_stk_req *req, struct mpesa_stk_resp *resp, struct mpesa_error *err);
/* The answer part of mpesa_stk_push.  A 2xx whose ResponseCode is not "0"
 * is MPESA_EDARAJA with error_code = ResponseCode. */
int mpesa_stk_push_parse(long http_status, const char *body, size_t len,
    struct mpesa_stk_resp *resp, struct mpesa_error *err);

/* ---- STK query ---- */

struct mpesa_stk_status {
	char merchant_request_id[64];
	char checkout_request_id[64];
	char response_code[16];
	char response_description[256];
	long result_code;               /* 0 paid; 1032 cancelled, 1037 no answer
					   from the phone, 2001 wrong PIN, 1
					   insufficient balance, ... */
	char result_desc[256];
};

/* The stkpushquery body: BusinessShortCode, Password, Timestamp and
 * CheckoutRequestID (not empty, at most 63 bytes, no control characters). */
int mpesa_stk_query_body(const struct mpesa_config *cfg, const char *checkout_request_id,
    time_t now, struct buf *out, struct mpesa_error *err);
/* POST {base}/mpesa/stkpushquery/v1/query.  MPESA_OK when Daraja knows the
 * outcome (result_code says which; ResultCode read as a number or a
 * string); MPESA_EPENDING when Daraja answers 500.001.1001 "The
 * transaction is being processed" (error fields filled); the same code
 * with another message ("This transaction does not exist", "Wrong
 * credentials") is MPESA_EDARAJA; else as mpesa_stk_push. */
int mpesa_stk_query(const struct mpesa_config *cfg, const char *token,
    const char *checkout_request_id, struct mpesa_stk_status *out, struct mpesa_error *err);
/* The answer part of mpesa_stk_query. */
int mpesa_stk_query_parse(long http_status, const char *body, size_t len,
    struct mpesa_stk_status *out, struct mpesa_error *err);

/* ---- the STK callback (Daraja -> ispbill) ---- */

struct mpesa_stk_callback {
	char merchant_request_id[64];
	char checkout_request_id[64];
	long result_code;            /* 0 paid, else failed (see mpesa_stk_status) */
	char result_desc[256];
	int has_metadata;            /* CallbackMetadata was present */
	long long amount_cents;      /* Amount (1, 1.00, 1.5 -> 100, 100, 150);
					-1 when absent */
	char receipt[32];            /* MpesaReceiptNumber, "" when absent */
	char transaction_date[16];   /* TransactionDate as written:
					"20191219102115" (Nairobi time), or "" */
	char phone[32];              /* PhoneNumber as written: "254708374149",
					or "" */
	char balance[32];            /* Balance's Value as written, "" when absent
					or given without a Value */
};

/* Read Body.stkCallback from len bytes of body (need not be
 * NUL-terminated; at most 64 KiB).  MerchantRequestID, CheckoutRequestID
 * and ResultCode (a number or a string of digits) are required;
 * CallbackMetadata.Item[] entries are found by Name, in any order, with
 * unknown names ignored and an item without Value (Balance) taken as
 * absent.  A success (ResultCode 0) must carry Amount and
 * MpesaReceiptNumber.  MPESA_OK, or MPESA_EPARSE naming the field. */
int mpesa_stk_callback_parse(const char *body, size_t len, struct mpesa_stk_callback *out,
    struct mpesa_error *err);

/* The answer ispbill gives any Daraja callback it has taken in (STK
 * callback, C2B confirmation): {"ResultCode":0,"ResultDesc":"Accepted"}. */
const char *mpesa_callback_ack_json(void);

/* ---- C2B ---- */

enum mpesa_c2b_response_type {
	MPESA_C2B_COMPLETED = 0,   /* "Completed": Daraja completes the payment
				      when the validation URL does not answer */
	MPESA_C2B_CANCELLED        /* "Cancelled": it cancels it */
};

/* The registerurl body: {"ShortCode":"...","ResponseType":"Completed",
 * "ConfirmationURL":"...","ValidationURL":"..."}.  Both URLs must be
 * http(s):// and, as Daraja's documentation demands, must not hold M-Pesa,
 * MPesa, Safaricom, exe (exec), cmd, sql or query in any case
 * (MPESA_EINVAL naming the URL): so not /api/mpesa/... */
int mpesa_c2b_register_body(const struct mpesa_config *cfg, const char *confirmation_url,
    const char *validation_url, enum mpesa_c2b_response_type response_type,
    struct buf *out, struct mpesa_error *err);
/* POST {base}/mpesa/c2b/v1/registerurl.  MPESA_OK when ResponseCode is "0"
 * (a number or a string), else as mpesa_stk_push. */
int mpesa_c2b_register(const struct mpesa_config *cfg, const char *token,
    const char *confirmation_url, const char *validation_url,
    enum mpesa_c2b_response_type response_type, struct mpesa_error *err);
/* The answer part of mpesa_c2b_register. */
int mpesa_c2b_register_parse(long http_status, const char *body, size_t len,
    struct mpesa_error *err);

/* A C2B validation or confirmation request (Daraja -> ispbill). */
struct mpesa_c2b {
	char transaction_type[32];    /* "Pay Bill", "Buy Goods", ... */
	char trans_id[32];            /* TransID: the M-Pesa receipt */
	char trans_time[16];          /* "20191122063845", Nairobi time */
	long long amount_cents;       /* TransAmount "10", "10.00" -> 1000 */
	char business_shortcode[16];
	char bill_ref_number[64];     /* the account the customer typed */
	char invoice_number[64];
	char org_account_balance[32]; /* confirmation only, else "" */
	char third_party_trans_id[64];
	char msisdn[80];              /* as given: "254708374149", masked
					 "2547*****149" or a hash */
	int msisdn_masked;            /* 1 unless msisdn is a plain 2547/2541
					 12-digit number */
	char first_name[64];
	char middle_name[64];
	char last_name[64];
};

/* Read a C2B validation/confirmation body.  TransID, TransAmount (a string
 * or a number) and BusinessShortCode are required, the rest default to "";
 * an identifier (TransID, BillRefNumber, MSISDN, ...) longer than its field
 * is refused, never cut; names and TransactionType are cut at a character
 * boundary.  MPESA_OK, or MPESA_EPARSE naming the field. */
int mpesa_c2b_parse(const char *body, size_t len, struct mpesa_c2b *out,
    struct mpesa_error *err);

/* Why a validation is refused, as Daraja's C2B result codes. */
enum mpesa_c2b_reject {
	MPESA_C2B_INVALID_MSISDN = 0,  /* C2B00011 */
	MPESA_C2B_INVALID_ACCOUNT,     /* C2B00012 */
	MPESA_C2B_INVALID_AMOUNT,      /* C2B00013 */
	MPESA_C2B_INVALID_KYC,         /* C2B00014 */
	MPESA_C2B_INVALID_SHORTCODE,   /* C2B00015 */
	MPESA_C2B_OTHER_ERROR          /* C2B00016 */
};

/* Validation answers: {"ResultCode":"0","ResultDesc":"Accepted"} and
 * {"ResultCode":"C2B00012","ResultDesc":"Rejected"} (an unknown reason is
 * C2B00016).  Static strings. */
const char *mpesa_c2b_accept_json(void);
const char *mpesa_c2b_reject_json(enum mpesa_c2b_reject reason);

#endif
