/* cli_main.c - ispbill: the operator's command line (migrate, create-admin, version). */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <mysql.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/dialects.h"
#include "core/locations.h"
#include "core/provision.h"
#include "core/secrets.h"
#include "core/mpesa.h"
#include "core/sms.h"
#include "core/summaries.h"
#include "core/sweep.h"
#include "core/users.h"
#include "db/db.h"
#include "db/migrate.h"
#include "util/conf.h"
#include "util/log.h"

static struct config cfg;

static void
usage(FILE *fp)
{
	fprintf(fp,
	    "usage: ispbill [--config FILE] COMMAND [ARGS]\n"
	    "commands:\n"
	    "  migrate [--sql-dir DIR]          apply the missing sql/NNN_*.sql migrations\n"
	    "  create-admin --username NAME [--email EMAIL] [--tenant NAME]\n"
	    "               [--tenant-code CODE]\n"
	    "                                   make a super admin (password from\n"
	    "                                   ISPBILL_ADMIN_PASSWORD, or read from stdin)\n"
	    "  locations import DIR             load divisions.csv, districts.csv and\n"
	    "                                   upazilas.csv (the bd-geo data set)\n"
	    "  demo --customers N --payments M [--tenant CODE] [--append]  make sample data\n"
	    "  sweep                            periodic upkeep (run it every minute): expire\n"
	    "                                   due subscriptions, push router jobs\n"
	    "  router test ID                   log in to a router, print identity and resource\n"
	    "  router exec ID /menu/cmd [=k=v ?q ...]\n"
	    "                                   run one RouterOS API command, print the replies\n"
	    "  stats check|rebuild [--tenant CODE]\n"
	    "                                   prove the kept statistics against the rows\n"
	    "                                   (exit 1 on a difference), or recompute them\n"
	    "  routes DIALECT                   print the dialect's route table: method,\n"
	    "                                   pattern, permission (- none), public|auth,\n"
	    "                                   body|- (takes a JSON body)\n"
	    "  check-config                     print the configuration, secrets masked\n"
	    "  version                          print the version\n");
}

/* routes DIALECT: the compiled table, what /api/schema/ must list */
static int
cmd_routes(int argc, char **argv)
{
	const struct dialect *d = argc == 2 ? dialect_find(argv[1]) : NULL;

	if (d == NULL) {
		fprintf(stderr, "usage: ispbill routes native|bitwave|netflow|ktl|mikrobill\n");
		return 2;
	}
	for (size_t i = 0; i < d->nroutes; i++)
		printf("%s %s %s %s %s\n", d->routes[i].method, d->routes[i].pattern,
		    d->routes[i].perm ? d->routes[i].perm : "-",
		    d->routes[i].flags & R_PUBLIC ? "public" : "auth",
		    d->routes[i].flags & R_BODY ? "body" : "-");
	return 0;
}

static int
connect_db(struct db *db, unsigned long flags)
{
	db_init(db, &cfg, flags);
	if (db_connect(db) < 0) {
		fprintf(stderr, "ispbill: cannot connect to the database: %s\n", db->errmsg);
		return -1;
	}
	return 0;
}

static int
cmd_migrate(int argc, char **argv)
{
	const char *dir = cfg.sql_dir;
	struct db db;
	int rc;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--sql-dir") == 0 && i + 1 < argc)
			dir = argv[++i];
		else {
			fprintf(stderr, "ispbill migrate: unknown argument %s\n", argv[i]);
			return 2;
		}
	}
	if (connect_db(&db, CLIENT_MULTI_STATEMENTS) < 0)
		return 1;
	rc = migrate_apply(&db, dir);
	if (rc == 0)
		printf("schema at version %d\n", migrate_current(&db));
	db_close(&db);
	return rc == 0 ? 0 : 1;
}

