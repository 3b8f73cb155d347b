/* menus.c - thin helpers for the RouterOS menus ispbill provisions and
 * watches: build the sentence, run it, return items; find-by-name verbs
 * for idempotent provisioning. */
#include "config.h"
#include "lib/routeros/routeros.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- generic verbs ---- */

static void
verb(struct ros_cmd *cmd, struct arena *a, const char *menu, const char *name)
{
	ros_cmd_init(cmd, a, arena_printf(a, "%s/%s", menu, name));
}

static void
put_kv(struct ros_cmd *cmd, const struct ros_kv *kv, size_t n)
{
	for (size_t i = 0; i < n; i++)
		ros_cmd_attr(cmd, kv[i].key, kv[i].value);
}

/* Run, keep only the outcome (and =ret= into id when asked). */
static int
run_plain(struct ros_conn *c, const struct ros_cmd *cmd, char *id, size_t idn,
    struct ros_error *err)
{
	struct ros_result res;
	int rc = ros_cmd_run(c, cmd, &res, err);

	if (rc == ROS_OK && id && idn) {
		const char *ret = ros_result_ret(&res);

		snprintf(id, idn, "%s", ret ? ret : "");
	}
	ros_result_free(&res);
	return rc;
}

int
ros_print(struct ros_conn *c, const char *menu, const char *const *queries, size_t nq,
    const char *proplist, struct ros_result *res, struct ros_error *err)
{
	struct arena a;
	struct ros_cmd cmd;
	int rc;

	arena_init(&a);
	verb(&cmd, &a, menu, "print");
	if (proplist)
		ros_cmd_proplist(&cmd, proplist);
	for (size_t i = 0; i < nq; i++)
		ros_cmd_word(&cmd, queries[i]);
	rc = ros_cmd_run(c, &cmd, res, err);
	arena_free(&a);
	return rc;
}

/* print ?key=value with the given .proplist into res. */
static int
print_where(struct ros_conn *c, const char *menu, const char *key, const char *value,
    const char *proplist, struct ros_result *res, struct ros_error *err)
{
	struct arena a;
	const char *q;
	int rc;

	if (value == NULL || *value == '\0') {
		ros_result_init(res);
		return ros_fail(err, ROS_EINVAL, "no %s given", key);
	}
	arena_init(&a);
	q = arena_printf(&a, "?%s=%s", key, value);
	rc = ros_print(c, menu, &q, 1, proplist, res, err);
	arena_free(&a);
	return rc;
}

int
ros_find_id(struct ros_conn *c, const char *menu, const char *key, const char *value,
    char *id, size_t idn, struct ros_error *err)
{
	struct ros_result res;
	const char *found;
	int rc = print_where(c, menu, key, value, ".id", &res, err);

	if (rc == ROS_OK) {
		found = res.nitems ? ros_item_str(&res.items[0], ".id") : NULL;
		if (found == NULL)
			rc = ros_fail(err, ROS_ENOTFOUND, "%s: no %s %s", menu, key, value);
		else if (id && idn)
			snprintf(id, idn, "%s", found);
	}
	ros_result_free(&res);
	return rc;
}

int
ros_add(struct ros_conn *c, const char *menu, const struct ros_kv *kv, size_t n,
    char *id, size_t idn, struct ros_error *err)
{
	struct arena a;
	struct ros_cmd cmd;
	int rc;

	arena_init(&a);
	verb(&cmd, &a, menu, "add");
	put_kv(&cmd, kv, n);
	rc = run_plain(c, &cmd, id, idn, err);
	arena_free(&a);
	return rc;
}

/* A verb on =.id=<ids> with attributes. */
static int
on_ids(struct ros_conn *c, const char *menu, const char *name, const char *ids,
    const struct ros_kv *kv, size_t n, struct ros_error *err)
{
	struct arena a;
	struct ros_cmd cmd;
	int rc;

	if (ids == NULL || *ids == '\0')
		return ros_fail(err, ROS_EINVAL, "no .id given");
	arena_init(&a);
	verb(&cmd, &a, menu, name);
	ros_cmd_attr(&cmd, ".id", ids);
	put_kv(&cmd, kv, n);
	rc = run_plain(c, &cmd, NULL, 0, err);
	arena_free(&a);
	return rc;
}

int
ros_set(struct ros_conn *c, const char *menu, const char *ids, const struct ros_kv *kv,
    size_t n, struct ros_error *err)
{
	return on_ids(c, menu, "set", ids, kv, n, err);
}

int
ros_remove(struct ros_conn *c, const char *menu, const char *ids, struct ros_error *err)
{
	return on_ids(c, menu, "remove", ids, NULL, 0, err);
}

