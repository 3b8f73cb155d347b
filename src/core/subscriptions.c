/* subscriptions.c - a customer's plan on a router: dates from the plan's
 * duration or billing cycle, state changes, and the router change each one
 * implies written as a router_jobs row in the same transaction. */
#include "config.h"
#include "core/billing.h"
#include "core/provision.h"
#include "core/audit.h"
#include "core/phone.h"
#include "core/rbac.h"
#include "core/secrets.h"
#include "db/db.h"
#include "json/json.h"
#include "util/arena.h"
#include "util/conf.h"
#include "util/uuid.h"

#include <stdio.h>
#include <string.h>

static const char *const access_methods[] = { "hotspot", "pppoe", "static_ip", "dhcp", NULL };
static const char *const sub_statuses[] = { "active", "inactive", "suspended", "cancelled",
	"pending", "expired", NULL };

/* the plan's quota in bytes, NULL when unlimited */
#define QUOTA_BYTES "(SELECT CASE WHEN pl.quota_unit = 'unlimited' OR pl.data_quota IS NULL " \
	"THEN NULL WHEN pl.quota_unit = 'tb' THEN pl.data_quota * 1000000000000 " \
	"ELSE pl.data_quota * 1000000000 END FROM plans pl WHERE pl.id = t.plan_id)"

static const struct field sub_fields[] = {
	{ "id", "id", FT_ID, FF_READONLY | FF_SORT },
	{ "uuid", "uuid", FT_UUID, FF_READONLY },
	{ "customer_id", "customer_id", FT_ID, FF_REQUIRED | FF_FILTER | FF_NOUPDATE | FF_FK, 0, 0, 0,
	  NULL, "customers" },
	{ "customer", "customer_id", FT_ID, FF_READONLY | FF_FILTER | FF_HIDDEN },
	{ "customer_name", "(SELECT c.name FROM customers c WHERE c.id = t.customer_id)", FT_STR,
	  FF_READONLY },
	{ "plan_id", "plan_id", FT_ID, FF_REQUIRED | FF_FILTER | FF_FK, 0, 0, 0, NULL, "plans" },
	{ "plan", "plan_id", FT_ID, FF_READONLY | FF_FILTER | FF_HIDDEN },
	{ "plan_name", "(SELECT pl.name FROM plans pl WHERE pl.id = t.plan_id)", FT_STR, FF_READONLY },
	{ "router_id", "router_id", FT_ID, FF_NULLABLE | FF_FILTER | FF_FK, 0, 0, 0, NULL, "routers" },
	{ "router", "router_id", FT_ID, FF_READONLY | FF_FILTER | FF_HIDDEN },
	{ "router_name", "(SELECT r.name FROM routers r WHERE r.id = t.router_id)", FT_STR,
	  FF_READONLY },
	{ "username", "username", FT_STR, FF_SEARCH | FF_SORT, 100 },
	{ "password", "CASE WHEN t.password_enc IS NULL THEN NULL ELSE '***hidden***' END", FT_STR,
	  FF_READONLY },
	{ "password_enc", "password_enc", FT_STR, FF_INTERNAL },
	{ "access_method", "access_method", FT_ENUM, FF_FILTER, 0, 0, 0, access_methods },
	{ "static_ip", "static_ip", FT_STR, FF_NULLABLE, 45 },
	{ "mac_address", "mac_address", FT_STR, FF_NULLABLE | FF_FILTER, 17 },
	{ "status", "status", FT_ENUM, FF_READONLY | FF_FILTER | FF_SORT, 0, 0, 0, sub_statuses },
	{ "start_date", "start_date", FT_DATETIME, FF_NULLABLE | FF_SORT },
	{ "end_date", "end_date", FT_DATETIME, FF_READONLY | FF_SORT },
	{ "monthly_fee", "monthly_fee", FT_DECIMAL, 0, 0, 0, 1000000000000LL },
	{ "setup_fee", "setup_fee", FT_DECIMAL, 0, 0, 0, 1000000000000LL },
	{ "data_used", "data_used", FT_INT, FF_READONLY },
	{ "data_reset_date", "data_reset_date", FT_DATETIME, FF_READONLY },
	{ "notes", "notes", FT_TEXT, FF_NULLABLE, 5000 },
	{ "provision_state", "provision_state", FT_STR, FF_READONLY | FF_FILTER },
	{ "is_active", "t.status = 'active'", FT_BOOL, FF_READONLY },
	{ "is_suspended", "t.status = 'suspended'", FT_BOOL, FF_READONLY },
	{ "is_expired", "t.status = 'expired' OR (t.end_date IS NOT NULL AND "
	  "t.end_date < UTC_TIMESTAMP(6))", FT_BOOL, FF_READONLY },
	{ "days_remaining", "CASE WHEN t.end_date IS NULL THEN NULL ELSE "
	  "GREATEST(0, DATEDIFF(t.end_date, UTC_TIMESTAMP(6))) END", FT_INT, FF_READONLY },
	{ "data_remaining", "GREATEST(0, " QUOTA_BYTES " - t.data_used)", FT_INT, FF_READONLY },
	{ "data_usage_percentage", "COALESCE(ROUND(LEAST(100, t.data_used * 100 / NULLIF("
	  QUOTA_BYTES ", 0)), 2), 0)", FT_DECIMAL, FF_READONLY },
	{ "monthly_fee_float", "monthly_fee", FT_DECIMAL, FF_READONLY },
	{ "setup_fee_float", "setup_fee", FT_DECIMAL, FF_READONLY },
	{ "data_used_float", "data_used", FT_DECIMAL, FF_READONLY },
	{ "created_at", "created_at", FT_DATETIME, FF_READONLY | FF_SORT },
	{ "updated_at", "updated_at", FT_DATETIME, FF_READONLY },
};
static const struct unique_key sub_uniques[] = { { "uq_subscriptions_username", "username" } };

