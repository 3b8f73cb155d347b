/* frames.c - the JSON frames ispbill-monitor sends (docs/monitor.md):
 * traffic, ping, error and resumed; and reading a /ping reply. */
#include "config.h"
#include "monitor/monitor.h"
#include "json/json.h"
#include "util/timeutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void
mon_ts(char out[32])
{
	struct timespec ts;
	struct tm tm;
	char tmp[96];

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	snprintf(tmp, sizeof(tmp), "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", tm.tm_year + 1900,
	    tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000);
	tmp[31] = '\0';
	memcpy(out, tmp, strlen(tmp) + 1);
}

/* the generator's text into out; 0 when it does not fit */
static size_t
finish(yajl_gen g, char *out, size_t n)
{
	const unsigned char *buf;
	size_t len = 0;

	if (yajl_gen_get_buf(g, &buf, &len) != yajl_gen_status_ok || len >= n)
		len = 0;
	else
		memcpy(out, buf, len);
	if (n)
		out[len] = '\0';
	yajl_gen_free(g);
	return len;
}

static yajl_gen
start(const char *type)
{
	yajl_gen g = yajl_gen_alloc(NULL);

	jw_obj(g);
	jw_kstr(g, "type", type);
	return g;
}

size_t
mon_frame_traffic(char *out, size_t n, const struct mon_stream *st, long long router_id,
    const char *ts, const struct ros_traffic *tr)
{
	yajl_gen g = start("traffic");

	jw_kint(g, "router_id", router_id);
	if (st->kind == MON_CUST_TRAFFIC) {
		jw_kint(g, "customer_id", st->customer_id);
		if (st->access == MON_ACC_PPPOE) {
			char ifn[sizeof(st->user) + 10];

			snprintf(ifn, sizeof(ifn), "<pppoe-%s>", st->user);
			jw_kstr(g, "interface", ifn);
		}
	} else {
		jw_kstr(g, "interface", st->key);
	}
	jw_kstr(g, "ts", ts);
	jw_kint(g, "rx_bps", (long long)tr->rx_bps);
	jw_kint(g, "tx_bps", (long long)tr->tx_bps);
	jw_kint(g, "rx_pps", (long long)tr->rx_pps);
	jw_kint(g, "tx_pps", (long long)tr->tx_pps);
	jw_obj_end(g);
	return finish(g, out, n);
}

size_t
mon_frame_ping(char *out, size_t n, const struct mon_stream *st, const char *ts,
    const struct mon_ping_reply *p)
{
	yajl_gen g = start("ping");

	jw_kint(g, "router_id", st->r ? st->r->id : 0);
	jw_kint(g, "customer_id", st->customer_id);
	jw_kstr(g, "address", st->address);
	jw_kint(g, "seq", p->seq);
	jw_kstr(g, "ts", ts);
	if (p->timeout) {
		jw_kbool(g, "timeout", 1);
	} else {
		jw_kdouble(g, "time_ms", p->time_ms);
		jw_kint(g, "ttl", p->ttl);
	}
	jw_kint(g, "sent", p->sent);
	jw_kint(g, "received", p->received);
	jw_kdouble(g, "loss_pct", p->loss_pct);
	jw_obj_end(g);
	return finish(g, out, n);
}

size_t
mon_frame_error(char *out, size_t n, const char *code, const char *message, int retry_in_ms)
{
	yajl_gen g = start("error");

	jw_kstr(g, "code", code);
	jw_kstr(g, "message", message);
	jw_kint(g, "retry_in_ms", retry_in_ms);
	jw_obj_end(g);
	return finish(g, out, n);
}

size_t
mon_frame_resumed(char *out, size_t n)
{
	yajl_gen g = start("resumed");

	jw_obj_end(g);
	return finish(g, out, n);
}

static long long
attr_int(const struct ros_reply *r, const char *key, long long def)
{
	const struct ros_word *v = ros_reply_get(r, key);
	char *end;
	long long x;

	if (v == NULL || v->len == 0)
		return def;
	x = strtoll(v->p, &end, 10);
	return *end == '\0' || *end == '%' ? x : def;
}

int
mon_ping_from_reply(const struct ros_reply *r, struct mon_ping_reply *p)
{
	const struct ros_word *status = ros_reply_get(r, "status");
	const struct ros_word *t = ros_reply_get(r, "time");

	memset(p, 0, sizeof(*p));
	if (ros_reply_get(r, "seq") == NULL)
		return -1;
	p->seq = attr_int(r, "seq", 0);
	p->sent = attr_int(r, "sent", 0);
	p->received = attr_int(r, "received", 0);
	if (p->sent > 0)
		p->loss_pct = (double)((p->sent - p->received) * 1000 / p->sent) / 10.0;
	if ((status && status->len) || t == NULL) {
		p->timeout = 1;
		return 0;
	}
	p->time_ms = (double)ros_duration_us(t->p) / 1000.0;
	p->ttl = (int)attr_int(r, "ttl", 0);
	return 0;
}
