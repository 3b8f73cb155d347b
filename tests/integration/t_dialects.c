/* t_dialects.c - what holds across the five dialects, driven by the
 * compiled route tables (`ispbill routes DIALECT`, the table the server
 * dispatches with): every `METHOD path` of each seed document is routed by
 * its dialect, no route of any dialect lets one tenant reach another's rows
 * or counts them in its figures, and none lets a user past a permission it
 * lacks. */
#include "config.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "itest.h"

/* the five: seed document, the base its paths are relative to, the nginx
 * port offset, and how many `METHOD path` rows the document is known to
 * list (fewer means the parser lost a form) */
static const struct dia {
	const char *name, *doc, *base;
	int port, min_paths;
} dias[] = {
	{ "native",    "001-isp-admin-panel.md",         "",        0, 75 },
	{ "bitwave",   "000-bitwave-hotspot-billing.md", "/api",    1, 12 },
	{ "netflow",   "002-netflow-crm.md",             "/api",    2, 26 },
	{ "ktl",       "003-ktl-isp-billing.md",         "/api/v1", 3, 39 },
	{ "mikrobill", "004-mikrobill.md",               "",        4, 45 },
};
#define NDIA (int)(sizeof(dias) / sizeof(dias[0]))

struct rt {
	char method[8];
	char pattern[256];
	char perm[64];
	int pub, body;
};

#define MAXRT 256

/* the dialect's compiled route table, in its order */
static int
load_routes(const char *dialect, struct rt *out, int max)
{
	static char buf[65536];
	char cmd[1024], *save = NULL;
	int n = 0;

	snprintf(cmd, sizeof(cmd), "%s/ispbill routes %s", it_build(), dialect);
	ck_assert_msg(it_run(cmd, buf, sizeof(buf)) == 0, "%s: %s", cmd, buf);
	for (char *l = strtok_r(buf, "\n", &save); l && n < max; l = strtok_r(NULL, "\n", &save)) {
		char pub[16], body[16];

		if (sscanf(l, "%7s %255s %63s %15s %15s", out[n].method, out[n].pattern, out[n].perm,
		    pub, body) != 5)
			continue;
		out[n].pub = !strcmp(pub, "public");
		out[n].body = !strcmp(body, "body");
		n++;
	}
	ck_assert_msg(n > 5, "%s: only %d routes", dialect, n);
	return n;
}

/* path against a pattern as the server's router does: segment by segment,
 * {x} any non-empty segment, a trailing slash optional on both sides */
static int
pat_match(const char *pat, const char *path)
{
	const char *p = pat, *s = path;

	for (;;) {
		size_t pl, sl;

		while (*p == '/')
			p++;
		while (*s == '/')
			s++;
		if (*p == '\0' || *s == '\0')
			return *p == '\0' && *s == '\0';
		pl = strcspn(p, "/");
		sl = strcspn(s, "/");
		if (!(*p == '{' && sl > 0) && (pl != sl || memcmp(p, s, pl) != 0))
			return 0;
		p += pl;
		s += sl;
	}
}

static const struct rt *
routed(const struct rt *t, int n, const char *method, const char *path)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(t[i].method, method) && pat_match(t[i].pattern, path))
			return &t[i];
	return NULL;
}

/* 1. every `METHOD path` of every document is in its dialect's table */
START_TEST(test_document_routes)
{
	static struct doc_route dr[256];
	static struct rt t[MAXRT];
	struct misses m = { 0 };
	const char *body;
	struct resp *r;

	for (int d = 0; d < NDIA; d++) {
		int nt = load_routes(dias[d].name, t, MAXRT);
		int n = doc_routes(dias[d].doc, dias[d].base, "1", dr, 256);

		if (n < dias[d].min_paths)
			miss(&m, "%s: only %d paths found in %s (at least %d expected): a form the "
			    "parser misses?", dias[d].name, n, dias[d].doc, dias[d].min_paths);
		for (int i = 0; i < n; i++) {
			/* 004's WebSocket streams come with the next issue: the
			 * only paths skipped */
			if (dr[i].websocket) {
				if (strcmp(dias[d].name, "mikrobill") != 0)
					miss(&m, "%s: a WebSocket path outside 004: %s", dias[d].name,
					    dr[i].path);
				continue;
			}
			if (!routed(t, nt, dr[i].method, dr[i].path))
				miss(&m, "%s: %s %s (%s) is not routed", dias[d].name, dr[i].method,
				    dr[i].path, dias[d].doc);
			/* and nginx sends it to that dialect: without a
			 * credential a routed path answers 401 (or, public, its
			 * own 4xx), never the router's 404 or 405 */
			body = strcmp(dr[i].method, "GET") && strcmp(dr[i].method, "DELETE") ? "{}" : NULL;
			r = it_http(it_port() + dias[d].port, dr[i].method, dr[i].path, NULL, body,
			    body ? 2 : 0, NULL);
			if (r->status == 404 || r->status == 405 || r->status >= 500)
				miss(&m, "%s: %s %s through nginx: %ld %.200s", dias[d].name,
				    dr[i].method, dr[i].path, r->status, r->body);
			it_free(r);
		}
	}
	NO_MISSES(m);
}
END_TEST

/* ==== 2. tenant isolation, every route of every dialect ==== */

/* one tenant's full set of rows, every name carrying mark */
struct rows {
	struct tenant t;
	char mark[64];
	long long customer, plan, router, sub, invoice, payment, ticket, lead, user, role, group,
	    client, cat, perm;
	char uuid_user[40], uuid_role[40], uuid_group[40], uuid_org[40];
	char secret[80], profile[80];
	char key[128];                  /* the API client's X-Client-Key */
};

/* a ktl id (the UUID) of a row, read through ktl as its own tenant */
static void
ktl_uuid(const struct rows *w, const char *coll, long long id, char out[40])
{
	struct resp *r = api_on(it_port() + 3, w->t.tok, "GET", NULL, "/api/v1/%s/%lld/", coll, id);

	ck_assert_msg(r->status == 200 && it_str(r, "id"), "ktl %s %lld: %ld %s", coll, id,
	    r->status, r->body);
	snprintf(out, 40, "%s", it_str(r, "id"));
	it_free(r);
}

