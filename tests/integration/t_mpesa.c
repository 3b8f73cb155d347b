/* t_mpesa.c - M-Pesa and SMS through nginx, against the Daraja simulator,
 * the SMS double and the RouterOS simulator: each tenant's settings
 * (secrets sealed, shown as ***hidden***, every bad field named), a guest
 * buying an hour of hotspot exactly once, failures that grant nothing,
 * forged callbacks refused and logged, a lost callback and an offline
 * router resolved by the sweep, an invoice paid by STK and by C2B with a
 * receipt seen twice. */
#include "config.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "itest.h"

static void
expect_field(struct resp *r, const char *field)
{
	EXPECT(r, 400);
	ck_assert_msg(names_field(r, field), "expected an error naming %s: %.600s", field, r->body);
}

START_TEST(mpesa_settings_seal_secrets_and_name_bad_fields)
{
	struct resp *r;
	const char *url;
	char body[512];

	begin();
	sql("DELETE FROM mpesa_settings WHERE tenant_id = 1");         /* the defaults again */
	r = api("GET", NULL, "/api/mpesa/settings/");
	EXPECT(r, 200);
	ck_assert_int_eq(it_bool(r, "data/enabled"), 0);
	ck_assert_msg(it_is_null(r, "data/passkey"), "%s", r->body);
	url = it_str(r, "data/callback_url");
	ck_assert_msg(url && strstr(url, "/api/mpesa/callback/") && strlen(strstr(url,
	    "/api/mpesa/callback/")) == strlen("/api/mpesa/callback/") + 40 + 1, "%s", r->body);
	it_free(r);

	snprintf(body, sizeof(body), "{\"enabled\":true,\"shortcode\":\"174379\","
	    "\"transaction_type\":\"PayBill\",\"passkey\":\"pk-secret-1\",\"consumer_key\":\"ck\","
	    "\"consumer_secret\":\"cs\",\"pending_minutes\":5}");
	r = api("PUT", body, "/api/mpesa/settings/");
	EXPECT(r, 200);
	ck_assert_str_eq(it_str(r, "data/shortcode"), "174379");
	ck_assert_str_eq(it_str(r, "data/transaction_type"), "paybill");
	ck_assert_str_eq(it_str(r, "data/passkey"), "***hidden***");
	ck_assert_str_eq(it_str(r, "data/consumer_secret"), "***hidden***");
	ck_assert_int_eq(it_int(r, "data/pending_minutes"), 5);
	ck_assert_msg(strstr(r->body, "pk-secret-1") == NULL, "a secret came back: %s", r->body);
	it_free(r);
	/* sealed at rest */
	ck_assert_int_eq(sql("SELECT COUNT(*) FROM mpesa_settings WHERE tenant_id = 1 AND "
	    "passkey_enc IS NOT NULL AND passkey_enc NOT LIKE '%%pk-secret%%'"), 1);

	/* "***hidden***" sent back leaves the secret; "" clears it */
	r = api("PUT", "{\"passkey\":\"***hidden***\",\"consumer_key\":\"\"}", "/api/mpesa/settings/");
	EXPECT(r, 200);
	ck_assert_str_eq(it_str(r, "data/passkey"), "***hidden***");
	ck_assert_msg(it_is_null(r, "data/consumer_key"), "%s", r->body);
	it_free(r);

	/* every bad field named, nothing changed */
	r = api("PUT", "{\"shortcode\":\"12ab\",\"transaction_type\":\"cash\",\"pending_minutes\":0,"
	    "\"enabled\":\"yes\",\"till_number\":\"1\"}", "/api/mpesa/settings/");
	expect_field(r, "shortcode");
	ck_assert(names_field(r, "transaction_type"));
	ck_assert(names_field(r, "pending_minutes"));
	ck_assert(names_field(r, "enabled"));
	ck_assert(names_field(r, "till_number"));
	it_free(r);
	r = api("GET", NULL, "/api/mpesa/settings/");
	ck_assert_str_eq(it_str(r, "data/shortcode"), "174379");
	it_free(r);
	r = api("PUT", "[1]", "/api/mpesa/settings/");
	EXPECT(r, 400);
	it_free(r);
}
END_TEST

START_TEST(sms_settings_seal_the_key_and_name_bad_fields)
{
	struct resp *r;

	begin();
	r = api("PUT", "{\"provider\":\"advanta\",\"enabled\":true,\"api_key\":\"adv-key-1\","
	    "\"partner_id\":\"PARTNER123\",\"shortcode\":\"MYSHORTCODE\","
	    "\"custom_api_url\":\"https://api.advantasms.com/send\",\"reminder_hours\":12}",
	    "/api/sms/settings/");
	EXPECT(r, 200);
	ck_assert_str_eq(it_str(r, "data/api_key"), "***hidden***");
	ck_assert_str_eq(it_str(r, "data/partner_id"), "PARTNER123");
	ck_assert_int_eq(it_int(r, "data/reminder_hours"), 12);
	ck_assert_msg(strstr(r->body, "adv-key-1") == NULL, "%s", r->body);
	it_free(r);
	r = api("PUT", "{\"custom_api_url\":\"ftp://x\",\"provider\":\"twilio\",\"reminder_hours\":0}",
	    "/api/sms/settings/");
	expect_field(r, "custom_api_url");
	ck_assert(names_field(r, "provider"));
	ck_assert(names_field(r, "reminder_hours"));
	it_free(r);
}
END_TEST

/* ---- the money loop, against the Daraja simulator and the SMS double ---- */

START_TEST(guest_pays_for_an_hour_and_gets_it_once)
{
	char local[16], intl[16], checkout[80], user[32], mac[32];
	long long plan, router, tx;
	struct resp *r, *keep;
	yajl_val item;

	money_world();
	hotspot_offer(&plan, &router);
	/* the same success delivered five times */
	tx = guest_buys(plan, router, "{\"outcome\":\"duplicated\",\"times\":5}", local, intl,
	    mac, user, checkout);
	ck_assert_str_eq(settled(tx), "completed");
	usleep(1500 * 1000);            /* the other four arrive */

	/* one payment, one subscription extended once, one job */
	ck_assert_int_eq(sql("SELECT COUNT(*) FROM payments p JOIN mpesa_transactions t ON "
	    "t.payment_id = p.id WHERE t.id = %lld AND p.status = 'completed' AND p.amount = 50 "
	    "AND p.payment_method = 'mpesa'", tx), 1);
	ck_assert_int_eq(sql("SELECT COUNT(*) FROM payments WHERE reference = '%s'", checkout), 1);
	ck_assert_int_eq(sql("SELECT COUNT(*) FROM router_jobs j JOIN mpesa_transactions t ON "
	    "t.subscription_id = j.subscription_id WHERE t.id = %lld", tx), 1);
	ck_assert_int_ge(sql("SELECT callbacks FROM mpesa_transactions WHERE id = %lld", tx), 5);
	ck_assert_int_eq(sql("SELECT COUNT(*) FROM mpesa_events WHERE checkout_request_id = '%s' "
	    "AND outcome = 'duplicate'", checkout), 4);
	/* a guest with no account got a customer record: "Guest NNNN" with the phone */
	ck_assert_int_eq(sql("SELECT COUNT(*) FROM customers c JOIN mpesa_transactions t ON "
	    "t.customer_id = c.id WHERE t.id = %lld AND c.phone = '%s' AND c.name LIKE 'Guest %%'",
	    tx, intl), 1);
	/* the subscription runs one hour from now */
	ck_assert_int_eq(sql("SELECT COUNT(*) FROM subscriptions s JOIN mpesa_transactions t ON "
	    "t.subscription_id = s.id WHERE t.id = %lld AND s.status = 'active' AND "
	    "TIMESTAMPDIFF(MINUTE, UTC_TIMESTAMP(6), s.end_date) BETWEEN 58 AND 60", tx), 1);

	/* on the router: the hotspot user of the device, an hour of uptime */
	item = on_router(&keep, "v6", "/ip/hotspot/user", "name", user);
	ck_assert_msg(item != NULL, "no hotspot user %s on the router", user);
	/* what is left of the hour when the job ran, as RouterOS writes it */
	ck_assert_msg(jstr(item, "limit-uptime") && (!strcmp(jstr(item, "limit-uptime"), "1h") ||
	    !strncmp(jstr(item, "limit-uptime"), "59m", 3)), "limit-uptime %s",
	    jstr(item, "limit-uptime"));
	ck_assert_str_eq(jstr(item, "mac-address"), mac);
	it_free(keep);
	ck_assert_int_eq(sent("v6", "/ip/hotspot/user/add", NULL), 1);

	/* the SMS receipt, sent once, recorded with the provider's id */
	ck_assert_int_eq(sql("SELECT COUNT(*) FROM sms_messages WHERE mpesa_transaction_id = %lld "
	    "AND kind = 'receipt' AND status = 'sent' AND provider_message_id IS NOT NULL", tx), 1);
	r = ctl(SMSSIM, "GET", NULL, "/messages?to=%s", intl);
	ck_assert_int_eq(it_int(r, "count") >= 1, 1);
	ck_assert_int_eq((long long)jlen(it_json(r, "messages")), 1);
	ck_assert_msg(strstr(r->body, "KES 50") != NULL, "%s", r->body);
	it_free(r);
}
END_TEST

