/* sms.c - SMS from the core (sms.h): the tenant's provider from
 * sms_settings, libispbill's sms client for the call, sms_messages for the
 * record. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "core/core.h"
#include "core/mpesa.h"
#include "core/phone.h"
#include "core/secrets.h"
#include "core/sms.h"
#include "db/db.h"
#include "lib/sms/sms.h"
#include "util/arena.h"
#include "util/conf.h"
#include "util/log.h"

static int
provider_load(struct db *db, struct arena *a, long long tenant, struct sms_account *pv)
{
	struct db_param p[1] = { db_int(tenant) };
	struct db_result r;

	memset(pv, 0, sizeof(*pv));
	if (db_query(db, a, sms_settings_table.create_sql, p, 1, NULL) < 0 ||
	    db_query(db, a, "SELECT enabled, provider, api_key_enc, partner_id, shortcode, "
	    "custom_api_url, send_receipts, send_reminders FROM sms_settings WHERE tenant_id = ?",
	    p, 1, &r) < 0 || r.nrows == 0)
		return CORE_DB;
	pv->enabled = (int)db_val_int(&r, 0, 0, 0);
	pv->kind = db_val(&r, 0, 1);
	pv->api_key = db_val(&r, 0, 2) ? secret_open(a, db_val(&r, 0, 2)) : NULL;
	pv->partner_id = db_val(&r, 0, 3);
	pv->shortcode = db_val(&r, 0, 4);
	pv->url = db_val(&r, 0, 5);
	pv->receipts = (int)db_val_int(&r, 0, 6, 0);
	pv->reminders = (int)db_val_int(&r, 0, 7, 0);
	return CORE_OK;
}

static int
provider_ready(const struct sms_account *pv)
{
	return pv->enabled && pv->api_key && *pv->api_key && pv->url && *pv->url &&
	    pv->shortcode && *pv->shortcode &&
	    (strcmp(pv->kind, "advanta") || (pv->partner_id && *pv->partner_id));
}

/* the number (normalised into phone, 20 bytes) and the text; field errors */
static int
check_fields(const char *to, const char *text, char *phone, struct ferrs *fe)
{
	if (to == NULL || phone_normalise(to, phone, 20) < 0)
		ferr_add(fe, "to", "Enter a phone number, such as 0712345678 or +254712345678.");
	if (text == NULL || *text == '\0' || sms_text_chars(text) < 1 ||
	    sms_text_chars(text) > SMS_TEXT_MAX)
		ferr_add(fe, "message", "1 to 1600 characters are required.");
	return fe->n ? CORE_INVALID : CORE_OK;
}

int
sms_send_via(struct db *db, struct arena *a, const struct config *cfg, long long tenant,
    const struct sms_account *pv, const char *kind, const char *to, const char *text,
    long long customer, long long sub, long long mpesa_tx, const char *reminder_for,
    struct sms_out *out, struct ferrs *fe)
{
	struct sms_provider sp;
	struct sms_result res;
	struct sms_error err;
	struct db_result r;
	char phone[20];
	int rc;

