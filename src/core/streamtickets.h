/* streamtickets.h - one-time tickets for ispbill-monitor's WebSocket
 * handshakes: a browser cannot set headers on a WebSocket, so the HTTP API
 * hands out a ticket (random, 32 bytes, url-safe base64) that the browser
 * passes as ?ticket=.  Stored hashed, valid STREAM_TICKET_TTL seconds, used
 * once. */
#ifndef ISP_STREAMTICKETS_H
#define ISP_STREAMTICKETS_H

#include "core/actor.h"

struct db;
struct arena;

#define STREAM_TICKET_TTL 30

/* A ticket for who (a user or an API client of who's tenant) into *ticket
 * (arena).  CORE_OK or CORE_DB.  Tickets expired an hour ago are deleted. */
int st_issue(struct db *db, struct arena *a, const struct actor *who, const char **ticket);
/* Use a ticket: CORE_OK and *who as its user or client is now (tenant,
 * user or client id, name, user type, super user; *scopes for a client);
 * CORE_BAD_LOGIN when it is unknown, used, expired, or its user or client
 * is no longer active; CORE_DB.  A ticket is spent by its first use, even
 * when that use is then refused for another reason. */
int st_redeem(struct db *db, struct arena *a, const char *ticket, struct actor *who,
    const char **scopes);

#endif