START_TEST(cancelled_or_failed_gives_nothing)
{
	static const char *const outcomes[] = { "cancelled", "wrong_pin", "insufficient",
	    "timeout" };
	char local[16], intl[16], checkout[80], mac[32], user[32];
	long long plan, router;

	money_world();
	hotspot_offer(&plan, &router);
	for (size_t i = 0; i < sizeof(outcomes) / sizeof(outcomes[0]); i++) {
		char body[128];
		long long tx;

		snprintf(body, sizeof(body), "{\"outcome\":\"%s\"}", outcomes[i]);
		tx = guest_buys(plan, router, body, local, intl, mac, user, checkout);
		ck_assert_str_eq(settled(tx), i == 0 ? "cancelled" : "failed");
		ck_assert_int_eq(sql("SELECT COUNT(*) FROM payments WHERE reference = '%s'", checkout), 0);
		ck_assert_int_eq(sql("SELECT subscription_id IS NULL FROM mpesa_transactions "
		    "WHERE id = %lld", tx), 1);
	}
	ck_assert_int_eq(sent("v6", "/ip/hotspot/user/add", NULL), 0);
}
END_TEST

static struct resp *
post_raw(const char *path, const char *body)
{
	return it_http(0, "POST", path, NULL, body, strlen(body), NULL);
}

START_TEST(forged_callbacks_are_refused_and_logged)
{
	char local[16], intl[16], checkout[80], body[2048], path[256], mac[32], user[32];
	long long plan, router, tx, events;
	const char *secret;
	struct resp *r;

	money_world();
	hotspot_offer(&plan, &router);
	tx = guest_buys(plan, router, "{\"outcome\":\"never\"}", local, intl, mac, user, checkout);
	r = api("GET", NULL, "/api/mpesa/settings/");
	secret = strstr(it_str(r, "data/callback_url"), "/callback/") + strlen("/callback/");
	snprintf(path, sizeof(path), "/api/mpesa/callback/%.40s/", secret);
	it_free(r);
	events = sql("SELECT COUNT(*) FROM mpesa_events WHERE outcome = 'refused'");

#define CB(id, amount) snprintf(body, sizeof(body), "{\"Body\":{\"stkCallback\":{" \
	"\"MerchantRequestID\":\"m-1\",\"CheckoutRequestID\":\"%s\",\"ResultCode\":0," \
	"\"ResultDesc\":\"The service request is processed successfully.\"," \
	"\"CallbackMetadata\":{\"Item\":[{\"Name\":\"Amount\",\"Value\":%s}," \
	"{\"Name\":\"MpesaReceiptNumber\",\"Value\":\"FORGED%d\"},{\"Name\":\"Balance\"}," \
	"{\"Name\":\"TransactionDate\",\"Value\":20261125102115}," \
	"{\"Name\":\"PhoneNumber\",\"Value\":%s}]}}}}", id, amount, __LINE__, intl)

	/* an id ispbill never made */
	CB("ws_CO_000000000000000000", "50.00");
	r = post_raw(path, body);
	EXPECT(r, 400);
	it_free(r);
	/* the right id, the wrong amount */
	CB(checkout, "1");
	r = post_raw(path, body);
	EXPECT(r, 400);
	it_free(r);
	/* the wrong secret */
	CB(checkout, "50");
	r = post_raw("/api/mpesa/callback/0000000000000000000000000000000000000000/", body);
	EXPECT(r, 404);
	it_free(r);
	/* not JSON at all */
	r = post_raw(path, "{\"Body\":");
	EXPECT(r, 400);
	it_free(r);
	/* a stranger (no secret) gets 2 KiB of what it sends kept, not more */
	{
		static char big[5000];

		memset(big, 'x', sizeof(big) - 1);
		r = post_raw("/api/mpesa/callback/1111111111111111111111111111111111111111/", big);
	}
	EXPECT(r, 404);
	it_free(r);
	ck_assert_int_eq(sql("SELECT LENGTH(body) FROM mpesa_events ORDER BY id DESC LIMIT 1"), 2048);
#undef CB
	ck_assert_str_eq(settled(tx), "pending");
	ck_assert_int_eq(sql("SELECT COUNT(*) FROM payments WHERE reference = '%s'", checkout), 0);
	ck_assert_int_eq(sql("SELECT COUNT(*) FROM mpesa_events WHERE outcome = 'refused'") - events,
	    5);
	ck_assert_int_eq(sql("SELECT COUNT(*) FROM mpesa_events WHERE outcome = 'refused' AND "
	    "reason LIKE 'amount mismatch%%' AND checkout_request_id = '%s'", checkout), 1);
}
END_TEST

START_TEST(lost_callback_is_resolved_by_the_sweep)
{
	char local[16], intl[16], checkout[80], out[4096], body[256], mac[32], user[32];
	long long plan, router, tx;

	money_world();
	hotspot_offer(&plan, &router);
	tx = guest_buys(plan, router, "{\"outcome\":\"never\"}", local, intl, mac, user, checkout);
	ck_assert_str_eq(settled(tx), "pending");
	/* Daraja knows it was paid; the callback never came */
	snprintf(body, sizeof(body), "{\"result\":\"success\",\"callback\":false}");
	{
		char path[160];

		snprintf(path, sizeof(path), "/stk/%s/decide", checkout);
		ctl_ok(DARAJA, "POST", body, path);
	}
	/* older than the tenant's pending_minutes */
	sql("UPDATE mpesa_transactions SET created_at = created_at - INTERVAL 5 MINUTE WHERE id = %lld",
	    tx);
	ck_assert_msg(cli("sweep", out, sizeof(out)) == 0, "%s", out);
	ck_assert_msg(strstr(out, "M-Pesa:") != NULL, "%s", out);
	ck_assert_str_eq(settled(tx), "completed");
	ck_assert_int_eq(sql("SELECT COUNT(*) FROM payments WHERE reference = '%s'", checkout), 1);
	ck_assert(present("v6", "/ip/hotspot/user", "name", user));
	/* a second sweep changes nothing */
	ck_assert_msg(cli("sweep", out, sizeof(out)) == 0, "%s", out);
	ck_assert_int_eq(sql("SELECT COUNT(*) FROM payments WHERE reference = '%s'", checkout), 1);
}
END_TEST

