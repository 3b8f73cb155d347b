/* t_billing.c - the billing core over real nginx + MariaDB. */
#include "config.h"

#include "itest.h"

Suite *
suite_billing(void)
{
	Suite *s = suite_create("billing");
	TCase *t = tcase_create("billing");

	tcase_set_timeout(t, 300);
	suite_add_tcase(s, t);
	return s;
}
