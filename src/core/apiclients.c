/* apiclients.c - programs that call the API with X-Client-Key. */
#include "config.h"
#include "core/apiclients.h"
#include "core/audit.h"
#include "core/sessions.h"
#include "db/db.h"
#include "util/arena.h"
#include "util/uuid.h"

#include <sodium.h>
#include <string.h>

static const struct field client_fields[] = {
	{ "id", "id", FT_ID, FF_READONLY | FF_SORT },
	{ "uuid", "uuid", FT_UUID, FF_READONLY },
	{ "name", "name", FT_STR, FF_REQUIRED | FF_SEARCH | FF_SORT, 150 },
	{ "key_prefix", "key_prefix", FT_STR, FF_READONLY | FF_SEARCH },
	{ "scopes", "scopes", FT_JSON, 0, 2000 },
	{ "is_active", "is_active", FT_BOOL, FF_FILTER },
	{ "key_hash", "key_hash", FT_STR, FF_INTERNAL },
	{ "last_used_at", "last_used_at", FT_DATETIME, FF_READONLY | FF_SORT },
	{ "created_by", "created_by", FT_ID, FF_READONLY },
	{ "created_at", "created_at", FT_DATETIME, FF_READONLY | FF_SORT },
	{ "updated_at", "updated_at", FT_DATETIME, FF_READONLY },
};

const struct entity ent_api_client = {
	"API client", "api_clients", client_fields, sizeof(client_fields) / sizeof(client_fields[0]),
	EF_TENANT | EF_SOFT_DELETE | EF_UUID, "t.name ASC", NULL, 0,
};

static int
valid_scopes(const struct ent_set *s, struct ferrs *fe)
{
	for (int i = 0; i < s->n; i++) {
		yajl_val v;

		if (strcmp(s->f[i]->name, "scopes") != 0 || s->p[i].type != DB_P_STR)
			continue;
		v = yajl_tree_parse(s->p[i].s, NULL, 0);
		if (v == NULL || !YAJL_IS_ARRAY(v)) {
			ferr_add(fe, "scopes", "Expected a list of permission codenames, or [\"*\"].");
			yajl_tree_free(v);
			return 0;
		}
		for (size_t j = 0; j < v->u.array.len; j++)
			if (!YAJL_IS_STRING(v->u.array.values[j])) {
				ferr_add(fe, "scopes", "Each scope must be a string.");
				yajl_tree_free(v);
				return 0;
			}
		yajl_tree_free(v);
	}
	return 1;
}

int
clients_upsert(struct db *db, struct arena *a, const struct actor *who, long long id,
    struct ent_set *s, long long *out_id, const char **key, struct ferrs *fe)
{
	int rc;

	*key = NULL;
	if (!valid_scopes(s, fe))
		return CORE_INVALID;
	if (id) {
		if ((rc = ent_update(db, a, &ent_api_client, who->tenant_id, id, s, fe)) != CORE_OK)
			return rc;
		*out_id = id;
		audit(db, a, who, "update", "api_client", id, NULL);
		return CORE_OK;
	}
	{
		char prefix[CLIENT_KEY_PREFIX + 1], secret[41], hash[65];
		char *k;

		random_hex(prefix, CLIENT_KEY_PREFIX / 2);
		random_hex(secret, 20);
		k = arena_printf(a, "%s.%s", prefix, secret);
		secret_hash(k, hash);
		ent_set_add(s, ent_field(&ent_api_client, "key_hash"), db_str(arena_strdup(a, hash)));
		/* key_prefix is read-only to input; written here */
		{
			static const struct field prefix_field = { "key_prefix", "key_prefix", FT_STR,
			    FF_INTERNAL };
			static const struct field creator_field = { "created_by", "created_by", FT_ID,
			    FF_INTERNAL };

			ent_set_add(s, &prefix_field, db_str(arena_strdup(a, prefix)));
			if (who->user_id)
				ent_set_add(s, &creator_field, db_int(who->user_id));
		}
		if ((rc = ent_create(db, a, &ent_api_client, who->tenant_id, s, out_id, fe)) != CORE_OK)
			return rc;
		*key = k;
	}
	audit(db, a, who, "create", "api_client", *out_id, NULL);
	return CORE_OK;
}

