/* A tiny test harness: each check prints where it failed and the test
 * keeps counting, so one run shows every broken assertion. */
#ifndef CALLBRIDGE_TEST_H
#define CALLBRIDGE_TEST_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>

static int test_failures;
static int test_checks;

#define CHECK(cond) do { \
	test_checks++; \
	if (!(cond)) { \
		test_failures++; \
		fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
	} \
} while (0)

#define CHECK_INT_EQ(a, b) do { \
	long long _a = (long long)(a), _b = (long long)(b); \
	test_checks++; \
	if (_a != _b) { \
		test_failures++; \
		fprintf(stderr, "%s:%d: %s == %s failed: %lld != %lld\n", \
			__FILE__, __LINE__, #a, #b, _a, _b); \
	} \
} while (0)

#define CHECK_STR_CONTAINS(hay, needle) do { \
	const char *_h = (hay), *_n = (needle); \
	test_checks++; \
	if (_h == NULL || strstr(_h, _n) == NULL) { \
		test_failures++; \
		fprintf(stderr, "%s:%d: \"%s\" does not contain \"%s\"\n", \
			__FILE__, __LINE__, _h ? _h : "(null)", _n); \
	} \
} while (0)

#define CHECK_STR_EQ(got, want) do { \
	const char *_g = (got), *_w = (want); \
	test_checks++; \
	if (_g == NULL || strcmp(_g, _w) != 0) { \
		test_failures++; \
		fprintf(stderr, "%s:%d: got \"%s\", want \"%s\"\n", \
			__FILE__, __LINE__, _g ? _g : "(null)", _w); \
	} \
} while (0)

#define CHECK_NEAR(a, b, eps) do { \
	double _a = (double)(a), _b = (double)(b); \
	test_checks++; \
	if (fabs(_a - _b) > (eps)) { \
		test_failures++; \
		fprintf(stderr, "%s:%d: %s ~ %s failed: %g vs %g (eps %g)\n", \
			__FILE__, __LINE__, #a, #b, _a, _b, (double)(eps)); \
	} \
} while (0)

static inline int test_finish(const char *name)
{
	printf("%s: %d checks, %d failed\n", name, test_checks, test_failures);
	return test_failures ? 1 : 0;
}

#endif
