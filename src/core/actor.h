/* actor.h - who is acting, for the audit log and for tenant and reseller scoping. */
#ifndef ISP_ACTOR_H
#define ISP_ACTOR_H

struct actor {
	long long tenant_id;
	long long user_id;          /* 0: an API client or nobody */
	long long client_id;        /* API client (X-Client-Key), else 0 */
	const char *name;           /* username or client name */
	const char *user_type;
	int is_superuser;
	const char *ip;
	const char *request_id;
};

#endif
