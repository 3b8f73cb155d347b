/* auth.h - who is calling: access tokens (JWT HS256 through libjwt), API
 * client keys (X-Client-Key), permissions, and the per-user request limit. */
#ifndef ISP_AUTH_H
#define ISP_AUTH_H

#include <time.h>

#include "core/actor.h"
#include "core/tokens.h"
#include "http/request.h"

struct user;

/* Check the request's credential and fill req->auth.  ERR_NONE, or
 * ERR_UNAUTHORIZED (missing, malformed, expired, revoked, wrong key or
 * algorithm, user gone or inactive), ERR_THROTTLED (request limit; headers
 * set) or ERR_UNAVAILABLE (database down). */
enum err auth_authenticate(struct request *req);
/* A caller without a credential whom the dialect trusts by its address
 * (bitwave_trusted_addresses): acting as user_id, which must be a live,
 * active user of the tenant whose code is tenant_code; the per-user
 * request limit applies.  ERR_NONE (req->auth filled), ERR_UNAUTHORIZED,
 * ERR_THROTTLED or ERR_UNAVAILABLE. */
enum err auth_as_trusted(struct request *req, long long user_id, const char *tenant_code);
/* 1 when the caller holds the permission; -1 on a database error. */
int      auth_has_perm(struct request *req, const char *perm);

/* A signed access token for u in refresh family fam, valid for
 * cfg->access_ttl seconds. */
const char *auth_issue_access(struct request *req, long long user_id, long long tenant_id,
    const char *fam, time_t *expires);

/* tokens_check (core/tokens.h) for a request: fills req->auth. */
enum err auth_check_access(struct request *req, const char *token, struct token_claims *c);

/* The caller as core sees it. */
void auth_actor(const struct request *req, struct actor *out);

#endif
