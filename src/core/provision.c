/* provision.c - live router operations and provisioning: sessions to router
 * records, the operations behind the live endpoints, plan sync, the
 * router_jobs queue (claim with a lease, run, back off), expiry, drift and
 * PPPoE callbacks.  Never holds a transaction across a router call. */
#include "config.h"
#include "core/provision.h"
#include "core/billing.h"
#include "core/secrets.h"
#include "db/db.h"
#include "util/arena.h"
#include "util/conf.h"
#include "util/log.h"
#include "util/uuid.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define SUB_COMMENT "ispbill:sub="

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int
cfg_int(const struct db *db, int which)
{
	const struct config *c = db->cfg;

	if (which == 0)
		return c && c->router_connect_timeout_ms > 0 ? c->router_connect_timeout_ms : 3000;
	return c && c->router_timeout_ms > 0 ? c->router_timeout_ms : 10000;
}

/* ---- sessions ---- */

int
prov_unreachable(const struct ros_error *err)
{
	return err->code == ROS_ECONNECT || err->code == ROS_ETIMEOUT;
}

int
prov_target(struct db *db, struct arena *a, long long tenant, long long id, int extra_ms,
    struct prov *p, struct ros_opts *o_)
{
	struct db_param q[3] = { db_int(id), db_int(tenant), db_int(tenant) };
	struct db_result r;
	struct ros_opts o;
	const char *sealed, *pw = "";

	memset(p, 0, sizeof(*p));
	p->err.category = -1;
	if (db_query(db, a, "SELECT id, tenant_id, name, host, api_port, use_tls, username, "
	    "password_enc FROM routers WHERE id = ? AND (tenant_id = ? OR ? = 0) "
	    "AND deleted_at IS NULL", q, 3, &r) < 0)
		return CORE_DB;
	if (r.nrows == 0)
		return CORE_NOT_FOUND;
	p->router_id = id;
	p->tenant_id = db_val_int(&r, 0, 1, 0);
	p->name = db_val(&r, 0, 2);
	p->host = db_val(&r, 0, 3);
	p->port = (int)db_val_int(&r, 0, 4, 8728);
	p->use_tls = (int)db_val_int(&r, 0, 5, 0);
	if ((sealed = db_val(&r, 0, 7)) != NULL && (pw = secret_open(a, sealed)) == NULL) {
		ros_fail(&p->err, ROS_ELOGIN, "the router's stored password cannot be unsealed "
		    "(secret_key changed?)");
		return PROV_ROUTER;
	}
	memset(&o, 0, sizeof(o));
	o.host = p->host;
	o.port = (unsigned short)p->port;
	o.user = db_val(&r, 0, 6);
	o.password = pw;
	if (p->use_tls) {
		const char *ca = db->cfg ? db->cfg->router_ca_file : NULL;

		o.tls = ca && *ca ? ROS_TLS_VERIFY : ROS_TLS_NOVERIFY;
		o.ca_file = ca && *ca ? ca : NULL;
	}
	o.connect_timeout_ms = cfg_int(db, 0);
	o.read_timeout_ms = cfg_int(db, 1) + extra_ms;
	o.call_timeout_ms = cfg_int(db, 1) + extra_ms;
	*o_ = o;
	return CORE_OK;
}

int
prov_open(struct db *db, struct arena *a, const struct config *cfg, long long tenant,
    long long id, int extra_ms, struct prov *p)
{
	struct ros_opts o;
	long long t0;
	int rc;

	(void)cfg;
	if ((rc = prov_target(db, a, tenant, id, extra_ms, p, &o)) != CORE_OK)
		return rc;
	t0 = now_ms();
	p->c = ros_connect(&o, &p->err);
	p->opened_ms = now_ms() - t0;
	return p->c ? CORE_OK : PROV_ROUTER;
}

void
prov_close(struct prov *p)
{
	if (p->c)
		ros_close(p->c);
	p->c = NULL;
}

