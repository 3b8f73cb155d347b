/* mpesa.h - M-Pesa and SMS in the core: each tenant's settings, the
 * shared Daraja token, STK pushes for a plan or an invoice, the callback
 * and C2B that complete them exactly once, the sweep that resolves lost
 * callbacks, SMS receipts and reminders, and the figures of 000's
 * transactions, summary and dashboard. */
#ifndef ISP_CORE_MPESA_H
#define ISP_CORE_MPESA_H

#include "core/settings.h"
#include "lib/mpesa/mpesa.h"

extern const struct settings_table mpesa_settings_table;
extern const struct settings_table sms_settings_table;

struct db;
struct arena;
struct actor;
struct config;

/* Daraja failed or refused: the details are in the struct mpesa_error */
#define MPESA_REMOTE 101

/* The unguessable part of the tenant's callback URL (the row is made when
 * missing): /api/mpesa/callback/{secret}/.  NULL on a database error. */
const char *mpesa_callback_secret(struct db *db, struct arena *a, long long tenant);
/* Replace the tenant's callback secret with a fresh one; the old one is
 * still accepted for grace_hours (0: refused at once).  The C2B URLs must be
 * registered again.  CORE_OK or CORE_DB. */
int mpesa_rotate_callback_secret(struct db *db, struct arena *a, long long tenant,
    int grace_hours);
/* When the previous secret stops being accepted (ISO 8601 UTC), or NULL
 * when none is. */
const char *mpesa_previous_secret_until(struct db *db, struct arena *a, long long tenant);

/* A tenant's account with its secrets opened, as a libispbill config:
 * base URL from the configuration, CallBackURL from public_url. */
struct mpesa_account {
	long long tenant_id;
	int enabled, confirm_by_query, pending_minutes;
	const char *callback_secret;
	struct mpesa_config mc;
};
int mpesa_account_load(struct db *db, struct arena *a, const struct config *cfg,
    long long tenant, struct mpesa_account *acct);
/* enabled, with a shortcode, passkey, consumer key and secret */
int mpesa_account_ready(const struct mpesa_account *acct);

/* Call Daraja with the tenant's token (kept in mpesa_tokens, fetched when
 * missing or within a minute of expiring); on 404.001.03 a new token is
 * fetched and the call made once more.  CORE_OK, CORE_DB or MPESA_REMOTE. */
int mpesa_daraja(struct db *db, struct arena *a, const struct mpesa_account *acct,
    int (*fn)(const struct mpesa_config *, const char *token, void *arg, struct mpesa_error *),
    void *arg, struct mpesa_error *err);

/* An STK push: for a plan (000's hotspot guest: phone, MAC, plan, router)
 * or for an invoice (002: phone, invoice, optional amount and customer). */
struct mpesa_push_req {
	const char *phone;
	const char *mac;
	long long plan_id, router_id;
	long long invoice_id, customer_id;
	long long amount;               /* invoices: whole shillings; 0: the balance */
};
struct mpesa_push_out {
	long long transaction_id;
	long long amount;
	const char *phone;
	struct mpesa_stk_resp resp;
};
/* Validates (field errors: CORE_INVALID), refuses when M-Pesa is not set
 * up (CORE_CONFLICT), records the transaction as pending, pushes.
 * MPESA_REMOTE when Daraja refused or did not answer (the transaction is
 * then failed). */
int mpesa_push(struct db *db, struct arena *a, const struct config *cfg,
    const struct actor *who, const struct mpesa_push_req *rq, struct mpesa_push_out *out,
    struct ferrs *fe, struct mpesa_error *err);

/* What ispbill answers Daraja, and what it noted. */
struct mpesa_inbound {
	int http_status;
	const char *body;               /* JSON */
	const char *outcome;            /* applied, duplicate, refused, failed */
	const char *reason;
	long long tenant_id, transaction_id, subscription_id;
};

/* POST /api/mpesa/callback/{secret}/: an STK result.  A success for a
 * pending transaction with its amount completes it in one transaction
 * (payment, invoice or subscription, router job); a repeat or the receipt
 * seen before changes nothing; an unknown secret, CheckoutRequestID or
 * amount is refused.  Every call is written to mpesa_events. */
int mpesa_callback(struct db *db, struct arena *a, const struct config *cfg, const char *secret,
    const char *body, size_t len, const char *remote, struct mpesa_inbound *out);

/* POST /api/c2b/{validation|confirmation}/{secret}/ (Daraja refuses C2B URLs
 * that name M-Pesa) */
int mpesa_c2b(struct db *db, struct arena *a, const struct config *cfg, const char *secret,
    int confirmation, const char *body, size_t len, const char *remote,
    struct mpesa_inbound *out);

/* Register the tenant's C2B URLs with Daraja. */
int mpesa_c2b_register_urls(struct db *db, struct arena *a, const struct config *cfg,
    long long tenant, struct mpesa_error *err);

/* `ispbill sweep`: pending pushes older than their tenant's pending_minutes
 * resolved by STK query (paid: completed as by a callback; refused: failed
 * or cancelled; unknown to Daraja or a day old: expired). */
struct mpesa_sweep_counts { long long checked, completed, failed, expired; };
int mpesa_sweep(struct db *db, const struct config *cfg, struct mpesa_sweep_counts *out);

/* After a completion: the router job run now (best effort) and the SMS
 * receipt sent when the tenant wants receipts. */
void mpesa_after(struct db *db, struct arena *a, const struct config *cfg,
    const struct mpesa_inbound *in);

#endif
