/* sweep.c - what `ispbill sweep` does every minute. */
#include "config.h"
#include "core/sweep.h"
#include "core/core.h"
#include "core/throttle.h"
#include "db/db.h"
#include "util/arena.h"

#include <string.h>

static int
del(struct db *db, struct arena *a, const char *sql, long long *n)
{
	struct db_result r;

	if (db_query(db, a, sql, NULL, 0, &r) < 0)
		return -1;
	*n = (long long)r.affected;
	return 0;
}

int
sweep_identity(struct db *db, struct sweep_counts *out)
{
	struct arena a;
	int rc = CORE_DB;

	memset(out, 0, sizeof(*out));
	arena_init(&a);
	if (del(db, &a, "DELETE FROM login_attempts WHERE created_at < UTC_TIMESTAMP(6) - INTERVAL 1 DAY",
	    &out->login_attempts) < 0 ||
	    del(db, &a, "DELETE FROM rate_counters WHERE window_start < UTC_TIMESTAMP() - INTERVAL 2 HOUR",
	    &out->rate_counters) < 0 ||
	    del(db, &a, "DELETE FROM revoked_tokens WHERE expires_at < UTC_TIMESTAMP(6)",
	    &out->revoked_tokens) < 0 ||
	    del(db, &a, "DELETE FROM refresh_tokens WHERE expires_at < UTC_TIMESTAMP(6) "
	    "OR used_at < UTC_TIMESTAMP(6) - INTERVAL 30 DAY", &out->refresh_tokens) < 0 ||
	    del(db, &a, "DELETE FROM token_families WHERE (revoked_at < UTC_TIMESTAMP(6) - INTERVAL 30 DAY) "
	    "OR (created_at < UTC_TIMESTAMP(6) - INTERVAL 31 DAY AND NOT EXISTS (SELECT 1 FROM "
	    "refresh_tokens rt WHERE rt.family = token_families.family))", &out->families) < 0)
		goto out;
	rc = CORE_OK;
out:
	arena_free(&a);
	return rc;
}
