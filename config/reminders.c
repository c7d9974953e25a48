/*
 * reminders.c - the "reminders" group: the reporting deadlines officers are
 * reminded of, and how many days before.
 */
#include <stdlib.h>
#include <string.h>

#include "impl.h"

/* "MM-DD", a day every year has (no 29 February): month * 100 + day, or -1. */
static int
mmdd(const char *v)
{
	static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int m, d;

	if (strlen(v) != 5 || v[2] != '-' || strspn(v, "0123456789") != 2 ||
	    strspn(v + 3, "0123456789") != 2)
		return -1;
	m = atoi(v);
	d = atoi(v + 3);
	if (m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
		return -1;
	return m * 100 + d;
}

static int
check_mmdd(struct loader *l, const config_setting_t *s, const char *v)
{
	if (mmdd(v) != -1)
		return 0;
	report(l, s, 0,
	       "\"%s\" must be a day \"MM-DD\" of every year (not 29 February), not \"%s\"",
	       label(s), v);
	return -1;
}

/* clang-format off */
const struct key reminders_keys[] = {
	KBOOL("enabled", 0, OFF(reminders.enabled)),
	KSTRS("deadlines", 0, 1, OFF(reminders.deadlines), OFF(reminders.ndeadlines), check_mmdd),
	KINT("days_before", 0, 0, 90, OFF(reminders.days_before)),
	KEND,
};
/* clang-format on */

/* The deadlines as month * 100 + day. */
void
finish_reminders(struct loader *l, const config_t *cf)
{
	struct config_reminders *r = &l->cfg->reminders;
	size_t i;
	int v;

	if (r->ndeadlines == 0)
		return; /* the defaults stay */
	if (r->ndeadlines > CONFIG_MAX_DEADLINES) {
		report(l, config_lookup(cf, "reminders.deadlines"), 0,
		       "at most %d deadlines, not %zu", CONFIG_MAX_DEADLINES, r->ndeadlines);
		return;
	}
	r->ndates = 0;
	for (i = 0; i < r->ndeadlines; i++) {
		v = mmdd(r->deadlines[i]);
		if (v != -1)
			r->dates[r->ndates++] = v;
	}
}
