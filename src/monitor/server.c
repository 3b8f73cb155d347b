/* server.c - ispbill-monitor's libwebsockets side: one context on
 * 127.0.0.1:monitor_port, GET /health, the WebSocket handshake (refused
 * with an HTTP status and a small JSON body), frames out, close codes for
 * what clients send, a 100 ms tick, SIGTERM drain and SIGHUP reload. */
#include "config.h"
#include "monitor/monitor.h"
#include "db/db.h"
#include "util/arena.h"
#include "util/conf.h"
#include "util/log.h"

#include <libwebsockets.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

#define TICK_MS   100
#define DRAIN_MS  3000
#define SUB_MAGIC 0x6d6f6e73u
#define RECHECK_PER_TICK 50     /* credentials checked again per tick at most */
#define RECHECK_PAUSE_MS 30000  /* ... and none for this long after a database failure */
#ifndef MON_PING_S
#define MON_PING_S   30
#define MON_HANGUP_S 70
#endif

struct mon_ctx *mon_self;

static volatile sig_atomic_t got_term, got_hup;
static lws_sorted_usec_list_t tick_sul;
static int stop_loop;
static long long stop_at_ms;

/* a subscriber record, hung on its wsi from the handshake on */
struct sub_box {
	unsigned magic;
	struct mon_sub s;
};

long long
mon_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
on_signal(int sig)
{
	if (sig == SIGHUP)
		got_hup = 1;
	else
		got_term = 1;
	if (mon_self && mon_self->lws)
		lws_cancel_service(mon_self->lws);
}

static void
apply_limits(struct mon_ctx *m)
{
	m->w.lim.streams_per_tenant = m->cfg->monitor_max_streams_per_tenant;
	m->w.lim.subs_per_router = m->cfg->monitor_max_subscribers_per_router;
	m->w.lim.subs_per_tenant = m->cfg->monitor_max_subscribers_per_tenant;
}

/* ---- HTTP ---- */

/* status + JSON body; 0, or -1 when the connection cannot take it */
static int
http_reply(struct lws *wsi, int status, const char *body)
{
	unsigned char hdr[LWS_PRE + 512], *start = hdr + LWS_PRE, *p = start;
	unsigned char out[LWS_PRE + 1024];
	size_t n = strlen(body);

	if (n > sizeof(out) - LWS_PRE)
		n = sizeof(out) - LWS_PRE;
	memcpy(out + LWS_PRE, body, n);
	if (lws_add_http_common_headers(wsi, (unsigned)status, "application/json",
	    (lws_filepos_t)n, &p, hdr + sizeof(hdr)) ||
	    lws_add_http_header_by_token(wsi, WSI_TOKEN_HTTP_CACHE_CONTROL,
	    (const unsigned char *)"no-store", 8, &p, hdr + sizeof(hdr)) ||
	    lws_finalize_write_http_header(wsi, start, &p, hdr + sizeof(hdr)))
		return -1;
	if (lws_write(wsi, out + LWS_PRE, n, LWS_WRITE_HTTP_FINAL) != (int)n)
		return -1;
	return 0;
}

static int
http_error(struct lws *wsi, int status, const char *msg)
{
	char body[600];
	const char *code = status == 401 ? "unauthorized" : status == 403 ? "forbidden" :
	    status == 404 ? "not_found" : status == 429 ? "too_many_requests" :
	    status == 503 ? "unavailable" : "bad_request";
	/* msg is ours (never the client's text): no escaping needed */
	snprintf(body, sizeof(body), "{\"error\":\"%s\",\"message\":\"%s\"}", code, msg);
	return http_reply(wsi, status, body);
}

static int
on_http(struct mon_ctx *m, struct lws *wsi, const char *path)
{
	char body[256];
	int rc;

	if (!strcmp(path, "/health")) {
		snprintf(body, sizeof(body), "{\"ok\":%s,\"streams\":%d,\"subscribers\":%d,"
		    "\"routers_connected\":%d}", m->draining ? "false" : "true", m->w.nstreams,
		    m->w.nsubs, m->w.nrouters_up);
		rc = http_reply(wsi, m->draining ? 503 : 200, body);
	} else {
		rc = http_error(wsi, 404, "no such path (WebSocket streams need an Upgrade)");
	}
	if (rc < 0 || lws_http_transaction_completed(wsi))
		return -1;
	return 0;
}

