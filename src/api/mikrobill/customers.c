/* customers.c - mikrobill (004) customers and system profiles.  A customer
 * is the core's customer plus, when the body names a profile (plan), its
 * PPPoE service: a subscription provisioned on the device at once.  System
 * profiles are the core's plans, synchronised to the caller's active device
 * as PPP (or hotspot) profiles on every change. */
#include "config.h"
#include "api/mikrobill/mikrobill.h"
#include "api/native/native.h"
#include "core/audit.h"
#include "core/billing.h"
#include "core/mikrobill_support.h"
#include "core/provision.h"
#include "db/qcache.h"
#include "http/auth.h"
#include "json/json.h"
#include "util/log.h"

#include <arpa/inet.h>
#include <string.h>

#define JOB_BUDGET_MS 8000

/* ---- system profiles (plans) ---- */

/* best effort: the device may be down; the plan is saved either way and
 * native's sync-plans or the next change brings the device in line */
static void
sync_active(struct request *req, const char *removed, const char *menu)
{
	struct actor who;
	struct prov p;
	long long id, n = 0;
	int rc;

	auth_actor(req, &who);
	memset(&p, 0, sizeof(p));
	if (mb_active_router(req->db, &req->arena, &who, &id) != CORE_OK)
		return;
	rc = prov_open(req->db, &req->arena, req->cfg, who.tenant_id, id, 0, &p);
	if (rc == CORE_OK)
		rc = removed ? prov_remove(&p, menu, removed) : prov_sync_plans(req->db, &req->arena,
		    &p, &n);
	if (rc != CORE_OK && rc != CORE_NOT_FOUND)
		log_warn("mikrobill: profile sync to router %lld failed (%d)", id, rc);
	prov_close(&p);
}

static int
plan_write(struct request *req, struct ent_set *s, long long *id, int creating)
{
	struct actor who;
	int rc = plans_prepare(&req->arena, s, req->json, creating, &req->errs);

	if (rc != CORE_OK)
		return rc;
	auth_actor(req, &who);
	rc = creating ? ent_create(req->db, &req->arena, &ent_plan, who.tenant_id, s, id,
	    &req->errs) : ent_update(req->db, &req->arena, &ent_plan, who.tenant_id, *id, s,
	    &req->errs);
	if (rc != CORE_OK)
		return rc;
	audit(req->db, &req->arena, &who, creating ? "create" : "update", "plan", *id, NULL);
	sync_active(req, NULL, NULL);
	return CORE_OK;
}

static int plan_create(struct request *req, struct ent_set *s, long long *id)
{ return plan_write(req, s, id, 1); }
static int plan_update(struct request *req, long long id, struct ent_set *s)
{ return plan_write(req, s, &id, 0); }

static int
plan_remove(struct request *req, long long id)
{
	struct ent_row r;
	struct actor who;
	const char *prof, *type;
	int rc;

	auth_actor(req, &who);
	if ((rc = ent_get_id(req->db, &req->arena, &ent_plan, who.tenant_id, id, &r)) != CORE_OK)
		return rc;
	prof = ent_val(&ent_plan, &r, "router_profile");
	if (!prof || !*prof)
		prof = ent_val(&ent_plan, &r, "name");
	type = ent_val(&ent_plan, &r, "connection_type");
	if ((rc = plans_delete(req->db, &req->arena, &who, id, &req->errs)) != CORE_OK)
		return rc;
	sync_active(req, prof, type && !strcmp(type, "hotspot") ? ROS_M_HOTSPOT_PROFILE :
	    ROS_M_PPP_PROFILE);
	return CORE_OK;
}

const struct resource mb_plans = { &ent_plan, "plan", plan_create, plan_update, plan_remove };

/* ---- customers ---- */

