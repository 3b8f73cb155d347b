/* sessions.c - refresh token families and access token revocation. */
#include "config.h"
#include "core/sessions.h"
#include "core/core.h"
#include "db/db.h"
#include "util/arena.h"
#include "util/log.h"
#include "util/uuid.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

void
secret_hash(const char *secret, char out[65])
{
	unsigned char h[32];

	crypto_generichash(h, sizeof(h), (const unsigned char *)secret, strlen(secret), NULL, 0);
	sodium_bin2hex(out, 65, h, sizeof(h));
}

static int
new_token(struct db *db, struct arena *a, struct session *s)
{
	char hash[65];
	long ttl = s->remember_me ? REFRESH_TTL_REMEMBER : REFRESH_TTL;

	random_hex(s->refresh, REFRESH_TOKEN_CHARS / 2);
	secret_hash(s->refresh, hash);
	s->refresh_expires = time(NULL) + ttl;
	{
		struct db_param p[3] = { db_str(s->family), db_str(hash), db_int(ttl) };

		if (db_query(db, a, "INSERT INTO refresh_tokens (family, token_hash, expires_at) "
		    "VALUES (?, ?, UTC_TIMESTAMP(6) + INTERVAL ? SECOND)", p, 3, NULL) < 0)
			return CORE_DB;
	}
	return CORE_OK;
}

int
session_start(struct db *db, struct arena *a, long long user_id, long long tenant_id,
    int remember_me, struct session *out)
{
	memset(out, 0, sizeof(*out));
	random_hex(out->family, 16);
	out->user_id = user_id;
	out->tenant_id = tenant_id;
	out->remember_me = remember_me;
	{
		struct db_param p[4] = { db_str(out->family), db_int(user_id), db_int(tenant_id),
		    db_int(remember_me) };

		if (db_query(db, a, "INSERT INTO token_families (family, user_id, tenant_id, remember_me) "
		    "VALUES (?, ?, ?, ?)", p, 4, NULL) < 0)
			return CORE_DB;
	}
	return new_token(db, a, out);
}

struct rotate_ctx {
	struct arena *a;
	const char *hash;
	struct session *out;
	int reused;
};

static int
rotate_tx(struct db *db, void *vctx)
{
	struct rotate_ctx *c = vctx;
	struct db_param p[1] = { db_str(c->hash) };
	struct db_result r;

	c->reused = 0;
	if (db_query(db, c->a, "SELECT rt.id, rt.family, rt.used_at IS NOT NULL, "
	    "rt.expires_at <= UTC_TIMESTAMP(6), f.revoked_at IS NOT NULL, f.user_id, f.tenant_id, "
	    "f.remember_me, u.is_active AND u.deleted_at IS NULL "
	    "FROM refresh_tokens rt JOIN token_families f ON f.family = rt.family "
	    "JOIN users u ON u.id = f.user_id WHERE rt.token_hash = ? FOR UPDATE", p, 1, &r) < 0)
		return -1;
	if (r.nrows == 0)
		return CORE_BAD_LOGIN;
	snprintf(c->out->family, sizeof(c->out->family), "%s", db_val(&r, 0, 1));
	if (db_val_int(&r, 0, 4, 1))                    /* family revoked */
		return CORE_BAD_LOGIN;
	if (db_val_int(&r, 0, 2, 1)) {                  /* used before: replay */
		c->reused = 1;
		return CORE_BAD_LOGIN;
	}
	if (db_val_int(&r, 0, 3, 1) || !db_val_int(&r, 0, 8, 0))
		return CORE_BAD_LOGIN;
	c->out->user_id = db_val_int(&r, 0, 5, 0);
	c->out->tenant_id = db_val_int(&r, 0, 6, 0);
	c->out->remember_me = (int)db_val_int(&r, 0, 7, 0);
	{
		struct db_param q[1] = { db_int(db_val_int(&r, 0, 0, 0)) };

		if (db_query(db, c->a, "UPDATE refresh_tokens SET used_at = UTC_TIMESTAMP(6) "
		    "WHERE id = ?", q, 1, NULL) < 0)
			return -1;
	}
	return new_token(db, c->a, c->out) == CORE_OK ? 0 : -1;
}

int
session_rotate(struct db *db, struct arena *a, const char *refresh, struct session *out)
{
	char hash[65];
	struct rotate_ctx c = { a, hash, out, 0 };
	int rc;

	memset(out, 0, sizeof(*out));
	if (refresh == NULL || strlen(refresh) != REFRESH_TOKEN_CHARS)
		return CORE_BAD_LOGIN;
	secret_hash(refresh, hash);
	rc = db_tx(db, 3, rotate_tx, &c);
	if (rc < 0)
		return CORE_DB;
	if (c.reused) {
		log_warn("refresh token reused: revoking family %.8s...", out->family);
		if (session_revoke_family(db, a, out->family, "reuse") != CORE_OK)
			return CORE_DB;
	}
	return rc;
}

int
session_family_live(struct db *db, struct arena *a, const char *family)
{
	struct db_param p[1] = { db_str(family) };
	struct db_result r;

	if (db_query(db, a, "SELECT revoked_at IS NULL FROM token_families WHERE family = ?",
	    p, 1, &r) < 0)
		return -1;
	return r.nrows && db_val_int(&r, 0, 0, 0);
}

int
session_revoke_family(struct db *db, struct arena *a, const char *family, const char *why)
{
	struct db_param p[2] = { db_str(why), db_str(family) };

	return db_query(db, a, "UPDATE token_families SET revoked_at = UTC_TIMESTAMP(6), "
	    "revoke_reason = ? WHERE family = ? AND revoked_at IS NULL", p, 2, NULL) < 0
	    ? CORE_DB : CORE_OK;
}

int
session_revoke_refresh(struct db *db, struct arena *a, long long user_id, const char *refresh)
{
	char hash[65];
	struct db_result r;

	if (refresh == NULL || strlen(refresh) != REFRESH_TOKEN_CHARS)
		return CORE_NOT_FOUND;
	secret_hash(refresh, hash);
	{
		struct db_param p[2] = { db_str(hash), db_int(user_id) };

		if (db_query(db, a, "SELECT rt.family FROM refresh_tokens rt JOIN token_families f "
		    "ON f.family = rt.family WHERE rt.token_hash = ? AND f.user_id = ?", p, 2, &r) < 0)
			return CORE_DB;
	}
	if (r.nrows == 0)
		return CORE_NOT_FOUND;
	return session_revoke_family(db, a, db_val(&r, 0, 0), "logout");
}

int
session_revoke_user(struct db *db, struct arena *a, long long user_id, const char *why)
{
	struct db_param p[2] = { db_str(why), db_int(user_id) };

	return db_query(db, a, "UPDATE token_families SET revoked_at = UTC_TIMESTAMP(6), "
	    "revoke_reason = ? WHERE user_id = ? AND revoked_at IS NULL", p, 2, NULL) < 0
	    ? CORE_DB : CORE_OK;
}

int
session_revoke_jti(struct db *db, struct arena *a, long long user_id, const char *jti,
    time_t expires)
{
	struct db_param p[3] = { db_str(jti), db_int(user_id), db_int((long long)expires) };

	return db_query(db, a, "INSERT IGNORE INTO revoked_tokens (jti, user_id, expires_at) "
	    "VALUES (?, ?, FROM_UNIXTIME(?))", p, 3, NULL) < 0 ? CORE_DB : CORE_OK;
}
