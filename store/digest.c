/*
 * digest.c - what the gateway sends by itself: digests (table
 * digests), scheduled SMS (scheduled_sms) and reminders (reminders).
 */
#include <stdio.h>
#include <string.h>

#include "impl.h"
#include "log.h"

int
store_digest_last(struct store *st, int64_t *at, int64_t *slot)
{
	enum stmt id = S_DIGEST_LAST;
	sqlite3_stmt *s;

	*at = *slot = 0;
	s = stmt_get(st, id);
	if (stmt_step(st, id) != SQLITE_ROW) {
		stmt_put(st, id);
		return -1;
	}
	*at = sqlite3_column_int64(s, 0);
	*slot = sqlite3_column_int64(s, 1);
	stmt_put(st, id);
	return 0;
}

int
store_digest_add(struct store *st, int64_t at, int64_t slot, int recipients, const char *text)
{
	enum stmt id = S_DIGEST_ADD;
	int rc = 0;

	stmt_get(st, id);
	if (bind_int(st, id, 1, at) == -1 || bind_int(st, id, 2, slot) == -1 ||
	    bind_int(st, id, 3, recipients) == -1 || bind_text(st, id, 4, text) == -1 ||
	    stmt_step(st, id) == -1)
		rc = -1;
	stmt_put(st, id);
	return rc;
}

int
store_scheduled_count(struct store *st, const char *key, const char *day)
{
	enum stmt id = S_SCHED_COUNT;
	int n;

	stmt_get(st, id);
	if (bind_text(st, id, 1, key) == -1 || bind_text(st, id, 2, day) == -1 ||
	    stmt_step(st, id) != SQLITE_ROW) {
		stmt_put(st, id);
		return -1;
	}
	n = sqlite3_column_int(st->stmt[id], 0);
	stmt_put(st, id);
	return n;
}

int
store_scheduled_add(struct store *st, const char *to, const char *key, const char *day,
		    const char *reason, const char *text, int64_t at, int64_t *outbox_id)
{
	enum stmt id = S_SCHED_ADD;
	int64_t out;

	if (store_outbox_add(st, to, text, reason, 0, &out) == -1)
		return -1;
	stmt_get(st, id);
	if (bind_text(st, id, 1, key) == -1 || bind_text(st, id, 2, day) == -1 ||
	    bind_text(st, id, 3, reason) == -1 || bind_int(st, id, 4, out) == -1 ||
	    bind_int(st, id, 5, at) == -1 || stmt_step(st, id) == -1) {
		stmt_put(st, id);
		return -1;
	}
	stmt_put(st, id);
	if (outbox_id != NULL)
		*outbox_id = out;
	return 0;
}

int
store_reminder_seen(struct store *st, const char *date, const char *commune_code,
		    const char *recipient)
{
	enum stmt id = S_REMINDER_SEEN;
	int n;

	stmt_get(st, id);
	if (bind_text(st, id, 1, date) == -1 || bind_text(st, id, 2, commune_code) == -1 ||
	    bind_text(st, id, 3, recipient) == -1 || stmt_step(st, id) != SQLITE_ROW) {
		stmt_put(st, id);
		return -1;
	}
	n = sqlite3_column_int(st->stmt[id], 0);
	stmt_put(st, id);
	return n > 0;
}

int
store_reminder_add(struct store *st, const char *date, const char *commune_code,
		   const char *recipient, int64_t outbox_id, int64_t at)
{
	enum stmt id = S_REMINDER_ADD;
	int rc = 0;

	stmt_get(st, id);
	if (bind_text(st, id, 1, date) == -1 || bind_text(st, id, 2, commune_code) == -1 ||
	    bind_text(st, id, 3, recipient) == -1 || bind_ref(st, id, 4, outbox_id) == -1 ||
	    bind_int(st, id, 5, at) == -1 || stmt_step(st, id) == -1)
		rc = -1;
	stmt_put(st, id);
	return rc;
}

int
store_reminded_foreach(struct store *st, int64_t after, int64_t until,
		       int (*cb)(void *arg, const char *commune_code), void *arg)
{
	enum stmt id = S_REMINDED;
	sqlite3_stmt *s;
	const char *code;
	int rc;

	s = walk_start(st, id);
	if (s == NULL)
		return -1;
	if (bind_int(st, id, 1, after) == -1 || bind_int(st, id, 2, until) == -1)
		goto fail;
	for (;;) {
		rc = stmt_step(st, id);
		if (rc == -1)
			goto fail;
		if (rc == SQLITE_DONE)
			break;
		code = (const char *)sqlite3_column_text(s, 0);
		if (code == NULL) {
			log_warnx("store: reminded: out of memory");
			goto fail;
		}
		if (cb(arg, code) != 0)
			break;
	}
	stmt_put(st, id);
	return 0;

fail:
	stmt_put(st, id);
	return -1;
}