/* as w's admin: POST, PUT a body to a path; expect status */
static void
sent_as(const struct rows *w, const char *method, const char *path, const char *body, int st)
{
	struct resp *r = api_as(w->t.tok, method, body, "%s", path);

	ck_assert_msg(r->status == st, "%s %s: %ld %.600s", method, path, r->status, r->body);
	it_free(r);
}

static void
rows_make(const char *su, struct rows *w, const char *sim_router)
{
	char body[1024], path[256];
	const char *tok;
	struct resp *r;

	tenant_make(su, &w->t);
	tok = w->t.tok;
	uniq(w->mark, sizeof(w->mark), "Mk");
	snprintf(body, sizeof(body), "{\"name\":\"Plan %s\",\"speed\":\"5M/2M\",\"price\":50,"
	    "\"duration_value\":30,\"duration_unit\":\"DAYS\",\"connection_type\":\"pppoe\"}",
	    w->mark);
	w->plan = made_as(tok, "/api/plans/", body);
	snprintf(body, sizeof(body), "{\"name\":\"Cust %s\",\"email\":\"%s@example.org\","
	    "\"phone\":\"0712345678\"}", w->mark, w->mark);
	w->customer = made_as(tok, "/api/customers/", body);
	w->router = router_rec_as(tok, sim_router, 0);
	snprintf(body, sizeof(body), "{\"customer_id\":%lld,\"plan_id\":%lld,\"router_id\":%lld}",
	    w->customer, w->plan, w->router);
	w->sub = made_as(tok, "/api/subscriptions/", body);
	snprintf(body, sizeof(body), "{\"customer_id\":%lld,\"subtotal\":\"100.00\","
	    "\"notes\":\"Inv %s\"}", w->customer, w->mark);
	w->invoice = made_as(tok, "/api/billing/invoices/", body);
	snprintf(body, sizeof(body), "{\"customer_id\":%lld,\"invoice_id\":%lld,\"amount\":\"10.00\","
	    "\"payment_method\":\"cash\",\"notes\":\"Pay %s\"}", w->customer, w->invoice, w->mark);
	w->payment = made_as(tok, "/api/payments/payments/", body);
	snprintf(body, sizeof(body), "{\"subject\":\"Tkt %s\",\"description\":\"down\","
	    "\"priority\":\"high\",\"customer_id\":%lld,\"category\":\"technical\"}", w->mark,
	    w->customer);
	w->ticket = made_as(tok, "/api/tickets/", body);
	snprintf(path, sizeof(path), "/api/tickets/%lld/replies/", w->ticket);
	snprintf(body, sizeof(body), "{\"message\":\"Reply %s\"}", w->mark);
	sent_as(w, "POST", path, body, 201);
	snprintf(body, sizeof(body), "{\"name\":\"Lead %s\",\"phone\":\"0712345678\","
	    "\"source\":\"website\",\"status\":\"new\"}", w->mark);
	w->lead = made_as(tok, "/api/leads/", body);
	snprintf(body, sizeof(body), "{\"username\":\"u%s\",\"email\":\"u%s@example.org\","
	    "\"first_name\":\"User\",\"last_name\":\"%s\",\"password\":\"" TENANT_PW "\","
	    "\"password_confirm\":\"" TENANT_PW "\",\"user_type\":\"support_staff\"}", w->mark,
	    w->mark, w->mark);
	w->user = made_as(tok, "/api/auth/users/", body);
	snprintf(body, sizeof(body), "{\"name\":\"role%s\",\"display_name\":\"Role %s\"}", w->mark,
	    w->mark);
	w->role = made_as(tok, "/api/auth/roles/", body);
	snprintf(body, sizeof(body), "{\"user_id\":%lld,\"role_id\":%lld}", w->user, w->role);
	sent_as(w, "POST", "/api/auth/roles/assign/", body, 200);
	snprintf(body, sizeof(body), "{\"name\":\"Grp %s\"}", w->mark);
	w->group = made_as(tok, "/api/auth/groups/", body);
	snprintf(body, sizeof(body), "{\"name\":\"Cli %s\",\"scopes\":[\"*\"]}", w->mark);
	r = api_as(tok, "POST", body, "/api/auth/api-clients/");
	EXPECT(r, 201);
	w->client = it_int(r, "data/id");
	ck_assert_ptr_nonnull(it_str(r, "data/api_key"));
	snprintf(w->key, sizeof(w->key), "%s", it_str(r, "data/api_key"));
	it_free(r);
	snprintf(body, sizeof(body), "{\"name\":\"Cat %s\",\"code\":\"c%s\"}", w->mark, w->mark);
	w->cat = made_as(tok, "/api/auth/permission-categories/", body);
	snprintf(body, sizeof(body), "{\"codename\":\"x.%s\",\"name\":\"Perm %s\",\"category_id\":%lld}",
	    w->mark, w->mark, w->cat);
	w->perm = made_as(tok, "/api/auth/custom-permissions/", body);
	/* live on the router: a PPP profile and secret */
	snprintf(w->profile, sizeof(w->profile), "prof%s", w->mark);
	snprintf(w->secret, sizeof(w->secret), "sec%s", w->mark);
	snprintf(body, sizeof(body), "{\"name\":\"%s\",\"rate_limit\":\"2M/10M\"}", w->profile);
	snprintf(path, sizeof(path), "/api/network/routers/%lld/ppp-profiles/", w->router);
	sent_as(w, "POST", path, body, 201);
	snprintf(body, sizeof(body), "{\"name\":\"%s\",\"password\":\"s3\",\"profile\":\"%s\","
	    "\"service\":\"pppoe\"}", w->secret, w->profile);
	snprintf(path, sizeof(path), "/api/network/routers/%lld/ppp-secrets/", w->router);
	sent_as(w, "POST", path, body, 201);
	/* settings: SMS and M-Pesa */
	snprintf(body, sizeof(body), "{\"provider\":\"advanta\",\"enabled\":true,\"api_key\":\"k%s\","
	    "\"partner_id\":\"P%s\",\"shortcode\":\"S%s\"}", w->mark, w->mark, w->mark);
	sent_as(w, "PUT", "/api/sms/settings/", body, 200);
	snprintf(body, sizeof(body), "{\"enabled\":true,\"shortcode\":\"174379\","
	    "\"transaction_type\":\"PayBill\",\"passkey\":\"pk%s\",\"consumer_key\":\"ck%s\","
	    "\"consumer_secret\":\"cs%s\"}", w->mark, w->mark, w->mark);
	sent_as(w, "PUT", "/api/mpesa/settings/", body, 200);
	ktl_uuid(w, "users", w->user, w->uuid_user);
	ktl_uuid(w, "roles", w->role, w->uuid_role);
	ktl_uuid(w, "groups", w->group, w->uuid_group);
	ktl_uuid(w, "organizations", w->t.id, w->uuid_org);
	/* the router jobs of the subscription done, so that nothing of the
	 * tenant moves behind the sweep's back */
	for (int i = 0; i < 100 && sql("SELECT COUNT(*) FROM router_jobs WHERE tenant_id = %lld "
	    "AND status IN ('pending', 'running')", w->t.id) > 0; i++)
		usleep(100000);
}

