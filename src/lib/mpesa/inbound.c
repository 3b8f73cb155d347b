/* inbound.c - what Daraja posts to ispbill: the STK callback and the C2B
 * validation/confirmation requests, read strictly; and the JSON ispbill
 * answers them with. */
#include "config.h"
#include "lib/mpesa/mpesa_int.h"

#include <string.h>

#include "json/json.h"
#include "lib/mpesa/httpc.h"

/* Parse a body Daraja posted into *v (an object).  MPESA_OK or EPARSE. */
static int
inbound_json(const char *body, size_t len, yajl_val *v, struct mpesa_error *err)
{
	char why[160];

	*v = httpc_json(body, len, why, sizeof(why));
	if (*v == NULL)
		return mp_fail(err, MPESA_EPARSE, NULL, "%s", why);
	if (!YAJL_IS_OBJECT(*v)) {
		yajl_tree_free(*v);
		*v = NULL;
		return mp_fail(err, MPESA_EPARSE, NULL, "not a JSON object");
	}
	return MPESA_OK;
}

/* ---- the STK callback ---- */

enum item { IT_AMOUNT, IT_RECEIPT, IT_DATE, IT_PHONE, IT_BALANCE, IT_N };

static const char *const item_names[IT_N] = {
	[IT_AMOUNT] = "Amount",
	[IT_RECEIPT] = "MpesaReceiptNumber",
	[IT_DATE] = "TransactionDate",
	[IT_PHONE] = "PhoneNumber",
	[IT_BALANCE] = "Balance",
};

/* One CallbackMetadata item with a Value, known by its Name. */
static int
take_item(enum item it, yajl_val item, struct mpesa_stk_callback *out, struct mpesa_error *err)
{
	const char *name = item_names[it];
	const char *text = httpc_text(json_obj_get(item, "Value"));

	if (text == NULL)
		return mp_fail(err, MPESA_EPARSE, name, "Value is not a string or a number");
	switch (it) {
	case IT_AMOUNT:
		if (mpesa_amount_cents(text, &out->amount_cents) != MPESA_OK)
			return mp_fail(err, MPESA_EPARSE, name, "not an amount in cents");
		return MPESA_OK;
	case IT_RECEIPT:
		return mp_copy_id(name, text, out->receipt, sizeof(out->receipt), err);
	case IT_DATE:
		if (!httpc_digits(text, 14))
			return mp_fail(err, MPESA_EPARSE, name, "not YYYYMMDDHHmmss");
		return mp_copy_id(name, text, out->transaction_date,
		    sizeof(out->transaction_date), err);
	case IT_PHONE:
		return mp_copy_id(name, text, out->phone, sizeof(out->phone), err);
	case IT_BALANCE:
		return mp_copy_id(name, text, out->balance, sizeof(out->balance), err);
	default:
		return MPESA_OK;
	}
}

static int
callback_items(yajl_val meta, struct mpesa_stk_callback *out, struct mpesa_error *err)
{
	yajl_val items = json_obj_get(meta, "Item");
	unsigned seen = 0;
	int rc;

	if (items == NULL || !YAJL_IS_ARRAY(items))
		return mp_fail(err, MPESA_EPARSE, "CallbackMetadata.Item", "not an array");
	for (size_t i = 0; i < items->u.array.len; i++) {
		yajl_val item = items->u.array.values[i], value;
		const char *name = NULL;
		int it;

		if (json_get_str(item, "Name", &name) != JSON_OK)
			return mp_fail(err, MPESA_EPARSE, "CallbackMetadata.Item",
			    "an item without a Name");
		for (it = 0; it < IT_N && strcmp(name, item_names[it]) != 0; it++)
			;
		if (it == IT_N)
			continue;   /* a name Daraja may add one day */
		if (seen & (1u << it))
			return mp_fail(err, MPESA_EPARSE, item_names[it], "given twice");
		seen |= 1u << it;
		value = json_obj_get(item, "Value");
		if (value == NULL || YAJL_IS_NULL(value))
			continue;   /* Balance comes without a Value */
		if ((rc = take_item((enum item)it, item, out, err)) != MPESA_OK)
			return rc;
	}
	return MPESA_OK;
}

int
mpesa_stk_callback_parse(const char *body, size_t len, struct mpesa_stk_callback *out,
    struct mpesa_error *err)
{
	yajl_val v, cb, meta;
	int rc;

