/* payments.c - money received (001, 002, 000): PAY-YYYYMM-NNNN; a
 * completed payment pays its invoice in the same transaction, and a refund
 * takes it back. */
#include "config.h"
#include "core/billing.h"
#include "core/audit.h"
#include "core/numbering.h"
#include "db/db.h"
#include "util/arena.h"

#include <string.h>

static const char *const methods[] = { "cash", "bank_transfer", "mobile_money", "mpesa", "bkash",
	"nagad", "rocket", "sslcommerz", "stripe", "other", NULL };
static const char *const pay_statuses[] = { "pending", "completed", "failed", "cancelled",
	"refunded", NULL };

static const struct field payment_fields[] = {
	{ "id", "id", FT_ID, FF_READONLY | FF_SORT },
	{ "uuid", "uuid", FT_UUID, FF_READONLY },
	{ "payment_number", "payment_number", FT_STR, FF_READONLY | FF_SEARCH | FF_SORT },
	{ "customer_id", "customer_id", FT_ID, FF_REQUIRED | FF_FILTER | FF_FK, 0, 0, 0, NULL,
	  "customers" },
	{ "customer", "customer_id", FT_ID, FF_READONLY | FF_FILTER | FF_HIDDEN },
	{ "customer_name", "(SELECT c.name FROM customers c WHERE c.id = t.customer_id)", FT_STR,
	  FF_READONLY | FF_SEARCH },
	{ "invoice_id", "invoice_id", FT_ID, FF_NULLABLE | FF_FILTER | FF_FK, 0, 0, 0, NULL,
	  "invoices" },
	{ "invoice", "invoice_id", FT_ID, FF_READONLY | FF_FILTER | FF_HIDDEN },
	{ "subscription_id", "subscription_id", FT_ID, FF_NULLABLE | FF_FILTER | FF_FK, 0, 0, 0, NULL,
	  "subscriptions" },
	{ "plan_id", "plan_id", FT_ID, FF_NULLABLE | FF_FILTER | FF_FK, 0, 0, 0, NULL, "plans" },
	{ "router_id", "router_id", FT_ID, FF_NULLABLE | FF_FILTER | FF_FK, 0, 0, 0, NULL, "routers" },
	{ "amount", "amount", FT_DECIMAL, FF_REQUIRED | FF_SORT, 0, 1, 1000000000000LL },
	{ "payment_method", "payment_method", FT_ENUM, FF_FILTER, 0, 0, 0, methods },
	{ "status", "status", FT_ENUM, FF_FILTER | FF_SORT | FF_NOUPDATE, 0, 0, 0, pay_statuses },
	{ "payment_date", "payment_date", FT_DATETIME, FF_NULLABLE | FF_SORT },
	{ "external_id", "external_id", FT_STR, FF_NULLABLE | FF_SEARCH, 100 },
	{ "transaction_id", "transaction_id", FT_STR, FF_NULLABLE | FF_SEARCH, 100 },
	{ "reference", "reference", FT_STR, FF_NULLABLE | FF_SEARCH, 100 },
	{ "notes", "notes", FT_TEXT, FF_NULLABLE, 5000 },
	{ "is_completed", "t.status = 'completed'", FT_BOOL, FF_READONLY },
	{ "is_failed", "t.status = 'failed'", FT_BOOL, FF_READONLY },
	{ "amount_float", "amount", FT_DECIMAL, FF_READONLY },
	{ "created_at", "created_at", FT_DATETIME, FF_READONLY | FF_SORT },
	{ "updated_at", "updated_at", FT_DATETIME, FF_READONLY },
};

const struct entity ent_payment = {
	"Payment", "payments", payment_fields, sizeof(payment_fields) / sizeof(payment_fields[0]),
	EF_TENANT | EF_UUID, "t.id DESC", NULL, 0, "payments",
};

static const struct field number_field = { "payment_number", "payment_number", FT_STR,
	FF_INTERNAL };