/* ---- the handshake ---- */

static int
header(struct lws *wsi, enum lws_token_indexes tok, char *buf, int n)
{
	if (lws_hdr_total_length(wsi, tok) <= 0 || lws_hdr_copy(wsi, buf, n, tok) < 0)
		return -1;
	return 0;
}

static int
on_upgrade(struct mon_ctx *m, struct lws *wsi)
{
	char path[512], auth[4200], key[256], tbuf[200], rbuf[64];
	struct mon_cred cr;
	struct mon_target t;
	struct mon_who kept;
	struct sub_box *b;
	struct arena a;
	const char *msg = "";
	int mikrobill, status;

	if (m->draining)
		return http_error(wsi, 503, "server shutting down") < 0 ? -1 : 1;
	if (header(wsi, WSI_TOKEN_GET_URI, path, sizeof(path)) < 0 ||
	    mon_parse_path(path, &t, &mikrobill) < 0)
		return http_error(wsi, 404, "no such stream") < 0 ? -1 : 1;
	memset(&cr, 0, sizeof(cr));
	if (lws_hdr_custom_copy(wsi, key, sizeof(key), "x-client-key:", 13) > 0)
		cr.client_key = key;
	if (header(wsi, WSI_TOKEN_HTTP_AUTHORIZATION, auth, sizeof(auth)) == 0 &&
	    !strncasecmp(auth, "Bearer ", 7)) {
		cr.bearer = auth + 7;
		while (*cr.bearer == ' ')
			cr.bearer++;
	}
	cr.ticket = lws_get_urlarg_by_name(wsi, "ticket=", tbuf, sizeof(tbuf));
	cr.router_id = lws_get_urlarg_by_name(wsi, "router_id=", rbuf, sizeof(rbuf));
	arena_init(&a);
	status = mon_access(m->db, &a, m->cfg, &cr, mikrobill, &t, &kept, &msg);
	if (status != 0) {
		char copy[200], from[64] = "";

		snprintf(copy, sizeof(copy), "%s", msg);
		arena_free(&a);
		if (lws_hdr_custom_copy(wsi, from, sizeof(from), "x-forwarded-for:", 16) < 0)
			from[0] = '\0';
		log_info("monitor: %s %s refused (%d): %s", from[0] ? from : "-", path, status,
		    copy);
		return http_error(wsi, status, copy) < 0 ? -1 : 1;
	}
	arena_free(&a);
	b = xmalloc(sizeof(*b));
	memset(b, 0, sizeof(*b));
	b->magic = SUB_MAGIC;
	b->s.tgt = t;
	b->s.who = kept;
	lws_set_opaque_user_data(wsi, b);
	return 0;
}

static int cb_ws(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
    size_t len);
static int cb_router(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
    size_t len);

static const struct lws_protocols protocols[] = {
	{ "ispbill-monitor", cb_ws, 0, MON_CLIENT_MAX, 0, NULL, 0 },
	{ "ispbill-router", cb_router, 0, 0, 0, NULL, 0 },
	{ NULL, NULL, 0, 0, 0, NULL, 0 }
};

/* the subscriber of a WebSocket (router sockets carry their router) */
static struct sub_box *
box_of(struct lws *wsi)
{
	const struct lws_protocols *p = lws_get_protocol(wsi);
	struct sub_box *b;

	if (p && p->callback != cb_ws)     /* (lws keeps its own copy of protocols[]) */
		return NULL;
	b = lws_get_opaque_user_data(wsi);
	return b && b->magic == SUB_MAGIC ? b : NULL;
}

static void
wake(struct mon_sub *s)
{
	if (s->wsi)
		lws_callback_on_writable(s->wsi);
}

