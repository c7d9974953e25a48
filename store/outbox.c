/*
 * outbox.c - the SMS to send (tables outbox and outbox_parts), the
 * delivery reports (status_reports) and the daily count (sent_days).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "impl.h"
#include "log.h"
#include "phone.h"

int
store_outbox_add(struct store *st, const char *to, const char *text, const char *reason,
		 int64_t inbox_id, int64_t *id)
{
	enum stmt sid = S_OUTBOX_ADD;
	char canon[PHONE_MAX];

	/* store_outmsg.to could not give it back whole. */
	if (to != NULL && strlen(to) >= sizeof(((struct store_outmsg *)0)->to)) {
		log_warnx("store: outbox add: recipient %s too long", to);
		return -1;
	}
	/* One phone, one recipient: the per-number limits count it once. */
	if (to != NULL)
		phone_canonical(to, canon, sizeof(canon));
	stmt_get(st, sid);
	if (bind_text(st, sid, 1, to != NULL ? canon : NULL) == -1 ||
	    bind_text(st, sid, 2, text) == -1 || bind_text(st, sid, 3, reason) == -1 ||
	    bind_ref(st, sid, 4, inbox_id) == -1 || bind_int(st, sid, 5, time(NULL)) == -1 ||
	    stmt_step(st, sid) == -1) {
		stmt_put(st, sid);
		return -1;
	}
	stmt_put(st, sid);
	if (id != NULL)
		*id = sqlite3_last_insert_rowid(st->db);
	return 0;
}

int
store_outbox_next(struct store *st, int64_t after, struct store_outmsg *msg)
{
	sqlite3_stmt *s;
	int rc;

	memset(msg, 0, sizeof(*msg));
	s = stmt_get(st, S_OUTBOX_NEXT);
	if (bind_int(st, S_OUTBOX_NEXT, 1, after) == -1)
		goto fail;
	rc = stmt_step(st, S_OUTBOX_NEXT);
	if (rc == -1)
		goto fail;
	if (rc == SQLITE_DONE) {
		stmt_put(st, S_OUTBOX_NEXT);
		return 0;
	}
	msg->id = sqlite3_column_int64(s, 0);
	if (column_copy(s, 1, msg->to, sizeof(msg->to)) == -1) {
		log_warnx("store: outbox %lld: recipient too long", (long long)msg->id);
		goto fail;
	}
	msg->text = column_dup(st, s, 2);
	if (msg->text == NULL)
		goto fail;
	msg->attempts = sqlite3_column_int(s, 3);
	column_copy(s, 4, msg->reason, sizeof(msg->reason));
	stmt_put(st, S_OUTBOX_NEXT);
	return 1;

fail:
	stmt_put(st, S_OUTBOX_NEXT);
	return -1;
}

void
store_outmsg_clear(struct store_outmsg *msg)
{
	free(msg->text);
	msg->text = NULL;
}

int
store_outbox_set_state(struct store *st, int64_t id, const char *state, const char *error)
{
	enum stmt sid = S_OUTBOX_SET_STATE;

	if (state == NULL) {
		log_warnx("store: outbox %lld: no state given", (long long)id);
		return -1;
	}
	stmt_get(st, sid);
	if (bind_text(st, sid, 1, state) == -1 || bind_int(st, sid, 2, time(NULL)) == -1 ||
	    bind_text(st, sid, 3, error) == -1 || bind_int(st, sid, 4, id) == -1 ||
	    stmt_step(st, sid) == -1) {
		stmt_put(st, sid);
		return -1;
	}
	stmt_put(st, sid);
	if (sqlite3_changes(st->db) != 1) {
		log_warnx("store: outbox %lld: no such queued message", (long long)id);
		return -1;
	}
	return 0;
}

