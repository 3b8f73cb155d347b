/* access.c - the monitor's handshake: which stream a path names, who the
 * credential is (X-Client-Key, Bearer access token or a one-time ticket,
 * checked by the same core code as the HTTP API), routers.view, and the
 * router and customer looked up in the caller's tenant (a reseller: its
 * own customers).  Anything not the caller's is 404, as in the API. */
#include "config.h"
#include "monitor/monitor.h"
#include "core/apiclients.h"
#include "core/core.h"
#include "core/mikrobill_support.h"
#include "core/rbac.h"
#include "core/streamtickets.h"
#include "core/tokens.h"
#include "core/users.h"
#include "db/db.h"
#include "util/arena.h"
#include "util/conf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PERM_STREAMS "routers.view"

/* the next path segment after *p into out; 0, or -1 when empty or too long */
static int
segment(const char **p, char *out, size_t n)
{
	const char *s = *p, *e = strchr(s, '/');
	size_t len = e ? (size_t)(e - s) : strlen(s);

	if (len == 0 || len >= n)
		return -1;
	memcpy(out, s, len);
	out[len] = '\0';
	*p = s + len;
	return 0;
}

/* rest equals tail, with or without a trailing slash (native) */
static int
tail_is(const char *rest, const char *tail, int slash_ok)
{
	size_t n = strlen(tail);

	if (strncmp(rest, tail, n) != 0)
		return 0;
	return rest[n] == '\0' || (slash_ok && rest[n] == '/' && rest[n + 1] == '\0');
}

int
mon_parse_path(const char *path, struct mon_target *t, int *mikrobill)
{
	static const char mb_iface[] = "/v1/internal/monitor/traffic/";
	static const char mb_cust[] = "/v1/internal/customer/";
	static const char nv_router[] = "/api/network/routers/";
	static const char nv_cust[] = "/api/customers/";
	char id[64];
	const char *p;

	memset(t, 0, sizeof(*t));
	*mikrobill = 0;
	if (!strncmp(path, mb_iface, sizeof(mb_iface) - 1)) {
		p = path + sizeof(mb_iface) - 1;
		if (segment(&p, t->iface, sizeof(t->iface)) < 0 || *p != '\0')
			return -1;
		t->kind = MON_IFACE;
		*mikrobill = 1;
		return 0;
	}
	if (!strncmp(path, nv_router, sizeof(nv_router) - 1)) {
		p = path + sizeof(nv_router) - 1;
		if (segment(&p, id, sizeof(id)) < 0 || strncmp(p, "/interfaces/", 12) != 0)
			return -1;
		p += 12;
		if (segment(&p, t->iface, sizeof(t->iface)) < 0 || !tail_is(p, "/stream", 1))
			return -1;
		t->kind = MON_IFACE;
		t->router_id = strspn(id, "0123456789") == strlen(id) && strlen(id) < 18 ?
		    atoll(id) : -1;
		return 0;
	}
	if (!strncmp(path, mb_cust, sizeof(mb_cust) - 1))
		*mikrobill = 1;
	else if (strncmp(path, nv_cust, sizeof(nv_cust) - 1) != 0)
		return -1;
	p = path + (*mikrobill ? sizeof(mb_cust) : sizeof(nv_cust)) - 1;
	if (segment(&p, id, sizeof(id)) < 0)
		return -1;
	if (tail_is(p, "/traffic/stream", !*mikrobill))
		t->kind = MON_CUST_TRAFFIC;
	else if (tail_is(p, "/ping/stream", !*mikrobill))
		t->kind = MON_PING;
	else
		return -1;
	/* the id (or, for 004, the uuid) is looked up in mon_access */
	snprintf(t->user, sizeof(t->user), "%s", id);
	return 0;
}

static void
as_client(struct actor *who, const struct api_client *cl, const char **scopes)
{
	who->client_id = cl->id;
	who->tenant_id = cl->tenant_id;
	who->name = cl->name;
	who->user_type = "api_client";
	*scopes = cl->scopes;
}

