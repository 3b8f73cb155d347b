/* auth.c - native authentication (001 /api/auth/..., 003's token flow):
 * login, refresh, logout, verify, register, me, profile, change-password. */
#include "config.h"
#include "api/native/native.h"
#include "api/resource.h"
#include "core/audit.h"
#include "core/rbac.h"
#include "core/sessions.h"
#include "core/throttle.h"
#include "core/users.h"
#include "db/db.h"
#include "http/auth.h"
#include "json/json.h"
#include "util/conf.h"
#include "util/log.h"
#include "util/timeutil.h"

#include <string.h>

const struct resource res_users_self = { &ent_user, "user", NULL, NULL, NULL, native_user_extra };

/* A required, non-empty string field of at most max bytes; field error otherwise. */
const char *
need_str(struct request *req, const char *field, size_t max)
{
	const char *v = NULL;

	switch (json_get_str(req->json, field, &v)) {
	case JSON_OK:
		if (*v == '\0') {
			req_field_error(req, field, "This field may not be blank.");
			return NULL;
		}
		if (strlen(v) > max) {
			req_field_error(req, field, arena_printf(&req->arena,
			    "Ensure this field has no more than %zu characters.", max));
			return NULL;
		}
		return v;
	case JSON_MISSING:
	case JSON_NULL:
		req_field_error(req, field, "This field is required.");
		return NULL;
	default:
		req_field_error(req, field, "Not a valid string.");
		return NULL;
	}
}

/* An optional boolean field; a wrong type is a field error. */
static int
opt_bool(struct request *req, const char *field, int def)
{
	int v = def;

	switch (json_get_bool(req->json, field, &v)) {
	case JSON_OK:
		return v;
	case JSON_WRONG_TYPE:
		req_field_error(req, field, "Must be a valid boolean.");
		return def;
	default:
		return def;
	}
}

/* the user's roles and permissions, on a user object */
void
native_user_extra(struct request *req, yajl_gen g, const struct ent_row *r, int detail)
{
	const struct entity *e = &ent_user;
	struct user_role_info *roles;
	const char **perms;
	unsigned n;

	if (!detail)
		return;
	if (rbac_user_roles(req->db, &req->arena, r->id, r->tenant,
	    ent_val(e, r, "user_type"), &roles, &n) == CORE_OK) {
		jw_key(g, "roles");
		jw_arr(g);
		for (unsigned i = 0; i < n; i++) {
			jw_obj(g);
			jw_kint(g, "id", roles[i].role_id);
			jw_kstr(g, "uuid", roles[i].uuid);
			jw_kstr(g, "role_name", roles[i].display_name && *roles[i].display_name ?
			    roles[i].display_name : roles[i].name);
			jw_kstr(g, "name", roles[i].name);
			jw_kbool(g, "is_active", 1);
			jw_kbool(g, "is_default", roles[i].is_default);
			jw_kstr(g, "assigned_by_name", roles[i].assigned_by);
			jw_key(g, "assigned_at");
			jw_dbtime(g, roles[i].assigned_at);
			jw_key(g, "expires_at");
			jw_dbtime(g, roles[i].expires_at);
			jw_obj_end(g);
		}
		jw_arr_end(g);
	}
	if (rbac_user_perms(req->db, &req->arena, r->id, r->tenant, ent_val(e, r, "user_type"),
	    strcmp(ent_val(e, r, "is_superuser"), "0") != 0, &perms, &n) == CORE_OK) {
		jw_key(g, "permissions");
		jw_arr(g);
		for (unsigned i = 0; i < n; i++)
			jw_str(g, perms[i]);
		jw_arr_end(g);
	}
}

static int
write_user(struct request *req, yajl_gen g, long long id, long long tenant)
{
	struct ent_row r;
	int rc = ent_get_id(req->db, &req->arena, &ent_user, tenant, id, &r);

	if (rc != CORE_OK)
		return rc;
	jw_obj(g);
	ent_write_fields(g, &ent_user, &r);
	native_user_extra(req, g, &r, 1);
	jw_obj_end(g);
	return CORE_OK;
}

/* {user?, tokens: {access, refresh, token_type}, access, refresh, expires_at,
 * remember_me} */
