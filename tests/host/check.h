/* The host unit tests' check counter: CHECK(cond, fmt, ...) counts a check and,
 * when cond is false, prints "FAIL file:line: cond: <message>" and counts a
 * failure. A test's main() reports `checks` and `failures` and exits non-zero
 * if failures != 0. One test program per binary: the counters are static. */
#ifndef TESTS_HOST_CHECK_H
#define TESTS_HOST_CHECK_H
#include <stdio.h>

static int failures, checks;

#define CHECK(cond, ...)                                                   \
	do {                                                               \
		checks++;                                                  \
		if (!(cond)) {                                             \
			failures++;                                        \
			printf("FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond); \
			printf(__VA_ARGS__);                               \
			printf("\n");                                      \
		}                                                          \
	} while (0)

#endif
