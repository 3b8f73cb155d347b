/* t_routers.c - live router operations through nginx against the RouterOS
 * simulator the harness starts (routers v6, v7, v7s = api-ssl without a
 * certificate, legacy): test-connection and every live endpoint, a router
 * that is offline or never answers, provisioning by router jobs after the
 * commit and from `ispbill sweep` (exactly once, also with two sweeps at
 * once), expiry, drift and its repair, PPPoE callbacks and the CLI.  What
 * reached a router is read from the simulator's command log. */
#include "config.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "itest.h"

static long long
ms_since(const struct timeval *t0)
{
	struct timeval t;

	gettimeofday(&t, NULL);
	return (t.tv_sec - t0->tv_sec) * 1000LL + (t.tv_usec - t0->tv_usec) / 1000;
}
/* a subscription on router of a fresh plan and customer; its username in user */
static long long
subscription(long long router, const char *method, char *user, size_t n)
{
	char body[1024], name[64];
	long long plan, cust;

	snprintf(body, sizeof(body), "{\"name\":\"%s\",\"speed\":\"5M/2M\",\"price\":50,"
	    "\"duration_value\":1,\"duration_unit\":\"days\",\"connection_type\":\"%s\"}",
	    uniq(name, sizeof(name), "RtPlan"), method);
	plan = made("/api/plans/", body);
	snprintf(body, sizeof(body), "{\"name\":\"%s\"}", uniq(name, sizeof(name), "RtCust"));
	cust = made("/api/customers/", body);
	uniq(user, n, "u");
	snprintf(body, sizeof(body), "{\"customer_id\":%lld,\"plan_id\":%lld,\"router_id\":%lld,"
	    "\"username\":\"%s\",\"password\":\"pw-%s\",\"access_method\":\"%s\"}", cust, plan,
	    router, user, user, method);
	return made("/api/subscriptions/", body);
}
static void
activate(long long sub)
{
	struct resp *r = api("POST", NULL, "/api/subscriptions/%lld/activate/", sub);

	ck_assert_msg(r->status == 200, "activate: %ld %.600s", r->status, r->body);
	it_free(r);
}
/* ---- test-connection, plain, api-ssl and legacy login ---- */

START_TEST(test_connection_every_kind)
{
	static const struct { const char *sim; int tls; const char *ver; } k[] = {
		{ "v6", 0, "6.49" }, { "v7", 0, "7.19" }, { "v7s", 1, "7.19" }, { "legacy", 0, "6.40" },
	};
	char out[4096], args[64];

	begin();
	for (size_t i = 0; i < sizeof(k) / sizeof(k[0]); i++) {
		long long id = router_rec(k[i].sim, k[i].tls);
		struct resp *r = api("POST", NULL, "/api/network/routers/%lld/test-connection/", id);

		EXPECT(r, 200);
		ck_assert_str_eq(it_str(r, "data/identity"), k[i].sim);
		ck_assert_msg(!strncmp(it_str(r, "data/version"), k[i].ver, 4), "%s", r->body);
		ck_assert_int_ge(it_int(r, "data/cpu_load"), 0);
		ck_assert_int_gt(it_int(r, "data/uptime_seconds"), 0);
		ck_assert_str_eq(it_str(r, "data/status"), "online");
		it_free(r);
		r = api("GET", NULL, "/api/network/routers/%lld/", id);
		ck_assert_str_eq(it_str(r, "data/status"), "online");
		ck_assert_msg(!it_is_null(r, "data/last_seen"), "%s", r->body);
		it_free(r);
		snprintf(args, sizeof(args), "router test %lld", id);
		ck_assert_msg(cli(args, out, sizeof(out)) == 0 && strstr(out, k[i].sim), "%s", out);
	}
}
END_TEST

