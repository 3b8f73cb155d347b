/* test_util.c - arena, buffer and configuration. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../common/check_main.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/conf.h"

START_TEST(arena_alignment_and_growth)
{
	struct arena a;
	char *big;

	arena_init(&a);
	for (int i = 1; i < 200; i++) {
		void *p = arena_alloc(&a, (size_t)i);
		ck_assert_uint_eq((uintptr_t)p % 16, 0);
		memset(p, 0xAB, (size_t)i);
	}
	big = arena_alloc(&a, 100000);       /* larger than a chunk */
	memset(big, 1, 100000);
	ck_assert_uint_ge(a.total, 100000);
	arena_reset(&a);
	ck_assert_uint_eq(a.total, 0);
	ck_assert_ptr_eq(a.head, a.keep);
	arena_free(&a);
}
END_TEST

START_TEST(arena_strings)
{
	struct arena a;

	arena_init(&a);
	ck_assert_str_eq(arena_strdup(&a, "hello"), "hello");
	ck_assert_str_eq(arena_strndup(&a, "hello", 3), "hel");
	ck_assert_str_eq(arena_printf(&a, "%d-%s", 42, "x"), "42-x");
	arena_free(&a);
}
END_TEST

START_TEST(buf_appends)
{
	struct buf b = BUF_INIT;

	buf_puts(&b, "abc");
	buf_putc(&b, 'd');
	buf_printf(&b, "%05d", 7);
	ck_assert_str_eq(buf_cstr(&b), "abcd00007");
	ck_assert_uint_eq(b.len, 9);
	for (int i = 0; i < 10000; i++)
		buf_putc(&b, 'x');
	ck_assert_uint_eq(b.len, 10009);
	buf_reset(&b);
	ck_assert_uint_eq(b.len, 0);
	ck_assert_str_eq(buf_cstr(&b), "");
	buf_free(&b);
}
END_TEST

static char *
write_tmp(const char *text)
{
	char *path = strdup("/tmp/ispbill-conf-XXXXXX");
	int fd = mkstemp(path);
	FILE *fp = fdopen(fd, "w");

	fputs(text, fp);
	fclose(fp);
	return path;
}

START_TEST(conf_file_and_env)
{
	struct config c;
	char err[256];
	char *path = write_tmp("# comment\nworkers = 3\n db_name = billing \n"
	    "socket_mode = 0640\nlog_syslog = yes\ndb_password = \"s3cret\"\n");

	unsetenv("ISPBILL_WORKERS");
	setenv("ISPBILL_DB_NAME", "fromenv", 1);
	ck_assert_int_eq(config_load(&c, path, err, sizeof(err)), 0);
	ck_assert_int_eq(c.workers, 3);
	ck_assert_str_eq(c.db_name, "fromenv");
	ck_assert_int_eq(c.socket_mode, 0640);
	ck_assert_int_eq(c.log_syslog, 1);
	ck_assert_str_eq(c.db_password, "s3cret");
	ck_assert_int_eq(c.access_ttl, 900);        /* default */
	config_free(&c);
	unsetenv("ISPBILL_DB_NAME");
	unlink(path);
	free(path);
}
END_TEST

START_TEST(conf_errors_name_the_key)
{
	struct config c;
	char err[256];
	char *p1 = write_tmp("workers = lots\n");
	char *p2 = write_tmp("no_such_key = 1\n");
	char *p3 = write_tmp("just words\n");

	ck_assert_int_eq(config_load(&c, p1, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "workers"));
	ck_assert_ptr_nonnull(strstr(err, ":1"));
	config_free(&c);
	ck_assert_int_eq(config_load(&c, p2, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "no_such_key"));
	config_free(&c);
	ck_assert_int_eq(config_load(&c, p3, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "key = value"));
	config_free(&c);
	setenv("ISPBILL_ACCESS_TTL", "5", 1);
	ck_assert_int_eq(config_load(&c, NULL, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "ISPBILL_ACCESS_TTL"));
	config_free(&c);
	unsetenv("ISPBILL_ACCESS_TTL");
	setenv("ISPBILL_SECRET_KEY", "abc", 1);
	ck_assert_int_eq(config_load(&c, NULL, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "secret_key"));
	config_free(&c);
	unsetenv("ISPBILL_SECRET_KEY");
	unlink(p1); unlink(p2); unlink(p3);
	free(p1); free(p2); free(p3);
}
END_TEST

