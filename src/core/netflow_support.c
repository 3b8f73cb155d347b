/* netflow_support.c - an SMS with the request's own provider credentials
 * (002): checked and recorded as sms.c records the tenant's messages. */
#include "config.h"

#include <stddef.h>

#include "core/core.h"
#include "core/netflow_support.h"

int
netflow_sms_send_with(struct db *db, struct arena *a, const struct config *cfg, long long tenant,
    const char *to, const char *text, const struct nf_sms_provider *pv, struct sms_out *out,
    struct ferrs *fe)
{
	struct sms_account acct = { 1, 0, 0, pv->kind, pv->api_key, pv->partner_id, pv->shortcode,
	    pv->url };

	return sms_send_via(db, a, cfg, tenant, &acct, "manual", to, text, 0, 0, 0, NULL, out, fe);
}
