/* routers.c - the monitor's router connections, inside the event loop.
 *
 * One connection per router, shared by its streams; each stream is one
 * tagged command (monitor-traffic, ping) or, for a hotspot customer, a
 * print of its /ip/hotspot/active entry every second.  The TCP connect and
 * login block, so a short-lived helper thread does them (an offline
 * router's connect timeout never stalls the loop); the connected socket is
 * then adopted into libwebsockets (a dup of it: lws closes what it adopts)
 * and driven with ros_io / ros_next_reply.  A router that fails is closed,
 * its subscribers get an error frame, and it is tried again after 1 s, 2 s,
 * 4 s ... 30 s; its streams then start again on the same WebSockets. */
#include "config.h"
#include "monitor/monitor.h"
#include "core/core.h"
#include "core/provision.h"
#include "db/db.h"
#include "util/arena.h"
#include "util/conf.h"
#include "util/log.h"

#include <libwebsockets.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* a connect done by a helper thread */
struct conn_job {
	long long router_id;
	struct ros_opts o;
	char *host, *user, *password, *ca_file;
	struct ros_conn *c;
	struct ros_error err;
	struct conn_job *next;
};

static pthread_mutex_t done_lock = PTHREAD_MUTEX_INITIALIZER;
static struct conn_job *done_jobs;
/* the loop a finished connect wakes; NULL once it is gone (a helper
 * thread may outlive it: it must not touch mon_self then) */
static struct lws_context *wake_ctx;

static void stream_run(struct mon_ctx *m, struct mon_stream *st);

void
mon_routers_init(struct mon_ctx *m)
{
	m->w.start = mon_stream_start;
	m->w.stop = mon_stream_stop;
}

/* ---- errors to subscribers ---- */

static void
stream_error(struct mon_ctx *m, struct mon_stream *st, const char *code, const char *msg,
    int retry_ms)
{
	char f[MON_FRAME_MAX];
	size_t n = mon_frame_error(f, sizeof(f), code, msg, retry_ms);

	mon_publish_error(&m->w, st, f, n);
}

/* the stream's command failed (not the router): try it again later */
static void
stream_retry(struct mon_ctx *m, struct mon_stream *st, const char *code, const char *msg)
{
	st->tag = 0;
	st->polling = 0;
	st->state = MS_WAIT;
	st->backoff_ms = mon_backoff_next(st->backoff_ms);
	st->retry_ms = mon_now_ms() + st->backoff_ms;
	st->have_last = 0;
	stream_error(m, st, code, msg, st->backoff_ms);
}

/* Close the router's connection; every stream waits for the reconnect.
 * msg may point into the connection (a !fatal's reason): copied first. */
static void
router_down(struct mon_ctx *m, struct mon_router *r, const char *code, const char *why)
{
	char msg[200];

	snprintf(msg, sizeof(msg), "%s", why);
	if (r->wsi) {
		lws_set_opaque_user_data(r->wsi, NULL);
		mon_kill(r->wsi);
		r->wsi = NULL;
	}
	if (r->c) {
		ros_close(r->c);
		r->c = NULL;
	}
	if (r->state == MR_UP)
		m->w.nrouters_up--;
	r->state = MR_DOWN;
	r->backoff_ms = mon_backoff_next(r->backoff_ms);
	r->next_try_ms = mon_now_ms() + r->backoff_ms;
	if (r->nstreams)
		log_warn("router %lld: %s (%s); again in %d ms", r->id, msg, code, r->backoff_ms);
	for (struct mon_stream *st = r->streams; st; st = st->next) {
		st->tag = 0;
		st->polling = 0;
		st->state = MS_WAIT;
		st->retry_ms = 0;
		st->have_last = 0;
		stream_error(m, st, code, msg, r->backoff_ms);
	}
}

/* ---- connecting ---- */

static void *
connect_main(void *arg)
{
	struct conn_job *j = arg;

	j->c = ros_connect(&j->o, &j->err);
	pthread_mutex_lock(&done_lock);
	j->next = done_jobs;
	done_jobs = j;
	if (wake_ctx)
		lws_cancel_service(wake_ctx);
	pthread_mutex_unlock(&done_lock);
	return NULL;
}

static char *
dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

static void
job_free(struct conn_job *j)
{
	if (j->password)
		explicit_bzero(j->password, strlen(j->password));
	free(j->host);
	free(j->user);
	free(j->password);
	free(j->ca_file);
	free(j);
}