START_TEST(test_unanswered_router)
{
	long long id, ms;
	struct timeval t0;
	struct resp *r;

	begin();
	id = router_rec("v7", 0);
	sim_ok("POST", "{\"blackhole\":true}", "/routers/v7/fault");
	gettimeofday(&t0, NULL);
	r = api("POST", NULL, "/api/network/routers/%lld/test-connection/", id);
	ms = ms_since(&t0);
	expect_error(r, 504, "EXTERNAL_SERVICE_ERROR");
	it_free(r);
	/* router_timeout_ms is 2000 in the harness: the connect is quick, the login hangs */
	ck_assert_msg(ms >= 1800 && ms < 3500, "took %lld ms", ms);
	ck_assert_int_eq(sql("SELECT status = 'offline' FROM routers WHERE id = %lld", id), 1);
	gettimeofday(&t0, NULL);
	r = api("GET", NULL, "/api/network/routers/%lld/interfaces/", id);
	expect_error(r, 504, "EXTERNAL_SERVICE_ERROR");
	it_free(r);
	ck_assert_int_lt(ms_since(&t0), 3500);

	sim_ok("DELETE", NULL, "/routers/v7/fault");
	sim_ok("POST", "{\"offline\":true}", "/routers/v7/fault");
	r = api("GET", NULL, "/api/network/routers/%lld/resource/", id);
	expect_error(r, 504, "EXTERNAL_SERVICE_ERROR");
	it_free(r);
	sim_ok("DELETE", NULL, "/routers/v7/fault");

	/* a refused login is a failure of the router, not a timeout */
	sim_ok("POST", "{\"refuse_login\":true}", "/routers/v7/fault");
	r = api("GET", NULL, "/api/network/routers/%lld/resource/", id);
	expect_error(r, 502, "EXTERNAL_SERVICE_ERROR");
	it_free(r);
	sim_ok("DELETE", NULL, "/routers/v7/fault");
}
END_TEST

/* ---- every live endpoint ---- */

