/* records.c - netflow's customers, invoices, tickets (and replies), payments
 * and leads: the core's entities and rules (native's resource hooks), with
 * 002's names, money as numbers, times as "YYYY-MM-DD HH:MM:SS", limit and
 * offset lists. */
#include "config.h"
#include "api/native/native.h"
#include "api/netflow/netflow.h"
#include "core/billing.h"
#include "http/auth.h"
#include "json/json.h"

#include <stdlib.h>
#include <string.h>

#define NF_LIMIT_DEFAULT 100
#define NF_LIMIT_MAX 100

/* ---- output ---- */

static void
write_value(yajl_gen g, enum nf_kind kind, const char *v)
{
	if (v == NULL) {
		jw_null(g);
		return;
	}
	switch (kind) {
	case NF_INT:
		jw_int(g, strtoll(v, NULL, 10));
		break;
	case NF_MONEY:
		jw_raw_number(g, v);
		break;
	case NF_BOOL:
		jw_bool(g, strcmp(v, "0") != 0);
		break;
	case NF_TIME:
		jw_strn(g, v, strcspn(v, "."));         /* the database's, without fractions */
		break;
	case NF_DATE:
		jw_strn(g, v, strlen(v) > 10 ? 10 : strlen(v));
		break;
	case NF_INV_STATUS:
		jw_str(g, strcmp(v, "pending") == 0 ? "unpaid" : v);
		break;
	default:
		jw_str(g, v);
		break;
	}
}

void
nf_write_row(struct request *req, yajl_gen g, const struct nf_res *nr, const struct ent_row *r,
    int detail)
{
	const struct entity *e = nr->res->e;

	jw_obj(g);
	for (size_t i = 0; i < nr->nout; i++) {
		const struct nf_field *f = &nr->out[i];
		const char *v = ent_val(e, r, f->src);

		jw_key(g, f->key);
		if (f->kind == NF_PHONE && v && *v && v[0] != '+' && v[0] != '0' &&
		    strspn(v, "0123456789") == strlen(v))
			jw_str(g, arena_printf(&req->arena, "+%s", v));
		else
			write_value(g, f->kind, v);
	}
	if (nr->extra)
		nr->extra(req, g, r, detail);
	jw_obj_end(g);
}

/* ---- input ---- */

/* in with map's names turned into the other ones (a shallow copy in the
 * arena; the values are in's).  A name given beside its alias: the alias wins. */
yajl_val
nf_renamed(struct request *req, yajl_val in, const struct nf_alias *map)
{
	yajl_val out;
	size_t n;

	if (map == NULL || in == NULL || !YAJL_IS_OBJECT(in))
		return in;
	n = in->u.object.len;
	out = arena_calloc(&req->arena, 1, sizeof(*out));
	out->type = yajl_t_object;
	out->u.object.keys = arena_calloc(&req->arena, n ? n : 1, sizeof(char *));
	out->u.object.values = arena_calloc(&req->arena, n ? n : 1, sizeof(yajl_val));
	for (size_t i = 0; i < n; i++) {
		const char *k = in->u.object.keys[i];

		for (const struct nf_alias *a = map; a->key; a++)
			if (strcmp(k, a->key) == 0) {
				k = a->src;
				break;
			}
		if (k == in->u.object.keys[i]) {
			int aliased = 0;

			for (const struct nf_alias *a = map; a->key; a++)
				if (strcmp(k, a->src) == 0 && json_obj_get(in, a->key))
					aliased = 1;
			if (aliased)
				continue;
		}
		out->u.object.keys[out->u.object.len] = k;
		out->u.object.values[out->u.object.len++] = in->u.object.values[i];
	}
	return out;
}

/* ---- lists and objects ---- */

static int
nf_page(struct request *req, struct ent_query *q, struct page *pg)
{
	long long limit;

	memset(pg, 0, sizeof(*pg));
	if (req_query_int(req, "limit", NF_LIMIT_DEFAULT, 1, 1000000, &limit) < 0 ||
	    req_query_int(req, "offset", 0, 0, 1000000000, &pg->offset) < 0)
		return -1;
	if (limit > NF_LIMIT_MAX)
		limit = NF_LIMIT_MAX;
	pg->limit = pg->page_size = limit;
	pg->page = pg->offset / limit + 1;
	q->limit = limit;
	q->offset = pg->offset;
	return 0;
}

