/* users.c - the people who log in: lookup, password check, the first admin. */
#include "config.h"
#include "core/users.h"
#include "core/audit.h"
#include "core/rbac.h"
#include "core/sessions.h"
#include "core/throttle.h"
#include "json/json.h"
#include "db/db.h"
#include "util/arena.h"
#include "util/log.h"
#include "util/uuid.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#define USER_COLS \
	"id, tenant_id, COALESCE(parent_id, 0), uuid, username, login_id, email, " \
	"first_name, last_name, phone, user_type, is_active, is_staff, is_superuser, " \
	"last_login, created_at"

/* users of a deleted or disabled tenant cannot log in or use a token */
#define LIVE_TENANTS "SELECT tn.id FROM tenants tn WHERE tn.deleted_at IS NULL AND tn.is_active = 1"

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

	if (db_query(db, a, "SELECT " USER_COLS " FROM users WHERE id = ? AND deleted_at IS NULL "
	    "AND tenant_id IN (" LIVE_TENANTS ")", p, 1, &r) < 0)
		return -1;
	if (r.nrows == 0)
		return CORE_NOT_FOUND;
	row_to_user(&r, 0, out);
	return 0;
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
users_get_for_token(struct db *db, struct arena *a, long long id, const char *jti,
    const char *family, struct user *out, int *live, const char **versions)
{
	struct db_param p[3] = { db_str(jti), db_str(family), db_int(id) };
	struct db_result r;

	if (db_query(db, a, "SELECT " USER_COLS ", "
	    "(SELECT COUNT(*) FROM revoked_tokens WHERE jti = ?) = 0 AND "
	    "(SELECT COUNT(*) FROM token_families WHERE family = ? AND revoked_at IS NULL) = 1, "
	    CORE_VERSIONS_OF("users.tenant_id") " "
	    "FROM users WHERE id = ? AND deleted_at IS NULL AND tenant_id IN (" LIVE_TENANTS ")",
	    p, 3, &r) < 0)
		return -1;
	if (r.nrows == 0)
		return CORE_NOT_FOUND;
	row_to_user(&r, 0, out);
	*live = (int)db_val_int(&r, 0, 16, 0);
	*versions = db_val(&r, 0, 17);
	return CORE_OK;
}

int
users_get_in_tenant(struct db *db, struct arena *a, long long id, const char *tenant_code,
    struct user *out, const char **versions)
{
	struct db_param p[2] = { db_int(id), db_str(tenant_code) };
	struct db_result r;

	if (db_query(db, a, "SELECT " USER_COLS ", " CORE_VERSIONS_OF("users.tenant_id") " "
	    "FROM users WHERE id = ? AND deleted_at IS NULL AND tenant_id IN (" LIVE_TENANTS
	    " AND tn.code = ?)", p, 2, &r) < 0)
		return -1;
	if (r.nrows == 0)
		return CORE_NOT_FOUND;
	row_to_user(&r, 0, out);
	*versions = db_val(&r, 0, 16);
	return CORE_OK;
}

