## Makefile.am - one non-recursive build for the programs, tests and data.
ACLOCAL_AMFLAGS = -I m4

AM_CPPFLAGS = -I$(top_srcdir)/src \
	-DISPBILL_SQLDIR='"$(pkgdatadir)/sql"' \
	-DISPBILL_SYSCONFDIR='"$(sysconfdir)"'
DEP_CFLAGS = $(FCGI_CFLAGS) $(YAJL_CFLAGS) $(MARIADB_CFLAGS) $(JWT_CFLAGS) \
	$(SODIUM_CFLAGS) $(CURL_CFLAGS) $(OPENSSL_CFLAGS)
DEP_LIBS = $(FCGI_LIBS) $(YAJL_LIBS) $(MARIADB_LIBS) $(JWT_LIBS) \
	$(SODIUM_LIBS) $(CURL_LIBS) $(OPENSSL_LIBS)
AM_CFLAGS = $(WARN_CFLAGS) $(SAN_CFLAGS) $(DEP_CFLAGS)
AM_LDFLAGS = $(SAN_CFLAGS)

# Everything but the mains, linked into each program and test.
ARFLAGS = cr
noinst_LIBRARIES = src/libispcore.a src/lib/libispbill.a
src_libispcore_a_SOURCES = \
	src/util/arena.c src/util/arena.h \
	src/util/buf.c src/util/buf.h \
	src/util/conf.c src/util/conf.h \
	src/util/log.c src/util/log.h \
	src/util/timeutil.c src/util/timeutil.h \
	src/util/uuid.c src/util/uuid.h src/util/ferr.h \
	src/json/json.c src/json/json.h \
	src/db/db.c src/db/db.h \
	src/db/migrate.c src/db/migrate.h \
	src/db/qcache.c src/db/qcache.h \
	src/core/core.h \
	src/core/entity.c src/core/entity.h \
	src/core/health.c src/core/health.h \
	src/core/users.c src/core/users.h \
	src/core/actor.h \
	src/core/audit.c src/core/audit.h \
	src/core/throttle.c src/core/throttle.h \
	src/core/sessions.c src/core/sessions.h \
	src/core/rbac.c src/core/rbac.h \
	src/core/tenants.c src/core/tenants.h \
	src/core/apiclients.c src/core/apiclients.h \
	src/core/locations.c src/core/locations.h \
	src/core/sweep.c src/core/sweep.h \
	src/core/provision.c src/core/provision.h \
	src/core/phone.c src/core/phone.h \
	src/core/numbering.c src/core/numbering.h \
	src/core/secrets.c src/core/secrets.h \
	src/core/billing.h \
	src/core/routers.c src/core/plans.c src/core/customers.c \
	src/core/subscriptions.c src/core/invoices.c src/core/payments.c \
	src/core/tickets.c \
	src/core/stats.c src/core/stats.h \
	src/core/settings.c src/core/settings.h \
	src/core/mpesa.c src/core/mpesa.h src/core/mpesa_pay.c \
	src/core/mpesa_report.c src/core/mpesa_report.h \
	src/core/sms.c src/core/sms.h \
	src/core/summaries.c src/core/summaries.h \
	src/core/demo.c src/core/demo.h \
	src/core/mikrobill_support.c src/core/mikrobill_support.h \
	src/http/errors.c src/http/errors.h \
	src/http/request.c src/http/request.h \
	src/http/router.c src/http/router.h \
	src/http/auth.c src/http/auth.h \
	src/http/dispatch.c src/http/dispatch.h \
	src/api/dialects.c src/api/dialects.h \
	src/api/resource.c src/api/resource.h \
	src/api/native/native.c src/api/native/native.h \
	src/api/native/health.c \
	src/api/native/auth.c \
	src/api/native/identity.c \
	src/api/native/stats.c \
	src/api/native/billing.c \
	src/api/native/network.c \
	src/api/native/mpesa.c \
	src/api/native/mpesa_report.c \
	src/api/native/schema.c \
	src/api/bitwave/bitwave.c src/api/bitwave/bitwave.h \
	src/api/bitwave/billing.c src/api/bitwave/reports.c src/api/bitwave/panel.c \
	src/core/bitwave_support.c src/core/bitwave_support.h \
	src/api/netflow/netflow.c src/api/netflow/netflow.h \
	src/api/netflow/auth.c \
	src/api/netflow/records.c \
	src/api/netflow/integrations.c \
	src/core/netflow_support.c src/core/netflow_support.h \
	src/api/ktl/ktl.c src/api/ktl/ktl.h \
	src/api/ktl/auth.c src/api/ktl/users.c \
	src/api/ktl/rbac.c src/api/ktl/org.c \
	src/core/ktl_support.c src/core/ktl_support.h \
	src/api/mikrobill/mikrobill.c src/api/mikrobill/mikrobill.h \
	src/api/mikrobill/auth.c \
	src/api/mikrobill/devices.c \
	src/api/mikrobill/customers.c

# libispbill: the clients of external systems (src/lib), on util and json.
routeros_sources = \
	src/lib/routeros/routeros.h src/lib/routeros/conn_int.h \
	src/lib/routeros/codec.c src/lib/routeros/result.c \
	src/lib/routeros/conn.c src/lib/routeros/session.c \
	src/lib/routeros/menus.c
mpesa_sources = \
	src/lib/mpesa/mpesa.h src/lib/mpesa/mpesa_int.h \
	src/lib/mpesa/httpc.c src/lib/mpesa/httpc.h \
	src/lib/mpesa/mpesa.c src/lib/mpesa/inbound.c src/lib/mpesa/calls.c
