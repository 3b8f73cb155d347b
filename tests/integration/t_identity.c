/* t_identity.c - identity, access and tenancy over real nginx + MariaDB. */
#include "config.h"

#include "itest.h"

Suite *
suite_identity(void)
{
	Suite *s = suite_create("identity");
	TCase *t = tcase_create("identity");

	tcase_set_timeout(t, 120);
	suite_add_tcase(s, t);
	return s;
}