int
ros_set_disabled(struct ros_conn *c, const char *menu, const char *ids, int disabled,
    struct ros_error *err)
{
	return on_ids(c, menu, disabled ? "disable" : "enable", ids, NULL, 0, err);
}

/* ---- find by name, then act ---- */

int
ros_upsert_by_name(struct ros_conn *c, const char *menu, const char *name,
    const struct ros_kv *kv, size_t n, int *created, char *id, size_t idn,
    struct ros_error *err)
{
	char found[64];
	struct ros_kv *all;
	int rc = ros_find_id(c, menu, "name", name, found, sizeof(found), err);

	if (created)
		*created = 0;
	if (rc == ROS_OK) {
		if (id && idn)
			snprintf(id, idn, "%s", found);
		return n ? ros_set(c, menu, found, kv, n, err) : ROS_OK;
	}
	if (rc != ROS_ENOTFOUND)
		return rc;
	all = xmalloc((n + 1) * sizeof(*all));
	all[0].key = "name";
	all[0].value = name;
	if (n)
		memcpy(all + 1, kv, n * sizeof(*kv));
	rc = ros_add(c, menu, all, n + 1, id, idn, err);
	free(all);
	if (rc == ROS_OK && created)
		*created = 1;
	return rc;
}

int
ros_remove_where(struct ros_conn *c, const char *menu, const char *key, const char *value,
    int *was_absent, size_t *removed, struct ros_error *err)
{
	struct ros_result res;
	struct arena a;
	const char *ids = NULL;
	int rc = print_where(c, menu, key, value, ".id", &res, err);

	arena_init(&a);
	if (rc == ROS_OK)
		ids = ros_ids_join(&a, &res);
	if (was_absent)
		*was_absent = rc == ROS_OK && ids == NULL;
	if (removed)
		*removed = 0;
	if (ids) {
		rc = ros_remove(c, menu, ids, err);
		if (rc == ROS_OK && removed)
			*removed = res.nitems;
	}
	ros_result_free(&res);
	arena_free(&a);
	return rc;
}

int
ros_remove_by_name(struct ros_conn *c, const char *menu, const char *name,
    int *was_absent, struct ros_error *err)
{
	return ros_remove_where(c, menu, "name", name, was_absent, NULL, err);
}

int
ros_set_disabled_by_name(struct ros_conn *c, const char *menu, const char *name,
    int disabled, struct ros_error *err)
{
	char id[64];
	int rc = ros_find_id(c, menu, "name", name, id, sizeof(id), err);

	return rc != ROS_OK ? rc : ros_set_disabled(c, menu, id, disabled, err);
}

/* ---- /system ---- */

static void
copy_str(char *dst, size_t n, const struct ros_item *it, const char *key)
{
	const char *v = ros_item_str(it, key);

	snprintf(dst, n, "%s", v ? v : "");
}

/* print a single-entry menu (/system/resource, /system/identity). */
static int
print_one(struct ros_conn *c, const char *menu, struct ros_result *res, struct ros_error *err)
{
	int rc = ros_print(c, menu, NULL, 0, NULL, res, err);

	if (rc == ROS_OK && res->nitems == 0)
		rc = ros_fail(err, ROS_EPROTO, "%s/print returned no entry", menu);
	return rc;
}

int
ros_system_resource(struct ros_conn *c, struct ros_resource *out, struct ros_error *err)
{
	struct ros_result res;
	const struct ros_item *it;
	int rc = print_one(c, "/system/resource", &res, err);

	memset(out, 0, sizeof(*out));
	out->uptime_ms = -1;
	if (rc == ROS_OK) {
		long long us;

		it = &res.items[0];
		copy_str(out->version, sizeof(out->version), it, "version");
		copy_str(out->board_name, sizeof(out->board_name), it, "board-name");
		copy_str(out->architecture, sizeof(out->architecture), it, "architecture-name");
		copy_str(out->cpu, sizeof(out->cpu), it, "cpu");
		copy_str(out->uptime, sizeof(out->uptime), it, "uptime");
		us = ros_duration_us(out->uptime);
		out->uptime_ms = us < 0 ? -1 : us / 1000;
		out->cpu_load = (int)ros_item_u64(it, "cpu-load", 0);
		out->cpu_count = (int)ros_item_u64(it, "cpu-count", 0);
		out->free_memory = ros_item_u64(it, "free-memory", 0);
		out->total_memory = ros_item_u64(it, "total-memory", 0);
		out->free_hdd_space = ros_item_u64(it, "free-hdd-space", 0);
		out->total_hdd_space = ros_item_u64(it, "total-hdd-space", 0);
	}
	ros_result_free(&res);
	return rc;
}