int
payments_apply(struct db *db, struct arena *a, long long invoice_id, const char *amount,
    int sign, struct ferrs *fe)
{
	struct db_param p[1] = { db_int(invoice_id) };
	struct db_result r;

	if (db_query(db, a, "SELECT status, total_amount - paid_amount, paid_amount FROM invoices "
	    "WHERE id = ? FOR UPDATE", p, 1, &r) < 0)
		return CORE_DB;
	if (r.nrows == 0)
		return CORE_NOT_FOUND;
	if (sign > 0) {
		struct db_param q[2] = { db_str(amount), db_str(db_val(&r, 0, 1)) };
		struct db_result c;

		if (!strcmp(db_val(&r, 0, 0), "cancelled") || !strcmp(db_val(&r, 0, 0), "paid")) {
			ferr_add(fe, "invoice_id", arena_printf(a, "The invoice is %s.", db_val(&r, 0, 0)));
			return CORE_CONFLICT;
		}
		if (db_query(db, a, "SELECT CAST(? AS DECIMAL(14,2)) > CAST(? AS DECIMAL(14,2))", q, 2,
		    &c) < 0)
			return CORE_DB;
		if (db_val_int(&c, 0, 0, 0)) {
			ferr_add(fe, "amount", arena_printf(a,
			    "The amount is more than the invoice's balance due of %s.", db_val(&r, 0, 1)));
			return CORE_INVALID;
		}
		{
			struct db_param u[2] = { db_str(amount), db_int(invoice_id) };

			if (db_query(db, a, "UPDATE invoices SET paid_amount = paid_amount + ?, "
			    "status = IF(paid_amount >= total_amount, 'paid', status), "
			    "paid_date = IF(paid_amount >= total_amount, UTC_TIMESTAMP(6), paid_date) "
			    "WHERE id = ?", u, 2, NULL) < 0)
				return CORE_DB;
		}
		return CORE_OK;
	}
	{
		struct db_param u[2] = { db_str(amount), db_int(invoice_id) };

		/* taken back: no longer paid; overdue when past due */
		if (db_query(db, a, "UPDATE invoices SET paid_amount = paid_amount - ?, "
		    "status = CASE WHEN status = 'paid' AND paid_amount < total_amount THEN "
		    "IF(due_date < UTC_DATE(), 'overdue', 'pending') ELSE status END, "
		    "paid_date = IF(paid_amount < total_amount, NULL, paid_date) WHERE id = ?",
		    u, 2, NULL) < 0)
			return CORE_DB;
	}
	return CORE_OK;
}

/* The invoice must be the customer's, open, and owe at least the amount. */
static int
check_invoice(struct db *db, struct arena *a, long long inv, long long customer,
    const char *amount, struct ferrs *fe)
{
	struct db_param p[3] = { db_str(amount), db_int(inv), db_int(customer) };
	struct db_result r;

	if (db_query(db, a, "SELECT status, total_amount - paid_amount, "
	    "CAST(? AS DECIMAL(14,2)) > total_amount - paid_amount "
	    "FROM invoices WHERE id = ? AND customer_id = ?", p, 3, &r) < 0)
		return CORE_DB;
	if (r.nrows == 0) {
		ferr_add(fe, "invoice_id", "The invoice belongs to another customer.");
		return CORE_INVALID;
	}
	if (!strcmp(db_val(&r, 0, 0), "cancelled") || !strcmp(db_val(&r, 0, 0), "paid")) {
		ferr_add(fe, "invoice_id", arena_printf(a, "The invoice is %s.", db_val(&r, 0, 0)));
		return CORE_INVALID;
	}
	if (db_val_int(&r, 0, 2, 0)) {
		ferr_add(fe, "amount", arena_printf(a,
		    "The amount is more than the invoice's balance due of %s.", db_val(&r, 0, 1)));
		return CORE_INVALID;
	}
	return CORE_OK;
}

