/* traffic.h - a router interface's rates over time: live samples
 * (/interface/monitor-traffic once) kept in router_traffic_samples
 * (sql/015) and read back for a period.  ispbill keeps no other traffic
 * history: a sample is taken when one is asked for.  Knows nothing of
 * HTTP. */
#ifndef ISP_TRAFFIC_H
#define ISP_TRAFFIC_H

#include "core/core.h"
#include "core/provision.h"

struct traffic_point {
	const char *taken_at;       /* DATETIME text, UTC */
	long long rx_bps, tx_bps;
};

#define TRAFFIC_KEEP_DAYS 7
#define TRAFFIC_POINTS_MAX 1000

/* A usable interface name for monitor-traffic: 1 to 100 bytes, no comma
 * (a list), no '=' and no control character. */
int traffic_iface_ok(const char *iface);

/* Read iface's rates on the open router p and keep them as a sample of
 * p's router (older samples of it past TRAFFIC_KEEP_DAYS go).  CORE_OK,
 * PROV_ROUTER (p->err) or CORE_DB; *out is the sample. */
int traffic_sample(struct db *db, struct arena *a, struct prov *p, const char *iface,
    struct traffic_point *out);

/* The samples of router/iface of tenant taken in the last hours hours,
 * oldest first, at most TRAFFIC_POINTS_MAX (the newest).  CORE_OK or
 * CORE_DB. */
int traffic_history(struct db *db, struct arena *a, long long tenant, long long router,
    const char *iface, long long hours, struct traffic_point **out, int *n);

#endif