/* a library result as ours */
static int
ros_rc(int rc)
{
	return rc == ROS_OK ? CORE_OK : rc == ROS_ENOTFOUND ? CORE_NOT_FOUND : PROV_ROUTER;
}

int
prov_test(struct db *db, struct arena *a, const struct config *cfg, long long tenant,
    long long id, struct prov_test *out, struct ros_error *rerr)
{
	struct prov p;
	struct db_param q[1] = { db_int(id) };
	long long t0 = now_ms();
	int rc;

	memset(out, 0, sizeof(*out));
	rc = prov_open(db, a, cfg, tenant, id, 0, &p);
	if (rc == CORE_OK)
		rc = ros_rc(ros_system_identity(p.c, out->identity, sizeof(out->identity), &p.err));
	if (rc == CORE_OK)
		rc = ros_rc(ros_system_resource(p.c, &out->res, &p.err));
	out->response_ms = now_ms() - t0;
	*rerr = p.err;
	prov_close(&p);
	if (rc == CORE_OK) {
		if (db_query(db, a, "UPDATE routers SET status = IF(status = 'maintenance', status, "
		    "'online'), last_seen = UTC_TIMESTAMP(6) WHERE id = ?", q, 1, NULL) < 0)
			return CORE_DB;
	} else if (rc == PROV_ROUTER) {
		if (db_query(db, a, "UPDATE routers SET status = IF(status = 'maintenance', status, "
		    "'offline') WHERE id = ?", q, 1, NULL) < 0)
			return CORE_DB;
	}
	return rc;
}

int
prov_cmd(struct prov *p, const char *const *words, size_t n, struct ros_result *res)
{
	return ros_rc(ros_command(p->c, words, n, res, &p->err));
}

int
prov_print(struct prov *p, const char *menu, const char *proplist, struct ros_result *res)
{
	return ros_rc(ros_print(p->c, menu, NULL, 0, proplist, res, &p->err));
}

int
prov_add(struct prov *p, const char *menu, const struct ros_kv *kv, size_t n)
{
	return ros_rc(ros_add(p->c, menu, kv, n, NULL, 0, &p->err));
}

int
prov_set(struct prov *p, const char *menu, const char *name, const struct ros_kv *kv, size_t n)
{
	char id[64];
	int rc = ros_find_id(p->c, menu, "name", name, id, sizeof(id), &p->err);

	if (rc != ROS_OK)
		return ros_rc(rc);
	return ros_rc(ros_set(p->c, menu, id, kv, n, &p->err));
}

int
prov_remove(struct prov *p, const char *menu, const char *name)
{
	int absent = 0;
	int rc = ros_remove_by_name(p->c, menu, name, &absent, &p->err);

	if (rc == ROS_OK && absent)
		return CORE_NOT_FOUND;
	return ros_rc(rc);
}

/* ---- plans ---- */

static char
unit_letter(const char *unit)
{
	return unit && !strcmp(unit, "kbps") ? 'k' : unit && !strcmp(unit, "gbps") ? 'G' : 'M';
}

/* RouterOS rate-limit is rx/tx as the router sees it: the customer's
 * upload first, then the download. */
static const char *
rate_limit(struct arena *a, const char *down, const char *up, const char *unit)
{
	if (!down || !up || (!strcmp(down, "0") && !strcmp(up, "0")))
		return NULL;
	return arena_printf(a, "%s%c/%s%c", up, unit_letter(unit), down, unit_letter(unit));
}