const struct entity ent_subscription = {
	"Subscription", "subscriptions", sub_fields, sizeof(sub_fields) / sizeof(sub_fields[0]),
	EF_TENANT | EF_UUID, "t.id DESC", sub_uniques, 1, "subscriptions",
};

static const struct field job_fields[] = {
	{ "id", "id", FT_ID, FF_READONLY | FF_SORT },
	{ "router_id", "router_id", FT_ID, FF_READONLY | FF_FILTER },
	{ "subscription_id", "subscription_id", FT_ID, FF_READONLY | FF_FILTER },
	{ "action", "action", FT_STR, FF_READONLY | FF_FILTER },
	{ "payload", "payload", FT_JSON, FF_READONLY },
	{ "status", "status", FT_STR, FF_READONLY | FF_FILTER },
	{ "attempts", "attempts", FT_INT, FF_READONLY },
	{ "next_attempt_at", "next_attempt_at", FT_DATETIME, FF_READONLY },
	{ "last_error", "last_error", FT_STR, FF_READONLY },
	{ "created_at", "created_at", FT_DATETIME, FF_READONLY | FF_SORT },
};

const struct entity ent_router_job = {
	"Router job", "router_jobs", job_fields, sizeof(job_fields) / sizeof(job_fields[0]),
	EF_TENANT | EF_READONLY, "t.id DESC", NULL, 0,
};

int
jobs_enqueue(struct db *db, struct arena *a, long long tenant, long long router_id,
    long long sub_id, const char *action, const char *payload)
{
	struct db_param p[5] = { db_int(tenant), router_id ? db_int(router_id) : db_null(),
	    sub_id ? db_int(sub_id) : db_null(), db_str(action), db_str(payload) };

	return db_query(db, a, "INSERT INTO router_jobs (tenant_id, router_id, subscription_id, "
	    "action, payload) VALUES (?, ?, ?, ?, ?)", p, 5, NULL) < 0 ? CORE_DB : CORE_OK;
}

