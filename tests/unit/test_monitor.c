/* test_monitor.c - ispbill-monitor's pieces without sockets: stream paths,
 * the fan-out bookkeeping and limits, the latest-frame rule, the frames. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "../common/check_main.h"
#include "monitor/monitor.h"

/* ---- paths ---- */

START_TEST(paths_of_both_dialects)
{
	struct mon_target t;
	int mb;

	ck_assert_int_eq(mon_parse_path("/v1/internal/monitor/traffic/ether1", &t, &mb), 0);
	ck_assert_int_eq(t.kind, MON_IFACE);
	ck_assert_int_eq(mb, 1);
	ck_assert_str_eq(t.iface, "ether1");
	ck_assert_int_eq(t.router_id, 0);

	ck_assert_int_eq(mon_parse_path("/v1/internal/customer/42/traffic/stream", &t, &mb), 0);
	ck_assert_int_eq(t.kind, MON_CUST_TRAFFIC);
	ck_assert_str_eq(t.user, "42");         /* the reference, resolved by mon_access */
	ck_assert_int_eq(mon_parse_path("/v1/internal/customer/42/ping/stream", &t, &mb), 0);
	ck_assert_int_eq(t.kind, MON_PING);
	/* 004's paths have no trailing slash */
	ck_assert_int_eq(mon_parse_path("/v1/internal/customer/42/ping/stream/", &t, &mb), -1);

	ck_assert_int_eq(mon_parse_path("/api/network/routers/7/interfaces/<pppoe-a>/stream/",
	    &t, &mb), 0);
	ck_assert_int_eq(mb, 0);
	ck_assert_int_eq(t.kind, MON_IFACE);
	ck_assert_int_eq(t.router_id, 7);
	ck_assert_str_eq(t.iface, "<pppoe-a>");
	ck_assert_int_eq(mon_parse_path("/api/network/routers/7/interfaces/ether2/stream", &t, &mb),
	    0);
	ck_assert_int_eq(mon_parse_path("/api/customers/9/traffic/stream/", &t, &mb), 0);
	ck_assert_int_eq(t.kind, MON_CUST_TRAFFIC);
	ck_assert_int_eq(mon_parse_path("/api/customers/9/ping/stream", &t, &mb), 0);
	ck_assert_int_eq(t.kind, MON_PING);
	/* a router id that is no number never matches a router */
	ck_assert_int_eq(mon_parse_path("/api/network/routers/x/interfaces/e/stream/", &t, &mb), 0);
	ck_assert_int_lt(t.router_id, 0);
}
END_TEST

START_TEST(paths_refused)
{
	static const char *const bad[] = {
		"/", "/health", "/v1/internal/monitor/traffic/", "/v1/internal/monitor/traffic/a/b",
		"/v1/internal/customer//traffic/stream", "/v1/internal/customer/1/traffic",
		"/api/network/routers/1/interfaces//stream/", "/api/network/routers/1/stream/",
		"/api/network/routers/1/interfaces/e/stream/x", "/api/customers/1/pong/stream/",
		"/api/customers/1/traffic/stream//", NULL,
	};
	struct mon_target t;
	int mb;

	for (int i = 0; bad[i]; i++)
		ck_assert_msg(mon_parse_path(bad[i], &t, &mb) == -1, "%s", bad[i]);
}
END_TEST

/* ---- fan-out ---- */

static int starts, stops, wakes;

static void t_start(struct mon_world *w, struct mon_stream *st) { (void)w; (void)st; starts++; }
static void t_wake(struct mon_sub *s) { (void)s; wakes++; }

static void
t_stop(struct mon_world *w, struct mon_router *r, struct mon_stream *st)
{
	(void)w;
	(void)r;
	(void)st;
	stops++;
}

