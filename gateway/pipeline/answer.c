/*
 * answer.c - the stage that answers (stage.h): the only one that queues
 * replies.  It records what the message became (the inbox row's state),
 * composes the reply a stage before did not (the confirmation with the
 * running total, or the error saying how to fix it), and queues it within
 * the sender's limits.  Of the messages held back, it answers the ones of
 * numbers the registry does not know, quarantined: once in a while, to say
 * whom to call.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "config.h"
#include "digest.h"
#include "log.h"
#include "parser.h"
#include "phone.h"
#include "pipeline.h"
#include "quota.h"
#include "stage.h"
#include "store.h"

#define SMS_MAX 160 /* one GSM 7-bit SMS */

/*
 * The reply to a message processed without some of its parts: the officer
 * is told which parts never came, in front of the usual reply when both fit
 * one SMS, else in an SMS of its own after it.
 */
static int
reply_incomplete(struct msgctx *c)
{
	const struct store_inmsg *msg = c->msg;
	const char *reply = c->reply;
	char notice[SMS_MAX + 1], both[2 * SMS_MAX];
	int n;

	n = snprintf(both, sizeof(both), "Tin nhan thieu phan %s. %s", msg->missing, reply);
	if (n > 0 && n <= SMS_MAX) {
		if (store_outbox_add(c->st, msg->sender, both, "reply", msg->id, NULL) == -1)
			return -1;
		log_info("  reply to %s: %s", msg->sender, both);
		return 0;
	}
	snprintf(notice, sizeof(notice),
		 "Tin nhan thieu phan %s (cho qua %d phut). Da xu ly phan nhan duoc; vui long "
		 "gui lai noi dung phan thieu.",
		 msg->missing, (c->cfg->multipart_timeout + 59) / 60);
	if (store_outbox_add(c->st, msg->sender, reply, "reply", msg->id, NULL) == -1 ||
	    store_outbox_add(c->st, msg->sender, notice, "reply", msg->id, NULL) == -1)
		return -1;
	log_info("  reply to %s: %s / %s", msg->sender, reply, notice);
	return 0;
}

/* The confirmation of what was understood, or the error with an example
 * naming the sender's own commune. */
static void
compose(struct msgctx *c)
{
	const struct parser_result *res = &c->res;

	parser_reply_for(c->cfg->parser, res, (long)c->ref, c->cfg->reply_diacritics,
			 c->who.commune, c->reply, sizeof(c->reply));
	/* Reports of a commune (ENROL ... LABOUR) show its running total of the
	 * kind reported; a nicety: the confirmation goes without it if it
	 * fails. */
	if (c->ref > 0 && res->kind <= PARSER_LABOUR && res->items[0].commune >= 0 &&
	    digest_running_total_of(c->cfg, c->st, res->items[0].kind, res->items[0].commune,
				    c->year, c->reply, sizeof(c->reply)) == -1)
		log_warnx("  reply without the running total");
}

int
stage_answer(struct msgctx *c)
{
	const struct store_inmsg *msg = c->msg;
	const char *why = NULL;
	int r = 0, replyable;

	if (c->reply[0] == '\0' && !c->topup)
		compose(c);
	if (store_inbox_set_state(c->st, msg->id, c->error == NULL ? "accepted" : "rejected",
				  c->error) == -1)
		return -1;
	if (msg->missing[0] != '\0')
		log_info("  incomplete: part %s missing", msg->missing);
	/* The sender's reply limits count live messages only, not replays. */
	replyable = phone_replyable(msg->sender, c->cfg->own_number);
	if (!(c->flags & PIPELINE_REPLAY) && replyable) {
		r = quota_hold_reply(c->cfg, c->st, msg, clock_now(), &why);
		if (r == -1)
			return -1;
	}
	if ((c->flags & PIPELINE_REPLAY) && !(c->flags & PIPELINE_REPLY)) {
		log_info("  no reply (replayed)");
	} else if ((c->flags & PIPELINE_REPLAY) && c->error != NULL && c->replay_error != NULL &&
		   strcmp(c->error, c->replay_error) == 0) {
		/* The sender was told this already. */
		log_info("  no reply (replayed, still %s)", c->error);
	} else if (!replyable) {
		log_info("  no reply: %s is not a phone number we answer", msg->sender);
	} else if (r != 0) {
		log_info("  no reply: limit %s", why);
	} else if (msg->missing[0] != '\0') {
		if (reply_incomplete(c) == -1)
			return -1;
	} else {
		if (store_outbox_add(c->st, msg->sender, c->reply, "reply", msg->id, NULL) == -1)
			return -1;
		log_info("  reply to %s: %s", msg->sender, c->reply);
	}
	return 0;
}

/* How the SMS to an unregistered number starts: how it is found again in
 * the outbox, whatever the contact it names. */
#define UNREGISTERED "So dien thoai nay chua dang ky bao cao"

/*
 * A number nobody registered whose SMS went to quarantine is told so, and
 * whom to call, at most once in senders.unknown_reply_days (the window runs
 * on the wall clock the store stamps outbox rows with), within the usual
 * reply limits.  Never for a replay, a NAPTIEN (a stranger's top-up costs
 * no SMS), nor a sender that is no phone.
 */
int
stage_answer_held(struct msgctx *c)
{
	const struct store_inmsg *msg = c->msg;
	const struct config_senders *cs = &c->cfg->senders;
	char text[SMS_MAX + 1];
	const char *why = NULL;
	int64_t n;
	int r;

	if (c->held == NULL || strcmp(c->held, "quarantined") != 0 ||
	    (c->flags & PIPELINE_REPLAY) || c->topup || cs->unknown_reply_days <= 0)
		return 0;
	if (!c->who.phone || !phone_replyable(msg->sender, c->cfg->own_number)) {
		log_info("  no reply: %s is not a phone number we answer", msg->sender);
		return 0;
	}
	n = store_replies_starting(c->st, msg->sender, UNREGISTERED,
				   (int64_t)time(NULL) -
				       (int64_t)cs->unknown_reply_days * QUOTA_DAY);
	if (n != 0) {
		if (n > 0)
			log_info("  no reply: told it is not registered already");
		return n > 0 ? 0 : -1;
	}
	r = quota_hold_reply(c->cfg, c->st, msg, clock_now(), &why);
	if (r != 0) {
		if (r == 1)
			log_info("  no reply: limit %s", why);
		return r == 1 ? 0 : -1;
	}
	snprintf(text, sizeof(text),
		 UNREGISTERED ". De dang ky, xin lien he Phong LDTBXH huyen%s%s. Xin cam on!",
		 cs->contact != NULL ? ", so " : "", cs->contact != NULL ? cs->contact : "");
	if (store_outbox_add(c->st, msg->sender, text, "reply", msg->id, NULL) == -1)
		return -1;
	log_info("  reply to %s: %s", msg->sender, text);
	return 0;
}
