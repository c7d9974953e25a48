/*
 * gateway.h - the daemon: the phone, the database and the parser in one loop.
 *
 * Each turn of the loop: read every SMS on every connected modem (config
 * `modems`, or the one of `gammu`), commit it to the inbox table and only
 * then delete it from the phone; check that the SIM has room (alert
 * "sim_full"); give up waiting for the missing parts of messages older than
 * multipart_timeout; parse every new inbox row and store its reports (or its
 * rejection), the reply and the push events in one transaction; send the
 * queued replies through the modems allowed to send, in turn.  Between
 * turns the loop reads the modems in 50 ms slices, so that an SMS a modem
 * announces (+CMTI) starts a turn at once; otherwise the next turn comes
 * after poll_interval.  A modem that fails is closed and reopened with
 * backoff on its own.  SIGINT/SIGTERM end the loop after the current
 * transaction, SIGHUP reloads the configuration.
 */
#ifndef TINBAO_GATEWAY_H
#define TINBAO_GATEWAY_H

#include <stddef.h>
#include <stdint.h>

struct config;
struct store;
struct parser_result;
struct store_inmsg;

/* Runs the gateway on cfg (ownership moves to the gateway, which frees it).
 * once = 1: process what is there and return.  Returns the exit status:
 * GATEWAY_DAMAGED when it stopped because the database file is damaged
 * (a restart cannot help: the service must not be restarted on it). */
#define GATEWAY_DAMAGED 3
int gateway_run(struct config *cfg, int once);

/* 1 when a reply may be sent to sender: a phone number (not an alphanumeric
 * operator sender or a short code) that is not own (the gateway's number). */
int gateway_replyable(const char *sender, const char *own);

/* The national significant number: "+84912...", "84912..." and "0912..."
 * all give "912..."; and whether two numbers are one phone that way. */
const char *gateway_national(const char *n);
int gateway_same_number(const char *a, const char *b);

/* The reporting period of a Unix time in Vietnam (UTC+7): year and half. */
void gateway_period(int64_t t, int *year, int *half);

/* Takes the commune and trade of the reports that name a training class
 * from that class (opened earlier in the same SMS, or in st, which may be
 * NULL); a class found nowhere turns res into an unknown_class error.
 * Returns 0, or -1 on a database error. */
int gateway_resolve_classes(const struct config *cfg, struct store *st, struct parser_result *res);

/* Composes the reply to a STATUS message from the stored totals. */
int gateway_status_reply(const struct config *cfg, struct store *st,
			 const struct parser_result *res, int year, char *buf, size_t bufsz);

/* The lock of the running gateway on database (a file "<database>.lock",
 * flock): the gateway holds it while it runs, so that a command that needs
 * the modem (tinbao ussd) can tell.  Returns the descriptor to keep, or -1
 * (logged) when another process holds it or it cannot be taken. */
int gateway_lock(const char *database);

/*
 * Processes a stored message again (issue 7: `tinbao quarantine accept`,
 * `tinbao replay`) inside the caller's transaction, with the configuration
 * of the day: no limits, no reply unless GATEWAY_REPLY; GATEWAY_ACCEPT takes
 * the sender as known.  error is the row's error so far (the
 * message.rejected event is queued only for a message that was held back,
 * not refused before).  Call it only for a row in state "rejected": one
 * without reports, so that they count once.  0 or -1.
 */
#define GATEWAY_REPLAY 0x1
#define GATEWAY_ACCEPT 0x2
#define GATEWAY_REPLY 0x4
int gateway_reprocess(struct config *cfg, struct store *st, const struct store_inmsg *msg,
		      const char *error, int flags);

#endif
