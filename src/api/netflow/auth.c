/* auth.c - netflow's login, register and me: 002's token and user, also at
 * the top level (what the NetFlow panel reads), login by email or
 * identifier; the session, throttling and audit are native's and the core's. */
#include "config.h"
#include "api/native/native.h"
#include "api/netflow/netflow.h"
#include "core/users.h"
#include "http/auth.h"
#include "json/json.h"
#include "util/conf.h"

#include <string.h>

/* {id, username, email, full_name, role, status} as 002 shows a user */
static void
write_user(yajl_gen g, const struct ent_row *r)
{
	const struct entity *e = &ent_user;
	const char *active = ent_val(e, r, "is_active");

	jw_obj(g);
	jw_kint(g, "id", r->id);
	jw_kstr(g, "username", ent_val(e, r, "username"));
	jw_kstr(g, "email", ent_val(e, r, "email"));
	jw_kstr(g, "full_name", ent_val(e, r, "full_name"));
	jw_kstr(g, "role", ent_val(e, r, "role"));
	jw_kstr(g, "user_type", ent_val(e, r, "user_type"));
	jw_kstr(g, "status", active && strcmp(active, "0") != 0 ? "active" : "inactive");
	jw_obj_end(g);
}

/* 201 {data: {token, refresh_token, user}, token, user} */
static int
reply_session(struct request *req, const struct session *s, const char *message)
{
	struct ent_row r;
	time_t exp;
	const char *tok = auth_issue_access(req, s->user_id, s->tenant_id, s->family, &exp);
	yajl_gen g;
	int rc;

	if (tok == NULL)
		return reply_error(req, ERR_INTERNAL, "Could not issue a token");
	if ((rc = ent_get_id(req->db, &req->arena, &ent_user, s->tenant_id, s->user_id, &r)) !=
	    CORE_OK)
		return reply_core(req, rc, "User");
	g = reply_begin(req, 201, message);
	jw_obj(g);
	jw_kstr(g, "token", tok);
	jw_kstr(g, "refresh_token", s->refresh);
	jw_kint(g, "expires_in", req->cfg->access_ttl);
	jw_key(g, "user");
	write_user(g, &r);
	jw_obj_end(g);
	/* the panel reads these at the top level too */
	jw_kstr(g, "token", tok);
	jw_key(g, "user");
	write_user(g, &r);
	return reply_end(req, NULL);
}

int
nf_login(struct request *req)
{
	static const struct nf_alias identifier[] = { { "identifier", "email" }, { NULL, NULL } };
	yajl_val parsed = req->json;
	struct session s;
	int rc;

	if (json_obj_get(parsed, "username") == NULL && json_obj_get(parsed, "email") == NULL &&
	    json_obj_get(parsed, "identifier") == NULL && json_obj_get(parsed, "login_id") == NULL) {
		req_field_error(req, "email", "Email is required");
		return reply_error(req, ERR_VALIDATION, "Email is required");
	}
	if (json_obj_get(parsed, "email") == NULL && json_obj_get(parsed, "username") == NULL)
		req->json = nf_renamed(req, parsed, identifier);
	rc = native_login(req, &s);
	req->json = parsed;             /* the parsed tree is freed with the request */
	if (rc == CORE_INVALID)
		return reply_error(req, ERR_VALIDATION, "Invalid input.");
	if (rc == CORE_BAD_LOGIN)
		return reply_error(req, ERR_UNAUTHORIZED, "Invalid email or password");
	if (rc != CORE_OK)
		return reply_core(req, rc, "User");
	return reply_session(req, &s, "Login successful");
}

int
nf_register(struct request *req)
{
	struct user u;
	struct session s;
	long long id;
	int rc = users_register(req->db, &req->arena, req->json, req->remote_addr,
	    req->request_id, &id, &req->errs);

	if (rc == CORE_FORBIDDEN)
		return reply_error(req, ERR_FORBIDDEN, "Registration is closed");
	if (rc != CORE_OK)
		return reply_core(req, rc, "User");
	if ((rc = users_get(req->db, &req->arena, id, &u)) != CORE_OK ||
	    (rc = session_start(req->db, &req->arena, id, u.tenant_id, 0, &s)) != CORE_OK)
		return reply_core(req, rc, "User");
	return reply_session(req, &s, "Registration successful");
}

int
nf_me(struct request *req)
{
	struct ent_row r;
	yajl_gen g;
	int rc;

	if (req->auth.client_id) {
		g = reply_begin(req, 200, NULL);
		jw_obj(g);
		jw_kint(g, "id", req->auth.client_id);
		jw_kstr(g, "username", req->auth.username);
		jw_kstr(g, "role", "api_client");
		jw_kstr(g, "status", "active");
		jw_obj_end(g);
		return reply_end(req, NULL);
	}
	rc = ent_get_id(req->db, &req->arena, &ent_user, req->auth.tenant_id, req->auth.user_id, &r);
	if (rc != CORE_OK)
		return reply_core(req, rc, "User");
	g = reply_begin(req, 200, NULL);
	write_user(g, &r);
	return reply_end(req, NULL);
}