START_TEST(test_live_reads)
{
	long long id;
	struct resp *r;
	yajl_val u;

	begin();
	id = router_rec("v7", 0);
	sim_ok("POST", "{\"name\":\"alice\",\"password\":\"x\",\"limit-uptime\":\"1h\","
	    "\"comment\":\"Guest 1\"}", "/routers/v7/menu?path=/ip/hotspot/user");
	sim_ok("POST", "{\"name\":\"bob\",\"password\":\"y\"}", "/routers/v7/menu?path=/ip/hotspot/user");
	sim_ok("POST", "{\"user\":\"alice\",\"address\":\"192.168.88.100\",\"mac-address\":"
	    "\"AA:BB:CC:DD:EE:FF\",\"bytes-in\":\"1048576\",\"bytes-out\":\"2097152\"}",
	    "/routers/v7/menu?path=/ip/hotspot/active");
	r = api("GET", NULL, "/api/network/routers/%lld/hotspot-users/", id);
	EXPECT(r, 200);
	ck_assert_int_eq(it_int(r, "data/router_id"), id);
	ck_assert_int_eq(it_int(r, "data/total_users"), 2);
	ck_assert_int_eq(it_int(r, "data/active_sessions"), 1);
	u = jat(it_json(r, "data/users"), 0);
	ck_assert_str_eq(jstr(u, "username"), "alice");
	ck_assert_str_eq(jstr(u, "uptime_limit"), "1h");
	ck_assert_str_eq(jstr(u, "comment"), "Guest 1");
	ck_assert(YAJL_IS_TRUE(jget(u, "active")));
	ck_assert_str_eq(jstr(jget(u, "session"), "address"), "192.168.88.100");
	ck_assert_str_eq(jstr(jget(u, "session"), "bytes_in"), "1048576");
	ck_assert(YAJL_IS_NULL(jget(jat(it_json(r, "data/users"), 1), "session")));
	it_free(r);

	/* counters first: with rates set the simulator's counters move */
	sim_ok("POST", "{\"interface\":\"ether1\",\"rx_byte\":123,\"tx_byte\":456}",
	    "/routers/v7/traffic");
	r = api("GET", NULL, "/api/network/routers/%lld/interfaces/", id);
	EXPECT(r, 200);
	ck_assert_str_eq(jstr(jat(it_json(r, "data"), 0), "name"), "ether1");
	ck_assert_int_eq(jint(jat(it_json(r, "data"), 0), "rx_byte"), 123);
	ck_assert_int_eq(jint(jat(it_json(r, "data"), 0), "tx_byte"), 456);
	ck_assert(YAJL_IS_TRUE(jget(jat(it_json(r, "data"), 0), "running")));
	it_free(r);
	sim_ok("POST", "{\"interface\":\"ether1\",\"rx_bps\":1500000,\"tx_bps\":250000,\"rx_pps\":120,"
	    "\"tx_pps\":40}", "/routers/v7/traffic");
	r = api("GET", NULL, "/api/network/routers/%lld/interfaces/ether1/traffic/", id);
	EXPECT(r, 200);
	ck_assert_int_eq(it_int(r, "data/rx_bps"), 1500000);
	ck_assert_int_eq(it_int(r, "data/tx_pps"), 40);
	it_free(r);

	sim_ok("POST", "{\"ping_interval_ms\":20}", "/routers/v7/settings");
	sim_ok("POST", "{\"address\":\"10.0.0.9\",\"time_ms\":7}", "/routers/v7/ping");
	r = api("POST", "{\"address\":\"10.0.0.9\",\"count\":3}", "/api/network/routers/%lld/ping/", id);
	EXPECT(r, 200);
	ck_assert_int_eq(it_int(r, "data/sent"), 3);
	ck_assert_int_eq(it_int(r, "data/received"), 3);
	ck_assert_int_eq(it_bool(r, "data/reachable"), 1);
	it_free(r);
	r = api("POST", "{\"address\":\"10.0.0.x\"}", "/api/network/routers/%lld/ping/", id);
	expect_error(r, 400, "VALIDATION_ERROR");
	ck_assert(names_field(r, "address"));
	it_free(r);
	r = api("POST", "{\"address\":\"10.0.0.9\",\"count\":99}", "/api/network/routers/%lld/ping/", id);
	expect_error(r, 400, "VALIDATION_ERROR");
	ck_assert(names_field(r, "count"));
	it_free(r);

	r = api("GET", NULL, "/api/network/routers/%lld/resource/", id);
	EXPECT(r, 200);
	ck_assert_msg(!strncmp(it_str(r, "data/version"), "7.", 2), "%s", r->body);
	ck_assert_int_gt(it_int(r, "data/total_memory"), 0);
	it_free(r);

	sim_ok("POST", "{\"name\":\"carol\",\"service\":\"pppoe\",\"address\":\"10.5.0.2\"}",
	    "/routers/v7/menu?path=/ppp/active");
	r = api("GET", NULL, "/api/network/routers/%lld/ppp-active/", id);
	EXPECT(r, 200);
	ck_assert_int_eq(jlen(it_json(r, "data")), 1);
	ck_assert_str_eq(jstr(jat(it_json(r, "data"), 0), "name"), "carol");
	ck_assert_str_eq(jstr(jat(it_json(r, "data"), 0), "address"), "10.5.0.2");
	it_free(r);

	r = api("GET", NULL, "/api/network/routers/999999999/resource/");
	expect_error(r, 404, "NOT_FOUND");
	it_free(r);
}
END_TEST