/* what a router job needs to know of the subscription, as JSON */
static const char *
job_payload(struct db *db, struct arena *a, long long sub_id)
{
	struct db_param p[1] = { db_int(sub_id) };
	struct db_result r;
	yajl_gen g;
	const unsigned char *b;
	size_t n;
	const char *out;

	if (db_query(db, a, "SELECT s.username, s.access_method, s.mac_address, s.static_ip, "
	    "s.end_date, pl.router_profile, pl.name, pl.download_speed, pl.upload_speed, pl.speed_unit "
	    "FROM subscriptions s JOIN plans pl ON pl.id = s.plan_id WHERE s.id = ?", p, 1, &r) < 0 ||
	    r.nrows == 0)
		return NULL;
	g = yajl_gen_alloc(NULL);
	jw_obj(g);
	jw_kstr(g, "username", db_val(&r, 0, 0));
	jw_kstr(g, "access_method", db_val(&r, 0, 1));
	jw_kstr(g, "mac_address", db_val(&r, 0, 2));
	jw_kstr(g, "static_ip", db_val(&r, 0, 3));
	jw_key(g, "end_date");
	jw_dbtime(g, db_val(&r, 0, 4));
	jw_kstr(g, "profile", db_val(&r, 0, 5) ? db_val(&r, 0, 5) : db_val(&r, 0, 6));
	jw_kstr(g, "rate_limit", arena_printf(a, "%s%c/%s%c", db_val(&r, 0, 7),
	    !strcmp(db_val(&r, 0, 9), "kbps") ? 'k' : !strcmp(db_val(&r, 0, 9), "gbps") ? 'G' : 'M',
	    db_val(&r, 0, 8),
	    !strcmp(db_val(&r, 0, 9), "kbps") ? 'k' : !strcmp(db_val(&r, 0, 9), "gbps") ? 'G' : 'M'));
	jw_obj_end(g);
	yajl_gen_get_buf(g, &b, &n);
	out = arena_strndup(a, (const char *)b, n);
	yajl_gen_free(g);
	return out;
}

static int
enqueue_for(struct db *db, struct arena *a, long long tenant, long long sub_id, const char *action)
{
	struct db_param p[1] = { db_int(sub_id) };
	struct db_result r;
	const char *payload;

	if (db_query(db, a, "SELECT router_id FROM subscriptions WHERE id = ?", p, 1, &r) < 0)
		return CORE_DB;
	if ((payload = job_payload(db, a, sub_id)) == NULL)
		return CORE_DB;
	return jobs_enqueue(db, a, tenant, db_val_int(&r, 0, 0, 0), sub_id, action, payload);
}

int
subs_enqueue_job(struct db *db, struct arena *a, long long tenant, long long sub_id,
    const char *action)
{
	return enqueue_for(db, a, tenant, sub_id, action);
}

/* "password" in the body: sealed */
static int
seal_password(struct arena *a, struct ent_set *s, yajl_val body, struct ferrs *fe)
{
	const char *pw = NULL, *sealed;

	if (json_get_str(body, "password", &pw) != JSON_OK)
		return CORE_OK;
	if (strlen(pw) > 128) {
		ferr_add(fe, "password", "Ensure this field has no more than 128 characters.");
		return CORE_INVALID;
	}
	if ((sealed = secret_seal(a, pw)) == NULL) {
		ferr_add(fe, "password", "The server has no secret_key configured to store passwords.");
		return CORE_INVALID;
	}
	ent_set_add(s, ent_field(&ent_subscription, "password_enc"), db_str(sealed));
	return CORE_OK;
}

/* the customer, plan and router must all be the tenant's; defaults from the plan */
static int
check_refs(struct db *db, struct arena *a, const struct actor *who, struct ent_set *s,
    struct ferrs *fe)
{
	int rc = ent_check_fks(db, a, &ent_subscription, who->tenant_id, s, fe);

	if (rc != CORE_OK)
		return rc;
	if (ent_set_has(s, "mac_address") && ent_set_str(s, "mac_address") && *ent_set_str(s, "mac_address")) {
		/* same rule as customers */
		char out[20];

		if (mac_normalise(ent_set_str(s, "mac_address"), out, sizeof(out)) < 0) {
			ferr_add(fe, "mac_address", "Enter a MAC address such as AA:BB:CC:DD:EE:FF.");
			return CORE_INVALID;
		}
		ent_set_add(s, ent_field(&ent_subscription, "mac_address"), db_str(arena_strdup(a, out)));
	}
	return CORE_OK;
}

