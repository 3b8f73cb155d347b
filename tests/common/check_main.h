/* check_main.h - one main for every Check test program: runs the suite and
 * prints "RESULT name run failed" for scripts/test to add up. */
#ifndef ISP_CHECK_MAIN_H
#define ISP_CHECK_MAIN_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>

#define CHECK_MAIN(name, make_suite)                                          \
	int                                                                   \
	main(void)                                                            \
	{                                                                     \
		SRunner *sr = srunner_create(make_suite());                   \
		int run, failed;                                              \
                                                                              \
		srunner_run_all(sr, CK_NORMAL);                               \
		run = srunner_ntests_run(sr);                                 \
		failed = srunner_ntests_failed(sr);                           \
		srunner_free(sr);                                             \
		printf("RESULT %s %d %d\n", name, run, failed);               \
		return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;             \
	}

#endif
