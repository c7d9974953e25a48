/*
 * clock.c - see clock.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "clock.h"

static int64_t pinned;

int64_t
clock_now(void)
{
	const char *fake;
	char *end;
	long long v;

	if (pinned > 0)
		return pinned;
	fake = getenv("TINBAO_FAKE_NOW");
	if (fake != NULL && *fake != '\0') {
		errno = 0;
		v = strtoll(fake, &end, 10);
		if (errno == 0 && *end == '\0' && v > 0)
			return (int64_t)v;
	}
	return (int64_t)time(NULL);
}

void
clock_set(int64_t t)
{
	pinned = t > 0 ? t : 0;
}

void
clock_local(int64_t t, struct tm *tm)
{
	time_t local = (time_t)(t + CLOCK_VN_OFFSET);

	gmtime_r(&local, tm);
}

void
clock_period(int64_t t, int *year, int *half)
{
	struct tm tm;

	clock_local(t, &tm);
	*year = tm.tm_year + 1900;
	*half = tm.tm_mon < 6 ? 1 : 2;
}

int64_t
clock_from_local(int year, int mon, int day, int hour, int min)
{
	struct tm tm = {0};

	tm.tm_year = year - 1900;
	tm.tm_mon = mon - 1;
	tm.tm_mday = day;
	tm.tm_hour = hour;
	tm.tm_min = min;
	return (int64_t)timegm(&tm) - CLOCK_VN_OFFSET;
}

int64_t
clock_day_start(int64_t t)
{
	struct tm tm;

	clock_local(t, &tm);
	return clock_from_local(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, 0, 0);
}

void
clock_date(int64_t t, char *buf, size_t bufsz)
{
	struct tm tm;

	clock_local(t, &tm);
	snprintf(buf, bufsz, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}
