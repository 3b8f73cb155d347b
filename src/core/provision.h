/* provision.h - live router operations and provisioning: open a session to
 * a router record (password unsealed, plain or api-ssl, the configured
 * timeouts), the operations the dialects show (test, resource, menus,
 * traffic, ping), plan sync, the router_jobs queue (claimed with a lease,
 * run with backoff until the router confirms), expiry and drift.
 *
 * Results are core_rc, or PROV_ROUTER when the router failed: the
 * library's error is then in the session (p->err) or in *rerr.  No
 * database transaction is ever held open across a router call. */
#ifndef ISP_PROVISION_H
#define ISP_PROVISION_H

#include <yajl/yajl_tree.h>

#include "core/core.h"
#include "lib/routeros/routeros.h"

struct db;
struct arena;
struct config;

#define PROV_ROUTER 100         /* the router failed; see the ros_error */

struct prov {
	struct ros_conn *c;
	struct ros_error err;
	long long router_id, tenant_id;
	const char *name;           /* the record's name */
	const char *host;
	int port, use_tls;
	long long opened_ms;        /* connect + login took this long */
};

/* Open a session to router id of tenant (tenant 0: any, for the sweep).
 * extra_ms widens the call timeout (a ping of N probes).  CORE_OK,
 * CORE_NOT_FOUND, CORE_DB or PROV_ROUTER (p->err set).  Close it with
 * prov_close whatever it returned. */
int  prov_open(struct db *db, struct arena *a, const struct config *cfg, long long tenant,
    long long id, int extra_ms, struct prov *p);
/* What prov_open connects with, without connecting: the record read into p
 * (p->c stays NULL) and the options (password unsealed, timeouts) into o,
 * whose strings live in a.  For a caller that connects elsewhere (the
 * monitor's helper thread).  CORE_OK, CORE_NOT_FOUND, CORE_DB or
 * PROV_ROUTER (the password cannot be unsealed; p->err set). */
int  prov_target(struct db *db, struct arena *a, long long tenant, long long id, int extra_ms,
    struct prov *p, struct ros_opts *o);
void prov_close(struct prov *p);
/* 1 when err means the router did not answer (refused, timed out). */
int  prov_unreachable(const struct ros_error *err);

/* test-connection: identity and resource; the record's status and
 * last_seen follow the answer (online, or offline when it fails). */
struct prov_test {
	char identity[128];
	struct ros_resource res;
	long long response_ms;
};
int prov_test(struct db *db, struct arena *a, const struct config *cfg, long long tenant,
    long long id, struct prov_test *out, struct ros_error *rerr);

/* Run one command and gather its replies (res: free it). */
int prov_cmd(struct prov *p, const char *const *words, size_t n, struct ros_result *res);
/* print a menu (proplist may be NULL) */
int prov_print(struct prov *p, const char *menu, const char *proplist, struct ros_result *res);
/* Router-side CRUD by name: add (a duplicate is the router's trap), set the
 * entry named name, remove it (CORE_NOT_FOUND when absent). */
int prov_add(struct prov *p, const char *menu, const struct ros_kv *kv, size_t n);
int prov_set(struct prov *p, const char *menu, const char *name, const struct ros_kv *kv,
    size_t n);
int prov_remove(struct prov *p, const char *menu, const char *name);

/* Every active plan of the tenant as a hotspot user profile (hotspot
 * plans) or PPP profile (the others) on the router, rate-limit from its
 * speeds.  *synced: how many. */
int prov_sync_plans(struct db *db, struct arena *a, struct prov *p, long long *synced);

/* ---- router jobs ---- */

struct prov_jobs {
	long long claimed, done, failed;    /* failed: will be retried later */
};
/* Claim (FOR UPDATE SKIP LOCKED, a lease) and run due jobs: of one
 * subscription when sub_id > 0, of one router when router_id > 0, else
 * of any.  The timeouts come from db->cfg (cfg may be NULL).  Stops claiming after
 * budget_ms (0: no limit) or max jobs (0: no limit). */
int prov_jobs_run(struct db *db, const struct config *cfg, long long sub_id,
    long long router_id, int budget_ms, long long max, struct prov_jobs *out);
/* status active and end_date passed -> expired, with a "remove" job each. */
int prov_expire_due(struct db *db, long long *expired);

/* ---- drift ---- */

enum prov_drift_kind { DRIFT_MISSING, DRIFT_DISABLED, DRIFT_ENABLED, DRIFT_EXTRA };
struct prov_drift_item {
	enum prov_drift_kind kind;
	const char *username, *menu;
	long long subscription_id;  /* 0 for an extra entry */
};
struct prov_drift {
	struct prov_drift_item *items;
	size_t n;
	long long expected, present;
};
const char *prov_drift_kind_str(enum prov_drift_kind k);
/* What the database says should be on the router vs what is there. */
int prov_drift(struct db *db, struct arena *a, struct prov *p, struct prov_drift *out);
/* Queue the jobs that fix it and run them now; *queued jobs queued. */
int prov_drift_repair(struct db *db, struct arena *a, const struct config *cfg, struct prov *p,
    const struct prov_drift *d, long long *queued, struct prov_jobs *ran);

/* ---- PPPoE callbacks ---- */

/* Record an up/down event of the router whose callback_key is key.
 * CORE_NOT_FOUND for an unknown key; *router_id set. */
int prov_pppoe_event(struct db *db, struct arena *a, const char *key, const char *event,
    const char *user, const char *caller_id, const char *address, const char *iface,
    long long *router_id, long long *event_id);

#endif
