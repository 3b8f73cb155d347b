/* mpesa.c - M-Pesa and SMS in the core (mpesa.h). */
#include "config.h"

#include <string.h>

#include "core/core.h"
#include "core/mpesa.h"
#include "db/db.h"
#include "util/arena.h"

/* ---- settings ---- */

static const char *const mpesa_types[] = { "paybill", "buygoods", NULL };
static const struct setting mpesa_fields[] = {
	{ "enabled", "enabled", ST_BOOL, 0, 0, NULL },
	{ "shortcode", "shortcode", ST_DIGITS, 5, 7, NULL },
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