sms_sources = src/lib/sms/sms.c src/lib/sms/sms.h
src_lib_libispbill_a_SOURCES = $(routeros_sources) $(mpesa_sources) $(sms_sources)

LDADD = src/libispcore.a src/lib/libispbill.a src/libispcore.a $(DEP_LIBS)

bin_PROGRAMS = ispbill ispbill-fcgi
ispbill_SOURCES = src/cli_main.c
ispbill_fcgi_SOURCES = src/fcgi_main.c

# Data installed beside the programs.
sqldir = $(pkgdatadir)/sql
dist_sql_DATA = sql/001_foundation.sql sql/002_identity.sql sql/003_default_roles.sql sql/004_billing.sql sql/005_stats_indexes.sql sql/006_list_indexes.sql sql/007_summaries.sql sql/008_routers_live.sql sql/009_mpesa_sms.sql sql/010_mpesa_reports.sql
nginxdir = $(pkgdatadir)/nginx
dist_nginx_DATA = nginx/ispbill.conf nginx/dev.conf.in nginx/ispbill-fastcgi.conf
systemddir = $(pkgdatadir)/systemd
dist_systemd_DATA = docs/systemd/ispbill-fcgi.service
dist_doc_DATA = README.md ChangeLog docs/operations.md docs/api.md docs/authentication.md

# Tests: unit tests run by `make check`; the integration suite needs nginx
# and MariaDB and is run by scripts/test through tests/integration/harness.
TEST_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
TEST_LIBS = $(LDADD) $(CHECK_LIBS)
unit_tests = tests/unit/test_util tests/unit/test_json tests/unit/test_http \
	tests/unit/test_routeros tests/unit/test_mpesa
check_PROGRAMS = $(unit_tests) tests/integration/itest
TESTS = $(unit_tests)

tests_unit_test_util_SOURCES = tests/unit/test_util.c tests/common/check_main.h
tests_unit_test_util_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_util_LDADD = $(TEST_LIBS)
tests_unit_test_json_SOURCES = tests/unit/test_json.c tests/common/check_main.h
tests_unit_test_json_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_json_LDADD = $(TEST_LIBS)
tests_unit_test_http_SOURCES = tests/unit/test_http.c tests/common/check_main.h
tests_unit_test_http_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_http_LDADD = $(TEST_LIBS)
tests_unit_test_routeros_SOURCES = tests/unit/test_routeros.c tests/common/check_main.h
tests_unit_test_routeros_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_routeros_LDADD = $(TEST_LIBS) -lpthread
tests_unit_test_mpesa_SOURCES = tests/unit/test_mpesa.c tests/common/check_main.h
tests_unit_test_mpesa_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_mpesa_LDADD = $(TEST_LIBS) -lpthread
tests_integration_itest_SOURCES = tests/integration/itest.c tests/integration/itest.h \
	tests/integration/helpers.c \
	tests/integration/t_foundation.c tests/integration/t_db.c \
	tests/integration/t_identity.c tests/integration/t_billing.c \
	tests/integration/t_stats.c tests/integration/t_routers.c \
	tests/integration/t_mpesa.c tests/integration/t_mpesa_reports.c \
	tests/integration/t_mikrobill.c \
	tests/integration/t_bitwave.c \
	tests/integration/t_native_extras.c \
	tests/integration/t_netflow.c \
	tests/integration/world.c tests/common/check_main.h
tests_integration_itest_CFLAGS = $(TEST_CFLAGS)
tests_integration_itest_LDADD = $(TEST_LIBS) -lpthread

# Built on demand by scripts/bench: the smallest libfcgi responder there is.
EXTRA_PROGRAMS = tests/bench/fcgi_hello
tests_bench_fcgi_hello_SOURCES = tests/bench/fcgi_hello.c
tests_bench_fcgi_hello_LDADD = $(FCGI_LIBS)

EXTRA_DIST = .ci/run scripts/run scripts/test scripts/bench scripts/lib.sh \
	tests/integration/harness docs/dialects.md
CLEANFILES = $(EXTRA_PROGRAMS)

# Fuzzing, not part of `make check`: `make fuzz-routeros [FUZZ_SECONDS=60]`
# builds the RouterOS reply decoder's libFuzzer target with clang straight
# from the sources and runs it; a crash fails the target.  New inputs go to
# tests/fuzz/corpus-ros in the build tree.
FUZZ_CC = clang
FUZZ_SECONDS = 30
FUZZ_FLAGS = -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
fuzz_ros_sources = $(srcdir)/tests/fuzz/fuzz_ros_reply.c \
	$(srcdir)/src/lib/routeros/codec.c $(srcdir)/src/lib/routeros/result.c \
	$(srcdir)/src/util/arena.c $(srcdir)/src/util/buf.c $(srcdir)/src/json/json.c
tests/fuzz/fuzz_ros_reply: $(fuzz_ros_sources) $(srcdir)/src/lib/routeros/routeros.h
	@mkdir -p tests/fuzz
	$(FUZZ_CC) $(FUZZ_FLAGS) -I$(top_builddir) -I$(srcdir)/src $(YAJL_CFLAGS) \
		-o $@ $(fuzz_ros_sources) $(YAJL_LIBS)
fuzz-routeros: tests/fuzz/fuzz_ros_reply
	@mkdir -p tests/fuzz/corpus-ros
	./tests/fuzz/fuzz_ros_reply -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
		tests/fuzz/corpus-ros $(srcdir)/tests/fuzz/seeds-ros
.PHONY: fuzz-routeros
CLEANFILES += tests/fuzz/fuzz_ros_reply
EXTRA_DIST += tests/fuzz/fuzz_ros_reply.c tests/fuzz/seeds-ros