	memset(out, 0, sizeof(*out));
	out->amount_cents = -1;
	if ((rc = inbound_json(body, len, &v, err)) != MPESA_OK)
		return rc;
	cb = httpc_path(v, "Body", "stkCallback", NULL);
	if (cb == NULL || !YAJL_IS_OBJECT(cb)) {
		rc = mp_fail(err, MPESA_EPARSE, "Body.stkCallback", "missing or not an object");
		goto out;
	}
	if ((rc = mp_take_id(cb, "MerchantRequestID", out->merchant_request_id,
	    sizeof(out->merchant_request_id), 1, err)) != MPESA_OK ||
	    (rc = mp_take_id(cb, "CheckoutRequestID", out->checkout_request_id,
	    sizeof(out->checkout_request_id), 1, err)) != MPESA_OK)
		goto out;
	if (httpc_long(json_obj_get(cb, "ResultCode"), &out->result_code) != 0) {
		rc = mp_fail(err, MPESA_EPARSE, "ResultCode", "missing or not a whole number");
		goto out;
	}
	mp_take_text(cb, "ResultDesc", out->result_desc, sizeof(out->result_desc));
	meta = json_obj_get(cb, "CallbackMetadata");
	if (meta != NULL && !YAJL_IS_NULL(meta)) {
		if (!YAJL_IS_OBJECT(meta)) {
			rc = mp_fail(err, MPESA_EPARSE, "CallbackMetadata", "not an object");
			goto out;
		}
		out->has_metadata = 1;
		if ((rc = callback_items(meta, out, err)) != MPESA_OK)
			goto out;
	}
	if (out->result_code == 0 && out->amount_cents < 0)
		rc = mp_fail(err, MPESA_EPARSE, "Amount", "a success without an Amount");
	else if (out->result_code == 0 && out->receipt[0] == '\0')
		rc = mp_fail(err, MPESA_EPARSE, "MpesaReceiptNumber",
		    "a success without a receipt");
out:
	yajl_tree_free(v);
	return rc;
}

const char *
mpesa_callback_ack_json(void)
{
	return "{\"ResultCode\":0,\"ResultDesc\":\"Accepted\"}";
}

/* ---- C2B ---- */

int
mpesa_c2b_parse(const char *body, size_t len, struct mpesa_c2b *out, struct mpesa_error *err)
{
	const char *amount;
	yajl_val v;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = inbound_json(body, len, &v, err)) != MPESA_OK)
		return rc;
	if ((rc = mp_take_id(v, "TransID", out->trans_id, sizeof(out->trans_id), 1, err))
	    != MPESA_OK ||
	    (rc = mp_take_id(v, "BusinessShortCode", out->business_shortcode,
	    sizeof(out->business_shortcode), 1, err)) != MPESA_OK ||
	    (rc = mp_take_id(v, "TransTime", out->trans_time, sizeof(out->trans_time), 0,
	    err)) != MPESA_OK ||
	    (rc = mp_take_id(v, "BillRefNumber", out->bill_ref_number,
	    sizeof(out->bill_ref_number), 0, err)) != MPESA_OK ||
	    (rc = mp_take_id(v, "InvoiceNumber", out->invoice_number,
	    sizeof(out->invoice_number), 0, err)) != MPESA_OK ||
	    (rc = mp_take_id(v, "ThirdPartyTransID", out->third_party_trans_id,
	    sizeof(out->third_party_trans_id), 0, err)) != MPESA_OK ||
	    (rc = mp_take_id(v, "MSISDN", out->msisdn, sizeof(out->msisdn), 0, err))
	    != MPESA_OK)
		goto out;
	amount = httpc_text(json_obj_get(v, "TransAmount"));
	if (amount == NULL || mpesa_amount_cents(amount, &out->amount_cents) != MPESA_OK) {
		rc = mp_fail(err, MPESA_EPARSE, "TransAmount", "missing or not an amount");
		goto out;
	}
	out->msisdn_masked = !mpesa_phone_valid(out->msisdn);
	mp_take_text(v, "TransactionType", out->transaction_type,
	    sizeof(out->transaction_type));
	mp_take_text(v, "OrgAccountBalance", out->org_account_balance,
	    sizeof(out->org_account_balance));
	mp_take_text(v, "FirstName", out->first_name, sizeof(out->first_name));
	mp_take_text(v, "MiddleName", out->middle_name, sizeof(out->middle_name));
	mp_take_text(v, "LastName", out->last_name, sizeof(out->last_name));
out:
	yajl_tree_free(v);
	return rc;
}

const char *
mpesa_c2b_accept_json(void)
{
	return "{\"ResultCode\":\"0\",\"ResultDesc\":\"Accepted\"}";
}

const char *
mpesa_c2b_reject_json(enum mpesa_c2b_reject reason)
{
	static const char *const replies[] = {
		[MPESA_C2B_INVALID_MSISDN] = "{\"ResultCode\":\"C2B00011\",\"ResultDesc\":\"Rejected\"}",
		[MPESA_C2B_INVALID_ACCOUNT] = "{\"ResultCode\":\"C2B00012\",\"ResultDesc\":\"Rejected\"}",
		[MPESA_C2B_INVALID_AMOUNT] = "{\"ResultCode\":\"C2B00013\",\"ResultDesc\":\"Rejected\"}",
		[MPESA_C2B_INVALID_KYC] = "{\"ResultCode\":\"C2B00014\",\"ResultDesc\":\"Rejected\"}",
		[MPESA_C2B_INVALID_SHORTCODE] = "{\"ResultCode\":\"C2B00015\",\"ResultDesc\":\"Rejected\"}",
		[MPESA_C2B_OTHER_ERROR] = "{\"ResultCode\":\"C2B00016\",\"ResultDesc\":\"Rejected\"}",
	};

	if ((size_t)reason >= sizeof(replies) / sizeof(replies[0]))
		reason = MPESA_C2B_OTHER_ERROR;
	return replies[reason];
}
