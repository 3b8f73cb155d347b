/* mpesa.c - M-Pesa and SMS in the core (mpesa.h). */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "core/actor.h"
#include "core/core.h"
#include "core/mpesa.h"
#include "core/phone.h"
#include "core/rbac.h"
#include "core/secrets.h"
#include "db/db.h"
#include "util/arena.h"
#include "util/conf.h"
#include "util/log.h"

/* ---- settings ---- */

static const char *const mpesa_types[] = { "paybill", "buygoods", NULL };
static const struct setting mpesa_fields[] = {
	{ "enabled", "enabled", ST_BOOL, 0, 0, NULL },
	{ "shortcode", "shortcode", ST_DIGITS, 5, 7, NULL, 1 },
	{ "transaction_type", "transaction_type", ST_ENUM, 0, 0, mpesa_types },
	{ "till_number", "till_number", ST_DIGITS, 5, 7, NULL },
	{ "passkey", "passkey_enc", ST_SECRET, 0, 200, NULL },
	{ "consumer_key", "consumer_key_enc", ST_SECRET, 0, 200, NULL },
	{ "consumer_secret", "consumer_secret_enc", ST_SECRET, 0, 200, NULL },
	{ "confirm_by_query", "confirm_by_query", ST_BOOL, 0, 0, NULL },
	{ "pending_minutes", "pending_minutes", ST_INT, 1, 1440, NULL },
};
const struct settings_table mpesa_settings_table = {
	"mpesa_settings", mpesa_fields, sizeof(mpesa_fields) / sizeof(mpesa_fields[0]),
	"INSERT IGNORE INTO mpesa_settings (tenant_id, callback_secret) "
	"VALUES (?, LOWER(HEX(RANDOM_BYTES(20))))",
};

static const char *const sms_providers[] = { "advanta", "generic", NULL };
static const struct setting sms_fields[] = {
	{ "provider", "provider", ST_ENUM, 0, 0, sms_providers },
	{ "enabled", "enabled", ST_BOOL, 0, 0, NULL },
	{ "api_key", "api_key_enc", ST_SECRET, 0, 300, NULL },
	{ "partner_id", "partner_id", ST_STR, 0, 100, NULL },
	{ "shortcode", "shortcode", ST_STR, 0, 50, NULL },
	{ "custom_api_url", "custom_api_url", ST_URL, 0, 500, NULL },
	{ "send_receipts", "send_receipts", ST_BOOL, 0, 0, NULL },
	{ "send_reminders", "send_reminders", ST_BOOL, 0, 0, NULL },
	{ "reminder_hours", "reminder_hours", ST_INT, 1, 168, NULL },
};
const struct settings_table sms_settings_table = {
	"sms_settings", sms_fields, sizeof(sms_fields) / sizeof(sms_fields[0]),
	"INSERT IGNORE INTO sms_settings (tenant_id) VALUES (?)",
};

const char *
mpesa_callback_secret(struct db *db, struct arena *a, long long tenant)
{
	struct db_param p[1] = { db_int(tenant) };
	struct db_result r;

	if (db_query(db, a, mpesa_settings_table.create_sql, p, 1, NULL) < 0 ||
	    db_query(db, a, "SELECT callback_secret FROM mpesa_settings WHERE tenant_id = ?", p, 1,
	    &r) < 0 || r.nrows == 0)
		return NULL;
	return db_val(&r, 0, 0);
}

int
mpesa_rotate_callback_secret(struct db *db, struct arena *a, long long tenant, int grace_hours)
{
	struct db_param q[2] = { db_int(grace_hours), db_int(tenant) };

	if (mpesa_callback_secret(db, a, tenant) == NULL ||
	    db_query(db, a, "UPDATE mpesa_settings SET previous_callback_secret = callback_secret, "
	    "previous_secret_until = UTC_TIMESTAMP(6) + INTERVAL ? HOUR, callback_secret = "
	    "LOWER(HEX(RANDOM_BYTES(20))) WHERE tenant_id = ?", q, 2, NULL) < 0)
		return CORE_DB;
	log_info("mpesa: tenant %lld callback secret replaced; the previous one is accepted for "
	    "%d hour(s)", tenant, grace_hours);
	return CORE_OK;
}

