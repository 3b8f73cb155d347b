/* t_netflow.c - the netflow dialect (002) through nginx on it_port() + 2:
 * every endpoint against the document's examples (keys and JSON types),
 * failures in 002's shape, the SMS credentials rule, tenant isolation and
 * rows made through native seen here. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "itest.h"

#define NF (it_port() + 2)

static char nf_tok[2048];

static struct resp *
nfa(const char *tok, const char *method, const char *body, const char *path)
{
	char auth[2300];
	const char *hdrs[2] = { auth, NULL };

	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", tok ? tok : "");
	return it_http(NF, method, path, NULL, body, body ? strlen(body) : 0, tok ? hdrs : NULL);
}

static struct resp *
nf(const char *method, const char *body, const char *path)
{
	return nfa(nf_tok, method, body, path);
}

/* every key of the example with the example's JSON type:
 * "i" integer, "n" number, "s" string, "b" boolean, "a" array, "o" object,
 * "S" string or null, "I" integer or null */
static void
keys(struct misses *m, const char *what, yajl_val o, const char *const spec[][2])
{
	if (o == NULL || !YAJL_IS_OBJECT(o)) {
		miss(m, "%s: not an object", what);
		return;
	}
	for (int i = 0; spec[i][0]; i++) {
		yajl_val v = jget(o, spec[i][0]);
		char t = spec[i][1][0];
		int ok = v != NULL && ((t == 'i' && YAJL_IS_INTEGER(v)) ||
		    (t == 'n' && YAJL_IS_NUMBER(v)) || (t == 's' && YAJL_IS_STRING(v)) ||
		    (t == 'b' && (YAJL_IS_TRUE(v) || YAJL_IS_FALSE(v))) ||
		    (t == 'a' && YAJL_IS_ARRAY(v)) || (t == 'o' && YAJL_IS_OBJECT(v)) ||
		    (t == 'S' && (YAJL_IS_STRING(v) || YAJL_IS_NULL(v))) ||
		    (t == 'I' && (YAJL_IS_INTEGER(v) || YAJL_IS_NULL(v))));

		if (!ok)
			miss(m, "%s: %s missing or not of type %c", what, spec[i][0], t);
	}
}

/* 002's failure: {success: false, message} and the status */
static void
failed(struct resp *r, long status, const char *needle)
{
	ck_assert_msg(r->status == status, "HTTP %ld, expected %ld: %s", r->status, status, r->body);
	ck_assert_int_eq(it_bool(r, "success"), 0);
	ck_assert_ptr_nonnull(it_str(r, "message"));
	if (needle)
		ck_assert_msg(strstr(it_str(r, "message"), needle), "message: %s", r->body);
}

/* a fresh admin of tenant t (0: tenant 1), logged in through netflow */
static void
nf_admin(long long t, char *tok, size_t n)
{
	char body[512], name[64], auth[2300];
	const char *hdrs[2] = { auth, NULL };
	char *su = it_login_admin();
	struct resp *r;

	ck_assert_ptr_nonnull(su);
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", su);
	uniq(name, sizeof(name), "nf");
	if (t)
		snprintf(body, sizeof(body), "{\"username\":\"%s\",\"email\":\"%s@example.org\","
		    "\"password\":\"Nf-Passw0rd-1\",\"user_type\":\"admin\",\"tenant_id\":%lld}",
		    name, name, t);
	else
		snprintf(body, sizeof(body), "{\"username\":\"%s\",\"email\":\"%s@example.org\","
		    "\"password\":\"Nf-Passw0rd-1\",\"user_type\":\"admin\"}", name, name);
	r = it_http(0, "POST", "/api/auth/users/", NULL, body, strlen(body), hdrs);
	ck_assert_msg(r->status == 201, "admin: %ld %s", r->status, r->body);
	it_free(r);
	free(su);
	/* 002's login by email; the panel's "identifier" is tried below */
	snprintf(body, sizeof(body), "{\"email\":\"%s@example.org\",\"password\":\"Nf-Passw0rd-1\"}",
	    name);
	r = it_http(NF, "POST", "/api/auth/login", NULL, body, strlen(body), NULL);
	ck_assert_msg(r->status == 201 && it_str(r, "data/token"), "login: %ld %s", r->status,
	    r->body);
	snprintf(tok, n, "%s", it_str(r, "data/token"));
	it_free(r);
}

