/* world.c - what the suites share: a fresh admin of tenant 1 per test
 * (world_tok), the API through nginx with its token, one number from the test
 * database, the ispbill CLI, records made by POST, the simulators' control
 * APIs (RouterOS: which words a router got, what a menu holds), and the
 * M-Pesa money loop against the Daraja and SMS simulators. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "itest.h"

static char *world_tok;          /* the admin's access token, per test */

/* a fresh admin of tenant 1 per test: the super admin's hourly request
 * budget is shared by every suite */
void
begin(void)
{
	struct resp *r = it_http(it_sim_control_port(), "POST", "/reset", NULL, "{}", 2, NULL);
	char body[512], name[64], auth[2048];
	const char *hdrs[2] = { auth, NULL };
	char *su = it_login_admin();

	ck_assert_msg(r->status == 200, "sim reset: %ld %s", r->status, r->body);
	it_free(r);
	ck_assert_ptr_nonnull(su);
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", su);
	snprintf(body, sizeof(body), "{\"username\":\"%s\",\"email\":\"%s@example.org\","
	    "\"password\":\"Rt-Passw0rd-1\",\"password_confirm\":\"Rt-Passw0rd-1\","
	    "\"user_type\":\"admin\"}", uniq(name, sizeof(name), "rt"), name);
	r = it_http(0, "POST", "/api/auth/users/", NULL, body, strlen(body), hdrs);
	ck_assert_msg(r->status == 201, "admin: %ld %s", r->status, r->body);
	it_free(r);
	free(su);
	snprintf(body, sizeof(body), "{\"username\":\"%s\",\"password\":\"Rt-Passw0rd-1\"}", name);
	r = it_post("/api/auth/login/", body);
	ck_assert_msg(it_str(r, "data/tokens/access"), "login: %s", r->body);
	free(world_tok);
	world_tok = strdup(it_str(r, "data/tokens/access"));
	it_free(r);
}

static struct resp *
vapi(int port, const char *tok, const char *method, const char *body, const char *fmt,
    va_list ap)
{
	char path[2048], auth[2048];
	const char *hdrs[2] = { auth, NULL };

	vsnprintf(path, sizeof(path), fmt, ap);
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", tok);
	return it_http(port, method, path, NULL, body, body ? strlen(body) : 0, hdrs);
}

/* through nginx, as the admin */
struct resp *
api(const char *method, const char *body, const char *fmt, ...)
{
	struct resp *r;
	va_list ap;

	va_start(ap, fmt);
	r = vapi(0, world_tok, method, body, fmt, ap);
	va_end(ap);
	return r;
}

/* through nginx, with another access token */
struct resp *
api_as(const char *tok, const char *method, const char *body, const char *fmt, ...)
{
	struct resp *r;
	va_list ap;

	va_start(ap, fmt);
	r = vapi(0, tok, method, body, fmt, ap);
	va_end(ap);
	return r;
}

/* through nginx on another port (it_port() + 1 bitwave ... + 4 mikrobill) */
struct resp *
api_on(int port, const char *tok, const char *method, const char *body, const char *fmt, ...)
{
	struct resp *r;
	va_list ap;

	va_start(ap, fmt);
	r = vapi(port, tok, method, body, fmt, ap);
	va_end(ap);
	return r;
}

