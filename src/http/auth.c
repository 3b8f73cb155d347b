/* auth.c - who is calling: access tokens (JWT HS256 through libjwt). */
#include "config.h"
#include "http/auth.h"
#include "core/users.h"
#include "db/db.h"
#include "util/conf.h"
#include "util/log.h"

#include <jwt.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int
auth_verify_token(const char *secret, const char *token, struct token_claims *out)
{
	jwt_t *jwt = NULL;
	const char *type, *jti;
	int rc = -1;

	if (secret == NULL || *secret == '\0' || token == NULL || strlen(token) > 4096)
		return -1;
	/* libjwt verifies the signature with the key it is given; an unsigned
	 * token (alg none) or another algorithm is refused below. */
	if (jwt_decode(&jwt, token, (const unsigned char *)secret, (int)strlen(secret)) != 0)
		return -1;
	if (jwt_get_alg(jwt) != JWT_ALG_HS256)
		goto out;
	type = jwt_get_grant(jwt, "type");
	if (type == NULL || strcmp(type, "access") != 0)
		goto out;
	out->sub = jwt_get_grant_int(jwt, "sub");
	out->tenant = jwt_get_grant_int(jwt, "tenant");
	out->exp = jwt_get_grant_int(jwt, "exp");
	out->iat = jwt_get_grant_int(jwt, "iat");
	jti = jwt_get_grant(jwt, "jti");
	if (out->sub <= 0 || out->exp <= 0 || jti == NULL || strlen(jti) >= sizeof(out->jti))
		goto out;
	snprintf(out->jti, sizeof(out->jti), "%s", jti);
	if (out->exp <= (long long)time(NULL))
		goto out;
	rc = 0;
out:
	jwt_free(jwt);
	return rc;
}

enum err
auth_authenticate(struct request *req)
{
	const char *h = req_header(req, "Authorization");
	struct token_claims c;
	struct user u;
	int rc;

	if (h == NULL || strncasecmp(h, "Bearer ", 7) != 0)
		return ERR_UNAUTHORIZED;
	h += 7;
	while (*h == ' ')
		h++;
	if (auth_verify_token(req->cfg->jwt_secret, h, &c) < 0)
		return ERR_UNAUTHORIZED;
	rc = users_get(req->db, &req->arena, c.sub, &u);
	if (rc < 0) {
		log_error("auth: user lookup failed: %u %s", req->db->err, req->db->errmsg);
		return ERR_UNAVAILABLE;
	}
	if (rc > 0 || !u.is_active || u.tenant_id != c.tenant)
		return ERR_UNAUTHORIZED;
	req->auth.user_id = u.id;
	req->auth.tenant_id = u.tenant_id;
	req->auth.username = u.username;
	req->auth.user_type = u.user_type;
	req->auth.is_superuser = u.is_superuser;
	req->auth.jti = arena_strdup(&req->arena, c.jti);
	return ERR_NONE;
}

int
auth_has_perm(const struct request *req, const char *perm)
{
	/* Roles and permissions come with the identity issue; until then a
	 * super user holds every permission and others hold none. */
	(void)perm;
	return req->auth.is_superuser;
}

const char *
auth_issue_access(struct request *req, const struct user *u, time_t *expires)
{
	unsigned char rnd[16];
	char jti[33];
	time_t now = time(NULL);
	jwt_t *jwt = NULL;
	char *tok, *copy = NULL;

	randombytes_buf(rnd, sizeof(rnd));
	sodium_bin2hex(jti, sizeof(jti), rnd, sizeof(rnd));
	*expires = now + req->cfg->access_ttl;
	if (jwt_new(&jwt) != 0)
		return NULL;
	if (jwt_add_grant_int(jwt, "sub", (long)u->id) == 0 &&
	    jwt_add_grant_int(jwt, "tenant", (long)u->tenant_id) == 0 &&
	    jwt_add_grant(jwt, "type", "access") == 0 &&
	    jwt_add_grant(jwt, "jti", jti) == 0 &&
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