static void
counts(struct request *req, yajl_gen g)
{
	static const char *const st[] = { "active", "inactive", "suspended", "expired", NULL };
	const struct field *f = ent_field(&ent_customer, "status");
	struct ent_query all;

	jw_key(g, "counts");
	jw_obj(g);
	memset(&all, 0, sizeof(all));
	res_customers.scope(req, &all);
	if (all.nconds == 0) {
		/* the whole tenant's: the kept figures (sql/007), not four counts
		 * over every customer after each change */
		struct db_param p[1] = { db_int(req->auth.tenant_id) };
		struct db_result r;

		if (db_query_kept(req->db, &req->arena, qcache_tag(&req->arena, "customers",
		    req->auth.versions), "SELECT status, SUM(n) FROM stat_customers WHERE "
		    "tenant_id = ? GROUP BY status", p, 1, &r) == 0) {
			for (int i = 0; st[i]; i++) {
				long long n = 0;

				for (unsigned j = 0; j < r.nrows; j++)
					if (!strcmp(db_val(&r, j, 0), st[i]))
						n = db_val_int(&r, j, 1, 0);
				jw_kint(g, st[i], n);
			}
			jw_obj_end(g);
			return;
		}
	}
	for (int i = 0; st[i]; i++) {
		struct ent_query q;
		struct ent_page out;

		memset(&q, 0, sizeof(q));
		q.limit = 1;
		q.versions = req->auth.versions;        /* counted once per change */
		res_customers.scope(req, &q);
		ent_query_filter(&q, f, st[i], &req->errs, &req->arena);
		jw_kint(g, st[i], ent_list(req->db, &req->arena, &ent_customer, req->auth.tenant_id,
		    &q, &out, &req->errs) == CORE_OK ? out.total : 0);
	}
	jw_obj_end(g);
}

int
mb_customer_list(struct request *req)
{
	struct ent_query q;
	struct page pg;

	memset(&q, 0, sizeof(q));
	if (mb_page(req, &q, &pg) < 0)
		return reply_error(req, ERR_VALIDATION, "Invalid query parameters.");
	res_query(req, &ent_customer, &q);
	res_customers.scope(req, &q);
	q.versions = req->auth.versions;
	return mb_reply_wrapped(req, &res_customers, &q, &pg, "customers", counts);
}

/* the customer's newest subscription (row in *sub), CORE_NOT_FOUND when none */
static int
service_of(struct request *req, long long customer, struct ent_row *sub)
{
	struct ent_query q;
	struct ent_page out;
	int rc;

	memset(&q, 0, sizeof(q));
	q.limit = 1;
	q.ordering = "-id";
	ent_query_cond(&q, "t.customer_id = ?", 1, db_int(customer), db_null());
	rc = ent_list(req->db, &req->arena, &ent_subscription, req->auth.tenant_id, &q, &out,
	    &req->errs);
	if (rc == CORE_OK && out.nrows == 0)
		rc = CORE_NOT_FOUND;
	if (rc == CORE_OK)
		*sub = out.rows[0];
	return rc;
}

static void
write_service(struct request *req, yajl_gen g, long long customer)
{
	static const char *const keep[] = {
		"id", "uuid", "plan_id", "plan_name", "router_id", "router_name", "username",
		"access_method", "static_ip", "status", "start_date", "end_date", "provision_state",
		"days_remaining", NULL,
	};
	const struct entity *e = &ent_subscription;
	struct ent_row s;

	jw_key(g, "service");
	if (service_of(req, customer, &s) != CORE_OK) {
		jw_null(g);
		return;
	}
	jw_obj(g);
	for (int i = 0; keep[i]; i++) {
		const struct field *f = ent_field(e, keep[i]);
		const char *v = ent_val(e, &s, keep[i]);

		jw_key(g, keep[i]);
		if (v == NULL)
			jw_null(g);
		else if (f->type == FT_ID || f->type == FT_INT)
			jw_raw_number(g, v);
		else if (f->type == FT_DATETIME)
			jw_dbtime(g, v);
		else
			jw_str(g, v);
	}
	jw_kstr(g, "profile", ent_val(e, &s, "plan_name"));
	jw_kint(g, "mikrotik_id", ent_val_int(e, &s, "router_id"));
	jw_obj_end(g);
}