START_TEST(offline_router_gets_the_service_after_the_sweep)
{
	char local[16], intl[16], checkout[80], out[4096], mac[32], user[32];
	long long plan, router, tx;

	money_world();
	hotspot_offer(&plan, &router);
	sim_ok("POST", "{\"offline\":true}", "/routers/v6/fault");
	tx = guest_buys(plan, router, NULL, local, intl, mac, user, checkout);
	ck_assert_str_eq(settled(tx), "completed");
	ck_assert(!present("v6", "/ip/hotspot/user", "name", user));
	sim_ok("DELETE", NULL, "/routers/v6/fault");
	sql("UPDATE router_jobs SET next_attempt_at = UTC_TIMESTAMP(6) WHERE status <> 'done'");
	ck_assert_msg(cli("sweep", out, sizeof(out)) == 0, "%s", out);
	ck_assert(present("v6", "/ip/hotspot/user", "name", user));
	ck_assert_int_eq(sent("v6", "/ip/hotspot/user/add", NULL), 1);
}
END_TEST

START_TEST(an_invoice_paid_by_stk_then_c2b_with_the_same_receipt)
{
	char local[16], intl[16], body[512], checkout[80];
	long long cust, inv, tx;
	struct resp *r;

	money_world();
	new_phone(local, intl);
	snprintf(body, sizeof(body), "{\"name\":\"Invoice payer\",\"phone\":\"%s\"}", local);
	cust = made("/api/customers/", body);
	snprintf(body, sizeof(body), "{\"customer_id\":%lld,\"subtotal\":\"500.00\"}", cust);
	inv = made("/api/billing/invoices/", body);
	r = api("POST", NULL, "/api/mpesa/c2b/register/");
	EXPECT(r, 200);
	it_free(r);
	/* 002's body: phone, amount, invoice_id, customer_id */
	snprintf(body, sizeof(body), "{\"phone\":\"+%s\",\"amount\":200,\"invoice_id\":%lld,"
	    "\"customer_id\":%lld}", intl, inv, cust);
	r = api("POST", body, "/api/mpesa/stk-push/");
	EXPECT(r, 200);
	tx = it_int(r, "data/transaction_id");
	snprintf(checkout, sizeof(checkout), "%s", it_str(r, "data/CheckoutRequestID"));
	it_free(r);
	ck_assert_str_eq(settled(tx), "completed");
	r = api("GET", NULL, "/api/billing/invoices/%lld/", inv);
	ck_assert_str_eq(jnum(it_json(r, "data"), "paid_amount"), "200.00");
	it_free(r);
	/* the same receipt again by C2B: nothing changes, Daraja still gets 0 */
	snprintf(body, sizeof(body), "{\"same_receipt_as\":\"%s\"}", checkout);
	r = ctl(DARAJA, "POST", body, "/c2b/confirm");
	EXPECT(r, 200);
	it_free(r);
	ck_assert_int_eq(sql("SELECT COUNT(*) FROM payments WHERE invoice_id = %lld", inv), 1);
	r = api("GET", NULL, "/api/billing/invoices/%lld/", inv);
	ck_assert_str_eq(jnum(it_json(r, "data"), "paid_amount"), "200.00");
	it_free(r);
	/* a C2B payment to the invoice's number pays the rest */
	{
		char ref[40];

		r = api("GET", NULL, "/api/billing/invoices/%lld/", inv);
		snprintf(ref, sizeof(ref), "%s", it_str(r, "data/invoice_number"));
		it_free(r);
		snprintf(body, sizeof(body), "{\"amount\":300,\"msisdn\":\"%s\",\"bill_ref\":"
		    "\"%s\",\"trans_id\":\"CB%08d\"}", intl, ref, (int)(getpid() % 100000000));
	}
	r = ctl(DARAJA, "POST", body, "/c2b/confirm");
	EXPECT(r, 200);
	it_free(r);
	ck_assert_int_eq(sql("SELECT COUNT(*) FROM payments WHERE invoice_id = %lld", inv), 2);
	r = api("GET", NULL, "/api/billing/invoices/%lld/", inv);
	ck_assert_str_eq(jnum(it_json(r, "data"), "paid_amount"), "500.00");
	ck_assert_str_eq(it_str(r, "data/status"), "paid");
	it_free(r);
	/* and again: a duplicate */
	r = ctl(DARAJA, "POST", body, "/c2b/confirm");
	EXPECT(r, 200);
	it_free(r);
	ck_assert_int_eq(sql("SELECT COUNT(*) FROM payments WHERE invoice_id = %lld", inv), 2);
}
END_TEST

START_TEST(the_token_is_shared_and_renewed_once_when_daraja_forgets_it)
{
	char local[16], intl[16], checkout[80], mac[32], user[32];
	long long plan, router, issued;
	struct resp *r;

	money_world();
	hotspot_offer(&plan, &router);
	sql("DELETE FROM mpesa_tokens WHERE tenant_id = 1");
	guest_buys(plan, router, "{\"outcome\":\"never\"}", local, intl, mac, user, checkout);
	guest_buys(plan, router, NULL, local, intl, mac, user, checkout);
	/* two pushes, possibly by two workers: one token, kept sealed */
	r = ctl(DARAJA, "GET", NULL, "/tokens");
	issued = it_int(r, "issued");
	it_free(r);
	ck_assert_int_eq(issued, 1);
	ck_assert_int_eq(sql("SELECT COUNT(*) FROM mpesa_tokens WHERE tenant_id = 1 AND "
	    "expires_at > UTC_TIMESTAMP(6) + INTERVAL 50 MINUTE"), 1);
	/* Daraja forgets it (404.001.03): renewed once, the push still goes out */
	ctl_ok(DARAJA, "POST", "{}", "/tokens/revoke");
	guest_buys(plan, router, NULL, local, intl, mac, user, checkout);
	r = ctl(DARAJA, "GET", NULL, "/tokens");
	ck_assert_int_eq(it_int(r, "issued"), issued + 1);
	it_free(r);
}
END_TEST

START_TEST(stk_push_names_bad_fields_and_needs_settings)
{
	static const struct { const char *body; const char *field; } bad[] = {
		{ "{\"phone\":\"12345\",\"plan_id\":@}", "phone" },
		{ "{\"phone\":\"0712345678\"}", "plan_id" },
		{ "{\"phone\":\"0712345678\",\"plan_id\":@,\"invoice_id\":1}", "invoice_id" },
		{ "{\"phone\":\"0712345678\",\"plan_id\":\"x1\"}", "plan_id" },
		{ "{\"phone\":\"0712345678\",\"plan_id\":99999999}", "plan_id" },
		{ "{\"phone\":\"0712345678\",\"plan_id\":@,\"mac_address\":\"zz\"}", "mac_address" },
		{ "{\"phone\":[1],\"plan_id\":@}", "phone" },
		{ "{\"phone\":\"0712345678\",\"invoice_id\":99999999}", "invoice_id" },
	};
	char body[512], name[64];
	long long plan, router, cents;
	struct resp *r;

	money_world();
	hotspot_offer(&plan, &router);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		/* @: the plan's id */
		char *o = body;

		for (const char *c = bad[i].body; *c && o < body + sizeof(body) - 24; c++)
			o += *c == '@' ? sprintf(o, "%lld", plan) : (*o = *c, 1);
		*o = '\0';
		r = api("POST", body, "/api/mpesa/stk-push/");
		expect_field(r, bad[i].field);
		it_free(r);
	}
	/* M-Pesa takes whole shillings */
	snprintf(body, sizeof(body), "{\"name\":\"%s\",\"speed\":\"1M/1M\",\"price\":\"10.50\","
	    "\"duration_value\":1,\"duration_unit\":\"hours\",\"connection_type\":\"hotspot\"}",
	    uniq(name, sizeof(name), "Cents"));
	cents = made("/api/plans/", body);
	snprintf(body, sizeof(body), "{\"phone\":\"0712345678\",\"plan_id\":%lld}", cents);
	r = api("POST", body, "/api/mpesa/stk-push/");
	expect_field(r, "plan_id");
	it_free(r);
	/* not set up: a conflict that says what is missing, nothing recorded */
	r = api("PUT", "{\"enabled\":false}", "/api/mpesa/settings/");
	EXPECT(r, 200);
	it_free(r);
	snprintf(body, sizeof(body), "{\"phone\":\"0712345678\",\"plan_id\":%lld}", plan);
	r = api("POST", body, "/api/mpesa/stk-push/");
	EXPECT(r, 409);
	ck_assert_msg(strstr(r->body, "not set up") != NULL, "%s", r->body);
	it_free(r);
	ck_assert_int_eq(sql("SELECT COUNT(*) FROM mpesa_transactions WHERE phone = '254712345678' "
	    "AND created_at > UTC_TIMESTAMP(6) - INTERVAL 5 SECOND"), 0);
}
END_TEST

