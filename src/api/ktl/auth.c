/* auth.c - ktl (003) login by login_id, token verify, the user as 003
 * shows it (uuid id, name, mobile, roles, permissions) and the profile.
 * Refresh, logout, change-password and one's permissions are native's
 * handlers: they already answer 003's envelope and words. */
#include "config.h"
#include "api/ktl/ktl.h"
#include "api/native/native.h"
#include "core/locations.h"
#include "core/rbac.h"
#include "core/sessions.h"
#include "core/users.h"
#include "http/auth.h"
#include "json/json.h"
#include "util/conf.h"
#include "util/timeutil.h"

#include <string.h>

/* {id, name, bn_name} of a district or thana, or null */
static void
write_place(struct request *req, yajl_gen g, const char *key, const struct entity *e,
    const char *idstr)
{
	struct ent_row r;

	jw_key(g, key);
	if (idstr == NULL || ent_get(req->db, &req->arena, e, 0, idstr, &r) != CORE_OK) {
		jw_null(g);
		return;
	}
	jw_obj(g);
	jw_kint(g, "id", r.id);
	jw_kstr(g, "name", ent_val(e, &r, "name"));
	jw_kstr(g, "bn_name", ent_val(e, &r, "bn_name"));
	jw_obj_end(g);
}

/* the roles of the page of users being written (ktl_users_prefetch), so
 * that a list costs one roles query, not one per user */
static struct {
	const struct request *req;
	struct user_role_info *roles;
	unsigned n;
} page_roles;

void
ktl_users_prefetch(struct request *req, const struct ent_page *page)
{
	long long *ids;

	page_roles.req = NULL;
	if (page == NULL || page->nrows == 0)
		return;
	ids = arena_calloc(&req->arena, page->nrows, sizeof(*ids));
	for (unsigned i = 0; i < page->nrows; i++)
		ids[i] = page->rows[i].id;
	if (rbac_users_roles(req->db, &req->arena, req->auth.tenant_id, ids, page->nrows,
	    req->auth.versions, &page_roles.roles, &page_roles.n) == CORE_OK)
		page_roles.req = req;
}

static void
write_roles(struct request *req, yajl_gen g, const struct ent_row *r)
{
	const struct entity *e = &ent_user;
	struct user_role_info *roles;
	unsigned n = 0;

	jw_key(g, "roles");
	jw_arr(g);
	if (page_roles.req == req) {
		/* the page's, ordered by user: this one's run of them */
		struct user_role_info *end = page_roles.roles + page_roles.n;

		for (roles = page_roles.roles; roles < end && roles->user_id != r->id; roles++)
			;
		while (roles + n < end && roles[n].user_id == r->id)
			n++;
	} else if (rbac_user_roles(req->db, &req->arena, r->id, r->tenant,
	    ent_val(e, r, "user_type"), &roles, &n) != CORE_OK)
		n = 0;
	for (unsigned i = 0; i < n; i++) {
		jw_obj(g);
		jw_kstr(g, "id", roles[i].uuid);
		jw_kstr(g, "role_name", roles[i].display_name && *roles[i].display_name ?
		    roles[i].display_name : roles[i].name);
		jw_kstr(g, "name", roles[i].name);
		jw_kbool(g, "is_active", 1);
		jw_kbool(g, "is_default", roles[i].is_default);
		/* the role of the user type comes with the account */
		jw_kstr(g, "assigned_by_name", roles[i].is_default ? "System" :
		    roles[i].assigned_by);
		jw_key(g, "assigned_at");
		jw_dbtime(g, roles[i].is_default ? ent_val(e, r, "date_joined") :
		    roles[i].assigned_at);
		jw_key(g, "expires_at");
		jw_dbtime(g, roles[i].expires_at);
		jw_obj_end(g);
	}
	jw_arr_end(g);
}