START_TEST(test_ppp_crud)
{
	long long id;
	struct resp *r, *k;
	yajl_val it;

	begin();
	id = router_rec("v6", 0);
	r = api("POST", "{\"name\":\"gold\",\"rate_limit\":\"2M/10M\"}",
	    "/api/network/routers/%lld/ppp-profiles/", id);
	EXPECT(r, 201);
	it_free(r);
	r = api("POST", "{\"name\":\"dhaka1\",\"password\":\"s3\",\"profile\":\"gold\",\"service\":"
	    "\"pppoe\",\"remote_address\":\"10.9.0.5\"}", "/api/network/routers/%lld/ppp-secrets/", id);
	EXPECT(r, 201);
	ck_assert_str_eq(it_str(r, "data/password"), "***hidden***");
	it_free(r);
	it = on_router(&k, "v6", "/ppp/secret", "name", "dhaka1");
	ck_assert_msg(it && !strcmp(jstr(it, "profile"), "gold") && !strcmp(jstr(it, "password"), "s3")
	    && !strcmp(jstr(it, "remote-address"), "10.9.0.5"), "%s", k->body);
	it_free(k);
	/* the router's own refusal: a duplicate */
	r = api("POST", "{\"name\":\"dhaka1\"}", "/api/network/routers/%lld/ppp-secrets/", id);
	expect_error(r, 400, "VALIDATION_ERROR");
	ck_assert_msg(strstr(r->body, "same name"), "%s", r->body);
	it_free(r);
	r = api("POST", "{\"password\":\"s3\"}", "/api/network/routers/%lld/ppp-secrets/", id);
	expect_error(r, 400, "VALIDATION_ERROR");
	ck_assert(names_field(r, "name"));
	it_free(r);
	r = api("POST", "{\"name\":\"x\",\"disabled\":\"maybe\"}",
	    "/api/network/routers/%lld/ppp-secrets/", id);
	expect_error(r, 400, "VALIDATION_ERROR");
	ck_assert(names_field(r, "disabled"));
	it_free(r);

	r = api("GET", NULL, "/api/network/routers/%lld/ppp-secrets/", id);
	EXPECT(r, 200);
	ck_assert_int_eq(jlen(it_json(r, "data")), 1);
	ck_assert_str_eq(jstr(jat(it_json(r, "data"), 0), "password"), "***hidden***");
	ck_assert_str_eq(jstr(jat(it_json(r, "data"), 0), "remote_address"), "10.9.0.5");
	it_free(r);
	r = api("PATCH", "{\"disabled\":true,\"comment\":\"late\"}",
	    "/api/network/routers/%lld/ppp-secrets/dhaka1/", id);
	EXPECT(r, 200);
	it_free(r);
	it = on_router(&k, "v6", "/ppp/secret", "name", "dhaka1");
	ck_assert_msg(it && !strcmp(jstr(it, "disabled"), "true") && !strcmp(jstr(it, "comment"), "late"),
	    "%s", k->body);
	it_free(k);
	r = api("DELETE", NULL, "/api/network/routers/%lld/ppp-secrets/dhaka1/", id);
	EXPECT(r, 200);
	it_free(r);
	ck_assert(!present("v6", "/ppp/secret", "name", "dhaka1"));
	r = api("DELETE", NULL, "/api/network/routers/%lld/ppp-secrets/dhaka1/", id);
	expect_error(r, 404, "NOT_FOUND");
	it_free(r);

	r = api("PUT", "{\"rate_limit\":\"4M/20M\"}", "/api/network/routers/%lld/ppp-profiles/gold/", id);
	EXPECT(r, 200);
	it_free(r);
	r = api("GET", NULL, "/api/network/routers/%lld/ppp-profiles/", id);
	EXPECT(r, 200);
	it = NULL;
	for (size_t i = 0; i < jlen(it_json(r, "data")); i++)
		if (!strcmp(jstr(jat(it_json(r, "data"), i), "name"), "gold"))
			it = jat(it_json(r, "data"), i);
	ck_assert_msg(it && !strcmp(jstr(it, "rate_limit"), "4M/20M"), "%s", r->body);
	it_free(r);
	r = api("DELETE", NULL, "/api/network/routers/%lld/ppp-profiles/gold/", id);
	EXPECT(r, 200);
	it_free(r);
	ck_assert(!present("v6", "/ppp/profile", "name", "gold"));
}
END_TEST