int
store_outbox_due(struct store *st, int64_t after, int64_t now, struct store_outdue *m)
{
	enum stmt id = S_OUTBOX_DUE;
	sqlite3_stmt *s;
	int rc;

	memset(m, 0, sizeof(*m));
	s = stmt_get(st, id);
	if (bind_int(st, id, 1, after) == -1 || bind_int(st, id, 2, now) == -1)
		goto fail;
	rc = stmt_step(st, id);
	if (rc == -1)
		goto fail;
	if (rc == SQLITE_DONE) {
		stmt_put(st, id);
		return 0;
	}
	m->id = sqlite3_column_int64(s, 0);
	if (column_copy(s, 1, m->to, sizeof(m->to)) == -1) {
		log_warnx("store: outbox %lld: recipient too long", (long long)m->id);
		goto fail;
	}
	m->text = column_dup(st, s, 2);
	if (m->text == NULL)
		goto fail;
	m->attempts = sqlite3_column_int(s, 3);
	m->parts = sqlite3_column_int(s, 4);
	m->concat_ref = sqlite3_column_int(s, 5);
	m->parts_sent = sqlite3_column_int(s, 6);
	column_copy(s, 7, m->reason, sizeof(m->reason));
	stmt_put(st, id);
	return 1;
fail:
	stmt_put(st, id);
	return -1;
}

void
store_outdue_clear(struct store_outdue *m)
{
	free(m->text);
	m->text = NULL;
}

int
store_outbox_next_due(struct store *st, int64_t *at)
{
	enum stmt id = S_OUTBOX_NEXT_DUE;
	int rc, found = 0;

	stmt_get(st, id);
	rc = stmt_step(st, id);
	if (rc == SQLITE_ROW && sqlite3_column_type(st->stmt[id], 0) != SQLITE_NULL) {
		*at = sqlite3_column_int64(st->stmt[id], 0);
		found = 1;
	}
	stmt_put(st, id);
	return rc == -1 ? -1 : found;
}

/* Runs an UPDATE that must change exactly one row. */
static int
update_one(struct store *st, enum stmt id, int64_t row)
{
	if (stmt_step(st, id) == -1) {
		stmt_put(st, id);
		return -1;
	}
	stmt_put(st, id);
	if (sqlite3_changes(st->db) != 1) {
		log_warnx("store: %s: row %lld is not in the expected state", stmt_defs[id].what,
			  (long long)row);
		return -1;
	}
	return 0;
}

int
store_outbox_set_parts(struct store *st, int64_t row, int parts, int concat_ref, int report)
{
	enum stmt id = S_OUTBOX_SET_PARTS;

	stmt_get(st, id);
	if (bind_int(st, id, 1, row) == -1 || bind_int(st, id, 2, parts) == -1 ||
	    bind_int(st, id, 3, concat_ref) == -1 || bind_int(st, id, 4, report != 0) == -1) {
		stmt_put(st, id);
		return -1;
	}
	return update_one(st, id, row);
}

int
store_outbox_retry(struct store *st, int64_t row, int64_t next_attempt, const char *error,
		   int64_t now)
{
	enum stmt id = S_OUTBOX_RETRY;

	stmt_get(st, id);
	if (bind_int(st, id, 1, row) == -1 || bind_int(st, id, 2, next_attempt) == -1 ||
	    bind_text(st, id, 3, error) == -1 || bind_int(st, id, 4, now) == -1) {
		stmt_put(st, id);
		return -1;
	}
	return update_one(st, id, row);
}

int
store_outbox_part_mark(struct store *st, int64_t row, int part_no, const char *modem, int64_t now,
		       int64_t *part_id)
{
	enum stmt id = S_OPART_MARK;
	int rc;

	stmt_get(st, id);
	if (bind_int(st, id, 1, row) == -1 || bind_int(st, id, 2, part_no) == -1 ||
	    bind_text(st, id, 3, modem) == -1 || bind_int(st, id, 4, now) == -1) {
		stmt_put(st, id);
		return -1;
	}
	rc = stmt_step(st, id);
	stmt_put(st, id);
	if (rc == -1)
		return -1;
	*part_id = sqlite3_last_insert_rowid(st->db);
	return 0;
}

int
store_outbox_part_outcome(struct store *st, int64_t part_id, const char *state, int mr,
			  const char *error, int64_t now)
{
	enum stmt id = S_OPART_OUTCOME;
	int rc;

	stmt_get(st, id);
	rc = bind_int(st, id, 1, part_id) == -1 || bind_text(st, id, 2, state) == -1 ||
	     bind_int(st, id, 4, now) == -1 || bind_text(st, id, 5, error) == -1;
	if (rc == 0 && mr >= 0)
		rc = bind_int(st, id, 3, mr) == -1;
	if (rc != 0) {
		stmt_put(st, id);
		return -1;
	}
	return update_one(st, id, part_id);
}