void
ktl_write_user(struct request *req, yajl_gen g, const struct ent_row *r, int detail)
{
	const struct entity *e = &ent_user;
	const char *login = ent_val(e, r, "login_id");

	jw_obj(g);
	jw_kstr(g, "id", ent_val(e, r, "uuid"));
	jw_kstr(g, "login_id", login ? login : ent_val(e, r, "username"));
	jw_kstr(g, "username", ent_val(e, r, "username"));
	jw_kstr(g, "email", ent_val(e, r, "email"));
	jw_kstr(g, "name", ent_val(e, r, "full_name"));
	jw_kstr(g, "mobile", ent_val(e, r, "phone"));
	jw_kstr(g, "user_type", ent_val(e, r, "user_type"));
	jw_kstr(g, "employee_id", ent_val(e, r, "employee_id"));
	jw_kstr(g, "designation", ent_val(e, r, "designation"));
	jw_kstr(g, "department", ent_val(e, r, "department"));
	write_place(req, g, "district_info", &ent_district, ent_val(e, r, "district_id"));
	write_place(req, g, "thana_info", &ent_thana, ent_val(e, r, "thana_id"));
	jw_kbool(g, "is_active", ktl_truth(ent_val(e, r, "is_active")));
	jw_kbool(g, "is_staff", ktl_truth(ent_val(e, r, "is_staff")));
	jw_kbool(g, "is_superuser", ktl_truth(ent_val(e, r, "is_superuser")));
	jw_kbool(g, "is_email_verified", ktl_truth(ent_val(e, r, "is_email_verified")));
	jw_kbool(g, "is_phone_verified", ktl_truth(ent_val(e, r, "is_phone_verified")));
	jw_kbool(g, "is_first_login", ktl_truth(ent_val(e, r, "is_first_login")));
	jw_knull(g, "profile_photo");
	jw_kstr(g, "language_preference", ent_val(e, r, "language"));
	jw_kstr(g, "timezone", ent_val(e, r, "timezone"));
	write_roles(req, g, r);
	if (detail) {
		const char **perms;
		unsigned n;

		jw_key(g, "permissions");
		jw_arr(g);
		if (rbac_user_perms(req->db, &req->arena, r->id, r->tenant,
		    ent_val(e, r, "user_type"), ktl_truth(ent_val(e, r, "is_superuser")), &perms,
		    &n) == CORE_OK)
			for (unsigned i = 0; i < n; i++)
				jw_str(g, perms[i]);
		jw_arr_end(g);
	}
	jw_key(g, "last_login");
	jw_dbtime(g, ent_val(e, r, "last_login"));
	jw_key(g, "date_joined");
	jw_dbtime(g, ent_val(e, r, "date_joined"));
	jw_obj_end(g);
}

/* POST /auth/login/ {login_id, password, remember_me} */
int
ktl_login(struct request *req)
{
	struct session s;
	struct ent_row r;
	time_t exp;
	const char *tok;
	char ts[32];
	yajl_gen g;
	int rc;

	if (!json_obj_get(req->json, "login_id") && !json_obj_get(req->json, "username") &&
	    !json_obj_get(req->json, "email")) {
		native_login_limit_headers(req);
		req_field_error(req, "login_id", "This field is required.");
		if (!json_obj_get(req->json, "password"))
			req_field_error(req, "password", "This field is required.");
		return reply_error(req, ERR_VALIDATION, "Login failed");
	}
	rc = native_login(req, &s);
	/* 003: "Login attempts: 5 per 15 minutes", told on every answer */
	native_login_limit_headers(req);
	switch (rc) {
	case CORE_OK:
		break;
	case CORE_INVALID:
		return reply_error(req, ERR_VALIDATION, "Login failed");
	case CORE_BAD_LOGIN:
		req_field_error(req, "non_field_errors", "Invalid login credentials.");
		return reply_error(req, ERR_VALIDATION, "Login failed");
	case CORE_INACTIVE:
		req_field_error(req, "non_field_errors", "User account is disabled.");
		return reply_error(req, ERR_VALIDATION, "Login failed");
	case CORE_THROTTLED:
		return reply_error(req, ERR_THROTTLED,
		    "Too many login attempts. Please try again later.");
	default:
		return ktl_core(req, rc);
	}
	if ((tok = auth_issue_access(req, s.user_id, s.tenant_id, s.family, &exp)) == NULL)
		return reply_error(req, ERR_INTERNAL, "Could not issue a token.");
	if ((rc = ent_get_id(req->db, &req->arena, &ent_user, s.tenant_id, s.user_id, &r)) !=
	    CORE_OK)
		return ktl_core(req, rc);
	g = reply_begin(req, 200, "Login successful");
	jw_obj(g);
	jw_key(g, "user");
	ktl_write_user(req, g, &r, 1);
	jw_key(g, "tokens");
	jw_obj(g);
	jw_kstr(g, "access", tok);
	jw_kstr(g, "refresh", s.refresh);
	jw_kstr(g, "token_type", "Bearer");
	jw_obj_end(g);
	jw_kbool(g, "remember_me", s.remember_me);
	time_iso8601(ts, sizeof(ts), exp);
	jw_kstr(g, "expires_at", ts);
	jw_obj_end(g);
	return reply_end(req, NULL);
}