static void
router_connect(struct mon_ctx *m, struct mon_router *r)
{
	struct arena a;
	struct prov p;
	struct ros_opts o;
	struct conn_job *j;
	pthread_attr_t at;
	pthread_t t;
	int rc;

	arena_init(&a);
	rc = prov_target(m->db, &a, r->tenant_id, r->id, 0, &p, &o);
	if (rc != CORE_OK) {
		arena_free(&a);
		router_down(m, r, rc == CORE_DB ? "router_unreachable" : "router_error",
		    rc == CORE_DB ? "database unavailable" : rc == CORE_NOT_FOUND ?
		    "router not found" : p.err.message);
		return;
	}
	j = xmalloc(sizeof(*j));
	memset(j, 0, sizeof(*j));
	j->router_id = r->id;
	j->o = o;
	j->o.host = j->host = dup_or_null(o.host);
	j->o.user = j->user = dup_or_null(o.user);
	j->o.password = j->password = dup_or_null(o.password);
	j->o.ca_file = j->ca_file = dup_or_null(o.ca_file);
	r->read_timeout_ms = o.read_timeout_ms;
	arena_free(&a);
	r->state = MR_CONNECTING;
	pthread_mutex_lock(&done_lock);
	wake_ctx = m->lws;
	pthread_mutex_unlock(&done_lock);
	pthread_attr_init(&at);
	pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&t, &at, connect_main, j) != 0) {
		job_free(j);
		r->state = MR_DOWN;
		router_down(m, r, "router_unreachable", "cannot start a connect");
	}
	pthread_attr_destroy(&at);
}

void
mon_routers_connected(struct mon_ctx *m)
{
	struct conn_job *list, *j;

	pthread_mutex_lock(&done_lock);
	list = done_jobs;
	done_jobs = NULL;
	pthread_mutex_unlock(&done_lock);
	while ((j = list) != NULL) {
		struct mon_router *r = mon_router_find(&m->w, j->router_id);
		int fd;

		list = j->next;
		if (r == NULL || r->state != MR_CONNECTING || m->draining) {
			if (j->c)
				ros_close(j->c);
		} else if (j->c == NULL) {
			char msg[300];

			ros_error_format(&j->err, msg, sizeof(msg));
			router_down(m, r, prov_unreachable(&j->err) || j->err.code == ROS_ECLOSED ?
			    "router_unreachable" : "router_error", msg);
		} else if ((fd = dup(ros_fd(j->c))) < 0 ||
		    (r->wsi = mon_adopt_fd(m, fd, r)) == NULL) {
			if (fd >= 0)
				close(fd);
			ros_close(j->c);
			router_down(m, r, "router_unreachable", "cannot watch the router's socket");
		} else {
			r->c = j->c;
			r->state = MR_UP;
			r->backoff_ms = 0;
			r->last_rx_ms = mon_now_ms();
			m->w.nrouters_up++;
			log_info("router %lld: connected (%d stream(s))", r->id, r->nstreams);
			for (struct mon_stream *st = r->streams; st; st = st->next)
				if (st->state == MS_WAIT && st->retry_ms == 0)
					stream_run(m, st);
		}
		job_free(j);
	}
}

/* ---- commands ---- */

/* Queue a command on the router; its tag into *tag.  0, or -1 (the router
 * was taken down). */
static int
router_queue(struct mon_ctx *m, struct mon_router *r, const struct ros_cmd *cmd,
    unsigned long *tag)
{
	struct ros_error err;

	if (r->state != MR_UP || cmd->overflow)
		return -1;
	if (ros_in_flight(r->c) == 0)
		r->last_rx_ms = mon_now_ms();   /* the watchdog counts from now */
	if (ros_queue(r->c, cmd->w, cmd->n, tag, &err) != ROS_OK) {
		router_down(m, r, "router_error", err.message);
		return -1;
	}
	if (r->wsi)
		mon_want_write(r->wsi);
	return 0;
}

static void
stream_cmd(struct mon_ctx *m, struct mon_stream *st, struct ros_cmd *cmd)
{
	st->trapped = 0;
	st->cur_found = 0;
	if (router_queue(m, st->r, cmd, &st->tag) < 0)
		st->tag = 0;
}