static int
on_writable(struct lws *wsi, struct mon_sub *s)
{
	unsigned char buf[LWS_PRE + MON_FRAME_MAX];
	size_t n;

	if (s->close_code) {
		lws_close_reason(wsi, (enum lws_close_status)s->close_code,
		    (unsigned char *)(uintptr_t)s->close_reason, strlen(s->close_reason));
		return -1;
	}
	if (s->resumed) {
		s->resumed = 0;
		n = mon_frame_resumed((char *)buf + LWS_PRE, MON_FRAME_MAX);
		if (s->pending_len)
			lws_callback_on_writable(wsi);
	} else if ((n = mon_take(s, (char *)buf + LWS_PRE, MON_FRAME_MAX)) == 0) {
		return 0;
	}
	if (lws_write(wsi, buf + LWS_PRE, n, LWS_WRITE_TEXT) < (int)n)
		return -1;
	return 0;
}

/* any data frame from a client: 1009 when over MON_CLIENT_MAX, else 1003 */
static int
on_receive(struct lws *wsi, size_t len)
{
	size_t total = len + lws_remaining_packet_payload(wsi);
	int big = total > MON_CLIENT_MAX;
	const char *why = big ? "frame too big" : "this stream takes no client frames";

	lws_close_reason(wsi, big ? MON_CLOSE_TOO_BIG : MON_CLOSE_UNSUPPORTED,
	    (unsigned char *)(uintptr_t)why, strlen(why));
	return -1;
}

static int
cb_ws(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len)
{
	struct mon_ctx *m = mon_self;
	struct sub_box *b;

	(void)user;
	switch (reason) {
	case LWS_CALLBACK_HTTP:
		return on_http(m, wsi, in ? (const char *)in : "");
	case LWS_CALLBACK_HTTP_CONFIRM_UPGRADE:
		if (in && strcmp((const char *)in, "websocket") != 0)
			return -1;
		return on_upgrade(m, wsi);
	case LWS_CALLBACK_ESTABLISHED: {
		const char *why;

		if ((b = box_of(wsi)) == NULL)
			return -1;
		b->s.wsi = wsi;
		b->s.next_check_ms = mon_now_ms() + (long long)m->cfg->monitor_recheck_seconds * 1000;
		{
			/* a small send buffer: a client that stops reading holds a
			 * few kilobytes in the kernel, not megabytes (Linux grows an
			 * untouched one up to tcp_wmem), and soon stops being
			 * writable, so that it gets the latest frame, not a queue */
			int fd = lws_get_socket_fd(wsi), size = MON_SNDBUF;

			if (fd >= 0 && setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size)) < 0)
				log_warn("monitor: SO_SNDBUF: %m");
		}
		if (m->draining) {
			b->s.close_code = MON_CLOSE_GOING_AWAY;
			b->s.close_reason = "server shutting down";
		} else if ((why = mon_subscribe(&m->w, &b->s)) != NULL) {
			b->s.close_code = MON_CLOSE_LIMIT;
			b->s.close_reason = why;
			log_info("monitor: tenant %lld: %s", b->s.tgt.tenant_id, why);
		}
		if (b->s.close_code)
			lws_callback_on_writable(wsi);
		return 0;
	}
	case LWS_CALLBACK_SERVER_WRITEABLE:
		if ((b = box_of(wsi)) == NULL)
			return -1;
		return on_writable(wsi, &b->s);
	case LWS_CALLBACK_RECEIVE:
		return on_receive(wsi, len);
	case LWS_CALLBACK_CLOSED:
		if ((b = box_of(wsi)) != NULL) {
			mon_unsubscribe(&m->w, &b->s);
			b->s.wsi = NULL;
		}
		return 0;
	case LWS_CALLBACK_WSI_DESTROY:
		if ((b = box_of(wsi)) != NULL) {
			mon_unsubscribe(&m->w, &b->s);
			lws_set_opaque_user_data(wsi, NULL);
			b->magic = 0;
			free(b);
		}
		return 0;
	case LWS_CALLBACK_EVENT_WAIT_CANCELLED:
		mon_routers_connected(m);
		return 0;
	default:
		return 0;
	}
}

/* ---- router sockets ---- */