START_TEST(test_sync_plans_and_callbacks)
{
	char body[512], user[64], key[64];
	long long id, sub;
	struct resp *r, *k;
	yajl_val it;
	const char *hdrs[2] = { NULL, NULL };
	char hdr[128];

	begin();
	id = router_rec("v7", 0);
	sub = subscription(id, "hotspot", user, sizeof(user));
	(void)sub;
	r = api("POST", NULL, "/api/network/routers/%lld/sync-plans/", id);
	EXPECT(r, 200);
	ck_assert_int_gt(it_int(r, "data/synced"), 0);
	it_free(r);
	/* the plan's 5M down / 2M up is rate-limit rx/tx = 2M/5M */
	it = on_router(&k, "v7", "/ip/hotspot/user/profile", "rate-limit", "2M/5M");
	ck_assert_msg(it != NULL, "%s", k->body);
	it_free(k);

	/* PPPoE up/down from the router's script, by its callback key */
	{
		char cmd[512], out[60];

		snprintf(cmd, sizeof(cmd), "mariadb --no-defaults --socket=%s/mysql.sock -uroot -N -B "
		    "ispbill -e \"SELECT callback_key FROM routers WHERE id = %lld\"", it_dir(), id);
		ck_assert_int_eq(it_run(cmd, out, sizeof(out)), 0);
		out[strcspn(out, "\r\n")] = '\0';
		snprintf(key, sizeof(key), "%s", out);
	}
	snprintf(hdr, sizeof(hdr), "X-Router-Key: %s", key);
	hdrs[0] = hdr;
	snprintf(body, sizeof(body), "{\"user\":\"%s\",\"caller_id\":\"AA:BB:CC:00:11:22\","
	    "\"address\":\"10.5.0.7\",\"interface\":\"<pppoe-%s>\"}", user, user);
	r = it_http(0, "POST", "/api/network/callbacks/pppoe/up/", NULL, body, strlen(body), hdrs);
	EXPECT(r, 201);
	it_free(r);
	r = it_http(0, "POST", "/api/network/callbacks/pppoe/down/", NULL, body, strlen(body), hdrs);
	EXPECT(r, 201);
	it_free(r);
	ck_assert_int_eq(sql("SELECT COUNT(*) FROM pppoe_sessions WHERE router_id = %lld "
	    "AND username = '%s' AND subscription_id IS NOT NULL", id, user), 2);
	hdr[strlen(hdr) - 1] ^= 1;
	r = it_http(0, "POST", "/api/network/callbacks/pppoe/up/", NULL, body, strlen(body), hdrs);
	expect_error(r, 401, "UNAUTHORIZED");
	it_free(r);
	hdr[strlen(hdr) - 1] ^= 1;
	r = it_http(0, "POST", "/api/network/callbacks/pppoe/up/", NULL, "{}", 2, hdrs);
	expect_error(r, 400, "VALIDATION_ERROR");
	ck_assert(names_field(r, "user"));
	it_free(r);
}
END_TEST

/* ---- provisioning: jobs after the commit and from the sweep ---- */

