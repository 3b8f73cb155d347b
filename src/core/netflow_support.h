/* netflow_support.h - what 002 needs beyond the core's SMS: one message
 * sent with provider credentials the request carries (002's /sms/send),
 * recorded like every other message. */
#ifndef ISP_NETFLOW_SUPPORT_H
#define ISP_NETFLOW_SUPPORT_H

#include "core/sms.h"

struct nf_sms_provider {
	const char *kind;               /* "advanta" or "generic" */
	const char *api_key, *partner_id, *shortcode, *url;
};

/* Send text to one number through pv (already complete) and record it as
 * the tenant's "manual" message.  Results as sms_send_message. */
int netflow_sms_send_with(struct db *db, struct arena *a, const struct config *cfg,
    long long tenant, const char *to, const char *text, const struct nf_sms_provider *pv,
    struct sms_out *out, struct ferrs *fe);

#endif
