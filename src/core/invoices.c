/* invoices.c - invoices (001, 002): INV-YYYYMM-NNNN per tenant without gaps,
 * totals computed from subtotal, tax and discount, paid and overdue. */
#include "config.h"
#include "core/billing.h"
#include "core/audit.h"
#include "core/numbering.h"
#include "db/db.h"
#include "util/arena.h"

#include <string.h>

static const char *const invoice_types[] = { "monthly", "setup", "adjustment", "other", NULL };
static const char *const invoice_statuses[] = { "draft", "pending", "paid", "overdue",
	"cancelled", NULL };

#define OPEN "t.status IN ('pending', 'overdue')"

static const struct field invoice_fields[] = {
	{ "id", "id", FT_ID, FF_READONLY | FF_SORT },
	{ "uuid", "uuid", FT_UUID, FF_READONLY },
	{ "invoice_number", "invoice_number", FT_STR, FF_READONLY | FF_SEARCH | FF_SORT },
	{ "customer_id", "customer_id", FT_ID, FF_REQUIRED | FF_FILTER | FF_NOUPDATE | FF_FK, 0, 0, 0,
	  NULL, "customers" },
	{ "customer", "customer_id", FT_ID, FF_READONLY | FF_FILTER | FF_HIDDEN },
	{ "customer_name", "(SELECT c.name FROM customers c WHERE c.id = t.customer_id)", FT_STR,
	  FF_READONLY | FF_SEARCH },
	{ "subscription_id", "subscription_id", FT_ID, FF_NULLABLE | FF_FILTER | FF_FK, 0, 0, 0, NULL,
	  "subscriptions" },
	{ "invoice_type", "invoice_type", FT_ENUM, FF_FILTER, 0, 0, 0, invoice_types },
	{ "billing_period_start", "billing_period_start", FT_DATE, FF_NULLABLE },
	{ "billing_period_end", "billing_period_end", FT_DATE, FF_NULLABLE },
	{ "subtotal", "subtotal", FT_DECIMAL, FF_REQUIRED | FF_SORT, 0, 0, 1000000000000LL },
	{ "tax_amount", "tax_amount", FT_DECIMAL, 0, 0, 0, 1000000000000LL },
	{ "discount_amount", "discount_amount", FT_DECIMAL, 0, 0, 0, 1000000000000LL },
	{ "total_amount", "total_amount", FT_DECIMAL, FF_READONLY | FF_SORT },
	{ "paid_amount", "paid_amount", FT_DECIMAL, FF_READONLY },
	{ "status", "status", FT_ENUM, FF_FILTER | FF_SORT, 0, 0, 0, invoice_statuses },
	{ "issue_date", "issue_date", FT_DATE, FF_SORT },
	{ "due_date", "due_date", FT_DATE, FF_SORT },
	{ "paid_date", "paid_date", FT_DATETIME, FF_READONLY },
	{ "notes", "notes", FT_TEXT, FF_NULLABLE, 5000 },
	{ "days_overdue", "CASE WHEN " OPEN " AND t.due_date < UTC_DATE() THEN "
	  "DATEDIFF(UTC_DATE(), t.due_date) ELSE 0 END", FT_INT, FF_READONLY },
	{ "balance_due", "t.total_amount - t.paid_amount", FT_DECIMAL, FF_READONLY },
	{ "is_overdue", "t.status = 'overdue' OR (" OPEN " AND t.due_date < UTC_DATE())", FT_BOOL,
	  FF_READONLY },
	{ "is_paid", "t.status = 'paid'", FT_BOOL, FF_READONLY },
	{ "subtotal_float", "subtotal", FT_DECIMAL, FF_READONLY },
	{ "tax_amount_float", "tax_amount", FT_DECIMAL, FF_READONLY },
	{ "discount_amount_float", "discount_amount", FT_DECIMAL, FF_READONLY },
	{ "total_amount_float", "total_amount", FT_DECIMAL, FF_READONLY },
	{ "paid_amount_float", "paid_amount", FT_DECIMAL, FF_READONLY },
	{ "balance_due_float", "t.total_amount - t.paid_amount", FT_DECIMAL, FF_READONLY },
	{ "created_at", "created_at", FT_DATETIME, FF_READONLY | FF_SORT },
	{ "updated_at", "updated_at", FT_DATETIME, FF_READONLY },
};

