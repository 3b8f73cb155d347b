/* users.h - the people who log in: lookup, password check, the first admin. */
#ifndef ISP_USERS_H
#define ISP_USERS_H

#include <stddef.h>

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

/* core results: 0 done, a positive ISP_E_* for a rule the caller broke,
 * -1 for a database failure (details in db->err). */
#define ISP_E_NOT_FOUND   1
#define ISP_E_BAD_LOGIN   2
#define ISP_E_INACTIVE    3
#define ISP_E_EXISTS      4

int users_get(struct db *db, struct arena *a, long long id, struct user *out);
/* Login by username, email or login_id.  Always spends one password
 * verification, found or not, so timing does not tell which. */
int users_authenticate(struct db *db, struct arena *a, const char *login,
    const char *password, struct user *out);
/* Create the tenant (by code) if it is missing, and a super admin in it.
 * *created is 0 when the user already existed (left unchanged). */
int users_create_admin(struct db *db, const char *tenant_name, const char *tenant_code,
    const char *username, const char *email, const char *password, int *created);

/* argon2id through libsodium; out must hold crypto_pwhash_STRBYTES. */
int password_hash(const char *password, char *out);

/* A fresh v4 UUID (36 chars + NUL). */
void uuid_v4(char out[37]);

#endif