/* the address of a customer's live session (ping without a static address) */
static void
resolve_address(struct mon_ctx *m, struct mon_stream *st, struct arena *a)
{
	struct ros_cmd cmd;

	if (st->access == MON_ACC_HOTSPOT) {
		ros_cmd_init(&cmd, a, ROS_M_HOTSPOT_ACTIVE "/print");
		ros_cmd_query(&cmd, '=', "user", st->user);
	} else {
		ros_cmd_init(&cmd, a, ROS_M_PPP_ACTIVE "/print");
		ros_cmd_query(&cmd, '=', "name", st->user);
	}
	ros_cmd_proplist(&cmd, "address");
	st->state = MS_RESOLVE;
	st->address[0] = '\0';
	stream_cmd(m, st, &cmd);
}

static void
hotspot_poll(struct mon_ctx *m, struct mon_stream *st, struct arena *a)
{
	struct ros_cmd cmd;

	ros_cmd_init(&cmd, a, ROS_M_HOTSPOT_ACTIVE "/print");
	ros_cmd_query(&cmd, '=', "user", st->user);
	ros_cmd_proplist(&cmd, "bytes-in,bytes-out,packets-in,packets-out");
	st->polling = 1;
	st->last_poll_ms = mon_now_ms();
	stream_cmd(m, st, &cmd);
}

static void
stream_run(struct mon_ctx *m, struct mon_stream *st)
{
	struct arena a;
	struct ros_cmd cmd;

	if (st->r->state != MR_UP)
		return;
	arena_init(&a);
	st->retry_ms = 0;
	st->state = MS_RUN;
	if (st->kind == MON_CUST_TRAFFIC && st->access == MON_ACC_HOTSPOT) {
		hotspot_poll(m, st, &a);
	} else if (st->kind == MON_PING && st->address[0] == '\0') {
		resolve_address(m, st, &a);
	} else if (st->kind == MON_PING) {
		ros_cmd_init(&cmd, &a, "/ping");
		ros_cmd_attr(&cmd, "address", st->address);
		stream_cmd(m, st, &cmd);
	} else {
		ros_cmd_init(&cmd, &a, "/interface/monitor-traffic");
		ros_cmd_attr(&cmd, "interface", st->kind == MON_IFACE ? st->key :
		    arena_printf(&a, "<pppoe-%s>", st->user));
		stream_cmd(m, st, &cmd);
	}
	arena_free(&a);
}

void
mon_stream_start(struct mon_world *w, struct mon_stream *st)
{
	struct mon_ctx *m = mon_self;
	struct mon_router *r = st->r;
	long long now = mon_now_ms();

	(void)w;
	if (r->state == MR_UP)
		stream_run(m, st);
	else if (r->state == MR_DOWN && r->next_try_ms <= now)
		router_connect(m, r);
	else if (r->state == MR_DOWN)
		stream_error(m, st, "router_unreachable", "the router is not connected",
		    (int)(r->next_try_ms - now));
}

/* Stop the stream's running command (a print ends by itself); its late
 * replies are dropped (no stream has its tag). */
static void
stream_cancel(struct mon_ctx *m, struct mon_router *r, struct mon_stream *st)
{
	if (st->tag && r->state == MR_UP && !(st->kind == MON_CUST_TRAFFIC &&
	    st->access == MON_ACC_HOTSPOT) && st->state == MS_RUN) {
		struct arena a;
		struct ros_cmd cmd;
		unsigned long tag;

		arena_init(&a);
		ros_cmd_init(&cmd, &a, "/cancel");
		ros_cmd_wordf(&cmd, "=tag=%lu", st->tag);
		router_queue(m, r, &cmd, &tag);
		arena_free(&a);
	}
	st->tag = 0;
}

void
mon_stream_stop(struct mon_world *w, struct mon_router *r, struct mon_stream *st)
{
	(void)w;
	if (r->nstreams == 1)
		r->idle_since_ms = mon_now_ms();
	stream_cancel(mon_self, r, st);
}

/* ---- replies ---- */

static struct mon_stream *
stream_of_tag(struct mon_router *r, unsigned long tag)
{
	for (struct mon_stream *st = r->streams; st; st = st->next)
		if (st->tag && st->tag == tag)
			return st;
	return NULL;
}

static unsigned long long
attr_u64(const struct ros_reply *rp, const char *key)
{
	const struct ros_word *v = ros_reply_get(rp, key);

	return v ? strtoull(v->p, NULL, 10) : 0;
}

