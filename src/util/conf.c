/* conf.c - key = value configuration file with ISPBILL_* environment overrides. */
#include "config.h"
#include "util/conf.h"
#include "util/arena.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

enum ctype { C_STR, C_INT, C_BOOL, C_OCT };

struct ckey {
	const char *name;
	enum ctype  type;
	size_t      off;
	const char *def;
	long        min, max;
	int         secret;
};

#define S(f) offsetof(struct config, f)
static const struct ckey keys[] = {
	{ "listen",             C_STR,  S(listen),       "unix:/run/ispbill/fcgi.sock", 0, 0, 0 },
	{ "workers",            C_INT,  S(workers),      "0",     0, 256, 0 },
	{ "user",               C_STR,  S(user),         "www-data", 0, 0, 0 },
	{ "socket_group",       C_STR,  S(socket_group), "www-data", 0, 0, 0 },
	{ "socket_mode",        C_OCT,  S(socket_mode),  "0660",  0, 0777, 0 },
	{ "pid_file",           C_STR,  S(pid_file),     "",      0, 0, 0 },
	{ "drain_seconds",      C_INT,  S(drain_seconds), "30",   1, 3600, 0 },
	{ "db_host",            C_STR,  S(db_host),      "localhost", 0, 0, 0 },
	{ "db_port",            C_INT,  S(db_port),      "3306",  0, 65535, 0 },
	{ "db_socket",          C_STR,  S(db_socket),    "",      0, 0, 0 },
	{ "db_name",            C_STR,  S(db_name),      "ispbill", 0, 0, 0 },
	{ "db_user",            C_STR,  S(db_user),      "ispbill", 0, 0, 0 },
	{ "db_password",        C_STR,  S(db_password),  "",      0, 0, 1 },
	{ "db_connect_timeout", C_INT,  S(db_connect_timeout), "3", 1, 600, 0 },
	{ "db_read_timeout",    C_INT,  S(db_read_timeout), "10", 1, 3600, 0 },
	{ "sql_dir",            C_STR,  S(sql_dir),      ISPBILL_SQLDIR, 0, 0, 0 },
	{ "log_level",          C_STR,  S(log_level),    "info",  0, 0, 0 },
	{ "log_syslog",         C_BOOL, S(log_syslog),   "no",    0, 0, 0 },
	{ "jwt_secret",         C_STR,  S(jwt_secret),   "",      0, 0, 1 },
	{ "access_ttl",         C_INT,  S(access_ttl),   "900",   30, 86400, 0 },
	{ "secret_key",         C_STR,  S(secret_key),   "",      0, 0, 1 },
	{ "router_connect_timeout_ms", C_INT, S(router_connect_timeout_ms), "3000", 100, 60000, 0 },
	{ "router_timeout_ms",  C_INT,  S(router_timeout_ms), "10000", 100, 300000, 0 },
	{ "router_ca_file",     C_STR,  S(router_ca_file), "",    0, 0, 0 },
	{ "public_url",         C_STR,  S(public_url),   "",      0, 0, 0 },
	{ "mpesa_base_url",     C_STR,  S(mpesa_base_url), "https://sandbox.safaricom.co.ke", 0, 0, 0 },
	{ "mpesa_timeout_ms",   C_INT,  S(mpesa_timeout_ms), "15000", 100, 120000, 0 },
	{ "sms_timeout_ms",     C_INT,  S(sms_timeout_ms), "10000", 100, 120000, 0 },
	{ "cors_origins",       C_STR,  S(cors_origins), "",      0, 0, 0 },
	{ "bitwave_trusted_addresses", C_STR, S(bitwave_trusted_addresses), "", 0, 0, 0 },
	{ "bitwave_trusted_tenant", C_STR, S(bitwave_trusted_tenant), "", 0, 0, 0 },
	{ "sms_allowed_addresses", C_STR, S(sms_allowed_addresses), "", 0, 0, 0 },
	{ "mpesa_callback_addresses", C_STR, S(mpesa_callback_addresses), "", 0, 0, 0 },
	{ "monitor_port",       C_INT,  S(monitor_port), "8090",  1, 65535, 0 },
	{ "monitor_max_streams_per_tenant", C_INT, S(monitor_max_streams_per_tenant), "100", 1, 1000000, 0 },
	{ "monitor_max_subscribers_per_router", C_INT, S(monitor_max_subscribers_per_router), "500", 1, 1000000, 0 },
	{ "monitor_max_subscribers_per_tenant", C_INT, S(monitor_max_subscribers_per_tenant), "1000", 1, 1000000, 0 },
	{ "monitor_recheck_seconds", C_INT, S(monitor_recheck_seconds), "60", 1, 86400, 0 },
};
#undef S
#define NKEYS (sizeof(keys) / sizeof(keys[0]))