static void
setup(void)
{
	nf_admin(0, nf_tok, sizeof(nf_tok));
}

static const char *const user_keys[][2] = {
	{ "id", "i" }, { "username", "s" }, { "email", "s" }, { "full_name", "s" }, { "role", "s" },
	{ NULL, NULL },
};

START_TEST(auth_login_me)
{
	char body[512], name[64];
	struct misses m = { 0 };
	struct resp *r;

	uniq(name, sizeof(name), "nfi");
	/* identifier for the email, top-level token and user */
	snprintf(body, sizeof(body), "{\"identifier\":\"admin\",\"password\":\"%s\"}",
	    it_admin_password());
	r = it_http(NF, "POST", "/api/auth/login", NULL, body, strlen(body), NULL);
	EXPECT(r, 201);
	ck_assert_int_eq(it_bool(r, "success"), 1);
	keys(&m, "login data", it_json(r, "data"), (const char *const[][2]){ { "token", "s" },
	    { "user", "o" }, { NULL, NULL } });
	keys(&m, "login user", it_json(r, "data/user"), user_keys);
	keys(&m, "top level", r->json, (const char *const[][2]){ { "token", "s" }, { "user", "o" },
	    { NULL, NULL } });
	ck_assert_str_eq(it_str(r, "token"), it_str(r, "data/token"));
	ck_assert_str_eq(it_str(r, "data/user/username"), "admin");
	it_free(r);

	/* wrong password: 401 in 002's shape; no email: 400 naming it */
	snprintf(body, sizeof(body), "{\"email\":\"admin@example.net\",\"password\":\"wrong\"}");
	r = it_http(NF, "POST", "/api/auth/login", NULL, body, strlen(body), NULL);
	failed(r, 401, NULL);
	it_free(r);
	r = it_http(NF, "POST", "/api/auth/login", NULL, "{\"password\":\"x\"}", 16, NULL);
	failed(r, 400, "Email is required");
	it_free(r);

	/* me */
	r = nf("GET", NULL, "/api/auth/me");
	EXPECT(r, 200);
	keys(&m, "me", it_json(r, "data"), user_keys);
	ck_assert_str_eq(it_str(r, "data/status"), "active");
	it_free(r);
	r = nfa(NULL, "GET", NULL, "/api/auth/me");
	failed(r, 401, "Unauthorized - Invalid or expired token");
	it_free(r);
	r = nfa("not.a.token", "GET", NULL, "/api/customers");
	failed(r, 401, "Unauthorized");
	it_free(r);

	/* register: 201 with a token, or 403 when the tenant is closed to it */
	snprintf(body, sizeof(body), "{\"username\":\"%s\",\"email\":\"%s@example.org\","
	    "\"password\":\"Nf-Passw0rd-1\",\"full_name\":\"John Doe\"}", name, name);
	r = it_http(NF, "POST", "/api/auth/register", NULL, body, strlen(body), NULL);
	if (r->status == 201) {
		keys(&m, "register user", it_json(r, "data/user"), user_keys);
		ck_assert_str_eq(it_str(r, "data/user/full_name"), "John Doe");
		ck_assert_str_eq(it_str(r, "data/user/role"), "user");
	} else
		failed(r, 403, NULL);
	it_free(r);
	NO_MISSES(m);
}
END_TEST

/* a customer made through native with a name only: the rest null */
static const char *const customer_keys_min[][2] = {
	{ "id", "i" }, { "name", "s" }, { "email", "S" }, { "phone", "S" }, { "address", "S" },
	{ "city", "S" }, { "country", "S" }, { "account_number", "s" }, { "status", "s" },
	{ "balance", "n" }, { "created_at", "s" }, { NULL, NULL },
};

static const char *const customer_keys[][2] = {
	{ "id", "i" }, { "name", "s" }, { "email", "s" }, { "phone", "s" }, { "address", "s" },
	{ "city", "s" }, { "country", "s" }, { "account_number", "s" }, { "status", "s" },
	{ "balance", "n" }, { "created_at", "s" }, { NULL, NULL },
};

