/*
 * quota.h - abuse and loops: per-sender limits, the reply-loop
 * guard and the daily cap on sent SMS.  Every count comes from the database,
 * so that a restart forgets nothing.
 *
 *   limits.per_sender_hour  SMS of one sender processed in an hour; the ones
 *                           over it are stored as rejected "rate_limited",
 *                           not counted and not answered, until replayed
 *                           (`tinbao replay --error rate_limited`).
 *   limits.replies_per_day  replies to one sender in 24 hours; the message
 *                           is still processed and counted, not answered.
 *   limits.identical        identical SMS of one sender answered in 24
 *                           hours; the next ones are counted, not answered.
 *   limits.daily_cap        SMS sent in a day (Vietnam time).  At the cap,
 *                           replies are dropped (failed, "daily cap": a late
 *                           confirmation is worth less than the credit) and
 *                           digests, reminders and district SMS wait for the
 *                           next day.
 *
 * now is the gateway's clock (clock_now()); the windows over outbox rows
 * (replies per day, the loop guard) follow the wall clock the store stamps
 * them with.
 *
 * A message equal to an SMS the gateway queued in the last 24 hours (its own
 * reply echoed by another machine) is never parsed nor answered: stored as
 * rejected "loop".  A limit of 0 is no limit.  Each limit is logged once
 * when it is reached, not for every SMS over it.
 */
#ifndef TINBAO_QUOTA_H
#define TINBAO_QUOTA_H

#include <stdint.h>

struct config;
struct store;
struct store_inmsg;

#define QUOTA_DAY (24 * 3600)

/* Whether msg is over its sender's processing limit: 1 over, 0 not, -1. */
int quota_over_rate(const struct config *cfg, struct store *st, const struct store_inmsg *msg,
		    int64_t now);
/* Whether msg repeats one of the gateway's own SMS: 1 yes, 0 no, -1. */
int quota_is_echo(struct store *st, const struct store_inmsg *msg, int64_t now);
/* Whether the reply to msg must be held back (identical messages, replies
 * per day): 1 held back (*why says which), 0 not, -1. */
int quota_hold_reply(const struct config *cfg, struct store *st, const struct store_inmsg *msg,
		     int64_t now, const char **why);
/* How many more SMS may be sent today: the cap less what was sent on the
 * day of now (Vietnam), never below 0; INT64_MAX without a cap; -1. */
int64_t quota_send_room(const struct config *cfg, struct store *st, int64_t now);
/* Logs that the daily cap was reached, once per day. */
void quota_cap_reached(const struct config *cfg, int64_t now);

#endif
