/* throttle.h - limits kept in MariaDB so that they hold across workers and
 * hosts: failed logins (per login id and per address), requests per user,
 * password changes. */
#ifndef ISP_THROTTLE_H
#define ISP_THROTTLE_H

struct db;
struct arena;

#define LOGIN_FAIL_LIMIT   5
#define LOGIN_FAIL_WINDOW  900      /* seconds */
#define USER_REQ_LIMIT     1000     /* per hour */
#define PASSWORD_CHANGE_LIMIT 3     /* per hour */

/* 0 when a login may be tried; CORE_THROTTLED with *retry_after seconds
 * when login or ip already failed LOGIN_FAIL_LIMIT times in the window. */
int throttle_login_check(struct db *db, struct arena *a, const char *login, const char *ip,
    long *retry_after);
/* How many logins failed in the window for the key that limits (the login
 * id or the address, whichever failed more), and the seconds until the
 * oldest of those leaves the window (0 when none failed).  0 or CORE_DB. */
int throttle_login_state(struct db *db, struct arena *a, const char *login, const char *ip,
    long *fails, long *reset);
int throttle_login_failed(struct db *db, struct arena *a, const char *login, const char *ip);

/* Count one event in bucket's current fixed window of window seconds.
 * *count is the count including this one, *reset the seconds until the
 * window ends.  0 or CORE_DB. */
int throttle_hit(struct db *db, struct arena *a, const char *bucket, long window,
    long *count, long *reset);

#endif