START_TEST(customers)
{
	struct misses m = { 0 };
	char path[128], body[512], name[64];
	long long id, native_id;
	struct resp *r;
	const char *t;

	r = nf("POST", "{\"name\":\"John Doe\",\"email\":\"john@example.com\","
	    "\"phone\":\"+254712345678\",\"address\":\"123 Main St\",\"city\":\"Nairobi\","
	    "\"country\":\"Kenya\",\"account_type\":\"retail\",\"status\":\"active\"}",
	    "/api/customers");
	EXPECT(r, 201);
	keys(&m, "created", it_json(r, "data"), customer_keys);
	id = it_int(r, "data/id");
	ck_assert_str_eq(it_str(r, "data/phone"), "+254712345678");
	ck_assert_str_eq(jnum(it_json(r, "data"), "balance"), "0.00");
	t = it_str(r, "data/created_at");
	ck_assert_msg(t && strlen(t) == 19 && t[10] == ' ', "created_at %s", r->body);
	it_free(r);

	snprintf(path, sizeof(path), "/api/customers/%lld", id);
	r = nf("GET", NULL, path);
	EXPECT(r, 200);
	keys(&m, "detail", it_json(r, "data"), customer_keys);
	keys(&m, "detail", it_json(r, "data"), (const char *const[][2]){ { "updated_at", "s" },
	    { NULL, NULL } });
	it_free(r);

	r = nf("PUT", "{\"name\":\"Jane Doe\",\"email\":\"jane@example.com\","
	    "\"phone\":\"+254712345679\",\"status\":\"inactive\"}", path);
	EXPECT(r, 200);
	ck_assert_str_eq(it_str(r, "data/name"), "Jane Doe");
	ck_assert_str_eq(it_str(r, "data/status"), "inactive");
	ck_assert_str_eq(it_str(r, "data/city"), "Nairobi");          /* PUT changes what it names */
	keys(&m, "updated", it_json(r, "data"), (const char *const[][2]){ { "id", "i" },
	    { "name", "s" }, { "email", "s" }, { "updated_at", "s" }, { NULL, NULL } });
	it_free(r);

	/* bad input names the field; unknown id 404 */
	r = nf("POST", "{\"email\":\"x@example.com\"}", "/api/customers");
	failed(r, 400, "name");
	it_free(r);
	r = nf("PUT", "{\"email\":\"not-an-email\"}", path);
	failed(r, 400, "email");
	it_free(r);
	r = nf("GET", NULL, "/api/customers/99999999");
	failed(r, 404, NULL);
	it_free(r);
	r = nf("GET", NULL, "/api/customers?limit=abc");
	failed(r, 400, "limit");
	it_free(r);

	/* made through native, listed here; limit/offset */
	snprintf(body, sizeof(body), "{\"name\":\"%s\"}", uniq(name, sizeof(name), "Native cust "));
	begin();
	native_id = made("/api/customers/", body);
	r = nf("GET", NULL, "/api/customers?limit=1&offset=0");
	EXPECT(r, 200);
	ck_assert_int_eq((long long)jlen(it_json(r, "data")), 1);
	ck_assert_int_eq(jint(jat(it_json(r, "data"), 0), "id"), native_id);
	ck_assert_str_eq(jstr(jat(it_json(r, "data"), 0), "name"), name);
	keys(&m, "list item", jat(it_json(r, "data"), 0), customer_keys_min);
	ck_assert_int_eq(it_int(r, "pagination/limit"), 1);
	it_free(r);
	r = nf("GET", NULL, "/api/customers?limit=1&offset=1");
	EXPECT(r, 200);
	ck_assert_int_ne(jint(jat(it_json(r, "data"), 0), "id"), native_id);
	it_free(r);
	NO_MISSES(m);
}
END_TEST

static long long
nf_customer(const char *name)
{
	char body[256];
	struct resp *r;
	long long id;

	snprintf(body, sizeof(body), "{\"name\":\"%s\",\"phone\":\"0712345678\"}", name);
	r = nf("POST", body, "/api/customers");
	EXPECT(r, 201);
	id = it_int(r, "data/id");
	it_free(r);
	return id;
}