static int
read_password(char *out, size_t n)
{
	const char *env = getenv("ISPBILL_ADMIN_PASSWORD");
	size_t len;

	if (env && *env) {
		if (strlen(env) >= n)
			return -1;
		memcpy(out, env, strlen(env) + 1);
		return 0;
	}
	if (fgets(out, (int)n, stdin) == NULL)
		return -1;
	len = strcspn(out, "\r\n");
	out[len] = '\0';
	return len ? 0 : -1;
}

static int
cmd_create_admin(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "username", required_argument, NULL, 'u' },
		{ "email", required_argument, NULL, 'e' },
		{ "tenant", required_argument, NULL, 't' },
		{ "tenant-code", required_argument, NULL, 'T' },
		{ NULL, 0, NULL, 0 },
	};
	const char *username = NULL, *email = NULL, *tenant = "Default", *code = "default";
	char password[1025];
	struct db db;
	int c, created, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "u:e:t:T:", opts, NULL)) != -1) {
		switch (c) {
		case 'u': username = optarg; break;
		case 'e': email = optarg; break;
		case 't': tenant = optarg; break;
		case 'T': code = optarg; break;
		default: return 2;
		}
	}
	if (username == NULL || *username == '\0' || strlen(username) > 150) {
		fprintf(stderr, "ispbill create-admin: --username is required (1-150 characters)\n");
		return 2;
	}
	if (read_password(password, sizeof(password)) < 0 || strlen(password) < 8) {
		fprintf(stderr, "ispbill create-admin: a password of 8 to 1024 characters is needed "
		    "in ISPBILL_ADMIN_PASSWORD or on standard input\n");
		return 2;
	}
	if (connect_db(&db, 0) < 0)
		return 1;
	rc = users_create_admin(&db, tenant, code, username, email, password, &created);
	sodium_memzero(password, sizeof(password));
	db_close(&db);
	if (rc != 0) {
		fprintf(stderr, "ispbill create-admin: %s\n", db.errmsg);
		return 1;
	}
	printf(created ? "created super admin %s in tenant %s\n" :
	    "user %s already exists; left unchanged (tenant %s)\n", username, code);
	return 0;
}

static int
cmd_locations(int argc, char **argv)
{
	char err[512];
	int counts[3];
	struct db db;
	int rc;

	if (argc != 3 || strcmp(argv[1], "import") != 0) {
		fprintf(stderr, "usage: ispbill locations import DIR\n");
		return 2;
	}
	if (connect_db(&db, 0) < 0)
		return 1;
	rc = locations_import(&db, argv[2], counts, err, sizeof(err));
	db_close(&db);
	if (rc < 0) {
		fprintf(stderr, "ispbill locations import: %s\n", err);
		return 1;
	}
	printf("imported %d divisions, %d districts, %d thanas\n", counts[0], counts[1], counts[2]);
	return 0;
}

#include "core/demo.h"   /* here, beside its only user */

static void
demo_progress(void *arg, const char *step, long long rows, double secs)
{
	(void)arg;
	printf("  %-30s %10lld rows %8.2f s\n", step, rows, secs);
	fflush(stdout);
}

