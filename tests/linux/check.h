/*
 * The Linux C tests' two checks (the C files of tests/linux): each failed check counts
 * in the including file's `failures` and names itself on stderr.
 */
#ifndef LX_TEST_CHECK_H
#define LX_TEST_CHECK_H

#include <errno.h>
#include <stdio.h>

#define CHECK(c) \
	((c) ? (void)0 : (void)(failures++, fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #c)))
/* A raw call fails with errno e. */
#define FAILS(call, e) \
	do { \
		errno = 0; \
		long r_ = (long)(call); \
		int e_ = errno; \
		if (r_ != -1 || e_ != (e)) { \
			failures++; \
			fprintf(stderr, "FAIL %s:%d: %s = %ld errno %d, wanted errno %d\n", \
				__FILE__, __LINE__, #call, r_, e_, (e)); \
		} \
	} while (0)

#endif