START_TEST(invoices_payments)
{
	static const char *const inv_keys[][2] = {
		{ "id", "i" }, { "invoice_number", "s" }, { "customer_id", "i" },
		{ "customer_name", "s" }, { "amount", "n" }, { "tax", "n" }, { "total", "n" },
		{ "status", "s" }, { "due_date", "s" }, { "created_at", "s" }, { NULL, NULL },
	};
	static const char *const pay_keys[][2] = {
		{ "id", "i" }, { "invoice_id", "i" }, { "customer_id", "i" }, { "amount", "n" },
		{ "payment_method", "s" }, { "status", "s" }, { "created_at", "s" }, { NULL, NULL },
	};
	struct misses m = { 0 };
	char body[512], path[128];
	long long cust = nf_customer("Invoice Customer"), inv, pay;
	struct resp *r;

	snprintf(body, sizeof(body), "{\"customer_id\":%lld,\"amount\":5000.00,\"tax\":500.00,"
	    "\"total\":5500.00,\"status\":\"unpaid\",\"due_date\":\"2024-02-15\"}", cust);
	r = nf("POST", body, "/api/invoices");
	EXPECT(r, 201);
	keys(&m, "invoice created", it_json(r, "data"), inv_keys);
	inv = it_int(r, "data/id");
	ck_assert_str_eq(it_str(r, "data/status"), "unpaid");
	ck_assert_str_eq(jnum(it_json(r, "data"), "total"), "5500.00");
	ck_assert_str_eq(jnum(it_json(r, "data"), "amount"), "5000.00");
	ck_assert_str_eq(it_str(r, "data/due_date"), "2024-02-15");
	ck_assert_msg(!strncmp(it_str(r, "data/invoice_number"), "INV-", 4), "%s", r->body);
	it_free(r);
	/* native sees the core's pending */
	ck_assert_int_eq(sql("SELECT COUNT(*) FROM invoices WHERE id = %lld AND status = 'pending' "
	    "AND total_amount = 5500.00", inv), 1);

	snprintf(path, sizeof(path), "/api/invoices/%lld", inv);
	r = nf("GET", NULL, path);
	EXPECT(r, 200);
	keys(&m, "invoice", it_json(r, "data"), inv_keys);
	it_free(r);
	r = nf("GET", NULL, "/api/invoices");
	EXPECT(r, 200);
	ck_assert_ptr_nonnull(find_int(r, "id", inv));
	keys(&m, "invoice list", jat(it_json(r, "data"), 0), inv_keys);
	it_free(r);

	/* a total that is not amount + tax; an unknown customer */
	snprintf(body, sizeof(body), "{\"customer_id\":%lld,\"amount\":5000.00,\"tax\":500.00,"
	    "\"total\":6000.00}", cust);
	r = nf("POST", body, "/api/invoices");
	failed(r, 400, "total");
	it_free(r);
	r = nf("POST", "{\"customer_id\":99999999,\"amount\":10}", "/api/invoices");
	failed(r, 400, "customer_id");
	it_free(r);

	/* payments */
	snprintf(body, sizeof(body), "{\"invoice_id\":%lld,\"customer_id\":%lld,\"amount\":5500.00,"
	    "\"payment_method\":\"bank_transfer\",\"reference_number\":\"TRF-12345\"}", inv, cust);
	r = nf("POST", body, "/api/payments");
	EXPECT(r, 201);
	keys(&m, "payment created", it_json(r, "data"), (const char *const[][2]){ { "id", "i" },
	    { "status", "s" }, { NULL, NULL } });
	pay = it_int(r, "data/id");
	ck_assert_str_eq(it_str(r, "data/status"), "pending");
	ck_assert_str_eq(it_str(r, "data/reference_number"), "TRF-12345");
	it_free(r);
	r = nf("GET", NULL, "/api/payments?limit=5");
	EXPECT(r, 200);
	ck_assert_ptr_nonnull(find_int(r, "id", pay));
	keys(&m, "payment list", jat(it_json(r, "data"), 0), pay_keys);
	it_free(r);
	r = nf("POST", "{\"amount\":10}", "/api/payments");
	failed(r, 400, "customer_id");
	it_free(r);
	NO_MISSES(m);
}
END_TEST