static int
cmd_demo(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "customers", required_argument, NULL, 'c' },
		{ "payments", required_argument, NULL, 'p' },
		{ "tenant", required_argument, NULL, 't' },
		{ "append", no_argument, NULL, 'a' },
		{ "quiet", no_argument, NULL, 'q' },
		{ NULL, 0, NULL, 0 },
	};
	struct demo_opts o = { "default", -1, -1, 0, demo_progress, NULL };
	struct demo_counts n;
	char err[512], *end;
	struct db db;
	int c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "c:p:t:aq", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
		case 'p':
			errno = 0;
			*(c == 'c' ? &o.customers : &o.payments) = strtoll(optarg, &end, 10);
			if (errno || end == optarg || *end) {
				fprintf(stderr, "ispbill demo: --%s wants a number\n",
				    c == 'c' ? "customers" : "payments");
				return 2;
			}
			break;
		case 't': o.tenant_code = optarg; break;
		case 'a': o.append = 1; break;
		case 'q': o.progress = NULL; break;
		default: return 2;
		}
	}
	if (o.customers < 1 || o.payments < 0 || optind != argc) {
		fprintf(stderr, "usage: ispbill demo --customers N --payments M [--tenant CODE] "
		    "[--append] [--quiet]\n");
		return 2;
	}
	/* one statement can outlast the usual read timeout at 1M payments */
	if (cfg.db_read_timeout < 3600)
		cfg.db_read_timeout = 3600;
	if (connect_db(&db, 0) < 0)
		return 1;
	if (o.progress)
		printf("demo: %lld customers, %lld payments for tenant %s\n", o.customers,
		    o.payments, o.tenant_code);
	rc = demo_generate(&db, &o, &n, err, sizeof(err));
	db_close(&db);
	if (rc != 0) {
		fprintf(stderr, "ispbill demo: %s\n", err);
		return 1;
	}
	printf("demo: tenant %s (id %lld): %lld routers and %lld plans new, %lld customers, "
	    "%lld subscriptions, %lld invoices, %lld payments, %lld tickets (%lld replies), "
	    "%lld leads%s in %.1f s\n", o.tenant_code, n.tenant_id, n.routers, n.plans,
	    n.customers, n.subscriptions, n.invoices, n.payments, n.tickets, n.replies, n.leads,
	    n.locations ? "; Bangladesh addresses from the locations tables" : "", n.secs);
	return 0;
}

static int
cmd_sweep(void)
{
	struct sweep_counts c;
	struct prov_jobs jobs;
	long long expired = 0;
	struct db db;
	int rc;

	if (connect_db(&db, 0) < 0)
		return 1;
	rc = sweep_identity(&db, &c);
	if (rc != 0)
		fprintf(stderr, "ispbill sweep: database error: %s\n", db.errmsg);
	else
		printf("sweep: removed %lld login attempts, %lld rate windows, %lld token "
		    "revocations, %lld refresh tokens, %lld ended logins\n", c.login_attempts,
		    c.rate_counters, c.revoked_tokens, c.refresh_tokens, c.families);
	if (rc == 0 && (rc = prov_expire_due(&db, &expired)) != CORE_OK)
		fprintf(stderr, "ispbill sweep: expiring: database error: %s\n", db.errmsg);
	else if (rc == 0)
		printf("sweep: expired %lld subscriptions\n", expired);
	/* lost M-Pesa callbacks, by STK query: before the router work, which
	 * then provisions what they paid for */
	if (rc == 0) {
		struct mpesa_sweep_counts m;

		if ((rc = mpesa_sweep(&db, &cfg, &m)) != CORE_OK)
			fprintf(stderr, "ispbill sweep: M-Pesa: database error: %s\n", db.errmsg);
		else
			printf("sweep: M-Pesa: %lld pending checked, %lld completed, %lld failed, "
			    "%lld expired\n", m.checked, m.completed, m.failed, m.expired);
	}
	/* the router work: a minute at most, so runs do not pile up */
	if (rc == 0 && (rc = prov_jobs_run(&db, &cfg, 0, 0, 55000, 0, &jobs)) != CORE_OK)
		fprintf(stderr, "ispbill sweep: router jobs: database error: %s\n", db.errmsg);
	else if (rc == 0)
		printf("sweep: router jobs: %lld claimed, %lld done, %lld to retry\n", jobs.claimed,
		    jobs.done, jobs.failed);
	if (rc == 0) {
		long long sent;

		if ((rc = sms_reminders(&db, &cfg, &sent)) != CORE_OK)
			fprintf(stderr, "ispbill sweep: SMS reminders: database error: %s\n", db.errmsg);
		else
			printf("sweep: SMS reminders: %lld sent\n", sent);
	}
	db_close(&db);
	return rc == 0 ? 0 : 1;
}

