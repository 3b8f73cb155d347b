/* monitor.h - ispbill-monitor: live router streams over WebSocket.
 *
 *   access.c   the handshake: path -> what is asked, credential -> who asks,
 *              permission and tenancy -> the router command to run
 *   fanout.c   the bookkeeping: routers, streams (one router command each)
 *              and subscribers; limits; the latest frame per subscriber
 *   frames.c   the JSON frames sent to subscribers
 *   routers.c  router connections in the event loop: connect (helper
 *              thread), commands, replies, cancel, backoff, watchdog
 *   server.c   the libwebsockets context: /health, the WebSocket protocol,
 *              the tick, signals (drain, reload)
 *
 * One thread runs everything but the blocking TCP connect + login of a
 * router, which a short-lived helper thread does.  Uses core, db, lib and
 * util; never http or api. */
#ifndef ISP_MONITOR_H
#define ISP_MONITOR_H

#include <stddef.h>

#include "core/actor.h"
#include "lib/routeros/routeros.h"

struct lws;
struct lws_context;
struct db;
struct arena;
struct config;

#define MON_FRAME_MAX      512      /* one frame's JSON */
#define MON_CLIENT_MAX     4096     /* a client frame over this closes 1009 */
#define MON_BACKOFF_MIN_MS 1000
#define MON_BACKOFF_MAX_MS 30000
#define MON_IDLE_CLOSE_MS  30000    /* a router with no stream is closed after this */
#define MON_POLL_MS        1000     /* hotspot counters are read this often */
#define MON_RESOLVE_MS     5000     /* a session's address pinged in vain: looked up again after this */

/* WebSocket close codes we use */
#define MON_CLOSE_GOING_AWAY   1001
#define MON_CLOSE_UNSUPPORTED  1003
#define MON_CLOSE_TOO_BIG      1009
#define MON_CLOSE_LIMIT        4429
#define MON_CLOSE_REVOKED      4401     /* the credential is no longer valid */
#define MON_CLOSE_FORBIDDEN    4403     /* ... or lost routers.view */
/* each WebSocket's kernel send buffer (Linux doubles it): about a hundred
 * frames, after which a client that does not read skips to the latest */
#define MON_SNDBUF             8192
/* seconds the event loop may wait on MariaDB (connect, one read): every
 * stream waits with it, so db_connect_timeout and db_read_timeout are held
 * to this here (mon_db_timeouts) */
#define MON_DB_TIMEOUT_S       2

/* ---- what a subscriber asked for (access.c) ---- */

enum mon_kind {
	MON_IFACE,              /* /interface/monitor-traffic on an interface */
	MON_CUST_TRAFFIC,       /* a customer's traffic (PPPoE interface or hotspot counters) */
	MON_PING                /* /ping to a customer's address */
};

enum mon_access { MON_ACC_PPPOE, MON_ACC_HOTSPOT, MON_ACC_STATIC };

struct mon_target {
	enum mon_kind kind;
	long long tenant_id, router_id, customer_id;
	enum mon_access access;     /* customer streams */
	char iface[128];            /* MON_IFACE: the interface */
	char user[128];             /* customer streams: the service's username */
	char address[64];           /* a static address, or "" (found on the router) */
};

/* Parse a request path (query string apart) into t->kind, t->customer_id,
 * t->router_id (native's router path) and t->iface (percent-decoded).
 * 0, or -1 for a path that is no stream of ours. */
int mon_parse_path(const char *path, struct mon_target *t, int *mikrobill);

/* The credential of a handshake. */
struct mon_cred {
	const char *client_key;     /* X-Client-Key */
	const char *bearer;         /* Authorization: Bearer */
	const char *ticket;         /* ?ticket= */
	const char *router_id;      /* ?router_id= (mikrobill's interface stream) */
};

/* Who a subscriber is, kept from the handshake so that the credential is
 * checked again while the stream runs (a logout, a disabled user or API
 * client, a lost permission end it). */
struct mon_who {
	long long user_id, client_id, tenant_id;
	char jti[40], fam[40];      /* a Bearer token's: its login still live */
};

/* Authenticate, check routers.view and resolve the target in the caller's
 * tenant.  Returns an HTTP status: 0 (accepted: *t and *kept complete),
 * 401, 403, 404, 503 (database); msg gets a short
 * reason. */