const struct entity ent_invoice = {
	"Invoice", "invoices", invoice_fields, sizeof(invoice_fields) / sizeof(invoice_fields[0]),
	EF_TENANT | EF_UUID, "t.id DESC", NULL, 0, "invoices",
};

static const struct field total_field = { "total_amount", "total_amount", FT_DECIMAL, FF_INTERNAL };
static const struct field number_field = { "invoice_number", "invoice_number", FT_STR, FF_INTERNAL };

/* total = subtotal + tax - discount, computed in MariaDB's exact decimals */
static int
compute_total(struct db *db, struct arena *a, const char *sub, const char *tax, const char *disc,
    const char *paid, const char **total, struct ferrs *fe)
{
	struct db_param p[4] = { db_str(sub), db_str(tax), db_str(disc), db_str(paid) };
	struct db_result r;

	if (db_query(db, a, "SELECT CAST(? AS DECIMAL(14,2)) + CAST(? AS DECIMAL(14,2)) - "
	    "CAST(? AS DECIMAL(14,2)), CAST(? AS DECIMAL(14,2))", p, 4, &r) < 0)
		return CORE_DB;
	*total = db_val(&r, 0, 0);
	if (*total && (*total)[0] == '-') {
		ferr_add(fe, "discount_amount", "The discount is larger than the subtotal and tax.");
		return CORE_INVALID;
	}
	{
		struct db_param q[2] = { db_str(*total), db_str(db_val(&r, 0, 1)) };

		if (db_query(db, a, "SELECT CAST(? AS DECIMAL(14,2)) < CAST(? AS DECIMAL(14,2))", q, 2,
		    &r) < 0)
			return CORE_DB;
		if (db_val_int(&r, 0, 0, 0)) {
			ferr_add(fe, "subtotal", "The total would be less than what was already paid.");
			return CORE_INVALID;
		}
	}
	return CORE_OK;
}

struct inv_ctx {
	struct arena *a;
	const struct actor *who;
	struct ent_set *s;
	long long *id;
	struct ferrs *fe;
	const char *num;
};

static int
create_tx(struct db *db, void *vctx)
{
	struct inv_ctx *c = vctx;
	struct db_result r;
	int rc;

	if (db_query(db, c->a, "SELECT UTC_DATE(), UTC_DATE() + INTERVAL 14 DAY", NULL, 0, &r) < 0)
		return -1;
	if (!ent_set_has(c->s, "issue_date"))
		ent_set_add(c->s, ent_field(&ent_invoice, "issue_date"), db_str(db_val(&r, 0, 0)));
	if (!ent_set_has(c->s, "due_date"))
		ent_set_add(c->s, ent_field(&ent_invoice, "due_date"), db_str(db_val(&r, 0, 1)));
	if ((c->num = number_next(db, c->a, c->who->tenant_id, "INV")) == NULL)
		return -1;
	ent_set_add(c->s, &number_field, db_str(c->num));
	rc = ent_create(db, c->a, &ent_invoice, c->who->tenant_id, c->s, c->id, c->fe);
	return rc == CORE_DB ? -1 : rc;
}

