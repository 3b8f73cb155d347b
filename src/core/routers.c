/* routers.c - routers as records (001 Router, 000 routers, 004 devices):
 * the password sealed at rest and never shown; a callback key for the
 * router's own scripts. */
#include "config.h"
#include "core/billing.h"
#include "core/audit.h"
#include "core/rbac.h"
#include "core/secrets.h"
#include "db/db.h"
#include "json/json.h"
#include "util/arena.h"
#include "util/uuid.h"

#include <string.h>

static const char *const router_types[] = { "mikrotik", "cisco", "other", NULL };
static const char *const router_statuses[] = { "online", "offline", "maintenance", NULL };

static const struct field router_fields[] = {
	{ "id", "id", FT_ID, FF_READONLY | FF_SORT },
	{ "uuid", "uuid", FT_UUID, FF_READONLY },
	{ "name", "name", FT_STR, FF_REQUIRED | FF_SEARCH | FF_SORT, 100 },
	{ "description", "description", FT_TEXT, FF_NULLABLE, 500 },
	{ "router_type", "router_type", FT_ENUM, FF_FILTER, 0, 0, 0, router_types },
	{ "host", "host", FT_STR, FF_REQUIRED | FF_SEARCH | FF_SORT, 255 },
	{ "ip_address", "host", FT_STR, FF_READONLY },
	{ "api_port", "api_port", FT_INT, 0, 0, 1, 65535 },
	{ "port", "api_port", FT_INT, FF_READONLY },
	{ "use_tls", "use_tls", FT_BOOL, FF_FILTER },
	{ "ssh_port", "ssh_port", FT_INT, 0, 0, 1, 65535 },
	{ "username", "username", FT_STR, 0, 100 },
	{ "password", "CASE WHEN t.password_enc IS NULL THEN NULL ELSE '***hidden***' END",
	  FT_STR, FF_READONLY },
	{ "password_enc", "password_enc", FT_STR, FF_INTERNAL },
	{ "status", "status", FT_ENUM, FF_FILTER | FF_SORT, 0, 0, 0, router_statuses },
	{ "last_seen", "last_seen", FT_DATETIME, FF_READONLY | FF_SORT },
	{ "location", "location", FT_STR, FF_NULLABLE | FF_SEARCH, 200 },
	{ "coordinates", "coordinates", FT_STR, FF_NULLABLE, 100 },
	{ "snmp_community", "snmp_community", FT_STR, 0, 100 },
	{ "snmp_port", "snmp_port", FT_INT, 0, 0, 1, 65535 },
	{ "notes", "notes", FT_TEXT, FF_NULLABLE, 5000 },
	{ "owner_id", "owner_id", FT_ID, FF_NULLABLE | FF_FILTER | FF_FK, 0, 0, 0, NULL, "users" },
	{ "callback_key", "callback_key", FT_STR, FF_INTERNAL },
	{ "is_online", "t.status = 'online'", FT_BOOL, FF_READONLY },
	{ "is_mikrotik", "t.router_type = 'mikrotik'", FT_BOOL, FF_READONLY },
	{ "api_url", "CONCAT(IF(t.use_tls, 'api-ssl', 'api'), '://', t.host, ':', t.api_port)",
	  FT_STR, FF_READONLY },
	/* over ix_subscriptions_router; the data used is kept (sql/007) */
	{ "subscriptions_count", "(SELECT COUNT(*) FROM subscriptions s WHERE "
	  "s.tenant_id = t.tenant_id AND s.router_id = t.id)", FT_INT, FF_READONLY },
	{ "active_subscriptions_count", "(SELECT COUNT(*) FROM subscriptions s "
	  "WHERE s.tenant_id = t.tenant_id AND s.router_id = t.id AND s.status = 'active')", FT_INT,
	  FF_READONLY },
	{ "total_bandwidth_usage", "t.data_used_total", FT_INT, FF_READONLY },
	{ "total_bandwidth_usage_float", "t.data_used_total", FT_DECIMAL, FF_READONLY },
	{ "created_at", "created_at", FT_DATETIME, FF_READONLY | FF_SORT },
	{ "updated_at", "updated_at", FT_DATETIME, FF_READONLY },
};
static const struct unique_key router_uniques[] = { { "uq_routers_name", "name" } };