START_TEST(sms_send_records_the_provider_answer)
{
	char local[16], intl[16], body[2048], big[1700];
	struct resp *r;

	money_world();
	new_phone(local, intl);
	snprintf(body, sizeof(body), "{\"to\":\"%s\",\"message\":\"Your invoice is due\"}", local);
	r = api("POST", body, "/api/sms/send/");
	EXPECT(r, 200);
	ck_assert_str_eq(it_str(r, "data/to"), intl);
	ck_assert_int_eq(it_int(r, "data/recipients"), 1);
	ck_assert_msg(jlen(it_json(r, "data/messageIds")) == 1, "%s", r->body);
	it_free(r);
	ck_assert_int_eq(sql("SELECT COUNT(*) FROM sms_messages WHERE to_phone = '%s' AND "
	    "status = 'sent' AND provider_message_id IS NOT NULL AND kind = 'manual'", intl), 1);
	r = ctl(SMSSIM, "GET", NULL, "/messages?to=%s", intl);
	ck_assert_int_eq((long long)jlen(it_json(r, "messages")), 1);
	ck_assert_str_eq(jstr(jat(it_json(r, "messages"), 0), "message"), "Your invoice is due");
	ck_assert_str_eq(jstr(jat(it_json(r, "messages"), 0), "sender"), "ISPBILL");
	it_free(r);

	/* the provider refuses (1004, low credit): 502 saying so, recorded failed */
	ctl_ok(SMSSIM, "POST", "{\"code\":1004}", "/fail");
	r = api("POST", body, "/api/sms/send/");
	expect_error(r, 502, "EXTERNAL_SERVICE_ERROR");
	it_free(r);
	ck_assert_int_eq(sql("SELECT COUNT(*) FROM sms_messages WHERE to_phone = '%s' AND "
	    "status = 'failed' AND provider_code = '1004'", intl), 1);

	/* bad input named */
	r = api("POST", "{\"to\":\"abc\",\"message\":\"x\"}", "/api/sms/send/");
	expect_field(r, "to");
	it_free(r);
	r = api("POST", "{\"to\":\"0712345678\",\"message\":\"\"}", "/api/sms/send/");
	expect_field(r, "message");
	it_free(r);
	memset(big, 'a', 1601);
	big[1601] = '\0';
	snprintf(body, sizeof(body), "{\"to\":\"0712345678\",\"message\":\"%s\"}", big);
	r = api("POST", body, "/api/sms/send/");
	expect_field(r, "message");
	it_free(r);
}
END_TEST

START_TEST(expiry_reminders_go_once)
{
	char local[16], intl[16], body[512], out[4096];
	long long plan, router, cust, sub;

	money_world();
	hotspot_offer(&plan, &router);
	new_phone(local, intl);
	snprintf(body, sizeof(body), "{\"name\":\"Reminded\",\"phone\":\"%s\"}", local);
	cust = made("/api/customers/", body);
	snprintf(body, sizeof(body), "{\"customer_id\":%lld,\"plan_id\":%lld}", cust, plan);
	sub = made("/api/subscriptions/", body);
	/* active, ending in two hours: within the default 24 */
	sql("UPDATE subscriptions SET status = 'active', end_date = UTC_TIMESTAMP(6) + INTERVAL 2 HOUR "
	    "WHERE id = %lld", sub);
	ck_assert_msg(cli("sweep", out, sizeof(out)) == 0, "%s", out);
	ck_assert_msg(cli("sweep", out, sizeof(out)) == 0, "%s", out);
	ck_assert_int_eq(sql("SELECT COUNT(*) FROM sms_messages WHERE subscription_id = %lld AND "
	    "kind = 'reminder' AND status = 'sent'", sub), 1);
	{
		struct resp *r = ctl(SMSSIM, "GET", NULL, "/messages?to=%s", intl);

		ck_assert_int_eq((long long)jlen(it_json(r, "messages")), 1);
		ck_assert_msg(strstr(r->body, "ends on") != NULL, "%s", r->body);
		it_free(r);
	}
	/* renewed to a new end: a new reminder is due when that one nears */
	sql("UPDATE subscriptions SET end_date = end_date + INTERVAL 1 HOUR WHERE id = %lld", sub);
	ck_assert_msg(cli("sweep", out, sizeof(out)) == 0, "%s", out);
	ck_assert_int_eq(sql("SELECT COUNT(*) FROM sms_messages WHERE subscription_id = %lld AND "
	    "kind = 'reminder'", sub), 2);
}
END_TEST

START_TEST(an_invoice_paid_meanwhile_keeps_the_money_as_the_customers)
{
	char local[16], intl[16], body[512], checkout[80], path[160];
	long long cust, inv, tx;
	struct resp *r;

	money_world();
	new_phone(local, intl);
	snprintf(body, sizeof(body), "{\"name\":\"Double payer\",\"phone\":\"%s\"}", local);
	cust = made("/api/customers/", body);
	snprintf(body, sizeof(body), "{\"customer_id\":%lld,\"subtotal\":\"300.00\"}", cust);
	inv = made("/api/billing/invoices/", body);
	ctl_ok(DARAJA, "POST", "{\"default\":{\"outcome\":\"never\"}}", "/outcomes");
	snprintf(body, sizeof(body), "{\"phone\":\"%s\",\"invoice_id\":%lld}", local, inv);
	r = api("POST", body, "/api/mpesa/stk-push/");
	EXPECT(r, 200);
	tx = it_int(r, "data/transaction_id");
	ck_assert_int_eq(it_int(r, "data/amount"), 300);
	snprintf(checkout, sizeof(checkout), "%s", it_str(r, "data/CheckoutRequestID"));
	it_free(r);
	/* paid in cash at the office while the phone prompt waits */
	r = api("POST", "{\"payment_method\":\"cash\"}", "/api/billing/invoices/%lld/mark-paid/", inv);
	EXPECT(r, 200);
	it_free(r);
	snprintf(path, sizeof(path), "/stk/%s/decide", checkout);
	ctl_ok(DARAJA, "POST", "{\"result\":\"success\",\"callback\":true}", path);
	ck_assert_str_eq(settled(tx), "completed");
	/* the M-Pesa money is recorded, as the customer's, not refused */
	ck_assert_int_eq(sql("SELECT COUNT(*) FROM payments p JOIN mpesa_transactions t ON "
	    "t.payment_id = p.id WHERE t.id = %lld AND p.invoice_id IS NULL AND p.customer_id = %lld "
	    "AND p.amount = 300", tx, cust), 1);
	r = api("GET", NULL, "/api/billing/invoices/%lld/", inv);
	ck_assert_str_eq(jnum(it_json(r, "data"), "paid_amount"), "300.00");
	it_free(r);
}
END_TEST

