/* customers.c - the people who pay: every document's fields, one phone
 * form, a generated account number; and the helpers billing shares. */
#include "config.h"
#include "core/billing.h"
#include "core/audit.h"
#include "core/numbering.h"
#include "core/phone.h"
#include "core/rbac.h"
#include "db/db.h"
#include "util/arena.h"

#include <string.h>

static const char *const account_types[] = { "residential", "business", "retail", "corporate",
	"hotspot", NULL };
static const char *const customer_statuses[] = { "active", "inactive", "suspended", "cancelled",
	"expired", NULL };

static const struct field customer_fields[] = {
	{ "id", "id", FT_ID, FF_READONLY | FF_SORT },
	{ "uuid", "uuid", FT_UUID, FF_READONLY },
	{ "account_number", "account_number", FT_STR, FF_SEARCH | FF_SORT | FF_NOUPDATE, 32 },
	{ "name", "name", FT_STR, FF_REQUIRED | FF_SEARCH | FF_SORT, 200 },
	{ "email", "email", FT_EMAIL, FF_NULLABLE | FF_SEARCH | FF_SORT, 254 },
	{ "phone", "phone", FT_STR, FF_NULLABLE | FF_SEARCH | FF_FILTER, 32 },
	{ "mac_address", "mac_address", FT_STR, FF_NULLABLE | FF_FILTER, 17 },
	{ "address", "address", FT_TEXT, FF_NULLABLE, 500 },
	{ "city", "city", FT_STR, FF_NULLABLE | FF_FILTER | FF_SORT, 100 },
	{ "state", "state", FT_STR, FF_NULLABLE, 100 },
	{ "postal_code", "postal_code", FT_STR, FF_NULLABLE, 20 },
	{ "country", "country", FT_STR, FF_NULLABLE | FF_FILTER, 100 },
	{ "company_name", "company_name", FT_STR, FF_NULLABLE | FF_SEARCH, 200 },
	{ "tax_id", "tax_id", FT_STR, FF_NULLABLE, 50 },
	{ "account_type", "account_type", FT_ENUM, FF_FILTER, 0, 0, 0, account_types },
	{ "status", "status", FT_ENUM, FF_FILTER | FF_SORT, 0, 0, 0, customer_statuses },
	{ "balance", "balance", FT_DECIMAL, FF_READONLY | FF_SORT },
	{ "notes", "notes", FT_TEXT, FF_NULLABLE, 5000 },
	{ "district_id", "district_id", FT_ID, FF_NULLABLE | FF_FILTER | FF_FK_GLOBAL, 0, 0, 0, NULL,
	  "districts" },
	{ "thana_id", "thana_id", FT_ID, FF_NULLABLE | FF_FILTER | FF_FK_GLOBAL, 0, 0, 0, NULL,
	  "thanas" },
	{ "owner_id", "owner_id", FT_ID, FF_NULLABLE | FF_FILTER | FF_FK, 0, 0, 0, NULL, "users" },
	{ "full_address", "CONCAT_WS(', ', NULLIF(t.address, ''), NULLIF(t.city, ''), "
	  "NULLIF(t.state, ''), NULLIF(t.postal_code, ''), NULLIF(t.country, ''))", FT_STR, FF_READONLY },
	{ "is_active", "t.status = 'active'", FT_BOOL, FF_READONLY },
	{ "is_suspended", "t.status = 'suspended'", FT_BOOL, FF_READONLY },
	/* customer_stats, kept by sql/007_summaries.sql's triggers; the current
	 * subscription is the active one, else the one that ends last */
	{ "subscriptions_count", "COALESCE(cs.subs_count, 0)", FT_INT, FF_READONLY },
	{ "active_subscriptions_count", "COALESCE(cs.active_subs_count, 0)", FT_INT, FF_READONLY },
	{ "total_monthly_bill", "COALESCE(cs.monthly_bill, 0)", FT_DECIMAL, FF_READONLY },
	{ "plan_id", "cs.cur_plan_id", FT_ID, FF_READONLY | FF_FILTER },
	{ "router_id", "cs.cur_router_id", FT_ID, FF_READONLY | FF_FILTER },
	{ "expiry", "cs.cur_expiry", FT_DATETIME, FF_READONLY | FF_SORT },
	{ "created_at", "created_at", FT_DATETIME, FF_READONLY | FF_SORT },
	{ "updated_at", "updated_at", FT_DATETIME, FF_READONLY },
};
static const struct unique_key customer_uniques[] = {
	{ "uq_customers_account", "account_number" },
};

