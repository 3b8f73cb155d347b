/* ktl_support.h - what the ktl dialect (003) needs of the core beyond the
 * shared descriptions: role assignments named by uuids, and list
 * conditions for "users holding a role" and "permissions of a role or group". */
#ifndef ISP_KTL_SUPPORT_H
#define ISP_KTL_SUPPORT_H

#include "core/entity.h"

/* user_roles with the user's and the role's uuids and names */
extern const struct entity ent_ktl_user_role;

/* Users holding role_id: assigned and active, or by their user type's
 * default role. */
void ktl_cond_users_with_role(struct ent_query *q, long long role_id);
/* Permissions of a role (group 0) or of a group (group 1). */
void ktl_cond_perms_of(struct ent_query *q, int group, long long owner_id);
/* Assignments of a reseller's own account and the accounts under it. */
void ktl_cond_assignments_of_tree(struct ent_query *q, long long user_id);

#endif
