/* itest.c - the integration suite's main and helpers (libcurl, yajl). */
#include "config.h"

#include <ctype.h>
#include <curl/curl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "itest.h"

static const char *
env_or_die(const char *name)
{
	const char *v = getenv(name);

	if (v == NULL || *v == '\0') {
		fprintf(stderr, "itest: %s is not set; run through scripts/test\n", name);
		exit(2);
	}
	return v;
}

const char *it_dir(void) { return env_or_die("ISPBILL_TEST_DIR"); }
const char *it_env(const char *name) { return env_or_die(name); }
const char *it_build(void) { return env_or_die("ISPBILL_TEST_BUILD"); }
int it_port(void) { return atoi(env_or_die("ISPBILL_TEST_PORT")); }
const char *it_admin_password(void) { return env_or_die("ISPBILL_TEST_ADMIN_PASSWORD"); }

int
it_sim_control_port(void)
{
	const char *url = env_or_die("ISPBILL_TEST_SIM"), *colon = strrchr(url, ':');

	return colon ? atoi(colon + 1) : 0;
}

int
it_sim_port(const char *router)
{
	char name[64];
	size_t i, n = (size_t)snprintf(name, sizeof(name), "ISPBILL_TEST_SIM_PORT_%s", router);

	for (i = n - strlen(router); i < n && i < sizeof(name); i++)
		name[i] = (char)toupper((unsigned char)name[i]);
	return atoi(env_or_die(name));
}

struct sink {
	char *p;
	size_t n;
};

static size_t
sink_write(char *data, size_t size, size_t nmemb, void *ud)
{
	struct sink *s = ud;
	size_t n = size * nmemb;

	s->p = realloc(s->p, s->n + n + 1);
	memcpy(s->p + s->n, data, n);
	s->n += n;
	s->p[s->n] = '\0';
	return n;
}

static char source[64];

void
it_source(const char *addr)
{
	snprintf(source, sizeof(source), "%s", addr ? addr : "");
}

struct resp *
it_http(int port, const char *method, const char *path, const char *ctype,
    const char *body, size_t body_len, const char *const *hdrs)
{
	struct resp *r = calloc(1, sizeof(*r));
	struct sink b = { NULL, 0 }, h = { NULL, 0 };
	struct curl_slist *sl = NULL;
	char url[2048], line[512];
	CURL *c = curl_easy_init();

	snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", port ? port : it_port(), path);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	if (strcmp(method, "HEAD") == 0)
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, sink_write);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &h);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
	if (source[0]) {
		snprintf(line, sizeof(line), "host!%s", source);
		curl_easy_setopt(c, CURLOPT_INTERFACE, line);
	}
	if (body) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
		snprintf(line, sizeof(line), "Content-Type: %s", ctype ? ctype : "application/json");
		sl = curl_slist_append(sl, line);
	}
	sl = curl_slist_append(sl, "Expect:");
	for (; hdrs && *hdrs; hdrs++)
		sl = curl_slist_append(sl, *hdrs);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, sl);
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
	curl_slist_free_all(sl);
	curl_easy_cleanup(c);
	r->body = b.p ? b.p : strdup("");
	r->headers = h.p ? h.p : strdup("");
	r->json = yajl_tree_parse(r->body, NULL, 0);
	return r;
}

struct resp *
it_get(const char *path)
{
	return it_http(0, "GET", path, NULL, NULL, 0, NULL);
}

struct resp *
it_post(const char *path, const char *json)
{
	return it_http(0, "POST", path, NULL, json, strlen(json), NULL);
}

void
it_free(struct resp *r)
{
	if (r == NULL)
		return;
	if (r->json)
		yajl_tree_free(r->json);
	free(r->body);
	free(r->headers);
	free(r);
}

char *
it_header(const struct resp *r, const char *name)
{
	size_t n = strlen(name);
	const char *p = r->headers;

	while (p && *p) {
		const char *eol = strstr(p, "\r\n");
		size_t len = eol ? (size_t)(eol - p) : strlen(p);

		if (len > n && strncasecmp(p, name, n) == 0 && p[n] == ':') {
			const char *v = p + n + 1;
			while (*v == ' ')
				v++;
			return strndup(v, len - (size_t)(v - p));
		}
		p = eol ? eol + 2 : NULL;
	}
	return NULL;
}

