/* health.c - is the service fit to serve: database round trip, schema version, uptime. */
#include "config.h"
#include "core/health.h"
#include "db/db.h"
#include "db/migrate.h"
#include "util/conf.h"
#include "util/timeutil.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

static time_t started;

void
health_set_started(time_t t)
{
	started = t;
}

void
health_check(struct db *db, const struct config *cfg, int with_schema, struct health *out)
{
	double t0 = time_mono_ms();

	memset(out, 0, sizeof(*out));
	out->pid = (int)getpid();
	out->uptime = started ? (long)(time(NULL) - started) : 0;
	out->schema_version = out->schema_latest = -1;
	out->db_ok = db_ping(db) == 0;
	out->db_ms = time_mono_ms() - t0;
	if (!out->db_ok) {
		snprintf(out->db_error, sizeof(out->db_error), "%s", db->errmsg);
		return;
	}
	if (with_schema) {
		out->schema_version = migrate_current(db);
		out->schema_latest = migrate_latest_file(cfg->sql_dir);
	}
}
