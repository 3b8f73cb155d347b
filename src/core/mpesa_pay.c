/* mpesa_pay.c - the money loop's inbound half: a Daraja callback, a C2B
 * payment or an STK query completes a pending transaction exactly once.
 * Completion is one database transaction: the transaction row, the
 * customer (a guest gets a record), the payment, the invoice or the
 * subscription it pays for, and the router job.  The row is locked first
 * (FOR UPDATE) and the receipt is unique, so a repeat of any of them finds
 * the work done and changes nothing. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/actor.h"
#include "core/billing.h"
#include "core/core.h"
#include "core/entity.h"
#include "core/mpesa.h"
#include "core/numbering.h"
#include "core/phone.h"
#include "core/provision.h"
#include "core/sms.h"
#include "db/db.h"
#include "util/arena.h"
#include "util/conf.h"
#include "util/log.h"
#include "util/uuid.h"

#define TX_COLS "id, status, amount, kind, plan_id, invoice_id, customer_id, router_id, " \
	"phone, mac_address, checkout_request_id, owner_id, mpesa_receipt_number, account_reference"

struct txrow {
	long long id, plan, invoice, customer, router, owner;
	const char *status, *amount, *kind, *phone, *mac, *checkout, *receipt, *ref;
};

static void
row_of(const struct db_result *r, struct txrow *t)
{
	t->id = db_val_int(r, 0, 0, 0);
	t->status = db_val(r, 0, 1);
	t->amount = db_val(r, 0, 2);
	t->kind = db_val(r, 0, 3);
	t->plan = db_val_int(r, 0, 4, 0);
	t->invoice = db_val_int(r, 0, 5, 0);
	t->customer = db_val_int(r, 0, 6, 0);
	t->router = db_val_int(r, 0, 7, 0);
	t->phone = db_val(r, 0, 8);
	t->mac = db_val(r, 0, 9);
	t->checkout = db_val(r, 0, 10);
	t->owner = db_val_int(r, 0, 11, 0);
	t->receipt = db_val(r, 0, 12);
	t->ref = db_val(r, 0, 13);
}

/* the payer: the transaction's customer, the tenant's customer with that
 * phone, or a new guest record (000's "Guest 5364") */
static int
payer(struct db *db, struct arena *a, const struct actor *who, const struct txrow *t,
    long long *cust)
{
	struct db_param p[2] = { db_int(who->tenant_id), db_str(t->phone) };
	struct db_result r;
	struct ent_set s = { .n = 0 };
	struct ferrs fe = { .n = 0 };
	const char *acct;
	size_t n = strlen(t->phone);

	if (t->customer > 0) {
		*cust = t->customer;
		return 0;
	}
	if (db_query(db, a, "SELECT id FROM customers WHERE tenant_id = ? AND phone = ? AND "
	    "deleted_at IS NULL ORDER BY id LIMIT 1", p, 2, &r) < 0)
		return -1;
	if (r.nrows) {
		*cust = db_val_int(&r, 0, 0, 0);
		return 0;
	}
	if ((acct = number_next(db, a, who->tenant_id, "CUS")) == NULL)
		return -1;
	ent_set_add(&s, ent_field(&ent_customer, "account_number"), db_str(acct));
	ent_set_add(&s, ent_field(&ent_customer, "name"),
	    db_str(arena_printf(a, "Guest %s", t->phone + (n > 4 ? n - 4 : 0))));
	ent_set_add(&s, ent_field(&ent_customer, "phone"), db_str(t->phone));
	if (t->mac)
		ent_set_add(&s, ent_field(&ent_customer, "mac_address"), db_str(t->mac));
	ent_set_add(&s, ent_field(&ent_customer, "account_type"), db_str("hotspot"));
	if (t->owner)
		ent_set_add(&s, ent_field(&ent_customer, "owner_id"), db_int(t->owner));
	switch (ent_create(db, a, &ent_customer, who->tenant_id, &s, cust, &fe)) {
	case CORE_OK:
		return 0;
	case CORE_DB:
		return -1;
	default:
		log_error("mpesa: guest customer for %s refused: %s", t->phone,
		    fe.n ? fe.e[0].msg : "?");
		return CORE_CONFLICT;
	}
}

/* the subscription the plan purchase extends (the customer's latest one of
 * that plan and router that is not cancelled) or a new one */
static int
plan_subscription(struct db *db, struct arena *a, const struct actor *who,
    const struct txrow *t, long long cust, long long *sub)
{
	struct db_param p[4] = { db_int(who->tenant_id), db_int(cust), db_int(t->plan),
	    db_int(t->router) };
	struct db_result r;
	struct ent_set s = { .n = 0 };
	struct ferrs fe = { .n = 0 };
	char pw[17];
	const char *user;

	if (db_query(db, a, "SELECT id FROM subscriptions WHERE tenant_id = ? AND customer_id = ? "
	    "AND plan_id = ? AND router_id <=> NULLIF(?, 0) AND status <> 'cancelled' "
	    "ORDER BY id DESC LIMIT 1 FOR UPDATE", p, 4, &r) < 0)
		return -1;
	if (r.nrows) {
		*sub = db_val_int(&r, 0, 0, 0);
		return 0;
	}
	{
		struct db_param q[1] = { db_int(t->plan) };

		if (db_query(db, a, "SELECT price, connection_type FROM plans WHERE id = ?", q, 1,
		    &r) < 0)
			return -1;
		if (r.nrows == 0)
			return CORE_CONFLICT;   /* the plan is gone: refused, logged by the caller */
	}
	/* a hotspot user is known by its device (000: AABBCCDDEEFF), else the phone */
	if (t->mac) {
		char *u = arena_strdup(a, t->mac), *o = u;

		for (const char *c = t->mac; *c; c++)
			if (*c != ':')
				*o++ = *c;
		*o = '\0';
		user = u;
	} else
		user = t->phone;
	{
		struct db_param q[2] = { db_int(who->tenant_id), db_str(user) };
		struct db_result u;

		/* the name is the tenant's to give once: another customer's device.
		 * Locking the (unique) name, even when absent, makes two payments
		 * for one device at the same moment deadlock on it instead of one
		 * failing on the duplicate: db_tx retries the loser, which then
		 * sees the name taken. */
		if (db_query(db, a, "SELECT 1 FROM subscriptions WHERE tenant_id = ? AND username = ? "
		    "FOR UPDATE", q, 2, &u) < 0)
			return -1;
		if (u.nrows)
			user = arena_printf(a, "%s-%lld", user, t->id);
	}
	random_hex(pw, 8);
	ent_set_add(&s, ent_field(&ent_subscription, "customer_id"), db_int(cust));
	ent_set_add(&s, ent_field(&ent_subscription, "plan_id"), db_int(t->plan));
	if (t->router)
		ent_set_add(&s, ent_field(&ent_subscription, "router_id"), db_int(t->router));
	ent_set_add(&s, ent_field(&ent_subscription, "username"), db_str(user));
	if (t->mac)
		ent_set_add(&s, ent_field(&ent_subscription, "mac_address"), db_str(t->mac));
	ent_set_add(&s, ent_field(&ent_subscription, "monthly_fee"), db_str(db_val(&r, 0, 0)));
	ent_set_add(&s, ent_field(&ent_subscription, "access_method"), db_str(db_val(&r, 0, 1)));
	switch (ent_create(db, a, &ent_subscription, who->tenant_id, &s, sub, &fe)) {
	case CORE_OK:
		return 0;
	case CORE_DB:
		return -1;
	default:
		log_error("mpesa: subscription for transaction %lld refused: %s", t->id,
		    fe.n ? fe.e[0].msg : "?");
		return CORE_CONFLICT;
	}
}

