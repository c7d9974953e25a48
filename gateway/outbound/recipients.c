/*
 * recipients.c - the numbers a notice from staff goes to (recipients.h).
 */
#include <stdio.h>
#include <string.h>

#include "identity.h"
#include "recipients.h"
#include "store.h"

int
recipients_add(struct recipients *r, const char *number)
{
	char e164[PHONE_MAX];
	size_t i;

	if (phone_e164(number, e164, sizeof(e164)) == -1) {
		snprintf(r->why, sizeof(r->why), "%.63s: not a Vietnamese phone number", number);
		return -1;
	}
	for (i = 0; i < r->n; i++) {
		if (strcmp(r->v[i], e164) == 0)
			return 0;
	}
	if (r->n == RECIPIENTS_MAX) {
		snprintf(r->why, sizeof(r->why), "more than %d recipients", RECIPIENTS_MAX);
		return -1;
	}
	snprintf(r->v[r->n++], sizeof(r->v[0]), "%s", e164);
	return 0;
}

static int
add_identity(void *arg, const struct identity *id)
{
	return recipients_add(arg, id->number) == -1 ? 1 : 0;
}

int
recipients_of(const struct config *cfg, struct store *st, unsigned roles, const char *commune_code,
	      struct recipients *r)
{
	int rc;

	r->why[0] = '\0';
	rc = identity_foreach(cfg, st, roles, commune_code, add_identity, r);
	return rc == 0 ? 0 : -1;
}

int
recipients_queue(struct store *st, struct recipients *r, const char *text)
{
	size_t i;

	for (i = 0; i < r->n; i++) {
		if (store_outbox_add(st, r->v[i], text, "notice", 0, &r->id[i]) == -1)
			return -1;
	}
	return 0;
}
