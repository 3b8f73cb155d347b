/* audit.h - the audit log: who changed what, when, from where. */
#ifndef ISP_AUDIT_H
#define ISP_AUDIT_H

#include "core/actor.h"
#include "core/entity.h"

struct db;
struct arena;

/* One line in the audit log.  Failure to write it is logged, not fatal. */
void audit(struct db *db, struct arena *a, const struct actor *who, const char *action,
    const char *object_type, long long object_id, const char *details);
/* The same for a login attempt by a login id that may not exist. */
void audit_login(struct db *db, struct arena *a, long long tenant, long long user_id,
    const char *login, int ok, const char *ip, const char *request_id, const char *why);

/* Entries with no tenant (failed logins by unknown names, throttled
 * attempts) are for super admins only: see audit_scope. */
extern const struct entity ent_audit;
void audit_scope(const struct actor *who, struct ent_query *q);

#endif
