/* numbering.h - per-tenant document numbers (INV-YYYYMM-NNNN, TKT-...,
 * PAY-..., CUST-NNNNNN), unique and without gaps: a number is taken in the
 * same transaction as the row that carries it. */
#ifndef ISP_NUMBERING_H
#define ISP_NUMBERING_H

struct db;
struct arena;

/* Inside a transaction: the next number of kind ("INV", "TKT", "PAY") for
 * this month, formatted "INV-202601-0001" into the arena; or of "CUS",
 * "CUST-000001".  NULL on a database error. */
const char *number_next(struct db *db, struct arena *a, long long tenant, const char *kind);

#endif
