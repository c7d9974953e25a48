/*
 * pipeline.h - one message, stages in order.
 *
 * Every SMS the gateway stores (from a modem, or imported from another
 * program) is processed by pipeline_run(), inside the caller's transaction,
 * as the same stages over one context (stage.h), top to bottom:
 *
 *   identify   its sender becomes one identity (identity.h), once; the SMS
 *              belongs to the communes it is an officer of (the console's
 *              commune filter)
 *   screen     data SMS, the loop guard and the hourly limit hold it back
 *   parse      the grammar (parser.h), or a command the parser never sees
 *              (NAPTIEN); classes named in reports, the reporting period
 *   authorise  the sender policy (senders.h), who may top up, open and
 *              close classes
 *   apply      the only stage that writes reports: store them, CANCEL,
 *              classes, TK (the figures), NAPTIEN (the dial), and the push
 *              events of what the message became
 *   answer     the only stage that queues replies: the inbox row's state,
 *              the reply within the sender's limits
 *
 * A stage either lets the message go on or stops it with its outcome
 * recorded (held back, refused).  `tinbao replay` and `quarantine accept`
 * run the same stages with their flags (pipeline_replay()).  Nothing here
 * talks to a modem or the network: the daemon hands in the one modem action
 * a message can ask for (dialling a top-up) as a function.
 */
#ifndef TINBAO_PIPELINE_H
#define TINBAO_PIPELINE_H

#include <stddef.h>
#include <stdint.h>

struct config;
struct identity;
struct parser_result;
struct store;
struct store_inmsg;

/* Flags of a run. */
#define PIPELINE_REPLAY 0x1 /* no limits, no reply unless PIPELINE_REPLY */
#define PIPELINE_ACCEPT 0x2 /* the sender is taken as known */
#define PIPELINE_REPLY 0x4  /* a replay answers when the outcome changed */

struct pipeline {
	const struct config *cfg;
	struct store *st;
	/*
	 * Dials the NAPTIEN of inbox row msg for who (an admin) when its PIN
	 * was kept in memory (the daemon): 1 dialled, 0 not (reply says why),
	 * -1 on a database error; the PIN is forgotten either way.  Returns
	 * -2 when no PIN is kept for that row.  NULL: none ever is.  The
	 * daemon dials outside any transaction: it commits the run's
	 * transaction first and opens a new one after (such a message has a
	 * transaction of its own).
	 */
	int (*topup)(void *arg, const struct store_inmsg *msg, const struct identity *who,
		     char *reply, size_t replysz);
	void *topup_arg;
};

/* Processes one stored message in state "new" (pl's transaction).  0 or
 * -1 (then roll back: nothing of it must stay). */
int pipeline_run(const struct pipeline *pl, const struct store_inmsg *msg, int flags);

/*
 * Processes a stored message again (`tinbao quarantine accept`, `tinbao
 * replay`) inside the caller's transaction, with the configuration of the
 * day, with PIPELINE_REPLAY and flags.  error is the row's error so far (the
 * message.rejected event is queued only for a message that was held back,
 * not refused before).  Call it only for a row in state "rejected": one
 * without reports, so that they count once.  0 or -1.
 */
int pipeline_replay(const struct config *cfg, struct store *st, const struct store_inmsg *msg,
		    const char *error, int flags);

/* Queues the message.rejected event ("state": "rejected") of a held
 * message that staff refused, in the caller's transaction.  0 or -1. */
int pipeline_reject(struct store *st, const struct store_inmsg *msg, const char *error);

/* Takes the commune and trade of the reports that name a training class
 * from that class (opened earlier in the same SMS, or in st, which may be
 * NULL); a class found nowhere turns res into an unknown_class error.
 * Returns 0, or -1 on a database error. */
int pipeline_resolve_classes(const struct config *cfg, struct store *st, struct parser_result *res);

/* Composes the reply to a STATUS message naming a commune (or the district,
 * with none) from the stored totals of year. */
int pipeline_status_reply(const struct config *cfg, struct store *st,
			  const struct parser_result *res, int year, char *buf, size_t bufsz);

#endif
