/*
 * crash.c - see crash.h.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "crash.h"

void
crash_point(const char *point)
{
	static long hits;
	const char *spec = getenv("TINBAO_CRASH");
	size_t len = strlen(point);

	if (spec == NULL || strncmp(spec, point, len) != 0 || spec[len] != ':')
		return;
	if (++hits == strtol(spec + len + 1, NULL, 10))
		raise(SIGKILL);
}
