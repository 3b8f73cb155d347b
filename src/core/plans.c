/* plans.c - what is sold: hotspot passes by duration (000), monthly PPPoE
 * plans with quotas and billing cycles (001), system profiles (004). */
#include "config.h"
#include "core/billing.h"
#include "core/audit.h"
#include "db/db.h"
#include "json/json.h"
#include "util/arena.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const conn_types[] = { "hotspot", "pppoe", "static_ip", "dhcp", NULL };
static const char *const speed_units[] = { "kbps", "mbps", "gbps", NULL };
static const char *const quota_units[] = { "gb", "tb", "unlimited", NULL };
static const char *const duration_units[] = { "minutes", "hours", "days", "weeks", "months",
	NULL };
static const char *const cycles[] = { "monthly", "quarterly", "yearly", NULL };

#define UNIT_LETTER "CASE t.speed_unit WHEN 'kbps' THEN 'k' WHEN 'gbps' THEN 'G' ELSE 'M' END"
#define UNIT_NAME "CASE t.speed_unit WHEN 'kbps' THEN 'Kbps' WHEN 'gbps' THEN 'Gbps' ELSE 'Mbps' END"

static const struct field plan_fields[] = {
	{ "id", "id", FT_ID, FF_READONLY | FF_SORT },
	{ "uuid", "uuid", FT_UUID, FF_READONLY },
	{ "name", "name", FT_STR, FF_REQUIRED | FF_SEARCH | FF_SORT, 100 },
	{ "description", "description", FT_TEXT, FF_NULLABLE, 2000 },
	{ "connection_type", "connection_type", FT_ENUM, FF_FILTER, 0, 0, 0, conn_types },
	{ "download_speed", "download_speed", FT_INT, FF_SORT, 0, 0, 100000000 },
	{ "upload_speed", "upload_speed", FT_INT, 0, 0, 0, 100000000 },
	{ "speed_unit", "speed_unit", FT_ENUM, 0, 0, 0, 0, speed_units },
	{ "speed", "CONCAT(t.download_speed, " UNIT_LETTER ", '/', t.upload_speed, " UNIT_LETTER ")",
	  FT_STR, FF_READONLY },
	{ "data_quota", "data_quota", FT_INT, FF_NULLABLE, 0, 0, 100000000 },
	{ "quota_unit", "quota_unit", FT_ENUM, 0, 0, 0, 0, quota_units },
	{ "duration_value", "duration_value", FT_INT, FF_NULLABLE, 0, 1, 1000000 },
	{ "duration_unit", "duration_unit", FT_ENUM, FF_NULLABLE, 0, 0, 0, duration_units },
	{ "billing_cycle", "billing_cycle", FT_ENUM, FF_NULLABLE | FF_FILTER, 0, 0, 0, cycles },
	{ "price", "price", FT_DECIMAL, FF_REQUIRED | FF_SORT, 0, 0, 1000000000000LL },
	{ "setup_fee", "setup_fee", FT_DECIMAL, 0, 0, 0, 1000000000000LL },
	{ "router_profile", "router_profile", FT_STR, FF_NULLABLE, 64 },
	{ "is_active", "is_active", FT_BOOL, FF_FILTER },
	{ "is_featured", "is_featured", FT_BOOL, FF_FILTER },
	{ "is_popular", "is_popular", FT_BOOL, FF_FILTER },
	{ "features", "features", FT_JSON, FF_NULLABLE, 8000 },
	{ "owner_id", "owner_id", FT_ID, FF_NULLABLE | FF_FILTER | FF_FK, 0, 0, 0, NULL, "users" },
	{ "formatted_speed", "CONCAT(t.download_speed, '/', t.upload_speed, ' ', " UNIT_NAME ")",
	  FT_STR, FF_READONLY },
	{ "formatted_quota", "IF(t.quota_unit = 'unlimited' OR t.data_quota IS NULL, 'Unlimited', "
	  "CONCAT(t.data_quota, ' ', UPPER(t.quota_unit)))", FT_STR, FF_READONLY },
	{ "formatted_price", "FORMAT(t.price, 2)", FT_STR, FF_READONLY },
	{ "is_unlimited", "t.quota_unit = 'unlimited' OR t.data_quota IS NULL", FT_BOOL, FF_READONLY },
	/* counts and sums from the kept figures (sql/007) or over
	 * ix_subscriptions_plan_cover (sql/011): a plan with 100,000
	 * subscriptions and a million payments costs no scan */
	{ "active_subscriptions_count", "(SELECT COALESCE(SUM(k.n), 0) FROM stat_subs k "
	  "WHERE k.tenant_id = t.tenant_id AND k.plan_id = t.id AND k.status = 'active')", FT_INT,
	  FF_READONLY },
	{ "subscribers_count", "(SELECT COUNT(DISTINCT s.customer_id) FROM subscriptions s "
	  "WHERE s.tenant_id = t.tenant_id AND s.plan_id = t.id)", FT_INT, FF_READONLY },
	{ "active_subscribers_count", "(SELECT COUNT(DISTINCT s.customer_id) FROM subscriptions s "
	  "WHERE s.tenant_id = t.tenant_id AND s.plan_id = t.id AND s.status = 'active')", FT_INT,
	  FF_READONLY },
	{ "total_revenue", "(SELECT COALESCE(SUM(k.amount), 0) FROM stat_pay_mix k WHERE "
	  "k.tenant_id = t.tenant_id AND k.plan_id = t.id AND k.status = 'completed')", FT_DECIMAL,
	  FF_READONLY },
	{ "monthly_revenue", "(SELECT COALESCE(SUM(s.monthly_fee), 0) FROM subscriptions s "
	  "WHERE s.tenant_id = t.tenant_id AND s.plan_id = t.id AND s.status = 'active')",
	  FT_DECIMAL, FF_READONLY },
	{ "created_at", "created_at", FT_DATETIME, FF_READONLY | FF_SORT },
	{ "updated_at", "updated_at", FT_DATETIME, FF_READONLY },
};