int
ros_system_identity(struct ros_conn *c, char *name, size_t n, struct ros_error *err)
{
	struct ros_result res;
	int rc = print_one(c, "/system/identity", &res, err);

	if (n)
		name[0] = '\0';
	if (rc == ROS_OK && n)
		copy_str(name, n, &res.items[0], "name");
	ros_result_free(&res);
	return rc;
}

/* ---- provisioning menus ---- */

/* ros_upsert_by_name for the typed helpers (no .id wanted back). */
#define UPSERT(c, menu, name, kv, created, err) \
	ros_upsert_by_name(c, menu, name, kv, sizeof(kv) / sizeof(kv[0]), created, NULL, 0, err)

static const char *
yes_no(int v)
{
	return v < 0 ? NULL : v ? "yes" : "no";
}

int
ros_hotspot_user_get(struct ros_conn *c, const char *name, struct ros_result *res,
    struct ros_error *err)
{
	return print_where(c, ROS_M_HOTSPOT_USER, "name", name, NULL, res, err);
}

int
ros_hotspot_user_upsert(struct ros_conn *c, const struct ros_hotspot_user *u, int *created,
    struct ros_error *err)
{
	const struct ros_kv kv[] = {
		{ "password", u->password }, { "profile", u->profile },
		{ "server", u->server }, { "limit-uptime", u->limit_uptime },
		{ "limit-bytes-total", u->limit_bytes_total },
		{ "mac-address", u->mac_address }, { "comment", u->comment },
		{ "disabled", yes_no(u->disabled) },
	};

	return UPSERT(c, ROS_M_HOTSPOT_USER, u->name, kv, created, err);
}

int
ros_hotspot_kick(struct ros_conn *c, const char *user, size_t *n, struct ros_error *err)
{
	return ros_remove_where(c, ROS_M_HOTSPOT_ACTIVE, "user", user, NULL, n, err);
}

int
ros_hotspot_profile_upsert(struct ros_conn *c, const struct ros_profile *p, int *created,
    struct ros_error *err)
{
	const struct ros_kv kv[] = {
		{ "rate-limit", p->rate_limit }, { "shared-users", p->shared_users },
		{ "comment", p->comment },
	};

	return UPSERT(c, ROS_M_HOTSPOT_PROFILE, p->name, kv, created, err);
}

int
ros_ppp_profile_upsert(struct ros_conn *c, const struct ros_profile *p, int *created,
    struct ros_error *err)
{
	const struct ros_kv kv[] = {
		{ "rate-limit", p->rate_limit }, { "local-address", p->local_address },
		{ "remote-address", p->remote_address }, { "comment", p->comment },
	};

	return UPSERT(c, ROS_M_PPP_PROFILE, p->name, kv, created, err);
}

int
ros_ppp_secret_get(struct ros_conn *c, const char *name, struct ros_result *res,
    struct ros_error *err)
{
	return print_where(c, ROS_M_PPP_SECRET, "name", name, NULL, res, err);
}

int
ros_ppp_secret_upsert(struct ros_conn *c, const struct ros_ppp_secret *s, int *created,
    struct ros_error *err)
{
	const struct ros_kv kv[] = {
		{ "password", s->password }, { "profile", s->profile },
		{ "service", s->service }, { "remote-address", s->remote_address },
		{ "comment", s->comment }, { "disabled", yes_no(s->disabled) },
	};

	return UPSERT(c, ROS_M_PPP_SECRET, s->name, kv, created, err);
}

int
ros_ppp_kick(struct ros_conn *c, const char *name, size_t *n, struct ros_error *err)
{
	return ros_remove_where(c, ROS_M_PPP_ACTIVE, "name", name, NULL, n, err);
}

int
ros_queue_simple_upsert(struct ros_conn *c, const struct ros_queue *q, int *created,
    struct ros_error *err)
{
	const struct ros_kv kv[] = {
		{ "target", q->target }, { "max-limit", q->max_limit },
		{ "comment", q->comment }, { "disabled", yes_no(q->disabled) },
	};

	return UPSERT(c, ROS_M_QUEUE_SIMPLE, q->name, kv, created, err);
}

/* ---- interfaces and traffic ---- */

int
ros_interface_print(struct ros_conn *c, struct ros_result *res, struct ros_error *err)
{
	return ros_print(c, ROS_M_INTERFACE, NULL, 0,
	    ".id,name,type,running,disabled,comment,mac-address,mtu,"
	    "rx-byte,tx-byte,rx-packet,tx-packet", res, err);
}

