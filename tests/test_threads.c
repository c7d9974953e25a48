/*
 * test_threads.c - what the web console's thread and the gateway's loop
 * share: a library opened on first use (dynlib.h), by the workbook report
 * and the workbook reader from either thread, and the daily cap's note
 * (quota.h).
 *
 * Built with ThreadSanitizer (the Makefile): a data race between the
 * threads ends the run with its report and a failing status, whatever the
 * assertions say.
 *
 * Usage: test_threads
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "config.h"
#include "dynlib.h"
#include "log.h"
#include "quota.h"

#define NTHREADS 4
#define LIBM "libm.so.6"
#define NOLIB "libtinbao-test-absent.so.0"

struct mathlib {
	double (*cos)(double);
	double (*sin)(double);
};

static struct mathlib once, retried, shared;

#define SYMS(t)                                                                                    \
	{                                                                                          \
		{"cos", (void **)&(t).cos},                                                        \
		{                                                                                  \
			"sin", (void **)&(t).sin                                                   \
		}                                                                                  \
	}

static const struct dynlib_sym once_syms[] = SYMS(once);
static const struct dynlib_sym retried_syms[] = SYMS(retried);
static const struct dynlib_sym shared_syms[] = SYMS(shared);

/* A table once filled stays as it is: the library is not opened again,
 * whatever the later call names. */
static void
test_load_once(void **state)
{
	assert_int_equal(dynlib_load("test", LIBM, "libc6", once_syms, 2), 0);
	assert_non_null(once.cos);
	assert_true(once.cos(0.0) == 1.0);
	assert_int_equal(dynlib_load("test", NOLIB, "none", once_syms, 2), 0);
	assert_true(once.sin(0.0) == 0.0);
}

/* A library that cannot be opened leaves the table empty, and a later call
 * tries again. */
static void
test_load_retried(void **state)
{
	assert_int_equal(dynlib_load("test", NOLIB, "none", retried_syms, 2), -1);
	assert_null(retried.cos);
	assert_null(retried.sin);
	assert_int_equal(dynlib_load("test", LIBM, "libc6", retried_syms, 2), 0);
	assert_true(retried.cos(0.0) == 1.0);
}

static pthread_barrier_t start;

static void *
load_shared(void *arg)
{
	int *r = arg;

	pthread_barrier_wait(&start);
	*r = dynlib_load("test", LIBM, "libc6", shared_syms, 2);
	if (*r == 0 && shared.cos(0.0) != 1.0)
		*r = -1;
	return NULL;
}

/* The console's thread and the loop open the same library at once. */
static void
test_load_threads(void **state)
{
	pthread_t t[NTHREADS];
	int r[NTHREADS], i;

	assert_int_equal(pthread_barrier_init(&start, NULL, NTHREADS), 0);
	for (i = 0; i < NTHREADS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, load_shared, &r[i]), 0);
	for (i = 0; i < NTHREADS; i++) {
		assert_int_equal(pthread_join(t[i], NULL), 0);
		assert_int_equal(r[i], 0);
	}
	pthread_barrier_destroy(&start);
}

static struct config cap_cfg;

static void *
cap_reached(void *arg)
{
	const int64_t *now = arg;

	pthread_barrier_wait(&start);
	quota_cap_reached(&cap_cfg, *now);
	return NULL;
}

/* The daily cap reached on two threads at once: said once a day without a
 * race. */
static void
test_cap_threads(void **state)
{
	pthread_t t[NTHREADS];
	int64_t now = 1646100000;
	int i;

	cap_cfg.limits.daily_cap = 10;
	assert_int_equal(pthread_barrier_init(&start, NULL, NTHREADS), 0);
	for (i = 0; i < NTHREADS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, cap_reached, &now), 0);
	for (i = 0; i < NTHREADS; i++)
		assert_int_equal(pthread_join(t[i], NULL), 0);
	pthread_barrier_destroy(&start);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_load_once),
	    cmocka_unit_test(test_load_retried),
	    cmocka_unit_test(test_load_threads),
	    cmocka_unit_test(test_cap_threads),
	};

	log_init(0, getenv("TEST_VERBOSE") != NULL ? LOG_LEVEL_DEBUG : LOG_LEVEL_WARN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