int
clients_delete(struct db *db, struct arena *a, const struct actor *who,
    const long long *ids, unsigned nids, unsigned *n)
{
	*n = 0;
	for (unsigned i = 0; i < nids; i++) {
		int rc = ent_delete(db, a, &ent_api_client, who->tenant_id, ids[i]);

		if (rc == CORE_NOT_FOUND)
			continue;
		if (rc != CORE_OK)
			return rc;
		audit(db, a, who, "delete", "api_client", ids[i], NULL);
		(*n)++;
	}
	return CORE_OK;
}

int
clients_authenticate(struct db *db, struct arena *a, const char *key, struct api_client *out)
{
	char prefix[CLIENT_KEY_PREFIX + 1], hash[65];
	struct db_result r;

	if (key == NULL || strlen(key) != CLIENT_KEY_PREFIX + 41 || key[CLIENT_KEY_PREFIX] != '.')
		return CORE_BAD_LOGIN;
	memcpy(prefix, key, CLIENT_KEY_PREFIX);
	prefix[CLIENT_KEY_PREFIX] = '\0';
	secret_hash(key, hash);
	{
		struct db_param p[1] = { db_str(prefix) };

		if (db_query(db, a, "SELECT c.id, c.tenant_id, c.name, c.scopes, c.key_hash, "
		    "c.last_used_at IS NULL OR c.last_used_at < UTC_TIMESTAMP(6) - INTERVAL 1 MINUTE, "
		    CORE_VERSIONS_OF("c.tenant_id") " "
		    "FROM api_clients c JOIN tenants t ON t.id = c.tenant_id "
		    "WHERE c.key_prefix = ? AND c.is_active = 1 AND c.deleted_at IS NULL "
		    "AND t.is_active = 1 AND t.deleted_at IS NULL", p, 1, &r) < 0)
			return CORE_DB;
	}
	if (r.nrows == 0 || sodium_memcmp(hash, db_val(&r, 0, 4), 64) != 0)
		return CORE_BAD_LOGIN;
	out->id = db_val_int(&r, 0, 0, 0);
	out->tenant_id = db_val_int(&r, 0, 1, 0);
	out->name = db_val(&r, 0, 2);
	out->scopes = db_val(&r, 0, 3);
	out->versions = db_val(&r, 0, 6);
	if (db_val_int(&r, 0, 5, 0)) {
		struct db_param p[1] = { db_int(out->id) };

		/* at most once a minute, so a busy client is not a write per request */
		if (db_query(db, a, "UPDATE api_clients SET last_used_at = UTC_TIMESTAMP(6) WHERE id = ?",
		    p, 1, NULL) < 0)
			return CORE_DB;
	}
	return CORE_OK;
}

int
clients_get_active(struct db *db, struct arena *a, long long id, struct api_client *out)
{
	struct db_param p[1] = { db_int(id) };
	struct db_result r;

	memset(out, 0, sizeof(*out));
	if (db_query(db, a, "SELECT c.id, c.tenant_id, c.name, c.scopes FROM api_clients c "
	    "JOIN tenants t ON t.id = c.tenant_id WHERE c.id = ? AND c.is_active = 1 "
	    "AND c.deleted_at IS NULL AND t.is_active = 1 AND t.deleted_at IS NULL", p, 1, &r) < 0)
		return CORE_DB;
	if (r.nrows == 0)
		return CORE_BAD_LOGIN;
	out->id = db_val_int(&r, 0, 0, 0);
	out->tenant_id = db_val_int(&r, 0, 1, 0);
	out->name = db_val(&r, 0, 2);
	out->scopes = db_val(&r, 0, 3);
	return CORE_OK;
}

int
clients_scope_allows(const char *scopes, const char *codename)
{
	yajl_val v = yajl_tree_parse(scopes ? scopes : "[]", NULL, 0);
	int ok = 0;

	if (v && YAJL_IS_ARRAY(v))
		for (size_t i = 0; i < v->u.array.len && !ok; i++) {
			yajl_val s = v->u.array.values[i];

			ok = YAJL_IS_STRING(s) && (!strcmp(s->u.string, "*") ||
			    !strcmp(s->u.string, codename));
		}
	yajl_tree_free(v);
	return ok;
}
