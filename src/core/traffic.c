/* traffic.c - live interface rates kept as samples, and read back. */
#include "config.h"
#include "core/traffic.h"
#include "db/db.h"
#include "util/arena.h"

#include <string.h>

int
traffic_iface_ok(const char *iface)
{
	size_t n = iface ? strlen(iface) : 0;

	if (n == 0 || n > 100)
		return 0;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)iface[i] < 0x20 || iface[i] == 0x7f || iface[i] == ',' ||
		    iface[i] == '=')
			return 0;
	return 1;
}

int
traffic_sample(struct db *db, struct arena *a, struct prov *p, const char *iface,
    struct traffic_point *out)
{
	struct ros_traffic t;
	struct db_result r;
	struct db_param ins[5] = { db_int(p->tenant_id), db_int(p->router_id), db_str(iface) };
	struct db_param old[3] = { db_int(p->router_id), db_str(iface),
		db_int(TRAFFIC_KEEP_DAYS) };

	memset(out, 0, sizeof(*out));
	if (ros_monitor_traffic_once(p->c, iface, &t, &p->err) != ROS_OK)
		return PROV_ROUTER;
	out->rx_bps = (long long)t.rx_bps;
	out->tx_bps = (long long)t.tx_bps;
	ins[3] = db_int(out->rx_bps);
	ins[4] = db_int(out->tx_bps);
	/* the router call is over: no transaction was held across it */
	if (db_query(db, a, "DELETE FROM router_traffic_samples WHERE router_id = ? AND "
	    "interface = ? AND taken_at < UTC_TIMESTAMP(6) - INTERVAL ? DAY LIMIT 1000", old, 3,
	    NULL) < 0 ||
	    db_query(db, a, "INSERT INTO router_traffic_samples (tenant_id, router_id, interface, "
	    "taken_at, rx_bps, tx_bps) VALUES (?, ?, ?, UTC_TIMESTAMP(6), ?, ?)", ins, 5, NULL) < 0 ||
	    db_query(db, a, "SELECT taken_at FROM router_traffic_samples WHERE id = "
	    "LAST_INSERT_ID()", NULL, 0, &r) < 0)
		return CORE_DB;
	out->taken_at = r.nrows ? arena_strdup(a, db_val(&r, 0, 0)) : NULL;
	return CORE_OK;
}

int
traffic_history(struct db *db, struct arena *a, long long tenant, long long router,
    const char *iface, long long hours, struct traffic_point **out, int *n)
{
	struct db_param ps[5] = { db_int(tenant), db_int(router), db_str(iface), db_int(hours),
		db_int(TRAFFIC_POINTS_MAX) };
	struct db_result r;

	*out = NULL;
	*n = 0;
	if (db_query(db, a, "SELECT taken_at, rx_bps, tx_bps FROM (SELECT id, taken_at, rx_bps, "
	    "tx_bps FROM router_traffic_samples WHERE tenant_id = ? AND router_id = ? AND "
	    "interface = ? AND taken_at >= UTC_TIMESTAMP(6) - INTERVAL ? HOUR "
	    "ORDER BY taken_at DESC, id DESC LIMIT ?) k ORDER BY taken_at, id", ps, 5, &r) < 0)
		return CORE_DB;
	*out = arena_calloc(a, r.nrows ? r.nrows : 1, sizeof(**out));
	for (unsigned i = 0; i < r.nrows; i++) {
		(*out)[i].taken_at = db_val(&r, i, 0);
		(*out)[i].rx_bps = db_val_int(&r, i, 1, 0);
		(*out)[i].tx_bps = db_val_int(&r, i, 2, 0);
	}
	*n = (int)r.nrows;
	return CORE_OK;
}