const struct entity ent_customer = {
	"Customer", "customers", customer_fields, sizeof(customer_fields) / sizeof(customer_fields[0]),
	EF_TENANT | EF_SOFT_DELETE | EF_UUID, "t.id DESC", customer_uniques, 1, "customers",
	" LEFT JOIN customer_stats cs ON cs.customer_id = t.id", "customers",
};

/* ---- shared by the billing files ---- */

void
billing_owner_scope(const struct actor *who, struct ent_query *q, const char *owner_sql)
{
	if (rbac_is_reseller(who))
		ent_query_cond(q, owner_sql, 1, db_int(who->user_id), db_null());
}

/* ---- customers ---- */

/* phone and MAC in their one form; field errors otherwise */
static int
normalise_contact(struct arena *a, struct ent_set *s, const struct entity *e, struct ferrs *fe)
{
	const char *v;

	if ((v = ent_set_str(s, "phone")) != NULL && *v) {
		char out[20];

		if (phone_normalise(v, out, sizeof(out)) < 0)
			ferr_add(fe, "phone", "Enter a valid phone number, such as 0712345678 or "
			    "+254712345678.");
		else
			ent_set_add(s, ent_field(e, "phone"), db_str(arena_strdup(a, out)));
	}
	if ((v = ent_set_str(s, "mac_address")) != NULL && *v && ent_field(e, "mac_address")) {
		char out[20];

		if (mac_normalise(v, out, sizeof(out)) < 0)
			ferr_add(fe, "mac_address", "Enter a MAC address such as AA:BB:CC:DD:EE:FF.");
		else
			ent_set_add(s, ent_field(e, "mac_address"), db_str(arena_strdup(a, out)));
	}
	return fe->n ? CORE_INVALID : CORE_OK;
}

int
customers_prepare(struct arena *a, struct ent_set *s, struct ferrs *fe)
{
	return normalise_contact(a, s, &ent_customer, fe);
}

int
leads_prepare(struct arena *a, struct ent_set *s, struct ferrs *fe)
{
	return normalise_contact(a, s, &ent_lead, fe);
}

int
customers_create(struct db *db, struct arena *a, const struct actor *who, struct ent_set *s,
    long long *id, struct ferrs *fe)
{
	int rc;

	if ((rc = customers_prepare(a, s, fe)) != CORE_OK)
		return rc;
	if (rbac_is_reseller(who))
		ent_set_add(s, ent_field(&ent_customer, "owner_id"), db_int(who->user_id));
	if ((rc = ent_check_fks(db, a, &ent_customer, who->tenant_id, s, fe)) != CORE_OK)
		return rc;
	if (db_begin(db) < 0)
		return CORE_DB;
	{
		const char *acct = ent_set_str(s, "account_number");

		if (acct == NULL || *acct == '\0') {
			if ((acct = number_next(db, a, who->tenant_id, "CUS")) == NULL) {
				db_rollback(db);
				return CORE_DB;
			}
			ent_set_add(s, ent_field(&ent_customer, "account_number"), db_str(acct));
		}
	}
	{
		struct db_param p[2] = { db_int(who->tenant_id), db_int(who->tenant_id) };
		struct db_result r;

		if (db_query(db, a, "SELECT (SELECT max_customers FROM tenants WHERE id = ?), "
		    "(SELECT COUNT(*) FROM customers WHERE tenant_id = ? AND deleted_at IS NULL)",
		    p, 2, &r) < 0) {
			db_rollback(db);
			return CORE_DB;
		}
		if (db_val(&r, 0, 0) && db_val_int(&r, 0, 1, 0) >= db_val_int(&r, 0, 0, 0)) {
			db_rollback(db);
			ferr_add(fe, "non_field_errors", arena_printf(a,
			    "This organization's limit of %s customers is reached.", db_val(&r, 0, 0)));
			return CORE_INVALID;
		}
	}
	if ((rc = ent_create(db, a, &ent_customer, who->tenant_id, s, id, fe)) != CORE_OK) {
		db_rollback(db);
		return rc;
	}
	if (db_commit(db) < 0)
		return CORE_DB;
	audit(db, a, who, "create", "customer", *id, NULL);
	return CORE_OK;
}

const char *
customers_search_text(struct arena *a, const char *search)
{
	char out[20];

	if (search && strlen(search) >= 9 && strspn(search, "+0123456789 -") == strlen(search) &&
	    phone_normalise(search, out, sizeof(out)) == 0)
		return arena_strdup(a, out);
	return search;
}
