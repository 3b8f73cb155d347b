/* auth.c - mikrobill (004) sessions: login answering the document's
 * {id, username, email, role, api_token} beside the panel's access and
 * refresh tokens, register, refresh, logout (native's) and the profile. */
#include "config.h"
#include "api/mikrobill/mikrobill.h"
#include "api/native/native.h"
#include "core/audit.h"
#include "core/sessions.h"
#include "core/users.h"
#include "db/db.h"
#include "http/auth.h"
#include "json/json.h"
#include "util/conf.h"

#include <string.h>
#include <time.h>

/* the user as 004 shows it: its uuid is its id */
static void
write_user(yajl_gen g, const struct ent_row *r)
{
	const struct entity *e = &ent_user;

	jw_obj(g);
	jw_kstr(g, "id", ent_val(e, r, "uuid"));
	jw_kint(g, "user_id", r->id);
	jw_kstr(g, "username", ent_val(e, r, "username"));
	jw_kstr(g, "email", ent_val(e, r, "email"));
	jw_kstr(g, "fullname", ent_val(e, r, "full_name"));
	jw_kstr(g, "phone", ent_val(e, r, "phone"));
	jw_kstr(g, "role", ent_val(e, r, "role"));
	jw_kstr(g, "user_type", ent_val(e, r, "user_type"));
	jw_kint(g, "tenant_id", r->tenant);
	jw_kbool(g, "is_active", strcmp(ent_val(e, r, "is_active"), "0") != 0);
	jw_key(g, "last_login");
	jw_dbtime(g, ent_val(e, r, "last_login"));
	jw_obj_end(g);
}

/* {id, username, email, role, api_token, access_token, refresh_token,
 *  token_type, expires_in, refresh_expires_in, user} */
static int
reply_session(struct request *req, int status, const struct session *s)
{
	const struct entity *e = &ent_user;
	struct ent_row r;
	time_t exp;
	const char *tok = auth_issue_access(req, s->user_id, s->tenant_id, s->family, &exp);
	yajl_gen g;
	int rc;

	if (tok == NULL)
		return reply_error(req, ERR_INTERNAL, "Could not issue a token.");
	if ((rc = ent_get_id(req->db, &req->arena, e, s->tenant_id, s->user_id, &r)) != CORE_OK)
		return reply_core(req, rc, "User");
	g = reply_begin(req, status, NULL);
	jw_obj(g);
	jw_kstr(g, "id", ent_val(e, &r, "uuid"));
	jw_kstr(g, "username", ent_val(e, &r, "username"));
	jw_kstr(g, "email", ent_val(e, &r, "email"));
	jw_kstr(g, "role", ent_val(e, &r, "role"));
	jw_kstr(g, "api_token", tok);
	jw_kstr(g, "access_token", tok);
	jw_kstr(g, "refresh_token", s->refresh);
	jw_kstr(g, "token_type", "Bearer");
	jw_kint(g, "expires_in", req->cfg->access_ttl);
	jw_kint(g, "refresh_expires_in", (long long)(s->refresh_expires - time(NULL)));
	jw_key(g, "user");
	write_user(g, &r);
	jw_obj_end(g);
	return reply_end(req, NULL);
}

int
mb_login(struct request *req)
{
	struct session s;
	int rc = native_login(req, &s);

	if (rc == CORE_INVALID)
		return reply_error(req, ERR_VALIDATION, "Invalid input.");
	if (rc != CORE_OK)
		return reply_core(req, rc, "User");
	return reply_session(req, 200, &s);
}

int
mb_register(struct request *req)
{
	struct user u;
	struct session s;
	long long id;
	int rc = users_register(req->db, &req->arena, req->json, req->remote_addr,
	    req->request_id, &id, &req->errs);

	if (rc == CORE_FORBIDDEN)
		return reply_error(req, ERR_FORBIDDEN, "Registration is closed.");
	if (rc == CORE_OK)
		rc = users_get(req->db, &req->arena, id, &u);
	if (rc == CORE_OK)
		rc = session_start(req->db, &req->arena, id, u.tenant_id, 0, &s);
	if (rc != CORE_OK)
		return reply_core(req, rc, "User");
	return reply_session(req, 201, &s);
}

int
mb_refresh(struct request *req)
{
	const char *field = json_obj_get(req->json, "refresh") &&
	    !json_obj_get(req->json, "refresh_token") ? "refresh" : "refresh_token";
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
	return reply_session(req, 200, &s);
}

static int
reply_me(struct request *req, const char *message)
{
	struct ent_row r;
	int rc = ent_get_id(req->db, &req->arena, &ent_user, req->auth.tenant_id,
	    req->auth.user_id, &r);

	if (rc != CORE_OK)
		return reply_core(req, rc, "User");
	write_user(reply_begin(req, 200, message), &r);
	return reply_end(req, NULL);
}

int
mb_profile(struct request *req)
{
	yajl_gen g;

	if (req->auth.client_id) {
		g = reply_begin(req, 200, NULL);
		jw_obj(g);
		jw_kint(g, "client_id", req->auth.client_id);
		jw_kstr(g, "name", req->auth.username);
		jw_kstr(g, "role", "api_client");
		jw_kint(g, "tenant_id", req->auth.tenant_id);
		jw_obj_end(g);
		return reply_end(req, NULL);
	}
	return reply_me(req, NULL);
}

/* one's own email, phone and name ("fullname": first word first name) */
int
mb_profile_update(struct request *req)
{
	static const char *const allowed[] = { "first_name", "last_name", "email", "phone", NULL };
	const struct entity *e = &ent_user;
	const char *full = NULL;
	struct ent_set s, mine;
	struct actor who;
	int rc;

	if (req->auth.client_id)
		return reply_error(req, ERR_FORBIDDEN, "API clients have no profile.");
	switch (json_get_str(req->json, "fullname", &full)) {
	case JSON_OK:
	case JSON_MISSING:
		break;
	default:
		req_field_error(req, "fullname", "Not a valid string.");
	}
	if (full && strlen(full) > 300)
		req_field_error(req, "fullname", "Ensure this field has no more than 300 characters.");
	if (ent_parse(e, req->json, 1, &req->arena, &s, &req->errs) != CORE_OK || req->errs.n)
		return reply_error(req, ERR_VALIDATION, "Invalid input.");
	memset(&mine, 0, sizeof(mine));
	for (int i = 0; i < s.n; i++)
		for (int j = 0; allowed[j]; j++)
			if (!strcmp(s.f[i]->name, allowed[j]))
				ent_set_add(&mine, s.f[i], s.p[i]);
	if (full) {
		const char *sp = strchr(full, ' ');

		ent_set_del(&mine, "first_name");
		ent_set_del(&mine, "last_name");
		ent_set_add(&mine, ent_field(e, "first_name"), db_str(sp ?
		    arena_strndup(&req->arena, full, (size_t)(sp - full)) : full));
		ent_set_add(&mine, ent_field(e, "last_name"), db_str(sp ? sp + 1 : ""));
	}
	auth_actor(req, &who);
	if (mine.n && (rc = ent_update(req->db, &req->arena, e, who.tenant_id, who.user_id, &mine,
	    &req->errs)) != CORE_OK)
		return reply_core(req, rc, "User");
	if (mine.n)
		audit(req->db, &req->arena, &who, "update_profile", "user", who.user_id, NULL);
	return reply_me(req, "Profile updated.");
}
