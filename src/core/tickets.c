/* tickets.c - support tickets with replies and internal notes (002),
 * TKT-YYYYMM-NNNN per tenant; and leads (002). */
#include "config.h"
#include "core/billing.h"
#include "core/audit.h"
#include "core/numbering.h"
#include "db/db.h"
#include "util/arena.h"

#include <string.h>

static const char *const priorities[] = { "low", "medium", "high", "urgent", NULL };
static const char *const ticket_statuses[] = { "open", "in_progress", "resolved", "closed", NULL };
static const char *const lead_statuses[] = { "new", "contacted", "qualified", "converted", "lost",
	NULL };

static const struct field ticket_fields[] = {
	{ "id", "id", FT_ID, FF_READONLY | FF_SORT },
	{ "uuid", "uuid", FT_UUID, FF_READONLY },
	{ "ticket_number", "ticket_number", FT_STR, FF_READONLY | FF_SEARCH | FF_SORT },
	{ "customer_id", "customer_id", FT_ID, FF_NULLABLE | FF_FILTER | FF_FK, 0, 0, 0, NULL,
	  "customers" },
	{ "customer_name", "(SELECT c.name FROM customers c WHERE c.id = t.customer_id)", FT_STR,
	  FF_READONLY },
	{ "subject", "subject", FT_STR, FF_REQUIRED | FF_SEARCH | FF_SORT, 200 },
	{ "description", "description", FT_TEXT, FF_NULLABLE | FF_SEARCH, 10000 },
	{ "priority", "priority", FT_ENUM, FF_FILTER | FF_SORT, 0, 0, 0, priorities },
	{ "category", "category", FT_STR, FF_FILTER, 50 },
	{ "status", "status", FT_ENUM, FF_FILTER | FF_SORT, 0, 0, 0, ticket_statuses },
	{ "assigned_to", "assigned_to", FT_ID, FF_NULLABLE | FF_FILTER | FF_FK, 0, 0, 0, NULL, "users" },
	{ "created_by", "created_by", FT_ID, FF_READONLY },
	{ "resolved_at", "resolved_at", FT_DATETIME, FF_READONLY },
	{ "replies_count", "(SELECT COUNT(*) FROM ticket_replies r WHERE r.ticket_id = t.id)", FT_INT,
	  FF_READONLY },
	{ "created_at", "created_at", FT_DATETIME, FF_READONLY | FF_SORT },
	{ "updated_at", "updated_at", FT_DATETIME, FF_READONLY | FF_SORT },
};

const struct entity ent_ticket = {
	"Ticket", "tickets", ticket_fields, sizeof(ticket_fields) / sizeof(ticket_fields[0]),
	EF_TENANT | EF_UUID, "t.id DESC", NULL, 0,
};

static const struct field reply_fields[] = {
	{ "id", "id", FT_ID, FF_READONLY | FF_SORT },
	{ "ticket_id", "ticket_id", FT_ID, FF_READONLY | FF_FILTER },
	{ "user_id", "user_id", FT_ID, FF_READONLY },
	{ "user_name", "(SELECT u.username FROM users u WHERE u.id = t.user_id)", FT_STR, FF_READONLY },
	{ "message", "message", FT_TEXT, FF_REQUIRED, 10000 },
	{ "is_internal", "is_internal", FT_BOOL, FF_FILTER },
	{ "created_at", "created_at", FT_DATETIME, FF_READONLY | FF_SORT },
};

const struct entity ent_ticket_reply = {
	"Reply", "ticket_replies", reply_fields, sizeof(reply_fields) / sizeof(reply_fields[0]),
	EF_TENANT, "t.id ASC", NULL, 0,
};

static const struct field lead_fields[] = {
	{ "id", "id", FT_ID, FF_READONLY | FF_SORT },
	{ "uuid", "uuid", FT_UUID, FF_READONLY },
	{ "name", "name", FT_STR, FF_REQUIRED | FF_SEARCH | FF_SORT, 200 },
	{ "email", "email", FT_EMAIL, FF_NULLABLE | FF_SEARCH, 254 },
	{ "phone", "phone", FT_STR, FF_NULLABLE | FF_SEARCH, 32 },
	{ "company", "company", FT_STR, FF_NULLABLE | FF_SEARCH, 200 },
	{ "address", "address", FT_TEXT, FF_NULLABLE, 500 },
	{ "source", "source", FT_STR, FF_FILTER, 50 },
	{ "status", "status", FT_ENUM, FF_FILTER | FF_SORT, 0, 0, 0, lead_statuses },
	{ "notes", "notes", FT_TEXT, FF_NULLABLE, 5000 },
	{ "assigned_to", "assigned_to", FT_ID, FF_NULLABLE | FF_FILTER | FF_FK, 0, 0, 0, NULL, "users" },
	{ "created_at", "created_at", FT_DATETIME, FF_READONLY | FF_SORT },
	{ "updated_at", "updated_at", FT_DATETIME, FF_READONLY },
};