	memset(out, 0, sizeof(*out));
	if (check_fields(to, text, phone, fe) != CORE_OK)
		return CORE_INVALID;
	out->to = arena_strdup(a, phone);
	{
		struct db_param p[9] = { db_int(tenant), db_str(kind), db_str(pv->kind), db_str(phone),
		    db_str(text), customer ? db_int(customer) : db_null(),
		    sub ? db_int(sub) : db_null(), mpesa_tx ? db_int(mpesa_tx) : db_null(),
		    reminder_for ? db_str(reminder_for) : db_null() };

		/* a receipt or a reminder once: the unique keys say whether it was */
		if (db_query(db, a, "INSERT IGNORE INTO sms_messages (tenant_id, kind, provider, "
		    "to_phone, message, customer_id, subscription_id, mpesa_transaction_id, "
		    "reminder_for) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", p, 9, &r) < 0)
			return CORE_DB;
		if (r.affected == 0) {
			out->duplicate = 1;
			out->status = "sent";
			return CORE_OK;
		}
		out->message_id = (long long)r.insert_id;
	}
	memset(&sp, 0, sizeof(sp));
	sp.kind = !strcmp(pv->kind, "advanta") ? SMS_ADVANTA : SMS_GENERIC;
	sp.base_url = pv->url;
	sp.api_key = pv->api_key;
	sp.partner_id = pv->partner_id;
	sp.sender = pv->shortcode;
	sp.connect_timeout_ms = cfg->sms_timeout_ms < 5000 ? cfg->sms_timeout_ms : 5000;
	sp.timeout_ms = cfg->sms_timeout_ms;
	/* the URL is the tenant's to set: never the host's or its network's
	 * own services, unless the operator listed them */
	sp.public_only = 1;
	sp.allowed_addresses = cfg->sms_allowed_addresses;
	if (sms_send(&sp, phone, text, &res, &err) == SMS_OK) {
		struct db_param p[3] = { db_str(res.message_id), db_str(res.provider_code),
		    db_int(out->message_id) };

		out->status = "sent";
		out->provider_message_id = arena_strdup(a, res.message_id);
		rc = db_query(db, a, "UPDATE sms_messages SET status = 'sent', provider_message_id = ?, "
		    "provider_code = ?, sent_at = UTC_TIMESTAMP(6) WHERE id = ?", p, 3, NULL);
	} else {
		char msg[300];
		struct db_param p[3];

		out->status = "failed";
		out->error = arena_strdup(a, sms_error_format(&err, msg, sizeof(msg)));
		p[0] = db_str(err.provider_code);
		p[1] = db_str(out->error);
		p[2] = db_int(out->message_id);
		log_warn("sms to %s (tenant %lld) failed: %s", phone, tenant, out->error);
		rc = db_query(db, a, "UPDATE sms_messages SET status = 'failed', provider_code = "
		    "NULLIF(?, ''), error = LEFT(?, 255) WHERE id = ?", p, 3, NULL);
	}
	return rc < 0 ? CORE_DB : CORE_OK;
}

int
sms_send_message(struct db *db, struct arena *a, const struct config *cfg, long long tenant,
    const char *kind, const char *to, const char *text, long long customer, long long sub,
    long long mpesa_tx, const char *reminder_for, struct sms_out *out, struct ferrs *fe)
{
	struct sms_account pv;
	char phone[20];
	int rc;

	memset(out, 0, sizeof(*out));
	if (check_fields(to, text, phone, fe) != CORE_OK)
		return CORE_INVALID;
	if ((rc = provider_load(db, a, tenant, &pv)) != CORE_OK)
		return rc;
	if (!provider_ready(&pv)) {
		ferr_add(fe, "non_field_errors", !strcmp(pv.kind ? pv.kind : "", "advanta") ?
		    "SMS is not set up: enable it and give the Advanta apiKey, partnerId, shortcode "
		    "and customApiUrl." : "SMS is not set up: enable it and give the provider's key, "
		    "sender and URL.");
		return CORE_CONFLICT;
	}
	return sms_send_via(db, a, cfg, tenant, &pv, kind, to, text, customer, sub, mpesa_tx,
	    reminder_for, out, fe);
}

