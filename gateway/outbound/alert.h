/*
 * alert.h - alerts to the district admins by SMS.
 *
 * An alert has a key ("sim_full", "network_lost", "balance_low"...) and is
 * either active or not; the state is kept in the database (table alerts), so
 * that an alert goes out once when its condition starts ("once per
 * crossing"), not at every check nor again after a restart, and can go out
 * again after it was cleared.  The SMS are queued in the outbox (reason
 * "alert") for every admin in the registry (identity.h), or for district
 * staff when there is none.
 */
#ifndef TINBAO_ALERT_H
#define TINBAO_ALERT_H

#include <stddef.h>
#include <stdint.h>

struct config;
struct store;

/* Calls cb for every number alerts go to: the registry's admins
 * (identity.h), or its district staff when it has no admin.  st NULL, or a
 * registry that cannot be read (the database is what is broken): the
 * configuration's lists.  Returns what identity_foreach() does. */
struct identity;
int alert_recipients(const struct config *cfg, struct store *st,
		     int (*cb)(void *arg, const struct identity *id), void *arg);

/* Raises alert key with text (ASCII Vietnamese, one SMS) at time now: when it
 * is not active yet, marks it active and queues text to every admin, in one
 * transaction (the caller must not be inside one).  Returns 1 when it was
 * raised now, 0 when it was already active, -1 on error (logged). */
int alert_raise(const struct config *cfg, struct store *st, const char *key, const char *text,
		int64_t now);

/* Clears alert key: its condition is over.  Returns 1 when it was active,
 * 0 when not, -1 on error.  With text (or NULL for none), an "it is over"
 * SMS is queued to every admin when it was active. */
int alert_clear(const struct config *cfg, struct store *st, const char *key, const char *text,
		int64_t now);

/* 1 when alert key is active, 0 when not, -1 on error. */
int alert_active(struct store *st, const char *key);

#endif