int
prov_sync_plans(struct db *db, struct arena *a, struct prov *p, long long *synced)
{
	struct db_param q[1] = { db_int(p->tenant_id) };
	struct db_result r;

	*synced = 0;
	if (db_query(db, a, "SELECT COALESCE(router_profile, name), connection_type, "
	    "download_speed, upload_speed, speed_unit FROM plans WHERE tenant_id = ? "
	    "AND is_active = 1 AND deleted_at IS NULL AND connection_type IN ('hotspot', 'pppoe') "
	    "ORDER BY id", q, 1, &r) < 0)
		return CORE_DB;
	for (unsigned i = 0; i < r.nrows; i++) {
		struct ros_profile pr;
		int rc;

		memset(&pr, 0, sizeof(pr));
		pr.name = db_val(&r, i, 0);
		pr.rate_limit = rate_limit(a, db_val(&r, i, 2), db_val(&r, i, 3), db_val(&r, i, 4));
		if (!strcmp(db_val(&r, i, 1), "hotspot"))
			rc = ros_hotspot_profile_upsert(p->c, &pr, NULL, &p->err);
		else
			rc = ros_ppp_profile_upsert(p->c, &pr, NULL, &p->err);
		if (rc != ROS_OK)
			return PROV_ROUTER;
		(*synced)++;
	}
	return CORE_OK;
}

/* ---- jobs ---- */

struct job {
	long long id, router_id, sub_id, attempts;
	const char *action;
	const char *username, *method, *mac, *static_ip, *profile, *rate;
	const char *password;       /* the subscription's, unsealed, or NULL */
	long long remaining_s;      /* until end_date, -1 when none */
};

static const char *
pstr(yajl_val o, const char *key)
{
	const char *path[2] = { key, NULL };
	yajl_val v = yajl_tree_get(o, path, yajl_t_string);

	return v ? v->u.string : NULL;
}

/* the job row, its payload and what the subscription holds now */
static int
job_load(struct db *db, struct arena *a, long long id, struct job *j)
{
	struct db_param q[1] = { db_int(id) };
	struct db_result r;
	yajl_val pl;
	const char *rate;

	memset(j, 0, sizeof(*j));
	j->remaining_s = -1;
	if (db_query(db, a, "SELECT j.router_id, j.subscription_id, j.action, j.payload, j.attempts, "
	    "s.password_enc, IF(s.end_date IS NULL, -1, GREATEST(0, TIMESTAMPDIFF(SECOND, "
	    "UTC_TIMESTAMP(6), s.end_date))) FROM router_jobs j "
	    "LEFT JOIN subscriptions s ON s.id = j.subscription_id WHERE j.id = ?", q, 1, &r) < 0)
		return CORE_DB;
	if (r.nrows == 0)
		return CORE_NOT_FOUND;
	j->id = id;
	j->router_id = db_val_int(&r, 0, 0, 0);
	j->sub_id = db_val_int(&r, 0, 1, 0);
	j->action = db_val(&r, 0, 2);
	j->attempts = db_val_int(&r, 0, 4, 0);
	if (db_val(&r, 0, 5))
		j->password = secret_open(a, db_val(&r, 0, 5));
	if (db_val(&r, 0, 6))
		j->remaining_s = db_val_int(&r, 0, 6, -1);
	pl = db_val(&r, 0, 3) ? yajl_tree_parse(db_val(&r, 0, 3), NULL, 0) : NULL;
	if (pl) {
		j->username = arena_strdup(a, pstr(pl, "username") ? pstr(pl, "username") : "");
		j->method = arena_strdup(a, pstr(pl, "access_method") ? pstr(pl, "access_method") : "pppoe");
		j->mac = pstr(pl, "mac_address") ? arena_strdup(a, pstr(pl, "mac_address")) : NULL;
		j->static_ip = pstr(pl, "static_ip") ? arena_strdup(a, pstr(pl, "static_ip")) : NULL;
		j->profile = pstr(pl, "profile") ? arena_strdup(a, pstr(pl, "profile")) : NULL;
		/* the payload says download/upload; RouterOS wants upload/download */
		if ((rate = pstr(pl, "rate_limit")) != NULL && strchr(rate, '/'))
			j->rate = arena_printf(a, "%s/%.*s", strchr(rate, '/') + 1,
			    (int)(strchr(rate, '/') - rate), rate);
		yajl_tree_free(pl);
	}
	return CORE_OK;
}

