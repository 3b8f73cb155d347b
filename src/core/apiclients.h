/* apiclients.h - programs that call the API with X-Client-Key (004): the key
 * is shown once and kept as a hash, with a short prefix to find it by. */
#ifndef ISP_APICLIENTS_H
#define ISP_APICLIENTS_H

#include "core/actor.h"
#include "core/entity.h"

extern const struct entity ent_api_client;

#define CLIENT_KEY_PREFIX 12

/* Create (id 0) or update a client from s; on create *key receives the new
 * key (arena), shown to the caller once. */
int clients_upsert(struct db *db, struct arena *a, const struct actor *who, long long id,
    struct ent_set *s, long long *out_id, const char **key, struct ferrs *fe);
/* Revoke (soft delete) clients by id; *n how many were. */
int clients_delete(struct db *db, struct arena *a, const struct actor *who,
    const long long *ids, unsigned nids, unsigned *n);
/* Who a key belongs to: 0 and the client, CORE_BAD_LOGIN, or CORE_DB. */
struct api_client {
	long long id, tenant_id;
	const char *name;
	const char *scopes;     /* JSON array of permission codenames, "*" for all */
	const char *versions;   /* its tenant's data versions (CORE_VERSIONS_OF) */
};
int clients_authenticate(struct db *db, struct arena *a, const char *key, struct api_client *out);
/* An active client (of an active tenant) by id: CORE_OK and *out (no
 * versions), CORE_BAD_LOGIN when revoked or gone, CORE_DB. */
int clients_get_active(struct db *db, struct arena *a, long long id, struct api_client *out);
/* Does a client's scope list grant codename? */
int clients_scope_allows(const char *scopes, const char *codename);

#endif