/* Complete the locked pending transaction t: paid by receipt (may be NULL
 * when an STK query said so) at when (Daraja's Nairobi YYYYMMDDHHmmss, or
 * NULL: now).  In the caller's transaction; 0, -1 or a CORE_* code. */
static int
complete(struct db *db, struct arena *a, long long tenant, const struct txrow *t,
    const char *receipt, const char *when, struct mpesa_inbound *out)
{
	struct actor who = { .tenant_id = tenant, .name = "mpesa", .user_type = "system" };
	struct ent_set s = { .n = 0 };
	struct ferrs fe = { .n = 0 };
	struct db_result r;
	long long cust = 0, sub = 0, pay = 0;
	const char *paid_at;
	int rc;

	if ((rc = payer(db, a, &who, t, &cust)) != 0)
		return rc;
	if (!strcmp(t->kind, "plan")) {
		const char *job;

		if ((rc = plan_subscription(db, a, &who, t, cust, &sub)) != 0 ||
		    (rc = subs_action_in_tx(db, a, &who, sub, "renew", &fe, &job)) != 0)
			return rc;
	}
	{
		struct db_param p[1] = { db_str(when ? when : "") };

		/* Daraja's clock is Nairobi's (UTC+3); ours is UTC */
		if (db_query(db, a, "SELECT COALESCE(STR_TO_DATE(NULLIF(?, ''), '%Y%m%d%H%i%s') - "
		    "INTERVAL 3 HOUR, UTC_TIMESTAMP(6))", p, 1, &r) < 0)
			return -1;
		paid_at = db_val(&r, 0, 0);
	}
	ent_set_add(&s, ent_field(&ent_payment, "customer_id"), db_int(cust));
	ent_set_add(&s, ent_field(&ent_payment, "amount"), db_str(t->amount));
	ent_set_add(&s, ent_field(&ent_payment, "payment_method"), db_str("mpesa"));
	ent_set_add(&s, ent_field(&ent_payment, "status"), db_str("completed"));
	ent_set_add(&s, ent_field(&ent_payment, "payment_date"), db_str(paid_at));
	if (receipt && *receipt)
		ent_set_add(&s, ent_field(&ent_payment, "transaction_id"), db_str(receipt));
	if (t->checkout)
		ent_set_add(&s, ent_field(&ent_payment, "reference"), db_str(t->checkout));
	if (t->invoice) {
		struct db_param p[2] = { db_str(t->amount), db_int(t->invoice) };

		/* paid meanwhile by other means: the money is still the customer's,
		 * recorded as a payment of theirs rather than refused */
		if (db_query(db, a, "SELECT total_amount - paid_amount >= ? AND status IN "
		    "('pending', 'overdue') FROM invoices WHERE id = ? FOR UPDATE", p, 2, &r) < 0)
			return -1;
		if (db_val_int(&r, 0, 0, 0))
			ent_set_add(&s, ent_field(&ent_payment, "invoice_id"), db_int(t->invoice));
		else
			log_warn("mpesa: transaction %lld: invoice %lld no longer owes %s; kept as the "
			    "customer's payment", t->id, t->invoice, t->amount);
	}
	if (t->plan)
		ent_set_add(&s, ent_field(&ent_payment, "plan_id"), db_int(t->plan));
	if (t->router)
		ent_set_add(&s, ent_field(&ent_payment, "router_id"), db_int(t->router));
	if (sub)
		ent_set_add(&s, ent_field(&ent_payment, "subscription_id"), db_int(sub));
	if ((rc = payments_create_in_tx(db, a, &who, &s, &pay, &fe)) != 0) {
		if (rc > 0)
			log_error("mpesa: payment for transaction %lld refused: %s", t->id,
			    fe.n ? fe.e[0].msg : "?");
		return rc;
	}
	{
		struct db_param p[7] = { receipt && *receipt ? db_str(receipt) : db_null(),
		    db_str(paid_at), db_int(cust), sub ? db_int(sub) : db_null(), db_int(pay),
		    db_int(t->id) };

		if (db_query(db, a, "UPDATE mpesa_transactions SET status = 'completed', "
		    "result_code = 0, result_desc = COALESCE(result_desc, 'Paid'), "
		    "mpesa_receipt_number = ?, transaction_date = ?, customer_id = ?, "
		    "subscription_id = ?, payment_id = ?, callbacks = callbacks + 1 WHERE id = ?",
		    p, 6, NULL) < 0)
			return -1;
	}
	out->transaction_id = t->id;
	out->subscription_id = sub;
	return 0;
}

/* ---- the record of every inbound call ---- */

static void
note(struct db *db, struct arena *a, const char *kind, const struct mpesa_inbound *in,
    const char *checkout, const char *receipt, const char *remote, const char *body, size_t len)
{
	size_t keep = in->tenant_id ? 65536 : 2048;
	struct db_param p[8] = {
		in->tenant_id ? db_int(in->tenant_id) : db_null(), db_str(kind),
		checkout && *checkout ? db_str(checkout) : db_null(),
		receipt && *receipt ? db_str(receipt) : db_null(), db_str(in->outcome),
		in->reason ? db_str(in->reason) : db_null(), remote ? db_str(remote) : db_null(),
		/* a caller who does not even know a tenant's secret gets 2 KiB kept */
		db_str(arena_strndup(a, body, len > keep ? keep : len)),
	};

	if (db_query(db, a, "INSERT INTO mpesa_events (tenant_id, kind, checkout_request_id, "
	    "receipt, outcome, reason, remote_addr, body) VALUES (?, ?, ?, ?, ?, LEFT(?, 255), ?, ?)",
	    p, 8, NULL) < 0)
		log_error("mpesa: event not recorded: %s", db->errmsg);
	if (!strcmp(in->outcome, "refused"))
		log_warn("mpesa %s refused (tenant %lld, %s): %s", kind, in->tenant_id,
		    checkout && *checkout ? checkout : receipt ? receipt : "-", in->reason);
}