START_TEST(tickets_leads)
{
	static const char *const ticket_keys[][2] = {
		{ "id", "i" }, { "ticket_number", "s" }, { "customer_id", "i" }, { "subject", "s" },
		{ "description", "s" }, { "priority", "s" }, { "status", "s" }, { "created_at", "s" },
		{ NULL, NULL },
	};
	static const char *const reply_keys[][2] = {
		{ "id", "i" }, { "user_id", "i" }, { "message", "s" }, { "is_internal", "b" },
		{ "created_at", "s" }, { NULL, NULL },
	};
	struct misses m = { 0 };
	char body[512], path[128];
	long long cust = nf_customer("Ticket Customer"), tid, lead;
	struct resp *r;

	snprintf(body, sizeof(body), "{\"customer_id\":%lld,\"subject\":\"Connection issue\","
	    "\"description\":\"Internet keeps disconnecting\",\"priority\":\"high\","
	    "\"category\":\"technical\"}", cust);
	r = nf("POST", body, "/api/tickets");
	EXPECT(r, 201);
	keys(&m, "ticket created", it_json(r, "data"), (const char *const[][2]){ { "id", "i" },
	    { "ticket_number", "s" }, { "status", "s" }, { NULL, NULL } });
	tid = it_int(r, "data/id");
	ck_assert_str_eq(it_str(r, "data/status"), "open");
	ck_assert_msg(!strncmp(it_str(r, "data/ticket_number"), "TKT-", 4), "%s", r->body);
	it_free(r);

	snprintf(path, sizeof(path), "/api/tickets/%lld/replies", tid);
	r = nf("POST", "{\"message\":\"We found the issue. Please restart your modem.\","
	    "\"is_internal\":false}", path);
	EXPECT(r, 201);
	keys(&m, "reply", it_json(r, "data"), (const char *const[][2]){ { "id", "i" },
	    { "ticket_id", "i" }, { "message", "s" }, { "is_internal", "b" }, { NULL, NULL } });
	ck_assert_int_eq(it_int(r, "data/ticket_id"), tid);
	it_free(r);
	r = nf("POST", "{\"is_internal\":false}", path);
	failed(r, 400, "message");
	it_free(r);

	snprintf(path, sizeof(path), "/api/tickets/%lld", tid);
	r = nf("GET", NULL, path);
	EXPECT(r, 200);
	keys(&m, "ticket", it_json(r, "data"), ticket_keys);
	ck_assert_int_eq((long long)jlen(it_json(r, "data/replies")), 1);
	keys(&m, "ticket reply", jat(it_json(r, "data/replies"), 0), reply_keys);
	it_free(r);
	r = nf("GET", NULL, "/api/tickets");
	EXPECT(r, 200);
	ck_assert_ptr_nonnull(find_int(r, "id", tid));
	keys(&m, "ticket list", jat(it_json(r, "data"), 0), ticket_keys);
	it_free(r);
	r = nf("POST", "{\"priority\":\"extreme\",\"subject\":\"x\"}", "/api/tickets");
	failed(r, 400, "priority");
	it_free(r);

	/* leads */
	r = nf("POST", "{\"name\":\"Prospect Ltd\",\"email\":\"p@example.com\","
	    "\"phone\":\"0712000111\",\"source\":\"website\"}", "/api/leads");
	EXPECT(r, 201);
	lead = it_int(r, "data/id");
	ck_assert_str_eq(it_str(r, "data/status"), "new");
	it_free(r);
	snprintf(path, sizeof(path), "/api/leads/%lld", lead);
	r = nf("GET", NULL, path);
	EXPECT(r, 200);
	ck_assert_str_eq(it_str(r, "data/name"), "Prospect Ltd");
	ck_assert_str_eq(it_str(r, "data/phone"), "+254712000111");
	it_free(r);
	r = nf("GET", NULL, "/api/leads");
	EXPECT(r, 200);
	ck_assert_ptr_nonnull(find_int(r, "id", lead));
	it_free(r);
	r = nf("POST", "{\"email\":\"p@example.com\"}", "/api/leads");
	failed(r, 400, "name");
	it_free(r);
	NO_MISSES(m);
}
END_TEST

