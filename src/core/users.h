/* users.h - the people who log in: lookup, password check, the first admin. */
#ifndef ISP_USERS_H
#define ISP_USERS_H

#include <stddef.h>
#include <yajl/yajl_tree.h>

#include "core/actor.h"
#include "core/core.h"
#include "core/entity.h"

struct db;
struct arena;

struct user {
	long long id;
	long long tenant_id;
	long long parent_id;            /* 0: none */
	const char *uuid;
	const char *username;
	const char *login_id;
	const char *email;
	const char *first_name;
	const char *last_name;
	const char *phone;
	const char *user_type;
	int is_active;
	int is_staff;
	int is_superuser;
	const char *last_login;         /* "YYYY-MM-DD HH:MM:SS.ffffff" UTC or NULL */
	const char *created_at;
};

/* Results are enum core_rc (core/core.h). */

int users_get(struct db *db, struct arena *a, long long id, struct user *out);
/* The user behind an access token, in one round trip: CORE_OK with *live
 * set when the token's jti is not revoked and its login (family) is not
 * ended, and *versions its tenant's data versions (CORE_VERSIONS_OF);
 * CORE_NOT_FOUND when the user is gone. */
int users_get_for_token(struct db *db, struct arena *a, long long id, const char *jti,
    const char *family, struct user *out, int *live, const char **versions);
/* A live user id of the live tenant whose code is tenant_code, and
 * *versions its tenant's data versions: for a caller that names itself
 * without a credential from a trusted address (bitwave_trusted_*).
 * CORE_OK, CORE_NOT_FOUND (no such user in that tenant) or -1. */
int users_get_in_tenant(struct db *db, struct arena *a, long long id, const char *tenant_code,
    struct user *out, const char **versions);
/* Login by username, email or login_id.  Always spends one password
 * verification, found or not, so timing does not tell which.  On
 * CORE_BAD_LOGIN for a known login, out still says whose it was (id and
 * tenant for the audit log); out->id is 0 for an unknown login. */
int users_authenticate(struct db *db, struct arena *a, const char *login,
    const char *password, struct user *out);
/* Create the tenant (by code) if it is missing, and a super admin in it.
 * *created is 0 when the user already existed (left unchanged). */
int users_create_admin(struct db *db, const char *tenant_name, const char *tenant_code,
    const char *username, const char *email, const char *password, int *created);

extern const struct entity ent_user;
extern const char *const user_types[];

/* Create a user from a parsed body (ent_parse of ent_user) and a password:
 * checks the password, the user type against the actor's rank, the parent
 * (reseller tree) and the tenant's user limit.  Audited. */
int users_create(struct db *db, struct arena *a, const struct actor *who, struct ent_set *set,
    yajl_val body, long long *id, struct ferrs *fe);
/* Update: the same checks for what is given.  Audited. */
int users_update(struct db *db, struct arena *a, const struct actor *who, long long id,
    struct ent_set *set, struct ferrs *fe);
/* Soft delete and end the user's sessions.  Audited. */
int users_delete(struct db *db, struct arena *a, const struct actor *who, long long id);
/* Change one's own password: old checked, new confirmed, 3 per hour.
 * *retry_after is set with CORE_THROTTLED. */
int users_change_password(struct db *db, struct arena *a, const struct actor *who,
    const char *old_pw, const char *new_pw, const char *confirm, long *retry_after,
    struct ferrs *fe);
/* Self-registration into a tenant that allows it; least privilege. */
int users_register(struct db *db, struct arena *a, yajl_val body, const char *ip,
    const char *request_id, long long *id, struct ferrs *fe);
/* Password rules; adds field errors to fe under field. */
int password_acceptable(const char *pw, const char *field, struct ferrs *fe);

/* Restrict a list to what the actor may see (resellers: their own tree). */
void users_scope_query(const struct actor *who, struct ent_query *q);

/* argon2id through libsodium; out must hold crypto_pwhash_STRBYTES. */
int password_hash(const char *password, char *out);

#endif
