/* auth.c - who is calling: access tokens, API client keys, permissions and
 * the per-user request limit. */
#include "config.h"
#include "http/auth.h"
#include "core/apiclients.h"
#include "core/core.h"
#include "core/rbac.h"
#include "core/throttle.h"
#include "core/tokens.h"
#include "core/users.h"
#include "db/db.h"
#include "util/conf.h"
#include "util/log.h"
#include "util/uuid.h"

#include <jwt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* the caller is u */
static void
as_user(struct request *req, const struct user *u)
{
	req->auth.user_id = u->id;
	req->auth.tenant_id = u->tenant_id;
	req->auth.username = u->username;
	req->auth.user_type = u->user_type;
	req->auth.is_superuser = u->is_superuser;
}

enum err
auth_check_access(struct request *req, const char *token, struct token_claims *c)
{
	struct user u;
	int rc = tokens_check(req->db, &req->arena, req->cfg->jwt_secret, token, c, &u,
	    &req->auth.versions);

	if (rc == CORE_DB) {
		log_error("auth: user lookup failed: %u %s", req->db->err, req->db->errmsg);
		return ERR_UNAVAILABLE;
	}
	if (rc != CORE_OK)
		return ERR_UNAUTHORIZED;
	as_user(req, &u);
	req->auth.jti = arena_strdup(&req->arena, c->jti);
	req->auth.family = arena_strdup(&req->arena, c->fam);
	req->auth.exp = c->exp;
	return ERR_NONE;
}

static enum err
limit_requests(struct request *req)
{
	long count, reset;
	char tmp[32];

	if (throttle_hit(req->db, &req->arena, arena_printf(&req->arena, "req:%lld",
	    req->auth.user_id), 3600, &count, &reset) != CORE_OK)
		return ERR_UNAVAILABLE;
	snprintf(tmp, sizeof(tmp), "%d", USER_REQ_LIMIT);
	req_add_header(req, "X-RateLimit-Limit", tmp);
	snprintf(tmp, sizeof(tmp), "%ld", count >= USER_REQ_LIMIT ? 0 : USER_REQ_LIMIT - count);
	req_add_header(req, "X-RateLimit-Remaining", tmp);
	snprintf(tmp, sizeof(tmp), "%ld", reset);
	req_add_header(req, "X-RateLimit-Reset", tmp);
	if (count > USER_REQ_LIMIT) {
		req_add_header(req, "Retry-After", tmp);
		return ERR_THROTTLED;
	}
	return ERR_NONE;
}

enum err
auth_authenticate(struct request *req)
{
	const char *key = req_header(req, "X-Client-Key");
	const char *h = req_header(req, "Authorization");
	struct token_claims c;
	enum err e;

	if (key && *key) {
		struct api_client cl;
		int rc = clients_authenticate(req->db, &req->arena, key, &cl);

		if (rc == CORE_DB)
			return ERR_UNAVAILABLE;
		if (rc != CORE_OK)
			return ERR_UNAUTHORIZED;
		req->auth.client_id = cl.id;
		req->auth.tenant_id = cl.tenant_id;
		req->auth.username = cl.name;
		req->auth.user_type = "api_client";
		req->auth.scopes = cl.scopes;
		req->auth.versions = cl.versions;
		return ERR_NONE;
	}
	if (h == NULL || strncasecmp(h, "Bearer ", 7) != 0)
		return ERR_UNAUTHORIZED;
	h += 7;
	while (*h == ' ')
		h++;
	if ((e = auth_check_access(req, h, &c)) != ERR_NONE)
		return e;
	return limit_requests(req);
}

enum err
auth_as_trusted(struct request *req, long long user_id, const char *tenant_code)
{
	struct user u;
	int rc;

	if (user_id <= 0 || tenant_code == NULL || *tenant_code == '\0')
		return ERR_UNAUTHORIZED;
	rc = users_get_in_tenant(req->db, &req->arena, user_id, tenant_code, &u,
	    &req->auth.versions);
	if (rc < 0) {
		log_error("auth: user lookup failed: %u %s", req->db->err, req->db->errmsg);
		return ERR_UNAVAILABLE;
	}
	if (rc > 0 || !u.is_active)
		return ERR_UNAUTHORIZED;
	as_user(req, &u);
	return limit_requests(req);
}

int
auth_has_perm(struct request *req, const char *perm)
{
	struct actor who;

	auth_actor(req, &who);
	return rbac_actor_has(req->db, &req->arena, &who, req->auth.scopes, perm);
}

const char *
auth_issue_access(struct request *req, long long user_id, long long tenant_id,
    const char *fam, time_t *expires)
{
	char jti[33];
	time_t now = time(NULL);
	jwt_t *jwt = NULL;
	char *tok, *copy = NULL;

	random_hex(jti, 16);
	*expires = now + req->cfg->access_ttl;
	if (jwt_new(&jwt) != 0)
		return NULL;
	if (jwt_add_grant_int(jwt, "sub", (long)user_id) == 0 &&
	    jwt_add_grant_int(jwt, "tenant", (long)tenant_id) == 0 &&
	    jwt_add_grant(jwt, "type", "access") == 0 &&
	    jwt_add_grant(jwt, "jti", jti) == 0 &&
	    jwt_add_grant(jwt, "fam", fam) == 0 &&
	    jwt_add_grant_int(jwt, "iat", (long)now) == 0 &&
	    jwt_add_grant_int(jwt, "exp", (long)*expires) == 0 &&
	    jwt_set_alg(jwt, JWT_ALG_HS256, (const unsigned char *)req->cfg->jwt_secret,
	    (int)strlen(req->cfg->jwt_secret)) == 0 &&
	    (tok = jwt_encode_str(jwt)) != NULL) {
		copy = arena_strdup(&req->arena, tok);
		free(tok);
	}
	jwt_free(jwt);
	return copy;
}

void
auth_actor(const struct request *req, struct actor *out)
{
	memset(out, 0, sizeof(*out));
	out->tenant_id = req->auth.tenant_id;
	out->user_id = req->auth.user_id;
	out->client_id = req->auth.client_id;
	out->name = req->auth.username;
	out->user_type = req->auth.user_type;
	out->is_superuser = req->auth.is_superuser;
	out->ip = req->remote_addr;
	out->request_id = req->request_id;
}