void
ros_traffic_from_reply(const struct ros_reply *r, struct ros_traffic *out)
{
	struct ros_item it = { r->attrs, r->nattrs };

	out->rx_bps = ros_item_u64(&it, "rx-bits-per-second", 0);
	out->tx_bps = ros_item_u64(&it, "tx-bits-per-second", 0);
	out->rx_pps = ros_item_u64(&it, "rx-packets-per-second", 0);
	out->tx_pps = ros_item_u64(&it, "tx-packets-per-second", 0);
}

/* Builders of the streaming commands: what, and a count (0: for ever). */
typedef void (*build_fn)(struct ros_cmd *cmd, struct arena *a, const char *what, int n);

/* "/interface/monitor-traffic =interface=<iface>" [=once=] */
static void
monitor_cmd(struct ros_cmd *cmd, struct arena *a, const char *iface, int once)
{
	ros_cmd_init(cmd, a, "/interface/monitor-traffic");
	ros_cmd_attr(cmd, "interface", iface);
	if (once)
		ros_cmd_attr(cmd, "once", "");
}

/* "/ping =address=<address>" [=count=<n>] */
static void
ping_cmd(struct ros_cmd *cmd, struct arena *a, const char *address, int count)
{
	ros_cmd_init(cmd, a, "/ping");
	ros_cmd_attr(cmd, "address", address);
	if (count > 0)
		ros_cmd_wordf(cmd, "=count=%d", count);
}

/* Build a command, then run it to its end into res (tag NULL), or send it
 * under a fresh tag in *tag and return at once. */
static int
build_and_go(struct ros_conn *c, build_fn build, const char *what, int n,
    struct ros_result *res, unsigned long *tag, struct ros_error *err)
{
	struct arena a;
	struct ros_cmd cmd;
	int rc;

	if (what == NULL || *what == '\0' || n < 0) {
		if (res)
			ros_result_init(res);
		return ros_fail(err, ROS_EINVAL, "no interface or address given, or a bad count");
	}
	arena_init(&a);
	build(&cmd, &a, what, n);
	if (tag == NULL)
		rc = ros_cmd_run(c, &cmd, res, err);
	else if (cmd.overflow)
		rc = ros_fail(err, ROS_EINVAL, "too many words");
	else
		rc = ros_send(c, cmd.w, cmd.n, tag, err);
	arena_free(&a);
	return rc;
}

int
ros_monitor_traffic_once(struct ros_conn *c, const char *iface, struct ros_traffic *out,
    struct ros_error *err)
{
	struct ros_result res;
	int rc = build_and_go(c, monitor_cmd, iface, 1, &res, NULL, err);

	memset(out, 0, sizeof(*out));
	if (rc == ROS_OK && res.nitems) {
		struct ros_reply r = { .attrs = res.items[0].attrs, .nattrs = res.items[0].n };

		ros_traffic_from_reply(&r, out);
	}
	ros_result_free(&res);
	return rc;
}

int
ros_monitor_traffic_start(struct ros_conn *c, const char *iface, unsigned long *tag,
    struct ros_error *err)
{
	return build_and_go(c, monitor_cmd, iface, 0, NULL, tag, err);
}

/* ---- ping ---- */

static long long
rtt_us(const struct ros_item *it, const char *key)
{
	const char *v = ros_item_str(it, key);

	return v ? ros_duration_us(v) : -1;
}

int
ros_ping(struct ros_conn *c, const char *address, int count, struct ros_ping *out,
    struct ros_error *err)
{
	struct ros_result res;
	int rc = build_and_go(c, ping_cmd, address, count < 1 ? -1 : count, &res, NULL, err);

	memset(out, 0, sizeof(*out));
	out->min_rtt_us = out->avg_rtt_us = out->max_rtt_us = -1;
	if (rc == ROS_OK && res.nitems) {
		/* each !re carries the running totals; the last has them all */
		const struct ros_item *last = &res.items[res.nitems - 1];

		out->sent = (int)ros_item_u64(last, "sent", 0);
		out->received = (int)ros_item_u64(last, "received", 0);
		out->packet_loss = (int)ros_item_u64(last, "packet-loss", 0);
		out->min_rtt_us = rtt_us(last, "min-rtt");
		out->avg_rtt_us = rtt_us(last, "avg-rtt");
		out->max_rtt_us = rtt_us(last, "max-rtt");
	}
	ros_result_free(&res);
	return rc;
}

int
ros_ping_start(struct ros_conn *c, const char *address, int count, unsigned long *tag,
    struct ros_error *err)
{
	return build_and_go(c, ping_cmd, address, count, NULL, tag, err);
}