static void
on_item(struct mon_ctx *m, struct mon_stream *st, const struct ros_reply *rp)
{
	char f[MON_FRAME_MAX], ts[32];
	size_t n = 0;

	if (st->state == MS_RESOLVE) {
		const struct ros_word *a = ros_reply_get(rp, "address");

		if (a && a->len && a->len < sizeof(st->address)) {
			memcpy(st->address, a->p, a->len);
			st->address[a->len] = '\0';
			st->cur_found = 1;
		}
		return;
	}
	if (st->polling) {
		st->cur_rx_b = attr_u64(rp, "bytes-in");
		st->cur_tx_b = attr_u64(rp, "bytes-out");
		st->cur_rx_p = attr_u64(rp, "packets-in");
		st->cur_tx_p = attr_u64(rp, "packets-out");
		st->cur_found = 1;
		return;
	}
	mon_ts(ts);
	if (st->kind == MON_PING) {
		struct mon_ping_reply p;

		if (mon_ping_from_reply(rp, &p) == 0)
			n = mon_frame_ping(f, sizeof(f), st, ts, &p);
		if (n && p.timeout && st->resolved_ms &&
		    mon_now_ms() - st->resolved_ms >= MON_RESOLVE_MS) {
			/* the session's address may have changed (the customer
			 * came back with another): stop, look it up again */
			mon_publish(&m->w, st, f, n);
			stream_cancel(m, st->r, st);
			if (st->r->state == MR_UP) {
				st->state = MS_WAIT;
				st->address[0] = '\0';
				stream_run(m, st);
			}
			return;
		}
	} else {
		struct ros_traffic tr;

		ros_traffic_from_reply(rp, &tr);
		n = mon_frame_traffic(f, sizeof(f), st, st->r->id, ts, &tr);
	}
	if (n)
		mon_publish(&m->w, st, f, n);
}

/* a hotspot poll ended: a frame from the counters' deltas */
static void
hotspot_done(struct mon_ctx *m, struct mon_stream *st)
{
	long long now = mon_now_ms(), dt = now - st->last_sample_ms;
	struct ros_traffic tr;
	char f[MON_FRAME_MAX], ts[32];
	size_t n;

	st->polling = 0;
	st->tag = 0;
	if (!st->cur_found) {
		stream_retry(m, st, "customer_offline", "the customer has no hotspot session");
		return;
	}
	if (st->have_last && dt > 0 && st->cur_rx_b >= st->last_rx_b &&
	    st->cur_tx_b >= st->last_tx_b) {
		tr.rx_bps = (st->cur_rx_b - st->last_rx_b) * 8000ULL / (unsigned long long)dt;
		tr.tx_bps = (st->cur_tx_b - st->last_tx_b) * 8000ULL / (unsigned long long)dt;
		tr.rx_pps = st->cur_rx_p >= st->last_rx_p ?
		    (st->cur_rx_p - st->last_rx_p) * 1000ULL / (unsigned long long)dt : 0;
		tr.tx_pps = st->cur_tx_p >= st->last_tx_p ?
		    (st->cur_tx_p - st->last_tx_p) * 1000ULL / (unsigned long long)dt : 0;
		mon_ts(ts);
		if ((n = mon_frame_traffic(f, sizeof(f), st, st->r->id, ts, &tr)) > 0)
			mon_publish(&m->w, st, f, n);
	}
	/* a counter that went back (a new session) starts the deltas again */
	st->last_rx_b = st->cur_rx_b;
	st->last_tx_b = st->cur_tx_b;
	st->last_rx_p = st->cur_rx_p;
	st->last_tx_p = st->cur_tx_p;
	st->last_sample_ms = now;
	st->have_last = 1;
}

/* the stream's command ended (!done) */
static void
on_done(struct mon_ctx *m, struct mon_stream *st)
{
	if (st->trapped) {
		/* monitor-traffic on <pppoe-USER> is refused ("input does not match
		 * any value of interface") or ends ("no such item") when the
		 * customer has no session */
		int offline = st->kind == MON_CUST_TRAFFIC;

		stream_retry(m, st, offline ? "customer_offline" : "router_error", st->trap);
		return;
	}
	if (st->polling) {
		hotspot_done(m, st);
		return;
	}
	if (st->state == MS_RESOLVE) {
		st->tag = 0;
		if (!st->cur_found) {
			stream_retry(m, st, "customer_offline", "the customer is not connected");
			return;
		}
		st->state = MS_WAIT;
		st->resolved_ms = mon_now_ms();
		stream_run(m, st);
		return;
	}
	stream_retry(m, st, "router_error", "the router ended the command");
}

