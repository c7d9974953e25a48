/*
 * alert.c - see alert.h.
 */
#include <stddef.h>
#include <stdint.h>

#include "alert.h"
#include "config.h"
#include "identity.h"
#include "log.h"
#include "store.h"

static int
count(void *arg, const struct identity *id)
{
	(*(int *)arg)++;
	return 0;
}

int
alert_recipients(const struct config *cfg, struct store *st,
		 int (*cb)(void *arg, const struct identity *id), void *arg)
{
	unsigned to = IDENTITY_ADMIN;
	int n = 0;

	if (st != NULL && identity_foreach(cfg, st, IDENTITY_ADMIN, NULL, count, &n) == -1) {
		log_warnx("alert: the sender registry cannot be read; the configuration's "
			  "numbers are told");
		st = NULL;
	}
	if (st == NULL && identity_foreach(cfg, NULL, IDENTITY_ADMIN, NULL, count, &n) == -1)
		return -1;
	if (n == 0)
		to = IDENTITY_DISTRICT;
	return identity_foreach(cfg, st, to, NULL, cb, arg);
}

struct queued {
	struct store *st;
	const char *text;
	int n;
};

static int
queue_one(void *arg, const struct identity *id)
{
	struct queued *q = arg;

	if (store_outbox_add(q->st, id->number, q->text, "alert", 0, NULL) == -1)
		return -1;
	q->n++;
	return 0;
}

/* Queues text to everyone alerts go to: how many, or -1. */
static int
queue(const struct config *cfg, struct store *st, const char *text)
{
	struct queued q = {st, text, 0};

	if (alert_recipients(cfg, st, queue_one, &q) != 0)
		return -1;
	return q.n;
}

/* Sets alert key to active (1) or cleared (0), queueing text when it
 * changes.  1 when it changed, 0 when it was so already, -1 on error. */
static int
set(const struct config *cfg, struct store *st, const char *key, int active, const char *text,
    int64_t now, int *told)
{
	int was;

	if (store_begin(st) == -1)
		return -1;
	if ((was = store_alert_get(st, key, NULL)) == -1)
		goto fail;
	if (was == active) {
		if (store_commit(st) == -1)
			goto fail;
		return 0;
	}
	if (store_alert_set(st, key, active, active ? text : NULL, now) == -1)
		goto fail;
	if (text != NULL) {
		*told = queue(cfg, st, text);
		if (*told == -1)
			goto fail;
	}
	if (store_commit(st) == -1)
		goto fail;
	return 1;
fail:
	store_rollback(st);
	log_warnx("alert %s: could not be %s", key, active ? "raised" : "cleared");
	return -1;
}

int
alert_raise(const struct config *cfg, struct store *st, const char *key, const char *text,
	    int64_t now)
{
	int rc, n = 0;

	rc = set(cfg, st, key, 1, text, now, &n);
	if (rc == 1)
		log_warnx("alert %s: %s (%d admin%s told)", key, text, n, n == 1 ? "" : "s");
	return rc;
}

int
alert_clear(const struct config *cfg, struct store *st, const char *key, const char *text,
	    int64_t now)
{
	int rc;

	int n = 0;

	rc = set(cfg, st, key, 0, text, now, &n);
	if (rc == 1)
		log_info("alert %s: over", key);
	return rc;
}

int
alert_active(struct store *st, const char *key)
{
	return store_alert_get(st, key, NULL);
}