START_TEST(test_provision_after_commit_and_cli_exec)
{
	char user[64], out[8192], args[128];
	long long id, sub;
	struct resp *k;
	yajl_val it;

	begin();
	id = router_rec("v7", 0);
	sub = subscription(id, "hotspot", user, sizeof(user));
	activate(sub);
	it = on_router(&k, "v7", "/ip/hotspot/user", "name", user);
	ck_assert_msg(it != NULL, "%s not on the router: %s", user, k->body);
	ck_assert_msg(jstr(it, "limit-uptime") != NULL, "%s", k->body);
	it_free(k);
	ck_assert_int_eq(sql("SELECT provision_state = 'provisioned' FROM subscriptions WHERE id = %lld",
	    sub), 1);
	ck_assert_int_eq(sql("SELECT COUNT(*) FROM router_jobs WHERE subscription_id = %lld "
	    "AND status = 'done'", sub), 1);

	snprintf(args, sizeof(args), "router exec %lld /ip/hotspot/user/print ?name=%s", id, user);
	ck_assert_msg(cli(args, out, sizeof(out)) == 0 && strstr(out, "=name=") && strstr(out, user)
	    && strstr(out, "!done"), "%s", out);
	snprintf(args, sizeof(args), "router exec %lld /no/such/menu", id);
	ck_assert_msg(cli(args, out, sizeof(out)) != 0 && strstr(out, "no such command"), "%s", out);
}
END_TEST

/* A hotspot subscription on v6 activated while v6 is offline: its job
 * waits.  The subscription's id; the router's in *router. */
static long long
activated_offline(long long *router, char *user, size_t n)
{
	long long sub;

	begin();
	*router = router_rec("v6", 0);
	sub = subscription(*router, "hotspot", user, n);
	sim_ok("POST", "{\"offline\":true}", "/routers/v6/fault");
	activate(sub);      /* the payment is never lost: 200, the job waits */
	return sub;
}

START_TEST(test_offline_router_provisioned_once)
{
	char user[64], out[4096];
	long long id, sub;

	sub = activated_offline(&id, user, sizeof(user));
	ck_assert_int_eq(sql("SELECT COUNT(*) FROM router_jobs WHERE subscription_id = %lld "
	    "AND status = 'pending' AND attempts = 1 AND last_error IS NOT NULL", sub), 1);
	ck_assert_int_eq(sql("SELECT provision_state = 'pending' FROM subscriptions WHERE id = %lld",
	    sub), 1);
	/* still offline: the sweep tries again later, nothing reaches the router */
	sql("UPDATE router_jobs SET next_attempt_at = UTC_TIMESTAMP(6) WHERE subscription_id = %lld", sub);
	ck_assert_msg(cli("sweep", out, sizeof(out)) == 0, "%s", out);
	ck_assert_int_eq(sql("SELECT attempts FROM router_jobs WHERE subscription_id = %lld", sub), 2);
	ck_assert_int_eq(sql("SELECT next_attempt_at > UTC_TIMESTAMP(6) FROM router_jobs "
	    "WHERE subscription_id = %lld", sub), 1);

	sim_ok("DELETE", NULL, "/routers/v6/fault");
	sim_ok("DELETE", NULL, "/routers/v6/log");
	/* not due yet: nothing happens */
	ck_assert_msg(cli("sweep", out, sizeof(out)) == 0, "%s", out);
	ck_assert_int_eq(sent("v6", "/ip/hotspot/user/add", NULL), 0);
	sql("UPDATE router_jobs SET next_attempt_at = UTC_TIMESTAMP(6) WHERE subscription_id = %lld", sub);
	ck_assert_msg(cli("sweep", out, sizeof(out)) == 0, "%s", out);
	ck_assert_msg(strstr(out, "1 done"), "%s", out);
	ck_assert_msg(cli("sweep", out, sizeof(out)) == 0, "%s", out);
	{
		char w[96];

		snprintf(w, sizeof(w), "=name=%s", user);
		ck_assert_int_eq(sent("v6", "/ip/hotspot/user/add", w), 1);
	}
	ck_assert(present("v6", "/ip/hotspot/user", "name", user));
	ck_assert_int_eq(sql("SELECT provision_state = 'provisioned' FROM subscriptions WHERE id = %lld",
	    sub), 1);
}
END_TEST

/* A job whose router was deleted can never run: it fails once, for good,
 * instead of being retried with backoff for ever. */