const char *
config_default_path(void)
{
	return ISPBILL_SYSCONFDIR "/ispbill/ispbill.conf";
}

static char *
trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

static const struct ckey *
find_key(const char *name)
{
	for (size_t i = 0; i < NKEYS; i++)
		if (strcmp(keys[i].name, name) == 0)
			return &keys[i];
	return NULL;
}

static int
set_value(struct config *cfg, const struct ckey *k, const char *val,
    char *err, size_t errlen, const char *where)
{
	char *p = (char *)cfg + k->off;
	char *end;
	long v;

	switch (k->type) {
	case C_STR:
		free(*(char **)p);
		*(char **)p = xstrdup(val);
		return 0;
	case C_BOOL:
		if (!strcasecmp(val, "yes") || !strcasecmp(val, "true") ||
		    !strcasecmp(val, "on") || !strcmp(val, "1"))
			*(int *)p = 1;
		else if (!strcasecmp(val, "no") || !strcasecmp(val, "false") ||
		    !strcasecmp(val, "off") || !strcmp(val, "0"))
			*(int *)p = 0;
		else {
			snprintf(err, errlen, "%s: %s must be yes or no, not '%s'",
			    where, k->name, val);
			return -1;
		}
		return 0;
	case C_INT:
	case C_OCT:
		errno = 0;
		v = strtol(val, &end, k->type == C_OCT ? 8 : 10);
		if (errno || end == val || *end != '\0' || v < k->min || v > k->max) {
			snprintf(err, errlen, "%s: %s must be a%s number from %ld to %ld%s, not '%s'",
			    where, k->name, k->type == C_OCT ? "n octal" : "",
			    k->min, k->max, k->type == C_OCT ? " (octal)" : "", val);
			return -1;
		}
		*(int *)p = (int)v;
		return 0;
	}
	return -1;
}

static int
load_file(struct config *cfg, const char *path, char *err, size_t errlen)
{
	FILE *fp = fopen(path, "r");
	char line[4096], where[PATH_MAX + 32];
	int lineno = 0;

	if (fp == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), fp)) {
		char *s, *eq, *key, *val;
		const struct ckey *k;

		lineno++;
		snprintf(where, sizeof(where), "%s:%d", path, lineno);
		if (strchr(line, '\n') == NULL && !feof(fp)) {
			snprintf(err, errlen, "%s: line too long", where);
			goto fail;
		}
		s = trim(line);
		if (*s == '\0' || *s == '#' || *s == ';')
			continue;
		eq = strchr(s, '=');
		if (eq == NULL) {
			snprintf(err, errlen, "%s: expected 'key = value'", where);
			goto fail;
		}
		*eq = '\0';
		key = trim(s);
		val = trim(eq + 1);
		/* optional surrounding quotes */
		if (strlen(val) >= 2 && (val[0] == '"' || val[0] == '\'') &&
		    val[strlen(val) - 1] == val[0]) {
			val[strlen(val) - 1] = '\0';
			val++;
		}
		if ((k = find_key(key)) == NULL) {
			snprintf(err, errlen, "%s: unknown key '%s'", where, key);
			goto fail;
		}
		if (set_value(cfg, k, val, err, errlen, where) < 0)
			goto fail;
	}
	fclose(fp);
	return 0;
fail:
	fclose(fp);
	return -1;
}

/* cors_origins: "*" or origins as a browser sends them (scheme://host[:port],
 * no path), separated by spaces or commas. */
static int
check_origins(const char *s, char *err, size_t errlen)
{
	while (*s) {
		size_t n = strcspn(s, " ,\t");
		const char *host;

		if (n == 0) {
			s++;
			continue;
		}
		host = strncmp(s, "http://", 7) == 0 ? s + 7 :
		    strncmp(s, "https://", 8) == 0 ? s + 8 : NULL;
		if (!(n == 1 && *s == '*') &&
		    (host == NULL || host == s + n || memchr(host, '/', (size_t)(s + n - host)))) {
			snprintf(err, errlen, "cors_origins: '%.*s' is not an origin "
			    "(scheme://host[:port], no path) nor *", (int)n, s);
			return -1;
		}
		s += n;
	}
	return 0;
}