static int
reply_tokens(struct request *req, const char *message, const struct session *s, int with_user)
{
	struct ent_row r;
	time_t exp;
	const char *tok = auth_issue_access(req, s->user_id, s->tenant_id, s->family, &exp);
	char ts[32];
	yajl_gen g;
	int rc;

	if (tok == NULL)
		return reply_error(req, ERR_INTERNAL, "Could not issue a token.");
	if (with_user && (rc = ent_get_id(req->db, &req->arena, &ent_user, s->tenant_id,
	    s->user_id, &r)) != CORE_OK)
		return reply_core(req, rc, "User");
	g = reply_begin(req, 200, message);
	jw_obj(g);
	if (with_user) {
		jw_key(g, "user");
		jw_obj(g);
		ent_write_fields(g, &ent_user, &r);
		native_user_extra(req, g, &r, 1);
		jw_obj_end(g);
	}
	jw_key(g, "tokens");
	jw_obj(g);
	jw_kstr(g, "access", tok);
	jw_kstr(g, "refresh", s->refresh);
	jw_kstr(g, "token_type", "Bearer");
	jw_kint(g, "expires_in", req->cfg->access_ttl);
	jw_obj_end(g);
	/* the panel reads the pair beside tokens too */
	jw_kstr(g, "access", tok);
	jw_kstr(g, "refresh", s->refresh);
	time_iso8601(ts, sizeof(ts), exp);
	jw_kstr(g, "expires_at", ts);
	time_iso8601(ts, sizeof(ts), s->refresh_expires);
	jw_kstr(g, "refresh_expires_at", ts);
	jw_kbool(g, "remember_me", s->remember_me);
	jw_obj_end(g);
	return reply_end(req, NULL);
}

/* the body's member naming who logs in: username, else login_id, else email */
static const char *
login_field(const struct request *req)
{
	if (json_obj_get(req->json, "username") == NULL) {
		if (json_obj_get(req->json, "login_id"))
			return "login_id";
		if (json_obj_get(req->json, "email"))
			return "email";
	}
	return "username";
}

/* X-RateLimit-Limit/Remaining/Reset of the login throttle after a login:
 * LOGIN_FAIL_LIMIT failures per window, what is left of it for the login id
 * or address that failed more (the address alone when the body names no
 * login), and the seconds until the oldest of those failures leaves the
 * window (0 when none). */
void
native_login_limit_headers(struct request *req)
{
	yajl_val v = json_obj_get(req->json, login_field(req));
	long fails, reset;
	char tmp[24];

	if (throttle_login_state(req->db, &req->arena, v && YAJL_IS_STRING(v) ? v->u.string : "",
	    req->remote_addr, &fails, &reset) != CORE_OK)
		return;
	snprintf(tmp, sizeof(tmp), "%d", LOGIN_FAIL_LIMIT);
	req_add_header(req, "X-RateLimit-Limit", tmp);
	snprintf(tmp, sizeof(tmp), "%ld", fails < LOGIN_FAIL_LIMIT ? LOGIN_FAIL_LIMIT - fails : 0);
	req_add_header(req, "X-RateLimit-Remaining", tmp);
	snprintf(tmp, sizeof(tmp), "%ld", reset);
	req_add_header(req, "X-RateLimit-Reset", tmp);
}

/* Login: throttled per login id and per address, audited either way. */
int
native_login(struct request *req, struct session *s)
{
	const char *login, *password, *field = login_field(req);
	struct user u;
	long retry;
	int rc, remember;

	login = need_str(req, field, 254);
	password = need_str(req, "password", 1024);
	remember = opt_bool(req, "remember_me", 0);
	if (req->errs.n)
		return CORE_INVALID;
	rc = throttle_login_check(req->db, &req->arena, login, req->remote_addr, &retry);
	if (rc == CORE_THROTTLED) {
		char tmp[24];

		snprintf(tmp, sizeof(tmp), "%ld", retry);
		req_add_header(req, "Retry-After", tmp);
		audit_login(req->db, &req->arena, 0, 0, login, 0, req->remote_addr, req->request_id,
		    "throttled");
		return CORE_THROTTLED;
	}
	if (rc != CORE_OK)
		return rc;
	rc = users_authenticate(req->db, &req->arena, login, password, &u);
	if (rc == CORE_BAD_LOGIN || rc == CORE_INACTIVE) {
		if (throttle_login_failed(req->db, &req->arena, login, req->remote_addr) != CORE_OK)
			return CORE_DB;
		audit_login(req->db, &req->arena, u.tenant_id, u.id, login, 0, req->remote_addr,
		    req->request_id, rc == CORE_INACTIVE ? "inactive" : "bad credentials");
		log_info("login failed (%s)", rc == CORE_INACTIVE ? "inactive" : "bad credentials");
		return rc;
	}
	if (rc != CORE_OK)
		return rc;
	if ((rc = session_start(req->db, &req->arena, u.id, u.tenant_id, remember, s)) != CORE_OK)
		return rc;
	audit_login(req->db, &req->arena, u.tenant_id, u.id, u.username, 1, req->remote_addr,
	    req->request_id, NULL);
	log_info("login ok user=%lld", u.id);
	return CORE_OK;
}

