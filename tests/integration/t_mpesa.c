/* t_mpesa.c - M-Pesa and SMS through nginx: each tenant's settings (secrets
 * sealed, shown as ***hidden***, every bad field named). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

Suite *
suite_mpesa(void)
{
	Suite *s = suite_create("mpesa");
	TCase *tc = tcase_create("settings");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, mpesa_settings_seal_secrets_and_name_bad_fields);
	tcase_add_test(tc, sms_settings_seal_the_key_and_name_bad_fields);
	suite_add_tcase(s, tc);
	return s;
}