static long long
tenant_of(struct db *db, struct arena *a, const char *secret)
{
	struct db_param p[2] = { db_str(secret ? secret : ""), db_str(secret ? secret : "") };
	struct db_result r;

	/* the current secret, or the one it replaced while that is still good */
	if (db_query(db, a, "SELECT tenant_id FROM mpesa_settings WHERE callback_secret = ? "
	    "UNION ALL SELECT tenant_id FROM mpesa_settings WHERE previous_callback_secret = ? "
	    "AND previous_secret_until > UTC_TIMESTAMP(6) LIMIT 1", p, 2, &r) < 0)
		return -1;
	return r.nrows ? db_val_int(&r, 0, 0, 0) : 0;
}

static void
answer(struct arena *a, struct mpesa_inbound *out, int status, const char *outcome,
    const char *reason)
{
	out->http_status = status;
	out->outcome = outcome;
	out->reason = reason;
	out->body = status == 200 ? mpesa_callback_ack_json() : arena_printf(a,
	    "{\"ResultCode\":1,\"ResultDesc\":\"Rejected\"}");
}

/* Who is calling back: the tenant whose callback secret is in the URL, when
 * the call comes from an address mpesa_callback_addresses allows (all when
 * unset).  The tenant (out->tenant_id set), 0 when refused (answered and
 * recorded), -1 on a database error. */
static long long
caller(struct db *db, struct arena *a, const struct config *cfg, const char *kind,
    const char *secret, const char *remote, const char *body, size_t len,
    struct mpesa_inbound *out)
{
	const char *allowed = cfg ? cfg->mpesa_callback_addresses : NULL;
	long long tenant;

	memset(out, 0, sizeof(*out));
	if (allowed && strspn(allowed, " ,\t") != strlen(allowed) &&
	    !config_addr_listed(allowed, remote)) {
		answer(a, out, 403, "refused", arena_printf(a, "address %s is not in "
		    "mpesa_callback_addresses", remote ? remote : "?"));
		note(db, a, kind, out, NULL, NULL, remote, body, len);
		return 0;
	}
	if ((tenant = tenant_of(db, a, secret)) < 0)
		return -1;
	if (tenant == 0) {
		answer(a, out, 404, "refused", "unknown callback URL");
		note(db, a, kind, out, NULL, NULL, remote, body, len);
		return 0;
	}
	out->tenant_id = tenant;
	return tenant;
}

/* ---- the STK callback ---- */

static int
bump(struct db *db, struct arena *a, long long id)
{
	struct db_param q[1] = { db_int(id) };

	return db_query(db, a, "UPDATE mpesa_transactions SET callbacks = callbacks + 1 WHERE id = ?",
	    q, 1, NULL) < 0 ? -1 : 0;
}

/* The receipt of a payment an STK query completed (the query tells none),
 * on the transaction and its payment. */
static int
attach_receipt(struct db *db, struct arena *a, long long id, const char *receipt)
{
	struct db_param q[2] = { db_str(receipt), db_int(id) };

	if (db_query(db, a, "UPDATE mpesa_transactions SET mpesa_receipt_number = ? WHERE id = ?",
	    q, 2, NULL) < 0)
		return -1;
	return db_query(db, a, "UPDATE payments p JOIN mpesa_transactions t ON t.payment_id = p.id "
	    "SET p.transaction_id = t.mpesa_receipt_number WHERE t.id = ? AND "
	    "p.transaction_id IS NULL", q + 1, 1, NULL) < 0 ? -1 : 0;
}

/* Money that arrived for a push already paid: a new completed record of it
 * and a plain payment of the customer's (no second extension). */
static int
second_payment(struct db *db, struct arena *a, long long tenant, const struct txrow *t,
    const char *receipt, const char *when, struct mpesa_inbound *out)
{
	struct db_param p[5] = { db_int(tenant), db_str(t->phone), db_str(t->amount),
	    t->ref ? db_str(t->ref) : db_null(), t->customer ? db_int(t->customer) : db_null() };
	struct db_result r;
	struct txrow n;

	if (db_query(db, a, "INSERT INTO mpesa_transactions (uuid, tenant_id, kind, phone, amount, "
	    "account_reference, customer_id, description, result_desc) VALUES (UUID(), ?, 'c2b', ?, "
	    "?, ?, ?, 'Paid twice', 'A second payment for a completed push')", p, 5, &r) < 0)
		return -1;
	log_warn("mpesa: receipt %s paid a push already completed (transaction %lld); recorded as "
	    "transaction %llu, a payment of the customer's", receipt, t->id, r.insert_id);
	memset(&n, 0, sizeof(n));
	n.id = (long long)r.insert_id;
	n.status = "pending";
	n.amount = t->amount;
	n.kind = "c2b";
	n.customer = t->customer;
	n.phone = t->phone;
	n.owner = t->owner;
	return complete(db, a, tenant, &n, receipt, when, out);
}

/* 1 (and the answer "duplicate") when the receipt is on the books already,
 * 0 when not, -1 on a database error. */
static int
receipt_recorded(struct db *db, struct arena *a, const char *receipt, struct mpesa_inbound *out)
{
	struct db_param p[1] = { db_str(receipt) };
	struct db_result r;

	if (db_query(db, a, "SELECT id FROM mpesa_transactions WHERE mpesa_receipt_number = ?",
	    p, 1, &r) < 0)
		return -1;
	if (r.nrows == 0)
		return 0;
	answer(a, out, 200, "duplicate", "receipt already recorded");
	return 1;
}

struct cb_ctx {
	struct arena *a;
	long long tenant;
	const struct mpesa_stk_callback *cb;
	struct mpesa_inbound *out;
};

/* Money for a CheckoutRequestID no push of ours holds, which Daraja's STK
 * query has confirmed.  A push that got no answer (mpesa_push marks it
 * "Uncertain:") keeps no id, yet may have reached the phone: the oldest
 * such push of this phone and amount in the last day takes the money and is
 * granted (else one still waiting for its answer, which then leaves the id
 * alone); one Daraja refused never reached a phone and is not considered.
 * Failing that, the money is recorded (kind 'stk', no customer) for the
 * operator, never dropped. */