static void
world(struct mon_world *w, int streams, int per_router, int per_tenant)
{
	memset(w, 0, sizeof(*w));
	w->lim.streams_per_tenant = streams;
	w->lim.subs_per_router = per_router;
	w->lim.subs_per_tenant = per_tenant;
	w->start = t_start;
	w->stop = t_stop;
	w->wake = t_wake;
	starts = stops = wakes = 0;
}

static struct mon_sub *
sub(long long tenant, long long router, enum mon_kind kind, const char *iface, long long cust)
{
	struct mon_sub *s = calloc(1, sizeof(*s));

	s->tgt.tenant_id = tenant;
	s->tgt.router_id = router;
	s->tgt.kind = kind;
	s->tgt.customer_id = cust;
	strcpy(s->tgt.iface, iface);
	return s;
}

static void
drop(struct mon_world *w, struct mon_sub *s)
{
	mon_unsubscribe(w, s);
	free(s);
}

START_TEST(one_command_per_stream)
{
	struct mon_world w;
	struct mon_sub *a = sub(1, 10, MON_IFACE, "ether1", 0);
	struct mon_sub *b = sub(1, 10, MON_IFACE, "ether1", 0);
	struct mon_sub *c = sub(1, 10, MON_IFACE, "ether2", 0);
	struct mon_sub *d = sub(1, 10, MON_PING, "", 5);
	struct mon_sub *e = sub(1, 10, MON_CUST_TRAFFIC, "", 5);

	world(&w, 100, 100, 100);
	ck_assert_ptr_null(mon_subscribe(&w, a));
	ck_assert_ptr_null(mon_subscribe(&w, b));
	ck_assert_ptr_eq(a->st, b->st);
	ck_assert_int_eq(starts, 1);
	ck_assert_ptr_null(mon_subscribe(&w, c));
	ck_assert_ptr_null(mon_subscribe(&w, d));
	ck_assert_ptr_null(mon_subscribe(&w, e));
	ck_assert_ptr_ne(d->st, e->st);         /* same customer, other stream */
	ck_assert_int_eq(starts, 4);
	ck_assert_int_eq(w.nstreams, 4);
	ck_assert_int_eq(w.nsubs, 5);
	ck_assert_ptr_eq(w.routers, a->st->r);
	ck_assert_ptr_null(w.routers->next);    /* one router record */
	ck_assert_int_eq(w.routers->nsubs, 5);

	drop(&w, a);
	ck_assert_int_eq(stops, 0);             /* b still watches ether1 */
	drop(&w, b);
	ck_assert_int_eq(stops, 1);
	ck_assert_int_eq(w.nstreams, 3);
	drop(&w, c);
	drop(&w, d);
	drop(&w, e);
	ck_assert_int_eq(stops, 4);
	ck_assert_int_eq(w.nstreams, 0);
	ck_assert_int_eq(w.nsubs, 0);
	ck_assert_int_eq(w.routers->nstreams, 0);
	mon_router_free(&w, w.routers);
	ck_assert_ptr_null(w.routers);
}
END_TEST

START_TEST(limits)
{
	struct mon_world w;
	struct mon_sub *s[6];

	world(&w, 2, 3, 4);
	s[0] = sub(1, 10, MON_IFACE, "ether1", 0);
	s[1] = sub(1, 10, MON_IFACE, "ether2", 0);
	s[2] = sub(1, 11, MON_IFACE, "ether3", 0);      /* a third stream of tenant 1 */
	ck_assert_ptr_null(mon_subscribe(&w, s[0]));
	ck_assert_ptr_null(mon_subscribe(&w, s[1]));
	ck_assert_str_eq(mon_subscribe(&w, s[2]), "too many streams");
	ck_assert_ptr_null(mon_router_find(&w, 11));    /* no record left behind */
	/* joining a running stream is no new stream */
	s[3] = sub(1, 10, MON_IFACE, "ether1", 0);
	ck_assert_ptr_null(mon_subscribe(&w, s[3]));
	s[4] = sub(1, 10, MON_IFACE, "ether2", 0);      /* 4th on router 10 */
	ck_assert_str_eq(mon_subscribe(&w, s[4]), "too many subscribers");
	/* another tenant has limits of its own */
	s[5] = sub(2, 20, MON_IFACE, "ether1", 0);
	ck_assert_ptr_null(mon_subscribe(&w, s[5]));
	ck_assert_int_eq(w.nsubs, 4);
	for (int i = 0; i < 6; i++)
		drop(&w, s[i]);
	ck_assert_int_eq(w.nsubs, 0);
	while (w.routers)
		mon_router_free(&w, w.routers);
}
END_TEST