START_TEST(money_that_comes_late_or_twice_is_never_lost)
{
	char local[16], intl[16], checkout[80], mac[32], user[32], path[160], out[4096], body[512];
	long long plan, router, tx;
	struct resp *r;

	money_world();
	hotspot_offer(&plan, &router);
	/* expired by the sweep (a day old), then Daraja's success arrives: granted */
	tx = guest_buys(plan, router, "{\"outcome\":\"never\"}", local, intl, mac, user, checkout);
	sql("UPDATE mpesa_transactions SET created_at = created_at - INTERVAL 2 DAY WHERE id = %lld",
	    tx);
	ctl_ok(DARAJA, "POST", "{\"default\":{\"outcome\":\"success\"}}", "/outcomes");
	sql("UPDATE mpesa_transactions SET status = 'expired' WHERE id = %lld", tx);
	snprintf(path, sizeof(path), "/stk/%s/decide", checkout);
	ctl_ok(DARAJA, "POST", "{\"result\":\"success\",\"callback\":true}", path);
	for (int i = 0; i < 50 && sql("SELECT status = 'completed' FROM mpesa_transactions "
	    "WHERE id = %lld", tx) == 0; i++)
		usleep(100 * 1000);
	ck_assert_int_eq(sql("SELECT COUNT(*) FROM payments WHERE reference = '%s'", checkout), 1);
	ck_assert(present("v6", "/ip/hotspot/user", "name", user));

	/* completed by the sweep's STK query (no receipt), then the callback: its
	 * receipt is recorded, nothing is paid twice */
	tx = guest_buys(plan, router, "{\"outcome\":\"never\"}", local, intl, mac, user, checkout);
	snprintf(path, sizeof(path), "/stk/%s/decide", checkout);
	ctl_ok(DARAJA, "POST", "{\"result\":\"success\",\"callback\":false}", path);
	sql("UPDATE mpesa_transactions SET created_at = created_at - INTERVAL 5 MINUTE WHERE id = %lld",
	    tx);
	ck_assert_msg(cli("sweep", out, sizeof(out)) == 0, "%s", out);
	ck_assert_str_eq(settled(tx), "completed");
	ck_assert_int_eq(sql("SELECT mpesa_receipt_number IS NULL FROM mpesa_transactions "
	    "WHERE id = %lld", tx), 1);
	snprintf(path, sizeof(path), "/stk/%s/callback", checkout);
	ctl_ok(DARAJA, "POST", "{}", path);
	for (int i = 0; i < 50 && sql("SELECT mpesa_receipt_number IS NULL FROM mpesa_transactions "
	    "WHERE id = %lld", tx) == 1; i++)
		usleep(100 * 1000);
	ck_assert_int_eq(sql("SELECT COUNT(*) FROM payments WHERE reference = '%s' AND "
	    "transaction_id IS NOT NULL", checkout), 1);
	ck_assert_int_eq(sql("SELECT COUNT(*) FROM payments WHERE reference = '%s'", checkout), 1);

	/* a plan bought for another organization's customer: refused, named */
	snprintf(body, sizeof(body), "{\"phone\":\"%s\",\"plan_id\":%lld,\"customer_id\":%lld}", local,
	    plan, sql("SELECT MAX(id) + 1000 FROM customers"));
	r = api("POST", body, "/api/mpesa/stk-push/");
	expect_field(r, "customer_id");
	it_free(r);
}
END_TEST

/* The next push's outcome, its answer delay_ms late, and in body the stk-push
 * request of a hotspot hour for phone and mac. */
static void
push_answered_late(const char *outcome, int delay_ms, const char *phone, const char *mac,
    long long plan, long long router, char *body, size_t n)
{
	char o[96], f[128];

	snprintf(o, sizeof(o), "{\"default\":{\"outcome\":\"%s\"}}", outcome);
	ctl_ok(DARAJA, "POST", o, "/outcomes");
	snprintf(f, sizeof(f), "{\"path\":\"/mpesa/stkpush/v1/processrequest\",\"delay_ms\":%d,"
	    "\"count\":1}", delay_ms);
	ctl_ok(DARAJA, "POST", f, "/faults");
	snprintf(body, n, "{\"phone\":\"%s\",\"mac_address\":\"%s\",\"plan_id\":%lld,"
	    "\"router_id\":%lld}", phone, mac, plan, router);
}

/* A hotspot hour's push for phone and mac whose answer comes after ispbill's
 * 3 s timeout (the next push's outcome given): its row, failed and holding
 * no CheckoutRequestID, of the phone intl. */
static long long
timed_out_push(const char *outcome, const char *local, const char *intl, const char *mac,
    long long plan, long long router)
{
	char body[512];
	struct resp *r;
	long long tx;

	push_answered_late(outcome, 4000, local, mac, plan, router, body, sizeof(body));
	r = api("POST", body, "/api/mpesa/stk-push/");
	ck_assert_msg(r->status >= 500, "%ld %s", r->status, r->body);
	it_free(r);
	tx = sql("SELECT MAX(id) FROM mpesa_transactions WHERE phone = '%s'", intl);
	ck_assert_int_eq(sql("SELECT status = 'failed' AND checkout_request_id IS NULL FROM "
	    "mpesa_transactions WHERE id = %lld", tx), 1);
	return tx;
}

/* A push whose answer timed out keeps no CheckoutRequestID, yet the phone
 * may pay: the callback, confirmed by Daraja's STK query, is matched to the
 * push by phone and amount and granted.  Money for an id no push of ours
 * holds is recorded for the operator; one Daraja denies is refused. */