/* POST /auth/verify/: the token in the body ({token}) or the
 * Authorization header; public, as 003 lists it. */
int
ktl_verify(struct request *req)
{
	const char *tok = NULL, *h = req_header(req, "Authorization");
	struct token_claims c;
	struct ent_row r;
	char ts[32];
	yajl_gen g;
	enum err e;

	if (json_get_str(req->json, "token", &tok) != JSON_OK &&
	    json_get_str(req->json, "access_token", &tok) != JSON_OK &&
	    json_get_str(req->json, "access", &tok) != JSON_OK &&
	    h && strncasecmp(h, "Bearer ", 7) == 0)
		tok = h + 7;
	if (tok == NULL || *tok == '\0' || strlen(tok) > 4096) {
		req_field_error(req, "token", "This field is required.");
		return ktl_bad_request(req);
	}
	if ((e = auth_check_access(req, tok, &c)) != ERR_NONE)
		return reply_error(req, e, e == ERR_UNAUTHORIZED ? "Token is invalid or expired" :
		    NULL);
	if (ent_get_id(req->db, &req->arena, &ent_user, c.tenant, c.sub, &r) != CORE_OK)
		return reply_error(req, ERR_UNAUTHORIZED, "Token is invalid or expired");
	g = reply_begin(req, 200, "Token is valid");
	jw_obj(g);
	jw_key(g, "user");
	jw_obj(g);
	jw_kstr(g, "id", ent_val(&ent_user, &r, "uuid"));
	jw_kstr(g, "login_id", ent_val(&ent_user, &r, "login_id") ?
	    ent_val(&ent_user, &r, "login_id") : ent_val(&ent_user, &r, "username"));
	jw_kstr(g, "email", ent_val(&ent_user, &r, "email"));
	jw_kstr(g, "name", ent_val(&ent_user, &r, "full_name"));
	jw_kstr(g, "user_type", ent_val(&ent_user, &r, "user_type"));
	jw_obj_end(g);
	time_iso8601(ts, sizeof(ts), (time_t)c.exp);
	jw_kstr(g, "expires_at", ts);
	jw_obj_end(g);
	return reply_end(req, NULL);
}

/* GET /users/profile/: the caller, bare as DRF answers one object */
int
ktl_profile(struct request *req)
{
	struct ent_row r;
	yajl_gen g;
	int rc;

	if (req->auth.client_id)
		return reply_error(req, ERR_FORBIDDEN, "API clients have no profile.");
	rc = ent_get_id(req->db, &req->arena, &ent_user, req->auth.tenant_id, req->auth.user_id,
	    &r);
	if (rc != CORE_OK)
		return ktl_core(req, rc);
	g = ktl_bare_begin(req, 200);
	ktl_write_user(req, g, &r, 1);
	return ktl_bare_end(req);
}
