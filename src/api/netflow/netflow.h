/* netflow.h - the netflow dialect (002): its handlers and the field maps
 * that turn the core's rows into 002's shapes, grouped by file. */
#ifndef ISP_NETFLOW_H
#define ISP_NETFLOW_H

#include "api/resource.h"
#include "http/request.h"

/* ---- field maps (records.c) ---- */

enum nf_kind {
	NF_INT,         /* integer */
	NF_STR,         /* string or null */
	NF_MONEY,       /* 1500.00: a JSON number with two places */
	NF_TIME,        /* "2024-01-15 10:30:00" (UTC) */
	NF_DATE,        /* "2024-02-15" */
	NF_BOOL,
	NF_PHONE,       /* stored 254712345678, shown +254712345678 */
	NF_INV_STATUS,  /* the core's pending is 002's unpaid */
};

struct nf_field {
	const char *key;                /* 002's name */
	const char *src;                /* the entity's field */
	enum nf_kind kind;
};

/* 002's name of an input field and the entity's (amount -> subtotal) */
struct nf_alias {
	const char *key, *src;
};

struct nf_res {
	const struct resource *res;     /* the core entity and its rules (hooks) */
	const struct nf_field *out;
	size_t nout;
	const struct nf_alias *in;      /* NULL-terminated; NULL: the names are the core's */
	/* add members to an open object (detail: a single object) */
	void (*extra)(struct request *req, yajl_gen g, const struct ent_row *r, int detail);
};

yajl_val nf_renamed(struct request *req, yajl_val in, const struct nf_alias *map);
void nf_write_row(struct request *req, yajl_gen g, const struct nf_res *nr,
    const struct ent_row *r, int detail);
int  nf_list(struct request *req);
int  nf_get(struct request *req);
int  nf_create(struct request *req);
int  nf_update(struct request *req);
int  nf_ticket_reply(struct request *req);
extern const struct nf_res nf_customers, nf_invoices, nf_tickets, nf_payments, nf_leads;

/* ---- auth.c ---- */
int nf_login(struct request *req);
int nf_register(struct request *req);
int nf_me(struct request *req);

/* ---- integrations.c ---- */
int nf_sms_send(struct request *req);
int nf_sms_settings_get(struct request *req);
int nf_sms_settings_post(struct request *req);
int nf_mikrotik_interfaces(struct request *req);

#endif