int
subs_create(struct db *db, struct arena *a, const struct actor *who, struct ent_set *s,
    yajl_val body, long long *id, struct ferrs *fe)
{
	struct db_result r;
	const char *status = NULL;
	int rc;

	if ((rc = seal_password(a, s, body, fe)) != CORE_OK ||
	    (rc = check_refs(db, a, who, s, fe)) != CORE_OK)
		return rc;
	if (json_get_str(body, "status", &status) == JSON_OK && strcmp(status, "active") != 0 &&
	    strcmp(status, "pending") != 0) {
		ferr_add(fe, "status", "A new subscription is \"pending\" or \"active\".");
		return CORE_INVALID;
	}
	{
		/* fees and access method from the plan unless given */
		long long plan = ent_set_int(s, "plan_id");
		{
			struct db_param p[1] = { db_int(plan) };

			if (db_query(db, a, "SELECT price, setup_fee, connection_type FROM plans WHERE id = ?",
			    p, 1, &r) < 0)
				return CORE_DB;
		}
		if (!ent_set_has(s, "monthly_fee"))
			ent_set_add(s, ent_field(&ent_subscription, "monthly_fee"), db_str(db_val(&r, 0, 0)));
		if (!ent_set_has(s, "setup_fee"))
			ent_set_add(s, ent_field(&ent_subscription, "setup_fee"), db_str(db_val(&r, 0, 1)));
		if (!ent_set_has(s, "access_method"))
			ent_set_add(s, ent_field(&ent_subscription, "access_method"),
			    db_str(db_val(&r, 0, 2)));
	}
	if (rbac_is_reseller(who)) {
		/* a reseller subscribes only its own customers */
		long long cust = ent_set_int(s, "customer_id");
		{
			struct db_param p[2] = { db_int(cust), db_int(who->user_id) };

			if (db_query(db, a, "SELECT 1 FROM customers WHERE id = ? AND owner_id = ?",
			    p, 2, &r) < 0)
				return CORE_DB;
		}
		if (r.nrows == 0) {
			ferr_add(fe, "customer_id", "Invalid pk - object does not exist.");
			return CORE_INVALID;
		}
	}
	if (db_begin(db) < 0)
		return CORE_DB;
	if (!ent_set_has(s, "username") || *ent_set_str(s, "username") == '\0') {
		char rnd[9];

		random_hex(rnd, 4);
		ent_set_add(s, ent_field(&ent_subscription, "username"),
		    db_str(arena_printf(a, "sub-%s", rnd)));
	}
	if ((rc = ent_create(db, a, &ent_subscription, who->tenant_id, s, id, fe)) != CORE_OK) {
		db_rollback(db);
		return rc;
	}
	if (db_commit(db) < 0)
		return CORE_DB;
	audit(db, a, who, "create", "subscription", *id, NULL);
	if (status && !strcmp(status, "active"))
		return subs_action(db, a, who, *id, "activate", fe);
	return CORE_OK;
}

int
subs_update(struct db *db, struct arena *a, const struct actor *who, long long id,
    struct ent_set *s, yajl_val body, struct ferrs *fe)
{
	struct ent_row row;
	int rc;

	if ((rc = seal_password(a, s, body, fe)) != CORE_OK ||
	    (rc = check_refs(db, a, who, s, fe)) != CORE_OK)
		return rc;
	if (db_begin(db) < 0)
		return CORE_DB;
	if ((rc = ent_update(db, a, &ent_subscription, who->tenant_id, id, s, fe)) != CORE_OK ||
	    (rc = ent_get_id(db, a, &ent_subscription, who->tenant_id, id, &row)) != CORE_OK) {
		db_rollback(db);
		return rc;
	}
	/* a live subscription whose plan, router or credentials changed must be
	 * pushed again */
	if ((ent_set_has(s, "plan_id") || ent_set_has(s, "router_id") || ent_set_has(s, "password_enc") ||
	    ent_set_has(s, "mac_address") || ent_set_has(s, "static_ip") || ent_set_has(s, "username")) &&
	    (!strcmp(ent_val(&ent_subscription, &row, "status"), "active") ||
	    !strcmp(ent_val(&ent_subscription, &row, "status"), "suspended")) &&
	    enqueue_for(db, a, who->tenant_id, id, "update") != CORE_OK) {
		db_rollback(db);
		return CORE_DB;
	}
	if (db_commit(db) < 0)
		return CORE_DB;
	audit(db, a, who, "update", "subscription", id, NULL);
	return CORE_OK;
}

