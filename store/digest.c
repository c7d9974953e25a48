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
	int bound;

	stmt_get(st, id);
	bound = bind_int(st, id, 1, at) == 0 && bind_int(st, id, 2, slot) == 0 &&
		bind_int(st, id, 3, recipients) == 0 && bind_text(st, id, 4, text) == 0;
	return stmt_done(st, id, bound);
}

int
store_scheduled_count(struct store *st, const char *key, const char *day)
{
	enum stmt id = S_SCHED_COUNT;
	int bound;

	stmt_get(st, id);
	bound = bind_text(st, id, 1, key) == 0 && bind_text(st, id, 2, day) == 0;
	return (int)count_of(st, id, bound);
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
	int bound;

	stmt_get(st, id);
	bound = bind_text(st, id, 1, date) == 0 && bind_text(st, id, 2, commune_code) == 0 &&
		bind_text(st, id, 3, recipient) == 0 && bind_ref(st, id, 4, outbox_id) == 0 &&
		bind_int(st, id, 5, at) == 0;
	return stmt_done(st, id, bound);
}

struct reminded_walk {
	int (*cb)(void *arg, const char *commune_code);
	void *arg;
};

static int
reminded_row(void *ctx, sqlite3_stmt *s)
{
	struct reminded_walk *w = ctx;
	const char *code = (const char *)sqlite3_column_text(s, 0);

	if (code == NULL) {
		log_warnx("store: reminded: out of memory");
		return -1;
	}
	return w->cb(w->arg, code) != 0;
}

int
store_reminded_foreach(struct store *st, int64_t after, int64_t until,
		       int (*cb)(void *arg, const char *commune_code), void *arg)
{
	enum stmt id = S_REMINDED;
	struct reminded_walk w = {cb, arg};
	int bound;

	if (walk_start(st, id) == NULL)
		return -1;
	bound = bind_int(st, id, 1, after) == 0 && bind_int(st, id, 2, until) == 0;
	return walk_rows(st, id, bound, reminded_row, &w) == -1 ? -1 : 0;
}
