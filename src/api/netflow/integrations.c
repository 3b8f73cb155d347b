/* integrations.c - netflow's SMS (send, settings in camelCase) and MikroTik
 * interfaces.  Bodies are 002's: the SMS answers carry their members at the
 * top level (and in data, for panels that read it there).  The work is
 * core/sms.c's, core/settings.c's and core/provision.c's. */
#include "config.h"
#include "api/netflow/netflow.h"
#include "core/billing.h"
#include "core/mpesa.h"
#include "core/netflow_support.h"
#include "core/provision.h"
#include "core/settings.h"
#include "http/auth.h"
#include "json/json.h"
#include "util/log.h"

#include <string.h>

#define NF_SMS_MAX_RECIPIENTS 100

/* 002's camelCase and the core's sms_settings names */
static const struct nf_alias sms_names[] = {
	{ "apiKey", "api_key" }, { "partnerId", "partner_id" },
	{ "customApiUrl", "custom_api_url" }, { "sendReceipts", "send_receipts" },
	{ "sendReminders", "send_reminders" }, { "reminderHours", "reminder_hours" },
	{ NULL, NULL },
};

static const char *
camel(const char *core_name)
{
	for (const struct nf_alias *a = sms_names; a->key; a++)
		if (strcmp(a->src, core_name) == 0)
			return a->key;
	return core_name;
}

/* A top-level body (what reply_raw sends): built in g, then sent. */
static int
send_gen(struct request *req, int status, yajl_gen g)
{
	const unsigned char *buf;
	size_t len;
	int rc;

	yajl_gen_get_buf(g, &buf, &len);
	rc = reply_raw(req, status, arena_strndup(&req->arena, (const char *)buf, len));
	yajl_gen_free(g);
	return rc;
}

/* ---- SMS settings ---- */

static void
write_sms_settings(yajl_gen g, const char **v)
{
	const struct settings_table *t = &sms_settings_table;

	jw_obj(g);
	for (size_t i = 0; i < t->n; i++) {
		const struct setting *f = &t->fields[i];

		jw_key(g, camel(f->name));
		if (v[i] == NULL)
			jw_null(g);
		else if (f->type == ST_SECRET)
			jw_str(g, SETTINGS_HIDDEN);
		else if (f->type == ST_BOOL)
			jw_bool(g, strcmp(v[i], "0") != 0);
		else if (f->type == ST_INT)
			jw_raw_number(g, v[i]);
		else
			jw_str(g, v[i]);
	}
	jw_obj_end(g);
}

int
nf_sms_settings_get(struct request *req)
{
	const char **v;
	yajl_gen g;
	int rc = settings_get(req->db, &req->arena, &sms_settings_table, req->auth.tenant_id, &v);

	if (rc != CORE_OK)
		return reply_core(req, rc, "SMS settings");
	g = yajl_gen_alloc(NULL);
	jw_obj(g);
	jw_kbool(g, "success", 1);
	jw_key(g, "settings");
	write_sms_settings(g, v);
	jw_key(g, "data");
	write_sms_settings(g, v);
	jw_obj_end(g);
	return send_gen(req, 200, g);
}

int
nf_sms_settings_post(struct request *req)
{
	yajl_val body = nf_renamed(req, req->json, sms_names);
	const char **v;
	yajl_gen g;
	int rc = settings_put(req->db, &req->arena, &sms_settings_table, req->auth.tenant_id, body,
	    &req->errs);

	for (int i = 0; i < req->errs.n; i++)           /* errors in the names sent */
		req->errs.e[i].field = camel(req->errs.e[i].field);
	if (rc == CORE_OK)
		rc = settings_get(req->db, &req->arena, &sms_settings_table, req->auth.tenant_id, &v);
	if (rc != CORE_OK)
		return reply_core(req, rc, "SMS settings");
	g = reply_begin(req, 200, "SMS settings saved successfully");
	write_sms_settings(g, v);
	return reply_end(req, NULL);
}

/* ---- SMS send ---- */

/* a non-empty string member of the body (camelCase or snake_case), or NULL */
static const char *
body_str(struct request *req, const char *camel_name, const char *snake_name)
{
	const char *s = NULL;

	if (json_get_str(req->json, camel_name, &s) == JSON_OK && *s)
		return s;
	if (snake_name && json_get_str(req->json, snake_name, &s) == JSON_OK && *s)
		return s;
	return NULL;
}

/* The provider of this send: the tenant's settings, each credential the
 * body carries in place of the tenant's.  *own: the body carried one.
 * Missing credentials: a 400 sent, -1. */