START_TEST(a_push_that_timed_out_still_gets_its_money)
{
	char local[16], intl[16], mac[32], user[32], path[160], checkout[80], body[512];
	long long plan, router, tx, refused;
	struct resp *r;

	money_world();
	hotspot_offer(&plan, &router);
	/* Daraja's paid push that no row of ours holds (ours was renamed away):
	 * recorded as money for the operator, nothing granted (this push also
	 * renews the Daraja token the timed-out push below will use) */
	tx = guest_buys(plan, router, "{\"outcome\":\"never\"}", local, intl, mac, user, checkout);
	sql("UPDATE mpesa_transactions SET checkout_request_id = NULL, status = 'failed', "
	    "phone = '254700000000' WHERE id = %lld", tx);
	snprintf(path, sizeof(path), "/stk/%s/decide", checkout);
	ctl_ok(DARAJA, "POST", "{\"result\":\"success\",\"callback\":true}", path);
	for (int i = 0; i < 60 && sql("SELECT COUNT(*) FROM mpesa_transactions WHERE "
	    "checkout_request_id = '%s'", checkout) == 0; i++)
		usleep(100 * 1000);
	ck_assert_int_eq(sql("SELECT COUNT(*) FROM mpesa_transactions WHERE checkout_request_id = "
	    "'%s' AND kind = 'stk' AND status = 'completed' AND amount = 50 AND phone = '%s' AND "
	    "customer_id IS NULL AND mpesa_receipt_number IS NOT NULL", checkout, intl), 1);
	ck_assert_str_eq(settled(tx), "failed");
	ck_assert_int_eq(sql("SELECT COUNT(*) FROM payments WHERE reference = '%s'", checkout), 0);
	ck_assert_int_eq(sql("SELECT COUNT(*) FROM mpesa_events WHERE checkout_request_id = '%s' "
	    "AND outcome = 'applied' AND reason = 'unmatched push: recorded only'", checkout), 1);

	new_phone(local, intl);
	new_mac(mac, user);
	/* first a push of the same phone and amount that Daraja refused: it
	 * never reached the phone, so the money below is not its */
	ctl_ok(DARAJA, "POST", "{\"path\":\"/mpesa/stkpush/v1/processrequest\",\"status\":400,"
	    "\"count\":1}", "/faults");
	snprintf(body, sizeof(body), "{\"phone\":\"%s\",\"mac_address\":\"AA:BB:00:00:00:01\","
	    "\"plan_id\":%lld,\"router_id\":%lld}", local, plan, router);
	r = api("POST", body, "/api/mpesa/stk-push/");
	ck_assert_msg(r->status >= 400, "%ld %s", r->status, r->body);
	it_free(r);
	refused = sql("SELECT MAX(id) FROM mpesa_transactions WHERE phone = '%s'", intl);
	ck_assert_int_eq(sql("SELECT status = 'failed' AND result_desc NOT LIKE 'Uncertain:%%' "
	    "FROM mpesa_transactions WHERE id = %lld", refused), 1);
	/* Daraja answers after ispbill's 3 s timeout, then calls back */
	tx = timed_out_push("success", local, intl, mac, plan, router);
	for (int i = 0; i < 100 && strcmp(settled(tx), "completed"); i++)
		usleep(100 * 1000);
	ck_assert_str_eq(settled(tx), "completed");
	ck_assert_int_eq(sql("SELECT COUNT(*) FROM payments p JOIN mpesa_transactions t ON "
	    "t.payment_id = p.id WHERE t.id = %lld AND p.amount = 50 AND p.reference = "
	    "t.checkout_request_id AND p.transaction_id = t.mpesa_receipt_number", tx), 1);
	ck_assert_int_eq(sql("SELECT COUNT(*) FROM subscriptions s JOIN mpesa_transactions t ON "
	    "t.subscription_id = s.id WHERE t.id = %lld AND s.status = 'active'", tx), 1);
	for (int i = 0; i < 50 && !present("v6", "/ip/hotspot/user", "name", user); i++)
		usleep(100 * 1000);
	ck_assert(present("v6", "/ip/hotspot/user", "name", user));
	ck_assert_str_eq(settled(refused), "failed");
}
END_TEST

struct slow_push {
	pthread_t th;
	const char *body;
	long status;
};

static void *
slow_push_run(void *arg)
{
	struct slow_push *p = arg;
	struct resp *r = api("POST", p->body, "/api/mpesa/stk-push/");

	p->status = r->status;
	it_free(r);
	return NULL;
}

/* A paid callback that no push holds takes a push still waiting for its
 * answer; when that answer then times out, the push's failure must not
 * undo the completion (status 'failed' over a paid, granted row). */
START_TEST(a_push_paid_while_waiting_stays_completed_after_its_timeout)
{
	char local[16], intl[16], mac[32], user[32], body[512], path[160], checkout[80];
	long long plan, router, tx, tx2 = 0;
	struct slow_push sp;

	money_world();
	hotspot_offer(&plan, &router);
	/* a paid push of Daraja's that no row of ours holds */
	tx = guest_buys(plan, router, "{\"outcome\":\"never\"}", local, intl, mac, user, checkout);
	sql("UPDATE mpesa_transactions SET checkout_request_id = NULL, status = 'failed', "
	    "phone = '254700000000' WHERE id = %lld", tx);
	/* a second push of that phone and amount whose answer comes after the
	 * 3 s timeout */
	new_mac(mac, user);
	push_answered_late("never", 4500, local, mac, plan, router, body, sizeof(body));
	sp.body = body;
	sp.status = 0;
	ck_assert_int_eq(pthread_create(&sp.th, NULL, slow_push_run, &sp), 0);
	for (int i = 0; i < 50 && (tx2 = sql("SELECT COALESCE(MAX(id), 0) FROM mpesa_transactions "
	    "WHERE phone = '%s' AND id > %lld AND status = 'pending'", intl, tx)) == 0; i++)
		usleep(50 * 1000);
	ck_assert_int_gt(tx2, 0);
	/* the first push is paid now: its callback finds no row of its own and
	 * takes the waiting one */
	snprintf(path, sizeof(path), "/stk/%s/decide", checkout);
	ctl_ok(DARAJA, "POST", "{\"result\":\"success\",\"callback\":true}", path);
	pthread_join(sp.th, NULL);
	ck_assert_msg(sp.status >= 500, "the slow push answered %ld", sp.status);
	ck_assert_str_eq(settled(tx2), "completed");
	ck_assert_int_eq(sql("SELECT COUNT(*) FROM mpesa_transactions t JOIN payments p ON "
	    "p.id = t.payment_id WHERE t.id = %lld AND t.status = 'completed' AND "
	    "t.checkout_request_id = '%s'", tx2, checkout), 1);
}
END_TEST

/* Money for an id no push holds, when Daraja's STK query cannot confirm it
 * at that moment, is kept pending for the sweep (Daraja calls back once),
 * which records it when the query then says it was paid. */
START_TEST(unconfirmed_orphan_money_waits_for_the_sweep)
{
	char local[16], intl[16], mac[32], user[32], path[160], checkout[80], out[512];
	long long plan, router, tx, stk = 0;

	money_world();
	hotspot_offer(&plan, &router);
	tx = guest_buys(plan, router, "{\"outcome\":\"never\"}", local, intl, mac, user, checkout);
	sql("UPDATE mpesa_transactions SET checkout_request_id = NULL, status = 'failed', "
	    "phone = '254700000000' WHERE id = %lld", tx);
	/* the query's connection dropped unanswered */
	ctl_ok(DARAJA, "DELETE", NULL, "/faults");
	ctl_ok(DARAJA, "POST", "{\"path\":\"/mpesa/stkpushquery/v1/query\",\"drop\":true,"
	    "\"count\":20}", "/faults");
	snprintf(path, sizeof(path), "/stk/%s/decide", checkout);
	ctl_ok(DARAJA, "POST", "{\"result\":\"success\",\"callback\":true}", path);
	for (int i = 0; i < 60 && (stk = sql("SELECT COALESCE(MAX(id), 0) FROM mpesa_transactions "
	    "WHERE checkout_request_id = '%s'", checkout)) == 0; i++)
		usleep(100 * 1000);
	ck_assert_int_gt(stk, 0);
	ck_assert_int_eq(sql("SELECT COUNT(*) FROM mpesa_transactions WHERE id = %lld AND kind = "
	    "'stk' AND status = 'pending' AND amount = 50 AND phone = '%s' AND "
	    "mpesa_receipt_number IS NULL", stk, intl), 1);
	ck_assert_int_eq(sql("SELECT COUNT(*) FROM mpesa_events WHERE checkout_request_id = '%s' "
	    "AND outcome = 'pending' AND receipt IS NOT NULL", checkout), 1);
	/* Daraja answers again; the sweep's time for it has come */
	ctl_ok(DARAJA, "DELETE", NULL, "/faults");
	sql("UPDATE mpesa_transactions SET created_at = created_at - INTERVAL 2 HOUR WHERE id = %lld",
	    stk);
	ck_assert_msg(cli("sweep", out, sizeof(out)) == 0, "%s", out);
	ck_assert_int_eq(sql("SELECT COUNT(*) FROM mpesa_transactions t JOIN mpesa_events e ON "
	    "e.checkout_request_id = t.checkout_request_id AND e.receipt = t.mpesa_receipt_number "
	    "WHERE t.id = %lld AND t.status = 'completed' AND t.customer_id IS NULL AND "
	    "t.payment_id IS NULL", stk), 1);
	ck_assert_int_eq(sql("SELECT COUNT(*) FROM payments WHERE reference = '%s'", checkout), 0);
	/* a second sweep changes nothing */
	ck_assert_msg(cli("sweep", out, sizeof(out)) == 0, "%s", out);
	ck_assert_int_eq(sql("SELECT COUNT(*) FROM mpesa_transactions WHERE checkout_request_id = "
	    "'%s' AND status = 'completed'", checkout), 1);
}
END_TEST