static int
orphan_tx(struct db *db, void *vctx)
{
	struct cb_ctx *c = vctx;
	const struct mpesa_stk_callback *cb = c->cb;
	char amount[32], phone[20];
	struct db_result r;
	struct txrow t;

	snprintf(amount, sizeof(amount), "%lld.%02lld", cb->amount_cents / 100,
	    cb->amount_cents % 100);
	if (phone_normalise(cb->phone, phone, sizeof(phone)) < 0)
		snprintf(phone, sizeof(phone), "%.19s", cb->phone);
	switch (receipt_recorded(db, c->a, cb->receipt, c->out)) {
	case -1: return -1;
	case 1:  return 0;
	}
	{
		struct db_param p[3] = { db_int(c->tenant), db_str(phone), db_str(amount) };

		if (db_query(db, c->a, "SELECT " TX_COLS " FROM mpesa_transactions WHERE tenant_id = ? "
		    "AND checkout_request_id IS NULL AND (status = 'pending' OR (status = 'failed' "
		    "AND result_desc LIKE 'Uncertain:%') ) AND kind IN "
		    "('plan', 'invoice') AND phone = ? AND amount = ? AND created_at > "
		    "UTC_TIMESTAMP(6) - INTERVAL 1 DAY ORDER BY status = 'failed' DESC, id LIMIT 1 "
		    "FOR UPDATE", p, 3, &r) < 0)
			return -1;
	}
	if (r.nrows) {
		struct db_param q[3];

		row_of(&r, &t);
		q[0] = db_str(cb->checkout_request_id);
		q[1] = db_str(cb->merchant_request_id);
		q[2] = db_int(t.id);
		if (db_query(db, c->a, "UPDATE mpesa_transactions SET checkout_request_id = ?, "
		    "merchant_request_id = ?, result_desc = 'Paid after the push timed out' "
		    "WHERE id = ?", q, 3, NULL) < 0)
			return -1;
		t.checkout = cb->checkout_request_id;
		log_warn("mpesa: callback %s paid transaction %lld, whose push had timed out",
		    cb->checkout_request_id, t.id);
		answer(c->a, c->out, 200, "applied", "paid (a push that had timed out)");
		return complete(db, c->a, c->tenant, &t, cb->receipt, cb->transaction_date, c->out);
	}
	{
		struct db_param q[6] = { db_int(c->tenant), db_str(phone), db_str(amount),
		    db_str(cb->receipt), db_str(cb->checkout_request_id),
		    db_str(cb->merchant_request_id) };

		if (db_query(db, c->a, "INSERT INTO mpesa_transactions (uuid, tenant_id, kind, phone, "
		    "amount, mpesa_receipt_number, checkout_request_id, merchant_request_id, status, "
		    "result_code, description, result_desc, transaction_date) VALUES (UUID(), ?, "
		    "'stk', LEFT(?, 20), ?, ?, ?, ?, 'completed', 0, 'STK', 'Paid: no push of ours "
		    "matched', UTC_TIMESTAMP(6))", q, 6, &r) < 0)
			return -1;
	}
	c->out->transaction_id = 0;
	log_warn("mpesa: callback %s: %s from %s matched no push; recorded as transaction %llu",
	    cb->checkout_request_id, amount, phone, (unsigned long long)r.insert_id);
	answer(c->a, c->out, 200, "applied", "unmatched push: recorded only");
	return 0;
}

static int
callback_tx(struct db *db, void *vctx)
{
	struct cb_ctx *c = vctx;
	struct db_param p[2] = { db_int(c->tenant), db_str(c->cb->checkout_request_id) };
	struct db_result r;
	struct txrow t;
	long long cents;

	c->out->transaction_id = 0;
	c->out->subscription_id = 0;
	if (db_query(db, c->a, "SELECT " TX_COLS " FROM mpesa_transactions WHERE tenant_id = ? "
	    "AND checkout_request_id = ? FOR UPDATE", p, 2, &r) < 0)
		return -1;
	if (r.nrows == 0) {
		answer(c->a, c->out, 400, "refused", "unknown CheckoutRequestID");
		return 0;
	}
	row_of(&r, &t);
	c->out->transaction_id = t.id;
	if (!strcmp(t.kind, "stk") && strcmp(t.status, "completed")) {
		/* money no push of ours held (orphan_pending): the sweep's STK
		 * query settles it, never a callback, which grants nothing */
		c->out->transaction_id = 0;
		answer(c->a, c->out, 200, "duplicate", arena_printf(c->a, "unmatched money, %s: "
		    "settled by the sweep's STK query", t.status));
		return bump(db, c->a, t.id);
	}
	if (c->cb->result_code != 0) {
		struct db_param q[4] = { db_str(c->cb->result_code == 1032 ? "cancelled" : "failed"),
		    db_int(c->cb->result_code), db_str(c->cb->result_desc), db_int(t.id) };

		c->out->transaction_id = 0;     /* nothing granted */
		if (strcmp(t.status, "pending") != 0) {
			answer(c->a, c->out, 200, "duplicate", arena_printf(c->a, "already %s",
			    t.status));
			return bump(db, c->a, t.id);
		}
		answer(c->a, c->out, 200, "applied", arena_printf(c->a, "result %ld: %s",
		    c->cb->result_code, c->cb->result_desc));
		return db_query(db, c->a, "UPDATE mpesa_transactions SET status = ?, result_code = ?, "
		    "result_desc = LEFT(?, 255), callbacks = callbacks + 1 WHERE id = ?", q, 4, NULL) < 0 ?
		    -1 : 0;
	}
	if (mpesa_amount_cents(t.amount, &cents) != MPESA_OK || cents != c->cb->amount_cents) {
		answer(c->a, c->out, 400, "refused", arena_printf(c->a, "amount mismatch: paid %lld.%02lld, "
		    "expected %s", c->cb->amount_cents / 100, c->cb->amount_cents % 100, t.amount));
		c->out->transaction_id = 0;
		return 0;
	}
	{
		struct db_param q[1] = { db_str(c->cb->receipt) };

		if (db_query(db, c->a, "SELECT id FROM mpesa_transactions WHERE mpesa_receipt_number = ?",
		    q, 1, &r) < 0)
			return -1;
		if (r.nrows) {
			answer(c->a, c->out, 200, "duplicate", "receipt already recorded");
			c->out->transaction_id = 0;
			return bump(db, c->a, t.id);
		}
	}
	if (!strcmp(t.status, "completed")) {
		c->out->transaction_id = 0;
		if (t.receipt == NULL) {
			/* completed by an STK query, which tells no receipt: this is it */
			answer(c->a, c->out, 200, "duplicate", "receipt recorded for a queried payment");
			return bump(db, c->a, t.id) < 0 ? -1 :
			    attach_receipt(db, c->a, t.id, c->cb->receipt);
		}
		/* paid twice under one push (a C2B took this one first): the
		 * second money is the customer's, on the books as a payment */
		answer(c->a, c->out, 200, "applied", "a second payment for a completed push");
		return second_payment(db, c->a, c->tenant, &t, c->cb->receipt,
		    c->cb->transaction_date, c->out);
	}
	/* pending, or given up on (expired, failed, cancelled): the money came,
	 * so the service is granted */
	{
		struct db_param q[2] = { db_str(c->cb->result_desc), db_int(t.id) };

		if (db_query(db, c->a, "UPDATE mpesa_transactions SET result_desc = LEFT(?, 255) "
		    "WHERE id = ?", q, 2, NULL) < 0)
			return -1;
	}
	answer(c->a, c->out, 200, "applied", "paid");
	return complete(db, c->a, c->tenant, &t, c->cb->receipt, c->cb->transaction_date, c->out);
}

