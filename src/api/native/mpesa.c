/* mpesa.c - the native dialect's M-Pesa and SMS endpoints: settings (secrets
 * shown as ***hidden***, never sent back). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "api/native/native.h"
#include "core/actor.h"
#include "core/audit.h"
#include "core/mpesa.h"
#include "core/sms.h"
#include "http/auth.h"
#include "util/log.h"
#include "json/json.h"
#include "util/conf.h"

/* a settings row as a JSON object, in its fields' order */
static void
write_settings(yajl_gen g, const struct settings_table *t, const char **v)
{
	for (size_t i = 0; i < t->n; i++) {
		const struct setting *f = &t->fields[i];

		if (v[i] == NULL)
			jw_knull(g, f->name);
		else if (f->type == ST_SECRET)
			jw_kstr(g, f->name, SETTINGS_HIDDEN);
		else if (f->type == ST_BOOL)
			jw_kbool(g, f->name, strcmp(v[i], "0") != 0);
		else if (f->type == ST_INT) {
			jw_key(g, f->name);
			jw_raw_number(g, v[i]);
		}
		else
			jw_kstr(g, f->name, v[i]);
	}
}

static int
settings_reply(struct request *req, const struct settings_table *t, const char *message)
{
	const char **v, *until;
	yajl_gen g;
	int rc = settings_get(req->db, &req->arena, t, req->auth.tenant_id, &v);

	if (rc != CORE_OK)
		return reply_core(req, rc, "Settings");
	g = reply_begin(req, 200, message);
	jw_obj(g);
	write_settings(g, t, v);
	if (t == &mpesa_settings_table) {
		const char *secret = mpesa_callback_secret(req->db, &req->arena,
		    req->auth.tenant_id);

		if (secret == NULL)
			return reply_core(req, CORE_DB, "Settings");
		/* what Daraja must be given as CallBackURL */
		jw_kstr(g, "callback_url", arena_printf(&req->arena, "%s/api/mpesa/callback/%s/",
		    req->cfg->public_url, secret));
		until = mpesa_previous_secret_until(req->db, &req->arena, req->auth.tenant_id);
		if (until)
			jw_kstr(g, "previous_callback_url_valid_until", until);
		else
			jw_knull(g, "previous_callback_url_valid_until");
	}
	jw_obj_end(g);
	return reply_end(req, NULL);
}

static int
settings_update(struct request *req, const struct settings_table *t)
{
	int rc = settings_put(req->db, &req->arena, t, req->auth.tenant_id, req->json, &req->errs);

	if (rc != CORE_OK)
		return reply_core(req, rc, "Settings");
	return settings_reply(req, t, "Settings saved successfully");
}

int h_mpesa_settings_get(struct request *req) { return settings_reply(req, &mpesa_settings_table, NULL); }
int h_mpesa_settings_put(struct request *req) { return settings_update(req, &mpesa_settings_table); }
/* POST /api/mpesa/settings/rotate-callback-secret/ {grace_hours: 0-168, 24} */
int
h_mpesa_rotate_secret(struct request *req)
{
	yajl_val v = req->json ? json_obj_get(req->json, "grace_hours") : NULL;
	const char *until;
	long long hours = 24;
	int rc;

	if (v && !YAJL_IS_NULL(v)) {
		if (!YAJL_IS_INTEGER(v) || YAJL_GET_INTEGER(v) < 0 || YAJL_GET_INTEGER(v) > 168)
			req_field_error(req, "grace_hours", "A whole number of hours from 0 to 168 "
			    "is required.");
		else
			hours = YAJL_GET_INTEGER(v);
	}
	/* one previous secret is kept: replacing the secret again while it is
	 * still accepted would stop it at once, under pushes still waiting */
	if (!req->errs.n && hours > 0 && (until = mpesa_previous_secret_until(req->db,
	    &req->arena, req->auth.tenant_id)) != NULL)
		req_field_error(req, "grace_hours", arena_printf(&req->arena, "The previous callback "
		    "secret is still accepted until %s; replace the secret again after that, or with "
		    "0 to stop accepting both old secrets now.", until));
	if (req->errs.n)
		return reply_core(req, CORE_INVALID, "Settings");
	if ((rc = mpesa_rotate_callback_secret(req->db, &req->arena, req->auth.tenant_id,
	    (int)hours)) != CORE_OK)
		return reply_core(req, rc, "Settings");
	{
		struct actor who;

		auth_actor(req, &who);
		audit(req->db, &req->arena, &who, "rotate_callback_secret", "mpesa_settings",
		    req->auth.tenant_id, NULL);
	}
	return settings_reply(req, &mpesa_settings_table, "Callback secret replaced; register "
	    "the C2B URLs again");
}