static void
print_result(const struct ros_result *res)
{
	struct buf b = BUF_INIT;

	for (size_t i = 0; i < res->nitems; i++) {
		printf("!re");
		for (size_t k = 0; k < res->items[i].n; k++) {
			const struct ros_attr *at = &res->items[i].attrs[k];

			buf_reset(&b);
			ros_utf8_sanitize(&b, at->value.p, at->value.len);
			printf(" =%.*s=%s", (int)at->key.len, at->key.p, buf_cstr(&b));
		}
		printf("\n");
	}
	for (size_t i = 0; i < res->ntraps; i++)
		printf("!trap =message=%.*s\n", (int)res->traps[i].message.len,
		    res->traps[i].message.p);
	if (res->empty)
		printf("!empty\n");
	printf("!done%s%s\n", ros_result_ret(res) ? " =ret=" : "",
	    ros_result_ret(res) ? ros_result_ret(res) : "");
	buf_free(&b);
}

/* ispbill router test ID | router exec ID /command [words...] */
static int
cmd_router(int argc, char **argv)
{
	struct db db;
	struct arena a;
	struct prov p;
	struct prov_test t;
	struct ros_result res;
	char msg[400], *end;
	long long id;
	int rc;

	if (argc < 3 || (strcmp(argv[1], "test") && strcmp(argv[1], "exec")) ||
	    (!strcmp(argv[1], "exec") && (argc < 4 || argv[3][0] != '/')) ||
	    (id = strtoll(argv[2], &end, 10)) <= 0 || *end) {
		fprintf(stderr, "usage: ispbill router test ID | router exec ID /menu/command "
		    "[=key=value ?query ...]\n");
		return 2;
	}
	if (connect_db(&db, 0) < 0)
		return 1;
	arena_init(&a);
	memset(&p, 0, sizeof(p));
	if (!strcmp(argv[1], "test")) {
		rc = prov_test(&db, &a, &cfg, 0, id, &t, &p.err);
		if (rc == CORE_OK)
			printf("router %lld: %s, RouterOS %s, uptime %s, cpu load %d%%, board %s, "
			    "%lld ms\n", id, t.identity, t.res.version, t.res.uptime, t.res.cpu_load,
			    t.res.board_name, t.response_ms);
	} else {
		rc = prov_open(&db, &a, &cfg, 0, id, 0, &p);
		if (rc == CORE_OK) {
			rc = prov_cmd(&p, (const char *const *)argv + 3, (size_t)(argc - 3), &res);
			print_result(&res);
			ros_result_free(&res);
		}
		prov_close(&p);
	}
	if (rc == CORE_NOT_FOUND)
		fprintf(stderr, "ispbill router: no router %lld\n", id);
	else if (rc == PROV_ROUTER)
		fprintf(stderr, "ispbill router %lld: %s\n", id, ros_error_format(&p.err, msg,
		    sizeof(msg)));
	else if (rc != CORE_OK)
		fprintf(stderr, "ispbill router: database error: %s\n", db.errmsg);
	arena_free(&a);
	db_close(&db);
	return rc == CORE_OK ? 0 : 1;
}

