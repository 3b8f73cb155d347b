/* throttle.c - limits kept in MariaDB (see throttle.h). */
#include "config.h"
#include "core/throttle.h"
#include "core/core.h"
#include "db/db.h"
#include "util/arena.h"

#include <time.h>

int
throttle_login_state(struct db *db, struct arena *a, const char *login, const char *ip,
    long *fails, long *reset)
{
	struct db_param p[6] = {
		db_int(LOGIN_FAIL_WINDOW), db_str(login), db_int(LOGIN_FAIL_WINDOW),
		db_int(LOGIN_FAIL_WINDOW), db_str(ip), db_int(LOGIN_FAIL_WINDOW),
	};
	struct db_result r;

	/* for each key: failures in the window, and seconds until the oldest
	 * of them leaves it */
	if (db_query(db, a,
	    "SELECT COUNT(*), COALESCE(? - TIMESTAMPDIFF(SECOND, MIN(created_at), UTC_TIMESTAMP(6)), 0) "
	    "FROM login_attempts WHERE login = ? AND created_at > UTC_TIMESTAMP(6) - INTERVAL ? SECOND "
	    "UNION ALL "
	    "SELECT COUNT(*), COALESCE(? - TIMESTAMPDIFF(SECOND, MIN(created_at), UTC_TIMESTAMP(6)), 0) "
	    "FROM login_attempts WHERE ip = ? AND created_at > UTC_TIMESTAMP(6) - INTERVAL ? SECOND",
	    p, 6, &r) < 0)
		return CORE_DB;
	*fails = 0;
	*reset = 0;
	for (unsigned i = 0; i < r.nrows; i++) {
		long n = (long)db_val_int(&r, i, 0, 0);

		if (n > *fails)
			*fails = n;
	}
	/* the key that limits: the most failures, or any over the limit */
	for (unsigned i = 0; i < r.nrows; i++) {
		long n = (long)db_val_int(&r, i, 0, 0);
		long ra = (long)db_val_int(&r, i, 1, LOGIN_FAIL_WINDOW);

		if (n == 0 || (n < *fails && n < LOGIN_FAIL_LIMIT))
			continue;
		if (ra < 1)
			ra = 1;
		if (ra > *reset)
			*reset = ra;
	}
	return CORE_OK;
}

int
throttle_login_check(struct db *db, struct arena *a, const char *login, const char *ip,
    long *retry_after)
{
	long fails;
	int rc = throttle_login_state(db, a, login, ip, &fails, retry_after);

	if (rc != CORE_OK)
		return rc;
	if (fails < LOGIN_FAIL_LIMIT)
		*retry_after = 0;
	return *retry_after ? CORE_THROTTLED : CORE_OK;
}

int
throttle_login_failed(struct db *db, struct arena *a, const char *login, const char *ip)
{
	struct db_param p[2] = { db_str(login), db_str(ip) };

	return db_query(db, a, "INSERT INTO login_attempts (login, ip) VALUES (?, ?)", p, 2, NULL) < 0
	    ? CORE_DB : CORE_OK;
}

int
throttle_hit(struct db *db, struct arena *a, const char *bucket, long window,
    long *count, long *reset)
{
	time_t now = time(NULL), start = now - now % window;
	struct db_param p[2] = { db_str(bucket), db_int((long long)start) };
	struct db_result r;

	/* one round trip: the new count comes back as LAST_INSERT_ID */
	if (db_query(db, a, "INSERT INTO rate_counters (bucket, window_start, hits) "
	    "VALUES (?, FROM_UNIXTIME(?), 1) "
	    "ON DUPLICATE KEY UPDATE hits = LAST_INSERT_ID(hits + 1)", p, 2, &r) < 0)
		return CORE_DB;
	*count = r.insert_id ? (long)r.insert_id : 1;
	*reset = (long)(start + window - now);
	return CORE_OK;
}
