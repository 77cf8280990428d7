/* A minimal test harness for host unit tests: prints one line per test and
 * the closing `N passed, M failed` line that tools/testall.sh sums up. */
#ifndef CHECK_H
#define CHECK_H

#include <stdio.h>
#include <string.h>

static int check_passed, check_failed, check_cur_failed;

#define CHECK(c)                                                                   \
	do {                                                                       \
		if (!(c) && !check_cur_failed) {                                   \
			printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #c);        \
			check_cur_failed = 1;                                      \
		}                                                                  \
	} while (0)

#define RUN(fn)                                                                    \
	do {                                                                       \
		printf("test %s ... ", #fn);                                       \
		fflush(stdout);                                                    \
		check_cur_failed = 0;                                              \
		fn();                                                              \
		if (check_cur_failed)                                              \
			check_failed++;                                            \
		else {                                                             \
			check_passed++;                                            \
			printf("ok\n");                                            \
		}                                                                  \
	} while (0)

#define CHECK_DONE()                                                               \
	(printf("%d passed, %d failed\n", check_passed, check_failed), check_failed != 0)

#endif
