/* summaries.c - checking and rebuilding the kept figures of
 * sql/007_summaries.sql.  A check copies the kept rows, recomputes them with
 * isp_rebuild_summaries() inside a transaction, compares both ways and
 * rolls back.  Both reads lock what they read (InnoDB's INSERT ... SELECT),
 * so writers of the tenant wait for the check, and the comparison is exact
 * even while payments arrive. */
#include "config.h"

#include <stdio.h>

#include "core/core.h"
#include "core/summaries.h"
#include "util/arena.h"

/* Each summary table, the columns that identify a row and the rest.  A row
 * whose figures are all zero is the same as no row: the triggers keep
 * emptied rows, a rebuild makes none. */
static const struct kept {
	const char *table, *key, *figures, *nonzero;
} kept[] = {
	{ "customer_stats", "customer_id", "subs_count, active_subs_count, monthly_bill, "
	  "cur_plan_id, cur_router_id, cur_expiry, paid_count, paid_total",
	  "subs_count <> 0 OR paid_count <> 0 OR paid_total <> 0" },
	{ "stat_customers", "status", "n", "n <> 0" },
	{ "stat_counts", "name", "n", "n <> 0" },
	{ "stat_created", "entity, day", "n", "n <> 0" },
	{ "stat_subs", "status, plan_id", "n", "n <> 0" },
	{ "stat_pay_mix", "status, payment_method, plan_id", "n, amount", "n <> 0 OR amount <> 0" },
	{ "stat_pay_day", "day, status", "n, amount", "n <> 0 OR amount <> 0" },
	{ "stat_pay_plan_day", "day, plan_id", "n, amount", "n <> 0 OR amount <> 0" },
	{ "stat_inv", "status", "n, total, paid", "n <> 0 OR total <> 0 OR paid <> 0" },
	{ "stat_inv_day", "day, status", "n, total", "n <> 0 OR total <> 0" },
	{ "routers", "id", "data_used_total", "data_used_total <> 0" },
};
#define NKEPT (sizeof(kept) / sizeof(kept[0]))

int
summaries_check(struct db *db, long long tenant, int *ndiff, struct buf *report)
{
	struct arena a;
	int rc = CORE_DB;

	*ndiff = 0;
	arena_init(&a);
	if (db_exec(db, "SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ") < 0 ||
	    db_exec(db, "START TRANSACTION WITH CONSISTENT SNAPSHOT") < 0)
		goto out;
	for (size_t i = 0; i < NKEPT; i++) {
		const struct kept *k = &kept[i];

		if (db_exec(db, arena_printf(&a, "CREATE OR REPLACE TEMPORARY TABLE kept_%s AS "
		    "SELECT %s, %s FROM %s WHERE tenant_id = %lld AND (%s)", k->table, k->key,
		    k->figures, k->table, tenant, k->nonzero)) < 0)
			goto fail;
	}
	{
		char call[64];

		snprintf(call, sizeof(call), "CALL isp_rebuild_summaries(%lld)", tenant);
		if (db_exec(db, call) < 0)
			goto fail;
	}
	for (size_t i = 0; i < NKEPT; i++) {
		const struct kept *k = &kept[i];
		struct db_result r;
		const char *sql = arena_printf(&a,
		    "SELECT 'kept', x.* FROM (SELECT * FROM kept_%s EXCEPT SELECT %s, %s FROM %s "
		    "WHERE tenant_id = %lld AND (%s)) x UNION ALL "
		    "SELECT 'rows', y.* FROM (SELECT %s, %s FROM %s WHERE tenant_id = %lld AND (%s) "
		    "EXCEPT SELECT * FROM kept_%s) y LIMIT 20",
		    k->table, k->key, k->figures, k->table, tenant, k->nonzero,
		    k->key, k->figures, k->table, tenant, k->nonzero, k->table);

		if (db_query(db, &a, sql, NULL, 0, &r) < 0)
			goto fail;
		if (r.nrows == 0)
			continue;
		(*ndiff)++;
		for (unsigned j = 0; report && j < r.nrows; j++) {
			buf_printf(report, "%s: %s has", k->table, db_val(&r, j, 0));
			for (unsigned c = 1; c < r.ncols; c++)
				buf_printf(report, " %s", db_val(&r, j, c) ? db_val(&r, j, c) : "NULL");
			buf_puts(report, "\n");
		}
	}
	rc = CORE_OK;
fail:
	db_rollback(db);
	for (size_t i = 0; i < NKEPT; i++) {
		char sql[128];

		snprintf(sql, sizeof(sql), "DROP TEMPORARY TABLE IF EXISTS kept_%s", kept[i].table);
		db_exec(db, sql);
	}
out:
	arena_free(&a);
	return rc;
}

int
summaries_rebuild(struct db *db, long long tenant)
{
	char call[64];

	snprintf(call, sizeof(call), "CALL isp_rebuild_summaries(%lld)", tenant);
	if (db_begin(db) < 0)
		return CORE_DB;
	if (db_exec(db, call) < 0) {
		db_rollback(db);
		return CORE_DB;
	}
	return db_commit(db) < 0 ? CORE_DB : CORE_OK;
}
