/* netflow_support.c - an SMS with the request's own provider credentials
 * (002): checked and recorded as sms.c records the tenant's messages. */
#include "config.h"

#include <string.h>

#include "core/core.h"
#include "core/netflow_support.h"
#include "core/phone.h"
#include "db/db.h"
#include "lib/sms/sms.h"
#include "util/arena.h"
#include "util/conf.h"
#include "util/log.h"

int
netflow_sms_send_with(struct db *db, struct arena *a, const struct config *cfg, long long tenant,
    const char *to, const char *text, const struct nf_sms_provider *pv, struct sms_out *out,
    struct ferrs *fe)
{
	struct sms_provider sp;
	struct sms_result res;
	struct sms_error err;
	struct db_result r;
	char phone[20];
	int rc;

	memset(out, 0, sizeof(*out));
	if (to == NULL || phone_normalise(to, phone, sizeof(phone)) < 0)
		ferr_add(fe, "to", "Enter a phone number, such as 0712345678 or +254712345678.");
	if (text == NULL || *text == '\0' || sms_text_chars(text) < 1 ||
	    sms_text_chars(text) > SMS_TEXT_MAX)
		ferr_add(fe, "message", "1 to 1600 characters are required.");
	if (fe->n)
		return CORE_INVALID;
	out->to = arena_strdup(a, phone);
	{
		struct db_param p[4] = { db_int(tenant), db_str(pv->kind), db_str(phone),
		    db_str(text) };

		if (db_query(db, a, "INSERT INTO sms_messages (tenant_id, kind, provider, to_phone, "
		    "message) VALUES (?, 'manual', ?, ?, ?)", p, 4, &r) < 0)
			return CORE_DB;
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
		log_warn("sms to %s (tenant %lld, the request's provider) failed: %s", phone, tenant,
		    out->error);
		rc = db_query(db, a, "UPDATE sms_messages SET status = 'failed', provider_code = "
		    "NULLIF(?, ''), error = LEFT(?, 255) WHERE id = ?", p, 3, NULL);
	}
	return rc < 0 ? CORE_DB : CORE_OK;
}