int
subs_delete(struct db *db, struct arena *a, const struct actor *who, long long id,
    struct ferrs *fe)
{
	struct ent_row row;
	int rc;

	(void)fe;
	if (db_begin(db) < 0)
		return CORE_DB;
	if ((rc = ent_get_id(db, a, &ent_subscription, who->tenant_id, id, &row)) != CORE_OK) {
		db_rollback(db);
		return rc;
	}
	if (strcmp(ent_val(&ent_subscription, &row, "provision_state"), "provisioned") == 0 ||
	    !strcmp(ent_val(&ent_subscription, &row, "status"), "active") ||
	    !strcmp(ent_val(&ent_subscription, &row, "status"), "suspended")) {
		if (enqueue_for(db, a, who->tenant_id, id, "remove") != CORE_OK) {
			db_rollback(db);
			return CORE_DB;
		}
	}
	{
		struct db_param p[1] = { db_int(id) };

		/* the jobs keep their copy of what to remove */
		if (db_query(db, a, "UPDATE router_jobs SET subscription_id = NULL WHERE subscription_id = ?",
		    p, 1, NULL) < 0) {
			db_rollback(db);
			return CORE_DB;
		}
	}
	rc = ent_delete(db, a, &ent_subscription, who->tenant_id, id);
	if (rc != CORE_OK) {
		db_rollback(db);
		return db->err == 1451 ? CORE_CONFLICT : rc;
	}
	if (db_commit(db) < 0)
		return db->err == 1451 ? CORE_CONFLICT : CORE_DB;
	audit(db, a, who, "delete", "subscription", id, NULL);
	return CORE_OK;
}

/* the interval unit of the plan's length, from a fixed list */
static const char *
interval_unit(const char *unit, const char *cycle)
{
	static const char *const map[][2] = {
		{ "minutes", "MINUTE" }, { "hours", "HOUR" }, { "days", "DAY" },
		{ "weeks", "WEEK" }, { "months", "MONTH" },
	};

	for (size_t i = 0; unit && i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(unit, map[i][0]))
			return map[i][1];
	return cycle ? "MONTH" : NULL;
}

struct action_ctx {
	struct arena *a;
	const struct actor *who;
	long long id;
	const char *action;
	struct ferrs *fe;
	const char *job;
};