/* the simulator's control API */
struct resp *
sim(const char *method, const char *body, const char *fmt, ...)
{
	char path[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	return it_http(it_sim_control_port(), method, path, NULL, body, body ? strlen(body) : 0,
	    NULL);
}

void
sim_ok(const char *method, const char *body, const char *path)
{
	struct resp *r = sim(method, body, "%s", path);

	ck_assert_msg(r->status == 200, "sim %s %s: %ld %s", method, path, r->status, r->body);
	it_free(r);
}

/* one number from the test database (mariadb client as root) */
long long
sql(const char *fmt, ...)
{
	char q[2048], cmd[4096], out[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(q, sizeof(q), fmt, ap);
	va_end(ap);
	snprintf(cmd, sizeof(cmd), "mariadb --no-defaults --socket=%s/mysql.sock -uroot -N -B "
	    "ispbill -e \"%s\"", it_dir(), q);
	ck_assert_msg(it_run(cmd, out, sizeof(out)) == 0, "sql failed: %s: %s", q, out);
	return atoll(out);
}

/* `ispbill ARGS`; the exit status, the output in out */
int
cli(const char *args, char *out, size_t n)
{
	char cmd[2048];

	snprintf(cmd, sizeof(cmd), "ISPBILL_CONFIG=%s/ispbill.conf %s/ispbill %s 2>&1", it_dir(),
	    it_build(), args);
	return it_run(cmd, out, n);
}


/* POST as tok, expect 201, the new id */
long long
made_as(const char *tok, const char *path, const char *body)
{
	struct resp *r = api_as(tok, "POST", body, "%s", path);
	long long id = it_int(r, "data/id");

	ck_assert_msg(r->status == 201 && id > 0, "POST %s: %ld %.600s", path, r->status, r->body);
	it_free(r);
	return id;
}

/* A user of type in tenant (password TENANT_PW), made by the super admin
 * su; its name in name, its native access token in tok; the id. */
long long
tenant_user(const char *su, long long tenant, const char *type, char *name, size_t nn,
    char *tok, size_t nt)
{
	char body[1024];
	struct resp *r;
	long long id;

	snprintf(body, sizeof(body), "{\"username\":\"%s\",\"email\":\"%s@example.org\","
	    "\"password\":\"" TENANT_PW "\",\"password_confirm\":\"" TENANT_PW "\","
	    "\"user_type\":\"%s\",\"tenant_id\":%lld}", uniq(name, nn, "badm"), name, type, tenant);
	r = api_as(su, "POST", body, "/api/auth/users/");
	EXPECT(r, 201);
	id = it_int(r, "data/id");
	it_free(r);
	ck_assert_int_gt(id, 0);
	snprintf(body, sizeof(body), "{\"username\":\"%s\",\"password\":\"" TENANT_PW "\"}",
	    name);
	r = it_post("/api/auth/login/", body);
	EXPECT(r, 200);
	ck_assert_ptr_nonnull(it_str(r, "data/tokens/access"));
	snprintf(tok, nt, "%s", it_str(r, "data/tokens/access"));
	it_free(r);
	return id;
}

/* A new tenant and its first admin, made by the super admin; logged in. */
void
tenant_make(const char *su, struct tenant *t)
{
	char body[1024];
	struct resp *r;

	memset(t, 0, sizeof(*t));
	uniq(t->code, sizeof(t->code), "org");
	snprintf(body, sizeof(body), "{\"name\":\"Org %s\",\"code\":\"%s\"}", t->code, t->code);
	r = api_as(su, "POST", body, "/api/tenants/");
	EXPECT(r, 201);
	t->id = it_int(r, "data/id");
	it_free(r);
	ck_assert_int_gt(t->id, 1);
	t->admin_id = tenant_user(su, t->id, "admin", t->admin, sizeof(t->admin), t->tok,
	    sizeof(t->tok));
}

/* POST as the admin, expect 201, the new id */
long long
made(const char *path, const char *body)
{
	return made_as(world_tok, path, body);
}

/* a router record for simulated router name, made as tok */
long long
router_rec_as(const char *tok, const char *sim_name, int tls)
{
	char body[512], name[64];

	snprintf(body, sizeof(body), "{\"name\":\"%s\",\"host\":\"127.0.0.1\",\"api_port\":%d,"
	    "\"use_tls\":%s,\"username\":\"admin\",\"password\":\"simpass\"}",
	    uniq(name, sizeof(name), sim_name), it_sim_port(sim_name), tls ? "true" : "false");
	return made_as(tok, "/api/network/routers/", body);
}

/* a router record for simulated router name */
long long
router_rec(const char *sim_name, int tls)
{
	return router_rec_as(world_tok, sim_name, tls);
}



/* how many sentences the router got with first word cmd and a word w */
int
sent(const char *router, const char *cmd, const char *w)
{
	struct resp *r = sim("GET", NULL, "/routers/%s/log", router);
	yajl_val log = it_json(r, "log");
	int n = 0;

	for (size_t i = 0; log && i < jlen(log); i++) {
		yajl_val words = jget(jat(log, i), "words");
		int match = 0;

		if (jlen(words) == 0 || !YAJL_IS_STRING(jat(words, 0)) ||
		    strcmp(jat(words, 0)->u.string, cmd) != 0)
			continue;
		for (size_t k = 1; k < jlen(words); k++)
			match |= !w || (YAJL_IS_STRING(jat(words, k)) && !strcmp(jat(words, k)->u.string, w));
		n += match || (!w);
	}
	it_free(r);
	return n;
}

/* is there an item with name (key) = value in a menu of the simulated router? */
yajl_val
on_router(struct resp **keep, const char *router, const char *menu, const char *key,
    const char *value)
{
	char enc[256];
	yajl_val items;

	*keep = sim("GET", NULL, "/routers/%s/menu?path=%s", router, urlenc(menu, enc, sizeof(enc)));
	items = it_json(*keep, "items");
	for (size_t i = 0; items && i < jlen(items); i++)
		if (jstr(jat(items, i), key) && !strcmp(jstr(jat(items, i), key), value))
			return jat(items, i);
	return NULL;
}

int
present(const char *router, const char *menu, const char *key, const char *value)
{
	struct resp *r;
	int yes = on_router(&r, router, menu, key, value) != NULL;

	it_free(r);
	return yes;
}

void
expect_error(struct resp *r, int st, const char *code)
{
	EXPECT(r, st);
	ck_assert_msg(it_str(r, "error_code") && !strcmp(it_str(r, "error_code"), code),
	    "expected %s: %.600s", code, r->body);
}

/* ---- the money loop: M-Pesa and SMS against the Daraja simulator and the
 * SMS double (t_mpesa.c, t_mpesa_reports.c) ---- */

/* a simulator's control API (port from DIR/env) */
struct resp *
ctl(const char *port_env, const char *method, const char *body, const char *fmt, ...)
{
	char path[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	return it_http(atoi(it_env(port_env)), method, path, NULL, body, body ? strlen(body) : 0,
	    NULL);
}

void
ctl_ok(const char *port_env, const char *method, const char *body, const char *path)
{
	struct resp *r = ctl(port_env, method, body, "%s", path);

	ck_assert_msg(r->status == 200, "%s %s: %ld %s", method, path, r->status, r->body);
	it_free(r);
}

/* M-Pesa and SMS set up for tenant 1 against the simulators (their
 * default credentials); the simulators' state forgotten */
void
money_world(void)
{
	char body[1024];
	struct resp *r;

	begin();
	ctl_ok(DARAJA, "POST", "{}", "/reset");
	ctl_ok(SMSSIM, "POST", "{}", "/reset");
	r = api("PUT", "{\"enabled\":true,\"shortcode\":\"174379\",\"transaction_type\":\"paybill\","
	    "\"passkey\":\"bfb279f9aa9bdbcf158e97dd71a467cd2e0c893059b10f78e6b72ada1ed2c919\","
	    "\"consumer_key\":\"sim-consumer-key\",\"consumer_secret\":\"sim-consumer-secret\","
	    "\"confirm_by_query\":false,\"pending_minutes\":1}", "/api/mpesa/settings/");
	EXPECT(r, 200);
	it_free(r);
	snprintf(body, sizeof(body), "{\"provider\":\"advanta\",\"enabled\":true,"
	    "\"api_key\":\"sim-advanta-apikey\",\"partner_id\":\"12345\",\"shortcode\":\"ISPBILL\","
	    "\"custom_api_url\":\"%s\",\"send_receipts\":true}", it_env("ISPBILL_TEST_SMS_ADVANTA_URL"));
	r = api("PUT", body, "/api/sms/settings/");
	EXPECT(r, 200);
	it_free(r);
}

/* a fresh Safaricom number, 07XXXXXXXX and its 2547XXXXXXXX form */
void
new_phone(char *local, char *intl)
{
	static int n;
	long v = ((long)getpid() * 7919L + ++n * 104729L) % 100000000L;

	sprintf(local, "07%08ld", v);
	sprintf(intl, "2547%08ld", v);
}

/* a fresh device: its MAC and the hotspot user name it gets (no colons) */
void
new_mac(char *mac, char *user)
{
	static int n;
	unsigned v = (unsigned)getpid() * 2654435761u + (unsigned)++n * 40503u;

	sprintf(mac, "AA:BB:%02X:%02X:%02X:%02X", (v >> 24) & 255, (v >> 16) & 255, (v >> 8) & 255,
	    v & 255);
	sprintf(user, "AABB%02X%02X%02X%02X", (v >> 24) & 255, (v >> 16) & 255, (v >> 8) & 255,
	    v & 255);
}

/* wait up to 8 s for the transaction's status to leave pending */
const char *
settled(long long tx)
{
	static char st[32];

	for (int i = 0; i < 80; i++) {
		char cmd[512], out[32];

		snprintf(cmd, sizeof(cmd), "mariadb --no-defaults --socket=%s/mysql.sock -uroot -N -B "
		    "ispbill -e \"SELECT status FROM mpesa_transactions WHERE id = %lld\"", it_dir(), tx);
		ck_assert_int_eq(it_run(cmd, out, sizeof(out)), 0);
		out[strcspn(out, "\n")] = '\0';
		if (strcmp(out, "pending") != 0) {
			snprintf(st, sizeof(st), "%s", out);
			return st;
		}
		usleep(100 * 1000);
	}
	return "pending";
}

/* a 1-hour hotspot plan at 50 and a router record for simulated router v6 */
void
hotspot_offer(long long *plan, long long *router)
{
	char body[512], name[64];

	snprintf(body, sizeof(body), "{\"name\":\"%s\",\"speed\":\"5M/2M\",\"price\":50,"
	    "\"duration_value\":1,\"duration_unit\":\"hours\",\"connection_type\":\"hotspot\"}",
	    uniq(name, sizeof(name), "Hour"));
	*plan = made("/api/plans/", body);
	*router = router_rec("v6", 0);
}

static long long
push_plan(const char *phone, const char *mac, long long plan, long long router, char *checkout,
    size_t n)
{
	char body[512];
	struct resp *r;
	long long tx;

	snprintf(body, sizeof(body), "{\"phone\":\"%s\",\"mac_address\":\"%s\",\"plan_id\":%lld,"
	    "\"router_id\":%lld}", phone, mac, plan, router);
	r = api("POST", body, "/api/mpesa/stk-push/");
	EXPECT(r, 200);
	ck_assert_msg(it_str(r, "data/CheckoutRequestID") != NULL, "%s", r->body);
	snprintf(checkout, n, "%s", it_str(r, "data/CheckoutRequestID"));
	tx = it_int(r, "data/transaction_id");
	ck_assert_int_eq(it_int(r, "data/amount"), 50);
	it_free(r);
	return tx;
}

/* A new guest (phone, device) buys the hour: outcome is what Daraja will do
 * (a /outcomes default, NULL: as set).  The transaction's id. */
long long
guest_buys(long long plan, long long router, const char *outcome, char local[16], char intl[16],
    char mac[32], char user[32], char checkout[80])
{
	new_phone(local, intl);
	if (outcome) {
		char body[256];

		snprintf(body, sizeof(body), "{\"default\":%s}", outcome);
		ctl_ok(DARAJA, "POST", body, "/outcomes");
	}
	new_mac(mac, user);
	return push_plan(local, mac, plan, router, checkout, 80);
}
