/* sessions.h - refresh tokens: opaque, stored as hashes, rotated on every
 * use, grouped in families (one per login) so that a replayed token ends its
 * whole family; and the revocation of access tokens (logout). */
#ifndef ISP_SESSIONS_H
#define ISP_SESSIONS_H

#include <time.h>

struct db;
struct arena;

#define REFRESH_TTL          (7L * 86400)
#define REFRESH_TTL_REMEMBER (30L * 86400)
#define REFRESH_TOKEN_CHARS  64

struct session {
	char family[33];
	char refresh[REFRESH_TOKEN_CHARS + 1];  /* shown once, never stored */
	time_t refresh_expires;
	long long user_id;
	long long tenant_id;
	int remember_me;
};

/* A new family and its first refresh token, for a login. */
int session_start(struct db *db, struct arena *a, long long user_id, long long tenant_id,
    int remember_me, struct session *out);
/* Trade a refresh token for a new one in the same family.  A token that
 * was already used revokes its family (reuse: somebody copied it).
 * CORE_OK, CORE_BAD_LOGIN (unknown, expired, revoked, reused) or CORE_DB. */
int session_rotate(struct db *db, struct arena *a, const char *refresh, struct session *out);
/* Is the family live? 1 yes, 0 no, -1 database error. */
int session_family_live(struct db *db, struct arena *a, const char *family);
/* Logout: the family of this refresh token (which must be the user's), or
 * every family of the user; and the access token's jti until it expires. */
int session_revoke_refresh(struct db *db, struct arena *a, long long user_id, const char *refresh);
int session_revoke_family(struct db *db, struct arena *a, const char *family, const char *why);
int session_revoke_user(struct db *db, struct arena *a, long long user_id, const char *why);
int session_revoke_jti(struct db *db, struct arena *a, long long user_id, const char *jti,
    time_t expires);

/* BLAKE2b-256 of a secret as 64 hex digits: how tokens and keys are stored. */
void secret_hash(const char *secret, char out[65]);

#endif