static int
action_tx(struct db *db, void *vctx)
{
	struct action_ctx *c = vctx;
	struct arena *a = c->a;
	struct db_param p[2] = { db_int(c->id), db_int(c->who->tenant_id) };
	struct db_result r;
	const char *status, *unit, *cycle;
	long long n;
	int ended;

	c->job = NULL;
	if (db_query(db, a, "SELECT s.status, s.end_date IS NULL OR s.end_date < UTC_TIMESTAMP(6), "
	    "pl.duration_value, pl.duration_unit, pl.billing_cycle "
	    "FROM subscriptions s JOIN plans pl ON pl.id = s.plan_id "
	    "WHERE s.id = ? AND s.tenant_id = ? FOR UPDATE", p, 2, &r) < 0)
		return -1;
	if (r.nrows == 0)
		return CORE_NOT_FOUND;
	status = db_val(&r, 0, 0);
	ended = (int)db_val_int(&r, 0, 1, 1);
	n = db_val_int(&r, 0, 2, 0);
	unit = db_val(&r, 0, 3);
	cycle = db_val(&r, 0, 4);
	if (cycle && !unit)
		n = !strcmp(cycle, "quarterly") ? 3 : !strcmp(cycle, "yearly") ? 12 : 1;

	/* renew: a period paid for (M-Pesa): like activate, but a subscription
	 * suspended mid-period gets the new period on top, not a bare resume */
	if (!strcmp(c->action, "activate") || !strcmp(c->action, "renew")) {
		const char *iv = interval_unit(unit, cycle);
		char sql[400];
		struct db_param q[2];

		if (!strcmp(status, "cancelled")) {
			ferr_add(c->fe, "status", "A cancelled subscription cannot be activated.");
			return CORE_CONFLICT;
		}
		if (!strcmp(status, "suspended") && !ended && strcmp(c->action, "renew") != 0) {
			/* resume the period already paid for */
			c->job = "resume";
			q[0] = db_int(c->id);
			return db_query(db, a, "UPDATE subscriptions SET status = 'active' WHERE id = ?",
			    q, 1, NULL) < 0 ? -1 : 0;
		}
		/* a live period is extended from its end; otherwise one starts now */
		c->job = !strcmp(status, "active") && !ended ? "update" : "provision";
		if (iv == NULL) {
			q[0] = db_int(c->id);
			return db_query(db, a, "UPDATE subscriptions SET status = 'active', "
			    "start_date = COALESCE(start_date, UTC_TIMESTAMP(6)), end_date = NULL "
			    "WHERE id = ?", q, 1, NULL) < 0 ? -1 : 0;
		}
		snprintf(sql, sizeof(sql), "UPDATE subscriptions SET status = 'active', start_date = %s, "
		    "end_date = DATE_ADD(%s, INTERVAL ? %s) WHERE id = ?",
		    ended ? "UTC_TIMESTAMP(6)" : "COALESCE(start_date, UTC_TIMESTAMP(6))",
		    ended ? "UTC_TIMESTAMP(6)" : "end_date", iv);
		q[0] = db_int(n);
		q[1] = db_int(c->id);
		return db_query(db, a, sql, q, 2, NULL) < 0 ? -1 : 0;
	}
	if (!strcmp(c->action, "suspend")) {
		struct db_param q[1] = { db_int(c->id) };

		if (strcmp(status, "active") != 0) {
			ferr_add(c->fe, "status", arena_printf(a,
			    "Only an active subscription can be suspended; this one is %s.", status));
			return CORE_CONFLICT;
		}
		c->job = "suspend";
		return db_query(db, a, "UPDATE subscriptions SET status = 'suspended' WHERE id = ?",
		    q, 1, NULL) < 0 ? -1 : 0;
	}
	if (!strcmp(c->action, "cancel")) {
		struct db_param q[1] = { db_int(c->id) };

		if (!strcmp(status, "cancelled")) {
			ferr_add(c->fe, "status", "The subscription is already cancelled.");
			return CORE_CONFLICT;
		}
		c->job = "remove";
		return db_query(db, a, "UPDATE subscriptions SET status = 'cancelled', "
		    "end_date = LEAST(COALESCE(end_date, UTC_TIMESTAMP(6)), UTC_TIMESTAMP(6)) WHERE id = ?",
		    q, 1, NULL) < 0 ? -1 : 0;
	}
	if (!strcmp(c->action, "reset-data")) {
		struct db_param q[1] = { db_int(c->id) };

		return db_query(db, a, "UPDATE subscriptions SET data_used = 0, "
		    "data_reset_date = UTC_TIMESTAMP(6) WHERE id = ?", q, 1, NULL) < 0 ? -1 : 0;
	}
	ferr_add(c->fe, "action", "Unknown action.");
	return CORE_INVALID;
}

static int
action_and_job(struct db *db, void *vctx)
{
	struct action_ctx *c = vctx;
	int rc = action_tx(db, vctx);

	if (rc != 0)
		return rc;
	if (c->job && enqueue_for(db, c->a, c->who->tenant_id, c->id, c->job) != CORE_OK)
		return -1;
	return 0;
}

int
subs_action_in_tx(struct db *db, struct arena *a, const struct actor *who, long long id,
    const char *action, struct ferrs *fe, const char **job)
{
	struct action_ctx c = { a, who, id, action, fe, NULL };
	int rc = action_and_job(db, &c);

	if (job)
		*job = c.job;
	return rc;
}

int
subs_action(struct db *db, struct arena *a, const struct actor *who, long long id,
    const char *action, struct ferrs *fe)
{
	struct action_ctx c = { a, who, id, action, fe, NULL };
	int rc = db_tx(db, 3, action_and_job, &c);

	if (rc < 0)
		return CORE_DB;
	if (rc != CORE_OK)
		return rc;
	audit(db, a, who, action, "subscription", id, NULL);
	if (c.job) {
		/* best effort now; `ispbill sweep` retries what the router did not confirm */
		struct prov_jobs ran;

		prov_jobs_run(db, NULL, id, 0, db->cfg ? db->cfg->router_timeout_ms : 10000, 0, &ran);
	}
	return CORE_OK;
}