const char *
mpesa_previous_secret_until(struct db *db, struct arena *a, long long tenant)
{
	struct db_param p[1] = { db_int(tenant) };
	struct db_result r;

	if (db_query(db, a, "SELECT DATE_FORMAT(previous_secret_until, '%Y-%m-%dT%H:%i:%s.%fZ') "
	    "FROM mpesa_settings WHERE tenant_id = ? "
	    "AND previous_secret_until > UTC_TIMESTAMP(6)", p, 1, &r) < 0 || r.nrows == 0)
		return NULL;
	return db_val(&r, 0, 0);
}

/* ---- the tenant's account, opened ---- */

int
mpesa_account_load(struct db *db, struct arena *a, const struct config *cfg, long long tenant,
    struct mpesa_account *acct)
{
	struct db_param p[1] = { db_int(tenant) };
	struct db_result r;

	memset(acct, 0, sizeof(*acct));
	if (db_query(db, a, mpesa_settings_table.create_sql, p, 1, NULL) < 0 ||
	    db_query(db, a, "SELECT enabled, shortcode, transaction_type, till_number, passkey_enc, "
	    "consumer_key_enc, consumer_secret_enc, callback_secret, confirm_by_query, "
	    "pending_minutes FROM mpesa_settings WHERE tenant_id = ?", p, 1, &r) < 0 ||
	    r.nrows == 0)
		return CORE_DB;
	acct->tenant_id = tenant;
	acct->enabled = (int)db_val_int(&r, 0, 0, 0);
	acct->confirm_by_query = (int)db_val_int(&r, 0, 8, 0);
	acct->pending_minutes = (int)db_val_int(&r, 0, 9, 3);
	acct->callback_secret = db_val(&r, 0, 7);
	memset(&acct->mc, 0, sizeof(acct->mc));
	acct->mc.base_url = cfg->mpesa_base_url;
	acct->mc.shortcode = db_val(&r, 0, 1);
	acct->mc.type = db_val(&r, 0, 2) && !strcmp(db_val(&r, 0, 2), "buygoods") ?
	    MPESA_BUYGOODS : MPESA_PAYBILL;
	acct->mc.till = db_val(&r, 0, 3);
	acct->mc.passkey = db_val(&r, 0, 4) ? secret_open(a, db_val(&r, 0, 4)) : NULL;
	acct->mc.consumer_key = db_val(&r, 0, 5) ? secret_open(a, db_val(&r, 0, 5)) : NULL;
	acct->mc.consumer_secret = db_val(&r, 0, 6) ? secret_open(a, db_val(&r, 0, 6)) : NULL;
	acct->mc.callback_url = arena_printf(a, "%s/api/mpesa/callback/%s/", cfg->public_url,
	    acct->callback_secret);
	acct->mc.connect_timeout_ms = cfg->mpesa_timeout_ms < 5000 ? cfg->mpesa_timeout_ms : 5000;
	acct->mc.timeout_ms = cfg->mpesa_timeout_ms;
	return CORE_OK;
}

int
mpesa_account_ready(const struct mpesa_account *acct)
{
	return acct->enabled && acct->mc.shortcode && *acct->mc.shortcode && acct->mc.passkey &&
	    acct->mc.consumer_key && acct->mc.consumer_secret;
}

/* ---- the token, shared by every worker through MariaDB ---- */