static int
list_rows(struct request *req, const struct nf_res *nr, struct ent_query *q, struct page *pg)
{
	const struct resource *res = nr->res;
	struct ent_page out;
	yajl_gen g;
	int rc;

	if (req->errs.n)
		return reply_error(req, ERR_VALIDATION, "Invalid query parameters.");
	rc = ent_list(req->db, &req->arena, res->e, req->auth.tenant_id, q, &out, &req->errs);
	if (rc == CORE_INVALID)
		return reply_error(req, ERR_VALIDATION, "Invalid query parameters.");
	if (rc != CORE_OK)
		return reply_core(req, rc, res->e->label);
	pg->total = out.total;
	g = reply_begin(req, 200, NULL);
	jw_arr(g);
	for (unsigned i = 0; i < out.nrows; i++)
		nf_write_row(req, g, nr, &out.rows[i], 0);
	jw_arr_end(g);
	return reply_end(req, pg);
}

int
nf_list(struct request *req)
{
	const struct nf_res *nr = req->route->ctx;
	struct ent_query q;
	struct page pg;

	memset(&q, 0, sizeof(q));
	if (nf_page(req, &q, &pg) < 0)
		return reply_error(req, ERR_VALIDATION, "Invalid query parameters.");
	res_query(req, nr->res->e, &q);
	if (nr->res->scope)
		nr->res->scope(req, &q);
	q.versions = req->auth.versions;
	return list_rows(req, nr, &q, &pg);
}

static int
reply_row(struct request *req, const struct nf_res *nr, int status, const char *message,
    long long id)
{
	struct ent_row r;
	yajl_gen g;
	int rc = ent_get_id(req->db, &req->arena, nr->res->e, req->auth.tenant_id, id, &r);

	if (rc != CORE_OK)
		return reply_core(req, rc, nr->res->e->label);
	g = reply_begin(req, status, message);
	nf_write_row(req, g, nr, &r, 1);
	return reply_end(req, NULL);
}

/* the path's object, if the caller may see it: its id, or 0 with a 404 sent */
static long long
path_object(struct request *req, const struct nf_res *nr)
{
	long long id = res_path_id(req, nr->res);

	if (id == 0 && !req->replied)
		reply_error(req, ERR_NOT_FOUND, arena_printf(&req->arena, "%s not found",
		    nr->res->e->label));
	return id;
}

int
nf_get(struct request *req)
{
	const struct nf_res *nr = req->route->ctx;
	long long id = path_object(req, nr);

	return id ? reply_row(req, nr, 200, NULL, id) : 0;
}

/* "5500.00" (or 5500, 5500.5) in minor units; -1 if not money */
static long long
minor_units(const char *s)
{
	long long whole = 0, frac = 0;
	int places = 0;

	if (s == NULL || *s == '\0' || *s == '-')
		return -1;
	for (; *s >= '0' && *s <= '9'; s++)
		if ((whole = whole * 10 + (*s - '0')) > 100000000000LL)
			return -1;
	if (*s == '.')
		for (s++; *s >= '0' && *s <= '9'; s++)
			if (places++ < 2)
				frac = frac * 10 + (*s - '0');
	if (*s != '\0')
		return -1;
	for (; places < 2; places++)
		frac *= 10;
	return whole * 100 + frac;
}

/* invoices: 002's unpaid is the core's pending; a total given must be amount + tax */
static int
invoice_input(struct request *req, struct ent_set *s)
{
	yajl_val total = json_obj_get(req->json, "total");

	if (total && !YAJL_IS_NULL(total) && ent_set_has(s, "subtotal")) {
		long long want = minor_units(ent_set_str(s, "subtotal")) +
		    (ent_set_has(s, "tax_amount") ? minor_units(ent_set_str(s, "tax_amount")) : 0) -
		    (ent_set_has(s, "discount_amount") ?
		    minor_units(ent_set_str(s, "discount_amount")) : 0);
		long long got = YAJL_IS_NUMBER(total) ? minor_units(total->u.number.r) :
		    YAJL_IS_STRING(total) ? minor_units(total->u.string) : -1;

		if (got != want) {
			req_field_error(req, "total", arena_printf(&req->arena,
			    "total must equal amount + tax (%lld.%02lld)", want / 100, want % 100));
			return CORE_INVALID;
		}
	}
	return CORE_OK;
}

/* the body's status, with 002's unpaid as the core's pending (the body is
 * nf_renamed's copy) */
static yajl_val
invoice_status_mapped(struct request *req, yajl_val body)
{
	if (body == NULL || !YAJL_IS_OBJECT(body))
		return body;
	for (size_t i = 0; i < body->u.object.len; i++) {
		yajl_val v = body->u.object.values[i];

		if (strcmp(body->u.object.keys[i], "status") == 0 && YAJL_IS_STRING(v) &&
		    strcasecmp(v->u.string, "unpaid") == 0) {
			yajl_val p = arena_calloc(&req->arena, 1, sizeof(*p));

			p->type = yajl_t_string;
			p->u.string = (char *)"pending";
			body->u.object.values[i] = p;
		}
	}
	return body;
}