int
store_outbox_rate(struct store *st, const char *modem, int64_t since, int64_t *count,
		  int64_t *oldest)
{
	enum stmt id = S_OPART_RATE;
	int rc;

	stmt_get(st, id);
	if (bind_text(st, id, 1, modem) == -1 || bind_int(st, id, 2, since) == -1) {
		stmt_put(st, id);
		return -1;
	}
	rc = stmt_step(st, id);
	if (rc == SQLITE_ROW) {
		*count = sqlite3_column_int64(st->stmt[id], 0);
		*oldest = sqlite3_column_int64(st->stmt[id], 1);
	}
	stmt_put(st, id);
	return rc == SQLITE_ROW ? 0 : -1;
}

int
store_outbox_recover(struct store *st, int64_t now)
{
	int n;

	if (store_begin(st) == -1)
		return -1;
	stmt_get(st, S_OUTBOX_UNCONFIRM);
	if (bind_int(st, S_OUTBOX_UNCONFIRM, 1, now) == -1 ||
	    stmt_step(st, S_OUTBOX_UNCONFIRM) == -1)
		goto fail;
	stmt_put(st, S_OUTBOX_UNCONFIRM);
	n = sqlite3_changes(st->db);
	stmt_get(st, S_OPART_UNKNOWN);
	if (bind_int(st, S_OPART_UNKNOWN, 1, now) == -1 || stmt_step(st, S_OPART_UNKNOWN) == -1)
		goto fail;
	stmt_put(st, S_OPART_UNKNOWN);
	if (store_commit(st) == -1)
		goto fail;
	return n;
fail:
	stmt_put(st, S_OUTBOX_UNCONFIRM);
	stmt_put(st, S_OPART_UNKNOWN);
	store_rollback(st);
	return -1;
}

/* Finds the part a report is about: 1 with ids, 0 none, -1. */
static int
report_match(struct store *st, const struct store_status_report *r, int64_t since, int64_t *part,
	     int64_t *row)
{
	enum stmt id = S_SREPORT_MATCH;
	int rc;

	stmt_get(st, id);
	if (bind_text(st, id, 1, r->modem) == -1 || bind_int(st, id, 2, r->mr) == -1 ||
	    bind_int(st, id, 3, since) == -1 || bind_text(st, id, 4, r->recipient) == -1) {
		stmt_put(st, id);
		return -1;
	}
	rc = stmt_step(st, id);
	if (rc == SQLITE_ROW) {
		*part = sqlite3_column_int64(st->stmt[id], 0);
		*row = sqlite3_column_int64(st->stmt[id], 1);
	}
	stmt_put(st, id);
	return rc == -1 ? -1 : rc == SQLITE_ROW;
}

int
store_status_report_add(struct store *st, const struct store_status_report *r, int64_t since)
{
	enum stmt id = S_SREPORT_ADD;
	int64_t part = 0, row = 0;
	int rc;

	stmt_get(st, id);
	if (bind_text(st, id, 1, r->modem) == -1 || bind_text(st, id, 2, r->recipient) == -1 ||
	    bind_int(st, id, 3, r->mr) == -1 || bind_int(st, id, 4, r->status) == -1 ||
	    bind_ref(st, id, 5, r->smsc_time) == -1 || bind_int(st, id, 6, r->received) == -1 ||
	    bind_text(st, id, 7, r->fingerprint) == -1 || stmt_step(st, id) == -1) {
		stmt_put(st, id);
		return -1;
	}
	stmt_put(st, id);
	if (sqlite3_changes(st->db) == 0)
		return 0; /* read again after a crash: already counted */
	if (r->status >= 1 && r->status < 64)
		return 0; /* the SMSC still tries: no outcome yet */
	rc = report_match(st, r, since, &part, &row);
	if (rc != 1)
		return rc;
	id = S_OPART_REPORT;
	stmt_get(st, id);
	if (bind_int(st, id, 1, part) == -1 ||
	    bind_text(st, id, 2, r->status == 0 ? "delivered" : "failed") == -1 ||
	    bind_int(st, id, 3, r->received) == -1 || update_one(st, id, part) == -1)
		return -1;
	id = S_SREPORT_LINK;
	stmt_get(st, id);
	if (bind_text(st, id, 1, r->fingerprint) == -1 || bind_int(st, id, 2, part) == -1 ||
	    update_one(st, id, part) == -1)
		return -1;
	id = S_OUTBOX_DELIVERY;
	stmt_get(st, id);
	if (bind_int(st, id, 1, row) == -1 || bind_int(st, id, 2, r->received) == -1 ||
	    update_one(st, id, row) == -1)
		return -1;
	return 1;
}