const struct entity ent_plan = {
	"Plan", "plans", plan_fields, sizeof(plan_fields) / sizeof(plan_fields[0]),
	EF_TENANT | EF_SOFT_DELETE | EF_UUID, "t.price ASC, t.name ASC", NULL, 0,
};

/* "5M", "512k", "1G", "10" (megabits) to kilobits; -1 if not a speed */
static long long
speed_kbps(const char *s, size_t n)
{
	long long v = 0;
	size_t i = 0;

	while (i < n && s[i] == ' ')
		i++;
	if (i == n || !isdigit((unsigned char)s[i]))
		return -1;
	for (; i < n && isdigit((unsigned char)s[i]); i++) {
		v = v * 10 + (s[i] - '0');
		if (v > 100000000)
			return -1;
	}
	while (i < n && s[i] == ' ')
		i++;
	if (i == n)
		return v * 1000;
	switch (s[i]) {
	case 'k': case 'K': v *= 1; break;
	case 'm': case 'M': v *= 1000; break;
	case 'g': case 'G': v *= 1000000; break;
	default: return -1;
	}
	i++;
	if (i < n && (!strncasecmp(s + i, "bps", 3) || s[i] == 'b'))
		i += s[i] == 'b' ? 1 : 3;
	return i == n ? v : -1;
}

int
parse_speed(const char *s, long long *down, long long *up, const char **unit)
{
	const char *slash = strchr(s, '/');
	long long d, u;

	if (slash == NULL || strchr(slash + 1, '/'))
		return -1;
	d = speed_kbps(s, (size_t)(slash - s));
	u = speed_kbps(slash + 1, strlen(slash + 1));
	if (d < 0 || u < 0)
		return -1;
	/* the largest unit that keeps both whole */
	if (d % 1000000 == 0 && u % 1000000 == 0 && d && u) {
		*unit = "gbps";
		d /= 1000000;
		u /= 1000000;
	} else if (d % 1000 == 0 && u % 1000 == 0) {
		*unit = "mbps";
		d /= 1000;
		u /= 1000;
	} else
		*unit = "kbps";
	*down = d;
	*up = u;
	return 0;
}

int
plans_prepare(struct arena *a, struct ent_set *s, yajl_val body, int creating, struct ferrs *fe)
{
	const char *speed = NULL, *unit = NULL;

	(void)a;
	/* 000 sends "speed": "5M/2M" */
	if (json_get_str(body, "speed", &speed) == JSON_OK) {
		long long d, u;

		if (parse_speed(speed, &d, &u, &unit) < 0) {
			ferr_add(fe, "speed", "Expected download/upload such as \"5M/2M\".");
			return CORE_INVALID;
		}
		ent_set_add(s, ent_field(&ent_plan, "download_speed"), db_int(d));
		ent_set_add(s, ent_field(&ent_plan, "upload_speed"), db_int(u));
		ent_set_add(s, ent_field(&ent_plan, "speed_unit"), db_str(unit));
	}
	if (fe->n)
		return CORE_INVALID;
	if (creating && !ent_set_has(s, "billing_cycle") &&
	    !(ent_set_has(s, "duration_value") && ent_set_has(s, "duration_unit"))) {
		ferr_add(fe, "duration_value", "Give duration_value and duration_unit, or billing_cycle.");
		return CORE_INVALID;
	}
	if (ent_set_has(s, "duration_value") != ent_set_has(s, "duration_unit") && creating) {
		ferr_add(fe, ent_set_has(s, "duration_value") ? "duration_unit" : "duration_value",
		    "duration_value and duration_unit go together.");
		return CORE_INVALID;
	}
	return CORE_OK;
}

int
plans_delete(struct db *db, struct arena *a, const struct actor *who, long long id,
    struct ferrs *fe)
{
	struct db_param p[2] = { db_int(id), db_int(who->tenant_id) };
	struct db_result r;
	long long n;
	int rc;

	if (db_query(db, a, "SELECT COUNT(DISTINCT customer_id) FROM subscriptions WHERE plan_id = ? "
	    "AND tenant_id = ? AND status = 'active'", p, 2, &r) < 0)
		return CORE_DB;
	if ((n = db_val_int(&r, 0, 0, 0)) > 0) {
		/* 000's words */
		ferr_add(fe, "detail", arena_printf(a,
		    "Cannot delete plan. %lld active customer(s) are using this plan", n));
		return CORE_CONFLICT;
	}
	if ((rc = ent_delete(db, a, &ent_plan, who->tenant_id, id)) != CORE_OK)
		return rc;
	audit(db, a, who, "delete", "plan", id, NULL);
	return CORE_OK;
}