const struct entity ent_lead = {
	"Lead", "leads", lead_fields, sizeof(lead_fields) / sizeof(lead_fields[0]),
	EF_TENANT | EF_UUID, "t.id DESC", NULL, 0,
};

static const struct field number_field = { "ticket_number", "ticket_number", FT_STR, FF_INTERNAL };
static const struct field creator_field = { "created_by", "created_by", FT_ID, FF_INTERNAL };
static const struct field resolved_field = { "resolved_at", "resolved_at", FT_DATETIME,
	FF_INTERNAL };

int
tickets_create(struct db *db, struct arena *a, const struct actor *who, struct ent_set *s,
    long long *id, struct ferrs *fe)
{
	const char *num;
	int rc;

	if ((rc = ent_check_fks(db, a, &ent_ticket, who->tenant_id, s, fe)) != CORE_OK)
		return rc;
	if (who->user_id)
		ent_set_add(s, &creator_field, db_int(who->user_id));
	if (db_begin(db) < 0)
		return CORE_DB;
	if ((num = number_next(db, a, who->tenant_id, "TKT")) == NULL) {
		db_rollback(db);
		return CORE_DB;
	}
	ent_set_add(s, &number_field, db_str(num));
	if ((rc = ent_create(db, a, &ent_ticket, who->tenant_id, s, id, fe)) != CORE_OK) {
		db_rollback(db);
		return rc;
	}
	if (db_commit(db) < 0)
		return CORE_DB;
	audit(db, a, who, "create", "ticket", *id, num);
	return CORE_OK;
}

int
tickets_update(struct db *db, struct arena *a, const struct actor *who, long long id,
    struct ent_set *s, struct ferrs *fe)
{
	const char *st = ent_set_str(s, "status");
	struct db_result r;
	int rc;

	if (st && (!strcmp(st, "resolved") || !strcmp(st, "closed"))) {
		if (db_query(db, a, "SELECT UTC_TIMESTAMP(6)", NULL, 0, &r) < 0)
			return CORE_DB;
		ent_set_add(s, &resolved_field, db_str(db_val(&r, 0, 0)));
	} else if (st)
		ent_set_add(s, &resolved_field, db_null());
	if ((rc = ent_check_fks(db, a, &ent_ticket, who->tenant_id, s, fe)) != CORE_OK ||
	    (rc = ent_update(db, a, &ent_ticket, who->tenant_id, id, s, fe)) != CORE_OK)
		return rc;
	audit(db, a, who, "update", "ticket", id, st);
	return CORE_OK;
}

int
tickets_reply(struct db *db, struct arena *a, const struct actor *who, long long ticket_id,
    struct ent_set *s, long long *id, struct ferrs *fe)
{
	static const struct field ticket_field = { "ticket_id", "ticket_id", FT_ID, FF_INTERNAL };
	static const struct field user_field = { "user_id", "user_id", FT_ID, FF_INTERNAL };
	struct ent_row t;
	int rc;

	if ((rc = ent_get_id(db, a, &ent_ticket, who->tenant_id, ticket_id, &t)) != CORE_OK)
		return rc;
	ent_set_add(s, &ticket_field, db_int(ticket_id));
	if (who->user_id)
		ent_set_add(s, &user_field, db_int(who->user_id));
	if ((rc = ent_create(db, a, &ent_ticket_reply, who->tenant_id, s, id, fe)) != CORE_OK)
		return rc;
	{
		/* a staff answer moves an open ticket on */
		struct db_param p[1] = { db_int(ticket_id) };

		if (db_query(db, a, "UPDATE tickets SET status = IF(status = 'open', 'in_progress', "
		    "status), updated_at = UTC_TIMESTAMP(6) WHERE id = ?", p, 1, NULL) < 0)
			return CORE_DB;
	}
	audit(db, a, who, "reply", "ticket", ticket_id, NULL);
	return CORE_OK;
}