START_TEST(stats_reports)
{
	struct misses m = { 0 };
	struct resp *r = nf("GET", NULL, "/api/stats/dashboard");

	EXPECT(r, 200);
	keys(&m, "dashboard", it_json(r, "data"), (const char *const[][2]){
	    { "total_customers", "i" }, { "total_invoices", "i" }, { "unpaid_invoices", "i" },
	    { "total_payments", "n" }, { "open_tickets", "i" }, { "recent_leads", "a" },
	    { NULL, NULL } });
	ck_assert_int_eq(it_int(r, "data/total_customers"),
	    sql("SELECT COUNT(*) FROM customers WHERE tenant_id = 1 AND deleted_at IS NULL"));
	it_free(r);
	r = nf("GET", NULL, "/api/reports/revenue");
	EXPECT(r, 200);
	ck_assert_ptr_nonnull(it_json(r, "data"));
	ck_assert(YAJL_IS_ARRAY(it_json(r, "data")));
	for (size_t i = 0; i < jlen(it_json(r, "data")); i++)
		keys(&m, "revenue day", jat(it_json(r, "data"), i), (const char *const[][2]){
		    { "date", "s" }, { "total", "n" }, { NULL, NULL } });
	it_free(r);
	NO_MISSES(m);
}
END_TEST

START_TEST(sms)
{
	static const char *const settings_keys[][2] = {
		{ "provider", "s" }, { "enabled", "b" }, { "apiKey", "s" }, { "partnerId", "s" },
		{ "shortcode", "s" }, { "customApiUrl", "s" }, { NULL, NULL },
	};
	struct misses m = { 0 };
	char body[1024], local[16], intl[16];
	const char *url = it_env("ISPBILL_TEST_SMS_ADVANTA_URL");
	const char *const paths[] = { "/api/sms-settings", "/api/api/sms-settings" };
	struct resp *r;

	money_world();
	setup();
	new_phone(local, intl);
	for (int i = 0; i < 2; i++) {
		r = nf("GET", NULL, paths[i]);
		EXPECT(r, 200);
		ck_assert_int_eq(it_bool(r, "success"), 1);
		keys(&m, "settings", it_json(r, "settings"), settings_keys);
		ck_assert_str_eq(it_str(r, "settings/apiKey"), "***hidden***");
		ck_assert_str_eq(it_str(r, "settings/partnerId"), "12345");
		it_free(r);
	}
	/* camelCase in; the hidden key sent back keeps the key */
	snprintf(body, sizeof(body), "{\"provider\":\"advanta\",\"enabled\":true,"
	    "\"apiKey\":\"***hidden***\",\"partnerId\":\"12345\",\"shortcode\":\"ISPBILL\","
	    "\"customApiUrl\":\"%s\"}", url);
	r = nf("POST", body, "/api/sms-settings");
	EXPECT(r, 200);
	ck_assert_str_eq(it_str(r, "message"), "SMS settings saved successfully");
	it_free(r);
	ck_assert_int_eq(sql("SELECT COUNT(*) FROM sms_settings WHERE tenant_id = 1 AND "
	    "shortcode = 'ISPBILL' AND api_key_enc IS NOT NULL"), 1);
	r = nf("POST", "{\"customApiUrl\":\"ftp://x\"}", "/api/api/sms-settings");
	failed(r, 400, "customApiUrl");
	it_free(r);

	/* the tenant's provider, at both paths */
	snprintf(body, sizeof(body), "{\"to\":\"%s\",\"message\":\"Your invoice is due on "
	    "2024-02-15\"}", local);
	r = nf("POST", body, "/api/sms/send");
	EXPECT(r, 200);
	keys(&m, "sms sent", r->json, (const char *const[][2]){ { "success", "b" },
	    { "message", "s" }, { "messageIds", "a" }, { "recipients", "i" }, { NULL, NULL } });
	ck_assert_str_eq(it_str(r, "message"), "SMS sent successfully to 1 recipient(s)");
	ck_assert_int_eq((long long)jlen(it_json(r, "messageIds")), 1);
	it_free(r);
	r = nf("POST", body, "/api/api/sms/send");
	EXPECT(r, 200);
	it_free(r);
	r = ctl(SMSSIM, "GET", NULL, "/messages?to=%s", intl);
	ck_assert_int_eq((long long)jlen(it_json(r, "messages")), 2);
	ck_assert_str_eq(jstr(jat(it_json(r, "messages"), 0), "sender"), "ISPBILL");
	it_free(r);

	/* the request's own credentials, for this one send, with SMS disabled */
	r = nf("POST", "{\"enabled\":false}", "/api/sms-settings");
	EXPECT(r, 200);
	it_free(r);
	snprintf(body, sizeof(body), "{\"to\":\"%s\",\"message\":\"Own credentials\","
	    "\"provider\":\"advanta\",\"apiKey\":\"sim-advanta-apikey\",\"partnerId\":\"12345\","
	    "\"shortcode\":\"ISPBILL\",\"customApiUrl\":\"%s\"}", local, url);
	r = nf("POST", body, "/api/sms/send");
	EXPECT(r, 200);
	ck_assert_int_eq(it_int(r, "recipients"), 1);
	it_free(r);
	r = ctl(SMSSIM, "GET", NULL, "/messages?to=%s", intl);
	ck_assert_int_eq((long long)jlen(it_json(r, "messages")), 3);
	it_free(r);
	ck_assert_int_eq(sql("SELECT COUNT(*) FROM sms_messages WHERE to_phone = '%s' AND "
	    "message = 'Own credentials' AND status = 'sent'", intl), 1);
	ck_assert_int_eq(sql("SELECT COUNT(*) FROM sms_settings WHERE tenant_id = 1 AND "
	    "shortcode = 'ISPBILL' AND enabled = 0"), 1);       /* the settings unchanged */
	/* a wrong key: the provider's refusal */
	snprintf(body, sizeof(body), "{\"to\":\"%s\",\"message\":\"x\",\"apiKey\":\"wrong\","
	    "\"partnerId\":\"12345\",\"shortcode\":\"S\",\"customApiUrl\":\"%s\"}", local, url);
	r = nf("POST", body, "/api/sms/send");
	failed(r, 502, NULL);
	it_free(r);

	/* the tenant's provider disabled and no credentials */
	snprintf(body, sizeof(body), "{\"to\":\"%s\",\"message\":\"x\"}", local);
	r = nf("POST", body, "/api/sms/send");
	failed(r, 400, "SMS");
	it_free(r);
	/* missing credentials, named as 002 names them */
	r = nf("POST", "{\"provider\":\"advanta\",\"apiKey\":\"\",\"partnerId\":\"\"}",
	    "/api/sms-settings");
	EXPECT(r, 200);
	it_free(r);
	snprintf(body, sizeof(body), "{\"to\":\"%s\",\"message\":\"x\",\"shortcode\":\"S\"}", local);
	r = nf("POST", body, "/api/sms/send");
	failed(r, 400, "Missing Advanta SMS credentials: apiKey, partnerId");
	it_free(r);
	r = nf("POST", "{\"to\":\"abc\",\"message\":\"\"}", "/api/sms/send");
	failed(r, 400, NULL);
	it_free(r);
	NO_MISSES(m);
}
END_TEST

