/* tokens.h - access tokens (JWT HS256 through libjwt): the signature,
 * algorithm, type and expiry check, and the revocation and user-state
 * check behind it.  Shared by the HTTP API (http/auth.c) and the monitor. */
#ifndef ISP_TOKENS_H
#define ISP_TOKENS_H

#include "core/users.h"

struct db;
struct arena;

struct token_claims {
	long long sub;
	long long tenant;
	long long exp;
	long long iat;
	char jti[40];
	char fam[40];
};

/* Decode and check an access token's signature, algorithm, type and
 * expiry against secret: 0 and the claims, or -1. */
int tokens_verify(const char *secret, const char *token, struct token_claims *out);
/* tokens_verify, then the user behind it: CORE_OK with *u (and *versions,
 * its tenant's data versions) when the token is not revoked (jti), its
 * login not ended (family), and the user exists, is active and is still
 * in the token's tenant; CORE_BAD_LOGIN otherwise; CORE_DB. */
int tokens_check(struct db *db, struct arena *a, const char *secret, const char *token,
    struct token_claims *c, struct user *u, const char **versions);

#endif
