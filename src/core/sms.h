/* sms.h - SMS from the core: a tenant's provider (sms_settings), every
 * message recorded with the provider's id and answer, M-Pesa receipts and
 * expiry reminders (each sent once). */
#ifndef ISP_CORE_SMS_H
#define ISP_CORE_SMS_H

#include "util/ferr.h"

struct db;
struct arena;
struct config;


struct sms_out {
	long long message_id;           /* sms_messages.id */
	const char *to;                 /* normalised: 254712345678 */
	const char *provider_message_id;
	const char *status;             /* sent, failed */
	const char *error;              /* the provider's refusal, NULL when sent */
	int duplicate;                  /* a receipt or reminder already sent */
};

/* A provider as sms_settings (or a request, 002) describes it. */
struct sms_account {
	int enabled, receipts, reminders;
	const char *kind;               /* "advanta" or "generic" */
	const char *api_key, *partner_id, *shortcode, *url;
};

/* Send text to one number through acct (complete: the caller checked) and
 * record it.  As sms_send_message, without the tenant's settings. */
int sms_send_via(struct db *db, struct arena *a, const struct config *cfg, long long tenant,
    const struct sms_account *acct, const char *kind, const char *to, const char *text,
    long long customer, long long sub, long long mpesa_tx, const char *reminder_for,
    struct sms_out *out, struct ferrs *fe);

/* Send text to one number through the tenant's provider and record it.
 * kind: "manual", "receipt", "reminder".  Field errors (to, message) give
 * CORE_INVALID; a provider not enabled or not set up CORE_CONFLICT; a
 * provider that refused or did not answer CORE_OK with status "failed" and
 * error set (the message is recorded either way). */
int sms_send_message(struct db *db, struct arena *a, const struct config *cfg, long long tenant,
    const char *kind, const char *to, const char *text, long long customer, long long sub,
    long long mpesa_tx, const char *reminder_for, struct sms_out *out, struct ferrs *fe);

/* The receipt of a completed M-Pesa transaction, when the tenant sends
 * receipts (best effort; once per transaction). */
void sms_receipt(struct db *db, struct arena *a, const struct config *cfg, long long tenant,
    long long mpesa_tx);

/* `ispbill sweep`: reminders to customers whose active subscription ends
 * within their tenant's reminder_hours (once per subscription and end). */
int sms_reminders(struct db *db, const struct config *cfg, long long *sent);

#endif