struct create_ctx {
	struct arena *a;
	const struct actor *who;
	struct ent_set *s;
	long long *id;
	struct ferrs *fe;
	long long inv;
	const char *st;
	const char *num;
};

static int
create_tx(struct db *db, void *vctx)
{
	struct create_ctx *c = vctx;
	int rc;

	if ((c->num = number_next(db, c->a, c->who->tenant_id, "PAY")) == NULL)
		return -1;
	ent_set_add(c->s, &number_field, db_str(c->num));
	if (c->st && !strcmp(c->st, "completed") && !ent_set_has(c->s, "payment_date")) {
		struct db_result r;

		if (db_query(db, c->a, "SELECT UTC_TIMESTAMP(6)", NULL, 0, &r) < 0)
			return -1;
		ent_set_add(c->s, ent_field(&ent_payment, "payment_date"), db_str(db_val(&r, 0, 0)));
	}
	if ((rc = ent_create(db, c->a, &ent_payment, c->who->tenant_id, c->s, c->id, c->fe)) != CORE_OK)
		return rc == CORE_DB ? -1 : rc;
	if (c->st && !strcmp(c->st, "completed") && c->inv &&
	    (rc = payments_apply(db, c->a, c->inv, ent_set_str(c->s, "amount"), 1, c->fe)) != CORE_OK)
		return rc == CORE_DB ? -1 : rc;
	return 0;
}

int
payments_create_in_tx(struct db *db, struct arena *a, const struct actor *who, struct ent_set *s,
    long long *id, struct ferrs *fe)
{
	struct create_ctx c = { a, who, s, id, fe, ent_set_int(s, "invoice_id"),
	    ent_set_str(s, "status"), NULL };

	return create_tx(db, &c);
}

int
payments_create(struct db *db, struct arena *a, const struct actor *who, struct ent_set *s,
    long long *id, struct ferrs *fe)
{
	const char *st = ent_set_str(s, "status"), *num;
	long long inv = ent_set_int(s, "invoice_id");
	int rc;

	if (st && strcmp(st, "pending") && strcmp(st, "completed")) {
		ferr_add(fe, "status", "A new payment is \"pending\" or \"completed\".");
		return CORE_INVALID;
	}
	if ((rc = ent_check_fks(db, a, &ent_payment, who->tenant_id, s, fe)) != CORE_OK)
		return rc;
	if (inv && (rc = check_invoice(db, a, inv, ent_set_int(s, "customer_id"), ent_set_str(s, "amount"),
	    fe)) != CORE_OK)
		return rc;
	{
		struct create_ctx c = { a, who, s, id, fe, inv, st, NULL };

		/* one transaction, run again on deadlock or lock wait timeout */
		rc = db_tx(db, 3, create_tx, &c);
		if (rc < 0)
			return CORE_DB;
		if (rc != CORE_OK)
			return rc;
		num = c.num;
	}
	audit(db, a, who, "create", "payment", *id, num);
	return CORE_OK;
}

int
payments_update(struct db *db, struct arena *a, const struct actor *who, long long id,
    struct ent_set *s, struct ferrs *fe)
{
	struct ent_row row;
	int rc;