START_TEST(test_job_for_a_deleted_router_gives_up)
{
	char user[64], out[4096];
	long long id, sub;

	sub = activated_offline(&id, user, sizeof(user));
	sim_ok("DELETE", NULL, "/routers/v6/fault");
	sim_ok("DELETE", NULL, "/routers/v6/log");
	sql("UPDATE routers SET deleted_at = UTC_TIMESTAMP(6) WHERE id = %lld", id);
	for (int i = 0; i < 2; i++) {
		sql("UPDATE router_jobs SET next_attempt_at = UTC_TIMESTAMP(6) WHERE subscription_id = "
		    "%lld", sub);
		ck_assert_msg(cli("sweep", out, sizeof(out)) == 0, "%s", out);
	}
	ck_assert_int_eq(sql("SELECT COUNT(*) FROM router_jobs WHERE subscription_id = %lld AND "
	    "status = 'failed' AND attempts = 2 AND last_error = 'router %lld no longer exists'",
	    sub, id), 1);
	ck_assert_int_eq(sent("v6", "/ip/hotspot/user/add", NULL), 0);
}
END_TEST

START_TEST(test_two_sweeps_run_each_job_once)
{
	enum { N = 6 };
	char users[N][64], cmd[2048], out[4096];
	long long id, subs[N];

	begin();
	id = router_rec("v7", 0);
	sim_ok("POST", "{\"offline\":true}", "/routers/v7/fault");
	for (int i = 0; i < N; i++) {
		subs[i] = subscription(id, i % 2 ? "pppoe" : "hotspot", users[i], sizeof(users[i]));
		activate(subs[i]);
	}
	sim_ok("DELETE", NULL, "/routers/v7/fault");
	sim_ok("POST", "{\"delay_ms\":30}", "/routers/v7/fault");
	sim_ok("DELETE", NULL, "/routers/v7/log");
	sql("UPDATE router_jobs SET next_attempt_at = UTC_TIMESTAMP(6) WHERE router_id = %lld", id);
	snprintf(cmd, sizeof(cmd), "export ISPBILL_CONFIG=%s/ispbill.conf; (%s/ispbill sweep & "
	    "%s/ispbill sweep & wait) 2>&1", it_dir(), it_build(), it_build());
	ck_assert_msg(it_run(cmd, out, sizeof(out)) == 0, "%s", out);
	for (int i = 0; i < N; i++) {
		char w[512];

		snprintf(w, sizeof(w), "=name=%s", users[i]);
		ck_assert_msg(sent("v7", i % 2 ? "/ppp/secret/add" : "/ip/hotspot/user/add", w) == 1,
		    "%s added %d times", users[i], sent("v7", i % 2 ? "/ppp/secret/add" :
		    "/ip/hotspot/user/add", w));
		ck_assert_int_eq(sql("SELECT attempts FROM router_jobs WHERE subscription_id = %lld",
		    subs[i]), 2);
		ck_assert_int_eq(sql("SELECT status = 'done' FROM router_jobs WHERE subscription_id = %lld",
		    subs[i]), 1);
	}
	sim_ok("DELETE", NULL, "/routers/v7/fault");
}
END_TEST