static int
cb_router(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len)
{
	struct mon_router *r = lws_get_opaque_user_data(wsi);

	(void)user;
	(void)in;
	(void)len;
	switch (reason) {
	case LWS_CALLBACK_RAW_RX_FILE:
	case LWS_CALLBACK_RAW_WRITEABLE_FILE:
		if (r == NULL || r->wsi != wsi)
			return -1;
		mon_router_io(mon_self, r);
		return r->wsi == wsi ? 0 : -1;
	case LWS_CALLBACK_RAW_CLOSE_FILE:
		lws_set_opaque_user_data(wsi, NULL);
		if (r && r->wsi == wsi)
			mon_router_closed(mon_self, r);
		return 0;
	default:
		return 0;
	}
}

struct lws *
mon_adopt_fd(struct mon_ctx *m, int fd, struct mon_router *r)
{
	lws_sock_file_fd_type u;
	struct lws *wsi;

	u.filefd = (lws_filefd_type)fd;
	wsi = lws_adopt_descriptor_vhost(lws_get_vhost_by_name(m->lws, "default"),
	    LWS_ADOPT_RAW_FILE_DESC, u, "ispbill-router", NULL);
	if (wsi)
		lws_set_opaque_user_data(wsi, r);
	return wsi;
}

void
mon_want_write(struct lws *wsi)
{
	lws_callback_on_writable(wsi);
}

