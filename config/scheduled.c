/*
 * scheduled.c - the "scheduled" group: the quiet hours and the daily limit of
 * the SMS the gateway sends by itself (digests, reminders).
 */
#include "impl.h"

/* clang-format off */
const struct key scheduled_keys[] = {
	KSTR("quiet_from", 0, OFF(scheduled.quiet_from), check_hhmm),
	KSTR("quiet_to", 0, OFF(scheduled.quiet_to), check_hhmm),
	KINT("max_per_day", 0, 1, 100, OFF(scheduled.max_per_day)),
	KEND,
};
/* clang-format on */

/* The quiet hours in minutes. */
void
finish_scheduled(struct loader *l, const config_t *cf)
{
	struct config_scheduled *q = &l->cfg->scheduled;

	if (q->quiet_from != NULL && hhmm(q->quiet_from) != -1)
		q->from = hhmm(q->quiet_from);
	if (q->quiet_to != NULL && hhmm(q->quiet_to) != -1)
		q->to = hhmm(q->quiet_to);
}