/* ROS_ENOTFOUND (nothing to change) counts as done */
static int
absent_ok(int rc)
{
	return rc == ROS_ENOTFOUND ? ROS_OK : rc;
}

/* the router side of one job */
static int
job_apply(struct arena *a, struct prov *p, const struct job *j)
{
	int hotspot = !strcmp(j->method, "hotspot");
	int queue = !strcmp(j->method, "static_ip") || !strcmp(j->method, "dhcp");
	int add = !strcmp(j->action, "provision") || !strcmp(j->action, "update") ||
	    !strcmp(j->action, "resume");
	const char *menu = hotspot ? ROS_M_HOTSPOT_USER : queue ? ROS_M_QUEUE_SIMPLE : ROS_M_PPP_SECRET;
	const char *comment = j->sub_id ? arena_printf(a, SUB_COMMENT "%lld", j->sub_id) : NULL;
	struct ros_profile pr = { j->profile, j->rate, NULL, NULL, NULL, NULL };
	struct ros_error *e = &p->err;
	int rc = ROS_OK;

	if (!*j->username)
		return ros_fail(e, ROS_EINVAL, "the job names no user");
	if (add && queue) {
		struct ros_queue qu = { j->username, j->static_ip, j->rate, comment, 0 };

		if (!j->static_ip)
			return ros_fail(e, ROS_EINVAL, "a static_ip subscription without an address");
		return ros_queue_simple_upsert(p->c, &qu, NULL, e);
	}
	if (add && hotspot) {
		struct ros_hotspot_user u = { j->username, j->password, j->profile, NULL, NULL, NULL,
		    j->mac, comment, 0 };

		if (j->remaining_s > 0)
			u.limit_uptime = arena_printf(a, "%lld", j->remaining_s);
		if (j->profile && (rc = ros_hotspot_profile_upsert(p->c, &pr, NULL, e)) != ROS_OK)
			return rc;
		return ros_hotspot_user_upsert(p->c, &u, NULL, e);
	}
	if (add) {
		struct ros_ppp_secret s = { j->username, j->password, j->profile, "pppoe",
		    j->static_ip, comment, 0 };

		if (j->profile && (rc = ros_ppp_profile_upsert(p->c, &pr, NULL, e)) != ROS_OK)
			return rc;
		return ros_ppp_secret_upsert(p->c, &s, NULL, e);
	}
	if (!strcmp(j->action, "suspend"))
		rc = absent_ok(ros_set_disabled_by_name(p->c, menu, j->username, 1, e));
	else if (!strcmp(j->action, "remove"))
		rc = ros_remove_by_name(p->c, menu, j->username, NULL, e);
	if (rc != ROS_OK || queue)
		return rc;
	/* suspend, remove and kick end the live session too */
	return hotspot ? ros_hotspot_kick(p->c, j->username, NULL, e) :
	    ros_ppp_kick(p->c, j->username, NULL, e);
}

static const char *
lease_owner(struct arena *a)
{
	char host[64] = "", rnd[9];

	gethostname(host, sizeof(host) - 1);
	random_hex(rnd, 4);
	return arena_printf(a, "%.60s:%ld:%s", host, (long)getpid(), rnd);
}

/* Claim one job in a short transaction of its own: 1 claimed, 0 taken by
 * someone else or no longer due, -1 database error. */
