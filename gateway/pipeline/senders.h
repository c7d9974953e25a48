/*
 * senders.h - the sender policy: may this number report what it sent?
 *
 * The authorise stage of the pipeline (pipeline.h).  Who a number is comes
 * from the registry (identity.h), resolved once when the message entered.
 * What happens to a message from a number nobody knows is the policy
 * senders.unknown: "reject" (stored, refused with a reply), "quarantine"
 * (stored, not counted, not answered, listed in `tinbao quarantine` and the
 * district digest until accepted) or "accept".  An officer's report for
 * another commune is refused or, with senders.other_commune = "warn",
 * counted with a warning in the log; district staff and admins report for
 * any commune.  A sender that is no Vietnamese phone number (an operator's
 * name, a short code, another country) can never be registered: under
 * "quarantine" its messages are refused, never answered.
 */
#ifndef TINBAO_SENDERS_H
#define TINBAO_SENDERS_H

#include <stddef.h>

struct config;
struct identity;
struct parser_result;

/* What to do with a message. */
enum senders_verdict {
	SENDERS_OK,	    /* process it */
	SENDERS_WARN,	    /* process it; an officer reported for another commune */
	SENDERS_REJECT,	    /* refuse it, with a reply (error in *error) */
	SENDERS_QUARANTINE, /* hold it, silently, until accepted */
};

/* The policy for a parsed message from who: its verdict, and for
 * SENDERS_REJECT the error code ("unknown_sender", "other_commune") and the
 * reply (one SMS) in reply.  For SENDERS_WARN, reply gets the commune code
 * the report was for. */
enum senders_verdict senders_check(const struct config *cfg, const struct identity *who,
				   const struct parser_result *res, const char **error, char *reply,
				   size_t replysz);

#endif
