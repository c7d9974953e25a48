/*
 * pushq.c - the push queue to the district server (tables push_queue,
 * push_state and push_outgoing).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "impl.h"
#include "log.h"

int
store_push_add(struct store *st, const char *type, int64_t at, const char *payload)
{
	enum stmt id = S_PUSH_ADD;
	int bound;

	stmt_get(st, id);
	bound = bind_text(st, id, 1, type) == 0 && bind_int(st, id, 2, at) == 0 &&
		bind_text(st, id, 3, payload) == 0 && bind_int(st, id, 4, time(NULL)) == 0;
	return stmt_done(st, id, bound);
}

struct pending_walk {
	int (*cb)(void *arg, const struct store_push_row *row);
	void *arg;
};

static int
pending_row(void *ctx, sqlite3_stmt *s)
{
	struct pending_walk *w = ctx;
	struct store_push_row row;

	row.id = sqlite3_column_int64(s, 0);
	row.type = (const char *)sqlite3_column_text(s, 1);
	row.at = sqlite3_column_int64(s, 2);
	row.event = (const char *)sqlite3_column_text(s, 3);
	row.kind = (const char *)sqlite3_column_text(s, 4);
	row.commune_code = (const char *)sqlite3_column_text(s, 5);
	row.trade_code = (const char *)sqlite3_column_text(s, 6);
	row.month = (const char *)sqlite3_column_text(s, 7);
	if (row.type == NULL) {
		log_warnx("store: push pending: out of memory");
		return -1;
	}
	return w->cb(w->arg, &row) != 0;
}

int
store_push_pending(struct store *st, const char *gateway, int limit,
		   int (*cb)(void *arg, const struct store_push_row *row), void *arg)
{
	enum stmt id = S_PUSH_PENDING;
	struct pending_walk w = {cb, arg};
	int bound;

	if (walk_start(st, id) == NULL)
		return -1;
	bound = bind_text(st, id, 1, gateway) == 0 && bind_int(st, id, 2, limit) == 0;
	return walk_rows(st, id, bound, pending_row, &w);
}

int
store_push_accept(struct store *st, const char *prefix, int64_t first, int64_t last,
		  const char *answer, int64_t now)
{
	enum stmt id = S_PUSH_ACCEPT;
	int bound;

	stmt_get(st, id);
	bound = bind_text(st, id, 1, answer) == 0 && bind_int(st, id, 2, first) == 0 &&
		bind_int(st, id, 3, last) == 0 && bind_int(st, id, 4, now) == 0 &&
		bind_text(st, id, 5, prefix) == 0;
	return stmt_exec(st, id, bound);
}

int
store_push_done(struct store *st, int64_t event, int64_t now, const char *note)
{
	enum stmt id = S_PUSH_DONE;
	int bound;

	stmt_get(st, id);
	bound = bind_int(st, id, 1, event) == 0 && bind_int(st, id, 2, now) == 0 &&
		bind_text(st, id, 3, note) == 0;
	return stmt_exec(st, id, bound);
}

int
store_push_park(struct store *st, int64_t event, const char *answer)
{
	return stmt_exec_int_text(st, S_PUSH_PARK, event, answer);
}

int
store_push_retry(struct store *st, int64_t event)
{
	enum stmt id = event > 0 ? S_PUSH_RETRY : S_PUSH_RETRY_ALL;

	stmt_get(st, id);
	if ((event > 0 && bind_int(st, id, 1, event) == -1) || stmt_step(st, id) == -1) {
		stmt_put(st, id);
		return -1;
	}
	stmt_put(st, id);
	return sqlite3_changes(st->db);
}

struct parked_walk {
	int (*cb)(void *arg, int64_t id, const char *type, int64_t at, const char *answer);
	void *arg;
};

static int
parked_row(void *ctx, sqlite3_stmt *s)
{
	struct parked_walk *w = ctx;
	const char *type, *answer;

	type = (const char *)sqlite3_column_text(s, 1);
	answer = (const char *)sqlite3_column_text(s, 3);
	if (type == NULL || answer == NULL) {
		log_warnx("store: push parked: out of memory");
		return -1;
	}
	return w->cb(w->arg, sqlite3_column_int64(s, 0), type, sqlite3_column_int64(s, 2),
		     answer) != 0;
}

int
store_push_parked_foreach(struct store *st,
			  int (*cb)(void *arg, int64_t id, const char *type, int64_t at,
				    const char *answer),
			  void *arg)
{
	struct parked_walk w = {cb, arg};

	if (walk_start(st, S_PUSH_PARKED) == NULL)
		return -1;
	return walk_rows(st, S_PUSH_PARKED, 1, parked_row, &w) == -1 ? -1 : 0;
}

int
store_push_state_get(struct store *st, struct store_push_state *ps)
{
	enum stmt id = S_PUSH_STATE_GET;
	sqlite3_stmt *s;

	memset(ps, 0, sizeof(*ps));
	s = stmt_get(st, id);
	if (stmt_row(st, id, 1) != 1) {
		log_warnx("store: push state: no row");
		return -1;
	}
	ps->failures = sqlite3_column_int(s, 0);
	ps->next_attempt = sqlite3_column_int64(s, 1);
	ps->last_attempt = sqlite3_column_int64(s, 2);
	ps->last_success = sqlite3_column_int64(s, 3);
	column_copy(s, 4, ps->last_error, sizeof(ps->last_error));
	ps->last_error_at = sqlite3_column_int64(s, 5);
	ps->last_status = sqlite3_column_int64(s, 6);
	stmt_put(st, id);
	return 0;
}

int
store_push_state_put(struct store *st, const struct store_push_state *ps)
{
	enum stmt id = S_PUSH_STATE_PUT;
	int bound;

	stmt_get(st, id);
	bound = bind_int(st, id, 1, ps->failures) == 0 &&
		bind_int(st, id, 2, ps->next_attempt) == 0 &&
		bind_int(st, id, 3, ps->last_attempt) == 0 &&
		bind_int(st, id, 4, ps->last_success) == 0 &&
		bind_text(st, id, 5, ps->last_error) == 0 &&
		bind_int(st, id, 6, ps->last_error_at) == 0 &&
		bind_int(st, id, 7, ps->last_status) == 0;
	return stmt_done(st, id, bound);
}

int
store_push_stats(struct store *st, struct store_push_stats *ps)
{
	enum stmt id = S_PUSH_STATS;
	sqlite3_stmt *s;

	memset(ps, 0, sizeof(*ps));
	s = stmt_get(st, id);
	if (stmt_row(st, id, 1) != 1)
		return -1;
	ps->pending = sqlite3_column_int64(s, 0);
	ps->parked = sqlite3_column_int64(s, 1);
	ps->sent = sqlite3_column_int64(s, 2);
	ps->oldest_pending = sqlite3_column_int64(s, 3);
	stmt_put(st, id);
	return 0;
}

/* Remembers a district SMS id; 1 when it is new, 0 when seen before. */
static int
outgoing_seen(struct store *st, const char *server_id, int64_t now)
{
	enum stmt id = S_PUSH_SEEN;
	int bound, n;

	stmt_get(st, id);
	bound = bind_text(st, id, 1, server_id) == 0 && bind_int(st, id, 2, now) == 0;
	n = stmt_exec(st, id, bound);
	return n == -1 ? -1 : n == 1;
}