static int
claim(struct db *db, struct arena *a, long long id, const char *owner, int lease_s)
{
	struct db_param q[1] = { db_int(id) };
	struct db_param u[3] = { db_str(owner), db_int(lease_s), db_int(id) };
	struct db_result r;

	if (db_begin(db) < 0)
		return -1;
	if (db_query(db, a, "SELECT id FROM router_jobs WHERE id = ? AND status IN ('pending', "
	    "'running') AND next_attempt_at <= UTC_TIMESTAMP(6) AND (lease_until IS NULL OR "
	    "lease_until < UTC_TIMESTAMP(6)) FOR UPDATE SKIP LOCKED", q, 1, &r) < 0)
		goto fail;
	if (r.nrows == 0) {
		db_rollback(db);
		return 0;
	}
	if (db_query(db, a, "UPDATE router_jobs SET status = 'running', lease_owner = ?, "
	    "lease_until = UTC_TIMESTAMP(6) + INTERVAL ? SECOND, attempts = attempts + 1 "
	    "WHERE id = ?", u, 3, NULL) < 0)
		goto fail;
	if (db_commit(db) < 0)
		return db_is_retryable(db->err) ? 0 : -1;
	return 1;
fail:
	db_rollback(db);
	return db_is_retryable(db->err) ? 0 : -1;
}

enum job_outcome { JOB_GIVE_UP = -1, JOB_RETRY = 0, JOB_DONE = 1 };

/* record the outcome, only while the lease is still ours: done; retried
 * later with backoff; or failed for good (no router to run it on: retrying
 * could never succeed, and it would hold the subscription's later jobs) */
static int
finish(struct db *db, struct arena *a, const struct job *j, const char *owner,
    enum job_outcome ok, const char *error)
{
	struct db_param d[2] = { db_int(j->id), db_str(owner) };
	struct db_param f[3] = { db_str(error), db_int(j->id), db_str(owner) };
	struct db_param s[2];
	const char *state;
	struct db_result r;

	if (ok == JOB_GIVE_UP)
		return db_query(db, a, "UPDATE router_jobs SET status = 'failed', lease_owner = NULL, "
		    "lease_until = NULL, last_error = LEFT(?, 500) WHERE id = ? AND lease_owner = ?",
		    f, 3, NULL) < 0 ? CORE_DB : CORE_OK;
	if (ok == JOB_RETRY)
		return db_query(db, a, "UPDATE router_jobs SET status = 'pending', lease_owner = NULL, "
		    "lease_until = NULL, last_error = LEFT(?, 500), next_attempt_at = UTC_TIMESTAMP(6) "
		    "+ INTERVAL LEAST(3600, 5 * POW(2, LEAST(attempts - 1, 10))) SECOND "
		    "WHERE id = ? AND lease_owner = ?", f, 3, NULL) < 0 ? CORE_DB : CORE_OK;
	if (db_query(db, a, "UPDATE router_jobs SET status = 'done', lease_owner = NULL, "
	    "lease_until = NULL, last_error = NULL WHERE id = ? AND lease_owner = ?", d, 2, &r) < 0)
		return CORE_DB;
	if (!j->sub_id || r.affected == 0)
		return CORE_OK;
	state = !strcmp(j->action, "remove") ? "removed" : !strcmp(j->action, "kick") ? NULL :
	    "provisioned";
	if (!state)
		return CORE_OK;
	s[0] = db_str(state);
	s[1] = db_int(j->sub_id);
	return db_query(db, a, "UPDATE subscriptions SET provision_state = ? WHERE id = ?", s, 2,
	    NULL) < 0 ? CORE_DB : CORE_OK;
}