/* Every row of a tenant, as one text: per table with a tenant_id (and the
 * tenant itself, and the link tables of roles and groups), the count and a
 * sum of CRC32 over all its columns.  Any change to any row shows.  Not
 * router_traffic_samples: B's own reads of bitwave's bandwidth history
 * (between A's calls) add to it, by design. */
static void
fingerprint(long long tenant, char *out, size_t n)
{
	char file[512], cmd[1024];
	FILE *f;

	snprintf(file, sizeof(file), "%s/fingerprint-%ld.sql", it_dir(), (long)getpid());
	f = fopen(file, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "SET SESSION group_concat_max_len = 1000000; SET @t = %lld;\n"
	    "SET @q = (SELECT GROUP_CONCAT(CONCAT('SELECT ''', t, ''', COUNT(*), "
	    "COALESCE(SUM(CRC32(CONCAT_WS(''|'', ', cols, '))), 0) FROM ', t, ' x WHERE ', "
	    "CASE WHEN t = 'tenants' THEN 'x.id = @t' WHEN ht > 0 THEN 'x.tenant_id = @t' "
	    "ELSE '1' END) SEPARATOR ' UNION ALL ') FROM (SELECT table_name AS t, "
	    "GROUP_CONCAT(CONCAT('x.', column_name) ORDER BY ordinal_position) AS cols, "
	    "SUM(column_name = 'tenant_id') AS ht FROM information_schema.columns "
	    "WHERE table_schema = DATABASE() GROUP BY table_name) s "
	    "WHERE (ht > 0 OR t IN ('tenants', 'user_roles', 'user_groups', 'role_permissions', "
	    "'group_permissions')) AND t <> 'router_traffic_samples');\n"
	    "PREPARE st FROM @q; EXECUTE st;\n", tenant);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "mariadb --no-defaults --socket=%s/mysql.sock -uroot -N -B "
	    "ispbill < %s 2>&1", it_dir(), file);
	ck_assert_msg(it_run(cmd, out, n) == 0, "fingerprint: %s", out);
	ck_assert_msg(strlen(out) > 100, "fingerprint: %s", out);
}

/* the first line that differs, for the report */
static const char *
first_diff(const char *a, const char *b, char *out, size_t n)
{
	while (*a && *b) {
		size_t la = strcspn(a, "\n"), lb = strcspn(b, "\n");

		if (la != lb || memcmp(a, b, la) != 0) {
			snprintf(out, n, "%.*s -> %.*s", (int)la, a, (int)lb, b);
			return out;
		}
		a += la + (a[la] != '\0');
		b += lb + (b[lb] != '\0');
	}
	snprintf(out, n, "(rows added or gone)");
	return out;
}

/*
 * Routes not swept, and why: dialect (NULL: every one), method, pattern.
 * Every other route with a parameter is called as A with B's values, every
 * other GET without one as A's list.
 */
static const struct exempt {
	const char *dialect, *method, *pattern, *why;
} exempt[] = {
	/* no tenant's rows: public, before any login */
	{ NULL, "GET", "/api/health/", "public liveness, no rows" },
	{ NULL, "GET", "/api/health/detailed/", "public, the service's own state" },
	{ NULL, "GET", "/api/health/ready/", "public, the service's own state" },
	{ NULL, "GET", "/api/health/live/", "public, the service's own state" },
	{ NULL, "GET", "/api/schema/", "public OpenAPI document of the route table" },
	/* the bd-geo tables: reference data shared by every tenant */
	{ NULL, "GET", "/api/locations/districts/{id}/thanas/", "global reference data" },
	{ NULL, "GET", "/api/locations/districts/{id}/", "global reference data" },
	{ NULL, "GET", "/api/locations/thanas/{id}/", "global reference data" },
	{ NULL, "GET", "/api/v1/locations/districts/{id}/thanas/", "global reference data" },
	{ NULL, "GET", "/api/v1/locations/districts/{id}/", "global reference data" },
	/* Daraja's callbacks: public, the tenant is the one whose callback
	 * secret is in the path (a wrong secret: t_mpesa) */
	{ NULL, "POST", "/api/mpesa/callback/{secret}/", "public Daraja callback, keyed by secret" },
	{ NULL, "POST", "/api/c2b/validation/{secret}/", "public Daraja callback, keyed by secret" },
	{ NULL, "POST", "/api/c2b/confirmation/{secret}/", "public Daraja callback, keyed by secret" },
};