const struct entity ent_router = {
	"Router", "routers", router_fields, sizeof(router_fields) / sizeof(router_fields[0]),
	EF_TENANT | EF_SOFT_DELETE | EF_UUID, "t.name ASC", router_uniques, 1,
};

/* "password" in the body: sealed into password_enc */
static int
seal_password(struct arena *a, struct ent_set *s, yajl_val body, struct ferrs *fe)
{
	const char *pw = NULL;
	const char *sealed;

	switch (json_get_str(body, "password", &pw)) {
	case JSON_MISSING:
		return CORE_OK;
	case JSON_NULL:
		ent_set_add(s, ent_field(&ent_router, "password_enc"), db_null());
		return CORE_OK;
	case JSON_OK:
		break;
	default:
		ferr_add(fe, "password", "Not a valid string.");
		return CORE_INVALID;
	}
	if (strlen(pw) > 128) {
		ferr_add(fe, "password", "Ensure this field has no more than 128 characters.");
		return CORE_INVALID;
	}
	if ((sealed = secret_seal(a, pw)) == NULL) {
		ferr_add(fe, "password", "The server has no secret_key configured to store passwords.");
		return CORE_INVALID;
	}
	ent_set_add(s, ent_field(&ent_router, "password_enc"), db_str(sealed));
	return CORE_OK;
}

int
routers_create(struct db *db, struct arena *a, const struct actor *who, struct ent_set *s,
    yajl_val body, long long *id, struct ferrs *fe)
{
	char key[33];
	int rc;

	if ((rc = seal_password(a, s, body, fe)) != CORE_OK)
		return rc;
	random_hex(key, 16);
	ent_set_add(s, ent_field(&ent_router, "callback_key"), db_str(arena_strdup(a, key)));
	if (rbac_is_reseller(who))
		ent_set_add(s, ent_field(&ent_router, "owner_id"), db_int(who->user_id));
	if ((rc = ent_check_fks(db, a, &ent_router, who->tenant_id, s, fe)) != CORE_OK ||
	    (rc = ent_create(db, a, &ent_router, who->tenant_id, s, id, fe)) != CORE_OK)
		return rc;
	audit(db, a, who, "create", "router", *id, NULL);
	return CORE_OK;
}

int
routers_update(struct db *db, struct arena *a, const struct actor *who, long long id,
    struct ent_set *s, yajl_val body, struct ferrs *fe)
{
	int rc;

	if ((rc = seal_password(a, s, body, fe)) != CORE_OK ||
	    (rc = ent_check_fks(db, a, &ent_router, who->tenant_id, s, fe)) != CORE_OK ||
	    (rc = ent_update(db, a, &ent_router, who->tenant_id, id, s, fe)) != CORE_OK)
		return rc;
	audit(db, a, who, "update", "router", id, NULL);
	return CORE_OK;
}

int
routers_delete(struct db *db, struct arena *a, const struct actor *who, long long id,
    struct ferrs *fe)
{
	struct db_param p[2] = { db_int(id), db_int(who->tenant_id) };
	struct db_result r;
	int rc;

	if (db_query(db, a, "SELECT COUNT(*) FROM subscriptions WHERE router_id = ? AND tenant_id = ? "
	    "AND status IN ('active', 'suspended')", p, 2, &r) < 0)
		return CORE_DB;
	if (db_val_int(&r, 0, 0, 0) > 0) {
		ferr_add(fe, "detail", arena_printf(a, "Cannot delete router. %lld subscription(s) "
		    "still use it", db_val_int(&r, 0, 0, 0)));
		return CORE_CONFLICT;
	}
	if ((rc = ent_delete(db, a, &ent_router, who->tenant_id, id)) != CORE_OK)
		return rc;
	audit(db, a, who, "delete", "router", id, NULL);
	return CORE_OK;
}
