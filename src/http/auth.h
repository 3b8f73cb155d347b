/* auth.h - who is calling: access tokens (JWT HS256 through libjwt). */
#ifndef ISP_AUTH_H
#define ISP_AUTH_H

#include <time.h>

#include "http/request.h"

struct user;

/* Check the request's credential and fill req->auth.  ERR_NONE, or
 * ERR_UNAUTHORIZED (missing, malformed, expired, wrong key or algorithm,
 * user gone or inactive), or ERR_UNAVAILABLE (database down). */
enum err auth_authenticate(struct request *req);
int      auth_has_perm(const struct request *req, const char *perm);

/* A signed access token for u, valid for cfg->access_ttl seconds. */
const char *auth_issue_access(struct request *req, const struct user *u, time_t *expires);

/* Decode and check an access token against secret; 0 and the claims, or -1. */
struct token_claims {
	long long sub;
	long long tenant;
	long long exp;
	long long iat;
	char jti[40];
};
int auth_verify_token(const char *secret, const char *token, struct token_claims *out);

#endif