static const char *
exempted(const char *dialect, const struct rt *t)
{
	for (size_t i = 0; i < sizeof(exempt) / sizeof(exempt[0]); i++)
		if ((!exempt[i].dialect || !strcmp(exempt[i].dialect, dialect)) &&
		    !strcmp(exempt[i].method, t->method) && !strcmp(exempt[i].pattern, t->pattern))
			return exempt[i].why;
	return NULL;
}

static int
ends(const char *s, size_t len, const char *suffix)
{
	size_t n = strlen(suffix);

	return len >= n && !memcmp(s + len - n, suffix, n);
}

/* B's value for the parameter that follows pattern[0..len): by the
 * collection its path names (ktl's UUIDs unless numeric); NULL when the
 * sweep knows no such row */
static const char *
b_value(const struct rows *b, const char *dialect, int numeric, const char *pat, size_t len,
    char *buf, size_t n)
{
	static const struct {
		const char *suffix;
		size_t off;     /* of the id in struct rows */
	} ids[] = {
		{ "/customers", offsetof(struct rows, customer) },
		{ "/customer", offsetof(struct rows, customer) },
		{ "/plans", offsetof(struct rows, plan) },
		{ "/internal/profile", offsetof(struct rows, plan) },
		{ "/routers", offsetof(struct rows, router) },
		{ "/mikrotik", offsetof(struct rows, router) },
		{ "/subscriptions", offsetof(struct rows, sub) },
		{ "/invoices", offsetof(struct rows, invoice) },
		{ "/payments", offsetof(struct rows, payment) },
		{ "/tickets", offsetof(struct rows, ticket) },
		{ "/leads", offsetof(struct rows, lead) },
		{ "/users", offsetof(struct rows, user) },
		{ "/roles", offsetof(struct rows, role) },
		{ "/groups", offsetof(struct rows, group) },
		{ "/api-clients", offsetof(struct rows, client) },
	};
	int ktl = !strcmp(dialect, "ktl") && !numeric;

	if (ends(pat, len, "/ppp/secret") || ends(pat, len, "/ppp-secrets"))
		return b->secret;
	if (ends(pat, len, "/ppp/profile") || ends(pat, len, "/ppp-profiles"))
		return b->profile;
	if (ends(pat, len, "/interfaces"))
		return "ether1";
	if (ends(pat, len, "/tenants") || ends(pat, len, "/tenant") ||
	    ends(pat, len, "/organizations")) {
		if (ktl)
			return b->uuid_org;
		snprintf(buf, n, "%lld", b->t.id);
		return buf;
	}
	if (ktl && ends(pat, len, "/users"))
		return b->uuid_user;
	if (ktl && ends(pat, len, "/roles"))
		return b->uuid_role;
	if (ktl && ends(pat, len, "/groups"))
		return b->uuid_group;
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
		if (ends(pat, len, ids[i].suffix)) {
			snprintf(buf, n, "%lld", *(const long long *)((const char *)b + ids[i].off));
			return buf;
		}
	return NULL;
}

/* the pattern with B's values; 0 when a parameter has none */
static int
b_path(const struct rows *b, const char *dialect, int numeric, const char *pat, char *out,
    size_t n)
{
	size_t o = 0;

	for (const char *p = pat; *p && o + 1 < n; ) {
		if (*p == '{') {
			char buf[64];
			const char *v = b_value(b, dialect, numeric, pat, (size_t)(p - pat - 1), buf,
			    sizeof(buf));

			if (v == NULL)
				return 0;
			o += (size_t)snprintf(out + o, n - o, "%s", v);
			p = strchr(p, '}') + 1;
		} else
			out[o++] = *p++;
	}
	out[o] = '\0';
	/* mikrobill's PPP menus: the device is ?mikrotik_id= */
	if (strstr(pat, "/v1/internal/ppp/"))
		snprintf(out + o, n - o, "?mikrotik_id=%lld", b->router);
	return 1;
}

/* the dialect's "not found" or "forbidden" answer */
static int
denied(const char *dialect, const struct resp *r)
{
	if (r->status != 404 && r->status != 403)
		return 0;
	if (!strcmp(dialect, "native"))
		return it_bool(r, "success") == 0 && it_str(r, "error_code") != NULL;
	if (!strcmp(dialect, "bitwave"))
		return it_str(r, "detail") != NULL;
	if (!strcmp(dialect, "netflow"))
		return it_bool(r, "success") == 0 && it_str(r, "message") != NULL;
	if (!strcmp(dialect, "ktl"))
		return it_bool(r, "success") == 0 && it_int(r, "status") == r->status;
	return it_bool(r, "success") == 0 && it_str(r, "error/code") != NULL;
}

/* does a body show any of B's rows (other than what the caller sent,
 * which an error may quote)? */
static const char *
shows(const struct rows *b, const char *body, const char *sent)
{
	const char *marks[] = { b->mark, b->t.code, b->t.admin, b->uuid_user, b->uuid_role,
	    b->uuid_group, b->uuid_org };

	for (size_t i = 0; i < sizeof(marks) / sizeof(marks[0]); i++)
		if (marks[i][0] && body && strstr(body, marks[i]) && !(sent && strstr(sent, marks[i])))
			return marks[i];
	return NULL;
}

/* A body any write route can take: a change that B would notice; and
 * the bodies of actions that check theirs before the row (so that the
 * sweep reaches the row) */
#define WRITE_BODY "{\"name\":\"taken by A\",\"notes\":\"taken by A\",\"description\":\"x\"}"
static const char *
write_body(const char *pattern)
{
	size_t len = strlen(pattern);

	if (ends(pattern, len, "/ping/"))
		return "{\"address\":\"127.0.0.1\"}";
	if (ends(pattern, len, "/subscriptions/{id}/status/"))
		return "{\"status\":\"suspended\"}";
	return WRITE_BODY;
}