int h_sms_settings_get(struct request *req) { return settings_reply(req, &sms_settings_table, NULL); }
int h_sms_settings_put(struct request *req) { return settings_update(req, &sms_settings_table); }

/* ---- STK push ---- */

/* a whole number from the body, as a number or a string of digits; 0 when
 * absent, -1 (field error added) when not one */
static long long
body_id(struct request *req, const char *key)
{
	yajl_val v = json_obj_get(req->json, key);

	if (v == NULL || YAJL_IS_NULL(v))
		return 0;
	if (YAJL_IS_INTEGER(v) && YAJL_GET_INTEGER(v) > 0)
		return YAJL_GET_INTEGER(v);
	if (YAJL_IS_STRING(v)) {
		const char *s = v->u.string;

		if (*s && strspn(s, "0123456789") == strlen(s) && strlen(s) < 16)
			return atoll(s);
	}
	req_field_error(req, key, "A positive whole number is required.");
	return -1;
}

static const char *
body_str(struct request *req, const char *key)
{
	const char *s = NULL;
	enum json_get g = json_get_str(req->json, key, &s);

	if (g == JSON_WRONG_TYPE)
		req_field_error(req, key, "Must be a string.");
	return g == JSON_OK ? s : NULL;
}

static int
reply_mpesa(struct request *req, const struct mpesa_error *err)
{
	char msg[400];

	mpesa_error_format(err, msg, sizeof(msg));
	log_warn("mpesa: %s", msg);
	return reply_error(req, err->code == MPESA_ETIMEOUT ? ERR_EXTERNAL_TIMEOUT : ERR_EXTERNAL,
	    arena_printf(&req->arena, "M-Pesa: %s", msg));
}

int
h_mpesa_stk_push(struct request *req)
{
	struct mpesa_push_req rq;
	struct mpesa_push_out out;
	struct mpesa_error err;
	struct actor who;
	yajl_gen g;
	int rc;

	memset(&rq, 0, sizeof(rq));
	rq.phone = body_str(req, "phone");
	if (rq.phone == NULL)
		rq.phone = body_str(req, "phone_number");
	rq.mac = body_str(req, "mac_address");
	rq.plan_id = body_id(req, "plan_id");
	rq.router_id = body_id(req, "router_id");
	rq.invoice_id = body_id(req, "invoice_id");
	rq.customer_id = body_id(req, "customer_id");
	rq.amount = body_id(req, "amount");
	if (rq.phone == NULL && req->errs.n == 0)
		req_field_error(req, "phone", "This field is required.");
	if (req->errs.n)
		return reply_error(req, ERR_VALIDATION, "Invalid input.");
	auth_actor(req, &who);
	rc = mpesa_push(req->db, &req->arena, req->cfg, &who, &rq, &out, &req->errs, &err);
	if (rc == MPESA_REMOTE)
		return reply_mpesa(req, &err);
	if (rc != CORE_OK)
		return reply_core(req, rc, "M-Pesa");
	g = reply_begin(req, 200, out.resp.customer_message[0] ? out.resp.customer_message :
	    "Success. Request accepted for processing");
	jw_obj(g);
	jw_kint(g, "transaction_id", out.transaction_id);
	jw_kstr(g, "CheckoutRequestID", out.resp.checkout_request_id);
	jw_kstr(g, "MerchantRequestID", out.resp.merchant_request_id);
	jw_kstr(g, "ResponseCode", out.resp.response_code);
	jw_kstr(g, "ResponseDescription", out.resp.response_description);
	jw_kstr(g, "CustomerMessage", out.resp.customer_message);
	jw_kstr(g, "phone_number", out.phone);
	jw_kint(g, "amount", out.amount);
	jw_kstr(g, "status", "pending");
	jw_obj_end(g);
	return reply_end(req, NULL);
}

