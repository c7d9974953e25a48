/*
 * digest.c - the "digest" group: the SMS digest for district staff, its
 * recipients and schedule (gateway/outbound/digest.h).
 */
#include <string.h>

#include "impl.h"

static const char *const weekdays[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat", NULL};

static int
check_weekday(struct loader *l, const config_setting_t *s, const char *v)
{
	return one_of(l, s, v, weekdays,
		      "\"mon\", \"tue\", \"wed\", \"thu\", \"fri\", \"sat\" or \"sun\"");
}

static int
check_schedule(struct loader *l, const config_setting_t *s, const char *v)
{
	static const char *const w[] = {"daily", "weekly", NULL};

	return one_of(l, s, v, w, "\"daily\" or \"weekly\"");
}

/* clang-format off */
const struct key digest_keys[] = {
	KSTRS("recipients", 1, 1, OFF(digest.recipients), OFF(digest.nrecipients), check_phone),
	KSTR("schedule", 0, OFF(digest.schedule), check_schedule),
	KSTR("time", 0, OFF(digest.time), check_hhmm),
	KSTRS("days", 0, 1, OFF(digest.days), OFF(digest.ndays), check_weekday),
	KBOOL("diacritics", 0, OFF(digest.diacritics)),
	KINT("silent_days", 0, 1, 366, OFF(digest.silent_days)),
	KEND,
};
/* clang-format on */

/* The time in minutes and the days as bits; a weekly digest needs days. */
void
finish_digest(struct loader *l, const config_t *cf)
{
	struct config_digest *d = &l->cfg->digest;
	const config_setting_t *g = config_lookup(cf, "digest");
	size_t i, k;

	if (d->time != NULL && hhmm(d->time) != -1)
		d->at = hhmm(d->time);
	if (d->ndays > 0)
		d->weekdays = 0;
	for (i = 0; i < d->ndays; i++) {
		for (k = 0; weekdays[k] != NULL; k++) {
			if (strcmp(d->days[i], weekdays[k]) == 0)
				d->weekdays |= 1 << k;
		}
	}
	if (g == NULL)
		return;
	if (d->schedule != NULL && strcmp(d->schedule, "weekly") == 0) {
		if (d->ndays == 0)
			report(l, g, 0,
			       "a weekly digest needs \"days\", e.g. [ \"mon\", \"thu\" ]");
	} else {
		d->weekdays = 0x7f;
		if (d->ndays > 0)
			report(l, config_lookup(cf, "digest.days"), 1,
			       "\"days\" is ignored unless schedule = \"weekly\"");
	}
}
