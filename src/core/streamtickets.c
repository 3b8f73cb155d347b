/* streamtickets.c - one-time WebSocket tickets: issued by the HTTP API,
 * redeemed by ispbill-monitor with one UPDATE that only an unused,
 * unexpired ticket passes. */
#include "config.h"
#include "core/streamtickets.h"
#include "core/apiclients.h"
#include "core/core.h"
#include "core/sessions.h"
#include "core/users.h"
#include "db/db.h"
#include "util/arena.h"

#include <sodium.h>
#include <string.h>

int
st_issue(struct db *db, struct arena *a, const struct actor *who, const char **ticket)
{
	unsigned char rnd[32];
	char text[sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
	char hash[65];
	struct db_param p[5];

	randombytes_buf(rnd, sizeof(rnd));
	sodium_bin2base64(text, sizeof(text), rnd, sizeof(rnd),
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(rnd, sizeof(rnd));
	secret_hash(text, hash);
	p[0] = db_int(who->tenant_id);
	p[1] = who->client_id ? db_null() : db_int(who->user_id);
	p[2] = who->client_id ? db_int(who->client_id) : db_null();
	p[3] = db_str(hash);
	p[4] = db_int(STREAM_TICKET_TTL);
	if (db_query(db, a, "DELETE FROM stream_tickets "
	    "WHERE expires_at < UTC_TIMESTAMP(6) - INTERVAL 1 HOUR", NULL, 0, NULL) < 0 ||
	    db_query(db, a, "INSERT INTO stream_tickets (tenant_id, user_id, client_id, ticket_hash, "
	    "created_at, expires_at) VALUES (?, ?, ?, ?, UTC_TIMESTAMP(6), "
	    "UTC_TIMESTAMP(6) + INTERVAL ? SECOND)", p, 5, NULL) < 0)
		return CORE_DB;
	*ticket = arena_strdup(a, text);
	return CORE_OK;
}

int
st_redeem(struct db *db, struct arena *a, const char *ticket, struct actor *who,
    const char **scopes)
{
	char hash[65];
	struct db_param p[1];
	struct db_result r;
	long long tenant, user, client;

	memset(who, 0, sizeof(*who));
	*scopes = NULL;
	if (ticket == NULL || *ticket == '\0' || strlen(ticket) > 128)
		return CORE_BAD_LOGIN;
	secret_hash(ticket, hash);
	p[0] = db_str(hash);
	if (db_query(db, a, "UPDATE stream_tickets SET used_at = UTC_TIMESTAMP(6) "
	    "WHERE ticket_hash = ? AND used_at IS NULL AND expires_at > UTC_TIMESTAMP(6)",
	    p, 1, &r) < 0)
		return CORE_DB;
	if (r.affected != 1)
		return CORE_BAD_LOGIN;
	if (db_query(db, a, "SELECT tenant_id, user_id, client_id FROM stream_tickets "
	    "WHERE ticket_hash = ?", p, 1, &r) < 0)
		return CORE_DB;
	if (r.nrows != 1)
		return CORE_BAD_LOGIN;
	tenant = db_val_int(&r, 0, 0, 0);
	user = db_val_int(&r, 0, 1, 0);
	client = db_val_int(&r, 0, 2, 0);
	if (client) {
		struct api_client cl;
		int rc = clients_get_active(db, a, client, &cl);

		if (rc != CORE_OK)
			return rc;
		if (cl.tenant_id != tenant)
			return CORE_BAD_LOGIN;
		who->client_id = cl.id;
		who->tenant_id = cl.tenant_id;
		who->name = cl.name;
		who->user_type = "api_client";
		*scopes = cl.scopes;
	} else {
		struct user u;
		int rc = users_get(db, a, user, &u);

		if (rc == CORE_DB)
			return rc;
		if (rc != CORE_OK || !u.is_active || u.tenant_id != tenant)
			return CORE_BAD_LOGIN;
		who->user_id = u.id;
		who->tenant_id = u.tenant_id;
		who->name = u.username;
		who->user_type = u.user_type;
		who->is_superuser = u.is_superuser;
	}
	return CORE_OK;
}
