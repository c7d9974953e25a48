/*
 * recipients.h - whom a notice from staff goes to: one number, the officers
 * of a commune or every number of a role, from the registry (identity.h),
 * each number once; and queuing it for them in the outbox, where the
 * sending rate and the daily cap apply.  `tinbao send` and the web
 * console's send page both go through here, so that they pick the same
 * numbers.
 */
#ifndef TINBAO_RECIPIENTS_H
#define TINBAO_RECIPIENTS_H

#include <stddef.h>
#include <stdint.h>

#include "phone.h"

struct config;
struct store;

#define RECIPIENTS_MAX 50 /* one notice's numbers: a district's officers */

struct recipients {
	char v[RECIPIENTS_MAX][PHONE_MAX]; /* E.164 */
	int64_t id[RECIPIENTS_MAX];	   /* their outbox rows, once queued */
	size_t n;
	char why[128]; /* why the last call failed; "" for a database error */
};

/* Adds number (in any form) once.  0, or -1 (why) when it is no phone
 * number or there are already RECIPIENTS_MAX. */
int recipients_add(struct recipients *r, const char *number);
/* Adds every number with a role in roles (and, when commune_code is not
 * NULL, officer of that commune).  0 or -1 (why). */
int recipients_of(const struct config *cfg, struct store *st, unsigned roles,
		  const char *commune_code, struct recipients *r);
/* Queues text as a notice for each, in the caller's transaction, their
 * outbox ids into id.  0 or -1. */
int recipients_queue(struct store *st, struct recipients *r, const char *text);

#endif