static int
reply_customer(struct request *req, int status, const char *message, long long id)
{
	struct ent_row r;
	yajl_gen g;
	int rc = ent_get_id(req->db, &req->arena, &ent_customer, req->auth.tenant_id, id, &r);

	if (rc != CORE_OK)
		return reply_core(req, rc, "Customer");
	g = reply_begin(req, status, message);
	jw_obj(g);
	ent_write_fields(g, &ent_customer, &r);
	write_service(req, g, id);
	jw_obj_end(g);
	return reply_end(req, NULL);
}

int
mb_customer_get(struct request *req)
{
	long long id = res_path_id(req, &res_customers);

	if (id <= 0)
		return reply_error(req, ERR_NOT_FOUND, "Customer not found.");
	return reply_customer(req, 200, NULL, id);
}

/* the service part of a create body: profile_id (plan), mikrotik_id (else
 * the active device), username, password, static_ip; *plan 0 when absent */
struct service_in {
	long long plan, router;
	const char *username, *password, *static_ip;
};

static int
service_input(struct request *req, struct service_in *si)
{
	static const char *const pn[] = { "profile_id", "plan_id", NULL };
	static const char *const rn[] = { "mikrotik_id", "router_id", NULL };
	struct actor who;
	struct ent_row r;

	memset(si, 0, sizeof(*si));
	for (int i = 0; pn[i]; i++)
		if (json_obj_get(req->json, pn[i]) && !YAJL_IS_NULL(json_obj_get(req->json, pn[i])) &&
		    (json_get_int(req->json, pn[i], 1, (1LL << 62), &si->plan) != JSON_OK ||
		    ent_get_id(req->db, &req->arena, &ent_plan, req->auth.tenant_id, si->plan, &r) !=
		    CORE_OK))
			req_field_error(req, pn[i], "No such profile.");
	for (int i = 0; rn[i]; i++)
		if (json_obj_get(req->json, rn[i]) && !YAJL_IS_NULL(json_obj_get(req->json, rn[i])) &&
		    (json_get_int(req->json, rn[i], 1, (1LL << 62), &si->router) != JSON_OK ||
		    ent_get_id(req->db, &req->arena, &ent_router, req->auth.tenant_id, si->router, &r) !=
		    CORE_OK))
			req_field_error(req, rn[i], "No such MikroTik device.");
	if (json_get_str(req->json, "username", &si->username) == JSON_WRONG_TYPE)
		req_field_error(req, "username", "Not a valid string.");
	if (json_get_str(req->json, "password", &si->password) == JSON_WRONG_TYPE)
		req_field_error(req, "password", "Not a valid string.");
	if (json_get_str(req->json, "static_ip", &si->static_ip) == JSON_WRONG_TYPE)
		req_field_error(req, "static_ip", "Not a valid string.");
	if (req->errs.n)
		return -1;
	auth_actor(req, &who);
	if (si->plan && !si->router && mb_active_router(req->db, &req->arena, &who,
	    &si->router) != CORE_OK)
		si->router = 0;
	return 0;
}

/* the subscription, as a body subs_create understands; 0 or a CORE_* code */
static int
create_service(struct request *req, long long customer, const struct service_in *si,
    long long *sub)
{
	yajl_gen g = yajl_gen_alloc(NULL);
	const unsigned char *b;
	struct ent_set s;
	struct actor who;
	yajl_val body;
	size_t n;
	char err[200];
	int rc;

	jw_obj(g);
	jw_kint(g, "customer_id", customer);
	jw_kint(g, "plan_id", si->plan);
	if (si->router)
		jw_kint(g, "router_id", si->router);
	if (si->username)
		jw_kstr(g, "username", si->username);
	if (si->password)
		jw_kstr(g, "password", si->password);
	if (si->static_ip)
		jw_kstr(g, "static_ip", si->static_ip);
	jw_kstr(g, "access_method", si->static_ip ? "static_ip" : "pppoe");
	jw_kstr(g, "status", "active");
	jw_obj_end(g);
	yajl_gen_get_buf(g, &b, &n);
	body = json_parse((const char *)b, n, 8, err, sizeof(err));
	yajl_gen_free(g);
	if (body == NULL)
		return CORE_INVALID;
	auth_actor(req, &who);
	rc = ent_parse(&ent_subscription, body, 0, &req->arena, &s, &req->errs);
	if (rc == CORE_OK)
		rc = subs_create(req->db, &req->arena, &who, &s, body, sub, &req->errs);
	yajl_tree_free(body);
	return rc;
}