static int
query_fn(const struct mpesa_config *mc, const char *tok, void *arg, struct mpesa_error *err)
{
	struct { const char *id; struct mpesa_stk_status *st; } *c = arg;

	return mpesa_stk_query(mc, tok, c->id, c->st, err);
}

/* Paid money with a CheckoutRequestID we do not hold, which Daraja's STK
 * query could not confirm now (not answering, busy): kept as a pending
 * transaction of kind 'stk' that the sweep asks about again (stk_settle),
 * never only in mpesa_events, since Daraja calls back once.  Its receipt
 * stays in the callback's event until the query confirms it. */
static int
orphan_pending(struct db *db, struct arena *a, struct cb_ctx *c, const struct mpesa_error *err)
{
	const struct mpesa_stk_callback *cb = c->cb;
	char amount[32], phone[20];
	struct db_result r;

	switch (receipt_recorded(db, a, cb->receipt, c->out)) {
	case -1: return -1;
	case 1:  return 0;
	}
	snprintf(amount, sizeof(amount), "%lld.%02lld", cb->amount_cents / 100,
	    cb->amount_cents % 100);
	if (phone_normalise(cb->phone, phone, sizeof(phone)) < 0)
		snprintf(phone, sizeof(phone), "%.19s", cb->phone);
	{
		struct db_param q[5] = { db_int(c->tenant), db_str(phone), db_str(amount),
		    db_str(cb->checkout_request_id), db_str(cb->merchant_request_id) };

		/* IGNORE: the same callback twice at once keeps one row */
		if (db_query(db, a, "INSERT IGNORE INTO mpesa_transactions (uuid, tenant_id, kind, "
		    "phone, amount, checkout_request_id, merchant_request_id, description, "
		    "result_desc) VALUES (UUID(), ?, 'stk', LEFT(?, 20), ?, ?, ?, 'STK', 'Paid per "
		    "its callback; not yet confirmed by STK query')", q, 5, &r) < 0)
			return -1;
	}
	c->out->transaction_id = 0;
	log_warn("mpesa: callback %s: %s from %s matched no push and Daraja's STK query did not "
	    "answer (%s: %s); kept pending for the sweep", cb->checkout_request_id, amount, phone,
	    mpesa_code_str(err->code), err->message);
	answer(a, c->out, 200, "pending", "unknown CheckoutRequestID, not yet confirmed by "
	    "Daraja's STK query: kept pending for the sweep");
	return 0;
}

/* Paid money with a CheckoutRequestID we do not hold: believed only when
 * Daraja's STK query says that id was paid (anyone holding the callback URL
 * could make one up), then placed by orphan_tx.  db_tx's answer: 0 done
 * (c->out says how), >0 the completion refused, -1 the database. */
static int
orphan(struct db *db, struct arena *a, const struct config *cfg, struct cb_ctx *c)
{
	struct mpesa_account acct;
	struct mpesa_stk_status st;
	struct mpesa_error err;
	struct { const char *id; struct mpesa_stk_status *st; } q =
	    { c->cb->checkout_request_id, &st };
	int rc;

	if ((rc = mpesa_account_load(db, a, cfg, c->tenant, &acct)) != CORE_OK)
		return rc == CORE_DB ? -1 : 0;
	memset(&st, 0, sizeof(st));
	rc = mpesa_daraja(db, a, &acct, query_fn, &q, &err);
	if (rc == CORE_DB)
		return -1;
	/* Daraja away or still processing it: asked again by the sweep.  Any
	 * answer of its own (no such id, wrong credentials) refuses. */
	if (rc != CORE_OK && (err.code == MPESA_ENET || err.code == MPESA_ETIMEOUT ||
	    err.code == MPESA_EHTTP || err.code == MPESA_EPENDING))
		return orphan_pending(db, a, c, &err);
	if (rc != CORE_OK || st.result_code != 0) {
		char msg[400];

		answer(a, c->out, 400, "refused", rc != CORE_OK ? arena_printf(a, "unknown "
		    "CheckoutRequestID, not confirmed by Daraja's STK query (%s)",
		    mpesa_error_format(&err, msg, sizeof(msg))) :
		    "unknown CheckoutRequestID, and Daraja's STK query says it was not paid");
		return 0;
	}
	return db_tx(db, 3, orphan_tx, c);
}

