/*
 * quota.c - see quota.h.
 */
#include <inttypes.h>
#include <stdatomic.h>
#include <stdint.h>
#include <time.h>

#include "clock.h"
#include "config.h"
#include "quota.h"
#include "log.h"
#include "store.h"

int
quota_over_rate(const struct config *cfg, struct store *st, const struct store_inmsg *msg,
		int64_t now)
{
	int64_t n, max = cfg->limits.per_sender_hour;

	if (max <= 0)
		return 0;
	n = store_inbox_recent(st, msg->sender, NULL, now - 3600, msg->id);
	if (n == -1)
		return -1;
	if (n < max)
		return 0;
	if (n == max)
		log_warnx("%s sent more than %" PRId64 " SMS in an hour: stored, not processed "
			  "nor answered until replayed (said once per hour)",
			  msg->sender, max);
	return 1;
}

int
quota_is_echo(struct store *st, const struct store_inmsg *msg, int64_t now)
{
	/* The store stamps outbox rows with the wall clock. */
	int64_t n = store_outbox_text_seen(st, msg->text, (int64_t)time(NULL) - QUOTA_DAY);

	if (n == -1)
		return -1;
	return n > 0;
}

int
quota_hold_reply(const struct config *cfg, struct store *st, const struct store_inmsg *msg,
		 int64_t now, const char **why)
{
	int64_t n, max = cfg->limits.identical;

	if (max > 0) {
		n = store_inbox_recent(st, msg->sender, msg->text, now - QUOTA_DAY, msg->id);
		if (n == -1)
			return -1;
		if (n >= max) {
			if (n == max)
				log_warnx("%s sent the same SMS %" PRId64 " times today: no more "
					  "replies to it (said once)",
					  msg->sender, max + 1);
			*why = "identical";
			return 1;
		}
	}
	max = cfg->limits.replies_per_day;
	if (max > 0) {
		n = store_replies_recent(st, msg->sender, (int64_t)time(NULL) - QUOTA_DAY);
		if (n == -1)
			return -1;
		if (n >= max) {
			*why = "replies_per_day";
			return 1;
		}
		if (n == max - 1)
			log_warnx("%s reached %" PRId64 " replies in 24 hours: no more replies "
				  "to it for now (said once)",
				  msg->sender, max);
	}
	return 0;
}

int64_t
quota_send_room(const struct config *cfg, struct store *st, int64_t now)
{
	char day[16];
	int64_t sent;

	if (cfg->limits.daily_cap <= 0)
		return INT64_MAX;
	clock_date(now, day, sizeof(day));
	sent = store_sent_count(st, day);
	if (sent == -1)
		return -1;
	return sent >= cfg->limits.daily_cap ? 0 : cfg->limits.daily_cap - sent;
}

void
quota_cap_reached(const struct config *cfg, int64_t now)
{
	/* Said once a day by whichever thread reaches the cap first. */
	static _Atomic int64_t logged_day;
	int64_t day = clock_day_start(now);

	if (atomic_exchange(&logged_day, day) == day)
		return;
	log_warnx("daily cap of %d sent SMS reached: replies are dropped, digests and "
		  "reminders wait for tomorrow",
		  cfg->limits.daily_cap);
}