int
invoices_create(struct db *db, struct arena *a, const struct actor *who, struct ent_set *s,
    long long *id, struct ferrs *fe)
{
	const char *total, *num, *st = ent_set_str(s, "status");
	int rc;

	if (st && strcmp(st, "draft") && strcmp(st, "pending")) {
		ferr_add(fe, "status", "A new invoice is \"draft\" or \"pending\".");
		return CORE_INVALID;
	}
	if ((rc = ent_check_fks(db, a, &ent_invoice, who->tenant_id, s, fe)) != CORE_OK)
		return rc;
	if ((rc = compute_total(db, a, ent_set_str(s, "subtotal"),
	    ent_set_has(s, "tax_amount") ? ent_set_str(s, "tax_amount") : "0",
	    ent_set_has(s, "discount_amount") ? ent_set_str(s, "discount_amount") : "0", "0", &total,
	    fe)) != CORE_OK)
		return rc;
	ent_set_add(s, &total_field, db_str(total));
	{
		struct inv_ctx c = { a, who, s, id, fe, NULL };

		/* one transaction, run again on deadlock or lock wait timeout */
		rc = db_tx(db, 3, create_tx, &c);
		if (rc < 0)
			return CORE_DB;
		if (rc != CORE_OK)
			return rc;
		num = c.num;
	}
	audit(db, a, who, "create", "invoice", *id, num);
	return CORE_OK;
}

int
invoices_update(struct db *db, struct arena *a, const struct actor *who, long long id,
    struct ent_set *s, struct ferrs *fe)
{
	struct ent_row row;
	const char *st = ent_set_str(s, "status"), *total;
	int rc;

	if ((rc = ent_get_id(db, a, &ent_invoice, who->tenant_id, id, &row)) != CORE_OK)
		return rc;
	if (st && (!strcmp(st, "paid") || !strcmp(st, "overdue"))) {
		ferr_add(fe, "status", "Use mark-paid or mark-overdue, or record a payment.");
		return CORE_INVALID;
	}
	if (!strcmp(ent_val(&ent_invoice, &row, "status"), "paid") &&
	    (ent_set_has(s, "subtotal") || ent_set_has(s, "tax_amount") || ent_set_has(s, "discount_amount"))) {
		ferr_add(fe, "status", "A paid invoice's amounts cannot change.");
		return CORE_CONFLICT;
	}
	if ((rc = ent_check_fks(db, a, &ent_invoice, who->tenant_id, s, fe)) != CORE_OK)
		return rc;
	if (ent_set_has(s, "subtotal") || ent_set_has(s, "tax_amount") || ent_set_has(s, "discount_amount")) {
		if ((rc = compute_total(db, a,
		    ent_set_has(s, "subtotal") ? ent_set_str(s, "subtotal") : ent_val(&ent_invoice, &row, "subtotal"),
		    ent_set_has(s, "tax_amount") ? ent_set_str(s, "tax_amount") :
		    ent_val(&ent_invoice, &row, "tax_amount"),
		    ent_set_has(s, "discount_amount") ? ent_set_str(s, "discount_amount") :
		    ent_val(&ent_invoice, &row, "discount_amount"),
		    ent_val(&ent_invoice, &row, "paid_amount"), &total, fe)) != CORE_OK)
			return rc;
		ent_set_add(s, &total_field, db_str(total));
	}
	if ((rc = ent_update(db, a, &ent_invoice, who->tenant_id, id, s, fe)) != CORE_OK)
		return rc;
	audit(db, a, who, "update", "invoice", id, NULL);
	return CORE_OK;
}

int
invoices_delete(struct db *db, struct arena *a, const struct actor *who, long long id,
    struct ferrs *fe)
{
	struct db_param p[1] = { db_int(id) };
	struct db_result r;
	int rc;

	if (db_query(db, a, "SELECT COUNT(*) FROM payments WHERE invoice_id = ? AND status = 'completed'",
	    p, 1, &r) < 0)
		return CORE_DB;
	if (db_val_int(&r, 0, 0, 0) > 0) {
		ferr_add(fe, "detail", "An invoice with completed payments cannot be deleted; cancel it.");
		return CORE_CONFLICT;
	}
	rc = ent_delete(db, a, &ent_invoice, who->tenant_id, id);
	if (rc == CORE_DB && db->err == 1451) {
		ferr_add(fe, "detail", "Payments refer to this invoice; cancel it instead.");
		return CORE_CONFLICT;
	}
	if (rc != CORE_OK)
		return rc;
	audit(db, a, who, "delete", "invoice", id, NULL);
	return CORE_OK;
}