int
mpesa_callback(struct db *db, struct arena *a, const struct config *cfg, const char *secret,
    const char *body, size_t len, const char *remote, struct mpesa_inbound *out)
{
	struct mpesa_stk_callback cb;
	struct mpesa_error err;
	long long tenant = caller(db, a, cfg, "stk_callback", secret, remote, body, len, out);
	int rc;

	if (tenant <= 0)
		return tenant < 0 ? CORE_DB : CORE_OK;
	if (mpesa_stk_callback_parse(body, len, &cb, &err) != MPESA_OK) {
		char msg[400];

		answer(a, out, 400, "refused", arena_printf(a, "malformed: %s",
		    mpesa_error_format(&err, msg, sizeof(msg))));
		note(db, a, "stk_callback", out, NULL, NULL, remote, body, len);
		return CORE_OK;
	}
	if (cb.result_code == 0) {
		struct mpesa_account acct;

		if ((rc = mpesa_account_load(db, a, cfg, tenant, &acct)) != CORE_OK)
			return rc;
		if (acct.confirm_by_query) {
			/* Daraja signs nothing: ask it whether this really was paid */
			struct mpesa_stk_status st;
			struct { const char *id; struct mpesa_stk_status *st; } q =
			    { cb.checkout_request_id, &st };

			rc = mpesa_daraja(db, a, &acct, query_fn, &q, &err);
			if (rc == CORE_DB)
				return rc;
			if (rc != CORE_OK || st.result_code != 0) {
				answer(a, out, 400, "refused", rc != CORE_OK ?
				    "not confirmed by STK query (Daraja did not answer)" :
				    "STK query says it was not paid");
				note(db, a, "stk_callback", out, cb.checkout_request_id, cb.receipt,
				    remote, body, len);
				return CORE_OK;
			}
		}
	}
	{
		struct cb_ctx c = { a, tenant, &cb, out };

		/* the callback may overtake the push's own answer by a moment */
		for (int tries = 0; ; tries++) {
			if ((rc = db_tx(db, 3, callback_tx, &c)) < 0)
				return CORE_DB;
			if (strcmp(out->reason, "unknown CheckoutRequestID") || tries >= 5)
				break;
			usleep(200 * 1000);
		}
		if (rc == 0 && !strcmp(out->reason, "unknown CheckoutRequestID") &&
		    cb.result_code == 0 && *cb.receipt && cb.amount_cents > 0 &&
		    (rc = orphan(db, a, cfg, &c)) < 0)
			return CORE_DB;
		if (rc > 0) {
			answer(a, out, 500, "failed", "the completion was refused; see the log");
			out->transaction_id = 0;
		}
	}
	note(db, a, "stk_callback", out, cb.checkout_request_id, cb.receipt, remote, body, len);
	return CORE_OK;
}

/* ---- C2B ---- */

struct c2b_ctx {
	struct arena *a;
	long long tenant;
	const struct mpesa_c2b *m;
	struct mpesa_inbound *out;
};

static int
c2b_tx(struct db *db, void *vctx)
{
	struct c2b_ctx *c = vctx;
	struct db_result r;
	struct txrow t;
	char amount[32];

	c->out->transaction_id = 0;
	c->out->subscription_id = 0;
	snprintf(amount, sizeof(amount), "%lld.%02lld", c->m->amount_cents / 100,
	    c->m->amount_cents % 100);
	switch (receipt_recorded(db, c->a, c->m->trans_id, c->out)) {
	case -1: return -1;
	case 1:  return 0;
	}
	/* a pending STK push of this account reference and amount: the same
	 * payment arriving by the other road; or one whose answer never came
	 * (failed, no CheckoutRequestID) in the last day, which reached the
	 * phone after all: a paybill tells its payment by C2B too, maybe
	 * before the STK callback (orphan_tx), which is then the duplicate */
	{
		struct db_param p[3] = { db_int(c->tenant), db_str(c->m->bill_ref_number),
		    db_str(amount) };

		if (db_query(db, c->a, "SELECT " TX_COLS " FROM mpesa_transactions WHERE tenant_id = ? "
		    "AND account_reference = ? AND amount = ? AND (status = 'pending' OR "
		    "(status = 'failed' AND checkout_request_id IS NULL AND result_desc LIKE "
		    "'Uncertain:%' AND kind IN ('plan', "
		    "'invoice') AND created_at > UTC_TIMESTAMP(6) - INTERVAL 1 DAY)) "
		    "ORDER BY status = 'pending' DESC, id LIMIT 1 FOR UPDATE", p, 3, &r) < 0)
			return -1;
		if (r.nrows) {
			row_of(&r, &t);
			if (!strcmp(t.status, "failed")) {
				struct db_param q[1] = { db_int(t.id) };

				if (db_query(db, c->a, "UPDATE mpesa_transactions SET result_desc = 'Paid "
				    "by C2B after the push timed out' WHERE id = ?", q, 1, NULL) < 0)
					return -1;
				log_warn("mpesa: C2B %s paid transaction %lld, whose push had timed out",
				    c->m->trans_id, t.id);
			}
			answer(c->a, c->out, 200, "applied", "paid (the pending STK push)");
			return complete(db, c->a, c->tenant, &t, c->m->trans_id, c->m->trans_time, c->out);
		}
	}
	/* a push an STK query completed (which tells no receipt): this is its
	 * receipt, not a second payment */
	{
		struct db_param p[3] = { db_int(c->tenant), db_str(c->m->bill_ref_number),
		    db_str(amount) };

		if (db_query(db, c->a, "SELECT id FROM mpesa_transactions WHERE tenant_id = ? AND "
		    "account_reference = ? AND amount = ? AND status = 'completed' AND "
		    "mpesa_receipt_number IS NULL AND kind <> 'c2b' ORDER BY id LIMIT 1 FOR UPDATE",
		    p, 3, &r) < 0)
			return -1;
		if (r.nrows) {
			answer(c->a, c->out, 200, "duplicate", "receipt recorded for a queried payment");
			return attach_receipt(db, c->a, db_val_int(&r, 0, 0, 0), c->m->trans_id);
		}
	}
	/* an open invoice by its number (with or without INV-), else a
	 * customer by account number: a payment of theirs */
	{
		struct db_param p[5] = { db_int(c->tenant), db_str(c->m->bill_ref_number),
		    db_str(c->m->bill_ref_number), db_int(c->tenant), db_str(c->m->bill_ref_number) };
		long long inv, cust;

		if (db_query(db, c->a, "SELECT (SELECT i.id FROM invoices i WHERE i.tenant_id = ? AND "
		    "(i.invoice_number = ? OR i.invoice_number = CONCAT('INV-', ?)) AND i.status IN "
		    "('pending', 'overdue') LIMIT 1), (SELECT cu.id FROM customers cu WHERE "
		    "cu.tenant_id = ? AND cu.account_number = ? AND cu.deleted_at IS NULL)",
		    p, 5, &r) < 0)
			return -1;
		inv = db_val_int(&r, 0, 0, 0);
		cust = db_val_int(&r, 0, 1, 0);
		if (inv) {
			struct db_param q[1] = { db_int(inv) };

			/* the invoice's customer pays it (complete() checks the balance) */
			if (db_query(db, c->a, "SELECT customer_id FROM invoices WHERE id = ?", q, 1,
			    &r) < 0)
				return -1;
			cust = db_val_int(&r, 0, 0, 0);
		}
		{
			struct db_param q[7] = { db_int(c->tenant), db_str(c->m->msisdn), db_str(amount),
			    db_str(c->m->bill_ref_number), cust ? db_int(cust) : db_null(),
			    inv ? db_int(inv) : db_null(), db_str(c->m->trans_id) };

			if (db_query(db, c->a, "INSERT INTO mpesa_transactions (uuid, tenant_id, kind, "
			    "phone, amount, account_reference, customer_id, invoice_id, "
			    "mpesa_receipt_number, description, result_desc) VALUES (UUID(), ?, 'c2b', "
			    "LEFT(?, 20), ?, LEFT(?, 20), ?, ?, ?, 'C2B', 'Paid')", q, 7, &r) < 0)
				return -1;
		}
		if (!cust) {
			struct db_param q[1] = { db_int((long long)r.insert_id) };

			/* money with no account to put it on: kept for the operator */
			answer(c->a, c->out, 200, "applied", "unmatched account: recorded only");
			return db_query(db, c->a, "UPDATE mpesa_transactions SET status = 'completed' "
			    "WHERE id = ?", q, 1, NULL) < 0 ? -1 : 0;
		}
		memset(&t, 0, sizeof(t));
		t.id = (long long)r.insert_id;
		t.status = "pending";
		t.amount = arena_strdup(c->a, amount);
		t.kind = "c2b";
		t.customer = cust;
		t.invoice = inv;
		t.phone = c->m->msisdn;
		answer(c->a, c->out, 200, "applied", inv ? "paid an invoice" : "paid to an account");
		return complete(db, c->a, c->tenant, &t, c->m->trans_id, c->m->trans_time, c->out);
	}
}