static int
token_get(struct db *db, struct arena *a, const struct mpesa_account *acct, int renew,
    char tok[MPESA_TOKEN_MAX], struct mpesa_error *err)
{
	struct db_param p[3] = { db_int(acct->tenant_id) };
	struct db_result r;
	long expires_in = 0;
	const char *sealed;
	int rc;

	if (!renew) {
		/* one minute of margin: a token is never sent about to expire */
		if (db_query(db, a, "SELECT token_enc FROM mpesa_tokens WHERE tenant_id = ? AND "
		    "expires_at > UTC_TIMESTAMP(6) + INTERVAL 60 SECOND", p, 1, &r) < 0)
			return CORE_DB;
		if (r.nrows && db_val(&r, 0, 0)) {
			const char *plain = secret_open(a, db_val(&r, 0, 0));

			if (plain && strlen(plain) < MPESA_TOKEN_MAX) {
				snprintf(tok, MPESA_TOKEN_MAX, "%s", plain);
				return CORE_OK;
			}
		}
	}
	if ((rc = mpesa_token_fetch(&acct->mc, tok, &expires_in, err)) != MPESA_OK)
		return MPESA_REMOTE;
	if ((sealed = secret_seal(a, tok)) == NULL)
		return CORE_OK;         /* no secret_key: used, not kept */
	p[1] = db_str(sealed);
	p[2] = db_int(expires_in);
	return db_query(db, a, "INSERT INTO mpesa_tokens (tenant_id, token_enc, expires_at) "
	    "VALUES (?, ?, UTC_TIMESTAMP(6) + INTERVAL ? SECOND) ON DUPLICATE KEY UPDATE "
	    "token_enc = VALUES(token_enc), expires_at = VALUES(expires_at)", p, 3, NULL) < 0 ?
	    CORE_DB : CORE_OK;
}

int
mpesa_daraja(struct db *db, struct arena *a, const struct mpesa_account *acct,
    int (*fn)(const struct mpesa_config *, const char *, void *, struct mpesa_error *),
    void *arg, struct mpesa_error *err)
{
	char tok[MPESA_TOKEN_MAX];
	int rc;

	memset(err, 0, sizeof(*err));
	if ((rc = token_get(db, a, acct, 0, tok, err)) != CORE_OK)
		return rc;
	if ((rc = fn(&acct->mc, tok, arg, err)) == MPESA_ETOKEN) {
		/* Daraja forgot it (404.001.03): once more with a new one */
		if ((rc = token_get(db, a, acct, 1, tok, err)) != CORE_OK)
			return rc;
		rc = fn(&acct->mc, tok, arg, err);
	}
	return rc == MPESA_OK ? CORE_OK : MPESA_REMOTE;
}

/* ---- STK push ---- */

static int
push_fn(const struct mpesa_config *mc, const char *tok, void *arg, struct mpesa_error *err)
{
	struct { const struct mpesa_stk_req *rq; struct mpesa_stk_resp *out; } *c = arg;

	return mpesa_stk_push(mc, tok, c->rq, c->out, err);
}

/* the whole shillings of a DECIMAL text; -1 when it has cents */
static long long
whole_shillings(const char *dec)
{
	long long cents;

	if (dec == NULL || mpesa_amount_cents(dec, &cents) != MPESA_OK || cents % 100)
		return -1;
	return cents / 100;
}

int
mpesa_push(struct db *db, struct arena *a, const struct config *cfg, const struct actor *who,
    const struct mpesa_push_req *rq, struct mpesa_push_out *out, struct ferrs *fe,
    struct mpesa_error *err)
{
	struct mpesa_account acct;
	struct mpesa_stk_req srq;
	struct db_result r;
	char phone[20], mac[20] = "";
	long long amount = 0, customer = rq->customer_id, owner = 0;
	const char *ref = NULL, *desc;
	int rc;

	memset(out, 0, sizeof(*out));
	memset(err, 0, sizeof(*err));
	if (rq->phone == NULL || phone_normalise(rq->phone, phone, sizeof(phone)) < 0 ||
	    !mpesa_phone_valid(phone))
		ferr_add(fe, "phone", "Enter a Safaricom number, such as 0712345678 or +254712345678.");
	if (rq->mac && *rq->mac && mac_normalise(rq->mac, mac, sizeof(mac)) < 0)
		ferr_add(fe, "mac_address", "Enter a MAC address such as AA:BB:CC:DD:EE:FF.");
	if ((rq->plan_id > 0) == (rq->invoice_id > 0))
		ferr_add(fe, rq->plan_id > 0 ? "invoice_id" : "plan_id",
		    "Give either plan_id (a plan to buy) or invoice_id (an invoice to pay).");
	if (fe->n)
		return CORE_INVALID;

