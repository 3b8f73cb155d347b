/* conf.h - key = value configuration file with ISPBILL_* environment overrides. */
#ifndef ISP_CONF_H
#define ISP_CONF_H

#include <stdio.h>

struct config {
	char *path;             /* the file read, or NULL when none */
	/* ispbill-fcgi */
	char *listen;           /* unix:/path or host:port */
	int   workers;          /* 0: two per CPU */
	char *user;             /* workers run as this user when started as root */
	char *socket_group;     /* group given the unix socket (nginx's) */
	int   socket_mode;      /* octal, e.g. 0660 */
	char *pid_file;
	int   drain_seconds;    /* SIGTERM: how long in-flight requests may take */
	/* database */
	char *db_host;
	int   db_port;
	char *db_socket;
	char *db_name;
	char *db_user;
	char *db_password;
	int   db_connect_timeout;
	int   db_read_timeout;
	/* files */
	char *sql_dir;
	/* logging */
	char *log_level;
	int   log_syslog;
	/* auth */
	char *jwt_secret;
	int   access_ttl;       /* seconds */
	char *secret_key;       /* 64 hex chars: encrypts secrets at rest */
	/* routers (RouterOS API) */
	int   router_connect_timeout_ms;  /* TCP connect + TLS handshake */
	int   router_timeout_ms;          /* longest wait for one router call */
	char *router_ca_file;   /* api-ssl: verify certificates against it; empty: no check */
	/* M-Pesa and SMS */
	char *public_url;       /* https://billing.example.com: callback URLs start with it */
	char *mpesa_base_url;   /* Daraja (ISPBILL_MPESA_BASE_URL) */
	int   mpesa_timeout_ms; /* one Daraja call, connect included */
	int   sms_timeout_ms;   /* one SMS provider call */
	/* browsers */
	char *cors_origins;     /* "https://panel.example.net, ...", "*", or "": no CORS */
	/* bitwave (000): calls without a token accepted from these client
	 * addresses ("10.0.0.0/8, 127.0.0.1, fd00::/8"; "": none, the
	 * default), acting as the user ?user_id= of this tenant (its code) */
	char *bitwave_trusted_addresses;
	char *bitwave_trusted_tenant;
	/* SMS providers (a tenant's custom_api_url) are reached only at public
	 * addresses, and at these private ones ("10.1.2.3, 127.0.0.1/32") */
	char *sms_allowed_addresses;
	/* M-Pesa callbacks and C2B accepted only from these addresses (nginx's
	 * REMOTE_ADDR; "": from anywhere, the default) */
	char *mpesa_callback_addresses;
	/* ispbill-monitor (WebSocket streams) */
	int   monitor_port;     /* listens on 127.0.0.1:monitor_port (nginx proxies to it) */
	int   monitor_max_streams_per_tenant;      /* router commands running for a tenant */
	int   monitor_max_subscribers_per_router;  /* WebSockets on one router's streams */
	int   monitor_max_subscribers_per_tenant;  /* WebSockets of one tenant */
	int   monitor_recheck_seconds;             /* a subscriber's credential re-checked this often */
};

/* Default config file: SYSCONFDIR/ispbill/ispbill.conf. */
const char *config_default_path(void);

/* Load defaults, then the file (if path is NULL the default file is read
 * when it exists), then ISPBILL_* from the environment, then validate.
 * Returns 0, or -1 with a message in err naming the key or line. */
int  config_load(struct config *cfg, const char *path, char *err, size_t errlen);
void config_free(struct config *cfg);     /* safe on a zeroed or failed config */
/* 1 when addr (an IPv4 or IPv6 address as nginx's REMOTE_ADDR gives it)
 * is in list (addresses and CIDR blocks separated by commas or spaces,
 * as validated by config_load), else 0. */
int  config_addr_listed(const char *list, const char *addr);
/* 1 when addr is a public unicast address: not loopback, private (RFC 1918,
 * fc00::/7), shared (100.64/10), link-local, multicast, reserved or
 * unspecified, IPv4-mapped ones included, nor IPv4 carried in IPv6
 * (IPv4-compatible, local-use NAT64, 6to4, Teredo).  0 otherwise or when
 * unparsable. */
int  config_addr_public(const char *addr);
/* key = value lines, secrets masked; for --check-config. */
void config_dump(const struct config *cfg, FILE *fp);

#endif
