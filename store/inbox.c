/*
 * inbox.c - the SMS received (tables inbox and imports), the held ones
 * among them, and what the gateway asks about a sender's recent SMS.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "impl.h"
#include "log.h"

int
store_inbox_add(struct store *st, const struct store_sms *sms, int64_t *id)
{
	int64_t rowid = 0;
	int added = 0;

	stmt_get(st, S_INBOX_ADD);
	if (bind_text(st, S_INBOX_ADD, 1, sms->sender) == -1 ||
	    bind_int(st, S_INBOX_ADD, 2, sms->smsc_time) == -1 ||
	    bind_int(st, S_INBOX_ADD, 3, sms->received) == -1 ||
	    bind_text(st, S_INBOX_ADD, 4, sms->text) == -1 ||
	    bind_text(st, S_INBOX_ADD, 5, sms->coding) == -1 ||
	    bind_int(st, S_INBOX_ADD, 6, sms->parts) == -1 ||
	    bind_text(st, S_INBOX_ADD, 7, sms->fingerprint) == -1 ||
	    bind_text(st, S_INBOX_ADD, 8, sms->modem) == -1 ||
	    bind_text(st, S_INBOX_ADD, 9, sms->missing) == -1 || stmt_step(st, S_INBOX_ADD) == -1)
		goto fail;
	/* DO NOTHING changes no row: the fingerprint is already known. */
	if (sqlite3_changes(st->db) == 1) {
		added = 1;
		rowid = sqlite3_last_insert_rowid(st->db);
	}
	stmt_put(st, S_INBOX_ADD);

	if (!added) {
		/* The same SMS again: nothing leaves the phone without being
		 * counted on its row. */
		stmt_get(st, S_INBOX_COPY);
		if (bind_text(st, S_INBOX_COPY, 1, sms->fingerprint) == -1 ||
		    stmt_step(st, S_INBOX_COPY) != SQLITE_ROW) {
			log_warnx("store: inbox add: %s: neither added nor found",
				  sms->fingerprint);
			stmt_put(st, S_INBOX_COPY);
			return -1;
		}
		rowid = sqlite3_column_int64(st->stmt[S_INBOX_COPY], 0);
		stmt_put(st, S_INBOX_COPY);
	}
	if (id != NULL)
		*id = rowid;
	return added;

fail:
	stmt_put(st, S_INBOX_ADD);
	return -1;
}

int
store_import_mark(struct store *st, const char *source, const char *key, int64_t at)
{
	int added;

	stmt_get(st, S_IMPORT_MARK);
	if (bind_text(st, S_IMPORT_MARK, 1, source) == -1 ||
	    bind_text(st, S_IMPORT_MARK, 2, key) == -1 ||
	    bind_int(st, S_IMPORT_MARK, 3, at) == -1 || stmt_step(st, S_IMPORT_MARK) == -1) {
		stmt_put(st, S_IMPORT_MARK);
		return -1;
	}
	added = sqlite3_changes(st->db) > 0;
	stmt_put(st, S_IMPORT_MARK);
	return added;
}

int
store_inbox_next_new(struct store *st, int64_t after, struct store_inmsg *msg)
{
	sqlite3_stmt *s;
	int rc;

	memset(msg, 0, sizeof(*msg));
	s = stmt_get(st, S_INBOX_NEXT_NEW);
	if (bind_int(st, S_INBOX_NEXT_NEW, 1, after) == -1)
		goto fail;
	rc = stmt_step(st, S_INBOX_NEXT_NEW);
	if (rc == -1)
		goto fail;
	if (rc == SQLITE_DONE) {
		stmt_put(st, S_INBOX_NEXT_NEW);
		return 0;
	}
	msg->id = sqlite3_column_int64(s, 0);
	/* A cut number would be somebody else's: better no reply at all. */
	if (column_copy(s, 1, msg->sender, sizeof(msg->sender)) == -1) {
		log_warnx("store: inbox %lld: sender too long, left empty", (long long)msg->id);
		msg->sender[0] = '\0';
	}
	msg->smsc_time = sqlite3_column_int64(s, 2);
	msg->received = sqlite3_column_int64(s, 3);
	msg->text = column_dup(st, s, 4);
	if (msg->text == NULL)
		goto fail;
	column_copy(s, 5, msg->missing, sizeof(msg->missing));
	column_copy(s, 6, msg->modem, sizeof(msg->modem));
	column_copy(s, 7, msg->coding, sizeof(msg->coding));
	stmt_put(st, S_INBOX_NEXT_NEW);
	return 1;

fail:
	stmt_put(st, S_INBOX_NEXT_NEW);
	return -1;
}

void
store_inmsg_clear(struct store_inmsg *msg)
{
	free(msg->text);
	msg->text = NULL;
}