void
sms_receipt(struct db *db, struct arena *a, const struct config *cfg, long long tenant,
    long long mpesa_tx)
{
	struct db_param p[1] = { db_int(mpesa_tx) };
	struct db_result r;
	struct sms_account pv;
	struct sms_out out;
	struct ferrs fe = { .n = 0 };
	const char *text;

	if (provider_load(db, a, tenant, &pv) != CORE_OK || !provider_ready(&pv) || !pv.receipts)
		return;
	if (db_query(db, a, "SELECT t.phone, t.amount, t.mpesa_receipt_number, t.customer_id, "
	    "t.subscription_id, DATE_FORMAT(s.end_date + INTERVAL 3 HOUR, '%Y-%m-%d %H:%i'), p.name, "
	    "i.invoice_number FROM mpesa_transactions t "
	    "LEFT JOIN subscriptions s ON s.id = t.subscription_id "
	    "LEFT JOIN plans p ON p.id = s.plan_id LEFT JOIN invoices i ON i.id = t.invoice_id "
	    "WHERE t.id = ? AND t.status = 'completed'", p, 1, &r) < 0 || r.nrows == 0)
		return;
	/* times in Nairobi's, as the customer reads them */
	if (db_val(&r, 0, 6))
		text = arena_printf(a, "Payment of KES %s received%s%s. %s is active until %s. "
		    "Thank you.", db_val(&r, 0, 1), db_val(&r, 0, 2) ? ", receipt " : "",
		    db_val(&r, 0, 2) ? db_val(&r, 0, 2) : "", db_val(&r, 0, 6),
		    db_val(&r, 0, 5) ? db_val(&r, 0, 5) : "further notice");
	else
		text = arena_printf(a, "Payment of KES %s received%s%s%s%s. Thank you.",
		    db_val(&r, 0, 1), db_val(&r, 0, 2) ? ", receipt " : "",
		    db_val(&r, 0, 2) ? db_val(&r, 0, 2) : "", db_val(&r, 0, 7) ? " for invoice " : "",
		    db_val(&r, 0, 7) ? db_val(&r, 0, 7) : "");
	if (sms_send_message(db, a, cfg, tenant, "receipt", db_val(&r, 0, 0), text,
	    db_val_int(&r, 0, 3, 0), db_val_int(&r, 0, 4, 0), mpesa_tx, NULL, &out, &fe) != CORE_OK)
		log_warn("sms receipt for M-Pesa transaction %lld not sent", mpesa_tx);
}

int
sms_reminders(struct db *db, const struct config *cfg, long long *sent)
{
	struct arena a;
	struct db_result r;

	*sent = 0;
	arena_init(&a);
	if (db_query(db, &a, "SELECT s.tenant_id, s.id, s.customer_id, c.phone, p.name, "
	    "DATE_FORMAT(s.end_date + INTERVAL 3 HOUR, '%Y-%m-%d %H:%i'), s.end_date "
	    "FROM sms_settings st JOIN subscriptions s ON s.tenant_id = st.tenant_id "
	    "JOIN customers c ON c.id = s.customer_id JOIN plans p ON p.id = s.plan_id "
	    "WHERE st.enabled = 1 AND st.send_reminders = 1 AND s.status = 'active' "
	    "AND s.end_date > UTC_TIMESTAMP(6) "
	    "AND s.end_date <= UTC_TIMESTAMP(6) + INTERVAL st.reminder_hours HOUR "
	    "AND c.phone IS NOT NULL AND NOT EXISTS (SELECT 1 FROM sms_messages m WHERE "
	    "m.subscription_id = s.id AND m.kind = 'reminder' AND m.reminder_for = s.end_date) "
	    "ORDER BY s.end_date LIMIT 500", NULL, 0, &r) < 0) {
		arena_free(&a);
		return CORE_DB;
	}
	for (unsigned i = 0; i < r.nrows; i++) {
		struct sms_out out;
		struct ferrs fe = { .n = 0 };
		const char *text = arena_printf(&a, "Your %s internet plan ends on %s. Renew by "
		    "M-Pesa to stay connected.", db_val(&r, i, 4), db_val(&r, i, 5));

		if (sms_send_message(db, &a, cfg, db_val_int(&r, i, 0, 0), "reminder", db_val(&r, i, 3),
		    text, db_val_int(&r, i, 2, 0), db_val_int(&r, i, 1, 0), 0, db_val(&r, i, 6), &out,
		    &fe) == CORE_DB) {
			arena_free(&a);
			return CORE_DB;
		}
		*sent += !out.duplicate && out.status && !strcmp(out.status, "sent");
	}
	arena_free(&a);
	return CORE_OK;
}