int
h_auth_login(struct request *req)
{
	struct session s;
	int rc = native_login(req, &s);

	if (rc == CORE_INVALID)
		return reply_error(req, ERR_VALIDATION, "Invalid input.");
	if (rc != CORE_OK)
		return reply_core(req, rc, "User");
	return reply_tokens(req, "Login successful", &s, 1);
}

int
h_auth_refresh(struct request *req)
{
	const char *field = json_obj_get(req->json, "refresh_token") ? "refresh_token" : "refresh";
	const char *tok = need_str(req, field, 256);
	struct session s;
	int rc;

	if (tok == NULL)
		return reply_error(req, ERR_VALIDATION, "Invalid input.");
	rc = session_rotate(req->db, &req->arena, tok, &s);
	if (rc == CORE_BAD_LOGIN)
		return reply_error(req, ERR_UNAUTHORIZED, "Token is invalid or expired.");
	if (rc != CORE_OK)
		return reply_core(req, rc, "Token");
	return reply_tokens(req, "Token refreshed successfully", &s, 0);
}

int
h_auth_logout(struct request *req)
{
	const char *tok = NULL;
	struct actor who;
	yajl_gen g;
	int all = opt_bool(req, "logout_all_devices", 0), rc;

	if (json_get_str(req->json, "refresh_token", &tok) != JSON_OK)
		(void)json_get_str(req->json, "refresh", &tok);
	if (req->errs.n)
		return reply_error(req, ERR_VALIDATION, "Invalid input.");
	if (req->auth.client_id)
		return reply_error(req, ERR_VALIDATION, "API clients have no session to end.");
	if (all)
		rc = session_revoke_user(req->db, &req->arena, req->auth.user_id, "logout_all");
	else if (tok) {
		rc = session_revoke_refresh(req->db, &req->arena, req->auth.user_id, tok);
		if (rc == CORE_NOT_FOUND) {
			req_field_error(req, "refresh_token", "Token is invalid or expired.");
			return reply_error(req, ERR_VALIDATION, "Invalid input.");
		}
	} else
		rc = session_revoke_family(req->db, &req->arena, req->auth.family, "logout");
	if (rc == CORE_OK)
		rc = session_revoke_jti(req->db, &req->arena, req->auth.user_id, req->auth.jti,
		    (time_t)req->auth.exp);
	if (rc != CORE_OK)
		return reply_core(req, rc, "Token");
	auth_actor(req, &who);
	audit(req->db, &req->arena, &who, all ? "logout_all" : "logout", "user", who.user_id, NULL);
	g = reply_begin(req, 200, "Logout successful");
	jw_arr(g);
	jw_arr_end(g);
	return reply_end(req, NULL);
}

int
h_auth_verify(struct request *req)
{
	const char *field = json_obj_get(req->json, "token") ? "token" :
	    json_obj_get(req->json, "access_token") ? "access_token" : "token";
	const char *tok = need_str(req, field, 4096);
	struct token_claims c;
	enum err e;
	char ts[32];
	yajl_gen g;

	if (tok == NULL)
		return reply_error(req, ERR_VALIDATION, "Invalid input.");
	if ((e = auth_check_access(req, tok, &c)) != ERR_NONE)
		return reply_error(req, e, e == ERR_UNAUTHORIZED ? "Token is invalid or expired." : NULL);
	g = reply_begin(req, 200, "Token is valid");
	jw_obj(g);
	jw_key(g, "user");
	if (write_user(req, g, c.sub, c.tenant) != CORE_OK)
		jw_null(g);
	time_iso8601(ts, sizeof(ts), (time_t)c.exp);
	jw_kstr(g, "expires_at", ts);
	jw_obj_end(g);
	return reply_end(req, NULL);
}

int
h_auth_register(struct request *req)
{
	long long id;
	struct session s;
	int rc = users_register(req->db, &req->arena, req->json, req->remote_addr,
	    req->request_id, &id, &req->errs);

	if (rc == CORE_FORBIDDEN)
		return reply_error(req, ERR_FORBIDDEN, "Registration is closed.");
	if (rc != CORE_OK)
		return reply_core(req, rc, "User");
	{
		struct db_param p[1] = { db_int(id) };
		struct db_result r;

		if (db_query(req->db, &req->arena, "SELECT tenant_id FROM users WHERE id = ?", p, 1,
		    &r) < 0)
			return reply_core(req, CORE_DB, "User");
		rc = session_start(req->db, &req->arena, id, db_val_int(&r, 0, 0, 0), 0, &s);
	}
	if (rc != CORE_OK)
		return reply_core(req, rc, "User");
	rc = reply_tokens(req, "Registration successful", &s, 1);
	if (req->status == 200)
		req->status = 201;
	return rc;
}