static int
sms_provider(struct request *req, struct nf_sms_provider *pv, int *own)
{
	const struct settings_table *t = &sms_settings_table;
	const char **v, *missing = NULL;
	const char *given[4];
	int rc = settings_get(req->db, &req->arena, t, req->auth.tenant_id, &v);

	if (rc != CORE_OK) {
		reply_core(req, rc, "SMS");
		return -1;
	}
	given[0] = body_str(req, "apiKey", "api_key");
	given[1] = body_str(req, "partnerId", "partner_id");
	given[2] = body_str(req, "shortcode", NULL);
	given[3] = body_str(req, "customApiUrl", "custom_api_url");
	*own = given[0] || given[1] || given[2] || given[3];
	memset(pv, 0, sizeof(*pv));
	pv->kind = body_str(req, "provider", NULL);
	for (size_t i = 0; i < t->n; i++) {
		const char *n = t->fields[i].name;

		if (!strcmp(n, "provider") && pv->kind == NULL)
			pv->kind = v[i];
		else if (!strcmp(n, "partner_id"))
			pv->partner_id = given[1] ? given[1] : v[i];
		else if (!strcmp(n, "shortcode"))
			pv->shortcode = given[2] ? given[2] : v[i];
		else if (!strcmp(n, "custom_api_url"))
			pv->url = given[3] ? given[3] : v[i];
	}
	pv->api_key = given[0] ? given[0] : settings_secret(req->db, &req->arena, t,
	    req->auth.tenant_id, "api_key");
	if (pv->kind == NULL || (strcmp(pv->kind, "advanta") && strcmp(pv->kind, "generic"))) {
		req_field_error(req, "provider", "Must be advanta or generic");
		reply_error(req, ERR_VALIDATION, "Unknown SMS provider: use advanta or generic");
		return -1;
	}
	if (pv->url && strncmp(pv->url, "https://", 8) && strncmp(pv->url, "http://", 7)) {
		req_field_error(req, "customApiUrl", "Must be an http:// or https:// URL");
		reply_error(req, ERR_VALIDATION, "customApiUrl must be an http:// or https:// URL");
		return -1;
	}
#define MISSING(cond, name) if (cond) missing = missing ? \
	arena_printf(&req->arena, "%s, %s", missing, name) : name
	MISSING(pv->api_key == NULL || !*pv->api_key, "apiKey");
	MISSING(!strcmp(pv->kind, "advanta") && (pv->partner_id == NULL || !*pv->partner_id),
	    "partnerId");
	MISSING(pv->shortcode == NULL || !*pv->shortcode, "shortcode");
	MISSING(pv->url == NULL || !*pv->url, "customApiUrl");
#undef MISSING
	if (missing) {
		req_field_error(req, "credentials", missing);
		reply_error(req, ERR_VALIDATION, arena_printf(&req->arena,
		    "Missing %s SMS credentials: %s", !strcmp(pv->kind, "advanta") ? "Advanta" :
		    "provider", missing));
		return -1;
	}
	return 0;
}

/* "to": one number, numbers separated by commas, or an array of them */
static int
recipients(struct request *req, const char ***out)
{
	yajl_val to = json_obj_get(req->json, "to");
	const char **list = arena_calloc(&req->arena, NF_SMS_MAX_RECIPIENTS, sizeof(char *));
	int n = 0;

	*out = list;
	if (to && YAJL_IS_STRING(to)) {
		const char *s = to->u.string;

		while (*s && n < NF_SMS_MAX_RECIPIENTS) {
			size_t len = strcspn(s, ",");
			char *one = arena_strndup(&req->arena, s, len);

			while (*one == ' ')
				one++;
			if (*one)
				list[n++] = one;
			s += len + (s[len] == ',');
		}
		if (*s == '\0')
			return n;
	} else if (to && YAJL_IS_ARRAY(to) && to->u.array.len <= NF_SMS_MAX_RECIPIENTS) {
		for (size_t i = 0; i < to->u.array.len; i++) {
			if (!YAJL_IS_STRING(to->u.array.values[i]))
				return -1;
			list[n++] = to->u.array.values[i]->u.string;
		}
		return n;
	}
	return -1;
}