static int
parse_body(struct request *req, const struct nf_res *nr, int partial, struct ent_set *s)
{
	yajl_val body = nf_renamed(req, req->json, nr->in);

	if (nr == &nf_invoices)
		body = invoice_status_mapped(req, body);
	if (ent_parse(nr->res->e, body, partial, &req->arena, s, &req->errs) != CORE_OK)
		return CORE_INVALID;
	if (nr == &nf_invoices)
		return invoice_input(req, s);
	return CORE_OK;
}

int
nf_create(struct request *req)
{
	const struct nf_res *nr = req->route->ctx;
	const struct resource *res = nr->res;
	struct ent_set s;
	long long id = 0;
	int rc;

	if (parse_body(req, nr, 0, &s) != CORE_OK)
		return reply_error(req, ERR_VALIDATION, "Invalid input.");
	if (res->create)
		rc = res->create(req, &s, &id);
	else if ((rc = ent_check_fks(req->db, &req->arena, res->e, req->auth.tenant_id, &s,
	    &req->errs)) == CORE_OK)
		rc = ent_create(req->db, &req->arena, res->e, req->auth.tenant_id, &s, &id,
		    &req->errs);
	if (rc != CORE_OK)
		return reply_core(req, rc, res->e->label);
	if (req->replied)
		return 0;
	return reply_row(req, nr, 201, arena_printf(&req->arena, "%s created successfully",
	    res->e->label), id);
}

/* PUT as 002 shows it: only the fields given change */
int
nf_update(struct request *req)
{
	const struct nf_res *nr = req->route->ctx;
	const struct resource *res = nr->res;
	struct ent_set s;
	long long id = path_object(req, nr);
	int rc;

	if (id == 0)
		return 0;
	if (parse_body(req, nr, 1, &s) != CORE_OK)
		return reply_error(req, ERR_VALIDATION, "Invalid input.");
	if (res->update)
		rc = res->update(req, id, &s);
	else if ((rc = ent_check_fks(req->db, &req->arena, res->e, req->auth.tenant_id, &s,
	    &req->errs)) == CORE_OK)
		rc = ent_update(req->db, &req->arena, res->e, req->auth.tenant_id, id, &s,
		    &req->errs);
	if (rc != CORE_OK)
		return reply_core(req, rc, res->e->label);
	return reply_row(req, nr, 200, arena_printf(&req->arena, "%s updated successfully",
	    res->e->label), id);
}

/* ---- the maps ---- */

static const struct nf_field customer_out[] = {
	{ "id", "id", NF_INT },
	{ "name", "name", NF_STR },
	{ "email", "email", NF_STR },
	{ "phone", "phone", NF_PHONE },
	{ "address", "address", NF_STR },
	{ "city", "city", NF_STR },
	{ "country", "country", NF_STR },
	{ "account_number", "account_number", NF_STR },
	{ "account_type", "account_type", NF_STR },
	{ "status", "status", NF_STR },
	{ "balance", "balance", NF_MONEY },
	{ "created_at", "created_at", NF_TIME },
	{ "updated_at", "updated_at", NF_TIME },
};
const struct nf_res nf_customers = {
	&res_customers, customer_out, sizeof(customer_out) / sizeof(customer_out[0]), NULL,
};

static const struct nf_field invoice_out[] = {
	{ "id", "id", NF_INT },
	{ "invoice_number", "invoice_number", NF_STR },
	{ "customer_id", "customer_id", NF_INT },
	{ "customer_name", "customer_name", NF_STR },
	{ "amount", "subtotal", NF_MONEY },
	{ "tax", "tax_amount", NF_MONEY },
	{ "discount", "discount_amount", NF_MONEY },
	{ "total", "total_amount", NF_MONEY },
	{ "paid_amount", "paid_amount", NF_MONEY },
	{ "status", "status", NF_INV_STATUS },
	{ "issue_date", "issue_date", NF_DATE },
	{ "due_date", "due_date", NF_DATE },
	{ "paid_date", "paid_date", NF_TIME },
	{ "notes", "notes", NF_STR },
	{ "created_at", "created_at", NF_TIME },
	{ "updated_at", "updated_at", NF_TIME },
};
static const struct nf_alias invoice_in[] = {
	{ "amount", "subtotal" }, { "tax", "tax_amount" }, { "discount", "discount_amount" },
	{ NULL, NULL },
};
const struct nf_res nf_invoices = {
	&res_invoices, invoice_out, sizeof(invoice_out) / sizeof(invoice_out[0]), invoice_in,
};