START_TEST(latest_frame_only)
{
	struct mon_world w;
	struct mon_sub *a = sub(1, 10, MON_IFACE, "ether1", 0);
	struct mon_sub *b;
	char out[MON_FRAME_MAX];
	size_t n;

	world(&w, 10, 10, 10);
	ck_assert_ptr_null(mon_subscribe(&w, a));
	mon_publish(&w, a->st, "{\"n\":1}", 7);
	mon_publish(&w, a->st, "{\"n\":2}", 7);
	ck_assert_int_eq(wakes, 2);
	n = mon_take(a, out, sizeof(out));
	ck_assert_uint_eq(n, 7);
	ck_assert_int_eq(memcmp(out, "{\"n\":2}", 7), 0);   /* the first was skipped */
	ck_assert_uint_eq(mon_take(a, out, sizeof(out)), 0);

	/* an error, then data: "resumed" is due, even across skipped frames */
	mon_publish_error(&w, a->st, "{\"e\":1}", 7);
	ck_assert_int_eq(a->resumed, 0);
	mon_publish(&w, a->st, "{\"n\":3}", 7);
	ck_assert_int_eq(a->resumed, 1);
	mon_publish(&w, a->st, "{\"n\":4}", 7);
	ck_assert_int_eq(a->resumed, 1);
	ck_assert_int_eq(a->st->errored, 0);

	/* a joiner gets the latest frame at once */
	b = sub(1, 10, MON_IFACE, "ether1", 0);
	ck_assert_ptr_null(mon_subscribe(&w, b));
	ck_assert_uint_eq(mon_take(b, out, sizeof(out)), 7);
	ck_assert_int_eq(memcmp(out, "{\"n\":4}", 7), 0);
	drop(&w, a);
	drop(&w, b);
	mon_router_free(&w, w.routers);
}
END_TEST

START_TEST(backoff)
{
	static const int want[] = { 1000, 2000, 4000, 8000, 16000, 30000, 30000 };
	int b = 0;

	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		b = mon_backoff_next(b);
		ck_assert_int_eq(b, want[i]);
	}
}
END_TEST

/* ---- frames ---- */