START_TEST(test_expiry_removes_and_kicks)
{
	char user[64], user2[64], body[256], out[4096];
	long long id, sub, sub2;

	begin();
	id = router_rec("v7", 0);
	sub = subscription(id, "hotspot", user, sizeof(user));
	sub2 = subscription(id, "pppoe", user2, sizeof(user2));
	activate(sub);
	activate(sub2);
	ck_assert(present("v7", "/ip/hotspot/user", "name", user));
	ck_assert(present("v7", "/ppp/secret", "name", user2));
	snprintf(body, sizeof(body), "{\"user\":\"%s\",\"address\":\"192.168.88.50\"}", user);
	sim_ok("POST", body, "/routers/v7/menu?path=/ip/hotspot/active");
	snprintf(body, sizeof(body), "{\"name\":\"%s\",\"service\":\"pppoe\",\"address\":\"10.5.0.9\"}",
	    user2);
	sim_ok("POST", body, "/routers/v7/menu?path=/ppp/active");
	sql("UPDATE subscriptions SET end_date = UTC_TIMESTAMP(6) - INTERVAL 1 MINUTE "
	    "WHERE id IN (%lld, %lld)", sub, sub2);
	ck_assert_msg(cli("sweep", out, sizeof(out)) == 0, "%s", out);
	ck_assert_msg(strstr(out, "expired"), "%s", out);
	ck_assert_int_eq(sql("SELECT COUNT(*) FROM subscriptions WHERE id IN (%lld, %lld) "
	    "AND status = 'expired' AND provision_state = 'removed'", sub, sub2), 2);
	ck_assert(!present("v7", "/ip/hotspot/user", "name", user));
	ck_assert(!present("v7", "/ip/hotspot/active", "user", user));
	ck_assert(!present("v7", "/ppp/secret", "name", user2));
	ck_assert(!present("v7", "/ppp/active", "name", user2));
}
END_TEST

START_TEST(test_drift_found_and_repaired)
{
	char user[64], path[512];
	long long id, sub;
	struct resp *r, *k;
	yajl_val it;

	begin();
	id = router_rec("v6", 0);
	sub = subscription(id, "hotspot", user, sizeof(user));
	activate(sub);
	r = api("GET", NULL, "/api/network/routers/%lld/drift/", id);
	EXPECT(r, 200);
	ck_assert_int_eq(it_bool(r, "data/in_sync"), 1);
	it_free(r);
	/* someone deletes the user in Winbox */
	it = on_router(&k, "v6", "/ip/hotspot/user", "name", user);
	ck_assert_ptr_nonnull(it);
	snprintf(path, sizeof(path), "/routers/v6/menu?path=/ip/hotspot/user&id=%s", jstr(it, ".id"));
	it_free(k);
	sim_ok("DELETE", NULL, path);
	r = api("GET", NULL, "/api/network/routers/%lld/drift/", id);
	EXPECT(r, 200);
	ck_assert_int_eq(it_bool(r, "data/in_sync"), 0);
	it = jat(it_json(r, "data/differences"), 0);
	ck_assert_msg(it && !strcmp(jstr(it, "kind"), "missing") && !strcmp(jstr(it, "username"), user)
	    && jint(it, "subscription_id") == sub, "%s", r->body);
	it_free(r);
	r = api("POST", NULL, "/api/network/routers/%lld/drift/repair/", id);
	EXPECT(r, 200);
	ck_assert_int_eq(it_int(r, "data/jobs_queued"), 1);
	ck_assert_int_eq(it_int(r, "data/jobs_done"), 1);
	it_free(r);
	ck_assert(present("v6", "/ip/hotspot/user", "name", user));
	r = api("GET", NULL, "/api/network/routers/%lld/drift/", id);
	ck_assert_int_eq(it_bool(r, "data/in_sync"), 1);
	it_free(r);
}
END_TEST

Suite *
suite_routers(void)
{
	Suite *s = suite_create("routers");
	TCase *tc = tcase_create("live");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_connection_every_kind);
	tcase_add_test(tc, test_unanswered_router);
	tcase_add_test(tc, test_live_reads);
	tcase_add_test(tc, test_ppp_crud);
	tcase_add_test(tc, test_sync_plans_and_callbacks);
	tcase_add_test(tc, test_provision_after_commit_and_cli_exec);
	tcase_add_test(tc, test_offline_router_provisioned_once);
	tcase_add_test(tc, test_two_sweeps_run_each_job_once);
	tcase_add_test(tc, test_job_for_a_deleted_router_gives_up);
	tcase_add_test(tc, test_expiry_removes_and_kicks);
	tcase_add_test(tc, test_drift_found_and_repaired);
	suite_add_tcase(s, tc);
	return s;
}