int mon_access(struct db *db, struct arena *a, const struct config *cfg,
    const struct mon_cred *cr, int mikrobill, struct mon_target *t, struct mon_who *kept,
    const char **msg);
/* Check a kept credential again: 0 (still good), 401 (a token revoked or
 * its login ended, a user or API client disabled, deleted or moved),
 * 403 (permission lost), 503 (database: keep it).  A token's expiry does
 * not end a stream: its login (refresh family) does. */
int mon_recheck(struct db *db, struct arena *a, const struct config *cfg,
    const struct mon_who *k);

/* ---- bookkeeping (fanout.c) ---- */

struct mon_router;
struct mon_stream;

struct mon_sub {
	struct lws *wsi;
	struct mon_stream *st;
	struct mon_sub *next;           /* in the stream's list */
	struct mon_target tgt;
	struct mon_who who;             /* re-checked at next_check_ms */
	long long next_check_ms;
	char pending[MON_FRAME_MAX];    /* the latest frame not yet written */
	size_t pending_len;
	int resumed;                    /* {"type":"resumed"} is due before pending */
	int close_code;                 /* set: close with it when writable */
	const char *close_reason;
};

enum mon_stream_state {
	MS_WAIT,        /* no command: the router is down, or a retry is due at retry_ms */
	MS_RESOLVE,     /* a print is in flight to find the customer's address */
	MS_RUN          /* the streaming command (or the hotspot poll) runs */
};

struct mon_stream {
	struct mon_router *r;
	struct mon_stream *next;        /* in the router's list */
	enum mon_kind kind;
	enum mon_access access;
	long long customer_id;
	char key[160];                  /* the interface, or the customer's id */
	char user[128];
	char address[64];               /* ping: resolved address */
	long long resolved_ms;          /* ping: when it was (0: static, never looked up) */
	enum mon_stream_state state;
	unsigned long tag;              /* the running command (0: none) */
	int polling;                    /* hotspot: a print is in flight under tag */
	long long retry_ms;             /* MS_WAIT: when to try again (0: with the router) */
	int backoff_ms;
	int errored;                    /* an error frame was sent: "resumed" comes first */
	long long last_poll_ms;         /* hotspot: when the last poll was sent */
	long long last_sample_ms;       /* hotspot: when the last counters came */
	unsigned long long last_rx_b, last_tx_b, last_rx_p, last_tx_p;
	int have_last;
	unsigned long long cur_rx_b, cur_tx_b, cur_rx_p, cur_tx_p;
	int cur_found;                  /* hotspot poll / address print: an item came */
	int trapped;                    /* the command's !trap came; its !done follows */
	char trap[160];
	char last[MON_FRAME_MAX];       /* the latest data frame, for a new subscriber */
	size_t last_len;
	struct mon_sub *subs;
	int nsubs;
};

enum mon_router_state { MR_DOWN, MR_CONNECTING, MR_UP };

struct mon_router {
	long long id, tenant_id;
	struct mon_router *next;
	enum mon_router_state state;
	struct ros_conn *c;
	struct lws *wsi;                /* the adopted socket */
	long long next_try_ms;          /* MR_DOWN: when to connect again */
	int backoff_ms;
	long long last_rx_ms;           /* the watchdog's clock */
	long long idle_since_ms;        /* no streams since then (0: has some) */
	int read_timeout_ms;
	struct mon_stream *streams;
	int nstreams, nsubs;
};

struct mon_limits {
	int streams_per_tenant;
	int subs_per_router;
	int subs_per_tenant;
};

struct mon_world {
	struct mon_router *routers;
	struct mon_limits lim;
	int nstreams, nsubs, nrouters_up;
	/* called when a subscriber has something to write (a frame, a close) */
	void (*wake)(struct mon_sub *s);
	/* called when a new stream needs its command (router up or not) */
	void (*start)(struct mon_world *w, struct mon_stream *st);
	/* called when a stream's last subscriber left: cancel its command */
	void (*stop)(struct mon_world *w, struct mon_router *r, struct mon_stream *st);
};