/* A push whose answer timed out, paid, may be told by C2B before its STK
 * callback (a paybill sends both): the C2B, naming the push's account
 * reference, pays that push and grants it, so the callback that follows is
 * the duplicate, not the only grant lost. */
START_TEST(a_timed_out_push_paid_by_c2b_first_is_granted)
{
	char local[16], intl[16], mac[32], user[32], body[512], ref[40], receipt[16];
	long long plan, router, tx;
	struct resp *r;

	money_world();
	hotspot_offer(&plan, &router);
	r = api("POST", NULL, "/api/mpesa/c2b/register/");
	EXPECT(r, 200);
	it_free(r);
	new_phone(local, intl);
	new_mac(mac, user);
	tx = timed_out_push("never", local, intl, mac, plan, router);
	snprintf(ref, sizeof(ref), "HS%lld", tx);
	snprintf(receipt, sizeof(receipt), "TO%08d", (int)((getpid() * 7 + tx) % 100000000));
	snprintf(body, sizeof(body), "{\"amount\":50,\"msisdn\":\"%s\",\"bill_ref\":\"%s\","
	    "\"trans_id\":\"%s\"}", intl, ref, receipt);
	r = ctl(DARAJA, "POST", body, "/c2b/confirm");
	EXPECT(r, 200);
	it_free(r);
	ck_assert_str_eq(settled(tx), "completed");
	ck_assert_int_eq(sql("SELECT COUNT(*) FROM mpesa_transactions t JOIN payments p ON "
	    "p.id = t.payment_id JOIN subscriptions s ON s.id = t.subscription_id WHERE t.id = %lld "
	    "AND t.mpesa_receipt_number = '%s' AND p.amount = 50 AND s.status = 'active'", tx,
	    receipt), 1);
	ck_assert_int_eq(sql("SELECT COUNT(*) FROM mpesa_transactions WHERE kind = 'c2b' AND "
	    "account_reference = '%s'", ref), 0);
}
END_TEST

/* Two phones pay for the same device at the same moment: both are granted,
 * one under the device's name and one under the name with its transaction
 * id, none refused on the duplicate name. */
START_TEST(two_payments_for_one_device_at_once_both_granted)
{
	char mac[32], user[32], l[2][16], i[2][16], body[512], co[2][80], cmd[1024], out[256];
	long long plan, router, tx[2];

	money_world();
	hotspot_offer(&plan, &router);
	new_mac(mac, user);
	new_phone(l[0], i[0]);
	new_phone(l[1], i[1]);
	ctl_ok(DARAJA, "POST", "{\"default\":{\"outcome\":\"never\"}}", "/outcomes");
	for (int k = 0; k < 2; k++) {
		struct resp *r;

		snprintf(body, sizeof(body), "{\"phone\":\"%s\",\"mac_address\":\"%s\","
		    "\"plan_id\":%lld,\"router_id\":%lld}", l[k], mac, plan, router);
		r = api("POST", body, "/api/mpesa/stk-push/");
		EXPECT(r, 200);
		tx[k] = it_int(r, "data/transaction_id");
		snprintf(co[k], sizeof(co[k]), "%s", it_str(r, "data/CheckoutRequestID"));
		it_free(r);
	}
	/* both paid, their callbacks sent at the same moment */
	snprintf(cmd, sizeof(cmd), "for c in %s %s; do curl -s -o /dev/null -X POST -d "
	    "'{\"result\":\"success\",\"callback\":true}' http://127.0.0.1:%s/stk/$c/decide & "
	    "done; wait", co[0], co[1], it_env(DARAJA));
	ck_assert_int_eq(it_run(cmd, out, sizeof(out)), 0);
	for (int k = 0; k < 2; k++)
		ck_assert_str_eq(settled(tx[k]), "completed");      /* waits while pending */
	ck_assert_int_eq(sql("SELECT COUNT(DISTINCT s.id) FROM subscriptions s JOIN mpesa_transactions "
	    "t ON t.subscription_id = s.id WHERE t.id IN (%lld, %lld) AND s.status = 'active' AND "
	    "(s.username = '%s' OR s.username IN ('%s-%lld', '%s-%lld'))", tx[0], tx[1], user, user,
	    tx[0], user, tx[1]), 2);
	ck_assert_int_eq(sql("SELECT COUNT(*) FROM mpesa_events e JOIN mpesa_transactions t ON "
	    "t.checkout_request_id = e.checkout_request_id WHERE t.id IN (%lld, %lld) AND "
	    "e.outcome <> 'applied'", tx[0], tx[1]), 0);
}
END_TEST

/* the path of the tenant's callback URL as the settings give it now */
static void
callback_path(char *path, size_t n)
{
	struct resp *r = api("GET", NULL, "/api/mpesa/settings/");

	EXPECT(r, 200);
	snprintf(path, n, "/api/mpesa/callback/%.40s/", strstr(it_str(r, "data/callback_url"),
	    "/callback/") + strlen("/callback/"));
	it_free(r);
}

/* A replaced callback secret still takes callbacks for the grace period
 * (pushes sent before the change), and not after; the new one at once. */
START_TEST(callback_secret_rotation_keeps_the_old_url_for_its_grace)
{
	char local[16], intl[16], checkout[80], mac[32], user[32], body[1024], old[128], cur[128];
	long long plan, router, tx;
	struct resp *r;

	money_world();
	hotspot_offer(&plan, &router);
	tx = guest_buys(plan, router, "{\"outcome\":\"never\"}", local, intl, mac, user, checkout);
	callback_path(old, sizeof(old));
	r = api("POST", NULL, "/api/mpesa/settings/rotate-callback-secret/");
	EXPECT(r, 200);
	ck_assert_ptr_nonnull(it_str(r, "data/previous_callback_url_valid_until"));
	it_free(r);
	callback_path(cur, sizeof(cur));
	ck_assert_str_ne(old, cur);
	/* the push's callback, to the URL it was given: still good */
	snprintf(body, sizeof(body), "{\"Body\":{\"stkCallback\":{\"MerchantRequestID\":\"m-1\","
	    "\"CheckoutRequestID\":\"%s\",\"ResultCode\":0,\"ResultDesc\":\"ok\","
	    "\"CallbackMetadata\":{\"Item\":[{\"Name\":\"Amount\",\"Value\":50},"
	    "{\"Name\":\"MpesaReceiptNumber\",\"Value\":\"ROT%lld\"},"
	    "{\"Name\":\"PhoneNumber\",\"Value\":%s}]}}}}", checkout, tx, intl);
	r = post_raw(old, body);
	EXPECT(r, 200);
	it_free(r);
	ck_assert_str_eq(settled(tx), "completed");
	/* replaced again with a grace while the first one's runs: refused,
	 * since its only slot would drop the first secret at once */
	r = api("POST", "{\"grace_hours\":2}", "/api/mpesa/settings/rotate-callback-secret/");
	expect_field(r, "grace_hours");
	it_free(r);
	callback_path(body, sizeof(body));
	ck_assert_str_eq(body, cur);
	r = post_raw(old, "{\"Body\":");
	EXPECT(r, 400);         /* the tenant known by the old URL: malformed, not unknown */
	it_free(r);
	/* replaced again with no grace: the one before is refused at once */
	r = api("POST", "{\"grace_hours\":0}", "/api/mpesa/settings/rotate-callback-secret/");
	EXPECT(r, 200);
	ck_assert_ptr_null(it_str(r, "data/previous_callback_url_valid_until"));
	it_free(r);
	r = post_raw(cur, body);
	EXPECT(r, 404);
	it_free(r);
	r = post_raw(old, body);
	EXPECT(r, 404);
	it_free(r);
	r = api("POST", "{\"grace_hours\":1000}", "/api/mpesa/settings/rotate-callback-secret/");
	expect_field(r, "grace_hours");
	it_free(r);
}
END_TEST

