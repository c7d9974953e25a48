/*
 * outbox.c - see outbox.h.
 */
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "config.h"
#include "crash.h"
#include "log.h"
#include "modem.h"
#include "outbox.h"
#include "parser.h"
#include "quota.h"
#include "store.h"

/* A delivery report is matched to parts sent in the last 7 days: a message
 * reference comes back every 256 SMS of a modem. */
#define REPORT_WINDOW (7 * 86400)
/* Seconds between two looks at what the daily cap holds back. */
#define CAP_RECHECK 600

struct outbox {
	struct store *st;
	int recovered; /* the parts a dead process left "sending" were marked */
};

/* Parts a process that died left "sending" become "unknown", before
 * anything is sent.  A database that cannot be written yet (disk full,
 * read-only) is not fatal: nothing is sent until this is done. */
static int
recover(struct outbox *ob)
{
	int n;

	n = store_outbox_recover(ob->st, clock_now());
	if (n == -1)
		return -1;
	if (n > 0)
		log_warnx("outbox: %d SMS were being sent when the gateway stopped; they may have "
			  "gone out and are NOT sent again (marked unconfirmed)",
			  n);
	ob->recovered = 1;
	return 0;
}

struct outbox *
outbox_new(struct store *st)
{
	struct outbox *ob;

	ob = calloc(1, sizeof(*ob));
	if (ob == NULL) {
		log_warn("outbox: calloc");
		return NULL;
	}
	ob->st = st;
	if (recover(ob) == -1 && !store_disk_error(st)) {
		free(ob);
		return NULL;
	}
	return ob;
}

void
outbox_free(struct outbox *ob)
{
	free(ob);
}

/*
 * The daily cap (limits.daily_cap): when today's SMS reach it, a
 * reply is dropped (failed, "daily cap": answering tomorrow would confuse
 * more than it helps) and anything else (digests, reminders, alerts, SMS
 * the district asked for) waits for the next day.  1 when msg must not be
 * sent now, 0 when it may, -1 on a database error.
 */
static int
over_cap(struct outbox *ob, const struct config *cfg, const struct store_outdue *msg, int64_t now)
{
	int64_t room = quota_send_room(cfg, ob->st, now);

	if (room == -1)
		return -1;
	if (room > 0)
		return 0;
	quota_cap_reached(cfg, now);
	if (strcmp(msg->reason, "reply") != 0)
		return 1;
	log_info("outbox #%" PRId64 " to %s: dropped (daily cap)", msg->id, msg->to);
	return store_outbox_set_state(ob->st, msg->id, "failed", "daily cap") == -1 ? -1 : 1;
}

/* Seconds before attempt number `attempts` + 1 of a refused message. */
static int64_t
backoff(const struct config_sending *s, int attempts)
{
	int64_t wait = s->retry_min;
	int i;

	for (i = 1; i < attempts && wait < s->retry_max; i++)
		wait *= 2;
	return wait < s->retry_max ? wait : s->retry_max;
}

/* Records the outcome of one part in its own transaction.  Returns 0 or -1. */
static int
record(struct outbox *ob, const struct config *cfg, const struct store_outdue *msg, int part,
       int64_t part_id, enum modem_outcome r, int mr, int lost, int64_t now)
{
	struct store *st = ob->st;
	const char *error;
	char day[16];

	if (store_begin(st) == -1)
		return -1;
	/* Every part that went out, or may have, counts for the day's cap,
	 * in the transaction that records it. */
	clock_date(now, day, sizeof(day));
	if ((r == MODEM_SENT || r == MODEM_UNKNOWN) && store_sent_add(st, day) == -1)
		goto fail;
	switch (r) {
	case MODEM_SENT:
		if (store_outbox_part_outcome(st, part_id, "sent", mr, NULL, now) == -1)
			goto fail;
		if (part == msg->parts && store_outbox_set_state(st, msg->id, "sent", NULL) == -1)
			goto fail;
		break;
	case MODEM_REFUSED:
		error = lost ? "modem lost" : "modem refused";
		if (store_outbox_part_outcome(st, part_id, "refused", -1, error, now) == -1)
			goto fail;
		if (lost) {
			/* Not the message's fault: it waits for the modem, its
			 * attempts untouched. */
		} else if (msg->attempts + 1 >= cfg->sending.retries) {
			if (store_outbox_set_state(st, msg->id, "failed", error) == -1)
				goto fail;
			log_warnx("outbox #%" PRId64 " to %s: failed after %d attempts", msg->id,
				  msg->to, msg->attempts + 1);
		} else if (store_outbox_retry(st, msg->id,
					      now + backoff(&cfg->sending, msg->attempts + 1),
					      error, now) == -1) {
			goto fail;
		}
		break;
	case MODEM_UNKNOWN:
		if (store_outbox_part_outcome(st, part_id, "unknown", -1,
					      "no answer from the modem", now) == -1 ||
		    store_outbox_set_state(st, msg->id, "sent", "unconfirmed") == -1)
			goto fail;
		log_warnx("outbox #%" PRId64 " to %s: part %d/%d was handed to the modem and got "
			  "no answer; it may have gone out: marked unconfirmed, not sent again",
			  msg->id, msg->to, part, msg->parts);
		break;
	}
	if (store_commit(st) == -1)
		goto fail;
	return 0;
fail:
	store_rollback(st);
	return -1;
}