	if (rq->plan_id > 0) {
		struct db_param p[2] = { db_int(rq->plan_id), db_int(who->tenant_id) };

		if (db_query(db, a, "SELECT price, is_active FROM plans WHERE id = ? AND tenant_id = ? "
		    "AND deleted_at IS NULL", p, 2, &r) < 0)
			return CORE_DB;
		if (r.nrows == 0 || !db_val_int(&r, 0, 1, 0)) {
			ferr_add(fe, "plan_id", "Invalid pk - object does not exist.");
			return CORE_INVALID;
		}
		if ((amount = whole_shillings(db_val(&r, 0, 0))) < MPESA_AMOUNT_MIN ||
		    amount > MPESA_AMOUNT_MAX) {
			ferr_add(fe, "plan_id", arena_printf(a, "M-Pesa takes whole shillings from %d "
			    "to %d; this plan costs %s.", MPESA_AMOUNT_MIN, MPESA_AMOUNT_MAX,
			    db_val(&r, 0, 0)));
			return CORE_INVALID;
		}
		if (rq->router_id > 0) {
			struct db_param q[2] = { db_int(rq->router_id), db_int(who->tenant_id) };

			if (db_query(db, a, "SELECT 1 FROM routers WHERE id = ? AND tenant_id = ? AND "
			    "deleted_at IS NULL", q, 2, &r) < 0)
				return CORE_DB;
			if (r.nrows == 0) {
				ferr_add(fe, "router_id", "Invalid pk - object does not exist.");
				return CORE_INVALID;
			}
		}
		if (customer > 0) {
			/* the buyer named: the tenant's, and the reseller's own */
			struct db_param q[2] = { db_int(customer), db_int(who->tenant_id) };

			if (db_query(db, a, "SELECT owner_id FROM customers WHERE id = ? AND "
			    "tenant_id = ? AND deleted_at IS NULL", q, 2, &r) < 0)
				return CORE_DB;
			if (r.nrows == 0 || (rbac_is_reseller(who) &&
			    db_val_int(&r, 0, 0, 0) != who->user_id)) {
				ferr_add(fe, "customer_id", "Invalid pk - object does not exist.");
				return CORE_INVALID;
			}
			owner = db_val_int(&r, 0, 0, 0);
		}
		desc = "Internet";
	} else {
		struct db_param p[2] = { db_int(rq->invoice_id), db_int(who->tenant_id) };
		long long balance, due;

		if (db_query(db, a, "SELECT i.total_amount - i.paid_amount, i.status, i.customer_id, "
		    "c.owner_id, SUBSTRING(i.invoice_number, 5) FROM invoices i "
		    "JOIN customers c ON c.id = i.customer_id WHERE i.id = ? AND i.tenant_id = ?",
		    p, 2, &r) < 0)
			return CORE_DB;
		owner = db_val_int(&r, 0, 3, 0);
		if (r.nrows == 0 || (rbac_is_reseller(who) && owner != who->user_id) ||
		    (customer > 0 && customer != db_val_int(&r, 0, 2, 0))) {
			ferr_add(fe, r.nrows && customer > 0 ? "customer_id" : "invoice_id",
			    "Invalid pk - object does not exist.");
			return CORE_INVALID;
		}
		if (strcmp(db_val(&r, 0, 1), "pending") && strcmp(db_val(&r, 0, 1), "overdue")) {
			ferr_add(fe, "invoice_id", arena_printf(a, "The invoice is %s; only a pending "
			    "or overdue invoice can be paid.", db_val(&r, 0, 1)));
			return CORE_INVALID;
		}
		customer = db_val_int(&r, 0, 2, 0);
		balance = whole_shillings(db_val(&r, 0, 0));
		amount = rq->amount > 0 ? rq->amount : balance;
		if (mpesa_amount_cents(db_val(&r, 0, 0), &due) != MPESA_OK)
			due = 0;
		if (amount < MPESA_AMOUNT_MIN || amount > MPESA_AMOUNT_MAX || amount * 100 > due) {
			ferr_add(fe, "amount", arena_printf(a, "A whole number of shillings from %d "
			    "to the balance due of %s is required.", MPESA_AMOUNT_MIN,
			    db_val(&r, 0, 0)));
			return CORE_INVALID;
		}
		ref = db_val(&r, 0, 4);         /* 202611-0001: fits 12 characters */
		desc = "Invoice";
	}