/*
 * Routes without a parameter that take B's ids in their body: made as A,
 * they must fail (4xx) and not touch B; a search or a bulk action may
 * answer 2xx when its answer holds found (nothing or all failed).  In
 * bodies, B's "%C" customer, "%P" plan, "%R" router, "%S" subscription,
 * "%I" invoice, "%U" user, "%O" role, "%L" API client, "%E" PPP secret,
 * "%u" the user's UUID, "%o" the role's UUID, "%N" its admin, "%T" the tenant, "%m" its
 * mark but the first letter (so that a list quoting the query in its
 * next-page link still shows the whole mark only from a row); A's own user
 * "%a" and its UUID "%x".
 */
static const struct body_act {
	const char *dialect, *method, *path, *body, *found;
	int by_key;     /* 1: as A's API client only, -1: both ways, 0: as A's admins */
} body_acts[] = {
	{ "native", "POST", "/api/subscriptions/",
	  "{\"customer_id\":%C,\"plan_id\":%P,\"router_id\":%R}" },
	{ "native", "POST", "/api/billing/invoices/", "{\"customer_id\":%C,\"subtotal\":\"1.00\"}" },
	{ "native", "POST", "/api/payments/payments/",
	  "{\"customer_id\":%C,\"invoice_id\":%I,\"amount\":\"1.00\",\"payment_method\":\"cash\"}" },
	{ "native", "POST", "/api/tickets/", "{\"subject\":\"x\",\"customer_id\":%C}" },
	{ "native", "POST", "/api/auth/roles/assign/", "{\"user_id\":%U,\"role_id\":%O}" },
	{ "native", "POST", "/api/auth/roles/assign/", "{\"user_id\":%a,\"role_id\":%O}" },
	{ "native", "POST", "/api/auth/roles/bulk-assign/", "{\"user_ids\":[%U],\"role_id\":%O}",
	  "\"succeeded\":0" },
	{ "native", "POST", "/api/auth/roles/bulk-assign/", "{\"user_ids\":[%a],\"role_id\":%O}",
	  "\"succeeded\":0" },
	{ "native", "POST", "/api/auth/api-clients/find/", "{\"id\":%L}", "\"data\":[]" },
	{ "native", "DELETE", "/api/auth/api-clients/", "{\"ids\":[%L]}", "\"deleted\":0",
	  -1 },
	{ "native", "POST", "/api/mpesa/stk-push/", "{\"phone\":\"0712345678\","
	  "\"mac_address\":\"AA:BB:CC:DD:EE:01\",\"plan_id\":%P,\"router_id\":%R}" },
	{ "native", "POST", "/api/mpesa/stk-push/", "{\"phone\":\"0712345678\",\"invoice_id\":%I}" },
	{ "netflow", "POST", "/api/invoices", "{\"customer_id\":%C,\"amount\":1}" },
	{ "netflow", "POST", "/api/payments",
	  "{\"customer_id\":%C,\"invoice_id\":%I,\"amount\":1,\"method\":\"cash\"}" },
	{ "netflow", "POST", "/api/tickets", "{\"subject\":\"x\",\"customer_id\":%C}" },
	{ "netflow", "POST", "/api/integrations/mpesa/payment",
	  "{\"invoice_id\":%I,\"phone\":\"0712345678\",\"amount\":1}" },
	{ "ktl", "POST", "/api/v1/roles/assign/", "{\"user_id\":\"%u\",\"role_id\":\"%o\"}" },
	{ "ktl", "POST", "/api/v1/roles/assign/", "{\"user_id\":\"%x\",\"role_id\":\"%o\"}" },
	{ "ktl", "POST", "/api/v1/roles/bulk-assign/",
	  "{\"user_ids\":[\"%u\"],\"role_id\":\"%o\"}" },
	{ "ktl", "POST", "/api/v1/roles/bulk-assign/",
	  "{\"user_ids\":[\"%x\"],\"role_id\":\"%o\"}" },
	{ "mikrobill", "POST", "/v1/internal/customer",
	  "{\"name\":\"x\",\"profile_id\":%P,\"mikrotik_id\":%R}" },
	{ "mikrobill", "POST", "/v1/internal/client-find", "{\"id\":%L}", "\"data\":[]" },
	{ "mikrobill", "POST", "/v1/internal/client-upsert", "{\"id\":%L,\"name\":\"taken by A\"}" },
	{ "mikrobill", "DELETE", "/v1/internal/client-delete", "{\"ids\":[%L]}", "\"deleted\":0",
	  -1 },
	{ "mikrobill", "POST", "/v1/internal/ppp/secret",
	  "{\"mikrotik_id\":%R,\"name\":\"a-secret\",\"password\":\"x\"}", NULL, -1 },
	{ "mikrobill", "POST", "/v1/internal/ppp/profile", "{\"mikrotik_id\":%R,\"name\":\"a-prof\"}",
	  NULL, -1 },
	/* the PPPoE callbacks with A's X-Client-Key and B's device */
	{ "mikrobill", "POST", "/v1/callbacks/pppoe/up", "{\"mikrotik_id\":%R,\"user\":\"%E\"}",
	  NULL, 1 },
	{ "mikrobill", "POST", "/v1/callbacks/pppoe/down", "{\"mikrotik_id\":%R,\"user\":\"%E\"}",
	  NULL, 1 },
	{ "mikrobill", "POST", "/v1/internal/customer",
	  "{\"name\":\"x\",\"profile_id\":%P,\"mikrotik_id\":%R}", NULL, 1 },
};

/* A's lists: plain, and with each filter a list may take set to B's row
 * (bitwave's user_id selects a reseller inside the caller's tenant only) */
static const char *const filters[] = {
	"", "?user_id=%U", "?user_id=%N", "?customer=%C", "?customer_id=%C", "?plan=%P",
	"?plan_id=%P", "?router=%R", "?router_id=%R", "?mikrotik_id=%R", "?subscription=%S",
	"?invoice=%I", "?user=%u", "?role=%o", "?user=%U", "?role=%O", "?tenant=%T",
	"?tenant_id=%T", "?organization=%T", "?search=%m",
};

