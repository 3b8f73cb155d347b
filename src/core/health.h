/* health.h - is the service fit to serve: database round trip, schema version, uptime. */
#ifndef ISP_HEALTH_H
#define ISP_HEALTH_H

#include <time.h>

struct db;
struct config;

struct health {
	int db_ok;
	double db_ms;               /* round trip */
	char db_error[256];
	int schema_version;         /* highest applied migration, -1 unknown */
	int schema_latest;          /* highest migration shipped, -1 unknown */
	long uptime;                /* seconds since the service started */
	int pid;
};

void health_set_started(time_t t);
void health_check(struct db *db, const struct config *cfg, int with_schema, struct health *out);

#endif
