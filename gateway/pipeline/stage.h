/*
 * stage.h - the stages of the pipeline (pipeline.h) and the context they
 * share: private to pipeline.c, classes.c, apply.c and answer.c.
 *
 * Each stage returns 0 (go on), 1 (stop: the message's outcome is recorded)
 * or -1 (a database or memory error: the caller rolls back).
 */
#ifndef TINBAO_STAGE_H
#define TINBAO_STAGE_H

#include <stdint.h>

#include "digest.h"
#include "identity.h"
#include "json.h"
#include "parser.h"

struct store_inmsg;

/* A flag of a run besides PIPELINE_*: no message.rejected event (one was
 * queued when the message was first refused; a NAPTIEN has none). */
#define STAGE_NOPUSH 0x100

struct msgctx {
	const struct pipeline *pl;
	const struct config *cfg;
	struct store *st;
	const struct store_inmsg *msg;
	int flags;		  /* PIPELINE_*, STAGE_NOPUSH */
	const char *replay_error; /* a replay: the error the message had before */
	struct identity who;	  /* its sender, resolved once */
	int topup;		  /* a NAPTIEN: a command, never parsed */
	struct parser_result res;
	int year, half;		/* the reporting period */
	const char *error;	/* why it is refused, or NULL */
	const char *held;	/* why it is held back (stage_hold()), or NULL */
	char reply[DIGEST_BUF]; /* a reply composed by a stage, or "" */
	int64_t ref;		/* the first report stored, or 0 */
	struct buf json;	/* push events */
};

int stage_screen(struct msgctx *c);
int stage_parse(struct msgctx *c);
int stage_authorise(struct msgctx *c);
int stage_apply(struct msgctx *c);
int stage_answer(struct msgctx *c);
/* The answer to a message a stage held back (0 or -1): only a quarantined
 * number is answered, see answer.c. */
int stage_answer_held(struct msgctx *c);

/* Keeps the message back without going on, and tells the district server
 * once.  1, or -1. */
int stage_hold(struct msgctx *c, const char *why);

/* Queues the message.rejected event of the message with that error and
 * state ("rejected" or "held").  0 or -1. */
int stage_push_rejected(struct msgctx *c, const char *error, const char *state);

/* Classes (classes.c): what the database must allow before a CLASS OPEN or
 * CLOSE is stored (0 fine, 1 with c->error and c->reply set, -1), and
 * storing them. */
int stage_check_classes(struct msgctx *c);
int stage_store_classes(struct msgctx *c);

/* The index of a commune or trade code among the parser's, or -1. */
int stage_commune_index(const struct parser *p, const char *code);

#endif
