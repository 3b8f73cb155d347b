/* qcache.h - results a worker keeps, for as long as the data they were read
 * from stays the same.  A caller names that data with a tag that changes
 * whenever it changes (an entity's version from data_versions, read with
 * the caller's credentials, sql/007): the same statement with the same
 * parameters and the same tag is answered from memory.  A tag read before
 * the statement ran can only be older than the data, never newer, so a
 * kept result is never staler than its tag says.  Per process, no locks. */
#ifndef ISP_DB_QCACHE_H
#define ISP_DB_QCACHE_H

#include "db/db.h"

/* db_query with a tag (NULL: plain db_query, nothing kept). */
int db_query_kept(struct db *db, struct arena *a, const char *tag, const char *sql,
    const struct db_param *params, unsigned nparams, struct db_result *res);

/* The tag "name:v" of name in versions ("customers:12,stats:7", as
 * CORE_VERSIONS_OF reads them; a name not there never changed: "name:0");
 * NULL when versions is NULL (unknown: nothing is kept). */
const char *qcache_tag(struct arena *a, const char *name, const char *versions);

/* Forget everything (tests, configuration reload). */
void qcache_clear(void);

/* hits and misses since the start, for the tests and the log */
void qcache_counts(unsigned long long *hits, unsigned long long *misses);

#endif