/* a body_act's body with B's values */
static void
act_body(const struct rows *a, const struct rows *b, const char *tpl, char *out, size_t n)
{
	size_t o = 0;

	for (const char *p = tpl; *p && o + 48 < n; p++) {
		if (*p != '%') {
			out[o++] = *p;
			continue;
		}
		switch (*++p) {
		case 'C': o += (size_t)snprintf(out + o, n - o, "%lld", b->customer); break;
		case 'P': o += (size_t)snprintf(out + o, n - o, "%lld", b->plan); break;
		case 'R': o += (size_t)snprintf(out + o, n - o, "%lld", b->router); break;
		case 'S': o += (size_t)snprintf(out + o, n - o, "%lld", b->sub); break;
		case 'I': o += (size_t)snprintf(out + o, n - o, "%lld", b->invoice); break;
		case 'U': o += (size_t)snprintf(out + o, n - o, "%lld", b->user); break;
		case 'O': o += (size_t)snprintf(out + o, n - o, "%lld", b->role); break;
		case 'L': o += (size_t)snprintf(out + o, n - o, "%lld", b->client); break;
		case 'u': o += (size_t)snprintf(out + o, n - o, "%s", b->uuid_user); break;
		case 'o': o += (size_t)snprintf(out + o, n - o, "%s", b->uuid_role); break;
		case 'a': o += (size_t)snprintf(out + o, n - o, "%lld", a->user); break;
		case 'x': o += (size_t)snprintf(out + o, n - o, "%s", a->uuid_user); break;
		case 'N': o += (size_t)snprintf(out + o, n - o, "%lld", b->t.admin_id); break;
		case 'T': o += (size_t)snprintf(out + o, n - o, "%lld", b->t.id); break;
		case 'm': o += (size_t)snprintf(out + o, n - o, "%s", b->mark + 1); break;
		case 'E': o += (size_t)snprintf(out + o, n - o, "%s", b->secret); break;
		default: ck_abort_msg("act_body: %%%c", *p);
		}
	}
	out[o] = '\0';
}

/* A's admins: the sweep makes some 2500 calls, each admin may make 1000 an
 * hour; every call goes as the next */
#define NATOK 4

/* the sweep's state: both tenants, how A calls (its admins' tokens, or
 * its API client's X-Client-Key), B's fingerprint, what went wrong */
struct sweep {
	struct rows *a, *b;
	char atok[NATOK][2048];
	int next, by_key, numeric;
	char before[16384], after[16384];
	struct misses m;
	int calls;
};

static struct resp *
as_a(struct sweep *w, int port, const char *method, const char *body, const char *path)
{
	char hdr[2200];
	const char *hdrs[2] = { hdr, NULL };

	w->calls++;
	if (w->by_key)
		snprintf(hdr, sizeof(hdr), "X-Client-Key: %s", w->a->key);
	else
		snprintf(hdr, sizeof(hdr), "Authorization: Bearer %s", w->atok[w->next++ % NATOK]);
	return it_http(port, method, path, NULL, body, body ? strlen(body) : 0, hdrs);
}

/* after a write: B as it was, else a miss (and B as it is now) */
static void
b_unchanged(struct sweep *w, const char *what)
{
	char diff[256];

	fingerprint(w->b->t.id, w->after, sizeof(w->after));
	if (strcmp(w->before, w->after) != 0) {
		miss(&w->m, "%s as A changed B: %s", what,
		    first_diff(w->before, w->after, diff, sizeof(diff)));
		memcpy(w->before, w->after, sizeof(w->before));
	}
}

/* a GET without a parameter: A's list, plain and with each filter set to
 * B's rows, shows nothing of B */
static void
sweep_list(struct sweep *w, const char *dn, int port, const struct rt *t)
{
	/* B reads it first, on as many workers as answer: a result a worker
	 * keeps (db/qcache.c) must never be A's answer */
	for (int i = 0; i < 3 && !w->by_key; i++)
		it_free(api_on(port, w->b->t.tok, "GET", NULL, "%s", t->pattern));
	for (size_t q = 0; q < sizeof(filters) / sizeof(filters[0]); q++) {
		char query[160], path[512];
		const char *leak;
		struct resp *r;

		if (w->by_key && q > 0)
			break;
		act_body(w->a, w->b, filters[q], query, sizeof(query));
		snprintf(path, sizeof(path), "%s%s", t->pattern, query);
		r = as_a(w, port, "GET", NULL, path);
		if (r->status >= 500)
			miss(&w->m, "%s GET %s: %ld %.200s", dn, path, r->status, r->body);
		if ((leak = shows(w->b, r->body, query)) != NULL)
			miss(&w->m, "%s GET %s as A shows B's %s", dn, path, leak);
		it_free(r);
	}
}

/* a route with parameters, called with B's values */
static void
sweep_row(struct sweep *w, const char *dn, int port, const struct rt *t)
{
	char path[512], what[700];
	const char *leak;
	struct resp *r;

	if (!b_path(w->b, dn, w->numeric, t->pattern, path, sizeof(path))) {
		miss(&w->m, "%s %s %s: the sweep knows no row of B for it: add it to b_value() "
		    "or, with a reason, to exempt[]", dn, t->method, t->pattern);
		return;
	}
	r = as_a(w, port, t->method, t->body ? write_body(t->pattern) : NULL, path);
	snprintf(what, sizeof(what), "%s %s %s%s", dn, t->method, path,
	    w->by_key ? " (X-Client-Key)" : w->numeric ? " (numeric ids)" : "");
	/* mikrobill's PPP menus answer a device of another tenant as a bad
	 * mikrotik_id (400 naming it); a dialect that takes no client key
	 * answers 401 */
	if (!denied(dn, r) && !(strstr(path, "?mikrotik_id=") && r->status == 400 &&
	    strstr(r->body, "mikrotik_id")) && !(w->by_key && r->status == 401))
		miss(&w->m, "%s as A: %ld %.200s", what, r->status, r->body);
	if ((leak = shows(w->b, r->body, path)) != NULL)
		miss(&w->m, "%s as A shows B's %s", what, leak);
	it_free(r);
	if (strcmp(t->method, "GET") != 0)
		b_unchanged(w, what);
}

