/* sweep.h - what `ispbill sweep` does every minute (cron or a systemd timer). */
#ifndef ISP_SWEEP_H
#define ISP_SWEEP_H

struct db;

struct sweep_counts {
	long long login_attempts, rate_counters, revoked_tokens, refresh_tokens, families;
};

/* Forget what no longer matters: failed logins past their window, old rate
 * windows, revocations of tokens that have expired anyway, used or expired
 * refresh tokens and ended logins after 30 days.  0 or CORE_DB. */
int sweep_identity(struct db *db, struct sweep_counts *out);

#endif
