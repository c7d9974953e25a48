/*
 * pipeline.c - see pipeline.h: the order of the stages, and the first ones
 * (screen, parse, authorise).
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "config.h"
#include "identity.h"
#include "log.h"
#include "pipeline.h"
#include "quota.h"
#include "senders.h"
#include "stage.h"
#include "store.h"
#include "ussd.h"

/*
 * The SMS belongs to the communes its sender is an officer of now, for the
 * console's commune filter (the reports it becomes add theirs as they are
 * stored): held back or refused, an officer's SMS is still its commune's.
 */
static int
identify(struct msgctx *c)
{
	size_t i;

	if (identity_resolve(c->cfg, c->st, c->msg->sender, &c->who) == -1)
		return -1;
	for (i = 0; i < c->who.ncommunes; i++)
		if (store_inbox_commune_add(c->st, c->msg->id, c->who.communes[i]) == -1)
			return -1;
	return 0;
}

static int
run(const struct pipeline *pl, const struct store_inmsg *msg, int flags, const char *replay_error)
{
	struct msgctx *c;
	int r;

	/* The context holds a parser result and a digest-sized reply: on the
	 * heap, not on the stack of a loop already deep in calls. */
	c = calloc(1, sizeof(*c));
	if (c == NULL) {
		log_warn("pipeline");
		return -1;
	}
	c->pl = pl;
	c->cfg = pl->cfg;
	c->st = pl->st;
	c->msg = msg;
	c->flags = flags;
	c->replay_error = replay_error;
	buf_init(&c->json);
	log_info("SMS #%" PRId64 " from %s: \"%s\"", msg->id, msg->sender, msg->text);
	r = identify(c);
	if (r == 0)
		r = stage_screen(c);
	if (r == 0)
		r = stage_parse(c);
	if (r == 0)
		r = stage_authorise(c);
	if (r == 0)
		r = stage_apply(c);
	if (r == 0)
		r = stage_answer(c);
	else if (r == 1)
		r = stage_answer_held(c);
	buf_free(&c->json);
	free(c);
	return r == -1 ? -1 : 0;
}

int
pipeline_run(const struct pipeline *pl, const struct store_inmsg *msg, int flags)
{
	return run(pl, msg, flags, NULL);
}

int
pipeline_replay(const struct config *cfg, struct store *st, const struct store_inmsg *msg,
		const char *error, int flags)
{
	struct pipeline pl = {cfg, st, NULL, NULL};

	/* A rejection the parser or the rules made was pushed for good the
	 * first time; a message held back (quarantined, over a limit) was
	 * pushed as held, and what it becomes now is pushed once more. */
	if (strcmp(error, "quarantined") != 0 && strcmp(error, "rate_limited") != 0 &&
	    strcmp(error, "loop") != 0)
		flags |= STAGE_NOPUSH;
	return run(&pl, msg, flags | PIPELINE_REPLAY, error);
}

/* ---- Screen ----------------------------------------------------------- */

/*
 * Keeps a message back without parsing or answering it, and tells the
 * district server, once: a message held again for the same reason (replayed
 * to no effect) is not pushed again.  A data SMS is refused for good; the
 * others are "held" until staff accept them or a replay takes them.
 */
int
stage_hold(struct msgctx *c, const char *why)
{
	log_info("  held back: %s", why);
	c->held = why;
	if (store_inbox_set_state(c->st, c->msg->id, "rejected", why) == -1)
		return -1;
	if (c->replay_error != NULL && strcmp(c->replay_error, why) == 0)
		return 1;
	if (stage_push_rejected(c, why, strcmp(why, "data_sms") == 0 ? "rejected" : "held") == -1)
		return -1;
	return 1;
}

/* What is held back before anything is read into it: data for an
 * application of the phone (8-bit: kept as hex, never parsed nor answered);
 * then, for a live message, the sender's hourly limit and the loop guard. */
int
stage_screen(struct msgctx *c)
{
	int r;

	if (strcmp(c->msg->coding, "8bit") == 0)
		return stage_hold(c, "data_sms");
	if (c->flags & PIPELINE_REPLAY)
		return 0;
	r = quota_over_rate(c->cfg, c->st, c->msg, clock_now());
	if (r == 1)
		return stage_hold(c, "rate_limited");
	if (r != 0)
		return r;
	r = quota_is_echo(c->st, c->msg, clock_now());
	if (r == 1)
		return stage_hold(c, "loop");
	return r;
}

/* ---- Parse ------------------------------------------------------------ */

/*
 * The text the parser reads: control characters (a NUL, which modem.c keeps
 * as U+2400, a tab, a bell...) are spaces to it, line breaks still separate
 * reports; the stored text keeps them.  A copy to free, or NULL (logged).
 */
