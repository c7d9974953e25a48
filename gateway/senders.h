/*
 * senders.h - who may report what.
 *
 * The registry (store table senders) names the numbers that report: an
 * officer for one commune, a training class, district staff, an admin.  The
 * configuration's lists count as well: a commune's officers are officers of
 * that commune, the digest's recipients are district staff, the classes'
 * numbers are classes.  An inactive registry entry does not count.
 *
 * What happens to a message from a number nobody knows is the policy
 * senders.unknown: "reject" (stored, refused with a reply), "quarantine"
 * (stored, not counted, not answered, listed in `tinbao quarantine` and the
 * district digest until accepted) or "accept".  An officer's report for
 * another commune is refused or, with senders.other_commune = "warn",
 * counted with a warning in the log.  A sender that is no Vietnamese phone
 * number (an operator's name, a short code, another country) can never be
 * registered: under "quarantine" its messages are refused, never answered.
 */
#ifndef TINBAO_SENDERS_H
#define TINBAO_SENDERS_H

#include <stddef.h>

struct config;
struct store;
struct parser_result;

enum senders_role {
	SENDERS_UNKNOWN,
	SENDERS_OFFICER,
	SENDERS_CLASS,
	SENDERS_DISTRICT,
	SENDERS_ADMIN,
};

/* What is known of a number. */
struct senders_who {
	enum senders_role role;
	char commune_code[16]; /* officers: the commune they report for, or "" */
	char name[96];	       /* "" when only the configuration knows it */
	int phone;	       /* 1: a Vietnamese subscriber number */
};

/* What to do with a message. */
enum senders_verdict {
	SENDERS_OK,	    /* process it */
	SENDERS_WARN,	    /* process it; an officer reported for another commune */
	SENDERS_REJECT,	    /* refuse it, with a reply (error in *error) */
	SENDERS_QUARANTINE, /* hold it, silently, until accepted */
};

/* The role name ("officer", ...) and back (-1 for an unknown name). */
const char *senders_role_name(enum senders_role role);
int senders_role_parse(const char *name);

/* Finds out who sender is: the registry first, then the configuration.
 * 0 (who->role SENDERS_UNKNOWN when nobody knows it), or -1 on a database
 * error. */
int senders_lookup(const struct config *cfg, struct store *st, const char *sender,
		   struct senders_who *who);

/* The policy for a parsed message from who: its verdict, and for
 * SENDERS_REJECT the error code ("unknown_sender", "other_commune") and the
 * reply (one SMS) in reply.  For SENDERS_WARN, reply gets the commune code
 * the report was for. */
enum senders_verdict senders_check(const struct config *cfg, const struct senders_who *who,
				   const struct parser_result *res, const char **error, char *reply,
				   size_t replysz);

/* Whether who is district staff or an admin (TK digests, classes). */
int senders_is_staff(const struct senders_who *who);
/* Whether who may open and close classes by the registry (staff, classes). */
int senders_may_manage_classes(const struct senders_who *who);

#endif