/* ispbill stats check|rebuild [--tenant CODE]: every tenant by default */
static int
cmd_stats(int argc, char **argv)
{
	const char *code = NULL;
	int check, bad = 0, rc = 0;
	struct db db;
	struct db_result r;
	struct arena a;
	struct db_param p[1];

	if (argc == 4 && !strcmp(argv[2], "--tenant"))
		code = argv[3];
	if ((argc != 2 && !code) || (strcmp(argv[1], "check") && strcmp(argv[1], "rebuild"))) {
		fprintf(stderr, "usage: ispbill stats check|rebuild [--tenant CODE]\n");
		return 2;
	}
	check = !strcmp(argv[1], "check");
	if (cfg.db_read_timeout < 3600)
		cfg.db_read_timeout = 3600;
	if (connect_db(&db, 0) < 0)
		return 1;
	arena_init(&a);
	p[0] = db_str(code ? code : "");
	if (db_query(&db, &a, code ? "SELECT id, code FROM tenants WHERE code = ?" :
	    "SELECT id, code FROM tenants ORDER BY id", p, code ? 1 : 0, &r) < 0) {
		fprintf(stderr, "ispbill stats: %s\n", db.errmsg);
		rc = 1;
	} else if (r.nrows == 0) {
		fprintf(stderr, "ispbill stats: no tenant %s\n", code ? code : "at all");
		rc = 1;
	}
	for (unsigned i = 0; rc == 0 && i < r.nrows; i++) {
		long long id = db_val_int(&r, i, 0, 0);
		struct buf report = BUF_INIT;
		int ndiff = 0;

		if ((check ? summaries_check(&db, id, &ndiff, &report) :
		    summaries_rebuild(&db, id)) != CORE_OK) {
			fprintf(stderr, "ispbill stats: tenant %s: %s\n", db_val(&r, i, 1), db.errmsg);
			rc = 1;
		} else if (!check)
			printf("stats: tenant %s rebuilt\n", db_val(&r, i, 1));
		else if (ndiff == 0)
			printf("stats: tenant %s: every kept figure matches its rows\n",
			    db_val(&r, i, 1));
		else {
			printf("stats: tenant %s: %d summaries differ from the rows:\n%s",
			    db_val(&r, i, 1), ndiff, buf_cstr(&report));
			bad = 1;
		}
		buf_free(&report);
	}
	arena_free(&a);
	db_close(&db);
	return rc ? rc : bad;
}

int
main(int argc, char **argv)
{
	const char *cfg_path = getenv("ISPBILL_CONFIG");
	char err[512];
	int i = 1, rc;

	if (argc > 2 && strcmp(argv[1], "--config") == 0) {
		cfg_path = argv[2];
		i = 3;
	}
	if (i >= argc) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[i], "version") || !strcmp(argv[i], "--version")) {
		printf("ispbill %s\n", PACKAGE_VERSION);
		return 0;
	}
	if (!strcmp(argv[i], "routes"))         /* no configuration needed */
		return cmd_routes(argc - i, argv + i);
	if (!strcmp(argv[i], "help") || !strcmp(argv[i], "--help")) {
		usage(stdout);
		return 0;
	}
	if (config_load(&cfg, cfg_path, err, sizeof(err)) < 0) {
		fprintf(stderr, "ispbill: configuration error: %s\n", err);
		return 1;
	}
	log_init("ispbill", 0);
	if (sodium_init() < 0) {
		fprintf(stderr, "ispbill: libsodium failed to initialise\n");
		return 1;
	}
	secrets_init(cfg.secret_key);
	if (!strcmp(argv[i], "migrate"))
		rc = cmd_migrate(argc - i, argv + i);
	else if (!strcmp(argv[i], "create-admin"))
		rc = cmd_create_admin(argc - i, argv + i);
	/* ---- demo (core/demo.c): begin ---- */
	else if (!strcmp(argv[i], "demo"))
		rc = cmd_demo(argc - i, argv + i);
	/* ---- demo (core/demo.c): end ---- */
	else if (!strcmp(argv[i], "sweep"))
		rc = cmd_sweep();
	else if (!strcmp(argv[i], "router"))
		rc = cmd_router(argc - i, argv + i);
	else if (!strcmp(argv[i], "stats"))
		rc = cmd_stats(argc - i, argv + i);
	else if (!strcmp(argv[i], "locations"))
		rc = cmd_locations(argc - i, argv + i);
	else if (!strcmp(argv[i], "check-config")) {
		config_dump(&cfg, stdout);
		rc = 0;
	} else {
		fprintf(stderr, "ispbill: unknown command '%s'\n", argv[i]);
		usage(stderr);
		rc = 2;
	}
	config_free(&cfg);
	mysql_library_end();
	return rc;
}