static int
job_run(struct db *db, struct arena *a, long long id, const char *owner, struct prov_jobs *out)
{
	struct job j;
	struct prov p;
	char msg[400];
	int rc;

	if ((rc = job_load(db, a, id, &j)) != CORE_OK)
		return rc == CORE_NOT_FOUND ? CORE_OK : rc;
	if (j.router_id == 0) {
		out->failed++;
		return finish(db, a, &j, owner, JOB_GIVE_UP, "the subscription has no router");
	}
	rc = prov_open(db, a, NULL, 0, j.router_id, 0, &p);
	if (rc == CORE_OK)
		rc = job_apply(a, &p, &j) == ROS_OK ? CORE_OK : PROV_ROUTER;
	prov_close(&p);
	if (rc == CORE_DB)
		return rc;
	if (rc == CORE_OK) {
		out->done++;
		return finish(db, a, &j, owner, JOB_DONE, NULL);
	}
	if (rc == CORE_NOT_FOUND)
		snprintf(msg, sizeof(msg), "router %lld no longer exists", j.router_id);
	else
		ros_error_format(&p.err, msg, sizeof(msg));
	log_warn("router job %lld (%s %s on router %lld) failed: %s", j.id, j.action, j.username,
	    j.router_id, msg);
	out->failed++;
	return finish(db, a, &j, owner, rc == CORE_NOT_FOUND ? JOB_GIVE_UP : JOB_RETRY, msg);
}

int
prov_jobs_run(struct db *db, const struct config *cfg, long long sub_id, long long router_id,
    int budget_ms, long long max, struct prov_jobs *out)
{
	struct arena a;
	long long t0 = now_ms();
	int lease_s = (cfg_int(db, 0) + 3 * cfg_int(db, 1)) / 1000 + 30;
	const char *owner;
	int rc = CORE_OK, progress = 1;

	(void)cfg;
	memset(out, 0, sizeof(*out));
	arena_init(&a);
	owner = lease_owner(&a);
	while (progress && rc == CORE_OK) {
		/* the oldest unfinished job of each subscription, in order */
		struct db_param q[4] = { db_int(sub_id), db_int(sub_id), db_int(router_id),
		    db_int(router_id) };
		struct db_result r;

		progress = 0;
		if (db_query(db, &a, "SELECT j.id FROM router_jobs j WHERE j.status IN ('pending', "
		    "'running') AND j.next_attempt_at <= UTC_TIMESTAMP(6) AND (j.lease_until IS NULL "
		    "OR j.lease_until < UTC_TIMESTAMP(6)) AND (? = 0 OR j.subscription_id = ?) "
		    "AND (? = 0 OR j.router_id = ?) AND NOT EXISTS (SELECT 1 FROM router_jobs o "
		    "WHERE o.subscription_id = j.subscription_id AND o.id < j.id "
		    "AND o.status IN ('pending', 'running')) ORDER BY j.id LIMIT 50", q, 4, &r) < 0) {
			rc = CORE_DB;
			break;
		}
		for (unsigned i = 0; i < r.nrows && rc == CORE_OK; i++) {
			int c;

			if ((budget_ms > 0 && now_ms() - t0 >= budget_ms) ||
			    (max > 0 && out->claimed >= max))
				goto out;
			if ((c = claim(db, &a, db_val_int(&r, i, 0, 0), owner, lease_s)) < 0) {
				rc = CORE_DB;
				break;
			}
			if (c == 0)
				continue;
			out->claimed++;
			progress = 1;
			rc = job_run(db, &a, db_val_int(&r, i, 0, 0), owner, out);
		}
	}
out:
	arena_free(&a);
	return rc;
}

struct expire_ctx {
	struct arena *a;
	long long n;
};

static int
expire_tx(struct db *db, void *vctx)
{
	struct expire_ctx *c = vctx;
	struct db_result r;

	c->n = 0;
	if (db_query(db, c->a, "SELECT id, tenant_id FROM subscriptions WHERE status = 'active' "
	    "AND end_date < UTC_TIMESTAMP(6) ORDER BY id LIMIT 500 FOR UPDATE SKIP LOCKED",
	    NULL, 0, &r) < 0)
		return -1;
	for (unsigned i = 0; i < r.nrows; i++) {
		struct db_param q[1] = { db_int(db_val_int(&r, i, 0, 0)) };

		if (db_query(db, c->a, "UPDATE subscriptions SET status = 'expired' WHERE id = ?",
		    q, 1, NULL) < 0 ||
		    subs_enqueue_job(db, c->a, db_val_int(&r, i, 1, 0), db_val_int(&r, i, 0, 0),
		    "remove") != CORE_OK)
			return -1;
		c->n++;
	}
	return 0;
}