static const struct nf_field reply_out[] = {
	{ "id", "id", NF_INT },
	{ "ticket_id", "ticket_id", NF_INT },
	{ "user_id", "user_id", NF_INT },
	{ "user_name", "user_name", NF_STR },
	{ "message", "message", NF_STR },
	{ "is_internal", "is_internal", NF_BOOL },
	{ "created_at", "created_at", NF_TIME },
};
static const struct nf_res nf_replies = {
	&res_ticket_replies, reply_out, sizeof(reply_out) / sizeof(reply_out[0]), NULL,
};

/* a ticket read on its own carries its replies */
static void
ticket_replies(struct request *req, yajl_gen g, const struct ent_row *r, int detail)
{
	struct ent_query q;
	struct ent_page out;

	if (!detail)
		return;
	memset(&q, 0, sizeof(q));
	q.limit = 1000;
	ent_query_cond(&q, "t.ticket_id = ?", 1, db_int(r->id), db_null());
	jw_key(g, "replies");
	jw_arr(g);
	if (ent_list(req->db, &req->arena, &ent_ticket_reply, req->auth.tenant_id, &q, &out,
	    &req->errs) == CORE_OK)
		for (unsigned i = 0; i < out.nrows; i++)
			nf_write_row(req, g, &nf_replies, &out.rows[i], 0);
	jw_arr_end(g);
}

static const struct nf_field ticket_out[] = {
	{ "id", "id", NF_INT },
	{ "ticket_number", "ticket_number", NF_STR },
	{ "customer_id", "customer_id", NF_INT },
	{ "customer_name", "customer_name", NF_STR },
	{ "subject", "subject", NF_STR },
	{ "description", "description", NF_STR },
	{ "priority", "priority", NF_STR },
	{ "category", "category", NF_STR },
	{ "status", "status", NF_STR },
	{ "assigned_to", "assigned_to", NF_INT },
	{ "created_by", "created_by", NF_INT },
	{ "resolved_at", "resolved_at", NF_TIME },
	{ "created_at", "created_at", NF_TIME },
	{ "updated_at", "updated_at", NF_TIME },
};
const struct nf_res nf_tickets = {
	&res_tickets, ticket_out, sizeof(ticket_out) / sizeof(ticket_out[0]), NULL, ticket_replies,
};

int
nf_ticket_reply(struct request *req)
{
	struct actor who;
	struct ent_set s;
	long long tid = path_object(req, &nf_tickets), id;
	int rc;

	if (tid == 0)
		return 0;
	if (ent_parse(&ent_ticket_reply, req->json, 0, &req->arena, &s, &req->errs) != CORE_OK)
		return reply_error(req, ERR_VALIDATION, "Invalid input.");
	auth_actor(req, &who);
	rc = tickets_reply(req->db, &req->arena, &who, tid, &s, &id, &req->errs);
	if (rc != CORE_OK)
		return reply_core(req, rc, "Ticket");
	return reply_row(req, &nf_replies, 201, "Reply added successfully", id);
}

static const struct nf_field payment_out[] = {
	{ "id", "id", NF_INT },
	{ "payment_number", "payment_number", NF_STR },
	{ "invoice_id", "invoice_id", NF_INT },
	{ "customer_id", "customer_id", NF_INT },
	{ "customer_name", "customer_name", NF_STR },
	{ "amount", "amount", NF_MONEY },
	{ "payment_method", "payment_method", NF_STR },
	{ "reference_number", "reference", NF_STR },
	{ "transaction_id", "transaction_id", NF_STR },
	{ "status", "status", NF_STR },
	{ "payment_date", "payment_date", NF_TIME },
	{ "created_at", "created_at", NF_TIME },
};
static const struct nf_alias payment_in[] = {
	{ "reference_number", "reference" }, { NULL, NULL },
};
const struct nf_res nf_payments = {
	&res_payments, payment_out, sizeof(payment_out) / sizeof(payment_out[0]), payment_in,
};

static const struct nf_field lead_out[] = {
	{ "id", "id", NF_INT },
	{ "name", "name", NF_STR },
	{ "email", "email", NF_STR },
	{ "phone", "phone", NF_PHONE },
	{ "company", "company", NF_STR },
	{ "address", "address", NF_STR },
	{ "source", "source", NF_STR },
	{ "status", "status", NF_STR },
	{ "notes", "notes", NF_STR },
	{ "assigned_to", "assigned_to", NF_INT },
	{ "created_at", "created_at", NF_TIME },
	{ "updated_at", "updated_at", NF_TIME },
};
const struct nf_res nf_leads = {
	&res_leads, lead_out, sizeof(lead_out) / sizeof(lead_out[0]), NULL,
};
