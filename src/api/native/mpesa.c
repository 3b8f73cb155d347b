/* mpesa.c - the native dialect's M-Pesa and SMS endpoints: settings (secrets
 * shown as ***hidden***, never sent back). */
#include "config.h"

#include <string.h>

#include "api/native/native.h"
#include "core/mpesa.h"
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
	const char **v;
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
int h_sms_settings_get(struct request *req) { return settings_reply(req, &sms_settings_table, NULL); }
int h_sms_settings_put(struct request *req) { return settings_update(req, &sms_settings_table); }