int
nf_sms_send(struct request *req)
{
	struct nf_sms_provider pv;
	struct sms_out *out;
	const char **to, *text = NULL, *refusal = NULL;
	int n, own, sent = 0, rc;
	yajl_gen g;

	if ((n = recipients(req, &to)) <= 0)
		req_field_error(req, "to", "Recipient phone number is required (at most 100)");
	if (json_get_str(req->json, "message", &text) != JSON_OK || *text == '\0')
		req_field_error(req, "message", "Message is required");
	if (req->errs.n)
		return reply_error(req, ERR_VALIDATION, req->errs.e[0].msg);
	if (sms_provider(req, &pv, &own) < 0)
		return 0;
	/* the request's own credentials send as its caller: only who may set them */
	if (own && auth_has_perm(req, "sms.manage") != 1)
		return reply_error(req, ERR_FORBIDDEN,
		    "Sending with your own provider credentials needs the sms.manage permission");
	out = arena_calloc(&req->arena, (size_t)n, sizeof(*out));
	for (int i = 0; i < n; i++) {
		rc = own ? netflow_sms_send_with(req->db, &req->arena, req->cfg, req->auth.tenant_id,
		    to[i], text, &pv, &out[i], &req->errs) :
		    sms_send_message(req->db, &req->arena, req->cfg, req->auth.tenant_id, "manual",
		    to[i], text, 0, 0, 0, NULL, &out[i], &req->errs);
		if (rc == CORE_CONFLICT)
			return reply_error(req, ERR_VALIDATION, "SMS is not enabled: enable it in the "
			    "SMS settings or send the provider credentials with the message");
		if (rc != CORE_OK)
			return reply_core(req, rc, "SMS");
		if (out[i].error)
			refusal = out[i].error;
		else
			sent++;
	}
	if (sent == 0)
		return reply_error(req, ERR_EXTERNAL, arena_printf(&req->arena,
		    "The SMS provider refused: %s", refusal));
	g = yajl_gen_alloc(NULL);
	jw_obj(g);
	jw_kbool(g, "success", 1);
	jw_kstr(g, "message", arena_printf(&req->arena, "SMS sent successfully to %d recipient(s)",
	    sent));
	jw_key(g, "messageIds");
	jw_arr(g);
	for (int i = 0; i < n; i++)
		if (out[i].error == NULL)
			jw_str(g, out[i].provider_message_id ? out[i].provider_message_id : "");
	jw_arr_end(g);
	jw_kint(g, "recipients", sent);
	jw_key(g, "data");
	jw_obj(g);
	jw_key(g, "results");
	jw_arr(g);
	for (int i = 0; i < n; i++) {
		jw_obj(g);
		jw_kint(g, "id", out[i].message_id);
		jw_kstr(g, "to", out[i].to);
		jw_kstr(g, "status", out[i].status);
		jw_kstr(g, "messageId", out[i].provider_message_id);
		jw_kstr(g, "error", out[i].error);
		jw_obj_end(g);
	}
	jw_arr_end(g);
	jw_obj_end(g);
	jw_obj_end(g);
	return send_gen(req, 200, g);
}

/* ---- MikroTik interfaces ---- */

static int
reply_router(struct request *req, const struct prov *p, int rc)
{
	char msg[400];

	if (rc != PROV_ROUTER)
		return reply_core(req, rc, "Router");
	ros_error_format(&p->err, msg, sizeof(msg));
	log_warn("router %lld: %s", p->router_id, msg);
	return reply_error(req, prov_unreachable(&p->err) ? ERR_EXTERNAL_TIMEOUT : ERR_EXTERNAL,
	    arena_printf(&req->arena, "MikroTik: %s", msg));
}

/* ?router_id=, else the tenant's first router */
static long long
which_router(struct request *req)
{
	struct ent_query q;
	struct ent_page out;
	long long id;

	if (req_query_int(req, "router_id", 0, 1, 1LL << 53, &id) < 0)
		return -1;
	if (id)
		return id;
	memset(&q, 0, sizeof(q));
	q.limit = 1;
	q.ordering = "id";
	if (ent_list(req->db, &req->arena, &ent_router, req->auth.tenant_id, &q, &out,
	    &req->errs) != CORE_OK || out.nrows == 0)
		return 0;
	return out.rows[0].id;
}

int
nf_mikrotik_interfaces(struct request *req)
{
	static const char *const counters[] = { "rx-byte", "tx-byte", "rx-packet", "tx-packet" };
	struct ros_result res;
	struct prov p;
	long long id = which_router(req);
	yajl_gen g;
	int rc;

	if (id < 0)
		return reply_error(req, ERR_VALIDATION, "router_id must be a router's id");
	if (id == 0)
		return reply_error(req, ERR_NOT_FOUND, "No MikroTik router is set up");
	memset(&res, 0, sizeof(res));
	rc = prov_open(req->db, &req->arena, req->cfg, req->auth.tenant_id, id, 0, &p);
	if (rc == CORE_OK && ros_interface_print(p.c, &res, &p.err) != ROS_OK)
		rc = PROV_ROUTER;
	if (rc != CORE_OK) {
		rc = reply_router(req, &p, rc);
		goto out;
	}
	g = reply_begin(req, 200, NULL);
	jw_arr(g);
	for (size_t i = 0; i < res.nitems; i++) {
		const struct ros_item *it = &res.items[i];
		static const char *const strs[][2] = { { "id", ".id" }, { "name", "name" },
			{ "type", "type" }, { "mac-address", "mac-address" }, { "comment", "comment" } };

		jw_obj(g);
		for (size_t k = 0; k < sizeof(strs) / sizeof(strs[0]); k++) {
			const struct ros_word *w = ros_item_get(it, strs[k][1]);

			jw_key(g, strs[k][0]);
			if (w)
				jw_strn(g, w->p, w->len);
			else
				jw_null(g);
		}
		jw_kbool(g, "running", ros_item_bool(it, "running", 0));
		jw_kbool(g, "disabled", ros_item_bool(it, "disabled", 0));
		for (size_t k = 0; k < sizeof(counters) / sizeof(counters[0]); k++)
			jw_kint(g, counters[k], (long long)ros_item_u64(it, counters[k], 0));
		jw_obj_end(g);
	}
	jw_arr_end(g);
	rc = reply_end(req, NULL);
out:
	ros_result_free(&res);
	prov_close(&p);
	return rc;
}
