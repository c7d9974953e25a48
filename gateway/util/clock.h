/*
 * clock.h - the one place the gateway takes "now" from, and Vietnam time.
 *
 * clock_now() is the wall clock unless a test moved it: clock_set() in a
 * test program, or TINBAO_FAKE_NOW=<Unix seconds> in the environment of the
 * tinbao binary.  TINBAO_FAKE_NOW is a test facility (the integration tests
 * live through a half-year of digests and reminders with it, one
 * `run --once` at a time); it is read on every call, never cached, and a
 * value that is not a positive number is ignored.
 *
 * Reporting periods, digest times, quiet hours and reminder dates are all
 * Vietnam time (UTC+7, no daylight saving time).
 */
#ifndef TINBAO_CLOCK_H
#define TINBAO_CLOCK_H

#include <stdint.h>
#include <time.h>

#define CLOCK_VN_OFFSET (7 * 3600)

int64_t clock_now(void);
/* Pins clock_now() to t; 0 gives it back to TINBAO_FAKE_NOW or the wall clock. */
void clock_set(int64_t t);

/* The broken-down Vietnam time of t (tm_wday 0 is Sunday). */
void clock_local(int64_t t, struct tm *tm);
/* The Unix time of a Vietnam date and time; mon is 1..12.  Out-of-range
 * days roll over like timegm() (day 0 is the last day of the month before). */
int64_t clock_from_local(int year, int mon, int day, int hour, int min);
/* Midnight (Vietnam) of the day of t. */
int64_t clock_day_start(int64_t t);
/* The reporting period of t: its year and half (1: January to June). */
void clock_period(int64_t t, int *year, int *half);
/* "YYYY-MM-DD", Vietnam date of t; buf has at least 11 bytes. */
void clock_date(int64_t t, char *buf, size_t bufsz);

#endif