/* POST: the customer, then (profile given) its service pushed to the device */
int
mb_customer_create(struct request *req)
{
	struct service_in si;
	struct ent_set s;
	struct actor who;
	struct prov_jobs ran;
	long long id = 0, sub = 0;
	int rc;

	if (ent_parse(&ent_customer, req->json, 0, &req->arena, &s, &req->errs) != CORE_OK ||
	    service_input(req, &si) < 0)
		return reply_error(req, ERR_VALIDATION, "Invalid input.");
	auth_actor(req, &who);
	if ((rc = customers_create(req->db, &req->arena, &who, &s, &id, &req->errs)) != CORE_OK)
		return reply_core(req, rc, "Customer");
	if (si.plan && (rc = create_service(req, id, &si, &sub)) != CORE_OK) {
		/* no half customer: the record goes with its failed service */
		(void)ent_delete(req->db, &req->arena, &ent_customer, who.tenant_id, id);
		return rc == CORE_INVALID ? reply_error(req, ERR_VALIDATION, "Invalid input.") :
		    reply_core(req, rc, "Customer");
	}
	if (sub && prov_jobs_run(req->db, req->cfg, sub, 0, JOB_BUDGET_MS, 0, &ran) != CORE_OK)
		log_warn("mikrobill: provisioning subscription %lld left to the sweep", sub);
	return reply_customer(req, 201, "Customer created.", id);
}

/* DELETE ?action=suspend: the services suspended (the device disables
 * them), the customer kept; otherwise the services cancelled (removed from
 * the device) and the customer deleted */
int
mb_customer_delete(struct request *req)
{
	const char *action = req_query(req, "action");
	int suspend = action && !strcmp(action, "suspend");
	long long id = res_path_id(req, &res_customers);
	struct ent_query q;
	struct ent_page out;
	struct ent_set s;
	struct actor who;
	struct prov_jobs ran;
	yajl_gen g;
	int rc;

	if (id <= 0)
		return reply_error(req, ERR_NOT_FOUND, "Customer not found.");
	if (action && !suspend && strcmp(action, "delete") != 0) {
		req_field_error(req, "action", "Must be \"suspend\" or \"delete\".");
		return reply_error(req, ERR_VALIDATION, "Invalid query parameters.");
	}
	auth_actor(req, &who);
	memset(&q, 0, sizeof(q));
	q.limit = 100;
	ent_query_cond(&q, "t.customer_id = ?", 1, db_int(id), db_null());
	ent_query_cond(&q, suspend ? "t.status = ?" : "t.status IN ('active', 'suspended', ?)", 1,
	    db_str(suspend ? "active" : "pending"), db_null());
	if ((rc = ent_list(req->db, &req->arena, &ent_subscription, who.tenant_id, &q, &out,
	    &req->errs)) != CORE_OK)
		return reply_core(req, rc, "Customer");
	for (unsigned i = 0; i < out.nrows; i++) {
		if ((rc = subs_action(req->db, &req->arena, &who, out.rows[i].id, suspend ? "suspend" :
		    "cancel", &req->errs)) != CORE_OK)
			return reply_core(req, rc, "Subscription");
		(void)prov_jobs_run(req->db, req->cfg, out.rows[i].id, 0, JOB_BUDGET_MS, 0, &ran);
	}
	if (suspend) {
		memset(&s, 0, sizeof(s));
		ent_set_add(&s, ent_field(&ent_customer, "status"), db_str("suspended"));
		rc = ent_update(req->db, &req->arena, &ent_customer, who.tenant_id, id, &s, &req->errs);
		if (rc == CORE_OK)
			audit(req->db, &req->arena, &who, "suspend", "customer", id, NULL);
		if (rc != CORE_OK)
			return reply_core(req, rc, "Customer");
		return reply_customer(req, 200, "Customer suspended.", id);
	}
	if ((rc = ent_delete(req->db, &req->arena, &ent_customer, who.tenant_id, id)) != CORE_OK)
		return reply_core(req, rc, "Customer");
	audit(req->db, &req->arena, &who, "delete", "customer", id, NULL);
	g = reply_begin(req, 200, "Customer deleted.");
	jw_obj(g);
	jw_kint(g, "id", id);
	jw_kbool(g, "deleted", 1);
	jw_kint(g, "services_cancelled", out.nrows);
	jw_obj_end(g);
	return reply_end(req, NULL);
}