int
invoices_mark_overdue(struct db *db, struct arena *a, const struct actor *who, long long id,
    struct ferrs *fe)
{
	struct db_param p[2] = { db_int(id), db_int(who->tenant_id) };
	struct db_result r;

	if (db_query(db, a, "UPDATE invoices SET status = 'overdue' WHERE id = ? AND tenant_id = ? "
	    "AND status = 'pending'", p, 2, &r) < 0)
		return CORE_DB;
	if (r.affected == 0) {
		struct ent_row row;
		int rc = ent_get_id(db, a, &ent_invoice, who->tenant_id, id, &row);

		if (rc != CORE_OK)
			return rc;
		ferr_add(fe, "status", arena_printf(a, "Only a pending invoice can become overdue; "
		    "this one is %s.", ent_val(&ent_invoice, &row, "status")));
		return CORE_CONFLICT;
	}
	audit(db, a, who, "mark_overdue", "invoice", id, NULL);
	return CORE_OK;
}

int
invoices_mark_paid(struct db *db, struct arena *a, const struct actor *who, long long id,
    const char *method, long long *payment_id, struct ferrs *fe)
{
	struct ent_row row;
	struct ent_set s;
	int rc;

	*payment_id = 0;
	if (method && (method = ent_choice(ent_field(&ent_payment, "payment_method"), method)) == NULL) {
		ferr_add(fe, "payment_method", "Not a payment method ispbill knows.");
		return CORE_INVALID;
	}
	if ((rc = ent_get_id(db, a, &ent_invoice, who->tenant_id, id, &row)) != CORE_OK)
		return rc;
	if (strcmp(ent_val(&ent_invoice, &row, "status"), "pending") &&
	    strcmp(ent_val(&ent_invoice, &row, "status"), "overdue") &&
	    strcmp(ent_val(&ent_invoice, &row, "status"), "draft")) {
		ferr_add(fe, "status", arena_printf(a, "This invoice is %s.",
		    ent_val(&ent_invoice, &row, "status")));
		return CORE_CONFLICT;
	}
	/* the balance is recorded as a completed payment, so that every paid
	 * shilling has a payment behind it */
	memset(&s, 0, sizeof(s));
	ent_set_add(&s, ent_field(&ent_payment, "customer_id"),
	    db_int(ent_val_int(&ent_invoice, &row, "customer_id")));
	ent_set_add(&s, ent_field(&ent_payment, "invoice_id"), db_int(id));
	ent_set_add(&s, ent_field(&ent_payment, "amount"),
	    db_str(ent_val(&ent_invoice, &row, "balance_due")));
	ent_set_add(&s, ent_field(&ent_payment, "payment_method"), db_str(method ? method : "cash"));
	ent_set_add(&s, ent_field(&ent_payment, "status"), db_str("completed"));
	ent_set_add(&s, ent_field(&ent_payment, "notes"), db_str("mark-paid"));
	if (!strcmp(ent_val(&ent_invoice, &row, "balance_due"), "0.00")) {
		struct db_param p[1] = { db_int(id) };

		if (db_query(db, a, "UPDATE invoices SET status = 'paid', paid_date = UTC_TIMESTAMP(6) "
		    "WHERE id = ?", p, 1, NULL) < 0)
			return CORE_DB;
		audit(db, a, who, "mark_paid", "invoice", id, NULL);
		return CORE_OK;
	}
	if ((rc = payments_create(db, a, who, &s, payment_id, fe)) != CORE_OK)
		return rc;
	audit(db, a, who, "mark_paid", "invoice", id, NULL);
	return CORE_OK;
}
