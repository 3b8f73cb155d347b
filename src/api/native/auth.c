/* auth.c - native login and the caller's own account (001 /api/auth/...). */
#include "config.h"
#include "api/native/native.h"
#include "core/users.h"
#include "db/db.h"
#include "http/auth.h"
#include "json/json.h"
#include "util/conf.h"
#include "util/log.h"
#include "util/timeutil.h"

#include <string.h>

/* 001's role names for the richer user_type. */
static const char *
role_of(const char *user_type)
{
	if (user_type == NULL)
		return "user";
	if (!strcmp(user_type, "super_admin") || !strcmp(user_type, "admin"))
		return "admin";
	if (!strcmp(user_type, "support_staff"))
		return "support";
	if (!strcmp(user_type, "accountant") || !strcmp(user_type, "billing_manager"))
		return "accountant";
	return user_type;
}

static void
write_user(yajl_gen g, struct request *req, const struct user *u)
{
	const char *full = arena_printf(&req->arena, "%s%s%s", u->first_name ? u->first_name : "",
	    (u->first_name && *u->first_name && u->last_name && *u->last_name) ? " " : "",
	    u->last_name ? u->last_name : "");

	jw_obj(g);
	jw_kint(g, "id", u->id);
	jw_kstr(g, "uuid", u->uuid);
	jw_kstr(g, "username", u->username);
	jw_kstr(g, "email", u->email ? u->email : "");
	jw_kstr(g, "first_name", u->first_name ? u->first_name : "");
	jw_kstr(g, "last_name", u->last_name ? u->last_name : "");
	jw_kstr(g, "full_name", *full ? full : u->username);
	jw_kstr(g, "role", role_of(u->user_type));
	jw_kstr(g, "user_type", u->user_type);
	jw_kstr(g, "phone", u->phone);
	jw_kbool(g, "is_active", u->is_active);
	jw_kbool(g, "is_superuser", u->is_superuser);
	jw_kint(g, "tenant_id", u->tenant_id);
	jw_key(g, "date_joined");
	jw_dbtime(g, u->created_at);
	jw_key(g, "last_login");
	jw_dbtime(g, u->last_login);
	jw_key(g, "created_at");
	jw_dbtime(g, u->created_at);
	jw_obj_end(g);
}

/* A required, non-empty string field of at most max bytes; field error otherwise. */
static const char *
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

int
h_auth_login(struct request *req)
{
	const char *login = NULL, *password;
	const char *field = "username";
	struct user u;
	time_t exp;
	const char *tok;
	char ts[32];
	yajl_gen g;
	int rc;

	/* username, email or login_id: whichever the panel sends */
	if (json_obj_get(req->json, "username") == NULL) {
		if (json_obj_get(req->json, "email"))
			field = "email";
		else if (json_obj_get(req->json, "login_id"))
			field = "login_id";
	}
	login = need_str(req, field, 254);
	password = need_str(req, "password", 1024);
	if (req->nerrs)
		return reply_error(req, ERR_VALIDATION, "Invalid input.");

	rc = users_authenticate(req->db, &req->arena, login, password, &u);
	if (rc < 0) {
		log_error("login: database error %u: %s", req->db->err, req->db->errmsg);
		return reply_error(req, ERR_UNAVAILABLE, NULL);
	}
	if (rc == ISP_E_INACTIVE) {
		log_info("login refused: inactive account '%s'", login);
		return reply_error(req, ERR_UNAUTHORIZED, "This account is disabled.");
	}
	if (rc != 0) {
		log_info("login failed for '%s'", login);
		return reply_error(req, ERR_UNAUTHORIZED, "Invalid credentials.");
	}
	if ((tok = auth_issue_access(req, &u, &exp)) == NULL)
		return reply_error(req, ERR_INTERNAL, "Could not issue a token.");
	log_info("login ok user=%lld", u.id);

	g = reply_begin(req, 200, "Login successful");
	jw_obj(g);
	jw_key(g, "user");
	write_user(g, req, &u);
	jw_key(g, "tokens");
	jw_obj(g);
	jw_kstr(g, "access", tok);
	jw_kstr(g, "token_type", "Bearer");
	jw_kint(g, "expires_in", req->cfg->access_ttl);
	jw_obj_end(g);
	time_iso8601(ts, sizeof(ts), exp);
	jw_kstr(g, "expires_at", ts);
	jw_obj_end(g);
	return reply_end(req, NULL);
}

int
h_auth_me(struct request *req)
{
	struct user u;
	yajl_gen g;
	int rc = users_get(req->db, &req->arena, req->auth.user_id, &u);

	if (rc < 0)
		return reply_error(req, ERR_UNAVAILABLE, NULL);
	if (rc > 0)
		return reply_error(req, ERR_NOT_FOUND, "User not found.");
	g = reply_begin(req, 200, "Current user");
	write_user(g, req, &u);
	return reply_end(req, NULL);
}