int
mon_router_io(struct mon_ctx *m, struct mon_router *r)
{
	struct ros_error err;
	struct ros_reply rp;
	short ev = 0;
	int rc, got;

	if (r->c == NULL)
		return -1;
	rc = ros_io(r->c, &ev, &err);
	while ((got = ros_next_reply(r->c, &rp, &err)) == 1) {
		struct mon_stream *st;

		r->last_rx_ms = mon_now_ms();
		if (rp.type == ROS_REPLY_FATAL) {
			router_down(m, r, "router_error", rp.reason.len ? rp.reason.p :
			    "the router ended the session");
			return 0;
		}
		if (!rp.has_tag || (st = stream_of_tag(r, rp.tag)) == NULL)
			continue;       /* a cancelled command's last words, a /cancel's !done */
		switch (rp.type) {
		case ROS_REPLY_RE:
			on_item(m, st, &rp);
			break;
		case ROS_REPLY_TRAP:
			if (!st->trapped) {
				const struct ros_word *msg = ros_reply_get(&rp, "message");

				st->trapped = 1;
				snprintf(st->trap, sizeof(st->trap), "%s",
				    msg ? msg->p : "the router refused the command");
			}
			break;
		case ROS_REPLY_DONE:
			on_done(m, st);
			break;
		default:
			break;
		}
		if (r->c == NULL)
			return 0;       /* taken down meanwhile */
	}
	if (got < 0 || rc != ROS_OK) {
		router_down(m, r, "router_unreachable", got < 0 || rc != ROS_OK ?
		    err.message : "the connection was lost");
		return 0;
	}
	if ((ev & POLLOUT) && r->wsi)
		mon_want_write(r->wsi);
	return 0;
}

void
mon_router_closed(struct mon_ctx *m, struct mon_router *r)
{
	/* lws closed the socket under us (a hang-up seen before any read) */
	if (r->wsi) {
		r->wsi = NULL;
		router_down(m, r, "router_unreachable", "the connection was closed");
	}
}

/* ---- the tick ---- */

void
mon_routers_tick(struct mon_ctx *m, long long now)
{
	struct mon_router *r, *next;

	for (r = m->w.routers; r; r = next) {
		next = r->next;
		if (r->nstreams == 0) {
			/* nobody watches: close it when idle for a while, or when down */
			if (r->state == MR_CONNECTING)
				continue;
			if (r->state == MR_DOWN || m->draining ||
			    now - r->idle_since_ms >= MON_IDLE_CLOSE_MS) {
				if (r->state == MR_UP && r->c) {
					short ev;
					struct ros_error e;

					ros_io(r->c, &ev, &e);  /* a last /cancel goes out */
					log_info("router %lld: closed (%s)", r->id, m->draining ?
					    "shutting down" : "no stream for a while");
				}
				r->backoff_ms = 0;
				router_down(m, r, "router_unreachable", "closed");
				mon_router_free(&m->w, r);
			}
			continue;
		}
		if (r->state == MR_DOWN && now >= r->next_try_ms && !m->draining) {
			router_connect(m, r);
			continue;
		}
		if (r->state != MR_UP)
			continue;
		if (ros_in_flight(r->c) > 0 && r->read_timeout_ms > 0 &&
		    now - r->last_rx_ms > r->read_timeout_ms) {
			router_down(m, r, "router_unreachable", "the router stopped answering");
			continue;
		}
		for (struct mon_stream *st = r->streams; st && r->state == MR_UP; st = st->next) {
			if (st->state == MS_WAIT && st->retry_ms && now >= st->retry_ms) {
				stream_run(m, st);
			} else if (st->state == MS_RUN && st->kind == MON_CUST_TRAFFIC &&
			    st->access == MON_ACC_HOTSPOT && !st->polling &&
			    now - st->last_poll_ms >= MON_POLL_MS) {
				struct arena a;

				arena_init(&a);
				hotspot_poll(m, st, &a);
				arena_free(&a);
			}
		}
	}
}

void
mon_routers_shutdown(struct mon_ctx *m)
{
	struct mon_router *r;

	/* connects still running finish into done_jobs, waking nobody */
	pthread_mutex_lock(&done_lock);
	wake_ctx = NULL;
	pthread_mutex_unlock(&done_lock);
	m->draining = 1;
	mon_routers_connected(m);       /* those already done: closed */

	while ((r = m->w.routers) != NULL) {
		struct mon_stream *st;

		while ((st = r->streams) != NULL) {
			r->streams = st->next;
			for (struct mon_sub *s = st->subs; s; s = s->next)
				s->st = NULL;
			free(st);
		}
		r->nstreams = 0;
		router_down(m, r, "router_unreachable", "server shutting down");
		mon_router_free(&m->w, r);
	}
}
