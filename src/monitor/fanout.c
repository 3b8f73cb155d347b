/* fanout.c - the monitor's bookkeeping: one record per router, one stream
 * (one router command) per (router, what is watched), shared by all its
 * subscribers; the limits; the latest frame kept per subscriber, so a slow
 * client skips frames and never queues them.  No I/O here: the hooks in
 * struct mon_world do it. */
#include "config.h"
#include "monitor/monitor.h"
#include "util/arena.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
mon_backoff_next(int cur)
{
	if (cur < MON_BACKOFF_MIN_MS)
		return MON_BACKOFF_MIN_MS;
	return cur >= MON_BACKOFF_MAX_MS / 2 ? MON_BACKOFF_MAX_MS : cur * 2;
}

struct mon_router *
mon_router_find(struct mon_world *w, long long id)
{
	for (struct mon_router *r = w->routers; r; r = r->next)
		if (r->id == id)
			return r;
	return NULL;
}

void
mon_tenant_count(const struct mon_world *w, long long tenant, int *streams, int *subs)
{
	*streams = *subs = 0;
	for (const struct mon_router *r = w->routers; r; r = r->next)
		if (r->tenant_id == tenant) {
			*streams += r->nstreams;
			*subs += r->nsubs;
		}
}

/* the stream key of a target: the interface, or the customer */
static void
target_key(const struct mon_target *t, char *out, size_t n)
{
	if (t->kind == MON_IFACE)
		snprintf(out, n, "%s", t->iface);
	else
		snprintf(out, n, "%lld", t->customer_id);
}

static struct mon_stream *
stream_find(struct mon_router *r, enum mon_kind kind, const char *key)
{
	for (struct mon_stream *st = r->streams; st; st = st->next)
		if (st->kind == kind && !strcmp(st->key, key))
			return st;
	return NULL;
}

void
mon_router_free(struct mon_world *w, struct mon_router *r)
{
	for (struct mon_router **pp = &w->routers; *pp; pp = &(*pp)->next)
		if (*pp == r) {
			*pp = r->next;
			break;
		}
	free(r);
}

const char *
mon_subscribe(struct mon_world *w, struct mon_sub *s)
{
	const struct mon_target *t = &s->tgt;
	struct mon_router *r = mon_router_find(w, t->router_id);
	struct mon_stream *st = NULL;
	char key[sizeof(st->key)];
	int tstreams, tsubs;

	target_key(t, key, sizeof(key));
	if (r)
		st = stream_find(r, t->kind, key);
	mon_tenant_count(w, t->tenant_id, &tstreams, &tsubs);
	if (st == NULL && tstreams + 1 > w->lim.streams_per_tenant)
		return "too many streams";
	if ((r && r->nsubs + 1 > w->lim.subs_per_router) || tsubs + 1 > w->lim.subs_per_tenant)
		return "too many subscribers";
	if (r == NULL) {
		r = xmalloc(sizeof(*r));
		memset(r, 0, sizeof(*r));
		r->id = t->router_id;
		r->tenant_id = t->tenant_id;
		r->state = MR_DOWN;
		r->next = w->routers;
		w->routers = r;
	}
	if (st == NULL) {
		st = xmalloc(sizeof(*st));
		memset(st, 0, sizeof(*st));
		st->r = r;
		st->kind = t->kind;
		st->access = t->access;
		st->customer_id = t->customer_id;
		snprintf(st->key, sizeof(st->key), "%s", key);
		snprintf(st->user, sizeof(st->user), "%s", t->user);
		snprintf(st->address, sizeof(st->address), "%s", t->address);
		st->state = MS_WAIT;
		st->next = r->streams;
		r->streams = st;
		r->nstreams++;
		r->idle_since_ms = 0;
		w->nstreams++;
		s->st = st;
		s->next = st->subs;
		st->subs = s;
		st->nsubs++;
		r->nsubs++;
		w->nsubs++;
		if (w->start)
			w->start(w, st);
		return NULL;
	}
	s->st = st;
	s->next = st->subs;
	st->subs = s;
	st->nsubs++;
	r->nsubs++;
	w->nsubs++;
	if (st->last_len) {
		/* a joiner sees the stream's latest frame (data or error) now, not
		 * at the next sample */
		memcpy(s->pending, st->last, st->last_len);
		s->pending_len = st->last_len;
		if (w->wake)
			w->wake(s);
	}
	return NULL;
}

void
mon_unsubscribe(struct mon_world *w, struct mon_sub *s)
{
	struct mon_stream *st = s->st;
	struct mon_router *r;

	if (st == NULL)
		return;
	r = st->r;
	for (struct mon_sub **pp = &st->subs; *pp; pp = &(*pp)->next)
		if (*pp == s) {
			*pp = s->next;
			break;
		}
	s->st = NULL;
	s->next = NULL;
	st->nsubs--;
	r->nsubs--;
	w->nsubs--;
	if (st->nsubs > 0)
		return;
	if (w->stop)
		w->stop(w, r, st);
	for (struct mon_stream **pp = &r->streams; *pp; pp = &(*pp)->next)
		if (*pp == st) {
			*pp = st->next;
			break;
		}
	r->nstreams--;
	w->nstreams--;
	free(st);
}

static void
publish(struct mon_world *w, struct mon_stream *st, const char *frame, size_t n, int resumed)
{
	if (n == 0 || n >= MON_FRAME_MAX)
		return;
	memcpy(st->last, frame, n);
	st->last_len = n;
	for (struct mon_sub *s = st->subs; s; s = s->next) {
		if (s->close_code)
			continue;
		memcpy(s->pending, frame, n);
		s->pending_len = n;
		if (resumed)            /* kept until written, even if frames are skipped */
			s->resumed = resumed > 0;
		if (w->wake)
			w->wake(s);
	}
}

void
mon_publish(struct mon_world *w, struct mon_stream *st, const char *frame, size_t n)
{
	int resumed = st->errored;

	st->errored = 0;
	st->backoff_ms = 0;
	publish(w, st, frame, n, resumed);
}

void
mon_publish_error(struct mon_world *w, struct mon_stream *st, const char *frame, size_t n)
{
	st->errored = 1;
	publish(w, st, frame, n, -1);
}

size_t
mon_take(struct mon_sub *s, char *out, size_t n)
{
	size_t len = s->pending_len;

	if (len == 0 || len > n)
		return 0;
	memcpy(out, s->pending, len);
	s->pending_len = 0;
	return len;
}