/* GET ?count=N: ICMP from the device to the customer's address (its static
 * IP, else the address of its live PPP session) */
int
mb_customer_ping(struct request *req)
{
	long long id = res_path_id(req, &res_customers), count = 3, router;
	const struct entity *e = &ent_subscription;
	const char *user, *addr;
	struct ros_result act;
	struct ros_ping pr;
	struct ent_row sub;
	struct actor who;
	struct prov p;
	yajl_gen g;
	int rc;

	if (id <= 0)
		return reply_error(req, ERR_NOT_FOUND, "Customer not found.");
	if (req_query_int(req, "count", 3, 1, 10, &count) < 0)
		return reply_error(req, ERR_VALIDATION, "Invalid query parameters.");
	if ((rc = service_of(req, id, &sub)) != CORE_OK) {
		if (rc != CORE_NOT_FOUND)
			return reply_core(req, rc, "Customer");
		return reply_error(req, ERR_BUSINESS, "The customer has no service to ping.");
	}
	auth_actor(req, &who);
	router = ent_val_int(e, &sub, "router_id");
	if (router <= 0 && mb_active_router(req->db, &req->arena, &who, &router) != CORE_OK)
		return reply_error(req, ERR_BUSINESS, "The customer's service has no MikroTik device.");
	memset(&p, 0, sizeof(p));
	rc = prov_open(req->db, &req->arena, req->cfg, who.tenant_id, router,
	    (int)count * 1000 + 1000, &p);
	user = ent_val(e, &sub, "username");
	addr = ent_val(e, &sub, "static_ip");
	memset(&act, 0, sizeof(act));      /* empty: the calls below initialise it */
	if (rc == CORE_OK && (!addr || !*addr)) {
		rc = prov_print(&p, ROS_M_PPP_ACTIVE, NULL, &act);
		addr = NULL;
		for (size_t i = 0; rc == CORE_OK && i < act.nitems; i++)
			if (user && ros_item_str(&act.items[i], "name") &&
			    !strcmp(ros_item_str(&act.items[i], "name"), user))
				addr = ros_item_str(&act.items[i], "address");
		if (rc == CORE_OK && addr == NULL) {
			ros_result_free(&act);
			prov_close(&p);
			return reply_error(req, ERR_BUSINESS, arena_printf(&req->arena,
			    "\"%s\" has no address: not connected and no static IP.", user ? user : ""));
		}
	}
	if (rc == CORE_OK && ros_ping(p.c, addr, (int)count, &pr, &p.err) != ROS_OK)
		rc = PROV_ROUTER;
	prov_close(&p);
	if (rc != CORE_OK) {
		ros_result_free(&act);
		return rc == PROV_ROUTER ? reply_error(req, prov_unreachable(&p.err) ?
		    ERR_EXTERNAL_TIMEOUT : ERR_EXTERNAL, arena_printf(&req->arena,
		    "MikroTik device failed: %s", p.err.message)) : reply_core(req, rc, "Router");
	}
	g = reply_begin(req, 200, NULL);
	jw_obj(g);
	jw_kint(g, "customer_id", id);
	jw_kstr(g, "username", user);
	jw_kstr(g, "address", addr);
	jw_kint(g, "mikrotik_id", router);
	jw_kint(g, "sent", pr.sent);
	jw_kint(g, "received", pr.received);
	jw_kint(g, "packet_loss", pr.packet_loss);
	jw_key(g, "avg_rtt_ms");
	if (pr.avg_rtt_us >= 0)
		jw_double(g, (double)pr.avg_rtt_us / 1000.0);
	else
		jw_null(g);
	jw_kbool(g, "reachable", pr.received > 0);
	jw_obj_end(g);
	ros_result_free(&act);
	return reply_end(req, NULL);
}