static char *
parse_text(const char *text)
{
	const unsigned char *p = (const unsigned char *)text;
	size_t i, o = 0, n = strlen(text);
	char *t = malloc(n + 1);

	if (t == NULL) {
		log_warn("parse");
		return NULL;
	}
	for (i = 0; i < n; i++) {
		if (p[i] == 0xe2 && p[i + 1] == 0x90 && p[i + 2] == 0x80) {
			t[o++] = ' '; /* U+2400 */
			i += 2;
		} else if (p[i] < 0x20 && p[i] != '\n' && p[i] != '\r') {
			t[o++] = ' ';
		} else {
			t[o++] = (char)p[i];
		}
	}
	t[o] = '\0';
	return t;
}

/* A date typed in a report ("12/6") is when the figures were counted: the
 * period follows it when it lies in a year the configuration has a plan for
 * (without a year: the year of the message). */
static void
report_period(const struct config *cfg, const struct parser_result *res, int *year, int *half)
{
	const struct parser_item *it = &res->items[0];
	int y;

	if (res->error != PARSER_OK || res->nitems == 0 || it->day <= 0)
		return;
	y = it->year > 0 ? it->year : *year;
	if (config_plan_for(cfg, y) == NULL)
		return;
	*year = y;
	*half = it->month <= 6 ? 1 : 2;
}

/* A NAPTIEN is a command to the gateway, never parsed: its PIN is not in
 * the stored text (receive masked it) and never reaches a log. */
int
stage_parse(struct msgctx *c)
{
	const struct store_inmsg *msg = c->msg;
	char masked[64], pin[USSD_PIN_MAX + 1], *ptext;

	c->topup = ussd_topup_match(msg->text, masked, sizeof(masked), pin, sizeof(pin));
	explicit_bzero(pin, sizeof(pin));
	if (c->topup) {
		c->flags |= STAGE_NOPUSH;
		return 0;
	}
	ptext = parse_text(msg->text);
	if (ptext == NULL)
		return -1;
	parser_parse(c->cfg->parser, ptext, strlen(ptext), &c->res);
	free(ptext);
	if (pipeline_resolve_classes(c->cfg, c->st, &c->res) == -1)
		return -1;
	clock_period(msg->smsc_time != 0 ? msg->smsc_time : msg->received, &c->year, &c->half);
	report_period(c->cfg, &c->res, &c->year, &c->half);
	return 0;
}

/* ---- Authorise -------------------------------------------------------- */

/*
 * The sender policy for a NAPTIEN: only an admin's is dialled.  Anyone
 * else's is refused and logged; an unknown number's is first what
 * senders.unknown says (held in quarantine by default, so that a stranger's
 * top-up requests cost no SMS).
 */
static int
authorise_topup(struct msgctx *c)
{
	struct parser_result none;

	if (identity_has(&c->who, IDENTITY_ADMIN))
		return 0;
	log_warnx("NAPTIEN refused from %s", c->msg->sender);
	if (!(c->flags & PIPELINE_ACCEPT)) {
		memset(&none, 0, sizeof(none));
		none.error = PARSER_EMPTY;
		switch (
		    senders_check(c->cfg, &c->who, &none, &c->error, c->reply, sizeof(c->reply))) {
		case SENDERS_QUARANTINE:
			return stage_hold(c, c->error);
		case SENDERS_REJECT:
			return 0;
		case SENDERS_WARN:
		case SENDERS_OK:
			break;
		}
	}
	c->error = "not_allowed";
	snprintf(c->reply, sizeof(c->reply), "Loi: so nay khong duoc phep nap tien cho modem.");
	return 0;
}

int
stage_authorise(struct msgctx *c)
{
	if (c->topup)
		return authorise_topup(c);
	if (!(c->flags & PIPELINE_ACCEPT)) {
		switch (senders_check(c->cfg, &c->who, &c->res, &c->error, c->reply,
				      sizeof(c->reply))) {
		case SENDERS_QUARANTINE:
			return stage_hold(c, c->error);
		case SENDERS_WARN:
			log_warnx("  %s reports for %s, not its commune %s: counted "
				  "(senders.other_commune = \"warn\")",
				  c->msg->sender, c->reply, c->who.commune_code);
			c->reply[0] = '\0';
			break;
		case SENDERS_REJECT:
			log_info("  rejected: %s", c->error);
			break;
		case SENDERS_OK:
			break;
		}
	}
	/* Who may open and close classes, and whether the classes allow it. */
	if (c->error == NULL && c->res.error == PARSER_OK && c->res.kind != PARSER_CANCEL) {
		if (stage_check_classes(c) == -1)
			return -1;
		if (c->error != NULL)
			log_info("  rejected: %s", c->error);
	}
	return 0;
}