int
store_inbox_set_state(struct store *st, int64_t id, const char *state, const char *error)
{
	if (state == NULL) {
		log_warnx("store: inbox %lld: no state given", (long long)id);
		return -1;
	}
	stmt_get(st, S_INBOX_SET_STATE);
	if (bind_text(st, S_INBOX_SET_STATE, 1, state) == -1 ||
	    bind_text(st, S_INBOX_SET_STATE, 2, error) == -1 ||
	    bind_int(st, S_INBOX_SET_STATE, 3, time(NULL)) == -1 ||
	    bind_int(st, S_INBOX_SET_STATE, 4, id) == -1 || stmt_step(st, S_INBOX_SET_STATE) == -1)
		goto fail;
	stmt_put(st, S_INBOX_SET_STATE);
	if (sqlite3_changes(st->db) != 1) {
		log_warnx("store: inbox %lld: no such message", (long long)id);
		return -1;
	}
	return 0;

fail:
	stmt_put(st, S_INBOX_SET_STATE);
	return -1;
}

int
store_inbox_commune_add(struct store *st, int64_t id, const char *code)
{
	return stmt_exec_int_text(st, S_INBOX_COMMUNE_ADD, id, code) == -1 ? -1 : 0;
}

/* Fills msg (text owned) and the state and error of an inbox row. */
static int
held_row(struct store *st, sqlite3_stmt *s, struct store_held *h)
{
	memset(h, 0, sizeof(*h));
	h->msg.id = sqlite3_column_int64(s, 0);
	column_copy(s, 1, h->msg.sender, sizeof(h->msg.sender));
	h->msg.smsc_time = sqlite3_column_int64(s, 2);
	h->msg.received = sqlite3_column_int64(s, 3);
	h->msg.text = column_dup(st, s, 4);
	column_copy(s, 5, h->state, sizeof(h->state));
	column_copy(s, 6, h->error, sizeof(h->error));
	column_copy(s, 7, h->msg.coding, sizeof(h->msg.coding));
	return h->msg.text == NULL ? -1 : 0;
}

int
store_inbox_get(struct store *st, int64_t inbox_id, struct store_held *h)
{
	enum stmt id = S_INBOX_GET;
	int rc;

	memset(h, 0, sizeof(*h));
	stmt_get(st, id);
	if (bind_int(st, id, 1, inbox_id) == -1) {
		stmt_put(st, id);
		return -1;
	}
	rc = stmt_step(st, id);
	if (rc == SQLITE_ROW && held_row(st, st->stmt[id], h) == -1)
		rc = -1;
	stmt_put(st, id);
	if (rc == -1)
		return -1;
	return rc == SQLITE_ROW ? 1 : 0;
}

struct held_walk {
	struct store *st;
	int (*cb)(void *arg, const struct store_held *h);
	void *arg;
};

static int
held_walk_row(void *ctx, sqlite3_stmt *s)
{
	struct held_walk *w = ctx;
	struct store_held h;
	int stop;

	if (held_row(w->st, s, &h) == -1)
		return -1;
	stop = w->cb(w->arg, &h);
	store_inmsg_clear(&h.msg);
	return stop != 0;
}

int
store_inbox_held_foreach(struct store *st, const char *error, int64_t since,
			 int (*cb)(void *arg, const struct store_held *h), void *arg)
{
	enum stmt id = error != NULL ? S_INBOX_HELD_ERROR : S_INBOX_HELD;
	struct held_walk w = {st, cb, arg};
	int bound;

	if (walk_start(st, id) == NULL)
		return -1;
	bound =
	    (error == NULL || bind_text(st, id, 1, error) == 0) && bind_int(st, id, 2, since) == 0;
	return walk_rows(st, id, bound, held_walk_row, &w) == -1 ? -1 : 0;
}

int
store_inbox_held_count(struct store *st, const char *error, int64_t *messages, int64_t *senders)
{
	enum stmt id = S_INBOX_HELD_COUNT;
	int rc = -1;

	stmt_get(st, id);
	if (bind_text(st, id, 1, error) == 0 && stmt_step(st, id) == SQLITE_ROW) {
		*messages = sqlite3_column_int64(st->stmt[id], 0);
		*senders = sqlite3_column_int64(st->stmt[id], 1);
		rc = 0;
	}
	stmt_put(st, id);
	return rc;
}

int64_t
store_inbox_recent(struct store *st, const char *sender, const char *text, int64_t since,
		   int64_t before_id)
{
	enum stmt id = S_INBOX_RECENT;
	int bound;

	stmt_get(st, id);
	bound = bind_text(st, id, 1, sender) == 0 && bind_int(st, id, 2, since) == 0 &&
		bind_int(st, id, 3, before_id) == 0 && bind_text(st, id, 4, text) == 0;
	return count_of(st, id, bound);
}