int
prov_expire_due(struct db *db, long long *expired)
{
	struct arena a;
	struct expire_ctx c;
	int rc;

	arena_init(&a);
	c.a = &a;
	*expired = 0;
	do {
		rc = db_tx(db, 3, expire_tx, &c);
		if (rc == 0)
			*expired += c.n;
	} while (rc == 0 && c.n == 500);
	arena_free(&a);
	return rc == 0 ? CORE_OK : CORE_DB;
}

/* ---- drift ---- */

const char *
prov_drift_kind_str(enum prov_drift_kind k)
{
	static const char *const names[] = { "missing", "should_be_disabled", "should_be_enabled",
	    "extra" };

	return names[k];
}

static const struct ros_item *
find_named(const struct ros_result *res, const char *name)
{
	for (size_t i = 0; i < res->nitems; i++) {
		const char *n = ros_item_str(&res->items[i], "name");

		if (n && !strcmp(n, name))
			return &res->items[i];
	}
	return NULL;
}

static void
drift_add(struct arena *a, struct prov_drift *d, enum prov_drift_kind k, const char *user,
    const char *menu, long long sub)
{
	struct prov_drift_item *n = arena_alloc(a, (d->n + 1) * sizeof(*n));

	if (d->n)
		memcpy(n, d->items, d->n * sizeof(*n));
	n[d->n].kind = k;
	n[d->n].username = arena_strdup(a, user);
	n[d->n].menu = menu;
	n[d->n].subscription_id = sub;
	d->items = n;
	d->n++;
}

int
prov_drift(struct db *db, struct arena *a, struct prov *p, struct prov_drift *out)
{
	static const struct { const char *method, *menu; } menus[] = {
		{ "hotspot", ROS_M_HOTSPOT_USER }, { "pppoe", ROS_M_PPP_SECRET },
	};
	struct db_param q[2] = { db_int(p->router_id), db_int(p->tenant_id) };
	struct db_result r;
	int rc = CORE_OK;

	memset(out, 0, sizeof(*out));
	if (db_query(db, a, "SELECT id, username, access_method, status FROM subscriptions "
	    "WHERE router_id = ? AND tenant_id = ? AND access_method IN ('hotspot', 'pppoe') "
	    "AND username IS NOT NULL AND (status IN ('active', 'suspended') OR "
	    "provision_state = 'provisioned') ORDER BY id", q, 2, &r) < 0)
		return CORE_DB;
	for (size_t m = 0; m < sizeof(menus) / sizeof(menus[0]) && rc == CORE_OK; m++) {
		struct ros_result res;

		if ((rc = prov_print(p, menus[m].menu, ".id,name,disabled,comment", &res)) != CORE_OK) {
			ros_result_free(&res);
			break;
		}
		out->present += (long long)res.nitems;
		for (unsigned i = 0; i < r.nrows; i++) {
			const char *user = db_val(&r, i, 1), *st = db_val(&r, i, 3);
			const struct ros_item *it;
			int want = !strcmp(st, "active") || !strcmp(st, "suspended");

			if (strcmp(db_val(&r, i, 2), menus[m].method) != 0)
				continue;
			it = find_named(&res, user);
			out->expected += want;
			if (want && !it)
				drift_add(a, out, DRIFT_MISSING, user, menus[m].menu, db_val_int(&r, i, 0, 0));
			else if (want && ros_item_bool(it, "disabled", 0) != !strcmp(st, "suspended"))
				drift_add(a, out, !strcmp(st, "suspended") ? DRIFT_DISABLED : DRIFT_ENABLED,
				    user, menus[m].menu, db_val_int(&r, i, 0, 0));
			else if (!want && it)
				drift_add(a, out, DRIFT_EXTRA, user, menus[m].menu, db_val_int(&r, i, 0, 0));
		}
		/* entries we made for subscriptions the database no longer has on this router */
		for (size_t i = 0; i < res.nitems; i++) {
			const char *cm = ros_item_str(&res.items[i], "comment");
			const char *name = ros_item_str(&res.items[i], "name");
			int known = 0;

			if (!cm || strncmp(cm, SUB_COMMENT, strlen(SUB_COMMENT)) != 0 || !name)
				continue;
			for (unsigned k = 0; k < r.nrows && !known; k++)
				known = !strcmp(db_val(&r, k, 1), name);
			if (!known)
				drift_add(a, out, DRIFT_EXTRA, name, menus[m].menu, 0);
		}
		ros_result_free(&res);
	}
	return rc;
}