int
mpesa_c2b(struct db *db, struct arena *a, const struct config *cfg, const char *secret,
    int confirmation, const char *body, size_t len, const char *remote,
    struct mpesa_inbound *out)
{
	struct mpesa_c2b m;
	struct mpesa_error err;
	const char *kind = confirmation ? "c2b_confirmation" : "c2b_validation";
	long long tenant = caller(db, a, cfg, kind, secret, remote, body, len, out);
	int rc;

	if (tenant <= 0)
		return tenant < 0 ? CORE_DB : CORE_OK;
	if (mpesa_c2b_parse(body, len, &m, &err) != MPESA_OK || m.amount_cents <= 0) {
		char msg[400];

		answer(a, out, 400, "refused", arena_printf(a, "malformed: %s",
		    mpesa_error_format(&err, msg, sizeof(msg))));
		if (!confirmation)
			out->body = mpesa_c2b_reject_json(MPESA_C2B_OTHER_ERROR);
		note(db, a, kind, out, NULL, NULL, remote, body, len);
		return CORE_OK;
	}
	if (!confirmation) {
		/* anything may be paid in; what cannot be placed is kept for the
		 * operator rather than bounced */
		answer(a, out, 200, "applied", "accepted");
		out->body = mpesa_c2b_accept_json();
		note(db, a, kind, out, NULL, m.trans_id, remote, body, len);
		return CORE_OK;
	}
	{
		struct c2b_ctx c = { a, tenant, &m, out };

		if ((rc = db_tx(db, 3, c2b_tx, &c)) < 0)
			return CORE_DB;
		if (rc > 0) {
			answer(a, out, 500, "failed", "the completion was refused; see the log");
			out->transaction_id = 0;
		}
	}
	note(db, a, kind, out, NULL, m.trans_id, remote, body, len);
	return CORE_OK;
}

static int
register_fn(const struct mpesa_config *mc, const char *tok, void *arg, struct mpesa_error *err)
{
	const char *const *urls = arg;

	return mpesa_c2b_register(mc, tok, urls[0], urls[1], MPESA_C2B_COMPLETED, err);
}

int
mpesa_c2b_register_urls(struct db *db, struct arena *a, const struct config *cfg,
    long long tenant, struct mpesa_error *err)
{
	struct mpesa_account acct;
	const char *urls[2];
	int rc;

	memset(err, 0, sizeof(*err));
	if ((rc = mpesa_account_load(db, a, cfg, tenant, &acct)) != CORE_OK)
		return rc;
	if (!mpesa_account_ready(&acct))
		return CORE_CONFLICT;
	urls[0] = arena_printf(a, "%s/api/c2b/confirmation/%s/", cfg->public_url,
	    acct.callback_secret);
	urls[1] = arena_printf(a, "%s/api/c2b/validation/%s/", cfg->public_url,
	    acct.callback_secret);
	return mpesa_daraja(db, a, &acct, register_fn, urls, err);
}

/* ---- the sweep: lost callbacks resolved by STK query ---- */

struct sweep_ctx {
	struct arena *a;
	long long tenant, id;
	const struct mpesa_stk_status *st;     /* NULL: expire */
	struct mpesa_inbound *out;
};

/* A pending 'stk' row (orphan_pending) the STK query now says was paid:
 * recorded with the receipt its callback told, as orphan_tx records money
 * no push matched; or failed when that receipt is on the books already
 * (a C2B of the same payment came meanwhile). */
static int
stk_settle(struct db *db, struct arena *a, long long tenant, const struct txrow *t,
    struct mpesa_inbound *out)
{
	struct db_param p[2] = { db_int(tenant), db_str(t->checkout) };
	struct db_result r;
	const char *receipt;

	out->transaction_id = 0;
	if (db_query(db, a, "SELECT receipt FROM mpesa_events WHERE tenant_id = ? AND "
	    "checkout_request_id = ? AND kind = 'stk_callback' AND receipt IS NOT NULL "
	    "ORDER BY id DESC LIMIT 1", p, 2, &r) < 0)
		return -1;
	receipt = r.nrows ? db_val(&r, 0, 0) : NULL;
	if (receipt) {
		struct db_param q[1] = { db_str(receipt) };

		if (db_query(db, a, "SELECT id FROM mpesa_transactions WHERE mpesa_receipt_number = ?",
		    q, 1, &r) < 0)
			return -1;
		if (r.nrows) {
			struct db_param f[1] = { db_int(t->id) };

			out->outcome = "duplicate";
			return db_query(db, a, "UPDATE mpesa_transactions SET status = 'failed', "
			    "result_desc = 'Its receipt is recorded by another transaction' WHERE id = ?",
			    f, 1, NULL) < 0 ? -1 : 0;
		}
	}
	{
		struct db_param q[2] = { receipt ? db_str(receipt) : db_null(), db_int(t->id) };

		log_warn("mpesa: transaction %lld (%s from %s, no push of ours) confirmed paid by STK "
		    "query; recorded", t->id, t->amount, t->phone);
		return db_query(db, a, "UPDATE mpesa_transactions SET status = 'completed', "
		    "result_code = 0, mpesa_receipt_number = ?, transaction_date = UTC_TIMESTAMP(6), "
		    "result_desc = 'Paid: no push of ours matched' WHERE id = ?", q, 2, NULL) < 0 ?
		    -1 : 0;
	}
}