/* a create or action with B's ids in its body: fails, changes nothing */
static void
sweep_act(struct sweep *w, const struct body_act *ba)
{
	char body[512], what[700];
	const char *leak;
	struct resp *r;
	int d = 0;

	while (strcmp(dias[d].name, ba->dialect) != 0)
		d++;
	act_body(w->a, w->b, ba->body, body, sizeof(body));
	r = as_a(w, it_port() + dias[d].port, ba->method, body, ba->path);
	snprintf(what, sizeof(what), "%s %s %s %s%s", ba->dialect, ba->method, ba->path, body,
	    w->by_key ? " (X-Client-Key)" : "");
	if ((r->status < 400 || r->status >= 500) &&
	    !(r->status < 300 && ba->found && strstr(r->body, ba->found)))
		miss(&w->m, "%s as A: %ld %.200s", what, r->status, r->body);
	if ((leak = shows(w->b, r->body, body)) != NULL)
		miss(&w->m, "%s as A shows B's %s", what, leak);
	it_free(r);
	b_unchanged(w, what);
}

/* Three passes: as A's admins (Bearer), as A's API client (X-Client-Key),
 * and ktl once more with the numbers 003's examples use for ids. */
START_TEST(test_tenant_isolation_sweep)
{
	static struct rt t[MAXRT];
	struct sweep *w = calloc(1, sizeof(*w));
	char *su = it_login_admin(), name[64];
	int lists = 0, rows = 0;

	ck_assert_ptr_nonnull(su);
	ck_assert_ptr_nonnull(w);
	w->a = calloc(1, sizeof(*w->a));
	w->b = calloc(1, sizeof(*w->b));
	sim_ok("POST", "{}", "/reset");
	rows_make(su, w->a, "v6");
	rows_make(su, w->b, "v7");
	snprintf(w->atok[0], sizeof(w->atok[0]), "%s", w->a->t.tok);
	for (int i = 1; i < NATOK; i++)
		tenant_user(su, w->a->t.id, "admin", name, sizeof(name), w->atok[i],
		    sizeof(w->atok[i]));
	fingerprint(w->b->t.id, w->before, sizeof(w->before));
	for (int pass = 0; pass < 3; pass++) {
		w->by_key = pass == 1;
		w->numeric = pass == 2;
		for (int d = 0; d < NDIA; d++) {
			const char *dn = dias[d].name;
			int port = it_port() + dias[d].port;
			int nt = load_routes(dn, t, MAXRT);

			if (w->numeric && strcmp(dn, "ktl") != 0)
				continue;
			for (int i = 0; i < nt; i++) {
				if (exempted(dn, &t[i]))
					continue;
				if (strchr(t[i].pattern, '{') != NULL) {
					sweep_row(w, dn, port, &t[i]);
					rows += pass == 0;
				} else if (!strcmp(t[i].method, "GET") && !t[i].pub &&
				    !w->numeric) {
					sweep_list(w, dn, port, &t[i]);
					lists += pass == 0;
				}
			}
		}
		for (size_t i = 0; i < sizeof(body_acts) / sizeof(body_acts[0]) && !w->numeric; i++)
			if (body_acts[i].by_key == w->by_key || body_acts[i].by_key < 0)
				sweep_act(w, &body_acts[i]);
	}
	/* and the sweep has teeth: A's own list does show A */
	{
		struct resp *r = api_on(it_port(), w->a->t.tok, "GET", NULL, "/api/customers/");

		if (strstr(r->body, w->a->mark) == NULL)
			miss(&w->m, "A's own customer missing: %.200s", r->body);
		it_free(r);
	}
	free(su);
	free(w->a);
	free(w->b);
	ck_assert_int_ge(rows, 150);
	ck_assert_int_ge(lists, 80);
	ck_assert_int_ge(w->calls, 2000);
	NO_MISSES(w->m);
	free(w);
}
END_TEST

/* ==== 3. no dialect around a permission ==== */

/* A user of tenant A whose type lacks most permissions calls every route
 * whose permission it lacks, in every dialect, on A's own rows: the
 * dialect's 403, every time (the permission is the route table's, checked
 * as native checks it). */
START_TEST(test_permissions_every_dialect)
{
	static struct rt t[MAXRT];
	struct rows *a = calloc(1, sizeof(*a));
	struct misses m = { 0 };
	char *su = it_login_admin(), name[64], tok[2048], perms[16384] = "";
	yajl_val pv;
	struct resp *r;
	int checked = 0;

	ck_assert_ptr_nonnull(su);
	ck_assert_ptr_nonnull(a);
	sim_ok("POST", "{}", "/reset");
	rows_make(su, a, "v6");
	tenant_user(su, a->t.id, "support_staff", name, sizeof(name), tok, sizeof(tok));
	r = api_as(tok, "GET", NULL, "/api/auth/me/permissions/");
	EXPECT(r, 200);
	pv = it_json(r, "data/permissions");
	ck_assert_msg(jlen(pv) > 0, "%s", r->body);
	for (size_t i = 0; i < jlen(pv); i++)      /* " a b c " */
		snprintf(perms + strlen(perms), sizeof(perms) - strlen(perms), " %s",
		    YAJL_IS_STRING(jat(pv, i)) ? jat(pv, i)->u.string : "?");
	strncat(perms, " ", sizeof(perms) - strlen(perms) - 1);
	it_free(r);
	for (int d = 0; d < NDIA; d++) {
		const char *dn = dias[d].name;
		int nt = load_routes(dn, t, MAXRT);

		for (int i = 0; i < nt; i++) {
			char path[512], needle[80];

			snprintf(needle, sizeof(needle), " %s ", t[i].perm);
			if (!strcmp(t[i].perm, "-") || strstr(perms, needle) || exempted(dn, &t[i]))
				continue;
			if (strchr(t[i].pattern, '{') && !b_path(a, dn, 0, t[i].pattern, path,
			    sizeof(path))) {
				miss(&m, "%s %s %s: no row of A for it", dn, t[i].method, t[i].pattern);
				continue;
			}
			if (!strchr(t[i].pattern, '{'))
				snprintf(path, sizeof(path), "%s", t[i].pattern);
			r = api_on(it_port() + dias[d].port, tok, t[i].method,
			    t[i].body ? write_body(t[i].pattern) : NULL, "%s", path);
			checked++;
			if (r->status != 403 || !denied(dn, r))
				miss(&m, "%s %s %s without %s: %ld %.200s", dn, t[i].method, path,
				    t[i].perm, r->status, r->body);
			it_free(r);
		}
	}
	free(su);
	free(a);
	ck_assert_int_ge(checked, 100);
	NO_MISSES(m);
}
END_TEST