/* Commits the marker of one part.  0 or -1. */
static int
mark(struct outbox *ob, struct store_outdue *msg, int part, int first, int report,
     const char *modem_name, int64_t now, int64_t *part_id)
{
	struct store *st = ob->st;
	int ok;

	if (store_begin(st) == -1)
		return -1;
	ok = (!first ||
	      store_outbox_set_parts(st, msg->id, msg->parts, msg->concat_ref, report) == 0) &&
	     store_outbox_part_mark(st, msg->id, part, modem_name, now, part_id) == 0;
	if (ok && store_commit(st) == 0)
		return 0;
	store_rollback(st);
	return -1;
}

/*
 * Sends the parts of one message that are not sent yet, at most *budget of
 * them.  Returns 1 when the message was sent whole, 0 when not (yet), -1 on
 * a database error.
 */
static int
send_message(struct outbox *ob, const struct config *cfg, struct modem *m, const char *modem_name,
	     struct store_outdue *msg, int64_t now, int *budget)
{
	int report = cfg->sending.delivery_reports, ref = msg->concat_ref;
	int n, part, mr, first = msg->parts == 0;
	enum modem_outcome r;
	int64_t part_id;

	n = modem_prepare(m, msg->to, msg->text, report, &ref);
	if (n == -1 || (msg->parts != 0 && n != msg->parts)) {
		/* Cannot happen again on another attempt: fail it now. */
		if (store_outbox_set_state(ob->st, msg->id, "failed", "cannot encode") == -1)
			return -1;
		return 0;
	}
	msg->parts = n;
	msg->concat_ref = ref;
	for (part = msg->parts_sent + 1; part <= n && *budget > 0; part++) {
		if (mark(ob, msg, part, first, report, modem_name, now, &part_id) == -1)
			return -1;
		first = 0;
		crash_point("sending");
		r = modem_send_part(m, part - 1, &mr);
		(*budget)--;
		crash_point("sent");
		if (record(ob, cfg, msg, part, part_id, r, mr, modem_lost(m), now) == -1)
			return -1;
		if (r != MODEM_SENT)
			return 0;
		log_debug("outbox #%" PRId64 " to %s: part %d/%d sent (reference %d)", msg->id,
			  msg->to, part, n, mr);
	}
	return part > n;
}

int
outbox_send(struct outbox *ob, const struct config *cfg, struct modem *m, const char *modem_name,
	    int64_t now, const volatile sig_atomic_t *quit, int max, int64_t *next)
{
	const struct config_sending *s = &cfg->sending;
	struct store_outdue msg;
	int64_t used, oldest, after = 0, due;
	int budget, r, sent = 0, tried = 0, capped = 0;

	*next = 0;
	if (!ob->recovered && recover(ob) == -1)
		return -1;
	if (store_outbox_rate(ob->st, modem_name, now - s->per, &used, &oldest) == -1)
		return -1;
	budget = used >= s->rate ? 0 : s->rate - (int)used;
	while (budget > 0 && !*quit && !modem_lost(m) && (max == 0 || tried < max)) {
		r = store_outbox_due(ob->st, after, now, &msg);
		if (r != 1) {
			if (r == -1)
				return -1;
			break;
		}
		after = msg.id;
		r = over_cap(ob, cfg, &msg, now);
		if (r != 0) {
			store_outdue_clear(&msg);
			if (r == -1)
				return -1;
			capped = 1;
			continue;
		}
		tried++;
		r = send_message(ob, cfg, m, modem_name, &msg, now, &budget);
		if (r == 1) {
			sent++;
			log_debug("outbox #%" PRId64 " to %s: sent", msg.id, msg.to);
		}
		store_outdue_clear(&msg);
		if (r == -1)
			return -1;
	}
	r = store_outbox_next_due(ob->st, &due);
	if (r == -1)
		return -1;
	if (r == 1 && capped) {
		/* What waits for the next day is looked at again now and then. */
		*next = now + CAP_RECHECK;
	} else if (r == 1) {
		*next = due > now ? due : now;
		if (budget == 0) {
			/* Full: the window frees a part when its oldest leaves it. */
			if (store_outbox_rate(ob->st, modem_name, now - s->per, &used, &oldest) ==
			    -1)
				return -1;
			if (oldest + s->per + 1 > *next)
				*next = oldest + s->per + 1;
		}
	}
	return sent;
}

int
outbox_report(struct outbox *ob, const struct modem_sms *sms, const char *modem_name,
	      const char *fingerprint, int64_t now)
{
	struct store_status_report r = {modem_name,	sms->sender, sms->mr,	 sms->report_status,
					sms->smsc_time, now,	     fingerprint};
	int rc;

	rc = store_status_report_add(ob->st, &r, now - REPORT_WINDOW);
	if (rc == -1)
		return -1;
	if (rc == 1)
		log_info("delivery report from %s: reference %d %s", sms->sender, sms->mr,
			 sms->report_status == 0 ? "delivered" : "failed");
	else
		log_info("delivery report from %s: reference %d, status %d (no outcome recorded)",
			 sms->sender, sms->mr, sms->report_status);
	return 0;
}

const char *
outbox_notice_check(const char *text)
{
	const unsigned char *p;
	size_t len = strlen(text);

	if (len == 0)
		return "empty text";
	if (len > OUTBOX_NOTICE_MAX)
		return "text too long (at most 10 SMS)";
	if (!parser_utf8_valid(text, len))
		return "text is not valid UTF-8";
	for (p = (const unsigned char *)text; *p != '\0'; p++) {
		if ((*p < 0x20 && *p != '\n') || *p == 0x7f)
			return "control character in the text";
	}
	return NULL;
}
