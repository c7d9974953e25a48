/*
 * digest.h - what district staff and commune officers get without asking,
 * and the progress shown in replies.
 *
 *  - The district digest, at most two SMS (306 GSM 7-bit characters, or 134
 *    UCS-2 ones with diacritics): the reports stored since the last digest
 *    by kind, the year's trainees against the plan (600-800), the
 *    employment rate (80%) and the trained share of the labour force (60%)
 *    against their targets, the communes reminded since the last digest and
 *    those that have sent nothing for digest.silent_days.  Sent on schedule
 *    (daily, or weekly on given days, at a time) to the staff numbers; TK
 *    from a staff number gets it on demand.
 *  - Reminders: from reminders.days_before a reporting deadline until the
 *    deadline itself, each commune that has reported nothing in the
 *    deadline's half-year (January-June for a deadline in June) gets one
 *    SMS per officer number, at most once per reminder date.
 *  - Scheduled SMS (digests, reminders) never go out in quiet hours, nor
 *    more than scheduled.max_per_day of them to one number on one day: a
 *    digest held back by the limit is skipped for that number, a reminder
 *    goes on a later day of its window.
 *
 * Days, times and periods are Vietnam time.  Every decision is made on the
 * time given (the gateway's clock_now()), and what was sent is kept in the
 * database, so that a restart resends nothing.
 */
#ifndef TINBAO_DIGEST_H
#define TINBAO_DIGEST_H

#include <stddef.h>
#include <stdint.h>

struct config;
struct store;

#define DIGEST_GSM 306	/* two concatenated GSM 7-bit SMS of 153 characters */
#define DIGEST_UCS2 134 /* two concatenated UCS-2 SMS of 67 characters */
#define DIGEST_BUF 1024 /* enough for any digest, reminder or reply, in bytes */

/*
 * One call per turn of the gateway's loop, outside any transaction: queues
 * the reminders that are due, then the digest when its time has come, each
 * batch in its own transaction.  Returns the number of SMS queued, or -1.
 */
int digest_tick(const struct config *cfg, struct store *st, int64_t now);

/* 1 when no scheduled SMS may go out at now (quiet hours), else 0. */
int digest_quiet(const struct config *cfg, int64_t now);

/* The district digest as it would be sent at now, with the reports stored
 * since the last digest (or since the scheduled time before it when there
 * was none).  buf gets at most DIGEST_GSM characters (DIGEST_UCS2 with
 * digest.diacritics); bufsz should be DIGEST_BUF.  0 or -1. */
int digest_compose(const struct config *cfg, struct store *st, int64_t now, char *buf,
		   size_t bufsz);

/* The reminder a commune's officers get for the deadline month * 100 + day
 * of year; within one SMS, with diacritics as the replies.  0 or -1. */
int digest_reminder_text(const struct config *cfg, int commune, int year, int deadline, char *buf,
			 size_t bufsz);

/*
 * Appends the commune's running total for the year to a confirmation:
 * "Luy ke 2022 xa Minh Son: 120 HV", with "/KH 150" when the commune has
 * a share of the plan.  The whole stays within one SMS (160 characters, 70
 * with diacritics as the replies): the total is shortened first, then the
 * confirmation is cut at a word.  Call after the report was stored, in the
 * same transaction.  0 or -1 (reply is then unchanged).
 */
int digest_running_total(const struct config *cfg, struct store *st, int commune, int year,
			 char *reply, size_t replysz);
/* The same with the total of the kind reported: "Luy ke 2022 xa Minh Son:
 * 80 HV tot nghiep" after a GRAD, "35 co viec lam (44%)" after a JOB (the
 * share of the completions), "nhu cau 200 nguoi" after a NEED; the
 * enrolments for the other kinds. */
int digest_running_total_of(const struct config *cfg, struct store *st, int kind, int commune,
			    int year, char *reply, size_t replysz);

/* The SMS characters UTF-8 text takes: GSM 7-bit septets (dia == 0, the
 * text being plain ASCII) or UTF-16 units (dia != 0). */
size_t digest_sms_units(const char *s, int dia);

#endif
