/* tenants.c - the ISPs on one installation (004 tenants = 003 organizations). */
#include "config.h"
#include "core/tenants.h"
#include "core/audit.h"
#include "db/db.h"
#include "util/arena.h"

#include <string.h>

static const struct field tenant_fields[] = {
	{ "id", "id", FT_ID, FF_READONLY | FF_SORT },
	{ "uuid", "uuid", FT_UUID, FF_READONLY },
	{ "name", "name", FT_STR, FF_REQUIRED | FF_SEARCH | FF_SORT, 200 },
	{ "code", "code", FT_STR, FF_REQUIRED | FF_SEARCH | FF_SORT | FF_NOUPDATE, 50 },
	{ "business_license", "business_license", FT_STR, FF_NULLABLE, 100 },
	{ "vat_registration", "vat_registration", FT_STR, FF_NULLABLE, 100 },
	{ "address", "address", FT_TEXT, FF_NULLABLE, 500 },
	{ "contact_email", "contact_email", FT_EMAIL, FF_NULLABLE | FF_SEARCH, 254 },
	{ "contact_phone", "contact_phone", FT_STR, FF_NULLABLE, 32 },
	{ "website", "website", FT_STR, FF_NULLABLE, 200 },
	{ "organization_type", "organization_type", FT_STR, FF_NULLABLE | FF_FILTER, 100 },
	{ "revenue_sharing_enabled", "revenue_sharing_enabled", FT_BOOL, 0 },
	{ "default_reseller_share", "default_reseller_share", FT_DECIMAL, 0, 0, 0, 10000 },
	{ "default_sub_reseller_share", "default_sub_reseller_share", FT_DECIMAL, 0, 0, 0, 10000 },
	{ "default_ktl_share_with_sub", "default_ktl_share_with_sub", FT_DECIMAL, 0, 0, 0, 10000 },
	{ "default_reseller_share_with_sub", "default_reseller_share_with_sub", FT_DECIMAL, 0, 0, 0,
	  10000 },
	{ "billing_settings", "billing_settings", FT_JSON, FF_NULLABLE, 16384 },
	{ "sync_settings", "sync_settings", FT_JSON, FF_NULLABLE, 16384 },
	{ "max_routers", "max_routers", FT_INT, FF_NULLABLE, 0, 0, 1000000 },
	{ "max_users", "max_users", FT_INT, FF_NULLABLE, 0, 0, 1000000 },
	{ "max_customers", "max_customers", FT_INT, FF_NULLABLE, 0, 0, 100000000 },
	{ "allow_registration", "allow_registration", FT_BOOL, 0 },
	{ "is_active", "is_active", FT_BOOL, FF_FILTER },
	{ "users_count", "(SELECT COUNT(*) FROM users u WHERE u.tenant_id = t.id "
	  "AND u.deleted_at IS NULL)", FT_INT, FF_READONLY },
	{ "created_at", "created_at", FT_DATETIME, FF_READONLY | FF_SORT },
	{ "updated_at", "updated_at", FT_DATETIME, FF_READONLY },
};
static const struct unique_key tenant_uniques[] = { { "uq_tenants_code", "code" } };

const struct entity ent_tenant = {
	"Organization", "tenants", tenant_fields, sizeof(tenant_fields) / sizeof(tenant_fields[0]),
	EF_SOFT_DELETE | EF_UUID, "t.id ASC", tenant_uniques, 1,
};

int
tenants_visible(const struct actor *who, long long id)
{
	return who->is_superuser || id == who->tenant_id;
}

int
tenants_create(struct db *db, struct arena *a, const struct actor *who, struct ent_set *s,
    long long *id, struct ferrs *fe)
{
	int rc;

	if (!who->is_superuser)
		return CORE_FORBIDDEN;
	if ((rc = ent_create(db, a, &ent_tenant, 0, s, id, fe)) != CORE_OK)
		return rc;
	audit(db, a, who, "create", "tenant", *id, NULL);
	return CORE_OK;
}

int
tenants_update(struct db *db, struct arena *a, const struct actor *who, long long id,
    struct ent_set *s, struct ferrs *fe)
{
	int rc;

	if (!tenants_visible(who, id))
		return CORE_NOT_FOUND;
	if ((rc = ent_update(db, a, &ent_tenant, 0, id, s, fe)) != CORE_OK)
		return rc;
	audit(db, a, who, "update", "tenant", id, NULL);
	return CORE_OK;
}

int
tenants_delete(struct db *db, struct arena *a, const struct actor *who, long long id)
{
	int rc;

	if (!tenants_visible(who, id))
		return CORE_NOT_FOUND;
	if (!who->is_superuser)
		return CORE_FORBIDDEN;
	if (id == who->tenant_id)
		return CORE_CONFLICT;           /* not the ground you stand on */
	if ((rc = ent_delete(db, a, &ent_tenant, 0, id)) != CORE_OK)
		return rc;
	audit(db, a, who, "delete", "tenant", id, NULL);
	return CORE_OK;
}

int
tenants_stats(struct db *db, struct arena *a, long long id, struct tenant_stats *out)
{
	struct db_param p[5] = { db_int(id), db_int(id), db_int(id), db_int(id), db_int(id) };
	struct db_result r;

	memset(out, 0, sizeof(*out));
	if (db_query(db, a, "SELECT "
	    "(SELECT COUNT(*) FROM users WHERE tenant_id = ? AND deleted_at IS NULL), "
	    "(SELECT COUNT(*) FROM users WHERE tenant_id = ? AND deleted_at IS NULL AND is_active = 1), "
	    "(SELECT COUNT(*) FROM roles WHERE tenant_id = ?), "
	    "(SELECT COUNT(*) FROM auth_groups WHERE tenant_id = ?), "
	    "(SELECT COUNT(*) FROM api_clients WHERE tenant_id = ? AND deleted_at IS NULL)",
	    p, 5, &r) < 0)
		return CORE_DB;
	out->users = db_val_int(&r, 0, 0, 0);
	out->active_users = db_val_int(&r, 0, 1, 0);
	out->roles = db_val_int(&r, 0, 2, 0);
	out->groups = db_val_int(&r, 0, 3, 0);
	out->api_clients = db_val_int(&r, 0, 4, 0);
	return CORE_OK;
}
