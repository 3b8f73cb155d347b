/* t_db.c - the database layer and the command line against the real
 * MariaDB: transaction retry on lock wait timeout, reconnect, migrations
 * applied once, configuration checking. */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "db/db.h"
#include "util/conf.h"
#include "itest.h"

static struct config cfg;

static void
load_cfg(void)
{
	char path[1024], err[256];

	snprintf(path, sizeof(path), "%s/ispbill.conf", it_dir());
	ck_assert_msg(config_load(&cfg, path, err, sizeof(err)) == 0, "%s", err);
}

static void
sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

struct holder {
	int hold_ms;
	int ok;
};

/* Hold a row lock for a while in its own connection, then commit. */
static void *
hold_lock(void *arg)
{
	struct holder *h = arg;
	struct db db;
	struct arena a;

	arena_init(&a);
	db_init(&db, &cfg, 0);
	h->ok = db_begin(&db) == 0 &&
	    db_query(&db, &a, "SELECT v FROM it_locks WHERE id = 1 FOR UPDATE", NULL, 0, NULL) == 0;
	sleep_ms(h->hold_ms);
	if (h->ok)
		h->ok = db_commit(&db) == 0;
	db_close(&db);
	arena_free(&a);
	return NULL;
}

struct bump {
	int attempts;
	struct arena a;
};

static int
bump_row(struct db *db, void *ctx)
{
	struct bump *b = ctx;

	b->attempts++;
	if (db_exec(db, "SET SESSION innodb_lock_wait_timeout = 1") < 0)
		return -1;
	return db_query(db, &b->a, "UPDATE it_locks SET v = v + 1 WHERE id = 1", NULL, 0, NULL);
}

START_TEST(tx_retries_after_lock_wait_timeout)
{
	struct db db;
	struct holder h = { 1600, 0 };
	struct bump b = { 0 };
	struct db_result r;
	pthread_t th;

	load_cfg();
	arena_init(&b.a);
	db_init(&db, &cfg, 0);
	ck_assert_int_eq(db_exec(&db, "CREATE TABLE IF NOT EXISTS it_locks "
	    "(id INT PRIMARY KEY, v INT NOT NULL) ENGINE=InnoDB"), 0);
	ck_assert_int_eq(db_exec(&db, "REPLACE INTO it_locks VALUES (1, 0)"), 0);

	pthread_create(&th, NULL, hold_lock, &h);
	sleep_ms(200);                          /* the holder has the lock */
	ck_assert_int_eq(db_tx(&db, 3, bump_row, &b), 0);
	pthread_join(th, NULL);
	ck_assert(h.ok);
	/* first try waited 1 s and failed with 1205; the retry went through */
	ck_assert_int_eq(b.attempts, 2);
	ck_assert_int_eq(db_query(&db, &b.a, "SELECT v FROM it_locks WHERE id = 1", NULL, 0, &r), 0);
	ck_assert_str_eq(db_val(&r, 0, 0), "1");

	ck_assert_int_eq(db_exec(&db, "DROP TABLE it_locks"), 0);
	db_close(&db);
	arena_free(&b.a);
	config_free(&cfg);
}
END_TEST

static int
fail_rule(struct db *db, void *ctx)
{
	int *n = ctx;

	(*n)++;
	if (db_exec(db, "INSERT INTO it_rollback VALUES (1)") < 0)
		return -1;
	return 7;
}

START_TEST(tx_rolls_back_on_a_rule)
{
	struct db db;
	struct arena a;
	struct db_result r;
	int n = 0;

	load_cfg();
	arena_init(&a);
	db_init(&db, &cfg, 0);
	ck_assert_int_eq(db_exec(&db, "CREATE TABLE IF NOT EXISTS it_rollback (id INT) ENGINE=InnoDB"), 0);
	ck_assert_int_eq(db_tx(&db, 3, fail_rule, &n), 7);
	ck_assert_int_eq(n, 1);
	ck_assert_int_eq(db_query(&db, &a, "SELECT COUNT(*) FROM it_rollback", NULL, 0, &r), 0);
	ck_assert_str_eq(db_val(&r, 0, 0), "0");
	ck_assert_int_eq(db_exec(&db, "DROP TABLE it_rollback"), 0);
	/* parameters and NULLs round-trip through the binding helper */
	{
		struct db_param p[3] = { db_int(-42), db_str("it's \"quoted\" \xe2\x82\xac"), db_null() };

		ck_assert_int_eq(db_query(&db, &a, "SELECT ?, ?, ?, CAST(12.50 AS DECIMAL(12,2))",
		    p, 3, &r), 0);
		ck_assert_str_eq(db_val(&r, 0, 0), "-42");
		ck_assert_str_eq(db_val(&r, 0, 1), "it's \"quoted\" \xe2\x82\xac");
		ck_assert_ptr_null(db_val(&r, 0, 2));
		ck_assert_str_eq(db_val(&r, 0, 3), "12.50");
	}
	db_close(&db);
	arena_free(&a);
	config_free(&cfg);
}
END_TEST

