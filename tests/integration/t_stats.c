/* t_stats.c - billing statistics over real nginx + MariaDB. */
#include "config.h"

#include "itest.h"

Suite *
suite_stats(void)
{
	Suite *s = suite_create("stats");
	TCase *t = tcase_create("stats");

	tcase_set_timeout(t, 300);
	suite_add_tcase(s, t);
	return s;
}