	if ((rc = ent_get_id(db, a, &ent_payment, who->tenant_id, id, &row)) != CORE_OK)
		return rc;
	if (strcmp(ent_val(&ent_payment, &row, "status"), "pending") &&
	    (ent_set_has(s, "amount") || ent_set_has(s, "invoice_id") || ent_set_has(s, "customer_id"))) {
		ferr_add(fe, "status", "Only a pending payment's amount, invoice or customer can change.");
		return CORE_CONFLICT;
	}
	if ((rc = ent_check_fks(db, a, &ent_payment, who->tenant_id, s, fe)) != CORE_OK)
		return rc;
	{
		/* the invoice and customer after the change must still belong together */
		long long inv = ent_set_has(s, "invoice_id") ? ent_set_int(s, "invoice_id") :
		    ent_val_int(&ent_payment, &row, "invoice_id");
		long long cust = ent_set_has(s, "customer_id") ? ent_set_int(s, "customer_id") :
		    ent_val_int(&ent_payment, &row, "customer_id");
		const char *amount = ent_set_has(s, "amount") ? ent_set_str(s, "amount") :
		    ent_val(&ent_payment, &row, "amount");

		if (inv && (rc = check_invoice(db, a, inv, cust, amount, fe)) != CORE_OK)
			return rc;
	}
	if ((rc = ent_update(db, a, &ent_payment, who->tenant_id, id, s, fe)) != CORE_OK)
		return rc;
	audit(db, a, who, "update", "payment", id, NULL);
	return CORE_OK;
}

int
payments_delete(struct db *db, struct arena *a, const struct actor *who, long long id,
    struct ferrs *fe)
{
	struct ent_row row;
	int rc;

	if ((rc = ent_get_id(db, a, &ent_payment, who->tenant_id, id, &row)) != CORE_OK)
		return rc;
	if (!strcmp(ent_val(&ent_payment, &row, "status"), "completed") ||
	    !strcmp(ent_val(&ent_payment, &row, "status"), "refunded")) {
		ferr_add(fe, "status", "Completed and refunded payments stay on the record.");
		return CORE_CONFLICT;
	}
	if ((rc = ent_delete(db, a, &ent_payment, who->tenant_id, id)) != CORE_OK)
		return rc;
	audit(db, a, who, "delete", "payment", id, NULL);
	return CORE_OK;
}

struct mark_ctx {
	struct arena *a;
	long long tenant, id;
	const char *to;
	struct ferrs *fe;
};

static int
mark_tx(struct db *db, void *vctx)
{
	struct mark_ctx *c = vctx;
	struct db_param p[2] = { db_int(c->id), db_int(c->tenant) };
	struct db_result r;
	const char *from, *need;
	int rc;

	if (db_query(db, c->a, "SELECT status, invoice_id, amount FROM payments WHERE id = ? "
	    "AND tenant_id = ? FOR UPDATE", p, 2, &r) < 0)
		return -1;
	if (r.nrows == 0)
		return CORE_NOT_FOUND;
	from = db_val(&r, 0, 0);
	need = !strcmp(c->to, "refunded") ? "completed" : "pending";
	if (strcmp(from, need) != 0) {
		ferr_add(c->fe, "status", arena_printf(c->a, "Only a %s payment can become %s; "
		    "this one is %s.", need, c->to, from));
		return CORE_CONFLICT;
	}
	{
		struct db_param q[2] = { db_str(c->to), db_int(c->id) };

		if (db_query(db, c->a, "UPDATE payments SET status = ?, payment_date = "
		    "COALESCE(payment_date, UTC_TIMESTAMP(6)) WHERE id = ?", q, 2, NULL) < 0)
			return -1;
	}
	if (db_val(&r, 0, 1) && strcmp(c->to, "failed") != 0) {
		rc = payments_apply(db, c->a, db_val_int(&r, 0, 1, 0), db_val(&r, 0, 2),
		    !strcmp(c->to, "completed") ? 1 : -1, c->fe);
		if (rc != CORE_OK)
			return rc == CORE_DB ? -1 : rc;
	}
	return 0;
}

int
payments_mark(struct db *db, struct arena *a, const struct actor *who, long long id,
    const char *to, struct ferrs *fe)
{
	struct mark_ctx c = { a, who->tenant_id, id, to, fe };
	int rc = db_tx(db, 3, mark_tx, &c);

	if (rc < 0)
		return CORE_DB;
	if (rc != CORE_OK)
		return rc;
	audit(db, a, who, arena_printf(a, "mark_%s", to), "payment", id, NULL);
	return CORE_OK;
}