START_TEST(migrate_applies_each_file_once)
{
	char cmd[2048], out[4096] = "";

	snprintf(cmd, sizeof(cmd), "ISPBILL_CONFIG=%s/ispbill.conf %s/ispbill migrate 2>&1",
	    it_dir(), it_build());
	ck_assert_int_eq(it_run(cmd, out, sizeof(out)), 0);
	ck_assert_ptr_null(strstr(out, "applied"));     /* the harness already did */
	ck_assert_ptr_nonnull(strstr(out, "schema at version "));
}
END_TEST

START_TEST(check_config_names_the_bad_key)
{
	char cmd[2048], out[4096] = "", bad[1100];
	FILE *fp;

	snprintf(cmd, sizeof(cmd), "%s/ispbill-fcgi --config %s/ispbill.conf --check-config 2>&1",
	    it_build(), it_dir());
	ck_assert_int_eq(it_run(cmd, out, sizeof(out)), 0);
	ck_assert_ptr_nonnull(strstr(out, "configuration ok"));
	ck_assert_ptr_nonnull(strstr(out, "db_password = ***hidden***"));
	ck_assert_ptr_nonnull(strstr(out, "jwt_secret = ***hidden***"));

	snprintf(bad, sizeof(bad), "%s/bad.conf", it_dir());
	fp = fopen(bad, "w");
	fputs("workers = 2\nsocket_mode = 0999\n", fp);
	fclose(fp);
	snprintf(cmd, sizeof(cmd), "%s/ispbill-fcgi --config %s --check-config 2>&1",
	    it_build(), bad);
	out[0] = '\0';
	ck_assert_int_eq(it_run(cmd, out, sizeof(out)), 1);
	ck_assert_ptr_nonnull(strstr(out, "bad.conf:2"));
	ck_assert_ptr_nonnull(strstr(out, "socket_mode"));
	/* the environment overrides the file, and is checked too */
	snprintf(cmd, sizeof(cmd), "ISPBILL_WORKERS=999 %s/ispbill-fcgi --config %s/ispbill.conf "
	    "--check-config 2>&1", it_build(), it_dir());
	out[0] = '\0';
	ck_assert_int_eq(it_run(cmd, out, sizeof(out)), 1);
	ck_assert_ptr_nonnull(strstr(out, "ISPBILL_WORKERS"));
	unlink(bad);
}
END_TEST

START_TEST(sweep_forgets_only_the_old)
{
	struct db db;
	struct arena a;
	struct db_result r;
	static char out[65536];
	char cmd[2048];

	load_cfg();
	arena_init(&a);
	db_init(&db, &cfg, 0);
	ck_assert_int_eq(db_exec(&db, "INSERT INTO login_attempts (login, ip, created_at) VALUES "
	    "('sweep-old', '10.9.9.9', UTC_TIMESTAMP(6) - INTERVAL 2 DAY), "
	    "('sweep-new', '10.9.9.9', UTC_TIMESTAMP(6))"), 0);
	ck_assert_int_eq(db_exec(&db, "INSERT INTO rate_counters (bucket, window_start, hits) VALUES "
	    "('sweep-test', UTC_TIMESTAMP() - INTERVAL 3 HOUR, 5)"), 0);
	/* room for the router jobs' warnings other suites leave behind */
	snprintf(cmd, sizeof(cmd), "ISPBILL_CONFIG=%s/ispbill.conf %s/ispbill sweep 2>&1",
	    it_dir(), it_build());
	ck_assert_int_eq(it_run(cmd, out, sizeof(out)), 0);
	ck_assert_ptr_nonnull(strstr(out, "sweep: removed"));
	ck_assert_int_eq(db_query(&db, &a, "SELECT login FROM login_attempts WHERE ip = '10.9.9.9'",
	    NULL, 0, &r), 0);
	ck_assert_int_eq(r.nrows, 1);
	ck_assert_str_eq(db_val(&r, 0, 0), "sweep-new");
	ck_assert_int_eq(db_query(&db, &a, "SELECT COUNT(*) FROM rate_counters WHERE bucket = 'sweep-test'",
	    NULL, 0, &r), 0);
	ck_assert_str_eq(db_val(&r, 0, 0), "0");
	ck_assert_int_eq(db_exec(&db, "DELETE FROM login_attempts WHERE ip = '10.9.9.9'"), 0);
	db_close(&db);
	arena_free(&a);
	config_free(&cfg);
}
END_TEST

Suite *
suite_db(void)
{
	Suite *s = suite_create("db");
	TCase *t = tcase_create("mariadb");

	tcase_set_timeout(t, 60);
	tcase_add_test(t, tx_retries_after_lock_wait_timeout);
	tcase_add_test(t, tx_rolls_back_on_a_rule);
	tcase_add_test(t, migrate_applies_each_file_once);
	tcase_add_test(t, check_config_names_the_bad_key);
	tcase_add_test(t, sweep_forgets_only_the_old);
	suite_add_tcase(s, t);
	return s;
}