int
h_auth_me(struct request *req)
{
	yajl_gen g;
	int rc;

	if (req->auth.client_id) {
		g = reply_begin(req, 200, "Current API client");
		jw_obj(g);
		jw_kint(g, "client_id", req->auth.client_id);
		jw_kstr(g, "name", req->auth.username);
		jw_kint(g, "tenant_id", req->auth.tenant_id);
		jw_obj_end(g);
		return reply_end(req, NULL);
	}
	g = reply_begin(req, 200, "Current user");
	rc = write_user(req, g, req->auth.user_id, req->auth.tenant_id);
	if (rc != CORE_OK)
		return reply_core(req, rc, "User");
	return reply_end(req, NULL);
}

int
h_auth_profile_update(struct request *req)
{
	static const char *const allowed[] = {
		"first_name", "last_name", "email", "phone", "language", "timezone", "district_id",
		"thana_id", NULL,
	};
	struct ent_set s, mine;
	struct actor who;
	int rc;

	if (req->auth.client_id)
		return reply_error(req, ERR_FORBIDDEN, "API clients have no profile.");
	if (ent_parse(&ent_user, req->json, 1, &req->arena, &s, &req->errs) != CORE_OK)
		return reply_error(req, ERR_VALIDATION, "Invalid input.");
	/* only one's own details, never type, activity or tree */
	memset(&mine, 0, sizeof(mine));
	for (int i = 0; i < s.n; i++)
		for (int j = 0; allowed[j]; j++)
			if (!strcmp(s.f[i]->name, allowed[j]))
				ent_set_add(&mine, s.f[i], s.p[i]);
	auth_actor(req, &who);
	if ((rc = ent_check_fks(req->db, &req->arena, &ent_user, who.tenant_id, &mine,
	    &req->errs)) == CORE_OK &&
	    (rc = ent_update(req->db, &req->arena, &ent_user, who.tenant_id, who.user_id, &mine,
	    &req->errs)) == CORE_OK)
		audit(req->db, &req->arena, &who, "update_profile", "user", who.user_id, NULL);
	if (rc != CORE_OK)
		return reply_core(req, rc, "User");
	return res_reply_row(req, &res_users_self, 200, "Profile updated.", who.user_id);
}

int
h_auth_change_password(struct request *req)
{
	const char *old_pw = NULL, *new_pw = NULL, *confirm = NULL;
	struct actor who;
	long retry = 0;
	yajl_gen g;
	int rc;

	if (req->auth.client_id)
		return reply_error(req, ERR_FORBIDDEN, "API clients have no password.");
	(void)json_get_str(req->json, "old_password", &old_pw);
	(void)json_get_str(req->json, "new_password", &new_pw);
	if (json_get_str(req->json, "new_password_confirm", &confirm) != JSON_OK &&
	    json_get_str(req->json, "confirm_password", &confirm) != JSON_OK)
		(void)json_get_str(req->json, "new_password2", &confirm);
	auth_actor(req, &who);
	rc = users_change_password(req->db, &req->arena, &who, old_pw, new_pw, confirm, &retry,
	    &req->errs);
	if (rc == CORE_THROTTLED) {
		char tmp[24];

		snprintf(tmp, sizeof(tmp), "%ld", retry);
		req_add_header(req, "Retry-After", tmp);
		return reply_error(req, ERR_THROTTLED, "Too many password changes; try again later.");
	}
	if (rc != CORE_OK)
		return reply_core(req, rc, "User");
	g = reply_begin(req, 200, "Password changed successfully.");
	jw_null(g);
	return reply_end(req, NULL);
}

int
h_auth_my_permissions(struct request *req)
{
	const char **perms;
	unsigned n;
	yajl_gen g;

	if (req->auth.client_id) {
		yajl_val v = yajl_tree_parse(req->auth.scopes ? req->auth.scopes : "[]", NULL, 0);

		g = reply_begin(req, 200, "Success");
		jw_obj(g);
		jw_kstr(g, "user_type", "api_client");
		jw_key(g, "permissions");
		json_write_value(g, v);
		jw_obj_end(g);
		yajl_tree_free(v);
		return reply_end(req, NULL);
	}
	if (rbac_user_perms(req->db, &req->arena, req->auth.user_id, req->auth.tenant_id,
	    req->auth.user_type, req->auth.is_superuser, &perms, &n) != CORE_OK)
		return reply_core(req, CORE_DB, "User");
	g = reply_begin(req, 200, "Success");
	jw_obj(g);
	jw_kstr(g, "user_type", req->auth.user_type);
	jw_kbool(g, "is_superuser", req->auth.is_superuser);
	jw_key(g, "permissions");
	jw_arr(g);
	for (unsigned i = 0; i < n; i++)
		jw_str(g, perms[i]);
	jw_arr_end(g);
	jw_obj_end(g);
	return reply_end(req, NULL);
}