/* Attach s to the stream of its target, creating the router and stream
 * records as needed (then w->start).  0, or a close reason when a limit
 * is reached ("too many streams", "too many subscribers"). */
const char *mon_subscribe(struct mon_world *w, struct mon_sub *s);
/* Detach s; the stream's last subscriber stops it (w->stop, then freed). */
void mon_unsubscribe(struct mon_world *w, struct mon_sub *s);
/* A frame for every subscriber of st: kept as their latest, w->wake.  A
 * data frame after an error frame is preceded by {"type":"resumed"}. */
void mon_publish(struct mon_world *w, struct mon_stream *st, const char *frame, size_t n);
void mon_publish_error(struct mon_world *w, struct mon_stream *st, const char *frame, size_t n);
struct mon_router *mon_router_find(struct mon_world *w, long long id);
/* Free a router record that has no streams (caller closed its connection). */
void mon_router_free(struct mon_world *w, struct mon_router *r);
/* Take the last frame of s (0 when none): copies it to out. */
size_t mon_take(struct mon_sub *s, char *out, size_t n);
/* A tenant's streams and subscribers. */
void mon_tenant_count(const struct mon_world *w, long long tenant, int *streams, int *subs);
/* Next backoff: 1 s, 2 s, 4 s ... 30 s. */
int mon_backoff_next(int cur);

/* ---- frames (frames.c): JSON into out (n bytes), the length returned ---- */

/* "2026-11-25T14:00:00.123Z" for now */
void   mon_ts(char out[32]);
size_t mon_frame_traffic(char *out, size_t n, const struct mon_stream *st, long long router_id,
    const char *ts, const struct ros_traffic *tr);
struct mon_ping_reply {
	long long seq;
	int timeout;
	double time_ms;
	int ttl;
	long long sent, received;
	double loss_pct;
};
size_t mon_frame_ping(char *out, size_t n, const struct mon_stream *st, const char *ts,
    const struct mon_ping_reply *p);
/* code: router_unreachable, router_error, customer_offline */
size_t mon_frame_error(char *out, size_t n, const char *code, const char *message,
    int retry_in_ms);
size_t mon_frame_resumed(char *out, size_t n);
/* Read one /ping !re into p; 0, or -1 when it is no probe (a summary). */
int mon_ping_from_reply(const struct ros_reply *r, struct mon_ping_reply *p);

/* ---- router connections (routers.c) ---- */

struct mon_ctx;
void mon_routers_init(struct mon_ctx *m);
/* The fanout's start/stop hooks. */
void mon_stream_start(struct mon_world *w, struct mon_stream *st);
void mon_stream_stop(struct mon_world *w, struct mon_router *r, struct mon_stream *st);
/* Every tick: connects due, retries due, hotspot polls, the watchdog. */
void mon_routers_tick(struct mon_ctx *m, long long now);
/* From the adopted socket's callbacks. */
int  mon_router_io(struct mon_ctx *m, struct mon_router *r);
void mon_router_closed(struct mon_ctx *m, struct mon_router *r);
/* A helper thread finished: take its results (event loop thread). */
void mon_routers_connected(struct mon_ctx *m);
/* Close every router connection (drain). */
void mon_routers_shutdown(struct mon_ctx *m);

/* ---- the server (server.c) ---- */

struct mon_ctx {
	struct lws_context *lws;
	struct db *db;
	struct config *cfg;
	const char *cfg_path;
	struct mon_world w;
	int draining;
	long long drain_deadline_ms;
};

extern struct mon_ctx *mon_self;
long long mon_now_ms(void);
/* Adopt a router's socket into the loop (routers.c calls it). */
struct lws *mon_adopt_fd(struct mon_ctx *m, int fd, struct mon_router *r);
/* Ask for POLLOUT on a router's socket. */
void mon_want_write(struct lws *wsi);
/* Kill a router's adopted socket wsi (mon_router_closed follows). */
void mon_kill(struct lws *wsi);
/* Run the daemon: 0 on a clean stop. */
int mon_run(struct config *cfg, const char *cfg_path, struct db *db);
/* Hold c's database timeouts to MON_DB_TIMEOUT_S (a hung MariaDB stalls
 * every stream while the loop waits on it). */
void mon_db_timeouts(struct config *c);

#endif
