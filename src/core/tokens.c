/* tokens.c - access tokens: the JWT check (signature, algorithm, type,
 * expiry) and the revocation and user-state check behind it. */
#include "config.h"
#include "core/tokens.h"
#include "core/core.h"
#include "db/db.h"

#include <jwt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

int
tokens_verify(const char *secret, const char *token, struct token_claims *out)
{
	jwt_t *jwt = NULL;
	const char *type, *jti, *fam;
	int rc = -1;

	memset(out, 0, sizeof(*out));
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
	fam = jwt_get_grant(jwt, "fam");
	if (out->sub <= 0 || out->exp <= 0 || jti == NULL || strlen(jti) >= sizeof(out->jti) ||
	    fam == NULL || strlen(fam) >= sizeof(out->fam))
		goto out;
	snprintf(out->jti, sizeof(out->jti), "%s", jti);
	snprintf(out->fam, sizeof(out->fam), "%s", fam);
	if (out->exp <= (long long)time(NULL))
		goto out;
	rc = 0;
out:
	jwt_free(jwt);
	return rc;
}

int
tokens_check(struct db *db, struct arena *a, const char *secret, const char *token,
    struct token_claims *c, struct user *u, const char **versions)
{
	int rc, live = 0;

	if (tokens_verify(secret, token, c) < 0)
		return CORE_BAD_LOGIN;
	rc = users_get_for_token(db, a, c->sub, c->jti, c->fam, u, &live, versions);
	if (rc < 0)
		return CORE_DB;
	/* gone, disabled, moved, logged out (jti) or its login ended (family) */
	if (rc > 0 || !u->is_active || u->tenant_id != c->tenant || !live)
		return CORE_BAD_LOGIN;
	return CORE_OK;
}
