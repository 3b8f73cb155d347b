/* rbac.h - permissions, roles, groups and who holds what.  A user holds the
 * permissions of the default role of their user_type, of each active,
 * unexpired role assigned to them, and of their groups; a superuser holds
 * every permission. */
#ifndef ISP_RBAC_H
#define ISP_RBAC_H

#include <yajl/yajl_tree.h>

#include "core/actor.h"
#include "core/entity.h"

extern const struct entity ent_permission;
extern const struct entity ent_permission_category;
extern const struct entity ent_role;
extern const struct entity ent_group;
extern const struct entity ent_user_role;

/* 1 holds, 0 not, -1 database error. */
int rbac_user_has(struct db *db, struct arena *a, long long user_id, long long tenant,
    const char *user_type, const char *codename);
/* May who do codename?  A super user may; an API client (who->client_id)
 * as its scopes (a JSON list, apiclients.h) allow; a user as its roles and
 * groups give.  1, 0, -1 database error.  The HTTP API and the monitor
 * both decide with it. */
int rbac_actor_has(struct db *db, struct arena *a, const struct actor *who, const char *scopes,
    const char *codename);
/* The codenames a user holds, sorted; *n of them. */
int rbac_user_perms(struct db *db, struct arena *a, long long user_id, long long tenant,
    const char *user_type, int superuser, const char ***out, unsigned *n);
/* The user's roles (default role first) as rows of ent_role plus
 * assignment columns: role uuid, name, display name, assigned by name,
 * assigned at. */
struct user_role_info {
	long long user_id;
	long long role_id;
	const char *uuid, *name, *display_name, *assigned_by, *assigned_at, *expires_at;
	int is_default;
};
int rbac_user_roles(struct db *db, struct arena *a, long long user_id, long long tenant,
    const char *user_type, struct user_role_info **out, unsigned *n);
/* The same for the users ids[0..n) of tenant in one query (a page of a
 * list): *out ordered by user, each user's as rbac_user_roles gives them.
 * With the caller's versions (CORE_VERSIONS_OF) the query's answer may
 * come from the worker's memory while the tenant's users are unchanged. */
int rbac_users_roles(struct db *db, struct arena *a, long long tenant, const long long *ids,
    unsigned n, const char *versions, struct user_role_info **out, unsigned *nout);

/* Replace a role's or group's permissions with ids (each must be a shipped
 * permission or one of the tenant's); errors name field. */
int rbac_set_permissions(struct db *db, struct arena *a, const char *join_table,
    const char *owner_col, long long owner_id, long long tenant, yajl_val ids,
    const char *field, struct ferrs *fe);
/* The permission ids of a role or group. */
int rbac_permission_ids(struct db *db, struct arena *a, const char *join_table,
    const char *owner_col, long long owner_id, long long **ids, unsigned *n);

/* Assign (action "assign") or revoke ("revoke") role_id to user_id, with a
 * reason and an optional expiry; checks that the actor may assign it
 * (role level, can_assign_roles, max_assignments).  Errors name fields. */
int rbac_assign(struct db *db, struct arena *a, const struct actor *who, long long user_id,
    long long role_id, const char *action, const char *reason, const char *expires_at,
    struct ferrs *fe);

/* Resellers see and manage only themselves and the accounts under them. */
int rbac_is_reseller(const struct actor *who);
/* A user type's rank: 1 super_admin ... 9 user; 99 unknown. */
int rbac_type_level(const char *user_type);

/* 003's dashboard figures. */
struct identity_stats {
	long long total_users, active_users, total_roles, active_roles, total_permissions,
	    custom_permissions;
	const char *types[16];
	long long type_counts[16];
	int ntypes;
};
int rbac_stats(struct db *db, struct arena *a, long long tenant, struct identity_stats *out);

#endif