int
users_authenticate(struct db *db, struct arena *a, const char *login,
    const char *password, struct user *out)
{
	struct db_param p[3] = { db_str(login), db_str(login), db_str(login) };
	struct db_result r;
	const char *hash;

	memset(out, 0, sizeof(*out));
	if (db_query(db, a, "SELECT " USER_COLS ", password_hash FROM users "
	    "WHERE (username = ? OR email = ? OR login_id = ?) AND deleted_at IS NULL "
	    "AND tenant_id IN (" LIVE_TENANTS ") ORDER BY id LIMIT 1", p, 3, &r) < 0)
		return -1;
	if (r.nrows == 0) {
		if (crypto_pwhash_str_verify(dummy_hash(), password, strlen(password)) == 0)
			log_warn("the dummy password matched");
		return CORE_BAD_LOGIN;
	}
	hash = db_val(&r, 0, 16);
	row_to_user(&r, 0, out);        /* a failed login is still audited to its tenant */
	if (hash == NULL || crypto_pwhash_str_verify(hash, password, strlen(password)) != 0)
		return CORE_BAD_LOGIN;
	if (!out->is_active)
		return CORE_INACTIVE;
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

/* ---- the user entity ---- */

const char *const user_types[] = {
	"super_admin", "admin", "billing_manager", "noc_manager", "support_staff", "accountant",
	"reseller_admin", "sub_reseller_admin", "field_staff", "user", NULL,
};

static const struct field user_fields[] = {
	{ "id", "id", FT_ID, FF_READONLY | FF_SORT },
	{ "uuid", "uuid", FT_UUID, FF_READONLY },
	{ "username", "username", FT_STR, FF_REQUIRED | FF_SEARCH | FF_SORT, 150 },
	{ "login_id", "login_id", FT_STR, FF_NULLABLE | FF_SEARCH | FF_SORT, 150 },
	{ "email", "email", FT_EMAIL, FF_NULLABLE | FF_SEARCH | FF_SORT, 254 },
	{ "first_name", "first_name", FT_STR, FF_SEARCH | FF_SORT, 150 },
	{ "last_name", "last_name", FT_STR, FF_SEARCH | FF_SORT, 150 },
	{ "full_name", "TRIM(CONCAT(t.first_name, ' ', t.last_name))", FT_STR, FF_READONLY },
	{ "phone", "phone", FT_STR, FF_NULLABLE | FF_SEARCH, 32 },
	{ "user_type", "user_type", FT_ENUM, FF_FILTER | FF_SORT, 0, 0, 0, user_types },
	{ "role", "CASE WHEN t.user_type IN ('super_admin', 'admin') THEN 'admin' "
	  "WHEN t.user_type = 'support_staff' THEN 'support' "
	  "WHEN t.user_type IN ('accountant', 'billing_manager') THEN 'accountant' "
	  "ELSE t.user_type END", FT_STR, FF_READONLY },
	{ "parent_id", "parent_id", FT_ID, FF_NULLABLE | FF_FILTER | FF_FK, 0, 0, 0, NULL, "users" },
	{ "employee_id", "employee_id", FT_STR, FF_NULLABLE | FF_SEARCH, 50 },
	{ "designation", "designation", FT_STR, FF_NULLABLE, 100 },
	{ "department", "department", FT_STR, FF_NULLABLE | FF_FILTER, 100 },
	{ "district_id", "district_id", FT_ID, FF_NULLABLE | FF_FILTER | FF_FK_GLOBAL, 0, 0, 0, NULL,
	  "districts" },
	{ "thana_id", "thana_id", FT_ID, FF_NULLABLE | FF_FILTER | FF_FK_GLOBAL, 0, 0, 0, NULL,
	  "thanas" },
	{ "is_active", "is_active", FT_BOOL, FF_FILTER },
	{ "is_staff", "is_staff", FT_BOOL, FF_FILTER },
	{ "is_superuser", "is_superuser", FT_BOOL, FF_READONLY },
	{ "is_email_verified", "is_email_verified", FT_BOOL, 0 },
	{ "is_phone_verified", "is_phone_verified", FT_BOOL, 0 },
	{ "is_first_login", "is_first_login", FT_BOOL, FF_READONLY },
	{ "language", "language", FT_STR, 0, 10 },
	{ "timezone", "timezone", FT_STR, 0, 64 },
	{ "password_hash", "password_hash", FT_STR, FF_INTERNAL },
	{ "last_login", "last_login", FT_DATETIME, FF_READONLY | FF_SORT },
	{ "date_joined", "created_at", FT_DATETIME, FF_READONLY },
	{ "created_at", "created_at", FT_DATETIME, FF_READONLY | FF_SORT },
	{ "updated_at", "updated_at", FT_DATETIME, FF_READONLY },
};
static const struct unique_key user_uniques[] = {
	{ "uq_users_username", "username" }, { "uq_users_email", "email" },
	{ "uq_users_login_id", "login_id" },
};

const struct entity ent_user = {
	"User", "users", user_fields, sizeof(user_fields) / sizeof(user_fields[0]),
	EF_TENANT | EF_SOFT_DELETE | EF_UUID, "t.id ASC", user_uniques, 3,
	NULL, NULL, "users",            /* sql/016: users, their roles, the roles */
};

void
users_scope_query(const struct actor *who, struct ent_query *q)
{
	/* resellers see themselves and the accounts under them */
	if (rbac_is_reseller(who))
		ent_query_cond(q, "t.id = ? OR t.parent_id = ?", 2, db_int(who->user_id),
		    db_int(who->user_id));
}

int
password_acceptable(const char *pw, const char *field, struct ferrs *fe)
{
	size_t n;

	if (pw == NULL || utf8_chars(pw, &n) < 0) {
		ferr_add(fe, field, "This field is required.");
		return 0;
	}
	if (n < 8) {
		ferr_add(fe, field, "This password is too short. It must contain at least 8 characters.");
		return 0;
	}
	if (n > 128) {
		ferr_add(fe, field, "Ensure this field has no more than 128 characters.");
		return 0;
	}
	if (strspn(pw, "0123456789") == strlen(pw)) {
		ferr_add(fe, field, "This password is entirely numeric.");
		return 0;
	}
	return 1;
}

static const struct field *
uf(const char *name)
{
	return ent_field(&ent_user, name);
}

/* Rank and tree rules shared by create and update. */
static int
check_rank(struct db *db, struct arena *a, const struct actor *who, struct ent_set *set,
    long long self_id, struct ferrs *fe)
{
	const char *type = ent_set_str(set, "user_type");
	long long parent = 0;

	if (type && !who->is_superuser) {
		int mine = rbac_type_level(who->user_type), theirs = rbac_type_level(type);

		/* admins may make admins; others only what ranks below them */
		if (theirs < mine || (theirs == mine && mine > 2) || !strcmp(type, "super_admin"))
			ferr_add(fe, "user_type", arena_printf(a,
			    "You may not give the user type \"%s\".", type));
	}
	if (rbac_is_reseller(who) && self_id == 0)
		ent_set_add(set, uf("parent_id"), db_int(who->user_id));
	if ((parent = ent_set_int(set, "parent_id")) != 0 && self_id) {
		/* no cycles: the new parent may not be the user or below the user */
		struct db_param p[2] = { db_int(parent), db_int(self_id) };
		struct db_result r;

		if (db_query(db, a, "WITH RECURSIVE up (id, parent_id) AS ("
		    "SELECT id, parent_id FROM users WHERE id = ? "
		    "UNION ALL SELECT u.id, u.parent_id FROM users u JOIN up ON u.id = up.parent_id) "
		    "SELECT 1 FROM up WHERE id = ? LIMIT 1", p, 2, &r) < 0)
			return CORE_DB;
		if (r.nrows)
			ferr_add(fe, "parent_id", "A user cannot be placed under itself or its own accounts.");
	}
	return fe->n ? CORE_INVALID : CORE_OK;
}

int
users_create(struct db *db, struct arena *a, const struct actor *who, struct ent_set *set,
    yajl_val body, long long *id, struct ferrs *fe)
{
	const char *pw = NULL, *confirm = NULL;
	char hash[crypto_pwhash_STRBYTES];
	int rc;

	const char *cfield = json_obj_get(body, "password_confirm") ? "password_confirm" :
	    "confirm_password";
	enum json_get cg;

	if (json_get_str(body, "password", &pw) == JSON_WRONG_TYPE)
		ferr_add(fe, "password", "Not a valid string.");
	cg = json_get_str(body, cfield, &confirm);
	if (cg == JSON_WRONG_TYPE || cg == JSON_NULL)
		ferr_add(fe, cfield, "Not a valid string.");
	else if (fe->n == 0 && password_acceptable(pw, "password", fe) && confirm &&
	    strcmp(pw, confirm) != 0)
		ferr_add(fe, cfield, "The two password fields didn't match.");
	if (fe->n)
		return CORE_INVALID;
	if ((rc = check_rank(db, a, who, set, 0, fe)) != CORE_OK)
		return rc;
	if ((rc = ent_check_fks(db, a, &ent_user, who->tenant_id, set, fe)) != CORE_OK)
		return rc;
	{
		struct db_param p[2] = { db_int(who->tenant_id), db_int(who->tenant_id) };
		struct db_result r;

		if (db_query(db, a, "SELECT (SELECT max_users FROM tenants WHERE id = ?), "
		    "(SELECT COUNT(*) FROM users WHERE tenant_id = ? AND deleted_at IS NULL)",
		    p, 2, &r) < 0)
			return CORE_DB;
		if (db_val(&r, 0, 0) && db_val_int(&r, 0, 1, 0) >= db_val_int(&r, 0, 0, 0)) {
			ferr_add(fe, "non_field_errors", arena_printf(a,
			    "This organization's limit of %s users is reached.", db_val(&r, 0, 0)));
			return CORE_INVALID;
		}
	}
	if (password_hash(pw, hash) != 0)
		return CORE_DB;
	ent_set_add(set, uf("password_hash"), db_str(arena_strdup(a, hash)));
	sodium_memzero(hash, sizeof(hash));
	if (ent_set_str(set, "user_type") == NULL)
		ent_set_add(set, uf("user_type"), db_str("user"));
	if ((rc = ent_create(db, a, &ent_user, who->tenant_id, set, id, fe)) != CORE_OK)
		return rc;
	audit(db, a, who, "create", "user", *id, ent_set_str(set, "username"));
	return CORE_OK;
}

int
users_update(struct db *db, struct arena *a, const struct actor *who, long long id,
    struct ent_set *set, struct ferrs *fe)
{
	struct ent_row row;
	int rc;

	if ((rc = ent_get_id(db, a, &ent_user, who->tenant_id, id, &row)) != CORE_OK)
		return rc;
	if (rbac_is_reseller(who) && id != who->user_id &&
	    ent_val_int(&ent_user, &row, "parent_id") != who->user_id)
		return CORE_NOT_FOUND;
	if (!who->is_superuser && id != who->user_id &&
	    rbac_type_level(ent_val(&ent_user, &row, "user_type")) <
	    rbac_type_level(who->user_type))
		return CORE_FORBIDDEN;          /* no changing those who outrank you */
	if (id == who->user_id && ent_set_str(set, "user_type"))
		ferr_add(fe, "user_type", "You may not change your own user type.");
	if (fe->n)
		return CORE_INVALID;
	if ((rc = check_rank(db, a, who, set, id, fe)) != CORE_OK)
		return rc;
	if ((rc = ent_check_fks(db, a, &ent_user, who->tenant_id, set, fe)) != CORE_OK)
		return rc;
	if ((rc = ent_update(db, a, &ent_user, who->tenant_id, id, set, fe)) != CORE_OK)
		return rc;
	{
		long long active = 1;

		if (ent_set_has(set, "is_active") && !(active = ent_set_int(set, "is_active")))
			session_revoke_user(db, a, id, "disabled");
	}
	audit(db, a, who, "update", "user", id, NULL);
	return CORE_OK;
}

int
users_delete(struct db *db, struct arena *a, const struct actor *who, long long id)
{
	struct ent_row row;
	int rc;

	if (id == who->user_id)
		return CORE_CONFLICT;
	if ((rc = ent_get_id(db, a, &ent_user, who->tenant_id, id, &row)) != CORE_OK)
		return rc;
	if (rbac_is_reseller(who) && ent_val_int(&ent_user, &row, "parent_id") != who->user_id)
		return CORE_NOT_FOUND;
	if (!who->is_superuser && rbac_type_level(ent_val(&ent_user, &row, "user_type")) <
	    rbac_type_level(who->user_type))
		return CORE_FORBIDDEN;
	if ((rc = ent_delete(db, a, &ent_user, who->tenant_id, id)) != CORE_OK)
		return rc;
	session_revoke_user(db, a, id, "deleted");
	audit(db, a, who, "delete", "user", id, ent_val(&ent_user, &row, "username"));
	return CORE_OK;
}

int
users_change_password(struct db *db, struct arena *a, const struct actor *who,
    const char *old_pw, const char *new_pw, const char *confirm, long *retry_after,
    struct ferrs *fe)
{
	struct db_param p[1] = { db_int(who->user_id) };
	struct db_result r;
	char hash[crypto_pwhash_STRBYTES];
	long count, reset;

	if (old_pw == NULL)
		ferr_add(fe, "old_password", "This field is required.");
	if (password_acceptable(new_pw, "new_password", fe) && confirm && strcmp(new_pw, confirm))
		ferr_add(fe, "new_password_confirm", "The two password fields didn't match.");
	if (fe->n)
		return CORE_INVALID;
	if (throttle_hit(db, a, arena_printf(a, "pwchange:%lld", who->user_id), 3600, &count,
	    &reset) != CORE_OK)
		return CORE_DB;
	if (count > PASSWORD_CHANGE_LIMIT) {
		*retry_after = reset;
		return CORE_THROTTLED;
	}
	if (db_query(db, a, "SELECT password_hash FROM users WHERE id = ?", p, 1, &r) < 0)
		return CORE_DB;
	if (r.nrows == 0)
		return CORE_NOT_FOUND;
	if (crypto_pwhash_str_verify(db_val(&r, 0, 0), old_pw, strlen(old_pw)) != 0) {
		ferr_add(fe, "old_password", "Your old password was entered incorrectly.");
		return CORE_INVALID;
	}
	if (strcmp(old_pw, new_pw) == 0) {
		ferr_add(fe, "new_password", "The new password must differ from the old one.");
		return CORE_INVALID;
	}
	if (password_hash(new_pw, hash) != 0)
		return CORE_DB;
	{
		struct db_param q[2] = { db_str(hash), db_int(who->user_id) };

		if (db_query(db, a, "UPDATE users SET password_hash = ?, is_first_login = 0, "
		    "password_changed_at = UTC_TIMESTAMP(6) WHERE id = ?", q, 2, NULL) < 0)
			return CORE_DB;
	}
	sodium_memzero(hash, sizeof(hash));
	audit(db, a, who, "change_password", "user", who->user_id, NULL);
	return CORE_OK;
}

int
users_register(struct db *db, struct arena *a, yajl_val body, const char *ip,
    const char *request_id, long long *id, struct ferrs *fe)
{
	const char *code = NULL, *full = NULL;
	struct db_result r;
	struct actor who;
	struct ent_set set;
	int rc;

	memset(&who, 0, sizeof(who));
	/* which tenant: the one named, else the only one open to registration */
	if (json_get_str(body, "tenant", &code) == JSON_OK) {
		struct db_param p[1] = { db_str(code) };

		if (db_query(db, a, "SELECT id, allow_registration FROM tenants WHERE code = ? "
		    "AND deleted_at IS NULL", p, 1, &r) < 0)
			return CORE_DB;
	} else if (db_query(db, a, "SELECT id, allow_registration FROM tenants "
	    "WHERE allow_registration = 1 AND deleted_at IS NULL LIMIT 2", NULL, 0, &r) < 0)
		return CORE_DB;
	if (r.nrows != 1 || !db_val_int(&r, 0, 1, 0)) {
		ferr_add(fe, "tenant", "Registration is closed.");
		return CORE_FORBIDDEN;
	}
	who.tenant_id = db_val_int(&r, 0, 0, 0);
	who.user_type = "user";
	who.name = "registration";
	who.ip = ip;
	who.request_id = request_id;
	if (ent_parse(&ent_user, body, 0, a, &set, fe) != CORE_OK)
		return CORE_INVALID;
	/* least privilege, whatever the body asks for */
	ent_set_add(&set, uf("user_type"), db_str("user"));
	ent_set_add(&set, uf("is_staff"), db_int(0));
	ent_set_add(&set, uf("is_active"), db_int(1));
	ent_set_add(&set, uf("parent_id"), db_null());
	/* 002 and 004 send one full name */
	if ((json_get_str(body, "full_name", &full) == JSON_OK ||
	    json_get_str(body, "fullname", &full) == JSON_OK) && *full && !ent_set_str(&set, "first_name")) {
		const char *sp = strchr(full, ' ');

		ent_set_add(&set, uf("first_name"), db_str(sp ? arena_strndup(a, full,
		    (size_t)(sp - full)) : full));
		if (sp)
			ent_set_add(&set, uf("last_name"), db_str(sp + 1));
	}
	{
		struct actor sys = who;

		sys.is_superuser = 1;   /* the rank check is done above: type is "user" */
		rc = users_create(db, a, &sys, &set, body, id, fe);
	}
	return rc;
}