int
store_push_outgoing_add(struct store *st, const char *server_id, const char *to, const char *text,
			int64_t now)
{
	enum stmt id = S_PUSH_SEEN_LINK;
	int64_t outbox = 0;
	int rc;

	rc = outgoing_seen(st, server_id, now);
	if (rc != 1)
		return rc;
	if (store_outbox_add(st, to, text, "district", 0, &outbox) == -1)
		return -1;
	stmt_get(st, id);
	if (bind_text(st, id, 1, server_id) == -1 || bind_int(st, id, 2, outbox) == -1 ||
	    stmt_step(st, id) == -1) {
		stmt_put(st, id);
		return -1;
	}
	stmt_put(st, id);
	return 1;
}

int
store_push_outgoing_refuse(struct store *st, const char *server_id, const char *payload,
			   int64_t now)
{
	int rc;

	rc = outgoing_seen(st, server_id, now);
	if (rc != 1)
		return rc;
	if (store_push_add(st, "sms.failed", now, payload) == -1)
		return -1;
	return 1;
}

int
store_push_cell(struct store *st, const char *kind, const char *commune_code,
		const char *trade_code, const char *month, long *count, long *trained)
{
	enum stmt id = strcmp(kind, "labour") == 0 ? S_PUSH_CELL_LATEST : S_PUSH_CELL_SUM;
	sqlite3_stmt *s;
	int rc;

	*count = *trained = 0;
	s = stmt_get(st, id);
	if (bind_text(st, id, 1, kind) == -1 || bind_text(st, id, 2, commune_code) == -1 ||
	    bind_text(st, id, 3, trade_code) == -1 || bind_text(st, id, 4, month) == -1)
		goto fail;
	rc = stmt_step(st, id);
	if (rc == -1)
		goto fail;
	if (rc == SQLITE_ROW) {
		*count = (long)sqlite3_column_int64(s, 0);
		*trained = (long)sqlite3_column_int64(s, 1);
	}
	stmt_put(st, id);
	return 0;

fail:
	stmt_put(st, id);
	return -1;
}