/* A tenant's SMS URL cannot reach the host's or its network's private
 * services (only the operator's sms_allowed_addresses: 127.0.0.1 here), and
 * Daraja's calls are taken only from mpesa_callback_addresses. */
START_TEST(private_sms_urls_and_stranger_callbacks_are_refused)
{
	char local[16], intl[16], body[512], path[128], urls[3][160];
	long long before;
	const char *port = strrchr(it_env("ISPBILL_TEST_SMS_ADVANTA_URL"), ':') + 1;
	struct resp *r;

	/* the SMS simulator's own port on another loopback address, the cloud
	 * metadata service, IPv6 loopback */
	snprintf(urls[0], sizeof(urls[0]), "http://127.0.0.2:%s/api/services/sendsms/", port);
	snprintf(urls[1], sizeof(urls[1]), "http://169.254.169.254/latest/meta-data/");
	snprintf(urls[2], sizeof(urls[2]), "http://[::1]:%s/x", port);
	money_world();
	new_phone(local, intl);
	for (size_t i = 0; i < 3; i++) {
		const char *url = urls[i];

		snprintf(body, sizeof(body), "{\"custom_api_url\":\"%s\"}", url);
		r = api("PATCH", body, "/api/sms/settings/");
		EXPECT(r, 200);
		it_free(r);
		snprintf(body, sizeof(body), "{\"to\":\"%s\",\"message\":\"probe %zu\"}", local, i);
		r = api("POST", body, "/api/sms/send/");
		ck_assert_msg(r->status >= 400 && r->status < 600, "%ld %s", r->status, r->body);
		it_free(r);
		ck_assert_msg(sql("SELECT COUNT(*) FROM sms_messages WHERE to_phone = '%s' AND "
		    "status = 'failed' AND error LIKE '%%is not a public address%%' AND message = "
		    "'probe %zu'", intl, i) == 1, "url %s not refused", url);
	}
	ck_assert_int_eq(sql("SELECT COUNT(*) FROM sms_messages WHERE to_phone = '%s' AND "
	    "status = 'sent'", intl), 0);

	/* Daraja's callback URL, called from an address not listed */
	callback_path(path, sizeof(path));
	before = sql("SELECT COUNT(*) FROM mpesa_events WHERE remote_addr = '127.0.0.2' AND "
	    "outcome = 'refused' AND reason LIKE 'address 127.0.0.2 is not in%%'");
	it_source("127.0.0.2");
	r = post_raw(path, "{\"Body\":{}}");
	it_source(NULL);
	EXPECT(r, 403);
	it_free(r);
	ck_assert_int_eq(sql("SELECT COUNT(*) FROM mpesa_events WHERE remote_addr = '127.0.0.2' AND "
	    "outcome = 'refused' AND reason LIKE 'address 127.0.0.2 is not in%%'") - before, 1);
}
END_TEST

START_TEST(paying_while_suspended_adds_the_period)
{
	char local[16], intl[16], checkout[80], mac[32], user[32], body[512];
	long long plan, router, tx, sub;
	struct resp *r, *keep;
	yajl_val item;

	money_world();
	hotspot_offer(&plan, &router);
	tx = guest_buys(plan, router, "{\"outcome\":\"success\"}", local, intl, mac, user, checkout);
	ck_assert_str_eq(settled(tx), "completed");
	sub = sql("SELECT subscription_id FROM mpesa_transactions WHERE id = %lld", tx);
	r = api("POST", NULL, "/api/subscriptions/%lld/suspend/", sub);
	EXPECT(r, 200);
	it_free(r);
	/* the same guest (phone and device) pays for another hour while suspended */
	snprintf(body, sizeof(body), "{\"phone\":\"%s\",\"mac_address\":\"%s\",\"plan_id\":%lld,"
	    "\"router_id\":%lld}", local, mac, plan, router);
	r = api("POST", body, "/api/mpesa/stk-push/");
	EXPECT(r, 200);
	tx = it_int(r, "data/transaction_id");
	it_free(r);
	ck_assert_str_eq(settled(tx), "completed");
	ck_assert_int_eq(sql("SELECT subscription_id FROM mpesa_transactions WHERE id = %lld", tx), sub);
	/* active again, with both hours */
	ck_assert_int_eq(sql("SELECT COUNT(*) FROM subscriptions WHERE id = %lld AND status = 'active' "
	    "AND TIMESTAMPDIFF(MINUTE, UTC_TIMESTAMP(6), end_date) BETWEEN 117 AND 120", sub), 1);
	item = on_router(&keep, "v6", "/ip/hotspot/user", "name", user);
	ck_assert_msg(item != NULL, "no hotspot user %s", user);
	ck_assert_msg(!jstr(item, "disabled") || !strcmp(jstr(item, "disabled"), "false"),
	    "still disabled: %s", jstr(item, "disabled"));
	it_free(keep);
}
END_TEST

Suite *
suite_mpesa(void)
{
	Suite *s = suite_create("mpesa");
	TCase *tc = tcase_create("settings");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, mpesa_settings_seal_secrets_and_name_bad_fields);
	tcase_add_test(tc, sms_settings_seal_the_key_and_name_bad_fields);
	tcase_add_test(tc, guest_pays_for_an_hour_and_gets_it_once);
	tcase_add_test(tc, cancelled_or_failed_gives_nothing);
	tcase_add_test(tc, forged_callbacks_are_refused_and_logged);
	tcase_add_test(tc, lost_callback_is_resolved_by_the_sweep);
	tcase_add_test(tc, offline_router_gets_the_service_after_the_sweep);
	tcase_add_test(tc, an_invoice_paid_by_stk_then_c2b_with_the_same_receipt);
	tcase_add_test(tc, the_token_is_shared_and_renewed_once_when_daraja_forgets_it);
	tcase_add_test(tc, stk_push_names_bad_fields_and_needs_settings);
	tcase_add_test(tc, sms_send_records_the_provider_answer);
	tcase_add_test(tc, expiry_reminders_go_once);
	tcase_add_test(tc, an_invoice_paid_meanwhile_keeps_the_money_as_the_customers);
	tcase_add_test(tc, money_that_comes_late_or_twice_is_never_lost);
	tcase_add_test(tc, paying_while_suspended_adds_the_period);
	tcase_add_test(tc, a_push_that_timed_out_still_gets_its_money);
	tcase_add_test(tc, two_payments_for_one_device_at_once_both_granted);
	tcase_add_test(tc, a_push_paid_while_waiting_stays_completed_after_its_timeout);
	tcase_add_test(tc, unconfirmed_orphan_money_waits_for_the_sweep);
	tcase_add_test(tc, a_timed_out_push_paid_by_c2b_first_is_granted);
	tcase_add_test(tc, callback_secret_rotation_keeps_the_old_url_for_its_grace);
	tcase_add_test(tc, private_sms_urls_and_stranger_callbacks_are_refused);
	suite_add_tcase(s, tc);
	return s;
}
