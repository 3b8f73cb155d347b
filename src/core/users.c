/* users.c - the people who log in: lookup, password check, the first admin. */
#include "config.h"
#include "core/users.h"
#include "db/db.h"
#include "util/arena.h"
#include "util/log.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#define USER_COLS \
	"id, tenant_id, COALESCE(parent_id, 0), uuid, username, login_id, email, " \
	"first_name, last_name, phone, user_type, is_active, is_staff, is_superuser, " \
	"last_login, created_at"

static void
row_to_user(const struct db_result *r, unsigned i, struct user *u)
{
	u->id = db_val_int(r, i, 0, 0);
	u->tenant_id = db_val_int(r, i, 1, 0);
	u->parent_id = db_val_int(r, i, 2, 0);
	u->uuid = db_val(r, i, 3);
	u->username = db_val(r, i, 4);
	u->login_id = db_val(r, i, 5);
	u->email = db_val(r, i, 6);
	u->first_name = db_val(r, i, 7);
	u->last_name = db_val(r, i, 8);
	u->phone = db_val(r, i, 9);
	u->user_type = db_val(r, i, 10);
	u->is_active = (int)db_val_int(r, i, 11, 0);
	u->is_staff = (int)db_val_int(r, i, 12, 0);
	u->is_superuser = (int)db_val_int(r, i, 13, 0);
	u->last_login = db_val(r, i, 14);
	u->created_at = db_val(r, i, 15);
}

int
users_get(struct db *db, struct arena *a, long long id, struct user *out)
{
	struct db_param p[1] = { db_int(id) };
	struct db_result r;

	if (db_query(db, a, "SELECT " USER_COLS " FROM users WHERE id = ? AND deleted_at IS NULL",
	    p, 1, &r) < 0)
		return -1;
	if (r.nrows == 0)
		return ISP_E_NOT_FOUND;
	row_to_user(&r, 0, out);
	return 0;
}

void
uuid_v4(char out[37])
{
	unsigned char b[16];

	randombytes_buf(b, sizeof(b));
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
	    "%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7],
	    b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
}

int
password_hash(const char *password, char *out)
{
	return crypto_pwhash_str(out, password, strlen(password),
	    crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE);
}

/* A hash of nothing in particular, verified when the login is unknown. */
static const char *
dummy_hash(void)
{
	static char h[crypto_pwhash_STRBYTES];

	if (h[0] == '\0' && password_hash("ispbill-no-such-user", h) != 0)
		h[0] = '\0';
	return h;
}

int
users_authenticate(struct db *db, struct arena *a, const char *login,
    const char *password, struct user *out)
{
	struct db_param p[3] = { db_str(login), db_str(login), db_str(login) };
	struct db_result r;
	const char *hash;

	if (db_query(db, a, "SELECT " USER_COLS ", password_hash FROM users "
	    "WHERE (username = ? OR email = ? OR login_id = ?) AND deleted_at IS NULL "
	    "ORDER BY id LIMIT 1", p, 3, &r) < 0)
		return -1;
	if (r.nrows == 0) {
		if (crypto_pwhash_str_verify(dummy_hash(), password, strlen(password)) == 0)
			log_warn("the dummy password matched");
		return ISP_E_BAD_LOGIN;
	}
	hash = db_val(&r, 0, 16);
	if (hash == NULL || crypto_pwhash_str_verify(hash, password, strlen(password)) != 0)
		return ISP_E_BAD_LOGIN;
	row_to_user(&r, 0, out);
	if (!out->is_active)
		return ISP_E_INACTIVE;
	if (crypto_pwhash_str_needs_rehash(hash, crypto_pwhash_OPSLIMIT_INTERACTIVE,
	    crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
		char nh[crypto_pwhash_STRBYTES];

		if (password_hash(password, nh) == 0) {
			struct db_param q[2] = { db_str(nh), db_int(out->id) };

			if (db_query(db, a, "UPDATE users SET password_hash = ? WHERE id = ?",
			    q, 2, NULL) < 0)
				log_warn("password rehash for user %lld failed: %s", out->id, db->errmsg);
		}
	}
	{
		struct db_param q[1] = { db_int(out->id) };

		if (db_query(db, a, "UPDATE users SET last_login = UTC_TIMESTAMP(6) WHERE id = ?",
		    q, 1, NULL) < 0)
			return -1;
	}
	return 0;
}

int
users_create_admin(struct db *db, const char *tenant_name, const char *tenant_code,
    const char *username, const char *email, const char *password, int *created)
{
	struct arena a;
	struct db_result r;
	char hash[crypto_pwhash_STRBYTES], uuid[37];
	long long tenant_id;
	int rc = -1;

	*created = 0;
	arena_init(&a);
	{
		struct db_param p[1] = { db_str(username) };

		if (db_query(db, &a, "SELECT id FROM users WHERE username = ?", p, 1, &r) < 0)
			goto out;
		if (r.nrows) {
			rc = 0;
			goto out;
		}
	}
	if (password_hash(password, hash) != 0) {
		snprintf(db->errmsg, sizeof(db->errmsg), "password hashing ran out of memory");
		goto out;
	}
	if (db_begin(db) < 0)
		goto out;
	uuid_v4(uuid);
	{
		struct db_param p[3] = { db_str(uuid), db_str(tenant_name), db_str(tenant_code) };
		struct db_param q[1] = { db_str(tenant_code) };

		if (db_query(db, &a, "INSERT IGNORE INTO tenants (uuid, name, code) VALUES (?, ?, ?)",
		    p, 3, NULL) < 0 ||
		    db_query(db, &a, "SELECT id FROM tenants WHERE code = ?", q, 1, &r) < 0)
			goto rollback;
		tenant_id = db_val_int(&r, 0, 0, 0);
	}
	uuid_v4(uuid);
	{
		struct db_param p[5] = { db_str(uuid), db_int(tenant_id), db_str(username),
		    db_str(email && *email ? email : NULL), db_str(hash) };

		if (db_query(db, &a, "INSERT INTO users (uuid, tenant_id, username, email, "
		    "password_hash, user_type, is_active, is_staff, is_superuser) "
		    "VALUES (?, ?, ?, ?, ?, 'super_admin', 1, 1, 1)", p, 5, NULL) < 0)
			goto rollback;
	}
	if (db_commit(db) < 0)
		goto out;
	*created = 1;
	rc = 0;
	goto out;
rollback:
	db_rollback(db);
out:
	sodium_memzero(hash, sizeof(hash));
	arena_free(&a);
	return rc;
}
