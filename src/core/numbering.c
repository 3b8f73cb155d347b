/* numbering.c - per-tenant document numbers without gaps. */
#include "config.h"
#include "core/numbering.h"
#include "db/db.h"
#include "util/arena.h"

#include <string.h>
#include <time.h>

const char *
number_next(struct db *db, struct arena *a, long long tenant, const char *kind)
{
	char period[8];
	struct db_result r;
	long long n;
	int monthly = strcmp(kind, "CUS") != 0;
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	if (monthly)
		strftime(period, sizeof(period), "%Y%m", &tm);
	else
		memcpy(period, "000000", 7);
	{
		/* the counter row stays locked until the caller's transaction ends,
		 * so concurrent creators queue and a rollback gives the number back */
		struct db_param p[3] = { db_int(tenant), db_str(kind), db_str(period) };

		if (db_query(db, a, "INSERT INTO number_counters (tenant_id, kind, period, last) "
		    "VALUES (?, ?, ?, 1) ON DUPLICATE KEY UPDATE last = LAST_INSERT_ID(last + 1)",
		    p, 3, &r) < 0)
			return NULL;
	}
	n = r.insert_id ? (long long)r.insert_id : 1;
	if (!monthly)
		return arena_printf(a, "CUST-%06lld", n);
	return arena_printf(a, "%s-%s-%04lld", kind, period, n);
}