static void
as_user(struct actor *who, const struct user *u)
{
	who->user_id = u->id;
	who->tenant_id = u->tenant_id;
	who->name = u->username;
	who->user_type = u->user_type;
	who->is_superuser = u->is_superuser;
}

/* who the credential is (and what to check again later): 0, or 401/503 */
static int
who_is(struct db *db, struct arena *a, const struct config *cfg, const struct mon_cred *cr,
    struct actor *who, const char **scopes, struct mon_who *kept, const char **msg)
{
	int rc;

	memset(who, 0, sizeof(*who));
	memset(kept, 0, sizeof(*kept));
	*scopes = NULL;
	if (cr->client_key && *cr->client_key) {
		struct api_client cl;

		if ((rc = clients_authenticate(db, a, cr->client_key, &cl)) == CORE_OK)
			as_client(who, &cl, scopes);
		*msg = "invalid client key";
	} else if (cr->bearer && *cr->bearer) {
		struct token_claims c;
		struct user u;
		const char *versions;

		if ((rc = tokens_check(db, a, cfg->jwt_secret, cr->bearer, &c, &u, &versions)) ==
		    CORE_OK) {
			as_user(who, &u);
			snprintf(kept->jti, sizeof(kept->jti), "%s", c.jti);
			snprintf(kept->fam, sizeof(kept->fam), "%s", c.fam);
		}
		*msg = "invalid or expired token";
	} else if (cr->ticket && *cr->ticket) {
		rc = st_redeem(db, a, cr->ticket, who, scopes);
		*msg = "invalid, used or expired ticket";
	} else {
		*msg = "credentials were not provided (X-Client-Key, Authorization: Bearer or "
		    "?ticket=)";
		return 401;
	}
	if (rc == CORE_DB) {
		*msg = "database unavailable";
		return 503;
	}
	kept->user_id = who->user_id;
	kept->client_id = who->client_id;
	kept->tenant_id = who->tenant_id;
	return rc == CORE_OK ? 0 : 401;
}

int
mon_recheck(struct db *db, struct arena *a, const struct config *cfg, const struct mon_who *k)
{
	struct actor who;
	const char *scopes = NULL;
	int rc, live = 1;

	(void)cfg;
	memset(&who, 0, sizeof(who));
	if (k->client_id) {
		struct api_client cl;

		if ((rc = clients_get_active(db, a, k->client_id, &cl)) == CORE_OK)
			as_client(&who, &cl, &scopes);
	} else {
		struct user u;
		const char *versions;

		rc = k->jti[0] ? users_get_for_token(db, a, k->user_id, k->jti, k->fam, &u, &live,
		    &versions) : users_get(db, a, k->user_id, &u);
		if (rc == CORE_OK && u.is_active && live)
			as_user(&who, &u);
		else if (rc == CORE_OK)
			rc = CORE_BAD_LOGIN;
	}
	if (rc == CORE_DB)
		return 503;
	if (rc != CORE_OK || who.tenant_id != k->tenant_id)
		return 401;
	rc = rbac_actor_has(db, a, &who, scopes, PERM_STREAMS);
	return rc < 0 ? 503 : rc == 0 ? 403 : 0;
}

static int
router_of_tenant(struct db *db, struct arena *a, long long tenant, long long id)
{
	struct db_param p[2] = { db_int(id), db_int(tenant) };
	struct db_result r;

	if (db_query(db, a, "SELECT id FROM routers WHERE id = ? AND tenant_id = ? "
	    "AND deleted_at IS NULL", p, 2, &r) < 0)
		return CORE_DB;
	return r.nrows ? CORE_OK : CORE_NOT_FOUND;
}

/* the customer (id or uuid) in who's reach and its newest service, the
 * active one first */
static int
customer_service(struct db *db, struct arena *a, const struct actor *who, const char *ref,
    struct mon_target *t, const char **msg)
{
	struct db_param p[3];
	struct db_result r;
	const char *acc, *ip;
	long long id = strspn(ref, "0123456789") == strlen(ref) && strlen(ref) < 18 ?
	    atoll(ref) : 0;

