/*
 * gateway.h - the daemon: the phone, the database and the parser in one loop.
 *
 * Each turn of the loop: read every SMS on every connected modem (config
 * `modems`, or the one of `gammu`), commit it to the inbox table and only
 * then delete it from the phone; check that the SIM has room (alert
 * "sim_full"); give up waiting for the missing parts of messages older than
 * multipart_timeout; run every new inbox row through the pipeline
 * (pipeline.h: its reports or its rejection, the reply and the push events
 * in one transaction, 64 rows to a transaction); send the
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

/* Runs the gateway on cfg (ownership moves to the gateway, which frees it).
 * once = 1: process what is there and return.  Returns the exit status:
 * GATEWAY_DAMAGED when it stopped because the database file is damaged
 * (a restart cannot help: the service must not be restarted on it). */
#define GATEWAY_DAMAGED 3
int gateway_run(struct config *cfg, int once);

/* The lock of the running gateway on database (a file "<database>.lock",
 * flock): the gateway holds it while it runs, so that a command that needs
 * the modem (tinbao ussd) can tell.  Returns the descriptor to keep, or -1
 * (logged) when another process holds it or it cannot be taken. */
int gateway_lock(const char *database);
/* Whether a gateway holds that lock now, asked without taking it for
 * longer than the question: 1 yes, 0 no, -1 cannot tell. */
int gateway_running(const char *database);

/*
 * SMS another program received (`tinbao import-smsd`), taken over through
 * the same door as a modem's: each is stored (its sender in E.164 form,
 * parts joined, the same SMS twice counted on its row), in one transaction
 * with the record of its source row, so that a second import of the same
 * rows changes nothing; then processed as a replay, without limits and
 * without a reply (pipeline.h), and pushed like any SMS.  source names the
 * program (it stands as the modem of those rows).  gateway_import_sms(): 1 taken, 0
 * already imported (key, the source's own row key), -1.
 * gateway_import_end(): joins the source's parts that will never be
 * complete, processes its new rows, and commits (or rolls everything back
 * when commit is 0 or anything failed); returns how many messages were
 * processed, or -1.  received: Unix time the other program got the SMS.
 */
struct gateway_import;
struct modem_sms;
struct gateway_import *gateway_import_begin(struct config *cfg, struct store *st,
					    const char *source);
int gateway_import_sms(struct gateway_import *imp, const char *key, struct modem_sms *sms,
		       int64_t received);
long gateway_import_end(struct gateway_import *imp, int commit);

#endif