START_TEST(mpesa_payment)
{
	char local[16], intl[16], body[512];
	long long cust, inv;
	struct resp *r;

	money_world();
	setup();
	new_phone(local, intl);
	cust = nf_customer("Mpesa Payer");
	snprintf(body, sizeof(body), "{\"customer_id\":%lld,\"amount\":5000.00,\"tax\":500.00}",
	    cust);
	r = nf("POST", body, "/api/invoices");
	EXPECT(r, 201);
	inv = it_int(r, "data/id");
	it_free(r);
	snprintf(body, sizeof(body), "{\"phone\":\"+%s\",\"amount\":5500,\"invoice_id\":%lld,"
	    "\"customer_id\":%lld}", intl, inv, cust);
	r = nf("POST", body, "/api/integrations/mpesa/payment");
	EXPECT(r, 200);
	ck_assert_int_eq(it_bool(r, "success"), 1);
	ck_assert_ptr_nonnull(it_str(r, "data/CheckoutRequestID"));
	ck_assert_str_eq(it_str(r, "data/ResponseCode"), "0");
	ck_assert_ptr_nonnull(it_str(r, "data/ResponseDescription"));
	it_free(r);
	r = nf("POST", "{\"amount\":10}", "/api/integrations/mpesa/payment");
	failed(r, 400, "phone");
	it_free(r);
}
END_TEST