	p[0] = db_int(id);
	p[1] = db_str(ref);
	p[2] = db_int(who->tenant_id);
	if (db_query(db, a, "SELECT id, owner_id FROM customers WHERE (id = ? OR uuid = ?) "
	    "AND tenant_id = ? AND deleted_at IS NULL", p, 3, &r) < 0)
		return CORE_DB;
	*msg = "customer not found";
	if (r.nrows == 0 || (rbac_is_reseller(who) && db_val_int(&r, 0, 1, 0) != who->user_id))
		return CORE_NOT_FOUND;
	t->customer_id = db_val_int(&r, 0, 0, 0);
	p[0] = db_int(t->customer_id);
	p[1] = db_int(who->tenant_id);
	if (db_query(db, a, "SELECT router_id, username, access_method, static_ip "
	    "FROM subscriptions WHERE customer_id = ? AND tenant_id = ? "
	    "ORDER BY status = 'active' DESC, id DESC LIMIT 1", p, 2, &r) < 0)
		return CORE_DB;
	*msg = "the customer has no service";
	if (r.nrows == 0)
		return CORE_NOT_FOUND;
	t->router_id = db_val_int(&r, 0, 0, 0);
	snprintf(t->user, sizeof(t->user), "%s", db_val(&r, 0, 1) ? db_val(&r, 0, 1) : "");
	acc = db_val(&r, 0, 2);
	ip = db_val(&r, 0, 3);
	t->access = acc && !strcmp(acc, "hotspot") ? MON_ACC_HOTSPOT :
	    acc && !strcmp(acc, "pppoe") ? MON_ACC_PPPOE : MON_ACC_STATIC;
	snprintf(t->address, sizeof(t->address), "%s", ip ? ip : "");
	if (t->kind == MON_CUST_TRAFFIC && t->access == MON_ACC_STATIC) {
		*msg = "no per-customer traffic for a static or DHCP service";
		return CORE_NOT_FOUND;
	}
	if (t->kind == MON_PING && t->access == MON_ACC_STATIC && !t->address[0]) {
		*msg = "the customer's service has no address";
		return CORE_NOT_FOUND;
	}
	return CORE_OK;
}

int
mon_access(struct db *db, struct arena *a, const struct config *cfg,
    const struct mon_cred *cr, int mikrobill, struct mon_target *t, struct mon_who *kept,
    const char **msg)
{
	struct actor who;
	const char *scopes;
	int st, rc;

	if ((st = who_is(db, a, cfg, cr, &who, &scopes, kept, msg)) != 0)
		return st;
	if ((rc = rbac_actor_has(db, a, &who, scopes, PERM_STREAMS)) < 0) {
		*msg = "database unavailable";
		return 503;
	}
	if (rc == 0) {
		*msg = "permission routers.view is required";
		return 403;
	}
	t->tenant_id = who.tenant_id;
	if (t->kind != MON_IFACE) {
		char ref[sizeof(t->user)];

		memcpy(ref, t->user, sizeof(ref));
		t->user[0] = '\0';
		rc = customer_service(db, a, &who, ref, t, msg);
	} else if (mikrobill && cr->router_id && *cr->router_id) {
		const char *r = cr->router_id;

		t->router_id = strspn(r, "0123456789") == strlen(r) && strlen(r) < 18 ? atoll(r) : -1;
		rc = CORE_OK;
	} else if (mikrobill) {
		rc = mb_active_router(db, a, &who, &t->router_id);
		*msg = "no MikroTik device";
	} else {
		rc = CORE_OK;
	}
	if (rc == CORE_OK && t->router_id <= 0 && t->kind != MON_IFACE)
		rc = mb_active_router(db, a, &who, &t->router_id);
	if (rc == CORE_OK) {
		rc = t->router_id > 0 ? router_of_tenant(db, a, who.tenant_id, t->router_id) :
		    CORE_NOT_FOUND;
		*msg = "router not found";
	}
	if (rc == CORE_DB) {
		*msg = "database unavailable";
		return 503;
	}
	return rc == CORE_OK ? 0 : 404;
}