/* ---- what Daraja posts: answered in Daraja's own shape ---- */

static int
inbound_reply(struct request *req, int rc, struct mpesa_inbound *in)
{
	if (rc != CORE_OK)
		return reply_raw(req, 503, "{\"ResultCode\":1,\"ResultDesc\":\"Try again\"}");
	if (in->transaction_id && !strcmp(in->outcome, "applied"))
		mpesa_after(req->db, &req->arena, req->cfg, in);
	return reply_raw(req, in->http_status, in->body);
}

int
h_mpesa_callback(struct request *req)
{
	struct mpesa_inbound in;
	int rc = mpesa_callback(req->db, &req->arena, req->cfg, req_path_param(req, "secret"),
	    req->body ? req->body : "", req->body_len, req->remote_addr, &in);

	return inbound_reply(req, rc, &in);
}

static int
c2b(struct request *req, int confirmation)
{
	struct mpesa_inbound in;
	int rc = mpesa_c2b(req->db, &req->arena, req->cfg, req_path_param(req, "secret"),
	    confirmation, req->body ? req->body : "", req->body_len, req->remote_addr, &in);

	return inbound_reply(req, rc, &in);
}

int h_mpesa_c2b_validation(struct request *req) { return c2b(req, 0); }
int h_mpesa_c2b_confirmation(struct request *req) { return c2b(req, 1); }

int
h_mpesa_c2b_register(struct request *req)
{
	struct mpesa_error err;
	int rc = mpesa_c2b_register_urls(req->db, &req->arena, req->cfg, req->auth.tenant_id, &err);
	yajl_gen g;

	if (rc == MPESA_REMOTE)
		return reply_mpesa(req, &err);
	if (rc == CORE_CONFLICT) {
		req_field_error(req, "non_field_errors", "M-Pesa is not set up for this organization.");
		return reply_core(req, rc, "M-Pesa");
	}
	if (rc != CORE_OK)
		return reply_core(req, rc, "M-Pesa");
	g = reply_begin(req, 200, "C2B URLs registered");
	jw_obj(g);
	jw_kbool(g, "registered", 1);
	jw_obj_end(g);
	return reply_end(req, NULL);
}

/* ---- SMS ---- */

int
h_sms_send(struct request *req)
{
	struct sms_out out;
	const char *to = body_str(req, "to"), *text = body_str(req, "message");
	yajl_gen g;
	int rc;

	if (req->errs.n)
		return reply_error(req, ERR_VALIDATION, "Invalid input.");
	rc = sms_send_message(req->db, &req->arena, req->cfg, req->auth.tenant_id, "manual", to,
	    text, 0, 0, 0, NULL, &out, &req->errs);
	if (rc != CORE_OK)
		return reply_core(req, rc, "SMS");
	if (out.error)
		return reply_error(req, ERR_EXTERNAL, arena_printf(&req->arena,
		    "The SMS provider refused: %s", out.error));
	g = reply_begin(req, 200, "SMS sent successfully to 1 recipient(s)");
	jw_obj(g);
	jw_kint(g, "id", out.message_id);
	jw_kstr(g, "to", out.to);
	jw_kstr(g, "status", out.status);
	jw_key(g, "messageIds");
	jw_arr(g);
	jw_str(g, out.provider_message_id ? out.provider_message_id : "");
	jw_arr_end(g);
	jw_kint(g, "recipients", 1);
	jw_obj_end(g);
	return reply_end(req, NULL);
}