/* "a.b.c.d[/n]" or "v6[/n]" (n bytes of s) into 16 bytes (IPv4 as
 * ::ffff:a.b.c.d) and a prefix length over those 128 bits; -1 when not one */
static int
parse_block(const char *s, size_t n, unsigned char out[16], int *bits)
{
	char tmp[64], *slash, *end;
	unsigned char v4[4];
	long len = -1;
	int is4;

	if (n == 0 || n >= sizeof(tmp))
		return -1;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	if ((slash = strchr(tmp, '/')) != NULL) {
		*slash++ = '\0';
		errno = 0;
		len = strtol(slash, &end, 10);
		if (errno || end == slash || *end != '\0' || len < 0)
			return -1;
	}
	is4 = inet_pton(AF_INET, tmp, v4) == 1;
	if (is4) {
		if (len > 32)
			return -1;
		memset(out, 0, 10);
		out[10] = out[11] = 0xff;
		memcpy(out + 12, v4, 4);
		*bits = len < 0 ? 128 : 96 + (int)len;
		return 0;
	}
	if (inet_pton(AF_INET6, tmp, out) != 1 || len > 128)
		return -1;
	*bits = len < 0 ? 128 : (int)len;
	return 0;
}

/* an address list (bitwave_trusted_addresses, sms_allowed_addresses,
 * mpesa_callback_addresses): addresses or CIDR blocks, commas or spaces
 * between */
static int
check_blocks(const char *s, const char *key, char *err, size_t errlen)
{
	unsigned char b[16];
	int bits;

	while (*s) {
		size_t n = strcspn(s, " ,\t");

		if (n == 0) {
			s++;
			continue;
		}
		if (parse_block(s, n, b, &bits) < 0) {
			snprintf(err, errlen, "%s: '%.*s' is not an IP address or CIDR block "
			    "(10.0.0.0/8, 127.0.0.1, fd00::/8)", key, (int)n, s);
			return -1;
		}
		s += n;
	}
	return 0;
}

int
config_addr_listed(const char *list, const char *addr)
{
	unsigned char a[16], b[16];
	int bits, abits;

	if (list == NULL || addr == NULL || parse_block(addr, strlen(addr), a, &abits) < 0 ||
	    abits != 128)
		return 0;
	while (*list) {
		size_t n = strcspn(list, " ,\t");
		int i;

		if (n == 0) {
			list++;
			continue;
		}
		if (parse_block(list, n, b, &bits) == 0) {
			for (i = 0; i < bits / 8 && a[i] == b[i]; i++)
				;
			if (i == bits / 8 && (bits % 8 == 0 ||
			    ((a[i] ^ b[i]) & (0xff << (8 - bits % 8)) & 0xff) == 0))
				return 1;
		}
		list += n;
	}
	return 0;
}

int
config_addr_public(const char *addr)
{
	static const char not_public[] = "0.0.0.0/8 10.0.0.0/8 100.64.0.0/10 127.0.0.0/8 "
	    "169.254.0.0/16 172.16.0.0/12 192.0.0.0/24 192.0.2.0/24 192.168.0.0/16 "
	    "198.18.0.0/15 198.51.100.0/24 203.0.113.0/24 224.0.0.0/4 240.0.0.0/4 "
	    "::/128 ::1/128 64:ff9b::/96 100::/64 2001:db8::/32 fc00::/7 fe80::/10 ff00::/8 "
	    /* IPv4 carried in IPv6 (which may be private): IPv4-compatible,
	     * local-use NAT64, 6to4, Teredo */
	    "::/96 64:ff9b:1::/48 2002::/16 2001::/32";
	unsigned char a[16];
	int bits;

	if (addr == NULL || parse_block(addr, strlen(addr), a, &bits) < 0 || bits != 128)
		return 0;
	return !config_addr_listed(not_public, addr);
}