	if ((rc = mpesa_account_load(db, a, cfg, who->tenant_id, &acct)) != CORE_OK)
		return rc;
	if (!mpesa_account_ready(&acct)) {
		ferr_add(fe, "non_field_errors", "M-Pesa is not set up for this organization: "
		    "enable it and give the shortcode, passkey, consumer key and secret.");
		return CORE_CONFLICT;
	}

	/* the record first: whatever Daraja does next, it is accounted for */
	{
		struct db_param p[10] = {
			db_int(who->tenant_id), db_str(rq->plan_id > 0 ? "plan" : "invoice"),
			db_str(phone), *mac ? db_str(mac) : db_null(), db_int(amount),
			customer > 0 ? db_int(customer) : db_null(),
			rq->plan_id > 0 ? db_int(rq->plan_id) : db_null(),
			rq->router_id > 0 ? db_int(rq->router_id) : db_null(),
			rq->invoice_id > 0 ? db_int(rq->invoice_id) : db_null(),
			rbac_is_reseller(who) ? db_int(who->user_id) : (owner ? db_int(owner) : db_null()),
		};

		if (db_query(db, a, "INSERT INTO mpesa_transactions (uuid, tenant_id, kind, phone, "
		    "mac_address, amount, customer_id, plan_id, router_id, invoice_id, owner_id, "
		    "description) VALUES (UUID(), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending push')",
		    p, 10, &r) < 0)
			return CORE_DB;
		out->transaction_id = (long long)r.insert_id;
	}
	if (ref == NULL)
		ref = arena_printf(a, "HS%lld", out->transaction_id);
	{
		struct db_param p[3] = { db_str(ref), db_str(desc), db_int(out->transaction_id) };

		if (db_query(db, a, "UPDATE mpesa_transactions SET account_reference = ?, "
		    "description = ? WHERE id = ?", p, 3, NULL) < 0)
			return CORE_DB;
	}
	memset(&srq, 0, sizeof(srq));
	srq.phone = phone;
	srq.amount = amount;
	srq.account_ref = ref;
	srq.desc = desc;
	{
		struct { const struct mpesa_stk_req *rq; struct mpesa_stk_resp *out; } c =
		    { &srq, &out->resp };

		rc = mpesa_daraja(db, a, &acct, push_fn, &c, err);
	}
	if (rc == CORE_DB)
		return rc;
	if (rc != CORE_OK) {
		char msg[400];
		/* no answer, or one that is not Daraja's: the push may have gone
		 * out ("Uncertain:"); a refusal of Daraja's own never reached a
		 * phone */
		int uncertain = err->code == MPESA_ETIMEOUT || err->code == MPESA_ENET ||
		    err->code == MPESA_EHTTP || err->code == MPESA_EPARSE;
		struct db_param p[2] = { db_str(arena_printf(a, "%s%s", uncertain ? "Uncertain: " : "",
		    mpesa_error_format(err, msg, sizeof(msg)))), db_int(out->transaction_id) };

		/* a push that timed out may still reach the phone: its callback
		 * then finds no CheckoutRequestID, and mpesa_pay.c's orphan_tx
		 * matches it to this row by phone and amount.  Such a callback
		 * may have come while we waited and paid the row: left alone. */
		db_query(db, a, "UPDATE mpesa_transactions SET status = 'failed', result_desc = "
		    "LEFT(?, 255) WHERE id = ? AND status = 'pending'", p, 2, NULL);
		return MPESA_REMOTE;
	}
	{
		struct db_param p[3] = { db_str(out->resp.checkout_request_id),
		    db_str(out->resp.merchant_request_id), db_int(out->transaction_id) };

		/* unless its callback overtook this answer and claimed the row */
		if (db_query(db, a, "UPDATE mpesa_transactions SET checkout_request_id = ?, "
		    "merchant_request_id = ? WHERE id = ? AND checkout_request_id IS NULL",
		    p, 3, NULL) < 0)
			return CORE_DB;
	}
	out->amount = amount;
	out->phone = arena_strdup(a, phone);
	return CORE_OK;
}
