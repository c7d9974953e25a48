/*
 * alert.c - see alert.h.
 */
#include <stddef.h>
#include <stdint.h>

#include "alert.h"
#include "config.h"
#include "log.h"
#include "store.h"

char *const *
alert_recipients(const struct config *cfg, size_t *n)
{
	if (cfg->nadmins > 0) {
		*n = cfg->nadmins;
		return cfg->admins;
	}
	*n = cfg->digest.nrecipients;
	return cfg->digest.recipients;
}

static int
queue(const struct config *cfg, struct store *st, const char *text)
{
	char *const *to;
	size_t i, n;

	to = alert_recipients(cfg, &n);
	for (i = 0; i < n; i++)
		if (store_outbox_add(st, to[i], text, "alert", 0, NULL) == -1)
			return -1;
	return 0;
}

/* Sets alert key to active (1) or cleared (0), queueing text when it
 * changes.  1 when it changed, 0 when it was so already, -1 on error. */
static int
set(const struct config *cfg, struct store *st, const char *key, int active, const char *text,
    int64_t now)
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
	if (text != NULL && queue(cfg, st, text) == -1)
		goto fail;
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
	size_t n;
	int rc;

	rc = set(cfg, st, key, 1, text, now);
	if (rc == 1) {
		alert_recipients(cfg, &n);
		log_warnx("alert %s: %s (%zu admin%s told)", key, text, n, n == 1 ? "" : "s");
	}
	return rc;
}

int
alert_clear(const struct config *cfg, struct store *st, const char *key, const char *text,
	    int64_t now)
{
	int rc;

	rc = set(cfg, st, key, 0, text, now);
	if (rc == 1)
		log_info("alert %s: over", key);
	return rc;
}

int
alert_active(struct store *st, const char *key)
{
	return store_alert_get(st, key, NULL);
}
