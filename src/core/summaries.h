/* summaries.h - the figures sql/007_summaries.sql keeps by trigger: prove
 * them against the rows they summarise, or compute them again. */
#ifndef ISP_CORE_SUMMARIES_H
#define ISP_CORE_SUMMARIES_H

#include "db/db.h"
#include "util/buf.h"

/* Compare a tenant's kept figures with the same figures computed from its
 * rows (the recomputation is rolled back; the tenant's writers wait
 * meanwhile): the number of summary tables that differ in *ndiff, a line per
 * differing row (up to 20 a table) appended to report (may be NULL).
 * CORE_OK or CORE_DB. */
int summaries_check(struct db *db, long long tenant, int *ndiff, struct buf *report);

/* Compute a tenant's figures again from its rows, in one transaction.
 * For repairs: the tenant's other writers wait on its locks meanwhile. */
int summaries_rebuild(struct db *db, long long tenant);

#endif