void
mon_kill(struct lws *wsi)
{
	lws_set_timeout(wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
}

/* ---- the tick: signals, drain, routers ---- */

static void
drain_start(struct mon_ctx *m)
{
	int n = 0;

	m->draining = 1;
	m->drain_deadline_ms = mon_now_ms() + DRAIN_MS;
	for (struct mon_router *r = m->w.routers; r; r = r->next)
		for (struct mon_stream *st = r->streams; st; st = st->next)
			for (struct mon_sub *s = st->subs; s; s = s->next) {
				s->close_code = MON_CLOSE_GOING_AWAY;
				s->close_reason = "server shutting down";
				wake(s);
				n++;
			}
	log_info("signal: draining %d subscriber(s)", n);
}

/* Every subscriber's credential again, each monitor_recheck_seconds (a
 * few per tick): a logout, a disabled user or API client, a lost
 * permission end the stream (4401, 4403).  The database failing: streams
 * kept, and no check for RECHECK_PAUSE_MS (a hung MariaDB would otherwise
 * stall the loop for db_read_timeout per subscriber). */
static void
recheck(struct mon_ctx *m, long long now)
{
	static long long paused_until;
	long long every = (long long)m->cfg->monitor_recheck_seconds * 1000;
	int n = 0;

	if (now < paused_until)
		return;
	for (struct mon_router *r = m->w.routers; r; r = r->next)
		for (struct mon_stream *st = r->streams; st; st = st->next)
			for (struct mon_sub *s = st->subs; s; s = s->next) {
				struct arena a;
				int rc;

				if (s->close_code || now < s->next_check_ms)
					continue;
				if (n++ >= RECHECK_PER_TICK)
					return;
				s->next_check_ms = now + every;
				arena_init(&a);
				rc = mon_recheck(m->db, &a, m->cfg, &s->who);
				arena_free(&a);
				if (rc == 503) {
					log_warn("monitor: credentials not checked again: database unavailable");
					paused_until = now + RECHECK_PAUSE_MS;
					return;
				}
				if (rc != 401 && rc != 403)
					continue;
				s->close_code = rc == 401 ? MON_CLOSE_REVOKED : MON_CLOSE_FORBIDDEN;
				s->close_reason = rc == 401 ? "credentials no longer valid" :
				    "permission routers.view is required";
				log_info("monitor: tenant %lld: a subscriber's %s", s->tgt.tenant_id,
				    s->close_reason);
				wake(s);
			}
}

void
mon_db_timeouts(struct config *c)
{
	if (c->db_connect_timeout > MON_DB_TIMEOUT_S)
		c->db_connect_timeout = MON_DB_TIMEOUT_S;
	if (c->db_read_timeout > MON_DB_TIMEOUT_S)
		c->db_read_timeout = MON_DB_TIMEOUT_S;
}

static void
reload(struct mon_ctx *m)
{
	struct config nc;
	enum log_level lvl;
	char err[512];

	if (config_load(&nc, m->cfg_path, err, sizeof(err)) < 0) {
		log_error("reload refused, keeping the running configuration: %s", err);
		return;
	}
	if (nc.monitor_port != m->cfg->monitor_port)
		log_warn("reload: monitor_port changes only with a restart");
	nc.monitor_port = m->cfg->monitor_port;
	if (!nc.jwt_secret[0] && m->cfg->jwt_secret[0]) {
		free(nc.jwt_secret);
		nc.jwt_secret = xstrdup(m->cfg->jwt_secret);
	}
	config_free(m->cfg);
	*m->cfg = nc;
	mon_db_timeouts(m->cfg);
	apply_limits(m);
	if (log_level_parse(m->cfg->log_level, &lvl) == 0)
		log_set_level(lvl);
	log_info("configuration reloaded");
}

static void
tick(lws_sorted_usec_list_t *sul)
{
	struct mon_ctx *m = mon_self;
	long long now = mon_now_ms();

	(void)sul;
	if (got_hup) {
		got_hup = 0;
		reload(m);
	}
	if (got_term && !m->draining)
		drain_start(m);
	mon_routers_tick(m, now);
	if (!m->draining)
		recheck(m, now);
	if (m->draining && !stop_at_ms && (m->w.nsubs == 0 || now >= m->drain_deadline_ms))
		stop_at_ms = now + 300;     /* the last /cancel words go out meanwhile */
	if (stop_at_ms && now >= stop_at_ms) {
		stop_loop = 1;
		lws_cancel_service(m->lws);
		return;
	}
	lws_sul_schedule(m->lws, 0, &tick_sul, tick, TICK_MS * LWS_US_PER_MS);
}

static void
lws_log_emit(int level, const char *line)
{
	size_t n = strlen(line);

	while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		n--;
	if (level & LLL_ERR)
		log_error("lws: %.*s", (int)n, line);
	else
		log_warn("lws: %.*s", (int)n, line);
}

/* a WebSocket that has said nothing (not even a pong) for 30 s is pinged,
 * and closed after 70 s: a client that vanished costs little */
static const lws_retry_bo_t idle_policy = {
	.secs_since_valid_ping = MON_PING_S,
	.secs_since_valid_hangup = MON_HANGUP_S,
};

int
mon_run(struct config *cfg, const char *cfg_path, struct db *db)
{
	static struct mon_ctx m;
	struct lws_context_creation_info info;
	struct sigaction sa;

	memset(&m, 0, sizeof(m));
	m.cfg = cfg;
	m.cfg_path = cfg_path;
	m.db = db;
	m.w.wake = wake;
	mon_self = &m;
	apply_limits(&m);
	mon_routers_init(&m);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);

	lws_set_log_level(LLL_ERR | LLL_WARN, lws_log_emit);
	memset(&info, 0, sizeof(info));
	info.port = cfg->monitor_port;
	info.iface = "127.0.0.1";
	info.protocols = protocols;
	info.vhost_name = "default";
	info.gid = -1;
	info.uid = -1;
	info.options = LWS_SERVER_OPTION_DISABLE_IPV6 | LWS_SERVER_OPTION_VALIDATE_UTF8;
	info.timeout_secs = 10;
	info.max_http_header_data = 16384;  /* a browser's cookies come along */
	info.retry_and_idle_policy = &idle_policy;
	info.ka_time = 60;          /* TCP keepalive: a vanished client ends in minutes */
	info.ka_probes = 3;
	info.ka_interval = 10;
	if ((m.lws = lws_create_context(&info)) == NULL) {
		log_error("cannot listen on 127.0.0.1:%d", cfg->monitor_port);
		return 1;
	}
	log_info("ispbill-monitor %s listening on 127.0.0.1:%d", PACKAGE_VERSION, cfg->monitor_port);
	lws_sul_schedule(m.lws, 0, &tick_sul, tick, TICK_MS * LWS_US_PER_MS);
	while (!stop_loop)
		if (lws_service(m.lws, 0) < 0)
			break;
	mon_routers_shutdown(&m);
	lws_context_destroy(m.lws);
	m.lws = NULL;
	mon_self = NULL;
	log_info("stopped");
	return 0;
}