static int
validate(struct config *cfg, char *err, size_t errlen)
{
	static const char *const levels[] = { "error", "warn", "info", "debug" };
	int ok = 0;

	for (size_t i = 0; i < 4; i++)
		if (!strcasecmp(cfg->log_level, levels[i]))
			ok = 1;
	if (!ok) {
		snprintf(err, errlen, "log_level must be error, warn, info or debug, not '%s'",
		    cfg->log_level);
		return -1;
	}
	if (strncmp(cfg->listen, "unix:", 5) != 0 && strchr(cfg->listen, ':') == NULL) {
		snprintf(err, errlen, "listen must be unix:/path or host:port, not '%s'",
		    cfg->listen);
		return -1;
	}
	if (cfg->secret_key[0] != '\0') {
		size_t n = strlen(cfg->secret_key);
		int hex = n == 64;

		for (size_t i = 0; hex && i < n; i++)
			hex = isxdigit((unsigned char)cfg->secret_key[i]);
		if (!hex) {
			snprintf(err, errlen, "secret_key must be 64 hexadecimal characters");
			return -1;
		}
	}
	if (check_origins(cfg->cors_origins, err, errlen) < 0)
		return -1;
	if (check_blocks(cfg->bitwave_trusted_addresses, "bitwave_trusted_addresses", err,
	    errlen) < 0 ||
	    check_blocks(cfg->sms_allowed_addresses, "sms_allowed_addresses", err, errlen) < 0 ||
	    check_blocks(cfg->mpesa_callback_addresses, "mpesa_callback_addresses", err,
	    errlen) < 0)
		return -1;
	if (strspn(cfg->bitwave_trusted_addresses, " ,\t") != strlen(cfg->bitwave_trusted_addresses) &&
	    cfg->bitwave_trusted_tenant[0] == '\0') {
		snprintf(err, errlen, "bitwave_trusted_addresses needs bitwave_trusted_tenant "
		    "(the code of the tenant whose users the panel names)");
		return -1;
	}
	if (cfg->jwt_secret[0] != '\0' && strlen(cfg->jwt_secret) < 32) {
		snprintf(err, errlen, "jwt_secret must be at least 32 characters");
		return -1;
	}
	return 0;
}

static int
load_all(struct config *cfg, const char *path, char *err, size_t errlen)
{
	char where[128];

	memset(cfg, 0, sizeof(*cfg));
	for (size_t i = 0; i < NKEYS; i++)
		if (set_value(cfg, &keys[i], keys[i].def, err, errlen, "default") < 0)
			return -1;
	if (path == NULL && access(config_default_path(), F_OK) == 0)
		path = config_default_path();
	if (path != NULL) {
		cfg->path = xstrdup(path);
		if (load_file(cfg, path, err, errlen) < 0)
			return -1;
	}
	for (size_t i = 0; i < NKEYS; i++) {
		char env[64];
		const char *v;
		size_t j;

		snprintf(env, sizeof(env), "ISPBILL_");
		for (j = 0; keys[i].name[j] && j + 9 < sizeof(env); j++)
			env[8 + j] = (char)toupper((unsigned char)keys[i].name[j]);
		env[8 + j] = '\0';
		if ((v = getenv(env)) == NULL)
			continue;
		snprintf(where, sizeof(where), "environment %s", env);
		if (set_value(cfg, &keys[i], v, err, errlen, where) < 0)
			return -1;
	}
	return validate(cfg, err, errlen);
}

int
config_load(struct config *cfg, const char *path, char *err, size_t errlen)
{
	if (load_all(cfg, path, err, errlen) == 0)
		return 0;
	config_free(cfg);       /* nothing half-loaded survives a failure */
	return -1;
}

void
config_free(struct config *cfg)
{
	for (size_t i = 0; i < NKEYS; i++)
		if (keys[i].type == C_STR)
			free(*(char **)((char *)cfg + keys[i].off));
	free(cfg->path);
	memset(cfg, 0, sizeof(*cfg));
}

void
config_dump(const struct config *cfg, FILE *fp)
{
	fprintf(fp, "# %s\n", cfg->path ? cfg->path : "(no file: defaults and environment)");
	for (size_t i = 0; i < NKEYS; i++) {
		const char *p = (const char *)cfg + keys[i].off;

		switch (keys[i].type) {
		case C_STR:
			if (keys[i].secret)
				fprintf(fp, "%s = %s\n", keys[i].name,
				    (*(char *const *)p)[0] ? "***hidden***" : "");
			else
				fprintf(fp, "%s = %s\n", keys[i].name, *(char *const *)p);
			break;
		case C_INT:
			fprintf(fp, "%s = %d\n", keys[i].name, *(const int *)p);
			break;
		case C_OCT:
			fprintf(fp, "%s = %04o\n", keys[i].name, *(const int *)p);
			break;
		case C_BOOL:
			fprintf(fp, "%s = %s\n", keys[i].name, *(const int *)p ? "yes" : "no");
			break;
		}
	}
}