static int
sweep_tx(struct db *db, void *vctx)
{
	struct sweep_ctx *c = vctx;
	struct db_param p[1] = { db_int(c->id) };
	struct db_result r;
	struct txrow t;

	c->out->transaction_id = 0;
	c->out->subscription_id = 0;
	if (db_query(db, c->a, "SELECT " TX_COLS " FROM mpesa_transactions WHERE id = ? FOR UPDATE",
	    p, 1, &r) < 0)
		return -1;
	if (r.nrows == 0)
		return 0;
	row_of(&r, &t);
	if (strcmp(t.status, "pending") != 0) {
		c->out->outcome = "duplicate";          /* a callback came meanwhile */
		return 0;
	}
	if (c->st == NULL) {
		c->out->outcome = "expired";
		return db_query(db, c->a, "UPDATE mpesa_transactions SET status = 'expired' "
		    "WHERE id = ?", p, 1, NULL) < 0 ? -1 : 0;
	}
	if (c->st->result_code != 0) {
		struct db_param q[4] = { db_str(c->st->result_code == 1032 ? "cancelled" : "failed"),
		    db_int(c->st->result_code), db_str(c->st->result_desc), db_int(t.id) };

		c->out->outcome = "failed";
		return db_query(db, c->a, "UPDATE mpesa_transactions SET status = ?, result_code = ?, "
		    "result_desc = LEFT(?, 255) WHERE id = ?", q, 4, NULL) < 0 ? -1 : 0;
	}
	c->out->outcome = "applied";
	if (!strcmp(t.kind, "stk"))
		return stk_settle(db, c->a, c->tenant, &t, c->out);
	return complete(db, c->a, c->tenant, &t, NULL, NULL, c->out);
}

int
mpesa_sweep(struct db *db, const struct config *cfg, struct mpesa_sweep_counts *out)
{
	struct arena a;
	struct db_result r;
	int rc = CORE_OK;

	memset(out, 0, sizeof(*out));
	arena_init(&a);
	/* pending longer than the tenant allows for a callback */
	if (db_query(db, &a, "SELECT t.id, t.tenant_id, t.checkout_request_id, "
	    "t.created_at < UTC_TIMESTAMP(6) - INTERVAL 1 DAY FROM mpesa_transactions t "
	    "JOIN mpesa_settings s ON s.tenant_id = t.tenant_id WHERE t.status = 'pending' AND "
	    "t.kind <> 'c2b' AND t.created_at < UTC_TIMESTAMP(6) - INTERVAL s.pending_minutes MINUTE "
	    "ORDER BY t.id LIMIT 200", NULL, 0, &r) < 0) {
		arena_free(&a);
		return CORE_DB;
	}
	for (unsigned i = 0; i < r.nrows && rc == CORE_OK; i++) {
		long long id = db_val_int(&r, i, 0, 0), tenant = db_val_int(&r, i, 1, 0);
		const char *checkout = db_val(&r, i, 2);
		int old = (int)db_val_int(&r, i, 3, 0);
		struct mpesa_stk_status st;
		struct mpesa_inbound in;
		struct mpesa_error err;
		struct mpesa_account acct;
		struct sweep_ctx c = { &a, tenant, id, NULL, &in };
		int q = MPESA_REMOTE;

		memset(&in, 0, sizeof(in));
		memset(&err, 0, sizeof(err));
		in.tenant_id = tenant;
		out->checked++;
		if (checkout && mpesa_account_load(db, &a, cfg, tenant, &acct) == CORE_OK &&
		    mpesa_account_ready(&acct)) {
			struct { const char *id; struct mpesa_stk_status *st; } qa = { checkout, &st };

			q = mpesa_daraja(db, &a, &acct, query_fn, &qa, &err);
			if (q == CORE_DB) {
				rc = CORE_DB;
				break;
			}
		}
		if (q == CORE_OK)
			c.st = &st;
		else if (!old && !(checkout && err.code == MPESA_EDARAJA &&
		    (strcasestr(err.message, "not exist") || strcasestr(err.message,
		    "CheckoutRequestID"))))
			continue;       /* being processed, Daraja away, a token refused: later */
		/* a day old, or the push unknown to Daraja: expired */
		{
			int t = db_tx(db, 3, sweep_tx, &c);

			if (t < 0) {
				rc = CORE_DB;
				break;
			}
			if (t > 0) {
				/* paid, but the grant was refused (logged): kept visible,
				 * not retried every minute */
				struct db_param f[1] = { db_int(id) };

				log_error("mpesa: transaction %lld was paid but could not be completed", id);
				in.outcome = "failed";
				if (db_query(db, &a, "UPDATE mpesa_transactions SET status = 'failed', "
				    "result_desc = 'Paid; completion refused, see the log' WHERE id = ? AND "
				    "status = 'pending'", f, 1, NULL) < 0) {
					rc = CORE_DB;
					break;
				}
			}
		}
		if (in.outcome == NULL)
			in.outcome = "pending";
		in.reason = in.outcome;
		if (!strcmp(in.outcome, "applied")) {
			out->completed++;
			mpesa_after(db, &a, cfg, &in);
		} else if (!strcmp(in.outcome, "failed"))
			out->failed++;
		else if (!strcmp(in.outcome, "expired")) {
			out->expired++;
			in.outcome = "failed";          /* as mpesa_events knows it */
		}
		note(db, &a, "stk_query", &in, checkout, NULL, NULL, "", 0);
	}
	arena_free(&a);
	return rc;
}

/* ---- after a completion ---- */

void
mpesa_after(struct db *db, struct arena *a, const struct config *cfg,
    const struct mpesa_inbound *in)
{
	if (in->subscription_id) {
		struct prov_jobs ran;

		/* best effort now; the sweep retries what the router did not confirm */
		prov_jobs_run(db, cfg, in->subscription_id, 0, cfg ? cfg->router_timeout_ms : 10000, 0,
		    &ran);
	}
	if (in->transaction_id)
		sms_receipt(db, a, cfg, in->tenant_id, in->transaction_id);
}