/* ==== 4. one tenant's figures are its own ==== */

/* keys whose values move by themselves: clocks, durations, live reads */
static int
volatile_key(const char *k)
{
	static const char *const keys[] = { "timestamp", "generated_at", "uptime", "duration_ms",
	    "response_time_ms", "latency_ms", "checked_at", "server_time", "time", NULL };

	for (int i = 0; keys[i]; i++)
		if (!strcmp(k, keys[i]))
			return 1;
	return 0;
}

/* the first place two answers differ, past volatile keys and times; 0 if
 * none */
static int
json_differs(yajl_val x, yajl_val y, char *at, size_t n)
{
	size_t len = strlen(at);

	if (x == NULL || y == NULL)
		return x != y;
	if (x->type != y->type)
		return 1;
	if (YAJL_IS_STRING(x))
		return strcmp(x->u.string, y->u.string) != 0 &&
		    !(iso_time(x->u.string) && iso_time(y->u.string));
	if (YAJL_IS_NUMBER(x))
		return strcmp(x->u.number.r, y->u.number.r) != 0;
	if (YAJL_IS_ARRAY(x)) {
		if (x->u.array.len != y->u.array.len)
			return 1;
		for (size_t i = 0; i < x->u.array.len; i++) {
			snprintf(at + len, n - len, "/%zu", i);
			if (json_differs(x->u.array.values[i], y->u.array.values[i], at, n))
				return 1;
		}
	}
	if (YAJL_IS_OBJECT(x)) {
		if (x->u.object.len != y->u.object.len)
			return 1;
		for (size_t i = 0; i < x->u.object.len; i++) {
			const char *k = x->u.object.keys[i];

			snprintf(at + len, n - len, "/%s", k);
			if (!volatile_key(k) && json_differs(x->u.object.values[i], jget(y, k), at, n))
				return 1;
		}
	}
	at[len] = '\0';
	return 0;
}

/* GETs whose answer changes with every call whoever else has rows:
 * bitwave's bandwidth history keeps a sample of A's own router per look */
static int
grows_by_looking(const char *dialect, const struct rt *t)
{
	return !strcmp(dialect, "bitwave") && !strcmp(t->pattern, "/api/mikrotik/bandwidth-history");
}

/* Every GET without a parameter of every dialect (lists, dashboards,
 * statistics, reports), as A, answers the same before B has any rows and
 * after B has a full set with money paid: no figure of A counts B. */
START_TEST(test_figures_are_the_tenants_own)
{
	static struct rt t[MAXRT];
	static struct resp *first[NDIA][MAXRT];
	struct rows *a = calloc(1, sizeof(*a)), *b = calloc(1, sizeof(*b));
	struct misses m = { 0 };
	char *su = it_login_admin(), path[256];
	int compared = 0;

	ck_assert_ptr_nonnull(su);
	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	sim_ok("POST", "{}", "/reset");
	rows_make(su, a, "v6");
	for (int pass = 0; pass < 2; pass++) {
		if (pass == 1) {
			/* B: rows, and its money in */
			rows_make(su, b, "v7");
			snprintf(path, sizeof(path), "/api/billing/invoices/%lld/mark-paid/", b->invoice);
			sent_as(b, "POST", path, "{\"payment_method\":\"mpesa\"}", 200);
			snprintf(path, sizeof(path), "/api/payments/payments/%lld/mark-completed/",
			    b->payment);
			it_free(api_as(b->t.tok, "POST", NULL, "%s", path));
		}
		for (int d = 0; d < NDIA; d++) {
			int nt = load_routes(dias[d].name, t, MAXRT);

			for (int i = 0; i < nt; i++) {
				struct resp *r;
				char at[512] = "";

				if (strcmp(t[i].method, "GET") != 0 || strchr(t[i].pattern, '{') ||
				    t[i].pub || exempted(dias[d].name, &t[i]) ||
				    grows_by_looking(dias[d].name, &t[i]))
					continue;
				r = api_on(it_port() + dias[d].port, a->t.tok, "GET", NULL, "%s",
				    t[i].pattern);
				if (pass == 0) {
					first[d][i] = r;
					continue;
				}
				compared++;
				if (first[d][i]->status != r->status ||
				    json_differs(first[d][i]->json, r->json, at, sizeof(at)))
					miss(&m, "%s GET %s as A moved when B got rows: at %s: %.150s -> "
					    "%.150s", dias[d].name, t[i].pattern, at, first[d][i]->body,
					    r->body);
				it_free(first[d][i]);
				it_free(r);
			}
		}
	}
	free(su);
	free(a);
	free(b);
	ck_assert_int_ge(compared, 80);
	NO_MISSES(m);
}
END_TEST

Suite *
suite_dialects(void)
{
	Suite *s = suite_create("dialects");
	TCase *tc = tcase_create("dialects");

	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_document_routes);
	tcase_add_test(tc, test_tenant_isolation_sweep);
	tcase_add_test(tc, test_permissions_every_dialect);
	tcase_add_test(tc, test_figures_are_the_tenants_own);
	suite_add_tcase(s, tc);
	return s;
}