START_TEST(conf_public_addresses)
{
	static const struct { const char *addr; int pub; } cases[] = {
		{ "8.8.8.8", 1 }, { "41.90.64.10", 1 }, { "2a00:1450:4001::1", 1 },
		{ "127.0.0.1", 0 }, { "10.1.2.3", 0 }, { "172.16.0.1", 0 }, { "172.31.255.255", 0 },
		{ "172.32.0.1", 1 }, { "192.168.88.1", 0 }, { "169.254.169.254", 0 },
		{ "100.64.0.1", 0 }, { "0.0.0.0", 0 }, { "224.0.0.1", 0 }, { "255.255.255.255", 0 },
		{ "::1", 0 }, { "::", 0 }, { "fd00::1", 0 }, { "fe80::1", 0 }, { "ff02::1", 0 },
		{ "::ffff:127.0.0.1", 0 }, { "::ffff:10.0.0.1", 0 }, { "::ffff:8.8.8.8", 1 },
		{ "not an address", 0 }, { "10.0.0.0/8", 0 },
		/* IPv4 inside IPv6: compatible (::/96), local-use NAT64, 6to4, Teredo */
		{ "::127.0.0.1", 0 }, { "::a00:1", 0 }, { "64:ff9b:1::a00:1", 0 },
		{ "2002:a00:1::1", 0 }, { "2001:0:4136:e378::1", 0 }, { "2001:4860::8888", 1 },
	};
	struct config c;
	char err[256], *p;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		ck_assert_msg(config_addr_public(cases[i].addr) == cases[i].pub, "%s", cases[i].addr);
	p = write_tmp("sms_allowed_addresses = 10.0.0.0/33\n");
	ck_assert_int_eq(config_load(&c, p, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "sms_allowed_addresses") != NULL, "%s", err);
	config_free(&c);
	unlink(p);
	free(p);
	p = write_tmp("mpesa_callback_addresses = 196.201.214.0/24 nope\n");
	ck_assert_int_eq(config_load(&c, p, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "mpesa_callback_addresses") && strstr(err, "nope"), "%s", err);
	config_free(&c);
	unlink(p);
	free(p);
}
END_TEST

START_TEST(conf_trusted_addresses)
{
	static const struct { const char *list, *addr; int in; } cases[] = {
		{ "10.0.0.0/8, 127.0.0.1", "10.200.3.4", 1 },
		{ "10.0.0.0/8, 127.0.0.1", "127.0.0.1", 1 },
		{ "10.0.0.0/8, 127.0.0.1", "127.0.0.2", 0 },
		{ "10.0.0.0/8, 127.0.0.1", "11.0.0.1", 0 },
		{ "192.168.4.0/22", "192.168.7.255", 1 },
		{ "192.168.4.0/22", "192.168.8.0", 0 },
		{ "192.168.4.0/22", "::ffff:192.168.5.1", 1 },
		{ "fd00::/8 ::1", "fd12::7", 1 },
		{ "fd00::/8 ::1", "::1", 1 },
		{ "fd00::/8 ::1", "fe80::1", 0 },
		{ "0.0.0.0/0", "203.0.113.9", 1 },
		{ "0.0.0.0/0", "2001:db8::1", 0 },
		{ "", "127.0.0.1", 0 },
		{ "10.0.0.0/8", "-", 0 },
		{ "10.0.0.0/8", "10.0.0.1, 127.0.0.1", 0 },
	};
	static const char *const bad[] = { "10.0.0.0/33", "10.0.0", "example.net", "::1/129",
		"10.0.0.0/x" };
	struct config c;
	char err[256], body[128];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		ck_assert_msg(config_addr_listed(cases[i].list, cases[i].addr) == cases[i].in,
		    "%s in [%s]", cases[i].addr, cases[i].list);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *p;

		snprintf(body, sizeof(body), "bitwave_trusted_addresses = %s\n"
		    "bitwave_trusted_tenant = default\n", bad[i]);
		p = write_tmp(body);
		ck_assert_int_eq(config_load(&c, p, err, sizeof(err)), -1);
		ck_assert_msg(strstr(err, "bitwave_trusted_addresses") && strstr(err, bad[i]), "%s", err);
		config_free(&c);
		unlink(p);
		free(p);
	}
	{
		/* off by default; addresses without a tenant are refused */
		char *p = write_tmp("bitwave_trusted_addresses = 10.0.0.0/8\n");

		ck_assert_int_eq(config_load(&c, NULL, err, sizeof(err)), 0);
		ck_assert_str_eq(c.bitwave_trusted_addresses, "");
		config_free(&c);
		ck_assert_int_eq(config_load(&c, p, err, sizeof(err)), -1);
		ck_assert_ptr_nonnull(strstr(err, "bitwave_trusted_tenant"));
		config_free(&c);
		unlink(p);
		free(p);
	}
}
END_TEST

START_TEST(conf_dump_masks_secrets)
{
	struct config c;
	char err[256], out[4096] = "";
	FILE *fp;

	setenv("ISPBILL_DB_PASSWORD", "topsecret", 1);
	ck_assert_int_eq(config_load(&c, NULL, err, sizeof(err)), 0);
	fp = fmemopen(out, sizeof(out) - 1, "w");
	config_dump(&c, fp);
	fclose(fp);
	ck_assert_ptr_null(strstr(out, "topsecret"));
	ck_assert_ptr_nonnull(strstr(out, "db_password = ***hidden***"));
	config_free(&c);
	unsetenv("ISPBILL_DB_PASSWORD");
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("util");
	TCase *t = tcase_create("core");

	tcase_add_test(t, arena_alignment_and_growth);
	tcase_add_test(t, arena_strings);
	tcase_add_test(t, buf_appends);
	tcase_add_test(t, conf_file_and_env);
	tcase_add_test(t, conf_errors_name_the_key);
	tcase_add_test(t, conf_dump_masks_secrets);
	tcase_add_test(t, conf_trusted_addresses);
	tcase_add_test(t, conf_public_addresses);
	suite_add_tcase(s, t);
	return s;
}

CHECK_MAIN("unit/util", suite)
