/* demo.h - `ispbill demo`: fill a tenant with realistic generated data
 * (routers, plans, customers, subscriptions, invoices, payments, tickets,
 * leads) with set-based SQL, fast enough for 100k customers and 1M payments. */
#ifndef ISP_DEMO_H
#define ISP_DEMO_H

#include <stddef.h>

struct db;

struct demo_opts {
	const char *tenant_code;        /* "default" when NULL */
	long long customers;            /* 1 .. DEMO_MAX_CUSTOMERS */
	long long payments;             /* 0 .. DEMO_MAX_PAYMENTS */
	int append;                     /* add to a tenant that has customers already */
	/* called after each step (may be NULL) */
	void (*progress)(void *arg, const char *step, long long rows, double secs);
	void *arg;
};

#define DEMO_MAX_CUSTOMERS 2000000LL
#define DEMO_MAX_PAYMENTS  20000000LL

struct demo_counts {
	long long tenant_id;
	long long routers, plans;               /* created now (reused ones not counted) */
	long long customers, subscriptions, invoices, payments;
	long long tickets, replies, leads;
	int locations;                          /* Bangladesh districts/thanas were used */
	double secs;
};

/* Everything in one transaction: all or nothing.  Returns 0; 1 when the
 * request is refused (unknown tenant, customers present without append;
 * err says why); -1 on a database error (err names the step). */
int demo_generate(struct db *db, const struct demo_opts *o, struct demo_counts *out,
    char *err, size_t errlen);

#endif