int
prov_drift_repair(struct db *db, struct arena *a, const struct config *cfg, struct prov *p,
    const struct prov_drift *d, long long *queued, struct prov_jobs *ran)
{
	*queued = 0;
	memset(ran, 0, sizeof(*ran));
	for (size_t i = 0; i < d->n; i++) {
		const struct prov_drift_item *it = &d->items[i];
		const char *action = it->kind == DRIFT_MISSING || it->kind == DRIFT_ENABLED ?
		    "provision" : it->kind == DRIFT_DISABLED ? "suspend" : "remove";

		if (it->subscription_id) {
			if (subs_enqueue_job(db, a, p->tenant_id, it->subscription_id, action) != CORE_OK)
				return CORE_DB;
		} else {
			/* no subscription left: remove the entry by its name */
			const char *payload = arena_printf(a, "{\"username\":\"%s\",\"access_method\":"
			    "\"%s\"}", it->username, !strcmp(it->menu, ROS_M_HOTSPOT_USER) ? "hotspot" :
			    "pppoe");

			if (strpbrk(it->username, "\"\\") != NULL)
				continue;
			if (jobs_enqueue(db, a, p->tenant_id, p->router_id, 0, "remove", payload) != CORE_OK)
				return CORE_DB;
		}
		(*queued)++;
	}
	if (*queued == 0)
		return CORE_OK;
	return prov_jobs_run(db, cfg, 0, p->router_id, cfg_int(db, 1) * 2, 0, ran);
}

/* ---- PPPoE callbacks ---- */

int
prov_pppoe_event(struct db *db, struct arena *a, const char *key, const char *event,
    const char *user, const char *caller_id, const char *address, const char *iface,
    long long *router_id, long long *event_id)
{
	struct db_param q[1] = { db_str(key) };
	struct db_param ins[9];
	struct db_result r;

	if (!key || strlen(key) != 32)
		return CORE_NOT_FOUND;
	if (db_query(db, a, "SELECT id, tenant_id FROM routers WHERE callback_key = ? "
	    "AND deleted_at IS NULL", q, 1, &r) < 0)
		return CORE_DB;
	if (r.nrows == 0)
		return CORE_NOT_FOUND;
	*router_id = db_val_int(&r, 0, 0, 0);
	ins[0] = db_int(db_val_int(&r, 0, 1, 0));
	ins[1] = db_int(*router_id);
	ins[2] = db_str(event);
	ins[3] = db_str(user);
	ins[4] = db_str(caller_id);
	ins[5] = db_str(address);
	ins[6] = db_str(iface);
	ins[7] = ins[0];
	ins[8] = db_str(user);
	if (db_query(db, a, "INSERT INTO pppoe_sessions (tenant_id, router_id, event, username, "
	    "caller_id, address, interface, subscription_id) SELECT ?, ?, ?, ?, ?, ?, ?, "
	    "(SELECT s.id FROM subscriptions s WHERE s.tenant_id = ? AND s.username = ? LIMIT 1)",
	    ins, 9, &r) < 0)
		return CORE_DB;
	*event_id = (long long)r.insert_id;
	return CORE_OK;
}