START_TEST(frame_shapes)
{
	struct mon_router r = { .id = 3 };
	struct mon_stream st;
	struct ros_traffic tr = { 1500000, 250000, 120, 40 };
	struct mon_ping_reply p = { 3, 0, 7.0, 64, 4, 4, 0.0 };
	char out[MON_FRAME_MAX];

	memset(&st, 0, sizeof(st));
	st.r = &r;
	st.kind = MON_IFACE;
	strcpy(st.key, "eth\"1");
	mon_frame_traffic(out, sizeof(out), &st, 3, "2026-11-25T14:00:00.123Z", &tr);
	ck_assert_str_eq(out, "{\"type\":\"traffic\",\"router_id\":3,\"interface\":\"eth\\\"1\","
	    "\"ts\":\"2026-11-25T14:00:00.123Z\",\"rx_bps\":1500000,\"tx_bps\":250000,"
	    "\"rx_pps\":120,\"tx_pps\":40}");

	st.kind = MON_CUST_TRAFFIC;
	st.access = MON_ACC_PPPOE;
	st.customer_id = 9;
	strcpy(st.user, "jane");
	mon_frame_traffic(out, sizeof(out), &st, 3, "T", &tr);
	ck_assert_ptr_nonnull(strstr(out, "\"customer_id\":9,\"interface\":\"<pppoe-jane>\""));

	st.kind = MON_PING;
	strcpy(st.address, "10.0.0.5");
	mon_frame_ping(out, sizeof(out), &st, "T", &p);
	ck_assert_str_eq(out, "{\"type\":\"ping\",\"router_id\":3,\"customer_id\":9,"
	    "\"address\":\"10.0.0.5\",\"seq\":3,\"ts\":\"T\",\"time_ms\":7.0,\"ttl\":64,"
	    "\"sent\":4,\"received\":4,\"loss_pct\":0.0}");
	p.timeout = 1;
	p.loss_pct = 20.0;
	mon_frame_ping(out, sizeof(out), &st, "T", &p);
	ck_assert_ptr_nonnull(strstr(out, "\"ts\":\"T\",\"timeout\":true,\"sent\":4"));
	ck_assert_ptr_null(strstr(out, "ttl"));

	mon_frame_error(out, sizeof(out), "router_unreachable", "gone", 2000);
	ck_assert_str_eq(out, "{\"type\":\"error\",\"code\":\"router_unreachable\","
	    "\"message\":\"gone\",\"retry_in_ms\":2000}");
	mon_frame_resumed(out, sizeof(out));
	ck_assert_str_eq(out, "{\"type\":\"resumed\"}");
	mon_ts(out);
	ck_assert_uint_eq(strlen(out), 24);
	ck_assert_int_eq(out[23], 'Z');
	ck_assert_int_eq(out[19], '.');
}
END_TEST

static void
reply(const char *const *words, size_t n, struct ros_word *w, struct ros_attr *a,
    struct ros_reply *r)
{
	for (size_t i = 0; i < n; i++) {
		w[i].p = words[i];
		w[i].len = strlen(words[i]);
	}
	ros_reply_parse(w, n, a, r);
}

START_TEST(ping_replies)
{
	static const char *const ok[] = { "!re", "=seq=5", "=host=10.0.0.5", "=size=56",
		"=ttl=63", "=time=1ms500us", "=sent=6", "=received=5", "=packet-loss=16",
		".tag=4" };
	static const char *const lost[] = { "!re", "=seq=6", "=host=10.0.0.5",
		"=status=timeout", "=sent=3", "=received=1", "=packet-loss=66" };
	static const char *const summary[] = { "!re", "=sent=3", "=received=3" };
	struct ros_word w[12];
	struct ros_attr a[12];
	struct ros_reply r;
	struct mon_ping_reply p;

	reply(ok, 10, w, a, &r);
	ck_assert_int_eq(mon_ping_from_reply(&r, &p), 0);
	ck_assert_int_eq(p.seq, 5);
	ck_assert_int_eq(p.timeout, 0);
	ck_assert_double_eq(p.time_ms, 1.5);
	ck_assert_int_eq(p.ttl, 63);
	ck_assert_int_eq(p.sent, 6);
	ck_assert_int_eq(p.received, 5);
	ck_assert_double_eq(p.loss_pct, 16.6);
	reply(lost, 7, w, a, &r);
	ck_assert_int_eq(mon_ping_from_reply(&r, &p), 0);
	ck_assert_int_eq(p.timeout, 1);
	ck_assert_double_eq(p.loss_pct, 66.6);
	reply(summary, 3, w, a, &r);
	ck_assert_int_eq(mon_ping_from_reply(&r, &p), -1);
}
END_TEST

static Suite *
monitor_suite(void)
{
	Suite *s = suite_create("monitor");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, paths_of_both_dialects);
	tcase_add_test(tc, paths_refused);
	tcase_add_test(tc, one_command_per_stream);
	tcase_add_test(tc, limits);
	tcase_add_test(tc, latest_frame_only);
	tcase_add_test(tc, backoff);
	tcase_add_test(tc, frame_shapes);
	tcase_add_test(tc, ping_replies);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN("unit/monitor", monitor_suite)