int
store_outbox_stats(struct store *st, struct store_outbox_stats *o)
{
	enum stmt id = S_OUTBOX_STATS;
	sqlite3_stmt *s = stmt_get(st, id);
	int rc = stmt_step(st, id);

	if (rc == SQLITE_ROW) {
		o->queued = sqlite3_column_int64(s, 0);
		o->sent = sqlite3_column_int64(s, 1);
		o->failed = sqlite3_column_int64(s, 2);
		o->unconfirmed = sqlite3_column_int64(s, 3);
		o->delivered = sqlite3_column_int64(s, 4);
		o->undelivered = sqlite3_column_int64(s, 5);
	}
	stmt_put(st, id);
	return rc == SQLITE_ROW ? 0 : -1;
}

struct rate_walk {
	int (*cb)(void *arg, const char *modem, int64_t parts);
	void *arg;
};

static int
rate_row(void *ctx, sqlite3_stmt *s)
{
	struct rate_walk *w = ctx;

	return w->cb(w->arg, (const char *)sqlite3_column_text(s, 0), sqlite3_column_int64(s, 1)) !=
	       0;
}

int
store_outbox_rates_foreach(struct store *st, int64_t since,
			   int (*cb)(void *arg, const char *modem, int64_t parts), void *arg)
{
	enum stmt id = S_OPART_RATES;
	struct rate_walk w = {cb, arg};
	int bound;

	if (walk_start(st, id) == NULL)
		return -1;
	bound = bind_int(st, id, 1, since) == 0;
	return walk_rows(st, id, bound, rate_row, &w) == -1 ? -1 : 0;
}

int64_t
store_replies_recent(struct store *st, const char *recipient, int64_t since)
{
	enum stmt id = S_REPLIES_RECENT;
	int bound;

	stmt_get(st, id);
	bound = bind_text(st, id, 1, recipient) == 0 && bind_int(st, id, 2, since) == 0;
	return count_of(st, id, bound);
}

int64_t
store_replies_starting(struct store *st, const char *recipient, const char *prefix, int64_t since)
{
	stmt_get(st, S_REPLIES_STARTING);
	return count_of(st, S_REPLIES_STARTING,
			bind_text(st, S_REPLIES_STARTING, 1, recipient) == 0 &&
			    bind_int(st, S_REPLIES_STARTING, 2, since) == 0 &&
			    bind_text(st, S_REPLIES_STARTING, 3, prefix) == 0);
}

int64_t
store_outbox_text_seen(struct store *st, const char *text, int64_t since)
{
	enum stmt id = S_OUR_TEXT;
	int bound;

	stmt_get(st, id);
	bound = bind_text(st, id, 1, text) == 0 && bind_int(st, id, 2, since) == 0;
	return count_of(st, id, bound);
}

int64_t
store_sent_count(struct store *st, const char *day)
{
	enum stmt id = S_SENT_COUNT;
	int bound;

	stmt_get(st, id);
	bound = bind_text(st, id, 1, day) == 0;
	return count_of(st, id, bound);
}

int
store_sent_add(struct store *st, const char *day)
{
	enum stmt id = S_SENT_ADD;
	int rc = -1;

	stmt_get(st, id);
	if (bind_text(st, id, 1, day) == 0)
		rc = stmt_step(st, id) == -1 ? -1 : 0;
	stmt_put(st, id);
	return rc;
}
