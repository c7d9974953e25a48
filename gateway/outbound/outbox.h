/*
 * outbox.h - sending the outbox through a modem, like a real modem needs.
 *
 * - Rate: each modem gets at most sending.rate SMS parts in any
 *   sending.per seconds, counted from the database (outbox_parts), so a
 *   restart does not reset it.
 * - At most once: before a part goes to the modem, a row saying so (the
 *   marker: message, part, modem, time) is committed; the outcome is
 *   recorded after.  A part is never sent again once the modem may have
 *   taken it:
 *     sent     the modem answered +CMGS: <mr>; the message reference is kept
 *     refused  the modem said ERROR / +CMS ERROR before it took the SMS
 *              (libgammu fails GSM_SendSMS before writing the PDU, or the
 *              status callback reports an error): tried again later
 *     unknown  the PDU was written and no answer came (a lost
 *              acknowledgement), or the process died with the marker set:
 *              the message becomes state "sent" with error "unconfirmed",
 *              logged and counted by `tinbao status`, never sent again (an
 *              SMS the district asked for gets its sms.sent event with that
 *              error).
 *   A message of several parts resumes at its first part not sent, with the
 *   same concatenation reference, so that a refusal in the middle does not
 *   send the first parts twice.
 * - Retries: a refused message is due again after sending.retry_min
 *   seconds, doubled at each attempt up to sending.retry_max; it is failed
 *   (error kept) after sending.retries attempts.
 * - Delivery reports (sending.delivery_reports): every part asks for one;
 *   outbox_report() matches a report received by message reference,
 *   recipient and modem, and marks the message delivered or failed.
 */
#ifndef TINBAO_OUTBOX_H
#define TINBAO_OUTBOX_H

#include <signal.h>
#include <stdint.h>

struct config;
struct modem;
struct modem_sms;
struct store;

struct outbox;

/* A notice staff queue (`tinbao send`, the web console): NULL when text may
 * go out (UTF-8, no control characters but line breaks, at most
 * OUTBOX_NOTICE_MAX bytes: ten SMS parts of GSM 7-bit), or why not. */
#define OUTBOX_NOTICE_MAX 1530
const char *outbox_notice_check(const char *text);

/* Starts the sending path on st: parts left "sending" by a process that
 * died become "unknown", their messages "unconfirmed".  NULL on failure. */
struct outbox *outbox_new(struct store *st);
void outbox_free(struct outbox *ob); /* accepts NULL */

/*
 * Sends what is due through modem m, known as modem_name (the rate limit
 * and the delivery reports are per name), as far as its rate allows, and at
 * most max messages (0: no limit; several modems take turns with max 1).
 * *next (Unix time) gets when sending should be tried again: the next
 * message due or the end of the rate window, 0 when nothing is queued.
 * Stops early when *quit becomes non-zero or the modem is lost.  Returns the
 * number of messages sent whole, or -1 on a database error.
 */
int outbox_send(struct outbox *ob, const struct config *cfg, struct modem *m,
		const char *modem_name, int64_t now, const volatile sig_atomic_t *quit, int max,
		int64_t *next);

/* Stores a delivery report received by modem_name (sms->status_report set)
 * and records it on the message it is about, inside the caller's
 * transaction.  fingerprint makes a report read twice count once.  0 or -1. */
int outbox_report(struct outbox *ob, const struct modem_sms *sms, const char *modem_name,
		  const char *fingerprint, int64_t now);

#endif