START_TEST(mikrotik_interfaces)
{
	struct misses m = { 0 };
	char path[128];
	long long rid;
	struct resp *r;

	begin();
	rid = router_rec("v6", 0);
	snprintf(path, sizeof(path), "/api/integrations/mikrotik/interfaces?router_id=%lld", rid);
	r = nf("GET", NULL, path);
	EXPECT(r, 200);
	ck_assert_msg(jlen(it_json(r, "data")) > 0, "%s", r->body);
	keys(&m, "interface", jat(it_json(r, "data"), 0), (const char *const[][2]){
	    { "name", "s" }, { "running", "b" }, { "rx-byte", "i" }, { "tx-byte", "i" },
	    { NULL, NULL } });
	it_free(r);
	r = nf("GET", NULL, "/api/integrations/mikrotik/interfaces?router_id=99999999");
	failed(r, 404, NULL);
	it_free(r);
	r = nf("GET", NULL, "/api/integrations/mikrotik/interfaces?router_id=x");
	failed(r, 400, NULL);
	it_free(r);
	NO_MISSES(m);
}
END_TEST

/* a second tenant's admin sees none of tenant 1's rows, through any path */
START_TEST(tenant_isolation)
{
	char su[2048], other[2048], body[256], code[64], path[128];
	const char *lists[] = { "/api/customers", "/api/invoices", "/api/tickets", "/api/payments",
		"/api/leads" };
	char *t = it_login_admin();
	long long tenant, cust;
	struct resp *r;

	snprintf(su, sizeof(su), "%s", t);
	free(t);
	uniq(code, sizeof(code), "nft");
	snprintf(body, sizeof(body), "{\"name\":\"Netflow %s\",\"code\":\"%s\"}", code, code);
	{
		char auth[2300];
		const char *hdrs[2] = { auth, NULL };

		snprintf(auth, sizeof(auth), "Authorization: Bearer %s", su);
		r = it_http(0, "POST", "/api/tenants/", NULL, body, strlen(body), hdrs);
	}
	EXPECT(r, 201);
	tenant = it_int(r, "data/id");
	it_free(r);
	nf_admin(tenant, other, sizeof(other));
	cust = nf_customer("Tenant One Customer");
	snprintf(body, sizeof(body), "{\"customer_id\":%lld,\"subject\":\"Mine\"}", cust);
	r = nf("POST", body, "/api/tickets");
	EXPECT(r, 201);
	it_free(r);
	for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
		r = nfa(other, "GET", NULL, lists[i]);
		EXPECT(r, 200);
		ck_assert_msg(jlen(it_json(r, "data")) == 0, "%s leaks: %s", lists[i], r->body);
		it_free(r);
	}
	snprintf(path, sizeof(path), "/api/customers/%lld", cust);
	r = nfa(other, "GET", NULL, path);
	failed(r, 404, NULL);
	it_free(r);
	r = nfa(other, "PUT", "{\"name\":\"Taken\"}", path);
	failed(r, 404, NULL);
	it_free(r);
	snprintf(body, sizeof(body), "{\"customer_id\":%lld,\"amount\":10}", cust);
	r = nfa(other, "POST", body, "/api/invoices");
	failed(r, 400, "customer_id");
	it_free(r);
	r = nfa(other, "GET", NULL, "/api/stats/dashboard");
	EXPECT(r, 200);
	ck_assert_int_eq(it_int(r, "data/total_customers"), 0);
	it_free(r);
}
END_TEST

Suite *
suite_netflow(void)
{
	Suite *s = suite_create("netflow");
	TCase *tc = tcase_create("netflow");

	tcase_set_timeout(tc, 120);
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, auth_login_me);
	tcase_add_test(tc, customers);
	tcase_add_test(tc, invoices_payments);
	tcase_add_test(tc, tickets_leads);
	tcase_add_test(tc, stats_reports);
	tcase_add_test(tc, sms);
	tcase_add_test(tc, mpesa_payment);
	tcase_add_test(tc, mikrotik_interfaces);
	tcase_add_test(tc, tenant_isolation);
	suite_add_tcase(s, tc);
	return s;
}
