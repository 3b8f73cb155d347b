/* tenants.h - the ISPs on one installation (004 tenants = 003 organizations). */
#ifndef ISP_TENANTS_H
#define ISP_TENANTS_H

#include "core/actor.h"
#include "core/entity.h"

extern const struct entity ent_tenant;

struct tenant_stats {
	long long users, active_users, roles, groups, api_clients;
};

int tenants_create(struct db *db, struct arena *a, const struct actor *who, struct ent_set *s,
    long long *id, struct ferrs *fe);
int tenants_update(struct db *db, struct arena *a, const struct actor *who, long long id,
    struct ent_set *s, struct ferrs *fe);
int tenants_delete(struct db *db, struct arena *a, const struct actor *who, long long id);
int tenants_stats(struct db *db, struct arena *a, long long id, struct tenant_stats *out);
/* Everyone but a super admin sees only their own tenant. */
int tenants_visible(const struct actor *who, long long id);

#endif