yajl_val
it_json(const struct resp *r, const char *path)
{
	const char *segs[16];
	char buf[512], *save = NULL, *tok;
	int n = 0;

	if (r->json == NULL)
		return NULL;
	snprintf(buf, sizeof(buf), "%s", path);
	for (tok = strtok_r(buf, "/", &save); tok && n < 15; tok = strtok_r(NULL, "/", &save))
		segs[n++] = tok;
	segs[n] = NULL;
	return yajl_tree_get(r->json, segs, yajl_t_any);
}

const char *
it_str(const struct resp *r, const char *path)
{
	yajl_val v = it_json(r, path);

	return (v && YAJL_IS_STRING(v)) ? v->u.string : NULL;
}

long long
it_int(const struct resp *r, const char *path)
{
	yajl_val v = it_json(r, path);

	return (v && YAJL_IS_INTEGER(v)) ? v->u.number.i : LLONG_MIN;
}

int
it_bool(const struct resp *r, const char *path)
{
	yajl_val v = it_json(r, path);

	if (v && YAJL_IS_TRUE(v))
		return 1;
	if (v && YAJL_IS_FALSE(v))
		return 0;
	return -1;
}

int
it_is_null(const struct resp *r, const char *path)
{
	yajl_val v = it_json(r, path);

	return v != NULL && YAJL_IS_NULL(v);
}

int
it_harness(const char *cmd)
{
	char line[4096];

	snprintf(line, sizeof(line), "%s/tests/integration/harness %s %s %s >>%s/harness.log 2>&1",
	    getenv("ISPBILL_TOP") ? getenv("ISPBILL_TOP") : ".", cmd, it_dir(), it_build(), it_dir());
	return system(line);
}

long
it_pidfile(const char *name)
{
	char path[1024];
	FILE *fp;
	long pid = 0;

	snprintf(path, sizeof(path), "%s/%s", it_dir(), name);
	if ((fp = fopen(path, "r")) == NULL)
		return 0;
	if (fscanf(fp, "%ld", &pid) != 1)
		pid = 0;
	fclose(fp);
	return pid;
}

int
it_file_contains(const char *name, const char *text)
{
	char path[1024], *buf;
	FILE *fp;
	long n;
	int found;

	snprintf(path, sizeof(path), "%s/%s", it_dir(), name);
	if ((fp = fopen(path, "rb")) == NULL)
		return 0;
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	fseek(fp, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	n = (long)fread(buf, 1, (size_t)n, fp);
	buf[n] = '\0';
	fclose(fp);
	found = memmem(buf, (size_t)n, text, strlen(text)) != NULL;
	free(buf);
	return found;
}

char *
it_login_admin(void)
{
	char body[512];
	struct resp *r;
	char *tok = NULL;

	snprintf(body, sizeof(body), "{\"username\":\"admin\",\"password\":\"%s\"}",
	    it_admin_password());
	r = it_post("/api/auth/login/", body);
	if (it_str(r, "data/tokens/access"))
		tok = strdup(it_str(r, "data/tokens/access"));
	it_free(r);
	return tok;
}

int
main(int argc, char **argv)
{
	SRunner *sr;
	int run, failed;

	(void)argc;
	(void)argv;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	sr = srunner_create(suite_foundation());
	srunner_add_suite(sr, suite_db());
	srunner_add_suite(sr, suite_identity());
	srunner_add_suite(sr, suite_billing());
	srunner_add_suite(sr, suite_stats());
	srunner_add_suite(sr, suite_routers());
	srunner_add_suite(sr, suite_mpesa());
	srunner_add_suite(sr, suite_mpesa_reports());
	srunner_add_suite(sr, suite_bitwave());
	srunner_add_suite(sr, suite_ktl());
	srunner_add_suite(sr, suite_mikrobill());
	srunner_add_suite(sr, suite_native_extras());
	srunner_add_suite(sr, suite_netflow());
	srunner_add_suite(sr, suite_dialects());
	srunner_add_suite(sr, suite_lifecycle());
	srunner_run_all(sr, CK_NORMAL);
	run = srunner_ntests_run(sr);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	curl_global_cleanup();
	printf("RESULT integration %d %d\n", run, failed);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
